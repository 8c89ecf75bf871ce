//! Terminal and spreadsheet injection (issue 21, item 4): ids holding ESC, BEL, NUL, CR,
//! LF and U+202E, and ids that start like a spreadsheet formula, run through every output
//! format of every command that shows them. Tables, CSV and every line on stderr must hold
//! no character that `lifeline_text::is_unsafe` flags but the line breaks between lines;
//! JSON holds no raw control character (serde writes `\u001b`); CSV text cells never start
//! with a formula character.

use std::process::Output;

use crate::{lifeline_in, repo, stderr, stdout, temp};

/// The terminal escape of the issue: retitles the terminal and clears the screen.
const PWNED: &str = "\u{1b}]0;PWNED\u{7}\u{1b}[2J";

/// Hostile ids: a formula with escapes, a plus with CR LF, a minus with NUL, an at sign
/// with a right-to-left override.
fn ids() -> [String; 4] {
    [
        format!("=HYPERLINK(\"http://x\"){PWNED}"),
        "+S2\r\nforged line".to_owned(),
        "-S3\u{0}".to_owned(),
        "@P1\u{202e}gpj.exe".to_owned(),
    ]
}

/// What kind of text a command wrote on stdout.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// Tables and lines for people: nothing unsafe but line breaks.
    Text,
    /// JSON as serde writes it: no raw control character but line breaks.
    Json,
    /// CSV: as text, and no cell that a spreadsheet would evaluate.
    Csv,
}

/// Runs `lifeline args` and checks stdout as `kind` and stderr as text.
fn check(args: &[&str], kind: Kind) -> Output {
    let output = lifeline_in(&repo(), args);
    let what = format!("lifeline {}", args.join(" ").escape_debug());
    let code = output.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "{what}: exit {code:?}\n{}",
        stderr(&output).escape_debug()
    );
    let out = stdout(&output);
    let err = stderr(&output);
    let unsafe_in = |text: &str, allowed: &dyn Fn(char) -> bool| -> Option<char> {
        text.chars()
            .find(|&c| c != '\n' && lifeline_text::is_unsafe(c) && !allowed(c))
    };
    if let Some(c) = unsafe_in(&err, &|_| false) {
        panic!("{what}: stderr holds {c:?}:\n{}", err.escape_debug());
    }
    let on_stdout = match kind {
        Kind::Text | Kind::Csv => unsafe_in(&out, &|_| false),
        Kind::Json => unsafe_in(&out, &|c| !c.is_control()),
    };
    if let Some(c) = on_stdout {
        panic!("{what}: stdout holds {c:?}:\n{}", out.escape_debug());
    }
    // A CR LF inside a value does not start a line of its own, on stdout or stderr.
    if let Some(line) = out.lines().find(|line| line.starts_with("forged line")) {
        panic!(
            "{what}: stdout has a forged line {line:?}:\n{}",
            out.escape_debug()
        );
    }
    if let Some(line) = err.lines().find(|line| line.starts_with("forged line")) {
        panic!(
            "{what}: stderr has a forged line {line:?}:\n{}",
            err.escape_debug()
        );
    }
    if kind == Kind::Csv {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(out.as_bytes());
        for record in reader.records() {
            let record = record.expect("CSV");
            for cell in &record {
                let number = cell.parse::<f64>().is_ok();
                assert!(
                    number || !cell.starts_with(['=', '+', '-', '@']),
                    "{what}: CSV cell {cell:?} reads as a formula"
                );
            }
        }
    }
    output
}

/// Ids that start like formulas but hold nothing a terminal acts on.
fn formula_ids() -> [String; 4] {
    [
        "=HYPERLINK(\"http://x\")".to_owned(),
        "+S2".to_owned(),
        "-S3".to_owned(),
        "@P1".to_owned(),
    ]
}

/// The toy network with `ids` for its three suppliers and first product, written to a
/// file named after `name`.
fn hostile_network_with(name: &str, ids: [String; 4]) -> String {
    let [s1, s2, s3, p1] = ids;
    let json = serde_json::json!({
        "format": "lifeline-network/1",
        "name": format!("net{PWNED}"),
        "horizon": 999,
        "nodes": [
            {"id": s1, "kind": "supplier", "material": format!("-M{PWNED}"), "capacity": 30, "ttr": 2},
            {"id": s2, "kind": "supplier", "material": format!("-M{PWNED}"), "capacity": 45, "ttr": 2},
            {"id": s3, "kind": "supplier", "material": format!("-M{PWNED}"), "capacity": 60, "ttr": 3},
            {"id": p1, "kind": "product", "demand": 75, "inventory": 20, "value": 5000},
            {"id": "P2", "kind": "product", "demand": 50, "inventory": 25, "value": 6500}
        ],
        "edges": [
            {"from": s1, "to": p1}, {"from": s1, "to": "P2"},
            {"from": s2, "to": p1}, {"from": s2, "to": "P2"},
            {"from": s3, "to": p1}, {"from": s3, "to": "P2"},
        ]
    });
    let path = temp(name);
    std::fs::write(&path, json.to_string()).expect("write network");
    path.display().to_string()
}

