//! The day loop: the reference semantics of the spec's simulation extension.
//!
//! Each day, in this order: (1) the day's capacity factors apply; (2) shipments due that day
//! arrive; (3) demand nodes turn received inputs into usable stock and consume their demand,
//! what is missing being unmet; (4) every node with suppliers orders per its policy, the
//! unfilled part staying on order; (5) in topological order, each other node produces up to
//! factor × capacity (limited by its inputs and its site's capacity) and ships from stock
//! what is ordered, by its allocation rule; a shipment arrives `lead_time` days later, and
//! with lead time 0 at once (so a supplier upstream in the same day's pass can use it).
//!
//! The day loop allocates nothing per day: its state is sized once per [`Engine`] and
//! reused across runs, and a day on which the factors change recomputes capacities into
//! scratch arrays. Only a run that records its series grows it by one row a day. The
//! [`Timeline`] the loop reads is laid out before it, once per run, and allocates one set
//! of capacity factors per day on which they change.

use lifeline_network::Unmet;

use crate::plan::{Plan, Rule};
use crate::timeline::Timeline;

/// Relative tolerance below which a shortfall is rounding, not a shortage.
const EPS: f64 = 1e-9;

/// What one run records beyond the per-node outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Record {
    /// Outcomes only (what Monte Carlo needs).
    #[default]
    Outcomes,
    /// Also the end-of-day stock and unmet demand of every demand node, and the unit ledger.
    Series,
}

/// Per demand node, what happened over a run.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Outcome {
    pub stock_at_start: f64,
    pub first_stockout: Option<u32>,
    pub shortage_days: u32,
    pub unmet: f64,
}

/// Units in the network at the end of one day (for the conservation check).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Ledger {
    /// Cumulative units made by nodes without suppliers, plus the initial inventory.
    pub supplied: f64,
    /// Cumulative units consumed by demand nodes.
    pub consumed: f64,
    /// Units on hand, as output or as inputs, everywhere.
    pub on_hand: f64,
    /// Units shipped and not yet arrived.
    pub in_transit: f64,
}

/// Mutable state of a run, reusable across runs of one plan.
#[derive(Debug, Clone)]
pub(crate) struct Engine {
    on_hand: Vec<f64>,
    input: Vec<f64>,
    on_order: Vec<f64>,
    backlog: Vec<f64>,
    /// Per node, the sum of `backlog` over its customer edges.
    owed: Vec<f64>,
    /// Per node, the output it can make per day at today's factors, its site's share
    /// included (`INFINITY`: unlimited).
    effective: Vec<f64>,
    ring: Vec<f64>,
    weight: Vec<f64>,
    waiting: Vec<f64>,
    node_factor: Vec<f64>,
    site_factor: Vec<f64>,
    /// Per node running below full capacity, the day that spell began: rationing
    /// schedules count from there, and apply only during the spell.
    rationing_since: Vec<Option<u32>>,
    /// Scratch for [`Engine::grant_site_capacity`].
    grant: Vec<f64>,
    extra: Vec<f64>,
    site_used: Vec<f64>,
    site_more: Vec<f64>,
    /// Scratch for [`effective_capacity`]: per site, what its members could make.
    site_demanded: Vec<f64>,
    ship: Vec<f64>,
    pub outcomes: Vec<Outcome>,
    /// Day-major: `series[day * demand_nodes + k]` is (end-of-day stock, unmet that day).
    pub series: Vec<(f64, f64)>,
    pub ledger: Vec<Ledger>,
    supplied: f64,
    consumed: f64,
}

