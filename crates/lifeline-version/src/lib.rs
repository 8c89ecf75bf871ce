//! Package version orders per ecosystem and OSV range evaluation.
//!
//! `lifeline-version` answers one question for the vulnerability matcher
//! (`lifeline-vuln`): "is version `v` of a package inside the affected ranges of
//! an OSV advisory?". It has two parts:
//!
//! - [`Ecosystem::parse`] turns a version string into a [`Version`] whose [`Ord`]
//!   is that ecosystem's own order: SemVer 2.0 (npm, crates.io, Go, Hex,
//!   SwiftURL), PEP 440 (PyPI), Maven's `ComparableVersion`, RubyGems'
//!   `Gem::Version`, NuGet, dpkg (Debian, Ubuntu) and apk (Alpine, Wolfi,
//!   Chainguard). [`Ecosystem::Generic`] stands for any other ecosystem: only
//!   what OSV defines for all ecosystems (`versions` lists, `SEMVER` ranges) is
//!   evaluated there.
//! - [`evaluate`] and [`CompiledRanges`] implement the OSV schema's evaluation
//!   of `affected[].ranges` and `affected[].versions`.
//!
//! The crate does no IO: everything enters as `&str`. Versions come from partners'
//! files, so none is trusted: a text over [`MAX_VERSION_LEN`] bytes is rejected before
//! any parser sees it, and no parser or comparison recurses on the text's structure
//! (Maven's nested lists are kept flat), so no version can overflow the stack.
//!
//! ```
//! use lifeline_version::{evaluate, Ecosystem, Event, Range, RangeKind, Verdict};
//!
//! let ranges = [Range {
//!     kind: RangeKind::Ecosystem,
//!     events: vec![Event::Introduced("0".into()), Event::Fixed("2.0.0rc1".into())],
//! }];
//! assert_eq!(evaluate(Ecosystem::PyPi, "1.9", &ranges, &[]), Verdict::Affected);
//! assert_eq!(evaluate(Ecosystem::PyPi, "2.0.0", &ranges, &[]), Verdict::NotAffected);
//! ```

mod alpine;
mod debian;
mod ecosystem;
mod error;
mod maven;
mod nuget;
mod pypi;
mod range;
mod rubygems;
mod semver2;
mod version;

pub use ecosystem::Ecosystem;
pub use error::VersionError;
pub use range::{CompiledRanges, Event, Range, RangeKind, Verdict, evaluate, evaluate_parsed};
pub use version::{MAX_VERSION_LEN, Version};
