//! The facts of one event that the repository indexes and the rules reason about, with
//! identifiers in one canonical form (GS1 Digital Link on `id.gs1.org`) so that an EPC
//! written as a URN in one file and as a Digital Link in another is the same product.

use serde::{Deserialize, Serialize};

use crate::model::{DocumentHeader, Element, Event, EventType};
use crate::time::{Timestamp, parse_date_days};

/// Canonical form of an identifier: the GS1 Digital Link when it is a GS1 key, else as written.
pub fn canonical_id(value: &str) -> String {
    match crate::identifiers::canonical(value.trim()) {
        Ok(Some(link)) => link,
        _ => value.trim().to_owned(),
    }
}

/// The 13-digit GLN inside a location or party identifier (SGLN, PGLN, or their Digital
/// Links `414/…`, `417/…`), without any extension.
pub fn gln_of(canonical: &str) -> Option<String> {
    let rest = canonical
        .strip_prefix("https://id.gs1.org/414/")
        .or_else(|| canonical.strip_prefix("https://id.gs1.org/417/"))?;
    let gln: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (gln.len() == 13).then_some(gln)
}

/// The GTIN-14 of a product identifier or class in canonical form (an SGTIN or LGTIN as
/// the Digital Link `https://id.gs1.org/01/…`); `None` for an SSCC or any other key.
pub fn gtin_of(canonical: &str) -> Option<String> {
    let rest = canonical.strip_prefix("https://id.gs1.org/01/")?;
    let gtin: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (gtin.len() == 14).then_some(gtin)
}

/// The last word of a CBV vocabulary URI or URN (`…BizStep-shipping` → `shipping`); other
/// values as written.
pub fn cbv_term(value: &str) -> String {
    const PREFIXES: [&str; 8] = [
        "https://ref.gs1.org/cbv/BizStep-",
        "https://ref.gs1.org/cbv/Disp-",
        "https://ref.gs1.org/cbv/BTT-",
        "https://ref.gs1.org/cbv/SDT-",
        "urn:epcglobal:cbv:bizstep:",
        "urn:epcglobal:cbv:disp:",
        "urn:epcglobal:cbv:btt:",
        "urn:epcglobal:cbv:sdt:",
    ];
    for prefix in PREFIXES {
        if let Some(term) = value.strip_prefix(prefix) {
            return term.to_owned();
        }
    }
    value.to_owned()
}

/// How an EPC takes part in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// `epcList`.
    Epc,
    /// `parentID`.
    Parent,
    /// `childEPCs`.
    Child,
    /// `inputEPCList`.
    Input,
    /// `outputEPCList`.
    Output,
}

impl Role {
    /// The name stored in the repository.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Epc => "epc",
            Role::Parent => "parent",
            Role::Child => "child",
            Role::Input => "input",
            Role::Output => "output",
        }
    }
}

/// A source or destination: its CBV type term (`owning_party`, `location`) and identifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// `owning_party`, `possessing_party`, `location` or a custom URI.
    pub kind: String,
    /// Canonical identifier.
    pub id: String,
}

/// What the repository and the rules know of one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFacts {
    /// CBV 2.0 Event Hash ID.
    pub hash: String,
    /// Declared `eventID`, if any.
    pub event_id: Option<String>,
    /// Event type.
    pub event_type: String,
    /// `eventTime` in UTC milliseconds (0 when missing or unreadable).
    pub time: i64,
    /// `ADD`, `OBSERVE`, `DELETE` (empty for TransformationEvent).
    pub action: String,
    /// CBV term of `bizStep` (`shipping`), or the custom URI.
    pub biz_step: String,
    /// CBV term of `disposition`.
    pub disposition: String,
    /// Persistent dispositions set by this event (CBV terms).
    pub persistent_set: Vec<String>,
    /// Persistent dispositions unset by this event (CBV terms).
    pub persistent_unset: Vec<String>,
    /// Canonical `readPoint` id.
    pub read_point: Option<String>,
    /// Canonical `bizLocation` id.
    pub biz_location: Option<String>,
    /// Instance-level identifiers with their role.
    pub epcs: Vec<(String, Role)>,
    /// Class-level identifiers of the quantity lists.
    pub classes: Vec<String>,
    /// `sourceList`.
    pub sources: Vec<Party>,
    /// `destinationList`.
    pub destinations: Vec<Party>,
    /// `bizTransactionList` values.
    pub biz_transactions: Vec<String>,
    /// ILMD lot number.
    pub lot: Option<String>,
    /// ILMD expiry date (`itemExpirationDate`), days since 1970-01-01.
    pub expiry_days: Option<i64>,
    /// ILMD expiry date as written.
    pub expiry: Option<String>,
    /// Whether the event carries an `errorDeclaration` (it retracts the event of equal hash).
    pub error_declaration: bool,
}

/// `{namespace}local` or `prefix:local` (a CURIE whose prefix the document did not declare,
/// such as `cbvmda:` of the standard context) → `local`.
fn local_name(name: &str) -> &str {
    name.rsplit_once('}')
        .or_else(|| name.rsplit_once(':'))
        .map_or(name, |(_, local)| local)
}

fn find_ilmd<'a>(elements: &'a [Element], local: &str) -> Option<&'a str> {
    for element in elements {
        if local_name(&element.name) == local && !element.text.is_empty() {
            return Some(&element.text);
        }
        if let Some(found) = find_ilmd(&element.children, local) {
            return Some(found);
        }
    }
    None
}

