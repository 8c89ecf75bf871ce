//! The stress test: time to recover (performance impact) and time to survive for every
//! disruption scenario of a network, after Simchi-Levi et al., Interfaces 45(5), 2015.
//!
//! [`run`] solves the TTS linear program of every scenario and, where the scenario has a
//! TTR that its TTS does not already cover, the TTR program; see [`lp`] for the
//! formulation. Each worker thread keeps one warm HiGHS model per program and solves
//! every scenario from the baseline basis, so a result depends only on the network and
//! the scenario, never on the thread count or the order of the sweep.
//!
//! This crate does no IO: it takes a validated network and scenarios, and returns a
//! [`Report`].

mod error;
mod highs;
mod lp;
mod report;
mod solver;

use std::sync::atomic::{AtomicUsize, Ordering};

use lifeline_network::{EntityKind, Scenario, Target, ValidatedNetwork};
use rayon::prelude::*;

pub use error::StressError;
pub use report::{OrderedMap, Quadrant, Report, ScenarioResult, Shipment};

use lp::{Change, Layout, Program};
use solver::{Basis, LpBackend, LpProblem, Outcome, WarmModel};

/// Options of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StressConfig {
    /// Skip the TTR program when the scenario's TTS already covers its TTR: the loss is
    /// then provably zero (a zero-loss plan for a window scales down to any shorter one),
    /// and the plan reported is the TTS plan scaled to the TTR window.
    pub skip_covered: bool,
}

impl Default for StressConfig {
    fn default() -> Self {
        StressConfig { skip_covered: true }
    }
}

/// Runs every scenario on the current rayon thread pool. `progress` is called once per
/// finished scenario, from any worker thread.
pub fn run(
    network: &ValidatedNetwork,
    scenarios: &[Scenario],
    config: &StressConfig,
    progress: &(dyn Fn() + Sync),
) -> Result<Report, StressError> {
    run_with(&highs::Highs, network, scenarios, config, progress)
}

fn run_with<B: LpBackend>(
    backend: &B,
    network: &ValidatedNetwork,
    scenarios: &[Scenario],
    config: &StressConfig,
    progress: &(dyn Fn() + Sync),
) -> Result<Report, StressError> {
    // HiGHS models cannot move between threads, so this one only gives the baseline.
    let baseline_tts = Worker::new(backend, network)?.baseline_tts;
    let horizon = network.network().horizon;

    let next = AtomicUsize::new(0);
    let workers = rayon::current_num_threads().clamp(1, scenarios.len().max(1));
    let batches: Vec<Result<Vec<(usize, ScenarioResult)>, StressError>> = (0..workers)
        .into_par_iter()
        .map(|_| {
            let mut worker = Worker::new(backend, network)?;
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(scenario) = scenarios.get(i) else {
                    break;
                };
                done.push((i, worker.scenario(backend, network, scenario, config)?));
                progress();
            }
            Ok(done)
        })
        .collect();

    let mut slots: Vec<Option<ScenarioResult>> = vec![None; scenarios.len()];
    for batch in batches {
        for (i, result) in batch? {
            slots[i] = Some(result);
        }
    }
    let mut results: Vec<ScenarioResult> = slots.into_iter().flatten().collect();
    report::finish(&mut results);
    Ok(Report {
        network: network.network().name.clone(),
        horizon,
        baseline_tts,
        baseline_tts_capped: is_capped(baseline_tts, horizon),
        scenarios: results,
    })
}

fn is_capped(tts: f64, horizon: f64) -> bool {
    tts >= horizon * (1.0 - 1e-9)
}

/// The two programs of a network with their optimal baseline bases, from which every
/// scenario's solve starts.
///
/// Each scenario loads a fresh engine model from the changed problem rather than editing
/// a long-lived one: a long-lived simplex engine keeps state from earlier solves (edge
/// weights, scaling, factor updates), so its results would depend on which scenarios
/// the same worker solved before, and hence on the thread count. Loading the problem
/// costs a copy of its arrays; the warm basis keeps the solve itself to a few pivots.
struct Worker {
    tts: LpProblem,
    ttr: LpProblem,
    layout: Layout,
    tts_basis: Option<Basis>,
    ttr_basis: Option<Basis>,
    baseline_tts: f64,
    primal: Vec<f64>,
}

