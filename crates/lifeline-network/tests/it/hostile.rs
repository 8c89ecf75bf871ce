//! Files a hostile partner could send (issue 21): identifiers with control characters,
//! numbers the solver cannot take, values and nesting beyond the reader limits, huge CSV
//! records, and documents with more problems than a message should list.

use std::path::Path;

use lifeline_network::{Format, LoadError, ReadLimits};

use crate::{read, render};

/// A small valid network with `$FIELD` tokens replaced by `replacements`.
fn network(replacements: &[(&str, &str)]) -> String {
    let mut text = r#"{ "format": "lifeline-network/1", "horizon": $HORIZON,
        "nodes": [ { "id": "$SUPPLIER", "ttr": 5, "site": "$SITE_REF", "material": "$MATERIAL" },
                   { "id": "H1", "demand": $DEMAND, "inventory": 30 } ],
        "edges": [ { "from": "$FROM", "to": "H1" } ],
        "sites": [ { "id": "$SITE", "name": "$NAME" } ],
        "items": [ { "id": "$ITEM" } ],
        "scenarios": [ { "id": "$SCENARIO", "ttr": 3, "disrupt": [ { "node": "$TARGET" } ] } ] }"#
        .to_owned();
    let defaults = [
        ("$HORIZON", "365"),
        ("$SUPPLIER", "S1"),
        ("$SITE_REF", "P1"),
        ("$MATERIAL", "saline"),
        ("$DEMAND", "10"),
        ("$FROM", "S1"),
        ("$SITE", "P1"),
        ("$NAME", "Plant"),
        ("$ITEM", "saline"),
        ("$SCENARIO", "down"),
        ("$TARGET", "S1"),
    ];
    for (token, default) in defaults {
        let value = replacements
            .iter()
            .find(|(t, _)| *t == token)
            .map_or(default, |(_, v)| v);
        text = text.replace(token, value);
    }
    text
}

/// Reads `text` as JSON and returns its error diagnostics as `path: message` lines, or
/// panics when it is not invalid.
fn errors(text: &str) -> Vec<String> {
    match read(text, Format::Json) {
        Err(LoadError::Invalid { diagnostics, .. }) => diagnostics
            .errors()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect(),
        other => panic!("expected an invalid network, got {}", render(&other)),
    }
}

#[test]
fn the_template_is_valid() {
    let result = read(&network(&[]), Format::Json);
    assert!(result.is_ok(), "{}", render(&result));
}

#[test]
fn identifiers_with_control_or_bidi_characters_are_refused() {
    // As JSON escapes, so that the document text itself is plain.
    let hostile = [
        (
            r"\u001b]0;PWNED\u0007\u001b[2J",
            r"\u{1b}]0;PWNED\u{7}\u{1b}[2J",
        ),
        (r"a\u0000b", r"a\u{0}b"),
        (r"line\r\nnext", r"line\r\nnext"),
        (r"invoice\u202Efdp.exe", r"invoice\u{202e}fdp.exe"),
    ];
    let fields = [
        ("$SUPPLIER", "nodes[0].id"),
        ("$SITE_REF", "nodes[0].site"),
        ("$MATERIAL", "nodes[0].material"),
        ("$FROM", "edges[0].from"),
        ("$SITE", "sites[0].id"),
        ("$ITEM", "items[0].id"),
        ("$SCENARIO", "scenarios[0].id"),
        ("$TARGET", "scenarios[0].disrupt[0].node"),
    ];
    for (json, shown) in hostile {
        for (token, path) in fields {
            let lines = errors(&network(&[(token, json)]));
            let line = lines
                .iter()
                .find(|line| line.starts_with(&format!("{path}: ")))
                .unwrap_or_else(|| panic!("{token} = {json}: no error at {path}: {lines:?}"));
            assert!(
                line.contains(&format!("`{shown}`")) && line.contains("an identifier may not hold"),
                "{line}"
            );
            for line in &lines {
                assert!(
                    !line.chars().any(lifeline_text::is_unsafe),
                    "raw control character in {line:?}"
                );
            }
        }
    }
    // A free-text field may hold them: it is escaped where shown, not refused.
    let result = read(&network(&[("$NAME", r"Plant\u001b[31m")]), Format::Json);
    assert!(result.is_ok(), "{}", render(&result));
}

