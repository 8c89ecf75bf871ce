//! The API end to end, in memory, on every backend available.

mod common;

use axum::http::{Method, StatusCode};
use common::apps;
use lifeline_store::Role;

/// The "done when": an admin uploads the IV-fluids example and gets its stress
/// report, identical to the CLI's; a second organisation sees none of it.
#[tokio::test(flavor = "multi_thread")]
async fn upload_stress_report_and_isolation() {
    for app in apps().await {
        let alice = app.user("Mercy Hospital", "alice", Role::Admin).await;
        let bob = app.user("Other Hospital", "bob", Role::Admin).await;
        let network = app.upload_example(&alice, "iv-fluids.json").await;

        let reply = app
            .post_json(
                &format!("/api/v1/networks/{network}/stress"),
                &alice,
                &serde_json::json!({}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::ACCEPTED,
            "{}: {}",
            app.db.label,
            reply.text()
        );
        let url = reply.json()["job"]["url"].as_str().unwrap().to_owned();
        let job = app.wait_job(&alice, &url).await;
        assert_eq!(job["state"], "succeeded", "{}: {job}", app.db.label);
        let result = app.get(&format!("{url}/result"), &alice).await;
        assert_eq!(result.status, StatusCode::OK);

        let network_file = format!(
            "{}/../../examples/iv-fluids.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let loaded = lifeline_network::load(std::path::Path::new(&network_file)).unwrap();
        let report = lifeline_stress::run(
            &loaded.network,
            &loaded.network.scenarios(),
            &lifeline_stress::StressConfig { skip_covered: true },
            &|| {},
        )
        .unwrap();
        let mut expected =
            serde_json::to_string_pretty(&lifeline_stress::report_document(&report, None)).unwrap();
        expected.push('\n');
        assert_eq!(result.text(), expected, "{}", app.db.label);

        // Bob's organisation sees neither the network nor the job, whatever the id.
        let list = app.get("/api/v1/networks", &bob).await;
        assert_eq!(list.json()["networks"].as_array().unwrap().len(), 0);
        for path in [
            format!("/api/v1/networks/{network}"),
            format!("/api/v1/networks/{network}/download"),
            url.clone(),
            format!("{url}/result"),
        ] {
            let reply = app.get(&path, &bob).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{} {path}: {}",
                app.db.label,
                reply.text()
            );
        }
        let reply = app
            .post_json(
                &format!("/api/v1/networks/{network}/stress"),
                &bob,
                &serde_json::json!({}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert!(app.store.verify_audit().await.unwrap().is_ok());
    }
}

/// The served OpenAPI document is 3.1 and every schema it refers to is in it.
#[tokio::test(flavor = "multi_thread")]
async fn openapi_document_is_whole() {
    let app = common::TestApp::on(lifeline_store::testing::sqlite()).await;
    let token = app.user("Mercy Hospital", "alice", Role::Admin).await;
    let document = app.get("/api/v1/openapi.json", &token).await.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    let text = document.to_string();
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            schemas.contains_key(name),
            "`{name}` is referred to but not defined"
        );
    }
}

/// Two setups at the same moment: one creates the first admin, the other is refused, and
/// only one user exists.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_setups_create_one_admin() {
    for app in apps().await {
        let token = app
            .state
            .setup_token()
            .expect("a fresh database offers setup");
        let body = |user: &str| {
            Some((
                "application/json",
                serde_json::json!({
                    "setup_token": token, "org": "Mercy Hospital",
                    "user": user, "password": common::PASSWORD
                })
                .to_string()
                .into_bytes(),
            ))
        };
        let (first, second) = tokio::join!(
            app.send(Method::POST, "/api/v1/setup", None, body("alice")),
            app.send(Method::POST, "/api/v1/setup", None, body("bob")),
        );
        let mut statuses = [first.status, second.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::CREATED, StatusCode::CONFLICT],
            "{}",
            app.db.label
        );
        assert_eq!(app.store.count_users().await.unwrap(), 1);
        assert!(app.state.setup_token().is_none());
    }
}

/// A route that takes no query parameters refuses unknown ones, like the routes that do.
#[tokio::test(flavor = "multi_thread")]
async fn unknown_query_parameters_are_refused() {
    let app = common::TestApp::on(lifeline_store::testing::sqlite()).await;
    let token = app.user("Mercy Hospital", "alice", Role::Admin).await;
    let reply = app
        .send(
            Method::POST,
            "/api/v1/epcis/capture?captureErrorBehaviour=proceed",
            Some(&token),
            Some(("application/json", b"{}".to_vec())),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
    assert_eq!(reply.json()["error"]["code"], "bad_request");
}