impl Engine {
    pub fn new(plan: &Plan) -> Engine {
        let n = plan.len();
        let edges = plan.edge_from.len();
        Engine {
            on_hand: vec![0.0; n],
            input: vec![0.0; plan.slot_ratio.len()],
            on_order: vec![0.0; plan.slot_ratio.len()],
            backlog: vec![0.0; edges],
            owed: vec![0.0; n],
            effective: vec![0.0; n],
            ring: vec![0.0; plan.ring_start[edges]],
            weight: vec![1.0; edges],
            waiting: vec![0.0; n],
            node_factor: vec![1.0; n],
            site_factor: vec![1.0; plan.site_capacity.len()],
            rationing_since: vec![None; n],
            grant: vec![0.0; n],
            extra: vec![0.0; n],
            site_used: vec![0.0; plan.site_capacity.len()],
            site_more: vec![0.0; plan.site_capacity.len()],
            site_demanded: vec![0.0; plan.site_capacity.len()],
            ship: Vec::new(),
            outcomes: vec![Outcome::default(); plan.demand_nodes.len()],
            series: Vec::new(),
            ledger: Vec::new(),
            supplied: 0.0,
            consumed: 0.0,
        }
    }

    fn reset(&mut self, plan: &Plan) {
        self.on_hand.copy_from_slice(&plan.inventory);
        self.input.fill(0.0);
        self.on_order.fill(0.0);
        self.backlog.fill(0.0);
        self.owed.fill(0.0);
        self.rationing_since.fill(None);
        self.ring.fill(0.0);
        self.weight.fill(1.0);
        self.waiting.fill(0.0);
        self.node_factor.fill(1.0);
        self.site_factor.fill(1.0);
        self.update_effective(plan);
        self.outcomes.fill(Outcome::default());
        self.series.clear();
        self.ledger.clear();
        self.supplied = plan.inventory.iter().sum();
        self.consumed = 0.0;
    }

    /// Runs `days` days of `timeline`.
    pub fn run(&mut self, plan: &Plan, timeline: &Timeline, days: u32, record: Record) {
        self.reset(plan);
        let mut change = 0;
        let mut defection = 0;
        for day in 0..days {
            // (1) Capacity factors and defections that start today.
            while let Some((from, factors)) = timeline.changes.get(change)
                && *from == day
            {
                self.node_factor.copy_from_slice(&factors.nodes);
                self.site_factor.copy_from_slice(&factors.sites);
                self.update_effective(plan);
                for (since, &factor) in self.rationing_since.iter_mut().zip(&self.node_factor) {
                    if factor >= 1.0 {
                        *since = None;
                    } else if since.is_none() {
                        *since = Some(day);
                    }
                }
                change += 1;
            }
            while let Some(&(from, e, multiplier)) = timeline.defections.get(defection)
                && from == day
            {
                self.weight[e] *= multiplier;
                defection += 1;
            }
            if day == timeline.start {
                self.record_stock_at_start(plan);
            }
            self.arrive(plan, day);
            self.consume(plan, day, record);
            self.order(plan);
            self.produce_and_ship(plan, day);
            if record == Record::Series {
                self.record_day();
            }
        }
    }

    /// Usable stock of each demand node as the disruption starts: on hand, plus what its
    /// inputs on hand and on the road make, before the day's arrivals.
    fn record_stock_at_start(&mut self, plan: &Plan) {
        for (k, &j) in plan.demand_nodes.iter().enumerate() {
            let usable = plan
                .slots(j)
                .map(|slot| {
                    let on_road: f64 = plan
                        .suppliers(slot)
                        .iter()
                        .map(|&e| {
                            self.ring[plan.ring_start[e]..plan.ring_start[e + 1]]
                                .iter()
                                .sum::<f64>()
                        })
                        .sum();
                    (self.input[slot] + on_road) / plan.slot_ratio[slot]
                })
                .fold(f64::INFINITY, f64::min);
            let usable = if usable.is_finite() { usable } else { 0.0 };
            self.outcomes[k].stock_at_start = self.on_hand[j] + usable;
        }
    }

    /// (2) Shipments due today move from the road into their customer's input stock.
    fn arrive(&mut self, plan: &Plan, day: u32) {
        for e in 0..plan.edge_from.len() {
            let lead = plan.edge_lead[e];
            if lead == 0 {
                continue;
            }
            let cell = plan.ring_start[e] + (day % lead) as usize;
            let units = std::mem::take(&mut self.ring[cell]);
            if units > 0.0 {
                let slot = plan.edge_slot[e];
                self.input[slot] += units;
                self.on_order[slot] = (self.on_order[slot] - units).max(0.0);
            }
        }
    }

