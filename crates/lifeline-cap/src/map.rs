//! From a lifeline alert (`lifeline_share::alert::Alert`) to a CAP 1.2 alert. The rules are
//! documented in `docs/cap.md`; the value lists are CAP 1.2's (OASIS Standard, 2010,
//! section 3.2), the thresholds lifeline's own.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lifeline_share::Tlp;
use lifeline_share::alert::{Ack, Alert as LifelineAlert, AlertKind};
use time::OffsetDateTime;

use crate::error::MapError;
use crate::model::*;

/// The `valueName` prefix of the parameters and geocodes lifeline writes (CAP 1.2 leaves
/// `valueName` to the sender: "a user-assigned string designating the domain of the code").
pub const VALUE_NAME_PREFIX: &str = "lifeline:";

/// A first stockout within this many days makes the alert `Immediate`.
pub const IMMEDIATE_WITHIN_DAYS: f64 = 2.0;
/// A first stockout within this many days (and not within [`IMMEDIATE_WITHIN_DAYS`]) makes
/// it `Expected`; a later one `Future`.
pub const EXPECTED_WITHIN_DAYS: f64 = 7.0;

/// The longest `headline` written; CAP 1.2 (section 3.2.2) suggests 160 characters as a
/// target because headlines go to text messages and pagers.
pub const HEADLINE_CHARS: usize = 160;

/// What the mapping needs beyond the lifeline alert.
#[derive(Debug, Clone, Default)]
pub struct MapOptions {
    /// `msgType` to write instead of the one the alert's kind gives (`--msg-type`).
    pub msg_type: Option<MsgType>,
    /// The CAP `sender`; the alert's issuer id when absent.
    pub sender: Option<String>,
    /// The issuer's name for `senderName` (from the partner directory).
    pub sender_name: Option<String>,
    /// When the alert that this one updates or cancels (`supersedes`) was sent, so that
    /// `references` can name it as CAP requires (`sender,identifier,sent`).
    pub supersedes_sent: Option<OffsetDateTime>,
    /// Positions of network entities (id to WGS 84 point): an entity with one gets a
    /// `circle` of radius 0 in its area. The network document has no coordinates today,
    /// so callers without another source leave this empty and areas carry geocodes only.
    pub positions: BTreeMap<String, Point>,
    /// `web`: a link for more information (the incident's page on the dashboard).
    pub web: Option<String>,
}

/// Whether `value` may be a CAP `identifier` or `sender` (CAP 1.2 section 3.2.1).
fn usable(value: &str) -> bool {
    !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, ',' | '<' | '&'))
}

fn identifier(
    alert: &str,
    field: &'static str,
    value: &str,
    element: &'static str,
) -> Result<String, MapError> {
    if usable(value) {
        Ok(value.to_owned())
    } else {
        Err(MapError::Identifier {
            alert: lifeline_text::excerpt(alert).into_owned(),
            field,
            value: lifeline_text::excerpt(value).into_owned(),
            element,
        })
    }
}

/// `at` without its fractional seconds (CAP date-times have none).
fn whole_seconds(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(0).unwrap_or(at)
}

/// The CAP form of a lifeline alert; see `docs/cap.md` for every rule.
///
/// - `msgType`: alert → `Alert`, update → `Update`, cancel → `Cancel`, drill → `Alert` with
///   `status` `Exercise` (others `Actual`); `options.msg_type` overrides. `Ack` makes the
///   acknowledgement of this alert by its recipient ([`ack_of`]).
/// - `scope` from the TLP: CLEAR → `Public`; GREEN → `Restricted` with the TLP rule as
///   `restriction`; AMBER, AMBER+STRICT and RED → `Private` to the recipient.
/// - `urgency`, `severity`, `certainty`: see [`urgency`], [`severity`], [`certainty`].
/// - areas: one per entity that is down and one per site of the recipient's that runs
///   short, with a `lifeline:entity` geocode (and a circle where a position is known).
pub fn from_lifeline(alert: &LifelineAlert, options: &MapOptions) -> Result<Alert, MapError> {
    let msg_type = options.msg_type.unwrap_or(match alert.kind {
        AlertKind::Alert | AlertKind::Drill => MsgType::Alert,
        AlertKind::Update => MsgType::Update,
        AlertKind::Cancel => MsgType::Cancel,
    });
    if msg_type == MsgType::Ack {
        return ack_of(alert, alert.issued_at, None);
    }
    let identifier = identifier(&alert.id, "id", &alert.id, "identifier")?;
    let sender = match &options.sender {
        Some(sender) => self::identifier(&alert.id, "sender", sender, "sender")?,
        None => self::identifier(&alert.id, "issuer", &alert.issuer, "sender")?,
    };
    let recipient = self::identifier(&alert.id, "recipient", &alert.recipient, "addresses")?;
    let drill = alert.kind == AlertKind::Drill;
    let (scope, restriction, addresses) = scope_of(alert.tlp, &recipient);
    let mut references = Vec::new();
    let mut notes = Vec::new();
    if drill {
        notes.push(
            "lifeline channel drill: acknowledge this message, take no other action".to_owned(),
        );
    }
    if let Some(previous) = &alert.supersedes {
        match options.supersedes_sent {
            Some(sent) if usable(previous) => references.push(Reference {
                sender: sender.clone(),
                identifier: previous.clone(),
                sent: crate::datetime::format(sent),
            }),
            _ => notes.push(format!("supersedes lifeline alert {previous}")),
        }
    }
    let info = info_of(alert, msg_type, options);
    Ok(Alert {
        identifier,
        sender,
        sent: whole_seconds(alert.issued_at),
        status: if drill {
            Status::Exercise
        } else {
            Status::Actual
        },
        msg_type,
        source: Some("lifeline".to_owned()),
        scope,
        restriction,
        addresses,
        code: Vec::new(),
        note: (!notes.is_empty()).then(|| notes.join("; ")),
        references,
        incidents: alert
            .incident
            .as_ref()
            .map(|incident| incident.id.clone())
            .filter(|id| usable(id)),
        info: vec![info],
    })
}

