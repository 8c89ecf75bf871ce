//! The SQLite repository: idempotent, transactional ingest, queries, rules and verification.

use std::ops::ControlFlow;

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
        Err(TraceError::Rejected {
            problems,
            omitted: 0,
        }) => {
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

/// What JSON-LD cannot hold (and the XSD or CBV forbids) is rejected, not stored with part
/// of it lost or changed: text beside a list's items, a foreign element in a list, an EPC
/// with attributes, a bare term where a URI belongs.
#[test]
fn an_event_json_ld_cannot_hold_is_rejected() {
    let text = String::from_utf8(dscsa()).expect("UTF-8");
    let broken = text
        .replacen(
            "<epcList>\n",
            "<epcList>stray\n",
            1,
        )
        .replacen(
            "<childEPCs>\n",
            "<childEPCs><note>x</note>\n",
            1,
        )
        .replacen(
            "<bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>",
            "<bizStep>commissioning</bizStep>",
            1,
        )
        .replacen(
            "<epc>urn:epc:id:sgtin:030001.0012345.14</epc>\n                </childEPCs>",
            "<epc kind=\"x\">urn:epc:id:sgtin:030001.0012345.14</epc>\n                </childEPCs>",
            1,
        );
    let mut repository = Repository::in_memory().expect("repository");
    match repository.ingest(broken.as_bytes(), "shapes.xml") {
        Err(TraceError::Rejected {
            problems,
            omitted: 0,
        }) => {
            let rendered: Vec<String> = problems.iter().map(ToString::to_string).collect();
            assert_eq!(
                rendered,
                [
                    "event 0, field `epcList`: holds the text `stray` beside its items: only `epc` elements belong here",
                    "event 0, field `bizStep`: `commissioning` is not a URI: write it in full (in JSON-LD a bare term stands for a CBV or GS1 URI)",
                    "event 2, field `childEPCs[0]`: `note` does not belong here: only `epc` elements do",
                    "event 2, field `childEPCs[4]`: has attributes or elements inside: it holds text only",
                ]
            );
        }
        other => panic!("{other:?}"),
    }
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
            from: Some("2023-04-01T00:00:00Z".into()),
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

/// Whether the check over `repository` gives a finding of `rule`.
fn fires(repository: &Repository, rule: &str) -> bool {
    let findings = repository.check().expect("check");
    findings.iter().any(|f| f.rule.as_str() == rule)
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
    assert!(fires(&repository, "recalled-shipped"));
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
    assert!(!fires(&repository, "recalled-shipped"));

    // The other order: the declaration arrives before the event it retracts. It is stored
    // retracted in the event's place, so neither it nor the event, when it comes, counts.
    let mut repository = Repository::in_memory().expect("repository");
    let report = repository
        .ingest(declaration.as_bytes(), "declaration.xml")
        .expect("ingest");
    assert_eq!((report.added, report.retracted), (1, 0));
    let stored = repository
        .history("urn:epc:id:sscc:030001.41234567890")
        .expect("history");
    assert_eq!(stored.len(), 1);
    assert!(stored[0].retracted, "{stored:?}");
    let before = repository.check().expect("check");
    let (header, events) = lifeline_trace::read_all(declaration.as_bytes()).expect("read");
    let one_pass = lifeline_trace::rules::check(&lifeline_trace::facts::facts_of(&header, &events));
    assert_eq!(before, one_pass);
    let report = repository
        .ingest(recalled.as_bytes(), "recalled.xml")
        .expect("ingest");
    assert_eq!(report.duplicates, 1);
    assert!(!fires(&repository, "recalled-shipped"));
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

/// One generated step of a product flow over a few EPCs and sites.
#[derive(Debug, Clone)]
enum Step {
    Commission(usize),
    Pack(usize, Vec<usize>),
    Unpack(usize, Vec<usize>),
    Ship(usize, usize),
    Receive(usize, usize),
    Recall(usize),
    Dispense(usize),
}

fn epc(i: usize) -> String {
    format!("urn:epc:id:sgtin:030001.0012345.{i}")
}

fn site(i: usize) -> String {
    ["030001.111111", "039999.345678", "031111.000001"][i % 3].to_owned()
}

fn step_event(step: &Step, index: usize, time: u32) -> serde_json::Value {
    // The readPoint extension makes every event distinct (GLN comparisons ignore it).
    let mut event = serde_json::json!({
        "type": "ObjectEvent",
        "eventTime": format!("2024-01-01T00:{:02}:{:02}Z", time / 60, time % 60),
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "readPoint": {"id": format!("urn:epc:id:sgln:{}.{index}", site(0))},
    });
    let map = event.as_object_mut().expect("object");
    let mut set = |key: &str, value: serde_json::Value| {
        map.insert(key.to_owned(), value);
    };
    match step {
        Step::Commission(e) => {
            set("epcList", serde_json::json!([epc(*e)]));
            set("action", "ADD".into());
            set("bizStep", "commissioning".into());
            set(
                "ilmd",
                serde_json::json!({"cbvmda:itemExpirationDate": "2024-01-01"}),
            );
        }
        Step::Pack(parent, children) | Step::Unpack(parent, children) => {
            set("type", "AggregationEvent".into());
            set("parentID", epc(*parent).into());
            let children: Vec<String> = children.iter().map(|c| epc(*c)).collect();
            set("childEPCs", children.into());
            let packing = matches!(step, Step::Pack(..));
            set("action", if packing { "ADD" } else { "DELETE" }.into());
            set(
                "bizStep",
                if packing { "packing" } else { "unpacking" }.into(),
            );
        }
        Step::Ship(e, to) => {
            set("epcList", serde_json::json!([epc(*e)]));
            set("bizStep", "shipping".into());
            set(
                "destinationList",
                serde_json::json!([{"type": "owning_party", "destination": format!("urn:epc:id:sgln:{}.0", site(*to))}]),
            );
        }
        Step::Receive(e, at) => {
            set("epcList", serde_json::json!([epc(*e)]));
            set("bizStep", "receiving".into());
            set(
                "bizLocation",
                serde_json::json!({"id": format!("urn:epc:id:sgln:{}.0", site(*at))}),
            );
        }
        Step::Recall(e) => {
            set("epcList", serde_json::json!([epc(*e)]));
            set("disposition", "recalled".into());
        }
        Step::Dispense(e) => {
            set("epcList", serde_json::json!([epc(*e)]));
            set("bizStep", "dispensing".into());
        }
    }
    event
}

fn step_strategy() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    let id = 0usize..8;
    let children = proptest::collection::vec(0usize..8, 0..4);
    prop_oneof![
        id.clone().prop_map(Step::Commission),
        (id.clone(), children.clone()).prop_map(|(p, c)| Step::Pack(p, c)),
        (id.clone(), children).prop_map(|(p, c)| Step::Unpack(p, c)),
        (id.clone(), 0usize..3).prop_map(|(e, s)| Step::Ship(e, s)),
        (id.clone(), 0usize..3).prop_map(|(e, s)| Step::Receive(e, s)),
        id.clone().prop_map(Step::Recall),
        id.prop_map(Step::Dispense),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// The repository checks one aggregation family at a time; that must find exactly what
    /// one pass over all events in time order (`rules::check`) finds. Some events are also
    /// declared wrong by an error declaration placed before or after them in the document.
    #[test]
    fn family_by_family_check_equals_one_pass(
        steps in proptest::collection::vec(
            (step_strategy(), 0u32..40, proptest::option::weighted(0.15, proptest::bool::ANY)),
            1..40,
        )
    ) {
        let mut events: Vec<serde_json::Value> = Vec::new();
        for (i, (step, time, declared)) in steps.iter().enumerate() {
            let event = step_event(step, i, *time);
            let Some(before) = declared else {
                events.push(event);
                continue;
            };
            let mut declaration = event.clone();
            declaration.as_object_mut().expect("object").insert(
                "errorDeclaration".to_owned(),
                serde_json::json!({"declarationTime": "2024-02-01T00:00:00Z", "reason": "incorrect_data"}),
            );
            if *before {
                events.extend([declaration, event]);
            } else {
                events.extend([event, declaration]);
            }
        }
        let document = serde_json::json!({
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z",
            "epcisBody": {"eventList": events},
        })
        .to_string();
        let mut repository = Repository::in_memory().expect("repository");
        let report = repository.ingest(document.as_bytes(), "generated.jsonld").expect("ingest");
        proptest::prop_assert_eq!(report.added, steps.len());
        let (header, read) = lifeline_trace::read_all(document.as_bytes()).expect("read");
        let expected = lifeline_trace::rules::check(&lifeline_trace::facts::facts_of(&header, &read));
        proptest::prop_assert_eq!(repository.check().expect("check"), expected.clone());
        // Streamed, the same findings, each once; a caller that stops after k gets the
        // first k of that stream.
        let mut streamed = Vec::new();
        repository
            .check_each(&mut |finding| {
                streamed.push(finding);
                ControlFlow::Continue(())
            })
            .expect("check_each");
        let mut sorted = streamed.clone();
        sorted.sort();
        proptest::prop_assert_eq!(sorted, expected);
        let k = streamed.len() / 2;
        let mut first = Vec::new();
        repository
            .check_each(&mut |finding| {
                if first.len() == k {
                    return ControlFlow::Break(());
                }
                first.push(finding);
                ControlFlow::Continue(())
            })
            .expect("check_each");
        proptest::prop_assert_eq!(&first[..], &streamed[..k]);
    }
}

#[test]
fn query_filters_are_checked_and_canonicalised() {
    // The canonical forms are tested beside the parser (`repository/query.rs`); here, what
    // a front end sees: `validate` and `query` refuse the same filters, naming them.
    let repository = loaded();
    let error = |query: Query| {
        let validated = match query.validate() {
            Err(e) => e.to_string(),
            Ok(()) => panic!("accepted {query:?}"),
        };
        match repository.query(&query) {
            Err(e) => assert_eq!(e.to_string(), validated),
            Ok(events) => panic!("queried {query:?}: {} event(s)", events.len()),
        }
        validated
    };
    let custom = repository
        .query(&Query {
            biz_step: Some("https://example.com/steps/wrapping".into()),
            ..Query::default()
        })
        .expect("a custom URI is a valid bizStep");
    assert!(custom.is_empty());
    assert_eq!(
        error(Query {
            biz_step: Some("shiping".into()),
            ..Query::default()
        }),
        "field `biz-step`: `shiping` is not a CBV 2.0 bizStep (did you mean `shipping`?); a custom one must be a full URI"
    );
    assert!(
        error(Query {
            disposition: Some("https://ref.gs1.org/cbv/Disp-lost".into()),
            ..Query::default()
        })
        .starts_with(
            "field `disposition`: `https://ref.gs1.org/cbv/Disp-lost` is not a CBV 2.0 disposition"
        )
    );
    assert!(
        error(Query {
            epc: Some("urn:epc:id:sgtin:030001.0012345".into()),
            ..Query::default()
        })
        .starts_with("field `epc`: malformed GS1 identifier `urn:epc:id:sgtin:030001.0012345`")
    );
    assert!(
        error(Query {
            epc: Some("urn:epc:class:lgtin:030001.0012345.A123".into()),
            ..Query::default()
        })
        .contains("names a class")
    );
    assert!(
        error(Query {
            class: Some(ITEM.into()),
            ..Query::default()
        })
        .starts_with("field `class`: `urn:epc:id:sgtin:030001.0012345.11` is not a class")
    );
    assert!(
        error(Query {
            location: Some("0300011111116".into()),
            ..Query::default()
        })
        .starts_with("field `location`: `0300011111116` is not an identifier URI")
    );
    assert!(
        error(Query {
            from: Some("2023-02-30".into()),
            ..Query::default()
        })
        .starts_with("field `from`: `2023-02-30` is neither a date-time")
    );
    assert_eq!(
        error(Query {
            from: Some("2023-04-02".into()),
            to: Some("2023-04-01".into()),
            ..Query::default()
        }),
        "field `to`: must be later than `from` (`to` is exclusive)"
    );
    assert_eq!(
        error(Query {
            limit: Some(0),
            ..Query::default()
        }),
        "field `limit`: must be at least 1"
    );
}

#[test]
fn queries_by_class_time_location_party_and_limit() {
    let document = r#"{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z",
        "epcisBody": {"eventList": [
          {"type": "ObjectEvent", "eventTime": "2024-01-01T10:00:00Z", "eventTimeZoneOffset": "+00:00",
           "action": "OBSERVE", "bizStep": "shipping",
           "quantityList": [{"epcClass": "urn:epc:class:lgtin:030001.0012345.LOT7", "quantity": 20}],
           "readPoint": {"id": "urn:epc:id:sgln:030001.111111.0"},
           "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:030001.111111"}]},
          {"type": "ObjectEvent", "eventTime": "2024-01-02T10:00:00Z", "eventTimeZoneOffset": "+00:00",
           "action": "OBSERVE", "bizStep": "receiving",
           "quantityList": [{"epcClass": "urn:epc:class:lgtin:030001.0012345.LOT7", "quantity": 20}],
           "bizLocation": {"id": "urn:epc:id:sgln:039999.345678.0"},
           "destinationList": [{"type": "possessing_party", "destination": "urn:epc:id:pgln:039999.345678"}]},
          {"type": "ObjectEvent", "eventTime": "2024-01-03T10:00:00Z", "eventTimeZoneOffset": "+00:00",
           "action": "OBSERVE", "bizStep": "storing",
           "quantityList": [{"epcClass": "urn:epc:class:lgtin:030001.0012345.LOT8", "quantity": 5}],
           "bizLocation": {"id": "urn:epc:id:sgln:039999.345678.0"}}
        ]}}"#;
    let mut repository = Repository::in_memory().expect("repository");
    repository
        .ingest(document.as_bytes(), "classes.jsonld")
        .expect("ingest");
    let run = |query: Query| {
        repository
            .query(&query)
            .expect("query")
            .iter()
            .map(|e| e.facts.biz_step.clone())
            .collect::<Vec<_>>()
    };
    let lot7 = Query {
        class: Some("urn:epc:class:lgtin:030001.0012345.LOT7".into()),
        ..Query::default()
    };
    assert_eq!(run(lot7.clone()), ["shipping", "receiving"]);
    assert_eq!(
        run(Query {
            class: Some("https://id.gs1.org/01/00300010123455/10/LOT8".into()),
            ..Query::default()
        }),
        ["storing"]
    );
    assert_eq!(
        run(Query {
            from: Some("2024-01-02".into()),
            ..lot7.clone()
        }),
        ["receiving"]
    );
    assert_eq!(
        run(Query {
            to: Some("2024-01-02T10:00:00Z".into()),
            ..Query::default()
        }),
        ["shipping"]
    );
    assert_eq!(
        run(Query {
            location: Some("urn:epc:id:sgln:039999.345678.0".into()),
            ..Query::default()
        }),
        ["receiving", "storing"]
    );
    assert_eq!(
        run(Query {
            party: Some("urn:epc:id:pgln:039999.345678".into()),
            ..Query::default()
        }),
        ["receiving"]
    );
    assert_eq!(
        run(Query {
            limit: Some(1),
            ..Query::default()
        }),
        ["shipping"]
    );
}

