//! Helpers for `lifeline.ray` (issue 19, items 2 and 3): owned by the Ray piece of the
//! package. Until it lands, this registers nothing.

use pyo3::prelude::*;

/// Adds the distributed-sweep helpers to the `lifeline._native` module.
pub(crate) fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
