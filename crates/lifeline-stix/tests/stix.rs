//! STIX 2.1 export, import and TLP enforcement, end to end: an incident declared on the
//! distributor-ransomware example, a KEV finding from the example SBOM scan, the OASIS
//! example bundles, and stix2-validator (PyPI) as the independent judge of every bundle
//! lifeline writes.

use std::path::{Path, PathBuf};
use std::process::Command;

use lifeline_response::incident::{Declaration, Incident, state};
use lifeline_response::playbook::IncidentKind;
use lifeline_share::tlp::{Recipient, Refusal as TlpRefusal, Tlp};
use lifeline_stix::{
    Bundle, ExportOptions, Identity, Observables, Reason, enforce, export, findings, import,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::datetime;

const DECLARED: OffsetDateTime = datetime!(2026-12-01 08:00 UTC);
const AS_OF: OffsetDateTime = datetime!(2026-12-01 10:30 UTC);

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn data(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(relative)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The distribution centres of the distributor-ransomware example down for 42 days.
fn incident() -> Incident {
    let path = repo("examples/distributor-ransomware.json");
    let bytes = std::fs::read(&path).expect("the example exists");
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let network = lifeline_network::load(&path).expect("loads").network;
    let declaration = Declaration {
        title: "MedSupply distribution centres down (ransomware)".into(),
        kind: IncidentKind::Ransomware,
        entities: vec!["dc-medsupply-east".into(), "dc-medsupply-west".into()],
        capacity_factor: 0.0,
        expected_ttr: 42.0,
        declared_at: DECLARED,
        playbooks: Vec::new(),
    };
    let first = state::declare(&network, &sha, declaration, &[], "ana").expect("declares");
    state::replay(&[first]).expect("replays")
}

fn identity() -> Identity {
    Identity {
        key: "medsupply".into(),
        name: "MedSupply Distribution".into(),
        sectors: vec!["healthcare".into()],
    }
}

fn scan() -> findings::KevFindings {
    let path = repo("examples/sbom/orderline-commerce-7.2.scan.json");
    findings::read(&read(&path), "orderline-commerce-7.2.scan.json").expect("the scan reads")
}

fn observables() -> Observables {
    Observables::from_str(
        &json!({
            "indicators": [{
                "name": "Ransomware C2 address",
                "description": "Beaconing seen from the order server",
                "pattern": "[ipv4-addr:value = '198.51.100.7']",
                "valid_from": "2026-12-01T06:00:00Z",
                "indicator_types": ["malicious-activity"]
            }],
            "observed": [{
                "first_observed": "2026-12-01T05:10:00Z",
                "last_observed": "2026-12-01T07:45:00Z",
                "number_observed": 14,
                "objects": [
                    {"type": "ipv4-addr", "value": "198.51.100.7"},
                    {"type": "domain-name", "value": "update-check.example.net"}
                ]
            }]
        })
        .to_string(),
        "observables.json",
    )
    .expect("the observables read")
}

fn bundle(tlp: Tlp, with_extras: bool) -> Bundle {
    let incident = incident();
    let findings = scan();
    let extras = if with_extras {
        observables()
    } else {
        Observables::default()
    };
    let identity = identity();
    export(
        &incident,
        &ExportOptions {
            incident_id: "inc_0123456789abcdef",
            identity: &identity,
            tlp,
            as_of: AS_OF,
            findings: with_extras.then_some(&findings),
            observables: &extras,
        },
    )
    .expect("exports")
}

fn of_type<'a>(bundle: &'a Bundle, kind: &str) -> Vec<&'a Value> {
    bundle
        .objects
        .iter()
        .filter(|o| o["type"] == kind)
        .collect()
}

// ---------------------------------------------------------------------------------------
// Export

