//! OSCAL out: both documents validate against NIST's JSON schemas (1.1.2 and 1.1.3, copied
//! into tests/data/oscal/), every UUID they reference is defined in them, they are
//! byte-identical for the same inputs, and they carry what a GRC tool needs: vendors as
//! subjects, attested apart from observed, likelihood/impact/tier, deadlines.
//!
//! `LIFELINE_OSCAL_OUT=DIR cargo test -p lifeline-risk --test oscal` also writes the
//! documents there (`tools/oscal-trestle.sh` loads them with compliance-trestle).

use std::collections::{BTreeMap, BTreeSet};

use lifeline_risk::assessment::{
    AnswerAssessment, Basis, ControlAssessment, ControlState, Driver, EntityImpact, EvidenceStatus,
    FindingCounts, FindingRef, Improvement, IncidentNote, RiskRegister, Scored, Tier, VendorDetail,
    VendorRisk,
};
use lifeline_risk::model::{
    Answer, AnswerValue, Control, ControlId, Controls, Evidence, Incident, Product, Register,
    Vendor,
};
use lifeline_risk::oscal::{self, NS, OscalOptions, OscalVersion};
use serde_json::Value;
use time::Date;
use time::macros::date;

const AR_112: &str = include_str!("data/oscal/v1.1.2/oscal_assessment-results_schema.json");
const POAM_112: &str = include_str!("data/oscal/v1.1.2/oscal_poam_schema.json");
const AR_113: &str = include_str!("data/oscal/v1.1.3/oscal_assessment-results_schema.json");
const POAM_113: &str = include_str!("data/oscal/v1.1.3/oscal_poam_schema.json");

const AS_OF: Date = date!(2026 - 12 - 01);

fn evidence(kind: &str, issued: Date, expires: Date, reference: Option<&str>) -> Evidence {
    Evidence {
        kind: kind.into(),
        issued: Some(issued),
        expires: Some(expires),
        reference: reference.map(Into::into),
    }
}

fn control(in_place: bool, evidence: Vec<Evidence>) -> Control {
    Control {
        in_place,
        evidence,
        ..Control::default()
    }
}

/// Three vendors: one critical with everything (KEV past its due date, a plain finding, a
/// missing control, expired and expiring evidence, answers, an incident), one with only
/// evidence to renew, one no network entity carries, with a hostile name and no register
/// entry.
fn register() -> Register {
    let soc2 = evidence(
        "soc2-type2",
        date!(2025 - 10 - 15),
        date!(2027 - 01 - 15),
        Some("https://trust.acme-edi.example/soc2-2025.pdf"),
    );
    let old_pen_test = evidence(
        "pen-test",
        date!(2024 - 06 - 01),
        date!(2025 - 06 - 01),
        Some("PT-2024/07 (vendor portal)"),
    );
    let mut acme_controls = BTreeMap::new();
    acme_controls.insert(ControlId::Mfa, control(false, vec![]));
    acme_controls.insert(
        ControlId::EncryptionAtRest,
        control(true, vec![soc2.clone()]),
    );
    acme_controls.insert(ControlId::OfflineBackups, control(true, vec![old_pen_test]));
    acme_controls.insert(ControlId::AwarenessTraining, control(true, vec![]));
    let acme = Vendor {
        id: "acme-edi".into(),
        name: "Acme EDI Services".into(),
        kind: Some("edi-clearinghouse".into()),
        contact: Some("security@acme-edi.example".into()),
        subcontractors: vec!["cloudco".into()],
        alternatives: vec!["medsupply".into()],
        products: vec![Product {
            id: "acme-edi-gateway".into(),
            name: "Acme EDI Gateway".into(),
            purl: Some("pkg:generic/acme/edi-gateway@13.1".into()),
            cpe: None,
            sbom: Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79".into()),
        }],
        controls: Controls(acme_controls),
        answers: vec![
            Answer {
                question: "GV.SC-05".into(),
                answer: AnswerValue::No,
                evidence: vec![],
                comment: Some("Contracts\nare being renegotiated".into()),
            },
            Answer {
                question: "GV.SC-07".into(),
                answer: AnswerValue::Yes,
                evidence: vec![soc2],
                comment: None,
            },
            Answer {
                question: "1.M.A".into(),
                answer: AnswerValue::Partial,
                evidence: vec![],
                comment: Some("[click](javascript:alert(1))".into()),
            },
            Answer {
                question: "GV.SC-10".into(),
                answer: AnswerValue::Na,
                evidence: vec![],
                comment: None,
            },
        ],
        incidents: vec![Incident {
            date: date!(2024 - 02 - 21),
            kind: "ransomware".into(),
            downtime_days: Some(27.0),
            source: Some("https://www.example.org/reports/acme-edi-outage".into()),
        }],
    };
    let mut med_controls = BTreeMap::new();
    med_controls.insert(
        ControlId::Mfa,
        control(
            true,
            vec![evidence(
                "iso27001",
                date!(2024 - 01 - 10),
                date!(2027 - 01 - 09),
                None,
            )],
        ),
    );
    let medsupply = Vendor {
        id: "medsupply".into(),
        name: "MedSupply Distribution".into(),
        kind: Some("distributor".into()),
        controls: Controls(med_controls),
        ..Vendor::default()
    };
    Register {
        format: lifeline_risk::FORMAT,
        as_of: Some(AS_OF),
        vendors: vec![acme, medsupply],
    }
}

