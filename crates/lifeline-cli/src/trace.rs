//! `lifeline trace`: EPCIS events, their CBV 2.0 hashes, the event repository, the
//! chain-of-custody rules and product verification (lifeline-trace).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use lifeline_trace::hash::{HashConfig, hash_of_prehash, prehash};
use lifeline_trace::repository::Repository;
use lifeline_trace::rules::{Finding, Severity};
use lifeline_trace::verify::{Verdict, VerifyRequest, verify};
use lifeline_trace::{TraceError, visit_events};

use crate::Reported;

#[derive(Debug, Args)]
pub struct TraceArgs {
    #[command(subcommand)]
    command: TraceCommand,
}

#[derive(Debug, Subcommand)]
enum TraceCommand {
    /// One CBV 2.0 Event Hash ID per event, in document order
    Hash(HashArgs),
    /// Check EPCIS documents and list every problem
    Validate(ValidateArgs),
    /// Store the events of EPCIS documents in the repository (idempotent, all or nothing per file)
    Ingest(IngestArgs),
    /// Every stored event of one product, in time order
    History(HistoryArgs),
    /// Chain-of-custody findings over the repository, or over the given files only
    Check(CheckArgs),
    /// Verify a product identifier as a DSCSA verification request does
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
struct HashArgs {
    /// EPCIS 2.0 JSON-LD or XML, or EPCIS 1.2 XML (`-` for standard input)
    file: PathBuf,
    /// Print the canonical pre-hash strings instead of the hashes
    #[arg(long)]
    prehash: bool,
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// EPCIS documents
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct DbArgs {
    /// Repository file (default: `$XDG_DATA_HOME/lifeline/trace.sqlite`, else
    /// `~/.local/share/lifeline/trace.sqlite`)
    #[arg(long)]
    db: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct IngestArgs {
    /// EPCIS documents
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, Args)]
struct HistoryArgs {
    /// The product: EPC URN or GS1 Digital Link
    epc: String,
    #[command(flatten)]
    db: DbArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Check only these documents (in memory); without files, check the repository
    files: Vec<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// GTIN (8 to 14 digits)
    #[arg(long)]
    gtin: String,
    /// Serial number
    #[arg(long)]
    serial: String,
    /// Lot number
    #[arg(long)]
    lot: Option<String>,
    /// Expiry, `YYMMDD` or `YYYY-MM-DD`
    #[arg(long)]
    expiry: Option<String>,
    #[command(flatten)]
    db: DbArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
}

pub fn run(args: &TraceArgs) -> anyhow::Result<u8> {
    match &args.command {
        TraceCommand::Hash(a) => hash(a),
        TraceCommand::Validate(a) => validate(a),
        TraceCommand::Ingest(a) => ingest(a),
        TraceCommand::History(a) => history(a),
        TraceCommand::Check(a) => check(a),
        TraceCommand::Verify(a) => verify_command(a),
    }
}

fn open(path: &Path) -> anyhow::Result<Box<dyn std::io::Read>> {
    if path == Path::new("-") {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let file = File::open(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    Ok(Box::new(file))
}

fn default_db() -> anyhow::Result<PathBuf> {
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let home = std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .context("no `--db` given and neither XDG_DATA_HOME nor HOME is set")?;
            PathBuf::from(home).join(".local/share")
        }
    };
    Ok(base.join("lifeline").join("trace.sqlite"))
}

fn repository(db: &DbArgs) -> anyhow::Result<Repository> {
    let path = match &db.db {
        Some(path) => path.clone(),
        None => default_db()?,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    Repository::open(&path)
        .with_context(|| format!("cannot open the repository `{}`", path.display()))
}

/// Reports a document error on stderr, naming the file, and returns exit 2.
fn document_error(path: &Path, error: TraceError) -> anyhow::Error {
    eprintln!("error: {}: {error}", path.display());
    Reported(2).into()
}

fn hash(args: &HashArgs) -> anyhow::Result<u8> {
    let reader = open(&args.file)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    let config = HashConfig::default();
    let mut write_error: Option<std::io::Error> = None;
    let result = visit_events(reader, &mut |header, event| {
        let pre = prehash(&event, header, config);
        let line = if args.prehash {
            pre
        } else {
            hash_of_prehash(&pre)
        };
        if let Err(error) = writeln!(out, "{line}") {
            write_error = Some(error);
            return Err(TraceError::Stopped("output closed".into()));
        }
        Ok(())
    });
    if let Some(error) = write_error {
        return Err(error.into());
    }
    if let Err(error) = result {
        out.flush()?;
        return Err(document_error(&args.file, error));
    }
    out.flush()?;
    Ok(0)
}

fn validate(args: &ValidateArgs) -> anyhow::Result<u8> {
    let mut out = std::io::stdout().lock();
    let mut invalid = 0;
    for path in &args.files {
        let mut problems = Vec::new();
        let result = visit_events(open(path)?, &mut |_, event| {
            problems.extend(lifeline_trace::validate::check_event(&event));
            Ok(())
        });
        match result {
            Ok((header, count)) if problems.is_empty() => {
                writeln!(
                    out,
                    "{}: valid: {} event(s), {} {}",
                    path.display(),
                    count,
                    header.document_type,
                    header.schema_version
                )?;
            }
            Ok(_) => {
                invalid += 1;
                for problem in &problems {
                    writeln!(out, "{}: {problem}", path.display())?;
                }
                writeln!(
                    out,
                    "{}: invalid: {} problem(s)",
                    path.display(),
                    problems.len()
                )?;
            }
            Err(error) => {
                invalid += 1;
                for problem in &problems {
                    writeln!(out, "{}: {problem}", path.display())?;
                }
                writeln!(out, "{}: {error}", path.display())?;
            }
        }
    }
    if invalid > 0 {
        Err(Reported(2).into())
    } else {
        Ok(0)
    }
}

fn ingest(args: &IngestArgs) -> anyhow::Result<u8> {
    let mut repository = repository(&args.db)?;
    let mut failed = false;
    for path in &args.files {
        let reader = open(path)?;
        match repository.ingest(reader, &path.display().to_string()) {
            Ok(report) => println!(
                "{}: {} event(s): {} added, {} already stored, {} retracted",
                path.display(),
                report.events,
                report.added,
                report.duplicates,
                report.retracted
            ),
            Err(error) => {
                eprintln!(
                    "error: {}: rejected, nothing stored: {error}",
                    path.display()
                );
                failed = true;
            }
        }
    }
    if failed {
        Err(Reported(2).into())
    } else {
        Ok(0)
    }
}

fn short(hash: &str) -> String {
    hash.strip_prefix("ni:///sha-256;")
        .map_or(hash, |h| h.get(..16).unwrap_or(h))
        .to_owned()
}

fn history(args: &HistoryArgs) -> anyhow::Result<u8> {
    let repository = repository(&args.db)?;
    let events = repository.history(&args.epc)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&events)?)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = events
                .iter()
                .map(|e| {
                    let f = &e.facts;
                    let role = f
                        .epcs
                        .iter()
                        .find(|(x, _)| *x == lifeline_trace::facts::canonical_id(&args.epc))
                        .map_or("", |(_, r)| r.as_str());
                    vec![
                        lifeline_trace::time::format_millis(f.time),
                        f.event_type.clone(),
                        f.action.clone(),
                        f.biz_step.clone(),
                        f.disposition.clone(),
                        role.to_owned(),
                        f.biz_location
                            .clone()
                            .or_else(|| f.read_point.clone())
                            .unwrap_or_default(),
                        format!(
                            "{}{}",
                            short(&f.hash),
                            if e.retracted { " (retracted)" } else { "" }
                        ),
                    ]
                })
                .collect();
            crate::output::table(
                &mut out,
                &[
                    "time",
                    "event",
                    "action",
                    "bizStep",
                    "disposition",
                    "role",
                    "where",
                    "hash",
                ],
                &rows,
                &[],
            )?;
        }
    }
    if events.is_empty() {
        eprintln!("no events for `{}`", args.epc);
        return Ok(1);
    }
    Ok(0)
}

