//! Ordering tables per ecosystem (`tests/data/order/*.txt`), each pair checked
//! both ways, with `Eq` agreeing with `Ord`.

use std::cmp::Ordering;

use lifeline_version::{Ecosystem, Version};

fn parse(ecosystem: Ecosystem, text: &str, file: &str, line: usize) -> Version {
    ecosystem
        .parse(text)
        .unwrap_or_else(|e| panic!("{file}:{line}: `{text}` should parse: {e}"))
}

fn check_pair(ecosystem: Ecosystem, a: &str, b: &str, expected: Ordering, file: &str, line: usize) {
    let va = parse(ecosystem, a, file, line);
    let vb = parse(ecosystem, b, file, line);
    assert_eq!(va.cmp(&vb), expected, "{file}:{line}: {a} vs {b}");
    assert_eq!(vb.cmp(&va), expected.reverse(), "{file}:{line}: {b} vs {a}");
    assert_eq!(
        va == vb,
        expected == Ordering::Equal,
        "{file}:{line}: Eq of {a}, {b}"
    );
}

/// Runs one table against one or more ecosystems; returns the number of checks.
fn check(file: &str, ecosystems: &[Ecosystem]) -> usize {
    let text = crate::read(&format!("order/{file}"));
    let mut checks = 0;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        for &ecosystem in ecosystems {
            if let Some(chain) = content.strip_prefix("chain:") {
                let items: Vec<&str> = chain.split_whitespace().collect();
                for i in 0..items.len() {
                    for j in i + 1..items.len() {
                        check_pair(ecosystem, items[i], items[j], Ordering::Less, file, line);
                        checks += 1;
                    }
                }
            } else if let Some(bad) = content.strip_prefix("! ") {
                let bad = bad.replace("\\n", "\n");
                let result = ecosystem.parse(&bad);
                assert!(
                    result.is_err(),
                    "{file}:{line}: `{bad}` should be rejected, got {result:?}"
                );
                checks += 1;
            } else {
                let parts: Vec<&str> = content.split_whitespace().collect();
                assert_eq!(parts.len(), 3, "{file}:{line}: expected `A op B`");
                let expected = match parts[1] {
                    "<" => Ordering::Less,
                    "=" => Ordering::Equal,
                    ">" => Ordering::Greater,
                    other => panic!("{file}:{line}: unknown operator {other}"),
                };
                check_pair(ecosystem, parts[0], parts[2], expected, file, line);
                checks += 1;
            }
        }
    }
    assert!(checks > 0, "{file} has no cases");
    checks
}

#[test]
fn semver_precedence() {
    check(
        "semver.txt",
        &[
            Ecosystem::Npm,
            Ecosystem::CratesIo,
            Ecosystem::Hex,
            Ecosystem::SwiftUrl,
            Ecosystem::Go,
        ],
    );
}

#[test]
fn npm_prefixes() {
    check("npm.txt", &[Ecosystem::Npm]);
}

#[test]
fn crates_io_strict() {
    check("cratesio.txt", &[Ecosystem::CratesIo]);
}

#[test]
fn go_modules() {
    check("go.txt", &[Ecosystem::Go]);
}

#[test]
fn pypi_pep440() {
    check("pypi.txt", &[Ecosystem::PyPi]);
}

#[test]
fn maven_comparable_version() {
    check("maven.txt", &[Ecosystem::Maven]);
}

#[test]
fn rubygems() {
    check("rubygems.txt", &[Ecosystem::RubyGems]);
}

#[test]
fn nuget() {
    check("nuget.txt", &[Ecosystem::NuGet]);
}

#[test]
fn debian_dpkg() {
    check("debian.txt", &[Ecosystem::Debian, Ecosystem::Ubuntu]);
}

#[test]
fn alpine_apk() {
    check(
        "alpine.txt",
        &[Ecosystem::Alpine, Ecosystem::Wolfi, Ecosystem::Chainguard],
    );
}

#[test]
fn display_keeps_the_original_text() {
    let version = Ecosystem::PyPi.parse("1.0-Alpha1").expect("valid PEP 440");
    assert_eq!(version.to_string(), "1.0-Alpha1");
    assert_eq!(version.as_str(), "1.0-Alpha1");
    assert_eq!(version.ecosystem(), Ecosystem::PyPi);
}

