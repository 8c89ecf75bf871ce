//! The typed CACAO v2.0 model. Optional members are `Option`s (absent and empty stay
//! apart), timestamps stay the text they were written as, and every object keeps the
//! members it does not name in `extra`: a document read and written back is the same JSON
//! value.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

/// A CACAO v2.0 playbook (CACAO v2.0 section 3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacaoDocument {
    /// Always `playbook`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `cacao-2.0`.
    pub spec_version: String,
    /// `playbook--<uuid>`.
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook_activities: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook_processing_summary: Option<Map<String, Value>>,
    /// `identity--<uuid>`.
    pub created_by: String,
    /// RFC 3339 in UTC, as written.
    pub created: String,
    pub modified: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_to: Option<Vec<String>>,
    /// 0 to 100 (kept as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry_sectors: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_references: Option<Vec<ExternalReference>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markings: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook_variables: Option<Map<String, Value>>,
    /// The id of the first step (a `start` step).
    pub workflow_start: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_exception: Option<String>,
    /// Steps by id (`action--<uuid>`, `end--<uuid>`, ...).
    pub workflow: BTreeMap<String, WorkflowStep>,
    /// Extension properties of the playbook, by `extension-definition--<uuid>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook_extensions: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_info_definitions: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_definitions: Option<BTreeMap<String, AgentTarget>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_definitions: Option<BTreeMap<String, AgentTarget>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_definitions: Option<BTreeMap<String, ExtensionDefinition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_marking_definitions: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatures: Option<Vec<Value>>,
    /// Members this model does not name, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CacaoDocument {
    /// The document as JSON: for a document [`read`](super::read) returned, the same
    /// value as the text it was read from.
    pub fn to_value(&self) -> Value {
        // Every member is a string, number, bool, list or map with string keys: writing
        // it to a `Value` cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The step a reference names, if the workflow has it.
    pub fn step(&self, id: &str) -> Option<&WorkflowStep> {
        self.workflow.get(id)
    }
}

/// The type of a workflow step (CACAO v2.0 section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepType {
    Start,
    End,
    Action,
    PlaybookAction,
    Parallel,
    IfCondition,
    WhileCondition,
    SwitchCondition,
}

impl StepType {
    pub fn as_str(self) -> &'static str {
        match self {
            StepType::Start => "start",
            StepType::End => "end",
            StepType::Action => "action",
            StepType::PlaybookAction => "playbook-action",
            StepType::Parallel => "parallel",
            StepType::IfCondition => "if-condition",
            StepType::WhileCondition => "while-condition",
            StepType::SwitchCondition => "switch-condition",
        }
    }
}

/// One workflow step. The members of every step type are here; the schema has already
/// checked which type may carry which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowStep {
    #[serde(rename = "type")]
    pub kind: StepType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_references: Option<Vec<ExternalReference>>,
    /// Milliseconds to wait before the step starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<Number>,
    /// Milliseconds the step may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_variables: Option<Map<String, Value>>,
    /// An identity id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_completion: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_success: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<String>,
    /// Extension properties of the step, by `extension-definition--<uuid>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_extensions: Option<Map<String, Value>>,
    /// `action`: what to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commands: Option<Vec<Command>>,
    /// `action`: who does it (a key of `agent_definitions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// `action`: what to (keys of `target_definitions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_args: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_args: Option<Vec<String>>,
    /// `playbook-action`: the playbook to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook_version: Option<String>,
    /// `parallel`: the steps started together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_steps: Option<Vec<String>>,
    /// `if-condition`, `while-condition`: the STIX pattern tested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_true: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_false: Option<String>,
    /// `switch-condition`: the variable tested and the step for each value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cases: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl WorkflowStep {
    /// A step of `kind` with nothing else set.
    pub fn new(kind: StepType) -> Self {
        WorkflowStep {
            kind,
            name: None,
            description: None,
            external_references: None,
            delay: None,
            timeout: None,
            step_variables: None,
            owner: None,
            on_completion: None,
            on_success: None,
            on_failure: None,
            step_extensions: None,
            commands: None,
            agent: None,
            targets: None,
            in_args: None,
            out_args: None,
            playbook_id: None,
            playbook_version: None,
            next_steps: None,
            condition: None,
            on_true: None,
            on_false: None,
            switch: None,
            cases: None,
            extra: Map::new(),
        }
    }

    /// Every step this one may lead to, with the member that names it
    /// (`on_completion`, `next_steps[1]`, `cases.blocked`), in a fixed order.
    pub fn successors(&self) -> Vec<(String, &str)> {
        let mut out = Vec::new();
        for (field, target) in [
            ("on_completion", &self.on_completion),
            ("on_success", &self.on_success),
            ("on_failure", &self.on_failure),
            ("on_true", &self.on_true),
            ("on_false", &self.on_false),
        ] {
            if let Some(target) = target {
                out.push((field.to_owned(), target.as_str()));
            }
        }
        for (i, target) in self.next_steps.iter().flatten().enumerate() {
            out.push((format!("next_steps[{i}]"), target.as_str()));
        }
        for (case, target) in self.cases.iter().flatten() {
            out.push((super::join_key("cases", case), target.as_str()));
        }
        out
    }
}

/// A command of an `action` step (CACAO v2.0 section 5). `manual` commands are
/// instructions for a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_b64: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook_activity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_references: Option<Vec<ExternalReference>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An agent or target (CACAO v2.0 section 7): a `group`, an `individual`, an `ssh` host...
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentTarget {
    #[serde(rename = "type")]
    pub kind: String,
    /// Required by the schema for the agent types it knows; optional here so that an
    /// entry under a key of a type the schema does not know still reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Value>,
    /// The key of an `authentication_info_definitions` entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_info: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_target_extensions: Option<Map<String, Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The definition of an extension used in the playbook (CACAO v2.0 section 8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtensionDefinition {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub created_by: String,
    /// Where the extension's schema is.
    pub schema: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_references: Option<Vec<ExternalReference>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A reference to something outside the playbook (CACAO v2.0 section 10.9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalReference {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_id: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
