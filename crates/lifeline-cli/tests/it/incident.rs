//! `lifeline incident` end to end on a fresh SQLite database: the declaration's impact is
//! `lifeline simulate`'s and `lifeline stress`'s for the same disruption, the timeline is
//! only appended to, and `verify` finds a row edited in the database file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{check_db, declare_dcs_down, lifeline_db, repo, stderr, stdout};

const NETWORK: &str = "examples/distributor-ransomware.json";
const DECLARED_AT: &str = "2026-12-06T08:00:00Z";

/// A fresh database in a temporary folder, and the `lifeline` runs against it.
struct Db {
    dir: tempfile::TempDir,
}

impl Db {
    fn new() -> Db {
        Db {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    fn file(&self) -> PathBuf {
        self.dir.path().join("lifeline.db")
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.file().display())
    }

    /// `lifeline incident ARGS --database URL --actor ana`, from the repository root.
    fn run(&self, args: &[&str]) -> Output {
        lifeline_db(&self.url(), &[&["incident"], args].concat())
    }

    /// Runs and checks the exit code; returns (stdout, stderr).
    fn check(&self, args: &[&str], code: i32) -> (String, String) {
        check_db(&self.url(), &[&["incident"], args].concat(), code)
    }

    /// Declares the distribution centres down for 42 days; returns the incident's id and
    /// its JSON.
    fn declare(&self) -> (String, serde_json::Value) {
        let (out, id) = declare_dcs_down(&self.url(), &["--at", DECLARED_AT, "--format", "json"]);
        (id, serde_json::from_str(&out).expect("the Incident JSON"))
    }

    /// Every stored timeline row of `id`, as (seq, at, actor, event, prev, hash), in order.
    fn rows(&self, id: &str) -> Vec<(i64, i64, String, String, String, String)> {
        let conn = rusqlite::Connection::open(self.file()).expect("open the database");
        let mut statement = conn
            .prepare(
                "SELECT seq, at, actor, event, prev, hash FROM incident_entries \
                 WHERE incident_id = ?1 ORDER BY seq",
            )
            .expect("a query");
        statement
            .query_map([id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    fn execute(&self, sql: &str, id: &str) -> usize {
        let conn = rusqlite::Connection::open(self.file()).expect("open the database");
        conn.execute(sql, [id]).expect("the statement runs")
    }
}

fn run_lifeline(args: &[&str]) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_lifeline"))
        .args(args)
        .current_dir(repo())
        .env("LIFELINE_QUIET", "1")
        .output()
        .expect("run lifeline");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).expect("JSON")
}

/// The scenario file a person would write for the same disruption.
fn scenario_file(dir: &Path) -> PathBuf {
    let path = dir.join("incident.scenarios.json");
    std::fs::write(
        &path,
        r#"{"scenarios": [{"id": "incident", "ttr": 42.0, "disrupt": [
            {"site": "dc-medsupply-east", "capacity_factor": 0.0},
            {"site": "dc-medsupply-west", "capacity_factor": 0.0}]}]}"#,
    )
    .expect("write the scenario");
    path
}

#[test]
fn declare_json_is_what_simulate_and_stress_say_for_the_same_disruption() {
    let db = Db::new();
    let (_, incident) = db.declare();
    let scenarios = scenario_file(db.dir.path());
    let scenarios = scenarios.to_str().expect("a UTF-8 path");

    let simulated = run_lifeline(&[
        "simulate",
        NETWORK,
        "--scenario",
        scenarios,
        "--format",
        "json",
    ]);
    let expected: Vec<(String, serde_json::Value)> = simulated["demand_nodes"]
        .as_array()
        .expect("demand_nodes")
        .iter()
        .map(|d| {
            (
                d["id"].as_str().expect("an id").to_owned(),
                d["first_stockout_day"].clone(),
            )
        })
        .collect();
    let declared: Vec<(String, serde_json::Value)> = incident["impact"]["demand"]
        .as_array()
        .expect("impact.demand")
        .iter()
        .map(|d| {
            (
                d["id"].as_str().expect("an id").to_owned(),
                d["first_stockout_day"].clone(),
            )
        })
        .collect();
    assert!(!expected.is_empty());
    assert!(
        expected.iter().any(|(_, day)| day.is_u64()),
        "the example runs short somewhere: {expected:?}"
    );
    assert_eq!(
        declared, expected,
        "impact.demand against simulate's report"
    );
    assert_eq!(incident["impact"]["days"], simulated["days"]);

    let stressed = run_lifeline(&[
        "stress",
        NETWORK,
        "--scenarios",
        scenarios,
        "--format",
        "json",
    ]);
    let scenario = &stressed["scenarios"][0];
    assert_eq!(scenario["id"], "incident");
    let tts = scenario["tts"].as_f64().expect("tts");
    assert_eq!(incident["impact"]["stress"]["tts"].as_f64(), Some(tts));
    assert!(tts < 42.0, "the example's TTS is under its TTR: {tts}");
    assert_eq!(
        incident["impact"]["stress"], *scenario,
        "the whole stress result"
    );

    // The incident carries that scenario file itself: saved, it reads to the same scenario.
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(scenarios).expect("read the scenario file"))
            .expect("JSON");
    assert_eq!(incident["impact"]["scenario"], written);

    // The rest of the document is the incident as declared.
    assert_eq!(incident["declaration"]["declared_at"], DECLARED_AT);
    assert_eq!(incident["status"], "open");
    assert_eq!(incident["entries"], 1);
    assert!(
        incident["tasks"].as_array().is_some_and(|t| !t.is_empty()),
        "the ransomware playbooks' tasks"
    );
}

