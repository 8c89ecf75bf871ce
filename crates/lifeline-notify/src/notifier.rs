//! The orchestrator: what is due (lifeline-share's planner), signed and sent, and the
//! timeline events that say so.
//!
//! Two halves, so that nothing goes out that is not on record: [`Notifier::prepare`] signs
//! the new alerts (the caller's fresh ones and next-tier copies) and draws the one-time
//! links; the caller stores both (`Store::record_partner_alerts`); then
//! [`Notifier::deliver`] sends and returns the events to append, at the round's time, in
//! order.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use lifeline_response::incident::Event;
use lifeline_share::alert::{self, Alert};
use lifeline_share::directory::{Channel, Directory, Organisation};
use lifeline_share::escalate::{self, Action, AlertState};
use time::OffsetDateTime;

use crate::{Mailer, NotifyError, Outcome, WebhookPolicy, message, webhook};

/// What signs alerts: the organisation's key (lifeline-share's `KeyPair`), or a test's.
pub trait Signer: Sync {
    /// The compact JWS of `alert`.
    fn sign(&self, alert: &Alert) -> Result<String, String>;
}

/// An alert as signed: the payload and the compact JWS that goes out.
#[derive(Debug, Clone, PartialEq)]
pub struct SentAlert {
    pub alert: Alert,
    pub jws: String,
}

/// A one-time acknowledgement link: `token` is its secret (store only its digest), `url`
/// what the contact opens.
#[derive(Clone, PartialEq)]
pub struct AckLink {
    pub token: String,
    pub url: String,
    pub alert: String,
    pub recipient: String,
    pub contact: String,
    pub expires_at: OffsetDateTime,
}

impl std::fmt::Debug for AckLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AckLink")
            .field("alert", &self.alert)
            .field("recipient", &self.recipient)
            .field("contact", &self.contact)
            .finish_non_exhaustive()
    }
}

/// One message to send: the alert to one contact on one channel (email or webhook).
#[derive(Debug, Clone)]
pub struct Delivery {
    pub alert: Arc<SentAlert>,
    pub contact: String,
    pub contact_name: String,
    pub channel: Channel,
    pub step: u32,
    /// The contact's one-time link, when links are on.
    pub ack_link: Option<String>,
}

/// A phone-tree entry due: a call for a person to make (lifeline dials nothing). It is on
/// the timeline as sent by `phone`.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub alert: String,
    pub recipient: String,
    pub contact: String,
    pub name: String,
    pub number: String,
    pub step: u32,
}

/// A round, ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The round's time: append every event at it.
    pub now: OffsetDateTime,
    /// Alerts signed this round: store them before delivering.
    pub new_alerts: Vec<SentAlert>,
    /// Links drawn this round: store them (hashed) before delivering.
    pub links: Vec<AckLink>,
    /// Events that hold whatever the deliveries do (escalations, calls to make), in order.
    pub recorded: Vec<Event>,
    pub deliveries: Vec<Delivery>,
    pub calls: Vec<Call>,
}

impl Prepared {
    /// Nothing to do or record.
    pub fn is_empty(&self) -> bool {
        self.new_alerts.is_empty() && self.recorded.is_empty() && self.deliveries.is_empty()
    }
}

/// Sends partner alerts and escalations.
#[derive(Debug, Clone)]
pub struct Notifier {
    mailer: Option<Mailer>,
    webhooks: WebhookPolicy,
    ack_base_url: Option<String>,
    workers: usize,
}

impl Notifier {
    /// A notifier sending email through `mailer` (without one, every email delivery fails
    /// with "no SMTP relay configured") and webhooks as `webhooks` says; no links; 16
    /// deliveries at a time.
    pub fn new(mailer: Option<Mailer>, webhooks: WebhookPolicy) -> Notifier {
        Notifier {
            mailer,
            webhooks,
            ack_base_url: None,
            workers: 16,
        }
    }

    /// One-time acknowledgement links under `base` (`https://lifeline.example.org`): each
    /// contact gets `BASE/ack/TOKEN`.
    pub fn with_ack_links(mut self, base: &str) -> Notifier {
        self.ack_base_url = Some(base.trim_end_matches('/').to_owned());
        self
    }

    /// Deliveries in flight at once (at least 1).
    pub fn with_workers(mut self, workers: usize) -> Notifier {
        self.workers = workers.max(1);
        self
    }

