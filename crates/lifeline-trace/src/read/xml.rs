//! Streaming reader for EPCIS XML documents and query documents, 2.0 and 1.2.
//!
//! quick-xml pull parsing: one event's subtree is built at a time, then handed to the
//! callback and dropped, so memory follows the largest event, not the file. Elements in
//! the EPCIS namespaces or in no namespace keep their local name; all others are user
//! extensions, named `{namespace}local`. EPCIS 1.2 `extension` and `baseExtension`
//! wrappers are removed so 1.2 and 2.0 give the same tree. Attributes become children.
//!
//! Hostile input is held to [`ReadLimits`]: nesting, the size of each token and text, of
//! each event and of the document, the elements of an event. The tree is built with an
//! explicit stack, never by recursion. Only UTF-8 and the characters of XML 1.0 are read,
//! as libxml2 (`trace validate`) reads them, so every command gives one verdict.

use std::io::BufRead;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event as XmlEvent};
use quick_xml::name::ResolveResult;

use lifeline_text::{Excerpt, excerpt_to};

use crate::model::{DocumentHeader, Element, Event, EventType};
use crate::read::json::EventSink;
use crate::read::limits::{Budget, Counted, ReadLimits, TextPosition, budget_error};
use crate::{Location, TraceError};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

fn is_epcis_namespace(ns: &str) -> bool {
    ns.starts_with("urn:epcglobal:epcis:")
        || ns.starts_with("urn:epcglobal:epcis-query:")
        || ns.starts_with("urn:epcglobal:epcis-masterdata:")
        || ns == "https://ref.gs1.org/epcis/"
}

fn qualified(resolve: &ResolveResult<'_>, local: &[u8]) -> String {
    let local = String::from_utf8_lossy(local);
    match resolve {
        ResolveResult::Bound(ns) => {
            let ns = String::from_utf8_lossy(ns.as_ref());
            if is_epcis_namespace(&ns) {
                local.into_owned()
            } else {
                format!("{{{ns}}}{local}")
            }
        }
        _ => local.into_owned(),
    }
}

/// Leading `gs1:`/`cbv:` CURIEs in values, as the EPCIS 2.0 XML examples use them.
fn expand_value(text: &str) -> String {
    if let Some(rest) = text.strip_prefix("gs1:") {
        format!("https://gs1.org/voc/{rest}")
    } else if let Some(rest) = text.strip_prefix("cbv:") {
        format!("https://ref.gs1.org/cbv/{rest}")
    } else {
        text.to_owned()
    }
}

struct Frame {
    element: Element,
    text: String,
    /// `extension`/`baseExtension` wrappers are flattened into their parent.
    flatten: bool,
}

/// Lines seen so far, for error positions: counted in each token's bytes as it is read
/// (the bytes are in the buffer anyway), so an error can say its line and column.
#[derive(Debug, Clone, Copy)]
struct Lines {
    /// 1-based line of the next byte.
    line: u64,
    /// Byte offset where that line starts.
    start: u64,
}

impl Lines {
    /// Counts the newlines of `bytes`, which start at byte `base` of the document.
    fn advance(&mut self, base: u64, bytes: &[u8]) {
        let count = bytes.iter().filter(|&&b| b == b'\n').count();
        if count > 0 {
            self.line += count as u64;
            let last = bytes.iter().rposition(|&b| b == b'\n').unwrap_or(0);
            self.start = base + last as u64 + 1;
        }
    }

    fn at(&self, byte: u64) -> TextPosition {
        TextPosition {
            line: self.line,
            column: byte.saturating_sub(self.start) + 1,
            byte,
        }
    }
}

/// The bytes of a token as read (they are the reader's buffer).
fn raw<'a>(event: &'a XmlEvent<'_>) -> &'a [u8] {
    match event {
        XmlEvent::Start(e) | XmlEvent::Empty(e) => e,
        XmlEvent::End(e) => e,
        XmlEvent::Text(e) | XmlEvent::Comment(e) | XmlEvent::DocType(e) => e,
        XmlEvent::CData(e) => e,
        XmlEvent::Decl(e) => e,
        XmlEvent::PI(e) => e,
        XmlEvent::GeneralRef(e) => e,
        XmlEvent::Eof => &[],
    }
}

