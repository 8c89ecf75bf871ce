//! The CAP 1.2 message model: `alert`, `info`, `resource`, `area` and the value lists of
//! the OASIS standard (Common Alerting Protocol Version 1.2, OASIS Standard, 1 July 2010,
//! section 3.2; the same lists are the enumerations of its XML Schema).
//!
//! Every element of the standard is here, so that an alert read from elsewhere is written
//! back whole. Date-times are [`OffsetDateTime`]s with whole seconds (CAP 1.2 section 3.3.2:
//! `2002-05-24T16:49:00-07:00`, no fractional seconds, no `Z`; UTC is written `-00:00`).

use std::fmt;

use time::OffsetDateTime;

/// Declares a CAP value list: a Rust enum, its `as_str` (the spelling in CAP XML), its
/// `parse` and `ALL`.
macro_rules! value_list {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant),*
        }

        impl $name {
            /// Every value, in the order the standard lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The value as CAP XML spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),*
                }
            }

            /// The value spelled exactly as CAP XML spells it (case-sensitive, no
            /// surrounding whitespace: the schema's enumerations are `xs:string`s).
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

value_list! {
    /// `alert/status` (CAP 1.2 section 3.2.1): the appropriate handling of the message.
    Status {
        /// Actionable by all targeted recipients.
        Actual = "Actual",
        /// Actionable only by designated exercise participants; the exercise identifier
        /// should appear in `note`.
        Exercise = "Exercise",
        /// For messages that support alert network internal functions.
        System = "System",
        /// Technical testing only, all recipients disregard.
        Test = "Test",
        /// A preliminary template or draft, not actionable in its current form.
        Draft = "Draft",
    }
}

value_list! {
    /// `alert/msgType` (CAP 1.2 section 3.2.1): the nature of the message.
    MsgType {
        /// Initial information requiring attention by targeted recipients.
        Alert = "Alert",
        /// Updates and supersedes the earlier message(s) identified in `references`.
        Update = "Update",
        /// Cancels the earlier message(s) identified in `references`.
        Cancel = "Cancel",
        /// Acknowledges receipt and acceptance of the message(s) identified in `references`.
        Ack = "Ack",
        /// Indicates rejection of the message(s) identified in `references`; explanation
        /// should appear in `note`.
        Error = "Error",
    }
}

value_list! {
    /// `alert/scope` (CAP 1.2 section 3.2.1): the intended distribution.
    Scope {
        /// For general dissemination to unrestricted audiences.
        Public = "Public",
        /// For dissemination only to users with a known operational requirement
        /// (`restriction` says which).
        Restricted = "Restricted",
        /// For dissemination only to specified addresses (`addresses` lists them).
        Private = "Private",
    }
}

value_list! {
    /// `info/category` (CAP 1.2 section 3.2.2).
    Category {
        /// Geophysical (including landslide).
        Geo = "Geo",
        /// Meteorological (including flood).
        Met = "Met",
        /// General emergency and public safety.
        Safety = "Safety",
        /// Law enforcement, military, homeland and local/private security.
        Security = "Security",
        /// Rescue and recovery.
        Rescue = "Rescue",
        /// Fire suppression and rescue.
        Fire = "Fire",
        /// Medical and public health.
        Health = "Health",
        /// Pollution and other environmental.
        Env = "Env",
        /// Public and private transportation.
        Transport = "Transport",
        /// Utility, telecommunication, other non-transport infrastructure.
        Infra = "Infra",
        /// Chemical, Biological, Radiological, Nuclear or High-Yield Explosive threat or attack.
        Cbrne = "CBRNE",
        /// Other events.
        Other = "Other",
    }
}

value_list! {
    /// `info/responseType` (CAP 1.2 section 3.2.2): the recommended action.
    ResponseType {
        /// Take shelter in place or per `instruction`.
        Shelter = "Shelter",
        /// Relocate as instructed in `instruction`.
        Evacuate = "Evacuate",
        /// Make preparations per `instruction`.
        Prepare = "Prepare",
        /// Execute a pre-planned activity identified in `instruction`.
        Execute = "Execute",
        /// Avoid the subject event as per `instruction`.
        Avoid = "Avoid",
        /// Attend to information sources as described in `instruction`.
        Monitor = "Monitor",
        /// Evaluate the information in this message (not for public warning).
        Assess = "Assess",
        /// The subject event no longer poses a threat or concern.
        AllClear = "AllClear",
        /// No action recommended.
        None = "None",
    }
}

value_list! {
    /// `info/urgency` (CAP 1.2 section 3.2.2): the time available to prepare.
    Urgency {
        /// Responsive action should be taken immediately.
        Immediate = "Immediate",
        /// Responsive action should be taken soon (within next hour).
        Expected = "Expected",
        /// Responsive action should be taken in the near future.
        Future = "Future",
        /// Responsive action is no longer required.
        Past = "Past",
        /// Urgency not known.
        Unknown = "Unknown",
    }
}

value_list! {
    /// `info/severity` (CAP 1.2 section 3.2.2).
    Severity {
        /// Extraordinary threat to life or property.
        Extreme = "Extreme",
        /// Significant threat to life or property.
        Severe = "Severe",
        /// Possible threat to life or property.
        Moderate = "Moderate",
        /// Minimal to no known threat to life or property.
        Minor = "Minor",
        /// Severity unknown.
        Unknown = "Unknown",
    }
}

