//! Files a compromised partner could send, run through the `lifeline` binary as a user
//! would (issue 21's sweep, kept small): under a 1 GiB address-space limit, every command
//! must end with exit 0, 1 or 2 (never a signal such as the abort of a stack overflow or a
//! failed allocation), write no control or bidi character to the terminal, and write
//! nothing outside the paths it was given. Inputs are generated here, not stored.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::repo;

/// The address space each command gets: the issue's 1 GB, as `ulimit -v` (KiB).
const ADDRESS_SPACE_KIB: u64 = 1024 * 1024;

/// Runs `lifeline args` under the address-space limit and checks what every hostile run
/// must satisfy, then that it exited with `code`. Returns (stdout, stderr).
#[track_caller]
fn hostile(args: &[&str], code: i32) -> (String, String) {
    let output: Output = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_lifeline"))
        .args(args)
        .current_dir(repo())
        .env("LIFELINE_QUIET", "1")
        .output()
        .expect("run lifeline");
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    let shown = |text: &str| text.chars().take(2_000).collect::<String>();
    assert_eq!(
        output.status.code(),
        Some(code),
        "lifeline {}\nstatus: {:?}\nstdout:\n{}\nstderr:\n{}",
        args.iter()
            .map(|a| lifeline_text::excerpt(a).into_owned())
            .collect::<Vec<_>>()
            .join(" "),
        output.status,
        shown(&lifeline_text::escaped(&out)),
        shown(&lifeline_text::escaped(&err)),
    );
    for (stream, text) in [("stdout", &out), ("stderr", &err)] {
        let raw: Vec<char> = text
            .chars()
            .filter(|&c| c != '\n' && lifeline_text::is_unsafe(c))
            .take(5)
            .collect();
        assert!(
            raw.is_empty(),
            "lifeline {} wrote raw {raw:?} to {stream}:\n{}",
            args.first().copied().unwrap_or_default(),
            shown(&lifeline_text::escaped(text))
        );
    }
    (out, err)
}

fn write(path: &Path, contents: impl AsRef<[u8]>) -> String {
    std::fs::write(path, contents).expect("write input");
    path.to_string_lossy().into_owned()
}

/// A folder of this test's own, fresh, and removed with everything in it when the test
/// ends (some of these tests write files of tens of megabytes).
fn folder(name: &str) -> Folder {
    Folder(
        tempfile::Builder::new()
            .prefix(&format!("lifeline-cli-{name}-"))
            .tempdir()
            .expect("mkdir"),
    )
}

/// A temporary folder that derefs to its path.
struct Folder(tempfile::TempDir);

impl std::ops::Deref for Folder {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.0.path()
    }
}

/// An EPCIS 2.0 XML document with one object event whose user extension holds
/// `extension` (already well-formed XML, in the `ext` namespace).
fn epcis_xml(declaration: &str, extension: &str) -> String {
    format!(
        r#"{declaration}<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ext="https://ns.example.com/ext/" schemaVersion="2.0" creationDate="2024-03-01T10:00:00Z">
<EPCISBody><EventList><ObjectEvent>
<eventTime>2024-03-01T10:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
<epcList><epc>urn:epc:id:sgtin:0614141.107346.2018</epc></epcList>
<action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
<readPoint><id>urn:epc:id:sgln:0614141.07346.1234</id></readPoint>
{extension}
</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>
"#
    )
}

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

#[test]
fn deeply_nested_epcis_xml_is_refused_by_every_trace_command() {
    let dir = folder("deep-xml");
    let depth = 50_000;
    let nested = format!("{}x{}", "<ext:d>".repeat(depth), "</ext:d>".repeat(depth));
    let file = write(&dir.join("deep.xml"), epcis_xml(XML_DECLARATION, &nested));
    let db = dir.join("repo.db").to_string_lossy().into_owned();
    for args in [
        vec!["trace", "hash", &file],
        vec!["trace", "validate", &file],
        vec!["trace", "ingest", &file, "--db", &db],
    ] {
        let (_, err) = hostile(&args, 2);
        assert!(err.contains("deep"), "{}: {err}", args[1]);
    }
}

