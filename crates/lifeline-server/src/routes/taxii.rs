//! The TAXII 2.1 server (OASIS TAXII Version 2.1, OASIS Standard, 10 June 2021), under
//! `/taxii2/`: discovery, one API root per organisation (`/taxii2/{org id}/`), its
//! collections, their objects (GET and POST), one object, its versions, the manifest, and
//! the status of an add.
//!
//! Callers authenticate as everywhere else: an API token as Bearer, or as the password of
//! HTTP Basic with the token's user name. Every answer, errors included, is
//! `application/taxii+json;version=2.1`; an `Accept` that allows no TAXII 2.1 JSON gets 406,
//! a POST of another media type 415, a body over the API root's `max_content_length` 413.
//! Who may see, read and write what is the store's rule (`lifeline_store::taxii`):
//! another organisation's root and collections are 404 unless a grant names the caller's
//! organisation; a visible collection the caller may not read or write is 403; reads are
//! TLP filtered.

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lifeline_store::{
    ObjectPage, ObjectQuery, StoreError, TAXII_MAX_PAGE, TaxiiCaller, TaxiiError, VersionMatch,
};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

/// The TAXII 2.1 media type, sent on every answer.
pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";
/// The STIX 2.1 media type of the objects.
const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";
const STIX_20_MEDIA_TYPE: &str = "application/stix+json;version=2.0";

/// The largest POST body taken (the API roots' `max_content_length`).
#[derive(Debug, Clone, Copy)]
struct MaxContent(usize);

/// The TAXII routes; `max_content_length` is the largest body a POST may have.
pub fn router(max_content_length: usize) -> Router<AppState> {
    Router::new()
        .route("/taxii2/", get(discovery))
        .route("/taxii2/{root}/", get(api_root))
        .route("/taxii2/{root}/collections/", get(collections))
        .route("/taxii2/{root}/collections/{id}/", get(collection))
        .route(
            "/taxii2/{root}/collections/{id}/objects/",
            get(get_objects).post(add_objects),
        )
        .route(
            "/taxii2/{root}/collections/{id}/objects/{object_id}/",
            get(get_object),
        )
        .route(
            "/taxii2/{root}/collections/{id}/objects/{object_id}/versions/",
            get(versions),
        )
        .route("/taxii2/{root}/collections/{id}/manifest/", get(manifest))
        .route("/taxii2/{root}/status/{status_id}/", get(status))
        .route("/taxii2", get(no_such_path))
        .layer(Extension(MaxContent(max_content_length)))
}

/// A TAXII error message (§3.6.1): title, description, and the HTTP status as a string.
#[derive(Debug)]
pub struct TaxiiFailure {
    status: StatusCode,
    title: &'static str,
    description: String,
}

impl TaxiiFailure {
    fn new(status: StatusCode, title: &'static str, description: impl Into<String>) -> Self {
        TaxiiFailure {
            status,
            title,
            description: description.into(),
        }
    }

    fn not_found(what: &str, id: &str) -> Self {
        TaxiiFailure::new(
            StatusCode::NOT_FOUND,
            "Not Found",
            format!("no {what} `{}`", lifeline_text::excerpt(id)),
        )
    }

    fn bad_request(description: impl Into<String>) -> Self {
        TaxiiFailure::new(StatusCode::BAD_REQUEST, "Bad Request", description)
    }
}

impl IntoResponse for TaxiiFailure {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "title": self.title,
            "description": self.description,
            "http_status": self.status.as_str(),
        });
        let mut response = (self.status, taxii_headers(), body.to_string()).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"lifeline TAXII\", charset=\"UTF-8\""),
            );
        }
        response
    }
}

impl From<ApiError> for TaxiiFailure {
    fn from(e: ApiError) -> TaxiiFailure {
        let title = match e.status {
            StatusCode::UNAUTHORIZED => "Unauthorized",
            StatusCode::FORBIDDEN => "Forbidden",
            StatusCode::NOT_FOUND => "Not Found",
            StatusCode::TOO_MANY_REQUESTS => "Too Many Requests",
            s if s.is_server_error() => "Internal Server Error",
            _ => "Bad Request",
        };
        TaxiiFailure::new(e.status, title, e.body.message)
    }
}

