//! Calendar dates as the register writes them: `YYYY-MM-DD`.

use time::Date;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

const FORMAT: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// Reads `YYYY-MM-DD`.
pub fn parse(text: &str) -> Option<Date> {
    if text.len() != 10 {
        return None;
    }
    Date::parse(text, FORMAT).ok()
}

/// Writes `YYYY-MM-DD`.
pub fn format(date: Date) -> String {
    date.format(FORMAT)
        .unwrap_or_else(|_| unreachable!("a calendar date always formats as YYYY-MM-DD"))
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    (to - from).whole_days()
}

pub(crate) mod required {
    use serde::Serializer;
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format(*date))
    }
}

pub(crate) mod option {
    use serde::Serializer;
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => serializer.serialize_str(&super::format(*date)),
            None => serializer.serialize_none(),
        }
    }
}
