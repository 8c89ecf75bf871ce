//! Who may do what: every documented route of the API, tried as nobody, with a forged, an
//! expired and a revoked token, as another organisation, with each role too low for it,
//! and with a session cookie with and without its CSRF token. The routes come from the
//! served OpenAPI document, so that a new route cannot escape the matrix.
//!
//! Then the partner role, login (cookie attributes, rate limiting, logout) and first-run
//! setup.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{PASSWORD, Reply, TestApp, apps, apps_with, login};
use lifeline_server::{Config, Limits};
use lifeline_store::{Role, now_ms};
use serde_json::{Value, json};

/// The least a caller must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// No credentials: setup and login.
    Public,
    /// Any signed-in user.
    Any,
    /// A viewer or above: a partner is refused (403).
    Viewer,
    Analyst,
    Admin,
}

/// Which organisation's rows a route is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The caller's own doings (who they are, a new token, an upload of their own).
    Own,
    /// A list of the caller's organisation's rows.
    List,
    /// One row, by the id in the path (or, for a device report, the network's id in the
    /// query).
    ById,
}

#[derive(Debug, Clone, Copy)]
struct Route {
    method: &'static str,
    /// As the OpenAPI document names it, below `/api/v1`.
    path: &'static str,
    need: Need,
    scope: Scope,
    /// The answer to a caller who may.
    ok: StatusCode,
}

const fn route(
    method: &'static str,
    path: &'static str,
    need: Need,
    scope: Scope,
    ok: StatusCode,
) -> Route {
    Route {
        method,
        path,
        need,
        scope,
        ok,
    }
}

/// Every route of the API. A route added to the API without a row here fails
/// `every_route_checks_its_caller`, and so does a row without a route.
const ROUTES: &[Route] = {
    use Need::*;
    use Scope::*;
    const OK: StatusCode = StatusCode::OK;
    const CREATED: StatusCode = StatusCode::CREATED;
    const ACCEPTED: StatusCode = StatusCode::ACCEPTED;
    const NO_CONTENT: StatusCode = StatusCode::NO_CONTENT;
    &[
        // The setup token works once, on an empty database: this one has users.
        route("POST", "/setup", Public, Own, StatusCode::CONFLICT),
        route("POST", "/session", Public, Own, OK),
        route("DELETE", "/session", Any, Own, NO_CONTENT),
        route("GET", "/me", Any, Own, OK),
        route("POST", "/tokens", Any, Own, CREATED),
        route("GET", "/tokens", Any, List, OK),
        route("DELETE", "/tokens/{id}", Any, ById, NO_CONTENT),
        route("POST", "/users", Admin, Own, CREATED),
        route("GET", "/users", Admin, List, OK),
        route("GET", "/audit", Admin, List, OK),
        route("POST", "/networks", Analyst, Own, CREATED),
        route("GET", "/networks", Any, List, OK),
        route("POST", "/validate", Any, Own, OK),
        route("GET", "/networks/{id}", Any, ById, OK),
        route("POST", "/networks/{id}/versions", Analyst, ById, CREATED),
        route("GET", "/networks/{id}/download", Any, ById, OK),
        route("POST", "/networks/{id}/shares", Admin, ById, NO_CONTENT),
        route("POST", "/networks/{id}/stress", Analyst, ById, ACCEPTED),
        route("POST", "/networks/{id}/simulate", Analyst, ById, ACCEPTED),
        route("POST", "/networks/{id}/montecarlo", Analyst, ById, ACCEPTED),
        route("GET", "/jobs", Any, List, OK),
        route("GET", "/jobs/{id}", Any, ById, OK),
        route("GET", "/jobs/{id}/result", Any, ById, OK),
        route("POST", "/advisories/osv", Admin, Own, CREATED),
        route("POST", "/advisories/kev", Admin, Own, CREATED),
        route("POST", "/advisories/vex", Admin, Own, CREATED),
        route("GET", "/advisories", Viewer, List, OK),
        route("POST", "/sboms", Analyst, Own, CREATED),
        route("GET", "/sboms", Viewer, List, OK),
        route("GET", "/sboms/{id}", Viewer, ById, OK),
        route("GET", "/sboms/{id}/scan", Viewer, ById, OK),
        // With `?network=` of A's network: B is not shown it.
        route("POST", "/devices/report", Viewer, ById, OK),
        route("POST", "/epcis/capture", Analyst, Own, ACCEPTED),
        route("GET", "/epcis/capture/{id}", Viewer, ById, OK),
        route("GET", "/epcis/events", Viewer, List, OK),
        route("GET", "/epcis/history", Viewer, List, OK),
        route("GET", "/epcis/findings", Viewer, List, OK),
        // B's verification of A's product finds none of A's events.
        route("POST", "/epcis/verify", Viewer, List, OK),
        // The vendor risk register: partners see none of it; B has no register, so A's
        // vendor ids are unknown to it.
        route("PUT", "/vendors", Analyst, Own, CREATED),
        route("GET", "/vendors", Viewer, List, OK),
        route("GET", "/vendors/reminders", Viewer, List, OK),
        route("GET", "/networks/{id}/risk", Viewer, ById, OK),
        route("GET", "/networks/{id}/risk/heatmap.svg", Viewer, ById, OK),
        route(
            "POST",
            "/vendors/{vendor}/questionnaires",
            Analyst,
            ById,
            CREATED,
        ),
        route("GET", "/vendors/{vendor}/questionnaires", Viewer, ById, OK),
        route(
            "DELETE",
            "/vendors/{vendor}/questionnaires/{id}",
            Analyst,
            ById,
            NO_CONTENT,
        ),
        route("POST", "/vendors/{vendor}/evidence", Analyst, ById, CREATED),
        route("GET", "/vendors/{vendor}/evidence", Viewer, ById, OK),
        route("GET", "/vendors/{vendor}/evidence/{id}", Viewer, ById, OK),
        // Incident response: partners see none of it; B has no incident, and A's
        // imported playbook is unknown to it (the built-in ones are everyone's).
        route("POST", "/playbooks", Analyst, Own, CREATED),
        route("GET", "/playbooks", Viewer, List, OK),
        route("GET", "/playbooks/{id}", Viewer, ById, OK),
        route("POST", "/networks/{id}/incidents", Analyst, ById, CREATED),
        route("GET", "/incidents", Viewer, List, OK),
        route("GET", "/incidents/{id}", Viewer, ById, OK),
        route("GET", "/incidents/{id}/timeline", Viewer, ById, OK),
        route(
            "POST",
            "/incidents/{id}/tasks/{task}",
            Analyst,
            ById,
            CREATED,
        ),
        route("POST", "/incidents/{id}/entries", Analyst, ById, CREATED),
        route("POST", "/incidents/{id}/update", Analyst, ById, CREATED),
        // Each request closes an incident of its own: a closed one takes nothing more.
        route("POST", "/incidents/{id}/close", Analyst, ById, CREATED),
        route("GET", "/incidents/{id}/report", Viewer, ById, OK),
        route("GET", "/incidents/{id}/verify", Viewer, ById, OK),
        // Exercise runs: partners see none of them; B has none, and A's are unknown to it.
        route("POST", "/exercise-runs", Analyst, Own, CREATED),
        route("GET", "/exercise-runs", Viewer, List, OK),
        route("GET", "/exercise-runs/{id}", Viewer, ById, OK),
        route("GET", "/exercise-runs/{id}/report", Viewer, ById, OK),
        // Partner alerts and drills: partners see none of it; B has no directory, no key,
        // no drill, and A's incident is unknown to it.
        route("PUT", "/partners", Analyst, Own, OK),
        route("GET", "/partners", Viewer, ById, OK),
        route("PUT", "/partners/key", Analyst, Own, OK),
        route("GET", "/incidents/{id}/alerts", Viewer, ById, OK),
        route("POST", "/incidents/{id}/alerts", Analyst, ById, OK),
        route("POST", "/acks", Analyst, Own, OK),
        route("GET", "/drills", Viewer, List, OK),
        route("POST", "/drills", Analyst, Own, CREATED),
        route("GET", "/drills/{id}", Viewer, ById, OK),
    ]
};

