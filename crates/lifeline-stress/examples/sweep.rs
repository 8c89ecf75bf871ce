//! Times a sweep of a network's own scenarios with nothing but this crate and the
//! network reader: `cargo run --release -p lifeline-stress --example sweep -- NET.json
//! [--pairs]`.
//! It prints the time of each phase and the report's headline; the CLI
//! (`lifeline stress`) is what users run.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: sweep NETWORK.json [--pairs]")?;
    let pairs = std::env::args().nth(2).as_deref() == Some("--pairs");
    let started = Instant::now();
    let loaded = lifeline_network::load(std::path::Path::new(&path))
        .map_err(|error| format!("{path}: {error}"))?;
    let network = loaded.network;
    let scenarios = network.scenarios();
    let loaded_in = started.elapsed().as_secs_f64();
    let swept = Instant::now();
    let report = lifeline_stress::run(
        &network,
        &scenarios,
        &lifeline_stress::StressConfig::default(),
        &|| {},
    )?;
    let lost = report
        .scenarios
        .iter()
        .filter(|s| s.performance_impact.is_some_and(|pi| pi > 0.0))
        .count();
    println!(
        "{} scenarios ({lost} lose demand), baseline TTS {}: load {loaded_in:.2} s, sweep {:.2} s",
        report.scenarios.len(),
        report.baseline_tts,
        swept.elapsed().as_secs_f64()
    );
    if pairs {
        let started = Instant::now();
        let report = lifeline_stress::pairs::run(
            &network,
            &scenarios,
            &lifeline_stress::StressConfig::default(),
            &|_| {},
        )?;
        println!(
            "pairs: {:?}; {} with an excess; {:.2} s",
            report.screened,
            report.pairs.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
