//! `lifeline vendors validate`: the example registers are valid against their networks,
//! an invalid register exits 2 with every problem named by vendor and field, and the
//! example SBOM's scan output is what `lifeline sbom scan` writes today.

use crate::{check, repo, temp};

#[test]
fn the_example_registers_are_valid_against_their_networks() {
    let (out, err) = check(
        &[
            "vendors",
            "validate",
            "examples/iv-fluids.vendors.json",
            "--network",
            "examples/iv-fluids.json",
        ],
        0,
    );
    assert_eq!(
        out,
        "examples/iv-fluids.vendors.json: valid: vendors 7, products 4, controls 33, answers 30, incidents 2\n"
    );
    assert!(err.is_empty(), "{err}");
    let (out, _) = check(
        &[
            "vendors",
            "validate",
            "examples/distributor-ransomware.vendors.json",
            "--network",
            "examples/distributor-ransomware.json",
            "--format",
            "json",
        ],
        0,
    );
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
    assert_eq!(report["valid"], true);
    assert_eq!(report["network"], "examples/distributor-ransomware.json");
    assert_eq!(report["diagnostics"], serde_json::json!([]));
}

#[test]
fn an_invalid_register_exits_2_with_every_problem() {
    let register = temp("invalid.vendors.json");
    std::fs::write(
        &register,
        r#"{"format": "lifeline-vendors/1", "as_of": "2026-12-01", "vendors": [
            {"id": "meridian-edi", "name": "Meridian EDI", "subcontractors": ["cloudhost"]},
            {"id": "cloud-host", "name": "Cloud Host"},
            {"id": "Acme Inc", "name": "Acme"},
            {"id": "acme", "name": "Acme", "controls": {"mfa": "yes"},
             "answers": [{"question": "GV.SC-05", "answer": "maybe"}, {"question": "Q9", "answer": "no"}]}
        ]}"#,
    )
    .expect("write the register");
    let path = register.to_string_lossy().into_owned();
    let (out, _) = check(&["vendors", "validate", &path], 2);
    for expected in [
        "error: vendors[2].id: `Acme Inc` is not a vendor id: lower-case letters and digits joined by single hyphens\n  hint: write \"acme-inc\"",
        "error: vendors[3].controls.mfa: expected true or false, or a control object, found `\"yes\"`",
        "error: vendors[3].answers[0].answer: unknown answer `maybe`, expected `yes`, `partial`, `no` or `na`",
        "warning: vendors[3].answers[1].question: `Q9` is not a question of the questionnaires lifeline knows",
        "error: vendors[0].subcontractors[0]: unknown vendor `cloudhost`: the register lists no vendor with this id\n  hint: did you mean `cloud-host`?",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    assert!(
        out.ends_with(&format!("{path}: invalid: 4 error(s)\n")),
        "{out}"
    );
    let (out, _) = check(&["vendors", "validate", &path, "--format", "json"], 2);
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
    assert_eq!(report["valid"], false);
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diagnostics.len(), 5, "{out}");
    assert_eq!(diagnostics[0]["severity"], "error");
    assert_eq!(diagnostics[0]["path"], "vendors[2].id");
    let _ = std::fs::remove_file(register);
}

#[test]
fn a_vendor_no_network_entity_carries_is_a_warning_not_an_error() {
    let register = temp("unknown-vendor.vendors.yaml");
    std::fs::write(
        &register,
        "format: lifeline-vendors/1\nvendors:\n  - id: meridian-edi\n    name: Meridian EDI\n  - id: nobody-we-use\n    name: Nobody\n",
    )
    .expect("write the register");
    let path = register.to_string_lossy().into_owned();
    let (out, _) = check(
        &[
            "vendors",
            "validate",
            &path,
            "--network",
            "examples/iv-fluids.json",
        ],
        0,
    );
    assert_eq!(
        out,
        format!(
            "warning: vendors[1].id: no node, site or platform of the network carries vendor `nobody-we-use`: its impact will be unknown\n  \
             hint: give the entities it runs or supplies `\"vendor\": \"nobody-we-use\"` in the network\n\
             {path}: valid: vendors 2, products 0, controls 0, answers 0, incidents 0\n"
        )
    );
    let _ = std::fs::remove_file(register);
}

#[test]
fn unreadable_registers_and_networks_exit_2() {
    let (_, err) = check(&["vendors", "validate", "no/such/register.json"], 2);
    assert!(err.contains("cannot read `no/such/register.json`"), "{err}");
    let broken = temp("broken.vendors.json");
    std::fs::write(&broken, "{\"vendors\": [").expect("write");
    let path = broken.to_string_lossy().into_owned();
    let (_, err) = check(&["vendors", "validate", &path], 2);
    assert!(err.contains("is not valid JSON"), "{err}");
    let (_, err) = check(
        &[
            "vendors",
            "validate",
            "examples/iv-fluids.vendors.json",
            "--network",
            "no/such/network.json",
        ],
        2,
    );
    assert!(err.contains("cannot read `no/such/network.json`"), "{err}");
    let _ = std::fs::remove_file(broken);
}

/// `examples/sbom/orderline-commerce-7.2.scan.json` is `lifeline sbom scan` of the example
/// SBOM against the repository's OSV and KEV test data, byte for byte; its log4j-core
/// finding is in KEV with known ransomware use, which the distributor example's
/// `orderline-systems` product carries through the SBOM's serial number.
#[test]
fn the_example_sbom_scan_is_current() {
    let (out, _) = check(
        &[
            "sbom",
            "scan",
            "examples/sbom/orderline-commerce-7.2.cdx.json",
            "--osv",
            "crates/lifeline-vuln/tests/data/osv/ghsa-converted",
            "--osv",
            "crates/lifeline-vuln/tests/data/osv-extra",
            "--kev",
            "crates/lifeline-vuln/tests/data/kev/known_exploited_vulnerabilities.excerpt.json",
            "--format",
            "json",
        ],
        0,
    );
    let stored = repo().join("examples/sbom/orderline-commerce-7.2.scan.json");
    if std::env::var_os("LIFELINE_BLESS").is_some() {
        std::fs::write(&stored, &out).expect("write the scan");
    }
    let expected = std::fs::read_to_string(&stored).expect("examples/sbom scan output");
    assert!(
        out == expected,
        "the scan of examples/sbom/orderline-commerce-7.2.cdx.json changed; rerun with LIFELINE_BLESS=1 and review"
    );
    let scan: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let report = &scan["reports"][0];
    assert_eq!(
        report["serialNumber"],
        "urn:uuid:3f6c2a8e-5b1d-4c7e-9a42-8d0e6b1f7c35"
    );
    let kev = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["kev"]["knownRansomwareCampaignUse"] == "Known")
        .expect("a KEV finding with known ransomware use");
    assert_eq!(kev["component"]["name"], "log4j-core");
    let register: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("examples/distributor-ransomware.vendors.json"))
            .expect("register"),
    )
    .expect("JSON");
    let sboms: Vec<&serde_json::Value> = register["vendors"]
        .as_array()
        .expect("vendors")
        .iter()
        .flat_map(|v| v["products"].as_array().into_iter().flatten())
        .map(|p| &p["sbom"])
        .collect();
    assert!(sboms.contains(&&report["serialNumber"]), "{sboms:?}");
}
