//! `lifeline taxii`: `collection create` prints an id and refuses unknown partner
//! organisations; `pull` pulls the reference TAXII server's collection (PyPI medallion,
//! serving its own test data on 127.0.0.1) page by page with `next`, stores it, and the
//! next pull asks only for what was added since (`added_after`).

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{exited, lifeline_in};

struct Medallion(Child);

impl Drop for Medallion {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// medallion on a free loopback port, serving `default_data.json`: its base URL.
fn medallion(dir: &std::path::Path) -> (Medallion, String) {
    let available = Command::new("python3")
        .args(["-c", "import medallion"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        available,
        "this test needs python3 with the PyPI package medallion: \
         pip install --break-system-packages medallion"
    );
    let data = dir.join("default_data.json");
    std::fs::copy(
        crate::repo().join("crates/lifeline-cli/tests/data/taxii/default_data.json"),
        &data,
    )
    .expect("copy the test data");
    let config = dir.join("medallion.json");
    let text = serde_json::json!({
        "backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
                    "filename": data},
        "users": {"admin": "Password0"},
        "taxii": {"max_page_size": 100},
    });
    std::fs::write(&config, text.to_string()).expect("write the config");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new("medallion")
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("medallion starts");
    let server = Medallion(child);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "medallion did not listen in 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (server, format!("http://127.0.0.1:{port}"))
}

fn run(dir: &std::path::Path, args: &[&str], code: i32) -> String {
    let (out, err) = exited(&lifeline_in(dir, args), args, code);
    if code == 0 { out } else { err }
}

#[test]
fn collections_are_created_and_an_isac_collection_is_pulled_in_pages() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = format!("sqlite://{}", dir.path().join("l.db").display());
    let id = run(
        dir.path(),
        &[
            "taxii",
            "collection",
            "create",
            "--database",
            &db,
            "--actor",
            "t",
            "--title",
            "From the ISAC",
        ],
        0,
    );
    let id = id.trim().to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let err = run(
        dir.path(),
        &[
            "taxii",
            "collection",
            "create",
            "--database",
            &db,
            "--actor",
            "t",
            "--title",
            "Shared",
            "--read",
            "nobody=green",
        ],
        2,
    );
    assert!(err.contains("no organisation `nobody`"), "{err}");
    let err = run(
        dir.path(),
        &[
            "taxii",
            "collection",
            "create",
            "--database",
            &db,
            "--actor",
            "t",
            "--title",
            "Shared",
            "--read",
            "nobody=purple",
        ],
        2,
    );
    assert!(err.contains("purple"), "{err}");

    let (_server, base) = medallion(dir.path());
    let token = dir.path().join("token");
    std::fs::write(&token, "Password0\n").unwrap();
    let token = token.to_str().unwrap();
    let root = format!("{base}/trustgroup1/");
    let pull = [
        "taxii",
        "pull",
        &root,
        "--collection",
        "91a7b528-80eb-42ed-a74d-c6fbd5a26116",
        "--user",
        "admin",
        "--token-file",
        token,
        "--into",
        &id,
        "--limit",
        "2",
        "--database",
        &db,
        "--actor",
        "t",
    ];
    let out = run(dir.path(), &pull, 0);
    // The collection's last versions of the newest spec version: 5 objects, 2 a page.
    assert!(out.starts_with("pulled 5 objects in 3 pages"), "{out}");
    assert!(out.contains("5 stored, 0 refused"), "{out}");
    let listed = run(
        dir.path(),
        &[
            "taxii",
            "collection",
            "list",
            "--database",
            &db,
            "--actor",
            "t",
        ],
        0,
    );
    assert!(
        listed.contains(&id) && listed.contains("5 versions"),
        "{listed}"
    );
    // The next pull asks for what was added since: nothing.
    let out = run(dir.path(), &pull, 0);
    assert!(out.starts_with("pulled 0 objects in 1 pages"), "{out}");
    // A wrong password is refused with the server's answer.
    std::fs::write(dir.path().join("bad"), "nope\n").unwrap();
    let bad = dir.path().join("bad");
    let mut wrong = pull.to_vec();
    wrong[8] = bad.to_str().unwrap();
    let err = run(dir.path(), &wrong, 2);
    assert!(err.contains("401"), "{err}");
}
