//! The TTR and TTS linear programs of `lifeline-network/1` (Simchi-Levi et al. 2015) as
//! one column/row layout, and the changes a disruption makes to it.
//!
//! Columns: `u_j` (output of node j over the window), `y_e` (shipped along edge e), `l_k`
//! (lost demand at the k-th demand node), and `t` (the window). Both programs share every
//! row; they differ only in the objective and in the bounds of `l` and `t`:
//!
//! | program | objective | `l` | `t` |
//! |---|---|---|---|
//! | TTR (performance impact) | min Σ value·l | [0, ∞) | fixed at the scenario's TTR |
//! | TTS (time to survive) | max t | fixed at 0 | [0, horizon] |
//!
//! Rows: material (r·u_j − Σ y ≤ 0 per node and input material), flow (Σ y − u_i ≤ s_i per
//! node with customers), capacity (u_j − c_j·t ≤ 0 per node with a capacity), site
//! (Σ u − c·t ≤ 0 per site with a capacity) and demand (l_j + u_j − d_j·t ≥ −s_j).
//!
//! A disruption at factor φ scales the `t` coefficient of a capacity row to −φ·c; a node
//! fully down (φ = 0) gets the bounds u = 0 instead, so the sparsity pattern never
//! changes and a change can be undone in place.

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
    /// The capacity row of each node that has a finite capacity.
    pub capacity_rows: Vec<Option<Capacity>>,
    /// The capacity row of each site that has a capacity and members.
    pub site_rows: Vec<Option<Capacity>>,
    pub horizon: f64,
}

/// A capacity row `Σ u − c·t ≤ 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Capacity {
    pub row: usize,
    pub capacity: f64,
    /// Position of the `t` coefficient in the column-wise arrays (none when c = 0).
    pub t_entry: Option<usize>,
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
    pub fn t(&self) -> usize {
        self.nodes + self.edges + self.demand_nodes.len()
    }
}

/// Builds the shared rows, and the bounds and objective of `program` with window `t`
/// (ignored for TTS).
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
        capacity_rows: vec![None; nodes.len()],
        site_rows: vec![None; network.network().sites.len()],
        horizon: network.network().horizon,
    };
    let t = layout.t();
    let cols = t + 1;
    let mut entries: Vec<(usize, usize, f64)> = Vec::new(); // (col, row, value)
    let mut row_lower = Vec::new();
    let mut row_upper = Vec::new();
    let mut capacity_rows = Vec::new();
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
            let row = add_row(f64::NEG_INFINITY, node.inventory);
            entries.extend(customers.iter().map(|&e| (layout.y(e), row, 1.0)));
            entries.push((layout.u(i), row, -1.0));
        }
    }
    for (j, node) in nodes.iter().enumerate() {
        if let Some(capacity) = node.capacity {
            let row = add_row(f64::NEG_INFINITY, 0.0);
            entries.push((layout.u(j), row, 1.0));
            if capacity > 0.0 {
                entries.push((t, row, -capacity));
            }
            capacity_rows.push((j, row, capacity));
        }
    }
    for (s, site) in network.network().sites.iter().enumerate() {
        let members = network.site_members(s);
        if let (Some(capacity), false) = (site.capacity, members.is_empty()) {
            let row = add_row(f64::NEG_INFINITY, 0.0);
            entries.extend(members.iter().map(|&j| (layout.u(j), row, 1.0)));
            if capacity > 0.0 {
                entries.push((t, row, -capacity));
            }
            site_rows.push((s, row, capacity));
        }
    }
    for (k, &j) in layout.demand_nodes.iter().enumerate() {
        let node = &nodes[j];
        let row = add_row(-node.inventory, f64::INFINITY);
        entries.push((layout.l(k), row, 1.0));
        entries.push((layout.u(j), row, 1.0));
        let demand = node.demand.unwrap_or(0.0);
        if demand > 0.0 {
            entries.push((t, row, -demand));
        }
    }

    let mut problem = LpProblem {
        cost: vec![0.0; cols],
        col_lower: vec![0.0; cols],
        col_upper: vec![f64::INFINITY; cols],
        row_lower,
        row_upper,
        ..LpProblem::default()
    };
    match program {
        Program::Ttr => {
            for (k, &j) in layout.demand_nodes.iter().enumerate() {
                problem.cost[layout.l(k)] = nodes[j].value;
            }
            problem.col_lower[t] = window;
            problem.col_upper[t] = window;
        }
        Program::Tts => {
            for k in 0..layout.demand_nodes.len() {
                problem.col_upper[layout.l(k)] = 0.0;
            }
            problem.cost[t] = -1.0;
            problem.col_upper[t] = layout.horizon;
        }
    }
    // Compressed sparse columns; a stable sort keeps each column's rows in build order.
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
    // Where each capacity row's `t` coefficient sits, so a disruption can change it.
    let t_column = &problem.index[problem.start[t]..problem.start[t + 1]];
    let capacity = |row: usize, capacity: f64| Capacity {
        row,
        capacity,
        t_entry: t_column
            .binary_search(&row)
            .ok()
            .map(|k| problem.start[t] + k),
    };
    for (j, row, c) in capacity_rows {
        layout.capacity_rows[j] = Some(capacity(row, c));
    }
    for (s, row, c) in site_rows {
        layout.site_rows[s] = Some(capacity(row, c));
    }
    (problem, layout)
}

