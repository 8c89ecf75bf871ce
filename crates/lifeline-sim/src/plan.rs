//! The static part of a simulation: a validated network flattened into arrays the day loop
//! walks without allocating, built once and shared by every run and replication.

use lifeline_network::{Allocation, NodeIx, Policy, Unmet, ValidatedNetwork};

/// A node's replenishment rule, with every level in units of its output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Replenish {
    /// Order up to `level` whenever the inventory position is below it.
    UpTo { level: f64 },
    /// Order up to `big_s` when the inventory position is at or below `s`.
    MinMax { s: f64, big_s: f64 },
}

impl Replenish {
    /// The level a node produces and orders towards.
    pub fn target(self) -> f64 {
        match self {
            Replenish::UpTo { level } => level,
            Replenish::MinMax { big_s, .. } => big_s,
        }
    }

    /// How many units of output to order at inventory position `position`.
    pub fn order(self, position: f64) -> f64 {
        match self {
            Replenish::UpTo { level } => (level - position).max(0.0),
            Replenish::MinMax { s, big_s } if position <= s => (big_s - position).max(0.0),
            Replenish::MinMax { .. } => 0.0,
        }
    }
}

/// The allocation rule of a supplier, compiled against its customer edges.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rule {
    Proportional,
    /// Customer edges grouped by criticality, most critical group first.
    Criticality(Vec<Vec<usize>>),
    /// Per step: the day offset from the scenario start, then per customer edge (in the
    /// node's customer order) the cap as a fraction of its normal flow (`None`: no cap).
    Shares(Vec<(f64, Vec<Option<f64>>)>),
}

/// A network compiled for the day loop. Indices are the network's node and edge indices;
/// "slots" are (node, input material) pairs: a node's stock of one input material.
#[derive(Debug, Clone)]
pub struct Plan {
    pub(crate) ids: Vec<String>,
    pub(crate) materials: Vec<String>,
    pub(crate) order: Vec<NodeIx>,
    pub(crate) demand: Vec<Option<f64>>,
    pub(crate) value: Vec<f64>,
    pub(crate) capacity: Vec<Option<f64>>,
    pub(crate) inventory: Vec<f64>,
    pub(crate) unmet: Vec<Unmet>,
    pub(crate) replenish: Vec<Replenish>,
    pub(crate) site: Vec<Option<usize>>,
    pub(crate) site_capacity: Vec<Option<f64>>,
    /// Slots of node `j`: `slot_start[j]..slot_start[j + 1]`.
    pub(crate) slot_start: Vec<usize>,
    pub(crate) slot_ratio: Vec<f64>,
    /// Supplier edges of slot `k`: `slot_edges[slot_edge_start[k]..slot_edge_start[k + 1]]`.
    pub(crate) slot_edge_start: Vec<usize>,
    pub(crate) slot_edges: Vec<usize>,
    pub(crate) edge_from: Vec<NodeIx>,
    pub(crate) edge_to: Vec<NodeIx>,
    pub(crate) edge_slot: Vec<usize>,
    pub(crate) edge_lead: Vec<u32>,
    /// Ring buffer of edge `e` (one cell per day of lead time): `ring_start[e]..ring_start[e + 1]`.
    pub(crate) ring_start: Vec<usize>,
    /// Customer edges of node `i`: `customers[customer_start[i]..customer_start[i + 1]]`.
    pub(crate) customer_start: Vec<usize>,
    pub(crate) customers: Vec<usize>,
    pub(crate) rule: Vec<Rule>,
    /// Daily flow on each edge in the undisrupted steady state.
    pub(crate) normal_flow: Vec<f64>,
    /// Daily outflow of each node in the undisrupted steady state (demand for demand nodes).
    pub(crate) outflow: Vec<f64>,
    /// Effective capacity of each node when nothing is disrupted (sites included).
    pub(crate) normal_capacity: Vec<f64>,
    /// Each site member's share of its site: its steady-state outflow over the members'
    /// (equal shares when they have none); 0 outside sites.
    pub(crate) site_share: Vec<f64>,
    /// Demand nodes, in node order.
    pub(crate) demand_nodes: Vec<NodeIx>,
    /// Nodes without suppliers: what they make comes from outside the network.
    pub(crate) is_source: Vec<bool>,
}