impl From<StoreError> for TaxiiFailure {
    fn from(e: StoreError) -> TaxiiFailure {
        match e {
            StoreError::Invalid { .. } => TaxiiFailure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "ProcessingError",
                e.to_string(),
            ),
            StoreError::NotFound { .. } => {
                TaxiiFailure::new(StatusCode::NOT_FOUND, "Not Found", e.to_string())
            }
            other => TaxiiFailure::from(ApiError::from(other)),
        }
    }
}

impl From<TaxiiError> for TaxiiFailure {
    fn from(e: TaxiiError) -> TaxiiFailure {
        match e {
            TaxiiError::NotFound(e) => {
                TaxiiFailure::new(StatusCode::NOT_FOUND, "Not Found", e.to_string())
            }
            TaxiiError::Forbidden(m) => TaxiiFailure::new(StatusCode::FORBIDDEN, "Forbidden", m),
            TaxiiError::Store(e) => TaxiiFailure::from(e),
        }
    }
}

type TaxiiResult = Result<Response, TaxiiFailure>;

fn taxii_headers() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::CONTENT_TYPE,
        HeaderValue::from_static(TAXII_MEDIA_TYPE),
    )]
}

fn reply(status: StatusCode, body: String) -> Response {
    (status, taxii_headers(), body).into_response()
}

/// A media type's name and parameters, lower-cased, without spaces.
fn media_type(value: &str) -> (String, Vec<(String, String)>) {
    let mut parts = value.split(';');
    let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let params = parts
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches('"').to_ascii_lowercase(),
            )
        })
        .collect();
    (name, params)
}

/// Whether a media type is TAXII 2.1 JSON (`version` absent or 2.1).
fn is_taxii_21(name: &str, params: &[(String, String)]) -> bool {
    name == "application/taxii+json"
        && params
            .iter()
            .filter(|(k, _)| k == "version")
            .all(|(_, v)| v == "2.1")
}

/// Refuses (406) an `Accept` header that allows no TAXII 2.1 JSON. No header accepts it.
fn check_accept(headers: &HeaderMap) -> Result<(), TaxiiFailure> {
    let values: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if values.is_empty() {
        return Ok(());
    }
    let ok = values.iter().flat_map(|v| v.split(',')).any(|range| {
        let (name, params) = media_type(range);
        let quality_zero = params
            .iter()
            .any(|(k, v)| k == "q" && v.parse::<f32>() == Ok(0.0));
        !quality_zero && (name == "*/*" || name == "application/*" || is_taxii_21(&name, &params))
    });
    if ok {
        Ok(())
    } else {
        Err(TaxiiFailure::new(
            StatusCode::NOT_ACCEPTABLE,
            "Not Acceptable",
            format!("this server answers `{TAXII_MEDIA_TYPE}` only"),
        ))
    }
}

/// The caller, and the `Accept` check, which every route does first.
fn start(caller: Result<Caller, ApiError>, headers: &HeaderMap) -> Result<Caller, TaxiiFailure> {
    let caller = caller.map_err(TaxiiFailure::from)?;
    check_accept(headers)?;
    Ok(caller)
}

fn taxii_caller(caller: &Caller) -> TaxiiCaller {
    TaxiiCaller::of(&caller.user)
}

/// `GET /taxii2/`: the API roots this caller may use.
async fn discovery(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
) -> TaxiiResult {
    let caller = start(caller, &headers)?;
    let roots = state.store.taxii_api_roots(&taxii_caller(&caller)).await?;
    let urls: Vec<String> = roots
        .iter()
        .map(|r| format!("/taxii2/{}/", r.org_id))
        .collect();
    let mut body = serde_json::json!({
        "title": "lifeline TAXII 2.1 server",
        "description": "Threat intelligence shared between the organisations of this lifeline \
                        service: one API root per organisation.",
        "api_roots": urls,
    });
    if let Some(first) = urls.first() {
        body["default"] = serde_json::Value::String(first.clone());
    }
    Ok(reply(StatusCode::OK, body.to_string()))
}

