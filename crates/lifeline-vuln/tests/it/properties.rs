//! Properties of the matcher on generated SBOMs and VEX documents: fixed versions come in
//! the ecosystem's version order, the report does not depend on the order of the
//! components, and a `not_affected` VEX statement suppresses a finding (reason kept) but
//! never removes it.

use lifeline_version::Ecosystem;
use lifeline_vuln::osv::AdvisoryIndex;
use lifeline_vuln::read_sbom;
use lifeline_vuln::scan::{Sources, Status, scan, sort_versions};
use lifeline_vuln::vex::read_vex;
use proptest::prelude::*;
use serde_json::json;

/// Packages of the generated SBOMs: (purl prefix, OSV ecosystem, OSV name).
const PACKAGES: [(&str, &str, &str); 4] = [
    ("pkg:pypi/django-rest", "PyPI", "Django_Rest"),
    ("pkg:npm/%40scope/left-pad", "npm", "@scope/left-pad"),
    ("pkg:maven/org.example/core", "Maven", "org.example:core"),
    (
        "pkg:golang/github.com/acme/mod",
        "Go",
        "github.com/acme/mod",
    ),
];

/// Versions each generated component may have (Go gets a `v` prefix).
const VERSIONS: [&str; 6] = ["1.2.0", "1.9.0", "1.10.0", "2.0.0", "2.10.1", "3.0.0"];

/// Three advisories per package, two of them aliases of each other (merged into one finding).
fn index() -> AdvisoryIndex {
    let mut index = AdvisoryIndex::new();
    for (number, (_, ecosystem, name)) in PACKAGES.iter().enumerate() {
        let v = |text: &str| {
            if *ecosystem == "Go" {
                format!("v{text}")
            } else {
                text.to_owned()
            }
        };
        let kind = if matches!(*ecosystem, "npm" | "Go") {
            "SEMVER"
        } else {
            "ECOSYSTEM"
        };
        let records = [
            json!({"id": format!("GHSA-a-{number}"), "aliases": [format!("CVE-2024-{number}0")],
                "affected": [{"package": {"ecosystem": ecosystem, "name": name},
                    "ranges": [{"type": kind, "events": [{"introduced": "0"}, {"fixed": v("1.10.0")}]},
                               {"type": kind, "events": [{"introduced": v("2.0.0")}, {"fixed": v("2.10.1")}]},
                               {"type": kind, "events": [{"introduced": v("1.0.0")}, {"fixed": v("1.9.0")}]}]}]}),
            json!({"id": format!("PYSEC-b-{number}"), "aliases": [format!("CVE-2024-{number}0")],
                "affected": [{"package": {"ecosystem": ecosystem, "name": name},
                    "ranges": [{"type": kind, "events": [{"introduced": "0"}, {"fixed": v("1.10.0")}]}]}]}),
            json!({"id": format!("GHSA-c-{number}"), "aliases": [format!("CVE-2025-{number}1")],
                "affected": [{"package": {"ecosystem": ecosystem, "name": name},
                    "ranges": [{"type": kind, "events": [{"introduced": v("1.9.0")}, {"last_affected": v("2.10.1")}]}]}]}),
        ];
        for record in records {
            index
                .add_json("generated", record.to_string().as_bytes())
                .expect("valid record");
        }
    }
    index
}

fn bom(components: &[(usize, usize)]) -> Vec<u8> {
    let components: Vec<_> = components
        .iter()
        .enumerate()
        .map(|(position, (package, version))| {
            let (prefix, ecosystem, _) = PACKAGES[*package];
            let version = if ecosystem == "Go" {
                format!("v{}", VERSIONS[*version])
            } else {
                VERSIONS[*version].to_owned()
            };
            json!({"type": "library", "bom-ref": format!("c{position}-{package}-{version}"),
                "name": prefix.rsplit('/').next(), "version": version,
                "purl": format!("{prefix}@{version}")})
        })
        .collect();
    json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"component": {"type": "device", "bom-ref": "product", "name": "Pump"}},
        "components": components})
    .to_string()
    .into_bytes()
}

/// (bom-ref, id, status, fixed versions, VEX justification) of every finding, sorted.
type Row = (String, String, Status, Vec<String>, Option<String>);

fn rows(bom_bytes: &[u8], index: &AdvisoryIndex, vex: &[u8]) -> Vec<Row> {
    let sbom = read_sbom(bom_bytes).expect("valid SBOM").sbom;
    let statements = read_vex(vex).expect("valid VEX");
    let report = scan(
        &sbom,
        "generated",
        Sources {
            advisories: index,
            kev: None,
            vex: &statements,
        },
    );
    let mut rows: Vec<Row> = report
        .findings
        .into_iter()
        .map(|f| {
            (
                f.component.bom_ref.unwrap_or_default(),
                f.id,
                f.status,
                f.fixed_versions,
                f.vex.and_then(|v| v.justification),
            )
        })
        .collect();
    rows.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    rows
}

