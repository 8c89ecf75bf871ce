//! EPCIS 2.0 on the server, end to end on every backend: capture (whole documents,
//! idempotent), queries, history, findings and verification equal to what `lifeline trace`
//! gives for the same file, and each organisation alone with its events.

mod common;

use std::ops::ControlFlow;

use axum::http::{Method, StatusCode};
use common::{TestApp, apps};
use lifeline_store::Role;
use lifeline_trace::link::LinkedFinding;
use lifeline_trace::repository::{Query, Repository};
use lifeline_trace::verify::{VerifyRequest, verify};

const ITEM: &str = "urn:epc:id:sgtin:030001.0012345.11";
/// The GTIN of `ITEM` (and of its siblings 12, 13, ...).
const GTIN: &str = "00300010123455";

fn dscsa() -> String {
    let path = format!(
        "{}/../lifeline-trace/tests/data/dscsa/GS1_US_Pharma_Example_2_2_1_1.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).expect("the DSCSA example")
}

/// The DSCSA example with its pallet recalled before it is shipped (findings), and case
/// 121 commissioned with item 22's serial (a clone).
fn with_findings() -> String {
    let text = dscsa();
    let at = text.find("<!-- E7").expect("E7");
    let text = format!(
        "{}{}",
        &text[..at],
        text[at..].replacen("disp:in_progress", "disp:recalled", 1)
    );
    let at = text.find("<!-- E2").expect("E2");
    format!(
        "{}{}",
        &text[..at],
        text[at..].replacen("030001.1012345.121", "030001.0012345.22", 1)
    )
}

async fn capture(app: &TestApp, token: &str, content_type: &str, body: &str) -> common::Reply {
    app.send(
        Method::POST,
        "/api/v1/epcis/capture",
        Some(token),
        Some((content_type, body.as_bytes().to_vec())),
    )
    .await
}

fn findings_of(repository: &Repository) -> serde_json::Value {
    let mut found = Vec::new();
    repository
        .check_each(&mut |finding| {
            found.push(finding);
            ControlFlow::Continue(())
        })
        .expect("check");
    let linked: Vec<LinkedFinding<'_>> = found.iter().map(LinkedFinding::unlinked).collect();
    serde_json::to_value(&linked).expect("JSON")
}

fn event_list(reply: &common::Reply) -> Vec<serde_json::Value> {
    let document = reply.json();
    assert_eq!(document["type"], "EPCISQueryDocument", "{document}");
    document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        .as_array()
        .expect("an event list")
        .clone()
}

/// The CLI's answers (lifeline-trace's repository, the library path of `lifeline trace
/// ingest/history/check/verify`) and the server's, for the same file.
#[tokio::test(flavor = "multi_thread")]
async fn capture_then_history_findings_and_verify_equal_the_cli() {
    for app in apps().await {
        let label = app.db.label;
        let alice = app.user("Mercy Hospital", "alice", Role::Analyst).await;
        let document = with_findings();

        let reply = capture(&app, &alice, "application/xml", &document).await;
        assert_eq!(
            reply.status,
            StatusCode::ACCEPTED,
            "{label}: {}",
            reply.text()
        );
        let job = reply.json();
        let id = job["captureID"].as_str().expect("captureID").to_owned();
        assert_eq!(
            reply.headers["location"].to_str().unwrap(),
            format!("/api/v1/epcis/capture/{id}")
        );
        assert_eq!(job["running"], false);
        assert_eq!(job["success"], true);
        assert_eq!(job["captureErrorBehaviour"], "rollback");
        assert_eq!(job["errors"], serde_json::json!([]));
        assert_eq!(
            (job["events"].as_i64(), job["added"].as_i64()),
            (Some(8), Some(8))
        );
        assert_eq!(job["duplicates"], 0);
        let again = app
            .get(&format!("/api/v1/epcis/capture/{id}"), &alice)
            .await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json(), job);

        // The same file through lifeline-trace's repository, its source named as the
        // server names it (the captureID).
        let mut repository = Repository::in_memory().expect("repository");
        repository
            .ingest(document.as_bytes(), &id)
            .expect("the CLI ingests");

        // History: `lifeline trace history --format json`.
        let served = app
            .get(&format!("/api/v1/epcis/history?epc={ITEM}"), &alice)
            .await;
        assert_eq!(served.status, StatusCode::OK, "{}", served.text());
        let expected = serde_json::to_value(repository.history(ITEM).expect("history")).unwrap();
        assert!(
            expected.as_array().is_some_and(|a| a.len() >= 2),
            "{expected}"
        );
        assert_eq!(served.json(), expected, "{label}");

        // Findings: `lifeline trace check --format json`, in its order.
        let served = app.get("/api/v1/epcis/findings", &alice).await;
        assert_eq!(served.status, StatusCode::OK, "{}", served.text());
        let expected = findings_of(&repository);
        assert!(
            expected.as_array().is_some_and(|a| a.len() >= 2),
            "{expected}"
        );
        assert_eq!(served.json(), expected, "{label}");

        // Verification: `lifeline trace verify --format json`, verified and not.
        for (serial, lot, expiry) in [
            ("12", Some("A123"), Some("250327")),
            ("22", None, None),
            ("11", Some("B999"), None),
            ("999", None, None),
        ] {
            let request = VerifyRequest {
                gtin: GTIN.into(),
                serial: serial.into(),
                lot: lot.map(Into::into),
                expiry: expiry.map(Into::into),
            };
            let expected =
                serde_json::to_value(verify(&repository, &request).expect("verify")).unwrap();
            let served = app
                .post_json(
                    "/api/v1/epcis/verify",
                    &alice,
                    &serde_json::json!({"gtin": GTIN, "serial": serial, "lot": lot, "expiry": expiry}),
                )
                .await;
            assert_eq!(served.status, StatusCode::OK, "{}", served.text());
            assert_eq!(served.json(), expected, "{label} serial {serial}");
        }
        let served = app
            .post_json(
                "/api/v1/epcis/verify",
                &alice,
                &serde_json::json!({"gtin": "12ab", "serial": "1"}),
            )
            .await;
        assert_eq!(served.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(served.json()["error"]["field"], "gtin");

        // Capturing the file again stores nothing and counts every event as a duplicate.
        let reply = capture(&app, &alice, "text/xml", &document).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
        let job = reply.json();
        assert_eq!(
            (job["added"].as_i64(), job["duplicates"].as_i64()),
            (Some(0), Some(8))
        );
        let served = app.get("/api/v1/epcis/findings", &alice).await;
        assert_eq!(served.json(), expected_findings_again(&repository));
        assert!(app.store.verify_audit().await.unwrap().is_ok());
    }
}

fn expected_findings_again(repository: &Repository) -> serde_json::Value {
    findings_of(repository)
}

/// The E7 aggregation event of `document` with an error declaration, alone in an EPCIS
/// 1.2 document: it retracts that event.
fn declaration_of_e7(document: &str) -> String {
    let start = document.find("<!-- E7").expect("E7");
    let end = start
        + document[start..].find("</AggregationEvent>").expect("end")
        + "</AggregationEvent>".len();
    let event = document[start..end].replacen(
        "<eventTimeZoneOffset>-05:00</eventTimeZoneOffset>",
        "<eventTimeZoneOffset>-05:00</eventTimeZoneOffset><baseExtension><errorDeclaration>\
         <declarationTime>2023-04-02T00:00:00Z</declarationTime>\
         <reason>urn:epcglobal:cbv:er:incorrect_data</reason></errorDeclaration></baseExtension>",
        1,
    );
    format!(
        "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:1\" schemaVersion=\"1.2\" \
         creationDate=\"2023-04-02T00:00:00Z\"><EPCISBody><EventList>{event}</EventList>\
         </EPCISBody></epcis:EPCISDocument>"
    )
}

/// Error declarations and duplicates, within a document and across documents, count and
/// retract as lifeline-trace's repository does, and the findings and histories follow.
#[tokio::test(flavor = "multi_thread")]
async fn declarations_and_duplicates_as_the_repository() {
    let recalled = with_findings();
    // Serials 1..=4: 2 declared after the event in the same document, 3 declared before
    // it (the declaration stands in, retracted, and the event is then a duplicate), and 4
    // twice.
    let mut events: Vec<serde_json::Value> = Vec::new();
    let event = |serial: u32| {
        serde_json::json!({"type": "ObjectEvent", "eventTime": format!("2024-01-0{serial}T00:00:00Z"),
            "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
            "epcList": [format!("urn:epc:id:sgtin:0614141.107346.{serial}")]})
    };
    let declared = |serial: u32| {
        let mut e = event(serial);
        e.as_object_mut().unwrap().insert(
            "errorDeclaration".into(),
            serde_json::json!({"declarationTime": "2024-02-01T00:00:00Z", "reason": "incorrect_data"}),
        );
        e
    };
    events.extend([
        event(1),
        event(2),
        declared(2),
        declared(3),
        event(3),
        event(4),
        event(4),
    ]);
    let declared_document = serde_json::json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z",
        "epcisBody": {"eventList": events},
    })
    .to_string();
    // Over more than one batch of the capture: the first event declared wrong and the
    // second repeated after a thousand others.
    let mut long: serde_json::Value = serde_json::from_str(&generated(1200, 100)).unwrap();
    let list = long["epcisBody"]["eventList"].as_array_mut().unwrap();
    let mut first = list[0].clone();
    first.as_object_mut().unwrap().insert(
        "errorDeclaration".into(),
        serde_json::json!({"declarationTime": "2024-02-01T00:00:00Z", "reason": "incorrect_data"}),
    );
    let second = list[1].clone();
    list.extend([first, second]);
    let long = long.to_string();
    let documents = [
        ("application/json", long),
        ("application/xml", recalled.clone()),
        ("application/xml", declaration_of_e7(&recalled)),
        ("application/xml", declaration_of_e7(&recalled)),
        ("application/ld+json", declared_document.clone()),
        ("application/ld+json", declared_document),
    ];
    for app in apps().await {
        let label = app.db.label;
        let alice = app.user("Mercy Hospital", "alice", Role::Analyst).await;
        let mut repository = Repository::in_memory().expect("repository");
        for (content_type, document) in &documents {
            let reply = capture(&app, &alice, content_type, document).await;
            assert_eq!(
                reply.status,
                StatusCode::ACCEPTED,
                "{label}: {}",
                reply.text()
            );
            let job = reply.json();
            let id = job["captureID"].as_str().unwrap();
            let report = repository.ingest(document.as_bytes(), id).expect("ingest");
            assert_eq!(
                (
                    job["events"].as_u64(),
                    job["added"].as_u64(),
                    job["duplicates"].as_u64(),
                    job["retracted"].as_u64()
                ),
                (
                    Some(report.events as u64),
                    Some(report.added as u64),
                    Some(report.duplicates as u64),
                    Some(report.retracted as u64)
                ),
                "{label}: {job}"
            );
            let served = app.get("/api/v1/epcis/findings", &alice).await;
            assert_eq!(served.json(), findings_of(&repository), "{label}");
        }
        for epc in [
            ITEM,
            "urn:epc:id:sgtin:030001.1012345.110",
            "urn:epc:id:sgtin:0614141.107346.2",
            "urn:epc:id:sgtin:0614141.107346.3",
            "urn:epc:id:sgtin:0614141.107346.4",
            "urn:epc:id:sgtin:0614141.107346.100",
            "urn:epc:id:sgtin:0614141.107346.101",
        ] {
            let served = app
                .get(&format!("/api/v1/epcis/history?epc={epc}"), &alice)
                .await;
            let expected = serde_json::to_value(repository.history(epc).unwrap()).unwrap();
            assert_eq!(served.json(), expected, "{label} {epc}");
        }
        let retracted = app
            .get(
                "/api/v1/epcis/history?epc=urn:epc:id:sgtin:0614141.107346.2",
                &alice,
            )
            .await
            .json();
        assert_eq!(retracted[0]["retracted"], true, "{retracted}");
    }
}

