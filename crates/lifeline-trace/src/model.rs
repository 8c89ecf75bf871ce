//! The event model: one EPCIS event as a format-neutral tree in the XML shape of EPCIS 2.0,
//! with typed views (`Event::facts`) for the repository and the rules.
//!
//! Both readers (JSON-LD and XML, 2.0 and 1.2) produce the same tree for the same event:
//! JSON lists become a list element with named children (`epcList` → `epc`,
//! `quantityList` → `quantityElement`, `sensorElementList` → `sensorElement`), XML
//! attributes become child elements, EPCIS 1.2 `extension`/`baseExtension` wrappers are
//! removed, and names outside the EPCIS vocabulary (user extensions) are written in Clark
//! notation `{namespace}local`. User extensions are kept, never dropped.

/// One node of an event: a name, its text (trimmed) and its children, in document order.
///
/// The readers build trees at most [`crate::read::MAX_DEPTH`] deep (see
/// [`crate::read::ReadLimits`]); the hasher, the writer, validation, the facts and `Drop`
/// walk them recursively, which that ceiling keeps inside a 2 MiB thread stack. A tree built
/// by hand should keep to it too.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// EPCIS field name (`epcList`, `bizStep`), or `{namespace}local` for a user extension.
    pub name: String,
    /// The text value, trimmed; empty when the element only has children.
    pub text: String,
    /// Child elements (XML attributes are children too).
    pub children: Vec<Element>,
}

impl Element {
    /// A leaf with text.
    pub fn leaf(name: impl Into<String>, text: impl Into<String>) -> Self {
        Element {
            name: name.into(),
            text: text.into(),
            children: Vec::new(),
        }
    }

    /// A branch with children.
    pub fn branch(name: impl Into<String>, children: Vec<Element>) -> Self {
        Element {
            name: name.into(),
            text: String::new(),
            children,
        }
    }

    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child called `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Text of the first child called `name`, when not empty.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
    }

    /// Whether this is a user extension (a name in Clark notation).
    pub fn is_extension(&self) -> bool {
        self.name.starts_with('{')
    }
}

/// The five EPCIS event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    /// Observation of objects.
    ObjectEvent,
    /// Objects packed into or unpacked from a parent.
    AggregationEvent,
    /// Objects linked to a business transaction.
    TransactionEvent,
    /// Inputs consumed, outputs produced.
    TransformationEvent,
    /// Objects associated with a parent (EPCIS 2.0).
    AssociationEvent,
}

impl EventType {
    /// The name used in both syntaxes.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ObjectEvent => "ObjectEvent",
            EventType::AggregationEvent => "AggregationEvent",
            EventType::TransactionEvent => "TransactionEvent",
            EventType::TransformationEvent => "TransformationEvent",
            EventType::AssociationEvent => "AssociationEvent",
        }
    }

    /// Parses the name of an event type.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "ObjectEvent" => EventType::ObjectEvent,
            "AggregationEvent" => EventType::AggregationEvent,
            "TransactionEvent" => EventType::TransactionEvent,
            "TransformationEvent" => EventType::TransformationEvent,
            "AssociationEvent" => EventType::AssociationEvent,
            _ => return None,
        })
    }
}

/// One EPCIS event, as read from a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// 0-based position in the document's event list.
    pub index: usize,
    /// The event type.
    pub event_type: EventType,
    /// The fields, in the XML shape described in the module documentation.
    pub fields: Vec<Element>,
}

impl Event {
    /// The first field called `name`.
    pub fn field(&self, name: &str) -> Option<&Element> {
        self.fields.iter().find(|c| c.name == name)
    }

    /// Text of the first field called `name`, when not empty.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.field(name)
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
    }

    /// The declared `eventID`, if any.
    pub fn event_id(&self) -> Option<&str> {
        self.text("eventID")
    }

    /// A location naming this event (index and eventID) and `field`.
    pub fn location(&self, field: Option<&str>) -> crate::Location {
        crate::Location {
            index: Some(self.index),
            // The id comes from the document: escaped and cut, as every echoed value.
            event_id: self
                .event_id()
                .map(|id| lifeline_text::excerpt(id).into_owned()),
            field: field.map(str::to_owned),
        }
    }
}

/// Header facts of a document that matter for hashing and storage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentHeader {
    /// `EPCISDocument` or `EPCISQueryDocument`.
    pub document_type: String,
    /// `schemaVersion` (`2.0`, `1.2`).
    pub schema_version: String,
    /// `creationDate`.
    pub creation_date: String,
    /// JSON-LD namespace prefixes from `@context` (prefix → IRI), or XML `xmlns` prefixes.
    pub namespaces: Vec<(String, String)>,
    /// Fields the sender asks hashers to ignore (`...:ignoreFields`), in Clark notation.
    pub ignore_fields: Vec<String>,
    /// Master data from the header (vocabulary elements), as trees.
    pub master_data: Vec<Element>,
}
