//! EPC URIs of GS1 keys (GS1 EPC Tag Data Standard, "pure identity" URIs): parse,
//! validate and write `urn:epc:id:<scheme>:...`, the class URI `urn:epc:class:lgtin:...`
//! and the product-class patterns `urn:epc:idpat:<scheme>:...*`, and convert them to and
//! from GS1 element strings.
//!
//! Field lengths follow TDS: a GS1 Company Prefix of 6 to 12 digits, and a reference whose
//! length is what the key leaves (`SCHEMES`); the test `tdt` checks this rule against the
//! partition tables of the TDT artefacts for SGTIN, SGLN and SSCC. The tables are encoded by
//! hand rather than generated from TDT: the TDT artefacts at hand cover 3 of the 15
//! schemes, and the rule (reference digits = key digits - company prefix digits) is one line.

use std::fmt;

use crate::ai::lookup;
use crate::charset::{
    Charset, check_charset, check_digits, check_length, epc_escape, epc_unescape, starts_with_ci,
};
use crate::check::mod10;
use crate::element::{Element, ElementString};
use crate::error::Gs1Error;

/// The GS1 key schemes of EPC pure-identity URIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EpcScheme {
    /// `sgtin`: Serialised GTIN: AI (01) + (21).
    Sgtin,
    /// `sscc`: Serial Shipping Container Code: AI (00).
    Sscc,
    /// `sgln`: GLN with extension: AI (414) [+ (254)].
    Sgln,
    /// `grai`: Returnable asset with serial: AI (8003).
    Grai,
    /// `giai`: Individual asset: AI (8004).
    Giai,
    /// `gsrn`: Service relation, recipient: AI (8018).
    Gsrn,
    /// `gsrnp`: Service relation, provider: AI (8017).
    Gsrnp,
    /// `gdti`: Document with serial: AI (253).
    Gdti,
    /// `cpi`: Component/part with serial: AI (8010) + (8011).
    Cpi,
    /// `sgcn`: Coupon with serial: AI (255).
    Sgcn,
    /// `ginc`: Consignment: AI (401).
    Ginc,
    /// `gsin`: Shipment: AI (402).
    Gsin,
    /// `itip`: Piece of a trade item with serial: AI (8006) + (21).
    Itip,
    /// `upui`: GTIN with third-party serial: AI (01) + (235).
    Upui,
    /// `pgln`: Party: AI (417).
    Pgln,
}

/// Every scheme, in TDS order.
pub const SCHEMES: [EpcScheme; 15] = [
    EpcScheme::Sgtin,
    EpcScheme::Sscc,
    EpcScheme::Sgln,
    EpcScheme::Grai,
    EpcScheme::Giai,
    EpcScheme::Gsrn,
    EpcScheme::Gsrnp,
    EpcScheme::Gdti,
    EpcScheme::Cpi,
    EpcScheme::Sgcn,
    EpcScheme::Ginc,
    EpcScheme::Gsin,
    EpcScheme::Itip,
    EpcScheme::Upui,
    EpcScheme::Pgln,
];

/// EPC schemes that are not GS1 keys (US DoD, aerospace, containers, ships, general
/// identifier): valid EPCs without a Digital Link form.
pub const NON_GS1_SCHEMES: [&str; 5] = ["gid", "usdod", "adi", "bic", "imovn"];

impl EpcScheme {
    /// The scheme name in the URN (`sgtin`, ...).
    pub fn name(self) -> &'static str {
        match self {
            EpcScheme::Sgtin => "sgtin",
            EpcScheme::Sscc => "sscc",
            EpcScheme::Sgln => "sgln",
            EpcScheme::Grai => "grai",
            EpcScheme::Giai => "giai",
            EpcScheme::Gsrn => "gsrn",
            EpcScheme::Gsrnp => "gsrnp",
            EpcScheme::Gdti => "gdti",
            EpcScheme::Cpi => "cpi",
            EpcScheme::Sgcn => "sgcn",
            EpcScheme::Ginc => "ginc",
            EpcScheme::Gsin => "gsin",
            EpcScheme::Itip => "itip",
            EpcScheme::Upui => "upui",
            EpcScheme::Pgln => "pgln",
        }
    }

    /// The scheme called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        SCHEMES.into_iter().find(|s| s.name() == name)
    }

    /// How many digits the company prefix and the fixed-length reference together have
    /// (the key's digits without indicator/extension and check digit are folded in as TDS
    /// does: SGTIN 13 = indicator + item reference + company prefix), or `None` where the
    /// reference is variable-length (GIAI, GINC, CPI: at most 30 characters in all).
    pub fn prefix_and_reference_digits(self) -> Option<usize> {
        match self {
            EpcScheme::Sgtin | EpcScheme::Itip | EpcScheme::Upui => Some(13),
            EpcScheme::Sscc | EpcScheme::Gsrn | EpcScheme::Gsrnp => Some(17),
            EpcScheme::Gsin => Some(16),
            EpcScheme::Sgln
            | EpcScheme::Grai
            | EpcScheme::Gdti
            | EpcScheme::Sgcn
            | EpcScheme::Pgln => Some(12),
            EpcScheme::Giai | EpcScheme::Ginc | EpcScheme::Cpi => None,
        }
    }

    /// The length of the reference field for a company prefix of `prefix_digits`.
    pub fn reference_digits(self, prefix_digits: usize) -> Option<usize> {
        self.prefix_and_reference_digits()
            .and_then(|total| total.checked_sub(prefix_digits))
    }
}

/// A GS1 Company Prefix: 6 to 12 digits.
fn check_company_prefix(identifier: &str, value: &str) -> Result<(), Gs1Error> {
    check_charset(identifier, "company prefix", value, Charset::Numeric)?;
    check_length(identifier, "company prefix", value, 6, 12)
}

