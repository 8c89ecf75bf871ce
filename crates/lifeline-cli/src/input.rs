//! Reading what commands share: a network document and a scenarios file, with every
//! diagnostic printed and exit code 2 when they are invalid.

use std::path::Path;

use anyhow::Context;
use lifeline_network::{Format, LoadError, Loaded, ReadLimits, Scenario, ValidatedNetwork};

use crate::Reported;
use crate::render::{Diag, Diags};

/// Loads a network, printing every diagnostic and exiting 2 when it is invalid.
pub fn load_or_report(path: &Path) -> anyhow::Result<Loaded> {
    report_load(lifeline_network::load(path))
}

/// A network as read (from a path or a text): an invalid one's every diagnostic printed,
/// exit code 2.
pub fn report_load(result: Result<Loaded, LoadError>) -> anyhow::Result<Loaded> {
    match result {
        Ok(loaded) => Ok(loaded),
        Err(LoadError::Invalid { path, diagnostics }) => {
            errln!(
                "error: `{}` is not a valid network ({} error(s)):\n{}",
                path.display(),
                diagnostics.error_count(),
                Diags(&diagnostics.0)
            );
            Err(Reported.into())
        }
        Err(
            error @ (LoadError::Syntax { .. }
            | LoadError::Limit { .. }
            | LoadError::UnknownFormat { .. }),
        ) => {
            errln!("error: {error}");
            Err(Reported.into())
        }
        Err(other) => Err(other.into()),
    }
}

/// The network of an optional `--network` flag, its warnings printed on stderr.
pub fn optional_network(path: Option<&Path>) -> anyhow::Result<Option<ValidatedNetwork>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let loaded = load_or_report(path)?;
    for warning in &loaded.warnings {
        errln!("{}: {}", path.display(), Diag(warning));
    }
    Ok(Some(loaded.network))
}

/// The text of `path` within the size limit of a network file: a larger one is refused
/// unread (exit code 2); another error says `context`.
pub fn read_text(path: &Path, context: impl FnOnce() -> String) -> anyhow::Result<String> {
    match lifeline_network::read_text(path, &ReadLimits::default()) {
        Ok(text) => Ok(text),
        Err(error @ LoadError::Limit { .. }) => {
            errln!("error: {error}");
            Err(Reported.into())
        }
        Err(error) => Err(anyhow::Error::new(error)).with_context(context),
    }
}

/// Reads scenarios for `network` from a file (`{"scenarios": [...]}` or a list), printing
/// warnings, and every error with exit code 2.
pub fn read_scenarios(path: &Path, network: &ValidatedNetwork) -> anyhow::Result<Vec<Scenario>> {
    let text = read_text(path, || format!("cannot read `{}`", path.display()))?;
    match lifeline_network::scenarios_from_str(&text, Format::detect(path, &text), path, network) {
        Ok((scenarios, warnings)) => {
            warnings.iter().for_each(|w| errln!("{}", Diag(w)));
            Ok(scenarios)
        }
        Err(error) => {
            errln!("{error}");
            Err(Reported.into())
        }
    }
}
