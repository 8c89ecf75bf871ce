//! The one integration-test binary of `lifeline-network`: diagnostics of invalid
//! documents (snapshots), equivalence of the JSON, YAML and CSV inputs, property tests
//! and regression cases found by fuzzing.

mod diagnostics;
mod formats;
mod hostile;
mod properties;
mod regressions;

use std::path::{Path, PathBuf};

use lifeline_network::{Format, LoadError, Loaded};

/// Renders the outcome of reading a document: every diagnostic, one per line (hints on
/// their own indented line), or the syntax error. This text is what the snapshots hold.
pub fn render(result: &Result<Loaded, LoadError>) -> String {
    match result {
        Ok(loaded) if loaded.warnings.is_empty() => "valid, no diagnostics".to_owned(),
        Ok(loaded) => {
            let lines: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
            format!("valid, with warnings:\n{}", lines.join("\n"))
        }
        Err(LoadError::Invalid { diagnostics, .. }) => {
            let lines: Vec<String> = diagnostics.0.iter().map(ToString::to_string).collect();
            format!(
                "invalid ({} error(s)):\n{}",
                diagnostics.error_count(),
                lines.join("\n")
            )
        }
        Err(LoadError::Syntax {
            format, message, ..
        }) => {
            format!("not valid {format}:\n{message}")
        }
        Err(other) => format!("cannot load: {other}"),
    }
}

/// Reads `text` in `format` through the public entry point, naming it `input.json` or
/// `input.yaml` in errors.
pub fn read(text: &str, format: Format) -> Result<Loaded, LoadError> {
    let origin = match format {
        Format::Json => Path::new("input.json"),
        Format::Yaml => Path::new("input.yaml"),
    };
    lifeline_network::from_str(text, format, origin)
}

/// The folder of the test inputs, `tests/data`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}