/// An EPC pure identity of a GS1 key (`urn:epc:id:...`). Values are unescaped; the
/// reference fields keep the digits exactly as in the URN (SGTIN and ITIP item references
/// start with the indicator digit, the SSCC serial reference with the extension digit).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Epc {
    /// Serialised GTIN: AI (01) + (21).
    Sgtin {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Indicator digit then item reference (13 digits with the company prefix).
        item_reference: String,
        /// The serial, unescaped.
        serial: String,
    },
    /// Serial Shipping Container Code: AI (00).
    Sscc {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Extension digit then serial reference (17 digits with the company prefix).
        serial_reference: String,
    },
    /// GLN with extension: AI (414) [+ (254)].
    Sgln {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Location reference (12 digits with the company prefix).
        location_reference: String,
        /// GLN extension, unescaped; `0` means none.
        extension: String,
    },
    /// Returnable asset with serial: AI (8003).
    Grai {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Asset type (12 digits with the company prefix).
        asset_type: String,
        /// The serial, unescaped.
        serial: String,
    },
    /// Individual asset: AI (8004).
    Giai {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Individual asset reference, unescaped (30 characters at most with the company prefix).
        asset_reference: String,
    },
    /// Service relation, recipient: AI (8018).
    Gsrn {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Service reference (17 digits with the company prefix).
        service_reference: String,
    },
    /// Service relation, provider: AI (8017).
    Gsrnp {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Service reference (17 digits with the company prefix).
        service_reference: String,
    },
    /// Document with serial: AI (253).
    Gdti {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Document type (12 digits with the company prefix).
        document_type: String,
        /// The serial, unescaped.
        serial: String,
    },
    /// Component/part with serial: AI (8010) + (8011).
    Cpi {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Component/part reference, set 39, unescaped (30 characters at most with the company prefix).
        part_reference: String,
        /// The serial, unescaped.
        serial: String,
    },
    /// Coupon with serial: AI (255).
    Sgcn {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Coupon reference (12 digits with the company prefix).
        coupon_reference: String,
        /// The serial, unescaped.
        serial: String,
    },
    /// Consignment: AI (401).
    Ginc {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Consignment reference, unescaped (30 characters at most with the company prefix).
        consignment_reference: String,
    },
    /// Shipment: AI (402).
    Gsin {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Shipper reference (16 digits with the company prefix).
        shipper_reference: String,
    },
    /// Piece of a trade item with serial: AI (8006) + (21).
    Itip {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Indicator digit then item reference (13 digits with the company prefix).
        item_reference: String,
        /// Piece number, 2 digits.
        piece: String,
        /// Total count of pieces, 2 digits.
        total: String,
        /// The serial, unescaped.
        serial: String,
    },
    /// GTIN with third-party serial: AI (01) + (235).
    Upui {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Indicator digit then item reference (13 digits with the company prefix).
        item_reference: String,
        /// Third-party controlled serial (TPX), unescaped.
        tpx: String,
    },
    /// Party: AI (417).
    Pgln {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Party reference (12 digits with the company prefix).
        party_reference: String,
    },
}

/// A class of objects: the LGTIN class URI or a product-class pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EpcClass {
    /// `urn:epc:class:lgtin:CompanyPrefix.ItemRefAndIndicator.Lot`: a GTIN and lot.
    Lgtin {
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// Indicator digit then item reference (13 digits with the company prefix).
        item_reference: String,
        /// The lot, unescaped.
        lot: String,
    },
    /// `urn:epc:idpat:<scheme>:...*` with only the last (serial) field `*`: every
    /// instance of one GTIN, GRAI asset type, GDTI document type, coupon, CPID or ITIP.
    /// `fields` are the concrete fields before the `*`, unescaped.
    Pattern {
        /// The EPC scheme.
        scheme: EpcScheme,
        /// The GS1 Company Prefix, 6 to 12 digits.
        company_prefix: String,
        /// The concrete fields after the company prefix, unescaped.
        fields: Vec<String>,
    },
}

/// Any EPC URI this crate reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EpcUri {
    /// A pure identity `urn:epc:id:...`.
    Id(Epc),
    /// A class: `urn:epc:class:lgtin:...` or a one-class `urn:epc:idpat:...`.
    Class(EpcClass),
    /// A valid `urn:epc:idpat:` pattern with no Digital Link equivalent: `*` in more than
    /// the last field, or a scheme whose pattern is not a product class (SSCC, SGLN, ...).
    WiderPattern {
        /// The URI as given.
        uri: String,
    },
}

/// The schemes whose `urn:epc:idpat:` with a `*` serial is a class with a Digital Link form.
const CLASS_PATTERN_SCHEMES: [EpcScheme; 7] = [
    EpcScheme::Sgtin,
    EpcScheme::Grai,
    EpcScheme::Gdti,
    EpcScheme::Sgcn,
    EpcScheme::Cpi,
    EpcScheme::Itip,
    EpcScheme::Upui,
];

impl EpcUri {
    /// Parses an EPC URI of a GS1 key: `urn:epc:id:`, `urn:epc:class:lgtin:` or
    /// `urn:epc:idpat:`. The `urn:epc:` prefix is matched without regard to case (RFC 8141);
    /// the rest is case-sensitive.
    pub fn parse(uri: &str) -> Result<Self, Gs1Error> {
        if let Some(rest) = strip_ci(uri, "urn:epc:id:") {
            let (scheme, body) = split_scheme(uri, rest)?;
            return Epc::parse_body(uri, scheme, body).map(EpcUri::Id);
        }
        if let Some(rest) = strip_ci(uri, "urn:epc:class:") {
            let (name, body) = rest.split_once(':').ok_or_else(|| {
                Gs1Error::syntax(uri, "class", "expected `lgtin:` after `urn:epc:class:`")
            })?;
            if name != "lgtin" {
                return Err(Gs1Error::syntax(
                    uri,
                    "class",
                    format!("unknown EPC class `{name}`; only `lgtin` is defined"),
                ));
            }
            return parse_lgtin(uri, body).map(EpcUri::Class);
        }
        if let Some(rest) = strip_ci(uri, "urn:epc:idpat:") {
            let (scheme, body) = split_scheme(uri, rest)?;
            return parse_pattern(uri, scheme, body);
        }
        Err(Gs1Error::syntax_hint(
            uri,
            "prefix",
            "not an EPC URI of a GS1 key",
            "expected `urn:epc:id:`, `urn:epc:class:lgtin:` or `urn:epc:idpat:`",
        ))
    }

