//! Solving a scenario on the part of the network it reaches, exactly.
//!
//! A disruption only tightens bounds, so the undisrupted optimum `x0` stays feasible
//! everywhere except at the disrupted entities and whatever they supply. The restricted
//! program keeps every column outside a *region* of nodes fixed at its value in `x0` and
//! solves for the region's columns alone (its output `u`, its lost demand `l`, and every
//! edge `y` into or out of it), with the fixed columns' activity moved into the row
//! bounds. Its optimum is feasible for the whole program. It is also optimal there when
//! the fixed columns pass the reduced-cost test against a whole dual solution: the
//! restricted program's row duals on its rows, and an optimal dual of the undisrupted
//! program elsewhere (for TTS, whose only cost is on w, zero will do). A fixed column
//! that fails the test brings its node(s) into the region, and the program is solved
//! again. The region starts as the disrupted nodes' downstream cone, the part that may
//! have to produce less, so the restricted program is always feasible for TTR.
//!
//! For TTS, the window variable w = 1/t couples every row with an inventory, but raising
//! w only loosens those rows (a disruption can only raise w above the undisrupted w0), so
//! a row whose only free column is w holds at any w ≥ w0 and is left out, with w ≥ w0 as
//! a bound. That bound is valid for the whole program, so a restricted optimum at w0 is
//! optimal whatever the duals say.
//!
//! The region is grown until the test passes; if it grows past half the network, or the
//! restricted TTS program is infeasible after the region took in its suppliers, the
//! caller solves the whole program instead. Every step depends only on the network, the
//! scenario and the undisrupted optimum, never on what was solved before.

use lifeline_network::ValidatedNetwork;

use crate::lp::{Change, Layout, Program};
use crate::solver::{LpBackend, LpProblem, Outcome, WarmModel};

/// Rounds of growing the region before the caller solves the whole program.
const MAX_ROUNDS: usize = 40;
/// Rounds of taking in suppliers when the restricted TTS program is infeasible.
const MAX_FEASIBILITY_ROUNDS: usize = 3;
/// Reduced-cost tolerance of the optimality test (HiGHS's dual tolerance is set to 1e-9).
const DUAL_TOLERANCE: f64 = 1e-9;

/// The network's columns and rows seen from its nodes, built once per sweep.
pub(crate) struct Structure {
    /// Row-wise copy of the constraint matrix.
    row_start: Vec<usize>,
    row_col: Vec<usize>,
    row_value: Vec<f64>,
    /// Columns of each node: `u`, `l` if it has demand, and the `y` of every edge into or
    /// out of it.
    node_start: Vec<usize>,
    node_cols: Vec<usize>,
    /// The node(s) each column belongs to (an edge belongs to both ends); `NONE` for w.
    col_nodes: Vec<[usize; 2]>,
    /// Customer and supplier nodes of each node.
    customers: Vec<Vec<usize>>,
    suppliers: Vec<Vec<usize>>,
    w: usize,
}

const NONE: usize = usize::MAX;
/// `Scratch::current` before any answer (stamps never reach it).
const NO_ANSWER: u32 = u32::MAX;

impl Structure {
    pub(crate) fn new(network: &ValidatedNetwork, layout: &Layout, problem: &LpProblem) -> Self {
        let rows = problem.row_count();
        let cols = problem.col_count();
        let mut count = vec![0usize; rows + 1];
        for &r in &problem.index {
            count[r + 1] += 1;
        }
        for r in 0..rows {
            count[r + 1] += count[r];
        }
        let row_start = count.clone();
        let mut fill = count;
        let mut row_col = vec![0; problem.index.len()];
        let mut row_value = vec![0.0; problem.index.len()];
        for c in 0..cols {
            for k in problem.start[c]..problem.start[c + 1] {
                let r = problem.index[k];
                row_col[fill[r]] = c;
                row_value[fill[r]] = problem.value[k];
                fill[r] += 1;
            }
        }

        let edge_ends = network.edge_ends();
        let mut col_nodes = vec![[NONE, NONE]; cols];
        let mut node_cols_of: Vec<Vec<usize>> =
            (0..layout.nodes).map(|j| vec![layout.u(j)]).collect();
        for (j, cols_of) in node_cols_of.iter().enumerate() {
            col_nodes[cols_of[0]] = [j, NONE];
        }
        for (k, &j) in layout.demand_nodes.iter().enumerate() {
            node_cols_of[j].push(layout.l(k));
            col_nodes[layout.l(k)] = [j, NONE];
        }
        let mut customers = vec![Vec::new(); layout.nodes];
        let mut suppliers = vec![Vec::new(); layout.nodes];
        for (e, &(from, to)) in edge_ends.iter().enumerate() {
            node_cols_of[from].push(layout.y(e));
            node_cols_of[to].push(layout.y(e));
            col_nodes[layout.y(e)] = [from, to];
            customers[from].push(to);
            suppliers[to].push(from);
        }
        for list in customers.iter_mut().chain(suppliers.iter_mut()) {
            list.sort_unstable();
            list.dedup();
        }
        let mut node_start = Vec::with_capacity(layout.nodes + 1);
        let mut node_cols = Vec::new();
        for cols_of in node_cols_of {
            node_start.push(node_cols.len());
            node_cols.extend(cols_of);
        }
        node_start.push(node_cols.len());
        Structure {
            row_start,
            row_col,
            row_value,
            node_start,
            node_cols,
            col_nodes,
            customers,
            suppliers,
            w: layout.w(),
        }
    }

