//! `lifeline.Network`: a validated network and the analyses on it (stress test,
//! day-by-day simulation, Monte Carlo), each as the command line's JSON report (a dict)
//! or as a pandas DataFrame.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use lifeline_network::{Diagnostic, Format, Loaded, Raw, ReadLimits, Scenario, ValidatedNetwork};
use lifeline_sim::{MonteCarloReport, SimOptions, SimReport, Simulator};
use lifeline_stress::{Baseline, Report, StressConfig};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use crate::convert;
use crate::errors::{
    Problem, argument_diagnostic, load_error, problem_list, runtime_error, validation_error,
};

/// Where a network came from, kept so that it can be pickled (for Ray's object store) and
/// read back to the same network.
#[derive(Debug, Clone)]
enum Source {
    /// A JSON or YAML file's text.
    Text { text: String, json: bool },
    /// A document given as Python objects.
    Raw(Raw),
    /// A folder of CSV tables, read again from its path when unpickled.
    Folder(PathBuf),
}

/// A supply network that validated: load it with `Network.load(path)` or
/// `Network.from_dict(document)`.
///
/// Its analyses return the command line's JSON report as a dict (`stress_report`,
/// `simulate_report`, `montecarlo_report`: equal to `lifeline stress|simulate|montecarlo
/// --format json`, field for field) or a pandas DataFrame with an `id` column (`stress`,
/// `simulate`, `montecarlo`). The GIL is released while they compute, so other Python
/// threads run meanwhile. The first stress sweep solves the network's undisrupted optima
/// (seconds on a national network) and the network keeps them, so the sweeps after it
/// (other scenarios, another look in a notebook) skip that cost and give the same numbers.
#[pyclass(module = "lifeline", name = "Network", frozen)]
pub struct Network {
    network: Arc<ValidatedNetwork>,
    warnings: Vec<Problem>,
    origin: String,
    source: Source,
    /// The stress test's undisrupted optima, solved by the first sweep and kept for the
    /// next ones (a sweep's fixed cost: seconds on a national network). Not pickled: a
    /// Ray worker solves it once for all the chunks it runs.
    baseline: Mutex<Option<Arc<Baseline>>>,
}

impl Network {
    /// The validated network, for the other modules of the extension (`distributed`).
    #[allow(dead_code)]
    pub(crate) fn validated(&self) -> &Arc<ValidatedNetwork> {
        &self.network
    }

    /// The stress test of `scenarios` (all or a chunk of a sweep) from the kept baseline,
    /// solving it first if no sweep has yet; the GIL is released meanwhile. The report is
    /// `lifeline_stress::run`'s, to the bit.
    pub(crate) fn run_stress(
        &self,
        py: Python<'_>,
        scenarios: &[Scenario],
        solve_all: bool,
        threads: Option<usize>,
    ) -> PyResult<Report> {
        let config = StressConfig {
            skip_covered: !solve_all,
        };
        py.detach(|| {
            let baseline = self.baseline()?;
            in_pool(threads, || baseline.run(scenarios, &config, &|| {}))?.map_err(runtime_error)
        })
    }

    /// The kept baseline; a caller that comes while another solves it waits for that one.
    fn baseline(&self) -> PyResult<Arc<Baseline>> {
        let mut kept = self.baseline.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(baseline) = kept.as_ref() {
            return Ok(Arc::clone(baseline));
        }
        let baseline = Arc::new(Baseline::solve(Arc::clone(&self.network)).map_err(runtime_error)?);
        *kept = Some(Arc::clone(&baseline));
        Ok(baseline)
    }

    fn from_loaded(
        py: Python<'_>,
        result: Result<Loaded, lifeline_network::LoadError>,
        origin: String,
        source: Source,
    ) -> PyResult<Network> {
        let loaded = result.map_err(|e| load_error(py, e))?;
        let warnings: Vec<Problem> = loaded
            .warnings
            .into_iter()
            .map(|d| Problem::new(Some(&origin), d))
            .collect();
        if !warnings.is_empty() {
            let warn = py.import("warnings")?.getattr("warn")?;
            for warning in &warnings {
                warn.call1((format!(
                    "{}: {}",
                    lifeline_text::escaped(&origin),
                    warning.diagnostic
                ),))?;
            }
        }
        Ok(Network {
            network: Arc::new(loaded.network),
            warnings,
            origin,
            source,
            baseline: Mutex::new(None),
        })
    }

