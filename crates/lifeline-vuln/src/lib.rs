//! `lifeline-vuln`: vulnerability assessment of supplier software and medical devices.
//!
//! SBOMs (CycloneDX 1.2–1.7 JSON and XML, SPDX 2.3 JSON) are read into one model
//! ([`model::Sbom`]) after validation; OSV advisories and the CISA KEV catalogue are loaded
//! once into an [`osv::AdvisoryIndex`]; [`scan::scan`] matches components to advisories by
//! purl and version, merges aliases, applies VEX and orders the findings (KEV with known
//! ransomware use first, then KEV due date, then CVSS base score). [`devices`] rolls findings
//! up per FHIR device, product and vendor.
//!
//! Architecture invariant: this crate does no file or network IO; callers hand it bytes.

pub mod cvss;
pub mod cyclonedx;
pub mod devices;
pub mod error;
pub mod kev;
pub mod model;
pub mod osv;
pub mod output;
pub mod purl;
pub mod scan;
pub mod schema;
pub mod spdx;
pub mod vex;

pub use cyclonedx::Loaded;
pub use error::{AdvisoryError, DeviceError, Diagnostic, Diagnostics, SbomError, Severity};
pub use model::{Component, Sbom, SbomFormat};

use serde_json::Value;

/// Reads an SBOM of any supported kind from its bytes: XML is CycloneDX XML; JSON with
/// `bomFormat` is CycloneDX JSON, with `spdxVersion` SPDX JSON. Invalid documents are
/// rejected whole, with every problem named by path.
pub fn read_sbom(bytes: &[u8]) -> Result<Loaded, SbomError> {
    let text = std::str::from_utf8(bytes).map_err(|e| SbomError::Syntax {
        format: "UTF-8",
        message: e.to_string(),
    })?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('<') {
        return cyclonedx::read_xml(text);
    }
    let document: Value = serde_json::from_str(text).map_err(|e| SbomError::Syntax {
        format: "JSON",
        message: e.to_string(),
    })?;
    if document.get("bomFormat").is_some() || document.get("specVersion").is_some() {
        cyclonedx::read_json(&document)
    } else if document.get("spdxVersion").is_some() {
        spdx::read_json(&document)
    } else {
        Err(SbomError::UnknownKind(
            "JSON without `bomFormat` (CycloneDX) or `spdxVersion` (SPDX)".into(),
        ))
    }
}
