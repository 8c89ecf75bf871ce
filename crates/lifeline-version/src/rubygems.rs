//! RubyGems' version order, the order of `Gem::Version#<=>`.
//!
//! Written here because the Rust crates for gem versions are small and
//! unmaintained; the algorithm is short:
//!
//! - a version matches `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`
//!   after stripping white space, and every `-` is read as `.pre.`;
//! - it is split into segments, runs of digits (numbers) and runs of letters
//!   (strings); a version with a letter is a pre-release;
//! - the canonical segments drop trailing zeros from the numeric part (before the
//!   first string) and from the rest;
//! - comparison pads the shorter list with `0`; a string sorts before a number,
//!   numbers compare numerically, strings compare bytewise (case-sensitive).

use std::cmp::Ordering;

use crate::version::cmp_digits;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    /// Decimal digits without leading zeros (zero is `""`).
    Number(Box<str>),
    /// A run of ASCII letters.
    Text(Box<str>),
}

/// A parsed gem version: its canonical segments.
#[derive(Clone, Debug)]
pub(crate) struct GemVersion(Vec<Segment>);

pub(crate) fn parse(text: &str) -> Result<GemVersion, String> {
    let body = text.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\0');
    validate(body)?;
    let replaced = body.replace('-', ".pre.");
    let mut segments = Vec::new();
    let bytes = replaced.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let digits = replaced[start..i].trim_start_matches('0');
            segments.push(Segment::Number(digits.into()));
        } else if bytes[i].is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            segments.push(Segment::Text(replaced[start..i].into()));
        } else {
            i += 1;
        }
    }
    // Canonical segments: trailing zeros dropped from the numeric head and from the tail.
    let split = segments
        .iter()
        .position(|s| matches!(s, Segment::Text(_)))
        .unwrap_or(segments.len());
    let mut tail = segments.split_off(split);
    trim_zeros(&mut segments);
    trim_zeros(&mut tail);
    segments.extend(tail);
    Ok(GemVersion(segments))
}

fn trim_zeros(segments: &mut Vec<Segment>) {
    while matches!(segments.last(), Some(Segment::Number(d)) if d.is_empty()) {
        segments.pop();
    }
}

/// Checks the text against `Gem::Version::ANCHORED_VERSION_PATTERN`.
fn validate(body: &str) -> Result<(), String> {
    let (release, pre) = match body.split_once('-') {
        Some((release, pre)) => (release, Some(pre)),
        None => (body, None),
    };
    let mut parts = release.split('.');
    let first = parts.next().unwrap_or("");
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err("a gem version starts with a number".to_owned());
    }
    for part in parts {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!(
                "`{part}` is not a segment: segments are letters and digits, separated by `.`"
            ));
        }
    }
    if let Some(pre) = pre {
        for part in pre.split('.') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(format!(
                    "`{part}` is not a pre-release segment: letters, digits and `-` only"
                ));
            }
        }
    }
    Ok(())
}

fn compare_segments(left: Option<&Segment>, right: Option<&Segment>) -> Ordering {
    match (left, right) {
        (Some(Segment::Number(a)), Some(Segment::Number(b))) => cmp_digits(a, b),
        (Some(Segment::Text(a)), Some(Segment::Text(b))) => a.as_bytes().cmp(b.as_bytes()),
        (Some(Segment::Text(_)), Some(Segment::Number(_))) => Ordering::Less,
        (Some(Segment::Number(_)), Some(Segment::Text(_))) => Ordering::Greater,
        (Some(Segment::Number(a)), None) => cmp_digits(a, ""),
        (None, Some(Segment::Number(b))) => cmp_digits("", b),
        (Some(Segment::Text(_)), None) => Ordering::Less,
        (None, Some(Segment::Text(_))) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let length = self.0.len().max(other.0.len());
        for i in 0..length {
            let result = compare_segments(self.0.get(i), other.0.get(i));
            if result != Ordering::Equal {
                return result;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GemVersion {}
