//! The partner pages: `/partners` (the directory, its keys, our signing key, and the forms
//! that replace them), `/drills` and `/drills/{id}` (channel drills and their report), the
//! incident page's "Partner alerts" section, and the public one-time acknowledgement page
//! `/ack/{token}`: no session, the token is the credential; a used, expired or unknown
//! token gets a plain page (410 or 404), never a 5xx.
//!
//! Every form does what the API's route does (`routes::partners`: the same functions),
//! after checking the session's CSRF token.

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use lifeline_share::alert::Alert;
use lifeline_store::{AckLookup, AckTokenInfo, Role, rfc3339};
use lifeline_web::Tab;
use lifeline_web::pages::partners::{
    AckDone, AckPage, DirectoryInfo, DrillItem, DrillPage, DrillsPage, OrgRow, PartnerAlertRow,
    PartnerAlerts, PartnersPage, SigningKeyInfo,
};
use time::OffsetDateTime;

use super::{Viewer, error_page, html};
use crate::AppState;
use crate::config::Limits;
use crate::error::ApiError;
use crate::routes::partners::{
    alerts_of, check_jwk, current_directory, drill_report, key_listed, read_directory, record_ack,
    slow_after,
};

pub fn router(limits: &Limits) -> Router<AppState> {
    let form = || DefaultBodyLimit::max(limits.body_bytes);
    Router::new()
        .route(
            "/partners",
            get(partners_page).post(directory_form).layer(form()),
        )
        .route("/partners/key", axum::routing::post(key_form).layer(form()))
        .route("/drills", get(drills_page).post(drill_form).layer(form()))
        .route(
            "/incidents/{id}/alerts",
            axum::routing::post(send_form).layer(form()),
        )
        .route("/drills/{id}", get(drill_page))
        .route("/ack/{token}", get(ack_form).post(ack_submit).layer(form()))
}

type Fields = Vec<(String, String)>;

