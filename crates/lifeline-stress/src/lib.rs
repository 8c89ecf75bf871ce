//! The stress test: time to recover (performance impact) and time to survive for every
//! disruption scenario of a network, after Simchi-Levi et al., Interfaces 45(5), 2015.
//!
//! [`run`] answers the TTS linear program of every scenario and, where the scenario has a
//! TTR that its TTS does not already cover, the TTR program; see the `lp` module for the
//! formulation. A scenario whose tightened bounds the undisrupted optimum already
//! satisfies keeps that optimum; the others are solved exactly on the region of the
//! network they reach (the `region` module), or, when that region grows past half the
//! network, as a whole. Each scenario starts from the undisrupted optima alone, so its
//! result does not depend on the thread count, the order of the scenarios or the other
//! scenarios in the run.
//!
//! This crate does no IO: it takes a validated network and scenarios, and returns a
//! [`Report`].

mod error;
mod highs;
mod lp;
pub mod pairs;
mod region;
mod report;
mod solver;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use lifeline_network::{EntityKind, Scenario, Target, ValidatedNetwork};
use rayon::prelude::*;

pub use error::StressError;
pub use report::{
    MergeError, OrderedMap, Quadrant, Report, ScenarioResult, Shipment, merge, report_document,
    write_csv,
};

use lp::{Change, Layout, Program};
use region::{Answer, Scratch, Structure};
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
    let base = Base::new(&highs::Highs, network)?;
    sweep(&highs::Highs, &base, network, scenarios, config, progress)
}

/// A network with its undisrupted optima solved: what every scenario of a sweep starts
/// from. Solving them is a sweep's fixed cost (about 4 s on the 15,000-node national
/// example, against 40 ms a scenario); a front end that runs several sweeps or chunks of
/// one over the same network (the Python package, a Ray worker) keeps a `Baseline` and
/// pays that cost once. [`Baseline::run`] gives the report [`run`] gives, to the bit: a
/// scenario's result depends on the network, the scenario and the config alone.
///
/// It holds both programs of the network and their optima, about the size of the network
/// a few times over; undisrupted TTR optima are added, once per distinct window, as
/// scenarios ask for them.
pub struct Baseline {
    network: Arc<ValidatedNetwork>,
    base: Base,
}

impl Baseline {
    /// Solves the undisrupted programs of `network` (on the calling thread).
    pub fn solve(network: Arc<ValidatedNetwork>) -> Result<Baseline, StressError> {
        let base = Base::new(&highs::Highs, &network)?;
        Ok(Baseline { network, base })
    }

    /// The network this baseline was solved for.
    pub fn network(&self) -> &Arc<ValidatedNetwork> {
        &self.network
    }

    /// As [`run`] on this baseline's network: every scenario on the current rayon thread
    /// pool, `progress` called once per finished scenario.
    pub fn run(
        &self,
        scenarios: &[Scenario],
        config: &StressConfig,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Report, StressError> {
        sweep(
            &highs::Highs,
            &self.base,
            &self.network,
            scenarios,
            config,
            progress,
        )
    }
}

impl std::fmt::Debug for Baseline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Baseline")
            .field("network", &self.network.network().name)
            .field("baseline_tts", &self.base.baseline_tts)
            .finish_non_exhaustive()
    }
}