fn render_findings(findings: &[Finding], format: Format) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(findings)?)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = findings
                .iter()
                .map(|f| {
                    vec![
                        match f.severity {
                            Severity::Error => "error".to_owned(),
                            Severity::Warning => "warning".to_owned(),
                        },
                        f.rule.as_str().to_owned(),
                        f.epc.clone(),
                        f.message.clone(),
                    ]
                })
                .collect();
            crate::output::table(
                &mut out,
                &["severity", "rule", "epc", "finding"],
                &rows,
                &[],
            )?;
        }
    }
    Ok(())
}

fn check(args: &CheckArgs) -> anyhow::Result<u8> {
    let repository = if args.files.is_empty() {
        repository(&args.db)?
    } else {
        let mut memory = Repository::in_memory()?;
        for path in &args.files {
            if let Err(error) = memory.ingest(open(path)?, &path.display().to_string()) {
                return Err(document_error(path, error));
            }
        }
        memory
    };
    let findings = repository.check()?;
    render_findings(&findings, args.format)?;
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    eprintln!(
        "{} finding(s): {} error(s), {} warning(s)",
        findings.len(),
        errors,
        findings.len() - errors
    );
    Ok(if errors > 0 { 1 } else { 0 })
}

fn verify_command(args: &VerifyArgs) -> anyhow::Result<u8> {
    let repository = repository(&args.db)?;
    let request = VerifyRequest {
        gtin: args.gtin.clone(),
        serial: args.serial.clone(),
        lot: args.lot.clone(),
        expiry: args.expiry.clone(),
    };
    let answer = match verify(&repository, &request) {
        Ok(answer) => answer,
        Err(error) => {
            eprintln!("error: {error}");
            return Err(Reported(2).into());
        }
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&answer)?)?,
        Format::Table => {
            let verdict = match answer.verdict {
                Verdict::Verified => "verified",
                Verdict::NotVerified => "not verified",
            };
            writeln!(out, "{verdict}: {}", answer.epc)?;
            writeln!(out, "{}", answer.reason)?;
        }
    }
    Ok(if answer.verdict == Verdict::Verified {
        0
    } else {
        1
    })
}
