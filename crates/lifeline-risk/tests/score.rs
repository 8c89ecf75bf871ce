//! Scoring: the worked example of `docs/risk-scoring.md` reproduced exactly, the five
//! properties of the vendor-register spec as property tests, determinism, and the
//! findings reader on the CLI's golden scan and device-report outputs.

use std::path::Path;

use lifeline_network::ValidatedNetwork;
use lifeline_risk::assessment::{Basis, ControlState, RiskRegister, Scored, Tier, VendorRisk};
use lifeline_risk::findings::{self, Observations, Source};
use lifeline_risk::model::{
    Answer, AnswerValue, Control, ControlId, Controls, Evidence, Incident, Product, Register,
    Vendor,
};
use lifeline_risk::score::{self, Inputs};
use lifeline_stress::{OrderedMap, Report, ScenarioResult};
use proptest::prelude::*;
use time::Date;
use time::macros::date;

const NETWORK: &str = r#"{
  "format": "lifeline-network/1",
  "name": "risk worked example",
  "time_unit": "day",
  "horizon": 999,
  "nodes": [
    {"id": "plant", "kind": "manufacturer", "material": "M", "capacity": 100, "ttr": 30,
     "vendor": "northwind", "depends_on": [{"platform": "edi-hub", "degraded_capacity": 0.5}]},
    {"id": "backup-plant", "kind": "manufacturer", "material": "M", "capacity": 40, "ttr": 10,
     "vendor": "spare-co", "depends_on": [{"platform": "p-a", "degraded_capacity": 0.9},
                                          {"platform": "p-b", "degraded_capacity": 0.9}]},
    {"id": "ward", "kind": "product", "demand": 60, "inventory": 100, "value": 10}
  ],
  "edges": [{"from": "plant", "to": "ward"}, {"from": "backup-plant", "to": "ward"}],
  "platforms": [
    {"id": "edi-hub", "kind": "ordering platform", "ttr": 17, "vendor": "acme-edi"},
    {"id": "p-a", "kind": "ordering platform", "ttr": 5, "vendor": "a"},
    {"id": "p-b", "kind": "ordering platform", "ttr": 5, "vendor": "b"}
  ]
}"#;

fn network() -> ValidatedNetwork {
    lifeline_network::from_str(
        NETWORK,
        lifeline_network::Format::Json,
        Path::new("risk.json"),
    )
    .expect("the test network is valid")
    .network
}

fn scenario(id: &str, ttr: f64, tts: f64, pi: f64) -> ScenarioResult {
    ScenarioResult {
        id: id.to_owned(),
        kind: "platform".to_owned(),
        ttr: Some(ttr),
        tts,
        tts_capped: tts >= 999.0,
        gap: Some(tts - ttr),
        performance_impact: Some(pi),
        rei: None,
        lost_units: OrderedMap::default(),
        reallocation: Vec::new(),
        spend: None,
        quadrant: None,
    }
}

/// The stress report of the worked example, by hand: `plant` is the worst disruption.
fn stress(pi_a: f64, pi_b: f64) -> Report {
    Report {
        network: "risk worked example".to_owned(),
        horizon: 999.0,
        baseline_tts: 999.0,
        baseline_tts_capped: true,
        scenarios: vec![
            scenario("plant", 30.0, 20.0, 500.0),
            scenario("backup-plant", 10.0, 999.0, 0.0),
            scenario("edi-hub", 17.0, 12.0, 340.0),
            scenario("p-a", 5.0, 40.0, pi_a),
            scenario("p-b", 5.0, 40.0, pi_b),
        ],
    }
}

fn evidence(kind: &str, expires: Date) -> Evidence {
    Evidence {
        kind: kind.to_owned(),
        issued: None,
        expires: Some(expires),
        reference: None,
    }
}

fn control(in_place: bool) -> Control {
    Control {
        in_place,
        ..Control::default()
    }
}

fn answer(question: &str, value: AnswerValue) -> Answer {
    Answer {
        question: question.to_owned(),
        answer: value,
        evidence: Vec::new(),
        comment: None,
    }
}

const AS_OF: Date = date!(2026 - 12 - 01);

