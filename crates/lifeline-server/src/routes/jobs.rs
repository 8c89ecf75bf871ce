//! Jobs: their state and progress, and their results.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use lifeline_store::{Job, JobState, rfc3339};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, CommonErrors, ErrorBody};
use crate::extract::{PathParams, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get_job))
        .routes(routes!(result))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobRef {
    pub id: String,
    /// Where to follow the job: `GET` it for state and progress.
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobCreated {
    pub job: JobRef,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Progress {
    /// Steps done: scenarios of a stress test, replications of a Monte Carlo run.
    pub done: i64,
    pub total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobBody {
    pub id: String,
    /// `stress`, `simulate` or `montecarlo`.
    pub kind: String,
    pub network: String,
    pub network_version: i64,
    /// The parameters it was started with.
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub state: String,
    pub progress: Progress,
    /// Why it failed.
    pub error: Option<String>,
    /// Warnings about the network found on the way (as the CLI prints them).
    pub warnings: Vec<String>,
    /// The result's URL once it succeeded.
    pub result: Option<String>,
    pub created_at: String,
    pub created_by: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

fn body(state: &AppState, job: Job) -> JobBody {
    let done = match job.state {
        JobState::Running => state.jobs.progress(&job.id).unwrap_or(job.done),
        _ => job.done,
    };
    JobBody {
        result: (job.state == JobState::Succeeded)
            .then(|| format!("/api/v1/jobs/{}/result", job.id)),
        id: job.id,
        kind: job.kind.as_str().to_owned(),
        network: job.network_id,
        network_version: job.network_version,
        params: job.params,
        state: job.state.as_str().to_owned(),
        progress: Progress {
            done,
            total: job.total,
        },
        error: job.error,
        warnings: job.warnings,
        created_at: rfc3339(job.created_at),
        created_by: job.created_by,
        started_at: job.started_at.map(rfc3339),
        finished_at: job.finished_at.map(rfc3339),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobList {
    pub jobs: Vec<JobBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// At most this many jobs, newest first (1 to 1000; default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// The jobs the caller can see, newest first.
#[utoipa::path(get, path = "/jobs", tag = "jobs", params(ListQuery),
    responses((status = 200, description = "Jobs", body = JobList), CommonErrors))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<ListQuery>,
) -> ApiResult<Json<JobList>> {
    let jobs = state
        .store
        .jobs(&caller.access(), crate::extract::limit(query.limit)?)
        .await?;
    Ok(Json(JobList {
        jobs: jobs.into_iter().map(|j| body(&state, j)).collect(),
    }))
}

/// A job's state and progress.
#[utoipa::path(get, path = "/jobs/{id}", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses((status = 200, description = "The job", body = JobBody), CommonErrors))]
async fn get_job(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<JobBody>> {
    let job = state
        .store
        .job(&caller.access(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found("job", &id))?;
    Ok(Json(body(&state, job)))
}

/// A finished job's report: the CLI's `--format json` output for the same network and
/// parameters, byte for byte. 409 while the job is queued or running, or when it failed.
#[utoipa::path(get, path = "/jobs/{id}/result", tag = "jobs",
    params(("id" = String, Path, description = "Job id")),
    responses((status = 200, description = "The report", content_type = "application/json", body = Object),
        (status = 409, description = "Not finished, or failed", body = ErrorBody), CommonErrors))]
async fn result(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Response> {
    let (job, document) = state
        .store
        .job_result(&caller.access(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found("job", &id))?;
    match (job.state, document) {
        (JobState::Succeeded, Some(document)) => Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            document,
        )
            .into_response()),
        (JobState::Failed, _) => Err(ApiError::conflict(format!(
            "job `{id}` failed: {}",
            job.error.unwrap_or_default()
        ))),
        _ => Err(ApiError::conflict(format!(
            "job `{id}` is {}: its result is not ready",
            job.state.as_str()
        ))),
    }
}
