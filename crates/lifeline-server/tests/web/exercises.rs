//! The exercise pages: an analyst uploads a run record with the form and reads its
//! scorecard and after-action report; a refused record lists its problem; viewers read
//! without the form, partners and other organisations see nothing, and the form does not
//! work without the session's CSRF token.

use axum::http::StatusCode;
use lifeline_response::exercise;
use lifeline_store::Role;

use crate::common::{apps, exercise_record, exercise_run};
use crate::{Browser, location};

#[tokio::test(flavor = "multi_thread")]
async fn analysts_upload_runs_and_everyone_else_reads_or_sees_nothing() {
    let run = exercise_run();
    let card = exercise::score(&run.exercise, &run);
    for app in apps().await {
        let label = app.db.label;
        app.user("Mercy Hospital", "andy", Role::Analyst).await;
        app.user("Mercy Hospital", "vera", Role::Viewer).await;
        app.user("Mercy Hospital", "pat", Role::Partner).await;
        app.user("Valley Clinic", "sam", Role::Admin).await;
        let analyst = Browser::login(&app, "andy").await;

        // Linked from the incidents page; empty, with the form.
        let incidents = analyst.get("/incidents").await.text();
        assert!(incidents.contains("href=\"/exercises\""), "{label}");
        let page = analyst.get("/exercises").await;
        assert_eq!(page.status, StatusCode::OK, "{label}: {}", page.text());
        let text = page.text();
        assert!(text.contains("id=\"exercise-none\""), "{text}");
        assert!(text.contains("id=\"upload-run\""), "{text}");

        // Without the session's CSRF token: refused, nothing kept.
        for csrf in ["forged", ""] {
            let reply = analyst
                .post_multipart(
                    "/exercises",
                    &[("csrf", csrf)],
                    Some(("file", "run.json", &exercise_record())),
                )
                .await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{label}: {csrf:?}");
        }

        // A record naming an action the exercise does not expect: the list again, why.
        let mut bad: serde_json::Value = serde_json::from_slice(&exercise_record()).expect("JSON");
        bad["decisions"][0]["actions"][0] = "launch-<rockets>".into();
        let reply = analyst
            .post_multipart(
                "/exercises",
                &[],
                Some(("file", "run.json", bad.to_string().as_bytes())),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{label}: {}",
            reply.text()
        );
        let text = reply.text();
        assert!(text.contains("id=\"form-errors\""), "{text}");
        assert!(text.contains("decisions[0].actions[0]"), "{text}");
        assert!(!text.contains("launch-<rockets>"), "escaped: {text}");
        let reply = analyst.post_multipart("/exercises", &[], None).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{label}");
        assert!(reply.text().contains("choose a run record"), "{label}");

        // Kept: to the run's page, with the library's ratings and report.
        let reply = analyst
            .post_multipart(
                "/exercises",
                &[],
                Some(("file", "run.json", &exercise_record())),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "{label}: {}",
            reply.text()
        );
        let href = location(&reply);
        assert!(href.starts_with("/exercises/"), "{href}");
        let page = analyst.get(&href).await;
        assert_eq!(page.status, StatusCode::OK, "{label}: {}", page.text());
        let text = page.text();
        assert!(text.contains("id=\"scorecard\""), "{text}");
        assert!(text.contains("id=\"exercise-report\""), "{text}");
        let [p, s, m, u] = card.counts;
        assert!(
            text.contains(&format!("{p} P · {s} S · {m} M · {u} U")),
            "{text}"
        );
        for objective in &card.objectives {
            assert!(
                text.contains(&format!(
                    "rating-{}\">{}<",
                    objective.rating.letter(),
                    objective.rating.letter()
                )),
                "{label}: {}",
                objective.id
            );
        }
        let list = analyst.get("/exercises").await.text();
        assert!(list.contains(&format!("href=\"{href}\"")), "{list}");
        for objective in &card.objectives {
            assert!(
                list.contains(&format!(
                    "{} {}</span>",
                    objective.id,
                    objective.rating.letter()
                )),
                "{label}: {list}"
            );
        }
        let report = analyst.get(&format!("{href}/report?format=markdown")).await;
        assert_eq!(report.status, StatusCode::OK, "{label}");
        assert_eq!(
            report.text(),
            exercise::report::markdown(&exercise::report::after_action(&run.exercise, &run, &card)),
            "{label}"
        );

        // A viewer reads, without the form, and may not upload.
        let viewer = Browser::login(&app, "vera").await;
        let list = viewer.get("/exercises").await;
        assert_eq!(list.status, StatusCode::OK, "{label}");
        assert!(!list.text().contains("id=\"upload-run\""), "{label}");
        assert_eq!(viewer.get(&href).await.status, StatusCode::OK, "{label}");
        let reply = viewer
            .post_multipart(
                "/exercises",
                &[],
                Some(("file", "run.json", &exercise_record())),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{label}");

        // A partner sees none of it; another organisation does not know the run.
        let partner = Browser::login(&app, "pat").await;
        assert_eq!(
            partner.get("/exercises").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(partner.get(&href).await.status, StatusCode::FORBIDDEN);
        let other = Browser::login(&app, "sam").await;
        let list = other.get("/exercises").await;
        assert_eq!(list.status, StatusCode::OK, "{label}");
        assert!(list.text().contains("id=\"exercise-none\""), "{label}");
        assert_eq!(other.get(&href).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other.get(&format!("{href}/report")).await.status,
            StatusCode::NOT_FOUND
        );
    }
}
