//! Schema migrations: numbered SQL files embedded in the binary, applied in order, each in
//! its own transaction, recorded in `lifeline_migrations`.
//!
//! Written here rather than with sqlx's migrator because the same files must run on
//! SQLite and PostgreSQL through sqlx's `Any` driver; this is the whole of it.

use sqlx::{AssertSqlSafe, Row as _};

use crate::{Store, StoreError, now_ms};

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "accounts",
        include_str!("../migrations/0001_accounts.sql"),
    ),
    (
        2,
        "networks_jobs",
        include_str!("../migrations/0002_networks_jobs.sql"),
    ),
    (3, "epcis", include_str!("../migrations/0003_epcis.sql")),
    (4, "vuln", include_str!("../migrations/0004_vuln.sql")),
    (5, "vendors", include_str!("../migrations/0005_vendors.sql")),
    (
        6,
        "response",
        include_str!("../migrations/0006_response.sql"),
    ),
    (7, "sharing", include_str!("../migrations/0007_sharing.sql")),
    (8, "taxii", include_str!("../migrations/0008_taxii.sql")),
];

/// The schema version this build knows.
pub(crate) fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

pub(crate) async fn run(store: &Store) -> Result<(), StoreError> {
    let pool = store.pool();
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS lifeline_migrations (\
         version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(pool)
    .await?;
    let mut tx = store.begin_write().await?;
    let applied: i64 =
        sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM lifeline_migrations")
            .fetch_one(tx.conn())
            .await?
            .try_get("v")?;
    if applied > latest() {
        return Err(StoreError::NewerSchema {
            found: applied,
            known: latest(),
        });
    }
    for &(version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > applied) {
        for statement in statements(sql) {
            sqlx::query(AssertSqlSafe(statement.to_owned()))
                .execute(tx.conn())
                .await?;
        }
        sqlx::query(
            "INSERT INTO lifeline_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(version)
        .bind(name)
        .bind(now_ms())
        .execute(tx.conn())
        .await?;
    }
    // Migrations are not audited: they change the schema, not the data.
    tx.commit_unaudited().await
}

/// The statements of a migration file: split at `;` ending a line, comments dropped. The
/// migrations hold no `;` inside strings.
fn statements(sql: &str) -> impl Iterator<Item = &str> {
    sql.split(";\n").map(str::trim).filter(|s| {
        s.lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with("--"))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_migration_splits_into_statements() {
        for (_, name, sql) in super::MIGRATIONS {
            let count = super::statements(sql).count();
            assert!(count > 0, "{name}");
            assert_eq!(count, sql.matches(";\n").count(), "{name}");
        }
    }
}
