//! The web dashboard end to end in headless Chromium: starts the real `lifeline serve` on a
//! fresh SQLite database, creates an admin and a viewer in one organisation and an admin in
//! another, then runs `tests/browser/dashboard.mjs` (playwright-core driving Debian's
//! `/usr/bin/chromium`, axe-core in the page), which logs in, uploads the IV-fluids example,
//! reads the ranking and the North Carolina plant's TTS, downloads the CSV and JSON, uploads
//! an invalid network, checks the viewer's and the other organisation's view, audits every
//! page with axe-core and screenshots it. This test then compares the downloads byte for
//! byte with `lifeline stress --format csv|json`.
//!
//! Screenshots, downloads, the axe report and the server's log go to
//! `<target dir>/browser-artifacts/` (or `$LIFELINE_BROWSER_ARTIFACTS`).
//!
//! Needs `node`, Chromium (`/usr/bin/chromium`, or `$LIFELINE_CHROMIUM`) and the node
//! project's packages (`npm ci --prefix crates/lifeline-cli/tests/browser`). Without one of
//! them the test is skipped, saying so on stderr; with `CI` set a missing one is a failure
//! (`.ci/run` installs them).

use std::fs::File;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

#[path = "support/binary.rs"]
mod binary;
use binary::{admin, lifeline, output_text, repo};

/// How long the whole browser scenario may take.
const SCENARIO_DEADLINE: Duration = Duration::from_secs(600);

/// The organisations and users the scenario logs in as: (organisation, user, role, password).
const USERS: [(&str, &str, &str, &str); 3] = [
    ("acme", "ada", "admin", "ada's browser password 1"),
    ("acme", "vic", "viewer", "vic's browser password 2"),
    ("globex", "oz", "admin", "oz's browser password 3"),
];

#[test]
fn dashboard_end_to_end_in_headless_chromium() {
    let Some(tools) = Tools::find() else {
        return;
    };
    let work = tempfile::tempdir().expect("make a temporary folder");
    let data = work.path();
    let database = format!("sqlite://{}", data.join("lifeline.db").display());

    let mut orgs: Vec<&str> = USERS.iter().map(|(org, ..)| *org).collect();
    orgs.dedup();
    for org in orgs {
        admin(&database, data, &["create-org", org], "");
    }
    for (org, name, role, password) in USERS {
        admin(
            &database,
            data,
            &["create-user", "--org", org, "--name", name, "--role", role],
            &format!("{password}\n"),
        );
    }

    // What the CLI says, for the scenario and for the byte-for-byte comparisons.
    let network = repo().join("examples/iv-fluids.json");
    let invalid = browser_dir().join("fixtures/invalid-network.json");
    let expected_csv = cli_output(data, &["stress", "--format", "csv"], &network, true);
    let expected_json = cli_output(data, &["stress", "--format", "json"], &network, true);
    let expected_validate = cli_output(data, &["validate", "--format", "json"], &invalid, false);
    let expected_stress_file = data.join("expected-stress.json");
    let expected_validate_file = data.join("expected-validate.json");
    std::fs::write(&expected_stress_file, &expected_json).expect("write the expected report");
    std::fs::write(&expected_validate_file, &expected_validate)
        .expect("write the expected diagnostics");

    let artifacts = artifacts_dir();
    if artifacts.exists() {
        std::fs::remove_dir_all(&artifacts)
            .unwrap_or_else(|error| panic!("empty `{}`: {error}", artifacts.display()));
    }
    std::fs::create_dir_all(&artifacts)
        .unwrap_or_else(|error| panic!("create `{}`: {error}", artifacts.display()));

    let server = Server::start(&database, data, &artifacts.join("serve.log"));
    let user = |index: usize| (USERS[index].1, USERS[index].3);
    let mut scenario = Command::new(&tools.node);
    scenario
        .arg(browser_dir().join("dashboard.mjs"))
        .current_dir(repo())
        .env("LIFELINE_BASE_URL", &server.base)
        .env("LIFELINE_ADMIN_USER", user(0).0)
        .env("LIFELINE_ADMIN_PASSWORD", user(0).1)
        .env("LIFELINE_VIEWER_USER", user(1).0)
        .env("LIFELINE_VIEWER_PASSWORD", user(1).1)
        .env("LIFELINE_OTHER_USER", user(2).0)
        .env("LIFELINE_OTHER_PASSWORD", user(2).1)
        .env("LIFELINE_NETWORK", &network)
        .env("LIFELINE_INVALID_NETWORK", &invalid)
        .env(
            "LIFELINE_EPCIS",
            repo().join("examples/trace/iv-fluids-shipments.jsonld"),
        )
        .env(
            "LIFELINE_SBOM",
            repo().join("crates/lifeline-vuln/tests/data/scan/product-abc.cdx.json"),
        )
        .env(
            "LIFELINE_VENDORS",
            repo().join("examples/iv-fluids.vendors.json"),
        )
        .env("LIFELINE_EXPECTED_STRESS", &expected_stress_file)
        .env("LIFELINE_EXPECTED_VALIDATE", &expected_validate_file)
        .env("LIFELINE_ARTIFACTS", &artifacts)
        .env("LIFELINE_CHROMIUM", &tools.chromium);
    let (status, transcript) = run_with_deadline(scenario, &artifacts.join("scenario.log"));
    // Shown whether it passed or not: the TTS read, the axe counts, where the artefacts are.
    let _ = writeln!(
        std::io::stderr(),
        "---- dashboard.mjs ----\n{transcript}----"
    );
    let mut problems = Vec::new();
    if !status.success() {
        problems.push(format!(
            "dashboard.mjs failed ({status}); its output is above"
        ));
    }
    // The downloads the scenario saved, compared even when another of its checks failed.
    for (file, expected, flag) in [
        ("stress.csv", &expected_csv, "csv"),
        ("stress.json", &expected_json, "json"),
    ] {
        let path = artifacts.join(file);
        match std::fs::read(&path) {
            Ok(downloaded) if downloaded == *expected => {}
            Ok(downloaded) => problems.push(format!(
                "the dashboard's `{file}` ({} bytes, `{}`) differs from `lifeline stress \
                 examples/iv-fluids.json --format {flag}` ({} bytes); first difference at \
                 byte {}",
                downloaded.len(),
                path.display(),
                expected.len(),
                first_difference(&downloaded, expected)
            )),
            Err(error) => problems.push(format!(
                "no download `{}` to compare with `lifeline stress --format {flag}`: {error}",
                path.display()
            )),
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nartefacts (screenshots, downloads, axe report) in `{}`\n{}",
        problems.join("\n"),
        artifacts.display(),
        server.log()
    );
}

/// The programs the scenario needs, or `None` (a skip, said on stderr) outside CI.
struct Tools {
    node: PathBuf,
    chromium: PathBuf,
}

impl Tools {
    fn find() -> Option<Tools> {
        let chromium = std::env::var_os("LIFELINE_CHROMIUM")
            .filter(|path| !path.is_empty())
            .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
        let node = PathBuf::from("node");
        let node_runs = Command::new(&node)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        let modules = browser_dir().join("node_modules");
        let mut missing = Vec::new();
        if !node_runs {
            missing.push("`node` (apt-get install nodejs npm)".to_owned());
        }
        if !chromium.is_file() {
            missing.push(format!(
                "Chromium at `{}` (apt-get install chromium)",
                chromium.display()
            ));
        }
        for package in ["playwright-core", "axe-core"] {
            if !modules.join(package).join("package.json").is_file() {
                missing.push(format!(
                    "`{}` (npm ci --prefix crates/lifeline-cli/tests/browser)",
                    modules.join(package).display()
                ));
            }
        }
        if missing.is_empty() {
            return Some(Tools { node, chromium });
        }
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but the browser tests cannot run; missing: {}",
            missing.join(", ")
        );
        let _ = writeln!(
            std::io::stderr(),
            "skipping the browser tests; missing: {}",
            missing.join(", ")
        );
        None
    }
}

