//! Questionnaires as data: NIST CSF 2.0 (from its OSCAL catalogue), HHS 405(d) HICP 2023,
//! and lifeline's own controls questionnaire (one question per [`ControlId`]). A blank one
//! is exported for a vendor to fill in ([`export`]: YAML, CSV or JSON), the filled one is
//! read back with every problem reported at once ([`read_filled`]), and its answers are
//! merged into the vendor's entry of the register ([`merge`]).
//!
//! The data lives in `crates/lifeline-risk/data/` (sources in its SOURCES.md), embedded
//! with `include_str!`: no IO.

pub mod csf;
mod export;
mod merge;
mod read;

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::{Control, ControlId};

pub use export::export;
pub use merge::{MergeError, Merged, merge};
pub use read::{Filled, QuestionnaireError, read_filled};

/// The `format` value of an exported questionnaire (YAML and JSON).
pub const FORMAT: &str = "lifeline-questionnaire/1";

/// The CSF 2.0 category a vendor questionnaire asks about by default: supply chain risk
/// management.
pub const DEFAULT_CSF_CATEGORIES: &[&str] = &["GV.SC"];

/// Which question bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Framework {
    /// NIST CSF 2.0 subcategories (`GV.SC-05`).
    Csf2,
    /// HHS 405(d) HICP 2023 practices (`HICP-7`).
    Hicp,
    /// lifeline's controls questionnaire (`ctl-mfa`).
    Controls,
}

impl Framework {
    pub const ALL: [Framework; 3] = [Framework::Csf2, Framework::Hicp, Framework::Controls];

    /// The name on the command line and in questionnaire files.
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::Csf2 => "csf2",
            Framework::Hicp => "hicp",
            Framework::Controls => "controls",
        }
    }

    /// Whether `id` is one of this framework's questions (any CSF 2.0 subcategory, not
    /// only those of the default category).
    pub fn knows(self, id: &str) -> bool {
        match self {
            Framework::Csf2 => csf::catalogue().subcategory(id).is_some(),
            Framework::Hicp => hicp().practices.iter().any(|p| p.id == id),
            Framework::Controls => controls().questions.iter().any(|q| q.id == id),
        }
    }

    /// Every question id of the framework, for suggestions.
    fn ids(self) -> Vec<&'static str> {
        match self {
            Framework::Csf2 => csf::catalogue()
                .subcategories()
                .map(|s| s.id.as_str())
                .collect(),
            Framework::Hicp => hicp().practices.iter().map(|p| p.id.as_str()).collect(),
            Framework::Controls => controls().questions.iter().map(|q| q.id.as_str()).collect(),
        }
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A framework name that is none of `csf2`, `hicp`, `controls`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown framework `{}`, expected `csf2`, `hicp` or `controls`", lifeline_text::excerpt(.0))]
pub struct UnknownFramework(pub String);

impl FromStr for Framework {
    type Err = UnknownFramework;
    fn from_str(text: &str) -> Result<Framework, UnknownFramework> {
        Framework::ALL
            .into_iter()
            .find(|f| f.as_str() == text)
            .ok_or_else(|| UnknownFramework(text.to_owned()))
    }
}

/// The syntax of an exported or filled questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionnaireFormat {
    Yaml,
    Csv,
    Json,
}

impl QuestionnaireFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionnaireFormat::Yaml => "yaml",
            QuestionnaireFormat::Csv => "csv",
            QuestionnaireFormat::Json => "json",
        }
    }

    /// The format a file name implies (`.csv`, `.json`, `.yaml`, `.yml`), else a guess
    /// from the text: JSON when it starts with `{`, else YAML.
    pub fn detect(path: &std::path::Path, text: &str) -> QuestionnaireFormat {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => QuestionnaireFormat::Csv,
            Some("json") => QuestionnaireFormat::Json,
            Some("yaml" | "yml") => QuestionnaireFormat::Yaml,
            _ if text.trim_start().starts_with('{') => QuestionnaireFormat::Json,
            _ => QuestionnaireFormat::Yaml,
        }
    }
}

