//! A medical-device inventory from FHIR R5 `Device` resources (JSON or XML; one resource, a
//! `Bundle`, or a JSON array), linked to SBOMs and rolled up per device, per product
//! (vendor, model, version) and per vendor.
//!
//! Why by hand: the typed FHIR R5 model crate takes over ten minutes to compile (see the
//! project's dependency research) and lifeline reads a handful of `Device` fields.
//!
//! An SBOM describes a device when, in this order:
//! 1. a property of the SBOM's product (`metadata.component.properties`) whose name contains
//!    `udi` has a value equal to one of the device's `udiCarrier.deviceIdentifier` (UDI-DI);
//! 2. or the SBOM's manufacturer (or supplier, or the product's supplier) is the device's
//!    `manufacturer` (compared as vendor ids), the product's name is the device's
//!    `modelNumber` or one of its names, and, when both give a version, the versions agree.
//!
//! The vendor id is the manufacturer's name reduced to lower-case letters and digits joined
//! by `-` (`Acme Devices, Inc` → `acme-devices-inc`); a network node or platform that carries
//! the same id is the same vendor.

use std::collections::{BTreeMap, BTreeSet};

use lifeline_network::ValidatedNetwork;
use lifeline_text::Excerpt;
use serde::Serialize;
use serde_json::Value;

use crate::cvss::Rating;
use crate::error::{DeviceError, Diagnostic, Diagnostics};
use crate::limits::ReadLimits;
use crate::model::Sbom;
use crate::scan::{ScanReport, Status};

/// The fields of a FHIR `Device` that lifeline uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// Resource id.
    pub id: String,
    /// Where in the input: `entry[2].resource`, or empty for a single resource.
    pub path: String,
    /// `manufacturer`.
    pub manufacturer: Option<String>,
    /// `modelNumber`.
    pub model_number: Option<String>,
    /// `name[].value` (R4 `deviceName[].name` is read too, with a warning).
    pub names: Vec<String>,
    /// `version[].value`.
    pub versions: Vec<String>,
    /// `udiCarrier[].deviceIdentifier` (UDI-DI).
    pub udi_device_identifiers: Vec<String>,
    /// `serialNumber`.
    pub serial_number: Option<String>,
}

impl Device {
    /// The name to show: first name, else model, else id.
    pub fn label(&self) -> String {
        self.names
            .first()
            .or(self.model_number.as_ref())
            .cloned()
            .unwrap_or_else(|| self.id.clone())
    }
    /// The vendor id of the manufacturer.
    pub fn vendor_id(&self) -> Option<String> {
        self.manufacturer.as_deref().map(vendor_id)
    }
}

/// A manufacturer or supplier name reduced to a vendor id: `Acme Devices, Inc` →
/// `acme-devices-inc`. The rule is the network model's, so a network node or platform
/// whose `vendor` is this id names the same organisation.
pub use lifeline_network::vendor_id;

