//! `lifeline-cap`: OASIS Common Alerting Protocol 1.2 (issue 17): alerts for
//! emergency-management systems and healthcare coalitions.
//!
//! - [`model`]: every element of CAP 1.2 (`alert`, `info`, `resource`, `area`) and its value
//!   lists (OASIS Standard, 1 July 2010, section 3.2).
//! - [`write()`]: the model as CAP 1.2 XML (quick-xml); what it writes validates against the
//!   CAP 1.2 schema (tested).
//! - [`read()`]: CAP 1.2 XML into the model, every problem named by its element path
//!   (`alert/info[1]/urgency: ...`): the reader's own checks (the standard's prose rules
//!   included), then the CAP 1.2 XML Schema through `lifeline-xsd` (libxml2).
//! - [`from_lifeline`]: a lifeline alert (`lifeline_share::alert::Alert`) as CAP:
//!   Alert/Update/Cancel/Ack, urgency, severity and certainty derived from what is down and
//!   what runs short, areas from the affected entities (`docs/cap.md`).
//! - [`edxl`]: the EDXL-DE 1.0 distribution envelope around CAP alerts.
//!
//! Architecture invariant: no IO, no clock: text in, text out; time comes with the alert.
//! Reading never panics on any input (fuzzed: `fuzz/fuzz_targets/cap_reader.rs`); it reads
//! no DTD and expands no entity but XML's five, and bounds size and depth
//! ([`MAX_DOCUMENT_BYTES`], [`MAX_DEPTH`]).

mod datetime;
pub mod edxl;
mod error;
mod map;
pub mod model;
mod read;
mod tree;
mod write;

pub use datetime::{format as format_date_time, parse as parse_date_time};
pub use edxl::{Distribution, read_edxl, write_edxl};
pub use error::{CapError, CapErrors, MapError};
pub use map::{
    EXPECTED_WITHIN_DAYS, HEADLINE_CHARS, IMMEDIATE_WITHIN_DAYS, MapOptions, VALUE_NAME_PREFIX,
    ack_of, certainty, from_lifeline, from_lifeline_ack, scope_of, severity, urgency,
};
pub use model::*;
pub use read::{MAX_ERRORS, cap_path, read};
pub use tree::{MAX_DEPTH, MAX_DOCUMENT_BYTES};
pub use write::{NAMESPACE, write};

/// Checks a CAP 1.2 document against the CAP 1.2 XML Schema only (no model, no prose
/// rules): what `xmllint --schema CAP-v1.2.xsd` says, with CAP element paths.
pub fn schema_check(text: &str) -> Result<(), CapErrors> {
    read::schema_check(lifeline_xsd::SchemaSet::Cap1_2, text)
}

/// What a document is, by its root element's namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// A CAP 1.2 `alert`.
    Cap,
    /// An EDXL-DE 1.0 `EDXLDistribution`.
    Edxl,
}

/// Whether `text` is a CAP alert or an EDXL-DE distribution (by the root's namespace);
/// `None` for anything else.
pub fn detect(text: &str) -> Option<DocumentKind> {
    let head = &text.as_bytes()[..text.len().min(64 * 1024)];
    match lifeline_xsd::root_namespace(head)?.as_str() {
        NAMESPACE => Some(DocumentKind::Cap),
        edxl::EDXL_NAMESPACE => Some(DocumentKind::Edxl),
        _ => None,
    }
}