    /// Turns up to `limit` units of output's worth of a node's inputs into output.
    fn convert(&mut self, plan: &Plan, j: usize, limit: f64) -> f64 {
        let slots = plan.slots(j);
        if slots.is_empty() {
            return limit;
        }
        let mut make = limit;
        for slot in slots.clone() {
            make = make.min(self.input[slot] / plan.slot_ratio[slot]);
        }
        if make <= 0.0 {
            return 0.0;
        }
        for slot in slots {
            self.input[slot] = (self.input[slot] - make * plan.slot_ratio[slot]).max(0.0);
        }
        make
    }

    /// A node's production limit today from its own capacity (`INFINITY`: none).
    fn capacity_today(&self, plan: &Plan, j: usize) -> f64 {
        let factor = self.node_factor[j];
        match plan.capacity[j] {
            Some(capacity) => capacity * factor,
            None if factor > 0.0 => f64::INFINITY,
            None => 0.0,
        }
    }

    /// (3) Demand nodes take in what arrived and consume their demand.
    fn consume(&mut self, plan: &Plan, day: u32, record: Record) {
        for (k, &j) in plan.demand_nodes.iter().enumerate() {
            let demand = plan.demand[j].unwrap_or(0.0);
            let wanted = demand + self.waiting[j];
            let mut limit = self.capacity_today(plan, j);
            if plan.is_source[j] {
                // A demand node without suppliers makes what it needs, within its capacity
                // (as in the stress test's programs), never an unbounded stock.
                limit = limit.min((wanted - self.on_hand[j]).max(0.0));
            }
            let made = self.convert(plan, j, limit);
            self.on_hand[j] += made;
            if plan.is_source[j] {
                self.supplied += made;
            }
            let used = wanted.min(self.on_hand[j]);
            self.on_hand[j] -= used;
            self.consumed += used;
            let missing = wanted - used;
            let short = missing > EPS * demand.max(1.0);
            match plan.unmet[j] {
                Unmet::Lost => self.waiting[j] = 0.0,
                Unmet::Backorder => self.waiting[j] = if short { missing } else { 0.0 },
            }
            let outcome = &mut self.outcomes[k];
            if short {
                // A backordered unit is late every day it waits; count each unit of
                // demand once, on the day it arises.
                let new_unmet = match plan.unmet[j] {
                    Unmet::Lost => missing,
                    Unmet::Backorder => missing.min(demand),
                };
                outcome.unmet += new_unmet;
                outcome.shortage_days += 1;
                outcome.first_stockout.get_or_insert(day);
            }
            if record == Record::Series {
                self.series
                    .push((self.on_hand[j], if short { missing } else { 0.0 }));
            }
        }
    }

    /// (4) Every node with suppliers orders towards its target, per input material.
    /// Customers order before their suppliers (reverse topological order), so a
    /// distributor sees the day's orders from its hospitals before placing its own: the
    /// result never depends on the order nodes are listed in.
    fn order(&mut self, plan: &Plan) {
        for position in (0..plan.order.len()).rev() {
            let j = plan.order[position];
            let slots = plan.slots(j);
            if slots.is_empty() {
                continue;
            }
            let owed = self.waiting[j] + self.owed[j];
            for slot in slots {
                let ratio = plan.slot_ratio[slot];
                let position =
                    self.on_hand[j] + (self.input[slot] + self.on_order[slot]) / ratio - owed;
                let units = plan.replenish[j].order(position) * ratio;
                if units > EPS {
                    self.on_order[slot] += units;
                    self.place(plan, slot, units);
                }
            }
        }
    }

    /// Recomputes each node's effective capacity after the factors change: its capacity
    /// × factor, scaled down with its site's members when they could together make more
    /// than the site allows.
    fn update_effective(&mut self, plan: &Plan) {
        effective_capacity(
            plan,
            &self.node_factor,
            &self.site_factor,
            &mut self.effective,
            &mut self.site_demanded,
        );
    }

