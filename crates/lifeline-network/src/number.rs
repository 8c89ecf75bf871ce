//! How reports round numbers: every analysis reports quantities to the same precision.

/// Digits kept in reported quantities. The engines work to tolerances around 1e-9, so
/// further digits are noise (`0.8999999999999999` for 0.9).
pub const SIGNIFICANT_DIGITS: i32 = 10;

/// `x` rounded to [`SIGNIFICANT_DIGITS`], through its decimal form so that the result
/// is the double nearest the rounded decimal.
pub fn significant(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = usize::try_from(SIGNIFICANT_DIGITS - 1).unwrap_or(9);
    format!("{x:.digits$e}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::significant;

    #[test]
    fn rounds_away_solver_noise() {
        assert_eq!(significant(0.899_999_999_999_999_9), 0.9);
        assert_eq!(significant(123_456.789_012_345), 123_456.789);
        assert_eq!(significant(0.0), 0.0);
        assert!(significant(f64::NAN).is_nan());
    }
}
