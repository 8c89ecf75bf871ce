//! Incident response (issue 16) as a service: declare an incident on a stored network
//! (its impact computed by lifeline-response exactly as `lifeline incident declare` does),
//! follow its tasks, approvals, notes, decisions and improvements on a hash-chained
//! timeline, update the outage estimate, close it, and write the after-action report; and
//! the playbook library (the built-in playbooks and the organisation's imported ones, in
//! lifeline's form or OASIS CACAO v2.0).
//!
//! The timeline is append-only: every change is a new entry that lifeline-response's
//! `state::next_entry` checks against the incident's state and seals onto the chain, and
//! the store appends it only if it still follows the head. No route edits or removes an
//! entry. Viewers read, analysts and admins write; partners see none of it (an incident is
//! the organisation's own).

use std::path::Path;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lifeline_network::Diagnostic;
use lifeline_response::incident::{
    Declaration, Entry, Event, Incident, TaskStatus, report, state as incident_state, timeline,
};
use lifeline_response::playbook::{Function, IncidentKind, Playbook};
use lifeline_store::{
    IncidentEntry, IncidentInfo, NewIncident, NewPlaybook, PlaybookInfo, Role, rfc3339,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::analysis;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, CommonErrors, DiagnosticBody, ErrorBody};
use crate::extract::{JsonBody, NoQuery, PathParams, QueryParams, RawBody, is_yaml};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_playbook, list_playbooks))
        .routes(routes!(get_playbook))
        .routes(routes!(declare_incident))
        .routes(routes!(list_incidents))
        .routes(routes!(get_incident))
        .routes(routes!(incident_timeline))
        .routes(routes!(task_change))
        .routes(routes!(add_entry))
        .routes(routes!(update_incident))
        .routes(routes!(close_incident))
        .routes(routes!(incident_report))
        .routes(routes!(verify_incident))
}

// ---------------------------------------------------------------------------------------
// Playbooks

/// The playbooks an incident of the caller's organisation is matched against: the
/// built-in library, where the organisation's imported playbooks (their newest version)
/// replace a built-in one of the same id or add to it.
pub(crate) async fn library(state: &AppState, caller: &Caller) -> ApiResult<Vec<Playbook>> {
    let access = caller.access();
    let infos = state.store.playbooks(&access).await?;
    let mut texts = Vec::with_capacity(infos.len());
    for info in &infos {
        if let Some(stored) = state
            .store
            .playbook(&access, &info.playbook_id, None)
            .await?
        {
            texts.push(stored.cacao);
        }
    }
    crate::blocking("playbook library", move || {
        let mut library = lifeline_response::library::builtin();
        for text in texts {
            let (playbook, _) = read_cacao(&text, "playbook.json").map_err(|e| {
                ApiError::conflict(format!(
                    "a stored playbook does not read with this version of lifeline: import it again ({})",
                    lifeline_text::excerpt_to(&e.body.message, 600)
                ))
            })?;
            // As `lifeline incident declare` orders it: the imported one after the built-in.
            library.retain(|p| p.id != playbook.id);
            library.push(playbook);
        }
        Ok(library)
    })
    .await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlaybookSummary {
    pub id: String,
    pub name: String,
    /// `built-in`, or `imported` (an imported one replaces a built-in one of its id).
    pub origin: String,
    pub steps: usize,
    /// The imported version (newest wins), its SHA-256 (of the CACAO JSON kept), when
    /// and by whom.
    pub version: Option<i64>,
    pub sha256: Option<String>,
    pub created_at: Option<String>,
    pub created_by: Option<String>,
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlaybookList {
    pub playbooks: Vec<PlaybookSummary>,
}

fn playbook_url(id: &str) -> String {
    format!("/api/v1/playbooks/{}", lifeline_text::percent_encoded(id))
}

/// The playbooks incidents are matched against: built-in and imported, by id.
#[utoipa::path(get, path = "/playbooks", tag = "incidents",
    responses((status = 200, description = "The library", body = PlaybookList), CommonErrors))]
async fn list_playbooks(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(NoQuery {}): QueryParams<NoQuery>,
) -> ApiResult<Json<PlaybookList>> {
    caller.require(Role::Viewer)?;
    let imported = state.store.playbooks(&caller.access()).await?;
    let library = library(&state, &caller).await?;
    let mut playbooks: Vec<PlaybookSummary> = library
        .iter()
        .map(|p| {
            let info = imported.iter().find(|i| i.playbook_id == p.id);
            PlaybookSummary {
                id: p.id.clone(),
                name: p.name.clone(),
                origin: if info.is_some() {
                    "imported"
                } else {
                    "built-in"
                }
                .to_owned(),
                steps: p.steps.len(),
                version: info.map(|i| i.version),
                sha256: info.map(|i| i.sha256.clone()),
                created_at: info.map(|i| rfc3339(i.created_at)),
                created_by: info.map(|i| i.created_by.clone()),
                url: playbook_url(&p.id),
            }
        })
        .collect();
    playbooks.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Json(PlaybookList { playbooks }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlaybookImported {
    pub id: String,
    pub name: String,
    pub version: i64,
    pub sha256: String,
    /// What lifeline cannot act on in the document, and unknown fields.
    pub warnings: Vec<DiagnosticBody>,
    pub url: String,
}

/// Imports a playbook into the organisation's library: lifeline's form
/// (`lifeline-playbook/1`, JSON or YAML) or an OASIS CACAO v2.0 JSON document, checked as
/// `lifeline playbook validate` checks it and kept as CACAO JSON. Importing an id again
/// stores its next version; the newest is used.
#[utoipa::path(post, path = "/playbooks", tag = "incidents",
    request_body(content((Object = "application/json"), (String = "application/yaml")),
        description = "The playbook: lifeline's form or CACAO v2.0 JSON"),
    responses((status = 201, description = "Imported", body = PlaybookImported), CommonErrors))]
