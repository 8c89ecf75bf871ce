//! The exercise pages: `/exercises` (the organisation's tabletop exercise runs, each
//! objective's HSEEP rating, and the form that uploads a run record) and `/exercises/{id}`
//! (the scorecard and the after-action report).
//!
//! Views are built from lifeline-response's [`Scorecard`], the one the API and
//! `lifeline exercise score` show.

use askama::Template;
use lifeline_response::exercise::Scorecard;
use lifeline_text::percent_encoded;

use super::{Chrome, FormError};

/// The upload form's labels, by field name.
pub const UPLOAD_FIELDS: [(&str, &str); 1] = [("file", "Run record")];

/// The link to a run's page.
pub fn exercise_href(id: &str) -> String {
    format!("/exercises/{}", percent_encoded(id))
}

/// `2 P · 1 S · 0 M · 1 U`.
pub fn counts_text(card: &Scorecard) -> String {
    let [p, s, m, u] = card.counts;
    format!("{p} P · {s} S · {m} M · {u} U")
}

/// One objective's rating, as a list row shows it.
#[derive(Debug, Clone)]
pub struct RatingCell {
    pub objective: String,
    pub title: String,
    /// `P`, `S`, `M` or `U`.
    pub letter: String,
    pub label: String,
}

impl RatingCell {
    pub fn all(card: &Scorecard) -> Vec<RatingCell> {
        card.objectives
            .iter()
            .map(|o| RatingCell {
                objective: o.id.clone(),
                title: o.title.clone(),
                letter: o.rating.letter().to_owned(),
                label: o.rating.label().to_owned(),
            })
            .collect()
    }
}

/// One run as the list shows it.
#[derive(Debug, Clone)]
pub struct ExerciseRunItem {
    pub href: String,
    pub title: String,
    /// When it was uploaded, and by whom.
    pub created: String,
    pub created_by: String,
    pub ratings: Vec<RatingCell>,
    pub counts: String,
}

/// `/exercises`: the runs, and the upload form for analysts.
#[derive(Debug, Template)]
#[template(path = "exercises.html")]
pub struct ExercisesPage {
    pub chrome: Chrome,
    pub runs: Vec<ExerciseRunItem>,
    /// Why the last upload was refused.
    pub errors: Vec<FormError>,
}

impl ExercisesPage {
    /// Whether `field` has an error (the template marks it invalid).
    pub fn invalid(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

/// One objective of the scorecard with its actions.
#[derive(Debug, Clone)]
pub struct ObjectiveRow {
    pub rating: RatingCell,
    pub capability: String,
    pub owner: String,
    pub reason: String,
}

/// `/exercises/{id}`: the scorecard and the after-action report.
#[derive(Debug, Template)]
#[template(path = "exercise.html")]
pub struct ExercisePage {
    pub chrome: Chrome,
    pub title: String,
    pub exercise: String,
    pub created: String,
    pub created_by: String,
    pub counts: String,
    pub objectives: Vec<ObjectiveRow>,
    /// The body of lifeline-response's HTML after-action report (every value escaped
    /// there).
    pub report: String,
    pub markdown_href: String,
    pub html_href: String,
}

impl ExercisePage {
    /// The objectives' rows of `card`.
    pub fn rows(card: &Scorecard) -> Vec<ObjectiveRow> {
        card.objectives
            .iter()
            .zip(RatingCell::all(card))
            .map(|(o, rating)| ObjectiveRow {
                rating,
                capability: o.capability.clone(),
                owner: o.owner.clone(),
                reason: o.reason.clone(),
            })
            .collect()
    }
}

crate::framed!(ExercisesPage, ExercisePage);
