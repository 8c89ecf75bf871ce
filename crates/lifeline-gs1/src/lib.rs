//! GS1 identifiers for healthcare traceability: check digits, EPC URIs
//! (`urn:epc:id:sgtin:...`, `urn:epc:class:lgtin:...`, `urn:epc:idpat:...`), GS1 element
//! strings (`(01)09506000134352(21)ABC`), GS1 Digital Link URIs, conversion between them,
//! and the constrained canonical Digital Link that the CBV 2.0 EPCIS event hash needs
//! ([`canonical_digital_link`]).
//!
//! No IO, no clock: every function maps strings to values. `lifeline-trace` depends on it.

#![warn(missing_docs)]

mod ai;
mod charset;
mod check;
mod dl;
mod element;
mod epc;
mod error;

pub use ai::{
    AIS, AiDefinition, Component, Lint, Role, TABLE_K, ai_length, is_exclusive_qualifier, lookup,
    qualifiers_of, resolve_year, valid_yymmdd,
};
pub use charset::{CSET32, CSET39, CSET82, Charset, dl_encode, epc_escape};
pub use check::{
    check_character_pair, check_digit, is_valid_check_character_pair, is_valid_check_digit,
};
pub use dl::{CANONICAL_DOMAIN, DigitalLink, DigitalLinkOptions};
pub use element::{Element, ElementString, GS};
pub use epc::{Epc, EpcClass, EpcScheme, EpcUri, NON_GS1_SCHEMES, SCHEMES};
pub use error::Gs1Error;

/// What a string is, as far as GS1 identifiers go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    /// An EPC URI of a GS1 key, class or pattern.
    Epc(EpcUri),
    /// A GS1 Digital Link URI.
    DigitalLink(DigitalLink),
    /// A GS1 element string.
    ElementString(ElementString),
}

/// If `uri` is a GS1 identifier in any form (EPC pure-identity URN, EPC class URN such as
/// `urn:epc:class:lgtin:...`, `urn:epc:idpat:sgtin:...:*`, or a GS1 Digital Link URI on any
/// domain), its constrained canonical GS1 Digital Link URI on `https://id.gs1.org/`
/// (CBV 2.0 §8.9, as the EPCIS event hash needs it).
///
/// `Ok(None)` when `uri` is not a GS1 identifier at all (`urn:epcglobal:cbv:bizstep:shipping`,
/// a plain https URL, a private URN, an EPC of a non-GS1 scheme such as `urn:epc:id:gid:`,
/// or an `idpat` pattern wider than one class), so the caller keeps it unchanged.
///
/// `Err` when it claims to be a GS1 identifier but is malformed (a `urn:epc:id:sgtin:`
/// with a 5-digit company prefix, a Digital Link whose GTIN has 9 digits). The CBV 2.0
/// reference implementation keeps such a value unchanged in the pre-hash string; a caller
/// that wants the same hashes does likewise and may report the error.
///
/// As in the reference implementation, check digits in Digital Links are not verified
/// and the query string is ignored ([`DigitalLinkOptions::EVENT_HASH`]); EPC URNs carry no
/// check digit, it is computed.
///
/// ```
/// use lifeline_gs1::canonical_digital_link;
/// assert_eq!(
///     canonical_digital_link("urn:epc:id:sgtin:4012345.011111.987").unwrap().as_deref(),
///     Some("https://id.gs1.org/01/04012345111118/21/987"),
/// );
/// assert_eq!(canonical_digital_link("urn:epcglobal:cbv:bizstep:shipping").unwrap(), None);
/// assert!(canonical_digital_link("urn:epc:id:sgtin:40123.0111111.1").is_err());
/// ```
pub fn canonical_digital_link(uri: &str) -> Result<Option<String>, Gs1Error> {
    let head = |prefix: &str| charset::starts_with_ci(uri, prefix);
    if head("urn:epc:id:") || head("urn:epc:class:") || head("urn:epc:idpat:") {
        if is_non_gs1_epc(uri) {
            return Ok(None);
        }
        return match EpcUri::parse(uri)? {
            EpcUri::WiderPattern { .. } => Ok(None),
            // An EPC's element string is the key and its qualifiers, valid and in canonical
            // order by construction (the property tests read every such result back strictly).
            parsed => Ok(parsed.to_element_string().and_then(|elements| {
                let (primary, qualifiers) = elements.elements.split_first()?;
                Some(dl::constrained_canonical(primary, qualifiers))
            })),
        };
    }
    if head("http://") || head("https://") {
        return Ok(DigitalLink::try_parse(uri, DigitalLinkOptions::EVENT_HASH)?
            .map(|link| link.to_constrained_canonical()));
    }
    Ok(None)
}

/// Whether `uri` is an `urn:epc:id:`/`idpat:` URI of a scheme that is not a GS1 key.
fn is_non_gs1_epc(uri: &str) -> bool {
    let mut parts = uri.splitn(5, ':');
    let scheme = parts.nth(3).unwrap_or_default();
    NON_GS1_SCHEMES.contains(&scheme)
}

/// Reads `text` as whichever GS1 identifier form it is in: an EPC URI (`urn:epc:`), a
/// Digital Link (`http://`, `https://`), or an element string (anything else).
pub fn parse_identifier(text: &str) -> Result<Identifier, Gs1Error> {
    let head = |prefix: &str| charset::starts_with_ci(text, prefix);
    if head("urn:epc:") {
        EpcUri::parse(text).map(Identifier::Epc)
    } else if head("http://") || head("https://") {
        DigitalLink::parse(text).map(Identifier::DigitalLink)
    } else {
        ElementString::parse(text).map(Identifier::ElementString)
    }
}

