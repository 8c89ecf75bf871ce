//! The event repository: an embedded SQLite file keyed by Event Hash ID.
//!
//! Ingesting is idempotent (an event whose hash is stored already adds nothing) and
//! transactional per document (a document with one invalid event is rejected whole, and
//! nothing of it is written). An event that carries an `errorDeclaration` has the hash of
//! the event it corrects (CBV 2.0 §8.9 leaves the declaration out), so it marks that event
//! retracted; retracted events are kept for history but ignored by the rules.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::ops::ControlFlow;
use std::path::Path;

use rusqlite::{Connection, params};
use serde::Serialize;

use crate::TraceError;
use crate::error::Problem;
use crate::facts::{EventFacts, Role, canonical_id};
use crate::hash::{HashConfig, event_hash};
use crate::model::DocumentHeader;
use crate::rules::{Checker, Finding, hash_mismatch};
use crate::write::{Prefixes, event_to_json};

/// Layout version, kept in `PRAGMA user_version`; a repository of another layout is refused.
const LAYOUT: i64 = 3;

/// Page cache of the connection (KiB; negative means KiB in SQLite): memory follows this
/// working set, not the size of what is ingested or checked.
const CACHE_KIB: i64 = 65_536;

const SCHEMA: &str = "
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
fn hash_key(hash: &str) -> Vec<u8> {
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

fn role_code(role: Role) -> i64 {
    match role {
        Role::Epc => 0,
        Role::Parent => 1,
        Role::Child => 2,
        Role::Input => 3,
        Role::Output => 4,
    }
}

/// Interns EPCs as integer ids, remembering recent ones (a bounded cache).
struct Interner<'c> {
    insert: rusqlite::CachedStatement<'c>,
    select: rusqlite::CachedStatement<'c>,
    recent: HashMap<String, i64>,
}

impl Interner<'_> {
    const RECENT: usize = 1 << 16;

    fn id(&mut self, connection: &Connection, epc: &str) -> Result<i64, TraceError> {
        if let Some(id) = self.recent.get(epc) {
            return Ok(*id);
        }
        let id = if self.insert.execute(params![epc])? == 1 {
            connection.last_insert_rowid()
        } else {
            self.select.query_row(params![epc], |r| r.get(0))?
        };
        if self.recent.len() >= Self::RECENT {
            self.recent.clear();
        }
        self.recent.insert(epc.to_owned(), id);
        Ok(id)
    }
}

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
    /// At most this many events (the earliest).
    pub limit: Option<usize>,
}

/// A query as a user writes it: each filter as text (see [`Query::parse`]).
#[derive(Debug, Clone, Default)]
pub struct QueryText {
    /// An EPC (instance identifier): EPC URN or GS1 Digital Link.
    pub epc: Option<String>,
    /// A class: LGTIN / product-class URN, or a Digital Link with a GTIN and no serial.
    pub class: Option<String>,
    /// Earliest event time: `YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]` or a date `YYYY-MM-DD` (UTC).
    pub from: Option<String>,
    /// Events before this time (same forms).
    pub to: Option<String>,
    /// A CBV 2.0 bizStep term (`shipping`), its URI or URN, or a custom URI.
    pub biz_step: Option<String>,
    /// A CBV 2.0 disposition term, its URI or URN, or a custom URI.
    pub disposition: Option<String>,
    /// A readPoint or bizLocation identifier (SGLN URN or Digital Link).
    pub location: Option<String>,
    /// A source or destination party or location identifier.
    pub party: Option<String>,
    /// At most this many events.
    pub limit: Option<usize>,
}

fn filter_error(field: &str, message: String) -> TraceError {
    TraceError::invalid(
        crate::Location {
            field: Some(field.to_owned()),
            ..crate::Location::default()
        },
        message,
    )
}

/// Whether a canonical identifier names a class (a GTIN without serial) rather than an instance.
fn is_class(value: &str, canonical: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("urn:epc:class:") || lower.starts_with("urn:epc:idpat:") {
        return true;
    }
    canonical.starts_with("https://id.gs1.org/01/") && !canonical.contains("/21/")
}

