//! Scoring: joins the vendor register, the network's stress test and the observed findings
//! into the ranked [`RiskRegister`]. The formula, where each weight comes from and a worked
//! example are in `docs/risk-scoring.md`; the weights are the constants of [`weights`].
//!
//! - **Likelihood** is a noisy-OR of hazards, `1 − Π(1 − hᵢ)`: each control gap, the
//!   questionnaire gap, each class of open findings, each past incident (decaying with
//!   age) and each subcontractor. Each hazard becomes a [`Driver`] whose weight is its
//!   share of the likelihood, `L · ln(1 − hᵢ) / Σ ln(1 − hⱼ)`, so the weights add up to
//!   the likelihood whatever order they are listed in.
//! - **Impact** is the worst of the vendor's entities (and its subcontractors'), each
//!   `1 − (1 − REI)(1 − ½·S)` with REI its performance impact over the largest of the
//!   stress report and S the share of its recovery time not covered by its time to
//!   survive.
//! - **Risk** is `√(likelihood × impact)`; tiers cut it at 0.6, 0.4 and 0.2.

use std::collections::{BTreeMap, HashMap, HashSet};

use lifeline_network::ValidatedNetwork;
use lifeline_stress::{Report, ScenarioResult};
use time::Date;

use crate::assessment::{
    AnswerAssessment, Basis, ControlAssessment, ControlState, Driver, EntityImpact, EvidenceStatus,
    FindingCounts, FindingRef, Improvement, IncidentNote, RiskRegister, Scored, Tier, VendorDetail,
    VendorRisk,
};
use crate::date;
use crate::findings::{Class, Observations};
use crate::model::{AnswerValue, Control, ControlId, Evidence, Register, Vendor, evidence_holds};

/// The question's text, when the questionnaires know it.
fn question_text(id: &str) -> Option<String> {
    crate::questionnaire::question_text(id)
}

/// What scoring reads. Nothing here is read from disk: callers load the files.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub register: &'a Register,
    pub network: &'a ValidatedNetwork,
    /// The stress test of `network` (its default sweep or explicit scenarios).
    pub stress: &'a Report,
    /// Scan and device-report findings.
    pub observations: &'a [Observations],
    /// The day the register is judged on.
    pub as_of: Date,
}

/// The weights of the formula. Where a figure informs one, `docs/risk-scoring.md` cites
/// it; the rest are judgements and the document says so.
pub mod weights {
    use crate::model::ControlId;

    /// The hazard of a control that is fully missing (absent, unknown or expired).
    pub fn control(id: ControlId) -> f64 {
        match id {
            ControlId::Mfa => 0.15,
            ControlId::OfflineBackups => 0.12,
            ControlId::VulnerabilityManagement => 0.10,
            ControlId::NetworkSegmentation => 0.08,
            ControlId::IncidentResponsePlan => 0.06,
            ControlId::AwarenessTraining => 0.06,
            ControlId::EncryptionAtRest => 0.05,
            ControlId::EncryptionInTransit => 0.05,
            ControlId::SbomProvided => 0.04,
        }
    }

    /// The gap left by a control in place on the vendor's word alone (no evidence).
    pub const UNEVIDENCED_GAP: f64 = 0.25;
    /// The largest gap the quality of an in-place control can add (stale restore test,
    /// low training completion, slow patching), before the unevidenced gap is combined.
    pub const QUALITY_MAX: f64 = 0.6;
    /// A test older than this many days is stale (restore test, incident-response exercise).
    pub const STALE_TEST_DAYS: i64 = 365;
    /// Quality gap of a stale restore test or incident-response exercise.
    pub const STALE_TEST_GAP: f64 = 0.5;
    /// Hours to restore beyond which the backup control is weakened.
    pub const RESTORE_HOURS: f64 = 96.0;
    /// Quality gap of a restore slower than [`RESTORE_HOURS`].
    pub const SLOW_RESTORE_GAP: f64 = 0.3;
    /// Days to patch a critical vulnerability that a contract may expect.
    pub const PATCH_DAYS: f64 = 30.0;
    /// Days beyond [`PATCH_DAYS`] at which the patching gap is full.
    pub const PATCH_DAYS_SPAN: f64 = 60.0;
    /// A phishing click rate of this share or more is a full training gap.
    pub const CLICK_RATE_FULL: f64 = 0.5;

    /// The hazard of a questionnaire answered `no` (or not at all) throughout.
    pub const ANSWERS: f64 = 0.10;
    /// Gap of a `partial` answer.
    pub const PARTIAL_ANSWER: f64 = 0.5;

    /// The hazard of the first open finding of a class; each further one adds half of what
    /// the one before added, so a class tends to twice this.
    pub fn finding(class: crate::findings::Class) -> f64 {
        use crate::findings::Class;
        match class {
            Class::KevRansomware => 0.30,
            Class::Kev => 0.20,
            Class::Critical => 0.05,
            Class::High => 0.02,
            Class::Other => 0.005,
        }
    }

    /// The hazard of a past incident on the day it happened, by kind.
    pub fn incident(kind: &str) -> f64 {
        match kind {
            "ransomware" => 0.25,
            "breach" => 0.15,
            "outage" => 0.10,
            "counterfeit" => 0.10,
            _ => 0.08,
        }
    }
    /// An incident's hazard halves every this many days.
    pub const INCIDENT_HALF_LIFE_DAYS: f64 = 730.0;

