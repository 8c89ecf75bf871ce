//! Every network that validates can be solved (issue 21): numbers at the ends of the
//! ranges lifeline-network accepts reach HiGHS as finite bounds and coefficients, and the
//! sweep answers instead of failing with "HiGHS rejected the LP".

use lifeline_network::{
    MAX_DAYS, MAX_MONEY, MAX_QUANTITY, MAX_RATIO, MAX_VALUE, MIN_RATIO, MIN_VALUE, MIN_WINDOW,
};
use lifeline_stress::StressConfig;

use crate::{network_from_json, stress};

/// A two-tier network with the given horizon, quantities, value, ratio and TTRs.
fn extreme(horizon: f64, quantity: f64, value: f64, ratio: f64, ttrs: [f64; 3]) -> String {
    serde_json::json!({
        "format": "lifeline-network/1",
        "horizon": horizon,
        "nodes": [
            {"id": "API", "capacity": quantity, "inventory": quantity, "ttr": ttrs[0], "spend": MAX_MONEY},
            {"id": "Plant", "capacity": quantity, "inventory": 0, "bom": {"API": ratio}, "ttr": ttrs[1]},
            {"id": "H", "demand": quantity, "inventory": quantity, "value": value}
        ],
        "edges": [
            {"from": "API", "to": "Plant", "lead_time": MAX_DAYS},
            {"from": "Plant", "to": "H"}
        ],
        "scenarios": [
            {"id": "both", "ttr": ttrs[2], "downtime_cost": MAX_MONEY,
             "disrupt": [{"node": "API"}, {"node": "Plant", "capacity_factor": 0.5}]},
            {"id": "api", "ttr": ttrs[0], "disrupt": [{"node": "API"}]}
        ]
    })
    .to_string()
}

#[test]
fn numbers_at_the_ends_of_their_ranges_solve() {
    for horizon in [MIN_WINDOW, 1.0, MAX_DAYS] {
        for quantity in [0.0, 1.0, MAX_QUANTITY] {
            for value in [MIN_VALUE, MAX_VALUE] {
                for ratio in [MIN_RATIO, MAX_RATIO] {
                    for ttrs in [[MIN_WINDOW, 0.0, MAX_DAYS], [MAX_DAYS, MIN_WINDOW, 0.0]] {
                        let text = extreme(horizon, quantity, value, ratio, ttrs);
                        let network = network_from_json(&text);
                        for skip_covered in [true, false] {
                            let report = stress(&network, StressConfig { skip_covered });
                            assert_eq!(report.scenarios.len(), 2);
                            for scenario in &report.scenarios {
                                assert!(
                                    scenario.tts.is_finite()
                                        && scenario.performance_impact.is_some_and(f64::is_finite),
                                    "{text}: {scenario:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A `ttr` of 0 is a window of no time: nothing is lost (the rate form cannot divide by it).
#[test]
fn a_ttr_of_zero_loses_nothing() {
    let text = extreme(365.0, 10.0, 1.0, 1.0, [0.0, 0.0, 0.0]);
    let network = network_from_json(&text);
    for skip_covered in [true, false] {
        let report = stress(&network, StressConfig { skip_covered });
        for scenario in &report.scenarios {
            assert_eq!(scenario.performance_impact, Some(0.0), "{scenario:?}");
        }
    }
}
