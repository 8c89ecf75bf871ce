//! Test servers on loopback: a real SMTP server (PyPI's aiosmtpd, run as a subprocess)
//! and a webhook receiver, and a partner directory with keys.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lifeline_share::directory::Directory;
use lifeline_share::keys::KeyPair;
use time::OffsetDateTime;
use time::macros::datetime;

pub const T0: OffsetDateTime = datetime!(2026-12-06 09:00 UTC);

/// aiosmtpd on a free loopback port, storing every message in a maildir (or discarding
/// them: `sink`). Killed when dropped.
pub struct SmtpServer {
    pub port: u16,
    pub maildir: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl SmtpServer {
    pub fn start(sink: bool) -> SmtpServer {
        let found = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            found,
            "these tests need a real SMTP server: PyPI's aiosmtpd (pip install aiosmtpd)"
        );
        let dir = tempfile::tempdir().expect("a temporary folder");
        let maildir = dir.path().join("maildir");
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut command = Command::new("python3");
        command.args(["-m", "aiosmtpd", "-n", "-l", &listen, "-c"]);
        if sink {
            command.arg("aiosmtpd.handlers.Sink");
        } else {
            command.arg("aiosmtpd.handlers.Mailbox").arg(&maildir);
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        let server = SmtpServer {
            port,
            maildir,
            child,
            _dir: dir,
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "aiosmtpd did not listen on {listen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// Every message received, as text.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir.join(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                out.push(std::fs::read_to_string(entry.path()).expect("a stored message"));
            }
        }
        out
    }

    /// The messages addressed to `address`.
    pub fn to(&self, address: &str) -> Vec<String> {
        self.messages()
            .into_iter()
            .filter(|m| {
                m.lines()
                    .any(|l| l.starts_with("To:") && l.contains(&format!("<{address}>")))
            })
            .collect()
    }
}

/// One request a webhook receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// A webhook receiver on loopback answering every POST with `status`.
pub struct Webhook {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Webhook {
    pub fn start(status: u16) -> Webhook {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().expect("an address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, status, &log));
            }
        });
        Webhook { port, received }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("the log").clone()
    }
}

fn serve(stream: TcpStream, status: u16, log: &Mutex<Vec<Received>>) {
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
        let mut headers = Vec::new();
        let mut length = 0;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_owned());
                if k == "content-length" {
                    length = v.parse().unwrap_or(0);
                }
                headers.push((k, v));
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        log.lock().expect("the log").push(Received {
            path,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        let answer = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\n\r\n");
        if reader.get_mut().write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

pub fn key(org: &str, seed: u8) -> KeyPair {
    KeyPair::from_seed(org, "k1", [seed; 32]).expect("a key pair")
}

/// A directory kept by `distrib`: hospital A (two contacts: email and webhook, then email
/// and phone), hospital B (one contact), both tier 1 on entity `dc-east`; the ISAC, tier 2,
/// linked to nothing (sector-wide). Windows: 30 minutes.
pub fn directory(smtp_webhook: &str, dead_webhook: &str) -> Directory {
    let text = serde_json::json!({
        "format": "lifeline-partners/1",
        "organisation": "distrib",
        "defaults": { "ack_window": "30m", "alert_validity": "3d" },
        "organisations": [
            { "id": "distrib", "name": "Acme Distribution", "kind": "distributor",
              "entities": ["dc-east"], "clearance": "red",
              "contacts": [{ "id": "soc", "name": "SOC", "role": "security-lead",
                             "escalation": 1, "channels": [{ "email": "soc@acme.example.org" }] }] },
            { "id": "hosp-a", "name": "Mercy Hospital", "kind": "hospital",
              "entities": ["dc-east"], "clearance": "amber",
              "contacts": [
                { "id": "ana", "name": "Ana Ruiz", "role": "supply-chain", "escalation": 1,
                  "channels": [{ "email": "ana@mercy.example.org" }, { "webhook": smtp_webhook }] },
                { "id": "bob", "name": "Bob Lee", "role": "duty", "escalation": 2,
                  "channels": [{ "email": "bob@mercy.example.org" }, { "phone": "+1 555 0100" }] }
              ] },
            { "id": "hosp-b", "name": "St. Luke", "kind": "hospital",
              "entities": ["dc-east"], "clearance": "green",
              "contacts": [
                { "id": "cy", "name": "Cy Park", "role": "supply-chain", "escalation": 1,
                  "channels": [{ "email": "cy@stluke.example.org" }] }
              ] },
            { "id": "hosp-c", "name": "Dead Line Clinic", "kind": "hospital",
              "entities": ["dc-west"], "clearance": "green",
              "contacts": [
                { "id": "dee", "name": "Dee", "role": "it", "escalation": 1,
                  "channels": [{ "webhook": dead_webhook }] },
                { "id": "eve", "name": "Eve", "role": "duty", "escalation": 2,
                  "channels": [{ "email": "eve@deadline.example.org" }] }
              ] },
            { "id": "isac", "name": "Health ISAC", "kind": "isac", "tier": 2,
              "clearance": "amber",
              "contacts": [
                { "id": "desk", "name": "ISAC desk", "role": "duty", "escalation": 1,
                  "channels": [{ "email": "desk@isac.example.org" }] }
              ] }
        ]
    });
    let mut directory: Directory = serde_json::from_value(text).expect("the test directory");
    for (org, seed) in [
        ("distrib", 1),
        ("hosp-a", 2),
        ("hosp-b", 3),
        ("hosp-c", 4),
        ("isac", 5),
    ] {
        lifeline_share::keys::add(
            &mut directory,
            org,
            key(org, seed).public(T0 - time::Duration::days(30)),
        )
        .expect("the key is added");
    }
    directory
}

/// An alert from `distrib` to `recipient`, issued at `at`.
pub fn alert(recipient: &str, id: &str, at: OffsetDateTime) -> lifeline_share::alert::Alert {
    use lifeline_share::alert::*;
    Alert {
        typ: ALERT_TYPE.into(),
        id: id.into(),
        kind: AlertKind::Alert,
        issuer: "distrib".into(),
        recipient: recipient.into(),
        incident: Some(IncidentRef {
            id: "inc_1".into(),
            title: "Ransomware at the east DC".into(),
            kind: "ransomware".into(),
            declared_at: at,
        }),
        issued_at: at,
        expires_at: at + time::Duration::days(3),
        reply_by: at + time::Duration::minutes(30),
        nonce: format!("nonce-{id}"),
        tlp: lifeline_share::Tlp::Green,
        summary: "Ransomware at the east DC: no deliveries for 5 days".into(),
        affected: Affected {
            entities: vec![Named {
                id: "dc-east".into(),
                name: "East DC".into(),
            }],
            items: Vec::new(),
        },
        expected_recovery_days: Some(5.0),
        actions: vec!["Check your stock".into()],
        supersedes: None,
    }
}

/// A deterministic stand-in for the CSPRNG (tests only).
pub fn counter() -> impl FnMut(&mut [u8]) {
    let mut n: u8 = 0;
    move |bytes: &mut [u8]| {
        for b in bytes {
            n = n.wrapping_add(1);
            *b = n;
        }
    }
}

pub fn path(p: &Path) -> String {
    p.display().to_string()
}
