//! `lifeline notify send|ack|escalate` and `partners import|export --database` end to end,
//! as from a laptop: a SQLite file, a local partner directory and the organisation's key,
//! a real SMTP server on loopback (PyPI's aiosmtpd, run as a subprocess) and a webhook
//! receiver. An unacknowledged alert reaches the second contact after its window, an
//! acknowledged one does not, and every send, acknowledgement and escalation is on the
//! incident's timeline.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::{check_db, declare_dcs_down, repo};

const DIRECTORY: &str = "examples/partners/distributor-ransomware.yaml";
const KEY: &str = "examples/partners/keys/medsupply-2026-a.jwk";
const MERCY_KEY: &str = "examples/partners/keys/hosp-mercy-2026-a.jwk";
const DECLARED_AT: &str = "2026-12-06T08:00:00Z";

struct Smtp {
    port: u16,
    maildir: PathBuf,
    child: Child,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Smtp {
    fn start(dir: &Path) -> Smtp {
        let found = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            found,
            "this test needs a real SMTP server: PyPI's aiosmtpd (pip install aiosmtpd)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let maildir = dir.join("maildir");
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        let smtp = Smtp {
            port,
            maildir,
            child,
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "aiosmtpd listens"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        smtp
    }

    fn to(&self, address: &str) -> usize {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return 0;
        };
        entries
            .flatten()
            .filter(|e| {
                std::fs::read_to_string(e.path()).is_ok_and(|m| {
                    m.lines()
                        .any(|l| l.starts_with("To:") && l.contains(&format!("<{address}>")))
                })
            })
            .count()
    }
}

/// Answers every POST with 200 and keeps the paths.
fn webhook() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let paths = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&paths);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let path = line
                        .split_whitespace()
                        .nth(1)
                        .unwrap_or_default()
                        .to_owned();
                    let mut length = 0;
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 {
                            return;
                        }
                        let lower = h.trim_end().to_ascii_lowercase();
                        if lower.is_empty() {
                            break;
                        }
                        if let Some(v) = lower.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    log.lock().expect("the log").push(path);
                    let _ = reader
                        .get_mut()
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
                }
            });
        }
    });
    (port, paths)
}

struct Laptop {
    dir: tempfile::TempDir,
}

impl Laptop {
    fn url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("lifeline.db").display())
    }

    fn file(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn check(&self, args: &[&str], code: i32) -> (String, String) {
        check_db(&self.url(), args, code)
    }
}

/// The alert id sent to `org` in `out` (`Alert al-... sent to CONTACT at ORG by ...`).
fn alert_to(out: &str, org: &str) -> String {
    out.lines()
        .find(|l| l.contains(&format!(" at {org} by ")))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or_else(|| panic!("an alert to {org} in:\n{out}"))
        .to_owned()
}

