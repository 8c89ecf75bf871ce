//! Who is due what, now: the pure escalation planner.
//!
//! An alert goes to its recipient organisation's first contact (in escalation order) on
//! every channel the contact has; a phone entry becomes a call for a person to make. If
//! nobody acknowledges within the contact's window (or every electronic delivery to the
//! contact failed), the alert moves on to the next contact, and when the organisation's
//! contacts are exhausted, to the organisations of the next tier concerned: those of a
//! higher tier linked to the same entities, or to none (sector-wide: an ISAC, a regulator),
//! cleared for the alert's TLP. An acknowledged alert never escalates. Drills go to every
//! contact on every channel at once and never escalate.
//!
//! The state is replayed from the timeline ([`replay`]): `alert-sent`, `delivery-failed`,
//! `acknowledged` and `escalated` events. A contact step's `escalated` event names the
//! contact as `ORG/CONTACT`; a tier step's names the organisation.

use lifeline_response::incident::Event;
use time::OffsetDateTime;

use crate::alert::{Alert, AlertKind};
use crate::directory::{Channel, Contact, Directory, Organisation, Window};
use crate::tlp::{Recipient, may_share};

/// The acknowledgement window of `contact` of `org`: the contact's own, else the
/// organisation's, else the directory's default.
pub fn window(directory: &Directory, org: &Organisation, contact: Option<&Contact>) -> Window {
    contact
        .and_then(|c| c.ack_window)
        .or(org.ack_window)
        .unwrap_or(directory.defaults.ack_window)
}

/// `org`'s contacts in escalation order (ties in the order written).
pub fn contacts_in_order(org: &Organisation) -> Vec<&Contact> {
    let mut contacts: Vec<&Contact> = org.contacts.iter().collect();
    contacts.sort_by_key(|c| c.escalation);
    contacts
}

/// One contact an alert was sent to.
#[derive(Debug, Clone, PartialEq)]
pub struct Contacted {
    pub contact: String,
    /// The first send to this contact.
    pub at: OffsetDateTime,
    /// 0 for the first contact, n for the n-th escalation step.
    pub step: u32,
    /// The channels tried (`email`, `webhook`, `phone`) with their addresses.
    pub sent: Vec<(String, String)>,
    /// The channels whose delivery failed, with when.
    pub failed: Vec<(String, String, OffsetDateTime)>,
}

impl Contacted {
    /// When every electronic delivery to this contact had failed (none is `None`: at least
    /// one went through, or only phone entries were made).
    fn unreachable_since(&self) -> Option<OffsetDateTime> {
        let electronic: Vec<&(String, String)> = self
            .sent
            .iter()
            .filter(|(kind, _)| kind != "phone")
            .collect();
        if electronic.is_empty() {
            return None;
        }
        let mut latest = None;
        for (kind, address) in electronic {
            let failure = self
                .failed
                .iter()
                .filter(|(k, a, _)| k == kind && a == address)
                .map(|f| f.2)
                .max()?;
            latest = latest.max(Some(failure));
        }
        latest
    }
}

/// What is known of one alert: what was sent when to whom, and whether it was
/// acknowledged or passed on to the next tier.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertState {
    pub alert: String,
    pub recipient: String,
    pub kind: AlertKind,
    pub tlp: crate::Tlp,
    pub issued_at: OffsetDateTime,
    /// The ids of the entities the alert names as down.
    pub entities: Vec<String>,
    /// In the order they were first contacted.
    pub contacted: Vec<Contacted>,
    /// Who acknowledged, and when.
    pub acknowledged: Option<(String, OffsetDateTime)>,
    /// When it was passed on to the next tier.
    pub passed_on: Option<OffsetDateTime>,
}

impl AlertState {
    /// An alert nothing has happened to yet.
    pub fn new(alert: &Alert) -> AlertState {
        AlertState {
            alert: alert.id.clone(),
            recipient: alert.recipient.clone(),
            kind: alert.kind,
            tlp: alert.tlp,
            issued_at: alert.issued_at,
            entities: alert
                .affected
                .entities
                .iter()
                .map(|e| e.id.clone())
                .collect(),
            contacted: Vec::new(),
            acknowledged: None,
            passed_on: None,
        }
    }

