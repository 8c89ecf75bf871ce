//! GS1 Digital Link URIs (GS1 Digital Link standard, URI syntax 1.x): parse on any domain,
//! with an optional path before the primary key, numeric AIs or the 1.1 short names
//! (`/gtin/`, `/ser/`, ...), key qualifiers in their fixed order, percent-encoding, AI data
//! attributes in the query string; write the canonical form on `https://id.gs1.org` and the
//! constrained canonical form of CBV 2.0 §8.9 that the EPCIS event hash uses.
//!
//! Compressed Digital Links are not read.

use crate::ai::{
    AiDefinition, Role, is_exclusive_qualifier, is_primary_key, lookup, lookup_code_or_short_name,
    qualifiers_of,
};
use crate::charset::{dl_encode, percent_decode, push_dl_encoded, starts_with_ci};
use crate::element::{Element, ElementString};
use crate::error::Gs1Error;

/// The domain of canonical GS1 Digital Link URIs.
pub const CANONICAL_DOMAIN: &str = "https://id.gs1.org";

/// How strictly a Digital Link is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigitalLinkOptions {
    /// Verify the mod-10 check digits of keys (GTIN, GLN, SSCC, ...).
    pub verify_check_digits: bool,
    /// Read the query string: every numeric AI there must be known and valid.
    pub validate_query: bool,
}

impl DigitalLinkOptions {
    /// Everything checked (the default).
    pub const STRICT: DigitalLinkOptions = DigitalLinkOptions {
        verify_check_digits: true,
        validate_query: true,
    };
    /// What the CBV 2.0 event hash needs: the reference implementation neither verifies
    /// check digits in Digital Links nor reads the query string, so this does not either;
    /// lengths and character sets of the key and its qualifiers are still checked.
    pub const EVENT_HASH: DigitalLinkOptions = DigitalLinkOptions {
        verify_check_digits: false,
        validate_query: false,
    };
}

impl Default for DigitalLinkOptions {
    fn default() -> Self {
        DigitalLinkOptions::STRICT
    }
}

/// A parsed GS1 Digital Link URI. Values are percent-decoded; a GTIN is padded to 14 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitalLink {
    /// `http` or `https`, lower case.
    pub scheme: String,
    /// Host (and port, user info) as written.
    pub authority: String,
    /// Path segments before the primary key (`/gtin-8` in `http://example.de/gtin-8/01/...`).
    pub path_prefix: String,
    /// The primary key.
    pub primary: Element,
    /// Key qualifiers, in canonical order.
    pub qualifiers: Vec<Element>,
    /// AI data attributes of the query string, in the order given (empty when the query was
    /// not read).
    pub attributes: Vec<Element>,
    /// Query parameters that are not AIs (`linkType=...`), raw.
    pub other_parameters: Vec<(String, String)>,
}

impl DigitalLink {
    /// Parses a Digital Link strictly ([`DigitalLinkOptions::STRICT`]); an http(s) URI
    /// without a GS1 primary key is an error too.
    pub fn parse(uri: &str) -> Result<Self, Gs1Error> {
        Self::try_parse(uri, DigitalLinkOptions::STRICT)?.ok_or_else(|| {
            Gs1Error::syntax_hint(
                uri,
                "path",
                "no GS1 primary key in the path",
                "a Digital Link path holds `/AI/value` pairs such as `/01/09506000134352`",
            )
        })
    }

