//! Streaming reader for EPCIS 2.0 JSON-LD documents and query documents.
//!
//! The document is walked with serde's visitor API (`DeserializeSeed` over the top-level
//! map, `epcisBody`, `queryResults.resultsBody` and the `eventList` sequence), so only one
//! event is held in memory at a time: a 1 GB document needs the memory of its largest
//! event, not of the file. `@context`, `ignoreFields` and the header must come before
//! `epcisBody`, as they do in every document the standard shows; a prefix declared only
//! after the body is not applied to it.
//!
//! Hostile input is held to [`ReadLimits`]: serde_json stops any nesting deeper than 128,
//! each event and header member is checked (depth, value sizes, number of values) before it
//! is converted, and the byte budget below the read buffer bounds what serde_json may
//! buffer for one event or header member. The conversion recurses on the value, so its
//! depth is bounded by the same limit.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io::Read;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::model::{DocumentHeader, Element, Event, EventType};
use crate::read::limits::{Budget, Counted, Exceeded, ReadLimits, budget_error};
use crate::{Location, TraceError};

/// Callback type: receives the header (complete up to the body) and each event.
pub type EventSink<'a> = dyn FnMut(&DocumentHeader, Event) -> Result<(), TraceError> + 'a;

/// One part of a JSON document as written, before conversion (for schema validation).
#[derive(Debug)]
pub enum RawPart<'v> {
    /// One event of the event list, with its 0-based index.
    Event(usize, &'v Value),
    /// The document without its events: every member as written, with each `eventList`
    /// emptied. Delivered once, after the last event.
    Shell(&'v Value),
}

/// Callback type for [`RawPart`]s.
pub type RawSink<'a> = dyn FnMut(RawPart<'_>) + 'a;

struct State<'a, 'b> {
    header: DocumentHeader,
    sink: &'a mut EventSink<'b>,
    count: usize,
    failure: Option<TraceError>,
    /// Whether `@context` has been read; events before it wait in `pending`.
    context_seen: bool,
    pending: Vec<Value>,
    /// Receives each event and the document shell as written, when set.
    raw: Option<&'a mut RawSink<'b>>,
    raw_count: usize,
    shell: Map<String, Value>,
    limits: ReadLimits,
    budget: &'a Budget,
    /// Values held in `pending`, against `max_event_elements`.
    pending_values: usize,
    /// Whether the reader is inside an event list (for the place of a budget error).
    in_list: bool,
}

impl State<'_, '_> {
    /// Records a member of the document shell at `path` (object keys from the top).
    fn shell_insert(&mut self, path: &[&str], key: &str, value: Value) {
        if self.raw.is_none() {
            return;
        }
        let mut map = &mut self.shell;
        for step in path {
            let entry = map
                .entry((*step).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            match entry {
                Value::Object(inner) => map = inner,
                _ => return,
            }
        }
        map.insert(key.to_owned(), value);
    }
}

type Shared<'s, 'a, 'b> = &'s RefCell<State<'a, 'b>>;

/// Reads a JSON-LD document from `reader` with the default [`ReadLimits`], calling `sink`
/// once per event in document order. Returns the header and the number of events.
pub fn read<R: Read>(
    reader: R,
    sink: &mut EventSink<'_>,
) -> Result<(DocumentHeader, usize), TraceError> {
    read_raw_with(reader, &ReadLimits::default(), sink, None)
}

/// As [`read`], also handing each event as written and then the document shell to `raw`
/// (schema validation), still one event at a time.
pub fn read_raw<'b, R: Read>(
    reader: R,
    sink: &mut EventSink<'b>,
    raw: Option<&mut RawSink<'b>>,
) -> Result<(DocumentHeader, usize), TraceError> {
    read_raw_with(reader, &ReadLimits::default(), sink, raw)
}