/// Queries with the EPCIS parameters give the events lifeline-trace's query gives, pages
/// follow `Link`, and bad parameters are 4xx JSON naming the parameter.
#[tokio::test(flavor = "multi_thread")]
async fn queries_and_pages() {
    for app in apps().await {
        let viewer = app.user("Mercy Hospital", "vera", Role::Viewer).await;
        let analyst = app.user("Mercy Hospital", "alice", Role::Analyst).await;
        let document = dscsa();
        let reply = capture(&app, &analyst, "application/xml", &document).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
        let mut repository = Repository::in_memory().expect("repository");
        repository.ingest(document.as_bytes(), "x").expect("ingest");
        let hashes = |events: &[serde_json::Value]| -> Vec<String> {
            events
                .iter()
                .map(|e| {
                    let mut e = e.clone();
                    e.as_object_mut().unwrap().remove("@context");
                    let event = serde_json::to_string(&e).unwrap();
                    repository
                        .query(&Query::default())
                        .unwrap()
                        .into_iter()
                        .find(|s| {
                            let mut body = s.body.clone();
                            body.as_object_mut().unwrap().remove("@context");
                            serde_json::to_string(&body).unwrap() == event
                        })
                        .map(|s| s.facts.hash)
                        .unwrap_or_default()
                })
                .collect()
        };
        let all = app.get("/api/v1/epcis/events", &viewer).await;
        assert_eq!(all.status, StatusCode::OK, "{}", all.text());
        let all = event_list(&all);
        let expected: Vec<String> = repository
            .query(&Query::default())
            .unwrap()
            .into_iter()
            .map(|s| s.facts.hash)
            .collect();
        assert_eq!(hashes(&all), expected);

        let reply = app
            .get(
                &format!("/api/v1/epcis/events?eventType=AggregationEvent&EQ_bizStep=packing&MATCH_anyEPC={ITEM}"),
                &viewer,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let expected: Vec<String> = repository
            .query(&Query {
                epc: Some(ITEM.into()),
                biz_step: Some("packing".into()),
                ..Query::default()
            })
            .unwrap()
            .into_iter()
            .filter(|s| s.facts.event_type == "AggregationEvent")
            .map(|s| s.facts.hash)
            .collect();
        assert_eq!(expected.len(), 1);
        assert_eq!(hashes(&event_list(&reply)), expected);

        let reply = app
            .get(
                "/api/v1/epcis/events?GE_eventTime=2023-04-01T06:47:00Z&LT_eventTime=2030-01-01",
                &viewer,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let expected: Vec<String> = repository
            .query(&Query {
                from: Some("2023-04-01T06:47:00Z".into()),
                to: Some("2030-01-01".into()),
                ..Query::default()
            })
            .unwrap()
            .into_iter()
            .map(|s| s.facts.hash)
            .collect();
        assert!(!expected.is_empty() && expected.len() < 8);
        assert_eq!(hashes(&event_list(&reply)), expected);

        // Pages of 3: 3 + 3 + 2, each naming the next.
        let mut url = "/api/v1/epcis/events?perPage=3".to_owned();
        let mut paged = Vec::new();
        loop {
            let reply = app.get(&url, &viewer).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
            paged.extend(event_list(&reply));
            match reply.headers.get("link") {
                Some(link) => {
                    let link = link.to_str().unwrap();
                    url = link[1..link.find('>').unwrap()].to_owned();
                }
                None => break,
            }
        }
        assert_eq!(paged, all);

        for (query, parameter) in [
            ("eventType=Nonsense", "eventType"),
            ("EQ_bizStep=shiping", "EQ_bizStep"),
            ("MATCH_anyEPC=not%20an%20epc", "MATCH_anyEPC"),
            ("GE_eventTime=yesterday", "GE_eventTime"),
            (
                "GE_eventTime=2024-01-02&LT_eventTime=2024-01-01",
                "LT_eventTime",
            ),
            ("perPage=0", "perPage"),
            ("nextPageToken=abc", "nextPageToken"),
        ] {
            let reply = app
                .get(&format!("/api/v1/epcis/events?{query}"), &viewer)
                .await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{query}: {}",
                reply.text()
            );
            assert_eq!(reply.json()["error"]["field"], parameter, "{query}");
        }
        let reply = app.get("/api/v1/epcis/events?EQ_nothing=1", &viewer).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert!(reply.json()["error"]["message"].is_string());
        let reply = app.get("/api/v1/epcis/history", &viewer).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);

        // Every route is in the OpenAPI document, with the common errors.
        let openapi = app.get("/api/v1/openapi.json", &viewer).await.json();
        for (path, method) in [
            ("/epcis/capture", "post"),
            ("/epcis/capture/{id}", "get"),
            ("/epcis/events", "get"),
            ("/epcis/history", "get"),
            ("/epcis/findings", "get"),
            ("/epcis/verify", "post"),
        ] {
            let operation = &openapi["paths"][path][method];
            assert_eq!(operation["tags"][0], "epcis", "{path}");
            assert!(operation["responses"]["403"].is_object(), "{path}");
        }
    }
}

