//! Fuzz target: arbitrary bytes as an EPCIS JSON-LD document through streaming JSON Schema
//! validation, ingest into an in-memory repository (two threads), queries and the
//! family-by-family rule check, which must find what one pass over the same events finds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lifeline_trace::repository::{Query, Repository};

fuzz_target!(|data: &[u8]| {
    let mut bytes = Vec::with_capacity(data.len() + 1);
    bytes.push(b'{');
    bytes.extend_from_slice(data);
    let _ = lifeline_trace::schema::validate_document(bytes.as_slice());
    let Ok(mut repository) = Repository::in_memory() else {
        return;
    };
    if repository.ingest(bytes.as_slice(), "fuzz").is_err() {
        return;
    }
    let Ok((header, events)) = lifeline_trace::read_all(&bytes) else {
        return;
    };
    let _ = repository.query(&Query::default());
    for facts in lifeline_trace::facts::facts_of(&header, &events) {
        if let Some((epc, _)) = facts.epcs.first() {
            let _ = repository.history(epc);
        }
    }
    // Duplicate events are stored once, so compare only when every event is distinct.
    let facts = lifeline_trace::facts::facts_of(&header, &events);
    let mut hashes: Vec<&str> = facts.iter().map(|f| f.hash.as_str()).collect();
    hashes.sort_unstable();
    hashes.dedup();
    if hashes.len() == facts.len()
        && let Ok(found) = repository.check()
    {
        assert_eq!(found, lifeline_trace::rules::check(&facts));
    }
});
