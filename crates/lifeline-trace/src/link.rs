//! Traceability findings joined to a network (`lifeline-network/1`): the item whose GTIN a
//! finding's product carries, and the nodes, sites and platforms whose GLN is a location or
//! a party of the finding's events. Every front end that shows findings beside a network
//! asks this module, so that they all name the same entities.

use lifeline_network::ValidatedNetwork;
use serde::Serialize;

use crate::TraceError;
use crate::facts::{EventFacts, gln_of, gtin_of};
use crate::repository::Repository;
use crate::rules::Finding;

/// A finding with what a network says about it. Serialised as the finding's own fields,
/// then `item` and `entities` when a network was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkedFinding<'a> {
    /// The finding.
    #[serde(flatten)]
    pub finding: &'a Finding,
    /// The network item whose GTIN the product carries (with a network).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The network entities whose GLN is a location or party of the finding's events, in
    /// event order, each once (with a network; empty when none matches).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<String>>,
}

impl<'a> LinkedFinding<'a> {
    /// A finding without a network: nothing to add.
    pub fn unlinked(finding: &'a Finding) -> Self {
        LinkedFinding {
            finding,
            item: None,
            entities: None,
        }
    }
}

/// The item and the entities behind `finding`, its events looked up in `repository` by
/// hash (an event no longer stored adds nothing). Without a network, the finding alone.
pub fn link_finding<'a>(
    finding: &'a Finding,
    repository: &Repository,
    network: Option<&ValidatedNetwork>,
) -> Result<LinkedFinding<'a>, TraceError> {
    let Some(network) = network else {
        return Ok(LinkedFinding::unlinked(finding));
    };
    let mut events = Vec::with_capacity(finding.events.len());
    for hash in &finding.events {
        if let Some(event) = repository.get(hash)? {
            events.push(event.facts);
        }
    }
    Ok(link_events(finding, &events, network))
}

/// As [`link_finding`], with the finding's events given (in the finding's order).
pub fn link_events<'a>(
    finding: &'a Finding,
    events: &[EventFacts],
    network: &ValidatedNetwork,
) -> LinkedFinding<'a> {
    let item = gtin_of(&finding.epc)
        .and_then(|gtin| network.item_by_gtin(&gtin))
        .map(|item| item.id.clone());
    let mut entities: Vec<String> = Vec::new();
    for facts in events {
        let places = facts
            .read_point
            .iter()
            .chain(&facts.biz_location)
            .chain(facts.sources.iter().map(|p| &p.id))
            .chain(facts.destinations.iter().map(|p| &p.id));
        for gln in places.filter_map(|place| gln_of(place)) {
            for &(kind, ix) in network.entities_at_gln(&gln) {
                let id = network.entity_id(kind, ix);
                if !entities.iter().any(|e| e == id) {
                    entities.push(id.to_owned());
                }
            }
        }
    }
    LinkedFinding {
        finding,
        item,
        entities: Some(entities),
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::rules::{RuleId, Severity};

    fn example(relative: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(relative)
    }

    /// The example shipments in a repository, their findings, and the IV-fluids network.
    fn shipments() -> (Repository, Vec<Finding>, ValidatedNetwork) {
        let mut repository = Repository::in_memory().expect("repository");
        let document = std::fs::read(example("examples/trace/iv-fluids-shipments.jsonld"))
            .expect("example shipments");
        repository
            .ingest(document.as_slice(), "shipments")
            .expect("ingest");
        let findings = repository.check().expect("check");
        let network = lifeline_network::load(&example("examples/iv-fluids.json"))
            .expect("example network")
            .network;
        (repository, findings, network)
    }

    /// Each finding's rule, item and entities, linked through `network`.
    fn check(network: Option<&ValidatedNetwork>, expected: &[(&str, Option<&str>, Option<&str>)]) {
        let (repository, findings, _) = shipments();
        let mut got: Vec<(String, Option<String>, Option<String>)> = findings
            .iter()
            .map(|finding| {
                let linked = link_finding(finding, &repository, network).expect("link");
                assert_eq!(linked.finding, finding);
                (
                    finding.rule.as_str().to_owned(),
                    linked.item,
                    linked.entities.map(|e| e.join(" ")),
                )
            })
            .collect();
        got.sort();
        let mut expected: Vec<(String, Option<String>, Option<String>)> = expected
            .iter()
            .map(|(rule, item, entities)| {
                (
                    (*rule).to_owned(),
                    item.map(str::to_owned),
                    entities.map(str::to_owned),
                )
            })
            .collect();
        expected.sort();
        assert_eq!(got, expected);
    }

    #[test]
    fn findings_name_the_item_by_gtin_and_the_entities_by_gln() {
        let (_, _, network) = shipments();
        check(
            Some(&network),
            &[
                (
                    "duplicate-commission",
                    Some("ns-1l"),
                    Some("iv-plant-nc dist-metro"),
                ),
                (
                    "custody-break",
                    Some("ns-1l"),
                    Some("iv-plant-nc dist-south dist-metro"),
                ),
                (
                    "expired-shipped",
                    Some("svb-100ml"),
                    Some("iv-plant-nc dist-metro hosp-county"),
                ),
            ],
        );
        // Without a network, the findings alone.
        check(
            None,
            &[
                ("duplicate-commission", None, None),
                ("custody-break", None, None),
                ("expired-shipped", None, None),
            ],
        );
    }

    #[test]
    fn events_not_stored_and_products_not_in_the_network_add_nothing() {
        let (repository, findings, network) = shipments();
        let mut finding = findings[0].clone();
        finding.events = vec!["ni:///sha-256;00?ver=CBV2.0".to_owned()];
        let linked = link_finding(&finding, &repository, Some(&network)).expect("link");
        assert!(linked.item.is_some(), "the GTIN still names the item");
        assert_eq!(linked.entities, Some(Vec::new()));
        let stranger = Finding {
            epc: "https://id.gs1.org/01/09999999999994/21/1".to_owned(),
            rule: RuleId::NotCommissioned,
            severity: Severity::Warning,
            events: Vec::new(),
            message: String::new(),
        };
        let linked = link_events(&stranger, &[], &network);
        assert_eq!((linked.item, linked.entities), (None, Some(Vec::new())));
    }

    #[test]
    fn the_json_form_is_the_finding_then_the_links() {
        let (repository, findings, network) = shipments();
        let plain = serde_json::to_value(LinkedFinding::unlinked(&findings[0])).expect("json");
        assert_eq!(plain, serde_json::to_value(&findings[0]).expect("json"));
        let linked = link_finding(&findings[0], &repository, Some(&network)).expect("link");
        let json = serde_json::to_string(&linked).expect("json");
        let keys: Vec<&str> = [
            "\"epc\"",
            "\"rule\"",
            "\"message\"",
            "\"item\"",
            "\"entities\"",
        ]
        .into_iter()
        .filter(|key| json.contains(key))
        .collect();
        assert_eq!(keys.len(), 5, "{json}");
        assert!(json.find("\"message\"") < json.find("\"item\""), "{json}");
    }
}