async fn import_playbook(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<(StatusCode, Json<PlaybookImported>)> {
    caller.require(Role::Analyst)?;
    let yaml = is_yaml(
        &headers,
        "a playbook is application/json (lifeline's form or CACAO v2.0) or application/yaml",
    )?;
    let (new, warnings) = crate::blocking("playbook import", move || {
        let name = if yaml {
            "playbook.yaml"
        } else {
            "playbook.json"
        };
        let text = crate::analysis::stored_text(&body, name)?;
        let (playbook, cacao, warnings) = read_playbook(text, name)?;
        let cacao = serde_json::to_string_pretty(&cacao)
            .map_err(|e| ApiError::internal("playbook import", &e))?;
        Ok((
            NewPlaybook {
                playbook_id: playbook.id.clone(),
                name: playbook.name.clone(),
                cacao,
            },
            warnings,
        ))
    })
    .await?;
    let version = state
        .store
        .add_playbook(&caller.user.org_id, &new, &caller.user.name)
        .await?;
    let info: PlaybookInfo = state
        .store
        .playbook(&caller.access(), &new.playbook_id, Some(version))
        .await?
        .ok_or_else(|| ApiError::not_found("playbook", &new.playbook_id))?
        .info;
    Ok((
        StatusCode::CREATED,
        Json(PlaybookImported {
            url: playbook_url(&info.playbook_id),
            id: info.playbook_id,
            name: info.name,
            version: info.version,
            sha256: info.sha256,
            warnings: warnings.iter().map(DiagnosticBody::of).collect(),
        }),
    ))
}

/// A refused document, with every problem at its path.
fn invalid_playbook(name: &str, diagnostics: &lifeline_network::Diagnostics) -> ApiError {
    ApiError::invalid_document(
        format!(
            "`{name}` is not a valid playbook ({} error(s))",
            diagnostics.error_count()
        ),
        diagnostics.0.iter().map(DiagnosticBody::of).collect(),
    )
}

/// A CACAO v2.0 document read and mapped to lifeline's form, with the warnings of what
/// lifeline cannot act on.
fn read_cacao(text: &str, name: &str) -> ApiResult<(Playbook, Vec<Diagnostic>)> {
    use lifeline_response::cacao::{self, CacaoError};
    let document = cacao::read(text, Path::new(name)).map_err(|e| match e {
        CacaoError::Invalid { diagnostics, .. } => invalid_playbook(name, &diagnostics),
        CacaoError::Load(error) => load_error(error),
    })?;
    cacao::to_playbook(&document).map_err(|diagnostics| invalid_playbook(name, &diagnostics))
}

fn load_error(error: lifeline_network::LoadError) -> ApiError {
    match error {
        lifeline_network::LoadError::Invalid { diagnostics, .. } => ApiError::invalid_document(
            error_head(&diagnostics),
            diagnostics.0.iter().map(DiagnosticBody::of).collect(),
        ),
        error @ lifeline_network::LoadError::Limit { .. } => ApiError::too_large(error.to_string()),
        other => ApiError::invalid_document(other.to_string(), Vec::new()),
    }
}

fn error_head(diagnostics: &lifeline_network::Diagnostics) -> String {
    format!(
        "the document is not valid ({} error(s))",
        diagnostics.error_count()
    )
}

/// An uploaded playbook, read by lifeline-response's `cacao::read_any` (what `lifeline
/// playbook import` reads): CACAO v2.0 (kept as sent) or lifeline's form (kept as its
/// CACAO export); the playbook, the CACAO document to keep, and the warnings.
fn read_playbook(
    text: &str,
    name: &str,
) -> ApiResult<(Playbook, serde_json::Value, Vec<Diagnostic>)> {
    use lifeline_response::cacao::{ImportError, Imported, read_any};
    let Imported {
        playbook,
        cacao,
        warnings,
    } = read_any(text, Path::new(name), now()).map_err(|e| match e {
        ImportError::Invalid { diagnostics, .. } => invalid_playbook(name, &diagnostics),
        ImportError::Load(error) => load_error(error),
    })?;
    Ok((playbook, cacao, warnings))
}

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlaybookFormat {
    /// lifeline's form as JSON.
    #[default]
    Json,
    /// lifeline's form as YAML (`lifeline-playbook/1`).
    Yaml,
    /// OASIS CACAO v2.0 JSON.
    Cacao,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlaybookQuery {
    /// `json` (lifeline's form, default), `yaml` or `cacao`.
    #[param(inline)]
    pub format: Option<PlaybookFormat>,
}

/// One playbook of the library, in lifeline's form (JSON or YAML) or as CACAO v2.0 JSON
/// (an imported one as it is kept).
#[utoipa::path(get, path = "/playbooks/{id}", tag = "incidents",
    params(("id" = String, Path, description = "Playbook id"), PlaybookQuery),
    responses((status = 200, description = "The playbook",
        content((Object = "application/json"), (Object = "application/yaml"))), CommonErrors))]
