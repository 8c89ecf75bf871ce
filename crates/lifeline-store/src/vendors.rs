//! The vendor cyber-risk register's storage, per organisation: the register's versions
//! (each upload kept as uploaded, with the canonical JSON lifeline-risk read from it),
//! one-time questionnaire links sent to vendors (the token kept as a digest only; a link
//! answers once, and its answers become the register's next version), and evidence files
//! (SOC 2 reports, certificates) sealed at rest with the [`crate::Keyring`].
//!
//! Nothing here reads a register: the server validates it with lifeline-risk before it
//! stores it, and merges questionnaire answers with lifeline-risk too (the `merge`
//! closure of [`Store::submit_questionnaire`]), inside the transaction that uses the link.
//! Partners see none of it: every read needs an [`Access`] to the organisation's own rows.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use sqlx::{AnyConnection, Row as _};

use crate::error::{check_text, not_found};
use crate::ids::holds_nul;
use crate::{
    Access, AuditEntry, Keyring, Store, StoreError, new_id, new_secret, now_ms, secret_digest,
    sha256_hex,
};

const DAY_MS: i64 = 86_400_000;
/// The longest a questionnaire link may stay open.
pub const MAX_LINK_DAYS: u32 = 365;
/// The largest evidence file kept (a SOC 2 Type II report runs to a few MiB).
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;

/// How an uploaded register is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegisterFormat {
    Json,
    Yaml,
}

impl RegisterFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            RegisterFormat::Json => "json",
            RegisterFormat::Yaml => "yaml",
        }
    }

    fn parse(s: &str) -> Result<RegisterFormat, StoreError> {
        match s {
            "json" => Ok(RegisterFormat::Json),
            "yaml" => Ok(RegisterFormat::Yaml),
            other => Err(StoreError::Corrupt(format!(
                "vendor register format `{other}`"
            ))),
        }
    }
}

/// A register that validated: its text as uploaded, the canonical JSON of what was read,
/// digest (of the text as uploaded) and how many vendors it lists.
#[derive(Debug, Clone)]
pub struct NewVendorRegister {
    pub format: RegisterFormat,
    pub body: String,
    pub canonical: String,
    pub sha256: String,
    pub bytes: i64,
    pub vendors: i64,
}

impl NewVendorRegister {
    /// A register whose text is its canonical JSON (answers merged by the server).
    pub fn canonical(canonical: String, vendors: i64) -> NewVendorRegister {
        NewVendorRegister {
            format: RegisterFormat::Json,
            sha256: sha256_hex(canonical.as_bytes()),
            bytes: i64::try_from(canonical.len()).unwrap_or(i64::MAX),
            body: canonical.clone(),
            canonical,
            vendors,
        }
    }
}

/// One version of the register, as listed.
#[derive(Debug, Clone, Serialize)]
pub struct VendorRegisterInfo {
    pub version: i64,
    pub format: RegisterFormat,
    pub sha256: String,
    pub bytes: i64,
    pub vendors: i64,
    /// `upload`, or `questionnaire:<link id>` for answers a vendor submitted.
    pub source: String,
    pub created_at: i64,
    pub created_by: String,
}

/// One version with its texts.
#[derive(Debug, Clone)]
pub struct StoredVendorRegister {
    pub info: VendorRegisterInfo,
    /// As uploaded (for a merged version: its canonical JSON).
    pub body: String,
    pub canonical: String,
}

/// Where a questionnaire link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkState {
    Open,
    Submitted,
    Revoked,
    Expired,
}

impl LinkState {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Open => "open",
            LinkState::Submitted => "submitted",
            LinkState::Revoked => "revoked",
            LinkState::Expired => "expired",
        }
    }
}

/// A questionnaire link, as listed (never its token).
#[derive(Debug, Clone, Serialize)]
pub struct QuestionnaireLink {
    pub id: String,
    pub org_id: String,
    pub vendor_id: String,
    /// `csf2`, `hicp` or `controls`.
    pub framework: String,
    pub created_at: i64,
    pub created_by: String,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub submitted_at: Option<i64>,
    /// The register version the answers went into.
    pub register_version: Option<i64>,
}

impl QuestionnaireLink {
    /// Where the link stands at `now` (Unix ms): a used or revoked link says so even after
    /// it would have expired.
    pub fn state(&self, now: i64) -> LinkState {
        if self.submitted_at.is_some() {
            LinkState::Submitted
        } else if self.revoked_at.is_some() {
            LinkState::Revoked
        } else if self.expires_at <= now {
            LinkState::Expired
        } else {
            LinkState::Open
        }
    }
}

