//! CAP date-times (CAP 1.2 section 3.3.2): `YYYY-MM-DDThh:mm:ss±hh:mm`, the pattern of the
//! schema (`\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-,+]\d\d:\d\d`); no fractional seconds, no
//! `Z`; UTC written `-00:00`.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// `at` as CAP writes it, fractional seconds dropped, UTC as `-00:00`.
pub fn format(at: OffsetDateTime) -> String {
    let offset = at.offset();
    let (hours, minutes, _) = offset.as_hms();
    let sign = if offset.is_positive() { '+' } else { '-' };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        sign,
        hours.unsigned_abs(),
        minutes.unsigned_abs()
    )
}

/// Reads a CAP date-time; `Err` says what is wrong. Surrounding whitespace is allowed (the
/// schema's `xs:dateTime` collapses it).
pub fn parse(text: &str) -> Result<OffsetDateTime, String> {
    let text = text.trim_matches([' ', '\t', '\n', '\r']);
    let bytes = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd+dd:dd";
    let fits = bytes.len() == shape.len()
        && bytes.iter().zip(shape).all(|(&b, &s)| match s {
            b'd' => b.is_ascii_digit(),
            b'+' => b == b'+' || b == b'-',
            s => b == s,
        });
    if !fits {
        return Err(
            "not a CAP date-time: expected `YYYY-MM-DDThh:mm:ss+hh:mm` or `-hh:mm` (no fractional seconds, no `Z`; CAP 1.2 section 3.3.2)"
                .to_owned(),
        );
    }
    let number = |from: usize, to: usize| -> u32 {
        bytes[from..to]
            .iter()
            .fold(0, |n, &b| n * 10 + u32::from(b - b'0'))
    };
    let year = number(0, 4) as i32;
    let month = Month::try_from(number(5, 7) as u8).map_err(|_| "month out of range".to_owned())?;
    let date = Date::from_calendar_date(year, month, number(8, 10) as u8)
        .map_err(|error| format!("not a date: {error}"))?;
    let time = Time::from_hms(
        number(11, 13) as u8,
        number(14, 16) as u8,
        number(17, 19) as u8,
    )
    .map_err(|error| format!("not a time: {error}"))?;
    // XML Schema's dateTime (which CAP's restricts) allows offsets up to 14 hours.
    if number(20, 22) * 60 + number(23, 25) > 14 * 60 || number(23, 25) > 59 {
        return Err("the time-zone offset is beyond +/-14:00".to_owned());
    }
    let sign: i8 = if bytes[19] == b'-' { -1 } else { 1 };
    let offset = UtcOffset::from_hms(sign * number(20, 22) as i8, sign * number(23, 25) as i8, 0)
        .map_err(|error| format!("not a time-zone offset: {error}"))?;
    Ok(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_is_minus_zero_and_offsets_keep_their_sign() {
        let at = parse("2003-06-17T14:57:00-07:00").expect("valid");
        assert_eq!(format(at), "2003-06-17T14:57:00-07:00");
        let utc = parse("2011-10-17T11:18:00+00:00").expect("valid");
        assert_eq!(format(utc), "2011-10-17T11:18:00-00:00");
        assert_eq!(
            format(parse("2020-01-01T00:00:00+05:30").expect("valid")),
            "2020-01-01T00:00:00+05:30"
        );
        assert_eq!(
            format(parse("2020-01-01T00:00:00-03:30").expect("valid")),
            "2020-01-01T00:00:00-03:30"
        );
    }

    #[test]
    fn other_shapes_are_refused() {
        for bad in [
            "2003-06-17T14:57:00Z",
            "2003-06-17T14:57:00.5-07:00",
            "2003-06-17 14:57:00-07:00",
            "2003-13-17T14:57:00-07:00",
            "2003-02-30T14:57:00-07:00",
            "2003-06-17T24:57:00-07:00",
            "2003-06-17T14:57:00-25:00",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
