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
        if s != 0 && s.is_multiple_of(86_400) {
            write!(f, "{}d", s / 86_400)
        } else if s != 0 && s.is_multiple_of(3600) {
            write!(f, "{}h", s / 3600)
        } else if s != 0 && s.is_multiple_of(60) {
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
        let last = text.chars().next_back().ok_or_else(bad)?;
        let number = &text[..text.len() - last.len_utf8()];
        let unit = match last {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
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

// ---------------------------------------------------------------------------------------
// Reading, validation and export.
// ---------------------------------------------------------------------------------------

pub use lifeline_network::{Diagnostic, Diagnostics, Format, LoadError, Severity};

use std::collections::{HashMap, HashSet};
use std::path::Path;

use lifeline_network::{Decoder, Fields, Raw, ReadLimits, ValidatedNetwork};
use lifeline_text::Excerpt;

/// The largest directory file read, in bytes.
pub const MAX_DIRECTORY_BYTES: u64 = 16 * 1024 * 1024;

/// Why a directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// Unreadable, not JSON/YAML, or over a read limit.
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("`{}` is not a valid partner directory ({} error(s)):\n{diagnostics}", Excerpt(.origin), diagnostics.error_count())]
    Invalid {
        origin: String,
        diagnostics: Diagnostics,
    },
    #[error("cannot write the directory as {format}: {message}")]
    Export {
        format: &'static str,
        message: String,
    },
}

/// What a directory's links are checked against, when known.
#[derive(Debug, Default, Clone, Copy)]
pub struct Checks<'a> {
    /// Entity ids must name nodes, sites or platforms of this network.
    pub network: Option<&'a ValidatedNetwork>,
    /// Vendor ids must be in this vendor register's list of ids.
    pub vendors: Option<&'a [String]>,
}

/// The read limits for directory files: the network's, with a smaller file size.
pub fn read_limits() -> ReadLimits {
    ReadLimits {
        file_bytes: MAX_DIRECTORY_BYTES,
        ..ReadLimits::default()
    }
}

/// Reads directory text (JSON or YAML, told apart by `origin`'s extension or the text),
/// decodes it (every problem named by its path:
/// `organisations[2].contacts[0].channels[1].email: ...`) and validates it. Returns the
/// directory and its warnings; every error at once when it is invalid.
pub fn from_str(text: &str, origin: &str) -> Result<(Directory, Vec<Diagnostic>), DirectoryError> {
    from_str_with(text, origin, Checks::default())
}

/// [`from_str`], also checking entity and vendor ids against a network and a register.
pub fn from_str_with(
    text: &str,
    origin: &str,
    checks: Checks<'_>,
) -> Result<(Directory, Vec<Diagnostic>), DirectoryError> {
    let path = Path::new(origin);
    let format = Format::detect(path, text);
    let raw = lifeline_network::parse_document(text, format, path, &read_limits())?;
    from_raw(&raw, checks).map_err(|diagnostics| DirectoryError::Invalid {
        origin: origin.to_owned(),
        diagnostics,
    })
}

/// Decodes and validates a parsed document.
pub fn from_raw(
    raw: &Raw,
    checks: Checks<'_>,
) -> Result<(Directory, Vec<Diagnostic>), Diagnostics> {
    let mut reader = Reader::default();
    let directory = reader.directory(raw);
    let mut diagnostics = reader.decoder.diagnostics;
    // Validation runs on what was decoded; where decoding already reported an error at a
    // path (a missing id read as empty), validation says nothing more there.
    let decoded_errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.path.clone())
        .collect();
    for d in validate(&directory, checks) {
        let repeated = decoded_errors.iter().any(|p| {
            d.path == *p
                || d.path.starts_with(&format!("{p}."))
                || d.path.starts_with(&format!("{p}["))
        });
        if !repeated {
            diagnostics.push(d);
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Diagnostics(diagnostics));
    }
    Ok((directory, diagnostics))
}

/// The directory as YAML (the documented field order; `from_str` reads it back equal).
pub fn to_yaml(directory: &Directory) -> Result<String, DirectoryError> {
    serde_saphyr::to_string(directory).map_err(|e| DirectoryError::Export {
        format: "YAML",
        message: e.to_string(),
    })
}