    /// The share of a subcontractor's own likelihood that reaches us through the vendor.
    pub const FOURTH_PARTY: f64 = 0.5;

    /// Weight of the time-to-survive shortfall in an entity's impact.
    pub const SHORTFALL: f64 = 0.5;

    /// Risk at or above which the tier is critical, high, medium.
    pub const CRITICAL: f64 = 0.6;
    pub const HIGH: f64 = 0.4;
    pub const MEDIUM: f64 = 0.2;
}

/// The tier of a risk (or, for a vendor with no impact, of its likelihood).
pub fn tier(score: f64) -> Tier {
    if score >= weights::CRITICAL {
        Tier::Critical
    } else if score >= weights::HIGH {
        Tier::High
    } else if score >= weights::MEDIUM {
        Tier::Medium
    } else {
        Tier::Low
    }
}

/// Risk from likelihood and impact: their geometric mean, increasing in both.
pub fn risk(likelihood: f64, impact: f64) -> f64 {
    (likelihood * impact).max(0.0).sqrt()
}

/// Scores every vendor of the register and ranks them.
pub fn score(inputs: &Inputs) -> RiskRegister {
    let register = inputs.register;
    let exposure = attach_findings(register, inputs.observations);
    let facts: Vec<Facts> = register
        .vendors
        .iter()
        .zip(exposure)
        .map(|(vendor, exposure)| Facts::new(vendor, exposure, inputs.as_of))
        .collect();
    let index: HashMap<&str, usize> = register
        .vendors
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id.as_str(), i))
        .collect();
    let own: Vec<f64> = facts
        .iter()
        .map(|f| noisy_or(f.hazards(&Levers::default(), false).iter().map(|h| h.h)))
        .collect();
    let stress = StressIndex::new(inputs.network, inputs.stress);

    let mut rows: Vec<VendorRisk> = register
        .vendors
        .iter()
        .zip(facts)
        .map(|(vendor, facts)| {
            let fourth: Vec<Hazard> = fourth_parties(vendor, &index, register, &own);
            score_vendor(vendor, facts, &fourth, inputs, &stress)
        })
        .collect();

    rows.sort_by(|a, b| {
        let key = |r: &VendorRisk| (r.risk.is_none(), r.risk.unwrap_or(r.likelihood));
        let (a_none, a_score) = key(a);
        let (b_none, b_score) = key(b);
        a_none
            .cmp(&b_none)
            .then_with(|| b_score.total_cmp(&a_score))
            .then_with(|| a.id.cmp(&b.id))
    });
    for (i, row) in rows.iter_mut().enumerate() {
        row.rank = i + 1;
    }
    RiskRegister {
        as_of: inputs.as_of,
        network: inputs.network.network().name.clone(),
        vendors: rows,
    }
}

/// `1 − Π(1 − hᵢ)`, each hazard clamped to [0, 1].
fn noisy_or(hazards: impl IntoIterator<Item = f64>) -> f64 {
    1.0 - hazards
        .into_iter()
        .fold(1.0, |survive, h| survive * (1.0 - h.clamp(0.0, 1.0)))
}

/// Splits a noisy-OR score into shares that add up to it: each hazard's share is
/// proportional to `−ln(1 − h)`, its contribution to the log of the survival product.
/// Hazards of 1 (a certain loss) share the whole score between them.
fn shares(hazards: &[f64]) -> (f64, Vec<f64>) {
    let score = noisy_or(hazards.iter().copied());
    let certain = hazards.iter().filter(|h| **h >= 1.0).count();
    if certain > 0 {
        let each = score / certain as f64;
        let split = hazards
            .iter()
            .map(|h| if *h >= 1.0 { each } else { 0.0 })
            .collect();
        return (score, split);
    }
    let logs: Vec<f64> = hazards
        .iter()
        .map(|h| -(1.0 - h.clamp(0.0, 1.0)).ln())
        .collect();
    let total: f64 = logs.iter().sum();
    let split = logs
        .iter()
        .map(|l| if total > 0.0 { score * l / total } else { 0.0 })
        .collect();
    (score, split)
}

/// One hazard before it becomes a driver.
#[derive(Debug, Clone)]
struct Hazard {
    factor: &'static str,
    detail: String,
    h: f64,
    basis: Basis,
}

/// The open findings of one vendor, by class, and the list to fix.
#[derive(Debug, Clone, Default)]
struct Exposure {
    refs: Vec<FindingRef>,
    /// Scan findings by class.
    scan: BTreeMap<Class, usize>,
    /// Device-report counts by class (the largest any report gives).
    devices: BTreeMap<Class, usize>,
    device_open: usize,
    device_kev: usize,
    device_kev_ransomware: usize,
    device_critical: usize,
    device_high: usize,
    device_top: Vec<String>,
}

impl Exposure {
    /// Per class, the larger of the scans' and the device reports' counts: a device report
    /// and a scan of the same SBOM must not count the same finding twice.
    fn class_counts(&self) -> BTreeMap<Class, usize> {
        let mut counts = self.scan.clone();
        for (&class, &n) in &self.devices {
            let entry = counts.entry(class).or_default();
            *entry = (*entry).max(n);
        }
        counts
    }

