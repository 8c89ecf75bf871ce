//! The supply map's layout, computed here so the browser only draws: the network's entity
//! graph (a site groups its nodes, a node without a site stands alone, a platform links to
//! the entities that depend on it), laid out in tier columns by longest path from the
//! sources, ordered to reduce crossings, and coloured by TTS − TTR from a stress report.
//!
//! **Architecture invariant:** the layout is a pure function of the network and the report:
//! the same inputs give the same positions (document order breaks every tie), so a map can
//! be cached and compared.
//!
//! The work is linear in nodes and edges plus a sort per tier: a 10,000-node network lays
//! out in milliseconds, and tall tiers wrap into several sub-columns so the map stays
//! roughly as wide as it is high.

use std::collections::{BTreeMap, HashMap};

use lifeline_network::ValidatedNetwork;
use lifeline_stress::{Report, ScenarioResult};
use serde::Serialize;

use crate::format::{days, decimal, optional, units};
use crate::pages::{entity_href, simulate_href};

/// Distance between two rows of a tier, in map units (pixels at zoom 1).
pub const ROW: f64 = 40.0;
/// Distance between two sub-columns of a tier: room for a label between them.
pub const COLUMN: f64 = 80.0;
/// Least space between two tiers; big maps get an eighth of their height.
pub const TIER_GAP: f64 = 200.0;
/// Distance from the top row to the platforms' band above it.
pub const PLATFORM_BAND: f64 = 160.0;
/// Fewest rows a tier column gets before it wraps (small networks stay one column a tier).
pub const MIN_ROWS: usize = 16;
/// Width over height the wrapping aims at.
const ASPECT: f64 = 1.6;
/// TTS − TTR (in the network's time unit) below which a covered entity counts as tight.
pub const TIGHT_MARGIN: f64 = 7.0;

/// What an entity of the map stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MapKind {
    /// A site and the nodes it groups.
    Site,
    /// A node without a site.
    Node,
    /// An IT platform nodes depend on.
    Platform,
}

impl MapKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MapKind::Site => "site",
            MapKind::Node => "node",
            MapKind::Platform => "platform",
        }
    }
}

/// An entity's colour class: where its TTS stands against its TTR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// TTS < TTR: demand is lost before the entity recovers.
    Exposed,
    /// TTS ≥ TTR by less than [`TIGHT_MARGIN`].
    Tight,
    /// TTS ≥ TTR with room to spare.
    Covered,
    /// No stress result for the entity, or one without a TTR to compare with.
    Untested,
}

impl Status {
    pub fn of(scenario: Option<&ScenarioResult>) -> Status {
        match scenario.and_then(|s| s.gap) {
            Some(g) if g < 0.0 => Status::Exposed,
            Some(g) if g < TIGHT_MARGIN => Status::Tight,
            Some(_) => Status::Covered,
            None => Status::Untested,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Exposed => "exposed",
            Status::Tight => "tight",
            Status::Covered => "covered",
            Status::Untested => "untested",
        }
    }

    /// The legend's words for the class (colour is never the only signal).
    pub fn words(self, time_unit: &str) -> String {
        match self {
            Status::Exposed => {
                "Exposed: TTS − TTR below 0, demand is lost before the entity recovers".to_owned()
            }
            Status::Tight => format!(
                "Tight: TTS exceeds TTR by less than {} {time_unit}s",
                decimal(TIGHT_MARGIN, 0)
            ),
            Status::Covered => format!(
                "Covered: TTS exceeds TTR by {} {time_unit}s or more",
                decimal(TIGHT_MARGIN, 0)
            ),
            Status::Untested => {
                "Not rated: no stress result for the entity, or no TTR to compare with".to_owned()
            }
        }
    }

    pub const ALL: [Status; 4] = [
        Status::Exposed,
        Status::Tight,
        Status::Covered,
        Status::Untested,
    ];
}

