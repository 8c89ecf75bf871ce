//! The per-vendor report (`lifeline risk report VENDOR --format markdown|html`): what a
//! third-party-risk analyst sends to a vendor. Its rating and what drives it, what it
//! attested kept apart from what was observed, its answers and their gaps, evidence that
//! expires within 30, 60 or 90 days, the findings to fix in order, what would lower its
//! tier, and how to reply.
//!
//! The content is built once as a small document ([`Block`]s of [`Inline`]s) and written
//! as Markdown or as one standalone HTML file, so the two never say different things.
//! Every value from the register is escaped for the format it lands in (after
//! [`lifeline_text::escaped`]); nothing from the register becomes markup. The list of
//! alternative vendors is deliberately left out: it is ours, not the vendor's.

use std::fmt::Write as _;

use crate::assessment::{
    AnswerAssessment, Basis, ControlState, EvidenceStatus, RiskRegister, Scored, Tier, VendorRisk,
};
use crate::date;
use crate::model::AnswerValue;
use crate::render::{count, md, score, score_or_dash, xml};

/// The report for `vendor_id` in Markdown (CommonMark with GitHub tables), or `None` when
/// the register has no such vendor.
pub fn markdown(register: &RiskRegister, vendor_id: &str) -> Option<String> {
    let vendor = register.vendors.iter().find(|v| v.id == vendor_id)?;
    Some(write_markdown(&document(register, vendor)))
}

/// The report for `vendor_id` as one standalone HTML file (inline CSS, no script, no
/// external resource), or `None` when the register has no such vendor.
pub fn html(register: &RiskRegister, vendor_id: &str) -> Option<String> {
    let vendor = register.vendors.iter().find(|v| v.id == vendor_id)?;
    Some(write_html(&document(register, vendor), &vendor.name))
}

/// How many days ahead the evidence section looks, in the windows it reports.
pub const EXPIRY_WINDOWS: [i64; 3] = [30, 60, 90];

