//! `lifeline.trace`: CBV 2.0 Event Hash IDs of EPCIS events and the chain-of-custody
//! check, as `lifeline trace hash` and `lifeline trace check --format json` give them.

use std::io::Read;
use std::ops::ControlFlow;
use std::path::PathBuf;

use lifeline_network::Diagnostic;
use lifeline_trace::TraceError;
use lifeline_trace::hash::{HashConfig, hash_of_prehash, prehash};
use lifeline_trace::link::link_finding;
use lifeline_trace::repository::Repository;
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes};

use crate::errors::{Problem, runtime_error, validation_error};
use crate::network::Network;

/// An EPCIS document given as bytes (its content) or as a path.
enum Document {
    Bytes(Vec<u8>),
    Path(PathBuf),
}

impl Document {
    fn from_python(value: &Bound<'_, PyAny>, position: usize) -> PyResult<(Document, String)> {
        if value.is_instance_of::<PyBytes>() || value.is_instance_of::<PyByteArray>() {
            return Ok((
                Document::Bytes(value.extract()?),
                format!("documents[{position}]"),
            ));
        }
        match value.extract::<PathBuf>() {
            Ok(path) => {
                let name = path.display().to_string();
                Ok((Document::Path(path), name))
            }
            Err(_) => Err(PyTypeError::new_err(format!(
                "an EPCIS document is bytes (its content) or a path (str or os.PathLike), found {}",
                value.get_type().name()?
            ))),
        }
    }

    fn open(&self, name: &str) -> PyResult<Box<dyn Read + Send + '_>> {
        match self {
            Document::Bytes(bytes) => Ok(Box::new(bytes.as_slice())),
            Document::Path(path) => match std::fs::File::open(path) {
                Ok(file) => Ok(Box::new(file)),
                Err(error) => {
                    let message =
                        format!("cannot read `{}`: {error}", lifeline_text::escaped(name));
                    Err(if error.kind() == std::io::ErrorKind::NotFound {
                        PyFileNotFoundError::new_err(message)
                    } else {
                        PyOSError::new_err(message)
                    })
                }
            },
        }
    }
}

/// A document error as `ValidationError`: each problem of a rejected document, or the one
/// error, naming the document.
fn document_error(py: Python<'_>, name: &str, error: TraceError) -> PyErr {
    let problems: Vec<Problem> = match &error {
        TraceError::Rejected { problems, omitted } => {
            let mut list: Vec<Problem> = problems
                .iter()
                .map(|p| {
                    Problem::new(
                        Some(name),
                        Diagnostic::error(p.location.to_string(), p.message.clone()),
                    )
                })
                .collect();
            if *omitted > 0 {
                list.push(Problem::new(
                    Some(name),
                    Diagnostic::error("", format!("… and {omitted} more problem(s) not shown")),
                ));
            }
            list
        }
        other => vec![Problem::new(
            Some(name),
            Diagnostic::error("", other.to_string()),
        )],
    };
    validation_error(
        py,
        &format!(
            "`{}` is not a valid EPCIS document:",
            lifeline_text::escaped(name)
        ),
        &problems,
    )
}

/// The CBV 2.0 Event Hash ID of every event of an EPCIS 2.0 JSON-LD or XML, or EPCIS 1.2
/// XML document, in document order (`lifeline trace hash FILE`); with `prehash=True`, the
/// canonical pre-hash strings instead.
#[pyfunction]
#[pyo3(signature = (document, *, prehash = false))]
pub(crate) fn trace_hash_events(
    py: Python<'_>,
    document: &Bound<'_, PyAny>,
    prehash: bool,
) -> PyResult<Vec<String>> {
    let (document, name) = Document::from_python(document, 0)?;
    let reader = document.open(&name)?;
    let want_prehash = prehash;
    let result = py.detach(move || {
        let mut lines = Vec::new();
        let config = HashConfig::default();
        lifeline_trace::visit_events(reader, &mut |header, event| {
            let pre = self::prehash(&event, header, config);
            lines.push(if want_prehash {
                pre
            } else {
                hash_of_prehash(&pre)
            });
            Ok(())
        })
        .map(|_| lines)
    });
    result.map_err(|e| document_error(py, &name, e))
}

/// Chain-of-custody findings over EPCIS documents (read into an in-memory repository), or
/// over the repository file `db` when no document is given, as the list `lifeline trace
/// check [FILES] --format json` writes; with `network`, each finding also names the
/// network item and entities behind it.
#[pyfunction]
#[pyo3(signature = (documents, *, db = None, network = None))]
pub(crate) fn trace_check<'py>(
    py: Python<'py>,
    documents: Vec<Bound<'py, PyAny>>,
    db: Option<PathBuf>,
    network: Option<&Bound<'py, Network>>,
) -> PyResult<Bound<'py, PyAny>> {
    let documents: Vec<(Document, String)> = documents
        .iter()
        .enumerate()
        .map(|(i, d)| Document::from_python(d, i))
        .collect::<PyResult<_>>()?;
    if documents.is_empty() && db.is_none() {
        return Err(PyTypeError::new_err(
            "give EPCIS documents to check, or db= a repository file",
        ));
    }
    let network = network.map(|n| n.get().validated().clone());
    let mut readers = Vec::with_capacity(documents.len());
    for (document, name) in &documents {
        readers.push((document.open(name)?, name.clone()));
    }
    enum Failure {
        Document(String, Box<TraceError>),
        Other(String),
    }
    let findings = py.detach(move || -> Result<Vec<serde_json::Value>, Failure> {
        let repository = match &db {
            Some(path) if readers.is_empty() => Repository::open_read_only(path).map_err(|e| {
                Failure::Other(format!(
                    "cannot open the repository `{}`: {e}",
                    lifeline_text::escaped(&path.display().to_string())
                ))
            })?,
            _ => {
                let mut memory =
                    Repository::in_memory().map_err(|e| Failure::Other(e.to_string()))?;
                for (reader, name) in readers {
                    memory
                        .ingest(reader, &name)
                        .map_err(|e| Failure::Document(name.clone(), Box::new(e)))?;
                }
                memory
            }
        };
        let mut findings = Vec::new();
        let mut failed: Option<Failure> = None;
        repository
            .check_each(&mut |finding| {
                let linked = link_finding(&finding, &repository, network.as_deref())
                    .map_err(|e| Failure::Other(e.to_string()))
                    .and_then(|linked| {
                        serde_json::to_value(&linked).map_err(|e| Failure::Other(e.to_string()))
                    });
                match linked {
                    Ok(value) => {
                        findings.push(value);
                        ControlFlow::Continue(())
                    }
                    Err(error) => {
                        failed = Some(error);
                        ControlFlow::Break(())
                    }
                }
            })
            .map_err(|e| Failure::Other(e.to_string()))?;
        match failed {
            Some(failure) => Err(failure),
            None => Ok(findings),
        }
    });
    match findings {
        Ok(findings) => crate::convert::to_python(py, &findings),
        Err(Failure::Document(name, error)) => Err(document_error(py, &name, *error)),
        Err(Failure::Other(message)) => Err(runtime_error(message)),
    }
}
