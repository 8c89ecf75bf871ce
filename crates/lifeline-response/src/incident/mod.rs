//! Incidents: a declared disruption, its impact computed from the network, the matching
//! playbooks' tasks with due times, and a hash-chained timeline of everything that
//! happened after.
//!
//! The timeline is the incident: an [`Incident`] is the fold of its [`Entry`]s
//! ([`state::replay`]), so the state and its history cannot disagree, and an edited or
//! removed entry breaks the chain ([`timeline::verify`]).
//!
//! - [`impact`] runs the simulator and the stress test on the declared disruption.
//! - [`tasks`] picks playbooks, evaluates conditions and computes due times.
//! - [`timeline`] hashes and verifies entries.
//! - [`state`] replays entries into an [`Incident`] and checks a new entry against it.
//! - [`report`] writes the after-action report (Markdown, HTML) and the JSON document.

pub mod impact;
pub mod report;
pub mod state;
pub mod tasks;
pub mod timeline;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::playbook::{Action, Function, IncidentKind};

/// What the emergency manager declares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Declaration {
    pub title: String,
    pub kind: IncidentKind,
    /// Ids of the nodes, sites or platforms that are down.
    pub entities: Vec<String>,
    /// Capacity left while down, 0 (fully down) to 1.
    pub capacity_factor: f64,
    /// Expected time to recover, in the network's time unit (days).
    pub expected_ttr: f64,
    #[serde(with = "time::serde::rfc3339")]
    pub declared_at: OffsetDateTime,
    /// Playbooks asked for by id; empty: the library's playbooks whose trigger matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub playbooks: Vec<String>,
}

/// The impact of the declared disruption, from the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Impact {
    /// The network's `name`.
    pub network: String,
    /// The SHA-256 of the network document the impact was computed from (hex).
    pub network_sha256: String,
    /// The scenario both analyses ran, as a scenario file (`{"scenarios": [...]}`, the one
    /// scenario's `id` is `incident`) that `lifeline simulate --scenario FILE` and
    /// `lifeline stress --scenarios FILE` read.
    pub scenario: serde_json::Value,
    pub expected_ttr: f64,
    /// Days simulated (the network's horizon, as `lifeline simulate` picks it).
    pub days: u32,
    /// The stress test's result for the scenario, as `lifeline stress` reports it.
    pub stress: lifeline_stress::ScenarioResult,
    /// Per demand node (one hospital's use of one item), the simulator's outcome, in the
    /// simulator's order.
    pub demand: Vec<DemandImpact>,
    /// The earliest first stockout day of any demand node.
    pub first_stockout_day: Option<u32>,
    pub entities: Vec<AffectedEntity>,
    /// Vendor ids behind the disrupted entities, sorted.
    pub vendors: Vec<String>,
}

/// One hospital's use of one item through the outage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandImpact {
    /// The demand node id, as in `lifeline simulate`'s report.
    pub id: String,
    /// The site the demand node belongs to (the hospital), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    pub material: String,
    pub value: f64,
    pub days_of_supply_at_start: Option<f64>,
    pub first_stockout_day: Option<u32>,
    /// `declared_at` + `first_stockout_day` days.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub runs_short_at: Option<OffsetDateTime>,
    pub shortage_days: u32,
    pub unmet_units: f64,
}

/// A disrupted entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AffectedEntity {
    pub id: String,
    /// `node`, `site` or `platform`.
    pub entity: String,
    /// Its `kind` in the network (`manufacturer`, `ordering platform`), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
}

