//! The native halves of `lifeline.ray`: a sweep or a Monte Carlo run cut into chunks that
//! run anywhere (Ray tasks), and the merge of their results into the report the
//! single-process call gives, bit for bit.
//!
//! - Stress: `stress_chunk` runs scenarios `start..end` of the sweep from the network's
//!   kept `lifeline_stress::Baseline`, solved by the first chunk a worker process runs
//!   (each scenario's result depends on the network, the scenario and the config alone)
//!   and returns the chunk's report as JSON bytes; `stress_merge` joins
//!   the chunks with `lifeline_stress::merge` and writes the document
//!   `Network.stress_report` returns.
//! - Monte Carlo: `montecarlo_chunk` summarises blocks `first..end` of
//!   `lifeline_sim::BLOCK` replications into a `MonteCarloPart` (postcard bytes);
//!   `montecarlo_merge` merges the parts (exact, so in any order), compares the outage with
//!   the stress test's time to survive, and finishes the report `Network.montecarlo_report`
//!   returns.
//!
//! Chunks are bytes so that Ray stores and ships them as they are; a chunk of another
//! network, run or outage is refused when merged, never mixed in.

use lifeline_network::Scenario;
use lifeline_sim::{MonteCarlo, MonteCarloPart, Outage, OutageSpec, Simulator};
use lifeline_stress::{Report, ScenarioResult};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::convert;
use crate::errors::{Problem, argument_diagnostic, runtime_error, validation_error};
use crate::network::{Network, in_pool};

/// Adds the distributed-sweep helpers to the `lifeline._native` module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("MONTECARLO_BLOCK", lifeline_sim::BLOCK)?;
    m.add_function(wrap_pyfunction!(stress_scenario_count, m)?)?;
    m.add_function(wrap_pyfunction!(stress_chunk, m)?)?;
    m.add_function(wrap_pyfunction!(stress_merge, m)?)?;
    m.add_function(wrap_pyfunction!(montecarlo_block_count, m)?)?;
    m.add_function(wrap_pyfunction!(montecarlo_chunk, m)?)?;
    m.add_function(wrap_pyfunction!(montecarlo_merge, m)?)?;
    Ok(())
}

/// How many scenarios the sweep of `scenarios` (as `Network.stress_report` takes them)
/// runs: what a driver cuts into chunks.
#[pyfunction]
#[pyo3(signature = (network, scenarios = None))]
fn stress_scenario_count(
    py: Python<'_>,
    network: &Network,
    scenarios: Option<&Bound<'_, PyAny>>,
) -> PyResult<usize> {
    Ok(network.scenarios(py, scenarios)?.len())
}

/// Scenarios `start..end` of the sweep of `scenarios`, every `step`-th from `start`, run
/// from the network's baseline; the chunk's report as JSON bytes, for `stress_merge`.
#[pyfunction]
#[pyo3(signature = (network, scenarios, start, end, *, step = 1, solve_all = false, threads = None))]
#[allow(clippy::too_many_arguments)]
fn stress_chunk<'py>(
    py: Python<'py>,
    network: &Network,
    scenarios: Option<&Bound<'py, PyAny>>,
    start: usize,
    end: usize,
    step: usize,
    solve_all: bool,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyBytes>> {
    if step == 0 {
        return Err(PyValueError::new_err("step must be at least 1"));
    }
    let all = network.scenarios(py, scenarios)?;
    let Some(range) = all.get(start..end).filter(|range| !range.is_empty()) else {
        return Err(PyValueError::new_err(format!(
            "scenarios {start}..{end}: the sweep has scenarios 0..{}",
            all.len()
        )));
    };
    let chunk: Vec<Scenario> = range.iter().step_by(step).cloned().collect();
    let report = network.run_stress(py, &chunk, solve_all, threads)?;
    let bytes = serde_json::to_vec(&report).map_err(runtime_error)?;
    Ok(PyBytes::new(py, &bytes))
}

