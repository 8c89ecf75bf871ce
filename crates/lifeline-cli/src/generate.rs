//! `lifeline generate`: a seeded synthetic multi-tier network, as a network document.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use lifeline_generate::TieredConfig;

use crate::Exit;
use crate::output;

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

pub fn run(args: &GenerateArgs) -> anyhow::Result<Exit> {
    let mut config = match args.nodes {
        Some(total) => TieredConfig::scaled(total, args.seed),
        None => TieredConfig::new(args.tiers.clone(), args.seed),
    };
    config.sites = args.sites;
    config.platforms = args.platforms;
    config.bom_ratios = args.bom_ratios;
    config.partial_scenarios = args.partial_scenarios;
    config.spend = args.spend;
    let document = lifeline_generate::tiered(&config)?;
    let mut out = output::open(args.output.as_deref())?;
    serde_json::to_writer(&mut out, &document)?;
    writeln!(out)?;
    out.flush()?;
    Ok(Exit::Success)
}
