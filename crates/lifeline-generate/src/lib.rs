//! Seeded generator of synthetic multi-tier supply networks, emitted as `lifeline-network/1` JSON.
//!
//! [`tiered`] re-creates, independently, the *shape* of the published synthetic 3-tier
//! stress-test benchmark (tier k+1 supplies tier k; adjacent suppliers grouped into material
//! types of 1–3 interchangeable sources; products with demand and margin at tier 1). Only the
//! published structure description and parameter ranges are used, no code or data.
//!
//! How hard the network is comes from [`Knobs`]: capacity against the demand a node carries,
//! inventory cover against the time to recover, the share of single-sourced materials and
//! the TTR range. [`Preset::Easy`] (the default) is the generator's original output, byte
//! for byte; [`Preset::Realistic`] is calibrated to the published benchmark's share of
//! single-node outages that lose nothing (docs/generate.md).
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
    /// How hard the network is; [`Knobs::EASY`] in [`TieredConfig::new`].
    pub knobs: Knobs,
}

/// A named set of [`Knobs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Preset {
    /// Capacities and inventories drawn from the fixed ranges [1500, 3000] of the published
    /// description, whatever a node carries; about a quarter of the materials single-sourced.
    /// Nearly every single-node outage is covered. The generator's original output.
    #[default]
    Easy,
    /// Capacities of 0.83–1.2 times the demand each node carries (so some nodes run their
    /// inventories down even undisrupted), inventories of 11.5–14.5% of the longest TTR in time
    /// units of that demand, 65% of materials single-sourced, TTR 1–10: about 57% of
    /// single-node outages lose nothing and the baseline time to survive is about 7.5, within
    /// the TTR range, as in the published benchmark (calibration in docs/generate.md).
    Realistic,
}

impl Preset {
    /// The knobs of this preset.
    pub fn knobs(self) -> Knobs {
        match self {
            Preset::Easy => Knobs::EASY,
            Preset::Realistic => Knobs::REALISTIC,
        }
    }
}

/// The settings that make a generated network easy or hard to keep supplied.
///
/// "The demand a node carries" is computed from the products down: a product carries its
/// demand; a material's sources share equally what its customers carry (times the BOM ratio),
/// so each tier is sized against the flow it must pass on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Knobs {
    /// Capacity of each node as a multiple of the demand it carries, drawn uniformly in
    /// `[low, high]`; below 1 the node runs its inventory down even undisrupted. `None`:
    /// drawn in [1500, 3000] whatever the node carries (the easy preset). Each bound in
    /// [0, 100], `low <= high`.
    pub capacity_slack: Option<(f64, f64)>,
    /// Inventory of each node in time units of the demand it carries, as a fraction of the
    /// longest TTR (`ttr.1`): drawn uniformly in `[low, high]` and multiplied by `ttr.1`, so
    /// 0.5 is half of the longest outage. `None`: drawn in [1500, 3000] units (the easy
    /// preset). Each bound in [0, 100], `low <= high`.
    pub inventory_cover: Option<(f64, f64)>,
    /// Share of the materials (runs of interchangeable sources) of each supplier tier that
    /// have a single source, in [0, 1]; the others have 2 or 3. A tier too small or too
    /// large for its customers gets the nearest share it allows. `None`: the easy preset's
    /// runs of 1–3 sources (about a quarter single).
    pub single_sourced: Option<f64>,
    /// Time to recover of supplier nodes, whole time units drawn uniformly in `min..=max`;
    /// `1 <= max <= 100000`, `min <= max`.
    pub ttr: (u32, u32),
}

impl Knobs {
    /// The easy preset: the generator's original output.
    pub const EASY: Knobs = Knobs {
        capacity_slack: None,
        inventory_cover: None,
        single_sourced: None,
        ttr: (1, 10),
    };

    /// The realistic preset (calibration in docs/generate.md).
    pub const REALISTIC: Knobs = Knobs {
        capacity_slack: Some((0.83, 1.2)),
        inventory_cover: Some((0.115, 0.145)),
        single_sourced: Some(0.65),
        ttr: (1, 10),
    };
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs::EASY
    }
}

impl TieredConfig {
    /// The plain benchmark shape: no sites, platforms, ratios, scenarios or spend; horizon
    /// 365; the easy preset.
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
            knobs: Knobs::EASY,
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

    /// This configuration with the knobs of `preset`.
    #[must_use]
    pub fn with_preset(self, preset: Preset) -> Self {
        TieredConfig {
            knobs: preset.knobs(),
            ..self
        }
    }
}