/// The documented operations, as (METHOD, path), and those that take a request body.
async fn documented(
    app: &TestApp,
    token: &str,
) -> (BTreeSet<(String, String)>, BTreeSet<(String, String)>) {
    let reply = app.get("/api/v1/openapi.json", token).await;
    reply.assert_status(StatusCode::OK);
    let doc = reply.json();
    let mut all = BTreeSet::new();
    let mut with_body = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            if !matches!(
                method.as_str(),
                "get" | "put" | "post" | "delete" | "patch" | "head" | "options"
            ) {
                continue;
            }
            let key = (method.to_uppercase(), path.clone());
            if operation.get("requestBody").is_some() {
                with_body.insert(key.clone());
            }
            all.insert(key);
        }
    }
    (all, with_body)
}

/// How a request proves who sends it.
#[derive(Debug, Clone, Copy)]
enum Who<'a> {
    Nobody,
    Bearer(&'a str),
    Session {
        cookie: &'a str,
        csrf: Option<&'a str>,
    },
}

/// A request of one route: the path with its id filled in, and a body that the route
/// accepts.
struct Req {
    path: String,
    body: Option<(&'static str, Vec<u8>)>,
}

/// Organisation A (`Mercy Hospital`) with a user of every role, a network, a finished job,
/// OSV advisories, a KEV catalogue, an SBOM and a capture of EPCIS events; organisation B (`Other Hospital`) with an
/// admin.
struct Fixture {
    admin: String,
    analyst: String,
    viewer: String,
    partner: String,
    other_admin: String,
    network: String,
    job: String,
    sbom: String,
    capture: String,
    setup_token: Option<String>,
    example: Vec<u8>,
    osv_record: Vec<u8>,
    kev: Vec<u8>,
    vex: Vec<u8>,
    sbom_document: Vec<u8>,
    inventory: Vec<u8>,
    epcis: Vec<u8>,
    /// A vendor of A's register, and an evidence file of it.
    evidence: String,
    /// A's incident on its network, a task of it (`PLAYBOOK/STEP`), and A's imported
    /// playbook.
    incident: String,
    task: String,
    playbook: Vec<u8>,
    /// A's exercise run.
    exercise_run: String,
    /// A's channel drill.
    drill: String,
    counter: AtomicUsize,
}

/// A's partner directory: Meridian runs the EDI hub and is reached by phone only, so
/// that sending and drilling go nowhere off this machine.
fn partner_directory() -> Vec<u8> {
    let at = time::macros::datetime!(2026-01-01 0:00 UTC);
    json!({
        "format": "lifeline-partners/1",
        "organisation": "mercy",
        "organisations": [
            {"id": "mercy", "name": "Mercy Hospital", "kind": "hospital", "clearance": "amber",
             "contacts": [{"id": "soc", "name": "SOC", "role": "security-lead", "escalation": 1,
                 "channels": [{"phone": "+1 555 0100"}]}],
             "keys": [our_key().public(at)]},
            {"id": "meridian", "name": "Meridian EDI", "kind": "platform", "clearance": "amber",
             "entities": ["edi-hub"],
             "contacts": [{"id": "duty", "name": "Duty desk", "role": "duty", "escalation": 1,
                 "channels": [{"phone": "+1 555 0199"}]}],
             "keys": [their_key().public(at)]}
        ]
    })
    .to_string()
    .into_bytes()
}

fn our_key() -> lifeline_share::keys::KeyPair {
    lifeline_share::keys::KeyPair::from_seed("mercy", "k1", [7; 32]).expect("a key")
}

fn their_key() -> lifeline_share::keys::KeyPair {
    lifeline_share::keys::KeyPair::from_seed("meridian", "p1", [9; 32]).expect("a key")
}

/// Meridian's signed acknowledgement of A's drill alert `alert`, with nonce number `n`.
fn signed_ack(alert: &str, n: usize) -> String {
    use base64::Engine as _;
    let now = time::OffsetDateTime::now_utc();
    let nonce = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode((n as u128).to_be_bytes());
    let ack = lifeline_share::alert::Ack {
        typ: lifeline_share::alert::ACK_TYPE.to_owned(),
        alert: alert.to_owned(),
        issuer: "meridian".into(),
        recipient: "mercy".into(),
        contact: "duty".into(),
        issued_at: now,
        expires_at: now + time::Duration::hours(1),
        nonce,
        note: String::new(),
    };
    lifeline_share::jws::sign_ack(&ack, &their_key()).expect("a signed reply")
}

/// The id of A's imported playbook.
const PLAYBOOK: &str = "mercy-edi-downtime";

/// A's own playbook: a built-in one under another id, in lifeline's YAML form.
fn playbook_document() -> Vec<u8> {
    let mut playbook = lifeline_response::library::builtin()
        .into_iter()
        .next()
        .expect("a built-in playbook");
    playbook.id = PLAYBOOK.to_owned();
    lifeline_response::playbook::read::to_yaml(&playbook).into_bytes()
}

/// A declaration of an outage of the EDI exchange of `iv-fluids.json`.
fn declaration() -> Value {
    json!({"title": "Meridian EDI down", "kind": "ransomware", "entities": ["edi-hub"],
        "expected_ttr": 10.0})
}

/// Declares an incident on `network` as `token`; its id and its first task's id.
async fn declare(app: &TestApp, token: &str, network: &str) -> (String, String) {
    let reply = app
        .post_json(
            &format!("/api/v1/networks/{network}/incidents"),
            token,
            &declaration(),
        )
        .await;
    reply.assert_status(StatusCode::CREATED);
    let body = reply.json();
    (
        body["id"].as_str().expect("an incident id").to_owned(),
        body["incident"]["tasks"][0]["id"]
            .as_str()
            .expect("a task")
            .to_owned(),
    )
}

/// The vendor of A's register (the EDI exchange `edi-hub` of `iv-fluids.json` carries it).
const VENDOR: &str = "meridian-edi";

/// A small vendor register of A.
fn vendors_document() -> Vec<u8> {
    json!({
        "format": "lifeline-vendors/1",
        "as_of": "2026-12-01",
        "vendors": [{
            "id": VENDOR, "name": "Meridian EDI", "kind": "it-platform",
            "controls": {
                "mfa": true,
                "offline_backups": {"in_place": true,
                    "evidence": [{"kind": "soc2-type2", "expires": "2026-12-20"}]}
            },
            "answers": [{"question": "GV.SC-05", "answer": "partial"}]
        }]
    })
    .to_string()
    .into_bytes()
}

const BOUNDARY: &str = "lifeline-test-boundary";
const MULTIPART: &str = "multipart/form-data; boundary=lifeline-test-boundary";

/// The multipart form of an evidence upload.
fn evidence_form(file: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nsoc2-type2\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"expires\"\r\n\r\n2026-12-24\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"meridian-soc2.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn example(name: &str) -> Vec<u8> {
    let path = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).expect("the example exists")
}

/// A file of lifeline-vuln's test data.
fn vuln_data(relative: &str) -> Vec<u8> {
    let path = format!(
        "{}/../lifeline-vuln/tests/data/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// An item of the DSCSA example (`GS1_US_Pharma_Example_2_2_1_1.xml`), and its GTIN.
const ITEM: &str = "urn:epc:id:sgtin:030001.0012345.11";
const GTIN: &str = "00300010123455";

/// A file of lifeline-trace's test data.
fn trace_data(relative: &str) -> Vec<u8> {
    let path = format!(
        "{}/../lifeline-trace/tests/data/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Sends a document and expects `201 Created`.
async fn upload(app: &TestApp, path: &str, token: &str, body: Vec<u8>) -> Value {
    let reply = app
        .send(
            Method::POST,
            path,
            Some(token),
            Some(("application/json", body)),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}: {path}: {}",
        app.db.label,
        reply.text()
    );
    reply.json()
}

impl Fixture {
    async fn new(app: &TestApp) -> Fixture {
        let setup_token = app.state.setup_token();
        let admin = app.user("Mercy Hospital", "alice", Role::Admin).await;
        let analyst = app.user("Mercy Hospital", "andy", Role::Analyst).await;
        let viewer = app.user("Mercy Hospital", "vera", Role::Viewer).await;
        let partner = app.user("Mercy Hospital", "paul", Role::Partner).await;
        let other_admin = app.user("Other Hospital", "bob", Role::Admin).await;
        // Where the admin's shares go: sharing with B would show B what the matrix
        // checks B cannot see.
        app.user("Third Party", "tina", Role::Viewer).await;
        let network = app.upload_example(&admin, "iv-fluids.json").await;
        let reply = app
            .post_json(
                &format!("/api/v1/networks/{network}/simulate"),
                &admin,
                &json!({"scenario": "edi-hub"}),
            )
            .await;
        reply.assert_status(StatusCode::ACCEPTED);
        let url = reply.json()["job"]["url"]
            .as_str()
            .expect("a job url")
            .to_owned();
        let job = app.wait_job(&admin, &url).await;
        assert_eq!(job["state"], "succeeded", "{job}");
        // Advisories and an SBOM, so that scans and device reports answer 200.
        let osv_record = vuln_data("osv/osv-linter-testdata/GO-2020-0001.json");
        let kev = vuln_data("kev/known_exploited_vulnerabilities.excerpt.json");
        upload(app, "/api/v1/advisories/osv", &admin, osv_record.clone()).await;
        upload(app, "/api/v1/advisories/kev", &admin, kev.clone()).await;
        let sbom_document = vuln_data("scan/product-abc.cdx.json");
        let sbom = upload(
            app,
            "/api/v1/sboms?name=mercy-abc",
            &admin,
            sbom_document.clone(),
        )
        .await["id"]
            .as_str()
            .expect("an SBOM id")
            .to_owned();
        let epcis = trace_data("dscsa/GS1_US_Pharma_Example_2_2_1_1.xml");
        let reply = app
            .send(
                Method::POST,
                "/api/v1/epcis/capture",
                Some(&admin),
                Some(("application/xml", epcis.clone())),
            )
            .await;
        reply.assert_status(StatusCode::ACCEPTED);
        let capture = reply.json()["captureID"]
            .as_str()
            .expect("a captureID")
            .to_owned();
        // A vendor register, an evidence file, and a stress test to weigh impact with.
        let reply = app
            .send(
                Method::PUT,
                "/api/v1/vendors",
                Some(&admin),
                Some(("application/json", vendors_document())),
            )
            .await;
        reply.assert_status(StatusCode::CREATED);
        let reply = app
            .send(
                Method::POST,
                &format!("/api/v1/vendors/{VENDOR}/evidence"),
                Some(&admin),
                Some((MULTIPART, evidence_form(b"%PDF-1.7 report"))),
            )
            .await;
        reply.assert_status(StatusCode::CREATED);
        let evidence = reply.json()["id"].as_str().expect("an id").to_owned();
        app.stress_and_wait(&admin, &network).await;
        let (incident, task) = declare(app, &admin, &network).await;
        let playbook = playbook_document();
        let reply = app
            .send(
                Method::POST,
                "/api/v1/playbooks",
                Some(&admin),
                Some(("application/yaml", playbook.clone())),
            )
            .await;
        reply.assert_status(StatusCode::CREATED);
        let reply = app
            .send(
                Method::POST,
                "/api/v1/exercise-runs",
                Some(&admin),
                Some(("application/json", common::exercise_record())),
            )
            .await;
        reply.assert_status(StatusCode::CREATED);
        let exercise_run = reply.json()["id"].as_str().expect("a run id").to_owned();
        for (path, body) in [
            ("/api/v1/partners", partner_directory()),
            ("/api/v1/partners/key", our_key().to_jwk().into_bytes()),
        ] {
            let reply = app
                .send(
                    Method::PUT,
                    path,
                    Some(&admin),
                    Some(("application/json", body)),
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
        }
        let reply = app.post_json("/api/v1/drills", &admin, &json!({})).await;
        reply.assert_status(StatusCode::CREATED);
        let drill = reply.json()["id"].as_str().expect("a drill id").to_owned();
        Fixture {
            admin,
            analyst,
            viewer,
            partner,
            other_admin,
            network,
            job: job["id"].as_str().expect("a job id").to_owned(),
            sbom,
            capture,
            setup_token,
            example: example("iv-fluids.json"),
            osv_record,
            kev,
            vex: vuln_data("bom-examples/VEX/CISA-Use-Cases/Case-1/vex-not_affected.json"),
            sbom_document,
            inventory: vuln_data("devices/inventory.json"),
            epcis,
            evidence,
            incident,
            task,
            playbook,
            exercise_run,
            drill,
            counter: AtomicUsize::new(0),
        }
    }

    /// A request of `route` that a caller who may would have answered with `route.ok`;
    /// a token to revoke belongs to `token_owner`.
    async fn request(&self, app: &TestApp, route: &Route, token_owner: &str) -> Req {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let id = if route.path.starts_with("/networks/{id}") {
            self.network.clone()
        } else if route.path.starts_with("/jobs/{id}") {
            self.job.clone()
        } else if route.path.starts_with("/sboms/{id}") {
            self.sbom.clone()
        } else if route.path == "/epcis/capture/{id}" {
            self.capture.clone()
        } else if route.path == "/vendors/{vendor}/questionnaires/{id}" {
            app.store
                .create_questionnaire_link(
                    &app.store
                        .org_by_name("Mercy Hospital")
                        .await
                        .expect("a lookup")
                        .expect("Mercy")
                        .id,
                    VENDOR,
                    "csf2",
                    7,
                    "test",
                )
                .await
                .expect("a link")
                .id
        } else if route.path == "/vendors/{vendor}/evidence/{id}" {
            self.evidence.clone()
        } else if route.path == "/incidents/{id}/close" {
            declare(app, &self.admin, &self.network).await.0
        } else if route.path.starts_with("/incidents/{id}") {
            self.incident.clone()
        } else if route.path == "/drills/{id}" {
            self.drill.clone()
        } else if route.path.starts_with("/exercise-runs/{id}") {
            self.exercise_run.clone()
        } else if route.path == "/playbooks/{id}" {
            PLAYBOOK.to_owned()
        } else if route.path == "/tokens/{id}" {
            app.store
                .create_token(token_owner, "to revoke", None, "test")
                .await
                .expect("a token")
                .id
        } else {
            assert!(
                !route.path.replace("{vendor}", "").contains('{'),
                "{} {}: give this route's path parameters values in Fixture::request",
                route.method,
                route.path
            );
            String::new()
        };
        let mut path = format!(
            "/api/v1{}",
            route
                .path
                .replace("{id}", &id)
                .replace("{vendor}", VENDOR)
                .replace("{task}", &self.task.replace('/', "%2F"))
        );
        let json = |value: Value| Some(("application/json", value.to_string().into_bytes()));
        let document = || Some(("application/json", self.example.clone()));
        let body = match (route.method, route.path) {
            ("POST", "/setup") => json(json!({
                "setup_token": self.setup_token, "org": "Mercy Hospital",
                "user": format!("root{n}"), "password": PASSWORD
            })),
            ("POST", "/session") => json(json!({"user": "alice", "password": PASSWORD})),
            ("POST", "/tokens") => json(json!({"label": "a script", "expires_days": 30})),
            ("POST", "/users") => json(json!({
                "name": format!("user{n}"), "role": "viewer", "password": PASSWORD,
                "contact": "+1 555 0100"
            })),
            ("POST", "/networks") => {
                path.push_str(&format!("?name=net{n}"));
                document()
            }
            ("POST", "/networks/{id}/versions" | "/validate") => document(),
            ("POST", "/networks/{id}/shares") => json(json!({"org": "Third Party"})),
            ("POST", "/networks/{id}/stress") => json(json!({})),
            ("POST", "/networks/{id}/simulate") => json(json!({"scenario": "edi-hub"})),
            ("POST", "/networks/{id}/montecarlo") => {
                json(json!({"outage": ["edi-hub"], "replications": 20}))
            }
            ("POST", "/advisories/osv") => Some(("application/json", self.osv_record.clone())),
            ("POST", "/advisories/kev") => Some(("application/json", self.kev.clone())),
            ("POST", "/advisories/vex") => Some(("application/json", self.vex.clone())),
            ("POST", "/sboms") => {
                path.push_str(&format!("?name=sbom{n}"));
                Some(("application/json", self.sbom_document.clone()))
            }
            ("POST", "/epcis/capture") => Some(("application/xml", self.epcis.clone())),
            ("POST", "/epcis/verify") => json(json!({"gtin": GTIN, "serial": "11"})),
            ("GET", "/epcis/history") => {
                path.push_str(&format!("?epc={ITEM}"));
                None
            }
            ("PUT", "/vendors") => Some(("application/json", vendors_document())),
            ("POST", "/vendors/{vendor}/questionnaires") => {
                json(json!({"framework": "csf2", "expires_in_days": 14}))
            }
            ("POST", "/vendors/{vendor}/evidence") => {
                Some((MULTIPART, evidence_form(format!("file {n}").as_bytes())))
            }
            ("POST", "/playbooks") => Some(("application/yaml", self.playbook.clone())),
            ("POST", "/networks/{id}/incidents") => json(declaration()),
            ("POST", "/exercise-runs") => Some(("application/json", common::exercise_record())),
            // Consecutive changes that succeed alternate, so that none repeats a status.
            ("POST", "/incidents/{id}/tasks/{task}") => json(json!({
                "status": if n.is_multiple_of(2) { "in-progress" } else { "blocked" },
                "note": format!("change {n}")
            })),
            ("POST", "/incidents/{id}/entries") => {
                json(json!({"type": "note", "text": format!("note {n}")}))
            }
            ("POST", "/incidents/{id}/update") => {
                json(json!({"expected_ttr": 10.0 + n as f64, "reason": "a new estimate"}))
            }
            ("POST", "/incidents/{id}/close") => json(json!({"summary": "restored"})),
            ("PUT", "/partners") => Some(("application/json", partner_directory())),
            ("PUT", "/partners/key") => Some(("application/json", our_key().to_jwk().into_bytes())),
            ("POST", "/incidents/{id}/alerts") => json(json!({"tlp": "green"})),
            ("POST", "/drills") => json(json!({"title": format!("drill {n}")})),
            ("POST", "/acks") => json(json!({"jws": signed_ack(&format!("{}-1", self.drill), n)})),
            ("POST", "/devices/report") => {
                path.push_str(&format!("?network={}", self.network));
                Some(("application/json", self.inventory.clone()))
            }
            ("POST" | "PUT" | "PATCH", _) => panic!(
                "{} {}: give this route a body in Fixture::request",
                route.method, route.path
            ),
            _ => None,
        };
        Req { path, body }
    }
}

async fn send(app: &TestApp, method: &str, req: &Req, who: Who<'_>) -> Reply {
    let method = Method::from_bytes(method.as_bytes()).expect("a method");
    let mut builder = Request::builder().method(method).uri(&req.path);
    match who {
        Who::Nobody => {}
        Who::Bearer(token) => builder = builder.header("authorization", format!("Bearer {token}")),
        Who::Session { cookie, csrf } => {
            builder = builder.header("cookie", format!("other=1; {cookie}"));
            if let Some(csrf) = csrf {
                builder = builder.header("x-csrf-token", csrf);
            }
        }
    }
    let request = match &req.body {
        Some((content_type, bytes)) => builder
            .header("content-type", *content_type)
            .body(Body::from(bytes.clone())),
        None => builder.body(Body::empty()),
    }
    .expect("a request");
    app.call(request).await
}

/// Sends `req` of `route` as `who` and checks the answer is `expect`; any error is JSON
/// with a code, and nothing is ever a 5xx.
async fn check(
    app: &TestApp,
    route: &Route,
    req: &Req,
    who: Who<'_>,
    expect: StatusCode,
    what: &str,
) -> Reply {
    let reply = send(app, route.method, req, who).await;
    assert_eq!(
        reply.status,
        expect,
        "{}: {} {} as {what}: {}",
        app.db.label,
        route.method,
        req.path,
        reply.text()
    );
    // Every answer, refusals too, carries the security headers.
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("cache-control", "no-store"),
        ("x-frame-options", "DENY"),
    ] {
        assert_eq!(
            reply.headers.get(name).and_then(|v| v.to_str().ok()),
            Some(value),
            "{}: {} {} as {what}: header {name}",
            app.db.label,
            route.method,
            req.path
        );
    }
    if reply.status.is_client_error() {
        let body = reply.json();
        assert!(
            body["error"]["code"].is_string() && body["error"]["message"].is_string(),
            "{}: {} {} as {what}: not an error document: {body}",
            app.db.label,
            route.method,
            req.path
        );
    }
    reply
}

/// A token of `user` that has expired: made for a day, then moved into the past.
async fn expired_token(app: &TestApp, user: &str) -> String {
    let token = app
        .store
        .create_token(user, "expiring", Some(1), "test")
        .await
        .expect("a token");
    let me = app.get("/api/v1/me", &token.secret).await;
    assert_eq!(me.status, StatusCode::OK, "a fresh token works");
    let moved = lifeline_store::testing::execute(
        &app.store,
        &format!(
            "UPDATE tokens SET expires_at = {} WHERE id = '{}'",
            now_ms() - 1000,
            token.id
        ),
    )
    .await
    .expect("the update");
    assert_eq!(moved, 1);
    token.secret
}

/// A token of `user`, revoked through the API.
async fn revoked_token(app: &TestApp, user_token: &str) -> String {
    let reply = app
        .post_json("/api/v1/tokens", user_token, &json!({"label": "to revoke"}))
        .await;
    reply.assert_status(StatusCode::CREATED);
    let created = reply.json();
    let (id, secret) = (
        created["id"].as_str().expect("an id").to_owned(),
        created["token"].as_str().expect("a token").to_owned(),
    );
    assert_eq!(app.get("/api/v1/me", &secret).await.status, StatusCode::OK);
    let reply = app
        .send(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            Some(user_token),
            None,
        )
        .await;
    reply.assert_status(StatusCode::NO_CONTENT);
    secret
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_checks_its_caller() {
    for app in apps().await {
        let fx = Fixture::new(&app).await;

        // The table and the served document name the same routes.
        let (served, _) = documented(&app, &fx.admin).await;
        let table: BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|r| (r.method.to_owned(), r.path.to_owned()))
            .collect();
        assert_eq!(table.len(), ROUTES.len(), "a route is in the table twice");
        let untested: Vec<_> = served.difference(&table).collect();
        let undocumented: Vec<_> = table.difference(&served).collect();
        assert!(
            untested.is_empty() && undocumented.is_empty(),
            "routes served but not in the access table: {untested:?}; \
             in the table but not served: {undocumented:?}"
        );

        let expired = expired_token(&app, "alice").await;
        let revoked = revoked_token(&app, &fx.admin).await;
        // Secrets of organisation A that B must never be shown.
        let a_secrets = [
            fx.network.as_str(),
            fx.job.as_str(),
            fx.sbom.as_str(),
            "mercy-abc",
            "GO-2020-0001",
            fx.capture.as_str(),
            "urn:epc:id:sgln:030001.111111.0",
            "alice",
            "andy",
            "Mercy",
            VENDOR,
            "Meridian",
            fx.evidence.as_str(),
            fx.incident.as_str(),
            fx.exercise_run.as_str(),
            "Distributor ordering platform encrypted",
            PLAYBOOK,
            "Meridian EDI down",
        ];

        for route in ROUTES {
            let req = fx.request(&app, route, "alice").await;
            if route.need == Need::Public {
                check(&app, route, &req, Who::Nobody, route.ok, "nobody").await;
                continue;
            }
            let unauthorized = StatusCode::UNAUTHORIZED;
            for (who, what) in [
                (Who::Nobody, "nobody"),
                (Who::Bearer(&expired), "an expired token"),
                (Who::Bearer(&revoked), "a revoked token"),
                (
                    Who::Bearer("llt_forged0000000000000000000000"),
                    "a forged token",
                ),
                (
                    Who::Session {
                        cookie: "lifeline_session=lls_forged",
                        csrf: Some("csrf_forged"),
                    },
                    "a forged session",
                ),
            ] {
                check(&app, route, &req, who, unauthorized, what).await;
            }

            // Another organisation, with every role: ids of A are unknown to it, and its
            // lists hold none of A's rows.
            match route.scope {
                Scope::ById => {
                    let what = "another organisation's admin";
                    let who = Who::Bearer(&fx.other_admin);
                    check(&app, route, &req, who, StatusCode::NOT_FOUND, what).await;
                }
                Scope::List => {
                    let reply = check(
                        &app,
                        route,
                        &req,
                        Who::Bearer(&fx.other_admin),
                        route.ok,
                        "another organisation's admin",
                    )
                    .await;
                    for secret in a_secrets {
                        assert!(
                            !reply.text().contains(secret),
                            "{}: {} shows B `{secret}`: {}",
                            app.db.label,
                            route.path,
                            reply.text()
                        );
                    }
                }
                Scope::Own => {}
            }

            // Roles below the route's.
            let below: &[(&str, &str)] = match route.need {
                Need::Admin => &[
                    (&fx.analyst, "an analyst"),
                    (&fx.viewer, "a viewer"),
                    (&fx.partner, "a partner"),
                ],
                Need::Analyst => &[(&fx.viewer, "a viewer"), (&fx.partner, "a partner")],
                Need::Viewer => &[(&fx.partner, "a partner")],
                Need::Any | Need::Public => &[],
            };
            for (token, what) in below {
                let req = fx.request(&app, route, "alice").await;
                check(
                    &app,
                    route,
                    &req,
                    Who::Bearer(token),
                    StatusCode::FORBIDDEN,
                    what,
                )
                .await;
            }
            // Another user's token is not a non-admin's to revoke, even in one
            // organisation.
            if route.path == "/tokens/{id}" {
                for (token, what) in [
                    (&fx.analyst, "an analyst, of the admin's token"),
                    (&fx.viewer, "a viewer, of the admin's token"),
                    (&fx.partner, "a partner, of the admin's token"),
                ] {
                    let req = fx.request(&app, route, "alice").await;
                    let who = Who::Bearer(token);
                    check(&app, route, &req, who, StatusCode::NOT_FOUND, what).await;
                }
            }
            // A partner reads only what other organisations shared: its own
            // organisation's rows are not there.
            if route.need == Need::Any && route.path != "/tokens/{id}" {
                let what = "a partner of the owner";
                let who = Who::Bearer(&fx.partner);
                match route.scope {
                    Scope::ById => {
                        check(&app, route, &req, who, StatusCode::NOT_FOUND, what).await;
                    }
                    Scope::List => {
                        let reply = check(&app, route, &req, who, route.ok, what).await;
                        assert!(!reply.text().contains(&fx.network), "{}", reply.text());
                        assert!(!reply.text().contains(&fx.job), "{}", reply.text());
                    }
                    Scope::Own => {}
                }
            }

            // A session cookie: changes need the CSRF token the login returned.
            let (cookie, csrf) = login(&app, "alice").await;
            let safe = route.method == "GET";
            if !safe {
                for (sent, what) in [
                    (None, "a session without its CSRF token"),
                    (Some("csrf_wrong"), "a session with a wrong CSRF token"),
                    (Some(""), "a session with an empty CSRF token"),
                ] {
                    let who = Who::Session {
                        cookie: &cookie,
                        csrf: sent,
                    };
                    check(&app, route, &req, who, StatusCode::FORBIDDEN, what).await;
                }
            }
            let req = fx.request(&app, route, "alice").await;
            let who = Who::Session {
                cookie: &cookie,
                csrf: (!safe).then_some(csrf.as_str()),
            };
            check(&app, route, &req, who, route.ok, "a session").await;

            // And a bearer token of a user who may.
            let req = fx.request(&app, route, "alice").await;
            check(
                &app,
                route,
                &req,
                Who::Bearer(&fx.admin),
                route.ok,
                "the admin",
            )
            .await;
        }
        let audit = app.store.verify_audit().await.expect("the audit reads");
        assert!(audit.is_ok(), "{}: {audit:?}", app.db.label);
    }
}

/// Organisation A shares one of two networks with organisation B: B's partner reads it and
/// its jobs' results, cannot change anything, and sees nothing else of A's, nor of its own
/// organisation; a job B runs on the shared network stays B's.
#[tokio::test(flavor = "multi_thread")]
async fn partners_read_what_was_shared_and_nothing_else() {
    for app in apps().await {
        let label = app.db.label;
        let alice = app.user("Mercy Hospital", "alice", Role::Admin).await;
        let bob = app.user("Supplier Co", "bob", Role::Admin).await;
        let barb = app.user("Supplier Co", "barb", Role::Analyst).await;
        let pat = app.user("Supplier Co", "pat", Role::Partner).await;
        let carl = app.user("Third Party", "carl", Role::Partner).await;
        let shared = app.upload_example(&alice, "iv-fluids.json").await;
        let reply = app
            .send(
                Method::POST,
                "/api/v1/networks?name=private",
                Some(&alice),
                Some(("application/json", example("iv-fluids.json"))),
            )
            .await;
        reply.assert_status(StatusCode::CREATED);
        let private = reply.json()["id"].as_str().unwrap().to_owned();
        let own = app.upload_example(&bob, "iv-fluids.json").await;

        let run = |network: String, token: String| {
            let app = &app;
            async move {
                let reply = app
                    .post_json(
                        &format!("/api/v1/networks/{network}/simulate"),
                        &token,
                        &json!({"scenario": "edi-hub"}),
                    )
                    .await;
                reply.assert_status(StatusCode::ACCEPTED);
                let url = reply.json()["job"]["url"].as_str().unwrap().to_owned();
                let job = app.wait_job(&token, &url).await;
                assert_eq!(job["state"], "succeeded", "{job}");
                job["id"].as_str().unwrap().to_owned()
            }
        };
        let shared_job = run(shared.clone(), alice.clone()).await;
        let private_job = run(private.clone(), alice.clone()).await;

        // Only an admin of the owner shares; with an organisation that exists.
        for (org, status) in [
            ("Supplier Co", StatusCode::NO_CONTENT),
            ("Third Party", StatusCode::NO_CONTENT),
            ("Nobody Inc", StatusCode::NOT_FOUND),
            ("Mercy Hospital", StatusCode::UNPROCESSABLE_ENTITY),
        ] {
            let reply = app
                .post_json(
                    &format!("/api/v1/networks/{shared}/shares"),
                    &alice,
                    &json!({ "org": org }),
                )
                .await;
            assert_eq!(
                reply.status,
                status,
                "{label} share with {org}: {}",
                reply.text()
            );
        }
        let reply = app
            .post_json(
                &format!("/api/v1/networks/{shared}/shares"),
                &bob,
                &json!({"org": "Third Party"}),
            )
            .await;
        reply.assert_status_in(StatusCode::NOT_FOUND, label);

        // B's partner reads the shared network, its versions and its job's result ...
        let list = app.get("/api/v1/networks", &pat).await.json();
        let ids: Vec<&str> = list["networks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| n["id"].as_str())
            .collect();
        assert_eq!(ids, [shared.as_str()], "{label}: {list}");
        assert_eq!(list["networks"][0]["shared"], true);
        assert_eq!(list["networks"][0]["org"], "Mercy Hospital");
        for path in [
            format!("/api/v1/networks/{shared}"),
            format!("/api/v1/networks/{shared}/download"),
            format!("/api/v1/jobs/{shared_job}"),
        ] {
            let reply = app.get(&path, &pat).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{label} {path}: {}",
                reply.text()
            );
        }
        let theirs = app
            .get(&format!("/api/v1/jobs/{shared_job}/result"), &pat)
            .await;
        let mine = app
            .get(&format!("/api/v1/jobs/{shared_job}/result"), &alice)
            .await;
        theirs.assert_status_in(StatusCode::OK, label);
        assert_eq!(theirs.body, mine.body);
        let jobs = app.get("/api/v1/jobs", &pat).await.text();
        assert!(
            jobs.contains(&shared_job) && !jobs.contains(&private_job),
            "{label}: {jobs}"
        );

        // ... but changes nothing ...
        for (path, body) in [
            (format!("/api/v1/networks/{shared}/stress"), json!({})),
            (
                format!("/api/v1/networks/{shared}/simulate"),
                json!({"scenario": "edi-hub"}),
            ),
            (
                format!("/api/v1/networks/{shared}/shares"),
                json!({"org": "Third Party"}),
            ),
        ] {
            let reply = app.post_json(&path, &pat, &body).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{label} {path}: {}",
                reply.text()
            );
        }
        let reply = app
            .send(
                Method::POST,
                &format!("/api/v1/networks/{shared}/versions"),
                Some(&pat),
                Some(("application/json", example("iv-fluids.json"))),
            )
            .await;
        reply.assert_status_in(StatusCode::FORBIDDEN, label);
        // (Nor can B's admin: the network is not B's.)
        let reply = app
            .send(
                Method::POST,
                &format!("/api/v1/networks/{shared}/versions"),
                Some(&bob),
                Some(("application/json", example("iv-fluids.json"))),
            )
            .await;
        reply.assert_status_in(StatusCode::NOT_FOUND, label);

        // ... and sees nothing unshared: A's other network and its job, nor B's own.
        for path in [
            format!("/api/v1/networks/{private}"),
            format!("/api/v1/networks/{private}/download"),
            format!("/api/v1/jobs/{private_job}"),
            format!("/api/v1/jobs/{private_job}/result"),
            format!("/api/v1/networks/{own}"),
        ] {
            let reply = app.get(&path, &pat).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{label} {path}: {}",
                reply.text()
            );
        }

        // A job B's analyst runs on the shared network is B's: the owner's other partner
        // (C) does not see it, nor does the owner.
        let b_job = run(shared.clone(), barb.clone()).await;
        for (token, who) in [
            (&carl, "C's partner"),
            (&alice, "A's admin"),
            (&pat, "B's partner"),
        ] {
            let reply = app.get(&format!("/api/v1/jobs/{b_job}"), token).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{label}: {who} sees B's job: {}",
                reply.text()
            );
            let list = app.get("/api/v1/jobs", token).await.text();
            assert!(
                !list.contains(&b_job),
                "{label}: {who} lists B's job: {list}"
            );
        }
        let reply = app.get(&format!("/api/v1/jobs/{shared_job}"), &carl).await;
        reply.assert_status_in(StatusCode::OK, label);

        let audit = app.store.verify_audit().await.unwrap();
        assert!(audit.is_ok(), "{label}: {audit:?}");
    }
}

/// Login sets an HttpOnly, SameSite=Strict cookie; changes need the CSRF token; wrong
/// passwords are 401 and, past the limit, 429 with Retry-After; logout ends the session.
#[tokio::test(flavor = "multi_thread")]
async fn login_logout_and_rate_limit() {
    let config = Config {
        limits: Limits {
            login_failures: 3,
            ..Limits::default()
        },
        ..Config::default()
    };
    for app in apps_with(&config).await {
        let label = app.db.label;
        app.user("Mercy Hospital", "alice", Role::Admin).await;
        app.user("Mercy Hospital", "andy", Role::Analyst).await;
        let attempt = |user: &'static str, password: &'static str| {
            let app = &app;
            async move {
                app.send(
                    Method::POST,
                    "/api/v1/session",
                    None,
                    Some((
                        "application/json",
                        json!({"user": user, "password": password})
                            .to_string()
                            .into_bytes(),
                    )),
                )
                .await
            }
        };

        let reply = attempt("alice", PASSWORD).await;
        reply.assert_status_in(StatusCode::OK, label);
        let set_cookie = reply.headers["set-cookie"].to_str().unwrap().to_owned();
        let attributes: Vec<&str> = set_cookie.split(';').map(str::trim).collect();
        for wanted in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
            assert!(attributes.contains(&wanted), "{label}: {set_cookie}");
        }
        assert!(
            set_cookie.starts_with("lifeline_session=lls_"),
            "{set_cookie}"
        );
        let body = reply.json();
        assert_eq!(body["user"]["name"], "alice");
        let csrf = body["csrf_token"].as_str().unwrap().to_owned();
        let cookie = attributes[0].to_owned();
        let with = |method: Method, path: &str, csrf: Option<&str>| {
            let mut request = Request::builder()
                .method(method)
                .uri(path)
                .header("cookie", cookie.as_str())
                .header("content-type", "application/json");
            if let Some(csrf) = csrf {
                request = request.header("x-csrf-token", csrf);
            }
            request.body(Body::from("{}")).unwrap()
        };
        let me = app.call(with(Method::GET, "/api/v1/me", None)).await;
        me.assert_status_in(StatusCode::OK, label);
        assert_eq!(me.json()["name"], "alice");
        let token = app.call(with(Method::POST, "/api/v1/tokens", None)).await;
        token.assert_status_in(StatusCode::FORBIDDEN, label);
        let token = app
            .call(with(Method::POST, "/api/v1/tokens", Some(&csrf)))
            .await;
        token.assert_status_in(StatusCode::CREATED, label);

        // Logout needs the CSRF token too, clears the cookie and ends the session.
        let out = app
            .call(with(Method::DELETE, "/api/v1/session", None))
            .await;
        out.assert_status_in(StatusCode::FORBIDDEN, label);
        let out = app
            .call(with(Method::DELETE, "/api/v1/session", Some(&csrf)))
            .await;
        out.assert_status_in(StatusCode::NO_CONTENT, label);
        let cleared = out.headers["set-cookie"].to_str().unwrap();
        assert!(
            cleared.starts_with("lifeline_session=;") && cleared.contains("Max-Age=0"),
            "{cleared}"
        );
        let me = app.call(with(Method::GET, "/api/v1/me", None)).await;
        me.assert_status_in(StatusCode::UNAUTHORIZED, label);

        // Wrong passwords and unknown users: 401, the same answer.
        let wrong = attempt("alice", "not the password at all").await;
        let unknown = attempt("nobody", "not the password at all").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.json(), unknown.json());
        assert!(wrong.headers.get("set-cookie").is_none());
        // Past the limit (3), even the right password waits.
        for _ in 0..2 {
            let reply = attempt("alice", "still not the password").await;
            reply.assert_status_in(StatusCode::UNAUTHORIZED, label);
        }
        for password in ["yet another wrong one", PASSWORD] {
            let reply = attempt("alice", password).await;
            reply.assert_status_in(StatusCode::TOO_MANY_REQUESTS, label);
            let wait: u64 = reply.headers["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .expect("Retry-After in seconds");
            assert!((1..=15 * 60).contains(&wait), "{wait}");
            assert_eq!(reply.json()["error"]["code"], "too_many_requests");
        }
        // Other users are not held up.
        let reply = attempt("andy", PASSWORD).await;
        reply.assert_status_in(StatusCode::OK, label);

        let audit = app.store.verify_audit().await.unwrap();
        assert!(audit.is_ok(), "{label}: {audit:?}");
    }
}

