//! [`Version`]: a version string parsed for one ecosystem, ordered by that
//! ecosystem's rules, and the dispatch from [`Ecosystem`] to each parser.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use crate::semver2::{Prefix, SemVer};
use crate::{Ecosystem, VersionError, alpine, debian, maven, nuget, pypi, rubygems, semver2};

/// The comparable form of a version, one variant per version order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Key {
    SemVer(SemVer),
    Pep440(pypi::Pep440),
    Maven(maven::MavenVersion),
    RubyGems(rubygems::GemVersion),
    NuGet(nuget::NuGetVersion),
    Dpkg(debian::DpkgVersion),
    Apk(alpine::ApkVersion),
    /// A version of [`Ecosystem::Generic`]: its trimmed text, ordered bytewise.
    Text(Box<str>),
}

/// A version parsed for one ecosystem.
///
/// [`Ord`] is the ecosystem's own order, and [`Eq`] agrees with it, so PyPI's
/// `1.0` equals `1.0.0` and npm's `1.0.0+build1` equals `1.0.0`. Compare versions
/// of one ecosystem only: versions of different ecosystems are ordered (so that
/// the order is total) but the result means nothing. [`Display`](fmt::Display)
/// gives the original text.
#[derive(Clone, Debug)]
pub struct Version {
    ecosystem: Ecosystem,
    text: Box<str>,
    key: Key,
}

impl Version {
    /// The ecosystem the version was parsed for.
    pub fn ecosystem(&self) -> Ecosystem {
        self.ecosystem
    }

    /// The original text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub(crate) fn key(&self) -> &Key {
        &self.key
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key
            .cmp(&other.key)
            .then_with(|| self.ecosystem.cmp(&other.ecosystem))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Ecosystem {
    /// Parses `version` by this ecosystem's grammar, after dropping surrounding
    /// white space; [`Version`]'s `Display` keeps the text as given.
    ///
    /// # Errors
    /// [`VersionError::TooLong`] for text over [`MAX_VERSION_LEN`] bytes,
    /// [`VersionError::Empty`] for empty or blank text, [`VersionError::Invalid`]
    /// (naming the ecosystem, the text and the reason) for text outside the grammar.
    pub fn parse(self, version: &str) -> Result<Version, VersionError> {
        let key = parse_key_checked(self, version)?;
        Ok(Version {
            ecosystem: self,
            text: version.into(),
            key,
        })
    }
}

/// The longest version text, in bytes, that any ecosystem parses: 1 KiB.
///
/// Real versions are far shorter (the longest in the OSV, CycloneDX and SPDX fixtures
/// is under 100 bytes; Debian's long `+dfsg~git20240101.abcdef-1ubuntu0.1` forms are
/// about 60). A longer text comes from a broken or hostile file: it is rejected with
/// [`VersionError::TooLong`] before any parser sees it, so it evaluates to
/// [`Verdict::Unknown`](crate::Verdict::Unknown), and the work and memory that one
/// version can cost stay bounded whatever the parser.
pub const MAX_VERSION_LEN: usize = 1024;

/// Rejects a text longer than [`MAX_VERSION_LEN`].
pub(crate) fn check_length(ecosystem: Ecosystem, text: &str) -> Result<(), VersionError> {
    if text.len() <= MAX_VERSION_LEN {
        return Ok(());
    }
    let mut cut = lifeline_text::EXCERPT_CHARS.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Err(VersionError::TooLong {
        ecosystem,
        start: text[..cut].to_owned(),
        length: text.len(),
        limit: MAX_VERSION_LEN,
    })
}

/// Parses the comparable key of a version, with the errors of [`Ecosystem::parse`].
pub(crate) fn parse_key_checked(ecosystem: Ecosystem, text: &str) -> Result<Key, VersionError> {
    check_length(ecosystem, text)?;
    if text.trim().is_empty() {
        return Err(VersionError::Empty {
            ecosystem,
            text: text.to_owned(),
        });
    }
    // Surrounding white space is dropped for every ecosystem: it comes from
    // hand-edited SBOMs and never carries meaning.
    // The reasons of `pep440_rs` and `semver` may quote the text: escaped here, once
    // for every parser.
    parse_key(ecosystem, text.trim()).map_err(|reason| VersionError::Invalid {
        ecosystem,
        text: text.to_owned(),
        reason: lifeline_text::excerpt_to(&reason, 2 * lifeline_text::EXCERPT_CHARS).into_owned(),
    })
}

fn parse_key(ecosystem: Ecosystem, text: &str) -> Result<Key, String> {
    Ok(match ecosystem {
        Ecosystem::Npm | Ecosystem::Go | Ecosystem::SwiftUrl => {
            Key::SemVer(semver2::parse(text, Prefix::Lenient)?)
        }
        Ecosystem::CratesIo | Ecosystem::Hex => Key::SemVer(semver2::parse(text, Prefix::Strict)?),
        Ecosystem::PyPi => Key::Pep440(pypi::parse(text)?),
        Ecosystem::Maven => Key::Maven(maven::parse(text)?),
        Ecosystem::RubyGems => Key::RubyGems(rubygems::parse(text)?),
        Ecosystem::NuGet => Key::NuGet(nuget::parse(text)?),
        Ecosystem::Debian | Ecosystem::Ubuntu => Key::Dpkg(debian::parse(text)?),
        Ecosystem::Alpine | Ecosystem::Wolfi | Ecosystem::Chainguard => {
            Key::Apk(alpine::parse(text)?)
        }
        Ecosystem::Generic => Key::Text(text.into()),
    })
}

/// The key an OSV `SEMVER` range compares by: SemVer 2.0 precedence whatever the
/// ecosystem, reusing the parsed key where the ecosystem's order is SemVer.
pub(crate) fn semver_key(version: &Version) -> Result<Cow<'_, Key>, String> {
    match &version.key {
        Key::SemVer(_) => Ok(Cow::Borrowed(&version.key)),
        _ => semver_key_of_text(&version.text).map(Cow::Owned),
    }
}

