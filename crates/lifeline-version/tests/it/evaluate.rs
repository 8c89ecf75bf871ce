//! The OSV schema's evaluation rules (<https://ossf.github.io/osv-schema/#evaluation>)
//! and the examples of its "Examples" section, plus the choices documented in
//! `range.rs` for what the pseudocode leaves open.

use lifeline_version::{CompiledRanges, Ecosystem, Event, Range, RangeKind, Verdict, evaluate};

fn range(kind: RangeKind, events: &[(&str, &str)]) -> Range {
    Range {
        kind,
        events: events
            .iter()
            .map(|(field, version)| {
                let version = (*version).to_owned();
                match *field {
                    "introduced" => Event::Introduced(version),
                    "fixed" => Event::Fixed(version),
                    "last_affected" => Event::LastAffected(version),
                    "limit" => Event::Limit(version),
                    other => panic!("unknown event {other}"),
                }
            })
            .collect(),
    }
}

/// Checks each `(version, expected)` against the ranges (no `versions` list).
fn check(ecosystem: Ecosystem, ranges: &[Range], cases: &[(&str, Verdict)]) {
    for (version, expected) in cases {
        assert_eq!(
            &evaluate(ecosystem, version, ranges, &[]),
            expected,
            "{ecosystem} {version} in {ranges:?}"
        );
    }
}

use Verdict::{Affected, NotAffected};

fn is_unknown(verdict: &Verdict, containing: &str) -> bool {
    matches!(verdict, Verdict::Unknown { reason } if reason.contains(containing))
}

#[test]
fn unfixed_vulnerability_example() {
    let ranges = [range(RangeKind::Semver, &[("introduced", "0")])];
    check(
        Ecosystem::Npm,
        &ranges,
        &[
            ("0.0.0-alpha", Affected),
            ("1.0.0", Affected),
            ("99.0.0", Affected),
        ],
    );
}

#[test]
fn fixed_vulnerability_example() {
    let ranges = [range(
        RangeKind::Semver,
        &[("introduced", "0"), ("fixed", "1.0.2")],
    )];
    check(
        Ecosystem::Npm,
        &ranges,
        &[
            ("1.0.1", Affected),
            ("1.0.2-rc.1", Affected),
            ("1.0.2", NotAffected),
            ("1.0.3", NotAffected),
        ],
    );
}

#[test]
fn multiple_range_example_and_unsorted_events() {
    let sorted = [range(
        RangeKind::Semver,
        &[
            ("introduced", "1.0.0"),
            ("fixed", "1.0.2"),
            ("introduced", "3.0.0"),
            ("fixed", "3.2.5"),
        ],
    )];
    let unsorted = [range(
        RangeKind::Semver,
        &[
            ("fixed", "3.2.5"),
            ("introduced", "1.0.0"),
            ("fixed", "1.0.2"),
            ("introduced", "3.0.0"),
        ],
    )];
    let cases = [
        ("0.9.0", NotAffected),
        ("1.0.0", Affected),
        ("1.0.1", Affected),
        ("1.0.2", NotAffected),
        ("2.0.0", NotAffected),
        ("3.0.0", Affected),
        ("3.2.4", Affected),
        ("3.2.5", NotAffected),
    ];
    check(Ecosystem::Npm, &sorted, &cases);
    check(Ecosystem::Npm, &unsorted, &cases);
}

#[test]
fn last_affected_versus_fixed_example() {
    let last = [range(
        RangeKind::Ecosystem,
        &[("introduced", "0"), ("last_affected", "2.1.214")],
    )];
    check(
        Ecosystem::Maven,
        &last,
        &[
            ("2.1.213", Affected),
            ("2.1.214", Affected),
            ("2.1.215", NotAffected),
        ],
    );
    let fixed = [range(
        RangeKind::Semver,
        &[("introduced", "0"), ("fixed", "2.1.214")],
    )];
    check(
        Ecosystem::Maven,
        &fixed,
        &[("2.1.213", Affected), ("2.1.214", NotAffected)],
    );
}

#[test]
fn limit_events() {
    let limited = [range(
        RangeKind::Ecosystem,
        &[("introduced", "0"), ("limit", "2.0")],
    )];
    check(
        Ecosystem::PyPi,
        &limited,
        &[
            ("1.9", Affected),
            ("2.0", NotAffected),
            ("3.0", NotAffected),
        ],
    );
    // Several limits: below any one of them is enough.
    let two = [range(
        RangeKind::Ecosystem,
        &[("introduced", "1.0"), ("limit", "1.5"), ("limit", "3.0")],
    )];
    check(
        Ecosystem::PyPi,
        &two,
        &[
            ("0.9", NotAffected),
            ("2.0", Affected),
            ("3.0", NotAffected),
        ],
    );
    // `*` is the implicit "no limit".
    let star = [range(
        RangeKind::Ecosystem,
        &[("introduced", "1.0"), ("limit", "*")],
    )];
    check(
        Ecosystem::PyPi,
        &star,
        &[("0.9", NotAffected), ("1000", Affected)],
    );
}

