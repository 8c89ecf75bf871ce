//! `lifeline stress`: runs the sweep and renders the ranked report as a table, JSON or CSV.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use clap::Args;
use lifeline_network::{Loaded, Scenario, ValidatedNetwork};
use lifeline_stress::pairs::{self, PairResult, PairsReport, Step};
use lifeline_stress::{Report, ScenarioResult, Shipment, StressConfig};

use crate::Exit;
use crate::input::{self, load_or_report};
use crate::output::quantity;
use crate::progress::{Progress, in_pool, tracing_line};
use crate::render::{Column, Diag, Format, Table};
use lifeline_text::thousands;

#[derive(Debug, Args)]
pub struct StressArgs {
    /// Network document: `.json`, `.yaml`/`.yml`, or a folder of CSV tables
    network: PathBuf,
    /// Scenarios to run instead of the network's own (`{"scenarios": [...]}` or a list)
    #[arg(long)]
    scenarios: Option<PathBuf>,
    /// Report format
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON_CSV))]
    format: Format,
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
    /// Pairs of simultaneous single-entity outages: screen every pair exactly, solve the
    /// rest jointly, and rank the pairs whose joint loss exceeds the sum of their single
    /// losses (with --top: the K largest excesses)
    #[arg(long, conflicts_with = "plan")]
    pairs: bool,
}

pub fn run(args: &StressArgs) -> anyhow::Result<Exit> {
    let Loaded { network, warnings } = load_or_report(&args.network)?;
    for warning in &warnings {
        errln!("{}", Diag(warning));
    }
    let scenarios: Vec<Scenario> = match &args.scenarios {
        Some(path) => input::read_scenarios(path, &network)?,
        None => network.scenarios(),
    };
    if scenarios.is_empty() {
        match &args.scenarios {
            Some(path) => errln!("warning: `{}` holds no scenario", path.display()),
            None => errln!(
                "warning: no scenario to run: no node, site or platform has a `ttr`, and the network has no `scenarios`"
            ),
        }
    }

    let config = StressConfig {
        skip_covered: !args.solve_all,
    };
    if args.pairs {
        return run_pairs(args, &network, &scenarios, &config);
    }
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
    crate::render::report(args.output.as_deref(), |out| match args.format {
        Format::Json => {
            crate::output::json(out, &lifeline_stress::report_document(&report, args.top))
        }
        Format::Csv => Ok(lifeline_stress::write_csv(out, &ranked)?),
        _ => {
            write_table(out, &report, &ranked)?;
            if args.plan {
                write_plans(out, &ranked)?;
            }
            Ok(())
        }
    })?;
    Ok(Exit::Success)
}

/// `--pairs`: screens and solves the pairs of the single-entity scenarios, then renders
/// the ranked pairs.
fn run_pairs(
    args: &StressArgs,
    network: &ValidatedNetwork,
    scenarios: &[Scenario],
    config: &StressConfig,
) -> anyhow::Result<Exit> {
    // The current stage's bar, name, size and start, for its timing line.
    let bar: Mutex<Option<(Progress, &str, usize, Instant)>> = Mutex::new(None);
    let finish = |stage: Option<(Progress, &str, usize, Instant)>| {
        if let Some((old, name, total, started)) = stage {
            old.finish();
            tracing_line(&format!(
                "{name}: {total} in {:.2} s",
                started.elapsed().as_secs_f64()
            ));
        }
    };
    let progress = |step: Step| {
        let Ok(mut bar) = bar.lock() else { return };
        match step {
            Step::Stage { name, total } => {
                finish(bar.take());
                *bar = Some((Progress::new(total, name), name, total, Instant::now()));
            }
            Step::Tick => {
                if let Some((bar, ..)) = bar.as_ref() {
                    bar.tick();
                }
            }
        }
    };
    let started = Instant::now();
    let report = in_pool(args.threads, || {
        pairs::run(network, scenarios, config, &progress)
    })??;
    if let Ok(mut bar) = bar.lock() {
        finish(bar.take());
    }
    let s = &report.screened;
    tracing_line(&format!(
        "{} pairs of {} singles in {:.2} s: {} disjoint, {} covered by the combined plan, {} solved",
        s.pairs,
        report.singles,
        started.elapsed().as_secs_f64(),
        s.disjoint,
        s.combined_plan,
        s.solved,
    ));
    let shown = args
        .top
        .map_or(report.pairs.len(), |k| k.min(report.pairs.len()));
    let ranked = &report.pairs[..shown];
    crate::render::report(args.output.as_deref(), |out| match args.format {
        Format::Json => crate::output::json(out, &pairs::document(&report, args.top)),
        Format::Csv => Ok(pairs::write_csv(out, ranked)?),
        _ => write_pairs_table(out, &report, ranked),
    })?;
    Ok(Exit::Success)
}

