//! Seeded generator of synthetic multi-tier supply networks, emitted as `lifeline-network/1` JSON.
//!
//! [`tiered`] re-creates, independently, the *shape* of the published synthetic 3-tier
//! stress-test benchmark (tier k+1 supplies tier k; adjacent suppliers grouped into material
//! types of 1–3 interchangeable sources; products with demand and margin at tier 1). Only the
//! published structure description and parameter ranges are used, no code or data.
//!
//! The generator returns a [`serde_json::Value`] document rather than the typed model of
//! `lifeline-network`: it has no dependency on the network crate, and callers validate the
//! output like any other input.
//!
//! **Architecture invariant:** the output is a pure function of the [`TieredConfig`]: the same
//! configuration gives byte-identical JSON (ChaCha8 streams seeded from `seed`, fixed
//! iteration order, ordered maps). Each option draws from its own stream, so switching an
//! option on leaves the rest of the network unchanged.

mod error;
mod tiered;

pub use error::GenerateError;
pub use tiered::tiered;

/// Most nodes, sites, platforms and scenarios together that one configuration may ask for.
pub const MAX_ENTITIES: usize = 10_000_000;

/// Configuration of a seeded synthetic multi-tier network.
///
/// `tiers[0]` is tier 1 (products with demand), `tiers[1]` tier 2 (their suppliers), and so on;
/// tier k+1 supplies tier k. The options (`sites`, `platforms`, `bom_ratios`,
/// `partial_scenarios`, `spend`) make harder test cases for the stress test; all are off in
/// [`TieredConfig::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct TieredConfig {
    /// Node count of each tier, tier 1 first; at least 2 tiers, none empty.
    pub tiers: Vec<usize>,
    /// Seed of every random draw.
    pub seed: u64,
    /// Number of sites `S_0`, `S_1`, ...; about half of the supplier nodes are put in one.
    pub sites: usize,
    /// Number of IT platforms `P_0`, ...; about a third of the supplier nodes depend on one.
    pub platforms: usize,
    /// Give nodes a `bom` with ratios in [0.5, 3] for about half of their input materials.
    pub bom_ratios: bool,
    /// Number of explicit multi-entity scenarios `X_0`, ...; when non-zero the document's
    /// `scenarios` list replaces the default one-entity-at-a-time sweep.
    pub partial_scenarios: usize,
    /// Give supplier nodes a yearly `spend`.
    pub spend: bool,
    /// The document's `horizon` (cap on time-to-survive); positive and finite.
    pub horizon: f64,
}

impl TieredConfig {
    /// The plain benchmark shape: no sites, platforms, ratios, scenarios or spend; horizon 365.
    pub fn new(tiers: Vec<usize>, seed: u64) -> Self {
        TieredConfig {
            tiers,
            seed,
            sites: 0,
            platforms: 0,
            bom_ratios: false,
            partial_scenarios: 0,
            spend: false,
            horizon: 365.0,
        }
    }

    /// Three tiers in the benchmark's ratio 2:5:10 (tier 1 : tier 2 : tier 3) summing to about
    /// `total_nodes` (exactly, from 17 nodes up); every tier has at least one node and tier 3
    /// at least as many as tier 2, so the configuration is always valid.
    pub fn scaled(total_nodes: usize, seed: u64) -> Self {
        let total = total_nodes as u128;
        let share = |parts: u128| -> usize {
            usize::try_from((total * parts + 8) / 17)
                .unwrap_or(usize::MAX)
                .max(1)
        };
        let tier1 = share(2);
        let tier2 = share(5);
        let tier3 = total_nodes
            .saturating_sub(tier1.saturating_add(tier2))
            .max(tier2);
        TieredConfig::new(vec![tier1, tier2, tier3], seed)
    }
}
