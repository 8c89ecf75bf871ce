//! OSV range evaluation: `affected[].ranges` (`SEMVER`, `ECOSYSTEM`, `GIT`) and
//! `affected[].versions`, following the "Evaluation" pseudocode of the OSV schema
//! (<https://ossf.github.io/osv-schema/#evaluation>).
//!
//! A version is affected when it is listed in `versions` or lies in any range. In
//! one range the events are sorted by version (`introduced: "0"` first) and
//! walked in order: `introduced` at or below the version makes it vulnerable,
//! `fixed` at or below makes it not vulnerable, `last_affected` below makes it not
//! vulnerable. If the range has `limit` events the version must be below one of
//! them. `SEMVER` ranges always use SemVer 2.0 precedence, `ECOSYSTEM` ranges the
//! ecosystem's own order.
//!
//! Choices where the pseudocode is silent, and why:
//! - events at the same version are walked `introduced`, `last_affected`,
//!   `fixed` (so `introduced: X, fixed: X` is an empty range, and
//!   `introduced: X, last_affected: X` is the single version `X`);
//! - a `versions` entry matches when its text equals the version's text, or when
//!   both parse and are equal in the ecosystem's order (`1.0` and `1.0.0` in PyPI);
//! - `GIT` ranges cannot be evaluated on a version number. They are ignored when
//!   the record also has `SEMVER`/`ECOSYSTEM` ranges or a `versions` list (OSV
//!   databases expand GIT ranges into `versions`); otherwise the verdict is
//!   [`Verdict::Unknown`];
//! - an event version that does not parse makes its range's answer unknown, not
//!   "not affected": an unknown is reported, never silently dropped.

use std::borrow::Cow;
use std::cmp::Ordering;

use lifeline_text::Excerpt;

use crate::version::{Key, check_length, parse_key_checked, semver_key, semver_key_of_text};
use crate::{Ecosystem, Version, VersionError};

/// The `type` of an OSV range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeKind {
    /// `SEMVER`: versions are SemVer 2.0 and ordered by SemVer precedence, whatever the ecosystem.
    Semver,
    /// `ECOSYSTEM`: versions are ordered by the ecosystem's own rules.
    Ecosystem,
    /// `GIT`: events are commit hashes; they cannot be evaluated on a version number.
    Git,
}

/// One event of an OSV range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// `introduced`: the first affected version; `"0"` means "from the beginning".
    Introduced(String),
    /// `fixed`: the first version no longer affected.
    Fixed(String),
    /// `last_affected`: the last affected version.
    LastAffected(String),
    /// `limit`: versions at or above every limit are not affected.
    Limit(String),
}

impl Event {
    /// The event's version text.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }

    /// The event's field name in OSV JSON.
    pub fn field(&self) -> &'static str {
        match self {
            Event::Introduced(_) => "introduced",
            Event::Fixed(_) => "fixed",
            Event::LastAffected(_) => "last_affected",
            Event::Limit(_) => "limit",
        }
    }
}

/// One OSV range: its type and its events, in any order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    /// The range's `type`.
    pub kind: RangeKind,
    /// The range's `events`.
    pub events: Vec<Event>,
}

/// Whether a version is affected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Listed in `versions` or inside a range.
    Affected,
    /// Neither listed nor inside any range.
    NotAffected,
    /// Cannot be decided: only `GIT` ranges, a version or an event version that
    /// does not parse, or a version of another ecosystem.
    Unknown {
        /// Why, in words.
        reason: String,
    },
}

/// The kind of a compiled event, in the order events at the same version are walked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Introduced,
    LastAffected,
    Fixed,
}

/// A bound of a compiled event; `Zero` (`introduced: "0"`) is below every version.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Bound {
    Zero,
    At(Key),
}

#[derive(Clone, Debug)]
enum CompiledRange {
    Ordered {
        /// `SEMVER` (true) or `ECOSYSTEM` (false) order.
        semver: bool,
        /// Sorted by bound, then by step.
        steps: Vec<(Bound, Step)>,
        /// The `limit` versions; `None` when there is none (or a `*` limit).
        limits: Option<Vec<Key>>,
    },
    /// A range whose events could not all be parsed.
    Broken { reason: String },
}

/// The ranges and versions of one `affected[]` entry, parsed once so that many
/// versions can be checked quickly (the matcher builds one per advisory package).
#[derive(Clone, Debug)]
pub struct CompiledRanges {
    ecosystem: Ecosystem,
    /// `versions` texts, sorted, for the exact-text match.
    listed_text: Vec<Box<str>>,
    /// `versions` that parse, sorted by the ecosystem's order.
    listed: Vec<Key>,
    ranges: Vec<CompiledRange>,
    git_ranges: usize,
    problems: Vec<String>,
}

