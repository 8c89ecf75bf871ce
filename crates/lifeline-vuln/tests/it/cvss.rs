//! CVSS base scores against independently computed values.
//!
//! v3.1: vectors of the CVEs that FIRST's "CVSS v3.1 Examples" document discusses
//! (<https://www.first.org/cvss/v3.1/examples>), plus Log4Shell. v4.0: vectors covering the
//! metric groups, among them the network/no-privileges/high-impact 9.3 case. The expected
//! scores are those of the `cvss` Python package (Red Hat's implementation of the FIRST
//! specifications), which `tools/cvss_oracle.py` recomputes for every row of `VECTORS`
//! (25 of 25 agree); they were not copied from FIRST's web calculators.

use lifeline_vuln::cvss::{Rating, base_score};

/// (vector, base score). Parsed by `tools/cvss_oracle.py`: keep one row per line.
const VECTORS: &[(&str, f64)] = &[
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1), // CVE-2013-1937 phpMyAdmin XSS
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4), // CVE-2013-0375 MySQL
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1), // CVE-2014-3566 POODLE
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9), // CVE-2012-1516 VMware
    ("CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2), // CVE-2009-0783 Tomcat
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8), // CVE-2012-0384 Cisco IOS
    ("CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8), // CVE-2015-1098 iWork
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5), // CVE-2014-0160 Heartbleed
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8), // CVE-2014-6271 Shellshock
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8), // CVE-2008-1447 DNS
    ("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8), // CVE-2014-2005 Sophos
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8), // CVE-2010-0467 Joomla
    ("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H", 9.3), // CVE-2013-6014 Juniper
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0), // CVE-2021-44228 Log4Shell
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N", 5.3),
    ("CVSS:3.0/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:H/A:N", 6.1),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        9.3,
    ),
    (
        "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        8.4,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N",
        6.9,
    ),
    (
        "CVSS:4.0/AV:N/AC:H/AT:P/PR:L/UI:P/VC:L/VI:L/VA:L/SC:L/SI:L/SA:L",
        2.1,
    ),
    (
        "CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
        8.6,
    ),
    (
        "CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
        7.1,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N",
        5.1,
    ),
    (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
        0.0,
    ),
    (
        "CVSS:4.0/AV:L/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N",
        1.0,
    ),
];

#[test]
fn published_vectors_give_their_base_scores() {
    for (vector, expected) in VECTORS {
        let score = base_score(vector).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            (score.score - expected).abs() < 1e-9,
            "{vector}: {} instead of {expected}",
            score.score
        );
    }
}

#[test]
fn ratings_follow_the_specification_bands() {
    assert_eq!(Rating::of_score(10.0), Rating::Critical);
    assert_eq!(Rating::of_score(9.0), Rating::Critical);
    assert_eq!(Rating::of_score(8.9), Rating::High);
    assert_eq!(Rating::of_score(7.0), Rating::High);
    assert_eq!(Rating::of_score(6.9), Rating::Medium);
    assert_eq!(Rating::of_score(4.0), Rating::Medium);
    assert_eq!(Rating::of_score(3.9), Rating::Low);
    assert_eq!(Rating::of_score(0.1), Rating::Low);
    assert_eq!(Rating::of_score(0.0), Rating::None);
    assert_eq!(Rating::from_word("moderate"), Rating::Medium);
}

#[test]
fn bad_vectors_are_errors() {
    for vector in [
        "",
        "AV:N/AC:L",
        "CVSS:2.0/AV:N",
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N",
        "CVSS:4.0/AV:N/AC:L",
    ] {
        assert!(base_score(vector).is_err(), "{vector}");
    }
}
