//! Integration tests of lifeline-sim: closed forms, invariants, Monte Carlo against the
//! lognormal CDF, determinism, and the example scenarios.

mod blocks;
mod closed_form;
mod montecarlo;
mod peer;
mod properties;
mod rules;

use lifeline_network::{Format, Scenario, ValidatedNetwork, from_str};
use lifeline_sim::{SimOptions, SimReport, Simulator};
use serde_json::Value;

/// Loads a network written as JSON, panicking on any diagnostic (these are test inputs).
pub fn network(doc: &Value) -> ValidatedNetwork {
    match from_str(&doc.to_string(), Format::Json, "test.json".as_ref()) {
        Ok(loaded) => loaded.network,
        Err(error) => panic!("test network rejected: {error}"),
    }
}

/// Simulates `scenario` (an id among the network's scenarios) for `days` days, with series.
pub fn simulate(network: &ValidatedNetwork, scenario: &str, days: u32) -> SimReport {
    let scenario: Scenario = network
        .scenarios()
        .into_iter()
        .find(|s| s.id == scenario)
        .unwrap_or_else(|| panic!("no scenario {scenario}"));
    Simulator::new(network).run(&scenario, &SimOptions::days(days).with_series())
}

/// One hospital `H` (demand `d`, inventory `k·d`, lead time `lead`) fed only by `S`,
/// which is fully down for `down` days from day `start`.
pub fn sole_source(d: f64, k: f64, lead: u32, down: f64, start: f64) -> Value {
    serde_json::json!({
        "format": "lifeline-network/1",
        "nodes": [
            {"id": "S", "kind": "supplier"},
            {"id": "H", "kind": "hospital", "demand": d, "inventory": k * d}
        ],
        "edges": [{"from": "S", "to": "H", "lead_time": lead}],
        "scenarios": [{"id": "down", "ttr": down, "start": start, "disrupt": [{"node": "S"}]}]
    })
}