    /// Applies one timeline event (events about other alerts are ignored).
    pub fn apply(&mut self, at: OffsetDateTime, event: &Event) {
        match event {
            Event::AlertSent {
                alert,
                contact,
                channel,
                address,
                step,
                ..
            } if *alert == self.alert => {
                let entry = (channel.clone(), address.clone());
                match self.contacted.iter_mut().find(|c| c.contact == *contact) {
                    Some(c) => c.sent.push(entry),
                    None => self.contacted.push(Contacted {
                        contact: contact.clone(),
                        at,
                        step: *step,
                        sent: vec![entry],
                        failed: Vec::new(),
                    }),
                }
            }
            Event::DeliveryFailed {
                alert,
                contact,
                channel,
                address,
                ..
            } if *alert == self.alert => {
                // A failed delivery counts as the contact tried (the alert moves on from
                // them), on that channel.
                let failure = (channel.clone(), address.clone(), at);
                let entry = (channel.clone(), address.clone());
                match self.contacted.iter_mut().find(|c| c.contact == *contact) {
                    Some(c) => {
                        if !c.sent.contains(&entry) {
                            c.sent.push(entry);
                        }
                        c.failed.push(failure);
                    }
                    None => {
                        let step = u32::try_from(self.contacted.len()).unwrap_or(u32::MAX);
                        self.contacted.push(Contacted {
                            contact: contact.clone(),
                            at,
                            step,
                            sent: vec![entry],
                            failed: vec![failure],
                        });
                    }
                }
            }
            Event::Acknowledged { alert, contact, .. }
                if *alert == self.alert && self.acknowledged.is_none() =>
            {
                self.acknowledged = Some((contact.clone(), at));
            }
            Event::Escalated { alert, to, .. } if *alert == self.alert => {
                let contact_step = to
                    .strip_prefix(self.recipient.as_str())
                    .is_some_and(|rest| rest.starts_with('/'));
                if !contact_step && self.passed_on.is_none() {
                    self.passed_on = Some(at);
                }
            }
            _ => {}
        }
    }
}

/// The states of `alerts` after the timeline `events` (in order).
pub fn replay<'a>(
    alerts: &[Alert],
    events: impl IntoIterator<Item = (OffsetDateTime, &'a Event)>,
) -> Vec<AlertState> {
    let mut states: Vec<AlertState> = alerts.iter().map(AlertState::new).collect();
    for (at, event) in events {
        for state in &mut states {
            state.apply(at, event);
        }
    }
    states
}

/// What is due.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Send the alert to `contact` on `channel`; a phone channel is a call for a person
    /// to make (lifeline dials nothing), recorded as sent.
    Send {
        contact: String,
        channel: Channel,
        /// 0 for the first contact, n for the n-th escalation step.
        step: u32,
    },
    /// Nobody acknowledged in time: the alert moves on to `contact` of the same
    /// organisation (the `Send` steps to that contact follow).
    NextContact { contact: String, reason: String },
    /// No contact of the organisation acknowledged in time: the alert goes on to the next
    /// tier. `organisations` need a new alert each; `already` have one about the same
    /// incident. Both are named on the timeline.
    NextTier {
        organisations: Vec<String>,
        already: Vec<String>,
        reason: String,
    },
}

/// One thing to do for one alert, due at `due`.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub alert: String,
    pub recipient: String,
    pub due: OffsetDateTime,
    pub action: Action,
}

/// Everything due at or before `now`, in order of due time (then alert, then the order
/// the steps are taken in). Pure: the same inputs give the same steps. A step due at some
/// time stays due at every later time until the timeline shows it done.
pub fn plan(directory: &Directory, alerts: &[AlertState], now: OffsetDateTime) -> Vec<Step> {
    let mut steps: Vec<Step> = pending(directory, alerts)
        .into_iter()
        .filter(|s| s.due <= now)
        .collect();
    steps.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.alert.cmp(&b.alert)));
    steps
}

/// When the next step falls due (maybe already), or `None` when every alert is settled:
/// acknowledged, or every contact and tier tried.
pub fn next_due(directory: &Directory, alerts: &[AlertState]) -> Option<OffsetDateTime> {
    pending(directory, alerts).iter().map(|s| s.due).min()
}

