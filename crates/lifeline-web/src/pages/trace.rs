//! `/trace`: a product's EPCIS history, the chain-of-custody findings with their rules in
//! plain words, and the DSCSA verification form. The rows are built from lifeline-trace's
//! own types, as the API returns them (and `lifeline trace history|check|verify`).

use askama::Template;
use lifeline_trace::facts::{EventFacts, Party, gln_of};
use lifeline_trace::repository::StoredEvent;
use lifeline_trace::rules::{Finding, RuleId, Severity, short_hash};
use lifeline_trace::verify::{Verdict, Verification};

use super::Chrome;

/// What the history form asks: an EPC (URN or Digital Link), or a GTIN and serial number.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct HistoryForm {
    pub epc: String,
    pub gtin: String,
    pub serial: String,
}

impl HistoryForm {
    /// Whether anything was asked.
    pub fn asked(&self) -> bool {
        !(self.epc.trim().is_empty()
            && self.gtin.trim().is_empty()
            && self.serial.trim().is_empty())
    }
}

/// What the verification form asks (a DSCSA verification request).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct VerifyForm {
    pub gtin: String,
    pub serial: String,
    pub lot: String,
    pub expiry: String,
}

/// A form's input that was refused: the field, and why.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// One event of a product's history.
#[derive(Debug, Clone)]
pub struct EventRow {
    /// `2026-04-01T08:00:00.000Z`.
    pub when: String,
    pub event_type: String,
    pub action: String,
    pub biz_step: String,
    pub disposition: String,
    /// How the product takes part: `epc`, `parent`, `child`, `input`, `output`.
    pub role: String,
    /// The bizLocation, else the readPoint (a GLN when it is one).
    pub place: String,
    /// Sources and destinations (`owning_party 0614141000012 → …`).
    pub who: String,
    pub lot: String,
    pub hash: String,
    pub retracted: bool,
}

/// A location or party as a person reads it: `GLN 0614141000012`, else the identifier.
fn place(id: &str) -> String {
    match gln_of(id) {
        Some(gln) if id.contains("/254/") => format!("GLN {gln} ({id})"),
        Some(gln) => format!("GLN {gln}"),
        None => id.to_owned(),
    }
}

/// An event time as `2026-04-01 08:00:00` (UTC), with milliseconds only when it has them.
fn when(millis: i64) -> String {
    let text = lifeline_trace::time::format_millis(millis);
    let text = text.strip_suffix('Z').unwrap_or(&text);
    let text = text.strip_suffix(".000").unwrap_or(text);
    text.replacen('T', " ", 1)
}

