//! End-to-end tests of the `lifeline` binary: what a user types and what they read.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod cap;
mod exercise;
mod exit;
mod golden;
mod hostile;
mod incident;
mod notify;
mod notify_drill;
mod partner_files;
mod partners;
mod playbook;
mod questionnaire;
mod share;
mod simulate;
mod taxii;
mod trace;
mod vendors;
mod vuln;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `lifeline` with `args` from the repository root.
fn lifeline(args: &[&str]) -> Output {
    lifeline_in(&repo(), args)
}

/// Runs `lifeline` with `args` in `folder`, without timing lines.
fn lifeline_in(folder: &Path, args: &[impl AsRef<std::ffi::OsStr>]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lifeline"))
        .args(args)
        .current_dir(folder)
        .env("LIFELINE_QUIET", "1")
        .output()
        .expect("run lifeline")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs a command expected to exit with `code` and returns (stdout, stderr).
fn check(args: &[&str], code: i32) -> (String, String) {
    exited(&lifeline(args), args, code)
}

/// Asserts that `lifeline ARGS` exited with `code`; returns (stdout, stderr).
fn exited(output: &Output, args: &[&str], code: i32) -> (String, String) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "lifeline {}\nstdout:\n{}\nstderr:\n{}",
        args.join(" "),
        stdout(output),
        stderr(output)
    );
    (stdout(output), stderr(output))
}

/// `lifeline ARGS --database URL --actor ana` from the repository root, quiet and
/// ignoring any `LIFELINE_DATABASE_URL` in the environment.
fn lifeline_db(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lifeline"))
        .args(args)
        .args(["--database", url, "--actor", "ana"])
        .current_dir(repo())
        .env("LIFELINE_QUIET", "1")
        .env_remove("LIFELINE_DATABASE_URL")
        .output()
        .expect("run lifeline")
}

/// [`lifeline_db`], expected to exit with `code`; returns (stdout, stderr).
fn check_db(url: &str, args: &[&str], code: i32) -> (String, String) {
    exited(&lifeline_db(url, args), args, code)
}

/// `lifeline incident declare`s the worked example's two distribution centres down
/// (capacity 0, 42 days, ransomware) into the database at `url`, with `extra` arguments;
/// returns (stdout, the incident's id).
fn declare_dcs_down(url: &str, extra: &[&str]) -> (String, String) {
    let args = [
        &[
            "incident",
            "declare",
            "--network",
            "examples/distributor-ransomware.json",
            "--entity",
            "dc-medsupply-east",
            "--entity",
            "dc-medsupply-west",
            "--capacity-factor",
            "0",
            "--expected-ttr",
            "42",
            "--kind",
            "ransomware",
        ],
        extra,
    ]
    .concat();
    let (out, err) = check_db(url, &args, 0);
    let id = err
        .split_whitespace()
        .find(|w| w.starts_with("inc_"))
        .unwrap_or_else(|| panic!("an incident id on stderr: {err}"))
        .to_owned();
    (out, id)
}

/// A scratch path under the target folder's `tmp` (cargo's `CARGO_TARGET_TMPDIR`), so that
/// what a run writes goes with `cargo clean` instead of piling up in the system's /tmp.
fn temp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("lifeline-cli-{}-{name}", std::process::id()))
}

#[test]
fn stress_table_of_the_worked_example() {
    let (out, _) = check(&["stress", "examples/toy.json"], 0);
    insta::assert_snapshot!(out);
}

#[test]
fn stress_plan_names_a_scenario_with_no_alternative_source() {
    // One supplier, one product: losing S leaves nothing to reroute (issue 18).
    let network = temp("single-source.json");
    std::fs::write(
        &network,
        r#"{"format": "lifeline-network/1", "time_unit": "day", "horizon": 999,
            "nodes": [
              {"id": "S", "kind": "supplier", "material": "M", "capacity": 10, "ttr": 5},
              {"id": "P", "kind": "product", "demand": 10, "inventory": 20}],
            "edges": [{"from": "S", "to": "P"}]}"#,
    )
    .expect("write");
    let path = network.to_string_lossy().into_owned();
    let (out, _) = check(&["stress", &path, "--plan"], 0);
    let _ = std::fs::remove_file(&network);
    // 5 days down, 2 days of cover: 3 days of 10 units lost.
    assert!(
        out.contains(
            "S (supplier): no alternative source over the TTR window of 5: 30 units lost (P 30)"
        ),
        "{out}"
    );
}

#[test]
fn stress_plan_shows_the_rerouting() {
    let (out, _) = check(&["stress", "examples/toy.json", "--top", "1", "--plan"], 0);
    let plan = out.split("rerouting plan").nth(1).expect("a plan section");
    // S3 down for 2 days: S1 and S2 ship their whole 150 units; P1 is the one short.
    assert!(plan.contains("units"), "{out}");
    let shipped: f64 = plan
        .lines()
        .skip(1) // the heading, which ends with the window
        .filter_map(|line| {
            line.split_whitespace()
                .last()?
                .replace(',', "")
                .parse::<f64>()
                .ok()
        })
        .sum();
    assert!((shipped - 150.0).abs() < 1e-6, "{out}");
}

