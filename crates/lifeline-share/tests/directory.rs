//! Reading the partner directory: the example is valid against its network and register,
//! every problem of a bad directory is named by its path, export reads back equal, and
//! the look-ups the planners use.

use std::path::Path;

use lifeline_share::directory::{
    self, Channel, Checks, DirectoryError, KeyState, Severity, check_email, check_phone,
    check_webhook,
};
use time::macros::datetime;

fn repo(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

const EXAMPLE: &str = "examples/partners/distributor-ransomware.yaml";

#[test]
fn the_example_directory_is_valid_against_its_network_and_register() {
    let network = lifeline_network::from_str(
        &repo("examples/distributor-ransomware.json"),
        lifeline_network::Format::Json,
        Path::new("distributor-ransomware.json"),
    )
    .expect("network");
    let register =
        lifeline_risk_free_vendor_ids(&repo("examples/distributor-ransomware.vendors.json"));
    let (dir, warnings) = directory::from_str_with(
        &repo(EXAMPLE),
        EXAMPLE,
        Checks {
            network: Some(&network.network),
            vendors: Some(&register),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(dir.me().expect("keeper").id, "medsupply");
    assert_eq!(dir.organisations.len(), 9);
    // With another network, the entity ids are refused where they are written.
    let toy = lifeline_network::from_str(
        &repo("examples/toy.json"),
        lifeline_network::Format::Json,
        Path::new("toy.json"),
    )
    .expect("toy network");
    let Err(DirectoryError::Invalid { diagnostics, .. }) = directory::from_str_with(
        &repo(EXAMPLE),
        EXAMPLE,
        Checks {
            network: Some(&toy.network),
            vendors: Some(&["medsupply".to_owned()]),
        },
    ) else {
        panic!("entities of another network must be refused");
    };
    let text = diagnostics.to_string();
    assert!(
        text.contains("error: organisations[0].entities[0]: `dc-medsupply-east` is not a node, site or platform of the network"),
        "{text}"
    );
    assert!(
        text.contains("error: organisations[1].vendors[0]: `orderline-systems` is not a vendor of the register"),
        "{text}"
    );
}

/// The register's vendor ids, read as plain JSON (the register's own reader lives in
/// lifeline-risk, which this crate does not depend on).
fn lifeline_risk_free_vendor_ids(text: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(text).expect("register JSON");
    value["vendors"]
        .as_array()
        .expect("vendors")
        .iter()
        .map(|v| v["id"].as_str().expect("id").to_owned())
        .collect()
}

const BAD: &str = r#"{
  "format": "lifeline-partners/1",
  "organisation": "acme",
  "defaults": {"ack_window": "0m"},
  "organisations": [
    {"id": "acme", "name": "Acme", "kind": "distributor", "clearance": "red",
     "contacts": [], "keys": [
       {"id": "k/1", "x": "not-a-key", "not_before": "2026-01-01T00:00:00Z", "not_after": "2025-01-01T00:00:00Z"},
       {"id": "k2", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "not_before": "yesterday", "not_afer": "2027-01-01T00:00:00Z"}
     ]},
    {"id": "acme", "name": "", "kind": "spaceship", "clearance": "purple", "tier": 0,
     "vendors": ["Acme Inc"],
     "contacts": [
       {"id": "a", "name": "A", "role": "duty", "escalation": 1, "channels": [
          {"email": "not an address"},
          {"webhook": "http://partner.example.org/hook"},
          {"webhook": "https://user:pw@partner.example.org/hook"},
          {"phone": "555-0100"},
          {"fax": "+1 555 0100"},
          {"email": "a@example.org", "phone": "+1 555 0100"}
       ]},
       {"id": "a", "name": "B", "role": "duty", "escalation": 1, "channels": []}
     ]},
    {"id": "other", "name": "Other", "kind": "hospital", "clearance": "green", "contacts": [
       {"id": "x", "name": "X", "role": "it", "escalation": 1, "channels": [{"email": "x@other.example.org"}]}
     ], "keys": [
       {"id": "k", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "not_before": "2026-01-01T00:00:00Z",
        "revoked": {"at": "2026-02-01T00:00:00Z", "reason": " "}}
     ]}
  ]
}"#;

#[test]
fn every_problem_is_named_by_its_path() {
    let Err(DirectoryError::Invalid { diagnostics, .. }) = directory::from_str(BAD, "bad.json")
    else {
        panic!("must be invalid");
    };
    let lines: Vec<String> = diagnostics.0.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!(lines.join("\n"));
    assert!(
        diagnostics
            .0
            .iter()
            .all(|d| d.severity == Severity::Error || !d.path.is_empty())
    );
}

#[test]
fn duplicate_keys_and_yaml_are_read_like_the_network() {
    let yaml = "format: lifeline-partners/1\norganisation: a\norganisation: b\norganisations:\n  - id: a\n    name: A\n    kind: hospital\n    clearance: amber\n    contacts: []\n";
    let Err(DirectoryError::Invalid { diagnostics, .. }) = directory::from_str(yaml, "d.yaml")
    else {
        panic!("a duplicate key must be refused");
    };
    assert!(
        diagnostics
            .to_string()
            .contains("error: organisation: duplicate key"),
        "{diagnostics}"
    );
    // Not JSON or YAML at all: a load error naming the file.
    let error = directory::from_str("{\"format\": ", "broken.json").expect_err("syntax");
    assert!(error.to_string().contains("broken.json"), "{error}");
}

#[test]
fn export_reads_back_equal_in_both_syntaxes() {
    let (dir, _) = directory::from_str(&repo(EXAMPLE), EXAMPLE).expect("valid");
    let yaml = directory::to_yaml(&dir).expect("yaml");
    let json = directory::to_json(&dir).expect("json");
    assert_eq!(
        directory::from_str(&yaml, "x.yaml").expect("yaml reads").0,
        dir
    );
    assert_eq!(
        directory::from_str(&json, "x.json").expect("json reads").0,
        dir
    );
    // The export of an export is the same text: the form is normal.
    let again = directory::from_str(&yaml, "x.yaml").expect("reads").0;
    assert_eq!(directory::to_yaml(&again).expect("yaml"), yaml);
}

#[test]
fn look_ups_for_the_planners() {
    let (dir, _) = directory::from_str(&repo(EXAMPLE), EXAMPLE).expect("valid");
    let order: Vec<&str> = dir
        .contacts_in_order("hosp-mercy")
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(order, ["materials", "security", "nursing"]);
    // Contact window, else organisation's, else the default.
    assert_eq!(
        dir.ack_window("orderline-systems", "soc").to_string(),
        "15m"
    );
    assert_eq!(dir.ack_window("hosp-mercy", "materials").to_string(), "20m");
    assert_eq!(dir.ack_window("hosp-valley", "supply").to_string(), "30m");
    let linked: Vec<&str> = dir
        .organisations_for_entities(&["eorder-medsupply"])
        .iter()
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(linked, ["orderline-systems", "health-isac", "state-doh"]);
    // The keeper is never its own partner.
    assert!(
        dir.organisations_for_entities(&["dc-medsupply-east"])
            .iter()
            .all(|o| o.id != "medsupply")
    );
    let (org, key) = dir.key("hosp-mercy/2026-a").expect("key");
    assert_eq!(org.id, "hosp-mercy");
    assert_eq!(key.state(datetime!(2026-03-01 00:00 UTC)), KeyState::Valid);
    assert_eq!(
        key.state(datetime!(2026-01-01 00:00 UTC)),
        KeyState::Pending
    );
    assert!(dir.key("hosp-mercy/none").is_none());
    assert!(matches!(
        dir.contacts_in_order("metro-coalition")[0].channels[2],
        Channel::Phone(_)
    ));
}

#[test]
fn addresses_urls_and_numbers() {
    for good in ["a@example.org", "first.last+tag@mail.example.co.uk"] {
        assert!(check_email(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "a",
        "a@b",
        "a@@example.org",
        "a b@example.org",
        ".a@example.org",
        "a@-x.org",
        "a@x..org",
    ] {
        assert!(check_email(bad).is_err(), "{bad}");
    }
    for good in [
        "https://partner.example.org/hook",
        "https://partner.example.org:8443/a?b=c",
        "http://127.0.0.1:8701/x",
        "http://localhost/x",
        "http://[::1]:9000/x",
        "https://[2001:db8::1]/x",
    ] {
        assert!(check_webhook(good).is_ok(), "{good}");
    }
    for bad in [
        "http://partner.example.org/hook",
        "http://10.0.0.1/x",
        "ftp://example.org/x",
        "https://u:p@example.org/x",
        "https://example.org:0/x",
        "https://example.org:99999/x",
        "https:///x",
        "https://example.org/x#frag",
        "https://exa mple.org/x",
    ] {
        assert!(check_webhook(bad).is_err(), "{bad}");
    }
    for good in ["+1 555 0100", "+44 20 7946 0958", "+49-30-1234567"] {
        assert!(check_phone(good).is_ok(), "{good}");
    }
    for bad in [
        "555 0100",
        "+1 55",
        "+1 555 0100 ext 5",
        "+12345678901234567",
    ] {
        assert!(check_phone(bad).is_err(), "{bad}");
    }
}

#[test]
fn windows_read_whole_units_and_refuse_the_rest_without_panicking() {
    use lifeline_share::directory::Window;
    for (text, seconds) in [("45s", 45), ("30m", 1800), ("4h", 14_400), ("2d", 172_800)] {
        let window: Window = text.parse().expect(text);
        assert_eq!(window.seconds, seconds, "{text}");
        assert_eq!(window.to_string(), text);
    }
    // Found by schemathesis on `GET /drills/{id}?slow_after=`: a last character of more
    // than one byte once split the text inside it.
    for text in [
        "",
        "m",
        "0m",
        "30",
        "30x",
        "\u{1d}\u{81}",
        "3é",
        "é",
        "-5m",
        "99999999d",
    ] {
        assert!(text.parse::<Window>().is_err(), "{text:?}");
    }
}