impl Worker {
    fn new<B: LpBackend>(backend: &B, network: &ValidatedNetwork) -> Result<Self, StressError> {
        let (tts, layout) = lp::build(network, Program::Tts, 0.0);
        let mut tts_model = backend.build(&tts).map_err(StressError::Backend)?;
        expect_optimal(tts_model.solve(), "baseline", "TTS")?;
        // The TTR model rests at the baseline TTS, the window at which the undisrupted
        // network starts to lose demand: a property of the network alone, so every
        // scenario starts from the same basis whatever else is in the sweep.
        let baseline_tts = tts_model.objective().abs();
        let resting_window = if baseline_tts > 0.0 {
            baseline_tts
        } else {
            1.0
        };
        let (ttr, _) = lp::build(network, Program::Ttr, resting_window);
        let mut ttr_model = backend.build(&ttr).map_err(StressError::Backend)?;
        expect_optimal(ttr_model.solve(), "baseline", "TTR")?;
        Ok(Worker {
            baseline_tts,
            tts_basis: tts_model.basis(),
            ttr_basis: ttr_model.basis(),
            tts,
            ttr,
            layout,
            primal: Vec::new(),
        })
    }

    fn scenario<B: LpBackend>(
        &mut self,
        backend: &B,
        network: &ValidatedNetwork,
        scenario: &Scenario,
        config: &StressConfig,
    ) -> Result<ScenarioResult, StressError> {
        let factors = network.capacity_factors(
            scenario
                .disrupt
                .iter()
                .map(|d| (&d.target, d.capacity_factor)),
        );
        let mut changes = lp::changes(&self.layout, &factors);
        let horizon = self.layout.horizon;

        let tts = solve(
            backend,
            &mut self.tts,
            self.tts_basis.as_ref(),
            &changes,
            &mut self.primal,
        )
        .map_err(|outcome| solve_error(scenario, "TTS", outcome))?;
        let tts = tts.abs().min(horizon);
        let covered = scenario.ttr.is_some_and(|ttr| {
            config.skip_covered && ttr <= horizon && tts >= ttr * (1.0 - 1e-9) && tts > 0.0
        });

        let mut result = ScenarioResult {
            id: scenario.id.clone(),
            kind: scenario_kind(network, scenario),
            ttr: scenario.ttr,
            tts,
            tts_capped: is_capped(tts, horizon),
            gap: scenario.ttr.map(|ttr| tts - ttr),
            performance_impact: None,
            rei: None,
            lost_units: OrderedMap::default(),
            reallocation: Vec::new(),
            spend: scenario_spend(network, scenario),
            quadrant: None,
        };
        let Some(ttr) = scenario.ttr else {
            return Ok(result);
        };

        if covered {
            // The TTS plan, scaled to the TTR window, loses nothing.
            let scale = ttr / tts;
            self.primal.iter_mut().for_each(|x| *x *= scale);
            result.performance_impact = Some(0.0);
        } else {
            let t = self.layout.t();
            let resting = (self.ttr.col_lower[t], self.ttr.col_upper[t]);
            changes.push(Change::Bounds(t, (ttr, ttr), resting));
            let objective = solve(
                backend,
                &mut self.ttr,
                self.ttr_basis.as_ref(),
                &changes,
                &mut self.primal,
            )
            .map_err(|outcome| solve_error(scenario, "TTR", outcome))?;
            result.performance_impact = Some(clean(objective, loss_scale(network, ttr)));
            for (k, &j) in self.layout.demand_nodes.iter().enumerate() {
                let lost = self.primal[self.layout.l(k)];
                let demand = network.node(j).demand.unwrap_or(0.0) * ttr;
                if lost > 1e-9 * demand.max(1.0) {
                    result.lost_units.0.push((network.node(j).id.clone(), lost));
                }
            }
        }
        result.reallocation = reallocation(network, &self.layout, &factors.nodes, &self.primal);
        Ok(result)
    }
}

fn expect_optimal(
    outcome: Outcome,
    scenario: &str,
    program: &'static str,
) -> Result<(), StressError> {
    match outcome {
        Outcome::Optimal => Ok(()),
        other => Err(StressError::Solve {
            scenario: scenario.to_owned(),
            program,
            outcome: format!("{other:?}"),
        }),
    }
}