/// A format name that is none of `yaml`, `csv`, `json`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown questionnaire format `{}`, expected `yaml`, `csv` or `json`", lifeline_text::excerpt(.0))]
pub struct UnknownFormat(pub String);

impl FromStr for QuestionnaireFormat {
    type Err = UnknownFormat;
    fn from_str(text: &str) -> Result<QuestionnaireFormat, UnknownFormat> {
        [
            QuestionnaireFormat::Yaml,
            QuestionnaireFormat::Csv,
            QuestionnaireFormat::Json,
        ]
        .into_iter()
        .find(|f| f.as_str() == text)
        .ok_or_else(|| UnknownFormat(text.to_owned()))
    }
}

/// A measurement the controls questionnaire asks for beside the answer: the typed fields
/// of a register control (`offline_backups.restore_hours`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    LastRestoreTest,
    RestoreHours,
    LastTested,
    Completion,
    PhishingClickRate,
    CriticalPatchDays,
}

/// The value of a [`Measure`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MeasureValue {
    Date(time::Date),
    Number(f64),
}

impl Measure {
    pub const ALL: [Measure; 6] = [
        Measure::LastRestoreTest,
        Measure::RestoreHours,
        Measure::LastTested,
        Measure::Completion,
        Measure::PhishingClickRate,
        Measure::CriticalPatchDays,
    ];

    /// The field name, as in the register's control object.
    pub fn key(self) -> &'static str {
        match self {
            Measure::LastRestoreTest => "last_restore_test",
            Measure::RestoreHours => "restore_hours",
            Measure::LastTested => "last_tested",
            Measure::Completion => "completion",
            Measure::PhishingClickRate => "phishing_click_rate",
            Measure::CriticalPatchDays => "critical_patch_days",
        }
    }

    /// The control it belongs to.
    pub fn control(self) -> ControlId {
        match self {
            Measure::LastRestoreTest | Measure::RestoreHours => ControlId::OfflineBackups,
            Measure::LastTested => ControlId::IncidentResponsePlan,
            Measure::Completion | Measure::PhishingClickRate => ControlId::AwarenessTraining,
            Measure::CriticalPatchDays => ControlId::VulnerabilityManagement,
        }
    }

    /// The measures of a control, in order.
    pub fn of(control: ControlId) -> impl Iterator<Item = Measure> {
        Measure::ALL
            .into_iter()
            .filter(move |m| m.control() == control)
    }

    /// What to write, for the blank form.
    pub fn hint(self) -> &'static str {
        match self {
            Measure::LastRestoreTest | Measure::LastTested => "YYYY-MM-DD",
            Measure::RestoreHours => "hours to restore",
            Measure::Completion => "share of staff trained, 0 to 1",
            Measure::PhishingClickRate => "share who clicked, 0 to 1",
            Measure::CriticalPatchDays => "days",
        }
    }

    pub fn is_date(self) -> bool {
        matches!(self, Measure::LastRestoreTest | Measure::LastTested)
    }

    /// The range of a number measure.
    pub(crate) fn range(self) -> lifeline_network::Range {
        match self {
            Measure::Completion | Measure::PhishingClickRate => lifeline_network::Range::Fraction,
            _ => lifeline_network::Range::Days,
        }
    }

    /// Sets the measure on `control`; a value of the wrong kind is ignored (the readers
    /// only make dates for date measures and numbers for the others).
    pub fn set(self, control: &mut Control, value: MeasureValue) {
        match (self, value) {
            (Measure::LastRestoreTest, MeasureValue::Date(d)) => {
                control.last_restore_test = Some(d)
            }
            (Measure::LastTested, MeasureValue::Date(d)) => control.last_tested = Some(d),
            (Measure::RestoreHours, MeasureValue::Number(x)) => control.restore_hours = Some(x),
            (Measure::Completion, MeasureValue::Number(x)) => control.completion = Some(x),
            (Measure::PhishingClickRate, MeasureValue::Number(x)) => {
                control.phishing_click_rate = Some(x);
            }
            (Measure::CriticalPatchDays, MeasureValue::Number(x)) => {
                control.critical_patch_days = Some(x);
            }
            _ => {}
        }
    }

    /// The measure's value on `control`, when set.
    pub fn get(self, control: &Control) -> Option<MeasureValue> {
        match self {
            Measure::LastRestoreTest => control.last_restore_test.map(MeasureValue::Date),
            Measure::LastTested => control.last_tested.map(MeasureValue::Date),
            Measure::RestoreHours => control.restore_hours.map(MeasureValue::Number),
            Measure::Completion => control.completion.map(MeasureValue::Number),
            Measure::PhishingClickRate => control.phishing_click_rate.map(MeasureValue::Number),
            Measure::CriticalPatchDays => control.critical_patch_days.map(MeasureValue::Number),
        }
    }
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The framework's own id: `GV.SC-05`, `HICP-7`, `ctl-mfa`.
    pub id: String,
    /// The section it belongs to: `GV.SC Cybersecurity Supply Chain Risk Management`.
    pub group: String,
    pub text: String,
    pub guidance: Option<String>,
    /// The register control an answer sets (controls questionnaire only).
    pub control: Option<ControlId>,
}

