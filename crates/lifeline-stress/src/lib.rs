//! The stress test: time to recover (performance impact) and time to survive for every
//! disruption scenario of a network, after Simchi-Levi et al., Interfaces 45(5), 2015.
//!
//! [`run`] solves the TTS linear program of every scenario and, where the scenario has a
//! TTR that its TTS does not already cover, the TTR program; see the `lp` module for the
//! formulation. A scenario whose tightened bounds the undisrupted optimum already
//! satisfies keeps that optimum; the others are solved in warm chains: one HiGHS model per
//! program and chain, changed in place and re-solved from the previous optimum. Chains are
//! cut from the scenarios sorted by TTR and id and start from the undisrupted bases, so
//! results do not depend on the thread count or on the order the scenarios were given in.
//!
//! This crate does no IO: it takes a validated network and scenarios, and returns a
//! [`Report`].

mod error;
mod highs;
mod lp;
mod report;
mod solver;

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use lifeline_network::{EntityKind, Scenario, Target, ValidatedNetwork};
use rayon::prelude::*;

pub use error::StressError;
pub use report::{
    MergeError, OrderedMap, Quadrant, Report, ScenarioResult, Shipment, merge, report_document,
    write_csv,
};

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

/// Scenarios per warm chain: the unit of work a thread takes, and the number of solves
/// one engine model serves before a fresh one is loaded.
const CHAIN: usize = 32;

fn run_with<B: LpBackend>(
    backend: &B,
    network: &ValidatedNetwork,
    scenarios: &[Scenario],
    config: &StressConfig,
    progress: &(dyn Fn() + Sync),
) -> Result<Report, StressError> {
    let base = Base::new(backend, network)?;
    let horizon = network.network().horizon;

    // Chains are cut from the scenarios sorted by TTR, then id, whatever order they were
    // given in, and each chain starts from fresh models at the baseline bases: so a
    // result depends on the network and the set of scenarios, never on input order or
    // thread count. Sorting by TTR keeps the TTR window the same from one solve to the
    // next within a chain; a new window moves every demand row and costs many pivots.
    let mut order: Vec<usize> = (0..scenarios.len()).collect();
    order.sort_by(|&a, &b| {
        let ttr = |i: usize| scenarios[i].ttr.unwrap_or(f64::INFINITY);
        ttr(a)
            .total_cmp(&ttr(b))
            .then_with(|| scenarios[a].id.cmp(&scenarios[b].id))
            .then(a.cmp(&b))
    });
    let chains: Vec<&[usize]> = order.chunks(CHAIN).collect();
    let next = AtomicUsize::new(0);
    let workers = rayon::current_num_threads().clamp(1, chains.len().max(1));
    let batches: Vec<Result<Vec<(usize, ScenarioResult)>, StressError>> = (0..workers)
        .into_par_iter()
        .map(|_| {
            let mut worker = Worker::new(backend, &base);
            let mut done = Vec::new();
            while let Some(chain) = chains.get(next.fetch_add(1, Ordering::Relaxed)) {
                worker.start_chain();
                for &i in *chain {
                    done.push((i, worker.scenario(network, &scenarios[i], config)?));
                    progress();
                }
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
        baseline_tts: report::significant(base.baseline_tts),
        baseline_tts_capped: is_capped(base.baseline_tts, horizon),
        scenarios: results,
    })
}

fn is_capped(tts: f64, horizon: f64) -> bool {
    tts >= horizon * (1.0 - 1e-9)
}

/// The two programs of a network with their optimal baseline bases, shared by every
/// worker.
struct Base {
    tts: LpProblem,
    ttr: LpProblem,
    layout: Layout,
    baseline_tts: f64,
    /// The undisrupted TTS optimum (none when some demand cannot be met at all).
    tts_optimum: Option<Optimum>,
    /// The basis of the undisrupted TTR program at its resting window.
    ttr_basis: Option<Basis>,
}

impl Base {
    fn new<B: LpBackend>(backend: &B, network: &ValidatedNetwork) -> Result<Self, StressError> {
        let horizon = network.network().horizon;
        let (tts, layout) = lp::build(network, Program::Tts, 0.0);
        let mut tts_model = backend
            .build(&tts)
            .map_err(|message| StressError::Backend {
                program: "TTS",
                message,
            })?;
        let tts_optimum = match tts_model.solve() {
            Outcome::Optimal => Some(Optimum::of(&tts_model)),
            // Some demand cannot be met even at once: nothing to warm-start from.
            Outcome::Infeasible => None,
            other => return Err(solve_error("baseline", "TTS", other)),
        };
        let baseline_tts = tts_optimum
            .as_ref()
            .map_or(0.0, |o| survival(o.objective, horizon));
        // The TTR model rests at the baseline TTS, the window at which the undisrupted
        // network starts to lose demand: a property of the network alone.
        let resting_window = if baseline_tts > 0.0 {
            baseline_tts
        } else {
            1.0
        };
        let (ttr, _) = lp::build(network, Program::Ttr, resting_window);
        let mut ttr_model = backend
            .build(&ttr)
            .map_err(|message| StressError::Backend {
                program: "TTR",
                message,
            })?;
        expect_optimal(ttr_model.solve(), "baseline", "TTR")?;
        Ok(Base {
            ttr_basis: ttr_model.basis(),
            tts,
            ttr,
            layout,
            baseline_tts,
            tts_optimum,
        })
    }
}

/// An optimal solution of a program.
struct Optimum {
    objective: f64,
    primal: Vec<f64>,
    basis: Option<Basis>,
}

impl Optimum {
    /// Reads the optimum of a model that just solved to optimality.
    fn of<M: WarmModel>(model: &M) -> Self {
        let mut primal = Vec::new();
        model.primal(&mut primal);
        Optimum {
            objective: model.objective(),
            primal,
            basis: model.basis(),
        }
    }
}

/// The time to survive of an optimal TTS program: 1/w, capped at the horizon.
fn survival(w: f64, horizon: f64) -> f64 {
    if w > 0.0 {
        (1.0 / w).min(horizon)
    } else {
        horizon
    }
}

/// Simplex iterations beyond which the next solve of a chain starts again from the
/// baseline basis rather than from this optimum: a scenario that moved the optimum far
/// would otherwise make its successor pivot all the way back.
const FAR: usize = 50;

/// One worker thread's engine models. Within a chain the models are kept and each
/// scenario is solved from the previous one's optimum (a few dual simplex pivots, no
/// refactoring), or from the baseline basis after a solve that went [`FAR`]; each chain
/// starts from freshly loaded models at the baseline bases. Engine models are not `Send`,
/// so each thread loads its own.
struct Worker<'a, B: LpBackend> {
    backend: &'a B,
    base: &'a Base,
    tts: Option<B::Model>,
    ttr: Option<B::Model>,
    /// Whether the last solve of each model went far from the baseline basis.
    tts_far: bool,
    ttr_far: bool,
    /// Undisrupted TTR optima by window (bits of the TTR), each solved on a fresh model
    /// so that what is cached does not depend on what this thread solved before.
    ttr_baselines: HashMap<u64, Option<Rc<Optimum>>>,
    primal: Vec<f64>,
}