/// `GET /taxii2/{root}/`: the API root's information.
async fn api_root(
    State(state): State<AppState>,
    Extension(MaxContent(max)): Extension<MaxContent>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(root): Path<String>,
) -> TaxiiResult {
    let caller = start(caller, &headers)?;
    let info = state
        .store
        .taxii_api_root(&taxii_caller(&caller), &root)
        .await?
        .ok_or_else(|| TaxiiFailure::not_found("API root", &root))?;
    let body = serde_json::json!({
        "title": info.org_name,
        "description": format!("The collections of {}", info.org_name),
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": max,
    });
    Ok(reply(StatusCode::OK, body.to_string()))
}

fn collection_json(c: &lifeline_store::CollectionInfo) -> serde_json::Value {
    let mut v = serde_json::json!({
        "id": c.id,
        "title": c.title,
        "can_read": c.can_read,
        "can_write": c.can_write,
        "media_types": [STIX_MEDIA_TYPE],
    });
    if let Some(d) = &c.description {
        v["description"] = serde_json::Value::String(d.clone());
    }
    v
}

/// `GET /taxii2/{root}/collections/`.
async fn collections(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(root): Path<String>,
) -> TaxiiResult {
    let caller = start(caller, &headers)?;
    let caller = taxii_caller(&caller);
    state
        .store
        .taxii_api_root(&caller, &root)
        .await?
        .ok_or_else(|| TaxiiFailure::not_found("API root", &root))?;
    let list = state.store.collections(&caller, &root).await?;
    let mut body = serde_json::json!({});
    if !list.is_empty() {
        body["collections"] = list.iter().map(collection_json).collect();
    }
    Ok(reply(StatusCode::OK, body.to_string()))
}

/// `GET /taxii2/{root}/collections/{id}/`.
async fn collection(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path((root, id)): Path<(String, String)>,
) -> TaxiiResult {
    let caller = start(caller, &headers)?;
    let c = state
        .store
        .collection(&taxii_caller(&caller), &root, &id)
        .await?
        .ok_or_else(|| TaxiiFailure::not_found("collection", &id))?;
    Ok(reply(StatusCode::OK, collection_json(&c).to_string()))
}

