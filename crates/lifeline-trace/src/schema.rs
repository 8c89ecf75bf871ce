//! Validation of EPCIS 2.0 JSON / JSON-LD documents against the standard's JSON Schema
//! (`schemas/EPCIS-JSON-Schema.json`, embedded), as the document streams: the document
//! shell (every member but the events) is checked against the whole schema with its event
//! lists emptied, and each event on its own against the schema's definition of an event in
//! an event list (`EPCIS-Document-Event`). Both validators are compiled once per process.
//! Problems name the event (index, eventID) and the field path, like [`crate::validate`].

use std::io::Read;
use std::sync::OnceLock;

use serde_json::Value;

use crate::TraceError;
use crate::error::{Location, Problem};
use crate::model::DocumentHeader;
use crate::read::Format;
use crate::read::json::RawPart;
use crate::read::limits::{Budget, Counted, ReadLimits};

/// The EPCIS 2.0 JSON Schema (GS1), as published; see `schemas/SOURCES.md`.
pub const EPCIS_JSON_SCHEMA: &str = include_str!("../schemas/EPCIS-JSON-Schema.json");

/// The compiled EPCIS 2.0 JSON Schema: one validator for the document shell, one for events.
pub struct SchemaValidator {
    document: jsonschema::Validator,
    event: jsonschema::Validator,
}

impl std::fmt::Debug for SchemaValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SchemaValidator(EPCIS 2.0 JSON Schema)")
    }
}

fn compile() -> Result<SchemaValidator, String> {
    let schema: Value = serde_json::from_str(EPCIS_JSON_SCHEMA).map_err(|e| e.to_string())?;
    let document = jsonschema::options()
        .build(&schema)
        .map_err(|e| e.to_string())?;
    // The same schema, whose root is the definition of one event of an event list.
    let mut event_schema = serde_json::Map::new();
    if let Value::Object(root) = &schema {
        for key in ["$schema", "$id", "definitions"] {
            if let Some(value) = root.get(key) {
                event_schema.insert(key.to_owned(), value.clone());
            }
        }
    }
    event_schema.insert(
        "allOf".to_owned(),
        serde_json::json!([{"$ref": "#/definitions/EPCIS-Document-Event"}]),
    );
    let event = jsonschema::options()
        .build(&Value::Object(event_schema))
        .map_err(|e| e.to_string())?;
    Ok(SchemaValidator { document, event })
}

/// `/epcList/2/epc` → `epcList[2].epc`.
fn pointer_to_path(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

/// Schema messages repeat the instance: escaped and cut, as every echoed value.
fn shorten(text: String) -> String {
    lifeline_text::excerpt_to(&text, 240).into_owned()
}

/// Whether an error only says that no alternative of an `anyOf` / `oneOf` matched: its
/// message would repeat the whole instance, and another error usually says what is wrong.
fn is_alternatives(error: &jsonschema::ValidationError<'_>) -> bool {
    use jsonschema::error::ValidationErrorKind;
    matches!(
        error.kind(),
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. }
    )
}

/// One message per schema error: enumerations say which definition they come from, and
/// an unmatched `anyOf` / `oneOf` says so without repeating the instance.
fn describe(error: &jsonschema::ValidationError<'_>) -> String {
    use jsonschema::error::ValidationErrorKind;
    let instance = shorten(error.instance().to_string());
    let definition = error
        .schema_path()
        .as_str()
        .split('/')
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|pair| pair[0] == "definitions")
        .map(|pair| pair[1].to_owned())
        .next_back();
    match (error.kind(), definition) {
        (ValidationErrorKind::Enum { .. }, Some(name)) => {
            format!("{instance} is not a valid {name} (EPCIS 2.0 JSON Schema)")
        }
        _ if is_alternatives(error) => format!(
            "matches none of the alternatives the EPCIS 2.0 JSON Schema allows here (schema path `{}`)",
            error.schema_path().as_str()
        ),
        _ => shorten(format!("{error} (EPCIS 2.0 JSON Schema)")),
    }
}

fn collect(
    validator: &jsonschema::Validator,
    value: &Value,
    location: impl Fn(String) -> Location,
) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    let mut alternatives: Vec<Problem> = Vec::new();
    for error in validator.iter_errors(value) {
        let path = pointer_to_path(error.instance_path().as_str());
        let problem = Problem {
            location: location(path),
            message: describe(&error),
        };
        let list = if is_alternatives(&error) {
            &mut alternatives
        } else {
            &mut out
        };
        if !list.contains(&problem) {
            list.push(problem);
        }
    }
    // An unmatched alternative is worth reporting only when nothing more precise is.
    if out.is_empty() {
        out = alternatives;
    }
    out
}

