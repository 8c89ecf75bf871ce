//! The vendor risk register's storage on every backend available: register versions,
//! one-time questionnaire links (used once; revoked and expired links refused; tokens
//! kept as digests only), and evidence files sealed at rest.

use lifeline_store::testing::{self, TestDatabase};
use lifeline_store::{
    Access, Keyring, LinkLookup, LinkState, NewEvidenceFile, NewVendorRegister, RegisterFormat,
    Role, Store, StoreError, Submission, now_ms,
};

const PASSWORD: &str = "correct horse battery staple";

struct Opened {
    db: TestDatabase,
    store: Store,
    _keys: tempfile::TempDir,
    key_path: std::path::PathBuf,
}

async fn stores() -> Vec<Opened> {
    let mut all = Vec::new();
    for db in testing::databases().await {
        let keys = tempfile::tempdir().expect("a temporary folder");
        let key_path = keys.path().join("lifeline.key");
        let keyring = Keyring::open_or_create(&key_path).expect("a key file");
        let store = Store::open(&db.url)
            .await
            .expect("the test database opens")
            .with_keyring(keyring);
        all.push(Opened {
            db,
            store,
            _keys: keys,
            key_path,
        });
    }
    all
}

/// Two organisations; returns (Mercy's access, Other's access, a partner's access in Mercy).
async fn orgs(store: &Store) -> (Access, Access, Access) {
    let mercy = store
        .create_org("Mercy Hospital", "test")
        .await
        .expect("an organisation");
    let other = store
        .create_org("Other Hospital", "test")
        .await
        .expect("an organisation");
    let partner = store
        .create_user(
            "Mercy Hospital",
            "paul",
            Role::Partner,
            PASSWORD,
            None,
            "test",
        )
        .await
        .expect("a partner");
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

fn register(text: &str, format: RegisterFormat, vendors: i64) -> NewVendorRegister {
    NewVendorRegister {
        format,
        body: text.to_owned(),
        canonical: format!("{{\"canonical\":{vendors}}}"),
        sha256: lifeline_store::sha256_hex(text.as_bytes()),
        bytes: i64::try_from(text.len()).unwrap_or(i64::MAX),
        vendors,
    }
}

async fn sql(store: &Store, statement: &str) -> u64 {
    testing::execute(store, statement)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn registers_are_versioned_per_organisation() {
    for Opened { db, store, .. } in stores().await {
        let label = db.label;
        let (mercy, other, partner) = orgs(&store).await;
        assert!(store.vendor_register(&mercy, None).await.unwrap().is_none());
        let v1 = store
            .add_vendor_register(
                &mercy.org_id,
                &register("format: lifeline-vendors/1\n", RegisterFormat::Yaml, 1),
                "alice",
            )
            .await
            .unwrap();
        let v2 = store
            .add_vendor_register(
                &mercy.org_id,
                &register(
                    "{\"format\":\"lifeline-vendors/1\"}",
                    RegisterFormat::Json,
                    2,
                ),
                "andy",
            )
            .await
            .unwrap();
        assert_eq!((v1, v2), (1, 2), "{label}");
        // The latest is the current one; earlier ones stay, as uploaded.
        let current = store.vendor_register(&mercy, None).await.unwrap().unwrap();
        assert_eq!(current.info.version, 2);
        assert_eq!(current.info.format, RegisterFormat::Json);
        assert_eq!(current.info.created_by, "andy");
        assert_eq!(current.info.source, "upload");
        assert_eq!(current.canonical, "{\"canonical\":2}");
        let first = store
            .vendor_register(&mercy, Some(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.body, "format: lifeline-vendors/1\n");
        assert_eq!(
            first.info.sha256,
            lifeline_store::sha256_hex(b"format: lifeline-vendors/1\n")
        );
        let versions = store.vendor_registers(&mercy).await.unwrap();
        assert_eq!(
            versions.iter().map(|v| v.version).collect::<Vec<_>>(),
            [2, 1]
        );
        assert!(matches!(
            store.vendor_register(&mercy, Some(0)).await,
            Err(StoreError::Invalid { .. })
        ));
        assert!(
            store
                .vendor_register(&mercy, Some(3))
                .await
                .unwrap()
                .is_none()
        );
        // Another organisation has its own numbering and sees none of Mercy's; a partner
        // sees nothing of its own organisation's register.
        assert!(store.vendor_register(&other, None).await.unwrap().is_none());
        assert!(store.vendor_registers(&other).await.unwrap().is_empty());
        assert!(
            store
                .vendor_register(&partner, None)
                .await
                .unwrap()
                .is_none()
        );
        assert!(store.vendor_registers(&partner).await.unwrap().is_empty());
        let v = store
            .add_vendor_register(
                &other.org_id,
                &register("{}", RegisterFormat::Json, 0),
                "bob",
            )
            .await
            .unwrap();
        assert_eq!(v, 1, "{label}");
        let entries = store.audit_entries(&mercy.org_id, 100).await.unwrap();
        assert_eq!(
            entries
                .iter()
                .filter(|e| e.action == "vendors.upload")
                .count(),
            2
        );
        assert!(store.verify_audit().await.unwrap().is_ok(), "{label}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn questionnaire_links_work_once() {
    for Opened { db, store, .. } in stores().await {
        let label = db.label;
        let (mercy, other, partner) = orgs(&store).await;
        store
            .add_vendor_register(
                &mercy.org_id,
                &register("{}", RegisterFormat::Json, 1),
                "alice",
            )
            .await
            .unwrap();
        let link = store
            .create_questionnaire_link(&mercy.org_id, "acme-edi", "csf2", 14, "alice")
            .await
            .unwrap();
        assert!(link.token.starts_with("llq_") && link.token.len() > 40);
        let days = (link.expires_at - now_ms()) as f64 / 86_400_000.0;
        assert!((13.9..=14.0).contains(&days), "{label}: {days}");
        // Only the digest is kept.
        let clear = sql(
            &store,
            &format!(
                "UPDATE vendor_questionnaires SET framework = framework WHERE token_hash = '{}'",
                link.token
            ),
        )
        .await;
        assert_eq!(clear, 0, "{label}: the token is stored in clear");

        // Listed without the token, to Mercy only.
        let listed = store.questionnaire_links(&mercy, None).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, link.id);
        assert_eq!(listed[0].state(now_ms()), LinkState::Open);
        assert!(
            !serde_json::to_string(&listed)
                .unwrap()
                .contains(&link.token)
        );
        assert_eq!(
            store
                .questionnaire_links(&mercy, Some("acme-edi"))
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            store
                .questionnaire_links(&mercy, Some("other"))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .questionnaire_links(&other, None)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .questionnaire_links(&partner, None)
                .await
                .unwrap()
                .is_empty()
        );

        // The token opens it; a wrong token opens nothing.
        match store.questionnaire_by_token(&link.token).await.unwrap() {
            LinkLookup::Open {
                link: open,
                org_name,
            } => {
                assert_eq!(open.vendor_id, "acme-edi");
                assert_eq!(open.framework, "csf2");
                assert_eq!(org_name, "Mercy Hospital");
            }
            other => panic!("{label}: {other:?}"),
        }
        assert!(matches!(
            store.questionnaire_by_token("llq_forged").await.unwrap(),
            LinkLookup::Unknown
        ));

        // A merge that fails stores nothing and leaves the link open.
        let refused = store
            .submit_questionnaire(&link.token, &serde_json::json!({}), |_, _| {
                Err(StoreError::Conflict("the vendor left the register".into()))
            })
            .await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "{label}");
        assert_eq!(store.vendor_registers(&mercy).await.unwrap().len(), 1);

        // Submitted: the answers become the register's next version, built from the
        // current one.
        let answers = serde_json::json!({"answers": [{"question": "GV.SC-05", "answer": "yes"}]});
        let outcome = store
            .submit_questionnaire(&link.token, &answers, |open, current| {
                assert_eq!(open.vendor_id, "acme-edi");
                let current = current.expect("a current register");
                assert_eq!(current.info.version, 1);
                Ok(NewVendorRegister::canonical("{\"merged\":true}".into(), 1))
            })
            .await
            .unwrap();
        assert_eq!(
            outcome,
            Submission::Stored {
                register_version: 2
            },
            "{label}"
        );
        let current = store.vendor_register(&mercy, None).await.unwrap().unwrap();
        assert_eq!(current.info.version, 2);
        assert_eq!(current.info.source, format!("questionnaire:{}", link.id));
        assert_eq!(current.info.created_by, "vendor:acme-edi");
        assert_eq!(current.body, "{\"merged\":true}");
        assert_eq!(
            store
                .questionnaire_answers(&mercy, &link.id)
                .await
                .unwrap()
                .as_ref(),
            Some(&answers)
        );
        assert!(
            store
                .questionnaire_answers(&other, &link.id)
                .await
                .unwrap()
                .is_none()
        );
        let listed = store.questionnaire_links(&mercy, None).await.unwrap();
        assert_eq!(listed[0].state(now_ms()), LinkState::Submitted);
        assert_eq!(listed[0].register_version, Some(2));

        // Used: a second submission is refused and stores nothing.
        assert!(matches!(
            store.questionnaire_by_token(&link.token).await.unwrap(),
            LinkLookup::Gone(LinkState::Submitted)
        ));
        let again = store
            .submit_questionnaire(&link.token, &answers, |_, _| {
                panic!("a used link must not merge")
            })
            .await
            .unwrap();
        assert_eq!(again, Submission::Gone(LinkState::Submitted), "{label}");
        assert_eq!(store.vendor_registers(&mercy).await.unwrap().len(), 2);
        // An answered link cannot be revoked.
        assert!(matches!(
            store
                .revoke_questionnaire_link(&mercy.org_id, "acme-edi", &link.id, "alice")
                .await,
            Err(StoreError::Conflict(_))
        ));

        // Revoked: refused; revoking twice, or from another organisation or vendor, is
        // not found.
        let revoked = store
            .create_questionnaire_link(&mercy.org_id, "acme-edi", "hicp", 30, "alice")
            .await
            .unwrap();
        for (org, vendor) in [(&other.org_id, "acme-edi"), (&mercy.org_id, "other")] {
            assert!(matches!(
                store
                    .revoke_questionnaire_link(org, vendor, &revoked.id, "bob")
                    .await,
                Err(StoreError::NotFound { .. })
            ));
        }
        store
            .revoke_questionnaire_link(&mercy.org_id, "acme-edi", &revoked.id, "alice")
            .await
            .unwrap();
        assert!(matches!(
            store
                .revoke_questionnaire_link(&mercy.org_id, "acme-edi", &revoked.id, "alice")
                .await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store.questionnaire_by_token(&revoked.token).await.unwrap(),
            LinkLookup::Gone(LinkState::Revoked)
        ));
        let outcome = store
            .submit_questionnaire(&revoked.token, &answers, |_, _| {
                panic!("a revoked link must not merge")
            })
            .await
            .unwrap();
        assert_eq!(outcome, Submission::Gone(LinkState::Revoked));

        // Expired: refused.
        let expired = store
            .create_questionnaire_link(&mercy.org_id, "acme-edi", "controls", 1, "alice")
            .await
            .unwrap();
        let moved = sql(
            &store,
            &format!(
                "UPDATE vendor_questionnaires SET expires_at = {} WHERE id = '{}'",
                now_ms() - 1000,
                expired.id
            ),
        )
        .await;
        assert_eq!(moved, 1);
        assert!(matches!(
            store.questionnaire_by_token(&expired.token).await.unwrap(),
            LinkLookup::Gone(LinkState::Expired)
        ));
        let outcome = store
            .submit_questionnaire(&expired.token, &answers, |_, _| {
                panic!("an expired link must not merge")
            })
            .await
            .unwrap();
        assert_eq!(outcome, Submission::Gone(LinkState::Expired));
        assert_eq!(
            store
                .submit_questionnaire("llq_forged", &answers, |_, _| panic!("unknown"))
                .await
                .unwrap(),
            Submission::Unknown
        );
        assert_eq!(store.vendor_registers(&mercy).await.unwrap().len(), 2);

        // Bad requests.
        for (days, framework) in [(0, "csf2"), (366, "csf2"), (7, "")] {
            assert!(matches!(
                store
                    .create_questionnaire_link(&mercy.org_id, "acme-edi", framework, days, "a")
                    .await,
                Err(StoreError::Invalid { .. })
            ));
        }
        let actions: Vec<String> = store
            .audit_entries(&mercy.org_id, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for action in [
            "vendors.questionnaire.create",
            "vendors.questionnaire.submit",
            "vendors.questionnaire.revoke",
        ] {
            assert!(actions.iter().any(|a| a == action), "{label}: {action}");
        }
        assert!(store.verify_audit().await.unwrap().is_ok(), "{label}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn evidence_files_are_sealed_at_rest() {
    for Opened {
        db,
        store,
        key_path,
        _keys,
    } in stores().await
    {
        let label = db.label;
        let (mercy, other, partner) = orgs(&store).await;
        let content = b"%PDF-1.7 SOC 2 Type II report of Acme EDI, period 2026".to_vec();
        let file = NewEvidenceFile {
            vendor_id: "acme-edi".into(),
            kind: "soc2-type2".into(),
            file_name: "acme-soc2-2026.pdf".into(),
            content_type: "application/pdf".into(),
            expires: Some("2027-01-15".into()),
            content: content.clone(),
        };
        let info = store
            .add_vendor_evidence(&mercy.org_id, &file, "alice")
            .await
            .unwrap();
        assert_eq!(info.bytes, content.len() as i64);
        assert_eq!(info.sha256, lifeline_store::sha256_hex(&content));
        let later = store
            .add_vendor_evidence(
                &mercy.org_id,
                &NewEvidenceFile {
                    vendor_id: "medline".into(),
                    kind: "iso27001".into(),
                    file_name: "iso.pdf".into(),
                    content_type: "application/pdf".into(),
                    expires: None,
                    content: b"certificate".to_vec(),
                },
                "alice",
            )
            .await
            .unwrap();

        // Not in clear, nor base64 of it.
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(&content);
        for needle in ["SOC 2 Type II", encoded.as_str()] {
            let clear = sql(
                &store,
                &format!(
                    "UPDATE vendor_evidence SET kind = kind WHERE body LIKE '%{}%'",
                    needle.replace('\'', "''")
                ),
            )
            .await;
            assert_eq!(clear, 0, "{label}: the file is stored readable");
        }

        // Round trip, audited.
        let (got, bytes) = store
            .vendor_evidence_file(&mercy, "acme-edi", &info.id, "vera")
            .await
            .unwrap()
            .expect("the file");
        assert_eq!(bytes, content, "{label}");
        assert_eq!(got.file_name, "acme-soc2-2026.pdf");
        let entries = store.audit_entries(&mercy.org_id, 100).await.unwrap();
        assert!(
            entries
                .iter()
                .any(|e| e.action == "vendors.evidence.download"
                    && e.actor == "vera"
                    && e.target == info.id),
            "{label}"
        );
        // Another organisation, a partner, another vendor's path: nothing.
        for (access, vendor) in [
            (&other, "acme-edi"),
            (&partner, "acme-edi"),
            (&mercy, "medline"),
        ] {
            assert!(
                store
                    .vendor_evidence_file(access, vendor, &info.id, "x")
                    .await
                    .unwrap()
                    .is_none(),
                "{label}"
            );
        }
        assert!(
            store
                .vendor_evidence(&other, None)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .vendor_evidence(&partner, None)
                .await
                .unwrap()
                .is_empty()
        );
        let all = store.vendor_evidence(&mercy, None).await.unwrap();
        assert_eq!(all.len(), 2);
        let acme = store
            .vendor_evidence(&mercy, Some("acme-edi"))
            .await
            .unwrap();
        assert_eq!(
            acme.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            [info.id.as_str()]
        );
        // Expiring: by date, files without a date never.
        let soon = store
            .expiring_vendor_evidence(&mercy, "2027-01-15")
            .await
            .unwrap();
        assert_eq!(soon.len(), 1, "{label}");
        assert!(
            store
                .expiring_vendor_evidence(&mercy, "2027-01-14")
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .expiring_vendor_evidence(&other, "2099-01-01")
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            store.expiring_vendor_evidence(&mercy, "2027-02-30").await,
            Err(StoreError::Invalid { .. })
        ));

        // A sealed file moved to another row does not open.
        sql(
            &store,
            &format!(
                "UPDATE vendor_evidence SET body = (SELECT body FROM vendor_evidence WHERE id = '{}') \
                 WHERE id = '{}'",
                info.id, later.id
            ),
        )
        .await;
        assert!(
            store
                .vendor_evidence_file(&mercy, "medline", &later.id, "vera")
                .await
                .is_err(),
            "{label}"
        );
        sql(
            &store,
            &format!("DELETE FROM vendor_evidence WHERE id = '{}'", later.id),
        )
        .await;

        // Bad input is refused, naming the field.
        for (field, bad) in [
            ("expires", {
                let mut f = file.clone();
                f.expires = Some("2027-13-01".into());
                f
            }),
            ("file_name", {
                let mut f = file.clone();
                f.file_name = "../etc/passwd".into();
                f
            }),
            ("content_type", {
                let mut f = file.clone();
                f.content_type = "pdf".into();
                f
            }),
            ("file", {
                let mut f = file.clone();
                f.content = Vec::new();
                f
            }),
            ("kind", {
                let mut f = file.clone();
                f.kind = "soc2\u{202e}".into();
                f
            }),
        ] {
            match store
                .add_vendor_evidence(&mercy.org_id, &bad, "alice")
                .await
            {
                Err(StoreError::Invalid { field: f, .. }) => assert_eq!(f, field, "{label}"),
                other => panic!("{label}: {field}: {other:?}"),
            }
        }

        // Key rotation re-seals the files: they read with the new key alone.
        let mut keyring = Keyring::open(&key_path).unwrap();
        let count = store.rotate_key(&mut keyring).await.unwrap();
        assert_eq!(count, 1, "{label}: one evidence file, no contact");
        let reopened = Store::open(&db.url)
            .await
            .unwrap()
            .with_keyring(Keyring::open(&key_path).unwrap());
        let (_, bytes) = reopened
            .vendor_evidence_file(&mercy, "acme-edi", &info.id, "vera")
            .await
            .unwrap()
            .expect("the file");
        assert_eq!(bytes, content);
        // Without a key file, no evidence is written.
        let keyless = Store::open(&db.url).await.unwrap();
        assert!(matches!(
            keyless.add_vendor_evidence(&mercy.org_id, &file, "a").await,
            Err(StoreError::NoKeyring)
        ));
        assert!(reopened.verify_audit().await.unwrap().is_ok(), "{label}");
    }
}