/// A device inventory with its warnings.
#[derive(Debug, Clone)]
pub struct Inventory {
    /// The devices.
    pub devices: Vec<Device>,
    /// Problems that did not reject the inventory.
    pub warnings: Vec<Diagnostic>,
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// Reads FHIR `Device` resources from JSON or XML bytes.
pub fn read_inventory(bytes: &[u8]) -> Result<Inventory, DeviceError> {
    read_inventory_with(bytes, &ReadLimits::default())
}

/// [`read_inventory`] within `limits`: the file size, the nesting depth (`roxmltree`
/// has no limit of its own) and the size of each value are checked before the
/// resources are read.
pub fn read_inventory_with(bytes: &[u8], limits: &ReadLimits) -> Result<Inventory, DeviceError> {
    let text = crate::limits::text_within(bytes, limits)?;
    let mut diagnostics = Vec::new();
    let mut devices = Vec::new();
    if text.trim_start().starts_with('<') {
        let document = roxmltree::Document::parse(text).map_err(|e| DeviceError::Syntax {
            format: "XML",
            message: e.to_string(),
        })?;
        let depth = crate::limits::xml_depth(&document);
        if depth > limits.max_depth {
            return Err(DeviceError::TooDeep {
                depth,
                limit: limits.max_depth,
            });
        }
        diagnostics.extend(crate::limits::long_xml_values(
            &document,
            limits.max_value_bytes,
        ));
        xml_resources(document.root_element(), "", &mut devices, &mut diagnostics);
    } else {
        let document: Value = serde_json::from_str(text).map_err(|e| DeviceError::Syntax {
            format: "JSON",
            message: e.to_string(),
        })?;
        let depth = crate::limits::json_depth(&document);
        if depth > limits.max_depth {
            return Err(DeviceError::TooDeep {
                depth,
                limit: limits.max_depth,
            });
        }
        diagnostics.extend(crate::limits::long_json_values(
            &document,
            limits.max_value_bytes,
        ));
        json_resources(&document, "", &mut devices, &mut diagnostics);
    }
    let mut seen = BTreeMap::new();
    for device in &devices {
        if let Some(first) = seen.insert(device.id.clone(), device.path.clone()) {
            diagnostics.push(Diagnostic::error(
                join(&device.path, "id"),
                format!(
                    "\"{}\" is already the id of the Device at {first}",
                    Excerpt(&device.id)
                ),
            ));
        }
    }
    if devices.is_empty() && !diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.push(Diagnostic::error("", "no Device resource found"));
    }
    let diagnostics = crate::limits::cap_problems(diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(DeviceError::Invalid {
            diagnostics: Diagnostics(diagnostics),
        });
    }
    Ok(Inventory {
        devices,
        warnings: diagnostics,
    })
}

fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    }
}

/// Reads the resources of a JSON inventory (a resource, an array of them, or Bundles
/// nested in any way) in document order, with an explicit stack: the nesting comes from
/// the file, so no recursion on it.
fn json_resources(
    value: &Value,
    path: &str,
    devices: &mut Vec<Device>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut stack: Vec<(&Value, String)> = vec![(value, path.to_owned())];
    while let Some((value, path)) = stack.pop() {
        if let Some(list) = value.as_array() {
            for (index, item) in list.iter().enumerate().rev() {
                stack.push((item, format!("{path}[{index}]")));
            }
            continue;
        }
        match value.get("resourceType").and_then(Value::as_str) {
            Some("Bundle") => {
                let entries: Vec<&Value> = value
                    .get("entry")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .collect();
                for (index, entry) in entries.into_iter().enumerate().rev() {
                    if let Some(resource) = entry.get("resource") {
                        let at = join(&path, &format!("entry[{index}].resource"));
                        stack.push((resource, at));
                    }
                }
            }
            Some("Device") => devices.push(json_device(value, &path, diagnostics)),
            Some(other) => diagnostics.push(Diagnostic::warning(
                join(&path, "resourceType"),
                format!("\"{}\" is not a Device; skipped", Excerpt(other)),
            )),
            None => diagnostics.push(Diagnostic::error(
                join(&path, "resourceType"),
                "missing: not a FHIR resource",
            )),
        }
    }
}