/// Text within a block.
#[derive(Debug, Clone, PartialEq)]
enum Inline {
    /// Words of the report or values from the register: escaped on the way out.
    Text(String),
    Strong(String),
    /// An identifier (vendor id, CVE id, component): code in Markdown and HTML.
    Code(String),
    /// A tier, shown with its colour in HTML and in capitals in both.
    Tier(Tier),
    /// A link, written as one only for `http:` and `https:` addresses; otherwise text.
    Link(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Block {
    Title(String),
    Heading(String),
    Subheading(String),
    Paragraph(Vec<Inline>),
    /// Label, value pairs.
    Facts(Vec<(&'static str, Vec<Inline>)>),
    /// Columns (title, right-aligned), rows of cells.
    Table(Vec<(&'static str, bool)>, Vec<Vec<Vec<Inline>>>),
    Numbered(Vec<Vec<Inline>>),
}

fn text(value: impl Into<String>) -> Inline {
    Inline::Text(value.into())
}

fn cell(value: impl Into<String>) -> Vec<Inline> {
    vec![text(value)]
}

fn code_cell(value: impl Into<String>) -> Vec<Inline> {
    vec![Inline::Code(value.into())]
}

fn basis_words(basis: Basis) -> &'static str {
    match basis {
        Basis::Attested => "attested by you",
        Basis::Observed => "observed by us",
        Basis::Network => "our dependence on you",
        Basis::FourthParty => "through your subcontractors",
    }
}

fn state_words(state: ControlState) -> &'static str {
    match state {
        ControlState::Evidenced => "in place, evidenced",
        ControlState::Attested => "in place on your word (no evidence)",
        ControlState::Absent => "not in place",
        ControlState::Unknown => "not stated (counted as a gap)",
        ControlState::Expired => "evidence expired (counted as not stated)",
    }
}

fn answer_words(answer: &AnswerAssessment) -> String {
    let value = match answer.answer {
        AnswerValue::Yes => "yes",
        AnswerValue::Partial => "partial",
        AnswerValue::No => "no",
        AnswerValue::Na => "not applicable",
    };
    if answer.expired {
        format!("{value} (evidence expired: counted as unanswered)")
    } else {
        value.to_owned()
    }
}

fn days(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text).to_owned();
    if text == "-0" { "0".to_owned() } else { text }
}

fn days_or_dash(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), days)
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// The report's content.
fn document(register: &RiskRegister, vendor: &VendorRisk) -> Vec<Block> {
    let detail = &vendor.detail;
    let as_of = date::format(register.as_of);
    let mut blocks = vec![Block::Title(format!(
        "Cyber-risk assessment: {}",
        vendor.name
    ))];

    // Who and when.
    let mut facts = vec![(
        "Vendor",
        vec![
            text(vendor.name.clone()),
            text(" ("),
            Inline::Code(vendor.id.clone()),
            text(")"),
        ],
    )];
    if let Some(kind) = &detail.kind {
        facts.push(("Kind", cell(kind.clone())));
    }
    facts.push((
        "Security contact",
        cell(
            detail
                .contact
                .clone()
                .unwrap_or_else(|| "none on file".to_owned()),
        ),
    ));
    facts.push(("Assessed as of", cell(as_of.clone())));
    facts.push(("Network", cell(register.network.clone())));
    blocks.push(Block::Facts(facts));

    summary(register, vendor, &mut blocks);
    drivers(vendor, &mut blocks);
    attested_observed(vendor, &mut blocks);
    controls(vendor, &mut blocks);
    answers(vendor, &mut blocks);
    evidence(vendor, &mut blocks);
    findings(vendor, &mut blocks);
    incidents(vendor, &mut blocks);
    impact(vendor, &mut blocks);
    improvements(vendor, &mut blocks);

    blocks.push(Block::Heading("Next steps".to_owned()));
    let mut asks: Vec<String> = Vec::new();
    if !detail.findings.is_empty() || vendor.findings.open > 0 {
        asks.push("a remediation plan, with dates, for the findings above".to_owned());
    }
    let [.., horizon] = EXPIRY_WINDOWS;
    if detail
        .evidence
        .iter()
        .any(|e| e.days_left.is_some_and(|d| d <= horizon))
    {
        asks.push(format!(
            "renewed evidence for every document that has expired or expires within {horizon} days"
        ));
    }
    if detail.controls.iter().any(|c| c.gap > 0.0)
        || detail
            .answers
            .iter()
            .any(|a| a.expired || a.gap.is_some_and(|g| g > 0.0))
        || detail.answers.is_empty()
    {
        asks.push(
            "evidence or a plan for each control and questionnaire gap (unanswered questions \
             count as gaps)"
                .to_owned(),
        );
    }
    asks.push("a correction for anything you believe we have recorded wrongly".to_owned());
    blocks.push(Block::Paragraph(vec![
        text("Please reply, quoting the vendor id "),
        Inline::Code(vendor.id.clone()),
        text(format!(" and the assessment date {as_of}, with:")),
    ]));
    blocks.push(Block::Numbered(
        asks.into_iter().map(|ask| vec![text(ask)]).collect(),
    ));
    blocks.push(Block::Paragraph(match &detail.contact {
        Some(contact) => vec![
            text("This report is addressed to "),
            Inline::Strong(contact.clone()),
            text(
                ", the security contact we hold for you; tell us if it should go to someone else.",
            ),
        ],
        None => vec![text(
            "We hold no security contact for you: please tell us who should receive these reports.",
        )],
    }));
    blocks.push(Block::Paragraph(vec![text(
        "Scores run from 0 to 1. How they are computed is set out in lifeline's \
         docs/risk-scoring.md; each driver's weight is its share of the score it explains.",
    )]));
    blocks
}

fn summary(register: &RiskRegister, vendor: &VendorRisk, blocks: &mut Vec<Block>) {
    let detail = &vendor.detail;
    blocks.push(Block::Heading("Summary".to_owned()));
    blocks.push(Block::Paragraph(vec![
        text("Rating: "),
        Inline::Tier(vendor.tier),
        text(format!(
            ", rank {} of {} vendors in our register.",
            vendor.rank,
            register.vendors.len()
        )),
    ]));
    let mut facts = vec![
        (
            "Risk",
            cell(match vendor.risk {
                Some(risk) => score(risk),
                None => "not assessed (impact unknown)".to_owned(),
            }),
        ),
        (
            "Likelihood",
            cell(format!(
                "{} ({} from what you attested, {} from what we observed)",
                score(vendor.likelihood),
                score(detail.attested_likelihood),
                score(detail.observed_likelihood)
            )),
        ),
        (
            "Impact",
            cell(match vendor.impact {
                Some(impact) => score(impact),
                None => "not assessed: no service in our network depends on you".to_owned(),
            }),
        ),
    ];
    let gaps = detail.controls.iter().filter(|c| c.gap > 0.0).count();
    let answer_gaps = detail
        .answers
        .iter()
        .filter(|a| a.expired || a.gap.is_some_and(|g| g > 0.0))
        .count();
    let expiring = detail
        .evidence
        .iter()
        .filter(|e| e.days_left.is_some_and(|d| d <= EXPIRY_WINDOWS[2]))
        .count();
    let mut open = count(vendor.findings.open, "open finding", "open findings");
    if vendor.findings.kev > 0 {
        let _ = write!(
            open,
            " ({} on CISA's Known Exploited Vulnerabilities catalog, {} with known ransomware use)",
            vendor.findings.kev, vendor.findings.kev_ransomware
        );
    }
    facts.push((
        "To act on",
        cell(format!(
            "{open}; {}; {}; {}",
            count(gaps, "control with a gap", "controls with a gap"),
            count(answer_gaps, "questionnaire gap", "questionnaire gaps"),
            count(
                expiring,
                "evidence document expired or expiring within 90 days",
                "evidence documents expired or expiring within 90 days"
            )
        )),
    ));
    if let Some(best) = detail.improvements.first() {
        facts.push((
            "Most effective step",
            vec![
                text(format!("{}; your tier would become ", best.action)),
                Inline::Tier(best.tier_after),
            ],
        ));
    }
    blocks.push(Block::Facts(facts));
}

fn drivers(vendor: &VendorRisk, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading("What drives the rating".to_owned()));
    if vendor.drivers.is_empty() {
        blocks.push(Block::Paragraph(vec![text("No factor moved the scores.")]));
        return;
    }
    blocks.push(Block::Paragraph(vec![text(
        "Largest first. The weights of the likelihood drivers add up to the likelihood, \
         those of the impact drivers to the impact.",
    )]));
    let rows = vendor
        .drivers
        .iter()
        .map(|d| {
            vec![
                cell(match d.score {
                    Scored::Likelihood => "likelihood",
                    Scored::Impact => "impact",
                }),
                cell(d.detail.clone()),
                cell(basis_words(d.basis)),
                cell(score(d.weight)),
            ]
        })
        .collect();
    blocks.push(Block::Table(
        vec![
            ("Score", false),
            ("Driver", false),
            ("Basis", false),
            ("Weight", true),
        ],
        rows,
    ));
}

fn attested_observed(vendor: &VendorRisk, blocks: &mut Vec<Block>) {
    let detail = &vendor.detail;
    blocks.push(Block::Heading("Attested and observed".to_owned()));
    blocks.push(Block::Paragraph(vec![text(
        "What you told us (controls and questionnaire answers) is kept apart from what we \
         observed ourselves (vulnerabilities in your products, past incidents). Evidence \
         turns an attestation into a fact; an attestation whose evidence has expired counts \
         as not stated.",
    )]));
    let other = vendor.likelihood - detail.attested_likelihood - detail.observed_likelihood;
    let mut rows = vec![
        vec![
            cell("attested by you"),
            cell(score(detail.attested_likelihood)),
        ],
        vec![
            cell("observed by us"),
            cell(score(detail.observed_likelihood)),
        ],
    ];
    if other >= 0.005 {
        rows.push(vec![
            cell("other (subcontractors, baseline)"),
            cell(score(other)),
        ]);
    }
    rows.push(vec![
        vec![Inline::Strong("likelihood".to_owned())],
        vec![Inline::Strong(score(vendor.likelihood))],
    ]);
    blocks.push(Block::Table(
        vec![("Source", false), ("Share of likelihood", true)],
        rows,
    ));
}

fn controls(vendor: &VendorRisk, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading("Controls".to_owned()));
    if vendor.detail.controls.is_empty() {
        blocks.push(Block::Paragraph(vec![text("No control was assessed.")]));
        return;
    }
    let rows = vendor
        .detail
        .controls
        .iter()
        .map(|c| {
            vec![
                cell(c.title),
                cell(state_words(c.state)),
                cell(score(c.gap)),
                cell(c.notes.join("; ")),
            ]
        })
        .collect();
    blocks.push(Block::Paragraph(vec![text(
        "Gap runs from 0 (none) to 1 (the control counts as missing).",
    )]));
    blocks.push(Block::Table(
        vec![
            ("Control", false),
            ("Status", false),
            ("Gap", true),
            ("Notes", false),
        ],
        rows,
    ));
}