value_list! {
    /// `info/certainty` (CAP 1.2 section 3.2.2).
    Certainty {
        /// Determined to have occurred or to be ongoing.
        Observed = "Observed",
        /// Likely (p > ~50%).
        Likely = "Likely",
        /// Possible but not likely (p <= ~50%).
        Possible = "Possible",
        /// Not expected to occur (p ~ 0).
        Unlikely = "Unlikely",
        /// Certainty unknown.
        Unknown = "Unknown",
    }
}

/// A CAP 1.2 alert message (`alert`, section 3.2.1).
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Unique for the sender; no spaces, commas, `<` or `&`.
    pub identifier: String,
    /// The originator, globally unique (e.g. based on an Internet domain name); no spaces,
    /// commas, `<` or `&`.
    pub sender: String,
    /// When the message originated.
    pub sent: OffsetDateTime,
    pub status: Status,
    pub msg_type: MsgType,
    /// The particular source of this alert (an operator, a specific device).
    pub source: Option<String>,
    pub scope: Scope,
    /// The rule for limiting distribution; used when `scope` is `Restricted`.
    pub restriction: Option<String>,
    /// The intended recipients, space-delimited (addresses with spaces in double quotes);
    /// required when `scope` is `Private`.
    pub addresses: Option<String>,
    /// Special handling codes (`code`, any number).
    pub code: Vec<String>,
    /// The message note (the reason for an `Error`, the exercise identifier of an `Exercise`).
    pub note: Option<String>,
    /// The earlier messages this one refers to (`references`).
    pub references: Vec<Reference>,
    /// Group listing naming the referent incident(s), space-delimited (`incidents`).
    pub incidents: Option<String>,
    pub info: Vec<Info>,
}

/// One entry of `references`: `sender,identifier,sent` of an earlier message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub sender: String,
    pub identifier: String,
    /// Kept as written: the standard gives it as text in the `sent` format.
    pub sent: String,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{},{}", self.sender, self.identifier, self.sent)
    }
}

/// `info` (section 3.2.2): the event, its urgency, severity and certainty, and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Info {
    /// RFC 3066 language code; absent means `en-US`.
    pub language: Option<String>,
    /// At least one.
    pub category: Vec<Category>,
    /// The type of the subject event.
    pub event: String,
    pub response_type: Vec<ResponseType>,
    pub urgency: Urgency,
    pub severity: Severity,
    pub certainty: Certainty,
    pub audience: Option<String>,
    pub event_code: Vec<ValuePair>,
    pub effective: Option<OffsetDateTime>,
    pub onset: Option<OffsetDateTime>,
    pub expires: Option<OffsetDateTime>,
    pub sender_name: Option<String>,
    pub headline: Option<String>,
    pub description: Option<String>,
    pub instruction: Option<String>,
    /// A full, absolute URI for more information.
    pub web: Option<String>,
    pub contact: Option<String>,
    pub parameter: Vec<ValuePair>,
    pub resource: Vec<Resource>,
    pub area: Vec<Area>,
}

impl Info {
    /// An `info` with the required elements and nothing else.
    pub fn new(
        category: Category,
        event: impl Into<String>,
        urgency: Urgency,
        severity: Severity,
        certainty: Certainty,
    ) -> Info {
        Info {
            language: None,
            category: vec![category],
            event: event.into(),
            response_type: Vec::new(),
            urgency,
            severity,
            certainty,
            audience: None,
            event_code: Vec::new(),
            effective: None,
            onset: None,
            expires: None,
            sender_name: None,
            headline: None,
            description: None,
            instruction: None,
            web: None,
            contact: None,
            parameter: Vec::new(),
            resource: Vec::new(),
            area: Vec::new(),
        }
    }
}

/// A `valueName`/`value` pair (`eventCode`, `parameter`, `geocode`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuePair {
    pub value_name: String,
    pub value: String,
}

impl ValuePair {
    pub fn new(value_name: impl Into<String>, value: impl Into<String>) -> ValuePair {
        ValuePair {
            value_name: value_name.into(),
            value: value.into(),
        }
    }
}

/// `resource` (section 3.2.3): a digital asset that supplements the `info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub resource_desc: String,
    pub mime_type: String,
    /// Size in bytes.
    pub size: Option<u64>,
    pub uri: Option<String>,
    /// The base64-encoded content (instead of, or beside, `uri`).
    pub deref_uri: Option<String>,
    /// SHA-1 hash of the resource.
    pub digest: Option<String>,
}

/// `area` (section 3.2.4): where the alert applies.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub area_desc: String,
    pub polygon: Vec<Polygon>,
    pub circle: Vec<Circle>,
    pub geocode: Vec<ValuePair>,
    /// Feet above mean sea level (WGS 84 datum).
    pub altitude: Option<f64>,
    /// Feet above mean sea level; only with `altitude`.
    pub ceiling: Option<f64>,
}

impl Area {
    /// An area with only its description.
    pub fn new(area_desc: impl Into<String>) -> Area {
        Area {
            area_desc: area_desc.into(),
            polygon: Vec::new(),
            circle: Vec::new(),
            geocode: Vec::new(),
            altitude: None,
            ceiling: None,
        }
    }
}

/// A WGS 84 point, written `latitude,longitude`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}", self.lat, self.lon)
    }
}

/// A closed polygon: at least four points, the first equal to the last (section 3.2.4).
#[derive(Debug, Clone, PartialEq)]
pub struct Polygon(pub Vec<Point>);

impl fmt::Display for Polygon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (at, point) in self.0.iter().enumerate() {
            if at > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{point}")?;
        }
        Ok(())
    }
}

/// A circle: a centre point and a radius in kilometres, written `lat,lon radius`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Circle {
    pub center: Point,
    pub radius_km: f64,
}

impl fmt::Display for Circle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.center, self.radius_km)
    }
}
