//! Hostile documents (issue 21): nesting, sizes, encodings and characters that the readers
//! must refuse with a clear error rather than abort, grow without bound or read differently
//! from `trace validate`; line numbers in XML errors; the cap on the problems of a
//! validation. Inputs are generated here, small unless the case is size itself.

use lifeline_trace::facts::EventFacts;
use lifeline_trace::hash::{HashConfig, event_hash};
use lifeline_trace::read::{ReadLimits, read_all_with};
use lifeline_trace::schema::{validate_document, validate_document_with};
use lifeline_trace::validate::check_event;
use lifeline_trace::write::{Prefixes, event_to_json};
use lifeline_trace::{DocumentHeader, Event, TraceError, read_all};
use proptest::prelude::*;

const XML_HEAD: &str = r#"<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:x="urn:x:" schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList>"#;
const XML_TAIL: &str = "</EventList></EPCISBody></epcis:EPCISDocument>";
const EVENT_START: &str = "<ObjectEvent><eventTime>2024-01-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><action>OBSERVE</action>";

/// An XML document of one ObjectEvent holding `inner`.
fn xml_event(inner: &str) -> String {
    format!("{XML_HEAD}{EVENT_START}{inner}</ObjectEvent>{XML_TAIL}")
}

/// A JSON-LD document of one ObjectEvent with `fields` (a JSON object body, no braces).
fn json_event(fields: &str) -> String {
    format!(
        r#"{{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z", "epcisBody": {{"eventList": [{{"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE"{fields}}}]}}}}"#
    )
}

/// `depth` extension elements nested one in another.
fn nested_xml(depth: usize) -> String {
    format!("{}deep{}", "<x:e>".repeat(depth), "</x:e>".repeat(depth))
}

/// The error of reading `document` within `limits`, which must be a limit error naming
/// `setting`.
fn check_limit(document: &str, limits: &ReadLimits, setting: &str) -> String {
    match read_all_with(document.as_bytes(), limits) {
        Err(error @ TraceError::Limit { setting: s, .. }) if s == setting => error.to_string(),
        other => panic!("expected the limit `{setting}`, got {other:?}"),
    }
}

#[test]
fn deep_xml_is_an_error_not_a_stack_overflow() {
    // 100,000 levels (1.1 MB) on the test thread's default 2 MiB stack: before the depth
    // limit, hashing or dropping such an event overflowed the stack and aborted.
    let document = xml_event(&nested_xml(100_000));
    let message = check_limit(&document, &ReadLimits::default(), "max_depth");
    assert!(
        message.contains("line 1, column") && message.contains("(`ReadLimits::max_depth`)"),
        "{message}"
    );
    assert!(message.len() < 300, "{message}");
    // `trace validate` reads through the same reader, and says the same.
    let validation = validate_document(document.as_bytes()).expect("validation");
    assert!(matches!(
        validation.error,
        Some(TraceError::Limit {
            setting: "max_depth",
            ..
        })
    ));
}

