//! Monte Carlo: many outages with drawn start and duration, run in parallel, summarised per
//! demand node with confidence intervals.
//!
//! Replication `r` draws from ChaCha8 seeded with the run's seed on stream `r`, so every
//! replication's draws are the same whatever the thread count. The replications are
//! summarised into mergeable parts (see [`MonteCarloPart`]): the blocks of a run can be
//! run anywhere, in any grouping, and merge into the same report bits.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use lifeline_network::{Disruption, Scenario, Target, ValidatedNetwork, significant};
use lifeline_stress::StressError;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::distribution::Distribution;
use crate::engine::{Engine, Record};
use crate::stats::{quantile_at, quantile_interval_at, wilson_interval};
use crate::summary::{BIN_BITS, Counts, Sorted, Values};
use crate::timeline::{Timeline, whole_day};
use crate::{SimOptions, Simulator};

/// The outage every replication draws: which entities go down, how far, when and for how
/// long.
#[derive(Debug, Clone, PartialEq)]
pub struct Outage {
    pub targets: Vec<Target>,
    /// Capacity left while down (0: fully down).
    pub capacity_factor: f64,
    /// Days until the outage starts.
    pub start: Distribution,
    /// Days the outage lasts, rounded up to whole days.
    pub duration: Distribution,
    /// Each entity draws its own duration (otherwise one attack takes all of them down for
    /// the same drawn duration).
    pub independent: bool,
    /// Cost per outage day, for the money view.
    pub downtime_cost: Option<f64>,
}

impl Outage {
    /// The outage as one scenario: every target at `capacity_factor`, for `ttr` time
    /// units from `start`. The one conversion from an outage to a [`Scenario`], used for
    /// each replication and for the stress test's time to survive.
    pub fn scenario(
        &self,
        id: impl Into<String>,
        ttr: Option<f64>,
        start: Option<f64>,
    ) -> Scenario {
        Scenario {
            id: id.into(),
            ttr,
            disrupt: self
                .targets
                .iter()
                .map(|target| Disruption {
                    target: target.clone(),
                    capacity_factor: self.capacity_factor,
                    profile: None,
                    defection: None,
                })
                .collect(),
            start,
            downtime_cost: self.downtime_cost,
        }
    }

    /// The outage's time to survive under the best response: the stress test's TTS of
    /// the outage as one scenario (without a `ttr`, so only the TTS program runs), which
    /// Monte Carlo compares with the drawn durations.
    pub fn time_to_survive(&self, network: &ValidatedNetwork) -> Result<Option<f64>, StressError> {
        let scenario = self.scenario("outage", None, None);
        let report = lifeline_stress::run(
            network,
            std::slice::from_ref(&scenario),
            &lifeline_stress::StressConfig { skip_covered: true },
            &|| {},
        )?;
        Ok(report.scenarios.first().map(|result| result.tts))
    }
}

/// A Monte Carlo run.
#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarlo {
    pub replications: u32,
    pub seed: u64,
    pub days: u32,
    /// Time to survive of the outage (e.g. from the stress test), to report how often the
    /// drawn duration exceeds it.
    pub tts: Option<f64>,
}

/// The Monte Carlo report: the spec's contract (`replications`, `seed`, `demand_nodes[]`
/// with `id`, `p_stockout`, `p_stockout_ci`, `shortage_days_p50/p90/p99`) and more.
///
/// Every quantity is exact except, in a run of more than [`EXACT_VALUES`] values
/// (replications × (demand nodes + 2)), the percentiles of unmet units and loss and their
/// intervals: these are then binned, each within [`MonteCarloReport::binned_quantile_error`]
/// of the exact one, so that the summary's memory does not grow with the replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonteCarloReport {
    pub replications: u32,
    pub seed: u64,
    pub days: u32,
    pub outage: OutageSummary,
    pub demand_nodes: Vec<DemandRisk>,
    pub totals: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tts: Option<TtsComparison>,
    /// Set when the run was too large to keep every value: the relative error bound
    /// (2⁻⁸) of the unmet-units and loss percentiles and intervals, whose order statistics
    /// are the middles of bins 2⁻⁷ wide. Their means stay exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binned_quantile_error: Option<f64>,
}

/// The bound on the relative error of a binned order statistic: half a bin.
const BINNED: f64 = 1.0 / (1_u64 << (BIN_BITS + 1)) as f64;