/// How many bytes of markup come before a token's content in the buffer (`<`, `</`,
/// `<!--`, `<![CDATA[`, `<?`, `<!DOCTYPE`, `&`).
fn lead(event: &XmlEvent<'_>) -> u64 {
    match event {
        XmlEvent::Start(_) | XmlEvent::Empty(_) | XmlEvent::GeneralRef(_) => 1,
        XmlEvent::End(_) | XmlEvent::Decl(_) | XmlEvent::PI(_) => 2,
        XmlEvent::Comment(_) => 4,
        XmlEvent::CData(_) | XmlEvent::DocType(_) => 9,
        XmlEvent::Text(_) | XmlEvent::Eof => 0,
    }
}

/// An error of this reader, whose message already excerpts the values it names.
fn xml_error(at: TextPosition, message: String) -> TraceError {
    TraceError::Xml { at, message }
}

/// An error of quick-xml, whose message may quote the input (a mismatched tag's name):
/// escaped and cut.
fn parser_error(at: TextPosition, error: impl std::fmt::Display) -> TraceError {
    TraceError::Xml {
        at,
        message: excerpt_to(&error.to_string(), 240).into_owned(),
    }
}

/// Whether `c` is a character of XML 1.0 (§2.2 `Char`).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The first byte of `bytes` that is not UTF-8 or not an XML 1.0 character, as libxml2
/// (and so `trace validate`) refuses them: C0 controls but tab, newline and carriage
/// return, and U+FFFE/U+FFFF.
fn check_text(bytes: &[u8]) -> Result<(), (usize, String)> {
    if let Err(error) = std::str::from_utf8(bytes) {
        return Err((error.valid_up_to(), "the document is not UTF-8 here".into()));
    }
    // A branch-free pass over every byte first: almost every token is clean.
    let suspicious = bytes.iter().fold(false, |any, &b| {
        any | (b < 0x20 && !matches!(b, 9 | 10 | 13)) | (b == 0xEF)
    });
    if !suspicious {
        return Ok(());
    }
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    match text.char_indices().find(|(_, c)| !is_xml_char(*c)) {
        Some((at, c)) => Err((
            at,
            format!(
                "the character U+{:04X} is not allowed in XML 1.0",
                u32::from(c)
            ),
        )),
        None => Ok(()),
    }
}

/// Whether `local` is an XML local name (an NCName: a letter, `_` or a non-ASCII character,
/// then also digits, `.` and `-`). quick-xml does not check names; a name such as `@time`
/// is not well-formed XML, and in JSON-LD it would read as a keyword.
fn is_local_name(local: &[u8]) -> bool {
    let start = |b: u8| b.is_ascii_alphabetic() || b == b'_' || b >= 0x80;
    match local.split_first() {
        Some((&first, rest)) => {
            start(first)
                && rest
                    .iter()
                    .all(|&b| start(b) || b.is_ascii_digit() || b == b'.' || b == b'-')
        }
        None => false,
    }
}

/// An error unless `local` is an XML name; `at` is where its tag starts.
fn check_name(at: TextPosition, local: &[u8]) -> Result<(), TraceError> {
    if is_local_name(local) {
        Ok(())
    } else {
        Err(xml_error(
            at,
            format!(
                "`{}` is not an XML name",
                Excerpt(&String::from_utf8_lossy(local))
            ),
        ))
    }
}

