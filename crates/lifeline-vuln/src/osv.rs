//! OSV advisory records (<https://ossf.github.io/osv-schema/>) and the index that answers
//! "which advisories name this package?" in one hash lookup. The index is built once from
//! a folder of records or an ecosystem's `all.zip` export (the caller hands over the bytes,
//! or names the file or folder for `AdvisoryIndex::add_path` in the `files` module) and
//! then serves any number of SBOMs.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use lifeline_text::Excerpt;
use serde::Deserialize;

use crate::cvss::{CvssScore, Rating, base_score};
use crate::error::AdvisoryError;
use crate::purl::PackageKey;

/// One `affected[].package`.
#[derive(Debug, Clone, Deserialize)]
pub struct OsvPackage {
    /// `PyPI`, `Debian:11`, ...
    pub ecosystem: String,
    /// Package name as the ecosystem writes it.
    pub name: String,
    /// Package URL, when the record gives one.
    #[serde(default)]
    pub purl: Option<String>,
}

/// One `ranges[].events[]` entry: exactly one of the four keys.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OsvEvent {
    /// `introduced`.
    Introduced(String),
    /// `fixed`.
    Fixed(String),
    /// `last_affected`.
    LastAffected(String),
    /// `limit`.
    Limit(String),
}

/// One `affected[].ranges[]`.
#[derive(Debug, Clone, Deserialize)]
pub struct OsvRange {
    /// `SEMVER`, `ECOSYSTEM` or `GIT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Repository of a `GIT` range.
    #[serde(default)]
    pub repo: Option<String>,
    /// Events in the order given.
    pub events: Vec<OsvEvent>,
}

/// One `severity[]` entry.
#[derive(Debug, Clone, Deserialize)]
pub struct OsvSeverity {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The vector or word.
    pub score: String,
}

/// One `affected[]` entry.
#[derive(Debug, Clone, Deserialize)]
pub struct OsvAffected {
    /// The package; absent in records that only name GIT ranges.
    #[serde(default)]
    pub package: Option<OsvPackage>,
    /// Per-package severity.
    #[serde(default)]
    pub severity: Vec<OsvSeverity>,
    /// Version ranges.
    #[serde(default)]
    pub ranges: Vec<OsvRange>,
    /// Enumerated affected versions.
    #[serde(default)]
    pub versions: Vec<String>,
}

/// An OSV record, with the fields lifeline uses.
#[derive(Debug, Clone, Deserialize)]
pub struct OsvRecord {
    /// `GHSA-...`, `PYSEC-...`, `CVE-...`.
    pub id: String,
    /// Last modification time.
    #[serde(default)]
    pub modified: Option<String>,
    /// Withdrawal time; a withdrawn record is never reported.
    #[serde(default)]
    pub withdrawn: Option<String>,
    /// Other ids of the same vulnerability.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// One-line summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// Longer description.
    #[serde(default)]
    pub details: Option<String>,
    /// CVSS vectors.
    #[serde(default)]
    pub severity: Vec<OsvSeverity>,
    /// Affected packages.
    #[serde(default)]
    pub affected: Vec<OsvAffected>,
    /// Source-specific data (GHSA puts `severity: "HIGH"` here).
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

/// The most bytes one OSV record may have: the largest real records are under 1 MiB.
pub const MAX_RECORD_BYTES: usize = 64 << 20;

/// Parses one OSV record; errors name the record and the field. A record over
/// [`MAX_RECORD_BYTES`] is refused before it is parsed (`serde_json` keeps nesting
/// within 128 levels itself).
pub fn parse_record(source_name: &str, bytes: &[u8]) -> Result<OsvRecord, AdvisoryError> {
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(AdvisoryError::Osv {
            source_name: source_name.to_owned(),
            path: String::new(),
            message: format!(
                "{} bytes, more than the limit of {MAX_RECORD_BYTES} bytes per record",
                bytes.len()
            ),
        });
    }
    // The plain reader first (it is much faster); only a record that fails is read again
    // to find the path of the bad field.
    let record: OsvRecord = match serde_json::from_slice(bytes) {
        Ok(record) => record,
        Err(plain) => {
            let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
            return Err(
                match serde_path_to_error::deserialize::<_, OsvRecord>(deserializer) {
                    Err(e) => AdvisoryError::Osv {
                        source_name: source_name.to_owned(),
                        path: e.path().to_string(),
                        message: lifeline_text::excerpt_to(&e.inner().to_string(), 200)
                            .into_owned(),
                    },
                    Ok(_) => AdvisoryError::Osv {
                        source_name: source_name.to_owned(),
                        path: String::new(),
                        message: lifeline_text::excerpt_to(&plain.to_string(), 200).into_owned(),
                    },
                },
            );
        }
    };
    if record.id.is_empty() {
        return Err(AdvisoryError::Osv {
            source_name: source_name.to_owned(),
            path: "id".into(),
            message: "must not be empty".into(),
        });
    }
    for (index, affected) in record.affected.iter().enumerate() {
        for (position, range) in affected.ranges.iter().enumerate() {
            let path = format!("affected[{index}].ranges[{position}]");
            if !matches!(range.kind.as_str(), "SEMVER" | "ECOSYSTEM" | "GIT") {
                return Err(AdvisoryError::Osv {
                    source_name: source_name.to_owned(),
                    path: format!("{path}.type"),
                    message: format!(
                        "\"{}\" is not SEMVER, ECOSYSTEM or GIT",
                        Excerpt(&range.kind)
                    ),
                });
            }
            if !range
                .events
                .iter()
                .any(|e| matches!(e, OsvEvent::Introduced(_)))
            {
                return Err(AdvisoryError::Osv {
                    source_name: source_name.to_owned(),
                    path: format!("{path}.events"),
                    message: "no \"introduced\" event".into(),
                });
            }
        }
    }
    Ok(record)
}