/// One entity of the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapEntity {
    pub id: String,
    /// The site's or platform's `name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub kind: MapKind,
    /// The node's, site's or platform's own `kind` (`manufacturer`, `hospital`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Nodes the entity groups (1 for a node, the dependents' count for a platform).
    pub members: usize,
    /// Whether it holds a demand node (a hospital's).
    pub demand: bool,
    /// Its tier column, 0 for the sources; `None` for platforms, drawn in a band above.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<usize>,
    pub x: f64,
    pub y: f64,
    pub status: Status,
    /// Whether the report has a scenario of the entity's id (its page exists).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub scenario: bool,
    /// TTS − TTR from the report, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<f64>,
}

/// Entity `source` ships to (or, for a dependency, is relied on by) entity `target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapLink {
    /// Indices into [`MapLayout::entities`].
    pub source: usize,
    pub target: usize,
    /// Network edges (or dependent nodes) the link stands for.
    pub count: usize,
    /// A platform dependency rather than a flow of goods.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dependency: bool,
}

/// A tier column, with a label naming what it mostly holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier {
    pub index: usize,
    pub label: String,
    /// The column's left edge and its width.
    pub x: f64,
    pub width: f64,
    pub entities: usize,
}

/// The whole map: positions in map units, origin top left; platforms above (negative y).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapLayout {
    pub width: f64,
    pub height: f64,
    pub tiers: Vec<Tier>,
    pub entities: Vec<MapEntity>,
    pub links: Vec<MapLink>,
    /// Whether a stress report coloured the map.
    pub rated: bool,
    pub time_unit: String,
}

/// Lays out `network`, coloured by `report` (scenario ids are entity ids in the default
/// sweep; entities without a scenario of their id stay [`Status::Untested`]).
pub fn layout(network: &ValidatedNetwork, report: Option<&Report>) -> MapLayout {
    let graph = EntityGraph::new(network);
    let tier_of = graph.tiers();
    let rows = rows_per_column(graph.flow_count());
    let max_tier = tier_of.iter().flatten().copied().max().unwrap_or(0);
    let mut tiers: Vec<Vec<usize>> = vec![Vec::new(); max_tier + 1];
    for (e, t) in tier_of.iter().enumerate() {
        if let Some(t) = t {
            tiers[*t].push(e);
        }
    }
    order(&graph, &mut tiers, rows);

    let scenarios: HashMap<&str, &ScenarioResult> = report
        .map(|r| r.scenarios.iter().map(|s| (s.id.as_str(), s)).collect())
        .unwrap_or_default();

    let mut entities: Vec<MapEntity> = graph
        .entities
        .iter()
        .enumerate()
        .map(|(e, entity)| {
            let scenario = scenarios.get(entity.id.as_str()).copied();
            MapEntity {
                id: entity.id.clone(),
                name: entity.name.clone(),
                kind: entity.kind,
                role: entity.role.clone(),
                members: entity.members,
                demand: entity.demand,
                tier: tier_of[e],
                x: 0.0,
                y: 0.0,
                status: Status::of(scenario),
                scenario: scenario.is_some(),
                gap: scenario.and_then(|s| s.gap),
            }
        })
        .collect();

    // Columns left to right; a tier of n entities takes ceil(n / rows) sub-columns, filled
    // row by row so that an entity's vertical place follows its order.
    let height = rows as f64 * ROW;
    let gap = TIER_GAP.max(height / 8.0);
    let mut left = 0.0;
    let mut columns = Vec::with_capacity(tiers.len());
    for (t, members) in tiers.iter().enumerate() {
        let (cols, tier_rows) = shape(members.len(), rows);
        let width = (cols.saturating_sub(1)) as f64 * COLUMN;
        for (k, &e) in members.iter().enumerate() {
            let (row, col) = (k / cols, k % cols);
            entities[e].x = left + col as f64 * COLUMN;
            entities[e].y = (row as f64 + 0.5) * height / tier_rows as f64;
        }
        columns.push(Tier {
            index: t,
            label: tier_label(t, max_tier, members, &graph),
            x: left,
            width,
            entities: members.len(),
        });
        left += width + gap;
    }
    let width = (left - gap).max(0.0);
    place_platforms(&graph, &mut entities, width);

    MapLayout {
        width,
        height,
        tiers: columns,
        entities,
        links: graph.links,
        rated: report.is_some(),
        time_unit: network.network().time_unit.clone(),
    }
}