    fn nodes(&self) -> usize {
        self.customers.len()
    }
}

/// The undisrupted optimum a scenario starts from.
pub(crate) struct Start<'a> {
    pub objective: f64,
    pub primal: &'a [f64],
    /// An optimal row dual of the undisrupted program; `None` means zero (TTS, or a TTR
    /// window the undisrupted network covers without loss).
    pub row_dual: Option<&'a [f64]>,
}

/// How a restricted solve ended.
pub(crate) enum Answer {
    /// Optimal for the whole program: the objective. The solution is the undisrupted
    /// optimum with the region's columns replaced: read it with [`Scratch::value`].
    Optimal(f64),
    /// Not settled on a region: solve the whole program.
    Whole,
}

/// A worker's reusable buffers, sized to the network once.
pub(crate) struct Scratch {
    stamp: u32,
    node_mark: Vec<u32>,
    col_mark: Vec<u32>,
    row_mark: Vec<u32>,
    /// Local index of each marked row / free column in the restricted program.
    row_local: Vec<usize>,
    col_local: Vec<usize>,
    acc_mark: Vec<u32>,
    region: Vec<usize>,
    cols: Vec<usize>,
    rows: Vec<usize>,
    touched: Vec<usize>,
    problem: LpProblem,
    local_primal: Vec<f64>,
    local_dual: Vec<f64>,
    /// The stamp of the scenario last solved.
    current: u32,
}

impl Scratch {
    pub(crate) fn new(structure: &Structure, problem: &LpProblem) -> Self {
        let (rows, cols) = (problem.row_count(), problem.col_count());
        Scratch {
            stamp: 0,
            node_mark: vec![0; structure.nodes()],
            col_mark: vec![0; cols],
            row_mark: vec![0; rows],
            row_local: vec![0; rows],
            col_local: vec![0; cols],
            acc_mark: vec![0; cols],
            region: Vec::new(),
            cols: Vec::new(),
            rows: Vec::new(),
            touched: Vec::new(),
            problem: LpProblem::default(),
            local_primal: Vec::new(),
            local_dual: Vec::new(),
            current: NO_ANSWER,
        }
    }

    /// Column `col` of the last optimal answer, whose undisrupted optimum was `base`.
    pub(crate) fn value(&self, base: &[f64], col: usize) -> f64 {
        if self.col_mark[col] == self.current {
            self.local_primal[self.col_local[col]]
        } else {
            base[col]
        }
    }

    /// Starts a scenario: clears every mark when the counter nears its end, so that the
    /// marks a scenario takes never wrap.
    fn begin(&mut self) -> u32 {
        if self.stamp > u32::MAX - 4 * (MAX_ROUNDS as u32 + 2) {
            for marks in [
                &mut self.node_mark,
                &mut self.col_mark,
                &mut self.row_mark,
                &mut self.acc_mark,
            ] {
                marks.fill(0);
            }
            self.stamp = 0;
            self.current = NO_ANSWER;
        }
        self.next_stamp()
    }

    fn next_stamp(&mut self) -> u32 {
        self.stamp += 1;
        self.stamp
    }
}

/// Column bounds of the scenario: the program's, with `changes` applied.
fn col_bounds(problem: &LpProblem, changes: &[Change], col: usize) -> (f64, f64) {
    changes
        .iter()
        .find_map(|change| match *change {
            Change::Column(c, new, _) if c == col => Some(new),
            _ => None,
        })
        .unwrap_or((problem.col_lower[col], problem.col_upper[col]))
}

