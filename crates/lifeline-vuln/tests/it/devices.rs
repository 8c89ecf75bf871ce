//! FHIR device inventories: the HL7 examples read (R4-style elements warned), SBOMs linked
//! by UDI-DI or manufacturer and model, findings rolled up per device, product and vendor.

use lifeline_vuln::devices::{LinkRule, read_inventory, roll_up};
use lifeline_vuln::scan::{Sources, scan};
use lifeline_vuln::{DeviceError, read_sbom};

use crate::advisories::{index, kev};
use crate::bytes;

#[test]
fn hl7_device_examples_read() {
    let monitor = read_inventory(&bytes("fhir/device-example-bpmonitor.json")).expect("valid");
    let device = &monitor.devices[0];
    assert_eq!(device.id, "meditech20601bpmonitor");
    assert_eq!(device.manufacturer.as_deref(), Some("MediTech Solutions"));
    assert_eq!(device.model_number.as_deref(), Some("MT-BP2000X"));
    assert_eq!(device.names, ["MediTech Solutions MT-BP2000X"]);
    assert_eq!(device.versions, ["1.0"]);
    assert_eq!(device.udi_device_identifiers, ["39183189818"]);
    assert!(monitor.warnings.is_empty());

    let software = read_inventory(&bytes("fhir/device-example-software.xml")).expect("valid");
    assert_eq!(software.devices[0].versions, ["10.23-23423"]);
    assert_eq!(
        software.devices[0].manufacturer.as_deref(),
        Some("Acme Devices, Inc")
    );

    let implant = read_inventory(&bytes("fhir/device-example-udi1.xml")).expect("valid");
    assert_eq!(
        implant.devices[0].udi_device_identifiers,
        ["00844588003288"]
    );
    assert_eq!(implant.devices[0].names, ["PM/Octane 2014"]);
    let warnings: Vec<String> = implant.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["warning: deviceName: R4 element; read as R5 `name`"]
    );
}

#[test]
fn bad_inventories_name_the_field() {
    let text = r#"{"resourceType":"Bundle","entry":[
        {"resource":{"resourceType":"Device","id":"a b"}},
        {"resource":{"resourceType":"Device","id":"ok","udiCarrier":[{"issuer":"x"}]}},
        {"resource":{"resourceType":"Device","id":"ok"}}]}"#;
    let Err(DeviceError::Invalid { diagnostics }) = read_inventory(text.as_bytes()) else {
        panic!("must be invalid");
    };
    let messages: Vec<String> = diagnostics.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "error: entry[0].resource.id: \"a b\" is not a FHIR id (1–64 of A–Z, a–z, 0–9, `-`, `.`)",
            "error: entry[1].resource.udiCarrier[0].deviceIdentifier: missing",
            "error: entry[2].resource.id: \"ok\" is already the id of the Device at entry[1].resource",
        ]
    );
    assert!(matches!(
        read_inventory(b"{"),
        Err(DeviceError::Syntax { .. })
    ));
}

