//! Reading what commands share: a network document and a scenarios file, with every
//! diagnostic printed and exit code 2 when they are invalid.

use std::path::Path;

use anyhow::Context;
use lifeline_network::{Format, LoadError, Loaded, ReadLimits, Scenario, ValidatedNetwork};

use crate::Reported;

/// Loads a network, printing every diagnostic and exiting 2 when it is invalid.
pub fn load_or_report(path: &Path) -> anyhow::Result<Loaded> {
    match lifeline_network::load(path) {
        Ok(loaded) => Ok(loaded),
        Err(
            error @ (LoadError::Invalid { .. }
            | LoadError::Syntax { .. }
            | LoadError::Limit { .. }
            | LoadError::UnknownFormat { .. }),
        ) => {
            eprintln!("error: {error}");
            Err(Reported(2).into())
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
        eprintln!("{}: {warning}", path.display());
    }
    Ok(Some(loaded.network))
}

/// Reads scenarios for `network` from a file (`{"scenarios": [...]}` or a list), printing
/// warnings, and every error with exit code 2.
pub fn read_scenarios(path: &Path, network: &ValidatedNetwork) -> anyhow::Result<Vec<Scenario>> {
    // Within the same size limit as a network file; a larger one is refused unread.
    let text = match lifeline_network::read_text(path, &ReadLimits::default()) {
        Ok(text) => text,
        Err(error @ LoadError::Limit { .. }) => {
            eprintln!("error: {error}");
            return Err(Reported(2).into());
        }
        Err(error) => {
            return Err(anyhow::Error::new(error))
                .with_context(|| format!("cannot read `{}`", path.display()));
        }
    };
    match lifeline_network::scenarios_from_str(&text, Format::detect(path, &text), path, network) {
        Ok((scenarios, warnings)) => {
            warnings.iter().for_each(|w| eprintln!("{w}"));
            Ok(scenarios)
        }
        Err(error) => {
            eprintln!("{error}");
            Err(Reported(2).into())
        }
    }
}
