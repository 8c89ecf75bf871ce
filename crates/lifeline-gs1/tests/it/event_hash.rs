//! The identifiers of the EPCIS event-hash documents (kept once, with lifeline-trace, in
//! `crates/lifeline-trace/tests/data/hash/`, from the CBV 2.0 reference implementation)
//! against their pre-hash strings: every EPC URN and Digital Link in a `.jsonld`/`.xml` document must give a canonical Digital Link
//! that stands in that document's `.prehashes`, and every `https://id.gs1.org/` URI in the
//! `.prehashes` must be one that the document's identifiers give.
//!
//! Three upstream `.prehashes` files do not match their `.hashes`: in
//! `epcisDocWithAllGS1Keys` the line is garbled, in `epcisDocWithDefaultSchemaInContext` the
//! second line is cut short, in `epcisDocWithCustomSchemaInContext` the second line is a
//! copy of the first event's. Their `.prehashes-repaired` files (see SOURCES.md) are used
//! instead, and a test checks that the SHA-256 of every repaired line is the published hash.

use std::collections::BTreeSet;

use lifeline_gs1::canonical_digital_link;
use sha2::{Digest, Sha256};

/// A file of the event-hash vectors, which lifeline-trace keeps (it hashes them).
fn vector(name: &str) -> String {
    let path = vectors().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn vectors() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../lifeline-trace/tests/data/hash")
}

/// Strings in a JSON or XML document that look like identifiers: from `urn:epc:`,
/// `http://` or `https://` up to a quote, `<`, whitespace or comma.
fn candidates(document: &str) -> Vec<String> {
    let mut found = Vec::new();
    for start in ["urn:epc:", "http://", "https://"] {
        let mut rest = document;
        while let Some(index) = rest.find(start) {
            let tail = &rest[index..];
            let end = tail
                .find(|c: char| c == '"' || c == '<' || c == ',' || c.is_whitespace())
                .unwrap_or(tail.len());
            found.push(tail[..end].to_owned());
            rest = &tail[start.len()..];
        }
    }
    found
}

/// Field names that follow a URI in a pre-hash string (the EPCIS 2.0 / CBV 2.0 vocabulary
/// met in these vectors); a match must end where one of them, `{` or the line end starts.
const NEXT_FIELDS: [&str; 24] = [
    "epc=",
    "epcClass=",
    "quantityElement",
    "quantityList",
    "quantity=",
    "action=",
    "bizStep=",
    "disposition=",
    "readPoint",
    "bizLocation",
    "bizTransactionList",
    "sourceList",
    "source=",
    "destinationList",
    "destination=",
    "sensorElementList",
    "outputEPCList",
    "inputQuantityList",
    "outputQuantityList",
    "persistentDisposition",
    "deviceMetadata=",
    "sensorReport",
    "childEPCs",
    "type=",
];

fn ends_at_field(rest: &str) -> bool {
    rest.is_empty()
        || rest.starts_with('{')
        || rest.starts_with('\n')
        || NEXT_FIELDS.iter().any(|f| rest.starts_with(f))
}

const REPAIRED: [&str; 3] = [
    "epcisDocWithAllGS1Keys",
    "epcisDocWithCustomSchemaInContext",
    "epcisDocWithDefaultSchemaInContext",
];

#[test]
fn repaired_prehashes_match_the_published_hashes() {
    let mut lines = 0;
    for stem in REPAIRED {
        let repaired = vector(&format!("{stem}.prehashes-repaired"));
        let expected = vector(&format!("{stem}.hashes"));
        let expected: Vec<&str> = expected.lines().collect();
        let repaired: Vec<&str> = repaired.lines().collect();
        assert_eq!(repaired.len(), expected.len(), "{stem}");
        for (prehash, hash) in repaired.iter().zip(expected) {
            let digest = Sha256::digest(prehash.as_bytes());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(format!("ni:///sha-256;{hex}?ver=CBV2.0"), hash, "{stem}");
            lines += 1;
        }
    }
    assert_eq!(lines, 5);
}

#[test]
fn every_identifier_of_the_event_hash_documents_gives_its_prehash_uri() {
    let directory = vectors();
    let mut stems: BTreeSet<String> = BTreeSet::new();
    for entry in std::fs::read_dir(&directory).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(stem) = name.strip_suffix(".prehashes") {
            stems.insert(stem.to_owned());
        }
    }
    assert_eq!(stems.len(), 18, "18 documents with pre-hash strings");
    let (mut converted, mut unchanged, mut uris_in_prehashes) = (0, 0, 0);
    let mut failures = Vec::new();
    for stem in &stems {
        let prehash_file = if REPAIRED.contains(&stem.as_str()) {
            format!("{stem}.prehashes-repaired")
        } else {
            format!("{stem}.prehashes")
        };
        let prehash = vector(&prehash_file);
        let mut produced: BTreeSet<String> = BTreeSet::new();
        for extension in ["jsonld", "xml"] {
            let path = directory.join(format!("{stem}.{extension}"));
            let Ok(document) = std::fs::read_to_string(&path) else {
                continue;
            };
            for identifier in candidates(&document) {
                match canonical_digital_link(&identifier) {
                    Ok(Some(link)) => {
                        converted += 1;
                        let stands =
                            prehash
                                .match_indices(&format!("={link}"))
                                .any(|(index, matched)| {
                                    ends_at_field(&prehash[index + matched.len()..])
                                });
                        if !stands {
                            failures.push(format!(
                                "{stem}.{extension}: {identifier} -> {link}, not in the pre-hash"
                            ));
                        }
                        produced.insert(link);
                    }
                    Ok(None) => unchanged += 1,
                    Err(error) => failures.push(format!(
                        "{stem}.{extension}: {identifier}: unexpected error {error}"
                    )),
                }
            }
        }
        // Every canonical URI of the pre-hash is accounted for by one produced above.
        for (index, _) in prehash.match_indices("=https://id.gs1.org/") {
            uris_in_prehashes += 1;
            let rest = &prehash[index + 1..];
            let explained = produced
                .iter()
                .any(|link| rest.starts_with(link.as_str()) && ends_at_field(&rest[link.len()..]));
            if !explained {
                let shown: String = rest.chars().take(70).collect();
                failures.push(format!(
                    "{stem}: pre-hash URI not produced by any identifier: {shown}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Counts, so that a change in the data or the extraction is noticed.
    assert_eq!(
        (converted, unchanged, uris_in_prehashes),
        (152, 101, 116),
        "identifiers converted, left unchanged, and canonical URIs in the pre-hash strings"
    );
}