/// The register of the worked example.
fn worked_register() -> Register {
    let soc2 = evidence("soc2-type2", date!(2027 - 06 - 30));
    let evidenced = Control {
        in_place: true,
        evidence: vec![soc2.clone()],
        ..Control::default()
    };
    let mut acme = Controls::default();
    for id in [
        ControlId::EncryptionAtRest,
        ControlId::EncryptionInTransit,
        ControlId::NetworkSegmentation,
        ControlId::AwarenessTraining,
        ControlId::SbomProvided,
    ] {
        acme.0.insert(id, evidenced.clone());
    }
    acme.0.insert(
        ControlId::VulnerabilityManagement,
        Control {
            critical_patch_days: Some(45.0),
            ..evidenced.clone()
        },
    );
    acme.0.insert(ControlId::Mfa, control(false));
    acme.0.insert(
        ControlId::OfflineBackups,
        Control {
            in_place: true,
            last_restore_test: Some(date!(2025 - 06 - 01)),
            ..Control::default()
        },
    );
    acme.0.insert(
        ControlId::IncidentResponsePlan,
        Control {
            in_place: true,
            evidence: vec![evidence("attestation", date!(2026 - 10 - 31))],
            ..Control::default()
        },
    );
    let acme_edi = Vendor {
        id: "acme-edi".to_owned(),
        name: "Acme EDI".to_owned(),
        kind: Some("software".to_owned()),
        products: vec![Product {
            id: "acme-edi-gateway".to_owned(),
            name: "Acme EDI gateway 13.1".to_owned(),
            sbom: Some("urn:uuid:00000000-0000-4000-8000-000000000001".to_owned()),
            ..Product::default()
        }],
        controls: acme,
        answers: vec![
            answer("GV.SC-05", AnswerValue::Yes),
            answer("GV.SC-07", AnswerValue::Partial),
            answer("GV.SC-09", AnswerValue::No),
            answer("GV.SC-10", AnswerValue::Na),
        ],
        incidents: vec![Incident {
            date: date!(2024 - 12 - 01),
            kind: "ransomware".to_owned(),
            downtime_days: Some(12.0),
            source: None,
        }],
        ..Vendor::default()
    };
    let mut all_attested = Controls::default();
    for id in ControlId::ALL {
        all_attested.0.insert(id, control(true));
    }
    let northwind = Vendor {
        id: "northwind".to_owned(),
        name: "Northwind Fluids".to_owned(),
        kind: Some("manufacturer".to_owned()),
        subcontractors: vec!["acme-edi".to_owned()],
        controls: all_attested,
        answers: vec![answer("GV.SC-05", AnswerValue::Yes)],
        ..Vendor::default()
    };
    let mut all_evidenced = Controls::default();
    for id in ControlId::ALL {
        all_evidenced.0.insert(id, evidenced.clone());
    }
    let spare = Vendor {
        id: "spare-co".to_owned(),
        name: "Spare Co".to_owned(),
        controls: all_evidenced,
        answers: vec![answer("GV.SC-05", AnswerValue::Yes)],
        ..Vendor::default()
    };
    let orphan = Vendor {
        id: "orphan-labs".to_owned(),
        name: "Orphan Labs".to_owned(),
        ..Vendor::default()
    };
    Register {
        format: lifeline_risk::FORMAT,
        as_of: Some(AS_OF),
        vendors: vec![orphan, spare, northwind, acme_edi],
    }
}

