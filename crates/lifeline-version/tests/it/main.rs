//! Integration tests of lifeline-version: ordering tables per ecosystem, the OSV
//! fixtures, the OSV evaluation rules, and property tests.

mod evaluate;
mod hostile;
mod order;
mod osv;
mod properties;

use std::path::PathBuf;

/// The path of a file under `tests/data/`.
pub fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

/// Reads a file under `tests/data/` to a string.
pub fn read(path: &str) -> String {
    let file = data(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()))
}
