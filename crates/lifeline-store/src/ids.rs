//! Identifiers, secrets and time.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

/// A new random identifier with a prefix saying what it names (`org_`, `usr_`, `net_`,
/// ...): 96 random bits, so ids cannot be guessed or enumerated.
pub fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}_{}", hex(&bytes))
}

/// A new secret (a token, a session key): 256 bits from the thread's CSPRNG (ChaCha,
/// seeded and reseeded by the operating system), URL-safe base64, with a prefix.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored of a secret: its SHA-256, hex. Secrets are 256 random bits, so a fast
/// hash is enough (a password needs argon2id; a random token does not).
pub fn secret_digest(secret: &str) -> String {
    sha256_hex(secret.as_bytes())
}

/// SHA-256 of `bytes`, hex: the digest stored for uploads, secrets and audit entries.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// Unix milliseconds as RFC 3339 UTC (`2026-12-06T02:30:00.123Z`).
pub fn rfc3339(ms: i64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}

/// Whether a caller's key (a name, an id) holds a NUL. No stored name or id does, and
/// PostgreSQL refuses such text as a query parameter (SQLite compares it): lookups answer
/// "not found" for it before asking the database, the same on both.
pub(crate) fn holds_nul(key: &str) -> bool {
    key.contains('\0')
}
