//! lifeline's playbook form (`lifeline-playbook/1`): what an author writes, in YAML or
//! JSON, and what every other part of the crate reads.
//!
//! A playbook says when it applies ([`Trigger`]) and what to do ([`Step`]s). Steps are
//! grouped by [`Function`] (the team that does them), depend on other steps (`after`: a
//! DAG, checked by [`validate`]), fall due at a time relative to the declaration or to a
//! date computed from the network ([`Due`]), may apply only under a [`Condition`], may
//! need an approval, may carry a message template, and may call lifeline itself
//! ([`Action`]).

pub mod read;
pub mod validate;

use serde::{Deserialize, Serialize};

/// The `format` value of a playbook document.
pub const FORMAT: &str = "lifeline-playbook/1";

/// A playbook in lifeline's form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Playbook {
    /// Unique id: lower-case letters, digits and hyphens (`distributor-ordering-ransomware`).
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Where the steps come from (HHS 405(d), HICS, real incidents), with their address.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    pub trigger: Trigger,
    /// Demand nodes whose `value` is at least this are the playbook's critical items
    /// (conditions with `critical_only`, the `first-critical-stockout` anchor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_value: Option<f64>,
    pub steps: Vec<Step>,
}

/// A source the playbook's steps are drawn from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// When a playbook applies. Every list given must match (an empty list matches anything);
/// an incident matches when one of its kinds is listed, one of its entities has one of
/// the entity kinds, and so on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Trigger {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<IncidentKind>,
    /// Entity kinds, compared case-insensitively with an entity's `kind` (`manufacturer`,
    /// `distribution centre`, `ordering platform`, ...) or its type (`node`, `site`,
    /// `platform`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entity_kinds: Vec<String>,
    /// Vendor ids (the network's `vendor` on the entities).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vendors: Vec<String>,
    /// Applies only when an affected demand node's `value` is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_item_value: Option<f64>,
}

/// What kind of incident was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentKind {
    /// Ransomware or another destructive attack on the partner's IT.
    Ransomware,
    /// An IT platform (ordering, EDI, clearinghouse, EHR) unavailable for any reason.
    ItOutage,
    /// A manufacturing plant or distribution site not producing or shipping.
    SiteOutage,
    /// Suspect, counterfeit or diverted product in the stream (DSCSA).
    SuspectProduct,
    /// An exploitable (KEV-listed) vulnerability in a connected device or product.
    DeviceVulnerability,
    Other,
}

impl IncidentKind {
    pub const ALL: [IncidentKind; 6] = [
        IncidentKind::Ransomware,
        IncidentKind::ItOutage,
        IncidentKind::SiteOutage,
        IncidentKind::SuspectProduct,
        IncidentKind::DeviceVulnerability,
        IncidentKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::Ransomware => "ransomware",
            IncidentKind::ItOutage => "it-outage",
            IncidentKind::SiteOutage => "site-outage",
            IncidentKind::SuspectProduct => "suspect-product",
            IncidentKind::DeviceVulnerability => "device-vulnerability",
            IncidentKind::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<IncidentKind> {
        IncidentKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// The team a step belongs to (the columns of the task board).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Function {
    IncidentCommand,
    ItSecurity,
    SupplyChain,
    Clinical,
    Communications,
    LegalRegulatory,
}

impl Function {
    pub const ALL: [Function; 6] = [
        Function::IncidentCommand,
        Function::ItSecurity,
        Function::SupplyChain,
        Function::Clinical,
        Function::Communications,
        Function::LegalRegulatory,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Function::IncidentCommand => "incident-command",
            Function::ItSecurity => "it-security",
            Function::SupplyChain => "supply-chain",
            Function::Clinical => "clinical",
            Function::Communications => "communications",
            Function::LegalRegulatory => "legal-regulatory",
        }
    }

    /// The heading people read: `IT and security`, `Supply chain and operations`, ...
    pub fn title(self) -> &'static str {
        match self {
            Function::IncidentCommand => "Incident command",
            Function::ItSecurity => "IT and security",
            Function::SupplyChain => "Supply chain and operations",
            Function::Clinical => "Clinical",
            Function::Communications => "Communications",
            Function::LegalRegulatory => "Legal and regulatory",
        }
    }

