//! Pairs of simultaneous outages (`lifeline_stress::pairs`): agreement with the Python
//! oracle, screened-out pairs that really have no excess, a hand-built network with a
//! positive excess, determinism and errors.

use std::collections::HashSet;

use lifeline_generate::TieredConfig;
use lifeline_network::{Scenario, Target, ValidatedNetwork};
use lifeline_stress::StressConfig;
use lifeline_stress::pairs::{self, PairsError, PairsReport, Screening, Step};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::network_from_json;
use crate::oracle::{oracle, oracle_available};

fn quiet(_: Step) {}

fn screen(network: &ValidatedNetwork, singles: &[Scenario]) -> Screening {
    match pairs::screen(network, singles, &quiet) {
        Ok(screening) => screening,
        Err(error) => panic!("{error}"),
    }
}

fn run_pairs(network: &ValidatedNetwork, singles: &[Scenario]) -> PairsReport {
    match pairs::run(network, singles, &StressConfig::default(), &quiet) {
        Ok(report) => report,
        Err(error) => panic!("{error}"),
    }
}

fn generated(config: &TieredConfig) -> (String, ValidatedNetwork) {
    let document = match lifeline_generate::tiered(config) {
        Ok(document) => document.to_string(),
        Err(error) => panic!("{error}"),
    };
    let network = network_from_json(&document);
    (document, network)
}

fn rich(tiers: Vec<usize>, seed: u64) -> TieredConfig {
    let mut config = TieredConfig::new(tiers, seed);
    config.sites = 3;
    config.platforms = 2;
    config.bom_ratios = true;
    config.horizon = 60.0;
    config
}

/// For each pair (a, b, window): the pair, the two singles and the undisrupted network at
/// the window, as scenarios (in that order, four per pair).
fn evaluation(singles: &[Scenario], pairs: &[(usize, usize, f64)]) -> Vec<Scenario> {
    pairs
        .iter()
        .flat_map(|&(a, b, t)| {
            [
                pairs::pair_scenario(&singles[a], &singles[b], t),
                pairs::single_at(&singles[a], t),
                pairs::single_at(&singles[b], t),
                pairs::undisrupted_at(t),
            ]
        })
        .collect()
}

/// Δ(AB) − Δ(A) − Δ(B) from the four performance impacts of [`evaluation`].
fn excess(impacts: &[f64]) -> f64 {
    let [joint, a, b, none] = impacts else {
        panic!("four impacts per pair");
    };
    (joint - none) - (a - none) - (b - none)
}

