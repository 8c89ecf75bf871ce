//! Signing and verification: RFC 8037's example byte for byte, and every refusal with
//! its reason.

mod support;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lifeline_share::directory::Revocation;
use lifeline_share::jws::{
    self, MemoryNonces, NonceLog, Payload, RevokedWhen, VerifyError, sign_ack, sign_alert, verify,
};
use lifeline_share::keys::KeyPair;
use support::*;
use time::Duration;

// RFC 8037 Appendix A.1 (the private key), A.4 (the JWS of "Example of Ed25519 signing"
// under the header {"alg":"EdDSA"}): https://www.rfc-editor.org/rfc/rfc8037#appendix-A
const RFC8037_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const RFC8037_JWS: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

#[test]
fn rfc8037_appendix_a_signature_byte_for_byte() {
    let d: [u8; 32] = URL_SAFE_NO_PAD
        .decode(RFC8037_D)
        .expect("d")
        .try_into()
        .expect("32 bytes");
    let key = KeyPair::from_seed("rfc", "a1", d).expect("key");
    // A.2: the public key derived from d.
    assert_eq!(key.x(), RFC8037_X);
    // A.4: the same header bytes and payload give the same token, byte for byte.
    let token = jws::sign_compact(r#"{"alg":"EdDSA"}"#, b"Example of Ed25519 signing", &key);
    assert_eq!(token, RFC8037_JWS);
    // A.5: it verifies with the public key alone.
    let x: [u8; 32] = URL_SAFE_NO_PAD
        .decode(RFC8037_X)
        .expect("x")
        .try_into()
        .expect("32 bytes");
    let (header, payload) = jws::verify_signature(RFC8037_JWS, &x).expect("verifies");
    assert_eq!(header, br#"{"alg":"EdDSA"}"#);
    assert_eq!(payload, b"Example of Ed25519 signing");
    // And a flipped bit anywhere in the signature does not.
    let mut bad = RFC8037_JWS.as_bytes().to_vec();
    let last = bad.len() - 5;
    bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
    let bad = String::from_utf8(bad).expect("ascii");
    assert!(matches!(
        jws::verify_signature(&bad, &x),
        Err(VerifyError::Tampered { .. })
    ));
}

#[test]
fn the_jwk_is_rfc8037_shaped_and_reads_back() {
    let key = distributor_key();
    let jwk: serde_json::Value = serde_json::from_str(&key.to_jwk()).expect("json");
    assert_eq!(jwk["kty"], "OKP");
    assert_eq!(jwk["crv"], "Ed25519");
    assert_eq!(jwk["kid"], "northwind/2026-a");
    assert_eq!(jwk["x"], key.x());
    assert_eq!(jwk["d"], URL_SAFE_NO_PAD.encode([7u8; 32]));
    let back = KeyPair::from_jwk(&key.to_jwk()).expect("reads back");
    assert_eq!(back.kid(), key.kid());
    assert_eq!(back.x(), key.x());
    assert!(!format!("{key:?}").contains(&URL_SAFE_NO_PAD.encode([7u8; 32])));
}

#[test]
fn a_signed_alert_verifies_with_who_signed_it() {
    let token = sign_alert(&alert("n-1"), &distributor_key()).expect("signed");
    let header: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().expect("header"))
            .expect("b64"),
    )
    .expect("json");
    assert_eq!(
        header,
        serde_json::json!({"alg": "EdDSA", "kid": "northwind/2026-a", "typ": "lifeline-alert+jws"})
    );
    let mut seen = MemoryNonces::new();
    let verified = verify(&token, &hospital_directory(), T0, &mut seen).expect("valid");
    assert_eq!(verified.signer, "northwind");
    assert_eq!(verified.signer_name, "Northwind Medical Distribution");
    assert_eq!(verified.kid, "northwind/2026-a");
    assert_eq!(verified.payload, Payload::Alert(alert("n-1")));
    assert_eq!(seen.len(), 1);
}

#[test]
fn a_signed_ack_verifies_at_the_alerts_issuer() {
    let token = sign_ack(&ack("a-1"), &hospital_key()).expect("signed");
    let mut seen = MemoryNonces::new();
    let verified = verify(
        &token,
        &distributor_directory(),
        T0 + Duration::minutes(4),
        &mut seen,
    )
    .expect("valid");
    assert_eq!(verified.signer, "st-mary");
    assert_eq!(verified.payload, Payload::Ack(ack("a-1")));
}

