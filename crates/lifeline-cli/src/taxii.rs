//! `lifeline taxii`: TAXII 2.1 collections in the local database (the ones `lifeline
//! serve` offers under `/taxii2/`), and a TAXII client that pulls another server's
//! collection (an ISAC's) into one of them.
//!
//! - `taxii collection create --title T [--read ORG[=TLP] ...] [--write ORG ...]` prints
//!   the new collection's id. `--read isac=green` lets organisation `isac` read up to
//!   TLP:GREEN (`red` names it, which is what lets TLP:RED reach it); a bare `--read ORG`
//!   is cleared for TLP:CLEAR.
//! - `taxii collection list` lists the organisation's collections.
//! - `taxii pull URL [--collection ID] --user U --token-file F --into ID` asks for the
//!   objects added since the last pull (`added_after`, remembered per source in the
//!   database), follows `next` through the pages, and stores every object version in the
//!   local collection.

use std::io::Write as _;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use lifeline_share::Tlp;
use lifeline_store::{NewCollection, TaxiiCaller, TaxiiGrant};

use crate::Exit;
use crate::incident_db::{self, DbArgs};

const TAXII: &str = "application/taxii+json;version=2.1";
/// The largest page a pull reads (the same as the server's upload limit).
const MAX_PAGE_BYTES: u64 = 64 << 20;

#[derive(Debug, Args)]
pub struct TaxiiArgs {
    #[command(subcommand)]
    command: TaxiiCommand,
}

#[derive(Debug, Subcommand)]
enum TaxiiCommand {
    /// Collections of the organisation's TAXII API root
    Collection(CollectionArgs),
    /// Pull a TAXII 2.1 collection (an ISAC's) into a local collection
    Pull(PullArgs),
}

#[derive(Debug, Args)]
struct CollectionArgs {
    #[command(subcommand)]
    command: CollectionCommand,
}

#[derive(Debug, Subcommand)]
enum CollectionCommand {
    /// Create a collection and print its id
    Create(CreateArgs),
    /// List the organisation's collections, with their grants' rights
    List(ListArgs),
}

#[derive(Debug, Args)]
struct CreateArgs {
    /// The collection's title
    #[arg(long)]
    title: String,
    /// A description
    #[arg(long)]
    description: Option<String>,
    /// A partner organisation (by name) that may read, with its TLP clearance:
    /// `isac=green` (default clear; `red` names it)
    #[arg(long = "read", value_name = "ORG[=TLP]")]
    read: Vec<String>,
    /// A partner organisation (by name) that may add objects
    #[arg(long = "write", value_name = "ORG")]
    write: Vec<String>,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, Args)]
struct ListArgs {
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, Args)]
struct PullArgs {
    /// The remote API root (`https://isac.example/taxii2/api1/`) with --collection, or
    /// the collection's URL (`.../collections/ID/`)
    url: String,
    /// The remote collection's id
    #[arg(long)]
    collection: Option<String>,
    /// The user name for HTTP Basic
    #[arg(long)]
    user: String,
    /// A file holding the password or API token (its first line)
    #[arg(long)]
    token_file: std::path::PathBuf,
    /// The local collection to store the objects in
    #[arg(long)]
    into: String,
    /// Objects per page asked for
    #[arg(long, default_value_t = 1000)]
    limit: u32,
    /// Ignore where the last pull left off and ask for everything
    #[arg(long)]
    full: bool,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: &TaxiiArgs) -> anyhow::Result<Exit> {
    match &args.command {
        TaxiiCommand::Collection(c) => match &c.command {
            CollectionCommand::Create(a) => create(a),
            CollectionCommand::List(a) => list(a),
        },
        TaxiiCommand::Pull(a) => pull(a),
    }
}

/// `ORG[=TLP]`.
fn read_grant(value: &str) -> anyhow::Result<(String, Tlp)> {
    match value.split_once('=') {
        Some((org, tlp)) => {
            let tlp: Tlp = tlp
                .parse()
                .with_context(|| format!("--read `{}`", lifeline_text::excerpt(value)))?;
            Ok((org.to_owned(), tlp))
        }
        None => Ok((value.to_owned(), Tlp::Clear)),
    }
}

