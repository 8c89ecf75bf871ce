//! Mergeable summaries of Monte Carlo quantities, so that replications can be summarised
//! in any grouping (threads, blocks, cluster tasks) and still give the same bits.
//!
//! Every merge here is exact, hence associative and commutative: counts add as integers,
//! kept values form a multiset that is sorted only at the end, and sums of reals are kept
//! exactly (a fixed-point accumulator over the whole range of `f64`) and rounded once.
//!
//! - [`Counts`]: a whole-number quantity (shortage days, drawn durations, nodes short) as
//!   a histogram. Quantiles, intervals and means come out exactly as from the sorted list
//!   of values, in far less memory.
//! - [`Values`]: a real quantity (unmet units, loss). While the run is small enough to keep
//!   every value (see `montecarlo::EXACT_VALUES`) it keeps them, apart from the zeros,
//!   which it counts; otherwise it bins them by the top bits of their binary
//!   representation ([`BIN_BITS`] bits of mantissa: 128 bins an octave), which bounds its
//!   memory by the range of the values rather than their number, and reports each order
//!   statistic as the middle of its bin, within 0.4% of the true one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Mantissa bits that tell bins apart: a bin spans a relative width of at most 2⁻⁷, and
/// its middle is within 2⁻⁸ (0.39%) of every value in it.
pub(crate) const BIN_BITS: u32 = 7;
const BIN_SHIFT: u32 = 52 - BIN_BITS;

/// A histogram of whole numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Counts {
    /// How many zeros (the common case, kept out of the map).
    zero: u64,
    counts: BTreeMap<u32, u64>,
}

impl Counts {
    pub fn add(&mut self, value: u32) {
        if value == 0 {
            self.zero += 1;
        } else {
            *self.counts.entry(value).or_insert(0) += 1;
        }
    }

    pub fn merge(&mut self, other: Counts) {
        self.zero += other.zero;
        for (value, count) in other.counts {
            *self.counts.entry(value).or_insert(0) += count;
        }
    }

    /// How many values.
    pub fn len(&self) -> u64 {
        self.zero + self.counts.values().sum::<u64>()
    }

    /// How many values are not zero.
    pub fn nonzero(&self) -> u64 {
        self.len() - self.zero
    }

    /// How many values are above `x`.
    pub fn above(&self, x: f64) -> u64 {
        let zeros = if x < 0.0 { self.zero } else { 0 };
        zeros
            + self
                .counts
                .iter()
                .filter(|&(&value, _)| x < f64::from(value))
                .map(|(_, count)| count)
                .sum::<u64>()
    }

    /// The values in ascending order, each with how many times it occurs.
    fn ascending(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        std::iter::once((0, self.zero))
            .filter(|&(_, count)| count > 0)
            .chain(self.counts.iter().map(|(&value, &count)| (value, count)))
    }

    /// The sorted values as `scale · value` (or `value` without a scale): what the summary
    /// that kept every replication sorted. `scale` must not be negative.
    pub fn sorted(&self, scale: Option<f64>) -> Sorted {
        let map = |value: u32| scale.map_or(f64::from(value), |s| s * f64::from(value));
        let mut ends = Vec::new();
        let mut end = 0;
        for (value, count) in self.ascending() {
            end += count;
            ends.push((end, map(value)));
        }
        // The mean as the old summary computed it: the sorted values summed in order. The
        // sum of whole numbers below 2⁵³ is exact in any order, so it is taken at once;
        // a scaled sum is replayed value by value.
        let total: u128 = self
            .ascending()
            .map(|(value, count)| u128::from(value) * u128::from(count))
            .sum();
        let sum = match scale {
            None if total < (1 << 53) => {
                // Below 2⁵³: exact as an f64.
                #[allow(clippy::cast_precision_loss)]
                let total = total as f64;
                total
            }
            _ => self
                .ascending()
                .flat_map(|(value, count)| {
                    std::iter::repeat_n(map(value), usize::try_from(count).unwrap_or(usize::MAX))
                })
                .sum::<f64>(),
        };
        Sorted::Runs { ends, sum }
    }
}

/// A real quantity, kept exactly or binned (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) enum Values {
    Exact {
        /// How many `+0.0`.
        zero: u64,
        /// The other values, in no particular order.
        values: Vec<f64>,
    },
    Binned {
        zero: u64,
        /// Per bin (the value's order-preserving key shifted right by `BIN_SHIFT`), how
        /// many values fell in it.
        bins: BTreeMap<u64, u64>,
        /// The smallest and largest values other than `+0.0`.
        low: f64,
        high: f64,
        /// Boxed: 272 bytes, where the exact variant is 32.
        sum: Box<ExactSum>,
    },
}

