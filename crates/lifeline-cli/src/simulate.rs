//! `lifeline simulate` (one scenario, day by day) and `lifeline montecarlo` (many drawn
//! outages): run `lifeline-sim` and render its reports as a table, JSON or CSV, with an SVG
//! plot and a day-by-day CSV on request.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use lifeline_network::{Scenario, ValidatedNetwork};
use lifeline_sim::{
    MonteCarlo, MonteCarloReport, Outage, OutageSpec, SimOptions, SimReport, Simulator,
    check_downtime_cost,
};

use crate::input::{load_or_report, read_scenarios};
use crate::output::{self, quantity};
use crate::progress::{Progress, in_pool, tracing_line};
use crate::render::{Column, Csv, Diag, Diags, Format, Table};
use crate::{Exit, Reported};

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Network document: `.json`, `.yaml`/`.yml`, or a folder of CSV tables
    network: PathBuf,
    /// The scenario: an id among the network's scenarios (or `--scenarios`), an entity id
    /// with a `ttr` (its default scenario), or a file holding one scenario
    #[arg(long)]
    scenario: String,
    /// Scenarios to choose from instead of the network's own
    #[arg(long)]
    scenarios: Option<PathBuf>,
    /// Days to simulate (default: the network's horizon)
    #[arg(long)]
    days: Option<u32>,
    /// Report format
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON_CSV))]
    format: Format,
    /// Write the report to this file instead of stdout
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Draw days of supply on hand per hospital and item, outage shaded, as SVG
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Lines in the plot: the most affected demand nodes
    #[arg(long, default_value_t = 8)]
    plot_lines: usize,
    /// Write the day-by-day series (stock, days of supply, unmet) as CSV
    #[arg(long)]
    series: Option<PathBuf>,
    /// In the table, list every demand node, not only those that ran short
    #[arg(long)]
    all: bool,
}