/// The directory as pretty JSON, ending with a newline.
pub fn to_json(directory: &Directory) -> Result<String, DirectoryError> {
    let mut text = serde_json::to_string_pretty(directory).map_err(|e| DirectoryError::Export {
        format: "JSON",
        message: e.to_string(),
    })?;
    text.push('\n');
    Ok(text)
}

impl Directory {
    /// The organisation with id `id`.
    pub fn organisation(&self, id: &str) -> Option<&Organisation> {
        self.organisations.iter().find(|o| o.id == id)
    }

    /// The organisation that keeps this directory (`organisation`).
    pub fn me(&self) -> Option<&Organisation> {
        self.organisation(&self.organisation)
    }

    /// Organisation `org`'s contacts in escalation order (ties in the order written).
    pub fn contacts_in_order(&self, org: &str) -> Vec<&Contact> {
        let Some(organisation) = self.organisation(org) else {
            return Vec::new();
        };
        let mut contacts: Vec<&Contact> = organisation.contacts.iter().collect();
        contacts.sort_by_key(|c| c.escalation);
        contacts
    }

    /// How long contact `contact` of `org` has to acknowledge: the contact's window, else
    /// the organisation's, else the directory's default.
    pub fn ack_window(&self, org: &str, contact: &str) -> Window {
        let organisation = self.organisation(org);
        organisation
            .and_then(|o| o.contacts.iter().find(|c| c.id == contact))
            .and_then(|c| c.ack_window)
            .or_else(|| organisation.and_then(|o| o.ack_window))
            .unwrap_or(self.defaults.ack_window)
    }

    /// The partner organisations (not the keeper) linked to any of `entities`, in
    /// directory order.
    pub fn organisations_for_entities(&self, entities: &[&str]) -> Vec<&Organisation> {
        self.organisations
            .iter()
            .filter(|o| o.id != self.organisation)
            .filter(|o| o.entities.iter().any(|e| entities.contains(&e.as_str())))
            .collect()
    }

    /// The public key `kid` (`ORG/KEY`) names, with its organisation.
    pub fn key(&self, kid: &str) -> Option<(&Organisation, &PublicKey)> {
        let (org, id) = crate::keys::split_kid(kid)?;
        let organisation = self.organisation(org)?;
        let key = organisation.keys.iter().find(|k| k.id == id)?;
        Some((organisation, key))
    }
}

/// The state of a key at a time, for listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// Before `not_before`.
    Pending,
    Valid,
    /// After `not_after`.
    Ended,
    Revoked,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Pending => "pending",
            KeyState::Valid => "valid",
            KeyState::Ended => "ended",
            KeyState::Revoked => "revoked",
        }
    }
}

impl PublicKey {
    /// The key's state at `now`.
    pub fn state(&self, now: OffsetDateTime) -> KeyState {
        if self.revoked.as_ref().is_some_and(|r| r.at <= now) {
            KeyState::Revoked
        } else if now < self.not_before {
            KeyState::Pending
        } else if self.not_after.is_some_and(|after| now > after) {
            KeyState::Ended
        } else {
            KeyState::Valid
        }
    }
}

// --- Decoding --------------------------------------------------------------------------

#[derive(Default)]
struct Reader {
    decoder: Decoder,
}

