//! Observed exposure: what `lifeline sbom scan --format json` and `lifeline devices report
//! --format json` found in the vendors' products, read into [`Observations`] for
//! [`crate::score`].
//!
//! Only the fields scoring needs are read; everything else in those documents is ignored.
//! A scan document has a top-level `reports` list (one per SBOM, with its `serialNumber`,
//! its `product` component and its `findings`); a device report has top-level `devices` and
//! `vendors` (per vendor id, the counts of open findings over its devices' SBOMs).

use serde::Deserialize;

/// Which kind of document the observations were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `lifeline sbom scan --format json`.
    Scan,
    /// `lifeline devices report --format json`.
    Devices,
}

/// Everything one document says about exposure.
#[derive(Debug, Clone, PartialEq)]
pub struct Observations {
    /// Where it was read (a file name), quoted in the findings it yields.
    pub origin: String,
    pub source: Source,
    /// One entry per scanned SBOM (scan documents).
    pub sboms: Vec<ScannedSbom>,
    /// Per-vendor counts (device reports).
    pub vendors: Vec<VendorExposure>,
}

/// One scanned SBOM: what it describes and what was found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScannedSbom {
    /// The SBOM file the scan read.
    pub source: String,
    /// The CycloneDX `serialNumber` (`urn:uuid:…`).
    pub serial_number: Option<String>,
    /// The metadata component's purl.
    pub product_purl: Option<String>,
    /// The metadata component's name and version, for labels.
    pub product_name: Option<String>,
    pub product_version: Option<String>,
    pub findings: Vec<Finding>,
}

impl ScannedSbom {
    /// A label for the SBOM when no register product claims it: `name version`, else the
    /// serial number, else the file.
    pub fn label(&self) -> String {
        match (&self.product_name, &self.product_version) {
            (Some(name), Some(version)) => format!("{name} {version}"),
            (Some(name), None) => name.clone(),
            _ => self
                .serial_number
                .clone()
                .unwrap_or_else(|| self.source.clone()),
        }
    }
}

/// One vulnerability finding on one component.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// CVE or OSV id.
    pub id: String,
    /// `CRITICAL`, `HIGH`, `MEDIUM`, `LOW`, `NONE` or `UNKNOWN`, as the scan wrote it.
    pub severity: String,
    pub score: Option<f64>,
    /// Listed in CISA's Known Exploited Vulnerabilities catalogue.
    pub kev: bool,
    /// KEV says `knownRansomwareCampaignUse: Known`.
    pub ransomware: bool,
    /// KEV due date.
    pub due_date: Option<String>,
    /// The component's purl, else its name and version.
    pub component: String,
    pub fixed_versions: Vec<String>,
    /// Only `open` findings count; `resolved` and `suppressed` (by VEX) do not.
    pub open: bool,
}

/// Open findings severity classes, as scoring counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    KevRansomware,
    Kev,
    Critical,
    High,
    Other,
}

impl Finding {
    /// The class scoring counts this finding in: KEV with known ransomware use above KEV
    /// above critical above high above the rest.
    pub fn class(&self) -> Class {
        if self.kev && self.ransomware {
            Class::KevRansomware
        } else if self.kev {
            Class::Kev
        } else if self.severity.eq_ignore_ascii_case("critical") {
            Class::Critical
        } else if self.severity.eq_ignore_ascii_case("high") {
            Class::High
        } else {
            Class::Other
        }
    }
}

/// A device report's counts for one vendor (over the SBOMs of its devices).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VendorExposure {
    pub vendor_id: String,
    pub name: Option<String>,
    pub devices: usize,
    pub open: usize,
    pub kev: usize,
    pub kev_ransomware: usize,
    pub critical: usize,
    pub high: usize,
    /// The report's top finding ids, most urgent first.
    pub top: Vec<String>,
}

/// A document that could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FindingsError {
    #[error("{origin}: not valid JSON: {message}")]
    Json { origin: String, message: String },
    #[error(
        "{origin}: neither a `lifeline sbom scan --format json` document (top-level `reports`) \
         nor a `lifeline devices report --format json` document (top-level `devices` and `vendors`)"
    )]
    UnknownShape { origin: String },
    #[error("{origin}: {field}: {message}")]
    Field {
        origin: String,
        field: String,
        message: String,
    },
}

