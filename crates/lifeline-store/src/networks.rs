//! Networks and their versions: every upload is kept, as uploaded, with its digest.

use serde::Serialize;
use sqlx::Row as _;

use crate::ids::holds_nul;
use crate::{Access, AuditEntry, Store, StoreError, new_id, now_ms};

/// How an uploaded network is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UploadFormat {
    Json,
    Yaml,
    /// A zip of CSV tables, stored base64.
    Zip,
}

impl UploadFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            UploadFormat::Json => "json",
            UploadFormat::Yaml => "yaml",
            UploadFormat::Zip => "zip",
        }
    }

    fn parse(s: &str) -> Result<UploadFormat, StoreError> {
        match s {
            "json" => Ok(UploadFormat::Json),
            "yaml" => Ok(UploadFormat::Yaml),
            "zip" => Ok(UploadFormat::Zip),
            other => Err(StoreError::Corrupt(format!("network format `{other}`"))),
        }
    }
}

/// A network upload that validated: its text (base64 for a zip), digest and a summary
/// (counts of nodes, items, ...) computed by the caller.
#[derive(Debug, Clone)]
pub struct NetworkUpload {
    pub format: UploadFormat,
    pub body: String,
    pub sha256: String,
    pub bytes: i64,
    pub summary: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct NetworkVersion {
    pub version: i64,
    pub format: UploadFormat,
    pub sha256: String,
    pub bytes: i64,
    pub summary: serde_json::Value,
    pub created_at: i64,
    pub created_by: String,
}

/// A network as listed: its latest version, and whether it belongs to the caller's
/// organisation or was shared with it.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkInfo {
    pub id: String,
    pub name: String,
    pub org_id: String,
    pub org_name: String,
    pub shared: bool,
    pub created_at: i64,
    pub latest: NetworkVersion,
}

/// One stored version with its text, to load and run.
#[derive(Debug, Clone)]
pub struct StoredNetwork {
    pub id: String,
    pub name: String,
    pub org_id: String,
    pub version: NetworkVersion,
    pub body: String,
}

/// Rows visible to `access`: the organisation's own (unless a partner), or shared with it.
const VISIBLE: &str = "((n.org_id = $1 AND $2 = 1) OR EXISTS (SELECT 1 FROM shares s \
     WHERE s.kind = 'network' AND s.resource_id = n.id AND s.partner_org_id = $1))";

