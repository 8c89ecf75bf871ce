//! CycloneDX: every spec test XML in `tests/data/cyclonedx/1.N/` is accepted or rejected as
//! its name says (`valid-*` / `invalid-*`) by the XSD of its version.

use lifeline_xsd::SchemaSet;

use crate::{check, data, xml_files};

/// How many spec tests `tests/data/cyclonedx/` holds per minor version (see SOURCES.md), so
/// that a lost file fails the test instead of shrinking it.
const SPEC_TESTS: [(u8, usize); 4] = [(2, 13), (4, 3), (6, 19), (7, 3)];

#[test]
fn every_spec_test_is_accepted_or_rejected_as_its_name_says() {
    let mut wrong = Vec::new();
    for (minor, expected_count) in SPEC_TESTS {
        let files = xml_files(&data().join(format!("cyclonedx/1.{minor}")));
        assert_eq!(files.len(), expected_count, "spec tests of 1.{minor}");
        for (name, bytes) in files {
            let file = name.rsplit('/').next().unwrap_or_default();
            let expect_valid = file.starts_with("valid-");
            assert!(expect_valid || file.starts_with("invalid-"), "{name}");
            let outcome = check(SchemaSet::CycloneDx { minor }, &bytes);
            assert!(!outcome.starts_with("error:"), "{name}: {outcome}");
            if (outcome == "valid") != expect_valid {
                wrong.push(format!("{name}: {outcome}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "verdicts that disagree with the names:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn a_document_of_another_version_has_no_root_declaration() {
    let bytes = std::fs::read(data().join("cyclonedx/1.6/valid-bom-1.6.xml")).unwrap_or_default();
    insta::assert_snapshot!(check(SchemaSet::CycloneDx { minor: 5 }, &bytes), @"line 2, column 122: /bom: Element '{http://cyclonedx.org/schema/bom/1.6}bom': No matching global declaration available for the validation root.");
}
