//! Crash safety of `lifeline serve`, end to end through the binary: network uploads stream
//! in from several clients while the server is killed with SIGKILL; after a restart every
//! upload that was answered 201 is listed under the same id, an upload cut off mid-body is
//! not, a stress job caught by the crash does not stay `running`, and `lifeline audit verify`
//! accepts the chain. Then one audit row is edited by hand and `audit verify` must exit 2
//! naming that entry.
//!
//! Runs on SQLite always, and on PostgreSQL when `LIFELINE_TEST_DATABASE_URL` names a server
//! where its role may create databases (each run makes and drops its own); with `CI` set a
//! missing URL is a failure, not a skip. PostgreSQL runs need `psql` for the database set-up
//! and the hand edit.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "support/binary.rs"]
mod binary;
use binary::{admin, lifeline, output_text, repo};

/// Nodes of the generated network whose stress job the kill interrupts.
const LARGE_NETWORK_NODES: usize = 2000;
/// Concurrent upload streams.
const UPLOADERS: usize = 4;
/// Uploads answered 201 before the kill.
const ACKNOWLEDGED_BEFORE_KILL: usize = 16;
/// Bounds on the whole upload stream, in case the kill never lands.
const MAX_UPLOADS_PER_STREAM: usize = 500;
const STREAM_DEADLINE: Duration = Duration::from_secs(120);

#[test]
fn crash_mid_upload_keeps_acknowledged_networks_and_the_audit_chain_on_sqlite() {
    let database = Database::sqlite();
    crash_and_verify(&database);
}

#[test]
fn crash_mid_upload_keeps_acknowledged_networks_and_the_audit_chain_on_postgres() {
    let Some(admin_url) = postgres_url() else {
        return;
    };
    let database = Database::postgres(&admin_url);
    crash_and_verify(&database);
}

/// The PostgreSQL server to test against, or `None` (a skip, said on stderr) when none is
/// configured outside CI.
fn postgres_url() -> Option<String> {
    match std::env::var("LIFELINE_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but LIFELINE_TEST_DATABASE_URL is not: the PostgreSQL crash test \
                 must run in CI (.ci/run starts a cluster with tools/pg-test-server.sh)"
            );
            let _ = writeln!(
                std::io::stderr(),
                "skipping the PostgreSQL crash test: LIFELINE_TEST_DATABASE_URL is not set"
            );
            None
        }
    }
}

