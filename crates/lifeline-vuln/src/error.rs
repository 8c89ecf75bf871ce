//! Diagnostics (problems found in a document, located by a path such as
//! `components[3].hashes[0].alg`) and the typed errors of every reader in this crate.

/// Problems in a document, located by a path such as `components[3].hashes[0].alg`: the
/// network model's diagnostic types, so every front end prints SBOM and network problems
/// alike.
pub use lifeline_network::{Diagnostic, Diagnostics, Severity};

/// `diagnostics` back as warnings when none is an error; else the whole document is
/// rejected as an invalid `kind` (`CycloneDX 1.6 JSON`, ...), nothing of it kept.
pub(crate) fn reject_errors(
    kind: &str,
    diagnostics: Vec<Diagnostic>,
) -> Result<Vec<Diagnostic>, SbomError> {
    let diagnostics = crate::limits::cap_problems(diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        Err(SbomError::Invalid {
            kind: kind.to_owned(),
            diagnostics: Diagnostics(diagnostics),
        })
    } else {
        Ok(diagnostics)
    }
}

/// Why an SBOM or VEX document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// Not JSON or XML, or JSON/XML that does not parse.
    #[error("not well-formed {format}: {message}")]
    Syntax {
        /// `JSON` or `XML`.
        format: &'static str,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The file is larger than the limit (`ReadLimits::max_file_bytes`).
    #[error("{bytes} bytes, more than the limit of {limit} bytes per file")]
    TooLarge {
        /// The file's size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The document nests deeper than the limit (`ReadLimits::max_depth`).
    #[error("nested {depth} levels deep, more than the limit of {limit}")]
    TooDeep {
        /// How deep it nests (at least; counting may stop at the limit).
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// Well-formed, but neither CycloneDX nor SPDX.
    #[error("unknown document kind: {0}")]
    UnknownKind(String),
    /// A CycloneDX or SPDX document that breaks its schema; nothing of it is kept.
    #[error("invalid {kind} document: {} error(s)\n{diagnostics}", diagnostics.error_count())]
    Invalid {
        /// `CycloneDX 1.6 JSON`, `SPDX 2.3 JSON`, ...
        kind: String,
        /// Every problem, errors and warnings.
        diagnostics: Diagnostics,
    },
}

/// Why an OSV source on disk (a record, an ecosystem's zip, or a folder of both) could not
/// be added: the file could not be read, or its content is not a valid record or export.
#[derive(Debug, thiserror::Error)]
pub enum OsvSourceError {
    /// A file or folder that cannot be read.
    #[error("cannot read `{}`: {source}", lifeline_text::Escaped(&path.display().to_string()))]
    Io {
        /// The file or folder.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file that was read but holds no valid OSV record or export.
    #[error("{source}")]
    Advisory {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong in it (names the file, and the field where there is one).
        source: AdvisoryError,
    },
}

/// Why an advisory source (OSV record, OSV folder or zip, KEV catalogue) could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AdvisoryError {
    /// An OSV record that does not parse or breaks the OSV schema.
    #[error(
        "OSV record `{}`: {path}: {message}",
        lifeline_text::Escaped(source_name)
    )]
    Osv {
        /// The file or zip entry name.
        source_name: String,
        /// The field, as `affected[0].ranges[1].type`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The KEV catalogue does not parse or breaks its schema.
    #[error("KEV catalogue: {path}: {message}")]
    Kev {
        /// The field, as `vulnerabilities[12].dueDate`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An OSV zip export that cannot be opened or read.
    #[error("OSV zip `{}`: {message}", lifeline_text::Escaped(source_name))]
    Zip {
        /// The zip's name or entry.
        source_name: String,
        /// What failed.
        message: String,
    },
}

/// Why a FHIR device inventory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// Not JSON or XML, or JSON/XML that does not parse.
    #[error("not well-formed {format}: {message}")]
    Syntax {
        /// `JSON` or `XML`.
        format: &'static str,
        /// The parser's message.
        message: String,
    },
    /// The file is larger than the limit (`ReadLimits::max_file_bytes`).
    #[error("{bytes} bytes, more than the limit of {limit} bytes per file")]
    TooLarge {
        /// The file's size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The document nests deeper than the limit (`ReadLimits::max_depth`).
    #[error("nested {depth} levels deep, more than the limit of {limit}")]
    TooDeep {
        /// How deep it nests (at least; counting may stop at the limit).
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// A resource that breaks the FHIR R5 rules this reader checks.
    #[error("invalid FHIR device inventory: {} error(s)\n{diagnostics}", diagnostics.error_count())]
    Invalid {
        /// Every problem.
        diagnostics: Diagnostics,
    },
}

/// Turns a JSON pointer (`/components/3/hashes/0/alg`) into the path style of the
/// diagnostics (`components[3].hashes[0].alg`).
pub fn pointer_to_path(pointer: &str) -> String {
    let mut path = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            path.push('[');
            path.push_str(&segment);
            path.push(']');
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&segment);
        }
    }
    path
}

impl From<crate::limits::FileProblem> for SbomError {
    fn from(problem: crate::limits::FileProblem) -> Self {
        match problem {
            crate::limits::FileProblem::TooLarge { bytes, limit } => {
                SbomError::TooLarge { bytes, limit }
            }
            crate::limits::FileProblem::NotUtf8(message) => SbomError::Syntax {
                format: "UTF-8",
                message,
            },
        }
    }
}

impl From<crate::limits::FileProblem> for DeviceError {
    fn from(problem: crate::limits::FileProblem) -> Self {
        match problem {
            crate::limits::FileProblem::TooLarge { bytes, limit } => {
                DeviceError::TooLarge { bytes, limit }
            }
            crate::limits::FileProblem::NotUtf8(message) => DeviceError::Syntax {
                format: "UTF-8",
                message,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_become_paths() {
        assert_eq!(
            pointer_to_path("/components/3/hashes/0/alg"),
            "components[3].hashes[0].alg"
        );
        assert_eq!(pointer_to_path(""), "");
        assert_eq!(pointer_to_path("/a~1b"), "a/b");
    }
}