#[test]
fn deep_json_is_an_error_not_a_stack_overflow() {
    let deep = format!(",\"x:e\": {}1{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(read_all(json_event(&deep).as_bytes()).is_err());
    // Under serde_json's own limit of 128, the reader's limit still holds.
    let deep = format!(",\"x:e\": {}1{}", "[".repeat(100), "]".repeat(100));
    check_limit(&json_event(&deep), &ReadLimits::default(), "max_depth");
    let deep = format!(",\"x:e\": {}1{}", "{\"a\":".repeat(100), "}".repeat(100));
    check_limit(&json_event(&deep), &ReadLimits::default(), "max_depth");
}

/// The deepest tree any limit allows is walked recursively by the hasher, validation, the
/// JSON-LD writer and the facts, then dropped: on a 2 MiB stack, even in a debug build.
#[test]
fn the_deepest_tree_the_limits_allow_is_walked_within_the_stack() {
    let limits = ReadLimits {
        max_depth: usize::MAX,
        ..ReadLimits::default()
    };
    // The event is level 4; its fields start at 5; the ceiling is 256.
    let within = lifeline_trace::read::MAX_DEPTH - 4;
    let document = xml_event(&nested_xml(within));
    let (header, events) = read_all_with(document.as_bytes(), &limits).expect("read");
    let walk = |header: &DocumentHeader, events: &[Event]| {
        for event in events {
            let hash = event_hash(event, header, HashConfig::default());
            assert!(hash.starts_with("ni:///sha-256;"));
            // Only the missing EPCs: nothing about the deep extension.
            let problems = check_event(event);
            assert!(
                problems
                    .iter()
                    .all(|p| p.location.field.as_deref() == Some("epcList")),
                "{problems:?}"
            );
            let json = event_to_json(event, &mut Prefixes::from_header(header));
            assert!(json.is_object());
            let facts = EventFacts::of(event, hash);
            assert_eq!(facts.action, "OBSERVE");
        }
    };
    walk(&header, &events);
    drop(events);
    // One level more is refused: the ceiling holds whatever the setting says.
    check_limit(&xml_event(&nested_xml(within + 1)), &limits, "max_depth");
}

#[test]
fn values_over_the_limit_are_refused() {
    let limits = ReadLimits {
        max_value_bytes: 1000,
        ..ReadLimits::default()
    };
    let text = |n: usize| "a".repeat(n);
    // Exactly the limit reads; one byte more does not.
    read_all_with(
        xml_event(&format!("<x:t>{}</x:t>", text(1000))).as_bytes(),
        &limits,
    )
    .expect("at the limit");
    check_limit(
        &xml_event(&format!("<x:t>{}</x:t>", text(1001))),
        &limits,
        "max_value_bytes",
    );
    // A text made of several tokens (references, CDATA) is one value.
    check_limit(
        &xml_event(&format!(
            "<x:t>{}&amp;<![CDATA[{}]]></x:t>",
            text(600),
            text(600)
        )),
        &limits,
        "max_value_bytes",
    );
    // An attribute, a comment before the root, a JSON string and a JSON key.
    check_limit(
        &xml_event(&format!("<x:t a=\"{}\"/>", text(2000))),
        &limits,
        "max_value_bytes",
    );
    check_limit(
        &format!("<!--{}-->{}", text(2000), xml_event("")),
        &limits,
        "max_value_bytes",
    );
    check_limit(
        &json_event(&format!(",\"x:t\": \"{}\"", text(1001))),
        &limits,
        "max_value_bytes",
    );
    check_limit(
        &json_event(&format!(",\"{}\": 1", text(1001))),
        &limits,
        "max_value_bytes",
    );
    // With the default limit (1 MiB), a 2 MiB text is refused before it is all held.
    let big = xml_event(&format!("<x:t>{}</x:t>", text(2 << 20)));
    let message = check_limit(&big, &ReadLimits::default(), "max_value_bytes");
    assert!(message.len() < 300, "{message}");
}

#[test]
fn events_and_documents_over_the_limit_are_refused() {
    let epcs = |n: usize, json: bool| {
        let epc = "urn:epc:id:sgtin:0614141.107346.2017";
        if json {
            let list: Vec<String> = (0..n).map(|_| format!("\"{epc}\"")).collect();
            format!(",\"epcList\": [{}]", list.join(","))
        } else {
            format!(
                "<epcList>{}</epcList>",
                format!("<epc>{epc}</epc>").repeat(n)
            )
        }
    };
    let elements = ReadLimits {
        max_event_elements: 100,
        ..ReadLimits::default()
    };
    read_all_with(xml_event(&epcs(50, false)).as_bytes(), &elements).expect("50 EPCs");
    check_limit(
        &xml_event(&epcs(200, false)),
        &elements,
        "max_event_elements",
    );
    read_all_with(json_event(&epcs(50, true)).as_bytes(), &elements).expect("50 EPCs");
    check_limit(
        &json_event(&epcs(200, true)),
        &elements,
        "max_event_elements",
    );
    // Bytes: XML exactly; JSON to within the read buffer (128 KiB), so a larger event.
    let bytes = ReadLimits {
        max_event_bytes: 10_000,
        ..ReadLimits::default()
    };
    check_limit(&xml_event(&epcs(500, false)), &bytes, "max_event_bytes");
    check_limit(&json_event(&epcs(10_000, true)), &bytes, "max_event_bytes");
    let document = ReadLimits {
        max_document_bytes: 1000,
        ..ReadLimits::default()
    };
    check_limit(
        &xml_event(&epcs(500, false)),
        &document,
        "max_document_bytes",
    );
    check_limit(
        &json_event(&epcs(500, true)),
        &document,
        "max_document_bytes",
    );
}

/// Reads `document` with `read_all` and with `validate_document`: both must refuse it
/// with an XML error whose message contains `needle`.
fn check_refused(document: &[u8], needle: &str) {
    match read_all(document) {
        Err(TraceError::Xml { message, .. }) => assert!(message.contains(needle), "{message}"),
        other => panic!("expected an XML error with `{needle}`, got {other:?}"),
    }
    let validation = validate_document(document).expect("validation");
    assert!(
        matches!(&validation.error, Some(TraceError::Xml { message, .. }) if message.contains(needle)),
        "{:?}",
        validation.error
    );
}

#[test]
fn only_utf8_is_read_as_libxml2_reads_it() {
    for encoding in ["UTF-16", "IBM037", "ISO-8859-1"] {
        let document = format!(
            "<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n{}",
            xml_event("")
        );
        check_refused(document.as_bytes(), &format!("`{encoding}`"));
    }
    for fine in ["UTF-8", "utf-8"] {
        let document = format!(
            "<?xml version=\"1.0\" encoding=\"{fine}\"?>\n{}",
            xml_event("")
        );
        read_all(document.as_bytes()).expect("UTF-8");
    }
    // Bytes that are not UTF-8, even in a comment, are refused.
    let mut document = b"<!-- \xff -->".to_vec();
    document.extend_from_slice(xml_event("").as_bytes());
    check_refused(&document, "not UTF-8");
}

#[test]
fn characters_outside_xml_1_0_are_refused() {
    for (inner, needle) in [
        ("<x:t>a&#x1b;b</x:t>", "U+001B"),
        ("<x:t>&#27;</x:t>", "U+001B"),
        ("<x:t a=\"&#x1b;\"/>", "U+001B"),
        ("<x:t>a\u{1b}b</x:t>", "U+001B"),
        ("<x:t a=\"\u{7}\"/>", "U+0007"),
        ("<x:t>\u{fffe}</x:t>", "U+FFFE"),
    ] {
        check_refused(xml_event(inner).as_bytes(), needle);
    }
    // Tab, newline and carriage return are characters of XML 1.0.
    read_all(xml_event("<x:t>a&#x9;&#xa;&#xd;\t\r\nb</x:t>").as_bytes()).expect("whitespace");
}

#[test]
fn a_long_comment_before_the_root_is_read_by_every_reader() {
    // 100 KiB of comment: `validate` looked for the root in the first 64 KiB only.
    let document = format!("<!--{}-->\n{}", "c".repeat(100 << 10), xml_event(""));
    let (_, events) = read_all(document.as_bytes()).expect("read");
    assert_eq!(events.len(), 1);
    let validation = validate_document(document.as_bytes()).expect("validation");
    assert!(validation.error.is_none(), "{:?}", validation.error);
}

#[test]
fn xml_errors_give_line_and_column() {
    let document = format!(
        "{}\n<ObjectEvent>\n  <eventTime>2024-01-01T00:00:00Z</eventTime>\n    <x:t>&#x1b;</x:t>\n</ObjectEvent>{}",
        XML_HEAD, XML_TAIL
    );
    match read_all(document.as_bytes()) {
        Err(TraceError::Xml { at, .. }) => {
            assert_eq!((at.line, at.column), (4, 10), "{at}");
            assert_eq!(
                &document.as_bytes()[usize::try_from(at.byte).expect("byte")..][..1],
                b"&"
            );
        }
        other => panic!("{other:?}"),
    }
    // A syntax error found by quick-xml: a mismatched end tag on line 3.
    let document = format!("{XML_HEAD}\n<ObjectEvent>\n</Object>\n{XML_TAIL}");
    match read_all(document.as_bytes()) {
        Err(error @ TraceError::Xml { .. }) => {
            let TraceError::Xml { at, .. } = &error else {
                unreachable!()
            };
            assert_eq!(at.line, 3, "{error}");
            assert!(error.to_string().contains("line 3, column "), "{error}");
        }
        other => panic!("{other:?}"),
    }
    // A bad name on line 2, column 3.
    let document = format!("{XML_HEAD}{EVENT_START}\n  <1x/></ObjectEvent>{XML_TAIL}");
    match read_all(document.as_bytes()) {
        Err(TraceError::Xml { at, message }) => {
            assert_eq!((at.line, at.column), (2, 3), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_validation_keeps_the_first_problems_and_counts_the_rest() {
    // 300 events with a bad action each (at least one problem per event).
    let event = r#"{"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "SMASH"}"#;
    let events: Vec<&str> = (0..300).map(|_| event).collect();
    let json = format!(
        r#"{{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z", "epcisBody": {{"eventList": [{}]}}}}"#,
        events.join(",")
    );
    let xml_events = "<ObjectEvent><eventTime>2024-01-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><action>SMASH</action></ObjectEvent>".repeat(300);
    let xml = format!("{XML_HEAD}{xml_events}{XML_TAIL}");
    for document in [json, xml] {
        let everything = ReadLimits {
            max_problems: usize::MAX,
            ..ReadLimits::default()
        };
        let all = validate_document_with(document.as_bytes(), &everything)
            .expect("validation")
            .problems
            .len();
        assert!(all >= 300, "{all}");
        let validation = validate_document(document.as_bytes()).expect("validation");
        assert!(validation.error.is_none(), "{:?}", validation.error);
        assert_eq!(validation.problems.len(), 100);
        assert_eq!(validation.problems.len() + validation.omitted, all);
        // The first problems are the first events'.
        assert_eq!(validation.problems[0].location.index, Some(0));
        let limits = ReadLimits {
            max_problems: 7,
            ..ReadLimits::default()
        };
        let validation = validate_document_with(document.as_bytes(), &limits).expect("validation");
        assert_eq!(
            (validation.problems.len(), validation.omitted),
            (7, all - 7)
        );
    }
}

#[test]
fn echoed_values_are_escaped_and_cut() {
    let long = format!("\u{1b}]0;PWNED\u{7}{}", "A".repeat(1 << 16));
    let document = json_event(&format!(
        ",\"bizStep\": \"{}\"",
        long.replace('\u{1b}', "\\u001b")
            .replace('\u{7}', "\\u0007")
    ));
    let validation = validate_document(document.as_bytes()).expect("validation");
    assert!(!validation.problems.is_empty());
    for problem in &validation.problems {
        let text = problem.to_string();
        assert!(text.len() < 1000, "{} bytes", text.len());
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
    }
}

#[test]
fn json_errors_do_not_repeat_the_input() {
    // serde_json quotes a value of the wrong type: `invalid type: string "…"`.
    let document = format!("{{\"epcisBody\": \"\\u001b[2J{}\"}}", "A".repeat(1 << 16));
    match read_all(document.as_bytes()) {
        Err(error @ TraceError::Json { .. }) => {
            let text = error.to_string();
            assert!(text.contains("invalid type"), "{text}");
            assert!(text.len() < 400 && !text.contains('\u{1b}'), "{text}");
        }
        other => panic!("{other:?}"),
    }
}

/// A random tree of elements as XML and as JSON: depth, width and value sizes vary.
#[derive(Debug, Clone)]
enum Node {
    Text(usize),
    Branch(Vec<Node>),
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = (0usize..3000).prop_map(Node::Text);
    leaf.prop_recursive(12, 400, 8, |inner| {
        prop::collection::vec(inner, 0..8).prop_map(Node::Branch)
    })
}

fn to_xml(node: &Node, out: &mut String) {
    match node {
        Node::Text(n) => {
            out.push_str("<x:t>");
            out.push_str(&"v".repeat(*n));
            out.push_str("</x:t>");
        }
        Node::Branch(children) => {
            out.push_str("<x:b>");
            for child in children {
                to_xml(child, out);
            }
            out.push_str("</x:b>");
        }
    }
}

fn to_json(node: &Node, out: &mut String) {
    match node {
        Node::Text(n) => {
            out.push('"');
            out.push_str(&"v".repeat(*n));
            out.push('"');
        }
        Node::Branch(children) => {
            out.push('[');
            for (i, child) in children.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str("{\"x:b\":");
                to_json(child, out);
                out.push('}');
            }
            out.push(']');
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the shape, within small limits: a result or an error, never a panic, and
    /// an error of bounded size.
    #[test]
    fn hostile_structure_gives_a_result_or_a_short_error(
        tree in node(),
        depth in 1usize..20,
        value in 100usize..4000,
        elements in 10usize..500,
        nesting in 0usize..40,
    ) {
        let limits = ReadLimits {
            max_depth: depth,
            max_value_bytes: value,
            max_event_elements: elements,
            ..ReadLimits::default()
        };
        let mut xml = "<x:w>".repeat(nesting);
        to_xml(&tree, &mut xml);
        xml.push_str(&"</x:w>".repeat(nesting));
        let mut json = String::from(",\"x:e\":");
        json.push_str(&"[".repeat(nesting));
        to_json(&tree, &mut json);
        json.push_str(&"]".repeat(nesting));
        for document in [xml_event(&xml), json_event(&json)] {
            match read_all_with(document.as_bytes(), &limits) {
                Ok((header, events)) => {
                    for event in &events {
                        event_hash(event, &header, HashConfig::default());
                    }
                }
                Err(error) => {
                    let message = error.to_string();
                    prop_assert!(message.len() < 400, "{}", message);
                }
            }
            let validation = validate_document_with(document.as_bytes(), &limits);
            prop_assert!(validation.is_ok());
        }
    }
}
