//! Reading an exercise document (`lifeline-exercise/1`, YAML or JSON) and a run record.
//!
//! The exercise is decoded with the network's [`Decoder`], as lifeline-risk's vendor
//! register is: the network's read limits, duplicate keys refused, unknown fields warned
//! about, and every problem named by its path (`injects[2].at`,
//! `objectives[0].actions[1].after`). Decoding does not stop at the first problem.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use lifeline_network::{
    Decoder, Diagnostic, Diagnostics, Fields, Format, LoadError, Range, Raw, ReadLimits,
    ValidatedNetwork, parse_document,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::model::{
    Change, Exercise, ExerciseTime, ExpectedAction, FORMAT, Inject, Objective, RUN_FORMAT, Run,
    ScenarioSpec,
};
use crate::playbook::{IncidentKind, Source};

/// Days to the end date of improvement plan rows when the exercise does not say.
pub const DEFAULT_IMPROVEMENT_DAYS: u32 = 90;

/// An exercise that validated, with its warnings.
#[derive(Debug, Clone)]
pub struct LoadedExercise {
    pub exercise: Exercise,
    pub warnings: Vec<Diagnostic>,
}

/// Why an exercise could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ExerciseError {
    /// Unreadable, not JSON/YAML, or over a read limit.
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("`{}` is not a valid exercise ({} error(s)):\n{diagnostics}", path.display(), diagnostics.error_count())]
    Invalid {
        path: PathBuf,
        diagnostics: Diagnostics,
    },
}

/// Why a run record could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("`{}` is not a run record: {message}", path.display())]
    Syntax { path: PathBuf, message: String },
    #[error("`{}`: format {found}, expected `{RUN_FORMAT}`", path.display())]
    Format { path: PathBuf, found: String },
    #[error("`{}`: the exercise it records is not valid ({} error(s)):\n{diagnostics}", path.display(), diagnostics.error_count())]
    Exercise {
        path: PathBuf,
        diagnostics: Diagnostics,
    },
    #[error("`{}`: {field}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        field: String,
        message: String,
    },
}

/// Parses and validates exercise text; `origin` names it in errors.
pub fn from_str(
    text: &str,
    format: Format,
    origin: &Path,
) -> Result<LoadedExercise, ExerciseError> {
    let raw = parse_document(text, format, origin, &ReadLimits::default())?;
    from_raw(&raw).map_err(|diagnostics| ExerciseError::Invalid {
        path: origin.to_owned(),
        diagnostics,
    })
}

/// Decodes and validates a parsed exercise.
pub fn from_raw(raw: &Raw) -> Result<LoadedExercise, Diagnostics> {
    let mut reader = Reader::default();
    let exercise = reader.exercise(raw);
    let diagnostics = reader.decoder.diagnostics;
    match exercise {
        Some(exercise) if !diagnostics.iter().any(Diagnostic::is_error) => Ok(LoadedExercise {
            exercise,
            warnings: diagnostics,
        }),
        _ => Err(Diagnostics(diagnostics)),
    }
}

/// Checks the exercise's entities against the network it runs on: every id in
/// `scenario.entities` and `injects[i].change.add_entities` must name a node, site or
/// platform (errors, with a did-you-mean).
pub fn check_network(exercise: &Exercise, network: &ValidatedNetwork) -> Vec<Diagnostic> {
    let net = network.network();
    let known: Vec<&str> = net
        .nodes
        .iter()
        .map(|n| n.id.as_str())
        .chain(net.sites.iter().map(|s| s.id.as_str()))
        .chain(net.platforms.iter().map(|p| p.id.as_str()))
        .collect();
    let mut out = Vec::new();
    let mut check = |path: String, id: &str| {
        if network.lookup(id).is_none() {
            let mut d = Diagnostic::error(
                path,
                format!(
                    "`{}` is no node, site or platform of the network `{}`",
                    lifeline_text::excerpt(id),
                    lifeline_text::excerpt(&net.name)
                ),
            );
            if let Some(s) = lifeline_text::suggest(id, known.iter().copied()) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            }
            out.push(d);
        }
    };
    for (i, id) in exercise.scenario.entities.iter().enumerate() {
        check(format!("scenario.entities[{i}]"), id);
    }
    for (i, inject) in exercise.injects.iter().enumerate() {
        if let Some(change) = &inject.change {
            for (j, id) in change.add_entities.iter().enumerate() {
                check(format!("injects[{i}].change.add_entities[{j}]"), id);
            }
        }
    }
    out
}

