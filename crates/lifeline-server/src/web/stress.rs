//! The overview, the networks list, the stress test's page and downloads, and one entity's
//! scenario.

use std::sync::Arc;

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use lifeline_network::ValidatedNetwork;
use lifeline_sim::{SimOptions, Simulator};
use lifeline_store::{Job, JobKind, JobState, NetworkInfo};
use lifeline_stress::Report;
use lifeline_text::percent_encoded;
use lifeline_web::Tab;
use lifeline_web::pages::{
    EntityPage, FirstShort, JobView, NetworkItem, NetworkSummary, NetworksPage, OVERVIEW_ROWS,
    OverviewPage, ScenarioRow, StressPage, StressTable, TableQuery, entity_href, simulate_href,
};
use serde::Deserialize;

use super::{Viewer, html, query};
use crate::AppState;
use crate::analysis::{self, Prepared};
use crate::error::ApiError;
use crate::routes::networks::queue_job;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(overview))
        .route("/networks", get(networks))
        .route("/networks/{id}/stress", get(stress_page).post(run_stress))
        .route("/networks/{id}/stress.csv", get(stress_csv))
        .route("/networks/{id}/stress.json", get(stress_json))
        .route("/networks/{id}/entities/{entity}", get(entity))
}

pub fn item(info: &NetworkInfo) -> NetworkItem {
    NetworkItem::of(&NetworkSummary {
        id: &info.id,
        name: &info.name,
        version: info.latest.version,
        org: &info.org_name,
        shared: info.shared,
        summary: &info.latest.summary,
        created_at: info.latest.created_at,
        created_by: &info.latest.created_by,
    })
}

