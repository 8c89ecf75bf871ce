//! Trusted lines between partners (issue 17) as a service: the organisation's partner
//! directory and signing key, the alerts an incident sent to partners and where each one
//! stands (sent, failed, acknowledged, escalated), acknowledgements (a signed reply,
//! verified before anything is recorded, or a one-time link: `web::partners`), and channel
//! drills with their report.
//!
//! Org-scoped like `routes::incidents`: viewers read, analysts and admins write, partners
//! see none of it (403), and another organisation's ids are not found (404). The signing
//! key is stored sealed and never returned: a read shows its `kid` only.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use lifeline_response::incident::{Entry, Event, state as incident_state};
use lifeline_share::directory::Directory;
use lifeline_share::drill::{self, DrillAck, DrillReport, DrillSend};
use lifeline_share::keys::KeyPair;
use lifeline_store::{Access, AlertSubject, DrillEntry, Role, StoredDrill, rfc3339};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, CommonErrors, DiagnosticBody, ErrorBody};
use crate::extract::{JsonBody, NoQuery, PathParams, QueryParams, RawBody, content_type, is_yaml};
use crate::routes::incidents::{stored_entry, timeline_of};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(put_directory, get_directory))
        .routes(routes!(put_key))
        .routes(routes!(incident_alerts, send_alerts))
        .routes(routes!(list_drills, start_drill))
        .routes(routes!(post_ack))
        .routes(routes!(get_drill))
}

/// The default threshold past which a drill's line is slow.
pub const SLOW_AFTER: &str = "15m";

fn now_ms() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// The directory

/// Reads a partner directory (`lifeline-partners/1`, JSON or YAML) as `lifeline partners
/// validate` does: every problem with its path (`organisations[2].contacts[0].channels`),
/// the first one as the error's field.
pub(crate) fn read_directory(body: &[u8], yaml: bool) -> ApiResult<Directory> {
    use lifeline_share::directory::DirectoryError;
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::invalid("directory", "is not UTF-8 text"))?;
    let origin = if yaml {
        "partners.yaml"
    } else {
        "partners.json"
    };
    match lifeline_share::directory::from_str(text, origin) {
        Ok((directory, _warnings)) => Ok(directory),
        Err(DirectoryError::Invalid { diagnostics, .. }) => {
            let bodies: Vec<DiagnosticBody> =
                diagnostics.0.iter().map(DiagnosticBody::of).collect();
            let first = bodies.iter().find(|b| b.severity == "error");
            let field = first
                .map(|b| b.path.clone())
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| "directory".to_owned());
            let message = format!(
                "the partner directory is not valid ({} error(s)); first: {}",
                diagnostics.error_count(),
                first
                    .map(|b| lifeline_text::excerpt_to(&b.message, 400).into_owned())
                    .unwrap_or_default()
            );
            Err(ApiError::invalid_document(message, bodies).with_field(&field))
        }
        Err(e) => Err(ApiError::invalid(
            "directory",
            lifeline_text::excerpt_to(&e.to_string(), 600).into_owned(),
        )),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DirectoryStored {
    pub version: i64,
    pub sha256: String,
    pub organisations: usize,
    pub contacts: usize,
}

/// Replaces the organisation's partner directory (`lifeline-partners/1` JSON) with a new
/// version, after checking it.
#[utoipa::path(put, path = "/partners", tag = "partners",
    request_body(content((Object = "application/json"), (String = "application/yaml")),
        description = "The partner directory"),
    responses((status = 200, description = "Stored", body = DirectoryStored), CommonErrors))]
