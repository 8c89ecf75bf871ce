//! `lifeline risk`: the vendor cyber-risk register (which vendor to call first, and why)
//! and the report a third-party-risk analyst sends to one vendor.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use lifeline_network::{Loaded, ReadLimits, ValidatedNetwork};
use lifeline_risk::findings::{self, Observations};
use lifeline_risk::score::{self, Inputs};
use lifeline_risk::{RiskRegister, Tier};
use lifeline_stress::{Report, StressConfig};
use time::Date;

use crate::input::load_or_report;
use crate::progress::{Progress, in_pool, tracing_line};
use crate::render::{Diag, Format};
use crate::{Exit, Reported};

#[derive(Debug, Args)]
pub struct RiskArgs {
    #[command(subcommand)]
    command: RiskCommand,
}

#[derive(Debug, Subcommand)]
enum RiskCommand {
    /// Every vendor ranked by cyber risk: likelihood (controls, answers, incidents, open
    /// findings) against impact (the stress test of the entities it operates)
    Register(RegisterArgs),
    /// The report to send one vendor: answers, gaps, expiring evidence, findings to fix,
    /// what would lower its tier
    Report(ReportArgs),
}

/// What both subcommands read.
#[derive(Debug, Args)]
struct Sources {
    /// The vendor register (`lifeline-vendors/1`, JSON or YAML)
    #[arg(long)]
    vendors: PathBuf,
    /// The network whose stress test weighs each vendor's impact
    #[arg(long)]
    network: PathBuf,
    /// `lifeline sbom scan --format json` or `lifeline devices report --format json`
    /// output: open findings in the vendors' products (repeatable)
    #[arg(long = "findings", value_name = "SCAN.json")]
    findings: Vec<PathBuf>,
    /// A `lifeline stress --format json` report of the same network, instead of running
    /// the sweep again
    #[arg(long, value_name = "REPORT.json")]
    stress: Option<PathBuf>,
    /// The day the register is judged on (evidence expiry, incident age): YYYY-MM-DD;
    /// default the register's `as_of`, else today (UTC)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// Worker threads for the stress sweep (default: one per core)
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    #[command(flatten)]
    sources: Sources,
    /// Report format
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON_CSV))]
    format: Format,
    /// Write the register to this file instead of stdout
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Also write OSCAL 1.1 assessment results (JSON) to this file
    #[arg(long, value_name = "FILE")]
    oscal_ar: Option<PathBuf>,
    /// Also write an OSCAL 1.1 plan of action and milestones (JSON) to this file
    #[arg(long, value_name = "FILE")]
    poam: Option<PathBuf>,
    /// Also write the likelihood × impact heat map (SVG) to this file
    #[arg(long, value_name = "FILE.svg")]
    heatmap: Option<PathBuf>,
    /// Exit 1 when a vendor is in this tier or above
    #[arg(long, value_enum, default_value = "never")]
    fail_on: FailOn,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The vendor id
    vendor: String,
    #[command(flatten)]
    sources: Sources,
    /// Report format
    #[arg(long, value_enum, default_value = "markdown")]
    format: ReportFormat,
    /// Write the report to this file instead of stdout
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Markdown,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Never,
    Critical,
    High,
    Medium,
}

impl FailOn {
    fn tier(self) -> Option<Tier> {
        match self {
            FailOn::Never => None,
            FailOn::Critical => Some(Tier::Critical),
            FailOn::High => Some(Tier::High),
            FailOn::Medium => Some(Tier::Medium),
        }
    }
}

fn parse_date(text: &str) -> Result<Date, String> {
    lifeline_risk::date::parse(text)
        .ok_or_else(|| format!("`{text}` is not a date: use YYYY-MM-DD"))
}

pub fn run(args: &RiskArgs) -> anyhow::Result<Exit> {
    match &args.command {
        RiskCommand::Register(args) => register(args),
        RiskCommand::Report(args) => report(args),
    }
}

fn register(args: &RegisterArgs) -> anyhow::Result<Exit> {
    let assessed = assess(&args.sources)?;
    let register = &assessed.register;
    crate::render::report(args.output.as_deref(), |out| {
        let text = match args.format {
            Format::Json => lifeline_risk::render::json(register),
            Format::Csv => lifeline_risk::render::csv(register),
            _ => lifeline_risk::render::table(register),
        };
        out.write_all(text.as_bytes())?;
        Ok(())
    })?;
    if let Some(path) = &args.heatmap {
        write_file(path, &lifeline_risk::heatmap::svg(register))?;
    }
    let options = lifeline_risk::oscal::OscalOptions {
        register_href: Some(args.sources.vendors.display().to_string()),
        network_href: Some(args.sources.network.display().to_string()),
        ..Default::default()
    };
    if let Some(path) = &args.oscal_ar {
        let document =
            lifeline_risk::oscal::assessment_results(register, &assessed.vendors, &options);
        write_file(path, &json_text(&document)?)?;
    }
    if let Some(path) = &args.poam {
        match lifeline_risk::oscal::poam(register, &assessed.vendors, &options) {
            Some(document) => write_file(path, &json_text(&document)?)?,
            None => errln!(
                "lifeline: nothing to plan (no finding, gap or expiring evidence): no POA&M written to `{}`",
                path.display()
            ),
        }
    }
    let failed = args.fail_on.tier().is_some_and(|threshold| {
        register
            .vendors
            .iter()
            .any(|vendor| vendor.tier <= threshold)
    });
    Ok(Exit::findings_if(failed))
}

