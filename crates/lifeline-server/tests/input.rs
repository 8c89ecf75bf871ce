//! Bad input on every route that takes a body (found in the served OpenAPI document, so a
//! new one cannot be missed), every query and every id: malformed JSON, wrong types,
//! unknown fields, a wrong content type, a body over the limit, NUL characters, unknown
//! ids. Always a 4xx with a JSON error naming the field where there is one; never a 5xx;
//! nothing written, and the audit chain still verifies.

mod common;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{PASSWORD, Reply, TestApp, apps_with};
use lifeline_server::{Config, Limits};
use lifeline_store::Role;
use serde_json::{Value, json};

const BODY_BYTES: usize = 4 << 10;
const UPLOAD_BYTES: usize = 32 << 10;

/// What a route's body is.
#[derive(Debug, Clone)]
enum Shape {
    /// A JSON object of parameters: one that is accepted, and one with a wrong type in
    /// `field`.
    Params {
        valid: Value,
        wrong: Value,
        field: &'static str,
    },
    /// A whole network document (JSON, YAML or a zip of CSV tables).
    Document,
    /// A document lifeline-vuln or lifeline-trace reads (OSV, KEV, VEX, an SBOM, a FHIR
    /// device inventory, an EPCIS document), sent as one of `types`: one that is accepted
    /// (as `types[0]`), and one in JSON with a wrong type in `field`; `malformed` answers
    /// JSON or XML that does not parse, or JSON that is not an object. None is ever stored
    /// by these checks: each is refused, or (a device report, with no advisories loaded)
    /// answered 409.
    /// A multipart form (an evidence file): refused as anything else, without its file,
    /// with an unknown field or a bad date, over the upload limit.
    Multipart,
    Upload {
        types: &'static [&'static str],
        valid: Vec<u8>,
        wrong: Value,
        field: &'static str,
        malformed: StatusCode,
        /// The query parameters the route takes, each tried with unsafe values.
        query: &'static [&'static str],
    },
}

/// An EPCIS 2.0 JSON-LD document of one commissioning event, with `fields` set on it.
fn epcis_event(fields: Value) -> Vec<u8> {
    let mut event = json!({"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z",
        "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
        "epcList": ["urn:epc:id:sgtin:030001.0012345.1"]});
    for (name, value) in fields.as_object().into_iter().flatten() {
        event[name] = value.clone();
    }
    json!({"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z",
        "epcisBody": {"eventList": [event]}})
    .to_string()
    .into_bytes()
}

