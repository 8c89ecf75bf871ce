//! The register's renderers (table, CSV, JSON), the per-vendor report (Markdown, HTML) and
//! the heat map (SVG), over a register built by hand: snapshots of each, hostile names
//! kept inert in every format, and the SVG read back as XML.

use lifeline_risk::assessment::{
    AnswerAssessment, Basis, ControlAssessment, ControlState, Driver, EntityImpact, EvidenceStatus,
    FindingCounts, FindingRef, Improvement, IncidentNote, RiskRegister, Scored, Tier, VendorDetail,
    VendorRisk,
};
use lifeline_risk::model::{AnswerValue, ControlId, Evidence};
use lifeline_risk::{date, heatmap, render, report};
use time::Date;

fn day(text: &str) -> Date {
    date::parse(text).unwrap_or_else(|| panic!("test date {text}"))
}

fn driver(factor: &str, detail: &str, weight: f64, score: Scored, basis: Basis) -> Driver {
    Driver {
        factor: factor.to_owned(),
        detail: detail.to_owned(),
        weight,
        score,
        basis,
    }
}

fn evidence(
    backs: &str,
    kind: &str,
    reference: &str,
    expires: &str,
    as_of: Date,
) -> EvidenceStatus {
    let expires = day(expires);
    EvidenceStatus {
        backs: backs.to_owned(),
        evidence: Evidence {
            kind: kind.to_owned(),
            issued: Some(day("2025-11-01")),
            expires: Some(expires),
            reference: Some(reference.to_owned()),
        },
        days_left: Some(date::days_between(as_of, expires)),
    }
}

fn control(control: ControlId, state: ControlState, gap: f64, notes: &[&str]) -> ControlAssessment {
    ControlAssessment {
        control,
        title: control.title(),
        state,
        gap,
        notes: notes.iter().map(|n| (*n).to_owned()).collect(),
    }
}

fn answer(question: &str, text: &str, value: AnswerValue, gap: Option<f64>) -> AnswerAssessment {
    AnswerAssessment {
        question: question.to_owned(),
        text: Some(text.to_owned()),
        answer: value,
        expired: false,
        gap,
        comment: None,
    }
}

fn empty_detail() -> VendorDetail {
    VendorDetail {
        kind: None,
        contact: None,
        attested_likelihood: 0.0,
        observed_likelihood: 0.0,
        controls: Vec::new(),
        answers: Vec::new(),
        evidence: Vec::new(),
        findings: Vec::new(),
        incidents: Vec::new(),
        entity_impacts: Vec::new(),
        subcontractors: Vec::new(),
        alternatives: Vec::new(),
        improvements: Vec::new(),
    }
}