    fn counts(&self) -> FindingCounts {
        let scan = |f: &dyn Fn(&FindingRef) -> bool| self.refs.iter().filter(|r| f(r)).count();
        let severity = |name: &str| scan(&|r| r.severity.eq_ignore_ascii_case(name));
        FindingCounts {
            open: self.refs.len().max(self.device_open),
            kev: scan(&|r| r.kev).max(self.device_kev),
            kev_ransomware: scan(&|r| r.kev && r.ransomware).max(self.device_kev_ransomware),
            critical: severity("critical").max(self.device_critical),
            high: severity("high").max(self.device_high),
        }
    }
}

/// Attaches every open scan finding to the register product whose `sbom` (or `purl`)
/// equals the SBOM's serial number or product purl, and every device-report vendor row
/// to the vendor with that id. One entry per register vendor, in register order.
fn attach_findings(register: &Register, observations: &[Observations]) -> Vec<Exposure> {
    let mut exposure = vec![Exposure::default(); register.vendors.len()];
    let mut products: HashMap<&str, (usize, usize)> = HashMap::new();
    for (v, vendor) in register.vendors.iter().enumerate() {
        for (p, product) in vendor.products.iter().enumerate() {
            for key in [&product.sbom, &product.purl].into_iter().flatten() {
                products.entry(key.as_str()).or_insert((v, p));
            }
        }
    }
    let vendor_index: HashMap<&str, usize> = register
        .vendors
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id.as_str(), i))
        .collect();
    let mut seen: HashSet<(usize, usize, &str, &str)> = HashSet::new();
    for observation in observations {
        for sbom in &observation.sboms {
            let found = [&sbom.serial_number, &sbom.product_purl]
                .into_iter()
                .flatten()
                .find_map(|key| products.get(key.as_str()));
            let Some(&(v, p)) = found else { continue };
            let product = &register.vendors[v].products[p];
            for finding in sbom.findings.iter().filter(|f| f.open) {
                if !seen.insert((v, p, finding.id.as_str(), finding.component.as_str())) {
                    continue;
                }
                let entry = &mut exposure[v];
                *entry.scan.entry(finding.class()).or_default() += 1;
                entry.refs.push(FindingRef {
                    product: product.id.clone(),
                    id: finding.id.clone(),
                    severity: finding.severity.to_ascii_lowercase(),
                    score: finding.score,
                    kev: finding.kev,
                    ransomware: finding.ransomware,
                    due_date: finding.due_date.clone(),
                    component: finding.component.clone(),
                    fixed_versions: finding.fixed_versions.clone(),
                    source: if sbom.source.is_empty() {
                        observation.origin.clone()
                    } else {
                        sbom.source.clone()
                    },
                });
            }
        }
        for row in &observation.vendors {
            let Some(&v) = vendor_index.get(row.vendor_id.as_str()) else {
                continue;
            };
            let entry = &mut exposure[v];
            let kev_only = row.kev.saturating_sub(row.kev_ransomware);
            let critical = row.critical.saturating_sub(row.kev);
            let high = row.high;
            let other = row
                .open
                .saturating_sub(row.kev)
                .saturating_sub(critical)
                .saturating_sub(high);
            for (class, n) in [
                (Class::KevRansomware, row.kev_ransomware),
                (Class::Kev, kev_only),
                (Class::Critical, critical),
                (Class::High, high),
                (Class::Other, other),
            ] {
                if n > 0 {
                    let c = entry.devices.entry(class).or_default();
                    *c = (*c).max(n);
                }
            }
            entry.device_open = entry.device_open.max(row.open);
            entry.device_kev = entry.device_kev.max(row.kev);
            entry.device_kev_ransomware = entry.device_kev_ransomware.max(row.kev_ransomware);
            entry.device_critical = entry.device_critical.max(row.critical);
            entry.device_high = entry.device_high.max(row.high);
            for id in &row.top {
                if !entry.device_top.contains(id) {
                    entry.device_top.push(id.clone());
                }
            }
        }
    }
    for entry in &mut exposure {
        entry.refs.sort_by(|a, b| {
            let class =
                |r: &FindingRef| (!(r.kev && r.ransomware), !r.kev, severity_rank(&r.severity));
            class(a)
                .cmp(&class(b))
                .then_with(|| b.score.unwrap_or(-1.0).total_cmp(&a.score.unwrap_or(-1.0)))
                .then_with(|| a.id.cmp(&b.id))
                .then_with(|| a.product.cmp(&b.product))
                .then_with(|| a.component.cmp(&b.component))
        });
    }
    exposure
}

fn severity_rank(severity: &str) -> u8 {
    match severity.to_ascii_lowercase().as_str() {
        "critical" => 0,
        "high" => 1,
        "medium" | "moderate" => 2,
        "low" => 3,
        _ => 4,
    }
}

/// Everything the likelihood of one vendor is computed from, so that it can be computed
/// again with a gap closed.
#[derive(Debug, Clone)]
struct Facts {
    controls: Vec<ControlAssessment>,
    answers: Vec<AnswerAssessment>,
    exposure: Exposure,
    incidents: Vec<(IncidentNote, f64)>,
    evidence: Vec<EvidenceStatus>,
}

/// What an improvement changes before the likelihood is computed again.
#[derive(Debug, Clone, Copy, Default)]
struct Levers {
    /// Close this control's gap (in place, with evidence that holds).
    control: Option<ControlId>,
    /// Every answer `yes`.
    answers: bool,
    /// No open KEV findings.
    kev: bool,
    /// No open critical or high findings outside KEV.
    critical_high: bool,
    /// Every control's gap closed.
    all_controls: bool,
}