/// The scan of the worked example: one KEV finding with known ransomware use, one
/// critical, one resolved by VEX (does not count), and an SBOM no product claims.
const SCAN: &str = r#"{
  "reports": [
    {
      "source": "acme-edi-gateway.cdx.json",
      "serialNumber": "urn:uuid:00000000-0000-4000-8000-000000000001",
      "product": {"purl": null, "name": "gateway", "version": "13.1"},
      "findings": [
        {"component": {"purl": "pkg:generic/netscaler@13.1", "name": "netscaler", "version": "13.1"},
         "id": "CVE-2023-4966", "severity": "CRITICAL", "score": 9.4, "fixedVersions": ["13.1-49.15"],
         "kev": {"cveId": "CVE-2023-4966", "dueDate": "2023-11-08", "knownRansomwareCampaignUse": "Known"},
         "status": "open"},
        {"component": {"purl": "pkg:npm/jquery@2.2.4", "name": "jquery", "version": "2.2.4"},
         "id": "CVE-2099-0002", "severity": "CRITICAL", "score": 9.3, "fixedVersions": [],
         "kev": null, "status": "open"},
        {"component": {"purl": "pkg:npm/lodash@4.17.20", "name": "lodash", "version": "4.17.20"},
         "id": "CVE-2021-23337", "severity": "HIGH", "score": 7.2, "fixedVersions": ["4.17.21"],
         "kev": null, "status": "resolved"}
      ]
    },
    {
      "source": "someone-else.cdx.json",
      "serialNumber": "urn:uuid:99999999-0000-4000-8000-000000000009",
      "product": {"purl": null, "name": "other", "version": "1"},
      "findings": [
        {"component": {"purl": "pkg:npm/x@1", "name": "x", "version": "1"},
         "id": "CVE-2021-44228", "severity": "CRITICAL", "score": 10.0,
         "kev": {"dueDate": "2021-12-24", "knownRansomwareCampaignUse": "Known"}, "status": "open"}
      ]
    }
  ]
}"#;

fn score_with(
    register: &Register,
    network: &ValidatedNetwork,
    report: &Report,
    observations: &[Observations],
    as_of: Date,
) -> RiskRegister {
    score::score(&Inputs {
        register,
        network,
        stress: report,
        observations,
        as_of,
    })
}

fn worked() -> RiskRegister {
    let observations = vec![findings::read(SCAN, "scan.json").expect("the scan reads")];
    score_with(
        &worked_register(),
        &network(),
        &stress(0.0, 0.0),
        &observations,
        AS_OF,
    )
}

fn row<'a>(register: &'a RiskRegister, id: &str) -> &'a VendorRisk {
    register
        .vendors
        .iter()
        .find(|v| v.id == id)
        .unwrap_or_else(|| panic!("vendor {id} is in the register"))
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn weight(row: &VendorRisk, factor: &str) -> f64 {
    row.drivers
        .iter()
        .filter(|d| d.factor == factor)
        .map(|d| d.weight)
        .sum()
}