pub fn simulate(args: &SimulateArgs) -> anyhow::Result<Exit> {
    let loaded = load_or_report(&args.network)?;
    loaded.warnings.iter().for_each(|w| errln!("{}", Diag(w)));
    let network = loaded.network;
    let scenario = pick_scenario(&network, &args.scenario, args.scenarios.as_deref())?;
    let days = args
        .days
        .unwrap_or_else(|| lifeline_sim::horizon_days(&network));
    if days == 0 {
        anyhow::bail!("--days must be at least 1");
    }
    let simulator = Simulator::new(&network);
    warn_before_run(&simulator, days);
    let started = Instant::now();
    let mut options = SimOptions::days(days);
    if args.plot.is_some() || args.series.is_some() {
        options = options.with_series();
    }
    let report = simulator.run(&scenario, &options);
    tracing_line(&format!(
        "{} days of {} nodes in {:.3} s",
        days,
        network.nodes().len(),
        started.elapsed().as_secs_f64()
    ));

    if let Some(path) = &args.plot {
        let svg = lifeline_sim::plot::svg(&report, args.plot_lines)?;
        std::fs::write(path, svg).with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    if let Some(path) = &args.series {
        lifeline_sim::write_series(&mut *output::open(Some(path))?, &report)?;
    }
    write_report(
        args.output.as_deref(),
        args.format,
        &report,
        |out| write_sim_table(out, &report, args.all),
        |out| write_sim_csv(out, &report),
    )?;
    Ok(Exit::Success)
}

/// Writes a report to `--output` or stdout in the chosen format.
fn write_report<T: serde::Serialize>(
    output: Option<&Path>,
    format: Format,
    report: &T,
    table: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
    csv: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    crate::render::report(output, |out| match format {
        Format::Json => output::json(out, report),
        Format::Csv => csv(out),
        _ => table(out),
    })
}

/// Prints the warnings worth reading before a run of `days` days.
fn warn_before_run(simulator: &Simulator<'_>, days: u32) {
    for warning in lifeline_sim::run_warnings(simulator, days) {
        errln!("warning: {warning}");
    }
}

/// Resolves `--scenario`: a file holding one scenario, or else an id that
/// [`lifeline_sim::pick_scenario`] finds.
fn pick_scenario(
    network: &ValidatedNetwork,
    wanted: &str,
    pool: Option<&Path>,
) -> anyhow::Result<Scenario> {
    let as_path = Path::new(wanted);
    if pool.is_none() && as_path.is_file() {
        let scenarios = read_scenarios(as_path, network)?;
        return match <[Scenario; 1]>::try_from(scenarios) {
            Ok([one]) => Ok(one),
            Err(many) => {
                let ids: Vec<&str> = many.iter().map(|s| s.id.as_str()).collect();
                errln!(
                    "error: `{wanted}` holds {} scenarios ({}); pick one with \
                     --scenarios {wanted} --scenario ID",
                    ids.len(),
                    ids.join(", ")
                );
                Err(Reported.into())
            }
        };
    }
    let pool = match pool {
        Some(path) => Some(read_scenarios(path, network)?),
        None => None,
    };
    match lifeline_sim::pick_scenario(network, wanted, pool.as_deref()) {
        Ok(scenario) => Ok(scenario),
        Err(mut diagnostic) => {
            diagnostic.message.push_str(" and no file by that name");
            errln!("{}", Diag(&diagnostic));
            Err(Reported.into())
        }
    }
}

fn write_sim_table(out: &mut dyn Write, report: &SimReport, all: bool) -> anyhow::Result<()> {
    outln!(
        out,
        "scenario {}: {} days simulated; capacity lost on {} days from day {}",
        report.scenario,
        report.days,
        report.outage_days,
        report.start
    )?;
    let mut rows: Vec<&lifeline_sim::DemandOutcome> = report
        .demand_nodes
        .iter()
        .filter(|n| all || n.shortage_days > 0)
        .collect();
    rows.sort_by(|a, b| {
        let first = |n: &lifeline_sim::DemandOutcome| n.first_stockout_day.unwrap_or(u32::MAX);
        first(a)
            .cmp(&first(b))
            .then(b.loss.total_cmp(&a.loss))
            .then(a.id.cmp(&b.id))
    });
    if rows.is_empty() {
        writeln!(out, "no hospital runs short of any item")?;
    } else {
        writeln!(out)?;
        let mut table = Table::new([
            Column::text("demand node"),
            Column::text("item"),
            Column::number("days of supply at start"),
            Column::number("first stockout day"),
            Column::number("shortage days"),
            Column::number("unmet units"),
            Column::number("loss"),
        ]);
        for n in &rows {
            table.row([
                n.id.clone(),
                n.material.clone(),
                n.days_of_supply_at_start
                    .map_or_else(|| "-".into(), |d| format!("{d:.1}")),
                n.first_stockout_day
                    .map_or_else(|| "-".into(), |d| d.to_string()),
                n.shortage_days.to_string(),
                quantity(n.unmet_units),
                quantity(n.loss),
            ]);
        }
        table.write(out)?;
    }
    let t = &report.totals;
    writeln!(out)?;
    writeln!(
        out,
        "{} of {} demand nodes run short ({} shortage node-days); {} units unmet; loss {}",
        t.nodes_short,
        report.demand_nodes.len(),
        t.shortage_node_days,
        quantity(t.unmet_units),
        quantity(t.loss)
    )?;
    if let Some(cost) = t.downtime_cost {
        writeln!(out, "downtime cost: {}", quantity(cost))?;
    }
    let hidden = report.demand_nodes.len() - rows.len();
    if hidden > 0 {
        writeln!(
            out,
            "{hidden} demand nodes never run short (--all lists them)"
        )?;
    }
    Ok(())
}

fn write_sim_csv(out: &mut dyn Write, report: &SimReport) -> anyhow::Result<()> {
    let mut writer = Csv::new(
        out,
        &[
            Column::text("scenario"),
            Column::text("id"),
            Column::text("material"),
            Column::number("demand"),
            Column::number("value"),
            Column::number("days_of_supply_at_start"),
            Column::number("first_stockout_day"),
            Column::number("shortage_days"),
            Column::number("unmet_units"),
            Column::number("loss"),
        ],
    )?;
    for n in &report.demand_nodes {
        writer.row([
            report.scenario.clone(),
            n.id.clone(),
            n.material.clone(),
            n.demand.to_string(),
            n.value.to_string(),
            n.days_of_supply_at_start
                .map(|d| d.to_string())
                .unwrap_or_default(),
            n.first_stockout_day
                .map(|d| d.to_string())
                .unwrap_or_default(),
            n.shortage_days.to_string(),
            n.unmet_units.to_string(),
            n.loss.to_string(),
        ])?;
    }
    writer.finish()?;
    Ok(())
}

#[derive(Debug, Args)]
pub struct MonteCarloArgs {
    /// Network document: `.json`, `.yaml`/`.yml`, or a folder of CSV tables
    network: PathBuf,
    /// Entity (node, site or platform) that goes down; repeat for several at once
    #[arg(long, required = true)]
    outage: Vec<String>,
    /// Outage duration in days: `lognormal:MU,SIGMA` (of ln days), `fixed:D`,
    /// `uniform:A,B`, `empirical:D1@P1,D2@P2,...`, `ransomware-downtime` (median 10 d, mean
    /// 17 d) or `ransomware-recovery` (P(≤ 7 d) = 0.22, P(> 30 d) = 0.37)
    #[arg(long, default_value = "ransomware-downtime")]
    duration: String,
    /// Day the outage starts, drawn the same way
    #[arg(long, default_value = "fixed:0")]
    start: String,
    /// Capacity left while down (0: fully down; 0.85: orders by phone at 85%)
    #[arg(long, default_value_t = 0.0)]
    capacity_factor: f64,
    /// Each entity draws its own duration (default: one attack, one duration)
    #[arg(long)]
    independent: bool,
    #[arg(long, default_value_t = 1000)]
    replications: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Days to simulate per replication (default: the network's horizon)
    #[arg(long)]
    days: Option<u32>,
    /// Cost per outage day, for the money view
    #[arg(long)]
    downtime_cost: Option<f64>,
    /// Report format
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON_CSV))]
    format: Format,
    /// Write the report to this file instead of stdout
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Worker threads (default: one per core); the report is the same for any number
    #[arg(long)]
    threads: Option<usize>,
    /// Rows in the table (0: all)
    #[arg(long, default_value_t = 20)]
    top: usize,
}

