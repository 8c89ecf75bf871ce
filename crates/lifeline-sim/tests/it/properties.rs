//! Invariants on generated networks: no disruption and enough stock means no shortage;
//! units are conserved every day; disrupting more never helps; results do not depend on
//! the thread count.

use lifeline_network::{Disruption, Scenario, Target};
use lifeline_sim::{SimOptions, Simulator};
use proptest::prelude::*;
use serde_json::{Value, json};

/// A random two-tier network: `sources` suppliers → `dcs` distribution centres (each fed by
/// every supplier) → `hospitals` demand nodes (each fed by one or two DCs); ratio-1 flows.
fn tiered(
    sources: usize,
    dcs: usize,
    hospitals: &[(f64, f64, usize)],
    leads: &[u32],
    dc_capacity: f64,
) -> Value {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for s in 0..sources {
        nodes.push(json!({"id": format!("S{s}"), "material": "M", "ttr": 10}));
    }
    // Each DC keeps 8 days of its outflow, and starts with 8 days of all hospitals'
    // demand: more than its lead time of at most 3 days.
    let total: f64 = hospitals.iter().map(|h| h.0).sum();
    for d in 0..dcs {
        nodes.push(
            json!({"id": format!("D{d}"), "material": "M", "capacity": dc_capacity,
                          "inventory": 8.0 * total, "ttr": 5,
                          "policy": {"type": "days_of_supply", "days": 8}}),
        );
        for s in 0..sources {
            edges.push(json!({"from": format!("S{s}"), "to": format!("D{d}"),
                              "lead_time": leads[(s + d) % leads.len()]}));
        }
    }
    for (h, &(demand, cover, first_dc)) in hospitals.iter().enumerate() {
        nodes.push(
            json!({"id": format!("H{h}"), "demand": demand, "inventory": demand * cover,
                          "policy": {"type": "days_of_supply", "days": cover}}),
        );
        let dc = first_dc % dcs;
        edges.push(
            json!({"from": format!("D{dc}"), "to": format!("H{h}"), "lead_time": 1 + h as u32 % 3}),
        );
        if h % 2 == 1 && dcs > 1 {
            let other = (dc + 1) % dcs;
            edges.push(json!({"from": format!("D{other}"), "to": format!("H{h}"), "lead_time": 2}));
        }
    }
    json!({"format": "lifeline-network/1", "nodes": nodes, "edges": edges})
}

fn hospitals() -> impl Strategy<Value = Vec<(f64, f64, usize)>> {
    prop::collection::vec((1.0..200.0f64, 4.0..12.0f64, 0..4usize), 1..12)
}

fn scenario(disrupt: Vec<(Target, f64)>, ttr: f64, start: f64) -> Scenario {
    Scenario {
        id: "s".into(),
        ttr: Some(ttr),
        disrupt: disrupt
            .into_iter()
            .map(|(target, capacity_factor)| Disruption {
                target,
                capacity_factor,
                profile: None,
                defection: None,
            })
            .collect(),
        start: Some(start),
        downtime_cost: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn enough_stock_and_no_disruption_means_no_shortage(
        sources in 1..3usize, dcs in 1..4usize, hospitals in hospitals(), leads in prop::collection::vec(0..4u32, 1..4)
    ) {
        // Cover of at least 4 days against lead times of at most 3 + 3 days upstream and
        // DCs with ample capacity: never short.
        let net = crate::network(&tiered(sources, dcs, &hospitals, &leads, 1e6));
        let report = Simulator::new(&net).run(&scenario(vec![], 0.0, 0.0), &SimOptions::days(120));
        for h in &report.demand_nodes {
            prop_assert_eq!(h.shortage_days, 0, "{:?}", h);
        }
    }

    #[test]
    fn units_are_conserved_every_day(
        sources in 1..3usize, dcs in 1..4usize, hospitals in hospitals(),
        leads in prop::collection::vec(0..4u32, 1..4), down in 0..3usize, factor in 0.0..1.0f64,
        ttr in 1.0..40.0f64, start in 0.0..20.0f64, dc_capacity in 50.0..2000.0f64
    ) {
        let net = crate::network(&tiered(sources, dcs, &hospitals, &leads, dc_capacity));
        let target = match down { 0 => Target::Node("S0".into()), 1 => Target::Node("D0".into()), _ => Target::Node(format!("D{}", dcs - 1)) };
        let report = Simulator::new(&net)
            .run(&scenario(vec![(target, factor)], ttr, start), &SimOptions::days(90).with_series());
        let series = report.series.expect("series");
        for (day, l) in series.ledger.iter().enumerate() {
            let balance = l.supplied - l.consumed - l.on_hand - l.in_transit;
            prop_assert!(balance.abs() <= 1e-6 * l.supplied.max(1.0), "day {}: {:?}", day, l);
            prop_assert!(l.on_hand >= -1e-9 && l.in_transit >= -1e-9);
        }
    }

    #[test]
    fn disrupting_more_never_helps(
        sources in 1..3usize, dcs in 2..4usize, hospitals in hospitals(),
        leads in prop::collection::vec(1..4u32, 1..4), ttr in 1.0..30.0f64, start in 0.0..10.0f64
    ) {
        // One DC down against the same DC and the other one down: no hospital is better off.
        let net = crate::network(&tiered(sources, dcs, &hospitals, &leads, 1e6));
        let sim = Simulator::new(&net);
        let one = sim.run(&scenario(vec![(Target::Node("D0".into()), 0.0)], ttr, start), &SimOptions::days(90));
        let two = sim.run(&scenario(vec![(Target::Node("D0".into()), 0.0), (Target::Node("D1".into()), 0.0)], ttr, start), &SimOptions::days(90));
        prop_assert!(two.totals.unmet_units >= one.totals.unmet_units - 1e-6,
            "one {} two {}", one.totals.unmet_units, two.totals.unmet_units);
    }
}

#[test]
fn same_seed_same_report_on_one_or_two_threads() {
    let hospitals: Vec<(f64, f64, usize)> = (0..30).map(|h| (10.0 + h as f64, 5.0, h)).collect();
    let net = crate::network(&tiered(2, 3, &hospitals, &[1, 2, 3], 400.0));
    let sim = Simulator::new(&net);
    let outage = lifeline_sim::Outage {
        targets: vec![Target::Node("D0".into()), Target::Node("S1".into())],
        capacity_factor: 0.0,
        start: "uniform:0,20".parse().expect("distribution"),
        duration: "ransomware-recovery".parse().expect("distribution"),
        independent: true,
        downtime_cost: Some(1.9e6),
    };
    let run = lifeline_sim::MonteCarlo {
        replications: 300,
        seed: 42,
        days: 180,
        tts: Some(12.0),
    };
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| sim.montecarlo(&outage, &run, &|_| {}))
    };
    let one = on(1);
    let two = on(2);
    assert_eq!(one, two);
    assert_eq!(
        serde_json::to_string(&one).expect("json"),
        serde_json::to_string(&on(2)).expect("json")
    );
    // A different seed draws differently.
    let other = lifeline_sim::MonteCarlo { seed: 43, ..run };
    assert_ne!(sim.montecarlo(&outage, &other, &|_| {}), one);
}
