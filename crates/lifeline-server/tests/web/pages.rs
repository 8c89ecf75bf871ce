//! Login, the overview, the stress page and its downloads, an entity's scenario, network
//! uploads; roles, organisations and CSRF on each.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use lifeline_store::Role;

use crate::common::apps;
use crate::{Browser, example, iv_fluids, location, settled, share_with_mercy};

#[tokio::test]
async fn pages_need_a_session_and_the_login_form_says_what_went_wrong() {
    for app in apps().await {
        app.user("north", "ada", Role::Admin).await;
        for path in ["/", "/networks", "/uploads", "/networks/n1/stress"] {
            let reply = app.send(axum::http::Method::GET, path, None, None).await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
            assert!(location(&reply).starts_with("/login"), "{path}");
        }
        let reply = app
            .send(axum::http::Method::GET, "/networks/n1/stress", None, None)
            .await;
        assert_eq!(location(&reply), "/login?next=%2Fnetworks%2Fn1%2Fstress");
        let form = app
            .send(axum::http::Method::GET, "/login", None, None)
            .await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.text().contains("<form id=\"login\""));
        let wrong = app
            .call(
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from("user=ada&password=nope&next=%2F%2Fevil.example"))
                    .expect("a request"),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.text().contains("wrong user name or password"));
        assert!(
            !wrong.text().contains("evil.example"),
            "the next path is dropped"
        );
        // A bearer token does not open pages: browsers use sessions.
        let token = app.user("north", "bob", Role::Analyst).await;
        assert_eq!(app.get("/", &token).await.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn an_uploaded_network_is_stress_tested_and_shown_ranked_with_its_downloads() {
    for app in apps().await {
        let token = app.user("north", "ada", Role::Admin).await;
        let browser = Browser::login(&app, "ada").await;
        let reply = browser
            .post_multipart(
                "/uploads/network",
                &[("name", "")],
                Some(("file", "iv-fluids.json", &example("iv-fluids.json"))),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let stress_path = location(&reply);
        let id = stress_path
            .strip_prefix("/networks/")
            .and_then(|p| p.strip_suffix("/stress"))
            .expect("redirected to the stress page")
            .to_owned();

        let page = settled(&browser, &stress_path).await.text();
        assert!(page.contains("id=\"stress-table\""), "{page}");
        assert!(page.contains("id=\"tts-ttr-chart\""));
        let overview = browser.get("/").await.text();
        let ranking = &overview[overview.find("id=\"ranking\"").expect("the ranking")..];
        let first = &ranking[ranking.find("<tbody>").expect("rows")..];
        let first = &first[..first.find("</tr>").expect("a row")];
        assert!(first.contains(">iv-plant-nc</a>"), "{first}");
        assert!(
            overview.contains("id=\"first-short\""),
            "who runs short first"
        );

        // The result as the API gives it is what the pages read.
        let job = app.get("/api/v1/jobs", &token).await.json();
        let job_id = job["jobs"][0]["id"].as_str().expect("a job").to_owned();
        let json = app
            .get(&format!("/api/v1/jobs/{job_id}/result"), &token)
            .await;
        assert_eq!(json.status, StatusCode::OK);
        let report: lifeline_stress::Report =
            serde_json::from_slice(&json.body).expect("the stress report");
        let nc = report
            .scenarios
            .iter()
            .find(|s| s.id == "iv-plant-nc")
            .expect("the NC plant");

        let entity = browser
            .get(&format!("/networks/{id}/entities/iv-plant-nc"))
            .await
            .text();
        assert!(
            entity.contains(&format!("id=\"tts\" data-value=\"{}\"", nc.tts)),
            "{entity}"
        );
        assert!(entity.contains("id=\"reroute\""));

        let csv = browser.get(&format!("/networks/{id}/stress.csv")).await;
        assert_eq!(csv.status, StatusCode::OK);
        let mut expected = Vec::new();
        lifeline_stress::write_csv(&mut expected, &report.ranked()).expect("csv");
        assert_eq!(csv.body, expected);
        let download = browser.get(&format!("/networks/{id}/stress.json")).await;
        assert_eq!(
            download.body, json.body,
            "the JSON download is the job's result"
        );

        // Sorting by TTS ascending puts the smallest TTS first.
        let sorted = browser
            .get(&format!("/networks/{id}/stress?sort=tts&order=asc"))
            .await
            .text();
        assert!(sorted.contains("aria-sort=\"ascending\""));
        assert_eq!(
            browser
                .get(&format!("/networks/{id}/stress?page=x"))
                .await
                .status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            browser
                .get(&format!("/networks/{id}/entities/no-such-entity"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn roles_organisations_and_csrf_hold_on_every_page() {
    for app in apps().await {
        app.user("north", "ada", Role::Admin).await;
        app.user("north", "val", Role::Viewer).await;
        app.user("south", "sam", Role::Admin).await;
        let admin = Browser::login(&app, "ada").await;
        let id = iv_fluids(&admin).await;
        let stress = format!("/networks/{id}/stress");

        // A viewer reads but finds no upload form, and a forged upload is refused.
        let viewer = Browser::login(&app, "val").await;
        let uploads = viewer.get("/uploads").await.text();
        assert!(!uploads.contains("id=\"network-upload\""));
        assert!(uploads.contains("id=\"no-upload\""));
        assert!(
            !viewer
                .get(&stress)
                .await
                .text()
                .contains("id=\"stress-run\"")
        );
        assert_eq!(viewer.get(&stress).await.status, StatusCode::OK);
        let forged = viewer
            .post_multipart(
                "/uploads/network",
                &[],
                Some(("file", "iv-fluids.json", &example("iv-fluids.json"))),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(
            viewer.post_form(&stress, &[]).await.status,
            StatusCode::FORBIDDEN
        );

        // Another organisation finds nothing.
        let other = Browser::login(&app, "sam").await;
        for path in [
            format!("/?network={id}"),
            stress.clone(),
            format!("/networks/{id}/stress.csv"),
            format!("/networks/{id}/stress.json"),
            format!("/networks/{id}/entities/iv-plant-nc"),
        ] {
            assert_eq!(
                other.get(&path).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        assert!(!other.get("/networks").await.text().contains(&id));
        assert_eq!(
            other.post_form(&stress, &[]).await.status,
            StatusCode::NOT_FOUND
        );

        // A partner organisation sees a network only once it is shared with it, read-only.
        app.user("mercy", "paul", Role::Partner).await;
        let partner = Browser::login(&app, "paul").await;
        assert_eq!(partner.get(&stress).await.status, StatusCode::NOT_FOUND);
        share_with_mercy(&app, &id).await;
        let page = partner.get(&stress).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("id=\"stress-table\""));
        assert!(!page.text().contains("id=\"stress-run\""));
        assert!(partner.get("/").await.text().contains("id=\"ranking\""));
        assert!(
            !partner
                .get("/uploads")
                .await
                .text()
                .contains("id=\"network-upload\"")
        );
        assert_eq!(
            partner.post_form(&stress, &[]).await.status,
            StatusCode::FORBIDDEN
        );

        // Without the session's CSRF token, nothing changes.
        let forged = admin
            .post_multipart(
                "/uploads/network",
                &[("csrf", "not-the-token")],
                Some(("file", "iv-fluids.json", &example("iv-fluids.json"))),
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(
            admin.post_form(&stress, &[("csrf", "x")]).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            admin.post_form("/logout", &[("csrf", "x")]).await.status,
            StatusCode::FORBIDDEN
        );
        // With it, a new sweep starts, and logging out ends the session.
        let rerun = admin.post_form(&stress, &[]).await;
        assert_eq!(rerun.status, StatusCode::SEE_OTHER);
        settled(&admin, &stress).await;
        let out = admin.post_form("/logout", &[]).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(admin.get("/").await.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn a_refused_upload_names_the_file_entity_and_field_and_names_are_escaped() {
    for app in apps().await {
        app.user("north", "ada", Role::Analyst).await;
        let browser = Browser::login(&app, "ada").await;
        let mut network: serde_json::Value =
            serde_json::from_slice(&example("iv-fluids.json")).expect("json");
        network["edges"][3]["to"] = "no-such-node".into();
        network["nodes"][0]["capacity"] = (-5).into();
        let bytes = serde_json::to_vec(&network).expect("json");
        let reply = browser
            .post_multipart(
                "/uploads/network",
                &[],
                Some(("file", "broken.json", &bytes)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let page = reply.text();
        assert!(page.contains("id=\"upload-errors\""), "{page}");
        assert!(page.contains("broken.json"));
        assert!(page.contains("edges[3].to"), "{page}");
        assert!(page.contains("nodes[0].capacity"), "{page}");
        assert!(
            page.contains("id=\"network-upload\""),
            "the form is there to try again"
        );

        let reply = browser
            .post_multipart(
                "/uploads/network",
                &[],
                Some(("file", "notes.txt", b"hello")),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(reply.text().contains("notes.txt"));

        let reply = browser
            .post_multipart(
                "/uploads/network",
                &[("name", "<script>alert(1)</script>")],
                Some(("file", "iv-fluids.json", &example("iv-fluids.json"))),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let list = browser.get("/networks").await.text();
        assert!(
            list.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                || list.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{list}"
        );
        assert!(!list.contains("<script>alert"));
    }
}

#[tokio::test]
async fn the_login_form_warns_when_the_browser_will_drop_the_secure_cookie() {
    let app = apps().await.remove(0);
    let login = |host: &'static str, proto: Option<&'static str>| {
        let mut request = Request::get("/login").header(header::HOST, host);
        if let Some(proto) = proto {
            request = request.header("x-forwarded-proto", proto);
        }
        app.call(request.body(Body::empty()).expect("a request"))
    };
    // Plain HTTP to another host: a Secure cookie would be dropped; the page says so.
    let page = login("lifeline.example:8080", None).await.text();
    assert!(page.contains("id=\"insecure-transport\""), "{page}");
    // This machine, or a proxy that terminated TLS: browsers keep the cookie.
    for (host, proto) in [
        ("127.0.0.1:8080", None),
        ("localhost:8080", None),
        ("[::1]:8080", None),
        ("lifeline.example", Some("https")),
    ] {
        let page = login(host, proto).await.text();
        assert!(!page.contains("insecure-transport"), "{host} {proto:?}");
    }
}

#[tokio::test]
async fn assets_are_embedded_and_revalidated() {
    let app = apps().await.remove(0);
    let reply = app
        .send(axum::http::Method::GET, "/assets/app.css", None, None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let etag = reply.headers[header::ETAG]
        .to_str()
        .expect("etag")
        .to_owned();
    assert!(
        reply.headers[header::CONTENT_TYPE]
            .to_str()
            .expect("type")
            .starts_with("text/css")
    );
    let again = app
        .call(
            Request::get("/assets/app.css")
                .header(header::IF_NONE_MATCH, &etag)
                .body(Body::empty())
                .expect("a request"),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let missing = app
        .send(axum::http::Method::GET, "/assets/nope.js", None, None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text().contains("<html"));
}
