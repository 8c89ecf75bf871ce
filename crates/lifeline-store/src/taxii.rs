//! TAXII 2.1 collections and their STIX objects (issue 17): what `lifeline serve`'s TAXII
//! server and `lifeline share import` / `lifeline taxii pull` keep.
//!
//! Each organisation's collections form its API root. The organisation's own users read
//! them (admins and analysts write); another organisation sees a collection only through a
//! grant naming it, which says whether it may read, write, and up to which TLP level it is
//! cleared. Reads are filtered by `lifeline_share::tlp::may_share`: an object reaches a
//! partner only when the rule lets its most restrictive TLP marking go there (AMBER+STRICT
//! never, RED only to an organisation granted red, which is how it is named; below the
//! clearance never). An object without a TLP marking counts as TLP:AMBER.
//!
//! Every object version gets a `date_added` (Unix microseconds) later than every other in
//! its collection, so `date_added` orders a collection and is the paging cursor.

use std::collections::BTreeMap;

use lifeline_share::tlp::{Recipient, Tlp, may_share};
use rand::RngCore as _;
use serde::Serialize;
use sqlx::Row as _;

use crate::error::{check_text, not_found};
use crate::ids::holds_nul;
use crate::{AuditEntry, Role, Store, StoreError, User, now_ms};

/// The longest title or description kept.
const MAX_TITLE: usize = 500;
const MAX_DESCRIPTION: usize = 5_000;
/// The most object versions one page returns.
pub const MAX_PAGE: usize = 1_000;
/// Rows per INSERT statement when adding objects.
const INSERT_BATCH: usize = 400;

/// The STIX 2.1 specification's TLP 1.0 marking definitions (§7.2.1.4), read as the TLP
/// 2.0 level that succeeds each.
const TLP1_MARKINGS: [(&str, Tlp); 4] = [
    (
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        Tlp::Clear,
    ),
    (
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        Tlp::Green,
    ),
    (
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        Tlp::Amber,
    ),
    (
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        Tlp::Red,
    ),
];

/// Who reads or writes collections: an organisation and the caller's role in it.
#[derive(Debug, Clone)]
pub struct TaxiiCaller {
    pub org_id: String,
    pub role: Role,
}

impl TaxiiCaller {
    pub fn of(user: &User) -> TaxiiCaller {
        TaxiiCaller {
            org_id: user.org_id.clone(),
            role: user.role,
        }
    }

    /// The organisation itself, with every right on its own collections (the CLI).
    pub fn owner(org_id: &str) -> TaxiiCaller {
        TaxiiCaller {
            org_id: org_id.to_owned(),
            role: Role::Admin,
        }
    }

    fn own(&self, org_id: &str) -> bool {
        self.org_id == org_id && self.role != Role::Partner
    }

    /// Whether the role may write at all (a viewer or a partner never does).
    fn writer(&self) -> bool {
        self.role.at_least(Role::Analyst)
    }
}

/// Why a TAXII read or write was refused, or failed.
#[derive(Debug, thiserror::Error)]
pub enum TaxiiError {
    /// The collection (or API root, status) does not exist, or the caller may not know it does.
    #[error(transparent)]
    NotFound(StoreError),
    /// The caller sees the collection but may not do this.
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for TaxiiError {
    fn from(e: sqlx::Error) -> TaxiiError {
        TaxiiError::Store(StoreError::from(e))
    }
}

/// A partner organisation's rights on a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxiiGrant {
    pub org_id: String,
    pub read: bool,
    pub write: bool,
    /// The highest TLP level it is cleared to read here; `red` also names it.
    pub clearance: Tlp,
}

/// A collection to create.
#[derive(Debug, Clone)]
pub struct NewCollection {
    pub title: String,
    pub description: Option<String>,
    pub grants: Vec<TaxiiGrant>,
}

/// An API root: one organisation's collections.
#[derive(Debug, Clone, Serialize)]
pub struct ApiRoot {
    pub org_id: String,
    pub org_name: String,
}

/// A collection as one caller sees it.
#[derive(Debug, Clone, Serialize)]
pub struct CollectionInfo {
    pub id: String,
    pub org_id: String,
    pub title: String,
    pub description: Option<String>,
    pub can_read: bool,
    pub can_write: bool,
    /// The caller's clearance here; `None` for the owning organisation (it reads all).
    pub clearance: Option<Tlp>,
    pub created_at: i64,
}

/// `match[version]`: which versions of each object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionMatch {
    First,
    Last,
    All,
    /// The version whose `modified` is this time (Unix microseconds).
    At(i64),
}

/// The filters of an objects, manifest or versions read.
#[derive(Debug, Clone)]
pub struct ObjectQuery {
    /// Only versions added strictly after this (Unix microseconds).
    pub added_after: Option<i64>,
    /// `match[id]`: any of these ids (none: every id).
    pub ids: Vec<String>,
    /// `match[type]`: any of these types.
    pub types: Vec<String>,
    /// `match[version]`: any of these (none: the last).
    pub versions: Vec<VersionMatch>,
    /// `match[spec_version]`: any of these (none: each object's newest).
    pub spec_versions: Vec<String>,
    /// At most this many (capped at [`MAX_PAGE`]).
    pub limit: usize,
    /// The paging cursor: only versions added after this (Unix microseconds).
    pub after: Option<i64>,
}

