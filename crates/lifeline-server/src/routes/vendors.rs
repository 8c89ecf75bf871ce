//! The vendor cyber-risk register (issue 15) as a service: the organisation's vendor
//! register (`lifeline-vendors/1`, read by lifeline-risk exactly as `lifeline vendors
//! validate` reads it), its scoring against a network's stress test and the
//! organisation's SBOM findings (`lifeline risk register`'s JSON, byte for byte), one-time
//! questionnaire links for vendors, and evidence files sealed at rest.
//!
//! Viewers read, analysts and admins write; partners see none of it (a register is the
//! organisation's own and is never shared). Storage is lifeline-store's, analysis
//! lifeline-risk's: handlers check, load and answer.

use std::path::Path;
use std::str::FromStr as _;

use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lifeline_network::{Format, LoadError, ValidatedNetwork};
use lifeline_risk::questionnaire::Framework;
use lifeline_risk::register::{LoadedRegister, RegisterError};
use lifeline_risk::{Register, RiskRegister};
use lifeline_store::{
    EvidenceFileInfo, JobKind, JobState, LinkState, NewEvidenceFile, NewVendorRegister,
    QuestionnaireLink, RegisterFormat, Role, StoredVendorRegister, VendorRegisterInfo, now_ms,
    rfc3339,
};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::analysis;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, CommonErrors, DiagnosticBody, ErrorBody};
use crate::extract::{JsonBody, PathParams, QueryParams, RawBody, content_type};

/// The name the organisation's SBOM scan is read under: the `source` of the findings in
/// the risk register, as `lifeline risk register --findings sboms.scan.json` names them.
pub const SCAN_ORIGIN: &str = "sboms.scan.json";
/// The longest `within` of the reminders, in days.
const MAX_WITHIN_DAYS: i64 = 3650;

/// Routes that take a whole document as their body (the upload size limit applies).
pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_register, current_register))
        .routes(routes!(upload_evidence, list_evidence))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(risk))
        .routes(routes!(heatmap))
        .routes(routes!(create_questionnaire, list_questionnaires))
        .routes(routes!(revoke_questionnaire))
        .routes(routes!(download_evidence))
        .routes(routes!(reminders))
}

// ---------------------------------------------------------------------------------------
// The register

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterVersionBody {
    pub version: i64,
    /// `json` or `yaml`: how it was uploaded.
    pub format: String,
    /// SHA-256 of the text as uploaded.
    pub sha256: String,
    pub bytes: i64,
    /// Vendors it lists.
    pub vendors: i64,
    /// `upload`, or `questionnaire:<link id>` for a vendor's submitted answers.
    pub source: String,
    pub created_at: String,
    pub created_by: String,
}