/// Reads a run record (JSON, as `lifeline exercise run --record` writes it): the format,
/// the exercise it embeds (validated again, as if read from its file), and decisions and
/// injects that name what the exercise has.
pub fn run_from_str(text: &str, origin: &Path) -> Result<Run, RunError> {
    let limits = ReadLimits::default();
    if text.len() as u64 > limits.file_bytes {
        return Err(RunError::Syntax {
            path: origin.to_owned(),
            message: format!(
                "{} bytes, more than the {} a document may have",
                text.len(),
                limits.file_bytes
            ),
        });
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| RunError::Syntax {
        path: origin.to_owned(),
        message: lifeline_text::excerpt_to(&e.to_string(), 300).into_owned(),
    })?;
    match value.get("format").and_then(serde_json::Value::as_str) {
        Some(RUN_FORMAT) => {}
        other => {
            return Err(RunError::Format {
                path: origin.to_owned(),
                found: other.map_or_else(
                    || "missing".to_owned(),
                    |f| format!("`{}`", lifeline_text::excerpt(f)),
                ),
            });
        }
    }
    // The embedded exercise goes through the same checks as a file.
    let exercise_text = value
        .get("exercise")
        .map(serde_json::Value::to_string)
        .ok_or_else(|| RunError::Invalid {
            path: origin.to_owned(),
            field: "exercise".to_owned(),
            message: "missing required field".to_owned(),
        })?;
    let exercise = match from_str(&exercise_text, Format::Json, origin) {
        Ok(loaded) => loaded.exercise,
        Err(ExerciseError::Invalid { diagnostics, .. }) => {
            return Err(RunError::Exercise {
                path: origin.to_owned(),
                diagnostics,
            });
        }
        Err(ExerciseError::Load(e)) => {
            return Err(RunError::Syntax {
                path: origin.to_owned(),
                message: e.to_string(),
            });
        }
    };
    // A field of the wrong type is named at its path (`decisions[0].at`).
    let mut run: Run = serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        let message = lifeline_text::excerpt_to(&e.inner().to_string(), 300).into_owned();
        if field == "." {
            RunError::Syntax {
                path: origin.to_owned(),
                message,
            }
        } else {
            RunError::Invalid {
                path: origin.to_owned(),
                field,
                message,
            }
        }
    })?;
    run.exercise = exercise;
    let invalid = |field: String, message: String| RunError::Invalid {
        path: origin.to_owned(),
        field,
        message,
    };
    if !(run.speed.is_finite() && run.speed > 0.0) {
        return Err(invalid(
            "speed".to_owned(),
            "must be a positive number".to_owned(),
        ));
    }
    for (i, delivered) in run.injects.iter().enumerate() {
        if run.exercise.inject(&delivered.inject).is_none() {
            return Err(invalid(
                format!("injects[{i}].inject"),
                format!(
                    "`{}` is no inject of the exercise",
                    lifeline_text::excerpt(&delivered.inject)
                ),
            ));
        }
    }
    let ids = run.exercise.action_ids();
    for (i, decision) in run.decisions.iter().enumerate() {
        for (j, action) in decision.actions.iter().enumerate() {
            if !ids.contains(&action.as_str()) {
                return Err(invalid(
                    format!("decisions[{i}].actions[{j}]"),
                    format!(
                        "`{}` is no action the exercise expects",
                        lifeline_text::excerpt(action)
                    ),
                ));
            }
        }
    }
    Ok(run)
}

/// Whether an id is lower-case letters, digits and hyphens, starting with a letter or digit.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
}

#[derive(Default)]
struct Reader {
    decoder: Decoder,
}