/// Every pair of singles with distinct targets.
fn all_pairs(singles: &[Scenario]) -> Vec<(usize, usize, f64)> {
    let mut out = Vec::new();
    for a in 0..singles.len() {
        for b in a + 1..singles.len() {
            let t = singles[a]
                .ttr
                .unwrap_or(0.0)
                .max(singles[b].ttr.unwrap_or(0.0));
            out.push((a, b, t));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    /// The screens are proofs: every pair they settle, solved anyway, has an excess ≤ 0 to
    /// 1e-9 of the largest possible loss.
    #[test]
    fn screened_out_pairs_have_no_excess(
        seed in 0u64..10_000,
        products in 2usize..5,
        middle in 4usize..8,
    ) {
        let (_, network) = generated(&rich(vec![products, middle, middle * 2], seed));
        let singles = network.scenarios();
        let screening = screen(&network, &singles);
        let counts = screening.counts;
        prop_assert_eq!(
            counts.disjoint + counts.combined_plan + counts.no_window + counts.solved,
            counts.pairs
        );
        prop_assert_eq!(counts.solved as usize, screening.to_solve.len());
        let solved: HashSet<(usize, usize)> =
            screening.to_solve.iter().map(|&(a, b, _)| (a, b)).collect();
        let screened_out: Vec<(usize, usize, f64)> = all_pairs(&singles)
            .into_iter()
            .filter(|&(a, b, _)| !solved.contains(&(a, b)))
            .collect();
        prop_assert_eq!(screened_out.len() as u64, counts.pairs - counts.solved);
        let scenarios = evaluation(&singles, &screened_out);
        let exact = StressConfig { skip_covered: false };
        let report = match lifeline_stress::run(&network, &scenarios, &exact, &|| {}) {
            Ok(report) => report,
            Err(error) => panic!("{error}"),
        };
        let impacts: Vec<f64> = report
            .scenarios
            .iter()
            .map(|s| s.performance_impact.unwrap_or(0.0))
            .collect();
        for (k, &(a, b, t)) in screened_out.iter().enumerate() {
            let excess = excess(&impacts[4 * k..4 * k + 4]);
            prop_assert!(
                excess <= pairs::noise(&network, t),
                "{} + {} at {}: excess {} screened out",
                singles[a].id, singles[b].id, t, excess
            );
        }
    }
}

/// Two hospitals, each with its own supplier, share one backup that can cover either
/// supplier but not both. Each single outage loses nothing, the two suppliers share no
/// customer, and yet together they lose 50: an excess a screen on "covered and no shared
/// customer" would have missed.
const SHARED_BACKUP: &str = r#"{
  "format": "lifeline-network/1",
  "name": "shared backup",
  "horizon": 60,
  "nodes": [
    {"id": "A", "kind": "supplier", "material": "saline", "capacity": 10, "ttr": 5},
    {"id": "B", "kind": "supplier", "material": "saline", "capacity": 10, "ttr": 5},
    {"id": "X", "kind": "supplier", "material": "saline", "capacity": 10, "ttr": 3},
    {"id": "C", "kind": "supplier", "material": "gloves", "capacity": 5, "ttr": 4},
    {"id": "D", "kind": "supplier", "material": "gloves", "capacity": 5, "ttr": 2},
    {"id": "H1", "kind": "hospital", "material": "care", "demand": 10, "value": 1},
    {"id": "H2", "kind": "hospital", "material": "care", "demand": 10, "value": 1},
    {"id": "H3", "kind": "hospital", "material": "care", "demand": 4, "value": 2}
  ],
  "edges": [
    {"from": "A", "to": "H1"}, {"from": "X", "to": "H1"},
    {"from": "B", "to": "H2"}, {"from": "X", "to": "H2"},
    {"from": "C", "to": "H3"}, {"from": "D", "to": "H3"}
  ]
}"#;

#[test]
fn a_shared_backup_shows_a_positive_excess() {
    let network = network_from_json(SHARED_BACKUP);
    let singles = network.scenarios();
    let sweep = crate::stress(&network, StressConfig::default());
    for s in &sweep.scenarios {
        assert_eq!(
            s.performance_impact,
            Some(0.0),
            "{} alone loses nothing",
            s.id
        );
    }
    let report = run_pairs(&network, &singles);
    assert_eq!(report.singles, 5);
    assert_eq!(report.screened.pairs, 10);
    let found: Vec<(&str, &str, f64, f64)> = report
        .pairs
        .iter()
        .map(|p| (p.a.as_str(), p.b.as_str(), p.window, p.excess))
        .collect();
    // A with B or X (and B with X) leave one hospital without saline for 5 days: 50.
    // C and D together leave H3 without gloves for 4 days (4 a day, value 2): 32. The
    // saline and glove suppliers never interact.
    assert_eq!(
        found,
        [
            ("A", "B", 5.0, 50.0),
            ("A", "X", 5.0, 50.0),
            ("B", "X", 5.0, 50.0),
            ("C", "D", 4.0, 32.0),
        ]
    );
    let top = &report.pairs[0];
    assert_eq!((top.impact, top.impact_a, top.impact_b), (50.0, 0.0, 0.0));
    assert_eq!(top.lost_units.0, [("H1".to_owned(), 50.0)]);
    assert_eq!(top.tts, 0.0);
    assert_eq!(
        (top.kind_a.as_str(), top.kind_b.as_str()),
        ("supplier", "supplier")
    );
    // The six saline–glove pairs touch disjoint rows.
    assert_eq!(report.screened.disjoint, 6);
    assert_eq!(report.screened.solved, 4);

    // Give the backup room for both and no pair loses more than its singles.
    let roomy = SHARED_BACKUP
        .replace(r#""capacity": 10, "ttr": 3"#, r#""capacity": 20, "ttr": 3"#)
        .replace(
            r#""capacity": 5, "ttr": 2"#,
            r#""capacity": 5, "inventory": 8, "ttr": 2"#,
        );
    let network = network_from_json(&roomy);
    let report = run_pairs(&network, &network.scenarios());
    let found: Vec<(&str, &str)> = report
        .pairs
        .iter()
        .map(|p| (p.a.as_str(), p.b.as_str()))
        .collect();
    // A and B are now covered together; X with A or B still leaves one hospital short.
    assert_eq!(found, [("A", "X"), ("B", "X"), ("C", "D")]);
    assert_eq!(
        report.pairs[2].excess, 16.0,
        "D's stock covers 2 of the 4 days"
    );
}

#[test]
fn the_report_does_not_depend_on_the_thread_count() {
    let (_, network) = generated(&rich(vec![4, 10, 20], 11));
    let singles = network.scenarios();
    let on = |threads: usize| -> PairsReport {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        pool.install(|| run_pairs(&network, &singles))
    };
    let one = on(1);
    assert!(!one.pairs.is_empty(), "a useful check needs some excess");
    assert_eq!(one, on(2));
    assert_eq!(one, on(3));
}

#[test]
fn leaves_out_what_is_not_a_single_outage_and_names_unknown_entities() {
    let network = network_from_json(SHARED_BACKUP);
    let mut singles = network.scenarios();
    let mut both = pairs::pair_scenario(&singles[0], &singles[1], 5.0);
    both.id = "both".into();
    let mut untimed = singles[2].clone();
    untimed.id = "untimed".into();
    untimed.ttr = None;
    let mut again = singles[0].clone();
    again.id = "A again".into();
    singles.extend([both, untimed, again]);
    let report = run_pairs(&network, &singles);
    assert_eq!(report.skipped, ["both", "untimed", "A again"]);
    assert_eq!(report.singles, 5);
    assert_eq!(report.pairs.len(), 4);

    let mut ghost = singles[0].clone();
    ghost.id = "ghost".into();
    ghost.disrupt[0].target = Target::Node("nowhere".into());
    match pairs::run(&network, &[ghost], &StressConfig::default(), &quiet) {
        Err(PairsError::UnknownEntity { scenario, entity }) => {
            assert_eq!((scenario.as_str(), entity.as_str()), ("ghost", "nowhere"));
        }
        other => panic!("expected an unknown entity, got {other:?}"),
    }
}

#[test]
fn the_documents_rank_and_truncate() {
    let network = network_from_json(SHARED_BACKUP);
    let report = run_pairs(&network, &network.scenarios());
    let document = pairs::document(&report, Some(2));
    let keys: Vec<&str> = document
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        [
            "network", "horizon", "singles", "skipped", "screened", "pairs"
        ]
    );
    assert_eq!(document["pairs"].as_array().map(Vec::len), Some(2));
    assert_eq!(document["screened"]["solved"], 4);
    let back: PairsReport =
        serde_json::from_value(pairs::document(&report, None)).expect("reads back");
    assert_eq!(back, report);
    let mut csv = Vec::new();
    pairs::write_csv(&mut csv, &report.pairs).expect("csv");
    let csv = String::from_utf8(csv).expect("utf-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "a,b,kind_a,kind_b,window,tts,tts_capped,impact,impact_a,impact_b,excess,undisrupted_impact,runs_short"
    );
    assert_eq!(
        lines[1],
        "A,B,supplier,supplier,5,0,false,50,0,0,50,0,H1=50"
    );
    assert_eq!(lines.len(), 5);
}

// ---------------------------------------------------------------------------------------
// The oracle (tools/stress_oracle.py, highspy), run by oracle.rs.

/// A scenario in the document format the oracle reads.
fn scenario_json(network: &ValidatedNetwork, scenario: &Scenario) -> Value {
    let disrupt: Vec<Value> = scenario
        .disrupt
        .iter()
        .map(|d| {
            let kind = match network.lookup(d.target.id()) {
                Some((kind, _)) => kind.as_str(),
                None => panic!("unknown target {}", d.target.id()),
            };
            json!({ kind: d.target.id(), "capacity_factor": d.capacity_factor })
        })
        .collect();
    json!({ "id": scenario.id, "ttr": scenario.ttr, "disrupt": disrupt })
}

fn oracle_impacts(document: &str, network: &ValidatedNetwork, scenarios: &[Scenario]) -> Vec<f64> {
    let list: Vec<Value> = scenarios
        .iter()
        .map(|s| scenario_json(network, s))
        .collect();
    let report = oracle(document, Some(&json!({ "scenarios": list })), "pairs");
    report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| {
            s["performance_impact"]
                .as_f64()
                .expect("performance_impact")
        })
        .collect()
}

