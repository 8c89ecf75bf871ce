//! Writing a blank questionnaire for a vendor to fill in: YAML (with instructions as
//! comments), JSON, or CSV for a spreadsheet (one row per question).

use serde::Serialize;

use super::{FORMAT, Framework, Measure, Question, Questionnaire, QuestionnaireFormat};
use crate::model::Vendor;

/// The columns of the CSV form, in order; the controls questionnaire's form adds one
/// column per [`Measure`]. `read_filled` needs `framework`, `question` and `answer`; the
/// others it reads when present.
pub(crate) const CSV_COLUMNS: [&str; 13] = [
    "vendor",
    "vendor_name",
    "framework",
    "question",
    "group",
    "text",
    "guidance",
    "answer",
    "evidence_kind",
    "evidence_issued",
    "evidence_expires",
    "evidence_reference",
    "comment",
];

const INSTRUCTIONS: &str = "Answer each question with yes, partial, no or na (not applicable). \
List the evidence that backs an answer (kind: soc2-type2, iso27001, hitrust, pen-test, \
attestation, training-records, ...; issued and expires as YYYY-MM-DD; reference: a report \
number or link) and add a comment where useful. Leave an answer empty to skip the question.";

/// A blank questionnaire in `format`, for `vendor` when given (its id and name at the top).
pub fn export(
    questionnaire: &Questionnaire,
    vendor: Option<&Vendor>,
    format: QuestionnaireFormat,
) -> String {
    match format {
        QuestionnaireFormat::Yaml => yaml(questionnaire, vendor),
        QuestionnaireFormat::Json => json(questionnaire, vendor),
        QuestionnaireFormat::Csv => csv(questionnaire, vendor),
    }
}

#[derive(Serialize)]
struct Blank<'a> {
    format: &'static str,
    framework: &'static str,
    title: &'a str,
    version: &'a str,
    source: &'a str,
    instructions: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vendor: Option<BlankVendor<'a>>,
    answers: Vec<BlankAnswer<'a>>,
}

#[derive(Serialize)]
struct BlankVendor<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct BlankAnswer<'a> {
    question: &'a str,
    group: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    guidance: Option<&'a str>,
    answer: Option<&'a str>,
    evidence: [(); 0],
    /// The controls questionnaire's measurements, each `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<serde_json::Map<String, serde_json::Value>>,
    comment: Option<&'a str>,
}

/// The measures a question asks for beside its answer.
fn measures(question: &Question) -> Vec<Measure> {
    question
        .control
        .map(|control| Measure::of(control).collect())
        .unwrap_or_default()
}