fn driver(factor: &str, detail: &str, weight: f64, score: Scored, basis: Basis) -> Driver {
    Driver {
        factor: factor.into(),
        detail: detail.into(),
        weight,
        score,
        basis,
    }
}

fn assessed(
    controlled: ControlId,
    state: ControlState,
    gap: f64,
    notes: &[&str],
) -> ControlAssessment {
    ControlAssessment {
        control: controlled,
        title: controlled.title(),
        state,
        gap,
        notes: notes.iter().map(|n| (*n).to_owned()).collect(),
    }
}

fn finding(
    id: &str,
    severity: &str,
    kev: bool,
    ransomware: bool,
    due: Option<&str>,
    fixed: &[&str],
) -> FindingRef {
    FindingRef {
        product: "acme-edi-gateway".into(),
        id: id.into(),
        severity: severity.into(),
        score: Some(9.4),
        kev,
        ransomware,
        due_date: due.map(Into::into),
        component: "pkg:generic/citrix/netscaler-adc@13.1-48.47".into(),
        fixed_versions: fixed.iter().map(|f| (*f).to_owned()).collect(),
        source: "examples/sbom/acme-edi-gateway.scan.json".into(),
    }
}

fn risk_register() -> RiskRegister {
    let acme = VendorRisk {
        id: "acme-edi".into(),
        name: "Acme EDI Services".into(),
        rank: 1,
        risk: Some(0.82),
        tier: Tier::Critical,
        likelihood: 0.74,
        impact: Some(0.91),
        drivers: vec![
            driver("kev-ransomware", "CVE-2023-4966 (known ransomware use) in acme-edi-gateway", 0.3, Scored::Likelihood, Basis::Observed),
            driver("control-missing", "No multi-factor authentication", 0.2, Scored::Likelihood, Basis::Attested),
            driver("incident", "Ransomware, 2024-02-21, 27 days down", 0.14, Scored::Likelihood, Basis::Observed),
            driver("subcontractor", "cloudco hosts the gateway", 0.1, Scored::Likelihood, Basis::FourthParty),
            driver("entity-impact", "edi-hub: performance impact 0.6, TTS − TTR −12 days", 0.91, Scored::Impact, Basis::Network),
        ],
        entities: vec!["edi-hub".into()],
        findings: FindingCounts { open: 2, kev: 1, kev_ransomware: 1, critical: 1, high: 1 },
        detail: VendorDetail {
            kind: Some("edi-clearinghouse".into()),
            contact: Some("security@acme-edi.example".into()),
            attested_likelihood: 0.3,
            observed_likelihood: 0.44,
            controls: vec![
                assessed(ControlId::Mfa, ControlState::Absent, 1.0, &[]),
                assessed(ControlId::EncryptionAtRest, ControlState::Evidenced, 0.0, &[]),
                assessed(ControlId::OfflineBackups, ControlState::Expired, 1.0, &["restore test never reported"]),
                assessed(ControlId::AwarenessTraining, ControlState::Attested, 0.25, &["62% completion"]),
                assessed(ControlId::IncidentResponsePlan, ControlState::Unknown, 1.0, &[]),
            ],
            answers: vec![
                AnswerAssessment { question: "GV.SC-05".into(), text: Some("Requirements to address cybersecurity risks in supply chains are established, prioritized and integrated into contracts".into()), answer: AnswerValue::No, expired: false, gap: Some(1.0), comment: Some("Contracts\nare being renegotiated".into()) },
                AnswerAssessment { question: "GV.SC-07".into(), text: None, answer: AnswerValue::Yes, expired: false, gap: Some(0.0), comment: None },
                AnswerAssessment { question: "1.M.A".into(), text: None, answer: AnswerValue::Partial, expired: false, gap: Some(0.5), comment: Some("[click](javascript:alert(1))".into()) },
                AnswerAssessment { question: "GV.SC-10".into(), text: None, answer: AnswerValue::Na, expired: false, gap: None, comment: None },
            ],
            evidence: vec![EvidenceStatus {
                backs: "controls.encryption_at_rest".into(),
                evidence: evidence("soc2-type2", date!(2025 - 10 - 15), date!(2027 - 01 - 15), None),
                days_left: Some(45),
            }],
            findings: vec![
                finding("CVE-2023-4966", "critical", true, true, Some("2023-11-08"), &["13.1-49.15"]),
                finding("CVE-2024-0001", "high", false, false, None, &[]),
            ],
            incidents: vec![IncidentNote {
                date: date!(2024 - 02 - 21),
                kind: "ransomware".into(),
                downtime_days: Some(27.0),
                source: Some("https://www.example.org/reports/acme-edi-outage".into()),
                weight: 0.14,
            }],
            entity_impacts: vec![EntityImpact {
                entity: "edi-hub".into(),
                via: None,
                tts: 2.0,
                ttr: Some(14.0),
                gap: Some(-12.0),
                performance_impact: Some(0.6),
                rei: Some(0.4),
                impact: 0.91,
            }],
            subcontractors: vec!["cloudco".into()],
            alternatives: vec!["medsupply".into()],
            improvements: vec![
                Improvement { action: "Fix CVE-2023-4966 in acme-edi-gateway (KEV, ransomware)".into(), likelihood_after: 0.52, risk_after: Some(0.66), tier_after: Tier::High },
                Improvement { action: "Put multi-factor authentication in place".into(), likelihood_after: 0.66, risk_after: Some(0.77), tier_after: Tier::Critical },
            ],
        },
    };
    let medsupply = VendorRisk {
        id: "medsupply".into(),
        name: "MedSupply Distribution".into(),
        rank: 2,
        risk: Some(0.31),
        tier: Tier::Medium,
        likelihood: 0.2,
        impact: Some(0.5),
        drivers: vec![driver(
            "baseline",
            "Baseline likelihood",
            0.2,
            Scored::Likelihood,
            Basis::Attested,
        )],
        entities: vec!["dc-east".into()],
        findings: FindingCounts::default(),
        detail: VendorDetail {
            kind: Some("distributor".into()),
            contact: None,
            attested_likelihood: 0.2,
            observed_likelihood: 0.0,
            controls: vec![assessed(ControlId::Mfa, ControlState::Evidenced, 0.0, &[])],
            answers: vec![],
            evidence: vec![],
            findings: vec![],
            incidents: vec![],
            entity_impacts: vec![EntityImpact {
                entity: "dc-east".into(),
                via: Some("cloudco".into()),
                tts: 10.0,
                ttr: None,
                gap: None,
                performance_impact: None,
                rei: None,
                impact: 0.5,
            }],
            subcontractors: vec![],
            alternatives: vec![],
            improvements: vec![],
        },
    };
    let orphan = VendorRisk {
        id: "orphan-saas".into(),
        name: "  Orphan <script>alert(1)</script>\nSaaS\t ".into(),
        rank: 3,
        risk: None,
        tier: Tier::Low,
        likelihood: 0.1,
        impact: None,
        drivers: vec![],
        entities: vec![],
        findings: FindingCounts::default(),
        detail: VendorDetail {
            kind: None,
            contact: Some("not an address".into()),
            attested_likelihood: 0.1,
            observed_likelihood: 0.0,
            controls: vec![],
            answers: vec![],
            evidence: vec![],
            findings: vec![],
            incidents: vec![],
            entity_impacts: vec![],
            subcontractors: vec![],
            alternatives: vec![],
            improvements: vec![],
        },
    };
    RiskRegister {
        as_of: AS_OF,
        network: "iv-fluids".into(),
        vendors: vec![acme, medsupply, orphan],
    }
}