/// Rows per column: about sqrt(n × COLUMN / (ROW × ASPECT)) so the map is ASPECT times as
/// wide as high, but never fewer than [`MIN_ROWS`].
fn rows_per_column(entities: usize) -> usize {
    let ideal = (entities as f64 * COLUMN / (ROW * ASPECT)).sqrt().ceil();
    // `ideal` is finite and at most sqrt(usize::MAX): the conversion is exact enough.
    (ideal as usize).max(MIN_ROWS)
}

/// Sub-columns and rows of a tier of `n` entities with at most `rows` rows.
fn shape(n: usize, rows: usize) -> (usize, usize) {
    let cols = n.div_ceil(rows.max(1)).max(1);
    let tier_rows = n.div_ceil(cols).max(1);
    (cols, tier_rows)
}

/// The vertical place of the k-th of `n` entities of a tier, in [0, 1].
fn relative(k: usize, n: usize, rows: usize) -> f64 {
    let (cols, tier_rows) = shape(n, rows);
    ((k / cols) as f64 + 0.5) / tier_rows as f64
}

/// Orders each tier by the barycentre of its neighbours' places, one sweep from the
/// sources down and one back up, to reduce crossings.
fn order(graph: &EntityGraph, tiers: &mut [Vec<usize>], rows: usize) {
    let mut place = vec![0.5; graph.entities.len()];
    let settle = |tier: &[usize], place: &mut [f64]| {
        for (k, &e) in tier.iter().enumerate() {
            place[e] = relative(k, tier.len(), rows);
        }
    };
    for tier in tiers.iter() {
        settle(tier, &mut place);
    }
    let sweep = |tier: &mut Vec<usize>, place: &mut Vec<f64>, neighbours: &[Vec<usize>]| {
        let mut keyed: Vec<(f64, f64, usize)> = tier
            .iter()
            .map(|&e| {
                let around = &neighbours[e];
                let centre = if around.is_empty() {
                    place[e]
                } else {
                    around.iter().map(|&n| place[n]).sum::<f64>() / around.len() as f64
                };
                (centre, place[e], e)
            })
            .collect();
        keyed.sort_by(|a, b| {
            a.0.total_cmp(&b.0)
                .then(a.1.total_cmp(&b.1))
                .then(a.2.cmp(&b.2))
        });
        *tier = keyed.into_iter().map(|(_, _, e)| e).collect();
        settle(tier, place);
    };
    for tier in tiers.iter_mut().skip(1) {
        sweep(tier, &mut place, &graph.suppliers);
    }
    let below_last = tiers.len().saturating_sub(1);
    for tier in tiers[..below_last].iter_mut().rev() {
        sweep(tier, &mut place, &graph.customers);
    }
}

/// Platforms in a band above the columns, each over the middle of its dependents, spread
/// so that none overlaps the next.
fn place_platforms(graph: &EntityGraph, entities: &mut [MapEntity], width: f64) {
    let mut platforms: Vec<(f64, usize)> = graph
        .entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == MapKind::Platform)
        .map(|(p, _)| {
            let dependents = &graph.customers[p];
            let x = if dependents.is_empty() {
                width / 2.0
            } else {
                dependents.iter().map(|&d| entities[d].x).sum::<f64>() / dependents.len() as f64
            };
            (x, p)
        })
        .collect();
    platforms.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut next = f64::NEG_INFINITY;
    for (x, p) in platforms {
        let x = x.max(next);
        entities[p].x = x;
        entities[p].y = -PLATFORM_BAND;
        next = x + COLUMN;
    }
}

/// "Tier 1 · manufacturer", the last "Tier 3 · hospitals and demand" when it holds demand.
fn tier_label(t: usize, max_tier: usize, members: &[usize], graph: &EntityGraph) -> String {
    let mut roles: BTreeMap<&str, usize> = BTreeMap::new();
    for &e in members {
        let entity = &graph.entities[e];
        let role = entity.role.as_deref().unwrap_or(entity.kind.as_str());
        *roles.entry(role).or_default() += 1;
    }
    let mut common: Vec<(&str, usize)> = roles.into_iter().collect();
    common.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let what = match common.as_slice() {
        [] => String::new(),
        [(only, _)] => (*only).to_owned(),
        [(first, _), (second, _)] => format!("{first}, {second}"),
        [(first, _), (second, _), ..] => format!("{first}, {second}, …"),
    };
    let place = if t == 0 {
        " (sources)"
    } else if t == max_tier && members.iter().any(|&e| graph.entities[e].demand) {
        " (demand)"
    } else {
        ""
    };
    if what.is_empty() {
        format!("Tier {}{place}", t + 1)
    } else {
        format!("Tier {}{place} · {what}", t + 1)
    }
}