#[test]
fn one_epcis_document_gets_one_verdict_from_every_command() {
    let dir = folder("one-verdict");
    let db = dir.join("repo.db").to_string_lossy().into_owned();
    let cases = [
        (
            "utf16",
            epcis_xml("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n", ""),
        ),
        (
            "ebcdic",
            epcis_xml("<?xml version=\"1.0\" encoding=\"IBM037\"?>\n", ""),
        ),
        (
            "escape",
            epcis_xml(XML_DECLARATION, "<ext:note>&#x1b;]0;PWNED&#x7;</ext:note>"),
        ),
    ];
    for (name, document) in cases {
        let file = write(&dir.join(format!("{name}.xml")), document);
        for args in [
            vec!["trace", "hash", &file],
            vec!["trace", "validate", &file],
            vec!["trace", "ingest", &file, "--db", &db],
        ] {
            hostile(&args, 2);
        }
    }
    // A long comment before the root is well-formed XML: every command accepts it.
    let comment = format!("<!--{}-->\n", "c".repeat(70 * 1024));
    let file = write(
        &dir.join("comment.xml"),
        epcis_xml(&format!("{XML_DECLARATION}{comment}"), ""),
    );
    for args in [
        vec!["trace", "hash", &file],
        vec!["trace", "validate", &file],
        vec!["trace", "ingest", &file, "--db", &db],
    ] {
        hostile(&args, 0);
    }
}

#[test]
fn many_invalid_events_give_a_bounded_message() {
    let dir = folder("many-invalid");
    let events = "<ObjectEvent><action>LOOK</action></ObjectEvent>".repeat(20_000);
    let document = epcis_xml(XML_DECLARATION, "").replace(
        "<EventList><ObjectEvent>",
        &format!("<EventList>{events}<ObjectEvent>"),
    );
    let file = write(&dir.join("invalid.xml"), document);
    let db = dir.join("repo.db").to_string_lossy().into_owned();
    for args in [
        vec!["trace", "validate", &file],
        vec!["trace", "ingest", &file, "--db", &db],
    ] {
        let (out, err) = hostile(&args, 2);
        assert!(
            out.len() + err.len() < 256 * 1024,
            "{}: {} bytes of messages for 20,000 bad events",
            args[1],
            out.len() + err.len()
        );
    }
}

#[test]
fn a_repository_path_that_is_not_a_file_is_refused_and_nothing_is_written_beside_it() {
    let dir = folder("db-paths");
    let document = write(&dir.join("ok.xml"), epcis_xml(XML_DECLARATION, ""));
    let db_folder = dir.join("a-folder");
    std::fs::create_dir_all(&db_folder).expect("mkdir");
    for db in [db_folder.clone(), PathBuf::from("/dev/full")] {
        let arg = db.to_string_lossy().into_owned();
        hostile(&["trace", "ingest", &document, "--db", &arg], 2);
        let journal = PathBuf::from(format!("{arg}-journal"));
        let wal = PathBuf::from(format!("{arg}-wal"));
        let left = journal.exists() || wal.exists();
        // Tidy up before asserting, so that a failure does not leave a file in /dev.
        let _ = std::fs::remove_file(&journal);
        let _ = std::fs::remove_file(&wal);
        assert!(
            !left,
            "`{arg}` was refused but SQLite files were left beside it"
        );
    }
    // Reading a repository that does not exist creates neither it nor its folders.
    let missing = dir.join("no/such/folder/repo.db");
    let arg = missing.to_string_lossy().into_owned();
    for args in [
        vec![
            "trace",
            "history",
            "urn:epc:id:sgtin:0614141.107346.2018",
            "--db",
            &arg,
        ],
        vec!["trace", "check", "--db", &arg],
    ] {
        hostile(&args, 2);
        assert!(!dir.join("no").exists(), "{} created folders", args[1]);
    }
}

/// A minimal CycloneDX 1.5 SBOM with one Maven component of version `version` (1.6's
/// schema caps a version at 1,024 characters, 1.5's does not: the scan must hold either way).
fn sbom_with_maven_version(version: &str) -> String {
    serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [
            {"type": "library", "bom-ref": "long", "group": "org.example", "name": "long",
             "version": version, "purl": format!("pkg:maven/org.example/long@{version}")},
            {"type": "library", "bom-ref": "log4j-core", "group": "org.apache.logging.log4j",
             "name": "log4j-core", "version": "2.14.1",
             "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}
        ]
    })
    .to_string()
}

