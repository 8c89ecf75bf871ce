//! Reading a filled questionnaire (YAML, JSON or CSV) back: every problem is collected and
//! reported at once, each named by its row (`answers[3]`, or `row 5` of a CSV counted as a
//! spreadsheet counts, the header being row 1), its question when known, and its field:
//! `answers[3] (GV.SC-04).evidence[0].expires`, `row 5 (GV.SC-04).evidence_expires`.
//!
//! YAML and JSON go through lifeline-network's reader and [`Decoder`], so they get the
//! network's read limits, duplicate-key errors and unknown-field warnings.

use std::path::{Path, PathBuf};

use lifeline_network::{
    Decoder, Diagnostic, Diagnostics, Fields, Format, LoadError, Raw, ReadLimits,
};
use time::Date;

use super::export::CSV_COLUMNS;
use super::{FORMAT, Framework, Measure, MeasureValue, QuestionnaireFormat};
use crate::model::{Answer, AnswerValue, Control, Controls, Evidence};

/// A questionnaire a vendor filled in, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Filled {
    /// The vendor id the file names, when it names one.
    pub vendor: Option<String>,
    pub framework: Framework,
    /// The answered questions, in the file's order (a blank answer is no answer).
    pub answers: Vec<Answer>,
    /// For the controls questionnaire, the controls its answers attest: `yes` in place,
    /// `no` and `partial` not in place (a control partly in place is not attested as in
    /// place; the answer keeps `partial`), `na` left unknown; with the answer's evidence
    /// and the measurements given as its `details` (`restore_hours`, ...). Empty for
    /// other frameworks.
    pub controls: Controls,
    pub warnings: Vec<Diagnostic>,
}

/// Why a filled questionnaire could not be read.
#[derive(Debug, thiserror::Error)]
pub enum QuestionnaireError {
    /// Not JSON or YAML, or over a read limit.
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("`{}` is not a valid filled questionnaire ({} error(s)):\n{diagnostics}", path.display(), diagnostics.error_count())]
    Invalid {
        path: PathBuf,
        diagnostics: Diagnostics,
    },
}

/// One answer row, whatever the syntax.
struct Row {
    /// `answers[3]` or `row 5`.
    path: String,
    question: Option<String>,
    /// `None`: left blank.
    answer: Option<AnswerValue>,
    evidence: Vec<Evidence>,
    /// The controls questionnaire's measurements, each with its path.
    details: Vec<(Measure, MeasureValue, String)>,
    comment: Option<String>,
}

/// What the file says about itself.
#[derive(Default)]
struct Header {
    framework: Option<Framework>,
    vendor: Option<String>,
    /// Where the framework is given, for the error when it is missing.
    framework_path: String,
}

/// Reads a filled questionnaire; `origin` names it in errors.
pub fn read_filled(
    text: &str,
    format: QuestionnaireFormat,
    origin: &Path,
) -> Result<Filled, QuestionnaireError> {
    let mut decoder = Decoder::default();
    let (header, rows) = match format {
        QuestionnaireFormat::Yaml | QuestionnaireFormat::Json => {
            let syntax = if format == QuestionnaireFormat::Json {
                Format::Json
            } else {
                Format::Yaml
            };
            let raw =
                lifeline_network::parse_document(text, syntax, origin, &ReadLimits::default())?;
            document(&mut decoder, &raw)
        }
        QuestionnaireFormat::Csv => {
            let limits = ReadLimits::default();
            if text.len() as u64 > limits.file_bytes {
                return Err(LoadError::Limit {
                    path: origin.to_owned(),
                    field: String::new(),
                    message: format!(
                        "the file is {} bytes, over the limit of {} bytes per file",
                        text.len(),
                        limits.file_bytes
                    ),
                }
                .into());
            }
            csv_document(&mut decoder, text, &limits)
        }
    };
    let filled = assemble(&mut decoder, header, rows);
    let diagnostics = Diagnostics(decoder.diagnostics);
    match filled {
        Some(mut filled) if !diagnostics.has_errors() => {
            filled.warnings = diagnostics.0;
            Ok(filled)
        }
        _ => Err(QuestionnaireError::Invalid {
            path: origin.to_owned(),
            diagnostics,
        }),
    }
}

// ---------------------------------------------------------------- values, any syntax

