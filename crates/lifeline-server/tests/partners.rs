//! Trusted lines between partners as a service (issue 17): the directory and the signing
//! key (stored sealed, never returned), an incident's signed alerts delivered to a real
//! webhook receiver on loopback and verified there, the one-time acknowledgement link
//! (once; a used or unknown one gets a plain page, never a 5xx), the alerts' status per
//! recipient, signed replies verified before anything is recorded (a tampered one and a
//! replay are refused with their reason), an acknowledged alert that does not escalate,
//! and a channel drill that reports the dead lines.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{TestApp, apps_with};
use lifeline_server::{Config, NotifyConfig};
use lifeline_share::alert::{ACK_TYPE, Ack};
use lifeline_share::directory::Directory;
use lifeline_share::jws::{self, MemoryNonces, Payload};
use lifeline_share::keys::KeyPair;
use lifeline_store::Role;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const NOT_BEFORE: OffsetDateTime = datetime!(2026-01-01 0:00 UTC);

fn our_key() -> KeyPair {
    KeyPair::from_seed("mercy", "k1", [7; 32]).expect("a key")
}

fn their_key() -> KeyPair {
    KeyPair::from_seed("meridian", "p1", [9; 32]).expect("a key")
}

/// One request a webhook receiver got: its head (request line and headers) and body.
#[derive(Debug, Clone)]
struct Received {
    head: String,
    body: String,
}

impl Received {
    /// The one-time link in the `Link: <URL>; rel="ack"` header.
    fn ack_path(&self) -> String {
        let line = self
            .head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("link:"))
            .unwrap_or_else(|| panic!("no Link header: {}", self.head));
        let url = line
            .split('<')
            .nth(1)
            .and_then(|rest| rest.split('>').next())
            .expect("a URL in the Link header");
        let at = url.find("/ack/").expect("an /ack/ link");
        url[at..].to_owned()
    }
}

/// A webhook receiver on loopback: answers 200 to every POST and keeps what it got.
async fn receiver() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!(
        "http://127.0.0.1:{}/hook",
        listener.local_addr().expect("an address").port()
    );
    let got: Arc<Mutex<Vec<Received>>> = Arc::default();
    let keep = Arc::clone(&got);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let keep = Arc::clone(&keep);
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    let Ok(n) = socket.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    data.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&data).into_owned();
                    let Some(end) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let head = text[..end].to_owned();
                    let length: usize = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    if data.len() < end + 4 + length {
                        continue;
                    }
                    let body = String::from_utf8_lossy(&data[end + 4..end + 4 + length]);
                    keep.lock().expect("the log").push(Received {
                        head,
                        body: body.into_owned(),
                    });
                    let _ = socket
                        .write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                        )
                        .await;
                    return;
                }
            });
        }
    });
    (url, got)
}

/// A loopback URL nothing listens on.
async fn dead_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let port = listener.local_addr().expect("an address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/gone")
}

/// Mercy's directory: Meridian (runs the EDI hub; two contacts with the live webhook, the
/// first also with a phone entry) and a carrier whose webhook is dead and whose email
/// cannot go (no relay).
fn directory(hook: &str, dead: &str) -> Value {
    json!({
        "format": "lifeline-partners/1",
        "organisation": "mercy",
        "defaults": {"ack_window": "30m"},
        "organisations": [
            {"id": "mercy", "name": "Mercy Hospital", "kind": "hospital", "clearance": "amber",
             "contacts": [{"id": "soc", "name": "SOC", "role": "security-lead", "escalation": 1,
                 "channels": [{"email": "soc@example.org"}]}],
             "keys": [our_key().public(NOT_BEFORE)]},
            {"id": "meridian", "name": "Meridian EDI", "kind": "platform", "clearance": "amber",
             "entities": ["edi-hub"],
             "contacts": [
                 {"id": "duty", "name": "Duty desk", "role": "duty", "escalation": 1,
                  "channels": [{"webhook": hook}, {"phone": "+1 555 0100"}]},
                 {"id": "lead", "name": "Security lead", "role": "security-lead", "escalation": 2,
                  "channels": [{"webhook": hook}]}],
             "keys": [their_key().public(NOT_BEFORE)]},
            {"id": "carrier", "name": "Carrier Co", "kind": "logistics", "clearance": "green",
             "contacts": [{"id": "ops", "name": "Ops", "role": "operations", "escalation": 1,
                 "channels": [{"webhook": dead}, {"email": "ops@example.org"}]}]}
        ]
    })
}

