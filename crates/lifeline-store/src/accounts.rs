//! Organisations, users, API tokens and browser sessions.

use std::fmt;
use std::str::FromStr;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

use crate::ids::holds_nul;
use crate::{AuditEntry, Store, StoreError, new_id, new_secret, now_ms, secret_digest};

/// The shortest password accepted (NIST SP 800-63B asks for at least 8; a supply-chain
/// service shared with partners asks for more).
pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_BYTES: usize = 1024;
const MAX_NAME_CHARS: usize = 100;
const DAY_MS: i64 = 86_400_000;

/// What a user may do. `viewer` < `analyst` < `admin` within their organisation; a
/// `partner` sees only what other organisations shared with theirs, read-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Analyst,
    Viewer,
    Partner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Analyst, Role::Viewer, Role::Partner];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Viewer => "viewer",
            Role::Partner => "partner",
        }
    }

    fn rank(self) -> u8 {
        match self {
            Role::Partner => 0,
            Role::Viewer => 1,
            Role::Analyst => 2,
            Role::Admin => 3,
        }
    }

    /// Whether this role may do what `needed` may within its own organisation.
    pub fn at_least(self, needed: Role) -> bool {
        self != Role::Partner && self.rank() >= needed.rank()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a role: admin, analyst, viewer or partner"))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: String,
    pub name: String,
    pub org_id: String,
    pub org_name: String,
    pub role: Role,
    pub created_at: i64,
}

impl User {
    /// What this user may read: their organisation's rows (but a partner's), and what was
    /// shared with their organisation.
    pub fn access(&self) -> Access {
        Access {
            org_id: self.org_id.clone(),
            own: self.role != Role::Partner,
        }
    }
}

/// Whose rows a read may return: `org_id`'s own when `own`, and those shared with it.
#[derive(Debug, Clone)]
pub struct Access {
    pub org_id: String,
    pub own: bool,
}

/// An authenticated caller: the user and how they proved it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub credentials: Credentials,
}

#[derive(Debug, Clone)]
pub enum Credentials {
    Token { id: String },
    Session { id: String, csrf: String },
}