type Params = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// The filters and paging of a read, from its query parameters.
fn read_query(params: Params, allowed: &[&str]) -> Result<ObjectQuery, TaxiiFailure> {
    let Query(pairs) =
        params.map_err(|e| TaxiiFailure::bad_request(format!("query parameters: {e}")))?;
    let mut query = ObjectQuery {
        limit: TAXII_MAX_PAGE,
        ..ObjectQuery::default()
    };
    let list = |v: &str| -> Vec<String> {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut filters: Vec<(&str, &str)> = Vec::new();
    let mut next = None;
    for (key, value) in &pairs {
        if !allowed.contains(&key.as_str()) {
            return Err(TaxiiFailure::bad_request(format!(
                "`{}` is not a parameter of this endpoint: use {}",
                lifeline_text::excerpt(key),
                allowed.join(", ")
            )));
        }
        match key.as_str() {
            "added_after" => {
                let t = lifeline_store::parse_timestamp(value).ok_or_else(|| {
                    TaxiiFailure::bad_request(format!(
                        "added_after: `{}` is not an RFC 3339 timestamp",
                        lifeline_text::excerpt(value)
                    ))
                })?;
                query.added_after = Some(t);
            }
            "limit" => {
                let n: i64 = value.trim().parse().map_err(|_| {
                    TaxiiFailure::bad_request(format!(
                        "limit: `{}` is not a number",
                        lifeline_text::excerpt(value)
                    ))
                })?;
                if n <= 0 {
                    return Err(TaxiiFailure::bad_request("limit: must be at least 1"));
                }
                query.limit = usize::try_from(n)
                    .unwrap_or(TAXII_MAX_PAGE)
                    .min(TAXII_MAX_PAGE);
                continue;
            }
            "next" => {
                next = Some(value.as_str());
                continue;
            }
            "match[id]" => query.ids.extend(list(value)),
            "match[type]" => query.types.extend(list(value)),
            "match[spec_version]" => {
                for v in list(value) {
                    if v != "2.0" && v != "2.1" {
                        return Err(TaxiiFailure::bad_request(format!(
                            "match[spec_version]: `{}` is not 2.0 or 2.1",
                            lifeline_text::excerpt(&v)
                        )));
                    }
                    query.spec_versions.push(v);
                }
            }
            "match[version]" => {
                for v in list(value) {
                    query.versions.push(match v.as_str() {
                        "first" => VersionMatch::First,
                        "last" => VersionMatch::Last,
                        "all" => VersionMatch::All,
                        other => VersionMatch::At(
                            lifeline_store::parse_timestamp(other).ok_or_else(|| {
                                TaxiiFailure::bad_request(format!(
                                    "match[version]: `{}` is not first, last, all or a timestamp",
                                    lifeline_text::excerpt(other)
                                ))
                            })?,
                        ),
                    });
                }
            }
            _ => {}
        }
        filters.push((key, value));
    }
    if let Some(token) = next {
        let (after, digest) = token
            .split_once('.')
            .and_then(|(a, d)| a.parse::<i64>().ok().map(|a| (a, d)))
            .ok_or_else(|| TaxiiFailure::bad_request("next: not a token this server gave"))?;
        if digest != filter_digest(&filters) {
            return Err(TaxiiFailure::new(
                StatusCode::BAD_REQUEST,
                "ProcessingError",
                "next: the token was given for other filter parameters; send the same ones",
            ));
        }
        query.after = Some(after);
    }
    Ok(query)
}

/// A digest of the filter parameters, which a `next` token carries so that it is not used
/// with other filters.
fn filter_digest(filters: &[(&str, &str)]) -> String {
    let mut sorted: Vec<String> = filters.iter().map(|(k, v)| format!("{k}={v}")).collect();
    sorted.sort();
    lifeline_store::sha256_hex(sorted.join("&").as_bytes())[..16].to_owned()
}

/// The `next` token after `page`, when there is more.
fn next_token(page: &ObjectPage, params: &[(String, String)]) -> Option<String> {
    if !page.more {
        return None;
    }
    let last = page.items.last()?;
    let filters: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| k != "limit" && k != "next")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Some(format!("{}.{}", last.date_added, filter_digest(&filters)))
}

/// A page as a TAXII envelope (`objects`), manifest or versions list, with the
/// `X-TAXII-Date-Added-First/Last` headers.
fn page_reply(page: &ObjectPage, params: &[(String, String)], kind: PageKind) -> Response {
    let mut body = String::with_capacity(
        64 + page
            .items
            .iter()
            .map(|o| o.object.len() + 160)
            .sum::<usize>(),
    );
    body.push_str(&format!("{{\"more\":{}", page.more));
    if let Some(next) = next_token(page, params) {
        body.push_str(&format!(",\"next\":\"{next}\""));
    }
    if !page.items.is_empty() {
        body.push_str(match kind {
            PageKind::Objects => ",\"objects\":[",
            PageKind::Manifest => ",\"objects\":[",
            PageKind::Versions => ",\"versions\":[",
        });
        for (i, o) in page.items.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            let version = shown_version(o);
            match kind {
                PageKind::Objects => body.push_str(&o.object),
                PageKind::Manifest => {
                    let entry = serde_json::json!({
                        "id": o.object_id,
                        "date_added": lifeline_store::timestamp_us(o.date_added),
                        "version": version,
                        "media_type": if o.spec_version == "2.0" { STIX_20_MEDIA_TYPE } else { STIX_MEDIA_TYPE },
                    });
                    body.push_str(&entry.to_string());
                }
                PageKind::Versions => {
                    body.push_str(&serde_json::Value::String(version).to_string());
                }
            }
        }
        body.push(']');
    }
    body.push('}');
    let mut response = reply(StatusCode::OK, body);
    if let (Some(first), Some(last)) = (page.items.first(), page.items.last()) {
        for (name, at) in [
            ("x-taxii-date-added-first", first.date_added),
            ("x-taxii-date-added-last", last.date_added),
        ] {
            if let Ok(value) = HeaderValue::from_str(&lifeline_store::timestamp_us(at)) {
                response
                    .headers_mut()
                    .insert(header::HeaderName::from_static(name), value);
            }
        }
    }
    response
}

