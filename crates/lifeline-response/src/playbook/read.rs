//! Reading lifeline's playbook form (`lifeline-playbook/1`, YAML or JSON) and writing it
//! back.
//!
//! The document is decoded with the network's [`Decoder`], so a playbook gets the
//! network's read limits, duplicate-key errors, unknown-field warnings and diagnostics
//! named by their path (`steps[3].due`). Decoding never stops at the first problem: a
//! field of the wrong type is reported and treated as absent. The decoder checks presence,
//! types and the authoring syntax; [`super::validate::validate`] then checks what the
//! playbook means (ids, references, cycles, placeholders), at the same paths.
//!
//! Authoring syntax, besides the structured forms of the types:
//! - `due: "declared + 2h"`, `"first-stockout - 1d"`, `"recovery"`: an anchor
//!   ([`Anchor::as_str`]), then optionally `+` or `-` and a number of hours (`h`) or days
//!   (`d`); also `{anchor: tts, offset_hours: -12}`.
//! - `when: "first_stockout_day < 3"`, `"critical first_stockout_day < 3"`: an optional
//!   `critical` (only the playbook's critical items), a metric ([`Metric::as_str`]), an
//!   operator (`<`, `<=`, `>`, `>=`) and a number; also
//!   `{metric: gap, op: "<", value: 0, critical_only: true}`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use lifeline_network::{
    Decoder, Diagnostic, Diagnostics, Fields, Format, LoadError, MAX_DAYS, Range, Raw, ReadLimits,
    parse_document,
};
use lifeline_text::Excerpt;

use super::{
    Action, Anchor, Condition, Due, FORMAT, Function, IncidentKind, Message, Metric, Op, Playbook,
    Source, Step, Trigger,
};

/// The largest deadline offset, in hours (either sign): the network's longest time.
pub const MAX_OFFSET_HOURS: f64 = MAX_DAYS * 24.0;

/// The largest magnitude of a condition's value (units unmet over a long simulation can be
/// large; anything beyond this is a typo).
pub const MAX_CONDITION_VALUE: f64 = 1e15;

/// A playbook that decoded and validated, with its warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedPlaybook {
    pub playbook: Playbook,
    pub warnings: Vec<Diagnostic>,
}

/// Why a playbook could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PlaybookError {
    /// Unreadable, not JSON/YAML, or over a read limit.
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("`{}` is not a valid playbook ({} error(s)):\n{diagnostics}", path.display(), diagnostics.error_count())]
    Invalid {
        path: PathBuf,
        diagnostics: Diagnostics,
    },
}

/// Parses and validates playbook text; `origin` names it in errors.
pub fn from_str(
    text: &str,
    format: Format,
    origin: &Path,
) -> Result<LoadedPlaybook, PlaybookError> {
    let raw = parse_document(text, format, origin, &ReadLimits::default())?;
    from_raw(&raw).map_err(|diagnostics| PlaybookError::Invalid {
        path: origin.to_owned(),
        diagnostics,
    })
}

/// Decodes and validates a parsed playbook: every problem at its path, errors and
/// warnings together when there is an error.
pub fn from_raw(raw: &Raw) -> Result<LoadedPlaybook, Diagnostics> {
    let mut reader = Reader::default();
    let playbook = reader.playbook(raw);
    let mut diagnostics = reader.decoder.diagnostics;
    // The checks of meaning need every step at its position, so that their paths name the
    // right one; a step that could not be decoded has been reported already.
    if let Some(playbook) = &playbook {
        diagnostics.extend(super::validate::validate(playbook));
    }
    match playbook {
        Some(playbook) if !diagnostics.iter().any(Diagnostic::is_error) => Ok(LoadedPlaybook {
            playbook,
            warnings: diagnostics,
        }),
        _ => Err(Diagnostics(diagnostics)),
    }
}

#[derive(Default)]
struct Reader {
    decoder: Decoder,
}

