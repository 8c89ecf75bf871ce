//! A playbook in either form: CACAO v2.0 JSON or lifeline's own (YAML or JSON).

use std::path::{Path, PathBuf};

use lifeline_network::{Diagnostic, Diagnostics, Format, LoadError, Raw, ReadLimits};
use lifeline_text::Excerpt;
use serde_json::Value;
use time::OffsetDateTime;

use super::model::{CacaoDocument, StepType};
use super::{CacaoError, EXTENSION_ID, from_playbook, join_key, read, to_playbook};
use crate::playbook::read::{PlaybookError, from_str};
use crate::playbook::{Playbook, validate};

/// A playbook read from either form.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub playbook: Playbook,
    /// The CACAO document to store: the one read, as it was (unknown members kept), or for
    /// lifeline's form the playbook written as CACAO ([`from_playbook`]).
    pub cacao: Value,
    /// What lifeline cannot act on, and the playbook's own warnings.
    pub warnings: Vec<Diagnostic>,
}

/// Why a playbook could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Unreadable, not JSON/YAML, or over a read limit.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Not a valid playbook of its form (`form` is `CACAO v2.0` or `lifeline`): every
    /// problem at its path.
    #[error("`{}` is not a valid {form} playbook ({} error(s)):\n{diagnostics}", path.display(), diagnostics.error_count())]
    Invalid {
        path: PathBuf,
        form: &'static str,
        diagnostics: Diagnostics,
    },
}

impl From<CacaoError> for ImportError {
    fn from(error: CacaoError) -> Self {
        match error {
            CacaoError::Load(error) => ImportError::Load(error),
            CacaoError::Invalid { path, diagnostics } => ImportError::Invalid {
                path,
                form: "CACAO v2.0",
                diagnostics,
            },
        }
    }
}

impl From<PlaybookError> for ImportError {
    fn from(error: PlaybookError) -> Self {
        match error {
            PlaybookError::Load(error) => ImportError::Load(error),
            PlaybookError::Invalid { path, diagnostics } => ImportError::Invalid {
                path,
                form: "lifeline",
                diagnostics,
            },
        }
    }
}

/// The `spec_version` of a JSON document, if it has a string one at the top.
fn spec_version(raw: &Raw) -> Option<&str> {
    match raw {
        Raw::Map(entries) => entries.iter().find_map(|(k, v)| match v {
            Raw::String(s) if k == "spec_version" => Some(s.as_str()),
            _ => None,
        }),
        _ => None,
    }
}

/// Reads a playbook in either form: CACAO when the document is JSON with a `spec_version`
/// starting `cacao-2` ([`read`], then [`to_playbook`]), otherwise lifeline's form
/// ([`crate::playbook::read::from_str`], YAML or JSON by `origin`'s extension or the text).
/// Either way the playbook must pass [`validate::validate`]. `created` is the `created`
/// time of the CACAO document written for a playbook in lifeline's form.
pub fn read_any(
    text: &str,
    origin: &Path,
    created: OffsetDateTime,
) -> Result<Imported, ImportError> {
    let format = Format::detect(origin, text);
    let raw = lifeline_network::parse_document(text, format, origin, &ReadLimits::default())?;
    match spec_version(&raw) {
        Some(version) if format == Format::Json && version.starts_with("cacao-2") => {
            let document = read(text, origin)?;
            let invalid = |diagnostics: Vec<Diagnostic>| ImportError::Invalid {
                path: origin.to_owned(),
                form: "CACAO v2.0",
                diagnostics: Diagnostics(diagnostics),
            };
            let (playbook, mut warnings) =
                to_playbook(&document).map_err(|diagnostics| invalid(diagnostics.0))?;
            let problems: Vec<Diagnostic> = validate::validate(&playbook)
                .into_iter()
                .map(|d| in_document(&document, &playbook, d))
                .collect();
            if problems.iter().any(Diagnostic::is_error) {
                return Err(invalid(problems));
            }
            warnings.extend(problems);
            Ok(Imported {
                playbook,
                cacao: document.to_value(),
                warnings,
            })
        }
        Some(version) if version.starts_with("cacao") => Err(ImportError::Invalid {
            path: origin.to_owned(),
            form: "CACAO v2.0",
            diagnostics: Diagnostics(vec![
                Diagnostic::error(
                    "spec_version",
                    format!("CACAO version `{}` is not supported", Excerpt(version)),
                )
                .with_hint("lifeline reads CACAO v2.0 JSON (`\"spec_version\": \"cacao-2.0\"`)"),
            ]),
        }),
        _ => {
            let loaded = from_str(text, format, origin)?;
            let cacao = from_playbook(&loaded.playbook, created);
            Ok(Imported {
                playbook: loaded.playbook,
                cacao,
                warnings: loaded.warnings,
            })
        }
    }
}

/// A diagnostic about the playbook as lifeline reads it (`steps[2].after[0]`), moved to
/// where the CACAO document holds that field (`workflow.action--….step_extensions.
/// extension-definition--….after[0]`) when lifeline wrote the document; otherwise kept,
/// with a hint saying which form the path is in.
fn in_document(
    document: &CacaoDocument,
    playbook: &Playbook,
    diagnostic: Diagnostic,
) -> Diagnostic {
    match cacao_path(document, playbook, &diagnostic.path) {
        Some(path) => Diagnostic { path, ..diagnostic },
        None if diagnostic.hint.is_none() => diagnostic.with_hint(
            "the path is in the playbook as lifeline reads it (`lifeline playbook export ID --format yaml` shows that form)",
        ),
        None => diagnostic,
    }
}

fn cacao_path(document: &CacaoDocument, playbook: &Playbook, path: &str) -> Option<String> {
    let ours = |extensions: &Option<serde_json::Map<String, Value>>| {
        extensions
            .as_ref()
            .and_then(|e| e.get(EXTENSION_ID))
            .cloned()
    };
    ours(&document.playbook_extensions)?;
    let extension_of = |at: &str| join_key(at, EXTENSION_ID);
    if let Some(rest) = path.strip_prefix("steps[") {
        let (index, rest) = rest.split_once(']')?;
        let step = playbook.steps.get(index.parse::<usize>().ok()?)?;
        let (key, _) = document.workflow.iter().find(|(_, s)| {
            s.kind == StepType::Action
                && ours(&s.step_extensions)
                    .is_some_and(|e| e.get("id").and_then(Value::as_str) == Some(&step.id))
        })?;
        let here = join_key("workflow", key);
        return Some(match rest {
            "" => here,
            ".title" => format!("{here}.name"),
            ".description" => format!("{here}.description"),
            _ => format!(
                "{}{rest}",
                extension_of(&join_key(&here, "step_extensions"))
            ),
        });
    }
    let first = path.split(['.', '[']).next().unwrap_or_default();
    Some(match first {
        "name" | "description" => path.to_owned(),
        _ => format!("{}.{path}", extension_of("playbook_extensions")),
    })
}
