//! CycloneDX 1.2–1.7 readers: JSON (validated against the official JSON schema of the
//! document's `specVersion`) and XML (validated against the official XSD of the document's
//! namespace version through `lifeline-xsd`, i.e. libxml2), both into
//! [`crate::model::Sbom`].
//!
//! Why by hand: `cyclonedx-bom` reads 1.3–1.5 only and `serde-cyclonedx` reads JSON 1.4–1.6
//! only (see the project's dependency research); one walker over `serde_json::Value` and one
//! over `roxmltree` cover every version in both syntaxes. Beyond the XSD, the XML reader
//! checks only what the XSD does not state (documented in `docs/vulnerabilities.md`):
//! non-empty `bom-ref`s (1.2–1.4), a positive document `version` (1.2–1.4), and the
//! reference checks shared with JSON.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::error::{Diagnostic, Diagnostics, SbomError, reject_errors};
use crate::limits::ReadLimits;
use crate::model::{Component, Dependency, Hash, Metadata, Sbom, SbomFormat, Service};
use crate::schema::{CYCLONEDX_VERSIONS, validate_cyclonedx};

/// The XML namespace prefix of CycloneDX BOMs; the version follows.
pub const XML_NAMESPACE_PREFIX: &str = "http://cyclonedx.org/schema/bom/";

/// A read document with its warnings (errors reject it).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The SBOM.
    pub sbom: Sbom,
    /// Problems that did not make the document invalid.
    pub warnings: Vec<Diagnostic>,
}

/// Reads a CycloneDX JSON document: `bomFormat`, `specVersion`, then the schema, then
/// references; nothing is returned unless it is valid.
pub fn read_json(document: &Value) -> Result<Loaded, SbomError> {
    let version = document
        .get("specVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut diagnostics = Vec::new();
    if document.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        diagnostics.push(
            Diagnostic::error("bomFormat", "must be \"CycloneDX\"")
                .with_hint("a CycloneDX JSON BOM starts with \"bomFormat\": \"CycloneDX\""),
        );
    }
    if version.is_empty() {
        diagnostics.push(Diagnostic::error("specVersion", "missing"));
    } else {
        diagnostics.extend(validate_cyclonedx(document, &version));
    }
    let kind = format!("CycloneDX {version} JSON");
    let mut diagnostics = reject_errors(&kind, diagnostics)?;
    let sbom = json_to_model(document, &version);
    diagnostics.extend(check_references(&sbom));
    Ok(Loaded {
        sbom,
        warnings: reject_errors(&kind, diagnostics)?,
    })
}