    /// Reads `uri` as a Digital Link: `Ok(None)` when it is not an http(s) URI or its path
    /// holds no primary key followed by key/value pairs; `Err` when it has one but a value is
    /// malformed.
    pub fn try_parse(uri: &str, options: DigitalLinkOptions) -> Result<Option<Self>, Gs1Error> {
        let (scheme, rest) = if starts_with_ci(uri, "https://") {
            ("https", &uri[8..])
        } else if starts_with_ci(uri, "http://") {
            ("http", &uri[7..])
        } else {
            return Ok(None);
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let (before_query, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (rest, None),
        };
        let (authority, path) = match before_query.find('/') {
            Some(index) => (&before_query[..index], &before_query[index..]),
            None => (before_query, ""),
        };
        let mut segments: Vec<&str> = path.split('/').skip(1).collect();
        if segments.last() == Some(&"") {
            segments.pop();
        }
        let mut first_error = None;
        for start in 0..segments.len() {
            let Some(definition) = lookup_code_or_short_name(segments[start]) else {
                continue;
            };
            if definition.role != Role::PrimaryKey
                || !looks_like_key(definition, segments.get(start + 1))
            {
                continue;
            }
            if !(segments.len() - start).is_multiple_of(2) {
                first_error.get_or_insert_with(|| {
                    Gs1Error::syntax(
                        uri,
                        format!("path segment {}", segments.len()),
                        "the path after the primary key must be key-qualifier/value pairs; the last has no value",
                    )
                });
                continue;
            }
            match parse_pairs(uri, &segments, start, definition, options) {
                Ok((primary, qualifiers)) => {
                    let (attributes, other_parameters) = match query {
                        Some(query) if options.validate_query => parse_query(uri, query)?,
                        Some(query) if !query.is_empty() => (Vec::new(), raw_parameters(query)),
                        _ => (Vec::new(), Vec::new()),
                    };
                    let path_prefix: String =
                        segments[..start].iter().map(|s| format!("/{s}")).collect();
                    return Ok(Some(DigitalLink {
                        scheme: scheme.to_owned(),
                        authority: authority.to_owned(),
                        path_prefix,
                        primary,
                        qualifiers,
                        attributes,
                        other_parameters,
                    }));
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok(None),
        }
    }

    /// The canonical GS1 Digital Link: `https://id.gs1.org`, numeric AIs, every key
    /// qualifier, and the AI data attributes as query string (in the order given).
    pub fn to_canonical_uri(&self) -> String {
        let mut out = self.path_on(
            CANONICAL_DOMAIN,
            &self.qualifiers.iter().collect::<Vec<_>>(),
        );
        for (index, attribute) in self.attributes.iter().enumerate() {
            out.push(if index == 0 { '?' } else { '&' });
            out.push_str(&attribute.ai);
            out.push('=');
            out.push_str(&dl_encode(&attribute.value));
        }
        out
    }

    /// The constrained canonical Digital Link of CBV 2.0 §8.9 (EPCIS event hash):
    /// `https://id.gs1.org`, the primary key and only the finest level of identification:
    /// for a GTIN or ITIP the serial (21) if present, else the TPX (235), else the lot (10);
    /// CPV (22) and the query string are dropped; (254), (8011), (8019) are kept.
    pub fn to_constrained_canonical(&self) -> String {
        constrained_canonical(&self.primary, &self.qualifiers)
    }

    fn path_on(&self, domain: &str, qualifiers: &[&Element]) -> String {
        let mut out = String::with_capacity(64);
        out.push_str(domain);
        for element in std::iter::once(&self.primary).chain(qualifiers.iter().copied()) {
            push_pair(&mut out, element);
        }
        out
    }

    /// The Digital Link on another domain (`https://example.com`, no trailing slash), with
    /// numeric AIs, every qualifier and the AI attributes.
    pub fn to_uri_on(&self, domain: &str) -> String {
        let canonical = self.to_canonical_uri();
        format!("{domain}{}", &canonical[CANONICAL_DOMAIN.len()..])
    }

    /// The element string: primary key, qualifiers, attributes.
    pub fn to_element_string(&self) -> ElementString {
        let mut elements = vec![self.primary.clone()];
        elements.extend(self.qualifiers.iter().cloned());
        elements.extend(self.attributes.iter().cloned());
        ElementString { elements }
    }

    /// The Digital Link of an element string, on [`CANONICAL_DOMAIN`]: its first primary key,
    /// that key's qualifiers in canonical order, every other AI as a data attribute.
    pub fn from_element_string(elements: &ElementString) -> Result<Self, Gs1Error> {
        let identifier = || elements.to_bracketed();
        let primary = elements
            .elements
            .iter()
            .find(|e| is_primary_key(&e.ai))
            .ok_or_else(|| {
                Gs1Error::ai(
                    &identifier(),
                    "primary key",
                    "no GS1 primary key (01, 00, 414, 8006, ...)",
                )
            })?;
        let allowed = qualifiers_of(&primary.ai);
        let mut qualifiers: Vec<Element> = elements
            .elements
            .iter()
            .filter(|e| allowed.contains(&e.ai.as_str()))
            .cloned()
            .collect();
        qualifiers.sort_by_key(|e| allowed.iter().position(|a| *a == e.ai));
        qualifiers.dedup();
        if let Some(exclusive) = qualifiers.iter().find(|q| is_exclusive_qualifier(&q.ai))
            && qualifiers.len() > 1
        {
            return Err(Gs1Error::ai(
                &identifier(),
                format!("AI ({})", exclusive.ai),
                format!(
                    "AI ({}) cannot be combined with other key qualifiers in a Digital Link",
                    exclusive.ai
                ),
            ));
        }
        let mut attributes: Vec<Element> = Vec::new();
        for element in &elements.elements {
            let is_qualifier = allowed.contains(&element.ai.as_str());
            if std::ptr::eq(element, primary) || is_qualifier || attributes.contains(element) {
                continue;
            }
            attributes.push(element.clone());
        }
        let link = DigitalLink {
            scheme: "https".to_owned(),
            authority: "id.gs1.org".to_owned(),
            path_prefix: String::new(),
            primary: primary.clone(),
            qualifiers,
            attributes,
            other_parameters: Vec::new(),
        };
        // Validate by reading back what is written.
        DigitalLink::parse(&link.to_canonical_uri()).map_err(|e| e.within(&identifier()))
    }
}

/// Whether the path segment after an AI looks like that key's value, so that an ordinary
/// URL that happens to hold `/01/` or `/party/` (`http://www.w3.org/2000/01/rdf-schema#`)
/// is not taken for a malformed Digital Link: every GS1 key starts with at least 4 digits
/// (a GS1 prefix or company prefix), and the all-numeric keys are digits only.
fn looks_like_key(definition: &AiDefinition, value: Option<&&str>) -> bool {
    let Some(value) = value else { return false };
    let leading_digits = value.bytes().take_while(u8::is_ascii_digit).count();
    let all_numeric = definition
        .components
        .iter()
        .all(|c| c.charset == crate::charset::Charset::Numeric);
    leading_digits >= 4 && (!all_numeric || leading_digits == value.len())
}

fn push_pair(out: &mut String, element: &Element) {
    out.push('/');
    out.push_str(&element.ai);
    out.push('/');
    push_dl_encoded(out, &element.value);
}

/// The constrained canonical Digital Link of a primary key and its qualifiers (in canonical
/// order, already valid): see [`DigitalLink::to_constrained_canonical`].
pub(crate) fn constrained_canonical(primary: &Element, qualifiers: &[Element]) -> String {
    let has = |ai: &str| qualifiers.iter().any(|q| q.ai == ai);
    let fine = has("21") || has("235");
    let mut out = String::with_capacity(64);
    out.push_str(CANONICAL_DOMAIN);
    push_pair(&mut out, primary);
    for qualifier in qualifiers {
        let keep = match qualifier.ai.as_str() {
            "22" => false,
            "10" => !fine,
            _ => true,
        };
        if keep {
            push_pair(&mut out, qualifier);
        }
    }
    out
}

/// Reads the primary key at `segments[start]` and the qualifier pairs after it.
fn parse_pairs(
    uri: &str,
    segments: &[&str],
    start: usize,
    definition: &'static AiDefinition,
    options: DigitalLinkOptions,
) -> Result<(Element, Vec<Element>), Gs1Error> {
    let primary_part = format!("path segment {}", start + 2);
    let mut value = percent_decode(uri, &primary_part, segments[start + 1])?;
    if definition.code == "01"
        && matches!(value.len(), 8 | 12 | 13)
        && value.bytes().all(|b| b.is_ascii_digit())
    {
        value = format!("{value:0>14}");
    }
    definition
        .validate_with(uri, &value, options.verify_check_digits)
        .map_err(|e| e.in_part(&primary_part))?;
    let primary = Element {
        ai: definition.code.to_owned(),
        value,
    };
    let allowed = qualifiers_of(definition.code);
    let mut qualifiers: Vec<Element> = Vec::new();
    let mut last_position: Option<usize> = None;
    for pair in segments[start + 2..].chunks(2) {
        let index = start + 2 + qualifiers.len() * 2;
        let part = format!("path segment {}", index + 1);
        let qualifier = lookup_code_or_short_name(pair[0]).ok_or_else(|| {
            Gs1Error::ai(
                uri,
                &part,
                format!("`{}` is not an AI or Digital Link short name", pair[0]),
            )
        })?;
        let Some(position) = allowed.iter().position(|a| *a == qualifier.code) else {
            return Err(Gs1Error::ai(
                uri,
                &part,
                format!(
                    "AI ({}) is not a key qualifier of AI ({}){}",
                    qualifier.code,
                    definition.code,
                    if allowed.is_empty() {
                        String::new()
                    } else {
                        format!("; allowed: ({})", allowed.join("), ("))
                    }
                ),
            ));
        };
        if last_position.is_some_and(|last| last >= position) {
            return Err(Gs1Error::syntax_hint(
                uri,
                &part,
                format!("key qualifier AI ({}) is out of order", qualifier.code),
                format!(
                    "the order after AI ({}) is ({})",
                    definition.code,
                    allowed.join("), (")
                ),
            ));
        }
        if is_exclusive_qualifier(qualifier.code) && !qualifiers.is_empty() {
            return Err(Gs1Error::ai(
                uri,
                &part,
                format!("AI ({}) cannot follow other key qualifiers", qualifier.code),
            ));
        }
        last_position = Some(position);
        let value_part = format!("path segment {}", index + 2);
        let value = percent_decode(uri, &value_part, pair[1])?;
        qualifier
            .validate_with(uri, &value, options.verify_check_digits)
            .map_err(|e| e.in_part(&value_part))?;
        qualifiers.push(Element {
            ai: qualifier.code.to_owned(),
            value,
        });
    }
    Ok((primary, qualifiers))
}

fn raw_parameters(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (p.to_owned(), String::new()),
        })
        .collect()
}

type Query = (Vec<Element>, Vec<(String, String)>);

fn parse_query(uri: &str, query: &str) -> Result<Query, Gs1Error> {
    let mut attributes: Vec<Element> = Vec::new();
    let mut others = Vec::new();
    for (key, raw) in raw_parameters(query) {
        if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
            let part = format!("query parameter `{key}`");
            let definition = lookup(&key)
                .ok_or_else(|| Gs1Error::ai(uri, &part, "unknown Application Identifier"))?;
            let value = percent_decode(uri, &part, &raw)?;
            definition
                .validate(uri, &value)
                .map_err(|e| e.in_part("query"))?;
            if let Some(existing) = attributes.iter().find(|a| a.ai == key)
                && existing.value != value
            {
                return Err(Gs1Error::ai(
                    uri,
                    &part,
                    "appears twice with different values",
                ));
            }
            attributes.push(Element { ai: key, value });
        } else {
            others.push((key, raw));
        }
    }
    Ok((attributes, others))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first unexpected value"
)]
mod tests {
    use super::*;

