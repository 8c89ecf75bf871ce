//! Why a generator configuration was refused: every variant names the offending field and value.

use thiserror::Error;

/// A [`TieredConfig`](crate::TieredConfig) that cannot produce a valid network.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum GenerateError {
    /// A tiered network needs products (tier 1) and at least one supplier tier.
    #[error(
        "tiers: `{count}` tier(s) given, at least 2 are needed\nhint: give the node count of each tier, tier 1 first, e.g. `200,500,1000`"
    )]
    TooFewTiers { count: usize },

    /// A tier without nodes would leave the tier above without inputs.
    #[error(
        "tiers[{index}]: tier `{tier}` has `0` nodes\nhint: every tier needs at least one node"
    )]
    EmptyTier { index: usize, tier: usize },

    /// The supplier tier is too small to give every node of the tier above an input.
    #[error(
        "tiers[{index}]: tier `{tier}` has `{nodes}` node(s), too few to supply the `{customers}` node(s) of tier `{customer_tier}`\nhint: give tier `{tier}` at least `{needed}` node(s)"
    )]
    TooFewSuppliers {
        index: usize,
        tier: usize,
        nodes: usize,
        customer_tier: usize,
        customers: usize,
        needed: usize,
    },

    /// The horizon caps time-to-survive and must be a positive finite number.
    #[error("horizon: `{horizon}` is not a positive finite number")]
    InvalidHorizon { horizon: f64 },

    /// The requested network is beyond what the generator builds in memory.
    #[error(
        "the configuration asks for `{requested}` nodes, sites, platforms and scenarios, more than the limit of `{limit}`\nhint: generate a smaller network"
    )]
    TooLarge { requested: u128, limit: usize },
}
