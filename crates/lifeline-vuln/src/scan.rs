//! Matching an SBOM against the advisory index: component → advisories by purl key and
//! version (each ecosystem's own order, from `lifeline-version`), aliases merged into one
//! finding, CISA KEV and VEX attached, and findings put in priority order.
//!
//! Priority order, the first difference decides:
//! 1. open findings (no VEX, `exploitable`, `in_triage`) before resolved, resolved before
//!    suppressed (`not_affected`, `false_positive`);
//! 2. in the CISA KEV catalogue before not;
//! 3. among KEV findings, known ransomware campaign use first, then the earlier due date;
//! 4. a higher CVSS base score first (no score last), then the severity word;
//! 5. the id, then the component's purl, for a stable order.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use lifeline_text::Excerpt;
use petgraph::unionfind::UnionFind;
use serde::Serialize;

use crate::cvss::{CvssScore, Rating};
use crate::kev::{KevCatalogue, KevEntry};
use crate::model::{Component, Sbom};
use crate::osv::{AdvisoryIndex, AffectedEntry};
use crate::purl::Purl;
use crate::vex::{Reach, VexState, VexStatement, reach};

/// The component a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentRef {
    /// `bom-ref` (CycloneDX) or `SPDXID` (SPDX).
    pub bom_ref: Option<String>,
    /// Package URL.
    pub purl: Option<String>,
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
}

impl ComponentRef {
    fn of(component: &Component) -> ComponentRef {
        ComponentRef {
            bom_ref: component.bom_ref.clone(),
            purl: component.purl.clone(),
            name: component.name.clone(),
            version: component.version.clone(),
        }
    }
}

/// The KEV facts shown with a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KevFacts {
    /// The CVE listed.
    pub cve_id: String,
    /// Date added to the catalogue.
    pub date_added: String,
    /// Remediation due date.
    pub due_date: String,
    /// `Known` or `Unknown`.
    pub known_ransomware_campaign_use: String,
    /// What CISA requires.
    pub required_action: String,
}

impl KevFacts {
    fn of(entry: &KevEntry) -> KevFacts {
        KevFacts {
            cve_id: entry.cve_id.clone(),
            date_added: entry.date_added.clone(),
            due_date: entry.due_date.clone(),
            known_ransomware_campaign_use: entry.known_ransomware_campaign_use.clone(),
            required_action: entry.required_action.clone(),
        }
    }
    /// Whether ransomware campaigns are known to use it.
    pub fn ransomware(&self) -> bool {
        self.known_ransomware_campaign_use
            .eq_ignore_ascii_case("Known")
    }
}

/// The VEX analysis applied to a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VexFacts {
    /// `not_affected`, `exploitable`, ...
    pub status: VexState,
    /// Justification, for `not_affected`.
    pub justification: Option<String>,
    /// Vendor responses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub response: Vec<String>,
    /// Free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// `component` or `product` (the statement named the whole product).
    pub scope: &'static str,
}

/// Where a finding stands after VEX.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Open: affected, no VEX, or VEX `exploitable`/`in_triage`.
    Open,
    /// VEX says fixed.
    Resolved,
    /// VEX says `not_affected` or `false_positive`; kept with the reason.
    Suppressed,
}

/// One vulnerability of one component, aliases merged.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The component.
    pub component: ComponentRef,
    /// The id shown: the CVE when the merged group has one, else the first OSV id.
    pub id: String,
    /// Every other id of the same vulnerability (OSV ids and aliases), sorted.
    pub aliases: Vec<String>,
    /// The OSV records that matched.
    pub advisories: Vec<String>,
    /// Summary.
    pub summary: Option<String>,
    /// CRITICAL, HIGH, MEDIUM, LOW, NONE or UNKNOWN.
    pub severity: Rating,
    /// The CVSS base score, when a vector was given.
    pub score: Option<f64>,
    /// The vector scored.
    pub cvss: Option<CvssScore>,
    /// Versions that fix it, in the ecosystem's version order (texts that do not parse last).
    pub fixed_versions: Vec<String>,
    /// KEV facts, when listed.
    pub kev: Option<KevFacts>,
    /// VEX analysis, when a statement applies.
    pub vex: Option<VexFacts>,
    /// Open, resolved or suppressed.
    pub status: Status,
}