fn hostile_network() -> String {
    hostile_network_with("hostile-network.json", ids())
}

/// Every network command in every format. `accepted`: whether the reader takes the ids
/// (a network spec may yet refuse control characters in ids: then every command exits 2,
/// and its message must still be harmless).
fn network_commands(network: &str, first: &str, accepted: bool) {
    let expected = Some(if accepted { 0 } else { 2 });
    for (format, kind) in [
        ("table", Kind::Text),
        ("json", Kind::Json),
        ("csv", Kind::Csv),
    ] {
        let output = check(&["stress", network, "--format", format, "--plan"], kind);
        assert_eq!(output.status.code(), expected, "{}", stderr(&output));
        let output = check(
            &[
                "simulate",
                network,
                "--scenario",
                first,
                "--all",
                "--format",
                format,
            ],
            kind,
        );
        assert_eq!(output.status.code(), expected, "{}", stderr(&output));
        let output = check(
            &[
                "montecarlo",
                network,
                "--outage",
                first,
                "--replications",
                "20",
                "--format",
                format,
            ],
            kind,
        );
        assert_eq!(output.status.code(), expected, "{}", stderr(&output));
    }
    for format in ["table", "json"] {
        let kind = if format == "json" {
            Kind::Json
        } else {
            Kind::Text
        };
        let output = check(&["validate", network, "--format", format], kind);
        assert_eq!(output.status.code(), expected, "{}", stderr(&output));
    }
}

/// Ids that look like formulas are data: accepted, and written to CSV as text.
#[test]
fn formula_ids_are_text_in_csv() {
    let ids = formula_ids();
    let network = hostile_network_with("formula-network.json", ids.clone());
    network_commands(&network, &ids[0], true);
    let output = check(&["stress", &network, "--format", "csv"], Kind::Csv);
    let out = stdout(&output);
    for id in ["'=HYPERLINK", "'+S2", "'-S3", "'@P1"] {
        assert!(out.contains(id), "{id} in\n{out}");
    }
}

