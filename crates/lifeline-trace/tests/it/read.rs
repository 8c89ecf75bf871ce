//! Reading every fixture document (JSON-LD and XML, 2.0 and 1.2), errors that name the
//! event and field, and the round trip XML → model → JSON-LD → model.

use lifeline_trace::hash::{HashConfig, event_hash};
use lifeline_trace::write::document_to_json;
use lifeline_trace::{EventType, Location, TraceError, read_all};

use crate::{data, read_data};

fn fixture_documents() -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![data("")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir").filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                if !path.ends_with("XSD") {
                    stack.push(path);
                }
                continue;
            }
            let name = path.to_string_lossy().into_owned();
            let is_document =
                (name.ends_with(".xml") || name.ends_with(".jsonld") || name.ends_with("_7.json"))
                    && !name.contains("masterdata")
                    && !name.ends_with("epcis-context.jsonld");
            if is_document {
                let relative = path
                    .strip_prefix(data(""))
                    .expect("under data")
                    .to_string_lossy()
                    .into_owned();
                out.push(relative);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_fixture_document_reads() {
    let documents = fixture_documents();
    assert!(documents.len() >= 60, "{}", documents.len());
    let mut events = 0;
    for document in &documents {
        let (_, list) =
            read_all(&read_data(document)).unwrap_or_else(|e| panic!("{document}: {e}"));
        assert!(!list.is_empty(), "{document}: no events");
        events += list.len();
    }
    assert!(events > 100, "{events}");
}

#[test]
fn dscsa_example_1_2_reads_with_ilmd_and_extensions() {
    let (header, events) =
        read_all(&read_data("dscsa/GS1_US_Pharma_Example_2_2_1_1.xml")).expect("read");
    assert_eq!(header.schema_version, "1.2");
    assert_eq!(events.len(), 8);
    assert_eq!(events[2].event_type, EventType::AggregationEvent);
    let ilmd = events[0]
        .field("ilmd")
        .expect("ILMD kept out of its 1.2 extension wrapper");
    assert_eq!(
        ilmd.child_text("{urn:epcglobal:cbv:mda}itemExpirationDate"),
        Some("2025-03-27")
    );
    let shipping = &events[7];
    assert!(
        shipping.field("sourceList").is_some(),
        "sourceList out of the extension"
    );
    assert_eq!(
        shipping.text("{http://epcis.gs1us.org/hc/ns}dropShipment"),
        Some("false"),
        "a user extension is kept"
    );
    assert!(
        !header.master_data.is_empty(),
        "master data from the header"
    );
}

#[test]
fn round_trip_xml_to_json_ld_keeps_every_hash() {
    let config = HashConfig::default();
    let mut checked = 0;
    for document in fixture_documents().iter().filter(|d| d.ends_with(".xml")) {
        let (header, events) = read_all(&read_data(document)).expect("read");
        let json = serde_json::to_vec(&document_to_json(&header, &events)).expect("JSON");
        let (header2, events2) = read_all(&json).unwrap_or_else(|e| panic!("{document}: {e}"));
        assert_eq!(events.len(), events2.len(), "{document}");
        for (a, b) in events.iter().zip(&events2) {
            assert_eq!(
                event_hash(a, &header, config),
                event_hash(b, &header2, config),
                "{document} event {}:\n{}\n{}",
                a.index,
                lifeline_trace::hash::prehash(a, &header, config),
                lifeline_trace::hash::prehash(b, &header2, config)
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked}");
}

fn invalid(bytes: &str) -> (Location, String) {
    match read_all(bytes.as_bytes()) {
        Err(TraceError::Invalid { location, message }) => (location, message),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn errors_name_the_event_its_id_and_the_field() {
    let (location, message) = invalid(
        r#"{"@context": [], "type": "EPCISDocument", "epcisBody": {"eventList": [
            {"type": "ObjectEvent", "eventTime": "2020-01-01T00:00:00Z", "action": "ADD"},
            {"type": "ObjectEvent", "eventID": "urn:uuid:1", "epcList": "not a list"}]}}"#,
    );
    assert_eq!(location.index, Some(1));
    assert_eq!(location.event_id.as_deref(), Some("urn:uuid:1"));
    assert_eq!(location.field.as_deref(), Some("epcList"));
    assert_eq!(message, "must be a list");
    let (location, message) =
        invalid(r#"{"@context": [], "epcisBody": {"eventList": [{"type": "Event"}]}}"#);
    assert_eq!(
        (location.index, location.field.as_deref()),
        (Some(0), Some("type"))
    );
    assert_eq!(message, "unknown event type `Event`");
    let rendered = TraceError::Invalid { location, message }.to_string();
    assert_eq!(
        rendered,
        "event 0, field `type`: unknown event type `Event`"
    );
    let (location, message) = invalid(
        r#"{"@context": [], "epcisBody": {"eventList": [
            {"type": "ObjectEvent", "bizStep": {"id": "shipping"}}]}}"#,
    );
    assert_eq!(
        (location.index, location.field.as_deref()),
        (Some(0), Some("bizStep"))
    );
    assert_eq!(message, "must be a text: a CBV term or a URI");
}