/// A component that could not be matched, and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unmatched {
    /// The component.
    pub component: ComponentRef,
    /// Where in the SBOM.
    pub path: String,
    /// Why: no purl, a purl that does not parse, an ecosystem OSV does not cover, no version.
    pub reason: String,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Components scanned (the product included when it has a purl).
    pub components: usize,
    /// Components that could not be matched.
    pub unmatched: usize,
    /// Open findings.
    pub open: usize,
    /// Open findings in KEV.
    pub open_kev: usize,
    /// Resolved findings.
    pub resolved: usize,
    /// Suppressed findings.
    pub suppressed: usize,
    /// Open findings by severity.
    pub by_severity: BTreeMap<String, usize>,
}

/// The result of scanning one SBOM.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanReport {
    /// The SBOM's file name or label.
    pub source: String,
    /// `CycloneDX 1.6 JSON`.
    pub kind: String,
    /// The SBOM's serial number (`urn:uuid:...`), for BOM-Links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// The SBOM's document version, for BOM-Links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bom_version: Option<u64>,
    /// The product the SBOM describes.
    pub product: Option<ComponentRef>,
    /// Counts.
    pub summary: Summary,
    /// Findings in priority order.
    pub findings: Vec<Finding>,
    /// Components that could not be matched.
    pub unmatched: Vec<Unmatched>,
    /// Notes: GIT ranges skipped, versions that could not be evaluated, VEX statements that
    /// named nothing found.
    pub notes: Vec<String>,
}

/// What a scan is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// OSV advisories.
    pub advisories: &'a AdvisoryIndex,
    /// CISA KEV; `None` when not given.
    pub kev: Option<&'a KevCatalogue>,
    /// VEX statements to apply.
    pub vex: &'a [VexStatement],
}

/// Advisories, KEV and VEX loaded once, to scan any number of SBOMs against: what
/// `lifeline sbom scan` builds from its `--osv/--kev/--vex` files and `lifeline serve`
/// from an organisation's stored advisories.
#[derive(Debug, Default)]
pub struct LoadedSources {
    /// OSV advisories.
    pub index: AdvisoryIndex,
    /// CISA KEV; `None` when not given.
    pub kev: Option<KevCatalogue>,
    /// VEX statements to apply.
    pub vex: Vec<VexStatement>,
}

impl LoadedSources {
    /// The sources to hand to [`scan`].
    pub fn sources(&self) -> Sources<'_> {
        Sources {
            advisories: &self.index,
            kev: self.kev.as_ref(),
            vex: &self.vex,
        }
    }
}

/// The `--format json` document of `lifeline sbom scan` (and of the server's scan
/// endpoint): what the advisories held, the KEV catalogue's version, and the reports.
/// Written straight from the reports: no `serde_json::Value` copy of 100k findings.
#[derive(Debug, Clone, Copy, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanDocument<'a> {
    /// What loading the OSV advisories saw.
    pub advisories: &'a crate::osv::LoadStats,
    /// `catalogVersion` of the KEV catalogue, when one was given.
    pub kev_catalog_version: Option<&'a str>,
    /// One report per SBOM, in the order given.
    pub reports: &'a [ScanReport],
}

/// The scan JSON document of `reports`, scanned against `sources`.
pub fn scan_document<'a>(sources: Sources<'a>, reports: &'a [ScanReport]) -> ScanDocument<'a> {
    ScanDocument {
        advisories: &sources.advisories.stats,
        kev_catalog_version: sources.kev.map(|k| k.version.as_str()),
        reports,
    }
}

/// The verdict of one affected entry for one version, parsed once per component when
/// the ecosystem has a known order.
fn verdict(
    entry: &AffectedEntry,
    version: &str,
    parsed: Option<&lifeline_version::Version>,
) -> lifeline_version::Verdict {
    match (&entry.compiled, parsed) {
        (Some(compiled), Some(parsed)) if compiled.ecosystem() == parsed.ecosystem() => {
            compiled.evaluate(parsed)
        }
        (Some(compiled), _) => compiled.evaluate_str(version),
        (None, _) => lifeline_version::Verdict::Unknown {
            reason: format!(
                "no version order is known for ecosystem `{}`",
                entry.ecosystem
            ),
        },
    }
}