/// The acknowledgement (`msgType` `Ack`) of `alert` by its recipient, sent at `sent`, with
/// the contact's note if any: no `info`, `references` naming the alert, `Private` to its
/// issuer.
pub fn ack_of(
    alert: &LifelineAlert,
    sent: OffsetDateTime,
    note: Option<&str>,
) -> Result<Alert, MapError> {
    let original = identifier(&alert.id, "id", &alert.id, "references")?;
    let issuer = identifier(&alert.id, "issuer", &alert.issuer, "addresses")?;
    let recipient = identifier(&alert.id, "recipient", &alert.recipient, "sender")?;
    Ok(Alert {
        identifier: format!("{original}.ack"),
        sender: recipient,
        sent: whole_seconds(sent),
        status: if alert.kind == AlertKind::Drill {
            Status::Exercise
        } else {
            Status::Actual
        },
        msg_type: MsgType::Ack,
        source: Some("lifeline".to_owned()),
        scope: Scope::Private,
        restriction: None,
        addresses: Some(issuer.clone()),
        code: Vec::new(),
        note: note.filter(|note| !note.is_empty()).map(str::to_owned),
        references: vec![Reference {
            sender: issuer,
            identifier: original,
            sent: crate::datetime::format(alert.issued_at),
        }],
        incidents: None,
        info: Vec::new(),
    })
}

/// The CAP `Ack` of a lifeline acknowledgement; `alert_sent` is when the acknowledged
/// alert was issued (the lifeline acknowledgement names the alert by id only).
pub fn from_lifeline_ack(ack: &Ack, alert_sent: OffsetDateTime) -> Result<Alert, MapError> {
    let original = identifier(&ack.alert, "alert", &ack.alert, "references")?;
    let sender = identifier(&ack.alert, "issuer", &ack.issuer, "sender")?;
    let to = identifier(&ack.alert, "recipient", &ack.recipient, "addresses")?;
    Ok(Alert {
        identifier: format!("{original}.ack"),
        sender,
        sent: whole_seconds(ack.issued_at),
        status: Status::Actual,
        msg_type: MsgType::Ack,
        source: Some("lifeline".to_owned()),
        scope: Scope::Private,
        restriction: None,
        addresses: Some(to.clone()),
        code: Vec::new(),
        note: (!ack.note.is_empty()).then(|| ack.note.clone()),
        references: vec![Reference {
            sender: to,
            identifier: original,
            sent: crate::datetime::format(alert_sent),
        }],
        incidents: None,
        info: Vec::new(),
    })
}

/// `scope`, `restriction` and `addresses` for a TLP level (TLP 2.0, FIRST): CLEAR may go
/// anywhere; GREEN within the recipient's community; AMBER, AMBER+STRICT and RED only to
/// the named recipient.
pub fn scope_of(tlp: Tlp, recipient: &str) -> (Scope, Option<String>, Option<String>) {
    match tlp {
        Tlp::Clear => (Scope::Public, None, None),
        Tlp::Green => (
            Scope::Restricted,
            Some("TLP:GREEN: the recipient's community only, not public channels".to_owned()),
            None,
        ),
        Tlp::Amber | Tlp::AmberStrict | Tlp::Red => {
            (Scope::Private, None, Some(recipient.to_owned()))
        }
    }
}