fn parties(list: &[Party]) -> String {
    list.iter()
        .map(|p| format!("{} {}", p.kind.replace('_', " "), place(&p.id)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl EventRow {
    /// The row of `event` in the history of `epc` (canonical).
    pub fn of(event: &StoredEvent, epc: &str) -> EventRow {
        let f: &EventFacts = &event.facts;
        let who = match (parties(&f.sources), parties(&f.destinations)) {
            (s, d) if s.is_empty() && d.is_empty() => String::new(),
            (s, d) if d.is_empty() => format!("from {s}"),
            (s, d) if s.is_empty() => format!("to {d}"),
            (s, d) => format!("from {s} to {d}"),
        };
        let mut roles: Vec<&str> = f
            .epcs
            .iter()
            .filter(|(e, _)| e == epc)
            .map(|(_, r)| r.as_str())
            .collect();
        roles.dedup();
        EventRow {
            when: when(f.time),
            event_type: f.event_type.clone(),
            action: f.action.clone(),
            biz_step: f.biz_step.clone(),
            disposition: f.disposition.clone(),
            role: roles.join(", "),
            place: f
                .biz_location
                .as_deref()
                .or(f.read_point.as_deref())
                .map(place)
                .unwrap_or_default(),
            who,
            lot: match (&f.lot, &f.expiry) {
                (Some(l), Some(e)) => format!("lot {l}, expires {e}"),
                (Some(l), None) => format!("lot {l}"),
                (None, Some(e)) => format!("expires {e}"),
                (None, None) => String::new(),
            },
            hash: short_hash(&f.hash).to_owned(),
            retracted: event.retracted,
        }
    }
}

/// The history of one product.
#[derive(Debug, Clone)]
pub struct History {
    /// The product asked about, canonical (GS1 Digital Link).
    pub epc: String,
    /// Its events in time order (as stored: ties in the order captured).
    pub events: Vec<EventRow>,
}

impl History {
    pub fn new(epc: String, events: &[StoredEvent]) -> History {
        History {
            events: events.iter().map(|e| EventRow::of(e, &epc)).collect(),
            epc,
        }
    }
}

/// A rule's name and what it means, in plain words (docs/trace.md has each rule's basis).
pub fn rule_text(rule: RuleId) -> (&'static str, &'static str) {
    match rule {
        RuleId::NotCommissioned => (
            "Not commissioned",
            "The product shows up in an event before (or without) the event that created its serial number. Either a partner's records are missing, or the serial number was never issued by its maker.",
        ),
        RuleId::DuplicateCommission => (
            "Commissioned twice",
            "The same serial number was created twice while the first was still in use: two packs carry one identity, so at least one is a copy (a suspect product under DSCSA).",
        ),
        RuleId::AfterDecommission => (
            "Active after leaving the supply chain",
            "The product was decommissioned, destroyed or dispensed to a patient, and then appears again. Such a product must not re-enter the supply chain.",
        ),
        RuleId::RecalledShipped => (
            "Shipped while recalled",
            "The product was shipped while recalled, to someone who had not held it before (a return to a former holder is allowed).",
        ),
        RuleId::CustodyBreak => (
            "Break in the chain of custody",
            "It was received somewhere its last shipment was not addressed to (diverted), or shipped by a party that never received it.",
        ),
        RuleId::AggregationConflict => (
            "Packed in two places at once",
            "The product was packed into a second case or pallet without being unpacked from the first, or shipped on its own while still packed.",
        ),
        RuleId::ExpiredShipped => (
            "Shipped after expiry",
            "The product was shipped after the expiry date recorded when it was made (shipping on the expiry date itself is allowed).",
        ),
        RuleId::HashMismatch => (
            "Event changed after it was signed off",
            "The event carries an event ID that is the hash of its content, but the content no longer matches it: the event was altered, or its sender hashes differently.",
        ),
    }
}

/// One chain-of-custody finding.
#[derive(Debug, Clone)]
pub struct FindingRow {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// The rule's stable id (`custody-break`).
    pub rule: &'static str,
    pub title: &'static str,
    pub explanation: &'static str,
    /// The product, canonical; empty for an event-level finding.
    pub epc: String,
    /// Its history page.
    pub history_href: String,
    /// The events involved, as short hashes, earliest first.
    pub events: Vec<String>,
    pub message: String,
}

impl FindingRow {
    pub fn of(finding: &Finding) -> FindingRow {
        let (title, explanation) = rule_text(finding.rule);
        FindingRow {
            severity: match finding.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            rule: finding.rule.as_str(),
            title,
            explanation,
            history_href: if finding.epc.is_empty() {
                String::new()
            } else {
                format!("/trace?epc={}", query_value(&finding.epc))
            },
            epc: finding.epc.clone(),
            events: finding
                .events
                .iter()
                .map(|h| short_hash(h).to_owned())
                .collect(),
            message: finding.message.clone(),
        }
    }
}

/// `text` as a query-string value: unreserved characters as they are, the rest
/// percent-encoded.
pub fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The verification's answer.
#[derive(Debug, Clone)]
pub struct VerificationView {
    pub verified: bool,
    pub reason: String,
    pub epc: String,
    pub events: Vec<String>,
    pub history_href: String,
}

impl VerificationView {
    pub fn of(answer: &Verification) -> VerificationView {
        VerificationView {
            verified: answer.verdict == Verdict::Verified,
            reason: answer.reason.clone(),
            history_href: format!("/trace?epc={}", query_value(&answer.epc)),
            epc: answer.epc.clone(),
            events: answer
                .events
                .iter()
                .map(|h| short_hash(h).to_owned())
                .collect(),
        }
    }
}

/// Findings the page lists at most (all of them are counted).
pub const FINDING_ROWS: usize = 500;

/// `/trace`.
#[derive(Debug, Template)]
#[template(path = "trace.html")]
pub struct TracePage {
    pub chrome: Chrome,
    /// A confirmation (after an upload).
    pub notice: Option<String>,
    pub history_form: HistoryForm,
    /// Why the history form's input was refused.
    pub history_error: Option<FieldError>,
    pub history: Option<History>,
    /// The first [`FINDING_ROWS`] findings, in the API's order.
    pub findings: Vec<FindingRow>,
    /// All findings, and how many are errors.
    pub finding_count: usize,
    pub error_count: usize,
    pub verify_form: VerifyForm,
    pub verify_error: Option<FieldError>,
    pub verification: Option<VerificationView>,
}

impl TracePage {
    /// The page with the organisation's findings and nothing asked yet.
    pub fn new(chrome: Chrome, findings: &[Finding]) -> TracePage {
        TracePage {
            chrome,
            notice: None,
            history_form: HistoryForm::default(),
            history_error: None,
            history: None,
            findings: findings
                .iter()
                .take(FINDING_ROWS)
                .map(FindingRow::of)
                .collect(),
            finding_count: findings.len(),
            error_count: findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count(),
            verify_form: VerifyForm::default(),
            verify_error: None,
            verification: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tab;

    fn chrome() -> Chrome {
        Chrome {
            user: "ada".into(),
            org: "North".into(),
            role: "analyst".into(),
            csrf: "token".into(),
            can_upload: true,
            tab: Tab::Trace,
        }
    }

    fn finding() -> Finding {
        Finding {
            epc: "https://id.gs1.org/01/00614141200016/21/1002".into(),
            rule: RuleId::CustodyBreak,
            severity: Severity::Error,
            events: vec![
                "ni:///sha-256;06c83053ad7f0000000000000000000000000000000000000000000000000000?ver=CBV2.0".into(),
            ],
            message: "Received at GLN <0614141000067>".into(),
        }
    }

    #[test]
    fn findings_explain_their_rule_and_link_the_product() {
        let row = FindingRow::of(&finding());
        assert_eq!(row.rule, "custody-break");
        assert_eq!(row.title, "Break in the chain of custody");
        assert_eq!(row.events, ["06c83053ad7f"]);
        assert_eq!(
            row.history_href,
            "/trace?epc=https%3A%2F%2Fid.gs1.org%2F01%2F00614141200016%2F21%2F1002"
        );
        let page = TracePage::new(chrome(), &[finding()]);
        let html = page.render().expect("renders");
        assert!(html.contains("id=\"trace-findings\""));
        assert!(html.contains("diverted"), "the rule in plain words");
        // Text from the events is escaped.
        assert!(html.contains("GLN &#60;0614141000067&#62;"), "{html}");
        assert!(html.contains("form id=\"trace-history\""));
        assert!(html.contains("form id=\"trace-verify\""));
        assert!(html.contains("1 finding"));
    }

    #[test]
    fn every_rule_is_explained() {
        for rule in [
            RuleId::NotCommissioned,
            RuleId::DuplicateCommission,
            RuleId::AfterDecommission,
            RuleId::RecalledShipped,
            RuleId::CustodyBreak,
            RuleId::AggregationConflict,
            RuleId::ExpiredShipped,
            RuleId::HashMismatch,
        ] {
            let (title, text) = rule_text(rule);
            assert!(!title.is_empty() && text.len() > 40, "{rule:?}");
        }
    }

    #[test]
    fn times_are_utc_without_empty_milliseconds() {
        assert_eq!(when(1_775_030_400_000), "2026-04-01 08:00:00");
        assert_eq!(when(1_775_030_400_123), "2026-04-01 08:00:00.123");
    }

    #[test]
    fn places_are_glns_when_they_are_one() {
        assert_eq!(
            place("https://id.gs1.org/414/0614141000012"),
            "GLN 0614141000012"
        );
        assert_eq!(place("urn:example:dock-3"), "urn:example:dock-3");
    }

    #[test]
    fn a_verification_says_verified_or_not_in_words() {
        let mut page = TracePage::new(chrome(), &[]);
        page.verification = Some(VerificationView::of(&Verification {
            verdict: Verdict::NotVerified,
            reason: "No commissioning record for this GTIN and serial number.".into(),
            epc: "https://id.gs1.org/01/00614141200016/21/9".into(),
            events: Vec::new(),
        }));
        let html = page.render().expect("renders");
        assert!(html.contains("id=\"verify-result\""));
        assert!(html.contains("Not verified"));
        assert!(html.contains("No commissioning record"));
        assert!(html.contains("No chain-of-custody findings"));
    }
}
