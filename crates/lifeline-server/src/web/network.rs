//! The network page: the supply map (`GET /networks/{id}`), its layout as JSON for the
//! browser (`GET /networks/{id}/map.json`) and one entity's side panel
//! (`GET /networks/{id}/map/entities/{entity}`, JSON). The layout is computed here on the
//! server by `lifeline_web::map`; the browser only draws it.
//!
//! The map shows the network's latest version, coloured by the newest stress result
//! (which may have run on an earlier version: the page says which).

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lifeline_network::ValidatedNetwork;
use lifeline_stress::Report;
use lifeline_web::Tab;
use lifeline_web::pages::{NetworkItem, NetworkPage};
use serde::Deserialize;

use super::stress::{StressState, item, loaded_network, stress_state};
use super::{Viewer, html, query};
use crate::AppState;
use crate::error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/networks/{id}", get(network_page))
        .route("/networks/{id}/map.json", get(map_json))
        .route("/networks/{id}/map/entities/{entity}", get(entity_panel))
}

/// What the three routes read: the network as listed, its latest version loaded, and its
/// stress state.
struct MapSource {
    item: NetworkItem,
    model: Arc<ValidatedNetwork>,
    stress: StressState,
}

impl MapSource {
    async fn load(state: &AppState, viewer: &Viewer, id: &str) -> Result<MapSource, ApiError> {
        let access = viewer.caller.access();
        let (info, _) = state
            .store
            .network(&access, id)
            .await?
            .ok_or_else(|| ApiError::not_found("network", id))?;
        let stored = state
            .store
            .network_body(&access, id, Some(info.latest.version))
            .await?
            .ok_or_else(|| ApiError::not_found("network", id))?;
        let model = loaded_network(state, stored).await?;
        let stress = stress_state(state, viewer, id).await?;
        Ok(MapSource {
            item: item(&info),
            model,
            stress,
        })
    }

    fn report(&self) -> Option<Arc<Report>> {
        self.stress.result.as_ref().map(|(_, r)| Arc::clone(r))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageQuery {
    page: Option<usize>,
}

async fn network_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let page = async {
        let q: PageQuery = query(&uri)?;
        let source = MapSource::load(&state, &viewer, &id).await?;
        let rated_by = source.stress.result.as_ref().map(|(job, _)| {
            let when = job
                .finished_at
                .map(|t| format!(", finished {}", lifeline_web::format::timestamp(t)))
                .unwrap_or_default();
            let version = if job.network_version == source.item.version {
                format!("version {}", job.network_version)
            } else {
                format!(
                    "version {} (an earlier version than the one drawn)",
                    job.network_version
                )
            };
            format!("the stress test of {version}{when}")
        });
        let (model, report) = (Arc::clone(&source.model), source.report());
        let map = crate::blocking("map layout", move || {
            Ok(lifeline_web::map::layout(&model, report.as_deref()))
        })
        .await?;
        html(&NetworkPage::new(
            viewer.chrome(Tab::Networks),
            source.item,
            &map,
            source.stress.job,
            rated_by,
            q.page.unwrap_or(1),
        ))
    };
    viewer.page(Tab::Networks, page.await)
}

/// The map's layout, for `map.js`. Errors are JSON, as the API's.
async fn map_json(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let map = async {
        let source = MapSource::load(&state, &viewer, &id).await?;
        let report = source.report();
        let model = source.model;
        crate::blocking("map layout", move || {
            Ok(lifeline_web::map::layout(&model, report.as_deref()))
        })
        .await
    };
    match map.await {
        Ok(map) => Json(map).into_response(),
        Err(e) => e.into_response(),
    }
}

/// One entity's side panel: its scenario from the newest stress result.
async fn entity_panel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, entity)): Path<(String, String)>,
) -> Response {
    let panel = async {
        let source = MapSource::load(&state, &viewer, &id).await?;
        lifeline_web::map::panel(
            &source.item.id,
            &source.model,
            source.report().as_deref(),
            &entity,
        )
        .ok_or_else(|| ApiError::not_found("entity", &entity))
    };
    match panel.await {
        Ok(panel) => Json(panel).into_response(),
        Err(e) => e.into_response(),
    }
}
