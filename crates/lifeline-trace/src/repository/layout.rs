//! The repository's file layout: the tables, the pragmas, and how keys, roles and facts
//! are written into rows and read back.

use rusqlite::types::ValueRef;

use crate::TraceError;
use crate::facts::{EventFacts, Role};

/// Layout version, kept in `PRAGMA user_version`; a repository of another layout is refused.
pub(super) const LAYOUT: i64 = 3;

/// Page cache of each connection, in KiB (`PRAGMA cache_size` takes a negative number as
/// KiB): 64 MiB, so memory follows this working set, not the size of what is ingested or
/// checked.
pub(super) const CACHE_KIB: i64 = 65_536;

/// Pragmas of a connection that writes.
///
/// The rollback journal (`TRUNCATE`), not WAL: an ingest is one transaction per file, and
/// a file of a million events is a transaction of gigabytes. In a rollback journal only the
/// pages that existed before are copied (the new pages an ingest appends are not), and they
/// are written once; in WAL every page of the transaction goes to the `-wal` file, which
/// grows to the size of the whole transaction, and is written again at the checkpoint.
/// WAL's gain, readers that never wait for a writer, is kept in the main: a reader opens the
/// file read-only and reads while an ingest holds its reserved lock; it waits (up to the
/// busy timeout, 5 s) only while the writer holds the exclusive lock, when it commits or
/// spills more than the page cache to the file. A WAL file also needs its `-shm` file
/// writable by every reader, which a read-only reader of a shared folder may not have.
pub(super) fn write_pragmas() -> String {
    format!(
        "PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = NORMAL; \
         PRAGMA cache_size = -{CACHE_KIB}; PRAGMA temp_store = FILE;"
    )
}

/// Pragmas of a read-only connection (the journal mode is the writer's business).
pub(super) fn read_pragmas() -> String {
    format!("PRAGMA cache_size = -{CACHE_KIB}; PRAGMA temp_store = FILE;")
}

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sources (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS epcs (id INTEGER PRIMARY KEY, epc TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    hash BLOB NOT NULL UNIQUE,
    event_id TEXT,
    event_type TEXT NOT NULL,
    event_time INTEGER NOT NULL,
    action TEXT NOT NULL,
    biz_step TEXT NOT NULL,
    disposition TEXT NOT NULL,
    read_point TEXT,
    biz_location TEXT,
    retracted INTEGER NOT NULL DEFAULT 0,
    mismatch INTEGER NOT NULL,
    source INTEGER NOT NULL,
    facts BLOB NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_time ON events (event_time, seq);
CREATE INDEX IF NOT EXISTS events_biz_step ON events (biz_step);
CREATE INDEX IF NOT EXISTS events_disposition ON events (disposition);
CREATE INDEX IF NOT EXISTS events_read_point ON events (read_point);
CREATE INDEX IF NOT EXISTS events_biz_location ON events (biz_location);
CREATE INDEX IF NOT EXISTS events_mismatch ON events (seq) WHERE mismatch = 1;
CREATE TABLE IF NOT EXISTS event_epcs (
    epc INTEGER NOT NULL, seq INTEGER NOT NULL, role INTEGER NOT NULL,
    PRIMARY KEY (epc, seq, role)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_links (parent INTEGER NOT NULL, child INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS event_classes (seq INTEGER NOT NULL, class TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS event_classes_class ON event_classes (class);
CREATE TABLE IF NOT EXISTS event_parties (seq INTEGER NOT NULL, side TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS event_parties_id ON event_parties (id);
";

/// The Event Hash ID as stored: the 32 bytes of the digest when it has the standard form
/// `ni:///sha-256;<64 hex>?ver=CBV2.0`, else the text's bytes (never 32 long).
pub(super) fn hash_key(hash: &str) -> Vec<u8> {
    let hex = hash
        .strip_prefix("ni:///sha-256;")
        .and_then(|rest| rest.strip_suffix("?ver=CBV2.0"))
        .filter(|hex| hex.len() == 64);
    if let Some(hex) = hex {
        let digits: Option<Vec<u8>> = hex
            .as_bytes()
            .chunks(2)
            .map(|pair| {
                std::str::from_utf8(pair)
                    .ok()
                    .and_then(|p| u8::from_str_radix(p, 16).ok())
            })
            .collect();
        if let Some(bytes) = digits {
            return bytes;
        }
    }
    hash.as_bytes().to_vec()
}

pub(super) fn role_code(role: Role) -> i64 {
    match role {
        Role::Epc => 0,
        Role::Parent => 1,
        Role::Child => 2,
        Role::Input => 3,
        Role::Output => 4,
    }
}

pub(super) fn text_of(value: ValueRef<'_>) -> Result<&str, TraceError> {
    value.as_str().map_err(|e| TraceError::Corrupt {
        what: "EPC",
        message: e.to_string(),
    })
}

pub(super) fn blob_of(value: ValueRef<'_>) -> Result<&[u8], TraceError> {
    value.as_blob().map_err(|e| TraceError::Corrupt {
        what: "facts",
        message: e.to_string(),
    })
}

/// The facts as stored: postcard, a compact binary serde format (about half the size of
/// JSON, and quicker to read back for every check).
pub(super) fn encode_facts(facts: &EventFacts) -> Result<Vec<u8>, TraceError> {
    postcard::to_stdvec(facts).map_err(|e| TraceError::Serialise {
        what: "facts",
        message: e.to_string(),
    })
}

pub(super) fn decode_facts(blob: &[u8]) -> Result<EventFacts, TraceError> {
    postcard::from_bytes(blob).map_err(|e| TraceError::Corrupt {
        what: "facts",
        message: e.to_string(),
    })
}