impl Reader {
    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.decoder.error(path, message);
    }

    fn required_text(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<String> {
        let path = fields.path(key);
        match self.decoder.string(fields, key) {
            Some(text) if text.trim().is_empty() => {
                self.error(path, "must not be empty");
                None
            }
            Some(text) => Some(text),
            None => {
                if fields.get(key).is_none() {
                    self.error(path, "missing required field");
                }
                None
            }
        }
    }

    fn optional_text(&mut self, fields: &mut Fields<'_>, key: &str) -> String {
        self.decoder.string(fields, key).unwrap_or_default()
    }

    /// A required id in lifeline's form (lower-case letters, digits, hyphens).
    fn own_id(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<String> {
        let path = fields.path(key);
        let id = self.decoder.id(fields, key)?;
        if is_id(&id) {
            Some(id)
        } else {
            self.decoder.diagnostics.push(
                Diagnostic::error(
                    path,
                    format!("`{}` is not an id", lifeline_text::excerpt(&id)),
                )
                .with_hint(
                    "use lower-case letters, digits and hyphens (`phone-orders`), at most 64",
                ),
            );
            None
        }
    }

    fn time_at(&mut self, raw: &Raw, path: &str, duration: bool) -> Option<ExerciseTime> {
        let example = if duration {
            "`2h`, `1d4h`, `30m`"
        } else {
            "`T+0`, `T+2h`, `T+1d4h`"
        };
        let Raw::String(text) = raw else {
            self.error(
                path,
                format!("expected a time like {example}, found {}", raw.describe()),
            );
            return None;
        };
        let parsed = if duration {
            ExerciseTime::parse_duration(text)
        } else {
            ExerciseTime::parse_time(text)
        };
        match parsed {
            Ok(t) => Some(t),
            Err(reason) => {
                self.error(
                    path,
                    format!(
                        "`{}` is not a time like {example}: {reason}",
                        lifeline_text::excerpt(text)
                    ),
                );
                None
            }
        }
    }

    fn time(&mut self, fields: &mut Fields<'_>, key: &str, duration: bool) -> Option<ExerciseTime> {
        let raw = fields.get(key)?;
        self.time_at(raw, &fields.path(key), duration)
    }

    fn exercise(&mut self, raw: &Raw) -> Option<Exercise> {
        let mut fields = self.decoder.object(raw, "")?;
        self.decoder.format(&mut fields, FORMAT);
        let id = self.own_id(&mut fields, "id");
        let title = self.required_text(&mut fields, "title");
        let description = self.optional_text(&mut fields, "description");
        let network = self.required_text(&mut fields, "network");
        let start = self.start(&mut fields);
        let end = self.time(&mut fields, "end", false);
        let improvement_days = match fields.get("improvement_days") {
            None => Some(DEFAULT_IMPROVEMENT_DAYS),
            Some(raw) => match raw {
                Raw::Number(x) if x.fract() == 0.0 && (1.0..=3650.0).contains(x) => {
                    // Whole and in range, checked just above.
                    Some(*x as u32)
                }
                other => {
                    self.error(
                        "improvement_days",
                        format!(
                            "expected a whole number of days from 1 to 3650, found {}",
                            other.describe()
                        ),
                    );
                    None
                }
            },
        };
        let scenario = match fields.get("scenario") {
            None => {
                self.error("scenario", "missing required field");
                None
            }
            Some(raw) => self.scenario(raw),
        };
        let injects = self.injects(&mut fields);
        let objectives = self.objectives(&mut fields, &injects);
        let sources = self.sources(&mut fields);
        self.decoder.finish(fields);

        let last_inject = injects.iter().map(|i| i.at).max().unwrap_or_default();
        let last_due = objectives
            .iter()
            .flat_map(|o: &Objective| &o.actions)
            .map(|a| a.due.saturating_add(a.allowed_late))
            .max()
            .unwrap_or_default();
        let end = match end {
            Some(end) => {
                if end < last_inject {
                    self.error(
                        "end",
                        format!("{end} is before the last inject ({last_inject}): that inject would never be played"),
                    );
                }
                end
            }
            None => last_inject.max(last_due),
        };
        Some(Exercise {
            format: FORMAT.to_owned(),
            id: id?,
            title: title?,
            description,
            network: network?,
            start: start?,
            end,
            improvement_days: improvement_days?,
            scenario: scenario?,
            injects,
            objectives,
            sources,
        })
    }

    /// `start`: optional RFC 3339 date and time. `Some(None)` when absent.
    fn start(&mut self, fields: &mut Fields<'_>) -> Option<Option<OffsetDateTime>> {
        let Some(raw) = fields.get("start") else {
            return Some(None);
        };
        let parsed = match raw {
            Raw::String(text) => OffsetDateTime::parse(text, &Rfc3339).ok(),
            _ => None,
        };
        match parsed {
            Some(t) if (1970..=9999).contains(&t.year()) => {
                Some(Some(t.to_offset(time::UtcOffset::UTC)))
            }
            _ => {
                self.error(
                    "start",
                    format!(
                        "expected an RFC 3339 date and time (`2026-03-02T08:00:00Z`), found {}",
                        raw.describe()
                    ),
                );
                None
            }
        }
    }

    fn entity_list(&mut self, fields: &mut Fields<'_>, key: &str) -> Vec<String> {
        let items = self.decoder.list(fields, key);
        let base = fields.path(key);
        let mut out: Vec<String> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{base}[{i}]");
            match item {
                Raw::String(id) if !id.trim().is_empty() => {
                    if !self.decoder.identifier_ok(path.clone(), id) {
                        continue;
                    }
                    if out.contains(id) {
                        self.error(
                            path,
                            format!("`{}` is listed twice", lifeline_text::excerpt(id)),
                        );
                    } else {
                        out.push(id.clone());
                    }
                }
                other => self.error(
                    path,
                    format!("expected an entity id, found {}", other.describe()),
                ),
            }
        }
        out
    }

    fn scenario(&mut self, raw: &Raw) -> Option<ScenarioSpec> {
        let mut fields = self.decoder.object(raw, "scenario")?;
        let kind = match fields.get("kind") {
            None => {
                self.error("scenario.kind", "missing required field");
                None
            }
            Some(Raw::String(k)) => {
                let kind = IncidentKind::parse(k);
                if kind.is_none() {
                    let names = IncidentKind::ALL.map(IncidentKind::as_str);
                    let mut d = Diagnostic::error(
                        "scenario.kind",
                        format!("unknown incident kind `{}`", lifeline_text::excerpt(k)),
                    );
                    d = d.with_hint(match lifeline_text::suggest(k, names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("one of {}", names.join(", ")),
                    });
                    self.decoder.diagnostics.push(d);
                }
                kind
            }
            Some(other) => {
                self.error(
                    "scenario.kind",
                    format!("expected an incident kind, found {}", other.describe()),
                );
                None
            }
        };
        let entities = self.entity_list(&mut fields, "entities");
        if entities.is_empty() && fields.get("entities").is_none() {
            self.error(
                "scenario.entities",
                "missing required field: the entities that go down",
            );
        } else if entities.is_empty() {
            self.error(
                "scenario.entities",
                "name at least one entity that goes down",
            );
        }
        let capacity_factor = match fields.get("capacity_factor") {
            None => Some(0.0),
            Some(raw) => self
                .decoder
                .number_at(raw, "scenario.capacity_factor", Range::Fraction),
        };
        let expected_ttr = self.ttr(&mut fields, "expected_ttr", true);
        let draw = self.draw(&mut fields);
        self.decoder.finish(fields);
        Some(ScenarioSpec {
            kind: kind?,
            entities,
            capacity_factor: capacity_factor?,
            expected_ttr: expected_ttr??,
            draw: draw?,
        })
    }

    /// A time to recover in days: positive, within the network's range.
    fn ttr(&mut self, fields: &mut Fields<'_>, key: &str, required: bool) -> Option<Option<f64>> {
        let path = fields.path(key);
        let Some(raw) = fields.get(key) else {
            if required {
                self.error(path, "missing required field");
                return None;
            }
            return Some(None);
        };
        let x = self.decoder.number_at(raw, &path, Range::Days)?;
        if x <= 0.0 {
            self.error(path, "must be more than 0 days");
            return None;
        }
        Some(Some(x))
    }

    fn draw(&mut self, fields: &mut Fields<'_>) -> Option<Option<String>> {
        let Some(raw) = fields.get("draw") else {
            return Some(None);
        };
        let Raw::String(text) = raw else {
            self.error(
                "scenario.draw",
                format!(
                    "expected a distribution (`ransomware-downtime`, `uniform:7,28`), found {}",
                    raw.describe()
                ),
            );
            return None;
        };
        match text.parse::<lifeline_sim::Distribution>() {
            Ok(_) => Some(Some(text.clone())),
            Err(e) => {
                self.error(
                    "scenario.draw",
                    lifeline_text::excerpt_to(&e.to_string(), 200).into_owned(),
                );
                None
            }
        }
    }

    fn injects(&mut self, fields: &mut Fields<'_>) -> Vec<Inject> {
        let items = self.decoder.list(fields, "injects");
        if fields.get("injects").is_none() {
            self.error("injects", "missing required field");
        } else if items.is_empty() {
            self.error("injects", "an exercise needs at least one inject");
        }
        let mut out: Vec<Inject> = Vec::new();
        let mut previous = ExerciseTime::ZERO;
        for (i, raw) in items.iter().enumerate() {
            let path = format!("injects[{i}]");
            let Some(mut f) = self.decoder.object(raw, &path) else {
                continue;
            };
            let id = self.own_id(&mut f, "id");
            let at = match f.get("at") {
                None => {
                    self.error(f.path("at"), "missing required field");
                    None
                }
                Some(raw) => self.time_at(raw, &f.path("at"), false),
            };
            let title = self.required_text(&mut f, "title");
            let text = self.optional_text(&mut f, "text");
            let change = match f.get("change") {
                None => Some(None),
                Some(raw) => self.change(raw, &f.path("change")).map(Some),
            };
            self.decoder.finish(f);
            if let Some(at) = at {
                if at < previous {
                    self.error(
                        format!("{path}.at"),
                        format!("{at} is before the inject above it ({previous}): list injects in time order"),
                    );
                }
                previous = previous.max(at);
            }
            if let Some(id) = &id
                && out.iter().any(|o| &o.id == id)
            {
                self.error(format!("{path}.id"), format!("duplicate inject id `{id}`"));
                continue;
            }
            if let (Some(id), Some(at), Some(title), Some(change)) = (id, at, title, change) {
                out.push(Inject {
                    id,
                    at,
                    title,
                    text,
                    change,
                });
            }
        }
        out
    }

    fn change(&mut self, raw: &Raw, path: &str) -> Option<Change> {
        let mut f = self.decoder.object(raw, path)?;
        let add_entities = self.entity_list(&mut f, "add_entities");
        let capacity_factor = match f.get("capacity_factor") {
            None => Some(None),
            Some(raw) => self
                .decoder
                .number_at(raw, &f.path("capacity_factor"), Range::Fraction)
                .map(Some),
        };
        let expected_ttr = self.ttr(&mut f, "expected_ttr", false);
        let empty = add_entities.is_empty()
            && matches!(capacity_factor, Some(None))
            && matches!(expected_ttr, Some(None));
        self.decoder.finish(f);
        if empty {
            self.error(
                path,
                "a change names `add_entities`, `capacity_factor` or `expected_ttr`",
            );
            return None;
        }
        Some(Change {
            add_entities,
            capacity_factor: capacity_factor?,
            expected_ttr: expected_ttr?,
        })
    }

    fn objectives(&mut self, fields: &mut Fields<'_>, injects: &[Inject]) -> Vec<Objective> {
        let items = self.decoder.list(fields, "objectives");
        if fields.get("objectives").is_none() {
            self.error("objectives", "missing required field");
        } else if items.is_empty() {
            self.error("objectives", "an exercise needs at least one objective");
        }
        let mut out: Vec<Objective> = Vec::new();
        // Action ids with their titles: an id used in two objectives is the same action.
        let mut titles: Vec<(String, String)> = Vec::new();
        for (i, raw) in items.iter().enumerate() {
            let path = format!("objectives[{i}]");
            let Some(mut f) = self.decoder.object(raw, &path) else {
                continue;
            };
            let id = self.own_id(&mut f, "id");
            let title = self.required_text(&mut f, "title");
            let capability = self.required_text(&mut f, "capability");
            let owner = self.required_text(&mut f, "owner");
            let improvement = self.optional_text(&mut f, "improvement");
            let raw_actions = self.decoder.list(&mut f, "actions");
            if raw_actions.is_empty() {
                self.error(
                    format!("{path}.actions"),
                    "an objective needs at least one expected action",
                );
            }
            let mut actions: Vec<ExpectedAction> = Vec::new();
            let mut seen = HashSet::new();
            for (j, raw) in raw_actions.iter().enumerate() {
                let apath = format!("{path}.actions[{j}]");
                if let Some(action) = self.action(raw, &apath, injects) {
                    if !seen.insert(action.id.clone()) {
                        self.error(
                            format!("{apath}.id"),
                            format!("`{}` is expected twice in this objective", action.id),
                        );
                        continue;
                    }
                    match titles.iter().find(|(id, _)| id == &action.id) {
                        Some((_, t)) if t != &action.title => {
                            self.decoder.diagnostics.push(Diagnostic::warning(
                                format!("{apath}.title"),
                                format!(
                                    "action `{}` has another title in an objective above",
                                    action.id
                                ),
                            ))
                        }
                        Some(_) => {}
                        None => titles.push((action.id.clone(), action.title.clone())),
                    }
                    actions.push(action);
                }
            }
            self.decoder.finish(f);
            if let Some(id) = &id
                && out.iter().any(|o| &o.id == id)
            {
                self.error(
                    format!("{path}.id"),
                    format!("duplicate objective id `{id}`"),
                );
                continue;
            }
            if let (Some(id), Some(title), Some(capability), Some(owner)) =
                (id, title, capability, owner)
                && !actions.is_empty()
            {
                out.push(Objective {
                    id,
                    title,
                    capability,
                    owner,
                    improvement,
                    actions,
                });
            }
        }
        out
    }

    fn action(&mut self, raw: &Raw, path: &str, injects: &[Inject]) -> Option<ExpectedAction> {
        let mut f = self.decoder.object(raw, path)?;
        let id = self.own_id(&mut f, "id");
        let title = self.required_text(&mut f, "title");
        let after = match f.get("after") {
            None => Some(None),
            Some(Raw::String(name)) => match injects.iter().find(|i| &i.id == name) {
                Some(inject) => Some(Some(inject)),
                None => {
                    let mut d = Diagnostic::error(
                        f.path("after"),
                        format!(
                            "`{}` is no inject of the exercise",
                            lifeline_text::excerpt(name)
                        ),
                    );
                    if let Some(s) =
                        lifeline_text::suggest(name, injects.iter().map(|i| i.id.as_str()))
                    {
                        d = d.with_hint(format!("did you mean `{s}`?"));
                    }
                    self.decoder.diagnostics.push(d);
                    None
                }
            },
            Some(other) => {
                self.error(
                    f.path("after"),
                    format!("expected an inject id, found {}", other.describe()),
                );
                None
            }
        };
        let within = self.time(&mut f, "within", true);
        let by = self.time(&mut f, "by", false);
        let grace = self.time(&mut f, "grace", true);
        let required = match f.get("required") {
            None => Some(true),
            Some(Raw::Bool(b)) => Some(*b),
            Some(other) => {
                self.error(
                    f.path("required"),
                    format!("expected `true` or `false`, found {}", other.describe()),
                );
                None
            }
        };
        let both = f.get("within").is_some() && f.get("by").is_some();
        let neither = f.get("within").is_none() && f.get("by").is_none();
        self.decoder.finish(f);
        if both {
            self.error(
                path,
                "give either `within` (after `after`) or `by`, not both",
            );
            return None;
        }
        if neither {
            self.error(
                path,
                "missing its time limit: `within: 2h` (after `after`, or T+0) or `by: T+4h`",
            );
            return None;
        }
        let after = after?;
        let anchor = after.map_or(ExerciseTime::ZERO, |i| i.at);
        let due = match (within, by) {
            (Some(w), None) => anchor.saturating_add(w),
            (None, Some(b)) => {
                if b < anchor {
                    self.error(
                        format!("{path}.by"),
                        format!("{b} is before the inject it counts from ({anchor})"),
                    );
                    return None;
                }
                b
            }
            _ => return None,
        };
        Some(ExpectedAction {
            id: id?,
            title: title?,
            after: after.map(|i| i.id.clone()),
            within,
            by,
            grace,
            required: required?,
            due,
            allowed_late: grace.unwrap_or(due.saturating_sub(anchor)),
        })
    }

    fn sources(&mut self, fields: &mut Fields<'_>) -> Vec<Source> {
        let items = self.decoder.list(fields, "sources");
        let mut out = Vec::new();
        for (i, raw) in items.iter().enumerate() {
            let path = format!("sources[{i}]");
            let Some(mut f) = self.decoder.object(raw, &path) else {
                continue;
            };
            let title = self.required_text(&mut f, "title");
            let url = self.decoder.string(&mut f, "url");
            self.decoder.finish(f);
            if let Some(title) = title {
                out.push(Source { title, url });
            }
        }
        out
    }
}