fn no_vex() -> Vec<u8> {
    json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "vulnerabilities": []})
        .to_string()
        .into_bytes()
}

#[test]
fn fixed_versions_follow_the_ecosystem_order() {
    let index = index();
    let rows = rows(&bom(&[(0, 0), (3, 0)]), &index, &no_vex());
    let pypi = rows
        .iter()
        .find(|r| r.0.starts_with("c0-") && r.1 == "CVE-2024-00")
        .expect("PyPI finding");
    // As text, "1.10.0" < "1.9.0" < "2.10.1": the version order puts 1.9.0 first.
    assert_eq!(pypi.3, ["1.9.0", "1.10.0", "2.10.1"]);
    let go = rows
        .iter()
        .find(|r| r.0.starts_with("c1-") && r.1 == "CVE-2024-30")
        .expect("Go finding");
    assert_eq!(go.3, ["v1.9.0", "v1.10.0", "v2.10.1"]);
}

#[test]
fn sort_versions_puts_unparsable_texts_last_and_drops_repeats() {
    let mut versions: Vec<String> = ["1.10", "not a version!", "1.9", "1.10", "1.0a1", "1.0"]
        .map(String::from)
        .to_vec();
    sort_versions(Some(Ecosystem::PyPi), &mut versions);
    assert_eq!(versions, ["1.0a1", "1.0", "1.9", "1.10", "not a version!"]);
    let mut texts: Vec<String> = ["b", "a", "b"].map(String::from).to_vec();
    sort_versions(None, &mut texts);
    assert_eq!(texts, ["a", "b"]);
}

fn components() -> impl Strategy<Value = Vec<(usize, usize)>> {
    prop::collection::vec((0..PACKAGES.len(), 0..VERSIONS.len()), 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Shuffling the components changes nothing but the bom-refs' positions.
    #[test]
    fn scanning_does_not_depend_on_component_order(
        components in components(),
        seed in any::<u64>(),
    ) {
        let index = index();
        let mut shuffled: Vec<(usize, (usize, usize))> =
            components.iter().copied().enumerate().collect();
        // A deterministic shuffle from the seed (a Fisher-Yates with an LCG).
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let j = usize::try_from(state >> 33).unwrap_or(0) % (i + 1);
            shuffled.swap(i, j);
        }
        let strip = |rows: Vec<Row>| -> Vec<Row> {
            let mut rows: Vec<Row> = rows
                .into_iter()
                .map(|mut r| {
                    // Drop the position prefix `cN-` of the bom-ref.
                    r.0 = r.0.split_once('-').map(|(_, rest)| rest.to_owned()).unwrap_or_default();
                    r
                })
                .collect();
            rows.sort();
            rows
        };
        let original = strip(rows(&bom(&components), &index, &no_vex()));
        let order: Vec<(usize, usize)> = shuffled.iter().map(|(_, c)| *c).collect();
        let reordered = strip(rows(&bom(&order), &index, &no_vex()));
        prop_assert_eq!(original, reordered);
    }

    /// A `not_affected` statement suppresses the findings it names, keeps them in the report
    /// with the justification, and leaves every other finding as it was.
    #[test]
    fn not_affected_suppresses_but_never_removes(
        components in components(),
        chosen in prop::collection::vec(any::<prop::sample::Index>(), 1..4),
    ) {
        let index = index();
        let bom_bytes = bom(&components);
        let before = rows(&bom_bytes, &index, &no_vex());
        prop_assume!(!before.is_empty());
        let mut targets: Vec<&Row> = chosen.iter().map(|i| i.get(&before)).collect();
        // CycloneDX requires the `vulnerabilities` entries to be unique.
        targets.sort();
        targets.dedup();
        let vulnerabilities: Vec<_> = targets
            .iter()
            .map(|r| json!({"id": r.1, "analysis": {"state": "not_affected",
                "justification": "code_not_reachable"}, "affects": [{"ref": r.0}]}))
            .collect();
        let vex = json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "vulnerabilities": vulnerabilities}).to_string();
        let after = rows(&bom_bytes, &index, vex.as_bytes());
        prop_assert_eq!(before.len(), after.len());
        for (old, new) in before.iter().zip(&after) {
            prop_assert_eq!((&old.0, &old.1, &old.3), (&new.0, &new.1, &new.3));
            let named = targets.iter().any(|t| t.0 == old.0 && t.1 == old.1);
            if named {
                prop_assert_eq!(new.2, Status::Suppressed);
                prop_assert_eq!(new.4.as_deref(), Some("code_not_reachable"));
            } else {
                prop_assert_eq!(new.2, old.2);
            }
        }
    }
}