impl Plan {
    /// Compiles a validated network.
    pub fn new(network: &ValidatedNetwork) -> Plan {
        let nodes = network.nodes();
        let n = nodes.len();
        let edges = network.edge_ends();

        let mut slot_start = Vec::with_capacity(n + 1);
        let mut slot_ratio = Vec::new();
        let mut slot_edge_start = vec![0];
        let mut slot_edges = Vec::new();
        let mut edge_slot = vec![0; edges.len()];
        for j in 0..n {
            slot_start.push(slot_ratio.len());
            for input in network.inputs(j) {
                let slot = slot_ratio.len();
                slot_ratio.push(input.ratio);
                for &e in &input.edges {
                    edge_slot[e] = slot;
                    slot_edges.push(e);
                }
                slot_edge_start.push(slot_edges.len());
            }
        }
        slot_start.push(slot_ratio.len());

        let mut customer_start = Vec::with_capacity(n + 1);
        let mut customers = Vec::with_capacity(edges.len());
        for i in 0..n {
            customer_start.push(customers.len());
            customers.extend_from_slice(network.customers(i));
        }
        customer_start.push(customers.len());

        let edge_lead: Vec<u32> = network
            .network()
            .edges
            .iter()
            .map(|e| e.lead_time)
            .collect();
        let mut ring_start = Vec::with_capacity(edges.len() + 1);
        let mut cells = 0usize;
        for &lead in &edge_lead {
            ring_start.push(cells);
            cells += lead as usize;
        }
        ring_start.push(cells);

        let capacity: Vec<Option<f64>> = nodes.iter().map(|node| node.capacity).collect();
        let mut plan = Plan {
            ids: nodes.iter().map(|node| node.id.clone()).collect(),
            materials: nodes.iter().map(|node| node.material.clone()).collect(),
            order: network.topological_order().to_vec(),
            demand: nodes.iter().map(|node| node.demand).collect(),
            value: nodes.iter().map(|node| node.value).collect(),
            capacity,
            inventory: nodes.iter().map(|node| node.inventory).collect(),
            unmet: nodes.iter().map(|node| node.unmet).collect(),
            replenish: Vec::new(),
            site: (0..n).map(|j| network.node_site(j)).collect(),
            site_capacity: network
                .network()
                .sites
                .iter()
                .map(|site| site.capacity)
                .collect(),
            is_source: (0..n).map(|j| network.inputs(j).is_empty()).collect(),
            slot_start,
            slot_ratio,
            slot_edge_start,
            slot_edges,
            edge_from: edges.iter().map(|&(from, _)| from).collect(),
            edge_to: edges.iter().map(|&(_, to)| to).collect(),
            edge_slot,
            edge_lead,
            ring_start,
            customer_start,
            customers,
            rule: Vec::new(),
            normal_flow: vec![0.0; edges.len()],
            outflow: vec![0.0; n],
            site_share: vec![0.0; n],
            normal_capacity: vec![0.0; n],
            demand_nodes: (0..n).filter(|&j| nodes[j].is_demand()).collect(),
        };
        let mut normal = vec![0.0; n];
        crate::engine::effective_capacity(
            &plan,
            &vec![1.0; n],
            &vec![1.0; plan.site_capacity.len()],
            &mut normal,
            &mut vec![0.0; plan.site_capacity.len()],
        );
        plan.normal_capacity = normal;
        plan.steady_state();
        plan.site_shares();
        plan.replenish = nodes
            .iter()
            .enumerate()
            .map(|(j, node)| match node.policy {
                None => Replenish::UpTo {
                    level: node.inventory,
                },
                Some(Policy::BaseStock { level }) => Replenish::UpTo { level },
                Some(Policy::MinMax { s, big_s }) => Replenish::MinMax { s, big_s },
                Some(Policy::DaysOfSupply { days }) => Replenish::UpTo {
                    level: days * plan.outflow[j],
                },
            })
            .collect();
        let criticality = plan.criticality();
        plan.rule = nodes
            .iter()
            .enumerate()
            .map(|(i, node)| plan.compile_rule(i, &node.allocation, &criticality, network))
            .collect();
        plan
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the network has no node.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub(crate) fn slots(&self, node: NodeIx) -> std::ops::Range<usize> {
        self.slot_start[node]..self.slot_start[node + 1]
    }

    pub(crate) fn suppliers(&self, slot: usize) -> &[usize] {
        &self.slot_edges[self.slot_edge_start[slot]..self.slot_edge_start[slot + 1]]
    }

    pub(crate) fn customer_edges(&self, node: NodeIx) -> &[usize] {
        &self.customers[self.customer_start[node]..self.customer_start[node + 1]]
    }

    /// The share of a slot's orders that edge `e` receives when every supplier is up:
    /// in proportion to supplier effective capacity, equal among suppliers without a
    /// capacity (which take everything when there are any).
    pub(crate) fn normal_share(&self, slot: usize, e: usize) -> f64 {
        let suppliers = self.suppliers(slot);
        let capacity = |edge: usize| self.normal_capacity[self.edge_from[edge]];
        let unlimited = suppliers
            .iter()
            .filter(|&&s| capacity(s) == f64::INFINITY)
            .count();
        if unlimited > 0 {
            return if capacity(e) == f64::INFINITY {
                1.0 / unlimited as f64
            } else {
                0.0
            };
        }
        let total: f64 = suppliers.iter().map(|&s| capacity(s)).sum();
        if total > 0.0 {
            capacity(e) / total
        } else {
            1.0 / suppliers.len() as f64
        }
    }

    /// Daily flows when nothing is disrupted: demand pulled up the network, each node's
    /// need split among its suppliers by [`Plan::normal_share`].
    fn steady_state(&mut self) {
        let mut need: Vec<f64> = self.demand.iter().map(|d| d.unwrap_or(0.0)).collect();
        for position in (0..self.order.len()).rev() {
            let j = self.order[position];
            for slot in self.slots(j) {
                let required = need[j] * self.slot_ratio[slot];
                for index in self.slot_edge_start[slot]..self.slot_edge_start[slot + 1] {
                    let e = self.slot_edges[index];
                    let flow = required * self.normal_share(slot, e);
                    self.normal_flow[e] = flow;
                    need[self.edge_from[e]] += flow;
                }
            }
        }
        self.outflow = need;
    }

    fn site_shares(&mut self) {
        let mut total = vec![0.0; self.site_capacity.len()];
        let mut members = vec![0usize; self.site_capacity.len()];
        for j in 0..self.len() {
            if let Some(s) = self.site[j]
                && self.demand[j].is_none()
            {
                total[s] += self.outflow[j];
                members[s] += 1;
            }
        }
        for j in 0..self.len() {
            if let Some(s) = self.site[j]
                && self.demand[j].is_none()
            {
                self.site_share[j] = if total[s] > 0.0 {
                    self.outflow[j] / total[s]
                } else {
                    1.0 / members[s] as f64
                };
            }
        }
    }

    /// The highest `value` of the demand each node serves, directly or downstream.
    fn criticality(&self) -> Vec<f64> {
        let mut critical: Vec<f64> = (0..self.len())
            .map(|j| {
                if self.demand[j].is_some() {
                    self.value[j]
                } else {
                    0.0
                }
            })
            .collect();
        for position in (0..self.order.len()).rev() {
            let j = self.order[position];
            for slot in self.slots(j) {
                for &e in self.suppliers(slot) {
                    let from = self.edge_from[e];
                    critical[from] = critical[from].max(critical[j]);
                }
            }
        }
        critical
    }

    fn compile_rule(
        &self,
        node: NodeIx,
        allocation: &Allocation,
        criticality: &[f64],
        network: &ValidatedNetwork,
    ) -> Rule {
        let customers = self.customer_edges(node);
        match allocation {
            Allocation::Proportional => Rule::Proportional,
            Allocation::Criticality => {
                let mut positions: Vec<usize> = (0..customers.len()).collect();
                positions.sort_by(|&a, &b| {
                    let (ca, cb) = (
                        criticality[self.edge_to[customers[a]]],
                        criticality[self.edge_to[customers[b]]],
                    );
                    cb.total_cmp(&ca).then(a.cmp(&b))
                });
                let mut groups: Vec<Vec<usize>> = Vec::new();
                let mut last = f64::NAN;
                for position in positions {
                    let c = criticality[self.edge_to[customers[position]]];
                    match groups.last_mut() {
                        Some(group) if c == last => group.push(position),
                        _ => groups.push(vec![position]),
                    }
                    last = c;
                }
                Rule::Criticality(groups)
            }
            Allocation::Shares(steps) => Rule::Shares(
                steps
                    .iter()
                    .map(|step| {
                        let caps = customers
                            .iter()
                            .map(|&e| {
                                let kind = network.node(self.edge_to[e]).kind.as_deref()?;
                                step.shares
                                    .iter()
                                    .find(|(k, _)| k == kind)
                                    .map(|&(_, share)| share)
                            })
                            .collect();
                        (step.from_day, caps)
                    })
                    .collect(),
            ),
        }
    }
}