/// As [`read_raw`], within `limits`.
pub fn read_raw_with<'b, R: Read>(
    reader: R,
    limits: &ReadLimits,
    sink: &mut EventSink<'b>,
    raw: Option<&mut RawSink<'b>>,
) -> Result<(DocumentHeader, usize), TraceError> {
    let budget = Budget::new(limits);
    let reader = std::io::BufReader::new(Counted {
        inner: reader,
        budget: &budget,
    });
    read_counted(reader, limits, &budget, sink, raw)
}

/// The reader proper, over buffered input that counts into `budget`.
pub(crate) fn read_counted<'b, R: Read>(
    reader: R,
    limits: &ReadLimits,
    budget: &Budget,
    sink: &mut EventSink<'b>,
    raw: Option<&mut RawSink<'b>>,
) -> Result<(DocumentHeader, usize), TraceError> {
    let state = RefCell::new(State {
        header: DocumentHeader::default(),
        sink,
        count: 0,
        failure: None,
        context_seen: false,
        pending: Vec::new(),
        raw,
        raw_count: 0,
        shell: Map::new(),
        limits: *limits,
        budget,
        pending_values: 0,
        in_list: false,
    });
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = DocumentSeed(&state)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    let mut state = state.into_inner();
    if result.is_ok()
        && state.failure.is_none()
        && let Some(raw) = state.raw.as_mut()
    {
        raw(RawPart::Shell(&Value::Object(std::mem::take(
            &mut state.shell,
        ))));
    }
    if let Some(failure) = state.failure {
        return Err(failure);
    }
    if let Err(error) = result {
        if let Some(exceeded) = budget.exceeded() {
            // serde_json buffers no single value, so the value window is the event's.
            let exceeded = match exceeded {
                Exceeded::Value => Exceeded::Part,
                other => other,
            };
            let event = state.in_list.then_some(state.raw_count.max(state.count));
            return Err(budget_error(exceeded, limits, None, event));
        }
        return Err(json_error(&error));
    }
    Ok((state.header, state.count))
}

/// What broke a limit: the description, the limit and its setting.
type Hit = (String, u64, &'static str);

/// Builds a [`Value`] as serde_json reads it, holding it to the limits on the way: nesting
/// (`depth` is the value's own level in the document), the length of every string and key,
/// and the number of values. Checking while building matters: `[{},{},…]` costs some 70
/// bytes of memory per 3 bytes of input, so a check after the event was built would come
/// after the memory was spent. Recursive, but serde_json stops at 128 levels and this at
/// `max_depth` before that.
#[derive(Clone, Copy)]
struct Limited<'c> {
    limits: &'c ReadLimits,
    depth: usize,
    count: &'c Cell<usize>,
    hit: &'c RefCell<Option<Hit>>,
}

impl<'c> Limited<'c> {
    fn fail<E: serde::de::Error>(self, hit: Hit) -> E {
        *self.hit.borrow_mut() = Some(hit);
        E::custom("a reader limit was reached")
    }

    /// Counts one more value.
    fn bump<E: serde::de::Error>(self) -> Result<(), E> {
        let count = self.count.get() + 1;
        self.count.set(count);
        if count > self.limits.max_event_elements {
            let max = self.limits.max_event_elements;
            return Err(self.fail((
                format!("the number of values (more than {max})"),
                max as u64,
                "max_event_elements",
            )));
        }
        Ok(())
    }

    fn text<E: serde::de::Error>(self, text: &str) -> Result<(), E> {
        if text.len() > self.limits.max_value_bytes {
            return Err(self.fail((
                format!("a string of {} bytes", text.len()),
                self.limits.max_value_bytes as u64,
                "max_value_bytes",
            )));
        }
        Ok(())
    }

    /// Checks that a list or object may open at this level; the level of its items.
    fn open<E: serde::de::Error>(self) -> Result<Limited<'c>, E> {
        self.bump()?;
        if self.depth > self.limits.depth() {
            return Err(self.fail((
                format!("objects and arrays nested {} deep", self.depth),
                self.limits.depth() as u64,
                "max_depth",
            )));
        }
        Ok(Limited {
            depth: self.depth + 1,
            ..self
        })
    }
}

