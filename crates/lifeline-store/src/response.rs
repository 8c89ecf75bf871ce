//! Incident response's storage, per organisation: imported playbooks (CACAO JSON, a new
//! version per import), incidents with their hash-chained timelines, and tabletop exercise
//! runs.
//!
//! The store reads none of it: playbooks, timeline events, exercise documents and
//! scorecards are opaque text that lifeline-response wrote and checked. What the store does
//! guarantee is the timeline's shape: entries are only ever appended (there is no update or
//! delete here), and [`Store::append_incident_entry`] checks, in the transaction that
//! inserts it, that the entry's `seq` is the next one and its `prev` is the incident's
//! current head, so two writers cannot fork the chain. Whether each entry's hash matches
//! its content is the library's check (`timeline::verify`) on what
//! [`Store::incident_entries`] returns.
//! Partners see none of it: every read needs an [`Access`] to the organisation's own rows.

use serde::Serialize;
use sqlx::{AnyConnection, Row as _};

use crate::error::{check_text, not_found};
use crate::ids::holds_nul;
use crate::{Access, AuditEntry, Store, StoreError, new_id, now_ms, sha256_hex};

/// The `prev` of an incident's first entry.
pub const TIMELINE_GENESIS: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// A playbook to import: its id and name (from the playbook), and the CACAO JSON to keep.
#[derive(Debug, Clone)]
pub struct NewPlaybook {
    pub playbook_id: String,
    pub name: String,
    pub cacao: String,
}

/// One version of an imported playbook, as listed.
#[derive(Debug, Clone, Serialize)]
pub struct PlaybookInfo {
    pub playbook_id: String,
    pub version: i64,
    pub name: String,
    /// Of the CACAO JSON as stored.
    pub sha256: String,
    pub created_at: i64,
    pub created_by: String,
}

/// One version of an imported playbook with its CACAO JSON.
#[derive(Debug, Clone)]
pub struct StoredPlaybook {
    pub info: PlaybookInfo,
    pub cacao: String,
}

/// What an entry appended to an incident's timeline does to the incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// An ordinary entry: refused once the incident is closed.
    Ordinary,
    /// The entry closes the incident.
    Closes,
    /// Partner communication (an alert sent, a delivery failure, an acknowledgement, an
    /// escalation): taken after the incident closed too, so what a partner did is never
    /// lost; it leaves the incident's state as it is.
    Partner,
}

/// Whether an incident is still being worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentState {
    Open,
    Closed,
}

impl IncidentState {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentState::Open => "open",
            IncidentState::Closed => "closed",
        }
    }

    fn parse(s: &str) -> Result<IncidentState, StoreError> {
        match s {
            "open" => Ok(IncidentState::Open),
            "closed" => Ok(IncidentState::Closed),
            other => Err(StoreError::Corrupt(format!("incident status `{other}`"))),
        }
    }
}

/// An incident to store, with the network document its impact was computed from.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub title: String,
    /// The declaration's kind (`ransomware`, `plant-down`, ...).
    pub kind: String,
    /// The network document's text, as read.
    pub network: String,
    /// The SHA-256 (hex) of `network`.
    pub network_sha256: String,
    /// The stored network it was declared on, when it was (the server's declare).
    pub network_id: Option<String>,
}

impl NewIncident {
    /// An incident on the network document `network` (its digest computed here).
    pub fn new(title: &str, kind: &str, network: String, network_id: Option<String>) -> Self {
        NewIncident {
            title: title.to_owned(),
            kind: kind.to_owned(),
            network_sha256: sha256_hex(network.as_bytes()),
            network,
            network_id,
        }
    }
}

/// A timeline entry to append, as lifeline-response sealed it: `at` in Unix milliseconds
/// (seal entries with times at millisecond precision, or the stored time will not hash to
/// the same value), `event` the event's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub event: String,
    pub prev: String,
    pub hash: String,
}

/// An incident as listed.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentInfo {
    pub id: String,
    pub org_id: String,
    pub title: String,
    pub kind: String,
    pub status: IncidentState,
    pub network_sha256: String,
    pub network_id: Option<String>,
    pub created_at: i64,
    pub created_by: String,
    pub closed_at: Option<i64>,
    /// The last entry's hash.
    pub head: String,
    /// How many entries the timeline holds.
    pub entries: i64,
}

/// An incident with the network document it was declared on.
#[derive(Debug, Clone)]
pub struct StoredIncident {
    pub info: IncidentInfo,
    pub network: String,
}

