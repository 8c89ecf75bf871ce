//! The linear-programming engine behind our own traits, so that no solver type appears in
//! the public API and a backend can be swapped or compared.
//!
//! A stress sweep solves thousands of LPs that differ from one base model in a few
//! bounds. The traits are shaped for that: load a model once, start it from the
//! base model's optimal basis, then change it, solve (a few simplex pivots from the
//! previous optimum), and change it back, scenario after scenario.

/// A column-wise sparse LP: minimise `cost · x` subject to `row_lower ≤ A x ≤ row_upper`
/// and `col_lower ≤ x ≤ col_upper`. Infinite bounds are `f64::INFINITY`.
#[derive(Debug, Clone, Default)]
pub(crate) struct LpProblem {
    pub cost: Vec<f64>,
    pub col_lower: Vec<f64>,
    pub col_upper: Vec<f64>,
    pub row_lower: Vec<f64>,
    pub row_upper: Vec<f64>,
    /// Compressed sparse columns: column c's entries are `start[c]..start[c + 1]`.
    pub start: Vec<usize>,
    pub index: Vec<usize>,
    pub value: Vec<f64>,
}

impl LpProblem {
    pub fn col_count(&self) -> usize {
        self.cost.len()
    }
    pub fn row_count(&self) -> usize {
        self.row_lower.len()
    }
}

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Optimal,
    Infeasible,
    Unbounded,
    /// Anything else the engine reports (numerical trouble, limits).
    Failed,
}

/// A saved simplex basis, opaque to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Basis {
    pub columns: Vec<i32>,
    pub rows: Vec<i32>,
}

/// A linear-programming engine.
pub(crate) trait LpBackend: Sync {
    type Model: WarmModel;
    fn build(&self, problem: &LpProblem) -> Result<Self::Model, String>;
}

/// A loaded model that keeps its basis and factorisation between solves.
pub(crate) trait WarmModel {
    fn set_col_bounds(&mut self, col: usize, lower: f64, upper: f64);
    fn set_row_bounds(&mut self, row: usize, lower: f64, upper: f64);
    fn solve(&mut self) -> Outcome;
    fn objective(&self) -> f64;
    /// The primal values of every column, written into `out` (resized as needed).
    fn primal(&self, out: &mut Vec<f64>);
    /// The dual values of every row, written into `out` (resized as needed), with the
    /// convention reduced cost = cost − Aᵀ·dual.
    fn row_dual(&self, out: &mut Vec<f64>);
    fn basis(&self) -> Option<Basis>;
    fn set_basis(&mut self, basis: &Basis);
}