/// The earliest first-stockout day among the alert's shortfalls.
fn first_stockout(alert: &LifelineAlert) -> Option<f64> {
    alert
        .affected
        .items
        .iter()
        .filter_map(|item| item.first_stockout_day)
        .filter(|day| day.is_finite())
        .reduce(f64::min)
}

/// `urgency`: cancel → `Past`; drill → `Unknown`; a first stockout within
/// [`IMMEDIATE_WITHIN_DAYS`] → `Immediate`, within [`EXPECTED_WITHIN_DAYS`] → `Expected`,
/// later → `Future`; no stockout but something down or short → `Future`; nothing affected
/// → `Unknown`.
pub fn urgency(alert: &LifelineAlert, msg_type: MsgType) -> Urgency {
    if msg_type == MsgType::Cancel {
        return Urgency::Past;
    }
    if alert.kind == AlertKind::Drill {
        return Urgency::Unknown;
    }
    match first_stockout(alert) {
        Some(day) if day <= IMMEDIATE_WITHIN_DAYS => Urgency::Immediate,
        Some(day) if day <= EXPECTED_WITHIN_DAYS => Urgency::Expected,
        Some(_) => Urgency::Future,
        None if !alert.affected.entities.is_empty() || !alert.affected.items.is_empty() => {
            Urgency::Future
        }
        None => Urgency::Unknown,
    }
}

/// `severity`: cancel and drill → `Minor`; a critical item with a stockout → `Extreme`
/// (patient care loses an item it cannot do without); any other stockout → `Severe`;
/// items short without a stockout, or entities down → `Moderate`; nothing affected →
/// `Minor`.
pub fn severity(alert: &LifelineAlert, msg_type: MsgType) -> Severity {
    if msg_type == MsgType::Cancel || alert.kind == AlertKind::Drill {
        return Severity::Minor;
    }
    let items = &alert.affected.items;
    if items
        .iter()
        .any(|item| item.critical && item.first_stockout_day.is_some())
    {
        Severity::Extreme
    } else if items.iter().any(|item| item.first_stockout_day.is_some()) {
        Severity::Severe
    } else if !items.is_empty() || !alert.affected.entities.is_empty() {
        Severity::Moderate
    } else {
        Severity::Minor
    }
}

/// `certainty`: drill → `Unknown`; entities down in a declared incident → `Observed` (the
/// outage is happening); only forecast shortfalls → `Likely` (lifeline's simulation says
/// they follow from the outage); an incident with nothing listed → `Observed`; no incident
/// → `Unknown`.
pub fn certainty(alert: &LifelineAlert) -> Certainty {
    if alert.kind == AlertKind::Drill || alert.incident.is_none() {
        return Certainty::Unknown;
    }
    if alert.affected.entities.is_empty() && !alert.affected.items.is_empty() {
        Certainty::Likely
    } else {
        Certainty::Observed
    }
}

/// `category`: always `Health` (the alert is about patient care's supplies); `Security`
/// for a ransomware incident or a device vulnerability; `Infra` when entities are down
/// (a site, platform or supplier: CAP's "utility, telecommunication, other
/// non-transport infrastructure").
fn categories(alert: &LifelineAlert) -> Vec<Category> {
    let mut out = vec![Category::Health];
    if let Some(incident) = &alert.incident
        && matches!(
            incident.kind.as_str(),
            "ransomware" | "device-vulnerability"
        )
    {
        out.push(Category::Security);
    }
    if !alert.affected.entities.is_empty() {
        out.push(Category::Infra);
    }
    out
}

/// `responseType`: cancel → `AllClear`; drill → `None`; actions given → `Prepare` (the
/// instruction lists them); otherwise `Monitor`.
fn response(alert: &LifelineAlert, msg_type: MsgType) -> ResponseType {
    if msg_type == MsgType::Cancel {
        ResponseType::AllClear
    } else if alert.kind == AlertKind::Drill {
        ResponseType::None
    } else if !alert.actions.is_empty() {
        ResponseType::Prepare
    } else {
        ResponseType::Monitor
    }
}

