//! What the EPCIS reader fuzz targets share: any bytes must give events or an error, never
//! a panic; every event read must hash, validate and yield facts, and every event whose
//! shape JSON-LD can hold (no `validate::shape_problems`: those the XSD forbids anyway, and
//! ingest rejects) must survive the JSON-LD round trip with the same Event Hash ID.
//! Included by `trace_json.rs` and `trace_xml.rs`.

use lifeline_trace::hash::{HashConfig, event_hash};

/// Reads `data` prefixed with `first` (`{` steers the detector to JSON, `<` to XML).
pub fn run(first: u8, data: &[u8]) {
    let mut bytes = Vec::with_capacity(data.len() + 1);
    bytes.push(first);
    bytes.extend_from_slice(data);
    let Ok((header, events)) = lifeline_trace::read_all(&bytes) else {
        return;
    };
    let config = HashConfig::default();
    let facts = lifeline_trace::facts::facts_of(&header, &events);
    let _ = lifeline_trace::rules::check(&facts);
    for event in &events {
        let _ = lifeline_trace::validate::check_event(event);
    }
    let json = lifeline_trace::write::document_to_json(&header, &events).to_string();
    if let Ok((header2, events2)) = lifeline_trace::read_all(json.as_bytes()) {
        assert_eq!(events.len(), events2.len());
        for (a, b) in events.iter().zip(&events2) {
            if !lifeline_trace::validate::shape_problems(a).is_empty() {
                continue;
            }
            assert_eq!(
                event_hash(a, &header, config),
                event_hash(b, &header2, config)
            );
        }
    }
}
