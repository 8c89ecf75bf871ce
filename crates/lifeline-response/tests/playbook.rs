//! lifeline's playbook form: reading, the checks of `validate`, the built-in library and
//! the round trip through `to_yaml`.

use std::collections::HashSet;
use std::path::Path;

use lifeline_network::{Diagnostic, Format};
use lifeline_response::library;
use lifeline_response::playbook::read::{self, PlaybookError};
use lifeline_response::playbook::validate::{self, PLACEHOLDERS};
use lifeline_response::playbook::{
    Action, Anchor, Condition, Due, Function, IncidentKind, Message, Metric, Op, Playbook, Source,
    Step, Trigger,
};
use proptest::prelude::*;

/// A small valid playbook, edited by each invalid case.
const BASE: &str = r#"
format: lifeline-playbook/1
id: test-playbook
name: Test
trigger:
  incidents: [ransomware]
  entity_kinds: [ordering platform]
steps:
  - id: command
    title: Take command
    function: incident-command
    due: declared + 2h
  - id: order
    title: Order by phone
    function: supply-chain
    after: [command]
    due: first-stockout - 1d
    when: first_stockout_day < 3
  - id: tell
    title: Tell partners
    function: communications
    after: [order]
    action: notify-partners
    message:
      audience: partners
      subject: "{title}"
      body: "Since {declared_at}"
"#;

fn read_yaml(text: &str) -> Result<read::LoadedPlaybook, Vec<Diagnostic>> {
    read::from_str(text, Format::Yaml, Path::new("test.yaml")).map_err(|e| match e {
        PlaybookError::Invalid { path, diagnostics } => {
            assert_eq!(path, Path::new("test.yaml"));
            diagnostics.0
        }
        PlaybookError::Load(e) => panic!("{e}"),
    })
}

/// The errors of `text`, which must not read.
fn errors(text: &str) -> Vec<Diagnostic> {
    match read_yaml(text) {
        Ok(loaded) => panic!("read: {:?}", loaded.playbook.id),
        Err(diagnostics) => diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect(),
    }
}

/// Asserts one error at `path` whose message holds `needle`; returns it.
fn error_at(text: &str, path: &str, needle: &str) -> Diagnostic {
    let errors = errors(text);
    errors
        .iter()
        .find(|d| d.path == path && d.message.contains(needle))
        .cloned()
        .unwrap_or_else(|| panic!("no error at {path} with {needle:?}: {errors:#?}"))
}

#[test]
fn the_base_reads_with_its_authoring_syntax() {
    let loaded = read_yaml(BASE).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let steps = &loaded.playbook.steps;
    assert_eq!(
        steps[0].due,
        Some(Due {
            anchor: Anchor::Declared,
            offset_hours: 2.0
        })
    );
    assert_eq!(
        steps[1].due,
        Some(Due {
            anchor: Anchor::FirstStockout,
            offset_hours: -24.0
        })
    );
    assert_eq!(
        steps[1].when,
        Some(Condition {
            metric: Metric::FirstStockoutDay,
            op: Op::Lt,
            value: 3.0,
            critical_only: false
        })
    );
    assert_eq!(steps[2].action, Some(Action::NotifyPartners));
    assert_eq!(
        loaded.playbook.trigger.incidents,
        vec![IncidentKind::Ransomware]
    );
}

#[test]
fn structured_due_and_when_read_the_same() {
    let text = BASE
        .replace(
            "due: first-stockout - 1d",
            "due: {anchor: first-stockout, offset_hours: -24}",
        )
        .replace(
            "when: first_stockout_day < 3",
            "when: {metric: first_stockout_day, op: \"<\", value: 3}",
        );
    assert_eq!(
        read_yaml(&text).unwrap().playbook,
        read_yaml(BASE).unwrap().playbook
    );
}

