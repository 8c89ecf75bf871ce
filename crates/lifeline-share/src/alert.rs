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

// ---------------------------------------------------------------------------------------
// Building alerts from an incident

/// What [`for_incident`] needs besides the incident and the directory.
#[derive(Debug, Clone)]
pub struct AlertOptions {
    /// The incident's id (the store's, or the file's name on a laptop).
    pub incident_id: String,
    /// The marking of every alert; organisations not cleared for it get none.
    pub tlp: Tlp,
    /// Organisations named for TLP:RED (see [`crate::tlp::may_share`]).
    pub named: Vec<String>,
    /// When the alerts are issued.
    pub now: OffsetDateTime,
    /// `alert`, `update` or `cancel` (a drill is built by the drill module).
    pub kind: AlertKind,
    /// The alert an update or cancellation supersedes, per recipient (its id), when known.
    pub supersedes: Vec<(String, String)>,
}

/// Who an incident concerns, and who of them may receive its alerts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recipients {
    /// Directory ids of the organisations cleared for the alert, in directory order.
    pub cleared: Vec<String>,
    /// Organisations concerned but withheld: (id, why).
    pub withheld: Vec<(String, String)>,
}

/// The organisations an incident concerns: linked to an entity that is down, or running a
/// demand node (or its site) that runs short. The directory's own organisation is never
/// one of them. Each is then checked against the TLP rule.
pub fn recipients(
    incident: &lifeline_response::incident::Incident,
    directory: &crate::directory::Directory,
    tlp: Tlp,
    named: &[String],
) -> Recipients {
    let down = down_entities(incident);
    let named: Vec<&str> = named.iter().map(String::as_str).collect();
    let mut out = Recipients::default();
    for org in &directory.organisations {
        if org.id == directory.organisation {
            continue;
        }
        let linked = org.entities.iter().any(|e| down.contains(&e.as_str()));
        let short = !shortfalls(incident, org).is_empty();
        if !linked && !short {
            continue;
        }
        let to = crate::tlp::Recipient {
            organisation: &org.id,
            clearance: org.clearance,
        };
        match crate::tlp::may_share(tlp, &directory.organisation, to, &named) {
            Ok(()) => out.cleared.push(org.id.clone()),
            Err(refusal) => out.withheld.push((org.id.clone(), refusal.to_string())),
        }
    }
    out
}

fn down_entities(incident: &lifeline_response::incident::Incident) -> Vec<&str> {
    let mut down: Vec<&str> = incident
        .declaration
        .entities
        .iter()
        .map(String::as_str)
        .collect();
    for e in &incident.impact.entities {
        if !down.contains(&e.id.as_str()) {
            down.push(&e.id);
        }
    }
    down
}