impl SchemaValidator {
    /// The validators, compiled on first use.
    pub fn get() -> Result<&'static SchemaValidator, TraceError> {
        static VALIDATOR: OnceLock<Result<SchemaValidator, String>> = OnceLock::new();
        VALIDATOR
            .get_or_init(compile)
            .as_ref()
            .map_err(|e| TraceError::EmbeddedSchema(e.to_string()))
    }

    /// Schema problems of one event of an event list (`index` is its position).
    pub fn check_event(&self, index: usize, event: &Value) -> Vec<Problem> {
        let event_id = event
            .get("eventID")
            .and_then(Value::as_str)
            .map(str::to_owned);
        collect(&self.event, event, |path| Location {
            index: Some(index),
            event_id: event_id.clone(),
            field: (!path.is_empty()).then_some(path),
        })
    }

    /// Schema problems of a document shell (the document with its event lists emptied).
    pub fn check_shell(&self, shell: &Value) -> Vec<Problem> {
        collect(&self.document, shell, |path| Location {
            index: None,
            event_id: None,
            field: (!path.is_empty()).then_some(path),
        })
    }
}

/// What validating one document found.
#[derive(Debug, Default)]
pub struct Validation {
    /// The header, as read.
    pub header: DocumentHeader,
    /// Events read.
    pub events: usize,
    /// The syntax.
    pub format: Option<Format>,
    /// The first [`ReadLimits::max_problems`] problems: document-level schema problems
    /// first, then per event in document order, each event's schema problems before its
    /// EPCIS/CBV rule problems.
    pub problems: Vec<Problem>,
    /// How many more problems were found but not kept, so that a document with a million
    /// invalid events gives a bounded report.
    pub omitted: usize,
    /// Why reading stopped before the end, if it did (the problems up to there are kept).
    pub error: Option<TraceError>,
}

/// Reads a document, checking every event with [`crate::validate::check_event`] and, for
/// JSON / JSON-LD, the document and every event against the EPCIS 2.0 JSON Schema, one
/// event at a time. (XML is checked against the rules of `validate` only.)
pub fn validate_document<R: Read>(reader: R) -> Result<Validation, TraceError> {
    validate_document_with(reader, &ReadLimits::default())
}

/// Problems kept up to a cap, the rest counted. Events arrive in document order (their
/// schema problems before their rule problems), the shell's problems last.
struct Found {
    cap: usize,
    shell: Vec<Problem>,
    events: Vec<(usize, u8, Problem)>,
    omitted: usize,
}

impl Found {
    fn event(&mut self, index: usize, pass: u8, problem: Problem) {
        if self.events.len() < self.cap {
            self.events.push((index, pass, problem));
        } else {
            self.omitted += 1;
        }
    }

    fn shell(&mut self, problem: Problem) {
        if self.shell.len() < self.cap {
            self.shell.push(problem);
        } else {
            self.omitted += 1;
        }
    }

    /// The shell's problems, then the events' in order, `cap` in all; and how many more.
    fn finish(mut self) -> (Vec<Problem>, usize) {
        self.events.sort_by_key(|(index, pass, _)| (*index, *pass));
        let room = self.cap - self.shell.len();
        let dropped = self.events.len().saturating_sub(room);
        let mut problems = self.shell;
        problems.extend(self.events.into_iter().take(room).map(|(_, _, p)| p));
        (problems, self.omitted + dropped)
    }
}

/// As [`validate_document`], within `limits` (which also cap the problems kept).
pub fn validate_document_with<R: Read>(
    reader: R,
    limits: &ReadLimits,
) -> Result<Validation, TraceError> {
    let validator = SchemaValidator::get()?;
    let budget = Budget::new(limits);
    let mut reader = std::io::BufReader::with_capacity(
        1 << 16,
        Counted {
            inner: reader,
            budget: &budget,
        },
    );
    let format = crate::read::detect_within(&mut reader, limits, &budget);
    let format = match format {
        Ok(format) => format,
        Err(error) => {
            return Ok(Validation {
                error: Some(error),
                ..Validation::default()
            });
        }
    };
    let found_cell = std::cell::RefCell::new(Found {
        cap: limits.max_problems,
        shell: Vec::new(),
        events: Vec::new(),
        omitted: 0,
    });
    let mut sink = |_: &DocumentHeader, event: crate::Event| -> Result<(), TraceError> {
        let index = event.index;
        for problem in crate::validate::check_event(&event) {
            found_cell.borrow_mut().event(index, 1, problem);
        }
        Ok(())
    };
    let result = match format {
        Format::Json => {
            let mut raw = |part: RawPart<'_>| match part {
                RawPart::Event(index, value) => {
                    for problem in validator.check_event(index, value) {
                        found_cell.borrow_mut().event(index, 0, problem);
                    }
                }
                RawPart::Shell(shell) => {
                    for problem in validator.check_shell(shell) {
                        found_cell.borrow_mut().shell(problem);
                    }
                }
            };
            crate::read::json::read_counted(reader, limits, &budget, &mut sink, Some(&mut raw))
        }
        Format::Xml => crate::read::xml::read_counted(reader, limits, &budget, &mut sink),
    };
    let (problems, omitted) = found_cell.into_inner().finish();
    Ok(match result {
        Ok((header, events)) => Validation {
            header,
            events,
            format: Some(format),
            problems,
            omitted,
            error: None,
        },
        Err(error) => Validation {
            format: Some(format),
            problems,
            omitted,
            error: Some(error),
            ..Validation::default()
        },
    })
}
