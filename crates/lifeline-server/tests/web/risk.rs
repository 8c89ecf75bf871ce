//! The vendor risk pages: `/risk` ranks the register the API scores, with the heat map;
//! the vendor's report sits in the dashboard and downloads as Markdown; the overview lists
//! the vendor evidence to renew; partners see none of it.

use axum::http::{Method, StatusCode};
use lifeline_store::Role;
use serde_json::json;

use crate::Browser;
use crate::common::apps;

#[tokio::test(flavor = "multi_thread")]
async fn the_risk_pages_show_the_scored_register_and_the_evidence_to_renew() {
    for app in apps().await {
        let label = app.db.label;
        let admin = app.user("Mercy Hospital", "ada", Role::Admin).await;
        app.user("Mercy Hospital", "pat", Role::Partner).await;
        let network = app.upload_example(&admin, "iv-fluids.json").await;
        let browser = Browser::login(&app, "ada").await;

        // Before a stress test: the page says what is missing, and links nowhere broken.
        let page = browser.get("/risk").await;
        assert_eq!(page.status, StatusCode::OK, "{label}: {}", page.text());
        assert!(
            page.text().contains("id=\"risk-problem\""),
            "{}",
            page.text()
        );
        assert!(
            page.text().contains("href=\"/risk\""),
            "the nav has the tab"
        );

        // Evidence that expires in ten days, from today.
        let soon = time::OffsetDateTime::now_utc().date() + time::Duration::days(10);
        let soon = lifeline_risk::date::format(soon);
        let register = json!({
            "format": "lifeline-vendors/1",
            "vendors": [{"id": "meridian-edi", "name": "Meridian <EDI>", "kind": "it-platform",
                "controls": {"mfa": {"in_place": true,
                    "evidence": [{"kind": "soc2-type2", "expires": soon}]}}}]
        });
        let reply = app
            .send(
                Method::PUT,
                "/api/v1/vendors",
                Some(&admin),
                Some(("application/json", register.to_string().into_bytes())),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        app.stress_and_wait(&admin, &network).await;

        let page = browser.get(&format!("/risk?network={network}")).await;
        assert_eq!(page.status, StatusCode::OK, "{label}: {}", page.text());
        let text = page.text();
        assert!(text.contains("id=\"risk-register\""), "{text}");
        assert!(text.contains("id=\"risk-heatmap\""), "{text}");
        // One element per id: the figure around the heat map is not the SVG's id.
        assert_eq!(text.matches("id=\"risk-heatmap\"").count(), 1, "{text}");
        assert!(text.contains("<svg"), "{text}");
        // Names are escaped, never markup.
        assert!(
            text.contains("Meridian &lt;EDI&gt;") || text.contains("Meridian &#60;EDI&#62;"),
            "{text}"
        );
        assert!(!text.contains("Meridian <EDI>"), "{text}");
        let vendor_href = format!("/risk/vendors/meridian-edi?network={network}");
        assert!(text.contains(&vendor_href), "{text}");
        // The reminders: the evidence expiring in ten days.
        assert!(text.contains("id=\"reminders\""), "{text}");
        assert!(text.contains(&soon), "{text}");

        let report = browser.get(&vendor_href).await;
        assert_eq!(report.status, StatusCode::OK, "{label}: {}", report.text());
        let text = report.text();
        assert!(text.contains("id=\"vendor-report\""), "{text}");
        assert!(
            !text.contains("<style"),
            "the report's own style is left out: {text}"
        );
        assert_eq!(text.matches("<main").count(), 1, "one main element: {text}");
        let markdown = browser.get(&format!("{vendor_href}&format=markdown")).await;
        assert_eq!(markdown.status, StatusCode::OK, "{}", markdown.text());
        assert!(
            markdown.headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment"),
        );
        let unknown = browser
            .get(&format!("/risk/vendors/nobody?network={network}"))
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);

        // An analyst creates a one-time questionnaire link on the page; it is shown once
        // and opens the vendor's form without a session.
        let action = "/risk/vendors/meridian-edi/questionnaires";
        let created = browser
            .post_form(
                action,
                &[
                    ("framework", "hicp"),
                    ("expires_in_days", "7"),
                    ("network", &network),
                ],
            )
            .await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{label}: {}",
            created.text()
        );
        let text = created.text();
        let at = text.find("id=\"new-link-url\">").expect("the new link") + 18;
        let link = text[at..].split('<').next().expect("the link").to_owned();
        assert!(link.starts_with("/q/llq_"), "{link}");
        let form = app.send(Method::GET, &link, None, None).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text());
        assert!(form.text().contains("HICP"), "{}", form.text());
        // Listed on the page afterwards, without the token.
        let again = browser.get(&vendor_href).await.text();
        assert!(again.contains("id=\"vendor-links\""), "{again}");
        assert!(!again.contains(&link), "the token is shown once");
        let refused = browser
            .post_form(action, &[("framework", "hicp"), ("csrf", "csrf_wrong")])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let refused = browser.post_form(action, &[("framework", "iso")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

        // An analyst stores an evidence file from the page: sealed at rest, listed, and
        // refused without the file, with a bad date, or with a forged csrf token.
        let evidence_action = "/risk/vendors/meridian-edi/evidence";
        let report_pdf: &[u8] = b"%PDF-1.7 Meridian EDI SOC 2 Type II bridge letter";
        let stored = browser
            .post_multipart(
                evidence_action,
                &[
                    ("kind", "soc2-type2"),
                    ("expires", "2027-06-30"),
                    ("network", &network),
                ],
                Some(("file", "bridge-letter.pdf", report_pdf)),
            )
            .await;
        assert_eq!(
            stored.status,
            StatusCode::CREATED,
            "{label}: {}",
            stored.text()
        );
        let text = stored.text();
        assert!(text.contains("id=\"vendor-evidence\""), "{text}");
        assert!(text.contains("bridge-letter.pdf"), "{text}");
        assert!(text.contains("2027-06-30"), "{text}");
        let files = app
            .get("/api/v1/vendors/meridian-edi/evidence", &admin)
            .await
            .json();
        assert_eq!(
            files["evidence"].as_array().map(Vec::len),
            Some(1),
            "{files}"
        );
        for (fields, file, status) in [
            (
                vec![("kind", "soc2-type2")],
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                vec![("kind", "soc2-type2"), ("expires", "next june")],
                Some(("file", "x.pdf", report_pdf)),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                vec![("kind", "soc2-type2"), ("csrf", "csrf_wrong")],
                Some(("file", "x.pdf", report_pdf)),
                StatusCode::FORBIDDEN,
            ),
        ] {
            let refused = browser.post_multipart(evidence_action, &fields, file).await;
            assert_eq!(
                refused.status,
                status,
                "{label}: {fields:?}: {}",
                refused.text()
            );
        }

        // The overview lists the evidence to renew.
        let overview = browser.get("/").await.text();
        assert!(overview.contains("id=\"reminders\""), "{overview}");
        assert!(overview.contains(&soon), "{overview}");

        // A viewer reads the report but creates no link.
        app.user("Mercy Hospital", "val", Role::Viewer).await;
        let viewer = Browser::login(&app, "val").await;
        let page = viewer.get(&vendor_href).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.text().contains("id=\"questionnaire-link\""));
        assert!(!page.text().contains("id=\"evidence-upload\""));
        let refused = viewer
            .post_multipart(
                evidence_action,
                &[("kind", "pen-test")],
                Some(("file", "x.pdf", report_pdf)),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let refused = viewer.post_form(action, &[("framework", "csf2")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);

        // Another organisation's admin reaches none of Mercy's vendors: not its report,
        // not a link, not an evidence upload; Mercy's links and files stay as they were.
        app.user("Valley Clinic", "sam", Role::Admin).await;
        let other = Browser::login(&app, "sam").await;
        let seen = other.get(&vendor_href).await;
        assert!(
            matches!(seen.status, StatusCode::NOT_FOUND | StatusCode::CONFLICT),
            "{label}: {}",
            seen.status
        );
        assert!(
            !seen.text().contains("Meridian &lt;EDI&gt;"),
            "{}",
            seen.text()
        );
        let refused = other.post_form(action, &[("framework", "hicp")]).await;
        assert!(refused.status.is_client_error(), "{}", refused.status);
        let refused = other
            .post_multipart(
                evidence_action,
                &[("kind", "pen-test")],
                Some(("file", "x.pdf", report_pdf)),
            )
            .await;
        assert!(refused.status.is_client_error(), "{}", refused.status);
        let files = app
            .get("/api/v1/vendors/meridian-edi/evidence", &admin)
            .await
            .json();
        assert_eq!(
            files["evidence"].as_array().map(Vec::len),
            Some(1),
            "{files}"
        );
        let links = app
            .get("/api/v1/vendors/meridian-edi/questionnaires", &admin)
            .await
            .json();
        assert_eq!(
            links["questionnaires"].as_array().map(Vec::len),
            Some(1),
            "{links}"
        );

        // A partner sees none of it.
        let partner = Browser::login(&app, "pat").await;
        assert_eq!(partner.get("/risk").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            partner.get(&vendor_href).await.status,
            StatusCode::FORBIDDEN
        );
        let overview = partner.get("/").await.text();
        assert!(!overview.contains(&soon), "{overview}");
    }
}