impl Default for ObjectQuery {
    fn default() -> ObjectQuery {
        ObjectQuery {
            added_after: None,
            ids: Vec::new(),
            types: Vec::new(),
            versions: Vec::new(),
            spec_versions: Vec::new(),
            limit: MAX_PAGE,
            after: None,
        }
    }
}

/// One stored version of a STIX object.
#[derive(Debug, Clone)]
pub struct StoredObject {
    pub object_id: String,
    /// `modified` (else `created`, else 0), Unix microseconds.
    pub version: i64,
    pub spec_version: String,
    pub object_type: String,
    /// When this server stored it, Unix microseconds.
    pub date_added: i64,
    pub tlp: Tlp,
    /// The object's JSON (empty for manifest and versions reads).
    pub object: String,
}

/// A page of object versions, ordered by `date_added`.
#[derive(Debug, Clone)]
pub struct ObjectPage {
    pub items: Vec<StoredObject>,
    /// Whether more match after the last one.
    pub more: bool,
}

/// One object version in a status resource.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct StatusDetail {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The status of one add of objects, as TAXII 2.1's status resource (§4.3.1).
#[derive(Debug, Clone, Serialize)]
pub struct TaxiiStatus {
    pub id: String,
    pub status: &'static str,
    pub request_timestamp: String,
    pub total_count: i64,
    pub success_count: i64,
    pub successes: Vec<StatusDetail>,
    pub failure_count: i64,
    pub failures: Vec<StatusDetail>,
    pub pending_count: i64,
    pub pendings: Vec<StatusDetail>,
}

/// A new collection id: a random (version 4) UUID.
fn new_uuid() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = crate::ids::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn tlp_rank(t: Tlp) -> i64 {
    match t {
        Tlp::Clear => 0,
        Tlp::Green => 1,
        Tlp::Amber => 2,
        Tlp::AmberStrict => 3,
        Tlp::Red => 4,
    }
}

fn tlp_of_rank(rank: i64) -> Result<Tlp, StoreError> {
    usize::try_from(rank)
        .ok()
        .and_then(|r| Tlp::ALL.get(r).copied())
        .ok_or_else(|| StoreError::Corrupt(format!("TLP rank {rank}")))
}

/// The TLP level a marking definition id stands for: TLP 2.0's official ids, and TLP 1.0's
/// from the STIX 2.1 specification.
pub fn tlp_of_marking(id: &str) -> Option<Tlp> {
    Tlp::from_marking_definition_id(id).or_else(|| {
        TLP1_MARKINGS
            .iter()
            .find(|(m, _)| *m == id)
            .map(|(_, t)| *t)
    })
}

/// The most restrictive TLP marking on a STIX object (`object_marking_refs` and the
/// `marking_ref`s of `granular_markings`); a marking definition itself is clear; an
/// object without a TLP marking counts as amber.
pub fn effective_tlp(object: &serde_json::Value) -> Tlp {
    let mut refs: Vec<&str> = object
        .get("object_marking_refs")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    if let Some(granular) = object.get("granular_markings").and_then(|v| v.as_array()) {
        refs.extend(
            granular
                .iter()
                .filter_map(|g| g.get("marking_ref").and_then(|v| v.as_str())),
        );
    }
    match refs.into_iter().filter_map(tlp_of_marking).max() {
        Some(t) => t,
        None if object.get("type").and_then(|v| v.as_str()) == Some("marking-definition") => {
            Tlp::Clear
        }
        None => Tlp::Amber,
    }
}

/// Parses a STIX/TAXII timestamp (RFC 3339, UTC) into Unix microseconds.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000).ok()
}

/// Unix microseconds as a TAXII timestamp with microseconds (`2026-12-06T14:00:00.123456Z`).
pub fn timestamp_us(us: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1_000) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.microsecond()
        ),
        Err(_) => us.to_string(),
    }
}

/// A version (Unix microseconds) as STIX writes `modified`: milliseconds when whole.
pub fn version_text(us: i64) -> String {
    let full = timestamp_us(us);
    if us.rem_euclid(1_000) == 0 && full.len() == 27 {
        format!("{}Z", &full[..23])
    } else {
        full
    }
}

/// Now, in Unix microseconds.
fn now_us() -> i64 {
    now_ms().saturating_mul(1_000)
}

/// What one posted object is, checked; or why it is refused.
struct Checked {
    id: String,
    object_type: String,
    spec_version: String,
    version: i64,
    tlp: Tlp,
    text: String,
}

