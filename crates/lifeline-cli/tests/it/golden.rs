//! Every command's reports on the example data, compared byte for byte with the files in
//! `tests/data/golden/`, which the CLI wrote before its rendering layer was rewritten
//! (issue 20: "the JSON reports are byte-identical before and after"). JSON, CSV, SARIF and
//! CycloneDX VEX are data that other programs read, so any change of a byte is a change of
//! contract; tables are compared too, so that a change of layout is a decision, not an
//! accident. After a deliberate change of output, `LIFELINE_BLESS=1 cargo test -p
//! lifeline-cli --test it golden` rewrites the files; review their diff before committing.

use std::path::PathBuf;

use crate::{lifeline_in, repo, stderr, stdout, temp};

const OSV: &[&str] = &[
    "--osv",
    "crates/lifeline-vuln/tests/data/osv/ghsa-converted",
    "--osv",
    "crates/lifeline-vuln/tests/data/osv-extra",
    "--osv",
    "crates/lifeline-vuln/tests/data/osv/osv-linter-testdata/PYSEC-2023-74.json",
    "--osv",
    "crates/lifeline-vuln/tests/data/osv/osv-linter-testdata/GO-2020-0001.json",
    "--kev",
    "crates/lifeline-vuln/tests/data/kev/known_exploited_vulnerabilities.excerpt.json",
];

const DSCSA: &str = "crates/lifeline-trace/tests/data/dscsa/GS1_US_Pharma_Example_2_2_1_1.xml";
const SHIPMENTS: &str = "examples/trace/iv-fluids-shipments.jsonld";
const EXAMPLES: [&str; 4] = [
    "toy",
    "iv-fluids",
    "distributor-ransomware",
    "blood-supplier",
];

/// One command: its golden file, its arguments (`{DB}` stands for a repository that the
/// cases share, in order; `{OUT}` for a file the command writes, which is then compared
/// instead of stdout) and its exit code.
struct Case {
    golden: String,
    args: Vec<String>,
    code: i32,
}