/// Every figure of the worked example in `docs/risk-scoring.md`, to four decimals.
#[test]
fn worked_example_reproduces_the_document() {
    let register = worked();
    let acme = row(&register, "acme-edi");

    // Hazards, by hand: docs/risk-scoring.md, "Worked example".
    let hazards = [0.15, 0.057, 0.06, 0.015, 0.05, 0.30, 0.05, 0.125];
    assert_eq!(
        acme.drivers
            .iter()
            .filter(|d| d.score == Scored::Likelihood)
            .count(),
        hazards.len()
    );
    let survive: f64 = hazards.iter().map(|h| 1.0 - h).product();
    assert!((acme.likelihood - (1.0 - survive)).abs() < 1e-8);
    assert_eq!(round4(acme.likelihood), 0.5898);
    assert_eq!(round4(weight(acme, "kev-ransomware")), 0.2361);
    assert_eq!(round4(weight(acme, "control-missing")), 0.1076);
    assert_eq!(round4(weight(acme, "incident")), 0.0884);
    assert_eq!(round4(weight(acme, "control-expired")), 0.0410);
    assert_eq!(round4(weight(acme, "control-unevidenced")), 0.0388);
    assert_eq!(round4(weight(acme, "answers")), 0.0340);
    assert_eq!(round4(weight(acme, "findings-critical")), 0.0340);
    assert_eq!(round4(weight(acme, "control-weak")), 0.0100);
    assert_eq!(round4(acme.detail.attested_likelihood), 0.1904);
    assert_eq!(round4(acme.detail.observed_likelihood), 0.3994);

    assert_eq!(round4(acme.impact.expect("acme-edi runs edi-hub")), 0.7271);
    assert_eq!(round4(weight(acme, "entity-impact")), 0.6380);
    assert_eq!(round4(weight(acme, "survival-shortfall")), 0.0891);
    assert_eq!(round4(acme.risk.expect("impact is known")), 0.6548);
    assert_eq!(acme.tier, Tier::Critical);
    assert_eq!(acme.findings.open, 2);
    assert_eq!(acme.findings.kev, 1);
    assert_eq!(acme.findings.kev_ransomware, 1);
    assert_eq!(acme.findings.critical, 2);
    assert_eq!(acme.drivers[0].factor, "kev-ransomware");
    assert_eq!(
        acme.drivers[0].detail,
        "1 open finding listed in CISA KEV with known ransomware campaign use: CVE-2023-4966 in acme-edi-gateway"
    );
    let fix = &acme.detail.improvements[0];
    assert!(
        fix.action
            .starts_with("Fix the 1 KEV finding: CVE-2023-4966"),
        "{fix:?}"
    );
    assert_eq!(round4(fix.likelihood_after), 0.4139);
    assert_eq!(fix.tier_after, Tier::High);

    let northwind = row(&register, "northwind");
    assert_eq!(round4(northwind.likelihood), 0.4108);
    assert_eq!(round4(weight(northwind, "subcontractor")), 0.2713);
    assert_eq!(northwind.impact, Some(1.0));
    assert_eq!(round4(northwind.risk.expect("impact is known")), 0.6409);
    assert_eq!(northwind.tier, Tier::Critical);
    assert_eq!(northwind.entities, ["plant", "edi-hub"]);
    // No one action lowers its tier; all of them together would (to high).
    let together = &northwind.detail.improvements[0];
    assert_eq!(together.action, "All 9 of the actions listed here together");
    assert_eq!(round4(together.likelihood_after), 0.2949);
    assert_eq!(together.tier_after, Tier::High);
    assert!(
        northwind.detail.improvements[1..]
            .iter()
            .all(|i| i.tier_after == Tier::Critical)
    );

    let spare = row(&register, "spare-co");
    assert_eq!(spare.likelihood, 0.0);
    assert_eq!(spare.impact, Some(0.0));
    let lowest = register
        .vendors
        .iter()
        .filter_map(|v| v.impact)
        .fold(1.0, f64::min);
    assert_eq!(
        lowest, 0.0,
        "PI 0 and TTS ≥ TTR: the lowest impact of the register"
    );
    assert_eq!(spare.tier, Tier::Low);

    let orphan = row(&register, "orphan-labs");
    assert_eq!(round4(orphan.likelihood), 0.5733);
    assert_eq!(orphan.impact, None);
    assert_eq!(orphan.risk, None);
    assert_eq!(orphan.tier, Tier::High);

    let order: Vec<(&str, usize)> = register
        .vendors
        .iter()
        .map(|v| (v.id.as_str(), v.rank))
        .collect();
    assert_eq!(
        order,
        [
            ("acme-edi", 1),
            ("northwind", 2),
            ("spare-co", 3),
            ("orphan-labs", 4)
        ]
    );
}

#[test]
fn drivers_add_up_and_attested_is_kept_apart_from_observed() {
    let register = worked();
    for v in &register.vendors {
        let sum = |scored: Scored| -> f64 {
            v.drivers
                .iter()
                .filter(|d| d.score == scored)
                .map(|d| d.weight)
                .sum()
        };
        assert!(
            (sum(Scored::Likelihood) - v.likelihood).abs() < 1e-8,
            "{}",
            v.id
        );
        if let Some(impact) = v.impact {
            assert!((sum(Scored::Impact) - impact).abs() < 1e-8, "{}", v.id);
        }
        assert!(
            (v.detail.attested_likelihood + v.detail.observed_likelihood - v.likelihood).abs()
                < 1e-8
        );
        for pair in v.drivers.windows(2) {
            if pair[0].score == pair[1].score {
                assert!(pair[0].weight >= pair[1].weight, "{}: largest first", v.id);
            }
        }
        for d in &v.drivers {
            let expected = match d.factor.as_str() {
                "control-missing"
                | "control-unknown"
                | "control-unevidenced"
                | "control-weak"
                | "answers" => Basis::Attested,
                "subcontractor" => Basis::FourthParty,
                "entity-impact" | "survival-shortfall" => Basis::Network,
                _ => Basis::Observed,
            };
            assert_eq!(d.basis, expected, "{}: {}", v.id, d.factor);
        }
    }
    let acme = row(&register, "acme-edi");
    let states: Vec<ControlState> = acme.detail.controls.iter().map(|c| c.state).collect();
    assert!(states.contains(&ControlState::Expired));
    assert_eq!(
        acme.detail.evidence[0].backs,
        "controls.incident_response_plan"
    );
    assert_eq!(acme.detail.evidence[0].days_left, Some(-31));
    assert_eq!(acme.detail.findings.len(), 2);
    assert!(acme.detail.findings[0].ransomware);
}

