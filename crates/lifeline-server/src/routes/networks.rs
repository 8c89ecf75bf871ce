//! Networks: upload (JSON, YAML, or a zip of CSV tables) with the CLI's diagnostics,
//! versions, download, sharing with a partner organisation; and the jobs that run on them.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use lifeline_network::ReadLimits;
use lifeline_store::{JobKind, NetworkInfo, NetworkVersion, NewJob, Role, UploadFormat, rfc3339};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::analysis::{self, MonteCarloParams, SimulateParams, StressParams};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, CommonErrors, DiagnosticBody, ErrorBody, ZipFile};
use crate::extract::{JsonBody, PathParams, QueryParams, RawBody};
use crate::routes::jobs::{JobCreated, JobRef};

/// Routes that take a whole document as their body (the upload size limit applies).
pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload, list))
        .routes(routes!(add_version))
        .routes(routes!(validate))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_network))
        .routes(routes!(download))
        .routes(routes!(share))
        .routes(routes!(stress))
        .routes(routes!(simulate))
        .routes(routes!(montecarlo))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionBody {
    pub version: i64,
    /// `json`, `yaml` or `zip`.
    pub format: String,
    pub sha256: String,
    pub bytes: i64,
    /// Counts of nodes, edges, sites, platforms, items, scenarios and warnings.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    pub created_at: String,
    pub created_by: String,
}

