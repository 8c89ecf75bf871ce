//! The worked example of the network format spec, to 1e-6.

use lifeline_stress::StressConfig;

use crate::{network, stress};

/// (id, performance impact, REI, TTS)
fn check(name: &str, config: StressConfig, baseline: f64, expected: &[(&str, f64, f64, f64)]) {
    let report = stress(&network(name), config);
    assert!(
        (report.baseline_tts - baseline).abs() <= 1e-6,
        "baseline {}",
        report.baseline_tts
    );
    assert_eq!(report.scenarios.len(), expected.len());
    for (scenario, &(id, pi, rei, tts)) in report.scenarios.iter().zip(expected) {
        assert_eq!(scenario.id, id);
        let got_pi = scenario.performance_impact.unwrap_or(f64::NAN);
        let got_rei = scenario.rei.unwrap_or(f64::NAN);
        assert!(
            (got_pi - pi).abs() <= 1e-6 * pi.max(1.0),
            "{id}: PI {got_pi} != {pi}"
        );
        assert!(
            (got_rei - rei).abs() <= 1e-4,
            "{id}: REI {got_rei} != {rei}"
        );
        assert!(
            (scenario.tts - tts).abs() <= 1e-6 * tts,
            "{id}: TTS {} != {tts}",
            scenario.tts
        );
    }
}

const TOY: &[(&str, f64, f64, f64)] = &[
    ("S1", 0.0, 0.0, 2.25),
    ("S2", 125_000.0, 0.4545, 1.285_714_285_714),
    ("S3", 275_000.0, 1.0, 0.9),
];

#[test]
fn toy_matches_the_spec_table() {
    check("toy.json", StressConfig::default(), 999.0, TOY);
}

#[test]
fn toy_matches_without_skipping_covered_scenarios() {
    check(
        "toy.json",
        StressConfig {
            skip_covered: false,
        },
        999.0,
        TOY,
    );
}

#[test]
fn toy_losses_fall_on_the_cheaper_hospital() {
    let report = stress(&network("toy.json"), StressConfig::default());
    let s3 = &report.scenarios[2];
    assert_eq!(s3.lost_units.0.len(), 1);
    assert_eq!(s3.lost_units.0[0].0, "P1");
    assert!((s3.lost_units.0[0].1 - 55.0).abs() < 1e-6);
    assert!(report.baseline_tts_capped);
    // The rerouting plan ships the surviving capacity (45 + 45... over 2 days) to P1 and P2.
    let shipped: f64 = s3
        .reallocation
        .iter()
        .filter(|s| !s.from_disrupted)
        .map(|s| s.units)
        .sum();
    assert!((shipped - 150.0).abs() < 1e-6, "shipped {shipped}");
}

/// A hospital with no stock whose only source goes down cannot survive at all: TTS is 0
/// (the TTS program in rate form is infeasible), and it loses its whole demand.
#[test]
fn no_stock_and_no_source_survives_zero_days() {
    let network = crate::network_from_json(
        r#"{"format": "lifeline-network/1", "horizon": 30,
            "nodes": [{"id": "S", "capacity": 10, "ttr": 3},
                      {"id": "H", "demand": 5, "value": 2, "capacity": 100}],
            "edges": [{"from": "S", "to": "H"}]}"#,
    );
    for config in [
        StressConfig::default(),
        StressConfig {
            skip_covered: false,
        },
    ] {
        let report = stress(&network, config);
        assert_eq!(report.baseline_tts, 30.0);
        assert!(report.baseline_tts_capped);
        let s = &report.scenarios[0];
        assert_eq!(s.tts, 0.0);
        assert_eq!(s.performance_impact, Some(30.0));
        assert_eq!(s.lost_units.0, vec![("H".to_owned(), 15.0)]);
        assert_eq!(s.gap, Some(-3.0));
    }
}
