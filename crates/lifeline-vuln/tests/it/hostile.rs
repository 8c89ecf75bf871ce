//! Hostile advisories and SBOMs (issue 21): a version of 150,000 structured items, in a
//! component's purl or in one advisory's `fixed` and `versions`, must not stop the scan
//! of anything else. Before the fix a Maven one overflowed the stack and aborted
//! `sbom scan`; these tests run in cargo's 2 MiB test threads, so a recursion on a
//! version's structure would abort them too.

use lifeline_vuln::devices::read_inventory;
use lifeline_vuln::limits::MAX_PROBLEMS;
use lifeline_vuln::osv::{AdvisoryIndex, MAX_WARNINGS, ZipLimits};
use lifeline_vuln::scan::{Sources, scan};
use lifeline_vuln::{DeviceError, ReadLimits, SbomError, read_sbom, read_sbom_with};
use serde_json::json;

/// One ecosystem's case: OSV ecosystem, purl of the package without its version, OSV
/// name, a version affected by the good advisory, the good advisory's fix, and a
/// version of `items` items built the way that ecosystem's order nests or repeats.
struct Case {
    ecosystem: &'static str,
    purl: &'static str,
    name: &'static str,
    affected: &'static str,
    fixed: &'static str,
    hostile: fn(usize) -> String,
}

const CASES: &[Case] = &[
    Case {
        ecosystem: "Maven",
        purl: "pkg:maven/org.example/lib",
        name: "org.example:lib",
        affected: "1.0",
        fixed: "2.0",
        hostile: |n| format!("{}1", "1-".repeat(n)),
    },
    Case {
        ecosystem: "npm",
        purl: "pkg:npm/left-pad",
        name: "left-pad",
        affected: "1.0.0",
        fixed: "2.0.0",
        hostile: |n| format!("1.0.0-{}a", "a.".repeat(n)),
    },
    Case {
        ecosystem: "PyPI",
        purl: "pkg:pypi/requests",
        name: "requests",
        affected: "1.0",
        fixed: "2.0",
        hostile: |n| format!("1{}", ".1".repeat(n)),
    },
    Case {
        ecosystem: "Go",
        purl: "pkg:golang/github.com/example/module",
        name: "github.com/example/module",
        affected: "v1.0.0",
        fixed: "2.0.0",
        hostile: |n| format!("v1.0.0-{}a", "0.".repeat(n)),
    },
    Case {
        ecosystem: "crates.io",
        purl: "pkg:cargo/serde",
        name: "serde",
        affected: "1.0.0",
        fixed: "2.0.0",
        hostile: |n| format!("1.0.0-{}1", "1.".repeat(n)),
    },
    Case {
        ecosystem: "RubyGems",
        purl: "pkg:gem/rails",
        name: "rails",
        affected: "1.0",
        fixed: "2.0",
        hostile: |n| format!("1{}", ".a".repeat(n)),
    },
    Case {
        ecosystem: "NuGet",
        purl: "pkg:nuget/Newtonsoft.Json",
        name: "Newtonsoft.Json",
        affected: "1.0.0",
        fixed: "2.0.0",
        hostile: |n| format!("1.0.0-{}a", "a.".repeat(n)),
    },
    Case {
        ecosystem: "Debian:12",
        purl: "pkg:deb/debian/openssl",
        name: "openssl",
        affected: "1.0-1",
        fixed: "2.0-1",
        hostile: |n| format!("1{}-1", "a1".repeat(n)),
    },
    Case {
        ecosystem: "Alpine:v3.20",
        purl: "pkg:apk/alpine/musl",
        name: "musl",
        affected: "1.0-r0",
        fixed: "2.0-r0",
        hostile: |n| format!("1{}", ".1".repeat(n)),
    },
    Case {
        ecosystem: "Hex",
        purl: "pkg:hex/plug",
        name: "plug",
        affected: "1.0.0",
        fixed: "2.0.0",
        hostile: |n| format!("1.0.0-{}a", "a.".repeat(n)),
    },
];

fn record(id: &str, ecosystem: &str, name: &str, fixed: &str, versions: &[&str]) -> Vec<u8> {
    json!({
        "id": id,
        "modified": "2026-01-01T00:00:00Z",
        "affected": [{
            "package": {"ecosystem": ecosystem, "name": name},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
            "versions": versions,
        }],
    })
    .to_string()
    .into_bytes()
}