fn string(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn json_device(value: &Value, path: &str, diagnostics: &mut Vec<Diagnostic>) -> Device {
    let id = string(value, "id").unwrap_or_default();
    if !valid_id(&id) {
        diagnostics.push(Diagnostic::error(
            join(path, "id"),
            format!("\"{id}\" is not a FHIR id (1–64 of A–Z, a–z, 0–9, `-`, `.`)"),
        ));
    }
    let list = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    };
    let mut names: Vec<String> = list("name").filter_map(|n| string(n, "value")).collect();
    if value.get("deviceName").is_some() {
        diagnostics.push(Diagnostic::warning(
            join(path, "deviceName"),
            "R4 element; read as R5 `name`",
        ));
        names.extend(list("deviceName").filter_map(|n| string(n, "name")));
    }
    let mut udi = Vec::new();
    for (index, carrier) in list("udiCarrier").enumerate() {
        match string(carrier, "deviceIdentifier") {
            Some(di) => udi.push(di),
            None => diagnostics.push(Diagnostic::error(
                join(path, &format!("udiCarrier[{index}].deviceIdentifier")),
                "missing",
            )),
        }
    }
    let versions = match value.get("version") {
        Some(Value::Array(versions)) => {
            versions.iter().filter_map(|v| string(v, "value")).collect()
        }
        Some(Value::String(version)) => {
            diagnostics.push(Diagnostic::warning(
                join(path, "version"),
                "a string (STU3 style); R5 has `version[].value`",
            ));
            vec![version.clone()]
        }
        _ => Vec::new(),
    };
    Device {
        id,
        path: path.to_owned(),
        manufacturer: string(value, "manufacturer"),
        model_number: string(value, "modelNumber"),
        names,
        versions,
        udi_device_identifiers: udi,
        serial_number: string(value, "serialNumber"),
    }
}

const FHIR_NAMESPACE: &str = "http://hl7.org/fhir";

fn xml_children<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> {
    node.children().filter(move |c| {
        c.is_element()
            && c.tag_name().name() == name
            && c.tag_name().namespace() == Some(FHIR_NAMESPACE)
    })
}

fn xml_value(node: roxmltree::Node<'_, '_>, name: &'static str) -> Option<String> {
    xml_children(node, name)
        .next()
        .and_then(|c| c.attribute("value"))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Reads the resources of an XML inventory in document order with an explicit stack
/// (Bundles may nest as deep as the file says; no recursion on it).
fn xml_resources(
    node: roxmltree::Node<'_, '_>,
    path: &str,
    devices: &mut Vec<Device>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut stack = vec![(node, path.to_owned())];
    while let Some((node, path)) = stack.pop() {
        let nested = xml_resource(node, &path, devices, diagnostics);
        stack.extend(nested.into_iter().rev());
    }
}

/// Reads one resource; a Bundle's resources are returned, not read.
fn xml_resource<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    path: &str,
    devices: &mut Vec<Device>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(roxmltree::Node<'a, 'input>, String)> {
    let mut nested = Vec::new();
    if node.tag_name().namespace() != Some(FHIR_NAMESPACE) {
        diagnostics.push(Diagnostic::error(
            path,
            format!(
                "<{}> is not in the FHIR namespace {FHIR_NAMESPACE}",
                Excerpt(node.tag_name().name())
            ),
        ));
        return nested;
    }
    match node.tag_name().name() {
        "Bundle" => {
            for (index, entry) in xml_children(node, "entry").enumerate() {
                if let Some(resource) = xml_children(entry, "resource").next()
                    && let Some(inner) = resource.children().find(|c| c.is_element())
                {
                    let at = join(path, &format!("entry[{index}].resource"));
                    nested.push((inner, at));
                }
            }
        }
        "Device" => {
            let id = xml_value(node, "id").unwrap_or_default();
            if !valid_id(&id) {
                diagnostics.push(Diagnostic::error(
                    join(path, "id"),
                    format!(
                        "\"{}\" is not a FHIR id (1–64 of A–Z, a–z, 0–9, `-`, `.`)",
                        Excerpt(&id)
                    ),
                ));
            }
            let mut names: Vec<String> = xml_children(node, "name")
                .filter_map(|n| xml_value(n, "value"))
                .collect();
            let r4: Vec<String> = xml_children(node, "deviceName")
                .filter_map(|n| xml_value(n, "name"))
                .collect();
            if !r4.is_empty() {
                diagnostics.push(Diagnostic::warning(
                    join(path, "deviceName"),
                    "R4 element; read as R5 `name`",
                ));
                names.extend(r4);
            }
            let mut udi = Vec::new();
            for (index, carrier) in xml_children(node, "udiCarrier").enumerate() {
                match xml_value(carrier, "deviceIdentifier") {
                    Some(di) => udi.push(di),
                    None => diagnostics.push(Diagnostic::error(
                        join(path, &format!("udiCarrier[{index}].deviceIdentifier")),
                        "missing",
                    )),
                }
            }
            devices.push(Device {
                id,
                path: path.to_owned(),
                manufacturer: xml_value(node, "manufacturer"),
                model_number: xml_value(node, "modelNumber"),
                names,
                versions: xml_children(node, "version")
                    .filter_map(|v| xml_value(v, "value"))
                    .collect(),
                udi_device_identifiers: udi,
                serial_number: xml_value(node, "serialNumber"),
            });
        }
        other => diagnostics.push(Diagnostic::warning(
            path,
            format!("<{}> is not a Device; skipped", Excerpt(other)),
        )),
    }
    nested
}

/// How an SBOM was linked to a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkRule {
    /// The SBOM's product carries the device's UDI-DI.
    UdiDi,
    /// Same manufacturer, model and (when both give one) version.
    ManufacturerModel,
}

