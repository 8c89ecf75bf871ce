//! The hash chain of an incident's timeline.
//!
//! Each entry's `hash` is the SHA-256 (hex) of the previous entry's hash, a newline, and
//! the canonical JSON of `{"actor", "at", "event", "seq"}`: object keys sorted by their
//! bytes at every depth, no whitespace, whole numbers as integers (`17`, never `17.0`) and
//! other numbers in their shortest round-trip form, `at` as RFC 3339 in UTC to the
//! millisecond. The first entry chains to
//! [`GENESIS`]. Changing any field of any entry, or removing, reordering or inserting an
//! entry, breaks the chain at that entry or the next, and [`verify`] says where.

use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Entry, Event};

/// What the first entry's `prev` is: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Where and why a timeline's chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("timeline entry {seq}: {reason}")]
pub struct Broken {
    /// The `seq` the broken entry should have (its position, from 1).
    pub seq: u64,
    pub reason: String,
}

/// `at` as the chain records it: UTC, whole milliseconds (what a store keeps).
pub fn normalize_time(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(time::UtcOffset::UTC);
    let millis = at.millisecond();
    at.replace_millisecond(millis).unwrap_or(at)
}

/// The hash of an entry with these fields, chained to `prev`.
pub fn entry_hash(prev: &str, seq: u64, at: OffsetDateTime, actor: &str, event: &Event) -> String {
    let at = normalize_time(at)
        .format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string());
    let event = serde_json::to_value(event).unwrap_or(Value::Null);
    let mut record = serde_json::Map::new();
    record.insert("actor".to_owned(), Value::from(actor));
    record.insert("at".to_owned(), Value::from(at));
    record.insert("event".to_owned(), event);
    record.insert("seq".to_owned(), Value::from(seq));
    let mut text = String::new();
    canonical(&Value::Object(record), &mut text);
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(b"\n");
    hasher.update(text.as_bytes());
    hex(&hasher.finalize())
}

/// The entry `seq` with these fields, chained to `prev_hash` (`at` normalised as
/// [`normalize_time`] does).
pub fn seal(prev_hash: &str, seq: u64, at: OffsetDateTime, actor: &str, event: Event) -> Entry {
    let at = normalize_time(at);
    let hash = entry_hash(prev_hash, seq, at, actor, &event);
    Entry {
        seq,
        at,
        actor: actor.to_owned(),
        event,
        prev: prev_hash.to_owned(),
        hash,
    }
}

/// Checks the whole chain: entries numbered 1, 2, 3, ... in order, each chained to the
/// one before (the first to [`GENESIS`]), each hash matching its fields.
///
/// # Errors
///
/// The first entry that breaks the chain, with the reason.
pub fn verify(entries: &[Entry]) -> Result<(), Broken> {
    let mut prev = GENESIS;
    for (position, entry) in (1u64..).zip(entries) {
        if entry.seq != position {
            return Err(Broken {
                seq: position,
                reason: format!(
                    "numbered {} where {position} was expected (an entry removed, inserted or moved)",
                    entry.seq
                ),
            });
        }
        if entry.prev != prev {
            return Err(Broken {
                seq: position,
                reason: "its `prev` is not the hash of the entry before it (an entry removed, inserted or moved)".to_owned(),
            });
        }
        let expected = entry_hash(&entry.prev, entry.seq, entry.at, &entry.actor, &entry.event);
        if entry.hash != expected {
            return Err(Broken {
                seq: position,
                reason: "its hash does not match its contents (the entry was edited)".to_owned(),
            });
        }
        prev = &entry.hash;
    }
    Ok(())
}

/// Writes `value` as canonical JSON: keys sorted, no whitespace.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push(':');
                if let Some(item) = map.get(key) {
                    canonical(item, out);
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
                canonical(item, out);
            }
            out.push(']');
        }
        Value::Number(n) => out.push_str(&canonical_number(n)),
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// A whole number written as an integer whether it was read as one or as a float
/// (`17.0` and `17` are the same number, and a store or a JSON database may turn one into
/// the other); any other number in its shortest round-trip form.
fn canonical_number(n: &serde_json::Number) -> String {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every whole f64 below is exact
    match n.as_f64() {
        Some(x) if n.is_f64() && x.is_finite() && x.fract() == 0.0 && x.abs() < EXACT => {
            #[allow(clippy::cast_possible_truncation)]
            let whole = x as i64;
            whole.to_string()
        }
        _ => n.to_string(),
    }
}

/// Bytes as lower-case hex (a SHA-256 digest as its 64 characters).
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}
