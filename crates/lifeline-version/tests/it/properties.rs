//! Property tests: on generated versions of every ecosystem, `Ord` is a total
//! order (antisymmetric, transitive, `Eq` agreeing with it), grammar-made texts
//! parse, and no string makes a parser or the evaluator panic.

use std::cmp::Ordering;

use lifeline_version::{Ecosystem, Event, Range, RangeKind, Version, evaluate};
use proptest::prelude::*;

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..12).prop_map(|n| n.to_string()),
        Just("0".to_owned()),
        Just("10".to_owned())
    ]
}

fn joined(parts: Vec<String>, separator: &str) -> String {
    parts.join(separator)
}

fn semver_text() -> impl Strategy<Value = String> {
    let identifier = prop_oneof![
        Just("alpha".to_owned()),
        Just("beta".to_owned()),
        Just("rc".to_owned()),
        Just("a1".to_owned()),
        Just("0".to_owned()),
        Just("1".to_owned()),
        Just("11".to_owned()),
        Just("x-y".to_owned()),
    ];
    (
        number(),
        number(),
        number(),
        prop::collection::vec(identifier, 0..3),
        prop::option::of(Just("+build.5")),
    )
        .prop_map(|(a, b, c, pre, build)| {
            let mut text = format!("{a}.{b}.{c}");
            if !pre.is_empty() {
                text.push('-');
                text.push_str(&pre.join("."));
            }
            if let Some(build) = build {
                text.push_str(build);
            }
            text
        })
}

fn go_text() -> impl Strategy<Value = String> {
    prop_oneof![
        semver_text().prop_map(|t| format!("v{t}")),
        (
            number(),
            number(),
            number(),
            20190000000000u64..20250000000000u64
        )
            .prop_map(|(a, b, c, time)| { format!("v{a}.{b}.{c}-0.{time}-abcdef123456") }),
        semver_text().prop_map(|t| format!("v{t}+incompatible").replace("+build.5+", "+")),
    ]
}

fn pypi_text() -> impl Strategy<Value = String> {
    (
        prop::option::of(0u32..3),
        prop::collection::vec(number(), 1..4),
        prop::option::of((
            prop::sample::select(vec!["a", "b", "rc", "alpha", "c", "pre"]),
            0u32..3,
        )),
        prop::option::of(0u32..3),
        prop::option::of(0u32..3),
        prop::option::of(prop::sample::select(vec!["abc", "1", "abc.5", "ubuntu-1"])),
    )
        .prop_map(|(epoch, release, pre, post, dev, local)| {
            let mut text = String::new();
            if let Some(epoch) = epoch {
                text.push_str(&format!("{epoch}!"));
            }
            text.push_str(&joined(release, "."));
            if let Some((label, n)) = pre {
                text.push_str(&format!("{label}{n}"));
            }
            if let Some(post) = post {
                text.push_str(&format!(".post{post}"));
            }
            if let Some(dev) = dev {
                text.push_str(&format!(".dev{dev}"));
            }
            if let Some(local) = local {
                text.push_str(&format!("+{local}"));
            }
            text
        })
}

fn maven_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        number(),
        prop::sample::select(vec![
            "alpha",
            "a",
            "beta",
            "b",
            "m",
            "milestone",
            "rc",
            "cr",
            "SNAPSHOT",
            "ga",
            "final",
            "release",
            "sp",
            "foo",
            "x",
            "",
        ])
        .prop_map(str::to_owned),
    ];
    (
        number(),
        prop::collection::vec((prop::sample::select(vec![".", "-", ""]), token), 0..5),
    )
        .prop_map(|(first, rest)| {
            let mut text = first;
            for (separator, token) in rest {
                text.push_str(separator);
                text.push_str(&token);
            }
            text
        })
}

fn rubygems_text() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        number(),
        prop::sample::select(vec!["a", "b", "pre", "rc", "beta", "x"]).prop_map(str::to_owned),
        (prop::sample::select(vec!["a", "rc"]), 0u32..3).prop_map(|(l, n)| format!("{l}{n}")),
    ];
    (
        number(),
        prop::collection::vec(segment, 0..4),
        prop::option::of(Just("-rc1")),
    )
        .prop_map(|(first, rest, pre)| {
            let mut text = first;
            for segment in rest {
                text.push('.');
                text.push_str(&segment);
            }
            if let Some(pre) = pre {
                text.push_str(pre);
            }
            text
        })
}

fn nuget_text() -> impl Strategy<Value = String> {
    let label = prop::sample::select(vec!["alpha", "Alpha", "BETA", "beta", "rc", "1", "2", "10"]);
    (
        prop::collection::vec(number(), 1..5),
        prop::collection::vec(label, 0..3),
        prop::option::of(Just("+meta")),
    )
        .prop_map(|(parts, labels, meta)| {
            let mut text = joined(parts, ".");
            if !labels.is_empty() {
                text.push('-');
                text.push_str(&labels.join("."));
            }
            if let Some(meta) = meta {
                text.push_str(meta);
            }
            text
        })
}

fn debian_text() -> impl Strategy<Value = String> {
    (
        prop::option::of(0u32..3),
        "[0-9][0-9a-z.+~]{0,8}",
        prop::option::of("[0-9a-z+.~]{1,5}"),
    )
        .prop_map(|(epoch, upstream, revision)| {
            let mut text = String::new();
            if let Some(epoch) = epoch {
                text.push_str(&format!("{epoch}:"));
            }
            text.push_str(&upstream);
            if let Some(revision) = revision {
                text.push('-');
                text.push_str(&revision);
            }
            text
        })
}