fn options(version: OscalVersion) -> OscalOptions {
    OscalOptions {
        version,
        tool_version: "0.0.0-test".into(),
        register_href: Some("examples/iv-fluids.vendors.json".into()),
        network_href: Some("examples/iv-fluids.json".into()),
        ..OscalOptions::default()
    }
}

fn documents(version: OscalVersion) -> (Value, Value) {
    let (risks, register) = (risk_register(), register());
    let ar = oscal::assessment_results(&risks, &register, &options(version));
    let poam = oscal::poam(&risks, &register, &options(version)).expect("items to plan");
    (ar, poam)
}

fn schema_errors(schema: &str, document: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(schema).expect("schema JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    validator
        .iter_errors(document)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn both_documents_validate_against_the_official_schemas() {
    for (version, ar_schema, poam_schema) in [
        (OscalVersion::V1_1_2, AR_112, POAM_112),
        (OscalVersion::V1_1_3, AR_113, POAM_113),
    ] {
        let (ar, poam) = documents(version);
        assert_eq!(
            schema_errors(ar_schema, &ar),
            Vec::<String>::new(),
            "AR {version}"
        );
        assert_eq!(
            schema_errors(poam_schema, &poam),
            Vec::<String>::new(),
            "POA&M {version}"
        );
        assert_eq!(
            ar["assessment-results"]["metadata"]["oscal-version"],
            version.as_str()
        );
        if let Ok(dir) = std::env::var("LIFELINE_OSCAL_OUT") {
            let dir = std::path::Path::new(&dir);
            std::fs::create_dir_all(dir).expect("output dir");
            let write = |name: &str, doc: &Value| {
                let text = serde_json::to_string_pretty(doc).expect("JSON") + "\n";
                std::fs::write(dir.join(format!("{name}-{version}.json")), text).expect("write");
            };
            write("assessment-results", &ar);
            write("poam", &poam);
        }
    }
}

#[test]
fn the_validator_rejects_what_oscal_rejects() {
    // The schema checks are not vacuous: each of these breaks one rule the output keeps.
    let (ar, poam) = documents(OscalVersion::V1_1_3);
    let mut no_import = ar.clone();
    no_import["assessment-results"]
        .as_object_mut()
        .expect("object")
        .remove("import-ap");
    assert!(!schema_errors(AR_113, &no_import).is_empty());
    let mut v1_uuid = ar.clone();
    v1_uuid["assessment-results"]["uuid"] = "c232d4ea-d1f6-11ee-a506-0242ac120002".into();
    assert!(!schema_errors(AR_113, &v1_uuid).is_empty());
    let mut padded = ar.clone();
    padded["assessment-results"]["metadata"]["parties"][1]["name"] = " Acme ".into();
    assert!(!schema_errors(AR_113, &padded).is_empty());
    let mut bad_token = ar;
    bad_token["assessment-results"]["results"][0]["findings"][0]["target"]["target-id"] =
        "1.M.A".into();
    assert!(!schema_errors(AR_113, &bad_token).is_empty());
    let mut no_timezone = poam;
    no_timezone["plan-of-action-and-milestones"]["metadata"]["last-modified"] =
        "2026-12-01T00:00:00".into();
    assert!(!schema_errors(POAM_113, &no_timezone).is_empty());
}

/// Every `uuid` defined in a document, and every UUID it refers to.
fn uuids(doc: &Value) -> (Vec<String>, Vec<(String, String)>) {
    fn walk(value: &Value, defined: &mut Vec<String>, used: &mut Vec<(String, String)>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("uuid", Value::String(s)) => defined.push(s.clone()),
                        (
                            "subject-uuid" | "actor-uuid" | "observation-uuid" | "risk-uuid"
                            | "finding-uuid" | "component-uuid" | "party-uuid",
                            Value::String(s),
                        ) => used.push((key.clone(), s.clone())),
                        ("party-uuids", Value::Array(list)) => {
                            for s in list.iter().filter_map(Value::as_str) {
                                used.push((key.clone(), s.to_owned()));
                            }
                        }
                        ("href", Value::String(s)) if s.starts_with('#') => {
                            used.push((key.clone(), s[1..].to_owned()));
                        }
                        _ => walk(v, defined, used),
                    }
                }
            }
            Value::Array(list) => list.iter().for_each(|v| walk(v, defined, used)),
            _ => {}
        }
    }
    let (mut defined, mut used) = (Vec::new(), Vec::new());
    walk(doc, &mut defined, &mut used);
    (defined, used)
}

