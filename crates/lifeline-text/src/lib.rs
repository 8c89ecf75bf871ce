//! Text that lifeline shows people. Every value that a partner's file can carry (an id, a
//! product name, an advisory summary) may be hostile: it may hold terminal escape sequences
//! that retitle or clear a terminal, bidi controls that make `txt.exe` read as `exe.txt`,
//! a megabyte of text where a message expects a word, or a spreadsheet formula. Front ends
//! and error messages pass such values through this crate before a person sees them:
//!
//! - [`escaped`]: control characters (C0, DEL, C1) and invisible direction/format
//!   characters written as `\u{…}` escapes, so what a terminal shows is what the file holds;
//! - [`excerpt`]: the same, cut to a length that fits a message, saying how long the
//!   value was;
//! - [`csv_cell`]: a text cell that spreadsheets do not evaluate (OWASP CSV injection);
//! - [`suggest`]: the one "did you mean" rule used by every reader;
//! - [`percent_encoded`]: a value as one component of a URL (a path segment, a query
//!   value), so an id cannot add a path or a parameter to a link;
//! - [`thousands`]: whole units with thousands separators, as tables show them.
//!
//! No IO, no allocation where a value needs no change.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// The longest value, in characters, that [`excerpt`] shows whole. Messages name a value
/// so that its author can find it; a longer one is cut, with its length.
pub const EXCERPT_CHARS: usize = 80;

/// Words or candidates longer than this get no "did you mean": an edit distance costs
/// the product of the two lengths, and a hostile megabyte-long id must not turn an error
/// message into minutes of work.
pub const SUGGEST_MAX_CHARS: usize = 128;

/// Whether `c` must not reach a terminal or a spreadsheet as it is: control characters
/// (C0, DEL, C1, which include ESC, BEL, NUL, CR and LF) and the invisible characters that
/// change how the text around them reads (bidi embeddings, overrides and isolates, the
/// direction marks, line and paragraph separators, zero-width joiners and the BOM).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `value` with every [`is_unsafe`] character written as an escape: `\n`, `\r`, `\t`, and
/// `\u{hex}` for the rest (`ESC` is `\u{1b}`). Borrowed when there is nothing to escape.
/// Backslashes stay as they are: the output is for people, and what matters is that no
/// character in it acts on the terminal, not that it can be unescaped.
pub fn escaped(value: &str) -> Cow<'_, str> {
    if !value.chars().any(is_unsafe) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_unsafe(c) => {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
        c => out.push(c),
    }
}

/// `value` escaped as [`escaped`] does and cut to `max_chars` characters; a cut value ends
/// with `…` and its full length in bytes, so that `excerpt(megabyte, 80)` reads
/// `AAAA…AAAA… (1048576 bytes)`.
pub fn excerpt_to(value: &str, max_chars: usize) -> Cow<'_, str> {
    let cut = value.char_indices().nth(max_chars).map(|(at, _)| at);
    match cut {
        None => escaped(value),
        Some(at) => {
            let mut out = escaped(&value[..at]).into_owned();
            let _ = write!(out, "… ({} bytes)", value.len());
            Cow::Owned(out)
        }
    }
}

/// [`excerpt_to`] at [`EXCERPT_CHARS`]: how a message names a value from a file.
pub fn excerpt(value: &str) -> Cow<'_, str> {
    excerpt_to(value, EXCERPT_CHARS)
}

/// A `Display` that writes [`excerpt`] of its value without building a `String` first:
/// `format!("unknown node `{}`", Excerpt(id))`.
#[derive(Clone, Copy, Debug)]
pub struct Excerpt<'a>(pub &'a str);

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&excerpt(self.0))
    }
}

/// A `Display` that writes [`escaped`] of its value whole: for tables, where a value is
/// the data asked for and must not be cut, only made harmless.
#[derive(Clone, Copy, Debug)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escaped(self.0))
    }
}

