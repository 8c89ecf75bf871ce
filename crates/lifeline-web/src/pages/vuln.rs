//! `/vulnerabilities`: the organisation's SBOMs scanned against its advisories (OSV, CISA
//! KEV, VEX), as products, vendors and findings, open and known-exploited first. The rows
//! are built from lifeline-vuln's scan reports, the same reports the API's scan and device
//! report return (and `lifeline sbom scan`).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use askama::Template;
use lifeline_network::vendor_id;
use lifeline_vuln::devices::{DeviceReport, LinkRule};
use lifeline_vuln::model::Sbom;
use lifeline_vuln::scan::{Finding, ScanReport, Status};

use super::{Chrome, UploadError};
use crate::format::decimal;

/// What the organisation's advisories hold.
#[derive(Debug, Clone, Default)]
pub struct AdvisoryState {
    /// OSV records loaded.
    pub osv_records: i64,
    /// The KEV catalogue's version, when one is loaded.
    pub kev_version: Option<String>,
    /// VEX documents loaded.
    pub vex_documents: usize,
}

/// An SBOM as stored: what the products table shows before any scan.
#[derive(Debug, Clone)]
pub struct SbomItem {
    pub name: String,
    pub kind: String,
    pub components: i64,
    /// `2026-12-06 05:04 UTC`, and who.
    pub uploaded: String,
}

/// The vendor an SBOM names: its manufacturer, else its supplier, else its product's
/// supplier (the order `lifeline devices report` links devices by).
pub fn sbom_vendor(sbom: &Sbom) -> Option<String> {
    [
        sbom.metadata.manufacturer.as_deref(),
        sbom.metadata.supplier.as_deref(),
        sbom.metadata
            .component
            .as_ref()
            .and_then(|c| c.supplier.as_deref()),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .find(|v| !v.is_empty())
    .map(str::to_owned)
}

/// Shown where an SBOM names no vendor.
pub const NO_VENDOR: &str = "(no vendor named)";

/// Finding counts of a product or vendor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub open: usize,
    /// Open and in CISA KEV.
    pub kev: usize,
    /// Open, in KEV, with known ransomware use.
    pub ransomware: usize,
    /// Open and CRITICAL or HIGH.
    pub critical: usize,
    pub high: usize,
    /// Closed by VEX.
    pub resolved: usize,
    pub suppressed: usize,
}

impl Counts {
    fn add(&mut self, finding: &Finding) {
        match finding.status {
            Status::Open => {
                self.open += 1;
                if let Some(kev) = &finding.kev {
                    self.kev += 1;
                    if kev.ransomware() {
                        self.ransomware += 1;
                    }
                }
                match finding.severity.as_str() {
                    "CRITICAL" => self.critical += 1,
                    "HIGH" => self.high += 1,
                    _ => {}
                }
            }
            Status::Resolved => self.resolved += 1,
            Status::Suppressed => self.suppressed += 1,
        }
    }
    fn add_all(&mut self, other: &Counts) {
        self.open += other.open;
        self.kev += other.kev;
        self.ransomware += other.ransomware;
        self.critical += other.critical;
        self.high += other.high;
        self.resolved += other.resolved;
        self.suppressed += other.suppressed;
    }
}

/// One scanned SBOM (a product).
#[derive(Debug, Clone)]
pub struct ProductRow {
    pub name: String,
    /// The product the SBOM describes, `name version`.
    pub product: String,
    pub vendor: String,
    pub kind: String,
    pub components: usize,
    /// Components that could not be matched (no purl, no version, ...).
    pub unmatched: usize,
    pub counts: Counts,
}

/// One vendor, over its products.
#[derive(Debug, Clone)]
pub struct VendorRow {
    pub vendor: String,
    pub products: usize,
    pub counts: Counts,
}

/// One finding of one product.
#[derive(Debug, Clone)]
pub struct VulnRow {
    pub product: String,
    pub vendor: String,
    /// `name@version`.
    pub component: String,
    /// The CVE when there is one, else the first OSV id.
    pub id: String,
    pub aliases: String,
    pub summary: String,
    /// `CRITICAL`, `HIGH`, ...
    pub severity: &'static str,
    /// `9.8 (CVSS 3.1)`, or empty.
    pub score: String,
    pub kev: bool,
    pub ransomware: bool,
    /// The KEV remediation due date.
    pub kev_due: String,
    /// What CISA requires.
    pub kev_action: String,
    /// `open`, `resolved`, `suppressed`.
    pub status: &'static str,
    /// The VEX status and justification, or empty.
    pub vex: String,
    pub fixed: String,
}