fn answers(vendor: &VendorRisk, blocks: &mut Vec<Block>) {
    let answers = &vendor.detail.answers;
    blocks.push(Block::Heading("Questionnaire answers".to_owned()));
    if answers.is_empty() {
        blocks.push(Block::Paragraph(vec![text(
            "We hold no questionnaire answers from you; unanswered questions count as gaps.",
        )]));
        return;
    }
    let tally = |value: AnswerValue| answers.iter().filter(|a| a.answer == value).count();
    let expired = answers.iter().filter(|a| a.expired).count();
    let mut line = format!(
        "{}: {} yes, {} partial, {} no, {} not applicable.",
        count(answers.len(), "answer", "answers"),
        tally(AnswerValue::Yes),
        tally(AnswerValue::Partial),
        tally(AnswerValue::No),
        tally(AnswerValue::Na)
    );
    if expired > 0 {
        let _ = write!(
            line,
            " {} backed only by expired evidence, counted as unanswered.",
            count(expired, "answer is", "answers are")
        );
    }
    blocks.push(Block::Paragraph(vec![text(line)]));
    let gaps: Vec<&AnswerAssessment> = answers
        .iter()
        .filter(|a| a.expired || a.gap.is_some_and(|g| g > 0.0))
        .collect();
    if gaps.is_empty() {
        blocks.push(Block::Paragraph(vec![text("No gaps in your answers.")]));
        return;
    }
    blocks.push(Block::Subheading("Gaps".to_owned()));
    let rows = gaps
        .into_iter()
        .map(|a| {
            vec![
                code_cell(a.question.clone()),
                cell(a.text.clone().unwrap_or_default()),
                cell(answer_words(a)),
                cell(a.gap.map_or_else(|| "—".to_owned(), score)),
                cell(a.comment.clone().unwrap_or_default()),
            ]
        })
        .collect();
    blocks.push(Block::Table(
        vec![
            ("Question", false),
            ("Text", false),
            ("Your answer", false),
            ("Gap", true),
            ("Your comment", false),
        ],
        rows,
    ));
}

