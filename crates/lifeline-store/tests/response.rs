//! Incident response's storage on every backend available: playbook versions, incidents
//! whose timelines are only appended to (the next entry's seq and prev checked in the
//! append's transaction), exercise runs, and no organisation or partner reading another's.

use lifeline_store::testing::{self, TestDatabase};
use lifeline_store::{
    Access, EntryKind, IncidentEntry, IncidentState, NewExerciseRun, NewIncident, NewPlaybook,
    Role, Store, StoreError, TIMELINE_GENESIS, sha256_hex,
};

const PASSWORD: &str = "correct horse battery staple";

async fn stores() -> Vec<(TestDatabase, Store)> {
    let mut all = Vec::new();
    for db in testing::databases().await {
        let store = Store::open(&db.url).await.expect("the test database opens");
        all.push((db, store));
    }
    all
}

/// Two organisations; returns (Mercy's access, Other's access, a partner's access in Mercy).
async fn orgs(store: &Store) -> (Access, Access, Access) {
    let mercy = store
        .create_org("Mercy Hospital", "test")
        .await
        .expect("an org");
    let other = store
        .create_org("Other Hospital", "test")
        .await
        .expect("an org");
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

/// An entry chained onto `prev`; its hash is a stand-in (the store does not recompute it).
fn entry(seq: i64, prev: &str, event: serde_json::Value) -> IncidentEntry {
    let event = event.to_string();
    IncidentEntry {
        seq,
        at: 1_780_000_000_000 + seq * 60_000,
        actor: "ana".into(),
        hash: sha256_hex(format!("{prev}{seq}{event}").as_bytes()),
        prev: prev.to_owned(),
        event,
    }
}

fn incident() -> NewIncident {
    NewIncident::new(
        "Distributor ransomware",
        "ransomware",
        r#"{"format":"lifeline-network/1","name":"test"}"#.to_owned(),
        None,
    )
}

async fn audit_actions(store: &Store, org_id: &str) -> Vec<String> {
    let report = store.verify_audit().await.expect("the audit chain reads");
    assert!(report.expect("the audit chain holds").entries > 0);
    store
        .audit_entries(org_id, 1000)
        .await
        .expect("the audit log")
        .into_iter()
        .map(|row| row.action)
        .collect()
}

#[tokio::test]
async fn playbooks_are_versioned_per_organisation() {
    for (db, store) in stores().await {
        let label = db.label;
        let (mercy, other, partner) = orgs(&store).await;
        let v1 = NewPlaybook {
            playbook_id: "distributor-ransomware".into(),
            name: "Distributor ransomware".into(),
            cacao: r#"{"type":"playbook","spec_version":"cacao-2.0"}"#.into(),
        };
        let mut v2 = v1.clone();
        v2.name = "Distributor ransomware, revised".into();
        v2.cacao = r#"{"type":"playbook","spec_version":"cacao-2.0","x":1}"#.into();
        assert_eq!(
            store.add_playbook(&mercy.org_id, &v1, "ana").await.unwrap(),
            1,
            "{label}"
        );
        assert_eq!(
            store.add_playbook(&mercy.org_id, &v2, "ana").await.unwrap(),
            2,
            "{label}"
        );
        assert_eq!(
            store.add_playbook(&other.org_id, &v1, "oli").await.unwrap(),
            1,
            "{label}"
        );
        let other_pb = NewPlaybook {
            playbook_id: "blood-supplier-manual".into(),
            name: "Blood supplier".into(),
            cacao: "{}".into(),
        };
        store
            .add_playbook(&mercy.org_id, &other_pb, "ana")
            .await
            .unwrap();

        // The newest version wins.
        let listed = store.playbooks(&mercy).await.unwrap();
        let ids: Vec<_> = listed
            .iter()
            .map(|p| (p.playbook_id.as_str(), p.version))
            .collect();
        assert_eq!(
            ids,
            [("blood-supplier-manual", 1), ("distributor-ransomware", 2)],
            "{label}"
        );
        let current = store
            .playbook(&mercy, "distributor-ransomware", None)
            .await
            .unwrap();
        let current = current.expect("the playbook");
        assert_eq!(current.cacao, v2.cacao, "{label}");
        assert_eq!(current.info.name, v2.name, "{label}");
        assert_eq!(
            current.info.sha256,
            sha256_hex(v2.cacao.as_bytes()),
            "{label}"
        );
        assert_eq!(current.info.created_by, "ana", "{label}");
        let first = store
            .playbook(&mercy, "distributor-ransomware", Some(1))
            .await
            .unwrap();
        assert_eq!(first.expect("version 1").cacao, v1.cacao, "{label}");
        assert!(
            store
                .playbook(&mercy, "distributor-ransomware", Some(3))
                .await
                .unwrap()
                .is_none(),
            "{label}"
        );
        let versions = store
            .playbook_versions(&mercy, "distributor-ransomware")
            .await
            .unwrap();
        assert_eq!(
            versions.iter().map(|v| v.version).collect::<Vec<_>>(),
            [2, 1],
            "{label}"
        );

        // Other organisations and partners see none of Mercy's.
        assert_eq!(store.playbooks(&other).await.unwrap().len(), 1, "{label}");
        let theirs = store
            .playbook(&other, "distributor-ransomware", None)
            .await
            .unwrap();
        assert_eq!(theirs.expect("Other's own").cacao, v1.cacao, "{label}");
        assert!(
            store
                .playbook(&other, "blood-supplier-manual", None)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store.playbooks(&partner).await.unwrap().is_empty(),
            "{label}"
        );
        assert!(
            store
                .playbook(&partner, "distributor-ransomware", None)
                .await
                .unwrap()
                .is_none(),
            "{label}"
        );

        // Refused input names the field.
        let mut bad = v1.clone();
        bad.cacao = "not json".into();
        let err = store
            .add_playbook(&mercy.org_id, &bad, "ana")
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Invalid { field, .. } if field == "cacao"),
            "{err}"
        );
        let mut bad = v1.clone();
        bad.name = "line\nbreak".into();
        let err = store
            .add_playbook(&mercy.org_id, &bad, "ana")
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Invalid { field, .. } if field == "name"),
            "{err}"
        );
        assert!(
            store
                .playbook(&mercy, "x\0y", None)
                .await
                .unwrap()
                .is_none(),
            "{label}: a NUL in an id finds nothing on every backend"
        );

        let actions = audit_actions(&store, &mercy.org_id).await;
        assert_eq!(
            actions.iter().filter(|a| *a == "playbook.import").count(),
            3,
            "{label}"
        );
    }
}

