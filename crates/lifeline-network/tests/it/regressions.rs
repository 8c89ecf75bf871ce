//! Inputs that once broke (or could break) the reader: deep nesting, aliases, odd keys,
//! and every crash the fuzz target (`fuzz/fuzz_targets/network.rs`) has found. Each must
//! come back as an error or a network, never a panic or a stack overflow.

use lifeline_network::{Format, LoadError};

use crate::{read, render};

/// Reads `text` in `format`; the result must be an error (syntax or diagnostics).
fn check_rejected(text: &str, format: Format) -> String {
    let result = read(text, format);
    assert!(
        matches!(
            result,
            Err(LoadError::Syntax { .. } | LoadError::Invalid { .. } | LoadError::Limit { .. })
        ),
        "expected an error, got {}",
        render(&result)
    );
    render(&result)
}

#[test]
fn empty_and_blank_inputs() {
    for text in ["", " ", "\n", "null", "~", "0", "\"\"", "[]"] {
        check_rejected(text, Format::Yaml);
    }
    for text in ["", " ", "null", "0", "\"\"", "[]"] {
        check_rejected(text, Format::Json);
    }
    // An empty object is an empty network: valid, with the missing `format` warned about.
    for format in [Format::Json, Format::Yaml] {
        match read("{}", format) {
            Ok(loaded) => {
                assert!(loaded.network.nodes().is_empty());
                assert_eq!(loaded.warnings.len(), 1);
            }
            Err(error) => panic!("{error}"),
        }
    }
}

#[test]
fn deeply_nested_json_is_refused() {
    let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let rendered = check_rejected(&text, Format::Json);
    assert!(
        rendered.contains("nest deeper than the limit of 64 levels"),
        "{rendered}"
    );
    let text = format!("{}1{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
    check_rejected(&text, Format::Json);
}

#[test]
fn deeply_nested_yaml_is_a_syntax_error() {
    let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let rendered = check_rejected(&text, Format::Yaml);
    assert!(rendered.starts_with("not valid YAML"), "{rendered}");
    let text: String = (0..2_000)
        .map(|depth| format!("{}a:\n", " ".repeat(depth)))
        .collect();
    check_rejected(&text, Format::Yaml);
}

#[test]
fn yaml_alias_bomb_is_a_syntax_error() {
    let mut text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n".to_owned();
    let mut previous = 'a';
    for name in 'b'..='z' {
        let items = vec![format!("*{previous}"); 10].join(", ");
        text.push_str(&format!("{name}: &{name} [{items}]\n"));
        previous = name;
    }
    check_rejected(&text, Format::Yaml);
}

#[test]
fn yaml_keys_that_are_not_strings() {
    // Numbers, booleans and null keys become strings; lists and objects are refused.
    check_rejected("? [a, b]\n: 1\n", Format::Yaml);
    check_rejected("{ ? { a: 1 } : 1 }", Format::Yaml);
    let result = read(
        "{ nodes: [ { 1: 2, true: 3, null: 4, id: S1 } ], edges: [] }",
        Format::Yaml,
    );
    let rendered = render(&result);
    assert!(result.is_ok(), "{rendered}");
    for key in ["1", "true", "null"] {
        assert!(
            rendered.contains(&format!("warning: nodes[0].{key}: unknown field")),
            "{rendered}"
        );
    }
}

#[test]
fn yaml_with_several_documents() {
    check_rejected(
        "format: lifeline-network/1\n---\nformat: lifeline-network/1\n",
        Format::Yaml,
    );
}

#[test]
fn huge_and_tiny_numbers() {
    let text = r#"{ "format": "lifeline-network/1",
        "nodes": [ { "id": "S1", "capacity": 1e308, "inventory": 5e-324 },
                   { "id": "H1", "demand": 18446744073709551616, "value": 1e-300 } ],
        "edges": [ { "from": "S1", "to": "H1", "lead_time": 4294967295 },
                   { "from": "S1", "to": "H1", "lead_time": 4294967296 } ] }"#;
    let rendered = check_rejected(text, Format::Json);
    assert!(
        rendered.contains("edges[1].lead_time: must be a number from 0 to 100000"),
        "{rendered}"
    );
    assert!(rendered.contains("edges[1]: duplicate edge"), "{rendered}");
}

#[test]
fn long_strings_are_shortened_in_messages() {
    let long = "x".repeat(10_000);
    let text = format!(
        r#"{{ "format": "lifeline-network/1", "nodes": [ {{ "id": "S1", "capacity": "{long}" }} ], "edges": [] }}"#
    );
    let rendered = check_rejected(&text, Format::Json);
    assert!(rendered.len() < 200, "{rendered}");
}

#[test]
fn many_entities_with_the_same_id() {
    let nodes: Vec<String> = (0..2_000).map(|_| r#"{"id":"S1"}"#.to_owned()).collect();
    let text = format!(
        r#"{{"format":"lifeline-network/1","nodes":[{}],"edges":[]}}"#,
        nodes.join(",")
    );
    let result = read(&text, Format::Json);
    match result {
        Err(LoadError::Invalid { diagnostics, .. }) => assert_eq!(diagnostics.error_count(), 1_999),
        other => panic!("expected duplicate ids, got {}", render(&other)),
    }
}

/// Pointing diagnostics back at CSV rows was quadratic (45 s for these 20 000 rows).
#[test]
fn large_csv_folder_with_a_diagnostic_on_every_row() {
    let folder = std::env::temp_dir().join(format!("lifeline-network-it-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("temporary folder");
    let rows: String = (0..20_000).map(|i| format!("N{i},-1,x\n")).collect();
    std::fs::write(
        folder.join("nodes.csv"),
        format!("id,capacity,note\n{rows}"),
    )
    .expect("write");
    std::fs::write(folder.join("edges.csv"), "from,to\n").expect("write");
    let result = lifeline_network::load(&folder);
    std::fs::remove_dir_all(&folder).expect("clean up");
    match result {
        Err(LoadError::Invalid { diagnostics, .. }) => {
            assert_eq!(diagnostics.error_count(), 20_000);
            assert_eq!(diagnostics.0[1].path, "nodes.csv line 2, column note");
            assert_eq!(
                diagnostics.0.last().map(|d| d.path.as_str()),
                Some("nodes.csv line 20001, column note")
            );
        }
        other => panic!("expected 20000 errors, got {}", render(&other)),
    }
}