impl Reader {
    /// The document; `None` when a required part could not be decoded (reported).
    fn playbook(&mut self, raw: &Raw) -> Option<Playbook> {
        let mut fields = self.decoder.object(raw, "")?;
        match fields.get("format") {
            None => self.decoder.diagnostics.push(
                Diagnostic::warning("format", format!("missing; read as `{FORMAT}`"))
                    .with_hint(format!("add `format: {FORMAT}`")),
            ),
            Some(Raw::String(f)) if f == FORMAT => {}
            Some(other) => self.decoder.diagnostics.push(
                Diagnostic::error(
                    "format",
                    format!("unsupported format {}, expected `{FORMAT}`", other.describe()),
                )
                .with_hint("a CACAO playbook is JSON with `spec_version`: `lifeline playbook validate` reads both"),
            ),
        }
        let id = self.required_string(&mut fields, "id");
        let name = self.required_string(&mut fields, "name");
        let description = self.decoder.string(&mut fields, "description");
        let sources = self.sources(&mut fields);
        let trigger = match fields.get("trigger") {
            None => {
                self.decoder.diagnostics.push(
                    Diagnostic::warning("trigger", "missing: the playbook matches every incident")
                        .with_hint("name the incidents or entity kinds it is for, or choose it with `--playbook`"),
                );
                Some(Trigger::default())
            }
            Some(raw) => self.trigger(raw),
        };
        let critical_value = self
            .decoder
            .number(&mut fields, "critical_value", Range::Value);
        let steps = self.steps(&mut fields);
        self.decoder.finish(fields);
        Some(Playbook {
            id: id?,
            name: name?,
            description: description.unwrap_or_default(),
            sources,
            trigger: trigger?,
            critical_value,
            steps: steps?,
        })
    }

    /// A string that must be present (blank ones are left to the validation).
    fn required_string(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<String> {
        if fields.get(key).is_none() {
            self.decoder
                .error(fields.path(key), "missing required field");
            return None;
        }
        self.decoder.string(fields, key)
    }

    fn sources(&mut self, fields: &mut Fields<'_>) -> Vec<Source> {
        let list_path = fields.path("sources");
        let items = self.decoder.list(fields, "sources");
        let mut sources = Vec::new();
        for (i, raw) in items.iter().enumerate() {
            let path = format!("{list_path}[{i}]");
            let Some(mut fields) = self.decoder.object(raw, &path) else {
                continue;
            };
            let title = self.required_string(&mut fields, "title");
            let url = self.decoder.string(&mut fields, "url");
            self.decoder.finish(fields);
            if let Some(title) = title {
                sources.push(Source { title, url });
            }
        }
        sources
    }

    fn trigger(&mut self, raw: &Raw) -> Option<Trigger> {
        let mut fields = self.decoder.object(raw, "trigger")?;
        let list_path = fields.path("incidents");
        let mut incidents = Vec::new();
        for (i, raw) in self
            .decoder
            .list(&mut fields, "incidents")
            .iter()
            .enumerate()
        {
            let path = format!("{list_path}[{i}]");
            let names = IncidentKind::ALL.map(IncidentKind::as_str);
            if let Some(kind) = self.name_at(raw, &path, "an incident kind", &names) {
                incidents.extend(IncidentKind::parse(kind));
            }
        }
        let entity_kinds = self.strings(&mut fields, "entity_kinds");
        let vendors = self.strings(&mut fields, "vendors");
        let min_item_value = self
            .decoder
            .number(&mut fields, "min_item_value", Range::Value);
        self.decoder.finish(fields);
        Some(Trigger {
            incidents,
            entity_kinds,
            vendors,
            min_item_value,
        })
    }

    /// A list of strings; an item of another type is reported and left out.
    fn strings(&mut self, fields: &mut Fields<'_>, key: &str) -> Vec<String> {
        let list_path = fields.path(key);
        let mut out = Vec::new();
        for (i, raw) in self.decoder.list(fields, key).iter().enumerate() {
            match raw {
                Raw::String(s) => out.push(s.clone()),
                other => self.decoder.error(
                    format!("{list_path}[{i}]"),
                    format!("expected a string, found {}", other.describe()),
                ),
            }
        }
        out
    }

    /// A string that must be one of `names`; an unknown one is reported with a
    /// did-you-mean and the list.
    fn name_at<'n>(
        &mut self,
        raw: &Raw,
        path: &str,
        what: &str,
        names: &[&'n str],
    ) -> Option<&'n str> {
        let Raw::String(text) = raw else {
            self.decoder
                .error(path, format!("expected {what}, found {}", raw.describe()));
            return None;
        };
        if let Some(known) = names.iter().find(|n| **n == text) {
            return Some(known);
        }
        self.decoder
            .diagnostics
            .push(unknown_name(path, what, text, names));
        None
    }