/// What was drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutageSummary {
    pub targets: Vec<String>,
    pub capacity_factor: f64,
    pub start: String,
    pub duration: String,
    pub independent: bool,
    /// The drawn durations (whole days; with independent draws, the longest per
    /// replication).
    pub drawn_duration: Quantiles,
}

/// One demand node's risk over the replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandRisk {
    pub id: String,
    pub material: String,
    pub p_stockout: f64,
    pub p_stockout_ci: [f64; 2],
    pub shortage_days_p50: f64,
    pub shortage_days_p90: f64,
    pub shortage_days_p99: f64,
    pub shortage_days: Quantiles,
    pub unmet_units: Quantiles,
    pub loss: Quantiles,
    /// Median first stockout day among replications that ran short.
    pub first_stockout_day_p50: Option<f64>,
}

/// Mean, median, p90 and p99 of a quantity over the replications, with 95% intervals for
/// the percentiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantiles {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p50_ci: [f64; 2],
    pub p90_ci: [f64; 2],
    pub p99_ci: [f64; 2],
}

/// Network-wide totals over the replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Replications in which any demand node ran short.
    pub p_any_stockout: f64,
    pub p_any_stockout_ci: [f64; 2],
    pub nodes_short: Quantiles,
    pub unmet_units: Quantiles,
    pub loss: Quantiles,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub downtime_cost: Option<Quantiles>,
}

/// How often the drawn time to recover exceeds the time to survive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TtsComparison {
    pub tts: f64,
    /// Fraction of replications with TTS < drawn duration.
    pub p_tts_short: f64,
    pub p_tts_short_ci: [f64; 2],
}

/// Replications per block. A run's replications are cut into blocks of this many (the last
/// may be shorter); [`Simulator::montecarlo_blocks`] runs a range of whole blocks, and
/// parts merge into the report of the whole run. A block is the smallest unit a run is
/// spread over (threads take pieces of 64 replications at a time, the same size), so that a
/// run of 100,000 replications still fills 1,563 CPUs; merges are exact, so the block
/// size changes no result.
pub const BLOCK: u32 = PIECE;

/// A run keeps every unmet-units and loss value exactly (and reports the same bits as the
/// summary that kept every replication) while replications × (demand nodes + 2) is at most
/// this many, 128 MiB of values at most; a larger run bins them (see [`MonteCarloReport`]).
pub const EXACT_VALUES: u64 = 1 << 24;

/// Replications a thread takes at a time.
const PIECE: u32 = 64;

/// How many blocks `replications` make.
pub fn block_count(replications: u32) -> u32 {
    replications.div_ceil(BLOCK)
}

/// Why parts of a Monte Carlo run cannot be merged or finished.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PartError {
    #[error(
        "blocks {start}..{end}: the run has blocks 0..{blocks} ({replications} replications in blocks of {BLOCK})"
    )]
    OutOfRange {
        start: u32,
        end: u32,
        blocks: u32,
        replications: u32,
    },
    #[error("the parts belong to different runs: their {field} differ")]
    Mismatch { field: &'static str },
    #[error("block {block} is in both parts")]
    Overlap { block: u32 },
    #[error(
        "the parts cover blocks {covered}, not 0..{blocks}: the run's {replications} replications are not all summarised"
    )]
    Incomplete {
        covered: String,
        blocks: u32,
        replications: u32,
    },
    #[error("the part summarises {found} demand nodes; the network has {expected}")]
    Nodes { found: usize, expected: usize },
}

/// The summary of a range of whole blocks of a Monte Carlo run, to merge with the other
/// blocks' and finish into the run's [`MonteCarloReport`]
/// ([`Simulator::montecarlo_finish`]). Merging is exact: any grouping of the blocks, in any
/// order, on any number of threads or machines, gives the same report bits, and the same
/// as [`Simulator::montecarlo`].
///
/// Its memory is bounded by the network and the range of its values, not by the number of
/// replications: whole-number quantities are histograms, and unmet units and loss are
/// either kept (while the run is at most [`EXACT_VALUES`] values) or binned.
/// It serialises (serde) so that parts can travel between processes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonteCarloPart {
    run: RunKey,
    /// The blocks summarised: sorted, disjoint, adjacent ranges joined.
    blocks: Vec<(u32, u32)>,
    nodes: Vec<NodeSummary>,
    totals: TotalSummary,
}

