//! The event repository: an embedded SQLite file keyed by Event Hash ID.
//!
//! Ingesting is idempotent (an event whose hash is stored already adds nothing) and
//! transactional per document (a document with one invalid event is rejected whole, and
//! nothing of it is written). An event that carries an `errorDeclaration` has the hash of
//! the event it corrects (CBV 2.0 §8.9 leaves the declaration out), so it marks that event
//! retracted; retracted events are kept for history but ignored by the rules.
//!
//! `layout.rs` holds the tables and the row formats, `ingest.rs` the two-thread ingest,
//! `query.rs` the filters and queries, `check.rs` the check by aggregation family. A
//! repository opened with [`Repository::open`] may write; one opened with
//! [`Repository::open_read_only`] reads alongside a writer and never creates a file.

mod check;
mod ingest;
mod layout;
mod query;

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

pub use check::check_records;
pub use ingest::{IngestReport, PreparedEvent, Preparer, prepare_document};
pub use query::{Filters, Query, StoredEvent};

use crate::TraceError;
use layout::{LAYOUT, SCHEMA, read_pragmas, write_pragmas};

/// The SQLite event store. Its page cache is bounded at 64 MiB, so memory follows the
/// repository's working set, not the size of what is ingested.
#[derive(Debug)]
pub struct Repository {
    connection: Connection,
}

/// What a file system entry is, for a path that is not a regular file.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "is a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_char_device() {
            return "is a character device";
        }
        if file_type.is_block_device() {
            return "is a block device";
        }
        if file_type.is_fifo() {
            return "is a FIFO";
        }
        if file_type.is_socket() {
            return "is a socket";
        }
    }
    "is not a regular file"
}

fn refuse(path: &Path, reason: &str) -> TraceError {
    TraceError::RepositoryPath {
        path: path.display().to_string(),
        reason: reason.to_owned(),
    }
}

/// Refuses a path SQLite would write beside or through: only a regular file (links
/// followed) or a free name in an existing folder will do. SQLite writes its journal beside
/// the path (`<path>-journal`), so a device such as `/dev/full` would get a journal in
/// `/dev`, and a dangling link would create its target wherever it points.
fn check_writable(path: &Path) -> Result<(), TraceError> {
    if path.as_os_str().is_empty() {
        return Err(refuse(path, "is empty"));
    }
    match std::fs::symlink_metadata(path) {
        Ok(entry) => match std::fs::metadata(path) {
            Ok(target) if target.is_file() => Ok(()),
            Ok(target) => Err(refuse(path, kind_of(target.file_type()))),
            Err(_) if entry.file_type().is_symlink() => Err(refuse(path, "is a link to nothing")),
            Err(error) => Err(unreadable(path, &error)),
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let folder = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            match std::fs::metadata(folder) {
                Ok(meta) if meta.is_dir() => Ok(()),
                Ok(_) => Err(refuse(path, "is inside something that is not a folder")),
                Err(_) => Err(refuse(path, "is in a folder that does not exist")),
            }
        }
        Err(error) => Err(unreadable(path, &error)),
    }
}

/// A path whose entry cannot be looked at (inside a file, no permission, a loop of links).
fn unreadable(path: &Path, error: &std::io::Error) -> TraceError {
    refuse(path, &format!("cannot be looked at ({error})"))
}

impl Repository {
    fn setup(connection: Connection, label: &str) -> Result<Self, TraceError> {
        connection.execute_batch(&write_pragmas())?;
        let (version, tables) = layout_of(&connection)?;
        if tables > 0 && version != LAYOUT {
            return Err(TraceError::LayoutMismatch {
                path: label.to_owned(),
                found: version,
                expected: LAYOUT,
            });
        }
        if version != LAYOUT || tables == 0 {
            // In one transaction, so that a repository has its layout number exactly when
            // it has its tables. Skipped when both are there: it would take the write lock.
            connection.execute_batch(&format!(
                "BEGIN; {SCHEMA} PRAGMA user_version = {LAYOUT}; COMMIT;"
            ))?;
        }
        connection.set_prepared_statement_cache_capacity(32);
        Ok(Repository { connection })
    }

    /// Opens the repository file at `path` for ingesting, creating it (but not its folder)
    /// if it does not exist. A path that is neither a regular file nor a free name in an
    /// existing folder is refused before SQLite sees it (`TraceError::RepositoryPath`).
    pub fn open(path: &Path) -> Result<Self, TraceError> {
        check_writable(path)?;
        // No `SQLITE_OPEN_URI`: the path is a file name, never a `file:` URI with options.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Self::setup(
            Connection::open_with_flags(path, flags)?,
            &path.display().to_string(),
        )
    }

    /// Opens the repository file at `path` for reading only: it creates nothing (a missing
    /// file is `TraceError::NoRepository`), takes no write lock, and so reads while another
    /// process ingests (it waits only while that process commits).
    pub fn open_read_only(path: &Path) -> Result<Self, TraceError> {
        let missing = || TraceError::NoRepository {
            path: path.display().to_string(),
        };
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => {}
            Ok(meta) => return Err(refuse(path, kind_of(meta.file_type()))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
            Err(error) => return Err(unreadable(path, &error)),
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(path, flags)?;
        connection.execute_batch(&read_pragmas())?;
        let (version, tables) = layout_of(&connection)?;
        if tables == 0 {
            return Err(missing());
        }
        if version != LAYOUT {
            return Err(TraceError::LayoutMismatch {
                path: path.display().to_string(),
                found: version,
                expected: LAYOUT,
            });
        }
        connection.set_prepared_statement_cache_capacity(32);
        Ok(Repository { connection })
    }

    /// A repository in memory (for checking files without storing them).
    pub fn in_memory() -> Result<Self, TraceError> {
        Self::setup(Connection::open_in_memory()?, ":memory:")
    }

    /// Number of stored events.
    pub fn len(&self) -> Result<usize, TraceError> {
        let n: i64 = self
            .connection
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or_default())
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> Result<bool, TraceError> {
        Ok(self.len()? == 0)
    }
}

/// The layout version (`PRAGMA user_version`) and the number of tables of a database.
fn layout_of(connection: &Connection) -> Result<(i64, i64), TraceError> {
    let version: i64 = connection.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let tables: i64 = connection.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
        [],
        |r| r.get(0),
    )?;
    Ok((version, tables))
}