#[test]
fn numbers_the_solver_cannot_take_are_refused_by_validation() {
    for (token, value, path) in [
        ("$DEMAND", "1e308", "nodes[1].demand"),
        ("$DEMAND", "1e13", "nodes[1].demand"),
        ("$HORIZON", "1e-320", "horizon"),
        ("$HORIZON", "0.0001", "horizon"),
        ("$HORIZON", "1e6", "horizon"),
    ] {
        let lines = errors(&network(&[(token, value)]));
        assert!(
            lines
                .iter()
                .any(|line| line.starts_with(&format!("{path}: must be a number from"))),
            "{token} = {value}: {lines:?}"
        );
    }
    let ranges = r#"{ "format": "lifeline-network/1",
        "nodes": [ { "id": "S1", "capacity": 2e12, "inventory": -1, "ttr": 1e-9, "spend": 1e16 },
                   { "id": "H1", "demand": 1, "value": 1e10, "bom": { "S1": 1e-7 } } ],
        "edges": [ { "from": "S1", "to": "H1", "lead_time": 100001 } ],
        "scenarios": [ { "id": "x", "start": 1e300, "downtime_cost": 1e20,
                         "disrupt": [ { "node": "S1", "defection": { "fraction": 0.5, "after": 1e9 } } ] } ] }"#;
    let lines = errors(ranges);
    for path in [
        "nodes[0].capacity",
        "nodes[0].inventory",
        "nodes[0].ttr",
        "nodes[0].spend",
        "nodes[1].value",
        "nodes[1].bom.S1",
        "edges[0].lead_time",
        "scenarios[0].start",
        "scenarios[0].downtime_cost",
        "scenarios[0].disrupt[0].defection.after",
    ] {
        assert!(
            lines
                .iter()
                .any(|line| line.starts_with(&format!("{path}: must be"))),
            "{path}: {lines:?}"
        );
    }
}

/// Reads `text` within `limits`; the result must be a limit error, rendered.
fn check_limit(text: &str, format: Format, limits: &ReadLimits) -> String {
    let origin = Path::new("hostile.doc");
    match lifeline_network::from_str_with(text, format, origin, limits) {
        Err(error @ LoadError::Limit { .. }) => {
            let shown = error.to_string();
            assert!(shown.starts_with("`hostile.doc`: "), "{shown}");
            assert!(shown.len() < 400, "{shown}");
            shown
        }
        other => panic!("expected a limit error, got {}", render(&other)),
    }
}

#[test]
fn over_long_values_are_refused_naming_the_field() {
    let limits = ReadLimits::default();
    let long = "x".repeat(limits.value_bytes + 1);
    let text = network(&[("$NAME", long.as_str())]);
    let shown = check_limit(&text, Format::Json, &limits);
    assert!(
        shown.contains("sites[0].name: a string of 65537 bytes"),
        "{shown}"
    );
    let yaml = format!("format: lifeline-network/1\nnodes:\n  - id: S1\n    kind: {long}\n");
    let shown = check_limit(&yaml, Format::Yaml, &limits);
    assert!(shown.contains("a string of 65537 bytes"), "{shown}");
    // A key counts as a value.
    let text = format!(r#"{{ "format": "lifeline-network/1", "{long}": 1 }}"#);
    check_limit(&text, Format::Json, &limits);
    // The limit is the caller's to set.
    let tight = ReadLimits {
        value_bytes: 4,
        ..ReadLimits::default()
    };
    let shown = check_limit(&network(&[]), Format::Json, &tight);
    assert!(shown.contains("a string of 6 bytes"), "{shown}");
}

#[test]
fn over_deep_documents_are_refused() {
    let limits = ReadLimits::default();
    for depth in [limits.depth + 1, 1_000, 100_000] {
        let json = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let shown = check_limit(&json, Format::Json, &limits);
        assert!(
            shown.contains("deeper than the limit of 64 levels"),
            "{shown}"
        );
        let json = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
        let shown = check_limit(&json, Format::Json, &limits);
        assert!(shown.contains("`hostile.doc`: a.a.a."), "{shown}");
    }
    for depth in [limits.depth + 1, 1_000] {
        let yaml = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let result =
            lifeline_network::from_str_with(&yaml, Format::Yaml, Path::new("x.yaml"), &limits);
        assert!(
            matches!(
                result,
                Err(LoadError::Limit { .. } | LoadError::Syntax { .. })
            ),
            "{}",
            render(&result)
        );
        let shown = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            ["depth", "deeper", "recursion limit"]
                .iter()
                .any(|word| shown.contains(word)),
            "{shown}"
        );
    }
    // At the limit, a document is read.
    let nested = format!("{}{}", "[".repeat(limits.depth), "]".repeat(limits.depth));
    let result = lifeline_network::from_str_with(&nested, Format::Json, Path::new("x"), &limits);
    assert!(
        matches!(result, Err(LoadError::Invalid { .. })),
        "{}",
        render(&result)
    );
}