/// An invalid document is refused whole with every problem naming its event and field;
/// other bodies that are not EPCIS documents are 4xx; nothing is stored.
#[tokio::test(flavor = "multi_thread")]
async fn invalid_documents_store_nothing() {
    for app in apps().await {
        let alice = app.user("Mercy Hospital", "alice", Role::Analyst).await;
        let document = generated(3, 0);
        // Event 0 loses its action, event 2 gets an unreadable time.
        let broken = document.replacen("\"action\":\"ADD\",", "", 1).replacen(
            "2024-01-01T00:00:00.002Z",
            "yesterday",
            1,
        );
        let reply = capture(&app, &alice, "application/ld+json", &broken).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.text()
        );
        let error = reply.json();
        let paths: Vec<&str> = error["error"]["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| d["path"].as_str().unwrap())
            .collect();
        assert!(paths.contains(&"eventList[0].action"), "{error}");
        assert!(paths.contains(&"eventList[2].eventTime"), "{error}");

        // A problem after the first batches were written: rolled back all the same.
        let late = generated(1500, 0).replacen("2024-01-01T00:00:01.400Z", "yesterday", 1);
        let reply = capture(&app, &alice, "application/json", &late).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.text()
        );
        assert_eq!(
            reply.json()["error"]["diagnostics"][0]["path"],
            "eventList[1400].eventTime"
        );

        for (content_type, body, status) in [
            ("application/json", "{\"type\": ", StatusCode::BAD_REQUEST),
            ("application/json", "<x/>", StatusCode::BAD_REQUEST),
            (
                "application/xml",
                "<notEpcis/>",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            ("text/plain", "hello", StatusCode::UNSUPPORTED_MEDIA_TYPE),
            ("application/json", "[1, 2]", StatusCode::BAD_REQUEST),
        ] {
            let reply = capture(&app, &alice, content_type, body).await;
            assert!(
                reply.status == status
                    || (status == StatusCode::BAD_REQUEST
                        && reply.status == StatusCode::UNPROCESSABLE_ENTITY),
                "{content_type} {body}: {} {}",
                reply.status,
                reply.text()
            );
            assert!(reply.json()["error"]["message"].is_string());
        }
        let events = app.get("/api/v1/epcis/events", &alice).await;
        assert_eq!(event_list(&events), Vec::<serde_json::Value>::new());
        assert!(app.store.verify_audit().await.unwrap().is_ok());
    }
}

