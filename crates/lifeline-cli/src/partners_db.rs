//! `lifeline partners import FILE` and `lifeline partners export --database`: the partner
//! directory kept in the database (a new version per import), which the service and
//! `lifeline notify` use when no local copy is given.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use lifeline_share::directory::{self, Directory};

use crate::Exit;
use crate::incident_db::{DbArgs, open_local};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Partner directory: `.json` or `.yaml`/`.yml`
    directory: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

/// Validates the directory (every problem listed, exit 2) and keeps its normalised JSON
/// as the organisation's next version.
pub fn import(args: &ImportArgs) -> anyhow::Result<Exit> {
    let directory = crate::partners::load_or_report(&args.directory)?;
    let json = directory::to_json(&directory)?;
    crate::serve::runtime()?.block_on(async {
        let (store, access, actor) = open_local(&args.db).await?;
        let version = store
            .put_partner_directory(&access.org_id, &json, &actor)
            .await?;
        errln!(
            "{}: imported as version {version} of the partner directory ({} organisations, kept by {})",
            args.directory.display(),
            directory.organisations.len(),
            lifeline_text::escaped(&directory.organisation)
        );
        Ok(Exit::Success)
    })
}

/// The database's current partner directory.
pub fn load(db: &DbArgs) -> anyhow::Result<Directory> {
    crate::serve::runtime()?.block_on(async {
        let (store, access, _) = open_local(db).await?;
        let stored = store.partner_directory(&access, None).await?.context(
            "no partner directory in the database: give a FILE, or run `lifeline partners \
             import FILE` first",
        )?;
        let origin = format!(
            "the database's partner directory (version {})",
            stored.info.version
        );
        let (directory, _) = directory::from_str(&stored.directory, &origin)
            .with_context(|| format!("{origin} does not read"))?;
        Ok(directory)
    })
}
