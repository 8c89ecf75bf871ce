//! Reading a STIX 2.1 bundle (an ISAC's, a partner's, or our own export): checked
//! against the embedded STIX 2.1 JSON schemas object by object, TLP marking definitions
//! checked against the official ones, markings kept, and each object's effective TLP
//! reported.

use std::collections::BTreeMap;

use lifeline_share::tlp::Tlp;
use serde_json::Value;

use crate::markings::{check_definition, effective_tlp, marking_refs, tlp_of_marking};
use crate::{Bundle, Problem, StixErrors, schema};

/// The largest bundle read (bytes).
pub const MAX_BUNDLE_BYTES: usize = 64 << 20;
/// The most objects a bundle may hold.
pub const MAX_OBJECTS: usize = 200_000;

/// A bundle that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The bundle as read: every object and marking kept as it came.
    pub bundle: Bundle,
    /// Per object, in the bundle's order.
    pub objects: Vec<ObjectSummary>,
    /// What is worth knowing but not wrong (a marking neither in the bundle nor a TLP
    /// marking).
    pub warnings: Vec<Problem>,
}

/// One object of an imported bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectSummary {
    pub id: String,
    /// Its STIX type.
    pub kind: String,
    /// The most restrictive TLP marking it carries; `None`: no TLP marking.
    pub tlp: Option<Tlp>,
    /// Every marking it refers to (object markings, then granular markings).
    pub markings: Vec<String>,
    /// For an official TLP marking definition, the level it defines.
    pub defines: Option<Tlp>,
}

impl Imported {
    /// How many objects there are of each type.
    pub fn by_type(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for object in &self.objects {
            *counts.entry(object.kind.as_str()).or_insert(0) += 1;
        }
        counts
    }

    /// How many objects carry each effective TLP (`None`: unmarked).
    pub fn by_tlp(&self) -> BTreeMap<Option<Tlp>, usize> {
        let mut counts = BTreeMap::new();
        for object in &self.objects {
            *counts.entry(object.tlp).or_insert(0) += 1;
        }
        counts
    }
}

/// Reads and checks a bundle's text.
///
/// # Errors
///
/// Every problem found, each with the object (`objects[3]`, its id) and the member at
/// fault: not JSON, not a bundle, an object that fails its type's schema, a TLP marking
/// definition that is not the official one.
pub fn import(text: &str) -> Result<Imported, StixErrors> {
    if text.len() > MAX_BUNDLE_BYTES {
        return Err(StixErrors::one(
            "",
            format!(
                "the bundle is {} bytes; lifeline reads bundles of at most {MAX_BUNDLE_BYTES}",
                text.len()
            ),
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        StixErrors::one(
            "",
            format!(
                "not JSON: {}",
                lifeline_text::excerpt_to(&e.to_string(), 200)
            ),
        )
    })?;
    validate(&value)
}

/// Checks a bundle already parsed (what [`import`] does after parsing).
pub fn validate(value: &Value) -> Result<Imported, StixErrors> {
    let mut errors = StixErrors::default();
    let Some(top) = value.as_object() else {
        return Err(StixErrors::one("", "expected a STIX bundle, a JSON object"));
    };
    if top.get("type").and_then(Value::as_str) != Some("bundle") {
        errors.push(Problem::new("type", "expected `bundle`"));
    }
    let id = top.get("id").and_then(Value::as_str).unwrap_or_default();
    if !is_identifier(id, "bundle") {
        errors.push(Problem::new(
            "id",
            format!(
                "`{}` is not a bundle id (bundle--UUID)",
                lifeline_text::excerpt(id)
            ),
        ));
    }
    let objects: &[Value] = match top.get("objects") {
        None => &[],
        Some(Value::Array(objects)) if objects.is_empty() => {
            errors.push(Problem::new(
                "objects",
                "an empty list: leave `objects` out of a bundle with none",
            ));
            &[]
        }
        Some(Value::Array(objects)) => objects,
        Some(_) => {
            errors.push(Problem::new("objects", "expected a list of STIX objects"));
            &[]
        }
    };
    if objects.len() > MAX_OBJECTS {
        return Err(StixErrors::one(
            "objects",
            format!(
                "{} objects; lifeline reads bundles of at most {MAX_OBJECTS}",
                objects.len()
            ),
        ));
    }
    let mut summaries = Vec::with_capacity(objects.len());
    let mut defined: Vec<&str> = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        let at = format!("objects[{i}]");
        let object_id = object.get("id").and_then(Value::as_str).map(str::to_owned);
        let Some(kind) = object.get("type").and_then(Value::as_str) else {
            errors.push(Problem::new(at, "expected a STIX object with a `type`").on(object_id));
            continue;
        };
        for (path, message) in schema::check_object(object) {
            let path = if path.is_empty() {
                at.clone()
            } else {
                format!("{at}.{path}")
            };
            errors.push(Problem::new(path, message).on(object_id.clone()));
        }
        let mut defines = None;
        if kind == "marking-definition" {
            match check_definition(object) {
                Ok(tlp) => {
                    defines = tlp;
                    defined.extend(object.get("id").and_then(Value::as_str));
                }
                Err(message) => {
                    errors.push(Problem::new(at.clone(), message).on(object_id.clone()))
                }
            }
        }
        summaries.push(ObjectSummary {
            id: object_id.unwrap_or_default(),
            kind: kind.to_owned(),
            tlp: effective_tlp(object),
            markings: marking_refs(object)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            defines,
        });
    }
    let mut warnings = Vec::new();
    for (i, summary) in summaries.iter().enumerate() {
        for marking in &summary.markings {
            if tlp_of_marking(marking).is_none() && !defined.contains(&marking.as_str()) {
                warnings.push(
                    Problem::new(
                        format!("objects[{i}]"),
                        format!(
                            "marking `{}` is neither defined in the bundle nor a TLP marking",
                            lifeline_text::excerpt(marking)
                        ),
                    )
                    .on(Some(summary.id.clone())),
                );
            }
        }
    }
    if !errors.problems.is_empty() {
        return Err(errors);
    }
    Ok(Imported {
        bundle: Bundle {
            id: id.to_owned(),
            objects: objects.to_vec(),
        },
        objects: summaries,
        warnings,
    })
}

/// `TYPE--UUID` with a hyphenated, lowercase UUID.
fn is_identifier(id: &str, kind: &str) -> bool {
    id.strip_prefix(kind)
        .and_then(|rest| rest.strip_prefix("--"))
        .is_some_and(|uuid| {
            uuid.len() == 36
                && uuid::Uuid::try_parse(uuid).is_ok()
                && !uuid.bytes().any(|b| b.is_ascii_uppercase())
        })
}
