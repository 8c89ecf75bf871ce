//! Trusted lines between partners (issue 17), per organisation: the partner directory (a
//! new version per import), the organisation's signing key (its private JWK sealed with
//! the [`crate::Keyring`]), the alerts sent (payload and JWS), one-time acknowledgement
//! tokens (stored as digests, redeemed once), the nonces of signed messages received (a
//! second use is a replay), and channel drills with their event logs.
//!
//! Like [`crate::response`], the store reads none of the documents: the directory,
//! payloads and events are text that lifeline-share and lifeline-notify wrote and checked.
//! Every read takes an [`Access`] to the organisation's own rows; partners see none of it.
//! The one read without an [`Access`] is [`Store::ack_token`]: the token is the credential.

use serde::Serialize;
use sqlx::{AnyConnection, Row as _};

use crate::error::{check_text, not_found};
use crate::ids::holds_nul;
use crate::{Access, AuditEntry, Store, StoreError, new_id, now_ms, secret_digest, sha256_hex};

/// The longest id, name or address kept in a column of its own.
const MAX_SHORT: usize = 500;
/// The largest directory, payload or JWS kept (bytes).
const MAX_DOCUMENT: usize = 16 * 1024 * 1024;

/// A version of an organisation's partner directory, as listed.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerDirectoryInfo {
    pub version: i64,
    /// Of the directory JSON as stored.
    pub sha256: String,
    pub created_at: i64,
    pub created_by: String,
}

/// A version of an organisation's partner directory with its JSON.
#[derive(Debug, Clone)]
pub struct StoredPartnerDirectory {
    pub info: PartnerDirectoryInfo,
    /// The directory (`lifeline-partners/1`) as JSON.
    pub directory: String,
}

/// What is shown of a signing key: never the key itself.
#[derive(Debug, Clone, Serialize)]
pub struct SigningKeyInfo {
    /// `ORG/ID`, as a JWS names it.
    pub kid: String,
    pub created_at: i64,
    pub created_by: String,
}

/// An organisation's signing key, opened: for signing, never for showing.
#[derive(Clone)]
pub struct SigningKey {
    pub info: SigningKeyInfo,
    /// The private JWK (RFC 8037).
    pub jwk: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// What an alert was sent about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "id", rename_all = "lowercase")]
pub enum AlertSubject {
    Incident(String),
    Drill(String),
}

/// An alert to keep, as signed and sent.
#[derive(Debug, Clone)]
pub struct NewPartnerAlert {
    /// The payload's `id`: unique within the organisation.
    pub alert_id: String,
    pub subject: AlertSubject,
    /// The recipient organisation's directory id.
    pub recipient: String,
    /// `alert`, `update`, `cancel` or `drill`.
    pub kind: String,
    /// The payload JSON.
    pub payload: String,
    /// The compact JWS that went out.
    pub jws: String,
    /// Unix ms.
    pub issued_at: i64,
    /// Unix ms: acknowledge by then or it escalates.
    pub reply_by: i64,
}

/// An alert as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredPartnerAlert {
    pub alert_id: String,
    pub subject: AlertSubject,
    pub recipient: String,
    pub kind: String,
    pub payload: String,
    pub jws: String,
    pub issued_at: i64,
    pub reply_by: i64,
    pub created_at: i64,
    pub created_by: String,
}

/// A one-time acknowledgement link to keep: `token` is the secret in the link (only its
/// digest is stored).
#[derive(Clone)]
pub struct NewAckToken {
    pub token: String,
    pub alert_id: String,
    /// The recipient organisation's directory id.
    pub recipient: String,
    /// The contact the link was sent to.
    pub contact: String,
    /// Unix ms.
    pub expires_at: i64,
}

impl std::fmt::Debug for NewAckToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAckToken")
            .field("alert_id", &self.alert_id)
            .field("recipient", &self.recipient)
            .field("contact", &self.contact)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A one-time acknowledgement link as stored (never its token).
