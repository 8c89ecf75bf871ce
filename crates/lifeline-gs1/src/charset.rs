//! GS1 character sets (AI encodable sets 82, 39 and 64, set 32 of the check character
//! pair), checking a component against one, and the two escapings GS1 identifiers use in
//! URIs: EPC URN escaping (GS1 EPC Tag Data Standard) and Digital Link percent-encoding.

use crate::error::{Gs1Error, shown};

/// GS1 AI encodable character set 82, in the order of its table (index = value used by the
/// check character pair).
pub const CSET82: &str =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
/// GS1 AI encodable character set 39 (CPID, AI 8010).
pub const CSET39: &str = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// GS1 character set 32 (the check character pair of AI 8013).
pub const CSET32: &str = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A character set a component is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// Digits 0-9.
    Numeric,
    /// GS1 AI encodable character set 82.
    Cset82,
    /// GS1 AI encodable character set 39.
    Cset39,
    /// GS1 AI encodable character set 64 (file-safe base64 and `=`).
    Cset64,
}

/// Membership of the ASCII characters in a set, for constant-time lookup.
const fn ascii_table(set: &str) -> [bool; 128] {
    let mut table = [false; 128];
    let bytes = set.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
}

static CSET82_TABLE: [bool; 128] = ascii_table(CSET82);
static CSET39_TABLE: [bool; 128] = ascii_table(CSET39);

impl Charset {
    /// Whether `c` belongs to the set.
    pub fn contains(self, c: char) -> bool {
        let Ok(byte) = u8::try_from(c) else {
            return false;
        };
        match self {
            Charset::Numeric => byte.is_ascii_digit(),
            Charset::Cset82 => CSET82_TABLE
                .get(usize::from(byte))
                .copied()
                .unwrap_or(false),
            Charset::Cset39 => CSET39_TABLE
                .get(usize::from(byte))
                .copied()
                .unwrap_or(false),
            Charset::Cset64 => {
                byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' || byte == b'='
            }
        }
    }

    /// How the set is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Charset::Numeric => "digits 0-9",
            Charset::Cset82 => "GS1 AI encodable character set 82",
            Charset::Cset39 => "GS1 AI encodable character set 39 (0-9 A-Z # - /)",
            Charset::Cset64 => "GS1 AI encodable character set 64 (A-Z a-z 0-9 - _ =)",
        }
    }
}

/// Checks that every character of `value` is in `set`; the error names `part` of `identifier`.
pub(crate) fn check_charset(
    identifier: &str,
    part: &str,
    value: &str,
    set: Charset,
) -> Result<(), Gs1Error> {
    match value.chars().enumerate().find(|(_, c)| !set.contains(*c)) {
        None => Ok(()),
        Some((index, character)) => Err(Gs1Error::Character {
            identifier: shown(identifier),
            part: part.to_owned(),
            character,
            position: index + 1,
            allowed: set.describe(),
        }),
    }
}

