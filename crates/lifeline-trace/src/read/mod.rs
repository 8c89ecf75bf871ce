//! Reading EPCIS documents: format detection and the streaming readers.

pub mod json;
pub mod xml;

use std::io::{BufRead, BufReader, Read};

use crate::TraceError;
use crate::model::{DocumentHeader, Event};

pub use json::EventSink;

/// The syntax of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// EPCIS 2.0 JSON / JSON-LD.
    Json,
    /// EPCIS 2.0 or 1.2 XML.
    Xml,
}

/// Reads a document of either syntax, detected from its first non-blank byte, calling
/// `sink` once per event in document order. Returns the header and the number of events.
pub fn visit_events<R: Read>(
    reader: R,
    sink: &mut EventSink<'_>,
) -> Result<(DocumentHeader, usize), TraceError> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let format = detect(&mut reader)?;
    match format {
        Format::Json => json::read(reader, sink),
        Format::Xml => xml::read(reader, sink),
    }
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
    let mut events = Vec::new();
    let (header, _) = visit_events(bytes, &mut |_, event| {
        events.push(event);
        Ok(())
    })?;
    Ok((header, events))
}
