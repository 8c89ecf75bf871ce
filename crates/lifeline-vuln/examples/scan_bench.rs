//! Benchmark harness for `bench/vuln_bench.py`: loads an OSV zip (or record folder) and a
//! KEV catalogue into the index, scans one SBOM, prints the timings on stderr in the same
//! words as `lifeline sbom scan`, and the JSON report on stdout. It exists so that the
//! benchmark does not need the CLI's LP solver build.
//!
//! `cargo run --release -p lifeline-vuln --example scan_bench -- BOM OSV.zip KEV.json`

use std::time::Instant;

use lifeline_vuln::kev::KevCatalogue;
use lifeline_vuln::osv::AdvisoryIndex;
use lifeline_vuln::scan::{Sources, scan};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bom, osv, kev] = args.as_slice() else {
        return Err("usage: scan_bench BOM OSV.zip KEV.json".into());
    };
    let started = Instant::now();
    let mut index = AdvisoryIndex::new();
    index.add_zip(osv, &std::fs::read(osv)?)?;
    let kev = KevCatalogue::parse(&std::fs::read(kev)?)?;
    eprintln!(
        "loaded {} OSV advisories ({} withdrawn left out, {} package entries) in {:.2} s",
        index.stats.records - index.stats.withdrawn,
        index.stats.withdrawn,
        index.stats.affected_entries,
        started.elapsed().as_secs_f64()
    );
    let sbom = lifeline_vuln::read_sbom(&std::fs::read(bom)?)?.sbom;
    let started = Instant::now();
    let report = scan(
        &sbom,
        bom,
        Sources {
            advisories: &index,
            kev: Some(&kev),
            vex: &[],
        },
    );
    eprintln!(
        "scanned 1 SBOM(s), {} components in {:.3} s",
        report.summary.components,
        started.elapsed().as_secs_f64()
    );
    let document = serde_json::json!({"advisories": index.stats, "reports": [report]});
    println!("{}", serde_json::to_string(&document)?);
    Ok(())
}
