//! The simulation pages: one scenario day by day, run inline (bounded) with its plot, table
//! and series CSV; and Monte Carlo, started through the job queue as the API starts it,
//! with the newest run's progress and result.

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use lifeline_network::{Target, ValidatedNetwork};
use lifeline_sim::{MonteCarloReport, SimOptions, SimReport, Simulator};
use lifeline_store::{Job, JobKind, JobState, Role};
use lifeline_text::percent_encoded;
use lifeline_web::Tab;
use lifeline_web::pages::{
    EntityOption, FormError, MC_FIELDS, MonteCarloForm, MonteCarloPage, MonteCarloView,
    NetworkItem, SIM_FIELDS, SimView, SimulatePage,
};
use serde::Deserialize;

use super::stress::{
    attachment, file_stem, job_view, network_item, network_of, newest_jobs, report_of, result_text,
};
use super::{Viewer, html, query};
use crate::AppState;
use crate::analysis::{self, MonteCarloParams, Prepared};
use crate::error::ApiError;
use crate::routes::networks::queue_job;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/networks/{id}/simulate", get(simulate_page))
        .route("/networks/{id}/simulate.csv", get(simulate_csv))
        .route(
            "/networks/{id}/montecarlo",
            get(montecarlo_page).post(start_montecarlo),
        )
}

/// Most node-days (days × nodes) a page simulates inline; larger runs go through the API's
/// simulation job or `lifeline simulate`.
pub const MAX_NODE_DAYS: u64 = 5_000_000;
/// Lines in the day-by-day plot (the most affected demand nodes), as `lifeline simulate
/// --plot` draws by default.
const PLOT_LINES: usize = 8;