    /// Splits an order among a slot's suppliers, as a buyer would: to suppliers that can
    /// ship, in proportion to their effective capacity, discounted by the days of orders
    /// they already owe (so that orders move away from a supplier that falls behind); to
    /// suppliers without a capacity equally, when any is up; and when every supplier is
    /// down, as in normal times, so that the order waits for them.
    fn place(&mut self, plan: &Plan, slot: usize, units: f64) {
        let suppliers = plan.suppliers(slot);
        let mut unlimited = 0.0;
        let mut limited = 0.0;
        for &e in suppliers {
            let from = plan.edge_from[e];
            match self.effective[from] {
                c if c == f64::INFINITY => unlimited += self.weight[e],
                c if c > 0.0 => limited += self.pull(from, e),
                _ => {}
            }
        }
        for &e in suppliers {
            let from = plan.edge_from[e];
            let c = self.effective[from];
            let share = if unlimited > 0.0 {
                if c == f64::INFINITY {
                    self.weight[e] / unlimited
                } else {
                    0.0
                }
            } else if limited > 0.0 {
                if c > 0.0 {
                    self.pull(from, e) / limited
                } else {
                    0.0
                }
            } else {
                plan.normal_share(slot, e)
            };
            let placed = units * share;
            self.backlog[e] += placed;
            self.owed[from] += placed;
        }
    }

    /// The attraction of supplier `from` over edge `e`: effective capacity, discounted by
    /// the days of orders it owes.
    fn pull(&self, from: usize, e: usize) -> f64 {
        let c = self.effective[from];
        self.weight[e] * c / (1.0 + self.owed[from] / c)
    }

    /// What a node would make today with unlimited inputs: its orders plus its target,
    /// less its stock, within its own capacity.
    fn wanted(&self, plan: &Plan, i: usize) -> f64 {
        let want = (self.owed[i] + plan.replenish[i].target() - self.on_hand[i]).max(0.0);
        want.min(self.capacity_today(plan, i))
    }

    /// (5) Production and shipping, suppliers before customers.
    ///
    /// When a site's nodes together want more than the site can make, each first gets up
    /// to its normal share of the site (its share of the members' steady-state output), and
    /// what is left goes to those that want more, in proportion to the rest they want.
    fn produce_and_ship(&mut self, plan: &Plan, day: u32) {
        let sites = plan.site_capacity.len();
        if sites > 0 {
            self.grant_site_capacity(plan);
        }
        for position in 0..plan.order.len() {
            let i = plan.order[position];
            if plan.demand[i].is_some() {
                continue;
            }
            let limit = if plan.site[i].is_some() {
                self.grant[i]
            } else {
                self.wanted(plan, i)
            };
            if limit > 0.0 {
                let made = self.convert(plan, i, limit);
                if plan.is_source[i] {
                    self.supplied += made;
                }
                self.on_hand[i] += made;
            }
            let owed = self.owed[i];
            if owed > 0.0 {
                self.ship(plan, i, owed, day);
            }
        }
    }

    /// Fills `grant` for the nodes of sites: what each may make today.
    fn grant_site_capacity(&mut self, plan: &Plan) {
        let mut used = std::mem::take(&mut self.site_used);
        let mut more = std::mem::take(&mut self.site_more);
        used.fill(0.0);
        more.fill(0.0);
        for i in 0..plan.len() {
            let Some(s) = plan.site[i] else { continue };
            if plan.demand[i].is_some() {
                continue;
            }
            let want = self.wanted(plan, i);
            let fair = plan.site_capacity[s].map_or(f64::INFINITY, |c| {
                c * self.site_factor[s] * plan.site_share[i]
            });
            let first = want.min(fair);
            self.grant[i] = first;
            self.extra[i] = want - first;
            used[s] += first;
            more[s] += want - first;
        }
        for i in 0..plan.len() {
            let Some(s) = plan.site[i] else { continue };
            if plan.demand[i].is_some() || self.extra[i] <= 0.0 {
                continue;
            }
            let left = plan.site_capacity[s].map_or(f64::INFINITY, |c| {
                (c * self.site_factor[s] - used[s]).max(0.0)
            });
            let scale = if more[s] > left { left / more[s] } else { 1.0 };
            self.grant[i] += self.extra[i] * scale;
        }
        self.site_used = used;
        self.site_more = more;
    }

