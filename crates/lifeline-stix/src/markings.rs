//! TLP marking definitions: which marking-definition ids stand for which TLP level, the
//! check that a bundle's copy of an official definition is the official one, and an
//! object's effective TLP (the most restrictive TLP marking it carries).
//!
//! TLP 2.0 (FIRST, 2022) is carried in STIX 2.1 by the OASIS CTI TC's `tlp-2.0`
//! extension and its five marking definitions (`lifeline_share::tlp`). The four TLP 1.0
//! marking definitions that the STIX 2.1 specification itself defines (section 7.2.1.4,
//! `definition_type: "tlp"`; their ids are also those the OASIS interoperability profile
//! allows, `shared/fixtures/stix/interop/core.json`) are read as their TLP 2.0
//! successors: WHITE as CLEAR, GREEN, AMBER and RED as themselves.

use lifeline_share::tlp::{TLP2_EXTENSION, Tlp};
use serde_json::Value;

/// The STIX 2.1 TLP 1.0 marking definitions: (id, level, `definition.tlp`, `name`).
pub const TLP1: [(&str, Tlp, &str, &str); 4] = [
    (
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        Tlp::Clear,
        "white",
        "TLP:WHITE",
    ),
    (
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        Tlp::Green,
        "green",
        "TLP:GREEN",
    ),
    (
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        Tlp::Amber,
        "amber",
        "TLP:AMBER",
    ),
    (
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        Tlp::Red,
        "red",
        "TLP:RED",
    ),
];

/// The TLP level an official marking-definition id (TLP 2.0 or TLP 1.0) stands for.
pub fn tlp_of_marking(id: &str) -> Option<Tlp> {
    Tlp::from_marking_definition_id(id).or_else(|| {
        TLP1.iter()
            .find(|(tlp1, ..)| *tlp1 == id)
            .map(|(_, tlp, ..)| *tlp)
    })
}

/// Checks a `marking-definition` object that claims to be a TLP marking.
///
/// - An official TLP 2.0 id must carry exactly the official object
///   ([`Tlp::marking_definition`]): any other property, name or `tlp_2_0` value is a
///   forgery.
/// - An official TLP 1.0 id must say `definition_type: "tlp"`, its own `name` and its own
///   `definition.tlp`.
/// - Any other id may not carry the TLP 2.0 extension, a `tlp` definition, or a name
///   starting `TLP:`: a TLP marking is one of the official ones or none.
///
/// Returns the level for an official definition, `None` for a marking that is not TLP,
/// and why a forged one is refused.
pub fn check_definition(object: &Value) -> Result<Option<Tlp>, String> {
    let id = object.get("id").and_then(Value::as_str).unwrap_or_default();
    if let Some(tlp) = Tlp::from_marking_definition_id(id) {
        let official = tlp.marking_definition();
        if *object == official {
            return Ok(Some(tlp));
        }
        return Err(format!(
            "{id} is the official {} marking definition, but this copy differs from the one the \
             OASIS CTI TC publishes ({}); refusing a forged TLP marking",
            tlp.label(),
            differences(object, &official)
        ));
    }
    if let Some((_, tlp, level, name)) = TLP1.iter().find(|(tlp1, ..)| *tlp1 == id) {
        let definition_type = object.get("definition_type").and_then(Value::as_str);
        let defined = object
            .get("definition")
            .and_then(|d| d.get("tlp"))
            .and_then(Value::as_str);
        let named = object.get("name").and_then(Value::as_str);
        if definition_type == Some("tlp")
            && defined == Some(level)
            && named.is_none_or(|n| n == *name)
        {
            return Ok(Some(*tlp));
        }
        return Err(format!(
            "{id} is the STIX 2.1 {name} marking definition, but this copy does not say \
             definition_type `tlp`, definition.tlp `{level}` and name `{name}`; refusing a forged \
             TLP marking"
        ));
    }
    let extension = object
        .get("extensions")
        .and_then(|e| e.get(TLP2_EXTENSION))
        .is_some();
    let tlp1 = object.get("definition_type").and_then(Value::as_str) == Some("tlp");
    let named = object
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| n.trim().to_ascii_uppercase().starts_with("TLP:"));
    if extension || tlp1 || named {
        return Err(format!(
            "{} claims to be a TLP marking but is not one of the official TLP marking \
             definitions; refusing a forged TLP marking",
            lifeline_text::excerpt(id)
        ));
    }
    Ok(None)
}