impl Facts {
    fn new(vendor: &Vendor, exposure: Exposure, as_of: Date) -> Facts {
        let controls = ControlId::ALL
            .into_iter()
            .map(|id| assess_control(id, vendor.controls.get(id), as_of))
            .collect();
        let answers = vendor
            .answers
            .iter()
            .map(|a| {
                let expired = !a.evidence.is_empty() && !evidence_holds(&a.evidence, as_of);
                let gap = match a.answer {
                    AnswerValue::Na => None,
                    _ if expired => Some(1.0),
                    AnswerValue::Yes => Some(0.0),
                    AnswerValue::Partial => Some(weights::PARTIAL_ANSWER),
                    AnswerValue::No => Some(1.0),
                };
                AnswerAssessment {
                    question: a.question.clone(),
                    text: question_text(&a.question),
                    answer: a.answer,
                    expired,
                    gap,
                    comment: a.comment.clone(),
                }
            })
            .collect();
        let incidents = vendor
            .incidents
            .iter()
            .map(|i| {
                let age = date::days_between(i.date, as_of);
                let h = if age < 0 {
                    0.0
                } else {
                    weights::incident(&i.kind)
                        * 0.5_f64.powf(age as f64 / weights::INCIDENT_HALF_LIFE_DAYS)
                };
                let note = IncidentNote {
                    date: i.date,
                    kind: i.kind.clone(),
                    downtime_days: i.downtime_days,
                    source: i.source.clone(),
                    weight: 0.0,
                };
                (note, h)
            })
            .collect();
        let mut evidence = Vec::new();
        let mut push = |backs: String, list: &[Evidence]| {
            for e in list {
                evidence.push(EvidenceStatus {
                    backs: backs.clone(),
                    evidence: e.clone(),
                    days_left: e.expires.map(|x| date::days_between(as_of, x)),
                });
            }
        };
        for (id, control) in &vendor.controls.0 {
            push(format!("controls.{}", id.key()), &control.evidence);
        }
        for answer in &vendor.answers {
            push(format!("answers[{}]", answer.question), &answer.evidence);
        }
        evidence.sort_by(|a, b| {
            (
                a.days_left.is_none(),
                a.days_left,
                &a.backs,
                &a.evidence.kind,
            )
                .cmp(&(
                    b.days_left.is_none(),
                    b.days_left,
                    &b.backs,
                    &b.evidence.kind,
                ))
        });
        Facts {
            controls,
            answers,
            exposure,
            incidents,
            evidence,
        }
    }

    /// The share of the questionnaire not answered `yes` (`na` left out); 1 when nothing
    /// countable was answered.
    fn answer_gap(&self) -> (f64, usize, usize) {
        let counted: Vec<f64> = self.answers.iter().filter_map(|a| a.gap).collect();
        let open = counted.iter().filter(|g| **g > 0.0).count();
        if counted.is_empty() {
            (1.0, 0, 0)
        } else {
            (
                counted.iter().sum::<f64>() / counted.len() as f64,
                open,
                counted.len(),
            )
        }
    }

    /// The vendor's own hazards (not its subcontractors'), with the levers applied; the
    /// drivers' words only when `detailed` (not when only the numbers are wanted).
    fn hazards(&self, levers: &Levers, detailed: bool) -> Vec<Hazard> {
        let mut out = Vec::new();
        for c in &self.controls {
            let gap = if levers.all_controls || levers.control == Some(c.control) {
                0.0
            } else {
                c.gap
            };
            if gap <= 0.0 {
                continue;
            }
            let (factor, basis) = match c.state {
                ControlState::Unknown => ("control-unknown", Basis::Attested),
                ControlState::Absent => ("control-missing", Basis::Attested),
                ControlState::Expired => ("control-expired", Basis::Observed),
                ControlState::Attested => ("control-unevidenced", Basis::Attested),
                ControlState::Evidenced => ("control-weak", Basis::Attested),
            };
            let detail = if detailed {
                control_detail(c)
            } else {
                String::new()
            };
            out.push(Hazard {
                factor,
                detail,
                h: weights::control(c.control) * gap,
                basis,
            });
        }
        let (gap, open, counted) = self.answer_gap();
        if !levers.answers && gap > 0.0 {
            let detail = if !detailed {
                String::new()
            } else if counted == 0 {
                "No questionnaire answers on record: counted as unanswered".to_owned()
            } else {
                let ids: Vec<&str> = self
                    .answers
                    .iter()
                    .filter(|a| a.gap.is_some_and(|g| g > 0.0))
                    .map(|a| a.question.as_str())
                    .collect();
                format!(
                    "{open} of {counted} questionnaire answers are no, partial or backed only by expired evidence ({}): {:.0}% gap",
                    list(&ids, 4),
                    gap * 100.0
                )
            };
            out.push(Hazard {
                factor: "answers",
                detail,
                h: weights::ANSWERS * gap,
                basis: Basis::Attested,
            });
        }
        for (class, n) in self.exposure.class_counts() {
            let n = match class {
                Class::KevRansomware | Class::Kev if levers.kev => 0,
                Class::Critical | Class::High if levers.critical_high => 0,
                _ => n,
            };
            if n == 0 {
                continue;
            }
            let h = weights::finding(class) * (2.0 - 0.5_f64.powi((n - 1).min(60) as i32));
            out.push(Hazard {
                factor: class_factor(class),
                detail: if detailed {
                    self.finding_detail(class, n)
                } else {
                    String::new()
                },
                h,
                basis: Basis::Observed,
            });
        }
        for (note, h) in &self.incidents {
            if *h <= 0.0 {
                continue;
            }
            if !detailed {
                out.push(Hazard {
                    factor: "incident",
                    detail: String::new(),
                    h: *h,
                    basis: Basis::Observed,
                });
                continue;
            }
            let mut detail = format!(
                "{} incident on {}",
                capitalised(&note.kind),
                date::format(note.date)
            );
            if let Some(days) = note.downtime_days {
                detail.push_str(&format!(", {days} days of downtime"));
            }
            detail.push_str(" (older incidents weigh less: half every two years)");
            if let Some(source) = &note.source {
                detail.push_str(&format!("; source: {source}"));
            }
            out.push(Hazard {
                factor: "incident",
                detail,
                h: *h,
                basis: Basis::Observed,
            });
        }
        out
    }

