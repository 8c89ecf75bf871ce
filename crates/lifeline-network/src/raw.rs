//! A format-neutral document tree: JSON, YAML and CSV all decode into [`Raw`] first, so
//! one decoder checks every field the same way whatever the input format.
//!
//! `serde_json::Value` cannot hold NaN or infinities (YAML can), and it silently keeps the
//! last of two equal keys; this tree keeps both so the decoder can report them.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

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
            Raw::String(s) if s.chars().count() > 40 => {
                let head: String = s.chars().take(40).collect();
                format!("`\"{head}…\"`")
            }
            Raw::String(s) => format!("`\"{s}\"`"),
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
    } else {
        format!("{n}")
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
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
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::String(v))
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some(key) = map.next_key::<Raw>()? {
            let key = match key {
                Raw::String(s) => s,
                Raw::Number(n) => format_number(n),
                Raw::Bool(b) => b.to_string(),
                Raw::Null => "null".to_owned(),
                Raw::List(_) | Raw::Map(_) => {
                    return Err(de::Error::custom(
                        "a key must be a string, not a list or object",
                    ));
                }
            };
            entries.push((key, map.next_value()?));
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
