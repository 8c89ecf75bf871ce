//! Running the `lifeline` binary from the CLI's integration tests that drive it as a
//! user would (`serve_crash.rs`, `browser.rs`): each includes this file with `#[path]`.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `lifeline` with `data` as its data folder, where it keeps the key file of a PostgreSQL
/// database (a SQLite database's sits beside it), so every command sees the same key; run
/// from the repository's root.
pub fn lifeline(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lifeline"));
    command
        .current_dir(repo())
        .env_remove("LIFELINE_DATABASE_URL")
        .env("XDG_DATA_HOME", data)
        .env("LIFELINE_QUIET", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    command
}

/// A finished command's status and output, for an assertion message.
pub fn output_text(output: &Output) -> String {
    format!(
        "status: {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `lifeline admin --database URL ARGS` with `stdin`, expecting success; its stdout.
pub fn admin(url: &str, data: &Path, args: &[&str], stdin: &str) -> String {
    let mut child = lifeline(data)
        .args(["admin", "--database", url])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run lifeline admin");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin.as_bytes())
        .expect("write to lifeline admin");
    let output = child.wait_with_output().expect("wait for lifeline admin");
    assert!(
        output.status.success(),
        "lifeline admin {}:\n{}",
        args.join(" "),
        output_text(&output)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
