//! The one SBOM model that every reader (CycloneDX JSON and XML 1.2–1.7, SPDX 2.3 JSON)
//! fills: components flattened in document order with the path they came from.

use serde::Serialize;

/// Which standard and serialisation a document was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SbomFormat {
    /// CycloneDX in JSON.
    CycloneDxJson,
    /// CycloneDX in XML.
    CycloneDxXml,
    /// SPDX 2.x in JSON.
    SpdxJson,
}

impl SbomFormat {
    /// A human name: `CycloneDX`, `SPDX`.
    pub fn standard(self) -> &'static str {
        match self {
            SbomFormat::CycloneDxJson | SbomFormat::CycloneDxXml => "CycloneDX",
            SbomFormat::SpdxJson => "SPDX",
        }
    }
    /// `JSON` or `XML`.
    pub fn syntax(self) -> &'static str {
        match self {
            SbomFormat::CycloneDxJson | SbomFormat::SpdxJson => "JSON",
            SbomFormat::CycloneDxXml => "XML",
        }
    }
}

/// A hash of a component's artefact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hash {
    /// The algorithm as the document names it (`SHA-256`).
    pub alg: String,
    /// Hex digest.
    pub content: String,
}

/// One component (library, firmware, application, device, ...), nested ones included.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// CycloneDX `bom-ref` or SPDX `SPDXID`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    /// CycloneDX `type` (`library`, `firmware`, ...); SPDX `primaryPackagePurpose` lowercased.
    pub kind: String,
    /// Maven group, npm scope or other namespace, when given separately from the purl.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Name.
    pub name: String,
    /// Version string as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Package URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// CPE 2.2 or 2.3 name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    /// SWID tag id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swid_tag_id: Option<String>,
    /// Hashes of the artefact.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    /// Supplier organisation name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// `name=value` properties (CycloneDX `properties`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<(String, String)>,
    /// Where in the document: `components[2].components[0]`, `packages[5]`.
    pub path: String,
    /// The index (into [`Sbom::components`]) of the enclosing component, if nested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<usize>,
}

impl Component {
    /// `name@version`, or `name` when there is no version.
    pub fn display_name(&self) -> String {
        let name = match &self.group {
            Some(group) if !group.is_empty() => format!("{group}/{}", self.name),
            _ => self.name.clone(),
        };
        match &self.version {
            Some(version) => format!("{name}@{version}"),
            None => name,
        }
    }
}

/// A service (CycloneDX `services`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// `bom-ref`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bom_ref: Option<String>,
    /// Name.
    pub name: String,
    /// Version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Provider organisation name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Where in the document.
    pub path: String,
}

/// One edge list of the dependency graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    /// The depending component's reference.
    pub reference: String,
    /// What it depends on.
    pub depends_on: Vec<String>,
}

/// Document metadata: the product described, and who made and supplied it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// The product this SBOM describes (CycloneDX `metadata.component`, SPDX
    /// `documentDescribes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<Component>,
    /// The supplier organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// The manufacturer organisation (CycloneDX 1.6 `metadata.manufacturer`, earlier
    /// `metadata.manufacture`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    /// Creation time as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// An SBOM read into the common model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sbom {
    /// Standard and syntax.
    pub format: SbomFormat,
    /// `1.6`, `2.3`, ...
    pub spec_version: String,
    /// CycloneDX `serialNumber` (`urn:uuid:...`) or SPDX `documentNamespace`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// CycloneDX document `version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// Product, manufacturer, supplier.
    pub metadata: Metadata,
    /// Every component, nested ones flattened after their parent.
    pub components: Vec<Component>,
    /// Services.
    pub services: Vec<Service>,
    /// Dependency graph.
    pub dependencies: Vec<Dependency>,
}

impl Sbom {
    /// `CycloneDX 1.6 JSON`, `SPDX 2.3 JSON`.
    pub fn kind(&self) -> String {
        format!(
            "{} {} {}",
            self.format.standard(),
            self.spec_version,
            self.format.syntax()
        )
    }
}
