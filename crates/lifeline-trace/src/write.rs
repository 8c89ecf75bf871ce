//! Writing events as EPCIS 2.0 JSON-LD: the repository stores each event this way, and
//! `XML → model → JSON-LD → model` keeps every Event Hash ID (tested).
//!
//! User extensions (`{namespace}local`) get a prefix from the document's own namespace
//! declarations when it has one, else `ext1`, `ext2`, … in order of appearance; the
//! prefixes go into the document's `@context`.

use serde_json::{Map, Value};

use crate::model::{DocumentHeader, Element, Event};

/// The EPCIS 2.0 JSON-LD context IRI.
pub const EPCIS_CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

/// Prefixes for user-extension namespaces, collected while writing.
#[derive(Debug, Default)]
pub struct Prefixes {
    known: Vec<(String, String)>,
    used: Vec<(String, String)>,
}

impl Prefixes {
    /// Starts from a document's declared prefixes.
    pub fn from_header(header: &DocumentHeader) -> Self {
        Prefixes {
            known: header
                .namespaces
                .iter()
                .filter(|(p, _)| !p.is_empty())
                .cloned()
                .collect(),
            used: Vec::new(),
        }
    }

    fn key(&mut self, name: &str) -> String {
        let Some(rest) = name.strip_prefix('{') else {
            return name.to_owned();
        };
        let Some((namespace, local)) = rest.split_once('}') else {
            return name.to_owned();
        };
        if let Some((prefix, _)) = self.used.iter().find(|(_, ns)| ns == namespace) {
            return format!("{prefix}:{local}");
        }
        let prefix = self
            .known
            .iter()
            .find(|(p, ns)| ns == namespace && !self.used.iter().any(|(u, _)| u == p))
            .map(|(p, _)| p.clone())
            .unwrap_or_else(|| {
                let mut n = self.used.len() + 1;
                loop {
                    let candidate = format!("ext{n}");
                    if !self.used.iter().any(|(u, _)| *u == candidate)
                        && !self.known.iter().any(|(k, _)| *k == candidate)
                    {
                        break candidate;
                    }
                    n += 1;
                }
            });
        self.used.push((prefix.clone(), namespace.to_owned()));
        format!("{prefix}:{local}")
    }

    /// Whether a reader of the written JSON-LD would expand `text` as a CURIE (`p:rest`
    /// with `p` a declared or standard prefix, or one this writer may declare), so that it
    /// must be written as a literal (`{"@value": …}`) to be read back unchanged.
    fn would_expand(&self, text: &str) -> bool {
        let Some((prefix, rest)) = text.split_once(':') else {
            return false;
        };
        !rest.starts_with("//")
            && (crate::read::json::STANDARD_PREFIXES
                .iter()
                .any(|(p, _)| *p == prefix)
                || prefix
                    .strip_prefix("ext")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                || self
                    .known
                    .iter()
                    .chain(&self.used)
                    .any(|(p, _)| p == prefix))
    }

    /// Whether any extension prefix was used: else the `@context` is the EPCIS one alone.
    pub fn any_used(&self) -> bool {
        !self.used.is_empty()
    }

    /// The `@context` value: the EPCIS context, then one object per prefix used.
    pub fn context(&self) -> Value {
        let mut list = vec![Value::String(EPCIS_CONTEXT.to_owned())];
        for (prefix, namespace) in &self.used {
            let mut object = Map::new();
            object.insert(prefix.clone(), Value::String(namespace.clone()));
            list.push(Value::Object(object));
        }
        Value::Array(list)
    }
}

const NUMERIC: [&str; 9] = [
    "quantity",
    "value",
    "minValue",
    "maxValue",
    "meanValue",
    "sDev",
    "percRank",
    "percValue",
    "uncertainty",
];

fn scalar(name: &str, text: &str, prefixes: &Prefixes) -> Value {
    if NUMERIC.contains(&name)
        && let Ok(number) = text.parse::<f64>()
        && number.is_finite()
        && let Some(number) = serde_json::Number::from_f64(number)
    {
        return Value::Number(number);
    }
    if name == "booleanValue" {
        match text {
            "true" => return Value::Bool(true),
            "false" => return Value::Bool(false),
            _ => {}
        }
    }
    if prefixes.would_expand(text) {
        // A value that reads like a CURIE of a prefix in the context (`xsi:boolean` where
        // `xsi` is declared) would be expanded on reading; a value object is kept as is.
        let mut literal = Map::new();
        literal.insert("@value".to_owned(), Value::String(text.to_owned()));
        return Value::Object(literal);
    }
    Value::String(text.to_owned())
}

fn insert(map: &mut Map<String, Value>, key: String, value: Value, force_list: bool) {
    match map.get_mut(&key) {
        Some(Value::Array(list)) => list.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
        None => {
            map.insert(
                key,
                if force_list {
                    Value::Array(vec![value])
                } else {
                    value
                },
            );
        }
    }
}