/// Another organisation sees nothing of the first's events, captures or findings; a
/// partner may not capture.
#[tokio::test(flavor = "multi_thread")]
async fn organisations_are_apart() {
    for app in apps().await {
        let alice = app.user("Mercy Hospital", "alice", Role::Analyst).await;
        let bob = app.user("Other Hospital", "bob", Role::Admin).await;
        let pat = app.user("Mercy Hospital", "pat", Role::Partner).await;
        let document = with_findings();
        let reply = capture(&app, &alice, "application/xml", &document).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
        let id = reply.json()["captureID"].as_str().unwrap().to_owned();

        let reply = capture(&app, &pat, "application/xml", &document).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text());
        for path in [
            "/api/v1/epcis/events".to_owned(),
            "/api/v1/epcis/findings".to_owned(),
            format!("/api/v1/epcis/capture/{id}"),
        ] {
            let reply = app.get(&path, &pat).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        }

        assert_eq!(
            app.get(&format!("/api/v1/epcis/capture/{id}"), &bob)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let events = app.get("/api/v1/epcis/events", &bob).await;
        assert_eq!(event_list(&events), Vec::<serde_json::Value>::new());
        let history = app
            .get(&format!("/api/v1/epcis/history?epc={ITEM}"), &bob)
            .await;
        assert_eq!(history.json(), serde_json::json!([]));
        let findings = app.get("/api/v1/epcis/findings", &bob).await;
        assert_eq!(findings.json(), serde_json::json!([]));
        let verdict = app
            .post_json(
                "/api/v1/epcis/verify",
                &bob,
                &serde_json::json!({"gtin": GTIN, "serial": "12"}),
            )
            .await;
        assert_eq!(verdict.json()["verdict"], "not-verified");

        // Bob's organisation captures the same file: its own events, none of them
        // duplicates of Mercy's.
        let reply = capture(&app, &bob, "application/xml", &document).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
        assert_eq!(reply.json()["added"], 8);
        let findings = app.get("/api/v1/epcis/findings", &alice).await;
        let theirs = app.get("/api/v1/epcis/findings", &bob).await;
        assert_eq!(findings.json(), theirs.json());
    }
}