    fn ship(&mut self, plan: &Plan, i: usize, owed: f64, day: u32) {
        let customers = plan.customer_edges(i);
        let mut ship = std::mem::take(&mut self.ship);
        ship.clear();
        ship.extend(customers.iter().map(|&e| self.backlog[e]));
        let available = self.on_hand[i];
        match &plan.rule[i] {
            Rule::Shares(steps) if self.rationing_since[i].is_some() => {
                let since = self.rationing_since[i].unwrap_or(day);
                let offset = f64::from(day.saturating_sub(since));
                if let Some((_, caps)) = steps.iter().rev().find(|(from, _)| *from <= offset) {
                    for (k, cap) in caps.iter().enumerate() {
                        if let Some(share) = cap {
                            ship[k] = ship[k].min(share * plan.normal_flow[customers[k]]);
                        }
                    }
                }
                proportional(&mut ship, available);
            }
            Rule::Criticality(groups) if owed > available => {
                let mut left = available;
                for group in groups {
                    let asked: f64 = group.iter().map(|&k| ship[k]).sum();
                    let given = asked.min(left);
                    let scale = if asked > 0.0 { given / asked } else { 0.0 };
                    for &k in group {
                        ship[k] *= scale;
                    }
                    left -= given;
                }
            }
            _ => proportional(&mut ship, available),
        }
        for (k, &e) in customers.iter().enumerate() {
            let units = ship[k];
            if units <= 0.0 {
                continue;
            }
            self.backlog[e] = (self.backlog[e] - units).max(0.0);
            self.owed[i] = (self.owed[i] - units).max(0.0);
            self.on_hand[i] = (self.on_hand[i] - units).max(0.0);
            let lead = plan.edge_lead[e];
            let slot = plan.edge_slot[e];
            if lead == 0 {
                self.input[slot] += units;
                self.on_order[slot] = (self.on_order[slot] - units).max(0.0);
            } else {
                // Arrives at step (2) of day + lead, which reads this same cell.
                let cell = plan.ring_start[e] + (day % lead) as usize;
                self.ring[cell] += units;
            }
        }
        self.ship = ship;
    }

    fn record_day(&mut self) {
        let on_hand = self.on_hand.iter().sum::<f64>() + self.input.iter().sum::<f64>();
        let in_transit = self.ring.iter().sum();
        self.ledger.push(Ledger {
            supplied: self.supplied,
            consumed: self.consumed,
            on_hand,
            in_transit,
        });
    }
}

/// Each node's output per day at the given factors, its site's share included.
/// `demanded` (one entry per site) is scratch, passed in so that the day loop, which calls
/// this on every day the factors change, does not allocate.
pub(crate) fn effective_capacity(
    plan: &Plan,
    node_factor: &[f64],
    site_factor: &[f64],
    effective: &mut [f64],
    demanded: &mut [f64],
) {
    demanded.fill(0.0);
    for j in 0..plan.len() {
        effective[j] = match plan.capacity[j] {
            Some(c) => c * node_factor[j],
            None if node_factor[j] > 0.0 => f64::INFINITY,
            None => 0.0,
        };
        if let Some(s) = plan.site[j] {
            demanded[s] += effective[j];
        }
    }
    for (slot, site) in effective.iter_mut().zip(&plan.site) {
        if let Some(s) = *site
            && let Some(capacity) = plan.site_capacity[s]
        {
            let allowed = capacity * site_factor[s];
            if demanded[s] == f64::INFINITY {
                *slot = slot.min(allowed);
            } else if demanded[s] > allowed {
                *slot *= allowed / demanded[s];
            }
        }
    }
}

/// Scales `wanted` down proportionally so that it sums to at most `available`.
fn proportional(wanted: &mut [f64], available: f64) {
    let total: f64 = wanted.iter().sum();
    if total > available {
        let scale = if total > 0.0 { available / total } else { 0.0 };
        for w in wanted {
            *w *= scale;
        }
    }
}
