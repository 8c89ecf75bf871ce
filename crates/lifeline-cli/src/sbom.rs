//! `lifeline sbom validate` and `lifeline sbom scan`: SBOMs checked against their schema,
//! then matched against OSV advisories with CISA KEV and VEX, as a table, lifeline's JSON,
//! SARIF or a CycloneDX VEX. Also the loading of advisory sources shared with
//! `lifeline devices report`.

use lifeline_text::Excerpt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use lifeline_vuln::kev::KevCatalogue;
use lifeline_vuln::osv::AdvisoryIndex;
use lifeline_vuln::scan::{LoadedSources, ScanReport, Status, scan, scan_document};
use lifeline_vuln::vex::read_vex;
use lifeline_vuln::{Loaded, SbomError, read_sbom};

use crate::progress::tracing_line;
use crate::render::{Column, Diag, Format, Table};
use crate::{Exit, Reported};
use lifeline_text::Escaped;

#[derive(Debug, Args)]
pub struct SbomArgs {
    #[command(subcommand)]
    command: SbomCommand,
}

#[derive(Debug, Subcommand)]
enum SbomCommand {
    /// Check SBOMs (CycloneDX 1.2–1.7 JSON/XML, SPDX 2.3 JSON) and list every problem
    Validate(ValidateArgs),
    /// Match SBOM components against OSV advisories, CISA KEV and VEX
    Scan(ScanArgs),
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// SBOM files
    #[arg(required = true)]
    boms: Vec<PathBuf>,
}

/// Where advisories, KEV and VEX come from (shared with `devices report`).
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// OSV advisories: a folder of OSV JSON records (searched recursively, `.zip` exports
    /// inside it included) or an ecosystem's `all.zip`; repeat for several
    #[arg(long, required = true)]
    osv: Vec<PathBuf>,
    /// CISA KEV catalogue JSON (`known_exploited_vulnerabilities.json`)
    #[arg(long)]
    kev: Option<PathBuf>,
    /// CycloneDX VEX documents (JSON) to apply; repeat for several
    #[arg(long)]
    vex: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct ScanArgs {
    /// SBOM files
    #[arg(required = true)]
    boms: Vec<PathBuf>,
    #[command(flatten)]
    sources: SourceArgs,
    /// Report format
    #[arg(long, default_value = "table", value_parser = Format::parser(SCAN_FORMATS))]
    format: Format,
    /// Exit with 1 when open findings of this kind remain
    #[arg(long, value_enum, default_value_t = FailOn::Never)]
    fail_on: FailOn,
}

const SCAN_FORMATS: &[Format] = &[
    Format::Table,
    Format::Json,
    Format::Sarif,
    Format::CyclonedxVex,
];

/// The threshold of `--fail-on` (shared with `devices report`): findings at or above it
/// end the command with exit status 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Never (exit 0 whatever is found)
    Never,
    /// Any open finding in CISA KEV
    Kev,
    /// Any open finding
    Open,
}

pub fn run(args: &SbomArgs) -> anyhow::Result<Exit> {
    match &args.command {
        SbomCommand::Validate(args) => validate(args),
        SbomCommand::Scan(args) => run_scan(args),
    }
}

/// Reads one SBOM; an invalid one is reported on stderr with every problem.
pub fn load_sbom(path: &Path) -> anyhow::Result<Result<Loaded, SbomError>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    Ok(read_sbom(&bytes))
}

