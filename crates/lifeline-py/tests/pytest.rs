//! Runs the Python package's tests (`crates/lifeline-py/tests/test_*.py`) with pytest,
//! against the installed `lifeline` package, from the repository root.
//!
//! The package must be installed first (`pip install ./crates/lifeline-py`; CI does it
//! with the workspace's debug profile). Without it, or without pytest or pandas, the test
//! passes with a message saying what is missing, unless `LIFELINE_REQUIRE_PYTHON=1` (CI sets
//! it), which makes that a failure. The `lifeline` command the reports are compared with is
//! `$LIFELINE_BIN`, else the build beside this test (`target/debug/lifeline`). The Python
//! interpreter is `$LIFELINE_PYTHON`, else `python3`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/lifeline-py is two levels below the repository root")
        .to_path_buf()
}

/// `target/debug/lifeline` beside this test executable (`target/debug/deps/pytest-*`).
fn cli_beside_this_test() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let profile_dir = exe.parent()?.parent()?;
    let cli = profile_dir.join(format!("lifeline{}", std::env::consts::EXE_SUFFIX));
    cli.is_file().then_some(cli)
}

#[test]
fn python_package_tests() {
    let required = std::env::var("LIFELINE_REQUIRE_PYTHON").is_ok_and(|v| v == "1");
    let python = std::env::var("LIFELINE_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let repo = repository();

    // Probe from a neutral directory, so that nothing in the checkout shadows the package.
    let probe = Command::new(&python)
        .args(["-c", "import lifeline, pandas, pytest"])
        .current_dir(std::env::temp_dir())
        .output();
    let missing = match probe {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(String::from_utf8_lossy(&out.stderr).into_owned()),
        Err(error) => Some(format!("cannot run `{python}`: {error}")),
    };
    if let Some(why) = missing {
        let message = format!(
            "the Python package tests need `lifeline` (pip install ./crates/lifeline-py), pandas and pytest: {}",
            why.trim()
        );
        assert!(!required, "LIFELINE_REQUIRE_PYTHON=1: {message}");
        eprintln!("skipped: {message}");
        return;
    }

    let mut command = Command::new(&python);
    command
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(repo.join("crates/lifeline-py/tests"))
        .current_dir(&repo)
        .env("LIFELINE_QUIET", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1");
    if std::env::var_os("LIFELINE_BIN").is_none()
        && let Some(cli) = cli_beside_this_test()
    {
        command.env("LIFELINE_BIN", cli);
    }
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("cannot run pytest: {e}"));
    assert!(status.success(), "pytest failed: {status}");
}
