//! The incident pages: an analyst declares an incident with the form and works its tasks
//! on the board; every change lands on the timeline the API shows; a refused declaration
//! lists its problems on their fields; viewers read without forms, partners and other
//! organisations see nothing, and no form works without the session's CSRF token.

use axum::http::StatusCode;
use lifeline_store::Role;

use crate::common::apps;
use crate::{Browser, hidden, location};

/// The value of the first `data-task="..."` on a page.
fn first_task(html: &str) -> String {
    let at = html.find("data-task=\"").expect("a task card") + 11;
    html[at..].split('"').next().expect("a task id").to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn analysts_declare_and_work_incidents_on_the_pages() {
    for app in apps().await {
        let label = app.db.label;
        let admin = app.user("Mercy Hospital", "ada", Role::Admin).await;
        app.user("Mercy Hospital", "andy", Role::Analyst).await;
        app.user("Mercy Hospital", "vera", Role::Viewer).await;
        app.user("Mercy Hospital", "pat", Role::Partner).await;
        app.user("Valley Clinic", "sam", Role::Admin).await;
        let network = app.upload_example(&admin, "iv-fluids.json").await;
        let analyst = Browser::login(&app, "andy").await;

        // The list, with the form and the navigation's tab.
        let page = analyst.get("/incidents").await;
        assert_eq!(page.status, StatusCode::OK, "{label}: {}", page.text());
        let text = page.text();
        assert!(text.contains("id=\"declare-incident\""), "{text}");
        assert!(text.contains("id=\"incident-none\""), "{text}");
        assert!(
            text.contains("href=\"/incidents\" aria-current=\"page\""),
            "{text}"
        );
        assert!(
            text.contains("<code>edi-hub</code>"),
            "the entities are suggested"
        );

        // A misspelt entity: the form again, the problem on its field, with a suggestion,
        // and the values typed kept.
        let refused = analyst
            .post_form(
                "/incidents",
                &[
                    ("network", &network),
                    ("title", "Meridian <EDI> ransomware"),
                    ("kind", "ransomware"),
                    ("entities", "edi-hb"),
                    ("capacity_factor", "0"),
                    ("expected_ttr", "10"),
                ],
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{label}: {}",
            refused.text()
        );
        let text = refused.text();
        assert!(text.contains("id=\"form-errors\""), "{text}");
        assert!(text.contains("href=\"#declare-entities\""), "{text}");
        assert!(text.contains("edi-hub"), "{text}");
        assert!(text.contains("value=\"edi-hb\""), "{text}");
        assert!(!text.contains("Meridian <EDI>"), "escaped: {text}");

        // Declared: to the incident's page.
        let declared = analyst
            .post_form(
                "/incidents",
                &[
                    ("network", &network),
                    ("title", "Meridian <EDI> ransomware"),
                    ("kind", "ransomware"),
                    ("entities", "edi-hub"),
                    ("capacity_factor", "0"),
                    ("expected_ttr", "10"),
                ],
            )
            .await;
        assert_eq!(
            declared.status,
            StatusCode::SEE_OTHER,
            "{label}: {}",
            declared.text()
        );
        let href = location(&declared);
        assert!(href.starts_with("/incidents/"), "{href}");
        let id = href.trim_start_matches("/incidents/").to_owned();
        let page = analyst.get(&href).await;
        assert_eq!(page.status, StatusCode::OK, "{label}: {}", page.text());
        let text = page.text();
        for needle in [
            "id=\"incident-shortages\"",
            "id=\"task-board\"",
            "id=\"column-incident-command\"",
            "id=\"column-it-security\"",
            "id=\"column-supply-chain\"",
            "id=\"column-clinical\"",
            "id=\"column-communications\"",
            "id=\"column-legal-regulatory\"",
            "id=\"incident-timeline\"",
            "id=\"timeline-verified\"",
            "id=\"incident-report-link\"",
            "class=\"task-status\"",
            "id=\"incident-entry\"",
            "id=\"incident-close\"",
        ] {
            assert!(text.contains(needle), "{label}: {needle}: {text}");
        }
        assert!(!text.contains("Meridian <EDI>"), "escaped: {text}");
        // The page shows what the API shows: the same shortages.
        let api = app
            .get(&format!("/api/v1/incidents/{id}"), &admin)
            .await
            .json();
        for d in api["incident"]["impact"]["demand"]
            .as_array()
            .expect("demand")
            .iter()
            .filter(|d| d["first_stockout_day"].is_u64())
        {
            assert!(text.contains(d["id"].as_str().expect("an id")), "{d}");
        }

        // A task's status from the board: back to the page, on the timeline.
        let task = first_task(&text);
        let moved = analyst
            .post_form(
                &format!("{href}/tasks"),
                &[
                    ("task", &task),
                    ("status", "in-progress"),
                    ("note", "calling the rep"),
                ],
            )
            .await;
        assert_eq!(
            moved.status,
            StatusCode::SEE_OTHER,
            "{label}: {}",
            moved.text()
        );
        assert_eq!(location(&moved), format!("{href}#task-board"));
        let timeline = app
            .get(&format!("/api/v1/incidents/{id}/timeline"), &admin)
            .await
            .json();
        let entries = timeline["entries"].as_array().expect("entries");
        assert_eq!(entries.len(), 2, "{timeline}");
        assert_eq!(entries[1]["event"]["task"], task.as_str());
        assert_eq!(entries[1]["actor"], "andy");
        let page = analyst.get(&href).await.text();
        assert!(page.contains("calling the rep"), "{page}");
        assert!(page.contains("data-status=\"in-progress\""), "{page}");

        // A refused change: the page again with why, nothing added.
        let refused = analyst
            .post_form(
                &format!("{href}/tasks"),
                &[("task", "nope/nothing"), ("status", "done")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("id=\"incident-problem\""));
        // A note, a decision, an improvement, a new estimate.
        for (path, fields) in [
            (
                "entries",
                vec![("type", "note"), ("text", "Meridian <confirms> encryption")],
            ),
            (
                "entries",
                vec![("type", "decision"), ("text", "Order by phone")],
            ),
            (
                "entries",
                vec![
                    ("type", "improvement"),
                    ("text", "Keep a paper order form"),
                    ("owner", "Materials manager"),
                    ("function", "supply-chain"),
                ],
            ),
            (
                "update",
                vec![("expected_ttr", "14"), ("reason", "restoration slips")],
            ),
        ] {
            let reply = analyst.post_form(&format!("{href}/{path}"), &fields).await;
            assert_eq!(
                reply.status,
                StatusCode::SEE_OTHER,
                "{label}: {path} {fields:?}: {}",
                reply.text()
            );
        }
        let page = analyst.get(&href).await.text();
        assert!(
            page.contains("Meridian &#60;confirms&#62; encryption")
                || page.contains("Meridian &lt;confirms&gt; encryption"),
            "{page}"
        );
        assert!(
            page.contains("Improvement (Supply chain and operations, owner Materials manager)"),
            "{page}"
        );

        // The report, in the dashboard and as downloads.
        let report = analyst.get(&format!("{href}/report")).await;
        assert_eq!(report.status, StatusCode::OK, "{label}: {}", report.text());
        assert!(report.text().contains("id=\"incident-report\""));
        assert!(!report.text().contains("<style"), "{}", report.text());
        assert_eq!(report.text().matches("<main").count(), 1);
        let markdown = analyst.get(&format!("{href}/report?format=markdown")).await;
        assert_eq!(markdown.status, StatusCode::OK);
        assert!(
            markdown.headers["content-disposition"]
                .to_str()
                .expect("a header")
                .starts_with("attachment")
        );

        // Without the session's CSRF token, nothing changes.
        let before = app
            .get(&format!("/api/v1/incidents/{id}/timeline"), &admin)
            .await
            .text();
        for (path, fields) in [
            (
                format!("{href}/tasks"),
                vec![
                    ("task", task.as_str()),
                    ("status", "done"),
                    ("csrf", "forged"),
                ],
            ),
            (
                format!("{href}/entries"),
                vec![("type", "note"), ("text", "x"), ("csrf", "forged")],
            ),
            (
                format!("{href}/update"),
                vec![("expected_ttr", "3"), ("csrf", "forged")],
            ),
            (format!("{href}/close"), vec![("csrf", "forged")]),
            (
                "/incidents".to_owned(),
                vec![
                    ("network", network.as_str()),
                    ("title", "x"),
                    ("kind", "other"),
                    ("entities", "edi-hub"),
                    ("expected_ttr", "1"),
                    ("csrf", ""),
                ],
            ),
        ] {
            let reply = analyst.post_form(&path, &fields).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{label}: {path}");
        }
        let after = app
            .get(&format!("/api/v1/incidents/{id}/timeline"), &admin)
            .await
            .text();
        assert_eq!(before, after, "{label}");
        assert_eq!(
            app.get("/api/v1/incidents", &admin).await.json()["incidents"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );

        // A viewer reads the page and the list, without a form, and cannot post.
        let viewer = Browser::login(&app, "vera").await;
        let page = viewer.get(&href).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert!(!page.text().contains("class=\"task-status\""));
        assert!(!page.text().contains("id=\"incident-close\""));
        let list = viewer.get("/incidents").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.text().contains(&href), "{}", list.text());
        assert!(!list.text().contains("id=\"declare-incident\""));
        let refused = viewer
            .post_form(
                &format!("{href}/entries"),
                &[("type", "note"), ("text", "x")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let refused = viewer
            .post_form(
                "/incidents",
                &[
                    ("network", &network),
                    ("title", "x"),
                    ("kind", "other"),
                    ("entities", "edi-hub"),
                    ("expected_ttr", "1"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        // Every change form, tried as a viewer, a partner and another organisation's admin.
        let change_forms = [
            (
                format!("{href}/tasks"),
                vec![("task", task.as_str()), ("status", "done")],
            ),
            (
                format!("{href}/entries"),
                vec![("type", "note"), ("text", "x")],
            ),
            (format!("{href}/update"), vec![("expected_ttr", "3")]),
            (format!("{href}/close"), vec![("summary", "x")]),
        ];
        for (user, expected) in [
            ("vera", StatusCode::FORBIDDEN),
            ("pat", StatusCode::FORBIDDEN),
            ("sam", StatusCode::NOT_FOUND),
        ] {
            let browser = Browser::login(&app, user).await;
            for (path, fields) in &change_forms {
                let refused = browser.post_form(path, fields).await;
                assert_eq!(
                    refused.status,
                    expected,
                    "{user} {path}: {}",
                    refused.text()
                );
            }
        }

        // A partner of the organisation sees none of it.
        let partner = Browser::login(&app, "pat").await;
        assert_eq!(
            partner.get("/incidents").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(partner.get(&href).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            partner.get(&format!("{href}/report")).await.status,
            StatusCode::FORBIDDEN
        );

        // Another organisation's admin: no such incident, and its list is empty.
        let other = Browser::login(&app, "sam").await;
        let seen = other.get(&href).await;
        assert_eq!(seen.status, StatusCode::NOT_FOUND, "{}", seen.text());
        assert!(!seen.text().contains("Meridian"), "{}", seen.text());
        assert_eq!(
            other.get(&format!("{href}/report")).await.status,
            StatusCode::NOT_FOUND
        );
        let list = other.get("/incidents").await.text();
        assert!(!list.contains(&id), "{list}");
        // Nor can it post to Mercy's incident, or declare on Mercy's network.
        let refused = other
            .post_form(
                &format!("{href}/entries"),
                &[("type", "note"), ("text", "x")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.text());
        let refused = other
            .post_form(
                "/incidents",
                &[
                    ("network", &network),
                    ("title", "x"),
                    ("kind", "other"),
                    ("entities", "edi-hub"),
                    ("expected_ttr", "1"),
                ],
            )
            .await;
        assert!(refused.status.is_client_error(), "{}", refused.status);
        assert!(
            !refused.text().contains("edi-hub</code>"),
            "{}",
            refused.text()
        );
        assert_eq!(
            app.get(&format!("/api/v1/incidents/{id}/timeline"), &admin)
                .await
                .text(),
            after
        );

        // Closing from the page: no form afterwards.
        let closed = analyst
            .post_form(&format!("{href}/close"), &[("summary", "Restored")])
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.text());
        let page = analyst.get(&href).await.text();
        assert!(!page.contains("class=\"task-status\""), "{page}");
        assert!(hidden(&page, "csrf").is_some(), "the logout form is there");
        let late = analyst
            .post_form(
                &format!("{href}/entries"),
                &[("type", "note"), ("text", "late")],
            )
            .await;
        assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.text());
    }
}
