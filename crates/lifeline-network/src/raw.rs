//! A format-neutral document tree: JSON, YAML and CSV all decode into [`Raw`] first, so
//! one decoder checks every field the same way whatever the input format.
//!
//! `serde_json::Value` cannot hold NaN or infinities (YAML can), and it silently keeps the
//! last of two equal keys; this tree keeps both so the decoder can report them.

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::Format;
use crate::limits::ReadLimits;

/// One value of an input document.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Raw>),
    /// Keys in document order; duplicates are kept so that they can be reported.
    Map(Vec<(String, Raw)>),
}

impl Raw {
    /// A short description of the value for error messages: `-5`, `"abc"`, `a list`.
    pub fn describe(&self) -> String {
        match self {
            Raw::Null => "null".to_owned(),
            Raw::Bool(b) => format!("`{b}`"),
            Raw::Number(n) => format!("`{}`", format_number(*n)),
            Raw::String(s) => format!("`\"{}\"`", lifeline_text::excerpt_to(s, 40)),
            Raw::List(_) => "a list".to_owned(),
            Raw::Map(_) => "an object".to_owned(),
        }
    }
}

/// Formats a number the way a person wrote it: `3` rather than `3.0`, `NaN`, `inf`.
pub fn format_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".to_owned()
    } else if n.is_infinite() {
        if n > 0.0 {
            "inf".to_owned()
        } else {
            "-inf".to_owned()
        }
    } else if n != 0.0 && !(1e-6..1e16).contains(&n.abs()) {
        // `1e308` rather than its 309 digits.
        format!("{n:e}")
    } else {
        format!("{n}")
    }
}

impl<'de> Deserialize<'de> for Raw {
    /// Reads without limits: for trusted input only. The readers of
    /// [`crate::load`] go through [`parse`], which checks [`ReadLimits`].
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let context = Context::new(ReadLimits {
            value_bytes: usize::MAX,
            depth: usize::MAX,
            ..ReadLimits::default()
        });
        RawSeed {
            context: &context,
            depth: 0,
        }
        .deserialize(deserializer)
    }
}

/// Why a document could not be read into a [`Raw`] tree.
#[derive(Debug)]
pub(crate) struct ParseError {
    /// The parser's message, with its line and column where it gives them.
    pub message: String,
    /// Where in the document, as a diagnostic path (`nodes[3].name`), when known.
    pub field: Option<String>,
    /// Whether a [`ReadLimits`] limit stopped the reading.
    pub limit: bool,
}

/// Parses `text` into a [`Raw`] tree, checking the string length and nesting limits.
pub(crate) fn parse(text: &str, format: Format, limits: &ReadLimits) -> Result<Raw, ParseError> {
    let context = Context::new(*limits);
    let seed = RawSeed {
        context: &context,
        depth: 0,
    };
    let result = match format {
        Format::Json => {
            // serde_json stops at 128 levels by itself (its `unbounded_depth` feature is
            // off); the seed's own limit is the one that applies below that.
            let mut deserializer = serde_json::Deserializer::from_str(text);
            seed.deserialize(&mut deserializer)
                .and_then(|raw| deserializer.end().map(|()| raw))
                .map_err(|e| e.to_string())
        }
        Format::Yaml => {
            // Non-finite numbers and repeated keys reach the [`Raw`] tree so that the
            // decoder reports them with the entity and field, as it does for JSON.
            let mut budget = serde_saphyr::budget::Budget::default();
            budget.max_depth = limits.depth;
            budget.max_reader_input_bytes = usize::try_from(limits.file_bytes).ok();
            let options = serde_saphyr::options! {
                non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::PassThrough,
                duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
                budget: Some(budget),
                // The snippet would quote the document's lines, raw, into the message.
                with_snippet: false,
            };
            serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
                seed.deserialize(de)
            })
            .map_err(|e| e.to_string())
        }
    };
    result.map_err(|message| {
        let mut trail = context.trail.take();
        trail.reverse();
        let breach = context.breach.take();
        ParseError {
            message,
            field: (!trail.is_empty()).then(|| {
                // Keys were cut to excerpts as they were recorded; the whole path is cut
                // too, for a list nested a thousand deep.
                let path = trail.concat();
                let path = path.strip_prefix('.').unwrap_or(&path);
                lifeline_text::excerpt_to(path, 120).into_owned()
            }),
            limit: breach,
        }
    })
}

/// What the visitors share: the limits, and where an error happened.
struct Context {
    limits: ReadLimits,
    /// Path segments (`nodes`, `[3]`, `.name`) pushed while an error unwinds, innermost
    /// first: nothing is recorded on the way down, so reading costs nothing extra.
    trail: RefCell<Vec<String>>,
    /// Set when a limit, rather than the syntax, stopped the reading.
    breach: Cell<bool>,
}