fn attributes(
    reader: &NsReader<impl BufRead>,
    start: &BytesStart<'_>,
    at: TextPosition,
) -> Result<Vec<Element>, TraceError> {
    let mut out = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| parser_error(at, e))?;
        let key = attribute.key;
        if key.as_namespace_binding().is_some() {
            continue;
        }
        let (resolve, local) = reader.resolve_attribute(key);
        check_name(at, local.as_ref())?;
        let name = match resolve {
            ResolveResult::Bound(ns) => {
                let ns = String::from_utf8_lossy(ns.as_ref()).into_owned();
                let local = String::from_utf8_lossy(local.as_ref()).into_owned();
                if ns == XSI && local == "schemaLocation" {
                    continue;
                }
                format!("{{{ns}}}{local}")
            }
            _ => String::from_utf8_lossy(local.as_ref()).into_owned(),
        };
        let value = attribute
            .decode_and_unescape_value(reader.decoder())
            .map_err(|e| parser_error(at, e))?;
        // The raw bytes were checked with the tag; a character reference was not.
        if let std::borrow::Cow::Owned(value) = &value
            && let Some(c) = value.chars().find(|c| !is_xml_char(*c))
        {
            return Err(xml_error(
                at,
                format!(
                    "the attribute `{}` holds U+{:04X}, which is not allowed in XML 1.0",
                    Excerpt(&name),
                    u32::from(c)
                ),
            ));
        }
        out.push(Element::leaf(name, expand_value(value.trim())));
    }
    Ok(out)
}

fn general_ref(
    at: TextPosition,
    reference: &quick_xml::events::BytesRef<'_>,
) -> Result<String, TraceError> {
    if let Some(c) = reference
        .resolve_char_ref()
        .map_err(|e| parser_error(at, e))?
    {
        if !is_xml_char(c) {
            return Err(xml_error(
                at,
                format!(
                    "the character reference `&{};` stands for U+{:04X}, which is not allowed in XML 1.0",
                    Excerpt(&String::from_utf8_lossy(reference)),
                    u32::from(c)
                ),
            ));
        }
        return Ok(c.to_string());
    }
    let name = reference.decode().map_err(|e| parser_error(at, e))?;
    Ok(match name.as_ref() {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        other => {
            return Err(xml_error(
                at,
                format!("unknown entity `&{};`", Excerpt(other)),
            ));
        }
    }
    .to_owned())
}

fn limit_error(
    at: TextPosition,
    index: Option<usize>,
    what: String,
    limit: u64,
    setting: &'static str,
) -> TraceError {
    TraceError::Limit {
        at: Some(at),
        event: index,
        what,
        limit,
        setting,
    }
}

/// Reads an XML document from `reader` with the default [`ReadLimits`], calling `sink` once
/// per event in document order.
pub fn read<R: BufRead>(
    reader: R,
    sink: &mut EventSink<'_>,
) -> Result<(DocumentHeader, usize), TraceError> {
    read_with(reader, &ReadLimits::default(), sink)
}

/// As [`read`], within `limits`.
pub fn read_with<R: BufRead>(
    reader: R,
    limits: &ReadLimits,
    sink: &mut EventSink<'_>,
) -> Result<(DocumentHeader, usize), TraceError> {
    let budget = Budget::new(limits);
    let counted = std::io::BufReader::with_capacity(
        1 << 16,
        Counted {
            inner: reader,
            budget: &budget,
        },
    );
    read_counted(counted, limits, &budget, sink)
}

