//! The vendor cyber-risk register's pages: `/risk` (vendors ranked by risk, with the
//! likelihood × impact heat map), `/risk/vendors/{id}` (the per-vendor report inside the
//! dashboard), and the questionnaire form a vendor fills in without an account
//! (`/q/{token}`). Rows are built from lifeline-risk's [`RiskRegister`], the same one the
//! API and `lifeline risk register` return.

use askama::Template;
use lifeline_risk::questionnaire::Questionnaire;
use lifeline_risk::render::{score, score_or_dash};
use lifeline_risk::{Basis, RiskRegister, VendorRisk};
use lifeline_text::percent_encoded;

use super::{Chrome, NetworkItem};

/// One vendor as a row of the register.
#[derive(Debug, Clone)]
pub struct RegisterRow {
    pub rank: usize,
    pub id: String,
    pub name: String,
    pub href: String,
    /// `critical`, `high`, `medium`, `low`.
    pub tier: &'static str,
    pub risk: String,
    pub likelihood: String,
    pub attested: String,
    pub observed: String,
    pub impact: String,
    pub open: usize,
    pub kev: usize,
    /// The largest driver, in words.
    pub driver: String,
}

/// The link to a vendor's report against a network.
pub fn vendor_href(vendor: &str, network: &str) -> String {
    format!(
        "/risk/vendors/{}?network={}",
        percent_encoded(vendor),
        percent_encoded(network)
    )
}

impl RegisterRow {
    pub fn of(vendor: &VendorRisk, network: &str) -> RegisterRow {
        RegisterRow {
            rank: vendor.rank,
            id: vendor.id.clone(),
            name: vendor.name.clone(),
            href: vendor_href(&vendor.id, network),
            tier: vendor.tier.as_str(),
            risk: score_or_dash(vendor.risk),
            likelihood: score(vendor.likelihood),
            attested: score(vendor.detail.attested_likelihood),
            observed: score(vendor.detail.observed_likelihood),
            impact: score_or_dash(vendor.impact),
            open: vendor.findings.open,
            kev: vendor.findings.kev,
            driver: vendor
                .drivers
                .first()
                .map(|d| {
                    let basis = match d.basis {
                        Basis::Attested => "attested",
                        Basis::Observed => "observed",
                        Basis::Network => "network",
                        Basis::FourthParty => "fourth party",
                    };
                    format!("{} ({basis})", d.detail)
                })
                .unwrap_or_default(),
        }
    }

    /// Every vendor of `register`, in rank order.
    pub fn all(register: &RiskRegister, network: &str) -> Vec<RegisterRow> {
        register
            .vendors
            .iter()
            .map(|v| RegisterRow::of(v, network))
            .collect()
    }
}

/// One piece of evidence that expires soon (or has expired), for the overview and the
/// risk page.
#[derive(Debug, Clone)]
pub struct ReminderRow {
    pub vendor: String,
    pub vendor_name: String,
    /// `controls.mfa`, `answers[GV.SC-05]`, `file`.
    pub backs: String,
    pub kind: String,
    pub expires: String,
    pub days_left: i64,
    /// Where to download an uploaded file.
    pub href: Option<String>,
}

impl ReminderRow {
    pub fn expired(&self) -> bool {
        self.days_left < 0
    }

    /// `in 12 days`, `today`, `3 days ago`.
    pub fn when(&self) -> String {
        match self.days_left {
            0 => "today".to_owned(),
            1 => "tomorrow".to_owned(),
            -1 => "yesterday".to_owned(),
            d if d > 0 => format!("in {d} days"),
            d => format!("{} days ago", -d),
        }
    }
}

/// `/risk`: the register ranked against one network.
#[derive(Debug, Template)]
#[template(path = "risk.html")]
pub struct RiskPage {
    pub chrome: Chrome,
    pub networks: Vec<NetworkItem>,
    pub selected: Option<NetworkItem>,
    /// The day it is judged on.
    pub as_of: String,
    /// Why nothing is scored (no register, no stress test), in words.
    pub problem: Option<String>,
    pub rows: Vec<RegisterRow>,
    /// The heat map (lifeline-risk's SVG, every value escaped there).
    pub heatmap: String,
    /// The API's JSON and CSV of the same register.
    pub json_href: String,
    pub csv_href: String,
    pub reminders: Vec<ReminderRow>,
}

/// A questionnaire link as the vendor's page lists it.
#[derive(Debug, Clone)]
pub struct LinkRow {
    pub id: String,
    pub framework: String,
    /// `open`, `submitted`, `revoked`, `expired`.
    pub state: String,
    pub created: String,
    pub expires: String,
}

/// An uploaded evidence file as the vendor's page lists it.
#[derive(Debug, Clone)]
pub struct EvidenceRow {
    pub kind: String,
    pub file_name: String,
    pub expires: String,
    pub href: String,
}

/// `/risk/vendors/{id}`: the report an analyst sends the vendor, in the dashboard.
#[derive(Debug, Template)]
#[template(path = "risk_vendor.html")]
pub struct VendorReportPage {
    pub chrome: Chrome,
    pub id: String,
    pub name: String,
    pub network: String,
    /// The body of lifeline-risk's HTML report (every value escaped there).
    pub report: String,
    pub markdown_href: String,
    pub html_href: String,
    pub links: Vec<LinkRow>,
    pub evidence: Vec<EvidenceRow>,
    /// Where the form that creates a questionnaire link posts.
    pub action: String,
    /// Where the evidence upload form posts.
    pub evidence_action: String,
    /// The link just created: shown once (only its digest is kept).
    pub new_link: Option<String>,
}