/// The EDI vendor of the spec's example, in full.
fn acme(as_of: Date) -> VendorRisk {
    let mut expired_answer = answer(
        "GV.SC-07",
        "The risks posed by a supplier are understood, recorded, prioritized, assessed, \
         responded to, and monitored over the course of the relationship",
        AnswerValue::Yes,
        Some(1.0),
    );
    expired_answer.expired = true;
    let mut partial = answer(
        "GV.SC-05",
        "Requirements to address cybersecurity risks in supply chains are established, \
         prioritized, and integrated into contracts",
        AnswerValue::Partial,
        Some(0.5),
    );
    partial.comment = Some("New contracts only since 2025".to_owned());
    VendorRisk {
        id: "acme-edi".to_owned(),
        name: "Acme EDI Services".to_owned(),
        rank: 1,
        risk: Some(0.82),
        tier: Tier::Critical,
        likelihood: 0.74,
        impact: Some(0.91),
        drivers: vec![
            driver(
                "kev-ransomware",
                "CVE-2023-4966 (known ransomware use) in acme-edi-gateway 13.1",
                0.3,
                Scored::Likelihood,
                Basis::Observed,
            ),
            driver(
                "control-missing",
                "No offline backups attested",
                0.22,
                Scored::Likelihood,
                Basis::Attested,
            ),
            driver(
                "incident",
                "Ransomware incident on 2024-02-21 (9 days down)",
                0.12,
                Scored::Likelihood,
                Basis::Observed,
            ),
            driver(
                "subcontractor",
                "Through northwind-hosting: 1 open KEV finding",
                0.1,
                Scored::Likelihood,
                Basis::FourthParty,
            ),
            driver(
                "entity-impact",
                "edi-hub: TTS 2 days against TTR 9 days, performance impact 0.64",
                0.91,
                Scored::Impact,
                Basis::Network,
            ),
        ],
        entities: vec!["edi-hub".to_owned(), "dc-east".to_owned()],
        findings: FindingCounts {
            open: 3,
            kev: 2,
            kev_ransomware: 1,
            critical: 2,
            high: 1,
        },
        detail: VendorDetail {
            kind: Some("software".to_owned()),
            contact: Some("security@acme-edi.example".to_owned()),
            attested_likelihood: 0.34,
            observed_likelihood: 0.3,
            controls: vec![
                control(ControlId::Mfa, ControlState::Evidenced, 0.0, &[]),
                control(
                    ControlId::OfflineBackups,
                    ControlState::Absent,
                    1.0,
                    &["attested as not in place"],
                ),
                control(
                    ControlId::IncidentResponsePlan,
                    ControlState::Expired,
                    1.0,
                    &["the only evidence (attestation) expired on 2026-10-31"],
                ),
                control(
                    ControlId::AwarenessTraining,
                    ControlState::Attested,
                    0.38,
                    &["62% completion", "no evidence"],
                ),
                control(ControlId::SbomProvided, ControlState::Unknown, 1.0, &[]),
            ],
            answers: vec![
                answer(
                    "GV.SC-01",
                    "A cybersecurity supply chain risk management program, strategy, \
                     objectives, policies, and processes are established and agreed to by \
                     organizational stakeholders",
                    AnswerValue::Yes,
                    Some(0.0),
                ),
                partial,
                expired_answer,
                answer(
                    "GV.SC-10",
                    "Cybersecurity supply chain risk management plans include provisions for \
                     activities that occur after the conclusion of a partnership or service \
                     agreement",
                    AnswerValue::No,
                    Some(1.0),
                ),
                answer("ctl-sbom-provided", "SBOMs supplied", AnswerValue::Na, None),
            ],
            evidence: vec![
                evidence(
                    "controls.incident_response_plan",
                    "attestation",
                    "IRP-2025",
                    "2026-10-31",
                    as_of,
                ),
                evidence(
                    "controls.mfa",
                    "soc2-type2",
                    "SOC2-2026-114",
                    "2026-12-21",
                    as_of,
                ),
                evidence(
                    "answers[GV.SC-05]",
                    "attestation",
                    "contracts memo",
                    "2027-01-15",
                    as_of,
                ),
                evidence("controls.mfa", "pen-test", "PT-0925", "2027-02-19", as_of),
                evidence(
                    "controls.mfa",
                    "iso27001",
                    "ISO-CERT-88",
                    "2028-06-30",
                    as_of,
                ),
                EvidenceStatus {
                    backs: "controls.awareness_training".to_owned(),
                    evidence: Evidence {
                        kind: "training-records".to_owned(),
                        issued: None,
                        expires: None,
                        reference: None,
                    },
                    days_left: None,
                },
            ],
            findings: vec![
                FindingRef {
                    product: "acme-edi-gateway".to_owned(),
                    id: "CVE-2023-4966".to_owned(),
                    severity: "critical".to_owned(),
                    score: Some(9.4),
                    kev: true,
                    ransomware: true,
                    due_date: Some("2023-11-08".to_owned()),
                    component: "pkg:generic/netscaler-adc@13.1-48.47".to_owned(),
                    fixed_versions: vec!["13.1-49.15".to_owned()],
                    source: "scans/acme.scan.json".to_owned(),
                },
                FindingRef {
                    product: "acme-edi-gateway".to_owned(),
                    id: "CVE-2021-44228".to_owned(),
                    severity: "critical".to_owned(),
                    score: Some(10.0),
                    kev: true,
                    ransomware: false,
                    due_date: Some("2021-12-24".to_owned()),
                    component: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".to_owned(),
                    fixed_versions: vec!["2.15.0".to_owned(), "2.12.2".to_owned()],
                    source: "scans/acme.scan.json".to_owned(),
                },
                FindingRef {
                    product: "acme-portal".to_owned(),
                    id: "GHSA-xxxx-yyyy-zzzz".to_owned(),
                    severity: "high".to_owned(),
                    score: None,
                    kev: false,
                    ransomware: false,
                    due_date: None,
                    component: "pkg:npm/left-pad@1.0.0".to_owned(),
                    fixed_versions: Vec::new(),
                    source: "scans/portal.scan.json".to_owned(),
                },
            ],
            incidents: vec![IncidentNote {
                date: day("2024-02-21"),
                kind: "ransomware".to_owned(),
                downtime_days: Some(9.0),
                source: Some("https://example.org/news/acme-edi-outage?id=1&lang=en".to_owned()),
                weight: 0.12,
            }],
            entity_impacts: vec![
                EntityImpact {
                    entity: "edi-hub".to_owned(),
                    via: None,
                    tts: 2.0,
                    ttr: Some(9.0),
                    gap: Some(-7.0),
                    performance_impact: Some(0.64),
                    rei: Some(0.31),
                    impact: 0.91,
                },
                EntityImpact {
                    entity: "dc-east".to_owned(),
                    via: Some("northwind-hosting".to_owned()),
                    tts: 12.5,
                    ttr: None,
                    gap: None,
                    performance_impact: None,
                    rei: None,
                    impact: 0.2,
                },
            ],
            subcontractors: vec!["northwind-hosting".to_owned()],
            alternatives: vec!["globex-edi".to_owned()],
            improvements: vec![
                Improvement {
                    action: "Fix CVE-2023-4966 in acme-edi-gateway (KEV, ransomware)".to_owned(),
                    likelihood_after: 0.52,
                    risk_after: Some(0.66),
                    tier_after: Tier::High,
                },
                Improvement {
                    action: "Put offline backups in place, restore tested".to_owned(),
                    likelihood_after: 0.6,
                    risk_after: Some(0.71),
                    tier_after: Tier::High,
                },
            ],
        },
    }
}