    fn steps(&mut self, fields: &mut Fields<'_>) -> Option<Vec<Step>> {
        let list_path = fields.path("steps");
        let items = match fields.get("steps") {
            None => {
                self.decoder.error(list_path, "missing required field");
                return None;
            }
            Some(Raw::List(items)) => items,
            Some(other) => {
                self.decoder.error(
                    list_path,
                    format!("expected a list of steps, found {}", other.describe()),
                );
                return None;
            }
        };
        let mut steps = Some(Vec::with_capacity(items.len()));
        for (i, raw) in items.iter().enumerate() {
            let step = self.step(raw, &format!("{list_path}[{i}]"));
            steps = match (steps, step) {
                (Some(mut steps), Some(step)) => {
                    steps.push(step);
                    Some(steps)
                }
                _ => None,
            };
        }
        steps
    }

    fn step(&mut self, raw: &Raw, path: &str) -> Option<Step> {
        let mut fields = self.decoder.object(raw, path)?;
        let id = self.required_string(&mut fields, "id");
        let title = self.required_string(&mut fields, "title");
        let function = match fields.get("function") {
            None => {
                self.decoder
                    .error(fields.path("function"), "missing required field");
                None
            }
            Some(raw) => {
                let names = Function::ALL.map(Function::as_str);
                self.name_at(raw, &fields.path("function"), "a function", &names)
                    .and_then(Function::parse)
            }
        };
        let description = self.decoder.string(&mut fields, "description");
        let owner = self.decoder.string(&mut fields, "owner");
        let after = self.strings(&mut fields, "after");
        let due = fields
            .get("due")
            .and_then(|raw| self.due(raw, &format!("{path}.due")));
        let when = fields
            .get("when")
            .and_then(|raw| self.condition(raw, &format!("{path}.when")));
        let approval = self.decoder.string(&mut fields, "approval");
        let message = fields
            .get("message")
            .and_then(|raw| self.message(raw, &format!("{path}.message")));
        let action = fields.get("action").and_then(|raw| {
            let names =
                [Action::Stress, Action::Simulate, Action::NotifyPartners].map(Action::as_str);
            self.name_at(raw, &format!("{path}.action"), "an action", &names)
                .and_then(parse_action)
        });
        self.decoder.finish(fields);
        Some(Step {
            id: id?,
            title: title?,
            function: function?,
            description: description.unwrap_or_default(),
            owner,
            after,
            due,
            when,
            approval,
            message,
            action,
        })
    }

    fn due(&mut self, raw: &Raw, path: &str) -> Option<Due> {
        match raw {
            Raw::String(text) => match parse_due(text) {
                Ok(due) => Some(due),
                Err(problem) => {
                    self.decoder.diagnostics.push(problem.at(path, text));
                    None
                }
            },
            Raw::Map(_) => {
                let mut fields = self.decoder.object(raw, path)?;
                let anchor = match fields.get("anchor") {
                    None => {
                        self.decoder
                            .error(fields.path("anchor"), "missing required field");
                        None
                    }
                    Some(raw) => {
                        let names = Anchor::ALL.map(Anchor::as_str);
                        self.name_at(raw, &fields.path("anchor"), "an anchor", &names)
                            .and_then(Anchor::parse)
                    }
                };
                let offset = match fields.get("offset_hours") {
                    None => Some(0.0),
                    Some(raw) => self.offset_at(raw, &fields.path("offset_hours")),
                };
                self.decoder.finish(fields);
                Some(Due {
                    anchor: anchor?,
                    offset_hours: offset?,
                })
            }
            other => {
                self.decoder.diagnostics.push(
                    Diagnostic::error(
                        path,
                        format!("expected a deadline, found {}", other.describe()),
                    )
                    .with_hint(DUE_HINT),
                );
                None
            }
        }
    }