fn alpine_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(
            prop_oneof![number(), Just("01".to_owned()), Just("001".to_owned())],
            1..4,
        ),
        prop::option::of(prop::sample::select(vec!["a", "b", "z"])),
        prop::collection::vec(
            (
                prop::sample::select(vec![
                    "alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p",
                ]),
                prop::option::of(0u32..12),
            ),
            0..3,
        ),
        prop::option::of(prop::sample::select(vec!["abc123", "0f"])),
        prop::option::of(0u32..4),
    )
        .prop_map(|(numbers, letter, suffixes, hash, revision)| {
            let mut text = joined(numbers, ".");
            if let Some(letter) = letter {
                text.push_str(letter);
            }
            for (suffix, n) in suffixes {
                text.push('_');
                text.push_str(suffix);
                if let Some(n) = n {
                    text.push_str(&n.to_string());
                }
            }
            if let Some(hash) = hash {
                text.push('~');
                text.push_str(hash);
            }
            if let Some(revision) = revision {
                text.push_str(&format!("-r{revision}"));
            }
            text
        })
}

/// A generated version text for the ecosystem, made by its grammar.
fn text_for(ecosystem: Ecosystem) -> BoxedStrategy<String> {
    match ecosystem {
        Ecosystem::Npm | Ecosystem::CratesIo | Ecosystem::Hex | Ecosystem::SwiftUrl => {
            semver_text().boxed()
        }
        Ecosystem::Go => go_text().boxed(),
        Ecosystem::PyPi => pypi_text().boxed(),
        Ecosystem::Maven => maven_text().boxed(),
        Ecosystem::RubyGems => rubygems_text().boxed(),
        Ecosystem::NuGet => nuget_text().boxed(),
        Ecosystem::Debian | Ecosystem::Ubuntu => debian_text().boxed(),
        Ecosystem::Alpine | Ecosystem::Wolfi | Ecosystem::Chainguard => alpine_text().boxed(),
        Ecosystem::Generic => "[0-9a-z.+~_-]{1,12}".boxed(),
    }
}

/// Eight grammar-made texts of one ecosystem.
fn batch() -> impl Strategy<Value = (Ecosystem, Vec<String>)> {
    let mut ecosystems = Ecosystem::ALL.to_vec();
    ecosystems.push(Ecosystem::Generic);
    prop::sample::select(ecosystems).prop_flat_map(|ecosystem| {
        (
            Just(ecosystem),
            prop::collection::vec(text_for(ecosystem), 8),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn order_is_total((ecosystem, texts) in batch()) {
        let mut versions: Vec<Version> = Vec::new();
        for text in &texts {
            match ecosystem.parse(text) {
                Ok(version) => versions.push(version),
                Err(error) => prop_assert!(false, "grammar-made `{}` rejected: {}", text, error),
            }
        }
        for a in &versions {
            prop_assert_eq!(a.cmp(a), Ordering::Equal);
            for b in &versions {
                let ab = a.cmp(b);
                prop_assert_eq!(ab, b.cmp(a).reverse(), "antisymmetry {} {}", a, b);
                prop_assert_eq!(ab == Ordering::Equal, a == b, "Eq agrees with Ord {} {}", a, b);
                for c in &versions {
                    if ab != Ordering::Greater && b.cmp(c) != Ordering::Greater {
                        prop_assert_ne!(a.cmp(c), Ordering::Greater, "transitivity {} <= {} <= {}", a, b, c);
                    }
                }
            }
        }
        // Sorting agrees with every pairwise comparison.
        versions.sort();
        for (i, a) in versions.iter().enumerate() {
            for b in &versions[i + 1..] {
                prop_assert_ne!(a.cmp(b), Ordering::Greater, "sorted {} before {}", a, b);
            }
        }
    }

    #[test]
    fn parsers_never_panic(text in any::<String>(), other in "[0-9a-zA-Z.+~_:!-]{0,16}") {
        for ecosystem in Ecosystem::ALL.into_iter().chain([Ecosystem::Generic]) {
            for candidate in [text.as_str(), other.as_str()] {
                if let Ok(version) = ecosystem.parse(candidate) {
                    prop_assert_eq!(version.as_str(), candidate);
                    prop_assert_eq!(version.cmp(&version), Ordering::Equal);
                }
            }
            if let (Ok(a), Ok(b)) = (ecosystem.parse(&text), ecosystem.parse(&other)) {
                prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            }
        }
    }

    #[test]
    fn evaluate_never_panics(
        version in "[0-9a-zA-Z.+~_:-]{0,12}",
        events in prop::collection::vec((0u8..4, "[0-9a-z.+~_*-]{0,8}"), 0..5),
        kind in 0u8..3,
    ) {
        let events: Vec<Event> = events
            .into_iter()
            .map(|(field, text)| match field {
                0 => Event::Introduced(text),
                1 => Event::Fixed(text),
                2 => Event::LastAffected(text),
                _ => Event::Limit(text),
            })
            .collect();
        let kind = [RangeKind::Semver, RangeKind::Ecosystem, RangeKind::Git][usize::from(kind)];
        let ranges = [Range { kind, events }];
        for ecosystem in Ecosystem::ALL.into_iter().chain([Ecosystem::Generic]) {
            let _ = evaluate(ecosystem, &version, &ranges, std::slice::from_ref(&version));
        }
    }
}
