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
    assert!(out.contains("invalid: 2 problem(s)"), "{out}");
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
    assert_eq!(findings[0]["rule"], "expired-shipped");
    assert_eq!(findings[0]["severity"], "error");
    assert_eq!(findings[0]["events"].as_array().map(Vec::len), Some(2));
    let _ = std::fs::remove_file(path);
}