    /// A signed number of hours within [`MAX_OFFSET_HOURS`].
    fn offset_at(&mut self, raw: &Raw, path: &str) -> Option<f64> {
        let Raw::Number(x) = raw else {
            self.decoder.error(
                path,
                format!("expected a number of hours, found {}", raw.describe()),
            );
            return None;
        };
        if !x.is_finite() || x.abs() > MAX_OFFSET_HOURS {
            self.decoder.error(
                path,
                format!(
                    "must be a number of hours from -{MAX_OFFSET_HOURS} to {MAX_OFFSET_HOURS}, found `{}`",
                    number(*x)
                ),
            );
            return None;
        }
        Some(*x)
    }

    fn condition(&mut self, raw: &Raw, path: &str) -> Option<Condition> {
        match raw {
            Raw::String(text) => match parse_condition(text) {
                Ok(condition) => Some(condition),
                Err(problem) => {
                    self.decoder.diagnostics.push(problem.at(path, text));
                    None
                }
            },
            Raw::Map(_) => {
                let mut fields = self.decoder.object(raw, path)?;
                let metric = match fields.get("metric") {
                    None => {
                        self.decoder
                            .error(fields.path("metric"), "missing required field");
                        None
                    }
                    Some(raw) => {
                        let names = Metric::ALL.map(Metric::as_str);
                        self.name_at(raw, &fields.path("metric"), "a metric", &names)
                            .and_then(Metric::parse)
                    }
                };
                let op = match fields.get("op") {
                    None => {
                        self.decoder
                            .error(fields.path("op"), "missing required field");
                        None
                    }
                    Some(raw) => {
                        let names = OPS.map(Op::as_str);
                        self.name_at(raw, &fields.path("op"), "an operator", &names)
                            .and_then(Op::parse)
                    }
                };
                let value = match fields.get("value") {
                    None => {
                        self.decoder
                            .error(fields.path("value"), "missing required field");
                        None
                    }
                    Some(raw) => self.condition_value_at(raw, &fields.path("value")),
                };
                let critical_only = match fields.get("critical_only") {
                    None => Some(false),
                    Some(Raw::Bool(b)) => Some(*b),
                    Some(other) => {
                        self.decoder.error(
                            fields.path("critical_only"),
                            format!("expected `true` or `false`, found {}", other.describe()),
                        );
                        None
                    }
                };
                self.decoder.finish(fields);
                Some(Condition {
                    metric: metric?,
                    op: op?,
                    value: value?,
                    critical_only: critical_only?,
                })
            }
            other => {
                self.decoder.diagnostics.push(
                    Diagnostic::error(
                        path,
                        format!("expected a condition, found {}", other.describe()),
                    )
                    .with_hint(WHEN_HINT),
                );
                None
            }
        }
    }

    fn condition_value_at(&mut self, raw: &Raw, path: &str) -> Option<f64> {
        let Raw::Number(x) = raw else {
            self.decoder
                .error(path, format!("expected a number, found {}", raw.describe()));
            return None;
        };
        if !x.is_finite() || x.abs() > MAX_CONDITION_VALUE {
            self.decoder.error(
                path,
                format!(
                    "must be a finite number of at most {MAX_CONDITION_VALUE:e} either way, found `{}`",
                    number(*x)
                ),
            );
            return None;
        }
        Some(*x)
    }