fn row_upper(problem: &LpProblem, changes: &[Change], row: usize) -> f64 {
    changes
        .iter()
        .find_map(|change| match *change {
            Change::SiteUpper { row: r, new, .. } if r == row => Some(new),
            _ => None,
        })
        .unwrap_or(problem.row_upper[row])
}

/// Solves `program` (whose whole LP is `problem`) with `changes` applied, on regions grown
/// from the changed entities' downstream cone, starting from the undisrupted optimum.
#[allow(
    clippy::too_many_arguments,
    reason = "one call site; the pieces are distinct"
)]
pub(crate) fn solve<B: LpBackend>(
    backend: &B,
    structure: &Structure,
    layout: &Layout,
    problem: &LpProblem,
    program: Program,
    changes: &[Change],
    start: &Start<'_>,
    scratch: &mut Scratch,
) -> Answer {
    let stamp = scratch.begin();
    scratch.region.clear();
    // Seeds: every node whose output bound changed, every member of a site whose row did.
    let mut seeds = Vec::new();
    for change in changes {
        match *change {
            Change::Column(col, _, _) if col < layout.nodes => seeds.push(col),
            Change::Column(..) => {}
            Change::SiteUpper { site, .. } => seeds.extend(&layout.site_members[site]),
        }
    }
    for j in seeds {
        add_node(scratch, stamp, j);
    }
    // The downstream cone: everything they supply, directly or not.
    let mut next = 0;
    while next < scratch.region.len() {
        let j = scratch.region[next];
        next += 1;
        for &k in &structure.customers[j] {
            add_node(scratch, stamp, k);
        }
    }

    let limit = (structure.nodes() / 2).max(64);
    let mut feasibility_rounds = 0;
    for _round in 0..MAX_ROUNDS {
        if scratch.region.len() > limit {
            return Answer::Whole;
        }
        let round = scratch.next_stamp();
        build(
            structure, problem, program, changes, start, scratch, stamp, round,
        );
        let Ok(mut model) = backend.build(&scratch.problem) else {
            return Answer::Whole;
        };
        match model.solve() {
            Outcome::Optimal => {}
            Outcome::Infeasible
                if program == Program::Tts && feasibility_rounds < MAX_FEASIBILITY_ROUNDS =>
            {
                // The region cannot meet its demand at any w from the sources it has: take
                // in every supplier of the region and try again.
                feasibility_rounds += 1;
                let region = scratch.region.clone();
                for j in region {
                    for &i in &structure.suppliers[j] {
                        add_node(scratch, stamp, i);
                    }
                }
                continue;
            }
            _ => return Answer::Whole,
        }
        model.primal(&mut scratch.local_primal);
        model.row_dual(&mut scratch.local_dual);
        let grown = grow(structure, problem, changes, start, scratch, stamp, round);
        if grown == 0 {
            // Optimal for the whole program. Only the region's columns moved.
            scratch.current = stamp;
            let objective = match program {
                Program::Tts => scratch.local_primal[scratch.col_local[structure.w]],
                Program::Ttr => {
                    scratch
                        .cols
                        .iter()
                        .enumerate()
                        .fold(start.objective, |sum, (local, &c)| {
                            sum + problem.cost[c] * (scratch.local_primal[local] - start.primal[c])
                        })
                }
            };
            return Answer::Optimal(objective);
        }
    }
    Answer::Whole
}

fn add_node(scratch: &mut Scratch, stamp: u32, j: usize) -> bool {
    if scratch.node_mark[j] == stamp {
        return false;
    }
    scratch.node_mark[j] = stamp;
    scratch.region.push(j);
    true
}

