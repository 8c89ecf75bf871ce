use pyo3::prelude::*;

mod distributed;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    distributed::register(m)?;
    Ok(())
}
