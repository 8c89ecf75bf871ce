//! The spec's closed form: one hospital with inventory k·d, a sole source fully down for D
//! days and lead time L ≥ 1 runs short exactly max(0, D + L − k) days.

use crate::{network, simulate, sole_source};

fn check(d: f64, k: u32, lead: u32, down: u32, start: u32) {
    let net = network(&sole_source(
        d,
        f64::from(k),
        lead,
        f64::from(down),
        f64::from(start),
    ));
    let days = start + down + lead + k + 30;
    let report = simulate(&net, "down", days);
    let h = &report.demand_nodes[0];
    // Before the outage the hospital is replenished every day; a lead time longer than its
    // cover means it also runs short at the very start, which this formula does not cover.
    let expected = (i64::from(down) + i64::from(lead) - i64::from(k)).max(0);
    assert_eq!(
        i64::from(h.shortage_days),
        expected,
        "d={d} k={k} L={lead} D={down} start={start}: {h:?}"
    );
    if expected > 0 {
        assert_eq!(h.first_stockout_day, Some(start + k), "{h:?}");
        let unmet = h.unmet_units;
        assert!((unmet - d * expected as f64).abs() < 1e-6 * d, "{h:?}");
        assert_eq!(h.days_of_supply_at_start, Some(f64::from(k)));
    } else {
        assert_eq!(h.first_stockout_day, None);
        assert_eq!(h.unmet_units, 0.0);
    }
}

#[test]
fn shortage_days_follow_d_plus_l_minus_k() {
    for k in [1, 2, 3, 7, 14] {
        for lead in [1, 2, 5] {
            if lead > k {
                continue;
            }
            for down in [0, 1, 3, 10, 30] {
                for start in [0, 4] {
                    check(100.0, k, lead, down, start);
                }
            }
        }
    }
}

#[test]
fn fractional_demand_and_long_outages() {
    check(2.5, 9, 3, 120, 11);
    check(0.125, 2, 1, 1, 0);
}

#[test]
fn partial_outage_of_a_sole_source_with_capacity() {
    // S makes at most 60/day and runs at half capacity for 10 days: 30 a day for a demand of
    // 50 with 4 days of cover and lead time 1.
    let doc = serde_json::json!({
        "format": "lifeline-network/1",
        "nodes": [
            {"id": "S", "capacity": 60},
            {"id": "H", "demand": 50, "inventory": 200}
        ],
        "edges": [{"from": "S", "to": "H", "lead_time": 1}],
        "scenarios": [{"id": "half", "ttr": 10,
                       "disrupt": [{"node": "S", "capacity_factor": 0.5}]}]
    });
    let report = simulate(&network(&doc), "half", 60);
    let h = &report.demand_nodes[0];
    // Worked by hand: the hospital receives 30 a day from day 1 against a demand of 50, so
    // its stock falls 20 a day (150 after day 0, 10 after day 7). Days 8 and 9 it has
    // 40 and 30: short 10 and 20. Day 10 it still receives day 9's 30: short 20. From day
    // 11, S ships 60 a day and the hospital is covered again.
    assert_eq!(h.first_stockout_day, Some(8), "{h:?}");
    assert_eq!(h.shortage_days, 3, "{h:?}");
    assert!((h.unmet_units - 50.0).abs() < 1e-9, "{h:?}");
}
