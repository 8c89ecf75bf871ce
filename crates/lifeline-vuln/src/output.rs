//! Renderings of scan reports other than lifeline's own JSON: SARIF 2.1.0 (for code-scanning
//! dashboards) and a CycloneDX 1.6 VEX document of our findings (for the device maker or
//! the next tool). Both are deterministic: no timestamps, no random serial numbers.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::cvss::Rating;
use crate::scan::{Finding, ScanReport, Status};

/// The URL of an advisory id's page.
pub fn advisory_url(id: &str) -> String {
    if id.starts_with("CVE-") {
        format!("https://nvd.nist.gov/vuln/detail/{id}")
    } else {
        format!("https://osv.dev/vulnerability/{id}")
    }
}

fn sarif_level(finding: &Finding) -> &'static str {
    if finding.kev.is_some() {
        return "error";
    }
    match finding.severity {
        Rating::Critical | Rating::High => "error",
        Rating::Medium | Rating::Unknown => "warning",
        Rating::Low | Rating::None => "note",
    }
}

fn component_label(finding: &Finding) -> String {
    finding
        .component
        .purl
        .clone()
        .unwrap_or_else(|| match &finding.component.version {
            Some(version) => format!("{}@{version}", finding.component.name),
            None => finding.component.name.clone(),
        })
}

/// One SARIF 2.1.0 log with one run over every report: one rule per vulnerability id, one
/// result per finding; VEX-suppressed findings carry a SARIF suppression with the reason.
pub fn sarif(reports: &[ScanReport], tool_version: &str) -> Value {
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for report in reports {
        for finding in &report.findings {
            rules.entry(finding.id.clone()).or_insert_with(|| {
                let mut rule = json!({
                    "id": finding.id,
                    "shortDescription": {"text": finding.summary.clone().unwrap_or_else(|| finding.id.clone())},
                    "helpUri": advisory_url(&finding.id),
                    "properties": {"tags": ["security", "vulnerability"]},
                });
                if let Some(score) = finding.score {
                    rule["properties"]["security-severity"] = json!(format!("{score:.1}"));
                }
                rule
            });
            let mut text = format!(
                "{} in {}: {}",
                finding.id,
                component_label(finding),
                finding.summary.as_deref().unwrap_or("no summary")
            );
            if let Some(kev) = &finding.kev {
                text.push_str(&format!(
                    " [CISA KEV: due {}, ransomware {}]",
                    kev.due_date, kev.known_ransomware_campaign_use
                ));
            }
            if !finding.fixed_versions.is_empty() {
                text.push_str(&format!(" Fixed in {}.", finding.fixed_versions.join(", ")));
            }
            let mut result = json!({
                "ruleId": finding.id,
                "level": sarif_level(finding),
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": report.source}},
                    "logicalLocations": [{"name": component_label(finding), "kind": "package"}],
                }],
                "properties": {
                    "aliases": finding.aliases,
                    "severity": finding.severity.as_str(),
                    "status": finding.status,
                },
            });
            if let Some(score) = finding.score {
                result["properties"]["score"] = json!(score);
            }
            if let Some(kev) = &finding.kev {
                result["properties"]["kev"] = json!(kev);
            }
            if let Some(vex) = &finding.vex {
                result["properties"]["vex"] = json!(vex);
                if finding.status != Status::Open {
                    result["suppressions"] = json!([{
                        "kind": "external",
                        "status": "accepted",
                        "justification": format!(
                            "VEX {}{}{}",
                            vex.status.as_str(),
                            vex.justification.as_deref().map(|j| format!(" ({j})")).unwrap_or_default(),
                            vex.detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default(),
                        ),
                    }]);
                }
            }
            results.push(result);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "lifeline",
                "version": tool_version,
                "informationUri": "https://example.invalid/lifeline",
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    })
}