#[test]
fn the_json_is_a_function_of_the_inputs() {
    let a = serde_json::to_string_pretty(&worked()).expect("serialises");
    let b = serde_json::to_string_pretty(&worked()).expect("serialises");
    assert_eq!(a, b);
    insta::assert_snapshot!("worked_example", a);
}

#[test]
fn unknown_is_never_better_than_absent() {
    let mut register = worked_register();
    let base = register.vendors[0].clone();
    let mut absent = base.clone();
    absent.id = "absent".to_owned();
    for id in ControlId::ALL {
        absent.controls.0.insert(id, control(false));
    }
    register.vendors = vec![base, absent];
    let scored = score_with(&register, &network(), &stress(0.0, 0.0), &[], AS_OF);
    assert!(row(&scored, "orphan-labs").likelihood >= row(&scored, "absent").likelihood);
}

// ---- The five properties ----

/// What a generated vendor is made of (the same spec gives "alike" vendors).
#[derive(Debug, Clone)]
struct Spec {
    controls: Vec<Option<ControlSpec>>,
    answers: Vec<(AnswerValue, Option<i64>)>,
    /// Open findings per class: KEV with ransomware use, KEV, critical, high, other.
    findings: [usize; 5],
    incidents: Vec<(usize, i64)>,
}

#[derive(Debug, Clone)]
struct ControlSpec {
    in_place: bool,
    /// Evidence expiry, in days from `AS_OF`.
    evidence: Vec<i64>,
    restore_test_days_ago: Option<i64>,
    restore_hours: Option<f64>,
    completion: Option<f64>,
    click_rate: Option<f64>,
    patch_days: Option<f64>,
}

fn control_spec() -> impl Strategy<Value = ControlSpec> {
    (
        any::<bool>(),
        prop::collection::vec(-400_i64..400, 0..3),
        prop::option::of(0_i64..1000),
        prop::option::of(1.0_f64..200.0),
        prop::option::of(0.0_f64..=1.0),
        prop::option::of(0.0_f64..=1.0),
        prop::option::of(1.0_f64..200.0),
    )
        .prop_map(
            |(in_place, evidence, restore, hours, completion, click, patch)| ControlSpec {
                in_place,
                evidence,
                restore_test_days_ago: restore,
                restore_hours: hours,
                completion,
                click_rate: click,
                patch_days: patch,
            },
        )
}

fn answer_value() -> impl Strategy<Value = AnswerValue> {
    prop_oneof![
        Just(AnswerValue::Yes),
        Just(AnswerValue::Partial),
        Just(AnswerValue::No),
        Just(AnswerValue::Na)
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(prop::option::of(control_spec()), 9),
        prop::collection::vec((answer_value(), prop::option::of(-300_i64..300)), 0..5),
        [0_usize..3, 0..3, 0..4, 0..4, 0..6],
        prop::collection::vec((0_usize..5, 0_i64..3000), 0..3),
    )
        .prop_map(|(controls, answers, findings, incidents)| Spec {
            controls,
            answers,
            findings,
            incidents,
        })
}

const KINDS: [&str; 5] = ["ransomware", "breach", "outage", "counterfeit", "flood"];

fn build_control(spec: &ControlSpec) -> Control {
    Control {
        in_place: spec.in_place,
        evidence: spec
            .evidence
            .iter()
            .map(|d| evidence("soc2-type2", AS_OF + time::Duration::days(*d)))
            .collect(),
        last_restore_test: spec
            .restore_test_days_ago
            .map(|d| AS_OF - time::Duration::days(d)),
        restore_hours: spec.restore_hours,
        last_tested: spec
            .restore_test_days_ago
            .map(|d| AS_OF - time::Duration::days(d)),
        completion: spec.completion,
        phishing_click_rate: spec.click_rate,
        critical_patch_days: spec.patch_days,
    }
}

