//! Properties of the stress test on random networks: PI = 0 exactly when TTS ≥ TTR,
//! monotonicity in disruption and inventory, and independence from order and threads.

use lifeline_generate::TieredConfig;
use lifeline_network::{Disruption, Format, Scenario, Target, ValidatedNetwork};
use lifeline_stress::{Report, StressConfig};
use proptest::prelude::*;

/// A small random network with sites, platforms and BOM ratios ≠ 1.
fn random_network(
    seed: u64,
    tiers: Vec<usize>,
    inventory_boost: Option<(usize, f64)>,
) -> ValidatedNetwork {
    let mut config = TieredConfig::new(tiers, seed);
    config.sites = 2;
    config.platforms = 2;
    config.bom_ratios = true;
    config.horizon = 60.0;
    let mut document = match lifeline_generate::tiered(&config) {
        Ok(document) => document,
        Err(error) => panic!("{error}"),
    };
    if let Some((node, extra)) = inventory_boost {
        let nodes = document["nodes"].as_array_mut().expect("nodes");
        let count = nodes.len();
        let node = &mut nodes[node % count];
        let inventory = node["inventory"].as_f64().unwrap_or(0.0);
        node["inventory"] = serde_json::json!(inventory + extra);
    }
    let text = document.to_string();
    match lifeline_network::from_str(&text, Format::Json, std::path::Path::new("generated.json")) {
        Ok(loaded) => loaded.network,
        Err(error) => panic!("{error}"),
    }
}

fn run(network: &ValidatedNetwork, scenarios: &[Scenario], config: StressConfig) -> Report {
    match lifeline_stress::run(network, scenarios, &config, &|| {}) {
        Ok(report) => report,
        Err(error) => panic!("{error}"),
    }
}

const EXACT: StressConfig = StressConfig {
    skip_covered: false,
};

fn tiers() -> impl Strategy<Value = Vec<usize>> {
    (2usize..6, 4usize..10).prop_map(|(products, middle)| vec![products, middle, middle * 2])
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_loss_exactly_when_tts_covers_ttr(seed in 0u64..10_000, tiers in tiers()) {
        let network = random_network(seed, tiers, None);
        let report = run(&network, &network.scenarios(), EXACT);
        for s in &report.scenarios {
            let (Some(ttr), Some(pi)) = (s.ttr, s.performance_impact) else { continue };
            if (s.tts - ttr).abs() <= 1e-6 * ttr.max(1.0) {
                continue; // on the boundary either answer is within tolerance
            }
            prop_assert_eq!(pi <= 1e-6, s.tts >= ttr, "{}: PI {} TTS {} TTR {}", s.id, pi, s.tts, ttr);
        }
    }

    #[test]
    fn disrupting_more_never_helps(seed in 0u64..10_000, tiers in tiers(), factor in 0.0f64..1.0) {
        let network = random_network(seed, tiers, None);
        let base = network.scenarios();
        // Each scenario, then the same with a second entity partly down as well.
        let extra = base.last().map(|s| s.disrupt[0].target.clone()).unwrap_or(Target::Node(network.node(0).id.clone()));
        let worse: Vec<Scenario> = base
            .iter()
            .map(|s| {
                let mut s = s.clone();
                s.disrupt.push(Disruption { target: extra.clone(), capacity_factor: factor, profile: None, defection: None });
                s
            })
            .collect();
        let a = run(&network, &base, EXACT);
        let b = run(&network, &worse, EXACT);
        prop_assert_eq!(a.scenarios.len(), b.scenarios.len(), "one result per scenario");
        for (x, y) in a.scenarios.iter().zip(&b.scenarios) {
            let (px, py) = (x.performance_impact.unwrap_or(0.0), y.performance_impact.unwrap_or(0.0));
            prop_assert!(py >= px - 1e-6 * px.max(1.0), "{}: PI fell from {} to {}", x.id, px, py);
            prop_assert!(y.tts <= x.tts + 1e-6 * x.tts.max(1.0), "{}: TTS rose from {} to {}", x.id, x.tts, y.tts);
        }
    }

    #[test]
    fn more_inventory_never_shortens_survival(seed in 0u64..10_000, tiers in tiers(), node in 0usize..1000, extra in 1.0f64..5000.0) {
        let before = random_network(seed, tiers.clone(), None);
        let after = random_network(seed, tiers, Some((node, extra)));
        let a = run(&before, &before.scenarios(), EXACT);
        let b = run(&after, &after.scenarios(), EXACT);
        prop_assert!(b.baseline_tts >= a.baseline_tts - 1e-6 * a.baseline_tts.max(1.0));
        prop_assert_eq!(a.scenarios.len(), b.scenarios.len(), "one result per scenario");
        for (x, y) in a.scenarios.iter().zip(&b.scenarios) {
            prop_assert!(y.tts >= x.tts - 1e-6 * x.tts.max(1.0), "{}: TTS fell from {} to {}", x.id, x.tts, y.tts);
            let (px, py) = (x.performance_impact.unwrap_or(0.0), y.performance_impact.unwrap_or(0.0));
            prop_assert!(py <= px + 1e-6 * px.max(1.0), "{}: PI rose from {} to {}", x.id, px, py);
        }
    }

    #[test]
    fn skipping_covered_scenarios_changes_no_number(seed in 0u64..10_000, tiers in tiers()) {
        let network = random_network(seed, tiers, None);
        let scenarios = network.scenarios();
        let fast = run(&network, &scenarios, StressConfig::default());
        let exact = run(&network, &scenarios, EXACT);
        prop_assert_eq!(fast.scenarios.len(), exact.scenarios.len(), "one result per scenario");
        for (x, y) in fast.scenarios.iter().zip(&exact.scenarios) {
            prop_assert!(close(x.tts, y.tts));
            prop_assert!(close(x.performance_impact.unwrap_or(0.0), y.performance_impact.unwrap_or(0.0)));
        }
    }
}