    /// The element string of this identifier (`None` for a wider pattern).
    pub fn to_element_string(&self) -> Option<ElementString> {
        match self {
            EpcUri::Id(epc) => Some(epc.to_element_string()),
            EpcUri::Class(class) => Some(class.to_element_string()),
            EpcUri::WiderPattern { .. } => None,
        }
    }

    /// Reads back the EPC URI of an element string, given the length of the GS1 Company
    /// Prefix (which an element string does not carry). Identifies the scheme by the AIs:
    /// (01)+(21) SGTIN, (01)+(235) UPUI, (01)+(10) LGTIN, (01) alone the SGTIN pattern,
    /// (00) SSCC, (414) SGLN, (417) PGLN, (8003) GRAI or its pattern without serial, and so on.
    /// AIs that are not part of the key (dates, ...) are ignored.
    pub fn from_element_string(
        elements: &ElementString,
        company_prefix_digits: usize,
    ) -> Result<Self, Gs1Error> {
        let text = elements.to_bracketed();
        let identifier = text.as_str();
        let gcp = company_prefix_digits;
        if !(6..=12).contains(&gcp) {
            return Err(Gs1Error::length(
                identifier,
                "company prefix",
                "6 to 12",
                gcp,
            ));
        }
        for element in &elements.elements {
            let definition = lookup(&element.ai).ok_or_else(|| {
                Gs1Error::ai(
                    identifier,
                    format!("AI ({})", element.ai),
                    "unknown Application Identifier",
                )
            })?;
            definition.validate(identifier, &element.value)?;
        }
        let get = |ai: &str| elements.get(ai);
        let split_key = |value: &str, skip_first: bool| -> Result<(String, String), Gs1Error> {
            // GTIN/SSCC: [indicator] prefix rest check; GLN-like: prefix rest check.
            let digits = if skip_first { &value[1..] } else { value };
            let body = &digits[..digits.len().saturating_sub(1)];
            if body.len() < gcp || !value.is_ascii() {
                return Err(Gs1Error::length(
                    identifier,
                    "company prefix",
                    format!("at most {}", body.len()),
                    gcp,
                ));
            }
            let prefix = body[..gcp].to_owned();
            let reference = if skip_first {
                format!("{}{}", &value[..1], &body[gcp..])
            } else {
                body[gcp..].to_owned()
            };
            Ok((prefix, reference))
        };
        let result = if let Some(gtin) = get("01") {
            let (company_prefix, item_reference) = split_key(gtin, true)?;
            if let Some(serial) = get("21") {
                EpcUri::Id(Epc::Sgtin {
                    company_prefix,
                    item_reference,
                    serial: serial.to_owned(),
                })
            } else if let Some(tpx) = get("235") {
                EpcUri::Id(Epc::Upui {
                    company_prefix,
                    item_reference,
                    tpx: tpx.to_owned(),
                })
            } else if let Some(lot) = get("10") {
                EpcUri::Class(EpcClass::Lgtin {
                    company_prefix,
                    item_reference,
                    lot: lot.to_owned(),
                })
            } else {
                EpcUri::Class(EpcClass::Pattern {
                    scheme: EpcScheme::Sgtin,
                    company_prefix,
                    fields: vec![item_reference],
                })
            }
        } else if let Some(itip) = get("8006") {
            let (company_prefix, item_reference) = split_key(&itip[..14.min(itip.len())], true)?;
            let piece = itip.get(14..16).unwrap_or_default().to_owned();
            let total = itip.get(16..18).unwrap_or_default().to_owned();
            match get("21") {
                Some(serial) => EpcUri::Id(Epc::Itip {
                    company_prefix,
                    item_reference,
                    piece,
                    total,
                    serial: serial.to_owned(),
                }),
                None => EpcUri::Class(EpcClass::Pattern {
                    scheme: EpcScheme::Itip,
                    company_prefix,
                    fields: vec![item_reference, piece, total],
                }),
            }
        } else if let Some(sscc) = get("00") {
            let (company_prefix, serial_reference) = split_key(sscc, true)?;
            EpcUri::Id(Epc::Sscc {
                company_prefix,
                serial_reference,
            })
        } else if let Some(gln) = get("414") {
            let (company_prefix, location_reference) = split_key(gln, false)?;
            let extension = get("254").unwrap_or("0").to_owned();
            EpcUri::Id(Epc::Sgln {
                company_prefix,
                location_reference,
                extension,
            })
        } else if let Some(gln) = get("417") {
            let (company_prefix, party_reference) = split_key(gln, false)?;
            EpcUri::Id(Epc::Pgln {
                company_prefix,
                party_reference,
            })
        } else if let Some(grai) = get("8003") {
            let (company_prefix, asset_type) = split_key(&grai[1..14.min(grai.len())], false)?;
            let serial = grai.get(14..).unwrap_or_default();
            if serial.is_empty() {
                EpcUri::Class(EpcClass::Pattern {
                    scheme: EpcScheme::Grai,
                    company_prefix,
                    fields: vec![asset_type],
                })
            } else {
                EpcUri::Id(Epc::Grai {
                    company_prefix,
                    asset_type,
                    serial: serial.to_owned(),
                })
            }
        } else if let Some(gdti) = get("253") {
            let (company_prefix, document_type) = split_key(&gdti[..13.min(gdti.len())], false)?;
            let serial = gdti.get(13..).unwrap_or_default();
            if serial.is_empty() {
                EpcUri::Class(EpcClass::Pattern {
                    scheme: EpcScheme::Gdti,
                    company_prefix,
                    fields: vec![document_type],
                })
            } else {
                EpcUri::Id(Epc::Gdti {
                    company_prefix,
                    document_type,
                    serial: serial.to_owned(),
                })
            }
        } else if let Some(gcn) = get("255") {
            let (company_prefix, coupon_reference) = split_key(&gcn[..13.min(gcn.len())], false)?;
            let serial = gcn.get(13..).unwrap_or_default();
            if serial.is_empty() {
                EpcUri::Class(EpcClass::Pattern {
                    scheme: EpcScheme::Sgcn,
                    company_prefix,
                    fields: vec![coupon_reference],
                })
            } else {
                EpcUri::Id(Epc::Sgcn {
                    company_prefix,
                    coupon_reference,
                    serial: serial.to_owned(),
                })
            }
        } else if let Some(cpid) = get("8010") {
            let (company_prefix, part_reference) = split_prefix(identifier, cpid, gcp)?;
            match get("8011") {
                Some(serial) => EpcUri::Id(Epc::Cpi {
                    company_prefix,
                    part_reference,
                    serial: serial.to_owned(),
                }),
                None => EpcUri::Class(EpcClass::Pattern {
                    scheme: EpcScheme::Cpi,
                    company_prefix,
                    fields: vec![part_reference],
                }),
            }
        } else if let Some(giai) = get("8004") {
            let (company_prefix, asset_reference) = split_prefix(identifier, giai, gcp)?;
            EpcUri::Id(Epc::Giai {
                company_prefix,
                asset_reference,
            })
        } else if let Some(ginc) = get("401") {
            let (company_prefix, consignment_reference) = split_prefix(identifier, ginc, gcp)?;
            EpcUri::Id(Epc::Ginc {
                company_prefix,
                consignment_reference,
            })
        } else if let Some(gsin) = get("402") {
            let (company_prefix, shipper_reference) = split_key(gsin, false)?;
            EpcUri::Id(Epc::Gsin {
                company_prefix,
                shipper_reference,
            })
        } else if let Some(gsrn) = get("8018") {
            let (company_prefix, service_reference) = split_key(gsrn, false)?;
            EpcUri::Id(Epc::Gsrn {
                company_prefix,
                service_reference,
            })
        } else if let Some(gsrn) = get("8017") {
            let (company_prefix, service_reference) = split_key(gsrn, false)?;
            EpcUri::Id(Epc::Gsrnp {
                company_prefix,
                service_reference,
            })
        } else {
            return Err(Gs1Error::ai(
                identifier,
                "primary key",
                "no GS1 key with an EPC scheme (01, 00, 414, 417, 8003, ...)",
            ));
        };
        // Re-parse the written URN: this applies every TDS field rule to what was built.
        EpcUri::parse(&result.to_string()).map_err(|e| e.within(identifier))
    }
}