impl CompiledRanges {
    /// Parses the ranges and versions of one `affected[]` entry for `ecosystem`.
    /// Never fails: a range with an unparsable event evaluates to
    /// [`Verdict::Unknown`], and every such problem is listed by [`Self::problems`].
    pub fn new(ecosystem: Ecosystem, ranges: &[Range], versions: &[String]) -> CompiledRanges {
        let mut problems = Vec::new();
        // A text over the length limit is a problem, not an entry: no version that
        // can be evaluated is that long, and it is not kept.
        let mut listed_text: Vec<Box<str>> = versions
            .iter()
            .filter(|v| check_length(ecosystem, v).is_ok())
            .map(|v| v.as_str().into())
            .collect();
        listed_text.sort();
        listed_text.dedup();
        let mut listed = Vec::with_capacity(versions.len());
        for (index, text) in versions.iter().enumerate() {
            match parse_key_checked(ecosystem, text) {
                Ok(key) => listed.push(key),
                Err(error) => problems.push(format!("versions[{index}]: {error}")),
            }
        }
        listed.sort();
        listed.dedup();
        let mut compiled = Vec::with_capacity(ranges.len());
        let mut git_ranges = 0;
        for (index, range) in ranges.iter().enumerate() {
            let semver = match range.kind {
                RangeKind::Git => {
                    git_ranges += 1;
                    continue;
                }
                RangeKind::Semver => true,
                RangeKind::Ecosystem => false,
            };
            let range = if !semver && !ecosystem.has_order() {
                CompiledRange::Broken {
                    reason: format!(
                        "ranges[{index}]: an ECOSYSTEM range needs the ecosystem's version order, which is not known here"
                    ),
                }
            } else {
                compile_range(ecosystem, index, semver, &range.events)
            };
            if let CompiledRange::Broken { reason } = &range {
                problems.push(reason.clone());
            }
            compiled.push(range);
        }
        CompiledRanges {
            ecosystem,
            listed_text,
            listed,
            ranges: compiled,
            git_ranges,
            problems,
        }
    }

    /// The ecosystem the ranges were compiled for.
    pub fn ecosystem(&self) -> Ecosystem {
        self.ecosystem
    }

    /// Problems found while compiling: event and `versions` entries that do not
    /// parse, each naming `ranges[i].events[j].field` or `versions[i]`.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    /// Whether there is nothing to evaluate but `GIT` ranges.
    pub fn only_git(&self) -> bool {
        self.git_ranges > 0 && self.ranges.is_empty() && self.listed_text.is_empty()
    }

    /// Evaluates a version given as text, parsed for this ecosystem.
    pub fn evaluate_str(&self, version: &str) -> Verdict {
        match self.ecosystem.parse(version) {
            Ok(version) => self.evaluate(&version),
            Err(error @ VersionError::TooLong { .. }) => Verdict::Unknown {
                reason: error.to_string(),
            },
            Err(error) => {
                if self
                    .listed_text
                    .binary_search_by(|t| (**t).cmp(version))
                    .is_ok()
                {
                    return Verdict::Affected;
                }
                if self.ranges.is_empty() && self.git_ranges == 0 {
                    // Only a `versions` list, and the text is not in it.
                    return Verdict::NotAffected;
                }
                Verdict::Unknown {
                    reason: error.to_string(),
                }
            }
        }
    }

