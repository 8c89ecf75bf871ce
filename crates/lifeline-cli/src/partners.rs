//! `lifeline partners validate|export`: the partner directory (`lifeline-partners/1`,
//! `docs/partner-directory.md`). Also the directory loading and saving that `keys` and
//! `notify` share.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use lifeline_share::directory::{self, Checks, Directory, DirectoryError};
use time::OffsetDateTime;

use crate::render::{Diag, Diags, Format};
use crate::{Exit, Reported};

#[derive(Debug, Args)]
pub struct PartnersArgs {
    #[command(subcommand)]
    command: PartnersCommand,
}

#[derive(Debug, Subcommand)]
enum PartnersCommand {
    /// Check a partner directory and list every problem in it
    Validate(ValidateArgs),
    /// Write a normalised copy of a partner directory as YAML or JSON
    Export(ExportArgs),
    /// Keep a partner directory in the database (a new version per import)
    Import(crate::partners_db::ImportArgs),
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// Partner directory: `.json` or `.yaml`/`.yml`
    directory: PathBuf,
    /// Network whose nodes, sites and platforms the organisations' `entities` must name
    #[arg(long)]
    network: Option<PathBuf>,
    /// Vendor register whose ids the organisations' `vendors` must name
    #[arg(long)]
    vendors: Option<PathBuf>,
    /// Report format (`text` is accepted for `table`)
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    Yaml,
    Json,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// Partner directory: `.json` or `.yaml`/`.yml`; without it, the database's current
    /// one (`--database`, `--org`)
    directory: Option<PathBuf>,
    #[command(flatten)]
    db: crate::incident_db::DbArgs,
    /// What to write
    #[arg(long, value_enum, default_value = "yaml")]
    format: ExportFormat,
    /// Write here instead of standard output
    #[arg(long, short)]
    output: Option<PathBuf>,
}

pub fn run(args: &PartnersArgs) -> anyhow::Result<Exit> {
    match &args.command {
        PartnersCommand::Validate(args) => validate(args),
        PartnersCommand::Export(args) => export(args),
        PartnersCommand::Import(args) => crate::partners_db::import(args),
    }
}

fn read_directory_text(path: &Path) -> anyhow::Result<String> {
    match lifeline_network::read_text(path, &directory::read_limits()) {
        Ok(text) => Ok(text),
        Err(error @ lifeline_network::LoadError::Io { .. }) => Err(error.into()),
        Err(error) => {
            errln!("error: {error}");
            Err(Reported.into())
        }
    }
}

fn validate(args: &ValidateArgs) -> anyhow::Result<Exit> {
    let network = crate::input::optional_network(args.network.as_deref())?;
    let register = match &args.vendors {
        Some(path) => Some(crate::vendors::load_or_report(path, network.as_ref())?),
        None => None,
    };
    let vendor_ids: Option<Vec<String>> =
        register.map(|r| r.vendors.into_iter().map(|v| v.id).collect());
    let checks = Checks {
        network: network.as_ref(),
        vendors: vendor_ids.as_deref(),
    };
    let path = &args.directory;
    let text = read_directory_text(path)?;
    let origin = path.display().to_string();
    let (diagnostics, summary) = match directory::from_str_with(&text, &origin, checks) {
        Ok((directory, warnings)) => (warnings, Some(summary(path, &directory))),
        Err(DirectoryError::Invalid { diagnostics, .. }) => (diagnostics.0, None),
        Err(error) => {
            errln!("error: {error}");
            return Err(Reported.into());
        }
    };
    let json = serde_json::json!({
        "directory": path.display().to_string(),
        "network": args.network.as_ref().map(|n| n.display().to_string()),
        "vendors": args.vendors.as_ref().map(|n| n.display().to_string()),
    });
    crate::validate::outcome(path, args.format, json, &diagnostics, summary.as_deref())
}

fn summary(path: &Path, directory: &Directory) -> String {
    let now = OffsetDateTime::now_utc();
    let orgs = &directory.organisations;
    let contacts: usize = orgs.iter().map(|o| o.contacts.len()).sum();
    let channels: usize = orgs
        .iter()
        .flat_map(|o| &o.contacts)
        .map(|c| c.channels.len())
        .sum();
    let keys: usize = orgs.iter().map(|o| o.keys.len()).sum();
    let valid_keys = orgs
        .iter()
        .flat_map(|o| &o.keys)
        .filter(|k| k.state(now) == directory::KeyState::Valid)
        .count();
    format!(
        "{}: valid: organisations {}, contacts {contacts}, channels {channels}, keys {keys} ({valid_keys} valid now); kept by {}",
        path.display(),
        orgs.len(),
        directory.organisation
    )
}

fn export(args: &ExportArgs) -> anyhow::Result<Exit> {
    let directory = match &args.directory {
        Some(path) => load_or_report(path)?,
        None => crate::partners_db::load(&args.db)?,
    };
    let text = match args.format {
        ExportFormat::Yaml => directory::to_yaml(&directory)?,
        ExportFormat::Json => directory::to_json(&directory)?,
    };
    crate::render::report(args.output.as_deref(), |out| {
        out.write_all(text.as_bytes())?;
        Ok(())
    })?;
    Ok(Exit::Success)
}

/// Loads a directory for another command: its warnings on stderr, and every problem with
/// exit 2 when it is invalid.
pub fn load_or_report(path: &Path) -> anyhow::Result<Directory> {
    let text = read_directory_text(path)?;
    match directory::from_str(&text, &path.display().to_string()) {
        Ok((directory, warnings)) => {
            for warning in &warnings {
                errln!("{}: {}", path.display(), Diag(warning));
            }
            Ok(directory)
        }
        Err(DirectoryError::Invalid { diagnostics, .. }) => {
            errln!(
                "error: `{}` is not a valid partner directory ({} error(s)):\n{}",
                path.display(),
                diagnostics.error_count(),
                Diags(&diagnostics.0)
            );
            Err(Reported.into())
        }
        Err(error) => {
            errln!("error: {error}");
            Err(Reported.into())
        }
    }
}

/// Writes `directory` back to `path` in the syntax its name says (YAML unless `.json`),
/// through a temporary file renamed over it, so that a crash never leaves half a file.
/// Comments of a YAML file are not kept.
pub fn save(path: &Path, directory: &Directory) -> anyhow::Result<()> {
    let json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let text = if json {
        directory::to_json(directory)?
    } else {
        directory::to_yaml(directory)?
    };
    // The result must read back as it was written: never save a directory that would
    // not load.
    let (again, _) = directory::from_str(&text, &path.display().to_string())
        .context("the edited directory does not validate; nothing was written")?;
    anyhow::ensure!(
        again == *directory,
        "the edited directory does not read back the same; nothing was written"
    );
    write_atomically(path, text.as_bytes(), None)
}

/// Writes `bytes` to `path` through a temporary file in the same folder, renamed over it;
/// with `mode` (Unix permissions) the file is created with them.
pub fn write_atomically(path: &Path, bytes: &[u8], mode: Option<u32>) -> anyhow::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if let Some(mode) = mode {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut file = options
            .open(&temporary)
            .with_context(|| format!("cannot create `{}`", temporary.display()))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write `{}`", temporary.display()))?;
    }
    std::fs::rename(&temporary, path).with_context(|| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot replace `{}`", path.display())
    })
}
