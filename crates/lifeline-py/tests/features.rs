//! `pip install ./crates/lifeline-py` (maturin) builds this crate alone, and cargo gives
//! each shared dependency the features of the packages being built. When they differ from
//! what the workspace's build gives them, the package's build compiles that dependency
//! again, and everything above it (HiGHS, bundled SQLite): CI would build them twice. The
//! feature-unification lines of this crate's Cargo.toml keep them equal; this test says
//! which dependency needs a line when they drift.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Every package of the graph with its features, as `cargo tree` resolves it for `select`
/// over the dependency kinds `edges`.
fn resolved(select: &[&str], edges: &str) -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "--offline",
            "-e",
            edges,
            "--prefix",
            "none",
        ])
        .args(["-f", "{p} [{f}]"])
        .args(select)
        .current_dir(root)
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree {select:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| line.trim_end_matches(" (*)").to_owned())
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn the_package_build_resolves_dependencies_as_the_workspace_does() {
    // What maturin builds, and what `cargo test --workspace` builds (dev-dependencies too).
    let package = resolved(&["-p", "lifeline-py"], "normal,build");
    let workspace = resolved(&["--workspace"], "normal,build,dev");
    let differ: Vec<&String> = package.difference(&workspace).collect();
    assert!(
        differ.is_empty(),
        "built alone, lifeline-py gives these dependencies other features than the workspace \
         does (add them, with the workspace's features, to the unification lines of \
         crates/lifeline-py/Cargo.toml):\n{}",
        differ
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