/// What the index keeps of one `affected[]` entry of one advisory.
#[derive(Debug, Clone)]
pub struct AffectedEntry {
    /// Index into [`AdvisoryIndex::advisories`].
    pub advisory: u32,
    /// The OSV ecosystem as written (`Debian:11`).
    pub ecosystem: String,
    /// The package name as written.
    pub name: String,
    /// The ranges (other than `GIT`) and enumerated versions, compiled once for the
    /// ecosystem's order; `None` if the ecosystem has no known order.
    pub compiled: Option<lifeline_version::CompiledRanges>,
    /// Number of `GIT` ranges skipped.
    pub git_ranges_skipped: usize,
    /// Fixed versions named by the ranges' `fixed` events.
    pub fixed: Vec<String>,
}

/// An advisory as the index keeps it: the fields a finding shows.
#[derive(Debug, Clone)]
pub struct Advisory {
    /// OSV id.
    pub id: String,
    /// Aliases.
    pub aliases: Vec<String>,
    /// Summary, or the first line of the details.
    pub summary: Option<String>,
    /// The highest-version CVSS vector given, scored.
    pub cvss: Option<CvssScore>,
    /// The rating: from the CVSS score, else from a stated severity word.
    pub rating: Rating,
}

/// Counts of what loading saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadStats {
    /// Records read.
    pub records: usize,
    /// Withdrawn records, left out.
    pub withdrawn: usize,
    /// `affected[]` entries indexed.
    pub affected_entries: usize,
    /// `affected[]` entries without a package (GIT-only), left out.
    pub without_package: usize,
    /// CVSS vectors that did not parse (the advisory keeps its stated severity, if any).
    pub bad_cvss: usize,
}

/// Limits on an OSV zip export, so that a hostile archive cannot exhaust memory or time.
/// The defaults hold every OSV export (the largest, all ecosystems together, has about
/// a million records of a few KiB each; the largest record is under 1 MiB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipLimits {
    /// The most entries the archive may list.
    pub max_entries: usize,
    /// The most bytes one entry may inflate to.
    pub max_entry_bytes: u64,
    /// The most bytes all entries together may inflate to.
    pub max_total_bytes: u64,
    /// The most one deflated entry over 1 MiB may grow, as inflated size over compressed
    /// size (JSON deflates about 10 times; a zip bomb about 1,000 times).
    pub max_ratio: usize,
}

impl Default for ZipLimits {
    fn default() -> ZipLimits {
        ZipLimits {
            max_entries: 4_000_000,
            max_entry_bytes: 64 << 20,
            max_total_bytes: 32 << 30,
            max_ratio: 200,
        }
    }
}

/// The most warnings an index keeps; the rest are only counted, so that a feed with a
/// million bad versions cannot fill memory or a terminal with messages.
pub const MAX_WARNINGS: usize = 100;