#[test]
fn json_reads_too() {
    let playbook = read_yaml(BASE).unwrap().playbook;
    let mut json = serde_json::to_value(&playbook).unwrap();
    json["format"] = "lifeline-playbook/1".into();
    let loaded = read::from_str(&json.to_string(), Format::Json, Path::new("p.json")).unwrap();
    assert_eq!(loaded.playbook, playbook);
}

#[test]
fn dangling_after_names_the_step_and_suggests() {
    let text = BASE.replace("after: [order]", "after: [oder]");
    let error = error_at(&text, "steps[2].after[0]", "`oder` names no step");
    assert_eq!(error.hint.as_deref(), Some("did you mean `order`?"));
}

#[test]
fn a_loop_names_every_step_on_it() {
    let text = BASE.replace(
        "    function: incident-command\n",
        "    function: incident-command\n    after: [tell]\n",
    );
    let error = error_at(&text, "steps[0].after", "loop");
    assert!(
        error
            .message
            .contains("`command` → `order` → `tell` → `command`"),
        "{error:?}"
    );
}

#[test]
fn a_step_after_itself() {
    let text = BASE.replace("after: [command]", "after: [order]");
    error_at(&text, "steps[1].after[0]", "cannot come after itself");
}

#[test]
fn duplicate_and_malformed_ids() {
    let text = BASE.replace("- id: tell", "- id: order");
    error_at(
        &text,
        "steps[2].id",
        "duplicate step id `order`, first used at steps[1]",
    );
    let text = BASE.replace("- id: tell", "- id: Tell_Partners");
    let error = error_at(&text, "steps[2].id", "is not an id");
    assert_eq!(error.hint.as_deref(), Some("write `tell-partners`"));
    let text = BASE.replace("id: test-playbook", "id: \"\"");
    error_at(&text, "id", "must not be empty");
}

#[test]
fn critical_needs_critical_value() {
    let text = BASE.replace(
        "when: first_stockout_day < 3",
        "when: critical first_stockout_day < 3",
    );
    error_at(
        &text,
        "steps[1].when",
        "`critical` needs the playbook's `critical_value`",
    );
    let text = BASE.replace(
        "due: first-stockout - 1d",
        "due: first-critical-stockout - 1d",
    );
    error_at(
        &text,
        "steps[1].due",
        "`first-critical-stockout` anchor needs",
    );
    // With a critical_value both read.
    let text = BASE
        .replace("steps:\n", "critical_value: 10\nsteps:\n")
        .replace(
            "when: first_stockout_day < 3",
            "when: critical first_stockout_day < 3",
        )
        .replace(
            "due: first-stockout - 1d",
            "due: first-critical-stockout - 1d",
        );
    let loaded = read_yaml(&text).unwrap();
    assert!(loaded.playbook.steps[1].when.unwrap().critical_only);
}

#[test]
fn unknown_placeholders_are_named_with_the_field() {
    let text = BASE.replace("Since {declared_at}", "Since {declared} for {nodes_short}");
    let error = error_at(
        &text,
        "steps[2].message.body",
        "unknown placeholder `{declared}`",
    );
    assert_eq!(error.hint.as_deref(), Some("did you mean `{declared_at}`?"));
    let text = BASE.replace("subject: \"{title}\"", "subject: \"{zzz}\"");
    error_at(
        &text,
        "steps[2].message.subject",
        "unknown placeholder `{zzz}`",
    );
}

#[test]
fn placeholders_are_the_agreed_list() {
    assert_eq!(
        PLACEHOLDERS,
        [
            "title",
            "declared_at",
            "entities",
            "vendors",
            "expected_recovery",
            "expected_ttr",
            "tts",
            "first_stockout",
            "first_stockout_node",
            "nodes_short",
            "items_short",
            "hospitals_short"
        ]
    );
}