/// An answer cell: blank is `Ok(None)`; `yes`, `partial`, `no`, `na` in any case (and
/// `n/a`) are answers; anything else is reported.
fn answer_text(decoder: &mut Decoder, path: &str, text: &str) -> Option<AnswerValue> {
    let trimmed = text.trim().to_ascii_lowercase();
    if trimmed.is_empty() {
        return None;
    }
    let value = if trimmed == "n/a" {
        Some(AnswerValue::Na)
    } else {
        AnswerValue::parse(&trimmed)
    };
    if value.is_none() {
        decoder.error(
            path,
            format!(
                "expected `yes`, `partial`, `no` or `na`, found `{}`",
                lifeline_text::excerpt(text)
            ),
        );
    }
    value
}

fn date_text(decoder: &mut Decoder, path: &str, text: &str) -> Option<Date> {
    let date = crate::date::parse(text.trim());
    if date.is_none() {
        decoder.diagnostics.push(
            Diagnostic::error(
                path,
                format!(
                    "expected a date as YYYY-MM-DD, found `{}`",
                    lifeline_text::excerpt(text)
                ),
            )
            .with_hint("write the date as 2027-03-31 (a spreadsheet may have reformatted it)"),
        );
    }
    date
}

/// A measure's value from a YAML or JSON value.
fn measure_raw(
    decoder: &mut Decoder,
    raw: &Raw,
    path: &str,
    measure: Measure,
) -> Option<MeasureValue> {
    if measure.is_date() {
        match raw {
            Raw::String(text) => date_text(decoder, path, text).map(MeasureValue::Date),
            other => {
                decoder.error(
                    path,
                    format!("expected a date as YYYY-MM-DD, found {}", other.describe()),
                );
                None
            }
        }
    } else {
        decoder
            .number_at(raw, path, measure.range())
            .map(MeasureValue::Number)
    }
}

/// A measure's value from a CSV cell (not blank).
fn measure_text(
    decoder: &mut Decoder,
    text: &str,
    path: &str,
    measure: Measure,
) -> Option<MeasureValue> {
    if measure.is_date() {
        return date_text(decoder, path, text).map(MeasureValue::Date);
    }
    match text.trim().parse::<f64>() {
        Ok(x) => measure_raw(decoder, &Raw::Number(x), path, measure),
        Err(_) => {
            decoder.error(
                path,
                format!(
                    "expected a number ({}), found `{}`",
                    measure.hint(),
                    lifeline_text::excerpt(text)
                ),
            );
            None
        }
    }
}

/// Checks that evidence is not issued after it expires.
fn evidence_dates(decoder: &mut Decoder, expires_path: &str, evidence: &Evidence) {
    if let (Some(issued), Some(expires)) = (evidence.issued, evidence.expires)
        && expires < issued
    {
        decoder.error(
            expires_path,
            format!(
                "expires {} before it was issued ({})",
                crate::date::format(expires),
                crate::date::format(issued)
            ),
        );
    }
}

// ---------------------------------------------------------------- YAML and JSON

fn document(decoder: &mut Decoder, raw: &Raw) -> (Header, Vec<Row>) {
    let mut header = Header {
        framework_path: "framework".to_owned(),
        ..Header::default()
    };
    let Some(mut fields) = decoder.object(raw, "") else {
        return (header, Vec::new());
    };
    match fields.get("format") {
        None => decoder.diagnostics.push(
            Diagnostic::warning("format", format!("missing; read as `{FORMAT}`"))
                .with_hint(format!("add \"format\": \"{FORMAT}\"")),
        ),
        Some(Raw::String(f)) if f == FORMAT => {}
        Some(other) => decoder.error(
            "format",
            format!(
                "unsupported format {}, expected `\"{FORMAT}\"`",
                other.describe()
            ),
        ),
    }
    header.framework = framework(decoder, &mut fields);
    header.vendor = match fields.get("vendor") {
        None => None,
        Some(Raw::String(id)) => vendor_id(decoder, "vendor", id),
        Some(raw @ Raw::Map(_)) => decoder.object(raw, "vendor").and_then(|mut vendor| {
            let id = decoder.id(&mut vendor, "id");
            let _ = vendor.get("name");
            decoder.finish(vendor);
            id.and_then(|id| vendor_id(decoder, "vendor.id", &id))
        }),
        Some(other) => {
            decoder.error(
                "vendor",
                format!(
                    "expected a vendor id or an object with `id`, found {}",
                    other.describe()
                ),
            );
            None
        }
    };
    // What the export writes for people; not read.
    for key in ["title", "version", "source", "instructions"] {
        let _ = fields.get(key);
    }
    let answers_present = fields.get("answers").is_some();
    let items = decoder.list(&mut fields, "answers");
    if !answers_present {
        decoder.error("answers", "missing required field");
    }
    let rows = items
        .iter()
        .enumerate()
        .filter_map(|(i, raw)| row(decoder, raw, &format!("answers[{i}]")))
        .collect();
    decoder.finish(fields);
    (header, rows)
}