fn case(golden: impl Into<String>, args: &[&str], code: i32) -> Case {
    Case {
        golden: golden.into(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        code,
    }
}

fn with_osv(golden: &str, args: &[&str], code: i32) -> Case {
    let mut case = case(golden, args, code);
    case.args.extend(OSV.iter().map(|a| (*a).to_owned()));
    case
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for example in EXAMPLES {
        let network = format!("examples/{example}.json");
        for (format, extension) in [("json", "json"), ("csv", "csv"), ("table", "txt")] {
            cases.push(case(
                format!("stress-{example}.{extension}"),
                &["stress", &network, "--format", format],
                0,
            ));
        }
        let scenarios = format!("examples/{example}.scenarios.json");
        if repo().join(&scenarios).exists() {
            cases.push(case(
                format!("stress-{example}-scenarios.json"),
                &[
                    "stress",
                    &network,
                    "--scenarios",
                    &scenarios,
                    "--format",
                    "json",
                ],
                0,
            ));
        }
        cases.push(case(
            format!("validate-{example}.json"),
            &["validate", &network, "--format", "json"],
            0,
        ));
        cases.push(case(
            format!("validate-{example}.txt"),
            &["validate", &network],
            0,
        ));
    }
    // The vendor risk register on the example registers (their `as_of` fixes the day), and
    // the report sent to the distributor, whose ordering platform's SBOM has a KEV finding.
    for (example, findings) in [
        ("iv-fluids", None),
        (
            "distributor-ransomware",
            Some("examples/sbom/orderline-commerce-7.2.scan.json"),
        ),
    ] {
        let vendors = format!("examples/{example}.vendors.json");
        let network = format!("examples/{example}.json");
        let mut sources = vec!["--vendors", &vendors, "--network", &network];
        if let Some(findings) = findings {
            sources.extend(["--findings", findings]);
        }
        for (format, extension) in [("json", "json"), ("csv", "csv"), ("table", "txt")] {
            let mut args = vec!["risk", "register", "--format", format];
            args.extend(&sources);
            cases.push(case(format!("risk-{example}.{extension}"), &args, 0));
        }
        cases.push(case(
            format!("vendors-validate-{example}.txt"),
            &["vendors", "validate", &vendors, "--network", &network],
            0,
        ));
    }
    let distributor = [
        "--vendors",
        "examples/distributor-ransomware.vendors.json",
        "--network",
        "examples/distributor-ransomware.json",
        "--findings",
        "examples/sbom/orderline-commerce-7.2.scan.json",
    ];
    for (format, extension) in [("markdown", "md"), ("html", "html")] {
        let mut args = vec!["risk", "report", "medsupply", "--format", format];
        args.extend(distributor);
        cases.push(case(format!("risk-report-medsupply.{extension}"), &args, 0));
    }
    for (flag, golden) in [
        ("--oscal-ar", "risk-distributor-ransomware.oscal-ar.json"),
        ("--poam", "risk-distributor-ransomware.poam.json"),
        ("--heatmap", "risk-distributor-ransomware.heatmap.svg"),
    ] {
        let mut args = vec!["risk", "register", flag, "{OUT}"];
        args.extend(distributor);
        cases.push(case(golden, &args, 0));
    }
    cases.push(case(
        "stress-toy-plan.txt",
        &["stress", "examples/toy.json", "--plan", "--top", "2"],
        0,
    ));
    for (format, extension) in [("json", "json"), ("csv", "csv"), ("table", "txt")] {
        cases.push(case(
            format!("simulate-iv-fluids.{extension}"),
            &[
                "simulate",
                "examples/iv-fluids.json",
                "--scenario",
                "examples/iv-fluids.simulate.json",
                "--days",
                "200",
                "--format",
                format,
            ],
            0,
        ));
        cases.push(case(
            format!("simulate-distributor-ransomware.{extension}"),
            &[
                "simulate",
                "examples/distributor-ransomware.json",
                "--scenarios",
                "examples/distributor-ransomware.simulate.json",
                "--scenario",
                "eorder-ransomware-42d",
                "--days",
                "120",
                "--all",
                "--format",
                format,
            ],
            0,
        ));
        cases.push(case(
            format!("montecarlo-distributor-ransomware.{extension}"),
            &[
                "montecarlo",
                "examples/distributor-ransomware.json",
                "--outage",
                "eorder-medsupply",
                "--duration",
                "ransomware-recovery",
                "--replications",
                "200",
                "--seed",
                "7",
                "--days",
                "150",
                "--downtime-cost",
                "1000",
                "--top",
                "0",
                "--format",
                format,
            ],
            0,
        ));
    }
    cases.push(case(
        "simulate-iv-fluids-series.csv",
        &[
            "simulate",
            "examples/iv-fluids.json",
            "--scenario",
            "examples/iv-fluids.simulate.json",
            "--days",
            "30",
            "--series",
            "{OUT}",
        ],
        0,
    ));
    cases.push(case(
        "sbom-validate.txt",
        &[
            "sbom",
            "validate",
            "crates/lifeline-vuln/tests/data/cyclonedx-spec-tests/1.6/valid-bom-1.6.json",
            "crates/lifeline-vuln/tests/data/cyclonedx-spec-tests/1.6/valid-bom-1.6.xml",
            "crates/lifeline-vuln/tests/data/spdx/infusion-pump.spdx.json",
        ],
        0,
    ));
    for (format, extension) in [
        ("json", "json"),
        ("table", "txt"),
        ("sarif", "sarif.json"),
        ("cyclonedx-vex", "vex.json"),
    ] {
        cases.push(with_osv(
            &format!("sbom-scan.{extension}"),
            &[
                "sbom",
                "scan",
                "crates/lifeline-vuln/tests/data/scan/product-abc.cdx.json",
                "crates/lifeline-vuln/tests/data/spdx/infusion-pump.spdx.json",
                "--format",
                format,
            ],
            0,
        ));
    }
    for (format, extension) in [("json", "json"), ("table", "txt")] {
        cases.push(with_osv(
            &format!("devices-report.{extension}"),
            &[
                "devices",
                "report",
                "--devices",
                "crates/lifeline-vuln/tests/data/devices/inventory.json",
                "--sboms",
                "crates/lifeline-vuln/tests/data/scan",
                "--format",
                format,
            ],
            0,
        ));
    }
    for name in [
        "epcisDocWithSingleEvent.jsonld",
        "ReferenceEventHashAlgorithm.xml",
    ] {
        let file = format!("crates/lifeline-trace/tests/data/hash/{name}");
        cases.push(case(
            format!("trace-hash-{name}.txt"),
            &["trace", "hash", &file],
            0,
        ));
        cases.push(case(
            format!("trace-prehash-{name}.txt"),
            &["trace", "hash", "--prehash", &file],
            0,
        ));
    }
    cases.push(case("trace-validate.txt", &["trace", "validate", DSCSA], 0));
    for (format, extension) in [("json", "json"), ("table", "txt")] {
        cases.push(case(
            format!("trace-check-shipments.{extension}"),
            &["trace", "check", SHIPMENTS, "--format", format],
            1,
        ));
        cases.push(case(
            format!("trace-check-shipments-network.{extension}"),
            &[
                "trace",
                "check",
                SHIPMENTS,
                "--network",
                "examples/iv-fluids.json",
                "--format",
                format,
            ],
            1,
        ));
    }
    cases.push(case(
        "trace-ingest.txt",
        &["trace", "ingest", DSCSA, "--db", "{DB}"],
        0,
    ));
    for (format, extension) in [("json", "json"), ("table", "txt")] {
        cases.push(case(
            format!("trace-history.{extension}"),
            &[
                "trace",
                "history",
                "urn:epc:id:sgtin:030001.0012345.11",
                "--db",
                "{DB}",
                "--format",
                format,
            ],
            0,
        ));
        cases.push(case(
            format!("trace-query.{extension}"),
            &[
                "trace",
                "query",
                "--biz-step",
                "shipping",
                "--db",
                "{DB}",
                "--format",
                format,
            ],
            0,
        ));
        cases.push(case(
            format!("trace-verify.{extension}"),
            &[
                "trace",
                "verify",
                "--gtin",
                "00300010123455",
                "--serial",
                "11",
                "--lot",
                "A123",
                "--expiry",
                "250327",
                "--db",
                "{DB}",
                "--format",
                format,
            ],
            0,
        ));
        cases.push(case(
            format!("trace-check-db.{extension}"),
            &["trace", "check", "--db", "{DB}", "--format", format],
            0,
        ));
    }
    cases
}

#[test]
fn reports_are_byte_identical_to_the_golden_files() {
    let folder = repo().join("crates/lifeline-cli/tests/data/golden");
    let bless = std::env::var_os("LIFELINE_BLESS").is_some();
    let db = temp("golden.sqlite");
    let _ = std::fs::remove_file(&db);
    let written = temp("golden-output");
    let db_text = db.display().to_string();
    let written_text = written.display().to_string();
    let mut differ = Vec::new();
    for case in cases() {
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| a.replace("{DB}", &db_text).replace("{OUT}", &written_text))
            .collect();
        let _ = std::fs::remove_file(&written);
        let output = lifeline_in(&repo(), &args);
        assert_eq!(
            output.status.code(),
            Some(case.code),
            "lifeline {}\nstdout:\n{}\nstderr:\n{}",
            args.join(" "),
            stdout(&output),
            stderr(&output)
        );
        let bytes = if case.args.iter().any(|a| a == "{OUT}") {
            std::fs::read(&written).expect("the written file")
        } else {
            output.stdout
        };
        // The repository's path is the one value that changes between runs.
        let bytes = replace(&bytes, db_text.as_bytes(), b"{DB}");
        let path: PathBuf = folder.join(&case.golden);
        if bless {
            std::fs::create_dir_all(&folder).expect("golden folder");
            std::fs::write(&path, &bytes).expect("write golden file");
            continue;
        }
        match std::fs::read(&path) {
            Ok(expected) if expected == bytes => {}
            Ok(_) => differ.push(format!("{}: differs ({})", case.golden, args.join(" "))),
            Err(error) => differ.push(format!("{}: {error}", case.golden)),
        }
    }
    let _ = std::fs::remove_file(&db);
    let _ = std::fs::remove_file(&written);
    assert!(
        differ.is_empty(),
        "output changed (LIFELINE_BLESS=1 rewrites the files):\n{}",
        differ.join("\n")
    );
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while !from.is_empty() {
        match rest.windows(from.len()).position(|w| w == from) {
            Some(at) => {
                out.extend_from_slice(&rest[..at]);
                out.extend_from_slice(to);
                rest = &rest[at + from.len()..];
            }
            None => break,
        }
    }
    out.extend_from_slice(rest);
    out
}