/// A network's latest version, loaded.
async fn latest_network(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<Arc<ValidatedNetwork>, ApiError> {
    let stored = state
        .store
        .network_body(&viewer.caller.access(), id, None)
        .await?
        .ok_or_else(|| ApiError::not_found("network", id))?;
    crate::blocking("network", move || {
        Ok(Arc::new(analysis::load_stored(&stored)?.network))
    })
    .await
}

/// The entity the newest stress result ranks first, if there is one.
async fn top_ranked(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<Option<String>, ApiError> {
    let done = state
        .store
        .latest_job(
            &viewer.caller.access(),
            id,
            JobKind::Stress,
            Some(JobState::Succeeded),
        )
        .await?;
    let Some(job) = done else {
        return Ok(None);
    };
    let report = report_of(state, viewer, &job).await?;
    Ok(report.ranked().first().map(|s| s.id.clone()))
}

/// An error the person filling the form can fix (a 4xx), as the form's error list: every
/// diagnostic naming its field, else the message on the error's field.
fn form_errors(error: &ApiError, labels: &[(&str, &str)]) -> Vec<FormError> {
    if error.body.diagnostics.is_empty() {
        let field = error.body.field.as_deref().unwrap_or_default();
        return vec![FormError::new(
            field,
            error.body.message.clone(),
            None,
            labels,
        )];
    }
    error
        .body
        .diagnostics
        .iter()
        .map(|d| FormError::new(&d.path, d.message.clone(), d.hint.clone(), labels))
        .collect()
}

/// Whether `error` is about what was asked (shown on the form) rather than a failure.
fn about_the_form(error: &ApiError) -> bool {
    error.status.is_client_error()
        && error.status != StatusCode::NOT_FOUND
        && error.status != StatusCode::FORBIDDEN
}

/// A whole number typed in field `field`, `None` when left empty.
fn number<T: std::str::FromStr>(field: &str, text: &str) -> Result<Option<T>, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| {
        ApiError::invalid(
            field,
            format!("`{}` is not a whole number", lifeline_text::excerpt(text)),
        )
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SimQuery {
    scenario: Option<String>,
    days: Option<String>,
}

/// Checks the simulation asked for and runs it with its series: the API's simulation job
/// (`analysis::prepare`), bounded to [`MAX_NODE_DAYS`]. Blocking.
fn simulate(
    network: &ValidatedNetwork,
    scenario: &str,
    days: Option<u32>,
) -> Result<(SimReport, Vec<String>), ApiError> {
    let params = serde_json::json!({ "scenario": scenario, "days": days });
    let Prepared::Simulate { scenario, days } =
        analysis::prepare(JobKind::Simulate, &params, network)?
    else {
        return Err(ApiError::internal("simulation", &"not a simulation"));
    };
    let nodes = network.nodes().len() as u64;
    let node_days = u64::from(days) * nodes.max(1);
    if node_days > MAX_NODE_DAYS {
        return Err(ApiError::invalid(
            "days",
            format!(
                "{days} days of {nodes} nodes is {node_days} node-days, more than the page \
                 simulates ({MAX_NODE_DAYS}): ask for at most {} days, or run `lifeline \
                 simulate` or the API's simulation job",
                MAX_NODE_DAYS / nodes.max(1)
            ),
        ));
    }
    let simulator = Simulator::new(network);
    let warnings = lifeline_sim::run_warnings(&simulator, days);
    let report = simulator.run(&scenario, &SimOptions::days(days).with_series());
    Ok((report, warnings))
}

async fn simulate_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let page = async {
        let q: SimQuery = query(&uri)?;
        let network = network_item(&state, &viewer, &id).await?;
        let model = latest_network(&state, &viewer, &id).await?;
        let ids: Vec<String> = model.scenarios().into_iter().map(|s| s.id).collect();
        let wanted = q.scenario.as_deref().map(str::trim).unwrap_or_default();
        let scenario = if wanted.is_empty() {
            match top_ranked(&state, &viewer, &id).await? {
                Some(top) if ids.contains(&top) => Some(top),
                _ => ids.first().cloned(),
            }
        } else {
            Some(wanted.to_owned())
        };
        let typed = q.days.clone().unwrap_or_default();
        let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut view = SimulatePage {
            chrome: viewer.chrome(Tab::Networks),
            scenarios: SimulatePage::options(&id_refs, scenario.as_deref().unwrap_or_default()),
            days: typed.trim().to_owned(),
            horizon: lifeline_sim::horizon_days(&model),
            errors: Vec::new(),
            result: None,
            network,
        };
        let Some(scenario) = scenario else {
            return html(&view);
        };
        let days = match number::<u32>("days", &typed) {
            Ok(days) => days,
            Err(e) => {
                view.errors = form_errors(&e, &SIM_FIELDS);
                return refused(html(&view), &e);
            }
        };
        let network_id = id.clone();
        let ran = crate::blocking("simulation", move || {
            let (report, warnings) = simulate(&model, &scenario, days)?;
            let plot = lifeline_sim::plot::svg(&report, PLOT_LINES)
                .map_err(|e| ApiError::internal("simulation plot", &e))?;
            Ok(SimView::new(&report, &model, &network_id, &plot, warnings))
        })
        .await;
        match ran {
            Ok(result) => {
                view.result = Some(result);
                html(&view)
            }
            Err(e) if about_the_form(&e) => {
                view.errors = form_errors(&e, &SIM_FIELDS);
                refused(html(&view), &e)
            }
            Err(e) => Err(e),
        }
    };
    viewer.page(Tab::Networks, page.await)
}

/// A page shown again with the errors of its form, with the error's status (422 for an
/// invalid field).
fn refused(page: Result<Response, ApiError>, error: &ApiError) -> Result<Response, ApiError> {
    let mut response = page?;
    *response.status_mut() = error.status;
    Ok(response)
}

/// The day-by-day series of a simulation as CSV: `lifeline simulate --series`, byte for
/// byte.
async fn simulate_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let file = async {
        let q: SimQuery = query(&uri)?;
        let scenario = q
            .scenario
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| ApiError::invalid("scenario", "name the scenario to simulate"))?;
        let days = number::<u32>("days", q.days.as_deref().unwrap_or_default())?;
        let model = latest_network(&state, &viewer, &id).await?;
        let name = format!("{}-{}-series.csv", file_stem(&id), file_stem(&scenario));
        let bytes = crate::blocking("simulation series", move || {
            let (report, _) = simulate(&model, &scenario, days)?;
            let mut out = Vec::new();
            lifeline_sim::write_series(&mut out, &report)
                .map_err(|e| ApiError::internal("simulation series", &e))?;
            Ok(out)
        })
        .await?;
        Ok(attachment("text/csv; charset=utf-8", name, bytes))
    };
    viewer.page(Tab::Networks, file.await)
}

