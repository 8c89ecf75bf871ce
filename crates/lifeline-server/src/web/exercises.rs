//! The exercise pages: `/exercises` (the organisation's tabletop exercise runs with each
//! objective's rating, and the form that uploads a run record) and `/exercises/{id}` (the
//! scorecard and the after-action report; `/exercises/{id}/report?format=markdown|html`
//! downloads it).
//!
//! The upload does what `POST /api/v1/exercise-runs` does (`routes::exercises::add`: one
//! function for both), after checking the session's CSRF token; a kept run answers with a
//! redirect to its page, a refused one shows the list again with why.

use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use lifeline_store::{Role, rfc3339};
use lifeline_web::Tab;
use lifeline_web::pages::FormError;
use lifeline_web::pages::exercises::{
    ExercisePage, ExerciseRunItem, ExercisesPage, RatingCell, UPLOAD_FIELDS, counts_text,
    exercise_href,
};
use serde::Deserialize;

use super::uploads::UploadForm;
use super::{Viewer, html, query};
use crate::AppState;
use crate::config::Limits;
use crate::error::ApiError;
use crate::routes::exercises::{ExerciseReportFormat, add, report_text, runs, scorecard_of};

pub fn router(limits: &Limits) -> Router<AppState> {
    Router::new()
        .route(
            "/exercises",
            get(exercises_page)
                .post(upload_form)
                .layer(DefaultBodyLimit::max(limits.upload_bytes)),
        )
        .route("/exercises/{id}", get(exercise_page))
        .route("/exercises/{id}/report", get(report_download))
}

/// The list page, with the reasons the last upload was refused.
async fn list_view(
    state: &AppState,
    viewer: &Viewer,
    errors: Vec<FormError>,
) -> Result<ExercisesPage, ApiError> {
    viewer.caller.require(Role::Viewer)?;
    let runs = runs(state, &viewer.caller).await?;
    Ok(ExercisesPage {
        chrome: viewer.chrome(Tab::Incidents),
        runs: runs
            .iter()
            .map(|(info, card)| ExerciseRunItem {
                href: exercise_href(&info.id),
                title: info.title.clone(),
                created: rfc3339(info.created_at),
                created_by: info.created_by.clone(),
                ratings: RatingCell::all(card),
                counts: counts_text(card),
            })
            .collect(),
        errors,
    })
}

async fn exercises_page(State(state): State<AppState>, viewer: Viewer) -> Response {
    let page = async { html(&list_view(&state, &viewer, Vec::new()).await?) };
    viewer.page(Tab::Incidents, page.await)
}

/// An API error as the upload form's list of problems.
fn form_errors(error: &ApiError) -> Vec<FormError> {
    if error.body.diagnostics.is_empty() {
        vec![FormError::new(
            error.body.field.as_deref().unwrap_or_default(),
            error.body.message.clone(),
            None,
            &UPLOAD_FIELDS,
        )]
    } else {
        let mut errors = vec![FormError::new("", error.body.message.clone(), None, &[])];
        errors.extend(error.body.diagnostics.iter().map(|d| {
            FormError::new(
                "",
                format!("{}: {}", d.path, d.message),
                d.hint.clone(),
                &[],
            )
        }));
        errors
    }
}

async fn upload_form(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let page = async {
        let form = UploadForm::read(&viewer, multipart).await?;
        viewer.caller.require(Role::Analyst)?;
        if let Some((name, _)) = form.fields.iter().find(|(k, _)| k != "csrf") {
            return Err(ApiError::invalid(
                name,
                format!("unknown field `{}`", lifeline_text::excerpt(name)),
            ));
        }
        let kept = match form.file {
            Some(file) => add(&state, &viewer.caller, file.bytes.to_vec()).await,
            None => Err(ApiError::invalid("file", "choose a run record to upload")),
        };
        match kept {
            Ok(id) => Ok(Redirect::to(&exercise_href(&id)).into_response()),
            Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
                let status = e.status;
                let view = list_view(&state, &viewer, form_errors(&e)).await?;
                let mut response = html(&view)?;
                *response.status_mut() = status;
                Ok(response)
            }
            Err(e) => Err(e),
        }
    };
    viewer.page(Tab::Incidents, page.await)
}

async fn exercise_page(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let page = async {
        viewer.caller.require(Role::Viewer)?;
        let (stored, text) =
            report_text(&state, &viewer.caller, &id, ExerciseReportFormat::Html).await?;
        let card = scorecard_of(&stored)?;
        let base = format!("{}/report", exercise_href(&id));
        html(&ExercisePage {
            chrome: viewer.chrome(Tab::Incidents),
            title: stored.info.title.clone(),
            exercise: card.exercise.clone(),
            created: rfc3339(stored.info.created_at),
            created_by: stored.info.created_by.clone(),
            counts: counts_text(&card),
            objectives: ExercisePage::rows(&card),
            report: lifeline_web::pages::risk::body_of(&text).to_owned(),
            markdown_href: format!("{base}?format=markdown"),
            html_href: format!("{base}?format=html"),
        })
    };
    viewer.page(Tab::Incidents, page.await)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ReportQuery {
    format: Option<String>,
}

/// The after-action report as a file to keep.
async fn report_download(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
    uri: Uri,
) -> Response {
    let page = async {
        viewer.caller.require(Role::Viewer)?;
        let q: ReportQuery = query(&uri)?;
        let (format, content_type, extension) = match q.format.as_deref() {
            None | Some("markdown") => (
                ExerciseReportFormat::Markdown,
                "text/markdown; charset=utf-8",
                "md",
            ),
            Some("html") => (
                ExerciseReportFormat::Html,
                "text/html; charset=utf-8",
                "html",
            ),
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
        let (_, text) = report_text(&state, &viewer.caller, &id, format).await?;
        let name: String = id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect();
        // A file to keep, never a page of this site: sandboxed should a browser show it.
        Ok((
            [
                (
                    header::CONTENT_SECURITY_POLICY,
                    "sandbox; default-src 'none'; style-src 'unsafe-inline'".to_owned(),
                ),
                (header::CONTENT_TYPE, content_type.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"exercise-{name}-report.{extension}\""),
                ),
            ],
            text,
        )
            .into_response())
    };
    viewer.page(Tab::Incidents, page.await)
}