/// Loads the good advisory for the case's package, one for an unrelated package, and a
/// hostile one for the case's package; scans an SBOM with the package at an affected
/// version, the unrelated package, and the package at the hostile version.
fn check(case: &Case, items: usize) {
    let hostile = (case.hostile)(items);
    let mut index = AdvisoryIndex::new();
    let records = [
        record(
            "HOSTILE-1",
            case.ecosystem,
            case.name,
            &hostile,
            &[&hostile, case.fixed],
        ),
        record("GOOD-1", case.ecosystem, case.name, case.fixed, &[]),
        record("OTHER-1", "PyPI", "flask", "3.0", &[]),
    ];
    for (position, bytes) in records.iter().enumerate() {
        index
            .add_json(&format!("record{position}.json"), bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", case.ecosystem));
    }
    let warnings = &index.warnings.shown;
    for field in [
        "affected[0].ranges[0].events[1].fixed",
        "affected[0].versions[0]",
    ] {
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with(&format!("OSV HOSTILE-1: {field}: "))
                    && w.contains("longer than 1024 bytes")
                    && w.len() < 400),
            "{}: no warning for {field}: {warnings:?}",
            case.ecosystem
        );
    }
    let bom = json!({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "components": [
            {"type": "library", "name": "good", "purl": format!("{}@{}", case.purl, case.affected)},
            {"type": "library", "name": "flask", "purl": "pkg:pypi/flask@2.0"},
            {"type": "library", "name": "hostile", "purl": format!("{}@{hostile}", case.purl)},
        ],
    });
    let sbom = read_sbom(bom.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("{}: {e}", case.ecosystem))
        .sbom;
    let report = scan(
        &sbom,
        "bom.json",
        Sources {
            advisories: &index,
            kev: None,
            vex: &[],
        },
    );
    let found: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.component.name.as_str(), f.id.as_str()))
        .collect();
    assert_eq!(
        found,
        [("good", "GOOD-1"), ("flask", "OTHER-1")],
        "{}",
        case.ecosystem
    );
    let good = &report.findings[0];
    assert_eq!(good.fixed_versions, [case.fixed], "{}", case.ecosystem);
    assert_eq!(report.unmatched.len(), 1, "{}", case.ecosystem);
    let reason = &report.unmatched[0].reason;
    assert!(
        reason.contains("longer than 1024 bytes") && reason.len() < 400,
        "{}: {reason}",
        case.ecosystem
    );
    for note in &report.notes {
        assert!(
            note.len() < 600,
            "{}: note {} bytes",
            case.ecosystem,
            note.len()
        );
    }
}

#[test]
fn a_hostile_version_of_150_000_items_stops_nothing_in_any_ecosystem() {
    for case in CASES {
        check(case, 150_000);
    }
}

#[test]
fn versions_just_over_the_limit_are_refused_alike() {
    // 520 items make a text of just over 1 KiB in every case.
    for case in CASES {
        check(case, 520);
    }
}

#[test]
fn warnings_are_capped_with_a_count_of_the_rest() {
    let hostile = "9".repeat(2000);
    let versions: Vec<&str> = vec![hostile.as_str(); MAX_WARNINGS + 7];
    let mut index = AdvisoryIndex::new();
    index
        .add_json(
            "many.json",
            &record("MANY-1", "PyPI", "requests", "2.0", &versions),
        )
        .expect("valid record");
    assert_eq!(index.warnings.shown.len(), MAX_WARNINGS);
    assert_eq!(index.warnings.omitted, 7);
}

#[test]
fn control_characters_in_ids_reach_no_note_raw() {
    let mut index = AdvisoryIndex::new();
    let id = "GHSA-\u{1b}]0;PWNED\u{7}\u{1b}[2J";
    let bytes = json!({
        "id": id,
        "affected": [{
            "package": {"ecosystem": "PyPI", "name": "requests"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "not a version"}]}],
        }],
    })
    .to_string();
    index.add_json("x.json", bytes.as_bytes()).expect("valid");
    let bom = json!({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "components": [{"type": "library", "name": "r\u{1b}[2J", "purl": "pkg:pypi/requests@1.0"}],
    });
    let sbom = read_sbom(bom.to_string().as_bytes()).expect("valid").sbom;
    let report = scan(
        &sbom,
        "bom.json",
        Sources {
            advisories: &index,
            kev: None,
            vex: &[],
        },
    );
    assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
    for text in report.notes.iter().chain(&index.warnings.shown) {
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert!(text.contains("\\u{1b}"), "{text}");
    }
}