    fn from_text(py: Python<'_>, text: String, json: bool, origin: String) -> PyResult<Network> {
        let format = if json { Format::Json } else { Format::Yaml };
        let result = py.detach(|| {
            lifeline_network::from_str_with(
                &text,
                format,
                Path::new(&origin),
                &ReadLimits::default(),
            )
        });
        Network::from_loaded(py, result, origin, Source::Text { text, json })
    }

    fn from_raw(py: Python<'_>, raw: Raw, origin: String) -> PyResult<Network> {
        let result = lifeline_network::from_raw(&raw).map_err(|diagnostics| {
            lifeline_network::LoadError::Invalid {
                path: PathBuf::from(&origin),
                diagnostics,
            }
        });
        Network::from_loaded(py, result, origin, Source::Raw(raw))
    }

    fn from_folder(py: Python<'_>, path: PathBuf) -> PyResult<Network> {
        let result = py.detach(|| lifeline_network::load(&path));
        let origin = path.display().to_string();
        Network::from_loaded(py, result, origin, Source::Folder(path))
    }

    /// The scenarios an analysis runs: the network's own (or its default sweep) when
    /// `scenarios` is None, else those `scenarios` gives (see `Network.stress`).
    pub(crate) fn scenarios(
        &self,
        py: Python<'_>,
        scenarios: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Scenario>> {
        let Some(given) = scenarios else {
            return Ok(self.network.scenarios());
        };
        if given.is_instance_of::<PyString>() || is_path(given)? {
            let path: PathBuf = given.extract()?;
            return self.scenarios_file(py, &path);
        }
        let is_list = given.is_instance_of::<PyList>() || given.is_instance_of::<PyTuple>();
        if is_list {
            let items: Vec<Bound<'_, PyAny>> = given.try_iter()?.collect::<PyResult<_>>()?;
            if !items.is_empty() && items.iter().all(|i| i.is_instance_of::<PyString>()) {
                let ids: Vec<String> =
                    items.iter().map(|i| i.extract()).collect::<PyResult<_>>()?;
                return self.scenarios_by_id(py, &ids);
            }
        }
        if is_list || given.is_instance_of::<PyDict>() {
            let raw = convert::to_raw(given, "scenarios")?;
            return self.scenarios_raw(py, &raw, "scenarios");
        }
        Err(PyTypeError::new_err(format!(
            "scenarios: expected None, a path to a scenarios file, a list of scenario ids, or a list of scenario dicts, found {}",
            given.get_type().name()?
        )))
    }

    fn scenarios_file(&self, py: Python<'_>, path: &Path) -> PyResult<Vec<Scenario>> {
        let origin = path.display().to_string();
        let text = lifeline_network::read_text(path, &ReadLimits::default())
            .map_err(|e| load_error(py, e))?;
        let format = Format::detect(path, &text);
        let result = lifeline_network::scenarios_from_str(&text, format, path, &self.network);
        self.checked_scenarios(py, result, &origin)
    }

    fn scenarios_raw(&self, py: Python<'_>, raw: &Raw, origin: &str) -> PyResult<Vec<Scenario>> {
        let result = lifeline_network::scenarios_from_raw(raw, Path::new(origin), &self.network);
        self.checked_scenarios(py, result, origin)
    }

    fn checked_scenarios(
        &self,
        py: Python<'_>,
        result: Result<(Vec<Scenario>, Vec<Diagnostic>), lifeline_network::LoadError>,
        origin: &str,
    ) -> PyResult<Vec<Scenario>> {
        let (scenarios, warnings) = result.map_err(|e| load_error(py, e))?;
        if !warnings.is_empty() {
            let warn = py.import("warnings")?.getattr("warn")?;
            for warning in warnings {
                warn.call1((format!("{}: {warning}", lifeline_text::escaped(origin)),))?;
            }
        }
        Ok(scenarios)
    }

    /// Scenarios picked by id among the network's own and its default ones (an entity
    /// with a `ttr`, alone and fully down), every unknown id reported at once.
    fn scenarios_by_id(&self, py: Python<'_>, ids: &[String]) -> PyResult<Vec<Scenario>> {
        let mut pool = self.network.scenarios();
        pool.extend(self.network.default_scenarios());
        let mut found = Vec::new();
        let mut problems = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            match lifeline_sim::pick_scenario(&self.network, id, Some(&pool)) {
                Ok(scenario) => found.push(scenario),
                Err(mut diagnostic) => {
                    diagnostic.path = format!("scenarios[{i}]");
                    problems.push(Problem::new(None, diagnostic));
                }
            }
        }
        if problems.is_empty() {
            Ok(found)
        } else {
            Err(validation_error(py, "unknown scenario id(s):", &problems))
        }
    }