/// Runs `command` with its output in `log`, killing it after [`SCENARIO_DEADLINE`]; its
/// exit status and output.
fn run_with_deadline(mut command: Command, log: &Path) -> (std::process::ExitStatus, String) {
    let out = File::create(log).expect("create the scenario log");
    let err = out.try_clone().expect("share the scenario log");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("run node");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll node") {
            break status;
        }
        if started.elapsed() > SCENARIO_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            let transcript = std::fs::read_to_string(log).unwrap_or_default();
            panic!("dashboard.mjs ran past {SCENARIO_DEADLINE:?}; killed\n{transcript}");
        }
        thread::sleep(Duration::from_millis(100));
    };
    (status, std::fs::read_to_string(log).unwrap_or_default())
}

fn first_difference(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()))
}

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// `$LIFELINE_BROWSER_ARTIFACTS`, else `browser-artifacts` in the target folder (the one
/// that holds this build's `lifeline`).
fn artifacts_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LIFELINE_BROWSER_ARTIFACTS").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let binary = Path::new(env!("CARGO_BIN_EXE_lifeline"));
    binary
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| repo().join("target"), Path::to_path_buf)
        .join("browser-artifacts")
}

/// The stdout of `lifeline ARGS FILE`, which must succeed (`ok`) or exit 2 (invalid input).
fn cli_output(data: &Path, args: &[&str], file: &Path, ok: bool) -> Vec<u8> {
    let output = lifeline(data)
        .args(args)
        .arg(file)
        .output()
        .expect("run lifeline");
    let expected = if ok { 0 } else { 2 };
    assert_eq!(
        output.status.code(),
        Some(expected),
        "lifeline {} {}:\n{}",
        args.join(" "),
        file.display(),
        output_text(&output)
    );
    output.stdout
}

/// A `lifeline serve` child on a free loopback port; killed when dropped.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Server {
    fn start(url: &str, data: &Path, log: &Path) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("find a free port")
            .port();
        let addr = format!("127.0.0.1:{port}");
        let child = lifeline(data)
            .args(["serve", "--listen", &addr, "--database", url])
            .stdout(Stdio::null())
            .stderr(File::create(log).expect("create the server log"))
            .spawn()
            .expect("start lifeline serve");
        let mut server = Server {
            child,
            base: format!("http://{addr}"),
            log: log.to_path_buf(),
        };
        let started = Instant::now();
        loop {
            if let Some(status) = server.child.try_wait().expect("poll lifeline serve") {
                panic!("lifeline serve exited with {status}\n{}", server.log());
            }
            let healthy = ureq::get(format!("{}/healthz", server.base))
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

    fn log(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        format!("---- lifeline serve stderr ----\n{text}----")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
