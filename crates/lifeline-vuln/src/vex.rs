//! CycloneDX VEX (Vulnerability Exploitability eXchange) statements: read from a CycloneDX
//! JSON document's `vulnerabilities[]` (`id`, `analysis.state`, `justification`, `response`,
//! `detail`, `affects[].ref`) and matched to findings by vulnerability id or alias and by
//! reference: a component's `bom-ref` or purl, a BOM-Link (`urn:cdx:serial/version#bom-ref`),
//! or the product's own `bom-ref` (`metadata.component`), which covers every component.

use serde::Serialize;
use serde_json::Value;

use crate::error::{Diagnostic, Diagnostics, SbomError};
use crate::model::{Component, Sbom};

/// `analysis.state` of CycloneDX 1.4–1.7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VexState {
    /// The vulnerability is exploitable in this product.
    Exploitable,
    /// Being investigated.
    InTriage,
    /// Fixed.
    Resolved,
    /// Fixed, with pedigree showing the patch.
    ResolvedWithPedigree,
    /// The finding is wrong.
    FalsePositive,
    /// The product is not affected.
    NotAffected,
}

impl VexState {
    /// Parses the CycloneDX spelling.
    pub fn parse(text: &str) -> Option<VexState> {
        Some(match text {
            "exploitable" => VexState::Exploitable,
            "in_triage" => VexState::InTriage,
            "resolved" => VexState::Resolved,
            "resolved_with_pedigree" => VexState::ResolvedWithPedigree,
            "false_positive" => VexState::FalsePositive,
            "not_affected" => VexState::NotAffected,
            _ => return None,
        })
    }
    /// The CycloneDX spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VexState::Exploitable => "exploitable",
            VexState::InTriage => "in_triage",
            VexState::Resolved => "resolved",
            VexState::ResolvedWithPedigree => "resolved_with_pedigree",
            VexState::FalsePositive => "false_positive",
            VexState::NotAffected => "not_affected",
        }
    }
    /// Whether a finding with this state is suppressed (kept, with its reason, but not
    /// counted as open).
    pub fn suppresses(self) -> bool {
        matches!(self, VexState::NotAffected | VexState::FalsePositive)
    }
    /// Whether a finding with this state is fixed.
    pub fn resolves(self) -> bool {
        matches!(self, VexState::Resolved | VexState::ResolvedWithPedigree)
    }
}

/// One VEX statement: one vulnerability's analysis for some references.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VexStatement {
    /// Vulnerability id (`CVE-2021-44228`).
    pub id: String,
    /// The analysis state.
    pub state: VexState,
    /// Why not affected (`code_not_reachable`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// Vendor responses (`update`, `will_not_fix`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub response: Vec<String>,
    /// Free-text detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// `affects[].ref` values.
    pub affects: Vec<String>,
    /// Where the statement is: `vulnerabilities[3]`.
    pub path: String,
}

/// Reads the VEX statements of a CycloneDX JSON document (a VEX or a BOM with an embedded
/// `vulnerabilities` list). The document is validated against its CycloneDX schema first.
pub fn read_vex(bytes: &[u8]) -> Result<Vec<VexStatement>, SbomError> {
    read_vex_with(bytes, &crate::ReadLimits::default())
}

/// [`read_vex`] within `limits` (file size, depth, value size).
pub fn read_vex_with(
    bytes: &[u8],
    limits: &crate::ReadLimits,
) -> Result<Vec<VexStatement>, SbomError> {
    let text = crate::limits::text_within(bytes, limits)?;
    let document = crate::read_json_document(text, limits)?;
    crate::cyclonedx::read_json(&document)?;
    statements(&document)
}

/// The statements of an already validated CycloneDX JSON document.
pub fn statements(document: &Value) -> Result<Vec<VexStatement>, SbomError> {
    let mut out = Vec::new();
    let mut diagnostics = Vec::new();
    let list = document
        .get("vulnerabilities")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (index, vulnerability) in list.iter().enumerate() {
        let path = format!("vulnerabilities[{index}]");
        let Some(analysis) = vulnerability.get("analysis") else {
            continue;
        };
        let id = vulnerability
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(state) = analysis
            .get("state")
            .and_then(Value::as_str)
            .and_then(VexState::parse)
        else {
            diagnostics.push(Diagnostic::error(
                format!("{path}.analysis.state"),
                "missing or not a VEX state",
            ));
            continue;
        };
        if id.is_empty() {
            diagnostics.push(Diagnostic::error(format!("{path}.id"), "missing"));
            continue;
        }
        let affects: Vec<String> = vulnerability
            .get("affects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| a.get("ref").and_then(Value::as_str).map(str::to_owned))
            .collect();
        if affects.is_empty() {
            diagnostics.push(Diagnostic::error(
                format!("{path}.affects"),
                "a VEX statement must name what it affects",
            ));
            continue;
        }
        let text = |key: &str| analysis.get(key).and_then(Value::as_str).map(str::to_owned);
        out.push(VexStatement {
            id: id.to_owned(),
            state,
            justification: text("justification"),
            response: analysis
                .get("response")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect(),
            detail: text("detail"),
            affects,
            path,
        });
    }
    if diagnostics.is_empty() {
        Ok(out)
    } else {
        Err(SbomError::Invalid {
            kind: "CycloneDX VEX".into(),
            diagnostics: Diagnostics(diagnostics),
        })
    }
}

/// How specifically a statement names a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// Through the product's `bom-ref`: it covers every component of the SBOM.
    Product,
    /// The component's own `bom-ref`, purl, or a BOM-Link to it.
    Component,
}

/// A BOM-Link `urn:cdx:<serial>/<version>#<bom-ref>` split into serial and fragment.
fn bom_link(reference: &str) -> Option<(&str, &str)> {
    let rest = reference.strip_prefix("urn:cdx:")?;
    let (document, fragment) = rest.split_once('#')?;
    let serial = document.split('/').next().unwrap_or(document);
    Some((serial, fragment))
}

fn names(reference: &str, target: &Component, sbom: &Sbom) -> bool {
    let (reference, serial) = match bom_link(reference) {
        Some((serial, fragment)) => (fragment, Some(serial)),
        None => (reference, None),
    };
    if let (Some(link), Some(own)) = (serial, sbom.serial_number.as_deref())
        && own.strip_prefix("urn:uuid:").unwrap_or(own) != link
    {
        return false;
    }
    target.bom_ref.as_deref() == Some(reference) || target.purl.as_deref() == Some(reference)
}

/// Whether `statement` covers `component` of `sbom`, and how specifically.
pub fn reach(statement: &VexStatement, component: &Component, sbom: &Sbom) -> Option<Reach> {
    if statement.affects.iter().any(|r| names(r, component, sbom)) {
        return Some(Reach::Component);
    }
    let product = sbom.metadata.component.as_ref()?;
    statement
        .affects
        .iter()
        .any(|r| names(r, product, sbom))
        .then_some(Reach::Product)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_links_split() {
        assert_eq!(
            bom_link("urn:cdx:3e67/1#pkg:maven/a/b@1?type=jar"),
            Some(("3e67", "pkg:maven/a/b@1?type=jar"))
        );
        assert_eq!(bom_link("product-ABC"), None);
    }
}