async fn get_playbook(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    QueryParams(query): QueryParams<PlaybookQuery>,
) -> ApiResult<Response> {
    caller.require(Role::Viewer)?;
    let stored = state.store.playbook(&caller.access(), &id, None).await?;
    let library = library(&state, &caller).await?;
    let playbook = library
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found("playbook", &id))?;
    let format = query.format.unwrap_or_default();
    crate::blocking("playbook", move || {
        Ok(match format {
            PlaybookFormat::Json => Json(playbook).into_response(),
            PlaybookFormat::Yaml => (
                [(header::CONTENT_TYPE, "application/yaml")],
                lifeline_response::playbook::read::to_yaml(&playbook),
            )
                .into_response(),
            PlaybookFormat::Cacao => {
                let text = match stored {
                    Some(stored) => stored.cacao,
                    None => serde_json::to_string_pretty(&lifeline_response::cacao::from_playbook(
                        &playbook,
                        lifeline_response::library::PUBLISHED,
                    ))
                    .map_err(|e| ApiError::internal("CACAO export", &e))?,
                };
                ([(header::CONTENT_TYPE, "application/json")], text).into_response()
            }
        })
    })
    .await
}

// ---------------------------------------------------------------------------------------
// Incidents: loading and appending

/// A stored entry as lifeline-response reads it.
pub(crate) fn entry_of(stored: &IncidentEntry) -> Result<Entry, String> {
    let seq = u64::try_from(stored.seq).map_err(|_| format!("seq {}", stored.seq))?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(stored.at) * 1_000_000)
        .map_err(|e| format!("entry {seq}: time: {e}"))?;
    let event: Event = serde_json::from_str(&stored.event)
        .map_err(|e| format!("entry {seq}: the event does not read: {e}"))?;
    Ok(Entry {
        seq,
        at,
        actor: stored.actor.clone(),
        event,
        prev: stored.prev.clone(),
        hash: stored.hash.clone(),
    })
}

/// Incident `id`'s timeline as lifeline-response reads it; 404 when `access` cannot see
/// the incident, 409 when an entry does not read.
pub(crate) async fn timeline_of(
    state: &AppState,
    access: &lifeline_store::Access,
    id: &str,
) -> ApiResult<Vec<Entry>> {
    let stored = state
        .store
        .incident_entries(access, id)
        .await?
        .ok_or_else(|| ApiError::not_found("incident", id))?;
    stored
        .iter()
        .map(entry_of)
        .collect::<Result<_, _>>()
        .map_err(ApiError::conflict)
}

/// An entry as the store keeps it.
pub(crate) fn stored_entry(entry: &Entry) -> ApiResult<IncidentEntry> {
    let at = i64::try_from(entry.at.unix_timestamp_nanos() / 1_000_000)
        .map_err(|e| ApiError::internal("entry time", &e))?;
    Ok(IncidentEntry {
        seq: i64::try_from(entry.seq).map_err(|e| ApiError::internal("entry seq", &e))?,
        at,
        actor: entry.actor.clone(),
        event: serde_json::to_string(&entry.event)
            .map_err(|e| ApiError::internal("entry event", &e))?,
        prev: entry.prev.clone(),
        hash: entry.hash.clone(),
    })
}

/// An incident of the caller's organisation: what the store lists, its timeline, and
/// the state the timeline replays to.
pub(crate) struct Loaded {
    pub info: IncidentInfo,
    pub entries: Vec<Entry>,
    pub incident: Incident,
    /// The network document it was declared on.
    pub network: String,
}