fn close(ours: f64, theirs: f64, scale: f64) -> bool {
    (ours - theirs).abs() <= 1e-6 * scale.max(1.0)
}

/// Every pair the screens left: the oracle's joint and single impacts give the same
/// excess, the positive ones are exactly the pairs reported, with the same numbers.
#[test]
fn pairs_agree_with_the_oracle() {
    if !oracle_available() {
        return;
    }
    let (document, network) = generated(&rich(vec![6, 15, 30], 5));
    let singles = network.scenarios();
    let screening = screen(&network, &singles);
    let report = run_pairs(&network, &singles);
    assert!(
        report.pairs.len() >= 3,
        "a useful comparison needs pairs with an excess: {}",
        report.pairs.len()
    );
    let impacts = oracle_impacts(
        &document,
        &network,
        &evaluation(&singles, &screening.to_solve),
    );
    let mut positive = Vec::new();
    for (k, &(a, b, t)) in screening.to_solve.iter().enumerate() {
        let four = &impacts[4 * k..4 * k + 4];
        let excess = excess(four);
        let (id_a, id_b) = (singles[a].id.as_str(), singles[b].id.as_str());
        let ours = report.pairs.iter().find(|p| p.a == id_a && p.b == id_b);
        let scale = four[0].abs().max(four[1].abs()).max(four[2].abs());
        match ours {
            Some(p) => {
                assert!(
                    close(p.excess, excess, scale),
                    "{id_a} + {id_b}: excess {} vs oracle {excess}",
                    p.excess
                );
                assert!(
                    close(p.impact, four[0] - four[3], scale),
                    "{id_a} + {id_b}: impact"
                );
                assert!(
                    close(p.impact_a, four[1] - four[3], scale),
                    "{id_a}: impact alone"
                );
                assert!(
                    close(p.impact_b, four[2] - four[3], scale),
                    "{id_b}: impact alone"
                );
                assert!(
                    close(p.undisrupted_impact, four[3], scale),
                    "undisrupted at {t}"
                );
                assert_eq!(p.window, t);
                positive.push((id_a, id_b));
            }
            None => assert!(
                excess <= 1e-6 * scale.max(1.0),
                "{id_a} + {id_b}: oracle excess {excess} not reported"
            ),
        }
    }
    assert_eq!(
        positive.len(),
        report.pairs.len(),
        "every reported pair was solved"
    );
}