fn framework(decoder: &mut Decoder, fields: &mut Fields<'_>) -> Option<Framework> {
    let path = fields.path("framework");
    let Some(text) = decoder.string(fields, "framework") else {
        if fields.get("framework").is_none() {
            decoder.error(path, "missing required field: `csf2`, `hicp` or `controls`");
        }
        return None;
    };
    parse_framework(decoder, &path, &text)
}

fn parse_framework(decoder: &mut Decoder, path: &str, text: &str) -> Option<Framework> {
    match text.trim().parse::<Framework>() {
        Ok(framework) => Some(framework),
        Err(error) => {
            decoder.error(path, error.to_string());
            None
        }
    }
}

/// A vendor id as the register writes it.
fn vendor_id(decoder: &mut Decoder, path: &str, text: &str) -> Option<String> {
    let id = text.trim();
    if id.is_empty() {
        return None;
    }
    if lifeline_network::vendor_id(id) != id {
        decoder.error(
            path,
            format!(
                "`{}` is not a vendor id: lower-case letters and digits joined by single hyphens",
                lifeline_text::excerpt(text)
            ),
        );
        return None;
    }
    Some(id.to_owned())
}

fn row(decoder: &mut Decoder, raw: &Raw, path: &str) -> Option<Row> {
    let start = decoder.diagnostics.len();
    let mut fields = decoder.object(raw, path)?;
    let question = decoder.id(&mut fields, "question");
    for key in ["group", "text", "guidance"] {
        let _ = fields.get(key);
    }
    let answer_path = fields.path("answer");
    let answer = match fields.get("answer") {
        None => None,
        Some(Raw::String(text)) => answer_text(decoder, &answer_path, text),
        // YAML 1.1 reads a bare yes or no as a boolean.
        Some(Raw::Bool(true)) => Some(AnswerValue::Yes),
        Some(Raw::Bool(false)) => Some(AnswerValue::No),
        Some(other) => {
            decoder.error(
                answer_path,
                format!(
                    "expected `yes`, `partial`, `no` or `na`, found {}",
                    other.describe()
                ),
            );
            None
        }
    };
    let evidence_path = fields.path("evidence");
    let evidence = match fields.get("evidence") {
        None => Vec::new(),
        Some(Raw::List(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, raw)| evidence(decoder, raw, &format!("{evidence_path}[{i}]")))
            .collect(),
        Some(single @ Raw::Map(_)) => evidence(decoder, single, &evidence_path)
            .into_iter()
            .collect(),
        Some(other) => {
            decoder.error(
                evidence_path,
                format!("expected a list of evidence, found {}", other.describe()),
            );
            Vec::new()
        }
    };
    let mut details = Vec::new();
    if let Some(raw) = fields.get("details") {
        let details_path = fields.path("details");
        if let Some(mut entries) = decoder.object(raw, &details_path) {
            for measure in Measure::ALL {
                if let Some(raw) = entries.get(measure.key()) {
                    let path = entries.path(measure.key());
                    if let Some(value) = measure_raw(decoder, raw, &path, measure) {
                        details.push((measure, value, path));
                    }
                }
            }
            decoder.finish(entries);
        }
    }
    let comment = decoder
        .string(&mut fields, "comment")
        .filter(|c| !c.trim().is_empty());
    decoder.finish(fields);
    if let Some(question) = &question {
        name_question(decoder, start, path, question);
    }
    Some(Row {
        path: path.to_owned(),
        question,
        answer,
        evidence,
        details,
        comment,
    })
}

/// Puts the question id beside the row in the paths of the diagnostics found since
/// `start`: `answers[3]` becomes `answers[3] (GV.SC-04)`.
fn name_question(decoder: &mut Decoder, start: usize, row: &str, question: &str) {
    let named = format!("{row} ({})", lifeline_text::excerpt(question));
    for diagnostic in &mut decoder.diagnostics[start..] {
        if let Some(rest) = diagnostic.path.strip_prefix(row)
            && (rest.is_empty() || rest.starts_with(['.', '[']))
        {
            diagnostic.path = format!("{named}{rest}");
        }
    }
}

