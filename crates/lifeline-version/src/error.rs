//! The error type of version parsing.

use crate::Ecosystem;

/// A version string that the ecosystem's grammar rejects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The text is empty or only white space.
    #[error("{ecosystem} version `{text}` is empty")]
    Empty {
        /// The ecosystem whose grammar was applied.
        ecosystem: Ecosystem,
        /// The text as given.
        text: String,
    },
    /// The text does not follow the ecosystem's version grammar.
    #[error("{ecosystem} version `{text}` is not valid: {reason}")]
    Invalid {
        /// The ecosystem whose grammar was applied.
        ecosystem: Ecosystem,
        /// The text as given.
        text: String,
        /// What is wrong, in words.
        reason: String,
    },
}

impl VersionError {
    /// The ecosystem whose grammar rejected the text.
    pub fn ecosystem(&self) -> Ecosystem {
        match self {
            VersionError::Empty { ecosystem, .. } | VersionError::Invalid { ecosystem, .. } => {
                *ecosystem
            }
        }
    }

    /// The rejected text.
    pub fn text(&self) -> &str {
        match self {
            VersionError::Empty { text, .. } | VersionError::Invalid { text, .. } => text,
        }
    }
}