    #[test]
    fn qualifier_alternatives() {
        let link = DigitalLink::parse("https://example.com/414/4012345000054/7040/1AB2").unwrap();
        assert_eq!(
            link.to_constrained_canonical(),
            "https://id.gs1.org/414/4012345000054/7040/1AB2"
        );
        assert!(
            DigitalLink::parse("https://example.com/414/4012345000054/254/X/7040/1AB2").is_err()
        );
        assert!(DigitalLink::parse("https://example.com/01/09506000134352/10/L/235/T").is_err());
        let link =
            DigitalLink::parse("https://example.com/8017/401234500000000074/8019/12").unwrap();
        assert_eq!(
            link.to_constrained_canonical(),
            "https://id.gs1.org/8017/401234500000000074/8019/12"
        );
        assert!(DigitalLink::parse("https://example.com/8013/1987654Ad4X4bL5ttr2310c2K").is_ok());
    }

    #[test]
    fn parse_forms() {
        let link = DigitalLink::parse(
            "https://example.com/shop/01/09506000134352/10/LOT/21/SER?17=261231&linkType=gs1:pip",
        )
        .unwrap();
        assert_eq!(link.path_prefix, "/shop");
        assert_eq!(link.qualifiers.len(), 2);
        assert_eq!(link.attributes[0].value, "261231");
        assert_eq!(link.other_parameters.len(), 1);
        assert_eq!(
            link.to_canonical_uri(),
            "https://id.gs1.org/01/09506000134352/10/LOT/21/SER?17=261231"
        );
        assert_eq!(
            link.to_constrained_canonical(),
            "https://id.gs1.org/01/09506000134352/21/SER"
        );
        assert!(DigitalLink::parse("https://example.com/01/09506000134352?17=261331").is_err());
        assert!(DigitalLink::parse("https://example.com/01/09506000134352/21/A/10/B").is_err());
        assert!(DigitalLink::parse("https://example.com/01/09506000134353").is_err());
        assert!(
            DigitalLink::try_parse(
                "https://example.com/01/09506000134353",
                DigitalLinkOptions::EVENT_HASH
            )
            .unwrap()
            .is_some()
        );
        assert!(
            DigitalLink::try_parse("https://example.com/about", DigitalLinkOptions::STRICT)
                .unwrap()
                .is_none()
        );
        assert!(
            DigitalLink::try_parse("mailto:x@example.com", DigitalLinkOptions::STRICT)
                .unwrap()
                .is_none()
        );
    }
}
