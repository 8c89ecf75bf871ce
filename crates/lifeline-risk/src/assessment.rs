//! What scoring produces: the ranked register (`lifeline risk register --format json`,
//! the spec's "Risk register report") and, per vendor, everything its report needs.
//! `score::score` builds it; the renderers (table, CSV, Markdown, HTML, SVG, OSCAL) only
//! read it.

use serde::Serialize;
use time::Date;

use crate::model::{AnswerValue, ControlId, Evidence};

/// The ranked register. Serialises to the spec's JSON, field for field, with additions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskRegister {
    #[serde(with = "crate::date::required")]
    pub as_of: Date,
    /// The network's name.
    pub network: String,
    /// Rank order: rank 1 first; vendors with no impact (not in the network) last.
    pub vendors: Vec<VendorRisk>,
}

/// Risk tiers, highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Critical,
    High,
    Medium,
    Low,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Critical => "critical",
            Tier::High => "high",
            Tier::Medium => "medium",
            Tier::Low => "low",
        }
    }
}

/// Where a driver's evidence comes from: what the vendor told us is kept apart from what
/// we observed and from what the network says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Controls and answers the vendor attested (with or without evidence).
    Attested,
    /// Findings in its products, past incidents, evidence expiry: observed, not claimed.
    Observed,
    /// The stress test of the entities it operates.
    Network,
    /// Through a subcontractor (fourth party).
    FourthParty,
}

/// One factor that moved a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Driver {
    /// A stable key: `kev`, `kev-ransomware`, `findings`, `control-missing`,
    /// `control-unknown`, `control-unevidenced`, `answers`, `incident`, `subcontractor`,
    /// `baseline`, `entity-impact`, ...
    pub factor: String,
    /// In words a third-party-risk analyst would accept.
    pub detail: String,
    /// Its share of the score it explains: the weights of a score's drivers add up to it.
    pub weight: f64,
    /// Which score it explains.
    pub score: Scored,
    pub basis: Basis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scored {
    Likelihood,
    Impact,
}

/// Finding counts over the vendor's products.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FindingCounts {
    pub open: usize,
    pub kev: usize,
    pub kev_ransomware: usize,
    pub critical: usize,
    pub high: usize,
}

/// One vendor's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VendorRisk {
    pub id: String,
    pub name: String,
    pub rank: usize,
    /// `null` when impact is (the vendor is in no network entity).
    pub risk: Option<f64>,
    pub tier: Tier,
    pub likelihood: f64,
    /// `null` when no network entity carries the vendor (nor its subcontractors).
    pub impact: Option<f64>,
    /// Likelihood drivers then impact drivers, each largest first.
    pub drivers: Vec<Driver>,
    /// The network entities (nodes, sites, platforms) the vendor operates, then those of
    /// its subcontractors that reach us through it, in network order.
    pub entities: Vec<String>,
    pub findings: FindingCounts,
    /// Everything a per-vendor report and OSCAL need.
    pub detail: VendorDetail,
}

/// The per-vendor detail behind the row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VendorDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The part of the likelihood that comes from what the vendor attested.
    pub attested_likelihood: f64,
    /// The part that comes from what was observed (findings, incidents).
    pub observed_likelihood: f64,
    pub controls: Vec<ControlAssessment>,
    pub answers: Vec<AnswerAssessment>,
    /// Every piece of evidence with its expiry, soonest first.
    pub evidence: Vec<EvidenceStatus>,
    /// Open findings to fix, KEV with ransomware use first, then KEV, then by severity.
    pub findings: Vec<FindingRef>,
    pub incidents: Vec<IncidentNote>,
    /// Per entity (own, then via subcontractors): the stress-test figures behind impact.
    pub entity_impacts: Vec<EntityImpact>,
    pub subcontractors: Vec<String>,
    pub alternatives: Vec<String>,
    /// What would lower its tier (or its risk, where the tier cannot fall), biggest effect
    /// first, each with the scores it would have after.
    pub improvements: Vec<Improvement>,
}

/// Where a control stands on `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlState {
    /// In place, with evidence that holds.
    Evidenced,
    /// In place on the vendor's word alone.
    Attested,
    /// Attested as not in place.
    Absent,
    /// Not stated.
    Unknown,
    /// Stated, but every piece of evidence has expired: counts as unknown.
    Expired,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlAssessment {
    pub control: ControlId,
    pub title: &'static str,
    pub state: ControlState,
    /// 0 (no gap) to 1 (full gap), as the formula counts it.
    pub gap: f64,
    /// Why the gap is what it is (restore test two years old, 62% training completion).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerAssessment {
    pub question: String,
    /// The question's text when the questionnaire is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub answer: AnswerValue,
    /// Backed only by expired evidence: counted as unanswered.
    pub expired: bool,
    /// 0 (yes) to 1 (no, or unanswered); `None` for `na`.
    pub gap: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceStatus {
    /// `controls.mfa` or `answers[GV.SC-05]`.
    pub backs: String,
    pub evidence: Evidence,
    /// Days from `as_of` to `expires` (negative: expired that many days ago).
    pub days_left: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingRef {
    /// The vendor's product id, when the SBOM attached to one; else the SBOM or device label.
    pub product: String,
    /// CVE or OSV id.
    pub id: String,
    pub severity: String,
    pub score: Option<f64>,
    pub kev: bool,
    pub ransomware: bool,
    /// KEV due date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// The component (`purl`, else name and version).
    pub component: String,
    pub fixed_versions: Vec<String>,
    /// Where it was read (the scan or device report file).
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentNote {
    #[serde(with = "crate::date::required")]
    pub date: Date,
    pub kind: String,
    pub downtime_days: Option<f64>,
    pub source: Option<String>,
    /// Its contribution to the likelihood today (older incidents weigh less).
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityImpact {
    pub entity: String,
    /// `None` for the vendor's own entities, else the subcontractor it comes through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    pub tts: f64,
    pub ttr: Option<f64>,
    /// TTS − TTR.
    pub gap: Option<f64>,
    pub performance_impact: Option<f64>,
    pub rei: Option<f64>,
    /// This entity's impact score (the vendor's impact is the largest).
    pub impact: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Improvement {
    /// What the vendor would do: "Fix CVE-2023-4966 in acme-edi-gateway (KEV, ransomware)".
    pub action: String,
    pub likelihood_after: f64,
    pub risk_after: Option<f64>,
    pub tier_after: Tier,
}
