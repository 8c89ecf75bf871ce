//! The risk register benchmark: a synthetic register of VENDORS vendors over a network
//! written by `lifeline generate`, FINDINGS scan findings over their products, scored with
//! `lifeline_risk::score`. Each phase is timed apart: the stress sweep (or reading a
//! saved `lifeline stress --format json` report), reading the scan JSON, scoring, and
//! writing the register's JSON. Run it in release; `bench/risk.sh` drives it.
//!
//!   risk_bench NETWORK.json [--vendors N] [--findings N] [--stress REPORT.json] [--seed S]
//!
//! Every vendor operates `nodes / vendors` nodes (node i belongs to vendor i mod N): the
//! example writes the `vendor` fields into the network before validating it. Controls,
//! answers, incidents, subcontractors and findings are drawn from a seeded generator, so a
//! run is repeatable. Prints a Markdown table on stdout.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use lifeline_risk::findings;
use lifeline_risk::model::{
    Answer, AnswerValue, Control, ControlId, Controls, Evidence, Incident, Product, Register,
    Vendor,
};
use lifeline_risk::score::{self, Inputs};
use lifeline_stress::StressConfig;
use time::macros::date;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

struct Args {
    network: String,
    vendors: usize,
    findings: usize,
    stress: Option<String>,
    seed: u64,
}

fn args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut parsed = Args {
        network: String::new(),
        vendors: 5_000,
        findings: 200_000,
        stress: None,
        seed: 7,
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--vendors" => {
                parsed.vendors = value("--vendors")?
                    .parse()
                    .map_err(|e| format!("--vendors: {e}"))?
            }
            "--findings" => {
                parsed.findings = value("--findings")?
                    .parse()
                    .map_err(|e| format!("--findings: {e}"))?
            }
            "--seed" => {
                parsed.seed = value("--seed")?
                    .parse()
                    .map_err(|e| format!("--seed: {e}"))?
            }
            "--stress" => parsed.stress = Some(value("--stress")?),
            _ if parsed.network.is_empty() && !arg.starts_with('-') => parsed.network = arg,
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    if parsed.network.is_empty() {
        return Err("usage: risk_bench NETWORK.json [--vendors N] [--findings N] [--stress REPORT.json] [--seed S]".into());
    }
    if parsed.vendors == 0 {
        return Err("--vendors must be at least 1".into());
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("risk_bench: {message}");
            ExitCode::from(2)
        }
    }
}

fn vendor_id(i: usize) -> String {
    format!("vendor-{i:05}")
}

fn run() -> Result<(), String> {
    let args = args()?;
    let text = std::fs::read_to_string(&args.network)
        .map_err(|e| format!("cannot read `{}`: {e}", args.network))?;
    let mut document: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", args.network))?;
    let nodes = document
        .get_mut("nodes")
        .and_then(|n| n.as_array_mut())
        .ok_or_else(|| format!("{}: no `nodes` list", args.network))?;
    for (i, node) in nodes.iter_mut().enumerate() {
        if let Some(node) = node.as_object_mut() {
            node.insert(
                "vendor".into(),
                serde_json::Value::String(vendor_id(i % args.vendors)),
            );
        }
    }
    let text = serde_json::to_string(&document).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let loaded = lifeline_network::from_str(
        &text,
        lifeline_network::Format::Json,
        Path::new(&args.network),
    )
    .map_err(|e| e.to_string())?;
    let network = loaded.network;
    let load_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let (stress, sweep_what) = match &args.stress {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
            let report: lifeline_stress::Report =
                serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
            (report, "stress report read")
        }
        None => {
            let scenarios = network.scenarios();
            let report =
                lifeline_stress::run(&network, &scenarios, &StressConfig::default(), &|| {})
                    .map_err(|e| e.to_string())?;
            (report, "stress sweep")
        }
    };
    let sweep_s = started.elapsed().as_secs_f64();

    let mut rng = Rng(args.seed);
    let register = synthetic_register(&mut rng, args.vendors);
    let scan = synthetic_scan(&mut rng, args.vendors, args.findings);

    let started = Instant::now();
    let observations = vec![findings::read(&scan, "bench-scan.json").map_err(|e| e.to_string())?];
    let read_s = started.elapsed().as_secs_f64();

    let as_of = date!(2026 - 12 - 01);
    let started = Instant::now();
    let scored = score::score(&Inputs {
        register: &register,
        network: &network,
        stress: &stress,
        observations: &observations,
        as_of,
    });
    let score_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let json = serde_json::to_string_pretty(&scored).map_err(|e| e.to_string())?;
    let json_s = started.elapsed().as_secs_f64();

    let attached: usize = scored.vendors.iter().map(|v| v.findings.open).sum();
    let with_impact = scored.vendors.iter().filter(|v| v.impact.is_some()).count();
    let mut tiers = [0usize; 4];
    for v in &scored.vendors {
        tiers[v.tier as usize] += 1;
    }
    let mut out = String::new();
    let _ = writeln!(out, "| phase | seconds |");
    let _ = writeln!(out, "|---|---:|");
    let _ = writeln!(
        out,
        "| network load and validation ({} nodes) | {load_s:.3} |",
        network.nodes().len()
    );
    let _ = writeln!(
        out,
        "| {sweep_what} ({} scenarios) | {sweep_s:.3} |",
        stress.scenarios.len()
    );
    let _ = writeln!(
        out,
        "| read scan JSON ({} findings, {:.1} MB) | {read_s:.3} |",
        args.findings,
        scan.len() as f64 / 1e6
    );
    let _ = writeln!(
        out,
        "| **score {} vendors** | **{score_s:.3}** |",
        args.vendors
    );
    let _ = writeln!(
        out,
        "| write register JSON ({:.1} MB) | {json_s:.3} |",
        json.len() as f64 / 1e6
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{} vendors, {with_impact} with an impact, {attached} open findings attached; tiers: {} critical, {} high, {} medium, {} low",
        scored.vendors.len(),
        tiers[0],
        tiers[1],
        tiers[2],
        tiers[3]
    );
    print!("{out}");
    Ok(())
}

