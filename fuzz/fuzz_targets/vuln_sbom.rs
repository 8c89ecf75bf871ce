//! Fuzz target for the SBOM readers (CycloneDX JSON and XML, SPDX JSON) and the VEX reader:
//! any bytes come back as an SBOM or an error, never a panic; an invalid document carries at
//! least one error, and a valid one can be scanned against an empty index.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lifeline_vuln::osv::AdvisoryIndex;
use lifeline_vuln::scan::{Sources, scan};
use lifeline_vuln::{SbomError, read_sbom};

fuzz_target!(|data: &[u8]| {
    match read_sbom(data) {
        Ok(loaded) => {
            assert!(loaded.warnings.iter().all(|w| !w.is_error()));
            let index = AdvisoryIndex::new();
            let report = scan(
                &loaded.sbom,
                "fuzz",
                Sources {
                    advisories: &index,
                    kev: None,
                    vex: &[],
                },
            );
            assert!(report.findings.is_empty());
            let _ = lifeline_vuln::output::cyclonedx_vex(&[report], "fuzz");
        }
        Err(SbomError::Invalid { diagnostics, .. }) => {
            assert!(diagnostics.error_count() > 0);
            let _ = diagnostics.to_string();
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
    let _ = lifeline_vuln::vex::read_vex(data);
});
