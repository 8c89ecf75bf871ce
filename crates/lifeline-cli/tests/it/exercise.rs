//! `lifeline exercise run|score|report` end to end, on the example exercise.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::{check, repo, stderr, stdout, temp};

const EXERCISE: &str = "examples/exercises/distributor-ransomware.yaml";
const DECISIONS: &str = "examples/exercises/distributor-ransomware.decisions.txt";

/// Plays the example with its scripted decisions, fast, and returns the run record's path.
fn scripted_run(name: &str, extra: &[&str]) -> (String, String) {
    let record = temp(name).to_string_lossy().into_owned();
    let mut args = vec![
        "exercise",
        "run",
        EXERCISE,
        "--decisions",
        DECISIONS,
        "--speed",
        "1e9",
        "--record",
        &record,
    ];
    args.extend_from_slice(extra);
    let (out, _) = check(&args, 0);
    (record, out)
}

#[test]
fn a_scripted_run_plays_every_inject_and_scores_as_the_docs() {
    let (record, out) = scripted_run("scripted.json", &[]);
    // Injects and decisions in time order, then the score.
    let encrypted = out.find("[T+0] INJECT encrypted").expect("first inject");
    let phones = out.find("[T+2h] INJECT phones-60").expect("second inject");
    let second = out.find("[T+1d] INJECT second-dc").expect("third inject");
    let decision = out
        .find("[T+1d2h] decision: alternative-distributor")
        .expect("decision");
    assert!(
        encrypted < phones && phones < second && second < decision,
        "{out}"
    );
    assert!(out.contains("[T+2d] end of play"), "{out}");
    // Who runs short, from the network, after the second distribution centre goes down.
    assert!(out.contains("impact: first stockout on day 11;"), "{out}");
    assert!(
        out.contains("iv-cath@hosp-valley runs short on day 11 (2026-03-13)"),
        "{out}"
    );

    let (table, _) = check(&["exercise", "score", &record], 0);
    let rating = |id: &str| {
        table
            .lines()
            .find(|l| l.starts_with(&format!("{id} ")))
            .and_then(|l| {
                ["P", "S", "M", "U"].into_iter().find(|r| {
                    l.contains(&format!("  {r} (performed"))
                        || l.contains(&format!("  {r} (unable"))
                })
            })
            .unwrap_or("?")
    };
    assert_eq!(
        ["command", "ordering", "clinical", "communication"].map(rating),
        ["S", "P", "U", "M"],
        "{table}"
    );
    assert!(table.contains("objectives: 1 P, 1 S, 1 M, 1 U"), "{table}");

    let (json, _) = check(&["exercise", "score", &record, "--format", "json"], 0);
    let card: serde_json::Value = serde_json::from_str(&json).expect("JSON scorecard");
    assert_eq!(card["objectives"][2]["rating"], "U");
    assert_eq!(card["objectives"][2]["actions"][0]["outcome"], "missed");
    assert_eq!(card["counts"], serde_json::json!([1, 1, 1, 1]));

    let record_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record).expect("record")).expect("JSON");
    assert_eq!(record_json["format"], "lifeline-exercise-run/1");
    assert_eq!(record_json["decisions"].as_array().map(Vec::len), Some(6));
    assert_eq!(record_json["impacts"][2]["inject"], "second-dc");
    assert_eq!(
        record_json["impacts"][2]["impact"]["first_stockout_day"],
        11
    );
    assert_eq!(record_json["start"], "2026-03-02T08:00:00Z");
    let _ = std::fs::remove_file(record);
}

#[test]
fn the_report_in_markdown_and_html() {
    let (record, _) = scripted_run("report.json", &[]);
    let (md, _) = check(&["exercise", "report", &record, "--format", "markdown"], 0);
    assert!(
        md.starts_with("# After-action report: Distributor ordering platform encrypted"),
        "{md}"
    );
    for part in [
        "## Ratings",
        "## Strengths",
        "## Areas for improvement",
        "## Improvement plan",
        "## Timeline",
        "## Who runs short of what, and when",
    ] {
        assert!(md.contains(part), "{part}\n{md}");
    }
    assert!(md.contains("| Communications |"), "{md}");
    let html_path = temp("aar.html").to_string_lossy().into_owned();
    let (out, _) = check(
        &[
            "exercise", "report", &record, "--format", "html", "-o", &html_path,
        ],
        0,
    );
    assert!(out.is_empty());
    let html = std::fs::read_to_string(&html_path).expect("the HTML report");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<h2>Improvement plan</h2>"));
    assert!(html.contains("<td>Chief nursing officer</td>"));
    let _ = std::fs::remove_file(record);
    let _ = std::fs::remove_file(html_path);
}