#[test]
fn export_holds_the_shareable_facts_every_object_marked() {
    let bundle = bundle(Tlp::Green, true);
    let types: Vec<&str> = bundle
        .objects
        .iter()
        .map(|o| o["type"].as_str().expect("a type"))
        .collect();
    for wanted in [
        "marking-definition",
        "identity",
        "incident",
        "note",
        "vulnerability",
        "software",
        "indicator",
        "observed-data",
        "ipv4-addr",
        "domain-name",
        "relationship",
    ] {
        assert!(types.contains(&wanted), "no {wanted} in {types:?}");
    }
    // The official TLP:GREEN definition, and every other object marked with it.
    assert_eq!(bundle.objects[0], Tlp::Green.marking_definition());
    for object in &bundle.objects[1..] {
        assert_eq!(
            object["object_marking_refs"],
            json!([Tlp::Green.marking_definition_id()]),
            "{}",
            object["id"]
        );
    }
    // The KEV finding: the CVE as an external reference, the product as software.
    let vulnerability = of_type(&bundle, "vulnerability")[0];
    assert_eq!(vulnerability["name"], "CVE-2021-44228");
    assert_eq!(
        vulnerability["external_references"][0],
        json!({"source_name": "cve", "external_id": "CVE-2021-44228"})
    );
    let description = vulnerability["description"].as_str().expect("text");
    assert!(description.contains("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"));
    assert!(description.contains("ransomware"), "{description}");
    let software = of_type(&bundle, "software")[0];
    assert_eq!(software["name"], "OrderLine Commerce");
    assert_eq!(software["version"], "7.2");
    let links: Vec<(&str, &str)> = of_type(&bundle, "relationship")
        .iter()
        .map(|r| {
            (
                r["source_ref"].as_str().expect("source"),
                r["target_ref"].as_str().expect("target"),
            )
        })
        .collect();
    let vulnerability_id = vulnerability["id"].as_str().expect("id");
    let software_id = software["id"].as_str().expect("id");
    assert!(
        links.contains(&(vulnerability_id, software_id)),
        "{links:?}"
    );
    // The incident and its impact; nothing of the timeline's people or tasks.
    let incident = of_type(&bundle, "incident")[0];
    assert_eq!(
        incident["name"],
        "MedSupply distribution centres down (ransomware)"
    );
    let note = of_type(&bundle, "note")[0];
    assert_eq!(note["object_refs"], json!([incident["id"]]));
    assert!(
        note["content"]
            .as_str()
            .expect("text")
            .contains("runs short on day")
    );
    let text = bundle.to_json();
    assert!(!text.contains("\"ana\""), "the actor stays home");
    // created is the declaration, modified the time the facts are as of.
    assert_eq!(incident["created"], "2026-12-01T08:00:00.000Z");
    assert_eq!(incident["modified"], "2026-12-01T10:30:00.000Z");
}

#[test]
fn export_is_deterministic_and_ids_are_uuid5() {
    let a = bundle(Tlp::Amber, true);
    let b = bundle(Tlp::Amber, true);
    assert_eq!(a.to_json(), b.to_json());
    for object in &a.objects[1..] {
        let id = object["id"].as_str().expect("id");
        let (_, uuid) = id.split_once("--").expect("TYPE--UUID");
        let uuid = uuid::Uuid::parse_str(uuid).expect("a UUID");
        assert_eq!(uuid.get_version_num(), 5, "{id}");
    }
    // Another marking is another bundle of the same objects.
    let green = bundle(Tlp::Green, true);
    assert_ne!(green.id, a.id);
    assert_eq!(green.objects[2]["id"], a.objects[2]["id"]);
}

