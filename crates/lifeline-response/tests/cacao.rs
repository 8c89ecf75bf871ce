//! CACAO v2.0: reading (schema and workflow checks), lossless import → export, and the
//! mapping to and from lifeline's playbook form.

use std::path::{Path, PathBuf};

use lifeline_network::{Diagnostic, Severity};
use lifeline_response::cacao::{
    self, CacaoDocument, CacaoError, EXTENSION_ID, check, from_playbook, read, to_playbook,
    validate_schema,
};
use lifeline_response::playbook::{
    Action, Anchor, Condition, Due, Function, IncidentKind, Message, Metric, Op, Playbook, Source,
    Step, Trigger,
};
use proptest::prelude::*;
use serde_json::{Value, json};
use time::macros::datetime;

fn data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/cacao")
        .join(relative)
}

fn text(relative: &str) -> String {
    std::fs::read_to_string(data(relative)).expect("fixture readable")
}

/// The fixtures valid against the schemas (tests/data/cacao/SOURCES.md).
const VALID: [&str; 9] = [
    "oasis-tcs/basic-example-1.json",
    "oasis-tcs/spec-3.1-example.json",
    "soarca/examples/http-playbook.json",
    "soarca/examples/manual-playbook.json",
    "soarca/examples/openc2-playbook.json",
    "soarca/examples/powershell-playbook.json",
    "soarca/examples/ssh-playbook.json",
    "soarca/test-playbooks/parallels_playbook.json",
    "soarca/test-playbooks/playbook.json",
];

fn invalid(result: Result<CacaoDocument, CacaoError>) -> Vec<Diagnostic> {
    match result {
        Err(CacaoError::Invalid { diagnostics, .. }) => diagnostics.0,
        Err(other) => panic!("expected diagnostics, got {other}"),
        Ok(_) => panic!("expected the document to be rejected"),
    }
}

fn errors_at<'a>(diagnostics: &'a [Diagnostic], path: &str) -> Vec<&'a Diagnostic> {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && d.path == path)
        .collect()
}

#[test]
fn every_valid_fixture_imports_and_exports_to_the_same_json() {
    for name in VALID {
        let source = text(name);
        let document =
            read(&source, &data(name)).unwrap_or_else(|e| panic!("{name} is rejected: {e}"));
        let original: Value = serde_json::from_str(&source).expect("JSON");
        assert_eq!(document.to_value(), original, "{name} changed on the way");
        // What was written back reads again, to the same model.
        let again = read(&document.to_value().to_string(), &data(name)).expect("re-read");
        assert_eq!(again, document, "{name}");
    }
}

#[test]
fn unknown_members_are_kept_at_every_level() {
    let mut value: Value = serde_json::from_str(&text("oasis-tcs/basic-example-1.json")).unwrap();
    value["x_vendor_note"] = json!({"kept": [1, 2.5, "three"]});
    let action = value["workflow"]
        .as_object_mut()
        .unwrap()
        .iter_mut()
        .find(|(k, _)| k.starts_with("action--"))
        .map(|(_, v)| v)
        .unwrap();
    action["x_step_member"] = json!(true);
    action["commands"][0]["x_command_member"] = json!("kept");
    let document = read(&value.to_string(), Path::new("extended.json")).expect("valid");
    assert_eq!(document.to_value(), value);
    assert_eq!(document.extra["x_vendor_note"]["kept"][1], json!(2.5));
}

#[test]
fn the_invalid_fixture_is_rejected_naming_the_field() {
    let name = "soarca/test-playbooks/invalid_playbook.json";
    let diagnostics = invalid(read(&text(name), &data(name)));
    let at = errors_at(
        &diagnostics,
        "agent_definitions.http-api--7e9174ec-a293-43df-a72d-471c79e276bf.type",
    );
    assert_eq!(at.len(), 1, "{diagnostics:#?}");
    assert!(at[0].message.contains("\"invalid\""), "{}", at[0].message);
    assert!(at[0].message.contains("http-api"), "{}", at[0].message);
    // The error names the file.
    let error = read(&text(name), &data(name)).unwrap_err().to_string();
    assert!(error.contains("invalid_playbook.json"), "{error}");
}

#[test]
fn a_workflow_start_that_is_not_a_start_step_is_a_warning() {
    for name in [
        "soarca/test-playbooks/parallels_playbook.json",
        "soarca/test-playbooks/playbook.json",
    ] {
        let document = read(&text(name), &data(name)).expect("readable");
        let diagnostics = check(&document);
        assert!(
            diagnostics
                .iter()
                .any(|d| d.severity == Severity::Warning && d.path == "workflow_start"),
            "{name}: {diagnostics:#?}"
        );
        assert!(!diagnostics.iter().any(Diagnostic::is_error), "{name}");
    }
    let document = read(
        &text("oasis-tcs/basic-example-1.json"),
        Path::new("basic.json"),
    )
    .unwrap();
    assert!(check(&document).is_empty(), "{:#?}", check(&document));
}

