//! Errors of a stress-test run.

/// Why a sweep could not finish.
#[derive(Debug, thiserror::Error)]
pub enum StressError {
    #[error("the LP solver failed to set up the model: {0}")]
    Backend(String),
    #[error("scenario `{scenario}`: the {program} program did not solve to optimality ({outcome})")]
    Solve {
        scenario: String,
        program: &'static str,
        outcome: String,
    },
}