fn simple(
    id: &str,
    name: &str,
    rank: usize,
    tier: Tier,
    likelihood: f64,
    impact: Option<f64>,
) -> VendorRisk {
    VendorRisk {
        id: id.to_owned(),
        name: name.to_owned(),
        rank,
        risk: impact.map(|i| (likelihood * i).sqrt()),
        tier,
        likelihood,
        impact,
        drivers: vec![driver(
            "baseline",
            "Baseline likelihood for a vendor with no findings",
            likelihood,
            Scored::Likelihood,
            Basis::Attested,
        )],
        entities: if impact.is_some() {
            vec![format!("{id}-site")]
        } else {
            Vec::new()
        },
        findings: FindingCounts::default(),
        detail: VendorDetail {
            attested_likelihood: likelihood,
            ..empty_detail()
        },
    }
}

fn register() -> RiskRegister {
    let as_of = day("2026-12-01");
    RiskRegister {
        as_of,
        network: "iv-fluids".to_owned(),
        vendors: vec![
            acme(as_of),
            simple(
                "northfield-fluids",
                "Northfield Fluids",
                2,
                Tier::High,
                0.41,
                Some(0.7),
            ),
            simple(
                "coldchain-logistics",
                "ColdChain Logistics",
                3,
                Tier::Medium,
                0.41,
                Some(0.7),
            ),
            simple(
                "quiet-labels",
                "Quiet Labels",
                4,
                Tier::Low,
                0.05,
                Some(0.0),
            ),
            simple(
                "office-supplies",
                "Office Supplies Ltd",
                5,
                Tier::Low,
                0.2,
                None,
            ),
        ],
    }
}

