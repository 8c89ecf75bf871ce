//! The traceability page (a product's history, the chain-of-custody findings, product
//! verification) and the EPCIS upload form. Every answer comes from the API's own
//! functions (`routes::epcis`), so the page shows what `/api/v1/epcis/...` and `lifeline
//! trace` give for the same events.

use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lifeline_store::Role;
use lifeline_text::percent_encoded;
use lifeline_trace::facts::canonical_id;
use lifeline_trace::verify::VerifyRequest;
use lifeline_web::Tab;
use lifeline_web::pages::{
    FieldError, History, HistoryForm, TracePage, VerificationView, VerifyForm,
};
use serde::Deserialize;

use super::uploads::{UploadForm, refused};
use super::{Viewer, html, query};
use crate::AppState;
use crate::config::Limits;
use crate::error::ApiError;
use crate::routes::epcis::{
    capture_document, organisation_findings, product_history, verify_product,
};

pub fn router(limits: &Limits) -> Router<AppState> {
    Router::new()
        .route("/trace", get(trace))
        .route("/trace/verify", get(verify))
        .route(
            "/uploads/epcis",
            post(upload_epcis).layer(DefaultBodyLimit::max(limits.upload_bytes)),
        )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TraceQuery {
    epc: String,
    gtin: String,
    serial: String,
    /// The capture just made by the upload form, to confirm.
    captured: Option<String>,
}

/// A refused input as the form shows it, with the error's status; a server failure stays
/// an error page.
fn field_error(error: ApiError, default_field: &str) -> Result<(FieldError, StatusCode), ApiError> {
    if !error.status.is_client_error() || error.status == StatusCode::FORBIDDEN {
        return Err(error);
    }
    let field = error
        .body
        .field
        .clone()
        .unwrap_or_else(|| default_field.to_owned());
    Ok((
        FieldError {
            field,
            message: error.body.message,
        },
        error.status,
    ))
}

/// The GS1 Digital Link of a GTIN and serial number, as `lifeline trace verify` builds it
/// (the history then reads it as any EPC).
fn gtin_serial_link(gtin: &str, serial: &str) -> Result<String, ApiError> {
    let gtin = gtin.trim();
    let serial = serial.trim();
    if gtin.is_empty() || gtin.len() > 14 || !gtin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid(
            "gtin",
            format!(
                "`{}` is not a GTIN (8 to 14 digits)",
                lifeline_text::excerpt(gtin)
            ),
        ));
    }
    if serial.is_empty() {
        return Err(ApiError::invalid(
            "serial",
            "give the serial number with the GTIN",
        ));
    }
    Ok(format!("https://id.gs1.org/01/{gtin:0>14}/21/{serial}"))
}

/// The EPC the history form asks about: the EPC field, or the GTIN and serial number.
fn asked_epc(form: &HistoryForm) -> Result<String, ApiError> {
    let epc = form.epc.trim();
    let by_gtin = !(form.gtin.trim().is_empty() && form.serial.trim().is_empty());
    match (epc.is_empty(), by_gtin) {
        (false, true) => Err(ApiError::invalid(
            "epc",
            "give an EPC, or a GTIN and serial number, not both",
        )),
        (false, false) => Ok(epc.to_owned()),
        _ => gtin_serial_link(&form.gtin, &form.serial),
    }
}

/// The page with the organisation's findings and the confirmation of a capture.
async fn base_page(
    state: &AppState,
    viewer: &Viewer,
    captured: Option<&str>,
) -> Result<TracePage, ApiError> {
    viewer.caller.require(Role::Viewer)?;
    let findings = organisation_findings(state, &viewer.caller).await?;
    let mut view = TracePage::new(viewer.chrome(Tab::Trace), &findings);
    if let Some(id) = captured {
        let capture = state
            .store
            .epcis_capture(&viewer.caller.access(), id)
            .await?
            .ok_or_else(|| ApiError::not_found("capture", id))?;
        view.notice = Some(format!(
            "Captured the {} document (capture {}): {} event(s), {} stored now, {} already stored, {} retracted.",
            capture.format.to_uppercase(),
            capture.id,
            capture.events,
            capture.added,
            capture.duplicates,
            capture.retracted
        ));
    }
    Ok(view)
}

fn with_status(page: Result<Response, ApiError>, status: StatusCode) -> Result<Response, ApiError> {
    page.map(|mut response| {
        *response.status_mut() = status;
        response
    })
}

