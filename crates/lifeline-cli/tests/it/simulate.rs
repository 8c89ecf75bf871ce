//! `lifeline simulate` and `lifeline montecarlo` end to end, on the example networks.

use crate::{check, temp};

#[test]
fn simulate_the_baxter_ramp_table_snapshot() {
    let (out, _) = check(
        &[
            "simulate",
            "examples/iv-fluids.json",
            "--scenario",
            "examples/iv-fluids.simulate.json",
            "--days",
            "200",
        ],
        0,
    );
    insta::assert_snapshot!(out);
}

#[test]
fn simulate_json_follows_the_report_contract() {
    let (out, _) = check(
        &[
            "simulate",
            "examples/distributor-ransomware.json",
            "--scenarios",
            "examples/distributor-ransomware.simulate.json",
            "--scenario",
            "eorder-ransomware-42d",
            "--days",
            "120",
            "--format",
            "json",
        ],
        0,
    );
    let report: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(report["days"], 120);
    let nodes = report["demand_nodes"].as_array().expect("demand_nodes");
    assert!(!nodes.is_empty());
    for node in nodes {
        assert!(node["id"].is_string());
        assert!(node["first_stockout_day"].is_null() || node["first_stockout_day"].is_u64());
        assert!(node["shortage_days"].is_u64());
        assert!(node["unmet_units"].is_number());
    }
    // 42 outage days at 1.9M a day.
    assert_eq!(report["outage_days"], 42);
    assert_eq!(report["totals"]["downtime_cost"], 79_800_000.0);
}

#[test]
fn simulate_plot_series_and_csv() {
    let plot = temp("plot.svg");
    let series = temp("series.csv");
    let (out, _) = check(
        &[
            "simulate",
            "examples/iv-fluids.json",
            "--scenario",
            "examples/iv-fluids.simulate.json",
            "--days",
            "150",
            "--format",
            "csv",
            "--plot",
            plot.to_str().expect("path"),
            "--series",
            series.to_str().expect("path"),
        ],
        0,
    );
    assert!(out.starts_with("scenario,id,material,demand,value,days_of_supply_at_start"));
    assert_eq!(out.lines().count(), 1 + 24);
    let svg = std::fs::read_to_string(&plot).expect("plot written");
    assert!(svg.starts_with("<svg") && svg.contains("days of supply on hand"));
    assert!(svg.contains("out on day"), "the legend names stockout days");
    let rows = std::fs::read_to_string(&series).expect("series written");
    assert_eq!(rows.lines().count(), 1 + 150 * 24);
    assert!(
        rows.starts_with("day,node,material,on_hand,days_of_supply,unmet,lowest_capacity_factor")
    );
    let _ = std::fs::remove_file(plot);
    let _ = std::fs::remove_file(series);
}

#[test]
fn simulate_an_entity_id_runs_its_default_scenario() {
    let (out, _) = check(
        &[
            "simulate",
            "examples/blood-supplier.json",
            "--scenario",
            "rbs-central",
            "--days",
            "60",
        ],
        0,
    );
    assert!(
        out.starts_with("scenario rbs-central: 60 days simulated"),
        "{out}"
    );
}

#[test]
fn simulate_bad_scenario_exits_2_with_a_hint() {
    let (_, err) = check(
        &[
            "simulate",
            "examples/iv-fluids.json",
            "--scenario",
            "iv-plant-nx",
        ],
        2,
    );
    assert!(err.contains("no scenario `iv-plant-nx`"), "{err}");
    assert!(err.contains("did you mean `iv-plant-nc`?"), "{err}");
    let (_, err) = check(
        &[
            "simulate",
            "examples/iv-fluids.json",
            "--scenario",
            "examples/iv-fluids.scenarios.json",
        ],
        2,
    );
    assert!(err.contains("holds 7 scenarios"), "{err}");
}