impl<'de> DeserializeSeed<'de> for Limited<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Limited<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Value, E> {
        self.bump()?;
        Ok(Value::Bool(value))
    }
    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Value, E> {
        self.bump()?;
        Ok(Value::Number(value.into()))
    }
    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Value, E> {
        self.bump()?;
        Ok(Value::Number(value.into()))
    }
    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Value, E> {
        self.bump()?;
        Ok(serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Value, E> {
        self.bump()?;
        self.text(value)?;
        Ok(Value::String(value.to_owned()))
    }
    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<Value, E> {
        self.bump()?;
        self.text(&value)?;
        Ok(Value::String(value))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.bump()?;
        Ok(Value::Null)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.open()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.open()?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.text(&key)?;
            let value = map.next_value_seed(inner)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Reads one value at `depth` through [`Limited`]; returns it (or `None` at the end of a
/// list) and how many values it holds. A limit becomes [`TraceError::Limit`] in `event`,
/// naming `member` when it is a header member.
fn read_limited<E: serde::de::Error>(
    state: Shared<'_, '_, '_>,
    depth: usize,
    event: Option<usize>,
    member: Option<&str>,
    read: impl FnOnce(Limited<'_>) -> Result<Option<Value>, E>,
) -> Result<Option<(Value, usize)>, E> {
    let limits = state.borrow().limits;
    let count = Cell::new(0);
    let hit = RefCell::new(None);
    let seed = Limited {
        limits: &limits,
        depth,
        count: &count,
        hit: &hit,
    };
    match read(seed) {
        Ok(value) => Ok(value.map(|value| (value, count.get()))),
        Err(error) => match hit.into_inner() {
            Some((what, limit, setting)) => {
                let what = match member {
                    // The place of a header limit is only "document": name the member.
                    Some(key) => format!("{what} in `{}`", lifeline_text::Excerpt(key)),
                    None => what,
                };
                let error = TraceError::Limit {
                    at: None,
                    event,
                    what,
                    limit,
                    setting,
                };
                Err(stop(state, error))
            }
            None => Err(error),
        },
    }
}

/// A header member at the top level of the document (level 2), within the limits.
fn header_value<'de, A: MapAccess<'de>>(
    state: Shared<'_, '_, '_>,
    map: &mut A,
    key: &str,
) -> Result<Value, A::Error> {
    let read = read_limited(state, 2, None, Some(key), |seed| {
        map.next_value_seed(seed).map(Some)
    })?;
    Ok(read.map(|(value, _)| value).unwrap_or(Value::Null))
}

/// The index the next event of the document will have.
fn next_index(state: Shared<'_, '_, '_>) -> usize {
    let state = state.borrow();
    state.raw_count.max(state.count + state.pending.len())
}

fn json_error(error: &serde_json::Error) -> TraceError {
    if error.is_io() {
        return TraceError::Io(std::io::Error::other(error.to_string()));
    }
    let message = error.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message.as_str(),
    };
    // serde_json quotes the value it did not expect (`invalid type: string "…"`).
    let message = lifeline_text::excerpt_to(message, 240).into_owned();
    TraceError::Json {
        line: error.line(),
        column: error.column(),
        message,
    }
}

fn stop<E: serde::de::Error>(state: Shared<'_, '_, '_>, error: TraceError) -> E {
    let mut state = state.borrow_mut();
    if state.failure.is_none() {
        state.failure = Some(error);
    }
    E::custom("stopped")
}

struct DocumentSeed<'s, 'a, 'b>(Shared<'s, 'a, 'b>);

impl<'de> DeserializeSeed<'de> for DocumentSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocumentSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an EPCIS document (a JSON object)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut saw_body = false;
        loop {
            self.0.borrow().budget.start_part();
            let Some(key) = map.next_key::<String>()? else {
                break;
            };
            match key.as_str() {
                "@context" => {
                    let context = header_value(self.0, &mut map, &key)?;
                    let mut state = self.0.borrow_mut();
                    collect_namespaces(&context, &mut state.header.namespaces);
                    state.context_seen = true;
                    state.shell_insert(&[], &key, context);
                }
                "type" => {
                    let value = header_value(self.0, &mut map, &key)?;
                    let mut state = self.0.borrow_mut();
                    state.header.document_type = value.as_str().unwrap_or_default().to_owned();
                    state.shell_insert(&[], &key, value);
                }
                "schemaVersion" => {
                    let value = header_value(self.0, &mut map, &key)?;
                    let mut state = self.0.borrow_mut();
                    state.header.schema_version = scalar_text(&value);
                    state.shell_insert(&[], &key, value);
                }
                "creationDate" => {
                    let value = header_value(self.0, &mut map, &key)?;
                    let mut state = self.0.borrow_mut();
                    state.header.creation_date = scalar_text(&value);
                    state.shell_insert(&[], &key, value);
                }
                "epcisHeader" => {
                    let value = header_value(self.0, &mut map, &key)?;
                    let mut state = self.0.borrow_mut();
                    let namespaces = state.header.namespaces.clone();
                    if let Some(master) = value.get("epcisMasterData").or(value.get("masterData")) {
                        state.header.master_data = generic("masterData", master, &namespaces);
                    }
                    state.shell_insert(&[], &key, value);
                }
                "epcisBody" => {
                    saw_body = true;
                    self.0.borrow().budget.end_part();
                    self.0
                        .borrow_mut()
                        .shell_insert(&[], &key, Value::Object(Map::new()));
                    map.next_value_seed(BodySeed(self.0, vec!["epcisBody"]))?;
                }
                other if other.ends_with(":ignoreFields") || other == "ignoreFields" => {
                    let value = header_value(self.0, &mut map, &key)?;
                    let mut state = self.0.borrow_mut();
                    state.shell_insert(&[], &key, value.clone());
                    let namespaces = state.header.namespaces.clone();
                    if let Some(list) = value.as_array() {
                        for item in list.iter().filter_map(Value::as_str) {
                            state
                                .header
                                .ignore_fields
                                .push(expand_key(item, &namespaces));
                        }
                    }
                }
                _ => {
                    if self.0.borrow().raw.is_some() {
                        let value = header_value(self.0, &mut map, &key)?;
                        self.0.borrow_mut().shell_insert(&[], &key, value);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
        }
        // Events read before a trailing `@context` were kept; convert them now.
        let pending = std::mem::take(&mut self.0.borrow_mut().pending);
        for value in pending {
            convert_and_deliver(self.0, value)?;
        }
        if !saw_body {
            return Err(stop(
                self.0,
                TraceError::invalid(
                    Location {
                        field: Some("epcisBody".into()),
                        ..Location::default()
                    },
                    "missing: an EPCIS document needs an `epcisBody`",
                ),
            ));
        }
        Ok(())
    }
}

/// The body, or a `queryResults` / `resultsBody` inside it, at `path` in the shell.
struct BodySeed<'s, 'a, 'b>(Shared<'s, 'a, 'b>, Vec<&'static str>);

impl<'de> DeserializeSeed<'de> for BodySeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for BodySeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with `eventList`, `event` or `queryResults`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let raw = self.0.borrow().raw.is_some();
        // The level of this object in the document: the document is 1, `epcisBody` 2.
        let depth = self.1.len() + 1;
        loop {
            self.0.borrow().budget.start_part();
            let Some(key) = map.next_key::<String>()? else {
                break;
            };
            match key.as_str() {
                "eventList" => {
                    self.0.borrow().budget.end_part();
                    self.0
                        .borrow_mut()
                        .shell_insert(&self.1, &key, Value::Array(Vec::new()));
                    map.next_value_seed(EventListSeed(self.0, depth + 2))?;
                }
                "event" => {
                    let index = next_index(self.0);
                    let read = read_limited(self.0, depth + 1, Some(index), None, |seed| {
                        map.next_value_seed(seed).map(Some)
                    })?;
                    if let Some((value, values)) = read {
                        deliver(self.0, value, values)?;
                    }
                }
                "queryResults" | "resultsBody" => {
                    let mut path = self.1.clone();
                    path.push(if key == "queryResults" {
                        "queryResults"
                    } else {
                        "resultsBody"
                    });
                    self.0.borrow().budget.end_part();
                    self.0
                        .borrow_mut()
                        .shell_insert(&self.1, &key, Value::Object(Map::new()));
                    map.next_value_seed(BodySeed(self.0, path))?;
                }
                _ if raw => {
                    let value = header_value(self.0, &mut map, &key)?;
                    self.0.borrow_mut().shell_insert(&self.1, &key, value);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// An event list whose events sit at the given level of the document.
struct EventListSeed<'s, 'a, 'b>(Shared<'s, 'a, 'b>, usize);

impl<'de> DeserializeSeed<'de> for EventListSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EventListSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.borrow_mut().in_list = true;
        loop {
            self.0.borrow().budget.start_part();
            let index = next_index(self.0);
            let read = read_limited(self.0, self.1, Some(index), None, |seed| {
                seq.next_element_seed(seed)
            })?;
            let Some((value, values)) = read else {
                break;
            };
            deliver(self.0, value, values)?;
        }
        let mut state = self.0.borrow_mut();
        state.in_list = false;
        state.budget.end_part();
        Ok(())
    }
}

/// Hands one event (holding `values` values) to the raw sink and converts it, or keeps it
/// until `@context` is known.
fn deliver<E: serde::de::Error>(
    state: Shared<'_, '_, '_>,
    value: Value,
    values: usize,
) -> Result<(), E> {
    {
        let mut guard = state.borrow_mut();
        let guard = &mut *guard;
        if let Some(raw) = guard.raw.as_mut() {
            raw(RawPart::Event(guard.raw_count, &value));
            guard.raw_count += 1;
        }
    }
    if !state.borrow().context_seen {
        // The document puts `@context` after its body (GS1's own examples do): keep the
        // event until the prefixes are known. Only such documents lose streaming, and
        // the events kept wait as one part, held to `max_event_elements` values together.
        let mut guard = state.borrow_mut();
        guard.pending_values = guard.pending_values.saturating_add(values);
        if guard.pending_values > guard.limits.max_event_elements {
            let error = TraceError::Limit {
                at: None,
                event: None,
                what: "the values of the events before a trailing `@context`".into(),
                limit: guard.limits.max_event_elements as u64,
                setting: "max_event_elements",
            };
            drop(guard);
            return Err(stop(state, error));
        }
        guard.pending.push(value);
        return Ok(());
    }
    convert_and_deliver(state, value)
}

fn convert_and_deliver<E: serde::de::Error>(
    state: Shared<'_, '_, '_>,
    value: Value,
) -> Result<(), E> {
    let (index, namespaces) = {
        let state = state.borrow();
        (state.count, state.header.namespaces.clone())
    };
    let event = match event_from_value(index, value, &namespaces) {
        Ok(event) => event,
        Err(error) => return Err(stop(state, error)),
    };
    let result = {
        let mut guard = state.borrow_mut();
        let guard = &mut *guard;
        guard.count += 1;
        (guard.sink)(&guard.header, event)
    };
    result.map_err(|error| stop(state, error))
}

/// Prefixes from a JSON-LD `@context` (strings and objects, nested in arrays).
fn collect_namespaces(context: &Value, out: &mut Vec<(String, String)>) {
    match context {
        Value::Array(items) => items.iter().for_each(|c| collect_namespaces(c, out)),
        Value::Object(map) => {
            for (key, value) in map {
                if let Some(iri) = value.as_str().or_else(|| value.get("@id")?.as_str()) {
                    out.retain(|(k, _)| k != key);
                    out.push((key.clone(), iri.to_owned()));
                }
            }
        }
        _ => {}
    }
}

/// Standard prefixes of the EPCIS 2.0 context, always known (the writer keeps values
/// that start with them literal).
pub(crate) const STANDARD_PREFIXES: [(&str, &str); 2] = [
    ("gs1", "https://gs1.org/voc/"),
    ("cbv", "https://ref.gs1.org/cbv/"),
];

fn lookup<'n>(prefix: &str, namespaces: &'n [(String, String)]) -> Option<&'n str> {
    namespaces
        .iter()
        .rev()
        .find(|(k, _)| k == prefix)
        .map(|(_, v)| v.as_str())
}

/// `prefix:local` → `{iri}local` for a declared prefix; other keys unchanged.
pub(crate) fn expand_key(key: &str, namespaces: &[(String, String)]) -> String {
    if let Some((prefix, local)) = key.split_once(':')
        && let Some(iri) = lookup(prefix, namespaces)
    {
        return format!("{{{iri}}}{local}");
    }
    key.to_owned()
}

/// `prefix:rest` → `iri` + `rest` for a declared or standard prefix (CURIE values).
fn expand_value(value: &str, namespaces: &[(String, String)]) -> String {
    if let Some((prefix, rest)) = value.split_once(':')
        && !rest.starts_with("//")
    {
        if let Some(iri) = lookup(prefix, namespaces) {
            return format!("{iri}{rest}");
        }
        if let Some((_, iri)) = STANDARD_PREFIXES.iter().find(|(p, _)| *p == prefix) {
            return format!("{iri}{rest}");
        }
    }
    value.to_owned()
}

/// A bare vocabulary term (`shipping`) → its CBV/GS1 web URI, for fields typed `@vocab`
/// in the EPCIS 2.0 JSON-LD context.
fn expand_term(value: &str, base: &str, namespaces: &[(String, String)]) -> String {
    if value.contains(':') {
        expand_value(value, namespaces)
    } else if value.is_empty() {
        String::new()
    } else {
        format!("{base}{value}")
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Generic conversion: arrays give one element per item, objects give branches.
fn generic(key: &str, value: &Value, namespaces: &[(String, String)]) -> Vec<Element> {
    let name = expand_key(key, namespaces);
    match value {
        Value::Array(items) => items
            .iter()
            .flat_map(|item| generic(key, item, namespaces))
            .collect(),
        // A JSON-LD value object: a literal, not expanded.
        Value::Object(map) if map.contains_key("@value") => {
            let text = map.get("@value").map(scalar_text).unwrap_or_default();
            vec![Element::leaf(name, text)]
        }
        Value::Object(map) => {
            let mut element = Element::branch(name, object_children(map, namespaces));
            // An element with both text and attributes, as XML-to-JSON converters write it.
            if let Some(text) = map.get("#text") {
                element.text = expand_value(scalar_text(text).trim(), namespaces);
            }
            vec![element]
        }
        Value::String(s) => vec![Element::leaf(name, expand_value(s.trim(), namespaces))],
        Value::Null => vec![Element::leaf(name, "")],
        other => vec![Element::leaf(name, scalar_text(other))],
    }
}

fn object_children(map: &Map<String, Value>, namespaces: &[(String, String)]) -> Vec<Element> {
    map.iter()
        .filter(|(k, _)| !k.starts_with('@') && *k != "#text")
        .flat_map(|(k, v)| generic(k, v, namespaces))
        .collect()
}

const CBV: &str = "https://ref.gs1.org/cbv/";
const GS1_VOC: &str = "https://gs1.org/voc/";

fn typed_list(
    list: &str,
    item: &str,
    value: &Value,
    index: usize,
    namespaces: &[(String, String)],
    location: &dyn Fn(String) -> Location,
) -> Result<Element, TraceError> {
    let Some(items) = value.as_array() else {
        return Err(TraceError::invalid(
            location(list.to_owned()),
            "must be a list",
        ));
    };
    let mut children = Vec::with_capacity(items.len());
    for (i, entry) in items.iter().enumerate() {
        let here = format!("{list}[{i}]");
        let _ = index;
        match entry {
            Value::Object(map) if item != "epc" => {
                let text_key = item;
                let mut element = Element::branch(item, Vec::new());
                for (k, v) in map {
                    if k.starts_with('@') {
                        continue;
                    }
                    if k == text_key {
                        element.text = expand_value(&scalar_text(v), namespaces);
                    } else if k == "type" {
                        let base = if item == "bizTransaction" {
                            format!("{CBV}BTT-")
                        } else {
                            format!("{CBV}SDT-")
                        };
                        element.children.push(Element::leaf(
                            "type",
                            expand_term(&scalar_text(v), &base, namespaces),
                        ));
                    } else {
                        element.children.extend(generic(k, v, namespaces));
                    }
                }
                children.push(element);
            }
            Value::String(s) if item == "epc" => {
                children.push(Element::leaf("epc", expand_value(s.trim(), namespaces)));
            }
            _ => {
                return Err(TraceError::invalid(
                    location(here),
                    format!(
                        "must be {}",
                        if item == "epc" {
                            "a string"
                        } else {
                            "an object"
                        }
                    ),
                ));
            }
        }
    }
    Ok(Element::branch(list, children))
}

fn sensor_element_list(
    value: &Value,
    namespaces: &[(String, String)],
    location: &dyn Fn(String) -> Location,
) -> Result<Element, TraceError> {
    let Some(items) = value.as_array() else {
        return Err(TraceError::invalid(
            location("sensorElementList".into()),
            "must be a list",
        ));
    };
    let mut elements = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(map) = item.as_object() else {
            return Err(TraceError::invalid(
                location(format!("sensorElementList[{i}]")),
                "must be an object",
            ));
        };
        let mut children = Vec::new();
        for (k, v) in map {
            if k == "sensorReport" {
                let reports: Vec<&Value> = match v {
                    Value::Array(a) => a.iter().collect(),
                    other => vec![other],
                };
                for report in reports {
                    let Some(report) = report.as_object() else {
                        return Err(TraceError::invalid(
                            location(format!("sensorElementList[{i}].sensorReport")),
                            "must be an object",
                        ));
                    };
                    let mut fields = Vec::new();
                    for (rk, rv) in report {
                        let text = scalar_text(rv);
                        match rk.as_str() {
                            "type" | "exception" => fields.push(Element::leaf(
                                rk.as_str(),
                                expand_term(&text, GS1_VOC, namespaces),
                            )),
                            "component" => fields.push(Element::leaf(
                                "component",
                                expand_term(&text, &format!("{CBV}Comp-"), namespaces),
                            )),
                            _ => fields.extend(generic(rk, rv, namespaces)),
                        }
                    }
                    children.push(Element::branch("sensorReport", fields));
                }
            } else {
                children.extend(generic(k, v, namespaces));
            }
        }
        elements.push(Element::branch("sensorElement", children));
    }
    Ok(Element::branch("sensorElementList", elements))
}

/// Converts one JSON event object into the event model.
pub fn event_from_value(
    index: usize,
    value: Value,
    namespaces: &[(String, String)],
) -> Result<Event, TraceError> {
    let Value::Object(map) = value else {
        return Err(TraceError::invalid(
            Location {
                index: Some(index),
                ..Location::default()
            },
            "an event must be a JSON object",
        ));
    };
    let event_id = map
        .get("eventID")
        .and_then(Value::as_str)
        .map(|id| lifeline_text::excerpt(id).into_owned());
    let location = |field: String| Location {
        index: Some(index),
        event_id: event_id.clone(),
        field: Some(field),
    };
    let type_name = map.get("type").and_then(Value::as_str).unwrap_or_default();
    let Some(event_type) = EventType::parse(type_name) else {
        return Err(TraceError::invalid(
            location("type".into()),
            if type_name.is_empty() {
                "missing: every event needs a `type` such as `ObjectEvent`".to_owned()
            } else {
                format!("unknown event type `{}`", lifeline_text::Excerpt(type_name))
            },
        ));
    };
    let mut fields = Vec::with_capacity(map.len());
    for (key, value) in &map {
        if key == "type" || key.starts_with('@') {
            continue;
        }
        match key.as_str() {
            "epcList" | "inputEPCList" | "outputEPCList" | "childEPCs" => {
                fields.push(typed_list(key, "epc", value, index, namespaces, &location)?)
            }
            "quantityList" | "childQuantityList" | "inputQuantityList" | "outputQuantityList" => {
                fields.push(typed_list(
                    key,
                    "quantityElement",
                    value,
                    index,
                    namespaces,
                    &location,
                )?)
            }
            "bizTransactionList" => fields.push(typed_list(
                key,
                "bizTransaction",
                value,
                index,
                namespaces,
                &location,
            )?),
            "sourceList" => fields.push(typed_list(
                key, "source", value, index, namespaces, &location,
            )?),
            "destinationList" => fields.push(typed_list(
                key,
                "destination",
                value,
                index,
                namespaces,
                &location,
            )?),
            "sensorElementList" => fields.push(sensor_element_list(value, namespaces, &location)?),
            "bizStep" | "disposition" => {
                let base = if key == "bizStep" {
                    format!("{CBV}BizStep-")
                } else {
                    format!("{CBV}Disp-")
                };
                // A list gives the field once per item, as a repeated XML element does
                // (`validate` reports the repetition); anything but text is an error.
                let items = match value {
                    Value::Array(items) => items.iter().collect(),
                    other => vec![other],
                };
                for item in items {
                    let Value::String(term) = item else {
                        return Err(TraceError::invalid(
                            location(key.clone()),
                            "must be a text: a CBV term or a URI",
                        ));
                    };
                    fields.push(Element::leaf(
                        key.as_str(),
                        expand_term(term.trim(), &base, namespaces),
                    ));
                }
            }
            "persistentDisposition" => {
                let Some(object) = value.as_object() else {
                    return Err(TraceError::invalid(
                        location(key.clone()),
                        "must be an object with `set` and/or `unset`",
                    ));
                };
                let mut children = Vec::new();
                for (k, v) in object {
                    let items: Vec<&Value> = match v {
                        Value::Array(a) => a.iter().collect(),
                        other => vec![other],
                    };
                    for item in items {
                        children.push(Element::leaf(
                            k.as_str(),
                            expand_term(&scalar_text(item), &format!("{CBV}Disp-"), namespaces),
                        ));
                    }
                }
                fields.push(Element::branch(key.as_str(), children));
            }
            "errorDeclaration" => {
                let mut element = Element::branch("errorDeclaration", Vec::new());
                if let Some(object) = value.as_object() {
                    for (k, v) in object {
                        match k.as_str() {
                            "reason" => element.children.push(Element::leaf(
                                "reason",
                                expand_term(&scalar_text(v), &format!("{CBV}ER-"), namespaces),
                            )),
                            "correctiveEventIDs" => {
                                let ids = v
                                    .as_array()
                                    .map(|a| {
                                        a.iter()
                                            .map(|id| {
                                                Element::leaf("correctiveEventID", scalar_text(id))
                                            })
                                            .collect()
                                    })
                                    .unwrap_or_default();
                                element
                                    .children
                                    .push(Element::branch("correctiveEventIDs", ids));
                            }
                            _ => element.children.extend(generic(k, v, namespaces)),
                        }
                    }
                }
                fields.push(element);
            }
            _ => fields.extend(generic(key, value, namespaces)),
        }
    }
    Ok(Event {
        index,
        event_type,
        fields,
    })
}
