//! `lifeline._native`: the extension module of the `lifeline` Python package.
//!
//! It wraps the libraries the command-line tool uses, so that a report computed from
//! Python is the same document, field for field, as `lifeline ... --format json` gives:
//! both call the same library functions (`lifeline_stress::report_document`,
//! `lifeline_sim::Simulator`, `lifeline_trace`, `lifeline_vuln::scan`). The GIL is released
//! while they compute. The Python package (`python/lifeline`) re-exports these and adds
//! the `trace` and `sbom` modules; `src/distributed.rs` holds the helpers of `lifeline.ray`.

use pyo3::prelude::*;

mod convert;
mod distributed;
mod errors;
mod network;
mod sbom;
mod trace;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ValidationError", py.get_type::<errors::ValidationError>())?;
    m.add_class::<network::Network>()?;
    m.add_function(wrap_pyfunction!(trace::trace_hash_events, m)?)?;
    m.add_function(wrap_pyfunction!(trace::trace_check, m)?)?;
    m.add_function(wrap_pyfunction!(sbom::sbom_scan, m)?)?;
    distributed::register(m)?;
    Ok(())
}