/// Recursive: the readers never build a tree deeper than [`crate::read::MAX_DEPTH`].
fn generic(element: &Element, prefixes: &mut Prefixes) -> Value {
    if element.children.is_empty() {
        return scalar(&element.name, &element.text, prefixes);
    }
    let mut map = Map::new();
    for child in &element.children {
        let key = prefixes.key(&child.name);
        let value = match child.name.as_str() {
            "sensorReport" => {
                let value = generic(child, prefixes);
                insert(&mut map, key, value, true);
                continue;
            }
            _ => generic(child, prefixes),
        };
        insert(&mut map, key, value, false);
    }
    if !element.text.is_empty() {
        map.insert("#text".to_owned(), Value::String(element.text.clone()));
    }
    Value::Object(map)
}

fn pair_list(field: &Element, item: &str, prefixes: &mut Prefixes) -> Value {
    Value::Array(
        field
            .children
            .iter()
            .map(|entry| {
                let mut map = Map::new();
                for child in &entry.children {
                    let key = prefixes.key(&child.name);
                    let value = generic(child, prefixes);
                    insert(&mut map, key, value, false);
                }
                map.insert(item.to_owned(), Value::String(entry.text.clone()));
                Value::Object(map)
            })
            .collect(),
    )
}

/// One event as a JSON-LD object.
pub fn event_to_json(event: &Event, prefixes: &mut Prefixes) -> Value {
    let mut map = Map::new();
    map.insert(
        "type".to_owned(),
        Value::String(event.event_type.as_str().to_owned()),
    );
    for field in &event.fields {
        let value = match field.name.as_str() {
            "epcList" | "inputEPCList" | "outputEPCList" | "childEPCs" => Value::Array(
                field
                    .children
                    .iter()
                    .map(|e| Value::String(e.text.clone()))
                    .collect(),
            ),
            "quantityList" | "childQuantityList" | "inputQuantityList" | "outputQuantityList"
            | "sensorElementList" => Value::Array(
                field
                    .children
                    .iter()
                    .map(|e| generic(e, prefixes))
                    .map(|v| match v {
                        Value::Object(_) => v,
                        _ => Value::Object(Map::new()),
                    })
                    .collect(),
            ),
            "bizTransactionList" => pair_list(field, "bizTransaction", prefixes),
            "sourceList" => pair_list(field, "source", prefixes),
            "destinationList" => pair_list(field, "destination", prefixes),
            "persistentDisposition" => {
                let mut object = Map::new();
                for child in &field.children {
                    insert(
                        &mut object,
                        child.name.clone(),
                        Value::String(child.text.clone()),
                        true,
                    );
                }
                Value::Object(object)
            }
            "errorDeclaration" => {
                let mut object = Map::new();
                for child in &field.children {
                    if child.name == "correctiveEventIDs" {
                        object.insert(
                            "correctiveEventIDs".to_owned(),
                            Value::Array(
                                child
                                    .children
                                    .iter()
                                    .map(|c| Value::String(c.text.clone()))
                                    .collect(),
                            ),
                        );
                    } else {
                        let key = prefixes.key(&child.name);
                        let value = generic(child, prefixes);
                        insert(&mut object, key, value, false);
                    }
                }
                Value::Object(object)
            }
            _ => generic(field, prefixes),
        };
        let key = prefixes.key(&field.name);
        insert(&mut map, key, value, false);
    }
    Value::Object(map)
}

/// A whole EPCIS 2.0 JSON-LD document with `events`.
pub fn document_to_json(header: &DocumentHeader, events: &[Event]) -> Value {
    let mut prefixes = Prefixes::from_header(header);
    let list: Vec<Value> = events
        .iter()
        .map(|e| event_to_json(e, &mut prefixes))
        .collect();
    let mut document = Map::new();
    document.insert("@context".to_owned(), prefixes.context());
    document.insert("type".to_owned(), Value::String("EPCISDocument".to_owned()));
    document.insert("schemaVersion".to_owned(), Value::String("2.0".to_owned()));
    document.insert(
        "creationDate".to_owned(),
        Value::String(if header.creation_date.is_empty() {
            "1970-01-01T00:00:00Z".to_owned()
        } else {
            header.creation_date.clone()
        }),
    );
    if !header.ignore_fields.is_empty() {
        let fields: Vec<Value> = header
            .ignore_fields
            .iter()
            .map(|f| Value::String(prefixes.key(f)))
            .collect();
        document.insert("lifeline:ignoreFields".to_owned(), Value::Array(fields));
    }
    let mut body = Map::new();
    body.insert("eventList".to_owned(), Value::Array(list));
    document.insert("epcisBody".to_owned(), Value::Object(body));
    // The context must name every prefix used, including those of ignoreFields.
    document.insert("@context".to_owned(), prefixes.context());
    Value::Object(document)
}
