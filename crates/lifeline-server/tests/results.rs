//! The API's simulate and Monte Carlo results are the CLI's `--format json` reports, byte
//! for byte (the stress report is checked in api.rs): the library is called here the way
//! crates/lifeline-cli/src/simulate.rs calls it, and the bytes compared.

mod common;

use axum::http::StatusCode;
use common::{TestApp, apps};
use lifeline_sim::{MonteCarlo, OutageSpec, SimOptions, Simulator};
use lifeline_store::Role;
use serde_json::{Value, json};

fn example() -> lifeline_network::Loaded {
    let path = format!(
        "{}/../../examples/iv-fluids.json",
        env!("CARGO_MANIFEST_DIR")
    );
    lifeline_network::load(std::path::Path::new(&path)).expect("the example loads")
}

/// `output::json`: pretty JSON and a newline.
fn cli_json(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("a report serialises");
    text.push('\n');
    text
}

/// Runs a job through the API and returns its result's bytes.
async fn api_result(
    app: &TestApp,
    token: &str,
    network: &str,
    kind: &str,
    params: Value,
) -> String {
    let reply = app
        .post_json(
            &format!("/api/v1/networks/{network}/{kind}"),
            token,
            &params,
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::ACCEPTED,
        "{}: {}",
        app.db.label,
        reply.text()
    );
    let url = reply.json()["job"]["url"]
        .as_str()
        .expect("a job url")
        .to_owned();
    let job = app.wait_job(token, &url).await;
    assert_eq!(job["state"], "succeeded", "{}: {job}", app.db.label);
    let result = app.get(&format!("{url}/result"), token).await;
    assert_eq!(result.status, StatusCode::OK);
    assert_eq!(result.headers["content-type"], "application/json");
    result.text()
}

#[tokio::test(flavor = "multi_thread")]
async fn simulate_and_montecarlo_match_the_cli() {
    let loaded = example();
    let network = &loaded.network;
    let days = lifeline_sim::horizon_days(network);
    let simulator = Simulator::new(network);

    // lifeline simulate iv-fluids.json --scenario edi-hub --format json
    let scenario = lifeline_sim::pick_scenario(network, "edi-hub", None).expect("a scenario");
    let simulated = cli_json(&simulator.run(&scenario, &SimOptions::days(days)));
    // ... and with --days 45
    let simulated_45 = cli_json(&simulator.run(&scenario, &SimOptions::days(45)));

    // lifeline montecarlo iv-fluids.json --outage edi-hub --outage ns-1l@dist-east
    //   --duration uniform:3,30 --capacity-factor 0.2 --replications 300 --seed 42
    //   --downtime-cost 1000 --format json
    let spec = OutageSpec {
        outage: vec!["edi-hub".into(), "ns-1l@dist-east".into()],
        duration: "uniform:3,30".into(),
        capacity_factor: 0.2,
        ..OutageSpec::default()
    };
    let mut outage = spec.build(network).expect("the outage");
    outage.downtime_cost = Some(lifeline_sim::check_downtime_cost(1000.0).unwrap());
    let run = MonteCarlo {
        replications: 300,
        seed: 42,
        days,
        tts: None,
    };
    let report = simulator
        .montecarlo_against_stress(&outage, &run, &|_| {})
        .expect("the run");
    let montecarlo = cli_json(&report);

    for app in apps().await {
        let token = app.user("Mercy Hospital", "alice", Role::Analyst).await;
        let id = app.upload_example(&token, "iv-fluids.json").await;
        let got = api_result(
            &app,
            &token,
            &id,
            "simulate",
            json!({"scenario": "edi-hub"}),
        )
        .await;
        assert_eq!(got, simulated, "{}: simulate", app.db.label);
        let got = api_result(
            &app,
            &token,
            &id,
            "simulate",
            json!({"scenario": "edi-hub", "days": 45}),
        )
        .await;
        assert_eq!(got, simulated_45, "{}: simulate --days 45", app.db.label);
        let got = api_result(
            &app,
            &token,
            &id,
            "montecarlo",
            json!({
                "outage": ["edi-hub", "ns-1l@dist-east"], "duration": "uniform:3,30",
                "capacity_factor": 0.2, "replications": 300, "seed": 42,
                "downtime_cost": 1000.0
            }),
        )
        .await;
        assert_eq!(got, montecarlo, "{}: montecarlo", app.db.label);
    }
}
