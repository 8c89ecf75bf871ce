//! Streaming reader for EPCIS XML documents and query documents, 2.0 and 1.2.
//!
//! quick-xml pull parsing: one event's subtree is built at a time, then handed to the
//! callback and dropped, so memory follows the largest event, not the file. Elements in
//! the EPCIS namespaces or in no namespace keep their local name; all others are user
//! extensions, named `{namespace}local`. EPCIS 1.2 `extension` and `baseExtension`
//! wrappers are removed so 1.2 and 2.0 give the same tree. Attributes become children.

use std::io::BufRead;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event as XmlEvent};
use quick_xml::name::ResolveResult;

use crate::model::{DocumentHeader, Element, Event, EventType};
use crate::read::json::EventSink;
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

fn xml_error(reader: &NsReader<impl BufRead>, error: impl std::fmt::Display) -> TraceError {
    TraceError::Xml {
        position: reader.error_position(),
        message: error.to_string(),
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

/// An error unless `local` is an XML name; `position` is where its tag starts.
fn check_name(position: u64, local: &[u8]) -> Result<(), TraceError> {
    if is_local_name(local) {
        Ok(())
    } else {
        Err(TraceError::Xml {
            position,
            message: format!("`{}` is not an XML name", String::from_utf8_lossy(local)),
        })
    }
}

fn attributes(
    reader: &NsReader<impl BufRead>,
    start: &BytesStart<'_>,
    position: u64,
) -> Result<Vec<Element>, TraceError> {
    let mut out = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| xml_error(reader, e))?;
        let key = attribute.key;
        if key.as_namespace_binding().is_some() {
            continue;
        }
        let (resolve, local) = reader.resolve_attribute(key);
        check_name(position, local.as_ref())?;
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
            .map_err(|e| xml_error(reader, e))?;
        out.push(Element::leaf(name, expand_value(value.trim())));
    }
    Ok(out)
}

fn general_ref(
    reader: &NsReader<impl BufRead>,
    reference: &quick_xml::events::BytesRef<'_>,
) -> Result<String, TraceError> {
    if let Some(c) = reference
        .resolve_char_ref()
        .map_err(|e| xml_error(reader, e))?
    {
        return Ok(c.to_string());
    }
    let name = reference.decode().map_err(|e| xml_error(reader, e))?;
    Ok(match name.as_ref() {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        other => return Err(xml_error(reader, format!("unknown entity `&{other};`"))),
    }
    .to_owned())
}

/// Reads an XML document from `reader`, calling `sink` once per event in document order.
pub fn read<R: BufRead>(
    reader: R,
    sink: &mut EventSink<'_>,
) -> Result<(DocumentHeader, usize), TraceError> {
    let mut reader = NsReader::from_reader(reader);
    reader.config_mut().expand_empty_elements = true;
    let mut buf = Vec::new();
    let mut header = DocumentHeader::default();
    // Names of the open elements outside any event.
    let mut path: Vec<String> = Vec::new();
    // The subtree being built: an event, or master data in the header.
    let mut stack: Vec<Frame> = Vec::new();
    let mut count = 0usize;
    let mut capturing_master = false;
    loop {
        let position = reader.buffer_position();
        let (resolve, event) = match reader.read_resolved_event_into(&mut buf) {
            Ok(pair) => pair,
            Err(error) => {
                return Err(TraceError::Xml {
                    position,
                    message: error.to_string(),
                });
            }
        };
        match event {
            XmlEvent::Start(start) => {
                let name = qualified(&resolve, start.local_name().as_ref());
                check_name(position, start.local_name().as_ref())?;
                let attrs = attributes(&reader, &start, position)?;
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
                    if in_event_list && EventType::parse(&name).is_some() {
                        stack.push(Frame {
                            element: Element::branch(name, attrs),
                            text: String::new(),
                            flatten: false,
                        });
                    } else if in_header && (name == "VocabularyList" || name == "masterData") {
                        capturing_master = true;
                        stack.push(Frame {
                            element: Element::branch(name, attrs),
                            text: String::new(),
                            flatten: false,
                        });
                    } else {
                        path.push(name);
                    }
                } else {
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
                    } else if capturing_master {
                        capturing_master = false;
                        header.master_data.push(element);
                    } else {
                        let index = count;
                        count += 1;
                        let event = finish_event(index, element)?;
                        sink(&header, event)?;
                    }
                } else {
                    path.pop();
                }
            }
            XmlEvent::Text(text) => {
                if let Some(frame) = stack.last_mut() {
                    let content = text.xml_content().map_err(|e| xml_error(&reader, e))?;
                    frame.text.push_str(&content);
                }
            }
            XmlEvent::CData(data) => {
                if let Some(frame) = stack.last_mut() {
                    let content = data.decode().map_err(|e| xml_error(&reader, e))?;
                    frame.text.push_str(&content);
                }
            }
            XmlEvent::GeneralRef(reference) => {
                if let Some(frame) = stack.last_mut() {
                    let text = general_ref(&reader, &reference)?;
                    frame.text.push_str(&text);
                }
            }
            XmlEvent::Eof => {
                let open = stack
                    .last()
                    .map(|f| f.element.name.clone())
                    .or_else(|| path.last().cloned());
                if let Some(open) = open {
                    return Err(TraceError::Xml {
                        position: reader.buffer_position(),
                        message: format!("the document ends inside `<{open}>`: it is truncated"),
                    });
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
                header.document_type
            ),
        ));
    }
    Ok((header, count))
}

fn finish_event(index: usize, element: Element) -> Result<Event, TraceError> {
    let event_type = EventType::parse(&element.name).ok_or_else(|| {
        TraceError::invalid(
            Location {
                index: Some(index),
                ..Location::default()
            },
            format!("unknown event type `{}`", element.name),
        )
    })?;
    Ok(Event {
        index,
        event_type,
        fields: element.children,
    })
}