#[test]
fn errors_name_the_ecosystem_and_the_text() {
    let error = Ecosystem::Maven.parse("  ").expect_err("blank");
    assert_eq!(error.to_string(), "Maven version `  ` is empty");
    let error = Ecosystem::PyPi.parse("french toast").expect_err("invalid");
    let message = error.to_string();
    assert!(
        message.starts_with("PyPI version `french toast` is not valid: "),
        "{message}"
    );
    assert_eq!(error.ecosystem(), Ecosystem::PyPi);
    assert_eq!(error.text(), "french toast");
    let error = Ecosystem::Debian.parse("1.0-").expect_err("empty revision");
    assert_eq!(
        error.to_string(),
        "Debian version `1.0-` is not valid: the revision after the last `-` is empty"
    );
}

#[test]
fn ecosystem_names() {
    for (osv, ecosystem) in [
        ("npm", Ecosystem::Npm),
        ("PyPI", Ecosystem::PyPi),
        ("Maven", Ecosystem::Maven),
        ("Maven:https://maven.google.com", Ecosystem::Maven),
        ("Go", Ecosystem::Go),
        ("crates.io", Ecosystem::CratesIo),
        ("RubyGems", Ecosystem::RubyGems),
        ("NuGet", Ecosystem::NuGet),
        ("Debian", Ecosystem::Debian),
        ("Debian:12", Ecosystem::Debian),
        ("Ubuntu:22.04:LTS", Ecosystem::Ubuntu),
        ("Ubuntu:Pro:18.04:LTS", Ecosystem::Ubuntu),
        ("Alpine:v3.18", Ecosystem::Alpine),
        ("Wolfi", Ecosystem::Wolfi),
        ("Chainguard", Ecosystem::Chainguard),
        ("Hex", Ecosystem::Hex),
        ("SwiftURL", Ecosystem::SwiftUrl),
    ] {
        assert_eq!(Ecosystem::from_osv(osv), Some(ecosystem), "{osv}");
    }
    for unknown in [
        "pypi",
        "Packagist",
        "GIT",
        "",
        "Red Hat:rhel_aus:8.4::appstream",
    ] {
        assert_eq!(Ecosystem::from_osv(unknown), None, "{unknown}");
    }
    for ecosystem in Ecosystem::ALL {
        assert_eq!(Ecosystem::from_osv(ecosystem.osv_name()), Some(ecosystem));
        assert_eq!(ecosystem.to_string(), ecosystem.osv_name());
    }
    for (purl, ecosystem) in [
        ("npm", Ecosystem::Npm),
        ("pypi", Ecosystem::PyPi),
        ("PyPI", Ecosystem::PyPi),
        ("maven", Ecosystem::Maven),
        ("golang", Ecosystem::Go),
        ("cargo", Ecosystem::CratesIo),
        ("gem", Ecosystem::RubyGems),
        ("nuget", Ecosystem::NuGet),
        ("deb", Ecosystem::Debian),
        ("apk", Ecosystem::Alpine),
        ("hex", Ecosystem::Hex),
        ("swift", Ecosystem::SwiftUrl),
    ] {
        assert_eq!(Ecosystem::from_purl_type(purl), Some(ecosystem), "{purl}");
    }
    assert_eq!(Ecosystem::from_purl_type("generic"), None);
    assert_eq!(
        Ecosystem::from_purl("deb", Some("ubuntu")),
        Some(Ecosystem::Ubuntu)
    );
    assert_eq!(
        Ecosystem::from_purl("deb", Some("debian")),
        Some(Ecosystem::Debian)
    );
    assert_eq!(
        Ecosystem::from_purl("apk", Some("wolfi")),
        Some(Ecosystem::Wolfi)
    );
    assert_eq!(
        Ecosystem::from_purl("apk", Some("alpine")),
        Some(Ecosystem::Alpine)
    );
    assert_eq!(Ecosystem::from_purl("apk", None), Some(Ecosystem::Alpine));
}