/// The version a client sees: `modified` (else `created`), else when it was added.
fn shown_version(o: &lifeline_store::StoredObject) -> String {
    if o.version == 0 {
        lifeline_store::timestamp_us(o.date_added)
    } else {
        lifeline_store::version_text(o.version)
    }
}

#[derive(Debug, Clone, Copy)]
enum PageKind {
    Objects,
    Manifest,
    Versions,
}

const OBJECT_PARAMS: &[&str] = &[
    "added_after",
    "limit",
    "next",
    "match[id]",
    "match[type]",
    "match[version]",
    "match[spec_version]",
];
const ONE_OBJECT_PARAMS: &[&str] = &[
    "added_after",
    "limit",
    "next",
    "match[version]",
    "match[spec_version]",
];
const VERSION_PARAMS: &[&str] = &["added_after", "limit", "next", "match[spec_version]"];

/// The caller, the query's pairs as sent and the query that `start_read` gives.
type ReadStart = (Caller, Vec<(String, String)>, ObjectQuery);

/// A read's start: the caller (as `start` checks it), the query's pairs as sent (which a
/// `next` token is made from) and the query, with the parameters `allowed`.
fn start_read(
    caller: Result<Caller, ApiError>,
    headers: &HeaderMap,
    params: Params,
    allowed: &[&str],
) -> Result<ReadStart, TaxiiFailure> {
    let caller = start(caller, headers)?;
    let raw = match &params {
        Ok(Query(p)) => p.clone(),
        Err(_) => Vec::new(),
    };
    let query = read_query(params, allowed)?;
    Ok((caller, raw, query))
}

/// `GET .../objects/`: an envelope of object versions.
async fn get_objects(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path((root, id)): Path<(String, String)>,
    params: Params,
) -> TaxiiResult {
    let (caller, raw, query) = start_read(caller, &headers, params, OBJECT_PARAMS)?;
    let page = state
        .store
        .objects(&taxii_caller(&caller), &root, &id, &query)
        .await?;
    Ok(page_reply(&page, &raw, PageKind::Objects))
}

/// `GET .../objects/{object_id}/`: the object's versions that match (the last by default);
/// 404 when none may be read.
async fn get_object(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path((root, id, object_id)): Path<(String, String, String)>,
    params: Params,
) -> TaxiiResult {
    let (caller, raw, mut query) = start_read(caller, &headers, params, ONE_OBJECT_PARAMS)?;
    query.ids = vec![object_id.clone()];
    let page = state
        .store
        .objects(&taxii_caller(&caller), &root, &id, &query)
        .await?;
    if page.items.is_empty() && query.after.is_none() {
        return Err(TaxiiFailure::not_found("object", &object_id));
    }
    Ok(page_reply(&page, &raw, PageKind::Objects))
}

/// `GET .../objects/{object_id}/versions/`.
async fn versions(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path((root, id, object_id)): Path<(String, String, String)>,
    params: Params,
) -> TaxiiResult {
    let (caller, raw, query) = start_read(caller, &headers, params, VERSION_PARAMS)?;
    let page = state
        .store
        .versions(&taxii_caller(&caller), &root, &id, &object_id, &query)
        .await?;
    if page.items.is_empty() && query.after.is_none() && query.added_after.is_none() {
        return Err(TaxiiFailure::not_found("object", &object_id));
    }
    Ok(page_reply(&page, &raw, PageKind::Versions))
}

/// `GET .../manifest/`.
async fn manifest(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path((root, id)): Path<(String, String)>,
    params: Params,
) -> TaxiiResult {
    let (caller, raw, query) = start_read(caller, &headers, params, OBJECT_PARAMS)?;
    let page = state
        .store
        .manifest(&taxii_caller(&caller), &root, &id, &query)
        .await?;
    Ok(page_reply(&page, &raw, PageKind::Manifest))
}

