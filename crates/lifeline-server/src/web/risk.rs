//! The vendor risk register's pages: `/risk` (vendors ranked against a network, with the
//! heat map and the evidence to renew), `/risk/vendors/{id}` (the per-vendor report, or its
//! Markdown or HTML as a download), and the vendor's side: `/q/{token}`, the questionnaire
//! a vendor answers without an account, through a one-time link.
//!
//! The scoring is the API's own (`routes::vendors::assess`), so the pages show what
//! `/api/v1/networks/{id}/risk` and `lifeline risk register` give. A submitted
//! questionnaire is read with lifeline-risk's `read_filled` (the rules of a filled file
//! imported with `lifeline questionnaire import`) and merged with its `merge` into the
//! register's next version, in the transaction that uses the link.

use std::path::Path;
use std::str::FromStr as _;

use axum::Router;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Form, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lifeline_risk::questionnaire::{
    self, FORMAT, Framework, Questionnaire, QuestionnaireError, QuestionnaireFormat,
};
use lifeline_store::{
    LinkLookup, LinkState, NewVendorRegister, QuestionnaireLink, Role, StoreError, Submission,
    now_ms, rfc3339,
};
use lifeline_web::Tab;
use lifeline_web::format::timestamp;
use lifeline_web::pages::{
    EvidenceRow, LinkRow, NetworkItem, QuestionRow, QuestionnaireDone, QuestionnairePage,
    RegisterRow, ReminderRow, RiskPage, Sent, VendorReportPage,
};
use serde::Deserialize;

use super::uploads::UploadForm;
use super::{Viewer, error_page, html, query};
use crate::AppState;
use crate::auth::Caller;
use crate::config::Limits;
use crate::error::ApiError;
use crate::routes::vendors::{
    EvidenceBody, ReminderBody, assess, canonical, gone_message, parse_as_of, register_with_vendor,
    reminders_of, store_evidence,
};

/// Days ahead the pages list expiring evidence for.
pub const REMINDER_DAYS: i64 = 30;