/// A vendor whose every text is hostile: markup, terminal escapes, bidi controls, a
/// spreadsheet formula, Markdown that would link or break a table.
const HOSTILE: &str = "=HYPERLINK(\"http://evil\")<script>alert('x')</script>|**[a](javascript:x)**\u{1b}]0;pwned\u{7}\u{202e}gpj.exe";

fn hostile_register() -> RiskRegister {
    let as_of = day("2026-12-01");
    let mut vendor = acme(as_of);
    vendor.id = format!("evil{HOSTILE}");
    vendor.name = HOSTILE.to_owned();
    vendor.detail.contact = Some(HOSTILE.to_owned());
    vendor.detail.kind = Some(HOSTILE.to_owned());
    vendor.drivers[0].detail = HOSTILE.to_owned();
    vendor.detail.controls[0].notes = vec![HOSTILE.to_owned()];
    vendor.detail.answers[1].comment = Some(HOSTILE.to_owned());
    vendor.detail.evidence[1].evidence.reference = Some(HOSTILE.to_owned());
    vendor.detail.findings[0].component = HOSTILE.to_owned();
    vendor.detail.findings[0].id = format!("CVE`{HOSTILE}");
    vendor.detail.incidents[0].source = Some(format!("javascript:{HOSTILE}"));
    vendor.detail.entity_impacts[0].entity = HOSTILE.to_owned();
    vendor.detail.subcontractors = vec![HOSTILE.to_owned()];
    vendor.detail.improvements[0].action = HOSTILE.to_owned();
    vendor.entities = vec![HOSTILE.to_owned()];
    RiskRegister {
        as_of,
        network: HOSTILE.to_owned(),
        vendors: vec![vendor],
    }
}

#[test]
fn table() {
    insta::assert_snapshot!(render::table(&register()));
}

#[test]
fn csv() {
    insta::assert_snapshot!(render::csv(&register()));
}

#[test]
fn json() {
    insta::assert_snapshot!(render::json(&register()));
}

#[test]
fn markdown() {
    insta::assert_snapshot!(report::markdown(&register(), "acme-edi").unwrap_or_default());
}

#[test]
fn markdown_of_a_vendor_with_little_on_file() {
    insta::assert_snapshot!(report::markdown(&register(), "office-supplies").unwrap_or_default());
}

#[test]
fn html() {
    insta::assert_snapshot!(report::html(&register(), "acme-edi").unwrap_or_default());
}

#[test]
fn svg() {
    insta::assert_snapshot!(heatmap::svg(&register()));
}

#[test]
fn unknown_vendor_has_no_report() {
    assert_eq!(report::markdown(&register(), "nobody"), None);
    assert_eq!(report::html(&register(), "nobody"), None);
}

#[test]
fn json_is_the_spec_report_and_reproducible() {
    let text = render::json(&register());
    assert!(text.ends_with("}\n"));
    assert_eq!(text, render::json(&register()), "same register, same bytes");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(value["as_of"], "2026-12-01");
    assert_eq!(value["network"], "iv-fluids");
    let first = &value["vendors"][0];
    assert_eq!(first["id"], "acme-edi");
    assert_eq!(first["rank"], 1);
    assert_eq!(first["risk"], 0.82);
    assert_eq!(first["tier"], "critical");
    assert_eq!(first["likelihood"], 0.74);
    assert_eq!(first["impact"], 0.91);
    assert_eq!(first["drivers"][0]["factor"], "kev-ransomware");
    assert_eq!(first["drivers"][0]["weight"], 0.3);
    assert_eq!(first["entities"][0], "edi-hub");
    assert_eq!(first["findings"]["open"], 3);
    assert_eq!(first["findings"]["kev"], 2);
    assert_eq!(value["vendors"][4]["impact"], serde_json::Value::Null);
    assert_eq!(value["vendors"][4]["risk"], serde_json::Value::Null);
}

