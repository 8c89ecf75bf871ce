//! `lifeline`: the command-line front end. It parses arguments, calls the library crates
//! and renders their results; stdout carries data, stderr progress and diagnostics.
//!
//! Exit status ([`Exit`]), the same for every command:
//! - 0: success;
//! - 1: the command ran and its answer is "found": findings at or above the threshold
//!   asked for (`sbom scan --fail-on`, `devices report --fail-on`), error findings of
//!   `trace check`, a `trace history` or `trace query` that matched no event, a `trace
//!   verify` that did not verify;
//! - 2: invalid input or any other error (the message is on stderr).
//!
//! Every line for people, on stdout or stderr, goes through the `render` module, which
//! escapes the control and bidi characters a hostile file may hold.

// The rendering macros (`outln!`, `outlines!`, `errln!`) are used by the command modules
// below.
#[macro_use]
mod render;

mod cap;
mod devices;
mod drill;
mod exercise;
mod generate;
mod incident;
mod incident_db;
mod input;
mod keys;
mod notify;
mod notify_sign;
mod output;
mod partners;
mod partners_db;
mod playbook;
mod progress;
mod questionnaire;
mod risk;
mod sbom;
mod serve;
mod share;
mod simulate;
mod stress;
mod taxii;
mod trace;
mod validate;
mod vendors;

use std::io::ErrorKind;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: parsing EPCIS, SBOMs and OSV records makes
/// many small short-lived allocations, and with glibc's malloc they took a third of an
/// ingest's CPU (BENCHMARKS.md, traceability).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Cyber resilience of healthcare supply chains: who runs short, when, and what to do.
#[derive(Debug, Parser)]
#[command(name = "lifeline", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Time to survive against time to recover for every disruption scenario
    Stress(stress::StressArgs),
    /// Check a network document and list every problem in it
    Validate(validate::ValidateArgs),
    /// Vendor cyber-risk register: check a register of vendors
    Vendors(vendors::VendorsArgs),
    /// Write a seeded synthetic multi-tier network
    Generate(generate::GenerateArgs),
    /// SBOMs: validate them, and scan them against OSV, CISA KEV and VEX
    Sbom(sbom::SbomArgs),
    /// Medical devices (FHIR R5): vulnerability findings per device, product and vendor
    Devices(devices::DevicesArgs),
    /// Day by day through one scenario: who runs out of what, when
    Simulate(simulate::SimulateArgs),
    /// Thousands of outages of drawn length: how likely each hospital runs short
    Montecarlo(simulate::MonteCarloArgs),
    /// EPCIS traceability: event hashes, the event repository, chain-of-custody checks
    Trace(trace::TraceArgs),
    /// Vendor cyber risk: the register ranked by likelihood against impact on patient care
    Risk(risk::RiskArgs),
    /// The shared service: the API for an organisation and its partners
    Serve(serve::ServeArgs),
    /// Organisations, users, tokens, keys and backups of the service's database
    Admin(serve::AdminArgs),
    /// The service's tamper-evident audit log
    Audit(serve::AuditArgs),
    /// Vendor questionnaires (NIST CSF 2.0, HICP, controls): blank ones out, filled ones in
    Questionnaire(questionnaire::QuestionnaireArgs),
    /// Incident response: declare, track tasks and decisions, report, verify the timeline
    Incident(incident::IncidentArgs),
    /// Incident response playbooks: check, list, import and export (lifeline YAML, CACAO)
    Playbook(playbook::PlaybookArgs),
    /// Tabletop exercises: play the injects, record decisions, score (HSEEP), report
    Exercise(exercise::ExerciseArgs),
    /// Partner directory: check and export it
    Partners(partners::PartnersArgs),
    /// Signing keys of the partner directory's organisations: generate, rotate, revoke
    Keys(keys::KeysArgs),
    /// Signed alerts to partners: send, acknowledge, escalate, sign and verify
    Notify(notify::NotifyArgs),
    /// OASIS CAP 1.2 alerts for emergency management: validate them, write lifeline alerts as CAP
    Cap(cap::CapArgs),
    /// Information sharing: STIX 2.1 bundles marked TLP 2.0, out and in
    Share(share::ShareArgs),
    /// TAXII 2.1: collections of the service's TAXII server, and pulling an ISAC's collection
    Taxii(taxii::TaxiiArgs),
}

/// How a command ended: the process's exit status (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done, nothing at or above the threshold.
    Success,
    /// 1: done, and the answer is "found" (findings at or above the threshold).
    Findings,
    /// 2: invalid input or another error.
    Error,
}

impl Exit {
    /// [`Exit::Findings`] when `found`, else [`Exit::Success`].
    pub fn findings_if(found: bool) -> Exit {
        if found { Exit::Findings } else { Exit::Success }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        match exit {
            Exit::Success => ExitCode::SUCCESS,
            Exit::Findings => ExitCode::from(1),
            Exit::Error => ExitCode::from(2),
        }
    }
}

/// An input error that has already been reported on stderr (every problem of a file, not
/// only the first): the command ends with [`Exit::Error`] and prints nothing more.
#[derive(Debug)]
pub struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid input, reported above")
    }
}

impl std::error::Error for Reported {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Stress(args) => stress::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Vendors(args) => vendors::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Sbom(args) => sbom::run(&args),
        Command::Devices(args) => devices::run(&args),
        Command::Simulate(args) => simulate::simulate(&args),
        Command::Montecarlo(args) => simulate::montecarlo(&args),
        Command::Trace(args) => trace::run(&args),
        Command::Risk(args) => risk::run(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Admin(args) => serve::admin(&args),
        Command::Audit(args) => serve::audit(&args),
        Command::Questionnaire(args) => questionnaire::run(&args),
        Command::Incident(args) => incident::run(&args),
        Command::Playbook(args) => playbook::run(&args),
        Command::Exercise(args) => exercise::run(&args),
        Command::Partners(args) => partners::run(&args),
        Command::Keys(args) => keys::run(&args),
        Command::Notify(args) => notify::run(&args),
        Command::Cap(args) => cap::run(&args),
        Command::Share(args) => share::run(&args),
        Command::Taxii(args) => taxii::run(&args),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(error) => {
            if error.downcast_ref::<Reported>().is_some() {
                return Exit::Error.into();
            }
            // A reader that went away (`| head`) ends the command quietly. serde_json's
            // error does not expose the io::Error it wraps as a source, so ask it.
            if error.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .map(std::io::Error::kind)
                    .or_else(|| {
                        cause
                            .downcast_ref::<serde_json::Error>()
                            .and_then(serde_json::Error::io_error_kind)
                    })
                    == Some(ErrorKind::BrokenPipe)
            }) {
                return Exit::Success.into();
            }
            errln!("error: {}", error_text(&error));
            Exit::Error.into()
        }
    }
}

/// An error and its causes on one line, `outer: cause: root`, leaving out a cause whose
/// text the message before it already ends with (library errors that name their source in
/// their own message would otherwise print it twice: `… (os error 2): … (os error 2)`).
pub fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if text.is_empty() {
            text = part;
        } else if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
    }
    text
}