impl VersionBody {
    fn of(v: &NetworkVersion) -> VersionBody {
        VersionBody {
            version: v.version,
            format: v.format.as_str().to_owned(),
            sha256: v.sha256.clone(),
            bytes: v.bytes,
            summary: v.summary.clone(),
            created_at: rfc3339(v.created_at),
            created_by: v.created_by.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkBody {
    pub id: String,
    pub name: String,
    /// The organisation it belongs to.
    pub org: String,
    /// Whether another organisation shared it with the caller's.
    pub shared: bool,
    pub created_at: String,
    /// The latest version's number.
    pub version: i64,
    pub latest: VersionBody,
    /// Every version, newest first (in a network's own view; empty in lists).
    pub versions: Vec<VersionBody>,
    /// The warnings of this upload (on upload only).
    pub warnings: Vec<DiagnosticBody>,
}

impl NetworkBody {
    fn of(info: &NetworkInfo, versions: &[NetworkVersion]) -> NetworkBody {
        NetworkBody {
            id: info.id.clone(),
            name: info.name.clone(),
            org: info.org_name.clone(),
            shared: info.shared,
            created_at: rfc3339(info.created_at),
            version: info.latest.version,
            latest: VersionBody::of(&info.latest),
            versions: versions.iter().map(VersionBody::of).collect(),
            warnings: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkList {
    pub networks: Vec<NetworkBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The network's name in this organisation (default: the `name` in the document).
    pub name: Option<String>,
}

/// Reads an uploaded network off the async threads: what loaded, and its stored form.
async fn read_upload(
    format: UploadFormat,
    body: Bytes,
) -> ApiResult<(lifeline_network::Loaded, lifeline_store::NetworkUpload)> {
    crate::blocking("upload", move || {
        let loaded = analysis::load(format, &body, &ReadLimits::default())?;
        let upload = analysis::upload_of(format, &body, &loaded);
        Ok((loaded, upload))
    })
    .await
}

fn format_of(headers: &HeaderMap) -> ApiResult<UploadFormat> {
    analysis::upload_format(crate::extract::content_type(headers).as_deref())
}

/// Uploads a network: `application/json`, `application/yaml`, or `application/zip` (a zip
/// of the CSV tables `lifeline validate` reads from a folder). An invalid network is
/// refused with every diagnostic, each naming the entity and field.
#[utoipa::path(post, path = "/networks", tag = "networks", params(UploadQuery),
    request_body(content(
        (Object = "application/json"),
        (String = "application/yaml"),
        (ZipFile = "application/zip")),
        description = "The network document"),
    responses((status = 201, description = "Stored as version 1", body = NetworkBody),
        (status = 409, description = "A network of that name exists", body = ErrorBody),
        CommonErrors))]
async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<UploadQuery>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<(StatusCode, Json<NetworkBody>)> {
    caller.require(Role::Analyst)?;
    let (id, warnings) =
        store_network(&state, &caller, format_of(&headers)?, body, query.name).await?;
    stored_response(&state, &caller, &id, &warnings).await
}

/// Reads an uploaded network and stores it as a new network of the caller's organisation,
/// named `name` or else by the document: its id, and the warnings it loaded with.
pub(crate) async fn store_network(
    state: &AppState,
    caller: &Caller,
    format: UploadFormat,
    body: Bytes,
    name: Option<String>,
) -> ApiResult<(String, Vec<lifeline_network::Diagnostic>)> {
    caller.require(Role::Analyst)?;
    let (loaded, upload) = read_upload(format, body).await?;
    let name = name.unwrap_or_else(|| loaded.network.network().name.clone());
    let name = if name.is_empty() {
        "network".to_owned()
    } else {
        name
    };
    let (id, _) = state
        .store
        .create_network(&caller.user.org_id, &name, &upload, &caller.user.name)
        .await?;
    Ok((id, loaded.warnings))
}

async fn stored_response(
    state: &AppState,
    caller: &Caller,
    id: &str,
    warnings: &[lifeline_network::Diagnostic],
) -> ApiResult<(StatusCode, Json<NetworkBody>)> {
    let (info, versions) = state
        .store
        .network(&caller.access(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("network", id))?;
    let mut body = NetworkBody::of(&info, &versions);
    body.warnings = warnings.iter().map(DiagnosticBody::of).collect();
    Ok((StatusCode::CREATED, Json(body)))
}

/// The networks the caller can read: the organisation's own and those shared with it.
#[utoipa::path(get, path = "/networks", tag = "networks",
    responses((status = 200, description = "Networks, newest first", body = NetworkList), CommonErrors))]
async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<NetworkList>> {
    let networks = state.store.networks(&caller.access()).await?;
    Ok(Json(NetworkList {
        networks: networks.iter().map(|n| NetworkBody::of(n, &[])).collect(),
    }))
}

/// Uploads a new version of a network; earlier versions are kept.
#[utoipa::path(post, path = "/networks/{id}/versions", tag = "networks",
    params(("id" = String, Path, description = "Network id")),
    request_body(content(
        (Object = "application/json"),
        (String = "application/yaml"),
        (ZipFile = "application/zip")),
        description = "The network document"),
    responses((status = 201, description = "Stored as the next version", body = NetworkBody),
        CommonErrors))]
async fn add_version(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<(StatusCode, Json<NetworkBody>)> {
    caller.require(Role::Analyst)?;
    let (loaded, upload) = read_upload(format_of(&headers)?, body).await?;
    state
        .store
        .add_network_version(&caller.user.org_id, &id, &upload, &caller.user.name)
        .await?;
    stored_response(&state, &caller, &id, &loaded.warnings).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationBody {
    pub valid: bool,
    /// Every error and warning, as `lifeline validate` lists them.
    pub diagnostics: Vec<DiagnosticBody>,
}

/// Checks a network document without storing it: `lifeline validate`'s diagnostics.
#[utoipa::path(post, path = "/validate", tag = "networks",
    request_body(content(
        (Object = "application/json"),
        (String = "application/yaml"),
        (ZipFile = "application/zip")),
        description = "The network document"),
    responses((status = 200, description = "The verdict, with every diagnostic", body = ValidationBody),
        CommonErrors))]
async fn validate(
    caller: Caller,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Json<ValidationBody>> {
    let _ = caller;
    match read_upload(format_of(&headers)?, body).await {
        Ok((loaded, _)) => Ok(Json(ValidationBody {
            valid: true,
            diagnostics: loaded.warnings.iter().map(DiagnosticBody::of).collect(),
        })),
        Err(e) if !e.body.diagnostics.is_empty() => Ok(Json(ValidationBody {
            valid: false,
            diagnostics: e.body.diagnostics,
        })),
        Err(e) => Err(e),
    }
}

/// One network with all its versions.
#[utoipa::path(get, path = "/networks/{id}", tag = "networks",
    params(("id" = String, Path, description = "Network id")),
    responses((status = 200, description = "The network", body = NetworkBody), CommonErrors))]