fn version_of(row: &sqlx::any::AnyRow) -> Result<NetworkVersion, StoreError> {
    let format: String = row.try_get("format")?;
    let summary: String = row.try_get("summary")?;
    Ok(NetworkVersion {
        version: row.try_get("version")?,
        format: UploadFormat::parse(&format)?,
        sha256: row.try_get("sha256")?,
        bytes: row.try_get("bytes")?,
        summary: serde_json::from_str(&summary).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        created_at: row.try_get("v_created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

fn check_network_name(name: &str) -> Result<(), StoreError> {
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(lifeline_text::is_unsafe) {
        return Err(StoreError::invalid(
            "name",
            "must be 1 to 200 characters without control or bidi characters",
        ));
    }
    Ok(())
}

impl Store {
    /// Stores a new network of `org_id` named `name`, as version 1.
    pub async fn create_network(
        &self,
        org_id: &str,
        name: &str,
        upload: &NetworkUpload,
        actor: &str,
    ) -> Result<(String, i64), StoreError> {
        check_network_name(name)?;
        let id = new_id("net");
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO networks (id, org_id, name, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.as_str())
        .bind(org_id)
        .bind(name)
        .bind(now)
        .bind(actor)
        .execute(tx.conn())
        .await;
        StoreError::taken(inserted, || {
            format!(
                "a network named `{}` exists already: upload a new version to it",
                lifeline_text::escaped(name)
            )
        })?;
        insert_version(tx.conn(), &id, org_id, 1, upload, now, actor).await?;
        tx.commit(
            AuditEntry::new(actor, "network.create", &id)
                .org(org_id)
                .detail(serde_json::json!({
                    "name": name, "version": 1, "sha256": upload.sha256, "bytes": upload.bytes
                })),
        )
        .await?;
        Ok((id, 1))
    }

    /// Adds the next version to network `id` of `org_id`.
    pub async fn add_network_version(
        &self,
        org_id: &str,
        id: &str,
        upload: &NetworkUpload,
        actor: &str,
    ) -> Result<i64, StoreError> {
        if holds_nul(id) {
            return Err(StoreError::NotFound {
                kind: "network",
                id: lifeline_text::escaped(id).into_owned(),
            });
        }
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT COALESCE(MAX(v.version), 0) AS latest FROM networks n \
             JOIN network_versions v ON v.network_id = n.id WHERE n.id = $1 AND n.org_id = $2",
        )
        .bind(id)
        .bind(org_id)
        .fetch_one(tx.conn())
        .await?;
        let latest: i64 = row.try_get("latest")?;
        if latest == 0 {
            return Err(StoreError::NotFound {
                kind: "network",
                id: id.to_owned(),
            });
        }
        let version = latest + 1;
        insert_version(tx.conn(), id, org_id, version, upload, now_ms(), actor).await?;
        tx.commit(
            AuditEntry::new(actor, "network.version", id)
                .org(org_id)
                .detail(serde_json::json!({
                    "version": version, "sha256": upload.sha256, "bytes": upload.bytes
                })),
        )
        .await?;
        Ok(version)
    }

    /// Networks visible to `access`, newest first, each with its latest version.
    pub async fn networks(&self, access: &Access) -> Result<Vec<NetworkInfo>, StoreError> {
        let sql = format!(
            "SELECT n.id AS id, n.name AS name, n.org_id AS org_id, o.name AS org_name, \
             n.created_at AS created_at, v.version AS version, v.format AS format, \
             v.sha256 AS sha256, v.bytes AS bytes, v.summary AS summary, \
             v.created_at AS v_created_at, v.created_by AS created_by \
             FROM networks n JOIN orgs o ON o.id = n.org_id \
             JOIN network_versions v ON v.network_id = n.id \
             WHERE {VISIBLE} AND v.version = \
             (SELECT MAX(version) FROM network_versions WHERE network_id = n.id) \
             ORDER BY n.created_at DESC, n.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(i64::from(access.own))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let org_id: String = row.try_get("org_id")?;
                Ok(NetworkInfo {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    shared: org_id != access.org_id,
                    org_id,
                    org_name: row.try_get("org_name")?,
                    created_at: row.try_get("created_at")?,
                    latest: version_of(row)?,
                })
            })
            .collect()
    }

    /// One network visible to `access`, or `None` (unknown and foreign ids alike).
    pub async fn network(
        &self,
        access: &Access,
        id: &str,
    ) -> Result<Option<(NetworkInfo, Vec<NetworkVersion>)>, StoreError> {
        if holds_nul(id) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT n.id AS id, n.name AS name, n.org_id AS org_id, o.name AS org_name, \
             n.created_at AS created_at, v.version AS version, v.format AS format, \
             v.sha256 AS sha256, v.bytes AS bytes, v.summary AS summary, \
             v.created_at AS v_created_at, v.created_by AS created_by \
             FROM networks n JOIN orgs o ON o.id = n.org_id \
             JOIN network_versions v ON v.network_id = n.id \
             WHERE {VISIBLE} AND n.id = $3 ORDER BY v.version DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(i64::from(access.own))
            .bind(id)
            .fetch_all(self.pool())
            .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let org_id: String = first.try_get("org_id")?;
        let versions = rows.iter().map(version_of).collect::<Result<Vec<_>, _>>()?;
        let info = NetworkInfo {
            id: first.try_get("id")?,
            name: first.try_get("name")?,
            shared: org_id != access.org_id,
            org_id,
            org_name: first.try_get("org_name")?,
            created_at: first.try_get("created_at")?,
            latest: versions[0].clone(),
        };
        Ok(Some((info, versions)))
    }

    /// The text of version `version` (the latest when `None`) of a network visible to
    /// `access`. Versions count from 1.
    pub async fn network_body(
        &self,
        access: &Access,
        id: &str,
        version: Option<i64>,
    ) -> Result<Option<StoredNetwork>, StoreError> {
        if version.is_some_and(|v| v < 1) {
            // Not 0: the query below reads 0 as "the latest".
            return Err(StoreError::invalid("version", "versions count from 1"));
        }
        if holds_nul(id) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT n.id AS id, n.name AS name, n.org_id AS org_id, v.version AS version, \
             v.format AS format, v.sha256 AS sha256, v.bytes AS bytes, v.summary AS summary, \
             v.created_at AS v_created_at, v.created_by AS created_by, v.body AS body \
             FROM networks n JOIN network_versions v ON v.network_id = n.id \
             WHERE {VISIBLE} AND n.id = $3 AND ($4 = 0 OR v.version = $4) \
             ORDER BY v.version DESC LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(i64::from(access.own))
            .bind(id)
            .bind(version.unwrap_or(0))
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            Ok(StoredNetwork {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                org_id: row.try_get("org_id")?,
                version: version_of(&row)?,
                body: row.try_get("body")?,
            })
        })
        .transpose()
    }

    /// Shares network `id` of `org_id` with the organisation named `partner`, read-only.
    pub async fn share_network(
        &self,
        org_id: &str,
        id: &str,
        partner: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        let partner_org = self
            .org_by_name(partner)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "organisation",
                id: lifeline_text::escaped(partner).into_owned(),
            })?;
        if partner_org.id == org_id {
            return Err(StoreError::invalid(
                "org",
                "a network is shared with another organisation, not its own",
            ));
        }
        let mut tx = self.begin_write().await?;
        let owned = if holds_nul(id) {
            None
        } else {
            sqlx::query("SELECT 1 AS one FROM networks WHERE id = $1 AND org_id = $2")
                .bind(id)
                .bind(org_id)
                .fetch_optional(tx.conn())
                .await?
        };
        if owned.is_none() {
            return Err(StoreError::NotFound {
                kind: "network",
                id: id.to_owned(),
            });
        }
        let inserted = sqlx::query(
            "INSERT INTO shares (org_id, kind, resource_id, partner_org_id, created_at) \
             VALUES ($1, 'network', $2, $3, $4)",
        )
        .bind(org_id)
        .bind(id)
        .bind(partner_org.id.as_str())
        .bind(now_ms())
        .execute(tx.conn())
        .await;
        match inserted {
            Err(e) if StoreError::is_unique_violation(&e) => return Ok(()),
            other => other?,
        };
        tx.commit(
            AuditEntry::new(actor, "network.share", id)
                .org(org_id)
                .detail(serde_json::json!({ "partner": partner_org.name })),
        )
        .await?;
        Ok(())
    }
}

async fn insert_version(
    conn: &mut sqlx::AnyConnection,
    network_id: &str,
    org_id: &str,
    version: i64,
    upload: &NetworkUpload,
    now: i64,
    actor: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO network_versions (id, network_id, org_id, version, format, body, sha256, \
         bytes, summary, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(new_id("nv"))
    .bind(network_id)
    .bind(org_id)
    .bind(version)
    .bind(upload.format.as_str())
    .bind(upload.body.as_str())
    .bind(upload.sha256.as_str())
    .bind(upload.bytes)
    .bind(upload.summary.to_string())
    .bind(now)
    .bind(actor)
    .execute(conn)
    .await?;
    Ok(())
}