/// Every step the states call for next, whenever due (stable order per alert).
fn pending(directory: &Directory, alerts: &[AlertState]) -> Vec<Step> {
    let mut steps = Vec::new();
    for state in alerts {
        if state.acknowledged.is_some() {
            continue;
        }
        let Some(org) = directory
            .organisations
            .iter()
            .find(|o| o.id == state.recipient)
        else {
            continue;
        };
        let order = contacts_in_order(org);
        let step = |due, action| Step {
            alert: state.alert.clone(),
            recipient: state.recipient.clone(),
            due,
            action,
        };
        if state.kind == AlertKind::Drill {
            // Every contact, every channel, at once; never escalated.
            for contact in &order {
                if !state.contacted.iter().any(|c| c.contact == contact.id) {
                    for channel in &contact.channels {
                        steps.push(step(
                            state.issued_at,
                            Action::Send {
                                contact: contact.id.clone(),
                                channel: channel.clone(),
                                step: 0,
                            },
                        ));
                    }
                }
            }
            continue;
        }
        let Some(current) = state.contacted.last() else {
            match order.first() {
                Some(first) => {
                    for channel in &first.channels {
                        steps.push(step(
                            state.issued_at,
                            Action::Send {
                                contact: first.id.clone(),
                                channel: channel.clone(),
                                step: 0,
                            },
                        ));
                    }
                }
                None => {
                    if let Some(s) = next_tier(
                        directory,
                        org,
                        state,
                        alerts,
                        state.issued_at,
                        "the organisation has no contact".into(),
                    ) {
                        steps.push(s);
                    }
                }
            }
            continue;
        };
        let contact = org.contacts.iter().find(|c| c.id == current.contact);
        let window = window(directory, org, contact);
        let deadline = current.at + window.duration();
        let (due, reason) = match current.unreachable_since() {
            Some(failed) if failed < deadline => (
                failed,
                format!(
                    "every delivery to {}/{} failed",
                    state.recipient, current.contact
                ),
            ),
            _ => (
                deadline,
                format!(
                    "not acknowledged by {}/{} within {window}",
                    state.recipient, current.contact
                ),
            ),
        };
        let position = order.iter().position(|c| c.id == current.contact);
        let next = order
            .iter()
            .enumerate()
            .filter(|(i, _)| position.is_none_or(|p| *i > p))
            .map(|(_, c)| *c)
            .find(|c| !state.contacted.iter().any(|done| done.contact == c.id));
        match next {
            Some(next) => {
                steps.push(step(
                    due,
                    Action::NextContact {
                        contact: next.id.clone(),
                        reason,
                    },
                ));
                let n = u32::try_from(state.contacted.len()).unwrap_or(u32::MAX);
                for channel in &next.channels {
                    steps.push(step(
                        due,
                        Action::Send {
                            contact: next.id.clone(),
                            channel: channel.clone(),
                            step: n,
                        },
                    ));
                }
            }
            None if state.passed_on.is_none() => {
                if let Some(s) = next_tier(directory, org, state, alerts, due, reason) {
                    steps.push(s);
                }
            }
            None => {}
        }
    }
    steps
}

/// The next tier's step for `state`, or `None` when there is no next tier.
fn next_tier(
    directory: &Directory,
    org: &Organisation,
    state: &AlertState,
    alerts: &[AlertState],
    due: OffsetDateTime,
    reason: String,
) -> Option<Step> {
    let linked = |o: &Organisation| {
        o.entities.is_empty()
            || o.entities
                .iter()
                .any(|e| org.entities.contains(e) || state.entities.contains(e))
    };
    let candidates: Vec<&Organisation> = directory
        .organisations
        .iter()
        .filter(|o| o.id != directory.organisation && o.id != org.id && o.tier > org.tier)
        .filter(|o| linked(o) && cleared(directory, o, state.tlp))
        .collect();
    let tier = candidates.iter().map(|o| o.tier).min()?;
    let mut organisations = Vec::new();
    let mut already = Vec::new();
    for o in candidates.into_iter().filter(|o| o.tier == tier) {
        if alerts.iter().any(|a| a.recipient == o.id) {
            already.push(o.id.clone());
        } else {
            organisations.push(o.id.clone());
        }
    }
    Some(Step {
        alert: state.alert.clone(),
        recipient: state.recipient.clone(),
        due,
        action: Action::NextTier {
            organisations,
            already,
            reason,
        },
    })
}

/// Whether an alert marked `tlp` may go on to `org` (the TLP rule, nobody named).
pub fn cleared(directory: &Directory, org: &Organisation, tlp: crate::Tlp) -> bool {
    may_share(
        tlp,
        &directory.organisation,
        Recipient {
            organisation: &org.id,
            clearance: org.clearance,
        },
        &[],
    )
    .is_ok()
}
