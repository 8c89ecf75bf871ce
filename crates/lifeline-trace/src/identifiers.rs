//! GS1 identifier canonicalisation (lifeline-gs1) behind a small per-thread memo: hashing,
//! validation and fact extraction each look at every identifier, and documents repeat their
//! locations and parties on every event.

use std::cell::RefCell;
use std::collections::HashMap;

/// Memo size bound; when full it is cleared, so memory stays bounded on any input.
const CAPACITY: usize = 1 << 16;

thread_local! {
    static MEMO: RefCell<HashMap<String, Result<Option<String>, String>>> = RefCell::new(HashMap::new());
}

/// `lifeline_gs1::canonical_digital_link`, memoised: `Ok(Some(link))` for a GS1 identifier,
/// `Ok(None)` for anything else, `Err(reason)` for a malformed GS1 identifier.
pub fn canonical(value: &str) -> Result<Option<String>, String> {
    MEMO.with(|memo| {
        if let Some(found) = memo.borrow().get(value) {
            return found.clone();
        }
        let result = lifeline_gs1::canonical_digital_link(value).map_err(|e| e.to_string());
        let mut memo = memo.borrow_mut();
        if memo.len() >= CAPACITY {
            memo.clear();
        }
        memo.insert(value.to_owned(), result.clone());
        result
    })
}