/// Why a component cannot be matched against advisories; its text is the `reason` of
/// [`Unmatched`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatchError {
    /// Neither a purl nor a CPE.
    #[error("no purl")]
    NoPurl,
    /// A CPE but no purl.
    #[error("no purl (a CPE is given; CPE matching is not supported)")]
    CpeOnly,
    /// The purl does not parse.
    #[error("purl does not parse: {0}")]
    Purl(#[from] crate::purl::PurlError),
    /// The purl's type (with its namespace for distributions) has no OSV ecosystem.
    #[error("purl type `{}` has no OSV ecosystem", Excerpt(.0))]
    NoEcosystem(String),
    /// Neither the purl nor the component gives a version.
    #[error("no version in the purl or the component")]
    NoVersion,
    /// The version is longer than [`lifeline_version::MAX_VERSION_LEN`]: no advisory
    /// can be evaluated on it (and no real version is that long).
    #[error(
        "version `{start}` is longer than {} bytes ({length} bytes): no advisory can be evaluated on it",
        lifeline_version::MAX_VERSION_LEN
    )]
    VersionTooLong {
        /// The version's excerpt (escaped and cut).
        start: String,
        /// Its length in bytes.
        length: usize,
    },
}

/// Scans one SBOM. `source` labels the report (the file name).
pub fn scan(sbom: &Sbom, source: &str, sources: Sources<'_>) -> ScanReport {
    let mut notes: BTreeSet<String> = BTreeSet::new();
    let mut findings = Vec::new();
    let mut unmatched = Vec::new();
    let product = sbom.metadata.component.as_ref();
    let targets = product
        .filter(|p| p.purl.is_some())
        .into_iter()
        .chain(sbom.components.iter());
    let mut scanned = 0;
    for component in targets {
        scanned += 1;
        match match_component(component, sources.advisories, &mut notes) {
            Err(error) => unmatched.push(Unmatched {
                component: ComponentRef::of(component),
                path: component.path.clone(),
                reason: error.to_string(),
            }),
            Ok((ecosystem, groups)) => {
                for group in groups {
                    findings.push(finding(component, sbom, ecosystem, &group, sources));
                }
            }
        }
    }
    for statement in sources.vex {
        let used = findings.iter().any(|f: &Finding| {
            f.vex.is_some() && (f.id == statement.id || f.aliases.contains(&statement.id))
        });
        if !used {
            notes.insert(format!(
                "VEX {} ({}) for {}: no matching finding in this SBOM",
                Excerpt(&statement.id),
                statement.state.as_str(),
                Excerpt(&statement.affects.join(", "))
            ));
        }
    }
    findings.sort_by(priority);
    let mut summary = Summary {
        components: scanned,
        unmatched: unmatched.len(),
        ..Summary::default()
    };
    for finding in &findings {
        match finding.status {
            Status::Open => {
                summary.open += 1;
                if finding.kev.is_some() {
                    summary.open_kev += 1;
                }
                *summary
                    .by_severity
                    .entry(finding.severity.as_str().to_owned())
                    .or_default() += 1;
            }
            Status::Resolved => summary.resolved += 1,
            Status::Suppressed => summary.suppressed += 1,
        }
    }
    ScanReport {
        source: source.to_owned(),
        kind: sbom.kind(),
        serial_number: sbom.serial_number.clone(),
        bom_version: sbom.version,
        product: product.map(ComponentRef::of),
        summary,
        findings,
        unmatched,
        notes: notes.into_iter().collect(),
    }
}

/// An affecting advisory (its index) with the fixed versions of the entries that matched.
pub type Hit = (u32, Vec<String>);

