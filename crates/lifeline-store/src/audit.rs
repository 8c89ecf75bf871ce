//! The tamper-evident audit log: one entry per write, each holding the SHA-256 of the one
//! before it, so that editing, inserting or deleting an entry breaks the chain where it was
//! done, and [`Store::verify_audit`] names that entry.
//!
//! Tamper-evident, not tamper-proof: someone who can write the database can rewrite the
//! whole tail of the chain consistently. Keep the head hash that `lifeline audit verify`
//! prints somewhere else (a ticket, a log shipper) to detect that too.

use serde::Serialize;
use sha2::{Digest as _, Sha256};
use sqlx::{AnyConnection, Row as _};

use crate::ids::hex;
use crate::{Store, StoreError, now_ms};

/// The hash that the first entry chains onto.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What one write appends: who (`actor`, a user name or `system`/`admin-cli`), in which
/// organisation, did what (`action`, such as `network.upload`) to what (`target`, an id),
/// with details.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub org_id: Option<String>,
    pub actor: String,
    pub action: &'static str,
    pub target: String,
    pub detail: serde_json::Value,
}

impl AuditEntry {
    pub fn new(actor: &str, action: &'static str, target: &str) -> AuditEntry {
        AuditEntry {
            org_id: None,
            actor: actor.to_owned(),
            action,
            target: target.to_owned(),
            detail: serde_json::Value::Null,
        }
    }

    pub fn org(mut self, org_id: &str) -> AuditEntry {
        self.org_id = Some(org_id.to_owned());
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> AuditEntry {
        self.detail = detail;
        self
    }
}

/// One stored entry, as listed to an organisation's admins.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub org_id: Option<String>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A chain that holds: how many entries, and the hash of the last one (the head).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub entries: u64,
    pub head: String,
}

/// The first place where the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Tamper {
    #[error("entry {seq}: edited: its content does not match its hash")]
    Edited { seq: i64 },
    #[error("entry {expected}: missing (deleted): entry {found} follows entry {previous}")]
    Deleted {
        expected: i64,
        found: i64,
        previous: i64,
    },
    #[error(
        "entry {seq}: does not chain onto entry {previous}: an entry was inserted, replaced or deleted before it"
    )]
    Inserted { seq: i64, previous: i64 },
}

impl Tamper {
    /// The entry the problem was found at.
    pub fn seq(&self) -> i64 {
        match *self {
            Tamper::Edited { seq } | Tamper::Inserted { seq, .. } => seq,
            Tamper::Deleted { expected, .. } => expected,
        }
    }
}

/// The hash of an entry: SHA-256 over its fields (all but `hash`) as a JSON array, which
/// is unambiguous whatever the fields hold.
fn entry_hash(row: &AuditRow) -> String {
    let canonical = serde_json::json!([
        row.seq,
        row.at,
        row.org_id,
        row.actor,
        row.action,
        row.target,
        row.detail,
        row.prev_hash
    ]);
    hex(&Sha256::digest(canonical.to_string().as_bytes()))
}

/// Appends `entry` after the last one, in the caller's transaction (which holds the write
/// lock); returns its sequence number.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    entry: &AuditEntry,
) -> Result<i64, StoreError> {
    let last = sqlx::query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (seq, prev_hash) = match last {
        Some(row) => (
            row.try_get::<i64, _>("seq")? + 1,
            row.try_get::<String, _>("hash")?,
        ),
        None => (1, GENESIS.to_owned()),
    };
    let mut row = AuditRow {
        seq,
        at: now_ms(),
        org_id: entry.org_id.clone(),
        actor: entry.actor.clone(),
        action: entry.action.to_owned(),
        target: entry.target.clone(),
        detail: entry.detail.to_string(),
        prev_hash,
        hash: String::new(),
    };
    row.hash = entry_hash(&row);
    sqlx::query(
        "INSERT INTO audit (seq, at, org_id, actor, action, target, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(row.seq)
    .bind(row.at)
    .bind(row.org_id)
    .bind(row.actor)
    .bind(row.action)
    .bind(row.target)
    .bind(row.detail)
    .bind(row.prev_hash)
    .bind(row.hash)
    .execute(&mut *conn)
    .await?;
    Ok(seq)
}

fn row_of(row: &sqlx::any::AnyRow) -> Result<AuditRow, sqlx::Error> {
    Ok(AuditRow {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        org_id: row.try_get("org_id")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        target: row.try_get("target")?,
        detail: row.try_get("detail")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

const PAGE: i64 = 5_000;

impl Store {
    /// Walks the whole chain in order and returns its head, or the first entry where it
    /// breaks.
    pub async fn verify_audit(&self) -> Result<Result<AuditReport, Tamper>, StoreError> {
        let mut previous_seq = 0;
        let mut previous_hash = GENESIS.to_owned();
        let mut entries = 0u64;
        loop {
            let rows = sqlx::query(
                "SELECT seq, at, org_id, actor, action, target, detail, prev_hash, hash \
                 FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(previous_seq)
            .bind(PAGE)
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                return Ok(Ok(AuditReport {
                    entries,
                    head: previous_hash,
                }));
            }
            for row in &rows {
                let row = row_of(row)?;
                if entry_hash(&row) != row.hash {
                    return Ok(Err(Tamper::Edited { seq: row.seq }));
                }
                if row.seq != previous_seq + 1 {
                    return Ok(Err(Tamper::Deleted {
                        expected: previous_seq + 1,
                        found: row.seq,
                        previous: previous_seq,
                    }));
                }
                if row.prev_hash != previous_hash {
                    return Ok(Err(Tamper::Inserted {
                        seq: row.seq,
                        previous: previous_seq,
                    }));
                }
                previous_seq = row.seq;
                previous_hash = row.hash;
                entries += 1;
            }
        }
    }

    /// The latest `limit` entries of an organisation, newest first.
    pub async fn audit_entries(
        &self,
        org_id: &str,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, org_id, actor, action, target, detail, prev_hash, hash \
             FROM audit WHERE org_id = $1 ORDER BY seq DESC LIMIT $2",
        )
        .bind(org_id)
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(row_of).collect::<Result<_, _>>()?)
    }
}
