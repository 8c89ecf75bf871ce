//! `lifeline devices report`: a FHIR R5 device inventory linked to a folder of SBOMs, each
//! scanned against OSV, CISA KEV and VEX, with findings rolled up per device, product and
//! vendor.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use lifeline_vuln::DeviceError;
use lifeline_vuln::devices::{Counts, LinkRule, read_inventory, roll_up};
use lifeline_vuln::scan::scan;

use crate::render::{Column, Diag, Format, Table};
use crate::sbom::{FailOn, SourceArgs, load_sboms, load_sources};
use crate::{Exit, Reported};

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
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    format: Format,
    /// Exit with 1 when open findings of this kind remain on some device
    #[arg(long, value_enum, default_value_t = FailOn::Never)]
    fail_on: FailOn,
    /// A network (`lifeline-network/1`) whose nodes, sites and platforms carry `vendor`
    /// ids: each vendor row then names the network entities it stands behind
    #[arg(long, value_name = "NETWORK")]
    network: Option<PathBuf>,
}

pub fn run(args: &DevicesArgs) -> anyhow::Result<Exit> {
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

fn report(args: &ReportArgs) -> anyhow::Result<Exit> {
    // The network first, so that a bad one fails before the (slower) scan.
    let network = crate::input::optional_network(args.network.as_deref())?;
    let bytes = std::fs::read(&args.devices)
        .with_context(|| format!("cannot read `{}`", args.devices.display()))?;
    let inventory = match read_inventory(&bytes) {
        Ok(inventory) => inventory,
        Err(DeviceError::Invalid { diagnostics }) => {
            for diagnostic in &diagnostics.0 {
                errln!("{}: {}", args.devices.display(), Diag(diagnostic));
            }
            return Err(Reported.into());
        }
        Err(other) => {
            errln!("{}: error: {other}", args.devices.display());
            return Err(Reported.into());
        }
    };
    for warning in &inventory.warnings {
        errln!("{}: {}", args.devices.display(), Diag(warning));
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
    crate::render::report(None, |out| match args.format {
        Format::Json => crate::output::json(out, &report),
        _ => write_tables(out, &report, network.is_some()),
    })?;
    let devices = report.devices.iter();
    let kev = devices.clone().any(|row| row.counts.kev > 0);
    let open = devices.clone().any(|row| row.counts.open > 0);
    Ok(args.fail_on.exit(kev, open))
}

/// The devices, products and vendors tables, then what could not be linked.
fn write_tables(
    out: &mut dyn Write,
    report: &lifeline_vuln::devices::DeviceReport,
    with_network: bool,
) -> anyhow::Result<()> {
    let mut table = Table::new([
        Column::text("device"),
        Column::text("name"),
        Column::text("vendor"),
        Column::text("model"),
        Column::text("version"),
        Column::number("open"),
        Column::text("C/H/M/L/?"),
        Column::number("KEV"),
        Column::number("ransom"),
        Column::text("SBOMs"),
        Column::text("top"),
    ]);
    for row in &report.devices {
        table.row([
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
        ]);
    }
    writeln!(out, "devices")?;
    table.write(out)?;
    writeln!(out)?;
    writeln!(out, "products")?;
    let mut table = Table::new([
        Column::text("vendor"),
        Column::text("model"),
        Column::text("version"),
        Column::number("devices"),
        Column::number("open"),
        Column::text("C/H/M/L/?"),
        Column::number("KEV"),
        Column::number("ransom"),
    ]);
    for p in &report.products {
        table.row([
            p.vendor_id.clone(),
            p.model.clone(),
            p.version.clone().unwrap_or_default(),
            p.devices.len().to_string(),
            p.counts.open.to_string(),
            severity_cell(&p.counts),
            p.counts.kev.to_string(),
            p.counts.kev_ransomware.to_string(),
        ]);
    }
    table.write(out)?;
    writeln!(out)?;
    writeln!(out, "vendors")?;
    let mut columns = vec![
        Column::text("vendor id"),
        Column::text("name"),
        Column::number("products"),
        Column::number("devices"),
        Column::number("open"),
        Column::text("C/H/M/L/?"),
        Column::number("KEV"),
        Column::number("ransom"),
    ];
    if with_network {
        columns.push(Column::text("network"));
    }
    let mut table = Table::new(columns);
    for v in &report.vendors {
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
        if with_network {
            row.push(v.network_entities.join(" "));
        }
        table.row(row);
    }
    table.write(out)?;
    if !report.devices_without_sbom.is_empty() {
        writeln!(out)?;
        outln!(
            out,
            "devices without an SBOM: {}",
            report.devices_without_sbom.join(", ")
        )?;
    }
    if !report.unlinked_sboms.is_empty() {
        outln!(
            out,
            "SBOMs that describe no device: {}",
            report.unlinked_sboms.join(", ")
        )?;
    }
    Ok(())
}
