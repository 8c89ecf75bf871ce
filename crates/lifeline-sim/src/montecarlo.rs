//! Monte Carlo: many outages with drawn start and duration, run in parallel, summarised per
//! demand node with confidence intervals.
//!
//! Replication `r` draws from ChaCha8 seeded with the run's seed on stream `r`, so every
//! replication's draws, and the whole report, are the same whatever the thread count.

use std::sync::atomic::{AtomicU64, Ordering};

use lifeline_network::{Disruption, Scenario, Target, ValidatedNetwork, significant};
use lifeline_stress::StressError;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::distribution::Distribution;
use crate::engine::{Engine, Record};
use crate::stats::{quantile, quantile_interval, wilson_interval};
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
}

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

/// One replication's numbers.
struct Draw {
    duration: u32,
    outage_days: u32,
    /// Per demand node: (shortage days, unmet units, first stockout day).
    nodes: Vec<(u32, f64, Option<u32>)>,
}

impl Simulator<'_> {
    /// Runs the replications in parallel (rayon's pool); `progress` is called with the
    /// number of replications done so far.
    pub fn montecarlo(
        &self,
        outage: &Outage,
        run: &MonteCarlo,
        progress: &(dyn Fn(u64) + Sync),
    ) -> MonteCarloReport {
        let plan = self.plan();
        let done = AtomicU64::new(0);
        let draws: Vec<Draw> = (0..run.replications)
            .into_par_iter()
            .map_init(
                || Engine::new(plan),
                |engine, r| {
                    let (scenario, ttrs, duration) = draw(outage, run.seed, r);
                    let timeline =
                        Timeline::with_ttrs(self.network(), plan, &scenario, &ttrs, run.days);
                    engine.run(plan, &timeline, run.days, Record::Outcomes);
                    let draw = Draw {
                        duration,
                        outage_days: timeline.outage_days,
                        nodes: engine
                            .outcomes
                            .iter()
                            .map(|o| (o.shortage_days, o.unmet, o.first_stockout))
                            .collect(),
                    };
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                    draw
                },
            )
            .collect();
        summarise(self, outage, run, &draws)
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

fn summarise(
    simulator: &Simulator<'_>,
    outage: &Outage,
    run: &MonteCarlo,
    draws: &[Draw],
) -> MonteCarloReport {
    let plan = simulator.plan();
    let n = draws.len() as u64;
    let sorted = |values: Vec<f64>| -> Vec<f64> {
        let mut values = values;
        values.sort_by(f64::total_cmp);
        values
    };
    let demand_nodes = plan
        .demand_nodes
        .iter()
        .enumerate()
        .map(|(k, &j)| {
            let days = sorted(draws.iter().map(|d| f64::from(d.nodes[k].0)).collect());
            let unmet = sorted(draws.iter().map(|d| d.nodes[k].1).collect());
            let loss = sorted(unmet.iter().map(|u| u * plan.value[j]).collect());
            let short = draws.iter().filter(|d| d.nodes[k].0 > 0).count() as u64;
            let (low, high) = wilson_interval(short, n);
            let first = sorted(
                draws
                    .iter()
                    .filter_map(|d| d.nodes[k].2.map(f64::from))
                    .collect(),
            );
            let shortage_days = quantiles(&days);
            DemandRisk {
                id: plan.ids[j].clone(),
                material: plan.materials[j].clone(),
                p_stockout: significant(short as f64 / n.max(1) as f64),
                p_stockout_ci: [significant(low), significant(high)],
                shortage_days_p50: shortage_days.p50,
                shortage_days_p90: shortage_days.p90,
                shortage_days_p99: shortage_days.p99,
                shortage_days,
                unmet_units: quantiles(&unmet),
                loss: quantiles(&loss),
                first_stockout_day_p50: (!first.is_empty())
                    .then(|| significant(quantile(&first, 0.5))),
            }
        })
        .collect();

    let any = draws
        .iter()
        .filter(|d| d.nodes.iter().any(|node| node.0 > 0))
        .count() as u64;
    let (any_low, any_high) = wilson_interval(any, n);
    let totals = Summary {
        p_any_stockout: significant(any as f64 / n.max(1) as f64),
        p_any_stockout_ci: [significant(any_low), significant(any_high)],
        nodes_short: quantiles(&sorted(
            draws
                .iter()
                .map(|d| d.nodes.iter().filter(|node| node.0 > 0).count() as f64)
                .collect(),
        )),
        unmet_units: quantiles(&sorted(
            draws
                .iter()
                .map(|d| d.nodes.iter().map(|node| node.1).sum())
                .collect(),
        )),
        loss: quantiles(&sorted(
            draws
                .iter()
                .map(|d| {
                    plan.demand_nodes
                        .iter()
                        .zip(&d.nodes)
                        .map(|(&j, node)| plan.value[j] * node.1)
                        .sum()
                })
                .collect(),
        )),
        downtime_cost: outage.downtime_cost.map(|per_day| {
            quantiles(&sorted(
                draws
                    .iter()
                    .map(|d| per_day * f64::from(d.outage_days))
                    .collect(),
            ))
        }),
    };
    let durations = sorted(draws.iter().map(|d| f64::from(d.duration)).collect());
    let tts = run.tts.map(|tts| {
        let short = draws.iter().filter(|d| tts < f64::from(d.duration)).count() as u64;
        let (low, high) = wilson_interval(short, n);
        TtsComparison {
            tts: significant(tts),
            p_tts_short: significant(short as f64 / n.max(1) as f64),
            p_tts_short_ci: [significant(low), significant(high)],
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
            drawn_duration: quantiles(&durations),
        },
        demand_nodes,
        totals,
        tts,
    }
}

fn quantiles(sorted: &[f64]) -> Quantiles {
    let interval = |p: f64| {
        let (low, high) = quantile_interval(sorted, p);
        [significant(low), significant(high)]
    };
    let mean = if sorted.is_empty() {
        f64::NAN
    } else {
        sorted.iter().sum::<f64>() / sorted.len() as f64
    };
    Quantiles {
        mean: significant(mean),
        p50: significant(quantile(sorted, 0.5)),
        p90: significant(quantile(sorted, 0.9)),
        p99: significant(quantile(sorted, 0.99)),
        p50_ci: interval(0.5),
        p90_ci: interval(0.9),
        p99_ci: interval(0.99),
    }
}