fn config() -> Config {
    Config {
        notify: NotifyConfig {
            public_url: Some("https://lifeline.example.org".into()),
            webhook_retries: Some(1),
            interval_seconds: Some(0),
            ..NotifyConfig::default()
        },
        ..Config::default()
    }
}

async fn put(app: &TestApp, path: &str, token: &str, content_type: &str, body: Vec<u8>) -> Value {
    let reply = app
        .send(Method::PUT, path, Some(token), Some((content_type, body)))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
    reply.json()
}

/// Directory and key set up for Mercy; the directory as lifeline-share reads it.
async fn set_up(app: &TestApp, admin: &str, hook: &str, dead: &str) -> Directory {
    let document = directory(hook, dead);
    let stored = put(
        app,
        "/api/v1/partners",
        admin,
        "application/json",
        document.to_string().into_bytes(),
    )
    .await;
    assert_eq!(stored["version"], 1, "{stored}");
    let stored = put(
        app,
        "/api/v1/partners/key",
        admin,
        "application/json",
        our_key().to_jwk().into_bytes(),
    )
    .await;
    assert_eq!(stored["kid"], "mercy/k1", "{stored}");
    assert_eq!(stored["listed"], true, "{stored}");
    lifeline_share::directory::from_str(&document.to_string(), "partners.json")
        .expect("the test directory is valid")
        .0
}

/// The alert a receiver got, verified as Meridian verifies it.
fn verified_alert(directory: &Directory, jws: &str) -> lifeline_share::alert::Alert {
    let verified = jws::verify_for(
        jws,
        directory,
        "meridian",
        OffsetDateTime::now_utc(),
        &mut MemoryNonces::default(),
    )
    .unwrap_or_else(|e| panic!("the alert does not verify: {e}"));
    assert_eq!(verified.signer, "mercy");
    assert_eq!(verified.kid, "mercy/k1");
    match verified.payload {
        Payload::Alert(alert) => alert,
        Payload::Ack(_) => panic!("an acknowledgement, not an alert"),
    }
}

async fn form(app: &TestApp, path: &str, body: &str) -> common::Reply {
    app.call(
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body.to_owned()))
            .expect("a request"),
    )
    .await
}

async fn page(app: &TestApp, path: &str) -> common::Reply {
    app.call(
        Request::builder()
            .uri(path)
            .body(Body::empty())
            .expect("a request"),
    )
    .await
}

/// A session's cookie (`NAME=VALUE`).
async fn login(app: &TestApp, user: &str) -> String {
    common::login(app, user).await.0
}