#[test]
fn semver_ranges_use_semver_whatever_the_ecosystem() {
    // PEP 440 puts 1.0.0.dev1 before 1.0.0a1; in SemVer `1.0.0-dev.1` > `1.0.0-a.1`.
    let ranges = [range(
        RangeKind::Semver,
        &[("introduced", "1.0.0-b"), ("fixed", "1.0.0")],
    )];
    check(
        Ecosystem::PyPi,
        &ranges,
        &[("1.0.0-dev.1", Affected), ("1.0.0-a.1", NotAffected)],
    );
    let verdict = evaluate(Ecosystem::PyPi, "1.0", &ranges, &[]);
    assert!(is_unknown(&verdict, "is not SemVer 2.0"), "{verdict:?}");
    // Go module versions carry a `v`; OSV's Go ranges do not.
    let go = [range(
        RangeKind::Semver,
        &[("introduced", "0"), ("fixed", "1.6.0")],
    )];
    check(
        Ecosystem::Go,
        &go,
        &[("v1.5.9", Affected), ("v1.6.0", NotAffected)],
    );
}

#[test]
fn events_at_the_same_version() {
    let empty = [range(
        RangeKind::Ecosystem,
        &[("fixed", "1.0"), ("introduced", "1.0")],
    )];
    check(
        Ecosystem::PyPi,
        &empty,
        &[
            ("0.9", NotAffected),
            ("1.0", NotAffected),
            ("1.1", NotAffected),
        ],
    );
    let single = [range(
        RangeKind::Ecosystem,
        &[("last_affected", "1.0"), ("introduced", "1.0")],
    )];
    check(
        Ecosystem::PyPi,
        &single,
        &[
            ("0.9", NotAffected),
            ("1.0", Affected),
            ("1.0.0", Affected),
            ("1.1", NotAffected),
        ],
    );
}

#[test]
fn a_range_without_introduced_affects_nothing() {
    let ranges = [range(RangeKind::Ecosystem, &[("fixed", "2.0")])];
    check(
        Ecosystem::PyPi,
        &ranges,
        &[("1.0", NotAffected), ("3.0", NotAffected)],
    );
}

#[test]
fn git_ranges() {
    let git = range(
        RangeKind::Git,
        &[
            ("introduced", "0"),
            ("fixed", "466af814523cffae9fbc7e77bab7472988f03c3e"),
        ],
    );
    let verdict = evaluate(Ecosystem::PyPi, "1.0", std::slice::from_ref(&git), &[]);
    assert!(is_unknown(&verdict, "only GIT ranges"), "{verdict:?}");
    // With a versions list (osv.dev expands GIT ranges into it) the list decides.
    let versions = vec!["1.0".to_owned(), "1.1".to_owned()];
    assert_eq!(
        evaluate(
            Ecosystem::PyPi,
            "1.1",
            std::slice::from_ref(&git),
            &versions
        ),
        Affected
    );
    assert_eq!(
        evaluate(
            Ecosystem::PyPi,
            "1.2",
            std::slice::from_ref(&git),
            &versions
        ),
        NotAffected
    );
    // With an ECOSYSTEM range the ECOSYSTEM range decides.
    let ranges = [
        git,
        range(
            RangeKind::Ecosystem,
            &[("introduced", "0"), ("fixed", "1.1")],
        ),
    ];
    check(
        Ecosystem::PyPi,
        &ranges,
        &[("1.0", Affected), ("1.1", NotAffected)],
    );
}

#[test]
fn versions_list_matches_text_or_equal_versions() {
    let versions = vec!["1.0".to_owned(), "2.0.0-1".to_owned()];
    assert_eq!(evaluate(Ecosystem::PyPi, "1.0", &[], &versions), Affected);
    assert_eq!(evaluate(Ecosystem::PyPi, "1.0.0", &[], &versions), Affected);
    assert_eq!(
        evaluate(Ecosystem::PyPi, "2.0.0.post1", &[], &versions),
        Affected
    );
    assert_eq!(
        evaluate(Ecosystem::PyPi, "1.1", &[], &versions),
        NotAffected
    );
    assert_eq!(
        evaluate(Ecosystem::Debian, "2.0.0-1", &[], &versions),
        Affected
    );
    assert_eq!(
        evaluate(Ecosystem::Debian, "0:2.0.0-1", &[], &versions),
        Affected
    );
}

