//! `lifeline vendors validate`: every problem of a vendor register (`lifeline-vendors/1`),
//! or a summary when it is valid, in the style of `lifeline validate`. With `--network`,
//! vendor ids that no entity of the network carries are warned about.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use lifeline_network::{Format as Syntax, ReadLimits, ValidatedNetwork};
use lifeline_risk::register::{self, LoadedRegister, RegisterError};

use crate::render::{Diag, Diags, Format};
use crate::{Exit, Reported};

#[derive(Debug, Args)]
pub struct VendorsArgs {
    #[command(subcommand)]
    command: VendorsCommand,
}

#[derive(Debug, Subcommand)]
enum VendorsCommand {
    /// Check a vendor register and list every problem in it
    Validate(ValidateArgs),
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// Vendor register: `.json` or `.yaml`/`.yml`
    register: PathBuf,
    /// Network whose nodes, sites and platforms carry the vendor ids: a vendor none
    /// carries is warned about
    #[arg(long)]
    network: Option<PathBuf>,
    /// Report format (`text` is accepted for `table`)
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    format: Format,
}

pub fn run(args: &VendorsArgs) -> anyhow::Result<Exit> {
    match &args.command {
        VendorsCommand::Validate(args) => validate(args),
    }
}

fn validate(args: &ValidateArgs) -> anyhow::Result<Exit> {
    let network = crate::input::optional_network(args.network.as_deref())?;
    let path = &args.register;
    let text = lifeline_network::read_text(path, &ReadLimits::default())?;
    let syntax = Syntax::detect(path, &text);
    let (diagnostics, summary) = match register::from_str(&text, syntax, path, network.as_ref()) {
        Ok(loaded) => {
            let vendors = &loaded.register.vendors;
            let count =
                |f: fn(&lifeline_risk::Vendor) -> usize| vendors.iter().map(f).sum::<usize>();
            let summary = format!(
                "{}: valid: vendors {}, products {}, controls {}, answers {}, incidents {}",
                path.display(),
                vendors.len(),
                count(|v| v.products.len()),
                count(|v| v.controls.0.len()),
                count(|v| v.answers.len()),
                count(|v| v.incidents.len()),
            );
            (loaded.warnings, Some(summary))
        }
        Err(RegisterError::Invalid { diagnostics, .. }) => (diagnostics.0, None),
        Err(RegisterError::Load(error)) => {
            errln!("error: {error}");
            return Err(Reported.into());
        }
    };
    let json = serde_json::json!({
        "register": path.display().to_string(),
        "network": args.network.as_ref().map(|n| n.display().to_string()),
    });
    crate::validate::outcome(path, args.format, json, &diagnostics, summary.as_deref())
}

/// Loads a vendor register for another command: its warnings on stderr, and every problem
/// with exit 2 when it is invalid.
pub fn load_or_report(
    path: &Path,
    network: Option<&ValidatedNetwork>,
) -> anyhow::Result<lifeline_risk::Register> {
    let text = lifeline_network::read_text(path, &ReadLimits::default())?;
    match register::from_str(&text, Syntax::detect(path, &text), path, network) {
        Ok(LoadedRegister { register, warnings }) => {
            for warning in &warnings {
                errln!("{}: {}", path.display(), Diag(warning));
            }
            Ok(register)
        }
        Err(RegisterError::Invalid { path, diagnostics }) => {
            errln!(
                "error: `{}` is not a valid vendor register ({} error(s)):\n{}",
                path.display(),
                diagnostics.error_count(),
                Diags(&diagnostics.0)
            );
            Err(Reported.into())
        }
        Err(RegisterError::Load(error)) => {
            errln!("error: {error}");
            Err(Reported.into())
        }
    }
}