impl Values {
    pub fn new(exact: bool) -> Values {
        if exact {
            Values::Exact {
                zero: 0,
                values: Vec::new(),
            }
        } else {
            Values::Binned {
                zero: 0,
                bins: BTreeMap::new(),
                low: f64::INFINITY,
                high: f64::NEG_INFINITY,
                sum: Box::default(),
            }
        }
    }

    pub fn add(&mut self, value: f64) {
        let positive_zero = value.to_bits() == 0;
        match self {
            Values::Exact { zero, .. } | Values::Binned { zero, .. } if positive_zero => {
                *zero += 1;
            }
            Values::Exact { values, .. } => values.push(value),
            Values::Binned {
                bins,
                low,
                high,
                sum,
                ..
            } => {
                *bins.entry(key(value) >> BIN_SHIFT).or_insert(0) += 1;
                *low = low.min(value);
                *high = high.max(value);
                sum.add(value);
            }
        }
    }

    /// Adds `other`'s values. Parts of one run are all exact or all binned; should one be
    /// exact and the other binned, the exact one is binned first.
    pub fn merge(&mut self, other: Values) {
        let other = match (&*self, other) {
            (Values::Binned { .. }, exact @ Values::Exact { .. }) => exact.binned(),
            (Values::Exact { .. }, binned @ Values::Binned { .. }) => {
                *self = std::mem::replace(self, Values::new(true)).binned();
                binned
            }
            (_, other) => other,
        };
        match (self, other) {
            (
                Values::Exact { zero, values },
                Values::Exact {
                    zero: more_zero,
                    values: more,
                },
            ) => {
                *zero += more_zero;
                values.extend(more);
            }
            (
                Values::Binned {
                    zero,
                    bins,
                    low,
                    high,
                    sum,
                },
                Values::Binned {
                    zero: more_zero,
                    bins: more,
                    low: other_low,
                    high: other_high,
                    sum: other_sum,
                },
            ) => {
                *zero += more_zero;
                for (bin, count) in more {
                    *bins.entry(bin).or_insert(0) += count;
                }
                *low = low.min(other_low);
                *high = high.max(other_high);
                sum.merge(&other_sum);
            }
            // Both are of one kind by now.
            _ => {}
        }
    }

    /// The same values, binned.
    fn binned(self) -> Values {
        match self {
            Values::Exact { zero, values } => {
                let mut binned = Values::new(false);
                for value in values {
                    binned.add(value);
                }
                if let Values::Binned { zero: zeros, .. } = &mut binned {
                    *zeros = zero;
                }
                binned
            }
            binned @ Values::Binned { .. } => binned,
        }
    }

    /// The sorted values, each multiplied by `scale` when given.
    pub fn sorted(&self, scale: Option<f64>) -> Sorted {
        match self {
            Values::Exact { zero, values } => {
                // What the summary that kept every replication did: the values (scaled),
                // sorted, then summed in order.
                let zeros = usize::try_from(*zero).unwrap_or(usize::MAX);
                let mut all: Vec<f64> = std::iter::repeat_n(0.0, zeros)
                    .chain(values.iter().copied())
                    .collect();
                all.sort_by(f64::total_cmp);
                if let Some(scale) = scale {
                    for value in &mut all {
                        *value *= scale;
                    }
                    all.sort_by(f64::total_cmp);
                }
                let sum = all.iter().sum::<f64>();
                Sorted::Values { values: all, sum }
            }
            Values::Binned {
                zero,
                bins,
                low,
                high,
                sum,
            } => {
                // Negative bins come first in key order, then +0.0, then the positive ones.
                let zero_key = key(0.0) >> BIN_SHIFT;
                let mut runs: Vec<(u64, f64)> = Vec::new();
                let mut push = |count: u64, value: f64| runs.push((count, value));
                let mut zeros_done = *zero == 0;
                for (&bin, &count) in bins {
                    if !zeros_done && bin >= zero_key {
                        push(*zero, 0.0);
                        zeros_done = true;
                    }
                    // `max` and `min` rather than `clamp`, which panics on NaN.
                    push(count, middle(bin).max(*low).min(*high));
                }
                if !zeros_done {
                    push(*zero, 0.0);
                }
                let scale_by = scale.unwrap_or(1.0);
                if scale_by < 0.0 {
                    runs.reverse();
                }
                let mut ends = Vec::with_capacity(runs.len());
                let mut end = 0;
                for (count, value) in runs {
                    end += count;
                    ends.push((end, value * scale_by));
                }
                Sorted::Runs {
                    ends,
                    sum: sum.value() * scale_by,
                }
            }
        }
    }
}

