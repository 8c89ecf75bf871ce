//! Integration tests of `lifeline-vuln` against public test vectors (see
//! `tests/data/SOURCES.md`) and hand-written cases.

mod advisories;
mod cvss;
mod devices;
mod hostile;
mod output;
mod properties;
mod sbom;
mod vex;

use std::path::{Path, PathBuf};

/// A file under `tests/data/`.
pub fn data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(relative)
}

/// The bytes of a file under `tests/data/`.
pub fn bytes(relative: &str) -> Vec<u8> {
    std::fs::read(data(relative)).unwrap_or_else(|e| panic!("read {relative}: {e}"))
}
