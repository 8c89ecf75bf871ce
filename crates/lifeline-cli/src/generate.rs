//! `lifeline generate`: a seeded synthetic multi-tier network, as a network document.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use lifeline_generate::{Preset, TieredConfig};

use crate::Exit;
use crate::output;

/// How hard the network is (docs/generate.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PresetArg {
    /// Capacities and inventories drawn from fixed ranges: nearly every single-node outage
    /// is covered (the output of earlier versions, byte for byte)
    Easy,
    /// Capacities and inventories sized against the demand each node carries, some
    /// single-sourced materials: about 57% of single-node outages lose nothing, as in the
    /// published benchmark
    Realistic,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Nodes per tier, products first: `200,500,1000` is the published 3-tier benchmark
    #[arg(long, value_delimiter = ',', required_unless_present = "nodes")]
    tiers: Vec<usize>,
    /// Total node count instead of --tiers, split 2:5:10 over three tiers
    #[arg(long, conflicts_with = "tiers")]
    nodes: Option<usize>,
    /// Random seed: the same seed gives the same network
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// How hard the network is; the knobs below override single settings of the preset
    #[arg(long, value_enum, default_value_t = PresetArg::Easy)]
    preset: PresetArg,
    /// Capacity as a multiple of the demand a node carries, drawn in LOW,HIGH
    #[arg(long, value_name = "LOW,HIGH", value_parser = range::<f64>)]
    capacity_slack: Option<(f64, f64)>,
    /// Inventory in time units of the demand a node carries, as a fraction of the longest
    /// TTR, drawn in LOW,HIGH
    #[arg(long, value_name = "LOW,HIGH", value_parser = range::<f64>)]
    inventory_cover: Option<(f64, f64)>,
    /// Share of the materials of each supplier tier that have a single source, 0 to 1
    #[arg(long, value_name = "SHARE")]
    single_sourced: Option<f64>,
    /// Time to recover of supplier nodes, whole time units drawn in MIN,MAX
    #[arg(long, value_name = "MIN,MAX", value_parser = range::<u32>)]
    ttr: Option<(u32, u32)>,
    /// Number of sites (shared facility capacity)
    #[arg(long, default_value_t = 0)]
    sites: usize,
    /// Number of IT platforms nodes depend on, with degraded modes
    #[arg(long, default_value_t = 0)]
    platforms: usize,
    /// Bills of materials with ratios other than 1
    #[arg(long)]
    bom_ratios: bool,
    /// Explicit partial-disruption scenarios (replace the default sweep)
    #[arg(long, default_value_t = 0)]
    partial_scenarios: usize,
    /// Yearly spend on supplier nodes
    #[arg(long)]
    spend: bool,
    /// Write the network here instead of stdout
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// A `LOW,HIGH` option: two numbers separated by a comma (whether LOW <= HIGH and the
/// bounds are checked by the generator, whose error names the knob).
fn range<T: std::str::FromStr>(text: &str) -> Result<(T, T), String> {
    let hint = "give two numbers separated by a comma, e.g. `1,10`";
    let (low, high) = text.split_once(',').ok_or_else(|| hint.to_owned())?;
    match (low.trim().parse(), high.trim().parse()) {
        (Ok(low), Ok(high)) => Ok((low, high)),
        _ => Err(hint.to_owned()),
    }
}

fn config(args: &GenerateArgs) -> TieredConfig {
    let mut config = match args.nodes {
        Some(total) => TieredConfig::scaled(total, args.seed),
        None => TieredConfig::new(args.tiers.clone(), args.seed),
    };
    config.knobs = match args.preset {
        PresetArg::Easy => Preset::Easy,
        PresetArg::Realistic => Preset::Realistic,
    }
    .knobs();
    if let Some(slack) = args.capacity_slack {
        config.knobs.capacity_slack = Some(slack);
    }
    if let Some(cover) = args.inventory_cover {
        config.knobs.inventory_cover = Some(cover);
    }
    if let Some(share) = args.single_sourced {
        config.knobs.single_sourced = Some(share);
    }
    if let Some(ttr) = args.ttr {
        config.knobs.ttr = ttr;
    }
    config.sites = args.sites;
    config.platforms = args.platforms;
    config.bom_ratios = args.bom_ratios;
    config.partial_scenarios = args.partial_scenarios;
    config.spend = args.spend;
    config
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<Exit> {
    let document = lifeline_generate::tiered(&config(args))?;
    let mut out = output::open(args.output.as_deref())?;
    serde_json::to_writer(&mut out, &document)?;
    writeln!(out)?;
    out.flush()?;
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use lifeline_generate::{Knobs, Preset};

    use super::{GenerateArgs, config};

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: GenerateArgs,
    }

    fn parse(words: &[&str]) -> Result<GenerateArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("generate").chain(words.iter().copied()))
            .map(|cli| cli.args)
    }

    #[test]
    fn easy_is_the_default_and_knobs_override_the_preset() {
        let args = parse(&["--tiers", "2,5,10"]).expect("parse");
        assert_eq!(config(&args).knobs, Knobs::EASY);

        let args = parse(&["--nodes", "170", "--preset", "realistic"]).expect("parse");
        assert_eq!(config(&args).knobs, Preset::Realistic.knobs());

        let args = parse(&[
            "--nodes",
            "170",
            "--preset",
            "realistic",
            "--capacity-slack",
            "0.5,2",
            "--inventory-cover",
            "0.1,0.2",
            "--single-sourced",
            "0.25",
            "--ttr",
            "2,30",
        ])
        .expect("parse");
        let knobs = config(&args).knobs;
        assert_eq!(knobs.capacity_slack, Some((0.5, 2.0)));
        assert_eq!(knobs.inventory_cover, Some((0.1, 0.2)));
        assert_eq!(knobs.single_sourced, Some(0.25));
        assert_eq!(knobs.ttr, (2, 30));
    }

    #[test]
    fn a_range_needs_two_values() {
        assert!(parse(&["--tiers", "2,5,10", "--ttr", "3"]).is_err());
        assert!(parse(&["--tiers", "2,5,10", "--capacity-slack", "1,2,3"]).is_err());
        assert!(parse(&["--tiers", "2,5,10", "--ttr", "1,x"]).is_err());
        assert!(parse(&["--tiers", "2,5,10", "--ttr", "-1,4"]).is_err());
        assert!(parse(&["--tiers", "2,5,10", "--preset", "hard"]).is_err());
    }
}