/// The sweep's report from its chunks' (`stress_chunk`'s bytes): the dict
/// `Network.stress_report(top=top)` returns, bit for bit. The chunks are consecutive
/// ranges in scenario order, or with `interleaved`, the k chunks that start at scenarios
/// 0, 1, …, k − 1 with step k, in that order.
#[pyfunction]
#[pyo3(signature = (parts, *, top = None, interleaved = false))]
fn stress_merge<'py>(
    py: Python<'py>,
    parts: Vec<Bound<'py, PyBytes>>,
    top: Option<usize>,
    interleaved: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let mut reports = parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            serde_json::from_slice::<Report>(part.as_bytes()).map_err(|e| {
                PyValueError::new_err(format!("chunk {i} is not a stress chunk's report: {e}"))
            })
        })
        .collect::<PyResult<Vec<Report>>>()?;
    if interleaved {
        deinterleave(&mut reports);
    }
    let report =
        lifeline_stress::merge(reports).map_err(|e| PyValueError::new_err(e.to_string()))?;
    convert::to_python(py, &lifeline_stress::report_document(&report, top))
}

/// Puts the scenarios of interleaved chunks (chunk j holding scenarios j, j + k, j + 2k,
/// … of k chunks) back in sweep order, all in the first report; the others keep their
/// headers, which `merge` still checks.
fn deinterleave(reports: &mut [Report]) {
    let mut columns: Vec<std::vec::IntoIter<ScenarioResult>> = reports
        .iter_mut()
        .map(|report| std::mem::take(&mut report.scenarios).into_iter())
        .collect();
    let mut order = Vec::new();
    'rows: loop {
        for column in &mut columns {
            match column.next() {
                Some(scenario) => order.push(scenario),
                None => break 'rows,
            }
        }
    }
    // A shorter chunk ends the rows; only later chunks can be shorter, so what remains
    // is in the earlier chunks, which are at most one longer.
    order.extend(columns.into_iter().flatten());
    if let Some(first) = reports.first_mut() {
        first.scenarios = order;
    }
}

/// How many blocks of `MONTECARLO_BLOCK` replications a run of `replications` has.
#[pyfunction]
fn montecarlo_block_count(replications: u32) -> u32 {
    lifeline_sim::block_count(replications)
}

/// A Monte Carlo run as `Network.montecarlo_report` takes it.
pub(crate) struct Run {
    pub(crate) outage: Outage,
    pub(crate) run: MonteCarlo,
}

/// Reads the Monte Carlo arguments of `Network.montecarlo_report` (and of the Ray
/// chunks), reporting every invalid one at once as a `ValidationError`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn monte_carlo_run(
    py: Python<'_>,
    network: &Network,
    outage: &Bound<'_, PyAny>,
    duration: String,
    start: String,
    capacity_factor: f64,
    independent: bool,
    replications: u32,
    seed: u64,
    days: Option<u32>,
    downtime_cost: Option<f64>,
) -> PyResult<Run> {
    let validated = &**network.validated();
    let outage: Vec<String> = if let Ok(one) = outage.cast::<PyString>() {
        vec![one.to_cow()?.into_owned()]
    } else {
        outage.extract().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(
                "outage: expected an entity id (str) or a list of them",
            )
        })?
    };
    let spec = OutageSpec {
        outage,
        duration,
        start,
        capacity_factor,
        independent,
    };
    let built = spec.build(validated);
    let cost = downtime_cost
        .map(lifeline_sim::check_downtime_cost)
        .transpose();
    let outage = match (built, cost) {
        (Ok(outage), Ok(downtime_cost)) => Outage {
            downtime_cost,
            ..outage
        },
        (built, cost) => {
            let mut diagnostics = built.err().unwrap_or_default();
            diagnostics.extend(cost.err());
            let problems: Vec<Problem> = diagnostics
                .into_iter()
                .map(|d| Problem::new(None, argument_diagnostic(d)))
                .collect();
            return Err(validation_error(py, "invalid Monte Carlo run:", &problems));
        }
    };
    let days = days.unwrap_or_else(|| lifeline_sim::horizon_days(validated));
    if days == 0 || replications == 0 {
        return Err(PyValueError::new_err(
            "days and replications must be at least 1",
        ));
    }
    Ok(Run {
        outage,
        run: MonteCarlo {
            replications,
            seed,
            days,
            tts: None,
        },
    })
}