#[test]
fn oversized_files_are_refused() {
    let limits = ReadLimits {
        file_bytes: 100,
        ..ReadLimits::default()
    };
    let shown = check_limit(&network(&[]), Format::Json, &limits);
    assert!(
        shown.contains("over the limit of 100 bytes per file"),
        "{shown}"
    );
    let folder = temporary("file-size");
    std::fs::write(folder.join("doc.json"), network(&[])).expect("write");
    let result = lifeline_network::load_with(&folder.join("doc.json"), &limits);
    std::fs::remove_dir_all(&folder).expect("clean up");
    assert!(
        matches!(result, Err(LoadError::Limit { .. })),
        "{}",
        render(&result)
    );
}

fn temporary(name: &str) -> std::path::PathBuf {
    let folder = std::env::temp_dir().join(format!(
        "lifeline-network-hostile-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&folder).expect("temporary folder");
    folder
}

#[test]
fn huge_csv_records_are_refused_before_they_are_read() {
    let folder = temporary("csv");
    std::fs::write(folder.join("edges.csv"), "from,to\n").expect("write");
    let limits = ReadLimits::default();
    // A 16 MiB header: the reader stops after the first MiB.
    let header = format!("id,{}\n", "c".repeat(16 * 1024 * 1024));
    std::fs::write(folder.join("nodes.csv"), &header).expect("write");
    let header_result = lifeline_network::load_with(&folder, &limits);
    // A row of one quoted field with line breaks in it counts as one record.
    let row = format!("id\nS1\n\"{}\"\n", "ab\n".repeat(400_000));
    std::fs::write(folder.join("nodes.csv"), &row).expect("write");
    let row_result = lifeline_network::load_with(&folder, &limits);
    // A cell over the value limit, in a record under the record limit.
    let cell = format!("id,name\nS1,{}\n", "n".repeat(limits.value_bytes + 1));
    std::fs::write(folder.join("nodes.csv"), &cell).expect("write");
    let cell_result = lifeline_network::load_with(&folder, &limits);
    std::fs::remove_dir_all(&folder).expect("clean up");
    for (result, field) in [
        (header_result, "line 1"),
        (row_result, "line 3"),
        (cell_result, "line 2, column name"),
    ] {
        match result {
            Err(LoadError::Limit {
                path,
                field: found,
                message,
            }) => {
                assert!(path.ends_with("nodes.csv"), "{}", path.display());
                assert_eq!(found, field, "{message}");
            }
            other => panic!("expected a limit error, got {}", render(&other)),
        }
    }
}

#[test]
fn messages_show_a_hundred_diagnostics_and_count_the_rest() {
    let nodes: Vec<String> = (0..150)
        .map(|i| format!(r#"{{"id":"N{i}","capacity":-1}}"#))
        .collect();
    let text = format!(
        r#"{{"format":"lifeline-network/1","nodes":[{}],"edges":[],"junk":1}}"#,
        nodes.join(",")
    );
    let Err(error @ LoadError::Invalid { .. }) = read(&text, Format::Json) else {
        panic!("expected an invalid network");
    };
    let LoadError::Invalid { diagnostics, .. } = &error else {
        unreachable!()
    };
    assert_eq!(diagnostics.error_count(), 150, "every problem is counted");
    assert_eq!(diagnostics.0.len(), 151);
    let shown = error.to_string();
    assert!(shown.contains("(150 error(s))"), "{}", &shown[..100]);
    assert_eq!(shown.matches("must be a number from 0").count(), 100);
    assert!(
        shown.ends_with("… and 51 more (50 error(s), 1 warning(s))"),
        "{}",
        &shown[shown.len() - 100..]
    );
}

#[test]
fn warnings_show_excerpts_of_long_values() {
    let key = "k".repeat(10_000);
    let text = format!(r#"{{"format":"lifeline-network/1","{key}":1,"nodes":[],"edges":[]}}"#);
    let loaded = read(&text, Format::Json).expect("valid, with a warning");
    let warning = loaded.warnings[0].to_string();
    assert!(
        warning.contains("(10000 bytes)") && warning.len() < 200,
        "{warning}"
    );
    let value = "v".repeat(10_000);
    let text = network(&[("$SUPPLIER", value.as_str()), ("$FROM", "S2")]);
    for line in errors(&text) {
        assert!(line.len() < 300, "{line}");
    }
}