pub fn router(limits: &Limits) -> Router<AppState> {
    Router::new()
        .route("/risk", get(risk_page))
        .route("/risk/vendors/{id}", get(vendor_page))
        .route(
            "/risk/vendors/{id}/questionnaires",
            axum::routing::post(create_link).layer(DefaultBodyLimit::max(limits.body_bytes)),
        )
        .route(
            "/risk/vendors/{id}/evidence",
            axum::routing::post(upload_evidence).layer(DefaultBodyLimit::max(limits.upload_bytes)),
        )
        .route(
            "/q/{token}",
            get(questionnaire_form)
                .post(submit_questionnaire)
                .layer(DefaultBodyLimit::max(limits.body_bytes)),
        )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RiskQuery {
    network: Option<String>,
    as_of: Option<String>,
    /// `markdown` or `html`: the vendor's report as a download.
    format: Option<String>,
}

fn item(info: &lifeline_store::NetworkInfo) -> NetworkItem {
    super::stress::item(info)
}

/// The networks the viewer can read, and the one asked for (else the newest).
async fn networks(
    state: &AppState,
    viewer: &Viewer,
    asked: Option<&str>,
) -> Result<(Vec<NetworkItem>, Option<NetworkItem>), ApiError> {
    let infos = state.store.networks(&viewer.caller.access()).await?;
    let networks: Vec<NetworkItem> = infos.iter().map(item).collect();
    let selected = match asked {
        Some(id) => Some(
            networks
                .iter()
                .find(|n| n.id == id)
                .cloned()
                .ok_or_else(|| ApiError::not_found("network", id))?,
        ),
        None => networks.first().cloned(),
    };
    Ok((networks, selected))
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// The evidence to renew within [`REMINDER_DAYS`], as the pages list it: the overview's
/// and the risk page's. A partner has none (the register is not shared).
pub(crate) async fn reminder_rows(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<ReminderRow>, ApiError> {
    if !caller.user.role.at_least(Role::Viewer) {
        return Ok(Vec::new());
    }
    let rows = reminders_of(state, caller, today(), REMINDER_DAYS).await?;
    Ok(rows.into_iter().map(reminder_row).collect())
}

fn reminder_row(r: ReminderBody) -> ReminderRow {
    ReminderRow {
        vendor: r.vendor,
        vendor_name: r.vendor_name,
        backs: r.backs,
        kind: r.kind,
        expires: r.expires,
        days_left: r.days_left,
        href: r.url,
    }
}

async fn risk_page(State(state): State<AppState>, viewer: Viewer, uri: Uri) -> Response {
    let page = async {
        viewer.caller.require(Role::Viewer)?;
        let q: RiskQuery = query(&uri)?;
        let as_of = parse_as_of(q.as_of.as_deref())?;
        let (networks, selected) = networks(&state, &viewer, q.network.as_deref()).await?;
        let mut view = RiskPage {
            chrome: viewer.chrome(Tab::Risk),
            networks,
            selected: None,
            as_of: as_of.map(lifeline_risk::date::format).unwrap_or_default(),
            problem: None,
            rows: Vec::new(),
            heatmap: String::new(),
            json_href: String::new(),
            csv_href: String::new(),
            reminders: reminder_rows(&state, &viewer.caller).await?,
        };
        if let Some(net) = selected {
            let encoded = lifeline_text::percent_encoded(&net.id);
            match assess(&state, &viewer.caller, &net.id, as_of).await {
                Ok(assessed) => {
                    let date = lifeline_risk::date::format(assessed.register.as_of);
                    view.json_href =
                        format!("/api/v1/networks/{encoded}/risk?as_of={date}&format=json");
                    view.csv_href =
                        format!("/api/v1/networks/{encoded}/risk?as_of={date}&format=csv");
                    view.as_of = date;
                    view.rows = RegisterRow::all(&assessed.register, &net.id);
                    view.heatmap = crate::blocking("heat map", move || {
                        Ok(lifeline_risk::heatmap::svg(&assessed.register))
                    })
                    .await?;
                }
                // No register, or no stress test yet: the page says so.
                Err(e) if e.status == StatusCode::CONFLICT => {
                    view.problem = Some(e.body.message);
                }
                Err(e) => return Err(e),
            }
            view.selected = Some(net);
        }
        html(&view)
    };
    viewer.page(Tab::Risk, page.await)
}

async fn vendor_page(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
    uri: Uri,
) -> Response {
    let page = async {
        let q: RiskQuery = query(&uri)?;
        vendor_view(&state, &viewer, &id, &q, None).await
    };
    viewer.page(Tab::Risk, page.await)
}

/// The vendor's report in the dashboard (or, with `format`, as a download); `new_link` is
/// the questionnaire link just created, shown once.
async fn vendor_view(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    q: &RiskQuery,
    new_link: Option<String>,
) -> Result<Response, ApiError> {
    viewer.caller.require(Role::Viewer)?;
    let as_of = parse_as_of(q.as_of.as_deref())?;
    let (_, selected) = networks(state, viewer, q.network.as_deref()).await?;
    let net = selected.ok_or_else(|| ApiError::not_found("network", "(none yet)"))?;
    let assessed = assess(state, &viewer.caller, &net.id, as_of).await?;
    let vendor = assessed
        .register
        .vendors
        .iter()
        .find(|v| v.id == id)
        .ok_or_else(|| ApiError::not_found("vendor", id))?;
    let name = vendor.name.clone();
    let download = |content_type: &str, extension: &str, text: String| {
        (
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}-risk.{extension}\"",
                        safe_file_name(id)
                    ),
                ),
            ],
            text,
        )
            .into_response()
    };
    let missing = || ApiError::not_found("vendor", id);
    match q.format.as_deref() {
        Some("markdown") => {
            let text =
                lifeline_risk::report::markdown(&assessed.register, id).ok_or_else(missing)?;
            return Ok(download("text/markdown; charset=utf-8", "md", text));
        }
        Some("html") => {
            let text = lifeline_risk::report::html(&assessed.register, id).ok_or_else(missing)?;
            return Ok(download("text/html; charset=utf-8", "html", text));
        }
        Some(other) => {
            return Err(ApiError::invalid(
                "format",
                format!(
                    "`{}` is not a report format: markdown or html",
                    lifeline_text::excerpt(other)
                ),
            ));
        }
        None => {}
    }
    let report = lifeline_risk::report::html(&assessed.register, id).ok_or_else(missing)?;
    let access = viewer.caller.access();
    let now = now_ms();
    let links = state
        .store
        .questionnaire_links(&access, Some(id))
        .await?
        .iter()
        .map(|l: &QuestionnaireLink| LinkRow {
            id: l.id.clone(),
            framework: l.framework.clone(),
            state: l.state(now).as_str().to_owned(),
            created: timestamp(l.created_at),
            expires: timestamp(l.expires_at),
        })
        .collect();
    let evidence = state
        .store
        .vendor_evidence(&access, Some(id))
        .await?
        .iter()
        .map(|f| EvidenceRow {
            kind: f.kind.clone(),
            file_name: f.file_name.clone(),
            expires: f.expires.clone().unwrap_or_default(),
            href: EvidenceBody::of(f).url,
        })
        .collect();
    let base = lifeline_web::pages::risk::vendor_href(id, &net.id);
    html(&VendorReportPage {
        chrome: viewer.chrome(Tab::Risk),
        report: lifeline_web::pages::risk::body_of(&report).to_owned(),
        markdown_href: format!("{base}&format=markdown"),
        html_href: format!("{base}&format=html"),
        action: format!(
            "/risk/vendors/{}/questionnaires",
            lifeline_text::percent_encoded(id)
        ),
        evidence_action: format!(
            "/risk/vendors/{}/evidence",
            lifeline_text::percent_encoded(id)
        ),
        id: id.to_owned(),
        name,
        network: net.id,
        links,
        evidence,
        new_link,
    })
}

