//! EPCIS 2.0 JSON Schema validation, streaming: every valid fixture JSON document passes,
//! and documents with one field broken fail naming the event and the path.

use lifeline_trace::schema::validate_document;

use crate::{data, read_data};

/// Every JSON-LD document under `tests/data/epcis/JSON` (the GS1 examples, all meant valid).
fn json_fixtures() -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![data("epcis/JSON")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir").filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e == "jsonld" || e == "json")
            {
                out.push(
                    path.strip_prefix(data(""))
                        .expect("under data")
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_fixture_json_document_is_schema_valid() {
    let fixtures = json_fixtures();
    assert_eq!(fixtures.len(), 26, "{fixtures:?}");
    let mut failures = Vec::new();
    for name in &fixtures {
        let validation = validate_document(read_data(name).as_slice()).expect("validator");
        if validation.error.is_some() || !validation.problems.is_empty() {
            failures.push(format!(
                "{name}: {:?} {:?}",
                validation.error,
                validation
                    .problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const EXAMPLE: &str = "epcis/JSON/Example_9.6.1-ObjectEvent.jsonld";

/// The example with event 1 changed by `edit`, validated; the problems as text.
fn broken(edit: impl Fn(&mut serde_json::Value)) -> (Vec<String>, Option<String>) {
    let mut document: serde_json::Value =
        serde_json::from_slice(&read_data(EXAMPLE)).expect("JSON");
    edit(&mut document);
    let text = serde_json::to_string_pretty(&document).expect("JSON");
    let validation = validate_document(text.as_bytes()).expect("validator");
    (
        validation
            .problems
            .iter()
            .map(ToString::to_string)
            .collect(),
        validation.error.map(|e| e.to_string()),
    )
}

fn event1(document: &mut serde_json::Value) -> &mut serde_json::Value {
    &mut document["epcisBody"]["eventList"][1]
}

const ID1: &str = "eventID `ni:///sha-256;00e1e6eba3a7cc6125be4793a631f0af50f8322e0ab5f2c0bab994a11cec1d79?ver=CBV2.0`";

#[test]
fn a_wrong_type_names_the_event_and_path() {
    let (problems, error) = broken(|d| {
        event1(d)["epcList"] = serde_json::json!([42]);
    });
    // The reader cannot model it either, and says where.
    assert!(
        error.is_some_and(|e| e.starts_with("event 1,") && e.contains("`epcList[0]`")),
        "{problems:?}"
    );
    assert!(
        problems[0].starts_with(&format!(
            "event 1, {ID1}, field `epcList[0]`: 42 is not of type"
        )),
        "{problems:?}"
    );
    let (problems, _) = broken(|d| {
        event1(d)["readPoint"] = serde_json::json!("urn:epc:id:sgln:0012345.11111.400");
    });
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(&format!("event 1, {ID1}, field `readPoint`:"))),
        "{problems:?}"
    );
}

#[test]
fn a_bad_enum_value_names_the_definition() {
    let (problems, _) = broken(|d| {
        event1(d)["action"] = "LOOK".into();
    });
    assert!(
        problems.contains(&format!(
            "event 1, {ID1}, field `action`: \"LOOK\" is not a valid action (EPCIS 2.0 JSON Schema)"
        )),
        "{problems:?}"
    );
    // The EPCIS rule check finds it too, after the schema problem.
    assert!(
        problems
            .last()
            .is_some_and(|p| p.contains("`LOOK` is not `ADD`, `OBSERVE` or `DELETE`")),
        "{problems:?}"
    );
}

#[test]
fn an_unknown_event_type_is_a_schema_problem_and_stops_reading() {
    let (problems, error) = broken(|d| {
        event1(d)["type"] = "ObjectEvnt".into();
    });
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(&format!("event 1, {ID1}, field `type`:"))),
        "{problems:?}"
    );
    assert!(
        error.is_some_and(|e| e.contains("unknown event type `ObjectEvnt`")),
        "reading stops at the event it cannot model"
    );
}

#[test]
fn header_problems_name_the_field_without_an_event() {
    let (problems, _) = broken(|d| {
        d["schemaVersion"] = serde_json::json!(2);
        if let Some(map) = d.as_object_mut() {
            map.remove("creationDate");
        }
    });
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("field `schemaVersion`:")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("document: ") && p.contains("creationDate")),
        "{problems:?}"
    );
    // Event 0 is untouched: no problem names it.
    assert!(
        !problems.iter().any(|p| p.starts_with("event 0")),
        "{problems:?}"
    );
}

#[test]
fn a_combination_the_schema_forbids_is_reported_on_the_event() {
    // ILMD is allowed only with action ADD: `anyOf` alternatives, no single wrong field.
    let (problems, _) = broken(|d| {
        event1(d)["ilmd"] = serde_json::json!({"example:lot": "L1"});
    });
    assert_eq!(
        problems,
        [format!(
            "event 1, {ID1}: matches none of the alternatives the EPCIS 2.0 JSON Schema allows here (schema path `/definitions/ObjectEvent/allOf/3/anyOf`)"
        )]
    );
}