impl RegisterVersionBody {
    fn of(info: &VendorRegisterInfo) -> RegisterVersionBody {
        RegisterVersionBody {
            version: info.version,
            format: info.format.as_str().to_owned(),
            sha256: info.sha256.clone(),
            bytes: info.bytes,
            vendors: info.vendors,
            source: info.source.clone(),
            created_at: rfc3339(info.created_at),
            created_by: info.created_by.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterStored {
    #[serde(flatten)]
    pub version: RegisterVersionBody,
    /// The warnings it loaded with (unknown fields, unknown question ids).
    pub warnings: Vec<DiagnosticBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterBody {
    /// The current version, or `null` before the first upload.
    pub current: Option<RegisterVersionBody>,
    /// The current register as lifeline-risk read it (canonical JSON, answers submitted
    /// through questionnaire links merged in), or `null`.
    #[schema(value_type = Option<Object>)]
    pub register: Option<serde_json::Value>,
    /// Every version, newest first.
    pub versions: Vec<RegisterVersionBody>,
}

fn register_format(headers: &HeaderMap) -> ApiResult<RegisterFormat> {
    match content_type(headers).as_deref() {
        Some("application/json") => Ok(RegisterFormat::Json),
        Some("application/yaml" | "application/x-yaml" | "text/yaml") => Ok(RegisterFormat::Yaml),
        _ => Err(ApiError::unsupported_media_type(
            "a vendor register is application/json or application/yaml",
        )),
    }
}

fn syntax(format: RegisterFormat) -> Format {
    match format {
        RegisterFormat::Json => Format::Json,
        RegisterFormat::Yaml => Format::Yaml,
    }
}

/// Why a register did not load, as an API error listing every diagnostic.
fn register_error(error: RegisterError, name: &str) -> ApiError {
    match error {
        RegisterError::Invalid { diagnostics, .. } => ApiError::invalid_document(
            format!(
                "`{name}` is not a valid vendor register ({} error(s))",
                diagnostics.error_count()
            ),
            diagnostics.0.iter().map(DiagnosticBody::of).collect(),
        ),
        RegisterError::Load(LoadError::Invalid { diagnostics, .. }) => ApiError::invalid_document(
            format!(
                "`{name}` is not a valid vendor register ({} error(s))",
                diagnostics.error_count()
            ),
            diagnostics.0.iter().map(DiagnosticBody::of).collect(),
        ),
        RegisterError::Load(error @ LoadError::Limit { .. }) => {
            ApiError::too_large(error.to_string())
        }
        RegisterError::Load(other) => ApiError::invalid_document(other.to_string(), Vec::new()),
    }
}

/// The canonical JSON of a register: what lifeline-risk read, as it serialises it.
pub(crate) fn canonical(register: &Register) -> ApiResult<String> {
    let mut text = serde_json::to_string_pretty(register)
        .map_err(|e| ApiError::internal("canonical register", &e))?;
    text.push('\n');
    Ok(text)
}

fn vendor_count(register: &Register) -> i64 {
    i64::try_from(register.vendors.len()).unwrap_or(i64::MAX)
}

/// Reads an uploaded register (off the async threads) into what is stored.
async fn read_register(
    format: RegisterFormat,
    body: Bytes,
) -> ApiResult<(NewVendorRegister, Vec<lifeline_network::Diagnostic>)> {
    crate::blocking("vendor register upload", move || {
        let name = match format {
            RegisterFormat::Json => "upload.json",
            RegisterFormat::Yaml => "upload.yaml",
        };
        let text = crate::analysis::stored_text(&body, name)?;
        let LoadedRegister { register, warnings } =
            lifeline_risk::register::from_str(text, syntax(format), Path::new(name), None)
                .map_err(|e| register_error(e, name))?;
        let upload = NewVendorRegister {
            format,
            body: text.to_owned(),
            canonical: canonical(&register)?,
            sha256: lifeline_store::sha256_hex(&body),
            bytes: i64::try_from(body.len()).unwrap_or(i64::MAX),
            vendors: vendor_count(&register),
        };
        Ok((upload, warnings))
    })
    .await
}

/// Uploads the organisation's vendor register (`lifeline-vendors/1`, JSON or YAML) as its
/// next version; the latest version is the current one. An invalid register is refused
/// with every diagnostic, as `lifeline vendors validate` lists them.
#[utoipa::path(put, path = "/vendors", tag = "vendors",
    request_body(content((Object = "application/json"), (String = "application/yaml")),
        description = "The vendor register"),
    responses((status = 201, description = "Stored as the next version", body = RegisterStored),
        CommonErrors))]
async fn upload_register(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<(StatusCode, Json<RegisterStored>)> {
    caller.require(Role::Analyst)?;
    let (upload, warnings) = read_register(register_format(&headers)?, body).await?;
    let version = state
        .store
        .add_vendor_register(&caller.user.org_id, &upload, &caller.user.name)
        .await?;
    let stored = state
        .store
        .vendor_register(&caller.access(), Some(version))
        .await?
        .ok_or_else(|| ApiError::not_found("vendor register version", &version.to_string()))?;
    Ok((
        StatusCode::CREATED,
        Json(RegisterStored {
            version: RegisterVersionBody::of(&stored.info),
            warnings: warnings.iter().map(DiagnosticBody::of).collect(),
        }),
    ))
}

/// The organisation's current vendor register and its versions.
#[utoipa::path(get, path = "/vendors", tag = "vendors",
    responses((status = 200, description = "The current register", body = RegisterBody),
        CommonErrors))]
async fn current_register(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<RegisterBody>> {
    caller.require(Role::Viewer)?;
    let access = caller.access();
    let current = state.store.vendor_register(&access, None).await?;
    let versions = state.store.vendor_registers(&access).await?;
    let register = current
        .as_ref()
        .map(|c| {
            serde_json::from_str(&c.canonical)
                .map_err(|e| ApiError::internal("stored canonical register", &e))
        })
        .transpose()?;
    Ok(Json(RegisterBody {
        current: current.as_ref().map(|c| RegisterVersionBody::of(&c.info)),
        register,
        versions: versions.iter().map(RegisterVersionBody::of).collect(),
    }))
}

/// The current register of the caller's organisation, read back (a merged version from
/// its canonical JSON, an upload from its text as uploaded, as the CLI would read that
/// file), or 409 when none was uploaded.
pub(crate) async fn load_register(
    state: &AppState,
    caller: &Caller,
    network: Option<ValidatedNetwork>,
) -> ApiResult<(StoredVendorRegister, Register, Option<ValidatedNetwork>)> {
    let stored = state
        .store
        .vendor_register(&caller.access(), None)
        .await?
        .ok_or_else(no_register)?;
    let text = stored.body.clone();
    let format = stored.info.format;
    let (register, network) = crate::blocking("stored vendor register", move || {
        let name = match format {
            RegisterFormat::Json => "vendors.json",
            RegisterFormat::Yaml => "vendors.yaml",
        };
        let loaded = lifeline_risk::register::from_str(
            &text,
            syntax(format),
            Path::new(name),
            network.as_ref(),
        )
        // It validated when it was stored; a later lifeline may read it more strictly.
        // That is for an analyst to fix, not a server error.
        .map_err(|e| {
            ApiError::conflict(format!(
                "the stored vendor register does not read with this version of lifeline: fix it and upload it again with PUT /api/v1/vendors ({})",
                lifeline_text::excerpt_to(&e.to_string(), 600)
            ))
        })?;
        Ok((loaded.register, network))
    })
    .await?;
    Ok((stored, register, network))
}

fn no_register() -> ApiError {
    ApiError::conflict(
        "no vendor register is stored in this organisation: an analyst uploads one with PUT /api/v1/vendors",
    )
}

/// The current register, for routes about one of its vendors: 404 when the vendor is not
/// in it (nor is there a register), as for any id the caller cannot see.
pub(crate) async fn register_with_vendor(
    state: &AppState,
    caller: &Caller,
    vendor: &str,
) -> ApiResult<Register> {
    let missing = || ApiError::not_found("vendor", vendor);
    if state
        .store
        .vendor_register(&caller.access(), None)
        .await?
        .is_none()
    {
        return Err(missing());
    }
    let (_, register, _) = load_register(state, caller, None).await?;
    if register.vendor(vendor).is_none() {
        return Err(missing());
    }
    Ok(register)
}

// ---------------------------------------------------------------------------------------
// Scoring

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RiskFormat {
    /// `lifeline risk register --format json`.
    #[default]
    Json,
    /// `--format csv`.
    Csv,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RiskQuery {
    /// The day the register is judged on, YYYY-MM-DD (default: the register's `as_of`,
    /// else today, UTC).
    pub as_of: Option<String>,
    /// `json` (default) or `csv`.
    #[param(inline)]
    pub format: Option<RiskFormat>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// The day the register is judged on, YYYY-MM-DD (default: the register's `as_of`,
    /// else today, UTC).
    pub as_of: Option<String>,
}

pub(crate) fn parse_as_of(text: Option<&str>) -> ApiResult<Option<Date>> {
    text.map(|t| {
        lifeline_risk::date::parse(t)
            .ok_or_else(|| ApiError::invalid("as_of", "must be a date, YYYY-MM-DD"))
    })
    .transpose()
}

fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// A scored register and what it was scored from.
pub(crate) struct Assessed {
    pub register: RiskRegister,
}

/// Scores the organisation's current vendor register against network `id`: the network
/// version of its latest finished stress test, that test's report, and the organisation's
/// SBOMs scanned against its advisories (read as `lifeline risk register --findings`
/// reads a `lifeline sbom scan --format json` document). 409 when there is no register or
/// no finished stress test.
pub(crate) async fn assess(
    state: &AppState,
    caller: &Caller,
    id: &str,
    as_of: Option<Date>,
) -> ApiResult<Assessed> {
    let access = caller.access();
    // The network first: an id the caller cannot see is a 404 before anything else.
    if state.store.network(&access, id).await?.is_none() {
        return Err(ApiError::not_found("network", id));
    }
    let job = state
        .store
        .latest_job(&access, id, JobKind::Stress, Some(JobState::Succeeded))
        .await?
        .ok_or_else(|| {
            ApiError::conflict(format!(
                "network `{}` has no finished stress test to weigh impact with: start one with POST /api/v1/networks/{}/stress",
                lifeline_text::excerpt(id),
                lifeline_text::excerpt(id)
            ))
        })?;
    let report_text = state
        .store
        .job_result(&access, &job.id)
        .await?
        .and_then(|(_, text)| text)
        .ok_or_else(|| ApiError::not_found("job result", &job.id))?;
    let stored = state
        .store
        .network_body(&access, id, Some(job.network_version))
        .await?
        .ok_or_else(|| ApiError::not_found("network", id))?;
    let network = crate::blocking("network", move || analysis::load_stored(&stored)).await?;
    let (_, vendors, network) = load_register(state, caller, Some(network.network)).await?;
    let network = network.ok_or_else(|| ApiError::internal("risk", &"the network was lost"))?;
    let scan = scan_text(state, caller).await?;
    crate::blocking("risk register", move || {
        let stress: lifeline_stress::Report = serde_json::from_str(&report_text)
            .map_err(|e| ApiError::internal("stored stress report", &e))?;
        let observations = match scan {
            Some(text) => vec![
                lifeline_risk::findings::read(&text, SCAN_ORIGIN)
                    .map_err(|e| ApiError::internal("SBOM scan", &e))?,
            ],
            None => Vec::new(),
        };
        let as_of = as_of.or(vendors.as_of).unwrap_or_else(today);
        let register = lifeline_risk::score::score(&lifeline_risk::score::Inputs {
            register: &vendors,
            network: &network,
            stress: &stress,
            observations: &observations,
            as_of,
        });
        Ok(Assessed { register })
    })
    .await
}

/// The organisation's SBOMs scanned against its advisories, as the JSON document of
/// `lifeline sbom scan --format json`; `None` when it has no SBOM or no OSV advisory.
async fn scan_text(state: &AppState, caller: &Caller) -> ApiResult<Option<String>> {
    let access = caller.access();
    let sboms = state.store.sbom_bodies(&access).await?;
    if sboms.is_empty() {
        return Ok(None);
    }
    let sources = crate::routes::vuln::organisation_sources(state, caller).await?;
    if sources.index.stats.records == 0 {
        return Ok(None);
    }
    crate::blocking("SBOM scan", move || {
        let scanned = crate::routes::vuln::scan_all(&sboms, &sources)?;
        let reports: Vec<lifeline_vuln::scan::ScanReport> =
            scanned.into_iter().map(|(_, report)| report).collect();
        let document = lifeline_vuln::scan::scan_document(sources.sources(), &reports);
        let mut text = serde_json::to_string_pretty(&document)
            .map_err(|e| ApiError::internal("SBOM scan", &e))?;
        text.push('\n');
        Ok(Some(text))
    })
    .await
}

/// The organisation's vendors ranked by cyber risk against network `id`: the document of
/// `lifeline risk register --vendors V --network N --stress S --findings sboms.scan.json
/// --as-of D --format json|csv`, byte for byte, where V is the current vendor register, N
/// the network version of its latest finished stress test, S that test's report and
/// `sboms.scan.json` the organisation's SBOMs scanned against its advisories.
#[utoipa::path(get, path = "/networks/{id}/risk", tag = "vendors",
    params(("id" = String, Path, description = "Network id"), RiskQuery),
    responses((status = 200, description = "The risk register",
        content((Object = "application/json"), (String = "text/csv"))),
        (status = 409, description = "No vendor register, or no finished stress test", body = ErrorBody),
        CommonErrors))]
async fn risk(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    QueryParams(query): QueryParams<RiskQuery>,
) -> ApiResult<Response> {
    caller.require(Role::Viewer)?;
    let as_of = parse_as_of(query.as_of.as_deref())?;
    let assessed = assess(&state, &caller, &id, as_of).await?;
    let format = query.format.unwrap_or_default();
    crate::blocking("risk register", move || {
        Ok(match format {
            RiskFormat::Json => (
                [(header::CONTENT_TYPE, "application/json")],
                lifeline_risk::render::json(&assessed.register),
            )
                .into_response(),
            RiskFormat::Csv => (
                [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
                lifeline_risk::render::csv(&assessed.register),
            )
                .into_response(),
        })
    })
    .await
}

/// The likelihood × impact heat map of the same register (`lifeline risk register
/// --heatmap`), SVG.
#[utoipa::path(get, path = "/networks/{id}/risk/heatmap.svg", tag = "vendors",
    params(("id" = String, Path, description = "Network id"), AsOfQuery),
    responses((status = 200, description = "The heat map", content((String = "image/svg+xml"))),
        (status = 409, description = "No vendor register, or no finished stress test", body = ErrorBody),
        CommonErrors))]
