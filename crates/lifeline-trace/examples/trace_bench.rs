//! Benchmark driver (see `bench/trace_bench.sh`): hashes every event of a document, then
//! ingests it into a fresh repository and runs the rules, printing times and counts.
//!
//! `cargo run --release -p lifeline-trace --example trace_bench -- FILE DB [HASHES_OUT]`

use std::io::Write;
use std::time::Instant;

use lifeline_trace::hash::{HashConfig, event_hash};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(file), Some(db)) = (args.get(1), args.get(2)) else {
        return Err("usage: trace_bench FILE DB [HASHES_OUT]".into());
    };
    let config = HashConfig::default();
    let started = Instant::now();
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
        "hash: {events} events in {:.2} s ({:.0} events/s)",
        hashing.as_secs_f64(),
        events as f64 / hashing.as_secs_f64()
    );
    let _ = std::fs::remove_file(db);
    let started = Instant::now();
    let mut repository = lifeline_trace::repository::Repository::open(std::path::Path::new(db))?;
    let report = repository.ingest(std::fs::File::open(file)?, file)?;
    let ingest = started.elapsed();
    let started = Instant::now();
    let findings = repository.check()?;
    let check = started.elapsed();
    println!(
        "ingest: {} events ({} added) in {:.2} s; check: {} findings in {:.2} s; total {:.2} s",
        report.events,
        report.added,
        ingest.as_secs_f64(),
        findings.len(),
        check.as_secs_f64(),
        (ingest + check).as_secs_f64()
    );
    let mut rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    println!("rules fired: {}", rules.join(", "));
    Ok(())
}
