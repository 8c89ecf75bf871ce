//! `lifeline questionnaire export` and `lifeline questionnaire import`: a blank
//! questionnaire (NIST CSF 2.0, HHS 405(d) HICP, or lifeline's controls questionnaire) for
//! a vendor to fill in, and the filled one merged into the vendor register.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use lifeline_network::{LoadError, ReadLimits};
use lifeline_risk::model::{Register, Vendor};
use lifeline_risk::questionnaire::{
    self, Filled, Framework, QuestionnaireError, QuestionnaireFormat,
};

use crate::render::{Diag, Diags};
use crate::{Exit, Reported};

#[derive(Debug, Args)]
pub struct QuestionnaireArgs {
    #[command(subcommand)]
    command: QuestionnaireCommand,
}

#[derive(Debug, Subcommand)]
enum QuestionnaireCommand {
    /// Write a blank questionnaire for a vendor to fill in
    Export(ExportArgs),
    /// Merge a filled questionnaire into the vendor register (written as JSON)
    Import(ImportArgs),
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// Which questionnaire
    #[arg(long, value_enum)]
    framework: FrameworkArg,
    /// The form's format: YAML (instructions as comments), CSV (for a spreadsheet) or JSON
    #[arg(long, value_enum, default_value_t = FormArg::Yaml)]
    format: FormArg,
    /// NIST CSF 2.0 categories to ask about, repeatable (default GV.SC, supply chain risk
    /// management; `all` for the 22 categories)
    #[arg(long = "category", value_name = "CATEGORY")]
    categories: Vec<String>,
    /// The vendor the questionnaire is for: its id and name go at the top
    #[arg(long, requires = "vendors")]
    vendor: Option<String>,
    /// The vendor register that holds `--vendor`
    #[arg(long, requires = "vendor")]
    vendors: Option<PathBuf>,
    /// Write the questionnaire to this file instead of stdout
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The filled questionnaire: `.yaml`/`.yml`, `.json` or `.csv`
    filled: PathBuf,
    /// The vendor register to merge it into
    #[arg(long)]
    vendors: PathBuf,
    /// The vendor who answered (default: the vendor the file names)
    #[arg(long)]
    vendor: Option<String>,
    /// Write the register to this file instead of stdout (it may be the `--vendors` file)
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FrameworkArg {
    /// NIST Cybersecurity Framework 2.0 subcategories (`GV.SC-05`)
    Csf2,
    /// HHS 405(d) Health Industry Cybersecurity Practices, 2023 edition (`HICP-7`)
    Hicp,
    /// One question per control of the vendor register (`ctl-mfa`)
    Controls,
}

impl From<FrameworkArg> for Framework {
    fn from(arg: FrameworkArg) -> Framework {
        match arg {
            FrameworkArg::Csf2 => Framework::Csf2,
            FrameworkArg::Hicp => Framework::Hicp,
            FrameworkArg::Controls => Framework::Controls,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormArg {
    Yaml,
    Csv,
    Json,
}

impl From<FormArg> for QuestionnaireFormat {
    fn from(arg: FormArg) -> QuestionnaireFormat {
        match arg {
            FormArg::Yaml => QuestionnaireFormat::Yaml,
            FormArg::Csv => QuestionnaireFormat::Csv,
            FormArg::Json => QuestionnaireFormat::Json,
        }
    }
}

pub fn run(args: &QuestionnaireArgs) -> anyhow::Result<Exit> {
    match &args.command {
        QuestionnaireCommand::Export(args) => export(args),
        QuestionnaireCommand::Import(args) => import(args),
    }
}

fn export(args: &ExportArgs) -> anyhow::Result<Exit> {
    let framework = Framework::from(args.framework);
    let questionnaire = if args.categories.is_empty() {
        questionnaire::questionnaire(framework)
    } else if framework != Framework::Csf2 {
        bail!("--category chooses NIST CSF 2.0 categories: use it with --framework csf2");
    } else if args.categories.iter().any(|c| c == "all") {
        questionnaire::csf2_questionnaire(&[])?
    } else {
        let categories: Vec<&str> = args.categories.iter().map(String::as_str).collect();
        questionnaire::csf2_questionnaire(&categories)?
    };
    let register = match &args.vendors {
        Some(path) => Some(load_register(path)?),
        None => None,
    };
    let vendor = match (&args.vendor, &register) {
        (Some(id), Some(register)) => Some(find_vendor(register, id, args.vendors.as_deref())?),
        _ => None,
    };
    let text = questionnaire::export(&questionnaire, vendor, args.format.into());
    crate::render::report(args.output.as_deref(), |out| {
        out.write_all(text.as_bytes())?;
        Ok(())
    })?;
    Ok(Exit::Success)
}

fn import(args: &ImportArgs) -> anyhow::Result<Exit> {
    // The filled file first: its problems are the vendor's to fix, whatever the register.
    let filled = load_filled(&args.filled)?;
    let vendor = match (&args.vendor, &filled.vendor) {
        (Some(id), _) | (None, Some(id)) => id.clone(),
        (None, None) => bail!(
            "`{}` does not say which vendor answered\n  hint: name the vendor with --vendor ID",
            args.filled.display()
        ),
    };
    let mut register = load_register(&args.vendors)?;
    let framework = filled.framework;
    let merged = questionnaire::merge(&mut register, &vendor, filled)
        .with_context(|| format!("cannot merge `{}`", args.filled.display()))?;
    crate::render::report(args.output.as_deref(), |out| {
        crate::output::json(out, &register)
    })?;
    errln!(
        "{}: merged the {framework} answers of `{vendor}`: {} new, {} replaced, {} control(s) set",
        args.filled.display(),
        merged.added,
        merged.replaced,
        merged.controls
    );
    Ok(Exit::Success)
}

/// The vendor `id` of the register, or an error that suggests the nearest id.
fn find_vendor<'a>(
    register: &'a Register,
    id: &str,
    path: Option<&Path>,
) -> anyhow::Result<&'a Vendor> {
    if let Some(vendor) = register.vendor(id) {
        return Ok(vendor);
    }
    let hint = lifeline_text::suggest(id, register.vendors.iter().map(|v| v.id.as_str()))
        .map(|near| format!("\n  hint: did you mean `{near}`?"))
        .unwrap_or_default();
    bail!(
        "`{}` has no vendor `{id}`{hint}",
        path.map(|p| p.display().to_string()).unwrap_or_default()
    )
}

/// Reads a file within the read limits; a file over them is reported and refused unread.
fn read(path: &Path) -> anyhow::Result<String> {
    match lifeline_network::read_text(path, &ReadLimits::default()) {
        Ok(text) => Ok(text),
        Err(error @ LoadError::Limit { .. }) => {
            errln!("error: {error}");
            Err(Reported.into())
        }
        Err(error) => Err(anyhow::Error::new(error)),
    }
}

/// Reads a filled questionnaire, printing its warnings, and every problem (exit 2) when
/// it is invalid.
fn load_filled(path: &Path) -> anyhow::Result<Filled> {
    let text = read(path)?;
    let format = QuestionnaireFormat::detect(path, &text);
    match questionnaire::read_filled(&text, format, path) {
        Ok(filled) => {
            for warning in &filled.warnings {
                errln!("{}: {}", path.display(), Diag(warning));
            }
            Ok(filled)
        }
        Err(QuestionnaireError::Invalid { path, diagnostics }) => {
            errln!(
                "error: `{}` is not a valid filled questionnaire ({} error(s)):\n{}",
                path.display(),
                diagnostics.error_count(),
                Diags(&diagnostics.0)
            );
            Err(Reported.into())
        }
        Err(QuestionnaireError::Load(error)) => {
            errln!("error: {error}");
            Err(Reported.into())
        }
    }
}

/// Reads the vendor register, printing its warnings, and every problem (exit 2) when it
/// is invalid.
fn load_register(path: &Path) -> anyhow::Result<Register> {
    crate::vendors::load_or_report(path, None)
}
