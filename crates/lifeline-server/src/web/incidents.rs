//! The incident pages: `/incidents` (the organisation's incidents, and the form that
//! declares one on a stored network) and `/incidents/{id}` (who runs short of what and
//! when, the task board with a status form on every task, the timeline, and the
//! after-action report at `/incidents/{id}/report`).
//!
//! Every form does what the API's route of the same name does (`routes::incidents`: one
//! function for both), after checking the session's CSRF token; a change answers with a
//! redirect to the incident's page, a refused one shows the page again with why.

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Form, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lifeline_response::incident::Event;
use lifeline_store::Role;
use lifeline_web::Tab;
use lifeline_web::pages::incidents::{
    Choice, DECLARE_FIELDS, DeclareForm, IncidentItem, IncidentPage, IncidentReportPage,
    IncidentsPage, PlaybookItem, incident_href,
};
use lifeline_web::pages::{FormError, NetworkItem};
use serde::Deserialize;
use time::OffsetDateTime;

use super::{Viewer, html, query};
use crate::AppState;
use crate::config::Limits;
use crate::error::ApiError;
use crate::routes::incidents::{
    DeclareRequest, EntryKind, EntryRequest, ReportFormat, TaskRequest, UpdateRequest, append,
    checked_text, declare, entry_event, entry_kind, library, load, report_text, task_event, update,
    verify,
};

pub fn router(limits: &Limits) -> Router<AppState> {
    let form = || DefaultBodyLimit::max(limits.body_bytes);
    Router::new()
        .route(
            "/incidents",
            get(incidents_page).post(declare_form).layer(form()),
        )
        .route("/incidents/{id}", get(incident_page))
        .route("/incidents/{id}/report", get(report_page))
        .route("/incidents/{id}/tasks", post(task_form).layer(form()))
        .route("/incidents/{id}/entries", post(entry_form).layer(form()))
        .route("/incidents/{id}/update", post(update_form).layer(form()))
        .route("/incidents/{id}/close", post(close_form).layer(form()))
}

/// A form's fields as sent (a field may repeat: the playbooks' checkboxes).
type Fields = Vec<(String, String)>;

fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The form's fields, its CSRF token checked before anything else is read; an unknown
/// field is refused.
fn read_form(
    viewer: &Viewer,
    form: Result<Form<Fields>, FormRejection>,
    known: &[&str],
) -> Result<Fields, ApiError> {
    let Form(fields) = form.map_err(|e| ApiError::bad_request(e.body_text()))?;
    viewer.check_csrf(field(&fields, "csrf").unwrap_or_default())?;
    if let Some((name, _)) = fields
        .iter()
        .find(|(k, _)| k != "csrf" && !known.contains(&k.as_str()))
    {
        return Err(ApiError::invalid(
            name,
            format!("unknown field `{}`", lifeline_text::excerpt(name)),
        ));
    }
    Ok(fields)
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A number field, trimmed: `None` when left empty, refused when not a finite number.
fn number(name: &str, text: &str) -> Result<Option<f64>, ApiError> {
    match text.trim() {
        "" => Ok(None),
        text => text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| ApiError::invalid(name, "must be a number")),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ListQuery {
    /// The network the form is set to (its entities are suggested).
    network: Option<String>,
}

/// The networks of the caller's own organisation (an incident is declared on one of
/// them), newest first.
async fn own_networks(state: &AppState, viewer: &Viewer) -> Result<Vec<NetworkItem>, ApiError> {
    let infos = state.store.networks(&viewer.caller.access()).await?;
    Ok(infos
        .iter()
        .filter(|n| n.org_id == viewer.caller.user.org_id)
        .map(super::stress::item)
        .collect())
}

/// The ids a network's entities can be named by (platforms, sites, then nodes), at most
/// 80, for the form's note.
async fn entity_ids(state: &AppState, viewer: &Viewer, network: &str) -> Vec<String> {
    let Ok(Some(stored)) = state
        .store
        .network_body(&viewer.caller.access(), network, None)
        .await
    else {
        return Vec::new();
    };
    crate::blocking("network entities", move || {
        let loaded = crate::analysis::load_stored(&stored)?;
        let n = loaded.network.network();
        Ok(n.platforms
            .iter()
            .map(|p| p.id.clone())
            .chain(n.sites.iter().map(|s| s.id.clone()))
            .chain(n.nodes.iter().map(|n| n.id.clone()))
            .take(80)
            .collect())
    })
    .await
    .unwrap_or_default()
}

/// The list page, with the form holding `form` and the reasons it was refused.
async fn list_view(
    state: &AppState,
    viewer: &Viewer,
    network: Option<&str>,
    form: DeclareForm,
    selected_playbooks: &[String],
    errors: Vec<FormError>,
) -> Result<IncidentsPage, ApiError> {
    viewer.caller.require(Role::Viewer)?;
    let access = viewer.caller.access();
    let now = now();
    let mut incidents = Vec::new();
    for info in state.store.incidents(&access).await? {
        match load(state, &viewer.caller, &info.id).await {
            Ok(loaded) => incidents.push(IncidentItem::of(&info.id, &loaded.incident, now)),
            // A timeline that no longer replays is still listed: its page says why.
            Err(e) if e.status == StatusCode::CONFLICT => incidents.push(IncidentItem {
                id: info.id.clone(),
                href: incident_href(&info.id),
                title: info.title.clone(),
                kind: info.kind.clone(),
                status: info.status.as_str(),
                declared: lifeline_web::format::timestamp(info.created_at),
                entities: String::new(),
                open_tasks: 0,
                overdue: 0,
                first_short: "the timeline does not replay".to_owned(),
            }),
            Err(e) => return Err(e),
        }
    }
    let writer = viewer.caller.user.role.at_least(Role::Analyst);
    let (networks, entities, playbooks) = if writer {
        let networks = own_networks(state, viewer).await?;
        let selected = network
            .filter(|id| networks.iter().any(|n| n.id == *id))
            .or_else(|| networks.first().map(|n| n.id.as_str()))
            .map(str::to_owned);
        let entities = match &selected {
            Some(id) => entity_ids(state, viewer, id).await,
            None => Vec::new(),
        };
        let imported = state.store.playbooks(&access).await?;
        let playbooks = library(state, &viewer.caller)
            .await?
            .iter()
            .map(|p| {
                PlaybookItem::of(
                    p,
                    imported.iter().any(|i| i.playbook_id == p.id),
                    selected_playbooks,
                )
            })
            .collect();
        (
            IncidentsPage::network_choices(&networks, selected.as_deref()),
            entities,
            playbooks,
        )
    } else {
        (Vec::<Choice>::new(), Vec::new(), Vec::new())
    };
    Ok(IncidentsPage {
        chrome: viewer.chrome(Tab::Incidents),
        incidents,
        networks,
        entity_ids: entities,
        playbooks,
        form,
        errors,
    })
}

async fn incidents_page(State(state): State<AppState>, viewer: Viewer, uri: Uri) -> Response {
    let page = async {
        let q: ListQuery = query(&uri)?;
        let view = list_view(
            &state,
            &viewer,
            q.network.as_deref(),
            DeclareForm::default(),
            &[],
            Vec::new(),
        )
        .await?;
        html(&view)
    };
    viewer.page(Tab::Incidents, page.await)
}

/// An API error as the declare form's list of problems.
fn form_errors(error: &ApiError) -> Vec<FormError> {
    if error.body.diagnostics.is_empty() {
        vec![FormError::new(
            error.body.field.as_deref().unwrap_or_default(),
            error.body.message.clone(),
            None,
            &DECLARE_FIELDS,
        )]
    } else {
        error
            .body
            .diagnostics
            .iter()
            .map(|d| FormError::new(&d.path, d.message.clone(), d.hint.clone(), &DECLARE_FIELDS))
            .collect()
    }
}

/// Declares an incident from the form, as `POST /api/v1/networks/{id}/incidents` does,
/// and goes to its page; a refused declaration shows the form again with every problem
/// on its field.
async fn declare_form(
    State(state): State<AppState>,
    viewer: Viewer,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let page = async {
        let known = [
            "network",
            "title",
            "kind",
            "entities",
            "capacity_factor",
            "expected_ttr",
            "playbook",
        ];
        let fields = read_form(&viewer, form, &known)?;
        viewer.caller.require(Role::Analyst)?;
        let text = |name: &str| field(&fields, name).unwrap_or_default().trim().to_owned();
        let sent = DeclareForm {
            title: text("title"),
            kind: text("kind"),
            entities: text("entities"),
            capacity_factor: text("capacity_factor"),
            expected_ttr: text("expected_ttr"),
        };
        let playbooks: Vec<String> = fields
            .iter()
            .filter(|(k, v)| k == "playbook" && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect();
        let network = text("network");
        let request = async {
            let request = DeclareRequest {
                title: sent.title.clone(),
                kind: sent.kind.clone(),
                entities: sent
                    .entities
                    .split([',', '\n', ' '])
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(str::to_owned)
                    .collect(),
                capacity_factor: Some(
                    number("capacity_factor", &sent.capacity_factor)?.unwrap_or(0.0),
                ),
                expected_ttr: number("expected_ttr", &sent.expected_ttr)?
                    .ok_or_else(|| ApiError::invalid("expected_ttr", "must be a number"))?,
                declared_at: None,
                playbooks: playbooks.clone(),
                version: None,
            };
            if network.is_empty() {
                return Err(ApiError::invalid("network", "choose a network"));
            }
            declare(&state, &viewer.caller, &network, request).await
        };
        match request.await {
            Ok(id) => Ok(Redirect::to(&incident_href(&id)).into_response()),
            Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
                let status = e.status;
                let view = list_view(
                    &state,
                    &viewer,
                    Some(&network),
                    sent,
                    &playbooks,
                    form_errors(&e),
                )
                .await?;
                let mut response = html(&view)?;
                *response.status_mut() = status;
                Ok(response)
            }
            Err(e) => Err(e),
        }
    };
    viewer.page(Tab::Incidents, page.await)
}

/// The incident's page, with `problem` (why the last change was refused) when given.
async fn incident_view(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    problem: Option<String>,
) -> Result<Response, ApiError> {
    viewer.caller.require(Role::Viewer)?;
    let loaded = load(state, &viewer.caller, id).await?;
    let verified = verify(state, &viewer.caller, id).await?;
    let verdict = match verified.broken {
        None => Ok(format!(
            "{} entries, head {}",
            verified.entries,
            verified.head.chars().take(12).collect::<String>()
        )),
        Some(b) => Err(format!("entry {}: {}", b.seq, b.reason)),
    };
    let mut view = IncidentPage::new(
        viewer.chrome(Tab::Incidents),
        id,
        &loaded.incident,
        &loaded.entries,
        verdict,
        now(),
    );
    view.can_write = view.open && viewer.caller.user.role.at_least(Role::Analyst);
    view.problem = problem;
    view.partner_alerts = super::partners::alerts_section(state, viewer, id).await?;
    html(&view)
}

async fn incident_page(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let page = incident_view(&state, &viewer, &id, None).await;
    viewer.page(Tab::Incidents, page)
}

/// After a change: back to the incident's page (at `anchor`), or, refused, the page
/// again with why, under the refusal's status.
async fn after_change(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    result: Result<(), ApiError>,
    anchor: &str,
) -> Result<Response, ApiError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{}#{anchor}", incident_href(id))).into_response()),
        Err(e)
            if matches!(
                e.status,
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT
            ) =>
        {
            let status = e.status;
            let mut response =
                incident_view(state, viewer, id, Some(e.body.message.clone())).await?;
            *response.status_mut() = status;
            Ok(response)
        }
        Err(e) => Err(e),
    }
}

