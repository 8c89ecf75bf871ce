//! The one error type of every handler, and its JSON form: `{"error": {"code", "message",
//! "field", "diagnostics"}}` with a 4xx status for anything the caller can fix, and a 500
//! (logged, with no detail sent) only for the server's own failures.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lifeline_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable code: `bad_request`, `unauthorized`, `forbidden`,
    /// `not_found`, `conflict`, `too_large`, `unsupported_media_type`, `invalid`,
    /// `too_many_requests`, `internal`.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// The field of the request it is about, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem found in an uploaded document, each naming the entity and field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<DiagnosticBody>,
}

/// One problem in an uploaded document, as `lifeline validate` reports it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiagnosticBody {
    /// `error` or `warning`.
    pub severity: String,
    /// Where: the entity and field (`nodes[3].capacity`), or the CSV file, row and column.
    pub path: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl DiagnosticBody {
    pub fn of(d: &lifeline_network::Diagnostic) -> DiagnosticBody {
        DiagnosticBody {
            severity: match d.severity {
                lifeline_network::Severity::Error => "error".into(),
                lifeline_network::Severity::Warning => "warning".into(),
            },
            path: d.path.clone(),
            message: d.message.clone(),
            hint: d.hint.clone(),
        }
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorDetail,
    /// Seconds to wait before trying again (429).
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new_status(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(status, code, message)
    }

    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorDetail {
                code: code.to_owned(),
                message: message.into(),
                field: None,
                diagnostics: Vec::new(),
            },
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message);
        e.body.field = Some(field.to_owned());
        e
    }

    pub fn invalid_document(
        message: impl Into<String>,
        diagnostics: Vec<DiagnosticBody>,
    ) -> ApiError {
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message);
        e.body.diagnostics = diagnostics;
        e
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// The same answer for an id that does not exist and one of another organisation, so
    /// that ids cannot be probed.
    pub fn not_found(kind: &str, id: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no {kind} `{}`", lifeline_text::excerpt(id)),
        )
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn unsupported_media_type(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            message,
        )
    }

    pub fn too_large(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }

    pub fn too_many_requests(retry_after: u64) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            format!("too many failed attempts: try again in {retry_after} s"),
        );
        e.retry_after = Some(retry_after);
        e
    }

    pub fn internal(context: &str, error: &dyn std::fmt::Display) -> ApiError {
        // The detail goes to the log, not to the caller.
        tracing::error!(context, %error, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to answer; the error is in its log",
        )
    }

    pub fn with_field(mut self, field: &str) -> ApiError {
        self.body.field = Some(field.to_owned());
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.retry_after;
        let mut response = (self.status, Json(ErrorBody { error: self.body })).into_response();
        if let Some(seconds) = retry_after
            && let Ok(value) = seconds.to_string().parse()
        {
            response.headers_mut().insert("retry-after", value);
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error {
            StoreError::Invalid { field, message } => ApiError::invalid(&field, message),
            StoreError::NotFound { kind, id } => ApiError::not_found(kind, &id),
            StoreError::Conflict(message) => ApiError::conflict(message),
            other => ApiError::internal("store", &other),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::unsupported_media_type("expected `Content-Type: application/json`")
            }
            JsonRejection::JsonDataError(e) => {
                // serde's message names the field and what was expected of it.
                let text = e.body_text();
                let field = json_error_field(&text);
                let mut error = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", text);
                error.body.field = field;
                error
            }
            JsonRejection::JsonSyntaxError(e) => ApiError::bad_request(e.body_text()),
            JsonRejection::BytesRejection(e) => body_error(e.status(), e.body_text()),
            other => ApiError::bad_request(other.body_text()),
        }
    }
}

/// The field a JSON body's type error is about, from axum's message: the path that leads it
/// (`Failed to ... target type: days: invalid value ...`), else the name of an unknown or
/// missing field at the top.
fn json_error_field(text: &str) -> Option<String> {
    let (_, detail) = text.split_once("target type: ")?;
    if let Some((path, _)) = detail.split_once(": ") {
        let is_path = !path.is_empty()
            && path
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']'));
        if is_path {
            return Some(path.to_owned());
        }
    }
    ["unknown field `", "missing field `"]
        .iter()
        .find_map(|marker| {
            let (_, rest) = detail.split_once(marker)?;
            rest.split_once('`').map(|(name, _)| name.to_owned())
        })
}

/// A body that could not be read: too large (413) or broken (400).
pub fn body_error(status: StatusCode, text: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large("the request body is over the limit for this endpoint")
    } else {
        ApiError::bad_request(text)
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> ApiError {
        ApiError::bad_request(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            rejection.body_text(),
        )
    }
}

impl From<axum::extract::rejection::BytesRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::BytesRejection) -> ApiError {
        body_error(rejection.status(), rejection.body_text())
    }
}

/// A zip archive in a request or response body, for the OpenAPI document: binary, not an
/// array of numbers.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct ZipFile(Vec<u8>);

/// The error responses every authenticated route may give, for the OpenAPI document.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum CommonErrors {
    /// The request is malformed (bad JSON, a wrong type, an unknown query parameter).
    #[response(status = 400)]
    BadRequest(#[to_schema] ErrorBody),
    /// No valid token or session.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// The caller's role may not do this.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such resource visible to the caller.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The body is over the size limit.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// The body's content type is not accepted here.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// The body is well-formed but invalid: every problem is listed.
    #[response(status = 422)]
    Invalid(ErrorBody),
}