fn evidence(decoder: &mut Decoder, raw: &Raw, path: &str) -> Option<Evidence> {
    let mut fields = decoder.object(raw, path)?;
    let kind = decoder.id(&mut fields, "kind");
    let date = |decoder: &mut Decoder, fields: &mut Fields<'_>, key: &str| {
        let path = fields.path(key);
        match fields.get(key)? {
            Raw::String(text) => date_text(decoder, &path, text),
            other => {
                decoder.error(
                    path,
                    format!("expected a date as YYYY-MM-DD, found {}", other.describe()),
                );
                None
            }
        }
    };
    let issued = date(decoder, &mut fields, "issued");
    let expires = date(decoder, &mut fields, "expires");
    let reference = decoder.string(&mut fields, "reference");
    let expires_path = fields.path("expires");
    decoder.finish(fields);
    let evidence = Evidence {
        kind: kind?,
        issued,
        expires,
        reference,
    };
    evidence_dates(decoder, &expires_path, &evidence);
    Some(evidence)
}

// ---------------------------------------------------------------- CSV

/// Column indexes of the CSV form.
#[derive(Default)]
struct Columns {
    vendor: Option<usize>,
    framework: Option<usize>,
    question: Option<usize>,
    answer: Option<usize>,
    evidence_kind: Option<usize>,
    evidence_issued: Option<usize>,
    evidence_expires: Option<usize>,
    evidence_reference: Option<usize>,
    comment: Option<usize>,
    measures: Vec<(Measure, usize)>,
}