/// A playbook step instantiated for this incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// `PLAYBOOK/STEP`: unique within the incident.
    pub id: String,
    pub playbook: String,
    pub step: String,
    pub title: String,
    pub function: Function,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Task ids that must be done first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub due: Option<OffsetDateTime>,
    /// How the due time was set, for people: `2 h after the declaration`, `1 day before
    /// the first stockout (mercy-iv, day 6)`, or why there is none.
    pub due_basis: String,
    /// The role whose approval the task needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<String>,
    /// The message with its placeholders filled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<crate::playbook::Message>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// What lifeline did for an action step (`TTS 4.2 days; 3 reroutes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_result: Option<String>,
    pub status: TaskStatus,
    /// When it was last marked done (for deadlines met or missed).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub done_at: Option<OffsetDateTime>,
    /// Who approved it, when it needs an approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskStatus {
    Todo,
    InProgress,
    Blocked,
    Done,
    /// Not needed for this incident (a decision, with its reason on the timeline).
    Skipped,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 5] = [
        TaskStatus::Todo,
        TaskStatus::InProgress,
        TaskStatus::Blocked,
        TaskStatus::Done,
        TaskStatus::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Todo => "todo",
            TaskStatus::InProgress => "in-progress",
            TaskStatus::Blocked => "blocked",
            TaskStatus::Done => "done",
            TaskStatus::Skipped => "skipped",
        }
    }

    pub fn parse(text: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// One entry of an incident's timeline, as stored. `hash` is the SHA-256 (hex) of
/// `prev` and the canonical JSON of `seq`, `at`, `actor` and `event`
/// ([`timeline::entry_hash`]); the first entry's `prev` is 64 zeros.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// 1, 2, 3, ... with no gap.
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who did it: a user name, or `lifeline` for what lifeline computed.
    pub actor: String,
    pub event: Event,
    pub prev: String,
    pub hash: String,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    /// The incident was declared: its impact and tasks as computed then.
    Declared {
        declaration: Declaration,
        impact: Impact,
        /// Ids of the playbooks instantiated.
        playbooks: Vec<String>,
        tasks: Vec<Task>,
    },
    /// The outage estimate changed: the impact was recomputed and due times moved.
    Updated {
        expected_ttr: f64,
        capacity_factor: f64,
        impact: Impact,
        moved: Vec<DueChange>,
        /// Tasks whose condition holds now that did not at the declaration (their
        /// steps' conditions are evaluated on the new impact); tasks already on the
        /// board stay.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        added: Vec<Task>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
    },
    /// A task's status changed.
    TaskStatus {
        task: String,
        status: TaskStatus,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
    /// A task that needs an approval was approved.
    Approved {
        task: String,
        role: String,
    },
    /// A decision taken, with its reason.
    Decision {
        text: String,
    },
    Note {
        text: String,
    },
    /// An item for the improvement plan, with its owner.
    Improvement {
        text: String,
        owner: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        function: Option<Function>,
    },
    Closed {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        summary: String,
    },
    /// A signed alert (or update, cancel, drill) went out to one partner contact on one
    /// channel (issue 17: lifeline-share builds it, lifeline-notify delivers it).
    AlertSent {
        /// The alert's id (its payload's `id`).
        alert: String,
        /// The recipient organisation's id in the partner directory.
        recipient: String,
        /// The contact's id in that organisation.
        contact: String,
        /// `email`, `webhook` or `phone` (a phone entry is a call for a person to make).
        channel: String,
        /// Where it went: the address, URL or number.
        address: String,
        /// 0 for the first contact; n for the n-th escalation step.
        #[serde(default)]
        step: u32,
    },
    /// A delivery failed after its retries.
    DeliveryFailed {
        alert: String,
        recipient: String,
        contact: String,
        channel: String,
        address: String,
        error: String,
        #[serde(default)]
        attempts: u32,
    },
    /// A recipient acknowledged an alert.
    Acknowledged {
        alert: String,
        recipient: String,
        contact: String,
        /// `signed-reply` (a verified JWS acknowledgement) or `link` (a one-time link).
        via: String,
    },
    /// An alert not acknowledged in its window moved to the next contact or tier.
    Escalated {
        alert: String,
        recipient: String,
        /// The contact (or organisation, at a tier step) it moves to.
        to: String,
        reason: String,
    },
}

impl Event {
    /// The one sentence every front end shows for a partner-communication event; `None`
    /// for the incident's own events.
    pub fn sharing_text(&self) -> Option<String> {
        Some(match self {
            Event::AlertSent {
                alert,
                recipient,
                contact,
                channel,
                address,
                step,
            } => {
                let escalation = if *step == 0 {
                    String::new()
                } else {
                    format!(" (escalation step {step})")
                };
                format!(
                    "Alert {alert} sent to {contact} at {recipient} by {channel} ({address}){escalation}"
                )
            }
            Event::DeliveryFailed {
                alert,
                recipient,
                contact,
                channel,
                address,
                error,
                attempts,
            } => format!(
                "Alert {alert} to {contact} at {recipient} by {channel} ({address}) failed after \
                 {attempts} attempt(s): {error}"
            ),
            Event::Acknowledged {
                alert,
                recipient,
                contact,
                via,
            } => format!("Alert {alert} acknowledged by {contact} at {recipient} ({via})"),
            Event::Escalated {
                alert,
                recipient,
                to,
                reason,
            } => format!("Alert {alert} to {recipient} escalated to {to}: {reason}"),
            _ => return None,
        })
    }
}

/// A due time that moved when the estimate changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DueChange {
    pub task: String,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub from: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub to: Option<OffsetDateTime>,
    /// The task's new `due_basis`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub basis: String,
}

/// An incident as its timeline makes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub declaration: Declaration,
    /// The latest impact (after the last update).
    pub impact: Impact,
    pub playbooks: Vec<String>,
    pub tasks: Vec<Task>,
    pub status: IncidentStatus,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    /// Entries replayed.
    pub entries: u64,
    /// The last entry's hash: what the next entry chains to.
    pub head: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentStatus {
    Open,
    Closed,
}
