//! The lifeline network model (`lifeline-network/1`): reading JSON, YAML and folders of
//! CSV tables, and validation that reports every problem at once.
//!
//! Reading goes through three steps: the input becomes a format-neutral [`Raw`] tree,
//! `decode` turns it into a [`Network`] (type and range checks), and [`validate`]
//! checks references, uniqueness and structure, returning a [`ValidatedNetwork`]: the
//! only form the analyses accept.

mod csv_tables;
mod decode;
mod error;
mod limits;
mod model;
mod number;
mod raw;
mod validate;

use std::path::Path;

pub use decode::{
    Decoder, Fields, MAX_DAYS, MAX_MONEY, MAX_QUANTITY, MAX_RATIO, MAX_VALUE, MIN_RATIO, MIN_VALUE,
    MIN_WINDOW, Range,
};
pub use error::{Diagnostic, Diagnostics, LoadError, Severity};
pub use limits::{ReadLimits, SHOWN_DIAGNOSTICS};
pub use model::{
    Allocation, DEFAULT_HORIZON, Defection, Dependency, Disruption, Edge, EntityKind, FORMAT,
    Facility, Item, Network, Node, Policy, Scenario, ShareStep, Target, Unmet, vendor_id,
};
pub use number::{SIGNIFICANT_DIGITS, significant};
pub use raw::Raw;
pub use validate::{CapacityFactors, EdgeIx, Input, NodeIx, ValidatedNetwork, validate};

/// The syntax of a network document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Yaml => "YAML",
        }
    }

    /// The format a file name implies, or a guess from the text for other names.
    pub fn detect(path: &Path, text: &str) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") => Format::Json,
            Some("yaml" | "yml") => Format::Yaml,
            _ if text.trim_start().starts_with(['{', '[']) => Format::Json,
            _ => Format::Yaml,
        }
    }
}

/// A network that validated, with the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub network: ValidatedNetwork,
    pub warnings: Vec<Diagnostic>,
}

/// Parses text of a known syntax into a [`Raw`] tree, within the default [`ReadLimits`].
pub fn parse_raw(text: &str, format: Format) -> Result<Raw, String> {
    raw::parse(text, format, &ReadLimits::default()).map_err(|e| match e.field {
        Some(field) => format!("{field}: {}", e.message),
        None => e.message,
    })
}

/// Parses `text`, turning a parser error into the [`LoadError`] that names `origin`.
/// Other documents that share the network's syntaxes and limits (the vendor register)
/// are read with it too.
pub fn parse_document(
    text: &str,
    format: Format,
    origin: &Path,
    limits: &ReadLimits,
) -> Result<Raw, LoadError> {
    if text.len() as u64 > limits.file_bytes {
        return Err(too_large(origin, text.len() as u64, limits));
    }
    raw::parse(text, format, limits).map_err(|mut e| {
        // A parser may quote the input in its message: escaped and cut like any value.
        e.message = lifeline_text::excerpt_to(&e.message, 300).into_owned();
        if e.limit {
            LoadError::Limit {
                path: origin.to_owned(),
                field: e.field.unwrap_or_default(),
                message: e.message,
            }
        } else {
            LoadError::Syntax {
                path: origin.to_owned(),
                format: format.name(),
                message: match e.field {
                    Some(field) => format!("{field}: {}", e.message),
                    None => e.message,
                },
            }
        }
    })
}

fn too_large(path: &Path, bytes: u64, limits: &ReadLimits) -> LoadError {
    LoadError::Limit {
        path: path.to_owned(),
        field: String::new(),
        message: format!(
            "the file is {bytes} bytes, over the limit of {} bytes per file",
            limits.file_bytes
        ),
    }
}

/// Reads a whole text file of at most `limits.file_bytes` bytes; a longer file is
/// refused without being read into memory.
pub fn read_text(path: &Path, limits: &ReadLimits) -> Result<String, LoadError> {
    use std::io::Read as _;
    let io = |source| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    // The length on disk is checked first; the read is bounded too, for files that grow
    // or report no length (pipes, devices).
    let length = file.metadata().map_err(io)?.len();
    if length > limits.file_bytes {
        return Err(too_large(path, length, limits));
    }
    let mut text = String::new();
    file.take(limits.file_bytes.saturating_add(1))
        .read_to_string(&mut text)
        .map_err(io)?;
    if text.len() as u64 > limits.file_bytes {
        return Err(too_large(path, text.len() as u64, limits));
    }
    Ok(text)
}