/// Parses text as SemVer 2.0 for an OSV `SEMVER` range (a leading `v` allowed), at
/// most [`MAX_VERSION_LEN`] bytes.
pub(crate) fn semver_key_of_text(text: &str) -> Result<Key, String> {
    if text.len() > MAX_VERSION_LEN {
        return Err(format!(
            "longer than {MAX_VERSION_LEN} bytes ({} bytes); no real version is",
            text.len()
        ));
    }
    semver2::parse(text, Prefix::Lenient)
        .map(Key::SemVer)
        .map_err(|reason| {
            lifeline_text::excerpt_to(&reason, 2 * lifeline_text::EXCERPT_CHARS).into_owned()
        })
}

/// Compares two runs of ASCII digits as numbers of any size.
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_compare_as_numbers_of_any_size() {
        assert_eq!(cmp_digits("", "0"), Ordering::Equal);
        assert_eq!(cmp_digits("007", "7"), Ordering::Equal);
        assert_eq!(cmp_digits("9", "10"), Ordering::Less);
        assert_eq!(
            cmp_digits(
                "123456789012345678901234567890",
                "123456789012345678901234567891"
            ),
            Ordering::Less
        );
    }

    #[test]
    fn versions_of_different_ecosystems_still_order_totally() {
        let npm = Ecosystem::Npm.parse("1.0.0").expect("valid");
        let crates = Ecosystem::CratesIo.parse("1.0.0").expect("valid");
        assert_ne!(npm, crates);
        assert_eq!(npm.cmp(&crates), crates.cmp(&npm).reverse());
    }

    #[test]
    fn compiled_ranges_and_versions_can_cross_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Version>();
        assert_send_sync::<crate::CompiledRanges>();
    }
}
