//! Background jobs (stress tests, simulations, Monte Carlo runs) and their results.

use serde::{Deserialize, Serialize};
use sqlx::Row as _;

use crate::ids::holds_nul;
use crate::{Access, AuditEntry, Store, StoreError, new_id, now_ms};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobKind {
    Stress,
    Simulate,
    Montecarlo,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Stress => "stress",
            JobKind::Simulate => "simulate",
            JobKind::Montecarlo => "montecarlo",
        }
    }

    fn parse(s: &str) -> Result<JobKind, StoreError> {
        match s {
            "stress" => Ok(JobKind::Stress),
            "simulate" => Ok(JobKind::Simulate),
            "montecarlo" => Ok(JobKind::Montecarlo),
            other => Err(StoreError::Corrupt(format!("job kind `{other}`"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<JobState, StoreError> {
        match s {
            "queued" => Ok(JobState::Queued),
            "running" => Ok(JobState::Running),
            "succeeded" => Ok(JobState::Succeeded),
            "failed" => Ok(JobState::Failed),
            other => Err(StoreError::Corrupt(format!("job state `{other}`"))),
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Succeeded | JobState::Failed)
    }
}

/// A job to queue: what to run on which network version, with which parameters (the
/// request body, as JSON), and how many steps it has (scenarios, replications).
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: JobKind,
    pub network_id: String,
    pub network_version: i64,
    pub params: serde_json::Value,
    pub total: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: String,
    pub org_id: String,
    pub kind: JobKind,
    pub network_id: String,
    pub network_version: i64,
    pub params: serde_json::Value,
    pub state: JobState,
    pub done: i64,
    pub total: i64,
    pub error: Option<String>,
    pub warnings: Vec<String>,
    pub created_at: i64,
    pub created_by: String,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

const JOB_COLUMNS: &str = "j.id AS id, j.org_id AS org_id, j.kind AS kind, \
     j.network_id AS network_id, j.network_version AS network_version, j.params AS params, \
     j.state AS state, j.done AS done, j.total AS total, j.error AS error, \
     j.warnings AS warnings, j.created_at AS created_at, j.created_by AS created_by, \
     j.started_at AS started_at, j.finished_at AS finished_at";

/// Jobs visible to `access`: the organisation's own (but to a partner), and those that the
/// owner of a network shared with it ran on that network. Not the jobs a third
/// organisation, which the network was also shared with, ran on it: those are the third
/// organisation's.
const VISIBLE: &str = "((j.org_id = $1 AND $2 = 1) OR EXISTS (SELECT 1 FROM shares s \
     WHERE s.kind = 'network' AND s.resource_id = j.network_id AND s.partner_org_id = $1 \
     AND s.org_id = j.org_id))";

fn job_of(row: &sqlx::any::AnyRow) -> Result<Job, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt(e.to_string());
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    let params: String = row.try_get("params")?;
    let warnings: String = row.try_get("warnings")?;
    Ok(Job {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        kind: JobKind::parse(&kind)?,
        network_id: row.try_get("network_id")?,
        network_version: row.try_get("network_version")?,
        params: serde_json::from_str(&params).map_err(corrupt)?,
        state: JobState::parse(&state)?,
        done: row.try_get("done")?,
        total: row.try_get("total")?,
        error: row.try_get("error")?,
        warnings: serde_json::from_str(&warnings).map_err(corrupt)?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

impl Store {
    /// Queues a job of `org_id` on a network the caller can read (checked by the caller).
    pub async fn queue_job(
        &self,
        org_id: &str,
        job: &NewJob,
        actor: &str,
    ) -> Result<String, StoreError> {
        let id = new_id("job");
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO jobs (id, org_id, kind, network_id, network_version, params, state, \
             done, total, warnings, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, '[]', $8, $9)",
        )
        .bind(id.as_str())
        .bind(org_id)
        .bind(job.kind.as_str())
        .bind(job.network_id.as_str())
        .bind(job.network_version)
        .bind(job.params.to_string())
        .bind(job.total)
        .bind(now_ms())
        .bind(actor)
        .execute(tx.conn())
        .await?;
        tx.commit(
            AuditEntry::new(actor, "job.queue", &id)
                .org(org_id)
                .detail(serde_json::json!({
                    "kind": job.kind, "network": job.network_id, "version": job.network_version
                })),
        )
        .await?;
        Ok(id)
    }

    pub async fn job(&self, access: &Access, id: &str) -> Result<Option<Job>, StoreError> {
        if holds_nul(id) {
            return Ok(None);
        }
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs j WHERE {VISIBLE} AND j.id = $3");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(i64::from(access.own))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(job_of).transpose()
    }

    /// Jobs visible to `access`, newest first, at most `limit`.
    pub async fn jobs(&self, access: &Access, limit: i64) -> Result<Vec<Job>, StoreError> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs j WHERE {VISIBLE} \
             ORDER BY j.created_at DESC, j.id LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(i64::from(access.own))
            .bind(limit.clamp(1, 1000))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(job_of).collect()
    }

    /// The newest job of `kind` on a network visible to `access` (any version), in state
    /// `state` or in any: what the dashboard shows for that network.
    pub async fn latest_job(
        &self,
        access: &Access,
        network_id: &str,
        kind: JobKind,
        state: Option<JobState>,
    ) -> Result<Option<Job>, StoreError> {
        if holds_nul(network_id) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs j WHERE {VISIBLE} AND j.network_id = $3 \
             AND j.kind = $4 AND ($5 = '' OR j.state = $5) \
             ORDER BY j.created_at DESC, j.id DESC LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(i64::from(access.own))
            .bind(network_id)
            .bind(kind.as_str())
            .bind(state.map(JobState::as_str).unwrap_or_default())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(job_of).transpose()
    }

    /// The result of a finished job visible to `access`.
    pub async fn job_result(
        &self,
        access: &Access,
        id: &str,
    ) -> Result<Option<(Job, Option<String>)>, StoreError> {
        if holds_nul(id) {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {JOB_COLUMNS}, j.result AS result FROM jobs j WHERE {VISIBLE} AND j.id = $3"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(access.org_id.as_str())
            .bind(i64::from(access.own))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| Ok((job_of(&row)?, row.try_get("result")?)))
            .transpose()
    }

    /// Jobs that were queued or running when the server stopped, oldest first: the
    /// server runs them again at start.
    pub async fn unfinished_jobs(&self) -> Result<Vec<Job>, StoreError> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs j WHERE j.state IN ('queued', 'running') \
             ORDER BY j.created_at, j.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(job_of).collect()
    }

    /// One queued or running job, whoever owns it: for the job runner only.
    pub async fn unfinished_job(&self, id: &str) -> Result<Option<Job>, StoreError> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs j WHERE j.state IN ('queued', 'running') AND j.id = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(job_of).transpose()
    }

    /// Marks a job running (not audited: a state change of the system's own, recorded in
    /// the job's row; its outcome is audited by [`Store::finish_job`]).
    pub async fn start_job(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE jobs SET state = 'running', started_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Records a job's outcome: its result document, or the error, and the warnings.
    pub async fn finish_job(
        &self,
        id: &str,
        outcome: Result<String, String>,
        done: i64,
        warnings: &[String],
    ) -> Result<(), StoreError> {
        let (state, result, error) = match outcome {
            Ok(result) => (JobState::Succeeded, Some(result), None),
            Err(error) => (JobState::Failed, None, Some(error)),
        };
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT org_id FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_one(tx.conn())
            .await?;
        let org_id: String = row.try_get("org_id")?;
        sqlx::query(
            "UPDATE jobs SET state = $1, result = $2, error = $3, done = $4, warnings = $5, \
             finished_at = $6 WHERE id = $7",
        )
        .bind(state.as_str())
        .bind(result.as_deref())
        .bind(error.as_deref())
        .bind(done)
        .bind(serde_json::to_string(warnings).unwrap_or_else(|_| "[]".into()))
        .bind(now_ms())
        .bind(id)
        .execute(tx.conn())
        .await?;
        tx.commit(
            AuditEntry::new("system", "job.finish", id)
                .org(&org_id)
                .detail(serde_json::json!({ "state": state, "error": error })),
        )
        .await?;
        Ok(())
    }
}
