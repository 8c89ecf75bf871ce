//! Pairs of simultaneous single-entity outages: the hidden correlations a one-at-a-time
//! sweep misses.
//!
//! Two entities A and B, each at its single-outage capacity factor, are disrupted together
//! over the window t = max(TTR_A, TTR_B). With Δ(S) the performance impact of a scenario S
//! at t minus the loss the undisrupted network already has at t, the pair's **excess** is
//! Δ(AB) − Δ(A) − Δ(B): positive when the two outages together lose more than the sum of
//! their single losses (two suppliers that each cover for the other, a backup too small for
//! both, a plant and the platform its backup depends on).
//!
//! # Which pairs are solved
//!
//! Every pair of singles is accounted for, and a pair is left unsolved only with a proof
//! that its excess is ≤ 0. The proof: let x₀ be the undisrupted optimum of the TTR program
//! at t, x_A and x_B the optima with A, B disrupted, and d_A = x_A − x₀, d_B = x_B − x₀.
//! The pair's feasible set is the intersection of the two singles' (bounds only tighten,
//! and `capacity_factors` takes the smaller factor), and the objective is linear; so if
//! x = x₀ + d_A + d_B is feasible for the pair, PI(AB) ≤ c·x = PI(A) + PI(B) − PI(0), that
//! is excess ≤ 0. Each single's **footprint** is the set of constraints (rows and column
//! bounds) whose activity its plan changes, plus those its disruption tightens. On a
//! constraint outside both footprints, or inside exactly one, x satisfies the pair's bound
//! (it equals x_A's or x_B's activity there, and the other single leaves that bound as it
//! was). So:
//!
//! - pairs whose footprints are **disjoint** are proven ≤ 0 without being looked at: they
//!   are counted, never enumerated (an inverted index from constraints to the singles
//!   touching them yields the rest, so the work follows the pairs that touch);
//! - pairs whose footprints share constraints are **checked** there: when x satisfies the
//!   pair's bounds on every shared constraint, the pair is proven ≤ 0 (the combined plan);
//! - the rest are **solved** jointly with [`crate::run`], together with the two singles
//!   and the undisrupted network at the pair's window.
//!
//! The structural pairs one would list by hand (two suppliers of a material of one
//! customer, a node and its supplier or customer, a site and its member, a platform and a
//! node that depends on it, two nodes whose customers share a backup) are exactly the ones
//! whose plans meet in a row or column, whenever they meet at all; pairs whose plans never
//! meet cannot have a positive excess, however they are linked in the graph.
//!
//! Screening uses tolerances of 1e-10 relative on the changes of a plan and the LP's 1e-9
//! on bounds, so "≤ 0" holds to the LP tolerance. The singles' plans are solved per window
//! in fixed chunks, each on a fresh model started from the undisrupted basis, so which
//! pairs are screened does not depend on the thread count.

use std::cmp::Ordering;
use std::io::Write;

use lifeline_network::{Scenario, ValidatedNetwork, significant};
use rayon::prelude::*;

use crate::error::StressError;
use crate::highs::Highs;
use crate::lp::{self, Change, Layout, Program};
use crate::region::{self, Answer, Scratch, Structure};
use crate::report::OrderedMap;
use crate::solver::{Basis, LpBackend, LpProblem, Outcome, WarmModel};
use crate::{StressConfig, solve_error};

/// Why a pairs run could not finish.
#[derive(Debug, thiserror::Error)]
pub enum PairsError {
    /// A single names an entity the network does not have.
    #[error("scenario `{scenario}`: `{entity}` is not a node, site or platform of the network")]
    UnknownEntity { scenario: String, entity: String },
    /// A solve failed (the baseline or a scenario).
    #[error(transparent)]
    Stress(#[from] StressError),
}

/// Progress of a pairs run, reported to the caller's callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A stage starts with this many units of work.
    Stage { name: &'static str, total: usize },
    /// One unit of the current stage is done.
    Tick,
}

/// How the pairs of singles were accounted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Screened {
    /// Pairs of two singles with distinct targets.
    pub pairs: u64,
    /// Both TTRs are 0: no window, no loss.
    pub no_window: u64,
    /// The singles' plans touch disjoint rows and columns: proven ≤ 0, never enumerated.
    pub disjoint: u64,
    /// The plans share constraints but the combined plan x₀ + d_A + d_B satisfies the
    /// pair's bounds there: proven ≤ 0.
    pub combined_plan: u64,
    /// Solved jointly.
    pub solved: u64,
}

