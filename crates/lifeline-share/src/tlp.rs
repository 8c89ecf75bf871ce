//! Traffic Light Protocol 2.0 (FIRST, 2022) and its official STIX 2.1 marking definitions
//! (the OASIS CTI TC's TLP 2.0 extension, `extension-definition--60a3c5c5-…`).
//!
//! TLP is enforced, not decorative: [`may_share`] is the one rule every front end asks
//! before anything marked leaves the organisation.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The STIX extension that defines the TLP 2.0 marking definitions.
pub const TLP2_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// A TLP 2.0 level, ordered from the least to the most restrictive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Tlp {
    #[serde(rename = "clear")]
    Clear,
    #[serde(rename = "green")]
    Green,
    #[serde(rename = "amber")]
    Amber,
    #[serde(rename = "amber+strict")]
    AmberStrict,
    #[serde(rename = "red")]
    Red,
}

impl Tlp {
    pub const ALL: [Tlp; 5] = [
        Tlp::Clear,
        Tlp::Green,
        Tlp::Amber,
        Tlp::AmberStrict,
        Tlp::Red,
    ];

    /// The value of the extension's `tlp_2_0` property: `clear`, `green`, `amber`,
    /// `amber+strict`, `red`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tlp::Clear => "clear",
            Tlp::Green => "green",
            Tlp::Amber => "amber",
            Tlp::AmberStrict => "amber+strict",
            Tlp::Red => "red",
        }
    }

    /// The label people read: `TLP:AMBER+STRICT` (also the marking definition's `name`).
    pub fn label(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }

    /// The official marking definition's id (`shared/fixtures/stix/tlp2/SOURCES.md`).
    pub fn marking_definition_id(self) -> &'static str {
        match self {
            Tlp::Clear => "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
            Tlp::Green => "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
            Tlp::Amber => "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
            Tlp::AmberStrict => "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
            Tlp::Red => "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        }
    }

    /// The level an official marking definition id stands for.
    pub fn from_marking_definition_id(id: &str) -> Option<Tlp> {
        Tlp::ALL
            .into_iter()
            .find(|t| t.marking_definition_id() == id)
    }

    /// The official marking-definition object, exactly as the OASIS CTI TC publishes it.
    pub fn marking_definition(self) -> serde_json::Value {
        serde_json::json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": self.marking_definition_id(),
            "created": "2022-10-01T00:00:00.000Z",
            "name": self.label(),
            "extensions": {
                TLP2_EXTENSION: {
                    "extension_type": "property-extension",
                    "tlp_2_0": self.as_str(),
                }
            }
        })
    }
}

