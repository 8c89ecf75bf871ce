//! Tabletop exercises: a scenario on a network, injects at exercise times, objectives
//! with the actions expected and their time limits; a run's record of what was delivered
//! and decided; HSEEP ratings per objective; the after-action report and improvement plan.
//!
//! - [`model`]: the exercise document (`lifeline-exercise/1`), the run record
//!   (`lifeline-exercise-run/1`) and exercise times (`T+0`, `T+2h`, `T+1d4h`).
//! - [`read`]: decoding an exercise with the network's decoder (every problem at its
//!   path), checking its entities against the network, reading a run record.
//! - [`play`]: the scenario after each inject as an incident declaration (its impact is
//!   `incident::impact::compute`'s), the order of injects and decisions, decision lines.
//! - [`draw`]: the outage duration drawn from a lifeline-sim distribution with a seed.
//! - [`score`]: P/S/M/U per objective with the reason.
//! - [`report`]: the AAR/IP in Markdown and HTML.

pub mod draw;
pub mod model;
pub mod play;
pub mod read;
pub mod report;
pub mod score;

pub use model::{
    Change, Decision, Delivered, Drawn, Exercise, ExerciseTime, ExpectedAction, FORMAT, ImpactAt,
    Inject, Objective, RUN_FORMAT, Run, ScenarioSpec,
};
pub use score::{ActionScore, ObjectiveScore, Outcome, Rating, Scorecard, score};

/// The SHA-256 of a document's text, hex: what a run record keeps of the exercise and the
/// network it ran on.
pub fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    crate::incident::timeline::hex(&sha2::Sha256::digest(text.as_bytes()))
}