fn validate(args: &ValidateArgs) -> anyhow::Result<Exit> {
    let mut out = crate::output::stdout();
    let mut invalid = 0;
    for path in &args.boms {
        match load_sbom(path)? {
            Ok(loaded) => {
                for warning in &loaded.warnings {
                    writeln!(
                        out,
                        "{}: {}",
                        Escaped(&path.display().to_string()),
                        Diag(warning)
                    )?;
                }
                let sbom = &loaded.sbom;
                outln!(
                    out,
                    "{}: valid {}: {} components, {} services, {} dependency entries",
                    path.display(),
                    sbom.kind(),
                    sbom.components.len(),
                    sbom.services.len(),
                    sbom.dependencies.len()
                )?;
            }
            Err(SbomError::Invalid { kind, diagnostics }) => {
                invalid += 1;
                for diagnostic in &diagnostics.0 {
                    writeln!(
                        out,
                        "{}: {}",
                        Escaped(&path.display().to_string()),
                        Diag(diagnostic)
                    )?;
                }
                outln!(
                    out,
                    "{}: invalid {kind}: {} error(s)",
                    path.display(),
                    diagnostics.error_count()
                )?;
            }
            Err(other) => {
                invalid += 1;
                outlines!(out, "{}: error: {other}", path.display())?;
            }
        }
    }
    out.flush()?;
    Ok(if invalid > 0 {
        Exit::Error
    } else {
        Exit::Success
    })
}

/// Loads every OSV source, the KEV catalogue and the VEX documents; invalid input is
/// reported on stderr and ends the command with exit code 2.
pub fn load_sources(args: &SourceArgs) -> anyhow::Result<LoadedSources> {
    let started = Instant::now();
    let mut index = AdvisoryIndex::new();
    for path in &args.osv {
        if !path.exists() {
            anyhow::bail!("OSV source `{}` does not exist", path.display());
        }
        if let Err(error) = index.add_path(path) {
            errln!("error: {error}");
            return Err(Reported.into());
        }
    }
    let stats = &index.stats;
    tracing_line(&format!(
        "loaded {} OSV advisories ({} withdrawn left out, {} package entries) in {:.2} s",
        stats.records - stats.withdrawn,
        stats.withdrawn,
        stats.affected_entries,
        started.elapsed().as_secs_f64()
    ));
    // Versions that cannot be evaluated (named by advisory and field): their ranges
    // give "unknown" and the scan goes on.
    for warning in &index.warnings.shown {
        errln!("warning: {warning}");
    }
    if index.warnings.omitted > 0 {
        errln!(
            "warning: {} more OSV warnings not shown",
            index.warnings.omitted
        );
    }
    let kev = match &args.kev {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
            match KevCatalogue::parse(&bytes) {
                Ok(kev) => Some(kev),
                Err(error) => {
                    errln!("error: {}: {error}", path.display());
                    return Err(Reported.into());
                }
            }
        }
        None => {
            tracing_line("no --kev catalogue: findings are ordered by score only");
            None
        }
    };
    let mut vex = Vec::new();
    for path in &args.vex {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        match read_vex(&bytes) {
            Ok(statements) => vex.extend(statements),
            Err(error) => {
                errln!("error: {}: {error}", path.display());
                return Err(Reported.into());
            }
        }
    }
    Ok(LoadedSources { index, kev, vex })
}

/// Reads every SBOM or stops with exit code 2 naming every problem of the invalid ones.
pub fn load_sboms(paths: &[PathBuf]) -> anyhow::Result<Vec<(PathBuf, Loaded)>> {
    let mut loaded = Vec::new();
    let mut invalid = false;
    for path in paths {
        match load_sbom(path)? {
            Ok(sbom) => {
                for warning in &sbom.warnings {
                    errln!("{}: {}", path.display(), Diag(warning));
                }
                loaded.push((path.clone(), sbom));
            }
            Err(SbomError::Invalid { kind, diagnostics }) => {
                invalid = true;
                for diagnostic in &diagnostics.0 {
                    errln!("{}: {}", path.display(), Diag(diagnostic));
                }
                errln!(
                    "{}: invalid {kind}: {} error(s)",
                    path.display(),
                    diagnostics.error_count()
                );
            }
            Err(other) => {
                invalid = true;
                errln!("{}: error: {other}", path.display());
            }
        }
    }
    if invalid {
        return Err(Reported.into());
    }
    Ok(loaded)
}

