//! SPDX 2.2/2.3 JSON reader into [`crate::model::Sbom`]: packages with their purl and CPE
//! external references, checksums and supplier, `documentDescribes` as the product, and
//! `DEPENDS_ON`/`CONTAINS` relationships as the dependency graph.
//!
//! Checked here (the SPDX 2.3 JSON schema's rules that matter for matching): `spdxVersion`,
//! `SPDXID`s (`SPDXRef-` prefix, unique), required package `name`, checksum algorithms and
//! digests, external reference categories, and references of relationships.

use std::collections::HashMap;

use serde_json::Value;

use crate::cyclonedx::Loaded;
use crate::error::{Diagnostic, SbomError, reject_errors};
use crate::model::{Component, Dependency, Hash, Metadata, Sbom, SbomFormat};

const CHECKSUM_ALGORITHMS: [&str; 17] = [
    "SHA1",
    "SHA224",
    "SHA256",
    "SHA384",
    "SHA512",
    "SHA3-256",
    "SHA3-384",
    "SHA3-512",
    "BLAKE2b-256",
    "BLAKE2b-384",
    "BLAKE2b-512",
    "BLAKE3",
    "MD2",
    "MD4",
    "MD5",
    "MD6",
    "ADLER32",
];

const REFERENCE_CATEGORIES: [&str; 6] = [
    "SECURITY",
    "PACKAGE-MANAGER",
    "PACKAGE_MANAGER",
    "PERSISTENT-ID",
    "PERSISTENT_ID",
    "OTHER",
];

