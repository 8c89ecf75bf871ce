//! Versions from hostile files (issue 21): very long and deeply structured texts in
//! every ecosystem's order. They run in cargo's test threads (2 MiB stacks), so a
//! parser or a comparison that recursed on the text's structure would overflow and
//! abort the test binary, as a 150,000-item Maven version once did.

use std::cmp::Ordering;

use lifeline_version::{
    CompiledRanges, Ecosystem, Event, MAX_VERSION_LEN, Range, RangeKind, Verdict, VersionError,
    evaluate,
};
use proptest::prelude::*;

/// Every ecosystem, the generic one included.
fn ecosystems() -> impl Iterator<Item = Ecosystem> {
    Ecosystem::ALL.into_iter().chain([Ecosystem::Generic])
}

/// A version of `items` structured items in the ecosystem's grammar (valid where the
/// grammar allows that many), about two bytes an item: the shapes that nest or
/// repeat in each order.
fn structured(ecosystem: Ecosystem, items: usize) -> String {
    match ecosystem {
        // Every `-` opens a nested list in Maven.
        Ecosystem::Maven => format!("{}1", "1-".repeat(items)),
        Ecosystem::PyPi => format!("1{}", ".1".repeat(items)),
        Ecosystem::RubyGems => format!("1{}", ".a".repeat(items)),
        Ecosystem::NuGet => format!("1.0.0-{}a", "a.".repeat(items)),
        Ecosystem::Debian | Ecosystem::Ubuntu => format!("1{}-1", "a1".repeat(items)),
        Ecosystem::Alpine | Ecosystem::Wolfi | Ecosystem::Chainguard => {
            format!("1{}", ".1".repeat(items))
        }
        Ecosystem::Generic => "1.".repeat(items),
        // SemVer: a long pre-release of dot-separated identifiers.
        _ => format!("1.0.0-{}a", "a.".repeat(items)),
    }
}

fn fixed_at(kind: RangeKind, version: &str) -> Range {
    Range {
        kind,
        events: vec![
            Event::Introduced("0".to_owned()),
            Event::Fixed(version.to_owned()),
        ],
    }
}

/// Checks that a text over the limit is refused by parsing, evaluates to `Unknown`
/// as a component version, and breaks only its own range as an event version.
fn check_too_long(ecosystem: Ecosystem, text: &str) {
    assert!(
        text.len() > MAX_VERSION_LEN,
        "{ecosystem}: {} bytes",
        text.len()
    );
    match ecosystem.parse(text) {
        Err(error @ VersionError::TooLong { .. }) => {
            let message = error.to_string();
            assert!(
                message.contains(&format!("({} bytes)", text.len())) && message.len() < 400,
                "{ecosystem}: {message}"
            );
            assert!(
                error.text().len() <= 80,
                "{ecosystem}: the error keeps only the start"
            );
        }
        other => panic!("{ecosystem}: {} bytes gave {other:?}", text.len()),
    }
    // As the version of a component: unknown, even when the `versions` list names it.
    let ranges = [fixed_at(RangeKind::Semver, "2.0.0")];
    let verdict = evaluate(ecosystem, text, &ranges, &[text.to_owned()]);
    assert!(
        matches!(&verdict, Verdict::Unknown { reason } if reason.contains("longer than")),
        "{ecosystem}: {verdict:?}"
    );
    // As an event and as a listed version: a problem naming the field; the other
    // range still decides.
    let kind = if ecosystem.has_order() {
        RangeKind::Ecosystem
    } else {
        RangeKind::Semver
    };
    let good = Range {
        kind: RangeKind::Semver,
        events: vec![Event::Introduced("1.5.0".to_owned())],
    };
    let compiled =
        CompiledRanges::new(ecosystem, &[fixed_at(kind, text), good], &[text.to_owned()]);
    let problems = compiled.problems();
    assert_eq!(problems.len(), 2, "{ecosystem}: {problems:?}");
    assert!(problems.iter().any(|p| p.starts_with("versions[0]: ")));
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("ranges[0].events[1].fixed: ") && p.len() < 400),
        "{ecosystem}: {problems:?}"
    );
    assert_eq!(
        compiled.evaluate_str("1.6.0"),
        Verdict::Affected,
        "{ecosystem}"
    );
}

#[test]
fn versions_of_150_000_items_are_refused_in_every_ecosystem() {
    for ecosystem in ecosystems() {
        check_too_long(ecosystem, &structured(ecosystem, 150_000));
        check_too_long(ecosystem, &"9".repeat(MAX_VERSION_LEN + 1));
    }
}

#[test]
fn the_limit_is_inclusive() {
    let at_limit = "1".repeat(MAX_VERSION_LEN);
    for ecosystem in ecosystems() {
        assert!(
            !matches!(
                ecosystem.parse(&at_limit),
                Err(VersionError::TooLong { .. })
            ),
            "{ecosystem}"
        );
    }
}

#[test]
fn the_longest_structured_versions_under_the_limit_parse_and_compare() {
    for ecosystem in ecosystems() {
        let items = (MAX_VERSION_LEN - 16) / 2;
        let long = structured(ecosystem, items);
        assert!(long.len() <= MAX_VERSION_LEN, "{ecosystem}");
        let longer = structured(ecosystem, items + 1);
        let (Ok(a), Ok(b)) = (ecosystem.parse(&long), ecosystem.parse(&longer)) else {
            // NuGet caps nothing but its parts; the others parse. A refusal must be a
            // grammar's, not the length limit's.
            assert!(
                !matches!(ecosystem.parse(&long), Err(VersionError::TooLong { .. })),
                "{ecosystem}"
            );
            continue;
        };
        assert_eq!(a.cmp(&a.clone()), Ordering::Equal, "{ecosystem}");
        assert_eq!(a.cmp(&b), b.cmp(&a).reverse(), "{ecosystem}");
        let one = ecosystem.parse("1").or_else(|_| ecosystem.parse("1.0.0"));
        if let Ok(one) = one {
            assert_eq!(a.cmp(&one), one.cmp(&a).reverse(), "{ecosystem}");
        }
    }
}

/// Text made of version characters, often long and often repetitive (long runs of
/// separators, digits and letters are what nests or repeats in the orders).
fn long_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[0-9a-zA-Z.+~_:!-]{1,8}",
        ("[0-9a-z.-]{1,3}", 1usize..400).prop_map(|(unit, count)| unit.repeat(count)),
    ];
    prop::collection::vec(piece, 1..8).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn long_texts_never_panic_and_order_consistently(a in long_text(), b in long_text()) {
        for ecosystem in ecosystems() {
            let parsed = (ecosystem.parse(&a), ecosystem.parse(&b));
            for (text, result) in [(&a, &parsed.0), (&b, &parsed.1)] {
                if text.len() > MAX_VERSION_LEN {
                    let too_long = matches!(result, Err(VersionError::TooLong { .. }));
                    prop_assert!(too_long, "{}", ecosystem);
                }
            }
            if let (Ok(x), Ok(y)) = parsed {
                prop_assert_eq!(x.cmp(&y), y.cmp(&x).reverse(), "{}", ecosystem);
                prop_assert_eq!(x.cmp(&x), Ordering::Equal);
            }
            let ranges = [fixed_at(RangeKind::Ecosystem, &b), fixed_at(RangeKind::Semver, &b)];
            let _ = evaluate(ecosystem, &a, &ranges, std::slice::from_ref(&b));
        }
    }
}