fn identifier(field: &str, value: &str) -> Result<(String, bool), TraceError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(filter_error(field, "empty: give an identifier".into()));
    }
    if value.chars().any(char::is_whitespace) || !value.contains(':') {
        return Err(filter_error(
            field,
            format!(
                "`{value}` is not an identifier URI: give an EPC URN (`urn:epc:id:sgtin:…`, `urn:epc:id:sgln:…`) or a GS1 Digital Link (`https://id.gs1.org/…`)"
            ),
        ));
    }
    match crate::identifiers::canonical(value) {
        Err(reason) => Err(filter_error(
            field,
            format!("malformed GS1 identifier `{value}`: {reason}"),
        )),
        Ok(Some(link)) => {
            let class = is_class(value, &link);
            Ok((link, class))
        }
        Ok(None) => Ok((value.to_owned(), is_class(value, value))),
    }
}

fn time_filter(field: &str, value: &str) -> Result<i64, TraceError> {
    let value = value.trim();
    if let Some(timestamp) = crate::time::Timestamp::parse(value) {
        return Ok(timestamp.millis());
    }
    if let Some(days) = crate::time::parse_date_days(value) {
        return Ok(days * 86_400_000);
    }
    Err(filter_error(
        field,
        format!(
            "`{value}` is neither a date-time (`2024-01-31T12:00:00Z`, `2024-01-31T07:00-05:00`) nor a date (`2024-01-31`, UTC)"
        ),
    ))
}

fn term_filter(
    field: &str,
    value: &str,
    terms: &[&str],
    prefixes: &[&str],
    what: &str,
) -> Result<String, TraceError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(filter_error(field, format!("empty: give a CBV {what}")));
    }
    let term = crate::facts::cbv_term(value);
    let standard = !value.contains(':') || prefixes.iter().any(|p| value.starts_with(p));
    if standard && !terms.contains(&term.as_str()) {
        let hint = crate::vocabulary::closest(&term, terms)
            .map(|t| format!(" (did you mean `{t}`?)"))
            .unwrap_or_default();
        return Err(filter_error(
            field,
            format!("`{value}` is not a CBV 2.0 {what}{hint}; a custom one must be a full URI"),
        ));
    }
    Ok(term)
}

impl Query {
    /// Checks and canonicalises filters as a user wrote them: identifiers must be URIs and
    /// well-formed when they are GS1 keys (an `epc` must be an instance, a `class` a class),
    /// times must be date-times or dates with `from` before `to`, and a bizStep or
    /// disposition given as a bare term or a CBV URI must be a CBV 2.0 term. Errors name the
    /// filter.
    pub fn parse(text: &QueryText) -> Result<Query, TraceError> {
        let mut query = Query {
            limit: text.limit,
            ..Query::default()
        };
        if let Some(epc) = &text.epc {
            let (id, class) = identifier("epc", epc)?;
            if class {
                return Err(filter_error(
                    "epc",
                    format!(
                        "`{}` names a class (no serial number): use the class filter",
                        epc.trim()
                    ),
                ));
            }
            query.epc = Some(id);
        }
        if let Some(class) = &text.class {
            let (id, is_class) = identifier("class", class)?;
            if !is_class {
                return Err(filter_error(
                    "class",
                    format!(
                        "`{}` is not a class: give an LGTIN (`urn:epc:class:lgtin:…`), a product class (`urn:epc:idpat:sgtin:…`) or a Digital Link with a GTIN and no serial",
                        class.trim()
                    ),
                ));
            }
            query.class = Some(id);
        }
        query.from = text
            .from
            .as_deref()
            .map(|v| time_filter("from", v))
            .transpose()?;
        query.to = text
            .to
            .as_deref()
            .map(|v| time_filter("to", v))
            .transpose()?;
        if let (Some(from), Some(to)) = (query.from, query.to)
            && from >= to
        {
            return Err(filter_error(
                "to",
                "must be later than `from` (`to` is exclusive)".into(),
            ));
        }
        if let Some(step) = &text.biz_step {
            query.biz_step = Some(term_filter(
                "biz-step",
                step,
                crate::vocabulary::BIZ_STEPS,
                &[
                    "https://ref.gs1.org/cbv/BizStep-",
                    "urn:epcglobal:cbv:bizstep:",
                ],
                "bizStep",
            )?);
        }
        if let Some(disposition) = &text.disposition {
            query.disposition = Some(term_filter(
                "disposition",
                disposition,
                crate::vocabulary::DISPOSITIONS,
                &["https://ref.gs1.org/cbv/Disp-", "urn:epcglobal:cbv:disp:"],
                "disposition",
            )?);
        }
        if let Some(location) = &text.location {
            query.location = Some(identifier("location", location)?.0);
        }
        if let Some(party) = &text.party {
            query.party = Some(identifier("party", party)?.0);
        }
        if query.limit == Some(0) {
            return Err(filter_error("limit", "must be at least 1".into()));
        }
        Ok(query)
    }
}

