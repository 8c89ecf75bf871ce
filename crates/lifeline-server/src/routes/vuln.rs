//! SBOMs, advisories and device reports: `lifeline sbom validate|scan` and `lifeline
//! devices report` as a service, per organisation. Every document is read by lifeline-vuln
//! exactly as the CLI reads it, and the reports are the CLI's JSON, byte for byte; this
//! module only stores, loads back and answers.
//!
//! Advisories are stored as text (one row per OSV record); a scan builds lifeline-vuln's
//! index from them and keeps it in memory per organisation until that organisation loads
//! another advisory file (the store's generation token changes), so that a large OSV
//! export is parsed once per load, not once per scan.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lifeline_store::{
    AdvisoryContent, AdvisoryLoad, AdvisoryUpload, NewSbom, OsvRow, Role, SbomInfo, rfc3339,
};
use lifeline_vuln::kev::KevCatalogue;
use lifeline_vuln::osv::{AdvisoryIndex, ZipLimits, json_records, parse_record, zip_records};
use lifeline_vuln::scan::{LoadedSources, ScanReport, scan, scan_document};
use lifeline_vuln::vex::read_vex;
use lifeline_vuln::{AdvisoryError, DeviceError, SbomError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::analysis;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, CommonErrors, DiagnosticBody, ErrorBody};
use crate::extract::{PathParams, QueryParams, content_type};

/// Routes that take a whole document as their body (the upload size limit applies).
pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(load_osv))
        .routes(routes!(load_kev))
        .routes(routes!(load_vex))
        .routes(routes!(upload_sbom, list_sboms))
        .routes(routes!(devices_report))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_advisories))
        .routes(routes!(get_sbom))
        .routes(routes!(scan_sbom))
}

fn require_json(headers: &HeaderMap, what: &str) -> ApiResult<()> {
    match content_type(headers).as_deref() {
        Some("application/json") => Ok(()),
        _ => Err(ApiError::unsupported_media_type(format!(
            "{what} is application/json"
        ))),
    }
}

/// JSON or XML (CycloneDX XML SBOMs, FHIR XML inventories).
fn require_json_or_xml(headers: &HeaderMap, what: &str) -> ApiResult<()> {
    match content_type(headers).as_deref() {
        Some("application/json" | "application/xml" | "text/xml") => Ok(()),
        _ => Err(ApiError::unsupported_media_type(format!(
            "{what} is application/json or application/xml"
        ))),
    }
}

fn byte_count(bytes: &[u8]) -> i64 {
    i64::try_from(bytes.len()).unwrap_or(i64::MAX)
}

/// A bad advisory file: 422 naming the file, the record and the field.
fn advisory_error(error: &AdvisoryError) -> ApiError {
    let path = match error {
        AdvisoryError::Osv {
            source_name, path, ..
        } => format!("{source_name}: {path}"),
        AdvisoryError::Kev { path, .. } => path.clone(),
        AdvisoryError::Zip { source_name, .. } => source_name.clone(),
    };
    ApiError::invalid_document(
        error.to_string(),
        vec![DiagnosticBody {
            severity: "error".into(),
            path,
            message: match error {
                AdvisoryError::Osv { message, .. }
                | AdvisoryError::Kev { message, .. }
                | AdvisoryError::Zip { message, .. } => message.clone(),
            },
            hint: None,
        }],
    )
}

/// A bad SBOM or VEX document: 422 with every problem, each at its path.
fn sbom_error(name: &str, error: SbomError) -> ApiError {
    match error {
        SbomError::Invalid { kind, diagnostics } => ApiError::invalid_document(
            format!(
                "`{}` is not a valid {kind} document ({} error(s))",
                lifeline_text::escaped(name),
                diagnostics.error_count()
            ),
            diagnostics.0.iter().map(DiagnosticBody::of).collect(),
        ),
        SbomError::TooLarge { .. } => {
            ApiError::too_large(format!("`{}`: {error}", lifeline_text::escaped(name)))
        }
        other => ApiError::invalid_document(
            format!("`{}`: {other}", lifeline_text::escaped(name)),
            Vec::new(),
        ),
    }
}