fn csv_document(decoder: &mut Decoder, text: &str, limits: &ReadLimits) -> (Header, Vec<Row>) {
    let mut header = Header::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Spreadsheets in locales that write a decimal comma save CSV with semicolons: a
    // header with semicolons and no comma is read that way.
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains(';') && !first_line.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let names: Vec<String> = match records.next() {
        Some(Ok(record)) => record.iter().map(|c| c.trim().to_owned()).collect(),
        Some(Err(error)) => {
            decoder.error("row 1", format!("cannot read the header: {error}"));
            return (header, Vec::new());
        }
        None => {
            decoder.error(
                "",
                "the file is empty: expected a header row and one row per question",
            );
            return (header, Vec::new());
        }
    };
    let mut columns = Columns::default();
    for (i, name) in names.iter().enumerate() {
        let slot = match name.as_str() {
            "vendor" => &mut columns.vendor,
            "framework" => &mut columns.framework,
            "question" => &mut columns.question,
            "answer" => &mut columns.answer,
            "evidence_kind" => &mut columns.evidence_kind,
            "evidence_issued" => &mut columns.evidence_issued,
            "evidence_expires" => &mut columns.evidence_expires,
            "evidence_reference" => &mut columns.evidence_reference,
            "comment" => &mut columns.comment,
            known if CSV_COLUMNS.contains(&known) => continue,
            key if Measure::ALL.iter().any(|m| m.key() == key) => {
                if columns.measures.iter().any(|(m, _)| m.key() == key) {
                    decoder.error(
                        format!("column `{name}`"),
                        "duplicate column: the header names this column twice",
                    );
                } else if let Some(measure) = Measure::ALL.into_iter().find(|m| m.key() == key) {
                    columns.measures.push((measure, i));
                }
                continue;
            }
            other => {
                decoder.diagnostics.push(Diagnostic::warning(
                    format!("column `{}`", lifeline_text::excerpt(other)),
                    "unknown column, ignored",
                ));
                continue;
            }
        };
        if slot.is_some() {
            decoder.error(
                format!("column `{name}`"),
                "duplicate column: the header names this column twice",
            );
        } else {
            *slot = Some(i);
        }
    }
    for (name, index) in [
        ("framework", columns.framework),
        ("question", columns.question),
        ("answer", columns.answer),
    ] {
        if index.is_none() {
            decoder.error(format!("column `{name}`"), "missing required column");
        }
    }
    if columns.framework.is_none() || columns.question.is_none() || columns.answer.is_none() {
        return (header, Vec::new());
    }
    // The first row that gives each, to name in the error when a later row differs.
    let mut framework_at: Option<(String, String)> = None;
    let mut vendor_at: Option<(String, String)> = None;
    let mut rows = Vec::new();
    for (i, record) in records.enumerate() {
        let path = format!("row {}", i + 2);
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                decoder.error(path, format!("cannot read the row: {error}"));
                continue;
            }
        };
        if record.as_slice().len() > limits.csv_record_bytes {
            decoder.error(
                path,
                format!(
                    "the row is longer than the limit of {} bytes",
                    limits.csv_record_bytes
                ),
            );
            continue;
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() > names.len() {
            decoder.error(
                &path,
                format!(
                    "the row has {} cells, the header {}",
                    record.len(),
                    names.len()
                ),
            );
        }
        let start = decoder.diagnostics.len();
        let cell = |index: Option<usize>| -> &str {
            index
                .and_then(|i| record.get(i))
                .map(str::trim)
                .unwrap_or_default()
        };
        let field = |name: &str| format!("{path}.{name}");
        // The same framework and vendor on every row.
        let framework_cell = cell(columns.framework);
        if framework_cell.is_empty() {
            decoder.error(field("framework"), "missing: `csf2`, `hicp` or `controls`");
        } else if let Some((first, at)) = &framework_at {
            if first != framework_cell {
                decoder.error(
                    field("framework"),
                    format!(
                        "`{}` differs from `{}` on {at}: a file holds one questionnaire",
                        lifeline_text::excerpt(framework_cell),
                        lifeline_text::excerpt(first)
                    ),
                );
            }
        } else {
            header.framework = parse_framework(decoder, &field("framework"), framework_cell);
            header.framework_path = field("framework");
            framework_at = Some((framework_cell.to_owned(), path.clone()));
        }
        let vendor_cell = cell(columns.vendor);
        if !vendor_cell.is_empty() {
            if let Some((first, at)) = &vendor_at {
                if first != vendor_cell {
                    decoder.error(
                        field("vendor"),
                        format!(
                            "`{}` differs from `{}` on {at}: a file answers for one vendor",
                            lifeline_text::excerpt(vendor_cell),
                            lifeline_text::excerpt(first)
                        ),
                    );
                }
            } else {
                header.vendor = vendor_id(decoder, &field("vendor"), vendor_cell);
                vendor_at = Some((vendor_cell.to_owned(), path.clone()));
            }
        }
        let question_cell = cell(columns.question);
        let question = if question_cell.is_empty() {
            decoder.error(field("question"), "missing: every row names its question");
            None
        } else {
            decoder
                .identifier_ok(field("question"), question_cell)
                .then(|| question_cell.to_owned())
        };
        let answer = answer_text(decoder, &field("answer"), cell(columns.answer));
        let kind = cell(columns.evidence_kind);
        let issued = cell(columns.evidence_issued);
        let expires = cell(columns.evidence_expires);
        let reference = cell(columns.evidence_reference);
        let mut evidence = Vec::new();
        if [kind, issued, expires, reference]
            .iter()
            .any(|c| !c.is_empty())
        {
            let issued_date = (!issued.is_empty())
                .then(|| date_text(decoder, &field("evidence_issued"), issued))
                .flatten();
            let expires_date = (!expires.is_empty())
                .then(|| date_text(decoder, &field("evidence_expires"), expires))
                .flatten();
            if kind.is_empty() {
                decoder.error(
                    field("evidence_kind"),
                    "missing: evidence needs a kind (soc2-type2, iso27001, pen-test, attestation, ...)",
                );
            } else if decoder.identifier_ok(field("evidence_kind"), kind) {
                let piece = Evidence {
                    kind: kind.to_owned(),
                    issued: issued_date,
                    expires: expires_date,
                    reference: (!reference.is_empty()).then(|| reference.to_owned()),
                };
                evidence_dates(decoder, &field("evidence_expires"), &piece);
                evidence.push(piece);
            }
        }
        let mut details = Vec::new();
        for &(measure, index) in &columns.measures {
            let text = cell(Some(index));
            if !text.is_empty() {
                let measure_path = field(measure.key());
                if let Some(value) = measure_text(decoder, text, &measure_path, measure) {
                    details.push((measure, value, measure_path));
                }
            }
        }
        let comment = cell(columns.comment);
        if let Some(question) = &question {
            name_question(decoder, start, &path, question);
            for (_, _, detail_path) in &mut details {
                if let Some(rest) = detail_path.strip_prefix(&path) {
                    *detail_path = format!("{path} ({}){rest}", lifeline_text::excerpt(question));
                }
            }
        }
        rows.push(Row {
            path,
            question,
            answer,
            evidence,
            details,
            comment: (!comment.is_empty()).then(|| comment.to_owned()),
        });
    }
    if header.framework_path.is_empty() {
        header.framework_path = "column `framework`".to_owned();
    }
    (header, rows)
}