fn split_prefix(identifier: &str, value: &str, gcp: usize) -> Result<(String, String), Gs1Error> {
    if value.len() < gcp || !value.is_char_boundary(gcp) {
        return Err(Gs1Error::length(
            identifier,
            "company prefix",
            format!("at most {}", value.len()),
            gcp,
        ));
    }
    Ok((value[..gcp].to_owned(), value[gcp..].to_owned()))
}

fn strip_ci<'a>(uri: &'a str, prefix: &str) -> Option<&'a str> {
    if starts_with_ci(uri, prefix) {
        uri.get(prefix.len()..)
    } else {
        None
    }
}

fn split_scheme<'a>(uri: &str, rest: &'a str) -> Result<(EpcScheme, &'a str), Gs1Error> {
    let (name, body) = rest
        .split_once(':')
        .ok_or_else(|| Gs1Error::syntax(uri, "scheme", "expected `<scheme>:` such as `sgtin:`"))?;
    match EpcScheme::from_name(name) {
        Some(scheme) => Ok((scheme, body)),
        None if NON_GS1_SCHEMES.contains(&name) => Err(Gs1Error::syntax(
            uri,
            "scheme",
            format!("`{name}` is an EPC scheme but not a GS1 key"),
        )),
        None => Err(Gs1Error::syntax_hint(
            uri,
            "scheme",
            format!("unknown EPC scheme `{name}`"),
            "GS1 key schemes: sgtin sscc sgln grai giai gsrn gsrnp gdti cpi sgcn ginc gsin itip upui pgln",
        )),
    }
}

/// Splits `body` into exactly `count` dot-separated fields (the last may contain dots).
fn fields<'a>(
    uri: &str,
    scheme: EpcScheme,
    body: &'a str,
    count: usize,
) -> Result<Vec<&'a str>, Gs1Error> {
    let parts: Vec<&str> = body.splitn(count, '.').collect();
    if parts.len() != count {
        return Err(Gs1Error::syntax(
            uri,
            "fields",
            format!(
                "a `{}` URI has {count} dot-separated fields, found {}",
                scheme.name(),
                parts.len()
            ),
        ));
    }
    Ok(parts)
}

/// Checks a company prefix and the fixed-length reference that follows it.
fn prefix_and_reference(
    uri: &str,
    scheme: EpcScheme,
    prefix: &str,
    reference: &str,
    part: &str,
) -> Result<(), Gs1Error> {
    check_company_prefix(uri, prefix)?;
    let length = scheme.reference_digits(prefix.len()).unwrap_or(0);
    check_digits(uri, part, reference, length).map_err(|e| match e {
        Gs1Error::Length {
            identifier,
            part,
            found,
            ..
        } => Gs1Error::Length {
            identifier,
            part,
            expected: format!(
                "exactly {length} (with a {}-digit company prefix)",
                prefix.len()
            ),
            found,
        },
        other => other,
    })
}