/// The entities with a TTR (each a default scenario), `chosen` selected.
fn entity_options(network: &ValidatedNetwork, chosen: &[String]) -> Vec<EntityOption> {
    network
        .default_scenarios()
        .into_iter()
        .filter_map(|s| {
            let target = &s.disrupt.first()?.target;
            let kind = match target {
                Target::Node(_) => "node",
                Target::Site(_) => "site",
                Target::Platform(_) => "platform",
            };
            Some(EntityOption {
                selected: chosen.iter().any(|c| c == target.id()),
                id: target.id().to_owned(),
                kind: kind.to_owned(),
                ttr: s
                    .ttr
                    .map(|t| lifeline_web::format::days(t, false))
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// The newest Monte Carlo run of a network (while it runs or if it failed), and the newest
/// result with the job that made it.
async fn montecarlo_state(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<(Option<Job>, Option<MonteCarloView>), ApiError> {
    let (newest, done) = newest_jobs(state, viewer, id, JobKind::Montecarlo).await?;
    let result = match done {
        Some(job) => {
            let text = result_text(state, viewer, &job.id).await?;
            let model = network_of(state, viewer, &job).await?;
            // The duration as it was asked for (`ransomware-downtime`) reads better than
            // the distribution it stands for, which the report spells out.
            let asked = job
                .params
                .get("duration")
                .and_then(serde_json::Value::as_str)
                .unwrap_or(lifeline_sim::RANSOMWARE_DOWNTIME)
                .to_owned();
            let view = crate::blocking("monte carlo report", move || {
                let report: MonteCarloReport = serde_json::from_str(&text)
                    .map_err(|e| ApiError::internal("stored Monte Carlo report", &e))?;
                let mut view = MonteCarloView::new(&report, &model);
                view.duration = asked;
                Ok(view)
            })
            .await?;
            Some(view)
        }
        None => None,
    };
    Ok((newest, result))
}

/// The fields of the Monte Carlo form as sent.
#[derive(Debug, Default)]
struct McFields {
    csrf: String,
    outage: Vec<String>,
    duration: String,
    replications: String,
    seed: String,
    days: String,
}

impl McFields {
    fn of(pairs: Vec<(String, String)>) -> McFields {
        let mut fields = McFields::default();
        for (key, value) in pairs {
            match key.as_str() {
                "csrf" => fields.csrf = value,
                "outage" => fields.outage.push(value),
                "duration" => fields.duration = value,
                "replications" => fields.replications = value,
                "seed" => fields.seed = value,
                "days" => fields.days = value,
                _ => {}
            }
        }
        fields
    }

    /// The API's parameters of the run: empty fields take the API's defaults.
    fn params(&self) -> Result<MonteCarloParams, Vec<FormError>> {
        let mut errors = Vec::new();
        let mut parsed = |field: &str, text: &str| match number::<u64>(field, text) {
            Ok(n) => n,
            Err(e) => {
                errors.extend(form_errors(&e, &MC_FIELDS));
                None
            }
        };
        let replications = parsed("replications", &self.replications);
        let seed = parsed("seed", &self.seed);
        let days = parsed("days", &self.days);
        let small = |field: &str, n: Option<u64>, errors: &mut Vec<FormError>| {
            n.and_then(|n| match u32::try_from(n) {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(FormError::new(
                        field,
                        format!("`{n}` is too large"),
                        None,
                        &MC_FIELDS,
                    ));
                    None
                }
            })
        };
        let replications = small("replications", replications, &mut errors);
        let days = small("days", days, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let duration = self.duration.trim();
        Ok(MonteCarloParams {
            version: None,
            outage: self.outage.clone(),
            duration: (!duration.is_empty()).then(|| duration.to_owned()),
            start: None,
            capacity_factor: None,
            independent: false,
            replications,
            seed,
            days,
            downtime_cost: None,
        })
    }
}

/// The Monte Carlo page, with `form` (the values sent last, else the defaults) for those
/// who may start a run.
async fn montecarlo_view(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    network: NetworkItem,
    sent: Option<&McFields>,
    errors: Vec<FormError>,
) -> Result<MonteCarloPage, ApiError> {
    let (newest, result) = montecarlo_state(state, viewer, id).await?;
    let model = latest_network(state, viewer, id).await?;
    let chrome = viewer.chrome(Tab::Networks);
    let can_run = chrome.can_upload && !network.shared;
    let form = if can_run {
        let chosen = match (sent, &newest) {
            (Some(sent), _) => sent.outage.clone(),
            (None, Some(job)) => job
                .params
                .get("outage")
                .and_then(|v| serde_json::from_value::<Vec<String>>(v.clone()).ok())
                .unwrap_or_default(),
            (None, None) => top_ranked(state, viewer, id).await?.into_iter().collect(),
        };
        let text = |field: fn(&McFields) -> &String, default: &str| {
            sent.map_or_else(|| default.to_owned(), |s| field(s).clone())
        };
        Some(MonteCarloForm {
            entities: entity_options(&model, &chosen),
            duration: text(|s| &s.duration, lifeline_sim::RANSOMWARE_DOWNTIME),
            replications: text(|s| &s.replications, "1000"),
            seed: text(|s| &s.seed, "1"),
            days: text(|s| &s.days, ""),
        })
    } else {
        None
    };
    Ok(MonteCarloPage {
        chrome,
        horizon: lifeline_sim::horizon_days(&model),
        job: newest
            .filter(|j| j.state != JobState::Succeeded)
            .map(|j| job_view(&j, state)),
        network,
        form,
        errors,
        result,
    })
}

async fn montecarlo_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let page = async {
        let network = network_item(&state, &viewer, &id).await?;
        html(&montecarlo_view(&state, &viewer, &id, network, None, Vec::new()).await?)
    };
    viewer.page(Tab::Networks, page.await)
}

/// Starts a Monte Carlo run through the job queue, as `POST
/// /api/v1/networks/{id}/montecarlo` does; a field the run refuses comes back on the form.
async fn start_montecarlo(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let started = async {
        let Form(pairs) = form.map_err(|e| ApiError::bad_request(e.body_text()))?;
        let sent = McFields::of(pairs);
        viewer.check_csrf(&sent.csrf)?;
        viewer.caller.require(Role::Analyst)?;
        let network = network_item(&state, &viewer, &id).await?;
        if network.shared {
            return Err(ApiError::forbidden(
                "this network is shared with your organisation to read: its owner starts runs on it",
            ));
        }
        let refusal = match sent.params() {
            Ok(params) => {
                let queued = queue_job(
                    &state,
                    &viewer.caller,
                    &id,
                    JobKind::Montecarlo,
                    None,
                    params.job_params(),
                )
                .await;
                match queued {
                    Ok(_) => {
                        return Ok(Redirect::to(&format!(
                            "/networks/{}/montecarlo",
                            percent_encoded(&id)
                        ))
                        .into_response());
                    }
                    Err(e) if about_the_form(&e) => {
                        let errors = form_errors(&e, &MC_FIELDS);
                        (e.status, errors)
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
        };
        let (status, errors) = refusal;
        let view = montecarlo_view(&state, &viewer, &id, network, Some(&sent), errors).await?;
        let mut response = html(&view)?;
        *response.status_mut() = status;
        Ok(response)
    };
    viewer.page(Tab::Networks, started.await)
}
