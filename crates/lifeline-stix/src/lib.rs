//! `lifeline-stix`: STIX 2.1 and TLP 2.0 (issue 17).
//!
//! - [`export()`]: an incident's shareable facts as a STIX 2.1 bundle, every object
//!   marked with the official TLP 2.0 marking definition, deterministic ids.
//! - [`import()`]: a bundle read and checked (the STIX 2.1 JSON schemas, the official TLP
//!   marking definitions), markings kept, each object's effective TLP reported.
//! - [`enforce`]: whether a bundle may go to a partner, object by object, through
//!   `lifeline_share::tlp::may_share` (the most restrictive marking of an object wins).
//!
//! No IO and no clock: callers give the time and read the files.

pub mod export;
pub mod findings;
pub mod ids;
pub mod import;
pub mod markings;
pub mod schema;

use std::fmt;

use lifeline_share::tlp::{self, Recipient, Tlp};
use serde_json::{Value, json};

pub use export::{
    ExportError, ExportOptions, Identity, IndicatorInput, Observables, ObservedInput, export,
};
pub use import::{Imported, ObjectSummary, import};

/// A STIX 2.1 bundle: its id and its objects, as JSON values (objects of every type, kept
/// exactly as made or read).
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub id: String,
    pub objects: Vec<Value>,
}

impl Bundle {
    pub fn to_value(&self) -> Value {
        if self.objects.is_empty() {
            json!({"type": "bundle", "id": self.id})
        } else {
            json!({"type": "bundle", "id": self.id, "objects": self.objects})
        }
    }

    /// The bundle as indented JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.to_value()).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// One problem with a bundle: where (`objects[3].pattern`), which object, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    /// The id of the object at fault, when it has one.
    pub object: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            object: None,
            message: message.into(),
        }
    }

    fn on(mut self, object: Option<String>) -> Problem {
        self.object = object;
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "bundle"
        } else {
            &self.path
        };
        match &self.object {
            Some(id) => write!(
                f,
                "{path} ({}): {}",
                lifeline_text::excerpt(id),
                self.message
            ),
            None => write!(f, "{path}: {}", self.message),
        }
    }
}

/// Every problem that keeps a bundle out (the first [`StixErrors::SHOWN`], and how many
/// more).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StixErrors {
    pub problems: Vec<Problem>,
    /// Problems found beyond those kept.
    pub more: usize,
}

impl StixErrors {
    pub const SHOWN: usize = 100;

    fn one(path: &str, message: impl Into<String>) -> StixErrors {
        StixErrors {
            problems: vec![Problem::new(path, message)],
            more: 0,
        }
    }

    fn push(&mut self, problem: Problem) {
        if self.problems.len() < StixErrors::SHOWN {
            self.problems.push(problem);
        } else {
            self.more += 1;
        }
    }
}

impl fmt::Display for StixErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        if self.more > 0 {
            write!(f, "\n… and {} more", self.more)?;
        }
        Ok(())
    }
}

impl std::error::Error for StixErrors {}

/// Why one object may not go to a recipient.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Reason {
    #[error(transparent)]
    Tlp(#[from] tlp::Refusal),
    /// It carries no TLP marking: lifeline shares only what someone marked.
    #[error("it carries no TLP marking, and lifeline shares only marked objects")]
    Unmarked,
}

/// One object refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub id: String,
    pub kind: String,
    /// Its effective TLP.
    pub tlp: Option<Tlp>,
    pub reason: Reason,
}

/// A bundle that may not go to a recipient: every object that may not.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{} of the bundle's objects may not go to {recipient}: {}", objects.len(), first(objects))]
pub struct Refusal {
    pub recipient: String,
    pub objects: Vec<Refused>,
}

fn first(objects: &[Refused]) -> String {
    objects
        .first()
        .map(|r| {
            format!(
                "{} ({}) {}",
                lifeline_text::excerpt(&r.id),
                r.tlp.map_or("unmarked", Tlp::label),
                r.reason
            )
        })
        .unwrap_or_default()
}

/// Whether every object of `bundle` may go from organisation `own` to `to`: each object's
/// effective TLP (its most restrictive marking) through [`tlp::may_share`], with `named`
/// the organisations named when it was marked (TLP:RED reaches only them). Marking and
/// extension definitions that carry no marking are the public definitions of markings
/// and go anywhere; any other object without a TLP marking is refused.
pub fn enforce(
    bundle: &Bundle,
    own: &str,
    to: &Recipient<'_>,
    named: &[&str],
) -> Result<(), Refusal> {
    let refused = refused(&bundle.objects, own, to, named);
    if refused.is_empty() {
        Ok(())
    } else {
        Err(Refusal {
            recipient: to.organisation.to_owned(),
            objects: refused,
        })
    }
}

/// The objects of `objects` that may not go to `to` (see [`enforce`]), in order.
pub fn refused(objects: &[Value], own: &str, to: &Recipient<'_>, named: &[&str]) -> Vec<Refused> {
    let mut out = Vec::new();
    for object in objects {
        let kind = object
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let tlp = markings::effective_tlp(object);
        let reason = match tlp {
            Some(marking) => match tlp::may_share(marking, own, *to, named) {
                Ok(()) => continue,
                Err(refusal) => Reason::Tlp(refusal),
            },
            None if to.organisation == own => continue,
            None if matches!(kind, "marking-definition" | "extension-definition")
                && markings::marking_refs(object).is_empty() =>
            {
                continue;
            }
            None => Reason::Unmarked,
        };
        out.push(Refused {
            id: object
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            kind: kind.to_owned(),
            tlp,
            reason,
        });
    }
    out
}