#[test]
fn declare_table_shows_who_runs_short_then_tasks_by_function() {
    let db = Db::new();
    let (out, err) = db.check(
        &[
            "declare",
            "--network",
            NETWORK,
            "--entity",
            "dc-medsupply-east",
            "--entity",
            "dc-medsupply-west",
            "--expected-ttr",
            "42",
            "--kind",
            "ransomware",
            "--at",
            DECLARED_AT,
        ],
        0,
    );
    assert!(err.contains("declared incident inc_"), "{err}");
    let id = err
        .split_whitespace()
        .find(|w| w.starts_with("inc_"))
        .expect("the id");
    insta::assert_snapshot!(out.replace(id, "inc_ID"));
    let short = out.find("Who runs short").expect("who runs short");
    let tts = out.find("Time to survive").expect("TTS against TTR");
    let plan = out.find("Rerouting plan").expect("the rerouting plan");
    let tasks = out.find("Tasks (").expect("the tasks");
    assert!(short < tts && tts < plan && plan < tasks, "{out}");
    // The earliest stockout comes first: day 9 at Mercy (the simulator's figure).
    let first_row = out[short..]
        .lines()
        .nth(3)
        .expect("a first row under the header");
    assert!(first_row.contains("hosp-mercy"), "{first_row}");
    assert!(first_row.contains("2026-12-15 08:00 UTC"), "{first_row}");
    assert!(out.contains("Incident command"), "{out}");
    assert!(out.contains("Supply chain and operations"), "{out}");
}

#[test]
fn declare_names_the_option_that_is_wrong() {
    let db = Db::new();
    let (_, err) = db.check(
        &[
            "declare",
            "--network",
            NETWORK,
            "--entity",
            "dc-medsuply-east",
            "--expected-ttr",
            "42",
        ],
        2,
    );
    assert!(err.contains("--entity"), "{err}");
    assert!(err.contains("dc-medsupply-east"), "a did-you-mean: {err}");
    let (_, err) = db.check(
        &[
            "declare",
            "--network",
            NETWORK,
            "--entity",
            "dc-medsupply-east",
            "--expected-ttr",
            "42",
            "--at",
            "yesterday",
        ],
        2,
    );
    assert!(err.contains("--at") && err.contains("RFC 3339"), "{err}");
    // Nothing was stored by the refused declarations.
    let (out, _) = db.check(&["list", "--format", "json"], 0);
    assert_eq!(out.trim(), "[]");
}

#[test]
fn verify_finds_an_entry_edited_in_the_database_file() {
    let db = Db::new();
    let (id, _) = db.declare();
    db.check(
        &[
            "note",
            &id,
            "phones swamped",
            "--at",
            "2026-12-06T09:00:00Z",
        ],
        0,
    );
    db.check(
        &["note", &id, "second line", "--at", "2026-12-06T09:05:00Z"],
        0,
    );
    let (out, _) = db.check(&["verify", &id], 0);
    assert!(out.contains("3 entries"), "{out}");

    let edited = db.execute(
        "UPDATE incident_entries SET event = replace(event, 'swamped', 'fine') \
         WHERE incident_id = ?1 AND seq = 2",
        &id,
    );
    assert_eq!(edited, 1);
    let (_, err) = db.check(&["verify", &id], 2);
    assert!(err.contains("entry 2"), "{err}");
    // Every other command refuses to work on a broken timeline.
    let (_, err) = db.check(&["status", &id], 2);
    assert!(err.contains("entry 2"), "{err}");
    let (_, err) = db.check(&["note", &id, "more"], 2);
    assert!(err.contains("entry 2"), "{err}");
}

