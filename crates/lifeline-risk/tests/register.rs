//! The vendor register's reader (`lifeline_risk::register`): every invalid document under
//! `tests/data/register/invalid/` gives the diagnostics in its snapshot, valid documents
//! decode to the model, a network adds its warnings, and no document makes it panic.

use std::path::{Path, PathBuf};

use lifeline_network::{Format, Raw, ValidatedNetwork};
use lifeline_risk::model::{AnswerValue, ControlId};
use lifeline_risk::register::{self, LoadedRegister, RegisterError};
use proptest::prelude::*;
use time::macros::date;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/register")
}

/// The iv-fluids example network, read once for the property tests.
fn iv_fluids() -> &'static ValidatedNetwork {
    static NETWORK: std::sync::OnceLock<ValidatedNetwork> = std::sync::OnceLock::new();
    NETWORK.get_or_init(|| network("iv-fluids.json"))
}

fn network(name: &str) -> ValidatedNetwork {
    let path = repo().join("examples").join(name);
    lifeline_network::load(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .network
}

/// Reads `text` as the register `origin` and says what the reader says: every
/// diagnostic, one per line, then whether the register is valid.
fn check(origin: &str, text: &str, network: Option<&ValidatedNetwork>) -> String {
    let format = Format::detect(Path::new(origin), text);
    match register::from_str(text, format, Path::new(origin), network) {
        Ok(loaded) => {
            let mut out: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
            out.push(format!(
                "valid: {} vendor(s)",
                loaded.register.vendors.len()
            ));
            out.join("\n")
        }
        Err(RegisterError::Invalid { path, diagnostics }) => {
            assert_eq!(path, Path::new(origin));
            assert!(diagnostics.has_errors(), "invalid without an error");
            format!(
                "{diagnostics}\ninvalid: {} error(s)",
                diagnostics.error_count()
            )
        }
        Err(RegisterError::Load(error)) => format!("not read: {error}"),
    }
}

/// Reads a register that must validate.
fn load(text: &str, network: Option<&ValidatedNetwork>) -> LoadedRegister {
    register::from_str(text, Format::Json, Path::new("register.json"), network)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_invalid_document_says_what_is_wrong_and_where() {
    let folder = data().join("invalid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("tests/data/register/invalid")
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    for file in files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 file name")
            .to_owned();
        let text = std::fs::read_to_string(&file).expect("read the case");
        let out = check(&name, &text, None);
        assert!(
            out.ends_with("error(s)"),
            "{name} should be invalid:\n{out}"
        );
        insta::assert_snapshot!(format!("invalid-{name}"), out);
    }
}

#[test]
fn a_control_of_the_wrong_type_is_named_by_vendor_and_field() {
    let out = check(
        "r.json",
        r#"{"format": "lifeline-vendors/1", "vendors": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"},
            {"id": "c", "name": "C"}, {"id": "d", "name": "D", "controls": {"mfa": "enabled"}}]}"#,
        None,
    );
    assert!(
        out.starts_with("error: vendors[3].controls.mfa: expected true or false, or a control object, found `\"enabled\"`"),
        "{out}"
    );
}