async fn browse(app: &TestApp, cookie: &str, path: &str) -> String {
    let reply = app
        .call(
            Request::builder()
                .uri(path)
                .header("cookie", cookie)
                .body(Body::empty())
                .expect("a request"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
    reply.text()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incidents_alerts_are_signed_delivered_acknowledged_once_and_do_not_escalate() {
    for app in apps_with(&config()).await {
        let label = app.db.label;
        let admin = app.user("Mercy Hospital", "alice", Role::Admin).await;
        let viewer = app.user("Mercy Hospital", "vera", Role::Viewer).await;
        let network = app.upload_example(&admin, "iv-fluids.json").await;
        let reply = app
            .post_json(
                &format!("/api/v1/networks/{network}/incidents"),
                &admin,
                &json!({"title": "Meridian EDI ransomware", "kind": "ransomware",
                    "entities": ["edi-hub"], "expected_ttr": 10.0,
                    "declared_at": "2026-12-01T08:00:00Z"}),
            )
            .await;
        reply.assert_status_in(StatusCode::CREATED, label);
        let incident = reply.json()["id"].as_str().expect("an id").to_owned();
        let send = format!("/api/v1/incidents/{incident}/alerts");

        // Nothing to send with yet: the reason, not a 5xx.
        let reply = app.post_json(&send, &admin, &json!({})).await;
        reply.assert_status_in(StatusCode::CONFLICT, label);
        assert!(
            reply.text().contains("partner directory"),
            "{}",
            reply.text()
        );

        let (hook, got) = receiver().await;
        let dead = dead_url().await;
        let directory = set_up(&app, &admin, &hook, &dead).await;

        // The key is never shown; another organisation's key is refused.
        let read = app.get("/api/v1/partners", &viewer).await;
        read.assert_status(StatusCode::OK);
        assert_eq!(read.json()["directory"]["organisation"], "mercy");
        let d = serde_json::from_str::<Value>(&our_key().to_jwk()).unwrap()["d"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(!read.text().contains(&d));
        let reply = app
            .send(
                Method::PUT,
                "/api/v1/partners/key",
                Some(&admin),
                Some(("application/json", their_key().to_jwk().into_bytes())),
            )
            .await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.json()["error"]["field"], "key.kid");
        // A viewer reads but does not send.
        let reply = app.post_json(&send, &viewer, &json!({})).await;
        reply.assert_status(StatusCode::FORBIDDEN);
        let reply = app
            .post_json(&send, &admin, &json!({"tlp": "amber+strict"}))
            .await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.json()["error"]["field"], "tlp");

        let reply = app.post_json(&send, &admin, &json!({"tlp": "green"})).await;
        reply.assert_status_in(StatusCode::OK, label);
        let round = reply.json();
        assert_eq!(
            round["alerts"], 1,
            "{label}: only Meridian runs the EDI hub: {round}"
        );
        assert_eq!(round["delivered"], 1, "{round}");
        assert_eq!(round["failed"], 0, "{round}");

        // The receiver got the signed alert, and it verifies as Meridian's.
        let received = got.lock().unwrap().clone();
        assert_eq!(received.len(), 1, "{received:?}");
        assert!(
            received[0]
                .head
                .to_ascii_lowercase()
                .contains("application/jose"),
            "{}",
            received[0].head
        );
        let alert = verified_alert(&directory, received[0].body.trim());
        assert_eq!(alert.recipient, "meridian");
        assert_eq!(alert.tlp, lifeline_share::Tlp::Green);
        assert_eq!(
            alert.incident.as_ref().map(|i| i.id.as_str()),
            Some(incident.as_str())
        );

        // Sending again sends nothing new.
        let reply = app.post_json(&send, &admin, &json!({})).await;
        reply.assert_status(StatusCode::OK);
        assert_eq!(reply.json()["alerts"], 0, "{}", reply.text());
        assert_eq!(got.lock().unwrap().len(), 1);

        let status = app.get(&send, &viewer).await;
        status.assert_status(StatusCode::OK);
        let status = status.json();
        let rows = status["recipients"].as_array().expect("recipients").clone();
        let webhook = rows
            .iter()
            .find(|r| r["channel"] == "webhook")
            .unwrap_or_else(|| panic!("no webhook row: {status}"));
        assert_eq!(webhook["status"], "sent", "{status}");
        assert_eq!(webhook["contact"], "duty", "{status}");
        assert_eq!(status["alerts"][0]["acknowledged"], false, "{status}");

        // The one-time link: the page, then the acknowledgement, once.
        let link = received[0].ack_path();
        let opened = page(&app, &link).await;
        opened.assert_status(StatusCode::OK);
        assert!(
            opened.text().contains("Mercy Hospital"),
            "{}",
            opened.text()
        );
        let done = form(&app, &link, "note=on+it").await;
        done.assert_status(StatusCode::OK);
        assert!(done.text().contains("Acknowledged"), "{}", done.text());
        for again in [form(&app, &link, "note=").await, page(&app, &link).await] {
            again.assert_status(StatusCode::GONE);
            assert!(
                again.text().contains("Already acknowledged"),
                "{}",
                again.text()
            );
        }
        let unknown = page(&app, "/ack/ack_unknown").await;
        unknown.assert_status(StatusCode::NOT_FOUND);
        let unknown = form(&app, "/ack/ack_unknown", "").await;
        unknown.assert_status(StatusCode::NOT_FOUND);
        let unknown = form(&app, &link, "surprise=1").await;
        unknown.assert_status(StatusCode::UNPROCESSABLE_ENTITY);

        let status = app.get(&send, &viewer).await.json();
        let webhook = status["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["channel"] == "webhook")
            .cloned()
            .unwrap();
        assert_eq!(webhook["status"], "acknowledged", "{status}");
        assert_eq!(webhook["via"], "link", "{status}");
        assert_eq!(status["alerts"][0]["acknowledged"], true, "{status}");
        let timeline = app
            .get(&format!("/api/v1/incidents/{incident}/timeline"), &viewer)
            .await
            .text();
        for kind in ["alert-sent", "acknowledged"] {
            assert!(timeline.contains(kind), "{label}: no {kind}: {timeline}");
        }

        // An acknowledged alert does not escalate.
        lifeline_server::notify::escalation_pass(&app.state).await;
        let status = app.get(&send, &viewer).await.json();
        assert!(
            status["recipients"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["status"] != "escalated"),
            "{status}"
        );
        assert_eq!(got.lock().unwrap().len(), 1);

        // The dashboard shows it all.
        let cookie = login(&app, "alice").await;
        let html = browse(&app, &cookie, &format!("/incidents/{incident}")).await;
        assert!(html.contains("id=\"partner-alerts\""), "{html}");
        assert!(html.contains("Meridian EDI"), "{html}");
        let html = browse(&app, &cookie, "/partners").await;
        assert!(
            html.contains("mercy/k1") && html.contains("meridian/p1"),
            "{html}"
        );
        assert!(!html.contains(&d));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_drill_reports_dead_lines_and_signed_replies_are_verified_before_recording() {
    for app in apps_with(&config()).await {
        let label = app.db.label;
        let admin = app.user("Mercy Hospital", "alice", Role::Admin).await;
        let viewer = app.user("Mercy Hospital", "vera", Role::Viewer).await;
        let (hook, got) = receiver().await;
        let dead = dead_url().await;
        let directory = set_up(&app, &admin, &hook, &dead).await;

        let reply = app.post_json("/api/v1/drills", &viewer, &json!({})).await;
        reply.assert_status(StatusCode::FORBIDDEN);
        let reply = app
            .post_json(
                "/api/v1/drills",
                &admin,
                &json!({"title": "December drill"}),
            )
            .await;
        reply.assert_status_in(StatusCode::CREATED, label);
        let started = reply.json();
        // Meridian: two webhooks and a phone entry; the carrier: a dead webhook, an email
        // with no relay.
        assert_eq!(started["alerts"], 5, "{started}");
        assert_eq!(started["delivered"], 2, "{started}");
        assert_eq!(started["failed"], 2, "{started}");
        assert_eq!(
            started["calls"].as_array().map(Vec::len),
            Some(1),
            "{started}"
        );
        let url = started["url"].as_str().expect("a url").to_owned();

        let received = got.lock().unwrap().clone();
        assert_eq!(received.len(), 2, "{received:?}");
        let alerts: Vec<_> = received
            .iter()
            .map(|r| verified_alert(&directory, r.body.trim()))
            .collect();
        assert!(
            alerts
                .iter()
                .all(|a| a.kind == lifeline_share::alert::AlertKind::Drill)
        );
        let by_link = received
            .iter()
            .zip(&alerts)
            .find(|(_, a)| a.summary.contains("Duty desk"))
            .expect("the duty desk's drill");
        let signed = alerts
            .iter()
            .find(|a| a.summary.contains("Security lead"))
            .expect("the security lead's drill")
            .clone();

        let done = form(&app, &by_link.0.ack_path(), "").await;
        done.assert_status(StatusCode::OK);

        // A signed reply from Meridian's security lead.
        let now = OffsetDateTime::now_utc();
        let ack = |nonce: &str| Ack {
            typ: ACK_TYPE.to_owned(),
            alert: signed.id.clone(),
            issuer: "meridian".into(),
            recipient: "mercy".into(),
            contact: "lead".into(),
            issued_at: now,
            expires_at: now + time::Duration::hours(1),
            nonce: nonce.to_owned(),
            note: String::new(),
        };
        let token = jws::sign_ack(&ack("bm9uY2Utb25lLTEyMzQ1Ng"), &their_key()).expect("signed");
        // One flipped character in the signature: refused as tampered, nothing recorded.
        let mut tampered = token.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        let reply = app
            .post_json("/api/v1/acks", &admin, &json!({"jws": tampered}))
            .await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            reply.json()["error"]["code"],
            "tampered",
            "{}",
            reply.text()
        );
        assert_eq!(reply.json()["error"]["field"], "jws", "{}", reply.text());
        // Signed with our own key in Meridian's name: not Meridian's key.
        let forged = jws::sign_ack(&ack("bm9uY2UtdHdvLTEyMzQ1Njc"), &our_key());
        if let Ok(forged) = forged {
            let reply = app
                .post_json("/api/v1/acks", &admin, &json!({"jws": forged}))
                .await;
            reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        }
        let report = app.get(&format!("{url}?slow_after=1h"), &viewer).await;
        report.assert_status(StatusCode::OK);
        assert_eq!(
            report.json()["report"]["counts"]["ok"],
            1,
            "{}",
            report.text()
        );

        let reply = app
            .post_json("/api/v1/acks", &admin, &json!({"jws": token}))
            .await;
        reply.assert_status_in(StatusCode::OK, label);
        assert_eq!(reply.json()["recipient"], "meridian");
        assert_eq!(reply.json()["subject"]["type"], "drill");
        let reply = app
            .post_json("/api/v1/acks", &admin, &json!({"jws": token}))
            .await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            reply.json()["error"]["code"],
            "replayed",
            "{}",
            reply.text()
        );

        let report = app.get(&format!("{url}?slow_after=1h"), &viewer).await;
        report.assert_status(StatusCode::OK);
        let report = report.json()["report"].clone();
        assert_eq!(
            report["counts"],
            json!({"ok": 2, "slow": 0, "dead": 2, "waiting": 0, "call": 1}),
            "{label}: {report}"
        );
        let dead_lines: Vec<_> = report["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["status"] == "dead")
            .map(|l| l["organisation"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(dead_lines, ["carrier", "carrier"], "{report}");
        let carrier = report["partners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["organisation"] == "carrier")
            .cloned()
            .unwrap();
        assert_eq!(carrier["unreachable"], true, "{report}");
        let reply = app.get(&format!("{url}?slow_after=soon"), &viewer).await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.json()["error"]["field"], "slow_after");

        let list = app.get("/api/v1/drills", &viewer).await;
        list.assert_status(StatusCode::OK);
        assert_eq!(list.json()["drills"][0]["title"], "December drill");

        let cookie = login(&app, "vera").await;
        let id = started["id"].as_str().unwrap();
        let html = browse(&app, &cookie, &format!("/drills/{id}")).await;
        assert!(html.contains("id=\"drill-lines\""), "{html}");
        assert!(
            html.contains("Carrier Co") && html.contains("unreachable"),
            "{html}"
        );
        let html = browse(&app, &cookie, "/drills").await;
        assert!(
            html.contains("December drill") || html.contains(id),
            "{html}"
        );
        // A viewer gets no form to start one.
        assert!(!html.contains("id=\"drill-start\""), "{html}");
    }
}

/// The `csrf` field of the first form of a page.
fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..].split('"').next().expect("its value").to_owned()
}

async fn post_form(
    app: &TestApp,
    cookie: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> common::Reply {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", lifeline_text::percent_encoded(v)))
        .collect::<Vec<_>>()
        .join("&");
    app.call(
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("a request"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_forms_set_the_directory_and_key_and_start_a_drill() {
    for app in apps_with(&config()).await {
        let label = app.db.label;
        app.user("Mercy Hospital", "alice", Role::Admin).await;
        app.user("Mercy Hospital", "vera", Role::Viewer).await;
        let (hook, got) = receiver().await;
        let dead = dead_url().await;
        let cookie = login(&app, "alice").await;
        let html = browse(&app, &cookie, "/partners").await;
        assert!(html.contains("id=\"directory-none\""), "{html}");
        let token = csrf(&html);

        // Refused without the CSRF token, and a broken directory is shown with its path.
        let document = directory(&hook, &dead).to_string();
        let reply = post_form(&app, &cookie, "/partners", &[("directory", &document)]).await;
        reply.assert_status_in(StatusCode::FORBIDDEN, label);
        let broken = document.replace("\"clearance\":\"green\"", "\"clearance\":\"purple\"");
        let reply = post_form(
            &app,
            &cookie,
            "/partners",
            &[("csrf", &token), ("directory", &broken)],
        )
        .await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            reply.text().contains("organisations[2]"),
            "{}",
            reply.text()
        );

        for (path, field, value) in [
            ("/partners", "directory", document.clone()),
            ("/partners/key", "key", our_key().to_jwk()),
        ] {
            let reply = post_form(&app, &cookie, path, &[("csrf", &token), (field, &value)]).await;
            assert_eq!(
                reply.status,
                StatusCode::SEE_OTHER,
                "{path}: {}",
                reply.text()
            );
        }
        let html = browse(&app, &cookie, "/partners").await;
        assert!(html.contains("id=\"partners-organisations\""), "{html}");
        assert!(
            html.contains("The directory lists its public key as current"),
            "{html}"
        );

        let reply = post_form(
            &app,
            &cookie,
            "/drills",
            &[("csrf", &token), ("title", "From the dashboard")],
        )
        .await;
        reply.assert_status(StatusCode::SEE_OTHER);
        let location = reply
            .headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("a redirect")
            .to_owned();
        assert!(location.starts_with("/drills/"), "{location}");
        let html = browse(&app, &cookie, &location).await;
        assert!(html.contains("Carrier Co"), "{html}");
        assert_eq!(got.lock().unwrap().len(), 2);

        // A viewer sees the pages but changes nothing.
        let viewer = login(&app, "vera").await;
        let html = browse(&app, &viewer, "/partners").await;
        assert!(!html.contains("id=\"partners-upload\""), "{html}");
        let token = csrf(&html);
        let reply = post_form(
            &app,
            &viewer,
            "/drills",
            &[("csrf", &token), ("title", "no")],
        )
        .await;
        reply.assert_status(StatusCode::FORBIDDEN);
    }
}
