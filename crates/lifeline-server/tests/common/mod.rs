//! What the server's tests share: an app on a fresh database (SQLite, and PostgreSQL when
//! `LIFELINE_TEST_DATABASE_URL` is set), organisations with users of each role, and
//! requests sent through the router in memory.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt as _;
use lifeline_server::{AppState, Config};
use lifeline_store::testing::TestDatabase;
use lifeline_store::{Keyring, Role, Store};
use tower::ServiceExt as _;

pub const PASSWORD: &str = "correct horse battery staple";

/// An app on one fresh database.
pub struct TestApp {
    pub db: TestDatabase,
    pub store: Store,
    pub state: AppState,
    pub router: Router,
    _keys: tempfile::TempDir,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}), status {}: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts the status; the message is the body.
    #[track_caller]
    pub fn assert_status(&self, status: StatusCode) {
        assert_eq!(self.status, status, "{}", self.text());
    }

    /// Asserts the status; the message is `label` (the backend, say) and the body.
    #[track_caller]
    pub fn assert_status_in(&self, status: StatusCode, label: &str) {
        assert_eq!(self.status, status, "{label}: {}", self.text());
    }
}

/// One app per backend available (SQLite always, PostgreSQL when configured).
pub async fn apps() -> Vec<TestApp> {
    apps_with(&Config::default()).await
}

/// One app per backend available, each with `config` (its limits, for one).
pub async fn apps_with(config: &Config) -> Vec<TestApp> {
    let mut apps = Vec::new();
    for db in lifeline_store::testing::databases().await {
        apps.push(TestApp::with_config(db, config).await);
    }
    apps
}

impl TestApp {
    pub async fn on(db: TestDatabase) -> TestApp {
        TestApp::with_config(db, &Config::default()).await
    }

    pub async fn with_config(db: TestDatabase, config: &Config) -> TestApp {
        let keys = tempfile::tempdir().expect("a temporary folder");
        let keyring =
            Keyring::open_or_create(&keys.path().join("lifeline.key")).expect("a key file");
        let store = Store::open(&db.url)
            .await
            .expect("the test database opens")
            .with_keyring(keyring);
        let state = AppState::new(store.clone(), config)
            .await
            .expect("the app state");
        let router = lifeline_server::app(state.clone(), config);
        TestApp {
            db,
            store,
            state,
            router,
            _keys: keys,
        }
    }

    /// Creates organisation `org` (when new) and a user `NAME` of `role` in it; returns an
    /// API token of that user.
    pub async fn user(&self, org: &str, name: &str, role: Role) -> String {
        if self
            .store
            .org_by_name(org)
            .await
            .expect("org lookup")
            .is_none()
        {
            self.store
                .create_org(org, "test")
                .await
                .expect("create org");
        }
        self.store
            .create_user(org, name, role, PASSWORD, None, "test")
            .await
            .expect("create user");
        self.store
            .create_token(name, "test", None, "test")
            .await
            .expect("create token")
            .secret
    }

    /// Sends a request with an optional bearer token and body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some((content_type, bytes)) => request
                .header("content-type", content_type)
                .body(Body::from(bytes)),
            None => request.body(Body::empty()),
        }
        .expect("a request");
        self.call(request).await
    }

    /// Sends a built request.
    pub async fn call(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("the body")
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(Method::GET, path, Some(token), None).await
    }

    pub async fn post_json(&self, path: &str, token: &str, body: &serde_json::Value) -> Reply {
        self.send(
            Method::POST,
            path,
            Some(token),
            Some(("application/json", body.to_string().into_bytes())),
        )
        .await
    }

    /// Uploads an example network (`examples/NAME`) and returns its id.
    pub async fn upload_example(&self, token: &str, name: &str) -> String {
        let path = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).expect("the example exists");
        let content_type = if name.ends_with(".json") {
            "application/json"
        } else {
            "application/yaml"
        };
        let reply = self
            .send(
                Method::POST,
                "/api/v1/networks",
                Some(token),
                Some((content_type, bytes)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        reply.json()["id"].as_str().expect("an id").to_owned()
    }

    /// Waits (up to 120 s) for a job to finish and returns its final state document.
    /// Starts a stress test of `network` and waits for it to succeed; the finished job.
    pub async fn stress_and_wait(&self, token: &str, network: &str) -> serde_json::Value {
        let reply = self
            .post_json(
                &format!("/api/v1/networks/{network}/stress"),
                token,
                &serde_json::json!({}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
        let url = reply.json()["job"]["url"]
            .as_str()
            .expect("a job url")
            .to_owned();
        let job = self.wait_job(token, &url).await;
        assert_eq!(job["state"], "succeeded", "{job}");
        job
    }

    pub async fn wait_job(&self, token: &str, job_url: &str) -> serde_json::Value {
        for _ in 0..1200 {
            let reply = self.get(job_url, token).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
            let job = reply.json();
            if matches!(job["state"].as_str(), Some("succeeded" | "failed")) {
                return job;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("job {job_url} did not finish in 120 s");
    }
}

/// A run record of the example tabletop exercise
/// (`examples/exercises/distributor-ransomware.yaml` with its scripted decisions), made
/// by lifeline-response's library as `lifeline exercise run --record` makes one: every
/// inject delivered at its time, the scripted decisions, play to the exercise's end.
pub fn exercise_run() -> lifeline_response::exercise::Run {
    use lifeline_response::exercise::{self, Delivered, RUN_FORMAT, Run, read};
    let dir = format!("{}/../../examples/exercises", env!("CARGO_MANIFEST_DIR"));
    let path = format!("{dir}/distributor-ransomware.yaml");
    let text = std::fs::read_to_string(&path).expect("the example exercise");
    let exercise = read::from_str(
        &text,
        lifeline_network::Format::Yaml,
        std::path::Path::new(&path),
    )
    .expect("the example exercise is valid")
    .exercise;
    let decisions = std::fs::read_to_string(format!("{dir}/distributor-ransomware.decisions.txt"))
        .expect("the example decisions");
    let (decisions, _) = lifeline_response::exercise::play::read_decisions(&decisions, &exercise)
        .expect("the example decisions are valid");
    let start = exercise.start.expect("the example has a start");
    Run {
        format: RUN_FORMAT.to_owned(),
        exercise_sha256: exercise::sha256_hex(&text),
        network: "distributor-ransomware".to_owned(),
        network_sha256: exercise::sha256_hex("network"),
        held_at: start,
        start,
        speed: 3600.0,
        draw: None,
        injects: exercise
            .injects
            .iter()
            .filter(|i| i.at <= exercise.end)
            .map(|i| Delivered {
                inject: i.id.clone(),
                at: i.at,
            })
            .collect(),
        decisions,
        ended: exercise.end,
        impacts: Vec::new(),
        exercise,
    }
}

/// [`exercise_run`] as the JSON `--record` writes.
pub fn exercise_record() -> Vec<u8> {
    serde_json::to_vec_pretty(&exercise_run()).expect("a run record")
}

/// Logs `user` in: the cookie (`NAME=VALUE`) and the CSRF token.
pub async fn login(app: &TestApp, user: &str) -> (String, String) {
    let reply = app
        .send(
            Method::POST,
            "/api/v1/session",
            None,
            Some((
                "application/json",
                serde_json::json!({"user": user, "password": PASSWORD})
                    .to_string()
                    .into_bytes(),
            )),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let cookie = reply
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let csrf = reply.json()["csrf_token"]
        .as_str()
        .expect("a CSRF token")
        .to_owned();
    (cookie, csrf)
}