fn create(args: &CreateArgs) -> anyhow::Result<Exit> {
    let mut wanted: Vec<(String, bool, bool, Tlp)> = Vec::new();
    for value in &args.read {
        let (org, tlp) = read_grant(value)?;
        if wanted.iter().any(|w| w.0 == org) {
            anyhow::bail!(
                "--read `{}`: the organisation is named twice",
                lifeline_text::excerpt(&org)
            );
        }
        wanted.push((org, true, false, tlp));
    }
    for org in &args.write {
        match wanted.iter_mut().find(|w| &w.0 == org) {
            Some(w) if !w.2 => w.2 = true,
            Some(_) => anyhow::bail!(
                "--write `{}`: the organisation is named twice",
                lifeline_text::excerpt(org)
            ),
            None => wanted.push((org.clone(), false, true, Tlp::Clear)),
        }
    }
    let runtime = crate::serve::runtime()?;
    let id = runtime.block_on(async {
        let (store, access, actor) = incident_db::open_local(&args.db).await?;
        let mut grants = Vec::new();
        for (name, read, write, clearance) in wanted {
            let org = store.org_by_name(&name).await?.with_context(|| {
                format!(
                    "--read/--write: no organisation `{}` in the database \
                     (`lifeline admin org create NAME` adds one)",
                    lifeline_text::excerpt(&name)
                )
            })?;
            grants.push(TaxiiGrant {
                org_id: org.id,
                read,
                write,
                clearance,
            });
        }
        let id = store
            .create_collection(
                &access.org_id,
                &NewCollection {
                    title: args.title.clone(),
                    description: args.description.clone(),
                    grants,
                },
                &actor,
            )
            .await?;
        store.close().await;
        anyhow::Ok(id)
    })?;
    let mut out = crate::output::stdout();
    outln!(out, "{id}")?;
    out.flush()?;
    Ok(Exit::Success)
}

fn list(args: &ListArgs) -> anyhow::Result<Exit> {
    let runtime = crate::serve::runtime()?;
    runtime.block_on(async {
        let (store, access, _) = incident_db::open_local(&args.db).await?;
        let caller = TaxiiCaller::owner(&access.org_id);
        let sizes = store.collection_sizes(&access.org_id).await?;
        let mut out = crate::output::stdout();
        for c in store.collections(&caller, &access.org_id).await? {
            outln!(
                out,
                "{}  {:>7} versions  {}",
                c.id,
                sizes.get(&c.id).copied().unwrap_or(0),
                c.title
            )?;
        }
        out.flush()?;
        store.close().await;
        anyhow::Ok(())
    })?;
    Ok(Exit::Success)
}

/// The remote collection's objects URL.
fn objects_url(url: &str, collection: Option<&str>) -> anyhow::Result<String> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        anyhow::bail!(
            "URL `{}`: must start with https:// (or http:// on a trusted network)",
            lifeline_text::excerpt(url)
        );
    }
    let base = if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    };
    Ok(match collection {
        Some(id) => {
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                anyhow::bail!(
                    "--collection `{}`: a collection id is letters, digits and hyphens",
                    lifeline_text::excerpt(id)
                );
            }
            format!("{base}collections/{id}/objects/")
        }
        None if base.ends_with("/objects/") => base,
        None if base.contains("/collections/") => format!("{base}objects/"),
        None => anyhow::bail!(
            "URL `{}`: give the collection's URL (`.../collections/ID/`) or --collection ID",
            lifeline_text::excerpt(url)
        ),
    })
}

/// What one page of a pull brought.
struct Page {
    objects: Vec<serde_json::Value>,
    next: Option<String>,
    more: bool,
    last_added: Option<String>,
}

fn fetch(
    agent: &ureq::Agent,
    url: &str,
    auth: &str,
    query: &[(&str, String)],
) -> anyhow::Result<Page> {
    let mut request = agent
        .get(url)
        .header("Accept", TAXII)
        .header("Authorization", auth);
    for (k, v) in query {
        request = request.query(*k, v);
    }
    let mut response = request
        .call()
        .with_context(|| format!("GET {}", lifeline_text::excerpt(url)))?;
    let status = response.status();
    let last_added = response
        .headers()
        .get("x-taxii-date-added-last")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response
        .body_mut()
        .with_config()
        .limit(MAX_PAGE_BYTES)
        .read_to_string()
        .with_context(|| format!("GET {}: reading the answer", lifeline_text::excerpt(url)))?;
    if !status.is_success() {
        let detail = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| {
                let title = v.get("title")?.as_str()?.to_owned();
                let description = v.get("description").and_then(|d| d.as_str()).unwrap_or("");
                Some(format!("{title}: {description}"))
            })
            .unwrap_or_default();
        anyhow::bail!(
            "GET {}: {status} {}",
            lifeline_text::excerpt(url),
            lifeline_text::excerpt(&detail)
        );
    }
    let envelope: serde_json::Value = serde_json::from_str(&text).with_context(|| {
        format!(
            "GET {}: the answer is not a TAXII envelope",
            lifeline_text::excerpt(url)
        )
    })?;
    let objects = match envelope.get("objects") {
        None => Vec::new(),
        Some(serde_json::Value::Array(a)) => a.clone(),
        Some(_) => anyhow::bail!(
            "GET {}: envelope.objects is not a list",
            lifeline_text::excerpt(url)
        ),
    };
    Ok(Page {
        objects,
        next: envelope
            .get("next")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        more: envelope
            .get("more")
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        last_added,
    })
}

