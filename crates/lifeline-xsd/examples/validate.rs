//! Validates one file against an embedded schema set and prints the problems, the size,
//! the time and the throughput; used by `bench/xsd_validate.sh`.
//!
//! `cargo run --release -p lifeline-xsd --example validate -- epcis|epcis-1.2|cyclonedx-1.N FILE`

use std::io::BufReader;
use std::process::ExitCode;
use std::time::Instant;

use lifeline_xsd::{Schema, SchemaSet};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [set, file] = args.as_slice() else {
        eprintln!("usage: validate epcis|epcis-1.2|cyclonedx-1.N FILE");
        return ExitCode::from(2);
    };
    let set = match set.as_str() {
        "epcis" => SchemaSet::Epcis2_0,
        "epcis-1.2" => SchemaSet::Epcis1_2,
        other => match other
            .strip_prefix("cyclonedx-1.")
            .and_then(|minor| minor.parse().ok())
        {
            Some(minor) => SchemaSet::CycloneDx { minor },
            None => {
                eprintln!("unknown schema set `{other}`");
                return ExitCode::from(2);
            }
        },
    };
    let started = Instant::now();
    let schema = match Schema::compile(set) {
        Ok(schema) => schema,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    let compiled = started.elapsed();
    let opened = match std::fs::File::open(file) {
        Ok(opened) => opened,
        Err(error) => {
            eprintln!("{file}: {error}");
            return ExitCode::from(2);
        }
    };
    let bytes = opened.metadata().map(|m| m.len()).unwrap_or(0);
    let started = Instant::now();
    let outcome = schema.validate(BufReader::with_capacity(1 << 16, opened));
    let seconds = started.elapsed().as_secs_f64();
    match outcome {
        Ok(validation) => {
            for problem in &validation.problems {
                println!("{file}: {problem}");
            }
            let megabytes = bytes as f64 / 1e6;
            eprintln!(
                "{file}: {} ({} problems), {megabytes:.1} MB in {seconds:.2} s = {:.1} MB/s (schema compiled in {} ms)",
                if validation.is_valid() {
                    "valid"
                } else {
                    "invalid"
                },
                validation.problems.len() as u64 + validation.omitted,
                megabytes / seconds.max(1e-9),
                compiled.as_millis()
            );
            if validation.is_valid() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => {
            eprintln!("{file}: {error}");
            ExitCode::from(2)
        }
    }
}
