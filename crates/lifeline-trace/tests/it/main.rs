//! Integration tests of lifeline-trace against the published vectors and fixture documents.

mod hash;
mod hostile;
mod read;
mod repository;
mod rules;
mod schema;
mod store;

use std::path::{Path, PathBuf};

/// Path of a file under `tests/data`.
pub fn data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(relative)
}

/// Reads a test file.
pub fn read_data(relative: &str) -> Vec<u8> {
    std::fs::read(data(relative)).unwrap_or_else(|e| panic!("read {relative}: {e}"))
}
