//! The job runner: one job at a time (a sweep already uses every core), in a blocking
//! thread, with its progress in memory while it runs and its outcome stored when it ends.
//! Jobs left queued or running by a stopped server run again at the next start.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use lifeline_store::{Access, Store};
use tokio::sync::mpsc;

use crate::analysis;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct Runner {
    queue: mpsc::UnboundedSender<String>,
    progress: Arc<Mutex<HashMap<String, Arc<AtomicI64>>>>,
}

impl Runner {
    /// Starts the worker; it stops when every `Runner` clone is dropped.
    pub fn start(store: Store, metrics: Arc<Metrics>) -> Runner {
        let (queue, mut jobs) = mpsc::unbounded_channel::<String>();
        let runner = Runner {
            queue,
            progress: Arc::default(),
        };
        let progress = Arc::clone(&runner.progress);
        tokio::spawn(async move {
            while let Some(id) = jobs.recv().await {
                run_one(&store, &progress, &metrics, &id).await;
            }
        });
        runner
    }

    pub fn submit(&self, id: String) {
        // The worker lives as long as the server; a send fails only during shutdown, and
        // the job then runs at the next start.
        let _ = self.queue.send(id);
    }

    /// Steps done by a running job.
    pub fn progress(&self, id: &str) -> Option<i64> {
        let map = self.progress.lock().ok()?;
        map.get(id).map(|done| done.load(Ordering::Relaxed))
    }
}

async fn run_one(
    store: &Store,
    progress: &Arc<Mutex<HashMap<String, Arc<AtomicI64>>>>,
    metrics: &Metrics,
    id: &str,
) {
    let finish = |outcome: Result<analysis::Outcome, String>, done: i64| {
        let store = store.clone();
        let id = id.to_owned();
        async move {
            let (outcome, warnings) = match outcome {
                Ok(o) => (Ok(o.document), o.warnings),
                Err(e) => (Err(e), Vec::new()),
            };
            metrics.job_finished(outcome.is_ok());
            if let Err(e) = store.finish_job(&id, outcome, done, &warnings).await {
                tracing::error!(job = %id, error = %e, "cannot store the job's outcome");
            }
        }
    };
    let job = match store.unfinished_job(id).await {
        Ok(Some(job)) => job,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(job = %id, error = %e, "cannot read the job");
            return;
        }
    };
    let access = Access {
        org_id: job.org_id.clone(),
        own: true,
    };
    let stored = match store
        .network_body(&access, &job.network_id, Some(job.network_version))
        .await
    {
        Ok(Some(stored)) => stored,
        Ok(None) => {
            finish(Err("the network is no longer readable".into()), 0).await;
            return;
        }
        Err(e) => {
            tracing::error!(job = %id, error = %e, "cannot read the job's network");
            return;
        }
    };
    if let Err(e) = store.start_job(id).await {
        tracing::error!(job = %id, error = %e, "cannot mark the job running");
        return;
    }
    tracing::info!(job = %id, kind = job.kind.as_str(), "job started");
    let done = Arc::new(AtomicI64::new(0));
    if let Ok(mut map) = progress.lock() {
        map.insert(id.to_owned(), Arc::clone(&done));
    }
    let counter = Arc::clone(&done);
    let outcome = tokio::task::spawn_blocking(move || {
        let loaded = analysis::load_stored(&stored).map_err(|e| e.body.message)?;
        let prepared = analysis::prepare(job.kind, &job.params, &loaded.network)
            .map_err(|e| e.body.message)?;
        analysis::run(&loaded.network, &prepared, &|| {
            counter.fetch_add(1, Ordering::Relaxed);
        })
    })
    .await
    .unwrap_or_else(|e| Err(format!("the job stopped: {e}")));
    finish(outcome, done.load(Ordering::Relaxed)).await;
    if let Ok(mut map) = progress.lock() {
        map.remove(id);
    }
    tracing::info!(job = %id, "job finished");
}