    fn finding_detail(&self, class: Class, n: usize) -> String {
        const SHOWN: usize = 3;
        let mut of_class = self
            .exposure
            .refs
            .iter()
            .filter(|r| finding_class(r) == class);
        let shown: Vec<String> = of_class
            .by_ref()
            .take(SHOWN)
            .map(|r| format!("{} in {}", r.id, r.product))
            .collect();
        let ids = if shown.is_empty() {
            let top: Vec<&str> = self
                .exposure
                .device_top
                .iter()
                .map(String::as_str)
                .collect();
            list(&top, SHOWN)
        } else {
            let more = of_class.count();
            let mut text = shown.join(", ");
            if more > 0 {
                text.push_str(&format!(" and {more} more"));
            }
            text
        };
        let findings = if n == 1 { "finding" } else { "findings" };
        let what = match class {
            Class::KevRansomware => {
                format!("open {findings} listed in CISA KEV with known ransomware campaign use")
            }
            Class::Kev => format!("open {findings} listed in CISA KEV (exploited in the wild)"),
            Class::Critical => format!("open critical {findings}"),
            Class::High => format!("open high {findings}"),
            Class::Other => format!("other open {findings} (medium, low or unrated)"),
        };
        if ids.is_empty() {
            format!("{n} {what}")
        } else {
            format!("{n} {what}: {ids}")
        }
    }
}

fn finding_class(r: &FindingRef) -> Class {
    if r.kev && r.ransomware {
        Class::KevRansomware
    } else if r.kev {
        Class::Kev
    } else if r.severity == "critical" {
        Class::Critical
    } else if r.severity == "high" {
        Class::High
    } else {
        Class::Other
    }
}

