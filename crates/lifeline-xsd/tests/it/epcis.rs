//! EPCIS: every XML example of the GS1 EPCIS repository in `tests/data/epcis/` is valid
//! against the official 2.0 XSDs (core, master data, EPCglobal, SBDH), and the EPCIS 1.2
//! documents in `tests/data/epcis-1.2/` (a GS1 US DSCSA example, event-hash vectors) against
//! the 1.2 XSD.

use lifeline_xsd::SchemaSet;

use crate::{check, data, render, xml_files};

#[test]
fn every_gs1_example_is_valid() {
    let files = xml_files(&data().join("epcis"));
    assert_eq!(files.len(), 16, "the GS1 EPCIS 2.0 XML examples");
    let outcomes: Vec<String> = files
        .iter()
        .map(|(name, bytes)| format!("{name}: {}", check(SchemaSet::Epcis2_0, bytes)))
        .filter(|line| !line.ends_with(": valid"))
        .collect();
    assert!(outcomes.is_empty(), "{}", outcomes.join("\n"));
}

#[test]
fn the_dscsa_example_is_valid_epcis_1_2() {
    let bytes = std::fs::read(data().join("epcis-1.2/GS1_US_Pharma_Example_2_2_1_1.xml"))
        .unwrap_or_default();
    assert_eq!(check(SchemaSet::Epcis1_2, &bytes), "valid");
}

/// The event-hash vectors declare the 1.2 namespace but place elements as EPCIS 2.0 does
/// (`sourceList` outside `extension`, `sensorElementList`, no `epcList`); the official 1.2
/// XSD rejects them, and so does the independent `xmlschema` (tools/xsd_oracle.py).
#[test]
fn the_event_hash_vectors_are_not_valid_epcis_1_2() {
    let files = xml_files(&data().join("epcis-1.2"));
    assert_eq!(files.len(), 4, "the EPCIS 1.2 XML documents");
    let outcomes: Vec<String> = files
        .iter()
        .filter(|(name, _)| !name.contains("GS1_US_Pharma"))
        .map(|(name, bytes)| {
            let outcome = check(SchemaSet::Epcis1_2, bytes);
            let first = outcome.lines().next().unwrap_or_default().to_owned();
            format!(
                "{name}: {} problem(s), first: {first}",
                outcome.lines().count()
            )
        })
        .collect();
    insta::assert_snapshot!(outcomes.join("\n"));
}

#[test]
fn an_epcis_2_0_document_is_not_an_epcis_1_2_document() {
    let files = xml_files(&data().join("epcis"));
    let (_, bytes) = &files[0];
    let outcome = check(SchemaSet::Epcis1_2, bytes);
    assert!(
        outcome.contains("No matching global declaration available for the validation root"),
        "{outcome}"
    );
}

/// The first GS1 example with `prolog` before its root element (after its XML declaration,
/// if it has one).
fn with_prolog(prolog: &str) -> Vec<u8> {
    let files = xml_files(&data().join("epcis"));
    let text = String::from_utf8_lossy(&files[0].1).into_owned();
    let body = match text.strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map_or(text.as_str(), |(_, body)| body),
        None => text.as_str(),
    };
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{prolog}{body}").into_bytes()
}

#[test]
fn a_root_after_a_long_comment_is_found() {
    // Over the first read of 64 KiB: `trace validate` said "not XML?" where `hash` read on.
    let document = with_prolog(&format!("<!--{}-->\n", "c".repeat(100 << 10)));
    let (set, validation) = lifeline_xsd::validate_detected(document.as_slice()).expect("root");
    assert_eq!(set, SchemaSet::Epcis2_0);
    assert!(validation.is_valid(), "{validation:?}");
    // A prolog longer than the most it reads is refused, not held.
    let document = with_prolog(&format!("<!--{}-->\n", "c".repeat(lifeline_xsd::MAX_HEAD)));
    assert!(matches!(
        lifeline_xsd::validate_detected(document.as_slice()),
        Err(lifeline_xsd::XsdError::NoRootElement)
    ));
}

/// A declared encoding that the bytes are not in: libxml2 refuses the document, as the
/// EPCIS reader of lifeline-trace does (one verdict whichever command reads it).
#[test]
fn a_false_encoding_declaration_is_refused() {
    let files = xml_files(&data().join("epcis"));
    let text = String::from_utf8_lossy(&files[0].1).into_owned();
    let body = match text.strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map_or(text.as_str(), |(_, body)| body),
        None => text.as_str(),
    };
    for encoding in ["UTF-16", "IBM037"] {
        let document = format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?>{body}");
        let outcome = match lifeline_xsd::validate_detected(document.as_bytes()) {
            Ok((_, validation)) => render(&validation),
            Err(error) => format!("error: {error}"),
        };
        assert_ne!(outcome, "valid", "{encoding}");
    }
}
