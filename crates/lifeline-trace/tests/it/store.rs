//! The repository file: which paths it may be opened on, and reads that create nothing and
//! read alongside a writer.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lifeline_trace::TraceError;
use lifeline_trace::repository::{Query, Repository};

use crate::read_data;

/// A fresh, empty folder of its own for one test.
fn folder(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "lifeline-trace-store-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).expect("test folder");
    path
}

/// Every entry of a folder, by name.
fn entries(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `Repository::open` refuses `path` with `reason`, and writes nothing in `folder`.
fn refused(folder: &Path, path: &Path, reason: &str) {
    let before = entries(folder);
    match Repository::open(path) {
        Err(TraceError::RepositoryPath {
            path: shown,
            reason: why,
        }) => {
            assert_eq!(shown, path.display().to_string());
            assert_eq!(why, reason, "{}", path.display());
        }
        other => panic!("{}: {other:?}", path.display()),
    }
    assert_eq!(
        entries(folder),
        before,
        "{}: wrote beside it",
        path.display()
    );
}

#[cfg(unix)]
#[test]
fn a_repository_path_that_is_not_a_regular_file_is_refused() {
    let dir = folder("paths");
    refused(&dir, &dir, "is a folder");
    // A link to a device: SQLite would have written `<link>-journal` beside the link (and
    // `/dev/full-journal` for `--db /dev/full`).
    let device = dir.join("device.sqlite");
    std::os::unix::fs::symlink("/dev/null", &device).expect("link");
    refused(&dir, &device, "is a character device");
    // A link to nothing: SQLite would create the file wherever the link points.
    let target = dir.join("elsewhere").join("target.sqlite");
    let dangling = dir.join("dangling.sqlite");
    std::os::unix::fs::symlink(&target, &dangling).expect("link");
    refused(&dir, &dangling, "is a link to nothing");
    let fifo = dir.join("fifo.sqlite");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    refused(&dir, &fifo, "is a FIFO");
    refused(
        &dir,
        &dir.join("missing").join("trace.sqlite"),
        "is in a folder that does not exist",
    );
    let message = Repository::open(Path::new("/dev/full"))
        .expect_err("a device")
        .to_string();
    assert_eq!(
        message,
        "the repository path `/dev/full` is a character device: give a regular file, or a new path in an existing folder"
    );
    // A regular file, directly or through a link, is a repository.
    let file = dir.join("trace.sqlite");
    drop(Repository::open(&file).expect("create"));
    // A path inside a file cannot be looked at (not a folder): refused, not a "read error".
    for result in [
        Repository::open(&file.join("inner.sqlite")),
        Repository::open_read_only(&file.join("inner.sqlite")),
    ] {
        match result {
            Err(TraceError::RepositoryPath { reason, .. }) => {
                assert!(reason.starts_with("cannot be looked at ("), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
    let link = dir.join("link.sqlite");
    std::os::unix::fs::symlink(&file, &link).expect("link");
    assert!(
        Repository::open(&link)
            .expect("through a link")
            .is_empty()
            .expect("len")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_read_creates_nothing() {
    let dir = folder("missing");
    let path = dir.join("deeper").join("trace.sqlite");
    match Repository::open_read_only(&path) {
        Err(error @ TraceError::NoRepository { .. }) => assert_eq!(
            error.to_string(),
            format!(
                "no repository at `{}`: ingest EPCIS documents into it first",
                path.display()
            )
        ),
        other => panic!("{other:?}"),
    }
    assert!(entries(&dir).is_empty(), "{:?}", entries(&dir));
    // An empty file is no repository either, and stays empty.
    let empty = dir.join("empty.sqlite");
    std::fs::write(&empty, b"").expect("empty file");
    assert!(matches!(
        Repository::open_read_only(&empty),
        Err(TraceError::NoRepository { .. })
    ));
    assert_eq!(std::fs::metadata(&empty).expect("stat").len(), 0);
    assert_eq!(entries(&dir), ["empty.sqlite"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_reader_reads_while_a_writer_holds_a_write_transaction() {
    let dir = folder("concurrent");
    let path = dir.join("trace.sqlite");
    let mut repository = Repository::open(&path).expect("create");
    repository
        .ingest(
            read_data("dscsa/GS1_US_Pharma_Example_2_2_1_1.xml").as_slice(),
            "dscsa.xml",
        )
        .expect("ingest");
    drop(repository);
    // A second connection, as another process's ingest, holds the reserved (write) lock
    // with a change not yet committed.
    let writer = rusqlite::Connection::open(&path).expect("writer");
    writer
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO sources (label) VALUES ('pending');")
        .expect("write transaction");
    let started = Instant::now();
    let reader = Repository::open_read_only(&path).expect("open beside a writer");
    assert_eq!(reader.len().expect("len"), 8);
    let history = reader
        .history("urn:epc:id:sgtin:030001.0012345.11")
        .expect("history beside a writer");
    assert_eq!(history.len(), 2);
    let shipping = reader
        .query(&Query {
            biz_step: Some("shipping".into()),
            ..Query::default()
        })
        .expect("query beside a writer");
    assert_eq!(shipping.len(), 1);
    assert!(reader.check().expect("check beside a writer").is_empty());
    // Without waiting for the writer's lock (SQLite's busy timeout is 5 s).
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    writer.execute_batch("ROLLBACK").expect("rollback");
    let _ = std::fs::remove_dir_all(&dir);
}