#[test]
fn syntax_errors_carry_positions() {
    match read_all(b"{\"epcisBody\": {\"eventList\": [ {\"type\": }") {
        Err(TraceError::Json { line, column, .. }) => assert_eq!((line, column), (1, 40)),
        other => panic!("{other:?}"),
    }
    match read_all(
        b"<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\"><EPCISBody></EPCISDoc>",
    ) {
        Err(TraceError::Xml { .. }) => {}
        other => panic!("{other:?}"),
    }
    // quick-xml does not check names; the reader does (`@time` would be a JSON-LD keyword).
    for bad in [
        r#"<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"><EPCISBody><EventList><ObjectEvent><x @time="1"/></ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"#,
        r#"<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"><EPCISBody><EventList><ObjectEvent><1x/></ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"#,
    ] {
        match read_all(bad.as_bytes()) {
            Err(TraceError::Xml { at, message }) => {
                assert!(message.ends_with("is not an XML name"), "{message}");
                // The position is where the bad tag starts, after `<ObjectEvent>`.
                let start = bad.find("<ObjectEvent>").expect("event") + "<ObjectEvent>".len();
                assert_eq!(
                    (at.line, at.column, at.byte),
                    (1, start as u64 + 1, start as u64),
                    "{at}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        read_all(b"  hello"),
        Err(TraceError::UnknownFormat)
    ));
    assert!(matches!(read_all(b""), Err(TraceError::UnknownFormat)));
}

#[test]
fn json_ld_and_xml_give_the_same_model() {
    let (_, json) = read_all(&read_data("hash/epcisDocWithSensorComponent.jsonld")).expect("json");
    let (_, xml) = read_all(&read_data("hash/epcisDocWithSensorComponent.xml")).expect("xml");
    let sensor = |events: &[lifeline_trace::Event]| {
        let list = events[0]
            .field("sensorElementList")
            .expect("sensors")
            .clone();
        let mut reports: Vec<Vec<(String, String)>> = list.children[0]
            .children_named("sensorReport")
            .map(|r| {
                let mut fields: Vec<(String, String)> = r
                    .children
                    .iter()
                    .map(|c| (c.name.clone(), c.text.clone()))
                    .collect();
                fields.sort();
                fields
            })
            .collect();
        reports.sort();
        reports
    };
    assert_eq!(sensor(&json), sensor(&xml));
}

/// A standard field given twice (a repeated XML element, a JSON list) is read as given,
/// hashes the same in both syntaxes and through the JSON-LD round trip, and is a
/// validation problem.
#[test]
fn a_repeated_standard_field_is_kept_and_reported() {
    let xml = r#"<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>
        <eventTime>2024-01-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
        <epcList><epc>urn:epc:id:sgtin:030001.0012345.11</epc></epcList><action>OBSERVE</action>
        <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep><bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep>
        </ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"#;
    let json = r#"{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z",
        "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z",
        "eventTimeZoneOffset": "+00:00", "epcList": ["urn:epc:id:sgtin:030001.0012345.11"],
        "action": "OBSERVE", "bizStep": ["shipping", "receiving"]}]}}"#;
    let config = HashConfig::default();
    let (xml_header, xml_events) = read_all(xml.as_bytes()).expect("xml");
    let (json_header, json_events) = read_all(json.as_bytes()).expect("json");
    let hash = event_hash(&xml_events[0], &xml_header, config);
    assert_eq!(hash, event_hash(&json_events[0], &json_header, config));
    let written = document_to_json(&xml_header, &xml_events).to_string();
    let (header, events) = read_all(written.as_bytes()).expect("round trip");
    assert_eq!(hash, event_hash(&events[0], &header, config));
    for event in [&xml_events[0], &json_events[0]] {
        let problems: Vec<String> = lifeline_trace::validate::check_event(event)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            ["event 0, field `bizStep`: given 2 times: an event has it at most once"]
        );
    }
}

/// An XML value that reads like a CURIE of a prefix the JSON-LD context declares stays a
/// literal (`{"@value": …}`) through the round trip, so its Event Hash ID holds; in JSON-LD
/// proper such a string would be expanded, as the reference implementation does.
#[test]
fn curie_like_values_survive_the_round_trip() {
    let xml = r#"<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ext1="http://example.com/ext1/" schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>
        <eventTime>2024-01-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
        <epcList><epc>urn:epc:id:sgtin:030001.0012345.11</epc></epcList><action>OBSERVE</action>
        <ext1:status>ext1:active</ext1:status>
        </ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"#;
    let config = HashConfig::default();
    let (header, events) = read_all(xml.as_bytes()).expect("xml");
    let written = document_to_json(&header, &events).to_string();
    assert!(
        written.contains(r#""ext1:status":{"@value":"ext1:active"}"#),
        "{written}"
    );
    let (header2, events2) = read_all(written.as_bytes()).expect("round trip");
    assert_eq!(
        event_hash(&events[0], &header, config),
        event_hash(&events2[0], &header2, config)
    );
}