fn refused(
    token: &str,
    directory: &lifeline_share::directory::Directory,
    at: time::OffsetDateTime,
    seen: &mut MemoryNonces,
) -> VerifyError {
    let before = seen.len();
    let error = verify(token, directory, at, seen).expect_err("must be refused");
    // A refused message never burns a nonce (a replay is refused and leaves the log).
    assert_eq!(seen.len(), before, "{error}");
    error
}

#[test]
fn a_flipped_byte_anywhere_is_refused() {
    let token = sign_alert(&alert("n-2"), &distributor_key()).expect("signed");
    let directory = hospital_directory();
    // Every byte of the token, one at a time: never accepted.
    for i in 0..token.len() {
        let mut bytes = token.clone().into_bytes();
        bytes[i] = match bytes[i] {
            b'A' => b'B',
            b'.' => b'x',
            _ => b'A',
        };
        let changed = String::from_utf8(bytes).expect("ascii");
        if changed == token {
            continue;
        }
        let mut seen = MemoryNonces::new();
        let error = refused(&changed, &directory, T0, &mut seen);
        assert!(
            matches!(
                error,
                VerifyError::Tampered { .. }
                    | VerifyError::Malformed(_)
                    | VerifyError::UnknownKey { .. }
            ),
            "byte {i}: {error}"
        );
    }
    // A change in the payload, re-encoded cleanly, is tampering.
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload = URL_SAFE_NO_PAD.decode(parts[1]).expect("b64");
    let at = payload.iter().position(|&b| b == b'5').expect("a digit 5");
    payload[at] = b'9';
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(payload),
        parts[2]
    );
    let error = refused(&forged, &directory, T0, &mut MemoryNonces::new());
    assert_eq!(error.code(), "tampered", "{error}");
}

#[test]
fn a_replayed_nonce_is_refused() {
    let token = sign_alert(&alert("n-3"), &distributor_key()).expect("signed");
    let directory = hospital_directory();
    let mut seen = MemoryNonces::new();
    verify(&token, &directory, T0, &mut seen).expect("first time");
    let error = refused(&token, &directory, T0 + Duration::minutes(1), &mut seen);
    assert_eq!(error.code(), "replayed");
    assert!(error.to_string().contains("n-3"), "{error}");
    // Another message with the same nonce from the same issuer is a replay too.
    let mut other = alert("n-3");
    other.id = "al-2".into();
    let token = sign_alert(&other, &distributor_key()).expect("signed");
    assert_eq!(
        refused(&token, &directory, T0, &mut seen).code(),
        "replayed"
    );
}

#[test]
fn an_expired_or_future_message_is_refused() {
    let token = sign_alert(&alert("n-4"), &distributor_key()).expect("signed");
    let directory = hospital_directory();
    let mut seen = MemoryNonces::new();
    let error = refused(&token, &directory, T0 + Duration::hours(72), &mut seen);
    assert!(matches!(error, VerifyError::Expired { .. }), "{error}");
    assert_eq!(error.code(), "expired");
    let error = refused(&token, &directory, T0 - Duration::minutes(6), &mut seen);
    assert_eq!(error.code(), "not-yet-valid", "{error}");
    // Within the clock skew it is fine.
    verify(&token, &directory, T0 - Duration::minutes(4), &mut seen).expect("within 5 minutes");
}

