//! Fuzz target for what partners and ISACs send as STIX 2.1: a bundle (read, checked
//! against the embedded schemas and the official TLP marking definitions), a scan
//! document's KEV findings and the observables file `share export --indicators` reads.
//! Any text must give a value or an error naming the member, never a panic; a bundle that
//! reads must stay home whole (its own organisation may always have it) and, for another
//! organisation, be refused exactly where an object's effective TLP or its lack of one
//! says so.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lifeline_share::tlp::{Recipient, Tlp};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    match selector % 3 {
        0 => {
            let Ok(imported) = lifeline_stix::import(&text) else { return };
            assert_eq!(imported.objects.len(), imported.bundle.objects.len());
            let own = Recipient { organisation: "us", clearance: Tlp::Clear };
            assert!(lifeline_stix::enforce(&imported.bundle, "us", &own, &[]).is_ok());
            for clearance in Tlp::ALL {
                let partner = Recipient { organisation: "isac", clearance };
                let refused =
                    lifeline_stix::refused(&imported.bundle.objects, "us", &partner, &["isac"]);
                for (summary, object) in imported.objects.iter().zip(&imported.bundle.objects) {
                    let id = object.get("id").and_then(|v| v.as_str()).unwrap_or_default();
                    let out = refused.iter().any(|r| r.id == id);
                    if let Some(tlp) = summary.tlp {
                        let allowed = tlp != Tlp::AmberStrict && tlp <= clearance;
                        // An id shared by two versions may be refused through the other.
                        if !allowed {
                            assert!(out, "{id} marked {tlp} went to a partner cleared {clearance}");
                        }
                    }
                }
            }
        }
        1 => {
            let _ = lifeline_stix::findings::read(&text, "fuzz-input");
        }
        _ => {
            let _ = lifeline_stix::Observables::from_str(&text, "fuzz-input");
        }
    }
});