struct Entity {
    id: String,
    name: Option<String>,
    kind: MapKind,
    role: Option<String>,
    members: usize,
    demand: bool,
}

/// The entity graph: entities, aggregated links, and each entity's flow neighbours.
struct EntityGraph {
    entities: Vec<Entity>,
    links: Vec<MapLink>,
    /// Flow suppliers of each entity; for a platform, nothing.
    suppliers: Vec<Vec<usize>>,
    /// Flow customers of each entity; for a platform, its dependents.
    customers: Vec<Vec<usize>>,
}

impl EntityGraph {
    fn new(network: &ValidatedNetwork) -> EntityGraph {
        let doc = network.network();
        let mut entities: Vec<Entity> = doc
            .sites
            .iter()
            .enumerate()
            .map(|(s, site)| Entity {
                id: site.id.clone(),
                name: site.name.clone(),
                kind: MapKind::Site,
                role: site.kind.clone(),
                members: network.site_members(s).len(),
                demand: network
                    .site_members(s)
                    .iter()
                    .any(|&n| network.node(n).is_demand()),
            })
            .collect();
        let mut node_entity = Vec::with_capacity(doc.nodes.len());
        for (n, node) in doc.nodes.iter().enumerate() {
            match network.node_site(n) {
                Some(site) => node_entity.push(site),
                None => {
                    node_entity.push(entities.len());
                    entities.push(Entity {
                        id: node.id.clone(),
                        name: None,
                        kind: MapKind::Node,
                        role: node.kind.clone(),
                        members: 1,
                        demand: node.is_demand(),
                    });
                }
            }
        }
        let first_platform = entities.len();
        for (p, platform) in doc.platforms.iter().enumerate() {
            entities.push(Entity {
                id: platform.id.clone(),
                name: platform.name.clone(),
                kind: MapKind::Platform,
                role: platform.kind.clone(),
                members: network.platform_dependents(p).len(),
                demand: false,
            });
        }

        let mut flows: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        for &(from, to) in network.edge_ends() {
            let (a, b) = (node_entity[from], node_entity[to]);
            if a != b {
                *flows.entry((a, b)).or_default() += 1;
            }
        }
        let mut depends: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        for p in 0..doc.platforms.len() {
            for &(node, _) in network.platform_dependents(p) {
                *depends
                    .entry((first_platform + p, node_entity[node]))
                    .or_default() += 1;
            }
        }
        let mut suppliers = vec![Vec::new(); entities.len()];
        let mut customers = vec![Vec::new(); entities.len()];
        let mut links = Vec::with_capacity(flows.len() + depends.len());
        for (&(source, target), &count) in &flows {
            suppliers[target].push(source);
            customers[source].push(target);
            links.push(MapLink {
                source,
                target,
                count,
                dependency: false,
            });
        }
        for (&(source, target), &count) in &depends {
            customers[source].push(target);
            links.push(MapLink {
                source,
                target,
                count,
                dependency: true,
            });
        }
        EntityGraph {
            entities,
            links,
            suppliers,
            customers,
        }
    }

    /// Entities that carry flow (all but platforms).
    fn flow_count(&self) -> usize {
        self.entities
            .iter()
            .filter(|e| e.kind != MapKind::Platform)
            .count()
    }