const START: &str = "start--00000000-0000-4000-8000-000000000001";
const A: &str = "action--00000000-0000-4000-8000-00000000000a";
const B: &str = "action--00000000-0000-4000-8000-00000000000b";
const C: &str = "action--00000000-0000-4000-8000-00000000000c";
const WHILE: &str = "while-condition--00000000-0000-4000-8000-000000000002";
const PARALLEL: &str = "parallel--00000000-0000-4000-8000-000000000003";
const END: &str = "end--00000000-0000-4000-8000-000000000004";
const TEAM: &str = "group--00000000-0000-4000-8000-000000000005";

fn action(name: &str, next: &str) -> Value {
    json!({
        "type": "action",
        "name": name,
        "commands": [{"type": "manual", "command": format!("do {name}")}],
        "agent": TEAM,
        "on_completion": next,
    })
}

/// A playbook with the given workflow (start is `START`), one `group` agent.
fn playbook_with(workflow: Value) -> Value {
    json!({
        "type": "playbook",
        "spec_version": "cacao-2.0",
        "id": "playbook--00000000-0000-4000-8000-0000000000ff",
        "name": "Test playbook",
        "created_by": "identity--00000000-0000-4000-8000-0000000000ee",
        "created": "2026-12-06T10:00:00.000Z",
        "modified": "2026-12-06T10:00:00.000Z",
        "workflow_start": START,
        "workflow": workflow,
        "agent_definitions": {TEAM: {"type": "group", "name": "Materials management"}},
    })
}

#[test]
fn a_loop_is_rejected_naming_the_step() {
    let document = playbook_with(json!({
        START: {"type": "start", "on_completion": A},
        A: action("Call the distributor", B),
        B: action("Check the order", A),
        END: {"type": "end"},
    }));
    let diagnostics = invalid(read(&document.to_string(), Path::new("loop.json")));
    let at = errors_at(&diagnostics, &format!("workflow.{B}.on_completion"));
    assert_eq!(at.len(), 1, "{diagnostics:#?}");
    assert!(
        at[0].message.contains("`Check the order`"),
        "{}",
        at[0].message
    );
    assert!(at[0].message.contains("loop"), "{}", at[0].message);
    assert!(
        at[0]
            .message
            .contains("`Call the distributor` → `Check the order` → `Call the distributor`"),
        "{}",
        at[0].message
    );
    // Nothing on the loop reaches the end.
    assert_eq!(errors_at(&diagnostics, &format!("workflow.{A}")).len(), 1);
}

#[test]
fn a_loop_through_a_while_condition_is_accepted() {
    let document = playbook_with(json!({
        START: {"type": "start", "on_completion": WHILE},
        WHILE: {"type": "while-condition", "condition": "[x:y = 1]", "on_true": A, "on_completion": END},
        A: action("Call the distributor again", WHILE),
        END: {"type": "end"},
    }));
    let read = read(&document.to_string(), Path::new("while.json")).expect("valid");
    let (playbook, warnings) = to_playbook(&read).expect("maps");
    assert_eq!(playbook.steps.len(), 1);
    assert!(playbook.steps[0].after.is_empty());
    assert!(
        warnings
            .iter()
            .any(|w| w.path == format!("workflow.{WHILE}") && w.message.contains("repeats")),
        "{warnings:#?}"
    );
}

#[test]
fn a_dangling_on_completion_is_rejected_naming_the_step() {
    let missing = "end--00000000-0000-4000-8000-0000000000dd";
    let document = playbook_with(json!({
        START: {"type": "start", "on_completion": A},
        A: action("Call the distributor", missing),
        END: {"type": "end"},
    }));
    let diagnostics = invalid(read(&document.to_string(), Path::new("dangling.json")));
    let at = errors_at(&diagnostics, &format!("workflow.{A}.on_completion"));
    assert_eq!(at.len(), 1, "{diagnostics:#?}");
    assert!(at[0].message.contains(missing), "{}", at[0].message);
    assert_eq!(
        at[0].hint.as_deref(),
        Some(format!("did you mean `{END}`?").as_str())
    );
}

