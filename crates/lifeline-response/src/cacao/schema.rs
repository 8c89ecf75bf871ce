//! Validation against the official CACAO v2.0 JSON schemas (draft-07), embedded in the
//! binary: every `$ref` resolves to an embedded file by its `$id`, and a reference to
//! anything else is refused, so validation never touches the network.

use std::sync::OnceLock;

use jsonschema::{Draft, Registry, Retrieve, Uri, Validator};
use lifeline_network::Diagnostic;
use serde_json::Value;

/// Every schema file, by its path under `data/cacao/` (the schemas' own folder layout).
const SCHEMAS: &[(&str, &str)] = &[
    (
        "agent-target/agent-target.json",
        include_str!("../../data/cacao/agent-target/agent-target.json"),
    ),
    (
        "agent-target/group.json",
        include_str!("../../data/cacao/agent-target/group.json"),
    ),
    (
        "agent-target/http-api.json",
        include_str!("../../data/cacao/agent-target/http-api.json"),
    ),
    (
        "agent-target/individual.json",
        include_str!("../../data/cacao/agent-target/individual.json"),
    ),
    (
        "agent-target/linux.json",
        include_str!("../../data/cacao/agent-target/linux.json"),
    ),
    (
        "agent-target/location.json",
        include_str!("../../data/cacao/agent-target/location.json"),
    ),
    (
        "agent-target/net-address.json",
        include_str!("../../data/cacao/agent-target/net-address.json"),
    ),
    (
        "agent-target/organization.json",
        include_str!("../../data/cacao/agent-target/organization.json"),
    ),
    (
        "agent-target/sector.json",
        include_str!("../../data/cacao/agent-target/sector.json"),
    ),
    (
        "agent-target/security-category.json",
        include_str!("../../data/cacao/agent-target/security-category.json"),
    ),
    (
        "agent-target/ssh.json",
        include_str!("../../data/cacao/agent-target/ssh.json"),
    ),
    (
        "authentication-info/authentication-info.json",
        include_str!("../../data/cacao/authentication-info/authentication-info.json"),
    ),
    (
        "authentication-info/http-basic.json",
        include_str!("../../data/cacao/authentication-info/http-basic.json"),
    ),
    (
        "authentication-info/oauth2.json",
        include_str!("../../data/cacao/authentication-info/oauth2.json"),
    ),
    (
        "authentication-info/user-auth.json",
        include_str!("../../data/cacao/authentication-info/user-auth.json"),
    ),
    (
        "commands/bash.json",
        include_str!("../../data/cacao/commands/bash.json"),
    ),
    (
        "commands/caldera-cmd.json",
        include_str!("../../data/cacao/commands/caldera-cmd.json"),
    ),
    (
        "commands/command-data.json",
        include_str!("../../data/cacao/commands/command-data.json"),
    ),
    (
        "commands/elastic.json",
        include_str!("../../data/cacao/commands/elastic.json"),
    ),
    (
        "commands/http-api.json",
        include_str!("../../data/cacao/commands/http-api.json"),
    ),
    (
        "commands/jupyter.json",
        include_str!("../../data/cacao/commands/jupyter.json"),
    ),
    (
        "commands/kestrel.json",
        include_str!("../../data/cacao/commands/kestrel.json"),
    ),
    (
        "commands/manual.json",
        include_str!("../../data/cacao/commands/manual.json"),
    ),
    (
        "commands/openc2-http.json",
        include_str!("../../data/cacao/commands/openc2-http.json"),
    ),
    (
        "commands/powershell.json",
        include_str!("../../data/cacao/commands/powershell.json"),
    ),
    (
        "commands/sigma.json",
        include_str!("../../data/cacao/commands/sigma.json"),
    ),
    (
        "commands/ssh.json",
        include_str!("../../data/cacao/commands/ssh.json"),
    ),
    (
        "commands/yara.json",
        include_str!("../../data/cacao/commands/yara.json"),
    ),
    (
        "data-markings/data-marking.json",
        include_str!("../../data/cacao/data-markings/data-marking.json"),
    ),
    (
        "data-markings/marking-iep.json",
        include_str!("../../data/cacao/data-markings/marking-iep.json"),
    ),
    (
        "data-markings/marking-statement.json",
        include_str!("../../data/cacao/data-markings/marking-statement.json"),
    ),
    (
        "data-markings/marking-tlp.json",
        include_str!("../../data/cacao/data-markings/marking-tlp.json"),
    ),
    (
        "data-types/civic-location.json",
        include_str!("../../data/cacao/data-types/civic-location.json"),
    ),
    (
        "data-types/contact.json",
        include_str!("../../data/cacao/data-types/contact.json"),
    ),
    (
        "data-types/external-reference.json",
        include_str!("../../data/cacao/data-types/external-reference.json"),
    ),
    (
        "data-types/identifier.json",
        include_str!("../../data/cacao/data-types/identifier.json"),
    ),
    (
        "data-types/playbook-processing-summary.json",
        include_str!("../../data/cacao/data-types/playbook-processing-summary.json"),
    ),
    (
        "data-types/signature.json",
        include_str!("../../data/cacao/data-types/signature.json"),
    ),
    (
        "data-types/timestamp.json",
        include_str!("../../data/cacao/data-types/timestamp.json"),
    ),
    (
        "data-types/variable.json",
        include_str!("../../data/cacao/data-types/variable.json"),
    ),
    (
        "extension-definition/extension-definition.json",
        include_str!("../../data/cacao/extension-definition/extension-definition.json"),
    ),
    (
        "playbook.json",
        include_str!("../../data/cacao/playbook.json"),
    ),
    (
        "workflows/action.json",
        include_str!("../../data/cacao/workflows/action.json"),
    ),
    (
        "workflows/end.json",
        include_str!("../../data/cacao/workflows/end.json"),
    ),
    (
        "workflows/if-condition.json",
        include_str!("../../data/cacao/workflows/if-condition.json"),
    ),
    (
        "workflows/parallel.json",
        include_str!("../../data/cacao/workflows/parallel.json"),
    ),
    (
        "workflows/playbook-action.json",
        include_str!("../../data/cacao/workflows/playbook-action.json"),
    ),
    (
        "workflows/start.json",
        include_str!("../../data/cacao/workflows/start.json"),
    ),
    (
        "workflows/switch-condition.json",
        include_str!("../../data/cacao/workflows/switch-condition.json"),
    ),
    (
        "workflows/while-condition.json",
        include_str!("../../data/cacao/workflows/while-condition.json"),
    ),
    (
        "workflows/workflow-step.json",
        include_str!("../../data/cacao/workflows/workflow-step.json"),
    ),
];