fn info_of(alert: &LifelineAlert, msg_type: MsgType, options: &MapOptions) -> Info {
    let event = match (&alert.incident, alert.kind) {
        (_, AlertKind::Drill) => "Channel drill".to_owned(),
        (Some(incident), _) => format!("Supply disruption: {}", incident.title),
        (None, _) => "Supply disruption".to_owned(),
    };
    let mut info = Info::new(
        Category::Health,
        event,
        urgency(alert, msg_type),
        severity(alert, msg_type),
        certainty(alert),
    );
    info.language = Some("en".to_owned());
    info.category = categories(alert);
    info.response_type = vec![response(alert, msg_type)];
    info.effective = Some(whole_seconds(alert.issued_at));
    info.expires = Some(whole_seconds(alert.expires_at));
    info.sender_name = options.sender_name.clone();
    info.headline = Some(headline(&alert.summary));
    info.description = Some(description(alert));
    if !alert.actions.is_empty() {
        let mut instruction = String::new();
        for (at, action) in alert.actions.iter().enumerate() {
            if at > 0 {
                instruction.push('\n');
            }
            let _ = write!(instruction, "{}. {action}", at + 1);
        }
        info.instruction = Some(instruction);
    }
    info.web = options.web.clone();
    info.parameter = parameters(alert);
    info.area = areas(alert, options);
    info
}

/// The summary cut to [`HEADLINE_CHARS`] characters (an ellipsis marks a cut).
fn headline(summary: &str) -> String {
    match summary.char_indices().nth(HEADLINE_CHARS - 1) {
        None => summary.to_owned(),
        Some((at, _)) => format!("{}…", &summary[..at]),
    }
}

fn description(alert: &LifelineAlert) -> String {
    let mut text = alert.summary.clone();
    if let Some(incident) = &alert.incident {
        let _ = write!(
            text,
            "\n\nIncident {} ({}), declared {}.",
            incident.id,
            incident.kind,
            crate::datetime::format(incident.declared_at)
        );
    }
    if !alert.affected.entities.is_empty() {
        text.push_str("\n\nDown:");
        for entity in &alert.affected.entities {
            let _ = write!(text, "\n- {} ({})", entity.name, entity.id);
        }
    }
    if !alert.affected.items.is_empty() {
        text.push_str("\n\nRunning short:");
        for item in &alert.affected.items {
            let _ = write!(text, "\n- {} at {}", item.item, item.at);
            if let Some(day) = item.first_stockout_day {
                let _ = write!(text, ", first stockout on day {day}");
            }
            if item.critical {
                text.push_str(" (critical)");
            }
        }
    }
    if let Some(days) = alert.expected_recovery_days {
        let _ = write!(text, "\n\nExpected recovery: {days} days.");
    }
    let _ = write!(
        text,
        "\n\nAcknowledge by {}. {}.",
        crate::datetime::format(alert.reply_by),
        alert.tlp.label()
    );
    text
}

fn parameters(alert: &LifelineAlert) -> Vec<ValuePair> {
    let name = |suffix: &str| format!("{VALUE_NAME_PREFIX}{suffix}");
    let mut out = vec![
        ValuePair::new(name("alert"), alert.id.clone()),
        ValuePair::new(name("recipient"), alert.recipient.clone()),
        ValuePair::new(name("tlp"), alert.tlp.label()),
        ValuePair::new(name("replyBy"), crate::datetime::format(alert.reply_by)),
    ];
    if let Some(incident) = &alert.incident {
        out.push(ValuePair::new(name("incident"), incident.id.clone()));
        out.push(ValuePair::new(name("incidentKind"), incident.kind.clone()));
    }
    if let Some(days) = alert.expected_recovery_days {
        out.push(ValuePair::new(
            name("expectedRecoveryDays"),
            days.to_string(),
        ));
    }
    for item in &alert.affected.items {
        let mut value = format!("{} at {}", item.item, item.at);
        if let Some(day) = item.first_stockout_day {
            let _ = write!(value, "; first stockout day {day}");
        }
        if item.critical {
            value.push_str("; critical");
        }
        out.push(ValuePair::new(name("shortfall"), value));
    }
    out
}

fn areas(alert: &LifelineAlert, options: &MapOptions) -> Vec<Area> {
    let mut out: Vec<Area> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut add = |id: &str, description: String| {
        if seen.iter().any(|seen| seen == id) {
            return;
        }
        seen.push(id.to_owned());
        let mut area = Area::new(description);
        area.geocode
            .push(ValuePair::new(format!("{VALUE_NAME_PREFIX}entity"), id));
        if let Some(point) = options.positions.get(id) {
            area.circle.push(Circle {
                center: *point,
                radius_km: 0.0,
            });
        }
        out.push(area);
    };
    for entity in &alert.affected.entities {
        add(&entity.id, format!("{} (down)", entity.name));
    }
    for item in &alert.affected.items {
        add(&item.at, format!("{} (runs short)", item.at));
    }
    out
}