fn device_error(error: DeviceError) -> ApiError {
    match error {
        DeviceError::Invalid { diagnostics } => ApiError::invalid_document(
            format!(
                "not a valid FHIR device inventory ({} error(s))",
                diagnostics.error_count()
            ),
            diagnostics.0.iter().map(DiagnosticBody::of).collect(),
        ),
        DeviceError::TooLarge { .. } => ApiError::too_large(error.to_string()),
        other => ApiError::invalid_document(other.to_string(), Vec::new()),
    }
}

/// A JSON document exactly as the CLI writes it: pretty, with a final newline.
fn json_document(value: &impl Serialize) -> ApiResult<Response> {
    let mut bytes =
        serde_json::to_vec_pretty(value).map_err(|e| ApiError::internal("report", &e))?;
    bytes.push(b'\n');
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

// ---------------------------------------------------------------------------------------
// Advisories

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AdvisoryQuery {
    /// The file's name, shown in the list of loads and in error messages (default
    /// `osv.zip`, `osv.json`, `kev.json` or `vex.json`).
    pub name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdvisoryLoadBody {
    pub id: String,
    /// `osv`, `kev` or `vex`.
    pub kind: String,
    pub name: String,
    /// OSV records, KEV entries or VEX statements in the file.
    pub records: i64,
    pub sha256: String,
    pub bytes: i64,
    pub loaded_at: String,
    pub loaded_by: String,
}

impl AdvisoryLoadBody {
    fn of(load: &AdvisoryLoad) -> AdvisoryLoadBody {
        AdvisoryLoadBody {
            id: load.id.clone(),
            kind: load.kind.clone(),
            name: load.name.clone(),
            records: load.records,
            sha256: load.sha256.clone(),
            bytes: load.bytes,
            loaded_at: rfc3339(load.loaded_at),
            loaded_by: load.loaded_by.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdvisoriesBody {
    /// OSV records held now (a record loaded again replaces the earlier one).
    pub osv_records: i64,
    /// The loaded KEV catalogue's `catalogVersion`, if any.
    pub kev_catalog_version: Option<String>,
    /// KEV entries in the loaded catalogue.
    pub kev_entries: i64,
    /// VEX documents loaded.
    pub vex_documents: i64,
    /// Every file loaded, newest first.
    pub loads: Vec<AdvisoryLoadBody>,
}

async fn store_load(
    state: &AppState,
    caller: &Caller,
    upload: AdvisoryUpload,
    content: AdvisoryContent,
) -> ApiResult<(StatusCode, Json<AdvisoryLoadBody>)> {
    let load = state
        .store
        .load_advisories(&caller.user.org_id, &upload, &content, &caller.user.name)
        .await?;
    Ok((StatusCode::CREATED, Json(AdvisoryLoadBody::of(&load))))
}

/// What every advisory load starts with: an admin, a body within the upload limit (413 as
/// JSON, not axum's text), and the upload's name, digest and size.
fn advisory_upload(
    caller: &Caller,
    body: Result<Bytes, BytesRejection>,
    name: Option<String>,
    default_name: &str,
) -> ApiResult<(Bytes, AdvisoryUpload)> {
    caller.require(Role::Admin)?;
    let body = body?;
    let upload = AdvisoryUpload {
        name: name.unwrap_or_else(|| default_name.to_owned()),
        sha256: lifeline_store::sha256_hex(&body),
        bytes: byte_count(&body),
    };
    Ok((body, upload))
}

/// Loads OSV advisories into the organisation: an ecosystem's export (`all.zip`, as
/// `application/zip`) or one OSV record or an array of records (`application/json`). Each
/// record is checked as `lifeline sbom scan --osv` checks it; the first bad one refuses
/// the whole file, naming the record and the field. A record whose id is already loaded
/// replaces it.
#[utoipa::path(post, path = "/advisories/osv", tag = "vulnerabilities", params(AdvisoryQuery),
    request_body(content((crate::error::ZipFile = "application/zip"), (Object = "application/json")),
        description = "An OSV export (zip), record or array of records"),
    responses((status = 201, description = "Loaded", body = AdvisoryLoadBody), CommonErrors))]
async fn load_osv(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<AdvisoryQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<AdvisoryLoadBody>)> {
    let content_type = content_type(&headers);
    let default_name = match content_type.as_deref() {
        Some("application/zip") => "osv.zip",
        _ => "osv.json",
    };
    let (body, upload) = advisory_upload(&caller, body, query.name, default_name)?;
    let zip = match content_type.as_deref() {
        Some("application/zip") => true,
        Some("application/json") => false,
        _ => {
            return Err(ApiError::unsupported_media_type(
                "OSV advisories are application/zip (an export) or application/json (a record or an array of records)",
            ));
        }
    };
    let name = upload.name.clone();
    let rows = crate::blocking("OSV upload", move || {
        let mut rows = Vec::new();
        let read = if zip {
            zip_records(&name, &body, &ZipLimits::default(), |entry, bytes| {
                let record = parse_record(entry, bytes)?;
                let text = String::from_utf8(bytes.to_vec()).map_err(|e| AdvisoryError::Osv {
                    source_name: entry.to_owned(),
                    path: String::new(),
                    message: format!("not UTF-8: {e}"),
                })?;
                rows.push(OsvRow {
                    id: record.id,
                    name: entry.to_owned(),
                    body: text,
                });
                Ok(())
            })
        } else {
            json_records(&name, &body).map(|records| {
                let single = records.len() == 1 && !body.trim_ascii_start().starts_with(b"[");
                for (index, (record, text)) in records.into_iter().enumerate() {
                    rows.push(OsvRow {
                        id: record.id,
                        name: if single {
                            name.clone()
                        } else {
                            format!("{name}[{index}]")
                        },
                        body: text,
                    });
                }
            })
        };
        read.map_err(|e| advisory_error(&e))?;
        if rows.is_empty() {
            return Err(ApiError::invalid_document(
                format!(
                    "`{}` holds no OSV record (a zip's records are its `*.json` entries)",
                    lifeline_text::escaped(&name)
                ),
                Vec::new(),
            ));
        }
        Ok(rows)
    })
    .await?;
    store_load(&state, &caller, upload, AdvisoryContent::Osv(rows)).await
}

/// Loads the CISA KEV catalogue (`known_exploited_vulnerabilities.json`), checked against
/// its schema as `lifeline sbom scan --kev` checks it; it replaces the one loaded before.
#[utoipa::path(post, path = "/advisories/kev", tag = "vulnerabilities", params(AdvisoryQuery),
    request_body(content((Object = "application/json")), description = "The KEV catalogue"),
    responses((status = 201, description = "Loaded", body = AdvisoryLoadBody), CommonErrors))]
async fn load_kev(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<AdvisoryQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<AdvisoryLoadBody>)> {
    let (body, upload) = advisory_upload(&caller, body, query.name, "kev.json")?;
    require_json(&headers, "a KEV catalogue")?;
    let content = crate::blocking("KEV upload", move || {
        let catalogue = KevCatalogue::parse(&body).map_err(|e| advisory_error(&e))?;
        let text = String::from_utf8(body.to_vec()).map_err(|e| {
            ApiError::invalid_document(format!("KEV catalogue: not UTF-8: {e}"), Vec::new())
        })?;
        Ok(AdvisoryContent::Kev {
            version: catalogue.version,
            entries: i64::try_from(catalogue.entries.len()).unwrap_or(i64::MAX),
            body: text,
        })
    })
    .await?;
    store_load(&state, &caller, upload, content).await
}

/// Loads a CycloneDX VEX document (JSON), read as `lifeline sbom scan --vex` reads it;
/// every VEX document loaded applies to every scan of the organisation.
#[utoipa::path(post, path = "/advisories/vex", tag = "vulnerabilities", params(AdvisoryQuery),
    request_body(content((Object = "application/json")), description = "A CycloneDX VEX document"),
    responses((status = 201, description = "Loaded", body = AdvisoryLoadBody), CommonErrors))]
