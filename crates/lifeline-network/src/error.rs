//! Diagnostics (problems found in a document) and the errors of loading one.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::limits::SHOWN_DIAGNOSTICS;

/// How bad a diagnostic is: errors make a document invalid, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in a document, located by a path such as `edges[17].to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Where: `nodes[3].capacity`, `edges[17].to`, or empty for the whole document.
    pub path: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
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

/// Every diagnostic of a document, printed one per line (a network that did not validate
/// has at least one error). lifeline-vuln reports SBOM problems with the same types.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }
    pub fn error_count(&self) -> usize {
        self.errors().count()
    }
}

/// The first [`SHOWN_DIAGNOSTICS`] diagnostics, one per line, then how many more there are.
impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().take(SHOWN_DIAGNOSTICS).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        let rest = self.0.len().saturating_sub(SHOWN_DIAGNOSTICS);
        if rest > 0 {
            let errors = self
                .0
                .iter()
                .skip(SHOWN_DIAGNOSTICS)
                .filter(|d| d.is_error())
                .count();
            write!(
                f,
                "\n… and {rest} more ({errors} error(s), {} warning(s))",
                rest - errors
            )?;
        }
        Ok(())
    }
}

/// Why a network could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{}` is not valid {format}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        format: &'static str,
        message: String,
    },
    /// A [`crate::ReadLimits`] limit stopped the reading.
    #[error("`{}`: {}{message}\n  hint: a document this large or deep is refused, to keep a hostile file from exhausting the machine", path.display(), if field.is_empty() { String::new() } else { format!("{field}: ") })]
    Limit {
        path: PathBuf,
        /// Where in the document (`nodes[3].name`), or empty.
        field: String,
        message: String,
    },
    #[error("`{}`: cannot tell the format from the file name\n  hint: use a `.json`, `.yaml` or `.yml` file, or a folder of CSV tables", path.display())]
    UnknownFormat { path: PathBuf },
    #[error("`{}` is not a valid network ({} error(s)):\n{diagnostics}", path.display(), diagnostics.error_count())]
    Invalid {
        path: PathBuf,
        diagnostics: Diagnostics,
    },
}
