//! The SQLite repository: idempotent, transactional ingest, queries, rules and verification.

use lifeline_trace::TraceError;
use lifeline_trace::repository::{Query, Repository};
use lifeline_trace::verify::{Verdict, VerifyRequest, verify};

use crate::read_data;

const ITEM: &str = "urn:epc:id:sgtin:030001.0012345.11";

fn dscsa() -> Vec<u8> {
    read_data("dscsa/GS1_US_Pharma_Example_2_2_1_1.xml")
}

fn loaded() -> Repository {
    let mut repository = Repository::in_memory().expect("repository");
    let report = repository
        .ingest(dscsa().as_slice(), "dscsa.xml")
        .expect("ingest");
    assert_eq!((report.events, report.added, report.duplicates), (8, 8, 0));
    repository
}

#[test]
fn ingest_is_idempotent_by_hash() {
    let mut repository = loaded();
    let again = repository
        .ingest(dscsa().as_slice(), "again.xml")
        .expect("ingest");
    assert_eq!((again.events, again.added, again.duplicates), (8, 0, 8));
    assert_eq!(repository.len().expect("len"), 8);
    // The same events as JSON-LD are the same events.
    let (header, events) = lifeline_trace::read_all(&dscsa()).expect("read");
    let json = lifeline_trace::write::document_to_json(&header, &events).to_string();
    let as_json = repository
        .ingest(json.as_bytes(), "dscsa.jsonld")
        .expect("ingest");
    assert_eq!((as_json.added, as_json.duplicates), (0, 8));
}