/// A CSV text cell that a spreadsheet shows as text: unsafe characters escaped, and a cell
/// that begins with `=`, `+`, `-`, `@`, a tab or a carriage return (what Excel, LibreOffice
/// and Google Sheets read as a formula) prefixed with `'`, as OWASP's "CSV Injection"
/// page recommends. Use it for text columns only: a number column keeps its `-`.
pub fn csv_cell(value: &str) -> Cow<'_, str> {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    match (formula, escaped(value)) {
        (false, text) => text,
        (true, text) => Cow::Owned(format!("'{text}")),
    }
}

/// `value` as XML or HTML text or attribute value: unsafe characters escaped as [`escaped`]
/// writes them (visible, never interpreted), then `&`, `<`, `>`, `"` and `'` as entities. For
/// the documents lifeline writes by hand (SVG charts, standalone HTML reports); templates
/// escape with their engine.
pub fn xml_escaped(value: &str) -> String {
    let text = escaped(value);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What [`percent_encoded`] leaves as it is: RFC 3986's unreserved characters.
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `value` as one URL component (a path segment or a query value): every byte but RFC
/// 3986's unreserved characters percent-encoded, so `/`, `?`, `&`, `#` and `%` in an id
/// stay inside it.
pub fn percent_encoded(value: &str) -> Cow<'_, str> {
    percent_encoding::utf8_percent_encode(value, COMPONENT).into()
}

