//! The few statistics Monte Carlo reports need: the normal CDF and its inverse, Wilson
//! intervals for proportions, sample quantiles and distribution-free intervals for them.
//!
//! Written here rather than taken from `statrs`, whose dependency tree (nalgebra) would
//! outweigh these forty lines; `libm` supplies `erfc`.

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Φ(x), the standard normal CDF.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Φ⁻¹(p) for 0 < p < 1, by bisection on [`normal_cdf`] (to about 1e-15); ±∞ at 0 and 1.
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let (mut low, mut high) = (-40.0_f64, 40.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if normal_cdf(mid) < p {
            low = mid;
        } else {
            high = mid;
        }
        if high - low < 1e-15 {
            break;
        }
    }
    0.5 * (low + high)
}

/// The Wilson score interval (95%) of a proportion of `successes` in `n` trials.
pub fn wilson_interval(successes: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n_f = n as f64;
    let p = successes as f64 / n_f;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denominator;
    let half = Z95 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denominator;
    // At p = 0 or 1 the bound is exactly 0 or 1; say so rather than round near it.
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if successes == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (low, high)
}

/// The `p`-quantile of `n` sorted values given by rank (`at(i)` for `i` in `0..n`),
/// interpolating linearly between order statistics (Hyndman and Fan's type 7, numpy's
/// default).
pub fn quantile_at(n: usize, p: f64, at: impl Fn(usize) -> f64) -> f64 {
    match n {
        0 => f64::NAN,
        1 => at(0),
        n => {
            let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
            let below = h.floor();
            // `below` is in 0..n-1 by construction.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let i = below as usize;
            let next = at((i + 1).min(n - 1));
            let value = at(i);
            value + (h - below) * (next - value)
        }
    }
}

/// A distribution-free 95% interval for the `p`-quantile of sorted values: the order
/// statistics whose ranks bracket n·p by ±z·√(n·p·(1−p)) (normal approximation to the
/// binomial count of values below the quantile).
pub fn quantile_interval(sorted: &[f64], p: f64) -> (f64, f64) {
    quantile_interval_at(sorted.len(), p, |i| sorted[i])
}

/// [`quantile_interval`] of `n` sorted values given by rank.
pub fn quantile_interval_at(n: usize, p: f64, at: impl Fn(usize) -> f64) -> (f64, f64) {
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let n_f = n as f64;
    let spread = Z95 * (n_f * p * (1.0 - p)).sqrt();
    let rank = |r: f64| -> usize {
        // Clamped to 0..n-1 first.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let r = r.clamp(0.0, n_f - 1.0) as usize;
        r
    };
    let low = rank((n_f * p - spread).floor() - 1.0);
    let high = rank((n_f * p + spread).ceil());
    (at(low), at(high))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_and_quantile_agree_with_tables() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-15);
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-12);
        assert!((normal_cdf(-1.0) - 0.158_655_253_931_457_05).abs() < 1e-12);
        for p in [0.001, 0.22, 0.5, 0.63, 0.975, 0.999_9] {
            assert!((normal_cdf(normal_quantile(p)) - p).abs() < 1e-13, "{p}");
        }
        assert!((normal_quantile(0.975) - Z95).abs() < 1e-12);
    }

    #[test]
    fn wilson_matches_a_worked_value() {
        // 81 successes in 263 trials: Wilson 95% interval (0.2553, 0.3662), per Newcombe (1998).
        let (low, high) = wilson_interval(81, 263);
        assert!((low - 0.2553).abs() < 1e-4, "{low}");
        assert!((high - 0.3662).abs() < 1e-4, "{high}");
        assert_eq!(wilson_interval(0, 10).0, 0.0);
        assert_eq!(wilson_interval(10, 10).1, 1.0);
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let quantile = |v: &[f64], p: f64| quantile_at(v.len(), p, |i| v[i]);
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert_eq!(quantile(&v, 0.9), 3.7);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 4.0);
        let sorted: Vec<f64> = (0..1000).map(f64::from).collect();
        let (low, high) = quantile_interval(&sorted, 0.5);
        assert!(low < 500.0 && high > 499.0 && high - low < 80.0);
    }
}
