//! Partner sharing's storage on every backend available: directory versions, the signing
//! key sealed (and never readable by a partner or another organisation), alerts and
//! one-time acknowledgement links redeemed once, nonces seen once, drills with their logs.

use lifeline_store::testing::{self, TestDatabase};
use lifeline_store::{
    Access, AckLookup, AlertSubject, DrillEntry, IncidentEntry, Keyring, NewAckToken, NewIncident,
    NewPartnerAlert, Role, Store, StoreError, TIMELINE_GENESIS, sha256_hex,
};

const PASSWORD: &str = "correct horse battery staple";
const NOW: i64 = 1_780_000_000_000;

async fn stores() -> Vec<(TestDatabase, tempfile::TempDir, Store)> {
    let mut all = Vec::new();
    for db in testing::databases().await {
        let keys = tempfile::tempdir().expect("a folder");
        let keyring = Keyring::open_or_create(&keys.path().join("key")).expect("a key file");
        let store = Store::open(&db.url)
            .await
            .expect("the test database opens")
            .with_keyring(keyring);
        all.push((db, keys, store));
    }
    all
}

async fn orgs(store: &Store) -> (Access, Access, Access) {
    let mercy = store
        .create_org("Acme Distribution", "test")
        .await
        .expect("the setup");
    let other = store.create_org("Other", "test").await.expect("the setup");
    let partner = store
        .create_user(
            "Acme Distribution",
            "paul",
            Role::Partner,
            PASSWORD,
            None,
            "test",
        )
        .await
        .expect("the setup");
    (
        Access {
            org_id: mercy.id,
            own: true,
        },
        Access {
            org_id: other.id,
            own: true,
        },
        partner.access(),
    )
}

async fn incident(store: &Store, org_id: &str) -> String {
    let event = r#"{"type":"note","text":"declared"}"#.to_owned();
    let first = IncidentEntry {
        seq: 1,
        at: NOW,
        actor: "ana".into(),
        hash: sha256_hex(event.as_bytes()),
        prev: TIMELINE_GENESIS.into(),
        event,
    };
    let new = NewIncident::new("Ransomware", "ransomware", "{}".to_owned(), None);
    store
        .create_incident(org_id, &new, &first, "ana")
        .await
        .expect("the setup")
}