    fn message(&mut self, raw: &Raw, path: &str) -> Option<Message> {
        let mut fields = self.decoder.object(raw, path)?;
        let audience = self.required_string(&mut fields, "audience");
        let subject = self.required_string(&mut fields, "subject");
        let body = self.required_string(&mut fields, "body");
        self.decoder.finish(fields);
        Some(Message {
            audience: audience?,
            subject: subject?,
            body: body?,
        })
    }
}

const OPS: [Op; 4] = [Op::Lt, Op::Le, Op::Gt, Op::Ge];

const DUE_HINT: &str = "write an anchor and an optional offset in hours or days: `declared + 2h`, `first-stockout - 1d`, `recovery`; anchors: declared, first-stockout, first-critical-stockout, tts, recovery";

const WHEN_HINT: &str = "write `[critical] METRIC OP NUMBER`: `first_stockout_day < 3`, `critical days_of_supply <= 2`; metrics: first_stockout_day, days_of_supply, tts, gap, expected_ttr, nodes_short, unmet_units";

fn parse_action(text: &str) -> Option<Action> {
    [Action::Stress, Action::Simulate, Action::NotifyPartners]
        .into_iter()
        .find(|a| a.as_str() == text)
}

fn unknown_name(path: &str, what: &str, text: &str, names: &[&str]) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        path,
        format!(
            "`{}` is not {what}: expected one of {}",
            Excerpt(text),
            names.join(", ")
        ),
    );
    match lifeline_text::suggest(text, names.iter().copied()) {
        Some(near) => diagnostic.with_hint(format!("did you mean `{near}`?")),
        None => diagnostic,
    }
}

/// What is wrong with a `due` or `when` string.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxProblem {
    pub message: String,
    pub hint: String,
}

impl SyntaxProblem {
    fn at(self, path: &str, text: &str) -> Diagnostic {
        Diagnostic::error(path, format!("`{}`: {}", Excerpt(text), self.message))
            .with_hint(self.hint)
    }
}

fn due_problem(message: impl Into<String>) -> SyntaxProblem {
    SyntaxProblem {
        message: message.into(),
        hint: DUE_HINT.to_owned(),
    }
}

fn when_problem(message: impl Into<String>) -> SyntaxProblem {
    SyntaxProblem {
        message: message.into(),
        hint: WHEN_HINT.to_owned(),
    }
}

/// Parses the authoring form of a deadline: `declared + 2h`, `first-stockout - 1d`,
/// `recovery`, `tts-12h` (spaces optional around the sign).
pub fn parse_due(text: &str) -> Result<Due, SyntaxProblem> {
    let trimmed = text.trim();
    // The anchor names hold hyphens, so the sign is a `+` or `-` followed (after optional
    // spaces) by a digit or a point, or a sign with a space before it.
    let split = trimmed.char_indices().find(|&(i, c)| {
        (c == '+' || c == '-')
            && (trimmed[..i].ends_with(' ')
                || trimmed[i + 1..]
                    .trim_start()
                    .starts_with(|d: char| d.is_ascii_digit() || d == '.'))
    });
    let (anchor_text, offset) = match split {
        Some((i, sign)) => (
            trimmed[..i].trim_end(),
            Some((sign, trimmed[i + 1..].trim())),
        ),
        None => (trimmed, None),
    };
    let anchor = Anchor::parse(anchor_text).ok_or_else(|| {
        let names = Anchor::ALL.map(Anchor::as_str);
        let mut message = if anchor_text.is_empty() {
            "no anchor".to_owned()
        } else {
            format!("`{}` is not an anchor", Excerpt(anchor_text))
        };
        if let Some(near) = lifeline_text::suggest(anchor_text, names) {
            let _ = write!(message, " (did you mean `{near}`?)");
        }
        due_problem(message)
    })?;
    let Some((sign, amount)) = offset else {
        return Ok(Due {
            anchor,
            offset_hours: 0.0,
        });
    };
    let (number, unit) = match amount.char_indices().last() {
        Some((i, unit @ ('h' | 'd'))) => (amount[..i].trim_end(), unit),
        _ => {
            return Err(due_problem(
                "the offset needs a unit: `h` (hours) or `d` (days), as in `+ 2h` or `- 1d`",
            ));
        }
    };
    let value = number
        .parse::<f64>()
        .ok()
        .filter(|v| {
            v.is_finite()
                && *v >= 0.0
                && number.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        })
        .ok_or_else(|| {
            due_problem(format!(
                "`{}` is not a number of {}",
                Excerpt(number),
                if unit == 'h' { "hours" } else { "days" }
            ))
        })?;
    let hours = if unit == 'd' { value * 24.0 } else { value };
    if hours > MAX_OFFSET_HOURS {
        return Err(due_problem(format!(
            "the offset is over the limit of {MAX_OFFSET_HOURS} hours"
        )));
    }
    Ok(Due {
        anchor,
        offset_hours: if sign == '-' { -hours } else { hours },
    })
}