/// The form's fields, its CSRF token checked first; only `known` fields are accepted.
fn read_form(
    viewer: &Viewer,
    form: Result<Form<Fields>, FormRejection>,
    known: &[&str],
) -> Result<Fields, ApiError> {
    let Form(fields) = form.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    viewer.check_csrf(field("csrf").unwrap_or_default())?;
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

fn field(fields: &Fields, name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Partners

async fn partners_view(
    state: &AppState,
    viewer: &Viewer,
    problems: Vec<String>,
    done: Option<String>,
) -> Result<PartnersPage, ApiError> {
    viewer.caller.require(Role::Viewer)?;
    let access = viewer.caller.access();
    let now = OffsetDateTime::now_utc();
    let directory = current_directory(state, &access).await?;
    let key = state.store.signing_key_info(&access).await?;
    let signing_key = key.map(|k| SigningKeyInfo {
        listed: directory
            .as_ref()
            .is_some_and(|(_, d)| key_listed(d, &k.kid, now)),
        kid: k.kid,
        set: rfc3339(k.created_at),
        set_by: k.created_by,
    });
    let (info, organisations) = match directory {
        Some((info, d)) => (
            Some(DirectoryInfo {
                version: info.version,
                updated: rfc3339(info.created_at),
                updated_by: info.created_by,
                me: d.organisation.clone(),
                ack_window: d.defaults.ack_window.to_string(),
                alert_validity: d.defaults.alert_validity.to_string(),
            }),
            OrgRow::all(&d, now),
        ),
        None => (None, Vec::new()),
    };
    Ok(PartnersPage {
        chrome: viewer.chrome(Tab::Partners),
        directory: info,
        organisations,
        signing_key,
        can_write: viewer.caller.user.role.at_least(Role::Analyst),
        problems,
        done,
    })
}

async fn partners_page(State(state): State<AppState>, viewer: Viewer) -> Response {
    let page = async { html(&partners_view(&state, &viewer, Vec::new(), None).await?) };
    viewer.page(Tab::Partners, page.await)
}

/// After a change on the partners page: back to it, or, refused, the page with why.
async fn partners_after(
    state: &AppState,
    viewer: &Viewer,
    outcome: Result<String, ApiError>,
) -> Result<Response, ApiError> {
    match outcome {
        Ok(_) => Ok(Redirect::to("/partners").into_response()),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let line = match &e.body.field {
                Some(f) => format!("{f}: {}", e.body.message),
                None => e.body.message.clone(),
            };
            let mut response = html(&partners_view(state, viewer, vec![line], None).await?)?;
            *response.status_mut() = e.status;
            Ok(response)
        }
        Err(e) => Err(e),
    }
}

/// `POST /partners`: a new version of the directory (pasted JSON), as `PUT
/// /api/v1/partners` stores it.
async fn directory_form(
    State(state): State<AppState>,
    viewer: Viewer,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let page = async {
        let outcome = async {
            let fields = read_form(&viewer, form, &["directory"])?;
            viewer.caller.require(Role::Analyst)?;
            let text = field(&fields, "directory");
            let directory = crate::blocking("partner directory", move || {
                let yaml = !text.trim_start().starts_with('{');
                read_directory(text.as_bytes(), yaml)
            })
            .await?;
            let json = serde_json::to_string_pretty(&directory)
                .map_err(|e| ApiError::internal("partner directory", &e))?;
            let version = state
                .store
                .put_partner_directory(&viewer.caller.user.org_id, &json, &viewer.caller.user.name)
                .await?;
            Ok(format!("version {version}"))
        }
        .await;
        partners_after(&state, &viewer, outcome).await
    };
    viewer.page(Tab::Partners, page.await)
}

/// `POST /partners/key`: the signing key (pasted private JWK), as `PUT
/// /api/v1/partners/key` stores it.
async fn key_form(
    State(state): State<AppState>,
    viewer: Viewer,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let page = async {
        let outcome = async {
            let fields = read_form(&viewer, form, &["key"])?;
            viewer.caller.require(Role::Analyst)?;
            let text = field(&fields, "key");
            let kid = check_jwk(&text)?;
            if let Some((_, d)) = current_directory(&state, &viewer.caller.access()).await?
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
                .put_signing_key(
                    &viewer.caller.user.org_id,
                    &kid,
                    &text,
                    &viewer.caller.user.name,
                )
                .await?;
            Ok(kid)
        }
        .await;
        partners_after(&state, &viewer, outcome).await
    };
    viewer.page(Tab::Partners, page.await)
}

// ---------------------------------------------------------------------------------------
// Drills

/// An organisation's name in its current directory, else its id.
fn namer(directory: Option<lifeline_share::directory::Directory>) -> impl Fn(&str) -> String {
    move |id: &str| {
        directory
            .as_ref()
            .and_then(|d| d.organisations.iter().find(|o| o.id == id))
            .map_or_else(|| id.to_owned(), |o| o.name.clone())
    }
}

async fn drills_page(State(state): State<AppState>, viewer: Viewer) -> Response {
    let page = async { html(&drills_view(&state, &viewer, None).await?) };
    viewer.page(Tab::Partners, page.await)
}

async fn drills_view(
    state: &AppState,
    viewer: &Viewer,
    problem: Option<String>,
) -> Result<DrillsPage, ApiError> {
    {
        viewer.caller.require(Role::Viewer)?;
        let access = viewer.caller.access();
        let slow = slow_after(state.notify.drill_slow_after.as_deref())?;
        let now = OffsetDateTime::now_utc();
        let mut drills = Vec::new();
        for info in state.store.drills(&access).await? {
            if let Some(stored) = state.store.drill(&access, &info.id).await? {
                let report = drill_report(&stored, now, slow).map_err(ApiError::conflict)?;
                drills.push(DrillItem::new(
                    &info.id,
                    &rfc3339(info.started_at),
                    &info.started_by,
                    &report,
                ));
            }
        }
        Ok(DrillsPage {
            chrome: viewer.chrome(Tab::Partners),
            drills,
            can_write: viewer.caller.user.role.at_least(Role::Analyst),
            problem,
        })
    }
}

/// `POST /drills`: starts a drill, as `POST /api/v1/drills` does, and opens its page.
async fn drill_form(
    State(state): State<AppState>,
    viewer: Viewer,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let page = async {
        let outcome = async {
            let fields = read_form(&viewer, form, &["title"])?;
            viewer.caller.require(Role::Analyst)?;
            let title = crate::routes::partners::drill_title(Some(&field(&fields, "title")))?;
            crate::notify::drill_round(
                &state,
                &viewer.caller.user.org_id,
                &viewer.caller.user.name,
                &title,
            )
            .await
        }
        .await;
        match outcome {
            Ok(started) => Ok(Redirect::to(&lifeline_web::pages::partners::drill_href(
                &started.id,
            ))
            .into_response()),
            Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
                let mut response =
                    html(&drills_view(&state, &viewer, Some(e.body.message.clone())).await?)?;
                *response.status_mut() = e.status;
                Ok(response)
            }
            Err(e) => Err(e),
        }
    };
    viewer.page(Tab::Partners, page.await)
}

