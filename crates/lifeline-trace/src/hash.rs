//! The CBV 2.0 Event Hash ID (CBV 2.0 §8.9): the canonical pre-hash string of an event
//! and `ni:///sha-256;<hex>?ver=CBV2.0`.
//!
//! The pre-hash string is `eventType=<type>` followed by the standard fields in the fixed
//! order of the standard's table ([`ORDER`]), each as `name=value` (lists as the list name
//! followed by their sorted elements), then every remaining field (ILMD, bizTransaction,
//! source and destination lists, user extensions) rendered the same way and sorted as
//! strings. Values are canonicalised: timestamps to UTC milliseconds, CBV 1.x URNs to CBV
//! 2.0 web URIs, numbers without leading/trailing zeros, and GS1 identifiers (EPC URNs,
//! class URNs, Digital Links on any domain) to the constrained canonical GS1 Digital Link.
//! `recordTime`, `eventID`, `errorDeclaration` and fields named in the document's
//! `ignoreFields` do not take part. Where the standard's prose is silent, this follows the
//! published vectors of the reference implementation (`tests/data/SOURCES.md`).

use sha2::{Digest, Sha256};

use crate::model::{DocumentHeader, Element, Event};
use crate::time::Timestamp;

/// One row of the canonical order: a field name and the order of its children, if any.
pub struct Rule {
    /// Field name.
    pub name: &'static str,
    /// Order of the field's children; empty for a plain value.
    pub children: &'static [Rule],
}

const fn leaf(name: &'static str) -> Rule {
    Rule {
        name,
        children: &[],
    }
}

const QUANTITY: &[Rule] = &[Rule {
    name: "quantityElement",
    children: &[leaf("epcClass"), leaf("quantity"), leaf("uom")],
}];
const EPCS: &[Rule] = &[leaf("epc")];

/// The canonical order of the standard fields (CBV 2.0 §8.9.2).
pub const ORDER: &[Rule] = &[
    leaf("eventTime"),
    leaf("eventTimeZoneOffset"),
    leaf("certificationInfo"),
    leaf("parentID"),
    Rule {
        name: "epcList",
        children: EPCS,
    },
    Rule {
        name: "inputEPCList",
        children: EPCS,
    },
    Rule {
        name: "childEPCs",
        children: EPCS,
    },
    Rule {
        name: "quantityList",
        children: QUANTITY,
    },
    Rule {
        name: "childQuantityList",
        children: QUANTITY,
    },
    Rule {
        name: "inputQuantityList",
        children: QUANTITY,
    },
    Rule {
        name: "outputEPCList",
        children: EPCS,
    },
    Rule {
        name: "outputQuantityList",
        children: QUANTITY,
    },
    leaf("action"),
    leaf("transformationID"),
    leaf("bizStep"),
    leaf("disposition"),
    Rule {
        name: "persistentDisposition",
        children: &[leaf("set"), leaf("unset")],
    },
    Rule {
        name: "readPoint",
        children: &[leaf("id")],
    },
    Rule {
        name: "bizLocation",
        children: &[leaf("id")],
    },
    Rule {
        name: "sensorElementList",
        children: &[Rule {
            name: "sensorElement",
            children: &[
                Rule {
                    name: "sensorMetadata",
                    children: &[
                        leaf("time"),
                        leaf("startTime"),
                        leaf("endTime"),
                        leaf("deviceID"),
                        leaf("deviceMetadata"),
                        leaf("rawData"),
                        leaf("dataProcessingMethod"),
                        leaf("bizRules"),
                    ],
                },
                Rule {
                    name: "sensorReport",
                    children: &[
                        leaf("type"),
                        leaf("exception"),
                        leaf("deviceID"),
                        leaf("deviceMetadata"),
                        leaf("rawData"),
                        leaf("dataProcessingMethod"),
                        leaf("time"),
                        leaf("microorganism"),
                        leaf("chemicalSubstance"),
                        leaf("value"),
                        leaf("component"),
                        leaf("stringValue"),
                        leaf("booleanValue"),
                        leaf("hexBinaryValue"),
                        leaf("uriValue"),
                        leaf("minValue"),
                        leaf("maxValue"),
                        leaf("meanValue"),
                        leaf("sDev"),
                        leaf("percRank"),
                        leaf("percValue"),
                        leaf("uom"),
                        leaf("coordinateReferenceSystem"),
                    ],
                },
            ],
        }],
    },
];

/// Fields that never take part in the hash (CBV 2.0 §8.9: recordTime, eventID,
/// errorDeclaration), and JSON-LD comments.
const IGNORED: &[&str] = &[
    "recordTime",
    "eventID",
    "type",
    "errorDeclaration",
    "comment",
    "rdfs:comment",
    "{http://www.w3.org/2000/01/rdf-schema#}comment",
];

