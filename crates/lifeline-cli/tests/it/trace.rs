//! `lifeline trace`: hashes in the vector format, validation, ingest, history, check, verify.

use crate::{check, repo, temp};

const VECTORS: &str = "crates/lifeline-trace/tests/data/hash";
const DSCSA: &str = "crates/lifeline-trace/tests/data/dscsa/GS1_US_Pharma_Example_2_2_1_1.xml";

#[test]
fn trace_hash_prints_the_vector_format() {
    for name in [
        "epcisDocWithSingleEvent.jsonld",
        "ReferenceEventHashAlgorithm.xml",
        "epcisQueryDocument.jsonld",
    ] {
        let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
        let (out, _) = check(&["trace", "hash", &format!("{VECTORS}/{name}")], 0);
        let expected = std::fs::read_to_string(repo().join(format!("{VECTORS}/{stem}.hashes")))
            .expect("hashes");
        assert_eq!(out.trim_end(), expected.trim_end(), "{name}");
        let (pre, _) = check(
            &["trace", "hash", "--prehash", &format!("{VECTORS}/{name}")],
            0,
        );
        let expected = std::fs::read_to_string(repo().join(format!("{VECTORS}/{stem}.prehashes")))
            .expect("prehashes");
        assert_eq!(pre.trim_end(), expected.trim_end(), "{name}");
    }
}

