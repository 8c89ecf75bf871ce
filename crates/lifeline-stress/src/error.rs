//! Errors of a stress-test run.

/// Why a sweep could not finish.
#[derive(Debug, thiserror::Error)]
pub enum StressError {
    /// The solver refused a baseline program before any scenario ran.
    #[error("the baseline {program} program: the LP solver could not set up the model: {message}")]
    Backend {
        program: &'static str,
        message: String,
    },
    #[error("scenario `{scenario}`: the {program} program did not solve to optimality ({outcome})")]
    Solve {
        scenario: String,
        program: &'static str,
        outcome: String,
    },
}