#[test]
fn a_bad_observable_is_named() {
    let text = json!({"observed": [{
        "first_observed": "2026-12-01T05:10:00Z", "last_observed": "2026-12-01T07:45:00Z",
        "number_observed": 1, "objects": [{"type": "process", "pid": 4}]
    }]})
    .to_string();
    let extras = Observables::from_str(&text, "o.json").expect("reads");
    let identity = identity();
    let error = export(
        &incident(),
        &ExportOptions {
            incident_id: "inc_1",
            identity: &identity,
            tlp: Tlp::Green,
            as_of: AS_OF,
            findings: None,
            observables: &extras,
        },
    )
    .expect_err("refused");
    assert!(
        error.to_string().contains("observed[0].objects[0].type"),
        "{error}"
    );
    let error = Observables::from_str(r#"{"indicators": [{"name": "x"}]}"#, "o.json")
        .expect_err("no pattern");
    assert!(error.to_string().contains("indicators[0]"), "{error}");
}

// ---------------------------------------------------------------------------------------
// stix2-validator, the independent judge

/// Runs tools/stix-validate.py on `text`; panics with its report when the bundle is not
/// valid, and with a clear message when python3 or stix2-validator is missing.
fn stix2_validator(text: &str, label: &str) {
    let dir =
        std::env::temp_dir().join(format!("lifeline-stix-{}-{label}.json", std::process::id()));
    std::fs::write(&dir, text).expect("a temporary file");
    let output = Command::new("python3")
        .arg(repo("tools/stix-validate.py"))
        .args(["--no-warnings", "--uuid5"])
        .arg(&dir)
        .output();
    let _ = std::fs::remove_file(&dir);
    let output = output.expect(
        "python3 runs tools/stix-validate.py (install Python 3 and `pip install stix2-validator`)",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => {}
        Some(2) => panic!(
            "stix2-validator is not available: `pip install stix2-validator` (CI installs it)\n{stderr}"
        ),
        _ => panic!("stix2-validator finds the {label} bundle invalid:\n{stdout}{stderr}"),
    }
}

#[test]
fn stix2_validator_finds_every_exported_bundle_valid() {
    for tlp in Tlp::ALL {
        for extras in [false, true] {
            let bundle = bundle(tlp, extras);
            stix2_validator(
                &bundle.to_json(),
                &format!("{}-{extras}", tlp.as_str().replace('+', "-")),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Import

#[test]
fn an_exported_bundle_imports_with_its_markings() {
    let bundle = bundle(Tlp::Amber, true);
    let imported = import(&bundle.to_json()).expect("imports");
    assert_eq!(imported.bundle, bundle);
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    for object in &imported.objects {
        if object.kind == "marking-definition" {
            assert_eq!((object.tlp, object.defines), (None, Some(Tlp::Amber)));
        } else {
            assert_eq!(object.tlp, Some(Tlp::Amber), "{}", object.id);
        }
    }
    assert_eq!(imported.by_type()["vulnerability"], 1);
}

#[test]
fn the_oasis_examples_import() {
    let mut files: Vec<PathBuf> = Vec::new();
    for folder in [
        "examples",
        "examples/threat-reports",
        "tlp2/examples",
        "tlp2/marking-definitions",
    ] {
        for entry in std::fs::read_dir(data(folder)).expect("a folder") {
            let path = entry.expect("an entry").path();
            if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    assert_eq!(files.len(), 12);
    for path in &files {
        let imported = import(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!imported.objects.is_empty(), "{}", path.display());
    }
    // The TLP 2.0 example's relationship is TLP:GREEN; the marking files define theirs.
    let green = import(&read(&data("tlp2/examples/using-tlp2.0-green.json"))).expect("imports");
    let relationship = green
        .objects
        .iter()
        .find(|o| o.kind == "relationship")
        .expect("a relationship");
    assert_eq!(relationship.tlp, Some(Tlp::Green));
    // The TLP 2.0 extension definition: its upstream wrapper is not a bundle (no `type`),
    // refused as it is; the object itself, in a bundle, reads.
    let text = read(&data(
        "tlp2/extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d.json",
    ));
    let errors = import(&text).expect_err("no type");
    assert!(
        errors.to_string().contains("type: expected `bundle`"),
        "{errors}"
    );
    let mut wrapper: Value = serde_json::from_str(&text).expect("JSON");
    wrapper["type"] = json!("bundle");
    let definition = import(&wrapper.to_string()).expect("imports");
    assert_eq!(definition.objects[0].kind, "extension-definition");
    // The OASIS examples carry no marking: imported, every object reads as unmarked, and
    // none of them may be passed on to a partner.
    let apt1 = import(&read(&data("examples/threat-reports/apt1.json"))).expect("imports");
    assert_eq!(apt1.by_tlp().keys().collect::<Vec<_>>(), [&None]);
    let refusal = enforce(
        &apt1.bundle,
        "medsupply",
        &to("h-isac", Tlp::Red),
        &["h-isac"],
    )
    .expect_err("unmarked objects stay");
    assert_eq!(refusal.objects.len(), apt1.objects.len());
}

#[test]
fn a_forged_tlp_marking_is_refused_though_stix2_validator_accepts_it() {
    let mut value = bundle(Tlp::Red, false).to_value();
    // The TLP:RED id with the TLP:CLEAR level: whoever reads the level would share it.
    value["objects"][0]["extensions"][lifeline_share::tlp::TLP2_EXTENSION]["tlp_2_0"] =
        json!("clear");
    value["objects"][0]["name"] = json!("TLP:CLEAR");
    let text = serde_json::to_string_pretty(&value).expect("JSON");
    let errors = import(&text).expect_err("refused");
    let message = errors.to_string();
    assert!(message.contains("objects[0]"), "{message}");
    assert!(message.contains("forged TLP marking"), "{message}");
    assert!(
        message.contains("`name`") && message.contains("`extensions`"),
        "{message}"
    );
    // The validator does not look: the same file is valid to it.
    stix2_validator(&text, "forged");
}

#[test]
fn schema_errors_name_the_object_and_member() {
    let mut value = bundle(Tlp::Green, true).to_value();
    let objects = value["objects"].as_array_mut().expect("objects");
    let at = objects
        .iter()
        .position(|o| o["type"] == "indicator")
        .expect("an indicator");
    objects[at]
        .as_object_mut()
        .expect("an object")
        .remove("pattern");
    objects[2]["created"] = json!("yesterday");
    let errors = import(&value.to_string()).expect_err("refused");
    let text = errors.to_string();
    assert!(
        text.contains(&format!("objects[{at}] (indicator--")),
        "{text}"
    );
    assert!(text.contains("pattern"), "{text}");
    assert!(text.contains("objects[2].created"), "{text}");
    for bad in [
        "[]",
        "{\"type\": \"bundle\"}",
        "not json",
        "{\"type\":\"bundle\",\"id\":\"bundle--x\",\"objects\":[1]}",
    ] {
        assert!(import(bad).is_err(), "{bad}");
    }
}

// ---------------------------------------------------------------------------------------
// Enforcement

fn to(organisation: &str, clearance: Tlp) -> Recipient<'_> {
    Recipient {
        organisation,
        clearance,
    }
}

#[test]
fn amber_strict_never_leaves_red_reaches_only_the_named_and_clearance_holds() {
    let strict = bundle(Tlp::AmberStrict, false);
    assert_eq!(
        enforce(&strict, "medsupply", &to("medsupply", Tlp::Clear), &[]),
        Ok(())
    );
    let refusal = enforce(&strict, "medsupply", &to("h-isac", Tlp::Red), &["h-isac"])
        .expect_err("AMBER+STRICT stays home");
    assert_eq!(
        refusal.objects.len(),
        strict.objects.len() - 1,
        "all but the definition"
    );
    assert!(
        refusal
            .objects
            .iter()
            .all(|r| matches!(r.reason, Reason::Tlp(TlpRefusal::AmberStrict { .. })))
    );

    let red = bundle(Tlp::Red, false);
    assert!(matches!(
        enforce(&red, "medsupply", &to("h-isac", Tlp::Red), &[])
            .expect_err("not named")
            .objects[0]
            .reason,
        Reason::Tlp(TlpRefusal::RedNotNamed { .. })
    ));
    assert_eq!(
        enforce(&red, "medsupply", &to("h-isac", Tlp::Red), &["h-isac"]),
        Ok(())
    );
    assert!(matches!(
        enforce(&red, "medsupply", &to("h-isac", Tlp::Amber), &["h-isac"])
            .expect_err("below")
            .objects[0]
            .reason,
        Reason::Tlp(TlpRefusal::BelowClearance { .. })
    ));

    let amber = bundle(Tlp::Amber, true);
    assert!(enforce(&amber, "medsupply", &to("mercy", Tlp::Green), &[]).is_err());
    assert_eq!(
        enforce(&amber, "medsupply", &to("mercy", Tlp::Amber), &[]),
        Ok(())
    );
    assert_eq!(
        enforce(
            &bundle(Tlp::Clear, true),
            "medsupply",
            &to("anyone", Tlp::Clear),
            &[]
        ),
        Ok(())
    );
}

#[test]
fn the_most_restrictive_marking_of_an_object_wins_and_unmarked_objects_stay() {
    let mut green = bundle(Tlp::Green, false);
    // One object also carries TLP:RED on a part of it.
    green.objects[2]["granular_markings"] = json!([{
        "marking_ref": Tlp::Red.marking_definition_id(), "selectors": ["description"]
    }]);
    let refusal =
        enforce(&green, "medsupply", &to("mercy", Tlp::Amber), &[]).expect_err("red part");
    assert_eq!(refusal.objects.len(), 1);
    assert_eq!(refusal.objects[0].tlp, Some(Tlp::Red));
    // An object without a TLP marking does not go out.
    let mut unmarked = bundle(Tlp::Clear, false);
    unmarked.objects[2]
        .as_object_mut()
        .expect("an object")
        .remove("object_marking_refs");
    let refusal =
        enforce(&unmarked, "medsupply", &to("mercy", Tlp::Red), &["mercy"]).expect_err("unmarked");
    assert_eq!(refusal.objects[0].reason, Reason::Unmarked);
    assert!(refusal.to_string().contains("no TLP marking"), "{refusal}");
}

// ---------------------------------------------------------------------------------------
// Properties

mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    static INCIDENT: LazyLock<Incident> = LazyLock::new(incident);

    fn tlp() -> impl Strategy<Value = Tlp> {
        prop::sample::select(Tlp::ALL.to_vec())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever the names hold (control and bidi characters included), the export
        /// passes lifeline's own checks, reads back to itself, carries one marking, and is
        /// shared exactly when `may_share` says its marking may be.
        #[test]
        fn export_reads_back_and_enforcement_is_may_share(
            title in "\\PC{0,40}|[\\x00-\\x1f\\u{202e}a-z]{0,12}",
            name in "\\PC{1,30}",
            key in "[a-z0-9-]{1,12}",
            incident_id in "[a-z0-9_]{1,20}",
            marking in tlp(),
            clearance in tlp(),
            partner in prop::sample::select(vec!["medsupply", "h-isac", "mercy"]),
            named in any::<bool>(),
        ) {
            let mut incident = INCIDENT.clone();
            incident.declaration.title = title;
            let identity = Identity { key: key.clone(), name, sectors: Vec::new() };
            let extras = Observables::default();
            let bundle = export(&incident, &ExportOptions {
                incident_id: &incident_id,
                identity: &identity,
                tlp: marking,
                as_of: AS_OF,
                findings: None,
                observables: &extras,
            }).expect("exports");
            let imported = import(&bundle.to_json()).expect("reads back");
            prop_assert_eq!(&imported.bundle, &bundle);
            for object in &imported.objects[1..] {
                prop_assert_eq!(object.tlp, Some(marking));
            }
            let names: Vec<&str> = if named { vec![partner] } else { Vec::new() };
            let to = Recipient { organisation: partner, clearance };
            let expected = lifeline_share::tlp::may_share(marking, &key, to, &names).is_ok();
            prop_assert_eq!(enforce(&bundle, &key, &to, &names).is_ok(), expected);
        }
    }
}
