//! The store on every backend available (SQLite, and PostgreSQL when
//! `LIFELINE_TEST_DATABASE_URL` is set): the audit chain and its tamper detection, token
//! expiry and revocation, passwords, key rotation and backup.

use lifeline_store::testing::{self, TestDatabase};
use lifeline_store::{Keyring, Role, Store, StoreError, Tamper, now_ms};
use sha2::{Digest as _, Sha256};

const PASSWORD: &str = "correct horse battery staple";

struct Opened {
    db: TestDatabase,
    store: Store,
    _keys: tempfile::TempDir,
    key_path: std::path::PathBuf,
}

async fn open(db: TestDatabase) -> Opened {
    let keys = tempfile::tempdir().expect("a temporary folder");
    let key_path = keys.path().join("lifeline.key");
    let keyring = Keyring::open_or_create(&key_path).expect("a key file");
    let store = Store::open(&db.url)
        .await
        .expect("the test database opens")
        .with_keyring(keyring);
    Opened {
        db,
        store,
        _keys: keys,
        key_path,
    }
}

async fn stores() -> Vec<Opened> {
    let mut all = Vec::new();
    for db in testing::databases().await {
        all.push(open(db).await);
    }
    all
}

/// A few writes of every kind the accounts make: at least six audit entries.
async fn some_writes(store: &Store) {
    store
        .create_org("Mercy Hospital", "test")
        .await
        .expect("a write of the test's fixture");
    store
        .create_org("Other Hospital", "test")
        .await
        .expect("a write of the test's fixture");
    store
        .create_user(
            "Mercy Hospital",
            "alice",
            Role::Admin,
            PASSWORD,
            Some("+1 555 0100"),
            "test",
        )
        .await
        .expect("a write of the test's fixture");
    store
        .create_user(
            "Other Hospital",
            "bob",
            Role::Viewer,
            PASSWORD,
            None,
            "test",
        )
        .await
        .expect("a write of the test's fixture");
    let token = store
        .create_token("alice", "script", Some(30), "alice")
        .await
        .expect("a write of the test's fixture");
    store
        .revoke_token(None, None, &token.id, "alice")
        .await
        .expect("a write of the test's fixture");
    let alice = store
        .user_by_name("alice")
        .await
        .expect("a lookup")
        .expect("alice exists");
    store
        .create_session(&alice, 1)
        .await
        .expect("a write of the test's fixture");
}