    /// Each flow entity's tier: the longest path from a source, entities on a cycle (two
    /// sites shipping to each other through their nodes) sharing one; entities holding
    /// demand that ship nothing go to the last tier. Platforms have none.
    fn tiers(&self) -> Vec<Option<usize>> {
        let n = self.entities.len();
        let flow = |e: usize| self.entities[e].kind != MapKind::Platform;
        let component = self.components();
        // Components come out of Kosaraju's algorithm in topological order, so one pass in
        // that order settles every longest path.
        let count = component.iter().copied().max().map_or(0, |c| c + 1);
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
        for e in (0..n).filter(|&e| flow(e)) {
            members[component[e]].push(e);
        }
        let mut level = vec![0usize; count];
        for c in 0..count {
            for &e in &members[c] {
                for &s in &self.customers[e] {
                    let d = component[s];
                    if d != c {
                        level[d] = level[d].max(level[c] + 1);
                    }
                }
            }
        }
        let last = (0..n)
            .filter(|&e| flow(e))
            .map(|e| level[component[e]])
            .max()
            .unwrap_or(0);
        (0..n)
            .map(|e| {
                if !flow(e) {
                    None
                } else if self.entities[e].demand && self.customers[e].is_empty() {
                    Some(last)
                } else {
                    Some(level[component[e]])
                }
            })
            .collect()
    }

    /// Strongly connected components of the flow graph (Kosaraju, iterative), numbered in
    /// topological order of the condensation. Platforms get a component of their own.
    fn components(&self) -> Vec<usize> {
        let n = self.entities.len();
        let flow = |e: usize| self.entities[e].kind != MapKind::Platform;
        let mut seen = vec![false; n];
        let mut finished = Vec::with_capacity(n);
        for start in 0..n {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            let mut stack = vec![(start, 0usize)];
            while let Some((e, i)) = stack.pop() {
                let next = if flow(e) {
                    self.customers[e].get(i)
                } else {
                    None
                };
                match next {
                    Some(&s) => {
                        stack.push((e, i + 1));
                        if !seen[s] {
                            seen[s] = true;
                            stack.push((s, 0));
                        }
                    }
                    None => finished.push(e),
                }
            }
        }
        let mut component = vec![usize::MAX; n];
        let mut count = 0;
        for &start in finished.iter().rev() {
            if component[start] != usize::MAX {
                continue;
            }
            component[start] = count;
            let mut stack = vec![start];
            while let Some(e) = stack.pop() {
                for &p in &self.suppliers[e] {
                    if component[p] == usize::MAX {
                        component[p] = count;
                        stack.push(p);
                    }
                }
            }
            count += 1;
        }
        component
    }
}

/// One demand node's units lost in the entity's scenario: the entity page's row.
pub type PanelLost = crate::pages::LostRow;

/// One shipment of the scenario's rerouting plan: the entity page's row.
pub type PanelShipment = crate::pages::Reroute;

/// What the map's side panel shows of an entity: its scenario, when the report has one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityPanel {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub kind: String,
    pub status: Status,
    pub status_words: String,
    /// The entity's page (its scenario in full), when the report has its scenario.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// The stress result, when the report has a scenario of the entity's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<PanelScenario>,
}

/// An entity's scenario as the panel shows it, numbers rounded with their unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelScenario {
    pub tts: String,
    pub ttr: String,
    pub gap: String,
    pub lost_total: String,
    pub lost: Vec<PanelLost>,
    pub reroute: Vec<PanelShipment>,
    pub simulate_href: String,
}

