//! The uploads page and its forms. A network upload is read exactly as the API reads it
//! (the same limits and diagnostics); a refused file comes back on the same page with every
//! diagnostic next to the file's name.

use axum::Router;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lifeline_store::UploadFormat;
use lifeline_text::percent_encoded;
use lifeline_web::Tab;
use lifeline_web::pages::{UploadError, UploadsPage};

use super::{Viewer, html};
use crate::AppState;
use crate::config::Limits;
use crate::error::ApiError;
use crate::routes::networks::store_network;

pub fn router(limits: &Limits) -> Router<AppState> {
    Router::new().route("/uploads", get(uploads)).route(
        "/uploads/network",
        post(upload_network).layer(DefaultBodyLimit::max(limits.upload_bytes)),
    )
}

/// The uploads page, with the errors of a refused upload.
pub fn uploads_page(
    viewer: &Viewer,
    form: &str,
    name: &str,
    errors: Vec<UploadError>,
) -> UploadsPage {
    UploadsPage {
        chrome: viewer.chrome(Tab::Uploads),
        errors,
        form: form.to_owned(),
        name: name.to_owned(),
    }
}

async fn uploads(viewer: Viewer) -> Response {
    viewer.page(
        Tab::Uploads,
        html(&uploads_page(&viewer, "", "", Vec::new())),
    )
}

/// A file sent with a form: its name as the browser gave it, and its bytes.
pub struct FormFile {
    pub name: String,
    /// The browser's content type for the file, lower case, without parameters.
    pub content_type: String,
    pub bytes: Bytes,
}

/// A multipart form's text fields and its one file. The `csrf` field is checked against
/// the session before the form is used.
pub struct UploadForm {
    pub fields: Vec<(String, String)>,
    pub file: Option<FormFile>,
}

impl UploadForm {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Reads the whole form; text fields are at most 4 KiB each.
    pub async fn read(
        viewer: &Viewer,
        multipart: Result<Multipart, MultipartRejection>,
    ) -> Result<UploadForm, ApiError> {
        let mut multipart = multipart.map_err(|e| ApiError::bad_request(e.body_text()))?;
        let mut form = UploadForm {
            fields: Vec::new(),
            file: None,
        };
        let bad = |e: axum::extract::multipart::MultipartError| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large(format!("the upload is too large: {}", e.body_text()))
            } else {
                ApiError::bad_request(format!("the form: {}", e.body_text()))
            }
        };
        while let Some(field) = multipart.next_field().await.map_err(bad)? {
            let key = field.name().unwrap_or_default().to_owned();
            if let Some(file_name) = field.file_name().map(str::to_owned) {
                let content_type = media_type(field.content_type());
                let bytes = field.bytes().await.map_err(bad)?;
                if form.file.is_some() {
                    return Err(ApiError::bad_request("send one file at a time"));
                }
                form.file = Some(FormFile {
                    name: lifeline_text::excerpt(&file_name).into_owned(),
                    content_type,
                    bytes,
                });
            } else {
                let text = field.text().await.map_err(bad)?;
                if text.len() > 4096 || form.fields.len() > 32 {
                    return Err(ApiError::bad_request(format!(
                        "the form field `{}` is too long",
                        lifeline_text::excerpt(&key)
                    )));
                }
                form.fields.push((key, text));
            }
        }
        viewer.check_csrf(form.field("csrf").unwrap_or_default())?;
        Ok(form)
    }
}

/// A part's media type, lower case and without parameters; `application/octet-stream`
/// when the sender gave none.
pub(crate) fn media_type(content_type: Option<&str>) -> String {
    content_type
        .unwrap_or("application/octet-stream")
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The format a network file's name gives.
fn network_format(file: &str) -> Option<UploadFormat> {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".json") {
        Some(UploadFormat::Json)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(UploadFormat::Yaml)
    } else if lower.ends_with(".zip") {
        Some(UploadFormat::Zip)
    } else {
        None
    }
}

/// An API error about file `file` as the rows the uploads page lists: every diagnostic
/// with its path, else the message. Messages that name the API's stand-in file name
/// (`upload.json`, ...) name the user's file instead.
pub fn upload_errors(file: &str, error: &ApiError) -> Vec<UploadError> {
    let clean = |text: &str| {
        ["upload.json", "upload.yaml", "upload.zip"]
            .iter()
            .fold(text.to_owned(), |t, stand_in| t.replace(stand_in, file))
    };
    if error.body.diagnostics.is_empty() {
        return vec![UploadError {
            file: file.to_owned(),
            severity: "error".to_owned(),
            path: error.body.field.clone().unwrap_or_default(),
            message: clean(&error.body.message),
            hint: None,
        }];
    }
    error
        .body
        .diagnostics
        .iter()
        .map(|d| UploadError {
            file: file.to_owned(),
            severity: d.severity.clone(),
            path: clean(&d.path),
            message: clean(&d.message),
            hint: d.hint.as_deref().map(clean),
        })
        .collect()
}

/// The page again with the errors, and the error's status (422 for an invalid file).
pub(crate) fn refused(
    viewer: &Viewer,
    form: &str,
    name: &str,
    file: &str,
    error: &ApiError,
) -> Response {
    let view = uploads_page(viewer, form, name, upload_errors(file, error));
    let mut response = viewer.page(Tab::Uploads, html(&view));
    *response.status_mut() = error.status;
    response
}

async fn upload_network(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let form = match UploadForm::read(&viewer, multipart).await {
        Ok(form) => form,
        Err(e) => return refused(&viewer, "network", "", "the form", &e),
    };
    let name = form.field("name").unwrap_or_default().trim().to_owned();
    let Some(file) = form.file else {
        let e = ApiError::invalid("file", "choose a network file to upload");
        return refused(&viewer, "network", &name, "no file", &e);
    };
    let Some(format) = network_format(&file.name) else {
        let e = ApiError::unsupported_media_type(
            "a network file ends in .json, .yaml, .yml, or .zip (a zip of CSV tables)",
        );
        return refused(&viewer, "network", &name, &file.name, &e);
    };
    let named = (!name.is_empty()).then(|| name.clone());
    let stored = async {
        let (id, _warnings) =
            store_network(&state, &viewer.caller, format, file.bytes, named).await?;
        super::stress::start_stress(&state, &viewer, &id).await?;
        Ok::<_, ApiError>(id)
    }
    .await;
    match stored {
        Ok(id) => {
            Redirect::to(&format!("/networks/{}/stress", percent_encoded(&id))).into_response()
        }
        Err(e) => refused(&viewer, "network", &name, &file.name, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_file_name() {
        assert_eq!(network_format("iv-fluids.JSON"), Some(UploadFormat::Json));
        assert_eq!(network_format("n.yml"), Some(UploadFormat::Yaml));
        assert_eq!(network_format("tables.zip"), Some(UploadFormat::Zip));
        assert_eq!(network_format("n.txt"), None);
    }

    #[test]
    fn errors_name_the_users_file() {
        let e = ApiError::invalid_document(
            "`upload.json` is not a valid network (1 error(s))".to_owned(),
            vec![crate::error::DiagnosticBody {
                severity: "error".into(),
                path: "edges[3].to".into(),
                message: "unknown node `x`".into(),
                hint: None,
            }],
        );
        let rows = upload_errors("bad.json", &e);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].file, "bad.json");
        assert_eq!(rows[0].path, "edges[3].to");
    }
}
