//! EPCIS events captured through the API: each organisation's events keyed by Event Hash
//! ID, the identifiers they name (for a product's history), and the capture jobs.
//!
//! The store knows nothing of EPCIS itself: the server reads, checks and hashes documents
//! with lifeline-trace and hands over rows ([`NewEpcisEvent`]) whose facts and bodies are
//! opaque text. What the store does is the repository's storage semantics, the same as
//! lifeline-trace's own SQLite repository: a whole capture in one transaction, an event
//! whose hash is stored already is a duplicate, and an error declaration retracts the
//! stored event of its hash (or is kept, retracted, in its place).

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{AssertSqlSafe, Row as _};

use crate::ids::holds_nul;
use crate::{Access, AuditEntry, Backend, Store, StoreError, new_id, now_ms};

/// One event to capture, as the server prepared it.
#[derive(Debug, Clone)]
pub struct NewEpcisEvent {
    /// CBV 2.0 Event Hash ID.
    pub hash: String,
    pub event_type: String,
    /// `eventTime`, Unix milliseconds.
    pub event_time: i64,
    /// CBV term or custom URI (empty when absent).
    pub biz_step: String,
    pub disposition: String,
    /// Canonical identifiers.
    pub read_point: Option<String>,
    pub biz_location: Option<String>,
    /// An error declaration: it retracts the stored event of the same hash, or when there
    /// is none is stored in its place, retracted.
    pub declaration: bool,
    /// The instance-level identifiers it names in any role (canonical).
    pub epcs: Vec<String>,
    /// What the rules reason about (lifeline-trace's `EventFacts`, as JSON).
    pub facts: String,
    /// The event as EPCIS 2.0 JSON-LD.
    pub document: String,
}

/// A capture job: a document stored whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EpcisCapture {
    pub id: String,
    pub org_id: String,
    /// `json` or `xml`.
    pub format: String,
    /// Events in the document.
    pub events: i64,
    /// Events stored now.
    pub added: i64,
    /// Events stored already (same hash).
    pub duplicates: i64,
    /// Error declarations that retracted a stored event.
    pub retracted: i64,
    pub created_at: i64,
    pub created_by: String,
}

/// One stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEpcisEvent {
    /// As [`NewEpcisEvent::facts`].
    pub facts: String,
    pub retracted: bool,
    /// The capture that stored it.
    pub capture_id: String,
    /// As [`NewEpcisEvent::document`].
    pub document: String,
}

/// Filters of an event query, every given one must hold; identifiers canonical and CBV
/// terms bare, as the caller checked them. Results in event time order (ties in the order
/// stored).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EpcisFilter {
    pub event_type: Option<String>,
    /// An identifier in any role.
    pub epc: Option<String>,
    /// `eventTime` at or after (Unix ms).
    pub from: Option<i64>,
    /// `eventTime` before (Unix ms).
    pub to: Option<i64>,
    pub biz_step: Option<String>,
    pub disposition: Option<String>,
    pub read_point: Option<String>,
    pub biz_location: Option<String>,
    /// Events skipped (a page's start).
    pub offset: i64,
    /// At most this many.
    pub limit: i64,
}

/// Rows per multi-row INSERT of events (14 values each: well under SQLite's 32,766 and
/// PostgreSQL's 65,535 parameters).
const EVENT_ROWS: usize = 1000;
/// Rows per multi-row INSERT of identifiers (3 values each).
const EPC_ROWS: usize = 4000;
/// The page cache of a connection that captures (SQLite; negative: KiB).
const CAPTURE_CACHE: &str = "PRAGMA cache_size = -65536";

/// Events added by one capture past which PostgreSQL's statistics are refreshed.
const ANALYZE_AFTER: i64 = 5_000;
/// Hashes per lookup of stored events.
const LOOKUP: usize = 1000;

/// Parameter `n` of a statement whose parameters are bound in order: `$n` on PostgreSQL,
/// a bare `?` on SQLite. (sqlx binds SQLite parameters by asking each one's name, which
/// SQLite finds by a walk over all the names of the statement: a numbered parameter makes
/// a statement of thousands of them quadratic to bind; unnamed ones cost nothing.)
fn parameter(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => "?".to_owned(),
        Backend::Postgres => format!("${n}"),
    }
}

