//! Python objects in and out: dicts and lists into the network reader's `Raw` tree (with
//! the same limits as a file), and the libraries' JSON documents out as Python objects.

use lifeline_network::{Diagnostic, Raw, ReadLimits};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyList, PyString, PyTuple};

use crate::errors::{Problem, validation_error};

/// `value` as a `Raw` tree, every problem (a value of a type JSON does not have, a key that
/// is not a string, a string or nesting over `limits`) reported at once as a
/// `ValidationError` naming where it is, like a file's diagnostics.
pub(crate) fn to_raw(value: &Bound<'_, PyAny>, origin: &str) -> PyResult<Raw> {
    let mut walk = Walk {
        limits: ReadLimits::default(),
        problems: Vec::new(),
    };
    let mut path = String::new();
    let raw = walk.value(value, &mut path, 0)?;
    if walk.problems.is_empty() {
        Ok(raw)
    } else {
        let problems: Vec<Problem> = walk
            .problems
            .into_iter()
            .map(|d| Problem::new(Some(origin), d))
            .collect();
        Err(validation_error(
            value.py(),
            &format!(
                "{origin} cannot be read as a document ({} problem(s)):",
                problems.len()
            ),
            &problems,
        ))
    }
}

struct Walk {
    limits: ReadLimits,
    problems: Vec<Diagnostic>,
}

impl Walk {
    fn value(
        &mut self,
        value: &Bound<'_, PyAny>,
        path: &mut String,
        depth: usize,
    ) -> PyResult<Raw> {
        if value.is_none() {
            return Ok(Raw::Null);
        }
        if let Ok(b) = value.cast::<PyBool>() {
            return Ok(Raw::Bool(b.is_true()));
        }
        if let Ok(s) = value.cast::<PyString>() {
            let text = s.to_cow()?;
            if text.len() > self.limits.value_bytes {
                self.problems.push(Diagnostic::error(
                    path.clone(),
                    format!(
                        "a string of {} bytes is over the limit of {} bytes",
                        text.len(),
                        self.limits.value_bytes
                    ),
                ));
                return Ok(Raw::Null);
            }
            return Ok(Raw::String(text.into_owned()));
        }
        if let Ok(dict) = value.cast::<PyDict>() {
            if depth >= self.limits.depth {
                return Ok(self.too_deep(path));
            }
            let mut entries = Vec::with_capacity(dict.len());
            for (key, item) in dict.iter() {
                let Ok(key) = key.cast::<PyString>() else {
                    self.problems.push(Diagnostic::error(
                        path.clone(),
                        format!(
                            "a key must be a string, found {} `{}`",
                            type_name(&key),
                            excerpt(&key)
                        ),
                    ));
                    continue;
                };
                let key = key.to_cow()?.into_owned();
                let before = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&key);
                let raw = self.value(&item, path, depth + 1)?;
                path.truncate(before);
                entries.push((key, raw));
            }
            return Ok(Raw::Map(entries));
        }
        if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
            if depth >= self.limits.depth {
                return Ok(self.too_deep(path));
            }
            let mut items = Vec::new();
            for (i, item) in value.try_iter()?.enumerate() {
                let before = path.len();
                path.push_str(&format!("[{i}]"));
                items.push(self.value(&item?, path, depth + 1)?);
                path.truncate(before);
            }
            return Ok(Raw::List(items));
        }
        if let Ok(f) = value.cast::<PyFloat>() {
            return Ok(Raw::Number(f.value()));
        }
        // Python and NumPy integers and floats: anything that converts to a float and
        // is not a container (a NumPy boolean is a boolean).
        if type_name(value) == "bool_" {
            return Ok(Raw::Bool(value.is_truthy()?));
        }
        match value.extract::<f64>() {
            Ok(number) => Ok(Raw::Number(number)),
            Err(_) => {
                self.problems.push(Diagnostic::error(
                    path.clone(),
                    format!(
                        "expected null, a boolean, a number, a string, a list or a dict, found {} `{}`",
                        type_name(value),
                        excerpt(value)
                    ),
                ));
                Ok(Raw::Null)
            }
        }
    }

    fn too_deep(&mut self, path: &str) -> Raw {
        self.problems.push(
            Diagnostic::error(
                path,
                format!(
                    "nested more than {} levels deep, over the limit",
                    self.limits.depth
                ),
            )
            .with_hint("a network document nests 6 levels deep"),
        );
        Raw::Null
    }
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// A value's `repr`, escaped and cut for an error message.
fn excerpt(value: &Bound<'_, PyAny>) -> String {
    let text = value
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "?".to_owned());
    lifeline_text::excerpt_to(&text, 40).into_owned()
}

/// A `Raw` tree as Python objects (dicts keep the document's key order), for pickling a
/// network built from a dict.
pub(crate) fn from_raw<'py>(py: Python<'py>, raw: &Raw) -> PyResult<Bound<'py, PyAny>> {
    Ok(match raw {
        Raw::Null => py.None().into_bound(py),
        Raw::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Raw::Number(n) => PyFloat::new(py, *n).into_any(),
        Raw::String(s) => PyString::new(py, s).into_any(),
        Raw::List(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(from_raw(py, item)?)?;
            }
            list.into_any()
        }
        Raw::Map(entries) => {
            let dict = PyDict::new(py);
            for (key, value) in entries {
                dict.set_item(key, from_raw(py, value)?)?;
            }
            dict.into_any()
        }
    })
}

/// A JSON document as Python objects, through `json.loads` of its compact text: exactly
/// what `json.loads` gives for the command line's output of the same document (the same
/// serializer writes both; only the whitespace differs).
pub(crate) fn to_python<'py>(
    py: Python<'py>,
    document: &impl serde::Serialize,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(document).map_err(crate::errors::runtime_error)?;
    py.import("json")?.getattr("loads")?.call1((text,))
}