/// The result of screening: the pairs that need a joint solve, as indices into the
/// singles, with their window.
#[derive(Debug, Clone, PartialEq)]
pub struct Screening {
    /// (a, b, window) with a < b, sorted by window then a then b.
    pub to_solve: Vec<(usize, usize, f64)>,
    pub counts: Screened,
    /// Scenarios left out: not exactly one disruption, or no TTR, or the same target as
    /// an earlier single.
    pub skipped: Vec<String>,
}

/// One pair whose joint loss exceeds the sum of its single losses.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PairResult {
    /// The two singles' ids, in the order they were given.
    pub a: String,
    pub b: String,
    /// What each disrupts, as in the sweep's report (`supplier`, `site`, ...).
    pub kind_a: String,
    pub kind_b: String,
    /// max(TTR_A, TTR_B): the window every Δ is measured over.
    pub window: f64,
    /// Time to survive with both down, capped at the horizon.
    pub tts: f64,
    pub tts_capped: bool,
    /// Δ(AB): the pair's performance impact beyond the undisrupted loss at the window.
    pub impact: f64,
    /// Δ(A) and Δ(B) at the same window.
    pub impact_a: f64,
    pub impact_b: f64,
    /// Δ(AB) − Δ(A) − Δ(B) (> 0).
    pub excess: f64,
    /// The undisrupted network's own loss at the window (0 when its TTS covers it).
    pub undisrupted_impact: f64,
    /// Unmet units per demand node with both down, over the window.
    pub lost_units: OrderedMap,
}

/// Results of a pairs run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PairsReport {
    pub network: String,
    pub horizon: f64,
    /// Single-entity outages paired.
    pub singles: usize,
    /// Scenarios left out, by id (see [`Screening::skipped`]).
    pub skipped: Vec<String>,
    pub screened: Screened,
    /// Pairs with a positive excess, ranked: largest excess first, then ids.
    pub pairs: Vec<PairResult>,
}

/// Screens every pair of `singles` and solves the pairs that screening cannot settle.
/// `singles` are single-entity outages with a TTR (others are skipped and listed); runs on
/// the current rayon thread pool.
pub fn run(
    network: &ValidatedNetwork,
    singles: &[Scenario],
    config: &StressConfig,
    progress: &(dyn Fn(Step) + Sync),
) -> Result<PairsReport, PairsError> {
    let screening = screen(network, singles, progress)?;
    solve(network, singles, &screening, config, progress)
}

/// A single-entity outage taken into pairs.
struct Single<'a> {
    scenario: &'a Scenario,
    ttr: f64,
    changes: Vec<Change>,
}

/// The singles a pairs run takes, their indices in the caller's list, and the ids of the
/// scenarios left out.
struct Usable<'a> {
    used: Vec<Single<'a>>,
    index: Vec<usize>,
    skipped: Vec<String>,
}

fn usable_singles<'a>(
    network: &ValidatedNetwork,
    layout: &Layout,
    singles: &'a [Scenario],
) -> Result<Usable<'a>, PairsError> {
    let mut used = Vec::new();
    let mut index = Vec::new();
    let mut skipped = Vec::new();
    let mut targets = std::collections::HashSet::new();
    for (i, scenario) in singles.iter().enumerate() {
        let ([disruption], Some(ttr)) = (scenario.disrupt.as_slice(), scenario.ttr) else {
            skipped.push(scenario.id.clone());
            continue;
        };
        if network.lookup(disruption.target.id()).is_none() {
            return Err(PairsError::UnknownEntity {
                scenario: scenario.id.clone(),
                entity: disruption.target.id().to_owned(),
            });
        }
        if !targets.insert(&disruption.target) {
            skipped.push(scenario.id.clone());
            continue;
        }
        let factors = network.capacity_factors([(&disruption.target, disruption.capacity_factor)]);
        used.push(Single {
            scenario,
            ttr,
            changes: lp::changes(layout, &factors),
        });
        index.push(i);
    }
    Ok(Usable {
        used,
        index,
        skipped,
    })
}

/// A single's plan at one window: how it differs from the undisrupted optimum.
#[derive(Debug, Default)]
struct Plan {
    /// Columns whose value changes, with the change, by column.
    cols: Vec<(u32, f64)>,
    /// Rows whose activity changes, with the change, by row.
    rows: Vec<(u32, f64)>,
    /// Constraints (column c as c, row r as cols + r) the plan changes or the disruption
    /// tightens, sorted and distinct.
    footprint: Vec<u32>,
}

