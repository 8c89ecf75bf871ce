//! The vulnerabilities page (the organisation's SBOMs scanned against its advisories:
//! products, vendors, findings, KEV first) and the SBOM upload form. The scan, the
//! advisories and the stored SBOM are the API's own functions (`routes::vuln`), so the
//! page shows what `/api/v1/sboms/{id}/scan` and `lifeline sbom scan` give.

use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lifeline_store::Role;
use lifeline_text::percent_encoded;
use lifeline_web::Tab;
use lifeline_web::format::timestamp;
use lifeline_web::pages::{AdvisoryState, Devices, SbomItem, Scanned, VulnPage};
use serde::Deserialize;

use super::uploads::{UploadForm, refused, upload_errors};
use super::{Viewer, html, query};
use crate::AppState;
use crate::config::Limits;
use crate::error::ApiError;
use crate::routes::vuln::{advisories_of, device_report, scan_all, scan_sources, store_sbom};

pub fn router(limits: &Limits) -> Router<AppState> {
    Router::new()
        .route("/vulnerabilities", get(vulnerabilities))
        .route(
            "/vulnerabilities/devices",
            post(devices).layer(DefaultBodyLimit::max(limits.upload_bytes)),
        )
        .route(
            "/uploads/sbom",
            post(upload_sbom).layer(DefaultBodyLimit::max(limits.upload_bytes)),
        )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct VulnQuery {
    /// The SBOM just stored by the upload form, to confirm.
    sbom: Option<String>,
}

async fn vulnerabilities(State(state): State<AppState>, viewer: Viewer, uri: Uri) -> Response {
    let page = async {
        let q: VulnQuery = query(&uri)?;
        html(&vuln_view(&state, &viewer, q.sbom.as_deref()).await?)
    };
    viewer.page(Tab::Vulnerabilities, page.await)
}

/// The page: the advisories, the SBOMs and their scan, and the confirmation of the SBOM
/// `stored` just now.
async fn vuln_view(
    state: &AppState,
    viewer: &Viewer,
    stored: Option<&str>,
) -> Result<VulnPage, ApiError> {
    let caller = &viewer.caller;
    caller.require(Role::Viewer)?;
    let access = caller.access();
    let advisories = advisories_of(state, caller).await?;
    let infos = state.store.sboms(&access).await?;
    let notice = match stored {
        Some(id) => {
            let stored = state
                .store
                .sbom(&access, id)
                .await?
                .ok_or_else(|| ApiError::not_found("SBOM", id))?;
            let info = stored.info;
            let warnings = info.warnings.as_array().map_or(0, Vec::len);
            Some(format!(
                "Stored the SBOM “{}” ({}, {} component(s), {} warning(s)).",
                info.name, info.kind, info.components, warnings
            ))
        }
        None => None,
    };
    let scanned = if advisories.osv_records > 0 && !infos.is_empty() {
        let sources = scan_sources(state, caller).await?;
        let bodies = state.store.sbom_bodies(&access).await?;
        Some(
            crate::blocking("scan", move || {
                Ok(Scanned::new(&scan_all(&bodies, &sources)?))
            })
            .await?,
        )
    } else {
        None
    };
    Ok(VulnPage {
        notice,
        advisories: AdvisoryState {
            osv_records: advisories.osv_records,
            kev_version: advisories.kev_catalog_version,
            vex_documents: usize::try_from(advisories.vex_documents).unwrap_or(usize::MAX),
        },
        sboms: infos
            .iter()
            .map(|i| SbomItem {
                name: i.name.clone(),
                kind: i.kind.clone(),
                components: i.components,
                uploaded: format!("{} by {}", timestamp(i.created_at), i.created_by),
            })
            .collect(),
        scanned,
        is_admin: caller.user.role.at_least(Role::Admin),
        chrome: viewer.chrome(Tab::Vulnerabilities),
        devices: None,
        device_errors: Vec::new(),
    })
}

/// Rolls the scans up per device of an uploaded FHIR inventory, as the API's `POST
/// /devices/report` does; nothing is stored, so a viewer may send it (with the form's
/// CSRF token). A refused inventory comes back on the page with its diagnostics.
async fn devices(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let page = async {
        viewer.caller.require(Role::Viewer)?;
        let form = UploadForm::read(&viewer, multipart).await?;
        let mut view = vuln_view(&state, &viewer, None).await?;
        let file = form
            .file
            .filter(|f| !(f.name.is_empty() && f.bytes.is_empty()));
        let (name, report) = match file {
            Some(file) => {
                let report = device_report(&state, &viewer.caller, None, None, file.bytes).await;
                (file.name, report)
            }
            None => (
                "no file".to_owned(),
                Err(ApiError::invalid("file", "choose a FHIR device inventory")),
            ),
        };
        match report {
            Ok(report) => {
                view.devices = Some(Devices::new(&name, &report));
                html(&view)
            }
            Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
                view.device_errors = upload_errors(&name, &e);
                let mut response = html(&view)?;
                *response.status_mut() = e.status;
                Ok(response)
            }
            Err(e) => Err(e),
        }
    };
    viewer.page(Tab::Vulnerabilities, page.await)
}

/// Stores an uploaded SBOM (CycloneDX JSON or XML, SPDX 2.3 JSON) as the API's `POST
/// /sboms` does, validated as `lifeline sbom validate` validates it.
async fn upload_sbom(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    const FORM: &str = "SBOM";
    if let Err(e) = viewer.caller.require(Role::Analyst) {
        return refused(&viewer, FORM, "", "the form", &e);
    }
    let form = match UploadForm::read(&viewer, multipart).await {
        Ok(form) => form,
        Err(e) => return refused(&viewer, FORM, "", "the form", &e),
    };
    let name = form.field("name").unwrap_or_default().trim().to_owned();
    let Some(file) = form
        .file
        .filter(|f| !(f.name.is_empty() && f.bytes.is_empty()))
    else {
        let e = ApiError::invalid("file", "choose an SBOM file to upload");
        return refused(&viewer, FORM, &name, "no file", &e);
    };
    let named = (!name.is_empty()).then(|| name.clone());
    match store_sbom(&state, &viewer.caller, named, file.name.clone(), file.bytes).await {
        Ok(info) => Redirect::to(&format!(
            "/vulnerabilities?sbom={}",
            percent_encoded(&info.id)
        ))
        .into_response(),
        Err(e) => refused(&viewer, FORM, &name, &file.name, &e),
    }
}
