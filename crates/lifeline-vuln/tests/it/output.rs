//! SARIF and CycloneDX VEX output: the VEX we write validates against the CycloneDX 1.6
//! schema and reads back with the statuses we wrote.

use lifeline_vuln::output::{cyclonedx_vex, sarif};
use lifeline_vuln::read_sbom;
use lifeline_vuln::scan::{Sources, scan};
use lifeline_vuln::vex::{VexState, read_vex};

use crate::advisories::{index, kev};
use crate::bytes;

fn report() -> lifeline_vuln::scan::ScanReport {
    let statements = read_vex(
        &String::from_utf8(bytes(
            "bom-examples/VEX/CISA-Use-Cases/Case-1/vex-not_affected.json",
        ))
        .expect("utf-8")
        .replace("\"product-ABC\"", "\"requests\"")
        .replace("CVE-2021-44228", "CVE-2023-32681")
        .into_bytes(),
    )
    .expect("valid");
    let index = index();
    let kev = kev();
    let sbom = read_sbom(&bytes("scan/product-abc.cdx.json"))
        .expect("valid")
        .sbom;
    scan(
        &sbom,
        "product-abc.cdx.json",
        Sources {
            advisories: &index,
            kev: Some(&kev),
            vex: &statements,
        },
    )
}

#[test]
fn our_vex_is_valid_cyclonedx_and_reads_back() {
    let report = report();
    let vex = cyclonedx_vex(std::slice::from_ref(&report), "0.1.0");
    let text = serde_json::to_vec(&vex).expect("json");
    read_sbom(&text).unwrap_or_else(|e| panic!("our VEX must validate: {e}"));
    let statements = read_vex(&text).expect("reads back");
    assert_eq!(statements.len(), report.findings.len());
    let requests = statements
        .iter()
        .find(|s| s.id == "CVE-2023-32681")
        .expect("requests");
    assert_eq!(requests.state, VexState::NotAffected);
    assert_eq!(requests.justification.as_deref(), Some("code_not_present"));
    assert_eq!(
        requests.affects,
        ["urn:cdx:5a4d2b3c-1111-4c2d-9e8f-0123456789ab/1#requests"]
    );
    let log4j = statements
        .iter()
        .find(|s| s.id == "CVE-2021-44228")
        .expect("log4j");
    assert_eq!(log4j.state, VexState::InTriage);
}

#[test]
fn sarif_has_one_result_per_finding_and_suppressions() {
    let report = report();
    let log = sarif(std::slice::from_ref(&report), "0.1.0");
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), report.findings.len());
    assert_eq!(results[0]["ruleId"], "CVE-2021-44228");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(results[0]["properties"]["kev"]["dueDate"], "2021-12-24");
    let suppressed: Vec<&str> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    assert_eq!(suppressed, ["CVE-2023-32681"]);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "CVE-2021-44228" && r["properties"]["security-severity"] == "10.0")
    );
}
