//! The TAXII 2.1 server: the real PyPI `taxii2-client` against a server listening on
//! 127.0.0.1 (tools/taxii-client-check.py), the media type, authentication and access
//! answers (401/403/404/406/413/415/422), paging and filters, TLP filtering of what
//! partners read, and every route tried as another organisation and as the partner role.
#![allow(
    clippy::unwrap_used,
    reason = "a test stops at the first unexpected value, and the assertion names it"
)]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine as _;
use common::{Reply, TestApp};
use lifeline_server::Config;
use lifeline_share::Tlp;
use lifeline_store::{NewCollection, Role, TaxiiGrant};
use serde_json::{Value, json};

const TAXII: &str = "application/taxii+json;version=2.1";

fn indicator(n: u32, modified: &str, tlp: Tlp) -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--00000000-0000-4000-8000-{n:012}"),
        "created": "2026-12-01T00:00:00.000Z", "modified": modified,
        "pattern": "[email-addr:value = 'x@example.org']", "pattern_type": "stix",
        "valid_from": "2026-12-01T00:00:00Z",
        "object_marking_refs": [tlp.marking_definition_id()],
    })
}

/// The organisations and tokens of a test: `us` owns a collection; `isac` may read it up
/// to TLP:GREEN and write it; `regulator` may read it up to RED (named); `other` has no
/// grant.
struct World {
    us_root: String,
    collection: String,
    admin: String,
    viewer: String,
    partner: String,
    isac: String,
    isac_partner: String,
    regulator: String,
    other: String,
}

async fn world(app: &TestApp) -> World {
    let admin = app.user("us", "us-admin", Role::Admin).await;
    let viewer = app.user("us", "us-viewer", Role::Viewer).await;
    let partner = app.user("us", "us-partner", Role::Partner).await;
    let isac = app.user("isac", "isac-analyst", Role::Analyst).await;
    let isac_partner = app.user("isac", "isac-partner", Role::Partner).await;
    let regulator = app.user("regulator", "reg-analyst", Role::Analyst).await;
    let other = app.user("other", "other-admin", Role::Admin).await;
    let org =
        |name: &'static str| async move { app.store.org_by_name(name).await.unwrap().unwrap().id };
    let us_root = org("us").await;
    let collection = app
        .store
        .create_collection(
            &us_root,
            &NewCollection {
                title: "Indicators for partners".into(),
                description: Some("What we saw".into()),
                grants: vec![
                    TaxiiGrant {
                        org_id: org("isac").await,
                        read: true,
                        write: true,
                        clearance: Tlp::Green,
                    },
                    TaxiiGrant {
                        org_id: org("regulator").await,
                        read: true,
                        write: false,
                        clearance: Tlp::Red,
                    },
                ],
            },
            "test",
        )
        .await
        .unwrap();
    World {
        us_root,
        collection,
        admin,
        viewer,
        partner,
        isac,
        isac_partner,
        regulator,
        other,
    }
}

async fn taxii(
    app: &TestApp,
    method: Method,
    path: &str,
    auth: Option<String>,
    body: Option<(&str, String)>,
) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("accept", TAXII);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let request = match body {
        Some((content_type, text)) => request
            .header("content-type", content_type)
            .body(Body::from(text)),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let reply = app.call(request).await;
    assert_eq!(
        reply
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some(TAXII),
        "{path}: every answer is TAXII JSON: {}",
        reply.text()
    );
    reply
}

fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

fn basic(user: &str, token: &str) -> Option<String> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{token}"));
    Some(format!("Basic {encoded}"))
}

async fn get(app: &TestApp, path: &str, token: &str) -> Reply {
    taxii(app, Method::GET, path, bearer(token), None).await
}

async fn post(app: &TestApp, path: &str, token: &str, objects: &[Value]) -> Reply {
    let body = json!({ "objects": objects }).to_string();
    taxii(app, Method::POST, path, bearer(token), Some((TAXII, body))).await
}