/// A zip of `(name, bytes)` entries with one compression method.
fn zip_of(entries: &[(&str, Vec<u8>)], method: zip::CompressionMethod) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in entries {
        writer.start_file(*name, options).expect("start entry");
        std::io::Write::write_all(&mut writer, bytes).expect("write entry");
    }
    writer.finish().expect("finish zip").into_inner()
}

fn small_record(id: &str) -> Vec<u8> {
    record(id, "PyPI", "requests", "2.0", &[])
}

/// Sets the "encrypted" flag (general purpose bit 0) in the local and central headers
/// and scrambles the data after the local header, as ZipCrypto's output looks to an
/// inflater.
fn encrypt_in_place(archive: &mut [u8]) {
    let local = archive
        .windows(4)
        .position(|w| w == b"PK\x03\x04")
        .expect("local header");
    let central = archive
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("central header");
    archive[local + 6] |= 1;
    archive[central + 8] |= 1;
    let name_length = usize::from(u16::from_le_bytes([
        archive[local + 26],
        archive[local + 27],
    ]));
    let extra_length = usize::from(u16::from_le_bytes([
        archive[local + 28],
        archive[local + 29],
    ]));
    let data = local + 30 + name_length + extra_length;
    let mut state: u32 = 0x1234_5678;
    for byte in &mut archive[data..central] {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        *byte ^= (state >> 16) as u8;
    }
}

#[test]
fn an_encrypted_entry_is_named_as_encrypted() {
    for method in [
        zip::CompressionMethod::Deflated,
        zip::CompressionMethod::Stored,
    ] {
        let mut archive = zip_of(&[("GHSA-1.json", small_record("GHSA-1"))], method);
        encrypt_in_place(&mut archive);
        let error = AdvisoryIndex::new()
            .add_zip("all.zip", &archive)
            .expect_err("encrypted");
        let text = error.to_string();
        assert!(
            text.contains("all.zip:GHSA-1.json") && text.contains("encrypted"),
            "{method}: {text}"
        );
    }
}

#[test]
fn zip_limits_name_the_limit_and_the_entry() {
    let entries: Vec<(&str, Vec<u8>)> = vec![
        ("A-1.json", small_record("A-1")),
        ("A-2.json", small_record("A-2")),
        ("A-3.json", small_record("A-3")),
    ];
    let archive = zip_of(&entries, zip::CompressionMethod::Deflated);
    let record_bytes = entries[0].1.len() as u64;
    let check = |limits: ZipLimits, expected: &[&str]| {
        let error = AdvisoryIndex::new()
            .add_zip_with("all.zip", &archive, &limits)
            .expect_err("over a limit");
        let text = error.to_string();
        for part in expected {
            assert!(text.contains(part), "{limits:?}: {text}");
        }
    };
    check(
        ZipLimits {
            max_entries: 2,
            ..ZipLimits::default()
        },
        &["3 entries", "limit of 2"],
    );
    check(
        ZipLimits {
            max_entry_bytes: record_bytes - 1,
            ..ZipLimits::default()
        },
        &["all.zip:A-1.json", "per entry"],
    );
    check(
        ZipLimits {
            max_total_bytes: 2 * record_bytes + 10,
            ..ZipLimits::default()
        },
        &["all.zip:A-3.json", "per archive"],
    );
    // Within the limits, all three load.
    let mut index = AdvisoryIndex::new();
    index
        .add_zip_with(
            "all.zip",
            &archive,
            &ZipLimits {
                max_entries: 3,
                max_entry_bytes: record_bytes,
                max_total_bytes: 3 * record_bytes,
                ..ZipLimits::default()
            },
        )
        .expect("within the limits");
    assert_eq!(index.advisories.len(), 3);
}

#[test]
fn an_entry_that_inflates_a_thousand_times_is_refused() {
    // A valid record padded with 4 MiB of spaces: deflate shrinks it about 1,000 times.
    let mut padded = small_record("BOMB-1");
    padded.splice(1..1, std::iter::repeat_n(b' ', 4 << 20));
    let archive = zip_of(&[("BOMB-1.json", padded)], zip::CompressionMethod::Deflated);
    assert!(archive.len() < 64 << 10, "{} bytes", archive.len());
    let error = AdvisoryIndex::new()
        .add_zip("all.zip", &archive)
        .expect_err("a bomb");
    let text = error.to_string();
    assert!(
        text.contains("all.zip:BOMB-1.json") && text.contains("limit of 200"),
        "{text}"
    );
}