/// The rule by which `sbom` describes `device`, if any.
pub fn link(device: &Device, sbom: &Sbom) -> Option<LinkRule> {
    let product = sbom.metadata.component.as_ref()?;
    let udi_match = product.properties.iter().any(|(name, value)| {
        name.to_ascii_lowercase().contains("udi")
            && device
                .udi_device_identifiers
                .iter()
                .any(|di| di == value.trim())
    });
    if udi_match {
        return Some(LinkRule::UdiDi);
    }
    let device_vendor = device.vendor_id()?;
    let sbom_vendor = [
        sbom.metadata.manufacturer.as_deref(),
        sbom.metadata.supplier.as_deref(),
        product.supplier.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(vendor_id)
    .any(|v| v == device_vendor);
    let model = device
        .model_number
        .iter()
        .chain(device.names.iter())
        .any(|m| m.eq_ignore_ascii_case(product.name.trim()));
    let version = match &product.version {
        Some(version) if !device.versions.is_empty() => device.versions.contains(version),
        _ => true,
    };
    (sbom_vendor && model && version).then_some(LinkRule::ManufacturerModel)
}

/// Finding counts of a device, product or vendor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Open findings.
    pub open: usize,
    /// Open findings by severity (`CRITICAL`, ...).
    pub by_severity: BTreeMap<String, usize>,
    /// Open findings in CISA KEV.
    pub kev: usize,
    /// Open KEV findings with known ransomware use.
    pub kev_ransomware: usize,
    /// Resolved by VEX.
    pub resolved: usize,
    /// Suppressed by VEX.
    pub suppressed: usize,
    /// Distinct open vulnerability ids, KEV and highest scores first (at most 10).
    pub top: Vec<String>,
}

impl Counts {
    fn add(&mut self, reports: &[&ScanReport]) {
        let mut seen = BTreeSet::new();
        let mut top: Vec<(bool, bool, i64, String)> = Vec::new();
        for report in reports {
            for finding in &report.findings {
                let key = (
                    finding.component.purl.clone(),
                    finding.component.name.clone(),
                    finding.id.clone(),
                );
                if !seen.insert(key) {
                    continue;
                }
                match finding.status {
                    Status::Open => {
                        self.open += 1;
                        *self
                            .by_severity
                            .entry(finding.severity.as_str().to_owned())
                            .or_default() += 1;
                        if let Some(kev) = &finding.kev {
                            self.kev += 1;
                            if kev.ransomware() {
                                self.kev_ransomware += 1;
                            }
                        }
                        let score = finding.score.map(|s| (s * 10.0).round() as i64).unwrap_or(
                            if finding.severity == Rating::Unknown {
                                -1
                            } else {
                                0
                            },
                        );
                        top.push((
                            finding.kev.is_none(),
                            !finding.kev.as_ref().is_some_and(|k| k.ransomware()),
                            -score,
                            finding.id.clone(),
                        ));
                    }
                    Status::Resolved => self.resolved += 1,
                    Status::Suppressed => self.suppressed += 1,
                }
            }
        }
        top.sort();
        for (_, _, _, id) in top {
            if !self.top.contains(&id) && self.top.len() < 10 {
                self.top.push(id);
            }
        }
    }
}