/// Reads a scan or device-report document, telling which it is from its top-level fields.
pub fn read(text: &str, origin: &str) -> Result<Observations, FindingsError> {
    let top: Top = serde_json::from_str(text).map_err(|e| FindingsError::Json {
        origin: origin.to_owned(),
        message: lifeline_text::excerpt_to(&e.to_string(), 300).into_owned(),
    })?;
    let field = |field: String, message: &str| FindingsError::Field {
        origin: origin.to_owned(),
        field,
        message: message.to_owned(),
    };
    if let Some(reports) = top.reports {
        let mut sboms = Vec::with_capacity(reports.len());
        for (i, report) in reports.into_iter().enumerate() {
            let mut findings = Vec::with_capacity(report.findings.len());
            for (j, f) in report.findings.into_iter().enumerate() {
                if f.id.is_empty() {
                    return Err(field(
                        format!("reports[{i}].findings[{j}].id"),
                        "expected a vulnerability id, found an empty string",
                    ));
                }
                let component = match (f.component.purl, f.component.name) {
                    (Some(purl), _) if !purl.is_empty() => purl,
                    (_, Some(name)) => match f.component.version {
                        Some(version) => format!("{name} {version}"),
                        None => name,
                    },
                    _ => String::from("(unnamed component)"),
                };
                let (kev, ransomware, due_date) = match f.kev {
                    Some(kev) => (
                        true,
                        kev.known_ransomware_campaign_use
                            .is_some_and(|use_| use_.eq_ignore_ascii_case("known")),
                        kev.due_date,
                    ),
                    None => (false, false, None),
                };
                findings.push(Finding {
                    id: f.id,
                    severity: f.severity.unwrap_or_else(|| "UNKNOWN".to_owned()),
                    score: f.score,
                    kev,
                    ransomware,
                    due_date,
                    component,
                    fixed_versions: f.fixed_versions,
                    open: f.status.as_deref().is_none_or(|s| s == "open"),
                });
            }
            let product = report.product.unwrap_or_default();
            sboms.push(ScannedSbom {
                source: report.source.unwrap_or_default(),
                serial_number: report.serial_number.filter(|s| !s.is_empty()),
                product_purl: product.purl.filter(|s| !s.is_empty()),
                product_name: product.name,
                product_version: product.version,
                findings,
            });
        }
        return Ok(Observations {
            origin: origin.to_owned(),
            source: Source::Scan,
            sboms,
            vendors: Vec::new(),
        });
    }
    match (top.devices, top.vendors) {
        (Some(_), Some(rows)) => {
            let mut vendors = Vec::with_capacity(rows.len());
            for (i, row) in rows.into_iter().enumerate() {
                if row.vendor_id.is_empty() {
                    return Err(field(
                        format!("vendors[{i}].vendorId"),
                        "expected a vendor id, found an empty string",
                    ));
                }
                let severity = |name: &str| {
                    row.counts
                        .by_severity
                        .iter()
                        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map(|(_, n)| *n)
                        .sum::<usize>()
                };
                vendors.push(VendorExposure {
                    critical: severity("critical"),
                    high: severity("high"),
                    vendor_id: row.vendor_id,
                    name: row.name,
                    devices: row.devices,
                    open: row.counts.open,
                    kev: row.counts.kev,
                    kev_ransomware: row.counts.kev_ransomware,
                    top: row.counts.top,
                });
            }
            Ok(Observations {
                origin: origin.to_owned(),
                source: Source::Devices,
                sboms: Vec::new(),
                vendors,
            })
        }
        _ => Err(FindingsError::UnknownShape {
            origin: origin.to_owned(),
        }),
    }
}

#[derive(Deserialize)]
struct Top {
    reports: Option<Vec<ScanReport>>,
    devices: Option<serde::de::IgnoredAny>,
    vendors: Option<Vec<DeviceVendor>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScanReport {
    source: Option<String>,
    serial_number: Option<String>,
    product: Option<Component>,
    #[serde(default)]
    findings: Vec<ScanFinding>,
}

#[derive(Deserialize, Default)]
struct Component {
    purl: Option<String>,
    name: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScanFinding {
    component: Component,
    id: String,
    severity: Option<String>,
    score: Option<f64>,
    #[serde(default)]
    fixed_versions: Vec<String>,
    kev: Option<Kev>,
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Kev {
    due_date: Option<String>,
    known_ransomware_campaign_use: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeviceVendor {
    vendor_id: String,
    name: Option<String>,
    #[serde(default)]
    devices: usize,
    counts: DeviceCounts,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeviceCounts {
    open: usize,
    #[serde(default)]
    by_severity: std::collections::BTreeMap<String, usize>,
    kev: usize,
    #[serde(default)]
    kev_ransomware: usize,
    #[serde(default)]
    top: Vec<String>,
}
