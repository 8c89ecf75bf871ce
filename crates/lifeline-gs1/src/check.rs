//! GS1 check digits: the mod-10 check digit of GTIN, GLN, SSCC, GSRN, GSIN, GDTI, GRAI,
//! GCN, ... (GS1 General Specifications §7.9.1) and the mod-1021 check character pair of
//! the Global Model Number, AI (8013) (§7.9.5).
//!
//! Written by hand: both are a few lines, and no maintained crate covers the pair.

use crate::charset::{CSET32, CSET82};
use crate::error::{Gs1Error, shown};

/// The GS1 mod-10 check digit of `digits` (all data digits, without the check digit):
/// weights 3, 1, 3, 1, ... from the rightmost digit; check = (10 - sum mod 10) mod 10.
///
/// Works for any length (GTIN-8 to SSCC-18 and longer).
///
/// ```
/// assert_eq!(lifeline_gs1::check_digit("950600013435").unwrap(), 2);
/// ```
pub fn check_digit(digits: &str) -> Result<u8, Gs1Error> {
    if digits.is_empty() {
        return Err(Gs1Error::length(digits, "digits", "at least 1", 0));
    }
    if let Some((index, character)) = digits.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(Gs1Error::Character {
            identifier: shown(digits),
            part: "digits".to_owned(),
            character,
            position: index + 1,
            allowed: "digits 0-9",
        });
    }
    Ok(mod10(digits.as_bytes()))
}

/// The mod-10 check digit of ASCII digits already known to be digits.
pub(crate) fn mod10(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let value = u32::from(d - b'0');
            if i % 2 == 0 { 3 * value } else { value }
        })
        .sum();
    // `sum % 10` is below 10, so the result fits in a u8.
    ((10 - sum % 10) % 10) as u8
}

/// Whether the last digit of `digits` is the GS1 mod-10 check digit of the others.
/// False for anything that is not at least two ASCII digits.
pub fn is_valid_check_digit(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    if bytes.len() < 2 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let (data, check) = bytes.split_at(bytes.len() - 1);
    mod10(data) == check[0] - b'0'
}

/// Checks the trailing check digit of `digits` and names `part` of `identifier` if it is wrong.
pub(crate) fn verify_mod10(identifier: &str, part: &str, digits: &str) -> Result<(), Gs1Error> {
    let bytes = digits.as_bytes();
    if bytes.len() < 2 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(Gs1Error::syntax(
            identifier,
            part,
            "a check digit needs at least two digits",
        ));
    }
    let (data, check) = bytes.split_at(bytes.len() - 1);
    let expected = mod10(data);
    if expected != check[0] - b'0' {
        return Err(Gs1Error::CheckDigit {
            identifier: shown(identifier),
            part: part.to_owned(),
            expected: expected.to_string(),
            found: format!("digit `{}`", char::from(check[0])),
        });
    }
    Ok(())
}

/// The first primes, the weights of the check character pair from the right.
const PRIMES: [u32; 23] = [
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83,
];

/// The GS1 mod-1021 check character pair of `data` (the GMN without its two check
/// characters: at most 23 characters of GS1 AI encodable character set 82; the empty
/// string gives `22`).
///
/// Each character's index in set 82 is weighted by the primes 2, 3, 5, ... from the right;
/// the sum mod 1021 is split into `sum / 32` and `sum % 32`, each written with character
/// set 32 (`23456789ABCDEFGHJKLMNPQRSTUVWXYZ`).
///
/// ```
/// // The worked example of the GS1 General Specifications.
/// assert_eq!(lifeline_gs1::check_character_pair("1987654Ad4X4bL5ttr2310c").unwrap(), ['2', 'K']);
/// ```
pub fn check_character_pair(data: &str) -> Result<[char; 2], Gs1Error> {
    let length = data.chars().count();
    if length > PRIMES.len() {
        return Err(Gs1Error::length(data, "data", "0 to 23", length));
    }
    let mut sum: u32 = 0;
    for (i, character) in data.chars().rev().enumerate() {
        let Some(value) = CSET82.find(character) else {
            return Err(Gs1Error::Character {
                identifier: shown(data),
                part: "data".to_owned(),
                character,
                position: length - i,
                allowed: "GS1 AI encodable character set 82",
            });
        };
        // Indices in set 82 are below 82, so `value` fits in a u32.
        sum += value as u32 * PRIMES[i];
    }
    let sum = sum % 1021;
    let set: Vec<char> = CSET32.chars().collect();
    // sum < 1021, so sum / 32 < 32 and sum % 32 < 32: both index `set`.
    Ok([set[(sum / 32) as usize], set[(sum % 32) as usize]])
}

/// Whether the last two characters of `value` are the check character pair of the rest.
pub fn is_valid_check_character_pair(value: &str) -> bool {
    let characters: Vec<char> = value.chars().collect();
    if characters.len() < 2 {
        return false;
    }
    let (data, pair) = characters.split_at(characters.len() - 2);
    let data: String = data.iter().collect();
    check_character_pair(&data).is_ok_and(|expected| expected == [pair[0], pair[1]])
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first unexpected value"
)]
mod tests {
    use super::*;

    #[test]
    fn mod10_examples_from_the_general_specifications() {
        // GTIN-13 9506000134352 and SSCC 376104250021234569.
        assert_eq!(check_digit("950600013435").unwrap(), 2);
        assert_eq!(check_digit("37610425002123456").unwrap(), 9);
        assert!(is_valid_check_digit("09506000134352"));
        assert!(!is_valid_check_digit("09506000134353"));
        assert!(!is_valid_check_digit("0950600013435x"));
        assert!(check_digit("12a").is_err());
        assert!(check_digit("").is_err());
    }

    #[test]
    fn check_character_pair_examples() {
        // Worked examples: the GS1 General Specifications §7.9.5 GMN, and the all-zero sum.
        assert_eq!(
            check_character_pair("1987654Ad4X4bL5ttr2310c").unwrap(),
            ['2', 'K']
        );
        assert!(is_valid_check_character_pair("1987654Ad4X4bL5ttr2310c2K"));
        assert!(!is_valid_check_character_pair("1987654Ad4X4bL5ttr2310c2L"));
        assert_eq!(check_character_pair("!").unwrap(), ['2', '2']);
        assert!(check_character_pair("#").is_err());
        assert_eq!(check_character_pair("").unwrap(), ['2', '2']);
        assert!(check_character_pair("123456789012345678901234").is_err());
    }
}
