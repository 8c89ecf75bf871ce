//! Fuzz target for the simulator: any bytes read as a network document (JSON); when valid,
//! every scenario is simulated for 40 days, and the first drawn as a small Monte Carlo from
//! a distribution parsed out of the input's last line. Nothing may panic, and the ledger's
//! quantities stay non-negative.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use lifeline_network::{Format, Target};
use lifeline_sim::{Distribution, MonteCarlo, Outage, SimOptions, Simulator};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (document, last) = text.rsplit_once('\n').unwrap_or((&text, "3"));
    let distribution = last.parse::<Distribution>().ok();
    let Ok(loaded) = lifeline_network::from_str(document, Format::Json, Path::new("fuzz")) else {
        return;
    };
    let network = &loaded.network;
    let simulator = Simulator::new(network);
    let options = SimOptions::days(40).with_series();
    for scenario in network.scenarios().iter().take(4) {
        let report = simulator.run(scenario, &options);
        let _ = lifeline_sim::plot::svg(&report, 4);
        if let Some(series) = &report.series {
            for l in &series.ledger {
                assert!(l.in_transit >= -1e-6 || !l.in_transit.is_finite());
            }
        }
    }
    if let (Some(duration), Some(node)) = (distribution, network.nodes().first()) {
        let outage = Outage {
            targets: vec![Target::Node(node.id.clone())],
            capacity_factor: 0.0,
            start: Distribution::Fixed(0.0),
            duration,
            independent: false,
            downtime_cost: None,
        };
        let run = MonteCarlo { replications: 8, seed: 1, days: 30, tts: Some(1.0) };
        let _ = simulator.montecarlo(&outage, &run, &|_| {});
    }
});
