//! The local database that `lifeline incident` and `lifeline playbook` work on: the same
//! one `lifeline serve` and `lifeline admin` use (`--database`, else
//! `$LIFELINE_DATABASE_URL`, else `lifeline.db` in the data folder), in one organisation
//! (`--org`, else the only one; a fresh database gets one named `local`), as one person
//! (`--actor`, else `$USER`), who is what the timeline and the audit log record.

use anyhow::Context as _;
use clap::Args;
use lifeline_store::{Access, Store};

/// The organisation a fresh database gets.
pub const LOCAL_ORG: &str = "local";
/// The longest actor name taken.
const MAX_ACTOR_CHARS: usize = 100;

#[derive(Debug, Clone, Default, Args)]
pub struct DbArgs {
    /// Database: `sqlite:///path/file.db` or `postgres://user:password@host/db`
    /// [default: $LIFELINE_DATABASE_URL, else lifeline.db in $XDG_DATA_HOME/lifeline or
    /// ~/.local/share/lifeline]
    #[arg(long, global = true)]
    pub database: Option<String>,
    /// The organisation, by name [default: the database's only one; a fresh database gets
    /// one named `local`]
    #[arg(long, global = true)]
    pub org: Option<String>,
    /// Who is acting, as the timeline and the audit log record it [default: $USER]
    #[arg(long, global = true)]
    pub actor: Option<String>,
}

impl DbArgs {
    /// The database URL these arguments name (the same default as `lifeline admin`).
    pub fn url(&self) -> anyhow::Result<String> {
        let config = lifeline_server::config::Config {
            database: self.database.clone(),
            ..Default::default()
        };
        Ok(config.database_url()?)
    }

    /// `--actor`, else `$USER`, else `$LOGNAME`: one line of printable text.
    pub fn actor(&self) -> anyhow::Result<String> {
        let actor = match &self.actor {
            Some(actor) => actor.clone(),
            None => ["USER", "LOGNAME"]
                .into_iter()
                .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
                .context("cannot tell who is acting: $USER is not set; pass --actor NAME")?,
        };
        let actor = actor.trim().to_owned();
        if actor.is_empty()
            || actor.chars().count() > MAX_ACTOR_CHARS
            || actor.chars().any(lifeline_text::is_unsafe)
        {
            anyhow::bail!(
                "--actor `{}`: must be 1 to {MAX_ACTOR_CHARS} characters without control or \
                 bidi characters",
                lifeline_text::excerpt(&actor)
            );
        }
        Ok(actor)
    }
}

/// Opens the database `args` name (creating it and bringing its schema up to date), picks
/// the organisation and the actor: the store, the organisation's own access, and the actor.
pub async fn open_local(args: &DbArgs) -> anyhow::Result<(Store, Access, String)> {
    let actor = args.actor()?;
    let url = args.url()?;
    let store = Store::open(&url).await?;
    let org = match &args.org {
        Some(name) => store.org_by_name(name).await?.with_context(|| {
            format!(
                "--org: no organisation `{}` in `{}` (`lifeline admin list` shows them)",
                lifeline_text::excerpt(name),
                lifeline_store::redact_url(&url)
            )
        })?,
        None => {
            let mut orgs = store.orgs().await?;
            match orgs.len() {
                0 => store.create_org(LOCAL_ORG, &actor).await?,
                1 => orgs.remove(0),
                n => {
                    let names: Vec<String> = orgs
                        .iter()
                        .map(|o| format!("`{}`", lifeline_text::excerpt(&o.name)))
                        .collect();
                    anyhow::bail!(
                        "`{}` holds {n} organisations ({}): pass --org NAME",
                        lifeline_store::redact_url(&url),
                        names.join(", ")
                    );
                }
            }
        }
    };
    let access = Access {
        org_id: org.id,
        own: true,
    };
    Ok((store, access, actor))
}