/// The items that run short at `org`'s demand nodes (or their sites), first stockout first.
/// An item is critical when it runs out before the expected recovery.
fn shortfalls(
    incident: &lifeline_response::incident::Incident,
    org: &crate::directory::Organisation,
) -> Vec<Shortfall> {
    let ttr = incident.impact.expected_ttr;
    let mut out: Vec<Shortfall> = incident
        .impact
        .demand
        .iter()
        .filter(|d| d.first_stockout_day.is_some() || d.shortage_days > 0)
        .filter(|d| {
            org.entities
                .iter()
                .any(|e| *e == d.id || d.site.as_deref() == Some(e.as_str()))
        })
        .map(|d| {
            let day = d.first_stockout_day.map(f64::from);
            Shortfall {
                item: d.material.clone(),
                at: d.site.clone().unwrap_or_else(|| d.id.clone()),
                first_stockout_day: day,
                critical: day.is_some_and(|day| day < ttr),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let key = |s: &Shortfall| s.first_stockout_day.unwrap_or(f64::INFINITY);
        key(a)
            .total_cmp(&key(b))
            .then_with(|| a.item.cmp(&b.item))
            .then_with(|| a.at.cmp(&b.at))
    });
    out
}

/// 16 bytes from `random`, base64url without padding.
pub fn draw_nonce(random: &mut dyn FnMut(&mut [u8])) -> String {
    let mut bytes = [0u8; 16];
    random(&mut bytes);
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An alert id: `al-` and 12 random bytes in hex.
pub fn draw_id(random: &mut dyn FnMut(&mut [u8])) -> String {
    use std::fmt::Write as _;
    let mut bytes = [0u8; 12];
    random(&mut bytes);
    let mut id = String::from("al-");
    for b in bytes {
        let _ = write!(id, "{b:02x}");
    }
    id
}

/// One alert per partner organisation the incident concerns and the TLP lets it reach
/// ([`recipients`]): the entities that are down, the recipient's own shortfalls, the
/// expected recovery, what to do; `reply_by` is `now` plus the window of the recipient's
/// first contact in escalation order; nonces and ids drawn from `random` (the caller's
/// CSPRNG: this crate has no randomness of its own).
pub fn for_incident(
    incident: &lifeline_response::incident::Incident,
    directory: &crate::directory::Directory,
    options: &AlertOptions,
    random: &mut dyn FnMut(&mut [u8]),
) -> Vec<Alert> {
    let cleared = recipients(incident, directory, options.tlp, &options.named).cleared;
    let issuer_name = directory
        .organisations
        .iter()
        .find(|o| o.id == directory.organisation)
        .map_or(directory.organisation.as_str(), |o| o.name.as_str());
    let declaration = &incident.declaration;
    let entities: Vec<Named> = incident
        .impact
        .entities
        .iter()
        .map(|e| Named {
            id: e.id.clone(),
            name: e.name.clone().unwrap_or_else(|| e.id.clone()),
        })
        .collect();
    let entities = if entities.is_empty() {
        declaration
            .entities
            .iter()
            .map(|id| Named {
                id: id.clone(),
                name: id.clone(),
            })
            .collect()
    } else {
        entities
    };
    let ttr = incident.impact.expected_ttr;
    let mut alerts = Vec::new();
    for org in cleared
        .iter()
        .filter_map(|id| directory.organisations.iter().find(|o| &o.id == id))
    {
        let items = shortfalls(incident, org);
        let window = first_window(directory, org);
        let reply_by = options.now + window.duration();
        let summary = match options.kind {
            AlertKind::Cancel => format!(
                "{}: the incident declared by {issuer_name} is over; disregard the alerts about it",
                declaration.title
            ),
            _ => format!(
                "{}: {} at {issuer_name}; {} down, recovery expected in about {} day(s)",
                declaration.title,
                declaration.kind.as_str(),
                entities
                    .iter()
                    .map(|e| e.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                days(ttr)
            ),
        };
        let actions = if options.kind == AlertKind::Cancel {
            vec![format!(
                "Acknowledge by {}; return to normal ordering when your own checks allow",
                crate::jws::rfc3339(reply_by)
            )]
        } else {
            actions(&entities, &items, ttr, issuer_name, reply_by)
        };
        alerts.push(Alert {
            typ: ALERT_TYPE.to_owned(),
            id: draw_id(random),
            kind: options.kind,
            issuer: directory.organisation.clone(),
            recipient: org.id.clone(),
            incident: Some(IncidentRef {
                id: options.incident_id.clone(),
                title: declaration.title.clone(),
                kind: declaration.kind.as_str().to_owned(),
                declared_at: declaration.declared_at,
            }),
            issued_at: options.now,
            expires_at: options.now + directory.defaults.alert_validity.duration(),
            reply_by,
            nonce: draw_nonce(random),
            tlp: options.tlp,
            summary,
            affected: Affected {
                entities: entities.clone(),
                items,
            },
            expected_recovery_days: Some(ttr),
            actions,
            supersedes: options
                .supersedes
                .iter()
                .find(|(recipient, _)| *recipient == org.id)
                .map(|(_, id)| id.clone()),
        });
    }
    alerts
}

/// The alert `original` carried on to organisation `to` (the next tier) at `now`: same
/// content, a new id, nonce, issue time, expiry and reply-by.
pub fn escalated_copy(
    original: &Alert,
    directory: &crate::directory::Directory,
    to: &crate::directory::Organisation,
    now: OffsetDateTime,
    random: &mut dyn FnMut(&mut [u8]),
) -> Alert {
    let reply_by = now + first_window(directory, to).duration();
    Alert {
        id: draw_id(random),
        recipient: to.id.clone(),
        issued_at: now,
        expires_at: now + directory.defaults.alert_validity.duration(),
        reply_by,
        nonce: draw_nonce(random),
        summary: format!(
            "Escalated (not acknowledged by {}): {}",
            original.recipient, original.summary
        ),
        // The shortfalls were the first recipient's own.
        affected: Affected {
            entities: original.affected.entities.clone(),
            items: Vec::new(),
        },
        supersedes: None,
        ..original.clone()
    }
}

/// The window of `org`'s first contact in escalation order.
fn first_window(
    directory: &crate::directory::Directory,
    org: &crate::directory::Organisation,
) -> crate::directory::Window {
    let first = org
        .contacts
        .iter()
        .min_by_key(|c| (c.escalation, c.id.as_str()));
    crate::escalate::window(directory, org, first)
}

fn days(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn actions(
    entities: &[Named],
    items: &[Shortfall],
    ttr: f64,
    issuer_name: &str,
    reply_by: OffsetDateTime,
) -> Vec<String> {
    let mut out = vec![format!(
        "Acknowledge this alert by {}",
        crate::jws::rfc3339(reply_by)
    )];
    if !entities.is_empty() {
        out.push(format!(
            "Expect no orders, deliveries or messages through {} for about {} day(s)",
            entities
                .iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            days(ttr)
        ));
    }
    for s in items {
        match s.first_stockout_day {
            Some(day) => out.push(format!(
                "Check stock and alternative sources of {} at {}: it runs out on day {} of the outage{}",
                s.item,
                s.at,
                days(day),
                if s.critical {
                    ", before the expected recovery"
                } else {
                    ""
                }
            )),
            None => out.push(format!("Check stock of {} at {}", s.item, s.at)),
        }
    }
    out.push(format!(
        "Trust only messages about this incident signed by {issuer_name}'s key: check them with \
         `lifeline notify verify`; treat unsigned calls and emails asking for payments, \
         credentials or changed bank details as phishing"
    ));
    out
}