/// A vendor and the scan of its one product.
fn build(id: &str, spec: &Spec) -> (Vendor, String) {
    let mut controls = Controls::default();
    for (id, c) in ControlId::ALL.into_iter().zip(&spec.controls) {
        if let Some(c) = c {
            controls.0.insert(id, build_control(c));
        }
    }
    let answers = spec
        .answers
        .iter()
        .enumerate()
        .map(|(i, (value, expires))| Answer {
            question: format!("GV.SC-{:02}", i + 1),
            answer: *value,
            evidence: expires
                .map(|d| vec![evidence("attestation", AS_OF + time::Duration::days(d))])
                .unwrap_or_default(),
            comment: None,
        })
        .collect();
    let incidents = spec
        .incidents
        .iter()
        .map(|(kind, days)| Incident {
            date: AS_OF - time::Duration::days(*days),
            kind: KINDS[*kind].to_owned(),
            downtime_days: None,
            source: None,
        })
        .collect();
    let serial = format!("urn:uuid:{id}");
    let vendor = Vendor {
        id: id.to_owned(),
        name: id.to_uppercase(),
        products: vec![Product {
            id: format!("{id}-product"),
            name: "product".to_owned(),
            sbom: Some(serial.clone()),
            ..Product::default()
        }],
        controls,
        answers,
        incidents,
        ..Vendor::default()
    };
    (vendor, scan_json(&serial, spec.findings, 0))
}