/// The ecosystem of the component's purl (when its version order is known) and the
/// advisories (indices) affecting the component, grouped by shared ids; or why the
/// component cannot be matched.
pub fn match_component(
    component: &Component,
    index: &AdvisoryIndex,
    notes: &mut BTreeSet<String>,
) -> Result<(Option<lifeline_version::Ecosystem>, Vec<Vec<Hit>>), MatchError> {
    let Some(text) = &component.purl else {
        return Err(match &component.cpe {
            Some(_) => MatchError::CpeOnly,
            None => MatchError::NoPurl,
        });
    };
    let purl = Purl::parse(text)?;
    let key = purl.key().ok_or_else(|| {
        MatchError::NoEcosystem(match &purl.namespace {
            Some(namespace) if matches!(purl.ty.as_str(), "deb" | "apk" | "rpm") => {
                format!("{}/{namespace}", purl.ty)
            }
            _ => purl.ty.clone(),
        })
    })?;
    let version = purl
        .version
        .clone()
        .or_else(|| component.version.clone())
        .ok_or(MatchError::NoVersion)?;
    let ecosystem = lifeline_version::Ecosystem::from_osv(&key.ecosystem);
    if version.len() > lifeline_version::MAX_VERSION_LEN {
        return Err(MatchError::VersionTooLong {
            start: lifeline_text::excerpt(&version).into_owned(),
            length: version.len(),
        });
    }
    let parsed = ecosystem.and_then(|ecosystem| ecosystem.parse(&version).ok());
    let mut hits: Vec<Hit> = Vec::new();
    // Position of each advisory in `hits`: an old release of a much-advised package can
    // match hundreds of advisories, so no linear search per hit.
    let mut position_of: HashMap<u32, usize> = HashMap::new();
    for entry in index.lookup(&key) {
        let Some(advisory) = index.advisories.get(entry.advisory as usize) else {
            continue;
        };
        if entry.git_ranges_skipped > 0 {
            notes.insert(format!(
                "{}: {} GIT range(s) skipped for {} (commit ranges cannot be compared with package versions)",
                Excerpt(&advisory.id),
                entry.git_ranges_skipped,
                Excerpt(&entry.name)
            ));
        }
        match verdict(entry, &version, parsed.as_ref()) {
            lifeline_version::Verdict::Affected => match position_of.get(&entry.advisory) {
                Some(&at) => hits[at].1.extend(entry.fixed.iter().cloned()),
                None => {
                    position_of.insert(entry.advisory, hits.len());
                    hits.push((entry.advisory, entry.fixed.clone()));
                }
            },
            lifeline_version::Verdict::NotAffected => {}
            lifeline_version::Verdict::Unknown { reason } => {
                notes.insert(format!(
                    "{} {}: {} not evaluated: {reason}",
                    Excerpt(&component.name),
                    Excerpt(&version),
                    Excerpt(&advisory.id)
                ));
            }
        }
    }
    Ok((ecosystem, group_by_alias(hits, index)))
}

/// Groups hits whose advisories share an id or alias (transitively), with a union-find
/// over the hits (`petgraph`'s, the one the trace store uses too): near-linear in the
/// number of hits and ids. Groups come out in the order of their first hit, members in
/// hit order.
fn group_by_alias(hits: Vec<Hit>, index: &AdvisoryIndex) -> Vec<Vec<Hit>> {
    let mut sets: UnionFind<usize> = UnionFind::new(hits.len());
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (position, hit) in hits.iter().enumerate() {
        let Some(advisory) = index.advisories.get(hit.0 as usize) else {
            continue;
        };
        for id in std::iter::once(&advisory.id).chain(advisory.aliases.iter()) {
            match owner.get(id.as_str()) {
                Some(&other) => {
                    sets.union(position, other);
                }
                None => {
                    owner.insert(id.as_str(), position);
                }
            }
        }
    }
    let mut group_of: HashMap<usize, usize> = HashMap::new();
    let mut groups: Vec<Vec<Hit>> = Vec::new();
    for (hit, top) in hits.into_iter().zip(sets.into_labeling()) {
        match group_of.get(&top) {
            Some(&at) => groups[at].push(hit),
            None => {
                group_of.insert(top, groups.len());
                groups.push(vec![hit]);
            }
        }
    }
    groups
}