#[tokio::test]
async fn an_incident_timeline_is_appended_to_in_order() {
    for (db, store) in stores().await {
        let label = db.label;
        let (mercy, other, partner) = orgs(&store).await;
        let first = entry(1, TIMELINE_GENESIS, serde_json::json!({"type": "declared"}));
        let id = store
            .create_incident(&mercy.org_id, &incident(), &first, "ana")
            .await
            .expect("declared");
        let info = store
            .incident(&mercy, &id)
            .await
            .unwrap()
            .expect("the incident");
        assert_eq!(info.info.status, IncidentState::Open, "{label}");
        assert_eq!(info.info.entries, 1, "{label}");
        assert_eq!(info.info.head, first.hash, "{label}");
        assert_eq!(info.info.title, "Distributor ransomware", "{label}");
        assert_eq!(info.info.kind, "ransomware", "{label}");
        assert_eq!(info.network, incident().network, "{label}");
        assert_eq!(
            info.info.network_sha256,
            sha256_hex(incident().network.as_bytes())
        );

        let second = entry(
            2,
            &first.hash,
            serde_json::json!({"type": "note", "text": "a"}),
        );
        store
            .append_incident_entry(&mercy.org_id, &id, &second, EntryKind::Ordinary, "ana")
            .await
            .expect("the second entry");

        // A stale writer: the same seq again, a gap, or a prev that is not the head.
        let again = entry(
            2,
            &first.hash,
            serde_json::json!({"type": "note", "text": "b"}),
        );
        let gap = entry(
            4,
            &second.hash,
            serde_json::json!({"type": "note", "text": "c"}),
        );
        let fork = entry(
            3,
            &first.hash,
            serde_json::json!({"type": "note", "text": "d"}),
        );
        for stale in [&again, &gap, &fork] {
            let err = store
                .append_incident_entry(&mercy.org_id, &id, stale, EntryKind::Ordinary, "ana")
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::Conflict(_)), "{label}: {err}");
        }
        // Another organisation cannot append to it.
        let third = entry(3, &second.hash, serde_json::json!({"type": "closed"}));
        let err = store
            .append_incident_entry(&other.org_id, &id, &third, EntryKind::Closes, "oli")
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NotFound {
                    kind: "incident",
                    ..
                }
            ),
            "{label}: {err}"
        );

        store
            .append_incident_entry(&mercy.org_id, &id, &third, EntryKind::Closes, "ana")
            .await
            .expect("the closing entry");
        let closed = store
            .incident(&mercy, &id)
            .await
            .unwrap()
            .expect("the incident");
        assert_eq!(closed.info.status, IncidentState::Closed, "{label}");
        assert_eq!(closed.info.closed_at, Some(third.at), "{label}");
        assert_eq!(closed.info.entries, 3, "{label}");
        assert_eq!(closed.info.head, third.hash, "{label}");
        // A closed incident takes no more entries.
        let late = entry(
            4,
            &third.hash,
            serde_json::json!({"type": "note", "text": "late"}),
        );
        let err = store
            .append_incident_entry(&mercy.org_id, &id, &late, EntryKind::Ordinary, "ana")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{label}: {err}");
        // A partner's acknowledgement still reaches it, and it stays closed then.
        let ack = entry(
            4,
            &third.hash,
            serde_json::json!({"type": "acknowledged", "alert": "a1", "recipient": "h1",
                               "contact": "c1", "via": "link"}),
        );
        store
            .append_incident_entry(&mercy.org_id, &id, &ack, EntryKind::Partner, "ana")
            .await
            .unwrap();
        let after = store
            .incident(&mercy, &id)
            .await
            .unwrap()
            .expect("the incident");
        assert_eq!(after.info.status, IncidentState::Closed, "{label}");
        assert_eq!(after.info.closed_at, Some(third.at), "{label}");
        assert_eq!(after.info.entries, 4, "{label}");

        let entries = store
            .incident_entries(&mercy, &id)
            .await
            .unwrap()
            .expect("entries");
        assert_eq!(
            entries,
            [first.clone(), second, third, ack],
            "{label}: stored as appended"
        );

        // Other organisations and partners see nothing; lists are per organisation.
        assert!(
            store.incident(&other, &id).await.unwrap().is_none(),
            "{label}"
        );
        assert!(
            store.incident_entries(&other, &id).await.unwrap().is_none(),
            "{label}"
        );
        assert!(
            store.incident(&partner, &id).await.unwrap().is_none(),
            "{label}"
        );
        assert!(
            store
                .incident_entries(&partner, &id)
                .await
                .unwrap()
                .is_none(),
            "{label}"
        );
        assert!(store.incidents(&other).await.unwrap().is_empty(), "{label}");
        assert!(
            store.incidents(&partner).await.unwrap().is_empty(),
            "{label}"
        );
        let listed = store.incidents(&mercy).await.unwrap();
        assert_eq!(listed.len(), 1, "{label}");
        assert_eq!(listed[0].id, id, "{label}");

        let actions = audit_actions(&store, &mercy.org_id).await;
        for action in ["incident.declare", "incident.entry", "incident.close"] {
            assert_eq!(
                actions.iter().filter(|a| *a == action).count(),
                1,
                "{label}: {action} in {actions:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_first_entry_and_its_fields_are_checked() {
    for (db, store) in stores().await {
        let label = db.label;
        let (mercy, _, _) = orgs(&store).await;
        let not_first = entry(2, TIMELINE_GENESIS, serde_json::json!({"type": "declared"}));
        let err = store
            .create_incident(&mercy.org_id, &incident(), &not_first, "ana")
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Invalid { field, .. } if field == "entry"),
            "{err}"
        );
        let mut bad_hash = entry(1, TIMELINE_GENESIS, serde_json::json!({"type": "declared"}));
        bad_hash.hash = "ABC".into();
        let err = store
            .create_incident(&mercy.org_id, &incident(), &bad_hash, "ana")
            .await
            .unwrap_err();
        assert!(matches!(&err, StoreError::Invalid { field, .. } if field == "entry.hash"));
        let mut bad_event = entry(1, TIMELINE_GENESIS, serde_json::json!({}));
        bad_event.event = "{not json".into();
        let err = store
            .create_incident(&mercy.org_id, &incident(), &bad_event, "ana")
            .await
            .unwrap_err();
        assert!(matches!(&err, StoreError::Invalid { field, .. } if field == "entry.event"));
        let mut on_missing_network = incident();
        on_missing_network.network_id = Some("net_missing".into());
        let first = entry(1, TIMELINE_GENESIS, serde_json::json!({"type": "declared"}));
        let err = store
            .create_incident(&mercy.org_id, &on_missing_network, &first, "ana")
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NotFound {
                    kind: "network",
                    ..
                }
            ),
            "{label}: {err}"
        );
        // Nothing was stored by a refused declaration.
        assert!(store.incidents(&mercy).await.unwrap().is_empty(), "{label}");
        let err = store
            .append_incident_entry(
                &mercy.org_id,
                "inc_missing",
                &first,
                EntryKind::Ordinary,
                "ana",
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NotFound {
                    kind: "incident",
                    ..
                }
            ),
            "{label}: {err}"
        );
    }
}