async fn heatmap(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    QueryParams(query): QueryParams<AsOfQuery>,
) -> ApiResult<Response> {
    caller.require(Role::Viewer)?;
    let as_of = parse_as_of(query.as_of.as_deref())?;
    let assessed = assess(&state, &caller, &id, as_of).await?;
    crate::blocking("heat map", move || {
        Ok((
            [(header::CONTENT_TYPE, "image/svg+xml")],
            lifeline_risk::heatmap::svg(&assessed.register),
        )
            .into_response())
    })
    .await
}

// ---------------------------------------------------------------------------------------
// Questionnaire links

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireRequest {
    /// `csf2` (NIST CSF 2.0, supply chain risk management), `hicp` (HHS 405(d) HICP 2023)
    /// or `controls` (lifeline's controls questionnaire).
    pub framework: String,
    /// Days the link stays open (1 to 365; default 30).
    pub expires_in_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionnaireCreated {
    pub id: String,
    pub vendor: String,
    pub framework: String,
    /// The link to send the vendor: shown once, never stored (only its digest is).
    pub url: String,
    pub token: String,
    pub expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionnaireBody {
    pub id: String,
    pub vendor: String,
    pub framework: String,
    /// `open`, `submitted`, `revoked` or `expired`.
    pub state: String,
    pub created_at: String,
    pub created_by: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub submitted_at: Option<String>,
    /// The register version the submitted answers went into.
    pub register_version: Option<i64>,
}

impl QuestionnaireBody {
    pub(crate) fn of(link: &QuestionnaireLink, now: i64) -> QuestionnaireBody {
        QuestionnaireBody {
            id: link.id.clone(),
            vendor: link.vendor_id.clone(),
            framework: link.framework.clone(),
            state: link.state(now).as_str().to_owned(),
            created_at: rfc3339(link.created_at),
            created_by: link.created_by.clone(),
            expires_at: rfc3339(link.expires_at),
            revoked_at: link.revoked_at.map(rfc3339),
            submitted_at: link.submitted_at.map(rfc3339),
            register_version: link.register_version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionnaireList {
    pub questionnaires: Vec<QuestionnaireBody>,
}

/// Creates a one-time link for a vendor of the current register to answer a
/// questionnaire, without an account: `GET /q/{token}` shows the form, and the answers,
/// once submitted, become the register's next version. The token is shown once.
#[utoipa::path(post, path = "/vendors/{vendor}/questionnaires", tag = "vendors",
    params(("vendor" = String, Path, description = "Vendor id")),
    request_body = QuestionnaireRequest,
    responses((status = 201, description = "The link", body = QuestionnaireCreated), CommonErrors))]
async fn create_questionnaire(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(vendor): PathParams<String>,
    JsonBody(request): JsonBody<QuestionnaireRequest>,
) -> ApiResult<(StatusCode, Json<QuestionnaireCreated>)> {
    caller.require(Role::Analyst)?;
    let framework = Framework::from_str(&request.framework)
        .map_err(|e| ApiError::invalid("framework", e.to_string()))?;
    register_with_vendor(&state, &caller, &vendor).await?;
    let link = state
        .store
        .create_questionnaire_link(
            &caller.user.org_id,
            &vendor,
            framework.as_str(),
            request.expires_in_days.unwrap_or(30),
            &caller.user.name,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(QuestionnaireCreated {
            url: format!("/q/{}", link.token),
            id: link.id,
            vendor,
            framework: framework.as_str().to_owned(),
            token: link.token,
            expires_at: rfc3339(link.expires_at),
        }),
    ))
}

/// The questionnaire links of a vendor, newest first (never their tokens).
#[utoipa::path(get, path = "/vendors/{vendor}/questionnaires", tag = "vendors",
    params(("vendor" = String, Path, description = "Vendor id")),
    responses((status = 200, description = "The links", body = QuestionnaireList), CommonErrors))]