fn component(
    uri: &str,
    part: &str,
    raw: &str,
    set: Charset,
    min: usize,
    max: usize,
) -> Result<String, Gs1Error> {
    let value = epc_unescape(uri, part, raw)?;
    check_charset(uri, part, &value, set)?;
    check_length(uri, part, &value, min, max)?;
    Ok(value)
}

impl Epc {
    /// Parses a `urn:epc:id:` URI of a GS1 key.
    pub fn parse(uri: &str) -> Result<Self, Gs1Error> {
        match EpcUri::parse(uri)? {
            EpcUri::Id(epc) => Ok(epc),
            _ => Err(Gs1Error::syntax(
                uri,
                "prefix",
                "expected a pure identity `urn:epc:id:` URI",
            )),
        }
    }

    fn parse_body(uri: &str, scheme: EpcScheme, body: &str) -> Result<Self, Gs1Error> {
        use EpcScheme as S;
        let owned = |s: &str| s.to_owned();
        let epc = match scheme {
            S::Sgtin | S::Upui => {
                let f = fields(uri, scheme, body, 3)?;
                prefix_and_reference(uri, scheme, f[0], f[1], "item reference")?;
                if scheme == S::Sgtin {
                    let serial = component(uri, "serial", f[2], Charset::Cset82, 1, 20)?;
                    Epc::Sgtin {
                        company_prefix: owned(f[0]),
                        item_reference: owned(f[1]),
                        serial,
                    }
                } else {
                    let tpx = component(
                        uri,
                        "third-party serial (TPX)",
                        f[2],
                        Charset::Cset82,
                        1,
                        28,
                    )?;
                    Epc::Upui {
                        company_prefix: owned(f[0]),
                        item_reference: owned(f[1]),
                        tpx,
                    }
                }
            }
            S::Sscc => {
                let f = fields(uri, scheme, body, 2)?;
                prefix_and_reference(uri, scheme, f[0], f[1], "serial reference")?;
                Epc::Sscc {
                    company_prefix: owned(f[0]),
                    serial_reference: owned(f[1]),
                }
            }
            S::Sgln => {
                let f = fields(uri, scheme, body, 3)?;
                prefix_and_reference(uri, scheme, f[0], f[1], "location reference")?;
                let extension = component(uri, "extension", f[2], Charset::Cset82, 1, 20)?;
                Epc::Sgln {
                    company_prefix: owned(f[0]),
                    location_reference: owned(f[1]),
                    extension,
                }
            }
            S::Grai => {
                let f = fields(uri, scheme, body, 3)?;
                prefix_and_reference(uri, scheme, f[0], f[1], "asset type")?;
                let serial = component(uri, "serial", f[2], Charset::Cset82, 1, 16)?;
                Epc::Grai {
                    company_prefix: owned(f[0]),
                    asset_type: owned(f[1]),
                    serial,
                }
            }
            S::Gdti => {
                let f = fields(uri, scheme, body, 3)?;
                prefix_and_reference(uri, scheme, f[0], f[1], "document type")?;
                let serial = component(uri, "serial", f[2], Charset::Cset82, 1, 17)?;
                Epc::Gdti {
                    company_prefix: owned(f[0]),
                    document_type: owned(f[1]),
                    serial,
                }
            }
            S::Sgcn => {
                let f = fields(uri, scheme, body, 3)?;
                prefix_and_reference(uri, scheme, f[0], f[1], "coupon reference")?;
                let serial = component(uri, "serial", f[2], Charset::Numeric, 1, 12)?;
                Epc::Sgcn {
                    company_prefix: owned(f[0]),
                    coupon_reference: owned(f[1]),
                    serial,
                }
            }
            S::Giai | S::Ginc => {
                let f = fields(uri, scheme, body, 2)?;
                check_company_prefix(uri, f[0])?;
                let part = if scheme == S::Giai {
                    "asset reference"
                } else {
                    "consignment reference"
                };
                let reference = component(uri, part, f[1], Charset::Cset82, 1, 30 - f[0].len())?;
                if scheme == S::Giai {
                    Epc::Giai {
                        company_prefix: owned(f[0]),
                        asset_reference: reference,
                    }
                } else {
                    Epc::Ginc {
                        company_prefix: owned(f[0]),
                        consignment_reference: reference,
                    }
                }
            }
            S::Cpi => {
                // The part reference (set 39) holds no dot, so the serial is after the 2nd dot.
                let f = fields(uri, scheme, body, 3)?;
                check_company_prefix(uri, f[0])?;
                let part_reference = component(
                    uri,
                    "part reference",
                    f[1],
                    Charset::Cset39,
                    1,
                    30 - f[0].len(),
                )?;
                let serial = component(uri, "serial", f[2], Charset::Numeric, 1, 12)?;
                if serial.len() > 1 && serial.starts_with('0') {
                    return Err(Gs1Error::syntax(
                        uri,
                        "serial",
                        "a CPI serial has no leading zeros",
                    ));
                }
                Epc::Cpi {
                    company_prefix: owned(f[0]),
                    part_reference,
                    serial,
                }
            }
            S::Gsrn | S::Gsrnp => {
                let f = fields(uri, scheme, body, 2)?;
                prefix_and_reference(uri, scheme, f[0], f[1], "service reference")?;
                if scheme == S::Gsrn {
                    Epc::Gsrn {
                        company_prefix: owned(f[0]),
                        service_reference: owned(f[1]),
                    }
                } else {
                    Epc::Gsrnp {
                        company_prefix: owned(f[0]),
                        service_reference: owned(f[1]),
                    }
                }
            }
            S::Gsin => {
                let f = fields(uri, scheme, body, 2)?;
                prefix_and_reference(uri, scheme, f[0], f[1], "shipper reference")?;
                Epc::Gsin {
                    company_prefix: owned(f[0]),
                    shipper_reference: owned(f[1]),
                }
            }
            S::Pgln => {
                let f = fields(uri, scheme, body, 2)?;
                prefix_and_reference(uri, scheme, f[0], f[1], "party reference")?;
                Epc::Pgln {
                    company_prefix: owned(f[0]),
                    party_reference: owned(f[1]),
                }
            }
            S::Itip => {
                let f = fields(uri, scheme, body, 5)?;
                prefix_and_reference(uri, scheme, f[0], f[1], "item reference")?;
                check_digits(uri, "piece", f[2], 2)?;
                check_digits(uri, "total", f[3], 2)?;
                check_piece_total(uri, f[2], f[3])?;
                let serial = component(uri, "serial", f[4], Charset::Cset82, 1, 20)?;
                Epc::Itip {
                    company_prefix: owned(f[0]),
                    item_reference: owned(f[1]),
                    piece: owned(f[2]),
                    total: owned(f[3]),
                    serial,
                }
            }
        };
        Ok(epc)
    }

