//! `lifeline`: the command-line front end. It parses arguments, calls the library crates
//! and renders their results; stdout carries data, stderr progress and diagnostics.
//!
//! Exit codes: 0 success, 2 invalid input or any other error.

mod devices;
mod generate;
mod input;
mod output;
mod progress;
mod sbom;
mod simulate;
mod stress;
mod trace;
mod validate;

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
}

/// An error that has already been reported to the user, with the exit code to use.
#[derive(Debug)]
pub struct Reported(pub u8);

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for Reported {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Stress(args) => stress::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Sbom(args) => sbom::run(&args),
        Command::Devices(args) => devices::run(&args),
        Command::Simulate(args) => simulate::simulate(&args),
        Command::Montecarlo(args) => simulate::montecarlo(&args),
        Command::Trace(args) => trace::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            if let Some(Reported(code)) = error.downcast_ref::<Reported>() {
                return ExitCode::from(*code);
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
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