    /// Works out the round at `now`: signs `fresh` (alerts just built, sent now to their
    /// first contacts), replays `known` (alerts signed before) against `timeline` (the
    /// incident's or drill's events, in order, with their times), and takes every step the
    /// planner says is due: next contacts, next-tier copies (signed here), sends, calls.
    /// `random` is the caller's CSPRNG (link tokens, ids and nonces of new alerts).
    #[allow(clippy::too_many_arguments)] // each is one input of the round; no bundle reads better
    pub fn prepare(
        &self,
        directory: &Directory,
        signer: &dyn Signer,
        fresh: Vec<Alert>,
        known: &[SentAlert],
        timeline: &[(OffsetDateTime, Event)],
        now: OffsetDateTime,
        random: &mut dyn FnMut(&mut [u8]),
    ) -> Result<Prepared, NotifyError> {
        let mut prepared = Prepared {
            now,
            new_alerts: Vec::new(),
            links: Vec::new(),
            recorded: Vec::new(),
            deliveries: Vec::new(),
            calls: Vec::new(),
        };
        let mut all: Vec<Arc<SentAlert>> = known.iter().cloned().map(Arc::new).collect();
        for a in fresh {
            let signed = Arc::new(sign(signer, a)?);
            prepared.new_alerts.push((*signed).clone());
            all.push(signed);
        }
        let payloads: Vec<Alert> = all.iter().map(|s| s.alert.clone()).collect();
        let mut states =
            escalate::replay(&payloads, timeline.iter().map(|(at, event)| (*at, event)));
        let steps = escalate::plan(directory, &states, now);
        let mut index = 0;
        let mut work = steps;
        // Next-tier copies are planned in a second pass (their first sends are due now).
        while index < work.len() {
            let step = work[index].clone();
            index += 1;
            let Some(sent) = all.iter().find(|s| s.alert.id == step.alert).cloned() else {
                continue;
            };
            let Some(org) = organisation(directory, &step.recipient) else {
                continue;
            };
            match step.action {
                Action::Send {
                    contact,
                    channel,
                    step: n,
                } => self.send_step(&mut prepared, org, &sent, &contact, channel, n, random),
                Action::NextContact { contact, reason } => {
                    prepared.recorded.push(Event::Escalated {
                        alert: step.alert.clone(),
                        recipient: step.recipient.clone(),
                        to: format!("{}/{contact}", step.recipient),
                        reason,
                    });
                }
                Action::NextTier {
                    organisations,
                    already,
                    reason,
                } => {
                    for to in organisations.iter().chain(&already) {
                        prepared.recorded.push(Event::Escalated {
                            alert: step.alert.clone(),
                            recipient: step.recipient.clone(),
                            to: to.clone(),
                            reason: reason.clone(),
                        });
                    }
                    let mut copies = Vec::new();
                    for to in organisations
                        .iter()
                        .filter_map(|id| organisation(directory, id))
                    {
                        let copy = alert::escalated_copy(&sent.alert, directory, to, now, random);
                        let signed = Arc::new(sign(signer, copy)?);
                        prepared.new_alerts.push((*signed).clone());
                        states.push(AlertState::new(&signed.alert));
                        copies.push(AlertState::new(&signed.alert));
                        all.push(signed);
                    }
                    work.extend(escalate::plan(directory, &copies, now));
                }
            }
        }
        Ok(prepared)
    }

    #[allow(clippy::too_many_arguments)]
    fn send_step(
        &self,
        prepared: &mut Prepared,
        org: &Organisation,
        sent: &Arc<SentAlert>,
        contact: &str,
        channel: Channel,
        step: u32,
        random: &mut dyn FnMut(&mut [u8]),
    ) {
        let name = org
            .contacts
            .iter()
            .find(|c| c.id == contact)
            .map_or_else(|| contact.to_owned(), |c| c.name.clone());
        if let Channel::Phone(number) = &channel {
            prepared.calls.push(Call {
                alert: sent.alert.id.clone(),
                recipient: org.id.clone(),
                contact: contact.to_owned(),
                name,
                number: number.clone(),
                step,
            });
            prepared.recorded.push(Event::AlertSent {
                alert: sent.alert.id.clone(),
                recipient: org.id.clone(),
                contact: contact.to_owned(),
                channel: "phone".into(),
                address: number.clone(),
                step,
            });
            return;
        }
        let ack_link = self.ack_base_url.as_ref().map(|base| {
            let existing = prepared
                .links
                .iter()
                .find(|l| l.alert == sent.alert.id && l.contact == contact);
            match existing {
                Some(link) => link.url.clone(),
                None => {
                    let token = draw_token(random);
                    let url = format!("{base}/ack/{token}");
                    prepared.links.push(AckLink {
                        token,
                        url: url.clone(),
                        alert: sent.alert.id.clone(),
                        recipient: org.id.clone(),
                        contact: contact.to_owned(),
                        expires_at: sent.alert.expires_at,
                    });
                    url
                }
            }
        });
        prepared.deliveries.push(Delivery {
            alert: Arc::clone(sent),
            contact: contact.to_owned(),
            contact_name: name,
            channel,
            step,
            ack_link,
        });
    }

