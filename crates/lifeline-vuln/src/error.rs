//! Diagnostics (problems found in a document, located by a path such as
//! `components[3].hashes[0].alg`) and the typed errors of every reader in this crate.

use std::fmt;

use serde::Serialize;

/// How bad a diagnostic is: errors make a document invalid, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The document is rejected.
    Error,
    /// The document is read, but something is worth a look.
    Warning,
}

/// One problem in a document, located by a path such as `components[3].hashes[0].alg`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where: `components[3].hashes[0].alg`, or empty for the whole document.
    pub path: String,
    /// What is wrong, values in backticks or quotes.
    pub message: String,
    /// An obvious fix, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at `path`.
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }
    /// A warning at `path`.
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }
    /// The same diagnostic with a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// Whether this diagnostic makes the document invalid.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.path.is_empty() {
            write!(f, "{level}: {}", self.message)?;
        } else {
            write!(f, "{level}: {}: {}", self.path, self.message)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every diagnostic of one document, printed one per line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }
    /// The number of errors.
    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
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

/// Why an advisory source (OSV record, OSV folder or zip, KEV catalogue) could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AdvisoryError {
    /// An OSV record that does not parse or breaks the OSV schema.
    #[error("OSV record `{source_name}`: {path}: {message}")]
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
    #[error("OSV zip `{source_name}`: {message}")]
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