fn report(args: &ReportArgs) -> anyhow::Result<Exit> {
    let assessed = assess(&args.sources)?;
    let register = &assessed.register;
    let text = match args.format {
        ReportFormat::Markdown => lifeline_risk::report::markdown(register, &args.vendor),
        ReportFormat::Html => lifeline_risk::report::html(register, &args.vendor),
    };
    let Some(text) = text else {
        errln!(
            "error: `{}` is not a vendor of `{}`{}",
            lifeline_text::excerpt(&args.vendor),
            args.sources.vendors.display(),
            lifeline_text::suggest(
                &args.vendor,
                assessed.vendors.vendors.iter().map(|v| v.id.as_str())
            )
            .map(|id| format!(" (did you mean `{id}`?)"))
            .unwrap_or_default()
        );
        return Err(Reported.into());
    };
    crate::render::report(args.output.as_deref(), |out| {
        out.write_all(text.as_bytes())?;
        Ok(())
    })?;
    Ok(Exit::Success)
}

/// The scored register and the vendor register it came from.
struct Assessed {
    register: RiskRegister,
    vendors: lifeline_risk::Register,
}

/// Reads every input, runs the stress sweep (unless a report is given) and scores.
fn assess(sources: &Sources) -> anyhow::Result<Assessed> {
    let Loaded { network, warnings } = load_or_report(&sources.network)?;
    for warning in &warnings {
        errln!("{}: {}", sources.network.display(), Diag(warning));
    }
    let vendors = crate::vendors::load_or_report(&sources.vendors, Some(&network))?;
    let observations = sources
        .findings
        .iter()
        .map(|path| read_findings(path))
        .collect::<anyhow::Result<Vec<Observations>>>()?;
    let stress = match &sources.stress {
        Some(path) => read_stress(path)?,
        None => sweep(&network, sources.threads)?,
    };
    let as_of = sources
        .as_of
        .or(vendors.as_of)
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
    let started = Instant::now();
    let register = score::score(&Inputs {
        register: &vendors,
        network: &network,
        stress: &stress,
        observations: &observations,
        as_of,
    });
    tracing_line(&format!(
        "{} vendors scored in {:.3} s",
        register.vendors.len(),
        started.elapsed().as_secs_f64()
    ));
    Ok(Assessed { register, vendors })
}

/// The stress test of every entity with a TTR, as `lifeline stress` runs it.
fn sweep(network: &ValidatedNetwork, threads: Option<usize>) -> anyhow::Result<Report> {
    let scenarios = network.scenarios();
    let bar = Progress::new(scenarios.len(), "scenarios");
    let started = Instant::now();
    let config = StressConfig { skip_covered: true };
    let run = || lifeline_stress::run(network, &scenarios, &config, &|| bar.tick());
    let report = in_pool(threads, run)??;
    bar.finish();
    tracing_line(&format!(
        "stress sweep: {} scenarios in {:.2} s",
        report.scenarios.len(),
        started.elapsed().as_secs_f64()
    ));
    Ok(report)
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    match lifeline_network::read_text(path, &ReadLimits::default()) {
        Ok(text) => Ok(text),
        Err(error @ lifeline_network::LoadError::Limit { .. }) => {
            errln!("error: {error}");
            Err(Reported.into())
        }
        Err(error) => Err(anyhow::Error::new(error)),
    }
}

fn read_findings(path: &Path) -> anyhow::Result<Observations> {
    let text = read_text(path)?;
    findings::read(&text, &path.display().to_string()).map_err(|error| {
        errln!("error: {error}");
        Reported.into()
    })
}

fn read_stress(path: &Path) -> anyhow::Result<Report> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|error| {
        errln!(
            "error: `{}` is not a `lifeline stress --format json` report: {}",
            path.display(),
            lifeline_text::excerpt_to(&error.to_string(), 300)
        );
        Reported.into()
    })
}

fn json_text(value: &serde_json::Value) -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write `{}`", path.display()))
}