/// `POST .../objects/`: adds the envelope's objects; 202 with the status resource.
async fn add_objects(
    State(state): State<AppState>,
    Extension(MaxContent(max)): Extension<MaxContent>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path((root, id)): Path<(String, String)>,
    body: Body,
) -> TaxiiResult {
    let caller = start(caller, &headers)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (name, params) = media_type(content_type);
    if !is_taxii_21(&name, &params) {
        return Err(TaxiiFailure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported Media Type",
            format!("send the envelope as `{TAXII_MEDIA_TYPE}`"),
        ));
    }
    let too_large = || {
        TaxiiFailure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Payload Too Large",
            format!("the body is over this API root's max_content_length ({max} bytes)"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let taxii = taxii_caller(&caller);
    // Refuse a caller who may not write before reading the body.
    let c = state
        .store
        .collection(&taxii, &root, &id)
        .await?
        .ok_or_else(|| TaxiiFailure::not_found("collection", &id))?;
    if !c.can_write {
        return Err(TaxiiFailure::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            format!("collection `{}` may not be written by this caller", c.id),
        ));
    }
    let bytes = axum::body::to_bytes(body, max)
        .await
        .map_err(|_| too_large())?;
    let objects = crate::blocking("taxii envelope", move || {
        let envelope: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::invalid("envelope", format!("the body is not JSON: {e}")))?;
        match envelope {
            serde_json::Value::Object(mut map) => match map.remove("objects") {
                Some(serde_json::Value::Array(objects)) => Ok(objects),
                _ => Err(ApiError::invalid(
                    "envelope",
                    "the body must be an envelope: {\"objects\": [...]}",
                )),
            },
            _ => Err(ApiError::invalid(
                "envelope",
                "the body must be an envelope: {\"objects\": [...]}",
            )),
        }
    })
    .await
    .map_err(|e| {
        if e.status == StatusCode::UNPROCESSABLE_ENTITY {
            TaxiiFailure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "ProcessingError",
                e.body.message,
            )
        } else {
            TaxiiFailure::from(e)
        }
    })?;
    let status = state
        .store
        .add_objects(&taxii, &root, &id, &objects, &caller.user.name)
        .await?;
    let body = serde_json::to_string(&status)
        .map_err(|e| TaxiiFailure::from(ApiError::internal("taxii status", &e)))?;
    Ok(reply(StatusCode::ACCEPTED, body))
}

/// `GET /taxii2/{root}/status/{status_id}/`: an add's status, to the organisation that
/// made it.
async fn status(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path((root, status_id)): Path<(String, String)>,
) -> TaxiiResult {
    let caller = start(caller, &headers)?;
    let status = state
        .store
        .taxii_status(&taxii_caller(&caller), &root, &status_id)
        .await?
        .ok_or_else(|| TaxiiFailure::not_found("status", &status_id))?;
    let body = serde_json::to_string(&status)
        .map_err(|e| TaxiiFailure::from(ApiError::internal("taxii status", &e)))?;
    Ok(reply(StatusCode::OK, body))
}

/// `/taxii2` without its slash (other unknown paths get the site's 404).
async fn no_such_path() -> TaxiiFailure {
    TaxiiFailure::new(
        StatusCode::NOT_FOUND,
        "Not Found",
        "no such TAXII endpoint (paths end with `/`)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers() {
        let mut h = HeaderMap::new();
        assert!(check_accept(&h).is_ok());
        for (value, ok) in [
            ("application/taxii+json;version=2.1", true),
            ("application/taxii+json", true),
            ("application/taxii+json; version=2.1", true),
            ("*/*", true),
            ("application/json", false),
            ("application/taxii+json;version=2.0", false),
            ("application/vnd.oasis.taxii+json; version=2.0", false),
            ("text/html, */*;q=0", false),
        ] {
            h.insert(header::ACCEPT, HeaderValue::from_static(value));
            assert_eq!(check_accept(&h).is_ok(), ok, "{value}");
        }
    }
}