    /// The scheme.
    pub fn scheme(&self) -> EpcScheme {
        match self {
            Epc::Sgtin { .. } => EpcScheme::Sgtin,
            Epc::Sscc { .. } => EpcScheme::Sscc,
            Epc::Sgln { .. } => EpcScheme::Sgln,
            Epc::Grai { .. } => EpcScheme::Grai,
            Epc::Giai { .. } => EpcScheme::Giai,
            Epc::Gsrn { .. } => EpcScheme::Gsrn,
            Epc::Gsrnp { .. } => EpcScheme::Gsrnp,
            Epc::Gdti { .. } => EpcScheme::Gdti,
            Epc::Cpi { .. } => EpcScheme::Cpi,
            Epc::Sgcn { .. } => EpcScheme::Sgcn,
            Epc::Ginc { .. } => EpcScheme::Ginc,
            Epc::Gsin { .. } => EpcScheme::Gsin,
            Epc::Itip { .. } => EpcScheme::Itip,
            Epc::Upui { .. } => EpcScheme::Upui,
            Epc::Pgln { .. } => EpcScheme::Pgln,
        }
    }

    /// The element string of the key: (01)+(21) for an SGTIN, (00) for an SSCC,
    /// (414)[+(254)] for an SGLN (extension `0` means none), and so on.
    pub fn to_element_string(&self) -> ElementString {
        let element = |ai: &str, value: String| Element {
            ai: ai.to_owned(),
            value,
        };
        let elements = match self {
            Epc::Sgtin {
                company_prefix,
                item_reference,
                serial,
            } => {
                vec![
                    element("01", gtin(company_prefix, item_reference)),
                    element("21", serial.clone()),
                ]
            }
            Epc::Upui {
                company_prefix,
                item_reference,
                tpx,
            } => {
                vec![
                    element("01", gtin(company_prefix, item_reference)),
                    element("235", tpx.clone()),
                ]
            }
            Epc::Sscc {
                company_prefix,
                serial_reference,
            } => vec![element("00", gtin(company_prefix, serial_reference))],
            Epc::Sgln {
                company_prefix,
                location_reference,
                extension,
            } => {
                let mut list = vec![element(
                    "414",
                    with_check(company_prefix, location_reference),
                )];
                if extension != "0" {
                    list.push(element("254", extension.clone()));
                }
                list
            }
            Epc::Grai {
                company_prefix,
                asset_type,
                serial,
            } => {
                vec![element(
                    "8003",
                    format!("0{}{serial}", with_check(company_prefix, asset_type)),
                )]
            }
            Epc::Giai {
                company_prefix,
                asset_reference,
            } => vec![element(
                "8004",
                format!("{company_prefix}{asset_reference}"),
            )],
            Epc::Gsrn {
                company_prefix,
                service_reference,
            } => vec![element(
                "8018",
                with_check(company_prefix, service_reference),
            )],
            Epc::Gsrnp {
                company_prefix,
                service_reference,
            } => {
                vec![element(
                    "8017",
                    with_check(company_prefix, service_reference),
                )]
            }
            Epc::Gdti {
                company_prefix,
                document_type,
                serial,
            } => {
                vec![element(
                    "253",
                    format!("{}{serial}", with_check(company_prefix, document_type)),
                )]
            }
            Epc::Cpi {
                company_prefix,
                part_reference,
                serial,
            } => {
                vec![
                    element("8010", format!("{company_prefix}{part_reference}")),
                    element("8011", serial.clone()),
                ]
            }
            Epc::Sgcn {
                company_prefix,
                coupon_reference,
                serial,
            } => {
                vec![element(
                    "255",
                    format!("{}{serial}", with_check(company_prefix, coupon_reference)),
                )]
            }
            Epc::Ginc {
                company_prefix,
                consignment_reference,
            } => {
                vec![element(
                    "401",
                    format!("{company_prefix}{consignment_reference}"),
                )]
            }
            Epc::Gsin {
                company_prefix,
                shipper_reference,
            } => vec![element(
                "402",
                with_check(company_prefix, shipper_reference),
            )],
            Epc::Itip {
                company_prefix,
                item_reference,
                piece,
                total,
                serial,
            } => vec![
                element(
                    "8006",
                    format!("{}{piece}{total}", gtin(company_prefix, item_reference)),
                ),
                element("21", serial.clone()),
            ],
            Epc::Pgln {
                company_prefix,
                party_reference,
            } => vec![element("417", with_check(company_prefix, party_reference))],
        };
        ElementString { elements }
    }
}

fn check_piece_total(uri: &str, piece: &str, total: &str) -> Result<(), Gs1Error> {
    if let Some(definition) = lookup("8006") {
        let sample = format!("00000000000000{piece}{total}");
        // The first 14 digits are a valid GTIN (all zeros), so only piece/total can fail.
        definition.validate(uri, &sample).map_err(|_| {
            Gs1Error::syntax(
                uri,
                "piece",
                format!("piece `{piece}` of total `{total}` needs 01 <= piece <= total"),
            )
        })?;
    }
    Ok(())
}

