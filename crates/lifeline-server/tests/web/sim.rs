//! The simulation and Monte Carlo pages: the same numbers as lifeline-sim and the job's
//! result; roles, organisations and CSRF.

use axum::http::StatusCode;
use lifeline_sim::{SimOptions, Simulator};
use lifeline_store::Role;

use crate::common::apps;
use crate::{Browser, location, settled, share_with_mercy};

/// The `<tr data-node="NODE">` row of table `table` in `page`.
fn row<'p>(page: &'p str, table: &str, node: &str) -> Option<&'p str> {
    let at = page.find(&format!("<table id=\"{table}\""))?;
    let rest = &page[at..];
    let rest = &rest[..rest.find("</table>")?];
    let start = rest.find(&format!("<tr data-node=\"{node}\""))?;
    let row = &rest[start..];
    Some(&row[..row.find("</tr>")?])
}

/// The `data-value` of the cell with class `class` in `row`.
fn value<'r>(row: &'r str, class: &str) -> Option<&'r str> {
    let at = row.find(&format!("class=\"num {class}\" data-value=\""))?;
    let rest = &row[at + class.len() + 25..];
    rest.split('"').next()
}

/// A supplier `S` (TTR 5 days) and 200 hospitals it supplies: 201 nodes. Returns its id.
async fn wide_network(app: &crate::common::TestApp, token: &str) -> String {
    let mut nodes = vec![serde_json::json!({"id": "S", "ttr": 5})];
    let mut edges = Vec::new();
    for i in 0..200 {
        let id = format!("H{i}");
        nodes.push(serde_json::json!({"id": id, "demand": 10, "inventory": 30}));
        edges.push(serde_json::json!({"from": "S", "to": id, "lead_time": 1}));
    }
    let doc = serde_json::json!({
        "format": "lifeline-network/1", "name": "wide", "nodes": nodes, "edges": edges
    });
    let reply = app
        .send(
            axum::http::Method::POST,
            "/api/v1/networks",
            Some(token),
            Some(("application/json", doc.to_string().into_bytes())),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["id"].as_str().expect("an id").to_owned()
}

#[tokio::test]
async fn the_simulation_page_shows_the_libraries_first_stockout_days() {
    let path = format!(
        "{}/../../examples/iv-fluids.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let network = lifeline_network::load(path.as_ref())
        .expect("the example loads")
        .network;
    let scenario = lifeline_sim::pick_scenario(&network, "iv-plant-nc", None).expect("a scenario");
    let days = lifeline_sim::horizon_days(&network);
    let expected = Simulator::new(&network).run(&scenario, &SimOptions::days(days));
    assert!(
        expected
            .demand_nodes
            .iter()
            .any(|n| n.first_stockout_day.is_some()),
        "someone runs short"
    );

    for app in apps().await {
        let token = app.user("north", "ada", Role::Analyst).await;
        app.user("south", "sam", Role::Admin).await;
        let id = app.upload_example(&token, "iv-fluids.json").await;
        let browser = Browser::login(&app, "ada").await;
        let base = format!("/networks/{id}/simulate");
        let reply = browser.get(&format!("{base}?scenario=iv-plant-nc")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let page = reply.text();
        assert!(page.contains("<form id=\"simulate-form\""));
        assert!(page.contains("<option value=\"iv-plant-nc\" selected>"));
        assert!(page.contains("<svg id=\"sim-plot\""), "the plot is there");
        assert!(page.contains("<title id=\"sim-plot-title\">"));
        for node in &expected.demand_nodes {
            let row = row(&page, "sim-table", &node.id)
                .unwrap_or_else(|| panic!("a row for {}", node.id));
            let shown = node
                .first_stockout_day
                .map(|d| d.to_string())
                .unwrap_or_default();
            assert_eq!(value(row, "first-stockout"), Some(shown.as_str()), "{row}");
            assert!(row.contains(&format!("<td class=\"num\">{}</td>", node.shortage_days)));
        }
        // Soonest stockout first.
        let first = expected
            .demand_nodes
            .iter()
            .filter_map(|n| n.first_stockout_day)
            .min()
            .expect("a stockout");
        let table = &page[page.find("<table id=\"sim-table\"").expect("the table")..];
        let first_row = &table[table.find("<tr data-node").expect("a row")..];
        assert_eq!(
            value(first_row, "first-stockout"),
            Some(first.to_string().as_str())
        );

        // Without a scenario the page picks one (no stress result yet: the first).
        let default = browser.get(&base).await;
        assert_eq!(default.status, StatusCode::OK);
        assert!(default.text().contains("id=\"sim-table\""));

        // The series download is `lifeline simulate --series`.
        let csv = browser
            .get(&format!("{base}.csv?scenario=iv-plant-nc&days=30"))
            .await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
        let report = Simulator::new(&network).run(&scenario, &SimOptions::days(30).with_series());
        let mut bytes = Vec::new();
        lifeline_sim::write_series(&mut bytes, &report).expect("the series");
        assert_eq!(csv.body, bytes);

        // Bad input comes back on the form, naming the field.
        let unknown = browser.get(&format!("{base}?scenario=no-such-plant")).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = unknown.text();
        assert!(text.contains("id=\"form-errors\""), "{text}");
        assert!(text.contains("href=\"#sim-scenario\""));
        assert!(text.contains("no scenario `no-such-plant`"));
        let days = browser
            .get(&format!("{base}?scenario=iv-plant-nc&days=abc"))
            .await;
        assert_eq!(days.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(days.text().contains("href=\"#sim-days\""));
        // Work is bounded: 36,500 days of 201 nodes is too much for a page.
        let wide = wide_network(&app, &token).await;
        let huge = browser
            .get(&format!("/networks/{wide}/simulate?scenario=S&days=36500"))
            .await;
        let huge_text = huge.text();
        assert_eq!(huge.status, StatusCode::UNPROCESSABLE_ENTITY, "{huge_text}");
        assert!(huge_text.contains("7336500 node-days"), "{huge_text}");
        assert!(huge_text.contains("href=\"#sim-days\""));
        assert_eq!(
            browser
                .get(&format!("/networks/{wide}/simulate?scenario=S&days=30"))
                .await
                .status,
            StatusCode::OK
        );

        // Another organisation finds nothing.
        let other = Browser::login(&app, "sam").await;
        for path in [
            format!("{base}?scenario=iv-plant-nc"),
            format!("{base}.csv?scenario=iv-plant-nc"),
        ] {
            assert_eq!(
                other.get(&path).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn a_monte_carlo_run_started_on_the_page_shows_the_jobs_numbers() {
    for app in apps().await {
        let token = app.user("north", "ada", Role::Analyst).await;
        app.user("north", "val", Role::Viewer).await;
        app.user("south", "sam", Role::Admin).await;
        let id = app.upload_example(&token, "iv-fluids.json").await;
        let browser = Browser::login(&app, "ada").await;
        let path = format!("/networks/{id}/montecarlo");
        let empty = browser.get(&path).await.text();
        assert!(empty.contains("<form id=\"montecarlo-form\""), "{empty}");
        assert!(empty.contains("<option value=\"iv-plant-nc\""));
        assert!(empty.contains("value=\"ransomware-downtime\""));
        assert!(empty.contains("No Monte Carlo run on this network yet."));

        // Errors come back on the form, naming the field, and nothing is queued.
        let bad = browser
            .post_form(
                &path,
                &[
                    ("outage", "iv-plant-nc"),
                    ("outage", "no-such-plant"),
                    ("duration", "weibull:3"),
                    ("replications", "200"),
                    ("seed", "7"),
                ],
            )
            .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            bad.text()
        );
        let text = bad.text();
        assert!(text.contains("id=\"form-errors\""));
        assert!(text.contains("href=\"#mc-outage\""), "{text}");
        assert!(text.contains("no node, site or platform `no-such-plant`"));
        assert!(text.contains("href=\"#mc-duration\""));
        assert!(
            text.contains("value=\"weibull:3\""),
            "the form keeps what was typed"
        );
        let count = browser
            .post_form(
                &path,
                &[("outage", "iv-plant-nc"), ("replications", "lots")],
            )
            .await;
        assert_eq!(count.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(count.text().contains("href=\"#mc-replications\""));
        let jobs = app.get("/api/v1/jobs", &token).await.json();
        assert_eq!(jobs["jobs"].as_array().map(Vec::len), Some(0), "{jobs}");

        // A small run through the form.
        let reply = browser
            .post_form(
                &path,
                &[
                    ("outage", "iv-plant-nc"),
                    ("duration", "ransomware-downtime"),
                    ("replications", "200"),
                    ("seed", "7"),
                    ("days", ""),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        assert_eq!(location(&reply), path);
        let page = settled(&browser, &path).await.text();
        assert!(page.contains("<svg id=\"mc-chart\""), "{page}");
        assert!(page.contains("<title id=\"mc-chart-title\">"));

        let jobs = app.get("/api/v1/jobs", &token).await.json();
        let job = &jobs["jobs"][0];
        assert_eq!(job["kind"], "montecarlo", "{jobs}");
        assert_eq!(job["params"]["replications"], 200);
        assert_eq!(job["params"]["seed"], 7);
        let job_id = job["id"].as_str().expect("a job id");
        let result = app
            .get(&format!("/api/v1/jobs/{job_id}/result"), &token)
            .await;
        assert_eq!(result.status, StatusCode::OK);
        let report: lifeline_sim::MonteCarloReport =
            serde_json::from_slice(&result.body).expect("the Monte Carlo report");
        assert_eq!(report.replications, 200);
        assert!(!report.demand_nodes.is_empty());
        for node in &report.demand_nodes {
            let row =
                row(&page, "mc-table", &node.id).unwrap_or_else(|| panic!("a row for {}", node.id));
            assert_eq!(
                value(row, "p-stockout"),
                Some(node.p_stockout.to_string().as_str()),
                "{row}"
            );
            assert!(row.contains(&format!(
                "data-low=\"{}\" data-high=\"{}\"",
                node.p_stockout_ci[0], node.p_stockout_ci[1]
            )));
        }
        if let Some(tts) = &report.tts {
            assert!(page.contains(&format!(
                "id=\"p-tts-short\" data-value=\"{}\"",
                tts.p_tts_short
            )));
        }

        // A viewer sees the result but no form, and a forged run is refused.
        let viewer = Browser::login(&app, "val").await;
        let seen = viewer.get(&path).await;
        assert_eq!(seen.status, StatusCode::OK);
        let seen = seen.text();
        assert!(seen.contains("id=\"mc-table\""));
        assert!(!seen.contains("id=\"montecarlo-form\""));
        assert!(seen.contains("id=\"no-run\""));
        let forged = viewer
            .post_form(&path, &[("outage", "iv-plant-nc"), ("replications", "10")])
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);

        // Without the session's CSRF token nothing starts.
        for csrf in ["", "not-the-token"] {
            let refused = browser
                .post_form(&path, &[("csrf", csrf), ("outage", "iv-plant-nc")])
                .await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "csrf {csrf:?}");
        }
        let jobs = app.get("/api/v1/jobs", &token).await.json();
        assert_eq!(jobs["jobs"].as_array().map(Vec::len), Some(1), "{jobs}");

        // Another organisation finds nothing and starts nothing.
        let other = Browser::login(&app, "sam").await;
        assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other
                .post_form(&path, &[("outage", "iv-plant-nc")])
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // A partner the network is shared with reads the result, starts nothing.
        app.user("mercy", "paul", Role::Partner).await;
        share_with_mercy(&app, &id).await;
        let partner = Browser::login(&app, "paul").await;
        let seen = partner.get(&path).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert!(seen.text().contains("id=\"mc-table\""));
        assert!(!seen.text().contains("id=\"montecarlo-form\""));
        assert_eq!(
            partner
                .post_form(&path, &[("outage", "iv-plant-nc")])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let simulated = partner
            .get(&format!("/networks/{id}/simulate?scenario=iv-plant-nc"))
            .await;
        assert_eq!(simulated.status, StatusCode::OK);
        assert!(simulated.text().contains("id=\"sim-table\""));
    }
}