fn crash_and_verify(database: &Database) {
    let work = tempfile::tempdir().expect("make a temporary folder");
    let url = database.url();
    let data = work.path();
    let token = make_org_user_token(&url, data);
    let bearer = format!("Bearer {token}");
    let network = std::fs::read(repo().join("examples/iv-fluids.json"))
        .expect("read examples/iv-fluids.json");

    // A network whose stress test takes seconds (about 3 s in a debug build), so that its
    // job is still running when the server is killed.
    let large = work.path().join("large.json");
    let generated = lifeline(data)
        .args([
            "generate",
            "--nodes",
            &LARGE_NETWORK_NODES.to_string(),
            "--output",
        ])
        .arg(&large)
        .output()
        .expect("run lifeline generate");
    assert!(generated.status.success(), "{}", output_text(&generated));
    let large = std::fs::read(&large).expect("read the generated network");

    // First life: a long stress job, then streams of uploads, then SIGKILL while they run.
    let mut server = Server::start(&url, data, 1);
    let (status, body) = post(
        &server.url("/api/v1/networks?name=stressed"),
        &bearer,
        &large,
    );
    assert_eq!(status, 201, "upload `stressed`: {body}\n{}", server.log());
    let stressed = field(&body, &["id"]);
    let (status, body) = post(
        &server.url(&format!("/api/v1/networks/{stressed}/stress")),
        &bearer,
        b"{}",
    );
    assert_eq!(status, 202, "stress `{stressed}`: {body}\n{}", server.log());
    let job = field(&body, &["job", "id"]);
    wait_for_job(&server, &bearer, &job, &["running", "succeeded", "failed"]);

    let network = Arc::new(network);
    let killing = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let streams: Vec<_> = (0..UPLOADERS)
        .map(|stream| {
            let (base, bearer, network) = (server.base.clone(), bearer.clone(), network.clone());
            let (killing, acknowledged) = (killing.clone(), acknowledged.clone());
            thread::spawn(move || {
                upload_stream(stream, &base, &bearer, &network, &killing, &acknowledged)
            })
        })
        .collect();
    let started = Instant::now();
    while acknowledged.load(Ordering::SeqCst) < ACKNOWLEDGED_BEFORE_KILL {
        // Streams that stopped on their own were refused: the checks below say why.
        if streams.iter().all(|stream| stream.is_finished()) {
            break;
        }
        assert!(
            started.elapsed() < STREAM_DEADLINE,
            "only {} uploads acknowledged in {STREAM_DEADLINE:?}\n{}",
            acknowledged.load(Ordering::SeqCst),
            server.log()
        );
        thread::sleep(Duration::from_millis(10));
    }
    // An upload whose body is half sent when the server dies must leave nothing behind.
    let partial = start_partial_upload(&server, &bearer, &network);
    let (_, body) = get(&server.url(&format!("/api/v1/jobs/{job}")), &bearer);
    let job_at_kill = field(&body, &["state"]);
    killing.store(true, Ordering::SeqCst);
    server.kill();
    drop(partial);
    let attempts: Vec<Attempt> = streams
        .into_iter()
        .flat_map(|stream| stream.join().expect("an upload stream panicked"))
        .collect();
    let first_log = server.log();

    for attempt in &attempts {
        if let Outcome::Refused(status, body) = &attempt.outcome {
            panic!(
                "upload `{}` before the kill: HTTP {status}, expected 201: {body}\n{first_log}",
                attempt.name
            );
        }
        if let Outcome::Lost { error, after_kill } = &attempt.outcome {
            assert!(
                after_kill,
                "upload `{}` failed before the kill: {error}\n{first_log}",
                attempt.name
            );
        }
    }
    let created: BTreeMap<&str, &str> = attempts
        .iter()
        .filter_map(|attempt| match &attempt.outcome {
            Outcome::Created(id) => Some((attempt.name.as_str(), id.as_str())),
            _ => None,
        })
        .collect();
    assert!(
        created.len() >= ACKNOWLEDGED_BEFORE_KILL,
        "{} uploads acknowledged before the kill\n{first_log}",
        created.len()
    );

    let cut_off = attempts
        .iter()
        .filter(|attempt| matches!(attempt.outcome, Outcome::Lost { .. }))
        .count();
    let _ = writeln!(
        std::io::stderr(),
        "killed with {} uploads acknowledged, {cut_off} in flight, stress job `{job_at_kill}`",
        created.len()
    );

    // Second life: everything acknowledged is there, nothing half-written is.
    let mut server = Server::start(&url, data, 2);
    let (status, body) = get(&server.url("/api/v1/networks"), &bearer);
    assert_eq!(status, 200, "list networks: {body}\n{}", server.log());
    let listed = listed_networks(&body);
    for (name, id) in &created {
        assert_eq!(
            listed.get(*name).map(String::as_str),
            Some(*id),
            "network `{name}` was acknowledged with id `{id}` before the crash; listed after \
             restart: {listed:?}"
        );
    }
    let attempted: Vec<&str> = attempts.iter().map(|a| a.name.as_str()).collect();
    for (name, id) in &listed {
        assert!(
            name == "stressed" || attempted.contains(&name.as_str()),
            "network `{name}` (`{id}`) was never uploaded"
        );
        let (status, body) = get(&server.url(&format!("/api/v1/networks/{id}")), &bearer);
        assert_eq!(
            status, 200,
            "GET network `{name}` (`{id}`) after restart: {body}"
        );
    }
    assert!(
        !listed.contains_key("partial"),
        "the upload cut off mid-body is listed: {listed:?}"
    );
    // A job cut off by the crash is run again or marked failed, never left `running`.
    let state = wait_for_job(&server, &bearer, &job, &["succeeded", "failed"]);
    assert!(
        state == "succeeded" || state == "failed",
        "stress job `{job}` (`{job_at_kill}` at the kill) is still `{state}` 60 s after the \
         restart\n{}",
        server.log()
    );
    if state == "succeeded" {
        let (status, body) = get(&server.url(&format!("/api/v1/jobs/{job}/result")), &bearer);
        assert_eq!(status, 200, "result of job `{job}` after restart: {body}");
    }
    let (status, body) = post(
        &server.url("/api/v1/networks?name=after-restart"),
        &bearer,
        &network,
    );
    assert_eq!(
        status,
        201,
        "upload after restart: {body}\n{}",
        server.log()
    );
    let status = server.terminate();
    assert!(
        status.success(),
        "`lifeline serve` exited with {status} after SIGTERM\n{}",
        server.log()
    );

    // The audit chain holds, and a hand edit to one row is caught and named.
    let verify = audit_verify(&url, data);
    assert_eq!(
        verify.status.code(),
        Some(0),
        "audit verify after the crash:\n{}",
        output_text(&verify)
    );
    let seqs = database.audit_seqs();
    assert!(seqs.len() >= 3, "audit log too short: seqs {seqs:?}");
    let edited = seqs[seqs.len() / 2];
    database.edit_audit_actor(edited);
    let verify = audit_verify(&url, data);
    let text = output_text(&verify);
    assert_eq!(
        verify.status.code(),
        Some(2),
        "audit verify after editing entry {edited}:\n{text}"
    );
    assert!(
        text.contains(&format!("entry {edited}:")),
        "audit verify should name entry {edited}:\n{text}"
    );
}

