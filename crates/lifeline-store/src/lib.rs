//! lifeline-store: everything `lifeline serve` keeps, on SQLite (the default, one file, WAL)
//! or PostgreSQL (shared deployments), behind one API.
//!
//! - The schema is portable SQL that runs unchanged on both (`migrations/`): text
//!   identifiers drawn at random, times as Unix milliseconds, documents as text.
//! - Every stored row belongs to an organisation; reads take an [`Access`] that says whose
//!   rows the caller may see, so a handler cannot forget the check.
//! - Every write goes through [`Store::begin_write`] and ends with [`WriteTx::commit`],
//!   which appends the tamper-evident audit entry in the same transaction: a write and its
//!   audit entry are stored together or not at all.
//! - Secrets are never stored in clear: passwords as argon2id hashes, tokens and session
//!   keys as SHA-256 digests, sensitive fields encrypted with the [`Keyring`].

mod accounts;
mod audit;
mod crypto;
mod epcis;
mod error;
mod ids;
mod jobs;
mod migrate;
mod networks;
mod response;
mod sharing;
mod taxii;
#[doc(hidden)]
pub mod testing;
mod vendors;
mod vuln;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, Connection as _, Executor as _, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub use accounts::{
    Access, Credentials, MIN_PASSWORD_CHARS, NewToken, Org, Principal, Role, SessionKeys,
    TokenInfo, User,
};
pub use audit::{AuditEntry, AuditReport, AuditRow, Tamper};
pub use crypto::{KeyError, Keyring};
pub use epcis::{EpcisBatch, EpcisCapture, EpcisFilter, NewEpcisEvent, StoredEpcisEvent};
pub use error::StoreError;
pub use ids::{new_id, new_secret, now_ms, rfc3339, secret_digest, sha256_hex};
pub use jobs::{Job, JobKind, JobState, NewJob};
pub use networks::{NetworkInfo, NetworkUpload, NetworkVersion, StoredNetwork, UploadFormat};
pub use response::{
    EntryKind, ExerciseRunInfo, IncidentEntry, IncidentInfo, IncidentState, NewExerciseRun,
    NewIncident, NewPlaybook, PlaybookInfo, StoredExerciseRun, StoredIncident, StoredPlaybook,
    TIMELINE_GENESIS,
};
pub use sharing::{
    AckLookup, AckTokenInfo, AlertSubject, DrillEntry, DrillInfo, NewAckToken, NewPartnerAlert,
    PartnerDirectoryInfo, SigningKey, SigningKeyInfo, StoredDrill, StoredPartnerAlert,
    StoredPartnerDirectory,
};
pub use taxii::{
    ApiRoot, CollectionInfo, MAX_PAGE as TAXII_MAX_PAGE, NewCollection, ObjectPage, ObjectQuery,
    StatusDetail, StoredObject, TaxiiCaller, TaxiiError, TaxiiGrant, TaxiiStatus, VersionMatch,
    effective_tlp, parse_timestamp, timestamp_us, tlp_of_marking, version_text,
};
pub use vendors::{
    EvidenceFileInfo, LinkLookup, LinkState, MAX_EVIDENCE_BYTES, MAX_LINK_DAYS, NewEvidenceFile,
    NewQuestionnaireLink, NewVendorRegister, QuestionnaireLink, RegisterFormat,
    StoredVendorRegister, Submission, VendorRegisterInfo,
};
pub use vuln::{
    AdvisoryContent, AdvisoryLoad, AdvisoryTexts, AdvisoryUpload, NewSbom, OsvRow, SbomInfo,
    StoredSbom,
};

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names, or `None` for an unsupported scheme.
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The storage of one lifeline deployment. Cheap to clone: clones share the pool.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Serialises writers in this process: SQLite has one writer anyway, and the audit
    /// chain needs each entry to see the one before it. (Other processes on PostgreSQL are
    /// serialised by an advisory lock; on SQLite by the database's own write lock.)
    write_lock: Arc<Mutex<()>>,
    keyring: Option<Arc<Keyring>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("keyring", &self.keyring.is_some())
            .finish_non_exhaustive()
    }
}

/// The advisory lock key that serialises writers on PostgreSQL ("lifeline" in ASCII,
/// truncated to fit a bigint).
const PG_WRITE_LOCK: i64 = 0x6c69_6665_6c69_6e65;