/// A file of lifeline-trace's test data.
fn trace_data(relative: &str) -> Vec<u8> {
    let path = format!(
        "{}/../lifeline-trace/tests/data/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A file of lifeline-vuln's test data.
fn vuln_data(relative: &str) -> Vec<u8> {
    let path = format!(
        "{}/../lifeline-vuln/tests/data/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The vendor the `{vendor}` routes name (not in any register here: a valid request is a
/// 404).
const VENDOR: &str = "meridian-edi";
const BOUNDARY: &str = "lifeline-input-boundary";
/// The task the `{task}` routes name (`PLAYBOOK/STEP`, the slash encoded).
const TASK: &str = "distributor-ordering-ransomware%2Fcall-rep";

/// A multipart form of `parts` (name, optional file name, content).
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, content) in parts {
        let disposition = match file {
            Some(file) => format!("form-data; name=\"{name}\"; filename=\"{file}\""),
            None => format!("form-data; name=\"{name}\""),
        };
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

struct BodyRoute {
    method: &'static str,
    path: &'static str,
    shape: Shape,
}

fn body_routes() -> Vec<BodyRoute> {
    let params = |valid: Value, wrong: Value, field| Shape::Params {
        valid,
        wrong,
        field,
    };
    let r = |method, path, shape| BodyRoute {
        method,
        path,
        shape,
    };
    const JSON: &[&str] = &["application/json"];
    const JSON_OR_XML: &[&str] = &["application/json", "application/xml", "text/xml"];
    let vuln = |types, valid: &str, wrong, field, query| Shape::Upload {
        types,
        valid: vuln_data(valid),
        wrong,
        field,
        malformed: StatusCode::UNPROCESSABLE_ENTITY,
        query,
    };
    vec![
        r(
            "POST",
            "/setup",
            params(
                json!({"setup_token": "setup_x", "org": "O", "user": "u", "password": PASSWORD}),
                json!({"setup_token": 7, "org": "O", "user": "u", "password": PASSWORD}),
                "setup_token",
            ),
        ),
        r(
            "POST",
            "/session",
            params(
                json!({"user": "alice", "password": "wrong password!"}),
                json!({"user": ["alice"], "password": PASSWORD}),
                "user",
            ),
        ),
        r(
            "POST",
            "/tokens",
            params(
                json!({"label": "x"}),
                json!({"label": "x", "expires_days": "soon"}),
                "expires_days",
            ),
        ),
        r(
            "POST",
            "/users",
            params(
                json!({"name": "new", "role": "viewer", "password": PASSWORD}),
                json!({"name": "new", "role": "emperor", "password": PASSWORD}),
                "role",
            ),
        ),
        r("POST", "/networks", Shape::Document),
        r("POST", "/networks/{id}/versions", Shape::Document),
        r("POST", "/validate", Shape::Document),
        r(
            "POST",
            "/networks/{id}/shares",
            params(json!({"org": "Third Party"}), json!({"org": 5}), "org"),
        ),
        r(
            "POST",
            "/networks/{id}/stress",
            params(json!({}), json!({"top": "many"}), "top"),
        ),
        r(
            "POST",
            "/networks/{id}/simulate",
            params(
                json!({"scenario": "edi-hub"}),
                json!({"scenario": "edi-hub", "days": -3}),
                "days",
            ),
        ),
        r(
            "POST",
            "/networks/{id}/montecarlo",
            params(
                json!({"outage": ["edi-hub"], "replications": 10}),
                json!({"outage": "edi-hub"}),
                "outage",
            ),
        ),
        r(
            "POST",
            "/epcis/capture",
            Shape::Upload {
                types: &[
                    "application/xml",
                    "text/xml",
                    "application/json",
                    "application/ld+json",
                ],
                valid: trace_data("dscsa/GS1_US_Pharma_Example_2_2_1_1.xml"),
                wrong: json!({"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                    "type": "EPCISDocument", "schemaVersion": "2.0",
                    "creationDate": "2024-01-01T00:00:00Z",
                    "epcisBody": {"eventList": [{"type": "ObjectEvent",
                        "eventTime": "2024-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
                        "epcList": ["urn:epc:id:sgtin:030001.0012345.1"], "action": 5}]}}),
                field: "action",
                malformed: StatusCode::BAD_REQUEST,
                query: &[],
            },
        ),
        r(
            "POST",
            "/epcis/verify",
            params(
                json!({"gtin": "00300010123455", "serial": "11"}),
                json!({"gtin": 300010123455_u64, "serial": "11"}),
                "gtin",
            ),
        ),
        r(
            "POST",
            "/advisories/osv",
            vuln(
                &["application/json", "application/zip"],
                "osv/osv-linter-testdata/GO-2020-0001.json",
                json!({"id": "GO-2020-0001", "modified": "2024-01-01T00:00:00Z", "aliases": "CVE-1"}),
                "aliases",
                &["name"],
            ),
        ),
        r(
            "POST",
            "/advisories/kev",
            vuln(
                JSON,
                "kev/known_exploited_vulnerabilities.excerpt.json",
                json!({"title": "x", "catalogVersion": "1",
                    "dateReleased": "2024-01-01T00:00:00.000Z", "count": "one",
                    "vulnerabilities": []}),
                "count",
                &["name"],
            ),
        ),
        r(
            "POST",
            "/advisories/vex",
            vuln(
                JSON,
                "bom-examples/VEX/CISA-Use-Cases/Case-1/vex-not_affected.json",
                json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
                    "vulnerabilities": "many"}),
                "vulnerabilities",
                &["name"],
            ),
        ),
        r(
            "POST",
            "/sboms",
            vuln(
                JSON_OR_XML,
                "scan/product-abc.cdx.json",
                json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
                    "components": "many"}),
                "components",
                &["name"],
            ),
        ),
        r(
            "POST",
            "/vendors/{vendor}/questionnaires",
            params(
                json!({"framework": "csf2"}),
                json!({"framework": 5}),
                "framework",
            ),
        ),
        r("POST", "/vendors/{vendor}/evidence", Shape::Multipart),
        r(
            "PUT",
            "/vendors",
            Shape::Upload {
                types: &["application/json", "application/yaml"],
                valid: json!({"format": "lifeline-vendors/1",
                    "vendors": [{"id": VENDOR, "name": "Meridian EDI"}]})
                .to_string()
                .into_bytes(),
                wrong: json!({"format": "lifeline-vendors/1", "vendors": "many"}),
                field: "vendors",
                malformed: StatusCode::UNPROCESSABLE_ENTITY,
                query: &[],
            },
        ),
        r(
            "POST",
            "/playbooks",
            Shape::Upload {
                types: &["application/json", "application/yaml"],
                valid: json!({"format": "lifeline-playbook/1", "id": "mine", "name": "Mine",
                    "trigger": {"incidents": ["ransomware"]},
                    "steps": [{"id": "call", "title": "Call", "function": "supply-chain"}]})
                .to_string()
                .into_bytes(),
                wrong: json!({"format": "lifeline-playbook/1", "id": "mine", "name": "Mine",
                    "trigger": {}, "steps": "many"}),
                field: "steps",
                malformed: StatusCode::UNPROCESSABLE_ENTITY,
                query: &[],
            },
        ),
        r(
            "POST",
            "/exercise-runs",
            Shape::Upload {
                types: JSON,
                valid: common::exercise_record(),
                wrong: {
                    let mut record: Value =
                        serde_json::from_slice(&common::exercise_record()).expect("a record");
                    record["decisions"][0]["actions"] = json!("notify-hospitals");
                    record
                },
                field: "decisions[0].actions",
                malformed: StatusCode::UNPROCESSABLE_ENTITY,
                query: &[],
            },
        ),
        r(
            "POST",
            "/networks/{id}/incidents",
            params(
                json!({"title": "EDI down", "kind": "ransomware", "entities": ["edi-hub"],
                    "expected_ttr": 10.0}),
                json!({"title": "EDI down", "kind": "ransomware", "entities": "edi-hub",
                    "expected_ttr": 10.0}),
                "entities",
            ),
        ),
        r(
            "POST",
            "/incidents/{id}/tasks/{task}",
            params(json!({"status": "done"}), json!({"status": 5}), "status"),
        ),
        r(
            "POST",
            "/incidents/{id}/entries",
            params(
                json!({"type": "note", "text": "x"}),
                json!({"type": "note", "text": 5}),
                "text",
            ),
        ),
        r(
            "POST",
            "/incidents/{id}/update",
            params(
                json!({"expected_ttr": 3.0}),
                json!({"expected_ttr": "soon"}),
                "expected_ttr",
            ),
        ),
        r(
            "POST",
            "/incidents/{id}/close",
            params(json!({"summary": "x"}), json!({"summary": 5}), "summary"),
        ),
        r(
            "PUT",
            "/partners",
            Shape::Upload {
                types: &["application/json", "application/yaml"],
                valid: json!({"format": "lifeline-partners/1", "organisation": "mercy",
                    "organisations": [{"id": "mercy", "name": "Mercy", "kind": "hospital",
                        "clearance": "amber", "contacts": [{"id": "soc", "name": "SOC",
                        "role": "duty", "escalation": 1,
                        "channels": [{"phone": "+1 555 0100"}]}]}]})
                .to_string()
                .into_bytes(),
                wrong: json!({"format": "lifeline-partners/1", "organisation": "mercy",
                    "organisations": "many"}),
                field: "organisations",
                malformed: StatusCode::UNPROCESSABLE_ENTITY,
                query: &[],
            },
        ),
        r(
            "PUT",
            "/partners/key",
            Shape::Upload {
                types: JSON,
                valid: lifeline_share::keys::KeyPair::from_seed("mercy", "k1", [7; 32])
                    .expect("a key")
                    .to_jwk()
                    .into_bytes(),
                wrong: json!({"kty": 5, "crv": "Ed25519", "kid": "mercy/k1", "d": "x"}),
                field: "kty",
                malformed: StatusCode::UNPROCESSABLE_ENTITY,
                query: &[],
            },
        ),
        r(
            "POST",
            "/incidents/{id}/alerts",
            params(json!({"tlp": "green"}), json!({"tlp": 5}), "tlp"),
        ),
        r(
            "POST",
            "/drills",
            params(json!({"title": "d"}), json!({"title": 5}), "title"),
        ),
        r(
            "POST",
            "/acks",
            params(json!({"jws": "a.b.c"}), json!({"jws": 5}), "jws"),
        ),
        r(
            "POST",
            "/devices/report",
            vuln(
                JSON_OR_XML,
                "devices/inventory.json",
                json!({"resourceType": "Bundle",
                    "entry": [{"resource": {"resourceType": "Device", "id": 5}}]}),
                "entry[0].resource.id",
                &["network"],
            ),
        ),
    ]
}

