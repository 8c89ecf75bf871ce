//! The GS1 identifier vectors of `tests/data/gs1-identifiers/` (see SOURCES.md): the
//! Digital Link normaliser cases and check digits of the CBV 2.0 reference implementation,
//! and the TDT tables.

use lifeline_gs1::{EpcScheme, TABLE_K, canonical_digital_link, check_digit, is_valid_check_digit};
use serde_json::Value;

use crate::{check, read};

#[test]
fn dl_normaliser_vectors_all_pass() {
    let vectors: Value =
        serde_json::from_str(&read("gs1-identifiers/dl_normaliser_vectors.json")).unwrap();
    let groups = vectors["groups"].as_object().unwrap();
    let mut failures = Vec::new();
    let (mut total, mut accepted, mut rejected) = (0, 0, 0);
    for (group, cases) in groups {
        for case in cases.as_array().unwrap() {
            total += 1;
            // One upstream case passes the integer 42; a `&str` API cannot receive an
            // integer, so it is checked as the string "42".
            let input = match &case["input"] {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let expected = case["expected"].as_str();
            if expected.is_some() {
                accepted += 1
            } else {
                rejected += 1
            }
            if let Err(message) = check(&input, expected) {
                failures.push(format!("[{group}] {message}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} vectors fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        (total, accepted, rejected),
        (55, 47, 8),
        "the vector file changed"
    );
}

#[test]
fn rejected_vectors_are_none_or_error_as_documented() {
    // Not a GS1 identifier at all: Ok(None). A GS1 key with a bad value: Err.
    for input in [
        "42",
        "Hello World!",
        "http://example.org/123/4012345ABC987/456/4711",
        "http://id.gs1.org/99/9780345418913",
    ] {
        assert_eq!(canonical_digital_link(input), Ok(None), "{input}");
    }
    for input in [
        "http://example.de/01/97803",
        "https://id.gs1.org/8006/04012345123456/22/ABCD/10/XYZ",
        "http://id.gs1.org/01/9780345418913/99/utfgf",
    ] {
        assert!(canonical_digital_link(input).is_err(), "{input}");
    }
}

#[test]
fn check_digit_vectors_all_pass() {
    let vectors: Value =
        serde_json::from_str(&read("gs1-identifiers/check_digit_vectors.json")).unwrap();
    let mut count = (0, 0);
    for vector in vectors["vectors"].as_array().unwrap() {
        let digits = vector["digits"].as_str().unwrap();
        let valid = vector["check_digit_valid"].as_bool().unwrap();
        assert_eq!(is_valid_check_digit(digits), valid, "{digits}");
        let computed = check_digit(&digits[..digits.len() - 1]).unwrap();
        assert_eq!(
            computed == digits.as_bytes()[digits.len() - 1] - b'0',
            valid,
            "{digits}"
        );
        if valid { count.0 += 1 } else { count.1 += 1 }
    }
    assert_eq!(count, (40, 2), "40 valid and 2 invalid vectors");
}

/// The partition tables of the TDT artefacts: for every company-prefix length, the
/// reference field of SGTIN, SGLN and SSCC pure-identity URIs has the length this crate uses.
#[test]
fn tdt_partition_tables_agree() {
    let mut checked = 0;
    for (file, scheme, field) in [
        ("SGTIN-96.json", EpcScheme::Sgtin, "itemref"),
        ("SGLN-96.json", EpcScheme::Sgln, "locationref"),
        ("SSCC-96.json", EpcScheme::Sscc, "serialref"),
    ] {
        let tdt: Value =
            serde_json::from_str(&read(&format!("gs1-identifiers/tdt/{file}"))).unwrap();
        let levels = tdt["tdt:epcTagDataTranslation"]["scheme"]["level"]
            .as_array()
            .unwrap();
        let pure = levels
            .iter()
            .find(|l| l["type"] == "PURE_IDENTITY")
            .unwrap();
        assert_eq!(
            pure["prefixMatch"].as_str().unwrap(),
            format!("urn:epc:id:{}", scheme.name())
        );
        for option in pure["option"].as_array().unwrap() {
            let prefix_length: usize = option["optionKey"].as_str().unwrap().parse().unwrap();
            let fields = option["field"].as_array().unwrap();
            let reference = fields.iter().find(|f| f["name"] == field).unwrap();
            let length = reference["length"].as_u64().unwrap() as usize;
            assert_eq!(
                scheme.reference_digits(prefix_length),
                Some(length),
                "{file} option {prefix_length}"
            );
            let prefix = fields
                .iter()
                .find(|f| f["name"] == "gs1companyprefix")
                .unwrap();
            assert_eq!(prefix["length"].as_u64().unwrap() as usize, prefix_length);
            checked += 1;
        }
    }
    assert_eq!(checked, 21, "7 partitions for each of 3 schemes");
}

#[test]
fn tdt_table_k_agrees() {
    let table: Value = serde_json::from_str(&read("gs1-identifiers/tdt/TDT_TableK.json")).unwrap();
    let rows = table["rows"].as_array().unwrap();
    assert_eq!(rows.len(), TABLE_K.len());
    for (row, (prefix, length)) in rows.iter().zip(TABLE_K) {
        assert_eq!(row["a"].as_str().unwrap(), *prefix);
        assert_eq!(row["b"].as_str().unwrap(), length.to_string());
    }
}

/// Worked examples from the GS1 General Specifications (§7.9.5) and the unit tests of the
/// GS1 Barcode Syntax Engine (`src/c-lib/syntax/lint_csumalpha.c`; facts: inputs and
/// whether their check characters are right). The engine's cases longer than the 25
/// characters of a GMN are left out: this crate implements the pair for AI (8013) only.
#[test]
fn check_character_pair_worked_examples() {
    use lifeline_gs1::{check_character_pair, is_valid_check_character_pair};
    assert_eq!(
        check_character_pair("1987654Ad4X4bL5ttr2310c").unwrap(),
        ['2', 'K']
    );
    let valid = [
        "22",
        "!22",
        "!!22",
        "1987654Ad4X4bL5ttr2310c2K",
        "12345678901234567890123NT",
        "12345_ABCDEFGHIJKLMCP",
        "12345_NOPQRSTUVWXYZDN",
        "12345_abcdefghijklmN3",
        "12345_nopqrstuvwxyzP2",
        "12345_!\"%&'()*+,-./LC",
        "12345_0123456789:;<=>?62",
        "7907665Bm8v2AB",
        "97850l6KZm0yCD",
        "225803106GSpEF",
        "149512464PM+GH",
        "62577B8fRG7HJK",
        "515942070CYxLM",
        "390800494sP6NP",
        "386830132uO+QR",
        "53395376X1:nST",
        "957813138Sb6UV",
        "530790no0qOgWX",
        "62185314IvwmYZ",
        "23956qk1&dB!23",
        "794394895ic045",
        "57453Uq3qA<H67",
        "0881063PhHvY89",
        "00000!HV",
        "99999zzzzzzzzzzzzzzzzzzT2",
    ];
    for value in valid {
        assert!(is_valid_check_character_pair(value), "{value}");
    }
    let invalid = [
        "",
        "2",
        "33",
        "1987654Ad4X4bL5ttr2310cXK",
        "1987654Ad4X4bL5ttr2310c2X",
        " 2345678901234567890123NT",
        "123456789 1234567890123NT",
        "1234567890123456789012 NT",
        "12345678901234567890123 T",
        "12345678901234567890123N ",
    ];
    for value in invalid {
        assert!(!is_valid_check_character_pair(value), "{value}");
    }
    assert_eq!((valid.len(), invalid.len()), (29, 10));
}

/// Date worked examples from the unit tests of the GS1 Barcode Syntax Engine
/// (`src/c-lib/syntax/lint_yymmd0.c`): YYMMDD with DD `00` allowed, through AI (17).
#[test]
fn expiry_date_worked_examples() {
    use lifeline_gs1::lookup;
    let expiry = lookup("17").unwrap();
    let valid = [
        "000606", "250606", "500606", "750606", "990606", "200131", "200229", "200331", "200430",
        "200531", "200630", "200731", "200831", "200930", "201031", "201130", "201231", "210228",
        "220228", "230228", "240229", "000229", "040229", "960229", "200600",
    ];
    let invalid = [
        "x00131", "2x0131", "20x131", "200x31", "2001x1", "20013x", "", "1", "11", "111", "1111",
        "11111", "1111111", "200010", "201310", "209910", "200132", "200230", "200332", "200431",
        "200532", "200631", "200732", "200832", "200931", "201032", "201131", "201232", "210229",
        "220229", "230229", "240230", "000230", "040230", "960230",
    ];
    for value in valid {
        assert!(expiry.validate("(17)", value).is_ok(), "{value}");
    }
    for value in invalid {
        assert!(expiry.validate("(17)", value).is_err(), "{value}");
    }
    assert_eq!((valid.len(), invalid.len()), (25, 35));
}
