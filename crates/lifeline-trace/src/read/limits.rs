//! The limits of the EPCIS readers ([`ReadLimits`]) and the byte budget that enforces them
//! below the read buffer, so that no document (a partner's file may be hostile) can make a
//! reader recurse without bound, or hold more than a bounded amount of memory before a check
//! has a chance to see it.

use std::cell::Cell;
use std::io::Read;

/// The deepest nesting any [`ReadLimits::max_depth`] may allow. The event tree is walked
/// recursively by the hasher, the JSON-LD writer, validation and the facts, and dropped
/// recursively; 256 levels (libxml2's default) stay well inside a 2 MiB thread stack even
/// in a debug build, which the regression tests check.
pub const MAX_DEPTH: usize = 256;

/// What one document may make a reader hold. Both readers (XML and JSON-LD) use the same
/// limits; every limit that is reached stops the read with [`crate::TraceError::Limit`],
/// naming the place, the limit and the setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Deepest nesting of elements (XML, the root element being level 1) or of objects and
    /// arrays (JSON, the document object being level 1). Default 64: real events nest about
    /// 10 deep, and an event of at most 64 levels, written as JSON-LD (where a repeated
    /// element adds an array level), still reads back under serde_json's own limit of 128,
    /// which stops every JSON document. A value above [`MAX_DEPTH`] counts as [`MAX_DEPTH`].
    pub max_depth: usize,
    /// Largest single value, in bytes: an XML text node, attribute value, comment or tag, a
    /// JSON string or key. Default 1 MiB.
    pub max_value_bytes: usize,
    /// Largest event (or header master data, or JSON header member), in bytes of the
    /// document. Default 16 MiB. Memory follows the largest event, so this bounds it.
    pub max_event_bytes: u64,
    /// Most elements in one event (fields, list items, XML attributes, JSON values).
    /// Default 1,000,000: an aggregation of a million EPCs still reads.
    pub max_event_elements: usize,
    /// Largest document, in bytes. Default 64 GiB: documents stream, so this is a guard
    /// against endless input (a pipe), not a memory bound.
    pub max_document_bytes: u64,
    /// Most problems a validation keeps per document; the rest are only counted. Default 100.
    pub max_problems: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_depth: 64,
            max_value_bytes: 1 << 20,
            max_event_bytes: 16 << 20,
            max_event_elements: 1_000_000,
            max_document_bytes: 64 << 30,
            max_problems: 100,
        }
    }
}

impl ReadLimits {
    /// [`ReadLimits::max_depth`], capped at [`MAX_DEPTH`].
    pub fn depth(&self) -> usize {
        self.max_depth.min(MAX_DEPTH)
    }
}

/// A place in an XML document: 1-based line and column (in bytes) and the byte offset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextPosition {
    /// 1-based line.
    pub line: u64,
    /// 1-based column, counted in bytes from the start of the line.
    pub column: u64,
    /// 0-based byte offset from the start of the document.
    pub byte: u64,
}

impl std::fmt::Display for TextPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {} (byte {})",
            self.line, self.column, self.byte
        )
    }
}

/// Which window of the budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exceeded {
    /// The whole document.
    Document,
    /// One part: an event, header master data, a JSON header member.
    Part,
    /// One XML token (text, tag, comment).
    Value,
}

/// Bytes pulled from the input so far, and two windows (a part and a value) that may not
/// grow past their limits. The counting happens below the `BufReader`, once per 64 KiB
/// read, so it costs nothing per byte; a window is therefore enforced to within one read
/// buffer, and the exact checks of the readers give the precise errors.
#[derive(Debug)]
pub(crate) struct Budget {
    consumed: Cell<u64>,
    document_limit: u64,
    part_mark: Cell<Option<u64>>,
    part_limit: u64,
    value_mark: Cell<Option<u64>>,
    value_limit: u64,
    exceeded: Cell<Option<Exceeded>>,
}

/// Slack for the read-ahead of the buffer above the counting reader.
const SLACK: u64 = 1 << 17;

impl Budget {
    pub(crate) fn new(limits: &ReadLimits) -> Self {
        Budget {
            consumed: Cell::new(0),
            document_limit: limits.max_document_bytes,
            part_mark: Cell::new(None),
            part_limit: limits.max_event_bytes.saturating_add(SLACK),
            value_mark: Cell::new(None),
            value_limit: (limits.max_value_bytes as u64).saturating_add(SLACK),
            exceeded: Cell::new(None),
        }
    }

    /// Opens (or restarts) the part window at the current count.
    pub(crate) fn start_part(&self) {
        self.part_mark.set(Some(self.consumed.get()));
    }

    /// Closes the part window.
    pub(crate) fn end_part(&self) {
        self.part_mark.set(None);
    }

    /// Opens (or restarts) the value window at the current count.
    pub(crate) fn start_value(&self) {
        self.value_mark.set(Some(self.consumed.get()));
    }

    /// Which window ran out, if one did.
    pub(crate) fn exceeded(&self) -> Option<Exceeded> {
        self.exceeded.get()
    }

    fn add(&self, read: usize) -> Option<Exceeded> {
        let consumed = self.consumed.get().saturating_add(read as u64);
        self.consumed.set(consumed);
        let over = |mark: &Cell<Option<u64>>, limit: u64| {
            mark.get()
                .is_some_and(|mark| consumed.saturating_sub(mark) > limit)
        };
        let exceeded = if consumed > self.document_limit {
            Some(Exceeded::Document)
        } else if over(&self.part_mark, self.part_limit) {
            Some(Exceeded::Part)
        } else if over(&self.value_mark, self.value_limit) {
            Some(Exceeded::Value)
        } else {
            None
        };
        if exceeded.is_some() {
            self.exceeded.set(exceeded);
        }
        exceeded
    }
}

/// The error for a window of the budget that ran out, at `at` (XML) and in `event`.
pub(crate) fn budget_error(
    exceeded: Exceeded,
    limits: &ReadLimits,
    at: Option<TextPosition>,
    event: Option<usize>,
) -> crate::TraceError {
    let (what, limit, setting) = match exceeded {
        Exceeded::Document => (
            "the document, in bytes,",
            limits.max_document_bytes,
            "max_document_bytes",
        ),
        Exceeded::Part => (
            "an event (or header master data or member), in bytes,",
            limits.max_event_bytes,
            "max_event_bytes",
        ),
        Exceeded::Value => (
            "a value (text, attribute, comment or tag), in bytes,",
            limits.max_value_bytes as u64,
            "max_value_bytes",
        ),
    };
    crate::TraceError::Limit {
        at,
        event,
        what: what.to_owned(),
        limit,
        setting,
    }
}

/// A reader that counts into a [`Budget`] and fails once a window runs out, so that no
/// parser above it can buffer more.
pub(crate) struct Counted<'b, R> {
    pub(crate) inner: R,
    pub(crate) budget: &'b Budget,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.budget.exceeded().is_some() {
            return Err(std::io::Error::other("a reader limit was reached"));
        }
        let read = self.inner.read(buf)?;
        match self.budget.add(read) {
            Some(_) => Err(std::io::Error::other("a reader limit was reached")),
            None => Ok(read),
        }
    }
}