async fn trace(State(state): State<AppState>, viewer: Viewer, uri: Uri) -> Response {
    let page = async {
        let q: TraceQuery = query(&uri)?;
        let mut view = base_page(&state, &viewer, q.captured.as_deref()).await?;
        let form = HistoryForm {
            epc: q.epc,
            gtin: q.gtin,
            serial: q.serial,
        };
        let mut status = StatusCode::OK;
        if form.asked() {
            let by_gtin = form.epc.trim().is_empty();
            let found = match asked_epc(&form) {
                Ok(epc) => product_history(&state, &viewer.caller, epc.clone())
                    .await
                    .map(|events| (canonical_id(&epc), events)),
                Err(e) => Err(e),
            };
            match found {
                Ok((epc, events)) => view.history = Some(History::new(epc, &events)),
                Err(e) => {
                    let (mut error, code) = field_error(e, "epc")?;
                    if by_gtin && error.field == "epc" {
                        "gtin/serial".clone_into(&mut error.field);
                    }
                    view.history_error = Some(error);
                    status = code;
                }
            }
        }
        view.history_form = form;
        with_status(html(&view), status)
    };
    viewer.page(Tab::Trace, page.await)
}

async fn verify(State(state): State<AppState>, viewer: Viewer, uri: Uri) -> Response {
    let page = async {
        let form: VerifyForm = query(&uri)?;
        let mut view = base_page(&state, &viewer, None).await?;
        let optional = |text: &str| {
            let text = text.trim();
            (!text.is_empty()).then(|| text.to_owned())
        };
        let request = VerifyRequest {
            gtin: form.gtin.trim().to_owned(),
            serial: form.serial.trim().to_owned(),
            lot: optional(&form.lot),
            expiry: optional(&form.expiry),
        };
        let mut status = StatusCode::OK;
        let answer = match gtin_serial_link(&request.gtin, &request.serial) {
            Ok(_) => verify_product(state.clone(), &viewer.caller, request).await,
            Err(e) => Err(e),
        };
        match answer {
            Ok(answer) => view.verification = Some(VerificationView::of(&answer)),
            Err(e) => {
                let (error, code) = field_error(e, "gtin")?;
                view.verify_error = Some(error);
                status = code;
            }
        }
        view.verify_form = form;
        with_status(html(&view), status)
    };
    viewer.page(Tab::Trace, page.await)
}

/// Captures an uploaded EPCIS document (JSON-LD or XML, by its content) as the API's
/// `/epcis/capture` does: all or nothing, events already stored skipped.
async fn upload_epcis(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    const FORM: &str = "EPCIS";
    if let Err(e) = viewer.caller.require(Role::Analyst) {
        return refused(&viewer, FORM, "", "the form", &e);
    }
    let form = match UploadForm::read(&viewer, multipart).await {
        Ok(form) => form,
        Err(e) => return refused(&viewer, FORM, "", "the form", &e),
    };
    let Some(file) = form
        .file
        .filter(|f| !(f.name.is_empty() && f.bytes.is_empty()))
    else {
        let e = ApiError::invalid("file", "choose an EPCIS document to upload");
        return refused(&viewer, FORM, "", "no file", &e);
    };
    let format = match lifeline_trace::read::detect(&mut &file.bytes[..]) {
        Ok(format) => format,
        Err(e) => {
            let e = ApiError::unsupported_media_type(format!(
                "an EPCIS document is EPCIS 2.0 JSON-LD or EPCIS 2.0/1.2 XML: {e}"
            ));
            return refused(&viewer, FORM, "", &file.name, &e);
        }
    };
    match capture_document(&state, &viewer.caller, format, file.bytes).await {
        Ok(capture) => Redirect::to(&format!("/trace?captured={}", percent_encoded(&capture.id)))
            .into_response(),
        Err(e) => refused(&viewer, FORM, "", &file.name, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gtin_and_serial_make_the_digital_link_verify_uses() {
        assert_eq!(
            gtin_serial_link("614141200016", "1001").ok().as_deref(),
            Some("https://id.gs1.org/01/00614141200016/21/1001")
        );
        let e = gtin_serial_link("06141412x", "1")
            .err()
            .map(|e| e.body.field);
        assert_eq!(e, Some(Some("gtin".to_owned())));
        let e = gtin_serial_link("614141200016", " ")
            .err()
            .map(|e| e.body.field);
        assert_eq!(e, Some(Some("serial".to_owned())));
        let both = HistoryForm {
            epc: "urn:epc:id:sgtin:0614141.020001.1001".into(),
            gtin: "1".into(),
            serial: String::new(),
        };
        assert!(asked_epc(&both).is_err());
    }
}
