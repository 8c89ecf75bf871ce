//! Deterministic identifiers and STIX timestamps.
//!
//! Objects lifeline makes get UUIDv5 ids in lifeline's own namespace, from the
//! organisation, the incident and what the object stands for, so exporting the same
//! incident again gives the same ids (a partner's store sees new versions of the same
//! objects, never duplicates). Cyber-observable objects get the ids the STIX 2.1
//! specification prescribes (section 2.9): UUIDv5 in the namespace
//! `00abedb4-aa42-466c-9c01-fed23315a9b7` over the canonical JSON (RFC 8785) of their
//! id-contributing properties, so the same observable has the same id everywhere.

use serde_json::{Map, Value};
use uuid::Uuid;

/// The namespace the STIX 2.1 specification (section 2.9) gives for cyber-observable ids.
pub const STIX_SCO_NAMESPACE: Uuid = Uuid::from_u128(0x00ab_edb4_aa42_466c_9c01_fed2_3315_a9b7);

/// lifeline's namespace: UUIDv5 of the URL `urn:lifeline:stix` in the RFC 9562 URL
/// namespace.
pub fn lifeline_namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:lifeline:stix")
}

/// `TYPE--UUIDv5`, the UUID from `parts` (written as a JSON array, so no two lists of
/// parts collide) in lifeline's namespace.
pub fn object_id(kind: &str, parts: &[&str]) -> String {
    let name = serde_json::to_string(parts).unwrap_or_default();
    format!(
        "{kind}--{}",
        Uuid::new_v5(&lifeline_namespace(), name.as_bytes())
    )
}

/// The id STIX 2.1 prescribes for a cyber-observable of type `kind` whose id-contributing
/// properties are `contributing` (absent properties left out).
pub fn sco_id(kind: &str, contributing: &Map<String, Value>) -> String {
    let canonical = canonical_json(&Value::Object(contributing.clone()));
    format!(
        "{kind}--{}",
        Uuid::new_v5(&STIX_SCO_NAMESPACE, canonical.as_bytes())
    )
}

/// RFC 8785 canonical JSON for the values STIX id-contributing properties hold (strings,
/// integers, lists and objects): object members sorted by key (UTF-16 code units), no
/// white space. serde_json escapes strings as RFC 8785 does (`\"`, `\\`, the short escapes
/// and `\u00xx` for other control characters, everything else as UTF-8).
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(member) = map.get(key) {
                    write_canonical(member, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A STIX timestamp: UTC, millisecond precision, `Z` (`2026-12-01T08:00:00.000Z`), written
/// as a CACAO one is.
pub use lifeline_response::cacao::timestamp;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    #[test]
    fn sco_ids_are_uuid5_over_the_contributing_properties() {
        // An email address's id-contributing property is its `value` alone.
        let mut contributing = Map::new();
        contributing.insert("value".into(), json!("john@example.com"));
        assert_eq!(
            canonical_json(&Value::Object(contributing.clone())),
            r#"{"value":"john@example.com"}"#
        );
        let id = sco_id("email-addr", &contributing);
        assert!(id.starts_with("email-addr--"));
        let uuid = Uuid::parse_str(id.trim_start_matches("email-addr--")).expect("a UUID");
        assert_eq!(uuid.get_version_num(), 5);
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let value = json!({"b": [1, {"z": 1, "a": "é\u{1}"}], "a": null});
        assert_eq!(
            canonical_json(&value),
            r#"{"a":null,"b":[1,{"a":"é\u0001","z":1}]}"#
        );
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(
            object_id("incident", &["a", "b"]),
            object_id("incident", &["a", "b"])
        );
        assert_ne!(
            object_id("incident", &["a", "b"]),
            object_id("incident", &["ab"])
        );
        assert_ne!(
            object_id("incident", &["a,b"]),
            object_id("incident", &["a", "b"])
        );
    }

    #[test]
    fn timestamps_are_utc_milliseconds() {
        assert_eq!(
            timestamp(datetime!(2026-12-01 09:30:15.123456 +01:00)),
            "2026-12-01T08:30:15.123Z"
        );
    }
}