#[test]
fn send_escalate_and_acknowledge_from_a_laptop() {
    let laptop = Laptop {
        dir: tempfile::tempdir().expect("a folder"),
    };
    let smtp = Smtp::start(laptop.dir.path());
    let (hook_port, hooks) = webhook();
    // The example directory, its webhooks pointed at the receiver.
    let text = std::fs::read_to_string(repo().join(DIRECTORY)).expect("the example directory");
    let directory = laptop.file("partners.yaml");
    std::fs::write(
        &directory,
        text.replace(
            "http://127.0.0.1:8701",
            &format!("http://127.0.0.1:{hook_port}"),
        ),
    )
    .expect("written");

    let (_, id) = declare_dcs_down(&laptop.url(), &["--at", DECLARED_AT]);
    let (_, err) = laptop.check(&["partners", "import", &directory], 0);
    assert!(err.contains("imported as version 1"), "{err}");

    let port = smtp.port.to_string();
    let smtp_args = [
        "--key",
        KEY,
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-security",
        "none",
        "--smtp-from",
        "MedSupply alerts <alerts@medsupply.example.org>",
        "--webhook-backoff-ms",
        "10",
    ];
    let mut send = vec![
        "notify",
        "send",
        &id,
        "--tlp",
        "green",
        "--at",
        "2026-12-06T08:05:00Z",
    ];
    send.extend(smtp_args);
    let (out, _) = laptop.check(&send, 0);
    // Mercy's on-call by email and webhook, the ISAC (linked to the DCs), ...
    assert!(
        out.contains("sent to materials at hosp-mercy by email"),
        "{out}"
    );
    assert!(
        out.contains("sent to materials at hosp-mercy by webhook"),
        "{out}"
    );
    assert!(out.contains("at health-isac by email"), "{out}");
    assert_eq!(smtp.to("materials-oncall@mercy.example.org"), 1);
    assert_eq!(smtp.to("supply@valley.example.org"), 1);
    assert!(
        hooks
            .lock()
            .expect("log")
            .contains(&"/mercy/materials".to_owned())
    );
    // A second `send` of the same incident is refused: escalate or update instead.
    let (_, err) = laptop.check(&send, 2);
    assert!(err.contains("went out already"), "{err}");
    let mercy_alert = alert_to(&out, "hosp-mercy");

    // Mercy acknowledges with a signed reply at 08:15.
    let ack = serde_json::json!({
        "type": "lifeline-ack/1", "alert": mercy_alert, "issuer": "hosp-mercy",
        "recipient": "medsupply", "contact": "materials",
        "issued_at": "2026-12-06T08:15:00Z", "expires_at": "2026-12-07T08:15:00Z",
        "nonce": "mercy-ack-0001-abcdef", "note": "Seen; checking stock"
    });
    let ack_file = laptop.file("ack.json");
    std::fs::write(&ack_file, ack.to_string()).expect("written");
    let token_file = laptop.file("ack.jws");
    crate::check(
        &[
            "notify",
            "sign",
            &ack_file,
            "--key",
            MERCY_KEY,
            "--output",
            &token_file,
        ],
        0,
    );
    let (out, _) = laptop.check(
        &[
            "notify",
            "ack",
            &token_file,
            "--directory",
            &directory,
            "--at",
            "2026-12-06T08:16:00Z",
        ],
        0,
    );
    assert!(
        out.contains("acknowledged by materials at hosp-mercy (signed-reply)"),
        "{out}"
    );
    // The same reply again is a replay: refused, not recorded.
    let (_, err) = laptop.check(
        &[
            "notify",
            "ack",
            &token_file,
            "--directory",
            &directory,
            "--at",
            "2026-12-06T08:17:00Z",
        ],
        2,
    );
    assert!(err.contains("replayed"), "{err}");
    // A reply with one byte changed is refused as tampered.
    let token = std::fs::read_to_string(&token_file).expect("the token");
    let dot = token.find('.').expect("a compact JWS") + 5;
    let mut bytes = token.into_bytes();
    bytes[dot] = if bytes[dot] == b'A' { b'B' } else { b'A' };
    let forged = laptop.file("forged.jws");
    std::fs::write(&forged, bytes).expect("written");
    let (_, err) = laptop.check(
        &[
            "notify",
            "ack",
            &forged,
            "--directory",
            &directory,
            "--at",
            "2026-12-06T08:16:00Z",
        ],
        2,
    );
    assert!(err.contains("not recorded (tampered)"), "{err}");

    // 08:40: Valley's supply desk (30 minute window) did not answer: on to its IT desk.
    // Mercy acknowledged: nothing more goes to Mercy.
    let mut escalate = vec!["notify", "escalate", &id, "--at", "2026-12-06T08:40:00Z"];
    escalate.extend(smtp_args);
    let (out, err) = laptop.check(&escalate, 0);
    assert!(
        out.contains("to hosp-valley escalated to hosp-valley/it"),
        "{out}"
    );
    assert!(!out.contains("hosp-mercy"), "{out}");
    assert!(err.contains("next step due"), "{err}");
    assert_eq!(smtp.to("servicedesk@valley.example.org"), 1);
    assert_eq!(smtp.to("infosec@mercy.example.org"), 0);

    // The timeline holds it all, and its chain verifies.
    let conn = rusqlite::Connection::open(laptop.dir.path().join("lifeline.db")).expect("open");
    let events: Vec<String> = conn
        .prepare("SELECT event FROM incident_entries WHERE incident_id = ?1 ORDER BY seq")
        .expect("a query")
        .query_map([&id], |row| row.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("events");
    for kind in ["alert-sent", "acknowledged", "escalated"] {
        let tag = format!("\"type\":\"{kind}\"");
        assert!(
            events.iter().any(|e| e.contains(&tag)),
            "{kind} on the timeline"
        );
    }
    laptop.check(&["incident", "verify", &id], 0);

    // The directory comes back out of the database.
    let (out, _) = laptop.check(&["partners", "export", "--format", "json"], 0);
    assert!(out.contains("\"organisation\": \"medsupply\""), "{out}");
}