#[tokio::test]
async fn reads_writes_filters_and_pages() {
    for app in common::apps().await {
        let w = world(&app).await;
        let objects_url = format!(
            "/taxii2/{}/collections/{}/objects/",
            w.us_root, w.collection
        );
        let mut objects: Vec<Value> = (0..10)
            .map(|n| indicator(n, "2026-12-02T00:00:00.000Z", Tlp::Green))
            .collect();
        objects.push(indicator(0, "2026-12-03T00:00:00.000Z", Tlp::Green));
        objects.push(indicator(20, "2026-12-02T00:00:00.000Z", Tlp::Amber));
        objects.push(indicator(21, "2026-12-02T00:00:00.000Z", Tlp::AmberStrict));
        objects.push(indicator(22, "2026-12-02T00:00:00.000Z", Tlp::Red));
        let mut unmarked = indicator(23, "2026-12-02T00:00:00.000Z", Tlp::Clear);
        unmarked
            .as_object_mut()
            .unwrap()
            .remove("object_marking_refs");
        objects.push(unmarked);
        objects.push(json!({"type": "indicator", "id": "indicator--not-a-uuid"}));
        let reply = post(&app, &objects_url, &w.admin, &objects).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
        let status = reply.json();
        assert_eq!(status["status"], "complete");
        assert_eq!(status["success_count"], 15);
        assert_eq!(status["failure_count"], 1);
        assert_eq!(status["failures"][0]["id"], "indicator--not-a-uuid");
        // Posting the same again: already present versions are successes.
        let again = post(&app, &objects_url, &w.admin, &objects[..2]).await;
        assert_eq!(again.json()["success_count"], 2);
        let status_url = format!(
            "/taxii2/{}/status/{}/",
            w.us_root,
            status["id"].as_str().unwrap()
        );
        let read = get(&app, &status_url, &w.admin).await;
        assert_eq!(read.status, StatusCode::OK);
        assert_eq!(read.json()["total_count"], 16);

        // The owner reads every last version: 14 objects, by date_added, in pages.
        let all = get(&app, &objects_url, &w.viewer).await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.text());
        let all = all.json();
        assert_eq!(all["more"], false);
        assert_eq!(all["objects"].as_array().unwrap().len(), 14);
        let page = get(&app, &format!("{objects_url}?limit=4"), &w.admin).await;
        let first_added = page.headers["x-taxii-date-added-first"]
            .to_str()
            .unwrap()
            .to_owned();
        let last_added = page.headers["x-taxii-date-added-last"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            first_added.len() == 27 && first_added.ends_with('Z'),
            "{first_added}"
        );
        assert!(first_added < last_added);
        let page = page.json();
        assert_eq!(page["more"], true);
        let next = page["next"].as_str().unwrap().to_owned();
        let mut seen = 4;
        let mut next = Some(next);
        while let Some(token) = next {
            let reply = get(
                &app,
                &format!("{objects_url}?limit=4&next={token}"),
                &w.admin,
            )
            .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
            let body = reply.json();
            seen += body["objects"].as_array().unwrap().len();
            next = body["next"].as_str().map(str::to_owned);
            assert_eq!(body["more"], next.is_some());
        }
        assert_eq!(seen, 14);
        // A next token with other filters, a bad limit, an unknown parameter: 400.
        let token = page["next"].as_str().unwrap();
        for query in [
            format!("?limit=4&next={token}&match[type]=indicator"),
            "?limit=0".to_owned(),
            "?limit=many".to_owned(),
            "?match[colour]=red".to_owned(),
            "?added_after=yesterday".to_owned(),
            "?match[version]=soon".to_owned(),
        ] {
            let reply = get(&app, &format!("{objects_url}{query}"), &w.admin).await;
            assert_eq!(
                reply.status,
                StatusCode::BAD_REQUEST,
                "{query}: {}",
                reply.text()
            );
            assert_eq!(reply.json()["http_status"], "400");
        }
        // added_after: strictly later.
        let later = get(
            &app,
            &format!("{objects_url}?added_after={last_added}"),
            &w.admin,
        )
        .await;
        assert_eq!(later.json()["objects"].as_array().unwrap().len(), 10);
        // Filters: id, type, version, spec_version.
        let id0 = objects[0]["id"].as_str().unwrap();
        let one = get(
            &app,
            &format!("{objects_url}?match[id]={id0}&match[version]=all"),
            &w.admin,
        )
        .await;
        assert_eq!(one.json()["objects"].as_array().unwrap().len(), 2);
        let first = get(
            &app,
            &format!("{objects_url}?match[id]={id0}&match[version]=first"),
            &w.admin,
        )
        .await;
        assert_eq!(
            first.json()["objects"][0]["modified"],
            "2026-12-02T00:00:00.000Z"
        );
        let at = get(
            &app,
            &format!("{objects_url}?match[id]={id0}&match[version]=2026-12-03T00:00:00.000Z"),
            &w.admin,
        )
        .await;
        assert_eq!(
            at.json()["objects"][0]["modified"],
            "2026-12-03T00:00:00.000Z"
        );
        let none = get(
            &app,
            &format!("{objects_url}?match[type]=malware"),
            &w.admin,
        )
        .await;
        assert_eq!(none.json(), json!({"more": false}));
        let old = get(
            &app,
            &format!("{objects_url}?match[spec_version]=2.0"),
            &w.admin,
        )
        .await;
        assert_eq!(old.json(), json!({"more": false}));
        // One object, its versions, the manifest.
        let object = get(&app, &format!("{objects_url}{id0}/"), &w.admin).await;
        assert_eq!(
            object.json()["objects"][0]["modified"],
            "2026-12-03T00:00:00.000Z"
        );
        let versions = get(&app, &format!("{objects_url}{id0}/versions/"), &w.admin).await;
        assert_eq!(
            versions.json()["versions"],
            json!(["2026-12-02T00:00:00.000Z", "2026-12-03T00:00:00.000Z"])
        );
        assert!(versions.headers.contains_key("x-taxii-date-added-last"));
        let missing = get(
            &app,
            &format!("{objects_url}indicator--00000000-0000-4000-8000-999999999999/"),
            &w.admin,
        )
        .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let manifest_url = format!(
            "/taxii2/{}/collections/{}/manifest/",
            w.us_root, w.collection
        );
        let manifest = get(&app, &format!("{manifest_url}?limit=3"), &w.admin).await;
        assert!(manifest.headers.contains_key("x-taxii-date-added-first"));
        let manifest = manifest.json();
        assert_eq!(manifest["more"], true);
        assert_eq!(
            manifest["objects"][0]["media_type"],
            "application/stix+json;version=2.1"
        );
        assert!(manifest["objects"][0]["date_added"].is_string());

        // TLP: the ISAC, cleared for green, reads the 10 green objects and nothing else;
        // the regulator, granted red (which names it), reads green, amber (the unmarked
        // object counts as amber) and red, never amber+strict.
        let isac = get(&app, &objects_url, &w.isac).await.json();
        let marks: Vec<&str> = isac["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["object_marking_refs"][0].as_str().unwrap())
            .collect();
        assert_eq!(marks.len(), 10, "{isac}");
        assert!(
            marks
                .iter()
                .all(|m| *m == Tlp::Green.marking_definition_id())
        );
        let isac_manifest = get(&app, &manifest_url, &w.isac).await.json();
        assert_eq!(isac_manifest["objects"].as_array().unwrap().len(), 10);
        let hidden = objects[13]["id"].as_str().unwrap();
        let reply = get(&app, &format!("{objects_url}{hidden}/"), &w.isac).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "a RED object is not the ISAC's"
        );
        let reg = get(&app, &objects_url, &w.regulator).await.json();
        let reg_ids: Vec<&str> = reg["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap())
            .collect();
        assert_eq!(reg_ids.len(), 13, "all but AMBER+STRICT: {reg_ids:?}");
        assert!(!reg_ids.contains(&objects[12]["id"].as_str().unwrap()));
        // The isac may write (analyst) but its partner-role user may not; the regulator's
        // grant is read-only; the owner's viewer may not write.
        let extra = [indicator(30, "2026-12-04T00:00:00.000Z", Tlp::Green)];
        assert_eq!(
            post(&app, &objects_url, &w.isac, &extra).await.status,
            StatusCode::ACCEPTED
        );
        for token in [&w.isac_partner, &w.regulator, &w.viewer] {
            let reply = post(&app, &objects_url, token, &extra).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text());
            assert_eq!(reply.json()["http_status"], "403");
        }
        app.store.close().await;
    }
}

