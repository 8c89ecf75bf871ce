//! The one integration-test binary of `lifeline-gs1`: every published vector (check digits,
//! Digital Link normaliser, the identifiers of the EPCIS event-hash documents against their
//! pre-hash strings, the TDT tables), error messages, and property tests.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first unexpected value"
)]

mod ai_table;
mod errors;
mod event_hash;
mod properties;
mod vectors;

use std::path::PathBuf;

/// A file under `tests/data/`.
pub fn data(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(relative)
}

/// Reads a file under `tests/data/` as text.
pub fn read(relative: &str) -> String {
    let path = data(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The one check of the public contract: `canonical_digital_link(input)` gives `expected`
/// (`None`: not a GS1 identifier, or rejected). Returns a description of the mismatch.
pub fn check(input: &str, expected: Option<&str>) -> Result<(), String> {
    let got = lifeline_gs1::canonical_digital_link(input);
    let got_text = match &got {
        Ok(Some(link)) => Some(link.as_str()),
        Ok(None) | Err(_) => None,
    };
    if got_text == expected {
        Ok(())
    } else {
        Err(format!(
            "{input}\n  expected {expected:?}\n  got      {got:?}"
        ))
    }
}