    /// Sends every delivery (`workers` at a time) and returns the round's events:
    /// `prepared.recorded`, then per delivery `alert-sent` or `delivery-failed`, in the
    /// deliveries' order.
    pub fn deliver(&self, directory: &Directory, prepared: &Prepared) -> Vec<Event> {
        let sender_name = organisation(directory, &directory.organisation)
            .map_or(directory.organisation.as_str(), |o| o.name.as_str());
        let outcomes = self.outcomes(&prepared.deliveries, sender_name);
        let mut events = prepared.recorded.clone();
        for (d, outcome) in prepared.deliveries.iter().zip(outcomes) {
            let alert = d.alert.alert.id.clone();
            let recipient = d.alert.alert.recipient.clone();
            let channel = d.channel.kind().to_owned();
            let address = d.channel.address().to_owned();
            events.push(match outcome {
                Outcome::Delivered { .. } => Event::AlertSent {
                    alert,
                    recipient,
                    contact: d.contact.clone(),
                    channel,
                    address,
                    step: d.step,
                },
                Outcome::Failed { attempts, error } => Event::DeliveryFailed {
                    alert,
                    recipient,
                    contact: d.contact.clone(),
                    channel,
                    address,
                    error,
                    attempts,
                },
            });
        }
        events
    }

    /// The outcome of each delivery, in order.
    pub fn outcomes(&self, deliveries: &[Delivery], sender_name: &str) -> Vec<Outcome> {
        let next = AtomicUsize::new(0);
        let workers = self.workers.min(deliveries.len()).max(1);
        let mut results: Vec<(usize, Outcome)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(d) = deliveries.get(i) else {
                                break;
                            };
                            done.push((i, self.deliver_one(d, sender_name)));
                        }
                        done
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join().unwrap_or_else(|_| {
                        // A worker that panicked leaves its deliveries without an outcome:
                        // they are reported failed below.
                        Vec::new()
                    })
                })
                .collect()
        });
        results.sort_by_key(|(i, _)| *i);
        let mut out = Vec::with_capacity(deliveries.len());
        let mut results = results.into_iter().peekable();
        for i in 0..deliveries.len() {
            match results.next_if(|(j, _)| *j == i) {
                Some((_, outcome)) => out.push(outcome),
                None => out.push(Outcome::Failed {
                    attempts: 0,
                    error: "the delivery worker stopped".into(),
                }),
            }
        }
        out
    }

    fn deliver_one(&self, d: &Delivery, sender_name: &str) -> Outcome {
        match &d.channel {
            Channel::Email(address) => {
                let Some(mailer) = &self.mailer else {
                    return Outcome::Failed {
                        attempts: 0,
                        error: "no SMTP relay configured".into(),
                    };
                };
                match message::email(
                    mailer.from(),
                    &d.contact_name,
                    address,
                    &d.alert.alert,
                    &d.alert.jws,
                    sender_name,
                    d.ack_link.as_deref(),
                ) {
                    Ok(m) => mailer.send(&m),
                    Err(error) => Outcome::Failed { attempts: 0, error },
                }
            }
            Channel::Webhook(url) => {
                webhook::post(url, &d.alert.jws, d.ack_link.as_deref(), &self.webhooks)
            }
            Channel::Phone(_) => Outcome::Failed {
                attempts: 0,
                error: "a phone entry is a call for a person to make".into(),
            },
        }
    }
}

fn organisation<'a>(directory: &'a Directory, id: &str) -> Option<&'a Organisation> {
    directory.organisations.iter().find(|o| o.id == id)
}

fn sign(signer: &dyn Signer, alert: Alert) -> Result<SentAlert, NotifyError> {
    let jws = signer.sign(&alert).map_err(|message| NotifyError::Sign {
        alert: alert.id.clone(),
        recipient: alert.recipient.clone(),
        message,
    })?;
    Ok(SentAlert { alert, jws })
}

/// A one-time acknowledgement link token: `lla_` and 32 random bytes, base64url.
pub fn draw_token(random: &mut dyn FnMut(&mut [u8])) -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    random(&mut bytes);
    format!(
        "lla_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

impl Signer for lifeline_share::keys::KeyPair {
    fn sign(&self, alert: &Alert) -> Result<String, String> {
        lifeline_share::jws::sign_alert(alert, self).map_err(|e| e.to_string())
    }
}
