//! The HiGHS backend of [`crate::solver`], through the C API of `highs-sys`.
//!
//! The safe `highs` crate has no way to change a row bound or to save and restore a
//! basis, which a warm-started sweep needs, so this module wraps the few C calls it uses.
//! Every `unsafe` block below passes a live handle and buffers of the lengths the C API
//! documents; the handle is owned by [`HighsModel`] and freed once in `Drop`.
#![allow(unsafe_code, reason = "FFI to the HiGHS C API; see the module comment")]

use std::ffi::{CStr, c_void};

use highs_sys::{
    Highs_changeColBounds, Highs_changeRowBounds, Highs_create, Highs_destroy, Highs_getBasis,
    Highs_getModelStatus, Highs_getObjectiveValue, Highs_getSolution, Highs_passLp, Highs_run,
    Highs_setBasis, Highs_setBoolOptionValue, Highs_setDoubleOptionValue, Highs_setIntOptionValue,
    Highs_setStringOptionValue, HighsInt,
};

use crate::solver::{Basis, LpBackend, LpProblem, Outcome, WarmModel};

const STATUS_ERROR: HighsInt = -1;
const MODEL_STATUS_OPTIMAL: HighsInt = 7;
const MODEL_STATUS_INFEASIBLE: HighsInt = 8;
const MODEL_STATUS_UNBOUNDED_OR_INFEASIBLE: HighsInt = 9;
const MODEL_STATUS_UNBOUNDED: HighsInt = 10;
const MATRIX_FORMAT_COLWISE: HighsInt = 1;
const SENSE_MINIMIZE: HighsInt = 1;

/// HiGHS's dual simplex, presolve off so that bases carry over between solves.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Highs;

/// One HiGHS instance holding a model.
pub(crate) struct HighsModel {
    handle: *mut c_void,
    cols: usize,
    rows: usize,
}

fn int(n: usize) -> Result<HighsInt, String> {
    HighsInt::try_from(n).map_err(|_| format!("the LP is too large for HiGHS ({n} entries)"))
}

impl LpBackend for Highs {
    type Model = HighsModel;

    fn build(&self, problem: &LpProblem) -> Result<HighsModel, String> {
        let cols = problem.col_count();
        let rows = problem.row_count();
        let start: Vec<HighsInt> = problem.start[..cols]
            .iter()
            .map(|&s| int(s))
            .collect::<Result<_, _>>()?;
        let index: Vec<HighsInt> = problem
            .index
            .iter()
            .map(|&i| int(i))
            .collect::<Result<_, _>>()?;
        // SAFETY: Highs_create returns an owned handle or null.
        let handle = unsafe { Highs_create() };
        if handle.is_null() {
            return Err("HiGHS could not create a model".to_owned());
        }
        let model = HighsModel { handle, cols, rows };
        model.set_options()?;
        // SAFETY: every array has the length passLp documents for a column-wise matrix:
        // cols for costs/bounds/starts, rows for row bounds, nnz for index/value.
        let status = unsafe {
            Highs_passLp(
                handle,
                int(cols)?,
                int(rows)?,
                int(problem.value.len())?,
                MATRIX_FORMAT_COLWISE,
                SENSE_MINIMIZE,
                0.0,
                problem.cost.as_ptr(),
                problem.col_lower.as_ptr(),
                problem.col_upper.as_ptr(),
                problem.row_lower.as_ptr(),
                problem.row_upper.as_ptr(),
                start.as_ptr(),
                index.as_ptr(),
                problem.value.as_ptr(),
            )
        };
        if status == STATUS_ERROR {
            return Err("HiGHS rejected the LP".to_owned());
        }
        Ok(model)
    }
}

impl HighsModel {
    fn set_options(&self) -> Result<(), String> {
        let checks = [
            self.bool_option(c"output_flag", false),
            self.string_option(c"presolve", c"off"),
            self.string_option(c"solver", c"simplex"),
            // One thread per model: the sweep parallelises across scenarios, and a
            // single-threaded simplex is deterministic.
            self.int_option(c"threads", 1),
            self.int_option(c"simplex_strategy", 1),
            self.double_option(c"primal_feasibility_tolerance", 1e-9),
            self.double_option(c"dual_feasibility_tolerance", 1e-9),
        ];
        if checks.contains(&STATUS_ERROR) {
            return Err("HiGHS rejected an option".to_owned());
        }
        Ok(())
    }
    fn bool_option(&self, name: &CStr, value: bool) -> HighsInt {
        // SAFETY: live handle, NUL-terminated option name.
        unsafe { Highs_setBoolOptionValue(self.handle, name.as_ptr(), HighsInt::from(value)) }
    }
    fn int_option(&self, name: &CStr, value: HighsInt) -> HighsInt {
        // SAFETY: live handle, NUL-terminated option name.
        unsafe { Highs_setIntOptionValue(self.handle, name.as_ptr(), value) }
    }
    fn double_option(&self, name: &CStr, value: f64) -> HighsInt {
        // SAFETY: live handle, NUL-terminated option name.
        unsafe { Highs_setDoubleOptionValue(self.handle, name.as_ptr(), value) }
    }
    fn string_option(&self, name: &CStr, value: &CStr) -> HighsInt {
        // SAFETY: live handle, NUL-terminated option name and value.
        unsafe { Highs_setStringOptionValue(self.handle, name.as_ptr(), value.as_ptr()) }
    }
}