fn evidence_rows(items: &[&EvidenceStatus]) -> Vec<Vec<Vec<Inline>>> {
    items
        .iter()
        .map(|e| {
            vec![
                code_cell(e.backs.clone()),
                cell(e.evidence.kind.clone()),
                cell(e.evidence.reference.clone().unwrap_or_default()),
                cell(e.evidence.issued.map(date::format).unwrap_or_default()),
                cell(e.evidence.expires.map(date::format).unwrap_or_default()),
                cell(e.days_left.map_or_else(String::new, |d| d.to_string())),
            ]
        })
        .collect()
}

fn evidence(vendor: &VendorRisk, blocks: &mut Vec<Block>) {
    let all = &vendor.detail.evidence;
    blocks.push(Block::Heading("Evidence".to_owned()));
    if all.is_empty() {
        blocks.push(Block::Paragraph(vec![text(
            "You have sent us no evidence (certifications, reports, attestations).",
        )]));
        return;
    }
    blocks.push(Block::Paragraph(vec![text(
        "Please send renewed documents before these dates: from the day a document expires, \
         what it backs counts as not stated.",
    )]));
    let columns = vec![
        ("Backs", false),
        ("Kind", false),
        ("Reference", false),
        ("Issued", false),
        ("Expires", false),
        ("Days left", true),
    ];
    let [first, second, third] = EXPIRY_WINDOWS;
    let windows: [(String, i64, i64); 4] = [
        ("Expired".to_owned(), i64::MIN, -1),
        (format!("Expires within {first} days"), 0, first),
        (
            format!("Expires in {} to {second} days", first + 1),
            first + 1,
            second,
        ),
        (
            format!("Expires in {} to {third} days", second + 1),
            second + 1,
            third,
        ),
    ];
    let mut listed = false;
    for (title, from, to) in windows {
        let items: Vec<&EvidenceStatus> = all
            .iter()
            .filter(|e| e.days_left.is_some_and(|d| (from..=to).contains(&d)))
            .collect();
        if items.is_empty() {
            continue;
        }
        listed = true;
        blocks.push(Block::Subheading(title));
        blocks.push(Block::Table(columns.clone(), evidence_rows(&items)));
    }
    if !listed {
        blocks.push(Block::Paragraph(vec![text(format!(
            "No document has expired or expires within {third} days."
        ))]));
    }
    let later = all
        .iter()
        .filter(|e| e.days_left.is_some_and(|d| d > third))
        .count();
    let undated = all.iter().filter(|e| e.days_left.is_none()).count();
    if later + undated > 0 {
        blocks.push(Block::Paragraph(vec![text(format!(
            "Also on file: {} valid for more than {third} days, {} with no expiry date.",
            count(later, "document", "documents"),
            undated
        ))]));
    }
}