async fn get_network(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<NetworkBody>> {
    let (info, versions) = state
        .store
        .network(&caller.access(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found("network", &id))?;
    Ok(Json(NetworkBody::of(&info, &versions)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// The version (default: the latest).
    #[param(minimum = 1)]
    pub version: Option<i64>,
}

/// Downloads a version of a network exactly as it was uploaded.
#[utoipa::path(get, path = "/networks/{id}/download", tag = "networks",
    params(("id" = String, Path, description = "Network id"), VersionQuery),
    responses((status = 200, description = "The document as uploaded",
        content((Object = "application/json"), (Object = "application/yaml"), (ZipFile = "application/zip"))),
        CommonErrors))]
async fn download(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    QueryParams(query): QueryParams<VersionQuery>,
) -> ApiResult<Response> {
    let stored = state
        .store
        .network_body(&caller.access(), &id, query.version)
        .await?
        .ok_or_else(|| ApiError::not_found("network", &id))?;
    let (content_type, extension, bytes) = match stored.version.format {
        UploadFormat::Json => ("application/json", "json", stored.body.into_bytes()),
        UploadFormat::Yaml => ("application/yaml", "yaml", stored.body.into_bytes()),
        UploadFormat::Zip => (
            "application/zip",
            "zip",
            base64::engine::general_purpose::STANDARD
                .decode(&stored.body)
                .map_err(|e| ApiError::internal("stored zip", &e))?,
        ),
    };
    let disposition = format!(
        "attachment; filename=\"{}-v{}.{extension}\"",
        stored.id, stored.version.version
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    /// The partner organisation's name.
    pub org: String,
}

/// Shares a network, its versions and its job results with another organisation,
/// read-only (admins only).
#[utoipa::path(post, path = "/networks/{id}/shares", tag = "networks",
    params(("id" = String, Path, description = "Network id")),
    request_body = ShareRequest,
    responses((status = 204, description = "Shared"), CommonErrors))]
async fn share(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(request): JsonBody<ShareRequest>,
) -> ApiResult<StatusCode> {
    caller.require(Role::Admin)?;
    state
        .store
        .share_network(&caller.user.org_id, &id, &request.org, &caller.user.name)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Checks a job against its network and queues it: 202 with the job's URL.
async fn queue(
    state: &AppState,
    caller: &Caller,
    id: &str,
    kind: JobKind,
    version: Option<i64>,
    params: serde_json::Value,
) -> ApiResult<Response> {
    let job_id = queue_job(state, caller, id, kind, version, params).await?;
    let url = format!("/api/v1/jobs/{job_id}");
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, url.clone())],
        Json(JobCreated {
            job: JobRef { id: job_id, url },
        }),
    )
        .into_response())
}

/// Checks a job against its network and queues it; returns the job's id.
pub(crate) async fn queue_job(
    state: &AppState,
    caller: &Caller,
    id: &str,
    kind: JobKind,
    version: Option<i64>,
    params: serde_json::Value,
) -> ApiResult<String> {
    caller.require(Role::Analyst)?;
    let stored = state
        .store
        .network_body(&caller.access(), id, version)
        .await?
        .ok_or_else(|| match version {
            Some(v) => ApiError::not_found("network version", &format!("{id} v{v}")),
            None => ApiError::not_found("network", id),
        })?;
    let version = stored.version.version;
    let checked = params.clone();
    let total = crate::blocking("job check", move || {
        let loaded = analysis::load_stored(&stored)?;
        analysis::prepare(kind, &checked, &loaded.network).map(|p| p.total())
    })
    .await?;
    let job = NewJob {
        kind,
        network_id: id.to_owned(),
        network_version: version,
        params,
        total,
    };
    let job_id = state
        .store
        .queue_job(&caller.user.org_id, &job, &caller.user.name)
        .await?;
    state.jobs.submit(job_id.clone());
    Ok(job_id)
}

/// Starts a stress test of a network (every scenario, or those given): 202 and the job's
/// URL; the result is `lifeline stress --format json`'s report, byte for byte.
#[utoipa::path(post, path = "/networks/{id}/stress", tag = "jobs",
    params(("id" = String, Path, description = "Network id")),
    request_body = StressParams,
    responses((status = 202, description = "Queued", body = JobCreated,
        headers(("location" = String, description = "The job's URL"))), CommonErrors))]
async fn stress(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(params): JsonBody<StressParams>,
) -> ApiResult<Response> {
    let version = params.version;
    let value = serde_json::json!({
        "scenarios": params.scenarios, "top": params.top, "solve_all": params.solve_all
    });
    queue(&state, &caller, &id, JobKind::Stress, version, value).await
}

/// Starts a day-by-day simulation of one scenario: the result is `lifeline simulate
/// --format json`'s report.
#[utoipa::path(post, path = "/networks/{id}/simulate", tag = "jobs",
    params(("id" = String, Path, description = "Network id")),
    request_body = SimulateParams,
    responses((status = 202, description = "Queued", body = JobCreated,
        headers(("location" = String, description = "The job's URL"))), CommonErrors))]
async fn simulate(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(params): JsonBody<SimulateParams>,
) -> ApiResult<Response> {
    let version = params.version;
    let value = serde_json::json!({
        "scenario": params.scenario, "scenarios": params.scenarios, "days": params.days
    });
    queue(&state, &caller, &id, JobKind::Simulate, version, value).await
}

/// Starts a Monte Carlo run of an outage of drawn length: the result is `lifeline
/// montecarlo --format json`'s report.
#[utoipa::path(post, path = "/networks/{id}/montecarlo", tag = "jobs",
    params(("id" = String, Path, description = "Network id")),
    request_body = MonteCarloParams,
    responses((status = 202, description = "Queued", body = JobCreated,
        headers(("location" = String, description = "The job's URL"))), CommonErrors))]
async fn montecarlo(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(params): JsonBody<MonteCarloParams>,
) -> ApiResult<Response> {
    let version = params.version;
    let value = params.job_params();
    queue(&state, &caller, &id, JobKind::Montecarlo, version, value).await
}