fn evidence(rng: &mut Rng) -> Vec<Evidence> {
    if rng.unit() < 0.4 {
        return Vec::new();
    }
    let expires = date!(2026 - 12 - 01) + time::Duration::days(rng.below(700) as i64 - 200);
    vec![Evidence {
        kind: "soc2-type2".into(),
        issued: None,
        expires: Some(expires),
        reference: None,
    }]
}

fn synthetic_register(rng: &mut Rng, vendors: usize) -> Register {
    let mut list = Vec::with_capacity(vendors);
    for i in 0..vendors {
        let mut controls = Controls::default();
        for id in ControlId::ALL {
            let roll = rng.unit();
            if roll < 0.2 {
                continue; // unknown
            }
            let mut control = Control {
                in_place: roll > 0.35,
                evidence: evidence(rng),
                ..Control::default()
            };
            match id {
                ControlId::OfflineBackups => {
                    control.last_restore_test =
                        Some(date!(2026 - 12 - 01) - time::Duration::days(rng.below(900) as i64));
                    control.restore_hours = Some(4.0 + rng.below(200) as f64);
                }
                ControlId::AwarenessTraining => {
                    control.completion = Some(rng.unit());
                    control.phishing_click_rate = Some(rng.unit() * 0.3);
                }
                ControlId::VulnerabilityManagement => {
                    control.critical_patch_days = Some(5.0 + rng.below(120) as f64);
                }
                _ => {}
            }
            controls.0.insert(id, control);
        }
        let answers = (1..=6)
            .map(|q| Answer {
                question: format!("GV.SC-{q:02}"),
                answer: [
                    AnswerValue::Yes,
                    AnswerValue::Partial,
                    AnswerValue::No,
                    AnswerValue::Na,
                ][rng.below(4) as usize],
                evidence: evidence(rng),
                comment: None,
            })
            .collect();
        let incidents = (0..rng.below(3))
            .map(|_| Incident {
                date: date!(2026 - 12 - 01) - time::Duration::days(rng.below(2500) as i64),
                kind: ["ransomware", "breach", "outage"][rng.below(3) as usize].into(),
                downtime_days: Some(rng.below(40) as f64),
                source: None,
            })
            .collect();
        let subcontractors = if rng.unit() < 0.2 {
            let other = rng.below(vendors as u64) as usize;
            if other == i {
                Vec::new()
            } else {
                vec![vendor_id(other)]
            }
        } else {
            Vec::new()
        };
        let products = (0..2)
            .map(|p| Product {
                id: format!("{}-p{p}", vendor_id(i)),
                name: format!("Product {p}"),
                sbom: Some(format!("urn:uuid:00000000-0000-4000-8000-{i:08}{p:04}")),
                ..Product::default()
            })
            .collect();
        list.push(Vendor {
            id: vendor_id(i),
            name: format!("Vendor {i}"),
            kind: Some("manufacturer".into()),
            subcontractors,
            products,
            controls,
            answers,
            incidents,
            ..Vendor::default()
        });
    }
    Register {
        format: lifeline_risk::FORMAT,
        as_of: None,
        vendors: list,
    }
}

/// One scan document over every product's SBOM, `findings` findings in all.
fn synthetic_scan(rng: &mut Rng, vendors: usize, findings: usize) -> String {
    let sboms = vendors * 2;
    let mut text = String::with_capacity(findings * 260);
    text.push_str("{\"reports\": [");
    for s in 0..sboms {
        let (i, p) = (s / 2, s % 2);
        if s > 0 {
            text.push(',');
        }
        let _ = write!(
            text,
            "{{\"source\": \"sbom-{s}.cdx.json\", \"serialNumber\": \"urn:uuid:00000000-0000-4000-8000-{i:08}{p:04}\", \"product\": {{\"purl\": null, \"name\": \"p{s}\", \"version\": \"1\"}}, \"findings\": ["
        );
        let count = findings / sboms + usize::from(s < findings % sboms);
        for f in 0..count {
            if f > 0 {
                text.push(',');
            }
            let roll = rng.unit();
            let (severity, kev) = if roll < 0.005 {
                (
                    "CRITICAL",
                    "{\"dueDate\": \"2024-01-01\", \"knownRansomwareCampaignUse\": \"Known\"}",
                )
            } else if roll < 0.015 {
                (
                    "HIGH",
                    "{\"dueDate\": \"2024-01-01\", \"knownRansomwareCampaignUse\": \"Unknown\"}",
                )
            } else if roll < 0.1 {
                ("CRITICAL", "null")
            } else if roll < 0.35 {
                ("HIGH", "null")
            } else {
                ("MEDIUM", "null")
            };
            let n = rng.below(100_000);
            let _ = write!(
                text,
                "{{\"component\": {{\"purl\": \"pkg:npm/c{f}@1.{n}\", \"name\": \"c{f}\", \"version\": \"1.{n}\"}}, \"id\": \"CVE-2099-{n:05}\", \"severity\": \"{severity}\", \"score\": 7.5, \"fixedVersions\": [\"2.0\"], \"kev\": {kev}, \"status\": \"open\"}}"
            );
        }
        text.push_str("]}");
    }
    text.push_str("]}\n");
    text
}
