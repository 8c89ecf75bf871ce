//! The GS1 Application Identifiers this crate knows: format (character set and length of
//! each component), check digits, date fields, their Digital Link role and short name, and
//! the AI-length table (TDT Table K) used to split unbracketed element strings.
//!
//! Encoded by hand from the GS1 General Specifications (AI table, §3) and the GS1 Barcode
//! Syntax Dictionary (facts, not text); `TABLE_K` is checked against the TDT artefact
//! `TDT_TableK.json` by a test.

use crate::charset::Charset;
use crate::check::{is_valid_check_character_pair, verify_mod10};
use crate::error::{Gs1Error, shown};

/// An extra rule on one component of an AI value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lint {
    /// None.
    None,
    /// The last digit is a GS1 mod-10 check digit.
    CheckDigit,
    /// The last two characters are a GS1 mod-1021 check character pair (AI 8013).
    CheckPair,
    /// YYMMDD where DD may be `00` (day not given; AIs 11-17).
    DateDay00,
    /// YYMMDD, a real day.
    Date,
    /// YYMMDDHH.
    DateHour,
    /// HHMM.
    HourMinute,
    /// MMSS or MM (optional minutes and seconds of AI 8008).
    MinuteSecond,
    /// A number without leading zeros (AI 8011).
    NoZeroPrefix,
    /// Exactly the digit `0` (first digit of a GRAI).
    Zero,
    /// Two digits piece number then two digits total: 01 <= piece <= total (AI 8006, 8026).
    PieceOfTotal,
    /// A list of 1 to 5 three-digit ISO 3166 country codes (AIs 423, 425).
    CountryList,
    /// File-safe base64: `=` only as trailing padding, at most two (AI 8030).
    Base64Padding,
}

/// One component of an AI value: character set, length range, extra rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component {
    /// The character set.
    pub charset: Charset,
    /// The fewest characters (0: optional).
    pub min: u8,
    /// The most characters.
    pub max: u8,
    /// The extra rule.
    pub lint: Lint,
}

const fn fixed(length: u8, lint: Lint) -> Component {
    Component {
        charset: Charset::Numeric,
        min: length,
        max: length,
        lint,
    }
}
const fn numeric(min: u8, max: u8, lint: Lint) -> Component {
    Component {
        charset: Charset::Numeric,
        min,
        max,
        lint,
    }
}
const fn x(max: u8) -> Component {
    Component {
        charset: Charset::Cset82,
        min: 1,
        max,
        lint: Lint::None,
    }
}
const fn x_opt(max: u8) -> Component {
    Component {
        charset: Charset::Cset82,
        min: 0,
        max,
        lint: Lint::None,
    }
}

/// How an AI takes part in a GS1 Digital Link URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A primary key (`/01/`, `/00/`, `/414/`, ...).
    PrimaryKey,
    /// A key qualifier (`/21/`, `/10/`, `/254/`, ...); which keys it qualifies is in
    /// [`qualifiers_of`].
    Qualifier,
    /// A data attribute (query string).
    Attribute,
}

/// What this crate knows about one Application Identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AiDefinition {
    /// The AI, 2 to 4 digits.
    pub code: &'static str,
    /// The GS1 data title.
    pub title: &'static str,
    /// The Digital Link 1.1 short name (`gtin`, `ser`, ...), if any.
    pub short_name: Option<&'static str>,
    /// The components of the value, in order.
    pub components: &'static [Component],
    /// The role in a Digital Link.
    pub role: Role,
}

impl AiDefinition {
    /// The fewest characters a value may have.
    pub fn min_length(&self) -> usize {
        self.components.iter().map(|c| usize::from(c.min)).sum()
    }
    /// The most characters a value may have.
    pub fn max_length(&self) -> usize {
        self.components.iter().map(|c| usize::from(c.max)).sum()
    }
    /// Whether every component has a fixed length.
    pub fn is_fixed_length(&self) -> bool {
        self.components.iter().all(|c| c.min == c.max)
    }
    /// Whether a barcode may run the next AI on without an FNC1 separator (GS1 General
    /// Specifications, table of predefined-length AIs, by the AI's first two digits).
    pub fn is_predefined_length(&self) -> bool {
        let prefix = &self.code[..2];
        matches!(
            prefix,
            "00" | "01"
                | "02"
                | "03"
                | "04"
                | "11"
                | "12"
                | "13"
                | "14"
                | "15"
                | "16"
                | "17"
                | "18"
                | "19"
                | "20"
                | "31"
                | "32"
                | "33"
                | "34"
                | "35"
                | "36"
                | "41"
        )
    }