impl VulnRow {
    fn of(product: &str, vendor: &str, f: &Finding) -> VulnRow {
        let component = match &f.component.version {
            Some(v) => format!("{}@{v}", f.component.name),
            None => f.component.name.clone(),
        };
        VulnRow {
            product: product.to_owned(),
            vendor: vendor.to_owned(),
            component,
            id: f.id.clone(),
            aliases: f.aliases.join(", "),
            summary: f.summary.as_deref().map(shortened).unwrap_or_default(),
            severity: f.severity.as_str(),
            score: match (&f.score, &f.cvss) {
                (Some(s), Some(c)) => format!("{} (CVSS {})", decimal(*s, 1), c.version),
                (Some(s), None) => decimal(*s, 1),
                _ => String::new(),
            },
            kev: f.kev.is_some(),
            ransomware: f.kev.as_ref().is_some_and(|k| k.ransomware()),
            kev_due: f
                .kev
                .as_ref()
                .map(|k| k.due_date.clone())
                .unwrap_or_default(),
            kev_action: f
                .kev
                .as_ref()
                .map(|k| k.required_action.clone())
                .unwrap_or_default(),
            status: match f.status {
                Status::Open => "open",
                Status::Resolved => "resolved",
                Status::Suppressed => "suppressed",
            },
            vex: f
                .vex
                .as_ref()
                .map(|v| match &v.justification {
                    Some(j) => format!("{} ({j})", v.status.as_str()),
                    None => v.status.as_str().to_owned(),
                })
                .unwrap_or_default(),
            fixed: f.fixed_versions.join(", "),
        }
    }
}

/// Characters of an advisory's summary the table shows.
const SUMMARY_CHARS: usize = 140;

/// `text` cut to [`SUMMARY_CHARS`] characters, with `…` when cut.
fn shortened(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(SUMMARY_CHARS) {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text.to_owned(),
    }
}