/// The root schema's path in [`SCHEMAS`].
const ROOT: &str = "playbook.json";

/// The embedded schemas, parsed, with their `$id`s.
fn documents() -> &'static Result<Vec<(String, Value)>, String> {
    static DOCUMENTS: OnceLock<Result<Vec<(String, Value)>, String>> = OnceLock::new();
    DOCUMENTS.get_or_init(|| parse_embedded("data/cacao", SCHEMAS))
}

/// Parses embedded JSON schema files (`(path, text)` pairs, `path` under `dir`), each
/// with its `$id`; the first that is not JSON or has no `$id` is the error.
pub fn parse_embedded(dir: &str, schemas: &[(&str, &str)]) -> Result<Vec<(String, Value)>, String> {
    schemas
        .iter()
        .map(|(path, text)| {
            let value: Value =
                serde_json::from_str(text).map_err(|e| format!("{dir}/{path} is not JSON: {e}"))?;
            let id = value
                .get("$id")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{dir}/{path} has no `$id`"))?
                .to_owned();
            Ok((id, value))
        })
        .collect()
}

/// Serves the embedded schemas (as [`parse_embedded`] gives them) by `$id`; anything
/// else is refused.
pub struct EmbeddedRetriever(pub &'static Result<Vec<(String, Value)>, String>);

impl Retrieve for EmbeddedRetriever {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let wanted = uri.as_str().trim_end_matches('#');
        match self.0 {
            Ok(documents) => documents
                .iter()
                .find(|(id, _)| id == wanted)
                .map(|(_, value)| value.clone())
                .ok_or_else(|| format!("schema `{wanted}` is not embedded in lifeline").into()),
            Err(message) => Err(message.clone().into()),
        }
    }
}

