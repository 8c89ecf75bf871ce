//! Agreement with the independent Python oracle (`tools/stress_oracle.py`, HiGHS through
//! `highspy`) on generated networks with sites, platforms, BOM ratios ≠ 1 and partial
//! disruptions, of both generator presets: PI and TTS to 1e-6 relative.
//!
//! The oracle needs Python with `highspy`. Where it is missing the test says so and
//! passes, unless `LIFELINE_REQUIRE_ORACLE=1` (set by CI), where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use lifeline_generate::{Preset, TieredConfig};
use lifeline_stress::StressConfig;
use serde_json::Value;

use crate::{network_from_json, stress};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub(crate) fn oracle_available() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import highspy"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            std::env::var_os("LIFELINE_REQUIRE_ORACLE").is_none(),
            "LIFELINE_REQUIRE_ORACLE is set but python3 with highspy is not available"
        );
        eprintln!("skipping the oracle comparison: python3 with highspy is not available");
    }
    found
}

/// The oracle's report on `document`, for its own scenarios or for `scenarios` (a
/// `{"scenarios": [...]}` document) in their place.
pub(crate) fn oracle(document: &str, scenarios: Option<&Value>, name: &str) -> Value {
    let stem = std::env::temp_dir().join(format!("lifeline-oracle-{}-{name}", std::process::id()));
    let path = stem.with_extension("json");
    let scenarios_path = stem.with_extension("scenarios.json");
    std::fs::write(&path, document).expect("write the temporary network");
    let mut command = Command::new("python3");
    command
        .arg(repo_root().join("tools/stress_oracle.py"))
        .arg(&path);
    if let Some(scenarios) = scenarios {
        std::fs::write(&scenarios_path, scenarios.to_string())
            .expect("write the temporary scenarios");
        command.arg("--scenarios").arg(&scenarios_path);
    }
    let output = command.output().expect("run the oracle");
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&scenarios_path);
    assert!(
        output.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("oracle JSON")
}

fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1.0)
}

fn check(config: &TieredConfig, name: &str) {
    let document = lifeline_generate::tiered(config)
        .expect("generate")
        .to_string();
    let expected = oracle(&document, None, name);
    let network = network_from_json(&document);
    for skip_covered in [true, false] {
        let report = stress(&network, StressConfig { skip_covered });
        let baseline = expected["baseline_tts"].as_f64().expect("baseline_tts");
        assert!(
            relative(report.baseline_tts, baseline) <= 1e-6,
            "{name}: baseline {} vs {baseline}",
            report.baseline_tts
        );
        let oracle_scenarios = expected["scenarios"].as_array().expect("scenarios");
        assert_eq!(
            report.scenarios.len(),
            oracle_scenarios.len(),
            "{name}: scenario count"
        );
        let mut losing = 0;
        for (ours, theirs) in report.scenarios.iter().zip(oracle_scenarios) {
            assert_eq!(ours.id, theirs["id"].as_str().unwrap_or_default());
            let tts = theirs["tts"].as_f64().expect("tts");
            assert!(
                relative(ours.tts, tts) <= 1e-6,
                "{name} {}: TTS {} vs oracle {tts}",
                ours.id,
                ours.tts
            );
            let pi = theirs["performance_impact"].as_f64();
            match (ours.performance_impact, pi) {
                (Some(a), Some(b)) => {
                    assert!(
                        relative(a, b) <= 1e-6,
                        "{name} {}: PI {a} vs oracle {b}",
                        ours.id
                    );
                    losing += usize::from(b > 0.0);
                }
                (a, b) => assert_eq!(a, b, "{name} {}: PI presence", ours.id),
            }
        }
        assert!(
            losing > 0,
            "{name}: a useful comparison needs some scenarios that lose demand"
        );
    }
}

#[test]
fn agrees_with_the_oracle_on_rich_networks() {
    if !oracle_available() {
        return;
    }
    let mut sweep = TieredConfig::new(vec![10, 25, 50], 3);
    sweep.sites = 4;
    sweep.platforms = 3;
    sweep.bom_ratios = true;
    check(&sweep, "sweep");

    let mut partial = TieredConfig::new(vec![10, 25, 50], 8);
    partial.sites = 3;
    partial.platforms = 2;
    partial.bom_ratios = true;
    partial.partial_scenarios = 30;
    partial.spend = true;
    check(&partial, "partial");

    check(&TieredConfig::new(vec![20, 50, 100], 9), "plain");
}

/// The realistic preset: capacities short of the demand carried on some nodes (a finite
/// baseline TTS within the TTR range), thin inventories and single-sourced materials, so
/// that many scenarios lose demand and the LPs have binding inventories and capacities.
#[test]
fn agrees_with_the_oracle_on_a_small_realistic_network() {
    if !oracle_available() {
        return;
    }
    let config = TieredConfig::scaled(170, 5).with_preset(Preset::Realistic);
    check(&config, "realistic");

    let mut rich = TieredConfig::scaled(170, 6).with_preset(Preset::Realistic);
    rich.sites = 6;
    rich.platforms = 3;
    rich.bom_ratios = true;
    check(&rich, "realistic-rich");
}