async fn raw(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Reply {
    let mut request = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).expect("a request of the test"))
        .uri(path)
        .header("authorization", format!("Bearer {token}"));
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    app.call(
        request
            .body(Body::from(body))
            .expect("a request of the test"),
    )
    .await
}

/// Checks a refusal: `status`, a JSON error, and its field when one is expected.
fn refused(app: &TestApp, what: &str, reply: &Reply, status: StatusCode, field: Option<&str>) {
    let label = app.db.label;
    assert_eq!(reply.status, status, "{label}: {what}: {}", reply.text());
    let body = reply.json();
    let error = &body["error"];
    assert!(
        error["code"].is_string() && error["message"].is_string(),
        "{label}: {what}: {body}"
    );
    if let Some(field) = field {
        assert_eq!(error["field"], field, "{label}: {what}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_and_nothing_is_written() {
    let config = Config {
        limits: Limits {
            body_bytes: BODY_BYTES,
            upload_bytes: UPLOAD_BYTES,
            ..Limits::default()
        },
        ..Config::default()
    };
    for app in apps_with(&config).await {
        let label = app.db.label;
        let admin = app.user("Mercy Hospital", "alice", Role::Admin).await;
        app.user("Third Party", "tina", Role::Viewer).await;
        let network = app.upload_example(&admin, "iv-fluids.json").await;
        let example = std::fs::read(format!(
            "{}/../../examples/iv-fluids.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert!(example.len() < UPLOAD_BYTES && example.len() > BODY_BYTES);

        // Every documented route with a body has its row.
        let doc = app.get("/api/v1/openapi.json", &admin).await.json();
        let mut served = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                if operation.get("requestBody").is_some() {
                    served.insert((method.to_uppercase(), path.clone()));
                }
            }
        }
        let routes = body_routes();
        let table: BTreeSet<(String, String)> = routes
            .iter()
            .map(|r| (r.method.to_owned(), r.path.to_owned()))
            .collect();
        assert_eq!(
            served, table,
            "routes with a body, served (left) and in the bad-input table (right)"
        );

        let before = app
            .store
            .verify_audit()
            .await
            .unwrap()
            .expect("a sound chain");

        for route in &routes {
            let path = format!(
                "/api/v1{}",
                route
                    .path
                    .replace("{id}", &network)
                    .replace("{vendor}", VENDOR)
                    .replace("{task}", TASK)
            );
            let what = |case: &str| format!("{} {} {case}", route.method, route.path);
            let send = |content_type: Option<&'static str>, body: Vec<u8>| {
                let (app, path, admin) = (&app, path.clone(), admin.clone());
                async move { raw(app, route.method, &path, &admin, content_type, body).await }
            };
            let json_type = Some("application/json");
            match &route.shape {
                Shape::Params {
                    valid,
                    wrong,
                    field,
                } => {
                    let reply = send(json_type, b"{ not json".to_vec()).await;
                    refused(
                        &app,
                        &what("malformed"),
                        &reply,
                        StatusCode::BAD_REQUEST,
                        None,
                    );
                    let reply = send(json_type, b"[1, 2]".to_vec()).await;
                    refused(
                        &app,
                        &what("an array"),
                        &reply,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        None,
                    );
                    let reply = send(json_type, Vec::new()).await;
                    assert!(reply.status.is_client_error(), "{label}: {}", what("empty"));
                    let reply = send(json_type, wrong.to_string().into_bytes()).await;
                    refused(
                        &app,
                        &what("wrong type"),
                        &reply,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Some(field),
                    );
                    let mut unknown = valid.clone();
                    unknown["surprise"] = json!(1);
                    let reply = send(json_type, unknown.to_string().into_bytes()).await;
                    refused(
                        &app,
                        &what("unknown field"),
                        &reply,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Some("surprise"),
                    );
                    let body = valid.to_string().into_bytes();
                    for content_type in [None, Some("text/plain"), Some("application/yaml")] {
                        let reply = send(content_type, body.clone()).await;
                        refused(
                            &app,
                            &what(&format!("as {content_type:?}")),
                            &reply,
                            StatusCode::UNSUPPORTED_MEDIA_TYPE,
                            None,
                        );
                    }
                    let mut big = valid.clone();
                    big["padding"] = json!("x".repeat(BODY_BYTES));
                    let reply = send(json_type, big.to_string().into_bytes()).await;
                    refused(
                        &app,
                        &what("over the limit"),
                        &reply,
                        StatusCode::PAYLOAD_TOO_LARGE,
                        None,
                    );
                }
                Shape::Document => {
                    let reply = send(json_type, b"{\"nodes\": [".to_vec()).await;
                    document_refused(&app, route, &what("malformed"), &reply, None);
                    let reply = send(Some("application/yaml"), b"nodes: [\n  - {".to_vec()).await;
                    document_refused(&app, route, &what("malformed YAML"), &reply, None);
                    let reply =
                        send(Some("application/zip"), b"PK\x03\x04 not a zip".to_vec()).await;
                    document_refused(&app, route, &what("a broken zip"), &reply, None);
                    let wrong = json!({"name": "n", "nodes": "many", "edges": []});
                    let reply = send(json_type, wrong.to_string().into_bytes()).await;
                    document_refused(&app, route, &what("wrong type"), &reply, Some("nodes"));
                    for content_type in [None, Some("text/plain"), Some("application/octet-stream")]
                    {
                        let reply = send(content_type, example.clone()).await;
                        refused(
                            &app,
                            &what(&format!("as {content_type:?}")),
                            &reply,
                            StatusCode::UNSUPPORTED_MEDIA_TYPE,
                            None,
                        );
                    }
                    let mut big = example.clone();
                    big.extend(std::iter::repeat_n(b' ', UPLOAD_BYTES));
                    let reply = send(json_type, big).await;
                    refused(
                        &app,
                        &what("over the limit"),
                        &reply,
                        StatusCode::PAYLOAD_TOO_LARGE,
                        None,
                    );
                    // A zip that unpacks to a path outside its folder.
                    let reply = send(Some("application/zip"), evil_zip()).await;
                    document_refused(&app, route, &what("a zip with ../"), &reply, None);
                }
                Shape::Multipart => {
                    const FORM: Option<&str> =
                        Some("multipart/form-data; boundary=lifeline-input-boundary");
                    let file: (&str, Option<&str>, &[u8]) = ("file", Some("r.pdf"), b"%PDF");
                    let kind: (&str, Option<&str>, &[u8]) = ("kind", None, b"soc2-type2");
                    for content_type in [
                        None,
                        json_type,
                        Some("text/plain"),
                        Some("application/x-www-form-urlencoded"),
                    ] {
                        let reply = send(content_type, multipart(&[kind, file])).await;
                        refused(
                            &app,
                            &what(&format!("as {content_type:?}")),
                            &reply,
                            StatusCode::UNSUPPORTED_MEDIA_TYPE,
                            None,
                        );
                    }
                    for (case, parts, field) in [
                        ("without a file", vec![kind], "file"),
                        ("without a kind", vec![file], "kind"),
                        (
                            "with an unknown field",
                            vec![kind, ("surprise", None, &b"1"[..]), file],
                            "surprise",
                        ),
                        (
                            "with a bad date",
                            vec![kind, ("expires", None, &b"31/12/2026"[..]), file],
                            "expires",
                        ),
                    ] {
                        let reply = send(FORM, multipart(&parts)).await;
                        refused(
                            &app,
                            &what(case),
                            &reply,
                            StatusCode::UNPROCESSABLE_ENTITY,
                            Some(field),
                        );
                    }
                    let reply = send(FORM, b"--lifeline-input-boundary\r\nbroken".to_vec()).await;
                    assert!(
                        reply.status.is_client_error(),
                        "{label}: {}",
                        what("broken")
                    );
                    let big = vec![b'x'; UPLOAD_BYTES];
                    let reply = send(FORM, multipart(&[kind, ("file", Some("big"), &big)])).await;
                    refused(
                        &app,
                        &what("over the limit"),
                        &reply,
                        StatusCode::PAYLOAD_TOO_LARGE,
                        None,
                    );
                    // A valid form for a vendor of no register: not found.
                    let reply = send(FORM, multipart(&[kind, file])).await;
                    refused(&app, &what("valid"), &reply, StatusCode::NOT_FOUND, None);
                }
                Shape::Upload {
                    types,
                    valid,
                    wrong,
                    field,
                    malformed,
                    query,
                } => {
                    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
                    let valid_type = types.first().copied();
                    let reply = send(json_type, b"{\"id\": [".to_vec()).await;
                    refused(&app, &what("malformed"), &reply, *malformed, None);
                    let reply = send(json_type, b"[1, 2]".to_vec()).await;
                    refused(&app, &what("an array of numbers"), &reply, *malformed, None);
                    let reply = send(json_type, Vec::new()).await;
                    refused(&app, &what("empty"), &reply, *malformed, None);
                    let reply = send(json_type, wrong.to_string().into_bytes()).await;
                    refused(&app, &what("wrong type"), &reply, invalid, None);
                    assert!(
                        reply.text().contains(field),
                        "{label}: {}: `{field}` not named: {}",
                        what("wrong type"),
                        reply.text()
                    );
                    // NUL bytes, raw and escaped, which no PostgreSQL text column holds.
                    let mut nul = valid.clone();
                    nul.extend_from_slice(b"\n\0");
                    let reply = send(valid_type, nul).await;
                    refused(&app, &what("with a NUL"), &reply, *malformed, None);
                    if types.contains(&"application/xml") {
                        let reply = send(Some("application/xml"), b"<bom xmlns=".to_vec()).await;
                        refused(&app, &what("malformed XML"), &reply, *malformed, None);
                        let reply = send(Some("text/xml"), b"<a>\0</a>".to_vec()).await;
                        refused(&app, &what("XML with a NUL"), &reply, *malformed, None);
                    }
                    if types.contains(&"application/zip") {
                        let zip = Some("application/zip");
                        let reply = send(zip, b"PK\x03\x04 not a zip".to_vec()).await;
                        refused(&app, &what("a broken zip"), &reply, invalid, None);
                        let reply = send(zip, evil_zip()).await;
                        refused(&app, &what("a zip with ../"), &reply, invalid, None);
                    }
                    let mut refused_types =
                        vec![None, Some("text/plain"), Some("application/octet-stream")];
                    if !types.contains(&"application/yaml") {
                        refused_types.push(Some("application/yaml"));
                    }
                    if !types.contains(&"application/zip") {
                        refused_types.push(Some("application/zip"));
                    }
                    if !types.contains(&"application/xml") {
                        refused_types.push(Some("application/xml"));
                    }
                    for content_type in refused_types {
                        let reply = send(content_type, valid.clone()).await;
                        refused(
                            &app,
                            &what(&format!("as {content_type:?}")),
                            &reply,
                            StatusCode::UNSUPPORTED_MEDIA_TYPE,
                            None,
                        );
                    }
                    let mut big = valid.clone();
                    big.extend(std::iter::repeat_n(b' ', UPLOAD_BYTES));
                    let reply = send(valid_type, big).await;
                    refused(
                        &app,
                        &what("over the limit"),
                        &reply,
                        StatusCode::PAYLOAD_TOO_LARGE,
                        None,
                    );
                    // Unknown and unsafe query parameters, where the route reads its query
                    // (EPCIS capture reads none).
                    let mut queries = Vec::new();
                    if !query.is_empty() {
                        queries.push(("?surprise=1".to_owned(), StatusCode::BAD_REQUEST, None));
                    }
                    if query.contains(&"name") {
                        for value in ["%00", "a%E2%80%AEb"] {
                            queries.push((format!("?name={value}"), invalid, Some("name")));
                        }
                    }
                    if query.contains(&"network") {
                        for value in ["%00", "net_unknown", "..%2F"] {
                            let not_found = StatusCode::NOT_FOUND;
                            queries.push((format!("?network={value}"), not_found, None));
                        }
                    }
                    for (query, status, field) in queries {
                        let path = format!("/api/v1{}{query}", route.path);
                        let body = valid.clone();
                        let reply = raw(&app, route.method, &path, &admin, valid_type, body).await;
                        refused(&app, &format!("POST {path}"), &reply, status, field);
                    }
                }
            }
            if route.path.contains("{id}") {
                for id in ["net_unknown", "%00", "..%2F..%2Fetc", "%E2%80%AE"] {
                    let path = format!(
                        "/api/v1{}",
                        route.path.replace("{id}", id).replace("{task}", TASK)
                    );
                    let (content_type, body) = match &route.shape {
                        Shape::Params { valid, .. } => {
                            ("application/json", valid.to_string().into_bytes())
                        }
                        Shape::Document => ("application/json", example.clone()),
                        Shape::Multipart => (
                            "multipart/form-data; boundary=lifeline-input-boundary",
                            multipart(&[("kind", None, b"x"), ("file", Some("f"), b"x")]),
                        ),
                        Shape::Upload { valid, types, .. } => (
                            types.first().copied().unwrap_or("application/json"),
                            valid.clone(),
                        ),
                    };
                    let reply =
                        raw(&app, route.method, &path, &admin, Some(content_type), body).await;
                    refused(
                        &app,
                        &format!("{path} (unknown id)"),
                        &reply,
                        StatusCode::NOT_FOUND,
                        None,
                    );
                }
            }
        }

        // An unknown field in a network is a warning naming it (as `lifeline validate`).
        let mut document: Value = serde_json::from_slice(&example).unwrap();
        document["surprise"] = json!(1);
        let reply = raw(
            &app,
            "POST",
            "/api/v1/validate",
            &admin,
            Some("application/json"),
            document.to_string().into_bytes(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{label}: {}", reply.text());
        assert!(
            reply.json()["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["path"].as_str().unwrap_or_default().contains("surprise")),
            "{label}: {}",
            reply.text()
        );

        // A document with a NUL byte, which no PostgreSQL text column holds: refused as a
        // document, not failed as a write.
        for (content_type, tail) in [
            ("application/yaml", &b"\n# a comment with a \0 in it\n"[..]),
            ("application/json", &b"\n\0"[..]),
        ] {
            let mut body = example.clone();
            body.extend_from_slice(tail);
            let reply = raw(
                &app,
                "POST",
                "/api/v1/networks?name=nul",
                &admin,
                Some(content_type),
                body,
            )
            .await;
            refused(
                &app,
                &format!("a {content_type} document with a NUL"),
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            );
        }

        // Values no column can hold, and names of nobody.
        let nul = "a\u{0}b";
        for (path, body, status, field) in [
            (
                "/api/v1/session",
                json!({"user": nul, "password": PASSWORD}),
                StatusCode::UNAUTHORIZED,
                None,
            ),
            (
                "/api/v1/tokens",
                json!({"label": nul}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("label"),
            ),
            (
                "/api/v1/users",
                json!({"name": nul, "role": "viewer", "password": PASSWORD}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("name"),
            ),
            (
                "/api/v1/users",
                json!({"name": "carol", "role": "viewer", "password": PASSWORD, "contact": nul}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("contact"),
            ),
            (
                "/api/v1/users",
                json!({"name": "carol", "role": "viewer", "password": "short"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("password"),
            ),
            (
                "/api/v1/users",
                json!({"name": "alice", "role": "viewer", "password": PASSWORD}),
                StatusCode::CONFLICT,
                None,
            ),
            (
                &format!("/api/v1/networks/{network}/shares"),
                json!({"org": nul}),
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                &format!("/api/v1/networks/{network}/shares"),
                json!({"org": "Nobody Inc"}),
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "/api/v1/tokens",
                json!({"expires_days": 0}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("expires_days"),
            ),
            (
                &format!("/api/v1/networks/{network}/stress"),
                json!({"top": 0}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("top"),
            ),
            (
                &format!("/api/v1/networks/{network}/stress"),
                json!({"version": 0}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("version"),
            ),
            (
                &format!("/api/v1/networks/{network}/stress"),
                json!({"version": 7}),
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                &format!("/api/v1/networks/{network}/simulate"),
                json!({"scenario": "no-such-scenario"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("scenario"),
            ),
            (
                &format!("/api/v1/networks/{network}/simulate"),
                json!({"scenario": "edi-hub", "days": 0}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("days"),
            ),
            (
                &format!("/api/v1/networks/{network}/montecarlo"),
                json!({"outage": ["edi-hub"], "replications": 0}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("replications"),
            ),
            (
                &format!("/api/v1/networks/{network}/montecarlo"),
                json!({"outage": []}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("outage"),
            ),
            (
                &format!("/api/v1/networks/{network}/montecarlo"),
                json!({"outage": ["edi-hub"], "duration": "gaussian:1"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            ),
            (
                "/api/v1/epcis/verify",
                json!({"gtin": "00300010123455", "serial": nul}),
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            ),
            (
                "/api/v1/epcis/verify",
                json!({"gtin": "12ab", "serial": "11"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("gtin"),
            ),
        ] {
            let reply = app.post_json(path, &admin, &body).await;
            refused(&app, &format!("POST {path} {body}"), &reply, status, field);
        }

        // Queries: wrong types, unknown parameters, values out of range.
        for (method, path, status, field) in [
            (
                "GET",
                "/api/v1/audit?limit=many",
                StatusCode::BAD_REQUEST,
                None,
            ),
            (
                "GET",
                "/api/v1/audit?limit=-1",
                StatusCode::BAD_REQUEST,
                None,
            ),
            (
                "GET",
                "/api/v1/audit?surprise=1",
                StatusCode::BAD_REQUEST,
                None,
            ),
            (
                "GET",
                "/api/v1/jobs?limit=99999999999",
                StatusCode::BAD_REQUEST,
                None,
            ),
            (
                "GET",
                &format!("/api/v1/networks/{network}/download?version=first"),
                StatusCode::BAD_REQUEST,
                None,
            ),
            (
                "GET",
                &format!("/api/v1/networks/{network}/download?version=0"),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("version"),
            ),
            (
                "GET",
                &format!("/api/v1/networks/{network}/download?version=2"),
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "POST",
                "/api/v1/networks?name=%00",
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("name"),
            ),
            ("GET", "/api/v1/networks/%00", StatusCode::NOT_FOUND, None),
            (
                "GET",
                "/api/v1/jobs/%00/result",
                StatusCode::NOT_FOUND,
                None,
            ),
            ("DELETE", "/api/v1/tokens/%00", StatusCode::NOT_FOUND, None),
            (
                "DELETE",
                "/api/v1/tokens/tok_unknown",
                StatusCode::NOT_FOUND,
                None,
            ),
            ("GET", "/api/v1/sboms/%00", StatusCode::NOT_FOUND, None),
            (
                "GET",
                "/api/v1/sboms/sbom_unknown/scan",
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "GET",
                "/api/v1/sboms/sbom_unknown/scan?format=pdf",
                StatusCode::BAD_REQUEST,
                None,
            ),
            (
                "POST",
                "/api/v1/devices/report?network=net_unknown",
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "POST",
                "/api/v1/devices/report?network=%00",
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "POST",
                &format!("/api/v1/devices/report?network={network}&version=0"),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("version"),
            ),
            (
                "POST",
                &format!("/api/v1/devices/report?network={network}&version=2"),
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "GET",
                "/api/v1/epcis/capture/%00",
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "GET",
                "/api/v1/epcis/capture/cap_unknown",
                StatusCode::NOT_FOUND,
                None,
            ),
            (
                "GET",
                "/api/v1/epcis/history",
                StatusCode::BAD_REQUEST,
                None,
            ),
            (
                "GET",
                "/api/v1/epcis/history?epc=%00",
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("epc"),
            ),
            (
                "GET",
                "/api/v1/epcis/history?epc=urn:epc:id:sgtin:0614141.107346.%00",
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("epc"),
            ),
            (
                "GET",
                "/api/v1/epcis/events?surprise=1",
                StatusCode::BAD_REQUEST,
                None,
            ),
            (
                "GET",
                "/api/v1/epcis/events?EQ_bizStep=%00",
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("EQ_bizStep"),
            ),
            (
                "GET",
                "/api/v1/epcis/events?MATCH_anyEPC=%00",
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("MATCH_anyEPC"),
            ),
            (
                "GET",
                "/api/v1/epcis/events?perPage=0",
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("perPage"),
            ),
            (
                "GET",
                "/api/v1/epcis/events?GE_eventTime=yesterday",
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("GE_eventTime"),
            ),
            ("GET", "/api/v1/no-such-route", StatusCode::NOT_FOUND, None),
            (
                "PUT",
                "/api/v1/networks",
                StatusCode::METHOD_NOT_ALLOWED,
                None,
            ),
        ] {
            let body = if method == "POST" {
                example.clone()
            } else {
                Vec::new()
            };
            let reply = raw(&app, method, path, &admin, Some("application/json"), body).await;
            refused(&app, &format!("{method} {path}"), &reply, status, field);
        }

        // Vulnerability documents whose values no text column holds (escaped NULs, which
        // JSON allows): refused, not failed as a write.
        let nul_kev = String::from_utf8(vuln_data(
            "kev/known_exploited_vulnerabilities.excerpt.json",
        ))
        .unwrap();
        let version = serde_json::from_str::<Value>(&nul_kev).unwrap()["catalogVersion"]
            .as_str()
            .unwrap()
            .to_owned();
        let nul_kev = nul_kev.replacen(&version, "2024\\u0000", 1);
        let nul_sbom = String::from_utf8(vuln_data("scan/product-abc.cdx.json"))
            .unwrap()
            .replacen("\"name\": \"ABC\"", "\"name\": \"A\\u0000BC\"", 1);
        for (path, content_type, body) in [
            (
                "/api/v1/advisories/osv",
                "application/json",
                json!({"id": "GO-\u{0}", "modified": "2024-01-01T00:00:00Z"})
                    .to_string()
                    .into_bytes(),
            ),
            (
                "/api/v1/advisories/kev",
                "application/json",
                nul_kev.into_bytes(),
            ),
            ("/api/v1/sboms", "application/json", nul_sbom.into_bytes()),
            (
                "/api/v1/epcis/capture",
                "application/ld+json",
                epcis_event(json!({"readPoint": {"id": "https://example.com/rp/a\u{0}b"}})),
            ),
            (
                "/api/v1/epcis/capture",
                "application/ld+json",
                epcis_event(json!({"bizStep": "https://example.com/step/a\u{0}b"})),
            ),
            (
                "/api/v1/epcis/capture",
                "application/ld+json",
                epcis_event(json!({"bizLocation": {"id": "https://example.com/loc/\u{0}"}})),
            ),
            (
                "/api/v1/epcis/capture",
                "application/ld+json",
                epcis_event(json!({"epcList": ["https://id.gs1.org/01/00300010123455/21/\u{0}"]})),
            ),
        ] {
            let reply = raw(&app, "POST", path, &admin, Some(content_type), body).await;
            refused(
                &app,
                &format!("POST {path} ({content_type}) with an escaped NUL"),
                &reply,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
            );
        }

        // A bearer header that is not one, and a token with a NUL.
        for value in ["Bearer", "Bearer ", "Basic YWxpY2U6cHc=", "Bearer llt_%00"] {
            let request = Request::builder()
                .uri("/api/v1/me")
                .header("authorization", value)
                .body(Body::empty())
                .unwrap();
            let reply = app.call(request).await;
            refused(&app, value, &reply, StatusCode::UNAUTHORIZED, None);
        }

        // Nothing of all that was written: the chain is as it was, and sound.
        let after = app
            .store
            .verify_audit()
            .await
            .unwrap()
            .expect("a sound chain");
        assert_eq!(
            after, before,
            "{label}: a refused request wrote to the audit log"
        );
        let list = app.get("/api/v1/networks", &admin).await.json();
        assert_eq!(
            list["networks"].as_array().unwrap().len(),
            1,
            "{label}: {list}"
        );
        assert_eq!(list["networks"][0]["version"], 1, "{label}: {list}");
        let sboms = app.get("/api/v1/sboms", &admin).await.json();
        assert_eq!(sboms["sboms"], json!([]), "{label}: {sboms}");
        let events = app.get("/api/v1/epcis/events", &admin).await.json();
        assert!(
            events.to_string().contains("\"eventList\":[]"),
            "{label}: {events}"
        );
        let advisories = app.get("/api/v1/advisories", &admin).await.json();
        assert_eq!(advisories["loads"], json!([]), "{label}: {advisories}");
        let users = app.get("/api/v1/users", &admin).await.json();
        assert_eq!(
            users["users"].as_array().unwrap().len(),
            1,
            "{label}: {users}"
        );
    }
}

/// A document route refuses a bad document: 422 with the problem (naming `field` in a
/// diagnostic or the message when given), except `validate`, which answers 200 with
/// `valid: false` and the diagnostics when there are any.
fn document_refused(
    app: &TestApp,
    route: &BodyRoute,
    what: &str,
    reply: &Reply,
    field: Option<&str>,
) {
    let label = app.db.label;
    let body = reply.json();
    if route.path == "/validate" && reply.status == StatusCode::OK {
        assert_eq!(body["valid"], false, "{label}: {what}: {body}");
        assert!(
            body["diagnostics"]
                .as_array()
                .is_some_and(|d| !d.is_empty()),
            "{label}: {what}: {body}"
        );
    } else {
        refused(app, what, reply, StatusCode::UNPROCESSABLE_ENTITY, None);
    }
    if let Some(field) = field {
        assert!(body.to_string().contains(field), "{label}: {what}: {body}");
    }
}

/// A zip whose one entry would be written outside the folder it is unpacked in.
fn evil_zip() -> Vec<u8> {
    use std::io::Write as _;
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("../nodes.csv", options)
            .expect("a zip entry");
        zip.write_all(b"id,kind\nx,hospital\n")
            .expect("a zip entry");
        zip.finish().expect("a zip");
    }
    out.into_inner()
}