fn check_object(object: &serde_json::Value) -> Result<Checked, (String, String)> {
    let id = object
        .get("id")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    let fail = |message: &str| (id.clone(), message.to_owned());
    if !object.is_object() {
        return Err(fail("is not a JSON object"));
    }
    let object_type = object
        .get("type")
        .and_then(|v| v.as_str())
        .ok_or_else(|| fail("has no `type`"))?;
    if object_type.len() < 3
        || object_type.len() > 250
        || !object_type
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(fail(
            "`type` must be 3 to 250 lower-case letters, digits and hyphens",
        ));
    }
    let uuid = id
        .strip_prefix(object_type)
        .and_then(|rest| rest.strip_prefix("--"))
        .ok_or_else(|| fail("`id` must be `TYPE--UUID` for the object's type"))?;
    if uuid.len() != 36
        || !uuid.bytes().enumerate().all(|(i, b)| {
            matches!(i, 8 | 13 | 18 | 23) == (b == b'-') && (b == b'-' || b.is_ascii_hexdigit())
        })
    {
        return Err(fail("`id` must end in a UUID"));
    }
    let spec_version = match object.get("spec_version") {
        None => "2.0".to_owned(),
        Some(serde_json::Value::String(s)) if s == "2.0" || s == "2.1" => s.clone(),
        Some(_) => {
            return Err(fail(
                "`spec_version` must be \"2.1\" (or absent for STIX 2.0)",
            ));
        }
    };
    let stamp = |field: &str| -> Result<Option<i64>, (String, String)> {
        match object.get(field) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .and_then(parse_timestamp)
                .map(Some)
                .ok_or_else(|| fail(&format!("`{field}` is not an RFC 3339 timestamp"))),
        }
    };
    let version = match (stamp("modified")?, stamp("created")?) {
        (Some(m), _) => m,
        (None, Some(c)) => c,
        (None, None) => 0,
    };
    let text = serde_json::to_string(object).map_err(|e| fail(&e.to_string()))?;
    Ok(Checked {
        id: id.clone(),
        object_type: object_type.to_owned(),
        spec_version,
        version,
        tlp: effective_tlp(object),
        text,
    })
}

/// A value bound to a query built at run time.
enum Bind {
    Text(String),
    Int(i64),
}

struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn push(&mut self, bind: Bind) -> String {
        self.binds.push(bind);
        format!("${}", self.binds.len())
    }

    fn list(&mut self, values: &[String]) -> String {
        values
            .iter()
            .map(|v| self.push(Bind::Text(v.clone())))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.text.clone()));
        for b in &self.binds {
            q = match b {
                Bind::Text(s) => q.bind(s.as_str()),
                Bind::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

const COLLECTION_COLUMNS: &str = "c.id, c.org_id, c.title, c.description, c.created_at, \
     g.can_read, g.can_write, g.clearance";

fn collection_of(
    row: &sqlx::any::AnyRow,
    caller: &TaxiiCaller,
) -> Result<CollectionInfo, StoreError> {
    let org_id: String = row.try_get("org_id")?;
    let (can_read, can_write, clearance) = if caller.own(&org_id) {
        (true, caller.writer(), None)
    } else {
        let read: Option<i64> = row.try_get("can_read")?;
        let write: Option<i64> = row.try_get("can_write")?;
        let clearance: Option<i64> = row.try_get("clearance")?;
        (
            read == Some(1),
            write == Some(1) && caller.writer(),
            clearance.map(tlp_of_rank).transpose()?,
        )
    };
    Ok(CollectionInfo {
        id: row.try_get("id")?,
        org_id,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        can_read,
        can_write,
        clearance,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    /// Creates a collection in `org_id` with its grants. Returns its id (a UUID).
    pub async fn create_collection(
        &self,
        org_id: &str,
        collection: &NewCollection,
        actor: &str,
    ) -> Result<String, StoreError> {
        check_text("title", &collection.title, MAX_TITLE)?;
        if let Some(d) = &collection.description {
            check_text("description", d, MAX_DESCRIPTION)?;
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, g) in collection.grants.iter().enumerate() {
            if g.org_id == org_id {
                return Err(StoreError::invalid(
                    &format!("grants[{i}].org"),
                    "the collection's own organisation needs no grant",
                ));
            }
            if !seen.insert(g.org_id.as_str()) {
                return Err(StoreError::invalid(
                    &format!("grants[{i}].org"),
                    format!("`{}` is granted twice", lifeline_text::escaped(&g.org_id)),
                ));
            }
            if !g.read && !g.write {
                return Err(StoreError::invalid(
                    &format!("grants[{i}]"),
                    "a grant gives read, write or both",
                ));
            }
        }
        let id = new_uuid();
        let mut tx = self.begin_write().await?;
        for (i, g) in collection
            .grants
            .iter()
            .map(|g| g.org_id.as_str())
            .chain(std::iter::once(org_id))
            .enumerate()
        {
            let found = sqlx::query("SELECT id FROM orgs WHERE id = $1")
                .bind(g)
                .fetch_optional(tx.conn())
                .await?;
            if found.is_none() || holds_nul(g) {
                return Err(if i < collection.grants.len() {
                    StoreError::invalid(
                        &format!("grants[{i}].org"),
                        format!("no organisation `{}`", lifeline_text::escaped(g)),
                    )
                } else {
                    not_found("organisation", org_id)
                });
            }
        }
        sqlx::query(
            "INSERT INTO taxii_collections (id, org_id, title, description, created_at, \
             created_by, last_added) VALUES ($1, $2, $3, $4, $5, $6, 0)",
        )
        .bind(id.as_str())
        .bind(org_id)
        .bind(collection.title.as_str())
        .bind(collection.description.as_deref())
        .bind(now_ms())
        .bind(actor)
        .execute(tx.conn())
        .await?;
        for g in &collection.grants {
            sqlx::query(
                "INSERT INTO taxii_grants (collection_id, org_id, can_read, can_write, \
                 clearance) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.as_str())
            .bind(g.org_id.as_str())
            .bind(i64::from(g.read))
            .bind(i64::from(g.write))
            .bind(tlp_rank(g.clearance))
            .execute(tx.conn())
            .await?;
        }
        let grants: Vec<_> = collection
            .grants
            .iter()
            .map(|g| {
                serde_json::json!({
                    "org": g.org_id, "read": g.read, "write": g.write,
                    "clearance": g.clearance.as_str(),
                })
            })
            .collect();
        tx.commit(
            AuditEntry::new(actor, "taxii.collection.create", &id)
                .org(org_id)
                .detail(serde_json::json!({ "title": collection.title, "grants": grants })),
        )
        .await?;
        Ok(id)
    }

    /// The API roots `caller` may see: its own organisation's (unless a partner), then those
    /// of the organisations that granted it a collection, by name.
    pub async fn taxii_api_roots(&self, caller: &TaxiiCaller) -> Result<Vec<ApiRoot>, StoreError> {
        if holds_nul(&caller.org_id) {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT o.id, o.name FROM orgs o WHERE (o.id = $1 AND $2 = 1) OR o.id IN \
             (SELECT c.org_id FROM taxii_collections c JOIN taxii_grants g \
              ON g.collection_id = c.id WHERE g.org_id = $1) ORDER BY o.name",
        )
        .bind(caller.org_id.as_str())
        .bind(i64::from(caller.role != Role::Partner))
        .fetch_all(self.pool())
        .await?;
        let mut roots = Vec::with_capacity(rows.len());
        for row in rows {
            roots.push(ApiRoot {
                org_id: row.try_get("id")?,
                org_name: row.try_get("name")?,
            });
        }
        // The caller's own root first.
        roots.sort_by_key(|r| r.org_id != caller.org_id);
        Ok(roots)
    }

    /// The API root of `org_id`, when `caller` may see it.
    pub async fn taxii_api_root(
        &self,
        caller: &TaxiiCaller,
        org_id: &str,
    ) -> Result<Option<ApiRoot>, StoreError> {
        Ok(self
            .taxii_api_roots(caller)
            .await?
            .into_iter()
            .find(|r| r.org_id == org_id))
    }

    /// The collections of API root `root` that `caller` may see, oldest first.
    pub async fn collections(
        &self,
        caller: &TaxiiCaller,
        root: &str,
    ) -> Result<Vec<CollectionInfo>, StoreError> {
        self.collection_rows(caller, root, None).await
    }

    /// Collection `id` of API root `root`, when `caller` may see it.
    pub async fn collection(
        &self,
        caller: &TaxiiCaller,
        root: &str,
        id: &str,
    ) -> Result<Option<CollectionInfo>, StoreError> {
        Ok(self
            .collection_rows(caller, root, Some(id))
            .await?
            .into_iter()
            .next())
    }

    async fn collection_rows(
        &self,
        caller: &TaxiiCaller,
        root: &str,
        id: Option<&str>,
    ) -> Result<Vec<CollectionInfo>, StoreError> {
        if holds_nul(root) || holds_nul(&caller.org_id) || id.is_some_and(holds_nul) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLLECTION_COLUMNS} FROM taxii_collections c LEFT JOIN taxii_grants g \
             ON g.collection_id = c.id AND g.org_id = $1 WHERE c.org_id = $2 \
             AND (($3 = 1 AND c.org_id = $1) OR g.org_id IS NOT NULL) \
             AND ($4 = '' OR c.id = $4) ORDER BY c.created_at, c.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(caller.org_id.as_str())
            .bind(root)
            .bind(i64::from(caller.role != Role::Partner))
            .bind(id.unwrap_or_default())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| collection_of(r, caller)).collect()
    }

    /// The collection, or why `caller` may not `read` (else write) it.
    async fn usable(
        &self,
        caller: &TaxiiCaller,
        root: &str,
        id: &str,
        read: bool,
    ) -> Result<CollectionInfo, TaxiiError> {
        let c = self
            .collection(caller, root, id)
            .await?
            .ok_or_else(|| TaxiiError::NotFound(not_found("collection", id)))?;
        if read && !c.can_read {
            return Err(TaxiiError::Forbidden(format!(
                "collection `{}` may not be read by this caller",
                c.id
            )));
        }
        if !read && !c.can_write {
            return Err(TaxiiError::Forbidden(format!(
                "collection `{}` may not be written by this caller",
                c.id
            )));
        }
        Ok(c)
    }

    /// Adds STIX objects to collection `id` of API root `root` as `caller`, in one
    /// transaction, and keeps the status. An object version already present is a success
    /// and stays as it was; an object that is not STIX enough to store (no type, an id
    /// that is not `TYPE--UUID`, a timestamp that does not read) is a failure with its
    /// reason. `share import` and `taxii pull` call this with [`TaxiiCaller::owner`].
    pub async fn add_objects(
        &self,
        caller: &TaxiiCaller,
        root: &str,
        id: &str,
        objects: &[serde_json::Value],
        actor: &str,
    ) -> Result<TaxiiStatus, TaxiiError> {
        let collection = self.usable(caller, root, id, false).await?;
        let request = now_us();
        let mut good = Vec::with_capacity(objects.len());
        let mut failures = Vec::new();
        for object in objects {
            match check_object(object) {
                Ok(c) => good.push(c),
                Err((id, message)) => failures.push(StatusDetail {
                    id,
                    version: None,
                    message: Some(message),
                }),
            }
        }
        let status_id = new_uuid();
        let mut tx = self.begin_write().await?;
        let last: i64 = sqlx::query("SELECT last_added FROM taxii_collections WHERE id = $1")
            .bind(collection.id.as_str())
            .fetch_one(tx.conn())
            .await?
            .try_get("last_added")?;
        let base = request.max(last.saturating_add(1));
        let count = i64::try_from(good.len()).unwrap_or(i64::MAX);
        for (chunk_index, chunk) in good.chunks(INSERT_BATCH).enumerate() {
            let mut sql = String::from(
                "INSERT INTO taxii_objects (collection_id, object_id, version, spec_version, \
                 type, date_added, tlp, object) VALUES ",
            );
            for i in 0..chunk.len() {
                let p = i * 8;
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7,
                    p + 8
                ));
            }
            sql.push_str(" ON CONFLICT (collection_id, object_id, version) DO NOTHING");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (i, c) in chunk.iter().enumerate() {
                let offset = i64::try_from(chunk_index * INSERT_BATCH + i).unwrap_or(i64::MAX);
                q = q
                    .bind(collection.id.as_str())
                    .bind(c.id.as_str())
                    .bind(c.version)
                    .bind(c.spec_version.as_str())
                    .bind(c.object_type.as_str())
                    .bind(base.saturating_add(offset))
                    .bind(tlp_rank(c.tlp))
                    .bind(c.text.as_str());
            }
            q.execute(tx.conn()).await?;
        }
        if count > 0 {
            sqlx::query("UPDATE taxii_collections SET last_added = $1 WHERE id = $2")
                .bind(base.saturating_add(count - 1))
                .bind(collection.id.as_str())
                .execute(tx.conn())
                .await?;
        }
        let successes: Vec<StatusDetail> = good
            .iter()
            .map(|c| StatusDetail {
                id: c.id.clone(),
                version: Some(if c.version == 0 {
                    timestamp_us(request)
                } else {
                    version_text(c.version)
                }),
                message: None,
            })
            .collect();
        let status = TaxiiStatus {
            id: status_id.clone(),
            status: "complete",
            request_timestamp: timestamp_us(request),
            total_count: i64::try_from(objects.len()).unwrap_or(i64::MAX),
            success_count: count,
            failure_count: i64::try_from(failures.len()).unwrap_or(i64::MAX),
            successes,
            failures,
            pending_count: 0,
            pendings: Vec::new(),
        };
        let json = |v: &Vec<StatusDetail>| {
            serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
        };
        sqlx::query(
            "INSERT INTO taxii_status (id, collection_id, org_id, request_timestamp, \
             total_count, success_count, failure_count, successes, failures) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(status_id.as_str())
        .bind(collection.id.as_str())
        .bind(caller.org_id.as_str())
        .bind(request)
        .bind(status.total_count)
        .bind(status.success_count)
        .bind(status.failure_count)
        .bind(json(&status.successes)?)
        .bind(json(&status.failures)?)
        .execute(tx.conn())
        .await?;
        tx.commit(
            AuditEntry::new(actor, "taxii.objects.add", &collection.id)
                .org(&caller.org_id)
                .detail(serde_json::json!({
                    "status": status_id,
                    "api_root": root,
                    "total": status.total_count,
                    "successes": status.success_count,
                    "failures": status.failure_count,
                })),
        )
        .await?;
        Ok(status)
    }

    /// The status `status_id` of API root `root`, when `caller`'s organisation made it (a
    /// partner-role user, who cannot add, sees none).
    pub async fn taxii_status(
        &self,
        caller: &TaxiiCaller,
        root: &str,
        status_id: &str,
    ) -> Result<Option<TaxiiStatus>, StoreError> {
        if holds_nul(status_id) || holds_nul(root) || caller.role == Role::Partner {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT s.id, s.request_timestamp, s.total_count, s.success_count, \
             s.failure_count, s.successes, s.failures FROM taxii_status s \
             JOIN taxii_collections c ON c.id = s.collection_id \
             WHERE s.id = $1 AND c.org_id = $2 AND s.org_id = $3",
        )
        .bind(status_id)
        .bind(root)
        .bind(caller.org_id.as_str())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let details = |column: &str| -> Result<Vec<StatusDetail>, StoreError> {
            let text: String = row.try_get(column)?;
            serde_json::from_str(&text)
                .map_err(|e| StoreError::Corrupt(format!("taxii_status.{column}: {e}")))
        };
        let request: i64 = row.try_get("request_timestamp")?;
        Ok(Some(TaxiiStatus {
            id: row.try_get("id")?,
            status: "complete",
            request_timestamp: timestamp_us(request),
            total_count: row.try_get("total_count")?,
            success_count: row.try_get("success_count")?,
            failure_count: row.try_get("failure_count")?,
            successes: details("successes")?,
            failures: details("failures")?,
            pending_count: 0,
            pendings: Vec::new(),
        }))
    }

    /// Object versions of collection `id` matching `query`, with their JSON, as `caller`
    /// may read them (TLP filtered), by `date_added`.
    pub async fn objects(
        &self,
        caller: &TaxiiCaller,
        root: &str,
        id: &str,
        query: &ObjectQuery,
    ) -> Result<ObjectPage, TaxiiError> {
        self.object_page(caller, root, id, query, true).await
    }

    /// What [`Store::objects`] returns, without the objects' JSON: the manifest.
    pub async fn manifest(
        &self,
        caller: &TaxiiCaller,
        root: &str,
        id: &str,
        query: &ObjectQuery,
    ) -> Result<ObjectPage, TaxiiError> {
        self.object_page(caller, root, id, query, false).await
    }

    /// The versions of object `object_id` matching `query` (every version unless
    /// `match[version]` says otherwise), by `date_added`.
    pub async fn versions(
        &self,
        caller: &TaxiiCaller,
        root: &str,
        id: &str,
        object_id: &str,
        query: &ObjectQuery,
    ) -> Result<ObjectPage, TaxiiError> {
        let mut query = query.clone();
        query.ids = vec![object_id.to_owned()];
        if query.versions.is_empty() {
            query.versions = vec![VersionMatch::All];
        }
        self.object_page(caller, root, id, &query, false).await
    }

    async fn object_page(
        &self,
        caller: &TaxiiCaller,
        root: &str,
        id: &str,
        query: &ObjectQuery,
        with_text: bool,
    ) -> Result<ObjectPage, TaxiiError> {
        let collection = self.usable(caller, root, id, true).await?;
        let mut allowed: Vec<String> = Vec::new();
        for t in Tlp::ALL {
            let shared = match collection.clearance {
                None => true,
                Some(clearance) => {
                    let named: &[&str] = if clearance == Tlp::Red {
                        &[caller.org_id.as_str()]
                    } else {
                        &[]
                    };
                    let to = Recipient {
                        organisation: &caller.org_id,
                        clearance,
                    };
                    may_share(t, &collection.org_id, to, named).is_ok()
                }
            };
            if shared {
                allowed.push(tlp_rank(t).to_string());
            }
        }
        if allowed.is_empty()
            || query.ids.iter().any(|s| holds_nul(s))
            || query.types.iter().any(|s| holds_nul(s))
            || query.spec_versions.iter().any(|s| holds_nul(s))
        {
            return Ok(ObjectPage {
                items: Vec::new(),
                more: false,
            });
        }
        let limit = query.limit.clamp(1, MAX_PAGE);
        let mut sql = Sql {
            text: String::new(),
            binds: Vec::new(),
        };
        let c = sql.push(Bind::Text(collection.id.clone()));
        let mut text = format!(
            "SELECT o.object_id, o.version, o.spec_version, o.type, o.date_added, o.tlp{} \
             FROM taxii_objects o WHERE o.collection_id = {c} AND o.tlp IN ({})",
            if with_text { ", o.object" } else { "" },
            allowed.join(", ")
        );
        for after in [query.added_after, query.after].into_iter().flatten() {
            let p = sql.push(Bind::Int(after));
            text.push_str(&format!(" AND o.date_added > {p}"));
        }
        if !query.ids.is_empty() {
            let l = sql.list(&query.ids);
            text.push_str(&format!(" AND o.object_id IN ({l})"));
        }
        if !query.types.is_empty() {
            let l = sql.list(&query.types);
            text.push_str(&format!(" AND o.type IN ({l})"));
        }
        // Which spec versions: those asked for, else each object's newest. The version
        // subqueries pick among the same spec versions.
        let same = "x.collection_id = o.collection_id AND x.object_id = o.object_id";
        let spec_in_x = if query.spec_versions.is_empty() {
            text.push_str(&format!(
                " AND o.spec_version = (SELECT MAX(x.spec_version) FROM taxii_objects x \
                 WHERE {same})"
            ));
            " AND x.spec_version = o.spec_version".to_owned()
        } else {
            let l = sql.list(&query.spec_versions);
            text.push_str(&format!(" AND o.spec_version IN ({l})"));
            let l = sql.list(&query.spec_versions);
            format!(" AND x.spec_version IN ({l})")
        };
        let versions = if query.versions.is_empty() {
            &[VersionMatch::Last][..]
        } else {
            &query.versions[..]
        };
        if !versions.contains(&VersionMatch::All) {
            let mut any = Vec::new();
            for v in versions {
                any.push(match v {
                    VersionMatch::All => continue,
                    VersionMatch::First => format!(
                        "o.version = (SELECT MIN(x.version) FROM taxii_objects x \
                         WHERE {same}{spec_in_x})"
                    ),
                    VersionMatch::Last => format!(
                        "o.version = (SELECT MAX(x.version) FROM taxii_objects x \
                         WHERE {same}{spec_in_x})"
                    ),
                    VersionMatch::At(t) => format!("o.version = {}", sql.push(Bind::Int(*t))),
                });
            }
            text.push_str(&format!(" AND ({})", any.join(" OR ")));
        }
        let l = sql.push(Bind::Int(i64::try_from(limit + 1).unwrap_or(i64::MAX)));
        text.push_str(&format!(" ORDER BY o.date_added LIMIT {l}"));
        sql.text = text;
        let rows = sql.query().fetch_all(self.pool()).await?;
        let mut items = Vec::with_capacity(rows.len().min(limit));
        for row in rows.iter().take(limit) {
            items.push(StoredObject {
                object_id: row.try_get("object_id")?,
                version: row.try_get("version")?,
                spec_version: row.try_get("spec_version")?,
                object_type: row.try_get("type")?,
                date_added: row.try_get("date_added")?,
                tlp: tlp_of_rank(row.try_get("tlp")?)?,
                object: if with_text {
                    row.try_get("object")?
                } else {
                    String::new()
                },
            });
        }
        Ok(ObjectPage {
            more: rows.len() > limit,
            items,
        })
    }

    /// Where the last pull from `source` into collection `id` of `org_id` left off: the
    /// `added_after` to send next, or `None` before the first pull.
    pub async fn taxii_pull_cursor(
        &self,
        org_id: &str,
        id: &str,
        source: &str,
    ) -> Result<Option<String>, StoreError> {
        if holds_nul(id) || holds_nul(source) || holds_nul(org_id) {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT p.added_after FROM taxii_pulls p JOIN taxii_collections c \
             ON c.id = p.collection_id WHERE c.org_id = $1 AND p.collection_id = $2 \
             AND p.source = $3",
        )
        .bind(org_id)
        .bind(id)
        .bind(source)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| r.try_get("added_after").map_err(StoreError::from))
            .transpose()
    }

    /// Remembers that the pull from `source` into collection `id` of `org_id` got
    /// everything added up to `added_after` (a TAXII timestamp).
    pub async fn set_taxii_pull_cursor(
        &self,
        org_id: &str,
        id: &str,
        source: &str,
        added_after: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        check_text("source", source, 2_000)?;
        if parse_timestamp(added_after).is_none() {
            return Err(StoreError::invalid(
                "added_after",
                format!(
                    "`{}` is not an RFC 3339 timestamp",
                    lifeline_text::excerpt(added_after)
                ),
            ));
        }
        let mut tx = self.begin_write().await?;
        let owned = sqlx::query("SELECT id FROM taxii_collections WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(org_id)
            .fetch_optional(tx.conn())
            .await?;
        if owned.is_none() {
            return Err(not_found("collection", id));
        }
        sqlx::query("DELETE FROM taxii_pulls WHERE collection_id = $1 AND source = $2")
            .bind(id)
            .bind(source)
            .execute(tx.conn())
            .await?;
        sqlx::query(
            "INSERT INTO taxii_pulls (collection_id, source, added_after, pulled_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(source)
        .bind(added_after)
        .bind(now_ms())
        .execute(tx.conn())
        .await?;
        tx.commit(
            AuditEntry::new(actor, "taxii.pull", id)
                .org(org_id)
                .detail(serde_json::json!({ "source": source, "added_after": added_after })),
        )
        .await?;
        Ok(())
    }

    /// How many object versions each collection of `org_id` holds, by collection id.
    pub async fn collection_sizes(
        &self,
        org_id: &str,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id, COUNT(o.object_id) AS n FROM taxii_collections c \
             LEFT JOIN taxii_objects o ON o.collection_id = c.id WHERE c.org_id = $1 \
             GROUP BY c.id",
        )
        .bind(org_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = BTreeMap::new();
        for row in rows {
            out.insert(row.try_get("id")?, row.try_get("n")?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlp_of_objects() {
        let green = Tlp::Green.marking_definition_id();
        let red = Tlp::Red.marking_definition_id();
        let o = serde_json::json!({"type": "indicator", "object_marking_refs": [green],
            "granular_markings": [{"marking_ref": red, "selectors": ["name"]}]});
        assert_eq!(effective_tlp(&o), Tlp::Red);
        let o = serde_json::json!({"type": "indicator",
            "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]});
        assert_eq!(effective_tlp(&o), Tlp::Green);
        assert_eq!(
            effective_tlp(&serde_json::json!({"type": "indicator"})),
            Tlp::Amber
        );
        assert_eq!(
            effective_tlp(&serde_json::json!({"type": "marking-definition"})),
            Tlp::Clear
        );
    }

    #[test]
    fn timestamps() {
        let us = parse_timestamp("2016-11-03T12:30:59.000Z").unwrap();
        assert_eq!(version_text(us), "2016-11-03T12:30:59.000Z");
        assert_eq!(timestamp_us(us), "2016-11-03T12:30:59.000000Z");
        let us = parse_timestamp("2016-11-03T12:30:59.123456Z").unwrap();
        assert_eq!(version_text(us), "2016-11-03T12:30:59.123456Z");
        assert_eq!(parse_timestamp("yesterday"), None);
        let u = new_uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn objects_are_checked() {
        let ok = serde_json::json!({"type": "indicator", "spec_version": "2.1",
            "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-07T20:03:48.000Z"});
        let c = check_object(&ok).map_err(|e| e.1).unwrap();
        assert_eq!(
            c.version,
            parse_timestamp("2016-04-07T20:03:48.000Z").unwrap()
        );
        for bad in [
            serde_json::json!({"id": "x"}),
            serde_json::json!({"type": "indicator", "id": "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}),
            serde_json::json!({"type": "indicator", "id": "indicator--nope"}),
            serde_json::json!({"type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "modified": "soon"}),
            serde_json::json!({"type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "spec_version": "3.0"}),
        ] {
            assert!(check_object(&bad).is_err(), "{bad}");
        }
    }
    fn indicator(n: u32, modified: &str, tlp: Tlp) -> serde_json::Value {
        serde_json::json!({"type": "indicator", "spec_version": "2.1",
            "id": format!("indicator--00000000-0000-4000-8000-{n:012}"),
            "created": "2026-01-01T00:00:00.000Z", "modified": modified,
            "pattern": "[file:name = 'x']", "pattern_type": "stix",
            "valid_from": "2026-01-01T00:00:00Z",
            "object_marking_refs": [tlp.marking_definition_id()]})
    }

    #[tokio::test]
    async fn collections_grants_paging_and_tlp_on_every_backend() {
        for db in crate::testing::databases().await {
            let label = db.label;
            let store = Store::open(&db.url).await.unwrap();
            let us = store.create_org("us", "t").await.unwrap();
            let isac = store.create_org("isac", "t").await.unwrap();
            let other = store.create_org("other", "t").await.unwrap();
            let id = store
                .create_collection(
                    &us.id,
                    &NewCollection {
                        title: "Indicators".into(),
                        description: None,
                        grants: vec![TaxiiGrant {
                            org_id: isac.id.clone(),
                            read: true,
                            write: false,
                            clearance: Tlp::Green,
                        }],
                    },
                    "t",
                )
                .await
                .unwrap();
            let owner = TaxiiCaller::owner(&us.id);
            let mut objects: Vec<_> = (0..25)
                .map(|n| indicator(n, "2026-01-02T00:00:00.000Z", Tlp::Green))
                .collect();
            objects.push(indicator(1, "2026-01-03T00:00:00.000Z", Tlp::Green));
            objects.push(indicator(100, "2026-01-02T00:00:00.000Z", Tlp::Amber));
            objects.push(indicator(101, "2026-01-02T00:00:00.000Z", Tlp::AmberStrict));
            objects.push(serde_json::json!({"type": "indicator", "id": "nope"}));
            let status = store
                .add_objects(&owner, &us.id, &id, &objects, "t")
                .await
                .unwrap();
            assert_eq!(
                (status.success_count, status.failure_count),
                (28, 1),
                "{label}"
            );
            let again = store
                .add_objects(&owner, &us.id, &id, &objects[..3], "t")
                .await
                .unwrap();
            assert_eq!(
                again.success_count, 3,
                "{label}: already present is a success"
            );
            let kept = store
                .taxii_status(&owner, &us.id, &status.id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(kept.failures.len(), 1, "{label}");

            // The owner pages through the last versions: 27 objects.
            let mut query = ObjectQuery {
                limit: 10,
                ..ObjectQuery::default()
            };
            let mut seen = Vec::new();
            loop {
                let page = store.objects(&owner, &us.id, &id, &query).await.unwrap();
                seen.extend(page.items.iter().map(|o| o.object_id.clone()));
                query.after = page.items.last().map(|o| o.date_added);
                if !page.more {
                    break;
                }
            }
            assert_eq!(seen.len(), 27, "{label}");
            // The ISAC, cleared for green, reads 25 of them; never amber or amber+strict.
            let partner = TaxiiCaller {
                org_id: isac.id.clone(),
                role: Role::Analyst,
            };
            let page = store
                .objects(&partner, &us.id, &id, &ObjectQuery::default())
                .await
                .unwrap();
            assert_eq!(page.items.len(), 25, "{label}");
            assert!(page.items.iter().all(|o| o.tlp == Tlp::Green), "{label}");
            let err = store
                .add_objects(&partner, &us.id, &id, &objects, "t")
                .await
                .unwrap_err();
            assert!(matches!(err, TaxiiError::Forbidden(_)), "{label}: {err}");
            // Versions of the object with two.
            let versions = store
                .versions(
                    &owner,
                    &us.id,
                    &id,
                    objects[1]["id"].as_str().unwrap(),
                    &ObjectQuery::default(),
                )
                .await
                .unwrap();
            assert_eq!(versions.items.len(), 2, "{label}");
            let first = ObjectQuery {
                versions: vec![VersionMatch::First],
                ids: vec![objects[1]["id"].as_str().unwrap().to_owned()],
                ..ObjectQuery::default()
            };
            let page = store.objects(&owner, &us.id, &id, &first).await.unwrap();
            assert_eq!(
                version_text(page.items[0].version),
                "2026-01-02T00:00:00.000Z",
                "{label}"
            );
            // Another organisation sees neither the root nor the collection.
            let stranger = TaxiiCaller {
                org_id: other.id.clone(),
                role: Role::Admin,
            };
            assert!(
                store
                    .taxii_api_root(&stranger, &us.id)
                    .await
                    .unwrap()
                    .is_none(),
                "{label}"
            );
            let err = store
                .objects(&stranger, &us.id, &id, &ObjectQuery::default())
                .await
                .unwrap_err();
            assert!(matches!(err, TaxiiError::NotFound(_)), "{label}");
            assert!(
                store
                    .taxii_status(&stranger, &us.id, &status.id)
                    .await
                    .unwrap()
                    .is_none()
            );
            // The partner role of the owning organisation does not see its own root.
            let partner_role = TaxiiCaller {
                org_id: us.id.clone(),
                role: Role::Partner,
            };
            assert!(
                store
                    .collections(&partner_role, &us.id)
                    .await
                    .unwrap()
                    .is_empty(),
                "{label}"
            );
            store.close().await;
        }
    }
}
