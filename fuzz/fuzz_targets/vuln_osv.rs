//! Fuzz target for the OSV record reader, the index (CVSS vectors scored, ranges compiled)
//! and the zip export reader: errors, never panics; a record that loads can be matched.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lifeline_vuln::osv::AdvisoryIndex;
use lifeline_vuln::purl::PackageKey;

fuzz_target!(|data: &[u8]| {
    let mut index = AdvisoryIndex::new();
    if index.add_json("fuzz", data).is_ok() {
        let keys: Vec<PackageKey> = index.by_package.keys().cloned().collect();
        for key in keys {
            for entry in index.lookup(&key) {
                if let Some(compiled) = &entry.compiled {
                    let _ = compiled.evaluate_str("1.0.0");
                }
            }
        }
    }
    let _ = index.add_zip("fuzz.zip", data);
    let _ = lifeline_vuln::kev::KevCatalogue::parse(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = lifeline_vuln::cvss::base_score(text);
        if let Ok(purl) = lifeline_vuln::purl::Purl::parse(text) {
            let _ = purl.key();
        }
    }
});