/// Sorts version texts by the ecosystem's version order (`1.9.0` before `1.10.0`), texts
/// that do not parse last in text order, and drops repeated texts. Without a known order
/// (`None`) the texts are sorted as text.
pub fn sort_versions(ecosystem: Option<lifeline_version::Ecosystem>, versions: &mut Vec<String>) {
    versions.sort();
    versions.dedup();
    let Some(ecosystem) = ecosystem else {
        return;
    };
    let mut keyed: Vec<(Option<lifeline_version::Version>, String)> = versions
        .drain(..)
        .map(|text| (ecosystem.parse(&text).ok(), text))
        .collect();
    keyed.sort_by(|a, b| match (&a.0, &b.0) {
        (Some(x), Some(y)) => x.cmp(y).then_with(|| a.1.cmp(&b.1)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.1.cmp(&b.1),
    });
    versions.extend(keyed.into_iter().map(|(_, text)| text));
}

fn finding(
    component: &Component,
    sbom: &Sbom,
    ecosystem: Option<lifeline_version::Ecosystem>,
    group: &[Hit],
    sources: Sources<'_>,
) -> Finding {
    let index = sources.advisories;
    let members: Vec<_> = group
        .iter()
        .filter_map(|(a, _)| index.advisories.get(*a as usize))
        .collect();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for advisory in &members {
        ids.insert(advisory.id.clone());
        ids.extend(advisory.aliases.iter().cloned());
    }
    let mut advisories: Vec<String> = members.iter().map(|a| a.id.clone()).collect();
    advisories.sort();
    advisories.dedup();
    let id = ids
        .iter()
        .find(|i| i.starts_with("CVE-"))
        .cloned()
        .or_else(|| advisories.first().cloned())
        .unwrap_or_default();
    let aliases: Vec<String> = ids.iter().filter(|i| **i != id).cloned().collect();
    let best = members
        .iter()
        .filter_map(|a| a.cvss.as_ref())
        .max_by(|a, b| {
            a.version
                .cmp(&b.version)
                .then(a.score.partial_cmp(&b.score).unwrap_or(Ordering::Equal))
        })
        .cloned();
    let rating = match &best {
        Some(cvss) => Rating::of_score(cvss.score),
        None => members
            .iter()
            .map(|a| a.rating)
            .max()
            .unwrap_or(Rating::Unknown),
    };
    // The summary of a GHSA record first (a short title written for the advisory), then of
    // the record whose id is shown, then of any record; ties by id, so that the choice does
    // not depend on the order records were loaded or matched in.
    let summary = members
        .iter()
        .filter(|a| a.summary.is_some())
        .min_by_key(|a| (!a.id.starts_with("GHSA-"), a.id != id, a.id.as_str()))
        .and_then(|a| a.summary.clone());
    let mut fixed: Vec<String> = group.iter().flat_map(|(_, f)| f.iter().cloned()).collect();
    sort_versions(ecosystem, &mut fixed);
    let kev = sources.kev.and_then(|catalogue| {
        ids.iter()
            .filter_map(|i| catalogue.get(i))
            .min_by(|a, b| a.due_date.cmp(&b.due_date))
            .map(KevFacts::of)
    });
    let vex = sources
        .vex
        .iter()
        .filter(|s| ids.contains(&s.id))
        .filter_map(|s| reach(s, component, sbom).map(|r| (r, s)))
        .max_by_key(|(r, _)| *r)
        .map(|(r, s)| VexFacts {
            status: s.state,
            justification: s.justification.clone(),
            response: s.response.clone(),
            detail: s.detail.clone(),
            scope: match r {
                Reach::Component => "component",
                Reach::Product => "product",
            },
        });
    let status = match &vex {
        Some(v) if v.status.suppresses() => Status::Suppressed,
        Some(v) if v.status.resolves() => Status::Resolved,
        _ => Status::Open,
    };
    Finding {
        component: ComponentRef::of(component),
        id,
        aliases,
        advisories,
        summary,
        severity: rating,
        score: best.as_ref().map(|c| c.score),
        cvss: best,
        fixed_versions: fixed,
        kev,
        vex,
        status,
    }
}

/// The priority order of the module documentation.
pub fn priority(a: &Finding, b: &Finding) -> Ordering {
    a.status
        .cmp(&b.status)
        .then_with(|| b.kev.is_some().cmp(&a.kev.is_some()))
        .then_with(|| match (&a.kev, &b.kev) {
            (Some(x), Some(y)) => y
                .ransomware()
                .cmp(&x.ransomware())
                .then_with(|| x.due_date.cmp(&y.due_date)),
            _ => Ordering::Equal,
        })
        .then_with(|| match (a.score, b.score) {
            (Some(x), Some(y)) => y.partial_cmp(&x).unwrap_or(Ordering::Equal),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| b.severity.cmp(&a.severity))
        .then_with(|| a.id.cmp(&b.id))
        .then_with(|| a.component.purl.cmp(&b.component.purl))
}
