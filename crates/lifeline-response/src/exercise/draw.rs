//! `--draw --seed S`: the outage duration taken from a distribution, the way lifeline-sim's
//! Monte Carlo draws it, so one seed gives one duration every time.

use lifeline_sim::Distribution;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::model::{Drawn, Exercise};

/// The distribution drawn from when the exercise names none: lifeline-sim's healthcare
/// ransomware downtime (lognormal, median 10 days, mean 17 days).
pub const DEFAULT_DISTRIBUTION: &str = lifeline_sim::RANSOMWARE_DOWNTIME;

/// Why no duration could be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DrawError {
    #[error("scenario.draw: {0}")]
    Distribution(#[from] lifeline_sim::DistributionError),
    #[error(
        "scenario.draw: the distribution `{0}` drew no outage (0 days); pick one of positive durations"
    )]
    Zero(String),
}

/// One outage duration in whole days (rounded up, as the Monte Carlo rounds), drawn from
/// ChaCha8 seeded with `seed` on stream 0: replication 0 of `lifeline montecarlo --seed S`
/// with its start fixed at day 0 draws the same number (a fixed start consumes no random
/// number).
pub fn days(distribution: &Distribution, seed: u64) -> u32 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(0);
    let x = distribution.sample(&mut rng);
    if x.is_nan() || x <= 0.0 {
        0
    } else if x >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        // In range, checked just above.
        x.ceil() as u32
    }
}

/// Draws the exercise's outage duration: from `scenario.draw`, else
/// [`DEFAULT_DISTRIBUTION`].
pub fn draw(exercise: &Exercise, seed: u64) -> Result<Drawn, DrawError> {
    let text = exercise
        .scenario
        .draw
        .clone()
        .unwrap_or_else(|| DEFAULT_DISTRIBUTION.to_owned());
    let distribution: Distribution = text.parse()?;
    let days = days(&distribution, seed);
    if days == 0 {
        return Err(DrawError::Zero(text));
    }
    Ok(Drawn {
        distribution: text,
        seed,
        days,
    })
}