/// A link as created: the token is shown once and only its digest stored.
#[derive(Debug, Clone, Serialize)]
pub struct NewQuestionnaireLink {
    pub id: String,
    pub token: String,
    pub expires_at: i64,
}

/// What a questionnaire token opens.
#[derive(Debug, Clone)]
pub enum LinkLookup {
    /// No link has this token.
    Unknown,
    /// A link that was used, revoked or has expired.
    Gone(LinkState),
    /// An open link, and the name of the organisation that sent it.
    Open {
        link: Box<QuestionnaireLink>,
        org_name: String,
    },
}

/// What submitting a questionnaire did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    /// Stored: the register's new version holds the answers.
    Stored { register_version: i64 },
    /// The link was used, revoked or has expired: nothing was stored.
    Gone(LinkState),
    /// No link has this token.
    Unknown,
}

/// An evidence file to keep.
#[derive(Debug, Clone)]
pub struct NewEvidenceFile {
    pub vendor_id: String,
    /// `soc2-type2`, `iso27001`, `pen-test`, ... (the register's evidence kinds).
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    /// `YYYY-MM-DD`.
    pub expires: Option<String>,
    pub content: Vec<u8>,
}

/// An evidence file as listed.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceFileInfo {
    pub id: String,
    pub vendor_id: String,
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub bytes: i64,
    /// Of the file's bytes (not of what is stored).
    pub sha256: String,
    pub expires: Option<String>,
    pub created_at: i64,
    pub created_by: String,
}

const REGISTER_COLUMNS: &str =
    "version, format, sha256, bytes, vendors, source, created_at, created_by";
const LINK_COLUMNS: &str = "q.id AS id, q.org_id AS org_id, q.vendor_id AS vendor_id, \
     q.framework AS framework, q.created_at AS created_at, q.created_by AS created_by, \
     q.expires_at AS expires_at, q.revoked_at AS revoked_at, q.submitted_at AS submitted_at, \
     q.register_version AS register_version";
const EVIDENCE_COLUMNS: &str = "id, vendor_id, kind, file_name, content_type, bytes, sha256, \
     expires, created_at, created_by";