#[test]
fn trace_hash_of_a_broken_file_exits_2_naming_it() {
    let path = temp("broken.jsonld");
    std::fs::write(
        &path,
        r#"{"@context": [], "epcisBody": {"eventList": [{"type": "Nope"}]}}"#,
    )
    .expect("write");
    let arg = path.to_string_lossy().into_owned();
    let (_, err) = check(&["trace", "hash", &arg], 2);
    assert!(
        err.contains("event 0, field `type`: unknown event type `Nope`"),
        "{err}"
    );
    assert!(err.contains(&arg), "{err}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn trace_validate_lists_every_problem() {
    let (out, _) = check(&["trace", "validate", DSCSA], 0);
    assert!(out.contains("valid: 8 event(s)"), "{out}");
    assert!(out.contains("EPCIS 1.2 XSD ok"), "{out}");
    let text = std::fs::read_to_string(repo().join(DSCSA)).expect("read");
    let broken = text
        .replacen("<action>OBSERVE</action>", "<action>LOOK</action>", 1)
        .replacen("<eventTimeZoneOffset>-05:00</eventTimeZoneOffset>", "", 1);
    let path = temp("invalid.xml");
    std::fs::write(&path, broken).expect("write");
    let arg = path.to_string_lossy().into_owned();
    let (out, _) = check(&["trace", "validate", &arg], 2);
    assert!(
        out.contains("event 0, field `eventTimeZoneOffset`: missing"),
        "{out}"
    );
    assert!(
        out.contains("event 7, field `action`: `LOOK` is not"),
        "{out}"
    );
    // The official XSD says the same, with the line and the element's path.
    assert!(
        out.contains("EPCIS 1.2 XSD: line 273, column 38: /EPCISDocument/EPCISBody[1]/EventList[1]/ObjectEvent[4]/action[1]: Element 'action': [facet 'enumeration'] The value 'LOOK'"),
        "{out}"
    );
    assert!(out.contains("invalid: 4 problem(s)"), "{out}");
    let _ = std::fs::remove_file(path);
}

#[test]
fn trace_ingest_history_check_verify() {
    let db = temp("trace.sqlite");
    let db_arg = db.to_string_lossy().into_owned();
    let (out, _) = check(&["trace", "ingest", DSCSA, "--db", &db_arg], 0);
    assert!(
        out.contains("8 event(s): 8 added, 0 already stored"),
        "{out}"
    );
    let (out, _) = check(&["trace", "ingest", DSCSA, "--db", &db_arg], 0);
    assert!(
        out.contains("8 event(s): 0 added, 8 already stored"),
        "{out}"
    );
    let (out, _) = check(
        &[
            "trace",
            "history",
            "urn:epc:id:sgtin:030001.0012345.11",
            "--db",
            &db_arg,
        ],
        0,
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[2].contains("commissioning") && lines[3].contains("packing"),
        "{out}"
    );
    let (out, err) = check(&["trace", "check", "--db", &db_arg, "--format", "json"], 0);
    assert_eq!(out.trim(), "[]", "{out}");
    assert!(err.contains("0 finding(s)"), "{err}");
    let (out, _) = check(
        &[
            "trace",
            "verify",
            "--gtin",
            "00300010123455",
            "--serial",
            "11",
            "--lot",
            "A123",
            "--expiry",
            "250327",
            "--db",
            &db_arg,
        ],
        0,
    );
    assert!(
        out.starts_with("verified: https://id.gs1.org/01/00300010123455/21/11"),
        "{out}"
    );
    let (out, _) = check(
        &[
            "trace",
            "verify",
            "--gtin",
            "00300010123455",
            "--serial",
            "11",
            "--lot",
            "Z9",
            "--db",
            &db_arg,
        ],
        1,
    );
    assert!(out.starts_with("not verified"), "{out}");
    let _ = std::fs::remove_file(&db);
}

#[test]
fn trace_check_files_reports_findings() {
    let text = std::fs::read_to_string(repo().join(DSCSA)).expect("read");
    let expired = text.replacen("2025-03-27", "2023-03-31", 1);
    let path = temp("expired.xml");
    std::fs::write(&path, expired).expect("write");
    let arg = path.to_string_lossy().into_owned();
    let (out, err) = check(&["trace", "check", &arg], 1);
    assert!(out.starts_with("severity  rule"), "{out}");
    assert_eq!(out.matches("expired-shipped").count(), 12, "{out}");
    assert!(err.contains("12 finding(s): 12 error(s)"), "{err}");
    let (json, _) = check(&["trace", "check", &arg, "--format", "json"], 1);
    let findings: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(findings.as_array().map(Vec::len), Some(12), "{json}");
    assert_eq!(findings[0]["rule"], "expired-shipped");
    assert_eq!(findings[0]["severity"], "error");
    assert_eq!(findings[0]["events"].as_array().map(Vec::len), Some(2));
    let _ = std::fs::remove_file(path);
}

#[test]
fn trace_query_filters_the_repository() {
    let db = temp("query.sqlite");
    let db_arg = db.to_string_lossy().into_owned();
    let _ = std::fs::remove_file(&db);
    check(&["trace", "ingest", DSCSA, "--db", &db_arg], 0);
    let (out, err) = check(
        &["trace", "query", "--biz-step", "shipping", "--db", &db_arg],
        0,
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("time"), "{out}");
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[2].contains("shipping") && lines[2].contains("in_transit"),
        "{out}"
    );
    assert!(err.contains("1 event(s)"), "{err}");
    // Every filter at once, as JSON.
    let (json, _) = check(
        &[
            "trace",
            "query",
            "--epc",
            "https://id.gs1.org/01/00300010123455/21/11",
            "--from",
            "2023-03-27",
            "--to",
            "2023-03-28T00:00:00Z",
            "--location",
            "urn:epc:id:sgln:030001.111111.0",
            "--limit",
            "1",
            "--format",
            "json",
            "--db",
            &db_arg,
        ],
        0,
    );
    let events: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(events.as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(events[0]["biz_step"], "commissioning", "{json}");
    let (_, err) = check(
        &[
            "trace",
            "query",
            "--party",
            "urn:epc:id:sgln:039999.999999.0",
            "--db",
            &db_arg,
        ],
        0,
    );
    assert!(err.contains("1 event(s)"), "{err}");
    // Nothing matches: exit 1.
    let (out, err) = check(
        &[
            "trace",
            "query",
            "--biz-step",
            "dispensing",
            "--db",
            &db_arg,
        ],
        1,
    );
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(err.contains("0 event(s)"), "{err}");
    // Bad filter values: exit 2, naming the flag.
    for (flag, value, expected) in [
        (
            "--biz-step",
            "shiping",
            "error: --biz-step: `shiping` is not a CBV 2.0 bizStep (did you mean `shipping`?)",
        ),
        (
            "--from",
            "yesterday",
            "error: --from: `yesterday` is neither a date-time",
        ),
        (
            "--epc",
            "urn:epc:id:sgtin:030001.0012345",
            "error: --epc: malformed GS1 identifier",
        ),
        (
            "--class",
            "urn:epc:id:sgtin:030001.0012345.11",
            "error: --class: `urn:epc:id:sgtin:030001.0012345.11` is not a class",
        ),
        (
            "--location",
            "0300011111116",
            "error: --location: `0300011111116` is not an identifier URI",
        ),
    ] {
        let (_, err) = check(&["trace", "query", flag, value, "--db", &db_arg], 2);
        assert!(err.starts_with(expected), "{flag}: {err}");
    }
    let _ = std::fs::remove_file(&db);
}

/// The example shipments over the IV-fluids network: the three planted problems, each
/// named by its network item and the entities at its events' GLNs.
#[test]
fn trace_check_names_network_items_and_entities() {
    let (out, _) = check(
        &[
            "trace",
            "check",
            "examples/trace/iv-fluids-shipments.jsonld",
            "--network",
            "examples/iv-fluids.json",
            "--format",
            "json",
        ],
        1,
    );
    let findings: serde_json::Value = serde_json::from_str(&out).expect("json");
    let summary: Vec<(String, String, String)> = findings
        .as_array()
        .expect("a list")
        .iter()
        .map(|f| {
            let entities: Vec<&str> = f["entities"]
                .as_array()
                .expect("entities")
                .iter()
                .filter_map(|e| e.as_str())
                .collect();
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["item"].as_str().unwrap_or_default().to_owned(),
                entities.join(" "),
            )
        })
        .collect();
    let expected = [
        ("duplicate-commission", "ns-1l", "iv-plant-nc dist-metro"),
        (
            "custody-break",
            "ns-1l",
            "iv-plant-nc dist-south dist-metro",
        ),
        (
            "expired-shipped",
            "svb-100ml",
            "iv-plant-nc dist-metro hosp-county",
        ),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(r, i, e)| ((*r).to_owned(), (*i).to_owned(), (*e).to_owned()))
        .collect();
    assert_eq!(summary, expected);
    // Without a network the findings are the same, without the links.
    let (plain, _) = check(
        &[
            "trace",
            "check",
            "examples/trace/iv-fluids-shipments.jsonld",
            "--format",
            "json",
        ],
        1,
    );
    assert!(!plain.contains("\"entities\""), "{plain}");
    // An invalid network is an input error.
    let (_, err) = check(
        &[
            "trace",
            "check",
            "examples/trace/iv-fluids-shipments.jsonld",
            "--network",
            "examples/iv-fluids.scenarios.json",
        ],
        2,
    );
    assert!(err.contains("error"), "{err}");
}