fn json(questionnaire: &Questionnaire, vendor: Option<&Vendor>) -> String {
    let blank = Blank {
        format: FORMAT,
        framework: questionnaire.framework.as_str(),
        title: &questionnaire.title,
        version: &questionnaire.version,
        source: &questionnaire.source,
        instructions: INSTRUCTIONS,
        vendor: vendor.map(|v| BlankVendor {
            id: &v.id,
            name: &v.name,
        }),
        answers: questionnaire
            .questions
            .iter()
            .map(|q: &Question| BlankAnswer {
                question: &q.id,
                group: &q.group,
                text: &q.text,
                guidance: q.guidance.as_deref(),
                answer: None,
                evidence: [],
                details: {
                    let measures = measures(q);
                    (!measures.is_empty()).then(|| {
                        measures
                            .iter()
                            .map(|m| (m.key().to_owned(), serde_json::Value::Null))
                            .collect()
                    })
                },
                comment: None,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&blank)
        .unwrap_or_else(|_| unreachable!("plain strings always serialize"));
    text.push('\n');
    text
}

/// A YAML double-quoted scalar. JSON's escapes are YAML's too; the line breaks YAML folds
/// inside quotes (NEL, U+2028, U+2029) and a byte-order mark are escaped as well, so the
/// value reads back exactly.
fn quoted(value: &str) -> String {
    let json =
        serde_json::to_string(value).unwrap_or_else(|_| unreachable!("a string always serializes"));
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            // Other control characters: JSON escapes C0 already; DEL and C1 here.
            c if c.is_control() && !matches!(c, '\n' | '\t') => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// Folds `text` into `# ` comment lines of at most about 90 characters.
fn comment_lines(out: &mut String, text: &str) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + word.len() > 88 {
            out.push_str(&format!("# {line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("# {line}\n"));
    }
}

fn yaml(questionnaire: &Questionnaire, vendor: Option<&Vendor>) -> String {
    let mut out = String::new();
    // The title and instructions as comments too: what a person opening the file reads
    // first. Comments hold no value that is read back, and go through `quoted` so that a
    // line break in a name cannot end the comment.
    comment_lines(&mut out, &questionnaire.title);
    comment_lines(&mut out, INSTRUCTIONS);
    out.push_str(&format!("format: {}\n", quoted(FORMAT)));
    out.push_str(&format!(
        "framework: {}\n",
        quoted(questionnaire.framework.as_str())
    ));
    out.push_str(&format!("title: {}\n", quoted(&questionnaire.title)));
    out.push_str(&format!("version: {}\n", quoted(&questionnaire.version)));
    out.push_str(&format!("source: {}\n", quoted(&questionnaire.source)));
    if let Some(vendor) = vendor {
        out.push_str("vendor:\n");
        out.push_str(&format!("  id: {}\n", quoted(&vendor.id)));
        out.push_str(&format!("  name: {}\n", quoted(&vendor.name)));
    }
    out.push_str("answers:\n");
    for question in &questionnaire.questions {
        out.push_str(&format!("  - question: {}\n", quoted(&question.id)));
        out.push_str(&format!("    group: {}\n", quoted(&question.group)));
        out.push_str(&format!("    text: {}\n", quoted(&question.text)));
        if let Some(guidance) = &question.guidance {
            out.push_str(&format!("    guidance: {}\n", quoted(guidance)));
        }
        out.push_str("    answer:         # yes | partial | no | na\n");
        out.push_str("    evidence: []    # - { kind: soc2-type2, issued: YYYY-MM-DD, expires: YYYY-MM-DD, reference: ... }\n");
        let measures = measures(question);
        if !measures.is_empty() {
            out.push_str("    details:\n");
            for measure in measures {
                let key = format!("{}:", measure.key());
                out.push_str(&format!("      {key:<22}# {}\n", measure.hint()));
            }
        }
        out.push_str("    comment:\n");
    }
    out
}

fn csv(questionnaire: &Questionnaire, vendor: Option<&Vendor>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let (id, name) = vendor.map_or(("", ""), |v| (v.id.as_str(), v.name.as_str()));
    let measures: Vec<Measure> = if questionnaire.framework == Framework::Controls {
        Measure::ALL.to_vec()
    } else {
        Vec::new()
    };
    let mut header: Vec<&str> = CSV_COLUMNS.to_vec();
    header.extend(measures.iter().map(|m| m.key()));
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(questionnaire.questions.len() + 1);
    rows.push(header.iter().map(|h| (*h).to_owned()).collect());
    for question in &questionnaire.questions {
        let mut cells = vec![
            id,
            name,
            questionnaire.framework.as_str(),
            &question.id,
            &question.group,
            &question.text,
            question.guidance.as_deref().unwrap_or_default(),
        ];
        cells.resize(header.len(), "");
        rows.push(
            cells
                .into_iter()
                .map(|cell| lifeline_text::csv_cell(cell).into_owned())
                .collect(),
        );
    }
    for row in rows {
        if writer.write_record(&row).is_err() {
            unreachable!("writing CSV to memory cannot fail");
        }
    }
    let bytes = writer
        .into_inner()
        .unwrap_or_else(|_| unreachable!("flushing CSV to memory cannot fail"));
    String::from_utf8(bytes).unwrap_or_else(|_| unreachable!("CSV of strings is UTF-8"))
}