#[test]
fn montecarlo_is_reproducible_and_follows_the_contract() {
    let args = [
        "montecarlo",
        "examples/distributor-ransomware.json",
        "--outage",
        "eorder-medsupply",
        "--duration",
        "ransomware-recovery",
        "--replications",
        "200",
        "--seed",
        "7",
        "--days",
        "150",
        "--format",
        "json",
    ];
    let (one, _) = check(&[&args[..], &["--threads", "1"]].concat(), 0);
    let (two, _) = check(&[&args[..], &["--threads", "2"]].concat(), 0);
    assert_eq!(
        one, two,
        "the same seed gives the same report on 1 and 2 threads"
    );
    let report: serde_json::Value = serde_json::from_str(&one).expect("json");
    assert_eq!(report["replications"], 200);
    assert_eq!(report["seed"], 7);
    for node in report["demand_nodes"].as_array().expect("demand_nodes") {
        let p = node["p_stockout"].as_f64().expect("p");
        let ci = node["p_stockout_ci"].as_array().expect("ci");
        let (low, high) = (ci[0].as_f64().expect("lo"), ci[1].as_f64().expect("hi"));
        assert!(low <= p && p <= high);
        for key in [
            "shortage_days_p50",
            "shortage_days_p90",
            "shortage_days_p99",
        ] {
            assert!(node[key].is_number(), "{key}");
        }
    }
    assert!(report["tts"]["p_tts_short"].is_number());
}

#[test]
fn montecarlo_table_and_bad_arguments() {
    let (out, _) = check(
        &[
            "montecarlo",
            "examples/iv-fluids.json",
            "--outage",
            "iv-plant-nc",
            "--duration",
            "lognormal:3.4,0.5",
            "--replications",
            "100",
            "--days",
            "200",
            "--top",
            "5",
        ],
        0,
    );
    assert!(
        out.contains("100 replications (seed 1) of iv-plant-nc down"),
        "{out}"
    );
    assert!(out.contains("P(any hospital runs short)"), "{out}");
    assert!(
        out.contains("more demand nodes (--top 0 lists all)"),
        "{out}"
    );
    let (_, err) = check(
        &[
            "montecarlo",
            "examples/iv-fluids.json",
            "--outage",
            "iv-plant-nx",
            "--duration",
            "gamma:1,2",
        ],
        2,
    );
    assert!(err.contains("did you mean `iv-plant-nc`?"), "{err}");
    assert!(err.contains("unknown distribution `gamma`"), "{err}");
}

/// A network from a hostile partner (issue 21): an id that would retitle and clear the
/// terminal is refused by every command, shown escaped; a demand of 1e308 and a horizon of
/// 1e-320 are refused by `validate` as by `stress`, naming the field, instead of failing
/// in the solver.
#[test]
fn hostile_networks_are_refused_with_escaped_values() {
    let path = temp("hostile.json");
    for (document, expected) in [
        (
            r#"{"format": "lifeline-network/1", "nodes": [{"id": "S\u001b]0;PWNED\u0007\u001b[2J", "ttr": 3}, {"id": "H", "demand": 5}], "edges": []}"#,
            r"nodes[0].id: `S\u{1b}]0;PWNED\u{7}\u{1b}[2J` holds the control or invisible character U+001B",
        ),
        (
            r#"{"format": "lifeline-network/1", "nodes": [{"id": "S", "ttr": 3}, {"id": "H", "demand": 1e308}], "edges": [{"from": "S", "to": "H"}]}"#,
            "nodes[1].demand: must be a number from 0 to 1e12, found `1e308`",
        ),
        (
            r#"{"format": "lifeline-network/1", "horizon": 1e-320, "nodes": [{"id": "S", "ttr": 3}, {"id": "H", "demand": 5}], "edges": [{"from": "S", "to": "H"}]}"#,
            "horizon: must be a number from 0.001 to 100000",
        ),
    ] {
        std::fs::write(&path, document).expect("write network");
        let path = path.to_string_lossy().into_owned();
        let (out, _) = check(&["validate", &path], 2);
        assert!(out.contains(expected), "{out}");
        let (_, err) = check(&["stress", &path], 2);
        assert!(err.contains(expected), "{err}");
        for text in [&out, &err] {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}'),
                "{text:?}"
            );
        }
    }
    let _ = std::fs::remove_file(path);
}