/// Problems that loading found and went on after: versions that cannot be evaluated,
/// each naming the advisory and the field. Their ranges evaluate to "unknown" for the
/// packages they name; every other advisory and component is matched as usual.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadWarnings {
    /// The first [`MAX_WARNINGS`] warnings, in load order.
    pub shown: Vec<String>,
    /// How many more there were.
    pub omitted: usize,
}

impl LoadWarnings {
    fn push(&mut self, warning: String) {
        if self.shown.len() < MAX_WARNINGS {
            self.shown.push(warning);
        } else {
            self.omitted += 1;
        }
    }

    /// Whether there is no warning.
    pub fn is_empty(&self) -> bool {
        self.shown.is_empty() && self.omitted == 0
    }
}

/// Every advisory, indexed by (ecosystem, normalised package name).
#[derive(Debug, Default)]
pub struct AdvisoryIndex {
    /// Advisories, in load order.
    pub advisories: Vec<Advisory>,
    /// Affected entries per package key.
    pub by_package: HashMap<PackageKey, Vec<AffectedEntry>>,
    /// What loading saw.
    pub stats: LoadStats,
    /// What loading went on after.
    pub warnings: LoadWarnings,
}

fn convert_range(range: &OsvRange) -> Option<lifeline_version::Range> {
    use lifeline_version::{Event, RangeKind};
    let kind = match range.kind.as_str() {
        "SEMVER" => RangeKind::Semver,
        "ECOSYSTEM" => RangeKind::Ecosystem,
        _ => return None,
    };
    let events = range
        .events
        .iter()
        .map(|e| match e {
            OsvEvent::Introduced(v) => Event::Introduced(v.clone()),
            OsvEvent::Fixed(v) => Event::Fixed(v.clone()),
            OsvEvent::LastAffected(v) => Event::LastAffected(v.clone()),
            OsvEvent::Limit(v) => Event::Limit(v.clone()),
        })
        .collect();
    Some(lifeline_version::Range { kind, events })
}

impl AdvisoryIndex {
    /// An empty index.
    pub fn new() -> AdvisoryIndex {
        AdvisoryIndex::default()
    }