/// `value` rounded to whole units (as `{:.0}` rounds), with a comma between thousands:
/// `694,905`, `-1,234,567`; no sign on a value that rounds to zero. Not for NaN or infinities, which
/// are written as Rust writes them.
pub fn thousands(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0.0 && digits.bytes().any(|b| b != b'0') {
        grouped.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// The candidate closest to `word` by edit distance, when close enough to be a typo: at
/// most a third of the longer of the two, and at least one edit. Ties go to the candidate
/// that sorts first, so the answer does not depend on the order the candidates come in.
/// Words or candidates longer than [`SUGGEST_MAX_CHARS`] are not compared.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_chars = word.chars().count();
    if word_chars > SUGGEST_MAX_CHARS {
        return None;
    }
    candidates
        .into_iter()
        .filter_map(|candidate| {
            let chars = candidate.chars().count();
            if chars > SUGGEST_MAX_CHARS || candidate == word {
                return None;
            }
            let limit = (chars.max(word_chars) / 3).max(1);
            // Lengths that differ by more than the limit cannot be within it.
            if chars.abs_diff(word_chars) > limit {
                return None;
            }
            let distance = strsim::levenshtein(word, candidate);
            (distance <= limit).then_some((distance, candidate))
        })
        .min()
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {

    #[test]
    fn urls_and_thousands() {
        assert_eq!(percent_encoded("iv-plant_nc.1~"), "iv-plant_nc.1~");
        assert_eq!(
            percent_encoded("a/b?c&d#e%f@g h"),
            "a%2Fb%3Fc%26d%23e%25f%40g%20h"
        );
        assert_eq!(percent_encoded("é"), "%C3%A9");
        assert_eq!(thousands(694_905.0), "694,905");
        assert_eq!(thousands(-1_234_567.4), "-1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(-0.4), "0");
        assert_eq!(thousands(1000.0), "1,000");
    }

    use super::*;
    use proptest::prelude::*;

    #[track_caller]
    fn check_escaped(input: &str, expected: &str) {
        assert_eq!(escaped(input), expected, "{input:?}");
    }

    #[test]
    fn escapes_what_a_terminal_would_run() {
        check_escaped("PHA-1", "PHA-1");
        check_escaped(
            "\u{1b}]0;PWNED\u{7}\u{1b}[2J",
            "\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J",
        );
        check_escaped("a\0b", "a\\u{0}b");
        check_escaped("line\r\nnext\tcell", "line\\r\\nnext\\tcell");
        check_escaped("invoice\u{202E}fdp.exe", "invoice\\u{202e}fdp.exe");
        check_escaped("\u{2066}x\u{2069}", "\\u{2066}x\\u{2069}");
        check_escaped("\u{9b}31m", "\\u{9b}31m");
        check_escaped("\u{7f}", "\\u{7f}");
        check_escaped("Hôpital Saint-Éloi 東京", "Hôpital Saint-Éloi 東京");
    }

    #[test]
    fn borrows_when_nothing_changes() {
        assert!(matches!(escaped("plain id"), Cow::Borrowed(_)));
        assert!(matches!(csv_cell("plain id"), Cow::Borrowed(_)));
        assert!(matches!(excerpt("short"), Cow::Borrowed(_)));
    }

    #[test]
    fn excerpts_cut_long_values_and_say_how_long() {
        let long = "A".repeat(1_048_576);
        let shown = excerpt(&long);
        assert_eq!(
            shown,
            format!("{}… (1048576 bytes)", "A".repeat(EXCERPT_CHARS))
        );
        assert_eq!(excerpt_to("ééé", 2), "éé… (6 bytes)");
        assert_eq!(excerpt_to("abc", 3), "abc");
        assert_eq!(excerpt_to("\u{1b}bc", 2), "\\u{1b}b… (3 bytes)");
        assert_eq!(Excerpt("x\u{7}").to_string(), "x\\u{7}");
        assert_eq!(Escaped("x\u{7}").to_string(), "x\\u{7}");
    }

    #[test]
    fn xml_text_is_inert() {
        assert_eq!(
            super::xml_escaped("<a href='x'>&\"\u{202e}"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\\u{202e}"
        );
    }

    #[test]
    fn csv_cells_are_not_formulas() {
        for (input, expected) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\\tcmd"),
            ("\rcmd", "'\\rcmd"),
            ("SITE-1", "SITE-1"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(input), expected, "{input:?}");
        }
    }

    #[test]
    fn suggestions_find_typos_and_only_typos() {
        let ids = [
            "hospital-a",
            "hospital-b",
            "distributor",
            "shipping",
            "recalled",
        ];
        assert_eq!(suggest("hospital-c", ids), Some("hospital-a"));
        assert_eq!(suggest("distributer", ids), Some("distributor"));
        assert_eq!(suggest("shiping", ids), Some("shipping"));
        assert_eq!(suggest("recaled", ids), Some("recalled"));
        assert_eq!(suggest("zzzzzzzz", ids), None);
        assert_eq!(suggest("x", ["y"]), Some("y"));
        assert_eq!(
            suggest("shipping", ids),
            None,
            "an exact match is no suggestion"
        );
        let huge = "h".repeat(1_000_000);
        assert_eq!(suggest(&huge, ids), None);
        assert_eq!(suggest("hospital-a", [huge.as_str()]), None);
    }

    proptest! {
        #[test]
        fn escaped_text_is_safe_and_keeps_safe_text(value in any::<String>()) {
            let shown = escaped(&value);
            prop_assert!(!shown.chars().any(is_unsafe));
            if !value.chars().any(is_unsafe) {
                prop_assert_eq!(shown.as_ref(), value.as_str());
            }
            let cell = csv_cell(&value);
            prop_assert!(!cell.chars().any(is_unsafe));
            prop_assert!(!cell.starts_with(['=', '+', '-', '@']));
        }

        #[test]
        fn excerpts_are_bounded(value in any::<String>(), max in 0usize..100) {
            let shown = excerpt_to(&value, max);
            // Each kept character escapes to at most 10 (`\u{10ffff}`), plus the suffix.
            prop_assert!(shown.chars().count() <= max * 10 + 32);
            prop_assert!(!shown.chars().any(is_unsafe));
        }

        #[test]
        fn suggestion_order_does_not_matter(
            word in "[a-c]{1,6}",
            mut candidates in proptest::collection::vec("[a-c]{1,6}", 0..8),
        ) {
            let forward = suggest(&word, candidates.iter().map(String::as_str)).map(str::to_owned);
            candidates.reverse();
            let backward = suggest(&word, candidates.iter().map(String::as_str)).map(str::to_owned);
            prop_assert_eq!(forward, backward);
        }
    }
}
