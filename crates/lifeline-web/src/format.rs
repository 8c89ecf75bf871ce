//! Numbers as the pages show them: days with two decimals, units with thousands
//! separators, a TTS capped at the horizon with `≥`.

/// `9.36 days`, `≥365 days` when capped at the horizon.
pub fn days(value: f64, capped: bool) -> String {
    let text = decimal(value, 2);
    let unit = if (value - 1.0).abs() < f64::EPSILON {
        "day"
    } else {
        "days"
    };
    if capped {
        format!("≥{text} {unit}")
    } else {
        format!("{text} {unit}")
    }
}

/// A number with at most `places` decimals, trailing zeros dropped: `9.36`, `112`, `-7.64`.
pub fn decimal(value: f64, places: usize) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let text = format!("{value:.places$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    if text == "-0" { "0".to_owned() } else { text }
}

/// Whole units with thousands separators: `694,905`; `—` for a value that is not a number.
pub fn units(value: f64) -> String {
    if value.is_finite() {
        lifeline_text::thousands(value.round())
    } else {
        "—".to_owned()
    }
}

/// An optional quantity, `—` when absent.
pub fn optional(value: Option<f64>, show: impl Fn(f64) -> String) -> String {
    value.map(show).unwrap_or_else(|| "—".to_owned())
}

/// A Unix time in milliseconds as `2026-12-06 05:04 UTC`.
pub fn timestamp(ms: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| ms.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(days(9.363636364, false), "9.36 days");
        assert_eq!(days(365.0, true), "≥365 days");
        assert_eq!(days(1.0, false), "1 day");
        assert_eq!(decimal(-102.6363636, 2), "-102.64");
        assert_eq!(decimal(-0.001, 2), "0");
        assert_eq!(units(694_905.0), "694,905");
        assert_eq!(units(-1_234_567.4), "-1,234,567");
        assert_eq!(units(999.0), "999");
        assert_eq!(units(f64::NAN), "—");
        assert_eq!(timestamp(0), "1970-01-01 00:00 UTC");
        assert_eq!(timestamp(1_796_528_400_000), "2026-12-06 03:40 UTC");
    }
}