async fn list_questionnaires(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(vendor): PathParams<String>,
) -> ApiResult<Json<QuestionnaireList>> {
    caller.require(Role::Viewer)?;
    register_with_vendor(&state, &caller, &vendor).await?;
    let links = state
        .store
        .questionnaire_links(&caller.access(), Some(&vendor))
        .await?;
    let now = now_ms();
    Ok(Json(QuestionnaireList {
        questionnaires: links
            .iter()
            .map(|l| QuestionnaireBody::of(l, now))
            .collect(),
    }))
}

/// Revokes a questionnaire link that was not answered: it opens nothing from now on.
#[utoipa::path(delete, path = "/vendors/{vendor}/questionnaires/{id}", tag = "vendors",
    params(("vendor" = String, Path, description = "Vendor id"),
        ("id" = String, Path, description = "Link id")),
    responses((status = 204, description = "Revoked"),
        (status = 409, description = "Answered already", body = ErrorBody), CommonErrors))]
async fn revoke_questionnaire(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((vendor, id)): PathParams<(String, String)>,
) -> ApiResult<StatusCode> {
    caller.require(Role::Analyst)?;
    state
        .store
        .revoke_questionnaire_link(&caller.user.org_id, &vendor, &id, &caller.user.name)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------
// Evidence files

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceBody {
    pub id: String,
    pub vendor: String,
    /// `soc2-type2`, `iso27001`, `pen-test`, ...
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub bytes: i64,
    /// SHA-256 of the file.
    pub sha256: String,
    /// YYYY-MM-DD.
    pub expires: Option<String>,
    pub created_at: String,
    pub created_by: String,
    /// Where to download it.
    pub url: String,
}

impl EvidenceBody {
    pub(crate) fn of(info: &EvidenceFileInfo) -> EvidenceBody {
        EvidenceBody {
            url: format!(
                "/api/v1/vendors/{}/evidence/{}",
                lifeline_text::percent_encoded(&info.vendor_id),
                info.id
            ),
            id: info.id.clone(),
            vendor: info.vendor_id.clone(),
            kind: info.kind.clone(),
            file_name: info.file_name.clone(),
            content_type: info.content_type.clone(),
            bytes: info.bytes,
            sha256: info.sha256.clone(),
            expires: info.expires.clone(),
            created_at: rfc3339(info.created_at),
            created_by: info.created_by.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceList {
    pub evidence: Vec<EvidenceBody>,
}

/// The multipart form of an evidence upload.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// `soc2-type2`, `iso27001`, `hitrust`, `pen-test`, `attestation`, ...
    kind: String,
    /// When it stops backing the vendor's controls, YYYY-MM-DD.
    expires: Option<String>,
    /// The file (its name and content type are kept).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Stores an evidence file of a vendor of the current register (multipart: `kind`,
/// `expires`, `file`), sealed at rest with the server's key file.
#[utoipa::path(post, path = "/vendors/{vendor}/evidence", tag = "vendors",
    params(("vendor" = String, Path, description = "Vendor id")),
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "Stored", body = EvidenceBody), CommonErrors))]
async fn upload_evidence(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(vendor): PathParams<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<EvidenceBody>)> {
    caller.require(Role::Analyst)?;
    let mut multipart = multipart.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::too_large("the request body is over the limit for this endpoint")
        }
        _ => ApiError::unsupported_media_type(format!(
            "an evidence upload is multipart/form-data: {}",
            e.body_text()
        )),
    })?;
    let bad = |e: axum::extract::multipart::MultipartError| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::too_large("the request body is over the limit for this endpoint")
        }
        _ => ApiError::bad_request(format!("the multipart body: {}", e.body_text())),
    };
    let (mut kind, mut expires, mut file) = (None, None, None);
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "kind" => kind = Some(field.text().await.map_err(bad)?),
            "expires" => expires = Some(field.text().await.map_err(bad)?),
            "file" => {
                let name = field.file_name().unwrap_or("evidence").to_owned();
                let content_type = crate::web::uploads::media_type(field.content_type());
                let bytes = field.bytes().await.map_err(bad)?;
                file = Some((name, content_type, bytes.to_vec()));
            }
            other => {
                return Err(ApiError::invalid(
                    other,
                    "unknown field: the form has `kind`, `expires` and `file`",
                ));
            }
        }
    }
    let kind = kind.ok_or_else(|| ApiError::invalid("kind", "missing"))?;
    let file = file.ok_or_else(|| ApiError::invalid("file", "missing"))?;
    let info = store_evidence(&state, &caller, vendor, &kind, expires.as_deref(), file).await?;
    Ok((StatusCode::CREATED, Json(EvidenceBody::of(&info))))
}