fn bom_with_components(components: serde_json::Value) -> Vec<u8> {
    json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": components})
        .to_string()
        .into_bytes()
}

#[test]
fn sbom_read_limits_give_clear_errors() {
    let small = ReadLimits {
        max_file_bytes: 200,
        ..ReadLimits::default()
    };
    let bom = bom_with_components(json!([{"type": "library", "name": "x".repeat(300)}]));
    let error = read_sbom_with(&bom, &small).expect_err("too large");
    assert!(
        matches!(error, SbomError::TooLarge { limit: 200, .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("limit of 200 bytes per file"),
        "{error}"
    );

    let narrow = ReadLimits {
        max_value_bytes: 100,
        ..ReadLimits::default()
    };
    let error = read_sbom_with(&bom, &narrow).expect_err("a long value");
    let text = error.to_string();
    assert!(
        text.contains("components[0].name") && text.contains("300 bytes"),
        "{text}"
    );

    // The document object, `components`, one component: three levels.
    let shallow = ReadLimits {
        max_depth: 2,
        ..ReadLimits::default()
    };
    let error = read_sbom_with(&bom, &shallow).expect_err("too deep");
    assert!(
        matches!(error, SbomError::TooDeep { depth: 3, limit: 2 }),
        "{error}"
    );
}

/// CycloneDX components nested as deep as JSON allows (`serde_json` stops at 128) are
/// refused by the parser or read without recursion; 100,000 nested XML components,
/// which `roxmltree` parses, are refused by the depth limit before anything walks them.
#[test]
fn deeply_nested_components_never_overflow() {
    // Written as text: a `serde_json::Value` that deep would overflow in the test's
    // own serialiser and drop.
    for depth in [40, 62, 63, 64, 100, 5_000] {
        let bom = format!(
            r#"{{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [{}{{"type": "library", "name": "leaf"}}{}]}}"#,
            r#"{"type": "library", "name": "c", "components": ["#.repeat(depth),
            "]}".repeat(depth)
        );
        match read_sbom(bom.as_bytes()) {
            Ok(loaded) => assert_eq!(loaded.sbom.components.len(), depth + 1),
            Err(error) => {
                let text = error.to_string();
                assert!(
                    text.contains("recursion limit") || text.contains("limit of 128"),
                    "{depth}: {text}"
                );
            }
        }
    }
    let depth = 100_000;
    let xml = format!(
        r#"<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components>{}{}</components></bom>"#,
        r#"<component type="library"><name>x</name><components>"#.repeat(depth),
        "</components></component>".repeat(depth)
    );
    let error = read_sbom(xml.as_bytes()).expect_err("too deep");
    assert!(
        matches!(error, SbomError::TooDeep { limit: 128, .. }),
        "{error}"
    );
}

#[test]
fn nested_fhir_bundles_never_overflow() {
    let depth = 100_000;
    let xml = format!(
        r#"<Bundle xmlns="http://hl7.org/fhir">{}<Device><id value="d1"/></Device>{}</Bundle>"#,
        "<entry><resource><Bundle>".repeat(depth),
        "</Bundle></resource></entry>".repeat(depth)
    );
    let error = read_inventory(xml.as_bytes()).expect_err("too deep");
    assert!(
        matches!(error, DeviceError::TooDeep { limit: 128, .. }),
        "{error}"
    );
    // Within the limit, nested Bundles are read in document order.
    let xml = format!(
        r#"<Bundle xmlns="http://hl7.org/fhir">{}<entry><resource><Device><id value="d1"/></Device></resource></entry>{}<entry><resource><Device><id value="d2"/></Device></resource></entry></Bundle>"#,
        "<entry><resource><Bundle>".repeat(30),
        "</Bundle></resource></entry>".repeat(30)
    );
    let inventory = read_inventory(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = inventory.devices.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["d1", "d2"]);
}

#[test]
fn problems_per_file_are_capped_with_a_count() {
    let devices: Vec<serde_json::Value> = (0..250)
        .map(|i| json!({"resourceType": "Device", "id": format!("bad id {i}")}))
        .collect();
    let bytes = serde_json::to_vec(&devices).expect("json");
    let Err(DeviceError::Invalid { diagnostics }) = read_inventory(&bytes) else {
        panic!("invalid ids");
    };
    assert_eq!(diagnostics.0.len(), MAX_PROBLEMS + 1);
    let last = diagnostics.0.last().expect("the count").to_string();
    assert!(last.contains("150 more problems not shown"), "{last}");
}

#[test]
fn sbom_validate_warns_of_versions_no_scan_can_use() {
    let version = format!("{}1", "1-".repeat(1_000));
    let bom = bom_with_components(json!([{
        "type": "library", "name": "lib", "version": version,
        "purl": format!("pkg:maven/org.example/lib@{version}")
    }]));
    let loaded = read_sbom(&bom).expect("valid");
    let warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].contains("components[0].purl")
            && warnings[0].contains("longer than 1024 bytes")
    );
    assert!(warnings[1].contains("components[0].version"));
}

