//! Allocation rules, backorders and rationing on small networks worked by hand.

use serde_json::json;

use crate::{network, simulate};

/// S makes 10 a day (no stock) for two hospitals of demand 10 each with one day of cover,
/// lead time 1: S can serve only half of what is asked, every day.
fn two_hospitals(allocation: &str) -> serde_json::Value {
    json!({
        "format": "lifeline-network/1",
        "nodes": [
            {"id": "S", "capacity": 10, "allocation": allocation},
            {"id": "H1", "kind": "hospital", "demand": 10, "inventory": 10, "value": 5},
            {"id": "H2", "kind": "hospital", "demand": 10, "inventory": 10, "value": 1}
        ],
        "edges": [{"from": "S", "to": "H1", "lead_time": 1}, {"from": "S", "to": "H2", "lead_time": 1}],
        "scenarios": [{"id": "none", "ttr": 1, "disrupt": [{"node": "S", "capacity_factor": 1}]}]
    })
}

#[test]
fn proportional_shares_short_stock_evenly() {
    let report = simulate(&network(&two_hospitals("proportional")), "none", 30);
    // From day 1 each hospital receives 5 against 10: short 5 a day for 29 days.
    for h in &report.demand_nodes {
        assert_eq!(h.first_stockout_day, Some(1), "{h:?}");
        assert_eq!(h.shortage_days, 29, "{h:?}");
        assert!((h.unmet_units - 145.0).abs() < 1e-9, "{h:?}");
    }
}

#[test]
fn criticality_serves_the_most_critical_first() {
    let report = simulate(&network(&two_hospitals("criticality")), "none", 30);
    let (h1, h2) = (&report.demand_nodes[0], &report.demand_nodes[1]);
    assert_eq!(h1.shortage_days, 0, "{h1:?}");
    assert_eq!(h2.shortage_days, 29, "{h2:?}");
    assert!((h2.unmet_units - 290.0).abs() < 1e-9, "{h2:?}");
    assert!((report.totals.loss - 290.0).abs() < 1e-9);
}

#[test]
fn backorders_are_served_late_not_lost() {
    let doc = |unmet: &str| {
        json!({
            "format": "lifeline-network/1",
            "nodes": [
                {"id": "S"},
                {"id": "H", "demand": 10, "inventory": 30, "unmet": unmet}
            ],
            "edges": [{"from": "S", "to": "H", "lead_time": 1}],
            "scenarios": [{"id": "down", "ttr": 6, "start": 2, "disrupt": [{"node": "S"}]}]
        })
    };
    let lost = simulate(&network(&doc("lost")), "down", 40);
    let late = simulate(&network(&doc("backorder")), "down", 40);
    // Both run short D + L − k = 6 + 1 − 3 = 4 days, from day start + k = 5, and the same
    // 40 units go unserved on the day they are needed.
    for report in [&lost, &late] {
        let h = &report.demand_nodes[0];
        assert_eq!(h.shortage_days, 4, "{h:?}");
        assert_eq!(h.first_stockout_day, Some(5), "{h:?}");
        assert!((h.unmet_units - 40.0).abs() < 1e-9, "{h:?}");
    }
    // With backorders every unit of demand is eventually consumed; lost sales lose 40.
    let consumed =
        |r: &lifeline_sim::SimReport| r.series.as_ref().expect("series").ledger[39].consumed;
    assert!(
        (consumed(&late) - 400.0).abs() < 1e-9,
        "{}",
        consumed(&late)
    );
    assert!(
        (consumed(&lost) - 360.0).abs() < 1e-9,
        "{}",
        consumed(&lost)
    );
}

