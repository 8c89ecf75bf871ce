//! lifeline's playbook written as CACAO v2.0.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::SPEC_VERSION;
use crate::playbook::validate;
use crate::playbook::{
    Action, Condition, Due, FORMAT, Function, Message, Playbook, Source, Step, Trigger,
};

/// The id of lifeline's extension (`extension-definition--<uuid>`): lifeline's own fields
/// of a playbook and of each step, declared in `extension_definitions`.
pub const EXTENSION_ID: &str = "extension-definition--8d1f8d0e-521c-513e-9c1b-fe703f927e3e";

/// Where the extension's fields are described (the `schema` of its definition): the
/// authoring form of lifeline's playbooks, which the extension's members copy.
pub const EXTENSION_SCHEMA: &str = "lifeline-playbook/1: the fields of a lifeline playbook and its steps (crates/lifeline-response/src/playbook/mod.rs)";

/// The identity that creates lifeline's CACAO documents (`created_by`).
pub const LIFELINE_IDENTITY: &str = "identity--aa9d8d84-2c20-5a0b-9060-f3915b66a5d9";

/// The namespace of every UUID v5 lifeline derives for CACAO ids.
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:lifeline:cacao")
}

fn derived(kind: &str, name: &str) -> String {
    let uuid = Uuid::new_v5(&namespace(), format!("{kind}:{name}").as_bytes());
    format!("{kind}--{uuid}")
}

/// The CACAO id of a lifeline playbook: `playbook--<uuid v5 of its id>`.
pub fn playbook_id(playbook: &str) -> String {
    derived("playbook", playbook)
}

/// The CACAO id of one step of a playbook (`action--<uuid v5>`), and of its start and end
/// steps with `kind` `start` and `end` (and `step` empty).
pub fn step_id(kind: &str, playbook: &str, step: &str) -> String {
    derived(kind, &format!("{playbook}/{step}"))
}

/// The `group` agent of one function, the same in every playbook.
pub fn agent_id(function: Function) -> String {
    derived("group", function.as_str())
}

/// lifeline's fields of a playbook, in its extension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PlaybookExtension {
    pub format: String,
    pub id: String,
    pub trigger: Trigger,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_value: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// The steps' ids in the order the author wrote them (the workflow runs them in a
    /// dependency order, which may differ).
    pub steps: Vec<String>,
}

/// lifeline's fields of a step, in its extension (title and description are the step's
/// `name` and `description`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StepExtension {
    pub id: String,
    pub function: Function,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Due>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
}