/// A quantity's values in ascending order, and their sum.
pub(crate) enum Sorted {
    Values {
        values: Vec<f64>,
        sum: f64,
    },
    /// Runs of equal values: `(end, value)` says that the values ranked below `end` (and
    /// at or above the previous run's end) are `value`.
    Runs {
        ends: Vec<(u64, f64)>,
        sum: f64,
    },
}

impl Sorted {
    pub fn len(&self) -> usize {
        match self {
            Sorted::Values { values, .. } => values.len(),
            Sorted::Runs { ends, .. } => ends
                .last()
                .map_or(0, |&(end, _)| usize::try_from(end).unwrap_or(usize::MAX)),
        }
    }

    /// The value ranked `i` (from 0); `i` is below [`Sorted::len`].
    pub fn at(&self, i: usize) -> f64 {
        match self {
            Sorted::Values { values, .. } => values.get(i).copied().unwrap_or(f64::NAN),
            Sorted::Runs { ends, .. } => {
                let i = i as u64;
                let run = ends.partition_point(|&(end, _)| end <= i);
                ends.get(run).map_or(f64::NAN, |&(_, value)| value)
            }
        }
    }

    pub fn sum(&self) -> f64 {
        match self {
            Sorted::Values { sum, .. } | Sorted::Runs { sum, .. } => *sum,
        }
    }
}

