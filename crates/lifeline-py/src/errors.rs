//! `lifeline.ValidationError` and the conversion of the libraries' errors into Python
//! exceptions.

use lifeline_network::{Diagnostic, LoadError, Severity};
use pyo3::create_exception;
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

create_exception!(
    lifeline,
    ValidationError,
    PyValueError,
    "A document (network, scenarios, EPCIS events, SBOM) or an argument is invalid.\n\n\
     `problems` holds every problem found, each a dict with `file`, `path` (where in the \
     document: `edges[17].to`, or the argument's name), `message`, `hint` (or None) and \
     `severity` (`error` or `warning`); `str()` lists every one of them."
);

/// One problem of a document: where, what, and what to do.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub file: Option<String>,
    pub diagnostic: Diagnostic,
}

impl Problem {
    pub fn new(file: Option<&str>, diagnostic: Diagnostic) -> Problem {
        Problem {
            file: file.map(str::to_owned),
            diagnostic,
        }
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = &self.diagnostic;
        let dict = PyDict::new(py);
        dict.set_item("file", self.file.as_deref())?;
        dict.set_item("path", &d.path)?;
        dict.set_item("message", &d.message)?;
        dict.set_item("hint", d.hint.as_deref())?;
        dict.set_item(
            "severity",
            match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
        )?;
        Ok(dict)
    }
}

/// The diagnostics a warning-only load produced, as the list of dicts `Network.warnings`
/// returns.
pub(crate) fn problem_list<'py>(
    py: Python<'py>,
    problems: &[Problem],
) -> PyResult<Bound<'py, PyList>> {
    let dicts = problems
        .iter()
        .map(|p| p.to_dict(py))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, dicts)
}

/// A `ValidationError` whose message is `summary` followed by every problem, one a line.
pub(crate) fn validation_error(py: Python<'_>, summary: &str, problems: &[Problem]) -> PyErr {
    let mut text = summary.to_owned();
    for problem in problems {
        text.push('\n');
        if let Some(file) = &problem.file {
            text.push_str(&lifeline_text::escaped(file));
            text.push_str(": ");
        }
        text.push_str(&problem.diagnostic.to_string());
    }
    let error = ValidationError::new_err(text);
    match problem_list(py, problems) {
        Ok(list) => match error.value(py).setattr("problems", list) {
            Ok(()) => error,
            Err(failed) => failed,
        },
        Err(failed) => failed,
    }
}

/// The diagnostics of a request's fields name the command-line flags (`--outage`); from
/// Python they are the keyword arguments (`outage`).
pub(crate) fn argument_diagnostic(mut diagnostic: Diagnostic) -> Diagnostic {
    if let Some(flag) = diagnostic.path.strip_prefix("--") {
        diagnostic.path = flag.replace('-', "_");
    }
    diagnostic
}

/// A network that could not be loaded: `ValidationError` with every diagnostic for a
/// document that does not validate, does not parse or is over a read limit; `OSError`
/// (`FileNotFoundError` for a missing file) when it cannot be read.
pub(crate) fn load_error(py: Python<'_>, error: LoadError) -> PyErr {
    match error {
        LoadError::Io { path, source } => {
            let message = format!(
                "cannot read `{}`: {source}",
                lifeline_text::escaped(&path.display().to_string())
            );
            if source.kind() == std::io::ErrorKind::NotFound {
                PyFileNotFoundError::new_err(message)
            } else {
                PyOSError::new_err(message)
            }
        }
        LoadError::Invalid { path, diagnostics } => {
            let file = path.display().to_string();
            let problems: Vec<Problem> = diagnostics
                .0
                .into_iter()
                .map(|d| Problem::new(Some(&file), d))
                .collect();
            let errors = problems.iter().filter(|p| p.diagnostic.is_error()).count();
            validation_error(
                py,
                &format!(
                    "`{}` is not valid ({errors} error(s), {} problem(s) in all):",
                    lifeline_text::escaped(&file),
                    problems.len()
                ),
                &problems,
            )
        }
        LoadError::Limit {
            ref path,
            ref field,
            ref message,
        } => {
            let file = path.display().to_string();
            let diagnostic = Diagnostic::error(field.clone(), message.clone()).with_hint(
                "a document this large or deep is refused, to keep a hostile file from exhausting the machine",
            );
            validation_error(
                py,
                &format!("`{}` is over a read limit:", lifeline_text::escaped(&file)),
                &[Problem::new(Some(&file), diagnostic)],
            )
        }
        other @ (LoadError::Syntax { .. } | LoadError::UnknownFormat { .. }) => {
            let (file, message) = match &other {
                LoadError::Syntax { path, message, .. } => {
                    (path.display().to_string(), message.clone())
                }
                LoadError::UnknownFormat { path } => (
                    path.display().to_string(),
                    "cannot tell the format from the file name".to_owned(),
                ),
                _ => (String::new(), other.to_string()),
            };
            validation_error(
                py,
                &other.to_string(),
                &[Problem::new(Some(&file), Diagnostic::error("", message))],
            )
        }
    }
}

/// An error of a computation (a solver failure): `RuntimeError` with its message.
pub(crate) fn runtime_error(error: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(error.to_string())
}