impl Reader {
    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.decoder.error(path, message);
    }

    /// Opens an object; unknown fields are errors here (a misspelt `not_after` must not
    /// leave a key valid for ever).
    fn close(&mut self, fields: Fields<'_>) {
        let before = self.decoder.diagnostics.len();
        self.decoder.finish(fields);
        for d in &mut self.decoder.diagnostics[before..] {
            d.severity = Severity::Error;
            d.message = "unknown field".to_owned();
            d.hint = Some("see docs/partner-directory.md for the fields; a misspelt field is refused rather than ignored".to_owned());
        }
    }

    fn required_text(&mut self, fields: &mut Fields<'_>, key: &str) -> String {
        let path = fields.path(key);
        if fields.get(key).is_none() {
            self.error(path, "missing required field");
            return String::new();
        }
        match self.decoder.string(fields, key) {
            Some(text) if text.trim().is_empty() => {
                self.error(path, "must not be empty");
                String::new()
            }
            Some(text) => text,
            None => String::new(),
        }
    }

    fn id(&mut self, fields: &mut Fields<'_>, key: &str) -> String {
        self.decoder.id(fields, key).unwrap_or_default()
    }

    fn parsed<T>(
        &mut self,
        fields: &mut Fields<'_>,
        key: &str,
        what: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let path = fields.path(key);
        match fields.get(key)? {
            Raw::String(text) => match parse(text) {
                Ok(value) => Some(value),
                Err(message) => {
                    self.error(path, message);
                    None
                }
            },
            other => {
                self.error(path, format!("expected {what}, found {}", other.describe()));
                None
            }
        }
    }

    fn required<T>(
        &mut self,
        fields: &mut Fields<'_>,
        key: &str,
        what: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        if fields.get(key).is_none() {
            self.error(fields.path(key), "missing required field");
            return None;
        }
        self.parsed(fields, key, what, parse)
    }

    fn time(
        &mut self,
        fields: &mut Fields<'_>,
        key: &str,
        required: bool,
    ) -> Option<OffsetDateTime> {
        let parse = |text: &str| {
            OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
                .map_err(|_| {
                    format!(
                        "`{}` is not an RFC 3339 time: write `2026-12-06T14:00:00Z`",
                        Excerpt(text)
                    )
                })
        };
        if required {
            self.required(fields, key, "an RFC 3339 time", parse)
        } else {
            self.parsed(fields, key, "an RFC 3339 time", parse)
        }
    }

    fn window(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<Window> {
        self.parsed(fields, key, "a length of time (`30m`)", |t| {
            t.parse::<Window>()
        })
    }

    fn whole(&mut self, fields: &mut Fields<'_>, key: &str, required: bool, default: u32) -> u32 {
        let path = fields.path(key);
        let Some(raw) = fields.get(key) else {
            if required {
                self.error(path, "missing required field");
            }
            return default;
        };
        match raw {
            Raw::Number(n) if n.fract() == 0.0 && (1.0..=1_000_000.0).contains(n) => *n as u32,
            other => {
                self.error(
                    path,
                    format!(
                        "expected a whole number from 1 to 1000000, found {}",
                        other.describe()
                    ),
                );
                default
            }
        }
    }

    fn strings(&mut self, fields: &mut Fields<'_>, key: &str) -> Vec<String> {
        let list_path = fields.path(key);
        let items = self.decoder.list(fields, key);
        let mut out = Vec::new();
        for (i, raw) in items.iter().enumerate() {
            let path = format!("{list_path}[{i}]");
            match raw {
                Raw::String(s) if s.trim().is_empty() => self.error(path, "must not be empty"),
                Raw::String(s) => {
                    if self.decoder.identifier_ok(path, s) {
                        out.push(s.clone());
                    } else {
                        out.push(String::new());
                    }
                }
                other => self.error(path, format!("expected an id, found {}", other.describe())),
            }
        }
        out
    }

    fn directory(&mut self, raw: &Raw) -> Directory {
        let mut directory = Directory {
            format: FORMAT.to_owned(),
            organisation: String::new(),
            defaults: Defaults::default(),
            organisations: Vec::new(),
        };
        let Some(mut fields) = self.decoder.object(raw, "") else {
            return directory;
        };
        self.decoder.format(&mut fields, FORMAT);
        directory.organisation = self.id(&mut fields, "organisation");
        if let Some(raw) = fields.get("defaults")
            && let Some(mut d) = self.decoder.object(raw, "defaults")
        {
            if let Some(w) = self.window(&mut d, "ack_window") {
                directory.defaults.ack_window = w;
            }
            if let Some(w) = self.window(&mut d, "alert_validity") {
                directory.defaults.alert_validity = w;
            }
            self.close(d);
        }
        if fields.get("organisations").is_none() {
            self.error("organisations", "missing required field");
        }
        let items = self.decoder.list(&mut fields, "organisations");
        for (i, raw) in items.iter().enumerate() {
            let org = self.organisation(raw, &format!("organisations[{i}]"));
            directory.organisations.push(org);
        }
        self.close(fields);
        directory
    }

    fn organisation(&mut self, raw: &Raw, path: &str) -> Organisation {
        let mut org = Organisation {
            id: String::new(),
            name: String::new(),
            kind: OrgKind::Supplier,
            tier: 1,
            entities: Vec::new(),
            vendors: Vec::new(),
            clearance: Tlp::Clear,
            ack_window: None,
            contacts: Vec::new(),
            keys: Vec::new(),
        };
        let Some(mut fields) = self.decoder.object(raw, path) else {
            return org;
        };
        org.id = self.id(&mut fields, "id");
        org.name = self.required_text(&mut fields, "name");
        if let Some(kind) =
            self.required(&mut fields, "kind", "an organisation kind", parse_org_kind)
        {
            org.kind = kind;
        }
        org.tier = self.whole(&mut fields, "tier", false, 1);
        org.entities = self.strings(&mut fields, "entities");
        org.vendors = self.strings(&mut fields, "vendors");
        if let Some(tlp) = self.required(&mut fields, "clearance", "a TLP level", |t| {
            t.parse::<Tlp>().map_err(|_| {
                format!(
                    "`{}` is not a TLP level: clear, green, amber, amber+strict or red",
                    Excerpt(t)
                )
            })
        }) {
            org.clearance = tlp;
        }
        org.ack_window = self.window(&mut fields, "ack_window");
        if fields.get("contacts").is_none() {
            self.error(fields.path("contacts"), "missing required field");
        }
        let contacts_path = fields.path("contacts");
        for (i, raw) in self
            .decoder
            .list(&mut fields, "contacts")
            .iter()
            .enumerate()
        {
            let contact = self.contact(raw, &format!("{contacts_path}[{i}]"));
            org.contacts.push(contact);
        }
        let keys_path = fields.path("keys");
        for (i, raw) in self.decoder.list(&mut fields, "keys").iter().enumerate() {
            let key = self.key(raw, &format!("{keys_path}[{i}]"));
            org.keys.push(key);
        }
        self.close(fields);
        org
    }

    fn contact(&mut self, raw: &Raw, path: &str) -> Contact {
        let mut contact = Contact {
            id: String::new(),
            name: String::new(),
            role: ContactRole::Duty,
            escalation: 1,
            ack_window: None,
            channels: Vec::new(),
        };
        let Some(mut fields) = self.decoder.object(raw, path) else {
            return contact;
        };
        contact.id = self.id(&mut fields, "id");
        contact.name = self.required_text(&mut fields, "name");
        if let Some(role) = self.required(&mut fields, "role", "a contact role", parse_role) {
            contact.role = role;
        }
        contact.escalation = self.whole(&mut fields, "escalation", true, 1);
        contact.ack_window = self.window(&mut fields, "ack_window");
        if fields.get("channels").is_none() {
            self.error(fields.path("channels"), "missing required field");
        }
        let channels_path = fields.path("channels");
        for (i, raw) in self
            .decoder
            .list(&mut fields, "channels")
            .iter()
            .enumerate()
        {
            if let Some(channel) = self.channel(raw, &format!("{channels_path}[{i}]")) {
                contact.channels.push(channel);
            } else {
                // Kept in place (empty) so that later channels keep their positions.
                contact.channels.push(Channel::Phone(String::new()));
            }
        }
        self.close(fields);
        contact
    }

    fn channel(&mut self, raw: &Raw, path: &str) -> Option<Channel> {
        let Raw::Map(entries) = raw else {
            self.error(
                path,
                format!(
                    "expected a channel (`email: ...`, `webhook: ...` or `phone: ...`), found {}",
                    raw.describe()
                ),
            );
            return None;
        };
        let [(kind, value)] = entries.as_slice() else {
            self.error(
                path,
                "a channel is one of `email`, `webhook` or `phone`, with its address: write one per list entry",
            );
            return None;
        };
        let field = format!("{path}.{}", Excerpt(kind));
        let Raw::String(address) = value else {
            self.error(
                field,
                format!("expected a string, found {}", value.describe()),
            );
            return None;
        };
        match kind.as_str() {
            "email" => Some(Channel::Email(address.clone())),
            "webhook" => Some(Channel::Webhook(address.clone())),
            "phone" => Some(Channel::Phone(address.clone())),
            _ => {
                self.error(
                    path,
                    format!(
                        "unknown channel `{}`: write `email`, `webhook` or `phone`",
                        Excerpt(kind)
                    ),
                );
                None
            }
        }
    }

    fn key(&mut self, raw: &Raw, path: &str) -> PublicKey {
        let mut key = PublicKey {
            id: String::new(),
            x: String::new(),
            not_before: OffsetDateTime::UNIX_EPOCH,
            not_after: None,
            revoked: None,
        };
        let Some(mut fields) = self.decoder.object(raw, path) else {
            return key;
        };
        key.id = self.id(&mut fields, "id");
        key.x = self.required_text(&mut fields, "x");
        if let Some(t) = self.time(&mut fields, "not_before", true) {
            key.not_before = t;
        }
        key.not_after = self.time(&mut fields, "not_after", false);
        if let Some(raw) = fields.get("revoked") {
            let rpath = fields.path("revoked");
            if let Some(mut r) = self.decoder.object(raw, &rpath) {
                let at = self.time(&mut r, "at", true);
                let reason = self.required_text(&mut r, "reason");
                self.close(r);
                key.revoked = Some(Revocation {
                    at: at.unwrap_or(OffsetDateTime::UNIX_EPOCH),
                    reason,
                });
            }
        }
        self.close(fields);
        key
    }
}