fn sweep<B: LpBackend>(
    backend: &B,
    base: &Base,
    network: &ValidatedNetwork,
    scenarios: &[Scenario],
    config: &StressConfig,
    progress: &(dyn Fn() + Sync),
) -> Result<Report, StressError> {
    let horizon = network.network().horizon;

    // Every scenario is solved from the undisrupted optimum alone (see `Worker`), so
    // which thread takes which scenario changes nothing in the results. Threads take one
    // scenario at a time: costs are heavy-tailed (on the national example two platform
    // outages take 8 s and 7 s, a plant 11 ms), and the costly ones sit together at the
    // end of the default sweep, so batches would leave one thread with most of the work.
    let next = AtomicUsize::new(0);
    let workers = rayon::current_num_threads().clamp(1, scenarios.len().max(1));
    let done: Vec<Result<Vec<(usize, ScenarioResult)>, StressError>> = (0..workers)
        .into_par_iter()
        .map(|_| {
            let mut worker = Worker::new(backend, base);
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(scenario) = scenarios.get(i) else {
                    break;
                };
                done.push((i, worker.scenario(network, scenario, config)?));
                progress();
            }
            Ok(done)
        })
        .collect();

    let mut slots: Vec<Option<ScenarioResult>> = vec![None; scenarios.len()];
    for batch in done {
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

/// Solves `problem` from scratch: with the interior-point method and crossover (see
/// `WarmModel::prepare_cold_solve`), and, should that not end optimal (badly scaled
/// numbers at the ends of their ranges can stop it), again with the dual simplex on a
/// fresh model, which is slower but sturdier.
fn solve_cold<B: LpBackend>(
    backend: &B,
    problem: &LpProblem,
    program: &'static str,
) -> Result<(B::Model, Outcome), StressError> {
    let build = || {
        backend
            .build(problem)
            .map_err(|message| StressError::Backend { program, message })
    };
    let mut model = build()?;
    model.prepare_cold_solve();
    let outcome = model.solve();
    if outcome == Outcome::Optimal {
        return Ok((model, outcome));
    }
    let mut model = build()?;
    let outcome = model.solve();
    Ok((model, outcome))
}

fn is_capped(tts: f64, horizon: f64) -> bool {
    tts >= horizon * (1.0 - 1e-9)
}

/// The two programs of a network with their undisrupted optima, shared by every worker.
struct Base {
    tts: LpProblem,
    ttr: LpProblem,
    layout: Layout,
    structure: Structure,
    /// The value of all demand per unit of time: a window's largest possible loss, per
    /// unit of the window, to tell solver noise from a real loss.
    loss_rate: f64,
    baseline_tts: f64,
    /// The undisrupted TTS optimum (none when some demand cannot be met at all).
    tts_optimum: Option<Optimum>,
    /// The basis of the undisrupted TTR program at its resting window.
    ttr_basis: Option<Basis>,
    /// Undisrupted TTR optima by window (the bits of the TTR), each computed once, by
    /// whichever worker asks first, the same way whoever asks.
    ttr_optima: Mutex<HashMap<u64, Arc<Lazy>>>,
}

impl Base {
    fn new<B: LpBackend>(backend: &B, network: &ValidatedNetwork) -> Result<Self, StressError> {
        let horizon = network.network().horizon;
        let (tts, layout) = lp::build(network, Program::Tts, 0.0);
        let (tts_model, outcome) = solve_cold(backend, &tts, "TTS")?;
        let tts_optimum = match outcome {
            Outcome::Optimal => Some(Optimum::of(&tts_model, false)),
            // Some demand cannot be met even at once: nothing to start from.
            Outcome::Infeasible => None,
            other => return Err(solve_error("baseline", "TTS", other)),
        };
        let baseline_tts = tts_optimum
            .as_ref()
            .map_or(0.0, |o| survival(o.objective, horizon));
        // The TTR program rests at the baseline TTS, the window at which the undisrupted
        // network starts to lose demand: a property of the network alone. Its optimal
        // basis is where every solve of a TTR window starts.
        let resting_window = if baseline_tts > 0.0 {
            baseline_tts
        } else {
            1.0
        };
        let (ttr, _) = lp::build(network, Program::Ttr, resting_window);
        let (ttr_model, outcome) = solve_cold(backend, &ttr, "TTR")?;
        match outcome {
            Outcome::Optimal => {}
            other => return Err(solve_error("baseline", "TTR", other)),
        }
        let structure = Structure::new(network, &layout, &tts);
        Ok(Base {
            ttr_basis: ttr_model.basis(),
            tts,
            ttr,
            layout,
            structure,
            loss_rate: network
                .nodes()
                .iter()
                .map(|n| n.value * n.demand.unwrap_or(0.0))
                .sum(),
            baseline_tts,
            tts_optimum,
            ttr_optima: Mutex::new(HashMap::new()),
        })
    }

    /// The undisrupted TTR optimum at `window`, if it solves. Where the undisrupted
    /// network survives the window, the TTS optimum's rates lose nothing over it (raising
    /// w = 1/t only loosens the rows) and are optimal; otherwise a fresh model solves it
    /// from the resting basis.
    fn ttr_optimum<B: LpBackend>(&self, backend: &B, window: f64) -> Option<Arc<Optimum>> {
        let cell = {
            let mut optima = self
                .ttr_optima
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(optima.entry(window.to_bits()).or_default())
        };
        cell.get_or_init(|| {
            let w = self.layout.w();
            if let Some(tts) = &self.tts_optimum
                && 1.0 / window >= tts.primal[w]
            {
                let mut primal = tts.primal.clone();
                primal[w] = 1.0 / window;
                return Some(Arc::new(Optimum {
                    objective: 0.0,
                    primal,
                    row_dual: None,
                    basis: None,
                }));
            }
            let mut model = backend.build(&self.ttr).ok()?;
            if let Some(basis) = &self.ttr_basis {
                model.set_basis(basis);
            }
            model.set_col_bounds(w, 1.0 / window, 1.0 / window);
            (model.solve() == Outcome::Optimal).then(|| Arc::new(Optimum::of(&model, true)))
        })
        .clone()
    }
}

/// An undisrupted TTR optimum, computed once by whichever worker asks first.
type Lazy = OnceLock<Option<Arc<Optimum>>>;

/// An optimal solution of a program.
struct Optimum {
    objective: f64,
    primal: Vec<f64>,
    /// An optimal row dual; `None` stands for zero, which is optimal for TTS (whose only
    /// cost is on w) and for a TTR window lost nothing over.
    row_dual: Option<Vec<f64>>,
    basis: Option<Basis>,
}

impl Optimum {
    /// Reads the optimum of a model that just solved to optimality.
    fn of<M: WarmModel>(model: &M, with_dual: bool) -> Self {
        let mut primal = Vec::new();
        model.primal(&mut primal);
        let row_dual = with_dual.then(|| {
            let mut dual = Vec::new();
            model.row_dual(&mut dual);
            dual
        });
        Optimum {
            objective: model.objective(),
            primal,
            row_dual,
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

/// One worker thread's buffers. Each scenario is answered from the undisrupted optimum
/// alone: by that optimum itself when it already satisfies the scenario, else on the
/// region of the network the scenario reaches (`region`), else by the whole program on a
/// fresh model started from the undisrupted basis. Nothing carries over from one scenario
/// to the next, so a scenario's result does not depend on which others run, in which
/// order, or on which thread. Nothing per scenario is the size of the network either,
/// except the capacity factors and, for a scenario that loses demand, its list of losses.
struct Worker<'a, B: LpBackend> {
    backend: &'a B,
    base: &'a Base,
    scratch: Scratch,
    /// The solution of the last answer that needed the whole program.
    whole: Vec<f64>,
}

/// Where the solution of an answer lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// The undisrupted optimum itself.
    Undisrupted,
    /// The undisrupted optimum with the region's columns replaced (`Scratch::value`).
    Region,
    /// `Worker::whole`.
    Whole,
    /// No solution: TTS is 0, read as zero rates.
    Nothing,
}

/// Reads one column of an answer's solution.
struct View<'s> {
    found: Found,
    undisrupted: &'s [f64],
    scratch: &'s Scratch,
    whole: &'s [f64],
}

impl View<'_> {
    fn get(&self, col: usize) -> f64 {
        match self.found {
            Found::Undisrupted => self.undisrupted[col],
            Found::Region => self.scratch.value(self.undisrupted, col),
            Found::Whole => self.whole[col],
            Found::Nothing => 0.0,
        }
    }
}

