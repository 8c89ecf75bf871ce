//! Validation against the STIX 2.1 JSON schemas of the OASIS CTI TC (draft 2020-12),
//! embedded in the binary (`data/stix/SOURCES.md`): every `$ref` resolves to an embedded
//! file by its `$id`, and a reference to anything else is refused, so validation never
//! touches the network.
//!
//! The schemas' `bundle.json` lets an object of a type it does not list (`incident`,
//! `note`, `grouping`, `location`, `opinion`, `extension-definition`) through as a custom
//! object checked against the common properties only, so each object is checked here
//! against the schema of its own type, and the bundle's shell (type, id, objects) on its
//! own.

use std::collections::HashMap;
use std::sync::OnceLock;

use jsonschema::{Draft, Registry, Validator};
use lifeline_response::cacao::{EmbeddedRetriever, parse_embedded};
use serde_json::Value;

/// The base of every embedded schema's `$id`.
pub const SCHEMA_BASE: &str =
    "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/";

/// Every schema file, by its path under `data/stix/` (the schemas' own folder layout).
const SCHEMAS: &[(&str, &str)] = &[
    (
        "common/binary.json",
        include_str!("../data/stix/common/binary.json"),
    ),
    (
        "common/bundle.json",
        include_str!("../data/stix/common/bundle.json"),
    ),
    (
        "common/core.json",
        include_str!("../data/stix/common/core.json"),
    ),
    (
        "common/cyber-observable-core.json",
        include_str!("../data/stix/common/cyber-observable-core.json"),
    ),
    (
        "common/dictionary.json",
        include_str!("../data/stix/common/dictionary.json"),
    ),
    (
        "common/extension-definition.json",
        include_str!("../data/stix/common/extension-definition.json"),
    ),
    (
        "common/extension.json",
        include_str!("../data/stix/common/extension.json"),
    ),
    (
        "common/external-reference.json",
        include_str!("../data/stix/common/external-reference.json"),
    ),
    (
        "common/granular-marking.json",
        include_str!("../data/stix/common/granular-marking.json"),
    ),
    (
        "common/hashes-type.json",
        include_str!("../data/stix/common/hashes-type.json"),
    ),
    (
        "common/hex.json",
        include_str!("../data/stix/common/hex.json"),
    ),
    (
        "common/identifier.json",
        include_str!("../data/stix/common/identifier.json"),
    ),
    (
        "common/kill-chain-phase.json",
        include_str!("../data/stix/common/kill-chain-phase.json"),
    ),
    (
        "common/language-content.json",
        include_str!("../data/stix/common/language-content.json"),
    ),
    (
        "common/marking-definition.json",
        include_str!("../data/stix/common/marking-definition.json"),
    ),
    (
        "common/properties.json",
        include_str!("../data/stix/common/properties.json"),
    ),
    (
        "common/timestamp.json",
        include_str!("../data/stix/common/timestamp.json"),
    ),
    (
        "common/url-regex.json",
        include_str!("../data/stix/common/url-regex.json"),
    ),
    (
        "observables/artifact.json",
        include_str!("../data/stix/observables/artifact.json"),
    ),
    (
        "observables/autonomous-system.json",
        include_str!("../data/stix/observables/autonomous-system.json"),
    ),
    (
        "observables/directory.json",
        include_str!("../data/stix/observables/directory.json"),
    ),
    (
        "observables/domain-name.json",
        include_str!("../data/stix/observables/domain-name.json"),
    ),
    (
        "observables/email-addr.json",
        include_str!("../data/stix/observables/email-addr.json"),
    ),
    (
        "observables/email-message.json",
        include_str!("../data/stix/observables/email-message.json"),
    ),
    (
        "observables/file.json",
        include_str!("../data/stix/observables/file.json"),
    ),
    (
        "observables/ipv4-addr.json",
        include_str!("../data/stix/observables/ipv4-addr.json"),
    ),
    (
        "observables/ipv6-addr.json",
        include_str!("../data/stix/observables/ipv6-addr.json"),
    ),
    (
        "observables/mac-addr.json",
        include_str!("../data/stix/observables/mac-addr.json"),
    ),
    (
        "observables/mutex.json",
        include_str!("../data/stix/observables/mutex.json"),
    ),
    (
        "observables/network-traffic.json",
        include_str!("../data/stix/observables/network-traffic.json"),
    ),
    (
        "observables/process.json",
        include_str!("../data/stix/observables/process.json"),
    ),
    (
        "observables/software.json",
        include_str!("../data/stix/observables/software.json"),
    ),
    (
        "observables/url.json",
        include_str!("../data/stix/observables/url.json"),
    ),
    (
        "observables/user-account.json",
        include_str!("../data/stix/observables/user-account.json"),
    ),
    (
        "observables/windows-registry-key.json",
        include_str!("../data/stix/observables/windows-registry-key.json"),
    ),
    (
        "observables/x509-certificate.json",
        include_str!("../data/stix/observables/x509-certificate.json"),
    ),
    (
        "sdos/attack-pattern.json",
        include_str!("../data/stix/sdos/attack-pattern.json"),
    ),
    (
        "sdos/campaign.json",
        include_str!("../data/stix/sdos/campaign.json"),
    ),
    (
        "sdos/course-of-action.json",
        include_str!("../data/stix/sdos/course-of-action.json"),
    ),
    (
        "sdos/grouping.json",
        include_str!("../data/stix/sdos/grouping.json"),
    ),
    (
        "sdos/identity.json",
        include_str!("../data/stix/sdos/identity.json"),
    ),
    (
        "sdos/incident.json",
        include_str!("../data/stix/sdos/incident.json"),
    ),
    (
        "sdos/indicator.json",
        include_str!("../data/stix/sdos/indicator.json"),
    ),
    (
        "sdos/infrastructure.json",
        include_str!("../data/stix/sdos/infrastructure.json"),
    ),
    (
        "sdos/intrusion-set.json",
        include_str!("../data/stix/sdos/intrusion-set.json"),
    ),
    (
        "sdos/location.json",
        include_str!("../data/stix/sdos/location.json"),
    ),
    (
        "sdos/malware-analysis.json",
        include_str!("../data/stix/sdos/malware-analysis.json"),
    ),
    (
        "sdos/malware.json",
        include_str!("../data/stix/sdos/malware.json"),
    ),
    (
        "sdos/note.json",
        include_str!("../data/stix/sdos/note.json"),
    ),
    (
        "sdos/observed-data.json",
        include_str!("../data/stix/sdos/observed-data.json"),
    ),
    (
        "sdos/opinion.json",
        include_str!("../data/stix/sdos/opinion.json"),
    ),
    (
        "sdos/report.json",
        include_str!("../data/stix/sdos/report.json"),
    ),
    (
        "sdos/threat-actor.json",
        include_str!("../data/stix/sdos/threat-actor.json"),
    ),
    (
        "sdos/tool.json",
        include_str!("../data/stix/sdos/tool.json"),
    ),
    (
        "sdos/vulnerability.json",
        include_str!("../data/stix/sdos/vulnerability.json"),
    ),
    (
        "sros/relationship.json",
        include_str!("../data/stix/sros/relationship.json"),
    ),
    (
        "sros/sighting.json",
        include_str!("../data/stix/sros/sighting.json"),
    ),
];

