//! `lifeline playbook`: check playbook files (lifeline's YAML/JSON form or CACAO v2.0
//! JSON), list the built-in and imported playbooks, import one into the database, and
//! export one as CACAO or lifeline YAML.
//!
//! `list`, `import` and `export` work on the same database and organisation as `lifeline
//! incident` (`--database`, `--org`, `--actor`); `validate` and `export --builtin` need no
//! database.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use lifeline_network::{Diagnostic, Format as Syntax, ReadLimits};
use lifeline_response::cacao::{self, ImportError, Imported};
use lifeline_response::library;
use lifeline_response::playbook::read;
use lifeline_store::NewPlaybook;
use time::OffsetDateTime;

use crate::incident_db::{self, DbArgs};
use crate::render::{Column, Diag, Diags, Format, Table};
use crate::{Exit, Reported};

#[derive(Debug, Args)]
pub struct PlaybookArgs {
    #[command(subcommand)]
    command: PlaybookCommand,
}

#[derive(Debug, Subcommand)]
enum PlaybookCommand {
    /// Check playbook files (lifeline YAML/JSON or CACAO v2.0 JSON) and list every problem
    Validate(ValidateArgs),
    /// The built-in playbooks and those imported into the database
    List(ListArgs),
    /// Import a playbook file into the database (a new version when its id is there)
    Import(ImportArgs),
    /// Write a playbook (imported, else built-in) as CACAO v2.0 JSON or lifeline YAML
    Export(ExportArgs),
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// Playbook files: `.yaml`/`.yml`/`.json` in lifeline's form, or CACAO v2.0 JSON
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Report format
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    format: Format,
}

#[derive(Debug, Args)]
struct ListArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Only the built-in playbooks: the database is not opened
    #[arg(long)]
    builtin: bool,
    /// Report format
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    format: Format,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// Playbook file: lifeline YAML/JSON or CACAO v2.0 JSON
    file: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    /// OASIS CACAO Security Playbooks v2.0 JSON
    Cacao,
    /// lifeline's authoring form (`lifeline-playbook/1`)
    Yaml,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// The playbook's id
    id: String,
    /// What to write
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Write here instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Export the built-in playbook without opening the database
    #[arg(long)]
    builtin: bool,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(args: &PlaybookArgs) -> anyhow::Result<Exit> {
    match &args.command {
        PlaybookCommand::Validate(args) => validate(args),
        PlaybookCommand::List(args) => list(args),
        PlaybookCommand::Import(args) => import(args),
        PlaybookCommand::Export(args) => export(args),
    }
}

/// Why a playbook file could not be read: every problem (already at its path), or a load
/// error (unreadable, not JSON/YAML, over a limit).
enum ReadProblem {
    Invalid(Vec<Diagnostic>),
    Load(String),
}

/// The two forms a playbook file can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Lifeline,
    Cacao,
}

impl Form {
    fn as_str(self) -> &'static str {
        match self {
            Form::Lifeline => "lifeline",
            Form::Cacao => "cacao",
        }
    }
}

/// Whether `text` is a CACAO v2 document, as `cacao::read_any` decides: JSON whose
/// `spec_version` starts `cacao-2` (for the report's `form`).
fn is_cacao(path: &Path, text: &str) -> bool {
    Syntax::detect(path, text) == Syntax::Json
        && serde_json::from_str::<serde_json::Value>(text).is_ok_and(|value| {
            value["spec_version"]
                .as_str()
                .is_some_and(|v| v.starts_with("cacao-2"))
        })
}