#[test]
fn every_other_workflow_problem_is_named_at_its_path() {
    let other_agent = "group--00000000-0000-4000-8000-0000000000aa";
    let target = "individual--00000000-0000-4000-8000-0000000000bb";
    let extension = "extension-definition--00000000-0000-4000-8000-0000000000cc";
    let mut b = action("Orphan", END);
    b["agent"] = json!(other_agent);
    b["targets"] = json!([target]);
    b["step_extensions"] = json!({extension: {}});
    let mut document = playbook_with(json!({
        START: {"type": "start", "on_completion": PARALLEL},
        PARALLEL: {"type": "parallel", "next_steps": [A, C]},
        A: action("First", END),
        B: b,
        END: {"type": "end"},
    }));
    document["workflow_exception"] = json!("end--00000000-0000-4000-8000-0000000000ee");
    let diagnostics = invalid(read(&document.to_string(), Path::new("many.json")));
    for path in [
        format!("workflow.{PARALLEL}.next_steps[1]"),
        format!("workflow.{B}"),
        format!("workflow.{B}.agent"),
        format!("workflow.{B}.targets[0]"),
        format!("workflow.{B}.step_extensions.{extension}"),
    ] {
        assert_eq!(
            errors_at(&diagnostics, &path).len(),
            1,
            "{path}: {diagnostics:#?}"
        );
    }
    assert!(
        diagnostics
            .iter()
            .any(|d| d.path == "workflow_exception" && d.severity == Severity::Warning),
        "{diagnostics:#?}"
    );

    let mut document = playbook_with(json!({
        START: {"type": "start", "on_completion": A},
        A: action("First", END),
        END: {"type": "end"},
    }));
    document["workflow_start"] = json!("start--00000000-0000-4000-8000-000000000009");
    let diagnostics = invalid(read(&document.to_string(), Path::new("start.json")));
    assert_eq!(
        errors_at(&diagnostics, "workflow_start").len(),
        1,
        "{diagnostics:#?}"
    );
}

#[test]
fn duplicate_keys_and_limits_are_refused() {
    let source = text("oasis-tcs/basic-example-1.json");
    let duplicated = source.replacen("\"name\":", "\"name\": \"first\", \"name\":", 1);
    let diagnostics = invalid(read(&duplicated, Path::new("dup.json")));
    assert_eq!(errors_at(&diagnostics, "name").len(), 1, "{diagnostics:#?}");

    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    match read(&deep, Path::new("deep.json")) {
        Err(CacaoError::Load(lifeline_network::LoadError::Limit { path, .. })) => {
            assert_eq!(path, Path::new("deep.json"));
        }
        other => panic!("expected a limit error, got {other:?}"),
    }
    assert!(matches!(
        read("{not json", Path::new("bad.json")),
        Err(CacaoError::Load(lifeline_network::LoadError::Syntax { .. }))
    ));
}

#[test]
fn a_foreign_playbook_maps_its_action_steps() {
    let name = "oasis-tcs/spec-3.1-example.json";
    let document = read(&text(name), &data(name)).unwrap();
    let (playbook, warnings) = to_playbook(&document).expect("maps");
    assert_eq!(playbook.id, "find-malware-fuzzypanda");
    assert_eq!(playbook.name, "Find Malware FuzzyPanda");
    assert_eq!(playbook.trigger.incidents, vec![IncidentKind::Other]);
    assert_eq!(playbook.sources.len(), 1);
    assert_eq!(playbook.steps.len(), 1);
    let step = &playbook.steps[0];
    assert_eq!(step.id, "ip-lookup");
    assert_eq!(step.title, "IP Lookup");
    assert_eq!(step.function, Function::ItSecurity); // agent "IR team"
    assert_eq!(step.owner.as_deref(), Some("IR team"));
    assert_eq!(
        step.description,
        "Lookup the IP address in the SIEM\nLook up IP __data_exfil_site__:value in SIEM"
    );
    assert!(warnings.iter().all(|w| !w.is_error()));
    assert!(
        warnings
            .iter()
            .any(|w| w.path.is_empty() && w.message.contains("`other`"))
    );

    let name = "soarca/examples/ssh-playbook.json";
    let document = read(&text(name), &data(name)).unwrap();
    let (playbook, warnings) = to_playbook(&document).expect("maps");
    assert_eq!(playbook.steps.len(), 2);
    assert_eq!(playbook.steps[1].after, vec![playbook.steps[0].id.clone()]);
    assert!(
        warnings
            .iter()
            .any(|w| w.path.ends_with(".commands[0]") && w.message.contains("`ssh` command")),
        "{warnings:#?}"
    );
}

#[test]
fn after_follows_the_flow_graph_through_parallel_steps() {
    let document = playbook_with(json!({
        START: {"type": "start", "on_completion": PARALLEL},
        PARALLEL: {"type": "parallel", "next_steps": [A, B]},
        A: action("Call the distributor", C),
        B: action("Count what is on hand", C),
        C: action("Decide on allocation", END),
        END: {"type": "end"},
    }));
    let document = read(&document.to_string(), Path::new("parallel.json")).expect("valid");
    let (playbook, _) = to_playbook(&document).expect("maps");
    let ids: Vec<&str> = playbook.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "call-the-distributor",
            "count-what-is-on-hand",
            "decide-on-allocation"
        ]
    );
    assert!(playbook.steps[0].after.is_empty());
    assert!(playbook.steps[1].after.is_empty());
    assert_eq!(
        playbook.steps[2].after,
        ["call-the-distributor", "count-what-is-on-hand"]
    );
    assert!(
        playbook
            .steps
            .iter()
            .all(|s| s.function == Function::SupplyChain)
    );
}