/// One reversible change to an [`LpProblem`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Change {
    /// A column's bounds: (column, new (lower, upper), old (lower, upper)).
    Bounds(usize, (f64, f64), (f64, f64)),
    /// A matrix entry: its row, column and position in the column-wise arrays, new
    /// value, old value.
    Entry {
        row: usize,
        col: usize,
        position: usize,
        new: f64,
        old: f64,
    },
}

/// The changes that put a model at the given capacity factors.
pub(crate) fn changes(layout: &Layout, factors: &CapacityFactors) -> Vec<Change> {
    let t = layout.t();
    let mut changes = Vec::new();
    let down = |col: usize| Change::Bounds(col, (0.0, 0.0), (0.0, f64::INFINITY));
    for (j, &phi) in factors.nodes.iter().enumerate() {
        if phi >= 1.0 {
            continue;
        }
        match layout.capacity_rows[j] {
            Some(Capacity { t_entry: None, .. }) => {}
            Some(Capacity {
                row,
                t_entry: Some(position),
                capacity,
            }) if phi > 0.0 => {
                changes.push(Change::Entry {
                    row,
                    col: t,
                    position,
                    new: -phi * capacity,
                    old: -capacity,
                });
            }
            Some(_) => changes.push(down(layout.u(j))),
            // Unlimited capacity stays unlimited at any factor above 0.
            None if phi > 0.0 => {}
            None => changes.push(down(layout.u(j))),
        }
    }
    for (s, &phi) in factors.sites.iter().enumerate() {
        // At φ = 0 every member node is already down, so the site row needs no change.
        if let Some(Capacity {
            row,
            t_entry: Some(position),
            capacity,
        }) = layout.site_rows[s]
            && phi < 1.0
            && phi > 0.0
        {
            changes.push(Change::Entry {
                row,
                col: t,
                position,
                new: -phi * capacity,
                old: -capacity,
            });
        }
    }
    changes
}

/// Applies `changes` to a loaded model, or undoes them when `undo` is set.
pub(crate) fn apply_to_model<M: WarmModel>(model: &mut M, changes: &[Change], undo: bool) {
    let ordered: Box<dyn Iterator<Item = &Change>> = if undo {
        Box::new(changes.iter().rev())
    } else {
        Box::new(changes.iter())
    };
    for change in ordered {
        match *change {
            Change::Bounds(col, new, old) => {
                let (lower, upper) = if undo { old } else { new };
                model.set_col_bounds(col, lower, upper);
            }
            Change::Entry {
                row, col, new, old, ..
            } => {
                model.set_coefficient(row, col, if undo { old } else { new });
            }
        }
    }
}
