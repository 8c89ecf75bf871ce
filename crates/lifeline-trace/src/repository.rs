//! The event repository: an embedded SQLite file keyed by Event Hash ID.
//!
//! Ingesting is idempotent (an event whose hash is stored already adds nothing) and
//! transactional per document (a document with one invalid event is rejected whole, and
//! nothing of it is written). An event that carries an `errorDeclaration` has the hash of
//! the event it corrects (CBV 2.0 §8.9 leaves the declaration out), so it marks that event
//! retracted; retracted events are kept for history but ignored by the rules.

use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::TraceError;
use crate::error::Problem;
use crate::facts::{EventFacts, canonical_id};
use crate::hash::{HashConfig, event_hash};
use crate::model::DocumentHeader;
use crate::rules::{Checker, Finding};
use crate::write::{Prefixes, event_to_json};

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -131072;
PRAGMA temp_store = MEMORY;
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    event_id TEXT,
    event_type TEXT NOT NULL,
    event_time INTEGER NOT NULL,
    action TEXT NOT NULL,
    biz_step TEXT NOT NULL,
    disposition TEXT NOT NULL,
    read_point TEXT,
    biz_location TEXT,
    retracted INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    facts TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_time ON events (event_time, seq);
CREATE INDEX IF NOT EXISTS events_biz_step ON events (biz_step);
CREATE INDEX IF NOT EXISTS events_disposition ON events (disposition);
CREATE INDEX IF NOT EXISTS events_biz_location ON events (biz_location);
CREATE TABLE IF NOT EXISTS event_epcs (seq INTEGER NOT NULL, epc TEXT NOT NULL, role TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS event_epcs_epc ON event_epcs (epc);
CREATE TABLE IF NOT EXISTS event_classes (seq INTEGER NOT NULL, class TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS event_classes_class ON event_classes (class);
CREATE TABLE IF NOT EXISTS event_parties (seq INTEGER NOT NULL, side TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS event_parties_id ON event_parties (id);
";

/// What one ingest did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    /// Events in the document.
    pub events: usize,
    /// Events stored now.
    pub added: usize,
    /// Events already stored (same hash).
    pub duplicates: usize,
    /// Error declarations that retracted a stored event.
    pub retracted: usize,
}

/// One stored event, as queries return it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredEvent {
    /// The facts (hash, time, bizStep, EPCs, ...).
    #[serde(flatten)]
    pub facts: EventFacts,
    /// Whether an error declaration retracted it.
    pub retracted: bool,
    /// The file or label it came from.
    pub source: String,
    /// The event as EPCIS 2.0 JSON-LD.
    pub body: serde_json::Value,
}

/// A query: every given criterion must hold.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// An EPC in any role (any GS1 syntax; it is canonicalised).
    pub epc: Option<String>,
    /// A class in a quantity list.
    pub class: Option<String>,
    /// Events at or after this time (UTC ms).
    pub from: Option<i64>,
    /// Events before this time (UTC ms).
    pub to: Option<i64>,
    /// CBV bizStep term (`shipping`) or URI.
    pub biz_step: Option<String>,
    /// CBV disposition term or URI.
    pub disposition: Option<String>,
    /// readPoint or bizLocation.
    pub location: Option<String>,
    /// A source or destination.
    pub party: Option<String>,
}

/// The SQLite event store. Its page cache is bounded at 128 MiB, so memory follows the
/// repository's working set, not the size of what is ingested.
#[derive(Debug)]
pub struct Repository {
    connection: Connection,
}

impl Repository {
    /// Opens (creating if needed) the repository file at `path`.
    pub fn open(path: &Path) -> Result<Self, TraceError> {
        let connection = Connection::open(path)?;
        connection.execute_batch(SCHEMA)?;
        Ok(Repository { connection })
    }

    /// A repository in memory (for checking files without storing them).
    pub fn in_memory() -> Result<Self, TraceError> {
        let connection = Connection::open_in_memory()?;
        connection.execute_batch(SCHEMA)?;
        Ok(Repository { connection })
    }