fn alert(id: &str, subject: AlertSubject) -> NewPartnerAlert {
    NewPartnerAlert {
        alert_id: id.into(),
        subject,
        recipient: "hosp-a".into(),
        kind: "alert".into(),
        payload: format!(r#"{{"id":"{id}"}}"#),
        jws: "eyJ.eyJ.sig".into(),
        issued_at: NOW,
        reply_by: NOW + 1_800_000,
    }
}

#[tokio::test]
async fn directories_are_versioned_and_private() {
    for (db, _keys, store) in stores().await {
        let label = db.label;
        let (mine, other, partner) = orgs(&store).await;
        assert!(
            store
                .partner_directory(&mine, None)
                .await
                .unwrap()
                .is_none()
        );
        let v1 = store
            .put_partner_directory(&mine.org_id, r#"{"format":"lifeline-partners/1"}"#, "ana")
            .await
            .unwrap();
        let v2 = store
            .put_partner_directory(
                &mine.org_id,
                r#"{"format":"lifeline-partners/1","x":1}"#,
                "ana",
            )
            .await
            .unwrap();
        assert_eq!((v1, v2), (1, 2), "{label}");
        let current = store.partner_directory(&mine, None).await.unwrap().unwrap();
        assert_eq!(current.info.version, 2, "{label}");
        assert!(current.directory.contains("\"x\""), "{label}");
        let first = store
            .partner_directory(&mine, Some(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.info.version, 1, "{label}");
        assert_eq!(
            store.partner_directory_versions(&mine).await.unwrap().len(),
            2
        );
        // Another organisation and a partner see nothing.
        assert!(
            store
                .partner_directory(&other, None)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .partner_directory(&partner, None)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .partner_directory_versions(&partner)
                .await
                .unwrap()
                .is_empty()
        );
        // Not JSON is refused, naming the field.
        let bad = store
            .put_partner_directory(&mine.org_id, "organisations: []", "ana")
            .await;
        assert!(matches!(bad, Err(StoreError::Invalid { ref field, .. }) if field == "directory"));
        assert!(matches!(
            store.partner_directory(&mine, Some(0)).await,
            Err(StoreError::Invalid { .. })
        ));
    }
}

#[tokio::test]
async fn the_signing_key_is_sealed_and_only_opened_for_its_organisation() {
    for (db, _keys, store) in stores().await {
        let label = db.label;
        let (mine, other, partner) = orgs(&store).await;
        let jwk = r#"{"kty":"OKP","crv":"Ed25519","kid":"acme/k1","x":"AAAA","d":"SECRETD"}"#;
        store
            .put_signing_key(&mine.org_id, "acme/k1", jwk, "ana")
            .await
            .unwrap();
        let key = store.signing_key(&mine).await.unwrap().unwrap();
        assert_eq!(key.jwk, jwk, "{label}");
        assert_eq!(key.info.kid, "acme/k1");
        assert!(
            !format!("{key:?}").contains("SECRETD"),
            "Debug never shows the key"
        );
        let info = store.signing_key_info(&mine).await.unwrap().unwrap();
        assert_eq!(info.kid, "acme/k1");
        assert!(store.signing_key(&other).await.unwrap().is_none());
        assert!(store.signing_key(&partner).await.unwrap().is_none());
        assert!(store.signing_key_info(&partner).await.unwrap().is_none());
        // Stored sealed: the database holds no trace of the private part.
        let copied = testing::execute(
            &store,
            "UPDATE signing_keys SET kid = kid WHERE jwk_sealed LIKE '%SECRETD%'",
        )
        .await
        .unwrap();
        assert_eq!(copied, 0, "{label}: the key is not stored in clear");
        // Replacing it keeps one key.
        store
            .put_signing_key(&mine.org_id, "acme/k2", &jwk.replace("k1", "k2"), "ana")
            .await
            .unwrap();
        assert_eq!(
            store.signing_key_info(&mine).await.unwrap().unwrap().kid,
            "acme/k2"
        );
        // A sealed key moved to another organisation does not open there.
        store
            .put_signing_key(&other.org_id, "other/k1", jwk, "oli")
            .await
            .unwrap();
        testing::execute(
            &store,
            &format!(
                "UPDATE signing_keys SET jwk_sealed = (SELECT jwk_sealed FROM signing_keys \
                 WHERE org_id = '{}') WHERE org_id = '{}'",
                mine.org_id, other.org_id
            ),
        )
        .await
        .unwrap();
        assert!(store.signing_key(&other).await.is_err(), "{label}");
    }
}

#[tokio::test]
async fn alerts_and_one_time_links() {
    for (db, _keys, store) in stores().await {
        let label = db.label;
        let (mine, other, partner) = orgs(&store).await;
        let inc = incident(&store, &mine.org_id).await;
        let subject = AlertSubject::Incident(inc.clone());
        let token = "lla_secret-token-1";
        let link = NewAckToken {
            token: token.into(),
            alert_id: "al-1".into(),
            recipient: "hosp-a".into(),
            contact: "ana".into(),
            expires_at: NOW + 86_400_000,
        };
        store
            .record_partner_alerts(
                &mine.org_id,
                &[alert("al-1", subject.clone())],
                std::slice::from_ref(&link),
                "ana",
            )
            .await
            .unwrap();
        // The same alert id again is a conflict; an alert about another org's incident is
        // not found.
        assert!(matches!(
            store
                .record_partner_alerts(&mine.org_id, &[alert("al-1", subject.clone())], &[], "ana")
                .await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store
                .record_partner_alerts(&other.org_id, &[alert("al-9", subject.clone())], &[], "oli")
                .await,
            Err(StoreError::NotFound { .. })
        ));
        let listed = store.partner_alerts(&mine, &subject).await.unwrap();
        assert_eq!(listed.len(), 1, "{label}");
        assert_eq!(listed[0].reply_by, NOW + 1_800_000);
        assert!(
            store
                .partner_alerts(&other, &subject)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .partner_alerts(&partner, &subject)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(store.partner_alert(&mine, "al-1").await.unwrap().is_some());
        assert!(store.partner_alert(&other, "al-1").await.unwrap().is_none());

        // The link opens, is redeemed once, then says it was used.
        match store.ack_token(token, NOW).await.unwrap() {
            AckLookup::Open(info) => {
                assert_eq!(
                    (info.alert_id.as_str(), info.contact.as_str()),
                    ("al-1", "ana")
                );
                assert_eq!(info.subject, subject);
                assert_eq!(info.org_name, "Acme Distribution");
            }
            other => panic!("{label}: {other:?}"),
        }
        assert!(matches!(
            store.redeem_ack_token(token, NOW + 1000).await.unwrap(),
            AckLookup::Open(info) if info.used_at == Some(NOW + 1000)
        ));
        assert!(matches!(
            store.redeem_ack_token(token, NOW + 2000).await.unwrap(),
            AckLookup::Used(_)
        ));
        assert!(matches!(
            store.ack_token("lla_nope", NOW).await.unwrap(),
            AckLookup::Unknown
        ));
        assert!(matches!(
            store.ack_token("a\0b", NOW).await.unwrap(),
            AckLookup::Unknown
        ));
        // An expired link cannot be redeemed.
        let late = NewAckToken {
            token: "lla_secret-token-2".into(),
            expires_at: NOW + 10,
            ..link.clone()
        };
        store
            .record_partner_alerts(&mine.org_id, &[], &[late], "ana")
            .await
            .unwrap();
        assert!(matches!(
            store
                .redeem_ack_token("lla_secret-token-2", NOW + 10)
                .await
                .unwrap(),
            AckLookup::Expired(_)
        ));
        // Only digests are stored.
        let clear = testing::execute(
            &store,
            "UPDATE ack_tokens SET contact = contact WHERE token_hash LIKE 'lla_%'",
        )
        .await
        .unwrap();
        assert_eq!(clear, 0);
    }
}

#[tokio::test]
async fn nonces_are_used_once() {
    for (db, _keys, store) in stores().await {
        let label = db.label;
        let (mine, other, _) = orgs(&store).await;
        assert!(
            store
                .first_use_nonce(&mine.org_id, "hosp-a", "n1", NOW + 1000, NOW)
                .await
                .unwrap()
        );
        assert!(
            !store
                .first_use_nonce(&mine.org_id, "hosp-a", "n1", NOW + 1000, NOW)
                .await
                .unwrap(),
            "{label}"
        );
        assert!(
            store
                .first_use_nonce(&mine.org_id, "hosp-b", "n1", NOW + 1000, NOW)
                .await
                .unwrap()
        );
        assert!(
            store
                .first_use_nonce(&other.org_id, "hosp-a", "n1", NOW + 1000, NOW)
                .await
                .unwrap()
        );
        // After the message expired, its nonce is forgotten (a replay is refused as
        // expired by then).
        assert!(
            store
                .first_use_nonce(&mine.org_id, "hosp-a", "n1", NOW + 9000, NOW + 2000)
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn drills_keep_their_logs() {
    for (db, _keys, store) in stores().await {
        let label = db.label;
        let (mine, other, partner) = orgs(&store).await;
        let id = store
            .create_drill(&mine.org_id, "Q4 lines test", NOW, "ana")
            .await
            .unwrap();
        let sent = DrillEntry {
            at: NOW,
            actor: "lifeline".into(),
            event: r#"{"type":"alert-sent","alert":"al-d","recipient":"hosp-a","contact":"ana","channel":"email","address":"a@x.org","step":0}"#.into(),
        };
        let acked = DrillEntry {
            at: NOW + 60_000,
            actor: "link:hosp-a/ana".into(),
            event: r#"{"type":"acknowledged","alert":"al-d","recipient":"hosp-a","contact":"ana","via":"link"}"#.into(),
        };
        store
            .append_drill_entries(&mine.org_id, &id, std::slice::from_ref(&sent), "ana")
            .await
            .unwrap();
        store
            .append_drill_entries(&mine.org_id, &id, std::slice::from_ref(&acked), "ana")
            .await
            .unwrap();
        let drill = store.drill(&mine, &id).await.unwrap().unwrap();
        assert_eq!(drill.entries, [sent, acked], "{label}");
        assert_eq!(drill.info.entries, 2);
        assert_eq!(store.drills(&mine).await.unwrap().len(), 1);
        assert!(store.drill(&other, &id).await.unwrap().is_none());
        assert!(store.drill(&partner, &id).await.unwrap().is_none());
        assert!(store.drills(&partner).await.unwrap().is_empty());
        assert!(matches!(
            store
                .append_drill_entries(&other.org_id, &id, &[], "oli")
                .await,
            Err(StoreError::NotFound { .. })
        ));
        // Alerts can be about a drill.
        store
            .record_partner_alerts(
                &mine.org_id,
                &[alert("al-d", AlertSubject::Drill(id.clone()))],
                &[],
                "ana",
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .partner_alerts(&mine, &AlertSubject::Drill(id))
                .await
                .unwrap()
                .len(),
            1
        );
    }
}