pub fn montecarlo(args: &MonteCarloArgs) -> anyhow::Result<Exit> {
    let loaded = load_or_report(&args.network)?;
    loaded.warnings.iter().for_each(|w| errln!("{}", Diag(w)));
    let network = loaded.network;
    let outage = outage(&network, args)?;
    let days = args
        .days
        .unwrap_or_else(|| lifeline_sim::horizon_days(&network));
    if days == 0 || args.replications == 0 {
        anyhow::bail!("--days and --replications must be at least 1");
    }

    let simulator = Simulator::new(&network);
    warn_before_run(&simulator, days);
    let run = MonteCarlo {
        replications: args.replications,
        seed: args.seed,
        days,
        tts: None,
    };
    let bar = Progress::new(args.replications as usize, "replications");
    let started = Instant::now();
    // The drawn durations are compared with the outage's time to survive under the best
    // response (the stress test's LP), which the library computes first.
    let go = || simulator.montecarlo_against_stress(&outage, &run, &|_| bar.tick());
    let report = in_pool(args.threads, go)??;
    bar.finish();
    tracing_line(&format!(
        "{} replications of {} days in {:.2} s",
        args.replications,
        days,
        started.elapsed().as_secs_f64()
    ));

    write_report(
        args.output.as_deref(),
        args.format,
        &report,
        |out| write_mc_table(out, &report, args.top),
        |out| write_mc_csv(out, &report),
    )?;
    Ok(Exit::Success)
}

/// The outage of `--outage`, `--duration`, ...; unknown entities and bad distributions
/// are reported with exit code 2.
fn outage(network: &ValidatedNetwork, args: &MonteCarloArgs) -> anyhow::Result<Outage> {
    let spec = OutageSpec {
        outage: args.outage.clone(),
        duration: args.duration.clone(),
        start: args.start.clone(),
        capacity_factor: args.capacity_factor,
        independent: args.independent,
    };
    let built = spec.build(network);
    let cost = args.downtime_cost.map(check_downtime_cost).transpose();
    match (built, cost) {
        (Ok(outage), Ok(downtime_cost)) => Ok(Outage {
            downtime_cost,
            ..outage
        }),
        (built, cost) => {
            let mut diagnostics = built.err().unwrap_or_default();
            diagnostics.extend(cost.err());
            errln!("{}", Diags(&diagnostics));
            Err(Reported.into())
        }
    }
}

