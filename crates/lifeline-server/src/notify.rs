//! Sending partner alerts from the service: one round for an incident (its fresh alerts
//! and every escalation due, through lifeline-notify's `Notifier`), a channel drill (one
//! drill alert per contact and channel), and the background worker that runs an
//! escalation round for every open incident with partner alerts every `[notify]
//! interval_seconds`.
//!
//! Nothing goes out that is not on record: alerts and link tokens are stored before the
//! deliveries; the deliveries' events are then appended to the incident's timeline (or the
//! drill's log). Delivery is blocking IO and runs off the async threads.

use std::sync::Arc;

use lifeline_notify::{
    AckLink, Call, Delivery, Mailer, Notifier, Prepared, SentAlert, Signer, SmtpRelay,
    WebhookPolicy,
};
use lifeline_response::incident::{Event, state as incident_state};
use lifeline_share::Tlp;
use lifeline_share::alert::{ALERT_TYPE, Affected, Alert, AlertKind, AlertOptions};
use lifeline_share::directory::{Channel, Directory};
use lifeline_share::keys::KeyPair;
use lifeline_store::{Access, AlertSubject, DrillEntry, NewAckToken, NewPartnerAlert, Store};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::AppState;
use crate::config::{NotifyConfig, SmtpSecurity};
use crate::error::{ApiError, ApiResult};
use crate::routes::incidents::timeline_of;
use crate::routes::partners::{append_as, current_directory};

/// Random bytes from the operating system.
pub(crate) fn random(buf: &mut [u8]) {
    // The OS generator failing is the machine's failure; nothing sent depends on bytes
    // that were not filled (a zero nonce would be refused as a replay, not trusted).
    if let Err(e) = getrandom::fill(buf) {
        tracing::error!(error = %e, "the operating system's random generator failed");
    }
}

fn ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The organisation's key, signing with lifeline-share's JWS.
struct KeySigner(KeyPair);

impl Signer for KeySigner {
    fn sign(&self, alert: &Alert) -> Result<String, String> {
        lifeline_share::jws::sign_alert(alert, &self.0).map_err(|e| e.to_string())
    }
}

/// The notifier `[notify]` configures.
pub(crate) fn notifier(config: &NotifyConfig) -> ApiResult<Notifier> {
    let mailer = match &config.smtp {
        Some(smtp) => {
            let mut relay = SmtpRelay::new(&smtp.host, &smtp.from);
            relay.port = Some(smtp.port());
            relay.security = match smtp.security {
                SmtpSecurity::None => lifeline_notify::Security::None,
                SmtpSecurity::Starttls => lifeline_notify::Security::Starttls,
                SmtpSecurity::Tls => lifeline_notify::Security::Tls,
            };
            relay.user = smtp.user.clone();
            relay.password = smtp
                .password()
                .map_err(|e| ApiError::internal("notify.smtp", &e))?;
            Some(Mailer::new(&relay).map_err(|e| ApiError::internal("notify.smtp", &e))?)
        }
        None => None,
    };
    let mut policy = WebhookPolicy::default();
    if let Some(n) = config.webhook_retries {
        policy.attempts = n.max(1);
    }
    let notifier = Notifier::new(mailer, policy);
    Ok(match &config.public_url {
        Some(url) => notifier.with_ack_links(url),
        None => notifier,
    })
}

/// What an organisation sends with: its directory and signing key; 409 naming what is
/// missing.
async fn sender(state: &AppState, access: &Access) -> ApiResult<(Directory, KeyPair)> {
    let (_, directory) = current_directory(state, access).await?.ok_or_else(|| {
        ApiError::conflict("the organisation has no partner directory: PUT /api/v1/partners first")
    })?;
    let key = state.store.signing_key(access).await?.ok_or_else(|| {
        ApiError::conflict("the organisation has no signing key: PUT /api/v1/partners/key first")
    })?;
    let key = KeyPair::from_jwk(&key.jwk).map_err(|e| ApiError::internal("signing key", &e))?;
    Ok((directory, key))
}

/// What a round did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct RoundSummary {
    /// Alerts signed this round (fresh ones and next-tier copies).
    pub alerts: usize,
    /// Messages delivered by email or webhook.
    pub delivered: usize,
    /// Deliveries that failed after their retries.
    pub failed: usize,
    /// Phone-tree entries due: calls for a person to make.
    pub calls: Vec<String>,
    /// Escalations recorded.
    pub escalated: usize,
}

