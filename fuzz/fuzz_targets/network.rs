//! Fuzz target for the network reader: any bytes, read as JSON and as YAML through
//! `lifeline_network::from_str`, must come back as a network or an error, never a panic,
//! and an invalid document must carry at least one error.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use lifeline_network::{Format, LoadError};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for format in [Format::Json, Format::Yaml] {
        match lifeline_network::from_str(&text, format, Path::new("fuzz-input")) {
            Ok(loaded) => {
                assert!(loaded.warnings.iter().all(|w| !w.is_error()));
                // The analyses rely on these indices; touching them must not panic.
                let network = &loaded.network;
                let _ = network.scenarios();
                for node in 0..network.nodes().len() {
                    let _ = (network.inputs(node), network.customers(node));
                }
                let _ = loaded.warnings.iter().map(ToString::to_string).count();
            }
            Err(LoadError::Invalid { diagnostics, .. }) => {
                assert!(diagnostics.error_count() > 0);
                let _ = diagnostics.to_string();
            }
            Err(error) => {
                let _ = error.to_string();
            }
        }
    }
});