    /// The one scenario of `simulate`: an id (`pool` or the network's), a path to a file
    /// holding one scenario, or a scenario dict.
    fn one_scenario(
        &self,
        py: Python<'_>,
        scenario: &Bound<'_, PyAny>,
        pool: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Scenario> {
        if let Ok(id) = scenario.cast::<PyString>() {
            let id = id.to_cow()?;
            let pool = match pool {
                Some(pool) => Some(self.scenarios(py, Some(pool))?),
                None => None,
            };
            return lifeline_sim::pick_scenario(&self.network, &id, pool.as_deref()).map_err(|d| {
                let d = argument_diagnostic(Diagnostic {
                    path: "--scenario".into(),
                    ..d
                });
                validation_error(py, "no such scenario:", &[Problem::new(None, d)])
            });
        }
        let (scenarios, origin) = if is_path(scenario)? {
            let path: PathBuf = scenario.extract()?;
            (self.scenarios_file(py, &path)?, path.display().to_string())
        } else if scenario.is_instance_of::<PyDict>() {
            let raw = convert::to_raw(scenario, "scenario")?;
            (
                self.scenarios_raw(py, &Raw::List(vec![raw]), "scenario")?,
                "scenario".to_owned(),
            )
        } else {
            return Err(PyTypeError::new_err(format!(
                "scenario: expected a scenario id (str), a path to a file holding one scenario, or a scenario dict, found {}",
                scenario.get_type().name()?
            )));
        };
        match <[Scenario; 1]>::try_from(scenarios) {
            Ok([one]) => Ok(one),
            Err(many) => Err(PyValueError::new_err(format!(
                "`{}` holds {} scenarios; give one by id, with scenarios= naming the file",
                lifeline_text::escaped(&origin),
                many.len()
            ))),
        }
    }

    fn sweep(
        &self,
        py: Python<'_>,
        scenarios: Option<&Bound<'_, PyAny>>,
        threads: Option<usize>,
        solve_all: bool,
    ) -> PyResult<Report> {
        let scenarios = self.scenarios(py, scenarios)?;
        self.run_stress(py, &scenarios, solve_all, threads)
    }

    fn simulation(
        &self,
        py: Python<'_>,
        scenario: &Bound<'_, PyAny>,
        days: Option<u32>,
        scenarios: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<SimReport> {
        let scenario = self.one_scenario(py, scenario, scenarios)?;
        let days = days.unwrap_or_else(|| lifeline_sim::horizon_days(&self.network));
        if days == 0 {
            return Err(PyValueError::new_err("days must be at least 1"));
        }
        let network = &*self.network;
        Ok(py.detach(|| Simulator::new(network).run(&scenario, &SimOptions::days(days))))
    }

    #[allow(clippy::too_many_arguments)]
    fn monte_carlo(
        &self,
        py: Python<'_>,
        outage: &Bound<'_, PyAny>,
        duration: String,
        start: String,
        capacity_factor: f64,
        independent: bool,
        replications: u32,
        seed: u64,
        days: Option<u32>,
        downtime_cost: Option<f64>,
        threads: Option<usize>,
    ) -> PyResult<MonteCarloReport> {
        let crate::distributed::Run { outage, run } = crate::distributed::monte_carlo_run(
            py,
            self,
            outage,
            duration,
            start,
            capacity_factor,
            independent,
            replications,
            seed,
            days,
            downtime_cost,
        )?;
        let network = &*self.network;
        py.detach(|| {
            in_pool(threads, || {
                Simulator::new(network).montecarlo_against_stress(&outage, &run, &|_| {})
            })
        })?
        .map_err(runtime_error)
    }
}

/// Whether `value` is an `os.PathLike` (a `pathlib.Path`).
fn is_path(value: &Bound<'_, PyAny>) -> PyResult<bool> {
    let path_like = value.py().import("os")?.getattr("PathLike")?;
    value.is_instance(&path_like)
}

/// Runs `work` on `threads` worker threads, or on rayon's global pool (one per core).
pub(crate) fn in_pool<T: Send>(
    threads: Option<usize>,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    Ok(match threads {
        Some(threads) => rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build()
            .map_err(|e| runtime_error(format!("cannot start the worker threads: {e}")))?
            .install(work),
        None => work(),
    })
}

/// Builds a pandas DataFrame from columns in order.
fn data_frame<'py>(
    py: Python<'py>,
    columns: Vec<(&str, Bound<'py, PyAny>)>,
) -> PyResult<Bound<'py, PyAny>> {
    let dict = PyDict::new(py);
    for (name, column) in columns {
        dict.set_item(name, column)?;
    }
    py.import("pandas")?.getattr("DataFrame")?.call1((dict,))
}

fn column<'py, T>(py: Python<'py>, values: Vec<T>) -> PyResult<Bound<'py, PyAny>>
where
    T: IntoPyObject<'py>,
{
    Ok(PyList::new(py, values)?.into_any())
}