/// One device with its SBOMs and counts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceRow {
    /// The device.
    pub device: Device,
    /// Vendor id of its manufacturer.
    pub vendor_id: Option<String>,
    /// The SBOMs that describe it, with the rule that linked each.
    pub sboms: Vec<(String, LinkRule)>,
    /// Counts over those SBOMs' findings.
    pub counts: Counts,
}

/// One product (vendor, model, version).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductRow {
    /// Vendor id.
    pub vendor_id: String,
    /// Model (model number, else name).
    pub model: String,
    /// Version, when the device states one.
    pub version: Option<String>,
    /// Device ids.
    pub devices: Vec<String>,
    /// Counts over the product's SBOMs.
    pub counts: Counts,
}

/// One vendor.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VendorRow {
    /// Vendor id.
    pub vendor_id: String,
    /// The manufacturer name as first written.
    pub name: String,
    /// Number of products.
    pub products: usize,
    /// Number of devices.
    pub devices: usize,
    /// Counts over the vendor's SBOMs.
    pub counts: Counts,
    /// The network nodes, sites and platforms that carry this vendor id, in the
    /// network's order of entities (empty when [`roll_up`] was given no network).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub network_entities: Vec<String>,
}

/// Findings rolled up per device, product and vendor.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceReport {
    /// Devices, most open KEV findings first.
    pub devices: Vec<DeviceRow>,
    /// Products.
    pub products: Vec<ProductRow>,
    /// Vendors.
    pub vendors: Vec<VendorRow>,
    /// SBOMs that describe no device of the inventory.
    pub unlinked_sboms: Vec<String>,
    /// Devices without an SBOM.
    pub devices_without_sbom: Vec<String>,
}

/// (vendor id, model, version).
type ProductKey = (String, String, Option<String>);
/// A product's device ids and reports.
type ProductAccumulator<'a> = (Vec<String>, Vec<&'a ScanReport>);
/// A vendor's name, (model, version) products, device count and reports.
type VendorAccumulator<'a> = (
    String,
    BTreeSet<(String, Option<String>)>,
    usize,
    Vec<&'a ScanReport>,
);

/// The ids of the network entities whose `vendor` is `vendor_id`.
pub fn network_entities(network: &ValidatedNetwork, vendor_id: &str) -> Vec<String> {
    network
        .entities_of_vendor(vendor_id)
        .iter()
        .map(|&(kind, index)| network.entity_id(kind, index).to_owned())
        .collect()
}