/// The form that creates a questionnaire link.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct LinkForm {
    csrf: String,
    framework: String,
    expires_in_days: String,
    network: Option<String>,
}

/// Creates a one-time questionnaire link for the vendor, as `POST
/// /api/v1/vendors/{vendor}/questionnaires` does, and shows it once on the vendor's page.
async fn create_link(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
    form: Result<Form<LinkForm>, FormRejection>,
) -> Response {
    let page = async {
        let Form(sent) = form.map_err(|e| ApiError::bad_request(e.body_text()))?;
        viewer.check_csrf(&sent.csrf)?;
        viewer.caller.require(Role::Analyst)?;
        let framework = Framework::from_str(sent.framework.trim())
            .map_err(|e| ApiError::invalid("framework", e.to_string()))?;
        let days = match sent.expires_in_days.trim() {
            "" => 30,
            text => text.parse::<u32>().map_err(|_| {
                ApiError::invalid("expires_in_days", "must be a whole number of days")
            })?,
        };
        register_with_vendor(&state, &viewer.caller, &id).await?;
        let link = state
            .store
            .create_questionnaire_link(
                &viewer.caller.user.org_id,
                &id,
                framework.as_str(),
                days,
                &viewer.caller.user.name,
            )
            .await?;
        let q = RiskQuery {
            network: sent.network.filter(|n| !n.is_empty()),
            ..RiskQuery::default()
        };
        let mut response =
            vendor_view(&state, &viewer, &id, &q, Some(format!("/q/{}", link.token))).await?;
        *response.status_mut() = StatusCode::CREATED;
        Ok(response)
    };
    viewer.page(Tab::Risk, page.await)
}

/// Stores an evidence file from the vendor page's form, as `POST
/// /api/v1/vendors/{vendor}/evidence` does (sealed at rest), and shows the page again with
/// the file listed.
async fn upload_evidence(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let page = async {
        let mut form = UploadForm::read(&viewer, multipart).await?;
        let file = form
            .file
            .take()
            .ok_or_else(|| ApiError::invalid("file", "choose a file to upload"))?;
        store_evidence(
            &state,
            &viewer.caller,
            id.clone(),
            form.field("kind").unwrap_or_default(),
            form.field("expires"),
            (file.name, file.content_type, file.bytes.to_vec()),
        )
        .await?;
        let q = RiskQuery {
            network: form
                .field("network")
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            ..RiskQuery::default()
        };
        let mut response = vendor_view(&state, &viewer, &id, &q, None).await?;
        *response.status_mut() = StatusCode::CREATED;
        Ok(response)
    };
    viewer.page(Tab::Risk, page.await)
}

/// A file name for a download: letters, digits, `-` and `_` of a vendor id (which holds
/// nothing else when it is valid).
fn safe_file_name(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}

// ---------------------------------------------------------------------------------------
// The vendor's side

/// A questionnaire link that no longer opens, or never did: a plain page, 410 or 404.
fn link_refused(lookup: Option<LinkState>) -> Response {
    match lookup {
        Some(state) => error_page(
            None,
            ApiError::new_status(StatusCode::GONE, "gone", gone_message(state)),
        ),
        None => error_page(
            None,
            ApiError::new_status(
                StatusCode::NOT_FOUND,
                "not_found",
                "This questionnaire link is not known. Check that the whole link was copied, or ask your contact for a new one.",
            ),
        ),
    }
}