#[derive(Debug, Clone, Serialize)]
pub struct AckTokenInfo {
    pub org_id: String,
    /// The sending organisation's name, for the link's page.
    pub org_name: String,
    pub alert_id: String,
    pub subject: AlertSubject,
    pub recipient: String,
    pub contact: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// What a one-time acknowledgement token opens, or what redeeming it did.
#[derive(Debug, Clone)]
pub enum AckLookup {
    /// No link has this token.
    Unknown,
    /// The link was used already (when: `used_at`).
    Used(Box<AckTokenInfo>),
    /// The link has expired unused.
    Expired(Box<AckTokenInfo>),
    /// An open link ([`Store::ack_token`]), or the link just redeemed
    /// ([`Store::redeem_ack_token`]: `used_at` is now).
    Open(Box<AckTokenInfo>),
}

/// A channel drill, as listed.
#[derive(Debug, Clone, Serialize)]
pub struct DrillInfo {
    pub id: String,
    pub title: String,
    pub started_at: i64,
    pub started_by: String,
    /// How many events its log holds.
    pub entries: i64,
}

/// One event of a drill's log: `event` is a lifeline-response timeline event's JSON
/// (`alert-sent`, `delivery-failed`, `acknowledged`, `escalated`), `at` Unix ms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrillEntry {
    pub at: i64,
    pub actor: String,
    pub event: String,
}

/// A drill with its log, in order.
#[derive(Debug, Clone)]
pub struct StoredDrill {
    pub info: DrillInfo,
    pub entries: Vec<DrillEntry>,
}

fn check_document(field: &str, value: &str) -> Result<(), StoreError> {
    if value.trim().is_empty() || holds_nul(value) || value.len() > MAX_DOCUMENT {
        return Err(StoreError::invalid(
            field,
            format!(
                "must be a non-empty text of at most {MAX_DOCUMENT} bytes without NUL characters"
            ),
        ));
    }
    Ok(())
}

fn check_json(field: &str, value: &str) -> Result<(), StoreError> {
    check_document(field, value)?;
    serde_json::from_str::<serde::de::IgnoredAny>(value)
        .map_err(|e| StoreError::invalid(field, format!("is not JSON: {e}")))?;
    Ok(())
}

fn check_time(field: &str, ms: i64) -> Result<(), StoreError> {
    if ms < 0 {
        return Err(StoreError::invalid(field, "must not be before 1970"));
    }
    Ok(())
}

fn subject_of(row: &sqlx::any::AnyRow) -> Result<AlertSubject, StoreError> {
    let incident: Option<String> = row.try_get("incident_id")?;
    let drill: Option<String> = row.try_get("drill_id")?;
    match (incident, drill) {
        (Some(id), None) => Ok(AlertSubject::Incident(id)),
        (None, Some(id)) => Ok(AlertSubject::Drill(id)),
        _ => Err(StoreError::Corrupt(
            "a partner alert is about neither one incident nor one drill".into(),
        )),
    }
}

const ALERT_COLUMNS: &str = "alert_id, incident_id, drill_id, recipient, kind, payload, jws, \
     issued_at, reply_by, created_at, created_by";