    /// Adds one record (withdrawn records are counted and left out).
    pub fn add(&mut self, record: OsvRecord) {
        self.stats.records += 1;
        if record.withdrawn.is_some() {
            self.stats.withdrawn += 1;
            return;
        }
        let advisory = u32::try_from(self.advisories.len()).unwrap_or(u32::MAX);
        let mut cvss: Option<CvssScore> = None;
        let severities = record
            .severity
            .iter()
            .chain(record.affected.iter().flat_map(|a| a.severity.iter()));
        for severity in severities {
            if !severity.kind.starts_with("CVSS_V3") && severity.kind != "CVSS_V4" {
                continue;
            }
            match base_score(&severity.score) {
                Ok(score) => {
                    let better = cvss.as_ref().is_none_or(|current| {
                        score.version > current.version
                            || (score.version == current.version && score.score > current.score)
                    });
                    if better {
                        cvss = Some(score);
                    }
                }
                Err(_) => self.stats.bad_cvss += 1,
            }
        }
        let stated = record
            .database_specific
            .as_ref()
            .and_then(|d| d.get("severity"))
            .and_then(serde_json::Value::as_str)
            .map(Rating::from_word)
            .unwrap_or(Rating::Unknown);
        let rating = cvss
            .as_ref()
            .map(|c| Rating::of_score(c.score))
            .unwrap_or(stated);
        let summary = record
            .summary
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| {
                record
                    .details
                    .as_deref()
                    .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
                    .map(|l| l.trim().chars().take(200).collect())
            });
        for (position, affected) in record.affected.iter().enumerate() {
            let Some(package) = &affected.package else {
                self.stats.without_package += 1;
                continue;
            };
            let ranges: Vec<_> = affected.ranges.iter().filter_map(convert_range).collect();
            let git_ranges_skipped = affected.ranges.len() - ranges.len();
            // A fixed version over the length limit is warned about below (when the
            // ecosystem's order is known) and not shown in findings.
            let fixed = affected
                .ranges
                .iter()
                .filter(|r| r.kind != "GIT")
                .flat_map(|r| r.events.iter())
                .filter_map(|e| match e {
                    OsvEvent::Fixed(v) if v.len() <= lifeline_version::MAX_VERSION_LEN => {
                        Some(v.clone())
                    }
                    _ => None,
                })
                .collect();
            let compiled =
                lifeline_version::Ecosystem::from_osv(&package.ecosystem).map(|ecosystem| {
                    lifeline_version::CompiledRanges::new(ecosystem, &ranges, &affected.versions)
                });
            for problem in compiled.iter().flat_map(|c| c.problems()) {
                self.warnings.push(format!(
                    "OSV {}: affected[{position}].{problem}",
                    Excerpt(&record.id)
                ));
            }
            let key = PackageKey::new(&package.ecosystem, &package.name);
            self.stats.affected_entries += 1;
            self.by_package.entry(key).or_default().push(AffectedEntry {
                advisory,
                ecosystem: package.ecosystem.clone(),
                name: package.name.clone(),
                compiled,
                git_ranges_skipped,
                fixed,
            });
        }
        self.advisories.push(Advisory {
            id: record.id,
            aliases: record.aliases,
            summary,
            cvss,
            rating,
        });
    }

    /// Parses and adds one record file.
    pub fn add_json(&mut self, source_name: &str, bytes: &[u8]) -> Result<(), AdvisoryError> {
        let record = parse_record(source_name, bytes)?;
        self.add(record);
        Ok(())
    }

    /// Adds every `*.json` entry of an OSV zip export (`all.zip` of an ecosystem), within
    /// the default [`ZipLimits`].
    pub fn add_zip(&mut self, source_name: &str, bytes: &[u8]) -> Result<(), AdvisoryError> {
        self.add_zip_with(source_name, bytes, &ZipLimits::default())
    }

    /// Adds every `*.json` entry of an OSV zip export within `limits`. An encrypted
    /// entry, a compression method other than stored and deflated, a CRC that does not
    /// match, or a limit crossed stops the load with an error naming the entry.
    pub fn add_zip_with(
        &mut self,
        source_name: &str,
        bytes: &[u8],
        limits: &ZipLimits,
    ) -> Result<(), AdvisoryError> {
        zip_records(source_name, bytes, limits, |name, record| {
            self.add_json(name, record)
        })
    }

    /// The affected entries that name `key`.
    pub fn lookup(&self, key: &PackageKey) -> &[AffectedEntry] {
        self.by_package.get(key).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Hands every `*.json` entry of an OSV zip export to `each`, as its name
/// (`SOURCE:ENTRY`) and inflated bytes, within `limits`: what
/// [`AdvisoryIndex::add_zip_with`] reads, for a caller that keeps the records (the
/// server stores them). An encrypted entry, a compression method other than stored and
/// deflated, a CRC that does not match, a limit crossed, or an error of `each` stops the
/// walk with an error naming the entry.
pub fn zip_records(
    source_name: &str,
    bytes: &[u8],
    limits: &ZipLimits,
    mut each: impl FnMut(&str, &[u8]) -> Result<(), AdvisoryError>,
) -> Result<(), AdvisoryError> {
    let zip_error = |message: String| AdvisoryError::Zip {
        source_name: source_name.to_owned(),
        message,
    };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| zip_error(e.to_string()))?;
    if archive.len() > limits.max_entries {
        return Err(zip_error(format!(
            "{} entries, more than the limit of {}",
            archive.len(),
            limits.max_entries
        )));
    }
    // One inflater for the whole archive: a fresh one per entry (what `by_index`
    // does) allocates and frees its window for every record, and those freed blocks,
    // split up by the index's small long-lived allocations, made the heap grow to five
    // times what it held (2.2 GB for 100,000 records).
    let mut inflater = flate2::Decompress::new(false);
    let mut compressed = Vec::new();
    let mut buffer = Vec::new();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index_raw(index)
            .map_err(|e| zip_error(format!("entry {index}: {e}")))?;
        let entry_name = entry
            .name()
            .map_err(|e| zip_error(format!("entry {index}: {e}")))?
            .into_owned();
        if !entry.is_file() || !entry_name.ends_with(".json") {
            continue;
        }
        let name = format!("{source_name}:{}", Excerpt(&entry_name));
        // Checked before any byte is inflated: an encrypted entry otherwise reaches
        // the inflater as noise ("deflate decompression error: repeated call with
        // bad state").
        if entry.encrypted() {
            return Err(zip_error(format!(
                "{name}: the entry is encrypted (password-protected); OSV exports are not, and lifeline reads only unencrypted entries"
            )));
        }
        let method = entry.compression();
        if !matches!(
            method,
            zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
        ) {
            return Err(zip_error(format!(
                "{name}: compression method {method} is not supported (only stored and deflated, as OSV exports use)"
            )));
        }
        let declared = entry.size();
        if declared > limits.max_entry_bytes {
            return Err(zip_error(format!(
                "{name}: {declared} bytes uncompressed, more than the limit of {} per entry",
                limits.max_entry_bytes
            )));
        }
        let crc = entry.crc32();
        compressed.clear();
        entry
            .read_to_end(&mut compressed)
            .map_err(|e| zip_error(format!("{name}: {e}")))?;
        drop(entry);
        buffer.clear();
        let cap = usize::try_from(limits.max_entry_bytes).unwrap_or(usize::MAX);
        match method {
            zip::CompressionMethod::Deflated => {
                inflater.reset(false);
                // The declared size is only a hint (a lying header must not make this
                // allocate much): the output grows as it comes, up to the limit.
                buffer.reserve(
                    usize::try_from(declared)
                        .unwrap_or(cap)
                        .min(cap)
                        .min(1 << 20),
                );
                loop {
                    let consumed = usize::try_from(inflater.total_in()).unwrap_or(usize::MAX);
                    let input = compressed.get(consumed..).unwrap_or_default();
                    if buffer.len() == buffer.capacity() {
                        if buffer.len() >= cap {
                            return Err(zip_error(format!(
                                "{name}: more than the limit of {} bytes per entry when inflated",
                                limits.max_entry_bytes
                            )));
                        }
                        buffer.reserve(buffer.len().max(4096).min(cap - buffer.len()));
                    }
                    let status = inflater
                        .decompress_vec(input, &mut buffer, flate2::FlushDecompress::Finish)
                        .map_err(|e| zip_error(format!("{name}: corrupt deflate data: {e}")))?;
                    match status {
                        flate2::Status::StreamEnd => break,
                        flate2::Status::Ok | flate2::Status::BufError
                            if input.is_empty() && buffer.len() < buffer.capacity() =>
                        {
                            return Err(zip_error(format!("{name}: truncated deflate data")));
                        }
                        _ => {}
                    }
                }
                let ratio = buffer.len() / compressed.len().max(1);
                if buffer.len() > 1 << 20 && ratio > limits.max_ratio {
                    return Err(zip_error(format!(
                        "{name}: inflates {ratio} times ({} bytes from {}), more than the limit of {} (a zip bomb?)",
                        buffer.len(),
                        compressed.len(),
                        limits.max_ratio
                    )));
                }
            }
            _ => buffer.extend_from_slice(&compressed),
        }
        if buffer.len() as u64 > limits.max_entry_bytes {
            return Err(zip_error(format!(
                "{name}: {} bytes uncompressed, more than the limit of {} per entry",
                buffer.len(),
                limits.max_entry_bytes
            )));
        }
        total += buffer.len() as u64;
        if total > limits.max_total_bytes {
            return Err(zip_error(format!(
                "{name}: the entries so far hold {total} bytes uncompressed, more than the limit of {} per archive",
                limits.max_total_bytes
            )));
        }
        let mut hasher = flate2::Crc::new();
        hasher.update(&buffer);
        if hasher.sum() != crc {
            return Err(zip_error(format!("{name}: CRC-32 does not match")));
        }
        each(&name, &buffer)?;
    }
    Ok(())
}