fn write_mc_table(
    out: &mut dyn Write,
    report: &MonteCarloReport,
    top: usize,
) -> anyhow::Result<()> {
    let o = &report.outage;
    outln!(
        out,
        "{} replications (seed {}) of {} down (capacity {}), duration {}, start {}",
        report.replications,
        report.seed,
        o.targets.join(" + "),
        o.capacity_factor,
        o.duration,
        o.start
    )?;
    let d = &o.drawn_duration;
    writeln!(
        out,
        "drawn outage days: mean {}, median {}, p90 {}, p99 {}",
        quantity(d.mean),
        quantity(d.p50),
        quantity(d.p90),
        quantity(d.p99)
    )?;
    if let Some(tts) = &report.tts {
        writeln!(
            out,
            "time to survive with the best response (stress test): {} days; P(TTR > TTS) = {} [{}, {}]",
            quantity(tts.tts),
            quantity(tts.p_tts_short),
            quantity(tts.p_tts_short_ci[0]),
            quantity(tts.p_tts_short_ci[1])
        )?;
    }
    let t = &report.totals;
    writeln!(
        out,
        "P(any hospital runs short) = {} [{}, {}]; loss p50 {}, p90 {}, p99 {}",
        quantity(t.p_any_stockout),
        quantity(t.p_any_stockout_ci[0]),
        quantity(t.p_any_stockout_ci[1]),
        quantity(t.loss.p50),
        quantity(t.loss.p90),
        quantity(t.loss.p99)
    )?;
    if let Some(cost) = &t.downtime_cost {
        writeln!(
            out,
            "downtime cost p50 {}, p90 {}, p99 {}",
            quantity(cost.p50),
            quantity(cost.p90),
            quantity(cost.p99)
        )?;
    }
    let mut rows: Vec<&lifeline_sim::DemandRisk> = report.demand_nodes.iter().collect();
    rows.sort_by(|a, b| {
        b.p_stockout
            .total_cmp(&a.p_stockout)
            .then(b.loss.p90.total_cmp(&a.loss.p90))
            .then(a.id.cmp(&b.id))
    });
    let shown = if top == 0 {
        rows.len()
    } else {
        top.min(rows.len())
    };
    writeln!(out)?;
    let mut table = Table::new([
        Column::text("demand node"),
        Column::text("item"),
        Column::number("P(stockout)"),
        Column::text("95% CI"),
        Column::number("first stockout day (median)"),
        Column::number("shortage days p50 / p90 / p99"),
        Column::number("loss p90"),
    ]);
    for n in &rows[..shown] {
        table.row([
            n.id.clone(),
            n.material.clone(),
            quantity(n.p_stockout),
            format!(
                "[{}, {}]",
                quantity(n.p_stockout_ci[0]),
                quantity(n.p_stockout_ci[1])
            ),
            n.first_stockout_day_p50
                .map_or_else(|| "-".into(), quantity),
            format!(
                "{} / {} / {}",
                quantity(n.shortage_days_p50),
                quantity(n.shortage_days_p90),
                quantity(n.shortage_days_p99)
            ),
            quantity(n.loss.p90),
        ]);
    }
    table.write(out)?;
    if shown < rows.len() {
        writeln!(
            out,
            "… {} more demand nodes (--top 0 lists all)",
            rows.len() - shown
        )?;
    }
    Ok(())
}

fn write_mc_csv(out: &mut dyn Write, report: &MonteCarloReport) -> anyhow::Result<()> {
    let mut writer = Csv::new(
        out,
        &[
            Column::text("id"),
            Column::text("material"),
            Column::number("p_stockout"),
            Column::number("p_stockout_ci_low"),
            Column::number("p_stockout_ci_high"),
            Column::number("shortage_days_mean"),
            Column::number("shortage_days_p50"),
            Column::number("shortage_days_p90"),
            Column::number("shortage_days_p99"),
            Column::number("unmet_units_mean"),
            Column::number("loss_mean"),
            Column::number("loss_p50"),
            Column::number("loss_p90"),
            Column::number("loss_p99"),
            Column::number("first_stockout_day_p50"),
        ],
    )?;
    for n in &report.demand_nodes {
        writer.row([
            n.id.clone(),
            n.material.clone(),
            n.p_stockout.to_string(),
            n.p_stockout_ci[0].to_string(),
            n.p_stockout_ci[1].to_string(),
            n.shortage_days.mean.to_string(),
            n.shortage_days_p50.to_string(),
            n.shortage_days_p90.to_string(),
            n.shortage_days_p99.to_string(),
            n.unmet_units.mean.to_string(),
            n.loss.mean.to_string(),
            n.loss.p50.to_string(),
            n.loss.p90.to_string(),
            n.loss.p99.to_string(),
            n.first_stockout_day_p50
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ])?;
    }
    writer.finish()?;
    Ok(())
}