/// `--db` paths that are not regular files are refused before SQLite opens them, naming the
/// path, and nothing is written beside them (issue 21: `--db /dev/full` left
/// `/dev/full-journal`).
#[cfg(unix)]
#[test]
fn trace_ingest_refuses_a_db_that_is_not_a_regular_file() {
    let folder = temp("not-a-file");
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("folder");
    let device = folder.join("device.sqlite");
    std::os::unix::fs::symlink("/dev/full", &device).expect("link");
    let fifo = folder.join("fifo.sqlite");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(&folder)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let before = listing();
    for (path, what) in [
        (device.clone(), "is a character device"),
        (fifo.clone(), "is a FIFO"),
        (folder.clone(), "is a folder"),
    ] {
        let arg = path.to_string_lossy().into_owned();
        let (out, err) = check(&["trace", "ingest", DSCSA, "--db", &arg], 2);
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains(&format!("the repository path `{arg}` {what}")),
            "{arg}: {err}"
        );
    }
    assert_eq!(listing(), before, "written beside the paths");
    let _ = std::fs::remove_dir_all(&folder);
}

/// Read commands open the repository read-only: a missing one is an error naming it, and
/// neither it nor its folders are created.
#[test]
fn trace_reads_create_no_repository() {
    let folder = temp("no-repository");
    let _ = std::fs::remove_dir_all(&folder);
    let path = folder.join("deeper").join("trace.sqlite");
    let arg = path.to_string_lossy().into_owned();
    let missing = format!("no repository at `{arg}`");
    for args in [
        vec!["trace", "history", "urn:epc:id:sgtin:030001.0012345.11"],
        vec!["trace", "query", "--biz-step", "shipping"],
        vec!["trace", "check"],
        vec![
            "trace",
            "verify",
            "--gtin",
            "00300010123455",
            "--serial",
            "11",
        ],
    ] {
        let mut args = args;
        args.extend(["--db", &arg]);
        let (_, err) = check(&args, 2);
        assert!(err.contains(&missing), "{args:?}: {err}");
        assert!(!folder.exists(), "{args:?} created {}", folder.display());
    }
}