#[test]
fn meaningless_numbers() {
    let text = BASE.replace("due: declared + 2h", "due: declared - 2h");
    error_at(&text, "steps[0].due", "before the declaration");
    let text = BASE.replace(
        "when: first_stockout_day < 3",
        "when: first_stockout_day < -3",
    );
    error_at(&text, "steps[1].when", "never negative");
    // gap may be negative.
    let text = BASE.replace("when: first_stockout_day < 3", "when: gap < -3");
    read_yaml(&text).unwrap();
    let text = BASE.replace(
        "due: first-stockout - 1d",
        "due: {anchor: first-stockout, offset_hours: .nan}",
    );
    error_at(
        &text,
        "steps[1].due.offset_hours",
        "must be a number of hours",
    );
    let text = BASE.replace("steps:\n", "critical_value: -1\nsteps:\n");
    error_at(&text, "critical_value", "must be");
    // A hand-built playbook with NaN (as a CACAO import could make) is refused too.
    let mut playbook = read_yaml(BASE).unwrap().playbook;
    playbook.steps[1].due = Some(Due {
        anchor: Anchor::Tts,
        offset_hours: f64::NAN,
    });
    playbook.steps[1].when = Some(Condition {
        metric: Metric::Gap,
        op: Op::Lt,
        value: f64::NAN,
        critical_only: false,
    });
    let diagnostics = validate::validate(&playbook);
    for path in ["steps[1].due", "steps[1].when"] {
        assert!(
            diagnostics.iter().any(|d| d.is_error() && d.path == path),
            "{path}: {diagnostics:#?}"
        );
    }
}

#[test]
fn syntax_errors_name_the_step_and_field() {
    let text = BASE.replace("due: declared + 2h", "due: declard + 2h");
    let error = error_at(&text, "steps[0].due", "`declard` is not an anchor");
    assert!(
        error.message.contains("did you mean `declared`"),
        "{error:?}"
    );
    let text = BASE.replace("due: declared + 2h", "due: declared + 2 weeks");
    error_at(&text, "steps[0].due", "needs a unit");
    let text = BASE.replace(
        "when: first_stockout_day < 3",
        "when: first_stockout_day = 3",
    );
    error_at(&text, "steps[1].when", "no operator");
    let text = BASE.replace("function: supply-chain", "function: supply");
    let error = error_at(&text, "steps[1].function", "`supply` is not a function");
    assert!(error.message.contains("supply-chain"));
    let text = BASE.replace("action: notify-partners", "action: notify");
    error_at(&text, "steps[2].action", "`notify` is not an action");
    let text = BASE.replace("incidents: [ransomware]", "incidents: [ransomwear]");
    let error = error_at(&text, "trigger.incidents[0]", "is not an incident kind");
    assert_eq!(error.hint.as_deref(), Some("did you mean `ransomware`?"));
}

#[test]
fn missing_fields_and_notify_without_message() {
    let text = BASE.replace("    title: Order by phone\n", "");
    error_at(&text, "steps[1].title", "missing required field");
    let text = BASE.replace("    function: communications\n", "");
    error_at(&text, "steps[2].function", "missing required field");
    let start = BASE.find("    message:").unwrap();
    let text = &BASE[..start];
    error_at(
        text,
        "steps[2].action",
        "`notify-partners` sends the step's message",
    );
    let text = BASE.replace("subject: \"{title}\"", "subject: \"  \"");
    error_at(&text, "steps[2].message.subject", "must not be empty");
    let text = BASE.replace("name: Test\n", "");
    error_at(&text, "name", "missing required field");
    let text = BASE.split("steps:").next().unwrap().to_owned() + "steps: []\n";
    error_at(&text, "steps", "no steps");
}

#[test]
fn duplicate_keys_and_unknown_fields() {
    let text = BASE.replace(
        "    due: declared + 2h\n",
        "    due: declared + 2h\n    due: recovery\n",
    );
    error_at(&text, "steps[0].due", "duplicate key");
    let text = BASE.replace(
        "    due: declared + 2h\n",
        "    due: declared + 2h\n    deadline: x\n",
    );
    let loaded = read_yaml(&text).unwrap();
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.path == "steps[0].deadline" && w.message.contains("unknown field")),
        "{:?}",
        loaded.warnings
    );
    let text = BASE.replace("format: lifeline-playbook/1", "format: lifeline-playbook/2");
    error_at(&text, "format", "unsupported format");
}

