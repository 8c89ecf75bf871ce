//! `lifeline notify drill` end to end on a fresh SQLite database: a drill alert goes to a
//! real webhook receiver on loopback; a dead webhook and an email with no relay are dead
//! lines (exit 1), the phone entry a call to make; `--report` shows an acknowledgement
//! once it is on the drill's log, and bad input exits 2 naming the option.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use lifeline_share::keys::KeyPair;
use serde_json::{Value, json};

use crate::check_db;

/// A webhook receiver on loopback in a thread: 200 to every request, bodies kept.
fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}/hook", listener.local_addr().expect("an address"));
    let bodies: Arc<Mutex<Vec<String>>> = Arc::default();
    let keep = Arc::clone(&bodies);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut data = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                data.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&data).into_owned();
                let Some(end) = text.find("\r\n\r\n") else {
                    continue;
                };
                let length: usize = text[..end]
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                if data.len() < end + 4 + length {
                    continue;
                }
                keep.lock()
                    .expect("the log")
                    .push(String::from_utf8_lossy(&data[end + 4..end + 4 + length]).into_owned());
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
                break;
            }
        }
    });
    (url, bodies)
}

fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let addr = listener.local_addr().expect("an address");
    drop(listener);
    format!("http://{addr}/gone")
}

struct Drill {
    dir: tempfile::TempDir,
}

impl Drill {
    fn new(hook: &str, dead: &str) -> Drill {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let key = KeyPair::from_seed("mercy", "k1", [7; 32]).expect("a key");
        let at = time::macros::datetime!(2026-01-01 0:00 UTC);
        let directory = json!({
            "format": "lifeline-partners/1",
            "organisation": "mercy",
            "organisations": [
                {"id": "mercy", "name": "Mercy Hospital", "kind": "hospital",
                 "clearance": "amber",
                 "contacts": [{"id": "soc", "name": "SOC", "role": "security-lead",
                     "escalation": 1, "channels": [{"phone": "+1 555 0100"}]}],
                 "keys": [key.public(at)]},
                {"id": "meridian", "name": "Meridian EDI", "kind": "platform",
                 "clearance": "amber",
                 "contacts": [{"id": "duty", "name": "Duty desk", "role": "duty",
                     "escalation": 1,
                     "channels": [{"webhook": hook}, {"phone": "+1 555 0199"}]}]},
                {"id": "carrier", "name": "Carrier Co", "kind": "logistics",
                 "clearance": "green",
                 "contacts": [{"id": "ops", "name": "Ops", "role": "operations",
                     "escalation": 1,
                     "channels": [{"webhook": dead}, {"email": "ops@example.org"}]}]}
            ]
        });
        std::fs::write(dir.path().join("partners.json"), directory.to_string())
            .expect("the directory file");
        std::fs::write(dir.path().join("mercy.jwk"), key.to_jwk()).expect("the key file");
        Drill { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.path("lifeline.db").display())
    }

    fn check(&self, args: &[&str], code: i32) -> (String, String) {
        check_db(&self.url(), &[&["notify", "drill"], args].concat(), code)
    }
}

#[test]
fn a_drill_finds_the_dead_lines_and_reports_acknowledgements() {
    let (hook, bodies) = receiver();
    let drill = Drill::new(&hook, &dead_url());
    let directory = drill.path("partners.json");
    let key = drill.path("mercy.jwk");
    let (out, _) = drill.check(
        &[
            "--directory",
            directory.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--webhook-attempts",
            "1",
        ],
        1,
    );
    assert!(
        out.contains("1 delivered, 2 failed, 1 call(s) to make"),
        "{out}"
    );
    assert!(out.contains("to do: call Duty desk"), "{out}");
    assert!(out.contains("Carrier Co") && out.contains("dead"), "{out}");
    assert!(out.contains("Unreachable: Carrier Co"), "{out}");
    let id = out
        .split_whitespace()
        .nth(1)
        .expect("the drill's id")
        .to_owned();
    // The receiver got one signed drill alert.
    let got = bodies.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].split('.').count(), 3, "a compact JWS: {}", got[0]);

    let (out, _) = drill.check(
        &["--report", &id, "--format", "json", "--slow-after", "1h"],
        1,
    );
    let report: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        report["counts"],
        json!({"ok": 0, "slow": 0, "dead": 2, "waiting": 1, "call": 1}),
        "{report}"
    );

    // The webhook line acknowledged (as `lifeline serve` records a link or a reply).
    let alert = report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["channel"] == "webhook" && l["organisation"] == "meridian")
        .and_then(|l| l["alert"].as_str())
        .expect("the webhook line")
        .to_owned();
    let url = drill.url();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = lifeline_store::Store::open(&url).await.unwrap();
        let org = store.org_by_name("local").await.unwrap().expect("the org");
        let event = json!({"type": "acknowledged", "alert": alert, "recipient": "meridian",
            "contact": "duty", "via": "link"});
        store
            .append_drill_entries(
                &org.id,
                &id,
                &[lifeline_store::DrillEntry {
                    at: lifeline_store::now_ms(),
                    actor: "duty@meridian".into(),
                    event: event.to_string(),
                }],
                "duty@meridian",
            )
            .await
            .unwrap();
        store.close().await;
    });
    let (out, _) = drill.check(
        &["--report", &id, "--directory", directory.to_str().unwrap()],
        1,
    );
    assert!(
        out.contains("1 ok, 0 slow, 2 dead, 0 waiting, 1 to call"),
        "{out}"
    );
    assert!(out.contains("Meridian EDI"), "{out}");

    // Bad input: exit 2, naming what is wrong.
    let (_, err) = drill.check(&["--report", &id, "--slow-after", "soon"], 2);
    assert!(err.contains("--slow-after"), "{err}");
    let (_, err) = drill.check(&["--report", "drl_unknown"], 2);
    assert!(err.contains("no drill"), "{err}");
    let (_, err) = drill.check(&["--directory", directory.to_str().unwrap()], 2);
    assert!(err.contains("--key"), "{err}");
    let other = KeyPair::from_seed("meridian", "p1", [9; 32]).unwrap();
    std::fs::write(drill.path("other.jwk"), other.to_jwk()).unwrap();
    let other = drill.path("other.jwk");
    let (_, err) = drill.check(
        &[
            "--directory",
            directory.to_str().unwrap(),
            "--key",
            other.to_str().unwrap(),
        ],
        2,
    );
    assert!(err.contains("not a key of `mercy`"), "{err}");
}
