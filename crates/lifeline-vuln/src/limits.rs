//! Limits on what one untrusted file may cost: its size, its nesting depth, the size
//! of one value, and the number of problems reported about it. SBOMs, VEX documents and
//! device inventories come from partners, some of them compromised; every reader of this
//! crate checks these limits before it walks a document, and walks it without recursion.

use serde_json::Value;

use crate::error::Diagnostic;

/// The most problems reported for one file; the rest are counted in one last line.
pub const MAX_PROBLEMS: usize = 100;

/// Limits on one file. The defaults are far above what real SBOMs and inventories need
/// (the largest CycloneDX examples are a few MiB, nest components a few levels deep,
/// and hold no value over a few KiB) and far below what exhausts a machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLimits {
    /// The most bytes a file may have (default 256 MiB).
    pub max_file_bytes: usize,
    /// The deepest nesting of elements (XML) or of arrays and objects (JSON), default
    /// 128, as `serde_json`'s own recursion limit.
    pub max_depth: usize,
    /// The most bytes one text value (a JSON string, an XML text or attribute) may have
    /// (default 1 MiB).
    pub max_value_bytes: usize,
}

impl Default for ReadLimits {
    fn default() -> ReadLimits {
        ReadLimits {
            max_file_bytes: 256 << 20,
            max_depth: 128,
            max_value_bytes: 1 << 20,
        }
    }
}

/// Why a file's bytes are not text a reader may parse.
pub(crate) enum FileProblem {
    /// Over `ReadLimits::max_file_bytes`.
    TooLarge { bytes: usize, limit: usize },
    /// Not UTF-8: the decoder's message.
    NotUtf8(String),
}

/// The text of a file that is within the size limit and UTF-8, without a leading byte
/// order mark: the first check of every reader of this crate.
pub(crate) fn text_within<'a>(
    bytes: &'a [u8],
    limits: &ReadLimits,
) -> Result<&'a str, FileProblem> {
    if bytes.len() > limits.max_file_bytes {
        return Err(FileProblem::TooLarge {
            bytes: bytes.len(),
            limit: limits.max_file_bytes,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| FileProblem::NotUtf8(e.to_string()))?;
    Ok(text.trim_start_matches('\u{feff}'))
}

/// Keeps the first [`MAX_PROBLEMS`] problems and adds one that counts the rest (an
/// error when any of the rest is one, so a rejected document stays rejected).
pub(crate) fn cap_problems(mut problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if problems.len() <= MAX_PROBLEMS {
        return problems;
    }
    let rest = problems.split_off(MAX_PROBLEMS);
    let errors = rest.iter().filter(|d| d.is_error()).count();
    let message = format!(
        "{} more problems not shown ({errors} of them errors)",
        rest.len()
    );
    problems.push(if errors > 0 {
        Diagnostic::error("", message)
    } else {
        Diagnostic::warning("", message)
    });
    problems
}

/// The depth of the deepest element of an XML document (the root element is 1), found
/// in one pass without recursion.
pub(crate) fn xml_depth(document: &roxmltree::Document<'_>) -> usize {
    let mut depth_of = vec![0usize; document.descendants().count() + 1];
    let mut deepest = 0;
    for node in document.descendants() {
        let parent = node
            .parent()
            .and_then(|p| depth_of.get(p.id().get_usize()).copied())
            .unwrap_or(0);
        let depth = parent + usize::from(node.is_element());
        if let Some(slot) = depth_of.get_mut(node.id().get_usize()) {
            *slot = depth;
        }
        deepest = deepest.max(depth);
    }
    deepest
}

/// The path of an XML node as element names (`bom.components.component`), for messages.
fn xml_path(node: roxmltree::Node<'_, '_>) -> String {
    let mut names: Vec<&str> = node
        .ancestors()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name())
        .collect();
    names.reverse();
    names.join(".")
}

/// Errors for XML texts and attribute values longer than `max` bytes.
pub(crate) fn long_xml_values(document: &roxmltree::Document<'_>, max: usize) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for node in document.descendants() {
        if let Some(text) = node.text().filter(|_| node.is_text())
            && text.len() > max
        {
            problems.push(too_long(xml_path(node), text.len(), max));
        }
        for attribute in node.attributes() {
            if attribute.value().len() > max {
                let path = format!("{}@{}", xml_path(node), attribute.name());
                problems.push(too_long(path, attribute.value().len(), max));
            }
        }
        if problems.len() > MAX_PROBLEMS {
            break;
        }
    }
    problems
}

/// The depth of the deepest array or object of a JSON value (a scalar document is 0),
/// found without recursion.
pub(crate) fn json_depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|item| (item, depth + 1))),
            Value::Object(members) => stack.extend(members.values().map(|item| (item, depth + 1))),
            _ => continue,
        }
        deepest = deepest.max(depth + 1);
    }
    deepest
}

/// Whether any JSON string or key is longer than `max` bytes, found without recursion and
/// without building paths: the common case, a document with none, costs one walk.
fn any_long_json_value(value: &Value, max: usize) -> bool {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(text) if text.len() > max => return true,
            Value::Array(items) => stack.extend(items),
            Value::Object(members) => {
                if members.keys().any(|key| key.len() > max) {
                    return true;
                }
                stack.extend(members.values());
            }
            _ => {}
        }
    }
    false
}

/// Errors for JSON strings (and keys) longer than `max` bytes, each at its path
/// (`components[3].version`), found without recursion. Paths are built only for a
/// document that has such a value.
pub(crate) fn long_json_values(value: &Value, max: usize) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if !any_long_json_value(value, max) {
        return problems;
    }
    let mut stack = vec![(value, String::new())];
    while let Some((value, path)) = stack.pop() {
        if problems.len() > MAX_PROBLEMS {
            break;
        }
        match value {
            Value::String(text) if text.len() > max => {
                problems.push(too_long(path, text.len(), max));
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    // Only containers and long strings need their path.
                    if item.is_array() || item.is_object() || long_string(item, max) {
                        stack.push((item, format!("{path}[{index}]")));
                    }
                }
            }
            Value::Object(members) => {
                for (key, item) in members {
                    let at = if path.is_empty() {
                        lifeline_text::excerpt(key).into_owned()
                    } else {
                        format!("{path}.{}", lifeline_text::excerpt(key))
                    };
                    if key.len() > max {
                        problems.push(too_long(format!("{at} (the key)"), key.len(), max));
                    }
                    if item.is_array() || item.is_object() || long_string(item, max) {
                        stack.push((item, at));
                    }
                }
            }
            _ => {}
        }
    }
    problems
}

fn long_string(value: &Value, max: usize) -> bool {
    value.as_str().is_some_and(|text| text.len() > max)
}

fn too_long(path: String, length: usize, max: usize) -> Diagnostic {
    Diagnostic::error(
        path,
        format!("a value of {length} bytes, more than the limit of {max} bytes per value"),
    )
}