/// A playbook using every field lifeline has; its first step depends on a later one, so
/// the workflow's order differs from the author's.
fn rich_playbook() -> Playbook {
    let step = |id: &str, function: Function, after: &[&str]| Step {
        id: id.to_owned(),
        title: format!("Do {id}"),
        function,
        description: String::new(),
        owner: None,
        after: after.iter().map(|s| (*s).to_owned()).collect(),
        due: None,
        when: None,
        approval: None,
        message: None,
        action: None,
    };
    let mut notify = step("notify-partners", Function::Communications, &["assess"]);
    notify.message = Some(Message {
        audience: "partners".into(),
        subject: "{title}".into(),
        body: "Expected recovery {expected_recovery}.".into(),
    });
    notify.action = Some(Action::NotifyPartners);
    notify.due = Some(Due {
        anchor: Anchor::Declared,
        offset_hours: 2.0,
    });
    let mut assess = step("assess", Function::IncidentCommand, &[]);
    assess.action = Some(Action::Stress);
    assess.description = "Run the stress test on the outage.".into();
    assess.owner = Some("Incident commander".into());
    let mut conserve = step("conserve", Function::Clinical, &["assess"]);
    conserve.when = Some(Condition {
        metric: Metric::FirstStockoutDay,
        op: Op::Lt,
        value: 3.0,
        critical_only: true,
    });
    conserve.due = Some(Due {
        anchor: Anchor::FirstCriticalStockout,
        offset_hours: -24.0,
    });
    conserve.approval = Some("Chief medical officer".into());
    let order = step(
        "order-by-phone",
        Function::SupplyChain,
        &["assess", "notify-partners"],
    );
    let mut report = step("report", Function::LegalRegulatory, &["order-by-phone"]);
    report.due = Some(Due {
        anchor: Anchor::Recovery,
        offset_hours: 0.0,
    });
    let isolate = step("isolate", Function::ItSecurity, &[]);
    Playbook {
        id: "distributor-ordering-ransomware".into(),
        name: "Distributor ordering platform ransomware".into(),
        description: "The distributor's ordering platform is down.".into(),
        sources: vec![
            Source {
                title: "HHS 405(d) HICP".into(),
                url: Some("https://405d.hhs.gov/".into()),
            },
            Source {
                title: "HICS".into(),
                url: None,
            },
        ],
        trigger: Trigger {
            incidents: vec![IncidentKind::Ransomware, IncidentKind::ItOutage],
            entity_kinds: vec!["ordering platform".into()],
            vendors: vec![],
            min_item_value: Some(2.0),
        },
        critical_value: Some(4.5),
        // notify-partners is first but depends on assess.
        steps: vec![notify, assess, conserve, order, report, isolate],
    }
}

#[test]
fn an_exported_playbook_validates_and_maps_back_exactly() {
    let playbook = rich_playbook();
    let created = datetime!(2026-12-06 10:15:30.25 UTC);
    let exported = from_playbook(&playbook, created);
    assert_eq!(validate_schema(&exported), vec![], "{exported:#}");
    let document = read(&exported.to_string(), Path::new("export.json")).expect("reads");
    assert!(check(&document).is_empty(), "{:#?}", check(&document));
    let (back, warnings) = to_playbook(&document).expect("maps back");
    assert_eq!(back, playbook);
    assert!(warnings.is_empty(), "{warnings:#?}");

    // Deterministic, and the ids are the documented ones.
    assert_eq!(from_playbook(&playbook, created), exported);
    assert_eq!(
        exported["id"],
        json!(cacao::playbook_id("distributor-ordering-ransomware"))
    );
    assert_eq!(exported["created"], json!("2026-12-06T10:15:30.250Z"));
    assert!(exported["extension_definitions"][EXTENSION_ID].is_object());

    // Chained by on_completion in a dependency order: assess before notify-partners.
    let mut chain = Vec::new();
    let mut at = exported["workflow_start"].as_str().unwrap().to_owned();
    while let Some(next) = exported["workflow"][&at]["on_completion"].as_str() {
        at = next.to_owned();
        if let Some(id) = exported["workflow"][&at]["step_extensions"][EXTENSION_ID]["id"].as_str()
        {
            chain.push(id.to_owned());
        }
    }
    assert_eq!(
        chain,
        [
            "assess",
            "notify-partners",
            "conserve",
            "order-by-phone",
            "report",
            "isolate"
        ]
    );
    assert_eq!(exported["workflow"][&at]["type"], json!("end"));
    // Manual commands, one group agent per function.
    let step = &exported["workflow"][cacao::step_id("action", &playbook.id, "assess")];
    assert_eq!(step["commands"][0]["type"], json!("manual"));
    assert_eq!(
        step["commands"][0]["command"],
        json!("Run the stress test on the outage.")
    );
    assert_eq!(
        step["agent"],
        json!(cacao::agent_id(Function::IncidentCommand))
    );
    assert_eq!(exported["agent_definitions"].as_object().unwrap().len(), 6);
}