fn text(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

fn organisation(value: Option<&Value>) -> Option<String> {
    value.and_then(|v| text(v, "name"))
}

fn json_component(value: &Value, path: String, parent: Option<usize>) -> Component {
    let hashes = value
        .get("hashes")
        .and_then(Value::as_array)
        .map(|hashes| {
            hashes
                .iter()
                .map(|h| Hash {
                    alg: text(h, "alg").unwrap_or_default(),
                    content: text(h, "content").unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let properties = value
        .get("properties")
        .and_then(Value::as_array)
        .map(|properties| {
            properties
                .iter()
                .filter_map(|p| Some((text(p, "name")?, text(p, "value").unwrap_or_default())))
                .collect()
        })
        .unwrap_or_default();
    Component {
        bom_ref: text(value, "bom-ref"),
        kind: text(value, "type").unwrap_or_default(),
        group: text(value, "group"),
        name: text(value, "name").unwrap_or_default(),
        version: text(value, "version"),
        purl: text(value, "purl"),
        cpe: text(value, "cpe"),
        swid_tag_id: value.get("swid").and_then(|s| text(s, "tagId")),
        hashes,
        supplier: organisation(value.get("supplier"))
            .or_else(|| organisation(value.get("manufacturer")))
            .or_else(|| text(value, "publisher")),
        properties,
        path,
        parent,
    }
}

/// Reads nested `components` lists in document order (each component, then the
/// components inside it) with an explicit stack: nesting comes from the file, so no
/// recursion on it.
fn walk_json_components(list: Option<&Value>, out: &mut Vec<Component>) {
    // (list, path prefix, parent index, next position in the list)
    let mut stack: Vec<(&Vec<Value>, String, Option<usize>, usize)> = Vec::new();
    if let Some(list) = list.and_then(Value::as_array) {
        stack.push((list, String::new(), None, 0));
    }
    while let Some((list, prefix, parent, position)) = stack.pop() {
        let Some(value) = list.get(position) else {
            continue;
        };
        let path = format!("{prefix}components[{position}]");
        out.push(json_component(value, path.clone(), parent));
        let me = out.len() - 1;
        stack.push((list, prefix, parent, position + 1));
        if let Some(inner) = value.get("components").and_then(Value::as_array) {
            stack.push((inner, format!("{path}."), Some(me), 0));
        }
    }
}

fn json_to_model(document: &Value, version: &str) -> Sbom {
    let metadata = document.get("metadata");
    let mut components = Vec::new();
    walk_json_components(document.get("components"), &mut components);
    let services = document
        .get("services")
        .and_then(Value::as_array)
        .map(|services| {
            services
                .iter()
                .enumerate()
                .map(|(index, s)| Service {
                    bom_ref: text(s, "bom-ref"),
                    name: text(s, "name").unwrap_or_default(),
                    version: text(s, "version"),
                    provider: organisation(s.get("provider")),
                    path: format!("services[{index}]"),
                })
                .collect()
        })
        .unwrap_or_default();
    let dependencies = document
        .get("dependencies")
        .and_then(Value::as_array)
        .map(|dependencies| {
            dependencies
                .iter()
                .map(|d| Dependency {
                    reference: text(d, "ref").unwrap_or_default(),
                    depends_on: d
                        .get("dependsOn")
                        .and_then(Value::as_array)
                        .map(|on| {
                            on.iter()
                                .filter_map(|r| r.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Sbom {
        format: SbomFormat::CycloneDxJson,
        spec_version: version.to_owned(),
        serial_number: text(document, "serialNumber"),
        version: document.get("version").and_then(Value::as_u64),
        metadata: Metadata {
            component: metadata
                .and_then(|m| m.get("component"))
                .map(|c| json_component(c, "metadata.component".into(), None)),
            supplier: organisation(metadata.and_then(|m| m.get("supplier"))),
            manufacturer: organisation(metadata.and_then(|m| m.get("manufacturer")))
                .or_else(|| organisation(metadata.and_then(|m| m.get("manufacture")))),
            timestamp: metadata.and_then(|m| text(m, "timestamp")),
        },
        components,
        services,
        dependencies,
    }
}

/// Rules the schemas cannot state: `bom-ref` values are unique in a BOM, dependencies refer
/// to something in it, purls parse.
fn check_references(sbom: &Sbom) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut seen: HashMap<&str, &str> = HashMap::new();
    let metadata = sbom.metadata.component.iter();
    for component in metadata.chain(sbom.components.iter()) {
        if let Some(reference) = &component.bom_ref
            && let Some(first) = seen.insert(reference, &component.path)
        {
            diagnostics.push(Diagnostic::error(
                format!("{}.bom-ref", component.path),
                format!("\"{reference}\" is already the bom-ref of {first}"),
            ));
        }
        if let Some(purl) = &component.purl
            && let Err(error) = crate::purl::Purl::parse(purl)
        {
            diagnostics.push(
                Diagnostic::warning(
                    format!("{}.purl", component.path),
                    format!("\"{purl}\" is not a valid package URL: {error}"),
                )
                .with_hint("the component will be reported as unmatched"),
            );
        }
    }
    let mut known: HashSet<&str> = seen.keys().copied().collect();
    known.extend(sbom.services.iter().filter_map(|s| s.bom_ref.as_deref()));
    for (index, dependency) in sbom.dependencies.iter().enumerate() {
        if !known.contains(dependency.reference.as_str()) {
            diagnostics.push(Diagnostic::warning(
                format!("dependencies[{index}].ref"),
                format!(
                    "\"{}\" is not the bom-ref of any component or service",
                    dependency.reference
                ),
            ));
        }
        for (position, target) in dependency.depends_on.iter().enumerate() {
            if !known.contains(target.as_str()) {
                diagnostics.push(Diagnostic::warning(
                    format!("dependencies[{index}].dependsOn[{position}]"),
                    format!("\"{target}\" is not the bom-ref of any component or service"),
                ));
            }
        }
    }
    diagnostics
}

/// Reads a CycloneDX XML document (namespace `http://cyclonedx.org/schema/bom/1.N`)
/// within the default [`ReadLimits`].
pub fn read_xml(text: &str) -> Result<Loaded, SbomError> {
    read_xml_with(text, &ReadLimits::default())
}

/// [`read_xml`] within `limits`: `roxmltree` has no depth limit of its own, so the
/// depth and the value sizes are checked before anything walks the tree.
pub fn read_xml_with(text: &str, limits: &ReadLimits) -> Result<Loaded, SbomError> {
    if text.len() > limits.max_file_bytes {
        return Err(SbomError::TooLarge {
            bytes: text.len(),
            limit: limits.max_file_bytes,
        });
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    let document =
        roxmltree::Document::parse_with_options(text, options).map_err(|e| SbomError::Syntax {
            format: "XML",
            message: e.to_string(),
        })?;
    let depth = crate::limits::xml_depth(&document);
    if depth > limits.max_depth {
        return Err(SbomError::TooDeep {
            depth,
            limit: limits.max_depth,
        });
    }
    let long = crate::limits::long_xml_values(&document, limits.max_value_bytes);
    if !long.is_empty() {
        return Err(SbomError::Invalid {
            kind: "XML".into(),
            diagnostics: Diagnostics(crate::limits::cap_problems(long)),
        });
    }
    let root = document.root_element();
    let namespace = root.tag_name().namespace().unwrap_or_default();
    let version = namespace
        .strip_prefix(XML_NAMESPACE_PREFIX)
        .unwrap_or_default()
        .to_owned();
    if root.tag_name().name() != "bom" || !namespace.starts_with(XML_NAMESPACE_PREFIX) {
        return Err(SbomError::UnknownKind(format!(
            "XML root element `{}` in namespace `{namespace}` is not a CycloneDX <bom>",
            root.tag_name().name()
        )));
    }
    let mut reader = XmlReader {
        version: version.clone(),
        namespace: namespace.to_owned(),
        diagnostics: Vec::new(),
    };
    if !CYCLONEDX_VERSIONS.contains(&version.as_str()) {
        reader.diagnostics.push(
            Diagnostic::error(
                "bom",
                format!("CycloneDX version \"{version}\" is not supported"),
            )
            .with_hint(format!("supported: {}", CYCLONEDX_VERSIONS.join(", "))),
        );
    }
    if reader.diagnostics.is_empty()
        && let Some(diagnostics) = validate_xsd(&version, text)
    {
        return Err(SbomError::Invalid {
            kind: format!("CycloneDX {version} XML"),
            diagnostics,
        });
    }
    let sbom = reader.bom(root);
    let mut diagnostics = reader.diagnostics;
    diagnostics.extend(check_references(&sbom));
    Ok(Loaded {
        sbom,
        warnings: reject_errors(&format!("CycloneDX {version} XML"), diagnostics)?,
    })
}

/// Validates a CycloneDX XML document against the XSD of its version (`lifeline-xsd`);
/// `None` when valid, else every problem as a diagnostic at its path.
fn validate_xsd(version: &str, text: &str) -> Option<Diagnostics> {
    let minor = version.strip_prefix("1.")?.parse::<u8>().ok()?;
    let set = lifeline_xsd::SchemaSet::CycloneDx { minor };
    let diagnostics = match lifeline_xsd::validate(set, text.as_bytes()) {
        Ok(validation) if validation.is_valid() => return None,
        Ok(validation) => {
            let mut diagnostics: Vec<Diagnostic> =
                validation.problems.iter().map(xsd_diagnostic).collect();
            if validation.omitted > 0 {
                diagnostics.push(Diagnostic::error(
                    "",
                    format!("{} further XSD problems not shown", validation.omitted),
                ));
            }
            diagnostics
        }
        Err(error) => vec![Diagnostic::error(
            "",
            format!("XSD validation failed: {error}"),
        )],
    };
    Some(Diagnostics(diagnostics))
}

/// One XSD problem as a diagnostic: the path in this crate's style, libxml2's message
/// without its element lead, and the line and column.
fn xsd_diagnostic(problem: &lifeline_xsd::XsdProblem) -> Diagnostic {
    let mut message = problem.short_message();
    match (problem.line, problem.column) {
        (Some(line), Some(column)) => message.push_str(&format!(" (line {line}, column {column})")),
        (Some(line), None) => message.push_str(&format!(" (line {line})")),
        _ => {}
    }
    Diagnostic::error(xsd_path(&problem.path), message)
}

/// An XSD element path in the style of the JSON paths: a list element and its item become
/// one step with the item's 0-based index, other repeated elements get their 0-based index,
/// the root is dropped unless nothing else names the place:
/// `/bom/components[1]/component[4]/hashes[1]/hash[1]/@alg` → `components[3].hashes[0].alg`.
pub fn xsd_path(path: &lifeline_xsd::XsdPath) -> String {
    let steps = path.elements.get(1..).unwrap_or_default();
    let mut parts: Vec<String> = Vec::new();
    let mut at = 0;
    while let Some(step) = steps.get(at) {
        match steps.get(at + 1) {
            Some(item) if is_list_of(&step.name, &item.name) => {
                parts.push(format!("{}[{}]", step.name, item.index.saturating_sub(1)));
                at += 2;
            }
            _ if step.index > 1 => {
                parts.push(format!("{}[{}]", step.name, step.index - 1));
                at += 1;
            }
            _ => {
                parts.push(step.name.clone());
                at += 1;
            }
        }
    }
    if parts.is_empty()
        && let Some(root) = path.elements.first()
    {
        parts.push(root.name.clone());
    }
    if let Some(attribute) = &path.attribute {
        parts.push(attribute.clone());
    }
    parts.join(".")
}

/// Whether `list` is the list element of `item`s: `components`/`component`,
/// `hashes`/`hash`, `dependencies`/`dependency`, `externalReferences`/`reference`.
fn is_list_of(list: &str, item: &str) -> bool {
    let list = list.to_ascii_lowercase();
    let item = item.to_ascii_lowercase();
    list.ends_with(&format!("{item}s"))
        || list.ends_with(&format!("{item}es"))
        || item
            .strip_suffix('y')
            .is_some_and(|stem| list.ends_with(&format!("{stem}ies")))
}

struct XmlReader {
    version: String,
    namespace: String,
    diagnostics: Vec<Diagnostic>,
}

type Node<'a, 'input> = roxmltree::Node<'a, 'input>;

impl XmlReader {
    fn children<'a, 'input>(
        &self,
        node: Node<'a, 'input>,
        name: &'static str,
    ) -> Vec<Node<'a, 'input>> {
        node.children()
            .filter(|c| {
                c.is_element()
                    && c.tag_name().name() == name
                    && c.tag_name().namespace().unwrap_or_default() == self.namespace
            })
            .collect()
    }

    fn child<'a, 'input>(
        &self,
        node: Node<'a, 'input>,
        name: &'static str,
    ) -> Option<Node<'a, 'input>> {
        self.children(node, name).into_iter().next()
    }

    fn child_text(&self, node: Node<'_, '_>, name: &'static str) -> Option<String> {
        self.child(node, name)
            .and_then(|c| c.text())
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    }

    fn organisation(&self, node: Option<Node<'_, '_>>) -> Option<String> {
        node.and_then(|n| self.child_text(n, "name"))
    }

    fn bom(&mut self, root: Node<'_, '_>) -> Sbom {
        let metadata = self.child(root, "metadata");
        let mut components = Vec::new();
        if let Some(list) = self.child(root, "components") {
            self.components(list, &mut components);
        }
        let metadata_component = metadata
            .and_then(|m| self.child(m, "component"))
            .map(|c| self.component(c, "metadata.component".into(), None));
        let mut services = Vec::new();
        if let Some(list) = self.child(root, "services") {
            for (index, s) in self.children(list, "service").into_iter().enumerate() {
                let path = format!("services[{index}]");
                let name = self.child_text(s, "name");
                services.push(Service {
                    bom_ref: s.attribute("bom-ref").map(str::to_owned),
                    name: name.unwrap_or_default(),
                    version: self.child_text(s, "version"),
                    provider: self.organisation(self.child(s, "provider")),
                    path,
                });
            }
        }
        let mut dependencies = Vec::new();
        if let Some(list) = self.child(root, "dependencies") {
            self.dependencies(list, &mut dependencies);
        }
        let version = root.attribute("version").and_then(|v| v.parse().ok());
        if let Some(raw) = root.attribute("version")
            && version.is_none()
        {
            self.diagnostics.push(Diagnostic::error(
                "bom.version",
                format!("\"{raw}\" is not a positive integer"),
            ));
        }
        Sbom {
            format: SbomFormat::CycloneDxXml,
            spec_version: self.version.clone(),
            serial_number: root.attribute("serialNumber").map(str::to_owned),
            version,
            metadata: Metadata {
                component: metadata_component,
                supplier: self.organisation(metadata.and_then(|m| self.child(m, "supplier"))),
                manufacturer: self
                    .organisation(metadata.and_then(|m| self.child(m, "manufacturer")))
                    .or_else(|| {
                        self.organisation(metadata.and_then(|m| self.child(m, "manufacture")))
                    }),
                timestamp: metadata.and_then(|m| self.child_text(m, "timestamp")),
            },
            components,
            services,
            dependencies,
        }
    }

    fn dependencies(&mut self, list: Node<'_, '_>, out: &mut Vec<Dependency>) {
        for d in self.children(list, "dependency") {
            // The XSD requires `ref`; a dependency without one cannot be linked anyway.
            let Some(reference) = d.attribute("ref") else {
                continue;
            };
            let depends_on = self
                .children(d, "dependency")
                .into_iter()
                .filter_map(|inner| inner.attribute("ref").map(str::to_owned))
                .collect();
            out.push(Dependency {
                reference: reference.to_owned(),
                depends_on,
            });
        }
    }

    /// Reads nested `<components>` in document order with an explicit stack (no
    /// recursion on the file's nesting).
    fn components(&mut self, list: Node<'_, '_>, out: &mut Vec<Component>) {
        // (the `<component>` nodes of one list, path prefix, parent index, next position)
        let mut stack = vec![(self.children(list, "component"), String::new(), None, 0)];
        while let Some((nodes, prefix, parent, position)) = stack.pop() {
            let Some(&node) = nodes.get(position) else {
                continue;
            };
            let path = format!("{prefix}components[{position}]");
            let component = self.component(node, path.clone(), parent);
            out.push(component);
            let me = out.len() - 1;
            let inner = self.child(node, "components");
            stack.push((nodes, prefix, parent, position + 1));
            if let Some(inner) = inner {
                stack.push((
                    self.children(inner, "component"),
                    format!("{path}."),
                    Some(me),
                    0,
                ));
            }
        }
    }

    fn component(&mut self, node: Node<'_, '_>, path: String, parent: Option<usize>) -> Component {
        // Type, name and hashes were checked by the XSD of the document's version.
        let kind = node.attribute("type").unwrap_or_default().to_owned();
        let name = self.child_text(node, "name");
        let mut hashes = Vec::new();
        if let Some(list) = self.child(node, "hashes") {
            for h in self.children(list, "hash") {
                let alg = h.attribute("alg").unwrap_or_default().to_owned();
                let content = h.text().unwrap_or_default().trim().to_owned();
                hashes.push(Hash { alg, content });
            }
        }
        let mut properties = Vec::new();
        if let Some(list) = self.child(node, "properties") {
            for p in self.children(list, "property") {
                if let Some(name) = p.attribute("name") {
                    properties.push((name.to_owned(), p.text().unwrap_or_default().to_owned()));
                }
            }
        }
        let bom_ref = node.attribute("bom-ref").map(str::to_owned);
        if bom_ref.as_deref() == Some("") {
            self.diagnostics.push(Diagnostic::error(
                format!("{path}.bom-ref"),
                "must not be empty",
            ));
        }
        Component {
            bom_ref,
            kind,
            group: self.child_text(node, "group"),
            name: name.unwrap_or_default(),
            version: self.child_text(node, "version"),
            purl: self.child_text(node, "purl"),
            cpe: self.child_text(node, "cpe"),
            swid_tag_id: self
                .child(node, "swid")
                .and_then(|s| s.attribute("tagId"))
                .map(str::to_owned),
            hashes,
            supplier: self
                .organisation(self.child(node, "supplier"))
                .or_else(|| self.organisation(self.child(node, "manufacturer")))
                .or_else(|| self.child_text(node, "publisher")),
            properties,
            path,
            parent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lifeline_xsd::{ElementStep, XsdPath};

    fn xsd(steps: &[(&str, u32)], attribute: Option<&str>) -> String {
        xsd_path(&XsdPath {
            elements: steps
                .iter()
                .map(|(name, index)| ElementStep {
                    name: (*name).to_owned(),
                    index: *index,
                })
                .collect(),
            attribute: attribute.map(str::to_owned),
        })
    }

    #[test]
    fn xsd_paths_become_json_style_paths() {
        assert_eq!(
            xsd(
                &[
                    ("bom", 1),
                    ("components", 1),
                    ("component", 4),
                    ("hashes", 1),
                    ("hash", 1)
                ],
                Some("alg")
            ),
            "components[3].hashes[0].alg"
        );
        assert_eq!(
            xsd(
                &[("bom", 1), ("metadata", 1), ("component", 1), ("name", 1)],
                None
            ),
            "metadata.component.name"
        );
        assert_eq!(
            xsd(
                &[("bom", 1), ("dependencies", 1), ("dependency", 2)],
                Some("ref")
            ),
            "dependencies[1].ref"
        );
        assert_eq!(xsd(&[("bom", 1)], Some("version")), "bom.version");
        assert_eq!(xsd(&[], None), "");
    }
}
