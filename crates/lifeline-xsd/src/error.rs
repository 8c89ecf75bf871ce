//! The typed errors of this crate: a schema that does not compile, a reader that fails, or
//! libxml2 giving up for a reason that is not a problem of the document.

/// Why a schema could not be compiled or a document could not be validated at all.
///
/// A document that breaks its schema is not an error: [`crate::Schema::validate`] returns
/// its problems in a [`crate::Validation`].
#[derive(Debug, thiserror::Error)]
pub enum XsdError {
    /// `Schema::cyclonedx` was asked for a minor version without an embedded XSD.
    #[error("no embedded CycloneDX XSD for version `1.{minor}`\n  hint: supported: 1.2 to 1.7")]
    UnsupportedCycloneDx {
        /// The minor version asked for.
        minor: u8,
    },
    /// `Schema::for_namespace` was given a namespace that no embedded schema set targets.
    #[error(
        "no embedded XSD for namespace `{namespace}`\n  hint: supported: EPCIS 2.0 (`urn:epcglobal:epcis:xsd:2`, `urn:epcglobal:epcis-masterdata:xsd:2`), EPCIS 1.2 (`urn:epcglobal:epcis:xsd:1`) CycloneDX 1.2 to 1.7 (`http://cyclonedx.org/schema/bom/1.N`), CAP 1.2 (`urn:oasis:names:tc:emergency:cap:1.2`) and EDXL-DE 1.0 (`urn:oasis:names:tc:emergency:EDXL:DE:1.0`)"
    )]
    UnknownNamespace {
        /// The namespace asked for.
        namespace: String,
    },
    /// libxml2 rejected an embedded schema set (a bug in this crate's copy of the XSDs).
    #[error("XSD `{schema}` does not compile: {}", messages.join("; "))]
    Compile {
        /// The entry schema, as `cyclonedx/bom-1.6.xsd`.
        schema: String,
        /// libxml2's messages.
        messages: Vec<String>,
    },
    /// `validate_detected` found no root element in the first 16 MiB of the document, so
    /// it cannot tell which schema applies.
    #[error("no root element in the first 16 MiB of the document (not XML?)")]
    NoRootElement,
    /// The reader the document came from failed.
    #[error("reading the document failed: {0}")]
    Read(#[source] std::io::Error),
    /// libxml2 stopped without naming a problem of the document (out of memory, or an
    /// internal error).
    #[error("libxml2 could not validate the document: {0}")]
    Internal(String),
}
