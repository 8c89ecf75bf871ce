//! The error type of version parsing. Messages show the rejected text through
//! `lifeline_text::Excerpt`: escaped and cut, since versions come from partners' files.

use lifeline_text::Excerpt;

use crate::Ecosystem;

/// A version string that the ecosystem's grammar rejects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The text is empty or only white space.
    #[error("{ecosystem} version `{}` is empty", Excerpt(text))]
    Empty {
        /// The ecosystem whose grammar was applied.
        ecosystem: Ecosystem,
        /// The text as given.
        text: String,
    },
    /// The text does not follow the ecosystem's version grammar.
    #[error("{ecosystem} version `{}` is not valid: {reason}", Excerpt(text))]
    Invalid {
        /// The ecosystem whose grammar was applied.
        ecosystem: Ecosystem,
        /// The text as given.
        text: String,
        /// What is wrong, in words (input in it already escaped).
        reason: String,
    },
    /// The text is longer than [`MAX_VERSION_LEN`](crate::MAX_VERSION_LEN) bytes.
    /// Only its start is kept: a hostile advisory may carry megabytes.
    #[error(
        "{ecosystem} version `{}` is longer than {limit} bytes ({length} bytes); no real version is",
        Excerpt(start)
    )]
    TooLong {
        /// The ecosystem whose grammar was to be applied.
        ecosystem: Ecosystem,
        /// The text's first characters.
        start: String,
        /// The text's length in bytes.
        length: usize,
        /// The limit, [`MAX_VERSION_LEN`](crate::MAX_VERSION_LEN).
        limit: usize,
    },
}

impl VersionError {
    /// The ecosystem whose grammar rejected the text.
    pub fn ecosystem(&self) -> Ecosystem {
        match self {
            VersionError::Empty { ecosystem, .. }
            | VersionError::Invalid { ecosystem, .. }
            | VersionError::TooLong { ecosystem, .. } => *ecosystem,
        }
    }

    /// The rejected text (for [`VersionError::TooLong`], its start only).
    pub fn text(&self) -> &str {
        match self {
            VersionError::Empty { text, .. } | VersionError::Invalid { text, .. } => text,
            VersionError::TooLong { start, .. } => start,
        }
    }
}