/// Checks and stores an evidence file (the API's multipart upload and the vendor page's
/// form): `kind` an evidence kind such as `soc2-type2`, `expires` empty or YYYY-MM-DD, the
/// file as (name, content type, bytes), for a vendor of the current register.
pub(crate) async fn store_evidence(
    state: &AppState,
    caller: &Caller,
    vendor: String,
    kind: &str,
    expires: Option<&str>,
    (file_name, content_type, content): (String, String, Vec<u8>),
) -> ApiResult<EvidenceFileInfo> {
    caller.require(Role::Analyst)?;
    let kind = kind.trim();
    if kind.is_empty() || kind.len() > 64 || kind.chars().any(lifeline_text::is_unsafe) {
        return Err(ApiError::invalid(
            "kind",
            "an evidence kind such as `soc2-type2`, `iso27001`, `pen-test` or `attestation` (at most 64 characters)",
        ));
    }
    let expires = expires.map(str::trim).filter(|t| !t.is_empty());
    if let Some(expires) = expires
        && lifeline_risk::date::parse(expires).is_none()
    {
        return Err(ApiError::invalid("expires", "must be a date, YYYY-MM-DD"));
    }
    if content.is_empty() {
        return Err(ApiError::invalid("file", "the file is empty"));
    }
    register_with_vendor(state, caller, &vendor).await?;
    let info = state
        .store
        .add_vendor_evidence(
            &caller.user.org_id,
            &NewEvidenceFile {
                vendor_id: vendor,
                kind: kind.to_owned(),
                // Shown on pages and in downloads' names: no control characters.
                file_name: lifeline_text::escaped(&file_name).into_owned(),
                content_type,
                expires: expires.map(str::to_owned),
                content,
            },
            &caller.user.name,
        )
        .await?;
    Ok(info)
}

