//! `lifeline sbom validate`, `lifeline sbom scan` and `lifeline devices report` end to end.

use super::{check, temp};

const DATA: &str = "crates/lifeline-vuln/tests/data";

fn data(relative: &str) -> String {
    format!("{DATA}/{relative}")
}

/// The OSV folder used by the scans: the fixture records and the hand-written ones.
fn osv_args() -> Vec<String> {
    [
        "--osv",
        &data("osv/ghsa-converted"),
        "--osv",
        &data("osv-extra"),
        "--osv",
        &data("osv/osv-linter-testdata/PYSEC-2023-74.json"),
        "--osv",
        &data("osv/osv-linter-testdata/GO-2020-0001.json"),
        "--kev",
        &data("kev/known_exploited_vulnerabilities.excerpt.json"),
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

fn run(args: &[&str], extra: &[String], code: i32) -> (String, String) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(extra.iter().map(String::as_str));
    check(&all, code)
}

#[test]
fn validate_accepts_valid_boms_of_every_kind() {
    let (out, _) = check(
        &[
            "sbom",
            "validate",
            &data("cyclonedx-spec-tests/1.6/valid-bom-1.6.json"),
            &data("cyclonedx-spec-tests/1.6/valid-bom-1.6.xml"),
            &data("spdx/infusion-pump.spdx.json"),
        ],
        0,
    );
    assert!(
        out.contains("valid-bom-1.6.json: valid CycloneDX 1.6 JSON"),
        "{out}"
    );
    assert!(
        out.contains("valid-bom-1.6.xml: valid CycloneDX 1.6 XML"),
        "{out}"
    );
    assert!(
        out.contains("infusion-pump.spdx.json: valid SPDX 2.3 JSON: 4 components"),
        "{out}"
    );
}

#[test]
fn validate_rejects_invalid_boms_with_exit_2_and_paths() {
    let (out, _) = check(
        &[
            "sbom",
            "validate",
            &data("cyclonedx-spec-tests/1.6/invalid-hash-md5-1.6.json"),
        ],
        2,
    );
    assert!(out.contains("components[0].hashes[0].content"), "{out}");
    assert!(out.contains("invalid CycloneDX 1.6 JSON"), "{out}");
}

#[test]
fn scan_rejects_an_invalid_bom_before_reading_anything() {
    let (out, err) = run(
        &[
            "sbom",
            "scan",
            &data("cyclonedx-spec-tests/1.6/invalid-bomformat-1.6.json"),
        ],
        &osv_args(),
        2,
    );
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("bomFormat"), "{err}");
}

#[test]
fn scan_table_puts_kev_first() {
    let (out, _) = run(
        &["sbom", "scan", &data("scan/product-abc.cdx.json")],
        &osv_args(),
        0,
    );
    insta::assert_snapshot!(out);
}

#[test]
fn scan_json_keeps_the_findings_contract() {
    let (out, _) = run(
        &[
            "sbom",
            "scan",
            &data("scan/product-abc.cdx.json"),
            "--format",
            "json",
        ],
        &osv_args(),
        0,
    );
    let report: serde_json::Value = serde_json::from_str(&out).expect("json");
    let finding = &report["reports"][0]["findings"][0];
    assert_eq!(finding["component"]["bomRef"], "log4j-core");
    assert_eq!(
        finding["component"]["purl"],
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    );
    assert_eq!(finding["component"]["name"], "log4j-core");
    assert_eq!(finding["component"]["version"], "2.14.1");
    assert_eq!(finding["id"], "CVE-2021-44228");
    assert_eq!(
        finding["aliases"],
        serde_json::json!(["GHSA-jfh8-c2jp-5v3q"])
    );
    assert_eq!(finding["summary"], "Remote code injection in Log4j");
    assert_eq!(finding["severity"], "CRITICAL");
    assert_eq!(finding["score"], 10.0);
    assert_eq!(
        finding["fixedVersions"],
        serde_json::json!(["2.3.1", "2.15.0"])
    );
    assert_eq!(finding["kev"]["dateAdded"], "2021-12-10");
    assert_eq!(finding["kev"]["dueDate"], "2021-12-24");
    assert_eq!(finding["kev"]["knownRansomwareCampaignUse"], "Known");
    assert!(finding["vex"].is_null());
}