/// What every change form does: reads the form (`known` its fields, the CSRF token
/// checked first), needs an analyst, makes the change, then [`after_change`].
async fn change_form(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    form: Result<Form<Fields>, FormRejection>,
    known: &[&str],
    anchor: &str,
    change: impl AsyncFnOnce(Fields) -> Result<(), ApiError>,
) -> Response {
    let page = async {
        let fields = read_form(viewer, form, known)?;
        viewer.caller.require(Role::Analyst)?;
        let result = change(fields).await;
        after_change(state, viewer, id, result, anchor).await
    };
    viewer.page(Tab::Incidents, page.await)
}

/// A task's status (with a note), or its approval, from the board's forms.
async fn task_form(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let known = ["task", "status", "note", "approve"];
    change_form(
        &state,
        &viewer,
        &id,
        form,
        &known,
        "task-board",
        async |fields| {
            let request = TaskRequest {
                status: field(&fields, "status").map(str::to_owned),
                note: field(&fields, "note").unwrap_or_default().to_owned(),
                approve: field(&fields, "approve").map(str::to_owned),
            };
            let event = task_event(field(&fields, "task").unwrap_or_default(), request)?;
            append(&state, &viewer.caller, &id, event).await.map(drop)
        },
    )
    .await
}

/// A note, a decision or an improvement from the page's form.
async fn entry_form(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let known = ["type", "text", "owner", "function"];
    change_form(
        &state,
        &viewer,
        &id,
        form,
        &known,
        "incident-timeline",
        async |fields| {
            let kind_name = field(&fields, "type").unwrap_or("note").to_owned();
            let kind = entry_kind(&kind_name)?;
            let optional = |name: &str| {
                field(&fields, name)
                    .map(str::trim)
                    .filter(|v| !v.is_empty() && kind == EntryKind::Improvement)
                    .map(str::to_owned)
            };
            let event = entry_event(EntryRequest {
                kind: kind_name,
                text: field(&fields, "text").unwrap_or_default().to_owned(),
                owner: optional("owner"),
                function: optional("function"),
            })?;
            append(&state, &viewer.caller, &id, event).await.map(drop)
        },
    )
    .await
}