/// Turns identifiers into their canonical GS1 Digital Link, or `None` to keep them as-is.
pub type IdentifierCanon = fn(&str) -> Option<String>;

/// GS1 identifiers → constrained canonical Digital Link (via lifeline-gs1); a value that is
/// not a GS1 identifier, or a malformed one, is hashed as written.
pub fn gs1_identifier(value: &str) -> Option<String> {
    crate::identifiers::canonical(value).ok().flatten()
}

/// How values are canonicalised.
#[derive(Clone, Copy)]
pub struct HashConfig {
    /// Canonicalisation of identifiers.
    pub identifiers: IdentifierCanon,
}

impl std::fmt::Debug for HashConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashConfig")
    }
}

impl Default for HashConfig {
    fn default() -> Self {
        HashConfig {
            identifiers: gs1_identifier,
        }
    }
}

/// CBV 1.x URN vocabularies → CBV 2.0 web vocabulary.
const VOCABULARY: [(&str, &str); 5] = [
    (
        "urn:epcglobal:cbv:bizstep:",
        "https://ref.gs1.org/cbv/BizStep-",
    ),
    ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
    ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
    ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
    ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
];

/// A decimal number in the shortest form that reads back to the same binary64 value:
/// integral values without a fraction, others as Python's `repr(float)` writes them.
fn canonical_number(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp_digits == 0 {
            return None;
        }
        i += exp_digits;
    }
    if i != bytes.len() {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    if value.fract() == 0.0 {
        let value = if value == 0.0 { 0.0 } else { value };
        return Some(format!("{value:.0}"));
    }
    // Shortest round-trip digits, then Python's layout: positional for decimal exponents
    // in [-4, 16), scientific with a signed two-digit exponent otherwise.
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if (-4..16).contains(&exponent) {
        let point = exponent + 1;
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat(point.unsigned_abs() as usize), digits)
        } else if (point as usize) >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            let (a, b) = digits.split_at(point as usize);
            format!("{a}.{b}")
        };
        Some(format!("{sign}{body}"))
    } else {
        let (first, rest) = digits.split_at(1);
        let mantissa = if rest.is_empty() {
            first.to_owned()
        } else {
            format!("{first}.{rest}")
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        Some(format!(
            "{sign}{mantissa}e{exp_sign}{:02}",
            exponent.unsigned_abs()
        ))
    }
}

fn canonical_value(text: &str, config: HashConfig) -> String {
    let mut value = text.to_owned();
    for (old, new) in VOCABULARY {
        if value.contains(old) {
            value = value.replace(old, new);
        }
    }
    if let Some(number) = canonical_number(&value) {
        value = number;
    }
    match (config.identifiers)(&value) {
        Some(link) => link,
        None => value,
    }
}

fn is_time_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("time") && !lower.contains("offset")
}

fn is_ignored(name: &str, ignore: &[String]) -> bool {
    IGNORED.contains(&name) || ignore.iter().any(|i| i == name)
}

/// A user extension name as the standard's examples write them: `{namespace/}local`.
fn is_user_extension(name: &str) -> bool {
    name.starts_with('{') && name.contains("/}")
}

/// Renders elements generically: `name[=value]` followed by the children, siblings sorted.
/// Recursive (with [`generic_one`]): the readers never build a tree deeper than
/// [`crate::read::MAX_DEPTH`], which keeps this inside a 2 MiB stack.
fn generic(elements: &[Element], config: HashConfig, out: &mut Vec<String>) {
    for element in elements {
        if is_ignored(&element.name, &[]) {
            continue;
        }
        out.push(generic_one(element, config));
    }
    out.sort_unstable();
}

fn generic_one(element: &Element, config: HashConfig) -> String {
    let mut s = String::new();
    let pair = matches!(
        element.name.as_str(),
        "bizTransaction" | "source" | "destination"
    );
    let mut children = Vec::new();
    if pair {
        // `type` first, then the value: the order of CBV 2.0 §8.9.2.
        for child in &element.children {
            children.push(generic_one(child, config));
        }
        children.sort_unstable();
        s.push_str(&children.concat());
        s.push_str(&element.name);
        if !element.text.is_empty() {
            s.push('=');
            s.push_str(&canonical_value(&element.text, config));
        }
        return s;
    }
    s.push_str(&element.name);
    if !element.text.is_empty() {
        s.push('=');
        s.push_str(&canonical_value(&element.text, config));
    }
    generic(&element.children, config, &mut children);
    s.push_str(&children.concat());
    s
}