#[test]
fn every_uuid_is_unique_and_every_reference_resolves() {
    let (ar, poam) = documents(OscalVersion::V1_1_3);
    for doc in [&ar, &poam] {
        let (defined, used) = uuids(doc);
        let set: BTreeSet<&String> = defined.iter().collect();
        assert_eq!(set.len(), defined.len(), "duplicate uuids");
        assert!(
            defined.iter().all(|u| u.as_bytes()[14] == b'5'),
            "all version 5"
        );
        for (key, uuid) in &used {
            assert!(set.contains(uuid), "{key} {uuid} is not defined");
        }
        assert!(
            used.len() > 20,
            "the documents are cross-referenced ({})",
            used.len()
        );
    }
}

#[test]
fn same_inputs_same_bytes_and_lasting_uuids_across_assessments() {
    let (ar, poam) = documents(OscalVersion::V1_1_3);
    let (ar2, poam2) = documents(OscalVersion::V1_1_3);
    assert_eq!(ar.to_string(), ar2.to_string());
    assert_eq!(poam.to_string(), poam2.to_string());

    // A week later: a new document and new observations, but the same vendors, risks and
    // POA&M items, so that a GRC tool tracks them from one assessment to the next.
    let mut later = risk_register();
    later.as_of = date!(2026 - 12 - 08);
    let ar3 = oscal::assessment_results(&later, &register(), &options(OscalVersion::V1_1_3));
    let poam3 = oscal::poam(&later, &register(), &options(OscalVersion::V1_1_3)).expect("items");
    let doc = |v: &Value, root: &str| v[root]["uuid"].as_str().expect("uuid").to_owned();
    assert_ne!(
        doc(&ar, "assessment-results"),
        doc(&ar3, "assessment-results")
    );
    let ids = |v: &Value, pointer: &str| -> Vec<String> {
        v.pointer(pointer)
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|x| x["uuid"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let r = "/assessment-results/results/0";
    assert_eq!(
        ids(&ar, "/assessment-results/metadata/parties"),
        ids(&ar3, "/assessment-results/metadata/parties")
    );
    assert_eq!(
        ids(&ar, &format!("{r}/risks")),
        ids(&ar3, &format!("{r}/risks"))
    );
    assert_eq!(
        ids(&poam, "/plan-of-action-and-milestones/poam-items"),
        ids(&poam3, "/plan-of-action-and-milestones/poam-items")
    );
    let observations = ids(&ar, &format!("{r}/observations"));
    assert!(
        ids(&ar3, &format!("{r}/observations"))
            .iter()
            .all(|o| !observations.contains(o))
    );
    // The same risks are in both documents, under the same UUIDs.
    let ar_risks: BTreeSet<String> = ids(&ar, &format!("{r}/risks")).into_iter().collect();
    let poam_risks: BTreeSet<String> = ids(&poam, "/plan-of-action-and-milestones/risks")
        .into_iter()
        .collect();
    assert!(poam_risks.is_subset(&ar_risks));
    // Every risk but the vendor risk of the vendor with nothing to plan.
    let orphan = list(&ar, &format!("{r}/risks"))
        .iter()
        .find(|x| prop(x, "vendor-id") == Some("orphan-saas"))
        .expect("orphan risk");
    let missing: Vec<&String> = ar_risks.difference(&poam_risks).collect();
    assert_eq!(missing, vec![orphan["uuid"].as_str().expect("uuid")]);
}

fn prop<'a>(value: &'a Value, name: &str) -> Option<&'a str> {
    value["props"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name && p["ns"] == NS)?["value"]
        .as_str()
}