/// The stored entries of incident `id` as lifeline-response reads them; 404 when the
/// caller cannot see it.
async fn entries_of(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<(Vec<IncidentEntry>, Result<Vec<Entry>, String>)> {
    let stored = state
        .store
        .incident_entries(&caller.access(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("incident", id))?;
    let entries = stored.iter().map(entry_of).collect();
    Ok((stored, entries))
}

/// Incident `id` replayed from its timeline; 404 when the caller cannot see it, 409 when
/// its timeline no longer replays (a broken chain: `GET .../verify` says where).
pub(crate) async fn load(state: &AppState, caller: &Caller, id: &str) -> ApiResult<Loaded> {
    let stored = state
        .store
        .incident(&caller.access(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("incident", id))?;
    let (_, entries) = entries_of(state, caller, id).await?;
    let shown = lifeline_text::excerpt(id).into_owned();
    let broken = move |reason: String| {
        ApiError::conflict(format!(
            "the timeline of incident `{shown}` does not replay: {}",
            lifeline_text::excerpt_to(&reason, 600)
        ))
    };
    let entries = entries.map_err(broken.clone())?;
    let (entries, incident) = crate::blocking("incident replay", move || {
        let incident = incident_state::replay(&entries).map_err(|e| broken(e.to_string()))?;
        Ok((entries, incident))
    })
    .await?;
    Ok(Loaded {
        info: stored.info,
        entries,
        incident,
        network: stored.network,
    })
}

/// The time of a new entry: now, in whole milliseconds (what the store keeps).
fn now() -> OffsetDateTime {
    timeline::normalize_time(OffsetDateTime::now_utc())
}

/// Why an event cannot follow the timeline: the caller's to fix (422), or a timeline
/// that no longer replays (409).
fn state_error(error: incident_state::StateError) -> ApiError {
    use incident_state::StateError as E;
    match &error {
        E::UnknownTask { .. } => ApiError::invalid("task", error.to_string()),
        E::WrongRole { .. } | E::NoApprovalNeeded { .. } | E::AlreadyApproved { .. } => {
            ApiError::invalid("approve", error.to_string())
        }
        E::SameStatus { .. } | E::Waiting { .. } => ApiError::invalid("status", error.to_string()),
        E::SkipWithoutReason { .. } => ApiError::invalid("note", error.to_string()),
        E::EmptyText { field } => ApiError::invalid(field, error.to_string()),
        E::Closed { .. } | E::TimeBackwards { .. } => ApiError::conflict(error.to_string()),
        _ => ApiError::conflict(error.to_string()),
    }
}

/// Appends `event` to incident `id` as the caller, checked against the incident's state;
/// the entry appended.
pub(crate) async fn append(
    state: &AppState,
    caller: &Caller,
    id: &str,
    event: Event,
) -> ApiResult<Entry> {
    caller.require(Role::Analyst)?;
    let loaded = load(state, caller, id).await?;
    let closes = matches!(event, Event::Closed { .. });
    seal(
        state,
        caller,
        id,
        loaded.entries,
        closes,
        "incident entry",
        move |_, _| Ok(event),
    )
    .await
}

/// Seals the event that `event` makes (given the entry's time and the actor) onto
/// `entries`, incident `id`'s timeline, as the caller, checked against the incident's
/// state, and keeps it (`closes`: the entry closes the incident); the entry appended.
async fn seal(
    state: &AppState,
    caller: &Caller,
    id: &str,
    entries: Vec<Entry>,
    closes: bool,
    context: &'static str,
    event: impl FnOnce(OffsetDateTime, &str) -> ApiResult<Event> + Send + 'static,
) -> ApiResult<Entry> {
    let actor = caller.user.name.clone();
    let entry = crate::blocking(context, move || {
        let at = now();
        let event = event(at, &actor)?;
        incident_state::next_entry(&entries, at, &actor, event).map_err(state_error)
    })
    .await?;
    state
        .store
        .append_incident_entry(
            &caller.user.org_id,
            id,
            &stored_entry(&entry)?,
            if closes {
                lifeline_store::EntryKind::Closes
            } else {
                lifeline_store::EntryKind::Ordinary
            },
            &caller.user.name,
        )
        .await?;
    Ok(entry)
}

// ---------------------------------------------------------------------------------------
// Declaring

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclareRequest {
    pub title: String,
    /// `ransomware`, `it-outage`, `site-outage`, `suspect-product`,
    /// `device-vulnerability` or `other`.
    pub kind: String,
    /// Ids of the nodes, sites or platforms that are down.
    pub entities: Vec<String>,
    /// Capacity left while down, 0 (fully down, the default) to 1.
    pub capacity_factor: Option<f64>,
    /// Expected time to recover, in days.
    pub expected_ttr: f64,
    /// When it was declared, RFC 3339 (default: now); not in the future.
    pub declared_at: Option<String>,
    /// Playbooks to use, by id (default: those whose trigger matches).
    #[serde(default)]
    pub playbooks: Vec<String>,
    /// The network version (default: the latest).
    pub version: Option<i64>,
}

/// A declaration's problems, on the request's fields (`--entity` is `entities`, ...).
fn declaration_error(diagnostics: &[Diagnostic]) -> ApiError {
    let bodies: Vec<DiagnosticBody> = diagnostics
        .iter()
        .map(|d| {
            let mut body = DiagnosticBody::of(d);
            body.path = request_field(&body.path);
            body
        })
        .collect();
    let field = bodies.first().map(|b| b.path.clone());
    let mut error = ApiError::invalid_document(
        format!(
            "the incident cannot be declared ({} problem(s))",
            bodies.len()
        ),
        bodies,
    );
    if let Some(field) = field.filter(|f| !f.is_empty()) {
        error = error.with_field(&field);
    }
    error
}

/// The request field of a command-line option as lifeline-response names it.
pub(crate) fn request_field(path: &str) -> String {
    match path.trim_start_matches("--") {
        "entity" => "entities".to_owned(),
        "playbook" => "playbooks".to_owned(),
        "at" => "declared_at".to_owned(),
        other => other.replace('-', "_"),
    }
}

pub(crate) fn parse_kind(text: &str) -> ApiResult<IncidentKind> {
    IncidentKind::parse(text.trim()).ok_or_else(|| {
        not_one_of(
            "kind",
            text,
            "a kind of incident",
            IncidentKind::ALL.iter().map(|k| k.as_str()),
        )
    })
}

/// `text` (a request's field `field`) is not `what`: the error, with every value it can be.
fn not_one_of<'a>(
    field: &str,
    text: &str,
    what: &str,
    all: impl IntoIterator<Item = &'a str>,
) -> ApiError {
    let all: Vec<&str> = all.into_iter().collect();
    ApiError::invalid(
        field,
        format!(
            "`{}` is not {what}: {}",
            lifeline_text::excerpt(text),
            all.join(", ")
        ),
    )
}

/// Declares an incident on network `network_id` of the caller's organisation; the new
/// incident's id. What the API and the dashboard's form both do.
pub(crate) async fn declare(
    state: &AppState,
    caller: &Caller,
    network_id: &str,
    request: DeclareRequest,
) -> ApiResult<String> {
    caller.require(Role::Analyst)?;
    let access = caller.access();
    // An incident is the organisation's own: a network shared with it is not its to
    // declare on (its rows would be another organisation's).
    let network = state
        .store
        .network(&access, network_id)
        .await?
        .filter(|(n, _)| n.org_id == caller.user.org_id)
        .map(|(n, _)| n)
        .ok_or_else(|| ApiError::not_found("network", network_id))?;
    let stored = state
        .store
        .network_body(&access, &network.id, request.version)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(
                "network version",
                &request.version.map(|v| v.to_string()).unwrap_or_default(),
            )
        })?;
    let kind = parse_kind(&request.kind)?;
    let declared_at = match request.declared_at.as_deref() {
        None => now(),
        Some(text) => {
            let at = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .map_err(|_| {
                    ApiError::invalid(
                        "declared_at",
                        "must be an RFC 3339 time (2026-12-06T08:00:00Z)",
                    )
                })?;
            if at > OffsetDateTime::now_utc() + time::Duration::minutes(5) {
                return Err(ApiError::invalid(
                    "declared_at",
                    "must not be in the future",
                ));
            }
            timeline::normalize_time(at)
        }
    };
    if request.entities.is_empty() {
        return Err(ApiError::invalid(
            "entities",
            "name at least one node, site or platform that is down",
        ));
    }
    let library = library(state, caller).await?;
    let declaration = Declaration {
        title: request.title.trim().to_owned(),
        kind,
        entities: request
            .entities
            .iter()
            .map(|e| e.trim().to_owned())
            .collect(),
        capacity_factor: request.capacity_factor.unwrap_or(0.0),
        expected_ttr: request.expected_ttr,
        declared_at,
        playbooks: request.playbooks,
    };
    let actor = caller.user.name.clone();
    let sha256 = stored.version.sha256.clone();
    let (document, first) = crate::blocking("incident declaration", move || {
        let loaded = analysis::load_stored(&stored)?;
        let first =
            incident_state::declare(&loaded.network, &sha256, declaration, &library, &actor)
                .map_err(|e| match e {
                    incident_state::DeclareError::Invalid(diagnostics) => {
                        declaration_error(&diagnostics)
                    }
                    other => ApiError::invalid("actor", other.to_string()),
                })?;
        Ok((stored, first))
    })
    .await?;
    let Event::Declared { declaration, .. } = &first.event else {
        return Err(ApiError::internal(
            "declare",
            &"the first entry is not a declaration",
        ));
    };
    let new = NewIncident {
        title: declaration.title.clone(),
        kind: declaration.kind.as_str().to_owned(),
        network: document.body.clone(),
        network_sha256: document.version.sha256.clone(),
        network_id: Some(document.id.clone()),
    };
    let id = state
        .store
        .create_incident(
            &caller.user.org_id,
            &new,
            &stored_entry(&first)?,
            &caller.user.name,
        )
        .await?;
    Ok(id)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentSummary {
    pub id: String,
    pub title: String,
    pub kind: String,
    /// `open` or `closed`.
    pub status: String,
    /// The stored network it was declared on.
    pub network: Option<String>,
    /// The SHA-256 of the network document the impact was computed from.
    pub network_sha256: String,
    pub created_at: String,
    pub created_by: String,
    pub closed_at: Option<String>,
    /// Entries on the timeline, and the last one's hash.
    pub entries: i64,
    pub head: String,
    pub url: String,
}

impl IncidentSummary {
    fn of(info: &IncidentInfo) -> IncidentSummary {
        IncidentSummary {
            id: info.id.clone(),
            title: info.title.clone(),
            kind: info.kind.clone(),
            status: info.status.as_str().to_owned(),
            network: info.network_id.clone(),
            network_sha256: info.network_sha256.clone(),
            created_at: rfc3339(info.created_at),
            created_by: info.created_by.clone(),
            closed_at: info.closed_at.map(rfc3339),
            entries: info.entries,
            head: info.head.clone(),
            url: incident_url(&info.id),
        }
    }
}

fn incident_url(id: &str) -> String {
    format!("/api/v1/incidents/{}", lifeline_text::percent_encoded(id))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentBody {
    #[serde(flatten)]
    pub summary: IncidentSummary,
    /// The incident as its timeline replays: declaration, latest impact, tasks with
    /// their status and due times (lifeline-response's `Incident`, as `lifeline incident
    /// status --format json` prints it).
    #[schema(value_type = Object)]
    pub incident: serde_json::Value,
}

async fn incident_body(state: &AppState, caller: &Caller, id: &str) -> ApiResult<IncidentBody> {
    let loaded = load(state, caller, id).await?;
    Ok(IncidentBody {
        summary: IncidentSummary::of(&loaded.info),
        incident: serde_json::to_value(&loaded.incident)
            .map_err(|e| ApiError::internal("incident", &e))?,
    })
}

/// Declares an incident on a stored network of the organisation: the impact (the
/// simulator's first stockout per hospital and item, the stress test's TTS and plan, as
/// `lifeline incident declare` computes them), the matching playbooks' tasks with due
/// times, and the timeline's first entry.
#[utoipa::path(post, path = "/networks/{id}/incidents", tag = "incidents",
    params(("id" = String, Path, description = "Network id")),
    request_body = DeclareRequest,
    responses((status = 201, description = "Declared", body = IncidentBody), CommonErrors))]