/// A whole questionnaire, in the framework's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Questionnaire {
    pub framework: Framework,
    pub title: String,
    pub version: String,
    pub source: String,
    pub questions: Vec<Question>,
}

impl Questionnaire {
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}

/// The questionnaire of a framework; CSF 2.0 asks about [`DEFAULT_CSF_CATEGORIES`].
pub fn questionnaire(framework: Framework) -> Questionnaire {
    match framework {
        Framework::Csf2 => csf2_categories(DEFAULT_CSF_CATEGORIES.iter().copied()),
        Framework::Hicp => hicp_questionnaire(),
        Framework::Controls => controls_questionnaire(),
    }
}

/// A CSF category that the catalogue does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{}` is not a NIST CSF 2.0 category{}", lifeline_text::excerpt(.category), .suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
pub struct UnknownCategory {
    pub category: String,
    pub suggestion: Option<String>,
}

/// The CSF 2.0 questionnaire over `categories` (`GV.SC`, `PR.AA`, ...), in the
/// framework's order; no category at all means every one of the 22.
pub fn csf2_questionnaire(categories: &[&str]) -> Result<Questionnaire, UnknownCategory> {
    let catalogue = csf::catalogue();
    for category in categories {
        if catalogue.category(category).is_none() {
            return Err(UnknownCategory {
                category: (*category).to_owned(),
                suggestion: lifeline_text::suggest(
                    category,
                    catalogue.categories().map(|c| c.id.as_str()),
                )
                .map(str::to_owned),
            });
        }
    }
    Ok(if categories.is_empty() {
        csf2_categories(catalogue.categories().map(|c| c.id.as_str()))
    } else {
        csf2_categories(categories.iter().copied())
    })
}