impl<'a, B: LpBackend> Worker<'a, B> {
    fn new(backend: &'a B, base: &'a Base) -> Self {
        Worker {
            backend,
            base,
            tts: None,
            ttr: None,
            tts_far: false,
            ttr_far: false,
            ttr_baselines: HashMap::new(),
            primal: Vec::new(),
        }
    }

    fn start_chain(&mut self) {
        self.tts = None;
        self.ttr = None;
        self.tts_far = false;
        self.ttr_far = false;
    }

    /// The undisrupted TTR optimum at `window`, if it solves.
    fn ttr_baseline(&mut self, window: f64) -> Option<Rc<Optimum>> {
        let (backend, base) = (self.backend, self.base);
        self.ttr_baselines
            .entry(window.to_bits())
            .or_insert_with(|| {
                let mut model = backend.build(&base.ttr).ok()?;
                if let Some(basis) = &base.ttr_basis {
                    model.set_basis(basis);
                }
                let w = base.layout.w();
                model.set_col_bounds(w, 1.0 / window, 1.0 / window);
                (model.solve() == Outcome::Optimal).then(|| Rc::new(Optimum::of(&model)))
            })
            .clone()
    }

    fn scenario(
        &mut self,
        network: &ValidatedNetwork,
        scenario: &Scenario,
        config: &StressConfig,
    ) -> Result<ScenarioResult, StressError> {
        let layout = &self.base.layout;
        let factors = network.capacity_factors(
            scenario
                .disrupt
                .iter()
                .map(|d| (&d.target, d.capacity_factor)),
        );
        let mut changes = lp::changes(layout, &factors);
        let horizon = layout.horizon;

        let base = self.base;
        let tts = match self.answer(Program::Tts, &changes, base.tts_optimum.as_ref()) {
            Ok(w) => survival(w, horizon),
            Err(Outcome::Infeasible) => {
                // Some demand cannot be met even at once.
                self.primal.clear();
                self.primal.resize(layout.w() + 1, 0.0);
                0.0
            }
            Err(outcome) => return Err(solve_error(&scenario.id, "TTS", outcome)),
        };
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

        if covered || ttr == 0.0 {
            // The TTS plan's rates, over the TTR window, lose nothing; nor does a window
            // of no time (which the rate form, w = 1/t, cannot state).
            result.performance_impact = Some(0.0);
        } else {
            let w = layout.w();
            let resting = (self.base.ttr.col_lower[w], self.base.ttr.col_upper[w]);
            changes.push(Change::Column(w, (1.0 / ttr, 1.0 / ttr), resting));
            let undisrupted = self.ttr_baseline(ttr);
            let objective = self
                .answer(Program::Ttr, &changes, undisrupted.as_deref())
                .map_err(|outcome| solve_error(&scenario.id, "TTR", outcome))?;
            result.performance_impact = Some(clean(objective * ttr, loss_scale(network, ttr)));
            for (k, &j) in layout.demand_nodes.iter().enumerate() {
                let lost = self.primal[layout.l(k)] * ttr;
                let demand = network.node(j).demand.unwrap_or(0.0) * ttr;
                if lost > 1e-9 * demand.max(1.0) {
                    result.lost_units.0.push((network.node(j).id.clone(), lost));
                }
            }
        }
        result.reallocation = reallocation(network, layout, &factors.nodes, &self.primal, ttr);
        Ok(result)
    }

