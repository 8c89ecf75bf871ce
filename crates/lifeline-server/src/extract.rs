//! axum's extractors with rejections in the API's JSON error form: a malformed body, a
//! wrong type or a bad query parameter is a 4xx naming what is wrong, never text/plain.

use axum::extract::FromRequest;
use axum::extract::FromRequestParts;

use crate::error::ApiError;

/// A JSON request body.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct JsonBody<T>(pub T);

/// Query parameters.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct QueryParams<T>(pub T);

/// Path parameters.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct PathParams<T>(pub T);

/// A whole request body (an uploaded document), read within the route's size limit; over
/// it, a 413 in the API's JSON error form (axum's own `Bytes` answers in plain text).
#[derive(Debug)]
pub struct RawBody(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        axum::body::Bytes::from_request(request, state)
            .await
            .map(RawBody)
            .map_err(ApiError::from)
    }
}

/// A list's `limit` query parameter: 1 to 1000, 100 when absent.
pub fn limit(limit: Option<u32>) -> Result<i64, ApiError> {
    match limit.unwrap_or(100) {
        n @ 1..=1000 => Ok(i64::from(n)),
        _ => Err(ApiError::invalid("limit", "must be 1 to 1000")),
    }
}

/// The query of a route that takes no parameters: an unknown one is a 400, as on every
/// route that takes some.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoQuery {}

/// Whether a JSON-or-YAML upload is YAML, by its `Content-Type`; 415 with `message` when
/// it is neither.
pub fn is_yaml(headers: &axum::http::HeaderMap, message: &str) -> Result<bool, ApiError> {
    match content_type(headers).as_deref() {
        Some("application/json") => Ok(false),
        Some("application/yaml" | "application/x-yaml" | "text/yaml") => Ok(true),
        _ => Err(ApiError::unsupported_media_type(message)),
    }
}

/// The `Content-Type` of a request, lower-cased, without parameters (`; charset=...`).
pub fn content_type(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase())
}