fn findings(vendor: &VendorRisk, blocks: &mut Vec<Block>) {
    let counts = &vendor.findings;
    let list = &vendor.detail.findings;
    blocks.push(Block::Heading("Findings to fix".to_owned()));
    if list.is_empty() && counts.open == 0 {
        blocks.push(Block::Paragraph(vec![text(
            "No open vulnerability was found in the products of yours we scanned.",
        )]));
        return;
    }
    blocks.push(Block::Paragraph(vec![text(format!(
        "{} in your products: {} known exploited (CISA KEV), {} of them with known ransomware \
         use, {} critical and {} high. Please fix them in this order: known ransomware use \
         first, then known exploited, then by severity (KEV due is the date by which CISA \
         requires US federal agencies to fix it).",
        count(counts.open, "open finding", "open findings"),
        counts.kev,
        counts.kev_ransomware,
        counts.critical,
        counts.high
    ))]));
    let rows = list
        .iter()
        .enumerate()
        .map(|(i, f)| {
            vec![
                cell((i + 1).to_string()),
                cell(f.product.clone()),
                code_cell(f.id.clone()),
                cell(f.severity.clone()),
                cell(
                    f.score
                        .map_or_else(|| "—".to_owned(), |s| format!("{s:.1}")),
                ),
                cell(yes_no(f.kev)),
                cell(yes_no(f.ransomware)),
                cell(f.due_date.clone().unwrap_or_default()),
                code_cell(f.component.clone()),
                cell(if f.fixed_versions.is_empty() {
                    "no fix listed".to_owned()
                } else {
                    f.fixed_versions.join(", ")
                }),
            ]
        })
        .collect();
    blocks.push(Block::Table(
        vec![
            ("#", true),
            ("Product", false),
            ("Vulnerability", false),
            ("Severity", false),
            ("CVSS", true),
            ("KEV", false),
            ("Ransomware", false),
            ("KEV due", false),
            ("Component", false),
            ("Fixed in", false),
        ],
        rows,
    ));
}

fn incidents(vendor: &VendorRisk, blocks: &mut Vec<Block>) {
    let list = &vendor.detail.incidents;
    if list.is_empty() {
        return;
    }
    blocks.push(Block::Heading("Past incidents".to_owned()));
    blocks.push(Block::Paragraph(vec![text(
        "Incidents we know of, with the weight each still carries in your likelihood (older \
         incidents weigh less).",
    )]));
    let rows = list
        .iter()
        .map(|i| {
            vec![
                cell(date::format(i.date)),
                cell(i.kind.clone()),
                cell(days_or_dash(i.downtime_days)),
                cell(score(i.weight)),
                i.source
                    .clone()
                    .map_or_else(Vec::new, |s| vec![Inline::Link(s)]),
            ]
        })
        .collect();
    blocks.push(Block::Table(
        vec![
            ("Date", false),
            ("Kind", false),
            ("Downtime (days)", true),
            ("Weight", true),
            ("Source", false),
        ],
        rows,
    ));
}

fn impact(vendor: &VendorRisk, blocks: &mut Vec<Block>) {
    let detail = &vendor.detail;
    blocks.push(Block::Heading("Why your service matters to us".to_owned()));
    if detail.entity_impacts.is_empty() {
        blocks.push(Block::Paragraph(vec![text(
            "No part of our network is operated by you or your subcontractors, so impact is \
             not assessed.",
        )]));
    } else {
        blocks.push(Block::Paragraph(vec![text(
            "From our stress test: how long each part of our supply network you run (or your \
             subcontractors run) can be out before patients are affected (time to survive, \
             TTS), against how long it takes to recover (TTR). A negative TTS − TTR means \
             demand is lost before it recovers.",
        )]));
        let rows = detail
            .entity_impacts
            .iter()
            .map(|e| {
                vec![
                    cell(e.entity.clone()),
                    cell(e.via.clone().unwrap_or_else(|| "you".to_owned())),
                    cell(days(e.tts)),
                    cell(days_or_dash(e.ttr)),
                    cell(days_or_dash(e.gap)),
                    cell(score_or_dash(e.performance_impact)),
                    cell(score(e.impact)),
                ]
            })
            .collect();
        blocks.push(Block::Table(
            vec![
                ("Entity", false),
                ("Operated by", false),
                ("TTS (days)", true),
                ("TTR (days)", true),
                ("TTS − TTR", true),
                ("Performance impact", true),
                ("Impact", true),
            ],
            rows,
        ));
    }
    if !detail.subcontractors.is_empty() {
        let mut line = vec![text("Your subcontractors we know of: ")];
        for (i, sub) in detail.subcontractors.iter().enumerate() {
            if i > 0 {
                line.push(text(", "));
            }
            line.push(Inline::Code(sub.clone()));
        }
        line.push(text(". Their incidents reach us through you."));
        blocks.push(Block::Paragraph(line));
    }
}