/// The undisrupted TTR program at one window, solved.
struct Window {
    problem: LpProblem,
    objective: f64,
    primal: Vec<f64>,
    row_dual: Vec<f64>,
    activity: Vec<f64>,
    basis: Option<Basis>,
}

/// Singles per chunk of the screening solves: each chunk loads a fresh model.
const CHUNK: usize = 32;

/// Screens every pair of the usable `singles` (see the module documentation).
pub fn screen(
    network: &ValidatedNetwork,
    singles: &[Scenario],
    progress: &(dyn Fn(Step) + Sync),
) -> Result<Screening, PairsError> {
    let (_, layout) = lp::build(network, Program::Ttr, 1.0);
    let Usable {
        used,
        index,
        skipped,
    } = usable_singles(network, &layout, singles)?;
    let n = used.len();
    let mut counts = Screened {
        pairs: pair_count(n as u64),
        ..Screened::default()
    };
    let mut windows: Vec<f64> = used.iter().map(|s| s.ttr).filter(|&t| t > 0.0).collect();
    windows.sort_by(f64::total_cmp);
    windows.dedup();
    let zero = used.iter().filter(|s| s.ttr <= 0.0).count() as u64;
    counts.no_window = pair_count(zero);

    let work: usize = windows
        .iter()
        .map(|&t| used.iter().filter(|s| s.ttr <= t).count())
        .sum();
    progress(Step::Stage {
        name: "single plans",
        total: work,
    });

    let cols = layout.w() + 1;
    let mut to_solve = Vec::new();
    let mut structure = None;
    for &t in &windows {
        let window = undisrupted(network, t)?;
        let structure: &Structure =
            structure.get_or_insert_with(|| Structure::new(network, &layout, &window.problem));
        // The singles that take part at this window, and which of them have it as TTR.
        let members: Vec<usize> = (0..n).filter(|&i| used[i].ttr <= t).collect();
        let chunks: Vec<&[usize]> = members.chunks(CHUNK).collect();
        let plans: Vec<Vec<Plan>> = chunks
            .par_iter()
            .map(|chunk| plans_of(&layout, structure, &window, &used, chunk, progress))
            .collect::<Result<_, _>>()?;
        let plans: Vec<Plan> = plans.into_iter().flatten().collect();
        let is_new: Vec<bool> = members.iter().map(|&i| used[i].ttr == t).collect();

        // The inverted index: constraint → members whose footprint holds it.
        let constraints = cols + window.problem.row_count();
        let mut touching: Vec<Vec<u32>> = vec![Vec::new(); constraints];
        for (m, plan) in plans.iter().enumerate() {
            for &k in &plan.footprint {
                touching[k as usize].push(m as u32);
            }
        }
        let mut meeting: Vec<(u32, u32)> = Vec::new();
        for list in &touching {
            for (x, &p) in list.iter().enumerate() {
                for &q in &list[x + 1..] {
                    if is_new[p as usize] || is_new[q as usize] {
                        meeting.push((p, q));
                    }
                }
            }
        }
        meeting.sort_unstable();
        meeting.dedup();

        let new = is_new.iter().filter(|&&b| b).count() as u64;
        let old = members.len() as u64 - new;
        let at_window = pair_count(new) + new * old;
        counts.disjoint += at_window - meeting.len() as u64;
        for &(p, q) in &meeting {
            let (a, b) = (members[p as usize], members[q as usize]);
            let feasible = combined_plan_holds(
                &window,
                cols,
                (&plans[p as usize], &used[a].changes),
                (&plans[q as usize], &used[b].changes),
            );
            if feasible {
                counts.combined_plan += 1;
            } else {
                to_solve.push((index[a], index[b], t));
            }
        }
    }
    counts.solved = to_solve.len() as u64;
    to_solve.sort_by(|x, y| x.2.total_cmp(&y.2).then(x.0.cmp(&y.0)).then(x.1.cmp(&y.1)));
    Ok(Screening {
        to_solve,
        counts,
        skipped,
    })
}