/// `($1, ..., $n), (...)` for `rows` rows of `columns` values, numbered from `first`.
fn placeholders(backend: Backend, rows: usize, columns: usize, first: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 6);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&parameter(backend, first + row * columns + column));
        }
        sql.push(')');
    }
    sql
}

/// `$k+2, ..., $k+n+1`: an IN list after the organisation's `$1` and `skip` more.
fn in_list(backend: Backend, skip: usize, count: usize) -> String {
    (skip + 2..skip + count + 2)
        .map(|i| parameter(backend, i))
        .collect::<Vec<_>>()
        .join(", ")
}

fn capture_of(row: &sqlx::any::AnyRow) -> Result<EpcisCapture, StoreError> {
    Ok(EpcisCapture {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        format: row.try_get("format")?,
        events: row.try_get("events")?,
        added: row.try_get("added")?,
        duplicates: row.try_get("duplicates")?,
        retracted: row.try_get("retracted")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

fn event_of(row: &sqlx::any::AnyRow) -> Result<StoredEpcisEvent, StoreError> {
    let retracted: i64 = row.try_get("retracted")?;
    Ok(StoredEpcisEvent {
        facts: row.try_get("facts")?,
        retracted: retracted != 0,
        capture_id: row.try_get("capture_id")?,
        document: row.try_get("document")?,
    })
}

/// What a capture is handed, batch after batch: events, then `Commit` once every event of
/// the document was read and valid. A capture whose sender stops before `Commit` stores
/// nothing.
#[derive(Debug)]
pub enum EpcisBatch {
    Events(Vec<NewEpcisEvent>),
    Commit,
}

/// A stored or just-added event's state during a capture.
#[derive(Debug, Clone, Copy)]
struct Known {
    retracted: bool,
    /// Its place among the rows of the current batch still to insert.
    pending: Option<usize>,
}

/// Refuses an event whose values kept in columns of their own (type, bizStep,
/// disposition, readPoint, bizLocation, EPCs) hold a control character: JSON escapes any
/// character, a NUL too, and PostgreSQL holds no NUL; no identifier has one.
fn check_event(index: usize, event: &NewEpcisEvent) -> Result<(), StoreError> {
    let named = [
        ("type", Some(&event.event_type)),
        ("bizStep", Some(&event.biz_step)),
        ("disposition", Some(&event.disposition)),
        ("readPoint", event.read_point.as_ref()),
        ("bizLocation", event.biz_location.as_ref()),
    ];
    let epcs = event.epcs.iter().map(|epc| ("epcList", Some(epc)));
    for (field, value) in named.into_iter().chain(epcs) {
        if value.is_some_and(|v| v.chars().any(char::is_control)) {
            return Err(StoreError::invalid(
                &format!("eventList[{index}].{field}"),
                format!(
                    "event {index}: `{field}` holds a control character: `{}`",
                    lifeline_text::escaped(value.map_or("", String::as_str))
                ),
            ));
        }
    }
    Ok(())
}

impl Store {
    /// Stores the events of one document for `org_id`, all or none, with one audit entry;
    /// returns the capture job. `format` is `json` or `xml`.
    pub async fn capture_epcis(
        &self,
        org_id: &str,
        format: &str,
        events: Vec<NewEpcisEvent>,
        actor: &str,
    ) -> Result<EpcisCapture, StoreError> {
        let (sender, mut receiver) = tokio::sync::mpsc::channel(2);
        let _ = sender.try_send(EpcisBatch::Events(events));
        let _ = sender.try_send(EpcisBatch::Commit);
        drop(sender);
        self.capture_epcis_batches(org_id, format, &mut receiver, actor)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a capture without its events".into()))
    }

    /// As [`Store::capture_epcis`], taking the events in batches as they are read, so that
    /// reading the document and writing its events overlap. One transaction: `None`, with
    /// nothing stored, when the sender stops before [`EpcisBatch::Commit`].
    pub async fn capture_epcis_batches(
        &self,
        org_id: &str,
        format: &str,
        batches: &mut tokio::sync::mpsc::Receiver<EpcisBatch>,
        actor: &str,
    ) -> Result<Option<EpcisCapture>, StoreError> {
        let backend = self.backend();
        let now = now_ms();
        let mut capture = EpcisCapture {
            id: new_id("cap"),
            org_id: org_id.to_owned(),
            format: format.to_owned(),
            events: 0,
            added: 0,
            duplicates: 0,
            retracted: 0,
            created_at: now,
            created_by: actor.to_owned(),
        };
        let mut tx = self.begin_write().await?;
        if backend == Backend::Sqlite {
            // A capture writes tens of megabytes in one transaction: with SQLite's default
            // 2 MiB page cache it would spill pages to the WAL and read them back. The
            // memory is taken only as pages are used.
            sqlx::query(CAPTURE_CACHE).execute(tx.conn()).await?;
        }
        // The job's row first (the events refer to it); its counts at the end.
        sqlx::query(
            "INSERT INTO epcis_captures (id, org_id, format, events, added, duplicates, \
             retracted, created_at, created_by) VALUES ($1, $2, $3, 0, 0, 0, 0, $4, $5)",
        )
        .bind(capture.id.as_str())
        .bind(org_id)
        .bind(format)
        .bind(now)
        .bind(actor)
        .execute(tx.conn())
        .await?;
        let mut seq: i64 =
            sqlx::query("SELECT COALESCE(MAX(seq), 0) AS last FROM epcis_events WHERE org_id = $1")
                .bind(org_id)
                .fetch_one(tx.conn())
                .await?
                .try_get("last")?;
        // Every hash met so far: stored before, or added by this capture.
        let mut known: HashMap<String, Known> = HashMap::new();
        let mut committed = false;
        let mut commit_next = false;
        loop {
            let batch = if commit_next {
                Some(EpcisBatch::Commit)
            } else if backend == Backend::Postgres {
                // PostgreSQL takes the document whole: looking stored hashes up between
                // inserts of the same transaction, its plans (without statistics for the
                // new rows) grow with the rows written, so it looks them all up first.
                let mut all = Vec::new();
                while let Some(next) = batches.recv().await {
                    match next {
                        EpcisBatch::Events(events) => all.extend(events),
                        EpcisBatch::Commit => {
                            commit_next = true;
                            break;
                        }
                    }
                }
                commit_next.then_some(EpcisBatch::Events(all))
            } else {
                batches.recv().await
            };
            let Some(batch) = batch else {
                break;
            };
            let events = match batch {
                EpcisBatch::Events(events) => events,
                EpcisBatch::Commit => {
                    committed = true;
                    break;
                }
            };
            // An invalid event drops the transaction: nothing of the document is kept.
            for (offset, event) in events.iter().enumerate() {
                check_event(capture.events as usize + offset, event)?;
            }
            capture.events += events.len() as i64;
            // Which of the batch's hashes are stored already, and whether retracted.
            let mut wanted: Vec<&str> = events
                .iter()
                .map(|e| e.hash.as_str())
                .filter(|h| !known.contains_key(*h))
                .collect();
            wanted.sort_unstable();
            wanted.dedup();
            for chunk in wanted.chunks(LOOKUP) {
                let sql = format!(
                    "SELECT hash, retracted FROM epcis_events WHERE org_id = {} \
                     AND hash IN ({})",
                    parameter(backend, 1),
                    in_list(backend, 0, chunk.len())
                );
                let mut query = sqlx::query(AssertSqlSafe(sql)).bind(org_id);
                for hash in chunk {
                    query = query.bind(*hash);
                }
                for row in query.fetch_all(tx.conn()).await? {
                    let retracted: i64 = row.try_get("retracted")?;
                    known.insert(
                        row.try_get("hash")?,
                        Known {
                            retracted: retracted != 0,
                            pending: None,
                        },
                    );
                }
            }
            // The repository's semantics, event by event: a declaration retracts a live
            // event of its hash; an event whose hash is known is a duplicate; else added.
            let mut rows: Vec<(&NewEpcisEvent, bool)> = Vec::new();
            let mut retract: Vec<&str> = Vec::new();
            for event in &events {
                let hash = event.hash.as_str();
                match known.get_mut(hash) {
                    Some(state) if event.declaration && !state.retracted => {
                        state.retracted = true;
                        match state.pending {
                            Some(row) => rows[row].1 = true,
                            None => retract.push(hash),
                        }
                        capture.retracted += 1;
                    }
                    Some(_) => capture.duplicates += 1,
                    None => {
                        known.insert(
                            hash.to_owned(),
                            Known {
                                retracted: event.declaration,
                                pending: Some(rows.len()),
                            },
                        );
                        rows.push((event, event.declaration));
                        capture.added += 1;
                    }
                }
            }
            for (event, _) in &rows {
                if let Some(state) = known.get_mut(event.hash.as_str()) {
                    state.pending = None;
                }
            }
            for chunk in retract.chunks(LOOKUP) {
                let sql = format!(
                    "UPDATE epcis_events SET retracted = 1 WHERE org_id = {} AND hash IN ({})",
                    parameter(backend, 1),
                    in_list(backend, 0, chunk.len())
                );
                let mut query = sqlx::query(AssertSqlSafe(sql)).bind(org_id);
                for hash in chunk {
                    query = query.bind(*hash);
                }
                query.execute(tx.conn()).await?;
            }
            let first = seq + 1;
            seq += rows.len() as i64;
            for (start, chunk) in (0..).step_by(EVENT_ROWS).zip(rows.chunks(EVENT_ROWS)) {
                let sql = format!(
                    "INSERT INTO epcis_events (org_id, hash, seq, capture_id, event_type, \
                     event_time, record_time, biz_step, disposition, read_point, biz_location, \
                     retracted, facts, document) VALUES {}",
                    placeholders(backend, chunk.len(), 14, 1)
                );
                let mut query = sqlx::query(AssertSqlSafe(sql));
                for (offset, (event, retracted)) in chunk.iter().enumerate() {
                    query = query
                        .bind(org_id)
                        .bind(event.hash.as_str())
                        .bind(first + (start + offset) as i64)
                        .bind(capture.id.as_str())
                        .bind(event.event_type.as_str())
                        .bind(event.event_time)
                        .bind(now)
                        .bind(event.biz_step.as_str())
                        .bind(event.disposition.as_str())
                        .bind(event.read_point.as_deref())
                        .bind(event.biz_location.as_deref())
                        .bind(i64::from(*retracted))
                        .bind(event.facts.as_str())
                        .bind(event.document.as_str());
                }
                query.execute(tx.conn()).await?;
            }
            let mut epcs: Vec<(&str, i64)> = Vec::new();
            for (offset, (event, _)) in rows.iter().enumerate() {
                let start = epcs.len();
                for epc in &event.epcs {
                    if !epcs[start..].iter().any(|(e, _)| *e == epc.as_str()) {
                        epcs.push((epc.as_str(), first + offset as i64));
                    }
                }
            }
            for chunk in epcs.chunks(EPC_ROWS) {
                let sql = format!(
                    "INSERT INTO epcis_event_epcs (org_id, epc, seq) VALUES {}",
                    placeholders(backend, chunk.len(), 3, 1)
                );
                let mut query = sqlx::query(AssertSqlSafe(sql));
                for (epc, seq) in chunk {
                    query = query.bind(org_id).bind(*epc).bind(*seq);
                }
                query.execute(tx.conn()).await?;
            }
        }
        if !committed {
            // Dropped: the transaction rolls back.
            return Ok(None);
        }
        sqlx::query(
            "UPDATE epcis_captures SET events = $1, added = $2, duplicates = $3, \
             retracted = $4 WHERE id = $5",
        )
        .bind(capture.events)
        .bind(capture.added)
        .bind(capture.duplicates)
        .bind(capture.retracted)
        .bind(capture.id.as_str())
        .execute(tx.conn())
        .await?;
        tx.commit(
            AuditEntry::new(actor, "epcis.capture", &capture.id)
                .org(org_id)
                .detail(serde_json::json!({
                    "format": format,
                    "events": capture.events,
                    "added": capture.added,
                    "duplicates": capture.duplicates,
                    "retracted": capture.retracted,
                })),
        )
        .await?;
        if backend == Backend::Postgres && capture.added >= ANALYZE_AFTER {
            // A large capture changes the tables' size by orders of magnitude: without
            // fresh statistics PostgreSQL plans the next capture's hash lookups as scans
            // of a table it believes empty (a re-capture of 100,000 events took minutes).
            for table in ["epcis_events", "epcis_event_epcs"] {
                sqlx::query(AssertSqlSafe(format!("ANALYZE {table}")))
                    .execute(self.pool())
                    .await?;
            }
        }
        Ok(Some(capture))
    }

    /// A capture job of the caller's organisation, or `None` (unknown and foreign ids alike).
    pub async fn epcis_capture(
        &self,
        access: &Access,
        id: &str,
    ) -> Result<Option<EpcisCapture>, StoreError> {
        if holds_nul(id) {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT id, org_id, format, events, added, duplicates, retracted, created_at, \
             created_by FROM epcis_captures WHERE org_id = $1 AND $2 = 1 AND id = $3",
        )
        .bind(access.org_id.as_str())
        .bind(i64::from(access.own))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(capture_of).transpose()
    }

    /// The caller's organisation's events matching `filter`, in event time order.
    pub async fn epcis_events(
        &self,
        access: &Access,
        filter: &EpcisFilter,
    ) -> Result<Vec<StoredEpcisEvent>, StoreError> {
        let mut sql = String::from(
            "SELECT e.facts AS facts, e.retracted AS retracted, e.capture_id AS capture_id, \
             e.document AS document FROM epcis_events e WHERE e.org_id = $1 AND $2 = 1",
        );
        let mut texts: Vec<&str> = Vec::new();
        let mut next = 3;
        for (clause, value) in [
            (" AND e.event_type = ?", filter.event_type.as_deref()),
            (
                " AND e.seq IN (SELECT p.seq FROM epcis_event_epcs p WHERE p.org_id = e.org_id \
                 AND p.epc = ?)",
                filter.epc.as_deref(),
            ),
            (" AND e.biz_step = ?", filter.biz_step.as_deref()),
            (" AND e.disposition = ?", filter.disposition.as_deref()),
            (" AND e.read_point = ?", filter.read_point.as_deref()),
            (" AND e.biz_location = ?", filter.biz_location.as_deref()),
        ] {
            if let Some(value) = value {
                sql.push_str(&clause.replace('?', &format!("${next}")));
                next += 1;
                texts.push(value);
            }
        }
        let mut numbers: Vec<i64> = Vec::new();
        for (clause, value) in [
            (" AND e.event_time >= ?", filter.from),
            (" AND e.event_time < ?", filter.to),
        ] {
            if let Some(value) = value {
                sql.push_str(&clause.replace('?', &format!("${next}")));
                next += 1;
                numbers.push(value);
            }
        }
        sql.push_str(&format!(
            " ORDER BY e.event_time, e.seq LIMIT ${} OFFSET ${}",
            next,
            next + 1
        ));
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(i64::from(access.own));
        for value in texts {
            query = query.bind(value);
        }
        for value in numbers {
            query = query.bind(value);
        }
        let rows = query
            .bind(filter.limit.max(0))
            .bind(filter.offset.max(0))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(event_of).collect()
    }

    /// Every event of the caller's organisation naming `epc` (canonical) in any role, in
    /// event time order (ties in the order stored).
    pub async fn epcis_history(
        &self,
        access: &Access,
        epc: &str,
    ) -> Result<Vec<StoredEpcisEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.facts AS facts, e.retracted AS retracted, e.capture_id AS capture_id, \
             e.document AS document FROM epcis_event_epcs p JOIN epcis_events e \
             ON e.org_id = p.org_id AND e.seq = p.seq \
             WHERE p.org_id = $1 AND $2 = 1 AND p.epc = $3 ORDER BY e.event_time, e.seq",
        )
        .bind(access.org_id.as_str())
        .bind(i64::from(access.own))
        .bind(epc)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(event_of).collect()
    }

    /// The facts of every event of the caller's organisation in the order stored, each
    /// with whether it is retracted: what the traceability rules run over.
    pub async fn epcis_records(&self, access: &Access) -> Result<Vec<(String, bool)>, StoreError> {
        let rows = sqlx::query(
            "SELECT facts, retracted FROM epcis_events WHERE org_id = $1 AND $2 = 1 ORDER BY seq",
        )
        .bind(access.org_id.as_str())
        .bind(i64::from(access.own))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let retracted: i64 = row.try_get("retracted")?;
                Ok((row.try_get("facts")?, retracted != 0))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_rows_and_columns() {
        use crate::Backend::{Postgres, Sqlite};
        assert_eq!(
            super::placeholders(Postgres, 2, 3, 1),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(super::placeholders(Sqlite, 1, 2, 4), "(?, ?)");
        assert_eq!(super::in_list(Postgres, 0, 2), "$2, $3");
        assert_eq!(super::in_list(Postgres, 1, 2), "$3, $4");
    }
}