/// What a part's run is: parts merge only with parts of the same run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct RunKey {
    replications: u32,
    seed: u64,
    days: u32,
    /// The outage's targets, capacity factor, distributions and independence.
    outage: String,
    /// FNV-1a of the demand nodes' ids, and how many.
    network: u64,
    demand_nodes: usize,
    exact: bool,
}

/// One demand node over the replications summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct NodeSummary {
    shortage_days: Counts,
    unmet: Values,
    /// First stockout day, of the replications that ran short.
    first_stockout: Counts,
}

/// Network-wide quantities over the replications summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct TotalSummary {
    nodes_short: Counts,
    unmet: Values,
    loss: Values,
    outage_days: Counts,
    duration: Counts,
}

impl MonteCarloPart {
    fn new(run: RunKey) -> MonteCarloPart {
        let exact = run.exact;
        let node = NodeSummary {
            shortage_days: Counts::default(),
            unmet: Values::new(exact),
            first_stockout: Counts::default(),
        };
        MonteCarloPart {
            nodes: vec![node; run.demand_nodes],
            totals: TotalSummary {
                nodes_short: Counts::default(),
                unmet: Values::new(exact),
                loss: Values::new(exact),
                outage_days: Counts::default(),
                duration: Counts::default(),
            },
            blocks: Vec::new(),
            run,
        }
    }

    /// The blocks this part summarises, as sorted disjoint ranges.
    pub fn blocks(&self) -> Vec<std::ops::Range<u32>> {
        self.blocks.iter().map(|&(start, end)| start..end).collect()
    }

    /// Adds `other`'s blocks to this part's.
    ///
    /// # Errors
    ///
    /// [`PartError::Mismatch`] when the parts belong to different runs (replications,
    /// seed, days, outage or network), [`PartError::Overlap`] when a block is in both.
    pub fn merge(&mut self, other: MonteCarloPart) -> Result<(), PartError> {
        self.run.matches(&other.run)?;
        self.blocks = union(&self.blocks, &other.blocks)?;
        self.absorb(other);
        Ok(())
    }

    /// Adds `other`'s summaries (exact, so in any order).
    fn absorb(&mut self, other: MonteCarloPart) {
        for (node, more) in self.nodes.iter_mut().zip(other.nodes) {
            node.shortage_days.merge(more.shortage_days);
            node.unmet.merge(more.unmet);
            node.first_stockout.merge(more.first_stockout);
        }
        let (totals, more) = (&mut self.totals, other.totals);
        totals.nodes_short.merge(more.nodes_short);
        totals.unmet.merge(more.unmet);
        totals.loss.merge(more.loss);
        totals.outage_days.merge(more.outage_days);
        totals.duration.merge(more.duration);
    }

    /// Adds one replication's outcomes.
    fn add(&mut self, plan: &crate::plan::Plan, engine: &Engine, outage_days: u32, duration: u32) {
        let mut short = 0_u32;
        for (node, outcome) in self.nodes.iter_mut().zip(&engine.outcomes) {
            node.shortage_days.add(outcome.shortage_days);
            node.unmet.add(outcome.unmet);
            if let Some(day) = outcome.first_stockout {
                node.first_stockout.add(day);
            }
            if outcome.shortage_days > 0 {
                short += 1;
            }
        }
        let totals = &mut self.totals;
        totals.nodes_short.add(short);
        // Summed in demand-node order, as the summary that kept every replication did.
        totals
            .unmet
            .add(engine.outcomes.iter().map(|o| o.unmet).sum());
        totals.loss.add(
            plan.demand_nodes
                .iter()
                .zip(&engine.outcomes)
                .map(|(&j, o)| plan.value[j] * o.unmet)
                .sum(),
        );
        totals.outage_days.add(outage_days);
        totals.duration.add(duration);
    }
}