#[test]
fn a_foreign_playbook_exports_to_a_valid_document() {
    for name in VALID {
        let document = read(&text(name), &data(name)).unwrap();
        let (playbook, _) = to_playbook(&document).unwrap_or_else(|e| panic!("{name}: {e}"));
        let exported = from_playbook(&playbook, datetime!(2026-12-06 10:00 UTC));
        assert_eq!(validate_schema(&exported), vec![], "{name}");
        let again = read(&exported.to_string(), Path::new("again.json")).expect("valid");
        let (back, _) = to_playbook(&again).expect("maps back");
        assert_eq!(back, playbook, "{name}");
    }
}

#[test]
fn a_broken_lifeline_extension_is_named() {
    let mut exported = from_playbook(&rich_playbook(), datetime!(2026-12-06 10:00 UTC));
    let assess = cacao::step_id("action", "distributor-ordering-ransomware", "assess");
    exported["workflow"][&assess]["step_extensions"][EXTENSION_ID]["function"] = json!("catering");
    let document = read(&exported.to_string(), Path::new("broken.json")).expect("schema-valid");
    let diagnostics = to_playbook(&document).expect_err("rejected").0;
    let path = format!("workflow.{assess}.step_extensions.{EXTENSION_ID}.function");
    assert_eq!(errors_at(&diagnostics, &path).len(), 1, "{diagnostics:#?}");
}

/// Whether tools/cacao-validate.py (Python jsonschema's Draft7Validator with a registry of
/// the embedded schemas) finds `document` valid; `None` when python3 with jsonschema is
/// not available, which fails instead when LIFELINE_REQUIRE_ORACLE is set (CI sets it).
fn oracle(document: &Value) -> Option<bool> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let available = *AVAILABLE.get_or_init(|| {
        Command::new("python3")
            .args(["-c", "import jsonschema, referencing"])
            .status()
            .is_ok_and(|s| s.success())
    });
    if !available {
        assert!(
            std::env::var_os("LIFELINE_REQUIRE_ORACLE").is_none(),
            "LIFELINE_REQUIRE_ORACLE is set but python3 with jsonschema is not available"
        );
        eprintln!("skipped: python3 with jsonschema is not available");
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/cacao-validate.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("a pipe to the oracle")
        .write_all(document.to_string().as_bytes())
        .expect("the oracle reads the document");
    let output = child.wait_with_output().expect("the oracle finishes");
    let stdout = String::from_utf8_lossy(&output.stdout);
    match output.status.code() {
        Some(0) => {
            assert_eq!(stdout.trim(), "valid: -");
            Some(true)
        }
        Some(1) => Some(false),
        other => panic!("the oracle failed ({other:?}): {stdout}"),
    }
}

#[test]
fn the_python_oracle_accepts_exported_playbooks() {
    let mut playbooks = vec![rich_playbook()];
    playbooks.extend(lifeline_response::library::builtin());
    let name = "soarca/examples/ssh-playbook.json";
    playbooks.push(
        to_playbook(&read(&text(name), &data(name)).unwrap())
            .unwrap()
            .0,
    );
    for playbook in playbooks {
        let exported = from_playbook(&playbook, datetime!(2026-12-06 10:00 UTC));
        let Some(valid) = oracle(&exported) else {
            return;
        };
        assert!(valid, "{}", playbook.id);
    }
}