#[test]
fn verify_finds_a_removed_last_entry_and_an_unreadable_event() {
    let db = Db::new();
    let (id, _) = db.declare();
    db.check(&["note", &id, "one", "--at", "2026-12-06T09:00:00Z"], 0);
    db.check(&["note", &id, "two", "--at", "2026-12-06T09:05:00Z"], 0);
    assert_eq!(
        db.execute(
            "DELETE FROM incident_entries WHERE incident_id = ?1 AND seq = 3",
            &id
        ),
        1
    );
    let (_, err) = db.check(&["verify", &id], 2);
    assert!(err.contains("entry 3") && err.contains("missing"), "{err}");

    let db = Db::new();
    let (id, _) = db.declare();
    db.check(&["note", &id, "one", "--at", "2026-12-06T09:00:00Z"], 0);
    db.execute(
        "UPDATE incident_entries SET event = '{\"type\":\"nothing\"}' \
         WHERE incident_id = ?1 AND seq = 2",
        &id,
    );
    let (_, err) = db.check(&["verify", &id], 2);
    assert!(err.contains("entry 2"), "{err}");
}

/// The commands that write, each with the arguments that make it succeed on the incident.
fn writes(id: &str, task: &str) -> Vec<Vec<String>> {
    let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<String>>();
    vec![
        args(&[
            "task",
            id,
            task,
            "--status",
            "in-progress",
            "--at",
            "2026-12-06T08:30:00Z",
        ]),
        args(&["note", id, "a note", "--at", "2026-12-06T09:00:00Z"]),
        args(&[
            "note",
            id,
            "a decision",
            "--decision",
            "--at",
            "2026-12-06T09:10:00Z",
        ]),
        args(&[
            "note",
            id,
            "more phone lines",
            "--improvement",
            "--owner",
            "IT",
            "--at",
            "2026-12-06T09:20:00Z",
        ]),
        args(&[
            "update",
            id,
            "--expected-ttr",
            "20",
            "--reason",
            "the vendor says three weeks",
            "--at",
            "2026-12-06T10:00:00Z",
        ]),
        args(&[
            "task",
            id,
            task,
            "--status",
            "done",
            "--at",
            "2026-12-06T10:30:00Z",
        ]),
        args(&[
            "close",
            id,
            "--summary",
            "recovered",
            "--at",
            "2026-12-27T08:00:00Z",
        ]),
    ]
}

#[test]
fn no_command_rewrites_an_entry() {
    let db = Db::new();
    let (id, incident) = db.declare();
    let task = incident["tasks"]
        .as_array()
        .and_then(|tasks| {
            tasks
                .iter()
                .find(|t| t["status"] == "todo" && t["approval"].is_null() && t["after"].is_null())
        })
        .and_then(|t| t["id"].as_str())
        .expect("a task to work on")
        .to_owned();

    // Every subcommand of `incident` is run below: a new one fails this until it is.
    let help = db.run(&["--help"]);
    let listed: Vec<String> = stdout(&help)
        .split("Commands:")
        .nth(1)
        .expect("a command list")
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .take_while(|word| !word.ends_with(':'))
        .filter(|word| *word != "help")
        .map(str::to_owned)
        .collect();
    assert!(
        listed.len() >= 9,
        "the subcommands of `incident --help`: {listed:?}"
    );
    let mut covered = vec!["declare", "status", "list", "report", "verify"];
    let writes = writes(&id, &task);
    covered.extend(writes.iter().map(|w| w[0].as_str()));
    for command in &listed {
        assert!(
            covered.contains(&command.as_str()),
            "`incident {command}` is not exercised"
        );
    }

    let mut before = db.rows(&id);
    assert_eq!(before.len(), 1);
    let reads: [&[&str]; 5] = [
        &["status", &id],
        &["status", &id, "--format", "json"],
        &["list"],
        &["report", &id, "--format", "json"],
        &["verify", &id],
    ];
    for write in &writes {
        let args: Vec<&str> = write.iter().map(String::as_str).collect();
        db.check(&args, 0);
        let after = db.rows(&id);
        assert_eq!(after.len(), before.len() + 1, "{args:?} appends one entry");
        assert_eq!(
            after[..before.len()],
            before[..],
            "{args:?} left every entry as it was"
        );
        assert_eq!(
            after.last().map(|r| r.4.as_str()),
            before.last().map(|r| r.5.as_str())
        );
        for read in reads {
            db.check(read, 0);
        }
        assert_eq!(db.rows(&id), after, "reading changes nothing");
        before = after;
    }
    // Closed: every write is refused, and nothing changes.
    for write in &writes {
        let args: Vec<&str> = write.iter().map(String::as_str).collect();
        let output = db.run(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?} after closing");
        assert_eq!(db.rows(&id), before, "{args:?} after closing");
    }
    let (out, _) = db.check(&["verify", &id], 0);
    assert!(out.contains(&format!("{} entries", before.len())), "{out}");
    let (report, _) = db.check(&["report", &id, "--format", "markdown"], 0);
    assert!(report.contains("more phone lines"), "{report}");
}