impl Context {
    fn new(limits: ReadLimits) -> Context {
        Context {
            limits,
            trail: RefCell::new(Vec::new()),
            breach: Cell::new(false),
        }
    }

    fn exceeded<E: de::Error>(&self, message: String) -> E {
        self.breach.set(true);
        E::custom(message)
    }

    fn check_string<E: de::Error>(&self, value: &str) -> Result<(), E> {
        if value.len() > self.limits.value_bytes {
            return Err(self.exceeded(format!(
                "a string of {} bytes is longer than the limit of {} bytes per value",
                value.len(),
                self.limits.value_bytes
            )));
        }
        Ok(())
    }

    fn enter<E: de::Error>(&self, depth: usize) -> Result<usize, E> {
        let inner = depth + 1;
        if inner > self.limits.depth {
            return Err(self.exceeded(format!(
                "lists and objects nest deeper than the limit of {} levels",
                self.limits.depth
            )));
        }
        Ok(inner)
    }

    fn push_key(&self, key: &str) {
        self.trail
            .borrow_mut()
            .push(format!(".{}", lifeline_text::excerpt(key)));
    }

    fn push_index(&self, index: usize) {
        self.trail.borrow_mut().push(format!("[{index}]"));
    }
}

struct RawSeed<'c> {
    context: &'c Context,
    /// Lists and objects around the value.
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for RawSeed<'_> {
    type Value = Raw;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Raw, D::Error> {
        deserializer.deserialize_any(RawVisitor {
            context: self.context,
            depth: self.depth,
        })
    }
}

struct RawVisitor<'c> {
    context: &'c Context,
    depth: usize,
}

impl<'de> Visitor<'de> for RawVisitor<'_> {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    // Precision loss above 2^53 is accepted: every quantity in the model is an f64.
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Number(v as f64))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
        Ok(Raw::Number(v as f64))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
        Ok(Raw::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Number(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
        self.context.check_string(v)?;
        Ok(Raw::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
        self.context.check_string(&v)?;
        Ok(Raw::String(v))
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        RawSeed {
            context: self.context,
            depth: self.depth,
        }
        .deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let depth = self.context.enter(self.depth)?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            let seed = RawSeed {
                context: self.context,
                depth,
            };
            match seq.next_element_seed(seed) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => break,
                Err(error) => {
                    self.context.push_index(items.len());
                    return Err(error);
                }
            }
        }
        Ok(Raw::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let depth = self.context.enter(self.depth)?;
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        loop {
            let seed = RawSeed {
                context: self.context,
                depth,
            };
            let key = match map.next_key_seed(seed)? {
                None => break,
                Some(Raw::String(s)) => s,
                Some(Raw::Number(n)) => format_number(n),
                Some(Raw::Bool(b)) => b.to_string(),
                Some(Raw::Null) => "null".to_owned(),
                Some(Raw::List(_) | Raw::Map(_)) => {
                    return Err(de::Error::custom(
                        "a key must be a string, not a list or object",
                    ));
                }
            };
            let seed = RawSeed {
                context: self.context,
                depth,
            };
            match map.next_value_seed(seed) {
                Ok(value) => entries.push((key, value)),
                Err(error) => {
                    self.context.push_key(&key);
                    return Err(error);
                }
            }
        }
        Ok(Raw::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_duplicate_keys_and_order() {
        let raw: Raw = serde_json::from_str(r#"{"b": 1, "a": [true, null, "x"], "b": 2.5}"#)
            .expect("valid JSON");
        assert_eq!(
            raw,
            Raw::Map(vec![
                ("b".into(), Raw::Number(1.0)),
                (
                    "a".into(),
                    Raw::List(vec![Raw::Bool(true), Raw::Null, Raw::String("x".into())])
                ),
                ("b".into(), Raw::Number(2.5)),
            ])
        );
    }

    #[test]
    fn yaml_reads_non_finite_numbers() {
        let raw: Raw =
            crate::parse_raw("a: .nan\nb: -.inf\nc: 3\n", crate::Format::Yaml).expect("valid YAML");
        let Raw::Map(entries) = raw else {
            panic!("expected a map")
        };
        assert!(matches!(entries[0].1, Raw::Number(n) if n.is_nan()));
        assert_eq!(entries[1].1, Raw::Number(f64::NEG_INFINITY));
        assert_eq!(entries[2].1, Raw::Number(3.0));
    }
}