async fn load_vex(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<AdvisoryQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<AdvisoryLoadBody>)> {
    let (body, upload) = advisory_upload(&caller, body, query.name, "vex.json")?;
    require_json(&headers, "a VEX document")?;
    let name = upload.name.clone();
    let content = crate::blocking("VEX upload", move || {
        let statements = read_vex(&body).map_err(|e| sbom_error(&name, e))?;
        // read_vex has checked the text is UTF-8.
        let text = String::from_utf8(body.to_vec())
            .map_err(|e| ApiError::invalid_document(format!("not UTF-8: {e}"), Vec::new()))?;
        Ok(AdvisoryContent::Vex {
            statements: i64::try_from(statements.len()).unwrap_or(i64::MAX),
            body: text,
        })
    })
    .await?;
    store_load(&state, &caller, upload, content).await
}

/// What the organisation's advisories hold, and every file loaded: when, by whom.
#[utoipa::path(get, path = "/advisories", tag = "vulnerabilities",
    responses((status = 200, description = "Counts and loads", body = AdvisoriesBody), CommonErrors))]
async fn list_advisories(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<AdvisoriesBody>> {
    caller.require(Role::Viewer)?;
    Ok(Json(advisories_of(&state, &caller).await?))
}

/// What the caller's organisation's advisories hold, and every file loaded: the API's
/// answer and the dashboard's.
pub(crate) async fn advisories_of(state: &AppState, caller: &Caller) -> ApiResult<AdvisoriesBody> {
    let access = caller.access();
    let loads = state.store.advisory_loads(&access).await?;
    let osv_records = state.store.osv_record_count(&access).await?;
    // Loads are newest first: the first KEV load is the catalogue in use.
    let kev = loads.iter().find(|l| l.kind == "kev");
    let kev_catalog_version = state.store.kev_catalogue_version(&access).await?;
    Ok(AdvisoriesBody {
        osv_records,
        kev_catalog_version,
        kev_entries: kev.map_or(0, |l| l.records),
        vex_documents: i64::try_from(loads.iter().filter(|l| l.kind == "vex").count())
            .unwrap_or(i64::MAX),
        loads: loads.iter().map(AdvisoryLoadBody::of).collect(),
    })
}

/// The built indexes, per organisation, with the generation they were built at (held by
/// [`AppState`]). A few organisations at most are kept; the rest are built again when
/// asked for.
pub(crate) type AdvisoryCache = Mutex<SourcesCache>;

/// Organisation id → (the store's advisory generation, the index built at it).
type SourcesCache = HashMap<String, (String, Arc<LoadedSources>)>;

const CACHED_ORGANISATIONS: usize = 8;

/// The organisation's advisories as lifeline-vuln's index (from the cache while no file
/// was loaded since it was built).
pub(crate) async fn organisation_sources(
    state: &AppState,
    caller: &Caller,
) -> ApiResult<Arc<LoadedSources>> {
    let access = caller.access();
    let generation = state.store.advisory_generation(&access).await?;
    if let Ok(cache) = state.advisories.lock()
        && let Some((built, sources)) = cache.get(&access.org_id)
        && *built == generation
    {
        return Ok(Arc::clone(sources));
    }
    let texts = state.store.advisory_texts(&access).await?;
    let sources = crate::blocking("advisory index", move || {
        // Every text was checked when it was loaded: one that fails now is the server's
        // fault (a corrupt database), not the caller's.
        let corrupt = |e: &dyn std::fmt::Display| ApiError::internal("stored advisories", e);
        let mut index = AdvisoryIndex::new();
        for (name, body) in &texts.osv {
            index
                .add_json(name, body.as_bytes())
                .map_err(|e| corrupt(&e))?;
        }
        let kev = texts
            .kev
            .as_deref()
            .map(|body| KevCatalogue::parse(body.as_bytes()))
            .transpose()
            .map_err(|e| corrupt(&e))?;
        let mut vex = Vec::new();
        for (_, body) in &texts.vex {
            vex.extend(read_vex(body.as_bytes()).map_err(|e| corrupt(&e))?);
        }
        Ok(Arc::new(LoadedSources { index, kev, vex }))
    })
    .await?;
    if let Ok(mut cache) = state.advisories.lock() {
        if cache.len() >= CACHED_ORGANISATIONS && !cache.contains_key(&access.org_id) {
            cache.clear();
        }
        cache.insert(access.org_id.clone(), (generation, Arc::clone(&sources)));
    }
    Ok(sources)
}

/// The organisation's sources, or 409 when no OSV advisory is loaded (a scan against
/// nothing would say "no findings" and mean nothing; the CLI requires `--osv` alike).
pub(crate) async fn scan_sources(
    state: &AppState,
    caller: &Caller,
) -> ApiResult<Arc<LoadedSources>> {
    let sources = organisation_sources(state, caller).await?;
    if sources.index.stats.records == 0 {
        return Err(ApiError::conflict(
            "no OSV advisories are loaded in this organisation: an admin loads them with POST /api/v1/advisories/osv",
        ));
    }
    Ok(sources)
}

// ---------------------------------------------------------------------------------------
// SBOMs

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SbomQuery {
    /// The SBOM's name in the organisation, also the `source` of its scan reports
    /// (default: the described product's name and version, else the digest).
    pub name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SbomBody {
    pub id: String,
    pub name: String,
    /// `CycloneDX 1.6 JSON`, `SPDX 2.3 JSON`, ...
    pub kind: String,
    pub components: i64,
    pub sha256: String,
    pub bytes: i64,
    /// The validation warnings, as `lifeline sbom validate` lists them.
    #[schema(value_type = Vec<Object>)]
    pub warnings: serde_json::Value,
    pub created_at: String,
    pub created_by: String,
}

impl SbomBody {
    fn of(info: &SbomInfo) -> SbomBody {
        SbomBody {
            id: info.id.clone(),
            name: info.name.clone(),
            kind: info.kind.clone(),
            components: info.components,
            sha256: info.sha256.clone(),
            bytes: info.bytes,
            warnings: info.warnings.clone(),
            created_at: rfc3339(info.created_at),
            created_by: info.created_by.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SbomList {
    pub sboms: Vec<SbomBody>,
}

/// Uploads an SBOM (CycloneDX 1.2–1.7 JSON or XML, SPDX 2.3 JSON), validated as `lifeline
/// sbom validate` validates it: an invalid one is refused with every problem.
#[utoipa::path(post, path = "/sboms", tag = "vulnerabilities", params(SbomQuery),
    request_body(content((Object = "application/json"), (String = "application/xml")),
        description = "The SBOM"),
    responses((status = 201, description = "Stored, with its warnings", body = SbomBody),
        (status = 409, description = "An SBOM of that name exists", body = ErrorBody),
        CommonErrors))]
async fn upload_sbom(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<SbomQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<SbomBody>)> {
    caller.require(Role::Analyst)?;
    // Over the upload limit: 413 as JSON, not axum's text.
    let body = body?;
    require_json_or_xml(&headers, "an SBOM")?;
    let label = query.name.clone().unwrap_or_else(|| "the SBOM".to_owned());
    let stored = store_sbom(&state, &caller, query.name, label, body).await?;
    Ok((StatusCode::CREATED, Json(SbomBody::of(&stored))))
}

/// Validates an SBOM as `lifeline sbom validate` does and stores it in the caller's
/// organisation as `name` (default: the described product's name and version, else the
/// digest); errors name the document `label`. The caller's role is checked by the caller
/// of this function: the API's upload and the dashboard's form.
pub(crate) async fn store_sbom(
    state: &AppState,
    caller: &Caller,
    name: Option<String>,
    label: String,
    body: Bytes,
) -> ApiResult<SbomInfo> {
    let sha256 = lifeline_store::sha256_hex(&body);
    let sbom = crate::blocking("SBOM upload", move || {
        let loaded = lifeline_vuln::read_sbom(&body).map_err(|e| sbom_error(&label, e))?;
        let text = String::from_utf8(body.to_vec())
            .map_err(|e| ApiError::invalid_document(format!("not UTF-8: {e}"), Vec::new()))?;
        let sbom = &loaded.sbom;
        let name = name.unwrap_or_else(|| {
            sbom.metadata
                .component
                .as_ref()
                .map(|c| match &c.version {
                    Some(version) => format!("{} {version}", c.name),
                    None => c.name.clone(),
                })
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| format!("sha256:{}", sha256.get(..16).unwrap_or(&sha256)))
        });
        let warnings: Vec<DiagnosticBody> =
            loaded.warnings.iter().map(DiagnosticBody::of).collect();
        Ok(NewSbom {
            name,
            kind: sbom.kind(),
            components: i64::try_from(sbom.components.len()).unwrap_or(i64::MAX),
            bytes: byte_count(text.as_bytes()),
            body: text,
            sha256,
            warnings: serde_json::to_value(warnings)
                .map_err(|e| ApiError::internal("SBOM warnings", &e))?,
        })
    })
    .await?;
    let id = state
        .store
        .create_sbom(&caller.user.org_id, &sbom, &caller.user.name)
        .await?;
    let stored = state
        .store
        .sbom(&caller.access(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found("SBOM", &id))?;
    Ok(stored.info)
}

/// The organisation's SBOMs, by name.
#[utoipa::path(get, path = "/sboms", tag = "vulnerabilities",
    responses((status = 200, description = "SBOMs", body = SbomList), CommonErrors))]
async fn list_sboms(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<SbomList>> {
    caller.require(Role::Viewer)?;
    let sboms = state.store.sboms(&caller.access()).await?;
    Ok(Json(SbomList {
        sboms: sboms.iter().map(SbomBody::of).collect(),
    }))
}

/// One SBOM.
#[utoipa::path(get, path = "/sboms/{id}", tag = "vulnerabilities",
    params(("id" = String, Path, description = "SBOM id")),
    responses((status = 200, description = "The SBOM", body = SbomBody), CommonErrors))]