/// A generated EPCIS 2.0 JSON-LD document of `count` commissioning events, serials from
/// `first`, a millisecond apart.
fn generated(count: usize, first: usize) -> String {
    let mut out = String::with_capacity(count * 330 + 300);
    out.push_str(
        "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\"],\
         \"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\
         \"creationDate\":\"2024-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[",
    );
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        let serial = first + i;
        out.push_str(&format!(
            "{{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-01-01T00:00:{:02}.{:03}Z\",\
             \"eventTimeZoneOffset\":\"+00:00\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.{serial}\"],\
             \"action\":\"ADD\",\"bizStep\":\"commissioning\",\"disposition\":\"active\",\
             \"readPoint\":{{\"id\":\"urn:epc:id:sgln:0614141.00777.0\"}}}}",
            (i / 1000) % 60,
            i % 1000
        ));
    }
    out.push_str("]}}");
    out
}

/// Capture throughput: `LIFELINE_EPCIS_EVENTS` events (default 2,000) in one document,
/// timed through the API on each backend; the rate is printed. A second capture of the
/// same document stores nothing.
#[tokio::test(flavor = "multi_thread")]
async fn capture_throughput() {
    let count: usize = std::env::var("LIFELINE_EPCIS_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let document = generated(count, 1);
    for app in apps().await {
        let alice = app.user("Mercy Hospital", "alice", Role::Analyst).await;
        let started = std::time::Instant::now();
        let reply = capture(&app, &alice, "application/json", &document).await;
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
        assert_eq!(reply.json()["added"], count);
        eprintln!(
            "{}: captured {count} events ({} bytes) in {seconds:.2} s: {:.0} events/s",
            app.db.label,
            document.len(),
            count as f64 / seconds
        );
        let started = std::time::Instant::now();
        let reply = capture(&app, &alice, "application/json", &document).await;
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(reply.json()["duplicates"], count);
        eprintln!(
            "{}: again, all duplicates, in {seconds:.2} s: {:.0} events/s",
            app.db.label,
            count as f64 / seconds
        );
        let page = app
            .get(
                "/api/v1/epcis/events?MATCH_anyEPC=urn:epc:id:sgtin:0614141.107346.1",
                &alice,
            )
            .await;
        assert_eq!(event_list(&page).len(), 1);
    }
}