impl EventFacts {
    /// Extracts the facts of `event`, whose Event Hash ID is `hash`.
    pub fn of(event: &Event, hash: String) -> EventFacts {
        let text = |name: &str| event.text(name).unwrap_or_default().to_owned();
        let mut epcs = Vec::new();
        for (list, role) in [
            ("epcList", Role::Epc),
            ("childEPCs", Role::Child),
            ("inputEPCList", Role::Input),
            ("outputEPCList", Role::Output),
        ] {
            for field in event.fields.iter().filter(|f| f.name == list) {
                for epc in field.children_named("epc") {
                    if !epc.text.is_empty() {
                        epcs.push((canonical_id(&epc.text), role));
                    }
                }
            }
        }
        if let Some(parent) = event.text("parentID") {
            epcs.push((canonical_id(parent), Role::Parent));
        }
        let mut classes = Vec::new();
        for field in event
            .fields
            .iter()
            .filter(|f| f.name.ends_with("uantityList"))
        {
            for element in field.children_named("quantityElement") {
                if let Some(class) = element.child_text("epcClass") {
                    classes.push(canonical_id(class));
                }
            }
        }
        let parties = |list: &str, item: &str| -> Vec<Party> {
            event
                .fields
                .iter()
                .filter(|f| f.name == list)
                .flat_map(|f| f.children_named(item))
                .filter(|p| !p.text.is_empty())
                .map(|p| Party {
                    kind: cbv_term(p.child_text("type").unwrap_or_default()),
                    id: canonical_id(&p.text),
                })
                .collect()
        };
        let persistent = |op: &str| -> Vec<String> {
            event
                .field("persistentDisposition")
                .map(|p| p.children_named(op).map(|c| cbv_term(&c.text)).collect())
                .unwrap_or_default()
        };
        let location = |name: &str| {
            event
                .field(name)
                .and_then(|f| f.child_text("id"))
                .map(canonical_id)
        };
        let ilmd = event
            .field("ilmd")
            .map(|i| i.children.as_slice())
            .unwrap_or_default();
        let expiry = find_ilmd(ilmd, "itemExpirationDate")
            .or_else(|| find_ilmd(ilmd, "expirationDate"))
            .map(str::to_owned);
        EventFacts {
            hash,
            event_id: event.event_id().map(str::to_owned),
            event_type: event.event_type.as_str().to_owned(),
            time: event
                .text("eventTime")
                .and_then(Timestamp::parse)
                .map_or(0, Timestamp::millis),
            action: text("action"),
            biz_step: cbv_term(&text("bizStep")),
            disposition: cbv_term(&text("disposition")),
            persistent_set: persistent("set"),
            persistent_unset: persistent("unset"),
            read_point: location("readPoint"),
            biz_location: location("bizLocation"),
            epcs,
            classes,
            sources: parties("sourceList", "source"),
            destinations: parties("destinationList", "destination"),
            biz_transactions: event
                .fields
                .iter()
                .filter(|f| f.name == "bizTransactionList")
                .flat_map(|f| f.children_named("bizTransaction"))
                .map(|b| b.text.clone())
                .collect(),
            lot: find_ilmd(ilmd, "lotNumber").map(str::to_owned),
            expiry_days: expiry.as_deref().and_then(parse_date_days),
            expiry,
            error_declaration: event.field("errorDeclaration").is_some(),
        }
    }

    /// Whether this is an AggregationEvent.
    pub fn is_aggregation(&self) -> bool {
        self.event_type == EventType::AggregationEvent.as_str()
    }
}

/// Convenience: facts of every event of an in-memory document.
pub fn facts_of(header: &DocumentHeader, events: &[Event]) -> Vec<EventFacts> {
    let config = crate::hash::HashConfig::default();
    events
        .iter()
        .map(|e| EventFacts::of(e, crate::hash::event_hash(e, header, config)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ilmd_under_an_undeclared_standard_prefix() {
        let document = r#"{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument", "epcisBody": {"eventList": [{"type": "ObjectEvent",
            "eventTime": "2023-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
            "epcList": ["urn:epc:id:sgtin:030001.0012345.1"], "bizStep": "commissioning",
            "ilmd": {"cbvmda:lotNumber": "L1", "cbvmda:itemExpirationDate": "2025-03-27"}}]}}"#;
        let (header, events) = crate::read_all(document.as_bytes()).expect("read");
        let facts = facts_of(&header, &events);
        assert_eq!(facts[0].lot.as_deref(), Some("L1"));
        assert_eq!(facts[0].expiry.as_deref(), Some("2025-03-27"));
        assert_eq!(facts[0].biz_step, "commissioning");
    }

    #[test]
    fn gtins_and_glns_of_canonical_identifiers() {
        let sgtin = canonical_id("urn:epc:id:sgtin:0614141.020001.1001");
        assert_eq!(gtin_of(&sgtin).as_deref(), Some("00614141200016"));
        let lgtin = canonical_id("urn:epc:class:lgtin:0614141.020001.L1");
        assert_eq!(gtin_of(&lgtin).as_deref(), Some("00614141200016"));
        assert_eq!(
            gtin_of(&canonical_id("urn:epc:id:sscc:0614141.1234567890")),
            None
        );
        let sgln = canonical_id("urn:epc:id:sgln:0614141.00006.0");
        assert_eq!(gln_of(&sgln).as_deref(), Some("0614141000067"));
        assert_eq!(gln_of(&sgtin), None);
    }
}