impl Store {
    /// Connects to `url` (`sqlite:///path/file.db`, `sqlite::memory:`, or
    /// `postgres://user:password@host/db`), creating a SQLite file and its folder when they
    /// do not exist, and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).ok_or_else(|| StoreError::Url {
            url: redact_url(url),
            message: "expected `sqlite://PATH` or `postgres://USER@HOST/DB`".into(),
        })?;
        let mut url = url.to_owned();
        let mut max = 16;
        if backend == Backend::Sqlite {
            if let Some(path) = sqlite_path(&url) {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                        path: parent.to_owned(),
                        source,
                    })?;
                }
                if !url.contains('?') {
                    url.push_str("?mode=rwc");
                }
            } else {
                // An in-memory database lives in one connection.
                max = 1;
            }
        }
        let options = AnyConnectOptions::from_str(&url).map_err(|e| StoreError::Url {
            url: redact_url(&url),
            message: e.to_string(),
        })?;
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL: readers never wait for the writer. FULL: a commit that
                        // returned is on disk, even after a power cut, not only a crash.
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 10000",
                        ] {
                            conn.execute(pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Connect {
                url: redact_url(&url),
                message: e.to_string(),
            })?;
        #[cfg(unix)]
        if let Some(path) = sqlite_path(&url) {
            // The file holds password hashes and token digests: the owner's alone, whatever
            // the umask (SQLite gives its -wal and -shm files the same mode).
            use std::os::unix::fs::PermissionsExt as _;
            if let Ok(metadata) = std::fs::metadata(&path)
                && metadata.permissions().mode() & 0o077 != 0
            {
                let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
            }
        }
        let store = Store {
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
            keyring: None,
        };
        migrate::run(&store).await?;
        Ok(store)
    }

    /// The same store, encrypting and decrypting sensitive fields with `keyring`.
    pub fn with_keyring(mut self, keyring: Keyring) -> Store {
        self.keyring = Some(Arc::new(keyring));
        self
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Answers when the database does: for readiness probes.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await?;
        Ok(())
    }

    /// Waits for every connection to be returned, then closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub(crate) fn keyring(&self) -> Result<&Keyring, StoreError> {
        self.keyring.as_deref().ok_or(StoreError::NoKeyring)
    }

    /// Starts a write: the process's write lock, a transaction, and on PostgreSQL the
    /// advisory lock that serialises writers across server processes.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let guard = Arc::clone(&self.write_lock).lock_owned().await;
        let mut tx = match self.backend {
            // IMMEDIATE: take SQLite's write lock now, so that another process's writer
            // makes this one wait (busy_timeout) instead of failing at its first write.
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(PG_WRITE_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        Ok(WriteTx { _guard: guard, tx })
    }

    /// Copies the SQLite database, consistent as of one moment, to `to` while the server
    /// runs (`VACUUM INTO`). PostgreSQL deployments use `pg_dump`.
    pub async fn backup(&self, to: &Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported(
                "online backup is for SQLite; back up PostgreSQL with pg_dump",
            ));
        }
        if to.exists() {
            return Err(StoreError::Exists(to.to_owned()));
        }
        let target = to.to_str().ok_or_else(|| StoreError::Invalid {
            field: "backup".into(),
            message: "the backup path is not UTF-8".into(),
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// A write in progress; [`WriteTx::commit`] appends its audit entry and commits both.
/// Dropped without commit, it rolls back.
pub(crate) struct WriteTx {
    _guard: OwnedMutexGuard<()>,
    tx: Transaction<'static, Any>,
}

impl WriteTx {
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Appends `entry` to the audit chain and commits; returns the entry's sequence number.
    pub(crate) async fn commit(mut self, entry: AuditEntry) -> Result<i64, StoreError> {
        let seq = audit::append(&mut self.tx, &entry).await?;
        self.tx.commit().await?;
        Ok(seq)
    }

    /// Commits without an audit entry: for schema migrations only.
    pub(crate) async fn commit_unaudited(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// The file behind a `sqlite:` URL, or `None` for an in-memory database.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(PathBuf::from(path))
    }
}

/// The URL of the SQLite database at `path`.
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// `url` without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            redact_url("postgres://lifeline:secret@127.0.0.1:5432/db"),
            "postgres://lifeline:***@127.0.0.1:5432/db"
        );
        assert_eq!(
            sqlite_path("sqlite:///var/lib/lifeline/l.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/lifeline/l.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(Backend::of_url("mysql://x"), None);
    }
}
