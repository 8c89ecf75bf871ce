//! Fuzz target for lifeline-version: any bytes, split at the first two NUL bytes
//! into a version and two range bounds, must parse to a version or an error for
//! every ecosystem, never panic; parsed versions must compare consistently
//! (antisymmetry, reflexivity), and OSV evaluation must give a verdict.

#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use lifeline_version::{CompiledRanges, Ecosystem, Event, Range, RangeKind, evaluate};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\0');
    let version = parts.next().unwrap_or("");
    let introduced = parts.next().unwrap_or("0");
    let fixed = parts.next().unwrap_or("");
    let ranges = [
        Range {
            kind: RangeKind::Ecosystem,
            events: vec![
                Event::Introduced(introduced.to_owned()),
                Event::Fixed(fixed.to_owned()),
                Event::LastAffected(version.to_owned()),
            ],
        },
        Range {
            kind: RangeKind::Semver,
            events: vec![
                Event::Introduced(introduced.to_owned()),
                Event::Limit(fixed.to_owned()),
            ],
        },
    ];
    let versions = [fixed.to_owned()];
    for ecosystem in Ecosystem::ALL.into_iter().chain([Ecosystem::Generic]) {
        let parsed = [version, introduced, fixed].map(|t| ecosystem.parse(t));
        for a in parsed.iter().flatten() {
            assert_eq!(a.cmp(a), Ordering::Equal);
            for b in parsed.iter().flatten() {
                assert_eq!(a.cmp(b), b.cmp(a).reverse());
                assert_eq!(a == b, a.cmp(b) == Ordering::Equal);
            }
        }
        for error in parsed.iter().filter_map(|p| p.as_ref().err()) {
            let _ = error.to_string();
        }
        let verdict = evaluate(ecosystem, version, &ranges, &versions);
        let compiled = CompiledRanges::new(ecosystem, &ranges, &versions);
        assert_eq!(compiled.evaluate_str(version), verdict);
    }
});