#[test]
fn every_problem_at_once() {
    let text = BASE
        .replace("after: [order]", "after: [nope]")
        .replace("due: declared + 2h", "due: sometime")
        .replace("{declared_at}", "{when}");
    let paths: HashSet<String> = errors(&text).into_iter().map(|d| d.path).collect();
    // A step that decodes keeps its position, so the later checks still run.
    assert!(paths.contains("steps[0].due"), "{paths:?}");
    assert!(paths.contains("steps[2].after[0]"), "{paths:?}");
    assert!(paths.contains("steps[2].message.body"), "{paths:?}");
}

#[test]
fn hostile_values_are_escaped_in_messages() {
    let text = BASE.replace("after: [order]", "after: [\"\\e]0;pwned\\a\"]");
    let errors = errors(&text);
    let shown = format!("{errors:?}");
    assert!(
        !errors.iter().any(|d| d.message.contains('\u{1b}')),
        "{shown}"
    );
}

#[test]
fn topological_order_keeps_document_order_among_ready_steps() {
    let mut playbook = read_yaml(BASE).unwrap().playbook;
    assert_eq!(validate::topological_order(&playbook), vec![0, 1, 2]);
    // `tell` first in the document but after `order`: it moves after it.
    playbook.steps.rotate_right(1);
    assert_eq!(validate::topological_order(&playbook), vec![1, 2, 0]);
    // Two independent steps keep their order.
    playbook.steps[1].after.clear();
    playbook.steps[2].after.clear();
    playbook.steps[0].after.clear();
    assert_eq!(validate::topological_order(&playbook), vec![0, 1, 2]);
    // A loop: every step still appears once.
    playbook.steps[0].after = vec!["order".into()];
    playbook.steps[2].after = vec!["tell".into()];
    let order = validate::topological_order(&playbook);
    assert_eq!(order, vec![1, 0, 2]);
}

#[test]
fn every_builtin_validates_and_uses_the_whole_form() {
    let builtin = library::builtin();
    assert_eq!(builtin.len(), library::DOCUMENTS.len());
    assert_eq!(builtin.len(), 7);
    let mut ids = HashSet::new();
    for (name, text) in library::DOCUMENTS {
        let loaded =
            read::from_str(text, Format::Yaml, Path::new(name)).unwrap_or_else(|e| panic!("{e}"));
        assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings);
        let p = &loaded.playbook;
        assert_eq!(format!("{}.yaml", p.id), name);
        assert!(ids.insert(p.id.clone()));
        assert!(validate::validate(p).is_empty(), "{name}");
        assert_eq!(library::find(&p.id).as_ref(), Some(p));
        assert!(!p.sources.is_empty(), "{name}: no sources");
        let functions: HashSet<Function> = p.steps.iter().map(|s| s.function).collect();
        assert_eq!(
            functions.len(),
            Function::ALL.len(),
            "{name}: functions {functions:?}"
        );
        let anchors: HashSet<Anchor> = p
            .steps
            .iter()
            .filter_map(|s| s.due.map(|d| d.anchor))
            .collect();
        assert!(anchors.contains(&Anchor::Declared), "{name}");
        assert!(
            anchors.iter().any(|a| matches!(
                a,
                Anchor::FirstStockout | Anchor::FirstCriticalStockout | Anchor::Tts
            )),
            "{name}: no deadline on a date computed from the network"
        );
        assert!(
            p.steps.iter().any(|s| s.when.is_some()),
            "{name}: no condition"
        );
        assert!(
            p.steps.iter().any(|s| s.approval.is_some()),
            "{name}: no approval"
        );
        assert!(
            p.steps.iter().any(|s| s.message.is_some()),
            "{name}: no message"
        );
        assert!(
            p.steps.iter().any(|s| s.action.is_some()),
            "{name}: no action"
        );
        assert!(
            p.steps.iter().all(|s| s.owner.is_some()),
            "{name}: a step without an owner"
        );
        // Round trip of the real playbooks too.
        let again = read::from_str(&read::to_yaml(p), Format::Yaml, Path::new("again.yaml"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&again.playbook, p, "{name}");
    }
    assert_eq!(library::find("no-such-playbook"), None);
}