async fn declare_incident(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(network): PathParams<String>,
    JsonBody(request): JsonBody<DeclareRequest>,
) -> ApiResult<(StatusCode, Json<IncidentBody>)> {
    let id = declare(&state, &caller, &network, request).await?;
    Ok((
        StatusCode::CREATED,
        Json(incident_body(&state, &caller, &id).await?),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentList {
    pub incidents: Vec<IncidentSummary>,
}

/// The organisation's incidents, newest first.
#[utoipa::path(get, path = "/incidents", tag = "incidents",
    responses((status = 200, description = "The incidents", body = IncidentList), CommonErrors))]
async fn list_incidents(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(NoQuery {}): QueryParams<NoQuery>,
) -> ApiResult<Json<IncidentList>> {
    caller.require(Role::Viewer)?;
    let incidents = state.store.incidents(&caller.access()).await?;
    Ok(Json(IncidentList {
        incidents: incidents.iter().map(IncidentSummary::of).collect(),
    }))
}

/// One incident, as its timeline replays.
#[utoipa::path(get, path = "/incidents/{id}", tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    responses((status = 200, description = "The incident", body = IncidentBody),
        (status = 409, description = "The timeline does not replay", body = ErrorBody),
        CommonErrors))]
async fn get_incident(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<IncidentBody>> {
    caller.require(Role::Viewer)?;
    Ok(Json(incident_body(&state, &caller, &id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineBody {
    /// Every entry in order: `seq`, `at`, `actor`, `event`, `prev`, `hash`.
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<serde_json::Value>,
}

/// The incident's timeline as stored, every entry with its hash.
#[utoipa::path(get, path = "/incidents/{id}/timeline", tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    responses((status = 200, description = "The timeline", body = TimelineBody), CommonErrors))]
async fn incident_timeline(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<TimelineBody>> {
    caller.require(Role::Viewer)?;
    let (stored, _) = entries_of(&state, &caller, &id).await?;
    // As stored, so that a broken entry shows as it is.
    let entries = stored
        .iter()
        .map(|e| {
            let event = serde_json::from_str(&e.event)
                .unwrap_or_else(|_| serde_json::Value::String(e.event.clone()));
            serde_json::json!({
                "seq": e.seq,
                "at": rfc3339(e.at),
                "actor": e.actor,
                "event": event,
                "prev": e.prev,
                "hash": e.hash,
            })
        })
        .collect();
    Ok(Json(TimelineBody { entries }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryAdded {
    /// The entry appended: `seq`, `at`, `actor`, `event`, `prev`, `hash`.
    #[schema(value_type = Object)]
    pub entry: serde_json::Value,
    pub incident: String,
}

fn added(id: &str, entry: &Entry) -> ApiResult<(StatusCode, Json<EntryAdded>)> {
    Ok((
        StatusCode::CREATED,
        Json(EntryAdded {
            entry: serde_json::to_value(entry).map_err(|e| ApiError::internal("entry", &e))?,
            incident: id.to_owned(),
        }),
    ))
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskRequest {
    /// The new status: `todo`, `in-progress`, `blocked`, `done`, `skipped`.
    pub status: Option<String>,
    /// Why (needed to skip a task).
    #[serde(default)]
    pub note: String,
    /// Approves the task as this role (the role the task names).
    pub approve: Option<String>,
}

/// The event of a task change (a status, or an approval), checked for shape; the state
/// checks the rest.
pub(crate) fn task_event(task: &str, request: TaskRequest) -> ApiResult<Event> {
    match (request.status, request.approve) {
        (Some(status), None) => {
            let parsed = TaskStatus::parse(status.trim()).ok_or_else(|| {
                not_one_of(
                    "status",
                    &status,
                    "a task status",
                    TaskStatus::ALL.iter().map(|s| s.as_str()),
                )
            })?;
            Ok(Event::TaskStatus {
                task: task.to_owned(),
                status: parsed,
                note: checked_text("note", &request.note, false)?,
            })
        }
        (None, Some(role)) => {
            if !request.note.trim().is_empty() {
                return Err(ApiError::invalid(
                    "note",
                    "an approval takes no note: add one with POST /incidents/{id}/entries",
                ));
            }
            Ok(Event::Approved {
                task: task.to_owned(),
                role: checked_text("approve", &role, true)?,
            })
        }
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "approve",
            "send either `status` or `approve`, not both",
        )),
        (None, None) => Err(ApiError::invalid("status", "send `status` or `approve`")),
    }
}

/// The longest text of a note, decision or improvement.
const MAX_TEXT: usize = 4000;

/// A text from a request: trimmed, at most [`MAX_TEXT`] characters, no control or bidi
/// characters except line breaks; `required`: not empty.
pub(crate) fn checked_text(field: &str, text: &str, required: bool) -> ApiResult<String> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(ApiError::invalid(
            field,
            format!("must be at most {MAX_TEXT} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c != '\n' && c != '\t' && lifeline_text::is_unsafe(c))
        || text.contains('\r')
    {
        return Err(ApiError::invalid(
            field,
            "must not hold control or bidi characters",
        ));
    }
    Ok(text.to_owned())
}

/// Changes a task's status (with a note) or approves it; the entry appended.
#[utoipa::path(post, path = "/incidents/{id}/tasks/{task}", tag = "incidents",
    params(("id" = String, Path, description = "Incident id"),
        ("task" = String, Path, description = "Task id (`PLAYBOOK/STEP`, its `/` as `%2F`)")),
    request_body = TaskRequest,
    responses((status = 201, description = "Appended to the timeline", body = EntryAdded),
        (status = 409, description = "The incident is closed", body = ErrorBody),
        CommonErrors))]
async fn task_change(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((id, task)): PathParams<(String, String)>,
    JsonBody(request): JsonBody<TaskRequest>,
) -> ApiResult<(StatusCode, Json<EntryAdded>)> {
    caller.require(Role::Analyst)?;
    let event = task_event(&task, request)?;
    let entry = append(&state, &caller, &id, event).await?;
    added(&id, &entry)
}

/// What an entry added by `POST /incidents/{id}/entries` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Note,
    /// A decision taken, with its reason.
    Decision,
    /// An item for the improvement plan (needs `owner`).
    Improvement,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryRequest {
    /// `note`, `decision` (a decision taken, with its reason) or `improvement` (an item
    /// for the improvement plan: needs `owner`).
    #[serde(rename = "type")]
    pub kind: String,
    pub text: String,
    /// Who owns an improvement.
    pub owner: Option<String>,
    /// The function an improvement is for (`supply-chain`, ...).
    pub function: Option<String>,
}

/// The kind of an entry, from its name.
pub(crate) fn entry_kind(text: &str) -> ApiResult<EntryKind> {
    match text.trim() {
        "note" => Ok(EntryKind::Note),
        "decision" => Ok(EntryKind::Decision),
        "improvement" => Ok(EntryKind::Improvement),
        other => Err(ApiError::invalid(
            "type",
            format!(
                "`{}` is not an entry type: note, decision or improvement",
                lifeline_text::excerpt(other)
            ),
        )),
    }
}

pub(crate) fn entry_event(request: EntryRequest) -> ApiResult<Event> {
    let kind = entry_kind(&request.kind)?;
    let text = checked_text("text", &request.text, true)?;
    let owner = request
        .owner
        .as_deref()
        .map(|o| checked_text("owner", o, false))
        .transpose()?
        .filter(|o| !o.is_empty());
    let function = request
        .function
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| {
            Function::parse(f).ok_or_else(|| {
                not_one_of(
                    "function",
                    f,
                    "a function",
                    Function::ALL.iter().map(|f| f.as_str()),
                )
            })
        })
        .transpose()?;
    if kind != EntryKind::Improvement && (owner.is_some() || function.is_some()) {
        return Err(ApiError::invalid(
            if owner.is_some() { "owner" } else { "function" },
            "only an improvement has an owner and a function",
        ));
    }
    Ok(match kind {
        EntryKind::Note => Event::Note { text },
        EntryKind::Decision => Event::Decision { text },
        EntryKind::Improvement => Event::Improvement {
            text,
            owner: owner.ok_or_else(|| {
                ApiError::invalid("owner", "an improvement needs the owner who will make it")
            })?,
            function,
        },
    })
}

/// Adds a note, a decision or an improvement-plan item to the timeline.
#[utoipa::path(post, path = "/incidents/{id}/entries", tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    request_body = EntryRequest,
    responses((status = 201, description = "Appended to the timeline", body = EntryAdded),
        (status = 409, description = "The incident is closed", body = ErrorBody),
        CommonErrors))]
async fn add_entry(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(request): JsonBody<EntryRequest>,
) -> ApiResult<(StatusCode, Json<EntryAdded>)> {
    caller.require(Role::Analyst)?;
    let event = entry_event(request)?;
    let entry = append(&state, &caller, &id, event).await?;
    added(&id, &entry)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    /// The new expected time to recover, in days.
    pub expected_ttr: f64,
    /// The capacity left (default: unchanged).
    pub capacity_factor: Option<f64>,
    /// Why the estimate changed.
    pub reason: Option<String>,
}

/// Recomputes the impact with a new outage estimate and moves the due times, as
/// `lifeline incident update` does; the entry appended.
pub(crate) async fn update(
    state: &AppState,
    caller: &Caller,
    id: &str,
    request: UpdateRequest,
) -> ApiResult<Entry> {
    caller.require(Role::Analyst)?;
    let reason = checked_text(
        "reason",
        request.reason.as_deref().unwrap_or_default(),
        false,
    )?;
    let loaded = load(state, caller, id).await?;
    let library = library(state, caller).await?;
    let stored = loaded.network.clone();
    let format = match loaded.info.network_id.as_deref() {
        Some(network) => state
            .store
            .network(&caller.access(), network)
            .await?
            .and_then(|(_, versions)| {
                versions
                    .into_iter()
                    .find(|v| v.sha256 == loaded.info.network_sha256)
                    .map(|v| v.format)
            }),
        None => None,
    };
    let incident = loaded.incident;
    // Unchanged: the last estimate's (the replayed declaration carries the latest update's).
    let capacity = request
        .capacity_factor
        .unwrap_or(incident.declaration.capacity_factor);
    seal(
        state,
        caller,
        id,
        loaded.entries,
        false,
        "incident update",
        move |at, actor| {
            let network = load_document(&stored, format)?;
            incident_state::update(
                &incident,
                &network.network,
                request.expected_ttr,
                capacity,
                &reason,
                &library,
                at,
                actor,
            )
            .map_err(|e| match e {
                incident_state::UpdateError::Invalid(diagnostics) => {
                    declaration_error(&diagnostics)
                }
                incident_state::UpdateError::State(e) => state_error(e),
            })
        },
    )
    .await
}

/// The network document an incident was declared on, read again: as stored for the
/// network's version (JSON, YAML, or a zip in base64), else tried as JSON then YAML.
fn load_document(
    text: &str,
    format: Option<lifeline_store::UploadFormat>,
) -> ApiResult<lifeline_network::Loaded> {
    use lifeline_store::UploadFormat;
    let bytes_of = |format: UploadFormat| -> ApiResult<Vec<u8>> {
        Ok(match format {
            UploadFormat::Zip => {
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, text.trim())
                    .map_err(|e| ApiError::internal("stored zip", &e))?
            }
            _ => text.as_bytes().to_vec(),
        })
    };
    let limits = lifeline_network::ReadLimits::default();
    if let Some(format) = format
        && let Ok(loaded) = analysis::load(format, &bytes_of(format)?, &limits)
    {
        return Ok(loaded);
    }
    for format in [UploadFormat::Json, UploadFormat::Yaml, UploadFormat::Zip] {
        if let Ok(bytes) = bytes_of(format)
            && let Ok(loaded) = analysis::load(format, &bytes, &limits)
        {
            return Ok(loaded);
        }
    }
    Err(ApiError::conflict(
        "the network document the incident was declared on does not read with this version of lifeline",
    ))
}

/// Changes the outage estimate: the impact is recomputed and due times move.
#[utoipa::path(post, path = "/incidents/{id}/update", tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    request_body = UpdateRequest,
    responses((status = 201, description = "Appended to the timeline", body = EntryAdded),
        (status = 409, description = "The incident is closed", body = ErrorBody),
        CommonErrors))]
async fn update_incident(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(request): JsonBody<UpdateRequest>,
) -> ApiResult<(StatusCode, Json<EntryAdded>)> {
    let entry = update(&state, &caller, &id, request).await?;
    added(&id, &entry)
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    #[serde(default)]
    pub summary: String,
}

/// Closes the incident: nothing can be added after.
#[utoipa::path(post, path = "/incidents/{id}/close", tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    request_body = CloseRequest,
    responses((status = 201, description = "Appended to the timeline", body = EntryAdded),
        (status = 409, description = "The incident is closed already", body = ErrorBody),
        CommonErrors))]
