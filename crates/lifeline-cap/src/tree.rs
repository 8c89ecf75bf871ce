//! A small element tree of an XML document (quick-xml), for the CAP and EDXL-DE readers:
//! local names, namespaces, text and line numbers. Entities other than XML's five and
//! character references are refused (no DTD is read, so nothing expands to anything
//! large or external); the document size and nesting depth are bounded.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use crate::error::CapErrors;

/// The largest document read (16 MiB): CAP alerts are small, and their digital resources
/// travel by `uri`; an EDXL-DE distribution of many alerts stays well below it.
pub const MAX_DOCUMENT_BYTES: usize = 16 << 20;

/// The deepest element nesting read. CAP needs 5 levels, EDXL-DE with embedded CAP 9; an
/// XML signature (`ds:Signature`) a few more.
pub const MAX_DEPTH: usize = 32;

/// One element.
#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    /// The namespace URI, empty when none.
    pub(crate) namespace: String,
    /// The local name.
    pub(crate) name: String,
    /// The character data directly inside it (entities resolved, line ends normalised).
    pub(crate) text: String,
    pub(crate) children: Vec<Node>,
    /// 1-based line of its start tag.
    pub(crate) line: u32,
}

/// Counts line feeds up to `at`, memoising the last position.
struct Lines<'a> {
    text: &'a [u8],
    at: usize,
    line: u32,
}

impl Lines<'_> {
    fn line_at(&mut self, position: usize) -> u32 {
        let position = position.min(self.text.len());
        if position < self.at {
            self.at = 0;
            self.line = 1;
        }
        self.line += self.text[self.at..position]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        self.at = position;
        self.line
    }
}

/// The path of the open elements, for an error found while parsing.
fn open_path(stack: &[Node]) -> String {
    stack
        .iter()
        .map(|node| node.name.as_str())
        .collect::<Vec<_>>()
        .join("/")
}

/// Parses `text` into its root element.
pub(crate) fn parse(text: &str) -> Result<Node, CapErrors> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(CapErrors::one(
            "",
            None,
            format!(
                "the document is {} bytes; the most read is {MAX_DOCUMENT_BYTES}",
                text.len()
            ),
        ));
    }
    let mut reader = NsReader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = false;
    let mut lines = Lines {
        text: text.as_bytes(),
        at: 0,
        line: 1,
    };
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let position = reader.buffer_position() as usize;
        let event = reader.read_resolved_event();
        let fail = |stack: &[Node], lines: &mut Lines, message: String| {
            let line = lines.line_at(position);
            CapErrors::one(open_path(stack), Some(line), message)
        };
        match event {
            Err(error) => {
                let line = lines.line_at(reader.error_position() as usize);
                return Err(CapErrors::one(
                    open_path(&stack),
                    Some(line),
                    format!(
                        "not well-formed XML: {}",
                        lifeline_text::excerpt_to(&error.to_string(), 200)
                    ),
                ));
            }
            Ok((resolved, Event::Start(start))) => {
                let node = element(&stack, &root, &mut lines, position, resolved, &start)?;
                stack.push(node);
            }
            Ok((resolved, Event::Empty(start))) => {
                let node = element(&stack, &root, &mut lines, position, resolved, &start)?;
                close(&mut stack, &mut root, node);
            }
            Ok((_, Event::End(_))) => match stack.pop() {
                Some(node) => close(&mut stack, &mut root, node),
                None => {
                    return Err(fail(
                        &stack,
                        &mut lines,
                        "an end tag without a start".to_owned(),
                    ));
                }
            },
            Ok((_, Event::Text(content))) => {
                let piece = content.xml10_content().map_err(|error| {
                    fail(&stack, &mut lines, format!("text not readable: {error}"))
                })?;
                match stack.last_mut() {
                    Some(node) => node.text.push_str(&piece),
                    None if piece.trim().is_empty() => {}
                    None => {
                        return Err(fail(
                            &stack,
                            &mut lines,
                            "text outside the root element".to_owned(),
                        ));
                    }
                }
            }
            Ok((_, Event::CData(content))) => {
                let piece = content.xml10_content().map_err(|error| {
                    fail(&stack, &mut lines, format!("CDATA not readable: {error}"))
                })?;
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&piece);
                }
            }
            Ok((_, Event::GeneralRef(reference))) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    Ok(None) => reference.decode().ok().and_then(|name| {
                        quick_xml::escape::resolve_predefined_entity(&name).map(str::to_owned)
                    }),
                    Err(_) => None,
                };
                let Some(resolved) = resolved else {
                    let name = String::from_utf8_lossy(&reference.into_inner()).into_owned();
                    return Err(fail(
                        &stack,
                        &mut lines,
                        format!(
                            "`&{};` is not one of XML's five entities nor a character reference (no DTD is read)",
                            lifeline_text::excerpt(&name)
                        ),
                    ));
                };
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&resolved);
                }
            }
            Ok((_, Event::Eof)) => break,
            Ok(_) => {}
        }
    }
    if !stack.is_empty() {
        let line = lines.line_at(text.len());
        return Err(CapErrors::one(
            open_path(&stack),
            Some(line),
            "the document ends inside this element",
        ));
    }
    root.ok_or_else(|| CapErrors::one("", None, "no root element (not XML?)"))
}

fn close(stack: &mut [Node], root: &mut Option<Node>, node: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

/// The node of a start (or empty-element) tag.
fn element(
    stack: &[Node],
    root: &Option<Node>,
    lines: &mut Lines,
    position: usize,
    resolved: ResolveResult<'_>,
    start: &quick_xml::events::BytesStart<'_>,
) -> Result<Node, CapErrors> {
    let line = lines.line_at(position);
    let fail = |message: String| CapErrors::one(open_path(stack), Some(line), message);
    if root.is_some() {
        return Err(fail("a second root element".to_owned()));
    }
    if stack.len() >= MAX_DEPTH {
        return Err(fail(format!("elements nested deeper than {MAX_DEPTH}")));
    }
    let namespace = match resolved {
        ResolveResult::Bound(namespace) => String::from_utf8_lossy(namespace.as_ref()).into_owned(),
        ResolveResult::Unbound => String::new(),
        ResolveResult::Unknown(prefix) => {
            return Err(fail(format!(
                "namespace prefix `{}` is not declared",
                lifeline_text::excerpt(&String::from_utf8_lossy(&prefix))
            )));
        }
    };
    Ok(Node {
        namespace,
        name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
        text: String::new(),
        children: Vec::new(),
        line,
    })
}