    /// Checks `value` against this AI's format; the error names `AI (code)` of `identifier`.
    pub fn validate(&self, identifier: &str, value: &str) -> Result<(), Gs1Error> {
        self.validate_with(identifier, value, true)
    }

    /// As [`AiDefinition::validate`]; with `verify_check_digits` false, mod-10 check digits
    /// are not verified (the CBV 2.0 reference normaliser does not verify them in Digital
    /// Links, and event hashes must agree with it).
    pub fn validate_with(
        &self,
        identifier: &str,
        value: &str,
        verify_check_digits: bool,
    ) -> Result<(), Gs1Error> {
        let part = || format!("AI ({})", self.code);
        // No GS1 character set holds a non-ASCII character: report the first one, then work
        // on bytes.
        if let Some((index, character)) = value.chars().enumerate().find(|(_, c)| !c.is_ascii()) {
            let set = self
                .components
                .first()
                .map_or(Charset::Cset82, |c| c.charset);
            return Err(Gs1Error::Character {
                identifier: shown(identifier),
                part: part(),
                character,
                position: index + 1,
                allowed: set.describe(),
            });
        }
        let total = value.len();
        let (min, max) = (self.min_length(), self.max_length());
        if total < min || total > max {
            let expected = if min == max {
                format!("exactly {min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(Gs1Error::length(identifier, part(), expected, total));
        }
        // Split the value into components: fixed-width ones take their width, a
        // variable-length one takes what the components after it leave.
        let mut start = 0;
        for (index, component) in self.components.iter().enumerate() {
            let remaining = total - start;
            let rest_min: usize = self.components[index + 1..]
                .iter()
                .map(|c| usize::from(c.min))
                .sum();
            let take = if component.min == component.max {
                usize::from(component.min)
            } else {
                (remaining.saturating_sub(rest_min)).min(usize::from(component.max))
            };
            let take = take.min(remaining);
            let piece = &value[start..start + take];
            start += take;
            if let Some(position) = piece
                .bytes()
                .position(|b| !component.charset.contains(char::from(b)))
            {
                return Err(Gs1Error::Character {
                    identifier: shown(identifier),
                    part: part(),
                    character: char::from(piece.as_bytes()[position]),
                    position: start - take + position + 1,
                    allowed: component.charset.describe(),
                });
            }
            if piece.len() < usize::from(component.min) || piece.len() > usize::from(component.max)
            {
                return Err(Gs1Error::length(
                    identifier,
                    part(),
                    format!("{min} to {max}"),
                    total,
                ));
            }
            let lint = component.lint;
            if lint != Lint::None && (verify_check_digits || lint != Lint::CheckDigit) {
                check_lint(identifier, &part(), piece, lint)?;
            }
        }
        if start != total {
            return Err(Gs1Error::length(
                identifier,
                part(),
                format!("{min} to {max}"),
                total,
            ));
        }
        Ok(())
    }
}

fn check_lint(identifier: &str, part: &str, piece: &str, lint: Lint) -> Result<(), Gs1Error> {
    if lint == Lint::None {
        return Ok(());
    }
    let date_error = |what: &'static str| Gs1Error::Date {
        identifier: shown(identifier),
        part: part.to_owned(),
        value: piece.to_owned(),
        what,
    };
    match lint {
        Lint::None => Ok(()),
        Lint::CheckDigit => verify_mod10(identifier, part, piece),
        Lint::CheckPair => {
            if is_valid_check_character_pair(piece) {
                Ok(())
            } else {
                let data: String = piece
                    .chars()
                    .take(piece.chars().count().saturating_sub(2))
                    .collect();
                let expected = crate::check::check_character_pair(&data)
                    .map(|pair| pair.iter().collect::<String>())
                    .unwrap_or_else(|_| "a valid pair".to_owned());
                let found: String = piece.chars().skip(data.chars().count()).collect();
                Err(Gs1Error::CheckDigit {
                    identifier: shown(identifier),
                    part: part.to_owned(),
                    expected,
                    found: format!("character pair `{found}`"),
                })
            }
        }
        Lint::DateDay00 => {
            if valid_yymmdd(piece, true) {
                Ok(())
            } else {
                Err(date_error("date YYMMDD (DD may be 00)"))
            }
        }
        Lint::Date => {
            if piece.is_empty() || valid_yymmdd(piece, false) {
                Ok(())
            } else {
                Err(date_error("date YYMMDD"))
            }
        }
        Lint::DateHour => {
            let ok = piece.len() == 8
                && valid_yymmdd(&piece[..6], false)
                && two(&piece[6..8]).is_some_and(|h| h <= 23);
            if ok {
                Ok(())
            } else {
                Err(date_error("date and hour YYMMDDHH"))
            }
        }
        Lint::HourMinute => {
            let ok = piece.is_empty()
                || (piece.len() == 4
                    && two(&piece[..2]).is_some_and(|h| h <= 23)
                    && two(&piece[2..]).is_some_and(|m| m <= 59));
            if ok {
                Ok(())
            } else {
                Err(date_error("time HHMM"))
            }
        }
        Lint::MinuteSecond => {
            let ok = match piece.len() {
                0 => true,
                2 => two(piece).is_some_and(|m| m <= 59),
                4 => {
                    two(&piece[..2]).is_some_and(|m| m <= 59)
                        && two(&piece[2..]).is_some_and(|s| s <= 59)
                }
                _ => false,
            };
            if ok {
                Ok(())
            } else {
                Err(date_error("time MM or MMSS"))
            }
        }
        Lint::NoZeroPrefix => {
            if piece.len() > 1 && piece.starts_with('0') {
                Err(Gs1Error::syntax(
                    identifier,
                    part,
                    format!("`{piece}` must not start with a zero"),
                ))
            } else {
                Ok(())
            }
        }
        Lint::Zero => {
            if piece == "0" {
                Ok(())
            } else {
                Err(Gs1Error::syntax(
                    identifier,
                    part,
                    "the first digit must be `0`",
                ))
            }
        }
        Lint::CountryList => {
            if piece.len().is_multiple_of(3) {
                Ok(())
            } else {
                Err(Gs1Error::syntax(
                    identifier,
                    part,
                    format!("`{piece}` is not a list of three-digit country codes"),
                ))
            }
        }
        Lint::Base64Padding => {
            let body = piece.trim_end_matches('=');
            if body.contains('=') || piece.len() - body.len() > 2 {
                Err(Gs1Error::syntax(
                    identifier,
                    part,
                    "`=` may only pad the end, at most twice",
                ))
            } else {
                Ok(())
            }
        }
        Lint::PieceOfTotal => {
            let ok = piece.len() == 4
                && matches!((two(&piece[..2]), two(&piece[2..])), (Some(p), Some(t)) if p >= 1 && t >= 1 && p <= t);
            if ok {
                Ok(())
            } else {
                Err(Gs1Error::syntax(
                    identifier,
                    part,
                    format!("piece/total `{piece}` must have 01 <= piece <= total"),
                ))
            }
        }
    }
}

fn two(text: &str) -> Option<u32> {
    if text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

/// Whether `text` is a real YYMMDD date (DD `00` allowed when `day_00`). 29 February is
/// accepted when YY is a multiple of 4: right for 2000-2099; the GS1 century rule (a
/// sliding window on the current year, see [`resolve_year`]) needs a clock, which this
/// crate does not read.
pub fn valid_yymmdd(text: &str, day_00: bool) -> bool {
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (Some(year), Some(month), Some(day)) =
        (two(&text[..2]), two(&text[2..4]), two(&text[4..6]))
    else {
        return false;
    };
    if !(1..=12).contains(&month) {
        return false;
    }
    if day == 0 {
        return day_00;
    }
    let last = match month {
        2 if year.is_multiple_of(4) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    day <= last
}

/// The four-digit year of a two-digit YY relative to `current_year`, by the GS1 General
/// Specifications rule (§7.12): a year more than 50 ahead is in the previous century, one
/// more than 49 behind in the next. The caller supplies the current year (no clock here).
pub fn resolve_year(yy: u8, current_year: i32) -> i32 {
    let century = current_year.div_euclid(100) * 100;
    let candidate = century + i32::from(yy % 100);
    let difference = candidate - current_year;
    if difference > 50 {
        candidate - 100
    } else if difference < -49 {
        candidate + 100
    } else {
        candidate
    }
}

use Lint::{CheckDigit as Csum, None as Plain};

macro_rules! ai {
    ($code:literal, $title:literal, $short:expr, $role:ident, [$($component:expr),+ $(,)?]) => {
        AiDefinition {
            code: $code,
            title: $title,
            short_name: $short,
            components: &[$($component),+],
            role: Role::$role,
        }
    };
}

/// The AIs this crate knows, sorted by code (a test checks it; [`lookup`] searches by
/// halves). Measure AIs (310n-369n, 390n-395n) and the 703s family are
/// matched by [`lookup`] from their families.
pub static AIS: &[AiDefinition] = &[
    ai!("00", "SSCC", Some("sscc"), PrimaryKey, [fixed(18, Csum)]),
    ai!("01", "GTIN", Some("gtin"), PrimaryKey, [fixed(14, Csum)]),
    ai!("02", "CONTENT", None, Attribute, [fixed(14, Csum)]),
    ai!("10", "BATCH/LOT", Some("lot"), Qualifier, [x(20)]),
    ai!(
        "11",
        "PROD DATE",
        None,
        Attribute,
        [fixed(6, Lint::DateDay00)]
    ),
    ai!(
        "12",
        "DUE DATE",
        None,
        Attribute,
        [fixed(6, Lint::DateDay00)]
    ),
    ai!(
        "13",
        "PACK DATE",
        None,
        Attribute,
        [fixed(6, Lint::DateDay00)]
    ),
    ai!(
        "15",
        "BEST BEFORE or BEST BY",
        None,
        Attribute,
        [fixed(6, Lint::DateDay00)]
    ),
    ai!(
        "16",
        "SELL BY",
        None,
        Attribute,
        [fixed(6, Lint::DateDay00)]
    ),
    ai!(
        "17",
        "USE BY or EXPIRY",
        None,
        Attribute,
        [fixed(6, Lint::DateDay00)]
    ),
    ai!("20", "VARIANT", None, Attribute, [fixed(2, Plain)]),
    ai!("21", "SERIAL", Some("ser"), Qualifier, [x(20)]),
    ai!("22", "CPV", Some("cpv"), Qualifier, [x(20)]),
    ai!("235", "TPX", Some("tpx"), Qualifier, [x(28)]),
    ai!("240", "ADDITIONAL ID", None, Attribute, [x(30)]),
    ai!("241", "CUST. PART No.", None, Attribute, [x(30)]),
    ai!(
        "242",
        "MTO VARIANT",
        None,
        Attribute,
        [numeric(1, 6, Plain)]
    ),
    ai!("243", "PCN", None, Attribute, [x(20)]),
    ai!("250", "SECONDARY SERIAL", None, Attribute, [x(30)]),
    ai!("251", "REF. TO SOURCE", None, Attribute, [x(30)]),
    ai!(
        "253",
        "GDTI",
        Some("gdti"),
        PrimaryKey,
        [fixed(13, Csum), x_opt(17)]
    ),
    ai!(
        "254",
        "GLN EXTENSION COMPONENT",
        Some("glnx"),
        Qualifier,
        [x(20)]
    ),
    ai!(
        "255",
        "GCN",
        Some("gcn"),
        PrimaryKey,
        [fixed(13, Csum), numeric(0, 12, Plain)]
    ),
    ai!("30", "VAR. COUNT", None, Attribute, [numeric(1, 8, Plain)]),
    ai!("37", "COUNT", None, Attribute, [numeric(1, 8, Plain)]),
    ai!("400", "ORDER NUMBER", None, Attribute, [x(30)]),
    ai!("401", "GINC", Some("ginc"), PrimaryKey, [x(30)]),
    ai!("402", "GSIN", Some("gsin"), PrimaryKey, [fixed(17, Csum)]),
    ai!("403", "ROUTE", None, Attribute, [x(30)]),
    ai!("410", "SHIP TO LOC", None, Attribute, [fixed(13, Csum)]),
    ai!("411", "BILL TO", None, Attribute, [fixed(13, Csum)]),
    ai!("412", "PURCHASE FROM", None, Attribute, [fixed(13, Csum)]),
    ai!("413", "SHIP FOR LOC", None, Attribute, [fixed(13, Csum)]),
    ai!("414", "LOC No.", Some("gln"), PrimaryKey, [fixed(13, Csum)]),
    ai!("415", "PAY TO", None, Attribute, [fixed(13, Csum)]),
    ai!("416", "PROD/SERV LOC", None, Attribute, [fixed(13, Csum)]),
    ai!("417", "PARTY", Some("party"), PrimaryKey, [fixed(13, Csum)]),
    ai!("420", "SHIP TO POST", None, Attribute, [x(20)]),
    ai!(
        "421",
        "SHIP TO POST",
        None,
        Attribute,
        [fixed(3, Plain), x(9)]
    ),
    ai!("422", "ORIGIN", None, Attribute, [fixed(3, Plain)]),
    ai!(
        "423",
        "COUNTRY - INITIAL PROCESS",
        None,
        Attribute,
        [numeric(3, 15, Lint::CountryList)]
    ),
    ai!(
        "424",
        "COUNTRY - PROCESS",
        None,
        Attribute,
        [fixed(3, Plain)]
    ),
    ai!(
        "425",
        "COUNTRY - DISASSEMBLY",
        None,
        Attribute,
        [numeric(3, 15, Lint::CountryList)]
    ),
    ai!(
        "426",
        "COUNTRY - FULL PROCESS",
        None,
        Attribute,
        [fixed(3, Plain)]
    ),
    ai!("427", "ORIGIN SUBDIVISION", None, Attribute, [x(3)]),
    ai!("7001", "NSN", None, Attribute, [fixed(13, Plain)]),
    ai!("7002", "MEAT CUT", None, Attribute, [x(30)]),
    ai!(
        "7003",
        "EXPIRY TIME",
        None,
        Attribute,
        [fixed(6, Lint::Date), fixed(4, Lint::HourMinute)]
    ),
    ai!(
        "7004",
        "ACTIVE POTENCY",
        None,
        Attribute,
        [numeric(1, 4, Plain)]
    ),
    ai!("7005", "CATCH AREA", None, Attribute, [x(12)]),
    ai!(
        "7006",
        "FIRST FREEZE DATE",
        None,
        Attribute,
        [fixed(6, Lint::Date)]
    ),
    ai!(
        "7007",
        "HARVEST DATE",
        None,
        Attribute,
        [fixed(6, Lint::Date), numeric(0, 6, Lint::Date)]
    ),
    ai!("7008", "AQUATIC SPECIES", None, Attribute, [x(3)]),
    ai!("7009", "FISHING GEAR TYPE", None, Attribute, [x(10)]),
    ai!("7010", "PROD METHOD", None, Attribute, [x(2)]),
    ai!(
        "7011",
        "TEST BY DATE",
        None,
        Attribute,
        [fixed(6, Lint::Date), numeric(0, 4, Lint::HourMinute)]
    ),
    ai!("7020", "REFURB LOT", None, Attribute, [x(20)]),
    ai!("7021", "FUNC STAT", None, Attribute, [x(20)]),
    ai!("7022", "REV STAT", None, Attribute, [x(20)]),
    ai!("7023", "GIAI - ASSEMBLY", None, Attribute, [x(30)]),
    ai!(
        "7040",
        "UIC+EXT",
        None,
        Qualifier,
        [
            fixed(1, Plain),
            Component {
                charset: Charset::Cset82,
                min: 3,
                max: 3,
                lint: Plain
            }
        ]
    ),
    ai!("710", "NHRN PZN", None, Attribute, [x(20)]),
    ai!("711", "NHRN CIP", None, Attribute, [x(20)]),
    ai!("712", "NHRN CN", None, Attribute, [x(20)]),
    ai!("713", "NHRN DRN", None, Attribute, [x(20)]),
    ai!("714", "NHRN AIM", None, Attribute, [x(20)]),
    ai!("715", "NHRN NDC", None, Attribute, [x(20)]),
    ai!("716", "NHRN AIC", None, Attribute, [x(20)]),
    ai!("7240", "PROTOCOL", None, Attribute, [x(20)]),
    ai!("8001", "DIMENSIONS", None, Attribute, [fixed(14, Plain)]),
    ai!("8002", "CMT No.", None, Attribute, [x(20)]),
    ai!(
        "8003",
        "GRAI",
        Some("grai"),
        PrimaryKey,
        [fixed(1, Lint::Zero), fixed(13, Csum), x_opt(16)]
    ),
    ai!("8004", "GIAI", Some("giai"), PrimaryKey, [x(30)]),
    ai!("8005", "PRICE PER UNIT", None, Attribute, [fixed(6, Plain)]),
    ai!(
        "8006",
        "ITIP",
        Some("itip"),
        PrimaryKey,
        [fixed(14, Csum), fixed(4, Lint::PieceOfTotal)]
    ),
    ai!("8007", "IBAN", None, Attribute, [x(34)]),
    ai!(
        "8008",
        "PROD TIME",
        None,
        Attribute,
        [fixed(8, Lint::DateHour), numeric(0, 4, Lint::MinuteSecond)]
    ),
    ai!("8009", "OPTSEN", None, Attribute, [x(50)]),
    ai!(
        "8010",
        "CPID",
        Some("cpid"),
        PrimaryKey,
        [Component {
            charset: Charset::Cset39,
            min: 1,
            max: 30,
            lint: Plain
        }]
    ),
    ai!(
        "8011",
        "CPID SERIAL",
        Some("cpsn"),
        Qualifier,
        [numeric(1, 12, Lint::NoZeroPrefix)]
    ),
    ai!("8012", "VERSION", None, Attribute, [x(20)]),
    ai!(
        "8013",
        "GMN",
        Some("gmn"),
        PrimaryKey,
        [Component {
            charset: Charset::Cset82,
            min: 3,
            max: 25,
            lint: Lint::CheckPair
        }]
    ),
    ai!(
        "8017",
        "GSRN - PROVIDER",
        Some("gsrnp"),
        PrimaryKey,
        [fixed(18, Csum)]
    ),
    ai!(
        "8018",
        "GSRN - RECIPIENT",
        Some("gsrn"),
        PrimaryKey,
        [fixed(18, Csum)]
    ),
    ai!(
        "8019",
        "SRIN",
        Some("srin"),
        Qualifier,
        [numeric(1, 10, Plain)]
    ),
    ai!("8020", "REF No.", None, Attribute, [x(25)]),
    ai!(
        "8026",
        "ITIP CONTENT",
        None,
        Attribute,
        [fixed(14, Csum), fixed(4, Lint::PieceOfTotal)]
    ),
    ai!(
        "8030",
        "DIGSIG",
        None,
        Attribute,
        [Component {
            charset: Charset::Cset64,
            min: 1,
            max: 90,
            lint: Lint::Base64Padding
        }]
    ),
    ai!("8200", "PRODUCT URL", None, Attribute, [x(70)]),
    ai!("90", "INTERNAL", None, Attribute, [x(30)]),
];

static MEASURE: AiDefinition = ai!("3100", "MEASURE", None, Attribute, [fixed(6, Plain)]);
static AMOUNT: AiDefinition = ai!("3900", "AMOUNT", None, Attribute, [numeric(1, 15, Plain)]);
static AMOUNT_ISO: AiDefinition = ai!(
    "3910",
    "AMOUNT with ISO currency",
    None,
    Attribute,
    [fixed(3, Plain), numeric(1, 15, Plain)]
);
static PERCENT: AiDefinition = ai!("3940", "PRCNT OFF", None, Attribute, [fixed(4, Plain)]);
static PRICE_PER_UNIT: AiDefinition = ai!("3950", "PRICE/UoM", None, Attribute, [fixed(6, Plain)]);
static PROCESSOR: AiDefinition = ai!(
    "7030",
    "PROCESSOR # s",
    None,
    Attribute,
    [fixed(3, Plain), x(27)]
);
static INTERNAL: AiDefinition = ai!("91", "INTERNAL", None, Attribute, [x(90)]);

/// The definition of AI `code`, or `None` if this crate does not know it.
///
/// Families are matched by pattern: 310n-316n, 320n-329n, 330n-337n, 340n-357n, 360n-369n
/// (measures, 6 digits), 390n-395n (amounts), 7030-7039 (processor), 91-99 (internal).
pub fn lookup(code: &str) -> Option<&'static AiDefinition> {
    let bytes = code.as_bytes();
    if !(2..=4).contains(&bytes.len()) || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if let Ok(index) = AIS.binary_search_by(|d| d.code.cmp(code)) {
        return AIS.get(index);
    }
    match bytes.len() {
        2 if (b'1'..=b'9').contains(&bytes[1]) && bytes[0] == b'9' => Some(&INTERNAL),
        4 => {
            let family: u32 = code[..3].parse().ok()?;
            match family {
                310..=316 | 320..=329 | 330..=337 | 340..=357 | 360..=369 => Some(&MEASURE),
                390 | 392 => Some(&AMOUNT),
                391 | 393 => Some(&AMOUNT_ISO),
                394 => Some(&PERCENT),
                395 => Some(&PRICE_PER_UNIT),
                703 => Some(&PROCESSOR),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The definition of an AI written as its code or as its Digital Link short name.
pub fn lookup_code_or_short_name(segment: &str) -> Option<&'static AiDefinition> {
    match segment.as_bytes().first() {
        Some(b'0'..=b'9') => lookup(segment),
        Some(b'a'..=b'z') if segment.len() <= 5 => {
            AIS.iter().find(|d| d.short_name == Some(segment))
        }
        _ => None,
    }
}

/// The key qualifiers a primary key may carry in a Digital Link, in the order they must
/// appear (GS1 Digital Link URI syntax; the `dlpkey` entries of the GS1 Barcode Syntax
/// Dictionary). An [`is_exclusive_qualifier`] (`235`, `7040`) is an alternative to the
/// others and stands alone.
pub fn qualifiers_of(primary: &str) -> &'static [&'static str] {
    match primary {
        "01" => &["22", "10", "21", "235"],
        "8006" => &["22", "10", "21"],
        "414" => &["254", "7040"],
        "417" | "8004" => &["7040"],
        "8010" => &["8011"],
        "8017" | "8018" => &["8019"],
        _ => &[],
    }
}

/// Whether a key qualifier is an alternative path that excludes every other qualifier
/// (`01/…/235/…`, `414/…/7040/…`).
pub fn is_exclusive_qualifier(ai: &str) -> bool {
    matches!(ai, "235" | "7040")
}

/// The primary keys a Digital Link may start with.
pub fn is_primary_key(code: &str) -> bool {
    lookup(code).is_some_and(|d| d.role == Role::PrimaryKey)
}

/// TDT Table K: the length of an AI (2, 3 or 4 digits) by its first two digits.
pub const TABLE_K: &[(&str, u8)] = &[
    ("00", 2),
    ("01", 2),
    ("02", 2),
    ("10", 2),
    ("11", 2),
    ("12", 2),
    ("13", 2),
    ("15", 2),
    ("16", 2),
    ("17", 2),
    ("20", 2),
    ("21", 2),
    ("22", 2),
    ("23", 3),
    ("24", 3),
    ("25", 3),
    ("30", 2),
    ("31", 4),
    ("32", 4),
    ("33", 4),
    ("34", 4),
    ("35", 4),
    ("36", 4),
    ("37", 2),
    ("39", 4),
    ("40", 3),
    ("41", 3),
    ("42", 3),
    ("43", 4),
    ("70", 4),
    ("71", 3),
    ("72", 4),
    ("80", 4),
    ("81", 4),
    ("82", 4),
    ("90", 2),
    ("91", 2),
    ("92", 2),
    ("93", 2),
    ("94", 2),
    ("95", 2),
    ("96", 2),
    ("97", 2),
    ("98", 2),
    ("99", 2),
];

/// The length of the AI that starts `text`, from its first two digits (TDT Table K).
pub fn ai_length(text: &str) -> Option<usize> {
    let prefix = text.get(..2)?;
    TABLE_K
        .iter()
        .find(|(p, _)| *p == prefix)
        .map(|(_, length)| usize::from(*length))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first unexpected value"
)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let gtin = lookup("01").unwrap();
        assert!(gtin.validate("t", "09506000134352").is_ok());
        assert!(gtin.validate("t", "09506000134353").is_err());
        assert!(gtin.validate("t", "0950600013435").is_err());
        let expiry = lookup("17").unwrap();
        assert!(expiry.validate("t", "261231").is_ok());
        assert!(expiry.validate("t", "261200").is_ok());
        assert!(expiry.validate("t", "260231").is_err());
        assert!(expiry.validate("t", "261331").is_err());
        assert!(expiry.validate("t", "240229").is_ok());
        assert!(expiry.validate("t", "250229").is_err());
        assert!(lookup("7006").unwrap().validate("t", "261200").is_err());
        assert!(lookup("7003").unwrap().validate("t", "2612312359").is_ok());
        assert!(lookup("7003").unwrap().validate("t", "2612312400").is_err());
        assert!(
            lookup("8003")
                .unwrap()
                .validate("t", "04012345000221334455")
                .is_ok()
        );
        assert!(
            lookup("8003")
                .unwrap()
                .validate("t", "14012345000221334455")
                .is_err()
        );
        assert!(
            lookup("8003")
                .unwrap()
                .validate("t", "04012345000221")
                .is_ok()
        );
        assert!(
            lookup("8006")
                .unwrap()
                .validate("t", "040123451234560102")
                .is_ok()
        );
        assert!(
            lookup("8006")
                .unwrap()
                .validate("t", "040123451234560302")
                .is_err()
        );
        assert!(lookup("8011").unwrap().validate("t", "0123").is_err());
        assert!(
            lookup("8013")
                .unwrap()
                .validate("t", "1987654Ad4X4bL5ttr2310c2K")
                .is_ok()
        );
        assert!(
            lookup("8013")
                .unwrap()
                .validate("t", "1987654Ad4X4bL5ttr2310c2X")
                .is_err()
        );
        assert!(
            lookup("8010")
                .unwrap()
                .validate("t", "11111111111111-A#/")
                .is_ok()
        );
        assert!(lookup("8010").unwrap().validate("t", "abc").is_err());
        assert!(lookup("3103").unwrap().validate("t", "000525").is_ok());
        assert!(lookup("3103").unwrap().is_predefined_length());
        assert!(
            lookup("253")
                .unwrap()
                .validate("t", "4012345000092PO-4711")
                .is_ok()
        );
        assert!(lookup("99").is_some());
        assert!(lookup("14").is_none());
        assert_eq!(lookup_code_or_short_name("ser").unwrap().code, "21");
    }

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(AIS.windows(2).all(|pair| pair[0].code < pair[1].code));
        for definition in AIS {
            assert_eq!(lookup(definition.code), Some(definition));
        }
    }

    #[test]
    fn years() {
        assert_eq!(resolve_year(26, 2026), 2026);
        assert_eq!(resolve_year(76, 2026), 2076);
        assert_eq!(resolve_year(77, 2026), 1977);
        assert_eq!(resolve_year(98, 2049), 2098);
        assert_eq!(resolve_year(0, 2051), 2100);
    }
}