fn props<'a>(value: &'a Value, name: &str) -> Vec<&'a str> {
    value["props"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter(|p| p["name"] == name)
                .filter_map(|p| p["value"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

fn list<'a>(value: &'a Value, pointer: &str) -> &'a Vec<Value> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("{pointer} is a list"))
}

#[test]
fn vendors_are_subjects_and_attested_is_kept_apart_from_observed() {
    let (ar, _) = documents(OscalVersion::V1_1_3);
    let parties = list(&ar, "/assessment-results/metadata/parties");
    assert_eq!(parties.len(), 4, "the assessor and three vendors");
    let acme = &parties[1];
    assert_eq!(acme["name"], "Acme EDI Services");
    assert_eq!(acme["short-name"], "acme-edi");
    assert_eq!(acme["email-addresses"][0], "security@acme-edi.example");
    assert_eq!(prop(acme, "tier"), Some("critical"));
    let orphan = &parties[3];
    assert_eq!(
        orphan["name"], "Orphan <script>alert(1)</script> SaaS",
        "one line, trimmed"
    );
    assert!(
        orphan.get("email-addresses").is_none(),
        "not an address: left out"
    );

    let components = list(
        &ar,
        "/assessment-results/results/0/local-definitions/components",
    );
    assert_eq!(components.len(), 1);
    assert_eq!(
        components[0]["responsible-roles"][0]["party-uuids"][0],
        acme["uuid"]
    );
    assert_eq!(
        prop(&components[0], "purl"),
        Some("pkg:generic/acme/edi-gateway@13.1")
    );

    let observations = list(&ar, "/assessment-results/results/0/observations");
    let of = |vendor: &str, basis: &str| -> Vec<&Value> {
        observations
            .iter()
            .filter(|o| prop(o, "vendor-id") == Some(vendor) && prop(o, "basis") == Some(basis))
            .collect()
    };
    let attested = of("acme-edi", "attested");
    let observed = of("acme-edi", "observed");
    assert_eq!(attested.len(), 5 + 4, "five controls, four answers");
    assert_eq!(observed.len(), 2 + 1, "two findings, one incident");
    assert_eq!(of("acme-edi", "network").len(), 1, "the stress test");
    for o in &attested {
        assert_eq!(o["subjects"][0]["subject-uuid"], acme["uuid"]);
        let methods: Vec<&str> = o["methods"]
            .as_array()
            .expect("methods")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(methods.contains(&"INTERVIEW") || methods.contains(&"EXAMINE"));
        assert!(!methods.contains(&"TEST"), "attested is not tested");
    }
    for o in &observed {
        assert_ne!(
            o["origins"][0]["actors"][0]["actor-uuid"], acme["uuid"],
            "observed: not on the vendor's word"
        );
    }
    let kev = observed
        .iter()
        .find(|o| prop(o, "vulnerability-id") == Some("CVE-2023-4966"))
        .expect("KEV observation");
    assert_eq!(kev["methods"][0], "TEST");
    assert_eq!(prop(kev, "kev"), Some("true"));
    assert_eq!(prop(kev, "known-ransomware-use"), Some("true"));
    assert_eq!(prop(kev, "kev-due-date"), Some("2023-11-08"));
    assert_eq!(
        kev["subjects"][1]["subject-uuid"], components[0]["uuid"],
        "the product is a subject too"
    );
    let incident = observed
        .iter()
        .find(|o| o["types"][0] == "historic")
        .expect("incident");
    assert_eq!(
        incident["relevant-evidence"][0]["href"],
        "https://www.example.org/reports/acme-edi-outage"
    );

    // Evidence: the SOC 2 report backs encryption at rest until 2027-01-15, so the
    // observation lapses then; the expired pen test is listed as expired.
    let encryption = attested
        .iter()
        .find(|o| prop(o, "control") == Some("encryption_at_rest"))
        .expect("control");
    assert_eq!(encryption["expires"], "2027-01-15T00:00:00Z");
    assert_eq!(
        encryption["relevant-evidence"][0]["href"],
        "https://trust.acme-edi.example/soc2-2025.pdf"
    );
    let backups = attested
        .iter()
        .find(|o| prop(o, "control") == Some("offline_backups"))
        .expect("control");
    assert_eq!(prop(backups, "state"), Some("expired"));
    assert!(backups.get("expires").is_none());
    assert_eq!(
        prop(&backups["relevant-evidence"][0], "expired"),
        Some("true")
    );
    assert_eq!(
        prop(&backups["relevant-evidence"][0], "reference"),
        Some("PT-2024/07 (vendor portal)")
    );
    let comment = attested
        .iter()
        .find(|o| prop(o, "question") == Some("GV.SC-05"))
        .expect("answer");
    assert!(
        comment["description"]
            .as_str()
            .expect("text")
            .contains("Comment: Contracts are being renegotiated")
    );
}

#[test]
fn risks_carry_likelihood_impact_tier_and_drivers() {
    let (ar, _) = documents(OscalVersion::V1_1_3);
    let risks = list(&ar, "/assessment-results/results/0/risks");
    let vendor_risks: Vec<&Value> = risks
        .iter()
        .filter(|r| prop(r, "item-kind") == Some("vendor"))
        .collect();
    assert_eq!(vendor_risks.len(), 3);
    let acme = vendor_risks[0];
    let facets: BTreeMap<(String, String), String> = list(acme, "/characterizations/0/facets")
        .iter()
        .map(|f| {
            (
                (
                    f["system"].as_str().unwrap_or("").to_owned(),
                    f["name"].as_str().unwrap_or("").to_owned(),
                ),
                f["value"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let nist = |name: &str| {
        facets
            .get(&("http://csrc.nist.gov/ns/oscal".to_owned(), name.to_owned()))
            .map(String::as_str)
    };
    assert_eq!(nist("likelihood"), Some("0.74"));
    assert_eq!(nist("impact"), Some("0.91"));
    assert_eq!(nist("risk"), Some("0.82"));
    assert_eq!(
        facets
            .get(&(NS.to_owned(), "tier".to_owned()))
            .map(String::as_str),
        Some("critical")
    );
    assert_eq!(
        facets
            .get(&(NS.to_owned(), "attested-likelihood".to_owned()))
            .map(String::as_str),
        Some("0.3")
    );
    assert_eq!(
        facets
            .get(&(NS.to_owned(), "observed-likelihood".to_owned()))
            .map(String::as_str),
        Some("0.44")
    );
    let drivers = list(acme, "/characterizations/1/facets");
    assert_eq!(drivers.len(), 5);
    assert_eq!(drivers[0]["name"], "kev-ransomware");
    assert_eq!(drivers[0]["value"], "0.3");
    assert_eq!(props(&drivers[3], "basis"), vec!["fourth-party"]);
    assert_eq!(
        props(acme, "priority"),
        vec!["1"],
        "NIST's priority: the rank"
    );
    assert!(
        acme["statement"]
            .as_str()
            .expect("statement")
            .contains("would reach edi-hub in the network")
    );
    let remediations = list(acme, "/remediations");
    assert_eq!(remediations[0]["lifecycle"], "recommendation");
    assert_eq!(prop(&remediations[0], "tier-after"), Some("high"));
    assert_eq!(prop(&remediations[0], "lowers-tier"), Some("true"));
    assert_eq!(prop(&remediations[1], "lowers-tier"), Some("false"));

    let orphan = vendor_risks[2];
    // Markdown fields escape what a renderer would act on; plain fields stay plain.
    assert_eq!(
        orphan["title"],
        r"Orphan \<script\>alert(1)\</script\> SaaS: vendor cyber risk, tier low"
    );
    let observations = list(&ar, "/assessment-results/results/0/observations");
    let partial = observations
        .iter()
        .find(|o| prop(o, "question") == Some("1.M.A"))
        .expect("answer");
    assert!(
        partial["description"]
            .as_str()
            .expect("text")
            .ends_with(r"Comment: \[click\](javascript:alert(1))")
    );
    assert_eq!(prop(orphan, "impact"), Some("unknown"));
    assert!(
        orphan["statement"]
            .as_str()
            .expect("statement")
            .contains("impact is unknown")
    );

    // Findings: each control and answered question, satisfied or not; `na` is not assessed.
    let findings = list(&ar, "/assessment-results/results/0/findings");
    let target = |id: &str| {
        findings
            .iter()
            .filter(|f| f["target"]["target-id"] == id && prop(f, "vendor-id") == Some("acme-edi"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        target("ctl-mfa")[0]["target"]["status"]["state"],
        "not-satisfied"
    );
    assert_eq!(
        target("ctl-encryption-at-rest")[0]["target"]["status"]["state"],
        "satisfied"
    );
    assert_eq!(
        target("GV.SC-07")[0]["target"]["status"]["state"],
        "satisfied"
    );
    assert_eq!(target("_1.M.A").len(), 1, "a question id made a token");
    assert!(target("GV.SC-10").is_empty());
    assert_eq!(
        target("ctl-vulnerability-management").len(),
        2,
        "one per open finding"
    );
    let reviewed: Vec<&str> = list(
        &ar,
        "/assessment-results/results/0/reviewed-controls/control-selections/0/include-controls",
    )
    .iter()
    .filter_map(|c| c["control-id"].as_str())
    .collect();
    assert_eq!(
        reviewed[0], "ctl-awareness-training",
        "lifeline's controls first, sorted"
    );
    assert!(reviewed.contains(&"GV.SC-05") && reviewed.contains(&"_1.M.A"));
}

#[test]
fn the_poam_lists_what_to_fix_with_deadlines() {
    let (_, poam) = documents(OscalVersion::V1_1_3);
    let items = list(&poam, "/plan-of-action-and-milestones/poam-items");
    let risks = list(&poam, "/plan-of-action-and-milestones/risks");
    let risk_of = |item: &Value| -> Value {
        let uuid = &item["related-risks"][0]["risk-uuid"];
        risks
            .iter()
            .find(|r| &r["uuid"] == uuid)
            .cloned()
            .expect("risk defined")
    };
    let summary: Vec<(String, String, String)> = items
        .iter()
        .map(|i| {
            (
                prop(i, "vendor-id").unwrap_or("").to_owned(),
                prop(i, "item-kind").unwrap_or("").to_owned(),
                prop(i, "deadline").unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected = [
        // Controls: absent → 90 days; expired, attested-only and unknown → 30 days.
        ("acme-edi", "control", "2027-03-01"),
        ("acme-edi", "evidence-renewal", "2027-01-15"),
        ("acme-edi", "control", "2026-12-31"),
        ("acme-edi", "control", "2026-12-31"),
        ("acme-edi", "control", "2026-12-31"),
        // Questionnaire gaps: 90 days.
        ("acme-edi", "answer", "2027-03-01"),
        ("acme-edi", "answer", "2027-03-01"),
        // Findings: the KEV due date (long past), else 30 days.
        ("acme-edi", "finding", "2023-11-08"),
        ("acme-edi", "finding", "2026-12-31"),
        // Evidence that expires within 90 days: renew by its expiry.
        ("medsupply", "evidence-renewal", "2027-01-09"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(summary, expected);

    let kev = &items[7];
    assert_eq!(prop(kev, "overdue"), Some("true"));
    assert!(
        kev["remarks"]
            .as_str()
            .expect("remarks")
            .contains("1119 days before the assessment")
    );
    assert!(
        kev["title"]
            .as_str()
            .expect("title")
            .contains("update pkg:generic/citrix/netscaler-adc@13.1-48.47 to 13.1-49.15")
    );
    let risk = risk_of(kev);
    assert_eq!(risk["deadline"], "2023-11-08T00:00:00Z");
    assert_eq!(risk["remediations"][0]["lifecycle"], "planned");
    assert_eq!(risk["remediations"][0]["tasks"][0]["type"], "milestone");
    assert_eq!(
        risk["remediations"][0]["tasks"][0]["timing"]["within-date-range"]["end"],
        "2023-11-08T00:00:00Z"
    );
    let cve = risk["characterizations"][0]["facets"]
        .as_array()
        .expect("facets")
        .iter()
        .find(|f| f["system"] == "http://cve.mitre.org")
        .cloned()
        .expect("cve facet");
    assert_eq!(cve["value"], "CVE-2023-4966");
    assert!(
        items[8]["title"]
            .as_str()
            .expect("title")
            .contains("no fixed version known")
    );
    let mfa = &items[0];
    assert_eq!(
        mfa["title"],
        "Acme EDI Services: Put multi-factor authentication for remote and privileged access in place"
    );
    // Each item points at its own risk and at its vendor's.
    let vendor_risk = risks
        .iter()
        .find(|r| {
            prop(r, "item-kind") == Some("vendor") && prop(r, "vendor-id") == Some("acme-edi")
        })
        .expect("vendor risk");
    assert_eq!(mfa["related-risks"][1]["risk-uuid"], vendor_risk["uuid"]);
    assert_eq!(
        poam["plan-of-action-and-milestones"]["system-id"]["identifier-type"],
        "https://ietf.org/rfc/rfc4122"
    );
}

#[test]
fn nothing_to_plan_gives_no_poam() {
    let mut risks = risk_register();
    risks.vendors.retain(|v| v.id == "orphan-saas");
    assert!(oscal::poam(&risks, &register(), &OscalOptions::default()).is_none());
    // The assessment results still validate with no observations at all.
    let ar = oscal::assessment_results(&risks, &register(), &OscalOptions::default());
    assert_eq!(schema_errors(AR_113, &ar), Vec::<String>::new());
    let empty = RiskRegister {
        as_of: AS_OF,
        network: " ".into(),
        vendors: vec![],
    };
    let ar = oscal::assessment_results(&empty, &Register::default(), &OscalOptions::default());
    assert_eq!(schema_errors(AR_113, &ar), Vec::<String>::new());
}

#[test]
fn the_documents_snapshot() {
    let (ar, poam) = documents(OscalVersion::V1_1_3);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("data/oscal/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_snapshot!(
            "assessment-results",
            serde_json::to_string_pretty(&ar).expect("JSON")
        );
        insta::assert_snapshot!("poam", serde_json::to_string_pretty(&poam).expect("JSON"));
    });
}

mod hostile {
    //! Whatever text the register and the scores carry (names, ids, comments, evidence
    //! references, finding fields, driver factors), both documents stay schema-valid and
    //! every reference resolves.

    use std::sync::OnceLock;

    use proptest::prelude::*;

    use super::*;

    fn validator(schema: &'static str) -> jsonschema::Validator {
        let schema: Value = serde_json::from_str(schema).expect("schema JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("schema compiles")
    }

    fn ar_validator() -> &'static jsonschema::Validator {
        static V: OnceLock<jsonschema::Validator> = OnceLock::new();
        V.get_or_init(|| validator(AR_113))
    }

    fn poam_validator() -> &'static jsonschema::Validator {
        static V: OnceLock<jsonschema::Validator> = OnceLock::new();
        V.get_or_init(|| validator(POAM_113))
    }

    /// Text of every kind: empty, blank, control characters, Markdown, non-ASCII, URLs.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[ \t\n]{0,3}",
            "[a-zA-Z0-9 ._:/@<>\\[\\]()*`#&|-]{0,20}",
            "https?://[a-z0-9./%?#=&~ -]{0,20}",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}",
            Just("CVE-2023-4966".to_owned()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn documents_stay_valid(fields in proptest::collection::vec(text(), 24)) {
            let f = |i: usize| fields[i].clone();
            let mut risks = risk_register();
            let mut register = register();
            risks.network = f(0);
            {
                let acme = &mut risks.vendors[0];
                acme.name = f(1);
                acme.detail.contact = Some(f(2));
                acme.detail.kind = Some(f(3));
                acme.entities = vec![f(4)];
                acme.detail.entity_impacts[0].entity = f(4);
                acme.detail.entity_impacts[0].via = Some(f(5));
                acme.detail.answers[0].question = f(6);
                acme.detail.answers[0].comment = Some(f(7));
                acme.detail.answers[0].text = Some(f(8));
                acme.detail.controls[2].notes = vec![f(9)];
                let finding = &mut acme.detail.findings[0];
                finding.id = f(10);
                finding.product = f(11);
                finding.component = f(12);
                finding.severity = f(13);
                finding.due_date = Some(f(14));
                finding.source = f(15);
                finding.fixed_versions = vec![f(16)];
                acme.drivers[0].factor = f(17);
                acme.drivers[0].detail = f(18);
                acme.detail.improvements[0].action = f(19);
                acme.detail.incidents[0].kind = f(20);
                acme.detail.incidents[0].source = Some(f(21));
                acme.detail.subcontractors = vec![f(22)];
            }
            risks.vendors[1].id = f(23);
            let vendor = &mut register.vendors[0];
            vendor.name = f(1);
            vendor.products[0].name = f(11);
            vendor.products[0].purl = Some(f(12));
            let control = vendor.controls.0.get_mut(&ControlId::OfflineBackups).expect("control");
            control.evidence[0].kind = f(13);
            control.evidence[0].reference = Some(f(21));
            register.vendors[1].id = f(23);

            let options = OscalOptions { register_href: Some(f(2)), network_href: Some(f(0)), ..OscalOptions::default() };
            let ar = oscal::assessment_results(&risks, &register, &options);
            let poam = oscal::poam(&risks, &register, &options).expect("items");
            let errors: Vec<String> = ar_validator().iter_errors(&ar).map(|e| format!("{}: {e}", e.instance_path())).collect();
            prop_assert!(errors.is_empty(), "AR: {:?}", errors);
            let errors: Vec<String> = poam_validator().iter_errors(&poam).map(|e| format!("{}: {e}", e.instance_path())).collect();
            prop_assert!(errors.is_empty(), "POA&M: {:?}", errors);
            for doc in [&ar, &poam] {
                let (defined, used) = uuids(doc);
                let set: BTreeSet<&String> = defined.iter().collect();
                prop_assert_eq!(set.len(), defined.len());
                for (key, uuid) in &used {
                    prop_assert!(set.contains(uuid), "{} {} is not defined", key, uuid);
                }
            }
        }
    }
}

/// Scale: `cargo test --release -p lifeline-risk --test oscal scale -- --ignored --nocapture`
/// (VENDORS vendors with 40 findings each; issue 15's benchmark register has 5,000 and 200,000).
#[test]
#[ignore = "timing, run by hand"]
fn scale() {
    const VENDORS: usize = 250;
    let template = risk_register();
    let mut risks = RiskRegister {
        vendors: Vec::new(),
        ..template.clone()
    };
    let mut register = Register {
        vendors: Vec::new(),
        ..register()
    };
    for i in 0..VENDORS {
        let mut vendor = template.vendors[0].clone();
        vendor.id = format!("vendor-{i}");
        vendor.rank = i + 1;
        let base = vendor.detail.findings[0].clone();
        vendor.detail.findings = (0..40)
            .map(|j| FindingRef {
                id: format!("CVE-2024-{j:05}"),
                ..base.clone()
            })
            .collect();
        risks.vendors.push(vendor);
        let mut entry = super_register_vendor();
        entry.id = format!("vendor-{i}");
        register.vendors.push(entry);
    }
    let start = std::time::Instant::now();
    let ar = oscal::assessment_results(&risks, &register, &OscalOptions::default());
    let ar_time = start.elapsed();
    let start = std::time::Instant::now();
    let poam = oscal::poam(&risks, &register, &OscalOptions::default()).expect("items");
    let poam_time = start.elapsed();
    let start = std::time::Instant::now();
    let bytes = serde_json::to_string(&ar).expect("JSON").len()
        + serde_json::to_string(&poam).expect("JSON").len();
    println!(
        "{VENDORS} vendors, {} findings: assessment results {ar_time:?}, POA&M {poam_time:?}, serialised {:?} ({} MB)",
        VENDORS * 40,
        start.elapsed(),
        bytes / 1_000_000
    );
}

fn super_register_vendor() -> Vendor {
    register().vendors[0].clone()
}