/// The `$id` of every embedded schema file (the root first), for tests and tools.
pub fn schema_ids() -> Vec<String> {
    let mut ids: Vec<(bool, String)> = match documents() {
        Ok(documents) => documents
            .iter()
            .zip(SCHEMAS)
            .map(|((id, _), (path, _))| (*path != ROOT, id.clone()))
            .collect(),
        Err(_) => Vec::new(),
    };
    ids.sort();
    ids.into_iter().map(|(_, id)| id).collect()
}

/// The compiled validator of `playbook.json`, built once per process.
fn validator() -> &'static Result<Validator, String> {
    static VALIDATOR: OnceLock<Result<Validator, String>> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let documents = documents().as_ref().map_err(Clone::clone)?;
        let root = SCHEMAS
            .iter()
            .position(|(path, _)| *path == ROOT)
            .and_then(|i| documents.get(i))
            .ok_or("data/cacao/playbook.json is not embedded")?;
        let registry = Registry::new()
            .draft(Draft::Draft7)
            .retriever(EmbeddedRetriever(self::documents()))
            .retrieve_known_draft_meta_schemas(false)
            .extend(documents.iter().map(|(id, value)| (id.as_str(), value)))
            .and_then(|builder| builder.prepare())
            .map_err(|e| format!("the embedded CACAO schemas do not load: {e}"))?;
        jsonschema::options()
            .with_draft(Draft::Draft7)
            .with_registry(&registry)
            .with_retriever(EmbeddedRetriever(self::documents()))
            .build(&root.1)
            .map_err(|e| format!("the embedded CACAO schema does not compile: {e}"))
    })
}

/// Validates a document against the CACAO v2.0 schema; every schema error becomes one
/// diagnostic at the path of the bad member (`agent_definitions.http-api--….type`).
pub fn validate_schema(document: &Value) -> Vec<Diagnostic> {
    let validator = match validator() {
        Ok(validator) => validator,
        Err(message) => return vec![Diagnostic::error("", message.clone())],
    };
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for error in validator.iter_errors(document) {
        let path = pointer_to_path(document, error.instance_path().as_str());
        let diagnostic = Diagnostic::error(path, describe(&error));
        if !diagnostics.contains(&diagnostic) {
            diagnostics.push(diagnostic);
        }
    }
    diagnostics
}

/// `/workflow/action--…/commands/0/type` as `workflow.action--….commands[0].type`: a
/// segment is an index where the document has a list there, a key otherwise.
fn pointer_to_path(document: &Value, pointer: &str) -> String {
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
                path = super::join_key(&path, &segment);
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
            format!("{instance} does not match `{pattern}`")
        }
        _ => lifeline_text::excerpt_to(&error.to_string(), 300).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_loads_and_the_root_compiles() {
        assert_eq!(schema_ids().len(), SCHEMAS.len());
        assert!(schema_ids()[0].ends_with("/schemas/playbook.json"));
        assert!(validator().is_ok(), "{:?}", validator().as_ref().err());
    }

    #[test]
    fn a_reference_outside_the_embedded_files_is_refused() {
        let uri = jsonschema::uri::from_str("https://example.com/other.json");
        let uri = uri.expect("a valid URI");
        assert!(EmbeddedRetriever(documents()).retrieve(&uri).is_err());
    }

    #[test]
    fn paths_name_lists_and_keys() {
        let document = serde_json::json!({"a": [{"1": {"b": 2}}]});
        assert_eq!(pointer_to_path(&document, "/a/0/1/b"), "a[0].1.b");
        assert_eq!(pointer_to_path(&document, ""), "");
    }
}
