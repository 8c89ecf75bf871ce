//! The simulation report: the spec's contract (`days`, `demand_nodes[].id`,
//! `first_stockout_day`, `shortage_days`, `unmet_units`) and what lifeline adds.

use lifeline_network::significant;
use serde::Serialize;

use crate::engine::{Engine, Ledger};
use crate::plan::Plan;
use crate::timeline::Timeline;

/// One simulated scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimReport {
    pub scenario: String,
    pub days: u32,
    /// First day of the disruption.
    pub start: u32,
    /// Days on which at least one entity ran below full capacity.
    pub outage_days: u32,
    pub demand_nodes: Vec<DemandOutcome>,
    pub totals: Totals,
    /// Day-by-day stock and unmet demand, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<Series>,
}

/// What happened at one demand node (one hospital's use of one item).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandOutcome {
    pub id: String,
    pub material: String,
    pub demand: f64,
    pub value: f64,
    /// Usable stock at the start of the disruption's first day, in days of demand
    /// (`None` for a node with zero demand).
    pub days_of_supply_at_start: Option<f64>,
    pub first_stockout_day: Option<u32>,
    pub shortage_days: u32,
    pub unmet_units: f64,
    /// `value` × `unmet_units`: the criticality-weighted loss.
    pub loss: f64,
}

/// Scenario totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub unmet_units: f64,
    pub loss: f64,
    /// Demand nodes with at least one shortage day.
    pub nodes_short: usize,
    /// Sum of shortage days over demand nodes.
    pub shortage_node_days: u64,
    /// `downtime_cost` × outage days, when the scenario gives a cost per day.
    pub downtime_cost: Option<f64>,
}

/// Day-by-day values of the demand nodes; `stock[k][day]` is node `k`'s usable stock at
/// the end of the day and `unmet[k][day]` its unmet demand that day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub nodes: Vec<String>,
    pub stock: Vec<Vec<f64>>,
    pub unmet: Vec<Vec<f64>>,
    /// The unit ledger at the end of each day.
    pub ledger: Vec<Ledger>,
    /// Per day, the lowest capacity factor of any disrupted node (1: nothing disrupted).
    pub lowest_factor: Vec<f64>,
}

pub(crate) fn build(
    plan: &Plan,
    engine: &Engine,
    timeline: &Timeline,
    scenario: &lifeline_network::Scenario,
    days: u32,
    with_series: bool,
) -> SimReport {
    let demand_nodes: Vec<DemandOutcome> = plan
        .demand_nodes
        .iter()
        .zip(&engine.outcomes)
        .map(|(&j, outcome)| {
            let demand = plan.demand[j].unwrap_or(0.0);
            let unmet = significant(outcome.unmet);
            DemandOutcome {
                id: plan.ids[j].clone(),
                material: plan.materials[j].clone(),
                demand,
                value: plan.value[j],
                days_of_supply_at_start: (demand > 0.0)
                    .then(|| significant(outcome.stock_at_start / demand)),
                first_stockout_day: outcome.first_stockout,
                shortage_days: outcome.shortage_days,
                unmet_units: unmet,
                loss: significant(plan.value[j] * outcome.unmet),
            }
        })
        .collect();
    let totals = Totals {
        unmet_units: significant(engine.outcomes.iter().map(|o| o.unmet).sum()),
        loss: significant(
            plan.demand_nodes
                .iter()
                .zip(&engine.outcomes)
                .map(|(&j, o)| plan.value[j] * o.unmet)
                .sum(),
        ),
        nodes_short: engine
            .outcomes
            .iter()
            .filter(|o| o.shortage_days > 0)
            .count(),
        shortage_node_days: engine
            .outcomes
            .iter()
            .map(|o| u64::from(o.shortage_days))
            .sum(),
        downtime_cost: scenario
            .downtime_cost
            .map(|per_day| significant(per_day * f64::from(timeline.outage_days))),
    };
    let series = with_series.then(|| series(plan, engine, timeline, days));
    SimReport {
        scenario: scenario.id.clone(),
        days,
        start: timeline.start,
        outage_days: timeline.outage_days,
        demand_nodes,
        totals,
        series,
    }
}

fn series(plan: &Plan, engine: &Engine, timeline: &Timeline, days: u32) -> Series {
    let count = plan.demand_nodes.len();
    let mut stock = vec![Vec::with_capacity(days as usize); count];
    let mut unmet = vec![Vec::with_capacity(days as usize); count];
    for day in engine.series.chunks(count.max(1)) {
        for (k, &(s, u)) in day.iter().enumerate() {
            stock[k].push(significant(s));
            unmet[k].push(significant(u));
        }
    }
    let mut lowest_factor = Vec::with_capacity(days as usize);
    let mut change = 0;
    let mut current = 1.0;
    for day in 0..days {
        while let Some((from, factors)) = timeline.changes.get(change)
            && *from == day
        {
            current = factors.nodes.iter().copied().fold(1.0, f64::min);
            change += 1;
        }
        lowest_factor.push(current);
    }
    Series {
        nodes: plan
            .demand_nodes
            .iter()
            .map(|&j| plan.ids[j].clone())
            .collect(),
        stock,
        unmet,
        ledger: engine.ledger.clone(),
        lowest_factor,
    }
}