#[test]
fn a_document_with_one_invalid_event_is_rejected_whole() {
    let mut repository = Repository::in_memory().expect("repository");
    let text = String::from_utf8(dscsa()).expect("UTF-8");
    let broken = text.replacen("<action>OBSERVE</action>", "<action>LOOK</action>", 1);
    let broken = broken.replacen(
        "urn:epc:id:sgtin:030001.0012345.13",
        "urn:epc:id:sgtin:030001.0012345",
        1,
    );
    match repository.ingest(broken.as_bytes(), "broken.xml") {
        Err(TraceError::Rejected { problems }) => {
            let rendered: Vec<String> = problems.iter().map(ToString::to_string).collect();
            assert_eq!(rendered.len(), 2, "{rendered:?}");
            assert!(
                rendered[0].starts_with("event 0, field `epcList[2]`: malformed GS1 identifier"),
                "{rendered:?}"
            );
            assert_eq!(
                rendered[1],
                "event 7, field `action`: `LOOK` is not `ADD`, `OBSERVE` or `DELETE`"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(repository.len().expect("len"), 0, "nothing half-written");
    let truncated = &dscsa()[..5000];
    assert!(matches!(
        repository.ingest(truncated, "cut.xml"),
        Err(TraceError::Xml { .. })
    ));
    assert_eq!(repository.len().expect("len"), 0);
}

#[test]
fn history_and_queries() {
    let repository = loaded();
    let history = repository.history(ITEM).expect("history");
    let steps: Vec<&str> = history.iter().map(|e| e.facts.biz_step.as_str()).collect();
    assert_eq!(steps, ["commissioning", "packing"], "the item's own events");
    // The same item asked for as a Digital Link.
    let link = history[0].facts.epcs[0].0.clone();
    assert!(link.starts_with("https://id.gs1.org/01/"), "{link}");
    assert_eq!(repository.history(&link).expect("history").len(), 2);
    let shipping = repository
        .query(&Query {
            biz_step: Some("shipping".into()),
            ..Query::default()
        })
        .expect("query");
    assert_eq!(shipping.len(), 1);
    let to_wholesaler = repository
        .query(&Query {
            party: Some("urn:epc:id:sgln:039999.999999.0".into()),
            ..Query::default()
        })
        .expect("query");
    assert_eq!(to_wholesaler.len(), 1);
    let at_dc = repository
        .query(&Query {
            location: Some("urn:epc:id:sgln:030001.111121.0".into()),
            ..Query::default()
        })
        .expect("query");
    assert_eq!(at_dc.len(), 3);
    let april = repository
        .query(&Query {
            from: Some(1_680_307_200_000), // 2023-04-01T00:00:00Z
            disposition: Some("urn:epcglobal:cbv:disp:in_transit".into()),
            ..Query::default()
        })
        .expect("query");
    assert_eq!(april.len(), 1);
    assert_eq!(april[0].body["type"], "ObjectEvent");
    let got = repository
        .get(&april[0].facts.hash)
        .expect("get")
        .expect("stored");
    assert_eq!(got.facts, april[0].facts);
}

#[test]
fn repository_check_and_error_declarations() {
    let mut repository = Repository::in_memory().expect("repository");
    let text = String::from_utf8(dscsa()).expect("UTF-8");
    let recalled = text.replacen("disp:in_progress</disposition>\n                <readPoint>\n                    <id>urn:epc:id:sgln:030001.111121.0", "disp:recalled</disposition>\n                <readPoint>\n                    <id>urn:epc:id:sgln:030001.111121.0", 1);
    assert_ne!(recalled, text);
    repository
        .ingest(recalled.as_bytes(), "recalled.xml")
        .expect("ingest");
    let findings = repository.check().expect("check");
    assert!(
        findings
            .iter()
            .any(|f| f.rule.as_str() == "recalled-shipped"),
        "{findings:?}"
    );
    // The partner declares the recall event an error: it is retracted and the finding goes.
    let start = recalled.find("<!-- E7").expect("E7");
    let end = start
        + recalled[start..].find("</AggregationEvent>").expect("end")
        + "</AggregationEvent>".len();
    let event = &recalled[start..end].replacen(
        "<eventTimeZoneOffset>-05:00</eventTimeZoneOffset>",
        "<eventTimeZoneOffset>-05:00</eventTimeZoneOffset><baseExtension><errorDeclaration><declarationTime>2023-04-02T00:00:00Z</declarationTime><reason>urn:epcglobal:cbv:er:incorrect_data</reason></errorDeclaration></baseExtension>",
        1,
    );
    let declaration = format!(
        "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:1\" schemaVersion=\"1.2\" creationDate=\"2023-04-02T00:00:00Z\"><EPCISBody><EventList>{event}</EventList></EPCISBody></epcis:EPCISDocument>"
    );
    let report = repository
        .ingest(declaration.as_bytes(), "declaration.xml")
        .expect("ingest");
    assert_eq!(report.retracted, 1);
    let findings = repository.check().expect("check");
    assert!(
        !findings
            .iter()
            .any(|f| f.rule.as_str() == "recalled-shipped"),
        "{findings:?}"
    );
}

fn gtin_of_item(repository: &Repository) -> String {
    let link = repository.history(ITEM).expect("history")[0].facts.epcs[0]
        .0
        .clone();
    link.split('/').nth(4).expect("gtin").to_owned()
}

#[test]
fn verification_answers() {
    let repository = loaded();
    let gtin = gtin_of_item(&repository);
    let ask = |serial: &str, lot: Option<&str>, expiry: Option<&str>| {
        verify(
            &repository,
            &VerifyRequest {
                gtin: gtin.clone(),
                serial: serial.into(),
                lot: lot.map(Into::into),
                expiry: expiry.map(Into::into),
            },
        )
        .expect("verify")
    };
    let ok = ask("11", Some("A123"), Some("250327"));
    assert_eq!(ok.verdict, Verdict::Verified, "{ok:?}");
    assert_eq!(
        ask("11", None, Some("2025-03-27")).verdict,
        Verdict::Verified
    );
    let lot = ask("11", Some("B999"), None);
    assert_eq!(
        (lot.verdict, lot.reason.as_str()),
        (
            Verdict::NotVerified,
            "The lot on record is `A123`, not `B999`."
        )
    );
    let expiry = ask("11", Some("A123"), Some("250400"));
    assert_eq!(expiry.verdict, Verdict::NotVerified);
    assert!(expiry.reason.contains("2025-04-30"), "{}", expiry.reason);
    let unknown = ask("99", None, None);
    assert_eq!(unknown.verdict, Verdict::NotVerified);
    assert!(
        unknown.reason.starts_with("No commissioning record"),
        "{}",
        unknown.reason
    );
    assert!(
        verify(
            &repository,
            &VerifyRequest {
                gtin: "12ab".into(),
                serial: "1".into(),
                ..VerifyRequest::default()
            }
        )
        .is_err()
    );
}

#[test]
fn verification_of_a_clone() {
    let mut repository = Repository::in_memory().expect("repository");
    let text = String::from_utf8(dscsa()).expect("UTF-8");
    let start = text.find("<!-- E2").expect("E2");
    let cloned = format!(
        "{}{}",
        &text[..start],
        text[start..].replacen("030001.1012345.121", "030001.0012345.11", 1)
    );
    repository
        .ingest(cloned.as_bytes(), "clone.xml")
        .expect("ingest");
    let gtin = gtin_of_item(&repository);
    let answer = verify(
        &repository,
        &VerifyRequest {
            gtin,
            serial: "11".into(),
            ..VerifyRequest::default()
        },
    )
    .expect("verify");
    assert_eq!(answer.verdict, Verdict::NotVerified);
    assert!(
        answer
            .reason
            .starts_with("Suspect product (duplicate-commission)"),
        "{}",
        answer.reason
    );
}