#[test]
fn stress_json_follows_the_report_contract() {
    let (out, _) = check(&["stress", "examples/toy.json", "--format", "json"], 0);
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
    assert_eq!(report["horizon"], 999.0);
    assert_eq!(report["baseline_tts"], 999.0);
    let scenarios = report["scenarios"].as_array().expect("scenarios");
    let ids: Vec<&str> = scenarios.iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(ids, ["S3", "S2", "S1"], "ranked by REI");
    let s3 = &scenarios[0];
    assert_eq!(s3["ttr"], 2.0);
    assert!((s3["tts"].as_f64().unwrap_or_default() - 0.9).abs() < 1e-9);
    assert!((s3["performance_impact"].as_f64().unwrap_or_default() - 275_000.0).abs() < 1e-6);
    assert_eq!(s3["rei"], 1.0);
    assert!((s3["lost_units"]["P1"].as_f64().unwrap_or_default() - 55.0).abs() < 1e-9);
}

#[test]
fn stress_csv_and_top() {
    let (out, _) = check(
        &[
            "stress",
            "examples/toy.json",
            "--format",
            "csv",
            "--top",
            "1",
        ],
        0,
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("id,kind,ttr,tts,"));
    assert!(lines[1].starts_with("S3,supplier,2,0.9"), "{}", lines[1]);
}

#[test]
fn stress_writes_to_a_file_with_explicit_scenarios() {
    let scenarios = temp("scenarios.json");
    std::fs::write(
        &scenarios,
        r#"{"scenarios": [{"id": "half of S3", "ttr": 2, "disrupt": [{"node": "S3", "capacity_factor": 0.5}]}]}"#,
    )
    .expect("write scenarios");
    let output = temp("report.json");
    let scenarios_arg = scenarios.to_string_lossy().into_owned();
    let output_arg = output.to_string_lossy().into_owned();
    let (out, _) = check(
        &[
            "stress",
            "examples/toy.json",
            "--scenarios",
            &scenarios_arg,
            "--format",
            "json",
            "-o",
            &output_arg,
        ],
        0,
    );
    assert!(out.is_empty());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&output).expect("report")).expect("JSON");
    // S3 at half capacity: 105 per day against 125, with 45 in stock, TTS = 45 / 20.
    let tts = report["scenarios"][0]["tts"].as_f64().unwrap_or_default();
    assert!((tts - 2.25).abs() < 1e-9, "{tts}");
    let _ = std::fs::remove_file(scenarios);
    let _ = std::fs::remove_file(output);
}

#[test]
fn invalid_network_exits_2_with_every_problem() {
    let network = temp("invalid.json");
    std::fs::write(
        &network,
        r#"{"format": "lifeline-network/1", "nodes": [{"id": "A", "capacity": -1}, {"id": "H", "demand": 5}],
            "edges": [{"from": "A", "to": "HH"}, {"from": "H", "to": "A"}]}"#,
    )
    .expect("write network");
    let path = network.to_string_lossy().into_owned();
    let (out, _) = check(&["validate", &path], 2);
    assert!(
        out.contains("nodes[0].capacity: must be a number from 0 to 1e12, found `-1`"),
        "{out}"
    );
    assert!(out.contains("edges[0].to: unknown node `HH`"), "{out}");
    assert!(out.contains("did you mean `H`?"), "{out}");
    assert!(out.contains("edges[1].from: `H` is a demand node"), "{out}");
    let (_, err) = check(&["stress", &path], 2);
    assert!(err.contains("unknown node `HH`"), "{err}");
    let _ = std::fs::remove_file(network);
}

#[test]
fn missing_file_and_bad_syntax_exit_2() {
    let (_, err) = check(&["stress", "no/such/network.json"], 2);
    assert!(err.contains("cannot read `no/such/network.json`"), "{err}");
    // The OS's reason once, not once per error in the chain (issue 18).
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
    let broken = temp("broken.json");
    std::fs::write(&broken, "{\"nodes\": [").expect("write");
    let path = broken.to_string_lossy().into_owned();
    let (_, err) = check(&["validate", &path], 2);
    assert!(err.contains("is not valid JSON"), "{err}");
    let _ = std::fs::remove_file(broken);
}

#[test]
fn validate_reports_a_valid_network() {
    let (out, _) = check(&["validate", "examples/toy.json"], 0);
    assert_eq!(
        out.trim(),
        "examples/toy.json: valid: nodes 5, edges 6, sites 0, platforms 0, scenarios 3"
    );
}

#[test]
fn examples_all_validate_and_stress() {
    for example in [
        "toy",
        "iv-fluids",
        "distributor-ransomware",
        "blood-supplier",
    ] {
        let network = format!("examples/{example}.json");
        check(&["validate", &network], 0);
        let (out, _) = check(&["stress", &network, "--format", "json"], 0);
        let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        assert!(
            !report["scenarios"]
                .as_array()
                .expect("scenarios")
                .is_empty(),
            "{example}"
        );
        let scenarios = format!("examples/{example}.scenarios.json");
        if repo().join(&scenarios).exists() {
            check(&["stress", &network, "--scenarios", &scenarios], 0);
        }
    }
}

#[test]
fn generate_is_deterministic_and_valid() {
    let (a, _) = check(&["generate", "--tiers", "5,10,20", "--seed", "3"], 0);
    let (b, _) = check(&["generate", "--tiers", "5,10,20", "--seed", "3"], 0);
    assert_eq!(a, b);
    let path = temp("generated.json");
    std::fs::write(&path, &a).expect("write");
    let path_arg = path.to_string_lossy().into_owned();
    let (out, _) = check(&["validate", &path_arg], 0);
    assert!(out.contains("valid: nodes 35,"), "{out}");
    let _ = std::fs::remove_file(path);
    let (_, err) = check(&["generate", "--tiers", "5"], 2);
    assert!(err.contains("error:"), "{err}");
}
