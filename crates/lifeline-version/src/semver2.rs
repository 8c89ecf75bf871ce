//! SemVer 2.0 precedence (semver.org, section 11) for npm, crates.io, Go, Hex,
//! SwiftURL and OSV `SEMVER` ranges.
//!
//! Parsing and pre-release precedence come from the `semver` crate (dtolnay).
//! That crate's own `Ord` also orders build metadata, which SemVer 2.0 says to
//! ignore, so this wrapper compares only major, minor, patch and pre-release.

use std::cmp::Ordering;

/// A SemVer 2.0 version reduced to what decides precedence.
#[derive(Clone, Debug)]
pub(crate) struct SemVer {
    major: u64,
    minor: u64,
    patch: u64,
    pre: semver::Prerelease,
}

/// How much decoration around the version text is accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prefix {
    /// Exactly `MAJOR.MINOR.PATCH[-PRE][+BUILD]` (crates.io, Hex).
    Strict,
    /// Surrounding white space and a leading `=` and/or `v` are dropped first, as
    /// node-semver's `valid()`, Go (`v1.2.3`) and Swift tags have them.
    Lenient,
}

pub(crate) fn parse(text: &str, prefix: Prefix) -> Result<SemVer, String> {
    let body = match prefix {
        Prefix::Strict => text,
        Prefix::Lenient => {
            let trimmed = text.trim();
            let trimmed = trimmed.strip_prefix('=').unwrap_or(trimmed).trim_start();
            trimmed
                .strip_prefix('v')
                .or_else(|| trimmed.strip_prefix('V'))
                .unwrap_or(trimmed)
        }
    };
    let version = semver::Version::parse(body).map_err(|error| error.to_string())?;
    Ok(SemVer {
        major: version.major,
        minor: version.minor,
        patch: version.patch,
        pre: version.pre,
    })
}

impl Ord for SemVer {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| self.pre.cmp(&other.pre))
    }
}

impl PartialOrd for SemVer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for SemVer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for SemVer {}