fn pair_count(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// The undisrupted TTR program at window `t`, solved on a fresh model.
fn undisrupted(network: &ValidatedNetwork, t: f64) -> Result<Window, StressError> {
    let (problem, _) = lp::build(network, Program::Ttr, t);
    let mut model = Highs
        .build(&problem)
        .map_err(|message| StressError::Backend {
            program: "TTR",
            message,
        })?;
    let outcome = model.solve();
    if outcome != Outcome::Optimal {
        return Err(solve_error(
            &format!("undisrupted at t = {t}"),
            "TTR",
            outcome,
        ));
    }
    let mut primal = Vec::new();
    model.primal(&mut primal);
    let mut row_dual = Vec::new();
    model.row_dual(&mut row_dual);
    let activity = row_activity(&problem, |c| primal[c]);
    Ok(Window {
        objective: model.objective(),
        row_dual,
        basis: model.basis(),
        problem,
        primal,
        activity,
    })
}

/// A·x for a column function x.
fn row_activity(problem: &LpProblem, x: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut activity = vec![0.0; problem.row_count()];
    for c in 0..problem.col_count() {
        let value = x(c);
        if value == 0.0 {
            continue;
        }
        for e in problem.start[c]..problem.start[c + 1] {
            activity[problem.index[e]] += problem.value[e] * value;
        }
    }
    activity
}

/// The plans of a chunk of members at one window, on a fresh model.
fn plans_of(
    layout: &Layout,
    structure: &Structure,
    window: &Window,
    used: &[Single],
    chunk: &[usize],
    progress: &(dyn Fn(Step) + Sync),
) -> Result<Vec<Plan>, StressError> {
    let cols = window.problem.col_count();
    let mut model: Option<<Highs as LpBackend>::Model> = None;
    let mut scratch = Scratch::new(structure, &window.problem);
    let mut primal = Vec::new();
    let mut plans = Vec::with_capacity(chunk.len());
    for &i in chunk {
        let single = &used[i];
        let mut plan = Plan::default();
        if !lp::holds(layout, &single.changes, &window.primal) {
            // The single's optimal plan on the region it reaches (exact, and it moves
            // only the region's columns, which keeps footprints small); the whole program
            // from the undisrupted basis where the region does not settle it.
            let start = region::Start {
                objective: window.objective,
                primal: &window.primal,
                row_dual: Some(&window.row_dual),
            };
            let answer = region::solve(
                &Highs,
                structure,
                layout,
                &window.problem,
                Program::Ttr,
                &single.changes,
                &start,
                &mut scratch,
            );
            if let Answer::Optimal(_) = answer {
                primal.clear();
                primal.extend((0..cols).map(|c| scratch.value(&window.primal, c)));
            } else {
                let model = match &mut model {
                    Some(model) => model,
                    None => model.insert(Highs.build(&window.problem).map_err(|message| {
                        StressError::Backend {
                            program: "TTR",
                            message,
                        }
                    })?),
                };
                if let Some(basis) = &window.basis {
                    model.set_basis(basis);
                }
                lp::apply(model, &single.changes, false);
                let outcome = model.solve();
                if outcome == Outcome::Optimal {
                    model.primal(&mut primal);
                }
                lp::apply(model, &single.changes, true);
                if outcome != Outcome::Optimal {
                    return Err(solve_error(&single.scenario.id, "TTR", outcome));
                }
            }
            let delta = |c: usize| {
                let d = primal[c] - window.primal[c];
                if d.abs() > 1e-10 * window.primal[c].abs().max(1.0) {
                    d
                } else {
                    0.0
                }
            };
            plan.cols = (0..cols)
                .filter_map(|c| {
                    let d = delta(c);
                    (d != 0.0).then_some((c as u32, d))
                })
                .collect();
            let rows = row_activity(&window.problem, delta);
            plan.rows = rows
                .iter()
                .enumerate()
                .filter(|&(r, &d)| d.abs() > 1e-10 * window.activity[r].abs().max(1.0))
                .map(|(r, &d)| (r as u32, d))
                .collect();
        }
        plan.footprint = plan
            .cols
            .iter()
            .map(|&(c, _)| c)
            .chain(plan.rows.iter().map(|&(r, _)| cols as u32 + r))
            .chain(single.changes.iter().map(|change| constraint(change, cols)))
            .collect();
        plan.footprint.sort_unstable();
        plan.footprint.dedup();
        plans.push(plan);
        progress(Step::Tick);
    }
    Ok(plans)
}

/// The constraint a change tightens: column c as c, row r as cols + r.
fn constraint(change: &Change, cols: usize) -> u32 {
    match *change {
        Change::Column(c, _, _) => c as u32,
        Change::SiteUpper { row, .. } => (cols + row) as u32,
    }
}

/// Whether x₀ + d_A + d_B satisfies the pair's bounds on every constraint both footprints
/// hold (elsewhere it does by construction; see the module documentation).
fn combined_plan_holds(
    window: &Window,
    cols: usize,
    (plan_a, changes_a): (&Plan, &[Change]),
    (plan_b, changes_b): (&Plan, &[Change]),
) -> bool {
    let problem = &window.problem;
    let delta = |list: &[(u32, f64)], k: u32| {
        list.binary_search_by_key(&k, |&(key, _)| key)
            .map_or(0.0, |at| list[at].1)
    };
    let within = |value: f64, lower: f64, upper: f64| {
        value >= lower - 1e-9 * lower.abs().max(1.0) && value <= upper + 1e-9 * upper.abs().max(1.0)
    };
    let shared = intersection(&plan_a.footprint, &plan_b.footprint);
    shared.into_iter().all(|k| {
        let k_us = k as usize;
        if k_us < cols {
            let value = window.primal[k_us] + delta(&plan_a.cols, k) + delta(&plan_b.cols, k);
            let (mut lower, mut upper) = (problem.col_lower[k_us], problem.col_upper[k_us]);
            for change in changes_a.iter().chain(changes_b) {
                if let Change::Column(c, (lo, up), _) = *change
                    && c == k_us
                {
                    lower = lower.max(lo);
                    upper = upper.min(up);
                }
            }
            within(value, lower, upper)
        } else {
            let row = k_us - cols;
            let r = row as u32;
            let value = window.activity[row] + delta(&plan_a.rows, r) + delta(&plan_b.rows, r);
            let (lower, mut upper) = (problem.row_lower[row], problem.row_upper[row]);
            for change in changes_a.iter().chain(changes_b) {
                if let Change::SiteUpper { row: at, new, .. } = *change
                    && at == row
                {
                    upper = upper.min(new);
                }
            }
            within(value, lower, upper)
        }
    })
}

fn intersection(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// The scenario of two singles disrupted together over `window`.
pub fn pair_scenario(a: &Scenario, b: &Scenario, window: f64) -> Scenario {
    Scenario {
        id: format!("{} + {}", a.id, b.id),
        ttr: Some(window),
        disrupt: a.disrupt.iter().chain(&b.disrupt).cloned().collect(),
        start: None,
        downtime_cost: None,
    }
}

/// A single evaluated over another window.
pub fn single_at(single: &Scenario, window: f64) -> Scenario {
    Scenario {
        ttr: Some(window),
        start: None,
        downtime_cost: None,
        ..single.clone()
    }
}

/// Nothing disrupted, over `window`: the loss every Δ is measured from.
pub fn undisrupted_at(window: f64) -> Scenario {
    Scenario {
        id: format!("undisrupted over {window}"),
        ttr: Some(window),
        disrupt: Vec::new(),
        start: None,
        downtime_cost: None,
    }
}

/// The loss below which a difference of performance impacts at `window` is solver noise:
/// 1e-9 of the largest possible loss, as the sweep uses.
pub fn noise(network: &ValidatedNetwork, window: f64) -> f64 {
    let scale: f64 = network
        .nodes()
        .iter()
        .map(|n| n.value * n.demand.unwrap_or(0.0) * window)
        .sum();
    1e-9 * scale.max(1.0)
}

/// Solves the pairs screening left, with their singles and the undisrupted network at
/// each pair's window, in one [`crate::run`], and ranks those with a positive excess.
pub fn solve(
    network: &ValidatedNetwork,
    singles: &[Scenario],
    screening: &Screening,
    config: &StressConfig,
    progress: &(dyn Fn(Step) + Sync),
) -> Result<PairsReport, PairsError> {
    // Scenario list: the pairs, then each (single, window) and each window once.
    let mut scenarios: Vec<Scenario> = Vec::with_capacity(screening.to_solve.len() * 2);
    let mut single_slot = std::collections::HashMap::new();
    let mut window_slot = std::collections::HashMap::new();
    for &(a, b, t) in &screening.to_solve {
        scenarios.push(pair_scenario(&singles[a], &singles[b], t));
    }
    for &(a, b, t) in &screening.to_solve {
        for i in [a, b] {
            single_slot.entry((i, t.to_bits())).or_insert_with(|| {
                scenarios.push(single_at(&singles[i], t));
                scenarios.len() - 1
            });
        }
        window_slot.entry(t.to_bits()).or_insert_with(|| {
            scenarios.push(undisrupted_at(t));
            scenarios.len() - 1
        });
    }
    progress(Step::Stage {
        name: "joint solves",
        total: scenarios.len(),
    });
    let tick = || progress(Step::Tick);
    let report = crate::run(network, &scenarios, config, &tick)?;
    let results = &report.scenarios;
    let impact = |slot: usize| results[slot].performance_impact.unwrap_or(0.0);

    let mut ranked = Vec::new();
    for (k, &(a, b, t)) in screening.to_solve.iter().enumerate() {
        let slot_of = |i: usize| single_slot.get(&(i, t.to_bits())).copied();
        let (Some(sa), Some(sb), Some(s0)) = (
            slot_of(a),
            slot_of(b),
            window_slot.get(&t.to_bits()).copied(),
        ) else {
            continue;
        };
        let base = impact(s0);
        let (joint, alone_a, alone_b) = (impact(k) - base, impact(sa) - base, impact(sb) - base);
        let excess = joint - alone_a - alone_b;
        if excess <= noise(network, t) {
            continue;
        }
        let result = &results[k];
        ranked.push(PairResult {
            a: singles[a].id.clone(),
            b: singles[b].id.clone(),
            kind_a: results[sa].kind.clone(),
            kind_b: results[sb].kind.clone(),
            window: t,
            tts: result.tts,
            tts_capped: result.tts_capped,
            impact: significant(joint),
            impact_a: significant(alone_a),
            impact_b: significant(alone_b),
            excess: significant(excess),
            undisrupted_impact: base,
            lost_units: result.lost_units.clone(),
        });
    }
    ranked.sort_by(|x, y| {
        y.excess
            .total_cmp(&x.excess)
            .then_with(|| x.a.cmp(&y.a))
            .then_with(|| x.b.cmp(&y.b))
    });
    let used = singles.len() - screening.skipped.len();
    Ok(PairsReport {
        network: network.network().name.clone(),
        horizon: network.network().horizon,
        singles: used,
        skipped: screening.skipped.clone(),
        screened: screening.counts,
        pairs: ranked,
    })
}

/// The JSON document of a pairs run, as `lifeline stress --pairs --format json` writes it:
/// `network`, `horizon`, `singles`, `skipped`, `screened`, then `pairs` ranked, only the
/// first `top` when given.
pub fn document(report: &PairsReport, top: Option<usize>) -> serde_json::Value {
    let shown = top.map_or(report.pairs.len(), |k| k.min(report.pairs.len()));
    serde_json::json!({
        "network": report.network,
        "horizon": report.horizon,
        "singles": report.singles,
        "skipped": report.skipped,
        "screened": report.screened,
        "pairs": &report.pairs[..shown],
    })
}

/// The CSV of ranked pairs: one row per pair, numbers unformatted, the demand nodes that
/// run short as `id=units` joined by `;`. Text cells are made safe for spreadsheets.
pub fn write_csv(out: impl Write, pairs: &[PairResult]) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "a",
        "b",
        "kind_a",
        "kind_b",
        "window",
        "tts",
        "tts_capped",
        "impact",
        "impact_a",
        "impact_b",
        "excess",
        "undisrupted_impact",
        "runs_short",
    ])?;
    let text = |x: &str| lifeline_text::csv_cell(x).into_owned();
    for p in pairs {
        writer.write_record([
            text(&p.a),
            text(&p.b),
            text(&p.kind_a),
            text(&p.kind_b),
            p.window.to_string(),
            p.tts.to_string(),
            p.tts_capped.to_string(),
            p.impact.to_string(),
            p.impact_a.to_string(),
            p.impact_b.to_string(),
            p.excess.to_string(),
            p.undisrupted_impact.to_string(),
            p.lost_units.csv_cell(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersects_sorted_lists() {
        assert_eq!(intersection(&[1, 3, 5, 9], &[2, 3, 9, 10]), vec![3, 9]);
        assert_eq!(intersection(&[], &[1]), Vec::<u32>::new());
    }

    #[test]
    fn counts_pairs() {
        assert_eq!(pair_count(0), 0);
        assert_eq!(pair_count(1), 0);
        assert_eq!(pair_count(4), 6);
    }
}