/// Reads either form of playbook from `path` with `cacao::read_any` (which checks the
/// result with `playbook::validate` whatever the form). `created` dates the CACAO document
/// written for a playbook in lifeline's form.
fn read_any(path: &Path, created: OffsetDateTime) -> (Form, Result<Imported, ReadProblem>) {
    let text = match lifeline_network::read_text(path, &ReadLimits::default()) {
        Ok(text) => text,
        Err(error) => return (Form::Lifeline, Err(ReadProblem::Load(error.to_string()))),
    };
    let form = if is_cacao(path, &text) {
        Form::Cacao
    } else {
        Form::Lifeline
    };
    let result = cacao::read_any(&text, path, created).map_err(|error| match error {
        ImportError::Invalid { diagnostics, .. } => ReadProblem::Invalid(diagnostics.0),
        ImportError::Load(error) => ReadProblem::Load(error.to_string()),
    });
    (form, result)
}

fn validate(args: &ValidateArgs) -> anyhow::Result<Exit> {
    let mut out = crate::output::stdout();
    let mut reports = Vec::new();
    let mut invalid = 0;
    for path in &args.files {
        let (form, result) = read_any(path, OffsetDateTime::now_utc());
        let form = form.as_str();
        let (diagnostics, summary, id) = match result {
            Ok(imported) => {
                let p = &imported.playbook;
                let summary = format!(
                    "{}: valid: playbook {} ({} form), steps {}, sources {}",
                    path.display(),
                    p.id,
                    form,
                    p.steps.len(),
                    p.sources.len()
                );
                (imported.warnings, Some(summary), Some(p.id.clone()))
            }
            Err(ReadProblem::Invalid(diagnostics)) => (diagnostics, None, None),
            Err(ReadProblem::Load(message)) => (vec![Diagnostic::error("", message)], None, None),
        };
        if summary.is_none() {
            invalid += 1;
        }
        match args.format {
            Format::Json => reports.push(serde_json::json!({
                "file": path.display().to_string(),
                "form": form,
                "playbook": id,
                "valid": summary.is_some(),
                "diagnostics": diagnostics,
            })),
            _ => {
                for diagnostic in &diagnostics {
                    outlines!(out, "{}: {}", path.display(), Diag(diagnostic))?;
                }
                match &summary {
                    Some(summary) => outln!(out, "{summary}")?,
                    None => outln!(
                        out,
                        "{}: invalid: {} error(s)",
                        path.display(),
                        diagnostics.iter().filter(|d| d.is_error()).count()
                    )?,
                }
            }
        }
    }
    if args.format == Format::Json {
        crate::output::json(&mut out, &reports)?;
    }
    out.flush()?;
    if invalid > 0 {
        Err(Reported.into())
    } else {
        Ok(Exit::Success)
    }
}

fn list(args: &ListArgs) -> anyhow::Result<Exit> {
    let builtin = library::builtin();
    let mut rows: Vec<serde_json::Value> = Vec::new();
    let imported = if args.builtin {
        Vec::new()
    } else {
        let runtime = crate::serve::runtime()?;
        runtime.block_on(async {
            let (store, access, _) = incident_db::open_local(&args.db).await?;
            anyhow::Ok(store.playbooks(&access).await?)
        })?
    };
    for info in &imported {
        rows.push(serde_json::json!({
            "id": info.playbook_id,
            "name": info.name,
            "source": "imported",
            "version": info.version,
            "created_by": info.created_by,
            "sha256": info.sha256,
        }));
    }
    for p in &builtin {
        // An imported playbook with a built-in's id takes its place (newest wins).
        if imported.iter().any(|i| i.playbook_id == p.id) {
            continue;
        }
        rows.push(serde_json::json!({
            "id": p.id,
            "name": p.name,
            "source": "built-in",
            "incidents": p.trigger.incidents.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            "entity_kinds": p.trigger.entity_kinds,
            "steps": p.steps.len(),
        }));
    }
    rows.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let mut out = crate::output::stdout();
    match args.format {
        Format::Json => crate::output::json(&mut out, &rows)?,
        _ => {
            let mut table = Table::new([
                Column::text("id"),
                Column::text("source"),
                Column::text("name"),
            ]);
            for row in &rows {
                let source = match row["version"].as_i64() {
                    Some(version) => format!("imported v{version}"),
                    None => "built-in".to_owned(),
                };
                table.row([
                    row["id"].as_str().unwrap_or_default(),
                    &source,
                    row["name"].as_str().unwrap_or_default(),
                ]);
            }
            table.write(&mut out)?;
        }
    }
    out.flush()?;
    Ok(Exit::Success)
}