#[test]
fn a_valid_register_decodes_every_field() {
    let loaded = load(
        r#"{
  "format": "lifeline-vendors/1",
  "as_of": "2026-12-01",
  "vendors": [
    {"id": "meridian-edi", "name": "Meridian EDI", "kind": "it-platform", "contact": "security@meridian.example",
     "subcontractors": ["cloud-host"], "alternatives": ["cloud-host"],
     "products": [{"id": "gateway", "name": "EDI gateway", "purl": "pkg:generic/meridian/edi-gateway@13.1",
                   "cpe": "cpe:2.3:a:meridian:edi_gateway:13.1:*:*:*:*:*:*:*",
                   "sbom": "urn:uuid:0b5e3a1c-7d2f-4e8a-9c61-3f0d2b7a9e14"}],
     "controls": {
       "mfa": true,
       "encryption_at_rest": false,
       "offline_backups": {"in_place": true, "last_restore_test": "2026-09-14", "restore_hours": 36,
                           "evidence": [{"kind": "soc2-type2", "issued": "2026-01-15", "expires": "2027-01-14", "reference": "SOC 2 report 2025"}]},
       "incident_response_plan": {"in_place": true, "last_tested": "2026-05-02"},
       "awareness_training": {"in_place": true, "completion": 0.94, "phishing_click_rate": 0.07},
       "vulnerability_management": {"in_place": false, "critical_patch_days": 45}
     },
     "answers": [
       {"question": "GV.SC-05", "answer": "partial", "comment": "contract clauses under renegotiation"},
       {"question": "GV.SC-08", "answer": "na"},
       {"question": "ctl-mfa", "answer": "yes", "evidence": [{"kind": "attestation", "issued": "2026-03-01"}]}
     ],
     "incidents": [{"date": "2023-10-14", "kind": "ransomware", "downtime_days": 42, "source": "https://example.org/a"}]},
    {"id": "cloud-host", "name": "Cloud Host"}
  ]
}"#,
        None,
    );
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let register = loaded.register;
    assert_eq!(register.format, "lifeline-vendors/1");
    assert_eq!(register.as_of, Some(date!(2026 - 12 - 01)));
    let vendor = register.vendor("meridian-edi").expect("meridian-edi");
    assert_eq!(vendor.kind.as_deref(), Some("it-platform"));
    assert_eq!(vendor.contact.as_deref(), Some("security@meridian.example"));
    assert_eq!(vendor.subcontractors, ["cloud-host"]);
    assert_eq!(vendor.alternatives, ["cloud-host"]);
    assert_eq!(
        vendor.products[0].sbom.as_deref(),
        Some("urn:uuid:0b5e3a1c-7d2f-4e8a-9c61-3f0d2b7a9e14")
    );
    let controls = &vendor.controls;
    assert_eq!(controls.0.len(), 6, "absent controls stay unknown");
    assert!(
        controls
            .get(ControlId::Mfa)
            .is_some_and(|c| c.in_place && c.evidence.is_empty())
    );
    assert!(
        controls
            .get(ControlId::EncryptionAtRest)
            .is_some_and(|c| !c.in_place)
    );
    assert!(controls.get(ControlId::NetworkSegmentation).is_none());
    let backups = controls.get(ControlId::OfflineBackups).expect("backups");
    assert_eq!(backups.last_restore_test, Some(date!(2026 - 09 - 14)));
    assert_eq!(backups.restore_hours, Some(36.0));
    assert_eq!(backups.evidence[0].kind, "soc2-type2");
    assert_eq!(backups.evidence[0].expires, Some(date!(2027 - 01 - 14)));
    assert_eq!(
        backups.evidence[0].reference.as_deref(),
        Some("SOC 2 report 2025")
    );
    let plan = controls.get(ControlId::IncidentResponsePlan).expect("plan");
    assert_eq!(plan.last_tested, Some(date!(2026 - 05 - 02)));
    let training = controls
        .get(ControlId::AwarenessTraining)
        .expect("training");
    assert_eq!(
        (training.completion, training.phishing_click_rate),
        (Some(0.94), Some(0.07))
    );
    let patching = controls
        .get(ControlId::VulnerabilityManagement)
        .expect("patching");
    assert!(!patching.in_place);
    assert_eq!(patching.critical_patch_days, Some(45.0));
    let answers: Vec<(&str, AnswerValue)> = vendor
        .answers
        .iter()
        .map(|a| (a.question.as_str(), a.answer))
        .collect();
    assert_eq!(
        answers,
        [
            ("GV.SC-05", AnswerValue::Partial),
            ("GV.SC-08", AnswerValue::Na),
            ("ctl-mfa", AnswerValue::Yes)
        ]
    );
    assert_eq!(
        vendor.answers[0].comment.as_deref(),
        Some("contract clauses under renegotiation")
    );
    assert_eq!(
        vendor.answers[2].evidence[0].issued,
        Some(date!(2026 - 03 - 01))
    );
    let incident = &vendor.incidents[0];
    assert_eq!(
        (
            incident.date,
            incident.kind.as_str(),
            incident.downtime_days
        ),
        (date!(2023 - 10 - 14), "ransomware", Some(42.0))
    );
    let host = register.vendor("cloud-host").expect("cloud-host");
    assert!(host.controls.is_empty() && host.products.is_empty() && host.answers.is_empty());
}

#[test]
fn warnings_do_not_make_a_register_invalid() {
    let out = check(
        "r.json",
        r#"{"as_of": "2026-12-01", "vendors": [{"id": "acme", "name": "Acme", "rating": "A",
            "controls": {"mfa": {"in_place": true, "last_tested": "2026-01-01"}, "mfaa": true},
            "answers": [{"question": "Q1", "answer": "yes"}],
            "incidents": [{"date": "2027-01-01", "kind": "outage"}]}]}"#,
        None,
    );
    insta::assert_snapshot!(out);
}

#[test]
fn yaml_reads_like_json() {
    let yaml = "format: lifeline-vendors/1\nas_of: 2026-12-01\nvendors:\n  - id: acme\n    name: Acme\n    controls:\n      mfa: true\n      offline_backups:\n        in_place: true\n        last_restore_test: 2026-10-01\n    answers:\n      - question: GV.SC-05\n        answer: \"no\"\n";
    let loaded = register::from_str(yaml, Format::Yaml, Path::new("r.yaml"), None)
        .unwrap_or_else(|e| panic!("{e}"));
    let vendor = &loaded.register.vendors[0];
    assert_eq!(loaded.register.as_of, Some(date!(2026 - 12 - 01)));
    assert_eq!(
        vendor
            .controls
            .get(ControlId::OfflineBackups)
            .and_then(|c| c.last_restore_test),
        Some(date!(2026 - 10 - 01))
    );
    assert_eq!(vendor.answers[0].answer, AnswerValue::No);
}