/// Every form of one identifier, as a `lifeline gs1 convert` command would print them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forms {
    /// The EPC URI, when the company prefix length is known (or the input was one) and the
    /// key has an EPC scheme.
    pub epc: Option<String>,
    /// The bracketed element string.
    pub element_string: Option<String>,
    /// The canonical Digital Link (every qualifier and data attribute).
    pub digital_link: Option<String>,
    /// The constrained canonical Digital Link of CBV 2.0 (event hash).
    pub constrained_digital_link: Option<String>,
}

/// Reads `text` in any form and writes it in every other: see [`Forms`]. The GS1 Company
/// Prefix length is needed for the EPC URI of an element string or Digital Link (neither
/// carries it); without it `epc` is `None`.
pub fn convert(text: &str, company_prefix_digits: Option<usize>) -> Result<Forms, Gs1Error> {
    let identifier = parse_identifier(text)?;
    let elements = identifier.to_element_string();
    let link = identifier.to_digital_link()?;
    let epc = match (&identifier, company_prefix_digits) {
        (Identifier::Epc(epc), _) => Some(epc.to_string()),
        (_, Some(digits)) => identifier.to_epc(digits)?.map(|epc| epc.to_string()),
        (_, None) => None,
    };
    Ok(Forms {
        epc,
        element_string: elements.map(|e| e.to_bracketed()),
        constrained_digital_link: link.as_ref().map(DigitalLink::to_constrained_canonical),
        digital_link: link.map(|l| l.to_canonical_uri()),
    })
}

/// A GTIN written with 8, 12, 13 or 14 digits, as the 14-digit GTIN (left-padded with
/// zeros) after checking its check digit.
pub fn gtin14(gtin: &str) -> Result<String, Gs1Error> {
    if !matches!(gtin.len(), 8 | 12 | 13 | 14) {
        return Err(Gs1Error::Length {
            identifier: error::shown(gtin),
            part: "GTIN".to_owned(),
            expected: "8, 12, 13 or 14".to_owned(),
            found: gtin.chars().count(),
        });
    }
    let padded = format!("{gtin:0>14}");
    match lookup("01") {
        Some(definition) => definition.validate(gtin, &padded).map(|()| padded),
        None => Ok(padded),
    }
}

impl ElementString {
    /// The constrained canonical Digital Link (CBV 2.0) of the key in this element string,
    /// e.g. of `(01)...(21)...` for a DSCSA product identifier.
    pub fn to_constrained_digital_link(&self) -> Result<String, Gs1Error> {
        DigitalLink::from_element_string(self).map(|link| link.to_constrained_canonical())
    }
}

impl Identifier {
    /// The element string of the identifier (`None` for a wider EPC pattern).
    pub fn to_element_string(&self) -> Option<ElementString> {
        match self {
            Identifier::Epc(epc) => epc.to_element_string(),
            Identifier::DigitalLink(link) => Some(link.to_element_string()),
            Identifier::ElementString(elements) => Some(elements.clone()),
        }
    }

    /// The canonical Digital Link (every qualifier and attribute kept).
    pub fn to_digital_link(&self) -> Result<Option<DigitalLink>, Gs1Error> {
        match self.to_element_string() {
            Some(elements) => DigitalLink::from_element_string(&elements).map(Some),
            None => Ok(None),
        }
    }

    /// The EPC URI, given the GS1 Company Prefix length (element strings and Digital Links
    /// do not carry it).
    pub fn to_epc(&self, company_prefix_digits: usize) -> Result<Option<EpcUri>, Gs1Error> {
        match self {
            Identifier::Epc(epc) => Ok(Some(epc.clone())),
            other => match other.to_element_string() {
                Some(elements) => {
                    EpcUri::from_element_string(&elements, company_prefix_digits).map(Some)
                }
                None => Ok(None),
            },
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
    fn convert_every_way() {
        let forms = convert("urn:epc:id:sgtin:0614141.812345.6789", None).unwrap();
        assert_eq!(
            forms.element_string.as_deref(),
            Some("(01)80614141123458(21)6789")
        );
        assert_eq!(
            forms.digital_link.as_deref(),
            Some("https://id.gs1.org/01/80614141123458/21/6789")
        );
        let forms = convert(
            "https://example.com/01/80614141123458/10/L1/21/6789?17=261231",
            Some(7),
        )
        .unwrap();
        assert_eq!(
            forms.epc.as_deref(),
            Some("urn:epc:id:sgtin:0614141.812345.6789")
        );
        assert_eq!(
            forms.digital_link.as_deref(),
            Some("https://id.gs1.org/01/80614141123458/10/L1/21/6789?17=261231")
        );
        assert_eq!(
            forms.constrained_digital_link.as_deref(),
            Some("https://id.gs1.org/01/80614141123458/21/6789")
        );
        let forms = convert("(01)80614141123458(10)L1", Some(7)).unwrap();
        assert_eq!(
            forms.epc.as_deref(),
            Some("urn:epc:class:lgtin:0614141.812345.L1")
        );
        assert!(convert("(01)80614141123458(10)L1", Some(13)).is_err());
        assert_eq!(gtin14("9506000134352").unwrap(), "09506000134352");
        assert!(gtin14("9506000134353").is_err());
        assert!(gtin14("950600013435").is_err());
    }
}
