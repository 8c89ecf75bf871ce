//! Integration tests of `lifeline-xsd`: the embedded schema sets against the public test
//! vectors in `tests/data/` (see its SOURCES.md), and the shape of problems.

mod cyclonedx;
mod epcis;
mod problems;

use std::path::{Path, PathBuf};

use lifeline_xsd::{SchemaSet, Validation};

/// The folder of test inputs.
fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The one helper: validates `document` against `set` and renders the outcome as text,
/// `valid` or one problem per line (line, column, path, message).
fn check(set: SchemaSet, document: &[u8]) -> String {
    match lifeline_xsd::validate(set, document) {
        Ok(validation) => render(&validation),
        Err(error) => format!("error: {error}"),
    }
}

fn render(validation: &Validation) -> String {
    if validation.is_valid() {
        return "valid".into();
    }
    let mut lines: Vec<String> = validation
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    if validation.omitted > 0 {
        lines.push(format!("... and {} more", validation.omitted));
    }
    lines.join("\n")
}

/// Every `*.xml` file under `folder`, sorted, as (path relative to `data()`, bytes).
fn xml_files(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "xml") {
                let bytes =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let name = path
                    .strip_prefix(data())
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                found.push((name, bytes));
            }
        }
    }
    found.sort();
    found
}