fn class_factor(class: Class) -> &'static str {
    match class {
        Class::KevRansomware => "kev-ransomware",
        Class::Kev => "kev",
        Class::Critical => "findings-critical",
        Class::High => "findings-high",
        Class::Other => "findings",
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `1 KEV finding`, `2 KEV findings`.
fn counted(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// `a, b, c and 4 more`.
fn list(items: &[&str], shown: usize) -> String {
    let mut text = items
        .iter()
        .take(shown)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > shown {
        text.push_str(&format!(" and {} more", items.len() - shown));
    }
    text
}

fn control_detail(c: &ControlAssessment) -> String {
    let state = match c.state {
        ControlState::Unknown => "not stated: counted as absent".to_owned(),
        ControlState::Absent => "attested as not in place".to_owned(),
        ControlState::Expired => "all its evidence has expired: counted as unknown".to_owned(),
        ControlState::Attested => "in place on the vendor's word alone, no evidence".to_owned(),
        ControlState::Evidenced => "in place with evidence, but weakened".to_owned(),
    };
    if c.notes.is_empty() {
        format!("{}: {state}", c.title)
    } else {
        format!("{}: {state} ({})", c.title, c.notes.join("; "))
    }
}

/// Where a control stands on `as_of` and the gap the formula counts.
fn assess_control(id: ControlId, control: Option<&Control>, as_of: Date) -> ControlAssessment {
    let mut notes = Vec::new();
    let (state, gap) = match control {
        None => (ControlState::Unknown, 1.0),
        Some(c) if !evidence_holds(&c.evidence, as_of) => {
            for e in &c.evidence {
                if let Some(expires) = e.expires {
                    notes.push(format!("{} expired {}", e.kind, date::format(expires)));
                }
            }
            (ControlState::Expired, 1.0)
        }
        Some(c) if !c.in_place => (ControlState::Absent, 1.0),
        Some(c) => {
            let quality = quality_gap(id, c, as_of, &mut notes);
            let (state, base) = if c.evidence.is_empty() {
                (ControlState::Attested, weights::UNEVIDENCED_GAP)
            } else {
                (ControlState::Evidenced, 0.0)
            };
            (
                state,
                1.0 - (1.0 - base) * (1.0 - weights::QUALITY_MAX * quality),
            )
        }
    };
    ControlAssessment {
        control: id,
        title: id.title(),
        state,
        gap,
        notes,
    }
}

/// The quality gap (0–1) of an in-place control from the typed fields the vendor gave;
/// a field not given adds nothing.
fn quality_gap(id: ControlId, c: &Control, as_of: Date, notes: &mut Vec<String>) -> f64 {
    let mut gaps: Vec<f64> = Vec::new();
    let stale = |tested: Option<Date>, what: &str, notes: &mut Vec<String>| -> Option<f64> {
        let days = date::days_between(tested?, as_of);
        (days > weights::STALE_TEST_DAYS).then(|| {
            notes.push(format!("{what} {days} days ago"));
            weights::STALE_TEST_GAP
        })
    };
    match id {
        ControlId::OfflineBackups => {
            gaps.extend(stale(c.last_restore_test, "last restore test", notes));
            if let Some(hours) = c.restore_hours.filter(|h| *h > weights::RESTORE_HOURS) {
                notes.push(format!("restore takes {hours} hours"));
                gaps.push(weights::SLOW_RESTORE_GAP);
            }
        }
        ControlId::IncidentResponsePlan => {
            gaps.extend(stale(c.last_tested, "plan last exercised", notes));
        }
        ControlId::AwarenessTraining => {
            if let Some(done) = c.completion.filter(|x| *x < 1.0) {
                notes.push(format!("{:.0}% completion", done.max(0.0) * 100.0));
                gaps.push((1.0 - done).clamp(0.0, 1.0));
            }
            if let Some(rate) = c.phishing_click_rate.filter(|x| *x > 0.0) {
                notes.push(format!("{:.0}% phishing click rate", rate.min(1.0) * 100.0));
                gaps.push((rate / weights::CLICK_RATE_FULL).clamp(0.0, 1.0));
            }
        }
        ControlId::VulnerabilityManagement => {
            if let Some(days) = c.critical_patch_days.filter(|d| *d > weights::PATCH_DAYS) {
                notes.push(format!("critical patches take {days} days"));
                gaps.push(
                    ((days - weights::PATCH_DAYS) / weights::PATCH_DAYS_SPAN).clamp(0.0, 1.0),
                );
            }
        }
        _ => {}
    }
    noisy_or(gaps)
}

/// A subcontractor's own likelihood, damped, reaches us through the vendor.
fn fourth_parties(
    vendor: &Vendor,
    index: &HashMap<&str, usize>,
    register: &Register,
    own: &[f64],
) -> Vec<Hazard> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for sub in &vendor.subcontractors {
        if sub == &vendor.id || !seen.insert(sub.as_str()) {
            continue;
        }
        let Some(&i) = index.get(sub.as_str()) else {
            continue;
        };
        let l = own[i];
        if l <= 0.0 {
            continue;
        }
        out.push(Hazard {
            factor: "subcontractor",
            detail: format!(
                "Subcontractor {} ({}) has likelihood {:.2} on its own; half of it reaches us through this vendor",
                register.vendors[i].name, sub, l
            ),
            h: weights::FOURTH_PARTY * l,
            basis: Basis::FourthParty,
        });
    }
    out
}

/// The stress-test result of each entity: a scenario whose only disrupted entity it is,
/// or whose id is the entity's id (the default sweep's naming). The worst when several.
struct StressIndex<'a> {
    by_entity: HashMap<String, Vec<&'a ScenarioResult>>,
    max_pi: f64,
}