/// The questionnaire of a link, and the vendor's name in the current register.
struct Opened {
    link: QuestionnaireLink,
    org_name: String,
    vendor_name: String,
    questionnaire: Questionnaire,
}

async fn open_link(state: &AppState, token: &str) -> Result<Result<Opened, Response>, ApiError> {
    let (link, org_name) = match state.store.questionnaire_by_token(token).await? {
        LinkLookup::Open { link, org_name } => (*link, org_name),
        LinkLookup::Gone(gone) => return Ok(Err(link_refused(Some(gone)))),
        LinkLookup::Unknown => return Ok(Err(link_refused(None))),
    };
    let framework = Framework::from_str(&link.framework)
        .map_err(|e| ApiError::internal("stored questionnaire framework", &e))?;
    let access = lifeline_store::Access {
        org_id: link.org_id.clone(),
        own: true,
    };
    let vendor_name = match state.store.vendor_register(&access, None).await? {
        Some(stored) => {
            let text = stored.canonical;
            let vendor = link.vendor_id.clone();
            crate::blocking("stored vendor register", move || {
                let loaded = lifeline_risk::register::from_str(
                    &text,
                    lifeline_network::Format::Json,
                    Path::new("vendors.json"),
                    None,
                )
                .map_err(|e| ApiError::internal("stored vendor register", &e))?;
                Ok(loaded
                    .register
                    .vendor(&vendor)
                    .map_or(vendor.clone(), |v| v.name.clone()))
            })
            .await?
        }
        None => link.vendor_id.clone(),
    };
    Ok(Ok(Opened {
        questionnaire: questionnaire::questionnaire(framework),
        link,
        org_name,
        vendor_name,
    }))
}

fn form_page(
    opened: &Opened,
    token: &str,
    sent: &[Sent],
    errors: Vec<String>,
) -> QuestionnairePage {
    QuestionnairePage {
        org: opened.org_name.clone(),
        vendor_id: opened.link.vendor_id.clone(),
        vendor_name: opened.vendor_name.clone(),
        title: opened.questionnaire.title.clone(),
        version: opened.questionnaire.version.clone(),
        source: opened.questionnaire.source.clone(),
        action: format!("/q/{}", lifeline_text::percent_encoded(token)),
        expires: rfc3339(opened.link.expires_at),
        questions: QuestionRow::all(&opened.questionnaire, sent),
        errors,
    }
}

