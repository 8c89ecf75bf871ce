//! Tabletop exercise runs (issue 16) kept with the server's roles: a run record that
//! `lifeline exercise run --record` wrote is uploaded, read by lifeline-response's
//! `exercise::read::run_from_str` (the exercise it embeds checked again), scored by
//! `exercise::score` exactly as `lifeline exercise score` scores it, and kept with its
//! exercise and scorecard; the after-action report is written from what was kept.
//!
//! Viewers read, analysts and admins upload; partners see none of it (a run is the
//! organisation's own), and another organisation's runs are unknown.

use std::path::Path;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lifeline_response::exercise::{self, Run, Scorecard, read::RunError, report};
use lifeline_store::{ExerciseRunInfo, NewExerciseRun, Role, StoredExerciseRun, rfc3339};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, CommonErrors, DiagnosticBody};
use crate::extract::{NoQuery, PathParams, QueryParams, RawBody, content_type};

/// The upload (a run record can be large: it embeds its exercise and every impact), under
/// the upload limit.
pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upload_run, list_runs))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_run))
        .routes(routes!(run_report))
}

/// The name a run record goes by in error messages.
const RECORD: &str = "run.json";

/// A run record's text read as lifeline-response reads it, with every problem as a 422
/// naming the field (or each problem of the exercise it embeds, at its path).
pub(crate) fn read_run(body: &[u8]) -> ApiResult<Run> {
    let text = crate::analysis::stored_text(body, RECORD)?;
    exercise::read::run_from_str(text, Path::new(RECORD)).map_err(|e| match e {
        RunError::Syntax { .. } => ApiError::invalid_document(e.to_string(), Vec::new()),
        RunError::Format { .. } => ApiError::invalid("format", e.to_string()),
        RunError::Exercise {
            ref diagnostics, ..
        } => ApiError::invalid_document(
            format!(
                "`{RECORD}`: the exercise it records is not valid ({} error(s))",
                diagnostics.error_count()
            ),
            diagnostics.0.iter().map(DiagnosticBody::of).collect(),
        )
        .with_field("exercise"),
        RunError::Invalid { ref field, .. } => ApiError::invalid(field, e.to_string()),
    })
}

/// A run to keep: the run read and scored, its exercise, record and scorecard as JSON.
pub(crate) fn scored(body: &[u8]) -> ApiResult<NewExerciseRun> {
    let run = read_run(body)?;
    let card = exercise::score(&run.exercise, &run);
    Ok(NewExerciseRun {
        title: lifeline_text::excerpt_to(&run.exercise.title, 500).into_owned(),
        exercise: pretty("exercise", &run.exercise)?,
        run: pretty("run record", &run)?,
        scorecard: pretty("scorecard", &card)?,
    })
}

/// `value` as pretty JSON with a final newline.
fn pretty<T: Serialize>(what: &str, value: &T) -> ApiResult<String> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| ApiError::internal(what, &e))?;
    text.push('\n');
    Ok(text)
}

/// Keeps an uploaded run of the caller's organisation; its id.
pub(crate) async fn add(state: &AppState, caller: &Caller, body: Vec<u8>) -> ApiResult<String> {
    caller.require(Role::Analyst)?;
    let new = crate::blocking("exercise run", move || scored(&body)).await?;
    Ok(state
        .store
        .add_exercise_run(&caller.user.org_id, &new, &caller.user.name)
        .await?)
}