/// The order findings are listed in across products: open first; in KEV first; known
/// ransomware use first; the earlier KEV due date; the higher CVSS score (none last);
/// then each report's own order (the sort is stable).
fn priority(a: &Finding, b: &Finding) -> Ordering {
    let status = |f: &Finding| f.status;
    let kev = |f: &Finding| f.kev.is_none();
    let ransomware = |f: &Finding| !f.kev.as_ref().is_some_and(|k| k.ransomware());
    let due = |f: &Finding| f.kev.as_ref().map(|k| k.due_date.clone());
    status(a)
        .cmp(&status(b))
        .then(kev(a).cmp(&kev(b)))
        .then(ransomware(a).cmp(&ransomware(b)))
        .then(due(a).cmp(&due(b)))
        .then(match (a.score, b.score) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
}

/// Findings the page lists at most (all are counted).
pub const FINDING_ROWS: usize = 1000;

/// The scan of every SBOM, as the page shows it.
#[derive(Debug, Clone, Default)]
pub struct Scanned {
    pub products: Vec<ProductRow>,
    pub vendors: Vec<VendorRow>,
    pub findings: Vec<VulnRow>,
    /// Every finding, and the totals.
    pub finding_count: usize,
    pub totals: Counts,
}

impl Scanned {
    /// Products, vendors (most open KEV findings first) and findings in priority order.
    pub fn new(scanned: &[(Sbom, ScanReport)]) -> Scanned {
        let mut products = Vec::with_capacity(scanned.len());
        let mut vendors: BTreeMap<String, VendorRow> = BTreeMap::new();
        let mut all: Vec<(&str, String, &Finding)> = Vec::new();
        let mut totals = Counts::default();
        for (sbom, report) in scanned {
            let vendor = sbom_vendor(sbom);
            let vendor_name = vendor.clone().unwrap_or_else(|| NO_VENDOR.to_owned());
            let mut counts = Counts::default();
            for finding in &report.findings {
                counts.add(finding);
                all.push((&report.source, vendor_name.clone(), finding));
            }
            totals.add_all(&counts);
            let key = vendor.as_deref().map(vendor_id).unwrap_or_default();
            let row = vendors.entry(key).or_insert_with(|| VendorRow {
                vendor: vendor_name.clone(),
                products: 0,
                counts: Counts::default(),
            });
            row.products += 1;
            row.counts.add_all(&counts);
            products.push(ProductRow {
                name: report.source.clone(),
                product: report
                    .product
                    .as_ref()
                    .map(|p| match &p.version {
                        Some(v) => format!("{} {v}", p.name),
                        None => p.name.clone(),
                    })
                    .unwrap_or_default(),
                vendor: vendor_name,
                kind: report.kind.clone(),
                components: report.summary.components,
                unmatched: report.summary.unmatched,
                counts,
            });
        }
        let worst_first = |a: &Counts, b: &Counts| {
            b.kev
                .cmp(&a.kev)
                .then(b.ransomware.cmp(&a.ransomware))
                .then(b.critical.cmp(&a.critical))
                .then(b.open.cmp(&a.open))
        };
        products.sort_by(|a, b| worst_first(&a.counts, &b.counts));
        let mut vendors: Vec<VendorRow> = vendors.into_values().collect();
        vendors.sort_by(|a, b| worst_first(&a.counts, &b.counts).then(a.vendor.cmp(&b.vendor)));
        all.sort_by(|a, b| priority(a.2, b.2));
        Scanned {
            finding_count: all.len(),
            findings: all
                .iter()
                .take(FINDING_ROWS)
                .map(|(product, vendor, f)| VulnRow::of(product, vendor, f))
                .collect(),
            products,
            vendors,
            totals,
        }
    }
}

/// One device of an inventory, with the SBOMs that describe it.
#[derive(Debug, Clone)]
pub struct DeviceView {
    pub label: String,
    pub id: String,
    pub manufacturer: String,
    /// The SBOMs linked, each with the rule that linked it.
    pub sboms: String,
    pub open: usize,
    pub kev: usize,
    pub ransomware: usize,
    pub critical: usize,
    /// The open vulnerability ids, KEV and highest scores first.
    pub top: String,
}

/// A device inventory rolled up against the SBOM scans (`lifeline devices report`).
#[derive(Debug, Clone)]
pub struct Devices {
    /// The inventory's file name.
    pub file: String,
    /// Devices, most open KEV findings first.
    pub rows: Vec<DeviceView>,
    pub without_sbom: String,
    pub unlinked_sboms: String,
    /// Vendors of the inventory: name, devices, products, open, KEV.
    pub vendors: Vec<(String, usize, usize, usize, usize)>,
}

impl Devices {
    pub fn new(file: &str, report: &DeviceReport) -> Devices {
        Devices {
            file: file.to_owned(),
            rows: report
                .devices
                .iter()
                .map(|d| DeviceView {
                    label: d.device.label(),
                    id: d.device.id.clone(),
                    manufacturer: d.device.manufacturer.clone().unwrap_or_default(),
                    sboms: d
                        .sboms
                        .iter()
                        .map(|(name, rule)| {
                            let rule = match rule {
                                LinkRule::UdiDi => "by UDI-DI",
                                LinkRule::ManufacturerModel => "by manufacturer and model",
                            };
                            format!("{name} ({rule})")
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    open: d.counts.open,
                    kev: d.counts.kev,
                    ransomware: d.counts.kev_ransomware,
                    critical: d.counts.by_severity.get("CRITICAL").copied().unwrap_or(0),
                    top: d.counts.top.join(", "),
                })
                .collect(),
            without_sbom: report.devices_without_sbom.join(", "),
            unlinked_sboms: report.unlinked_sboms.join(", "),
            vendors: report
                .vendors
                .iter()
                .map(|v| {
                    (
                        v.name.clone(),
                        v.devices,
                        v.products,
                        v.counts.open,
                        v.counts.kev,
                    )
                })
                .collect(),
        }
    }
}

/// `/vulnerabilities`.
#[derive(Debug, Template)]
#[template(path = "vulnerabilities.html")]
pub struct VulnPage {
    pub chrome: Chrome,
    /// A confirmation (after an upload).
    pub notice: Option<String>,
    pub advisories: AdvisoryState,
    /// The organisation's SBOMs as stored.
    pub sboms: Vec<SbomItem>,
    /// The scan, when OSV advisories are loaded and there is an SBOM.
    pub scanned: Option<Scanned>,
    /// Whether the user loads advisories (an admin).
    pub is_admin: bool,
    /// A device inventory rolled up, after the devices form.
    pub devices: Option<Devices>,
    /// Why the devices form's inventory was refused.
    pub device_errors: Vec<UploadError>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tab;

    fn chrome() -> Chrome {
        Chrome {
            user: "ada".into(),
            org: "North".into(),
            role: "viewer".into(),
            csrf: "token".into(),
            can_upload: false,
            tab: Tab::Vulnerabilities,
        }
    }

    fn page(advisories: AdvisoryState, sboms: Vec<SbomItem>, scanned: Option<Scanned>) -> String {
        VulnPage {
            chrome: chrome(),
            notice: None,
            advisories,
            sboms,
            scanned,
            is_admin: false,
            devices: None,
            device_errors: Vec::new(),
        }
        .render()
        .expect("renders")
    }

    #[test]
    fn without_sboms_or_advisories_the_page_says_what_to_do() {
        let html = page(AdvisoryState::default(), Vec::new(), None);
        assert!(html.contains("No SBOM"), "{html}");
        assert!(html.contains("/api/v1/advisories/osv"), "{html}");
        assert!(!html.contains("id=\"vuln-findings\""));
    }

    #[test]
    fn kev_findings_come_first_and_say_so_in_words() {
        let sbom: &[u8] = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "metadata": {"component": {"type": "device", "name": "Pump", "version": "2"},
                         "manufacturer": {"name": "Acme Devices, Inc"}},
            "components": [
              {"type": "library", "name": "log4j-core", "version": "2.14.1", "bom-ref": "a",
               "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
              {"type": "library", "name": "lodash", "version": "4.17.20", "bom-ref": "b",
               "purl": "pkg:npm/lodash@4.17.20"}]}"#;
        let low = br#"{"id": "GHSA-low", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2021-0001"],
             "summary": "a <b>low</b> one",
             "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"}],
             "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
               "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]}"#;
        let known = br#"{"id": "GHSA-kev", "modified": "2024-01-01T00:00:00Z", "aliases": ["CVE-2021-44228"],
             "affected": [{"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"fixed": "2.15.0"}]}]}]}"#;
        let kev = br#"{"title": "KEV", "catalogVersion": "2025.01.01", "dateReleased": "2025-01-01T00:00:00.000Z", "count": 1,
            "vulnerabilities": [{"cveID": "CVE-2021-44228", "vendorProject": "Apache", "product": "Log4j",
              "vulnerabilityName": "Log4Shell", "dateAdded": "2021-12-10", "shortDescription": "RCE",
              "requiredAction": "Apply updates.", "dueDate": "2021-12-24",
              "knownRansomwareCampaignUse": "Known", "notes": "", "cwes": []}]}"#;
        let loaded = lifeline_vuln::read_sbom(sbom).expect("an SBOM");
        let mut index = lifeline_vuln::osv::AdvisoryIndex::new();
        index.add_json("low.json", low).expect("an advisory");
        index.add_json("kev.json", known).expect("an advisory");
        let sources = lifeline_vuln::scan::LoadedSources {
            index,
            kev: Some(lifeline_vuln::kev::KevCatalogue::parse(kev).expect("KEV")),
            vex: Vec::new(),
        };
        let report = lifeline_vuln::scan::scan(&loaded.sbom, "pump.cdx.json", sources.sources());
        let scanned = Scanned::new(&[(loaded.sbom, report)]);
        assert_eq!(scanned.finding_count, 2, "{:?}", scanned.findings);
        let first = &scanned.findings[0];
        assert_eq!(first.id, "CVE-2021-44228");
        assert!(first.kev && first.ransomware);
        assert_eq!(first.vendor, "Acme Devices, Inc");
        assert_eq!(scanned.vendors.len(), 1);
        assert_eq!(scanned.vendors[0].counts.kev, 1);
        assert_eq!(scanned.vendors[0].counts.open, 2);
        assert_eq!(scanned.products[0].product, "Pump 2");

        let html = page(
            AdvisoryState {
                osv_records: 2,
                kev_version: Some("2025.01.01".into()),
                vex_documents: 0,
            },
            vec![SbomItem {
                name: "pump.cdx.json".into(),
                kind: "CycloneDX 1.6 JSON".into(),
                components: 2,
                uploaded: "2026-12-06 05:04 UTC by ada".into(),
            }],
            Some(scanned),
        );
        let table = &html[html.find("id=\"vuln-findings\"").expect("the table")..];
        let kev_at = table.find("CVE-2021-44228").expect("the KEV finding");
        let low_at = table.find("CVE-2021-0001").expect("the other finding");
        assert!(kev_at < low_at, "KEV first");
        assert!(table.contains("Known exploited"), "KEV in words");
        assert!(table.contains("ransomware"));
        assert!(
            table.contains("a &#60;b&#62;low&#60;/b&#62; one")
                || table.contains("a &lt;b&gt;low&lt;/b&gt; one")
        );
        assert!(html.contains("id=\"vuln-vendors\""));
        assert!(html.contains("fix due 2021-12-24"));
    }

    #[test]
    fn long_summaries_are_cut_on_a_character() {
        let long = "é".repeat(200);
        let cut = shortened(&long);
        assert_eq!(cut.chars().count(), SUMMARY_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(shortened(" short "), "short");
    }
}