fn improvements(vendor: &VendorRisk, blocks: &mut Vec<Block>) {
    let list = &vendor.detail.improvements;
    blocks.push(Block::Heading("What would lower your rating".to_owned()));
    if list.is_empty() {
        blocks.push(Block::Paragraph(vec![text(
            "No single step we scored would lower your rating: keep your evidence current \
             and tell us about changes.",
        )]));
        return;
    }
    blocks.push(Block::Paragraph(vec![text(
        "Each step on its own, with the scores it would leave, biggest effect first.",
    )]));
    let items = list
        .iter()
        .map(|step| {
            let mut after = format!(
                " — likelihood {} → {}",
                score(vendor.likelihood),
                score(step.likelihood_after)
            );
            if let (Some(risk), Some(risk_after)) = (vendor.risk, step.risk_after) {
                let _ = write!(after, ", risk {} → {}", score(risk), score(risk_after));
            }
            after.push_str(", tier ");
            vec![
                Inline::Strong(step.action.clone()),
                text(after),
                Inline::Tier(vendor.tier),
                text(" → "),
                Inline::Tier(step.tier_after),
            ]
        })
        .collect();
    blocks.push(Block::Numbered(items));
}

// Markdown.

fn md_inline(out: &mut String, inlines: &[Inline]) {
    for inline in inlines {
        match inline {
            Inline::Text(value) => out.push_str(&md(value)),
            Inline::Strong(value) => {
                let _ = write!(out, "**{}**", md(value));
            }
            Inline::Code(value) => {
                // A code span shows its text literally, so only a backtick (which would
                // end it) and `|` (which GitHub's tables split on even inside code, unless
                // escaped) need care; a value with a backtick is written as plain text.
                let value = lifeline_text::escaped(value);
                if value.contains('`') {
                    out.push_str(&md(&value));
                } else {
                    let _ = write!(out, "`{}`", value.replace('|', "\\|"));
                }
            }
            Inline::Tier(tier) => {
                let _ = write!(out, "**{}**", tier.as_str().to_uppercase());
            }
            Inline::Link(value) => out.push_str(&md(value)),
        }
    }
}

fn write_markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        if !out.is_empty() {
            out.push('\n');
        }
        match block {
            Block::Title(title) => {
                let _ = writeln!(out, "# {}", md(title));
            }
            Block::Heading(title) => {
                let _ = writeln!(out, "## {}", md(title));
            }
            Block::Subheading(title) => {
                let _ = writeln!(out, "### {}", md(title));
            }
            Block::Paragraph(inlines) => {
                md_inline(&mut out, inlines);
                out.push('\n');
            }
            Block::Facts(facts) => {
                for (label, value) in facts {
                    let _ = write!(out, "- **{label}:** ");
                    md_inline(&mut out, value);
                    out.push('\n');
                }
            }
            Block::Table(columns, rows) => {
                out.push('|');
                for (title, _) in columns {
                    let _ = write!(out, " {} |", md(title));
                }
                out.push_str("\n|");
                for (_, right) in columns {
                    out.push_str(if *right { "---:|" } else { "---|" });
                }
                out.push('\n');
                for row in rows {
                    out.push('|');
                    for cell in row {
                        out.push(' ');
                        md_inline(&mut out, cell);
                        out.push_str(" |");
                    }
                    out.push('\n');
                }
            }
            Block::Numbered(items) => {
                for (i, item) in items.iter().enumerate() {
                    let _ = write!(out, "{}. ", i + 1);
                    md_inline(&mut out, item);
                    out.push('\n');
                }
            }
        }
    }
    out
}