impl<'a> StressIndex<'a> {
    fn new(network: &ValidatedNetwork, report: &'a Report) -> StressIndex<'a> {
        let targets: HashMap<String, String> = network
            .scenarios()
            .into_iter()
            .filter(|s| s.disrupt.len() == 1)
            .map(|s| (s.id, s.disrupt[0].target.id().to_owned()))
            .collect();
        let mut by_entity: HashMap<String, Vec<&ScenarioResult>> = HashMap::new();
        for s in &report.scenarios {
            let entity = match targets.get(&s.id) {
                Some(entity) => entity.clone(),
                None if network.lookup(&s.id).is_some() => s.id.clone(),
                None => continue,
            };
            by_entity.entry(entity).or_default().push(s);
        }
        let max_pi = report
            .scenarios
            .iter()
            .filter_map(|s| s.performance_impact)
            .filter(|pi| pi.is_finite())
            .fold(0.0_f64, f64::max);
        StressIndex { by_entity, max_pi }
    }

    /// The entity's impact figures from its worst scenario.
    fn entity(&self, entity: &str, via: Option<&str>) -> Option<(EntityImpact, f64, f64)> {
        self.by_entity
            .get(entity)?
            .iter()
            .map(|s| {
                let rei = match s.performance_impact {
                    Some(pi) if self.max_pi > 0.0 => (pi / self.max_pi).clamp(0.0, 1.0),
                    _ => 0.0,
                };
                let shortfall = match s.ttr {
                    Some(ttr) if ttr > 0.0 && s.tts < ttr => ((ttr - s.tts) / ttr).clamp(0.0, 1.0),
                    _ => 0.0,
                };
                let loss = rei;
                let short = weights::SHORTFALL * shortfall;
                let impact = noisy_or([loss, short]);
                (
                    EntityImpact {
                        entity: entity.to_owned(),
                        via: via.map(str::to_owned),
                        tts: s.tts,
                        ttr: s.ttr,
                        gap: s.ttr.map(|ttr| s.tts - ttr),
                        performance_impact: s.performance_impact,
                        rei: s.performance_impact.map(|_| rei),
                        impact,
                    },
                    loss,
                    short,
                )
            })
            .max_by(|a, b| {
                a.0.impact
                    .total_cmp(&b.0.impact)
                    .then_with(|| b.0.tts.total_cmp(&a.0.tts))
            })
    }
}

fn score_vendor(
    vendor: &Vendor,
    facts: Facts,
    fourth: &[Hazard],
    inputs: &Inputs,
    stress: &StressIndex,
) -> VendorRisk {
    let network = inputs.network;
    // Likelihood.
    let mut hazards = facts.hazards(&Levers::default(), true);
    hazards.extend(fourth.iter().cloned());
    let raw: Vec<f64> = hazards.iter().map(|h| h.h).collect();
    let (likelihood, split) = shares(&raw);
    let mut drivers: Vec<Driver> = hazards
        .iter()
        .zip(&split)
        .map(|(h, &weight)| Driver {
            factor: h.factor.to_owned(),
            detail: h.detail.clone(),
            weight,
            score: Scored::Likelihood,
            basis: h.basis,
        })
        .collect();
    let attested_likelihood: f64 = drivers
        .iter()
        .filter(|d| d.basis == Basis::Attested)
        .map(|d| d.weight)
        .sum();
    let observed_likelihood = likelihood - attested_likelihood;
    let mut incidents: Vec<IncidentNote> = Vec::new();
    {
        let mut k = 0;
        for (note, h) in &facts.incidents {
            let mut note = note.clone();
            if *h > 0.0 {
                // Incident hazards are pushed in order after controls, answers and findings.
                let position = hazards
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| x.factor == "incident")
                    .nth(k)
                    .map(|(i, _)| i);
                if let Some(i) = position {
                    note.weight = split[i];
                }
                k += 1;
            }
            incidents.push(note);
        }
    }
    drivers.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| a.factor.cmp(&b.factor))
    });

    // Impact.
    let mut entities: Vec<String> = Vec::new();
    let mut entity_impacts: Vec<EntityImpact> = Vec::new();
    let mut worst: Option<(usize, f64, f64)> = None;
    let mut add = |id: &str, via: Option<&str>, entities: &mut Vec<String>| {
        if entities.iter().any(|e| e == id) {
            return;
        }
        entities.push(id.to_owned());
        if let Some((impact, loss, short)) = stress.entity(id, via) {
            let better = worst.is_none_or(|(i, _, _)| impact.impact > entity_impacts[i].impact);
            entity_impacts.push(impact);
            if better {
                worst = Some((entity_impacts.len() - 1, loss, short));
            }
        }
    };
    for &(kind, ix) in network.entities_of_vendor(&vendor.id) {
        add(network.entity_id(kind, ix), None, &mut entities);
    }
    for sub in &vendor.subcontractors {
        if sub == &vendor.id {
            continue;
        }
        for &(kind, ix) in network.entities_of_vendor(sub) {
            add(network.entity_id(kind, ix), Some(sub), &mut entities);
        }
    }
    let mut impact_drivers = Vec::new();
    let impact = worst.map(|(i, loss, short)| {
        let e = &entity_impacts[i];
        let basis = if e.via.is_some() {
            Basis::FourthParty
        } else {
            Basis::Network
        };
        let (impact, split) = shares(&[loss, short]);
        let through = e
            .via
            .as_deref()
            .map(|v| format!(" (operated by subcontractor {v})"))
            .unwrap_or_default();
        let ttr = e.ttr.map_or_else(|| "?".to_owned(), figure);
        let pi = e.performance_impact.unwrap_or(0.0);
        impact_drivers.push(Driver {
            factor: "entity-impact".to_owned(),
            detail: if pi > 0.0 {
                format!(
                    "Losing {}{through} costs {} in value-weighted demand over its {ttr}-day recovery even with the best reallocation: {:.0}% of the network's worst single disruption",
                    e.entity,
                    figure(pi),
                    loss * 100.0
                )
            } else {
                format!(
                    "Losing {}{through} costs no demand over its {ttr}-day recovery: the network reallocates around it",
                    e.entity
                )
            },
            weight: split[0],
            score: Scored::Impact,
            basis,
        });
        if short > 0.0 && split[1] > 0.0 {
            impact_drivers.push(Driver {
                factor: "survival-shortfall".to_owned(),
                detail: format!(
                    "Stock runs out {} days before {} recovers (time to survive {}, time to recover {ttr} days)",
                    figure(e.gap.map_or(0.0, |g| -g)),
                    e.entity,
                    figure(e.tts)
                ),
                weight: split[1],
                score: Scored::Impact,
                basis,
            });
        }
        impact
    });
    impact_drivers.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| a.factor.cmp(&b.factor))
    });
    drivers.extend(impact_drivers);

    let risk_value = impact.map(|i| risk(likelihood, i));
    let tier_of = |l: f64| tier(impact.map_or(l, |i| risk(l, i)));

    // Improvements: the likelihood again with one gap closed.
    let fourth_raw: Vec<f64> = fourth.iter().map(|h| h.h).collect();
    let again = |levers: Levers| {
        noisy_or(
            facts
                .hazards(&levers, false)
                .iter()
                .map(|h| h.h)
                .chain(fourth_raw.iter().copied()),
        )
    };
    let mut candidates: Vec<(String, Levers)> = Vec::new();
    let counts = facts.exposure.class_counts();
    let kev_n = counts.get(&Class::Kev).copied().unwrap_or(0)
        + counts.get(&Class::KevRansomware).copied().unwrap_or(0);
    if kev_n > 0 {
        let ids: Vec<String> = facts
            .exposure
            .refs
            .iter()
            .filter(|r| r.kev)
            .map(|r| {
                let mut s = format!("{} in {}", r.id, r.product);
                if r.ransomware {
                    s.push_str(" (known ransomware use)");
                }
                s
            })
            .collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let action = if ids.is_empty() {
            format!("Fix the {} in its devices", counted(kev_n, "KEV finding"))
        } else {
            format!(
                "Fix the {}: {}",
                counted(kev_n, "KEV finding"),
                list(&ids, 3)
            )
        };
        candidates.push((
            action,
            Levers {
                kev: true,
                ..Levers::default()
            },
        ));
    }
    let ch_n = counts.get(&Class::Critical).copied().unwrap_or(0)
        + counts.get(&Class::High).copied().unwrap_or(0);
    if ch_n > 0 {
        candidates.push((
            format!(
                "Fix the {} not in KEV",
                counted(ch_n, "critical or high finding")
            ),
            Levers {
                critical_high: true,
                ..Levers::default()
            },
        ));
    }
    for c in facts.controls.iter().filter(|c| c.gap > 0.0) {
        let action = match c.state {
            ControlState::Unknown => format!("Attest {}, with evidence", c.title),
            ControlState::Absent => format!("Put {} in place, with evidence", c.title),
            ControlState::Expired => format!("Renew the expired evidence for {}", c.title),
            ControlState::Attested => format!("Provide evidence for {}", c.title),
            ControlState::Evidenced => format!("Strengthen {}: {}", c.title, c.notes.join("; ")),
        };
        candidates.push((
            action,
            Levers {
                control: Some(c.control),
                ..Levers::default()
            },
        ));
    }
    let (answer_gap, open, answered) = facts.answer_gap();
    if answer_gap > 0.0 {
        let action = if answered == 0 {
            "Answer the questionnaire (no answers on record)".to_owned()
        } else {
            format!(
                "Close the {} (answers no, partial or backed only by expired evidence)",
                counted(open, "questionnaire gap")
            )
        };
        candidates.push((
            action,
            Levers {
                answers: true,
                ..Levers::default()
            },
        ));
    }
    // When no one action lowers the tier, all of them together may.
    let current_tier = tier_of(likelihood);
    let singles = candidates.len();
    let any_lowers = candidates
        .iter()
        .any(|(_, levers)| tier_of(again(*levers)) > current_tier);
    if singles > 1 && !any_lowers {
        candidates.push((
            format!("All {singles} of the actions listed here together"),
            Levers {
                control: None,
                answers: true,
                kev: true,
                critical_high: true,
                all_controls: true,
            },
        ));
    }
    let mut improvements: Vec<Improvement> = candidates
        .into_iter()
        .filter_map(|(action, levers)| {
            let after = again(levers);
            (after < likelihood - 1e-9).then(|| Improvement {
                action,
                likelihood_after: after,
                risk_after: impact.map(|i| risk(after, i)),
                tier_after: tier_of(after),
            })
        })
        .collect();
    improvements.sort_by(|a, b| {
        a.likelihood_after
            .total_cmp(&b.likelihood_after)
            .then_with(|| a.action.cmp(&b.action))
    });

    let findings = facts.exposure.counts();
    let mut row = VendorRisk {
        id: vendor.id.clone(),
        name: vendor.name.clone(),
        rank: 0,
        risk: risk_value,
        tier: tier_of(likelihood),
        likelihood,
        impact,
        drivers,
        entities,
        findings,
        detail: VendorDetail {
            kind: vendor.kind.clone(),
            contact: vendor.contact.clone(),
            attested_likelihood,
            observed_likelihood,
            controls: facts.controls,
            answers: facts.answers,
            evidence: facts.evidence,
            findings: facts.exposure.refs,
            incidents,
            entity_impacts,
            subcontractors: vendor.subcontractors.clone(),
            alternatives: vendor.alternatives.clone(),
            improvements,
        },
    };
    tidy(&mut row);
    row
}