fn solve_error(scenario: &Scenario, program: &'static str, outcome: Outcome) -> StressError {
    StressError::Solve {
        scenario: scenario.id.clone(),
        program,
        outcome: format!("{outcome:?}"),
    }
}

/// Solves `problem` with `changes` applied, from `basis`; returns the objective and
/// leaves the primal solution in `primal`. The problem is restored before returning.
fn solve<B: LpBackend>(
    backend: &B,
    problem: &mut LpProblem,
    basis: Option<&Basis>,
    changes: &[Change],
    primal: &mut Vec<f64>,
) -> Result<f64, Outcome> {
    lp::apply(problem, changes, false);
    let model = backend.build(problem);
    lp::apply(problem, changes, true);
    let mut model = model.map_err(|_| Outcome::Failed)?;
    if let Some(basis) = basis {
        model.set_basis(basis);
    }
    match model.solve() {
        Outcome::Optimal => {
            model.primal(primal);
            Ok(model.objective())
        }
        other => Err(other),
    }
}

/// The largest loss a scenario could have, to tell solver noise from a real loss.
fn loss_scale(network: &ValidatedNetwork, window: f64) -> f64 {
    network
        .nodes()
        .iter()
        .map(|n| n.value * n.demand.unwrap_or(0.0) * window)
        .sum()
}

/// Snaps values within solver tolerance of zero to zero.
fn clean(value: f64, scale: f64) -> f64 {
    if value.abs() <= 1e-9 * scale.max(1.0) {
        0.0
    } else {
        value
    }
}

fn scenario_kind(network: &ValidatedNetwork, scenario: &Scenario) -> String {
    let [single] = scenario.disrupt.as_slice() else {
        return "scenario".to_owned();
    };
    let described = |kind: Option<&String>, entity: EntityKind| match kind {
        Some(kind) => format!("{kind} ({})", entity.as_str()),
        None => entity.as_str().to_owned(),
    };
    match (&single.target, network.lookup(single.target.id())) {
        (Target::Node(_), Some((_, j))) => network
            .node(j)
            .kind
            .clone()
            .unwrap_or_else(|| EntityKind::Node.as_str().to_owned()),
        (Target::Site(_), Some((_, s))) => {
            described(network.network().sites[s].kind.as_ref(), EntityKind::Site)
        }
        (Target::Platform(_), Some((_, p))) => described(
            network.network().platforms[p].kind.as_ref(),
            EntityKind::Platform,
        ),
        (target, None) => target.kind().as_str().to_owned(),
    }
}

/// Yearly spend with the disrupted nodes (a site counts its members), if any is given.
fn scenario_spend(network: &ValidatedNetwork, scenario: &Scenario) -> Option<f64> {
    let mut nodes: Vec<usize> = Vec::new();
    for disruption in &scenario.disrupt {
        match network.lookup(disruption.target.id()) {
            Some((EntityKind::Node, j)) => nodes.push(j),
            Some((EntityKind::Site, s)) => nodes.extend_from_slice(network.site_members(s)),
            _ => {}
        }
    }
    nodes.sort_unstable();
    nodes.dedup();
    nodes
        .iter()
        .filter_map(|&j| network.node(j).spend)
        .reduce(|a, b| a + b)
}

/// The optimal shipments into every node that has a disrupted supplier, for the
/// materials that supplier provides.
fn reallocation(
    network: &ValidatedNetwork,
    layout: &Layout,
    node_factors: &[f64],
    primal: &[f64],
) -> Vec<Shipment> {
    let edge_ends = network.edge_ends();
    let mut shipments = Vec::new();
    for j in 0..layout.nodes {
        for input in network.inputs(j) {
            let hit = input
                .edges
                .iter()
                .any(|&e| node_factors[edge_ends[e].0] < 1.0);
            if !hit {
                continue;
            }
            for &e in &input.edges {
                let units = primal[layout.y(e)];
                if units > 1e-9 {
                    let from = edge_ends[e].0;
                    shipments.push(Shipment {
                        from: network.node(from).id.clone(),
                        to: network.node(j).id.clone(),
                        material: input.material.clone(),
                        units,
                        from_disrupted: node_factors[from] < 1.0,
                    });
                }
            }
        }
    }
    shipments
}
