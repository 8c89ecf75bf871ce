//! Incident response as a service: an incident declared through the API on the example
//! network has the impact and the tasks lifeline-response's library computes for the same
//! document (what `lifeline incident declare` runs); task changes, approvals, notes,
//! decisions, improvements, a new estimate and the closing land on the timeline in order;
//! no route edits or removes an entry; `verify` checks the chain and finds an entry edited
//! in the database; the after-action report and the playbook library answer.

mod common;

use std::path::Path;

use axum::http::{Method, StatusCode};
use common::{TestApp, apps};
use lifeline_response::incident::{Declaration, Event, impact, state};
use lifeline_response::playbook::IncidentKind;
use lifeline_store::Role;
use serde_json::{Value, json};

const DECLARED_AT: &str = "2026-12-01T08:00:00Z";

fn example_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iv-fluids.json")
}

fn example_bytes() -> Vec<u8> {
    let path = example_path();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn declaration_body() -> Value {
    json!({
        "title": "Meridian EDI ransomware",
        "kind": "ransomware",
        "entities": ["edi-hub"],
        "capacity_factor": 0.0,
        "expected_ttr": 10.0,
        "declared_at": DECLARED_AT,
    })
}

/// Declares the incident on `network` as `token`; the reply's document.
async fn declare(app: &TestApp, token: &str, network: &str) -> Value {
    let reply = app
        .post_json(
            &format!("/api/v1/networks/{network}/incidents"),
            token,
            &declaration_body(),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}: {}",
        app.db.label,
        reply.text()
    );
    reply.json()
}

/// A task id as a path segment (`PLAYBOOK/STEP`, the slash encoded).
fn task_path(incident: &str, task: &str) -> String {
    format!(
        "/api/v1/incidents/{incident}/tasks/{}",
        task.replace('/', "%2F")
    )
}

