//! SBOMs and the advisories they are scanned against (OSV records, the CISA KEV catalogue,
//! CycloneDX VEX documents), per organisation. Everything is kept as text, as uploaded;
//! this module checks nothing about the documents themselves: the server reads them with
//! lifeline-vuln before it stores them and again when it scans.
//!
//! OSV records are stored one row each (an ecosystem's export holds up to a million of a
//! few KiB each), keyed by their id, so that a later load of the same id replaces the
//! earlier one and a scan reads them back in load order.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row as _;

use crate::ids::holds_nul;
use crate::{Access, AuditEntry, Store, StoreError, new_id, now_ms};

/// An SBOM that validated, with what the caller read of it.
#[derive(Debug, Clone)]
pub struct NewSbom {
    /// Its name in the organisation (unique there).
    pub name: String,
    /// `CycloneDX 1.6 JSON`, `SPDX 2.3 JSON`, ...
    pub kind: String,
    pub components: i64,
    /// The document as uploaded.
    pub body: String,
    pub sha256: String,
    pub bytes: i64,
    /// The validation warnings, as a JSON array.
    pub warnings: serde_json::Value,
}

/// An SBOM as listed.
#[derive(Debug, Clone, Serialize)]
pub struct SbomInfo {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub components: i64,
    pub sha256: String,
    pub bytes: i64,
    pub warnings: serde_json::Value,
    pub created_at: i64,
    pub created_by: String,
}

/// An SBOM with its text, to scan.
#[derive(Debug, Clone)]
pub struct StoredSbom {
    pub info: SbomInfo,
    pub body: String,
}

/// One uploaded advisory file: what it was and how large.
#[derive(Debug, Clone)]
pub struct AdvisoryUpload {
    /// The file's name, as the uploader gave it.
    pub name: String,
    pub sha256: String,
    pub bytes: i64,
}

/// One OSV record to keep: its id, the name it was read under (`all.zip:GHSA-....json`)
/// and its JSON text.
#[derive(Debug, Clone)]
pub struct OsvRow {
    pub id: String,
    pub name: String,
    pub body: String,
}

/// What an advisory file holds, read and checked by the caller.
#[derive(Debug, Clone)]
pub enum AdvisoryContent {
    /// OSV records, in the file's order.
    Osv(Vec<OsvRow>),
    /// A CISA KEV catalogue (it replaces the organisation's previous one).
    Kev {
        version: String,
        entries: i64,
        body: String,
    },
    /// A CycloneDX VEX document (added to those loaded before).
    Vex { statements: i64, body: String },
}

impl AdvisoryContent {
    fn kind(&self) -> &'static str {
        match self {
            AdvisoryContent::Osv(_) => "osv",
            AdvisoryContent::Kev { .. } => "kev",
            AdvisoryContent::Vex { .. } => "vex",
        }
    }

    fn records(&self) -> i64 {
        match self {
            AdvisoryContent::Osv(rows) => i64::try_from(rows.len()).unwrap_or(i64::MAX),
            AdvisoryContent::Kev { entries, .. } => *entries,
            AdvisoryContent::Vex { statements, .. } => *statements,
        }
    }
}

/// One advisory file loaded: when, by whom, how many records.
#[derive(Debug, Clone, Serialize)]
pub struct AdvisoryLoad {
    pub id: String,
    /// `osv`, `kev` or `vex`.
    pub kind: String,
    pub name: String,
    pub records: i64,
    pub sha256: String,
    pub bytes: i64,
    pub loaded_at: i64,
    pub loaded_by: String,
}

/// The texts of an organisation's advisories, to build the scan index from, in load order.
#[derive(Debug, Clone, Default)]
pub struct AdvisoryTexts {
    /// OSV records: the name they were read under, and their text.
    pub osv: Vec<(String, String)>,
    /// The KEV catalogue's text, when one was loaded.
    pub kev: Option<String>,
    /// VEX documents: name and text.
    pub vex: Vec<(String, String)>,
}

/// OSV records written per statement: 6 parameters each, well under SQLite's limit of
/// 32,766 parameters per statement and PostgreSQL's 65,535.
const OSV_BATCH: usize = 200;

const SBOM_COLUMNS: &str =
    "id, name, kind, components, sha256, bytes, warnings, created_at, created_by";

