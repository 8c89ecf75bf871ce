//! OSV records and the index: every fixture record loads (the deliberately broken one is
//! rejected with its path), withdrawn records are left out, matching by purl and version,
//! aliases merged, GIT ranges noted, components without purl unmatched; CISA KEV.

use lifeline_vuln::kev::KevCatalogue;
use lifeline_vuln::osv::{AdvisoryIndex, parse_record};
use lifeline_vuln::scan::{Sources, Status, scan};
use lifeline_vuln::{AdvisoryError, read_sbom};

use crate::{bytes, data};

/// An index of every valid fixture record and the hand-written ones.
pub fn index() -> AdvisoryIndex {
    let mut index = AdvisoryIndex::new();
    for folder in ["osv/ghsa-converted", "osv/osv-linter-testdata", "osv-extra"] {
        let mut names: Vec<_> = std::fs::read_dir(data(folder))
            .expect("folder")
            .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
            .collect();
        names.sort();
        for name in names {
            if name.starts_with("nointroduced-") {
                continue;
            }
            let relative = format!("{folder}/{name}");
            index
                .add_json(&relative, &bytes(&relative))
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    index
}

pub fn kev() -> KevCatalogue {
    KevCatalogue::parse(&bytes("kev/known_exploited_vulnerabilities.excerpt.json")).expect("KEV")
}

#[test]
fn fixture_records_load_and_withdrawn_ones_are_left_out() {
    let index = index();
    assert_eq!(index.stats.records, 16);
    assert_eq!(index.stats.withdrawn, 1);
    assert!(
        !index
            .advisories
            .iter()
            .any(|a| a.id == "GHSA-wthd-rawn-0000")
    );
    // CVE-2023-41045 names only a GIT repository, no package.
    assert!(index.stats.without_package >= 1);
}

#[test]
fn a_record_without_introduced_is_rejected_with_its_path() {
    let relative = "osv/osv-linter-testdata/nointroduced-CVE-2023-41045.json";
    let Err(AdvisoryError::Osv { path, message, .. }) = parse_record(relative, &bytes(relative))
    else {
        panic!("must be rejected");
    };
    assert_eq!(path, "affected[0].ranges[0].events");
    assert!(message.contains("introduced"), "{message}");
    let Err(AdvisoryError::Osv { path, .. }) = parse_record(
        "x",
        br#"{"id":"X","affected":[{"ranges":[{"type":"SEMVER","events":[{"fixed":1}]}]}]}"#,
    ) else {
        panic!("must be rejected");
    };
    assert!(
        path.starts_with("affected[0].ranges[0].events[0]"),
        "{path}"
    );
}

#[test]
fn kev_catalogue_loads_and_bad_entries_name_their_path() {
    let kev = kev();
    assert_eq!(kev.entries.len(), 12);
    let log4shell = kev.get("CVE-2021-44228").expect("listed");
    assert_eq!(log4shell.due_date, "2021-12-24");
    assert!(log4shell.ransomware());
    let bad = String::from_utf8(bytes("kev/known_exploited_vulnerabilities.excerpt.json"))
        .expect("utf-8")
        .replacen("\"CVE-2021-45046\"", "\"CVE-21-45046\"", 1);
    let Err(AdvisoryError::Kev { path, .. }) = KevCatalogue::parse(bad.as_bytes()) else {
        panic!("must be rejected");
    };
    assert_eq!(path, "vulnerabilities[1].cveID");
}

#[test]
fn the_product_sbom_gets_the_expected_findings() {
    let index = index();
    let kev = kev();
    let sbom = read_sbom(&bytes("scan/product-abc.cdx.json"))
        .expect("valid")
        .sbom;
    let report = scan(
        &sbom,
        "product-abc.cdx.json",
        Sources {
            advisories: &index,
            kev: Some(&kev),
            vex: &[],
        },
    );
    let found: Vec<(String, String)> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.component.bom_ref.clone().unwrap_or_default(),
                f.id.clone(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            // KEV (ransomware) first.
            ("log4j-core".to_owned(), "CVE-2021-44228".to_owned()),
            // Then by score: the CVSS v4.0 9.3, then advisories without a vector or a
            // severity word, by id.
            ("jquery".to_owned(), "CVE-2099-0002".to_owned()),
            ("passenger".to_owned(), "CVE-2013-2119".to_owned()),
            ("jquery".to_owned(), "CVE-2016-10707".to_owned()),
            ("gin".to_owned(), "CVE-2020-36567".to_owned()),
            ("pas".to_owned(), "CVE-2021-21337".to_owned()),
            ("requests".to_owned(), "CVE-2023-32681".to_owned()),
        ]
    );
    let log4j = &report.findings[0];
    // Two OSV records (GHSA and CVE) merged into one finding by alias.
    assert_eq!(log4j.advisories, ["CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q"]);
    assert_eq!(log4j.aliases, ["GHSA-jfh8-c2jp-5v3q"]);
    assert_eq!(log4j.score, Some(10.0));
    // In Maven's version order, not as text ("2.15.0" < "2.3.1" as text).
    assert_eq!(log4j.fixed_versions, ["2.3.1", "2.15.0"]);
    let kev = log4j.kev.as_ref().expect("in KEV");
    assert_eq!(
        (kev.date_added.as_str(), kev.due_date.as_str()),
        ("2021-12-10", "2021-12-24")
    );
    assert_eq!(log4j.status, Status::Open);
    // The withdrawn advisory that also names log4j-core is not there.
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.aliases.iter().any(|a| a == "CVE-2099-0001"))
    );
    // requests: PYSEC-2023-74 and its GHSA alias are one finding.
    let requests = report
        .findings
        .iter()
        .find(|f| f.id == "CVE-2023-32681")
        .expect("requests");
    assert_eq!(requests.aliases, ["GHSA-j8r2-6x86-q33q", "PYSEC-2023-74"]);
    // Unmatched components are reported with the reason.
    let unmatched: Vec<(&str, &str)> = report
        .unmatched
        .iter()
        .map(|u| (u.component.name.as_str(), u.reason.as_str()))
        .collect();
    assert_eq!(
        unmatched,
        [
            (
                "Treck TCP/IP",
                "no purl (a CPE is given; CPE matching is not supported)"
            ),
            ("thing", "purl type `generic` has no OSV ecosystem"),
        ]
    );
    // GIT ranges are skipped with a note.
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("CVE-2021-44228: 1 GIT range(s) skipped")),
        "{:?}",
        report.notes
    );
    assert_eq!(report.summary.open, 7);
    assert_eq!(report.summary.open_kev, 1);
}

