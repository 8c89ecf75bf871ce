//! For tests of this crate and those above it: fresh databases on every backend the
//! machine offers. SQLite always; PostgreSQL when `LIFELINE_TEST_DATABASE_URL` names a
//! server (CI sets it, and there a missing URL fails instead of skipping).

use std::path::PathBuf;

use sqlx::{AssertSqlSafe, Connection as _};

use crate::{StoreError, new_id};

/// The environment variable naming the PostgreSQL server tests use.
pub const TEST_DATABASE_ENV: &str = "LIFELINE_TEST_DATABASE_URL";

/// A fresh, empty database for one test, and what it needs kept alive.
#[derive(Debug)]
pub struct TestDatabase {
    pub label: &'static str,
    pub url: String,
    /// The SQLite file's folder, removed when dropped.
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// The SQLite file, for tests that edit it by hand.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        crate::sqlite_path(&self.url)
    }
}

/// A fresh database on every backend available: SQLite, and PostgreSQL when
/// `LIFELINE_TEST_DATABASE_URL` is set. Panics when `CI` is set and it is not, so that the
/// PostgreSQL half cannot be skipped quietly.
pub async fn databases() -> Vec<TestDatabase> {
    let mut all = vec![sqlite()];
    match std::env::var(TEST_DATABASE_ENV) {
        Ok(url) if !url.is_empty() => match postgres(&url).await {
            Ok(db) => all.push(db),
            Err(e) => panic!("{TEST_DATABASE_ENV}: cannot create a test database: {e}"),
        },
        _ => assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but {TEST_DATABASE_ENV} is not: the PostgreSQL tests would be skipped"
        ),
    }
    all
}

/// A fresh SQLite database in a temporary folder.
pub fn sqlite() -> TestDatabase {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = crate::sqlite_url(&dir.path().join("test.db"));
    TestDatabase {
        label: "sqlite",
        url,
        _dir: Some(dir),
    }
}

/// A fresh database on the PostgreSQL server of `server_url` (whose user may create
/// databases). Test databases are left behind; CI's server is thrown away.
pub async fn postgres(server_url: &str) -> Result<TestDatabase, StoreError> {
    let name = new_id("lifeline_test");
    let mut conn = sqlx::PgConnection::connect(server_url).await?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    // Replace the path (the database name) of the URL, keeping its query.
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server_url, String::new()),
    };
    let authority_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| base[start..].find('/').map(|j| start + j))
        .unwrap_or(base.len());
    Ok(TestDatabase {
        label: "postgres",
        url: format!("{}/{name}{query}", &base[..authority_end]),
        _dir: None,
    })
}

/// Runs one SQL statement on `store`'s database, outside the write path and its audit
/// chain: for tests that tamper with rows or move times into the past. Returns the rows
/// affected.
pub async fn execute(store: &crate::Store, sql: &str) -> Result<u64, StoreError> {
    let done = sqlx::query(AssertSqlSafe(sql.to_owned()))
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected())
}