async fn timeline(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let reply = app
        .get(&format!("/api/v1/incidents/{id}/timeline"), token)
        .await;
    reply.assert_status(StatusCode::OK);
    reply.json()["entries"].as_array().expect("entries").clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incident_declared_through_the_api_is_the_librarys_and_its_timeline_holds() {
    for app in apps().await {
        let label = app.db.label;
        let admin = app.user("Mercy Hospital", "ada", Role::Admin).await;
        let analyst = app.user("Mercy Hospital", "andy", Role::Analyst).await;
        let viewer = app.user("Mercy Hospital", "vera", Role::Viewer).await;
        let network = app.upload_example(&admin, "iv-fluids.json").await;

        let declared = declare(&app, &analyst, &network).await;
        let id = declared["id"].as_str().expect("an id").to_owned();
        assert_eq!(declared["status"], "open");
        assert_eq!(declared["network"], network.as_str());
        assert_eq!(declared["entries"], 1);

        // The impact and the tasks are what the library computes for the same document,
        // as `lifeline incident declare --network examples/iv-fluids.json` would.
        let bytes = example_bytes();
        let loaded = lifeline_network::load(&example_path()).expect("the example loads");
        let sha = lifeline_store::sha256_hex(&bytes);
        assert_eq!(declared["network_sha256"], sha.as_str(), "{label}");
        let declaration = Declaration {
            title: "Meridian EDI ransomware".into(),
            kind: IncidentKind::Ransomware,
            entities: vec!["edi-hub".into()],
            capacity_factor: 0.0,
            expected_ttr: 10.0,
            declared_at: time::OffsetDateTime::parse(
                DECLARED_AT,
                &time::format_description::well_known::Rfc3339,
            )
            .expect("a time"),
            playbooks: Vec::new(),
        };
        let expected = impact::compute(&loaded.network, &sha, &declaration).expect("an impact");
        let incident = &declared["incident"];
        assert_eq!(
            incident["impact"],
            serde_json::to_value(&expected).expect("JSON"),
            "{label}: the API's impact is the library's"
        );
        let first = state::declare(
            &loaded.network,
            &sha,
            declaration,
            &lifeline_response::library::builtin(),
            "andy",
        )
        .expect("the library declares it");
        let Event::Declared {
            tasks, playbooks, ..
        } = &first.event
        else {
            panic!("the first entry declares");
        };
        assert_eq!(
            incident["tasks"],
            serde_json::to_value(tasks).expect("JSON"),
            "{label}: the API's tasks are the library's"
        );
        assert_eq!(
            incident["playbooks"],
            serde_json::to_value(playbooks).expect("JSON")
        );
        // The first entry is the library's, byte for byte: same actor and time, same hash.
        let entries = timeline(&app, &viewer, &id).await;
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["hash"], first.hash.as_str(), "{label}");

        // The list shows it to a viewer.
        let list = app.get("/api/v1/incidents", &viewer).await;
        list.assert_status(StatusCode::OK);
        assert_eq!(list.json()["incidents"][0]["id"], id.as_str());

        let tasks = incident["tasks"].as_array().expect("tasks").clone();
        assert!(!tasks.is_empty(), "{label}: a playbook matched: {incident}");

        // A task's status, with its note, lands on the timeline and on the board.
        let task = tasks[0]["id"].as_str().expect("a task id").to_owned();
        let reply = app
            .post_json(
                &task_path(&id, &task),
                &analyst,
                &json!({"status": "in-progress", "note": "calling the rep"}),
            )
            .await;
        reply.assert_status_in(StatusCode::CREATED, label);
        assert_eq!(reply.json()["entry"]["seq"], 2);
        let now = app.get(&format!("/api/v1/incidents/{id}"), &viewer).await;
        let now = now.json();
        let shown = now["incident"]["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .find(|t| t["id"] == task.as_str())
            .expect("the task")
            .clone();
        assert_eq!(shown["status"], "in-progress");
        let entries = timeline(&app, &viewer, &id).await;
        assert_eq!(entries[1]["event"]["type"], "task-status");
        assert_eq!(entries[1]["event"]["task"], task.as_str());
        assert_eq!(entries[1]["actor"], "andy");
        assert_eq!(entries[1]["prev"], entries[0]["hash"]);

        // Refused changes add nothing: an unknown task, a status that is not one, a
        // viewer, and an approval the task does not need.
        for (path, body, status) in [
            (
                task_path(&id, "nope/nothing"),
                json!({"status": "done"}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                task_path(&id, &task),
                json!({"status": "finished"}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                task_path(&id, &task),
                json!({"status": "done", "approve": "x"}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ] {
            let reply = app.post_json(&path, &analyst, &body).await;
            assert_eq!(
                reply.status,
                status,
                "{label}: {path} {body}: {}",
                reply.text()
            );
            assert_eq!(reply.json()["error"]["code"], "invalid");
        }
        let reply = app
            .post_json(&task_path(&id, &task), &viewer, &json!({"status": "done"}))
            .await;
        reply.assert_status(StatusCode::FORBIDDEN);

        // An approval, by the role the task names.
        if let Some(needs) = tasks.iter().find(|t| t["approval"].is_string()) {
            let task = needs["id"].as_str().expect("an id");
            let role = needs["approval"].as_str().expect("a role");
            let wrong = app
                .post_json(
                    &task_path(&id, task),
                    &analyst,
                    &json!({"approve": "Somebody else"}),
                )
                .await;
            wrong.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
            let reply = app
                .post_json(&task_path(&id, task), &analyst, &json!({"approve": role}))
                .await;
            reply.assert_status_in(StatusCode::CREATED, label);
            assert_eq!(reply.json()["entry"]["event"]["type"], "approved");
        }

        // A note, a decision and an improvement.
        for body in [
            json!({"type": "note", "text": "Meridian confirms encryption of its EDI servers"}),
            json!({"type": "decision", "text": "Order by phone through the rep until restored"}),
            json!({"type": "improvement", "text": "Keep a paper order form", "owner": "Materials manager", "function": "supply-chain"}),
        ] {
            let reply = app
                .post_json(&format!("/api/v1/incidents/{id}/entries"), &analyst, &body)
                .await;
            reply.assert_status_in(StatusCode::CREATED, label);
        }
        let reply = app
            .post_json(
                &format!("/api/v1/incidents/{id}/entries"),
                &analyst,
                &json!({"type": "improvement", "text": "no owner"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.json()["error"]["field"], "owner");

        // A new estimate recomputes the impact; one that leaves the capacity out keeps
        // the last estimate's.
        let reply = app
            .post_json(
                &format!("/api/v1/incidents/{id}/update"),
                &analyst,
                &json!({"expected_ttr": 14.0, "capacity_factor": 0.5}),
            )
            .await;
        reply.assert_status_in(StatusCode::CREATED, label);
        let reply = app
            .post_json(
                &format!("/api/v1/incidents/{id}/update"),
                &analyst,
                &json!({"expected_ttr": 21.0, "reason": "restoration slips a fortnight"}),
            )
            .await;
        reply.assert_status_in(StatusCode::CREATED, label);
        let updated = app.get(&format!("/api/v1/incidents/{id}"), &viewer).await;
        let updated = updated.json();
        assert_eq!(updated["incident"]["impact"]["expected_ttr"], 21.0);
        assert_eq!(
            updated["incident"]["impact"]["scenario"]["scenarios"][0]["disrupt"][0]["capacity_factor"],
            0.5,
            "{label}: {updated}"
        );

        // The timeline cannot be rewritten: no route edits or removes an entry, an entry
        // posted with its own seq, hash or time is refused, and nothing changed.
        let before = timeline(&app, &viewer, &id).await;
        for (method, path) in [
            (Method::PUT, format!("/api/v1/incidents/{id}/timeline")),
            (Method::PATCH, format!("/api/v1/incidents/{id}/timeline")),
            (Method::DELETE, format!("/api/v1/incidents/{id}/timeline")),
            (Method::PUT, format!("/api/v1/incidents/{id}/entries")),
            (Method::DELETE, format!("/api/v1/incidents/{id}/entries")),
            (Method::PUT, format!("/api/v1/incidents/{id}/entries/2")),
            (Method::DELETE, format!("/api/v1/incidents/{id}/entries/2")),
            (Method::PATCH, format!("/api/v1/incidents/{id}/entries/2")),
            (Method::DELETE, format!("/api/v1/incidents/{id}")),
            (Method::PUT, format!("/api/v1/incidents/{id}")),
            (Method::POST, format!("/api/v1/incidents/{id}/timeline")),
        ] {
            let body =
                json!({"seq": 2, "actor": "mallory", "event": {"type": "note", "text": "x"}});
            let reply = app
                .send(
                    method.clone(),
                    &path,
                    Some(&admin),
                    Some(("application/json", body.to_string().into_bytes())),
                )
                .await;
            assert!(
                matches!(
                    reply.status,
                    StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
                ),
                "{label}: {method} {path}: {} {}",
                reply.status,
                reply.text()
            );
        }
        for field in ["seq", "hash", "prev", "at", "actor"] {
            let mut body = json!({"type": "note", "text": "forged"});
            body[field] = json!("1");
            let reply = app
                .post_json(&format!("/api/v1/incidents/{id}/entries"), &admin, &body)
                .await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{label}: {field}: {}",
                reply.text()
            );
        }
        assert_eq!(timeline(&app, &viewer, &id).await, before, "{label}");

        // The chain verifies, and its head is the incident's.
        let verify = app
            .get(&format!("/api/v1/incidents/{id}/verify"), &viewer)
            .await;
        verify.assert_status(StatusCode::OK);
        let verify = verify.json();
        assert_eq!(verify["ok"], true, "{label}: {verify}");
        assert_eq!(verify["entries"], before.len());
        assert_eq!(verify["head"], before.last().expect("an entry")["hash"]);

        // The after-action report, in each format.
        for (format, content_type, needle) in [
            ("markdown", "text/markdown", "Meridian EDI ransomware"),
            ("html", "text/html", "Meridian EDI ransomware"),
            ("json", "application/json", "Meridian EDI ransomware"),
        ] {
            let reply = app
                .get(
                    &format!("/api/v1/incidents/{id}/report?format={format}"),
                    &viewer,
                )
                .await;
            reply.assert_status_in(StatusCode::OK, label);
            assert!(
                reply.headers["content-type"]
                    .to_str()
                    .expect("a type")
                    .starts_with(content_type)
            );
            assert!(reply.text().contains(needle), "{}", reply.text());
        }
        let reply = app
            .get(
                &format!("/api/v1/incidents/{id}/report?format=pdf"),
                &viewer,
            )
            .await;
        reply.assert_status(StatusCode::BAD_REQUEST);

        // Closing: nothing is added after it.
        let reply = app
            .post_json(
                &format!("/api/v1/incidents/{id}/close"),
                &analyst,
                &json!({"summary": "Restored; orders back on EDI"}),
            )
            .await;
        reply.assert_status_in(StatusCode::CREATED, label);
        let reply = app
            .post_json(
                &format!("/api/v1/incidents/{id}/entries"),
                &analyst,
                &json!({"type": "note", "text": "late"}),
            )
            .await;
        reply.assert_status_in(StatusCode::CONFLICT, label);
        let closed = app.get(&format!("/api/v1/incidents/{id}"), &viewer).await;
        assert_eq!(closed.json()["status"], "closed");

        // An entry edited in the database: verify names it, and the incident no longer
        // replays (409), rather than showing a state its timeline does not prove.
        let edited = lifeline_store::testing::execute(
            &app.store,
            &format!(
                "UPDATE incident_entries SET actor = 'mallory' WHERE incident_id = '{id}' AND seq = 2"
            ),
        )
        .await
        .expect("the edit");
        assert_eq!(edited, 1);
        let verify = app
            .get(&format!("/api/v1/incidents/{id}/verify"), &viewer)
            .await
            .json();
        assert_eq!(verify["ok"], false, "{label}: {verify}");
        assert_eq!(verify["broken"]["seq"], 2, "{verify}");
        let reply = app.get(&format!("/api/v1/incidents/{id}"), &viewer).await;
        reply.assert_status(StatusCode::CONFLICT);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn declarations_are_checked_and_incidents_stay_in_their_organisation() {
    for app in apps().await {
        let label = app.db.label;
        let analyst = app.user("Mercy Hospital", "andy", Role::Analyst).await;
        let partner = app.user("Mercy Hospital", "paul", Role::Partner).await;
        let other = app.user("Other Hospital", "bob", Role::Admin).await;
        let network = app.upload_example(&analyst, "iv-fluids.json").await;
        let path = format!("/api/v1/networks/{network}/incidents");

        // A misspelt entity is refused with a suggestion, on the request's field.
        let mut body = declaration_body();
        body["entities"] = json!(["edi-hb"]);
        let reply = app.post_json(&path, &analyst, &body).await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let error = reply.json();
        assert_eq!(error["error"]["field"], "entities", "{label}: {error}");
        assert!(error.to_string().contains("edi-hub"), "{error}");
        for (field, value) in [
            ("kind", json!("meteor")),
            ("declared_at", json!("yesterday")),
            ("declared_at", json!("2999-01-01T00:00:00Z")),
            ("entities", json!([])),
        ] {
            let mut body = declaration_body();
            body[field] = value;
            let reply = app.post_json(&path, &analyst, &body).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{label}: {field}: {}",
                reply.text()
            );
            assert_eq!(reply.json()["error"]["field"], field);
        }
        assert!(
            app.get("/api/v1/incidents", &analyst).await.json()["incidents"]
                .as_array()
                .expect("a list")
                .is_empty()
        );

        let declared = declare(&app, &analyst, &network).await;
        let id = declared["id"].as_str().expect("an id");
        // Another organisation's admin: no such incident, none listed, and it cannot
        // declare on the network.
        for path in [
            format!("/api/v1/incidents/{id}"),
            format!("/api/v1/incidents/{id}/timeline"),
            format!("/api/v1/incidents/{id}/verify"),
            format!("/api/v1/incidents/{id}/report"),
        ] {
            assert_eq!(app.get(&path, &other).await.status, StatusCode::NOT_FOUND);
        }
        let reply = app
            .post_json(
                &format!("/api/v1/incidents/{id}/entries"),
                &other,
                &json!({"type": "note", "text": "x"}),
            )
            .await;
        reply.assert_status(StatusCode::NOT_FOUND);
        let list = app.get("/api/v1/incidents", &other).await;
        assert!(!list.text().contains(id), "{}", list.text());
        let reply = app
            .post_json(
                &format!("/api/v1/networks/{network}/incidents"),
                &other,
                &declaration_body(),
            )
            .await;
        reply.assert_status(StatusCode::NOT_FOUND);
        // A partner of the organisation sees none of it.
        let reply = app.get(&format!("/api/v1/incidents/{id}"), &partner).await;
        reply.assert_status(StatusCode::FORBIDDEN);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_playbook_library_lists_imports_and_exports() {
    for app in apps().await {
        let label = app.db.label;
        let analyst = app.user("Mercy Hospital", "andy", Role::Analyst).await;
        let viewer = app.user("Mercy Hospital", "vera", Role::Viewer).await;
        let builtin = lifeline_response::library::builtin();
        let list = app.get("/api/v1/playbooks", &viewer).await;
        list.assert_status(StatusCode::OK);
        let listed = list.json()["playbooks"].as_array().expect("a list").clone();
        assert_eq!(listed.len(), builtin.len(), "{label}");
        assert!(listed.iter().all(|p| p["origin"] == "built-in"));

        // A built-in playbook in each form.
        let first = &builtin[0];
        let json = app
            .get(&format!("/api/v1/playbooks/{}", first.id), &viewer)
            .await;
        json.assert_status(StatusCode::OK);
        assert_eq!(json.json(), serde_json::to_value(first).expect("JSON"));
        let yaml = app
            .get(
                &format!("/api/v1/playbooks/{}?format=yaml", first.id),
                &viewer,
            )
            .await;
        assert_eq!(yaml.status, StatusCode::OK);
        assert_eq!(
            yaml.text(),
            lifeline_response::playbook::read::to_yaml(first)
        );
        let cacao = app
            .get(
                &format!("/api/v1/playbooks/{}?format=cacao", first.id),
                &viewer,
            )
            .await;
        assert_eq!(cacao.status, StatusCode::OK);
        let cacao_text = cacao.text();
        assert!(
            cacao.json()["spec_version"]
                .as_str()
                .is_some_and(|v| v.starts_with("cacao-2"))
        );

        // Imported (its CACAO form, under a new id): listed as imported, and a second
        // import is its next version.
        let mut mine = first.clone();
        mine.id = "mercy-edi-downtime".into();
        mine.name = "Mercy's EDI downtime".into();
        let yaml = lifeline_response::playbook::read::to_yaml(&mine);
        for version in 1..=2 {
            let reply = app
                .send(
                    Method::POST,
                    "/api/v1/playbooks",
                    Some(&analyst),
                    Some(("application/yaml", yaml.clone().into_bytes())),
                )
                .await;
            reply.assert_status_in(StatusCode::CREATED, label);
            assert_eq!(reply.json()["version"], version);
            assert_eq!(reply.json()["id"], "mercy-edi-downtime");
        }
        let reply = app
            .send(
                Method::POST,
                "/api/v1/playbooks",
                Some(&viewer),
                Some(("application/yaml", yaml.clone().into_bytes())),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        let back = app
            .get("/api/v1/playbooks/mercy-edi-downtime", &viewer)
            .await;
        back.assert_status(StatusCode::OK);
        assert_eq!(back.json(), serde_json::to_value(&mine).expect("JSON"));
        // The built-in CACAO export imports too.
        let reply = app
            .send(
                Method::POST,
                "/api/v1/playbooks",
                Some(&analyst),
                Some(("application/json", cacao_text.into_bytes())),
            )
            .await;
        reply.assert_status_in(StatusCode::CREATED, label);
        let listed = app.get("/api/v1/playbooks", &viewer).await.json();
        let origins: Vec<(&str, &str)> = listed["playbooks"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|p| {
                (
                    p["id"].as_str().unwrap_or(""),
                    p["origin"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert!(
            origins.contains(&("mercy-edi-downtime", "imported")),
            "{origins:?}"
        );
        assert!(
            origins.contains(&(first.id.as_str(), "imported")),
            "{origins:?}"
        );
        assert_eq!(origins.len(), builtin.len() + 1);

        // A broken playbook is refused naming what is wrong; an unknown id is a 404.
        let reply = app
            .send(
                Method::POST,
                "/api/v1/playbooks",
                Some(&analyst),
                Some((
                    "application/yaml",
                    b"format: lifeline-playbook/1\nid: Bad Id\n".to_vec(),
                )),
            )
            .await;
        reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let reply = app.get("/api/v1/playbooks/nothing-here", &viewer).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
    }
}