impl RunKey {
    fn new(simulator: &Simulator<'_>, outage: &Outage, run: &MonteCarlo) -> RunKey {
        let plan = simulator.plan();
        // FNV-1a, 64 bits: a fingerprint against merging parts of different networks.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &j in &plan.demand_nodes {
            for byte in plan.ids[j].bytes().chain([0]) {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        let demand_nodes = plan.demand_nodes.len();
        RunKey {
            replications: run.replications,
            seed: run.seed,
            days: run.days,
            outage: format!(
                "{:?} at {:?}, start {}, duration {}, independent {}",
                outage.targets,
                outage.capacity_factor,
                outage.start,
                outage.duration,
                outage.independent
            ),
            network: hash,
            demand_nodes,
            exact: u64::from(run.replications).saturating_mul(demand_nodes as u64 + 2)
                <= EXACT_VALUES,
        }
    }

    fn matches(&self, other: &RunKey) -> Result<(), PartError> {
        let field = if self.replications != other.replications {
            "replications"
        } else if self.seed != other.seed {
            "seeds"
        } else if self.days != other.days {
            "days"
        } else if self.outage != other.outage {
            "outages"
        } else if self.network != other.network || self.demand_nodes != other.demand_nodes {
            "networks (demand nodes)"
        } else if self.exact != other.exact {
            "summaries (exact and binned)"
        } else {
            return Ok(());
        };
        Err(PartError::Mismatch { field })
    }

    fn blocks(&self) -> u32 {
        block_count(self.replications)
    }
}

/// The union of two sets of sorted disjoint ranges, adjacent ranges joined.
fn union(a: &[(u32, u32)], b: &[(u32, u32)]) -> Result<Vec<(u32, u32)>, PartError> {
    let mut all: Vec<(u32, u32)> = a.iter().chain(b).copied().collect();
    all.sort_unstable();
    let mut joined: Vec<(u32, u32)> = Vec::with_capacity(all.len());
    for (start, end) in all {
        match joined.last_mut() {
            Some(last) if start < last.1 => return Err(PartError::Overlap { block: start }),
            Some(last) if start == last.1 => last.1 = end,
            _ => joined.push((start, end)),
        }
    }
    Ok(joined)
}

impl Simulator<'_> {
    /// Runs the replications in parallel (rayon's pool); `progress` is called with the
    /// number of replications done so far. The same report as running every block with
    /// [`Simulator::montecarlo_blocks`], in any grouping, and finishing the merged parts.
    pub fn montecarlo(
        &self,
        outage: &Outage,
        run: &MonteCarlo,
        progress: &(dyn Fn(u64) + Sync),
    ) -> MonteCarloReport {
        let key = RunKey::new(self, outage, run);
        let part =
            self.summarise_blocks(outage, run, key, 0..block_count(run.replications), progress);
        self.report(outage, run, &part)
    }

