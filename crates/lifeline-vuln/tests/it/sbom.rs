//! SBOM readers: every CycloneDX spec test accepted or rejected as its name says, the
//! bom-examples read, XML and SPDX read into the same model, errors named by path.

use lifeline_vuln::{SbomError, read_sbom};

use crate::{bytes, data};

/// Reads `relative` and returns the error messages (empty when valid).
fn check(relative: &str) -> Result<lifeline_vuln::Loaded, Vec<String>> {
    match read_sbom(&bytes(relative)) {
        Ok(loaded) => Ok(loaded),
        Err(SbomError::Invalid { diagnostics, .. }) => {
            Err(diagnostics.0.iter().map(ToString::to_string).collect())
        }
        Err(other) => Err(vec![other.to_string()]),
    }
}

#[test]
fn every_spec_test_is_accepted_or_rejected_as_named() {
    let mut seen = 0;
    for version in ["1.5", "1.6"] {
        let folder = data(&format!("cyclonedx-spec-tests/{version}"));
        let mut entries: Vec<_> = std::fs::read_dir(&folder)
            .expect("spec-tests folder")
            .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
            .collect();
        entries.sort();
        for name in entries {
            let relative = format!("cyclonedx-spec-tests/{version}/{name}");
            let result = check(&relative);
            if name.starts_with("valid-") {
                assert!(
                    result.is_ok(),
                    "{relative} must validate: {:?}",
                    result.err()
                );
            } else if name.starts_with("invalid-") {
                assert!(result.is_err(), "{relative} must be rejected");
            } else {
                continue;
            }
            seen += 1;
        }
    }
    assert_eq!(seen, 17, "every spec test was checked");
}

#[test]
fn invalid_spec_tests_name_the_bad_element() {
    let errors = check("cyclonedx-spec-tests/1.6/invalid-hash-md5-1.6.json").expect_err("invalid");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("components[0].hashes[0].content")),
        "{errors:?}"
    );
    let errors =
        check("cyclonedx-spec-tests/1.6/invalid-component-ref-1.6.json").expect_err("invalid");
    assert!(
        errors.iter().any(|e| e.contains("components[1].bom-ref")),
        "{errors:?}"
    );
    let errors = check("cyclonedx-spec-tests/1.6/invalid-bomformat-1.6.json").expect_err("invalid");
    assert!(errors.iter().any(|e| e.contains("bomFormat")), "{errors:?}");
    let errors =
        check("cyclonedx-spec-tests/1.6/invalid-dependency-1.6.json").expect_err("invalid");
    assert!(
        errors.iter().any(|e| e.contains("dependencies[")),
        "{errors:?}"
    );
}

#[test]
fn a_bad_hash_algorithm_is_named_as_such() {
    let text = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
        "components":[{"type":"library","name":"a"},{"type":"library","name":"b"},
        {"type":"library","name":"c"},{"type":"library","name":"d",
        "hashes":[{"alg":"FOO","content":"e6b1000b94e835ffd37f4c6dcbdad43f4b48a02a"}]}]}"#;
    let Err(SbomError::Invalid { diagnostics, .. }) = read_sbom(text.as_bytes()) else {
        panic!("must be invalid");
    };
    let messages: Vec<String> = diagnostics.0.iter().map(ToString::to_string).collect();
    assert!(
        messages.contains(
            &"error: components[3].hashes[0].alg: \"FOO\" is not a hash algorithm".to_owned()
        ),
        "{messages:?}"
    );
}

#[test]
fn bom_examples_read_with_their_components() {
    for (relative, components) in [
        ("bom-examples/SBOM/laravel-7.12.0/bom.1.4.json", 62),
        ("bom-examples/VEX/bom.json", 3),
        ("bom-examples/HBOM/PCIe-SATA-adapter-board/bom.json", 0),
        (
            "bom-examples/SaaSBOM/apigateway-microservices-datastores/bom.json",
            0,
        ),
        ("bom-examples/CBOM/Example-With-Dependencies/bom.json", 0),
    ] {
        let loaded = check(relative).unwrap_or_else(|e| panic!("{relative}: {e:?}"));
        if components > 0 {
            assert_eq!(loaded.sbom.components.len(), components, "{relative}");
        }
    }
}

#[test]
fn xml_and_json_spec_boms_give_the_same_model() {
    let xml = check("cyclonedx-spec-tests/1.6/valid-bom-1.6.xml").expect("valid XML");
    let json = check("cyclonedx-spec-tests/1.6/valid-bom-1.6.json").expect("valid JSON");
    assert_eq!(xml.sbom.kind(), "CycloneDX 1.6 XML");
    let key = |l: &lifeline_vuln::Loaded| -> Vec<(String, Option<String>, Option<String>, String)> {
        l.sbom
            .components
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    c.version.clone(),
                    c.purl.clone(),
                    c.path.clone(),
                )
            })
            .collect()
    };
    assert_eq!(key(&xml), key(&json));
    assert_eq!(
        xml.sbom.metadata.component.as_ref().map(|c| &c.name),
        json.sbom.metadata.component.as_ref().map(|c| &c.name)
    );
    assert_eq!(xml.sbom.serial_number, json.sbom.serial_number);
}