#[test]
fn csv_reads_back_with_exact_numbers() {
    let text = render::csv(&register());
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().cloned().unwrap_or_default();
    assert_eq!(&headers[0], "rank");
    assert_eq!(&headers[4], "risk");
    let rows: Vec<csv::StringRecord> = reader.records().filter_map(Result::ok).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[0][1], "acme-edi");
    assert_eq!(rows[0][5].parse::<f64>().ok(), Some(0.74));
    assert_eq!(&rows[0][14], "edi-hub;dc-east");
    assert_eq!(&rows[0][15], "kev-ransomware");
    let expected = (0.41_f64 * 0.7).sqrt();
    assert_eq!(rows[1][4].parse::<f64>().ok(), Some(expected), "unrounded");
    assert_eq!(&rows[4][4], "", "null risk is an empty cell");
    assert_eq!(&rows[4][6], "", "null impact is an empty cell");
}

#[test]
fn evidence_falls_in_its_expiry_window() {
    let text = report::markdown(&register(), "acme-edi").unwrap_or_default();
    let section = |title: &str| -> String {
        let start = text
            .find(title)
            .unwrap_or_else(|| panic!("no {title:?} in\n{text}"));
        let rest = &text[start + title.len()..];
        let end = rest.find("\n#").unwrap_or(rest.len());
        rest[..end].to_owned()
    };
    // As of 2026-12-01: expired 31 days ago, 20, 45 and 80 days left, then 942.
    assert!(section("### Expired").contains("IRP-2025"));
    assert!(section("### Expires within 30 days").contains("SOC2-2026-114"));
    assert!(section("### Expires in 31 to 60 days").contains("contracts memo"));
    assert!(section("### Expires in 61 to 90 days").contains("PT-0925"));
    assert!(
        !text.contains("ISO-CERT-88"),
        "valid beyond 90 days: counted, not listed"
    );
    assert!(text.contains("1 document valid for more than 90 days, 1 with no expiry date"));
}

#[test]
fn alternatives_stay_ours() {
    let text = report::markdown(&register(), "acme-edi").unwrap_or_default();
    assert!(!text.contains("globex-edi"));
    let html = report::html(&register(), "acme-edi").unwrap_or_default();
    assert!(!html.contains("globex-edi"));
}

#[test]
fn hostile_text_stays_text_in_the_table_and_csv() {
    let register = hostile_register();
    let table = render::table(&register);
    let csv = render::csv(&register);
    for text in [&table, &csv] {
        assert!(!text.contains('\u{1b}'), "no raw escape:\n{text}");
        assert!(!text.contains('\u{202e}'), "no raw bidi override:\n{text}");
        assert!(!text.contains('\u{7}'));
    }
    assert!(table.contains("\\u{1b}]0;pwned\\u{7}\\u{202e}gpj.exe"));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let row = reader
        .records()
        .filter_map(Result::ok)
        .next()
        .unwrap_or_default();
    assert!(
        row[2].starts_with("'=HYPERLINK"),
        "a formula is defused: {}",
        &row[2]
    );
    assert_eq!(row.len(), 17);
    for cell in row.iter() {
        assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
    }
}

/// The tags of an HTML document, by name, in order.
fn tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '!'))
                .collect::<String>()
                .trim_start_matches('/')
                .to_ascii_lowercase()
        })
        .collect()
}

#[test]
fn hostile_text_stays_text_in_the_html_report() {
    let html = report::html(&hostile_register(), &format!("evil{HOSTILE}")).unwrap_or_default();
    assert!(html.starts_with("<!DOCTYPE html>"));
    let allowed = [
        "!doctype", "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3",
        "p", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td", "code", "strong",
        "span", "ol", "li", "a",
    ];
    for tag in tags(&html) {
        assert!(allowed.contains(&tag.as_str()), "unexpected tag <{tag}>");
    }
    assert!(!html.contains("<script"));
    assert!(!html.contains("javascript:x\""));
    assert!(
        !html.contains("href=\"javascript"),
        "only web addresses become links"
    );
    assert!(!html.contains('\u{1b}') && !html.contains('\u{202e}'));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("\\u{1b}]0;pwned\\u{7}\\u{202e}gpj.exe"));
    // The one link is the acme incident's, replaced here: no anchor at all.
    assert_eq!(html.matches("<a ").count(), 0);
}

