//! Typed errors of lifeline-trace: reading, hashing, the repository.

use thiserror::Error;

pub use crate::read::limits::TextPosition;

/// Where a limit was reached: the event and the text position, as far as they are known.
fn limit_place(at: Option<&TextPosition>, event: Option<usize>) -> String {
    match (event, at) {
        (Some(event), Some(at)) => format!("event {event}, {at}"),
        (None, Some(at)) => at.to_string(),
        (Some(event), None) => format!("event {event}"),
        (None, None) => "document".to_owned(),
    }
}

/// Where in a document a problem is: the event's position, its declared eventID and the field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// 0-based position of the event in the document's event list.
    pub index: Option<usize>,
    /// The event's declared `eventID`, when it has one.
    pub event_id: Option<String>,
    /// The field, as a path such as `epcList[2]` or `readPoint.id`.
    pub field: Option<String>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if let Some(index) = self.index {
            parts.push(format!("event {index}"));
        }
        if let Some(id) = &self.event_id {
            parts.push(format!("eventID `{id}`"));
        }
        if let Some(field) = &self.field {
            parts.push(format!("field `{field}`"));
        }
        if parts.is_empty() {
            write!(f, "document")
        } else {
            write!(f, "{}", parts.join(", "))
        }
    }
}

/// One problem in a document: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Event and field.
    pub location: Location,
    /// What is wrong, values in backticks.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Everything that can go wrong in lifeline-trace.
#[derive(Debug, Error)]
pub enum TraceError {
    /// The bytes are not well-formed JSON.
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the JSON parser said.
        message: String,
    },
    /// The bytes are not well-formed XML 1.0 in UTF-8.
    #[error("not valid XML at {at}: {message}")]
    Xml {
        /// Line, column and byte of the problem.
        at: TextPosition,
        /// What the XML parser said, values excerpted.
        message: String,
    },
    /// The document goes past one of the readers' limits ([`crate::read::ReadLimits`]).
    #[error("{}: {what} is over the limit of {limit} (`ReadLimits::{setting}`)", limit_place(at.as_ref(), *event))]
    Limit {
        /// Line, column and byte, where the reader knows them (XML).
        at: Option<TextPosition>,
        /// The 0-based position of the event, where the reader knows it.
        event: Option<usize>,
        /// What is too large or too deep.
        what: String,
        /// The limit.
        limit: u64,
        /// The setting of `ReadLimits` that holds it.
        setting: &'static str,
    },
    /// Well-formed, but not an EPCIS document or event as the standard defines it.
    #[error("{location}: {message}")]
    Invalid {
        /// Event and field.
        location: Location,
        /// What is wrong, values in backticks.
        message: String,
    },
    /// The document was read, but some events break the standard: the first problems, in
    /// order (at most [`crate::read::ReadLimits::max_problems`]), and how many more there were.
    #[error("{} problem(s) in the document:\n{}{}", problems.len() + omitted, problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"), if *omitted > 0 { format!("\n  … and {omitted} more problem(s) not shown") } else { String::new() })]
    Rejected {
        /// The first problems found.
        problems: Vec<Problem>,
        /// How many problems were found beyond `problems`.
        omitted: usize,
    },
    /// Neither JSON nor XML.
    #[error("cannot tell the format: the document starts with neither `{{` nor `<`")]
    UnknownFormat,
    /// An identifier that looks like a GS1 key but is malformed.
    #[error("{location}: malformed GS1 identifier `{value}`: {message}")]
    Identifier {
        /// Event and field.
        location: Location,
        /// The value.
        value: String,
        /// Why.
        message: String,
    },
    /// Reading the input failed.
    #[error("read error: {0}")]
    Io(#[from] std::io::Error),
    /// The SQLite repository failed.
    #[error("event repository: {0}")]
    Database(#[from] rusqlite::Error),
    /// No repository file at the path a read was asked of (reads never create one).
    #[error("no repository at `{path}`: ingest EPCIS documents into it first")]
    NoRepository {
        /// The path given.
        path: String,
    },
    /// A repository path that is neither a regular file nor a place to create one (a
    /// device, a folder, a FIFO, a dangling link): SQLite would write beside or through it.
    #[error(
        "the repository path `{path}` {reason}: give a regular file, or a new path in an existing folder"
    )]
    RepositoryPath {
        /// The path given.
        path: String,
        /// What it is instead, such as `is a character device`.
        reason: String,
    },
    /// The repository was written by a lifeline with another table layout.
    #[error(
        "the repository `{path}` has layout {found}, this lifeline reads layout {expected}: ingest its files into a new repository"
    )]
    LayoutMismatch {
        /// The repository.
        path: String,
        /// Its layout (`PRAGMA user_version`).
        found: i64,
        /// The layout this build reads and writes.
        expected: i64,
    },
    /// A stored row that cannot be read back (the file was changed outside lifeline).
    #[error("corrupt repository: {what}: {message}")]
    Corrupt {
        /// What was being read, such as `facts` or `event body`.
        what: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The writing thread of an ingest ended without reporting an error: it panicked, or
    /// stopped taking rows.
    #[error("the repository writer {0}")]
    WriterFailed(&'static str),
    /// An event could not be serialised for storage.
    #[error("storing {what}: {message}")]
    Serialise {
        /// What was being serialised, such as `facts`.
        what: &'static str,
        /// What the serialiser said.
        message: String,
    },
    /// The EPCIS JSON Schema embedded in the binary does not compile (a build defect).
    #[error("the embedded EPCIS JSON Schema: {0}")]
    EmbeddedSchema(String),
    /// A callback asked to stop (its own error is carried as text).
    #[error("{0}")]
    Stopped(String),
}

impl TraceError {
    /// An `Invalid` error at `location`.
    pub fn invalid(location: Location, message: impl Into<String>) -> Self {
        TraceError::Invalid {
            location,
            message: message.into(),
        }
    }
}