fn pull(args: &PullArgs) -> anyhow::Result<Exit> {
    use base64::Engine as _;
    let url = objects_url(&args.url, args.collection.as_deref())?;
    let token = std::fs::read_to_string(&args.token_file)
        .with_context(|| format!("--token-file `{}`", args.token_file.display()))?;
    let token = token.lines().next().unwrap_or_default().trim().to_owned();
    if token.is_empty() {
        anyhow::bail!(
            "--token-file `{}`: the first line is empty",
            args.token_file.display()
        );
    }
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{token}", args.user))
    );
    if args.limit == 0 {
        anyhow::bail!("--limit: must be at least 1");
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    let runtime = crate::serve::runtime()?;
    runtime.block_on(async {
        let (store, access, actor) = incident_db::open_local(&args.db).await?;
        let caller = TaxiiCaller::owner(&access.org_id);
        store
            .collection(&caller, &access.org_id, &args.into)
            .await?
            .with_context(|| {
                format!(
                    "--into: no collection `{}` in this organisation (`lifeline taxii \
                     collection list`)",
                    lifeline_text::excerpt(&args.into)
                )
            })?;
        let cursor = if args.full {
            None
        } else {
            store
                .taxii_pull_cursor(&access.org_id, &args.into, &url)
                .await?
        };
        let mut base: Vec<(&str, String)> = vec![("limit", args.limit.to_string())];
        if let Some(after) = &cursor {
            base.push(("added_after", after.clone()));
        }
        let (mut received, mut stored, mut failed, mut pages) = (0usize, 0i64, 0i64, 0usize);
        let mut last_added: Option<String> = None;
        let mut next: Option<String> = None;
        loop {
            let mut query = base.clone();
            if let Some(token) = &next {
                query.push(("next", token.clone()));
            }
            let page = fetch(&agent, &url, &auth, &query)?;
            pages += 1;
            received += page.objects.len();
            if !page.objects.is_empty() {
                let status = store
                    .add_objects(&caller, &access.org_id, &args.into, &page.objects, &actor)
                    .await?;
                stored += status.success_count;
                failed += status.failure_count;
                for f in status.failures.iter().take(10) {
                    errln!(
                        "refused {}: {}",
                        lifeline_text::excerpt(&f.id),
                        lifeline_text::excerpt(f.message.as_deref().unwrap_or(""))
                    );
                }
            }
            if page.last_added.is_some() {
                last_added = page.last_added;
            }
            match (page.more, page.next) {
                (true, Some(token)) => next = Some(token),
                (true, None) => match &last_added {
                    // A server that gives no `next`: ask for what was added after this page.
                    Some(after) => {
                        base.retain(|(k, _)| *k != "added_after");
                        base.push(("added_after", after.clone()));
                        next = None;
                    }
                    None => anyhow::bail!(
                        "GET {}: more objects, but neither `next` nor X-TAXII-Date-Added-Last \
                         to ask for them",
                        lifeline_text::excerpt(&url)
                    ),
                },
                (false, _) => break,
            }
            if pages > 1_000_000 {
                anyhow::bail!("GET {}: more than a million pages", lifeline_text::excerpt(&url));
            }
        }
        if let Some(after) = &last_added {
            store
                .set_taxii_pull_cursor(&access.org_id, &args.into, &url, after, &actor)
                .await?;
        }
        store.close().await;
        let mut out = crate::output::stdout();
        outln!(
            out,
            "pulled {received} objects in {pages} pages from {}: {stored} stored, {failed} refused; \
             next pull asks for what was added after {}",
            lifeline_text::excerpt(&url),
            last_added
                .or(cursor)
                .unwrap_or_else(|| "the beginning".into())
        )?;
        out.flush()?;
        anyhow::Ok(())
    })?;
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_grants() {
        assert_eq!(
            objects_url("https://isac.example/taxii2/api1", Some("abc-1")).unwrap(),
            "https://isac.example/taxii2/api1/collections/abc-1/objects/"
        );
        assert_eq!(
            objects_url("https://isac.example/api1/collections/abc/", None).unwrap(),
            "https://isac.example/api1/collections/abc/objects/"
        );
        assert!(objects_url("ftp://isac.example/", None).is_err());
        assert!(objects_url("https://isac.example/api1/", None).is_err());
        assert!(objects_url("https://isac.example/api1/", Some("../x")).is_err());
        assert_eq!(
            read_grant("isac=green").unwrap(),
            ("isac".into(), Tlp::Green)
        );
        assert_eq!(read_grant("isac").unwrap(), ("isac".into(), Tlp::Clear));
        assert!(read_grant("isac=purple").is_err());
    }
}