fn text(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

/// `Organization: Acme (a@b)` → `Acme`; `NOASSERTION` → nothing.
fn actor_name(actor: &str) -> Option<String> {
    let rest = actor
        .strip_prefix("Organization:")
        .or_else(|| actor.strip_prefix("Person:"))
        .unwrap_or(actor);
    let name = rest.split('(').next().unwrap_or(rest).trim();
    (!name.is_empty() && name != "NOASSERTION").then(|| name.to_owned())
}

/// Reads an SPDX 2.x JSON document.
pub fn read_json(document: &Value) -> Result<Loaded, SbomError> {
    let mut diagnostics = Vec::new();
    let version = text(document, "spdxVersion").unwrap_or_default();
    let spec_version = version.strip_prefix("SPDX-").unwrap_or_default().to_owned();
    if !matches!(spec_version.as_str(), "2.2" | "2.3") {
        diagnostics.push(
            Diagnostic::error("spdxVersion", format!("\"{version}\" is not supported"))
                .with_hint("lifeline reads SPDX-2.2 and SPDX-2.3 JSON"),
        );
    }
    if text(document, "SPDXID").as_deref() != Some("SPDXRef-DOCUMENT") {
        diagnostics.push(Diagnostic::error("SPDXID", "must be \"SPDXRef-DOCUMENT\""));
    }
    for field in ["name", "dataLicense", "documentNamespace"] {
        if text(document, field).is_none() {
            diagnostics.push(Diagnostic::error(field, "missing"));
        }
    }
    if document
        .get("creationInfo")
        .and_then(Value::as_object)
        .is_none()
    {
        diagnostics.push(Diagnostic::error("creationInfo", "missing"));
    }
    let empty = Vec::new();
    let packages = match document.get("packages") {
        None => &empty,
        Some(Value::Array(packages)) => packages,
        Some(_) => {
            diagnostics.push(Diagnostic::error("packages", "must be an array"));
            &empty
        }
    };
    let mut components = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for (index, package) in packages.iter().enumerate() {
        let path = format!("packages[{index}]");
        let id = text(package, "SPDXID");
        match &id {
            None => diagnostics.push(Diagnostic::error(format!("{path}.SPDXID"), "missing")),
            Some(id) if !id.starts_with("SPDXRef-") => diagnostics.push(Diagnostic::error(
                format!("{path}.SPDXID"),
                format!("\"{id}\" does not start with \"SPDXRef-\""),
            )),
            Some(id) => {
                if let Some(first) = ids.insert(id.clone(), index) {
                    diagnostics.push(Diagnostic::error(
                        format!("{path}.SPDXID"),
                        format!("\"{id}\" is already the SPDXID of packages[{first}]"),
                    ));
                }
            }
        }
        let name = text(package, "name");
        if name.is_none() {
            diagnostics.push(Diagnostic::error(format!("{path}.name"), "missing"));
        }
        let mut hashes = Vec::new();
        for (position, checksum) in package
            .get("checksums")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let alg = text(checksum, "algorithm").unwrap_or_default();
            let value = text(checksum, "checksumValue").unwrap_or_default();
            let at = format!("{path}.checksums[{position}]");
            if !CHECKSUM_ALGORITHMS.contains(&alg.as_str()) {
                diagnostics.push(Diagnostic::error(
                    format!("{at}.algorithm"),
                    format!("\"{alg}\" is not a checksum algorithm"),
                ));
            }
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                diagnostics.push(Diagnostic::error(
                    format!("{at}.checksumValue"),
                    format!("\"{value}\" is not a hex digest"),
                ));
            }
            hashes.push(Hash {
                alg,
                content: value,
            });
        }
        let mut purl = None;
        let mut cpe = None;
        for (position, reference) in package
            .get("externalRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let at = format!("{path}.externalRefs[{position}]");
            let category = text(reference, "referenceCategory").unwrap_or_default();
            if !REFERENCE_CATEGORIES.contains(&category.as_str()) {
                diagnostics.push(Diagnostic::error(
                    format!("{at}.referenceCategory"),
                    format!("\"{category}\" is not a reference category"),
                ));
            }
            let kind = text(reference, "referenceType").unwrap_or_default();
            let locator = text(reference, "referenceLocator");
            if locator.is_none() {
                diagnostics.push(Diagnostic::error(
                    format!("{at}.referenceLocator"),
                    "missing",
                ));
            }
            match kind.as_str() {
                "purl" if purl.is_none() => purl = locator,
                "cpe23Type" | "cpe22Type" if cpe.is_none() => cpe = locator,
                _ => {}
            }
        }
        components.push(Component {
            bom_ref: id,
            kind: text(package, "primaryPackagePurpose")
                .map(|p| p.to_ascii_lowercase().replace('_', "-"))
                .unwrap_or_else(|| "library".into()),
            group: None,
            name: name.unwrap_or_default(),
            version: text(package, "versionInfo"),
            purl,
            cpe,
            swid_tag_id: None,
            hashes,
            supplier: text(package, "supplier").and_then(|s| actor_name(&s)),
            properties: Vec::new(),
            path,
            parent: None,
        });
    }
    let mut dependencies: Vec<Dependency> = Vec::new();
    for (index, relationship) in document
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let kind = text(relationship, "relationshipType").unwrap_or_default();
        let from = text(relationship, "spdxElementId").unwrap_or_default();
        let to = text(relationship, "relatedSpdxElement").unwrap_or_default();
        let (from, to) = match kind.as_str() {
            "DEPENDS_ON" | "CONTAINS" => (from, to),
            "DEPENDENCY_OF" | "CONTAINED_BY" => (to, from),
            _ => continue,
        };
        for (field, id) in [("spdxElementId", &from), ("relatedSpdxElement", &to)] {
            if id != "SPDXRef-DOCUMENT" && !ids.contains_key(id) && !id.contains(':') {
                diagnostics.push(Diagnostic::warning(
                    format!("relationships[{index}].{field}"),
                    format!("\"{id}\" is not the SPDXID of any package"),
                ));
            }
        }
        match dependencies.iter_mut().find(|d| d.reference == from) {
            Some(dependency) => dependency.depends_on.push(to),
            None => dependencies.push(Dependency {
                reference: from,
                depends_on: vec![to],
            }),
        }
    }
    let described = document
        .get("documentDescribes")
        .and_then(Value::as_array)
        .and_then(|d| d.first())
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            dependencies
                .iter()
                .find(|d| d.reference == "SPDXRef-DOCUMENT")
                .and_then(|d| d.depends_on.first().cloned())
        });
    let product = described
        .as_ref()
        .and_then(|id| ids.get(id))
        .and_then(|index| components.get(*index))
        .cloned();
    let diagnostics = reject_errors(&format!("SPDX {spec_version} JSON"), diagnostics)?;
    let creators = document
        .get("creationInfo")
        .and_then(|c| c.get("creators"))
        .and_then(Value::as_array);
    let organisation = creators
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find(|c| c.starts_with("Organization:"))
        .and_then(actor_name);
    let sbom = Sbom {
        format: SbomFormat::SpdxJson,
        spec_version,
        serial_number: text(document, "documentNamespace"),
        version: None,
        metadata: Metadata {
            supplier: product
                .as_ref()
                .and_then(|p| p.supplier.clone())
                .or(organisation),
            manufacturer: None,
            component: product,
            timestamp: document
                .get("creationInfo")
                .and_then(|c| text(c, "created")),
        },
        components,
        services: Vec::new(),
        dependencies,
    };
    Ok(Loaded {
        sbom,
        warnings: diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_names() {
        assert_eq!(
            actor_name("Organization: Acme Devices (sec@acme.example)").as_deref(),
            Some("Acme Devices")
        );
        assert_eq!(actor_name("NOASSERTION"), None);
    }
}