async fn get_sbom(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Json<SbomBody>> {
    caller.require(Role::Viewer)?;
    let stored = state
        .store
        .sbom(&caller.access(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found("SBOM", &id))?;
    Ok(Json(SbomBody::of(&stored.info)))
}

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ScanFormat {
    /// lifeline's JSON (`lifeline sbom scan --format json`).
    #[default]
    Json,
    /// SARIF 2.1.0 (`--format sarif`).
    Sarif,
    /// A CycloneDX VEX document of the findings (`--format cyclonedx-vex`).
    CyclonedxVex,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScanQuery {
    /// The report's format (default `json`).
    #[param(inline)]
    pub format: Option<ScanFormat>,
}

/// Scans an SBOM against the organisation's OSV advisories, KEV catalogue and VEX
/// documents: the document of `lifeline sbom scan FILE --osv ... --kev ... --vex ...
/// --format json|sarif|cyclonedx-vex` for the same files, byte for byte (the report's
/// `source` is the SBOM's name).
#[utoipa::path(get, path = "/sboms/{id}/scan", tag = "vulnerabilities",
    params(("id" = String, Path, description = "SBOM id"), ScanQuery),
    responses((status = 200, description = "The scan report", content((Object = "application/json"))),
        (status = 409, description = "No OSV advisories are loaded", body = ErrorBody),
        CommonErrors))]
async fn scan_sbom(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    QueryParams(query): QueryParams<ScanQuery>,
) -> ApiResult<Response> {
    caller.require(Role::Viewer)?;
    let stored = state
        .store
        .sbom(&caller.access(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found("SBOM", &id))?;
    let sources = scan_sources(&state, &caller).await?;
    let format = query.format.unwrap_or_default();
    crate::blocking("scan", move || {
        let loaded = lifeline_vuln::read_sbom(stored.body.as_bytes())
            .map_err(|e| ApiError::internal("stored SBOM", &e))?;
        let reports: Vec<ScanReport> =
            vec![scan(&loaded.sbom, &stored.info.name, sources.sources())];
        let version = env!("CARGO_PKG_VERSION");
        match format {
            ScanFormat::Json => json_document(&scan_document(sources.sources(), &reports)),
            ScanFormat::Sarif => json_document(&lifeline_vuln::output::sarif(&reports, version)),
            ScanFormat::CyclonedxVex => {
                json_document(&lifeline_vuln::output::cyclonedx_vex(&reports, version))
            }
        }
    })
    .await
}

/// Every stored SBOM scanned against `sources`, in the store's order, each with its report
/// (`source` = the SBOM's name): what `lifeline devices report` rolls up, and what the
/// dashboard's vulnerabilities page lists. Blocking.
pub(crate) fn scan_all(
    sboms: &[lifeline_store::StoredSbom],
    sources: &LoadedSources,
) -> ApiResult<Vec<(lifeline_vuln::model::Sbom, ScanReport)>> {
    let mut scanned = Vec::with_capacity(sboms.len());
    for stored in sboms {
        let loaded = lifeline_vuln::read_sbom(stored.body.as_bytes())
            .map_err(|e| ApiError::internal("stored SBOM", &e))?;
        let report = scan(&loaded.sbom, &stored.info.name, sources.sources());
        scanned.push((loaded.sbom, report));
    }
    Ok(scanned)
}

// ---------------------------------------------------------------------------------------
// Devices

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DevicesQuery {
    /// A network (id) whose nodes, sites and platforms carry `vendor` ids: each vendor
    /// row then names the network entities it stands behind (`--network`).
    pub network: Option<String>,
    /// The network's version (default: the latest).
    #[param(minimum = 1)]
    pub version: Option<i64>,
}

/// Rolls the organisation's SBOM scans up per device, product and vendor of a FHIR R5
/// device inventory (one Device, a Bundle or an array; JSON or XML): the JSON of
/// `lifeline devices report --format json` with the organisation's SBOMs as the folder
/// and its advisories as the sources. Nothing is stored.
#[utoipa::path(post, path = "/devices/report", tag = "vulnerabilities", params(DevicesQuery),
    request_body(content((Object = "application/json"), (String = "application/xml")),
        description = "FHIR R5 Device resources"),
    responses((status = 200, description = "The report", content((Object = "application/json"))),
        (status = 409, description = "No OSV advisories are loaded", body = ErrorBody),
        CommonErrors))]
