//! Every case of the OSV fixtures (`tests/data/osv/`): each listed version and each
//! range bound gives the verdict the OSV evaluation rules give, and the
//! hand-picked checks of `tests/data/osv_cases.txt` hold.

use serde_json::Value;

use lifeline_version::{
    CompiledRanges, Ecosystem, Event, Range, RangeKind, Verdict, evaluate, evaluate_parsed,
};

/// One `affected[]` entry: its ecosystem (None when the entry names no package
/// or an ecosystem without a known order), ranges and versions.
struct Affected {
    ecosystem: Option<Ecosystem>,
    ranges: Vec<Range>,
    versions: Vec<String>,
}

fn load(file: &str) -> Vec<Affected> {
    let text = crate::read(&format!("osv/{file}"));
    let record: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut entries = Vec::new();
    for affected in record["affected"].as_array().into_iter().flatten() {
        let ecosystem = affected["package"]["ecosystem"]
            .as_str()
            .and_then(Ecosystem::from_osv);
        let mut ranges = Vec::new();
        for range in affected["ranges"].as_array().into_iter().flatten() {
            let kind = match range["type"].as_str() {
                Some("SEMVER") => RangeKind::Semver,
                Some("ECOSYSTEM") => RangeKind::Ecosystem,
                Some("GIT") => RangeKind::Git,
                other => panic!("{file}: unknown range type {other:?}"),
            };
            let mut events = Vec::new();
            for event in range["events"].as_array().into_iter().flatten() {
                let object = event.as_object().expect("event object");
                for (field, value) in object {
                    let value = value.as_str().expect("event version").to_owned();
                    events.push(match field.as_str() {
                        "introduced" => Event::Introduced(value),
                        "fixed" => Event::Fixed(value),
                        "last_affected" => Event::LastAffected(value),
                        "limit" => Event::Limit(value),
                        other => panic!("{file}: unknown event {other}"),
                    });
                }
            }
            ranges.push(Range { kind, events });
        }
        let versions = affected["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v.as_str().expect("version string").to_owned())
            .collect();
        entries.push(Affected {
            ecosystem,
            ranges,
            versions,
        });
    }
    entries
}

const FILES: [&str; 13] = [
    "CVE-2018-5407.json",
    "CVE-2023-41045.json",
    "GHSA-9v2f-6vcg-3hgv.json",
    "GO-2020-0001.json",
    "MAL-2024-10238.json",
    "PYSEC-2023-74.json",
    "RHSA-2022_0216.json",
    "equals_no_patch.osv.json",
    "full_ranges.osv.json",
    "multiple_ranges_in_package.osv.json",
    "nointroduced-CVE-2023-41045.json",
    "npm_greater_than.osv.json",
    "pypi_normalize.osv.json",
];

/// Checks a verdict both through `evaluate` and through `CompiledRanges`.
fn verdict(ecosystem: Ecosystem, version: &str, entry: &Affected) -> Verdict {
    let direct = evaluate(ecosystem, version, &entry.ranges, &entry.versions);
    let compiled = CompiledRanges::new(ecosystem, &entry.ranges, &entry.versions);
    let through_compiled = match ecosystem.parse(version) {
        Ok(parsed) => evaluate_parsed(&parsed, &compiled),
        Err(_) => compiled.evaluate_str(version),
    };
    assert_eq!(direct, through_compiled, "{ecosystem} {version}");
    direct
}

#[test]
fn every_bound_and_listed_version_of_the_fixtures() {
    let mut checks = 0;
    for file in FILES {
        for (index, entry) in load(file).iter().enumerate() {
            let Some(ecosystem) = entry.ecosystem else {
                continue;
            };
            for version in &entry.versions {
                assert_eq!(
                    verdict(ecosystem, version, entry),
                    Verdict::Affected,
                    "{file} affected[{index}] versions: {version}"
                );
                checks += 1;
            }
            for range in &entry.ranges {
                if range.kind == RangeKind::Git {
                    continue;
                }
                for event in &range.events {
                    let expected = match event {
                        Event::Introduced(v) if v == "0" => continue,
                        Event::Introduced(_) | Event::LastAffected(_) => Verdict::Affected,
                        Event::Fixed(_) | Event::Limit(_) => Verdict::NotAffected,
                    };
                    assert_eq!(
                        verdict(ecosystem, event.version(), entry),
                        expected,
                        "{file} affected[{index}] {event:?}"
                    );
                    checks += 1;
                }
            }
        }
    }
    // 66 + 2 + 1 + 1 listed versions, 15 bounds.
    assert!(checks >= 80, "only {checks} checks");
}

#[test]
fn hand_picked_cases() {
    let table = crate::read("osv_cases.txt");
    let mut checks = 0;
    for (number, line) in table.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(parts.len(), 4, "osv_cases.txt:{}", number + 1);
        let entries = load(parts[0]);
        let index: usize = parts[1].parse().expect("affected index");
        let entry = &entries[index];
        // Entries without a package (GIT-only) are checked under every ecosystem.
        let ecosystems = match entry.ecosystem {
            Some(ecosystem) => vec![ecosystem],
            None => Ecosystem::ALL.to_vec(),
        };
        for ecosystem in ecosystems {
            let got = verdict(ecosystem, parts[2], entry);
            let ok = match parts[3] {
                "affected" => got == Verdict::Affected,
                "not" => got == Verdict::NotAffected,
                "unknown" => matches!(got, Verdict::Unknown { .. }),
                other => panic!("unknown verdict {other}"),
            };
            assert!(ok, "osv_cases.txt:{}: {line}: got {got:?}", number + 1);
            checks += 1;
        }
    }
    assert!(checks >= 50, "only {checks} checks");
}

#[test]
fn bad_listed_versions_are_reported_but_still_match_by_text() {
    let entries = load("GHSA-9v2f-6vcg-3hgv.json");
    let compiled = CompiledRanges::new(Ecosystem::PyPi, &entries[0].ranges, &entries[0].versions);
    assert_eq!(compiled.problems().len(), 1, "{:?}", compiled.problems());
    assert!(
        compiled.problems()[0].starts_with("versions[1]: PyPI version `4.36.-1` is not valid"),
        "{:?}",
        compiled.problems()
    );
    assert_eq!(compiled.evaluate_str("4.36.-1"), Verdict::Affected);
    assert_eq!(compiled.evaluate_str("nonsense"), Verdict::NotAffected);
}
