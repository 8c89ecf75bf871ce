//! Fuzz target for what partners send and keep: a partner directory (JSON or YAML), a
//! signed message (compact JWS) checked against the example directory, a private JWK, and
//! an alert payload signed and checked. Any input gives a value or a typed error, never a
//! panic; what reads must survive its round trips, and nothing forged verifies.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use lifeline_share::alert::Alert;
use lifeline_share::directory::{self, Checks, Directory};
use lifeline_share::jws::{self, MemoryNonces};
use lifeline_share::keys::KeyPair;

static DIRECTORY: LazyLock<Directory> = LazyLock::new(|| {
    let text = include_str!("../../examples/partners/distributor-ransomware.yaml");
    directory::from_str(text, "distributor-ransomware.yaml")
        .expect("the example directory is valid")
        .0
});

static KEY: LazyLock<KeyPair> = LazyLock::new(|| {
    KeyPair::from_jwk(include_str!("../../examples/partners/keys/medsupply-2026-a.jwk"))
        .expect("the example key reads")
});

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    match selector % 5 {
        0 | 1 => {
            let origin = if selector % 5 == 0 { "fuzz.json" } else { "fuzz.yaml" };
            if let Ok((dir, _)) = directory::from_str(&text, origin) {
                assert!(directory::validate(&dir, Checks::default()).iter().all(|d| !d.is_error()));
                let yaml = directory::to_yaml(&dir).expect("a valid directory writes as YAML");
                let json = directory::to_json(&dir).expect("a valid directory writes as JSON");
                assert_eq!(directory::from_str(&yaml, "again.yaml").expect("YAML reads back").0, dir);
                assert_eq!(directory::from_str(&json, "again.json").expect("JSON reads back").0, dir);
            }
        }
        2 => {
            // Random bytes are never a valid signature of the example's keys.
            let now = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_500);
            let mut nonces = MemoryNonces::new();
            let result = jws::verify_for(&text, &DIRECTORY, "hosp-mercy", now, &mut nonces);
            if let Err(error) = result {
                let _ = (error.code(), error.to_string());
                assert!(nonces.is_empty(), "a refused message burned a nonce");
            }
        }
        3 => {
            if let Ok(key) = KeyPair::from_jwk(&text) {
                let again = KeyPair::from_jwk(&key.to_jwk()).expect("a JWK written reads back");
                assert_eq!((again.kid(), again.x()), (key.kid(), key.x()));
            }
        }
        _ => {
            if let Ok(alert) = serde_json::from_str::<Alert>(&text)
                && let Ok(token) = jws::sign_alert(&alert, &KEY)
            {
                let mut nonces = MemoryNonces::new();
                let at = alert.issued_at;
                match jws::verify_for(&token, &DIRECTORY, &alert.recipient, at, &mut nonces) {
                    Ok(verified) => {
                        assert_eq!(verified.payload, jws::Payload::Alert(alert));
                    }
                    Err(error) => {
                        // Signed by a known, valid key: only the key's dates may refuse it.
                        assert!(
                            matches!(error.code(), "key-expired" | "expired"),
                            "{error}"
                        );
                    }
                }
            }
        }
    }
});