#[test]
fn a_revoked_key_is_refused_and_says_which_way() {
    let token = sign_alert(&alert("n-5"), &distributor_key()).expect("signed");
    let mut directory = hospital_directory();
    // Revoked an hour after signing: refused once the revocation is in force.
    lifeline_share::keys::revoke(
        &mut directory,
        "northwind",
        "2026-a",
        T0 + Duration::hours(1),
        "laptop stolen",
    )
    .expect("revoked");
    let mut seen = MemoryNonces::new();
    let error = refused(&token, &directory, T0 + Duration::hours(2), &mut seen);
    assert!(
        matches!(
            error,
            VerifyError::KeyRevoked {
                when: RevokedWhen::RevokedNow,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(error.code(), "revoked-key");
    assert!(error.to_string().contains("laptop stolen"), "{error}");
    // Signed after the revocation: refused whenever it is checked.
    let mut late = alert("n-6");
    late.issued_at = T0 + Duration::hours(3);
    late.expires_at = T0 + Duration::hours(9);
    let token = sign_alert(&late, &distributor_key()).expect("signed");
    let mut directory = hospital_directory();
    directory.organisations[0].keys[0].revoked = Some(Revocation {
        at: T0 + Duration::hours(1),
        reason: "compromised".into(),
    });
    let error = refused(&token, &directory, T0 + Duration::hours(3), &mut seen);
    assert!(
        matches!(
            error,
            VerifyError::KeyRevoked {
                when: RevokedWhen::SignedAfterRevocation,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn an_unknown_key_is_refused() {
    let stranger = KeyPair::from_seed("northwind", "rogue", [1; 32]).expect("key");
    let token = sign_alert(&alert("n-7"), &stranger).expect("signed");
    let error = refused(&token, &hospital_directory(), T0, &mut MemoryNonces::new());
    assert_eq!(error.code(), "unknown-key", "{error}");
    // Another organisation's key name, unknown org.
    let stranger = KeyPair::from_seed("evil-corp", "k", [1; 32]).expect("key");
    let mut forged = alert("n-8");
    forged.issuer = "evil-corp".into();
    let token = sign_alert(&forged, &stranger).expect("signed");
    let error = refused(&token, &hospital_directory(), T0, &mut MemoryNonces::new());
    assert_eq!(error.code(), "unknown-key", "{error}");
    // The right name, the wrong key material: the signature fails.
    let impostor = KeyPair::from_seed("northwind", "2026-a", [2; 32]).expect("key");
    let token = sign_alert(&alert("n-9"), &impostor).expect("signed");
    let error = refused(&token, &hospital_directory(), T0, &mut MemoryNonces::new());
    assert_eq!(error.code(), "tampered", "{error}");
}

#[test]
fn an_issuer_that_is_not_the_keys_organisation_is_refused() {
    // The hospital signs a message claiming to come from the distributor.
    let mut claim = alert("n-10");
    claim.issuer = "northwind".into();
    claim.recipient = "northwind".into();
    let hospital = hospital_key();
    assert!(matches!(
        sign_alert(&claim, &hospital),
        Err(jws::SignError::IssuerMismatch { .. })
    ));
    // Forged by hand (sign_compact does no checks): verification refuses it.
    let payload = serde_json::to_vec(&claim).expect("json");
    let token = jws::sign_compact(
        r#"{"alg":"EdDSA","kid":"st-mary/k1","typ":"lifeline-alert+jws"}"#,
        &payload,
        &hospital,
    );
    let error = refused(
        &token,
        &distributor_directory(),
        T0,
        &mut MemoryNonces::new(),
    );
    assert_eq!(error.code(), "issuer-mismatch", "{error}");
}

#[test]
fn a_message_for_another_organisation_is_refused() {
    let token = sign_alert(&alert("n-11"), &distributor_key()).expect("signed");
    // The distributor's own directory: the alert is addressed to st-mary, not to it.
    let error = refused(
        &token,
        &distributor_directory(),
        T0,
        &mut MemoryNonces::new(),
    );
    assert_eq!(error.code(), "wrong-recipient", "{error}");
    // Asked explicitly as the recipient, it verifies.
    jws::verify_for(
        &token,
        &distributor_directory(),
        "st-mary",
        T0,
        &mut MemoryNonces::new(),
    )
    .expect("valid for st-mary");
}

#[test]
fn a_nonce_log_decides_replays() {
    struct Never;
    impl NonceLog for Never {
        fn first_use(&mut self, _: &str, _: &str, _: time::OffsetDateTime) -> bool {
            false
        }
    }
    let token = sign_alert(&alert("n-12"), &distributor_key()).expect("signed");
    let error = verify(&token, &hospital_directory(), T0, &mut Never).expect_err("replay");
    assert_eq!(error.code(), "replayed");
}

mod property {
    use super::*;
    use lifeline_share::Tlp;
    use lifeline_share::alert::{AlertKind, Named, Shortfall};
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        // Any Unicode, control and bidi characters included: the JSON carries them.
        proptest::string::string_regex("(?s).{0,40}").expect("regex")
    }

    fn alerts() -> impl Strategy<Value = lifeline_share::alert::Alert> {
        (
            (
                text(),
                prop_oneof![
                    Just(AlertKind::Alert),
                    Just(AlertKind::Update),
                    Just(AlertKind::Cancel),
                    Just(AlertKind::Drill)
                ],
                proptest::sample::select(Tlp::ALL.to_vec()),
                text(),
                "[A-Za-z0-9_-]{1,40}",
                1i64..(31 * 86_400),
                -600i64..600,
            ),
            (
                proptest::collection::vec((text(), text()), 0..4),
                proptest::collection::vec(
                    (
                        text(),
                        text(),
                        proptest::option::of(0.0f64..1e6),
                        any::<bool>(),
                    ),
                    0..4,
                ),
                proptest::option::of(-1e9f64..1e9),
                proptest::collection::vec(text(), 0..4),
                proptest::option::of(text()),
                any::<bool>(),
            ),
        )
            .prop_map(
                |(
                    (id, kind, tlp, summary, nonce, life, skew),
                    (entities, items, recovery, actions, supersedes, drill),
                )| {
                    let mut alert = alert(&nonce);
                    alert.id = id;
                    alert.kind = kind;
                    alert.tlp = tlp;
                    alert.summary = summary;
                    alert.issued_at = T0 + Duration::seconds(skew);
                    alert.expires_at = alert.issued_at + Duration::seconds(life);
                    alert.affected.entities = entities
                        .into_iter()
                        .map(|(id, name)| Named { id, name })
                        .collect();
                    alert.affected.items = items
                        .into_iter()
                        .map(|(item, at, day, critical)| Shortfall {
                            item,
                            at,
                            first_stockout_day: day,
                            critical,
                        })
                        .collect();
                    alert.expected_recovery_days = recovery;
                    alert.actions = actions;
                    alert.supersedes = supersedes;
                    if drill {
                        alert.incident = None;
                    }
                    alert
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// verify(sign(m)) = m for every alert, and once only.
        #[test]
        fn verify_of_sign_gives_the_alert_back(m in alerts()) {
            let token = sign_alert(&m, &distributor_key()).expect("signed");
            let directory = hospital_directory();
            let mut seen = MemoryNonces::new();
            let at = m.issued_at.max(T0);
            let verified = verify(&token, &directory, at, &mut seen).expect("valid");
            prop_assert_eq!(verified.payload, Payload::Alert(m));
            prop_assert_eq!(verify(&token, &directory, at, &mut seen).expect_err("replay").code(), "replayed");
        }
    }
}

#[test]
fn a_batch_gives_each_message_the_result_it_would_get_alone() {
    let directory = hospital_directory();
    let key = distributor_key();
    let good: Vec<String> = (0..5)
        .map(|i| sign_alert(&alert(&format!("b-{i}")), &key).expect("signed"))
        .collect();
    let mut expired = alert("b-expired");
    expired.expires_at = T0 - Duration::minutes(1);
    expired.issued_at = T0 - Duration::hours(1);
    let expired = sign_alert(&expired, &key).expect("signed");
    let mut flipped = good[1].clone().into_bytes();
    let at = good[1].find('.').expect("dot") + 10;
    flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).expect("ascii");
    let stranger = KeyPair::from_seed("northwind", "rogue", [1; 32]).expect("key");
    let unknown = sign_alert(&alert("b-unknown"), &stranger).expect("signed");
    let batch: Vec<&str> = vec![
        &good[0], &flipped, &good[1], &expired, &good[2], &good[0], "junk", &unknown, &good[3],
        &good[4],
    ];
    // One at a time.
    let mut seen = MemoryNonces::new();
    let alone: Vec<Result<jws::Verified, VerifyError>> = batch
        .iter()
        .map(|t| verify(t, &directory, T0, &mut seen))
        .collect();
    // Together.
    let mut seen = MemoryNonces::new();
    let together = jws::Verifier::new(&directory).verify_batch(&batch, T0, &mut seen);
    assert_eq!(together, alone);
    let codes: Vec<&str> = together
        .iter()
        .map(|r| r.as_ref().map_or_else(VerifyError::code, |_| "ok"))
        .collect();
    assert_eq!(
        codes,
        [
            "ok",
            "tampered",
            "ok",
            "expired",
            "ok",
            "replayed",
            "malformed",
            "unknown-key",
            "ok",
            "ok"
        ]
    );
    // An all-good batch takes the batch path.
    let mut seen = MemoryNonces::new();
    let fresh: Vec<String> = (0..70)
        .map(|i| sign_alert(&alert(&format!("c-{i}")), &key).expect("signed"))
        .collect();
    let fresh: Vec<&str> = fresh.iter().map(String::as_str).collect();
    let results = jws::Verifier::new(&directory).verify_batch(&fresh, T0, &mut seen);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(seen.len(), 70);
}