/// Parses the authoring form of a condition: `first_stockout_day < 3`,
/// `critical days_of_supply <= 2`.
pub fn parse_condition(text: &str) -> Result<Condition, SyntaxProblem> {
    let mut words = text.split_whitespace().collect::<Vec<_>>();
    let critical_only = words.first() == Some(&"critical");
    if critical_only {
        words.remove(0);
    }
    // `metric<3` is accepted too: split the operator off its neighbours.
    let joined = words.join(" ");
    let op_at = joined.find(['<', '>']);
    let Some(op_at) = op_at else {
        return Err(when_problem("no operator: expected `<`, `<=`, `>` or `>=`"));
    };
    let metric_text = joined[..op_at].trim();
    let rest = &joined[op_at..];
    let op_len = if rest[1..].starts_with('=') { 2 } else { 1 };
    let op = Op::parse(&rest[..op_len])
        .ok_or_else(|| when_problem("no operator: expected `<`, `<=`, `>` or `>=`"))?;
    let value_text = rest[op_len..].trim();
    let metric = Metric::parse(metric_text).ok_or_else(|| {
        let names = Metric::ALL.map(Metric::as_str);
        let mut message = if metric_text.is_empty() {
            "no metric".to_owned()
        } else {
            format!("`{}` is not a metric", Excerpt(metric_text))
        };
        if let Some(near) = lifeline_text::suggest(metric_text, names) {
            let _ = write!(message, " (did you mean `{near}`?)");
        }
        when_problem(message)
    })?;
    let value = value_text
        .parse::<f64>()
        .ok()
        .filter(|v| {
            v.is_finite()
                && v.abs() <= MAX_CONDITION_VALUE
                && value_text
                    .starts_with(|c: char| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
        })
        .ok_or_else(|| {
            when_problem(if value_text.is_empty() {
                "no number after the operator".to_owned()
            } else {
                format!(
                    "`{}` is not a finite number of at most {MAX_CONDITION_VALUE:e} either way",
                    Excerpt(value_text)
                )
            })
        })?;
    Ok(Condition {
        metric,
        op,
        value,
        critical_only,
    })
}

/// The authoring form of a deadline, as [`parse_due`] reads it: whole days in `d`, other
/// offsets in hours.
pub fn due_text(due: &Due) -> String {
    let hours = due.offset_hours;
    if hours == 0.0 {
        return due.anchor.as_str().to_owned();
    }
    let sign = if hours < 0.0 { '-' } else { '+' };
    let magnitude = hours.abs();
    let days = magnitude / 24.0;
    if days.fract() == 0.0 && days * 24.0 == magnitude {
        format!("{} {sign} {}d", due.anchor.as_str(), number(days))
    } else {
        format!("{} {sign} {}h", due.anchor.as_str(), number(magnitude))
    }
}

/// The authoring form of a condition, as [`parse_condition`] reads it.
pub fn condition_text(condition: &Condition) -> String {
    format!(
        "{}{} {} {}",
        if condition.critical_only {
            "critical "
        } else {
            ""
        },
        condition.metric.as_str(),
        condition.op.as_str(),
        number(condition.value)
    )
}

/// A number as Rust writes it (the shortest text that reads back to the same value),
/// `.nan`/`.inf` for what YAML has names for (never read back: such values are refused).
fn number(x: f64) -> String {
    if x.is_nan() {
        ".nan".to_owned()
    } else if x.is_infinite() {
        if x > 0.0 { ".inf" } else { "-.inf" }.to_owned()
    } else {
        format!("{x}")
    }
}

/// `text` as a YAML double-quoted scalar: `"`, `\` and every character that is not
/// printable in YAML, or that changes how text reads ([`lifeline_text::is_unsafe`]),
/// escaped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if lifeline_text::is_unsafe(c) || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                let code = u32::from(c);
                if code <= 0xFFFF {
                    let _ = write!(out, "\\u{code:04X}");
                } else {
                    let _ = write!(out, "\\U{code:08X}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An id as a plain YAML scalar when it is one ([`super::validate::is_id`]) that no YAML
/// reader takes for a number, a boolean or null; else double-quoted.
fn id_scalar(id: &str) -> String {
    const WORDS: [&str; 12] = [
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf", "infinity",
    ];
    if super::validate::is_id(id)
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && !WORDS.contains(&id)
    {
        id.to_owned()
    } else {
        quoted(id)
    }
}

/// Writes a playbook in the authoring form (`lifeline-playbook/1` YAML): deadlines and
/// conditions as strings, free text double-quoted. [`from_str`] reads it back to an equal
/// playbook.
pub fn to_yaml(playbook: &Playbook) -> String {
    let mut out = String::new();
    let line = |out: &mut String, indent: usize, text: &str| {
        out.extend(std::iter::repeat_n(' ', indent));
        out.push_str(text);
        out.push('\n');
    };
    line(&mut out, 0, &format!("format: {FORMAT}"));
    line(&mut out, 0, &format!("id: {}", id_scalar(&playbook.id)));
    line(&mut out, 0, &format!("name: {}", quoted(&playbook.name)));
    if !playbook.description.is_empty() {
        line(
            &mut out,
            0,
            &format!("description: {}", quoted(&playbook.description)),
        );
    }
    if !playbook.sources.is_empty() {
        line(&mut out, 0, "sources:");
        for source in &playbook.sources {
            line(&mut out, 2, &format!("- title: {}", quoted(&source.title)));
            if let Some(url) = &source.url {
                line(&mut out, 4, &format!("url: {}", quoted(url)));
            }
        }
    }
    let trigger = &playbook.trigger;
    if *trigger == Trigger::default() {
        line(&mut out, 0, "trigger: {}");
    } else {
        line(&mut out, 0, "trigger:");
        let list = |out: &mut String, key: &str, items: Vec<String>| {
            if !items.is_empty() {
                line(out, 2, &format!("{key}: [{}]", items.join(", ")));
            }
        };
        list(
            &mut out,
            "incidents",
            trigger
                .incidents
                .iter()
                .map(|k| k.as_str().to_owned())
                .collect(),
        );
        list(
            &mut out,
            "entity_kinds",
            trigger.entity_kinds.iter().map(|k| quoted(k)).collect(),
        );
        list(
            &mut out,
            "vendors",
            trigger.vendors.iter().map(|v| id_scalar(v)).collect(),
        );
        if let Some(value) = trigger.min_item_value {
            line(&mut out, 2, &format!("min_item_value: {}", number(value)));
        }
    }
    if let Some(value) = playbook.critical_value {
        line(&mut out, 0, &format!("critical_value: {}", number(value)));
    }
    if playbook.steps.is_empty() {
        line(&mut out, 0, "steps: []");
    } else {
        line(&mut out, 0, "steps:");
    }
    for step in &playbook.steps {
        line(&mut out, 2, &format!("- id: {}", id_scalar(&step.id)));
        line(&mut out, 4, &format!("title: {}", quoted(&step.title)));
        line(
            &mut out,
            4,
            &format!("function: {}", step.function.as_str()),
        );
        if !step.description.is_empty() {
            line(
                &mut out,
                4,
                &format!("description: {}", quoted(&step.description)),
            );
        }
        if let Some(owner) = &step.owner {
            line(&mut out, 4, &format!("owner: {}", quoted(owner)));
        }
        if !step.after.is_empty() {
            let after: Vec<String> = step.after.iter().map(|a| id_scalar(a)).collect();
            line(&mut out, 4, &format!("after: [{}]", after.join(", ")));
        }
        if let Some(due) = &step.due {
            line(&mut out, 4, &format!("due: {}", quoted(&due_text(due))));
        }
        if let Some(when) = &step.when {
            line(
                &mut out,
                4,
                &format!("when: {}", quoted(&condition_text(when))),
            );
        }
        if let Some(approval) = &step.approval {
            line(&mut out, 4, &format!("approval: {}", quoted(approval)));
        }
        if let Some(message) = &step.message {
            line(&mut out, 4, "message:");
            line(
                &mut out,
                6,
                &format!("audience: {}", quoted(&message.audience)),
            );
            line(
                &mut out,
                6,
                &format!("subject: {}", quoted(&message.subject)),
            );
            line(&mut out, 6, &format!("body: {}", quoted(&message.body)));
        }
        if let Some(action) = step.action {
            line(&mut out, 4, &format!("action: {}", action.as_str()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_strings() {
        let due = |t| parse_due(t).map(|d| (d.anchor, d.offset_hours));
        assert_eq!(due("declared + 2h"), Ok((Anchor::Declared, 2.0)));
        assert_eq!(
            due("first-stockout - 1d"),
            Ok((Anchor::FirstStockout, -24.0))
        );
        assert_eq!(due("recovery"), Ok((Anchor::Recovery, 0.0)));
        assert_eq!(due("tts-12h"), Ok((Anchor::Tts, -12.0)));
        assert_eq!(
            due(" first-critical-stockout -1.5d "),
            Ok((Anchor::FirstCriticalStockout, -36.0))
        );
        assert!(due("declared + 2").is_err());
        assert!(due("declared + xh").is_err());
        assert!(due("declared + infh").is_err());
        assert!(due("declared + -2h").is_err());
        let problem = parse_due("first-stockot - 1d").unwrap_err();
        assert!(
            problem.message.contains("did you mean `first-stockout`"),
            "{problem:?}"
        );
        assert!(due("").is_err());
    }

    #[test]
    fn condition_strings() {
        let c = parse_condition("critical first_stockout_day < 3").unwrap();
        assert_eq!(
            (c.metric, c.op, c.value, c.critical_only),
            (Metric::FirstStockoutDay, Op::Lt, 3.0, true)
        );
        let c = parse_condition("gap<=-2.5").unwrap();
        assert_eq!((c.metric, c.op, c.value), (Metric::Gap, Op::Le, -2.5));
        assert!(parse_condition("gap = 2").is_err());
        assert!(parse_condition("gap < NaN").is_err());
        assert!(parse_condition("gap < inf").is_err());
        assert!(parse_condition("gap <").is_err());
        let problem = parse_condition("days_of_suply < 2").unwrap_err();
        assert!(
            problem.message.contains("did you mean `days_of_supply`"),
            "{problem:?}"
        );
    }

    #[test]
    fn texts_read_back() {
        for text in [
            "declared + 2h",
            "first-stockout - 1d",
            "recovery",
            "tts - 1.5h",
            "declared + 36h",
        ] {
            assert_eq!(due_text(&parse_due(text).unwrap()), text);
        }
        for text in [
            "critical first_stockout_day < 3",
            "gap <= -0.5",
            "nodes_short >= 1",
        ] {
            assert_eq!(condition_text(&parse_condition(text).unwrap()), text);
        }
        assert_eq!(
            quoted("a\"b\\c\nd\u{1b}\u{202e}"),
            "\"a\\\"b\\\\c\\nd\\u001B\\u202E\""
        );
    }
}