#[test]
fn the_html_report_links_web_sources() {
    let html = report::html(&register(), "acme-edi").unwrap_or_default();
    assert!(
        html.contains("<a href=\"https://example.org/news/acme-edi-outage?id=1&amp;lang=en\">")
    );
}

/// Markdown with its code spans (between unescaped backticks) taken out.
fn outside_code_spans(text: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    let mut escaped = false;
    for c in text.chars() {
        if c == '`' && !escaped {
            in_code = !in_code;
            continue;
        }
        escaped = c == '\\' && !escaped && !in_code;
        if !in_code {
            out.push(c);
        }
    }
    assert!(!in_code, "an unclosed code span");
    out
}

#[test]
fn hostile_text_stays_text_in_the_markdown_report() {
    let text = report::markdown(&hostile_register(), &format!("evil{HOSTILE}")).unwrap_or_default();
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
    // Raw HTML would pass through Markdown: every `<` outside a code span (where text is
    // literal) is escaped.
    let prose = outside_code_spans(&text);
    let raw = prose
        .match_indices('<')
        .filter(|(at, _)| !prose[..*at].ends_with('\\'))
        .count();
    assert_eq!(raw, 0, "{prose}");
    assert!(text.contains("\\<script\\>"));
    assert!(!prose.contains("[a](javascript"), "no link");
    assert!(text.contains("\\[a\\](javascript:x)"));
    // A `|` in a value must not add a table column: every row of a table has as many
    // unescaped pipes as its header.
    let mut expected: Option<usize> = None;
    for line in text.lines() {
        if !line.starts_with('|') {
            expected = None;
            continue;
        }
        let pipes = line
            .match_indices('|')
            .filter(|(at, _)| !line[..*at].ends_with('\\'))
            .count();
        match expected {
            None => expected = Some(pipes),
            Some(n) => assert_eq!(pipes, n, "{line}"),
        }
    }
}

#[test]
fn the_heat_map_is_xml_with_every_vendor() {
    let text = heatmap::svg(&register());
    let document = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert_eq!(root.attribute("role"), Some("img"));
    let title = root
        .children()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text())
        .unwrap_or_default();
    assert_eq!(
        title,
        "Vendor cyber risk, iv-fluids, as of 2026-12-01: likelihood against impact"
    );
    let desc = root
        .children()
        .find(|n| n.has_tag_name("desc"))
        .and_then(|n| n.text())
        .unwrap_or_default();
    assert!(desc.starts_with("5 vendors: 1 critical, 1 high, 1 medium, 2 low. 4 are plotted"));
    let circles: Vec<_> = document
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .collect();
    assert_eq!(circles.len(), 4, "the vendor without impact is not plotted");
    // acme-edi: likelihood 0.74, impact 0.91 on a 500 × 400 grid from (72, 56).
    assert_eq!(
        circles.last().and_then(|c| c.attribute("cx")),
        Some("442.0")
    );
    assert_eq!(circles.last().and_then(|c| c.attribute("cy")), Some("92.0"));
    // Northfield and ColdChain have equal scores: drawn apart.
    let at = |i: usize| {
        let c = circles[i];
        (
            c.attribute("cx")
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or_default(),
            c.attribute("cy")
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or_default(),
        )
    };
    let (a, b) = (at(1), at(2));
    assert!((a.0 - b.0).hypot(a.1 - b.1) >= 18.0, "{a:?} {b:?}");
    let texts: Vec<&str> = document.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.iter().any(|t| t.starts_with("Not plotted")));
    assert!(texts.contains(&"office-supplies"), "listed under the grid");
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("1. Acme EDI Services (acme-edi): critical"))
    );
    // The top-right cell (likelihood 0.6–0.8, impact 0.8–1) carries acme's critical tint.
    let tinted = document.descendants().any(|n| {
        n.has_tag_name("rect")
            && n.attribute("x") == Some("372.0")
            && n.attribute("y") == Some("56.0")
            && n.attribute("fill") == Some("#fbdcdc")
    });
    assert!(tinted, "{text}");
}