    pub fn parse(text: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// One step of a playbook: a task for one team once instantiated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Unique within the playbook: lower-case letters, digits and hyphens.
    pub id: String,
    pub title: String,
    pub function: Function,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The role that owns the task (`Incident commander`, `Materials manager`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Steps that must be done first (ids in the same playbook).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Due>,
    /// The step applies only when this holds for the incident's impact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// The role whose approval the task needs before it counts as done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
}

/// When a step falls due: an anchor date plus an offset in hours (negative: before it).
/// Written `declared + 2h`, `first-stockout - 1d`, `recovery` in YAML.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Due {
    pub anchor: Anchor,
    #[serde(default)]
    pub offset_hours: f64,
}

/// The date a deadline is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Anchor {
    /// The time the incident was declared.
    Declared,
    /// The start of the day the first hospital runs short of any item (simulator).
    FirstStockout,
    /// The same, among the playbook's critical items only.
    FirstCriticalStockout,
    /// Declared + the scenario's time to survive (stress test).
    Tts,
    /// Declared + the expected time to recover.
    Recovery,
}

impl Anchor {
    pub const ALL: [Anchor; 5] = [
        Anchor::Declared,
        Anchor::FirstStockout,
        Anchor::FirstCriticalStockout,
        Anchor::Tts,
        Anchor::Recovery,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::Declared => "declared",
            Anchor::FirstStockout => "first-stockout",
            Anchor::FirstCriticalStockout => "first-critical-stockout",
            Anchor::Tts => "tts",
            Anchor::Recovery => "recovery",
        }
    }

    pub fn parse(text: &str) -> Option<Anchor> {
        Anchor::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// A test on the incident's impact: `metric op value`, over all demand nodes or only the
/// playbook's critical items. A metric that is undefined for the incident (no stockout at
/// all) counts as +infinity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub metric: Metric,
    pub op: Op,
    pub value: f64,
    /// Only demand nodes whose value is at least the playbook's `critical_value`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub critical_only: bool,
}

/// What a condition measures, in days unless said otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// The earliest first stockout day of any (critical) demand node.
    FirstStockoutDay,
    /// The fewest days of supply at the start of the outage among (critical) demand nodes.
    DaysOfSupply,
    /// The scenario's time to survive (stress test).
    Tts,
    /// TTS − expected TTR.
    Gap,
    /// The expected time to recover.
    ExpectedTtr,
    /// Demand nodes (a hospital's use of an item) that run short: a count.
    NodesShort,
    /// Units unmet over the simulated days (simulator).
    UnmetUnits,
}

impl Metric {
    pub const ALL: [Metric; 7] = [
        Metric::FirstStockoutDay,
        Metric::DaysOfSupply,
        Metric::Tts,
        Metric::Gap,
        Metric::ExpectedTtr,
        Metric::NodesShort,
        Metric::UnmetUnits,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::FirstStockoutDay => "first_stockout_day",
            Metric::DaysOfSupply => "days_of_supply",
            Metric::Tts => "tts",
            Metric::Gap => "gap",
            Metric::ExpectedTtr => "expected_ttr",
            Metric::NodesShort => "nodes_short",
            Metric::UnmetUnits => "unmet_units",
        }
    }

    pub fn parse(text: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    pub fn parse(text: &str) -> Option<Op> {
        [Op::Lt, Op::Le, Op::Gt, Op::Ge]
            .into_iter()
            .find(|o| o.as_str() == text)
    }

    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Op::Lt => left < right,
            Op::Le => left <= right,
            Op::Gt => left > right,
            Op::Ge => left >= right,
        }
    }
}

/// A message the step sends, with `{placeholders}` filled from the incident
/// (see `incident::PLACEHOLDERS`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Who receives it: `staff`, `clinicians`, `partners`, `patients`, `regulator`, `board`,
    /// `media` or another audience named by the author.
    pub audience: String,
    pub subject: String,
    pub body: String,
}

/// A step lifeline does itself when the incident is declared or updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Run the stress test on the incident's disruption (TTS, rerouting plan).
    Stress,
    /// Run the day-by-day simulation (first stockout per hospital and item).
    Simulate,
    /// Notify partners with the step's message (delivery: `lifeline notify`, issue 17).
    NotifyPartners,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Stress => "stress",
            Action::Simulate => "simulate",
            Action::NotifyPartners => "notify-partners",
        }
    }
}
