//! The one error type of the crate: every variant names the identifier as given and the
//! part of it that is wrong (a field of an EPC URN, an AI of an element string, a path
//! segment of a Digital Link), so a caller can show it to a person as is.

/// A GS1 identifier that claims to be one (an `urn:epc:` URN, an element string, a
/// Digital Link with a primary key) but is malformed.
///
/// `identifier` is the input as given (shortened to 200 characters), `part` names the
/// component: `company prefix`, `serial`, `AI (01)`, `path segment 3`, ...
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    /// A component has the wrong number of characters.
    #[error("`{identifier}`: {part}: length {found} where {expected} is required")]
    Length {
        /// The identifier as given (shortened to 200 characters).
        identifier: String,
        /// The part that is wrong.
        part: String,
        /// What is required.
        expected: String,
        /// What was found.
        found: usize,
    },
    /// A component holds a character outside its character set.
    #[error(
        "`{identifier}`: {part}: character `{character}` at position {position} is not allowed (allowed: {allowed})"
    )]
    Character {
        /// The identifier as given (shortened to 200 characters).
        identifier: String,
        /// The part that is wrong.
        part: String,
        /// The character.
        character: char,
        /// 1-based character position inside the component.
        position: usize,
        /// The allowed characters.
        allowed: &'static str,
    },
    /// A GS1 mod-10 check digit or mod-1021 check character pair is wrong.
    #[error("`{identifier}`: {part}: check {found} is wrong, expected `{expected}`")]
    CheckDigit {
        /// The identifier as given (shortened to 200 characters).
        identifier: String,
        /// The part that is wrong.
        part: String,
        /// What is required.
        expected: String,
        /// What was found.
        found: String,
    },
    /// An Application Identifier that this crate does not know, or that is not allowed there.
    #[error("`{identifier}`: {part}: {message}")]
    Ai {
        /// The identifier as given (shortened to 200 characters).
        identifier: String,
        /// The part that is wrong.
        part: String,
        /// What is wrong.
        message: String,
    },
    /// A date or time field that does not exist (month 13, 31 April, hour 24, ...).
    #[error("`{identifier}`: {part}: `{value}` is not a valid {what}")]
    Date {
        /// The identifier as given (shortened to 200 characters).
        identifier: String,
        /// The part that is wrong.
        part: String,
        /// The value as given.
        value: String,
        /// What the value should be.
        what: &'static str,
    },
    /// Any other structural problem, with a hint where an obvious fix exists.
    #[error("`{identifier}`: {part}: {message}{}", hint.as_ref().map(|h| format!("\nhint: {h}")).unwrap_or_default())]
    Syntax {
        /// The identifier as given (shortened to 200 characters).
        identifier: String,
        /// The part that is wrong.
        part: String,
        /// What is wrong.
        message: String,
        /// How to fix it, where obvious.
        hint: Option<String>,
    },
}

/// Shortens an identifier for an error message, so that fuzzed megabyte inputs do not make
/// megabyte messages.
pub(crate) fn shown(identifier: &str) -> String {
    const MAX: usize = 200;
    if identifier.len() <= MAX {
        return identifier.to_owned();
    }
    let mut end = MAX;
    while !identifier.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &identifier[..end])
}

impl Gs1Error {
    pub(crate) fn syntax(
        identifier: &str,
        part: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Gs1Error::Syntax {
            identifier: shown(identifier),
            part: part.into(),
            message: message.into(),
            hint: None,
        }
    }

    pub(crate) fn syntax_hint(
        identifier: &str,
        part: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Gs1Error::Syntax {
            identifier: shown(identifier),
            part: part.into(),
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    pub(crate) fn length(
        identifier: &str,
        part: impl Into<String>,
        expected: impl Into<String>,
        found: usize,
    ) -> Self {
        Gs1Error::Length {
            identifier: shown(identifier),
            part: part.into(),
            expected: expected.into(),
            found,
        }
    }

    pub(crate) fn ai(
        identifier: &str,
        part: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Gs1Error::Ai {
            identifier: shown(identifier),
            part: part.into(),
            message: message.into(),
        }
    }

    /// The identifier as given (shortened), whichever the variant.
    pub fn identifier(&self) -> &str {
        match self {
            Gs1Error::Length { identifier, .. }
            | Gs1Error::Character { identifier, .. }
            | Gs1Error::CheckDigit { identifier, .. }
            | Gs1Error::Ai { identifier, .. }
            | Gs1Error::Date { identifier, .. }
            | Gs1Error::Syntax { identifier, .. } => identifier,
        }
    }

    /// The part of the identifier that is wrong, whichever the variant.
    pub fn part(&self) -> &str {
        match self {
            Gs1Error::Length { part, .. }
            | Gs1Error::Character { part, .. }
            | Gs1Error::CheckDigit { part, .. }
            | Gs1Error::Ai { part, .. }
            | Gs1Error::Date { part, .. }
            | Gs1Error::Syntax { part, .. } => part,
        }
    }

    /// The same error, now naming `identifier` (used when a component is checked on its own
    /// and then reported against the whole identifier it came from).
    pub(crate) fn within(mut self, whole: &str) -> Self {
        let new = shown(whole);
        match &mut self {
            Gs1Error::Length { identifier, .. }
            | Gs1Error::Character { identifier, .. }
            | Gs1Error::CheckDigit { identifier, .. }
            | Gs1Error::Ai { identifier, .. }
            | Gs1Error::Date { identifier, .. }
            | Gs1Error::Syntax { identifier, .. } => *identifier = new,
        }
        self
    }

    /// The same error with its part prefixed, e.g. `AI (17)` + `date` -> `AI (17) date`.
    pub(crate) fn in_part(mut self, outer: &str) -> Self {
        match &mut self {
            Gs1Error::Length { part, .. }
            | Gs1Error::Character { part, .. }
            | Gs1Error::CheckDigit { part, .. }
            | Gs1Error::Ai { part, .. }
            | Gs1Error::Date { part, .. }
            | Gs1Error::Syntax { part, .. } => {
                *part = if part.is_empty() {
                    outer.to_owned()
                } else {
                    format!("{outer} {part}")
                }
            }
        }
        self
    }
}