fn import(args: &ImportArgs) -> anyhow::Result<Exit> {
    let path = &args.file;
    let imported = match read_any(path, OffsetDateTime::now_utc()).1 {
        Ok(imported) => imported,
        Err(ReadProblem::Invalid(diagnostics)) => {
            errln!(
                "error: `{}` is not a valid playbook ({} error(s)):\n{}",
                path.display(),
                diagnostics.iter().filter(|d| d.is_error()).count(),
                Diags(&diagnostics)
            );
            return Err(Reported.into());
        }
        Err(ReadProblem::Load(message)) => {
            errln!("error: {message}");
            return Err(Reported.into());
        }
    };
    for warning in &imported.warnings {
        errln!("{}: {}", path.display(), Diag(warning));
    }
    let playbook = &imported.playbook;
    // The CACAO document is what is stored: as given for a CACAO file (nothing of it is
    // lost), written from the playbook for lifeline's form.
    let new = NewPlaybook {
        playbook_id: playbook.id.clone(),
        name: playbook.name.clone(),
        cacao: serde_json::to_string(&imported.cacao)?,
    };
    let runtime = crate::serve::runtime()?;
    let version = runtime.block_on(async {
        let (store, access, actor) = incident_db::open_local(&args.db).await?;
        anyhow::Ok(store.add_playbook(&access.org_id, &new, &actor).await?)
    })?;
    let mut out = crate::output::stdout();
    outln!(
        out,
        "imported playbook {} version {version} ({} steps)",
        playbook.id,
        playbook.steps.len()
    )?;
    out.flush()?;
    Ok(Exit::Success)
}

fn export(args: &ExportArgs) -> anyhow::Result<Exit> {
    // The newest imported version, else the built-in playbook.
    let stored = if args.builtin {
        None
    } else {
        let runtime = crate::serve::runtime()?;
        runtime.block_on(async {
            let (store, access, _) = incident_db::open_local(&args.db).await?;
            anyhow::Ok(store.playbook(&access, &args.id, None).await?)
        })?
    };
    let (playbook, document) = match stored {
        Some(stored) => {
            let origin = PathBuf::from(format!("database playbook {}", args.id));
            let document = cacao::read(&stored.cacao, &origin)
                .with_context(|| format!("the stored playbook `{}` no longer reads", args.id))?;
            let (playbook, _) = cacao::to_playbook(&document).map_err(|diagnostics| {
                anyhow::anyhow!(
                    "the stored playbook `{}` no longer maps to lifeline's form:\n{}",
                    args.id,
                    Diags(&diagnostics.0)
                )
            })?;
            (playbook, Some(document.to_value()))
        }
        None => match library::find(&args.id) {
            Some(playbook) => (playbook, None),
            None => {
                let builtin = library::builtin();
                let ids = builtin.iter().map(|p| p.id.as_str());
                let hint = match lifeline_text::suggest(&args.id, ids) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "`lifeline playbook list` shows the playbooks".to_owned(),
                };
                errln!(
                    "error: no playbook `{}`{}\n  hint: {hint}",
                    lifeline_text::excerpt(&args.id),
                    if args.builtin {
                        " among the built-in ones"
                    } else {
                        ""
                    }
                );
                return Err(Reported.into());
            }
        },
    };
    crate::render::report(args.output.as_deref(), |out| {
        match args.format {
            ExportFormat::Yaml => out.write_all(read::to_yaml(&playbook).as_bytes())?,
            ExportFormat::Cacao => {
                let document = document.unwrap_or_else(|| {
                    cacao::from_playbook(&playbook, lifeline_response::library::PUBLISHED)
                });
                crate::output::json(out, &document)?;
            }
        }
        Ok(())
    })?;
    Ok(Exit::Success)
}