/// The records of one uploaded OSV JSON document: one record (an object) or an array of
/// records, each checked by [`parse_record`] and returned with its text (an array's
/// items as compact JSON) so that the caller can keep it and load it again. Records of
/// an array are named `SOURCE[INDEX]`.
pub fn json_records(
    source_name: &str,
    bytes: &[u8],
) -> Result<Vec<(OsvRecord, String)>, AdvisoryError> {
    let text = std::str::from_utf8(bytes).map_err(|e| AdvisoryError::Osv {
        source_name: source_name.to_owned(),
        path: String::new(),
        message: format!("not UTF-8: {e}"),
    })?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if !trimmed.starts_with('[') {
        let record = parse_record(source_name, trimmed.as_bytes())?;
        return Ok(vec![(record, trimmed.to_owned())]);
    }
    let items: Vec<serde_json::Value> =
        serde_json::from_str(trimmed).map_err(|e| AdvisoryError::Osv {
            source_name: source_name.to_owned(),
            path: String::new(),
            message: lifeline_text::excerpt_to(&e.to_string(), 200).into_owned(),
        })?;
    let mut records = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let name = format!("{source_name}[{index}]");
        let text = item.to_string();
        let record = parse_record(&name, text.as_bytes())?;
        records.push((record, text));
    }
    Ok(records)
}