impl<'a, B: LpBackend> Worker<'a, B> {
    fn new(backend: &'a B, base: &'a Base) -> Self {
        Worker {
            backend,
            base,
            scratch: Scratch::new(&base.structure, &base.tts),
            whole: Vec::new(),
        }
    }

    fn view<'s>(&'s self, found: Found, undisrupted: Option<&'s Optimum>) -> View<'s> {
        View {
            found,
            undisrupted: undisrupted.map_or(&[], |o| &o.primal),
            scratch: &self.scratch,
            whole: &self.whole,
        }
    }

    fn scenario(
        &mut self,
        network: &ValidatedNetwork,
        scenario: &Scenario,
        config: &StressConfig,
    ) -> Result<ScenarioResult, StressError> {
        let base = self.base;
        let layout = &base.layout;
        let factors = network.capacity_factors(
            scenario
                .disrupt
                .iter()
                .map(|d| (&d.target, d.capacity_factor)),
        );
        let mut changes = lp::changes(layout, &factors);
        let horizon = layout.horizon;

        let undisrupted = base.tts_optimum.as_ref();
        let (tts, tts_found) = match self.answer(Program::Tts, &changes, undisrupted) {
            Ok((w, found)) => (survival(w, horizon), found),
            // Some demand cannot be met even at once.
            Err(Outcome::Infeasible) => (0.0, Found::Nothing),
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
            let view = self.view(tts_found, undisrupted);
            result.reallocation = reallocation(network, layout, &factors.nodes, &view, ttr);
            return Ok(result);
        }
        let w = layout.w();
        let resting = (base.ttr.col_lower[w], base.ttr.col_upper[w]);
        changes.push(Change::Column(w, (1.0 / ttr, 1.0 / ttr), resting));
        let undisrupted = base.ttr_optimum(self.backend, ttr);
        let (objective, found) = self
            .answer(Program::Ttr, &changes, undisrupted.as_deref())
            .map_err(|outcome| solve_error(&scenario.id, "TTR", outcome))?;
        result.performance_impact = Some(clean(objective * ttr, base.loss_rate * ttr));
        let view = self.view(found, undisrupted.as_deref());
        for (k, &j) in layout.demand_nodes.iter().enumerate() {
            let lost = view.get(layout.l(k)) * ttr;
            let demand = network.node(j).demand.unwrap_or(0.0) * ttr;
            if lost > 1e-9 * demand.max(1.0) {
                result.lost_units.0.push((network.node(j).id.clone(), lost));
            }
        }
        result.reallocation = reallocation(network, layout, &factors.nodes, &view, ttr);
        Ok(result)
    }

