//! Running long work: worker threads, progress on stderr, and the timing line.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs `work` on `threads` worker threads, or on rayon's default pool (one per core).
pub fn in_pool<T: Send>(
    threads: Option<usize>,
    work: impl FnOnce() -> T + Send,
) -> anyhow::Result<T> {
    Ok(match threads {
        Some(threads) => rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build()
            .map_err(|e| anyhow::anyhow!("cannot start the worker threads: {e}"))?
            .install(work),
        None => work(),
    })
}

/// The one progress line of the CLI: what was loaded or computed and how long it took, on
/// stderr (escaped, as it may name files), hidden by `LIFELINE_QUIET` so that examples and
/// tests read the same on every run.
pub fn tracing_line(message: &str) {
    if std::env::var_os("LIFELINE_QUIET").is_none() {
        errln!("{message}");
    }
}

/// A progress bar on stderr that appears only once the work has run for a second.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    shown: OnceLock<()>,
}

impl Progress {
    pub fn new(len: usize, unit: &str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(&format!(
            "{{spinner}} {{pos}}/{{len}} {unit} [{{bar:30}}] {{elapsed}} (eta {{eta}})"
        )) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress {
            bar,
            started: Instant::now(),
            shown: OnceLock::new(),
        }
    }

    pub fn tick(&self) {
        self.bar.inc(1);
        if self.started.elapsed() > Duration::from_secs(1) {
            self.shown
                .get_or_init(|| self.bar.set_draw_target(ProgressDrawTarget::stderr()));
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