/// An exercise run to keep: the exercise document, the run record and its scorecard.
#[derive(Debug, Clone)]
pub struct NewExerciseRun {
    pub title: String,
    pub exercise: String,
    pub run: String,
    pub scorecard: String,
}

/// An exercise run as listed.
#[derive(Debug, Clone, Serialize)]
pub struct ExerciseRunInfo {
    pub id: String,
    pub title: String,
    pub created_at: i64,
    pub created_by: String,
}

/// An exercise run with its documents.
#[derive(Debug, Clone)]
pub struct StoredExerciseRun {
    pub info: ExerciseRunInfo,
    pub exercise: String,
    pub run: String,
    pub scorecard: String,
}

const PLAYBOOK_COLUMNS: &str = "playbook_id, version, name, sha256, created_at, created_by";
const INCIDENT_COLUMNS: &str = "id, org_id, title, kind, status, network_sha256, network_id, \
     created_at, created_by, closed_at, head, entries";
const RUN_COLUMNS: &str = "id, title, created_at, created_by";
/// The longest title, name or id kept in a column of its own.
const MAX_SHORT: usize = 500;

fn playbook_of(row: &sqlx::any::AnyRow) -> Result<PlaybookInfo, StoreError> {
    Ok(PlaybookInfo {
        playbook_id: row.try_get("playbook_id")?,
        version: row.try_get("version")?,
        name: row.try_get("name")?,
        sha256: row.try_get("sha256")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

fn incident_of(row: &sqlx::any::AnyRow) -> Result<IncidentInfo, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(IncidentInfo {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        title: row.try_get("title")?,
        kind: row.try_get("kind")?,
        status: IncidentState::parse(&status)?,
        network_sha256: row.try_get("network_sha256")?,
        network_id: row.try_get("network_id")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        closed_at: row.try_get("closed_at")?,
        head: row.try_get("head")?,
        entries: row.try_get("entries")?,
    })
}

fn entry_of(row: &sqlx::any::AnyRow) -> Result<IncidentEntry, StoreError> {
    Ok(IncidentEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        event: row.try_get("event")?,
        prev: row.try_get("prev")?,
        hash: row.try_get("hash")?,
    })
}

fn run_of(row: &sqlx::any::AnyRow) -> Result<ExerciseRunInfo, StoreError> {
    Ok(ExerciseRunInfo {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

/// A document kept as text: not empty, no NUL (PostgreSQL holds none).
fn check_document(field: &str, value: &str) -> Result<(), StoreError> {
    if value.trim().is_empty() || holds_nul(value) {
        return Err(StoreError::invalid(
            field,
            "must be a non-empty text without NUL characters",
        ));
    }
    Ok(())
}

/// A document that must be JSON.
fn check_json(field: &str, value: &str) -> Result<(), StoreError> {
    check_document(field, value)?;
    serde_json::from_str::<serde::de::IgnoredAny>(value)
        .map_err(|e| StoreError::invalid(field, format!("is not JSON: {e}")))?;
    Ok(())
}

/// A SHA-256 in lower-case hex.
fn check_hash(field: &str, value: &str) -> Result<(), StoreError> {
    if value.len() != 64
        || !value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(StoreError::invalid(
            field,
            "must be a SHA-256 in lower-case hex (64 characters)",
        ));
    }
    Ok(())
}

fn check_entry(entry: &IncidentEntry) -> Result<(), StoreError> {
    if entry.seq < 1 {
        return Err(StoreError::invalid("entry.seq", "entries count from 1"));
    }
    if entry.at < 0 {
        return Err(StoreError::invalid("entry.at", "must not be before 1970"));
    }
    check_text("entry.actor", &entry.actor, MAX_SHORT)?;
    check_json("entry.event", &entry.event)?;
    check_hash("entry.prev", &entry.prev)?;
    check_hash("entry.hash", &entry.hash)
}

async fn insert_entry(
    conn: &mut AnyConnection,
    incident_id: &str,
    entry: &IncidentEntry,
) -> Result<(), StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO incident_entries (incident_id, seq, at, actor, event, prev, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(incident_id)
    .bind(entry.seq)
    .bind(entry.at)
    .bind(entry.actor.as_str())
    .bind(entry.event.as_str())
    .bind(entry.prev.as_str())
    .bind(entry.hash.as_str())
    .execute(&mut *conn)
    .await;
    StoreError::taken(inserted, || {
        format!("incident {incident_id}: entry {} exists already", entry.seq)
    })?;
    Ok(())
}

impl Store {
    // -----------------------------------------------------------------------------------
    // Playbooks

    /// Imports a playbook into `org_id`: the next version of its id. Returns the version.
    pub async fn add_playbook(
        &self,
        org_id: &str,
        playbook: &NewPlaybook,
        actor: &str,
    ) -> Result<i64, StoreError> {
        check_text("playbook_id", &playbook.playbook_id, MAX_SHORT)?;
        check_text("name", &playbook.name, MAX_SHORT)?;
        check_json("cacao", &playbook.cacao)?;
        let sha256 = sha256_hex(playbook.cacao.as_bytes());
        let mut tx = self.begin_write().await?;
        let latest: i64 = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) AS latest FROM playbooks \
             WHERE org_id = $1 AND playbook_id = $2",
        )
        .bind(org_id)
        .bind(playbook.playbook_id.as_str())
        .fetch_one(tx.conn())
        .await?
        .try_get("latest")?;
        let version = latest + 1;
        sqlx::query(
            "INSERT INTO playbooks (id, org_id, playbook_id, version, name, cacao, sha256, \
             created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id("pb"))
        .bind(org_id)
        .bind(playbook.playbook_id.as_str())
        .bind(version)
        .bind(playbook.name.as_str())
        .bind(playbook.cacao.as_str())
        .bind(sha256.as_str())
        .bind(now_ms())
        .bind(actor)
        .execute(tx.conn())
        .await?;
        tx.commit(
            AuditEntry::new(actor, "playbook.import", &playbook.playbook_id)
                .org(org_id)
                .detail(serde_json::json!({ "version": version, "sha256": sha256 })),
        )
        .await?;
        Ok(version)
    }

    /// The current version of every playbook of `access`'s organisation, by id.
    pub async fn playbooks(&self, access: &Access) -> Result<Vec<PlaybookInfo>, StoreError> {
        if !access.own {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {PLAYBOOK_COLUMNS} FROM playbooks p WHERE org_id = $1 AND version = \
             (SELECT MAX(version) FROM playbooks q WHERE q.org_id = p.org_id \
              AND q.playbook_id = p.playbook_id) ORDER BY playbook_id"
        );
        self.own_rows(access, sql, playbook_of).await
    }

    /// Every version of playbook `playbook_id` of `access`'s organisation, newest first.
    pub async fn playbook_versions(
        &self,
        access: &Access,
        playbook_id: &str,
    ) -> Result<Vec<PlaybookInfo>, StoreError> {
        if !access.own || holds_nul(playbook_id) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {PLAYBOOK_COLUMNS} FROM playbooks WHERE org_id = $1 AND playbook_id = $2 \
             ORDER BY version DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(playbook_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(playbook_of).collect()
    }

    /// Version `version` (the current one when `None`) of playbook `playbook_id` of
    /// `access`'s organisation, or `None`.
    pub async fn playbook(
        &self,
        access: &Access,
        playbook_id: &str,
        version: Option<i64>,
    ) -> Result<Option<StoredPlaybook>, StoreError> {
        if version.is_some_and(|v| v < 1) {
            return Err(StoreError::invalid("version", "versions count from 1"));
        }
        if !access.own || holds_nul(playbook_id) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {PLAYBOOK_COLUMNS}, cacao FROM playbooks WHERE org_id = $1 \
             AND playbook_id = $2 AND ($3 = 0 OR version = $3) ORDER BY version DESC LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(playbook_id)
            .bind(version.unwrap_or(0))
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            Ok(StoredPlaybook {
                info: playbook_of(&row)?,
                cacao: row.try_get("cacao")?,
            })
        })
        .transpose()
    }

    // -----------------------------------------------------------------------------------
    // Incidents

    /// Declares an incident in `org_id` with its first timeline entry (`seq` 1, `prev` the
    /// genesis hash), in one transaction. Returns the incident's id.
    pub async fn create_incident(
        &self,
        org_id: &str,
        incident: &NewIncident,
        first: &IncidentEntry,
        actor: &str,
    ) -> Result<String, StoreError> {
        check_text("title", &incident.title, MAX_SHORT)?;
        check_text("kind", &incident.kind, MAX_SHORT)?;
        check_document("network", &incident.network)?;
        check_hash("network_sha256", &incident.network_sha256)?;
        if let Some(network_id) = &incident.network_id {
            check_text("network_id", network_id, MAX_SHORT)?;
        }
        check_entry(first)?;
        if first.seq != 1 || first.prev != TIMELINE_GENESIS {
            return Err(StoreError::invalid(
                "entry",
                "an incident's first entry has seq 1 and chains to the genesis hash",
            ));
        }
        let id = new_id("inc");
        let mut tx = self.begin_write().await?;
        if let Some(network_id) = &incident.network_id {
            let found = sqlx::query("SELECT id FROM networks WHERE id = $1 AND org_id = $2")
                .bind(network_id.as_str())
                .bind(org_id)
                .fetch_optional(tx.conn())
                .await?;
            if found.is_none() {
                return Err(not_found("network", network_id));
            }
        }
        sqlx::query(
            "INSERT INTO incidents (id, org_id, title, kind, status, network, network_sha256, \
             network_id, created_at, created_by, closed_at, head, entries) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, 1)",
        )
        .bind(id.as_str())
        .bind(org_id)
        .bind(incident.title.as_str())
        .bind(incident.kind.as_str())
        .bind(IncidentState::Open.as_str())
        .bind(incident.network.as_str())
        .bind(incident.network_sha256.as_str())
        .bind(incident.network_id.as_deref())
        .bind(now_ms())
        .bind(actor)
        .bind(first.hash.as_str())
        .execute(tx.conn())
        .await?;
        insert_entry(tx.conn(), &id, first).await?;
        tx.commit(
            AuditEntry::new(actor, "incident.declare", &id)
                .org(org_id)
                .detail(serde_json::json!({
                    "title": incident.title, "kind": incident.kind,
                    "network_sha256": incident.network_sha256, "hash": first.hash
                })),
        )
        .await?;
        Ok(id)
    }

    /// Appends `entry` to the timeline of incident `incident_id` of `org_id`. In the
    /// transaction that inserts it, checks that its `seq` follows the last entry's and its
    /// `prev` is the incident's head (else [`StoreError::Conflict`]: someone else appended
    /// first; replay and try again), and that the incident is open, except for
    /// [`EntryKind::Partner`] entries. [`EntryKind::Closes`]: the entry closes the incident
    /// (its `at` becomes the closing time).
    pub async fn append_incident_entry(
        &self,
        org_id: &str,
        incident_id: &str,
        entry: &IncidentEntry,
        kind: EntryKind,
        actor: &str,
    ) -> Result<(), StoreError> {
        check_entry(entry)?;
        if holds_nul(incident_id) {
            return Err(not_found("incident", incident_id));
        }
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT status, head, entries, closed_at FROM incidents WHERE id = $1 AND org_id = $2",
        )
        .bind(incident_id)
        .bind(org_id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| not_found("incident", incident_id))?;
        let status: String = row.try_get("status")?;
        let head: String = row.try_get("head")?;
        let entries: i64 = row.try_get("entries")?;
        let closed_at: Option<i64> = row.try_get("closed_at")?;
        let was = IncidentState::parse(&status)?;
        if was == IncidentState::Closed && kind != EntryKind::Partner {
            return Err(StoreError::Conflict(format!(
                "incident {incident_id} is closed: its timeline takes no more entries but \
                 partners' acknowledgements and alerts"
            )));
        }
        if entry.seq != entries + 1 || entry.prev != head {
            return Err(StoreError::Conflict(format!(
                "incident {incident_id}: entry {} does not follow the timeline (it holds \
                 {entries} entries, head {head}); another change came first: reload and retry",
                entry.seq
            )));
        }
        insert_entry(tx.conn(), incident_id, entry).await?;
        let (status, closed_at) = match (kind, was) {
            (EntryKind::Closes, _) => (IncidentState::Closed, Some(entry.at)),
            (_, IncidentState::Closed) => (IncidentState::Closed, closed_at),
            _ => (IncidentState::Open, None),
        };
        let updated = sqlx::query(
            "UPDATE incidents SET head = $1, entries = $2, status = $3, closed_at = $4 \
             WHERE id = $5 AND org_id = $6 AND head = $7 AND entries = $8",
        )
        .bind(entry.hash.as_str())
        .bind(entry.seq)
        .bind(status.as_str())
        .bind(closed_at)
        .bind(incident_id)
        .bind(org_id)
        .bind(head.as_str())
        .bind(entries)
        .execute(tx.conn())
        .await?;
        if updated.rows_affected() != 1 {
            // Cannot happen under the write lock; refuse rather than fork the chain.
            return Err(StoreError::Conflict(format!(
                "incident {incident_id}: the timeline changed while appending"
            )));
        }
        tx.commit(
            AuditEntry::new(
                actor,
                match kind {
                    EntryKind::Closes => "incident.close",
                    EntryKind::Ordinary => "incident.entry",
                    EntryKind::Partner => "incident.partner-entry",
                },
                incident_id,
            )
            .org(org_id)
            .detail(serde_json::json!({ "seq": entry.seq, "hash": entry.hash })),
        )
        .await?;
        Ok(())
    }

    /// The incidents of `access`'s organisation, newest first.
    pub async fn incidents(&self, access: &Access) -> Result<Vec<IncidentInfo>, StoreError> {
        if !access.own {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE org_id = $1 \
             ORDER BY created_at DESC, id"
        );
        self.own_rows(access, sql, incident_of).await
    }

    /// The rows `sql` selects with `access`'s organisation as `$1`, each read by `of`.
    async fn own_rows<T>(
        &self,
        access: &Access,
        sql: String,
        of: fn(&sqlx::any::AnyRow) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(of).collect()
    }

    /// The row `sql` selects with `id` as `$1` and `access`'s organisation as `$2`, or
    /// `None`.
    async fn own_row(
        &self,
        access: &Access,
        id: &str,
        sql: String,
    ) -> Result<Option<sqlx::any::AnyRow>, StoreError> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(access.org_id.as_str())
            .fetch_optional(self.pool())
            .await?)
    }

    /// Incident `id` of `access`'s organisation with its network document, or `None`.
    pub async fn incident(
        &self,
        access: &Access,
        id: &str,
    ) -> Result<Option<StoredIncident>, StoreError> {
        if !access.own || holds_nul(id) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS}, network FROM incidents WHERE id = $1 AND org_id = $2"
        );
        let row = self.own_row(access, id, sql).await?;
        row.map(|row| {
            Ok(StoredIncident {
                info: incident_of(&row)?,
                network: row.try_get("network")?,
            })
        })
        .transpose()
    }

    /// The timeline of incident `id` of `access`'s organisation, in `seq` order, as stored
    /// (verify it with lifeline-response's `timeline::verify`), or `None`.
    pub async fn incident_entries(
        &self,
        access: &Access,
        id: &str,
    ) -> Result<Option<Vec<IncidentEntry>>, StoreError> {
        if !access.own || holds_nul(id) {
            return Ok(None);
        }
        let found = sqlx::query("SELECT id FROM incidents WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(access.org_id.as_str())
            .fetch_optional(self.pool())
            .await?;
        if found.is_none() {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT seq, at, actor, event, prev, hash FROM incident_entries \
             WHERE incident_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(entry_of)
            .collect::<Result<_, _>>()
            .map(Some)
    }

    // -----------------------------------------------------------------------------------
    // Exercise runs

    /// Keeps an exercise run of `org_id`; returns its id.
    pub async fn add_exercise_run(
        &self,
        org_id: &str,
        run: &NewExerciseRun,
        actor: &str,
    ) -> Result<String, StoreError> {
        check_text("title", &run.title, MAX_SHORT)?;
        check_document("exercise", &run.exercise)?;
        check_json("run", &run.run)?;
        check_json("scorecard", &run.scorecard)?;
        let id = new_id("exr");
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO exercise_runs (id, org_id, title, exercise, run, scorecard, \
             created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.as_str())
        .bind(org_id)
        .bind(run.title.as_str())
        .bind(run.exercise.as_str())
        .bind(run.run.as_str())
        .bind(run.scorecard.as_str())
        .bind(now_ms())
        .bind(actor)
        .execute(tx.conn())
        .await?;
        tx.commit(
            AuditEntry::new(actor, "exercise.run", &id)
                .org(org_id)
                .detail(serde_json::json!({
                    "title": run.title, "run_sha256": sha256_hex(run.run.as_bytes())
                })),
        )
        .await?;
        Ok(id)
    }

    /// The exercise runs of `access`'s organisation, newest first.
    pub async fn exercise_runs(&self, access: &Access) -> Result<Vec<ExerciseRunInfo>, StoreError> {
        if !access.own {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM exercise_runs WHERE org_id = $1 \
             ORDER BY created_at DESC, id"
        );
        self.own_rows(access, sql, run_of).await
    }

    /// Exercise run `id` of `access`'s organisation with its documents, or `None`.
    pub async fn exercise_run(
        &self,
        access: &Access,
        id: &str,
    ) -> Result<Option<StoredExerciseRun>, StoreError> {
        if !access.own || holds_nul(id) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {RUN_COLUMNS}, exercise, run, scorecard FROM exercise_runs \
             WHERE id = $1 AND org_id = $2"
        );
        let row = self.own_row(access, id, sql).await?;
        row.map(|row| {
            Ok(StoredExerciseRun {
                info: run_of(&row)?,
                exercise: row.try_get("exercise")?,
                run: row.try_get("run")?,
                scorecard: row.try_get("scorecard")?,
            })
        })
        .transpose()
    }
}
