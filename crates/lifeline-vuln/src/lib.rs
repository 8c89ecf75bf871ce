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
mod files;
pub mod kev;
pub mod limits;
pub mod model;
pub mod osv;
pub mod output;
pub mod purl;
pub mod scan;
pub mod schema;
pub mod spdx;
pub mod vex;

pub use cyclonedx::Loaded;
pub use error::{
    AdvisoryError, DeviceError, Diagnostic, Diagnostics, OsvSourceError, SbomError, Severity,
};
pub use limits::ReadLimits;
pub use model::{Component, Sbom, SbomFormat};

use serde_json::Value;

/// Reads an SBOM of any supported kind from its bytes, within the default
/// [`ReadLimits`]: XML is CycloneDX XML; JSON with `bomFormat` is CycloneDX JSON, with
/// `spdxVersion` SPDX JSON. Invalid documents are rejected whole, with every problem
/// named by path.
pub fn read_sbom(bytes: &[u8]) -> Result<Loaded, SbomError> {
    read_sbom_with(bytes, &ReadLimits::default())
}

/// [`read_sbom`] within `limits`: a file over the size limit, nested deeper than the
/// depth limit, or with a value over the value limit is rejected before it is walked.
pub fn read_sbom_with(bytes: &[u8], limits: &ReadLimits) -> Result<Loaded, SbomError> {
    let text = crate::limits::text_within(bytes, limits)?;
    let mut loaded = if text.trim_start().starts_with('<') {
        cyclonedx::read_xml_with(text, limits)?
    } else {
        let document = read_json_document(text, limits)?;
        if document.get("bomFormat").is_some() || document.get("specVersion").is_some() {
            cyclonedx::read_json(&document)?
        } else if document.get("spdxVersion").is_some() {
            spdx::read_json(&document)?
        } else {
            return Err(SbomError::UnknownKind(
                "JSON without `bomFormat` (CycloneDX) or `spdxVersion` (SPDX)".into(),
            ));
        }
    };
    loaded.warnings.extend(unusable_versions(&loaded.sbom));
    loaded.warnings = limits::cap_problems(std::mem::take(&mut loaded.warnings));
    Ok(loaded)
}

/// Parses JSON text (`serde_json` stops at 128 levels of nesting, so parsing never
/// overflows the stack) and checks its depth and value sizes against `limits`.
pub(crate) fn read_json_document(text: &str, limits: &ReadLimits) -> Result<Value, SbomError> {
    let document: Value = serde_json::from_str(text).map_err(|e| SbomError::Syntax {
        format: "JSON",
        message: e.to_string(),
    })?;
    let depth = limits::json_depth(&document);
    if depth > limits.max_depth {
        return Err(SbomError::TooDeep {
            depth,
            limit: limits.max_depth,
        });
    }
    let long = limits::long_json_values(&document, limits.max_value_bytes);
    if !long.is_empty() {
        return Err(SbomError::Invalid {
            kind: "JSON".into(),
            diagnostics: Diagnostics(limits::cap_problems(long)),
        });
    }
    Ok(document)
}

/// Warnings for component versions that no advisory can be evaluated on (longer than
/// [`lifeline_version::MAX_VERSION_LEN`]), so that `sbom validate` says what `sbom scan`
/// will report as unmatched.
fn unusable_versions(sbom: &Sbom) -> Vec<Diagnostic> {
    let limit = lifeline_version::MAX_VERSION_LEN;
    let mut warnings = Vec::new();
    for component in sbom.metadata.component.iter().chain(&sbom.components) {
        let purl_version = component
            .purl
            .as_deref()
            .and_then(|p| purl::Purl::parse(p).ok())
            .and_then(|p| p.version);
        for (field, version) in [
            ("purl", purl_version),
            ("version", component.version.clone()),
        ] {
            if let Some(version) = version.filter(|v| v.len() > limit) {
                warnings.push(Diagnostic::warning(
                    format!("{}.{field}", component.path),
                    format!(
                        "version `{}` is longer than {limit} bytes ({} bytes): no advisory can be evaluated on it",
                        lifeline_text::Excerpt(&version),
                        version.len()
                    ),
                ));
            }
        }
    }
    warnings
}