/// The side panel of entity `id`, or `None` when the network has no such site, node or
/// platform.
pub fn panel(
    network_id: &str,
    network: &ValidatedNetwork,
    report: Option<&Report>,
    id: &str,
) -> Option<EntityPanel> {
    let (kind, ix) = network.lookup(id)?;
    let doc = network.network();
    let (name, role) = match kind {
        lifeline_network::EntityKind::Node => (None, doc.nodes[ix].kind.clone()),
        lifeline_network::EntityKind::Site => {
            (doc.sites[ix].name.clone(), doc.sites[ix].kind.clone())
        }
        lifeline_network::EntityKind::Platform => (
            doc.platforms[ix].name.clone(),
            doc.platforms[ix].kind.clone(),
        ),
    };
    let scenario = report.and_then(|r| r.scenarios.iter().find(|s| s.id == id));
    let status = Status::of(scenario);
    Some(EntityPanel {
        id: id.to_owned(),
        name,
        kind: role.unwrap_or_else(|| kind.as_str().to_owned()),
        status,
        status_words: status.words(&doc.time_unit),
        href: scenario.map(|_| entity_href(network_id, id)),
        scenario: scenario.map(|s| PanelScenario {
            tts: days(s.tts, s.tts_capped),
            ttr: optional(s.ttr, |t| days(t, false)),
            gap: crate::pages::gap_text(s),
            lost_total: units(s.total_lost_units()),
            lost: PanelLost::all(s, network),
            reroute: PanelShipment::all(s),
            simulate_href: simulate_href(network_id, &s.id),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(json: &str) -> ValidatedNetwork {
        let loaded = lifeline_network::from_str(
            json,
            lifeline_network::Format::Json,
            std::path::Path::new("test.json"),
        )
        .unwrap_or_else(|e| panic!("the test network loads: {e}"));
        loaded.network
    }

    /// Two plants (one site holds two nodes), a distributor node, a hospital site with two
    /// demand nodes, a platform the distributor depends on.
    const SMALL: &str = r#"{
      "format": "lifeline-network/1", "name": "small", "time_unit": "day",
      "nodes": [
        {"id": "a@plant-1", "material": "a", "site": "plant-1", "capacity": 10, "kind": "manufacturer"},
        {"id": "b@plant-1", "material": "b", "site": "plant-1", "capacity": 10, "kind": "manufacturer"},
        {"id": "a@plant-2", "material": "a", "capacity": 5, "kind": "manufacturer", "ttr": 3},
        {"id": "a@dist", "material": "a", "capacity": 20, "inventory": 30, "kind": "distributor", "ttr": 4,
         "depends_on": [{"platform": "erp", "degraded_capacity": 0.5}]},
        {"id": "a@hosp", "material": "a", "site": "hosp", "demand": 4, "kind": "hospital"},
        {"id": "b@hosp", "material": "b", "site": "hosp", "demand": 2, "kind": "hospital"}
      ],
      "edges": [
        {"from": "a@plant-1", "to": "a@dist"},
        {"from": "a@plant-2", "to": "a@dist"},
        {"from": "a@dist", "to": "a@hosp"},
        {"from": "a@plant-2", "to": "a@hosp"},
        {"from": "b@plant-1", "to": "b@hosp"}
      ],
      "sites": [{"id": "plant-1", "kind": "plant", "ttr": 30}, {"id": "hosp", "name": "General", "kind": "hospital"}],
      "platforms": [{"id": "erp", "ttr": 2}]
    }"#;

    fn by_id<'a>(map: &'a MapLayout, id: &str) -> (usize, &'a MapEntity) {
        map.entities
            .iter()
            .enumerate()
            .find(|(_, e)| e.id == id)
            .unwrap_or_else(|| panic!("{id} is on the map"))
    }

    fn link(map: &MapLayout, from: &str, to: &str) -> Option<MapLink> {
        let (a, _) = by_id(map, from);
        let (b, _) = by_id(map, to);
        map.links
            .iter()
            .find(|l| l.source == a && l.target == b)
            .cloned()
    }

    #[test]
    fn sites_group_nodes_and_links_aggregate_edges() {
        let map = layout(&network(SMALL), None);
        let ids: Vec<&str> = map.entities.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["plant-1", "hosp", "a@plant-2", "a@dist", "erp"]);
        let kinds: Vec<MapKind> = map.entities.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                MapKind::Site,
                MapKind::Site,
                MapKind::Node,
                MapKind::Node,
                MapKind::Platform
            ]
        );
        assert_eq!(by_id(&map, "plant-1").1.members, 2);
        assert!(by_id(&map, "hosp").1.demand);
        // plant-1 ships a and b: one edge to the distributor, one to the hospital.
        assert_eq!(link(&map, "plant-1", "a@dist").map(|l| l.count), Some(1));
        assert_eq!(link(&map, "plant-1", "hosp").map(|l| l.count), Some(1));
        assert_eq!(link(&map, "a@plant-2", "hosp").map(|l| l.count), Some(1));
        let erp = link(&map, "erp", "a@dist").expect("the dependency");
        assert!(erp.dependency);
        assert_eq!(map.links.len(), 6);
        assert!(
            map.links.iter().filter(|l| !l.dependency).all(|l| {
                let (s, t) = (&map.entities[l.source], &map.entities[l.target]);
                s.tier < t.tier && s.x < t.x
            }),
            "flows go left to right"
        );
    }

    #[test]
    fn tiers_are_longest_paths_with_demand_last_and_platforms_above() {
        let map = layout(&network(SMALL), None);
        let tier = |id: &str| by_id(&map, id).1.tier;
        assert_eq!(tier("plant-1"), Some(0));
        assert_eq!(tier("a@plant-2"), Some(0));
        assert_eq!(tier("a@dist"), Some(1));
        // The hospital is two steps from the plants through the distributor.
        assert_eq!(tier("hosp"), Some(2));
        assert_eq!(tier("erp"), None);
        assert!(
            by_id(&map, "erp").1.y < 0.0,
            "platforms sit above the columns"
        );
        assert_eq!(map.tiers.len(), 3);
        assert_eq!(map.tiers[0].label, "Tier 1 (sources) · manufacturer, plant");
        assert_eq!(map.tiers[2].label, "Tier 3 (demand) · hospital");
        assert_eq!(map.tiers.iter().map(|t| t.entities).sum::<usize>(), 4);
        assert!(!map.rated);
    }

    #[test]
    fn a_demand_entity_that_ships_nothing_is_in_the_last_tier() {
        // The clinic is fed straight from the plant, one step, yet drawn with the hospital.
        let json = SMALL.replace(
            r#"{"id": "b@hosp", "material": "b", "site": "hosp", "demand": 2, "kind": "hospital"}"#,
            r#"{"id": "b@hosp", "material": "b", "site": "hosp", "demand": 2, "kind": "hospital"},
               {"id": "a@clinic", "material": "a", "demand": 1, "kind": "clinic"}"#,
        )
        .replace(
            r#"{"from": "b@plant-1", "to": "b@hosp"}"#,
            r#"{"from": "b@plant-1", "to": "b@hosp"}, {"from": "a@plant-2", "to": "a@clinic"}"#,
        );
        let map = layout(&network(&json), None);
        assert_eq!(by_id(&map, "a@clinic").1.tier, Some(2));
    }

    #[test]
    fn sites_that_ship_to_each_other_share_a_tier() {
        // x@s1 → y@s2 → z@s1: the sites form a cycle in the entity graph.
        let json = r#"{
          "format": "lifeline-network/1", "name": "cycle",
          "nodes": [
            {"id": "x", "material": "x", "site": "s1", "capacity": 1},
            {"id": "y", "material": "y", "site": "s2", "capacity": 1, "bom": {"x": 1}},
            {"id": "z", "material": "z", "site": "s1", "capacity": 1, "bom": {"y": 1}},
            {"id": "d", "material": "z", "demand": 1}
          ],
          "edges": [{"from": "x", "to": "y"}, {"from": "y", "to": "z"}, {"from": "z", "to": "d"}],
          "sites": [{"id": "s1"}, {"id": "s2"}]
        }"#;
        let map = layout(&network(json), None);
        assert_eq!(by_id(&map, "s1").1.tier, by_id(&map, "s2").1.tier);
        assert_eq!(by_id(&map, "d").1.tier, Some(1));
    }

    fn scenario(id: &str, tts: f64, ttr: Option<f64>) -> ScenarioResult {
        ScenarioResult {
            id: id.to_owned(),
            kind: "site".to_owned(),
            ttr,
            tts,
            tts_capped: false,
            gap: ttr.map(|t| tts - t),
            performance_impact: None,
            rei: None,
            lost_units: Default::default(),
            reallocation: Vec::new(),
            spend: None,
            quadrant: None,
        }
    }

    fn report(scenarios: Vec<ScenarioResult>) -> Report {
        Report {
            network: "small".to_owned(),
            horizon: 365.0,
            baseline_tts: 365.0,
            baseline_tts_capped: true,
            scenarios,
        }
    }

    #[test]
    fn colours_follow_tts_minus_ttr_of_each_entity() {
        let report = report(vec![
            scenario("plant-1", 9.5, Some(30.0)),
            scenario("a@plant-2", 5.0, Some(3.0)),
            scenario("a@dist", 40.0, Some(4.0)),
            scenario("erp", 12.0, None),
        ]);
        let map = layout(&network(SMALL), Some(&report));
        let status = |id: &str| by_id(&map, id).1.status;
        assert_eq!(status("plant-1"), Status::Exposed);
        assert_eq!(by_id(&map, "plant-1").1.gap, Some(-20.5));
        assert_eq!(status("a@plant-2"), Status::Tight);
        assert_eq!(status("a@dist"), Status::Covered);
        assert_eq!(status("erp"), Status::Untested, "no TTR to compare");
        assert_eq!(status("hosp"), Status::Untested, "no scenario");
        assert!(map.rated);
        let json = serde_json::to_value(&map).expect("serialisable");
        assert_eq!(json["entities"][0]["status"], "exposed");
        assert_eq!(json["entities"][1]["name"], "General");
        assert!(json["entities"][1].get("gap").is_none());
        assert_eq!(json["entities"][0]["scenario"], true);
        assert!(json["entities"][1].get("scenario").is_none());
        assert_eq!(json["links"][0]["count"], 1);
    }

    #[test]
    fn the_panel_shows_the_scenario_and_links_to_the_entity_page() {
        let mut exposed = scenario("plant-1", 9.5, Some(30.0));
        exposed.lost_units.0.push(("b@hosp".to_owned(), 1234.4));
        let report = report(vec![exposed]);
        let net = network(SMALL);
        let plant = panel("n 1", &net, Some(&report), "plant-1").expect("a panel");
        assert_eq!(
            plant.href.as_deref(),
            Some("/networks/n%201/entities/plant-1")
        );
        assert_eq!(plant.status, Status::Exposed);
        assert_eq!(plant.kind, "plant");
        let s = plant.scenario.expect("the scenario");
        assert_eq!((s.tts.as_str(), s.ttr.as_str()), ("9.5 days", "30 days"));
        assert_eq!(s.gap, "-20.5");
        assert_eq!(
            s.lost,
            [PanelLost {
                hospital: "hosp".to_owned(),
                item: "b".to_owned(),
                node: "b@hosp".to_owned(),
                units: "1,234".to_owned(),
            }]
        );
        let hosp = panel("n", &net, Some(&report), "hosp").expect("a panel");
        assert!(hosp.scenario.is_none());
        assert!(hosp.href.is_none(), "no page without a scenario");
        assert_eq!(hosp.name.as_deref(), Some("General"));
        assert!(panel("n", &net, Some(&report), "nope").is_none());
    }

    #[test]
    fn tall_tiers_wrap_and_positions_are_deterministic() {
        let json = lifeline_generate::tiered(&lifeline_generate::TieredConfig::scaled(600, 7))
            .expect("generated")
            .to_string();
        let net = network(&json);
        let map = layout(&net, None);
        assert_eq!(map, layout(&net, None));
        let rows = rows_per_column(600);
        let widest = map.tiers.iter().map(|t| t.width).fold(0.0, f64::max);
        assert!(widest > 0.0, "the biggest tier wraps into sub-columns");
        let lowest = map.entities.iter().map(|e| e.y).fold(0.0, f64::max);
        assert!(lowest <= rows as f64 * ROW);
        // No two entities share a place.
        let mut places: Vec<(i64, i64)> = map
            .entities
            .iter()
            .map(|e| ((e.x * 10.0) as i64, (e.y * 10.0) as i64))
            .collect();
        places.sort_unstable();
        places.dedup();
        assert_eq!(places.len(), map.entities.len());
    }

    #[test]
    fn a_ten_thousand_node_network_lays_out() {
        let json = lifeline_generate::tiered(&lifeline_generate::TieredConfig::scaled(10_000, 7))
            .expect("generated")
            .to_string();
        let net = network(&json);
        let started = std::time::Instant::now();
        let map = layout(&net, None);
        // Not asserted (machines differ): shown with `--nocapture` for BENCHMARKS.md.
        eprintln!("10,000-node layout: {:?}", started.elapsed());
        assert_eq!(map.entities.len(), 10_000);
        assert_eq!(map.tiers.len(), 3);
        let ratio = map.width / map.height;
        assert!((0.8..4.0).contains(&ratio), "width / height = {ratio}");
    }
}