#[test]
fn builtin_triggers_name_kinds_the_example_networks_use() {
    let mut kinds = HashSet::new();
    for file in [
        "iv-fluids.json",
        "distributor-ransomware.json",
        "blood-supplier.json",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        for list in ["nodes", "sites", "platforms"] {
            for entity in json[list].as_array().into_iter().flatten() {
                if let Some(kind) = entity["kind"].as_str() {
                    kinds.insert(kind.to_owned());
                }
            }
        }
    }
    for id in [
        "distributor-ordering-ransomware",
        "manufacturing-plant-down",
        "blood-supplier-manual-mode",
    ] {
        let p = library::find(id).unwrap();
        assert!(
            p.trigger.entity_kinds.iter().any(|k| kinds.contains(k)),
            "{id}: {:?} against {kinds:?}",
            p.trigger.entity_kinds
        );
    }
}

// --- to_yaml round trip ---------------------------------------------------------------

fn id_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4}){0,2}",
        // Ids a YAML reader would take for something else if written plain.
        proptest::sample::select(vec!["null", "true", "no", "y", "123", "1e5", "nan", "0-1"])
            .prop_map(str::to_owned),
    ]
}

/// Free text: any characters, controls and bidi marks included, except braces (which
/// would be placeholders); not blank.
fn text_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^{}]{0,30}",
        "[ -~]{0,30}".prop_map(|s| s.replace(['{', '}'], "")),
        Just("line one\nline two: \"quoted\" \\ # not a comment".to_owned()),
        Just("\u{1b}[2J\u{202e}txt.exe\u{7f}\u{85}\u{feff}\t€ 𝄞".to_owned()),
    ]
    .prop_map(|s| format!("x{s}"))
}

fn template_strategy() -> impl Strategy<Value = String> {
    (
        text_strategy(),
        proptest::sample::select(PLACEHOLDERS.to_vec()),
    )
        .prop_map(|(text, p)| format!("{text} {{{p}}}"))
}

fn finite(range: std::ops::RangeInclusive<f64>) -> impl Strategy<Value = f64> {
    prop_oneof![range.clone(), (-100i32..100).prop_map(f64::from)]
        .prop_filter("in range", move |x| range.contains(x))
}

fn due_strategy() -> impl Strategy<Value = Due> {
    (
        proptest::sample::select(Anchor::ALL.to_vec()),
        prop_oneof![
            finite(-2.4e6..=2.4e6),
            (-1000i32..1000).prop_map(|d| f64::from(d) * 24.0),
            (-50i32..50).prop_map(|h| f64::from(h) / 4.0),
        ],
    )
        .prop_map(|(anchor, offset)| Due {
            anchor,
            offset_hours: if anchor == Anchor::Declared {
                offset.abs()
            } else {
                offset
            },
        })
}

fn condition_strategy() -> impl Strategy<Value = Condition> {
    (
        proptest::sample::select(Metric::ALL.to_vec()),
        proptest::sample::select(vec![Op::Lt, Op::Le, Op::Gt, Op::Ge]),
        finite(-1e15..=1e15),
        any::<bool>(),
    )
        .prop_map(|(metric, op, value, critical_only)| Condition {
            metric,
            op,
            value: if metric == Metric::Gap {
                value
            } else {
                value.abs()
            },
            critical_only,
        })
}

