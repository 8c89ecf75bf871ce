//! Fuzz target for the EPCIS XML reader (see `trace_common.rs` for what it checks).

#![no_main]

#[path = "trace_common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| common::run(b'<', data));