/// A network the viewer can read, or 404.
pub async fn network_item(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<NetworkItem, ApiError> {
    let (info, _) = state
        .store
        .network(&viewer.caller.access(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("network", id))?;
    Ok(item(&info))
}

pub(crate) fn job_view(job: &Job, state: &AppState) -> JobView {
    let done = match job.state {
        JobState::Running => state.jobs.progress(&job.id).unwrap_or(job.done),
        _ => job.done,
    };
    JobView {
        id: job.id.clone(),
        state: job.state.as_str().to_owned(),
        done,
        total: job.total,
        error: job.error.clone(),
    }
}

/// A network's stress test as the pages show it: the newest job (while it runs or if it
/// failed), and the newest result with the job that made it.
pub(crate) struct StressState {
    pub(crate) job: Option<JobView>,
    pub(crate) result: Option<(Job, Arc<Report>)>,
}

/// A network's newest job of `kind` (in any state), and its newest that succeeded.
pub(crate) async fn newest_jobs(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    kind: JobKind,
) -> Result<(Option<Job>, Option<Job>), ApiError> {
    let access = viewer.caller.access();
    let newest = state.store.latest_job(&access, id, kind, None).await?;
    let done = match &newest {
        Some(job) if job.state == JobState::Succeeded => Some(job.clone()),
        _ => {
            state
                .store
                .latest_job(&access, id, kind, Some(JobState::Succeeded))
                .await?
        }
    };
    Ok((newest, done))
}

pub(crate) async fn stress_state(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<StressState, ApiError> {
    let (newest, done) = newest_jobs(state, viewer, id, JobKind::Stress).await?;
    let result = match done {
        Some(job) => {
            let report = report_of(state, viewer, &job).await?;
            Some((job, report))
        }
        None => None,
    };
    Ok(StressState {
        job: newest
            .filter(|j| j.state != JobState::Succeeded)
            .map(|j| job_view(&j, state)),
        result,
    })
}

/// The stress report a job left, read back from its JSON.
pub(crate) async fn report_of(
    state: &AppState,
    viewer: &Viewer,
    job: &Job,
) -> Result<Arc<Report>, ApiError> {
    if let Some(report) = state.web_cache.report(&job.id) {
        return Ok(report);
    }
    let text = result_text(state, viewer, &job.id).await?;
    let report: Report = crate::blocking("stress report", move || {
        serde_json::from_str(&text).map_err(|e| ApiError::internal("stored stress report", &e))
    })
    .await?;
    let report = Arc::new(report);
    state.web_cache.keep_report(&job.id, Arc::clone(&report));
    Ok(report)
}

pub(crate) async fn result_text(
    state: &AppState,
    viewer: &Viewer,
    job_id: &str,
) -> Result<String, ApiError> {
    state
        .store
        .job_result(&viewer.caller.access(), job_id)
        .await?
        .and_then(|(_, text)| text)
        .ok_or_else(|| ApiError::not_found("job result", job_id))
}

/// The network version a job ran on, loaded.
pub(crate) async fn network_of(
    state: &AppState,
    viewer: &Viewer,
    job: &Job,
) -> Result<Arc<ValidatedNetwork>, ApiError> {
    let stored = state
        .store
        .network_body(
            &viewer.caller.access(),
            &job.network_id,
            Some(job.network_version),
        )
        .await?
        .ok_or_else(|| ApiError::not_found("network", &job.network_id))?;
    loaded_network(state, stored).await
}

/// A stored network version, loaded and validated, or the same one loaded before: the
/// cache is keyed by the stored text's format and SHA-256, and the caller's access was
/// checked when `stored` was read. Clicking through a 10,000-node map then does not parse
/// and validate the network again for every entity.
pub(crate) async fn loaded_network(
    state: &AppState,
    stored: lifeline_store::StoredNetwork,
) -> Result<Arc<ValidatedNetwork>, ApiError> {
    let key = format!(
        "{}:{}",
        stored.version.format.as_str(),
        stored.version.sha256
    );
    if let Some(model) = cached(&state.web_cache.networks, &key) {
        return Ok(model);
    }
    let model = crate::blocking("network", move || {
        Ok(Arc::new(analysis::load_stored(&stored)?.network))
    })
    .await?;
    keep(&state.web_cache.networks, &key, Arc::clone(&model));
    Ok(model)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OverviewQuery {
    network: Option<String>,
}

async fn overview(State(state): State<AppState>, viewer: Viewer, uri: Uri) -> Response {
    viewer.page(Tab::Overview, overview_page(&state, &viewer, &uri).await)
}

async fn overview_page(state: &AppState, viewer: &Viewer, uri: &Uri) -> Result<Response, ApiError> {
    let q: OverviewQuery = query(uri)?;
    let infos = state.store.networks(&viewer.caller.access()).await?;
    let networks: Vec<NetworkItem> = infos.iter().map(item).collect();
    let selected = match &q.network {
        Some(id) => Some(
            networks
                .iter()
                .find(|n| &n.id == id)
                .cloned()
                .ok_or_else(|| ApiError::not_found("network", id))?,
        ),
        None => networks.first().cloned(),
    };
    let mut view = OverviewPage {
        chrome: viewer.chrome(Tab::Overview),
        networks,
        selected: None,
        job: None,
        ranking: Vec::new(),
        scenarios: 0,
        exposed: 0,
        worst: None,
        first_short: Vec::new(),
        simulate_href: String::new(),
        chart: String::new(),
        reminders: super::risk::reminder_rows(state, &viewer.caller).await?,
    };
    if let Some(net) = selected {
        let stress = stress_state(state, viewer, &net.id).await?;
        view.job = stress.job;
        if let Some((job, report)) = stress.result {
            let ranked = report.ranked();
            (view.scenarios, view.exposed) = OverviewPage::counts(&report);
            view.ranking = ranked
                .iter()
                .take(OVERVIEW_ROWS)
                .enumerate()
                .map(|(i, s)| ScenarioRow::of(i + 1, s, &net.id))
                .collect();
            let charted: Vec<_> = ranked.iter().copied().take(CHART_POINTS).collect();
            view.chart = lifeline_web::chart::tts_ttr(&charted, &|e| entity_href(&net.id, e));
            if let Some(worst) = ranked
                .first()
                .filter(|s| s.gap.is_some_and(|g| g < 0.0) || s.total_lost_units() > 0.0)
            {
                view.simulate_href = simulate_href(&net.id, &worst.id);
                view.worst = Some(ScenarioRow::of(1, worst, &net.id));
                view.first_short = first_short(state, viewer, &job, &worst.id).await?;
            }
        }
        view.selected = Some(net);
    }
    html(&view)
}

/// Points the overview's chart draws at most (the highest-ranked); the stress page draws
/// every one.
const CHART_POINTS: usize = 300;
/// Rows of the overview's "runs short first" table.
const FIRST_SHORT_ROWS: usize = 10;

/// Who runs short first, and when, in the day-by-day simulation of `scenario` on the
/// network version `job` ran on (with the job's own scenarios, if it had any).
async fn first_short(
    state: &AppState,
    viewer: &Viewer,
    job: &Job,
    scenario: &str,
) -> Result<Vec<FirstShort>, ApiError> {
    if let Some(rows) = state.web_cache.first_short(&job.id) {
        return Ok(rows.as_ref().clone());
    }
    let network = network_of(state, viewer, job).await?;
    let params = serde_json::json!({
        "scenario": scenario,
        "scenarios": job.params.get("scenarios").cloned().unwrap_or(serde_json::Value::Null),
    });
    let rows = crate::blocking("first short", move || {
        let Prepared::Simulate { scenario, days } =
            analysis::prepare(JobKind::Simulate, &params, &network)?
        else {
            return Ok(Vec::new());
        };
        let report = Simulator::new(&network).run(&scenario, &SimOptions::days(days));
        Ok(FirstShort::rows(&report, &network, FIRST_SHORT_ROWS))
    })
    .await?;
    state
        .web_cache
        .keep_first_short(&job.id, Arc::new(rows.clone()));
    Ok(rows)
}

async fn networks(State(state): State<AppState>, viewer: Viewer) -> Response {
    let page = async {
        let infos = state.store.networks(&viewer.caller.access()).await?;
        html(&NetworksPage {
            chrome: viewer.chrome(Tab::Networks),
            networks: infos.iter().map(item).collect(),
        })
    };
    viewer.page(Tab::Networks, page.await)
}

async fn stress_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let page = async {
        let q: TableQuery = query(&uri)?;
        let network = network_item(&state, &viewer, &id).await?;
        let stress = stress_state(&state, &viewer, &id).await?;
        let base = format!("/networks/{}/stress", percent_encoded(&id));
        let (table, chart, exposed) = match &stress.result {
            Some((_, report)) => {
                let ranked = report.ranked();
                let chart = lifeline_web::chart::tts_ttr(&ranked, &|e| entity_href(&id, e));
                (
                    Some(StressTable::new(report, &id, &base, &q)),
                    chart,
                    OverviewPage::counts(report).1,
                )
            }
            None => (None, String::new(), 0),
        };
        let chrome = viewer.chrome(Tab::Networks);
        html(&StressPage {
            can_run: chrome.can_upload && !network.shared,
            chrome,
            network,
            job: stress.job,
            table,
            exposed,
            chart,
        })
    };
    viewer.page(Tab::Networks, page.await)
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Starts a new sweep of every scenario of the network's latest version.
async fn run_stress(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let started = async {
        let Form(form) = form.map_err(|e| ApiError::bad_request(e.body_text()))?;
        viewer.check_csrf(&form.csrf)?;
        start_stress(&state, &viewer, &id).await?;
        Ok(Redirect::to(&format!("/networks/{}/stress", percent_encoded(&id))).into_response())
    };
    viewer.page(Tab::Networks, started.await)
}

/// Queues a stress test of every scenario of a network's latest version.
pub async fn start_stress(state: &AppState, viewer: &Viewer, id: &str) -> Result<String, ApiError> {
    let params = serde_json::json!({ "scenarios": null, "top": null, "solve_all": false });
    queue_job(state, &viewer.caller, id, JobKind::Stress, None, params).await
}

/// The newest stress result of a network, or 404.
async fn newest_result(state: &AppState, viewer: &Viewer, id: &str) -> Result<Job, ApiError> {
    network_item(state, viewer, id).await?;
    state
        .store
        .latest_job(
            &viewer.caller.access(),
            id,
            JobKind::Stress,
            Some(JobState::Succeeded),
        )
        .await?
        .ok_or_else(|| ApiError::not_found("stress test result of network", id))
}

pub(crate) fn attachment(content_type: &'static str, name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// File names carry the network id, made safe for a header (ids are generated, but be
/// strict anyway).
pub(crate) fn file_stem(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `lifeline stress --format csv`, byte for byte, of the newest result.
async fn stress_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let file = async {
        let job = newest_result(&state, &viewer, &id).await?;
        let report = report_of(&state, &viewer, &job).await?;
        let bytes = crate::blocking("stress csv", move || {
            let mut out = Vec::new();
            lifeline_stress::write_csv(&mut out, &report.ranked())
                .map_err(|e| ApiError::internal("stress csv", &e))?;
            Ok(out)
        })
        .await?;
        Ok(attachment(
            "text/csv; charset=utf-8",
            format!("{}-stress.csv", file_stem(&id)),
            bytes,
        ))
    };
    viewer.page(Tab::Networks, file.await)
}

/// `lifeline stress --format json`, byte for byte, of the newest result.
async fn stress_json(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let file = async {
        let job = newest_result(&state, &viewer, &id).await?;
        let text = result_text(&state, &viewer, &job.id).await?;
        Ok(attachment(
            "application/json",
            format!("{}-stress.json", file_stem(&id)),
            text.into_bytes(),
        ))
    };
    viewer.page(Tab::Networks, file.await)
}

async fn entity(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, entity)): Path<(String, String)>,
) -> Response {
    let page = async {
        let network = network_item(&state, &viewer, &id).await?;
        let job = newest_result(&state, &viewer, &id).await?;
        let report = report_of(&state, &viewer, &job).await?;
        let ranked = report.ranked();
        let (rank, scenario) = ranked
            .iter()
            .enumerate()
            .find(|(_, s)| s.id == entity)
            .ok_or_else(|| ApiError::not_found("entity in the stress test", &entity))?;
        let model = network_of(&state, &viewer, &job).await?;
        let view = EntityPage::new(
            viewer.chrome(Tab::Networks),
            network,
            rank + 1,
            scenario,
            &model,
        );
        html(&view)
    };
    viewer.page(Tab::Networks, page.await)
}

/// What the pages keep between requests, by job id (results never change once written):
/// parsed stress reports and the overview's simulation. Small and bounded.
#[derive(Default)]
pub struct WebCache {
    reports: std::sync::Mutex<Vec<(String, Arc<Report>)>>,
    short: std::sync::Mutex<Vec<(String, Arc<Vec<FirstShort>>)>>,
    networks: std::sync::Mutex<Vec<(String, Arc<ValidatedNetwork>)>>,
}

/// Entries each cache keeps (the most recent).
const CACHED: usize = 8;

fn cached<T>(list: &std::sync::Mutex<Vec<(String, Arc<T>)>>, key: &str) -> Option<Arc<T>> {
    let list = list.lock().ok()?;
    list.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| Arc::clone(v))
}

fn keep<T>(list: &std::sync::Mutex<Vec<(String, Arc<T>)>>, key: &str, value: Arc<T>) {
    if let Ok(mut list) = list.lock() {
        list.retain(|(k, _)| k != key);
        if list.len() >= CACHED {
            list.remove(0);
        }
        list.push((key.to_owned(), value));
    }
}

impl WebCache {
    fn report(&self, job: &str) -> Option<Arc<Report>> {
        cached(&self.reports, job)
    }
    fn keep_report(&self, job: &str, report: Arc<Report>) {
        keep(&self.reports, job, report);
    }
    fn first_short(&self, job: &str) -> Option<Arc<Vec<FirstShort>>> {
        cached(&self.short, job)
    }
    fn keep_first_short(&self, job: &str, rows: Arc<Vec<FirstShort>>) {
        keep(&self.short, job, rows);
    }
}