/// The embedded schemas, parsed, with their `$id`s.
fn documents() -> &'static Result<Vec<(String, Value)>, String> {
    static DOCUMENTS: OnceLock<Result<Vec<(String, Value)>, String>> = OnceLock::new();
    DOCUMENTS.get_or_init(|| parse_embedded("data/stix", SCHEMAS))
}

/// The schema file (under `data/stix/`) that checks an object of type `kind`: its own
/// type's where the schemas have one, else the common properties of a domain object
/// (when it has `created`) or of a cyber-observable.
pub fn schema_for(kind: &str, object: &Value) -> String {
    for folder in ["sdos", "sros", "observables"] {
        let path = format!("{folder}/{kind}.json");
        if SCHEMAS.iter().any(|(p, _)| *p == path) {
            return path;
        }
    }
    match kind {
        "marking-definition" | "language-content" | "extension-definition" => {
            format!("common/{kind}.json")
        }
        _ if object.get("created").is_some() => "common/core.json".to_owned(),
        _ => "common/cyber-observable-core.json".to_owned(),
    }
}

/// The compiled validator of one embedded schema file, built once per process.
fn validator(path: &str) -> Result<&'static Validator, String> {
    type Compiled = HashMap<&'static str, Result<Validator, String>>;
    static VALIDATORS: OnceLock<Result<Compiled, String>> = OnceLock::new();
    let compiled = VALIDATORS.get_or_init(|| {
        let documents = documents().as_ref().map_err(Clone::clone)?;
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .retriever(EmbeddedRetriever(self::documents()))
            .retrieve_known_draft_meta_schemas(false)
            .extend(documents.iter().map(|(id, value)| (id.as_str(), value)))
            .and_then(|builder| builder.prepare())
            .map_err(|e| format!("the embedded STIX schemas do not load: {e}"))?;
        Ok(SCHEMAS
            .iter()
            .zip(documents)
            .map(|((path, _), (_, schema))| {
                let validator = jsonschema::options()
                    .with_draft(Draft::Draft202012)
                    .with_registry(&registry)
                    .with_retriever(EmbeddedRetriever(self::documents()))
                    .build(schema)
                    .map_err(|e| format!("data/stix/{path} does not compile: {e}"));
                (*path, validator)
            })
            .collect())
    });
    match compiled {
        Ok(map) => match map.get(path) {
            Some(Ok(validator)) => Ok(validator),
            Some(Err(message)) => Err(message.clone()),
            None => Err(format!("data/stix/{path} is not embedded")),
        },
        Err(message) => Err(message.clone()),
    }
}