/// A new outage estimate from the page's form.
async fn update_form(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let known = ["expected_ttr", "capacity_factor", "reason"];
    change_form(
        &state,
        &viewer,
        &id,
        form,
        &known,
        "task-board",
        async |fields| {
            let number = |name: &str| number(name, field(&fields, name).unwrap_or_default());
            let expected_ttr = number("expected_ttr")?
                .ok_or_else(|| ApiError::invalid("expected_ttr", "give the new estimate"))?;
            let request = UpdateRequest {
                expected_ttr,
                capacity_factor: number("capacity_factor")?,
                reason: field(&fields, "reason").map(str::to_owned),
            };
            update(&state, &viewer.caller, &id, request).await.map(drop)
        },
    )
    .await
}

/// Closes the incident from the page's form.
async fn close_form(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    change_form(
        &state,
        &viewer,
        &id,
        form,
        &["summary"],
        "incident-timeline",
        async |fields| {
            let summary = checked_text(
                "summary",
                field(&fields, "summary").unwrap_or_default(),
                false,
            )?;
            append(&state, &viewer.caller, &id, Event::Closed { summary })
                .await
                .map(drop)
        },
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ReportQuery {
    /// `markdown` or `html`: the report as a download.
    format: Option<String>,
}

/// The after-action report in the dashboard, or (`?format=`) as a download.
async fn report_page(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
    uri: Uri,
) -> Response {
    let page = async {
        viewer.caller.require(Role::Viewer)?;
        let q: ReportQuery = query(&uri)?;
        let download = |format: ReportFormat| (format, true);
        let (format, attachment) = match q.format.as_deref() {
            None => (ReportFormat::Html, false),
            Some("markdown") => download(ReportFormat::Markdown),
            Some("html") => download(ReportFormat::Html),
            Some(other) => {
                return Err(ApiError::invalid(
                    "format",
                    format!(
                        "`{}` is not a report format: markdown or html",
                        lifeline_text::excerpt(other)
                    ),
                ));
            }
        };
        let (loaded, text) = report_text(&state, &viewer.caller, &id, format).await?;
        if attachment {
            let (content_type, extension) = match format {
                ReportFormat::Markdown => ("text/markdown; charset=utf-8", "md"),
                _ => ("text/html; charset=utf-8", "html"),
            };
            let name: String = id
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                .collect();
            return Ok((
                [
                    (header::CONTENT_TYPE, content_type.to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"incident-{name}-report.{extension}\""),
                    ),
                ],
                text,
            )
                .into_response());
        }
        let base = format!("{}/report", incident_href(&id));
        html(&IncidentReportPage {
            chrome: viewer.chrome(Tab::Incidents),
            id: id.clone(),
            title: loaded.incident.declaration.title.clone(),
            back: incident_href(&id),
            report: lifeline_web::pages::risk::body_of(&text).to_owned(),
            markdown_href: format!("{base}?format=markdown"),
            html_href: format!("{base}?format=html"),
        })
    };
    viewer.page(Tab::Incidents, page.await)
}