#[test]
fn rationing_caps_each_kind_at_its_share_of_normal_flow() {
    // The plant has plenty but runs at 90% from day 0 for 20 days, which starts its
    // rationing: hospitals get at most 40% of their normal 10 a day, distributors 10%.
    let doc = json!({
        "format": "lifeline-network/1",
        "nodes": [
            {"id": "P", "capacity": 100, "allocation": {"shares": [
                {"from_day": 0, "shares": {"hospital": 0.4, "distributor": 0.1}},
                {"from_day": 10, "shares": {}}]}},
            {"id": "H", "kind": "hospital", "demand": 10, "inventory": 20}
        ],
        "edges": [{"from": "P", "to": "H", "lead_time": 1}],
        "scenarios": [{"id": "flood", "ttr": 20, "disrupt": [{"node": "P", "capacity_factor": 0.9}]}]
    });
    let report = simulate(&network(&doc), "flood", 40);
    let h = &report.demand_nodes[0];
    // Receives 4 a day from day 1 (shipped days 0–9): stock 20 − 10 on day 0, then falls
    // 6 a day: 4 left after day 1, short from day 2 (4 + 4 − 10 = −2), 6 a day from day 3
    // until the rationing ends on day 10 and the backlog arrives on day 11.
    assert_eq!(h.first_stockout_day, Some(2), "{h:?}");
    assert_eq!(h.shortage_days, 9, "{h:?}");
    assert!((h.unmet_units - (2.0 + 6.0 * 8.0)).abs() < 1e-9, "{h:?}");
}

#[test]
fn a_demand_node_without_suppliers_makes_what_it_needs_and_plots() {
    // Found by fuzzing: such a node made an unbounded stock, and the plot of it never
    // finished. As in the stress test, it makes what it needs, within its capacity.
    let doc = json!({
        "format": "lifeline-network/1",
        "nodes": [
            {"id": "S", "ttr": 2},
            {"id": "P", "demand": 50, "inventory": 25},
            {"id": "Q", "demand": 10, "capacity": 4}
        ],
        "edges": []
    });
    let net = network(&doc);
    let report = simulate(&net, "S", 40);
    let p = &report.demand_nodes[0];
    assert_eq!(p.shortage_days, 0, "{p:?}");
    let q = &report.demand_nodes[1];
    assert_eq!(q.shortage_days, 40, "{q:?}");
    assert!((q.unmet_units - 6.0 * 40.0).abs() < 1e-9, "{q:?}");
    let series = report.series.as_ref().expect("series");
    assert!(series.stock.iter().flatten().all(|s| s.is_finite()));
    let svg = lifeline_sim::plot::svg(&report, 4).expect("plot");
    assert!(svg.contains("<svg"));
}

#[test]
fn results_do_not_depend_on_the_order_nodes_are_listed_in() {
    // Reported by the peer cross-check: a warehouse listed before its retailer ordered
    // before seeing the retailer's order of the day.
    let nodes = [
        json!({"id": "R", "demand": 10, "inventory": 20, "policy": {"type": "base_stock", "level": 20}}),
        json!({"id": "W", "inventory": 20, "policy": {"type": "base_stock", "level": 20}}),
        json!({"id": "S"}),
    ];
    let doc = |order: [usize; 3]| {
        json!({
            "format": "lifeline-network/1",
            "nodes": order.iter().map(|&i| nodes[i].clone()).collect::<Vec<_>>(),
            "edges": [{"from": "S", "to": "W", "lead_time": 1}, {"from": "W", "to": "R", "lead_time": 1}],
            "scenarios": [{"id": "w", "ttr": 3, "start": 5, "disrupt": [{"node": "W"}]}]
        })
    };
    let reference = simulate(&network(&doc([0, 1, 2])), "w", 20);
    for order in [[1, 0, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]] {
        let other = simulate(&network(&doc(order)), "w", 20);
        assert_eq!(other.demand_nodes, reference.demand_nodes, "{order:?}");
    }
    // W, down on days 5–7, still ships its stock; R runs short one day, on day 8.
    let r = &reference.demand_nodes[0];
    assert_eq!(
        (r.first_stockout_day, r.shortage_days),
        (Some(8), 1),
        "{r:?}"
    );
}