    /// Runs the replications of blocks `blocks` (each [`BLOCK`] replications, the last
    /// one possibly fewer) on rayon's pool, and returns their summary.
    ///
    /// # Errors
    ///
    /// [`PartError::OutOfRange`] when the range is empty or goes past the run's last block.
    pub fn montecarlo_blocks(
        &self,
        outage: &Outage,
        run: &MonteCarlo,
        blocks: std::ops::Range<u32>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<MonteCarloPart, PartError> {
        let key = RunKey::new(self, outage, run);
        let count = key.blocks();
        if blocks.start >= blocks.end || blocks.end > count {
            return Err(PartError::OutOfRange {
                start: blocks.start,
                end: blocks.end,
                blocks: count,
                replications: run.replications,
            });
        }
        Ok(self.summarise_blocks(outage, run, key, blocks, progress))
    }

    /// The report of a run from the merged parts of all its blocks. `run.tts` is used here
    /// only (the parts do not depend on it).
    ///
    /// # Errors
    ///
    /// [`PartError::Mismatch`] when the part is of another run or network,
    /// [`PartError::Incomplete`] when some block is missing, [`PartError::Nodes`] when the
    /// part does not hold one summary per demand node.
    pub fn montecarlo_finish(
        &self,
        outage: &Outage,
        run: &MonteCarlo,
        part: &MonteCarloPart,
    ) -> Result<MonteCarloReport, PartError> {
        let key = RunKey::new(self, outage, run);
        key.matches(&part.run)?;
        let blocks = key.blocks();
        let complete = if blocks == 0 {
            part.blocks.is_empty()
        } else {
            part.blocks == [(0, blocks)]
        };
        if !complete {
            let covered: Vec<String> = part
                .blocks
                .iter()
                .map(|(start, end)| format!("{start}..{end}"))
                .collect();
            return Err(PartError::Incomplete {
                covered: if covered.is_empty() {
                    "none".to_owned()
                } else {
                    covered.join(", ")
                },
                blocks,
                replications: run.replications,
            });
        }
        let expected = self.plan().demand_nodes.len();
        if part.nodes.len() != expected {
            return Err(PartError::Nodes {
                found: part.nodes.len(),
                expected,
            });
        }
        Ok(self.report(outage, run, part))
    }

    /// The summary of `blocks` (within the run's), threads taking [`PIECE`] replications
    /// at a time, each into its own part; the parts merge exactly.
    fn summarise_blocks(
        &self,
        outage: &Outage,
        run: &MonteCarlo,
        key: RunKey,
        blocks: std::ops::Range<u32>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> MonteCarloPart {
        let plan = self.plan();
        let first = blocks.start.saturating_mul(BLOCK).min(run.replications);
        let end = blocks.end.saturating_mul(BLOCK).min(run.replications);
        let pieces: Vec<std::ops::Range<u32>> = (first..end)
            .step_by(PIECE as usize)
            .map(|start| start..start.saturating_add(PIECE).min(end))
            .collect();
        let next = AtomicUsize::new(0);
        let done = AtomicU64::new(0);
        let workers = rayon::current_num_threads().clamp(1, pieces.len().max(1));
        let parts: Vec<MonteCarloPart> = (0..workers)
            .into_par_iter()
            .map(|_| {
                let mut engine = Engine::new(plan);
                let mut part = MonteCarloPart::new(key.clone());
                while let Some(piece) = pieces.get(next.fetch_add(1, Ordering::Relaxed)) {
                    for r in piece.clone() {
                        let (scenario, ttrs, duration) = draw(outage, run.seed, r);
                        let timeline =
                            Timeline::with_ttrs(self.network(), plan, &scenario, &ttrs, run.days);
                        engine.run(plan, &timeline, run.days, Record::Outcomes);
                        part.add(plan, &engine, timeline.outage_days, duration);
                        progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                    }
                }
                part
            })
            .collect();
        let mut whole = MonteCarloPart::new(key);
        for part in parts {
            whole.absorb(part);
        }
        if first < end {
            whole.blocks = vec![(blocks.start, blocks.end)];
        }
        whole
    }

    /// Monte Carlo compared with the stress test: [`Simulator::montecarlo`] with
    /// `run.tts` replaced by the outage's [`Outage::time_to_survive`], so that the report
    /// says how often a drawn outage outlasts the best response. What `lifeline
    /// montecarlo` runs.
    pub fn montecarlo_against_stress(
        &self,
        outage: &Outage,
        run: &MonteCarlo,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<MonteCarloReport, StressError> {
        let run = MonteCarlo {
            tts: outage.time_to_survive(self.network())?,
            ..run.clone()
        };
        Ok(self.montecarlo(outage, &run, progress))
    }

    /// The scenario of replication `r`, for looking at one replication day by day.
    pub fn replication(&self, outage: &Outage, seed: u64, r: u32, days: u32) -> crate::SimReport {
        let (scenario, ttrs, _) = draw(outage, seed, r);
        let timeline = Timeline::with_ttrs(self.network(), self.plan(), &scenario, &ttrs, days);
        let mut engine = Engine::new(self.plan());
        engine.run(self.plan(), &timeline, days, Record::Series);
        let options = SimOptions::days(days).with_series();
        crate::report::build(
            self.plan(),
            &engine,
            &timeline,
            &scenario,
            options.days,
            true,
        )
    }

    /// The report of a complete part.
    fn report(&self, outage: &Outage, run: &MonteCarlo, part: &MonteCarloPart) -> MonteCarloReport {
        let plan = self.plan();
        let totals = &part.totals;
        let n = totals.duration.len();
        let proportion = |count: u64| {
            let (low, high) = wilson_interval(count, n);
            (
                significant(count as f64 / n.max(1) as f64),
                [significant(low), significant(high)],
            )
        };
        let demand_nodes = plan
            .demand_nodes
            .iter()
            .zip(&part.nodes)
            .map(|(&j, node)| {
                let (p_stockout, p_stockout_ci) = proportion(node.shortage_days.nonzero());
                let shortage_days = quantiles(&node.shortage_days.sorted(None));
                let first = node.first_stockout.sorted(None);
                DemandRisk {
                    id: plan.ids[j].clone(),
                    material: plan.materials[j].clone(),
                    p_stockout,
                    p_stockout_ci,
                    shortage_days_p50: shortage_days.p50,
                    shortage_days_p90: shortage_days.p90,
                    shortage_days_p99: shortage_days.p99,
                    shortage_days,
                    unmet_units: quantiles(&node.unmet.sorted(None)),
                    loss: quantiles(&node.unmet.sorted(Some(plan.value[j]))),
                    first_stockout_day_p50: (first.len() > 0)
                        .then(|| significant(quantile_at(first.len(), 0.5, |i| first.at(i)))),
                }
            })
            .collect();
        let (p_any_stockout, p_any_stockout_ci) = proportion(totals.nodes_short.nonzero());
        let summary = Summary {
            p_any_stockout,
            p_any_stockout_ci,
            nodes_short: quantiles(&totals.nodes_short.sorted(None)),
            unmet_units: quantiles(&totals.unmet.sorted(None)),
            loss: quantiles(&totals.loss.sorted(None)),
            downtime_cost: outage
                .downtime_cost
                .map(|per_day| quantiles(&totals.outage_days.sorted(Some(per_day)))),
        };
        let tts = run.tts.map(|tts| {
            let (p_tts_short, p_tts_short_ci) = proportion(totals.duration.above(tts));
            TtsComparison {
                tts: significant(tts),
                p_tts_short,
                p_tts_short_ci,
            }
        });
        MonteCarloReport {
            replications: run.replications,
            seed: run.seed,
            days: run.days,
            outage: OutageSummary {
                targets: outage.targets.iter().map(|t| t.id().to_owned()).collect(),
                capacity_factor: outage.capacity_factor,
                start: outage.start.to_string(),
                duration: outage.duration.to_string(),
                independent: outage.independent,
                drawn_duration: quantiles(&totals.duration.sorted(None)),
            },
            demand_nodes,
            totals: summary,
            tts,
            binned_quantile_error: (!part.run.exact).then_some(BINNED),
        }
    }
}

/// Draws replication `r`: the scenario, each entry's duration, and the longest duration.
fn draw(outage: &Outage, seed: u64, r: u32) -> (Scenario, Vec<Option<f64>>, u32) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(u64::from(r));
    let start = whole_day(outage.start.sample(&mut rng));
    let shared = whole_day(outage.duration.sample(&mut rng));
    let ttrs: Vec<Option<f64>> = outage
        .targets
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let days = if outage.independent && i > 0 {
                whole_day(outage.duration.sample(&mut rng))
            } else {
                shared
            };
            Some(f64::from(days))
        })
        .collect();
    let longest = ttrs.iter().flatten().copied().fold(0.0, f64::max);
    let scenario = outage.scenario(
        format!("replication {r}"),
        Some(longest),
        Some(f64::from(start)),
    );
    (scenario, ttrs, whole_day(longest))
}