/// A token as created: the secret is shown once and never stored.
#[derive(Debug, Clone, Serialize)]
pub struct NewToken {
    pub id: String,
    pub secret: String,
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub user_name: String,
    pub label: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A new browser session: the cookie's secret and the CSRF token the page sends back.
#[derive(Debug, Clone)]
pub struct SessionKeys {
    pub secret: String,
    pub csrf: String,
    pub expires_at: i64,
}

/// A name for an organisation or user: 1 to 100 characters, no control or bidi characters,
/// no leading or trailing space.
fn check_name(field: &str, name: &str) -> Result<(), StoreError> {
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS {
        return Err(StoreError::invalid(
            field,
            format!("must be 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.trim() != name || name.chars().any(lifeline_text::is_unsafe) {
        return Err(StoreError::invalid(
            field,
            "must not start or end with a space nor hold control or bidi characters",
        ));
    }
    Ok(())
}

fn check_password(password: &str) -> Result<(), StoreError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(StoreError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(StoreError::invalid(
            "password",
            format!("must be at most {MAX_PASSWORD_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// argon2id with the crate's defaults (OWASP's recommended minimum: 19 MiB, 2 passes).
pub(crate) fn hash_password(password: &str) -> Result<String, StoreError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

const USER_COLUMNS: &str = "u.id AS id, u.name AS name, u.org_id AS org_id, o.name AS org_name, \
                            u.role AS role, u.created_at AS created_at";

fn user_of(row: &sqlx::any::AnyRow) -> Result<User, StoreError> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        role: role.parse().map_err(StoreError::Corrupt)?,
        created_at: row.try_get("created_at")?,
    })
}

fn org_of(row: &sqlx::any::AnyRow) -> Result<Org, StoreError> {
    Ok(Org {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    pub async fn create_org(&self, name: &str, actor: &str) -> Result<Org, StoreError> {
        check_name("name", name)?;
        let org = Org {
            id: new_id("org"),
            name: name.to_owned(),
            created_at: now_ms(),
        };
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query("INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(org.id.as_str())
            .bind(org.name.as_str())
            .bind(org.created_at)
            .execute(tx.conn())
            .await;
        StoreError::taken(inserted, || {
            format!(
                "an organisation named `{}` exists already",
                lifeline_text::escaped(name)
            )
        })?;
        tx.commit(
            AuditEntry::new(actor, "org.create", &org.id)
                .org(&org.id)
                .detail(serde_json::json!({ "name": name })),
        )
        .await?;
        Ok(org)
    }

    pub async fn org_by_name(&self, name: &str) -> Result<Option<Org>, StoreError> {
        if holds_nul(name) {
            return Ok(None);
        }
        let row = sqlx::query("SELECT id, name, created_at FROM orgs WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(org_of).transpose()
    }

    pub async fn orgs(&self) -> Result<Vec<Org>, StoreError> {
        let rows = sqlx::query("SELECT id, name, created_at FROM orgs ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(org_of).collect()
    }

    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(self.pool())
            .await?
            .try_get("n")?)
    }

    /// Creates a user in the organisation named `org_name`. The password is stored as an
    /// argon2id hash; `contact` (a phone or mail address for escalations) is encrypted.
    pub async fn create_user(
        &self,
        org_name: &str,
        name: &str,
        role: Role,
        password: &str,
        contact: Option<&str>,
        actor: &str,
    ) -> Result<User, StoreError> {
        check_name("name", name)?;
        check_password(password)?;
        let org = self
            .org_by_name(org_name)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "organisation",
                id: lifeline_text::escaped(org_name).into_owned(),
            })?;
        let id = new_id("usr");
        let sealed = match contact {
            Some(contact) => {
                if contact.len() > 1000 || contact.chars().any(lifeline_text::is_unsafe) {
                    return Err(StoreError::invalid(
                        "contact",
                        "must be at most 1000 bytes without control or bidi characters",
                    ));
                }
                Some(
                    self.keyring()?
                        .seal(contact, &format!("users.contact:{id}")),
                )
            }
            None => None,
        };
        // Hashing takes tens of milliseconds of CPU: off the async threads.
        let password = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| StoreError::Corrupt(e.to_string()))??;
        let user = User {
            id,
            name: name.to_owned(),
            org_id: org.id.clone(),
            org_name: org.name.clone(),
            role,
            created_at: now_ms(),
        };
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO users (id, org_id, name, role, password_hash, contact, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(user.id.as_str())
        .bind(user.org_id.as_str())
        .bind(user.name.as_str())
        .bind(role.as_str())
        .bind(hash)
        .bind(sealed)
        .bind(user.created_at)
        .execute(tx.conn())
        .await;
        StoreError::taken(inserted, || {
            format!(
                "a user named `{}` exists already",
                lifeline_text::escaped(name)
            )
        })?;
        tx.commit(
            AuditEntry::new(actor, "user.create", &user.id)
                .org(&user.org_id)
                .detail(serde_json::json!({ "name": name, "role": role })),
        )
        .await?;
        Ok(user)
    }

    /// First-run setup: the organisation `org_name` (created when new) and its first admin.
    /// Every input is checked before anything is written, so that a refused setup leaves
    /// no organisation behind; errors name the setup request's fields (`org`, `user`,
    /// `password`).
    pub async fn create_first_admin(
        &self,
        org_name: &str,
        name: &str,
        password: &str,
        actor: &str,
    ) -> Result<User, StoreError> {
        check_name("org", org_name)?;
        check_name("user", name)?;
        check_password(password)?;
        if self.org_by_name(org_name).await?.is_none() {
            self.create_org(org_name, actor).await?;
        }
        self.create_user(org_name, name, Role::Admin, password, None, actor)
            .await
    }

    pub async fn user_by_name(&self, name: &str) -> Result<Option<User>, StoreError> {
        if holds_nul(name) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN orgs o ON o.id = u.org_id \
             WHERE u.name = $1 AND u.disabled_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_of).transpose()
    }

    pub async fn users(&self, org_id: &str) -> Result<Vec<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN orgs o ON o.id = u.org_id \
             WHERE u.org_id = $1 AND u.disabled_at IS NULL ORDER BY u.name"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(user_of).collect()
    }

    /// The decrypted contact of a user of `org_id`.
    pub async fn user_contact(
        &self,
        org_id: &str,
        user_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = if holds_nul(user_id) {
            None
        } else {
            sqlx::query("SELECT contact FROM users WHERE id = $1 AND org_id = $2")
                .bind(user_id)
                .bind(org_id)
                .fetch_optional(self.pool())
                .await?
        };
        let sealed: Option<String> = match row {
            Some(row) => row.try_get("contact")?,
            None => {
                return Err(StoreError::NotFound {
                    kind: "user",
                    id: user_id.to_owned(),
                });
            }
        };
        sealed
            .map(|s| {
                self.keyring()?
                    .open_value(&s, &format!("users.contact:{user_id}"))
                    .map_err(StoreError::from)
            })
            .transpose()
    }

    /// The user whose name and password these are, or `None`. Takes as long for an unknown
    /// name as for a wrong password, so that names cannot be probed by timing.
    pub async fn check_password(
        &self,
        name: &str,
        password: &str,
    ) -> Result<Option<User>, StoreError> {
        let row = if holds_nul(name) {
            None
        } else {
            sqlx::query(
                "SELECT u.password_hash AS password_hash FROM users u \
                 WHERE u.name = $1 AND u.disabled_at IS NULL",
            )
            .bind(name)
            .fetch_optional(self.pool())
            .await?
        };
        let stored: Option<String> = row.map(|r| r.try_get("password_hash")).transpose()?;
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || match stored {
            Some(hash) => verify_password(&password, &hash),
            None => {
                // The same work against a hash of nothing.
                let _ = hash_password(&password);
                false
            }
        })
        .await
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if matches {
            self.user_by_name(name).await
        } else {
            Ok(None)
        }
    }

    /// Creates an API token for the user named `user_name`. The secret is returned once
    /// and only its digest stored.
    pub async fn create_token(
        &self,
        user_name: &str,
        label: &str,
        expires_days: Option<u32>,
        actor: &str,
    ) -> Result<NewToken, StoreError> {
        let user = self
            .user_by_name(user_name)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "user",
                id: lifeline_text::escaped(user_name).into_owned(),
            })?;
        if label.chars().count() > MAX_NAME_CHARS || label.chars().any(lifeline_text::is_unsafe) {
            return Err(StoreError::invalid(
                "label",
                format!("must be at most {MAX_NAME_CHARS} characters, no control characters"),
            ));
        }
        if expires_days == Some(0) || expires_days.is_some_and(|d| d > 3650) {
            return Err(StoreError::invalid(
                "expires_days",
                "must be 1 to 3650 days",
            ));
        }
        let now = now_ms();
        let token = NewToken {
            id: new_id("tok"),
            secret: new_secret("llt"),
            expires_at: expires_days.map(|d| now + i64::from(d) * DAY_MS),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO tokens (id, user_id, org_id, secret_hash, label, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token.id.as_str())
        .bind(user.id.as_str())
        .bind(user.org_id.as_str())
        .bind(secret_digest(&token.secret))
        .bind(label)
        .bind(now)
        .bind(token.expires_at)
        .execute(tx.conn())
        .await?;
        tx.commit(
            AuditEntry::new(actor, "token.create", &token.id)
                .org(&user.org_id)
                .detail(serde_json::json!({
                    "user": user.name, "label": label, "expires_at": token.expires_at
                })),
        )
        .await?;
        Ok(token)
    }

    /// The user behind a bearer token that exists, has not expired and was not revoked.
    pub async fn authenticate_token(&self, secret: &str) -> Result<Option<Principal>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, t.id AS token_id FROM tokens t \
             JOIN users u ON u.id = t.user_id JOIN orgs o ON o.id = u.org_id \
             WHERE t.secret_hash = $1 AND t.revoked_at IS NULL \
             AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.disabled_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(secret_digest(secret))
            .bind(now_ms())
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            Ok(Principal {
                user: user_of(&row)?,
                credentials: Credentials::Token {
                    id: row.try_get("token_id")?,
                },
            })
        })
        .transpose()
    }

    /// Tokens of `org_id`'s users (of one user when `user_id` is given), newest first.
    pub async fn tokens(
        &self,
        org_id: &str,
        user_id: Option<&str>,
    ) -> Result<Vec<TokenInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.id AS id, u.name AS user_name, t.label AS label, t.created_at AS created_at, \
             t.expires_at AS expires_at, t.revoked_at AS revoked_at FROM tokens t \
             JOIN users u ON u.id = t.user_id \
             WHERE t.org_id = $1 AND ($2 = '' OR t.user_id = $2) ORDER BY t.created_at DESC",
        )
        .bind(org_id)
        .bind(user_id.unwrap_or_default())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TokenInfo {
                    id: row.try_get("id")?,
                    user_name: row.try_get("user_name")?,
                    label: row.try_get("label")?,
                    created_at: row.try_get("created_at")?,
                    expires_at: row.try_get("expires_at")?,
                    revoked_at: row.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes token `token_id` of organisation `org_id` (of user `user_id` only, when
    /// given). Unknown, foreign and already revoked tokens are `NotFound`.
    pub async fn revoke_token(
        &self,
        org_id: Option<&str>,
        user_id: Option<&str>,
        token_id: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        if holds_nul(token_id) {
            return Err(StoreError::NotFound {
                kind: "token",
                id: lifeline_text::escaped(token_id).into_owned(),
            });
        }
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT org_id FROM tokens WHERE id = $1 AND revoked_at IS NULL \
             AND ($2 = '' OR org_id = $2) AND ($3 = '' OR user_id = $3)",
        )
        .bind(token_id)
        .bind(org_id.unwrap_or_default())
        .bind(user_id.unwrap_or_default())
        .fetch_optional(tx.conn())
        .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound {
                kind: "token",
                id: lifeline_text::escaped(token_id).into_owned(),
            });
        };
        let token_org: String = row.try_get("org_id")?;
        sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(token_id)
            .execute(tx.conn())
            .await?;
        tx.commit(AuditEntry::new(actor, "token.revoke", token_id).org(&token_org))
            .await?;
        Ok(())
    }

    /// Opens a browser session for `user`, valid for `hours`.
    pub async fn create_session(&self, user: &User, hours: u32) -> Result<SessionKeys, StoreError> {
        let now = now_ms();
        let keys = SessionKeys {
            secret: new_secret("lls"),
            csrf: new_secret("csrf"),
            expires_at: now + i64::from(hours) * 3_600_000,
        };
        let id = new_id("ses");
        let mut tx = self.begin_write().await?;
        // Sessions that ran out are swept on the way.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(tx.conn())
            .await?;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, org_id, secret_hash, csrf, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.as_str())
        .bind(user.id.as_str())
        .bind(user.org_id.as_str())
        .bind(secret_digest(&keys.secret))
        .bind(keys.csrf.as_str())
        .bind(now)
        .bind(keys.expires_at)
        .execute(tx.conn())
        .await?;
        tx.commit(AuditEntry::new(&user.name, "session.login", &id).org(&user.org_id))
            .await?;
        Ok(keys)
    }

    /// The user behind a session cookie that exists and has not expired.
    pub async fn authenticate_session(
        &self,
        secret: &str,
    ) -> Result<Option<Principal>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.id AS session_id, s.csrf AS csrf FROM sessions s \
             JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id \
             WHERE s.secret_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(secret_digest(secret))
            .bind(now_ms())
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            Ok(Principal {
                user: user_of(&row)?,
                credentials: Credentials::Session {
                    id: row.try_get("session_id")?,
                    csrf: row.try_get("csrf")?,
                },
            })
        })
        .transpose()
    }

    pub async fn end_session(&self, session_id: &str, user: &User) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
            .bind(session_id)
            .bind(user.id.as_str())
            .execute(tx.conn())
            .await?;
        tx.commit(AuditEntry::new(&user.name, "session.logout", session_id).org(&user.org_id))
            .await?;
        Ok(())
    }

    /// Re-encrypts every sensitive field with a new key, then retires the old keys: run it
    /// with the server stopped (a running server holds the old key file in memory).
    pub async fn rotate_key(&self, keyring: &mut crate::Keyring) -> Result<u64, StoreError> {
        keyring.add_key()?;
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query("SELECT id, contact FROM users WHERE contact IS NOT NULL")
            .fetch_all(tx.conn())
            .await?;
        let mut count = 0u64;
        for row in rows {
            let id: String = row.try_get("id")?;
            let sealed: String = row.try_get("contact")?;
            let context = format!("users.contact:{id}");
            let plain = keyring.open_value(&sealed, &context)?;
            sqlx::query("UPDATE users SET contact = $1 WHERE id = $2")
                .bind(keyring.seal(&plain, &context))
                .bind(id.as_str())
                .execute(tx.conn())
                .await?;
            count += 1;
        }
        count += crate::vendors::reseal_evidence(tx.conn(), keyring).await?;
        count += crate::sharing::reseal_signing_keys(tx.conn(), keyring).await?;
        tx.commit(
            AuditEntry::new("admin-cli", "key.rotate", keyring.current_id())
                .detail(serde_json::json!({ "values": count })),
        )
        .await?;
        keyring.retire_old_keys()?;
        Ok(count)
    }
}