/// Links each device to the SBOMs that describe it and rolls up the scan reports.
/// `scanned` pairs each SBOM with its scan report (`report.source` names it). With a
/// `network`, each vendor row lists the network's nodes, sites and platforms whose
/// `vendor` is that vendor id (the one rule of `lifeline_network::vendor_id`), so a
/// vulnerable device maker can be followed to the supply-chain entities it runs.
pub fn roll_up(
    devices: &[Device],
    scanned: &[(Sbom, ScanReport)],
    network: Option<&ValidatedNetwork>,
) -> DeviceReport {
    let mut rows = Vec::new();
    let mut linked = vec![false; scanned.len()];
    for device in devices {
        let mut sboms = Vec::new();
        let mut reports = Vec::new();
        for (index, (sbom, report)) in scanned.iter().enumerate() {
            if let Some(rule) = link(device, sbom) {
                linked[index] = true;
                sboms.push((report.source.clone(), rule));
                reports.push(report);
            }
        }
        let mut counts = Counts::default();
        counts.add(&reports);
        rows.push((
            DeviceRow {
                device: device.clone(),
                vendor_id: device.vendor_id(),
                sboms,
                counts,
            },
            reports,
        ));
    }
    let mut products: BTreeMap<ProductKey, ProductAccumulator<'_>> = BTreeMap::new();
    let mut vendors: BTreeMap<String, VendorAccumulator<'_>> = BTreeMap::new();
    for (row, reports) in &rows {
        let vendor = row.vendor_id.clone().unwrap_or_else(|| "unknown".into());
        let model = row
            .device
            .model_number
            .clone()
            .unwrap_or_else(|| row.device.label());
        let version = row.device.versions.first().cloned();
        let product = products
            .entry((vendor.clone(), model.clone(), version.clone()))
            .or_default();
        product.0.push(row.device.id.clone());
        product.1.extend(reports.iter().copied());
        let entry = vendors.entry(vendor).or_insert_with(|| {
            (
                row.device
                    .manufacturer
                    .clone()
                    .unwrap_or_else(|| "unknown".into()),
                BTreeSet::new(),
                0,
                Vec::new(),
            )
        });
        entry.1.insert((model, version));
        entry.2 += 1;
        entry.3.extend(reports.iter().copied());
    }
    let products = products
        .into_iter()
        .map(|((vendor_id, model, version), (devices, reports))| {
            let mut counts = Counts::default();
            counts.add(&reports);
            ProductRow {
                vendor_id,
                model,
                version,
                devices,
                counts,
            }
        })
        .collect();
    let mut vendors: Vec<VendorRow> = vendors
        .into_iter()
        .map(|(vendor_id, (name, products, devices, reports))| {
            let mut counts = Counts::default();
            counts.add(&reports);
            let network_entities = network
                .map(|network| network_entities(network, &vendor_id))
                .unwrap_or_default();
            VendorRow {
                vendor_id,
                name,
                products: products.len(),
                devices,
                counts,
                network_entities,
            }
        })
        .collect();
    vendors.sort_by(|a, b| {
        (b.counts.kev_ransomware, b.counts.kev, b.counts.open)
            .cmp(&(a.counts.kev_ransomware, a.counts.kev, a.counts.open))
            .then_with(|| a.vendor_id.cmp(&b.vendor_id))
    });
    let devices_without_sbom = rows
        .iter()
        .filter(|(row, _)| row.sboms.is_empty())
        .map(|(row, _)| row.device.id.clone())
        .collect();
    let mut devices: Vec<DeviceRow> = rows.into_iter().map(|(row, _)| row).collect();
    devices.sort_by(|a, b| {
        (b.counts.kev_ransomware, b.counts.kev, b.counts.open)
            .cmp(&(a.counts.kev_ransomware, a.counts.kev, a.counts.open))
            .then_with(|| a.device.id.cmp(&b.device.id))
    });
    let unlinked_sboms = scanned
        .iter()
        .zip(linked)
        .filter(|(_, linked)| !linked)
        .map(|((_, report), _)| report.source.clone())
        .collect();
    DeviceReport {
        devices,
        products,
        vendors,
        unlinked_sboms,
        devices_without_sbom,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_ids() {
        assert_eq!(vendor_id("Acme Devices, Inc"), "acme-devices-inc");
        assert_eq!(vendor_id("  MediTech   Solutions "), "meditech-solutions");
        assert_eq!(vendor_id("B. Braun"), "b-braun");
    }

    #[test]
    fn fhir_ids() {
        assert!(valid_id("example-udi1"));
        assert!(!valid_id(""));
        assert!(!valid_id("a b"));
        assert!(!valid_id(&"a".repeat(65)));
    }
}