/// The embedded schemas and the Python oracle agree on fixtures and on documents broken
/// (or stretched) one member at a time.
#[test]
fn the_schema_check_agrees_with_the_python_oracle() {
    let base: Value = serde_json::from_str(&text("oasis-tcs/spec-3.1-example.json")).unwrap();
    let action = "action--7f40f9d7-de39-4027-ab97-15035beff2ff";
    let start = "start--07bea005-4a36-4a77-bd1f-79a6e4682a13";
    let group = "group--18d3a2e0-f534-4374-a117-abdddd3e809b";
    type Change = Box<dyn Fn(&mut Value)>;
    let changes: Vec<(&str, Change)> = vec![
        ("as is", Box::new(|_| {})),
        (
            "no created_by",
            Box::new(|d| drop(d.as_object_mut().unwrap().remove("created_by"))),
        ),
        (
            "a date without time",
            Box::new(|d| d["created"] = json!("2023-02-19")),
        ),
        (
            "priority over 100",
            Box::new(|d| d["priority"] = json!(101)),
        ),
        (
            "playbook_types not a list",
            Box::new(|d| d["playbook_types"] = json!("investigation")),
        ),
        (
            "an empty labels list",
            Box::new(|d| d["labels"] = json!([])),
        ),
        (
            "a bad identifier",
            Box::new(|d| d["created_by"] = json!("identity--nope")),
        ),
        (
            "an unknown member",
            Box::new(|d| d["x_lifeline"] = json!({"a": 1})),
        ),
        (
            "an action without commands",
            Box::new(move |d| {
                drop(
                    d["workflow"][action]
                        .as_object_mut()
                        .unwrap()
                        .remove("commands"),
                )
            }),
        ),
        (
            "a start step with on_success",
            Box::new(move |d| d["workflow"][start]["on_success"] = json!(action)),
        ),
        (
            "a group agent with a numeric contact",
            Box::new(move |d| d["agent_definitions"][group]["contact"] = json!(5)),
        ),
        (
            "a command of an unknown type",
            Box::new(move |d| {
                d["workflow"][action]["commands"][0]["type"] = json!("carrier-pigeon")
            }),
        ),
        (
            "a step key of no known type",
            Box::new(|d| {
                d["workflow"]["note--00000000-0000-4000-8000-000000000001"] = json!({"anything": 1})
            }),
        ),
        (
            "an extension definition without a schema",
            Box::new(|d| {
                d["extension_definitions"] = json!({
                    "extension-definition--00000000-0000-4000-8000-000000000001": {
                        "type": "extension-definition", "name": "x",
                        "created_by": "identity--00000000-0000-4000-8000-000000000002",
                        "version": "1"
                    }
                })
            }),
        ),
    ];
    let mut rejected = Vec::new();
    for (what, change) in &changes {
        let mut document = base.clone();
        change(&mut document);
        let Some(expected) = oracle(&document) else {
            return;
        };
        let problems = validate_schema(&document);
        assert_eq!(problems.is_empty(), expected, "{what}: {problems:#?}");
        if !expected {
            rejected.push(*what);
        }
    }
    // Accepted by both besides the original: an unknown member (draft-07 ignores
    // `unevaluatedProperties`), a step key of no known type (it matches no pattern) and a
    // command type outside the vocabulary (an open vocabulary); the rest break it.
    assert_eq!(rejected.len(), changes.len() - 4, "{rejected:?}");
    for name in VALID
        .iter()
        .chain(["soarca/test-playbooks/invalid_playbook.json"].iter())
    {
        let document: Value = serde_json::from_str(&text(name)).unwrap();
        let Some(expected) = oracle(&document) else {
            return;
        };
        assert_eq!(validate_schema(&document).is_empty(), expected, "{name}");
    }
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9 ,.{}_-]{1,30}",
        any::<String>().prop_map(|s| s.chars().take(20).collect()),
    ]
}

fn arb_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        -1.0e6..1.0e6f64,
        (-100i32..100).prop_map(f64::from)
    ]
}

fn arb_step(index: usize) -> impl Strategy<Value = Step> {
    let function = prop::sample::select(Function::ALL.to_vec());
    let due = prop::option::of(
        (prop::sample::select(Anchor::ALL.to_vec()), arb_number()).prop_map(
            |(anchor, offset_hours)| Due {
                anchor,
                offset_hours,
            },
        ),
    );
    let when = prop::option::of(
        (
            prop::sample::select(Metric::ALL.to_vec()),
            prop::sample::select(vec![Op::Lt, Op::Le, Op::Gt, Op::Ge]),
            arb_number(),
            any::<bool>(),
        )
            .prop_map(|(metric, op, value, critical_only)| Condition {
                metric,
                op,
                value,
                critical_only,
            }),
    );
    let message = prop::option::of((arb_text(), arb_text(), arb_text()).prop_map(
        |(audience, subject, body)| Message {
            audience,
            subject,
            body,
        },
    ));
    let action = prop::option::of(prop::sample::select(vec![
        Action::Stress,
        Action::Simulate,
        Action::NotifyPartners,
    ]));
    // `after` names earlier steps (a DAG) or, sometimes, any step id.
    let after = prop::collection::vec(0..(index + 2), 0..3);
    (
        (
            arb_text(),
            function,
            arb_text(),
            prop::option::of(arb_text()),
        ),
        (
            after,
            due,
            when,
            prop::option::of(arb_text()),
            message,
            action,
        ),
    )
        .prop_map(
            move |(
                (title, function, description, owner),
                (after, due, when, approval, message, action),
            )| {
                let mut after: Vec<String> = after.into_iter().map(|i| format!("s{i}")).collect();
                after.dedup();
                Step {
                    id: format!("s{index}"),
                    title,
                    function,
                    description,
                    owner,
                    after,
                    due,
                    when,
                    approval,
                    message,
                    action,
                }
            },
        )
}

