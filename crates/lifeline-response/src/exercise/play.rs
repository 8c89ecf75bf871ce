//! Playing an exercise: the scenario as it stands after each inject (as an incident
//! [`Declaration`], whose impact `incident::impact::compute` gives), the order injects and
//! scripted decisions come in, and decision lines as participants type them.
//!
//! No clock here: the caller says what time it is on the exercise clock.

use lifeline_network::{Diagnostic, Diagnostics};
use time::OffsetDateTime;

use super::model::{Decision, Drawn, Exercise, ExerciseTime, Inject};
use crate::incident::Declaration;

/// The scenario at T+0 as an incident declaration: T+0 stands for `start`; a drawn
/// duration replaces the expected time to recover.
pub fn declaration(
    exercise: &Exercise,
    start: OffsetDateTime,
    drawn: Option<&Drawn>,
) -> Declaration {
    let scenario = &exercise.scenario;
    Declaration {
        title: exercise.title.clone(),
        kind: scenario.kind,
        entities: scenario.entities.clone(),
        capacity_factor: scenario.capacity_factor,
        expected_ttr: drawn.map_or(scenario.expected_ttr, |d| f64::from(d.days)),
        declared_at: start,
        playbooks: Vec::new(),
    }
}

/// The declaration after `inject`'s change (entities added, capacity factor or expected
/// time to recover replaced). The outage still counts from T+0: the declaration keeps its
/// `declared_at`.
pub fn apply(declaration: &Declaration, inject: &Inject) -> Declaration {
    let mut next = declaration.clone();
    if let Some(change) = &inject.change {
        for id in &change.add_entities {
            if !next.entities.contains(id) {
                next.entities.push(id.clone());
            }
        }
        if let Some(f) = change.capacity_factor {
            next.capacity_factor = f;
        }
        if let Some(ttr) = change.expected_ttr {
            next.expected_ttr = ttr;
        }
    }
    next
}

/// The scenario's declarations over the exercise: at T+0, then after every inject that
/// changes it (with the inject's id).
pub fn declarations(
    exercise: &Exercise,
    start: OffsetDateTime,
    drawn: Option<&Drawn>,
) -> Vec<(ExerciseTime, Option<String>, Declaration)> {
    let mut current = declaration(exercise, start, drawn);
    let mut out = vec![(ExerciseTime::ZERO, None, current.clone())];
    for inject in &exercise.injects {
        if inject.change.is_some() {
            current = apply(&current, inject);
            out.push((inject.at, Some(inject.id.clone()), current.clone()));
        }
    }
    out
}

/// What happens next in a scripted run.
#[derive(Debug, Clone, PartialEq)]
pub enum Step<'a> {
    Inject(&'a Inject),
    Decision(&'a Decision),
}

impl Step<'_> {
    pub fn at(&self) -> ExerciseTime {
        match self {
            Step::Inject(i) => i.at,
            Step::Decision(d) => d.at,
        }
    }
}

/// Injects and scripted decisions in exercise-time order, an inject before the decisions
/// of the same time, each kind in its given order; nothing after `exercise.end`.
pub fn schedule<'a>(exercise: &'a Exercise, decisions: &'a [Decision]) -> Vec<Step<'a>> {
    let mut steps: Vec<(ExerciseTime, u8, usize, Step<'a>)> = Vec::new();
    for (i, inject) in exercise.injects.iter().enumerate() {
        steps.push((inject.at, 0, i, Step::Inject(inject)));
    }
    for (i, decision) in decisions.iter().enumerate() {
        steps.push((decision.at, 1, i, Step::Decision(decision)));
    }
    steps.sort_by_key(|(at, kind, i, _)| (*at, *kind, *i));
    steps
        .into_iter()
        .filter(|(at, ..)| *at <= exercise.end)
        .map(|(.., step)| step)
        .collect()
}

/// Reads one decision line: `[T+TIME] ACTION [ACTION ...] [# note]`, action ids separated
/// by spaces or commas. Without a time the decision is at `now` (typed during play); a
/// scripted file passes `None` and every line must carry its time. Blank lines and lines
/// that start with `#` give `Ok(None)`.
pub fn parse_decision(
    line: &str,
    now: Option<ExerciseTime>,
    exercise: &Exercise,
) -> Result<Option<Decision>, String> {
    let (body, note) = match line.split_once('#') {
        Some((body, note)) => (body, note.trim()),
        None => (line, ""),
    };
    let mut words = body
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .peekable();
    let Some(first) = words.peek().copied() else {
        return Ok(None);
    };
    let at = if first.starts_with("T+") {
        words.next();
        ExerciseTime::parse_time(first)
            .map_err(|e| format!("`{}`: {e}", lifeline_text::excerpt(first)))?
    } else {
        now.ok_or_else(|| {
            "a scripted decision starts with its exercise time (`T+1h30m notify-hospitals`)"
                .to_owned()
        })?
    };
    let known = exercise.action_ids();
    let mut actions: Vec<String> = Vec::new();
    for word in words {
        if !known.contains(&word) {
            let mut message = format!(
                "`{}` is no action this exercise expects",
                lifeline_text::excerpt(word)
            );
            match lifeline_text::suggest(word, known.iter().copied()) {
                Some(s) => message.push_str(&format!(": did you mean `{s}`?")),
                None => message.push_str(&format!(" (expected: {})", known.join(", "))),
            }
            return Err(message);
        }
        if !actions.iter().any(|a| a == word) {
            actions.push(word.to_owned());
        }
    }
    if actions.is_empty() {
        return Err("name at least one action id after the time".to_owned());
    }
    Ok(Some(Decision {
        at,
        actions,
        note: note.to_owned(),
    }))
}

/// Reads a scripted decisions file: one decision a line, each with its exercise time, in
/// time order. Every problem is reported at `line N`.
/// Warnings (a decision after the end) come back with the decisions.
pub fn read_decisions(
    text: &str,
    exercise: &Exercise,
) -> Result<(Vec<Decision>, Vec<Diagnostic>), Diagnostics> {
    let mut out: Vec<Decision> = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let path = format!("line {}", i + 1);
        match parse_decision(line, None, exercise) {
            Ok(None) => {}
            Ok(Some(decision)) => {
                if let Some(last) = out.last()
                    && decision.at < last.at
                {
                    problems.push(Diagnostic::error(
                        path,
                        format!(
                            "{} is before the decision above it ({}): list decisions in time order",
                            decision.at, last.at
                        ),
                    ));
                    continue;
                }
                if decision.at > exercise.end {
                    problems.push(Diagnostic::warning(
                        path,
                        format!(
                            "{} is after the exercise ends ({}): not played",
                            decision.at, exercise.end
                        ),
                    ));
                }
                out.push(decision);
            }
            Err(message) => problems.push(Diagnostic::error(path, message)),
        }
    }
    if problems.iter().any(Diagnostic::is_error) {
        Err(Diagnostics(problems))
    } else {
        Ok((out, problems))
    }
}