/// The evidence files of a vendor, newest first.
#[utoipa::path(get, path = "/vendors/{vendor}/evidence", tag = "vendors",
    params(("vendor" = String, Path, description = "Vendor id")),
    responses((status = 200, description = "The files", body = EvidenceList), CommonErrors))]
async fn list_evidence(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(vendor): PathParams<String>,
) -> ApiResult<Json<EvidenceList>> {
    caller.require(Role::Viewer)?;
    register_with_vendor(&state, &caller, &vendor).await?;
    let files = state
        .store
        .vendor_evidence(&caller.access(), Some(&vendor))
        .await?;
    Ok(Json(EvidenceList {
        evidence: files.iter().map(EvidenceBody::of).collect(),
    }))
}

/// The content types an evidence file is served as; anything else is served as
/// `application/octet-stream` (always as an attachment), so that no upload renders as a
/// page of this site.
const SERVED_TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/plain",
    "text/csv",
    "application/json",
    "application/zip",
];

/// A file name safe in a `Content-Disposition` header: ASCII letters, digits, `.`, `-`,
/// `_`; anything else becomes `_`.
fn attachment_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.trim_matches(['.', '_']).is_empty() {
        "evidence".to_owned()
    } else {
        clean
    }
}

/// Downloads an evidence file, decrypted; the download is written to the audit log.
#[utoipa::path(get, path = "/vendors/{vendor}/evidence/{id}", tag = "vendors",
    params(("vendor" = String, Path, description = "Vendor id"),
        ("id" = String, Path, description = "Evidence file id")),
    responses((status = 200, description = "The file as uploaded",
        content((crate::error::ZipFile = "application/octet-stream"))), CommonErrors))]