/// GTIN-14 (or SSCC-18) from company prefix and a reference whose first digit is the
/// indicator (or extension) digit: indicator + prefix + rest of reference + check digit.
fn gtin(company_prefix: &str, reference: &str) -> String {
    let (indicator, rest) = reference.split_at(reference.len().min(1));
    let mut digits = String::with_capacity(indicator.len() + company_prefix.len() + rest.len() + 1);
    digits.push_str(indicator);
    digits.push_str(company_prefix);
    digits.push_str(rest);
    push_check(digits)
}

/// `prefix` + `reference` + their mod-10 check digit.
fn with_check(prefix: &str, reference: &str) -> String {
    let mut digits = String::with_capacity(prefix.len() + reference.len() + 1);
    digits.push_str(prefix);
    digits.push_str(reference);
    push_check(digits)
}

fn push_check(mut digits: String) -> String {
    let check = mod10(digits.as_bytes());
    digits.push(char::from(b'0' + check));
    digits
}

fn parse_lgtin(uri: &str, body: &str) -> Result<EpcClass, Gs1Error> {
    let f = fields(uri, EpcScheme::Sgtin, body, 3)?;
    prefix_and_reference(uri, EpcScheme::Sgtin, f[0], f[1], "item reference")?;
    let lot = component(uri, "lot", f[2], Charset::Cset82, 1, 20)?;
    Ok(EpcClass::Lgtin {
        company_prefix: f[0].to_owned(),
        item_reference: f[1].to_owned(),
        lot,
    })
}

fn parse_pattern(uri: &str, scheme: EpcScheme, body: &str) -> Result<EpcUri, Gs1Error> {
    let parts: Vec<&str> = body.split('.').collect();
    let stars = parts.iter().filter(|p| **p == "*").count();
    let Some(first_star) = parts.iter().position(|p| *p == "*") else {
        return Err(Gs1Error::syntax_hint(
            uri,
            "pattern",
            "an `idpat` URI has at least one `*` field",
            "use `urn:epc:id:` for one object",
        ));
    };
    if parts[first_star..].iter().any(|p| *p != "*") {
        return Err(Gs1Error::syntax(
            uri,
            "pattern",
            "after a `*` field every field must be `*`",
        ));
    }
    // Validate the concrete fields by parsing a pure identity with a placeholder for each `*`.
    let expected = match scheme {
        EpcScheme::Itip => 5,
        EpcScheme::Sscc
        | EpcScheme::Giai
        | EpcScheme::Gsrn
        | EpcScheme::Gsrnp
        | EpcScheme::Ginc
        | EpcScheme::Gsin
        | EpcScheme::Pgln => 2,
        _ => 3,
    };
    if parts.len() != expected {
        return Err(Gs1Error::syntax(
            uri,
            "fields",
            format!(
                "a `{}` pattern has {expected} dot-separated fields, found {}",
                scheme.name(),
                parts.len()
            ),
        ));
    }
    let concrete = &parts[..first_star];
    if let Some(prefix) = concrete.first() {
        check_company_prefix(uri, prefix)?;
    }
    let is_class = stars == 1 && CLASS_PATTERN_SCHEMES.contains(&scheme);
    if !is_class {
        for field in concrete.iter().skip(1) {
            epc_unescape(uri, "pattern field", field)?;
        }
        return Ok(EpcUri::WiderPattern {
            uri: uri.to_owned(),
        });
    }
    let prefix = concrete[0];
    match scheme {
        EpcScheme::Sgtin
        | EpcScheme::Upui
        | EpcScheme::Grai
        | EpcScheme::Gdti
        | EpcScheme::Sgcn => {
            let part = match scheme {
                EpcScheme::Grai => "asset type",
                EpcScheme::Gdti => "document type",
                EpcScheme::Sgcn => "coupon reference",
                _ => "item reference",
            };
            prefix_and_reference(uri, scheme, prefix, concrete[1], part)?;
        }
        EpcScheme::Itip => {
            prefix_and_reference(uri, scheme, prefix, concrete[1], "item reference")?;
            check_digits(uri, "piece", concrete[2], 2)?;
            check_digits(uri, "total", concrete[3], 2)?;
            check_piece_total(uri, concrete[2], concrete[3])?;
        }
        EpcScheme::Cpi => {
            let reference = component(
                uri,
                "part reference",
                concrete[1],
                Charset::Cset39,
                1,
                30 - prefix.len(),
            )?;
            return Ok(EpcUri::Class(EpcClass::Pattern {
                scheme,
                company_prefix: prefix.to_owned(),
                fields: vec![reference],
            }));
        }
        _ => {}
    }
    Ok(EpcUri::Class(EpcClass::Pattern {
        scheme,
        company_prefix: prefix.to_owned(),
        fields: concrete[1..].iter().map(|f| (*f).to_owned()).collect(),
    }))
}

impl EpcClass {
    /// The element string of the class: (01)+(10) for an LGTIN, the key without serial for
    /// a pattern: (01), (8003) without serial, (253), (255), (8010), (8006).
    pub fn to_element_string(&self) -> ElementString {
        let element = |ai: &str, value: String| Element {
            ai: ai.to_owned(),
            value,
        };
        let field = |fields: &[String], i: usize| fields.get(i).cloned().unwrap_or_default();
        let elements = match self {
            EpcClass::Lgtin {
                company_prefix,
                item_reference,
                lot,
            } => {
                vec![
                    element("01", gtin(company_prefix, item_reference)),
                    element("10", lot.clone()),
                ]
            }
            EpcClass::Pattern {
                scheme,
                company_prefix,
                fields,
            } => match scheme {
                EpcScheme::Grai => vec![element(
                    "8003",
                    format!("0{}", with_check(company_prefix, &field(fields, 0))),
                )],
                EpcScheme::Gdti => vec![element(
                    "253",
                    with_check(company_prefix, &field(fields, 0)),
                )],
                EpcScheme::Sgcn => vec![element(
                    "255",
                    with_check(company_prefix, &field(fields, 0)),
                )],
                EpcScheme::Cpi => vec![element(
                    "8010",
                    format!("{company_prefix}{}", field(fields, 0)),
                )],
                EpcScheme::Itip => vec![element(
                    "8006",
                    format!(
                        "{}{}{}",
                        gtin(company_prefix, &field(fields, 0)),
                        field(fields, 1),
                        field(fields, 2)
                    ),
                )],
                _ => vec![element("01", gtin(company_prefix, &field(fields, 0)))],
            },
        };
        ElementString { elements }
    }
}