fn csf2_categories<'a>(wanted: impl Iterator<Item = &'a str>) -> Questionnaire {
    let catalogue = csf::catalogue();
    let wanted: Vec<&str> = wanted.collect();
    let questions = catalogue
        .categories()
        .filter(|c| wanted.contains(&c.id.as_str()))
        .flat_map(|category| {
            category.subcategories.iter().map(move |sub| Question {
                id: sub.id.clone(),
                group: format!("{} {}", category.id, category.title),
                text: sub.statement.clone(),
                guidance: Some(format!(
                    "Implementation examples: {}",
                    sub.examples
                        .iter()
                        .enumerate()
                        .map(|(i, e)| format!("({}) {e}", i + 1))
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
                control: None,
            })
        })
        .collect();
    Questionnaire {
        framework: Framework::Csf2,
        title: catalogue.title.clone(),
        version: format!(
            "CSF 2.0 (OSCAL catalogue {}, published {})",
            catalogue.version,
            catalogue.published.get(..10).unwrap_or(&catalogue.published)
        ),
        source: "NIST, CSF 2.0 OSCAL catalogue (usnistgov/oscal-content, src/nist.gov/CSF/v2.0/xml/NIST_CSF_v2.0_catalog.xml), public domain".to_owned(),
        questions,
    }
}

#[derive(Debug, Deserialize)]
struct HicpData {
    title: String,
    version: String,
    source: String,
    practices: Vec<HicpPractice>,
}

#[derive(Debug, Deserialize)]
struct HicpPractice {
    id: String,
    title: String,
    text: String,
    guidance: String,
}

#[derive(Debug, Deserialize)]
struct ControlsData {
    title: String,
    version: String,
    source: String,
    questions: Vec<ControlQuestion>,
}

#[derive(Debug, Deserialize)]
struct ControlQuestion {
    id: String,
    control: String,
    text: String,
    guidance: String,
    csf: Vec<String>,
}

fn hicp() -> &'static HicpData {
    static DATA: OnceLock<HicpData> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(include_str!("../../data/hicp-2023.json"))
            .unwrap_or_else(|e| panic!("the embedded HICP practices parse (tested): {e}"))
    })
}

fn controls() -> &'static ControlsData {
    static DATA: OnceLock<ControlsData> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(include_str!("../../data/controls.json"))
            .unwrap_or_else(|e| panic!("the embedded controls questionnaire parses (tested): {e}"))
    })
}

fn hicp_questionnaire() -> Questionnaire {
    let data = hicp();
    Questionnaire {
        framework: Framework::Hicp,
        title: data.title.clone(),
        version: data.version.clone(),
        source: data.source.clone(),
        questions: data
            .practices
            .iter()
            .map(|p| Question {
                id: p.id.clone(),
                group: format!("{} {}", p.id, p.title),
                text: p.text.clone(),
                guidance: Some(p.guidance.clone()),
                control: None,
            })
            .collect(),
    }
}

fn controls_questionnaire() -> Questionnaire {
    let data = controls();
    Questionnaire {
        framework: Framework::Controls,
        title: data.title.clone(),
        version: data.version.clone(),
        source: data.source.clone(),
        questions: data
            .questions
            .iter()
            .map(|q| {
                let control = ControlId::from_key(&q.control);
                Question {
                    id: q.id.clone(),
                    group: control.map_or_else(|| q.control.clone(), |c| c.title().to_owned()),
                    text: q.text.clone(),
                    guidance: Some(format!(
                        "{} NIST CSF 2.0: {}.",
                        q.guidance,
                        q.csf.join(", ")
                    )),
                    control,
                }
            })
            .collect(),
    }
}

/// The CSF 2.0 subcategories a controls-questionnaire question maps to.
pub fn csf_mapping(question: &str) -> &'static [String] {
    controls()
        .questions
        .iter()
        .find(|q| q.id == question)
        .map_or(&[], |q| q.csf.as_slice())
}

/// Whether any questionnaire asks `id`: a CSF 2.0 subcategory, a HICP practice, or a
/// controls-questionnaire id.
pub fn is_known_question(id: &str) -> bool {
    Framework::ALL.into_iter().any(|f| f.knows(id))
}

/// The text of question `id` in whichever questionnaire asks it.
pub fn question_text(id: &str) -> Option<String> {
    if let Some(sub) = csf::catalogue().subcategory(id) {
        return Some(sub.statement.clone());
    }
    if let Some(p) = hicp().practices.iter().find(|p| p.id == id) {
        return Some(p.text.clone());
    }
    controls()
        .questions
        .iter()
        .find(|q| q.id == id)
        .map(|q| q.text.clone())
}

/// The framework that asks `id`.
pub fn framework_of(id: &str) -> Option<Framework> {
    Framework::ALL.into_iter().find(|f| f.knows(id))
}
