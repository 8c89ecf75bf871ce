//! The TTR and TTS linear programs of `lifeline-network/1` (Simchi-Levi et al. 2015) in
//! rate form, as one column/row layout, and the changes a disruption makes to it.
//!
//! The spec states both programs over a window t: `u_j` output of node j during t, `y_e`
//! shipped along edge e, `l_j` lost demand, with capacity `u ≤ φ·c·t` and demand
//! `l + u + s ≥ d·t`. Dividing every quantity by t gives the same programs over rates —
//! `ū = u/t`, `ȳ = y/t`, `l̄ = l/t` — with the one window variable `w = 1/t` multiplying
//! the inventories:
//!
//! | row | spec (window t) | rate form (w = 1/t) |
//! |---|---|---|
//! | material, per node j and input k | r·u_j − Σ y ≤ 0 | r·ū_j − Σ ȳ ≤ 0 |
//! | flow, per node i with customers | Σ y − u_i ≤ s_i | Σ ȳ − ū_i − s_i·w ≤ 0 |
//! | capacity, per node | u_j ≤ φ·c_j·t | column bound ū_j ≤ φ·c_j |
//! | site | Σ u ≤ φ·c·t | Σ ū ≤ φ·c |
//! | demand, per demand node | l + u + s ≥ d·t | l̄ + ū + s·w ≥ d |
//!
//! | program | objective | `l̄` | `w` |
//! |---|---|---|---|
//! | TTR (performance impact) | min Σ value·l̄ (PI = TTR × that) | [0, ∞) | fixed at 1/TTR |
//! | TTS (time to survive) | min w (TTS = 1/w) | fixed at 0 | [1/horizon, ∞) |
//!
//! Why rates: a disruption is then only a change of bounds (a node's or a site's capacity),
//! never of a matrix coefficient, so a warm model re-solves without refactorising. And when
//! a disruption shortens the time to survive, w grows, which only loosens the flow and
//! demand rows of nodes that hold stock; in the window form every demand row shifts with t
//! and the dual simplex must pivot once for each hospital whose stock now covers the
//! shorter window, across the whole network. A TTS LP that is infeasible at every w means
//! some demand cannot be met even at once: TTS = 0.

use lifeline_network::{CapacityFactors, ValidatedNetwork};

use crate::solver::{LpProblem, WarmModel};

/// Which of the two programs a model holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Program {
    /// Performance impact at a fixed window.
    Ttr,
    /// Time to survive.
    Tts,
}

/// Where each variable and row of a network's LP sits.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub nodes: usize,
    pub edges: usize,
    /// Node index of each demand node, in node order.
    pub demand_nodes: Vec<usize>,
    /// Each node's capacity per time unit (`None`: unlimited).
    pub capacities: Vec<Option<f64>>,
    /// The row and capacity of each site that has a capacity and members.
    pub site_rows: Vec<Option<(usize, f64)>>,
    /// The member nodes of each site.
    pub site_members: Vec<Vec<usize>>,
    pub horizon: f64,
}

impl Layout {
    pub fn u(&self, node: usize) -> usize {
        node
    }
    pub fn y(&self, edge: usize) -> usize {
        self.nodes + edge
    }
    pub fn l(&self, demand: usize) -> usize {
        self.nodes + self.edges + demand
    }
    /// The window variable w = 1/t.
    pub fn w(&self) -> usize {
        self.nodes + self.edges + self.demand_nodes.len()
    }
}

