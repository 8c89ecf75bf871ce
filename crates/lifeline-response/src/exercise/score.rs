//! Scoring a run the HSEEP way: each objective rated P, S, M or U with the reason.
//!
//! HSEEP's Exercise Evaluation Guide rates each capability target P (performed without
//! challenges), S (performed with some challenges), M (performed with major challenges) or
//! U (unable to be performed), and the rating stays ordinal: it is never averaged into a
//! percentage (shared/research/response-and-vendor-facts.md §5: HSEEP, January 2020; the
//! EEG rating definitions; FEMA PrepToolkit's "Exercise Evaluation – HSEEP" guide).
//!
//! lifeline's stated mapping from the record of a run to those ratings, per expected
//! action, with its earliest performance in the run:
//!
//! | performed                                   | action rating |
//! |---------------------------------------------|---------------|
//! | by its due time                             | P             |
//! | late, by no more than its grace             | S             |
//! | late, by more than its grace                | M             |
//! | never, and the action is optional           | M             |
//! | never, and the action is required           | U             |
//!
//! An objective's rating is the worst of its actions' ratings (P best, U worst), and its
//! reason names the actions that set it. Performing an action earlier can only move it up
//! this table, so it never lowers a rating.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::model::{Exercise, ExerciseTime, Run};

/// An HSEEP rating. Ordered best first: `P < S < M < U`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Rating {
    /// Performed without challenges.
    P,
    /// Performed with some challenges.
    S,
    /// Performed with major challenges.
    M,
    /// Unable to be performed.
    U,
}

impl Rating {
    pub const ALL: [Rating; 4] = [Rating::P, Rating::S, Rating::M, Rating::U];

    pub fn letter(self) -> &'static str {
        match self {
            Rating::P => "P",
            Rating::S => "S",
            Rating::M => "M",
            Rating::U => "U",
        }
    }

    /// HSEEP's words for the rating.
    pub fn label(self) -> &'static str {
        match self {
            Rating::P => "performed without challenges",
            Rating::S => "performed with some challenges",
            Rating::M => "performed with major challenges",
            Rating::U => "unable to be performed",
        }
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.letter())
    }
}

/// How one expected action went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum Outcome {
    OnTime,
    /// Late by `late`, within the grace.
    Late {
        late: ExerciseTime,
    },
    /// Late by `late`, more than the grace.
    VeryLate {
        late: ExerciseTime,
    },
    Missed,
}

/// One expected action of an objective, scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionScore {
    pub id: String,
    pub title: String,
    pub due: ExerciseTime,
    /// Late by up to this much rates S.
    pub grace: String,
    pub required: bool,
    /// The earliest decision that performed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performed_at: Option<ExerciseTime>,
    #[serde(flatten)]
    pub outcome: Outcome,
    pub rating: Rating,
    /// For people: `performed at T+30m, within its T+2h limit`.
    pub reason: String,
}

/// One objective, rated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveScore {
    pub id: String,
    pub title: String,
    pub capability: String,
    pub owner: String,
    pub rating: Rating,
    pub reason: String,
    pub actions: Vec<ActionScore>,
}

/// The scorecard of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub exercise: String,
    pub title: String,
    pub ended: ExerciseTime,
    pub objectives: Vec<ObjectiveScore>,
    /// How many objectives got each rating, P, S, M, U (counts, not an average).
    pub counts: [usize; 4],
}

/// The earliest time each action id was performed in the run.
fn earliest(run: &Run, id: &str) -> Option<ExerciseTime> {
    run.decisions
        .iter()
        .filter(|d| d.actions.iter().any(|a| a == id))
        .map(|d| d.at)
        .min()
}

/// Scores `run` against `exercise`'s objectives (see the module documentation).
pub fn score(exercise: &Exercise, run: &Run) -> Scorecard {
    let mut objectives = Vec::with_capacity(exercise.objectives.len());
    for objective in &exercise.objectives {
        let mut actions = Vec::with_capacity(objective.actions.len());
        for action in &objective.actions {
            let performed_at = earliest(run, &action.id);
            let grace = action.allowed_late;
            let (outcome, rating, reason) = match performed_at {
                Some(at) if at <= action.due => (
                    Outcome::OnTime,
                    Rating::P,
                    format!("performed at {at}, within its {} limit", action.due),
                ),
                Some(at) => {
                    let late = at.saturating_sub(action.due);
                    if late <= grace {
                        (
                            Outcome::Late { late },
                            Rating::S,
                            format!(
                                "performed at {at}, {} after its {} limit (within the {} allowed late)",
                                late.duration(),
                                action.due,
                                grace.duration()
                            ),
                        )
                    } else {
                        (
                            Outcome::VeryLate { late },
                            Rating::M,
                            format!(
                                "performed at {at}, {} after its {} limit (more than the {} allowed late)",
                                late.duration(),
                                action.due,
                                grace.duration()
                            ),
                        )
                    }
                }
                None => {
                    let ended = if run.ended < action.due {
                        format!("; the run ended at {} before it was due", run.ended)
                    } else {
                        String::new()
                    };
                    let (rating, kind) = if action.required {
                        (Rating::U, "required")
                    } else {
                        (Rating::M, "optional")
                    };
                    (
                        Outcome::Missed,
                        rating,
                        format!("never performed ({kind}; due {}){ended}", action.due),
                    )
                }
            };
            actions.push(ActionScore {
                id: action.id.clone(),
                title: action.title.clone(),
                due: action.due,
                grace: grace.duration(),
                required: action.required,
                performed_at,
                outcome,
                rating,
                reason,
            });
        }
        let rating = actions.iter().map(|a| a.rating).max().unwrap_or(Rating::U);
        let reason = if rating == Rating::P {
            format!(
                "all {} expected action(s) performed within their time limits",
                actions.len()
            )
        } else {
            let mut short: Vec<&ActionScore> =
                actions.iter().filter(|a| a.rating != Rating::P).collect();
            short.sort_by_key(|a| std::cmp::Reverse(a.rating));
            let parts: Vec<String> = short
                .iter()
                .map(|a| format!("`{}` {} ({})", a.id, a.reason, a.rating))
                .collect();
            let on_time = actions.len() - short.len();
            format!(
                "{}; {on_time} of {} performed in time",
                parts.join("; "),
                actions.len()
            )
        };
        objectives.push(ObjectiveScore {
            id: objective.id.clone(),
            title: objective.title.clone(),
            capability: objective.capability.clone(),
            owner: objective.owner.clone(),
            rating,
            reason,
            actions,
        });
    }
    let mut counts = [0; 4];
    for o in &objectives {
        counts[o.rating as usize] += 1;
    }
    Scorecard {
        exercise: exercise.id.clone(),
        title: exercise.title.clone(),
        ended: run.ended,
        objectives,
        counts,
    }
}
