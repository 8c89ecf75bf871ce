//! `lifeline stress`: runs the sweep and renders the ranked report as a table, JSON or CSV.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};
use lifeline_network::{Loaded, Scenario};
use lifeline_stress::{Report, ScenarioResult, StressConfig};

use crate::input::{self, load_or_report};
use crate::output::{self, quantity};
use crate::progress::{Progress, in_pool, tracing_line};

#[derive(Debug, Args)]
pub struct StressArgs {
    /// Network document: `.json`, `.yaml`/`.yml`, or a folder of CSV tables
    network: PathBuf,
    /// Scenarios to run instead of the network's own (`{"scenarios": [...]}` or a list)
    #[arg(long)]
    scenarios: Option<PathBuf>,
    /// Report format
    #[arg(long, value_enum, default_value_t = StressFormat::Table)]
    format: StressFormat,
    /// Write the report to this file instead of stdout
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Worker threads (default: one per core)
    #[arg(long)]
    threads: Option<usize>,
    /// Only the K highest-ranked scenarios
    #[arg(long)]
    top: Option<usize>,
    /// Solve the TTR program even where TTS already covers TTR (slower; same results)
    #[arg(long)]
    solve_all: bool,
    /// With the table: also print each shown scenario's rerouting plan (which source
    /// ships how much to whom over the TTR window)
    #[arg(long)]
    plan: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StressFormat {
    Table,
    Json,
    Csv,
}

pub fn run(args: &StressArgs) -> anyhow::Result<u8> {
    let Loaded { network, warnings } = load_or_report(&args.network)?;
    for warning in &warnings {
        eprintln!("{warning}");
    }
    let scenarios: Vec<Scenario> = match &args.scenarios {
        Some(path) => input::read_scenarios(path, &network)?,
        None => network.scenarios(),
    };
    if scenarios.is_empty() {
        match &args.scenarios {
            Some(path) => eprintln!("warning: `{}` holds no scenario", path.display()),
            None => eprintln!(
                "warning: no scenario to run: no node, site or platform has a `ttr`, and the network has no `scenarios`"
            ),
        }
    }

    let config = StressConfig {
        skip_covered: !args.solve_all,
    };
    let bar = Progress::new(scenarios.len(), "scenarios");
    let started = Instant::now();
    let sweep = || lifeline_stress::run(&network, &scenarios, &config, &|| bar.tick());
    let report = in_pool(args.threads, sweep)??;
    bar.finish();
    tracing_line(&format!(
        "{} scenarios in {:.2} s",
        report.scenarios.len(),
        started.elapsed().as_secs_f64()
    ));

    let mut ranked = report.ranked();
    if let Some(top) = args.top {
        ranked.truncate(top);
    }
    let mut out = output::open(args.output.as_deref())?;
    match args.format {
        StressFormat::Table => {
            write_table(&mut out, &report, &ranked)?;
            if args.plan {
                write_plans(&mut out, &ranked)?;
            }
        }
        StressFormat::Json => write_json(&mut out, &report, &ranked)?,
        StressFormat::Csv => write_csv(&mut out, &ranked)?,
    }
    out.flush()?;
    Ok(0)
}

fn write_json(
    out: &mut dyn Write,
    report: &Report,
    ranked: &[&ScenarioResult],
) -> anyhow::Result<()> {
    let document = serde_json::json!({
        "network": report.network,
        "horizon": report.horizon,
        "baseline_tts": report.baseline_tts,
        "baseline_tts_capped": report.baseline_tts_capped,
        "scenarios": ranked,
    });
    crate::output::json(out, &document)
}

fn write_csv(out: &mut dyn Write, ranked: &[&ScenarioResult]) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "id",
        "kind",
        "ttr",
        "tts",
        "tts_capped",
        "gap",
        "performance_impact",
        "rei",
        "lost_units",
        "spend",
        "quadrant",
        "runs_short",
    ])?;
    let number = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
    for s in ranked {
        let short: Vec<String> = s
            .lost_units
            .0
            .iter()
            .map(|(id, units)| format!("{id}={units}"))
            .collect();
        let quadrant = s
            .quadrant
            .map(|q| {
                serde_json::to_value(q)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        writer.write_record([
            s.id.clone(),
            s.kind.clone(),
            number(s.ttr),
            s.tts.to_string(),
            s.tts_capped.to_string(),
            number(s.gap),
            number(s.performance_impact),
            number(s.rei),
            s.total_lost_units().to_string(),
            number(s.spend),
            quadrant,
            short.join(";"),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

fn write_table(
    out: &mut dyn Write,
    report: &Report,
    ranked: &[&ScenarioResult],
) -> anyhow::Result<()> {
    let capped = |tts: f64, is_capped: bool| {
        if is_capped {
            format!("≥{}", quantity(tts))
        } else {
            quantity(tts)
        }
    };
    let name = if report.network.is_empty() {
        "network"
    } else {
        &report.network
    };
    writeln!(
        out,
        "{name}: {} scenarios, baseline TTS {}{}",
        report.scenarios.len(),
        capped(report.baseline_tts, report.baseline_tts_capped),
        if report.baseline_tts_capped {
            " (capped at the horizon)"
        } else {
            ""
        },
    )?;
    writeln!(out)?;
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .enumerate()
        .map(|(rank, s)| {
            let optional = |x: Option<f64>| x.map_or_else(|| "-".to_owned(), quantity);
            vec![
                (rank + 1).to_string(),
                s.id.clone(),
                s.kind.clone(),
                optional(s.ttr),
                capped(s.tts, s.tts_capped),
                s.gap.map_or_else(
                    || "-".to_owned(),
                    |g| {
                        if s.tts_capped && g >= 0.0 {
                            format!("≥{}", quantity(g))
                        } else {
                            quantity(g)
                        }
                    },
                ),
                optional(s.performance_impact),
                s.rei.map_or_else(|| "-".to_owned(), |r| format!("{r:.3}")),
                runs_short(s),
            ]
        })
        .collect();
    output::table(
        out,
        &[
            "#",
            "entity",
            "kind",
            "TTR",
            "TTS",
            "TTS-TTR",
            "impact",
            "REI",
            "runs short (units lost)",
        ],
        &rows,
        &[true, false, false, true, true, true, true, true, false],
    )?;
    let with_ttr: Vec<&ScenarioResult> = report
        .scenarios
        .iter()
        .filter(|s| s.ttr.is_some())
        .collect();
    let losing = with_ttr
        .iter()
        .filter(|s| s.performance_impact.is_some_and(|pi| pi > 0.0))
        .count();
    writeln!(out)?;
    writeln!(
        out,
        "{losing} of {} scenarios with a TTR lose demand before the entity recovers (TTS < TTR).",
        with_ttr.len(),
    )?;
    if ranked.len() < report.scenarios.len() {
        writeln!(
            out,
            "showing the top {} of {}; --top or --format json for more",
            ranked.len(),
            report.scenarios.len()
        )?;
    }
    Ok(())
}

/// The rerouting plan of each scenario that has one, as a small table per scenario.
fn write_plans(out: &mut dyn Write, ranked: &[&ScenarioResult]) -> anyhow::Result<()> {
    for s in ranked {
        let Some(ttr) = s.ttr else { continue };
        if s.reallocation.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{} ({}): rerouting plan over the TTR window of {}",
            s.id,
            s.kind,
            quantity(ttr)
        )?;
        let rows: Vec<Vec<String>> = s
            .reallocation
            .iter()
            .map(|shipment| {
                let from = if shipment.from_disrupted {
                    format!("{} (disrupted)", shipment.from)
                } else {
                    shipment.from.clone()
                };
                vec![
                    from,
                    shipment.to.clone(),
                    shipment.material.clone(),
                    quantity(shipment.units),
                ]
            })
            .collect();
        output::table(
            out,
            &["from", "to", "material", "units"],
            &rows,
            &[false, false, false, true],
        )?;
    }
    Ok(())
}

/// The demand nodes that lose the most units, e.g. `H2_ITEM4 812, H1_ITEM4 40 (+3 more)`.
fn runs_short(s: &ScenarioResult) -> String {
    let mut lost: Vec<&(String, f64)> = s.lost_units.0.iter().collect();
    lost.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let shown: Vec<String> = lost
        .iter()
        .take(3)
        .map(|(id, units)| format!("{id} {}", quantity(*units)))
        .collect();
    let mut text = shown.join(", ");
    if lost.len() > 3 {
        text.push_str(&format!(" (+{} more)", lost.len() - 3));
    }
    text
}