/// Rounds every score to 9 decimals: no float noise (`0.4750000000000001`) in the JSON,
/// far below any difference the inputs can make.
fn tidy(row: &mut VendorRisk) {
    let clean = |x: &mut f64| *x = (*x * 1e9).round() / 1e9;
    clean(&mut row.likelihood);
    row.impact.iter_mut().for_each(clean);
    row.risk.iter_mut().for_each(clean);
    row.drivers.iter_mut().for_each(|d| clean(&mut d.weight));
    let detail = &mut row.detail;
    clean(&mut detail.attested_likelihood);
    clean(&mut detail.observed_likelihood);
    detail.controls.iter_mut().for_each(|c| clean(&mut c.gap));
    detail
        .answers
        .iter_mut()
        .for_each(|a| a.gap.iter_mut().for_each(clean));
    detail
        .incidents
        .iter_mut()
        .for_each(|i| clean(&mut i.weight));
    for e in &mut detail.entity_impacts {
        clean(&mut e.impact);
        e.rei.iter_mut().for_each(clean);
    }
    for i in &mut detail.improvements {
        clean(&mut i.likelihood_after);
        i.risk_after.iter_mut().for_each(clean);
        i.tier_after = tier(i.risk_after.unwrap_or(i.likelihood_after));
    }
    row.tier = tier(row.risk.unwrap_or(row.likelihood));
}

/// A figure from the stress test in words: thousands grouped, at most two decimals.
fn figure(x: f64) -> String {
    if x.abs() >= 1000.0 {
        return lifeline_text::thousands(x);
    }
    let text = format!("{x:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}