/// Decodes and validates a [`Raw`] document. On failure, every diagnostic (errors and
/// warnings) is returned.
pub fn from_raw(raw: &Raw) -> Result<Loaded, Diagnostics> {
    let mut decoder = decode::Decoder::default();
    let network = decode::network(&mut decoder, raw);
    let (network, warnings) = validate(network, decoder.diagnostics)?;
    Ok(Loaded { network, warnings })
}

/// Reads, decodes and validates the network text `text`; `origin` names it in errors.
pub fn from_str(text: &str, format: Format, origin: &Path) -> Result<Loaded, LoadError> {
    from_str_with(text, format, origin, &ReadLimits::default())
}

/// [`from_str`] within the given limits.
pub fn from_str_with(
    text: &str,
    format: Format,
    origin: &Path,
    limits: &ReadLimits,
) -> Result<Loaded, LoadError> {
    let raw = parse_document(text, format, origin, limits)?;
    from_raw(&raw).map_err(|diagnostics| LoadError::Invalid {
        path: origin.to_owned(),
        diagnostics,
    })
}

/// Loads a network from a `.json`, `.yaml`/`.yml` file or a folder of CSV tables, within
/// the default [`ReadLimits`].
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    load_with(path, &ReadLimits::default())
}

/// [`load`] within the given limits.
pub fn load_with(path: &Path, limits: &ReadLimits) -> Result<Loaded, LoadError> {
    if path.is_dir() {
        let tables = csv_tables::read(path, limits)?;
        let mut decoder = decode::Decoder {
            diagnostics: tables.diagnostics.clone(),
        };
        let network = decode::network(&mut decoder, &tables.document);
        let relocate = |diagnostics: Vec<Diagnostic>| -> Vec<Diagnostic> {
            diagnostics
                .into_iter()
                .map(|d| tables.relocate(d))
                .collect()
        };
        return match validate(network, decoder.diagnostics) {
            Ok((network, warnings)) => Ok(Loaded {
                network,
                warnings: relocate(warnings),
            }),
            Err(Diagnostics(all)) => Err(LoadError::Invalid {
                path: path.to_owned(),
                diagnostics: Diagnostics(relocate(all)),
            }),
        };
    }
    let text = read_text(path, limits)?;
    from_str_with(&text, Format::detect(path, &text), path, limits)
}

/// Reads a scenario list (a `{"scenarios": [...]}` document or a bare list) from text and
/// checks it against `network`.
pub fn scenarios_from_str(
    text: &str,
    format: Format,
    origin: &Path,
    network: &ValidatedNetwork,
) -> Result<(Vec<Scenario>, Vec<Diagnostic>), LoadError> {
    let raw = parse_document(text, format, origin, &ReadLimits::default())?;
    scenarios_from_raw(&raw, origin, network)
}

/// [`scenarios_from_str`] for a document already parsed into a [`Raw`] tree (the Python
/// package builds one from a list of dicts); `origin` names it in errors.
pub fn scenarios_from_raw(
    raw: &Raw,
    origin: &Path,
    network: &ValidatedNetwork,
) -> Result<(Vec<Scenario>, Vec<Diagnostic>), LoadError> {
    let mut decoder = decode::Decoder::default();
    let scenarios = match raw {
        Raw::List(items) => decode::scenarios(&mut decoder, items, "scenarios"),
        Raw::Map(_) => match decoder.object(raw, "") {
            Some(mut fields) => {
                let items = decoder.list(&mut fields, "scenarios");
                let scenarios = decode::scenarios(&mut decoder, items, "scenarios");
                decoder.finish(fields);
                scenarios
            }
            None => Vec::new(),
        },
        other => {
            decoder.diagnostics.push(Diagnostic::error(
                "",
                format!(
                    "expected a list of scenarios or an object with `scenarios`, found {}",
                    other.describe()
                ),
            ));
            Vec::new()
        }
    };
    let mut diagnostics = decoder.diagnostics;
    diagnostics.extend(network.check_scenarios(&scenarios, "scenarios"));
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(LoadError::Invalid {
            path: origin.to_owned(),
            diagnostics: Diagnostics(diagnostics),
        });
    }
    Ok((scenarios, diagnostics))
}