#[test]
fn versions_outside_the_ranges_are_not_reported() {
    let index = index();
    let text = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[
      {"type":"library","name":"log4j-core","version":"2.17.1","purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"},
      {"type":"library","name":"log4j-core","version":"2.3.1","purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.3.1"},
      {"type":"library","name":"requests","version":"2.31.0","purl":"pkg:pypi/requests@2.31.0"},
      {"type":"library","name":"paranoid2","version":"1.1.5","purl":"pkg:gem/paranoid2@1.1.5"},
      {"type":"library","name":"gin","version":"v1.6.0","purl":"pkg:golang/github.com/gin-gonic/gin@v1.6.0"},
      {"type":"library","name":"akka","version":"2.5.16","purl":"pkg:maven/com.typesafe.akka/akka-actor_2.12@2.5.16"}]}"#;
    let sbom = read_sbom(text.as_bytes()).expect("valid").sbom;
    let report = scan(
        &sbom,
        "x",
        Sources {
            advisories: &index,
            kev: None,
            vex: &[],
        },
    );
    let found: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.component.version.as_deref().unwrap_or_default(),
                f.id.as_str(),
            )
        })
        .collect();
    // log4j-core 2.3.1 is fixed by the GHSA's second range, but the CVE record's single
    // range 2.0-beta9..2.15.0 still covers it: the merged finding stays.
    assert_eq!(found, [("2.3.1", "CVE-2021-44228")]);
}