async fn close_incident(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(request): JsonBody<CloseRequest>,
) -> ApiResult<(StatusCode, Json<EntryAdded>)> {
    caller.require(Role::Analyst)?;
    let summary = checked_text("summary", &request.summary, false)?;
    let entry = append(&state, &caller, &id, Event::Closed { summary }).await?;
    added(&id, &entry)
}

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    #[default]
    Markdown,
    Html,
    Json,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `markdown` (default), `html` or `json`.
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

/// The after-action report's text in `format`, as `lifeline incident report` writes it.
pub(crate) async fn report_text(
    state: &AppState,
    caller: &Caller,
    id: &str,
    format: ReportFormat,
) -> ApiResult<(Loaded, String)> {
    let loaded = load(state, caller, id).await?;
    crate::blocking("after-action report", move || {
        let document = report::after_action(&loaded.incident, &loaded.entries);
        let text = match format {
            ReportFormat::Markdown => report::markdown(&document),
            ReportFormat::Html => report::html(&document),
            ReportFormat::Json => {
                let mut text = serde_json::to_string_pretty(&document)
                    .map_err(|e| ApiError::internal("report", &e))?;
                text.push('\n');
                text
            }
        };
        Ok((loaded, text))
    })
    .await
}

/// The after-action report: what ran short, deadlines met and missed per function, the
/// improvement plan with owners, and the timeline.
#[utoipa::path(get, path = "/incidents/{id}/report", tag = "incidents",
    params(("id" = String, Path, description = "Incident id"), ReportQuery),
    responses((status = 200, description = "The report",
        content((String = "text/markdown"), (String = "text/html"), (Object = "application/json"))),
        CommonErrors))]