/// The reader proper, over input that counts into `budget`.
pub(crate) fn read_counted<R: BufRead>(
    reader: R,
    limits: &ReadLimits,
    budget: &Budget,
    sink: &mut EventSink<'_>,
) -> Result<(DocumentHeader, usize), TraceError> {
    let mut reader = NsReader::from_reader(reader);
    reader.config_mut().expand_empty_elements = true;
    let max_depth = limits.depth();
    let mut buf = Vec::new();
    let mut header = DocumentHeader::default();
    // Names of the open elements outside any event.
    let mut path: Vec<String> = Vec::new();
    // The subtree being built: an event, or master data in the header.
    let mut stack: Vec<Frame> = Vec::new();
    let mut count = 0usize;
    let mut capturing_master = false;
    let mut lines = Lines { line: 1, start: 0 };
    // Where the subtree being built starts, and how many elements it has.
    let mut part_start = 0u64;
    let mut part_elements = 0usize;
    loop {
        let position = reader.buffer_position();
        budget.start_value();
        let (resolve, event) = match reader.read_resolved_event_into(&mut buf) {
            Ok(pair) => pair,
            Err(error) => {
                let error_at = reader.error_position().max(position);
                let seen = usize::try_from(error_at.saturating_sub(position + 1))
                    .unwrap_or(usize::MAX)
                    .min(buf.len());
                let mut here = lines;
                here.advance(position + 1, &buf[..seen]);
                if let Some(exceeded) = budget.exceeded() {
                    return Err(budget_error(
                        exceeded,
                        limits,
                        Some(here.at(error_at)),
                        None,
                    ));
                }
                return Err(parser_error(here.at(error_at), error));
            }
        };
        // The element's name, resolved now: the resolution borrows the reader.
        let name = match &event {
            XmlEvent::Start(start) => qualified(&resolve, start.local_name().as_ref()),
            _ => String::new(),
        };
        let at = lines.at(position);
        let base = position + lead(&event);
        let bytes = raw(&event);
        if bytes.len() > limits.max_value_bytes {
            return Err(limit_error(
                at,
                (!stack.is_empty()).then_some(count),
                format!(
                    "a value (text, attribute, comment or tag) of {} bytes",
                    bytes.len()
                ),
                limits.max_value_bytes as u64,
                "max_value_bytes",
            ));
        }
        if let Err((offset, message)) = check_text(bytes) {
            let mut here = lines;
            here.advance(base, &bytes[..offset]);
            return Err(xml_error(here.at(base + offset as u64), message));
        }
        lines.advance(base, bytes);
        if !stack.is_empty() && reader.buffer_position() - part_start > limits.max_event_bytes {
            return Err(limit_error(
                at,
                (!capturing_master).then_some(count),
                format!(
                    "an event (or header master data) of more than {} bytes",
                    limits.max_event_bytes
                ),
                limits.max_event_bytes,
                "max_event_bytes",
            ));
        }
        match event {
            XmlEvent::Decl(declaration) => {
                // quick-xml reads UTF-8 only (as the rest of lifeline): a document that
                // declares another encoding would be read as something it does not say.
                if let Some(encoding) = declaration.encoding() {
                    let encoding = encoding.map_err(|e| parser_error(at, e))?;
                    if !encoding.eq_ignore_ascii_case(b"UTF-8") {
                        return Err(xml_error(
                            at,
                            format!(
                                "the document declares the encoding `{}`: EPCIS XML is read in UTF-8 only\nhint: convert it to UTF-8 (for example with iconv) and declare encoding=\"UTF-8\"",
                                Excerpt(&String::from_utf8_lossy(&encoding))
                            ),
                        ));
                    }
                }
            }
            XmlEvent::Start(start) => {
                let depth = path.len() + stack.len() + 1;
                if depth > max_depth {
                    return Err(limit_error(
                        at,
                        (!stack.is_empty() && !capturing_master).then_some(count),
                        format!("elements nested {depth} deep"),
                        max_depth as u64,
                        "max_depth",
                    ));
                }
                check_name(at, start.local_name().as_ref())?;
                let attrs = attributes(&reader, &start, at)?;
                if stack.is_empty() {
                    let in_event_list = path.iter().any(|p| p == "EventList");
                    let in_header = path.iter().any(|p| p == "EPCISHeader");
                    if path.is_empty() {
                        header.document_type = name.clone();
                        for attr in &attrs {
                            match attr.name.as_str() {
                                "schemaVersion" => header.schema_version = attr.text.clone(),
                                "creationDate" => header.creation_date = attr.text.clone(),
                                _ => {}
                            }
                        }
                        for (prefix, ns) in reader.resolver().bindings() {
                            let prefix = match prefix {
                                quick_xml::name::PrefixDeclaration::Named(p) => {
                                    String::from_utf8_lossy(p).into_owned()
                                }
                                quick_xml::name::PrefixDeclaration::Default => String::new(),
                            };
                            header
                                .namespaces
                                .push((prefix, String::from_utf8_lossy(ns.as_ref()).into_owned()));
                        }
                    }
                    let event = in_event_list && EventType::parse(&name).is_some();
                    let master =
                        !event && in_header && (name == "VocabularyList" || name == "masterData");
                    if event || master {
                        capturing_master = master;
                        part_start = position;
                        part_elements = 1 + attrs.len();
                        budget.start_part();
                        stack.push(Frame {
                            element: Element::branch(name, attrs),
                            text: String::new(),
                            flatten: false,
                        });
                    } else {
                        path.push(name);
                    }
                } else {
                    part_elements += 1 + attrs.len();
                    if part_elements > limits.max_event_elements {
                        return Err(limit_error(
                            at,
                            (!capturing_master).then_some(count),
                            format!("the number of elements and attributes ({part_elements})"),
                            limits.max_event_elements as u64,
                            "max_event_elements",
                        ));
                    }
                    let flatten = name == "extension" || name == "baseExtension";
                    stack.push(Frame {
                        element: Element::branch(name, attrs),
                        text: String::new(),
                        flatten,
                    });
                }
            }
            XmlEvent::End(_) => {
                if let Some(frame) = stack.pop() {
                    let mut element = frame.element;
                    element.text = expand_value(frame.text.trim());
                    if let Some(parent) = stack.last_mut() {
                        if frame.flatten {
                            parent.element.children.extend(element.children);
                        } else {
                            parent.element.children.push(element);
                        }
                    } else {
                        budget.end_part();
                        if capturing_master {
                            capturing_master = false;
                            header.master_data.push(element);
                        } else {
                            let index = count;
                            count += 1;
                            let event = finish_event(index, element)?;
                            sink(&header, event)?;
                        }
                    }
                } else {
                    path.pop();
                }
            }
            XmlEvent::Text(text) => {
                if let Some(frame) = stack.last_mut() {
                    let content = text.xml_content().map_err(|e| parser_error(at, e))?;
                    frame.text.push_str(&content);
                    check_value_length(frame, at, count, limits)?;
                }
            }
            XmlEvent::CData(data) => {
                if let Some(frame) = stack.last_mut() {
                    let content = data.decode().map_err(|e| parser_error(at, e))?;
                    frame.text.push_str(&content);
                    check_value_length(frame, at, count, limits)?;
                }
            }
            XmlEvent::GeneralRef(reference) => {
                // Checked outside events too: the document is refused as libxml2 refuses it.
                let text = general_ref(at, &reference)?;
                if let Some(frame) = stack.last_mut() {
                    frame.text.push_str(&text);
                    check_value_length(frame, at, count, limits)?;
                }
            }
            XmlEvent::Eof => {
                let open = stack
                    .last()
                    .map(|f| f.element.name.clone())
                    .or_else(|| path.last().cloned());
                if let Some(open) = open {
                    return Err(xml_error(
                        lines.at(reader.buffer_position()),
                        format!(
                            "the document ends inside `<{}>`: it is truncated",
                            Excerpt(&open)
                        ),
                    ));
                }
                break;
            }
            _ => {}
        }
        buf.clear();
    }
    if header.document_type.is_empty() {
        return Err(TraceError::invalid(
            Location::default(),
            "empty document: no root element",
        ));
    }
    if !header.document_type.contains("EPCIS") {
        return Err(TraceError::invalid(
            Location::default(),
            format!(
                "the root element is `{}`, not an EPCIS document",
                Excerpt(&header.document_type)
            ),
        ));
    }
    Ok((header, count))
}

/// A text built from several tokens (text, references, CDATA) is one value too.
fn check_value_length(
    frame: &Frame,
    at: TextPosition,
    index: usize,
    limits: &ReadLimits,
) -> Result<(), TraceError> {
    if frame.text.len() > limits.max_value_bytes {
        return Err(limit_error(
            at,
            Some(index),
            format!(
                "the text of `{}` ({} bytes)",
                Excerpt(&frame.element.name),
                frame.text.len()
            ),
            limits.max_value_bytes as u64,
            "max_value_bytes",
        ));
    }
    Ok(())
}

fn finish_event(index: usize, element: Element) -> Result<Event, TraceError> {
    let event_type = EventType::parse(&element.name).ok_or_else(|| {
        TraceError::invalid(
            Location {
                index: Some(index),
                ..Location::default()
            },
            format!("unknown event type `{}`", Excerpt(&element.name)),
        )
    })?;
    Ok(Event {
        index,
        event_type,
        fields: element.children,
    })
}
