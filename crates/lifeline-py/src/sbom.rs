//! `lifeline.sbom.scan`: SBOMs matched against OSV advisories, CISA KEV and VEX, as the
//! document `lifeline sbom scan --format json` writes.

use std::path::{Path, PathBuf};

use lifeline_network::Diagnostic;
use lifeline_vuln::kev::KevCatalogue;
use lifeline_vuln::osv::AdvisoryIndex;
use lifeline_vuln::scan::{LoadedSources, ScanReport, scan, scan_document};
use lifeline_vuln::vex::read_vex;
use lifeline_vuln::{Loaded, OsvSourceError, SbomError, read_sbom};
use pyo3::exceptions::{PyFileNotFoundError, PyOSError};
use pyo3::prelude::*;

use crate::errors::{Problem, validation_error};

/// Why a scan could not run, turned into a Python exception with the GIL held.
enum Failure {
    Io {
        path: String,
        error: std::io::Error,
    },
    Invalid {
        summary: String,
        problems: Vec<Problem>,
    },
}

impl Failure {
    fn io(path: &Path, error: std::io::Error) -> Failure {
        Failure::Io {
            path: path.display().to_string(),
            error,
        }
    }

    fn one(path: &Path, message: String) -> Failure {
        let file = path.display().to_string();
        Failure::Invalid {
            summary: format!("`{}` cannot be read:", lifeline_text::escaped(&file)),
            problems: vec![Problem::new(Some(&file), Diagnostic::error("", message))],
        }
    }

    fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Io { path, error } => {
                let message = format!("cannot read `{}`: {error}", lifeline_text::escaped(&path));
                if error.kind() == std::io::ErrorKind::NotFound {
                    PyFileNotFoundError::new_err(message)
                } else {
                    PyOSError::new_err(message)
                }
            }
            Failure::Invalid { summary, problems } => validation_error(py, &summary, &problems),
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::io(path, e))
}

fn load_sources(
    osv: &[PathBuf],
    kev: Option<&Path>,
    vex: &[PathBuf],
) -> Result<LoadedSources, Failure> {
    let mut index = AdvisoryIndex::new();
    for path in osv {
        index.add_path(path).map_err(|error| match error {
            OsvSourceError::Io { path, source } => Failure::io(&path, source),
            OsvSourceError::Advisory { path, source } => Failure::one(&path, source.to_string()),
        })?;
    }
    let kev = match kev {
        Some(path) => {
            Some(KevCatalogue::parse(&read(path)?).map_err(|e| Failure::one(path, e.to_string()))?)
        }
        None => None,
    };
    let mut statements = Vec::new();
    for path in vex {
        statements.extend(read_vex(&read(path)?).map_err(|e| Failure::one(path, e.to_string()))?);
    }
    Ok(LoadedSources {
        index,
        kev,
        vex: statements,
    })
}

/// Reads every SBOM; the problems of every invalid one are reported together.
fn load_sboms(paths: &[PathBuf]) -> Result<Vec<(String, Loaded)>, Failure> {
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let file = path.display().to_string();
        match read_sbom(&read(path)?) {
            Ok(sbom) => loaded.push((file, sbom)),
            Err(SbomError::Invalid { diagnostics, .. }) => problems.extend(
                diagnostics
                    .0
                    .into_iter()
                    .map(|d| Problem::new(Some(&file), d)),
            ),
            Err(other) => problems.push(Problem::new(
                Some(&file),
                Diagnostic::error("", other.to_string()),
            )),
        }
    }
    if problems.is_empty() {
        Ok(loaded)
    } else {
        Err(Failure::Invalid {
            summary: format!("invalid SBOM(s) ({} problem(s)):", problems.len()),
            problems,
        })
    }
}

/// Matches the components of SBOMs (CycloneDX 1.2–1.7 JSON/XML, SPDX 2.3 JSON) against
/// OSV advisories (`osv`: records, folders of them, or ecosystem zips), the CISA KEV
/// catalogue (`kev`) and CycloneDX VEX documents (`vex`), and returns the dict `lifeline
/// sbom scan BOMS --osv ... --format json` writes. Invalid SBOMs raise `ValidationError`
/// with every problem of each.
#[pyfunction]
#[pyo3(signature = (boms, *, osv, kev = None, vex = Vec::new()))]
pub(crate) fn sbom_scan<'py>(
    py: Python<'py>,
    boms: Vec<PathBuf>,
    osv: Vec<PathBuf>,
    kev: Option<PathBuf>,
    vex: Vec<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let document = py.detach(|| -> Result<serde_json::Value, Failure> {
        let sboms = load_sboms(&boms)?;
        let sources = load_sources(&osv, kev.as_deref(), &vex)?;
        let reports: Vec<ScanReport> = sboms
            .iter()
            .map(|(file, loaded)| scan(&loaded.sbom, file, sources.sources()))
            .collect();
        serde_json::to_value(scan_document(sources.sources(), &reports)).map_err(|e| {
            Failure::Invalid {
                summary: "the scan cannot be written as JSON".to_owned(),
                problems: vec![Problem::new(None, Diagnostic::error("", e.to_string()))],
            }
        })
    });
    match document {
        Ok(document) => crate::convert::to_python(py, &document),
        Err(failure) => Err(failure.into_py(py)),
    }
}