#[test]
fn unreadable_text_is_a_load_error_that_names_the_file() {
    let error = register::from_str(
        "{\"vendors\": [",
        Format::Json,
        Path::new("broken.json"),
        None,
    )
    .expect_err("broken JSON");
    assert!(matches!(error, RegisterError::Load(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("`broken.json` is not valid JSON"),
        "{error}"
    );
    let invalid = register::from_str(
        "{\"vendors\": [{}]}",
        Format::Json,
        Path::new("r.json"),
        None,
    )
    .expect_err("no id, no name");
    assert!(
        invalid
            .to_string()
            .starts_with("`r.json` is not a valid vendor register (2 error(s)):\n"),
        "{invalid}"
    );
}

#[test]
fn with_a_network_a_vendor_no_entity_carries_is_a_warning() {
    let network = network("iv-fluids.json");
    let text = r#"{"format": "lifeline-vendors/1", "vendors": [
        {"id": "meridian-edi", "name": "Meridian EDI"}, {"id": "nobody-we-use", "name": "Nobody"}]}"#;
    let out = check("r.json", text, Some(&network));
    insta::assert_snapshot!(out);
    assert!(check("r.json", text, None).ends_with("valid: 2 vendor(s)"));
}

/// The example registers validate against their networks without a warning: every
/// vendor id is carried by an entity, every question id is known.
#[test]
fn the_example_registers_validate_against_their_networks() {
    for example in ["iv-fluids", "distributor-ransomware"] {
        let network = network(&format!("{example}.json"));
        let path = repo().join(format!("examples/{example}.vendors.json"));
        let text = std::fs::read_to_string(&path).expect("example register");
        let loaded = register::from_str(&text, Format::Json, &path, Some(&network))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            loaded.warnings.is_empty(),
            "{example}: {:?}",
            loaded.warnings
        );
        assert!(loaded.register.as_of.is_some(), "{example}: as_of");
        for vendor in &loaded.register.vendors {
            assert!(
                !network.entities_of_vendor(&vendor.id).is_empty(),
                "{example}: {} is carried by no entity",
                vendor.id
            );
        }
    }
}

/// Field names and values the reader looks for, so that arbitrary documents reach deep
/// into vendors, controls and evidence rather than stopping at the first level.
const KEYS: &[&str] = &[
    "format",
    "as_of",
    "vendors",
    "id",
    "name",
    "kind",
    "contact",
    "subcontractors",
    "alternatives",
    "products",
    "purl",
    "cpe",
    "sbom",
    "controls",
    "mfa",
    "offline_backups",
    "incident_response_plan",
    "awareness_training",
    "vulnerability_management",
    "in_place",
    "evidence",
    "issued",
    "expires",
    "reference",
    "last_restore_test",
    "restore_hours",
    "last_tested",
    "completion",
    "phishing_click_rate",
    "critical_patch_days",
    "answers",
    "question",
    "answer",
    "comment",
    "incidents",
    "date",
    "downtime_days",
    "source",
    "other",
];
const VALUES: &[&str] = &[
    "lifeline-vendors/1",
    "2026-12-01",
    "2027-02-29",
    "2024-02-29",
    "acme",
    "bolt",
    "Acme Inc",
    "",
    "yes",
    "no",
    "na",
    "partial",
    "GV.SC-05",
    "ctl-mfa",
    "HICP-7",
    "pkg:npm/a@1",
    "urn:uuid:0b5e3a1c-7d2f-4e8a-9c61-3f0d2b7a9e14",
    "security@acme.example",
    "\u{202e}",
    "ransomware",
];

fn arbitrary_raw() -> impl Strategy<Value = Raw> {
    let leaf = prop_oneof![
        Just(Raw::Null),
        any::<bool>().prop_map(Raw::Bool),
        any::<f64>().prop_map(Raw::Number),
        prop_oneof![
            Just(0.5),
            Just(-1.0),
            Just(30.0),
            Just(f64::NAN),
            Just(f64::INFINITY)
        ]
        .prop_map(Raw::Number),
        proptest::sample::select(VALUES).prop_map(|s| Raw::String(s.to_owned())),
        ".{0,12}".prop_map(Raw::String),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Raw::List),
            prop::collection::vec(
                (
                    prop_oneof![
                        4 => proptest::sample::select(KEYS).prop_map(str::to_owned),
                        1 => "[a-z_]{0,8}",
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(Raw::Map),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Decoding never panics, and a result is either a register with warnings only, or
    /// diagnostics with at least one error.
    #[test]
    fn decoding_any_document_never_panics(raw in arbitrary_raw(), with_network in any::<bool>()) {
        let network = with_network.then(iv_fluids);
        match register::from_raw(&raw, network) {
            Ok(loaded) => prop_assert!(loaded.warnings.iter().all(|d| !d.is_error())),
            Err(diagnostics) => prop_assert!(diagnostics.has_errors()),
        }
    }

    /// A document whose vendors list holds arbitrary vendors never panics either.
    #[test]
    fn decoding_any_vendor_never_panics(vendors in prop::collection::vec(arbitrary_raw(), 0..4)) {
        let raw = Raw::Map(vec![
            ("format".to_owned(), Raw::String("lifeline-vendors/1".to_owned())),
            ("as_of".to_owned(), Raw::String("2026-12-01".to_owned())),
            ("vendors".to_owned(), Raw::List(vendors)),
        ]);
        let _ = register::from_raw(&raw, None);
    }
}