/// Builds the shared rows, and the bounds and objective of `program` at `window` (the
/// TTR; ignored for TTS).
pub(crate) fn build(
    network: &ValidatedNetwork,
    program: Program,
    window: f64,
) -> (LpProblem, Layout) {
    let nodes = network.nodes();
    let edge_ends = network.edge_ends();
    let demand_nodes: Vec<usize> = (0..nodes.len()).filter(|&j| nodes[j].is_demand()).collect();
    let mut layout = Layout {
        nodes: nodes.len(),
        edges: edge_ends.len(),
        demand_nodes,
        capacities: nodes.iter().map(|n| n.capacity).collect(),
        site_rows: vec![None; network.network().sites.len()],
        site_members: (0..network.network().sites.len())
            .map(|s| network.site_members(s).to_vec())
            .collect(),
        horizon: network.network().horizon,
    };
    let w = layout.w();
    let cols = w + 1;
    let mut entries: Vec<(usize, usize, f64)> = Vec::new(); // (col, row, value)
    let mut row_lower = Vec::new();
    let mut row_upper = Vec::new();
    let mut site_rows = Vec::new();
    let mut add_row = |lower: f64, upper: f64| {
        row_lower.push(lower);
        row_upper.push(upper);
        row_lower.len() - 1
    };

    for j in 0..nodes.len() {
        for input in network.inputs(j) {
            let row = add_row(f64::NEG_INFINITY, 0.0);
            entries.push((layout.u(j), row, input.ratio));
            entries.extend(input.edges.iter().map(|&e| (layout.y(e), row, -1.0)));
        }
    }
    for (i, node) in nodes.iter().enumerate() {
        let customers = network.customers(i);
        if !customers.is_empty() {
            let row = add_row(f64::NEG_INFINITY, 0.0);
            entries.extend(customers.iter().map(|&e| (layout.y(e), row, 1.0)));
            entries.push((layout.u(i), row, -1.0));
            if node.inventory > 0.0 {
                entries.push((w, row, -node.inventory));
            }
        }
    }
    for (s, site) in network.network().sites.iter().enumerate() {
        let members = network.site_members(s);
        if let (Some(capacity), false) = (site.capacity, members.is_empty()) {
            let row = add_row(f64::NEG_INFINITY, capacity);
            entries.extend(members.iter().map(|&j| (layout.u(j), row, 1.0)));
            site_rows.push((s, row, capacity));
        }
    }
    for (k, &j) in layout.demand_nodes.iter().enumerate() {
        let node = &nodes[j];
        let row = add_row(node.demand.unwrap_or(0.0), f64::INFINITY);
        entries.push((layout.l(k), row, 1.0));
        entries.push((layout.u(j), row, 1.0));
        if node.inventory > 0.0 {
            entries.push((w, row, node.inventory));
        }
    }
    for (s, row, capacity) in site_rows {
        layout.site_rows[s] = Some((row, capacity));
    }

    let mut problem = LpProblem {
        cost: vec![0.0; cols],
        col_lower: vec![0.0; cols],
        col_upper: vec![f64::INFINITY; cols],
        row_lower,
        row_upper,
        ..LpProblem::default()
    };
    for (j, capacity) in layout.capacities.iter().enumerate() {
        if let Some(capacity) = capacity {
            problem.col_upper[layout.u(j)] = *capacity;
        }
    }
    match program {
        Program::Ttr => {
            for (k, &j) in layout.demand_nodes.iter().enumerate() {
                problem.cost[layout.l(k)] = nodes[j].value;
            }
            problem.col_lower[w] = 1.0 / window;
            problem.col_upper[w] = 1.0 / window;
        }
        Program::Tts => {
            for k in 0..layout.demand_nodes.len() {
                problem.col_upper[layout.l(k)] = 0.0;
            }
            problem.cost[w] = 1.0;
            problem.col_lower[w] = 1.0 / layout.horizon;
        }
    }
    // Compressed sparse columns, each column's rows in increasing order.
    entries.sort_by_key(|&(col, row, _)| (col, row));
    problem.start = Vec::with_capacity(cols + 1);
    let mut next = 0;
    for col in 0..cols {
        problem.start.push(next);
        while next < entries.len() && entries[next].0 == col {
            next += 1;
        }
    }
    problem.start.push(entries.len());
    problem.index = entries.iter().map(|&(_, row, _)| row).collect();
    problem.value = entries.iter().map(|&(_, _, value)| value).collect();
    (problem, layout)
}

/// One reversible change to a model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Change {
    /// A column's bounds: (column, new (lower, upper), old (lower, upper)).
    Column(usize, (f64, f64), (f64, f64)),
    /// A site row's upper bound (its lower bound is −∞).
    SiteUpper {
        site: usize,
        row: usize,
        new: f64,
        old: f64,
    },
}

/// The changes that put a model at the given capacity factors.
pub(crate) fn changes(layout: &Layout, factors: &CapacityFactors) -> Vec<Change> {
    let mut changes = Vec::new();
    for (j, &phi) in factors.nodes.iter().enumerate() {
        if phi >= 1.0 {
            continue;
        }
        let col = layout.u(j);
        match layout.capacities[j] {
            Some(capacity) => {
                changes.push(Change::Column(col, (0.0, phi * capacity), (0.0, capacity)));
            }
            // Unlimited capacity stays unlimited at any factor above 0.
            None if phi > 0.0 => {}
            None => changes.push(Change::Column(col, (0.0, 0.0), (0.0, f64::INFINITY))),
        }
    }
    for (s, &phi) in factors.sites.iter().enumerate() {
        if let Some((row, capacity)) = layout.site_rows[s]
            && phi < 1.0
        {
            changes.push(Change::SiteUpper {
                site: s,
                row,
                new: phi * capacity,
                old: capacity,
            });
        }
    }
    changes
}

/// Applies `changes` to a loaded model, or undoes them when `undo` is set.
pub(crate) fn apply<M: WarmModel>(model: &mut M, changes: &[Change], undo: bool) {
    // Each change names a different column or row, so their order does not matter.
    for change in changes {
        match *change {
            Change::Column(col, new, old) => {
                let (lower, upper) = if undo { old } else { new };
                model.set_col_bounds(col, lower, upper);
            }
            Change::SiteUpper { row, new, old, .. } => {
                let upper = if undo { old } else { new };
                model.set_row_bounds(row, f64::NEG_INFINITY, upper);
            }
        }
    }
}

/// Whether a solution of the undisrupted program already satisfies `changes`. Changes
/// only tighten bounds, so such a solution stays optimal: the scenario costs nothing
/// that the baseline does not.
pub(crate) fn holds(layout: &Layout, changes: &[Change], solution: &[f64]) -> bool {
    let within = |value: f64, lower: f64, upper: f64| {
        value >= lower - 1e-9 * lower.abs().max(1.0) && value <= upper + 1e-9 * upper.abs().max(1.0)
    };
    changes.iter().all(|change| match *change {
        Change::Column(col, (lower, upper), _) => within(solution[col], lower, upper),
        Change::SiteUpper { site, new, .. } => {
            let activity: f64 = layout.site_members[site]
                .iter()
                .map(|&j| solution[layout.u(j)])
                .sum();
            within(activity, f64::NEG_INFINITY, new)
        }
    })
}