#[test]
fn enumerated_versions_and_pypi_names_match() {
    let index = index();
    let text = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[
      {"type":"library","name":"paranoid2","version":"1.1.6","purl":"pkg:gem/paranoid2@1.1.6"},
      {"type":"library","name":"products_pluggableauthservice","purl":"pkg:pypi/products_pluggableauthservice@2.6.0"},
      {"type":"library","name":"akka","purl":"pkg:maven/com.typesafe.akka/akka-actor_2.11@2.5.15"}]}"#;
    let sbom = read_sbom(text.as_bytes()).expect("valid").sbom;
    let report = scan(
        &sbom,
        "x",
        Sources {
            advisories: &index,
            kev: None,
            vex: &[],
        },
    );
    let ids: Vec<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["CVE-2018-16115", "CVE-2019-13589", "CVE-2021-21337"]);
}

/// A zip of OSV records, stored and deflated, as the ecosystems' `all.zip` exports are.
fn osv_zip(names: &[&str], method: zip::CompressionMethod) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for name in names {
        let file = name.rsplit('/').next().expect("a file name");
        writer.start_file(file, options).expect("start entry");
        std::io::Write::write_all(&mut writer, &bytes(name)).expect("write entry");
    }
    writer.finish().expect("finish zip").into_inner()
}

#[test]
fn zip_exports_load_like_their_records() {
    let names = [
        "osv/osv-linter-testdata/GO-2020-0001.json",
        "osv/osv-linter-testdata/PYSEC-2023-74.json",
        "osv/osv-linter-testdata/GHSA-9v2f-6vcg-3hgv.json",
    ];
    let mut one_by_one = AdvisoryIndex::new();
    for name in names {
        one_by_one.add_json(name, &bytes(name)).expect("record");
    }
    for method in [
        zip::CompressionMethod::Stored,
        zip::CompressionMethod::Deflated,
    ] {
        let mut zipped = AdvisoryIndex::new();
        zipped
            .add_zip("all.zip", &osv_zip(&names, method))
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        assert_eq!(zipped.stats, one_by_one.stats, "{method}");
        let ids = |index: &AdvisoryIndex| -> Vec<String> {
            index.advisories.iter().map(|a| a.id.clone()).collect()
        };
        assert_eq!(ids(&zipped), ids(&one_by_one), "{method}");
    }
}

/// `add_path` reads a folder as `--osv` does: records and zips, in subfolders too, other
/// files left alone, in name order; a file that is not a record stops it, named.
#[test]
fn a_folder_on_disk_loads_like_its_files() {
    let names = [
        "osv/osv-linter-testdata/GO-2020-0001.json",
        "osv/osv-linter-testdata/PYSEC-2023-74.json",
        "osv/osv-linter-testdata/GHSA-9v2f-6vcg-3hgv.json",
    ];
    let mut expected = AdvisoryIndex::new();
    for name in names {
        expected.add_json(name, &bytes(name)).expect("record");
    }
    let folder = tempfile::tempdir().expect("temporary folder");
    let write = |relative: &str, content: &[u8]| {
        let path = folder.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
        std::fs::write(path, content).expect("write");
    };
    write("a/GO-2020-0001.json", &bytes(names[0]));
    write(
        "b.ZIP",
        &osv_zip(&names[1..], zip::CompressionMethod::Deflated),
    );
    write("README.md", b"not a record");
    let mut index = AdvisoryIndex::new();
    index
        .add_path(folder.path())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(index.stats, expected.stats);
    let ids = |index: &AdvisoryIndex| -> Vec<String> {
        index.advisories.iter().map(|a| a.id.clone()).collect()
    };
    assert_eq!(ids(&index), ids(&expected));

    write("c/broken.json", b"{\"id\": 7}");
    let error = AdvisoryIndex::new()
        .add_path(folder.path())
        .expect_err("a broken record");
    let broken = folder.path().join("c/broken.json");
    assert!(
        matches!(&error, lifeline_vuln::OsvSourceError::Advisory { path, .. } if *path == broken),
        "{error:?}"
    );
    assert!(error.to_string().contains("broken.json"), "{error}");

    let missing = folder.path().join("missing");
    let error = AdvisoryIndex::new()
        .add_path(&missing)
        .expect_err("no such folder");
    assert!(
        matches!(&error, lifeline_vuln::OsvSourceError::Io { path, source }
            if *path == missing && source.kind() == std::io::ErrorKind::NotFound),
        "{error:?}"
    );
    assert!(error.to_string().starts_with("cannot read `"), "{error}");
}