/// A CACAO timestamp: UTC, exactly three digits of milliseconds
/// (`2026-12-01T08:00:00.000Z`); STIX timestamps are written the same way.
pub fn timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// Writes a playbook as a CACAO v2.0 document, `created` (and `modified`) at the given time.
///
/// Ids are UUID v5 derived from the playbook's and steps' ids, so the same playbook always
/// gives the same document. The workflow is start → one `action` step per lifeline step,
/// chained by `on_completion` in a dependency order (each step after every step it
/// depends on; among steps ready together, the author's order) → end. Each action has one
/// `manual` command (the step's description, or its title) and the `group` agent of its
/// function. lifeline's own fields (trigger, function, after, due, when, approval,
/// message, action, sources) are in the extension [`EXTENSION_ID`], declared in
/// `extension_definitions`, so that [`to_playbook`](super::to_playbook) gives the same
/// playbook back.
pub fn from_playbook(playbook: &Playbook, created: OffsetDateTime) -> Value {
    let at = timestamp(created);
    let start = step_id("start", &playbook.id, "");
    let end = step_id("end", &playbook.id, "");
    let order = validate::topological_order(playbook);
    let ids: Vec<String> = playbook
        .steps
        .iter()
        .map(|s| step_id("action", &playbook.id, &s.id))
        .collect();

    let mut workflow = Map::new();
    let first = order.first().map_or(end.clone(), |&i| ids[i].clone());
    workflow.insert(
        start.clone(),
        json!({"type": "start", "name": "Start", "on_completion": first}),
    );
    for (position, &i) in order.iter().enumerate() {
        let step = &playbook.steps[i];
        let next = order
            .get(position + 1)
            .map_or(end.clone(), |&j| ids[j].clone());
        workflow.insert(ids[i].clone(), action_step(step, next));
    }
    workflow.insert(end, json!({"type": "end", "name": "End"}));

    let mut agents = Map::new();
    for function in Function::ALL {
        if playbook.steps.iter().any(|s| s.function == function) {
            agents.insert(
                agent_id(function),
                json!({
                    "type": "group",
                    "name": function.title(),
                    "description": format!("lifeline function `{}`", function.as_str()),
                }),
            );
        }
    }

    let extension = PlaybookExtension {
        format: FORMAT.to_owned(),
        id: playbook.id.clone(),
        trigger: playbook.trigger.clone(),
        critical_value: playbook.critical_value,
        sources: playbook.sources.clone(),
        steps: playbook.steps.iter().map(|s| s.id.clone()).collect(),
    };
    let mut labels = vec![Value::from("lifeline")];
    labels.extend(
        playbook
            .trigger
            .incidents
            .iter()
            .map(|k| Value::from(k.as_str())),
    );

    let mut document = Map::new();
    document.insert("type".into(), json!("playbook"));
    document.insert("spec_version".into(), json!(SPEC_VERSION));
    document.insert("id".into(), json!(playbook_id(&playbook.id)));
    document.insert("name".into(), json!(playbook.name));
    if !playbook.description.is_empty() {
        document.insert("description".into(), json!(playbook.description));
    }
    document.insert("created_by".into(), json!(LIFELINE_IDENTITY));
    document.insert("created".into(), json!(at));
    document.insert("modified".into(), json!(at));
    document.insert("labels".into(), Value::Array(labels));
    if !playbook.sources.is_empty() {
        let references: Vec<Value> = playbook
            .sources
            .iter()
            .map(|s| match &s.url {
                Some(url) => json!({"name": s.title, "url": url}),
                None => json!({"name": s.title}),
            })
            .collect();
        document.insert("external_references".into(), Value::Array(references));
    }
    document.insert("workflow_start".into(), json!(start));
    document.insert("workflow".into(), Value::Object(workflow));
    if !agents.is_empty() {
        document.insert("agent_definitions".into(), Value::Object(agents));
    }
    document.insert(
        "extension_definitions".into(),
        json!({
            EXTENSION_ID: {
                "type": "extension-definition",
                "name": "lifeline playbook",
                "description": "lifeline's fields of an incident-response playbook: when it \
                    applies (trigger), and for each step the team (function), the steps it \
                    waits for (after), its deadline (due), its condition (when), the approval \
                    it needs, the message it sends and the analysis lifeline runs (action)",
                "created_by": LIFELINE_IDENTITY,
                "schema": EXTENSION_SCHEMA,
                "version": "1",
            }
        }),
    );
    document.insert(
        "playbook_extensions".into(),
        json!({ EXTENSION_ID: serde_json::to_value(&extension).unwrap_or(Value::Null) }),
    );
    Value::Object(document)
}

fn action_step(step: &Step, next: String) -> Value {
    let extension = StepExtension {
        id: step.id.clone(),
        function: step.function,
        owner: step.owner.clone(),
        after: step.after.clone(),
        due: step.due,
        when: step.when,
        approval: step.approval.clone(),
        message: step.message.clone(),
        action: step.action,
    };
    let instruction = if step.description.is_empty() {
        &step.title
    } else {
        &step.description
    };
    let mut value = Map::new();
    value.insert("type".into(), json!("action"));
    value.insert("name".into(), json!(step.title));
    if !step.description.is_empty() {
        value.insert("description".into(), json!(step.description));
    }
    value.insert(
        "commands".into(),
        json!([{"type": "manual", "command": instruction}]),
    );
    value.insert("agent".into(), json!(agent_id(step.function)));
    value.insert("on_completion".into(), json!(next));
    value.insert(
        "step_extensions".into(),
        json!({ EXTENSION_ID: serde_json::to_value(&extension).unwrap_or(Value::Null) }),
    );
    Value::Object(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constant_ids_are_the_derived_ones() {
        assert_eq!(EXTENSION_ID, derived("extension-definition", FORMAT));
        assert_eq!(LIFELINE_IDENTITY, derived("identity", "lifeline"));
    }

    #[test]
    fn timestamps_have_milliseconds_in_utc() {
        let at = time::macros::datetime!(2026-12-06 10:15:30.5 +01:00);
        assert_eq!(timestamp(at), "2026-12-06T09:15:30.500Z");
    }
}