#[test]
fn xml_errors_name_the_path() {
    let text = r#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">
  <components>
    <component type="library"><name>a</name></component>
    <component type="gizmo"><name>b</name>
      <hashes><hash alg="FOO">e6b1000b94e835ffd37f4c6dcbdad43f4b48a02a</hash></hashes>
    </component>
    <component type="platform"><version>1</version></component>
  </components>
</bom>"#;
    let Err(SbomError::Invalid { diagnostics, .. }) = read_sbom(text.as_bytes()) else {
        panic!("must be invalid");
    };
    let messages: Vec<String> = diagnostics.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "error: components[1].type: [facet 'enumeration'] The value 'gizmo' is not an element of the set {'application', 'framework', 'library', 'container', 'operating-system', 'device', 'firmware', 'file'}. (line 5, column 28)",
            "error: components[1].hashes[0].alg: [facet 'enumeration'] The value 'FOO' is not an element of the set {'MD5', 'SHA-1', 'SHA-256', 'SHA-384', 'SHA-512', 'SHA3-256', 'SHA3-384', 'SHA3-512', 'BLAKE2b-256', 'BLAKE2b-384', 'BLAKE2b-512', 'BLAKE3'}. (line 6, column 30)",
            "error: components[2].type: [facet 'enumeration'] The value 'platform' is not an element of the set {'application', 'framework', 'library', 'container', 'operating-system', 'device', 'firmware', 'file'}. (line 8, column 31)",
            "error: components[2].version: This element is not expected. Expected is one of ( supplier, author, publisher, group, name ). (line 8, column 40)",
        ]
    );
}

#[test]
fn xml_of_an_unknown_namespace_is_not_cyclonedx() {
    let text = r#"<bom xmlns="http://example.com/other"/>"#;
    assert!(matches!(
        read_sbom(text.as_bytes()),
        Err(SbomError::UnknownKind(_))
    ));
    let text = r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.9"/>"#;
    assert!(matches!(
        read_sbom(text.as_bytes()),
        Err(SbomError::Invalid { .. })
    ));
}

#[test]
fn malformed_input_is_a_syntax_error() {
    assert!(matches!(
        read_sbom(b"{\"bomFormat\":"),
        Err(SbomError::Syntax { .. })
    ));
    assert!(matches!(read_sbom(b"<bom"), Err(SbomError::Syntax { .. })));
    assert!(matches!(
        read_sbom(b"[1,2]"),
        Err(SbomError::UnknownKind(_))
    ));
}

#[test]
fn spdx_packages_become_components() {
    let loaded = check("spdx/infusion-pump.spdx.json").expect("valid SPDX");
    let sbom = &loaded.sbom;
    assert_eq!(sbom.kind(), "SPDX 2.3 JSON");
    let purls: Vec<_> = sbom
        .components
        .iter()
        .filter_map(|c| c.purl.as_deref())
        .collect();
    assert!(
        purls.contains(&"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
        "{purls:?}"
    );
    let product = sbom.metadata.component.as_ref().expect("documentDescribes");
    assert_eq!(product.name, "PumpController");
    assert_eq!(
        sbom.metadata.supplier.as_deref(),
        Some("Acme Infusion Systems")
    );
    assert!(!sbom.dependencies.is_empty());
}

#[test]
fn spdx_errors_name_the_path() {
    let text = r#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"x",
      "dataLicense":"CC0-1.0","documentNamespace":"https://example.com/x",
      "creationInfo":{"created":"2024-01-01T00:00:00Z","creators":["Tool: x"]},
      "packages":[{"SPDXID":"SPDXRef-a","name":"a"},{"SPDXID":"b","name":"b",
        "checksums":[{"algorithm":"FOO","checksumValue":"abc"}]}]}"#;
    let Err(SbomError::Invalid { diagnostics, .. }) = read_sbom(text.as_bytes()) else {
        panic!("must be invalid");
    };
    let messages: Vec<String> = diagnostics.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "error: packages[1].SPDXID: \"b\" does not start with \"SPDXRef-\"",
            "error: packages[1].checksums[0].algorithm: \"FOO\" is not a checksum algorithm",
        ]
    );
}

#[test]
fn every_cyclonedx_version_has_a_working_schema() {
    for version in ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"] {
        let good = format!(
            r#"{{"bomFormat":"CycloneDX","specVersion":"{version}","version":1,
            "components":[{{"type":"library","name":"a","version":"1","purl":"pkg:npm/a@1"}}]}}"#
        );
        let loaded = read_sbom(good.as_bytes()).unwrap_or_else(|e| panic!("{version}: {e}"));
        assert_eq!(loaded.sbom.components.len(), 1);
        let bad = good.replace("\"library\"", "\"gizmo\"");
        assert!(
            read_sbom(bad.as_bytes()).is_err(),
            "{version} must reject type gizmo"
        );
    }
}

#[test]
fn every_xml_spec_test_of_lifeline_xsd_is_accepted_or_rejected_whole() {
    // The CycloneDX XML spec tests live with the XSD validator (`lifeline-xsd`, see its
    // tests/data/SOURCES.md); read through `read_sbom`, each is read or rejected whole.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../lifeline-xsd/tests/data/cyclonedx");
    let mut seen = 0;
    for version in ["1.2", "1.4", "1.6", "1.7"] {
        let folder = root.join(version);
        let mut names: Vec<_> = std::fs::read_dir(&folder)
            .expect("spec-tests folder")
            .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
            .collect();
        names.sort();
        for name in names {
            let text = std::fs::read(folder.join(&name)).expect("readable");
            let result = read_sbom(&text);
            if name.starts_with("valid-") {
                assert!(
                    result.is_ok(),
                    "{version}/{name} must be read: {:?}",
                    result.err()
                );
            } else {
                assert!(
                    matches!(result, Err(SbomError::Invalid { .. })),
                    "{version}/{name} must be rejected as invalid: {:?}",
                    result.map(|l| l.sbom.components.len())
                );
            }
            seen += 1;
        }
    }
    assert_eq!(seen, 38);
}