/// `GET /q/{token}`: the form, for a link that is open; 410 for one used, revoked or
/// expired; 404 for an unknown one.
async fn questionnaire_form(
    State(state): State<AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Response {
    let page = async {
        match open_link(&state, &token).await? {
            Ok(opened) => html(&form_page(&opened, &token, &[], Vec::new())),
            Err(refused) => Ok(refused),
        }
    };
    page.await.unwrap_or_else(|e| error_page(None, e))
}

/// The form's fields, by question index: `answer-N`, `comment-N`, `evidence-kind-N`,
/// `evidence-expires-N`, `evidence-reference-N`. Unknown fields and indexes are refused.
fn sent_of(fields: &[(String, String)], questions: usize) -> Result<Vec<Sent>, String> {
    let mut sent = vec![Sent::default(); questions];
    for (name, value) in fields {
        let (field, index) = name
            .rsplit_once('-')
            .and_then(|(f, i)| Some((f, i.parse::<usize>().ok()?)))
            .ok_or_else(|| format!("the form has no field `{}`", lifeline_text::excerpt(name)))?;
        let slot = sent
            .get_mut(index)
            .ok_or_else(|| format!("the form has no question {index}"))?;
        let value = value.trim().to_owned();
        match field {
            "answer" => slot.answer = value,
            "comment" => slot.comment = value,
            "evidence-kind" => slot.evidence_kind = value,
            "evidence-expires" => slot.evidence_expires = value,
            "evidence-reference" => slot.evidence_reference = value,
            _ => {
                return Err(format!(
                    "the form has no field `{}`",
                    lifeline_text::excerpt(name)
                ));
            }
        }
    }
    Ok(sent)
}

/// The filled questionnaire the form's answers make (`lifeline-questionnaire/1` JSON),
/// as a vendor would send it back as a file.
fn filled_document(
    questionnaire: &Questionnaire,
    vendor: &str,
    sent: &[Sent],
) -> serde_json::Value {
    let answers: Vec<serde_json::Value> = questionnaire
        .questions
        .iter()
        .zip(sent)
        .filter(|(_, s)| **s != Sent::default())
        .map(|(q, s)| {
            let mut row = serde_json::json!({ "question": q.id });
            if !s.answer.is_empty() {
                row["answer"] = s.answer.clone().into();
            }
            if !(s.evidence_kind.is_empty()
                && s.evidence_expires.is_empty()
                && s.evidence_reference.is_empty())
            {
                let mut evidence = serde_json::json!({ "kind": s.evidence_kind });
                if !s.evidence_expires.is_empty() {
                    evidence["expires"] = s.evidence_expires.clone().into();
                }
                if !s.evidence_reference.is_empty() {
                    evidence["reference"] = s.evidence_reference.clone().into();
                }
                row["evidence"] = serde_json::json!([evidence]);
            }
            if !s.comment.is_empty() {
                row["comment"] = s.comment.clone().into();
            }
            row
        })
        .collect();
    serde_json::json!({
        "format": FORMAT,
        "framework": questionnaire.framework.as_str(),
        "vendor": vendor,
        "answers": answers,
    })
}

/// Why a filled questionnaire was refused, one line per problem, in the form's words.
fn refusal_lines(error: &QuestionnaireError) -> Vec<String> {
    match error {
        QuestionnaireError::Invalid { diagnostics, .. } => diagnostics
            .0
            .iter()
            .filter(|d| d.severity == lifeline_network::Severity::Error)
            .map(|d| match &d.hint {
                Some(hint) => format!("{}: {} ({hint})", d.path, d.message),
                None => format!("{}: {}", d.path, d.message),
            })
            .collect(),
        other => vec![other.to_string()],
    }
}

/// `POST /q/{token}`: the answers, checked as a filled questionnaire file is, stored once
/// and merged into the register's next version.
async fn submit_questionnaire(
    State(state): State<AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let page = async {
        let opened = match open_link(&state, &token).await? {
            Ok(opened) => opened,
            Err(refused) => return Ok(refused),
        };
        let Form(fields) = form.map_err(|e| ApiError::bad_request(e.body_text()))?;
        let refuse = |sent: &[Sent], errors: Vec<String>| -> Result<Response, ApiError> {
            let mut response = html(&form_page(&opened, &token, sent, errors))?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        };
        let sent = match sent_of(&fields, opened.questionnaire.questions.len()) {
            Ok(sent) => sent,
            Err(e) => return refuse(&[], vec![e]),
        };
        let document = filled_document(&opened.questionnaire, &opened.link.vendor_id, &sent);
        let text = document.to_string();
        let filled = match crate::blocking("questionnaire", move || {
            Ok(questionnaire::read_filled(
                &text,
                QuestionnaireFormat::Json,
                Path::new("questionnaire.json"),
            ))
        })
        .await?
        {
            Ok(filled) => filled,
            Err(e) => return refuse(&sent, refusal_lines(&e)),
        };
        let answered = filled.answers.len();
        if answered == 0 {
            return refuse(&sent, vec!["answer at least one question".to_owned()]);
        }
        let outcome = state
            .store
            .submit_questionnaire(&token, &document, move |link, current| {
                let current = current.ok_or_else(|| {
                    StoreError::Conflict("the organisation has no vendor register".into())
                })?;
                let mut register = lifeline_risk::register::from_str(
                    &current.canonical,
                    lifeline_network::Format::Json,
                    Path::new("vendors.json"),
                    None,
                )
                .map_err(|e| StoreError::Corrupt(format!("stored vendor register: {e}")))?
                .register;
                questionnaire::merge(&mut register, &link.vendor_id, filled)
                    .map_err(|e| StoreError::Conflict(e.to_string()))?;
                let text = canonical(&register)
                    .map_err(|_| StoreError::Corrupt("the merged register".into()))?;
                let vendors = i64::try_from(register.vendors.len()).unwrap_or(i64::MAX);
                Ok(NewVendorRegister::canonical(text, vendors))
            })
            .await;
        match outcome {
            Ok(Submission::Stored { .. }) => html(&QuestionnaireDone {
                org: opened.org_name.clone(),
                vendor_name: opened.vendor_name.clone(),
                answered,
            }),
            Ok(Submission::Gone(gone)) => Ok(link_refused(Some(gone))),
            Ok(Submission::Unknown) => Ok(link_refused(None)),
            // The vendor left the register since the link was sent.
            Err(StoreError::Conflict(message)) => refuse(&sent, vec![message]),
            Err(e) => Err(e.into()),
        }
    };
    page.await.unwrap_or_else(|e| error_page(None, e))
}
