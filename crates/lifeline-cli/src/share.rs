//! `lifeline share export|import`: STIX 2.1 bundles marked with TLP 2.0 (`docs/stix.md`).
//!
//! `export` opens an incident from the local database (its timeline, replayed), builds the
//! bundle with lifeline-stix and, when it is for a partner (`--to ORG --directory FILE`),
//! checks every object against the partner's TLP clearance before writing anything.
//! `import` reads and checks a bundle and summarises it (each object's effective TLP);
//! with `--collection` it stores the objects into one of the organisation's TAXII
//! collections.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use lifeline_share::tlp::{Recipient, Tlp};
use lifeline_stix::findings;
use lifeline_stix::{ExportOptions, Identity, Imported, Observables, Refusal};
use lifeline_store::TaxiiCaller;

use crate::incident_db::{DbArgs, open_local};
use crate::render::{Column, Format, Table};
use crate::serve::runtime;
use crate::{Exit, Reported};

#[derive(Debug, Args)]
pub struct ShareArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: ShareCommand,
}

#[derive(Debug, Subcommand)]
enum ShareCommand {
    /// An incident's shareable facts as a STIX 2.1 bundle marked TLP 2.0
    Export(ExportArgs),
    /// Check a STIX 2.1 bundle and list its objects with their TLP; store it into a TAXII
    /// collection with --collection
    Import(ImportArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ShareFormat {
    /// A STIX 2.1 bundle (JSON)
    Stix,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// The incident's id (`lifeline incident list`)
    incident: String,
    /// What to write
    #[arg(long, value_enum, default_value = "stix")]
    format: ShareFormat,
    /// The TLP 2.0 marking of every object: clear, green, amber, amber+strict, red
    #[arg(long, default_value = "amber", value_parser = parse_tlp)]
    tlp: Tlp,
    /// The partner the bundle is for (an organisation id in --directory): refused unless
    /// its clearance allows every object's marking; named as the recipient of TLP:RED
    #[arg(long, requires = "directory")]
    to: Option<String>,
    /// The partner directory: who we are (the bundle's identity) and, with --to, the
    /// partner's clearance
    #[arg(long)]
    directory: Option<PathBuf>,
    /// A `lifeline sbom scan --format json` document: its open KEV findings go out as
    /// vulnerabilities, the scanned product as software
    #[arg(long, value_name = "SCAN")]
    findings: Option<PathBuf>,
    /// Indicators and observed data to include (JSON: `{"indicators": [...], "observed":
    /// [...]}`, docs/stix.md)
    #[arg(long, value_name = "FILE")]
    indicators: Option<PathBuf>,
    /// Write here instead of standard output
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The bundle (JSON)
    bundle: PathBuf,
    /// Store the objects into this TAXII collection of the organisation (`lifeline taxii
    /// collection create`); needs the database
    #[arg(long)]
    collection: Option<String>,
    /// Report format (`text` is accepted for `table`)
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    format: Format,
}

fn parse_tlp(text: &str) -> Result<Tlp, String> {
    text.parse::<Tlp>().map_err(|e| e.to_string())
}

pub fn run(args: &ShareArgs) -> anyhow::Result<Exit> {
    match &args.command {
        ShareCommand::Export(export) => {
            runtime()?.block_on(async { export_incident(&args.db, export).await })
        }
        ShareCommand::Import(import) => import_bundle(&args.db, import),
    }
}

async fn export_incident(db: &DbArgs, args: &ExportArgs) -> anyhow::Result<Exit> {
    let ShareFormat::Stix = args.format;
    // Every file first: a bad file is reported before the database is opened.
    let directory = match &args.directory {
        Some(path) => Some(crate::partners::load_or_report(path)?),
        None => None,
    };
    let kev = match &args.findings {
        Some(path) => {
            let text = crate::input::read_text(path, || format!("reading {}", path.display()))?;
            match findings::read(&text, &path.display().to_string()) {
                Ok(kev) => Some(kev),
                Err(error) => {
                    errln!("error: {error}");
                    return Err(Reported.into());
                }
            }
        }
        None => None,
    };
    let observables = match &args.indicators {
        Some(path) => {
            let text = crate::input::read_text(path, || format!("reading {}", path.display()))?;
            match Observables::from_str(&text, &path.display().to_string()) {
                Ok(observables) => observables,
                Err(error) => {
                    errln!("error: {error}");
                    return Err(Reported.into());
                }
            }
        }
        None => Observables::default(),
    };
    let recipient = match (&args.to, &directory) {
        (Some(to), Some(directory)) => match directory.organisation(to) {
            Some(org) => Some((org.id.clone(), org.clearance)),
            None => {
                errln!(
                    "error: --to: no organisation `{}` in the partner directory",
                    lifeline_text::excerpt(to)
                );
                return Err(Reported.into());
            }
        },
        _ => None,
    };

    let (store, access, _actor) = open_local(db).await?;
    let result = async {
        let opened = crate::incident::open_incident(&store, &access, &args.incident).await?;
        let org_name = store
            .orgs()
            .await?
            .into_iter()
            .find(|o| o.id == access.org_id)
            .map(|o| o.name)
            .unwrap_or_else(|| access.org_id.clone());
        anyhow::Ok((opened, org_name))
    }
    .await;
    store.close().await;
    let (opened, org_name) = result?;

    let identity = match directory.as_ref().and_then(|d| d.me()) {
        Some(me) => Identity {
            key: me.id.clone(),
            name: me.name.clone(),
            sectors: Vec::new(),
        },
        None => Identity {
            key: org_name.clone(),
            name: org_name,
            sectors: Vec::new(),
        },
    };
    let as_of = opened
        .entries
        .last()
        .map_or(opened.incident.declaration.declared_at, |e| e.at);
    let bundle = match lifeline_stix::export(
        &opened.incident,
        &ExportOptions {
            incident_id: &opened.id,
            identity: &identity,
            tlp: args.tlp,
            as_of,
            findings: kev.as_ref(),
            observables: &observables,
        },
    ) {
        Ok(bundle) => bundle,
        Err(error) => {
            errln!("error: {error}");
            return Err(Reported.into());
        }
    };
    if let Some((to, clearance)) = &recipient {
        let named = [to.as_str()];
        let own = identity.key.as_str();
        let to = Recipient {
            organisation: to,
            clearance: *clearance,
        };
        if let Err(refusal) = lifeline_stix::enforce(&bundle, own, &to, &named) {
            report_refusal(&refusal);
            return Err(Reported.into());
        }
    }
    let text = bundle.to_json();
    match &args.output {
        Some(path) => std::fs::write(path, text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
        }
    }
    errln!(
        "{}: {} objects from incident {}, marked {}{}",
        bundle.id,
        bundle.objects.len(),
        opened.id,
        args.tlp,
        recipient
            .as_ref()
            .map(|(to, clearance)| format!(", for {to} (cleared {clearance})"))
            .unwrap_or_default()
    );
    Ok(Exit::Success)
}

fn report_refusal(refusal: &Refusal) {
    errln!(
        "error: TLP: {} of the bundle's objects may not go to {}; nothing was written",
        refusal.objects.len(),
        lifeline_text::excerpt(&refusal.recipient)
    );
    for refused in refusal.objects.iter().take(5) {
        errln!(
            "  {} ({}, {}): {}",
            lifeline_text::excerpt(&refused.id),
            refused.kind,
            refused.tlp.map_or("unmarked", Tlp::label),
            refused.reason
        );
    }
    if refusal.objects.len() > 5 {
        errln!("  … and {} more", refusal.objects.len() - 5);
    }
}

fn import_bundle(db: &DbArgs, args: &ImportArgs) -> anyhow::Result<Exit> {
    let path = &args.bundle;
    let text = crate::input::read_text(path, || format!("reading {}", path.display()))?;
    let imported = match lifeline_stix::import(&text) {
        Ok(imported) => imported,
        Err(errors) => {
            for problem in &errors.problems {
                errln!("error: {}: {problem}", path.display());
            }
            if errors.more > 0 {
                errln!("error: {}: … and {} more", path.display(), errors.more);
            }
            return Ok(Exit::Error);
        }
    };
    for warning in &imported.warnings {
        errln!("warning: {}: {warning}", path.display());
    }
    let stored = match &args.collection {
        Some(collection) => Some(runtime()?.block_on(store(db, collection, &imported))?),
        None => None,
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let objects: Vec<serde_json::Value> = imported
                .objects
                .iter()
                .map(|o| {
                    serde_json::json!({
                        "id": o.id,
                        "type": o.kind,
                        "tlp": o.tlp.map(Tlp::as_str),
                        "markings": o.markings,
                        "defines": o.defines.map(Tlp::as_str),
                    })
                })
                .collect();
            let by_tlp: serde_json::Map<String, serde_json::Value> = imported
                .by_tlp()
                .into_iter()
                .map(|(tlp, n)| (tlp.map_or("unmarked", Tlp::as_str).to_owned(), n.into()))
                .collect();
            let document = serde_json::json!({
                "bundle": imported.bundle.id,
                "valid": true,
                "objects": objects,
                "byType": imported.by_type(),
                "byTlp": by_tlp,
                "warnings": imported.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "stored": stored.as_ref().map(|s| serde_json::json!({
                    "collection": s.collection,
                    "status": s.status,
                    "successCount": s.success,
                    "failureCount": s.failures.len(),
                    "failures": s.failures,
                })),
            });
            serde_json::to_writer_pretty(&mut out, &document)?;
            writeln!(out)?;
        }
        _ => {
            outln!(
                out,
                "{}: valid: {} objects, bundle {}",
                path.display(),
                imported.objects.len(),
                imported.bundle.id
            )?;
            let mut table = Table::new([
                Column::text("id"),
                Column::text("type"),
                Column::text("TLP"),
                Column::number("markings"),
            ]);
            for object in &imported.objects {
                table.row([
                    object.id.clone(),
                    object.kind.clone(),
                    match (object.tlp, object.defines) {
                        (Some(tlp), _) => tlp.label().to_owned(),
                        (None, Some(defined)) => format!("defines {defined}"),
                        (None, None) => "unmarked".to_owned(),
                    },
                    object.markings.len().to_string(),
                ]);
            }
            table.write(&mut out)?;
            let by_tlp: Vec<String> = imported
                .by_tlp()
                .into_iter()
                .map(|(tlp, n)| format!("{} {n}", tlp.map_or("unmarked", Tlp::label)))
                .collect();
            outln!(out, "by TLP: {}", by_tlp.join(", "))?;
            if let Some(stored) = &stored {
                outln!(
                    out,
                    "stored into collection {}: {} ({} added, {} failed)",
                    stored.collection,
                    stored.status,
                    stored.success,
                    stored.failures.len()
                )?;
            }
        }
    }
    if let Some(stored) = &stored
        && !stored.failures.is_empty()
    {
        for failure in &stored.failures {
            errln!("error: {}: not stored: {failure}", path.display());
        }
        return Ok(Exit::Error);
    }
    Ok(Exit::Success)
}

/// What `--collection` stored.
struct Stored {
    collection: String,
    status: &'static str,
    success: i64,
    failures: Vec<String>,
}

async fn store(db: &DbArgs, collection: &str, imported: &Imported) -> anyhow::Result<Stored> {
    let (store, access, actor) = open_local(db).await?;
    let result = store
        .add_objects(
            &TaxiiCaller::owner(&access.org_id),
            &access.org_id,
            collection,
            &imported.bundle.objects,
            &actor,
        )
        .await;
    store.close().await;
    let status = result.with_context(|| {
        format!(
            "--collection {}: storing into the TAXII collection",
            lifeline_text::excerpt(collection)
        )
    })?;
    Ok(Stored {
        collection: collection.to_owned(),
        status: status.status,
        success: status.success_count,
        failures: status
            .failures
            .iter()
            .map(|f| {
                format!(
                    "{}: {}",
                    lifeline_text::excerpt(&f.id),
                    f.message.as_deref().unwrap_or("refused")
                )
            })
            .collect(),
    })
}
