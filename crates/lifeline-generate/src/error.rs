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

    /// A `[low, high]` knob outside its bounds, not finite, or with `low > high`.
    #[error(
        "{field}: `{low},{high}` is not a range within [{min}, {max}]\nhint: give LOW,HIGH with {min} <= LOW <= HIGH <= {max}"
    )]
    InvalidRange {
        field: &'static str,
        low: f64,
        high: f64,
        min: f64,
        max: f64,
    },

    /// The share of single-sourced materials must lie in [0, 1].
    #[error("single_sourced: `{share}` is not a share between 0 and 1")]
    InvalidShare { share: f64 },

    /// The TTR range must be whole time units with `1 <= max <= limit` and `min <= max`.
    #[error(
        "ttr: `{min},{max}` is not a range of times to recover\nhint: give MIN,MAX with MIN <= MAX and 1 <= MAX <= {limit}"
    )]
    InvalidTtr { min: u32, max: u32, limit: u32 },

    /// The requested network is beyond what the generator builds in memory.
    #[error(
        "the configuration asks for `{requested}` nodes, sites, platforms and scenarios, more than the limit of `{limit}`\nhint: generate a smaller network"
    )]
    TooLarge { requested: u128, limit: usize },
}