impl fmt::Display for Tlp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A TLP level that is not one of the five.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{}` is not a TLP 2.0 level: use clear, green, amber, amber+strict or red",
    lifeline_text::excerpt(.0)
)]
pub struct UnknownTlp(pub String);

impl FromStr for Tlp {
    type Err = UnknownTlp;

    /// Reads `amber+strict`, `AMBER+STRICT`, `TLP:AMBER+STRICT` alike. TLP 1.0's `white`
    /// is read as `clear`, its 2.0 successor.
    fn from_str(s: &str) -> Result<Tlp, UnknownTlp> {
        let lower = s.trim().to_ascii_lowercase();
        let bare = lower.strip_prefix("tlp:").unwrap_or(&lower);
        Ok(match bare {
            "clear" | "white" => Tlp::Clear,
            "green" => Tlp::Green,
            "amber" => Tlp::Amber,
            "amber+strict" | "amber-strict" | "amber_strict" => Tlp::AmberStrict,
            "red" => Tlp::Red,
            _ => return Err(UnknownTlp(s.to_owned())),
        })
    }
}

/// Who something would go to, as [`may_share`] needs to know.
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    /// The recipient organisation's id.
    pub organisation: &'a str,
    /// The highest level it is cleared to receive.
    pub clearance: Tlp,
}

/// Why something may not go to a recipient.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("TLP:AMBER+STRICT never leaves {own}: it may not go to {recipient}")]
    AmberStrict { own: String, recipient: String },
    #[error("TLP:RED reaches named recipients only, and {recipient} is not named")]
    RedNotNamed { recipient: String },
    #[error("{recipient} is cleared for {clearance} only, below the marking {marking}")]
    BelowClearance {
        recipient: String,
        clearance: Tlp,
        marking: Tlp,
    },
}

/// Whether something marked `marking` may go from organisation `own` to `to`.
///
/// - Anything may stay inside `own`.
/// - AMBER+STRICT never leaves `own`.
/// - RED reaches only the organisations in `named` (the recipients named when it was
///   marked), and only if they are cleared for RED.
/// - Otherwise the recipient's clearance must be at least the marking.
pub fn may_share(
    marking: Tlp,
    own: &str,
    to: Recipient<'_>,
    named: &[&str],
) -> Result<(), Refusal> {
    if to.organisation == own {
        return Ok(());
    }
    match marking {
        Tlp::AmberStrict => Err(Refusal::AmberStrict {
            own: own.to_owned(),
            recipient: to.organisation.to_owned(),
        }),
        Tlp::Red if !named.contains(&to.organisation) => Err(Refusal::RedNotNamed {
            recipient: to.organisation.to_owned(),
        }),
        _ if to.clearance < marking => Err(Refusal::BelowClearance {
            recipient: to.organisation.to_owned(),
            clearance: to.clearance,
            marking,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to(org: &str, clearance: Tlp) -> Recipient<'_> {
        Recipient {
            organisation: org,
            clearance,
        }
    }

    #[test]
    fn levels_read_in_every_spelling_and_order_by_restriction() {
        for t in Tlp::ALL {
            assert_eq!(t.as_str().parse::<Tlp>(), Ok(t));
            assert_eq!(t.label().parse::<Tlp>(), Ok(t));
            assert_eq!(
                Tlp::from_marking_definition_id(t.marking_definition_id()),
                Some(t)
            );
        }
        assert_eq!("white".parse::<Tlp>(), Ok(Tlp::Clear));
        assert!("purple".parse::<Tlp>().is_err());
        assert!(
            Tlp::Clear < Tlp::Green && Tlp::Amber < Tlp::AmberStrict && Tlp::AmberStrict < Tlp::Red
        );
    }

    #[test]
    fn the_sharing_rule() {
        assert_eq!(
            may_share(Tlp::AmberStrict, "us", to("us", Tlp::Clear), &[]),
            Ok(())
        );
        assert!(matches!(
            may_share(Tlp::AmberStrict, "us", to("isac", Tlp::Red), &["isac"]),
            Err(Refusal::AmberStrict { .. })
        ));
        assert!(matches!(
            may_share(Tlp::Red, "us", to("isac", Tlp::Red), &[]),
            Err(Refusal::RedNotNamed { .. })
        ));
        assert_eq!(
            may_share(Tlp::Red, "us", to("isac", Tlp::Red), &["isac"]),
            Ok(())
        );
        assert!(matches!(
            may_share(Tlp::Red, "us", to("isac", Tlp::Amber), &["isac"]),
            Err(Refusal::BelowClearance { .. })
        ));
        assert!(matches!(
            may_share(Tlp::Amber, "us", to("h1", Tlp::Green), &[]),
            Err(Refusal::BelowClearance { .. })
        ));
        assert_eq!(
            may_share(Tlp::Green, "us", to("h1", Tlp::Green), &[]),
            Ok(())
        );
        assert_eq!(
            may_share(Tlp::Clear, "us", to("h1", Tlp::Clear), &[]),
            Ok(())
        );
    }

    #[test]
    fn marking_definitions_equal_the_official_objects() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tlp2");
        for t in Tlp::ALL {
            let path = format!("{dir}/tlp-{}.json", t.as_str());
            let text = std::fs::read_to_string(&path).expect("official bundle file");
            let bundle: serde_json::Value = serde_json::from_str(&text).expect("official bundle");
            assert_eq!(bundle["objects"][0], t.marking_definition(), "{path}");
        }
    }
}
