//! Reading EPCIS documents: format detection and the streaming readers.

pub mod json;
pub mod limits;
pub mod xml;

use std::io::{BufRead, BufReader, Read};

use crate::TraceError;
use crate::model::{DocumentHeader, Event};

pub use json::EventSink;
pub use limits::{MAX_DEPTH, ReadLimits, TextPosition};

use limits::{Budget, Counted};

/// The syntax of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// EPCIS 2.0 JSON / JSON-LD.
    Json,
    /// EPCIS 2.0 or 1.2 XML.
    Xml,
}

/// Reads a document of either syntax, detected from its first non-blank byte, calling
/// `sink` once per event in document order, with the default [`ReadLimits`]. Returns the
/// header and the number of events.
pub fn visit_events<R: Read>(
    reader: R,
    sink: &mut EventSink<'_>,
) -> Result<(DocumentHeader, usize), TraceError> {
    visit_events_with(reader, &ReadLimits::default(), sink)
}

/// As [`visit_events`], within `limits`.
pub fn visit_events_with<R: Read>(
    reader: R,
    limits: &ReadLimits,
    sink: &mut EventSink<'_>,
) -> Result<(DocumentHeader, usize), TraceError> {
    let budget = Budget::new(limits);
    let mut reader = BufReader::with_capacity(
        1 << 16,
        Counted {
            inner: reader,
            budget: &budget,
        },
    );
    let format = detect_within(&mut reader, limits, &budget)?;
    match format {
        Format::Json => json::read_counted(reader, limits, &budget, sink, None),
        Format::Xml => xml::read_counted(reader, limits, &budget, sink),
    }
}

/// [`detect`], naming the limit when the budget ran out (a document smaller than the first
/// read may already be over `max_document_bytes`).
pub(crate) fn detect_within<R: BufRead>(
    reader: &mut R,
    limits: &ReadLimits,
    budget: &Budget,
) -> Result<Format, TraceError> {
    detect(reader).map_err(|error| match budget.exceeded() {
        Some(exceeded) => limits::budget_error(exceeded, limits, None, None),
        None => error,
    })
}

/// Looks at the first non-blank byte (after a UTF-8 byte order mark) without consuming it.
pub fn detect<R: BufRead>(reader: &mut R) -> Result<Format, TraceError> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Err(TraceError::UnknownFormat);
        }
        let skip = if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            buf.iter().take_while(|b| b.is_ascii_whitespace()).count()
        };
        if skip == 0 {
            return match buf[0] {
                b'{' => Ok(Format::Json),
                b'<' => Ok(Format::Xml),
                _ => Err(TraceError::UnknownFormat),
            };
        }
        reader.consume(skip);
    }
}

/// Reads every event of a document into memory (for small documents and tests).
pub fn read_all(bytes: &[u8]) -> Result<(DocumentHeader, Vec<Event>), TraceError> {
    read_all_with(bytes, &ReadLimits::default())
}

/// As [`read_all`], within `limits`.
pub fn read_all_with(
    bytes: &[u8],
    limits: &ReadLimits,
) -> Result<(DocumentHeader, Vec<Event>), TraceError> {
    let mut events = Vec::new();
    let (header, _) = visit_events_with(bytes, limits, &mut |_, event| {
        events.push(event);
        Ok(())
    })?;
    Ok((header, events))
}
