//! Fuzz target for the FHIR device inventory reader (JSON and XML): an inventory or an
//! error with at least one diagnostic, never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lifeline_vuln::DeviceError;
use lifeline_vuln::devices::read_inventory;

fuzz_target!(|data: &[u8]| {
    match read_inventory(data) {
        Ok(inventory) => {
            assert!(!inventory.devices.is_empty());
            for device in &inventory.devices {
                let _ = (device.label(), device.vendor_id());
            }
        }
        Err(DeviceError::Invalid { diagnostics }) => assert!(diagnostics.error_count() > 0),
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