fn arb_playbook() -> impl Strategy<Value = Playbook> {
    let steps = (0usize..6).prop_flat_map(|n| (0..n).map(arb_step).collect::<Vec<_>>());
    let trigger = (
        prop::collection::vec(prop::sample::select(IncidentKind::ALL.to_vec()), 0..3),
        prop::collection::vec(arb_text(), 0..2),
        prop::collection::vec(arb_text(), 0..2),
        prop::option::of(arb_number()),
    )
        .prop_map(
            |(incidents, entity_kinds, vendors, min_item_value)| Trigger {
                incidents,
                entity_kinds,
                vendors,
                min_item_value,
            },
        );
    let sources = prop::collection::vec(
        (arb_text(), prop::option::of(arb_text())).prop_map(|(title, url)| Source { title, url }),
        0..3,
    );
    (
        "[a-z][a-z0-9-]{0,20}",
        arb_text(),
        arb_text(),
        sources,
        trigger,
        prop::option::of(arb_number()),
        steps,
    )
        .prop_map(
            |(id, name, description, sources, trigger, critical_value, steps)| Playbook {
                id,
                name,
                description,
                sources,
                trigger,
                critical_value,
                steps,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn to_playbook_of_from_playbook_is_the_playbook(playbook in arb_playbook(), ms in 0i64..4_000_000_000_000) {
        let created = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .expect("in range");
        let exported = from_playbook(&playbook, created);
        prop_assert_eq!(validate_schema(&exported), vec![]);
        let document = read(&exported.to_string(), Path::new("p.json"))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (back, warnings) = to_playbook(&document)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, playbook);
        prop_assert!(warnings.is_empty());
    }
}

#[test]
fn every_builtin_playbook_exports_to_a_valid_document_and_maps_back() {
    let library = lifeline_response::library::builtin();
    assert_eq!(library.len(), 7);
    for playbook in library {
        let exported = from_playbook(&playbook, datetime!(2026-12-06 10:00 UTC));
        assert_eq!(validate_schema(&exported), vec![], "{}", playbook.id);
        let document = read(&exported.to_string(), Path::new("builtin.json"))
            .unwrap_or_else(|e| panic!("{}: {e}", playbook.id));
        assert!(check(&document).is_empty(), "{}", playbook.id);
        let (back, warnings) = to_playbook(&document).expect("maps back");
        assert_eq!(back, playbook);
        assert!(warnings.is_empty(), "{warnings:#?}");
        // Every step is an action in the workflow, chained in a dependency order.
        let mut seen: Vec<String> = Vec::new();
        let mut at = exported["workflow_start"].as_str().unwrap().to_owned();
        while let Some(next) = exported["workflow"][&at]["on_completion"].as_str() {
            at = next.to_owned();
            if let Some(id) =
                exported["workflow"][&at]["step_extensions"][EXTENSION_ID]["id"].as_str()
            {
                let step = playbook.steps.iter().find(|s| s.id == id).unwrap();
                assert!(step.after.iter().all(|a| seen.contains(a)), "{id}");
                seen.push(id.to_owned());
            }
        }
        assert_eq!(seen.len(), playbook.steps.len(), "{}", playbook.id);
    }
}

#[test]
fn read_any_takes_either_form() {
    let created = datetime!(2026-12-06 11:00 UTC);
    // CACAO: the document to store is the one read, as it was.
    for name in VALID {
        let source = text(name);
        let imported = cacao::read_any(&source, &data(name), created)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            imported.cacao,
            serde_json::from_str::<Value>(&source).unwrap()
        );
        assert!(!imported.playbook.steps.is_empty(), "{name}");
        assert!(
            !imported.warnings.is_empty(),
            "{name}: a foreign playbook has no trigger"
        );
        let problems = lifeline_response::playbook::validate::validate(&imported.playbook);
        assert!(
            !problems.iter().any(Diagnostic::is_error),
            "{name}: {problems:#?}"
        );
    }
    // lifeline's form, YAML: the playbook, and the same as CACAO.
    for playbook in lifeline_response::library::builtin() {
        let yaml = lifeline_response::playbook::read::to_yaml(&playbook);
        let imported =
            cacao::read_any(&yaml, Path::new("p.yaml"), created).expect("lifeline's form");
        assert_eq!(imported.playbook, playbook);
        assert_eq!(imported.cacao, from_playbook(&playbook, created));
        // And the CACAO written for it imports to the same playbook.
        let again = cacao::read_any(&imported.cacao.to_string(), Path::new("p.json"), created)
            .expect("CACAO");
        assert_eq!(again.playbook, playbook);
        assert_eq!(again.cacao, imported.cacao);
    }
}

