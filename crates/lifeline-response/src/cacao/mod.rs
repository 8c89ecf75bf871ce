//! OASIS CACAO Security Playbooks v2.0: the interchange form of lifeline's playbooks.
//!
//! - [`read`] reads a CACAO JSON document within the network's read limits, validates it
//!   against the official JSON schemas (embedded: nothing is fetched) and then runs the
//!   workflow checks a schema cannot express ([`check`]): the start step, every step
//!   reference, loops, reachability, agents and targets.
//! - [`CacaoDocument`] is the typed model. Every object keeps the members it does not
//!   know in `extra`, so reading a document and writing it back ([`CacaoDocument::to_value`])
//!   gives the same JSON value.
//! - [`from_playbook`] writes a lifeline [`Playbook`](crate::playbook::Playbook) as CACAO
//!   (deterministic UUID v5 ids, `manual` commands, one `group` agent per function, and
//!   lifeline's own fields in a declared extension); [`to_playbook`] maps a document back:
//!   exactly for one lifeline wrote, step by step for a foreign one.
//! - [`read_any`] takes either form and gives the playbook and the CACAO document to store.

mod any;
mod check;
mod export;
mod import;
mod model;
mod schema;

use std::path::{Path, PathBuf};

use lifeline_network::{Diagnostic, Diagnostics, Format, LoadError, Raw, ReadLimits};

pub use any::{ImportError, Imported, read_any};
pub use check::check;
pub use export::{
    EXTENSION_ID, EXTENSION_SCHEMA, LIFELINE_IDENTITY, agent_id, from_playbook, playbook_id,
    step_id, timestamp,
};
pub use import::to_playbook;
pub use model::{
    AgentTarget, CacaoDocument, Command, ExtensionDefinition, ExternalReference, StepType,
    WorkflowStep,
};
pub use schema::{EmbeddedRetriever, parse_embedded, schema_ids, validate_schema};

/// The most workflow steps a CACAO document may have. Response playbooks have tens; the
/// limit keeps a hostile document from making the graph checks slow.
pub const MAX_WORKFLOW_STEPS: usize = 10_000;

/// The `spec_version` this module reads and writes.
pub const SPEC_VERSION: &str = "cacao-2.0";

/// Why a CACAO document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CacaoError {
    /// Not JSON, or over a read limit.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// JSON, but not a valid CACAO v2.0 playbook: every problem at its path
    /// (`workflow.action--….on_completion`).
    #[error("`{}` is not a valid CACAO v2.0 playbook ({} error(s)):\n{diagnostics}", path.display(), diagnostics.error_count())]
    Invalid {
        path: PathBuf,
        diagnostics: Diagnostics,
    },
}

/// Reads a CACAO v2.0 playbook from JSON text (`origin` names the file in errors).
///
/// The text must be within [`ReadLimits::default`] (size, string length, depth) and
/// [`MAX_WORKFLOW_STEPS`], and have no duplicate keys; the document must validate against the embedded official schemas
/// and pass [`check`]'s workflow checks without an error. Warnings from [`check`] do not
/// stop the reading; [`to_playbook`] reports them.
pub fn read(text: &str, origin: &Path) -> Result<CacaoDocument, CacaoError> {
    let invalid = |diagnostics: Vec<Diagnostic>| CacaoError::Invalid {
        path: origin.to_owned(),
        diagnostics: Diagnostics(diagnostics),
    };
    // The network's reader enforces the limits and keeps duplicate keys; serde_json then
    // reads the same text again, keeping integers as integers, for the lossless model.
    let raw = lifeline_network::parse_document(text, Format::Json, origin, &ReadLimits::default())?;
    let mut duplicates = Vec::new();
    duplicate_keys(&raw, "", &mut duplicates);
    if !duplicates.is_empty() {
        return Err(invalid(duplicates));
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| LoadError::Syntax {
        path: origin.to_owned(),
        format: "JSON",
        message: lifeline_text::excerpt_to(&e.to_string(), 300).into_owned(),
    })?;
    if let Some(steps) = value.get("workflow").and_then(serde_json::Value::as_object)
        && steps.len() > MAX_WORKFLOW_STEPS
    {
        return Err(CacaoError::Load(LoadError::Limit {
            path: origin.to_owned(),
            field: "workflow".to_owned(),
            message: format!(
                "the workflow has {} steps, over the limit of {MAX_WORKFLOW_STEPS}",
                steps.len()
            ),
        }));
    }
    let problems = validate_schema(&value);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    // The schema leaves some members free (a workflow key of no known type, say); what
    // the model cannot hold is named at its path.
    let document: CacaoDocument = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        invalid(vec![Diagnostic::error(
            if path == "." {
                String::new()
            } else {
                lifeline_text::escaped(&path).into_owned()
            },
            format!(
                "lifeline cannot read this member: {}",
                lifeline_text::excerpt_to(&e.inner().to_string(), 300)
            ),
        )])
    })?;
    let diagnostics = check(&document);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(invalid(diagnostics));
    }
    Ok(document)
}

/// Reports every key that appears twice in one object (JSON keeps only one of them).
fn duplicate_keys(raw: &Raw, path: &str, out: &mut Vec<Diagnostic>) {
    match raw {
        Raw::Map(entries) => {
            for (i, (key, value)) in entries.iter().enumerate() {
                let here = join_key(path, key);
                if entries[..i].iter().any(|(k, _)| k == key) {
                    out.push(Diagnostic::error(
                        here.clone(),
                        "this key appears more than once in the object",
                    ));
                }
                duplicate_keys(value, &here, out);
            }
        }
        Raw::List(items) => {
            for (i, item) in items.iter().enumerate() {
                duplicate_keys(item, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// `path.key`, the key escaped for a terminal.
pub(crate) fn join_key(path: &str, key: &str) -> String {
    let key = lifeline_text::escaped(key);
    if path.is_empty() {
        key.into_owned()
    } else {
        format!("{path}.{key}")
    }
}