/// The SQLite event store. Its page cache is bounded at 128 MiB, so memory follows the
/// repository's working set, not the size of what is ingested.
#[derive(Debug)]
pub struct Repository {
    connection: Connection,
}

/// Rows per message from the reading thread to the writing thread of an ingest.
const BATCH: usize = 256;

/// One valid event, rendered for storage: its facts (for the index tables), the facts as
/// stored and the event as EPCIS 2.0 JSON-LD.
struct Row {
    facts: EventFacts,
    stored_facts: Vec<u8>,
    body: String,
}

enum Message {
    Rows(Vec<Row>),
    /// Every event was read and valid: commit. Without it the transaction rolls back.
    Commit,
}

/// The writing half of an ingest: one transaction, committed only on [`Message::Commit`].
///
/// Each batch goes back through `recycle` once written, so that the reading thread, which
/// allocated its rows, also frees them: a row freed on another thread would contend for the
/// allocator's lock of the thread that made it (a quarter of the ingest's CPU with glibc).
fn write_rows(
    connection: &mut Connection,
    source: &str,
    inbox: &std::sync::mpsc::Receiver<Message>,
    recycle: &std::sync::mpsc::Sender<Vec<Row>>,
) -> Result<IngestReport, TraceError> {
    let transaction = connection.transaction()?;
    let mut report = IngestReport::default();
    let mut commit = false;
    {
        transaction.execute(
            "INSERT INTO sources (label) VALUES (?1) ON CONFLICT (label) DO NOTHING",
            params![source],
        )?;
        let source_id: i64 = transaction.query_row(
            "SELECT id FROM sources WHERE label = ?1",
            params![source],
            |r| r.get(0),
        )?;
        let mut insert = transaction.prepare_cached(
            "INSERT INTO events (hash, event_id, event_type, event_time, action, biz_step, disposition,
                read_point, biz_location, retracted, mismatch, source, facts, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT (hash) DO NOTHING",
        )?;
        let mut retract = transaction
            .prepare_cached("UPDATE events SET retracted = 1 WHERE hash = ?1 AND retracted = 0")?;
        let mut insert_epc = transaction.prepare_cached(
            "INSERT INTO event_epcs (epc, seq, role) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        )?;
        let mut insert_link = transaction
            .prepare_cached("INSERT INTO event_links (parent, child) VALUES (?1, ?2)")?;
        let mut insert_class =
            transaction.prepare_cached("INSERT INTO event_classes (seq, class) VALUES (?1, ?2)")?;
        let mut insert_party = transaction.prepare_cached(
            "INSERT INTO event_parties (seq, side, kind, id) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut interner = Interner {
            insert: transaction.prepare_cached(
                "INSERT INTO epcs (epc) VALUES (?1) ON CONFLICT (epc) DO NOTHING",
            )?,
            select: transaction.prepare_cached("SELECT id FROM epcs WHERE epc = ?1")?,
            recent: HashMap::new(),
        };
        let mut ids: Vec<(i64, Role)> = Vec::new();
        for message in inbox {
            let rows = match message {
                Message::Rows(rows) => rows,
                Message::Commit => {
                    commit = true;
                    break;
                }
            };
            for row in &rows {
                let facts = &row.facts;
                let key = hash_key(&facts.hash);
                if facts.error_declaration && retract.execute(params![key])? > 0 {
                    report.retracted += 1;
                    continue;
                }
                let facts_blob = row.stored_facts.as_slice();
                let body_text = row.body.as_str();
                // A declaration whose event is not stored (yet) stands in for it, retracted
                // already: should the event come later, it is a duplicate of a retracted row.
                let changed = insert.execute(params![
                    key,
                    facts.event_id,
                    facts.event_type,
                    facts.time,
                    facts.action,
                    facts.biz_step,
                    facts.disposition,
                    facts.read_point,
                    facts.biz_location,
                    i64::from(facts.error_declaration),
                    i64::from(hash_mismatch(facts).is_some()),
                    source_id,
                    facts_blob,
                    body_text,
                ])?;
                if changed == 0 {
                    report.duplicates += 1;
                    continue;
                }
                report.added += 1;
                let seq = transaction.last_insert_rowid();
                ids.clear();
                for (epc, role) in &facts.epcs {
                    let id = interner.id(&transaction, epc)?;
                    insert_epc.execute(params![id, seq, role_code(*role)])?;
                    ids.push((id, *role));
                }
                for (parent, _) in ids.iter().filter(|(_, r)| *r == Role::Parent) {
                    for (child, _) in ids.iter().filter(|(_, r)| *r == Role::Child) {
                        insert_link.execute(params![parent, child])?;
                    }
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
            }
            // The reader may be gone already (it stopped on an error): then drop here.
            let _ = recycle.send(rows);
        }
    }
    if commit {
        transaction.commit()?;
    }
    Ok(report)
}

impl Repository {
    fn setup(connection: Connection, label: &str) -> Result<Self, TraceError> {
        connection.execute_batch(&format!(
            "PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = NORMAL; \
             PRAGMA cache_size = -{CACHE_KIB}; PRAGMA temp_store = FILE;"
        ))?;
        let version: i64 = connection.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let tables: i64 = connection.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )?;
        if tables > 0 && version != LAYOUT {
            return Err(TraceError::Stopped(format!(
                "the repository `{label}` has layout {version}, this lifeline reads layout {LAYOUT}: ingest its files into a new repository"
            )));
        }
        connection.execute_batch(SCHEMA)?;
        connection.pragma_update(None, "user_version", LAYOUT)?;
        connection.set_prepared_statement_cache_capacity(32);
        Ok(Repository { connection })
    }

    /// Opens (creating if needed) the repository file at `path`.
    pub fn open(path: &Path) -> Result<Self, TraceError> {
        Self::setup(Connection::open(path)?, &path.display().to_string())
    }

    /// A repository in memory (for checking files without storing them).
    pub fn in_memory() -> Result<Self, TraceError> {
        Self::setup(Connection::open_in_memory()?, ":memory:")
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
    ///
    /// Two threads share the work: this one reads, validates and hashes the events and
    /// renders their rows; a second one writes the rows into the open transaction. Rows
    /// travel in small batches through a bounded channel, so memory stays bounded.
    pub fn ingest<R: Read>(&mut self, reader: R, source: &str) -> Result<IngestReport, TraceError> {
        let connection = &mut self.connection;
        std::thread::scope(|scope| {
            let (rows, inbox) = std::sync::mpsc::sync_channel::<Message>(16);
            let (recycle, written) = std::sync::mpsc::channel::<Vec<Row>>();
            let writer = scope.spawn(move || write_rows(connection, source, &inbox, &recycle));
            let mut events = 0usize;
            let mut problems: Vec<Problem> = Vec::new();
            let config = HashConfig::default();
            let mut prefixes: Option<Prefixes> = None;
            let mut batch: Vec<Row> = Vec::with_capacity(BATCH);
            let mut sink = |header: &DocumentHeader,
                            event: crate::Event|
             -> Result<(), TraceError> {
                events += 1;
                let found = crate::validate::check_event(&event);
                if !found.is_empty() {
                    problems.extend(found);
                    return Ok(());
                }
                if !problems.is_empty() {
                    return Ok(());
                }
                let prefixes = prefixes.get_or_insert_with(|| Prefixes::from_header(header));
                let hash = event_hash(&event, header, config);
                let facts = EventFacts::of(&event, hash);
                let stored_facts = encode_facts(&facts)?;
                let body = stored_body(&event, prefixes)?;
                batch.push(Row {
                    facts,
                    stored_facts,
                    body,
                });
                if batch.len() == BATCH {
                    // Rows the writer is done with are freed here, where they were made.
                    let reuse = written.try_iter().last();
                    let next = match reuse {
                        Some(mut old) => {
                            old.clear();
                            old
                        }
                        None => Vec::with_capacity(BATCH),
                    };
                    let full = std::mem::replace(&mut batch, next);
                    rows.send(Message::Rows(full))
                        .map_err(|_| TraceError::Stopped("the repository writer stopped".into()))?;
                }
                Ok(())
            };
            let read = crate::read::visit_events(reader, &mut sink);
            let ok = read.is_ok() && problems.is_empty();
            if ok {
                let last = std::mem::take(&mut batch);
                // A send fails only when the writer stopped; its error is reported below.
                let _ = rows.send(Message::Rows(last));
                let _ = rows.send(Message::Commit);
            }
            drop(rows);
            let written = writer
                .join()
                .map_err(|_| TraceError::Stopped("the repository writer panicked".into()))?;
            // A writer (database) error explains a reader that was stopped by it.
            let mut report = written?;
            read?;
            if !problems.is_empty() {
                return Err(TraceError::Rejected { problems });
            }
            report.events = events;
            Ok(report)
        })
    }

    fn rows(
        &self,
        sql: &str,
        values: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<StoredEvent>, TraceError> {
        let mut statement = self.connection.prepare(sql)?;
        let rows = statement.query_map(values, |row| {
            Ok((
                row.get::<_, Vec<u8>>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (facts, retracted, source, body) = row?;
            let facts = decode_facts(&facts)?;
            let mut body: serde_json::Value = serde_json::from_str(&body)
                .map_err(|e| TraceError::Stopped(format!("corrupt body: {e}")))?;
            if let serde_json::Value::Object(map) = &mut body
                && !map.contains_key("@context")
            {
                map.insert("@context".to_owned(), default_context());
            }
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
        let mut sql = String::from(
            "SELECT e.facts, e.retracted, s.label, e.body FROM events e JOIN sources s ON s.id = e.source WHERE 1 = 1",
        );
        let mut values: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        if let Some(epc) = &query.epc {
            sql.push_str(
                " AND e.seq IN (SELECT ee.seq FROM event_epcs ee JOIN epcs p ON p.id = ee.epc WHERE p.epc = ?)",
            );
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
        if let Some(limit) = query.limit {
            sql.push_str(" LIMIT ?");
            values.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        let refs: Vec<&dyn rusqlite::ToSql> = values.iter().map(|v| v.as_ref()).collect();
        self.rows(&sql, &refs)
    }

    /// The stored event with this hash.
    pub fn get(&self, hash: &str) -> Result<Option<StoredEvent>, TraceError> {
        Ok(self
            .rows(
                "SELECT e.facts, e.retracted, s.label, e.body FROM events e JOIN sources s ON s.id = e.source WHERE e.hash = ?",
                &[&hash_key(hash.trim())],
            )?
            .pop())
    }

    /// Runs every rule over all stored events that are not retracted, in time order.
    ///
    /// The rules follow each product on its own, except that an event on a parent acts on
    /// what is packed inside it. So the EPCs are split into aggregation families (connected
    /// through any parent/child link ever stored, found with a union-find over EPC ids), and
    /// each family is checked alone over the events naming its members, read from the
    /// database in time order. Memory is the page cache, a few bytes per EPC id, and the
    /// state of one family; the findings are those of one pass over all events in time order.
    pub fn check(&self) -> Result<Vec<Finding>, TraceError> {
        let mut findings = Vec::new();
        self.check_each(&mut |finding| {
            findings.push(finding);
            ControlFlow::Continue(())
        })?;
        findings.sort();
        findings.dedup();
        Ok(findings)
    }

    /// As [`Repository::check`], handing each finding to `found` as soon as its family is
    /// done instead of collecting them: the `hash-mismatch` findings first, then each
    /// family's findings (sorted within the family). Memory does not grow with the number
    /// of findings. The check stops early, without error, when `found` breaks (a reader
    /// that went away, a limit reached).
    pub fn check_each(
        &self,
        found: &mut dyn FnMut(Finding) -> ControlFlow<()>,
    ) -> Result<(), TraceError> {
        // One read transaction for the whole check: otherwise each of the many small queries
        // takes and releases the file lock and looks for a hot journal (three system calls).
        let snapshot = self.connection.unchecked_transaction()?;
        self.check_in(found)?;
        snapshot.commit()?;
        Ok(())
    }

    fn check_in(
        &self,
        found: &mut dyn FnMut(Finding) -> ControlFlow<()>,
    ) -> Result<(), TraceError> {
        let mut mismatches = self.connection.prepare(
            "SELECT facts FROM events WHERE mismatch = 1 AND retracted = 0 ORDER BY seq",
        )?;
        let mut rows = mismatches.query([])?;
        while let Some(row) = rows.next()? {
            let facts = decode_facts(blob_of(row.get_ref(0)?)?)?;
            if let Some(finding) = hash_mismatch(&facts)
                && found(finding).is_break()
            {
                return Ok(());
            }
        }
        let count: i64 =
            self.connection
                .query_row("SELECT COALESCE(MAX(id), 0) FROM epcs", [], |r| r.get(0))?;
        let count = usize::try_from(count).unwrap_or_default() + 1;
        let mut families = UnionFind::new(count);
        let mut links = self
            .connection
            .prepare("SELECT parent, child FROM event_links")?;
        let mut rows = links.query([])?;
        while let Some(row) = rows.next()? {
            let (parent, child): (i64, i64) = (row.get(0)?, row.get(1)?);
            families.union(index(parent, count)?, index(child, count)?);
        }
        // Members of each family, contiguous: a counting sort by root.
        let mut start = vec![0u32; count + 1];
        for id in 1..count {
            start[families.find(id) + 1] += 1;
        }
        for i in 1..=count {
            start[i] += start[i - 1];
        }
        let mut members = vec![0u32; count];
        let mut next = start.clone();
        for id in 1..count {
            let root = families.find(id);
            members[next[root] as usize] = id as u32;
            next[root] += 1;
        }
        drop(next);
        // One family's EPCs and their events: by id range when the ids are contiguous (EPCs
        // met together are interned together), else one id at a time.
        let mut epc_range = self.connection.prepare(
            "SELECT p.epc, ee.seq FROM epcs p LEFT JOIN event_epcs ee ON ee.epc = p.id WHERE p.id BETWEEN ?1 AND ?2",
        )?;
        // A family's events: by seq range when they lie close together, else one by one.
        let mut event_range = self.connection.prepare(
            "SELECT seq, event_time, facts FROM events WHERE seq BETWEEN ?1 AND ?2 AND retracted = 0",
        )?;
        // This thread reads each family's EPCs and events from the database; a second one
        // parses the events and runs the rules, handing the findings back.
        std::thread::scope(|scope| {
            let (families, inbox) = std::sync::mpsc::sync_channel::<Vec<Family>>(8);
            let (results, outbox) = std::sync::mpsc::channel::<Result<Vec<Finding>, TraceError>>();
            scope.spawn(move || {
                for batch in inbox {
                    for family in batch {
                        if results.send(check_family(family)).is_err() {
                            return;
                        }
                    }
                }
            });
            // Hands a family's findings on; `Break` when the caller wants no more.
            let mut deliver =
                |result: Result<Vec<Finding>, TraceError>| -> Result<ControlFlow<()>, TraceError> {
                    for finding in result? {
                        if found(finding).is_break() {
                            return Ok(ControlFlow::Break(()));
                        }
                    }
                    Ok(ControlFlow::Continue(()))
                };
            let mut seqs: Vec<i64> = Vec::new();
            let mut family: Vec<u32> = Vec::new();
            let mut batch: Vec<Family> = Vec::with_capacity(FAMILIES);
            for root in 1..count {
                family.clear();
                family.extend_from_slice(&members[start[root] as usize..start[root + 1] as usize]);
                if family.is_empty() {
                    continue;
                }
                family.sort_unstable();
                let mut focus = HashSet::with_capacity(family.len());
                seqs.clear();
                let mut at = 0;
                while at < family.len() {
                    // The longest run of consecutive ids from `at`.
                    let mut end = at + 1;
                    while end < family.len() && family[end] == family[end - 1] + 1 {
                        end += 1;
                    }
                    let mut rows = epc_range
                        .query(params![i64::from(family[at]), i64::from(family[end - 1])])?;
                    while let Some(row) = rows.next()? {
                        let epc = text_of(row.get_ref(0)?)?;
                        if !focus.contains(epc) {
                            focus.insert(epc.to_owned());
                        }
                        if let Some(seq) = row.get::<_, Option<i64>>(1)? {
                            seqs.push(seq);
                        }
                    }
                    at = end;
                }
                seqs.sort_unstable();
                seqs.dedup();
                let mut events = Vec::with_capacity(seqs.len());
                let mut at = 0;
                while at < seqs.len() {
                    // Extend the range while it stays at least half full.
                    let mut end = at + 1;
                    while end < seqs.len() && seqs[end] - seqs[at] < 2 * (end - at + 1) as i64 {
                        end += 1;
                    }
                    let mut rows = event_range.query(params![seqs[at], seqs[end - 1]])?;
                    while let Some(row) = rows.next()? {
                        let seq: i64 = row.get(0)?;
                        if seqs[at..end].binary_search(&seq).is_ok() {
                            let time: i64 = row.get(1)?;
                            events.push((time, seq, blob_of(row.get_ref(2)?)?.to_owned()));
                        }
                    }
                    at = end;
                }
                batch.push(Family { focus, events });
                if batch.len() == FAMILIES {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(FAMILIES));
                    if families.send(full).is_err() {
                        break;
                    }
                    for result in outbox.try_iter() {
                        if deliver(result)?.is_break() {
                            return Ok(());
                        }
                    }
                }
            }
            // A send fails only when the checker stopped; its results say why.
            let _ = families.send(batch);
            drop(families);
            for result in outbox {
                if deliver(result)?.is_break() {
                    break;
                }
            }
            Ok(())
        })
    }
}

/// Families per message from the reading thread to the checking thread.
const FAMILIES: usize = 64;

/// One aggregation family: its EPCs and the events naming them (time, seq, stored facts).
struct Family {
    focus: HashSet<String>,
    events: Vec<(i64, i64, Vec<u8>)>,
}

fn check_family(family: Family) -> Result<Vec<Finding>, TraceError> {
    let mut events = Vec::with_capacity(family.events.len());
    for (time, seq, text) in &family.events {
        events.push((*time, *seq, decode_facts(text)?));
    }
    events.sort_unstable_by_key(|(time, seq, _)| (*time, *seq));
    let mut checker = Checker::focused(family.focus);
    for (_, _, facts) in &events {
        checker.observe(facts);
    }
    Ok(checker.finish())
}

fn text_of(value: rusqlite::types::ValueRef<'_>) -> Result<&str, TraceError> {
    value
        .as_str()
        .map_err(|e| TraceError::Stopped(format!("corrupt facts: {e}")))
}

fn blob_of(value: rusqlite::types::ValueRef<'_>) -> Result<&[u8], TraceError> {
    value
        .as_blob()
        .map_err(|e| TraceError::Stopped(format!("corrupt facts: {e}")))
}

/// The facts as stored: postcard, a compact binary serde format (about half the size of
/// JSON, and quicker to read back for every check).
fn encode_facts(facts: &EventFacts) -> Result<Vec<u8>, TraceError> {
    postcard::to_stdvec(facts).map_err(|e| TraceError::Stopped(format!("storing facts: {e}")))
}

fn decode_facts(blob: &[u8]) -> Result<EventFacts, TraceError> {
    postcard::from_bytes(blob).map_err(|e| TraceError::Stopped(format!("corrupt facts: {e}")))
}

fn index(id: i64, count: usize) -> Result<usize, TraceError> {
    usize::try_from(id)
        .ok()
        .filter(|i| *i < count)
        .ok_or_else(|| TraceError::Stopped(format!("corrupt repository: EPC id {id} out of range")))
}

/// An event as the repository stores it: EPCIS 2.0 JSON-LD, with an `@context` only when
/// the event uses extension prefixes (the standard context is implied).
fn stored_body(event: &crate::Event, prefixes: &mut Prefixes) -> Result<String, TraceError> {
    let mut body = event_to_json(event, prefixes);
    if prefixes.any_used()
        && let serde_json::Value::Object(map) = &mut body
    {
        map.insert("@context".to_owned(), prefixes.context());
    }
    serde_json::to_string(&body).map_err(|e| TraceError::Stopped(e.to_string()))
}

fn default_context() -> serde_json::Value {
    serde_json::Value::Array(vec![serde_json::Value::String(
        crate::write::EPCIS_CONTEXT.to_owned(),
    )])
}

/// Union-find with path halving and union by size over dense ids.
struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    fn new(count: usize) -> Self {
        UnionFind {
            parent: (0..count as u32).collect(),
            size: vec![1; count],
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] as usize != x {
            let grand = self.parent[self.parent[x] as usize];
            self.parent[x] = grand;
            x = grand as usize;
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a as u32;
        self.size[a] += self.size[b];
    }
}