/// Checks that `value` has between `min` and `max` characters.
pub(crate) fn check_length(
    identifier: &str,
    part: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), Gs1Error> {
    let length = value.chars().count();
    if length < min || length > max {
        let expected = if min == max {
            format!("exactly {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(Gs1Error::length(identifier, part, expected, length));
    }
    Ok(())
}

/// Checks that `value` is `length` digits.
pub(crate) fn check_digits(
    identifier: &str,
    part: &str,
    value: &str,
    length: usize,
) -> Result<(), Gs1Error> {
    check_charset(identifier, part, value, Charset::Numeric)?;
    check_length(identifier, part, value, length, length)
}

/// Whether `text` starts with the ASCII `prefix`, ignoring ASCII case.
pub(crate) fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes. Every escape must be well formed and the result valid UTF-8.
pub(crate) fn percent_decode(identifier: &str, part: &str, text: &str) -> Result<String, Gs1Error> {
    if !text.contains('%') {
        return Ok(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let high = bytes.get(i + 1).copied().and_then(hex_value);
            let low = bytes.get(i + 2).copied().and_then(hex_value);
            match (high, low) {
                (Some(high), Some(low)) => {
                    out.push(high * 16 + low);
                    i += 3;
                }
                _ => {
                    return Err(Gs1Error::syntax_hint(
                        identifier,
                        part,
                        format!("`%` at byte {} does not start a `%XX` escape", i + 1),
                        "write a literal `%` as `%25`",
                    ));
                }
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| {
        Gs1Error::syntax(
            identifier,
            part,
            "percent-escapes do not decode to UTF-8 text",
        )
    })
}

/// Characters that an EPC URN must write as `%XX` (TDS, URI form of EPC components): `"`,
/// `%`, `&`, `/`, `<`, `>`, `?` of set 82, and `#` of set 39.
fn epc_must_escape(c: char) -> bool {
    matches!(c, '"' | '%' | '&' | '/' | '<' | '>' | '?' | '#')
}

/// Writes a component value in EPC URN form: the characters an URN cannot hold raw are
/// written `%XX` (upper-case hex), every other character as is.
pub fn epc_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if epc_must_escape(c) {
            out.push_str(&format!("%{:02X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads a component of an EPC URN: `%XX` escapes of any set-82/39 character are decoded,
/// and a raw character that must be escaped is an error.
pub(crate) fn epc_unescape(identifier: &str, part: &str, text: &str) -> Result<String, Gs1Error> {
    if let Some((index, character)) = text
        .char_indices()
        .find(|(_, c)| epc_must_escape(*c) && *c != '%')
    {
        return Err(Gs1Error::Character {
            identifier: shown(identifier),
            part: part.to_owned(),
            character,
            position: text[..index].chars().count() + 1,
            allowed: "set 82 with `\"` `%` `&` `/` `<` `>` `?` `#` written as %XX escapes",
        });
    }
    percent_decode(identifier, part, text)
}

/// Whether `c` stays literal in the constrained canonical Digital Link.
///
/// The CBV 2.0 reference implementation (epcis-event-hash-generator) keeps the set-82
/// characters that TDS lets an EPC URN hold raw, except `! ( ) * + , :`, which it
/// percent-encodes; so `'`, `;`, `=` stay literal. Event hashes must agree with it.
fn dl_literal(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '\'' | ';' | '=')
}

/// Writes a value for a Digital Link path segment: every character other than
/// `A-Z a-z 0-9 - . _ ' ; =` is percent-encoded as UTF-8 bytes with upper-case hex.
pub fn dl_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    push_dl_encoded(&mut out, value);
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `value` to `out` percent-encoded as [`dl_encode`] does.
pub(crate) fn push_dl_encoded(out: &mut String, value: &str) {
    for c in value.chars() {
        if dl_literal(c) {
            out.push(c);
        } else {
            let mut buffer = [0u8; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0x0f)]));
            }
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first unexpected value"
)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(epc_escape("6789/&%\"!?()"), "6789%2F%26%25%22!%3F()");
        assert_eq!(
            epc_unescape("x", "serial", "6789%2F%26%25%22!%3F()").unwrap(),
            "6789/&%\"!?()"
        );
        assert!(epc_unescape("x", "serial", "a/b").is_err());
        assert!(epc_unescape("x", "serial", "a%2").is_err());
        assert_eq!(dl_encode("6789/&%\"!?()"), "6789%2F%26%25%22%21%3F%28%29");
        assert_eq!(dl_encode("j7'SDB*"), "j7'SDB%2A");
        assert_eq!(percent_decode("x", "p", "a%2fb").unwrap(), "a/b");
        assert!(percent_decode("x", "p", "%FF").is_err());
    }

    #[test]
    fn sets() {
        assert_eq!(CSET82.chars().count(), 82);
        assert_eq!(CSET39.chars().count(), 39);
        assert_eq!(CSET32.chars().count(), 32);
        assert!(Charset::Cset82.contains('\''));
        assert!(!Charset::Cset82.contains('#'));
        assert!(Charset::Cset39.contains('#'));
        assert!(!Charset::Cset39.contains('a'));
    }
}
