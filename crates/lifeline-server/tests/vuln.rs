//! SBOMs, advisories and device reports end to end, on every backend available: the
//! server's reports are the CLI's golden documents byte for byte, roles and organisations
//! are enforced, and bad files are 4xx JSON naming the file, record and field.
#![allow(
    clippy::unwrap_used,
    reason = "a test stops at the first unexpected value, and the assertion names it"
)]

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use axum::http::{Method, StatusCode};
use common::{Reply, TestApp, apps};
use lifeline_store::Role;

/// The repository's root.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(relative: &str) -> Vec<u8> {
    std::fs::read(repo().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

const DATA: &str = "crates/lifeline-vuln/tests/data";
const ABC: &str = "crates/lifeline-vuln/tests/data/scan/product-abc.cdx.json";
const PUMP: &str = "crates/lifeline-vuln/tests/data/spdx/infusion-pump.spdx.json";

/// A zip of the `*.json` files of a folder, in name order (as the CLI walks it).
fn zip_folder(relative: &str) -> Vec<u8> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(repo().join(relative))
        .expect("the folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for path in names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        writer
            .start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(&std::fs::read(&path).unwrap()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

async fn post(app: &TestApp, path: &str, token: &str, content_type: &str, body: Vec<u8>) -> Reply {
    app.send(Method::POST, path, Some(token), Some((content_type, body)))
        .await
}

/// Loads the advisories of the CLI's golden tests (`tests/it/golden.rs`'s `OSV`), in the
/// same order: the ghsa-converted folder, the osv-extra folder, two records, the KEV.
async fn load_golden_advisories(app: &TestApp, admin: &str) {
    let loads = [
        (
            "/api/v1/advisories/osv?name=ghsa-converted.zip",
            "application/zip",
            zip_folder(&format!("{DATA}/osv/ghsa-converted")),
        ),
        (
            "/api/v1/advisories/osv?name=osv-extra.zip",
            "application/zip",
            zip_folder(&format!("{DATA}/osv-extra")),
        ),
        (
            "/api/v1/advisories/osv?name=PYSEC-2023-74.json",
            "application/json",
            read(&format!(
                "{DATA}/osv/osv-linter-testdata/PYSEC-2023-74.json"
            )),
        ),
        (
            "/api/v1/advisories/osv?name=GO-2020-0001.json",
            "application/json",
            read(&format!("{DATA}/osv/osv-linter-testdata/GO-2020-0001.json")),
        ),
        (
            "/api/v1/advisories/kev",
            "application/json",
            read(&format!(
                "{DATA}/kev/known_exploited_vulnerabilities.excerpt.json"
            )),
        ),
    ];
    for (path, content_type, body) in loads {
        let reply = post(app, path, admin, content_type, body).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{} {path}: {}",
            app.db.label,
            reply.text()
        );
    }
}

async fn upload_sbom(app: &TestApp, token: &str, file: &str) -> String {
    let reply = post(
        app,
        &format!("/api/v1/sboms?name={file}"),
        token,
        "application/json",
        read(file),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{} {file}: {}",
        app.db.label,
        reply.text()
    );
    let body = reply.json();
    assert_eq!(body["name"], file);
    body["id"].as_str().expect("an id").to_owned()
}

fn golden(name: &str) -> String {
    String::from_utf8(read(&format!(
        "crates/lifeline-cli/tests/data/golden/{name}"
    )))
    .unwrap()
}

/// The issue's "done when" for vulnerabilities: the scan of each SBOM and the devices
/// report are the CLI's golden documents (`lifeline sbom scan ... --format json`,
/// `lifeline devices report ... --format json`), byte for byte, for the same files.
#[tokio::test(flavor = "multi_thread")]
async fn scans_and_device_report_are_the_clis_documents() {
    for app in apps().await {
        let alice = app.user("Mercy Hospital", "alice", Role::Admin).await;
        load_golden_advisories(&app, &alice).await;

        let advisories = app.get("/api/v1/advisories", &alice).await;
        advisories.assert_status(StatusCode::OK);
        let advisories = advisories.json();
        assert_eq!(advisories["osv_records"], 11, "{advisories}");
        assert_eq!(advisories["kev_catalog_version"], "2025.08.25");
        assert_eq!(advisories["loads"].as_array().unwrap().len(), 5);
        assert_eq!(advisories["loads"][0]["kind"], "kev");
        assert_eq!(advisories["loads"][0]["loaded_by"], "alice");

        // The devices report first, while the organisation holds only the SBOM of the
        // folder the golden report was made from.
        let abc = upload_sbom(&app, &alice, ABC).await;
        let reply = post(
            &app,
            "/api/v1/devices/report",
            &alice,
            "application/json",
            read(&format!("{DATA}/devices/inventory.json")),
        )
        .await;
        reply.assert_status(StatusCode::OK);
        assert_eq!(
            reply.text(),
            golden("devices-report.json"),
            "{}",
            app.db.label
        );

        // The golden scan holds both SBOMs' reports; the server scans one SBOM at a time,
        // so each reply is the golden document with that SBOM's report alone.
        let pump = upload_sbom(&app, &alice, PUMP).await;
        let expected: serde_json::Value = serde_json::from_str(&golden("sbom-scan.json")).unwrap();
        for (position, id) in [abc, pump].iter().enumerate() {
            let reply = app.get(&format!("/api/v1/sboms/{id}/scan"), &alice).await;
            reply.assert_status(StatusCode::OK);
            let mut document = expected.clone();
            document["reports"] = serde_json::json!([expected["reports"][position].clone()]);
            let mut text = serde_json::to_string_pretty(&document).unwrap();
            text.push('\n');
            assert_eq!(reply.text(), text, "{} SBOM {position}", app.db.label);
        }

        // The list, one SBOM, and the other formats.
        let list = app.get("/api/v1/sboms", &alice).await.json();
        let names: Vec<&str> = list["sboms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, [ABC, PUMP]);
        let one = app
            .get(
                &format!("/api/v1/sboms/{}", list["sboms"][1]["id"].as_str().unwrap()),
                &alice,
            )
            .await;
        assert_eq!(one.json()["kind"], "SPDX 2.3 JSON");
        let sarif = app
            .get(
                &format!(
                    "/api/v1/sboms/{}/scan?format=sarif",
                    list["sboms"][0]["id"].as_str().unwrap()
                ),
                &alice,
            )
            .await;
        assert_eq!(sarif.status, StatusCode::OK);
        assert_eq!(sarif.json()["version"], "2.1.0");
        let bad = app
            .get(
                &format!(
                    "/api/v1/sboms/{}/scan?format=pdf",
                    list["sboms"][0]["id"].as_str().unwrap()
                ),
                &alice,
            )
            .await;
        bad.assert_status(StatusCode::BAD_REQUEST);

        // Loading the same records again replaces them: the count stays.
        load_golden_advisories(&app, &alice).await;
        let again = app.get("/api/v1/advisories", &alice).await.json();
        assert_eq!(again["osv_records"], 11);
        assert_eq!(again["loads"].as_array().unwrap().len(), 10);
    }
}

/// A VEX document loaded into the organisation applies to its scans, as `--vex` does.
#[tokio::test(flavor = "multi_thread")]
async fn vex_suppresses_findings() {
    for app in apps().await {
        let alice = app.user("Mercy Hospital", "alice", Role::Admin).await;
        load_golden_advisories(&app, &alice).await;
        let abc = upload_sbom(&app, &alice, ABC).await;
        let before = app
            .get(&format!("/api/v1/sboms/{abc}/scan"), &alice)
            .await
            .json();
        let open_before = before["reports"][0]["summary"]["open"].as_u64().unwrap();

        let vex = String::from_utf8(read(&format!(
            "{DATA}/bom-examples/VEX/CISA-Use-Cases/Case-1/vex-not_affected.json"
        )))
        .unwrap()
        .replace("\"product-ABC\"", "\"log4j-core\"");
        let reply = post(
            &app,
            "/api/v1/advisories/vex",
            &alice,
            "application/json",
            vex.into_bytes(),
        )
        .await;
        reply.assert_status(StatusCode::CREATED);

        let after = app
            .get(&format!("/api/v1/sboms/{abc}/scan"), &alice)
            .await
            .json();
        let summary = &after["reports"][0]["summary"];
        assert_eq!(summary["suppressed"], 1, "{summary}");
        assert_eq!(summary["open"].as_u64().unwrap(), open_before - 1);
    }
}

/// Roles: only admins load advisories, analysts and admins upload SBOMs, viewers read,
/// partners get nothing; another organisation sees none of it.
#[tokio::test(flavor = "multi_thread")]
async fn roles_and_organisations_are_enforced() {
    for app in apps().await {
        let alice = app.user("Mercy Hospital", "alice", Role::Admin).await;
        let anna = app.user("Mercy Hospital", "anna", Role::Analyst).await;
        let victor = app.user("Mercy Hospital", "victor", Role::Viewer).await;
        let paula = app.user("Mercy Hospital", "paula", Role::Partner).await;
        let bob = app.user("Other Hospital", "bob", Role::Admin).await;
        let kev = read(&format!(
            "{DATA}/kev/known_exploited_vulnerabilities.excerpt.json"
        ));
        let record = read(&format!("{DATA}/osv/osv-linter-testdata/GO-2020-0001.json"));
        let sbom = read(ABC);

        for token in [&anna, &victor, &paula] {
            for (path, body) in [
                ("/api/v1/advisories/osv", record.clone()),
                ("/api/v1/advisories/kev", kev.clone()),
                ("/api/v1/advisories/vex", b"{}".to_vec()),
            ] {
                let reply = post(&app, path, token, "application/json", body).await;
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{path}: {}",
                    reply.text()
                );
                assert_eq!(reply.json()["error"]["code"], "forbidden");
            }
        }
        for token in [&victor, &paula] {
            let reply = post(
                &app,
                "/api/v1/sboms",
                token,
                "application/json",
                sbom.clone(),
            )
            .await;
            reply.assert_status(StatusCode::FORBIDDEN);
        }
        load_golden_advisories(&app, &alice).await;
        let id = upload_sbom(&app, &anna, ABC).await;

        // A viewer reads and scans; a partner does not.
        for path in [
            "/api/v1/sboms".to_owned(),
            format!("/api/v1/sboms/{id}"),
            format!("/api/v1/sboms/{id}/scan"),
            "/api/v1/advisories".to_owned(),
        ] {
            assert_eq!(
                app.get(&path, &victor).await.status,
                StatusCode::OK,
                "{path}"
            );
            assert_eq!(
                app.get(&path, &paula).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }

        // Bob's organisation sees no SBOM and no advisory of Mercy's.
        let list = app.get("/api/v1/sboms", &bob).await.json();
        assert_eq!(list["sboms"].as_array().unwrap().len(), 0);
        for path in [
            format!("/api/v1/sboms/{id}"),
            format!("/api/v1/sboms/{id}/scan"),
        ] {
            let reply = app.get(&path, &bob).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{path}: {}",
                reply.text()
            );
        }
        let advisories = app.get("/api/v1/advisories", &bob).await.json();
        assert_eq!(advisories["osv_records"], 0);
        assert!(advisories["kev_catalog_version"].is_null());
        assert_eq!(advisories["loads"].as_array().unwrap().len(), 0);
        // Bob's own SBOM cannot be scanned against Mercy's advisories: he has none.
        let own = upload_sbom(&app, &bob, ABC).await;
        let reply = app.get(&format!("/api/v1/sboms/{own}/scan"), &bob).await;
        reply.assert_status(StatusCode::CONFLICT);
        let reply = post(
            &app,
            "/api/v1/devices/report",
            &bob,
            "application/json",
            read(&format!("{DATA}/devices/inventory.json")),
        )
        .await;
        reply.assert_status(StatusCode::CONFLICT);

        // The same name twice in one organisation is a conflict.
        let reply = post(
            &app,
            &format!("/api/v1/sboms?name={ABC}"),
            &alice,
            "application/json",
            sbom.clone(),
        )
        .await;
        reply.assert_status(StatusCode::CONFLICT);
    }
}

fn assert_invalid(reply: &Reply, needle: &str) {
    assert!(
        reply.status.is_client_error(),
        "{}: {}",
        reply.status,
        reply.text()
    );
    let body = reply.json();
    let text = body.to_string();
    assert!(text.contains(needle), "`{needle}` not in {text}");
}

/// Bad files are 4xx JSON naming the file, the record and the field; never a 5xx.
#[tokio::test(flavor = "multi_thread")]
async fn bad_files_are_4xx_naming_the_problem() {
    for app in apps().await {
        let alice = app.user("Mercy Hospital", "alice", Role::Admin).await;
        let osv = "/api/v1/advisories/osv?name=bad.json";

        // An OSV record with a range type OSV does not know.
        let record = serde_json::json!({
            "id": "GHSA-bad0-0000-0000", "modified": "2024-01-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": "npm", "name": "x"},
                "ranges": [{"type": "CALVER", "events": [{"introduced": "0"}]}]}]
        });
        let reply = post(
            &app,
            osv,
            &alice,
            "application/json",
            record.to_string().into_bytes(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_invalid(&reply, "affected[0].ranges[0].type");
        assert_invalid(&reply, "bad.json");

        // In an array, the record is named by its position; nothing of the file is kept.
        let array = serde_json::json!([
            {"id": "GHSA-good-0000-0000", "modified": "2024-01-01T00:00:00Z"},
            {"id": 7}
        ]);
        let reply = post(
            &app,
            osv,
            &alice,
            "application/json",
            array.to_string().into_bytes(),
        )
        .await;
        assert_invalid(&reply, "bad.json[1]");
        assert_invalid(&reply, "id");
        let advisories = app.get("/api/v1/advisories", &alice).await.json();
        assert_eq!(advisories["osv_records"], 0);

        // Not JSON, not a zip, an empty zip, a zip with a bad record.
        let reply = post(&app, osv, &alice, "application/json", b"{not json".to_vec()).await;
        assert_invalid(&reply, "bad.json");
        let reply = post(
            &app,
            "/api/v1/advisories/osv?name=x.zip",
            &alice,
            "application/zip",
            b"PK nonsense".to_vec(),
        )
        .await;
        assert_invalid(&reply, "x.zip");
        let empty = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()))
            .finish()
            .unwrap()
            .into_inner();
        let reply = post(
            &app,
            "/api/v1/advisories/osv?name=empty.zip",
            &alice,
            "application/zip",
            empty,
        )
        .await;
        assert_invalid(&reply, "no OSV record");
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        writer
            .start_file("GHSA-bad.json", zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(record.to_string().as_bytes()).unwrap();
        let zip = writer.finish().unwrap().into_inner();
        let reply = post(
            &app,
            "/api/v1/advisories/osv?name=all.zip",
            &alice,
            "application/zip",
            zip,
        )
        .await;
        assert_invalid(&reply, "all.zip:GHSA-bad.json");
        assert_invalid(&reply, "affected[0].ranges[0].type");

        // A KEV catalogue that breaks its schema names the field.
        let kev = serde_json::json!({"title": "x", "catalogVersion": "1", "dateReleased": "2024-01-01T00:00:00.000Z",
            "count": 1, "vulnerabilities": [{"cveID": "not-a-cve"}]});
        let reply = post(
            &app,
            "/api/v1/advisories/kev",
            &alice,
            "application/json",
            kev.to_string().into_bytes(),
        )
        .await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_invalid(&reply, "vulnerabilities[0]");
        // A VEX document that is not one.
        let reply = post(
            &app,
            "/api/v1/advisories/vex",
            &alice,
            "application/json",
            b"[1, 2]".to_vec(),
        )
        .await;
        assert!(reply.status.is_client_error(), "{}", reply.text());

        // Wrong content types.
        let reply = post(&app, osv, &alice, "text/plain", b"{}".to_vec()).await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let reply = post(
            &app,
            "/api/v1/sboms",
            &alice,
            "application/yaml",
            b"{}".to_vec(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

        // An invalid SBOM: 422 with every problem, each at its path.
        let reply = post(
            &app,
            "/api/v1/sboms?name=bad.cdx.json",
            &alice,
            "application/json",
            read(&format!(
                "{DATA}/cyclonedx-spec-tests/1.6/invalid-hash-md5-1.6.json"
            )),
        )
        .await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let body = reply.json();
        let diagnostics = body["error"]["diagnostics"].as_array().unwrap();
        assert!(!diagnostics.is_empty(), "{body}");
        assert!(
            diagnostics
                .iter()
                .all(|d| !d["path"].as_str().unwrap().is_empty()),
            "{body}"
        );
        assert_invalid(&reply, "bad.cdx.json");
        for garbage in [&b"not json"[..], b"{}", b"<bom/>", b"\xff\xfe"] {
            let reply = post(
                &app,
                "/api/v1/sboms",
                &alice,
                "application/json",
                garbage.to_vec(),
            )
            .await;
            assert!(
                reply.status.is_client_error(),
                "{}: {}",
                reply.status,
                reply.text()
            );
            assert!(reply.json()["error"]["message"].is_string());
        }
        let list = app.get("/api/v1/sboms", &alice).await.json();
        assert_eq!(list["sboms"].as_array().unwrap().len(), 0);

        // A bad inventory, an unknown network, an unknown SBOM.
        load_golden_advisories(&app, &alice).await;
        let reply = post(
            &app,
            "/api/v1/devices/report",
            &alice,
            "application/json",
            br#"{"resourceType": "Device", "id": 5}"#.to_vec(),
        )
        .await;
        assert!(reply.status.is_client_error(), "{}", reply.text());
        let reply = post(
            &app,
            "/api/v1/devices/report?network=net_nothing",
            &alice,
            "application/json",
            read(&format!("{DATA}/devices/inventory.json")),
        )
        .await;
        reply.assert_status(StatusCode::NOT_FOUND);
        let reply = app.get("/api/v1/sboms/sbom_nothing/scan", &alice).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
    }
}

/// With a network, each vendor row names the network entities behind it, as `--network`.
#[tokio::test(flavor = "multi_thread")]
async fn device_report_takes_a_network() {
    for app in apps().await {
        let alice = app.user("Mercy Hospital", "alice", Role::Admin).await;
        load_golden_advisories(&app, &alice).await;
        upload_sbom(&app, &alice, PUMP).await;
        let network = serde_json::json!({"format": "lifeline-network/1",
            "nodes": [
              {"id": "pumps@maker", "material": "pump", "vendor": "acme-infusion-systems"},
              {"id": "pumps@icu", "material": "pump", "demand": 1}],
            "edges": [{"from": "pumps@maker", "to": "pumps@icu"}],
            "platforms": [{"id": "pump-server", "vendor": "acme-infusion-systems"},
                          {"id": "erp", "vendor": "someone-else"}]});
        let reply = app
            .post_json("/api/v1/networks?name=vendors", &alice, &network)
            .await;
        reply.assert_status(StatusCode::CREATED);
        let network = reply.json()["id"].as_str().unwrap().to_owned();
        let reply = post(
            &app,
            &format!("/api/v1/devices/report?network={network}"),
            &alice,
            "application/json",
            read(&format!("{DATA}/devices/inventory.json")),
        )
        .await;
        reply.assert_status(StatusCode::OK);
        let report = reply.json();
        let vendors = report["vendors"].as_array().expect("vendors");
        let infusion = vendors
            .iter()
            .find(|v| v["vendorId"] == "acme-infusion-systems")
            .expect("the pump maker");
        assert_eq!(
            infusion["networkEntities"],
            serde_json::json!(["pumps@maker", "pump-server"])
        );
        let monitor = vendors
            .iter()
            .find(|v| v["vendorId"] == "acme-devices-inc")
            .expect("the monitor maker");
        assert!(monitor.get("networkEntities").is_none(), "{monitor}");
    }
}

/// A file over the upload limit is a 413 in the API's JSON form; every route is in the
/// OpenAPI document, under the `vulnerabilities` tag.
#[tokio::test(flavor = "multi_thread")]
async fn uploads_over_the_limit_are_413_json_and_routes_are_documented() {
    for mut app in apps().await {
        let alice = app.user("Mercy Hospital", "alice", Role::Admin).await;
        let mut config = lifeline_server::Config::default();
        config.limits.upload_bytes = 4096;
        app.router = lifeline_server::app(app.state.clone(), &config);
        let small = app;
        for (path, content_type) in [
            ("/api/v1/sboms", "application/json"),
            ("/api/v1/advisories/osv", "application/zip"),
            ("/api/v1/advisories/kev", "application/json"),
            ("/api/v1/advisories/vex", "application/json"),
            ("/api/v1/devices/report", "application/json"),
        ] {
            let reply = post(&small, path, &alice, content_type, vec![b' '; 8192]).await;
            assert_eq!(
                reply.status,
                StatusCode::PAYLOAD_TOO_LARGE,
                "{path}: {}",
                reply.text()
            );
            assert_eq!(reply.json()["error"]["code"], "too_large", "{path}");
        }

        let openapi = small
            .send(Method::GET, "/api/v1/openapi.json", None, None)
            .await;
        assert_eq!(openapi.status, StatusCode::OK);
        let openapi = openapi.json();
        for (path, method) in [
            ("/advisories", "get"),
            ("/advisories/osv", "post"),
            ("/advisories/kev", "post"),
            ("/advisories/vex", "post"),
            ("/sboms", "post"),
            ("/sboms", "get"),
            ("/sboms/{id}", "get"),
            ("/sboms/{id}/scan", "get"),
            ("/devices/report", "post"),
        ] {
            let operation = &openapi["paths"][path][method];
            assert_eq!(operation["tags"][0], "vulnerabilities", "{method} {path}");
            assert!(operation["responses"]["403"].is_object(), "{method} {path}");
        }
    }
}

/// A record listed twice in one file is kept once (the later one), as a record loaded
/// again in a later file replaces the earlier one.
#[tokio::test(flavor = "multi_thread")]
async fn a_record_listed_twice_is_kept_once() {
    for app in apps().await {
        let alice = app.user("Mercy Hospital", "alice", Role::Admin).await;
        let record = |summary: &str| {
            serde_json::json!({"id": "GHSA-twic-e000-0000", "modified": "2024-01-01T00:00:00Z",
                "summary": summary})
        };
        let array = serde_json::json!([record("first"), record("second")]);
        let reply = post(
            &app,
            "/api/v1/advisories/osv?name=twice.json",
            &alice,
            "application/json",
            array.to_string().into_bytes(),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{}: {}",
            app.db.label,
            reply.text()
        );
        assert_eq!(reply.json()["records"], 2);
        let advisories = app.get("/api/v1/advisories", &alice).await.json();
        assert_eq!(advisories["osv_records"], 1, "{}", app.db.label);
    }
}