fn step_strategy() -> impl Strategy<Value = (Step, Vec<proptest::sample::Index>)> {
    (
        (
            text_strategy(),
            proptest::sample::select(Function::ALL.to_vec()),
            prop_oneof![Just(String::new()), text_strategy()],
            proptest::option::of(text_strategy()),
            proptest::collection::vec(any::<proptest::sample::Index>(), 0..3),
        ),
        (
            proptest::option::of(due_strategy()),
            proptest::option::of(condition_strategy()),
            proptest::option::of(text_strategy()),
            proptest::option::of((text_strategy(), template_strategy(), template_strategy())),
            proptest::option::of(proptest::sample::select(vec![
                Action::Stress,
                Action::Simulate,
                Action::NotifyPartners,
            ])),
        ),
    )
        .prop_map(
            |(
                (title, function, description, owner, after),
                (due, when, approval, message, action),
            )| {
                let message = message.map(|(audience, subject, body)| Message {
                    audience,
                    subject,
                    body,
                });
                let action = match (action, &message) {
                    (Some(Action::NotifyPartners), None) => None,
                    (action, _) => action,
                };
                (
                    Step {
                        id: String::new(),
                        title,
                        function,
                        description,
                        owner,
                        after: Vec::new(),
                        due,
                        when,
                        approval,
                        message,
                        action,
                    },
                    after,
                )
            },
        )
}

fn playbook_strategy() -> impl Strategy<Value = Playbook> {
    (
        id_strategy(),
        text_strategy(),
        prop_oneof![Just(String::new()), text_strategy()],
        proptest::collection::vec(
            (text_strategy(), proptest::option::of(text_strategy())),
            0..3,
        ),
        (
            proptest::collection::vec(proptest::sample::select(IncidentKind::ALL.to_vec()), 0..3),
            proptest::collection::vec(text_strategy(), 0..3),
            proptest::collection::vec(id_strategy(), 0..2),
            proptest::option::of(finite(1e-9..=1e9).prop_filter("positive", |x| *x > 0.0)),
        ),
        finite(1e-9..=1e9).prop_filter("positive", |x| *x > 0.0),
        proptest::collection::vec(step_strategy(), 1..8),
    )
        .prop_map(
            |(id, name, description, sources, trigger, critical_value, steps)| {
                let (incidents, entity_kinds, vendors, min_item_value) = trigger;
                let ids: Vec<String> = (0..steps.len())
                    .map(|i| match i {
                        1 => "true".to_owned(),
                        2 => "12".to_owned(),
                        _ => format!("s{i}"),
                    })
                    .collect();
                let steps = steps
                    .into_iter()
                    .enumerate()
                    .map(|(i, (mut step, after))| {
                        step.id = ids[i].clone();
                        if i > 0 {
                            let mut deps: Vec<String> =
                                after.iter().map(|ix| ids[ix.index(i)].clone()).collect();
                            deps.dedup();
                            deps.sort();
                            deps.dedup();
                            step.after = deps;
                        }
                        step
                    })
                    .collect();
                Playbook {
                    id,
                    name,
                    description,
                    sources: sources
                        .into_iter()
                        .map(|(title, url)| Source { title, url })
                        .collect(),
                    trigger: Trigger {
                        incidents,
                        entity_kinds,
                        vendors,
                        min_item_value,
                    },
                    critical_value: Some(critical_value),
                    steps,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn to_yaml_reads_back_to_the_same_playbook(playbook in playbook_strategy()) {
        prop_assert!(
            validate::validate(&playbook).iter().all(|d| !d.is_error()),
            "{:#?}", validate::validate(&playbook)
        );
        let yaml = read::to_yaml(&playbook);
        let loaded = match read::from_str(&yaml, Format::Yaml, Path::new("round.yaml")) {
            Ok(loaded) => loaded,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{yaml}"))),
        };
        prop_assert_eq!(&loaded.playbook, &playbook, "{}", yaml);
        prop_assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        // The text holds no raw control or bidi character: it is safe to show as it is.
        prop_assert!(!yaml.chars().any(|c| c != '\n' && lifeline_text::is_unsafe(c)));
    }
}
