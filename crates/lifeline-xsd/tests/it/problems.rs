//! The shape of problems: one broken element gives its line, column and path; every problem
//! is collected; syntax errors, unknown sets and failing readers are told apart.

use std::io::Read;

use lifeline_xsd::{ProblemKind, Schema, SchemaSet, XsdError};

use crate::{check, data};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(data().join(name)).unwrap_or_default()
}

#[test]
fn a_bad_hash_algorithm_is_located_by_line_and_path() {
    let bom = fixture("cyclonedx/1.6/valid-bom-1.6.xml").replacen(
        r#"<hash alg="SHA-256">f498a8ff"#,
        r#"<hash alg="FOO">f498a8ff"#,
        1,
    );
    insta::assert_snapshot!(check(SchemaSet::CycloneDx { minor: 6 }, bom.as_bytes()));
}

#[test]
fn a_bad_epcis_action_is_located_by_line_and_path() {
    let document = fixture(
        "epcis/WithFullCombinationOfFields/object_event_all_possible_fields.xml",
    )
    .replacen("<action>", "<action>NOT-", 1);
    insta::assert_snapshot!(check(SchemaSet::Epcis2_0, document.as_bytes()));
}

#[test]
fn every_problem_is_collected_and_a_missing_child_names_its_parent() {
    let bom = fixture("cyclonedx/1.6/valid-bom-1.6.xml")
        .replace(r#"alg="MD5""#, r#"alg="MD4""#)
        .replacen(
            "<components>",
            "<components><component type=\"library\"></component>",
            1,
        );
    insta::assert_snapshot!(check(SchemaSet::CycloneDx { minor: 6 }, bom.as_bytes()));
}

#[test]
fn syntax_errors_are_problems_not_panics() {
    let validation = Schema::cyclonedx(6).and_then(|schema| {
        schema.validate(&b"<bom xmlns='http://cyclonedx.org/schema/bom/1.6'><components>"[..])
    });
    let problems = validation.map(|v| v.problems).unwrap_or_default();
    assert!(!problems.is_empty());
    assert!(
        problems.iter().all(|p| p.kind == ProblemKind::Syntax),
        "{problems:?}"
    );
    insta::assert_snapshot!(check(SchemaSet::CycloneDx { minor: 6 }, b"not xml"), @"line 1, column 1: Start tag expected, '<' not found");
}

#[test]
fn external_entities_and_dtds_are_never_loaded() {
    let document = b"<?xml version='1.0'?>\n<!DOCTYPE bom SYSTEM '/etc/passwd' [<!ENTITY x SYSTEM 'file:///etc/hostname'>]>\n<bom xmlns='http://cyclonedx.org/schema/bom/1.6'>&x;</bom>";
    insta::assert_snapshot!(check(SchemaSet::CycloneDx { minor: 6 }, document));
}

#[test]
fn unknown_versions_and_namespaces_are_typed_errors() {
    assert!(matches!(
        Schema::cyclonedx(8),
        Err(XsdError::UnsupportedCycloneDx { minor: 8 })
    ));
    assert!(matches!(
        SchemaSet::for_namespace("urn:epcglobal:epcis:xsd:3"),
        Err(XsdError::UnknownNamespace { .. })
    ));
    assert_eq!(
        SchemaSet::for_namespace("urn:epcglobal:epcis:xsd:1").ok(),
        Some(SchemaSet::Epcis1_2)
    );
    assert_eq!(
        SchemaSet::for_namespace("http://cyclonedx.org/schema/bom/1.4").ok(),
        Some(SchemaSet::CycloneDx { minor: 4 })
    );
    assert_eq!(
        SchemaSet::for_namespace("urn:epcglobal:epcis-masterdata:xsd:2").ok(),
        Some(SchemaSet::Epcis2_0)
    );
    assert_eq!(
        SchemaSet::for_namespace(lifeline_xsd::CAP_1_2_NAMESPACE).ok(),
        Some(SchemaSet::Cap1_2)
    );
    assert_eq!(
        SchemaSet::for_namespace(lifeline_xsd::EDXL_DE_1_0_NAMESPACE).ok(),
        Some(SchemaSet::EdxlDe1_0)
    );
    assert!(matches!(
        SchemaSet::for_namespace("urn:oasis:names:tc:emergency:cap:1.1"),
        Err(XsdError::UnknownNamespace { .. })
    ));
}

#[test]
fn edxl_de_checks_the_cap_alerts_it_carries() {
    let document = |urgency: &str| {
        format!(
            r#"<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:1.0"><distributionID>D</distributionID><senderID>s</senderID><dateTimeSent>2026-12-06T10:00:00-00:00</dateTimeSent><distributionStatus>Actual</distributionStatus><distributionType>Report</distributionType><combinedConfidentiality>TLP:GREEN</combinedConfidentiality><contentObject><xmlContent><embeddedXMLContent><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>A</identifier><sender>s</sender><sent>2026-12-06T10:00:00-00:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope><info><category>Health</category><event>E</event><urgency>{urgency}</urgency><severity>Minor</severity><certainty>Observed</certainty></info></alert></embeddedXMLContent></xmlContent></contentObject></EDXLDistribution>"#
        )
    };
    let schema = Schema::edxl_de_1_0().expect("compiles");
    let valid = schema
        .validate(document("Immediate").as_bytes())
        .expect("validates");
    assert!(valid.is_valid(), "{:?}", valid.problems);
    let invalid = schema
        .validate(document("Soon").as_bytes())
        .expect("validates");
    assert_eq!(invalid.problems.len(), 1, "{:?}", invalid.problems);
    assert_eq!(
        invalid.problems[0].path.to_string(),
        "/EDXLDistribution/contentObject[1]/xmlContent[1]/embeddedXMLContent[1]/alert[1]/info[1]/urgency[1]"
    );
}

struct Failing;

impl Read for Failing {
    fn read(&mut self, _buffer: &mut [u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("disk on fire"))
    }
}

#[test]
fn a_failing_reader_is_an_error() {
    let outcome = Schema::epcis_2_0().and_then(|schema| schema.validate(Failing));
    assert!(matches!(outcome, Err(XsdError::Read(_))), "{outcome:?}");
}

#[test]
fn every_embedded_set_compiles() {
    for set in [2u8, 3, 4, 5, 6, 7]
        .map(|minor| SchemaSet::CycloneDx { minor })
        .into_iter()
        .chain([
            SchemaSet::Epcis2_0,
            SchemaSet::Epcis1_2,
            SchemaSet::Cap1_2,
            SchemaSet::EdxlDe1_0,
        ])
    {
        assert!(Schema::compile(set).is_ok(), "{set}");
    }
}

#[test]
fn the_schema_set_is_detected_from_the_root_namespace() {
    let detected = |name: &str| {
        let bytes = std::fs::read(data().join(name)).unwrap_or_default();
        lifeline_xsd::validate_detected(&bytes[..]).map(|(set, v)| (set, v.is_valid()))
    };
    assert_eq!(
        detected("cyclonedx/1.2/valid-dependency-1.2.xml").ok(),
        Some((SchemaSet::CycloneDx { minor: 2 }, true))
    );
    assert_eq!(
        detected("epcis/Example-PersistentDisposition.xml").ok(),
        Some((SchemaSet::Epcis2_0, true))
    );
    assert_eq!(
        detected("epcis-1.2/GS1_US_Pharma_Example_2_2_1_1.xml").ok(),
        Some((SchemaSet::Epcis1_2, true))
    );
    assert_eq!(
        detected("epcis/WithFullCombinationOfFields/masterdata_all_possible_fields.xml").ok(),
        Some((SchemaSet::Epcis2_0, true))
    );
    assert!(matches!(
        lifeline_xsd::validate_detected(&b"<bom/>"[..]),
        Err(XsdError::UnknownNamespace { namespace }) if namespace.is_empty()
    ));
    assert!(matches!(
        lifeline_xsd::validate_detected(&b"not xml at all"[..]),
        Err(XsdError::NoRootElement)
    ));
}

#[test]
fn detection_reads_past_the_head_of_a_long_document() {
    // A root start tag early and more than 64 KiB after it: the head and the rest are
    // validated as one document.
    let mut bom =
        String::from("<bom xmlns='http://cyclonedx.org/schema/bom/1.6' version='1'><components>");
    for index in 0..2000 {
        bom.push_str(&format!(
            "<component type='library'><name>c{index}</name></component>"
        ));
    }
    bom.push_str("<component type='gizmo'><name>last</name></component></components></bom>");
    assert!(bom.len() > 64 * 1024);
    let (set, validation) =
        lifeline_xsd::validate_detected(bom.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(set, SchemaSet::CycloneDx { minor: 6 });
    assert_eq!(validation.problems.len(), 1, "{:?}", validation.problems);
    assert_eq!(
        validation.problems[0].path.to_string(),
        "/bom/components[1]/component[2001]/@type"
    );
}
