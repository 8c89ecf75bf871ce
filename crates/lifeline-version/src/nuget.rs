//! NuGet's version order (`NuGet.Versioning.VersionComparer.Default`).
//!
//! Written here because no Rust crate implements NuGet's rules, which differ
//! from SemVer 2.0 in three ways: one to four numeric parts (`1`, `1.0`,
//! `1.0.0`, `1.0.0.0` are equal; leading zeros are allowed and dropped),
//! release labels compare case-insensitively, and the fourth "revision" part
//! takes part in the order. Build metadata (after `+`) is ignored, as in SemVer.

use std::cmp::Ordering;

use crate::version::cmp_digits;

#[derive(Clone, Debug)]
enum Label {
    /// A numeric label, as digits without leading zeros.
    Number(Box<str>),
    /// An alphanumeric label, upper-cased for the case-insensitive comparison.
    Text(Box<str>),
}

/// A parsed NuGet version.
#[derive(Clone, Debug)]
pub(crate) struct NuGetVersion {
    /// Major, minor, patch and revision, as digits without leading zeros.
    parts: [Box<str>; 4],
    labels: Vec<Label>,
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

pub(crate) fn parse(text: &str) -> Result<NuGetVersion, String> {
    let body = text.trim();
    let (body, metadata) = match body.split_once('+') {
        Some((body, metadata)) => (body, Some(metadata)),
        None => (body, None),
    };
    if let Some(metadata) = metadata
        && !metadata.split('.').all(is_identifier)
    {
        return Err(format!(
            "build metadata `{metadata}` must be `.`-separated identifiers of letters, digits and `-`"
        ));
    }
    let (numbers, release) = match body.split_once('-') {
        Some((numbers, release)) => (numbers, Some(release)),
        None => (body, None),
    };
    let pieces: Vec<&str> = numbers.split('.').collect();
    if pieces.len() > 4 {
        return Err("a NuGet version has at most four numeric parts".to_owned());
    }
    let mut parts: [Box<str>; 4] = Default::default();
    for (slot, piece) in parts.iter_mut().zip(&pieces) {
        if piece.is_empty() || !piece.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{piece}` is not a non-negative number"));
        }
        let digits = piece.trim_start_matches('0');
        // NuGet stores each part in an `int`.
        if digits.len() > 10 || (digits.len() == 10 && digits > "2147483647") {
            return Err(format!("`{piece}` is larger than 2147483647"));
        }
        *slot = digits.into();
    }
    let mut labels = Vec::new();
    if let Some(release) = release {
        for label in release.split('.') {
            if !is_identifier(label) {
                return Err(format!(
                    "release label `{label}` must be letters, digits and `-`, and not empty"
                ));
            }
            if label.bytes().all(|b| b.is_ascii_digit()) {
                if label.len() > 1 && label.starts_with('0') {
                    return Err(format!(
                        "numeric release label `{label}` has a leading zero"
                    ));
                }
                labels.push(Label::Number(label.trim_start_matches('0').into()));
            } else {
                labels.push(Label::Text(label.to_ascii_uppercase().into()));
            }
        }
    }
    Ok(NuGetVersion { parts, labels })
}

fn compare_labels(left: &[Label], right: &[Label]) -> Ordering {
    match (left.is_empty(), right.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    for (l, r) in left.iter().zip(right) {
        let result = match (l, r) {
            (Label::Number(a), Label::Number(b)) => cmp_digits(a, b),
            (Label::Number(_), Label::Text(_)) => Ordering::Less,
            (Label::Text(_), Label::Number(_)) => Ordering::Greater,
            (Label::Text(a), Label::Text(b)) => a.cmp(b),
        };
        if result != Ordering::Equal {
            return result;
        }
    }
    left.len().cmp(&right.len())
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.parts.iter().zip(&other.parts) {
            let result = cmp_digits(a, b);
            if result != Ordering::Equal {
                return result;
            }
        }
        compare_labels(&self.labels, &other.labels)
    }
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NuGetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NuGetVersion {}