#[test]
fn findings_roll_up_per_device_product_and_vendor() {
    let inventory = read_inventory(&bytes("devices/inventory.json")).expect("valid");
    assert_eq!(inventory.devices.len(), 4);
    let index = index();
    let kev = kev();
    let sources = Sources {
        advisories: &index,
        kev: Some(&kev),
        vex: &[],
    };
    let scanned: Vec<_> = [
        "spdx/infusion-pump.spdx.json",
        "scan/product-abc.cdx.json",
        "bom-examples/VEX/bom.json",
    ]
    .into_iter()
    .map(|name| {
        let sbom = read_sbom(&bytes(name)).expect("valid").sbom;
        let report = scan(&sbom, name, sources);
        (sbom, report)
    })
    .collect();
    let report = roll_up(&inventory.devices, &scanned, None);
    type Row<'a> = (&'a str, Vec<(&'a str, LinkRule)>, usize, usize);
    let rows: Vec<Row<'_>> = report
        .devices
        .iter()
        .map(|row| {
            (
                row.device.id.as_str(),
                row.sboms.iter().map(|(s, r)| (s.as_str(), *r)).collect(),
                row.counts.open,
                row.counts.kev_ransomware,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            // product-abc.cdx.json: 7 open findings, Log4Shell in KEV with ransomware use.
            (
                "abc-monitor",
                vec![("scan/product-abc.cdx.json", LinkRule::UdiDi)],
                7,
                1
            ),
            // The SPDX pump SBOM: log4j-core (KEV) and requests.
            (
                "pump-icu-01",
                vec![("spdx/infusion-pump.spdx.json", LinkRule::ManufacturerModel)],
                2,
                1
            ),
            // Manufacturer written in another case: the same vendor id.
            (
                "pump-icu-02",
                vec![("spdx/infusion-pump.spdx.json", LinkRule::ManufacturerModel)],
                2,
                1
            ),
            // Version 3.2.0: the 3.1.0 SBOM does not describe it.
            ("pump-ward-07", vec![], 0, 0),
        ]
    );
    assert_eq!(report.devices_without_sbom, ["pump-ward-07"]);
    assert_eq!(report.unlinked_sboms, ["bom-examples/VEX/bom.json"]);
    let vendors: Vec<(&str, usize, usize, usize)> = report
        .vendors
        .iter()
        .map(|v| (v.vendor_id.as_str(), v.products, v.devices, v.counts.open))
        .collect();
    assert_eq!(
        vendors,
        [
            ("acme-devices-inc", 1, 1, 7),
            ("acme-infusion-systems", 2, 3, 2)
        ]
    );
    let pump = report
        .products
        .iter()
        .find(|p| p.model == "PumpController" && p.version.as_deref() == Some("3.1.0"))
        .expect("product");
    assert_eq!(pump.devices, ["pump-icu-01", "pump-icu-02"]);
    assert_eq!(pump.counts.top, ["CVE-2021-44228", "CVE-2023-32681"]);
    assert!(report.vendors.iter().all(|v| v.network_entities.is_empty()));
}

/// With a network, each vendor row names the nodes, sites and platforms whose `vendor`
/// is the vendor's id (the device's manufacturer, written in any case, through the one
/// `vendor_id` rule), in the network's order; a vendor that runs nothing there gets none.
#[test]
fn vendors_roll_up_to_the_network_entities_they_run() {
    let inventory = read_inventory(&bytes("devices/inventory.json")).expect("valid");
    let network = r#"{
      "format": "lifeline-network/1", "name": "vendors", "time_unit": "day", "horizon": 30,
      "sites": [{"id": "icu", "name": "ICU", "vendor": "acme-infusion-systems"}],
      "platforms": [{"id": "pump-server", "kind": "device platform", "vendor": "acme-infusion-systems", "ttr": 3}],
      "nodes": [
        {"id": "S1", "kind": "supplier", "material": "M", "capacity": 30, "ttr": 2, "vendor": "acme-infusion-systems"},
        {"id": "S2", "kind": "supplier", "material": "M", "capacity": 30, "ttr": 2, "vendor": "other-maker"},
        {"id": "P1", "kind": "product", "demand": 10, "inventory": 5, "value": 100}
      ],
      "edges": [{"from": "S1", "to": "P1"}, {"from": "S2", "to": "P1"}]
    }"#;
    let network = lifeline_network::from_str(
        network,
        lifeline_network::Format::Json,
        std::path::Path::new("vendors.json"),
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .network;
    let report = roll_up(&inventory.devices, &[], Some(&network));
    let vendors: Vec<(&str, Vec<&str>)> = report
        .vendors
        .iter()
        .map(|v| {
            (
                v.vendor_id.as_str(),
                v.network_entities.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        vendors,
        [
            ("acme-devices-inc", vec![]),
            ("acme-infusion-systems", vec!["S1", "icu", "pump-server"]),
        ]
    );
}