#[test]
fn unparsable_versions_give_unknown_not_a_guess() {
    let ranges = [range(
        RangeKind::Ecosystem,
        &[("introduced", "0"), ("fixed", "not a version")],
    )];
    let verdict = evaluate(Ecosystem::PyPi, "1.0", &ranges, &[]);
    assert!(
        is_unknown(
            &verdict,
            "ranges[0].events[1].fixed: PyPI version `not a version` is not valid"
        ),
        "{verdict:?}"
    );
    let compiled = CompiledRanges::new(Ecosystem::PyPi, &ranges, &[]);
    assert_eq!(compiled.problems().len(), 1);
    // Another range that does match still decides.
    let two = [
        ranges[0].clone(),
        range(
            RangeKind::Ecosystem,
            &[("introduced", "0"), ("fixed", "2.0")],
        ),
    ];
    assert_eq!(evaluate(Ecosystem::PyPi, "1.0", &two, &[]), Affected);
    // An unparsable query version.
    let good = [range(
        RangeKind::Ecosystem,
        &[("introduced", "0"), ("fixed", "2.0")],
    )];
    let verdict = evaluate(Ecosystem::PyPi, "one point oh", &good, &[]);
    assert!(
        is_unknown(&verdict, "PyPI version `one point oh` is not valid"),
        "{verdict:?}"
    );
}

#[test]
fn a_version_of_another_ecosystem_is_unknown() {
    let ranges = [range(
        RangeKind::Ecosystem,
        &[("introduced", "0"), ("fixed", "2.0")],
    )];
    let compiled = CompiledRanges::new(Ecosystem::PyPi, &ranges, &[]);
    let maven = Ecosystem::Maven.parse("1.0").expect("valid");
    let verdict = compiled.evaluate(&maven);
    assert!(
        is_unknown(&verdict, "parsed for Maven, the ranges are for PyPI"),
        "{verdict:?}"
    );
}

#[test]
fn ecosystem_orders_drive_ecosystem_ranges() {
    let ranges = [range(
        RangeKind::Ecosystem,
        &[("introduced", "0"), ("fixed", "1.2.3-1")],
    )];
    check(
        Ecosystem::Debian,
        &ranges,
        &[
            ("1.2.3~rc1-1", Affected),
            ("1.2.3-0.1", Affected),
            ("1.2.3-1", NotAffected),
            ("1:1.0-1", NotAffected),
        ],
    );
    let ranges = [range(
        RangeKind::Ecosystem,
        &[("introduced", "0"), ("fixed", "1.2.3-r2")],
    )];
    check(
        Ecosystem::Alpine,
        &ranges,
        &[
            ("1.2.3_rc1-r0", Affected),
            ("1.2.3-r1", Affected),
            ("1.2.3-r2", NotAffected),
            ("1.2.3_p1-r0", NotAffected),
        ],
    );
    let ranges = [range(
        RangeKind::Ecosystem,
        &[("introduced", "2.0.0.RELEASE"), ("fixed", "2.1.0-M1")],
    )];
    check(
        Ecosystem::Maven,
        &ranges,
        &[
            ("2.0", Affected),
            ("2.0.9", Affected),
            ("2.1.0-SNAPSHOT", NotAffected),
            ("2.1.0-alpha-1", Affected),
        ],
    );
    let ranges = [range(
        RangeKind::Ecosystem,
        &[("introduced", "0"), ("fixed", "4.2.0.1")],
    )];
    check(
        Ecosystem::NuGet,
        &ranges,
        &[
            ("4.2.0", Affected),
            ("4.2.0.1", NotAffected),
            ("4.2.0.1-BETA", Affected),
        ],
    );
}

#[test]
fn generic_ecosystems_evaluate_only_what_osv_defines_for_all() {
    let ecosystem = Ecosystem::from_osv_or_generic("Packagist");
    assert_eq!(ecosystem, Ecosystem::Generic);
    assert!(!ecosystem.has_order());
    assert_eq!(Ecosystem::from_osv_or_generic("PyPI"), Ecosystem::PyPi);
    // SEMVER ranges are SemVer 2.0 in every ecosystem.
    let semver = [range(
        RangeKind::Semver,
        &[("introduced", "1.0.0"), ("fixed", "1.2.0")],
    )];
    check(
        ecosystem,
        &semver,
        &[
            ("v1.1.0", Affected),
            ("1.2.0", NotAffected),
            ("0.9.0", NotAffected),
        ],
    );
    // ECOSYSTEM ranges need an order that is not known.
    let ranges = [range(
        RangeKind::Ecosystem,
        &[("introduced", "0"), ("fixed", "1.2.0")],
    )];
    let verdict = evaluate(ecosystem, "1.1.0", &ranges, &[]);
    assert!(
        is_unknown(
            &verdict,
            "ranges[0]: an ECOSYSTEM range needs the ecosystem's version order"
        ),
        "{verdict:?}"
    );
    // `versions` entries match by text.
    let versions = vec!["1.1.0".to_owned()];
    assert_eq!(evaluate(ecosystem, "1.1.0", &ranges, &versions), Affected);
    assert_eq!(evaluate(ecosystem, "1.1.0", &[], &versions), Affected);
    assert_eq!(evaluate(ecosystem, "1.1", &[], &versions), NotAffected);
}
