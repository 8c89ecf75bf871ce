//! The vendor risk register as a service: the scored register is `lifeline risk
//! register`'s document for the same inputs; questionnaire links work once (used, revoked
//! and expired links answer 410, never a 5xx) and the answers become the register's next
//! version; evidence files round-trip and are not stored readable; reminders list the
//! evidence to renew; a bad register is refused with every diagnostic.

mod common;

use std::path::Path;

use axum::http::{Method, StatusCode};
use common::{TestApp, apps};
use lifeline_store::{Role, now_ms};
use serde_json::{Value, json};

const VENDOR: &str = "meridian-edi";
const BOUNDARY: &str = "lifeline-vendor-boundary";

fn repo(relative: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A register of two vendors: the EDI exchange's operator (`edi-hub` of `iv-fluids.json`
/// carries it) and one no entity carries.
fn small_register() -> Value {
    json!({
        "format": "lifeline-vendors/1",
        "as_of": "2026-12-01",
        "vendors": [
            {"id": VENDOR, "name": "Meridian EDI", "kind": "it-platform",
             "controls": {"mfa": true,
                 "offline_backups": {"in_place": true,
                     "evidence": [{"kind": "soc2-type2", "expires": "2026-12-20"}]}},
             "answers": [{"question": "GV.SC-05", "answer": "partial"}]},
            {"id": "far-away", "name": "Far Away Ltd"}
        ]
    })
}

async fn put_register(
    app: &TestApp,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> common::Reply {
    app.send(
        Method::PUT,
        "/api/v1/vendors",
        Some(token),
        Some((content_type, body)),
    )
    .await
}

/// Stores [`small_register`] as `token`'s organisation's register, which must succeed.
async fn store_small_register(app: &TestApp, token: &str) {
    let reply = put_register(
        app,
        token,
        "application/json",
        small_register().to_string().into_bytes(),
    )
    .await;
    reply.assert_status(StatusCode::CREATED);
}

fn evidence_form(kind: &str, expires: &str, name: &str, file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (field, value) in [("kind", kind), ("expires", expires)] {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Sends a form to the public questionnaire page, without credentials.
async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> common::Reply {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                lifeline_text::percent_encoded(k),
                lifeline_text::percent_encoded(v)
            )
        })
        .collect();
    app.send(
        Method::POST,
        path,
        None,
        Some((
            "application/x-www-form-urlencoded",
            body.join("&").into_bytes(),
        )),
    )
    .await
}

async fn public_get(app: &TestApp, path: &str) -> common::Reply {
    app.send(Method::GET, path, None, None).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_risk_register_is_the_clis_for_the_same_inputs() {
    for app in apps().await {
        let label = app.db.label;
        let admin = app.user("Mercy Hospital", "alice", Role::Admin).await;
        let network = app.upload_example(&admin, "iv-fluids.json").await;
        let vendors_text = repo("examples/iv-fluids.vendors.json");
        // No register yet, no stress test yet: 409, saying what to do.
        let reply = app
            .get(&format!("/api/v1/networks/{network}/risk"), &admin)
            .await;
        reply.assert_status_in(StatusCode::CONFLICT, label);
        let reply = put_register(&app, &admin, "application/json", vendors_text.clone()).await;
        reply.assert_status_in(StatusCode::CREATED, label);
        assert_eq!(reply.json()["version"], 1);
        let reply = app
            .get(&format!("/api/v1/networks/{network}/risk"), &admin)
            .await;
        reply.assert_status_in(StatusCode::CONFLICT, label);
        assert!(reply.text().contains("stress"), "{}", reply.text());

        // A stress test, and an SBOM scanned against advisories.
        let job = app.stress_and_wait(&admin, &network).await;
        let url = format!("/api/v1/jobs/{}", job["id"].as_str().expect("a job id"));
        let stress_text = app.get(&format!("{url}/result"), &admin).await.text();
        for (path, body) in [
            (
                "/api/v1/advisories/osv",
                repo("crates/lifeline-vuln/tests/data/osv/osv-linter-testdata/GO-2020-0001.json"),
            ),
            (
                "/api/v1/advisories/kev",
                repo(
                    "crates/lifeline-vuln/tests/data/kev/known_exploited_vulnerabilities.excerpt.json",
                ),
            ),
            (
                "/api/v1/sboms?name=abc",
                repo("crates/lifeline-vuln/tests/data/scan/product-abc.cdx.json"),
            ),
        ] {
            let reply = app
                .send(
                    Method::POST,
                    path,
                    Some(&admin),
                    Some(("application/json", body)),
                )
                .await;
            assert_eq!(
                reply.status,
                StatusCode::CREATED,
                "{path}: {}",
                reply.text()
            );
        }
        let sbom = app.get("/api/v1/sboms", &admin).await.json()["sboms"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let scan_text = app
            .get(&format!("/api/v1/sboms/{sbom}/scan"), &admin)
            .await
            .text();

        // What `lifeline risk register --vendors iv-fluids.vendors.json --network
        // iv-fluids.json --stress STRESS --findings sboms.scan.json --as-of 2026-12-01
        // --format json` computes (crates/lifeline-cli/src/risk.rs), through the same
        // library calls.
        let as_of = lifeline_risk::date::parse("2026-12-01").unwrap();
        let loaded = lifeline_network::from_str_with(
            &String::from_utf8(repo("examples/iv-fluids.json")).unwrap(),
            lifeline_network::Format::Json,
            Path::new("iv-fluids.json"),
            &lifeline_network::ReadLimits::default(),
        )
        .expect("the example network");
        let register = lifeline_risk::register::from_str(
            std::str::from_utf8(&vendors_text).unwrap(),
            lifeline_network::Format::Json,
            Path::new("iv-fluids.vendors.json"),
            Some(&loaded.network),
        )
        .expect("the example register")
        .register;
        let stress: lifeline_stress::Report = serde_json::from_str(&stress_text).unwrap();
        let observations =
            vec![lifeline_risk::findings::read(&scan_text, "sboms.scan.json").expect("the scan")];
        let expected = lifeline_risk::score::score(&lifeline_risk::score::Inputs {
            register: &register,
            network: &loaded.network,
            stress: &stress,
            observations: &observations,
            as_of,
        });
        let reply = app
            .get(
                &format!("/api/v1/networks/{network}/risk?as_of=2026-12-01"),
                &admin,
            )
            .await;
        reply.assert_status_in(StatusCode::OK, label);
        assert_eq!(reply.headers["content-type"], "application/json", "{label}");
        assert_eq!(
            reply.text(),
            lifeline_risk::render::json(&expected),
            "{label}: the API's register is not the CLI's"
        );
        let csv = app
            .get(
                &format!("/api/v1/networks/{network}/risk?as_of=2026-12-01&format=csv"),
                &admin,
            )
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(csv.text(), lifeline_risk::render::csv(&expected), "{label}");
        let svg = app
            .get(
                &format!("/api/v1/networks/{network}/risk/heatmap.svg?as_of=2026-12-01"),
                &admin,
            )
            .await;
        assert_eq!(svg.status, StatusCode::OK);
        assert_eq!(svg.headers["content-type"], "image/svg+xml");
        assert_eq!(
            svg.text(),
            lifeline_risk::heatmap::svg(&expected),
            "{label}"
        );
        // Bad parameters are 400/422, never a 5xx.
        for (query, status) in [
            ("as_of=2026-13-01", StatusCode::UNPROCESSABLE_ENTITY),
            ("format=pdf", StatusCode::BAD_REQUEST),
            ("extra=1", StatusCode::BAD_REQUEST),
        ] {
            let reply = app
                .get(&format!("/api/v1/networks/{network}/risk?{query}"), &admin)
                .await;
            assert_eq!(reply.status, status, "{query}: {}", reply.text());
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn registers_are_validated_and_versioned() {
    for app in apps().await {
        let label = app.db.label;
        let analyst = app.user("Mercy Hospital", "andy", Role::Analyst).await;
        let viewer = app.user("Mercy Hospital", "vera", Role::Viewer).await;
        let empty = app.get("/api/v1/vendors", &viewer).await;
        assert_eq!(empty.status, StatusCode::OK);
        assert_eq!(empty.json()["current"], Value::Null);
        // Every problem at once, each naming the vendor and the field.
        let bad = json!({
            "format": "lifeline-vendors/1",
            "vendors": [
                {"id": "acme-edi", "name": "Acme", "controls": {"mfa": "sometimes"}},
                {"id": "Not An Id", "name": "X"}
            ]
        });
        let reply = put_register(
            &app,
            &analyst,
            "application/json",
            bad.to_string().into_bytes(),
        )
        .await;
        reply.assert_status_in(StatusCode::UNPROCESSABLE_ENTITY, label);
        let body = reply.json();
        let paths: Vec<&str> = body["error"]["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter_map(|d| d["path"].as_str())
            .collect();
        assert!(
            paths.iter().any(|p| p.contains("vendors[0].controls.mfa")),
            "{body}"
        );
        assert!(paths.iter().any(|p| p.contains("vendors[1]")), "{body}");
        let nul = "format: lifeline-vendors/1\n# a comment with a \0 in it\nvendors: []\n";
        let reply = put_register(&app, &analyst, "application/yaml", nul.as_bytes().to_vec()).await;
        reply.assert_status_in(StatusCode::UNPROCESSABLE_ENTITY, label);
        let reply = put_register(&app, &analyst, "text/plain", b"{}".to_vec()).await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let reply = put_register(
            &app,
            &viewer,
            "application/json",
            small_register().to_string().into_bytes(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);

        // JSON, then YAML: two versions, the latest current.
        let reply = put_register(
            &app,
            &analyst,
            "application/json",
            small_register().to_string().into_bytes(),
        )
        .await;
        reply.assert_status_in(StatusCode::CREATED, label);
        let yaml =
            "format: lifeline-vendors/1\nvendors:\n  - id: meridian-edi\n    name: Meridian EDI\n";
        let reply =
            put_register(&app, &analyst, "application/yaml", yaml.as_bytes().to_vec()).await;
        reply.assert_status_in(StatusCode::CREATED, label);
        assert_eq!(reply.json()["version"], 2);
        let current = app.get("/api/v1/vendors", &viewer).await.json();
        assert_eq!(current["current"]["version"], 2, "{current}");
        assert_eq!(current["current"]["format"], "yaml");
        assert_eq!(current["register"]["vendors"][0]["id"], VENDOR, "{current}");
        assert_eq!(current["versions"].as_array().map(Vec::len), Some(2));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn questionnaire_links_work_once() {
    for app in apps().await {
        let label = app.db.label;
        let analyst = app.user("Mercy Hospital", "andy", Role::Analyst).await;
        let viewer = app.user("Mercy Hospital", "vera", Role::Viewer).await;
        store_small_register(&app, &analyst).await;
        let create = |framework: &str| {
            let body = json!({"framework": framework, "expires_in_days": 14});
            let app = &app;
            let analyst = analyst.clone();
            async move {
                let reply = app
                    .post_json(
                        &format!("/api/v1/vendors/{VENDOR}/questionnaires"),
                        &analyst,
                        &body,
                    )
                    .await;
                reply.assert_status(StatusCode::CREATED);
                reply.json()
            }
        };
        // Refused: an unknown framework, a vendor not in the register, a viewer.
        let reply = app
            .post_json(
                &format!("/api/v1/vendors/{VENDOR}/questionnaires"),
                &analyst,
                &json!({"framework": "iso"}),
            )
            .await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let reply = app
            .post_json(
                "/api/v1/vendors/nobody/questionnaires",
                &analyst,
                &json!({"framework": "csf2"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        let reply = app
            .post_json(
                &format!("/api/v1/vendors/{VENDOR}/questionnaires"),
                &viewer,
                &json!({"framework": "csf2"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);

        let link = create("csf2").await;
        let url = link["url"].as_str().expect("a url").to_owned();
        assert!(url.starts_with("/q/llq_"), "{link}");
        // The form: the questions of CSF 2.0's supply chain category, no session needed.
        let form = public_get(&app, &url).await;
        form.assert_status_in(StatusCode::OK, label);
        let page = form.text();
        assert!(page.contains("form id=\"questionnaire\""), "{page}");
        assert!(page.contains("GV.SC-05"), "{page}");
        assert!(page.contains("Meridian EDI"), "{page}");
        assert!(!page.contains("<script>"), "no inline script");
        assert!(
            form.headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );
        let questionnaire = lifeline_risk::questionnaire::questionnaire(
            lifeline_risk::questionnaire::Framework::Csf2,
        );
        let index = questionnaire
            .questions
            .iter()
            .position(|q| q.id == "GV.SC-05")
            .expect("GV.SC-05 is asked")
            .to_string();
        let other = questionnaire
            .questions
            .iter()
            .position(|q| q.id == "GV.SC-07")
            .expect("GV.SC-07 is asked")
            .to_string();
        let answer = format!("answer-{index}");
        let comment = format!("comment-{index}");
        let kind = format!("evidence-kind-{index}");
        let expires = format!("evidence-expires-{index}");
        let other_answer = format!("answer-{other}");

        // A bad answer: refused with the question named, nothing stored.
        let reply = post_form(&app, &url, &[(&answer, "maybe")]).await;
        reply.assert_status_in(StatusCode::UNPROCESSABLE_ENTITY, label);
        assert!(
            reply.text().contains("questionnaire-errors"),
            "{}",
            reply.text()
        );
        assert!(reply.text().contains("GV.SC-05"), "{}", reply.text());
        let reply = post_form(
            &app,
            &url,
            &[
                (&expires, "2027-02-30"),
                (&answer, "yes"),
                (&kind, "soc2-type2"),
            ],
        )
        .await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let reply = post_form(&app, &url, &[("answer-99999", "yes")]).await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let versions = app.get("/api/v1/vendors", &viewer).await.json();
        assert_eq!(versions["current"]["version"], 1, "{versions}");

        // Submitted: merged into the next version, with its evidence and comment.
        let reply = post_form(
            &app,
            &url,
            &[
                (&answer, "yes"),
                (&comment, "Suppliers are assessed yearly"),
                (&kind, "soc2-type2"),
                (&expires, "2027-06-30"),
                (&other_answer, "no"),
            ],
        )
        .await;
        reply.assert_status_in(StatusCode::OK, label);
        assert!(
            reply.text().contains("questionnaire-done"),
            "{}",
            reply.text()
        );
        let current = app.get("/api/v1/vendors", &viewer).await.json();
        assert_eq!(current["current"]["version"], 2, "{current}");
        assert_eq!(
            current["current"]["source"],
            format!("questionnaire:{}", link["id"].as_str().unwrap())
        );
        assert_eq!(current["current"]["created_by"], format!("vendor:{VENDOR}"));
        let answers = current["register"]["vendors"][0]["answers"]
            .as_array()
            .expect("answers")
            .clone();
        let sc05 = answers
            .iter()
            .find(|a| a["question"] == "GV.SC-05")
            .expect("GV.SC-05");
        assert_eq!(sc05["answer"], "yes", "{current}");
        assert_eq!(sc05["comment"], "Suppliers are assessed yearly");
        assert_eq!(sc05["evidence"][0]["expires"], "2027-06-30");
        assert!(
            answers
                .iter()
                .any(|a| a["question"] == "GV.SC-07" && a["answer"] == "no")
        );
        // The other vendor is untouched.
        assert_eq!(current["register"]["vendors"][1]["id"], "far-away");

        // Used: the form and a second submission are 410, and nothing more is stored.
        for reply in [
            public_get(&app, &url).await,
            post_form(&app, &url, &[(&answer, "no")]).await,
        ] {
            reply.assert_status_in(StatusCode::GONE, label);
            assert!(
                reply.text().contains("submitted already"),
                "{}",
                reply.text()
            );
        }
        let current = app.get("/api/v1/vendors", &viewer).await.json();
        assert_eq!(current["current"]["version"], 2);
        // An answered link cannot be revoked.
        let id = link["id"].as_str().unwrap();
        let reply = app
            .send(
                Method::DELETE,
                &format!("/api/v1/vendors/{VENDOR}/questionnaires/{id}"),
                Some(&analyst),
                None,
            )
            .await;
        reply.assert_status(StatusCode::CONFLICT);

        // Revoked: 410.
        let revoked = create("hicp").await;
        let id = revoked["id"].as_str().unwrap();
        let reply = app
            .send(
                Method::DELETE,
                &format!("/api/v1/vendors/{VENDOR}/questionnaires/{id}"),
                Some(&analyst),
                None,
            )
            .await;
        reply.assert_status(StatusCode::NO_CONTENT);
        let url = revoked["url"].as_str().unwrap();
        for reply in [public_get(&app, url).await, post_form(&app, url, &[]).await] {
            reply.assert_status(StatusCode::GONE);
            assert!(reply.text().contains("withdrawn"), "{}", reply.text());
        }

        // Expired: 410.
        let expired = create("controls").await;
        let moved = lifeline_store::testing::execute(
            &app.store,
            &format!(
                "UPDATE vendor_questionnaires SET expires_at = {} WHERE id = '{}'",
                now_ms() - 1000,
                expired["id"].as_str().unwrap()
            ),
        )
        .await
        .unwrap();
        assert_eq!(moved, 1);
        let url = expired["url"].as_str().unwrap();
        for reply in [public_get(&app, url).await, post_form(&app, url, &[]).await] {
            reply.assert_status(StatusCode::GONE);
            assert!(reply.text().contains("expired"), "{}", reply.text());
        }
        // Unknown: 404, a page, not JSON.
        let reply = public_get(&app, "/q/llq_forged").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert!(reply.text().contains("<html"), "{}", reply.text());

        // Listed with their states, never their tokens.
        let list = app
            .get(&format!("/api/v1/vendors/{VENDOR}/questionnaires"), &viewer)
            .await;
        assert_eq!(list.status, StatusCode::OK);
        let text = list.text();
        assert!(!text.contains("llq_"), "{text}");
        let states: Vec<String> = list.json()["questionnaires"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["state"].as_str().unwrap().to_owned())
            .collect();
        let mut sorted = states.clone();
        sorted.sort();
        assert_eq!(sorted, ["expired", "revoked", "submitted"], "{text}");
        let audit = app.store.verify_audit().await.unwrap();
        assert!(audit.is_ok(), "{label}: {audit:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn evidence_round_trips_sealed_and_reminders_list_what_expires() {
    for app in apps().await {
        let label = app.db.label;
        let analyst = app.user("Mercy Hospital", "andy", Role::Analyst).await;
        let viewer = app.user("Mercy Hospital", "vera", Role::Viewer).await;
        store_small_register(&app, &analyst).await;
        let file = b"%PDF-1.7 Meridian EDI SOC 2 Type II report, bridge letter attached".to_vec();
        let upload = |token: String, vendor: &'static str, expires: &'static str| {
            let app = &app;
            let body = evidence_form("soc2-type2", expires, "meridian soc2.pdf", &file);
            async move {
                app.send(
                    Method::POST,
                    &format!("/api/v1/vendors/{vendor}/evidence"),
                    Some(&token),
                    Some((
                        "multipart/form-data; boundary=lifeline-vendor-boundary",
                        body,
                    )),
                )
                .await
            }
        };
        assert_eq!(
            upload(viewer.clone(), VENDOR, "2026-12-24").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            upload(analyst.clone(), "nobody", "2026-12-24").await.status,
            StatusCode::NOT_FOUND
        );
        let bad = upload(analyst.clone(), VENDOR, "24/12/2026").await;
        bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json()["error"]["field"], "expires");
        let reply = upload(analyst.clone(), VENDOR, "2026-12-24").await;
        reply.assert_status_in(StatusCode::CREATED, label);
        let stored = reply.json();
        assert_eq!(stored["bytes"], file.len());
        assert_eq!(stored["file_name"], "meridian soc2.pdf");
        let url = stored["url"].as_str().unwrap().to_owned();

        let list = app
            .get(&format!("/api/v1/vendors/{VENDOR}/evidence"), &viewer)
            .await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(list.json()["evidence"].as_array().map(Vec::len), Some(1));
        let download = app.get(&url, &viewer).await;
        download.assert_status(StatusCode::OK);
        assert_eq!(download.body, file, "{label}");
        assert_eq!(download.headers["content-type"], "application/pdf");
        assert_eq!(
            download.headers["content-disposition"],
            "attachment; filename=\"meridian_soc2.pdf\""
        );
        // Stored sealed: neither the text nor its base64 is in the database.
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(&file);
        for needle in ["SOC 2 Type II", encoded.as_str()] {
            let found = lifeline_store::testing::execute(
                &app.store,
                &format!("UPDATE vendor_evidence SET kind = kind WHERE body LIKE '%{needle}%'"),
            )
            .await
            .unwrap();
            assert_eq!(found, 0, "{label}: the evidence is stored readable");
        }
        // The download is in the audit log.
        let org = app
            .store
            .org_by_name("Mercy Hospital")
            .await
            .unwrap()
            .unwrap();
        let entries = app.store.audit_entries(&org.id, 100).await.unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.action == "vendors.evidence.download" && e.actor == "vera"),
            "{label}"
        );

        // Reminders: the register's evidence (expires 2026-12-20) and the file
        // (2026-12-24), soonest first, from 2026-12-01 within 30 days; not within 10.
        let reminders = app
            .get(
                "/api/v1/vendors/reminders?as_of=2026-12-01&within=30",
                &viewer,
            )
            .await;
        reminders.assert_status(StatusCode::OK);
        let body = reminders.json();
        let rows = body["reminders"].as_array().expect("reminders");
        assert_eq!(rows.len(), 2, "{body}");
        assert_eq!(rows[0]["backs"], "controls.offline_backups");
        assert_eq!(rows[0]["days_left"], 19);
        assert_eq!(rows[0]["vendor_name"], "Meridian EDI");
        assert_eq!(rows[1]["backs"], "file");
        assert_eq!(rows[1]["url"], url.as_str());
        let none = app
            .get(
                "/api/v1/vendors/reminders?as_of=2026-12-01&within=10",
                &viewer,
            )
            .await
            .json();
        assert_eq!(
            none["reminders"].as_array().map(Vec::len),
            Some(0),
            "{none}"
        );
        // Expired evidence is still listed (days_left < 0).
        let late = app
            .get(
                "/api/v1/vendors/reminders?as_of=2027-01-10&within=0",
                &viewer,
            )
            .await
            .json();
        assert_eq!(
            late["reminders"].as_array().map(Vec::len),
            Some(2),
            "{late}"
        );
        assert!(late["reminders"][0]["days_left"].as_i64().unwrap() < 0);
        for query in ["within=-1", "within=99999", "as_of=tomorrow"] {
            let reply = app
                .get(&format!("/api/v1/vendors/reminders?{query}"), &viewer)
                .await;
            assert!(reply.status.is_client_error(), "{query}: {}", reply.text());
        }
    }
}