impl fmt::Display for Epc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = epc_escape;
        let scheme = self.scheme().name();
        match self {
            Epc::Sgtin {
                company_prefix: p,
                item_reference: r,
                serial: s,
            }
            | Epc::Grai {
                company_prefix: p,
                asset_type: r,
                serial: s,
            }
            | Epc::Gdti {
                company_prefix: p,
                document_type: r,
                serial: s,
            }
            | Epc::Sgcn {
                company_prefix: p,
                coupon_reference: r,
                serial: s,
            }
            | Epc::Upui {
                company_prefix: p,
                item_reference: r,
                tpx: s,
            }
            | Epc::Sgln {
                company_prefix: p,
                location_reference: r,
                extension: s,
            } => {
                write!(f, "urn:epc:id:{scheme}:{p}.{r}.{}", e(s))
            }
            Epc::Cpi {
                company_prefix: p,
                part_reference: r,
                serial: s,
            } => {
                write!(f, "urn:epc:id:{scheme}:{p}.{}.{s}", e(r))
            }
            Epc::Sscc {
                company_prefix: p,
                serial_reference: r,
            }
            | Epc::Gsrn {
                company_prefix: p,
                service_reference: r,
            }
            | Epc::Gsrnp {
                company_prefix: p,
                service_reference: r,
            }
            | Epc::Gsin {
                company_prefix: p,
                shipper_reference: r,
            }
            | Epc::Pgln {
                company_prefix: p,
                party_reference: r,
            } => write!(f, "urn:epc:id:{scheme}:{p}.{r}"),
            Epc::Giai {
                company_prefix: p,
                asset_reference: r,
            }
            | Epc::Ginc {
                company_prefix: p,
                consignment_reference: r,
            } => {
                write!(f, "urn:epc:id:{scheme}:{p}.{}", e(r))
            }
            Epc::Itip {
                company_prefix: p,
                item_reference: r,
                piece,
                total,
                serial,
            } => {
                write!(
                    f,
                    "urn:epc:id:{scheme}:{p}.{r}.{piece}.{total}.{}",
                    e(serial)
                )
            }
        }
    }
}

impl fmt::Display for EpcClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EpcClass::Lgtin {
                company_prefix,
                item_reference,
                lot,
            } => {
                write!(
                    f,
                    "urn:epc:class:lgtin:{company_prefix}.{item_reference}.{}",
                    epc_escape(lot)
                )
            }
            EpcClass::Pattern {
                scheme,
                company_prefix,
                fields,
            } => {
                write!(f, "urn:epc:idpat:{}:{company_prefix}", scheme.name())?;
                for field in fields {
                    write!(f, ".{}", epc_escape(field))?;
                }
                f.write_str(".*")
            }
        }
    }
}

impl fmt::Display for EpcUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EpcUri::Id(epc) => epc.fmt(f),
            EpcUri::Class(class) => class.fmt(f),
            EpcUri::WiderPattern { uri } => f.write_str(uri),
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
    fn parse_and_write() {
        for uri in [
            "urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()",
            "urn:epc:id:sgtin:415056789012.0.987654",
            "urn:epc:id:sgln:4012345.00005.0",
            "urn:epc:id:gdti:987659999999..9",
            "urn:epc:id:pgln:999999999999.",
            "urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234",
            "urn:epc:id:itip:4012345.011111.01.02.987",
            "urn:epc:class:lgtin:4012345.012345.Lot987",
            "urn:epc:idpat:itip:4012345.012345.01.02.*",
        ] {
            let parsed = EpcUri::parse(uri).unwrap();
            assert_eq!(parsed.to_string(), uri);
        }
        assert!(EpcUri::parse("urn:epc:id:sgtin:4012345.01111.1").is_err());
        assert!(EpcUri::parse("urn:epc:id:sgtin:40123.0111111.1").is_err());
        assert!(EpcUri::parse("urn:epc:id:sgtin:4012345.011111.a/b").is_err());
        assert!(EpcUri::parse("urn:epc:id:sgtin:4012345.011111.123456789012345678901").is_err());
        assert!(EpcUri::parse("urn:epc:id:cpi:0614141.abc.1").is_err());
        assert!(EpcUri::parse("urn:epc:id:cpi:0614141.ABC.01").is_err());
        assert!(EpcUri::parse("urn:epc:id:itip:4012345.011111.03.02.987").is_err());
        assert!(EpcUri::parse("urn:epc:id:gid:1.2.3").is_err());
        assert!(matches!(
            EpcUri::parse("urn:epc:idpat:sgtin:4012345.*.*").unwrap(),
            EpcUri::WiderPattern { .. }
        ));
        assert!(matches!(
            EpcUri::parse("urn:epc:idpat:sscc:4012345.*").unwrap(),
            EpcUri::WiderPattern { .. }
        ));
        assert!(EpcUri::parse("urn:epc:idpat:sgtin:4012345.*.1").is_err());
    }

    #[test]
    fn element_strings() {
        let epc = EpcUri::parse("urn:epc:id:sgtin:4012345.011111.98%22").unwrap();
        assert_eq!(
            epc.to_element_string().unwrap().to_bracketed(),
            "(01)04012345111118(21)98\""
        );
        let back = EpcUri::from_element_string(&epc.to_element_string().unwrap(), 7).unwrap();
        assert_eq!(back, epc);
        assert!(EpcUri::from_element_string(&epc.to_element_string().unwrap(), 5).is_err());
    }
}
