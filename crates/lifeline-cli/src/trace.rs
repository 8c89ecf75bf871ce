//! `lifeline trace`: EPCIS events, their CBV 2.0 hashes, the event repository, the
//! chain-of-custody rules and product verification (lifeline-trace).

use std::fs::File;
use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use lifeline_network::ValidatedNetwork;
use lifeline_trace::hash::{HashConfig, hash_of_prehash, prehash};
use lifeline_trace::link::link_finding;
use lifeline_trace::repository::{Query, Repository};
use lifeline_trace::rules::{Finding, Severity, short_hash};
use lifeline_trace::verify::{Verdict, VerifyRequest, verify};
use lifeline_trace::{TraceError, visit_events};

use crate::render::{Column, Format, Table};
use crate::{Exit, Reported};

#[derive(Debug, Args)]
pub struct TraceArgs {
    #[command(subcommand)]
    command: TraceCommand,
}

#[derive(Debug, Subcommand)]
enum TraceCommand {
    /// One CBV 2.0 Event Hash ID per event, in document order
    Hash(HashArgs),
    /// Check EPCIS documents (JSON also against the EPCIS 2.0 JSON Schema) and list every problem
    Validate(ValidateArgs),
    /// Store the events of EPCIS documents in the repository (idempotent, all or nothing per file)
    Ingest(IngestArgs),
    /// Every stored event of one product, in time order
    History(HistoryArgs),
    /// Stored events matching every given filter, in time order
    Query(QueryArgs),
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
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    format: Format,
}

#[derive(Debug, Args)]
struct QueryArgs {
    /// The filters: the library's own query type (its doc comments are the flags' help).
    #[command(flatten)]
    query: Query,
    #[command(flatten)]
    db: DbArgs,
    /// Output format
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    format: Format,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Check only these documents (in memory); without files, check the repository
    files: Vec<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
    /// Output format
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    format: Format,
    /// A network (`lifeline-network/1`) whose items carry GTINs and whose nodes, sites and
    /// platforms carry GLNs: each finding then names the item and the network entities at
    /// the locations and parties of its events
    #[arg(long, value_name = "NETWORK")]
    network: Option<PathBuf>,
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
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    format: Format,
}