    /// The optimum of `program` with `changes` applied, left in `self.primal`: the
    /// undisrupted optimum itself when it already satisfies the changes (they only tighten
    /// bounds, so it stays optimal), else a warm solve started from its basis.
    fn answer(
        &mut self,
        program: Program,
        changes: &[Change],
        undisrupted: Option<&Optimum>,
    ) -> Result<f64, Outcome> {
        match undisrupted {
            Some(optimum) if lp::holds(&self.base.layout, changes, &optimum.primal) => {
                self.primal.clone_from(&optimum.primal);
                Ok(optimum.objective)
            }
            _ => self.solve(program, changes, undisrupted.and_then(|o| o.basis.as_ref())),
        }
    }

    /// Solves `program` with `changes` applied and undoes them; returns the objective and
    /// leaves the primal solution in `self.primal`. A solve that fails from the warm
    /// state is retried once on a freshly loaded model.
    fn solve(
        &mut self,
        program: Program,
        changes: &[Change],
        start: Option<&Basis>,
    ) -> Result<f64, Outcome> {
        let mut outcome = Outcome::Failed;
        for _attempt in 0..2 {
            let (slot, far, problem) = match program {
                Program::Tts => (&mut self.tts, &mut self.tts_far, &self.base.tts),
                Program::Ttr => (&mut self.ttr, &mut self.ttr_far, &self.base.ttr),
            };
            let model = match slot {
                Some(model) => {
                    if *far && let Some(basis) = start {
                        model.set_basis(basis);
                    }
                    model
                }
                None => {
                    let mut model = self.backend.build(problem).map_err(|_| Outcome::Failed)?;
                    if let Some(basis) = start {
                        model.set_basis(basis);
                    }
                    slot.insert(model)
                }
            };
            lp::apply(model, changes, false);
            outcome = model.solve();
            *far = model.iterations() > FAR;
            let objective = model.objective();
            if outcome == Outcome::Optimal {
                model.primal(&mut self.primal);
            }
            lp::apply(model, changes, true);
            if outcome == Outcome::Optimal {
                return Ok(objective);
            }
            *slot = None;
        }
        Err(outcome)
    }
}

fn expect_optimal(
    outcome: Outcome,
    scenario: &str,
    program: &'static str,
) -> Result<(), StressError> {
    match outcome {
        Outcome::Optimal => Ok(()),
        other => Err(solve_error(scenario, program, other)),
    }
}

fn solve_error(scenario: &str, program: &'static str, outcome: Outcome) -> StressError {
    StressError::Solve {
        scenario: scenario.to_owned(),
        program,
        outcome: format!("{outcome:?}"),
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
    rates: &[f64],
    window: f64,
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
                let units = rates[layout.y(e)] * window;
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
