//! The network model of `lifeline-network/1`, as decoded from any input format.
//!
//! These are plain data: a [`Network`] may still be inconsistent (an edge to an unknown
//! node, a cycle). [`crate::validate`] turns it into a [`crate::ValidatedNetwork`], which
//! is what the analyses accept.

use serde::Serialize;

/// The format tag a document declares in its `format` field.
pub const FORMAT: &str = "lifeline-network/1";

/// The default cap on time to survive, in time units.
pub const DEFAULT_HORIZON: f64 = 365.0;

/// A whole network document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Network {
    pub name: String,
    pub time_unit: String,
    pub horizon: f64,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub sites: Vec<Facility>,
    pub platforms: Vec<Facility>,
    /// Items (materials) with their GS1 trade item numbers; optional, and not every
    /// material needs one.
    pub items: Vec<Item>,
    /// Explicit scenarios; `None` means the default sweep (every entity with a `ttr`).
    pub scenarios: Option<Vec<Scenario>>,
}

/// A flow node: a supplier, plant, distributor, hospital demand, ...
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub id: String,
    pub kind: Option<String>,
    /// The item this node supplies; interchangeable with other nodes of the same material.
    pub material: String,
    pub site: Option<String>,
    /// Output per time unit; `None` is unlimited.
    pub capacity: Option<f64>,
    pub inventory: f64,
    /// Present only on demand nodes.
    pub demand: Option<f64>,
    /// Loss per unit of unmet demand (margin or clinical-criticality weight).
    pub value: f64,
    pub ttr: Option<f64>,
    /// Units of each input material per unit of output, in document order.
    pub bom: Vec<(String, f64)>,
    pub depends_on: Vec<Dependency>,
    pub spend: Option<f64>,
    /// Replenishment policy (simulation extension).
    pub policy: Option<Policy>,
    /// What happens to demand a demand node cannot meet (simulation extension).
    pub unmet: Unmet,
    /// How a supplier shares out its stock when orders exceed it (simulation extension).
    pub allocation: Allocation,
    /// The GS1 Global Location Number of the party or place this node stands for (13
    /// digits, check digit verified), so traceability findings can name the node.
    pub gln: Option<String>,
    /// The vendor id of the organisation behind this node (see [`vendor_id`]), so
    /// vulnerability findings can name the node.
    pub vendor: Option<String>,
}

impl Node {
    pub fn is_demand(&self) -> bool {
        self.demand.is_some()
    }
}

/// `from` can ship its material to `to`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// Whole time units from shipment to arrival (simulation extension).
    pub lead_time: u32,
}

/// A site (a facility whose nodes share a capacity) or an IT platform.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facility {
    pub id: String,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub capacity: Option<f64>,
    pub ttr: Option<f64>,
    /// The GS1 Global Location Number of the site (13 digits, check digit verified).
    pub gln: Option<String>,
    /// The vendor id of the organisation that runs the site or supplies the platform's
    /// software (see [`vendor_id`]).
    pub vendor: Option<String>,
}

/// An item (a `material` of the nodes) with its identifiers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// The material id nodes use.
    pub id: String,
    pub name: Option<String>,
    /// Its GTINs as 14 digits (check digit verified); one per pack level or pack size.
    pub gtins: Vec<String>,
}

/// A vendor id: an organisation name reduced to lower-case letters and digits joined by
/// single hyphens (`Acme Devices, Inc.` → `acme-devices-inc`). The same rule names vendors
/// in vulnerability reports (lifeline-vuln), so a node's `vendor` matches a device
/// manufacturer's name.
pub fn vendor_id(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut gap = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

/// While `platform` is down, the node runs at `degraded_capacity` of its capacity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dependency {
    pub platform: String,
    pub degraded_capacity: f64,
}

/// Replenishment policy of a stocking node (simulation extension).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Policy {
    BaseStock {
        level: f64,
    },
    #[serde(rename = "s_S")]
    MinMax {
        s: f64,
        #[serde(rename = "S")]
        big_s: f64,
    },
    DaysOfSupply {
        days: f64,
    },
}

/// What a demand node does with demand it cannot meet on the day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unmet {
    /// Unmet demand is lost: the patient is treated with something else, elsewhere, or
    /// not at all (the reference semantics).
    #[default]
    Lost,
    /// Unmet demand waits and is served first when stock arrives.
    Backorder,
}

/// How a supplier shares its stock among customers' orders when they exceed it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Allocation {
    /// Every customer gets the same fraction of its outstanding order.
    #[default]
    Proportional,
    /// Customers serving the most critical demand (highest `value` downstream) first.
    Criticality,
    /// Rationing, while this supplier runs below full capacity: from each step's
    /// `from_day` (counted from the day it dropped), a customer
    /// of kind `k` receives at most `shares[k]` × its normal daily flow per day; kinds not
    /// listed are not capped. Short stock is then shared proportionally.
    Shares(Vec<ShareStep>),
}

/// One step of an allocation schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareStep {
    pub from_day: f64,
    /// Customer kind → fraction of its normal daily flow, in document order.
    pub shares: Vec<(String, f64)>,
}

/// Customers who go elsewhere during an outage (simulation extension).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Defection {
    /// Fraction of each customer's orders that moves for good to its other suppliers of the
    /// same material.
    pub fraction: f64,
    /// Days of disruption after which the customers move.
    pub after: f64,
}

/// A disruption scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub id: String,
    pub ttr: Option<f64>,
    pub disrupt: Vec<Disruption>,
    /// First day of the disruption (simulation extension).
    pub start: Option<f64>,
    /// Cost per day while any entity of the scenario is disrupted (simulation extension).
    pub downtime_cost: Option<f64>,
}

/// One disrupted entity of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disruption {
    pub target: Target,
    /// Fraction of capacity left while disrupted; 0 is fully down.
    pub capacity_factor: f64,
    /// Capacity factor over time after `start` (simulation extension).
    pub profile: Option<Vec<(f64, f64)>>,
    /// Customers who leave this entity during the outage (simulation extension).
    pub defection: Option<Defection>,
}

/// The entity a disruption names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Node(String),
    Site(String),
    Platform(String),
}

impl Target {
    pub fn id(&self) -> &str {
        match self {
            Target::Node(id) | Target::Site(id) | Target::Platform(id) => id,
        }
    }
    pub fn kind(&self) -> EntityKind {
        match self {
            Target::Node(_) => EntityKind::Node,
            Target::Site(_) => EntityKind::Site,
            Target::Platform(_) => EntityKind::Platform,
        }
    }
}

/// The three kinds of entity that carry an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Node,
    Site,
    Platform,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Node => "node",
            EntityKind::Site => "site",
            EntityKind::Platform => "platform",
        }
    }
}