#[test]
fn the_organisation_and_actor_are_chosen_as_documented() {
    let db = Db::new();
    let (id, _) = db.declare();
    let conn = rusqlite::Connection::open(db.file()).expect("open the database");
    let org: String = conn
        .query_row("SELECT name FROM orgs", [], |r| r.get(0))
        .expect("one organisation");
    assert_eq!(org, "local", "a fresh database gets `local`");
    let actor: String = conn
        .query_row(
            "SELECT actor FROM incident_entries WHERE incident_id = ?1",
            [&id],
            |r| r.get(0),
        )
        .expect("the declaration");
    assert_eq!(actor, "ana");
    conn.execute(
        "INSERT INTO orgs (id, name, created_at) SELECT 'org_other', 'other', created_at FROM orgs",
        [],
    )
    .expect("a second organisation");
    drop(conn);
    let (_, err) = db.check(&["list"], 2);
    assert!(err.contains("--org"), "{err}");
    let (out, _) = db.check(&["list", "--org", "local"], 0);
    assert!(out.contains(&id), "{out}");
    let (out, _) = db.check(&["list", "--org", "other"], 0);
    assert!(!out.contains(&id), "another organisation's list: {out}");
    let (_, err) = db.check(&["status", &id, "--org", "other"], 2);
    assert!(err.contains("no incident"), "{err}");
}

#[test]
fn declare_uses_the_organisations_imported_playbooks() {
    let db = Db::new();
    // A copy of a built-in playbook under the organisation's own id, imported with
    // `lifeline playbook import` (stored as CACAO JSON).
    let builtin = std::fs::read_to_string(
        repo().join("crates/lifeline-response/data/playbooks/suspect-product.yaml"),
    )
    .expect("the built-in playbook");
    let ours = builtin.replacen("id: suspect-product\n", "id: our-suspect-product\n", 1);
    assert_ne!(ours, builtin);
    let file = db.dir.path().join("ours.yaml");
    std::fs::write(&file, ours).expect("write the playbook");
    let output = Command::new(env!("CARGO_BIN_EXE_lifeline"))
        .args(["playbook", "import"])
        .arg(&file)
        .args(["--database", &db.url(), "--actor", "ana"])
        .current_dir(repo())
        .env("LIFELINE_QUIET", "1")
        .output()
        .expect("run lifeline");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let (out, _) = db.check(
        &[
            "declare",
            "--network",
            NETWORK,
            "--entity",
            "dc-medsupply-east",
            "--expected-ttr",
            "5",
            "--kind",
            "suspect-product",
            "--playbook",
            "our-suspect-product",
            "--at",
            DECLARED_AT,
            "--format",
            "json",
        ],
        0,
    );
    let incident: serde_json::Value = serde_json::from_str(&out).expect("the Incident JSON");
    assert_eq!(
        incident["playbooks"],
        serde_json::json!(["our-suspect-product"])
    );
    let tasks = incident["tasks"].as_array().expect("tasks");
    assert!(!tasks.is_empty());
    assert!(
        tasks.iter().all(|t| t["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("our-suspect-product/"))),
        "{tasks:?}"
    );
    // A playbook that is in neither the library nor the organisation's store is named.
    let (_, err) = db.check(
        &[
            "declare",
            "--network",
            NETWORK,
            "--entity",
            "dc-medsupply-east",
            "--expected-ttr",
            "5",
            "--playbook",
            "our-suspect-prodcut",
        ],
        2,
    );
    assert!(
        err.contains("--playbook") && err.contains("our-suspect-product"),
        "{err}"
    );
}

#[test]
fn hostile_text_reaches_no_terminal_raw() {
    let db = Db::new();
    let (id, _) = db.declare();
    let hostile = "phones \u{1b}[2J down\r\nforged: line \u{202e}";
    db.check(&["note", &id, hostile, "--at", "2026-12-06T09:00:00Z"], 0);
    db.check(
        &[
            "note",
            &id,
            hostile,
            "--improvement",
            "--owner",
            hostile,
            "--at",
            "2026-12-06T09:01:00Z",
        ],
        0,
    );
    for args in [
        &["report", id.as_str(), "--format", "markdown"][..],
        &["status", id.as_str()],
        &["list"],
    ] {
        let (out, err) = db.check(args, 0);
        for text in [&out, &err] {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\r'),
                "{args:?}: {text}"
            );
        }
    }
    // The text is kept as given: the timeline holds it, escaped only where it is shown.
    let (json, _) = db.check(&["report", &id, "--format", "json"], 0);
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert!(report.to_string().contains("\\u001b[2J"), "{report}");
}