fn run_scan(args: &ScanArgs) -> anyhow::Result<Exit> {
    let sboms = load_sboms(&args.boms)?;
    let sources = load_sources(&args.sources)?;
    let started = Instant::now();
    let reports: Vec<ScanReport> = sboms
        .iter()
        .map(|(path, loaded)| scan(&loaded.sbom, &path.display().to_string(), sources.sources()))
        .collect();
    tracing_line(&format!(
        "scanned {} SBOM(s), {} components in {:.3} s",
        reports.len(),
        reports.iter().map(|r| r.summary.components).sum::<usize>(),
        started.elapsed().as_secs_f64()
    ));
    let version = env!("CARGO_PKG_VERSION");
    crate::render::report(None, |out| match args.format {
        Format::Json => crate::output::json(out, &scan_document(sources.sources(), &reports)),
        Format::Sarif => crate::output::json(out, &lifeline_vuln::output::sarif(&reports, version)),
        Format::CyclonedxVex => crate::output::json(
            out,
            &lifeline_vuln::output::cyclonedx_vex(&reports, version),
        ),
        _ => write_table(out, &reports),
    })?;
    let open = |kev_only: bool| {
        reports
            .iter()
            .flat_map(|r| &r.findings)
            .any(|f| f.status == Status::Open && (!kev_only || f.kev.is_some()))
    };
    Ok(args.fail_on.exit(open(true), open(false)))
}

impl FailOn {
    /// The exit status for a report with open findings in KEV (`kev`) and open findings
    /// of any kind (`open`).
    pub fn exit(self, kev: bool, open: bool) -> Exit {
        match self {
            FailOn::Never => Exit::Success,
            FailOn::Kev => Exit::findings_if(kev),
            FailOn::Open => Exit::findings_if(open),
        }
    }
}

fn write_table(out: &mut dyn Write, reports: &[ScanReport]) -> anyhow::Result<()> {
    for (position, report) in reports.iter().enumerate() {
        if position > 0 {
            writeln!(out)?;
        }
        let product = report
            .product
            .as_ref()
            .map(|p| match &p.version {
                Some(version) => format!(", product {} {version}", p.name),
                None => format!(", product {}", p.name),
            })
            .unwrap_or_default();
        let summary = &report.summary;
        outln!(
            out,
            "{} ({}{product}): {} components, {} unmatched; {} open ({} in KEV), {} resolved, {} suppressed",
            report.source,
            report.kind,
            summary.components,
            summary.unmatched,
            summary.open,
            summary.open_kev,
            summary.resolved,
            summary.suppressed
        )?;
        if !report.findings.is_empty() {
            let mut table = Table::new([
                Column::number("#"),
                Column::text("id"),
                Column::text("severity"),
                Column::number("score"),
                Column::text("KEV"),
                Column::text("component"),
                Column::text("fixed"),
                Column::text("status"),
            ]);
            for (rank, f) in report.findings.iter().enumerate() {
                let component = f.component.purl.clone().unwrap_or_else(|| {
                    format!(
                        "{}@{}",
                        f.component.name,
                        f.component.version.clone().unwrap_or_default()
                    )
                });
                let kev = f
                    .kev
                    .as_ref()
                    .map(|k| {
                        if k.ransomware() {
                            format!("due {} ransomware", k.due_date)
                        } else {
                            format!("due {}", k.due_date)
                        }
                    })
                    .unwrap_or_default();
                let status = match (&f.vex, f.status) {
                    (Some(vex), _) => match &vex.justification {
                        Some(j) => format!("{} ({j})", vex.status.as_str()),
                        None => vex.status.as_str().to_owned(),
                    },
                    (None, _) => "open".to_owned(),
                };
                table.row([
                    (rank + 1).to_string(),
                    f.id.clone(),
                    f.severity.as_str().to_owned(),
                    f.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
                    kev,
                    component,
                    f.fixed_versions.join(" "),
                    status,
                ]);
            }
            table.write(out)?;
        }
        for unmatched in &report.unmatched {
            outln!(
                out,
                "unmatched: {} {} ({}): {}",
                Excerpt(&unmatched.component.name),
                Excerpt(unmatched.component.version.as_deref().unwrap_or_default()),
                unmatched.path,
                unmatched.reason
            )?;
        }
        for note in &report.notes {
            outln!(out, "note: {note}")?;
        }
    }
    Ok(())
}