/// Blocks `first..end` of a Monte Carlo run (arguments as `Network.montecarlo_report`),
/// summarised as a mergeable part: postcard bytes, for `montecarlo_merge`.
#[pyfunction]
#[pyo3(signature = (network, outage, first, end, *, duration = "ransomware-downtime".to_owned(), start = "fixed:0".to_owned(), capacity_factor = 0.0, independent = false, replications = 1000, seed = 1, days = None, downtime_cost = None, threads = None))]
#[allow(clippy::too_many_arguments)]
fn montecarlo_chunk<'py>(
    py: Python<'py>,
    network: &Network,
    outage: &Bound<'py, PyAny>,
    first: u32,
    end: u32,
    duration: String,
    start: String,
    capacity_factor: f64,
    independent: bool,
    replications: u32,
    seed: u64,
    days: Option<u32>,
    downtime_cost: Option<f64>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyBytes>> {
    let Run { outage, run } = monte_carlo_run(
        py,
        network,
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
    let validated = &**network.validated();
    let part = py
        .detach(|| {
            in_pool(threads, || {
                Simulator::new(validated).montecarlo_blocks(&outage, &run, first..end, &|_| {})
            })
        })?
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let bytes = postcard::to_stdvec(&part).map_err(runtime_error)?;
    Ok(PyBytes::new(py, &bytes))
}

/// The report of a Monte Carlo run from the parts of all its blocks
/// (`montecarlo_chunk`'s bytes, in any order), compared with the stress test's time to
/// survive: the dict `Network.montecarlo_report` returns, bit for bit.
#[pyfunction]
#[pyo3(signature = (network, outage, parts, *, duration = "ransomware-downtime".to_owned(), start = "fixed:0".to_owned(), capacity_factor = 0.0, independent = false, replications = 1000, seed = 1, days = None, downtime_cost = None))]
#[allow(clippy::too_many_arguments)]
fn montecarlo_merge<'py>(
    py: Python<'py>,
    network: &Network,
    outage: &Bound<'py, PyAny>,
    parts: Vec<Bound<'py, PyBytes>>,
    duration: String,
    start: String,
    capacity_factor: f64,
    independent: bool,
    replications: u32,
    seed: u64,
    days: Option<u32>,
    downtime_cost: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let Run { outage, run } = monte_carlo_run(
        py,
        network,
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
    let mut merged: Option<MonteCarloPart> = None;
    for (i, bytes) in parts.iter().enumerate() {
        let part: MonteCarloPart = postcard::from_bytes(bytes.as_bytes()).map_err(|e| {
            PyValueError::new_err(format!("part {i} is not a Monte Carlo chunk's part: {e}"))
        })?;
        match &mut merged {
            None => merged = Some(part),
            Some(whole) => whole
                .merge(part)
                .map_err(|e| PyValueError::new_err(format!("part {i}: {e}")))?,
        }
    }
    let Some(whole) = merged else {
        return Err(PyValueError::new_err("no parts to merge"));
    };
    let validated = &**network.validated();
    // What `Simulator::montecarlo_against_stress` does: the outage's TTS, then the report
    // of the replications.
    let tts = py
        .detach(|| outage.time_to_survive(validated))
        .map_err(runtime_error)?;
    let run = MonteCarlo { tts, ..run };
    let report = py
        .detach(|| Simulator::new(validated).montecarlo_finish(&outage, &run, &whole))
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    convert::to_python(py, &report)
}