/// Renders `children` in `order`; returns the string and the children (with their own
/// unconsumed descendants) that the order did not cover.
fn ordered(
    children: &[Element],
    order: &[Rule],
    config: HashConfig,
    top_level: bool,
) -> (String, Vec<Element>) {
    let gather = !top_level && children.len() > 1;
    let is_gathered = |child: &Element| gather && is_user_extension(&child.name);
    let mut out = String::new();
    let mut left: Vec<Element> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    let mut consumed = vec![false; children.len()];
    for rule in order {
        values.clear();
        for (i, child) in children.iter().enumerate() {
            if child.name != rule.name || is_gathered(child) {
                continue;
            }
            let (value, leftovers) = ordered_one(child, rule, config);
            if !value.is_empty() {
                values.push(value);
            }
            consumed[i] = true;
            if !leftovers.is_empty() {
                // As the reference does: the element stays, with its text and only the
                // descendants the order did not cover.
                left.push(Element {
                    name: child.name.clone(),
                    text: child.text.clone(),
                    children: leftovers,
                });
            }
        }
        values.sort_unstable();
        for value in &values {
            out.push_str(value);
        }
    }
    let mut extensions: Vec<String> = Vec::new();
    for (child, done) in children.iter().zip(consumed) {
        if is_gathered(child) {
            if !is_ignored(&child.name, &[]) {
                extensions.push(generic_one(child, config));
            }
        } else if !done {
            left.push(child.clone());
        }
    }
    if !extensions.is_empty() {
        extensions.sort_unstable();
        out.push_str(&extensions.concat());
    }
    (out, left)
}

fn ordered_one(element: &Element, rule: &Rule, config: HashConfig) -> (String, Vec<Element>) {
    let (children, leftovers) = if rule.children.is_empty() {
        (String::new(), element.children.clone())
    } else {
        ordered(&element.children, rule.children, config, false)
    };
    let mut text = String::new();
    if !element.text.is_empty() {
        let value = if is_time_field(&element.name) {
            Timestamp::parse(&element.text)
                .map(Timestamp::canonical)
                .unwrap_or_else(|| element.text.clone())
        } else {
            canonical_value(&element.text, config)
        };
        if !value.is_empty() {
            text = format!("={value}");
        }
    }
    if text.is_empty() && children.is_empty() {
        return (String::new(), leftovers);
    }
    (format!("{}{}{}", element.name, text, children), leftovers)
}

/// The canonical pre-hash string of `event` (CBV 2.0 §8.9).
pub fn prehash(event: &Event, header: &DocumentHeader, config: HashConfig) -> String {
    let (ordered_part, leftovers) = ordered(&event.fields, ORDER, config, true);
    let mut rest = Vec::new();
    for element in &leftovers {
        if is_ignored(&element.name, &header.ignore_fields) {
            continue;
        }
        rest.push(generic_one(element, config));
    }
    rest.sort_unstable();
    let mut out = String::with_capacity(64 + ordered_part.len());
    out.push_str("eventType=");
    out.push_str(event.event_type.as_str());
    out.push_str(&ordered_part);
    for part in rest {
        out.push_str(&part);
    }
    out
}

/// `ni:///sha-256;<hex>?ver=CBV2.0` of a pre-hash string.
pub fn hash_of_prehash(prehash: &str) -> String {
    let digest = Sha256::digest(prehash.as_bytes());
    let mut out = String::with_capacity(86);
    out.push_str("ni:///sha-256;");
    for byte in digest {
        out.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    out.push_str("?ver=CBV2.0");
    out
}

/// The Event Hash ID of `event`.
pub fn event_hash(event: &Event, header: &DocumentHeader, config: HashConfig) -> String {
    hash_of_prehash(&prehash(event, header, config))
}

#[cfg(test)]
mod tests {
    use super::canonical_number;

    #[test]
    fn numbers_as_python_writes_them() {
        let check = |input: &str, expected: Option<&str>| {
            assert_eq!(canonical_number(input).as_deref(), expected, "{input}");
        };
        check("26", Some("26"));
        check("26.0", Some("26"));
        check("+0012.100", Some("12.1"));
        check("0.00001", Some("1e-05"));
        check("0.0001", Some("0.0001"));
        check("-0", Some("0"));
        check("1e3", Some("1000"));
        check("12345678901234567890", Some("12345678901234567168"));
        check("0.18", Some("0.18"));
        check("23.319941", Some("23.319941"));
        check("abc", None);
        check("1.2.3", None);
        check(".", None);
        check("nan", None);
        check("urn:epc:id:sgtin:1.2.3", None);
    }
}