fn kebab_list<T: Serialize + Copy>(all: &[T]) -> String {
    all.iter()
        .filter_map(|v| serde_json::to_value(v).ok())
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_kebab<T: Serialize + Copy>(text: &str, all: &[T], what: &str) -> Result<T, String> {
    all.iter()
        .copied()
        .find(|v| {
            serde_json::to_value(v)
                .ok()
                .as_ref()
                .and_then(|v| v.as_str())
                == Some(text.trim())
        })
        .ok_or_else(|| format!("`{}` is not {what}: {}", Excerpt(text), kebab_list(all)))
}

/// Every organisation kind, in documentation order.
pub const ORG_KINDS: [OrgKind; 9] = [
    OrgKind::Hospital,
    OrgKind::Supplier,
    OrgKind::Manufacturer,
    OrgKind::Distributor,
    OrgKind::Logistics,
    OrgKind::Platform,
    OrgKind::Isac,
    OrgKind::Regulator,
    OrgKind::Coalition,
];

/// Every contact role, in documentation order.
pub const CONTACT_ROLES: [ContactRole; 8] = [
    ContactRole::SecurityLead,
    ContactRole::It,
    ContactRole::Operations,
    ContactRole::SupplyChain,
    ContactRole::Clinical,
    ContactRole::Communications,
    ContactRole::Executive,
    ContactRole::Duty,
];

fn parse_org_kind(text: &str) -> Result<OrgKind, String> {
    parse_kebab(text, &ORG_KINDS, "an organisation kind")
}

fn parse_role(text: &str) -> Result<ContactRole, String> {
    parse_kebab(text, &CONTACT_ROLES, "a contact role")
}

// --- Validation ------------------------------------------------------------------------

/// Checks a directory as a whole: unique ids, the keeper among the organisations, known
/// entity and vendor ids (with [`Checks`]), keys that decode to Ed25519 public keys with
/// `not_after` after `not_before`, at least one channel per contact, well-formed email
/// addresses, webhook URLs (https, or http on loopback) and phone numbers. Returns every
/// problem, errors and warnings, each at its path.
pub fn validate(directory: &Directory, checks: Checks<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if directory.format != FORMAT {
        out.push(Diagnostic::error(
            "format",
            format!(
                "unsupported format `{}`, expected `{FORMAT}`",
                Excerpt(&directory.format)
            ),
        ));
    }
    if directory.defaults.alert_validity.duration() > crate::jws::MAX_LIFETIME {
        out.push(Diagnostic::error(
            "defaults.alert_validity",
            format!(
                "{} is longer than a signed message may stay valid ({} days)",
                directory.defaults.alert_validity,
                crate::jws::MAX_LIFETIME.whole_days()
            ),
        ));
    }
    if !directory.organisation.is_empty() && directory.me().is_none() {
        out.push(
            Diagnostic::error(
                "organisation",
                format!(
                    "`{}` is not the id of an organisation of the directory",
                    Excerpt(&directory.organisation)
                ),
            )
            .with_hint("`organisation` names the directory's keeper, which is listed under `organisations` too"),
        );
    }
    let mut org_ids: HashMap<&str, usize> = HashMap::new();
    let mut key_values: HashMap<String, String> = HashMap::new();
    for (i, org) in directory.organisations.iter().enumerate() {
        let path = format!("organisations[{i}]");
        check_id_and_name(
            &mut out,
            &path,
            (&org.id, &org.name),
            ("organisation", "organisations"),
            (&mut org_ids, i),
        );
        if org.tier == 0 {
            out.push(Diagnostic::error(
                format!("{path}.tier"),
                "tiers count from 1",
            ));
        }
        check_links(&mut out, &path, org, checks);
        check_contacts(&mut out, &path, org, directory);
        check_keys(&mut out, &path, org, &mut key_values);
    }
    if let Some(me) = directory.me()
        && me.keys.is_empty()
    {
        out.push(
            Diagnostic::warning(
                "organisation",
                format!("`{}` has no key: it cannot sign alerts", Excerpt(&me.id)),
            )
            .with_hint("add one with `lifeline keys generate`"),
        );
    }
    out
}

/// Checks the `id` (an identifier, not already the id of an earlier entry of `list`, which
/// `seen` maps to its index) and the `name` (not empty) of the `index`th entry at `path`.
fn check_id_and_name<'a>(
    out: &mut Vec<Diagnostic>,
    path: &str,
    (id, name): (&'a str, &str),
    (what, list): (&str, &str),
    (seen, index): (&mut HashMap<&'a str, usize>, usize),
) {
    check_identifier(out, &format!("{path}.id"), id, what);
    check_unique_id(out, path, id, list, (seen, index));
    if name.trim().is_empty() {
        out.push(Diagnostic::error(
            format!("{path}.name"),
            "must not be empty",
        ));
    }
}

/// Reports an `id` (at `path.id`) that an earlier entry of `list` already has; `seen` maps
/// the ids so far to their index, and gains this one at `index`.
fn check_unique_id<'a>(
    out: &mut Vec<Diagnostic>,
    path: &str,
    id: &'a str,
    list: &str,
    (seen, index): (&mut HashMap<&'a str, usize>, usize),
) {
    if id.is_empty() {
        return;
    }
    if let Some(first) = seen.get(id) {
        out.push(Diagnostic::error(
            format!("{path}.id"),
            format!("`{}` is already the id of {list}[{first}]", Excerpt(id)),
        ));
    } else {
        seen.insert(id, index);
    }
}

fn check_identifier(out: &mut Vec<Diagnostic>, path: &str, id: &str, what: &str) {
    if id.trim().is_empty() {
        out.push(Diagnostic::error(
            path,
            format!("the {what} id must not be empty"),
        ));
    } else if id.trim() != id {
        out.push(Diagnostic::error(
            path,
            format!("`{}` starts or ends with a space", Excerpt(id)),
        ));
    } else if let Some(c) = id.chars().find(|&c| lifeline_text::is_unsafe(c)) {
        out.push(Diagnostic::error(
            path,
            format!(
                "`{}` holds the control or invisible character U+{:04X}",
                Excerpt(id),
                u32::from(c)
            ),
        ));
    }
}

fn check_links(out: &mut Vec<Diagnostic>, path: &str, org: &Organisation, checks: Checks<'_>) {
    let mut seen = HashSet::new();
    for (j, entity) in org.entities.iter().enumerate() {
        let epath = format!("{path}.entities[{j}]");
        if !seen.insert(entity.as_str()) {
            out.push(Diagnostic::warning(
                &epath,
                format!("`{}` is listed twice", Excerpt(entity)),
            ));
        }
        if let Some(network) = checks.network
            && !entity.is_empty()
            && network.lookup(entity).is_none()
        {
            out.push(Diagnostic::error(
                epath,
                format!(
                    "`{}` is not a node, site or platform of the network",
                    Excerpt(entity)
                ),
            ));
        }
    }
    let mut seen = HashSet::new();
    for (j, vendor) in org.vendors.iter().enumerate() {
        let vpath = format!("{path}.vendors[{j}]");
        if !seen.insert(vendor.as_str()) {
            out.push(Diagnostic::warning(
                &vpath,
                format!("`{}` is listed twice", Excerpt(vendor)),
            ));
        }
        if vendor.is_empty() {
            continue;
        }
        if lifeline_network::vendor_id(vendor) != *vendor {
            out.push(
                Diagnostic::error(
                    &vpath,
                    format!(
                        "`{}` is not a vendor id: lower-case letters and digits joined by single hyphens",
                        Excerpt(vendor)
                    ),
                )
                .with_hint(format!("write \"{}\"", Excerpt(&lifeline_network::vendor_id(vendor)))),
            );
            continue;
        }
        if let Some(known) = checks.vendors
            && !known.iter().any(|k| k == vendor)
        {
            out.push(Diagnostic::error(
                vpath,
                format!("`{}` is not a vendor of the register", Excerpt(vendor)),
            ));
        }
    }
}

fn check_contacts(
    out: &mut Vec<Diagnostic>,
    path: &str,
    org: &Organisation,
    directory: &Directory,
) {
    if org.contacts.is_empty() && org.id != directory.organisation {
        out.push(Diagnostic::warning(
            format!("{path}.contacts"),
            "no contacts: this partner cannot be alerted",
        ));
    }
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut orders: HashMap<u32, usize> = HashMap::new();
    for (j, contact) in org.contacts.iter().enumerate() {
        let cpath = format!("{path}.contacts[{j}]");
        check_id_and_name(
            out,
            &cpath,
            (&contact.id, &contact.name),
            ("contact", "contacts"),
            (&mut ids, j),
        );
        if contact.escalation == 0 {
            out.push(Diagnostic::error(
                format!("{cpath}.escalation"),
                "escalation order counts from 1",
            ));
        } else if let Some(first) = orders.get(&contact.escalation) {
            out.push(Diagnostic::warning(
                format!("{cpath}.escalation"),
                format!(
                    "contacts[{first}] has the same escalation order {}: they are tried in the order written",
                    contact.escalation
                ),
            ));
        } else {
            orders.insert(contact.escalation, j);
        }
        if contact.channels.is_empty() {
            out.push(Diagnostic::error(
                format!("{cpath}.channels"),
                "a contact needs at least one channel (email, webhook or phone)",
            ));
        }
        for (k, channel) in contact.channels.iter().enumerate() {
            let chpath = format!("{cpath}.channels[{k}].{}", channel.kind());
            let problem = match channel {
                Channel::Email(a) => check_email(a),
                Channel::Webhook(u) => check_webhook(u),
                Channel::Phone(p) => check_phone(p),
            };
            if let Err(message) = problem {
                out.push(Diagnostic::error(chpath, message));
            }
        }
    }
}

fn check_keys(
    out: &mut Vec<Diagnostic>,
    path: &str,
    org: &Organisation,
    key_values: &mut HashMap<String, String>,
) {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (j, key) in org.keys.iter().enumerate() {
        let kpath = format!("{path}.keys[{j}]");
        check_identifier(out, &format!("{kpath}.id"), &key.id, "key");
        if key.id.contains('/') {
            out.push(Diagnostic::error(
                format!("{kpath}.id"),
                "a key id may not hold `/` (a kid is ORGANISATION/KEY)",
            ));
        }
        check_unique_id(out, &kpath, &key.id, "keys", (&mut ids, j));
        match crate::keys::decode_x(&key.x) {
            None => out.push(Diagnostic::error(
                format!("{kpath}.x"),
                "expected an Ed25519 public key: 32 bytes in base64url without padding (43 characters)",
            )),
            Some(bytes) => match ed25519_dalek::VerifyingKey::from_bytes(&bytes) {
                Err(_) => out.push(Diagnostic::error(
                    format!("{kpath}.x"),
                    "not an Ed25519 public key (the bytes are no point of the curve)",
                )),
                Ok(v) if v.is_weak() => out.push(Diagnostic::error(
                    format!("{kpath}.x"),
                    "a weak (small-order) Ed25519 key: anyone could forge its signatures",
                )),
                Ok(_) => {
                    if let Some(first) = key_values.get(key.x.as_str()) {
                        out.push(Diagnostic::error(
                            format!("{kpath}.x"),
                            format!("the same public key is already listed at {first}"),
                        ));
                    } else {
                        key_values.insert(key.x.clone(), kpath.clone());
                    }
                }
            },
        }
        if let Some(after) = key.not_after
            && after <= key.not_before
        {
            out.push(Diagnostic::error(
                format!("{kpath}.not_after"),
                format!(
                    "must be after not_before ({} is not after {})",
                    crate::jws::rfc3339(after),
                    crate::jws::rfc3339(key.not_before)
                ),
            ));
        }
        if let Some(revoked) = &key.revoked
            && revoked.reason.trim().is_empty()
        {
            out.push(Diagnostic::error(
                format!("{kpath}.revoked.reason"),
                "must not be empty",
            ));
        }
    }
}

fn unsafe_or_space(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_whitespace() || lifeline_text::is_unsafe(c))
}

/// An email address `local@domain.tld`: no spaces or control characters, one `@`, a
/// domain of dot-separated labels of letters, digits and hyphens.
pub fn check_email(address: &str) -> Result<(), String> {
    let bad = |why: &str| {
        Err(format!(
            "`{}` is not an email address: {why}",
            Excerpt(address)
        ))
    };
    if address.is_empty() {
        return bad("it is empty");
    }
    if address.len() > 254 {
        return bad("longer than 254 characters");
    }
    if unsafe_or_space(address) {
        return bad("it holds a space or a control character");
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return bad("it has no `@`");
    };
    if local.is_empty() || local.len() > 64 || local.contains('@') {
        return bad("the part before `@` must be 1 to 64 characters, without `@`");
    }
    if local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
        || local.contains(['<', '>', '(', ')', ',', ';', ':', '\\', '"', '[', ']'])
    {
        return bad(
            "the part before `@` holds a character or dot that mail does not allow unquoted",
        );
    }
    check_host(domain, false).or_else(|why| bad(&why))
}

/// A DNS host name with at least one dot (`mail.example.org`), or (when `loopback_ok`)
/// also `localhost`, an IPv4 address or a bracketed IPv6 address.
fn check_host(host: &str, addresses_ok: bool) -> Result<(), String> {
    if addresses_ok {
        if host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::Ipv4Addr>().is_ok() {
            return Ok(());
        }
        if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            return inner
                .parse::<std::net::Ipv6Addr>()
                .map(|_| ())
                .map_err(|_| "the bracketed host is not an IPv6 address".to_owned());
        }
    }
    if host.is_empty() || host.len() > 253 {
        return Err("the domain must be 1 to 253 characters".into());
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Err("the domain needs a dot (`example.org`)".into());
    }
    for label in labels {
        if label.is_empty() || label.len() > 63 {
            return Err("each part of the domain must be 1 to 63 characters".into());
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a part of the domain may not start or end with `-`".into());
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err("the domain may hold only letters, digits, `-` and dots".into());
        }
    }
    Ok(())
}

