//! The partner directory, `lifeline-partners/1` (documented in `docs/partner-directory.md`):
//! who our partners are, how to reach them and in which order, which keys they sign with,
//! and what they are cleared to receive.
//!
//! These are the contract types; reading (with every problem named by path), validation
//! and export live beside them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Tlp;

/// The format tag a directory file carries.
pub const FORMAT: &str = "lifeline-partners/1";

/// A partner directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    /// Always [`FORMAT`].
    pub format: String,
    /// The id, among `organisations`, of the organisation that keeps this directory.
    pub organisation: String,
    #[serde(default)]
    pub defaults: Defaults,
    pub organisations: Vec<Organisation>,
}

/// Values that apply where an organisation or contact says nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// How long a contact has to acknowledge before the alert escalates.
    #[serde(default = "default_ack_window")]
    pub ack_window: Window,
    /// How long a signed alert stays valid.
    #[serde(default = "default_validity")]
    pub alert_validity: Window,
}

impl Default for Defaults {
    fn default() -> Defaults {
        Defaults {
            ack_window: default_ack_window(),
            alert_validity: default_validity(),
        }
    }
}

fn default_ack_window() -> Window {
    Window { seconds: 30 * 60 }
}

fn default_validity() -> Window {
    Window { seconds: 72 * 3600 }
}

/// A length of time written `45s`, `30m`, `4h` or `2d` (a whole number and a unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Window {
    pub seconds: u32,
}

impl Window {
    pub fn duration(self) -> time::Duration {
        time::Duration::seconds(i64::from(self.seconds))
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.seconds;
        if s != 0 && s % 86_400 == 0 {
            write!(f, "{}d", s / 86_400)
        } else if s != 0 && s % 3600 == 0 {
            write!(f, "{}h", s / 3600)
        } else if s != 0 && s % 60 == 0 {
            write!(f, "{}m", s / 60)
        } else {
            write!(f, "{s}s")
        }
    }
}

impl std::str::FromStr for Window {
    type Err = String;

    fn from_str(text: &str) -> Result<Window, String> {
        let text = text.trim();
        let bad = || {
            format!(
                "`{}` is not a length of time: write a whole number and s, m, h or d (`30m`)",
                lifeline_text::excerpt(text)
            )
        };
        let split = text.len().checked_sub(1).ok_or_else(bad)?;
        let (number, unit) = text.split_at(split);
        let unit = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(bad()),
        };
        let n: u32 = number.trim().parse().map_err(|_| bad())?;
        let seconds = n.checked_mul(unit).ok_or_else(bad)?;
        if seconds == 0 {
            return Err(format!(
                "`{}` is no time at all: give a window above zero",
                lifeline_text::excerpt(text)
            ));
        }
        Ok(Window { seconds })
    }
}

impl Serialize for Window {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Window, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What kind of organisation a partner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgKind {
    Hospital,
    Supplier,
    Manufacturer,
    Distributor,
    Logistics,
    Platform,
    Isac,
    Regulator,
    Coalition,
}

/// One organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Unique in the directory; the same rule as network ids.
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    /// Escalation tier: an alert no contact of a tier-1 organisation acknowledges in time
    /// goes on to the tier-2 organisations linked to the same entities, and so on. 1 is
    /// the first.
    #[serde(default = "first_tier")]
    pub tier: u32,
    /// Network entity ids (nodes, sites, platforms) this organisation runs or uses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<String>,
    /// Vendor register ids this organisation is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vendors: Vec<String>,
    /// The most restrictive TLP level it may receive.
    pub clearance: Tlp,
    /// Overrides `defaults.ack_window` for its contacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_window: Option<Window>,
    pub contacts: Vec<Contact>,
    /// Its Ed25519 public keys, current and past.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<PublicKey>,
}

fn first_tier() -> u32 {
    1
}

/// A contact's role in the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContactRole {
    SecurityLead,
    It,
    Operations,
    SupplyChain,
    Clinical,
    Communications,
    Executive,
    Duty,
}

/// One person or desk to reach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Unique within its organisation.
    pub id: String,
    pub name: String,
    pub role: ContactRole,
    /// Escalation order inside the organisation: 1 is tried first.
    pub escalation: u32,
    /// Overrides the organisation's window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_window: Option<Window>,
    /// How to reach them, tried in this order.
    pub channels: Vec<Channel>,
}

/// A way to reach a contact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// An email address (`mailbox@domain`).
    Email(String),
    /// An `https://` URL (or `http://` on loopback, for tests) that receives a POST.
    Webhook(String),
    /// A telephone number for a person to call: a phone-tree entry, never dialled by
    /// lifeline.
    Phone(String),
}

impl Channel {
    /// `email`, `webhook` or `phone`.
    pub fn kind(&self) -> &'static str {
        match self {
            Channel::Email(_) => "email",
            Channel::Webhook(_) => "webhook",
            Channel::Phone(_) => "phone",
        }
    }

    /// The address, URL or number.
    pub fn address(&self) -> &str {
        match self {
            Channel::Email(a) | Channel::Webhook(a) | Channel::Phone(a) => a,
        }
    }
}

/// One of an organisation's Ed25519 public keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicKey {
    /// Unique within its organisation; a JWS names it as `kid` = `ORG/ID`.
    pub id: String,
    /// The 32-byte public key, base64url without padding (a JWK's `x`, RFC 8037).
    pub x: String,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub not_after: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<Revocation>,
}

/// A key's revocation: from `at` on, nothing it signs is trusted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub reason: String,
}