/// A missing number as NaN, so that the column stays numeric.
fn number(x: Option<f64>) -> f64 {
    x.unwrap_or(f64::NAN)
}

#[pymethods]
impl Network {
    /// Loads and validates a network: a `.json`, `.yaml`/`.yml` file or a folder of CSV
    /// tables, within the same read limits and with the same diagnostics as `lifeline
    /// validate`. Raises `ValidationError` listing every problem of an invalid document,
    /// `FileNotFoundError` / `OSError` when it cannot be read. Warnings are issued with
    /// `warnings.warn` and kept in `Network.warnings`.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Network> {
        if path.is_dir() {
            return Network::from_folder(py, path);
        }
        let origin = path.display().to_string();
        let text = py
            .detach(|| lifeline_network::read_text(&path, &ReadLimits::default()))
            .map_err(|e| load_error(py, e))?;
        let json = Format::detect(&path, &text) == Format::Json;
        Network::from_text(py, text, json, origin)
    }

    /// Validates a network given as Python objects: a dict shaped like a
    /// `lifeline-network/1` JSON document (lists, dicts, strings, numbers, booleans,
    /// None). Raises `ValidationError` listing every problem; `name` names the document
    /// in messages.
    #[staticmethod]
    #[pyo3(signature = (document, *, name = "<dict>".to_owned()))]
    fn from_dict(py: Python<'_>, document: &Bound<'_, PyAny>, name: String) -> PyResult<Network> {
        let raw = convert::to_raw(document, &name)?;
        Network::from_raw(py, raw, name)
    }

    /// Reads a network back from what `__reduce__` kept (pickling).
    #[staticmethod]
    fn _restore(
        py: Python<'_>,
        kind: &str,
        payload: &Bound<'_, PyAny>,
        origin: String,
    ) -> PyResult<Network> {
        match kind {
            "json" | "yaml" => Network::from_text(py, payload.extract()?, kind == "json", origin),
            "raw" => Network::from_raw(py, convert::to_raw(payload, &origin)?, origin),
            "folder" => Network::from_folder(py, payload.extract()?),
            other => Err(PyValueError::new_err(format!(
                "unknown pickled network kind `{}`",
                lifeline_text::excerpt(other)
            ))),
        }
    }

    /// Pickling keeps the document (the text of a file, the dict, or the path of a CSV
    /// folder, which must exist where the network is unpickled) and validates it again.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let this = slf.get();
        let restore = slf.get_type().getattr("_restore")?;
        let (kind, payload): (&str, Bound<'py, PyAny>) = match &this.source {
            Source::Text { text, json } => (
                if *json { "json" } else { "yaml" },
                PyString::new(py, text).into_any(),
            ),
            Source::Raw(raw) => ("raw", convert::from_raw(py, raw)?),
            Source::Folder(path) => ("folder", path.clone().into_pyobject(py)?.into_any()),
        };
        let args = PyTuple::new(
            py,
            [
                PyString::new(py, kind).into_any(),
                payload,
                PyString::new(py, &this.origin).into_any(),
            ],
        )?;
        PyTuple::new(py, [restore.into_any(), args.into_any()])
    }

    /// The network's `name` (empty when it has none).
    #[getter]
    fn name(&self) -> String {
        self.network.network().name.clone()
    }

    /// The file (or `name`) the network was read from.
    #[getter]
    fn origin(&self) -> String {
        self.origin.clone()
    }

    /// The warnings found while loading, as dicts like `ValidationError.problems`.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        problem_list(py, &self.warnings)
    }

    /// Ids of the scenarios `stress()` runs by default: the network's own, or its default
    /// sweep (every node, site and platform with a `ttr`, alone and fully down).
    fn scenario_ids(&self) -> Vec<String> {
        self.network.scenarios().into_iter().map(|s| s.id).collect()
    }

    /// Counts of nodes, edges, sites, platforms and default scenarios.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let n = self.network.network();
        let dict = PyDict::new(py);
        dict.set_item("name", &n.name)?;
        dict.set_item("nodes", n.nodes.len())?;
        dict.set_item("edges", n.edges.len())?;
        dict.set_item("sites", n.sites.len())?;
        dict.set_item("platforms", n.platforms.len())?;
        dict.set_item("scenarios", self.network.scenarios().len())?;
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        let n = self.network.network();
        let name = lifeline_text::escaped(if n.name.is_empty() {
            &self.origin
        } else {
            &n.name
        });
        let shown: String = if name.chars().count() > 48 {
            name.chars().take(47).chain(['…']).collect()
        } else {
            name.into_owned()
        };
        format!(
            "<lifeline.Network {shown}: {} nodes, {} edges, {} sites, {} platforms>",
            n.nodes.len(),
            n.edges.len(),
            n.sites.len(),
            n.platforms.len()
        )
    }

    /// The stress test (time to recover and time to survive of every scenario) as the
    /// dict `lifeline stress --format json` writes: `network`, `horizon`, `baseline_tts`,
    /// `baseline_tts_capped`, `scenarios` ranked (highest REI first), only the first `top`
    /// when given.
    ///
    /// `scenarios`: None (the network's own, or its default sweep), a path to a scenarios
    /// file (as `--scenarios`), a list of scenario ids (among the network's scenarios and
    /// default ones), or a list of scenario dicts (or `{"scenarios": [...]}`).
    /// `threads`: worker threads (default one per core); results do not depend on it.
    /// `solve_all`: solve the TTR program even where TTS covers TTR (same results).
    #[pyo3(signature = (scenarios = None, threads = None, *, top = None, solve_all = false))]
    fn stress_report<'py>(
        &self,
        py: Python<'py>,
        scenarios: Option<&Bound<'py, PyAny>>,
        threads: Option<usize>,
        top: Option<usize>,
        solve_all: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let report = self.sweep(py, scenarios, threads, solve_all)?;
        convert::to_python(py, &lifeline_stress::report_document(&report, top))
    }

    /// The stress test as a DataFrame, one row per scenario in the report's rank order:
    /// `id`, `kind`, `ttr`, `tts`, `tts_capped`, `gap` (TTS − TTR), `performance_impact`,
    /// `rei`, `lost_units` (total over the demand nodes), `spend`, `quadrant`; a missing
    /// number is NaN. Arguments as `stress_report`.
    #[pyo3(signature = (scenarios = None, threads = None, *, solve_all = false))]
    fn stress<'py>(
        &self,
        py: Python<'py>,
        scenarios: Option<&Bound<'py, PyAny>>,
        threads: Option<usize>,
        solve_all: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let report = self.sweep(py, scenarios, threads, solve_all)?;
        let ranked = report.ranked();
        let texts = |f: fn(&lifeline_stress::ScenarioResult) -> String| {
            column(py, ranked.iter().map(|s| f(s)).collect::<Vec<_>>())
        };
        let numbers = |f: fn(&lifeline_stress::ScenarioResult) -> f64| {
            column(py, ranked.iter().map(|s| f(s)).collect::<Vec<_>>())
        };
        data_frame(
            py,
            vec![
                ("id", texts(|s| s.id.clone())?),
                ("kind", texts(|s| s.kind.clone())?),
                ("ttr", numbers(|s| number(s.ttr))?),
                ("tts", numbers(|s| s.tts)?),
                (
                    "tts_capped",
                    column(py, ranked.iter().map(|s| s.tts_capped).collect::<Vec<_>>())?,
                ),
                ("gap", numbers(|s| number(s.gap))?),
                (
                    "performance_impact",
                    numbers(|s| number(s.performance_impact))?,
                ),
                ("rei", numbers(|s| number(s.rei))?),
                ("lost_units", numbers(|s| s.total_lost_units())?),
                ("spend", numbers(|s| number(s.spend))?),
                (
                    "quadrant",
                    column(
                        py,
                        ranked
                            .iter()
                            .map(|s| s.quadrant.map(|q| q.as_str()))
                            .collect::<Vec<_>>(),
                    )?,
                ),
            ],
        )
    }

    /// One scenario simulated day by day, as the dict `lifeline simulate --format json`
    /// writes: `scenario`, `days`, `start`, `outage_days`, `demand_nodes` (one per demand
    /// node), `totals`.
    ///
    /// `scenario`: an id (among `scenarios` when given, else the network's scenarios and
    /// default ones), a `pathlib.Path` to a file holding one scenario, or a scenario dict.
    /// `days`: days to simulate (default: the network's horizon).
    #[pyo3(signature = (scenario, days = None, *, scenarios = None))]
    fn simulate_report<'py>(
        &self,
        py: Python<'py>,
        scenario: &Bound<'py, PyAny>,
        days: Option<u32>,
        scenarios: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let report = self.simulation(py, scenario, days, scenarios)?;
        convert::to_python(py, &report)
    }

    /// One scenario simulated day by day as a DataFrame, one row per demand node: `id`,
    /// `material`, `demand`, `value`, `days_of_supply_at_start`, `first_stockout_day`
    /// (NaN when it never runs short), `shortage_days`, `unmet_units`, `loss`. Arguments
    /// as `simulate_report`.
    #[pyo3(signature = (scenario, days = None, *, scenarios = None))]
    fn simulate<'py>(
        &self,
        py: Python<'py>,
        scenario: &Bound<'py, PyAny>,
        days: Option<u32>,
        scenarios: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let report = self.simulation(py, scenario, days, scenarios)?;
        let nodes = &report.demand_nodes;
        let numbers = |f: fn(&lifeline_sim::DemandOutcome) -> f64| {
            column(py, nodes.iter().map(f).collect::<Vec<_>>())
        };
        data_frame(
            py,
            vec![
                (
                    "id",
                    column(py, nodes.iter().map(|n| n.id.as_str()).collect::<Vec<_>>())?,
                ),
                (
                    "material",
                    column(
                        py,
                        nodes
                            .iter()
                            .map(|n| n.material.as_str())
                            .collect::<Vec<_>>(),
                    )?,
                ),
                ("demand", numbers(|n| n.demand)?),
                ("value", numbers(|n| n.value)?),
                (
                    "days_of_supply_at_start",
                    numbers(|n| number(n.days_of_supply_at_start))?,
                ),
                (
                    "first_stockout_day",
                    numbers(|n| number(n.first_stockout_day.map(f64::from)))?,
                ),
                (
                    "shortage_days",
                    column(
                        py,
                        nodes.iter().map(|n| n.shortage_days).collect::<Vec<_>>(),
                    )?,
                ),
                ("unmet_units", numbers(|n| n.unmet_units)?),
                ("loss", numbers(|n| n.loss)?),
            ],
        )
    }

    /// Monte Carlo over outages of drawn start and duration, compared with the stress
    /// test's time to survive, as the dict `lifeline montecarlo --format json` writes.
    ///
    /// `outage`: the entity id (node, site or platform) that goes down, or a list of them.
    /// `duration` and `start`: distributions in days (`lognormal:MU,SIGMA`, `fixed:D`,
    /// `uniform:A,B`, `empirical:D1@P1,...`, `ransomware-downtime`,
    /// `ransomware-recovery`). `capacity_factor`: capacity left while down.
    /// `independent`: each entity draws its own duration. `days`: days per replication
    /// (default: the network's horizon). `downtime_cost`: cost per outage day. The report
    /// is the same for any `threads`. Invalid arguments raise `ValidationError` listing
    /// every problem.
    #[pyo3(signature = (outage, *, duration = "ransomware-downtime".to_owned(), start = "fixed:0".to_owned(), capacity_factor = 0.0, independent = false, replications = 1000, seed = 1, days = None, downtime_cost = None, threads = None))]
    #[allow(clippy::too_many_arguments)]
    fn montecarlo_report<'py>(
        &self,
        py: Python<'py>,
        outage: &Bound<'py, PyAny>,
        duration: String,
        start: String,
        capacity_factor: f64,
        independent: bool,
        replications: u32,
        seed: u64,
        days: Option<u32>,
        downtime_cost: Option<f64>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let report = self.monte_carlo(
            py,
            outage,
            duration,
            start,
            capacity_factor,
            independent,
            replications,
            seed,
            days,
            downtime_cost,
            threads,
        )?;
        convert::to_python(py, &report)
    }

    /// Monte Carlo as a DataFrame, one row per demand node: `id`, `material`,
    /// `p_stockout` with its 95% interval (`p_stockout_ci_low`, `p_stockout_ci_high`),
    /// `shortage_days_mean`, `shortage_days_p50`/`p90`/`p99`, `unmet_units_mean`,
    /// `loss_mean`, `loss_p50`/`p90`/`p99`, `first_stockout_day_p50` (NaN when it never
    /// runs short). Arguments as `montecarlo_report`.
    #[pyo3(signature = (outage, *, duration = "ransomware-downtime".to_owned(), start = "fixed:0".to_owned(), capacity_factor = 0.0, independent = false, replications = 1000, seed = 1, days = None, downtime_cost = None, threads = None))]
    #[allow(clippy::too_many_arguments)]
    fn montecarlo<'py>(
        &self,
        py: Python<'py>,
        outage: &Bound<'py, PyAny>,
        duration: String,
        start: String,
        capacity_factor: f64,
        independent: bool,
        replications: u32,
        seed: u64,
        days: Option<u32>,
        downtime_cost: Option<f64>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let report = self.monte_carlo(
            py,
            outage,
            duration,
            start,
            capacity_factor,
            independent,
            replications,
            seed,
            days,
            downtime_cost,
            threads,
        )?;
        let nodes = &report.demand_nodes;
        let numbers = |f: fn(&lifeline_sim::DemandRisk) -> f64| {
            column(py, nodes.iter().map(f).collect::<Vec<_>>())
        };
        data_frame(
            py,
            vec![
                (
                    "id",
                    column(py, nodes.iter().map(|n| n.id.as_str()).collect::<Vec<_>>())?,
                ),
                (
                    "material",
                    column(
                        py,
                        nodes
                            .iter()
                            .map(|n| n.material.as_str())
                            .collect::<Vec<_>>(),
                    )?,
                ),
                ("p_stockout", numbers(|n| n.p_stockout)?),
                ("p_stockout_ci_low", numbers(|n| n.p_stockout_ci[0])?),
                ("p_stockout_ci_high", numbers(|n| n.p_stockout_ci[1])?),
                ("shortage_days_mean", numbers(|n| n.shortage_days.mean)?),
                ("shortage_days_p50", numbers(|n| n.shortage_days_p50)?),
                ("shortage_days_p90", numbers(|n| n.shortage_days_p90)?),
                ("shortage_days_p99", numbers(|n| n.shortage_days_p99)?),
                ("unmet_units_mean", numbers(|n| n.unmet_units.mean)?),
                ("loss_mean", numbers(|n| n.loss.mean)?),
                ("loss_p50", numbers(|n| n.loss.p50)?),
                ("loss_p90", numbers(|n| n.loss.p90)?),
                ("loss_p99", numbers(|n| n.loss.p99)?),
                (
                    "first_stockout_day_p50",
                    numbers(|n| number(n.first_stockout_day_p50))?,
                ),
            ],
        )
    }
}
