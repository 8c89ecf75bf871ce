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

/// Whole units with thousands separators: `694,905`.
pub fn units(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let rounded = value.round();
    let negative = rounded < 0.0;
    let digits = format!("{:.0}", rounded.abs());
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if negative && out != "0" {
        format!("-{out}")
    } else {
        out
    }
}

/// An optional quantity, `—` when absent.
pub fn optional(value: Option<f64>, show: impl Fn(f64) -> String) -> String {
    value.map(show).unwrap_or_else(|| "—".to_owned())
}

/// A Unix time in milliseconds as `2026-12-06 05:04 UTC`.
pub fn timestamp(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
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
