//! The typed errors of this crate.

use std::fmt;

/// One problem of a CAP document, at the element it is about:
/// `alert/info[1]/urgency: ...`. Repeatable elements carry their 1-based position among
/// same-named siblings, the others none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapError {
    /// The element path, root first (`alert/info[2]/area[1]/polygon[1]`); empty when the
    /// problem is before the root element.
    pub path: String,
    /// 1-based line of the element, when known.
    pub line: Option<u32>,
    /// What is wrong, values from the document excerpted and escaped.
    pub message: String,
}

impl fmt::Display for CapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        Ok(())
    }
}

/// Every problem found in a CAP document (at most [`crate::MAX_ERRORS`] kept; `omitted`
/// counts the rest). Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CapErrors {
    pub errors: Vec<CapError>,
    pub omitted: usize,
}

impl CapErrors {
    /// One error.
    pub fn one(path: impl Into<String>, line: Option<u32>, message: impl Into<String>) -> Self {
        CapErrors {
            errors: vec![CapError {
                path: path.into(),
                line,
                message: message.into(),
            }],
            omitted: 0,
        }
    }
}

impl fmt::Display for CapErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (at, error) in self.errors.iter().enumerate() {
            if at > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        if self.omitted > 0 {
            write!(f, "\n... and {} more", self.omitted)?;
        }
        Ok(())
    }
}

/// Why a lifeline alert could not be mapped to CAP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// CAP 1.2 (section 3.2.1) forbids spaces, commas, `<` and `&` in `identifier` and
    /// `sender`; the lifeline value that would become one holds such a character.
    #[error(
        "alert `{alert}`: {field} `{value}` cannot be the CAP `{element}`: it holds a space, comma, `<` or `&` (CAP 1.2 section 3.2.1)"
    )]
    Identifier {
        /// The lifeline alert's id (excerpted and escaped).
        alert: String,
        /// The lifeline field (`id`, `issuer`, `recipient`, `sender`).
        field: &'static str,
        /// Its value (excerpted and escaped).
        value: String,
        /// The CAP element it was to become.
        element: &'static str,
    },
}
