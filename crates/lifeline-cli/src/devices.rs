//! `lifeline devices report`: a FHIR R5 device inventory linked to a folder of SBOMs, each
//! scanned against OSV, CISA KEV and VEX, with findings rolled up per device, product and
//! vendor.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use lifeline_vuln::DeviceError;
use lifeline_vuln::devices::{Counts, LinkRule, read_inventory, roll_up};
use lifeline_vuln::scan::scan;

use crate::Reported;
use crate::sbom::{SourceArgs, load_sboms, load_sources};

#[derive(Debug, Args)]
pub struct DevicesArgs {
    #[command(subcommand)]
    command: DevicesCommand,
}

#[derive(Debug, Subcommand)]
enum DevicesCommand {
    /// Findings per device, product and vendor
    Report(ReportArgs),
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// FHIR R5 Device resources: one Device, a Bundle, or a JSON array (JSON or XML)
    #[arg(long)]
    devices: PathBuf,
    /// Folder of SBOMs (`.json`, `.xml`, searched recursively)
    #[arg(long)]
    sboms: PathBuf,
    #[command(flatten)]
    sources: SourceArgs,
    /// Report format
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
    /// A network (`lifeline-network/1`) whose nodes, sites and platforms carry `vendor`
    /// ids: each vendor row then names the network entities it stands behind
    #[arg(long, value_name = "NETWORK")]
    network: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Table,
    Json,
}

pub fn run(args: &DevicesArgs) -> anyhow::Result<u8> {
    match &args.command {
        DevicesCommand::Report(args) => report(args),
    }
}

fn sbom_files(folder: &std::path::Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)
        .with_context(|| format!("cannot read folder `{}`", folder.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot read folder `{}`", folder.display()))?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            sbom_files(&entry, out)?;
        } else if entry
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("xml"))
        {
            out.push(entry);
        }
    }
    Ok(())
}

fn severity_cell(counts: &Counts) -> String {
    ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]
        .iter()
        .map(|s| counts.by_severity.get(*s).copied().unwrap_or(0).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn report(args: &ReportArgs) -> anyhow::Result<u8> {
    // The network first, so that a bad one fails before the (slower) scan.
    let network = crate::input::optional_network(args.network.as_deref())?;
    let bytes = std::fs::read(&args.devices)
        .with_context(|| format!("cannot read `{}`", args.devices.display()))?;
    let inventory = match read_inventory(&bytes) {
        Ok(inventory) => inventory,
        Err(DeviceError::Invalid { diagnostics }) => {
            for diagnostic in &diagnostics.0 {
                eprintln!("{}: {diagnostic}", args.devices.display());
            }
            return Err(Reported(2).into());
        }
        Err(other) => {
            eprintln!("{}: error: {other}", args.devices.display());
            return Err(Reported(2).into());
        }
    };
    for warning in &inventory.warnings {
        eprintln!("{}: {warning}", args.devices.display());
    }
    let mut files = Vec::new();
    sbom_files(&args.sboms, &mut files)?;
    let sboms = load_sboms(&files)?;
    let sources = load_sources(&args.sources)?;
    let scanned: Vec<_> = sboms
        .into_iter()
        .map(|(path, loaded)| {
            let report = scan(&loaded.sbom, &path.display().to_string(), sources.sources());
            (loaded.sbom, report)
        })
        .collect();
    let report = roll_up(&inventory.devices, &scanned, network.as_ref());
    let mut out = crate::output::stdout();
    match args.format {
        ReportFormat::Json => {
            crate::output::json(&mut out, &report)?;
        }
        ReportFormat::Table => {
            let header = [
                "DEVICE",
                "NAME",
                "VENDOR",
                "MODEL",
                "VERSION",
                "OPEN",
                "C/H/M/L/?",
                "KEV",
                "RANSOM",
                "SBOMS",
                "TOP",
            ];
            let rows: Vec<Vec<String>> = report
                .devices
                .iter()
                .map(|row| {
                    vec![
                        row.device.id.clone(),
                        row.device.label(),
                        row.vendor_id.clone().unwrap_or_default(),
                        row.device.model_number.clone().unwrap_or_default(),
                        row.device.versions.join(" "),
                        row.counts.open.to_string(),
                        severity_cell(&row.counts),
                        row.counts.kev.to_string(),
                        row.counts.kev_ransomware.to_string(),
                        row.sboms
                            .iter()
                            .map(|(s, rule)| match rule {
                                LinkRule::UdiDi => format!("{s} (UDI-DI)"),
                                LinkRule::ManufacturerModel => s.clone(),
                            })
                            .collect::<Vec<_>>()
                            .join(", "),
                        row.counts
                            .top
                            .iter()
                            .take(3)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(" "),
                    ]
                })
                .collect();
            writeln!(out, "devices")?;
            crate::output::table(
                &mut out,
                &header,
                &rows,
                &[
                    false, false, false, false, false, true, false, true, true, false, false,
                ],
            )?;
            writeln!(out)?;
            writeln!(out, "products")?;
            let rows: Vec<Vec<String>> = report
                .products
                .iter()
                .map(|p| {
                    vec![
                        p.vendor_id.clone(),
                        p.model.clone(),
                        p.version.clone().unwrap_or_default(),
                        p.devices.len().to_string(),
                        p.counts.open.to_string(),
                        severity_cell(&p.counts),
                        p.counts.kev.to_string(),
                        p.counts.kev_ransomware.to_string(),
                    ]
                })
                .collect();
            crate::output::table(
                &mut out,
                &[
                    "VENDOR",
                    "MODEL",
                    "VERSION",
                    "DEVICES",
                    "OPEN",
                    "C/H/M/L/?",
                    "KEV",
                    "RANSOM",
                ],
                &rows,
                &[false, false, false, true, true, false, true, true],
            )?;
            writeln!(out)?;
            writeln!(out, "vendors")?;
            let rows: Vec<Vec<String>> = report
                .vendors
                .iter()
                .map(|v| {
                    let mut row = vec![
                        v.vendor_id.clone(),
                        v.name.clone(),
                        v.products.to_string(),
                        v.devices.to_string(),
                        v.counts.open.to_string(),
                        severity_cell(&v.counts),
                        v.counts.kev.to_string(),
                        v.counts.kev_ransomware.to_string(),
                    ];
                    if network.is_some() {
                        row.push(v.network_entities.join(" "));
                    }
                    row
                })
                .collect();
            let mut header = vec![
                "VENDOR ID",
                "NAME",
                "PRODUCTS",
                "DEVICES",
                "OPEN",
                "C/H/M/L/?",
                "KEV",
                "RANSOM",
            ];
            let mut right = vec![false, false, true, true, true, false, true, true];
            if network.is_some() {
                header.push("NETWORK");
                right.push(false);
            }
            crate::output::table(&mut out, &header, &rows, &right)?;
            if !report.devices_without_sbom.is_empty() {
                writeln!(out)?;
                writeln!(
                    out,
                    "devices without an SBOM: {}",
                    report.devices_without_sbom.join(", ")
                )?;
            }
            if !report.unlinked_sboms.is_empty() {
                writeln!(
                    out,
                    "SBOMs that describe no device: {}",
                    report.unlinked_sboms.join(", ")
                )?;
            }
        }
    }
    out.flush()?;
    Ok(0)
}