    /// The optimum of `program` with `changes` applied, and where its solution lies: the
    /// undisrupted optimum itself when it already satisfies the changes (they only tighten
    /// bounds, so it stays optimal), else the region's, else the whole program's.
    fn answer(
        &mut self,
        program: Program,
        changes: &[Change],
        undisrupted: Option<&Optimum>,
    ) -> Result<(f64, Found), Outcome> {
        let base = self.base;
        let problem = match program {
            Program::Tts => &base.tts,
            Program::Ttr => &base.ttr,
        };
        let Some(optimum) = undisrupted else {
            return match program {
                // The undisrupted network cannot meet some demand at any w; a disruption
                // only tightens.
                Program::Tts => Err(Outcome::Infeasible),
                Program::Ttr => self.whole(problem, changes, base.ttr_basis.as_ref()),
            };
        };
        if lp::holds(&base.layout, changes, &optimum.primal) {
            return Ok((optimum.objective, Found::Undisrupted));
        }
        let start = region::Start {
            objective: optimum.objective,
            primal: &optimum.primal,
            row_dual: optimum.row_dual.as_deref(),
        };
        match region::solve(
            self.backend,
            &base.structure,
            &base.layout,
            problem,
            program,
            changes,
            &start,
            &mut self.scratch,
        ) {
            Answer::Optimal(objective) => Ok((objective, Found::Region)),
            Answer::Whole => {
                let basis = optimum.basis.as_ref().or(match program {
                    Program::Tts => None,
                    Program::Ttr => base.ttr_basis.as_ref(),
                });
                self.whole(problem, changes, basis)
            }
        }
    }

    /// Solves the whole `problem` with `changes` applied on a fresh model started from
    /// `basis`, leaving the solution in `self.whole`.
    fn whole(
        &mut self,
        problem: &LpProblem,
        changes: &[Change],
        basis: Option<&Basis>,
    ) -> Result<(f64, Found), Outcome> {
        let mut model = self.backend.build(problem).map_err(|_| Outcome::Failed)?;
        if let Some(basis) = basis {
            model.set_basis(basis);
        }
        lp::apply(&mut model, changes, false);
        match model.solve() {
            Outcome::Optimal => {
                model.primal(&mut self.whole);
                Ok((model.objective(), Found::Whole))
            }
            other => Err(other),
        }
    }
}

fn solve_error(scenario: &str, program: &'static str, outcome: Outcome) -> StressError {
    StressError::Solve {
        scenario: scenario.to_owned(),
        program,
        outcome: format!("{outcome:?}"),
    }
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
    rates: &View<'_>,
    window: f64,
) -> Vec<Shipment> {
    let edge_ends = network.edge_ends();
    // The customers of the disrupted nodes, in node order.
    let mut hit: Vec<usize> = (0..layout.nodes)
        .filter(|&i| node_factors[i] < 1.0)
        .flat_map(|i| network.customers(i).iter().map(|&e| edge_ends[e].1))
        .collect();
    hit.sort_unstable();
    hit.dedup();
    let mut shipments = Vec::new();
    for j in hit {
        for input in network.inputs(j) {
            let hit = input
                .edges
                .iter()
                .any(|&e| node_factors[edge_ends[e].0] < 1.0);
            if !hit {
                continue;
            }
            for &e in &input.edges {
                let units = rates.get(layout.y(e)) * window;
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
