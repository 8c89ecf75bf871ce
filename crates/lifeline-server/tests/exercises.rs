//! Tabletop exercise runs as a service: a run record made by lifeline-response's library
//! from the example exercise scores the same through the server as `exercise::score`
//! directly, and its after-action report is the library's; a bad record is a 422 naming
//! the field; viewers read, analysts upload, partners and other organisations see nothing.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, apps, exercise_record, exercise_run};
use lifeline_response::exercise::{self, report};
use lifeline_store::Role;
use serde_json::Value;

async fn upload(app: &TestApp, token: &str, body: Vec<u8>) -> common::Reply {
    app.send(
        Method::POST,
        "/api/v1/exercise-runs",
        Some(token),
        Some(("application/json", body)),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_scores_through_the_server_as_the_library_scores_it() {
    let run = exercise_run();
    let card = exercise::score(&run.exercise, &run);
    let expected = serde_json::to_value(&card).expect("a scorecard");
    // Not all P: the scripted decisions miss some deadlines, so a wrong reading shows.
    assert!(card.counts[0] < card.objectives.len(), "{card:?}");
    let markdown = report::markdown(&report::after_action(&run.exercise, &run, &card));
    for app in apps().await {
        let label = app.db.label;
        let analyst = app.user("Mercy Hospital", "andy", Role::Analyst).await;
        let viewer = app.user("Mercy Hospital", "vera", Role::Viewer).await;
        let reply = upload(&app, &analyst, exercise_record()).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{label}: {}",
            reply.text()
        );
        let body = reply.json();
        assert_eq!(body["scorecard"], expected, "{label}");
        assert_eq!(body["title"], run.exercise.title, "{label}");
        assert_eq!(body["created_by"], "andy", "{label}");
        let id = body["id"].as_str().expect("an id").to_owned();

        let reply = app
            .get(&format!("/api/v1/exercise-runs/{id}"), &viewer)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{label}: {}", reply.text());
        assert_eq!(reply.json()["scorecard"], expected, "{label}");

        let reply = app.get("/api/v1/exercise-runs", &viewer).await;
        assert_eq!(reply.status, StatusCode::OK, "{label}: {}", reply.text());
        let runs = reply.json()["runs"].as_array().expect("runs").clone();
        assert_eq!(runs.len(), 1, "{label}");
        let ratings: Vec<(String, String)> = runs[0]["ratings"]
            .as_array()
            .expect("ratings")
            .iter()
            .map(|r| {
                (
                    r["objective"].as_str().unwrap_or_default().to_owned(),
                    r["rating"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = card
            .objectives
            .iter()
            .map(|o| (o.id.clone(), o.rating.letter().to_owned()))
            .collect();
        assert_eq!(ratings, want, "{label}");
        assert_eq!(runs[0]["counts"], serde_json::json!(card.counts), "{label}");

        let reply = app
            .get(&format!("/api/v1/exercise-runs/{id}/report"), &viewer)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{label}: {}", reply.text());
        assert_eq!(reply.text(), markdown, "{label}");
        let reply = app
            .get(
                &format!("/api/v1/exercise-runs/{id}/report?format=html"),
                &viewer,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{label}: {}", reply.text());
        assert!(reply.text().contains("<html"), "{label}");
        let csp = reply
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(csp.contains("sandbox"), "{label}: {csp}");
        let reply = app
            .get(
                &format!("/api/v1/exercise-runs/{id}/report?format=pdf"),
                &viewer,
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{label}: {}",
            reply.text()
        );
    }
}

/// The record as JSON, changed by `edit`.
fn edited(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(&exercise_record()).expect("JSON");
    edit(&mut value);
    value.to_string().into_bytes()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_run_record_is_refused_naming_the_field() {
    for app in apps().await {
        let label = app.db.label;
        let analyst = app.user("Mercy Hospital", "andy", Role::Analyst).await;
        let cases: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
            ("not JSON", b"{\"format\": ".to_vec(), None),
            (
                "another format",
                edited(|v| v["format"] = "lifeline-exercise-run/9".into()),
                Some("format"),
            ),
            (
                "an unknown action",
                edited(|v| v["decisions"][0]["actions"][0] = "launch-rockets".into()),
                Some("decisions[0].actions[0]"),
            ),
            (
                "an unknown inject",
                edited(|v| v["injects"][0]["inject"] = "no-such-inject".into()),
                Some("injects[0].inject"),
            ),
            (
                "a time of the wrong type",
                edited(|v| v["decisions"][1]["at"] = "soon".into()),
                Some("decisions[1].at"),
            ),
            (
                "a speed of zero",
                edited(|v| v["speed"] = 0.0.into()),
                Some("speed"),
            ),
            (
                "an exercise without objectives",
                edited(|v| v["exercise"]["objectives"] = Value::Array(Vec::new())),
                Some("exercise"),
            ),
            ("not UTF-8", vec![0xff, 0xfe, b'{'], None),
        ];
        for (what, body, field) in cases {
            let reply = upload(&app, &analyst, body).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{label}: {what}: {}",
                reply.text()
            );
            let json = reply.json();
            if let Some(field) = field {
                assert_eq!(json["error"]["field"], field, "{label}: {what}: {json}");
            }
            if what.starts_with("an exercise") {
                let paths: Vec<&str> = json["error"]["diagnostics"]
                    .as_array()
                    .expect("diagnostics")
                    .iter()
                    .filter_map(|d| d["path"].as_str())
                    .collect();
                assert!(
                    paths.iter().any(|p| p.starts_with("objectives")),
                    "{label}: {json}"
                );
            }
        }
        let reply = app
            .send(
                Method::POST,
                "/api/v1/exercise-runs",
                Some(&analyst),
                Some(("application/yaml", exercise_record())),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{label}");
        // Nothing refused was kept.
        let reply = app.get("/api/v1/exercise-runs", &analyst).await;
        assert_eq!(reply.json()["runs"], Value::Array(Vec::new()), "{label}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn viewers_read_and_no_one_else_sees_a_run() {
    for app in apps().await {
        let label = app.db.label;
        let admin = app.user("Mercy Hospital", "alice", Role::Admin).await;
        let viewer = app.user("Mercy Hospital", "vera", Role::Viewer).await;
        let partner = app.user("Mercy Hospital", "paul", Role::Partner).await;
        let other = app.user("Other Hospital", "bob", Role::Admin).await;
        let reply = upload(&app, &admin, exercise_record()).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{label}: {}",
            reply.text()
        );
        let id = reply.json()["id"].as_str().expect("an id").to_owned();
        let reply = upload(&app, &viewer, exercise_record()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{label}");
        for path in [
            "/api/v1/exercise-runs".to_owned(),
            format!("/api/v1/exercise-runs/{id}"),
            format!("/api/v1/exercise-runs/{id}/report"),
        ] {
            assert_eq!(
                app.get(&path, &viewer).await.status,
                StatusCode::OK,
                "{label}: {path}"
            );
            assert_eq!(
                app.get(&path, &partner).await.status,
                StatusCode::FORBIDDEN,
                "{label}: {path}"
            );
        }
        let reply = app.get("/api/v1/exercise-runs", &other).await;
        assert_eq!(reply.json()["runs"], Value::Array(Vec::new()), "{label}");
        for path in [
            format!("/api/v1/exercise-runs/{id}"),
            format!("/api/v1/exercise-runs/{id}/report"),
        ] {
            assert_eq!(
                app.get(&path, &other).await.status,
                StatusCode::NOT_FOUND,
                "{label}: {path}"
            );
        }
        let reply = upload(&app, &partner, exercise_record()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{label}");
    }
}