/// One upload and what came of it.
struct Attempt {
    name: String,
    outcome: Outcome,
}

enum Outcome {
    Created(String),
    Refused(u16, String),
    Lost { error: String, after_kill: bool },
}

/// Uploads networks `crash-STREAM-I` one after another until a request fails (the kill)
/// or a bound is reached.
fn upload_stream(
    stream: usize,
    base: &str,
    bearer: &str,
    network: &[u8],
    killing: &AtomicBool,
    acknowledged: &AtomicUsize,
) -> Vec<Attempt> {
    let started = Instant::now();
    let mut attempts = Vec::new();
    for index in 0..MAX_UPLOADS_PER_STREAM {
        if started.elapsed() > STREAM_DEADLINE {
            break;
        }
        let name = format!("crash-{stream}-{index}");
        let response = agent()
            .post(format!("{base}/api/v1/networks?name={name}"))
            .header("Authorization", bearer)
            .content_type("application/json")
            .send(network)
            .and_then(|mut response| {
                let status = response.status().as_u16();
                response
                    .body_mut()
                    .read_to_string()
                    .map(|body| (status, body))
            });
        let outcome = match response {
            Ok((201, body)) => match serde_json::from_str::<Value>(&body) {
                Ok(json) => match json.get("id").and_then(Value::as_str) {
                    Some(id) => Outcome::Created(id.to_owned()),
                    None => Outcome::Refused(201, format!("no `id` in {body}")),
                },
                Err(error) => Outcome::Refused(201, format!("not JSON ({error}): {body}")),
            },
            Ok((status, body)) => Outcome::Refused(status, body),
            Err(error) => Outcome::Lost {
                error: error.to_string(),
                after_kill: killing.load(Ordering::SeqCst),
            },
        };
        let stop = !matches!(outcome, Outcome::Created(_));
        if !stop {
            acknowledged.fetch_add(1, Ordering::SeqCst);
        }
        attempts.push(Attempt { name, outcome });
        if stop {
            break;
        }
    }
    attempts
}