#[test]
fn a_seed_draws_the_same_outage_every_time() {
    let (a, out_a) = scripted_run("draw-a.json", &["--draw", "--seed", "7"]);
    let (b, out_b) = scripted_run("draw-b.json", &["--draw", "--seed", "7"]);
    let drawn = |path: &str| -> serde_json::Value {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("record")).expect("JSON");
        v["draw"].clone()
    };
    assert_eq!(drawn(&a), drawn(&b));
    assert_eq!(drawn(&a)["seed"], 7);
    assert_eq!(drawn(&a)["distribution"], "ransomware-downtime");
    let days = drawn(&a)["days"].as_u64().expect("days");
    assert!(days > 0);
    assert!(
        out_a.contains(&format!(
            "Outage drawn from ransomware-downtime with seed 7: {days} days"
        )),
        "{out_a}"
    );
    assert_eq!(
        out_a.lines().find(|l| l.contains("impact:")),
        out_b.lines().find(|l| l.contains("impact:"))
    );
    let (_, err) = check(&["exercise", "run", EXERCISE, "--draw"], 2);
    assert!(err.contains("--seed"), "{err}");
    let (_, err) = check(&["exercise", "run", EXERCISE, "--speed", "0"], 2);
    assert!(err.contains("from 0.01 to 1e9"), "{err}");
    let _ = std::fs::remove_file(a);
    let _ = std::fs::remove_file(b);
}

#[test]
fn decisions_typed_on_stdin_are_recorded_and_typos_refused() {
    let record = temp("stdin.json").to_string_lossy().into_owned();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lifeline"))
        .args([
            "exercise", "run", EXERCISE, "--speed", "1", "--record", &record,
        ])
        .current_dir(repo())
        .env("LIFELINE_QUIET", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run lifeline");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"activate-eop, inform-staff # first call\nphone-ordr\nT+5d check-stock\nend\n")
        .expect("write stdin");
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    let err = stderr(&output);
    assert!(
        out.contains("decision: activate-eop (Activate the emergency operations plan"),
        "{out}"
    );
    assert!(err.contains("not recorded: `phone-ordr` is no action this exercise expects: did you mean `phone-orders`?"), "{err}");
    assert!(
        err.contains("not recorded: T+5d is later than the exercise clock"),
        "{err}"
    );
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record).expect("record")).expect("JSON");
    let decisions = run["decisions"].as_array().expect("decisions");
    assert_eq!(decisions.len(), 1);
    assert_eq!(
        decisions[0]["actions"],
        serde_json::json!(["activate-eop", "inform-staff"])
    );
    assert_eq!(decisions[0]["note"], "first call");
    // `end` stopped play within the first minute: only the T+0 inject was delivered.
    assert_eq!(run["injects"].as_array().map(Vec::len), Some(1));
    let (score, _) = check(&["exercise", "score", &record], 0);
    assert!(score.contains("clinical"), "{score}");
    let _ = std::fs::remove_file(record);
}

#[test]
fn invalid_exercises_decisions_and_records_exit_2_naming_the_field() {
    let folder = temp("invalid");
    std::fs::create_dir_all(&folder).expect("folder");
    let text = std::fs::read_to_string(repo().join(EXERCISE)).expect("example");
    // A typo in an entity, found against the network with a did-you-mean.
    let typo = folder.join("typo.yaml");
    std::fs::write(
        &typo,
        text.replace(
            "add_entities: [dc-medsupply-west]",
            "add_entities: [dc-medsuply-west]",
        )
        .replace(
            "network: ../distributor-ransomware.json",
            &format!(
                "network: {}",
                repo()
                    .join("examples/distributor-ransomware.json")
                    .display()
            ),
        ),
    )
    .expect("write");
    let typo_arg = typo.to_string_lossy().into_owned();
    let (_, err) = check(&["exercise", "run", &typo_arg, "--speed", "1e9"], 2);
    assert!(
        err.contains(
            "injects[2].change.add_entities[0]: `dc-medsuply-west` is no node, site or platform"
        ),
        "{err}"
    );
    assert!(err.contains("did you mean `dc-medsupply-west`?"), "{err}");
    // A bad time, named by its path.
    let bad = folder.join("bad.yaml");
    std::fs::write(&bad, text.replace("at: T+2h", "at: 2 hours")).expect("write");
    let bad_arg = bad.to_string_lossy().into_owned();
    let (_, err) = check(&["exercise", "run", &bad_arg], 2);
    assert!(
        err.contains("injects[1].at: `2 hours` is not a time like"),
        "{err}"
    );
    // A scripted decision naming no expected action, named by its line.
    let decisions = folder.join("decisions.txt");
    std::fs::write(&decisions, "T+1h activate-eop\nT+2h open-comand-centre\n").expect("write");
    let decisions_arg = decisions.to_string_lossy().into_owned();
    let (_, err) = check(
        &["exercise", "run", EXERCISE, "--decisions", &decisions_arg],
        2,
    );
    assert!(
        err.contains("line 2: `open-comand-centre` is no action"),
        "{err}"
    );
    assert!(err.contains("did you mean `open-command-centre`?"), "{err}");
    // A run record edited to name an action the exercise does not expect.
    let (record, _) = scripted_run("edited.json", &[]);
    let edited = std::fs::read_to_string(&record)
        .expect("record")
        .replace("\"check-stock\"\n", "\"check-stocks\"\n");
    std::fs::write(&record, edited).expect("write");
    let (_, err) = check(&["exercise", "score", &record], 2);
    assert!(
        err.contains("decisions[2].actions[0]: `check-stocks` is no action the exercise expects"),
        "{err}"
    );
    let (_, err) = check(&["exercise", "score", DECISIONS], 2);
    assert!(err.contains("is not a run record"), "{err}");
    let _ = std::fs::remove_file(record);
    let _ = std::fs::remove_dir_all(folder);
}