/// A BOM-Link to a component of a scanned SBOM when the SBOM has a `urn:uuid` serial and a
/// version, else the component's bom-ref (or purl, or name).
fn affects_ref(finding: &Finding, serial: Option<&str>, version: Option<u64>) -> String {
    let local = finding
        .component
        .bom_ref
        .clone()
        .or_else(|| finding.component.purl.clone())
        .unwrap_or_else(|| finding.component.name.clone());
    match (serial.and_then(|s| s.strip_prefix("urn:uuid:")), version) {
        (Some(uuid), Some(version)) => format!("urn:cdx:{uuid}/{version}#{local}"),
        _ => local,
    }
}

/// The findings of one or more scans as one CycloneDX 1.6 VEX. Findings with a VEX analysis keep it;
/// the others are stated `in_triage` with the advisory's facts (their analysis is ours to
/// do). Components are named by BOM-Link when the scanned SBOM has a serial number.
pub fn cyclonedx_vex(reports: &[ScanReport], tool_version: &str) -> Value {
    let vulnerabilities: Vec<Value> = reports
        .iter()
        .flat_map(|report| report.findings.iter().map(move |finding| (report, finding)))
        .map(|(report, finding)| {
            let serial = report.serial_number.as_deref();
            let version = report.bom_version;
            let mut vulnerability = json!({
                "id": finding.id,
                "source": {"name": if finding.id.starts_with("CVE-") { "NVD" } else { "OSV" }, "url": advisory_url(&finding.id)},
                "affects": [{"ref": affects_ref(finding, serial, version)}],
            });
            let references: Vec<Value> = finding
                .aliases
                .iter()
                .map(|alias| json!({"id": alias, "source": {"name": "OSV", "url": advisory_url(alias)}}))
                .collect();
            if !references.is_empty() {
                vulnerability["references"] = json!(references);
            }
            if let Some(cvss) = &finding.cvss {
                vulnerability["ratings"] = json!([{
                    "score": cvss.score,
                    "severity": finding.severity.as_str().to_ascii_lowercase(),
                    "method": match cvss.version.as_str() { "3.0" => "CVSSv3", "3.1" => "CVSSv31", _ => "CVSSv4" },
                    "vector": cvss.vector,
                }]);
            } else if finding.severity != Rating::Unknown {
                vulnerability["ratings"] = json!([{
                    "severity": finding.severity.as_str().to_ascii_lowercase(),
                    "method": "other",
                }]);
            }
            if let Some(summary) = &finding.summary {
                vulnerability["description"] = json!(summary);
            }
            if !finding.fixed_versions.is_empty() {
                vulnerability["recommendation"] =
                    json!(format!("Upgrade to a fixed version: {}", finding.fixed_versions.join(", ")));
            }
            let analysis = match &finding.vex {
                Some(vex) => {
                    let mut analysis = json!({"state": vex.status.as_str()});
                    if let Some(justification) = &vex.justification {
                        analysis["justification"] = json!(justification);
                    }
                    if !vex.response.is_empty() {
                        analysis["response"] = json!(vex.response);
                    }
                    if let Some(detail) = &vex.detail {
                        analysis["detail"] = json!(detail);
                    }
                    analysis
                }
                None => json!({"state": "in_triage", "detail": "Matched by lifeline from OSV advisory data; not yet analysed."}),
            };
            vulnerability["analysis"] = analysis;
            let mut properties = Vec::new();
            if let Some(kev) = &finding.kev {
                properties.push(json!({"name": "lifeline:kev:dateAdded", "value": kev.date_added}));
                properties.push(json!({"name": "lifeline:kev:dueDate", "value": kev.due_date}));
                properties.push(json!({"name": "lifeline:kev:knownRansomwareCampaignUse", "value": kev.known_ransomware_campaign_use}));
            }
            if !properties.is_empty() {
                vulnerability["properties"] = json!(properties);
            }
            vulnerability
        })
        .collect();
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "tools": {"components": [{"type": "application", "name": "lifeline", "version": tool_version}]},
        },
        "vulnerabilities": vulnerabilities,
    })
}