// HTML.

fn tier_class(tier: Tier) -> &'static str {
    tier.as_str()
}

fn html_inline(out: &mut String, inlines: &[Inline]) {
    for inline in inlines {
        match inline {
            Inline::Text(value) => out.push_str(&xml(value)),
            Inline::Strong(value) => {
                let _ = write!(out, "<strong>{}</strong>", xml(value));
            }
            Inline::Code(value) => {
                let _ = write!(out, "<code>{}</code>", xml(value));
            }
            Inline::Tier(tier) => {
                let _ = write!(
                    out,
                    "<span class=\"tier {}\">{}</span>",
                    tier_class(*tier),
                    tier.as_str().to_uppercase()
                );
            }
            Inline::Link(value) => {
                let web = value.starts_with("https://") || value.starts_with("http://");
                if web
                    && !value
                        .chars()
                        .any(|c| c.is_whitespace() || lifeline_text::is_unsafe(c))
                {
                    let _ = write!(out, "<a href=\"{0}\">{0}</a>", xml(value));
                } else {
                    out.push_str(&xml(value));
                }
            }
        }
    }
}

const STYLE: &str = "\
:root { color: #1a1f24; background: #fff; line-height: 1.45;
  font-family: system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif; }
body { margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #c9d1d9; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 .4rem; }
a { color: #0b5cad; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .5rem 0; }
dt { font-weight: 600; }
dd { margin: 0; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #c9d1d9; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f5f7; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
.tier { display: inline-block; padding: 0 .45rem; border-radius: 3px; color: #fff; font-weight: 700; letter-spacing: .02em; }
.tier.critical { background: #a4161a; }
.tier.high { background: #b54708; }
.tier.medium { background: #7a5c00; }
.tier.low { background: #1e6b34; }
@media print { main { max-width: none; padding: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
";

fn write_html(blocks: &[Block], name: &str) -> String {
    let mut out = String::with_capacity(8192);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Cyber-risk assessment: {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n",
        xml(name)
    );
    for block in blocks {
        match block {
            Block::Title(title) => {
                let _ = writeln!(out, "<h1>{}</h1>", xml(title));
            }
            Block::Heading(title) => {
                let _ = writeln!(out, "<h2>{}</h2>", xml(title));
            }
            Block::Subheading(title) => {
                let _ = writeln!(out, "<h3>{}</h3>", xml(title));
            }
            Block::Paragraph(inlines) => {
                out.push_str("<p>");
                html_inline(&mut out, inlines);
                out.push_str("</p>\n");
            }
            Block::Facts(facts) => {
                out.push_str("<dl>\n");
                for (label, value) in facts {
                    let _ = write!(out, "<dt>{}</dt><dd>", xml(label));
                    html_inline(&mut out, value);
                    out.push_str("</dd>\n");
                }
                out.push_str("</dl>\n");
            }
            Block::Table(columns, rows) => {
                out.push_str("<table>\n<thead><tr>");
                for (title, right) in columns {
                    let class = if *right { " class=\"num\"" } else { "" };
                    let _ = write!(out, "<th scope=\"col\"{class}>{}</th>", xml(title));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for (cell, (_, right)) in row.iter().zip(columns) {
                        out.push_str(if *right { "<td class=\"num\">" } else { "<td>" });
                        html_inline(&mut out, cell);
                        out.push_str("</td>");
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::Numbered(items) => {
                out.push_str("<ol>\n");
                for item in items {
                    out.push_str("<li>");
                    html_inline(&mut out, item);
                    out.push_str("</li>\n");
                }
                out.push_str("</ol>\n");
            }
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_short() {
        assert_eq!(days(3.0), "3");
        assert_eq!(days(2.25), "2.2");
        assert_eq!(days(-0.01), "0");
        assert_eq!(days(f64::INFINITY), "—");
    }

    #[test]
    fn links_only_for_web_addresses() {
        let mut out = String::new();
        html_inline(
            &mut out,
            &[
                Inline::Link("https://example.org/a?b=1&c=\"2\"".to_owned()),
                Inline::Link("javascript:alert(1)".to_owned()),
            ],
        );
        assert_eq!(
            out,
            "<a href=\"https://example.org/a?b=1&amp;c=&quot;2&quot;\">\
             https://example.org/a?b=1&amp;c=&quot;2&quot;</a>javascript:alert(1)"
        );
    }
}