async fn incident_report(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    QueryParams(query): QueryParams<ReportQuery>,
) -> ApiResult<Response> {
    caller.require(Role::Viewer)?;
    let format = query.format.unwrap_or_default();
    let (_, text) = report_text(&state, &caller, &id, format).await?;
    let content_type = match format {
        ReportFormat::Markdown => "text/markdown; charset=utf-8",
        ReportFormat::Html => "text/html; charset=utf-8",
        ReportFormat::Json => "application/json",
    };
    let mut response = ([(header::CONTENT_TYPE, content_type)], text).into_response();
    if format == ReportFormat::Html {
        // A standalone document with its own style: shown in a sandbox, never as a page
        // of this site.
        if let Ok(value) = "sandbox; default-src 'none'; style-src 'unsafe-inline'".parse() {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    Ok(response)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BrokenBody {
    /// The entry where the chain breaks.
    pub seq: u64,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyBody {
    /// Whether every entry's hash matches its content and chains to the one before.
    pub ok: bool,
    pub entries: usize,
    /// The last entry's hash.
    pub head: String,
    pub broken: Option<BrokenBody>,
}

/// What `timeline::verify` says of incident `id`'s stored timeline.
pub(crate) async fn verify(state: &AppState, caller: &Caller, id: &str) -> ApiResult<VerifyBody> {
    let (stored, entries) = entries_of(state, caller, id).await?;
    let head = stored.last().map(|e| e.hash.clone()).unwrap_or_default();
    let count = stored.len();
    crate::blocking("timeline verification", move || {
        let result = match entries {
            Ok(entries) => timeline::verify(&entries).map_err(|b| BrokenBody {
                seq: b.seq,
                reason: b.reason,
            }),
            Err(reason) => Err(BrokenBody {
                seq: stored
                    .iter()
                    .position(|e| entry_of(e).is_err())
                    .map_or(0, |i| i as u64 + 1),
                reason,
            }),
        };
        Ok(VerifyBody {
            ok: result.is_ok(),
            entries: count,
            head,
            broken: result.err(),
        })
    })
    .await
}

/// Checks the timeline's hash chain: every entry's hash matches its content and chains to
/// the one before (an edited, removed, reordered or inserted entry is found).
#[utoipa::path(get, path = "/incidents/{id}/verify", tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    responses((status = 200, description = "The verdict", body = VerifyBody), CommonErrors))]
async fn verify_incident(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<VerifyBody>> {
    caller.require(Role::Viewer)?;
    Ok(Json(verify(&state, &caller, &id).await?))
}
