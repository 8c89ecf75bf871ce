//! Key pairs and the directory edits: publish, rotate with an overlap, revoke; private
//! JWKs that are corrupt or edited are refused.

mod support;

use lifeline_share::directory::{self, Checks, KeyState};
use lifeline_share::jws::{MemoryNonces, sign_alert, verify};
use lifeline_share::keys::{self, KeyError, KeyPair};
use support::*;
use time::Duration;

#[test]
fn a_seed_makes_one_key_and_the_id_rules_hold() {
    let a = KeyPair::from_seed("northwind", "k1", [3; 32]).expect("key");
    let b = KeyPair::from_seed("northwind", "k1", [3; 32]).expect("key");
    let c = KeyPair::from_seed("northwind", "k1", [4; 32]).expect("key");
    assert_eq!(a.x(), b.x());
    assert_ne!(a.x(), c.x());
    assert_eq!(a.x().len(), 43);
    assert_eq!(a.kid(), "northwind/k1");
    for (org, id) in [
        ("", "k"),
        ("o", ""),
        ("o", "a/b"),
        ("o", " k"),
        ("o\u{202e}", "k"),
    ] {
        assert!(
            KeyPair::from_seed(org, id, [0; 32]).is_err(),
            "{org:?} {id:?}"
        );
    }
    // An organisation id may hold a slash: the kid splits at the last one.
    let slashed = KeyPair::from_seed("region/north", "k", [0; 32]).expect("key");
    assert_eq!(
        lifeline_share::keys::split_kid(&slashed.kid()),
        Some(("region/north", "k"))
    );
}

#[test]
fn corrupt_or_edited_jwks_are_refused() {
    let key = distributor_key();
    let jwk: serde_json::Value = serde_json::from_str(&key.to_jwk()).expect("json");
    let with = |field: &str, value: serde_json::Value| {
        let mut j = jwk.clone();
        j[field] = value;
        j.to_string()
    };
    let other_x = KeyPair::from_seed("x", "y", [8; 32]).expect("key").x();
    let cases = [
        (with("x", other_x.into()), "does not match"),
        (with("crv", "X25519".into()), "`crv`"),
        (with("kty", "EC".into()), "`kty`"),
        (with("kid", "no-slash".into()), "key name"),
        (with("d", "AAAA".into()), "`d`"),
        (with("d", 5.into()), "`d`"),
        ("[]".to_owned(), "object"),
        ("{".to_owned(), "not valid JSON"),
        (" ".repeat(keys::MAX_JWK_BYTES + 1), "over the limit"),
    ];
    for (text, expected) in cases {
        let error = KeyPair::from_jwk(&text).expect_err("refused");
        assert!(error.to_string().contains(expected), "{error} / {expected}");
    }
    // Without `x` (it is optional in a private JWK) the key still reads.
    let mut bare = jwk.clone();
    bare.as_object_mut().expect("object").remove("x");
    assert_eq!(
        KeyPair::from_jwk(&bare.to_string()).expect("reads").x(),
        key.x()
    );
}

#[test]
fn add_refuses_what_would_make_a_kid_ambiguous() {
    let mut dir = hospital_directory();
    let key = KeyPair::from_seed("northwind", "2026-b", [5; 32]).expect("key");
    keys::add(&mut dir, "northwind", key.public(T0)).expect("added");
    assert_eq!(
        keys::add(&mut dir, "northwind", key.public(T0)),
        Err(KeyError::DuplicateKey {
            org: "northwind".into(),
            key: "2026-b".into()
        })
    );
    let same = lifeline_share::directory::PublicKey {
        id: "2026-c".into(),
        ..key.public(T0)
    };
    assert!(matches!(
        keys::add(&mut dir, "northwind", same),
        Err(KeyError::SamePublicKey { .. })
    ));
    assert!(matches!(
        keys::add(&mut dir, "nobody", key.public(T0)),
        Err(KeyError::UnknownOrganisation(_))
    ));
    // What was added validates.
    let problems = directory::validate(&dir, Checks::default());
    assert!(problems.iter().all(|d| !d.is_error()), "{problems:?}");
}

#[test]
fn rotation_keeps_old_alerts_valid_for_the_overlap_only() {
    let mut dir = hospital_directory();
    let old = distributor_key();
    let new = KeyPair::from_seed("northwind", "2026-b", [5; 32]).expect("key");
    let rotated_at = T0 + Duration::hours(1);
    let ended = keys::rotate(
        &mut dir,
        "northwind",
        new.public(rotated_at),
        rotated_at,
        Duration::days(1),
    )
    .expect("rotated");
    assert_eq!(ended, ["2026-a"]);
    let (_, old_key) = dir.key("northwind/2026-a").expect("old key");
    assert_eq!(old_key.not_after, Some(rotated_at + Duration::days(1)));
    assert_eq!(
        old_key.state(rotated_at + Duration::days(2)),
        KeyState::Ended
    );
    // An alert the old key signed before the end still verifies.
    let before = sign_alert(&alert("r-1"), &old).expect("signed");
    verify(
        &before,
        &dir,
        T0 + Duration::hours(2),
        &mut MemoryNonces::new(),
    )
    .expect("valid");
    // One it signs after the end is refused: the key had ended.
    let mut late = alert("r-2");
    late.issued_at = rotated_at + Duration::days(2);
    late.expires_at = late.issued_at + Duration::hours(1);
    let token = sign_alert(&late, &old).expect("signed");
    let error = verify(&token, &dir, late.issued_at, &mut MemoryNonces::new()).expect_err("ended");
    assert_eq!(error.code(), "key-expired", "{error}");
    // The new key signs from the rotation on.
    let mut fresh = alert("r-3");
    fresh.issued_at = rotated_at;
    let token = sign_alert(&fresh, &new).expect("signed");
    verify(&token, &dir, rotated_at, &mut MemoryNonces::new()).expect("valid");
    // A second rotation ends only the key still current.
    let newer = KeyPair::from_seed("northwind", "2026-c", [6; 32]).expect("key");
    let again = rotated_at + Duration::days(10);
    let ended = keys::rotate(
        &mut dir,
        "northwind",
        newer.public(again),
        again,
        Duration::hours(1),
    )
    .expect("rotated");
    assert_eq!(ended, ["2026-b"]);
    assert!(
        directory::validate(&dir, Checks::default())
            .iter()
            .all(|d| !d.is_error())
    );
}

#[test]
fn revocation_needs_a_reason_and_happens_once() {
    let mut dir = hospital_directory();
    assert_eq!(
        keys::revoke(&mut dir, "northwind", "2026-a", T0, "  "),
        Err(KeyError::NoReason)
    );
    assert!(matches!(
        keys::revoke(&mut dir, "northwind", "nope", T0, "lost"),
        Err(KeyError::UnknownKey { .. })
    ));
    keys::revoke(&mut dir, "northwind", "2026-a", T0, "laptop stolen").expect("revoked");
    assert!(matches!(
        keys::revoke(&mut dir, "northwind", "2026-a", T0, "again"),
        Err(KeyError::AlreadyRevoked { .. })
    ));
    let (_, key) = dir.key("northwind/2026-a").expect("key");
    assert_eq!(key.state(T0), KeyState::Revoked);
    assert_eq!(key.state(T0 - Duration::seconds(1)), KeyState::Valid);
    // A revoked key is not ended by a rotation: its revocation says it all.
    let new = KeyPair::from_seed("northwind", "2026-b", [5; 32]).expect("key");
    let ended = keys::rotate(&mut dir, "northwind", new.public(T0), T0, Duration::days(1))
        .expect("rotated");
    assert!(ended.is_empty());
}