/// The hash `audit.rs` gives an entry: SHA-256 of a JSON array of its fields.
#[allow(clippy::too_many_arguments)]
fn entry_hash(
    seq: i64,
    at: i64,
    org_id: Option<&str>,
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
    prev_hash: &str,
) -> String {
    let canonical = serde_json::json!([seq, at, org_id, actor, action, target, detail, prev_hash]);
    Sha256::digest(canonical.to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn sql(store: &Store, statement: &str) -> u64 {
    testing::execute(store, statement)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_chain_verifies_and_detects_tampering() {
    for kind in ["edit", "delete", "rehash", "delete-first"] {
        for Opened { db, store, .. } in stores().await {
            let label = format!("{} ({kind})", db.label);
            some_writes(&store).await;
            let report = store.verify_audit().await.unwrap().expect("a sound chain");
            assert!(report.entries >= 6, "{label}: {report:?}");
            assert_eq!(report.head.len(), 64);
            // The head moves with every write, and the chain still holds.
            store.create_org("Third Party", "test").await.unwrap();
            let next = store.verify_audit().await.unwrap().expect("a sound chain");
            assert_eq!(next.entries, report.entries + 1);
            assert_ne!(next.head, report.head);

            let mercy = store.org_by_name("Mercy Hospital").await.unwrap().unwrap();
            let entries = store.audit_entries(&mercy.id, 1000).await.unwrap();
            // Newest first; entries of the organisation only.
            assert!(entries.windows(2).all(|w| w[0].seq > w[1].seq), "{label}");
            assert!(
                entries
                    .iter()
                    .all(|e| e.org_id.as_deref() == Some(mercy.id.as_str()))
            );
            let victim = entries
                .iter()
                .find(|e| e.action == "user.create")
                .expect("alice's creation")
                .clone();
            let seq = victim.seq;
            let expected = match kind {
                "edit" => {
                    // Someone gives themselves a better role in the record.
                    let detail = victim.detail.replace("admin", "viewer");
                    assert_ne!(detail, victim.detail);
                    let n = sql(
                        &store,
                        &format!("UPDATE audit SET detail = '{detail}' WHERE seq = {seq}"),
                    )
                    .await;
                    assert_eq!(n, 1);
                    Tamper::Edited { seq }
                }
                "delete" => {
                    assert_eq!(
                        sql(&store, &format!("DELETE FROM audit WHERE seq = {seq}")).await,
                        1
                    );
                    Tamper::Deleted {
                        expected: seq,
                        found: seq + 1,
                        previous: seq - 1,
                    }
                }
                "delete-first" => {
                    assert_eq!(sql(&store, "DELETE FROM audit WHERE seq = 1").await, 1);
                    Tamper::Deleted {
                        expected: 1,
                        found: 2,
                        previous: 0,
                    }
                }
                _ => {
                    // An edit that re-computes the entry's own hash: the next entry no
                    // longer chains onto it.
                    let actor = "mallory";
                    let hash = entry_hash(
                        seq,
                        victim.at,
                        victim.org_id.as_deref(),
                        actor,
                        &victim.action,
                        &victim.target,
                        &victim.detail,
                        &victim.prev_hash,
                    );
                    assert_eq!(
                        entry_hash(
                            seq,
                            victim.at,
                            victim.org_id.as_deref(),
                            &victim.actor,
                            &victim.action,
                            &victim.target,
                            &victim.detail,
                            &victim.prev_hash,
                        ),
                        victim.hash,
                        "{label}: the test hashes entries as the store does"
                    );
                    let n = sql(
                        &store,
                        &format!(
                            "UPDATE audit SET actor = '{actor}', hash = '{hash}' WHERE seq = {seq}"
                        ),
                    )
                    .await;
                    assert_eq!(n, 1);
                    Tamper::Inserted {
                        seq: seq + 1,
                        previous: seq,
                    }
                }
            };
            let found = store.verify_audit().await.unwrap();
            assert_eq!(found, Err(expected.clone()), "{label}");
            assert_eq!(expected.seq(), found.unwrap_err().seq());
            // Writes go on (the chain continues from the last entry) and the break stays
            // found.
            store.create_org("Fourth Party", "test").await.unwrap();
            assert_eq!(
                store.verify_audit().await.unwrap(),
                Err(expected),
                "{label}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_expire_and_are_revoked() {
    for Opened { db, store, .. } in stores().await {
        let label = db.label;
        some_writes(&store).await;
        let mercy = store.org_by_name("Mercy Hospital").await.unwrap().unwrap();
        let other = store.org_by_name("Other Hospital").await.unwrap().unwrap();
        let alice = store.user_by_name("alice").await.unwrap().unwrap();

        let token = store
            .create_token("alice", "day", Some(1), "alice")
            .await
            .unwrap();
        let expires = token.expires_at.expect("an expiry");
        assert!((expires - now_ms() - 86_400_000).abs() < 60_000, "{label}");
        assert!(token.secret.starts_with("llt_"));
        let principal = store
            .authenticate_token(&token.secret)
            .await
            .unwrap()
            .expect("valid");
        assert_eq!(principal.user.id, alice.id);
        assert_eq!(principal.user.role, Role::Admin);
        // Only the digest is stored.
        assert_eq!(
            sql(
                &store,
                &format!(
                    "UPDATE tokens SET label = label WHERE secret_hash = '{}'",
                    token.secret
                )
            )
            .await,
            0,
            "{label}: the secret is stored in clear"
        );
        // Expired.
        sql(
            &store,
            &format!(
                "UPDATE tokens SET expires_at = {} WHERE id = '{}'",
                now_ms() - 1,
                token.id
            ),
        )
        .await;
        assert!(
            store
                .authenticate_token(&token.secret)
                .await
                .unwrap()
                .is_none(),
            "{label}"
        );

        // Revoked: by another organisation, no; by its own, once.
        let token = store
            .create_token("alice", "forever", None, "alice")
            .await
            .unwrap();
        assert_eq!(token.expires_at, None);
        assert!(
            store
                .authenticate_token(&token.secret)
                .await
                .unwrap()
                .is_some()
        );
        let foreign = store
            .revoke_token(Some(&other.id), None, &token.id, "bob")
            .await;
        assert!(
            matches!(foreign, Err(StoreError::NotFound { kind: "token", .. })),
            "{label}: {foreign:?}"
        );
        let bob = store.user_by_name("bob").await.unwrap().unwrap();
        let not_his = store
            .revoke_token(Some(&mercy.id), Some(&bob.id), &token.id, "bob")
            .await;
        assert!(
            matches!(not_his, Err(StoreError::NotFound { .. })),
            "{label}: {not_his:?}"
        );
        assert!(
            store
                .authenticate_token(&token.secret)
                .await
                .unwrap()
                .is_some()
        );
        store
            .revoke_token(Some(&mercy.id), Some(&alice.id), &token.id, "alice")
            .await
            .unwrap();
        assert!(
            store
                .authenticate_token(&token.secret)
                .await
                .unwrap()
                .is_none(),
            "{label}"
        );
        let again = store.revoke_token(None, None, &token.id, "alice").await;
        assert!(
            matches!(again, Err(StoreError::NotFound { .. })),
            "{label}: {again:?}"
        );
        let listed = store.tokens(&mercy.id, None).await.unwrap();
        let row = listed.iter().find(|t| t.id == token.id).expect("listed");
        assert!(row.revoked_at.is_some());
        assert!(store.tokens(&other.id, None).await.unwrap().is_empty());

        // Bad expiries and labels; unknown users; unknown secrets.
        for days in [0, 3651] {
            let e = store.create_token("alice", "x", Some(days), "alice").await;
            assert!(
                matches!(&e, Err(StoreError::Invalid { field, .. }) if field == "expires_days"),
                "{label}: {e:?}"
            );
        }
        let e = store
            .create_token("alice", "a\u{202e}b", None, "alice")
            .await;
        assert!(
            matches!(&e, Err(StoreError::Invalid { field, .. }) if field == "label"),
            "{e:?}"
        );
        let e = store.create_token("nobody", "x", None, "alice").await;
        assert!(
            matches!(e, Err(StoreError::NotFound { kind: "user", .. })),
            "{e:?}"
        );
        assert!(
            store
                .authenticate_token("llt_unknown")
                .await
                .unwrap()
                .is_none()
        );
        assert!(store.authenticate_token("").await.unwrap().is_none());

        // Sessions: valid until they end or expire.
        let keys = store.create_session(&alice, 1).await.unwrap();
        let session = store
            .authenticate_session(&keys.secret)
            .await
            .unwrap()
            .expect("a session");
        let lifeline_store::Credentials::Session { id, csrf } = session.credentials else {
            panic!("a session's credentials");
        };
        assert_eq!(csrf, keys.csrf);
        store.end_session(&id, &alice).await.unwrap();
        assert!(
            store
                .authenticate_session(&keys.secret)
                .await
                .unwrap()
                .is_none()
        );
        let keys = store.create_session(&alice, 1).await.unwrap();
        sql(
            &store,
            &format!(
                "UPDATE sessions SET expires_at = {} WHERE csrf = '{}'",
                now_ms() - 1,
                keys.csrf
            ),
        )
        .await;
        assert!(
            store
                .authenticate_session(&keys.secret)
                .await
                .unwrap()
                .is_none(),
            "{label}"
        );
        assert!(store.verify_audit().await.unwrap().is_ok(), "{label}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn passwords() {
    for Opened { db, store, .. } in stores().await {
        let label = db.label;
        some_writes(&store).await;
        let user = store
            .check_password("alice", PASSWORD)
            .await
            .unwrap()
            .expect("the right password");
        assert_eq!(user.name, "alice");
        assert_eq!(user.org_name, "Mercy Hospital");
        for (name, password) in [
            ("alice", "correct horse battery stapl"),
            ("alice", ""),
            ("Alice", PASSWORD),
            ("nobody", PASSWORD),
            ("alice\u{0}", PASSWORD),
        ] {
            let found = store.check_password(name, password).await;
            assert!(
                matches!(found, Ok(None)),
                "{label}: {name:?}/{password:?}: {found:?}"
            );
        }
        // The hash is argon2id, salted: two users with one password have two hashes.
        store
            .create_user(
                "Mercy Hospital",
                "andy",
                Role::Analyst,
                PASSWORD,
                None,
                "test",
            )
            .await
            .unwrap();
        let n = sql(
            &store,
            "UPDATE users SET password_hash = password_hash WHERE password_hash LIKE '$argon2id$%'",
        )
        .await;
        assert_eq!(n, 3, "{label}");
        let same = sql(
            &store,
            "UPDATE users SET role = role WHERE password_hash = \
             (SELECT password_hash FROM users WHERE name = 'alice')",
        )
        .await;
        assert_eq!(same, 1, "{label}: the hash is not salted");

        for (name, password, field) in [
            ("carol", "short", "password"),
            ("carol", "ééééééééééé", "password"),
            ("", PASSWORD, "name"),
            (" carol", PASSWORD, "name"),
            ("car\u{7}ol", PASSWORD, "name"),
        ] {
            let e = store
                .create_user("Mercy Hospital", name, Role::Viewer, password, None, "test")
                .await;
            assert!(
                matches!(&e, Err(StoreError::Invalid { field: f, .. }) if f == field),
                "{label}: {name:?}: {e:?}"
            );
        }
        let long = "x".repeat(1025);
        let e = store
            .create_user("Mercy Hospital", "carol", Role::Viewer, &long, None, "test")
            .await;
        assert!(
            matches!(&e, Err(StoreError::Invalid { field, .. }) if field == "password"),
            "{e:?}"
        );
        let e = store
            .create_user(
                "Mercy Hospital",
                "alice",
                Role::Viewer,
                PASSWORD,
                None,
                "test",
            )
            .await;
        assert!(matches!(e, Err(StoreError::Conflict(_))), "{label}: {e:?}");
        let e = store
            .create_user("Nowhere", "carol", Role::Viewer, PASSWORD, None, "test")
            .await;
        assert!(
            matches!(
                e,
                Err(StoreError::NotFound {
                    kind: "organisation",
                    ..
                })
            ),
            "{e:?}"
        );
        let e = store.create_org("Mercy Hospital", "test").await;
        assert!(matches!(e, Err(StoreError::Conflict(_))), "{label}: {e:?}");
        assert_eq!(store.count_users().await.unwrap(), 3);
        assert!(store.verify_audit().await.unwrap().is_ok(), "{label}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn key_rotation_re_encrypts_contacts() {
    for Opened {
        db,
        store,
        key_path,
        _keys,
    } in stores().await
    {
        let label = db.label;
        some_writes(&store).await;
        let alice = store.user_by_name("alice").await.unwrap().unwrap();
        let bob = store.user_by_name("bob").await.unwrap().unwrap();
        assert_eq!(
            store
                .user_contact(&alice.org_id, &alice.id)
                .await
                .unwrap()
                .as_deref(),
            Some("+1 555 0100")
        );
        assert_eq!(
            store.user_contact(&bob.org_id, &bob.id).await.unwrap(),
            None
        );
        // Not in clear, and not readable from another organisation.
        let clear = sql(
            &store,
            "UPDATE users SET role = role WHERE contact LIKE '%555%'",
        )
        .await;
        assert_eq!(clear, 0, "{label}: the contact is stored in clear");
        let e = store.user_contact(&bob.org_id, &alice.id).await;
        assert!(
            matches!(e, Err(StoreError::NotFound { .. })),
            "{label}: {e:?}"
        );

        let before = Keyring::open(&key_path).unwrap();
        let old_ids: Vec<String> = before.key_ids().iter().map(|s| s.to_string()).collect();
        let mut keyring = Keyring::open(&key_path).unwrap();
        let count = store.rotate_key(&mut keyring).await.unwrap();
        assert_eq!(count, 1, "{label}");
        assert!(!old_ids.contains(&keyring.current_id().to_owned()));

        // Opened again with the key file as it is now: the contact reads, under the new
        // key only; the old keys are gone from the file.
        let reopened = Store::open(&db.url)
            .await
            .unwrap()
            .with_keyring(Keyring::open(&key_path).unwrap());
        assert_eq!(
            reopened
                .user_contact(&alice.org_id, &alice.id)
                .await
                .unwrap()
                .as_deref(),
            Some("+1 555 0100"),
            "{label}"
        );
        let after = Keyring::open(&key_path).unwrap();
        assert_eq!(after.key_ids(), vec![keyring.current_id()], "{label}");
        // The old key alone no longer opens it.
        let stale = Store::open(&db.url).await.unwrap().with_keyring(before);
        assert!(
            stale.user_contact(&alice.org_id, &alice.id).await.is_err(),
            "{label}"
        );
        // The rotation is audited, and the chain holds.
        let report = reopened
            .verify_audit()
            .await
            .unwrap()
            .expect("a sound chain");
        assert!(report.entries >= 7);
        // A store without a key file cannot write a contact.
        let keyless = Store::open(&db.url).await.unwrap();
        let e = keyless
            .create_user(
                "Mercy Hospital",
                "carol",
                Role::Viewer,
                PASSWORD,
                Some("x"),
                "test",
            )
            .await;
        assert!(matches!(e, Err(StoreError::NoKeyring)), "{label}: {e:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_copies_a_consistent_database() {
    for Opened { db, store, .. } in stores().await {
        let label = db.label;
        some_writes(&store).await;
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("backup.db");
        let done = store.backup(&copy).await;
        if db.sqlite_file().is_none() {
            assert!(
                matches!(done, Err(StoreError::Unsupported(_))),
                "{label}: {done:?}"
            );
            continue;
        }
        done.unwrap();
        let original = store.verify_audit().await.unwrap().unwrap();
        let backup = Store::open(&lifeline_store::sqlite_url(&copy))
            .await
            .unwrap();
        assert_eq!(
            backup.verify_audit().await.unwrap().unwrap(),
            original,
            "{label}"
        );
        assert_eq!(backup.count_users().await.unwrap(), 2);
        assert!(
            backup
                .check_password("alice", PASSWORD)
                .await
                .unwrap()
                .is_some()
        );
        // Writes after the backup are not in it.
        store.create_org("Third Party", "test").await.unwrap();
        assert!(backup.org_by_name("Third Party").await.unwrap().is_none());
        // Never over an existing file.
        let again = store.backup(&copy).await;
        assert!(
            matches!(again, Err(StoreError::Exists(_))),
            "{label}: {again:?}"
        );
    }
}