/// The one-time setup token creates the first admin on an empty database, once.
#[tokio::test(flavor = "multi_thread")]
async fn setup_works_once() {
    for app in apps().await {
        let label = app.db.label;
        let token = app
            .state
            .setup_token()
            .expect("a setup token on an empty database");
        let setup = |body: Value| {
            let app = &app;
            async move {
                app.send(
                    Method::POST,
                    "/api/v1/setup",
                    None,
                    Some(("application/json", body.to_string().into_bytes())),
                )
                .await
            }
        };
        let reply = setup(json!({
            "setup_token": "setup_wrong", "org": "Mercy Hospital", "user": "root",
            "password": PASSWORD
        }))
        .await;
        reply.assert_status_in(StatusCode::UNAUTHORIZED, label);
        assert_eq!(reply.json()["error"]["field"], "setup_token");
        let reply = setup(json!({
            "setup_token": token, "org": "Mercy Hospital", "user": "root", "password": "short"
        }))
        .await;
        reply.assert_status_in(StatusCode::UNPROCESSABLE_ENTITY, label);
        assert_eq!(reply.json()["error"]["field"], "password");
        for (org, user, field) in [
            (" Mercy", "root", "org"),
            ("Mercy Hospital", "ro\u{7}ot", "user"),
        ] {
            let reply = setup(json!({
                "setup_token": token, "org": org, "user": user, "password": PASSWORD
            }))
            .await;
            reply.assert_status_in(StatusCode::UNPROCESSABLE_ENTITY, label);
            assert_eq!(
                reply.json()["error"]["field"],
                field,
                "{label}: {}",
                reply.text()
            );
        }
        // A refused setup leaves nothing behind.
        assert!(app.store.orgs().await.unwrap().is_empty(), "{label}");

        let reply = setup(json!({
            "setup_token": token, "org": "Mercy Hospital", "user": "root", "password": PASSWORD
        }))
        .await;
        reply.assert_status_in(StatusCode::CREATED, label);
        assert_eq!(reply.json()["role"], "admin");
        assert_eq!(app.state.setup_token(), None);
        let again = setup(json!({
            "setup_token": token, "org": "Mercy Hospital", "user": "root2", "password": PASSWORD
        }))
        .await;
        again.assert_status_in(StatusCode::CONFLICT, label);
        assert_eq!(app.store.count_users().await.unwrap(), 1);
        let (_, csrf) = login(&app, "root").await;
        assert!(csrf.starts_with("csrf_"));

        // A server started on a database with users prints no setup token.
        let restarted = lifeline_server::AppState::new(app.store.clone(), &Config::default())
            .await
            .unwrap();
        assert_eq!(restarted.setup_token(), None);
        let audit = app.store.verify_audit().await.unwrap();
        assert!(audit.is_ok(), "{label}: {audit:?}");
    }
}
