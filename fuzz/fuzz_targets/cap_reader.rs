//! Fuzz target for lifeline-cap: any text read as a CAP 1.2 alert or an EDXL-DE 1.0
//! distribution gives the model or typed errors, never a panic or hang; every error names
//! something; and whatever reads in writes out as a document that reads in again to the
//! same model (the writer's output is also schema-checked by the reader).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match lifeline_cap::read(text) {
        Ok(alert) => {
            let written = lifeline_cap::write(&alert);
            let again = lifeline_cap::read(&written).expect("what was read writes out readable");
            assert_eq!(again, alert);
        }
        Err(errors) => {
            assert!(!errors.errors.is_empty());
            assert!(errors.errors.iter().all(|e| !e.message.is_empty()));
            let _ = errors.to_string();
        }
    }
    if let Err(errors) = lifeline_cap::read_edxl(text) {
        assert!(!errors.errors.is_empty());
    }
});