#[test]
fn hostile_network_ids_are_escaped_in_every_format() {
    let network = hostile_network();
    let [s1, ..] = ids();
    // Whether ids may hold control characters is the network format's decision; either
    // way, nothing unsafe reaches the terminal or the spreadsheet.
    let accepted = check(&["validate", &network], Kind::Text).status.code() == Some(0);
    network_commands(&network, &s1, accepted);
    if !accepted {
        return;
    }
    // The CSV shows the formula as text, escapes included.
    let output = check(&["stress", &network, "--format", "csv"], Kind::Csv);
    assert!(
        stdout(&output).contains("'=HYPERLINK(\"\"http://x\"\")\\u{1b}]0;PWNED"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn an_unknown_hostile_id_is_escaped_in_the_error() {
    let network = hostile_network();
    for args in [
        vec!["montecarlo", &network, "--outage", PWNED],
        vec!["simulate", &network, "--scenario", PWNED],
    ] {
        let output = check(&args, Kind::Text);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("\\u{1b}]0;PWNED\\u{7}"),
            "{}",
            stderr(&output)
        );
    }
    // An invalid network that names the hostile ids in its diagnostics.
    let path = temp("hostile-invalid.json");
    let [s1, s2, ..] = ids();
    let json = serde_json::json!({
        "format": "lifeline-network/1",
        "nodes": [{"id": s1, "capacity": -1}],
        "edges": [{"from": s1, "to": s2}]
    });
    std::fs::write(&path, json.to_string()).expect("write");
    let path = path.display().to_string();
    for format in ["table", "json"] {
        let kind = if format == "json" {
            Kind::Json
        } else {
            Kind::Text
        };
        let output = check(&["validate", &path, "--format", format], kind);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    }
    let output = check(&["stress", &path], Kind::Text);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

const OSV: &[&str] = &[
    "--osv",
    "crates/lifeline-vuln/tests/data/osv/ghsa-converted",
    "--kev",
    "crates/lifeline-vuln/tests/data/kev/known_exploited_vulnerabilities.excerpt.json",
];

#[test]
fn hostile_sbom_names_are_escaped_in_every_format() {
    let [name, version, ..] = ids();
    let bom = serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {"component": {"type": "device", "bom-ref": "product", "name": format!("pump{PWNED}"), "version": version}},
        "components": [
            {"type": "library", "bom-ref": "log4j-core", "name": "log4j-core", "version": "2.14.1",
             "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
            {"type": "library", "bom-ref": "x", "name": name, "version": version}
        ]
    });
    let folder = temp("hostile-sboms");
    std::fs::create_dir_all(&folder).expect("mkdir");
    let path = folder.join("hostile.cdx.json");
    std::fs::write(&path, bom.to_string()).expect("write");
    let path = path.display().to_string();
    check(&["sbom", "validate", &path], Kind::Text);
    for (format, kind) in [
        ("table", Kind::Text),
        ("json", Kind::Json),
        ("sarif", Kind::Json),
        ("cyclonedx-vex", Kind::Json),
    ] {
        let mut args = vec!["sbom", "scan", &path, "--format", format];
        args.extend(OSV);
        let output = check(&args, kind);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let folder = folder.display().to_string();
    for (format, kind) in [("table", Kind::Text), ("json", Kind::Json)] {
        let mut args = vec![
            "devices",
            "report",
            "--devices",
            "crates/lifeline-vuln/tests/data/devices/inventory.json",
            "--sboms",
            &folder,
            "--format",
            format,
        ];
        args.extend(OSV);
        check(&args, kind);
    }
}

#[test]
fn hostile_epcis_values_are_escaped_in_every_format() {
    let text = std::fs::read_to_string(repo().join("examples/trace/iv-fluids-shipments.jsonld"))
        .expect("read");
    // An EPC with control characters is refused by the reader (its message must still be
    // harmless); a custom bizStep URI, a location and a lot number are kept and shown.
    let epc = serde_json::to_string(&format!("urn:epc:id:sgtin:0614141.020001.1001{PWNED}"))
        .expect("json string");
    let step = serde_json::to_string(&format!("https://x.example/=ship{PWNED}\u{202e}"))
        .expect("json string");
    let location = serde_json::to_string(&format!("=urn:epc:id:sgln:0614141.00004.0{PWNED}\r\n"))
        .expect("json string");
    let lot = serde_json::to_string(&format!("NC{PWNED}")).expect("json string");
    let refused = text.replace("\"urn:epc:id:sgtin:0614141.020001.1001\"", &epc);
    let refused_path = temp("hostile-epc.jsonld");
    std::fs::write(&refused_path, refused).expect("write");
    let refused_path = refused_path.display().to_string();
    check(&["trace", "hash", "--prehash", &refused_path], Kind::Text);
    check(&["trace", "validate", &refused_path], Kind::Text);
    let output = check(&["trace", "check", &refused_path], Kind::Text);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("1001\\u{1b}]0;PWNED"),
        "{}",
        stderr(&output)
    );
    let text = text
        .replace("\"bizStep\": \"shipping\"", &format!("\"bizStep\": {step}"))
        .replace("\"urn:epc:id:sgln:0614141.00004.0\"", &location)
        .replace(
            "\"cbvmda:lotNumber\": \"NC2604A\"",
            &format!("\"cbvmda:lotNumber\": {lot}"),
        );
    let path = temp("hostile-events.jsonld");
    std::fs::write(&path, text).expect("write");
    let path = path.display().to_string();
    check(&["trace", "hash", &path], Kind::Text);
    check(&["trace", "hash", "--prehash", &path], Kind::Text);
    check(&["trace", "validate", &path], Kind::Text);
    for (format, kind) in [("table", Kind::Text), ("json", Kind::Json)] {
        check(&["trace", "check", &path, "--format", format], kind);
    }
    let db = temp("hostile.sqlite");
    let _ = std::fs::remove_file(&db);
    let db_text = db.display().to_string();
    check(&["trace", "ingest", &path, "--db", &db_text], Kind::Text);
    let epc = format!("urn:epc:id:sgtin:0614141.020001.1001{PWNED}");
    for (format, kind) in [("table", Kind::Text), ("json", Kind::Json)] {
        check(
            &[
                "trace", "history", &epc, "--db", &db_text, "--format", format,
            ],
            kind,
        );
        check(
            &[
                "trace",
                "query",
                "--biz-step",
                "shipping",
                "--db",
                &db_text,
                "--format",
                format,
            ],
            kind,
        );
    }
    let output = check(&["trace", "query", "--db", &db_text], Kind::Text);
    assert!(
        stdout(&output).contains("https://x.example/=ship\\u{1b}]0;PWNED\\u{7}"),
        "{}",
        stdout(&output)
    );
    let _ = std::fs::remove_file(&db);
}
