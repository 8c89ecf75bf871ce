//! Integration tests of lifeline-stress: worked examples, properties and determinism.

mod extremes;
mod oracle;
mod pairs;
mod properties;
mod worked;

use std::path::Path;

use lifeline_network::{Format, ValidatedNetwork};
use lifeline_stress::{Report, StressConfig};

/// Loads a network from the test data folder.
pub fn network(name: &str) -> ValidatedNetwork {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    match lifeline_network::load(&path) {
        Ok(loaded) => loaded.network,
        Err(error) => panic!("{error}"),
    }
}

/// Parses a network given inline as JSON.
pub fn network_from_json(text: &str) -> ValidatedNetwork {
    match lifeline_network::from_str(text, Format::Json, Path::new("inline.json")) {
        Ok(loaded) => loaded.network,
        Err(error) => panic!("{error}"),
    }
}

/// Runs the network's own scenarios.
pub fn stress(network: &ValidatedNetwork, config: StressConfig) -> Report {
    let scenarios = network.scenarios();
    match lifeline_stress::run(network, &scenarios, &config, &|| {}) {
        Ok(report) => report,
        Err(error) => panic!("{error}"),
    }
}