/// Sends the headers and half the body of an upload named `partial`, and keeps the
/// connection open.
fn start_partial_upload(server: &Server, bearer: &str, network: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(server.addr.as_str()).expect("connect to the server");
    let head = format!(
        "POST /api/v1/networks?name=partial HTTP/1.1\r\nHost: {}\r\nAuthorization: {bearer}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        network.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(&network[..network.len() / 2]))
        .and_then(|()| stream.flush())
        .expect("send half an upload");
    // Let the server read what was sent before it dies.
    thread::sleep(Duration::from_millis(200));
    stream
}

/// Polls job `job` until its state is one of `states` or 60 s have passed; its last state.
fn wait_for_job(server: &Server, bearer: &str, job: &str, states: &[&str]) -> String {
    let started = Instant::now();
    loop {
        let (status, body) = get(&server.url(&format!("/api/v1/jobs/{job}")), bearer);
        assert_eq!(status, 200, "GET job `{job}`: {body}");
        let state = field(&body, &["state"]);
        if states.contains(&state.as_str()) || started.elapsed() > Duration::from_secs(60) {
            return state;
        }
        thread::sleep(Duration::from_millis(100));
    }
}

/// Name → id of `GET /api/v1/networks`.
fn listed_networks(body: &str) -> BTreeMap<String, String> {
    let json: Value = serde_json::from_str(body).expect("the network list is JSON");
    json["networks"]
        .as_array()
        .unwrap_or_else(|| panic!("no `networks` array in {body}"))
        .iter()
        .map(|network| {
            let text = |key: &str| {
                network[key]
                    .as_str()
                    .unwrap_or_else(|| panic!("network without a text `{key}`: {network}"))
                    .to_owned()
            };
            (text("name"), text("id"))
        })
        .collect()
}

/// The text at `path` in the JSON `body`.
fn field(body: &str, path: &[&str]) -> String {
    let json: Value =
        serde_json::from_str(body).unwrap_or_else(|error| panic!("not JSON ({error}): {body}"));
    let value = path.iter().fold(&json, |value, key| &value[*key]);
    value
        .as_str()
        .unwrap_or_else(|| panic!("no text at `{}` in {body}", path.join(".")))
        .to_owned()
}

fn make_org_user_token(url: &str, data: &Path) -> String {
    admin(url, data, &["create-org", "acme"], "");
    admin(
        url,
        data,
        &[
            "create-user",
            "--org",
            "acme",
            "--name",
            "alice",
            "--role",
            "admin",
        ],
        "correct horse battery staple\n",
    );
    let token = admin(url, data, &["create-token", "--user", "alice"], "");
    assert!(
        !token.is_empty() && !token.contains(char::is_whitespace),
        "create-token should print only the token, printed {token:?}"
    );
    token
}

fn audit_verify(url: &str, data: &Path) -> Output {
    lifeline(data)
        .args(["audit", "verify", "--database", url])
        .output()
        .expect("run lifeline audit verify")
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build(),
    )
}

/// (status, body) of a request that must get an answer.
fn answer(
    request: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    what: &str,
) -> (u16, String) {
    let mut response = request.unwrap_or_else(|error| panic!("{what}: {error}"));
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_string()
        .unwrap_or_else(|error| panic!("{what}: reading the body: {error}"));
    (status, body)
}

fn get(url: &str, bearer: &str) -> (u16, String) {
    answer(
        agent().get(url).header("Authorization", bearer).call(),
        &format!("GET {url}"),
    )
}

fn post(url: &str, bearer: &str, body: &[u8]) -> (u16, String) {
    answer(
        agent()
            .post(url)
            .header("Authorization", bearer)
            .content_type("application/json")
            .send(body),
        &format!("POST {url}"),
    )
}

/// A `lifeline serve` child on a free loopback port; killed when dropped.
struct Server {
    child: Child,
    addr: String,
    base: String,
    log: PathBuf,
}