/// A kept run, or 404 (another organisation's runs are unknown; partners are refused
/// before).
pub(crate) async fn stored(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<StoredExerciseRun> {
    state
        .store
        .exercise_run(&caller.access(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("exercise run", id))
}

/// The scorecard kept with a run.
pub(crate) fn scorecard_of(stored: &StoredExerciseRun) -> ApiResult<Scorecard> {
    serde_json::from_str(&stored.scorecard).map_err(|e| {
        ApiError::conflict(format!(
            "a stored scorecard does not read with this version of lifeline: upload the run again ({})",
            lifeline_text::excerpt_to(&e.to_string(), 300)
        ))
    })
}

/// The run record kept with a run, read again as an upload is.
fn run_of(stored: &StoredExerciseRun) -> ApiResult<Run> {
    read_run(stored.run.as_bytes()).map_err(|e| {
        ApiError::conflict(format!(
            "a stored run record does not read with this version of lifeline: upload it again ({})",
            lifeline_text::excerpt_to(&e.body.message, 300)
        ))
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectiveRating {
    pub objective: String,
    pub title: String,
    /// HSEEP's rating: `P`, `S`, `M` or `U`.
    pub rating: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExerciseRunSummary {
    pub id: String,
    pub title: String,
    /// The exercise's id.
    pub exercise: String,
    pub created_at: String,
    pub created_by: String,
    /// Each objective's rating, in the exercise's order.
    pub ratings: Vec<ObjectiveRating>,
    /// How many objectives got P, S, M and U.
    pub counts: [usize; 4],
    pub url: String,
}

impl ExerciseRunSummary {
    pub(crate) fn of(info: &ExerciseRunInfo, card: &Scorecard) -> ExerciseRunSummary {
        ExerciseRunSummary {
            id: info.id.clone(),
            title: info.title.clone(),
            exercise: card.exercise.clone(),
            created_at: rfc3339(info.created_at),
            created_by: info.created_by.clone(),
            ratings: card
                .objectives
                .iter()
                .map(|o| ObjectiveRating {
                    objective: o.id.clone(),
                    title: o.title.clone(),
                    rating: o.rating.letter().to_owned(),
                })
                .collect(),
            counts: card.counts,
            url: run_url(&info.id),
        }
    }
}

fn run_url(id: &str) -> String {
    format!(
        "/api/v1/exercise-runs/{}",
        lifeline_text::percent_encoded(id)
    )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExerciseRunBody {
    #[serde(flatten)]
    pub summary: ExerciseRunSummary,
    /// lifeline-response's scorecard, as `lifeline exercise score --format json` prints
    /// it: every objective's rating with its reason and each expected action's outcome.
    #[schema(value_type = Object)]
    pub scorecard: serde_json::Value,
}

async fn run_body(state: &AppState, caller: &Caller, id: &str) -> ApiResult<ExerciseRunBody> {
    let stored = stored(state, caller, id).await?;
    let card = scorecard_of(&stored)?;
    Ok(ExerciseRunBody {
        summary: ExerciseRunSummary::of(&stored.info, &card),
        scorecard: serde_json::to_value(&card).map_err(|e| ApiError::internal("scorecard", &e))?,
    })
}

/// Keeps a tabletop exercise run: the run record `lifeline exercise run --record` wrote
/// (the exercise it embeds is checked again), scored against the exercise's objectives
/// as `lifeline exercise score` scores it.
#[utoipa::path(post, path = "/exercise-runs", tag = "incidents",
    request_body(content((Object = "application/json")),
        description = "The run record (`lifeline-exercise-run/1`)"),
    responses((status = 201, description = "Kept and scored", body = ExerciseRunBody),
        CommonErrors))]
async fn upload_run(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    QueryParams(NoQuery {}): QueryParams<NoQuery>,
    RawBody(body): RawBody,
) -> ApiResult<(StatusCode, Json<ExerciseRunBody>)> {
    caller.require(Role::Analyst)?;
    if content_type(&headers).as_deref() != Some("application/json") {
        return Err(ApiError::unsupported_media_type(
            "a run record is application/json",
        ));
    }
    let id = add(&state, &caller, body.to_vec()).await?;
    Ok((
        StatusCode::CREATED,
        Json(run_body(&state, &caller, &id).await?),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExerciseRunList {
    pub runs: Vec<ExerciseRunSummary>,
}

/// The organisation's runs with their scores: each kept run and its scorecard.
pub(crate) async fn runs(
    state: &AppState,
    caller: &Caller,
) -> ApiResult<Vec<(ExerciseRunInfo, Scorecard)>> {
    let access = caller.access();
    let infos = state.store.exercise_runs(&access).await?;
    let mut out = Vec::with_capacity(infos.len());
    for info in infos {
        // A run removed between the two reads is left out.
        if let Some(stored) = state.store.exercise_run(&access, &info.id).await? {
            let card = scorecard_of(&stored)?;
            out.push((info, card));
        }
    }
    Ok(out)
}

/// The organisation's exercise runs, newest first, with each objective's rating.
#[utoipa::path(get, path = "/exercise-runs", tag = "incidents",
    responses((status = 200, description = "The runs", body = ExerciseRunList), CommonErrors))]
async fn list_runs(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(NoQuery {}): QueryParams<NoQuery>,
) -> ApiResult<Json<ExerciseRunList>> {
    caller.require(Role::Viewer)?;
    let runs = runs(&state, &caller).await?;
    Ok(Json(ExerciseRunList {
        runs: runs
            .iter()
            .map(|(info, card)| ExerciseRunSummary::of(info, card))
            .collect(),
    }))
}

/// One exercise run with its scorecard.
#[utoipa::path(get, path = "/exercise-runs/{id}", tag = "incidents",
    params(("id" = String, Path, description = "Exercise run id")),
    responses((status = 200, description = "The run and its scorecard", body = ExerciseRunBody),
        CommonErrors))]
async fn get_run(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    QueryParams(NoQuery {}): QueryParams<NoQuery>,
) -> ApiResult<Json<ExerciseRunBody>> {
    caller.require(Role::Viewer)?;
    Ok(Json(run_body(&state, &caller, &id).await?))
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExerciseReportFormat {
    #[default]
    Markdown,
    Html,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExerciseReportQuery {
    /// `markdown` (default) or `html`.
    #[param(inline)]
    pub format: Option<ExerciseReportFormat>,
}

/// The after-action report of a kept run in `format`, as `lifeline exercise report`
/// writes it.
pub(crate) async fn report_text(
    state: &AppState,
    caller: &Caller,
    id: &str,
    format: ExerciseReportFormat,
) -> ApiResult<(StoredExerciseRun, String)> {
    let stored = stored(state, caller, id).await?;
    crate::blocking("after-action report", move || {
        let run = run_of(&stored)?;
        let card = scorecard_of(&stored)?;
        let document = report::after_action(&run.exercise, &run, &card);
        let text = match format {
            ExerciseReportFormat::Markdown => report::markdown(&document),
            ExerciseReportFormat::Html => report::html(&document),
        };
        Ok((stored, text))
    })
    .await
}

/// The run's after-action report and improvement plan: objectives rated P/S/M/U with
/// their reasons, what was done late or not at all, and who owns each improvement.
#[utoipa::path(get, path = "/exercise-runs/{id}/report", tag = "incidents",
    params(("id" = String, Path, description = "Exercise run id"), ExerciseReportQuery),
    responses((status = 200, description = "The report",
        content((String = "text/markdown"), (String = "text/html"))), CommonErrors))]
async fn run_report(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    QueryParams(query): QueryParams<ExerciseReportQuery>,
) -> ApiResult<Response> {
    caller.require(Role::Viewer)?;
    let format = query.format.unwrap_or_default();
    let (_, text) = report_text(&state, &caller, &id, format).await?;
    let content_type = match format {
        ExerciseReportFormat::Markdown => "text/markdown; charset=utf-8",
        ExerciseReportFormat::Html => "text/html; charset=utf-8",
    };
    let mut response = ([(header::CONTENT_TYPE, content_type)], text).into_response();
    if format == ExerciseReportFormat::Html {
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