fn register_of(row: &sqlx::any::AnyRow) -> Result<VendorRegisterInfo, StoreError> {
    let format: String = row.try_get("format")?;
    Ok(VendorRegisterInfo {
        version: row.try_get("version")?,
        format: RegisterFormat::parse(&format)?,
        sha256: row.try_get("sha256")?,
        bytes: row.try_get("bytes")?,
        vendors: row.try_get("vendors")?,
        source: row.try_get("source")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

fn link_of(row: &sqlx::any::AnyRow) -> Result<QuestionnaireLink, StoreError> {
    Ok(QuestionnaireLink {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        vendor_id: row.try_get("vendor_id")?,
        framework: row.try_get("framework")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
        submitted_at: row.try_get("submitted_at")?,
        register_version: row.try_get("register_version")?,
    })
}

fn evidence_of(row: &sqlx::any::AnyRow) -> Result<EvidenceFileInfo, StoreError> {
    Ok(EvidenceFileInfo {
        id: row.try_get("id")?,
        vendor_id: row.try_get("vendor_id")?,
        kind: row.try_get("kind")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        bytes: row.try_get("bytes")?,
        sha256: row.try_get("sha256")?,
        expires: row.try_get("expires")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

/// `YYYY-MM-DD`, a real calendar day.
fn check_date(field: &str, value: &str) -> Result<(), StoreError> {
    let day = || {
        let bytes = value.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let year: i32 = value.get(..4)?.parse().ok()?;
        let month: u8 = value.get(5..7)?.parse().ok()?;
        let day: u8 = value.get(8..)?.parse().ok()?;
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day).ok()
    };
    if !value.is_ascii() || day().is_none() {
        return Err(StoreError::invalid(field, "must be a date, YYYY-MM-DD"));
    }
    Ok(())
}

/// A MIME type, `type/subtype`, ASCII.
fn check_content_type(value: &str) -> Result<(), StoreError> {
    let ok = value.len() <= 100
        && value.split_once('/').is_some_and(|(t, s)| {
            let token = |x: &str| {
                !x.is_empty()
                    && x.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
            };
            token(t) && token(s)
        });
    if ok {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "content_type",
            "must be a MIME type (`application/pdf`)",
        ))
    }
}

fn evidence_context(org_id: &str, vendor_id: &str, id: &str) -> String {
    format!("vendor_evidence:{org_id}:{vendor_id}:{id}")
}

impl Store {
    // -----------------------------------------------------------------------------------
    // Registers

    /// Stores an uploaded register of `org_id` as its next version; returns the version.
    pub async fn add_vendor_register(
        &self,
        org_id: &str,
        register: &NewVendorRegister,
        actor: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let version =
            insert_register(tx.conn(), org_id, register, "upload", now_ms(), actor).await?;
        tx.commit(
            AuditEntry::new(actor, "vendors.upload", &format!("vendors-v{version}"))
                .org(org_id)
                .detail(serde_json::json!({
                    "version": version, "sha256": register.sha256, "bytes": register.bytes,
                    "vendors": register.vendors
                })),
        )
        .await?;
        Ok(version)
    }

    /// Version `version` (the current one when `None`) of the register of `access`'s
    /// organisation, or `None` (no register, or a partner asking).
    pub async fn vendor_register(
        &self,
        access: &Access,
        version: Option<i64>,
    ) -> Result<Option<StoredVendorRegister>, StoreError> {
        if version.is_some_and(|v| v < 1) {
            return Err(StoreError::invalid("version", "versions count from 1"));
        }
        if !access.own {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {REGISTER_COLUMNS}, body, canonical FROM vendor_registers \
             WHERE org_id = $1 AND ($2 = 0 OR version = $2) ORDER BY version DESC LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(version.unwrap_or(0))
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            Ok(StoredVendorRegister {
                info: register_of(&row)?,
                body: row.try_get("body")?,
                canonical: row.try_get("canonical")?,
            })
        })
        .transpose()
    }

    /// Every version of the register of `access`'s organisation, newest first.
    pub async fn vendor_registers(
        &self,
        access: &Access,
    ) -> Result<Vec<VendorRegisterInfo>, StoreError> {
        if !access.own {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {REGISTER_COLUMNS} FROM vendor_registers WHERE org_id = $1 \
             ORDER BY version DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(register_of).collect()
    }

    // -----------------------------------------------------------------------------------
    // Questionnaire links

    /// Creates a one-time link for vendor `vendor_id` of `org_id` to answer the
    /// `framework` questionnaire within `expires_in_days`. The token is returned once.
    pub async fn create_questionnaire_link(
        &self,
        org_id: &str,
        vendor_id: &str,
        framework: &str,
        expires_in_days: u32,
        actor: &str,
    ) -> Result<NewQuestionnaireLink, StoreError> {
        check_text("vendor", vendor_id, 200)?;
        check_text("framework", framework, 50)?;
        if expires_in_days == 0 || expires_in_days > MAX_LINK_DAYS {
            return Err(StoreError::invalid(
                "expires_in_days",
                format!("must be 1 to {MAX_LINK_DAYS} days"),
            ));
        }
        let now = now_ms();
        let link = NewQuestionnaireLink {
            id: new_id("vq"),
            token: new_secret("llq"),
            expires_at: now + i64::from(expires_in_days) * DAY_MS,
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO vendor_questionnaires (id, org_id, vendor_id, framework, token_hash, \
             created_at, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(link.id.as_str())
        .bind(org_id)
        .bind(vendor_id)
        .bind(framework)
        .bind(secret_digest(&link.token))
        .bind(now)
        .bind(actor)
        .bind(link.expires_at)
        .execute(tx.conn())
        .await?;
        tx.commit(
            AuditEntry::new(actor, "vendors.questionnaire.create", &link.id)
                .org(org_id)
                .detail(serde_json::json!({
                    "vendor": vendor_id, "framework": framework, "expires_at": link.expires_at
                })),
        )
        .await?;
        Ok(link)
    }

    /// The questionnaire links of `access`'s organisation (of one vendor when given),
    /// newest first.
    pub async fn questionnaire_links(
        &self,
        access: &Access,
        vendor_id: Option<&str>,
    ) -> Result<Vec<QuestionnaireLink>, StoreError> {
        if !access.own || vendor_id.is_some_and(holds_nul) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {LINK_COLUMNS} FROM vendor_questionnaires q WHERE q.org_id = $1 \
             AND ($2 = '' OR q.vendor_id = $2) ORDER BY q.created_at DESC, q.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(vendor_id.unwrap_or_default())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(link_of).collect()
    }

    /// Revokes link `id` of vendor `vendor_id` of `org_id`. Unknown, foreign and already
    /// revoked links are `NotFound`; one already answered is a conflict.
    pub async fn revoke_questionnaire_link(
        &self,
        org_id: &str,
        vendor_id: &str,
        id: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        if holds_nul(id) || holds_nul(vendor_id) {
            return Err(not_found("questionnaire link", id));
        }
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "SELECT {LINK_COLUMNS} FROM vendor_questionnaires q \
             WHERE q.id = $1 AND q.org_id = $2 AND q.vendor_id = $3"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(org_id)
            .bind(vendor_id)
            .fetch_optional(tx.conn())
            .await?;
        let link = match row {
            Some(row) => link_of(&row)?,
            None => return Err(not_found("questionnaire link", id)),
        };
        match link.state(now_ms()) {
            LinkState::Revoked => return Err(not_found("questionnaire link", id)),
            LinkState::Submitted => {
                return Err(StoreError::Conflict(format!(
                    "questionnaire link `{id}` was answered already: its answers are in register version {}",
                    link.register_version.unwrap_or_default()
                )));
            }
            LinkState::Open | LinkState::Expired => {}
        }
        sqlx::query("UPDATE vendor_questionnaires SET revoked_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.commit(
            AuditEntry::new(actor, "vendors.questionnaire.revoke", id)
                .org(org_id)
                .detail(serde_json::json!({ "vendor": vendor_id })),
        )
        .await?;
        Ok(())
    }

    /// The link a questionnaire token opens (looked up by the token's digest, so the
    /// comparison is the database's equality on a hash, not on the secret).
    pub async fn questionnaire_by_token(&self, token: &str) -> Result<LinkLookup, StoreError> {
        let sql = format!(
            "SELECT {LINK_COLUMNS}, o.name AS org_name FROM vendor_questionnaires q \
             JOIN orgs o ON o.id = q.org_id WHERE q.token_hash = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(secret_digest(token))
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Ok(LinkLookup::Unknown);
        };
        let link = link_of(&row)?;
        Ok(match link.state(now_ms()) {
            LinkState::Open => LinkLookup::Open {
                link: Box::new(link),
                org_name: row.try_get("org_name")?,
            },
            gone => LinkLookup::Gone(gone),
        })
    }

    /// Stores a vendor's answers through the link `token` opens, once: in one transaction,
    /// checks the link is still open, calls `merge` with the link and the current register
    /// to build the next version, stores that version and marks the link used. `answers`
    /// (JSON) is kept on the link as submitted.
    pub async fn submit_questionnaire<F>(
        &self,
        token: &str,
        answers: &serde_json::Value,
        merge: F,
    ) -> Result<Submission, StoreError>
    where
        F: FnOnce(
            &QuestionnaireLink,
            Option<&StoredVendorRegister>,
        ) -> Result<NewVendorRegister, StoreError>,
    {
        let mut tx = self.begin_write().await?;
        let sql =
            format!("SELECT {LINK_COLUMNS} FROM vendor_questionnaires q WHERE q.token_hash = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(secret_digest(token))
            .fetch_optional(tx.conn())
            .await?;
        let Some(row) = row else {
            return Ok(Submission::Unknown);
        };
        let link = link_of(&row)?;
        let now = now_ms();
        match link.state(now) {
            LinkState::Open => {}
            gone => return Ok(Submission::Gone(gone)),
        }
        let sql = format!(
            "SELECT {REGISTER_COLUMNS}, body, canonical FROM vendor_registers \
             WHERE org_id = $1 ORDER BY version DESC LIMIT 1"
        );
        let current = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(link.org_id.as_str())
            .fetch_optional(tx.conn())
            .await?
            .map(|row| {
                Ok::<_, StoreError>(StoredVendorRegister {
                    info: register_of(&row)?,
                    body: row.try_get("body")?,
                    canonical: row.try_get("canonical")?,
                })
            })
            .transpose()?;
        let next = merge(&link, current.as_ref())?;
        let actor = format!("vendor:{}", link.vendor_id);
        let source = format!("questionnaire:{}", link.id);
        let version = insert_register(tx.conn(), &link.org_id, &next, &source, now, &actor).await?;
        let updated = sqlx::query(
            "UPDATE vendor_questionnaires SET submitted_at = $1, answers = $2, \
             register_version = $3 WHERE id = $4 AND submitted_at IS NULL AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(answers.to_string())
        .bind(version)
        .bind(link.id.as_str())
        .execute(tx.conn())
        .await?;
        if updated.rows_affected() != 1 {
            // Cannot happen under the write lock; refuse rather than store twice.
            return Ok(Submission::Gone(LinkState::Submitted));
        }
        tx.commit(
            AuditEntry::new(&actor, "vendors.questionnaire.submit", &link.id)
                .org(&link.org_id)
                .detail(serde_json::json!({
                    "vendor": link.vendor_id, "framework": link.framework,
                    "register_version": version, "sha256": next.sha256
                })),
        )
        .await?;
        Ok(Submission::Stored {
            register_version: version,
        })
    }

    /// The answers submitted through link `id` of `access`'s organisation, as stored.
    pub async fn questionnaire_answers(
        &self,
        access: &Access,
        id: &str,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        if !access.own || holds_nul(id) {
            return Ok(None);
        }
        let row =
            sqlx::query("SELECT answers FROM vendor_questionnaires WHERE id = $1 AND org_id = $2")
                .bind(id)
                .bind(access.org_id.as_str())
                .fetch_optional(self.pool())
                .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let answers: Option<String> = row.try_get("answers")?;
        answers
            .map(|text| {
                serde_json::from_str(&text)
                    .map_err(|e| StoreError::Corrupt(format!("questionnaire answers: {e}")))
            })
            .transpose()
    }

    // -----------------------------------------------------------------------------------
    // Evidence files

    /// Keeps an evidence file of a vendor of `org_id`, sealed with the key file.
    pub async fn add_vendor_evidence(
        &self,
        org_id: &str,
        file: &NewEvidenceFile,
        actor: &str,
    ) -> Result<EvidenceFileInfo, StoreError> {
        check_text("vendor", &file.vendor_id, 200)?;
        check_text("kind", &file.kind, 100)?;
        check_text("file_name", &file.file_name, 255)?;
        if file.file_name.contains(['/', '\\']) {
            return Err(StoreError::invalid(
                "file_name",
                "must be a file's name, without a folder",
            ));
        }
        check_content_type(&file.content_type)?;
        if let Some(expires) = &file.expires {
            check_date("expires", expires)?;
        }
        if file.content.is_empty() || file.content.len() > MAX_EVIDENCE_BYTES {
            return Err(StoreError::invalid(
                "file",
                format!("must be 1 byte to {} MiB", MAX_EVIDENCE_BYTES >> 20),
            ));
        }
        let keyring = self.keyring()?;
        let info = EvidenceFileInfo {
            id: new_id("vev"),
            vendor_id: file.vendor_id.clone(),
            kind: file.kind.clone(),
            file_name: file.file_name.clone(),
            content_type: file.content_type.clone(),
            bytes: i64::try_from(file.content.len()).unwrap_or(i64::MAX),
            sha256: sha256_hex(&file.content),
            expires: file.expires.clone(),
            created_at: now_ms(),
            created_by: actor.to_owned(),
        };
        let sealed = keyring.seal(
            &STANDARD.encode(&file.content),
            &evidence_context(org_id, &info.vendor_id, &info.id),
        );
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO vendor_evidence (id, org_id, vendor_id, kind, file_name, content_type, \
             bytes, sha256, expires, body, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(info.id.as_str())
        .bind(org_id)
        .bind(info.vendor_id.as_str())
        .bind(info.kind.as_str())
        .bind(info.file_name.as_str())
        .bind(info.content_type.as_str())
        .bind(info.bytes)
        .bind(info.sha256.as_str())
        .bind(info.expires.as_deref())
        .bind(sealed)
        .bind(info.created_at)
        .bind(actor)
        .execute(tx.conn())
        .await?;
        tx.commit(
            AuditEntry::new(actor, "vendors.evidence.upload", &info.id)
                .org(org_id)
                .detail(serde_json::json!({
                    "vendor": info.vendor_id, "kind": info.kind, "file_name": info.file_name,
                    "sha256": info.sha256, "bytes": info.bytes, "expires": info.expires
                })),
        )
        .await?;
        Ok(info)
    }

    /// The evidence files of `access`'s organisation (of one vendor when given), newest
    /// first.
    pub async fn vendor_evidence(
        &self,
        access: &Access,
        vendor_id: Option<&str>,
    ) -> Result<Vec<EvidenceFileInfo>, StoreError> {
        if !access.own || vendor_id.is_some_and(holds_nul) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS} FROM vendor_evidence WHERE org_id = $1 \
             AND ($2 = '' OR vendor_id = $2) ORDER BY created_at DESC, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(vendor_id.unwrap_or_default())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(evidence_of).collect()
    }

    /// Evidence files of `access`'s organisation whose `expires` date is on or before
    /// `until` (`YYYY-MM-DD`), soonest first; files without a date are not listed.
    pub async fn expiring_vendor_evidence(
        &self,
        access: &Access,
        until: &str,
    ) -> Result<Vec<EvidenceFileInfo>, StoreError> {
        check_date("until", until)?;
        if !access.own {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS} FROM vendor_evidence WHERE org_id = $1 \
             AND expires IS NOT NULL AND expires <= $2 ORDER BY expires, vendor_id, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(until)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(evidence_of).collect()
    }

    /// Evidence file `id` of vendor `vendor_id`, decrypted, for `actor` of `access`'s
    /// organisation; the download is audited. `None` for unknown and foreign files.
    pub async fn vendor_evidence_file(
        &self,
        access: &Access,
        vendor_id: &str,
        id: &str,
        actor: &str,
    ) -> Result<Option<(EvidenceFileInfo, Vec<u8>)>, StoreError> {
        if !access.own || holds_nul(id) || holds_nul(vendor_id) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS}, body FROM vendor_evidence \
             WHERE org_id = $1 AND vendor_id = $2 AND id = $3"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(vendor_id)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let info = evidence_of(&row)?;
        let sealed: String = row.try_get("body")?;
        let encoded = self.keyring()?.open_value(
            &sealed,
            &evidence_context(&access.org_id, &info.vendor_id, &info.id),
        )?;
        let content = STANDARD
            .decode(encoded)
            .map_err(|e| StoreError::Corrupt(format!("evidence file `{id}`: {e}")))?;
        if sha256_hex(&content) != info.sha256 {
            return Err(StoreError::Corrupt(format!(
                "evidence file `{id}` does not match its digest"
            )));
        }
        let tx = self.begin_write().await?;
        tx.commit(
            AuditEntry::new(actor, "vendors.evidence.download", &info.id)
                .org(&access.org_id)
                .detail(serde_json::json!({
                    "vendor": info.vendor_id, "file_name": info.file_name, "sha256": info.sha256
                })),
        )
        .await?;
        Ok(Some((info, content)))
    }
}

async fn insert_register(
    conn: &mut AnyConnection,
    org_id: &str,
    register: &NewVendorRegister,
    source: &str,
    now: i64,
    actor: &str,
) -> Result<i64, StoreError> {
    let latest: i64 = sqlx::query(
        "SELECT COALESCE(MAX(version), 0) AS latest FROM vendor_registers WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("latest")?;
    let version = latest + 1;
    sqlx::query(
        "INSERT INTO vendor_registers (id, org_id, version, format, body, canonical, sha256, \
         bytes, vendors, source, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(new_id("vr"))
    .bind(org_id)
    .bind(version)
    .bind(register.format.as_str())
    .bind(register.body.as_str())
    .bind(register.canonical.as_str())
    .bind(register.sha256.as_str())
    .bind(register.bytes)
    .bind(register.vendors)
    .bind(source)
    .bind(now)
    .bind(actor)
    .execute(conn)
    .await?;
    Ok(version)
}

/// Re-seals every evidence file with `keyring`'s current key: part of
/// [`Store::rotate_key`]. Returns how many.
pub(crate) async fn reseal_evidence(
    conn: &mut AnyConnection,
    keyring: &Keyring,
) -> Result<u64, StoreError> {
    let rows = sqlx::query("SELECT id, org_id, vendor_id, body FROM vendor_evidence")
        .fetch_all(&mut *conn)
        .await?;
    let mut count = 0u64;
    for row in rows {
        let id: String = row.try_get("id")?;
        let org_id: String = row.try_get("org_id")?;
        let vendor_id: String = row.try_get("vendor_id")?;
        let sealed: String = row.try_get("body")?;
        let context = evidence_context(&org_id, &vendor_id, &id);
        let plain = keyring.open_value(&sealed, &context)?;
        sqlx::query("UPDATE vendor_evidence SET body = $1 WHERE id = $2")
            .bind(keyring.seal(&plain, &context))
            .bind(id.as_str())
            .execute(&mut *conn)
            .await?;
        count += 1;
    }
    Ok(count)
}