/// The top-level properties in which a copy differs from the official object.
fn differences(copy: &Value, official: &Value) -> String {
    let mut keys: Vec<String> = Vec::new();
    if let (Some(copy), Some(official)) = (copy.as_object(), official.as_object()) {
        for (key, value) in official {
            if copy.get(key) != Some(value) {
                keys.push(key.clone());
            }
        }
        for key in copy.keys() {
            if !official.contains_key(key) {
                keys.push(key.clone());
            }
        }
    }
    if keys.is_empty() {
        "it is not an object".to_owned()
    } else {
        let keys: Vec<String> = keys
            .iter()
            .map(|k| format!("`{}`", lifeline_text::excerpt(k)))
            .collect();
        format!("differs in {}", keys.join(", "))
    }
}

/// Every marking an object refers to: its `object_marking_refs` and each granular
/// marking's `marking_ref`.
pub fn marking_refs(object: &Value) -> Vec<&str> {
    let mut refs: Vec<&str> = object
        .get("object_marking_refs")
        .and_then(Value::as_array)
        .map(|refs| refs.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(granular) = object.get("granular_markings").and_then(Value::as_array) {
        refs.extend(
            granular
                .iter()
                .filter_map(|g| g.get("marking_ref").and_then(Value::as_str)),
        );
    }
    refs
}

/// The object's effective TLP: the most restrictive TLP marking among those it refers to
/// (object and granular markings alike: a part of the object marked RED makes sharing the
/// object a RED decision); `None` when it carries no TLP marking.
pub fn effective_tlp(object: &Value) -> Option<Tlp> {
    marking_refs(object)
        .into_iter()
        .filter_map(tlp_of_marking)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn official_definitions_pass_and_forgeries_do_not() {
        for tlp in Tlp::ALL {
            assert_eq!(check_definition(&tlp.marking_definition()), Ok(Some(tlp)));
            let mut forged = tlp.marking_definition();
            forged["extensions"][TLP2_EXTENSION]["tlp_2_0"] = json!("clear");
            if tlp != Tlp::Clear {
                assert!(check_definition(&forged).is_err(), "{tlp}");
            }
            let mut renamed = tlp.marking_definition();
            renamed["name"] = json!("TLP:CLEAR-ish");
            assert!(check_definition(&renamed).is_err(), "{tlp}");
            let mut extra = tlp.marking_definition();
            extra["created_by_ref"] = json!("identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01");
            let message = check_definition(&extra).expect_err("an added property");
            assert!(message.contains("`created_by_ref`"), "{message}");
        }
    }

    #[test]
    fn a_tlp_marking_under_another_id_is_refused() {
        let mut copy = Tlp::Green.marking_definition();
        copy["id"] = json!("marking-definition--11111111-2222-4333-8444-555555555555");
        assert!(check_definition(&copy).is_err());
        let statement = json!({
            "type": "marking-definition", "spec_version": "2.1",
            "id": "marking-definition--11111111-2222-4333-8444-555555555555",
            "created": "2026-01-01T00:00:00.000Z", "definition_type": "statement",
            "definition": {"statement": "Copyright 2026 Example"}
        });
        assert_eq!(check_definition(&statement), Ok(None));
    }

    #[test]
    fn tlp1_definitions_map_to_tlp2_levels() {
        let white = json!({
            "type": "marking-definition", "spec_version": "2.1", "id": TLP1[0].0,
            "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp",
            "name": "TLP:WHITE", "definition": {"tlp": "white"}
        });
        assert_eq!(check_definition(&white), Ok(Some(Tlp::Clear)));
        let mut forged = white.clone();
        forged["definition"]["tlp"] = json!("red");
        assert!(check_definition(&forged).is_err());
    }

    #[test]
    fn the_most_restrictive_marking_wins() {
        let object = json!({
            "object_marking_refs": [Tlp::Green.marking_definition_id(), "marking-definition--11111111-2222-4333-8444-555555555555"],
            "granular_markings": [{"marking_ref": Tlp::Red.marking_definition_id(), "selectors": ["description"]}]
        });
        assert_eq!(effective_tlp(&object), Some(Tlp::Red));
        assert_eq!(
            effective_tlp(&json!({"object_marking_refs": [TLP1[2].0]})),
            Some(Tlp::Amber)
        );
        assert_eq!(effective_tlp(&json!({})), None);
    }
}
