//! KEV findings from a `lifeline sbom scan --format json` document: the open findings
//! listed in CISA's Known Exploited Vulnerabilities catalogue, with the product each
//! scanned SBOM describes, for the export's vulnerability and software objects.
//!
//! Only the fields the export needs are read (the document's layout is that of
//! `lifeline_vuln`'s scan output, which `lifeline_risk::findings` reads for scoring);
//! everything else is ignored. A finding is open unless its `status` says otherwise.

use serde::Deserialize;

/// A scan document that could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FindingsError {
    #[error("{origin}: {path}: {message}")]
    Field {
        origin: String,
        path: String,
        message: String,
    },
    #[error("{origin}: not a `lifeline sbom scan --format json` document (no top-level `reports`)")]
    UnknownShape { origin: String },
}

/// What the scan found, per scanned product with at least one open KEV finding.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KevFindings {
    pub products: Vec<AffectedProduct>,
}

/// The product an SBOM describes (its metadata component) and its open KEV findings.
#[derive(Debug, Clone, PartialEq)]
pub struct AffectedProduct {
    /// The product's name; the SBOM file's name when the SBOM names no product.
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub findings: Vec<KevFinding>,
}

/// One open finding on one component, listed in the KEV catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct KevFinding {
    /// The CVE id (the KEV entry's `cveId`, else the finding's id).
    pub cve: String,
    /// The advisory's one-line summary.
    pub summary: Option<String>,
    pub severity: Option<String>,
    pub score: Option<f64>,
    /// The vulnerable component: its purl, else its name and version.
    pub component: String,
    pub date_added: Option<String>,
    pub due_date: Option<String>,
    /// KEV says `knownRansomwareCampaignUse: Known`.
    pub ransomware: bool,
    pub required_action: Option<String>,
    pub fixed_versions: Vec<String>,
}

/// Reads a scan document; `origin` names it in errors.
pub fn read(text: &str, origin: &str) -> Result<KevFindings, FindingsError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let top: Top = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        FindingsError::Field {
            origin: origin.to_owned(),
            path: if path == "." {
                "(document)".to_owned()
            } else {
                path
            },
            message: lifeline_text::excerpt_to(&e.into_inner().to_string(), 300).into_owned(),
        }
    })?;
    let Some(reports) = top.reports else {
        return Err(FindingsError::UnknownShape {
            origin: origin.to_owned(),
        });
    };
    let mut products = Vec::new();
    for (i, report) in reports.into_iter().enumerate() {
        let mut findings: Vec<KevFinding> = Vec::new();
        for (j, finding) in report.findings.into_iter().enumerate() {
            let Some(kev) = finding.kev else { continue };
            if finding.status.as_deref().is_some_and(|s| s != "open") {
                continue;
            }
            let cve = kev.cve_id.unwrap_or(finding.id);
            if !is_cve(&cve) {
                return Err(FindingsError::Field {
                    origin: origin.to_owned(),
                    path: format!("reports[{i}].findings[{j}].kev.cveId"),
                    message: format!(
                        "`{}` is not a CVE id (CVE-YYYY-NNNN)",
                        lifeline_text::excerpt(&cve)
                    ),
                });
            }
            let component = match (finding.component.purl, finding.component.name) {
                (Some(purl), _) if !purl.is_empty() => purl,
                (_, Some(name)) => match finding.component.version {
                    Some(version) => format!("{name} {version}"),
                    None => name,
                },
                _ => "(unnamed component)".to_owned(),
            };
            if findings
                .iter()
                .any(|f| f.cve == cve && f.component == component)
            {
                continue;
            }
            findings.push(KevFinding {
                cve,
                summary: finding.summary.filter(|s| !s.trim().is_empty()),
                severity: finding.severity,
                score: finding.score,
                component,
                date_added: kev.date_added,
                due_date: kev.due_date,
                ransomware: kev
                    .known_ransomware_campaign_use
                    .is_some_and(|u| u.eq_ignore_ascii_case("known")),
                required_action: kev.required_action.filter(|s| !s.trim().is_empty()),
                fixed_versions: finding.fixed_versions,
            });
        }
        if findings.is_empty() {
            continue;
        }
        let product = report.product.unwrap_or_default();
        let name = product
            .name
            .filter(|n| !n.trim().is_empty())
            .or_else(|| report.source.filter(|s| !s.trim().is_empty()))
            .unwrap_or_else(|| format!("scanned SBOM {}", i + 1));
        products.push(AffectedProduct {
            name,
            version: product.version.filter(|v| !v.trim().is_empty()),
            purl: product.purl.filter(|p| !p.trim().is_empty()),
            findings,
        });
    }
    Ok(KevFindings { products })
}

/// `CVE-YYYY-NNNN…`: the form the CVE programme assigns (four or more digits).
pub fn is_cve(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, number)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && number.len() >= 4
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[derive(Deserialize)]
struct Top {
    reports: Option<Vec<Report>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    source: Option<String>,
    product: Option<Component>,
    #[serde(default)]
    findings: Vec<Finding>,
}

#[derive(Deserialize, Default)]
struct Component {
    purl: Option<String>,
    name: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Finding {
    #[serde(default)]
    component: Component,
    id: String,
    summary: Option<String>,
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
    cve_id: Option<String>,
    date_added: Option<String>,
    due_date: Option<String>,
    known_ransomware_campaign_use: Option<String>,
    required_action: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cve_ids() {
        assert!(is_cve("CVE-2021-44228"));
        assert!(is_cve("CVE-2024-1234"));
        assert!(!is_cve("CVE-2024-123"));
        assert!(!is_cve("GHSA-jfh8-c2jp-5v3q"));
        assert!(!is_cve("CVE-20x4-12345"));
    }

    #[test]
    fn a_document_of_another_shape_is_named() {
        assert!(matches!(
            read("{}", "x.json"),
            Err(FindingsError::UnknownShape { .. })
        ));
        let err =
            read(r#"{"reports": [{"findings": [{"id": 3}]}]}"#, "x.json").expect_err("bad id");
        assert!(
            err.to_string().contains("reports[0].findings[0].id"),
            "{err}"
        );
    }
}
