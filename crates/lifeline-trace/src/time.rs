//! ISO 8601 / xsd:dateTime timestamps: parsing to UTC milliseconds and the CBV 2.0
//! canonical form `YYYY-MM-DDTHH:MM:SS.mmmZ`.
//!
//! Written by hand rather than with a date crate because the event hash needs exact
//! control of the rounding: fractions are cut to microseconds and rounded to milliseconds
//! half-to-even, which is what the published hash vectors were made with.

/// A timestamp in UTC, in microseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0i64, |acc, d| {
        acc.checked_mul(10)?.checked_add(i64::from(d - b'0'))
    })
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM[:SS[.fraction]][Z|±HH:MM]`; no zone means UTC.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let s = text.trim().as_bytes();
        if s.len() < 16 || s[4] != b'-' || s[7] != b'-' || !matches!(s[10], b'T' | b't' | b' ') {
            return None;
        }
        let year = digits(&s[0..4])?;
        let month = digits(&s[5..7])?;
        let day = digits(&s[8..10])?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        if s[13] != b':' {
            return None;
        }
        let hour = digits(&s[11..13])?;
        let minute = digits(&s[14..16])?;
        let mut rest = &s[16..];
        let mut second = 0;
        let mut micros = 0;
        if rest.first() == Some(&b':') {
            second = digits(rest.get(1..3)?)?;
            rest = &rest[3..];
            if rest.first() == Some(&b'.') || rest.first() == Some(&b',') {
                let n = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
                if n == 0 {
                    return None;
                }
                let frac = &rest[1..1 + n];
                for i in 0..6 {
                    micros = micros * 10 + frac.get(i).map_or(0, |d| i64::from(d - b'0'));
                }
                rest = &rest[1 + n..];
            }
        }
        if hour > 24
            || minute > 59
            || second > 60
            || (hour == 24 && (minute, second, micros) != (0, 0, 0))
        {
            return None;
        }
        let offset_minutes = match rest {
            [] | [b'Z'] | [b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
            | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
                let h = digits(&[*h1, *h2])?;
                let m = digits(&[*m1, *m2])?;
                if h > 14 || m > 59 {
                    return None;
                }
                let total = h * 60 + m;
                if *sign == b'-' { -total } else { total }
            }
            _ => return None,
        };
        let days = days_from_civil(year, month, day);
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
        Some(Timestamp(seconds * 1_000_000 + micros))
    }

    /// Milliseconds since the epoch, rounded half-to-even from microseconds.
    pub fn millis(self) -> i64 {
        let floor = self.0.div_euclid(1000);
        let remainder = self.0.rem_euclid(1000);
        match remainder.cmp(&500) {
            std::cmp::Ordering::Less => floor,
            std::cmp::Ordering::Greater => floor + 1,
            std::cmp::Ordering::Equal => floor + (floor & 1),
        }
    }

    /// The CBV 2.0 canonical form: UTC, milliseconds, `Z`.
    pub fn canonical(self) -> String {
        format_millis(self.millis())
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for milliseconds since the epoch.
pub fn format_millis(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let rest = millis.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

/// Parses a plain date `YYYY-MM-DD` (as in ILMD `itemExpirationDate`) to days since the epoch.
pub fn parse_date_days(text: &str) -> Option<i64> {
    let s = text.trim().as_bytes();
    if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let (year, month, day) = (digits(&s[0..4])?, digits(&s[5..7])?, digits(&s[8..10])?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        let check = |input: &str, expected: &str| {
            assert_eq!(
                Timestamp::parse(input).map(Timestamp::canonical).as_deref(),
                Some(expected),
                "{input}"
            );
        };
        check(
            "2022-02-16T20:33:31.116000-06:00",
            "2022-02-17T02:33:31.116Z",
        );
        check("2019-10-21T14:45:00Z", "2019-10-21T14:45:00.000Z");
        check("2023-02-02T12:04:03.1415+01:00", "2023-02-02T11:04:03.142Z");
        check("2023-02-02T12:04:03.1405+01:00", "2023-02-02T11:04:03.140Z");
        check("2023-02-02T12:04:03.9995Z", "2023-02-02T12:04:04.000Z");
        check("2000-02-29T00:00:00+14:00", "2000-02-28T10:00:00.000Z");
        check("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z");
        assert_eq!(Timestamp::parse("2021-02-29T00:00:00Z"), None);
        assert_eq!(Timestamp::parse("yesterday"), None);
    }

    proptest::proptest! {
        #[test]
        fn format_parse_round_trip(millis in -2_000_000_000_000i64..5_000_000_000_000i64) {
            let text = format_millis(millis);
            let parsed = Timestamp::parse(&text).map(Timestamp::millis);
            proptest::prop_assert_eq!(parsed, Some(millis));
        }
    }
}
