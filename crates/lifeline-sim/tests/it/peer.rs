//! Agreement with a peer: the serial and one-warehouse-multi-retailer systems of
//! `tests/data/peer/`, simulated by stockpyl 1.0.2 (`tools/sim_peer.py`, see SOURCES.md),
//! give the same stockout days, first stockout day and shortage units per retailer.

use std::path::{Path, PathBuf};

use lifeline_sim::{SimOptions, Simulator};
use serde_json::Value;

use crate::network;

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/peer");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

fn check(path: &Path) {
    let text = std::fs::read_to_string(path).expect("readable case file");
    let case: Value = serde_json::from_str(&text).expect("case file is JSON");
    let name = case["case"].as_str().expect("case name");
    let days = u32::try_from(case["days"].as_u64().expect("days")).expect("days fit u32");
    let id = case["scenario"].as_str().expect("scenario id");
    let net = network(&case["network"]);
    let scenario = net
        .scenarios()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("{name}: no scenario {id}"));
    let report = Simulator::new(&net).run(&scenario, &SimOptions::days(days));
    let expected = case["expected"].as_array().expect("expected list");
    assert_eq!(report.demand_nodes.len(), expected.len(), "{name}");
    for want in expected {
        let rid = want["id"].as_str().expect("retailer id");
        let got = report
            .demand_nodes
            .iter()
            .find(|d| d.id == rid)
            .unwrap_or_else(|| panic!("{name}: no demand node {rid}"));
        assert_eq!(
            u64::from(got.shortage_days),
            want["shortage_days"].as_u64().expect("shortage_days"),
            "{name} {rid}: {got:?}"
        );
        assert_eq!(
            got.first_stockout_day.map(u64::from),
            want["first_stockout_day"].as_u64(),
            "{name} {rid}: {got:?}"
        );
        let unmet = want["unmet_units"].as_f64().expect("unmet_units");
        assert!(
            (got.unmet_units - unmet).abs() <= 1e-6 * unmet.max(1.0),
            "{name} {rid}: unmet {} against stockpyl's {unmet}",
            got.unmet_units
        );
    }
}

#[test]
fn stockpyl_cases_agree_exactly() {
    let files = cases();
    assert!(
        files.len() >= 5,
        "expected the 5 peer cases, found {files:?}"
    );
    let mut short = 0;
    for path in &files {
        check(path);
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("readable")).expect("JSON");
        short += case["expected"]
            .as_array()
            .expect("expected list")
            .iter()
            .filter(|r| r["shortage_days"].as_u64() > Some(0))
            .count();
    }
    // The cases are built so that the outages bite: most retailers run short.
    assert!(short >= 10, "only {short} retailers short across the cases");
}
