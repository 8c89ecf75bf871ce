//! dpkg's version order for Debian and Ubuntu (`[epoch:]upstream[-revision]`,
//! Debian Policy section 5.6.12, dpkg's `verrevcmp`).
//!
//! Written here rather than taken from the `debversion` crate: that crate
//! orders an empty digit run below `0` (so `1.0a` < `1.0a0`), where dpkg treats
//! both as zero and equal; it also panics on some inputs and pulls in regex,
//! chrono and num-bigint. The algorithm is short:
//!
//! - the epoch is the number before the first `:` (0 when absent); the revision
//!   is what follows the last `-` (empty when absent, which equals `0`);
//! - upstream and revision compare by alternating runs: a non-digit run compares
//!   character by character with `~` before the end of the text, the end before
//!   letters, letters before other characters; then a digit run compares as a
//!   number (any size).

use std::cmp::Ordering;

use crate::version::cmp_digits;

/// A parsed dpkg version.
#[derive(Clone, Debug)]
pub(crate) struct DpkgVersion {
    /// Epoch digits without leading zeros.
    epoch: Box<str>,
    upstream: Box<str>,
    revision: Box<str>,
}

pub(crate) fn parse(text: &str) -> Result<DpkgVersion, String> {
    let body = text.trim();
    if let Some(bad) = body
        .chars()
        .find(|c| c.is_whitespace() || !c.is_ascii() || c.is_ascii_control())
    {
        return Err(format!(
            "character `{}` is not allowed in a version",
            bad.escape_default()
        ));
    }
    let (epoch, rest) = match body.split_once(':') {
        Some((epoch, rest)) => {
            if epoch.is_empty() || !epoch.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("epoch `{epoch}` is not a number"));
            }
            let digits = epoch.trim_start_matches('0');
            if digits.len() > 10 || (digits.len() == 10 && digits > "2147483647") {
                return Err(format!("epoch `{epoch}` is too big"));
            }
            (digits, rest)
        }
        None => ("", body),
    };
    if rest.is_empty() {
        return Err("nothing after the epoch's colon".to_owned());
    }
    let (upstream, revision) = match rest.rsplit_once('-') {
        Some((upstream, revision)) => {
            if revision.is_empty() {
                return Err("the revision after the last `-` is empty".to_owned());
            }
            (upstream, revision)
        }
        None => (rest, ""),
    };
    if upstream.is_empty() {
        return Err("the upstream version is empty".to_owned());
    }
    // dpkg's parseversion: the upstream version starts with a digit and uses
    // letters, digits and `.+~-:`; the revision letters, digits and `.+~`.
    if !upstream.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!(
            "upstream version `{upstream}` does not start with a digit"
        ));
    }
    if let Some(bad) = upstream
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() && !".+~-:".contains(*c))
    {
        return Err(format!(
            "character `{bad}` is not allowed in the upstream version"
        ));
    }
    if let Some(bad) = revision
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() && !".+~".contains(*c))
    {
        return Err(format!("character `{bad}` is not allowed in the revision"));
    }
    Ok(DpkgVersion {
        epoch: epoch.into(),
        upstream: upstream.into(),
        revision: revision.into(),
    })
}

/// dpkg's weight of a non-digit character; `None` is the end of the text.
fn weight(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`.
fn compare_part(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ca = a.get(i).copied().filter(|c| !c.is_ascii_digit());
            let cb = b.get(j).copied().filter(|c| !c.is_ascii_digit());
            let (wa, wb) = (weight(ca), weight(cb));
            if wa != wb {
                return wa.cmp(&wb);
            }
            // Equal weights mean both are the same non-digit character here.
            i += 1;
            j += 1;
        }
        let start_a = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        let start_b = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        // Both slices are ASCII digits, hence valid UTF-8.
        let da = std::str::from_utf8(&a[start_a..i]).unwrap_or("");
        let db = std::str::from_utf8(&b[start_b..j]).unwrap_or("");
        let result = cmp_digits(da, db);
        if result != Ordering::Equal {
            return result;
        }
    }
    Ordering::Equal
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(&self.epoch, &other.epoch)
            .then_with(|| compare_part(self.upstream.as_bytes(), other.upstream.as_bytes()))
            .then_with(|| compare_part(self.revision.as_bytes(), other.revision.as_bytes()))
    }
}

impl PartialOrd for DpkgVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DpkgVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DpkgVersion {}