/// Checks one object against the schema of its type; each problem as (path inside the
/// object, message). A `type` that is not a string is one problem.
pub fn check_object(object: &Value) -> Vec<(String, String)> {
    let Some(kind) = object.get("type").and_then(Value::as_str) else {
        return vec![(
            "type".to_owned(),
            "expected the object's type, a string".to_owned(),
        )];
    };
    let path = schema_for(kind, object);
    let validator = match validator(&path) {
        Ok(validator) => validator,
        Err(message) => return vec![(String::new(), message)],
    };
    let mut problems: Vec<(String, String)> = Vec::new();
    for error in validator.iter_errors(object) {
        let problem = (
            pointer_to_path(object, error.instance_path().as_str()),
            describe(&error),
        );
        if !problems.contains(&problem) {
            problems.push(problem);
        }
    }
    problems
}

/// The `$id` of every embedded schema file, for tests and tools.
pub fn schema_ids() -> Vec<String> {
    match documents() {
        Ok(documents) => documents.iter().map(|(id, _)| id.clone()).collect(),
        Err(_) => Vec::new(),
    }
}

/// Compiles every embedded schema (tests call it: a schema that does not compile would
/// otherwise show only when an object of its type is checked).
pub fn compile_all() -> Result<usize, String> {
    for (path, _) in SCHEMAS {
        validator(path)?;
    }
    Ok(SCHEMAS.len())
}

/// `/extensions/x/0/name` as `extensions.x[0].name`: a segment is an index where the
/// document has a list there, a key otherwise.
pub(crate) fn pointer_to_path(document: &Value, pointer: &str) -> String {
    let mut path = String::new();
    let mut here = Some(document);
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        match here {
            Some(Value::Array(items)) => {
                path.push_str(&format!("[{segment}]"));
                here = segment.parse::<usize>().ok().and_then(|i| items.get(i));
            }
            other => {
                here = other.and_then(|v| v.get(&segment));
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(lifeline_text::excerpt(&segment).as_ref());
            }
        }
    }
    path
}

/// A short message for one schema error, the document's value escaped and cut.
fn describe(error: &jsonschema::ValidationError<'_>) -> String {
    use jsonschema::error::ValidationErrorKind;
    let instance = lifeline_text::excerpt_to(&error.instance().to_string(), 60).into_owned();
    match error.kind() {
        ValidationErrorKind::Enum { options } => {
            let allowed = lifeline_text::excerpt_to(&options.to_string(), 120).into_owned();
            format!("{instance} is not one of {allowed}")
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!(
                "{instance} does not match `{}`",
                lifeline_text::excerpt_to(pattern, 80)
            )
        }
        _ => lifeline_text::excerpt_to(&error.to_string(), 300).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use jsonschema::Retrieve;

    use super::*;

    #[test]
    fn every_schema_loads_and_compiles() {
        assert_eq!(compile_all(), Ok(SCHEMAS.len()));
        assert!(
            schema_ids()
                .iter()
                .all(|id| id.starts_with(SCHEMA_BASE) && id.ends_with(".json"))
        );
    }

    #[test]
    fn a_reference_outside_the_embedded_files_is_refused() {
        let uri = jsonschema::uri::from_str("https://example.com/other.json").expect("a URI");
        assert!(EmbeddedRetriever(documents()).retrieve(&uri).is_err());
    }

    #[test]
    fn types_pick_their_schema() {
        let created = serde_json::json!({"created": "x"});
        assert_eq!(schema_for("incident", &created), "sdos/incident.json");
        assert_eq!(
            schema_for("relationship", &created),
            "sros/relationship.json"
        );
        assert_eq!(
            schema_for("software", &Value::Null),
            "observables/software.json"
        );
        assert_eq!(
            schema_for("marking-definition", &created),
            "common/marking-definition.json"
        );
        assert_eq!(schema_for("x-custom", &created), "common/core.json");
        assert_eq!(
            schema_for("x-custom", &Value::Null),
            "common/cyber-observable-core.json"
        );
    }
}