async fn devices_report(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<DevicesQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    caller.require(Role::Viewer)?;
    // Over the upload limit: 413 as JSON, not axum's text.
    let body = body?;
    require_json_or_xml(&headers, "a FHIR device inventory")?;
    let report = device_report(
        &state,
        &caller,
        query.network.as_deref(),
        query.version,
        body,
    )
    .await?;
    crate::blocking("devices report", move || json_document(&report)).await
}

/// The organisation's SBOM scans rolled up per device, product and vendor of the FHIR
/// inventory `body` (with the network `network` at `version`, when given): the API's
/// report and the dashboard's. The caller's role is checked by the caller of this function.
pub(crate) async fn device_report(
    state: &AppState,
    caller: &Caller,
    network: Option<&str>,
    version: Option<i64>,
    body: Bytes,
) -> ApiResult<lifeline_vuln::devices::DeviceReport> {
    let access = caller.access();
    // The network first, so that a bad id fails before the (slower) scan.
    let network = match network {
        Some(id) => {
            let stored = state
                .store
                .network_body(&access, id, version)
                .await?
                .ok_or_else(|| ApiError::not_found("network", id))?;
            Some(crate::blocking("network", move || analysis::load_stored(&stored)).await?)
        }
        None => None,
    };
    let inventory = crate::blocking("inventory", move || {
        lifeline_vuln::devices::read_inventory(&body).map_err(device_error)
    })
    .await?;
    let sources = scan_sources(state, caller).await?;
    let sboms = state.store.sbom_bodies(&access).await?;
    crate::blocking("devices report", move || {
        let scanned = scan_all(&sboms, &sources)?;
        Ok(lifeline_vuln::devices::roll_up(
            &inventory.devices,
            &scanned,
            network.as_ref().map(|loaded| &loaded.network),
        ))
    })
    .await
}