#[test]
fn read_any_rejects_what_either_reader_rejects() {
    let created = datetime!(2026-12-06 11:00 UTC);
    let name = "soarca/test-playbooks/invalid_playbook.json";
    match cacao::read_any(&text(name), &data(name), created) {
        Err(cacao::ImportError::Invalid {
            form, diagnostics, ..
        }) => {
            assert_eq!(form, "CACAO v2.0");
            assert!(diagnostics.0.iter().any(|d| d.path.ends_with(".type")));
        }
        other => panic!("expected rejection, got {other:?}"),
    }
    let old = r#"{"type": "playbook", "spec_version": "cacao-1.0", "id": "x"}"#;
    match cacao::read_any(old, Path::new("old.json"), created) {
        Err(cacao::ImportError::Invalid { diagnostics, .. }) => {
            assert_eq!(diagnostics.0[0].path, "spec_version");
        }
        other => panic!("expected rejection, got {other:?}"),
    }
    // A lifeline extension whose `after` names no step: lifeline's validation names it.
    let mut playbook = rich_playbook();
    playbook.steps[0].after = vec!["asess".into()];
    let exported = from_playbook(&playbook, created);
    match cacao::read_any(&exported.to_string(), Path::new("typo.json"), created) {
        Err(cacao::ImportError::Invalid { diagnostics, .. }) => {
            // Named where the CACAO document has it: the step's extension.
            let path = format!(
                "workflow.{}.step_extensions.{EXTENSION_ID}.after[0]",
                cacao::step_id("action", &playbook.id, "notify-partners")
            );
            let at = errors_at(&diagnostics.0, &path);
            assert_eq!(at.len(), 1, "{diagnostics:#?}");
            assert!(at[0].message.contains("asess"), "{}", at[0].message);
        }
        other => panic!("expected rejection, got {other:?}"),
    }
    // lifeline's form with an error.
    let yaml = "format: lifeline-playbook/1\nid: Bad Id\nname: x\ntrigger: {}\nsteps: []\n";
    assert!(matches!(
        cacao::read_any(yaml, Path::new("bad.yaml"), created),
        Err(cacao::ImportError::Invalid {
            form: "lifeline",
            ..
        })
    ));
}

#[test]
fn a_step_the_schema_does_not_know_is_named() {
    let odd = "custom-step--00000000-0000-4000-8000-000000000077";
    let document = playbook_with(json!({
        START: {"type": "start", "on_completion": A},
        A: action("First", END),
        END: {"type": "end"},
        odd: {"type": "custom-step", "on_completion": END},
    }));
    // The schema has no pattern for this key, so only lifeline's model refuses it.
    assert_eq!(validate_schema(&document), vec![]);
    let diagnostics = invalid(read(&document.to_string(), Path::new("odd.json")));
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].path, format!("workflow.{odd}.type"));
}

#[test]
fn a_workflow_over_the_step_limit_is_refused() {
    let mut workflow = serde_json::Map::new();
    workflow.insert(START.into(), json!({"type": "start", "on_completion": END}));
    workflow.insert(END.into(), json!({"type": "end"}));
    for i in 0..cacao::MAX_WORKFLOW_STEPS {
        workflow.insert(
            format!("end--00000000-0000-4000-8000-{i:012}"),
            json!({"type": "end"}),
        );
    }
    let document = playbook_with(Value::Object(workflow));
    match read(&document.to_string(), Path::new("huge.json")) {
        Err(CacaoError::Load(lifeline_network::LoadError::Limit { field, .. })) => {
            assert_eq!(field, "workflow");
        }
        other => panic!("expected a limit error, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_large_foreign_workflow_maps_quickly() {
    // A chain of 2,000 actions: the graph work is near linear.
    let n = 2000;
    let id = |i: usize| format!("action--00000000-0000-4000-8000-{i:012}");
    let mut workflow = serde_json::Map::new();
    workflow.insert(
        START.into(),
        json!({"type": "start", "on_completion": id(0)}),
    );
    for i in 0..n {
        let next = if i + 1 < n { id(i + 1) } else { END.to_owned() };
        workflow.insert(id(i), action(&format!("Step {i}"), &next));
    }
    workflow.insert(END.into(), json!({"type": "end"}));
    let document = playbook_with(Value::Object(workflow));
    let started = std::time::Instant::now();
    let document = read(&document.to_string(), Path::new("long.json")).expect("valid");
    let (playbook, _) = to_playbook(&document).expect("maps");
    assert_eq!(playbook.steps.len(), n);
    assert_eq!(
        playbook.steps[n - 1].after,
        [playbook.steps[n - 2].id.clone()]
    );
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}