pub fn run(args: &TraceArgs) -> anyhow::Result<Exit> {
    match &args.command {
        TraceCommand::Hash(a) => hash(a),
        TraceCommand::Validate(a) => validate(a),
        TraceCommand::Ingest(a) => ingest(a),
        TraceCommand::History(a) => history(a),
        TraceCommand::Query(a) => query(a),
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

fn db_path(db: &DbArgs) -> anyhow::Result<PathBuf> {
    match &db.db {
        Some(path) => Ok(path.clone()),
        None => default_db(),
    }
}

/// The repository to ingest into, created with its folders if it does not exist. The
/// library refuses a path that is not a regular file (a device, a FIFO, a folder), so
/// SQLite writes nothing beside it.
fn writable_repository(db: &DbArgs) -> anyhow::Result<Repository> {
    let path = db_path(db)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.exists()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    Repository::open(&path)
        .with_context(|| format!("cannot open the repository `{}`", path.display()))
}

/// The repository to read, opened read-only: reads create nothing and take no write lock,
/// so they run while an ingest writes.
fn read_repository(db: &DbArgs) -> anyhow::Result<Repository> {
    let path = db_path(db)?;
    Repository::open_read_only(&path)
        .with_context(|| format!("cannot open the repository `{}`", path.display()))
}

/// Reports a document error on stderr, naming the file, and returns exit 2.
fn document_error(path: &Path, error: TraceError) -> anyhow::Error {
    errln!("error: {}: {error}", path.display());
    Reported.into()
}

fn hash(args: &HashArgs) -> anyhow::Result<Exit> {
    let reader = open(&args.file)?;
    let mut out = crate::output::stdout();
    let config = HashConfig::default();
    let mut write_error: Option<std::io::Error> = None;
    let result = visit_events(reader, &mut |header, event| {
        let pre = prehash(&event, header, config);
        let line = if args.prehash {
            pre
        } else {
            hash_of_prehash(&pre)
        };
        if let Err(error) = outln!(out, "{line}") {
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
    Ok(Exit::Success)
}

fn validate(args: &ValidateArgs) -> anyhow::Result<Exit> {
    let mut out = crate::output::stdout();
    let mut invalid = 0;
    let limits = lifeline_trace::read::ReadLimits::default();
    for path in &args.files {
        let validation = lifeline_trace::schema::validate_document_with(open(path)?, &limits)?;
        for problem in &validation.problems {
            outlines!(out, "{}: {problem}", path.display())?;
        }
        if validation.omitted > 0 {
            outln!(
                out,
                "{}: and {} more problem(s) not shown",
                path.display(),
                validation.omitted
            )?;
        }
        // XML also against the official XSD of its namespace (EPCIS 2.0 or 1.2).
        let mut xsd_problems = 0;
        let mut xsd_ok = "";
        if validation.format == Some(lifeline_trace::Format::Xml) {
            match lifeline_xsd::validate_detected(open(path)?) {
                Ok((set, xsd)) => {
                    // As many as the reader's problems: the same cap per file.
                    for problem in xsd.problems.iter().take(limits.max_problems) {
                        outlines!(out, "{}: {set}: {problem}", path.display())?;
                    }
                    let more =
                        xsd.problems.len().saturating_sub(limits.max_problems) as u64 + xsd.omitted;
                    if more > 0 {
                        outln!(
                            out,
                            "{}: {set}: and {more} more problem(s) not shown",
                            path.display(),
                        )?;
                    }
                    xsd_problems =
                        xsd.problems.len() + usize::try_from(xsd.omitted).unwrap_or(usize::MAX);
                    xsd_ok = if set == lifeline_xsd::SchemaSet::Epcis1_2 {
                        ", EPCIS 1.2 XSD ok"
                    } else {
                        ", EPCIS 2.0 XSD ok"
                    };
                }
                Err(error) => {
                    outlines!(out, "{}: XSD: {error}", path.display())?;
                    xsd_problems = 1;
                }
            }
        }
        let problems = validation
            .problems
            .len()
            .saturating_add(validation.omitted)
            .saturating_add(xsd_problems);
        match &validation.error {
            None if problems == 0 => {
                let schema = if validation.format == Some(lifeline_trace::Format::Json) {
                    ", EPCIS 2.0 JSON Schema ok"
                } else {
                    xsd_ok
                };
                outln!(
                    out,
                    "{}: valid: {} event(s), {} {}{schema}",
                    path.display(),
                    validation.events,
                    validation.header.document_type,
                    validation.header.schema_version
                )?;
            }
            None => {
                invalid += 1;
                outln!(out, "{}: invalid: {problems} problem(s)", path.display())?;
            }
            Some(error) => {
                // The document could not be read to its end: a diagnostic, on stderr as
                // `hash` and `ingest` give it; the problems found before it stay above.
                invalid += 1;
                out.flush()?;
                errln!("error: {}: {error}", path.display());
            }
        }
    }
    out.flush()?;
    if invalid > 0 {
        Err(Reported.into())
    } else {
        Ok(Exit::Success)
    }
}

fn ingest(args: &IngestArgs) -> anyhow::Result<Exit> {
    let mut repository = writable_repository(&args.db)?;
    let mut failed = false;
    for path in &args.files {
        let reader = open(path)?;
        match repository.ingest(reader, &path.display().to_string()) {
            Ok(report) => outln!(
                std::io::stdout(),
                "{}: {} event(s): {} added, {} already stored, {} retracted",
                path.display(),
                report.events,
                report.added,
                report.duplicates,
                report.retracted
            )?,
            Err(error) => {
                errln!(
                    "error: {}: rejected, nothing stored: {error}",
                    path.display()
                );
                failed = true;
            }
        }
    }
    if failed {
        Err(Reported.into())
    } else {
        Ok(Exit::Success)
    }
}

/// Stored events as JSON or as a table with one column (`column`) that says what the event
/// means for the question asked.
fn render_events(
    events: &[lifeline_trace::repository::StoredEvent],
    format: Format,
    column: &str,
    cell: impl Fn(&lifeline_trace::facts::EventFacts) -> String,
) -> anyhow::Result<()> {
    crate::render::report(None, |out| match format {
        Format::Json => crate::output::json(out, &events),
        _ => {
            let mut table = Table::new(
                [
                    "time",
                    "event",
                    "action",
                    "bizStep",
                    "disposition",
                    column,
                    "where",
                    "hash",
                ]
                .map(|title| Column::text(title.to_owned())),
            );
            for e in events {
                let f = &e.facts;
                table.row([
                    lifeline_trace::time::format_millis(f.time),
                    f.event_type.clone(),
                    f.action.clone(),
                    f.biz_step.clone(),
                    f.disposition.clone(),
                    cell(f),
                    f.biz_location
                        .clone()
                        .or_else(|| f.read_point.clone())
                        .unwrap_or_default(),
                    format!(
                        "{}{}",
                        short_hash(&f.hash),
                        if e.retracted { " (retracted)" } else { "" }
                    ),
                ]);
            }
            Ok(table.write(out)?)
        }
    })
}

fn history(args: &HistoryArgs) -> anyhow::Result<Exit> {
    let repository = read_repository(&args.db)?;
    let events = repository.history(&args.epc)?;
    let epc = lifeline_trace::facts::canonical_id(&args.epc);
    render_events(&events, args.format, "role", |f| {
        f.epcs
            .iter()
            .find(|(x, _)| *x == epc)
            .map_or("", |(_, r)| r.as_str())
            .to_owned()
    })?;
    if events.is_empty() {
        errln!("no events for `{}`", args.epc);
        return Ok(Exit::Findings);
    }
    Ok(Exit::Success)
}

fn query(args: &QueryArgs) -> anyhow::Result<Exit> {
    // Filters are checked before the repository is opened, so that a mistyped filter is
    // reported as such whatever the state of the repository.
    match args.query.validate() {
        Ok(()) => {}
        Err(TraceError::Invalid { location, message }) => {
            let flag = location.field.unwrap_or_default();
            errln!("error: --{flag}: {message}");
            return Err(Reported.into());
        }
        Err(error) => {
            errln!("error: {error}");
            return Err(Reported.into());
        }
    };
    let repository = read_repository(&args.db)?;
    let events = repository.query(&args.query)?;
    render_events(&events, args.format, "what", |f| {
        match (f.epcs.len(), f.classes.len()) {
            (0, 0) => String::new(),
            (1, 0) => f.epcs[0].0.clone(),
            (0, 1) => f.classes[0].clone(),
            (epcs, classes) => format!("{epcs} EPC(s), {classes} class(es)"),
        }
    })?;
    errln!("{} event(s)", events.len());
    Ok(Exit::findings_if(events.is_empty()))
}

/// How many findings a check gave, and how many of them are errors.
#[derive(Debug, Default)]
struct Tally {
    findings: usize,
    errors: usize,
}

impl Tally {
    fn count(&mut self, finding: &Finding) {
        self.findings += 1;
        if finding.severity == Severity::Error {
            self.errors += 1;
        }
    }
}

/// Findings as a JSON array, written as the check finds them (hash mismatches first, then
/// one aggregation family after another): memory does not grow with their number.
fn stream_findings_json(
    repository: &Repository,
    network: Option<&ValidatedNetwork>,
) -> anyhow::Result<Tally> {
    use serde::ser::{SerializeSeq, Serializer};

    let mut out = crate::output::stdout();
    let mut tally = Tally::default();
    let mut failed: Option<anyhow::Error> = None;
    {
        let mut json = serde_json::Serializer::pretty(&mut out);
        let mut array = json.serialize_seq(None)?;
        repository.check_each(&mut |finding| {
            tally.count(&finding);
            let written = link_finding(&finding, repository, network)
                .map_err(anyhow::Error::from)
                .and_then(|linked| Ok(array.serialize_element(&linked)?));
            match written {
                Ok(()) => ControlFlow::Continue(()),
                Err(error) => {
                    failed = Some(error);
                    ControlFlow::Break(())
                }
            }
        })?;
        if let Some(error) = failed {
            return Err(error);
        }
        array.end()?;
    }
    writeln!(out)?;
    out.flush()?;
    Ok(tally)
}

/// Findings as a table, sorted by EPC (column widths need every row first).
fn render_findings_table(
    repository: &Repository,
    network: Option<&ValidatedNetwork>,
) -> anyhow::Result<Tally> {
    let findings = repository.check()?;
    let mut tally = Tally::default();
    let titles: &[&'static str] = if network.is_some() {
        &["severity", "rule", "epc", "item", "where", "finding"]
    } else {
        &["severity", "rule", "epc", "finding"]
    };
    let mut table = Table::new(titles.iter().map(|title| Column::text(*title)));
    for finding in &findings {
        tally.count(finding);
        let linked = link_finding(finding, repository, network)?;
        let mut row = vec![
            match finding.severity {
                Severity::Error => "error".to_owned(),
                Severity::Warning => "warning".to_owned(),
            },
            finding.rule.as_str().to_owned(),
            finding.epc.clone(),
        ];
        if network.is_some() {
            row.push(linked.item.unwrap_or_default());
            row.push(linked.entities.unwrap_or_default().join(" "));
        }
        row.push(finding.message.clone());
        table.row(row);
    }
    crate::render::report(None, |out| Ok(table.write(out)?))?;
    Ok(tally)
}

fn check(args: &CheckArgs) -> anyhow::Result<Exit> {
    let network = crate::input::optional_network(args.network.as_deref())?;
    let repository = if args.files.is_empty() {
        read_repository(&args.db)?
    } else {
        let mut memory = Repository::in_memory()?;
        for path in &args.files {
            if let Err(error) = memory.ingest(open(path)?, &path.display().to_string()) {
                return Err(document_error(path, error));
            }
        }
        memory
    };
    let tally = match args.format {
        Format::Json => stream_findings_json(&repository, network.as_ref())?,
        _ => render_findings_table(&repository, network.as_ref())?,
    };
    errln!(
        "{} finding(s): {} error(s), {} warning(s)",
        tally.findings,
        tally.errors,
        tally.findings - tally.errors
    );
    Ok(Exit::findings_if(tally.errors > 0))
}

fn verify_command(args: &VerifyArgs) -> anyhow::Result<Exit> {
    let repository = read_repository(&args.db)?;
    let request = VerifyRequest {
        gtin: args.gtin.clone(),
        serial: args.serial.clone(),
        lot: args.lot.clone(),
        expiry: args.expiry.clone(),
    };
    let answer = match verify(&repository, &request) {
        Ok(answer) => answer,
        Err(error) => {
            errln!("error: {error}");
            return Err(Reported.into());
        }
    };
    let mut out = crate::output::stdout();
    match args.format {
        Format::Json => crate::output::json(&mut out, &answer)?,
        _ => {
            let verdict = match answer.verdict {
                Verdict::Verified => "verified",
                Verdict::NotVerified => "not verified",
            };
            outln!(out, "{verdict}: {}", answer.epc)?;
            outln!(out, "{}", answer.reason)?;
        }
    }
    out.flush()?;
    Ok(Exit::findings_if(answer.verdict != Verdict::Verified))
}