#[test]
fn a_long_maven_version_in_an_sbom_or_an_advisory_does_not_stop_the_scan() {
    let dir = folder("long-versions");
    let long = vec!["1"; 150_000].join("-");
    let sbom = write(&dir.join("long.cdx.json"), sbom_with_maven_version(&long));
    hostile(&["sbom", "validate", &sbom], 0);
    let osv = "crates/lifeline-vuln/tests/data/osv-extra";
    let (out, _) = hostile(
        &["sbom", "scan", &sbom, "--osv", osv, "--format", "json"],
        0,
    );
    assert!(
        out.contains("CVE-2021-44228"),
        "the other component was scanned and matched Log4Shell"
    );
    // The same version in an advisory that every Maven component is checked against.
    let advisories = dir.join("osv");
    std::fs::create_dir_all(&advisories).expect("mkdir");
    let advisory = serde_json::json!({
        "id": "HOSTILE-1",
        "modified": "2024-01-01T00:00:00Z",
        "affected": [{
            "package": {"ecosystem": "Maven", "name": "org.example:long"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": long}]}],
            "versions": [long]
        }]
    });
    write(&advisories.join("HOSTILE-1.json"), advisory.to_string());
    let clean = write(&dir.join("clean.cdx.json"), sbom_with_maven_version("1.0"));
    let advisories = advisories.to_string_lossy().into_owned();
    for sbom in [&clean, &sbom] {
        hostile(
            &["sbom", "scan", sbom, "--osv", &advisories, "--osv", osv],
            0,
        );
    }
}

/// The worked example of the network format with `id` in place of the supplier `S1`.
fn toy_with_supplier_id(id: &str) -> String {
    let toy = std::fs::read_to_string(repo().join("examples/toy.json")).expect("toy");
    let mut network: serde_json::Value = serde_json::from_str(&toy).expect("toy JSON");
    network["nodes"][0]["id"] = id.into();
    for edge in network["edges"].as_array_mut().expect("edges") {
        if edge["from"] == "S1" {
            edge["from"] = id.into();
        }
    }
    network.to_string()
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let dir = folder("terminal");
    let id = "S1\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{0}\r\n\u{202e}";
    let network = write(&dir.join("escape.json"), toy_with_supplier_id(id));
    for format in ["text", "json"] {
        hostile(&["validate", &network, "--format", format], 2);
    }
    for format in ["table", "json", "csv"] {
        hostile(&["stress", &network, "--format", format], 2);
    }
    // An unknown scenario id typed (or pasted) by a user is echoed escaped.
    hostile(
        &[
            "simulate",
            "examples/toy.json",
            "--scenario",
            "\u{1b}]0;PWNED\u{7}\u{1b}[2J",
        ],
        2,
    );
}

#[test]
fn csv_cells_are_not_spreadsheet_formulas() {
    let dir = folder("formula");
    let network = write(
        &dir.join("formula.json"),
        toy_with_supplier_id("=HYPERLINK(\"http://example.invalid\",\"S1\")"),
    );
    let (out, _) = hostile(&["stress", &network, "--format", "csv"], 0);
    let mut cells = 0;
    for line in out.lines() {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        for record in reader.records() {
            for cell in record.expect("CSV").iter() {
                cells += 1;
                let numeric = cell.parse::<f64>().is_ok();
                assert!(
                    numeric || !cell.starts_with(['=', '+', '-', '@']),
                    "formula cell `{cell}` in:\n{out}"
                );
            }
        }
    }
    assert!(out.contains("'=HYPERLINK"), "{out}");
    assert!(cells > 0);
}

#[test]
fn numbers_the_solver_cannot_take_are_refused_by_validate_naming_the_field() {
    let dir = folder("ranges");
    let toy = std::fs::read_to_string(repo().join("examples/toy.json")).expect("toy");
    for (name, from, to, field) in [
        ("demand", "\"demand\": 75", "\"demand\": 1e308", "demand"),
        (
            "horizon",
            "\"horizon\": 999",
            "\"horizon\": 1e-320",
            "horizon",
        ),
    ] {
        assert!(toy.contains(from), "{from}");
        let network = write(&dir.join(format!("{name}.json")), toy.replacen(from, to, 1));
        let (out, err) = hostile(&["validate", &network], 2);
        assert!(
            format!("{out}{err}").contains(field),
            "{name}: the message names the field:\n{out}{err}"
        );
        let (_, err) = hostile(&["stress", &network], 2);
        assert!(
            !err.contains("HiGHS"),
            "{name}: stress fails before the solver: {err}"
        );
    }
}

#[test]
fn a_huge_value_in_a_network_is_refused_with_a_short_message() {
    let dir = folder("huge-value");
    let name = "N".repeat(64 * 1024 * 1024);
    let toy = std::fs::read_to_string(repo().join("examples/toy.json")).expect("toy");
    let mut network: serde_json::Value = serde_json::from_str(&toy).expect("toy JSON");
    network["nodes"][0]["id"] = name.into();
    let file = write(&dir.join("huge.json"), network.to_string());
    let (out, err) = hostile(&["stress", &file, "--format", "json"], 2);
    assert!(
        out.len() + err.len() < 64 * 1024,
        "{} bytes of messages",
        out.len() + err.len()
    );
}