impl RoundSummary {
    fn of(prepared: &Prepared, events: &[Event]) -> RoundSummary {
        let mut summary = RoundSummary {
            alerts: prepared.new_alerts.len(),
            calls: prepared.calls.iter().map(call_text).collect(),
            ..RoundSummary::default()
        };
        for event in events {
            match event {
                Event::AlertSent { channel, .. } if channel != "phone" => summary.delivered += 1,
                Event::DeliveryFailed { .. } => summary.failed += 1,
                Event::Escalated { .. } => summary.escalated += 1,
                _ => {}
            }
        }
        summary
    }
}

fn call_text(call: &Call) -> String {
    format!(
        "call {} ({}) at {} on {} about alert {}",
        call.name, call.contact, call.recipient, call.number, call.alert
    )
}

/// Stores a round's new alerts and link tokens (before anything is delivered).
async fn record(
    store: &Store,
    org_id: &str,
    subject: &AlertSubject,
    prepared: &Prepared,
    actor: &str,
) -> ApiResult<()> {
    let alerts = prepared
        .new_alerts
        .iter()
        .map(|s| {
            Ok(NewPartnerAlert {
                alert_id: s.alert.id.clone(),
                subject: subject.clone(),
                recipient: s.alert.recipient.clone(),
                kind: kind_text(s.alert.kind),
                payload: serde_json::to_string(&s.alert)
                    .map_err(|e| ApiError::internal("alert payload", &e))?,
                jws: s.jws.clone(),
                issued_at: ms(s.alert.issued_at),
                reply_by: ms(s.alert.reply_by),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let tokens: Vec<NewAckToken> = prepared
        .links
        .iter()
        .map(|l: &AckLink| NewAckToken {
            token: l.token.clone(),
            alert_id: l.alert.clone(),
            recipient: l.recipient.clone(),
            contact: l.contact.clone(),
            expires_at: ms(l.expires_at),
        })
        .collect();
    if alerts.is_empty() && tokens.is_empty() {
        return Ok(());
    }
    store
        .record_partner_alerts(org_id, &alerts, &tokens, actor)
        .await?;
    Ok(())
}

fn kind_text(kind: AlertKind) -> String {
    match kind {
        AlertKind::Alert => "alert",
        AlertKind::Update => "update",
        AlertKind::Cancel => "cancel",
        AlertKind::Drill => "drill",
    }
    .to_owned()
}

/// One round for incident `id` of `org_id`: with `fresh`, the incident's alerts to every
/// partner concerned that has none yet (marked `tlp`); always, every escalation due.
pub(crate) async fn incident_round(
    state: &AppState,
    org_id: &str,
    id: &str,
    actor: &str,
    fresh: Option<Tlp>,
) -> ApiResult<RoundSummary> {
    let access = Access {
        org_id: org_id.to_owned(),
        own: true,
    };
    let (directory, key) = sender(state, &access).await?;
    let entries = timeline_of(state, &access, id).await?;
    let known = state
        .store
        .partner_alerts(&access, &AlertSubject::Incident(id.to_owned()))
        .await?
        .into_iter()
        .map(|a| {
            Ok(SentAlert {
                alert: serde_json::from_str(&a.payload)
                    .map_err(|e| ApiError::internal("stored alert", &e))?,
                jws: a.jws,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let notifier = notifier(&state.notify)?;
    let incident_id = id.to_owned();
    let (prepared, directory, notifier) = crate::blocking("partner alerts", move || {
        let now = lifeline_response::incident::timeline::normalize_time(OffsetDateTime::now_utc());
        let mut fresh_alerts = Vec::new();
        if let Some(tlp) = fresh {
            let incident = incident_state::replay(&entries)
                .map_err(|e| ApiError::conflict(format!("the timeline does not replay: {e}")))?;
            let options = AlertOptions {
                incident_id,
                tlp,
                named: Vec::new(),
                now,
                kind: AlertKind::Alert,
                supersedes: Vec::new(),
            };
            fresh_alerts =
                lifeline_share::alert::for_incident(&incident, &directory, &options, &mut random);
            fresh_alerts.retain(|a| !known.iter().any(|k| k.alert.recipient == a.recipient));
        }
        let timeline: Vec<(OffsetDateTime, Event)> =
            entries.into_iter().map(|e| (e.at, e.event)).collect();
        let prepared = notifier
            .prepare(
                &directory,
                &KeySigner(key),
                fresh_alerts,
                &known,
                &timeline,
                now,
                &mut random,
            )
            .map_err(|e| ApiError::conflict(e.to_string()))?;
        Ok((prepared, directory, notifier))
    })
    .await?;
    if prepared.is_empty() {
        return Ok(RoundSummary::default());
    }
    let subject = AlertSubject::Incident(id.to_owned());
    record(&state.store, org_id, &subject, &prepared, actor).await?;
    let prepared = Arc::new(prepared);
    let sending = Arc::clone(&prepared);
    let events = crate::blocking("partner deliveries", move || {
        Ok(notifier.deliver(&directory, &sending))
    })
    .await?;
    for event in &events {
        append_as(state, org_id, id, actor, event.clone()).await?;
    }
    Ok(RoundSummary::of(&prepared, &events))
}

/// A drill started.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DrillStarted {
    pub id: String,
    pub url: String,
    #[serde(flatten)]
    pub round: RoundSummary,
}

/// Starts a channel drill for `org_id`: a signed drill alert to every contact of every
/// partner on every channel (one alert per line), recorded on the drill's log.
pub(crate) async fn drill_round(
    state: &AppState,
    org_id: &str,
    actor: &str,
    title: &str,
) -> ApiResult<DrillStarted> {
    let access = Access {
        org_id: org_id.to_owned(),
        own: true,
    };
    let (directory, key) = sender(state, &access).await?;
    let notifier = notifier(&state.notify)?;
    run_drill(
        &state.store,
        &notifier,
        state.notify.public_url.as_deref(),
        directory,
        key,
        org_id,
        actor,
        title,
    )
    .await
}

/// Runs a channel drill for `org_id` with `directory` and `key` (the service's, or a
/// laptop's files: `lifeline notify drill`): signs one drill alert per partner contact
/// and channel, stores them (and their one-time links, under `links` when given), delivers
/// them through `notifier`, and records every send and failure on the drill's log.
#[allow(clippy::too_many_arguments)]
pub async fn run_drill(
    store: &Store,
    notifier: &Notifier,
    links: Option<&str>,
    directory: Directory,
    key: KeyPair,
    org_id: &str,
    actor: &str,
    title: &str,
) -> ApiResult<DrillStarted> {
    if !directory
        .organisations
        .iter()
        .any(|o| o.id != directory.organisation && !o.contacts.is_empty())
    {
        return Err(ApiError::conflict(
            "the partner directory lists no partner with a contact to drill",
        ));
    }
    let links = links.map(str::to_owned);
    let notifier = notifier.clone();
    let now = lifeline_response::incident::timeline::normalize_time(OffsetDateTime::now_utc());
    let drill_id = store.create_drill(org_id, title, ms(now), actor).await?;
    let id = drill_id.clone();
    let (prepared, directory, notifier) = crate::blocking("drill alerts", move || {
        let prepared = drill_alerts(&directory, &key, &id, links.as_deref(), now)?;
        Ok((prepared, directory, notifier))
    })
    .await?;
    let subject = AlertSubject::Drill(drill_id.clone());
    record(store, org_id, &subject, &prepared, actor).await?;
    let prepared = Arc::new(prepared);
    let sending = Arc::clone(&prepared);
    let events = crate::blocking("drill deliveries", move || {
        Ok(notifier.deliver(&directory, &sending))
    })
    .await?;
    let at = ms(OffsetDateTime::now_utc());
    let entries = events
        .iter()
        .map(|e| {
            Ok(DrillEntry {
                at,
                actor: actor.to_owned(),
                event: serde_json::to_string(e).map_err(|e| ApiError::internal("drill", &e))?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    if !entries.is_empty() {
        store
            .append_drill_entries(org_id, &drill_id, &entries, actor)
            .await?;
    }
    Ok(DrillStarted {
        url: crate::routes::partners::drill_url(&drill_id),
        id: drill_id,
        round: RoundSummary::of(&prepared, &events),
    })
}

/// The drill's round: one signed drill alert per partner contact and channel; a phone
/// entry is recorded as a call to make.
fn drill_alerts(
    directory: &Directory,
    key: &KeyPair,
    drill: &str,
    links: Option<&str>,
    now: OffsetDateTime,
) -> ApiResult<Prepared> {
    let me = directory
        .me()
        .map_or(directory.organisation.as_str(), |o| o.name.as_str());
    let mut prepared = Prepared {
        now,
        new_alerts: Vec::new(),
        links: Vec::new(),
        recorded: Vec::new(),
        deliveries: Vec::new(),
        calls: Vec::new(),
    };
    let mut n = 0;
    for org in directory
        .organisations
        .iter()
        .filter(|o| o.id != directory.organisation)
    {
        for contact in &org.contacts {
            let window = directory.ack_window(&org.id, &contact.id);
            for channel in &contact.channels {
                n += 1;
                let alert = Alert {
                    typ: ALERT_TYPE.to_owned(),
                    id: format!("{drill}-{n}"),
                    kind: AlertKind::Drill,
                    issuer: directory.organisation.clone(),
                    recipient: org.id.clone(),
                    incident: None,
                    issued_at: now,
                    expires_at: now + directory.defaults.alert_validity.duration(),
                    reply_by: now + window.duration(),
                    nonce: lifeline_share::alert::draw_nonce(&mut random),
                    tlp: Tlp::Clear,
                    summary: format!(
                        "Drill from {me}: a test of the lines to {} by {}. Acknowledge it; nothing else is asked.",
                        contact.name,
                        channel.kind()
                    ),
                    affected: Affected::default(),
                    expected_recovery_days: None,
                    actions: vec!["Acknowledge this drill.".to_owned()],
                    supersedes: None,
                };
                let jws = lifeline_share::jws::sign_alert(&alert, key)
                    .map_err(|e| ApiError::internal("drill signature", &e))?;
                let sent = Arc::new(SentAlert { alert, jws });
                prepared.new_alerts.push((*sent).clone());
                if let Channel::Phone(number) = channel {
                    prepared.calls.push(Call {
                        alert: sent.alert.id.clone(),
                        recipient: org.id.clone(),
                        contact: contact.id.clone(),
                        name: contact.name.clone(),
                        number: number.clone(),
                        step: 0,
                    });
                    prepared.recorded.push(Event::AlertSent {
                        alert: sent.alert.id.clone(),
                        recipient: org.id.clone(),
                        contact: contact.id.clone(),
                        channel: "phone".into(),
                        address: number.clone(),
                        step: 0,
                    });
                    continue;
                }
                let ack_link = links.map(|base| {
                    let token = lifeline_notify::draw_token(&mut random);
                    let url = format!("{}/ack/{token}", base.trim_end_matches('/'));
                    prepared.links.push(AckLink {
                        token,
                        url: url.clone(),
                        alert: sent.alert.id.clone(),
                        recipient: org.id.clone(),
                        contact: contact.id.clone(),
                        expires_at: sent.alert.expires_at,
                    });
                    url
                });
                prepared.deliveries.push(Delivery {
                    alert: sent,
                    contact: contact.id.clone(),
                    contact_name: contact.name.clone(),
                    channel: channel.clone(),
                    step: 0,
                    ack_link,
                });
            }
        }
    }
    Ok(prepared)
}

/// One escalation pass over every organisation: for each open incident that sent partner
/// alerts, the escalations due now. Returns the rounds that did something.
pub async fn escalation_pass(state: &AppState) -> usize {
    let orgs = match state.store.orgs().await {
        Ok(orgs) => orgs,
        Err(e) => {
            tracing::error!(error = %e, "escalation: cannot list organisations");
            return 0;
        }
    };
    let mut rounds = 0;
    for org in orgs {
        let access = Access {
            org_id: org.id.clone(),
            own: true,
        };
        let Ok(incidents) = state.store.incidents(&access).await else {
            continue;
        };
        for incident in incidents
            .iter()
            .filter(|i| i.status == lifeline_store::IncidentState::Open)
        {
            match state
                .store
                .partner_alerts(&access, &AlertSubject::Incident(incident.id.clone()))
                .await
            {
                Ok(alerts) if !alerts.is_empty() => {}
                _ => continue,
            }
            match incident_round(state, &org.id, &incident.id, "escalation", None).await {
                Ok(summary) => {
                    if summary.alerts + summary.delivered + summary.failed + summary.escalated > 0
                        || !summary.calls.is_empty()
                    {
                        rounds += 1;
                        tracing::info!(
                            org = %org.id, incident = %incident.id,
                            delivered = summary.delivered, failed = summary.failed,
                            escalated = summary.escalated, calls = summary.calls.len(),
                            "escalation round"
                        );
                    }
                }
                Err(e) => tracing::warn!(
                    org = %org.id, incident = %incident.id, error = %e.body.message,
                    "escalation round failed"
                ),
            }
        }
    }
    rounds
}

/// Starts the escalation worker (`[notify] interval_seconds`; none when 0). It stops with
/// the runtime.
pub fn start_worker(state: AppState) {
    let Some(interval) = state.notify.interval() else {
        tracing::info!("the escalation worker is off (notify.interval_seconds = 0)");
        return;
    };
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            escalation_pass(&state).await;
        }
    });
}