#[test]
fn cbv_vocabularies_match_the_epcis_context() {
    let context = String::from_utf8(read_data("epcis/epcis-context.jsonld")).expect("UTF-8");
    let terms = |prefix: &str| {
        let mut out: Vec<String> = context
            .match_indices(prefix)
            .map(|(at, _)| {
                context[at + prefix.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect::<String>()
            })
            .filter(|t| !t.is_empty())
            .collect();
        out.sort();
        out.dedup();
        out
    };
    assert_eq!(terms("BizStep-"), lifeline_trace::vocabulary::BIZ_STEPS);
    assert_eq!(terms("Disp-"), lifeline_trace::vocabulary::DISPOSITIONS);
}

#[test]
fn a_repository_of_another_layout_is_refused_with_a_message() {
    let path =
        std::env::temp_dir().join(format!("lifeline-trace-old-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    {
        let old = rusqlite::Connection::open(&path).expect("create");
        old.execute_batch(
            "CREATE TABLE events (seq INTEGER PRIMARY KEY, hash TEXT, facts TEXT, body TEXT);",
        )
        .expect("old layout");
    }
    let message = Repository::open(&path).expect_err("refused").to_string();
    assert!(
        message.contains("has layout 0, this lifeline reads layout 3"),
        "{message}"
    );
    let _ = std::fs::remove_file(&path);
    // A new file gets the current layout and opens again.
    let fresh =
        std::env::temp_dir().join(format!("lifeline-trace-new-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&fresh);
    drop(Repository::open(&fresh).expect("create"));
    assert!(
        Repository::open(&fresh)
            .expect("reopen")
            .is_empty()
            .expect("len")
    );
    let _ = std::fs::remove_file(&fresh);
}

/// A file of many bad events is rejected whole with the first problems and a count of the
/// rest, not one message that grows with the file (issue 21: 1M invalid events made a
/// 105 MB error string).
#[test]
fn a_rejected_file_reports_the_first_problems_and_counts_the_rest() {
    let text = String::from_utf8(dscsa()).expect("UTF-8");
    let broken = text.replace("<action>OBSERVE</action>", "<action>LOOK</action>");
    let bad = broken.matches("<action>LOOK</action>").count();
    let events = broken.replace(
        "<EventList>",
        &format!(
            "<EventList>{}",
            "<ObjectEvent><eventTime>2023-04-01T07:48:16Z</eventTime>\
             <eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList/>\
             <action>LOOK</action></ObjectEvent>"
                .repeat(500)
        ),
    );
    let mut repository = Repository::in_memory().expect("repository");
    match repository.ingest(events.as_bytes(), "many.xml") {
        Err(error @ TraceError::Rejected { .. }) => {
            let message = error.to_string();
            let TraceError::Rejected { problems, omitted } = error else {
                unreachable!("matched above")
            };
            let limit = lifeline_trace::read::ReadLimits::default().max_problems;
            assert_eq!(problems.len(), limit);
            assert!(omitted >= 500 + bad - limit, "{omitted}");
            assert!(message.contains(&format!("and {omitted} more problem(s) not shown")));
            assert!(message.len() < 32 * 1024, "{} bytes", message.len());
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(
        repository.len().expect("len"),
        0,
        "nothing of the file is kept"
    );
}