fn alert_of(row: &sqlx::any::AnyRow) -> Result<StoredPartnerAlert, StoreError> {
    Ok(StoredPartnerAlert {
        alert_id: row.try_get("alert_id")?,
        subject: subject_of(row)?,
        recipient: row.try_get("recipient")?,
        kind: row.try_get("kind")?,
        payload: row.try_get("payload")?,
        jws: row.try_get("jws")?,
        issued_at: row.try_get("issued_at")?,
        reply_by: row.try_get("reply_by")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

const DRILL_COLUMNS: &str = "id, title, started_at, started_by, entries";

fn drill_of(row: &sqlx::any::AnyRow) -> Result<DrillInfo, StoreError> {
    Ok(DrillInfo {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        started_at: row.try_get("started_at")?,
        started_by: row.try_get("started_by")?,
        entries: row.try_get("entries")?,
    })
}

const TOKEN_QUERY: &str = "SELECT t.org_id, o.name AS org_name, t.alert_id, a.incident_id, \
     a.drill_id, t.recipient, t.contact, t.created_at, t.expires_at, t.used_at \
     FROM ack_tokens t JOIN orgs o ON o.id = t.org_id \
     JOIN partner_alerts a ON a.org_id = t.org_id AND a.alert_id = t.alert_id \
     WHERE t.token_hash = $1";

fn token_of(row: &sqlx::any::AnyRow) -> Result<AckTokenInfo, StoreError> {
    Ok(AckTokenInfo {
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        alert_id: row.try_get("alert_id")?,
        subject: subject_of(row)?,
        recipient: row.try_get("recipient")?,
        contact: row.try_get("contact")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        used_at: row.try_get("used_at")?,
    })
}

fn lookup(info: AckTokenInfo, now: i64) -> AckLookup {
    if info.used_at.is_some() {
        AckLookup::Used(Box::new(info))
    } else if info.expires_at <= now {
        AckLookup::Expired(Box::new(info))
    } else {
        AckLookup::Open(Box::new(info))
    }
}

fn key_context(org_id: &str) -> String {
    format!("signing_keys.jwk:{org_id}")
}

/// Re-seals every organisation's signing key with the keyring's current key (a key
/// rotation of the store's keyring).
pub(crate) async fn reseal_signing_keys(
    conn: &mut AnyConnection,
    keyring: &crate::Keyring,
) -> Result<u64, StoreError> {
    let rows = sqlx::query("SELECT org_id, jwk_sealed FROM signing_keys")
        .fetch_all(&mut *conn)
        .await?;
    let mut count = 0;
    for row in rows {
        let org_id: String = row.try_get("org_id")?;
        let sealed: String = row.try_get("jwk_sealed")?;
        let context = key_context(&org_id);
        let plain = keyring.open_value(&sealed, &context)?;
        sqlx::query("UPDATE signing_keys SET jwk_sealed = $1 WHERE org_id = $2")
            .bind(keyring.seal(&plain, &context))
            .bind(org_id.as_str())
            .execute(&mut *conn)
            .await?;
        count += 1;
    }
    Ok(count)
}

/// A `partner_directories` row's version, without the directory.
fn directory_info_of(row: &sqlx::any::AnyRow) -> Result<PartnerDirectoryInfo, StoreError> {
    Ok(PartnerDirectoryInfo {
        version: row.try_get("version")?,
        sha256: row.try_get("sha256")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

/// A `signing_keys` row's public part.
fn signing_key_info_of(row: &sqlx::any::AnyRow) -> Result<SigningKeyInfo, StoreError> {
    Ok(SigningKeyInfo {
        kid: row.try_get("kid")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

impl Store {
    // -----------------------------------------------------------------------------------
    // The partner directory

    /// Keeps `directory` (its JSON, checked by the caller with lifeline-share) as the next
    /// version of `org_id`'s partner directory. Returns the version.
    pub async fn put_partner_directory(
        &self,
        org_id: &str,
        directory: &str,
        actor: &str,
    ) -> Result<i64, StoreError> {
        check_json("directory", directory)?;
        let sha256 = sha256_hex(directory.as_bytes());
        let mut tx = self.begin_write().await?;
        let latest: i64 = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) AS latest FROM partner_directories \
             WHERE org_id = $1",
        )
        .bind(org_id)
        .fetch_one(tx.conn())
        .await?
        .try_get("latest")?;
        let version = latest + 1;
        sqlx::query(
            "INSERT INTO partner_directories (id, org_id, version, directory, sha256, \
             created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id("pdir"))
        .bind(org_id)
        .bind(version)
        .bind(directory)
        .bind(sha256.as_str())
        .bind(now_ms())
        .bind(actor)
        .execute(tx.conn())
        .await?;
        tx.commit(
            AuditEntry::new(actor, "partners.import", org_id)
                .org(org_id)
                .detail(serde_json::json!({ "version": version, "sha256": sha256 })),
        )
        .await?;
        Ok(version)
    }

    /// Version `version` (the current one when `None`) of the partner directory of
    /// `access`'s organisation, or `None`.
    pub async fn partner_directory(
        &self,
        access: &Access,
        version: Option<i64>,
    ) -> Result<Option<StoredPartnerDirectory>, StoreError> {
        if version.is_some_and(|v| v < 1) {
            return Err(StoreError::invalid("version", "versions count from 1"));
        }
        if !access.own {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT version, sha256, created_at, created_by, directory FROM partner_directories \
             WHERE org_id = $1 AND ($2 = 0 OR version = $2) ORDER BY version DESC LIMIT 1",
        )
        .bind(access.org_id.as_str())
        .bind(version.unwrap_or(0))
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(StoredPartnerDirectory {
                info: directory_info_of(&row)?,
                directory: row.try_get("directory")?,
            })
        })
        .transpose()
    }

    /// Every version of the partner directory of `access`'s organisation, newest first.
    pub async fn partner_directory_versions(
        &self,
        access: &Access,
    ) -> Result<Vec<PartnerDirectoryInfo>, StoreError> {
        if !access.own {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT version, sha256, created_at, created_by FROM partner_directories \
             WHERE org_id = $1 ORDER BY version DESC",
        )
        .bind(access.org_id.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(directory_info_of).collect()
    }

    // -----------------------------------------------------------------------------------
    // The signing key

    /// Keeps `jwk` (the private JWK, checked by the caller) as `org_id`'s signing key,
    /// sealed with the keyring and bound to the organisation; replaces the one before.
    /// Needs a keyring ([`StoreError::NoKeyring`] otherwise).
    pub async fn put_signing_key(
        &self,
        org_id: &str,
        kid: &str,
        jwk: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        check_text("kid", kid, MAX_SHORT)?;
        check_json("jwk", jwk)?;
        let sealed = self.keyring()?.seal(jwk, &key_context(org_id));
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM signing_keys WHERE org_id = $1")
            .bind(org_id)
            .execute(tx.conn())
            .await?;
        sqlx::query(
            "INSERT INTO signing_keys (org_id, kid, jwk_sealed, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org_id)
        .bind(kid)
        .bind(sealed.as_str())
        .bind(now_ms())
        .bind(actor)
        .execute(tx.conn())
        .await?;
        // The audit entry names the key, never its content.
        tx.commit(
            AuditEntry::new(actor, "partners.key", org_id)
                .org(org_id)
                .detail(serde_json::json!({ "kid": kid })),
        )
        .await?;
        Ok(())
    }

    /// Which signing key `access`'s organisation has, without the key, or `None`.
    pub async fn signing_key_info(
        &self,
        access: &Access,
    ) -> Result<Option<SigningKeyInfo>, StoreError> {
        if !access.own {
            return Ok(None);
        }
        let row =
            sqlx::query("SELECT kid, created_at, created_by FROM signing_keys WHERE org_id = $1")
                .bind(access.org_id.as_str())
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(signing_key_info_of).transpose()
    }

    /// The signing key of `access`'s organisation, opened with the keyring, or `None`: for
    /// signing alerts. Never show or return it.
    pub async fn signing_key(&self, access: &Access) -> Result<Option<SigningKey>, StoreError> {
        if !access.own {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT kid, jwk_sealed, created_at, created_by FROM signing_keys WHERE org_id = $1",
        )
        .bind(access.org_id.as_str())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let sealed: String = row.try_get("jwk_sealed")?;
        let jwk = self
            .keyring()?
            .open_value(&sealed, &key_context(&access.org_id))?;
        Ok(Some(SigningKey {
            info: signing_key_info_of(&row)?,
            jwk,
        }))
    }

    // -----------------------------------------------------------------------------------
    // Alerts sent and acknowledgement links

    /// Keeps the alerts just signed for `org_id` and the one-time links sent with them, in
    /// one transaction (before anything goes out, so every link that is sent works). The
    /// incident or drill each alert is about must be `org_id`'s.
    pub async fn record_partner_alerts(
        &self,
        org_id: &str,
        alerts: &[NewPartnerAlert],
        tokens: &[NewAckToken],
        actor: &str,
    ) -> Result<(), StoreError> {
        for (i, a) in alerts.iter().enumerate() {
            let field = |name: &str| format!("alerts[{i}].{name}");
            check_text(&field("alert_id"), &a.alert_id, MAX_SHORT)?;
            check_text(&field("recipient"), &a.recipient, MAX_SHORT)?;
            check_text(&field("kind"), &a.kind, 50)?;
            check_json(&field("payload"), &a.payload)?;
            check_document(&field("jws"), &a.jws)?;
            check_time(&field("issued_at"), a.issued_at)?;
            check_time(&field("reply_by"), a.reply_by)?;
        }
        for (i, t) in tokens.iter().enumerate() {
            let field = |name: &str| format!("tokens[{i}].{name}");
            check_text(&field("token"), &t.token, MAX_SHORT)?;
            check_text(&field("alert_id"), &t.alert_id, MAX_SHORT)?;
            check_text(&field("recipient"), &t.recipient, MAX_SHORT)?;
            check_text(&field("contact"), &t.contact, MAX_SHORT)?;
            check_time(&field("expires_at"), t.expires_at)?;
        }
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        for a in alerts {
            let (incident, drill) = match &a.subject {
                AlertSubject::Incident(id) => (Some(id.as_str()), None),
                AlertSubject::Drill(id) => (None, Some(id.as_str())),
            };
            let (table, id) = match &a.subject {
                AlertSubject::Incident(id) => ("incidents", id),
                AlertSubject::Drill(id) => ("drills", id),
            };
            let found = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM {table} WHERE id = $1 AND org_id = $2"
            )))
            .bind(id.as_str())
            .bind(org_id)
            .fetch_optional(tx.conn())
            .await?;
            if found.is_none() || holds_nul(id) {
                return Err(not_found(
                    if incident.is_some() {
                        "incident"
                    } else {
                        "drill"
                    },
                    id,
                ));
            }
            let inserted = sqlx::query(
                "INSERT INTO partner_alerts (org_id, alert_id, incident_id, drill_id, \
                 recipient, kind, payload, jws, issued_at, reply_by, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(org_id)
            .bind(a.alert_id.as_str())
            .bind(incident)
            .bind(drill)
            .bind(a.recipient.as_str())
            .bind(a.kind.as_str())
            .bind(a.payload.as_str())
            .bind(a.jws.as_str())
            .bind(a.issued_at)
            .bind(a.reply_by)
            .bind(now)
            .bind(actor)
            .execute(tx.conn())
            .await;
            StoreError::taken(inserted, || {
                format!(
                    "alert `{}` exists already",
                    lifeline_text::escaped(&a.alert_id)
                )
            })?;
        }
        for t in tokens {
            let known = sqlx::query(
                "SELECT alert_id FROM partner_alerts WHERE org_id = $1 AND alert_id = $2",
            )
            .bind(org_id)
            .bind(t.alert_id.as_str())
            .fetch_optional(tx.conn())
            .await?;
            if known.is_none() {
                return Err(not_found("alert", &t.alert_id));
            }
            let inserted = sqlx::query(
                "INSERT INTO ack_tokens (token_hash, org_id, alert_id, recipient, contact, \
                 created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
            )
            .bind(secret_digest(&t.token))
            .bind(org_id)
            .bind(t.alert_id.as_str())
            .bind(t.recipient.as_str())
            .bind(t.contact.as_str())
            .bind(now)
            .bind(t.expires_at)
            .execute(tx.conn())
            .await;
            StoreError::taken(inserted, || {
                "an acknowledgement token was drawn twice".into()
            })?;
        }
        let ids: Vec<&str> = alerts.iter().map(|a| a.alert_id.as_str()).collect();
        tx.commit(
            AuditEntry::new(actor, "partners.alerts", org_id)
                .org(org_id)
                .detail(serde_json::json!({ "alerts": ids, "links": tokens.len() })),
        )
        .await?;
        Ok(())
    }

    /// The alerts `access`'s organisation sent about `subject`, oldest first.
    pub async fn partner_alerts(
        &self,
        access: &Access,
        subject: &AlertSubject,
    ) -> Result<Vec<StoredPartnerAlert>, StoreError> {
        if !access.own {
            return Ok(Vec::new());
        }
        let (column, id) = match subject {
            AlertSubject::Incident(id) => ("incident_id", id),
            AlertSubject::Drill(id) => ("drill_id", id),
        };
        if holds_nul(id) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM partner_alerts WHERE org_id = $1 AND {column} = $2 \
             ORDER BY issued_at, alert_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(id.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(alert_of).collect()
    }

    /// Alert `alert_id` of `access`'s organisation, or `None`.
    pub async fn partner_alert(
        &self,
        access: &Access,
        alert_id: &str,
    ) -> Result<Option<StoredPartnerAlert>, StoreError> {
        if !access.own || holds_nul(alert_id) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM partner_alerts WHERE org_id = $1 AND alert_id = $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(alert_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(alert_of).transpose()
    }

    /// What the one-time acknowledgement token `token` opens at `now` (Unix ms), looked up
    /// by its digest. Public: the token is the credential.
    pub async fn ack_token(&self, token: &str, now: i64) -> Result<AckLookup, StoreError> {
        if holds_nul(token) {
            return Ok(AckLookup::Unknown);
        }
        let row = sqlx::query(TOKEN_QUERY)
            .bind(secret_digest(token))
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            None => AckLookup::Unknown,
            Some(row) => lookup(token_of(&row)?, now),
        })
    }

    /// Redeems the one-time token `token` at `now` (Unix ms): once. Returns
    /// [`AckLookup::Open`] with `used_at` set when this call used it, and what stands in
    /// the way otherwise (used, expired, unknown). The caller then appends the
    /// `acknowledged` event to the incident's timeline or the drill's log.
    pub async fn redeem_ack_token(&self, token: &str, now: i64) -> Result<AckLookup, StoreError> {
        if holds_nul(token) {
            return Ok(AckLookup::Unknown);
        }
        let digest = secret_digest(token);
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(TOKEN_QUERY)
            .bind(digest.as_str())
            .fetch_optional(tx.conn())
            .await?;
        let Some(row) = row else {
            return Ok(AckLookup::Unknown);
        };
        let mut info = token_of(&row)?;
        match lookup(info.clone(), now) {
            AckLookup::Open(_) => {}
            other => return Ok(other),
        }
        let updated = sqlx::query(
            "UPDATE ack_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
        )
        .bind(now)
        .bind(digest.as_str())
        .execute(tx.conn())
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict(
                "the acknowledgement link was used while redeeming it".into(),
            ));
        }
        info.used_at = Some(now);
        tx.commit(
            AuditEntry::new(
                &format!("link:{}/{}", info.recipient, info.contact),
                "partners.ack.link",
                &info.alert_id,
            )
            .org(&info.org_id),
        )
        .await?;
        Ok(AckLookup::Open(Box::new(info)))
    }

    /// Records the first use of `nonce` by `issuer` in a signed message `org_id` received
    /// (kept until `expires_at`, Unix ms): `true` the first time, `false` for a replay.
    /// Forgets the nonces of `org_id`'s messages that expired before `now`.
    pub async fn first_use_nonce(
        &self,
        org_id: &str,
        issuer: &str,
        nonce: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        check_text("issuer", issuer, MAX_SHORT)?;
        check_text("nonce", nonce, MAX_SHORT)?;
        check_time("expires_at", expires_at)?;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM seen_nonces WHERE org_id = $1 AND expires_at < $2")
            .bind(org_id)
            .bind(now)
            .execute(tx.conn())
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO seen_nonces (org_id, issuer, nonce, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(issuer)
        .bind(nonce)
        .bind(expires_at)
        .execute(tx.conn())
        .await;
        match inserted {
            Err(e) if StoreError::is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e.into()),
            Ok(_) => {
                tx.commit(
                    AuditEntry::new("lifeline", "partners.nonce", issuer)
                        .org(org_id)
                        .detail(serde_json::json!({ "nonce": nonce })),
                )
                .await?;
                Ok(true)
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Drills

    /// Starts a channel drill in `org_id`; returns its id.
    pub async fn create_drill(
        &self,
        org_id: &str,
        title: &str,
        started_at: i64,
        actor: &str,
    ) -> Result<String, StoreError> {
        check_text("title", title, MAX_SHORT)?;
        check_time("started_at", started_at)?;
        let id = new_id("drl");
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO drills (id, org_id, title, started_at, started_by, entries) \
             VALUES ($1, $2, $3, $4, $5, 0)",
        )
        .bind(id.as_str())
        .bind(org_id)
        .bind(title)
        .bind(started_at)
        .bind(actor)
        .execute(tx.conn())
        .await?;
        tx.commit(
            AuditEntry::new(actor, "drill.start", &id)
                .org(org_id)
                .detail(serde_json::json!({ "title": title })),
        )
        .await?;
        Ok(id)
    }

    /// Appends `entries` (in order) to the log of drill `drill_id` of `org_id`.
    pub async fn append_drill_entries(
        &self,
        org_id: &str,
        drill_id: &str,
        entries: &[DrillEntry],
        actor: &str,
    ) -> Result<(), StoreError> {
        for (i, e) in entries.iter().enumerate() {
            check_time(&format!("entries[{i}].at"), e.at)?;
            check_text(&format!("entries[{i}].actor"), &e.actor, MAX_SHORT)?;
            check_json(&format!("entries[{i}].event"), &e.event)?;
        }
        if holds_nul(drill_id) {
            return Err(not_found("drill", drill_id));
        }
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT entries FROM drills WHERE id = $1 AND org_id = $2")
            .bind(drill_id)
            .bind(org_id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or_else(|| not_found("drill", drill_id))?;
        let mut seq: i64 = row.try_get("entries")?;
        for e in entries {
            seq += 1;
            sqlx::query(
                "INSERT INTO drill_entries (drill_id, seq, at, actor, event) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(drill_id)
            .bind(seq)
            .bind(e.at)
            .bind(e.actor.as_str())
            .bind(e.event.as_str())
            .execute(tx.conn())
            .await?;
        }
        sqlx::query("UPDATE drills SET entries = $1 WHERE id = $2")
            .bind(seq)
            .bind(drill_id)
            .execute(tx.conn())
            .await?;
        tx.commit(
            AuditEntry::new(actor, "drill.entries", drill_id)
                .org(org_id)
                .detail(serde_json::json!({ "added": entries.len(), "entries": seq })),
        )
        .await?;
        Ok(())
    }

    /// The drills of `access`'s organisation, newest first.
    pub async fn drills(&self, access: &Access) -> Result<Vec<DrillInfo>, StoreError> {
        if !access.own {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {DRILL_COLUMNS} FROM drills WHERE org_id = $1 ORDER BY started_at DESC, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(drill_of).collect()
    }

    /// Drill `id` of `access`'s organisation with its log, or `None`.
    pub async fn drill(
        &self,
        access: &Access,
        id: &str,
    ) -> Result<Option<StoredDrill>, StoreError> {
        if !access.own || holds_nul(id) {
            return Ok(None);
        }
        let sql = format!("SELECT {DRILL_COLUMNS} FROM drills WHERE id = $1 AND org_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(access.org_id.as_str())
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let info = drill_of(&row)?;
        let rows = sqlx::query(
            "SELECT at, actor, event FROM drill_entries WHERE drill_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let entries = rows
            .iter()
            .map(|row| {
                Ok(DrillEntry {
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    event: row.try_get("event")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Some(StoredDrill { info, entries }))
    }
}