fn sbom_of(row: &sqlx::any::AnyRow) -> Result<SbomInfo, StoreError> {
    let warnings: String = row.try_get("warnings")?;
    Ok(SbomInfo {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind: row.try_get("kind")?,
        components: row.try_get("components")?,
        sha256: row.try_get("sha256")?,
        bytes: row.try_get("bytes")?,
        warnings: serde_json::from_str(&warnings)
            .map_err(|e| StoreError::Corrupt(format!("SBOM warnings: {e}")))?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

fn check_name(field: &str, name: &str) -> Result<(), StoreError> {
    if name.is_empty() || name.chars().count() > 400 || name.chars().any(lifeline_text::is_unsafe) {
        return Err(StoreError::invalid(
            field,
            "must be 1 to 400 characters without control or bidi characters",
        ));
    }
    Ok(())
}

/// A value read out of an advisory file that is kept in a column of its own (an OSV
/// record's id, the zip entry it was read from, the KEV catalogue's version): a document
/// may hold any string there, and PostgreSQL holds no NUL; nor does a report want control
/// or bidi characters in an id.
fn check_key(what: &str, field: &str, value: &str, required: bool) -> Result<(), StoreError> {
    if (required && value.is_empty())
        || value.chars().count() > 1000
        || value.chars().any(lifeline_text::is_unsafe)
    {
        return Err(StoreError::invalid(
            field,
            format!(
                "{what}: `{field}` must be {} to 1000 characters without control or bidi characters",
                u8::from(required)
            ),
        ));
    }
    Ok(())
}

/// Checks the values of an advisory file that get columns of their own.
fn check_content(content: &AdvisoryContent) -> Result<(), StoreError> {
    match content {
        AdvisoryContent::Osv(rows) => {
            for row in rows {
                let what = format!(
                    "OSV record `{}` (`{}`)",
                    lifeline_text::escaped(&row.id),
                    lifeline_text::escaped(&row.name)
                );
                check_key(&what, "name", &row.name, true)?;
                check_key(&what, "id", &row.id, true)?;
            }
        }
        AdvisoryContent::Kev { version, .. } => {
            check_key("the KEV catalogue", "catalogVersion", version, false)?;
        }
        AdvisoryContent::Vex { .. } => {}
    }
    Ok(())
}

impl Store {
    /// Stores an SBOM of `org_id`; a name already used there is a conflict.
    pub async fn create_sbom(
        &self,
        org_id: &str,
        sbom: &NewSbom,
        actor: &str,
    ) -> Result<String, StoreError> {
        check_name("name", &sbom.name)?;
        let id = new_id("sbom");
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO sboms (id, org_id, name, kind, components, body, sha256, bytes, \
             warnings, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id.as_str())
        .bind(org_id)
        .bind(sbom.name.as_str())
        .bind(sbom.kind.as_str())
        .bind(sbom.components)
        .bind(sbom.body.as_str())
        .bind(sbom.sha256.as_str())
        .bind(sbom.bytes)
        .bind(sbom.warnings.to_string())
        .bind(now_ms())
        .bind(actor)
        .execute(tx.conn())
        .await;
        StoreError::taken(inserted, || {
            format!(
                "an SBOM named `{}` exists already in this organisation: upload it under another name",
                lifeline_text::escaped(&sbom.name)
            )
        })?;
        tx.commit(
            AuditEntry::new(actor, "sbom.create", &id)
                .org(org_id)
                .detail(serde_json::json!({
                    "name": sbom.name, "kind": sbom.kind, "sha256": sbom.sha256, "bytes": sbom.bytes
                })),
        )
        .await?;
        Ok(id)
    }

    /// The SBOMs of the caller's organisation (none for a partner), by name.
    pub async fn sboms(&self, access: &Access) -> Result<Vec<SbomInfo>, StoreError> {
        let sql = format!(
            "SELECT {SBOM_COLUMNS} FROM sboms WHERE org_id = $1 AND $2 = 1 ORDER BY name, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(i64::from(access.own))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(sbom_of).collect()
    }

    /// One SBOM of the caller's organisation with its text, or `None` (unknown and foreign
    /// ids alike).
    pub async fn sbom(&self, access: &Access, id: &str) -> Result<Option<StoredSbom>, StoreError> {
        if holds_nul(id) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {SBOM_COLUMNS}, body FROM sboms WHERE org_id = $1 AND $2 = 1 AND id = $3"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(i64::from(access.own))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            Ok(StoredSbom {
                info: sbom_of(&row)?,
                body: row.try_get("body")?,
            })
        })
        .transpose()
    }

    /// Every SBOM of the caller's organisation with its text, by name (the order of
    /// `lifeline devices report`'s folder walk).
    pub async fn sbom_bodies(&self, access: &Access) -> Result<Vec<StoredSbom>, StoreError> {
        let sql = format!(
            "SELECT {SBOM_COLUMNS}, body FROM sboms WHERE org_id = $1 AND $2 = 1 ORDER BY name, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(i64::from(access.own))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredSbom {
                    info: sbom_of(row)?,
                    body: row.try_get("body")?,
                })
            })
            .collect()
    }

    /// Keeps one advisory file of `org_id`: OSV records (replacing those of the same id),
    /// the KEV catalogue (replacing the previous one) or a VEX document (added).
    pub async fn load_advisories(
        &self,
        org_id: &str,
        upload: &AdvisoryUpload,
        content: &AdvisoryContent,
        actor: &str,
    ) -> Result<AdvisoryLoad, StoreError> {
        check_name("name", &upload.name)?;
        check_content(content)?;
        let load = AdvisoryLoad {
            id: new_id("adv"),
            kind: content.kind().to_owned(),
            name: upload.name.clone(),
            records: content.records(),
            sha256: upload.sha256.clone(),
            bytes: upload.bytes,
            loaded_at: now_ms(),
            loaded_by: actor.to_owned(),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO advisory_loads (id, org_id, kind, name, records, sha256, bytes, \
             loaded_at, loaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(load.id.as_str())
        .bind(org_id)
        .bind(load.kind.as_str())
        .bind(load.name.as_str())
        .bind(load.records)
        .bind(load.sha256.as_str())
        .bind(load.bytes)
        .bind(load.loaded_at)
        .bind(actor)
        .execute(tx.conn())
        .await?;
        match content {
            AdvisoryContent::Osv(rows) => {
                let last: i64 = sqlx::query(
                    "SELECT COALESCE(MAX(seq), 0) AS last FROM osv_records WHERE org_id = $1",
                )
                .bind(org_id)
                .fetch_one(tx.conn())
                .await?
                .try_get("last")?;
                // A record listed twice in one file: the later one is kept, as a later
                // load replaces an earlier one. One statement may not touch a row twice
                // (PostgreSQL refuses it), so each batch holds distinct ids.
                let mut latest: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
                for (position, row) in rows.iter().enumerate() {
                    latest.insert(row.id.as_str(), position);
                }
                let kept: Vec<(i64, &OsvRow)> = (last + 1..)
                    .zip(rows.iter().enumerate())
                    .filter(|(_, (position, row))| latest.get(row.id.as_str()) == Some(position))
                    .map(|(seq, (_, row))| (seq, row))
                    .collect();
                for batch in kept.chunks(OSV_BATCH) {
                    let placeholders: Vec<String> = (0..batch.len())
                        .map(|i| {
                            let at = i * 6;
                            format!(
                                "(${}, ${}, ${}, ${}, ${}, ${})",
                                at + 1,
                                at + 2,
                                at + 3,
                                at + 4,
                                at + 5,
                                at + 6
                            )
                        })
                        .collect();
                    let sql = format!(
                        "INSERT INTO osv_records (org_id, osv_id, seq, load_id, name, body) \
                         VALUES {} ON CONFLICT (org_id, osv_id) DO UPDATE \
                         SET seq = excluded.seq, load_id = excluded.load_id, \
                         name = excluded.name, body = excluded.body",
                        placeholders.join(", ")
                    );
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for (seq, row) in batch {
                        query = query
                            .bind(org_id)
                            .bind(row.id.as_str())
                            .bind(*seq)
                            .bind(load.id.as_str())
                            .bind(row.name.as_str())
                            .bind(row.body.as_str());
                    }
                    query.execute(tx.conn()).await?;
                }
            }
            AdvisoryContent::Kev { version, body, .. } => {
                sqlx::query(
                    "INSERT INTO kev_catalogues (org_id, load_id, version, body) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (org_id) DO UPDATE \
                     SET load_id = excluded.load_id, version = excluded.version, \
                     body = excluded.body",
                )
                .bind(org_id)
                .bind(load.id.as_str())
                .bind(version.as_str())
                .bind(body.as_str())
                .execute(tx.conn())
                .await?;
            }
            AdvisoryContent::Vex { body, .. } => {
                let last: i64 = sqlx::query(
                    "SELECT COALESCE(MAX(seq), 0) AS last FROM vex_documents WHERE org_id = $1",
                )
                .bind(org_id)
                .fetch_one(tx.conn())
                .await?
                .try_get("last")?;
                sqlx::query(
                    "INSERT INTO vex_documents (id, org_id, load_id, name, body, seq) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(new_id("vex"))
                .bind(org_id)
                .bind(load.id.as_str())
                .bind(load.name.as_str())
                .bind(body.as_str())
                .bind(last + 1)
                .execute(tx.conn())
                .await?;
            }
        }
        tx.commit(
            AuditEntry::new(actor, "advisories.load", &load.id)
                .org(org_id)
                .detail(serde_json::json!({
                    "kind": load.kind, "name": load.name, "records": load.records,
                    "sha256": load.sha256, "bytes": load.bytes
                })),
        )
        .await?;
        Ok(load)
    }

    /// The advisory files the caller's organisation loaded (none for a partner), newest
    /// first.
    pub async fn advisory_loads(&self, access: &Access) -> Result<Vec<AdvisoryLoad>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, name, records, sha256, bytes, loaded_at, loaded_by \
             FROM advisory_loads WHERE org_id = $1 AND $2 = 1 ORDER BY loaded_at DESC, id",
        )
        .bind(access.org_id.as_str())
        .bind(i64::from(access.own))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AdvisoryLoad {
                    id: row.try_get("id")?,
                    kind: row.try_get("kind")?,
                    name: row.try_get("name")?,
                    records: row.try_get("records")?,
                    sha256: row.try_get("sha256")?,
                    bytes: row.try_get("bytes")?,
                    loaded_at: row.try_get("loaded_at")?,
                    loaded_by: row.try_get("loaded_by")?,
                })
            })
            .collect()
    }

    /// How many OSV records the caller's organisation holds now (after replacements).
    pub async fn osv_record_count(&self, access: &Access) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM osv_records WHERE org_id = $1 AND $2 = 1")
            .bind(access.org_id.as_str())
            .bind(i64::from(access.own))
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    /// The `catalogVersion` of the caller's organisation's KEV catalogue, if one is loaded.
    pub async fn kev_catalogue_version(
        &self,
        access: &Access,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT version FROM kev_catalogues WHERE org_id = $1 AND $2 = 1")
            .bind(access.org_id.as_str())
            .bind(i64::from(access.own))
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|row| row.try_get("version")).transpose()?)
    }

    /// A token that changes whenever the caller's organisation loads an advisory file
    /// (loads are never deleted, so their count only grows): a cache of the built index
    /// is good while the token is the same.
    pub async fn advisory_generation(&self, access: &Access) -> Result<String, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(MAX(loaded_at), 0) AS latest \
             FROM advisory_loads WHERE org_id = $1 AND $2 = 1",
        )
        .bind(access.org_id.as_str())
        .bind(i64::from(access.own))
        .fetch_one(self.pool())
        .await?;
        let count: i64 = row.try_get("n")?;
        let latest: i64 = row.try_get("latest")?;
        Ok(format!("{}:{count}:{latest}", access.org_id))
    }

    /// The texts of the caller's organisation's advisories, in load order.
    pub async fn advisory_texts(&self, access: &Access) -> Result<AdvisoryTexts, StoreError> {
        let own = i64::from(access.own);
        let osv = self
            .named_bodies(
                "SELECT name, body FROM osv_records WHERE org_id = $1 AND $2 = 1 \
                 ORDER BY seq, osv_id",
                access,
            )
            .await?;
        let kev = sqlx::query("SELECT body FROM kev_catalogues WHERE org_id = $1 AND $2 = 1")
            .bind(access.org_id.as_str())
            .bind(own)
            .fetch_optional(self.pool())
            .await?
            .map(|row| row.try_get("body"))
            .transpose()?;
        let vex = self
            .named_bodies(
                "SELECT name, body FROM vex_documents WHERE org_id = $1 AND $2 = 1 \
                 ORDER BY seq, id",
                access,
            )
            .await?;
        Ok(AdvisoryTexts { osv, kev, vex })
    }

    /// The `(name, body)` rows `sql` selects for `access` (`$1` the organisation, `$2`
    /// whether it may read its own rows).
    async fn named_bodies(
        &self,
        sql: &'static str,
        access: &Access,
    ) -> Result<Vec<(String, String)>, StoreError> {
        sqlx::query(sql)
            .bind(access.org_id.as_str())
            .bind(i64::from(access.own))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| Ok((row.try_get("name")?, row.try_get("body")?)))
            .collect()
    }
}