#[tokio::test]
async fn media_types_authentication_and_sizes() {
    let config = Config {
        limits: lifeline_server::Limits {
            upload_bytes: 4096,
            ..Default::default()
        },
        ..Default::default()
    };
    for app in common::apps_with(&config).await {
        let w = world(&app).await;
        let objects_url = format!(
            "/taxii2/{}/collections/{}/objects/",
            w.us_root, w.collection
        );
        let one =
            json!({"objects": [indicator(1, "2026-12-02T00:00:00.000Z", Tlp::Green)]}).to_string();
        // 401: no credentials, an unknown token, Basic with another user's name.
        for auth in [
            None,
            bearer("llt_nope"),
            basic("us-admin", "llt_nope"),
            basic("isac-analyst", &w.admin),
        ] {
            let reply = taxii(&app, Method::GET, "/taxii2/", auth.clone(), None).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{auth:?}");
            assert_eq!(reply.json()["http_status"], "401");
            assert!(reply.headers.contains_key("www-authenticate"));
        }
        // Basic with the user name and token works, as Bearer does.
        let reply = taxii(
            &app,
            Method::GET,
            "/taxii2/",
            basic("us-admin", &w.admin),
            None,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        assert_eq!(reply.json()["default"], format!("/taxii2/{}/", w.us_root));
        // 406: an Accept without TAXII 2.1.
        for accept in ["application/json", "application/taxii+json;version=2.0"] {
            let request = Request::builder()
                .uri(&objects_url)
                .header("accept", accept)
                .header("authorization", format!("Bearer {}", w.admin))
                .body(Body::empty())
                .unwrap();
            let reply = app.call(request).await;
            assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE, "{accept}");
            assert_eq!(reply.headers["content-type"], TAXII);
        }
        // 415: a POST of another media type.
        for content_type in [
            "application/json",
            "application/stix+json;version=2.1",
            "application/taxii+json;version=2.0",
        ] {
            let reply = taxii(
                &app,
                Method::POST,
                &objects_url,
                bearer(&w.admin),
                Some((content_type, one.clone())),
            )
            .await;
            assert_eq!(
                reply.status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{content_type}"
            );
        }
        // 413: over max_content_length, which the API root announces.
        let root = get(&app, &format!("/taxii2/{}/", w.us_root), &w.admin)
            .await
            .json();
        assert_eq!(root["max_content_length"], 4096);
        let big: Vec<Value> = (0..40)
            .map(|n| indicator(n, "2026-12-02T00:00:00.000Z", Tlp::Green))
            .collect();
        let reply = post(&app, &objects_url, &w.admin, &big).await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(reply.json()["http_status"], "413");
        // 422: a bare object, not an envelope; 400 for what is not JSON.
        let bare = indicator(1, "2026-12-02T00:00:00.000Z", Tlp::Green).to_string();
        let reply = taxii(
            &app,
            Method::POST,
            &objects_url,
            bearer(&w.admin),
            Some((TAXII, bare)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.json()["title"], "ProcessingError");
        let reply = taxii(
            &app,
            Method::POST,
            &objects_url,
            bearer(&w.admin),
            Some((TAXII, "{".into())),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        // 404 for unknown roots, collections, statuses, paths.
        for path in [
            "/taxii2/org_000000000000000000000000/".to_owned(),
            format!(
                "/taxii2/{}/collections/00000000-0000-4000-8000-000000000000/",
                w.us_root
            ),
            format!(
                "/taxii2/{}/status/00000000-0000-4000-8000-000000000000/",
                w.us_root
            ),
            "/taxii2".to_owned(),
        ] {
            let reply = get(&app, &path, &w.admin).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        }
        app.store.close().await;
    }
}

/// Every route as another organisation (404: it may not know the collection exists) and
/// as the partner role of the owning organisation (its own root is not a partner's).
#[tokio::test]
async fn every_route_as_another_organisation_and_as_the_partner_role() {
    for app in common::apps().await {
        let w = world(&app).await;
        let base = format!("/taxii2/{}", w.us_root);
        let objects_url = format!("{base}/collections/{}/objects/", w.collection);
        let object = indicator(1, "2026-12-02T00:00:00.000Z", Tlp::Clear);
        let reply = post(&app, &objects_url, &w.admin, std::slice::from_ref(&object)).await;
        let status_id = reply.json()["id"].as_str().unwrap().to_owned();
        let id = object["id"].as_str().unwrap();
        let gets = [
            format!("{base}/"),
            format!("{base}/collections/"),
            format!("{base}/collections/{}/", w.collection),
            objects_url.clone(),
            format!("{objects_url}{id}/"),
            format!("{objects_url}{id}/versions/"),
            format!("{base}/collections/{}/manifest/", w.collection),
            format!("{base}/status/{status_id}/"),
        ];
        for token in [&w.other, &w.partner] {
            for path in &gets {
                let reply = get(&app, path, token).await;
                assert_eq!(
                    reply.status,
                    StatusCode::NOT_FOUND,
                    "{path}: {}",
                    reply.text()
                );
            }
            let reply = post(&app, &objects_url, token, std::slice::from_ref(&object)).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND);
            // Discovery answers, without the root.
            let discovery = get(&app, "/taxii2/", token).await.json();
            assert!(
                !discovery["api_roots"].to_string().contains(&w.us_root),
                "{discovery}"
            );
        }
        // The isac's partner-role user reads what was shared with its organisation (CLEAR
        // is within green), but not the owner's status.
        let discovery = get(&app, "/taxii2/", &w.isac_partner).await.json();
        assert_eq!(discovery["api_roots"], json!([format!("{base}/")]));
        for path in &gets[..7] {
            let reply = get(&app, path, &w.isac_partner).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
        }
        let listed = get(&app, &format!("{base}/collections/"), &w.isac_partner)
            .await
            .json();
        assert_eq!(listed["collections"][0]["can_write"], false);
        assert_eq!(listed["collections"][0]["can_read"], true);
        let reply = get(&app, &gets[7], &w.isac_partner).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        app.store.close().await;
    }
}

/// A grant that may write but not read: 403 on reads, 202 on a write.
#[tokio::test]
async fn a_write_only_grant_is_refused_reads() {
    for app in common::apps().await {
        let _ = app.user("us", "us-admin", Role::Admin).await;
        let drop = app.user("drop", "drop-analyst", Role::Analyst).await;
        let us = app.store.org_by_name("us").await.unwrap().unwrap().id;
        let drop_org = app.store.org_by_name("drop").await.unwrap().unwrap().id;
        let collection = app
            .store
            .create_collection(
                &us,
                &NewCollection {
                    title: "Reports in".into(),
                    description: None,
                    grants: vec![TaxiiGrant {
                        org_id: drop_org,
                        read: false,
                        write: true,
                        clearance: Tlp::Clear,
                    }],
                },
                "test",
            )
            .await
            .unwrap();
        let base = format!("/taxii2/{us}/collections/{collection}");
        for path in [format!("{base}/objects/"), format!("{base}/manifest/")] {
            let reply = get(&app, &path, &drop).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        }
        let reply = post(
            &app,
            &format!("{base}/objects/"),
            &drop,
            &[indicator(1, "2026-12-02T00:00:00.000Z", Tlp::Green)],
        )
        .await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
        app.store.close().await;
    }
}

/// The real taxii2-client from PyPI against the server on 127.0.0.1, with HTTP Basic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pypi_taxii2_client_discovers_adds_polls_and_pages() {
    let available = std::process::Command::new("python3")
        .args(["-c", "import taxii2client, requests"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        available,
        "this test needs python3 with the PyPI package taxii2-client: \
         pip install --break-system-packages taxii2-client"
    );
    let app = TestApp::on(lifeline_store::testing::sqlite()).await;
    let w = world(&app).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    let server =
        tokio::spawn(async move { axum::serve(listener, router.into_make_service()).await });
    let script = format!(
        "{}/../../tools/taxii-client-check.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let url = format!("http://{addr}/taxii2/");
    let run = |args: Vec<String>| {
        let script = script.clone();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new("python3")
                .arg(script)
                .args(args)
                .output()
                .expect("python3 runs")
        })
    };
    let args = [
        "--url",
        &url,
        "--user",
        "us-admin",
        "--token",
        &w.admin,
        "--collection",
        &w.collection,
    ];
    let output = run(args.iter().map(|s| s.to_string()).collect())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("all checks passed"),
        "taxii-client-check failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    // The ISAC (analyst, granted write and green) does the same through its own view.
    let args = [
        "--url",
        &url,
        "--user",
        "isac-analyst",
        "--token",
        &w.isac,
        "--collection",
        &w.collection,
        "--objects",
        "5",
        "--page",
        "2",
    ];
    let output = run(args.iter().map(|s| s.to_string()).collect())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "taxii-client-check as the ISAC failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    server.abort();
}