/// An order-preserving map of `f64` to `u64`: negative values below zero below positive
/// ones, as [`f64::total_cmp`] orders them.
fn key(value: f64) -> u64 {
    let bits = value.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

fn from_key(key: u64) -> f64 {
    if key >> 63 == 1 {
        f64::from_bits(key & !(1 << 63))
    } else {
        f64::from_bits(!key)
    }
}

/// The value at the middle of a bin.
fn middle(bin: u64) -> f64 {
    from_key((bin << BIN_SHIFT) | (1 << (BIN_SHIFT - 1)))
}

/// Limbs of [`ExactSum`]: a finite `f64` is an integer multiple of 2⁻¹⁰⁷⁴ below 2¹⁰²⁴,
/// so 2,098 bits hold any one; 34 limbs (2,176 bits) leave room for 2⁷⁷ of them, and the
/// top bit for the sign.
const LIMBS: usize = 34;

/// The exact sum of finite `f64` values, as a two's-complement fixed-point integer in
/// units of 2⁻¹⁰⁷⁴ (a Kulisch accumulator), rounded to the nearest `f64` once, at the end.
/// Adding is exact, so sums merge in any order to the same bits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<u64>", into = "Vec<u64>")]
pub(crate) struct ExactSum {
    limbs: [u64; LIMBS],
}

impl Default for ExactSum {
    fn default() -> Self {
        ExactSum { limbs: [0; LIMBS] }
    }
}

impl TryFrom<Vec<u64>> for ExactSum {
    type Error = String;
    fn try_from(limbs: Vec<u64>) -> Result<Self, Self::Error> {
        let found = limbs.len();
        let limbs: [u64; LIMBS] = limbs
            .try_into()
            .map_err(|_| format!("an exact sum has {LIMBS} limbs, not {found}"))?;
        Ok(ExactSum { limbs })
    }
}

impl From<ExactSum> for Vec<u64> {
    fn from(sum: ExactSum) -> Vec<u64> {
        sum.limbs.to_vec()
    }
}

impl ExactSum {
    /// Adds a finite value (infinities and NaN are ignored).
    pub fn add(&mut self, value: f64) {
        if !value.is_finite() || value == 0.0 {
            return;
        }
        let bits = value.to_bits();
        let exponent = (bits >> 52) & 0x7ff;
        let fraction = bits & ((1 << 52) - 1);
        // value = ±mantissa · 2^(shift − 1074)
        let (mantissa, shift) = if exponent == 0 {
            (fraction, 0)
        } else {
            (fraction | (1 << 52), exponent - 1)
        };
        // `shift` is at most 2045: the limb index stays below 32.
        let limb = usize::try_from(shift / 64).unwrap_or(LIMBS);
        let wide = u128::from(mantissa) << (shift % 64);
        let parts = [wide as u64, (wide >> 64) as u64];
        if bits >> 63 == 0 {
            self.add_at(limb, parts);
        } else {
            self.subtract_at(limb, parts);
        }
    }

    fn add_at(&mut self, limb: usize, parts: [u64; 2]) {
        self.carry_at(limb, parts, u64::overflowing_add);
    }

    fn subtract_at(&mut self, limb: usize, parts: [u64; 2]) {
        self.carry_at(limb, parts, u64::overflowing_sub);
    }

    /// Adds or subtracts (`op`) the two-limb `parts` at `limb`, carrying (or borrowing)
    /// upwards until nothing is left to carry.
    fn carry_at(&mut self, limb: usize, parts: [u64; 2], op: fn(u64, u64) -> (u64, bool)) {
        let mut carry = false;
        for (i, slot) in self.limbs.iter_mut().enumerate().skip(limb) {
            let part = parts.get(i - limb).copied().unwrap_or(0);
            if part == 0 && !carry && i > limb + 1 {
                break;
            }
            let (value, c1) = op(*slot, part);
            let (value, c2) = op(value, u64::from(carry));
            *slot = value;
            carry = c1 || c2;
        }
    }

    pub fn merge(&mut self, other: &ExactSum) {
        let mut carry = false;
        for (slot, &part) in self.limbs.iter_mut().zip(&other.limbs) {
            let (sum, c1) = slot.overflowing_add(part);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            *slot = sum;
            carry = c1 || c2;
        }
    }

    /// The sum rounded to the nearest `f64` (ties to even; a sum in the subnormal range
    /// may be rounded twice).
    pub fn value(&self) -> f64 {
        let negative = self.limbs[LIMBS - 1] >> 63 == 1;
        let mut magnitude = self.limbs;
        if negative {
            // Two's complement: invert and add one.
            let mut carry = true;
            for limb in &mut magnitude {
                let (sum, c) = (!*limb).overflowing_add(u64::from(carry));
                *limb = sum;
                carry = c;
            }
        }
        let Some(top) = magnitude.iter().rposition(|&limb| limb != 0) else {
            return 0.0;
        };
        let limb = |i: usize| -> u64 { magnitude.get(i).copied().unwrap_or(0) };
        let lower = |i: usize| -> u64 { i.checked_sub(1).map_or(0, limb) };
        let zeros = limb(top).leading_zeros();
        // The 128 bits from the highest set bit down, then a sticky bit for the rest.
        let mut window = (u128::from(limb(top)) << 64) | u128::from(lower(top));
        let below = top.checked_sub(1).map_or(0, lower);
        if zeros > 0 {
            window = (window << zeros) | u128::from(below >> (64 - zeros));
        }
        let rest_nonzero = (zeros > 0 && below << zeros != 0)
            || (zeros == 0 && below != 0)
            || magnitude[..top.saturating_sub(2)].iter().any(|&l| l != 0);
        if rest_nonzero {
            window |= 1;
        }
        // window · 2^(64·top − 64 − zeros − 1074)
        let exponent = i64::try_from(top).unwrap_or(0) * 64 - 64 - i64::from(zeros) - 1074;
        #[allow(clippy::cast_precision_loss)]
        let rounded = window as f64;
        let value = scale(rounded, exponent);
        if negative { -value } else { value }
    }
}

/// `x · 2^exponent`, exact unless the result leaves the normal range.
fn scale(mut x: f64, mut exponent: i64) -> f64 {
    while exponent != 0 {
        let step = exponent.clamp(-1000, 1000);
        // |step| ≤ 1000: a normal power of two.
        let bits = u64::try_from(step + 1023).unwrap_or(1023) << 52;
        x *= f64::from_bits(bits);
        exponent -= step;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn exact_sum(values: &[f64]) -> f64 {
        let mut sum = ExactSum::default();
        for &v in values {
            sum.add(v);
        }
        sum.value()
    }

    #[test]
    fn exact_sum_is_exact_where_floats_are_not() {
        assert_eq!(exact_sum(&[1e100, 1.0, -1e100]), 1.0);
        assert_eq!(exact_sum(&[0.1, 0.2, 0.3]), 0.6);
        assert_eq!(exact_sum(&[]), 0.0);
        assert_eq!(exact_sum(&[-2.5]), -2.5);
        assert_eq!(exact_sum(&[5e-324, 5e-324]), 1e-323);
        assert_eq!(exact_sum(&[f64::MAX, -f64::MAX, 3.0]), 3.0);
        assert_eq!(exact_sum(&[f64::MAX]), f64::MAX);
        // Ties round to even: 2⁵³ + 1 is halfway between 2⁵³ and 2⁵³ + 2.
        let two53 = 9_007_199_254_740_992.0;
        assert_eq!(exact_sum(&[two53, 1.0]), two53);
        assert_eq!(exact_sum(&[two53, 1.0, 1e-300]), two53 + 2.0);
        assert_eq!(exact_sum(&[two53 + 2.0, 1.0]), two53 + 4.0);
    }

    #[test]
    fn keys_order_like_total_cmp() {
        let values = [-1e300, -1.5, -5e-324, -0.0, 0.0, 5e-324, 1.0, 1.5, 1e300];
        for pair in values.windows(2) {
            assert!(key(pair[0]) < key(pair[1]), "{pair:?}");
            assert_eq!(from_key(key(pair[0])).to_bits(), pair[0].to_bits());
        }
    }

    proptest! {
        /// The exact sum is the correctly rounded sum: compared with a sum of exact
        /// rationals over a common power of two.
        #[test]
        fn exact_sum_matches_integer_arithmetic(
            values in proptest::collection::vec((-1_000_000_i64..1_000_000, -40_i32..40), 0..50),
        ) {
            // Each value is m · 2^e; scaled by 2^40 they are integers below 2^100.
            let floats: Vec<f64> = values
                .iter()
                .map(|&(m, e)| m as f64 * 2f64.powi(e))
                .collect();
            let total: i128 = values.iter().map(|&(m, e)| i128::from(m) << (e + 40)).sum();
            let expected = total as f64 / 2f64.powi(40);
            prop_assert_eq!(exact_sum(&floats), expected);
            // Any split merges to the same bits.
            let half = floats.len() / 2;
            let mut a = ExactSum::default();
            let mut b = ExactSum::default();
            floats[..half].iter().for_each(|&v| a.add(v));
            floats[half..].iter().for_each(|&v| b.add(v));
            b.merge(&a);
            prop_assert_eq!(b.value(), expected);
        }

        /// Binned order statistics are within 2⁻⁸ of the exact ones.
        #[test]
        fn binned_quantiles_are_within_the_bin_width(
            values in proptest::collection::vec(
                prop_oneof![Just(0.0), -1e6_f64..1e6, 1e-3_f64..10.0],
                1..200,
            ),
        ) {
            let mut exact = Values::new(true);
            let mut binned = Values::new(false);
            for &v in &values {
                exact.add(v);
                binned.add(v);
            }
            let (exact, binned) = (exact.sorted(None), binned.sorted(None));
            prop_assert_eq!(exact.len(), binned.len());
            for i in 0..exact.len() {
                let (e, b) = (exact.at(i), binned.at(i));
                prop_assert!((e - b).abs() <= e.abs() / 256.0, "rank {}: {} against {}", i, e, b);
            }
            let sum: f64 = values.iter().sum();
            prop_assert!((binned.sum() - sum).abs() <= 1e-9 * values.iter().map(|v| v.abs()).sum::<f64>());
        }
    }

    #[test]
    fn counts_give_the_sorted_values() {
        let values = [3_u32, 0, 7, 3, 0, 0, 12, 1];
        let mut counts = Counts::default();
        values.iter().for_each(|&v| counts.add(v));
        let mut sorted: Vec<f64> = values.iter().map(|&v| f64::from(v)).collect();
        sorted.sort_by(f64::total_cmp);
        let runs = counts.sorted(None);
        assert_eq!(runs.len(), sorted.len());
        for (i, &v) in sorted.iter().enumerate() {
            assert_eq!(runs.at(i), v);
        }
        assert_eq!(runs.sum(), sorted.iter().sum::<f64>());
        let scaled = counts.sorted(Some(0.1));
        assert_eq!(scaled.sum(), sorted.iter().map(|v| 0.1 * v).sum::<f64>());
        assert_eq!(counts.nonzero(), 5);
        assert_eq!(counts.above(3.0), 2);
        assert_eq!(counts.above(-1.0), 8);
    }
}
