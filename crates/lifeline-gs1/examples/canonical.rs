//! Reads identifiers, one a line, on stdin and prints `canonical_digital_link` of each on
//! stdout: the URI, `<none>` (not a GS1 identifier) or `<error> message`. With
//! `--repeat N` it converts the whole input N times more and prints the time per identifier
//! to stderr. Used by `tools/gs1_dl_oracle.py` (differential test and timing against the
//! CBV 2.0 reference implementation); not part of the library.

use std::io::{BufRead, Write};
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let arguments: Vec<String> = std::env::args().collect();
    let repeat: usize = match arguments.iter().position(|a| a == "--repeat") {
        Some(index) => arguments
            .get(index + 1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
        None => 0,
    };
    let lines: Vec<String> = std::io::stdin().lock().lines().collect::<Result<_, _>>()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in &lines {
        match lifeline_gs1::canonical_digital_link(line) {
            Ok(Some(link)) => writeln!(out, "{link}")?,
            Ok(None) => writeln!(out, "<none>")?,
            Err(error) => writeln!(out, "<error> {}", error.to_string().replace('\n', " "))?,
        }
    }
    out.flush()?;
    if repeat > 0 {
        let start = Instant::now();
        let mut produced = 0usize;
        for _ in 0..repeat {
            for line in &lines {
                if let Ok(Some(link)) = lifeline_gs1::canonical_digital_link(line) {
                    produced += link.len();
                }
            }
        }
        let elapsed = start.elapsed();
        let per_identifier = elapsed.as_secs_f64() * 1e9 / (repeat * lines.len().max(1)) as f64;
        eprintln!(
            "rust: {} identifiers x {repeat} in {:.3} s: {per_identifier:.0} ns per identifier ({produced} bytes out)",
            lines.len(),
            elapsed.as_secs_f64()
        );
    }
    Ok(())
}