#[test]
fn scan_with_vex_suppresses_and_keeps_the_reason() {
    let vex = temp("not-affected.vex.json");
    let text = std::fs::read_to_string(super::repo().join(data(
        "bom-examples/VEX/CISA-Use-Cases/Case-1/vex-not_affected.json",
    )))
    .expect("read");
    std::fs::write(&vex, text.replace("\"product-ABC\"", "\"log4j-core\"")).expect("write");
    let mut extra = osv_args();
    extra.extend(["--vex".to_owned(), vex.display().to_string()]);
    let (out, _) = run(
        &[
            "sbom",
            "scan",
            &data("scan/product-abc.cdx.json"),
            "--format",
            "json",
        ],
        &extra,
        0,
    );
    let report: serde_json::Value = serde_json::from_str(&out).expect("json");
    let findings = report["reports"][0]["findings"]
        .as_array()
        .expect("findings");
    let last = findings.last().expect("a finding");
    assert_eq!(last["id"], "CVE-2021-44228");
    assert_eq!(last["status"], "suppressed");
    assert_eq!(last["vex"]["status"], "not_affected");
    assert_eq!(last["vex"]["justification"], "code_not_present");
    let _ = std::fs::remove_file(vex);
}

#[test]
fn scan_writes_sarif_and_a_valid_cyclonedx_vex() {
    let (out, _) = run(
        &[
            "sbom",
            "scan",
            &data("scan/product-abc.cdx.json"),
            "--format",
            "sarif",
        ],
        &osv_args(),
        0,
    );
    let sarif: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "CVE-2021-44228");
    let (out, _) = run(
        &[
            "sbom",
            "scan",
            &data("scan/product-abc.cdx.json"),
            "--format",
            "cyclonedx-vex",
        ],
        &osv_args(),
        0,
    );
    let path = temp("ours.vex.json");
    std::fs::write(&path, &out).expect("write");
    let (validated, _) = check(&["sbom", "validate", &path.display().to_string()], 0);
    assert!(
        validated.contains("valid CycloneDX 1.6 JSON"),
        "{validated}"
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn scan_fail_on_kev_exits_1() {
    run(
        &[
            "sbom",
            "scan",
            &data("scan/product-abc.cdx.json"),
            "--fail-on",
            "kev",
        ],
        &osv_args(),
        1,
    );
}

#[test]
fn devices_report_rolls_up_per_device_product_and_vendor() {
    let folder = temp("sboms");
    std::fs::create_dir_all(&folder).expect("mkdir");
    for name in ["scan/product-abc.cdx.json", "spdx/infusion-pump.spdx.json"] {
        let file = name.rsplit('/').next().expect("name");
        std::fs::copy(super::repo().join(data(name)), folder.join(file)).expect("copy");
    }
    let folder_text = folder.display().to_string();
    let (out, _) = run(
        &[
            "devices",
            "report",
            "--devices",
            &data("devices/inventory.json"),
            "--sboms",
            &folder_text,
        ],
        &osv_args(),
        0,
    );
    // Column widths depend on the temporary folder's name: compare words, not spacing.
    let out: Vec<String> = out
        .replace(&folder_text, "SBOMS")
        .lines()
        .filter(|line| !line.starts_with("---"))
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    insta::assert_snapshot!(out.join("\n"));
    let _ = std::fs::remove_dir_all(folder);
}

/// With `--network`, each vendor row names the network entities that carry its vendor id.
#[test]
fn devices_report_names_network_entities_per_vendor() {
    let folder = temp("sboms-network");
    std::fs::create_dir_all(&folder).expect("mkdir");
    let name = "spdx/infusion-pump.spdx.json";
    std::fs::copy(
        super::repo().join(data(name)),
        folder.join("infusion-pump.spdx.json"),
    )
    .expect("copy");
    let network = temp("vendors-network.json");
    std::fs::write(
        &network,
        r#"{"format": "lifeline-network/1",
            "nodes": [
              {"id": "pumps@maker", "material": "pump", "vendor": "acme-infusion-systems"},
              {"id": "pumps@icu", "material": "pump", "demand": 1}],
            "edges": [{"from": "pumps@maker", "to": "pumps@icu"}],
            "platforms": [{"id": "pump-server", "vendor": "acme-infusion-systems"},
                          {"id": "erp", "vendor": "someone-else"}]}"#,
    )
    .expect("write network");
    let folder_text = folder.display().to_string();
    let network_text = network.display().to_string();
    let (out, _) = run(
        &[
            "devices",
            "report",
            "--devices",
            &data("devices/inventory.json"),
            "--sboms",
            &folder_text,
            "--network",
            &network_text,
            "--format",
            "json",
        ],
        &osv_args(),
        0,
    );
    let report: serde_json::Value = serde_json::from_str(&out).expect("json");
    let vendors = report["vendors"].as_array().expect("vendors");
    let infusion = vendors
        .iter()
        .find(|v| v["vendorId"] == "acme-infusion-systems")
        .expect("the pump maker");
    assert_eq!(
        infusion["networkEntities"],
        serde_json::json!(["pumps@maker", "pump-server"])
    );
    // A vendor no network entity carries has no list.
    let devices = vendors
        .iter()
        .find(|v| v["vendorId"] == "acme-devices-inc")
        .expect("the monitor maker");
    assert!(devices.get("networkEntities").is_none(), "{devices}");
    let _ = std::fs::remove_dir_all(folder);
    let _ = std::fs::remove_file(network);
}