async fn put_directory(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Json<DirectoryStored>> {
    caller.require(Role::Analyst)?;
    let yaml = is_yaml(
        &headers,
        "a partner directory is application/json or application/yaml",
    )?;
    let directory =
        crate::blocking("partner directory", move || read_directory(&body, yaml)).await?;
    let contacts = directory
        .organisations
        .iter()
        .map(|o| o.contacts.len())
        .sum();
    let text = serde_json::to_string_pretty(&directory)
        .map_err(|e| ApiError::internal("partner directory", &e))?;
    let version = state
        .store
        .put_partner_directory(&caller.user.org_id, &text, &caller.user.name)
        .await?;
    let stored = state
        .store
        .partner_directory(&caller.access(), Some(version))
        .await?
        .ok_or_else(|| ApiError::not_found("partner directory", "the one just stored"))?;
    Ok(Json(DirectoryStored {
        version,
        sha256: stored.info.sha256,
        organisations: directory.organisations.len(),
        contacts,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// A version (default: the current one).
    pub version: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DirectoryBody {
    pub version: i64,
    pub sha256: String,
    pub created_at: String,
    pub created_by: String,
    /// The directory (`lifeline-partners/1`).
    #[schema(value_type = Object)]
    pub directory: serde_json::Value,
}

/// The organisation's partner directory (the current version, or `version`).
#[utoipa::path(get, path = "/partners", tag = "partners", params(DirectoryQuery),
    responses((status = 200, description = "The directory", body = DirectoryBody), CommonErrors))]
async fn get_directory(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<DirectoryQuery>,
) -> ApiResult<Json<DirectoryBody>> {
    caller.require(Role::Viewer)?;
    let stored = state
        .store
        .partner_directory(&caller.access(), query.version)
        .await?
        .ok_or_else(|| ApiError::not_found("partner directory", "of this organisation"))?;
    let directory = serde_json::from_str(&stored.directory)
        .map_err(|e| ApiError::internal("stored partner directory", &e))?;
    Ok(Json(DirectoryBody {
        version: stored.info.version,
        sha256: stored.info.sha256,
        created_at: rfc3339(stored.info.created_at),
        created_by: stored.info.created_by,
        directory,
    }))
}

/// The current directory of `access`'s organisation, read; `None` when it has none.
pub(crate) async fn current_directory(
    state: &AppState,
    access: &Access,
) -> ApiResult<Option<(lifeline_store::PartnerDirectoryInfo, Directory)>> {
    let Some(stored) = state.store.partner_directory(access, None).await? else {
        return Ok(None);
    };
    let directory: Directory = serde_json::from_str(&stored.directory)
        .map_err(|e| ApiError::internal("stored partner directory", &e))?;
    Ok(Some((stored.info, directory)))
}

// ---------------------------------------------------------------------------------------
// The signing key

/// A private Ed25519 JWK (RFC 8037), read as `lifeline notify sign` reads it; its `kid`
/// (`ORG/ID`).
pub(crate) fn check_jwk(text: &str) -> ApiResult<String> {
    let key = KeyPair::from_jwk(text).map_err(|e| {
        let field = match &e {
            lifeline_share::keys::KeyError::JwkField { field, .. } => format!("key.{field}"),
            lifeline_share::keys::KeyError::BadKid(_) => "key.kid".to_owned(),
            _ => "key".to_owned(),
        };
        ApiError::invalid(
            &field,
            lifeline_text::excerpt_to(&e.to_string(), 400).into_owned(),
        )
    })?;
    Ok(key.kid())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyStored {
    pub kid: String,
    pub created_at: String,
    pub created_by: String,
    /// Whether the current directory lists the key's public half as a key of ours, valid
    /// now: partners verify what it signs only then.
    pub listed: bool,
}

/// Whether `directory` lists `kid` as a key of its own organisation that is valid at
/// `now`.
pub(crate) fn key_listed(directory: &Directory, kid: &str, now: OffsetDateTime) -> bool {
    let Some((org, id)) = kid.split_once('/') else {
        return false;
    };
    org == directory.organisation
        && directory
            .organisations
            .iter()
            .filter(|o| o.id == org)
            .flat_map(|o| &o.keys)
            .any(|k| k.id == id && lifeline_web::pages::partners::key_state(k, now) == "current")
}

/// Sets the organisation's signing key: a private Ed25519 JWK (`lifeline keys generate`
/// writes one), stored sealed with the server's key file. Never returned.
#[utoipa::path(put, path = "/partners/key", tag = "partners",
    request_body(content((Object = "application/json")), description = "The private JWK"),
    responses((status = 200, description = "Stored (the key itself is never returned)",
        body = KeyStored), CommonErrors))]
async fn put_key(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Json<KeyStored>> {
    caller.require(Role::Analyst)?;
    if content_type(&headers).as_deref() != Some("application/json") {
        return Err(ApiError::unsupported_media_type(
            "a signing key is a private JWK: application/json",
        ));
    }
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::invalid("key", "is not UTF-8 text"))?;
    let kid = check_jwk(&text)?;
    let directory = current_directory(&state, &caller.access()).await?;
    if let Some((_, d)) = &directory
        && kid.split_once('/').map(|(org, _)| org) != Some(d.organisation.as_str())
    {
        return Err(ApiError::invalid(
            "key.kid",
            format!(
                "`{}` is not a key of `{}`, the organisation the directory is kept by",
                lifeline_text::excerpt(&kid),
                lifeline_text::excerpt(&d.organisation)
            ),
        ));
    }
    state
        .store
        .put_signing_key(&caller.user.org_id, &kid, &text, &caller.user.name)
        .await?;
    let info = state
        .store
        .signing_key_info(&caller.access())
        .await?
        .ok_or_else(|| ApiError::not_found("signing key", "the one just stored"))?;
    Ok(Json(KeyStored {
        listed: directory
            .is_some_and(|(_, d)| key_listed(&d, &info.kid, OffsetDateTime::now_utc())),
        kid: info.kid,
        created_at: rfc3339(info.created_at),
        created_by: info.created_by,
    }))
}

// ---------------------------------------------------------------------------------------
// Where alerts stand

/// One alert to one contact on one channel, and what became of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecipientStatus {
    pub alert: String,
    pub recipient: String,
    pub contact: String,
    pub channel: String,
    pub address: String,
    /// 0 for the first contact; n for the n-th escalation step.
    pub step: u32,
    pub sent_at: String,
    /// `acknowledged`, `failed`, `escalated`, `to-call` (a phone entry for a person) or
    /// `sent` (waiting for an acknowledgement).
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
    /// `signed-reply` or `link`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalated_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalated_to: Option<String>,
}

fn at_text(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Every alert sent on a timeline (an incident's or a drill's), one row per contact and
/// channel, with its delivery failure, acknowledgement and escalation.
pub fn recipient_statuses<'a>(
    events: impl IntoIterator<Item = (OffsetDateTime, &'a Event)>,
) -> Vec<RecipientStatus> {
    let mut rows: Vec<RecipientStatus> = Vec::new();
    for (at, event) in events {
        match event {
            Event::AlertSent {
                alert,
                recipient,
                contact,
                channel,
                address,
                step,
            } => rows.push(RecipientStatus {
                alert: alert.clone(),
                recipient: recipient.clone(),
                contact: contact.clone(),
                channel: channel.clone(),
                address: address.clone(),
                step: *step,
                sent_at: at_text(at),
                status: String::new(),
                failure: None,
                acknowledged_at: None,
                acknowledged_by: None,
                via: None,
                escalated_at: None,
                escalated_to: None,
            }),
            // A failed delivery is recorded instead of its send.
            Event::DeliveryFailed {
                alert,
                recipient,
                contact,
                channel,
                address,
                error,
                attempts,
            } => {
                let failure = Some(format!("{error} ({attempts} attempt(s))"));
                let mut matched = false;
                for row in rows.iter_mut().filter(|r| {
                    r.alert == *alert
                        && r.contact == *contact
                        && r.channel == *channel
                        && r.address == *address
                }) {
                    row.failure.clone_from(&failure);
                    matched = true;
                }
                if !matched {
                    rows.push(RecipientStatus {
                        alert: alert.clone(),
                        recipient: recipient.clone(),
                        contact: contact.clone(),
                        channel: channel.clone(),
                        address: address.clone(),
                        step: 0,
                        sent_at: at_text(at),
                        status: String::new(),
                        failure,
                        acknowledged_at: None,
                        acknowledged_by: None,
                        via: None,
                        escalated_at: None,
                        escalated_to: None,
                    });
                }
            }
            Event::Acknowledged {
                alert,
                contact,
                via,
                ..
            } => {
                for row in rows
                    .iter_mut()
                    .filter(|r| r.alert == *alert && r.acknowledged_at.is_none())
                {
                    row.acknowledged_at = Some(at_text(at));
                    row.acknowledged_by = Some(contact.clone());
                    row.via = Some(via.clone());
                }
            }
            Event::Escalated { alert, to, .. } => {
                for row in rows.iter_mut().filter(|r| {
                    r.alert == *alert && r.escalated_at.is_none() && r.acknowledged_at.is_none()
                }) {
                    row.escalated_at = Some(at_text(at));
                    row.escalated_to = Some(to.clone());
                }
            }
            _ => {}
        }
    }
    for row in &mut rows {
        row.status = if row.acknowledged_at.is_some() {
            "acknowledged"
        } else if row.failure.is_some() {
            "failed"
        } else if row.escalated_at.is_some() {
            "escalated"
        } else if row.channel == "phone" {
            "to-call"
        } else {
            "sent"
        }
        .to_owned();
    }
    rows
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertSummary {
    pub alert: String,
    pub recipient: String,
    /// `alert`, `update`, `cancel` or `drill`.
    pub kind: String,
    pub issued_at: String,
    pub reply_by: String,
    pub acknowledged: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentAlerts {
    /// The signed alerts, one per partner organisation.
    pub alerts: Vec<AlertSummary>,
    /// Per contact and channel: sent, failed, acknowledged, escalated.
    pub recipients: Vec<RecipientStatus>,
}

/// The partner alerts of incident `id` and where each recipient stands, from its timeline.
pub(crate) async fn alerts_of(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<IncidentAlerts> {
    let entries = timeline_of(state, &caller.access(), id).await?;
    let recipients = recipient_statuses(entries.iter().map(|e| (e.at, &e.event)));
    let alerts = state
        .store
        .partner_alerts(&caller.access(), &AlertSubject::Incident(id.to_owned()))
        .await?
        .into_iter()
        .map(|a| AlertSummary {
            acknowledged: recipients
                .iter()
                .any(|r| r.alert == a.alert_id && r.acknowledged_at.is_some()),
            alert: a.alert_id,
            recipient: a.recipient,
            kind: a.kind,
            issued_at: rfc3339(a.issued_at),
            reply_by: rfc3339(a.reply_by),
        })
        .collect();
    Ok(IncidentAlerts { alerts, recipients })
}

/// The alerts incident `id` sent to partners, and per contact and channel whether each
/// was delivered, acknowledged (and how) or escalated.
#[utoipa::path(get, path = "/incidents/{id}/alerts", tag = "partners",
    params(("id" = String, Path, description = "Incident id")),
    responses((status = 200, description = "The alerts", body = IncidentAlerts),
        (status = 409, description = "The timeline does not replay", body = ErrorBody),
        CommonErrors))]
async fn incident_alerts(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    QueryParams(NoQuery {}): QueryParams<NoQuery>,
) -> ApiResult<Json<IncidentAlerts>> {
    caller.require(Role::Viewer)?;
    Ok(Json(alerts_of(&state, &caller, &id).await?))
}

// ---------------------------------------------------------------------------------------
// Recording an acknowledgement

/// Appends `event` to incident `id` of `org_id` as `actor` (not a logged-in user: a
/// partner's link or signed reply), checked against the incident's state; retried when
/// another entry got in first.
pub(crate) async fn append_as(
    state: &AppState,
    org_id: &str,
    id: &str,
    actor: &str,
    event: Event,
) -> ApiResult<Entry> {
    let access = Access {
        org_id: org_id.to_owned(),
        own: true,
    };
    let mut last = None;
    for _ in 0..5 {
        let entries = timeline_of(state, &access, id).await?;
        let at = lifeline_response::incident::timeline::normalize_time(OffsetDateTime::now_utc());
        let entry = incident_state::next_entry(&entries, at, actor, event.clone())
            .map_err(|e| ApiError::conflict(e.to_string()))?;
        match state
            .store
            .append_incident_entry(
                org_id,
                id,
                &stored_entry(&entry)?,
                lifeline_store::EntryKind::Partner,
                actor,
            )
            .await
        {
            Ok(_) => return Ok(entry),
            Err(lifeline_store::StoreError::Conflict(message)) => last = Some(message),
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::conflict(last.unwrap_or_default()))
}

/// Records that `contact` of `recipient` acknowledged alert `alert` (`via`: `link` or
/// `signed-reply`) on the timeline it belongs to: its incident's, or its drill's log.
pub(crate) async fn record_ack(
    state: &AppState,
    org_id: &str,
    subject: &AlertSubject,
    alert: &str,
    recipient: &str,
    contact: &str,
    via: &str,
) -> ApiResult<()> {
    let actor = format!("{contact}@{recipient}");
    let event = Event::Acknowledged {
        alert: alert.to_owned(),
        recipient: recipient.to_owned(),
        contact: contact.to_owned(),
        via: via.to_owned(),
    };
    match subject {
        AlertSubject::Incident(id) => {
            append_as(state, org_id, id, &actor, event).await?;
        }
        AlertSubject::Drill(id) => {
            let event =
                serde_json::to_string(&event).map_err(|e| ApiError::internal("drill ack", &e))?;
            state
                .store
                .append_drill_entries(
                    org_id,
                    id,
                    &[DrillEntry {
                        at: now_ms(),
                        actor: actor.clone(),
                        event,
                    }],
                    &actor,
                )
                .await?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Drills

/// A drill's sends and acknowledgements, from its log.
pub fn drill_inputs(drill: &StoredDrill) -> Result<(Vec<DrillSend>, Vec<DrillAck>), String> {
    let mut sends: Vec<DrillSend> = Vec::new();
    let mut acks = Vec::new();
    for (i, entry) in drill.entries.iter().enumerate() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(entry.at) * 1_000_000)
            .map_err(|e| format!("entry {i}: time: {e}"))?;
        let event: Event = serde_json::from_str(&entry.event)
            .map_err(|e| format!("entry {i}: the event does not read: {e}"))?;
        match event {
            Event::AlertSent {
                alert,
                recipient,
                contact,
                channel,
                address,
                ..
            } => sends.push(DrillSend {
                alert,
                organisation: recipient,
                contact,
                channel,
                address,
                sent_at: at,
                failed: None,
            }),
            // A failed delivery is recorded instead of its send.
            Event::DeliveryFailed {
                alert,
                recipient,
                contact,
                channel,
                address,
                error,
                ..
            } => match sends.iter_mut().find(|s| s.alert == alert) {
                Some(send) => send.failed = Some(error),
                None => sends.push(DrillSend {
                    alert,
                    organisation: recipient,
                    contact,
                    channel,
                    address,
                    sent_at: at,
                    failed: Some(error),
                }),
            },
            Event::Acknowledged { alert, via, .. } => acks.push(DrillAck { alert, at, via }),
            _ => {}
        }
    }
    Ok((sends, acks))
}

/// The report of `drill` at `now`.
pub fn drill_report(
    drill: &StoredDrill,
    now: OffsetDateTime,
    slow_after: lifeline_share::directory::Window,
) -> Result<DrillReport, String> {
    let (sends, acks) = drill_inputs(drill)?;
    Ok(drill::report(&sends, &acks, now, slow_after))
}

/// A `slow_after` parameter (`15m`); the default when absent.
pub(crate) fn slow_after(text: Option<&str>) -> ApiResult<lifeline_share::directory::Window> {
    text.unwrap_or(SLOW_AFTER)
        .parse()
        .map_err(|e: String| ApiError::invalid("slow_after", e))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DrillSummary {
    pub id: String,
    pub title: String,
    pub started_at: String,
    pub started_by: String,
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DrillList {
    pub drills: Vec<DrillSummary>,
}

pub(crate) fn drill_url(id: &str) -> String {
    format!("/api/v1/drills/{}", lifeline_text::percent_encoded(id))
}

/// The organisation's channel drills, newest first.
#[utoipa::path(get, path = "/drills", tag = "partners",
    responses((status = 200, description = "The drills", body = DrillList), CommonErrors))]
async fn list_drills(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(NoQuery {}): QueryParams<NoQuery>,
) -> ApiResult<Json<DrillList>> {
    caller.require(Role::Viewer)?;
    let drills = state
        .store
        .drills(&caller.access())
        .await?
        .into_iter()
        .map(|d| DrillSummary {
            url: drill_url(&d.id),
            id: d.id,
            title: d.title,
            started_at: rfc3339(d.started_at),
            started_by: d.started_by,
        })
        .collect();
    Ok(Json(DrillList { drills }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DrillQuery {
    /// Acknowledged later than this is slow, nothing by then is dead (default `15m`).
    pub slow_after: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DrillBody {
    pub id: String,
    pub title: String,
    pub started_at: String,
    pub started_by: String,
    /// lifeline-share's drill report: every line's status and time to acknowledge.
    #[schema(value_type = Object)]
    pub report: DrillReport,
}

/// A drill's report now: per partner and channel, the time to acknowledge, and the lines
/// that are dead or slow.
#[utoipa::path(get, path = "/drills/{id}", tag = "partners",
    params(("id" = String, Path, description = "Drill id"), DrillQuery),
    responses((status = 200, description = "The drill's report", body = DrillBody),
        (status = 409, description = "The drill's log does not read", body = ErrorBody),
        CommonErrors))]
async fn get_drill(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    QueryParams(query): QueryParams<DrillQuery>,
) -> ApiResult<Json<DrillBody>> {
    caller.require(Role::Viewer)?;
    let slow = slow_after(query.slow_after.as_deref())?;
    let drill = state
        .store
        .drill(&caller.access(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found("drill", &id))?;
    let report = drill_report(&drill, OffsetDateTime::now_utc(), slow)
        .map_err(|e| ApiError::conflict(format!("the drill's log does not read: {e}")))?;
    Ok(Json(DrillBody {
        id: drill.info.id,
        title: drill.info.title,
        started_at: rfc3339(drill.info.started_at),
        started_by: drill.info.started_by,
        report,
    }))
}

// ---------------------------------------------------------------------------------------
// Sending

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    /// The TLP marking of the alerts: `clear`, `green` (default), `amber`,
    /// `amber+strict` (never leaves the organisation: refused) or `red`.
    pub tlp: Option<String>,
}

/// Sends the incident's signed alerts now to every partner organisation concerned that
/// has none yet (linked to a down entity, or running a demand node that runs short), and
/// takes every escalation due. Every send, failure and escalation goes on the timeline.
#[utoipa::path(post, path = "/incidents/{id}/alerts", tag = "partners",
    params(("id" = String, Path, description = "Incident id")),
    request_body(content = SendRequest, description = "Options (`{}`: TLP:GREEN)"),
    responses((status = 200, description = "What the round did",
        body = crate::notify::RoundSummary),
        (status = 409, description = "No partner directory or signing key stored yet, or the \
            timeline does not replay", body = ErrorBody), CommonErrors))]
async fn send_alerts(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(request): JsonBody<SendRequest>,
) -> ApiResult<Json<crate::notify::RoundSummary>> {
    caller.require(Role::Analyst)?;
    let tlp = parse_tlp(request.tlp.as_deref())?;
    // 404 before anything else for an incident the caller cannot see.
    state
        .store
        .incident(&caller.access(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found("incident", &id))?;
    Ok(Json(
        crate::notify::incident_round(
            &state,
            &caller.user.org_id,
            &id,
            &caller.user.name,
            Some(tlp),
        )
        .await?,
    ))
}

/// A TLP level for alerts to partners (default green); AMBER+STRICT never leaves the
/// organisation, so it is refused here.
pub(crate) fn parse_tlp(text: Option<&str>) -> ApiResult<lifeline_share::Tlp> {
    let tlp: lifeline_share::Tlp = match text {
        None => lifeline_share::Tlp::Green,
        Some(t) => serde_json::from_value(serde_json::Value::String(t.to_ascii_lowercase()))
            .map_err(|_| {
                ApiError::invalid(
                    "tlp",
                    format!(
                        "`{}` is not a TLP level: clear, green, amber or red",
                        lifeline_text::excerpt(t)
                    ),
                )
            })?,
    };
    if tlp == lifeline_share::Tlp::AmberStrict {
        return Err(ApiError::invalid(
            "tlp",
            "TLP:AMBER+STRICT never leaves the organisation: no partner may receive it",
        ));
    }
    Ok(tlp)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrillRequest {
    /// A title (default: `Channel drill`).
    pub title: Option<String>,
}

/// Starts a channel drill: a signed drill alert to every contact of every partner on
/// every channel. `GET /drills/{id}` reports the lines as acknowledgements come in.
#[utoipa::path(post, path = "/drills", tag = "partners",
    request_body(content = DrillRequest, description = "Options (`{}` for the defaults)"),
    responses((status = 201, description = "Started", body = crate::notify::DrillStarted),
        (status = 409, description = "No partner directory or signing key stored yet",
            body = ErrorBody), CommonErrors))]
async fn start_drill(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<DrillRequest>,
) -> ApiResult<(StatusCode, Json<crate::notify::DrillStarted>)> {
    caller.require(Role::Analyst)?;
    let title = drill_title(request.title.as_deref())?;
    let started =
        crate::notify::drill_round(&state, &caller.user.org_id, &caller.user.name, &title).await?;
    Ok((StatusCode::CREATED, Json(started)))
}

pub(crate) fn drill_title(text: Option<&str>) -> ApiResult<String> {
    match text.map(str::trim) {
        None | Some("") => Ok("Channel drill".to_owned()),
        Some(t) if t.chars().count() > 200 || t.chars().any(lifeline_text::is_unsafe) => {
            Err(ApiError::invalid(
                "title",
                "must be at most 200 characters, without control characters",
            ))
        }
        Some(t) => Ok(t.to_owned()),
    }
}

/// Records the nonce of a message being verified; the store checks it once the signature
/// holds (a forged message never burns a nonce).
#[derive(Default)]
struct NonceSeen(Option<(String, String, OffsetDateTime)>);

impl lifeline_share::jws::NonceLog for NonceSeen {
    fn first_use(&mut self, issuer: &str, nonce: &str, expires_at: OffsetDateTime) -> bool {
        self.0 = Some((issuer.to_owned(), nonce.to_owned(), expires_at));
        true
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AckRecorded {
    pub alert: String,
    /// The acknowledging organisation (the signer) and contact.
    pub recipient: String,
    pub contact: String,
    pub kid: String,
    /// `incident` or `drill`, and its id.
    #[schema(value_type = Object)]
    pub subject: AlertSubject,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    /// The signed reply: the compact JWS of a `lifeline-ack/1` payload.
    pub jws: String,
}

/// A signed reply (`{"jws": "<compact JWS of a lifeline-ack/1 payload>"}`):
/// verified against the partner directory (signature, key validity and revocation,
/// expiry, replay) before anything is recorded; a reply that fails is refused with its
/// reason (`error.code`: `tampered`, `expired`, `replayed`, `revoked-key`, ...).
#[utoipa::path(post, path = "/acks", tag = "partners",
    request_body(content = AckRequest, description = "The signed reply"),
    responses((status = 200, description = "Verified and recorded", body = AckRecorded),
        (status = 409, description = "No partner directory to verify replies with, or the \
            timeline does not take the entry", body = ErrorBody), CommonErrors))]
async fn post_ack(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<AckRequest>,
) -> ApiResult<Json<AckRecorded>> {
    caller.require(Role::Analyst)?;
    let token = request.jws.trim().to_owned();
    if token.is_empty() {
        return Err(ApiError::invalid(
            "jws",
            "the body is empty: send the compact JWS",
        ));
    }
    let access = caller.access();
    let (_, directory) = current_directory(&state, &access).await?.ok_or_else(|| {
        ApiError::conflict("the organisation has no partner directory to verify replies with")
    })?;
    let now = OffsetDateTime::now_utc();
    let (verified, seen) = crate::blocking("signed reply", move || {
        let mut seen = NonceSeen::default();
        let verified =
            lifeline_share::jws::verify(&token, &directory, now, &mut seen).map_err(|e| {
                ApiError::new_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    e.code(),
                    format!("the reply is not trusted: {e}"),
                )
                .with_field("jws")
            })?;
        Ok((verified, seen))
    })
    .await?;
    let lifeline_share::jws::Payload::Ack(ack) = verified.payload else {
        return Err(ApiError::invalid(
            "jws",
            "is a signed alert, not an acknowledgement",
        ));
    };
    if let Some((issuer, nonce, expires_at)) = seen.0 {
        let expires =
            i64::try_from(expires_at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        if !state
            .store
            .first_use_nonce(&caller.user.org_id, &issuer, &nonce, expires, now_ms())
            .await?
        {
            return Err(ApiError::new_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "replayed",
                format!(
                    "the reply is not trusted: its nonce from `{}` was seen before (a replay)",
                    lifeline_text::excerpt(&issuer)
                ),
            )
            .with_field("jws"));
        }
    }
    let alert = state
        .store
        .partner_alert(&access, &ack.alert)
        .await?
        .ok_or_else(|| {
            ApiError::invalid(
                "alert",
                format!(
                    "the reply acknowledges `{}`, an alert this organisation did not send",
                    lifeline_text::excerpt(&ack.alert)
                ),
            )
        })?;
    if alert.recipient != verified.signer {
        return Err(ApiError::invalid(
            "issuer",
            format!(
                "alert `{}` went to `{}`, not to `{}` who signed the reply",
                lifeline_text::excerpt(&ack.alert),
                lifeline_text::excerpt(&alert.recipient),
                lifeline_text::excerpt(&verified.signer)
            ),
        ));
    }
    record_ack(
        &state,
        &caller.user.org_id,
        &alert.subject,
        &ack.alert,
        &verified.signer,
        &ack.contact,
        "signed-reply",
    )
    .await?;
    Ok(Json(AckRecorded {
        alert: ack.alert,
        recipient: verified.signer,
        contact: ack.contact,
        kid: verified.kid,
        subject: alert.subject,
    }))
}