fn quantiles(sorted: &Sorted) -> Quantiles {
    let n = sorted.len();
    let at = |i: usize| sorted.at(i);
    let interval = |p: f64| {
        let (low, high) = quantile_interval_at(n, p, at);
        [significant(low), significant(high)]
    };
    let mean = if n == 0 {
        f64::NAN
    } else {
        sorted.sum() / n as f64
    };
    Quantiles {
        mean: significant(mean),
        p50: significant(quantile_at(n, 0.5, at)),
        p90: significant(quantile_at(n, 0.9, at)),
        p99: significant(quantile_at(n, 0.99, at)),
        p50_ci: interval(0.5),
        p90_ci: interval(0.9),
        p99_ci: interval(0.99),
    }
}

#[cfg(test)]
mod tests {
    use lifeline_network::{Format, from_str};

    use super::*;

    fn network() -> ValidatedNetwork {
        let doc = r#"{"format": "lifeline-network/1", "nodes": [
            {"id": "S", "kind": "supplier", "capacity": 30},
            {"id": "B", "kind": "supplier", "capacity": 6},
            {"id": "H", "kind": "hospital", "demand": 10, "inventory": 50, "value": 3.5},
            {"id": "H2", "kind": "hospital", "demand": 7.3, "inventory": 20, "value": 2}],
          "edges": [{"from": "S", "to": "H", "lead_time": 1},
                    {"from": "B", "to": "H", "lead_time": 3},
                    {"from": "S", "to": "H2", "lead_time": 2}]}"#;
        match from_str(doc, Format::Json, "test.json".as_ref()) {
            Ok(loaded) => loaded.network,
            Err(error) => panic!("{error}"),
        }
    }

    /// A large run bins unmet units and loss; binned parts still merge to the same bits,
    /// and the binned percentiles stay within half a bin of the exact ones.
    #[test]
    fn binned_runs_merge_exactly_and_stay_within_half_a_bin() {
        let network = network();
        let simulator = Simulator::new(&network);
        let outage = Outage {
            targets: vec![Target::Node("S".into())],
            capacity_factor: 0.3,
            start: "uniform:0,5".parse().expect("distribution"),
            duration: "lognormal:2.3,0.7".parse().expect("distribution"),
            independent: false,
            downtime_cost: Some(1234.5),
        };
        let run = MonteCarlo {
            replications: 2100,
            seed: 4,
            days: 90,
            tts: Some(6.0),
        };
        let exact_key = RunKey::new(&simulator, &outage, &run);
        assert!(exact_key.exact);
        let binned_key = RunKey {
            exact: false,
            ..exact_key.clone()
        };
        let part = |key: &RunKey, blocks: std::ops::Range<u32>| {
            simulator.summarise_blocks(&outage, &run, key.clone(), blocks, &|_| {})
        };
        let blocks = block_count(run.replications);
        assert!(blocks >= 3, "the run spans several blocks");
        let whole = part(&binned_key, 0..blocks);
        let mut pieces = part(&binned_key, 2..blocks);
        pieces.merge(part(&binned_key, 0..1)).expect("merge");
        pieces.merge(part(&binned_key, 1..2)).expect("merge");
        let binned = simulator.report(&outage, &run, &whole);
        assert_eq!(simulator.report(&outage, &run, &pieces), binned);
        assert_eq!(binned.binned_quantile_error, Some(1.0 / 256.0));

        let exact = simulator.report(&outage, &run, &part(&exact_key, 0..blocks));
        assert_eq!(exact, simulator.montecarlo(&outage, &run, &|_| {}));
        assert_eq!(exact.binned_quantile_error, None);
        let close = |name: &str, binned: &Quantiles, exact: &Quantiles| {
            let pairs = [
                (binned.p50, exact.p50),
                (binned.p90, exact.p90),
                (binned.p99, exact.p99),
                (binned.p50_ci[0], exact.p50_ci[0]),
                (binned.p50_ci[1], exact.p50_ci[1]),
                (binned.p90_ci[0], exact.p90_ci[0]),
                (binned.p90_ci[1], exact.p90_ci[1]),
                (binned.p99_ci[0], exact.p99_ci[0]),
                (binned.p99_ci[1], exact.p99_ci[1]),
            ];
            for (b, e) in pairs {
                assert!(
                    (b - e).abs() <= e.abs() / 256.0 + 1e-9,
                    "{name}: {b} against {e}"
                );
            }
            assert!(
                (binned.mean - exact.mean).abs() <= 1e-9 * exact.mean.abs(),
                "{name} mean: {} against {}",
                binned.mean,
                exact.mean
            );
        };
        let mut some_short = false;
        for (b, e) in binned.demand_nodes.iter().zip(&exact.demand_nodes) {
            close(&b.id, &b.unmet_units, &e.unmet_units);
            close(&b.id, &b.loss, &e.loss);
            // Whole-number quantities are exact either way.
            assert_eq!(b.shortage_days, e.shortage_days);
            assert_eq!(b.p_stockout, e.p_stockout);
            assert_eq!(b.first_stockout_day_p50, e.first_stockout_day_p50);
            some_short |= e.unmet_units.p90 > 0.0;
        }
        assert!(some_short, "the outage should cause shortages");
        close(
            "total unmet",
            &binned.totals.unmet_units,
            &exact.totals.unmet_units,
        );
        close("total loss", &binned.totals.loss, &exact.totals.loss);
        assert_eq!(binned.totals.nodes_short, exact.totals.nodes_short);
        assert_eq!(binned.totals.downtime_cost, exact.totals.downtime_cost);
        assert_eq!(binned.outage, exact.outage);
        assert_eq!(binned.tts, exact.tts);

        // A binned part does not merge with an exact one.
        let mut mixed = part(&binned_key, 0..1);
        assert_eq!(
            mixed.merge(part(&exact_key, 1..3)),
            Err(PartError::Mismatch {
                field: "summaries (exact and binned)"
            })
        );
    }
}