    /// Number of stored events.
    pub fn len(&self) -> Result<usize, TraceError> {
        let n: i64 = self
            .connection
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or_default())
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> Result<bool, TraceError> {
        Ok(self.len()? == 0)
    }

    /// Reads a whole document and stores its events in one transaction. Any reading error or
    /// any invalid event rejects the document, with every problem found.
    pub fn ingest<R: Read>(&mut self, reader: R, source: &str) -> Result<IngestReport, TraceError> {
        let transaction = self.connection.transaction()?;
        let mut report = IngestReport::default();
        let mut problems: Vec<Problem> = Vec::new();
        {
            let mut insert = transaction.prepare(
                "INSERT OR IGNORE INTO events (hash, event_id, event_type, event_time, action, biz_step, disposition,
                    read_point, biz_location, retracted, source, facts, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?;
            let mut retract = transaction
                .prepare("UPDATE events SET retracted = 1 WHERE hash = ?1 AND retracted = 0")?;
            let mut insert_epc = transaction
                .prepare("INSERT INTO event_epcs (seq, epc, role) VALUES (?1, ?2, ?3)")?;
            let mut insert_class =
                transaction.prepare("INSERT INTO event_classes (seq, class) VALUES (?1, ?2)")?;
            let mut insert_party = transaction.prepare(
                "INSERT INTO event_parties (seq, side, kind, id) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let config = HashConfig::default();
            let mut prefixes: Option<Prefixes> = None;
            let mut sink =
                |header: &DocumentHeader, event: crate::Event| -> Result<(), TraceError> {
                    report.events += 1;
                    let found = crate::validate::check_event(&event);
                    if !found.is_empty() {
                        problems.extend(found);
                        return Ok(());
                    }
                    if !problems.is_empty() {
                        return Ok(());
                    }
                    let hash = event_hash(&event, header, config);
                    let facts = EventFacts::of(&event, hash);
                    if facts.error_declaration && retract.execute(params![facts.hash])? > 0 {
                        report.retracted += 1;
                        return Ok(());
                    }
                    let prefixes = prefixes.get_or_insert_with(|| Prefixes::from_header(header));
                    let mut body = event_to_json(&event, prefixes);
                    if let serde_json::Value::Object(map) = &mut body {
                        map.insert("@context".to_owned(), prefixes.context());
                    }
                    let facts_json = serde_json::to_string(&facts)
                        .map_err(|e| TraceError::Stopped(e.to_string()))?;
                    let changed = insert.execute(params![
                        facts.hash,
                        facts.event_id,
                        facts.event_type,
                        facts.time,
                        facts.action,
                        facts.biz_step,
                        facts.disposition,
                        facts.read_point,
                        facts.biz_location,
                        i64::from(facts.error_declaration),
                        source,
                        facts_json,
                        body.to_string(),
                    ])?;
                    if changed == 0 {
                        report.duplicates += 1;
                        return Ok(());
                    }
                    report.added += 1;
                    let seq = transaction.last_insert_rowid();
                    for (epc, role) in &facts.epcs {
                        insert_epc.execute(params![seq, epc, role.as_str()])?;
                    }
                    for class in &facts.classes {
                        insert_class.execute(params![seq, class])?;
                    }
                    for (side, parties) in [
                        ("source", &facts.sources),
                        ("destination", &facts.destinations),
                    ] {
                        for party in parties {
                            insert_party.execute(params![seq, side, party.kind, party.id])?;
                        }
                    }
                    Ok(())
                };
            crate::read::visit_events(reader, &mut sink)?;
        }
        if !problems.is_empty() {
            return Err(TraceError::Rejected { problems });
        }
        transaction.commit()?;
        Ok(report)
    }

    fn rows(
        &self,
        sql: &str,
        values: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<StoredEvent>, TraceError> {
        let mut statement = self.connection.prepare(sql)?;
        let rows = statement.query_map(values, |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (facts, retracted, source, body) = row?;
            let facts: EventFacts = serde_json::from_str(&facts)
                .map_err(|e| TraceError::Stopped(format!("corrupt facts: {e}")))?;
            let body = serde_json::from_str(&body)
                .map_err(|e| TraceError::Stopped(format!("corrupt body: {e}")))?;
            out.push(StoredEvent {
                facts,
                retracted: retracted != 0,
                source,
                body,
            });
        }
        Ok(out)
    }

    /// The full history of one product: every event naming it in any role, in time order.
    pub fn history(&self, epc: &str) -> Result<Vec<StoredEvent>, TraceError> {
        self.query(&Query {
            epc: Some(epc.to_owned()),
            ..Query::default()
        })
    }

    /// Events matching every criterion of `query`, in time order.
    pub fn query(&self, query: &Query) -> Result<Vec<StoredEvent>, TraceError> {
        let mut sql =
            String::from("SELECT e.facts, e.retracted, e.source, e.body FROM events e WHERE 1 = 1");
        let mut values: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        if let Some(epc) = &query.epc {
            sql.push_str(" AND e.seq IN (SELECT seq FROM event_epcs WHERE epc = ?)");
            values.push(Box::new(canonical_id(epc)));
        }
        if let Some(class) = &query.class {
            sql.push_str(" AND e.seq IN (SELECT seq FROM event_classes WHERE class = ?)");
            values.push(Box::new(canonical_id(class)));
        }
        if let Some(from) = query.from {
            sql.push_str(" AND e.event_time >= ?");
            values.push(Box::new(from));
        }
        if let Some(to) = query.to {
            sql.push_str(" AND e.event_time < ?");
            values.push(Box::new(to));
        }
        if let Some(step) = &query.biz_step {
            sql.push_str(" AND e.biz_step = ?");
            values.push(Box::new(crate::facts::cbv_term(step)));
        }
        if let Some(disposition) = &query.disposition {
            sql.push_str(" AND e.disposition = ?");
            values.push(Box::new(crate::facts::cbv_term(disposition)));
        }
        if let Some(location) = &query.location {
            sql.push_str(" AND (e.read_point = ? OR e.biz_location = ?)");
            let id = canonical_id(location);
            values.push(Box::new(id.clone()));
            values.push(Box::new(id));
        }
        if let Some(party) = &query.party {
            sql.push_str(" AND e.seq IN (SELECT seq FROM event_parties WHERE id = ?)");
            values.push(Box::new(canonical_id(party)));
        }
        sql.push_str(" ORDER BY e.event_time, e.seq");
        let refs: Vec<&dyn rusqlite::ToSql> = values.iter().map(|v| v.as_ref()).collect();
        self.rows(&sql, &refs)
    }

    /// The stored event with this hash.
    pub fn get(&self, hash: &str) -> Result<Option<StoredEvent>, TraceError> {
        let seq: Option<i64> = self
            .connection
            .query_row(
                "SELECT seq FROM events WHERE hash = ?1",
                params![hash],
                |r| r.get(0),
            )
            .optional()?;
        match seq {
            None => Ok(None),
            Some(seq) => Ok(self
                .rows(
                    "SELECT facts, retracted, source, body FROM events WHERE seq = ?",
                    &[&seq],
                )?
                .pop()),
        }
    }

    /// Runs every rule over all stored events that are not retracted, in time order,
    /// streaming them from the database.
    pub fn check(&self) -> Result<Vec<Finding>, TraceError> {
        let mut statement = self
            .connection
            .prepare("SELECT facts FROM events WHERE retracted = 0 ORDER BY event_time, seq")?;
        let mut rows = statement.query([])?;
        let mut checker = Checker::new();
        while let Some(row) = rows.next()? {
            let text: String = row.get(0)?;
            let facts: EventFacts = serde_json::from_str(&text)
                .map_err(|e| TraceError::Stopped(format!("corrupt facts: {e}")))?;
            checker.observe(&facts);
        }
        Ok(checker.finish())
    }
}