#[tokio::test]
async fn exercise_runs_are_kept_per_organisation() {
    for (db, store) in stores().await {
        let label = db.label;
        let (mercy, other, partner) = orgs(&store).await;
        let run = NewExerciseRun {
            title: "Distributor ransomware tabletop".into(),
            exercise: "format: lifeline-exercise/1\n".into(),
            run: r#"{"decisions":[]}"#.into(),
            scorecard: r#"{"objectives":[]}"#.into(),
        };
        let id = store
            .add_exercise_run(&mercy.org_id, &run, "ana")
            .await
            .unwrap();
        let stored = store
            .exercise_run(&mercy, &id)
            .await
            .unwrap()
            .expect("the run");
        assert_eq!(stored.exercise, run.exercise, "{label}");
        assert_eq!(stored.run, run.run, "{label}");
        assert_eq!(stored.scorecard, run.scorecard, "{label}");
        assert_eq!(stored.info.title, run.title, "{label}");
        let listed = store.exercise_runs(&mercy).await.unwrap();
        assert_eq!(
            listed.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            [id.as_str()]
        );
        assert!(
            store.exercise_run(&other, &id).await.unwrap().is_none(),
            "{label}"
        );
        assert!(
            store.exercise_run(&partner, &id).await.unwrap().is_none(),
            "{label}"
        );
        assert!(
            store.exercise_runs(&other).await.unwrap().is_empty(),
            "{label}"
        );
        let mut bad = run.clone();
        bad.scorecard = "[".into();
        let err = store
            .add_exercise_run(&mercy.org_id, &bad, "ana")
            .await
            .unwrap_err();
        assert!(matches!(&err, StoreError::Invalid { field, .. } if field == "scorecard"));
        let actions = audit_actions(&store, &mercy.org_id).await;
        assert_eq!(
            actions.iter().filter(|a| *a == "exercise.run").count(),
            1,
            "{label}"
        );
    }
}
