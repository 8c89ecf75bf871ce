//! What lifeline signs and sends: alerts (and their updates, cancellations and drills) and
//! acknowledgements. Documented in `docs/alerts.md`; [`crate::jws`] signs and verifies them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Tlp;

/// The `typ` of an alert payload.
pub const ALERT_TYPE: &str = "lifeline-alert/1";
/// The `typ` of an acknowledgement payload.
pub const ACK_TYPE: &str = "lifeline-ack/1";

/// What an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertKind {
    /// A new incident.
    Alert,
    /// New facts about an incident already announced (`supersedes` names the alert).
    Update,
    /// The incident is over or was a false alarm.
    Cancel,
    /// A channel drill: "test the lines"; acknowledge, do nothing else.
    Drill,
}

/// An alert to one partner organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    /// Always [`ALERT_TYPE`].
    #[serde(rename = "type")]
    pub typ: String,
    /// Unique per alert (and per recipient organisation).
    pub id: String,
    pub kind: AlertKind,
    /// The sending organisation's directory id.
    pub issuer: String,
    /// The receiving organisation's directory id.
    pub recipient: String,
    /// The incident it is about; absent for a drill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<IncidentRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// After this, the alert is refused as expired.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Acknowledge by then, or the alert escalates.
    #[serde(with = "time::serde::rfc3339")]
    pub reply_by: OffsetDateTime,
    /// 16 random bytes, base64url: with `issuer`, what makes a replay detectable.
    pub nonce: String,
    pub tlp: Tlp,
    pub summary: String,
    #[serde(default)]
    pub affected: Affected,
    /// The expected time to recover, in days, as the issuer knows it now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_recovery_days: Option<f64>,
    /// What the recipient should do, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// The alert this one updates or cancels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
}

/// The incident an alert is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentRef {
    pub id: String,
    pub title: String,
    /// The incident kind (`ransomware`, `outage`, ...).
    pub kind: String,
    #[serde(with = "time::serde::rfc3339")]
    pub declared_at: OffsetDateTime,
}

/// What is down and what runs short.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Affected {
    /// The entities that are down (network ids, with names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<Named>,
    /// The recipient's items that run short, first stockout first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Shortfall>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// One item that runs short at one of the recipient's sites.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shortfall {
    pub item: String,
    /// The demand node (the recipient's site) it runs short at.
    pub at: String,
    /// Day of the first stockout, counted from the declaration; absent if none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_stockout_day: Option<f64>,
    #[serde(default)]
    pub critical: bool,
}

/// An acknowledgement of an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ack {
    /// Always [`ACK_TYPE`].
    #[serde(rename = "type")]
    pub typ: String,
    /// The alert acknowledged.
    pub alert: String,
    /// The acknowledging organisation's directory id (the alert's recipient).
    pub issuer: String,
    /// The alert's issuer.
    pub recipient: String,
    /// The contact who acknowledged.
    pub contact: String,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub nonce: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}