/// The inside of an HTML document's `<body>` (and of its `<main>`), or the whole text when
/// it has none: the standalone report inside the dashboard's frame (its own inline style
/// is dropped, which the dashboard's CSP would refuse anyway).
pub fn body_of(document: &str) -> &str {
    let lower = document.to_ascii_lowercase();
    let Some(open) = lower.find("<body") else {
        return document;
    };
    let Some(start) = lower[open..].find('>').map(|i| open + i + 1) else {
        return document;
    };
    let end = lower
        .rfind("</body>")
        .filter(|&e| e >= start)
        .unwrap_or(document.len());
    let inner = &document[start..end];
    // The dashboard has its own `<main>`, and a page holds one.
    let trimmed = inner.trim();
    trimmed
        .strip_prefix("<main>")
        .and_then(|rest| rest.strip_suffix("</main>"))
        .unwrap_or(inner)
}

/// One question of the vendor's form, with what was sent last (after a refusal).
#[derive(Debug, Clone)]
pub struct QuestionRow {
    /// The form's index of the question (field names are `answer-N`, `comment-N`, ...).
    pub index: usize,
    pub id: String,
    pub group: String,
    /// Whether this question starts a new group.
    pub first_of_group: bool,
    pub text: String,
    pub guidance: Option<String>,
    /// `yes`, `partial`, `no`, `na`, or empty.
    pub answer: String,
    pub comment: String,
    pub evidence_kind: String,
    pub evidence_expires: String,
    pub evidence_reference: String,
}

/// The values sent for one question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent {
    pub answer: String,
    pub comment: String,
    pub evidence_kind: String,
    pub evidence_expires: String,
    pub evidence_reference: String,
}

/// The answers the form offers, with their labels.
pub const ANSWERS: [(&str, &str); 5] = [
    ("yes", "Yes"),
    ("partial", "Partly"),
    ("no", "No"),
    ("na", "Not applicable"),
    ("", "Skip"),
];

impl QuestionRow {
    /// The rows of `questionnaire`, filled with `sent` (by index) when given.
    pub fn all(questionnaire: &Questionnaire, sent: &[Sent]) -> Vec<QuestionRow> {
        let mut previous: Option<&str> = None;
        questionnaire
            .questions
            .iter()
            .enumerate()
            .map(|(index, q)| {
                let first_of_group = previous != Some(q.group.as_str());
                previous = Some(q.group.as_str());
                let s = sent.get(index).cloned().unwrap_or_default();
                QuestionRow {
                    index,
                    id: q.id.clone(),
                    group: q.group.clone(),
                    first_of_group,
                    text: q.text.clone(),
                    guidance: q.guidance.clone(),
                    answer: s.answer,
                    comment: s.comment,
                    evidence_kind: s.evidence_kind,
                    evidence_expires: s.evidence_expires,
                    evidence_reference: s.evidence_reference,
                }
            })
            .collect()
    }
}

/// `/q/{token}`: the questionnaire a vendor fills in, outside the dashboard (no account,
/// no frame).
#[derive(Debug, Template)]
#[template(path = "questionnaire.html")]
pub struct QuestionnairePage {
    /// The organisation that asks.
    pub org: String,
    pub vendor_id: String,
    pub vendor_name: String,
    pub title: String,
    pub version: String,
    pub source: String,
    /// Where the form posts (the link itself).
    pub action: String,
    pub expires: String,
    pub questions: Vec<QuestionRow>,
    /// Why the last submission was refused, one line per problem.
    pub errors: Vec<String>,
}

/// The page after a submission.
#[derive(Debug, Template)]
#[template(path = "questionnaire_done.html")]
pub struct QuestionnaireDone {
    pub org: String,
    pub vendor_name: String,
    pub answered: usize,
}

impl QuestionnairePage {
    pub fn chrome_ref(&self) -> Option<&Chrome> {
        None
    }
}

impl QuestionnaireDone {
    pub fn chrome_ref(&self) -> Option<&Chrome> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_of_a_document() {
        assert_eq!(
            body_of(
                "<!doctype html><html><head><style>x</style></head><BODY class=\"r\"><h1>A</h1></body></html>"
            ),
            "<h1>A</h1>"
        );
        assert_eq!(body_of("<h1>A</h1>"), "<h1>A</h1>");
        assert_eq!(
            body_of("<html><body>\n<main>\n<h1>A</h1>\n</main>\n</body></html>"),
            "\n<h1>A</h1>\n"
        );
        assert_eq!(body_of("<body>unclosed"), "unclosed");
    }

    #[test]
    fn reminders_say_when() {
        let row = |days_left| ReminderRow {
            vendor: "v".into(),
            vendor_name: "V".into(),
            backs: "file".into(),
            kind: "soc2-type2".into(),
            expires: "2027-01-01".into(),
            days_left,
            href: None,
        };
        assert_eq!(row(12).when(), "in 12 days");
        assert_eq!(row(0).when(), "today");
        assert_eq!(row(-3).when(), "3 days ago");
        assert!(row(-3).expired() && !row(0).expired());
    }
}