/// Whether a URL host is the loopback interface.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|a| a.is_loopback())
        || host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .and_then(|h| h.parse::<std::net::Ipv6Addr>().ok())
            .is_some_and(|a| a.is_loopback())
}

/// A webhook URL: `https://host[:port]/path`, or `http://` when the host is the loopback
/// interface (tests, a local relay). No credentials in the URL, no fragment.
pub fn check_webhook(url: &str) -> Result<(), String> {
    let bad = |why: &str| {
        Err(format!(
            "`{}` is not a usable webhook URL: {why}",
            Excerpt(url)
        ))
    };
    if url.len() > 2048 {
        return bad("longer than 2048 characters");
    }
    if unsafe_or_space(url) {
        return bad("it holds a space or a control character");
    }
    let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return bad("it must start with `https://`");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if rest[authority.len()..].contains('#') {
        return bad("a webhook URL has no fragment (`#...`)");
    }
    if authority.contains('@') {
        return bad("credentials do not belong in the URL");
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p))
            if !h.ends_with(':')
                && (h.starts_with('[') == h.ends_with(']'))
                && !p.contains(']') =>
        {
            (h, Some(p))
        }
        _ => (authority, None),
    };
    if let Some(port) = port
        && !(port.parse::<u16>().is_ok_and(|p| p > 0))
    {
        return bad("the port must be a number from 1 to 65535");
    }
    if host.is_empty() {
        return bad("it names no host");
    }
    check_host(host, true).or_else(|why| bad(&why))?;
    if !https && !is_loopback(host) {
        return bad(
            "only `https://` is allowed, except to the loopback interface (127.0.0.1, [::1], localhost)",
        );
    }
    Ok(())
}

/// A telephone number for a person to call, in international form: `+`, the country
/// code and number (7 to 15 digits, E.164), with spaces, hyphens, dots or brackets
/// between digits if wished.
pub fn check_phone(number: &str) -> Result<(), String> {
    let bad = |why: &str| {
        Err(format!(
            "`{}` is not a telephone number: {why}",
            Excerpt(number)
        ))
    };
    let Some(rest) = number.trim().strip_prefix('+') else {
        return bad("write it in international form, starting with `+` and the country code");
    };
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
    {
        return bad("only digits, spaces, `-`, `.` and brackets may follow the `+`");
    }
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    if !(7..=15).contains(&digits) {
        return bad("an international number has 7 to 15 digits");
    }
    Ok(())
}