/// One advisory with a `fixed` version of 150,000 `-`-separated items (which once
/// overflowed the stack and aborted the scan): the scan of the same SBOM completes,
/// finds what it found without it, and warns naming the advisory and the field.
#[test]
fn scan_survives_a_hostile_advisory_and_names_it() {
    let folder = temp("hostile-osv");
    std::fs::create_dir_all(&folder).expect("temp folder");
    let hostile = format!("{}1", "1-".repeat(150_000));
    let record = serde_json::json!({
        "id": "HOSTILE-1",
        "modified": "2026-01-01T00:00:00Z",
        "affected": [{
            "package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": hostile}]}],
        }],
    });
    let path = folder.join("HOSTILE-1.json");
    std::fs::write(&path, record.to_string()).expect("write record");
    let mut args = osv_args();
    args.extend(["--osv".to_owned(), path.display().to_string()]);
    let (out, err) = run(
        &["sbom", "scan", &data("scan/product-abc.cdx.json")],
        &args,
        0,
    );
    let (expected, _) = run(
        &["sbom", "scan", &data("scan/product-abc.cdx.json")],
        &osv_args(),
        0,
    );
    std::fs::remove_dir_all(&folder).ok();
    // The same findings; one note more, that the hostile advisory was not evaluated.
    let (notes, rest): (Vec<&str>, Vec<&str>) =
        out.lines().partition(|line| line.contains("HOSTILE-1"));
    assert_eq!(rest, expected.lines().collect::<Vec<_>>());
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].starts_with("note: ") && notes[0].len() < 600,
        "{}",
        notes[0]
    );
    assert!(
        err.contains(
            "warning: OSV HOSTILE-1: affected[0].ranges[0].events[1].fixed: Maven version `1-1-1-"
        ),
        "{err}"
    );
    assert!(err.len() < 4_000, "stderr holds {} bytes", err.len());
}
