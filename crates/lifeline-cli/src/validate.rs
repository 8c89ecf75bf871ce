//! `lifeline validate`: every problem of a network document, or a summary when it is valid.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use lifeline_network::{Diagnostic, LoadError, Severity};

use crate::render::{Diags, Format};
use crate::{Exit, Reported};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Network document: `.json`, `.yaml`/`.yml`, or a folder of CSV tables
    network: PathBuf,
    /// Report format (`text` is accepted for `table`)
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    format: Format,
}

pub fn run(args: &ValidateArgs) -> anyhow::Result<Exit> {
    let (diagnostics, summary) = match lifeline_network::load(&args.network) {
        Ok(loaded) => {
            let network = loaded.network.network();
            let summary = format!(
                "{}: valid: nodes {}, edges {}, sites {}, platforms {}, scenarios {}",
                args.network.display(),
                network.nodes.len(),
                network.edges.len(),
                network.sites.len(),
                network.platforms.len(),
                loaded.network.scenarios().len(),
            );
            (loaded.warnings, Some(summary))
        }
        Err(LoadError::Invalid { diagnostics, .. }) => (diagnostics.0, None),
        Err(other) => return Err(other.into()),
    };
    let json = serde_json::json!({ "network": args.network.display().to_string() });
    outcome(
        &args.network,
        args.format,
        json,
        &diagnostics,
        summary.as_deref(),
    )
}

/// Prints what a `validate` command found, the same for every kind of document: the
/// diagnostics (a hundred are enough to act on; the rest are counted) and the summary line
/// of a valid document, or `FILE: invalid: N error(s)`; as JSON, `json`'s fields then
/// `valid` and `diagnostics`. Exit 0 when valid, 2 when not.
pub fn outcome(
    path: &Path,
    format: Format,
    mut json: serde_json::Value,
    diagnostics: &[Diagnostic],
    summary: Option<&str>,
) -> anyhow::Result<Exit> {
    let mut out = crate::output::stdout();
    match format {
        Format::Json => {
            json["valid"] = summary.is_some().into();
            json["diagnostics"] = serde_json::to_value(diagnostics)?;
            crate::output::json(&mut out, &json)?;
        }
        _ => {
            if !diagnostics.is_empty() {
                writeln!(out, "{}", Diags(diagnostics))?;
            }
            match summary {
                Some(summary) => outln!(out, "{summary}")?,
                None => {
                    let errors = diagnostics
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .count();
                    outln!(out, "{}: invalid: {errors} error(s)", path.display())?;
                }
            }
        }
    }
    out.flush()?;
    if summary.is_some() {
        Ok(Exit::Success)
    } else {
        Err(Reported.into())
    }
}