/// A scan document with `counts` open findings per class (ids numbered from `first`).
fn scan_json(serial: &str, counts: [usize; 5], first: usize) -> String {
    let mut findings = Vec::new();
    let mut n = first;
    for (class, &count) in counts.iter().enumerate() {
        for _ in 0..count {
            n += 1;
            let (severity, kev) = match class {
                0 => ("CRITICAL", r#"{"knownRansomwareCampaignUse": "Known"}"#),
                1 => ("HIGH", r#"{"knownRansomwareCampaignUse": "Unknown"}"#),
                2 => ("CRITICAL", "null"),
                3 => ("HIGH", "null"),
                _ => ("MEDIUM", "null"),
            };
            findings.push(format!(
                r#"{{"component": {{"purl": "pkg:npm/c{n}@1"}}, "id": "CVE-2099-{n:04}", "severity": "{severity}", "kev": {kev}, "status": "open"}}"#
            ));
        }
    }
    format!(
        r#"{{"reports": [{{"source": "{serial}.cdx.json", "serialNumber": "{serial}", "findings": [{}]}}]}}"#,
        findings.join(",")
    )
}

fn score_pair(
    a: (Vendor, String),
    b: (Vendor, String),
    as_of: Date,
    report: &Report,
) -> RiskRegister {
    let register = Register {
        format: lifeline_risk::FORMAT,
        as_of: None,
        vendors: vec![a.0, b.0],
    };
    let observations = vec![
        findings::read(&a.1, "a.json").expect("generated scan reads"),
        findings::read(&b.1, "b.json").expect("generated scan reads"),
    ];
    score_with(&register, &network(), report, &observations, as_of)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// 1. More attested controls in place: likelihood not higher.
    #[test]
    fn more_controls_in_place_never_raise_likelihood(
        spec in spec(),
        which in prop::collection::vec(0_usize..9, 1..4),
        added in control_spec(),
    ) {
        let mut more = spec.clone();
        for &i in &which {
            let mut control = added.clone();
            control.in_place = true;
            // Evidence that holds (or none: a bare attestation).
            control.evidence.retain(|d| *d >= 0);
            let was_in_place = spec.controls[i].as_ref().is_some_and(|c| {
                c.in_place && (c.evidence.is_empty() || c.evidence.iter().any(|d| *d >= 0))
            });
            if !was_in_place {
                more.controls[i] = Some(control);
            }
        }
        let scored = score_pair(build("a", &spec), build("b", &more), AS_OF, &stress(1.0, 1.0));
        prop_assert!(row(&scored, "b").likelihood <= row(&scored, "a").likelihood);
    }

    /// 2. An open KEV finding in its products: likelihood strictly higher.
    #[test]
    fn an_open_kev_finding_raises_likelihood(spec in spec(), ransomware in any::<bool>()) {
        let (vendor, _) = build("b", &spec);
        let mut counts = spec.findings;
        counts[if ransomware { 0 } else { 1 }] += 1;
        let with_kev = (vendor, scan_json("urn:uuid:b", counts, 0));
        let scored = score_pair(build("a", &spec), with_kev, AS_OF, &stress(1.0, 1.0));
        prop_assert!(row(&scored, "b").likelihood > row(&scored, "a").likelihood);
    }

    /// 3. Higher performance impact of its entities: impact strictly higher, risk not lower;
    /// an entity that loses nothing and survives its recovery has the lowest impact.
    #[test]
    fn higher_performance_impact_raises_impact(
        spec in spec(),
        pi_a in prop_oneof![Just(0.0_f64), 0.001_f64..600.0],
        more in 0.001_f64..600.0,
    ) {
        let report = stress(pi_a, pi_a + more);
        let scored = score_pair(build("a", &spec), build("b", &spec), AS_OF, &report);
        let (a, b) = (row(&scored, "a"), row(&scored, "b"));
        prop_assert!(b.impact > a.impact);
        prop_assert!(b.risk >= a.risk);
        // p-a and p-b survive their recovery (TTS 40 ≥ TTR 5): impact 0 exactly when PI is 0.
        prop_assert_eq!(a.impact == Some(0.0), pi_a == 0.0);
    }

    /// 4. Evidence that expires between two `as_of` dates: the control is unknown from the
    /// later date on and the likelihood does not fall.
    #[test]
    fn expiring_evidence_never_lowers_likelihood(
        spec in spec(),
        later in 1_i64..800,
    ) {
        let mut spec = spec;
        spec.incidents.clear(); // incidents decay with age: the one thing that may fall
        let earlier_reg = score_pair(build("a", &spec), build("b", &spec), AS_OF, &stress(1.0, 1.0));
        let later_day = AS_OF + time::Duration::days(later);
        let later_reg = score_pair(build("a", &spec), build("b", &spec), later_day, &stress(1.0, 1.0));
        let (before, after) = (row(&earlier_reg, "a"), row(&later_reg, "a"));
        prop_assert!(after.likelihood >= before.likelihood - 1e-12);
        for (id, c) in ControlId::ALL.into_iter().zip(&spec.controls) {
            let Some(c) = c else { continue };
            let holds_before = c.evidence.is_empty() || c.evidence.iter().any(|d| *d >= 0);
            let holds_after = c.evidence.is_empty() || c.evidence.iter().any(|d| *d >= later);
            if holds_before && !holds_after {
                let state = after.detail.controls.iter().find(|x| x.control == id).map(|x| x.state);
                prop_assert_eq!(state, Some(ControlState::Expired));
            }
        }
    }

    /// 5. Same inputs, same bytes; drivers add up to their scores.
    #[test]
    fn same_inputs_same_bytes(a in spec(), b in spec()) {
        let first = score_pair(build("a", &a), build("b", &b), AS_OF, &stress(3.0, 7.0));
        let second = score_pair(build("a", &a), build("b", &b), AS_OF, &stress(3.0, 7.0));
        prop_assert_eq!(
            serde_json::to_string(&first).expect("serialises"),
            serde_json::to_string(&second).expect("serialises")
        );
        for v in &first.vendors {
            let l: f64 = v.drivers.iter().filter(|d| d.score == Scored::Likelihood).map(|d| d.weight).sum();
            prop_assert!((l - v.likelihood).abs() < 1e-8);
            prop_assert!((0.0..=1.0).contains(&v.likelihood));
            for i in &v.detail.improvements {
                prop_assert!(i.likelihood_after < v.likelihood);
                prop_assert!(i.tier_after >= v.tier);
            }
        }
    }
}

// ---- The findings reader ----

fn golden(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../lifeline-cli/tests/data/golden")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn reads_the_scan_golden() {
    let obs = findings::read(&golden("sbom-scan.json"), "sbom-scan.json").expect("reads");
    assert_eq!(obs.source, Source::Scan);
    assert_eq!(obs.sboms.len(), 2);
    let sbom = &obs.sboms[0];
    assert_eq!(
        sbom.serial_number.as_deref(),
        Some("urn:uuid:5a4d2b3c-1111-4c2d-9e8f-0123456789ab")
    );
    assert_eq!(sbom.findings.len(), 7);
    let log4j = &sbom.findings[0];
    assert_eq!(log4j.id, "CVE-2021-44228");
    assert!(log4j.kev && log4j.ransomware && log4j.open);
    assert_eq!(log4j.due_date.as_deref(), Some("2021-12-24"));
    assert_eq!(
        log4j.component,
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    );
    assert_eq!(sbom.findings.iter().filter(|f| f.kev).count(), 1);
}

#[test]
fn reads_the_device_report_golden() {
    let obs = findings::read(&golden("devices-report.json"), "devices-report.json").expect("reads");
    assert_eq!(obs.source, Source::Devices);
    let acme = &obs.vendors[0];
    assert_eq!(acme.vendor_id, "acme-devices-inc");
    assert_eq!(
        (acme.open, acme.kev, acme.kev_ransomware, acme.critical),
        (7, 1, 1, 2)
    );
    assert_eq!(acme.top[0], "CVE-2021-44228");

    // Attached by vendor id: a KEV with ransomware use drives the vendor's likelihood.
    let register = Register {
        format: lifeline_risk::FORMAT,
        as_of: None,
        vendors: vec![Vendor {
            id: "acme-devices-inc".to_owned(),
            name: "Acme Devices".to_owned(),
            ..Vendor::default()
        }],
    };
    let scored = score_with(&register, &network(), &stress(0.0, 0.0), &[obs], AS_OF);
    let v = &scored.vendors[0];
    assert_eq!(v.findings.kev_ransomware, 1);
    assert_eq!(v.findings.open, 7);
    assert!(
        v.drivers
            .iter()
            .any(|d| d.factor == "kev-ransomware" && d.detail.contains("CVE-2021-44228"))
    );
}

#[test]
fn a_scan_and_a_device_report_of_the_same_sbom_do_not_count_twice() {
    let devices = findings::read(&golden("devices-report.json"), "devices.json").expect("reads");
    let scan = findings::read(&golden("sbom-scan.json"), "scan.json").expect("reads");
    let register = Register {
        format: lifeline_risk::FORMAT,
        as_of: None,
        vendors: vec![Vendor {
            id: "acme-devices-inc".to_owned(),
            name: "Acme Devices".to_owned(),
            products: vec![Product {
                id: "abc".to_owned(),
                name: "ABC 4.2".to_owned(),
                sbom: Some("urn:uuid:5a4d2b3c-1111-4c2d-9e8f-0123456789ab".to_owned()),
                ..Product::default()
            }],
            ..Vendor::default()
        }],
    };
    let one = score_with(
        &register,
        &network(),
        &stress(0.0, 0.0),
        std::slice::from_ref(&scan),
        AS_OF,
    );
    let both = score_with(
        &register,
        &network(),
        &stress(0.0, 0.0),
        &[scan, devices],
        AS_OF,
    );
    assert_eq!(one.vendors[0].likelihood, both.vendors[0].likelihood);
    assert_eq!(both.vendors[0].findings.open, 7);
    assert_eq!(both.vendors[0].detail.findings.len(), 7);
}

#[test]
fn unreadable_documents_are_named() {
    let err = findings::read("{", "x.json").expect_err("not JSON");
    assert!(
        err.to_string().starts_with("x.json: not valid JSON"),
        "{err}"
    );
    let err = findings::read(r#"{"network": "n"}"#, "stress.json").expect_err("wrong shape");
    assert!(
        err.to_string().contains("neither a `lifeline sbom scan"),
        "{err}"
    );
    let err = findings::read(
        r#"{"reports": [{"findings": [{"component": {}, "id": ""}]}]}"#,
        "s.json",
    )
    .expect_err("empty id");
    assert_eq!(
        err.to_string(),
        "s.json: reports[0].findings[0].id: expected a vulnerability id, found an empty string"
    );
    let err = findings::read(r#"{"reports": [{"findings": [{"id": 3}]}]}"#, "s.json")
        .expect_err("wrong type");
    assert!(err.to_string().contains("s.json: not valid JSON"), "{err}");
}