#[test]
fn hostile_text_stays_text_in_the_heat_map() {
    let text = heatmap::svg(&hostile_register());
    let document = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(
        document
            .descendants()
            .filter(|n| n.has_tag_name("script"))
            .count(),
        0
    );
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
    let title = document
        .root_element()
        .children()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text())
        .unwrap_or_default();
    assert!(
        title.contains("<script>alert('x')</script>"),
        "read back as text: {title}"
    );
}

#[test]
fn a_large_register_numbers_only_the_highest_ranked() {
    let mut register = register();
    // 100 vendors in the network, then 20 outside it.
    register.vendors = (1..=120)
        .map(|rank| {
            let l = (rank % 10) as f64 / 10.0;
            let i = (rank % 7) as f64 / 7.0;
            simple(
                &format!("v{rank:03}"),
                &format!("Vendor {rank}"),
                rank,
                Tier::Medium,
                l,
                (rank <= 100).then_some(i),
            )
        })
        .collect();
    let text = heatmap::svg(&register);
    let document = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let circles = document
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    assert_eq!(circles, 100);
    let big = document
        .descendants()
        .filter(|n| n.has_tag_name("circle") && n.attribute("r") == Some("9"))
        .count();
    assert_eq!(big, heatmap::LABELLED);
    assert!(text.contains("and 70 more as small dots"));
    // Three lines of four ids under the grid, then the count of the rest.
    let texts: Vec<&str> = document.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.contains(&"v101, v102, v103, v104"));
    assert!(texts.contains(&"v109, v110, v111, v112"));
    assert!(!text.contains("v113"));
    assert!(texts.contains(&"and 8 more"));
    let height = document
        .root_element()
        .attribute("height")
        .and_then(|h| h.parse::<f64>().ok())
        .unwrap_or_default();
    let lowest = document
        .descendants()
        .filter_map(|n| n.attribute("y").and_then(|y| y.parse::<f64>().ok()))
        .fold(0.0, f64::max);
    assert!(
        lowest < height,
        "every line inside the picture: {lowest} of {height}"
    );
}

#[test]
fn hostile_snapshots() {
    let register = hostile_register();
    let id = format!("evil{HOSTILE}");
    insta::assert_snapshot!("hostile_table", render::table(&register));
    insta::assert_snapshot!(
        "hostile_markdown",
        report::markdown(&register, &id).unwrap_or_default()
    );
}

#[test]
fn the_benchmark_register_renders_whole() {
    // The size of the scoring benchmark: 5,000 vendors, many with equal scores.
    let mut register = register();
    register.vendors = (1..=5000)
        .map(|rank| {
            let l = (rank % 13) as f64 / 12.0;
            let i = (rank % 11) as f64 / 10.0;
            simple(
                &format!("v{rank:04}"),
                &format!("Vendor {rank}"),
                rank,
                Tier::Low,
                l,
                Some(i),
            )
        })
        .collect();
    let started = std::time::Instant::now();
    let svg = heatmap::svg(&register);
    let table = render::table(&register);
    let csv = render::csv(&register);
    let json = render::json(&register);
    let elapsed = started.elapsed();
    let document = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        document
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count(),
        5000
    );
    assert_eq!(
        table.lines().take_while(|line| !line.is_empty()).count(),
        5002
    );
    assert!(table.contains("Call first: "));
    assert_eq!(csv.lines().count(), 5001);
    assert!(json.contains("\"id\": \"v5000\""));
    // Generous for a debug build on a shared machine (it takes well under a second).
    assert!(elapsed.as_secs() < 20, "{elapsed:?}");
}