/// Lays out the restricted program of the current region in `scratch.problem`.
#[allow(
    clippy::too_many_arguments,
    reason = "private; the pieces are distinct"
)]
fn build(
    structure: &Structure,
    problem: &LpProblem,
    program: Program,
    changes: &[Change],
    start: &Start<'_>,
    scratch: &mut Scratch,
    stamp: u32,
    round: u32,
) {
    // Free columns: every column of every region node, in column order, marked with the
    // scenario's `stamp`.
    scratch.cols.clear();
    for &j in &scratch.region {
        let cols = &structure.node_cols[structure.node_start[j]..structure.node_start[j + 1]];
        for &c in cols {
            scratch.col_mark[c] = stamp;
        }
        scratch.cols.extend_from_slice(cols);
    }
    scratch.cols.sort_unstable();
    scratch.cols.dedup();
    let tts = program == Program::Tts;
    if tts {
        scratch.col_mark[structure.w] = stamp;
        scratch.cols.push(structure.w);
    }
    for (local, &c) in scratch.cols.iter().enumerate() {
        scratch.col_local[c] = local;
    }

    // Rows: every row of a free column other than w (a row whose only free column is w
    // holds at any w ≥ w0).
    scratch.rows.clear();
    for &c in &scratch.cols {
        if c == structure.w && tts {
            continue;
        }
        for k in problem.start[c]..problem.start[c + 1] {
            let r = problem.index[k];
            if scratch.row_mark[r] != round {
                scratch.row_mark[r] = round;
                scratch.rows.push(r);
            }
        }
    }
    scratch.rows.sort_unstable();
    for (local, &r) in scratch.rows.iter().enumerate() {
        scratch.row_local[r] = local;
    }

    let lp = &mut scratch.problem;
    lp.cost.clear();
    lp.col_lower.clear();
    lp.col_upper.clear();
    lp.row_lower.clear();
    lp.row_upper.clear();
    lp.start.clear();
    lp.index.clear();
    lp.value.clear();
    for &r in &scratch.rows {
        let mut fixed = 0.0;
        for k in structure.row_start[r]..structure.row_start[r + 1] {
            let c = structure.row_col[k];
            if scratch.col_mark[c] != stamp {
                fixed += structure.row_value[k] * start.primal[c];
            }
        }
        lp.row_lower.push(problem.row_lower[r] - fixed);
        lp.row_upper.push(row_upper(problem, changes, r) - fixed);
    }
    for &c in &scratch.cols {
        let (mut lower, upper) = col_bounds(problem, changes, c);
        if tts && c == structure.w {
            lower = lower.max(start.primal[c]);
        }
        lp.cost.push(problem.cost[c]);
        lp.col_lower.push(lower);
        lp.col_upper.push(upper);
        lp.start.push(lp.index.len());
        for k in problem.start[c]..problem.start[c + 1] {
            let r = problem.index[k];
            if scratch.row_mark[r] == round {
                lp.index.push(scratch.row_local[r]);
                lp.value.push(problem.value[k]);
            }
        }
    }
    lp.start.push(lp.index.len());
}

/// The optimality test of the fixed columns against the restricted duals (and the
/// undisrupted ones elsewhere); the nodes of every column that fails join the region.
/// Returns how many nodes joined.
fn grow(
    structure: &Structure,
    problem: &LpProblem,
    changes: &[Change],
    start: &Start<'_>,
    scratch: &mut Scratch,
    stamp: u32,
    round: u32,
) -> usize {
    // Fixed columns in a restricted row whose dual differs from the undisrupted one: the
    // others keep their undisrupted reduced cost, which the undisrupted optimum passes.
    let check = scratch.next_stamp();
    scratch.touched.clear();
    for (local, &r) in scratch.rows.iter().enumerate() {
        let undisrupted = start.row_dual.map_or(0.0, |dual| dual[r]);
        if scratch.local_dual[local] == undisrupted {
            continue;
        }
        for k in structure.row_start[r]..structure.row_start[r + 1] {
            let c = structure.row_col[k];
            if scratch.col_mark[c] != stamp && scratch.acc_mark[c] != check {
                scratch.acc_mark[c] = check;
                scratch.touched.push(c);
            }
        }
    }
    scratch.touched.sort_unstable();
    let mut joined = 0;
    for t in 0..scratch.touched.len() {
        let c = scratch.touched[t];
        // d = cost − Σ π·a over the column's rows: restricted duals on restricted rows,
        // the undisrupted dual (or zero) elsewhere.
        let mut d = problem.cost[c];
        for k in problem.start[c]..problem.start[c + 1] {
            let r = problem.index[k];
            let pi = if scratch.row_mark[r] == round {
                scratch.local_dual[scratch.row_local[r]]
            } else {
                start.row_dual.map_or(0.0, |dual| dual[r])
            };
            d -= pi * problem.value[k];
        }
        let (lower, upper) = col_bounds(problem, changes, c);
        let x = start.primal[c];
        let near = |bound: f64| (x - bound).abs() <= 1e-9 * bound.abs().max(1.0);
        let at_lower = lower.is_finite() && near(lower);
        let at_upper = upper.is_finite() && near(upper);
        let tolerance = DUAL_TOLERANCE * problem.cost[c].abs().max(1.0);
        let fails = match (at_lower, at_upper) {
            (true, true) => false,
            (true, false) => d < -tolerance,
            (false, true) => d > tolerance,
            (false, false) => d.abs() > tolerance,
        };
        if fails {
            for j in structure.col_nodes[c] {
                if j != NONE && add_node(scratch, stamp, j) {
                    joined += 1;
                }
            }
        }
    }
    joined
}
