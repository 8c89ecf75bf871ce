//! Ingest: one document in one transaction, on two threads (read, check, hash and extract
//! facts on the caller's thread; write on a second one).

use std::collections::HashMap;
use std::io::Read;
use std::sync::mpsc::{Receiver, Sender};

use rusqlite::{Connection, params};
use serde::Serialize;

use super::Repository;
use super::layout::{encode_facts, hash_key, role_code};
use crate::TraceError;
use crate::error::Problem;
use crate::facts::{EventFacts, Role};
use crate::hash::{HashConfig, event_hash};
use crate::model::DocumentHeader;
use crate::rules::hash_mismatch;
use crate::write::{Prefixes, event_to_json};

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
    inbox: &Receiver<Message>,
    recycle: &Sender<Vec<Row>>,
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

/// An event as the repository stores it: EPCIS 2.0 JSON-LD, with an `@context` only when
/// the event uses extension prefixes (the standard context is implied).
fn stored_body(event: &crate::Event, prefixes: &mut Prefixes) -> Result<String, TraceError> {
    let mut body = event_to_json(event, prefixes);
    if prefixes.any_used()
        && let serde_json::Value::Object(map) = &mut body
    {
        map.insert("@context".to_owned(), prefixes.context());
    }
    serde_json::to_string(&body).map_err(|e| TraceError::Serialise {
        what: "the event body",
        message: e.to_string(),
    })
}

/// One valid event as the repository stores it: its facts and its EPCIS 2.0 JSON-LD body
/// (see [`StoredEvent::from_stored`](super::StoredEvent::from_stored) for the way back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedEvent {
    /// The facts, with the CBV 2.0 Event Hash ID.
    pub facts: EventFacts,
    /// The event as EPCIS 2.0 JSON-LD, with an `@context` only when it uses extension
    /// prefixes.
    pub body: String,
}

/// Checks, hashes and renders the events of one document, one at a time, as
/// [`Repository::ingest`] does before it writes them; any other store of events (the
/// server's) uses it too, so that both keep the same facts, hashes and bodies.
///
/// Every invalid event is a problem, kept up to `max_problems` and counted beyond; after
/// the first problem no more events are rendered (the document will be rejected).
#[derive(Debug)]
pub struct Preparer {
    events: usize,
    problems: Vec<Problem>,
    omitted: usize,
    max_problems: usize,
    config: HashConfig,
    prefixes: Option<Prefixes>,
}

impl Preparer {
    /// A preparer keeping at most `max_problems` problems.
    pub fn new(max_problems: usize) -> Self {
        Preparer {
            events: 0,
            problems: Vec::new(),
            omitted: 0,
            max_problems,
            config: HashConfig::default(),
            prefixes: None,
        }
    }

    /// The next event of the document with `header`: `Some` when it is valid and no
    /// earlier event was invalid.
    pub fn event(
        &mut self,
        header: &DocumentHeader,
        event: crate::Event,
    ) -> Result<Option<PreparedEvent>, TraceError> {
        self.events += 1;
        let found = crate::validate::check_event(&event);
        if !found.is_empty() {
            // A rejected file's problems are kept up to the cap and counted beyond it, so
            // that a million bad events give a short message.
            for problem in found {
                if self.problems.len() < self.max_problems {
                    self.problems.push(problem);
                } else {
                    self.omitted += 1;
                }
            }
            return Ok(None);
        }
        if !self.problems.is_empty() {
            return Ok(None);
        }
        let prefixes = self
            .prefixes
            .get_or_insert_with(|| Prefixes::from_header(header));
        let hash = event_hash(&event, header, self.config);
        let facts = EventFacts::of(&event, hash);
        let body = stored_body(&event, prefixes)?;
        Ok(Some(PreparedEvent { facts, body }))
    }

    /// Whether every event so far was valid.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// Ends the document: the number of events, or every problem found
    /// (`TraceError::Rejected`).
    pub fn finish(self) -> Result<usize, TraceError> {
        if self.problems.is_empty() {
            Ok(self.events)
        } else {
            Err(TraceError::Rejected {
                problems: self.problems,
                omitted: self.omitted,
            })
        }
    }
}

/// Reads a whole document within `limits` and prepares its events for storage (see
/// [`Preparer`]): all of them, or an error with every problem found.
pub fn prepare_document<R: Read>(
    reader: R,
    limits: &crate::read::ReadLimits,
) -> Result<(DocumentHeader, Vec<PreparedEvent>), TraceError> {
    let mut preparer = Preparer::new(limits.max_problems);
    let mut prepared = Vec::new();
    let (header, _) = crate::read::visit_events_with(reader, limits, &mut |header, event| {
        if let Some(event) = preparer.event(header, event)? {
            prepared.push(event);
        }
        Ok(())
    })?;
    preparer.finish()?;
    Ok((header, prepared))
}

impl Repository {
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
            let mut preparer = Preparer::new(crate::read::ReadLimits::default().max_problems);
            let mut batch: Vec<Row> = Vec::with_capacity(BATCH);
            let mut sink =
                |header: &DocumentHeader, event: crate::Event| -> Result<(), TraceError> {
                    let Some(PreparedEvent { facts, body }) = preparer.event(header, event)? else {
                        return Ok(());
                    };
                    let stored_facts = encode_facts(&facts)?;
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
                            .map_err(|_| TraceError::WriterFailed("stopped"))?;
                    }
                    Ok(())
                };
            let read = crate::read::visit_events(reader, &mut sink);
            let ok = read.is_ok() && preparer.is_clean();
            if ok {
                let last = std::mem::take(&mut batch);
                // A send fails only when the writer stopped; its error is reported below.
                let _ = rows.send(Message::Rows(last));
                let _ = rows.send(Message::Commit);
            }
            drop(rows);
            let written = writer
                .join()
                .map_err(|_| TraceError::WriterFailed("panicked"))?;
            // A writer (database) error explains a reader that was stopped by it.
            let mut report = written?;
            read?;
            report.events = preparer.finish()?;
            Ok(report)
        })
    }
}