fn write_pairs_table(
    out: &mut dyn Write,
    report: &PairsReport,
    ranked: &[PairResult],
) -> anyhow::Result<()> {
    let name = if report.network.is_empty() {
        "network"
    } else {
        &report.network
    };
    let s = &report.screened;
    let count = |n: u64| thousands(n as f64);
    outln!(
        out,
        "{name}: {} single-entity outages, {} pairs",
        report.singles,
        count(s.pairs),
    )?;
    writeln!(
        out,
        "proven no worse than the sum: {} (plans touch disjoint rows), {} (the combined plan \
         covers both), {} (no window); solved jointly: {}",
        count(s.disjoint),
        count(s.combined_plan),
        count(s.no_window),
        count(s.solved),
    )?;
    if !report.skipped.is_empty() {
        writeln!(
            out,
            "{} scenarios left out: not a single-entity outage with a TTR, or a repeated entity",
            report.skipped.len()
        )?;
    }
    writeln!(out)?;
    if report.pairs.is_empty() {
        writeln!(
            out,
            "No pair loses more together than the sum of its single losses."
        )?;
        return Ok(());
    }
    let mut table = Table::new([
        Column::number("#"),
        Column::text("entity A"),
        Column::text("entity B"),
        Column::number("window"),
        Column::number("TTS"),
        Column::number("joint impact"),
        Column::number("A alone"),
        Column::number("B alone"),
        Column::number("excess"),
        Column::text("runs short (units lost)"),
    ]);
    for (rank, p) in ranked.iter().enumerate() {
        let tts = if p.tts_capped {
            format!("≥{}", quantity(p.tts))
        } else {
            quantity(p.tts)
        };
        table.row([
            (rank + 1).to_string(),
            format!("{} ({})", p.a, p.kind_a),
            format!("{} ({})", p.b, p.kind_b),
            quantity(p.window),
            tts,
            quantity(p.impact),
            quantity(p.impact_a),
            quantity(p.impact_b),
            quantity(p.excess),
            short_list(&p.lost_units.0),
        ]);
    }
    table.write(out)?;
    writeln!(out)?;
    writeln!(
        out,
        "{} pairs lose more together than the sum of their single losses (impacts beyond the \
         undisrupted loss, over the longer TTR of the two).",
        report.pairs.len()
    )?;
    if ranked.len() < report.pairs.len() {
        writeln!(
            out,
            "showing the top {} of {}; --top or --format json for more",
            ranked.len(),
            report.pairs.len()
        )?;
    }
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
    outln!(
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
    let mut table = Table::new([
        Column::number("#"),
        Column::text("entity"),
        Column::text("kind"),
        Column::number("TTR"),
        Column::number("TTS"),
        Column::number("TTS-TTR"),
        Column::number("impact"),
        Column::number("REI"),
        Column::text("runs short (units lost)"),
    ]);
    for (rank, s) in ranked.iter().enumerate() {
        let optional = |x: Option<f64>| x.map_or_else(|| "-".to_owned(), quantity);
        table.row([
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
        ]);
    }
    table.write(out)?;
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

/// The rerouting plan of each shown scenario, as a small table per scenario; a scenario
/// with nothing to ship says why (no alternative source, nothing lost, or no TTR to plan
/// over) rather than being left out.
fn write_plans(out: &mut dyn Write, ranked: &[&ScenarioResult]) -> anyhow::Result<()> {
    for s in ranked {
        writeln!(out)?;
        let Some(ttr) = s.ttr else {
            outln!(
                out,
                "{} ({}): no TTR given, so no rerouting plan",
                s.id,
                s.kind
            )?;
            continue;
        };
        if s.reallocation.is_empty() {
            let lost = s.total_lost_units();
            if lost > 0.0 {
                outln!(
                    out,
                    "{} ({}): no alternative source over the TTR window of {}: {} units lost ({})",
                    s.id,
                    s.kind,
                    quantity(ttr),
                    quantity(lost),
                    runs_short(s)
                )?;
            } else {
                outln!(
                    out,
                    "{} ({}): nothing to reroute over the TTR window of {}: no demand is lost",
                    s.id,
                    s.kind,
                    quantity(ttr)
                )?;
            }
            continue;
        }
        outln!(
            out,
            "{} ({}): rerouting plan over the TTR window of {}",
            s.id,
            s.kind,
            quantity(ttr)
        )?;
        rerouting_table(&s.reallocation, "material").write(out)?;
    }
    Ok(())
}

/// A rerouting plan as a table: from (marked when disrupted), to, the item (its column
/// named `item`), units.
pub fn rerouting_table(reallocation: &[Shipment], item: &'static str) -> Table {
    let mut table = Table::new([
        Column::text("from"),
        Column::text("to"),
        Column::text(item),
        Column::number("units"),
    ]);
    for shipment in reallocation {
        let from = if shipment.from_disrupted {
            format!("{} (disrupted)", shipment.from)
        } else {
            shipment.from.clone()
        };
        table.row([
            from,
            shipment.to.clone(),
            shipment.material.clone(),
            quantity(shipment.units),
        ]);
    }
    table
}

/// The demand nodes that lose the most units, e.g. `H2_ITEM4 812, H1_ITEM4 40 (+3 more)`.
fn runs_short(s: &ScenarioResult) -> String {
    short_list(&s.lost_units.0)
}

/// The three largest of a list of (demand node, units lost), and how many more.
fn short_list(lost_units: &[(String, f64)]) -> String {
    let mut lost: Vec<&(String, f64)> = lost_units.iter().collect();
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