async fn download_evidence(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((vendor, id)): PathParams<(String, String)>,
) -> ApiResult<Response> {
    caller.require(Role::Viewer)?;
    let (info, content) = state
        .store
        .vendor_evidence_file(&caller.access(), &vendor, &id, &caller.user.name)
        .await?
        .ok_or_else(|| ApiError::not_found("evidence file", &id))?;
    let content_type = if SERVED_TYPES.contains(&info.content_type.as_str()) {
        info.content_type.clone()
    } else {
        "application/octet-stream".to_owned()
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    attachment_name(&info.file_name)
                ),
            ),
        ],
        content,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------
// Reminders

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RemindersQuery {
    /// Days ahead (default 30): evidence expiring on or before today + `within`, and
    /// evidence that has expired already.
    #[param(minimum = 0, maximum = 3650)]
    pub within: Option<i64>,
    /// The day counted from, YYYY-MM-DD (default today, UTC).
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReminderBody {
    pub vendor: String,
    /// The vendor's name in the register (the id for a file of a vendor no longer in it).
    pub vendor_name: String,
    /// What it backs: `controls.mfa`, `answers[GV.SC-05]`, or `file` for an uploaded file.
    pub backs: String,
    pub kind: String,
    /// YYYY-MM-DD.
    pub expires: String,
    /// Days from `as_of` to `expires` (negative: expired that many days ago).
    pub days_left: i64,
    /// The register's reference, or the file's name.
    pub reference: Option<String>,
    /// Where to download an uploaded file.
    pub url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RemindersBody {
    pub as_of: String,
    pub within: i64,
    /// Soonest first.
    pub reminders: Vec<ReminderBody>,
}

/// Evidence expiring within `within` days of `as_of`, or expired already: the current
/// register's (controls' and answers') and the uploaded files'. Soonest first.
pub(crate) async fn reminders_of(
    state: &AppState,
    caller: &Caller,
    as_of: Date,
    within: i64,
) -> ApiResult<Vec<ReminderBody>> {
    let until = as_of.saturating_add(time::Duration::days(within));
    let mut out = Vec::new();
    let register = match state.store.vendor_register(&caller.access(), None).await? {
        Some(_) => Some(load_register(state, caller, None).await?.1),
        None => None,
    };
    let name_of = |vendor: &str| {
        register
            .as_ref()
            .and_then(|r| r.vendor(vendor))
            .map_or_else(|| vendor.to_owned(), |v| v.name.clone())
    };
    if let Some(register) = &register {
        for vendor in &register.vendors {
            let mut push = |backs: String, evidence: &lifeline_risk::Evidence| {
                if let Some(expires) = evidence.expires
                    && expires <= until
                {
                    out.push(ReminderBody {
                        vendor: vendor.id.clone(),
                        vendor_name: vendor.name.clone(),
                        backs,
                        kind: evidence.kind.clone(),
                        expires: lifeline_risk::date::format(expires),
                        days_left: lifeline_risk::date::days_between(as_of, expires),
                        reference: evidence.reference.clone(),
                        url: None,
                    });
                }
            };
            for (control, value) in &vendor.controls.0 {
                for evidence in &value.evidence {
                    push(format!("controls.{}", control.key()), evidence);
                }
            }
            for answer in &vendor.answers {
                for evidence in &answer.evidence {
                    push(format!("answers[{}]", answer.question), evidence);
                }
            }
        }
    }
    let files = state
        .store
        .expiring_vendor_evidence(&caller.access(), &lifeline_risk::date::format(until))
        .await?;
    for file in &files {
        let Some(expires) = file.expires.as_deref().and_then(lifeline_risk::date::parse) else {
            continue;
        };
        out.push(ReminderBody {
            vendor: file.vendor_id.clone(),
            vendor_name: name_of(&file.vendor_id),
            backs: "file".to_owned(),
            kind: file.kind.clone(),
            expires: lifeline_risk::date::format(expires),
            days_left: lifeline_risk::date::days_between(as_of, expires),
            reference: Some(file.file_name.clone()),
            url: Some(EvidenceBody::of(file).url),
        });
    }
    out.sort_by(|a, b| {
        a.days_left
            .cmp(&b.days_left)
            .then_with(|| a.vendor.cmp(&b.vendor))
            .then_with(|| a.backs.cmp(&b.backs))
    });
    Ok(out)
}

/// Evidence that expires within `within` days (default 30), or has expired: what to ask
/// vendors to renew. The register's evidence (controls and answers) and uploaded files.
#[utoipa::path(get, path = "/vendors/reminders", tag = "vendors", params(RemindersQuery),
    responses((status = 200, description = "Expiring evidence, soonest first", body = RemindersBody),
        CommonErrors))]
async fn reminders(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<RemindersQuery>,
) -> ApiResult<Json<RemindersBody>> {
    caller.require(Role::Viewer)?;
    let within = query.within.unwrap_or(30);
    if !(0..=MAX_WITHIN_DAYS).contains(&within) {
        return Err(ApiError::invalid(
            "within",
            format!("must be 0 to {MAX_WITHIN_DAYS} days"),
        ));
    }
    let as_of = parse_as_of(query.as_of.as_deref())?.unwrap_or_else(today);
    let reminders = reminders_of(&state, &caller, as_of, within).await?;
    Ok(Json(RemindersBody {
        as_of: lifeline_risk::date::format(as_of),
        within,
        reminders,
    }))
}

/// Why a questionnaire link no longer opens, in words for the vendor.
pub(crate) fn gone_message(state: LinkState) -> &'static str {
    match state {
        LinkState::Submitted => {
            "This questionnaire was submitted already: a link works once. Thank you; if you need to change an answer, ask your contact for a new link."
        }
        LinkState::Revoked => {
            "This questionnaire link was withdrawn. Ask your contact for a new link."
        }
        LinkState::Expired | LinkState::Open => {
            "This questionnaire link has expired. Ask your contact for a new link."
        }
    }
}
