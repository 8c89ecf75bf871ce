//! The vendor register (`lifeline-vendors/1`, `shared/spec/vendors-format.md`) as plain
//! data: what vendors attested, answered and shipped, and what happened to them.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use time::Date;

/// The `format` value of a vendor register.
pub const FORMAT: &str = "lifeline-vendors/1";

/// A whole register.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Register {
    pub format: &'static str,
    /// The day the register is judged on, when the document gives one.
    #[serde(skip_serializing_if = "Option::is_none", with = "crate::date::option")]
    pub as_of: Option<Date>,
    pub vendors: Vec<Vendor>,
}

impl Register {
    /// The vendor with this id.
    pub fn vendor(&self, id: &str) -> Option<&Vendor> {
        self.vendors.iter().find(|v| v.id == id)
    }
}

/// One organisation we depend on.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Vendor {
    /// The vendor id: the `vendor` value network entities carry.
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Where its questionnaire goes (an addition to the spec: `contact`, an email address).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Fourth parties, by vendor id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subcontractors: Vec<String>,
    /// Vendors that could replace this one, by vendor id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<Product>,
    #[serde(skip_serializing_if = "Controls::is_empty")]
    pub controls: Controls,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<Answer>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<Incident>,
}

/// What a vendor ships us.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Product {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    /// A CycloneDX serial number (`urn:uuid:…`) or metadata component purl, so that scan
    /// findings attach to the product.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sbom: Option<String>,
}

/// The controls the spec names, in the spec's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlId {
    Mfa,
    EncryptionAtRest,
    EncryptionInTransit,
    OfflineBackups,
    IncidentResponsePlan,
    AwarenessTraining,
    VulnerabilityManagement,
    NetworkSegmentation,
    SbomProvided,
}

impl ControlId {
    pub const ALL: [ControlId; 9] = [
        ControlId::Mfa,
        ControlId::EncryptionAtRest,
        ControlId::EncryptionInTransit,
        ControlId::OfflineBackups,
        ControlId::IncidentResponsePlan,
        ControlId::AwarenessTraining,
        ControlId::VulnerabilityManagement,
        ControlId::NetworkSegmentation,
        ControlId::SbomProvided,
    ];

    /// The field name in the register (`encryption_at_rest`).
    pub fn key(self) -> &'static str {
        match self {
            ControlId::Mfa => "mfa",
            ControlId::EncryptionAtRest => "encryption_at_rest",
            ControlId::EncryptionInTransit => "encryption_in_transit",
            ControlId::OfflineBackups => "offline_backups",
            ControlId::IncidentResponsePlan => "incident_response_plan",
            ControlId::AwarenessTraining => "awareness_training",
            ControlId::VulnerabilityManagement => "vulnerability_management",
            ControlId::NetworkSegmentation => "network_segmentation",
            ControlId::SbomProvided => "sbom_provided",
        }
    }

    /// The control read from its field name.
    pub fn from_key(key: &str) -> Option<ControlId> {
        ControlId::ALL.into_iter().find(|c| c.key() == key)
    }

    /// A title for reports: "Multi-factor authentication".
    pub fn title(self) -> &'static str {
        match self {
            ControlId::Mfa => "Multi-factor authentication for remote and privileged access",
            ControlId::EncryptionAtRest => "Encryption at rest",
            ControlId::EncryptionInTransit => "Encryption in transit",
            ControlId::OfflineBackups => "Offline or immutable backups, restore tested",
            ControlId::IncidentResponsePlan => "Tested incident response plan",
            ControlId::AwarenessTraining => "Security awareness training",
            ControlId::VulnerabilityManagement => "Vulnerability management and patching",
            ControlId::NetworkSegmentation => "Network segmentation",
            ControlId::SbomProvided => "SBOMs (and VEX) supplied for products",
        }
    }
}

impl fmt::Display for ControlId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The attested controls: a control that is absent from the map is unknown.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(transparent)]
pub struct Controls(pub BTreeMap<ControlId, Control>);

impl Controls {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, id: ControlId) -> Option<&Control> {
        self.0.get(&id)
    }
}

/// One attested control. A bare `true`/`false` in the register reads as a control with
/// only `in_place` set.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Control {
    pub in_place: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// `offline_backups`: the last restore test.
    #[serde(skip_serializing_if = "Option::is_none", with = "crate::date::option")]
    pub last_restore_test: Option<Date>,
    /// `offline_backups`: hours to restore.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restore_hours: Option<f64>,
    /// `incident_response_plan`: the last exercise of the plan.
    #[serde(skip_serializing_if = "Option::is_none", with = "crate::date::option")]
    pub last_tested: Option<Date>,
    /// `awareness_training`: share of staff who completed it (0–1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion: Option<f64>,
    /// `awareness_training`: share who clicked in the last phishing simulation (0–1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phishing_click_rate: Option<f64>,
    /// `vulnerability_management`: days to patch a critical vulnerability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub critical_patch_days: Option<f64>,
}

/// A document that backs a control or an answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Evidence {
    /// `soc2-type2`, `iso27001`, `hitrust`, `pen-test`, `attestation`, `training-records`, ...
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none", with = "crate::date::option")]
    pub issued: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none", with = "crate::date::option")]
    pub expires: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl Evidence {
    /// Whether the evidence has expired on `as_of` (its `expires` date is before it).
    pub fn expired(&self, as_of: Date) -> bool {
        self.expires.is_some_and(|expires| expires < as_of)
    }
}

/// Whether a list of evidence still backs what it is attached to on `as_of`: no evidence
/// at all (a bare attestation) does; otherwise at least one piece must not have expired.
pub fn evidence_holds(evidence: &[Evidence], as_of: Date) -> bool {
    evidence.is_empty() || evidence.iter().any(|e| !e.expired(as_of))
}

/// One questionnaire answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The framework's own question id (`GV.SC-05`, a HICP practice id, `ctl-mfa`).
    pub question: String,
    pub answer: AnswerValue,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerValue {
    Yes,
    Partial,
    No,
    Na,
}

impl AnswerValue {
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerValue::Yes => "yes",
            AnswerValue::Partial => "partial",
            AnswerValue::No => "no",
            AnswerValue::Na => "na",
        }
    }
    pub fn parse(text: &str) -> Option<AnswerValue> {
        match text {
            "yes" => Some(AnswerValue::Yes),
            "partial" => Some(AnswerValue::Partial),
            "no" => Some(AnswerValue::No),
            "na" => Some(AnswerValue::Na),
            _ => None,
        }
    }
}

/// A known past incident at the vendor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    #[serde(with = "crate::date::required")]
    pub date: Date,
    /// `ransomware`, `breach`, `outage`, `counterfeit`, ...
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub downtime_days: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}