#[test]
fn osv_record_errors_echo_values_escaped_and_cut() {
    let kind = format!("\u{1b}[2J{}", "X".repeat(10_000));
    let bytes = json!({
        "id": "GHSA-1",
        "affected": [{
            "package": {"ecosystem": "PyPI", "name": "requests"},
            "ranges": [{"type": kind, "events": [{"introduced": "0"}]}],
        }],
    })
    .to_string();
    let error = AdvisoryIndex::new()
        .add_json("bad\u{7}.json", bytes.as_bytes())
        .expect_err("bad type");
    let text = error.to_string();
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(
        text.contains("affected[0].ranges[0].type") && text.len() < 400,
        "{text}"
    );
    // A serde error on a hostile value (an event of an unknown kind).
    let bytes = json!({
        "id": "GHSA-2",
        "affected": [{"ranges": [{"type": "ECOSYSTEM", "events": [{"\u{1b}]0;x\u{7}": "1"}]}]}],
    })
    .to_string();
    let error = AdvisoryIndex::new()
        .add_json("x.json", bytes.as_bytes())
        .expect_err("unknown event");
    let text = error.to_string();
    assert!(!text.chars().any(char::is_control), "{text:?}");
}

#[test]
fn kev_catalogue_limits_and_escaped_messages() {
    use lifeline_vuln::kev::KevCatalogue;
    let catalogue = |due: &str| {
        json!({
            "title": "CISA Catalog of Known Exploited Vulnerabilities",
            "catalogVersion": "2026.01.01", "dateReleased": "2026-01-01T00:00:00.000Z", "count": 1,
            "vulnerabilities": [{
                "cveID": "CVE-2021-44228", "vendorProject": "Apache", "product": "Log4j2",
                "vulnerabilityName": "x", "dateAdded": "2021-12-10", "shortDescription": "x",
                "requiredAction": "x", "dueDate": due, "knownRansomwareCampaignUse": "Known", "notes": "x"
            }],
        })
        .to_string()
    };
    let hostile = format!("\u{1b}[2J{}", "9".repeat(5_000));
    let error = KevCatalogue::parse(catalogue(&hostile).as_bytes()).expect_err("not a date");
    let text = error.to_string();
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(text.len() < 400, "{} bytes", text.len());
    let narrow = ReadLimits {
        max_value_bytes: 1_000,
        ..ReadLimits::default()
    };
    let error = KevCatalogue::parse_with(catalogue(&hostile).as_bytes(), &narrow)
        .expect_err("a long value");
    assert!(
        error.to_string().contains("vulnerabilities[0].dueDate"),
        "{error}"
    );
}

/// Every JSON reader keeps `serde_json`'s recursion limit (128): 10,000 nested arrays in
/// an OSV record, a VEX document, a KEV catalogue and a FHIR inventory are errors, not
/// stack overflows.
#[test]
fn every_json_reader_refuses_deep_nesting() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let osv = format!(r#"{{"id": "X-1", "database_specific": {deep}}}"#);
    let error = AdvisoryIndex::new()
        .add_json("deep.json", osv.as_bytes())
        .expect_err("too deep");
    assert!(error.to_string().contains("recursion limit"), "{error}");
    let error = lifeline_vuln::vex::read_vex(deep.as_bytes()).expect_err("too deep");
    assert!(error.to_string().contains("recursion limit"), "{error}");
    let error = lifeline_vuln::kev::KevCatalogue::parse(deep.as_bytes()).expect_err("too deep");
    assert!(error.to_string().contains("recursion limit"), "{error}");
    let error = read_inventory(deep.as_bytes()).expect_err("too deep");
    assert!(error.to_string().contains("recursion limit"), "{error}");
    let error = read_sbom(deep.as_bytes()).expect_err("too deep");
    assert!(error.to_string().contains("recursion limit"), "{error}");
}
