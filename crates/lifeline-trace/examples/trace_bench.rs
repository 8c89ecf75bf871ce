//! Benchmark driver (see `bench/trace_bench.sh`): hashes every event of a document, then
//! ingests it into a fresh repository and runs the rules, printing times and counts.
//!
//! `cargo run --release -p lifeline-trace --example trace_bench -- FILE DB [HASHES_OUT]`

/// The allocator the `lifeline` binary uses, so that the figures are the CLI's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Write;
use std::time::Instant;

use lifeline_trace::hash::{HashConfig, event_hash};

/// CPU seconds (user + system) of this process so far, from `/proc/self/stat` (Linux);
/// 0 elsewhere.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds of each thread of this process now, by thread id (Linux `/proc`).
fn thread_cpu() -> Vec<(u32, f64)> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for task in tasks.flatten() {
        let Some(tid) = task
            .file_name()
            .to_str()
            .and_then(|t| t.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        out.push((tid, (ticks(11) + ticks(12)) / 100.0));
    }
    out
}

/// Samples every thread's CPU time until dropped, so that a phase's worker threads (gone by
/// the end of the phase) can still be accounted for.
struct Monitor {
    seen: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<u32, f64>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Monitor {
    fn start() -> Self {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (s, t) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            let me = std::fs::read_link("/proc/thread-self")
                .ok()
                .and_then(|p| p.file_name()?.to_str()?.parse::<u32>().ok());
            while !t.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(mut map) = s.lock() {
                    for (tid, cpu) in thread_cpu() {
                        if Some(tid) != me {
                            map.insert(tid, cpu);
                        }
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        });
        Monitor { seen, stop }
    }

    /// CPU seconds per thread as last sampled.
    fn snapshot(&self) -> std::collections::HashMap<u32, f64> {
        if let Ok(mut map) = self.seen.lock() {
            for (tid, cpu) in thread_cpu() {
                map.insert(tid, cpu);
            }
            return map.clone();
        }
        Default::default()
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The busiest thread's CPU in a phase: on an otherwise idle machine with enough cores, the
/// phase cannot take less wall time than this.
fn busiest(
    before: &std::collections::HashMap<u32, f64>,
    after: &std::collections::HashMap<u32, f64>,
) -> f64 {
    let mut spent: Vec<f64> = after
        .iter()
        .map(|(tid, cpu)| cpu - before.get(tid).copied().unwrap_or(0.0))
        .filter(|s| *s > 0.005)
        .collect();
    spent.sort_by(|a, b| b.total_cmp(a));
    let shown: Vec<String> = spent.iter().take(3).map(|s| format!("{s:.2}")).collect();
    println!("  busiest threads (s CPU): {}", shown.join(", "));
    spent.first().copied().unwrap_or(0.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(file), Some(db)) = (args.get(1), args.get(2)) else {
        return Err("usage: trace_bench FILE DB [HASHES_OUT]".into());
    };
    let config = HashConfig::default();
    let started = Instant::now();
    let cpu = cpu_seconds();
    let mut out: Box<dyn Write> = match args.get(3) {
        Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => Box::new(std::io::sink()),
    };
    let (_, events) =
        lifeline_trace::visit_events(std::fs::File::open(file)?, &mut |header, event| {
            writeln!(out, "{}", event_hash(&event, header, config))
                .map_err(lifeline_trace::TraceError::Io)
        })?;
    out.flush()?;
    let hashing = started.elapsed();
    println!(
        "hash: {events} events in {:.2} s wall, {:.2} s CPU ({:.0} events/s)",
        hashing.as_secs_f64(),
        cpu_seconds() - cpu,
        events as f64 / hashing.as_secs_f64()
    );
    if db == "-" {
        return Ok(());
    }
    let _ = std::fs::remove_file(db);
    let monitor = Monitor::start();
    let started = Instant::now();
    let cpu = cpu_seconds();
    let threads = monitor.snapshot();
    let mut repository = lifeline_trace::repository::Repository::open(std::path::Path::new(db))?;
    let report = repository.ingest(std::fs::File::open(file)?, file)?;
    let ingest = started.elapsed();
    let ingest_cpu = cpu_seconds() - cpu;
    let after_ingest = monitor.snapshot();
    let ingest_busiest = busiest(&threads, &after_ingest);
    let started = Instant::now();
    let cpu = cpu_seconds();
    // Streamed, so that memory does not follow the number of findings; counted per rule.
    let mut fired: std::collections::BTreeMap<&'static str, usize> = Default::default();
    let mut count = 0usize;
    repository.check_each(&mut |finding| {
        count += 1;
        *fired.entry(finding.rule.as_str()).or_default() += 1;
        std::ops::ControlFlow::Continue(())
    })?;
    let check = started.elapsed();
    let check_cpu = cpu_seconds() - cpu;
    let check_busiest = busiest(&after_ingest, &monitor.snapshot());
    drop(monitor);
    println!(
        "ingest: {} events ({} added) in {:.2} s wall, {:.2} s CPU; check: {} findings in {:.2} s wall, {:.2} s CPU; total {:.2} s wall, {:.2} s CPU",
        report.events,
        report.added,
        ingest.as_secs_f64(),
        ingest_cpu,
        count,
        check.as_secs_f64(),
        check_cpu,
        (ingest + check).as_secs_f64(),
        ingest_cpu + check_cpu
    );
    println!(
        "busiest thread: ingest {ingest_busiest:.2} s CPU, check {check_busiest:.2} s CPU, total {:.2} s (the least wall time on an idle machine)",
        ingest_busiest + check_busiest
    );
    let fired: Vec<String> = fired.iter().map(|(r, n)| format!("{r} {n}")).collect();
    println!("rules fired: {}", fired.join(", "));
    Ok(())
}