/// The records a caller keeps (`zip_records`, `json_records`) load again into the same
/// index as the files they came from: the server stores them and rebuilds from them.
#[test]
fn kept_records_load_again_like_their_files() {
    let names = [
        "osv/osv-linter-testdata/GO-2020-0001.json",
        "osv/osv-linter-testdata/PYSEC-2023-74.json",
    ];
    let mut direct = AdvisoryIndex::new();
    direct
        .add_zip(
            "all.zip",
            &osv_zip(&names, zip::CompressionMethod::Deflated),
        )
        .expect("zip");
    let mut kept = Vec::new();
    lifeline_vuln::osv::zip_records(
        "all.zip",
        &osv_zip(&names, zip::CompressionMethod::Deflated),
        &lifeline_vuln::osv::ZipLimits::default(),
        |name, record| {
            kept.push((name.to_owned(), record.to_vec()));
            Ok(())
        },
    )
    .expect("zip records");
    assert_eq!(kept[0].0, "all.zip:GO-2020-0001.json");
    let mut again = AdvisoryIndex::new();
    for (name, record) in &kept {
        again.add_json(name, record).expect("kept record");
    }
    assert_eq!(again.stats, direct.stats);

    // An array of records: each checked, named by position, and kept as text.
    let array = format!(
        "[{}, {}]",
        String::from_utf8(bytes(names[0])).expect("UTF-8"),
        String::from_utf8(bytes(names[1])).expect("UTF-8")
    );
    let records = lifeline_vuln::osv::json_records("upload.json", array.as_bytes()).expect("array");
    let ids: Vec<&str> = records.iter().map(|(r, _)| r.id.as_str()).collect();
    assert_eq!(ids, ["GO-2020-0001", "PYSEC-2023-74"]);
    let mut from_text = AdvisoryIndex::new();
    for (_, text) in &records {
        from_text
            .add_json("upload.json", text.as_bytes())
            .expect("text");
    }
    assert_eq!(from_text.stats, direct.stats);
    let error = lifeline_vuln::osv::json_records("upload.json", br#"[{"id": ""}]"#)
        .expect_err("an empty id");
    assert!(error.to_string().contains("upload.json[0]"), "{error}");
}

#[test]
fn a_corrupted_zip_entry_is_an_error_naming_it() {
    let name = "osv/osv-linter-testdata/GO-2020-0001.json";
    let mut archive = osv_zip(&[name], zip::CompressionMethod::Stored);
    // Change one byte of the stored record: its CRC-32 no longer matches.
    let record = bytes(name);
    let at = archive
        .windows(record.len())
        .position(|w| w == record.as_slice())
        .expect("the stored record");
    archive[at + 10] ^= 0x20;
    let error = AdvisoryIndex::new()
        .add_zip("all.zip", &archive)
        .expect_err("corrupted");
    let text = error.to_string();
    assert!(
        text.contains("all.zip:GO-2020-0001.json") && text.contains("CRC-32"),
        "{text}"
    );
    // Not a zip at all.
    let error = AdvisoryIndex::new()
        .add_zip("all.zip", b"not a zip")
        .expect_err("not a zip");
    assert!(error.to_string().contains("all.zip"), "{error}");
}