/// Results do not depend on scenario order or thread count, to the last bit.
#[test]
fn results_are_independent_of_order_and_threads() {
    let network = random_network(11, vec![20, 50, 100], None);
    let scenarios = network.scenarios();
    let mut reversed = scenarios.clone();
    reversed.reverse();
    let pool = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool")
    };
    let one = pool(1).install(|| run(&network, &scenarios, StressConfig::default()));
    let two = pool(2).install(|| run(&network, &reversed, StressConfig::default()));
    let mut two_sorted = two.scenarios.clone();
    two_sorted.reverse();
    assert_eq!(one.scenarios.len(), two_sorted.len());
    for (a, b) in one.scenarios.iter().zip(&two_sorted) {
        assert_eq!(
            a, b,
            "scenario {} differs between 1 thread in order and 2 threads reversed",
            a.id
        );
    }
    assert_eq!(one.baseline_tts.to_bits(), two.baseline_tts.to_bits());
}

/// A scenario's result does not depend on the other scenarios of the run, to the last
/// bit: a sweep cut into chunks gives each scenario the numbers, losses and plan of the
/// whole sweep (only REI, relative to the run's worst, may differ). This is what lets a
/// sweep be spread over processes and merged.
#[test]
fn each_scenario_is_independent_of_the_rest_of_the_run() {
    let network = random_network(11, vec![20, 50, 100], None);
    let scenarios = network.scenarios();
    let whole = run(&network, &scenarios, StressConfig::default());
    let losing = whole
        .scenarios
        .iter()
        .filter(|s| s.performance_impact.is_some_and(|pi| pi > 0.0))
        .count();
    assert!(
        losing >= 3,
        "the network must have scenarios that lose demand ({losing})"
    );
    let without_rei = |s: &lifeline_stress::ScenarioResult| lifeline_stress::ScenarioResult {
        rei: None,
        quadrant: None,
        ..s.clone()
    };
    for chunk in [1, 7, 40] {
        let mut start = 0;
        for part in scenarios.chunks(chunk) {
            let report = run(&network, part, StressConfig::default());
            for (i, result) in report.scenarios.iter().enumerate() {
                assert_eq!(
                    without_rei(result),
                    without_rei(&whole.scenarios[start + i]),
                    "scenario {} differs when run in chunks of {chunk}",
                    result.id
                );
            }
            start += part.len();
        }
    }
}

/// A `Baseline` kept across runs (as the Python package and a Ray worker keep one) gives
/// every run the report `run` gives, to the bit, whichever runs came before it: its lazily
/// filled undisrupted TTR optima are the same whoever asks first.
#[test]
fn a_kept_baseline_gives_the_reports_of_fresh_runs() {
    let network = std::sync::Arc::new(random_network(11, vec![20, 50, 100], None));
    let scenarios = network.scenarios();
    let baseline = match lifeline_stress::Baseline::solve(network.clone()) {
        Ok(baseline) => baseline,
        Err(error) => panic!("{error}"),
    };
    let kept = |part: &[Scenario], config: StressConfig| match baseline.run(part, &config, &|| {}) {
        Ok(report) => report,
        Err(error) => panic!("{error}"),
    };
    // The last chunk first, so the kept optima come in another order than in one run.
    let chunks: Vec<&[Scenario]> = scenarios.chunks(9).rev().collect();
    for config in [StressConfig::default(), EXACT] {
        for part in &chunks {
            assert_eq!(kept(part, config), run(&network, part, config));
        }
        assert_eq!(kept(&scenarios, config), run(&network, &scenarios, config));
    }
}