// ---------------------------------------------------------------- both

/// Checks the rows against the framework and builds the answers (and, for the controls
/// questionnaire, the controls). `None` when the framework is not known.
fn assemble(decoder: &mut Decoder, header: Header, rows: Vec<Row>) -> Option<Filled> {
    let Some(framework) = header.framework else {
        if !decoder.diagnostics.iter().any(Diagnostic::is_error) {
            decoder.error(
                header.framework_path,
                "missing required field: `csf2`, `hicp` or `controls`",
            );
        }
        return None;
    };
    let questionnaire_ids = framework.ids();
    let mut answers: Vec<Answer> = Vec::new();
    // Each question and the row that first names it, answered or not.
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut controls = Controls::default();
    for row in rows {
        let Some(question) = row.question else {
            continue;
        };
        let named = format!("{} ({})", row.path, lifeline_text::excerpt(&question));
        let question_path = format!("{named}.question");
        if !framework.knows(&question) {
            let mut diagnostic = Diagnostic::error(
                question_path,
                format!(
                    "`{}` is not a question of the {framework} questionnaire",
                    lifeline_text::excerpt(&question)
                ),
            );
            if let Some(other) = super::framework_of(&question) {
                diagnostic = diagnostic.with_hint(format!(
                    "`{}` is a question of the {other} questionnaire: one file answers one questionnaire",
                    lifeline_text::excerpt(&question)
                ));
            } else if let Some(near) =
                lifeline_text::suggest(&question, questionnaire_ids.iter().copied())
            {
                diagnostic = diagnostic.with_hint(format!("did you mean `{near}`?"));
            }
            decoder.diagnostics.push(diagnostic);
            continue;
        }
        if let Some((_, first)) = seen.iter().find(|(q, _)| *q == question) {
            decoder.error(
                question_path,
                format!(
                    "`{}` is answered twice: first on {first}",
                    lifeline_text::excerpt(&question)
                ),
            );
            continue;
        }
        seen.push((question.clone(), row.path.clone()));
        let Some(value) = row.answer else {
            if !row.evidence.is_empty() || row.comment.is_some() || !row.details.is_empty() {
                decoder.diagnostics.push(Diagnostic::warning(
                    format!("{named}.answer"),
                    "no answer: the question stays unanswered, its evidence, details and comment are ignored",
                ));
            }
            continue;
        };
        let control = (framework == Framework::Controls)
            .then(|| {
                super::questionnaire(Framework::Controls)
                    .question(&question)
                    .and_then(|q| q.control)
            })
            .flatten();
        // Details that this question does not ask for are noted and left out.
        let mut details = Vec::new();
        for (measure, measure_value, path) in row.details {
            if Some(measure.control()) == control {
                details.push((measure, measure_value, path));
            } else {
                decoder.diagnostics.push(Diagnostic::warning(
                    path,
                    format!(
                        "`{}` is a detail of the controls questionnaire's `ctl-{}` question, not of this one: ignored",
                        measure.key(),
                        measure.control().key().replace('_', "-")
                    ),
                ));
            }
        }
        if let Some(control) = control {
            let in_place = match value {
                AnswerValue::Yes => Some(true),
                AnswerValue::Partial | AnswerValue::No => Some(false),
                AnswerValue::Na => None,
            };
            match in_place {
                Some(in_place) => {
                    let mut attested = Control {
                        in_place,
                        evidence: row.evidence.clone(),
                        ..Control::default()
                    };
                    for (measure, measure_value, _) in details {
                        measure.set(&mut attested, measure_value);
                    }
                    controls.0.insert(control, attested);
                }
                None => {
                    for (_, _, path) in details {
                        decoder.diagnostics.push(Diagnostic::warning(
                            path,
                            "the answer is `na`: the control stays unknown and this detail is ignored",
                        ));
                    }
                }
            }
        }
        answers.push(Answer {
            question,
            answer: value,
            evidence: row.evidence,
            comment: row.comment,
        });
    }
    if answers.is_empty() && !decoder.diagnostics.iter().any(Diagnostic::is_error) {
        decoder
            .diagnostics
            .push(Diagnostic::warning("", "no question is answered"));
    }
    Some(Filled {
        vendor: header.vendor,
        framework,
        answers,
        controls,
        warnings: Vec::new(),
    })
}
