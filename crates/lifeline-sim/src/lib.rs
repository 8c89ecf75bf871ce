//! Day-by-day simulation of a lifeline network through a disruption, and Monte Carlo over
//! thousands of outages whose start and length are drawn at random.
//!
//! The stress test (`lifeline-stress`) answers with the optimal response over a window;
//! this crate tells the day-by-day story instead: orders, lead times, replenishment
//! policies, recovery ramps, degraded modes, rationing, defection, and which hospital runs
//! out of which item on which day. It implements the "Simulation extension" of
//! `lifeline-network/1` (see `docs/network-format.md`); the day loop is described in
//! [`engine`](crate::Simulator) order: factors, arrivals, consumption, orders, production
//! and shipping.
//!
//! The crate does no IO and takes randomness only through the seed of [`MonteCarlo`].
//!
//! ```
//! use lifeline_network::{from_str, Format, validate};
//! use lifeline_sim::{Simulator, SimOptions};
//!
//! let doc = r#"{"format": "lifeline-network/1", "nodes": [
//!     {"id": "S", "ttr": 5},
//!     {"id": "H", "demand": 10, "inventory": 30}],
//!   "edges": [{"from": "S", "to": "H", "lead_time": 1}]}"#;
//! let loaded = from_str(doc, Format::Json, "doc.json".as_ref()).unwrap();
//! let network = loaded.network;
//! let simulator = Simulator::new(&network);
//! let scenario = &network.scenarios()[0]; // S down for 5 days
//! let report = simulator.run(scenario, &SimOptions::days(30));
//! // Inventory for 3 days, 5 days down, 1 day in transit: short 5 + 1 − 3 = 3 days.
//! assert_eq!(report.demand_nodes[0].shortage_days, 3);
//! assert_eq!(report.demand_nodes[0].first_stockout_day, Some(3));
//! ```

mod distribution;
mod engine;
mod montecarlo;
mod plan;
pub mod plot;
mod report;
mod request;
mod series_csv;
mod stats;
mod summary;
mod timeline;

use lifeline_network::{Scenario, ValidatedNetwork};

pub use distribution::{Distribution, DistributionError, RANSOMWARE_DOWNTIME, RANSOMWARE_RECOVERY};
pub use engine::{Ledger, Record};
pub use montecarlo::{
    BLOCK, DemandRisk, EXACT_VALUES, MonteCarlo, MonteCarloPart, MonteCarloReport, Outage,
    PartError, Quantiles, Summary, TtsComparison, block_count,
};
pub use plan::Plan;
pub use report::{DemandOutcome, Series, SimReport, Totals};
pub use request::{OutageSpec, check_downtime_cost, horizon_days, pick_scenario, run_warnings};
pub use series_csv::{SeriesError, write_series};
pub use stats::{normal_cdf, normal_quantile, quantile_interval, wilson_interval};
pub use timeline::factor_at;

/// How long to simulate and what to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimOptions {
    pub days: u32,
    pub record: Record,
}

impl SimOptions {
    /// `days` days, outcomes only.
    pub fn days(days: u32) -> SimOptions {
        SimOptions {
            days,
            record: Record::Outcomes,
        }
    }

    /// The same, recording the day-by-day series too.
    pub fn with_series(self) -> SimOptions {
        SimOptions {
            record: Record::Series,
            ..self
        }
    }
}

/// A network ready to simulate: compiled once, run for any number of scenarios.
#[derive(Debug, Clone)]
pub struct Simulator<'n> {
    network: &'n ValidatedNetwork,
    plan: Plan,
}

impl<'n> Simulator<'n> {
    pub fn new(network: &'n ValidatedNetwork) -> Simulator<'n> {
        Simulator {
            network,
            plan: Plan::new(network),
        }
    }

    pub fn network(&self) -> &'n ValidatedNetwork {
        self.network
    }

    /// Simulates one scenario. Its entities must exist in the network (as
    /// [`ValidatedNetwork::check_scenarios`] checks); unknown ones are ignored.
    pub fn run(&self, scenario: &Scenario, options: &SimOptions) -> SimReport {
        let timeline = timeline::Timeline::new(self.network, &self.plan, scenario, options.days);
        let mut engine = engine::Engine::new(&self.plan);
        engine.run(&self.plan, &timeline, options.days, options.record);
        report::build(
            &self.plan,
            &engine,
            &timeline,
            scenario,
            options.days,
            options.record == Record::Series,
        )
    }

    /// The run with nothing disrupted: shortages here come from the network's own stock,
    /// policies and capacities, not from any outage.
    pub fn baseline(&self, days: u32) -> SimReport {
        let nothing = Scenario {
            id: "baseline".into(),
            ttr: None,
            disrupt: Vec::new(),
            start: None,
            downtime_cost: None,
        };
        self.run(&nothing, &SimOptions::days(days))
    }

    /// Demand nodes whose default replenishment can never order: no inventory and no
    /// `policy`, so their base-stock level is 0 (the spec's default). A planner almost
    /// always wants to give these a policy.
    pub fn never_ordering(&self) -> Vec<&str> {
        self.plan
            .demand_nodes
            .iter()
            .filter(|&&j| {
                let node = self.network.node(j);
                node.policy.is_none() && node.inventory == 0.0 && !self.plan.slots(j).is_empty()
            })
            .map(|&j| self.plan.ids[j].as_str())
            .collect()
    }

    pub(crate) fn plan(&self) -> &Plan {
        &self.plan
    }
}
