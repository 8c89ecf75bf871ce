//! The exit status, the same for every command: 0 success, 1 findings at or above the
//! threshold asked for, 2 invalid input or another error. `--fail-on` is tried at every
//! level with both outcomes, for `sbom scan` and `devices report`.

use crate::{check, temp};

const DATA: &str = "crates/lifeline-vuln/tests/data";
const WITH_KEV: &str = "scan/product-abc.cdx.json";

/// An SBOM whose one component no advisory names.
fn clean_sbom() -> std::path::PathBuf {
    let folder = temp("clean-sboms");
    std::fs::create_dir_all(&folder).expect("mkdir");
    let path = folder.join("clean.cdx.json");
    std::fs::write(
        &path,
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "metadata": {"component": {"type": "device", "bom-ref": "p", "name": "ABC", "version": "4.2",
              "properties": [{"name": "udi-di", "value": "00844588003288"}]},
              "manufacturer": {"name": "Acme Devices, Inc"}},
            "components": [{"type": "library", "bom-ref": "thing", "name": "thing", "version": "1.0",
              "purl": "pkg:generic/thing@1.0"}]}"#,
    )
    .expect("write");
    path
}

/// Runs `command` against the advisories (and the KEV catalogue when `kev`) with
/// `--fail-on level`, expecting exit status `code`.
fn with_sources(command: &[&str], kev: bool, level: &str, code: i32) {
    let osv = format!("{DATA}/osv/ghsa-converted");
    let extra = format!("{DATA}/osv-extra");
    let catalogue = format!("{DATA}/kev/known_exploited_vulnerabilities.excerpt.json");
    let mut args = command.to_vec();
    args.extend(["--osv", &osv, "--osv", &extra, "--fail-on", level]);
    if kev {
        args.extend(["--kev", &catalogue]);
    }
    check(&args, code);
}

/// One scan: which SBOM, whether the KEV catalogue is given, the level, the exit status.
fn scan(sbom: &str, kev: bool, level: &str, code: i32) {
    with_sources(&["sbom", "scan", sbom], kev, level, code);
}

#[test]
fn sbom_scan_fail_on_every_level_and_both_outcomes() {
    let with_kev = format!("{DATA}/{WITH_KEV}");
    let clean = clean_sbom().display().to_string();
    // Open findings, one of them in KEV.
    scan(&with_kev, true, "never", 0);
    scan(&with_kev, true, "kev", 1);
    scan(&with_kev, true, "open", 1);
    // Open findings, none in KEV (no catalogue).
    scan(&with_kev, false, "kev", 0);
    scan(&with_kev, false, "open", 1);
    // No finding at all.
    scan(&clean, true, "open", 0);
    scan(&clean, true, "kev", 0);
    // Without --fail-on, findings do not change the status.
    check(
        &[
            "sbom",
            "scan",
            &with_kev,
            "--osv",
            &format!("{DATA}/osv/ghsa-converted"),
        ],
        0,
    );
}

/// One devices report over `folder`, as [`scan`].
fn devices(folder: &str, kev: bool, level: &str, code: i32) {
    let inventory = format!("{DATA}/devices/inventory.json");
    let command = [
        "devices",
        "report",
        "--devices",
        &inventory,
        "--sboms",
        folder,
        "--format",
        "json",
    ];
    with_sources(&command, kev, level, code);
}

#[test]
fn devices_report_fail_on_every_level_and_both_outcomes() {
    let with_kev = format!("{DATA}/scan");
    let clean = clean_sbom();
    let clean = clean.parent().expect("folder").display().to_string();
    devices(&with_kev, true, "never", 0);
    devices(&with_kev, true, "kev", 1);
    devices(&with_kev, true, "open", 1);
    devices(&with_kev, false, "kev", 0);
    devices(&with_kev, false, "open", 1);
    devices(&clean, true, "open", 0);
    devices(&clean, true, "kev", 0);
}

/// Invalid input ends every command with 2, whatever it would have found.
#[test]
fn invalid_input_exits_2_everywhere() {
    let missing = "no/such/file.json";
    for args in [
        vec!["stress", missing],
        vec!["validate", missing],
        vec!["simulate", missing, "--scenario", "x"],
        vec!["montecarlo", missing, "--outage", "x"],
        vec!["sbom", "validate", missing],
        vec![
            "sbom",
            "scan",
            missing,
            "--osv",
            missing,
            "--fail-on",
            "open",
        ],
        vec!["trace", "hash", missing],
        vec!["trace", "check", missing],
        vec!["stress", "examples/toy.json", "--format", "sarif"],
        vec![
            "trace",
            "check",
            "examples/trace/iv-fluids-shipments.jsonld",
            "--format",
            "csv",
        ],
    ] {
        check(&args, 2);
    }
}

/// `validate` said `--format text` before the formats became one; scripts keep working.
#[test]
fn validate_accepts_text_as_table() {
    let (text, _) = check(&["validate", "examples/toy.json", "--format", "text"], 0);
    let (table, _) = check(&["validate", "examples/toy.json", "--format", "table"], 0);
    assert_eq!(text, table);
    assert!(text.contains("valid: nodes 5"), "{text}");
}