/// `POST /incidents/{id}/alerts`: sends the incident's alerts now, as the API's route
/// does, and goes back to the incident's page (its "Partner alerts" section).
async fn send_form(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let page = async {
        let fields = read_form(&viewer, form, &["tlp"])?;
        viewer.caller.require(Role::Analyst)?;
        let tlp = crate::routes::partners::parse_tlp(
            Some(field(&fields, "tlp"))
                .filter(|t| !t.is_empty())
                .as_deref(),
        )?;
        state
            .store
            .incident(&viewer.caller.access(), &id)
            .await?
            .ok_or_else(|| ApiError::not_found("incident", &id))?;
        crate::notify::incident_round(
            &state,
            &viewer.caller.user.org_id,
            &id,
            &viewer.caller.user.name,
            Some(tlp),
        )
        .await?;
        Ok(Redirect::to(&format!(
            "{}#partner-alerts-title",
            lifeline_web::pages::incidents::incident_href(&id)
        ))
        .into_response())
    };
    viewer.page(Tab::Incidents, page.await)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct DrillPageQuery {
    slow_after: Option<String>,
}

async fn drill_page(
    State(state): State<AppState>,
    viewer: Viewer,
    uri: axum::http::Uri,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let page = async {
        viewer.caller.require(Role::Viewer)?;
        let query: DrillPageQuery = super::query(&uri)?;
        let slow = slow_after(
            query
                .slow_after
                .as_deref()
                .or(state.notify.drill_slow_after.as_deref()),
        )?;
        let access = viewer.caller.access();
        let stored = state
            .store
            .drill(&access, &id)
            .await?
            .ok_or_else(|| ApiError::not_found("drill", &id))?;
        let report =
            drill_report(&stored, OffsetDateTime::now_utc(), slow).map_err(ApiError::conflict)?;
        let name = namer(current_directory(&state, &access).await?.map(|(_, d)| d));
        html(&DrillPage::new(
            viewer.chrome(Tab::Partners),
            &stored.info.id,
            &rfc3339(stored.info.started_at),
            &stored.info.started_by,
            &report,
            &name,
        ))
    };
    viewer.page(Tab::Partners, page.await)
}

// ---------------------------------------------------------------------------------------
// The incident page's section

/// The incident page's "Partner alerts" section for incident `id`.
pub(crate) async fn alerts_section(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<PartnerAlerts, ApiError> {
    let alerts = alerts_of(state, &viewer.caller, id).await?;
    let name = namer(
        current_directory(state, &viewer.caller.access())
            .await?
            .map(|(_, d)| d),
    );
    let rows = alerts
        .recipients
        .iter()
        .map(|r| PartnerAlertRow {
            alert: r.alert.clone(),
            partner: name(&r.recipient),
            contact: r.contact.clone(),
            channel: r.channel.clone(),
            address: r.address.clone(),
            sent: r.sent_at.clone(),
            class: match r.status.as_str() {
                "acknowledged" => "tier-low",
                "failed" => "tier-critical",
                "escalated" => "tier-high",
                _ => "",
            },
            detail: match r.status.as_str() {
                "acknowledged" => format!(
                    "by {} ({}) at {}",
                    r.acknowledged_by.clone().unwrap_or_default(),
                    r.via.clone().unwrap_or_default(),
                    r.acknowledged_at.clone().unwrap_or_default()
                ),
                "failed" => r.failure.clone().unwrap_or_default(),
                "escalated" => format!(
                    "to {} at {}",
                    r.escalated_to.clone().unwrap_or_default(),
                    r.escalated_at.clone().unwrap_or_default()
                ),
                _ => String::new(),
            },
            status: r.status.replace('-', " "),
        })
        .collect();
    let access = viewer.caller.access();
    let writer = viewer.caller.user.role.at_least(Role::Analyst);
    let open = state
        .store
        .incident(&access, id)
        .await?
        .is_some_and(|i| i.info.status == lifeline_store::IncidentState::Open);
    let ready = current_directory(state, &access).await?.is_some()
        && state.store.signing_key_info(&access).await?.is_some();
    Ok(PartnerAlerts {
        rows,
        send_action: if writer && open && ready {
            format!("/incidents/{}/alerts", lifeline_text::percent_encoded(id))
        } else {
            String::new()
        },
        note: (writer && open && !ready).then(|| {
            "Alerts cannot be sent yet: set the partner directory and the signing key on the Partners page.".to_owned()
        }),
    })
}

// ---------------------------------------------------------------------------------------
// The one-time acknowledgement link

/// A link that no longer opens, or never did: a plain page, 410 or 404.
fn link_refused(lookup: &AckLookup) -> Response {
    let (status, title, message) = match lookup {
        AckLookup::Used(info) => (
            StatusCode::GONE,
            "Already acknowledged",
            format!(
                "This link was used {}: the alert is acknowledged. Nothing more is needed.",
                info.used_at.map(rfc3339).unwrap_or_default()
            ),
        ),
        AckLookup::Expired(info) => (
            StatusCode::GONE,
            "This link has expired",
            format!(
                "This link expired {}. Reply to {} by another channel, or with a signed acknowledgement.",
                rfc3339(info.expires_at),
                info.org_name
            ),
        ),
        _ => (
            StatusCode::NOT_FOUND,
            "Unknown link",
            "This acknowledgement link is not known. Check that the whole link was copied."
                .to_owned(),
        ),
    };
    let view = AckDone {
        title: title.to_owned(),
        message,
        recorded: false,
    };
    let mut response = html(&view).unwrap_or_else(|e| e.into_response());
    *response.status_mut() = status;
    response
}

/// The alert a link acknowledges, as its page shows it.
async fn ack_view(state: &AppState, info: &AckTokenInfo, token: &str) -> Result<AckPage, ApiError> {
    let access = lifeline_store::Access {
        org_id: info.org_id.clone(),
        own: true,
    };
    let stored = state
        .store
        .partner_alert(&access, &info.alert_id)
        .await?
        .ok_or_else(|| ApiError::not_found("alert", &info.alert_id))?;
    let alert: Alert = serde_json::from_str(&stored.payload)
        .map_err(|e| ApiError::internal("stored alert", &e))?;
    let kind = serde_json::to_value(alert.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    Ok(AckPage {
        issuer: info.org_name.clone(),
        recipient: info.recipient.clone(),
        contact: info.contact.clone(),
        alert: info.alert_id.clone(),
        kind,
        summary: alert.summary,
        tlp: alert.tlp.label().to_owned(),
        reply_by: rfc3339(stored.reply_by),
        action: format!("/ack/{}", lifeline_text::percent_encoded(token)),
    })
}

fn now_ms() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

/// `GET /ack/{token}`: the alert and a button, for a link that is open.
async fn ack_form(
    State(state): State<AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Response {
    let page = async {
        match state.store.ack_token(&token, now_ms()).await? {
            AckLookup::Open(info) => html(&ack_view(&state, &info, &token).await?),
            other => Ok(link_refused(&other)),
        }
    };
    page.await.unwrap_or_else(|e| error_page(None, e))
}

/// `POST /ack/{token}`: redeems the link once and records the acknowledgement on the
/// alert's incident timeline (or its drill's log).
async fn ack_submit(
    State(state): State<AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let page = async {
        let Form(fields) = form.map_err(|e| ApiError::bad_request(e.body_text()))?;
        if let Some((name, _)) = fields.iter().find(|(k, _)| k != "note") {
            return Err(ApiError::invalid(
                name,
                format!("unknown field `{}`", lifeline_text::excerpt(name)),
            ));
        }
        let info = match state.store.redeem_ack_token(&token, now_ms()).await? {
            AckLookup::Open(info) => info,
            other => return Ok(link_refused(&other)),
        };
        record_ack(
            &state,
            &info.org_id,
            &info.subject,
            &info.alert_id,
            &info.recipient,
            &info.contact,
            "link",
        )
        .await?;
        html(&AckDone {
            title: "Acknowledged".to_owned(),
            message: format!(
                "Thank you: {} knows that {} received alert {}. This link no longer opens.",
                info.org_name, info.contact, info.alert_id
            ),
            recorded: true,
        })
    };
    page.await.unwrap_or_else(|e| error_page(None, e))
}