    /// Evaluates a parsed version (parse it once per component, then check it
    /// against many advisories).
    pub fn evaluate(&self, version: &Version) -> Verdict {
        if self
            .listed_text
            .binary_search_by(|t| (**t).cmp(version.as_str()))
            .is_ok()
        {
            return Verdict::Affected;
        }
        let same_ecosystem = version.ecosystem() == self.ecosystem;
        if same_ecosystem && self.listed.binary_search(version.key()).is_ok() {
            return Verdict::Affected;
        }
        let mut unknown: Vec<String> = Vec::new();
        let mut semver_query: Option<Result<Cow<'_, Key>, String>> = None;
        for range in &self.ranges {
            let answer = match range {
                CompiledRange::Broken { reason } => Err(reason.clone()),
                CompiledRange::Ordered {
                    semver: true,
                    steps,
                    limits,
                } => {
                    let query = semver_query.get_or_insert_with(|| semver_key(version));
                    match query {
                        Ok(key) => Ok(in_range(key, steps, limits.as_deref())),
                        Err(error) => Err(format!(
                            "version `{}` is not SemVer 2.0, as a SEMVER range needs: {error}",
                            Excerpt(version.as_str())
                        )),
                    }
                }
                CompiledRange::Ordered {
                    semver: false,
                    steps,
                    limits,
                } => {
                    if same_ecosystem {
                        Ok(in_range(version.key(), steps, limits.as_deref()))
                    } else {
                        Err(format!(
                            "version `{}` was parsed for {}, the ranges are for {}",
                            Excerpt(version.as_str()),
                            version.ecosystem(),
                            self.ecosystem
                        ))
                    }
                }
            };
            match answer {
                Ok(true) => return Verdict::Affected,
                Ok(false) => {}
                Err(reason) => {
                    if !unknown.contains(&reason) {
                        unknown.push(reason);
                    }
                }
            }
        }
        if !unknown.is_empty() {
            return Verdict::Unknown {
                reason: unknown.join("; "),
            };
        }
        if self.only_git() {
            return Verdict::Unknown {
                reason: "only GIT ranges, which name commits, not versions".to_owned(),
            };
        }
        Verdict::NotAffected
    }
}

fn compile_range(
    ecosystem: Ecosystem,
    index: usize,
    semver: bool,
    events: &[Event],
) -> CompiledRange {
    let mut steps = Vec::with_capacity(events.len());
    let mut limits: Option<Vec<Key>> = None;
    let mut unlimited = false;
    let mut errors = Vec::new();
    for (position, event) in events.iter().enumerate() {
        let text = event.version();
        let parse = |text: &str| -> Result<Key, String> {
            if semver {
                semver_key_of_text(text)
                    .map_err(|e| format!("SemVer version `{}` is not valid: {e}", Excerpt(text)))
            } else {
                parse_key_checked(ecosystem, text).map_err(|e| e.to_string())
            }
        };
        match event {
            Event::Introduced(v) if v.trim() == "0" => steps.push((Bound::Zero, Step::Introduced)),
            Event::Limit(v) if v.trim() == "*" => unlimited = true,
            Event::Introduced(_) | Event::Fixed(_) | Event::LastAffected(_) | Event::Limit(_) => {
                match parse(text) {
                    Ok(key) => match event {
                        Event::Introduced(_) => steps.push((Bound::At(key), Step::Introduced)),
                        Event::Fixed(_) => steps.push((Bound::At(key), Step::Fixed)),
                        Event::LastAffected(_) => steps.push((Bound::At(key), Step::LastAffected)),
                        Event::Limit(_) => limits.get_or_insert_with(Vec::new).push(key),
                    },
                    Err(error) => errors.push(format!(
                        "ranges[{index}].events[{position}].{}: {error}",
                        event.field()
                    )),
                }
            }
        }
    }
    if !errors.is_empty() {
        return CompiledRange::Broken {
            reason: errors.join("; "),
        };
    }
    steps.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    CompiledRange::Ordered {
        semver,
        steps,
        limits: if unlimited { None } else { limits },
    }
}

/// The OSV pseudocode for one range, on pre-sorted steps.
fn in_range(version: &Key, steps: &[(Bound, Step)], limits: Option<&[Key]>) -> bool {
    if let Some(limits) = limits
        && !limits.iter().any(|limit| version < limit)
    {
        return false;
    }
    let mut vulnerable = false;
    for (bound, step) in steps {
        let order = match bound {
            Bound::Zero => Ordering::Greater,
            Bound::At(key) => version.cmp(key),
        };
        match step {
            Step::Introduced if order != Ordering::Less => vulnerable = true,
            Step::Fixed if order != Ordering::Less => vulnerable = false,
            Step::LastAffected if order == Ordering::Greater => vulnerable = false,
            _ => {}
        }
    }
    vulnerable
}

/// Evaluates `version` (text, parsed for `ecosystem`) against the `ranges` and
/// `versions` of one OSV `affected[]` entry. For many versions against the same
/// entry, build a [`CompiledRanges`] once and use [`evaluate_parsed`].
pub fn evaluate(
    ecosystem: Ecosystem,
    version: &str,
    ranges: &[Range],
    versions: &[String],
) -> Verdict {
    CompiledRanges::new(ecosystem, ranges, versions).evaluate_str(version)
}

/// Evaluates a parsed version against compiled ranges; the same as
/// [`CompiledRanges::evaluate`].
pub fn evaluate_parsed(version: &Version, ranges: &CompiledRanges) -> Verdict {
    ranges.evaluate(version)
}
