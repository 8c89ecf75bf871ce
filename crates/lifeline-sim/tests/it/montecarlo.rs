//! Monte Carlo against closed forms: with a sole source down for a lognormal duration X
//! (rounded up to whole days) and lead time L, a hospital with k days of cover runs short
//! exactly when ⌈X⌉ + L > k, i.e. with probability 1 − F(k − L).

use lifeline_network::Target;
use lifeline_sim::{Distribution, MonteCarlo, Outage, Simulator};

use crate::{network, sole_source};

fn check(duration: &str, k: u32, lead: u32, replications: u32, seed: u64) {
    let net = network(&sole_source(40.0, f64::from(k), lead, 1.0, 0.0));
    let distribution: Distribution = duration.parse().expect("distribution");
    let outage = Outage {
        targets: vec![Target::Node("S".into())],
        capacity_factor: 0.0,
        start: Distribution::Fixed(0.0),
        duration: distribution.clone(),
        independent: false,
        downtime_cost: None,
    };
    let run = MonteCarlo {
        replications,
        seed,
        days: 400,
        tts: Some(f64::from(k - lead)),
    };
    let report = Simulator::new(&net).montecarlo(&outage, &run, &|_| {});
    let h = &report.demand_nodes[0];
    let expected = 1.0 - distribution.cdf(f64::from(k - lead));
    // The reported 95% interval misses the truth one time in twenty by design; test at
    // 99.9% (3.29 standard errors) so that the check has a false alarm rate of 1 in 1,000.
    let n = f64::from(replications);
    let se = (expected * (1.0 - expected) / n).sqrt().max(0.5 / n);
    assert!(
        (h.p_stockout - expected).abs() <= 3.29 * se,
        "{duration} k={k} L={lead}: P(stockout) = {} against {expected} (se {se})",
        h.p_stockout
    );
    let [low, high] = h.p_stockout_ci;
    assert!(low <= h.p_stockout && h.p_stockout <= high);
    assert!(
        (high - low) < 2.0 * 1.96 * se + 0.01,
        "interval [{low}, {high}]"
    );
    // The TTS comparison counts the same event: TTS = k − L < drawn duration.
    let tts = report.tts.expect("tts");
    assert_eq!(tts.p_tts_short, h.p_stockout);
}

#[test]
fn p_stockout_matches_the_lognormal_cdf() {
    check("lognormal:2.3,1.0", 14, 2, 4000, 7);
    check("ransomware-recovery", 30, 1, 4000, 11);
    check("ransomware-downtime", 7, 3, 4000, 12);
    check("lognormal:1.5,0.4", 5, 1, 2000, 99);
}

#[test]
fn fixed_and_empirical_durations() {
    check("empirical:3@0.5,20@0.5", 10, 1, 2000, 5);
    check("fixed:8", 10, 1, 200, 1);
}

#[test]
fn shortage_day_quantiles_follow_the_duration() {
    // Shortage days are max(0, ⌈X⌉ + L − k): their median is that of ⌈X⌉ shifted.
    let net = network(&sole_source(10.0, 5.0, 1, 1.0, 0.0));
    let outage = Outage {
        targets: vec![Target::Node("S".into())],
        capacity_factor: 0.0,
        start: Distribution::Fixed(3.0),
        duration: "lognormal:3,0.5".parse().expect("distribution"),
        independent: false,
        downtime_cost: Some(100.0),
    };
    let run = MonteCarlo {
        replications: 2001,
        seed: 3,
        days: 600,
        tts: None,
    };
    let report = Simulator::new(&net).montecarlo(&outage, &run, &|_| {});
    let h = &report.demand_nodes[0];
    let drawn = &report.outage.drawn_duration;
    assert_eq!(h.shortage_days_p50, (drawn.p50 + 1.0 - 5.0).max(0.0));
    assert_eq!(h.shortage_days_p90, (drawn.p90 + 1.0 - 5.0).max(0.0));
    // Downtime cost is 100 per outage day.
    let cost = report.totals.downtime_cost.as_ref().expect("cost");
    assert_eq!(cost.p50, 100.0 * drawn.p50);
}

/// `montecarlo_against_stress` is `montecarlo` with the stress test's time to survive of
/// the outage: a hospital with k days of cover behind a sole source survives k days.
#[test]
fn monte_carlo_against_the_stress_test_uses_its_time_to_survive() {
    for (k, factor) in [(5.0, 0.0), (12.0, 0.0), (6.0, 0.5)] {
        let net = network(&sole_source(40.0, k, 2, 1.0, 0.0));
        let outage = Outage {
            targets: vec![Target::Node("S".into())],
            capacity_factor: factor,
            start: Distribution::Fixed(0.0),
            duration: "lognormal:2.0,0.8".parse().expect("distribution"),
            independent: false,
            downtime_cost: Some(100.0),
        };
        let tts = outage
            .time_to_survive(&net)
            .expect("the stress test solves")
            .expect("one scenario, one result");
        // Half capacity with no limit on the supplier's capacity still covers demand.
        let expected = if factor == 0.0 { k } else { 365.0 };
        assert!(
            (tts - expected).abs() < 1e-6,
            "k={k} factor={factor}: TTS {tts}"
        );
        let run = MonteCarlo {
            replications: 200,
            seed: 7,
            days: 120,
            tts: None,
        };
        let simulator = Simulator::new(&net);
        let composed = simulator
            .montecarlo_against_stress(&outage, &run, &|_| {})
            .expect("the stress test solves");
        let by_hand = simulator.montecarlo(
            &outage,
            &MonteCarlo {
                tts: Some(tts),
                ..run
            },
            &|_| {},
        );
        assert_eq!(composed, by_hand);
        assert_eq!(composed.tts.as_ref().map(|t| t.tts), Some(expected));
    }
}

/// The outage's scenario: every target at the outage's factor, with its cost.
#[test]
fn an_outage_is_one_scenario() {
    let outage = Outage {
        targets: vec![Target::Node("S".into()), Target::Site("Plant".into())],
        capacity_factor: 0.25,
        start: Distribution::Fixed(0.0),
        duration: Distribution::Fixed(3.0),
        independent: true,
        downtime_cost: Some(9.0),
    };
    let scenario = outage.scenario("x", Some(3.0), Some(1.0));
    assert_eq!(scenario.id, "x");
    assert_eq!((scenario.ttr, scenario.start), (Some(3.0), Some(1.0)));
    assert_eq!(scenario.downtime_cost, Some(9.0));
    let targets: Vec<_> = scenario.disrupt.iter().map(|d| d.target.clone()).collect();
    assert_eq!(targets, outage.targets);
    assert!(
        scenario
            .disrupt
            .iter()
            .all(|d| d.capacity_factor == 0.25 && d.profile.is_none() && d.defection.is_none())
    );
}