impl Server {
    fn start(url: &str, work: &Path, life: u32) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("find a free port")
            .port();
        let addr = format!("127.0.0.1:{port}");
        let log = work.join(format!("serve-{life}.log"));
        let child = lifeline(work)
            .args(["serve", "--listen", &addr, "--database", url])
            .stdout(Stdio::null())
            .stderr(File::create(&log).expect("create the server log"))
            .spawn()
            .expect("start lifeline serve");
        let mut server = Server {
            child,
            base: format!("http://{addr}"),
            addr,
            log,
        };
        let started = Instant::now();
        loop {
            if let Some(status) = server.child.try_wait().expect("poll lifeline serve") {
                panic!("lifeline serve exited with {status}\n{}", server.log());
            }
            let healthy = agent()
                .get(server.url("/healthz"))
                .call()
                .is_ok_and(|response| response.status() == 200);
            if healthy {
                return server;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "lifeline serve did not answer /healthz within 60 s\n{}",
                server.log()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn log(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        format!("---- lifeline serve stderr ----\n{text}----")
    }

    /// SIGKILL: no chance to flush or close anything.
    fn kill(&mut self) {
        self.child.kill().expect("kill lifeline serve");
        self.child.wait().expect("reap lifeline serve");
    }

    /// SIGTERM, then its exit status (within 20 s).
    fn terminate(&mut self) -> ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("poll lifeline serve") {
                return status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "lifeline serve did not stop within 20 s of SIGTERM\n{}",
                self.log()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh database for one test: a SQLite file in a temporary folder, or a new database on
/// the PostgreSQL server (dropped at the end).
enum Database {
    Sqlite {
        _folder: tempfile::TempDir,
        path: PathBuf,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl Database {
    fn sqlite() -> Database {
        let folder = tempfile::tempdir().expect("make a temporary folder");
        let path = folder.path().join("lifeline.db");
        Database::Sqlite {
            _folder: folder,
            path,
        }
    }

    fn postgres(admin_url: &str) -> Database {
        let name = format!(
            "lifeline_crash_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.subsec_nanos())
        );
        psql(admin_url, &format!("CREATE DATABASE \"{name}\""));
        Database::Postgres {
            admin_url: admin_url.to_owned(),
            url: with_database(admin_url, &name),
            name,
        }
    }

    fn url(&self) -> String {
        match self {
            Database::Sqlite { path, .. } => format!("sqlite://{}", path.display()),
            Database::Postgres { url, .. } => url.clone(),
        }
    }

    fn audit_seqs(&self) -> Vec<i64> {
        const QUERY: &str = "SELECT seq FROM audit ORDER BY seq";
        match self {
            Database::Sqlite { path, .. } => {
                let connection = rusqlite::Connection::open(path).expect("open the SQLite file");
                let mut statement = connection.prepare(QUERY).expect("prepare the audit query");
                statement
                    .query_map([], |row| row.get::<_, i64>(0))
                    .and_then(Iterator::collect)
                    .expect("read the audit seqs")
            }
            Database::Postgres { url, .. } => psql(url, QUERY)
                .lines()
                .map(|line| {
                    line.parse()
                        .unwrap_or_else(|_| panic!("audit seq `{line}`"))
                })
                .collect(),
        }
    }

    /// A forged actor on entry `seq`, as someone with write access to the database could do.
    fn edit_audit_actor(&self, seq: i64) {
        const EDIT: &str = "UPDATE audit SET actor = 'mallory' WHERE seq = ";
        match self {
            Database::Sqlite { path, .. } => {
                let connection = rusqlite::Connection::open(path).expect("open the SQLite file");
                let changed = connection
                    .execute(&format!("{EDIT}?1"), [seq])
                    .expect("edit the audit row");
                assert_eq!(changed, 1, "audit entry {seq}");
            }
            Database::Postgres { url, .. } => {
                psql(url, &format!("{EDIT}{seq}"));
            }
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Database::Postgres {
            admin_url, name, ..
        } = self
        {
            let _ = psql_output(
                admin_url,
                &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            );
        }
    }
}

/// `url` with its database (the path) replaced by `name`, query kept.
fn with_database(url: &str, name: &str) -> String {
    let (rest, query) = match url.split_once('?') {
        Some((rest, query)) => (rest, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = rest.find("://").map_or(0, |at| at + 3);
    let path_start = rest[authority_start..]
        .find('/')
        .map_or(rest.len(), |at| authority_start + at);
    format!("{}/{name}{query}", &rest[..path_start])
}

fn psql_output(url: &str, sql: &str) -> std::io::Result<Output> {
    Command::new("psql")
        .args(["--no-psqlrc", "--quiet", "--tuples-only", "--no-align"])
        .args([
            "--set",
            "ON_ERROR_STOP=1",
            "--dbname",
            url,
            "--command",
            sql,
        ])
        .stdin(Stdio::null())
        .output()
}

/// Runs `sql` on `url` with psql; its output.
fn psql(url: &str, sql: &str) -> String {
    let output = psql_output(url, sql).unwrap_or_else(|error| {
        panic!("run psql ({error}); hint: apt-get install postgresql-client")
    });
    assert!(
        output.status.success(),
        "psql `{sql}`:\n{}",
        output_text(&output)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[test]
fn database_url_rewrite_keeps_credentials_host_and_query() {
    assert_eq!(
        with_database("postgres://u:p@127.0.0.1:5432/lifeline", "x"),
        "postgres://u:p@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database(
            "postgres://u:p@127.0.0.1:5432/lifeline?sslmode=disable",
            "x"
        ),
        "postgres://u:p@127.0.0.1:5432/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://u@localhost", "x"),
        "postgres://u@localhost/x"
    );
}