impl HighsModel {
    /// The primal column values and the row duals of the last solve.
    fn solution(&self, primal: &mut Vec<f64>, row_dual: &mut Vec<f64>) {
        primal.resize(self.cols, 0.0);
        row_dual.resize(self.rows, 0.0);
        let mut col_dual = vec![0.0; self.cols];
        let mut row_value = vec![0.0; self.rows];
        // SAFETY: each buffer has the length getSolution writes: cols or rows.
        unsafe {
            Highs_getSolution(
                self.handle,
                primal.as_mut_ptr(),
                col_dual.as_mut_ptr(),
                row_value.as_mut_ptr(),
                row_dual.as_mut_ptr(),
            );
        }
    }
}

impl WarmModel for HighsModel {
    fn set_col_bounds(&mut self, col: usize, lower: f64, upper: f64) {
        let Ok(col) = int(col) else { return };
        // SAFETY: live handle; HiGHS checks the index and returns an error status
        // otherwise, which the next solve then reports.
        unsafe { Highs_changeColBounds(self.handle, col, lower, upper) };
    }

    fn set_row_bounds(&mut self, row: usize, lower: f64, upper: f64) {
        let Ok(row) = int(row) else {
            return;
        };
        // SAFETY: live handle; HiGHS checks the index.
        unsafe { Highs_changeRowBounds(self.handle, row, lower, upper) };
    }

    fn solve(&mut self) -> Outcome {
        // SAFETY: live handle.
        let status = unsafe { Highs_run(self.handle) };
        if status == STATUS_ERROR {
            return Outcome::Failed;
        }
        // SAFETY: live handle.
        match unsafe { Highs_getModelStatus(self.handle) } {
            MODEL_STATUS_OPTIMAL => Outcome::Optimal,
            MODEL_STATUS_INFEASIBLE => Outcome::Infeasible,
            MODEL_STATUS_UNBOUNDED | MODEL_STATUS_UNBOUNDED_OR_INFEASIBLE => Outcome::Unbounded,
            _ => Outcome::Failed,
        }
    }

    fn objective(&self) -> f64 {
        // SAFETY: live handle.
        unsafe { Highs_getObjectiveValue(self.handle) }
    }

    fn primal(&self, out: &mut Vec<f64>) {
        let mut row_dual = Vec::new();
        self.solution(out, &mut row_dual);
    }

    fn row_dual(&self, out: &mut Vec<f64>) {
        let mut primal = Vec::new();
        self.solution(&mut primal, out);
    }

    fn basis(&self) -> Option<Basis> {
        let mut basis = Basis {
            columns: vec![0; self.cols],
            rows: vec![0; self.rows],
        };
        // SAFETY: buffers of length cols and rows, as getBasis writes.
        let status = unsafe {
            Highs_getBasis(
                self.handle,
                basis.columns.as_mut_ptr(),
                basis.rows.as_mut_ptr(),
            )
        };
        (status != STATUS_ERROR).then_some(basis)
    }

    fn set_basis(&mut self, basis: &Basis) {
        if basis.columns.len() != self.cols || basis.rows.len() != self.rows {
            return;
        }
        // SAFETY: buffers of length cols and rows, as setBasis reads.
        unsafe { Highs_setBasis(self.handle, basis.columns.as_ptr(), basis.rows.as_ptr()) };
    }

    fn prepare_cold_solve(&mut self) {
        // The interior-point method and crossover to a basis: on the networks of
        // BENCHMARKS.md as fast as the dual simplex from a slack basis or up to 1.5×
        // faster (50,000 nodes). Presolve stays off: on these networks it cost more than
        // it saved (1,700 realistic nodes: 1.4 s against 0.2 s). A rejected option only
        // leaves the default in place.
        self.string_option(c"solver", c"ipm");
        self.string_option(c"run_crossover", c"on");
    }
}

impl Drop for HighsModel {
    fn drop(&mut self) {
        // SAFETY: the handle came from Highs_create and is freed exactly once, here.
        unsafe { Highs_destroy(self.handle) };
    }
}
