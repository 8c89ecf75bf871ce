//! Semantic validation: references, uniqueness, demand nodes, bills of materials and
//! cycles. A [`ValidatedNetwork`] is the proof that a [`Network`] passed, with the indices
//! the analyses need.

use std::collections::HashMap;

use lifeline_text::{Excerpt, suggest};

use crate::error::{Diagnostic, Diagnostics};
use crate::model::{EntityKind, Item, Network, Node, Scenario, Target};

/// Index of a node in [`Network::nodes`].
pub type NodeIx = usize;
/// Index of an edge in [`Network::edges`].
pub type EdgeIx = usize;

/// One input material of a node: the edges that can bring it and how much a unit of
/// output needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub material: String,
    pub ratio: f64,
    pub edges: Vec<EdgeIx>,
}

/// A network that passed validation, with its indices.
///
/// Invariants: ids are unique across nodes, sites and platforms; every reference resolves;
/// the supply graph is acyclic; demand nodes ship nothing; every `bom` material is
/// provided by a supplier; every number is finite and in its range.
#[derive(Debug, Clone)]
pub struct ValidatedNetwork {
    network: Network,
    ids: HashMap<String, (EntityKind, usize)>,
    edge_ends: Vec<(NodeIx, NodeIx)>,
    inputs: Vec<Vec<Input>>,
    customers: Vec<Vec<EdgeIx>>,
    node_site: Vec<Option<usize>>,
    site_members: Vec<Vec<NodeIx>>,
    platform_dependents: Vec<Vec<(NodeIx, f64)>>,
    topological_order: Vec<NodeIx>,
    links: Links,
}

impl ValidatedNetwork {
    pub fn network(&self) -> &Network {
        &self.network
    }
    pub fn nodes(&self) -> &[Node] {
        &self.network.nodes
    }
    pub fn node(&self, ix: NodeIx) -> &Node {
        &self.network.nodes[ix]
    }
    /// The (from, to) node indices of every edge, in edge order.
    pub fn edge_ends(&self) -> &[(NodeIx, NodeIx)] {
        &self.edge_ends
    }
    /// The input materials of a node (empty for a node without suppliers).
    pub fn inputs(&self, node: NodeIx) -> &[Input] {
        &self.inputs[node]
    }
    /// The outgoing edges of a node.
    pub fn customers(&self, node: NodeIx) -> &[EdgeIx] {
        &self.customers[node]
    }
    pub fn node_site(&self, node: NodeIx) -> Option<usize> {
        self.node_site[node]
    }
    pub fn site_members(&self, site: usize) -> &[NodeIx] {
        &self.site_members[site]
    }
    /// Nodes that depend on a platform, with their degraded capacity.
    pub fn platform_dependents(&self, platform: usize) -> &[(NodeIx, f64)] {
        &self.platform_dependents[platform]
    }
    /// Nodes ordered so that every supplier comes before its customers.
    pub fn topological_order(&self) -> &[NodeIx] {
        &self.topological_order
    }
    /// The kind and index of the entity with this id.
    pub fn lookup(&self, id: &str) -> Option<(EntityKind, usize)> {
        self.ids.get(id).copied()
    }
    /// The id of the entity at this kind and index.
    pub fn entity_id(&self, kind: EntityKind, ix: usize) -> &str {
        match kind {
            EntityKind::Node => &self.network.nodes[ix].id,
            EntityKind::Site => &self.network.sites[ix].id,
            EntityKind::Platform => &self.network.platforms[ix].id,
        }
    }
    /// The item with this GTIN, written with 8, 12, 13 or 14 digits.
    pub fn item_by_gtin(&self, gtin: &str) -> Option<&Item> {
        let gtin14 = lifeline_gs1::gtin14(gtin).ok()?;
        let &ix = self.links.item_by_gtin.get(&gtin14)?;
        self.network.items.get(ix)
    }
    /// The nodes, sites and platforms that carry this GLN, in document order.
    pub fn entities_at_gln(&self, gln: &str) -> &[(EntityKind, usize)] {
        self.links.by_gln.get(gln).map_or(&[], Vec::as_slice)
    }
    /// The nodes, sites and platforms that carry this vendor id, in document order.
    pub fn entities_of_vendor(&self, vendor: &str) -> &[(EntityKind, usize)] {
        self.links.by_vendor.get(vendor).map_or(&[], Vec::as_slice)
    }
    pub fn node_index(&self, id: &str) -> Option<NodeIx> {
        match self.lookup(id) {
            Some((EntityKind::Node, ix)) => Some(ix),
            _ => None,
        }
    }

    /// The scenarios to run: the document's explicit ones, else the default sweep of
    /// every node, site and platform with a `ttr`, one at a time and fully down.
    pub fn scenarios(&self) -> Vec<Scenario> {
        match &self.network.scenarios {
            Some(explicit) => explicit.clone(),
            None => self.default_scenarios(),
        }
    }

    /// Every node, then site, then platform with a `ttr`, each fully down alone.
    pub fn default_scenarios(&self) -> Vec<Scenario> {
        let nodes = self
            .network
            .nodes
            .iter()
            .map(|n| (Target::Node(n.id.clone()), n.ttr));
        let sites = self
            .network
            .sites
            .iter()
            .map(|s| (Target::Site(s.id.clone()), s.ttr));
        let platforms = self
            .network
            .platforms
            .iter()
            .map(|p| (Target::Platform(p.id.clone()), p.ttr));
        nodes
            .chain(sites)
            .chain(platforms)
            .filter_map(|(target, ttr)| {
                let ttr = ttr?;
                Some(Scenario {
                    id: target.id().to_owned(),
                    ttr: Some(ttr),
                    disrupt: vec![crate::model::Disruption {
                        target,
                        capacity_factor: 0.0,
                        profile: None,
                        defection: None,
                    }],
                    start: None,
                    downtime_cost: None,
                })
            })
            .collect()
    }

    /// Checks scenarios read from elsewhere (a `--scenarios` file) against this network.
    pub fn check_scenarios(&self, scenarios: &[Scenario], path: &str) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        check_scenarios(&self.ids, scenarios, path, &mut diagnostics);
        diagnostics
    }

    /// The capacity factors of a disruption: per node and per site, the smallest that
    /// applies (1 where nothing applies). Each entry of `disrupt` contributes `factor(entry)`.
    pub fn capacity_factors<'a>(
        &self,
        disrupt: impl IntoIterator<Item = (&'a Target, f64)>,
    ) -> CapacityFactors {
        let mut factors = CapacityFactors {
            nodes: vec![1.0; self.network.nodes.len()],
            sites: vec![1.0; self.network.sites.len()],
        };
        for (target, f) in disrupt {
            let Some((_, ix)) = self.lookup(target.id()) else {
                continue;
            };
            match target {
                Target::Node(_) => lower(&mut factors.nodes[ix], f),
                Target::Site(_) => {
                    lower(&mut factors.sites[ix], f);
                    for &member in &self.site_members[ix] {
                        lower(&mut factors.nodes[member], f);
                    }
                }
                Target::Platform(_) => {
                    for &(node, degraded) in &self.platform_dependents[ix] {
                        lower(&mut factors.nodes[node], degraded + (1.0 - degraded) * f);
                    }
                }
            }
        }
        factors
    }
}

fn lower(slot: &mut f64, f: f64) {
    if f < *slot {
        *slot = f;
    }
}

/// Capacity factors of one scenario: 1 is full capacity, 0 fully down.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityFactors {
    pub nodes: Vec<f64>,
    pub sites: Vec<f64>,
}

/// Validates a decoded network, reporting every problem at once. `warnings` already
/// found while decoding are carried into the result.
pub fn validate(
    network: Network,
    mut diagnostics: Vec<Diagnostic>,
) -> Result<(ValidatedNetwork, Vec<Diagnostic>), Diagnostics> {
    let mut ids: HashMap<String, (EntityKind, usize)> = HashMap::new();
    let mut first_path: HashMap<&str, String> = HashMap::new();
    let entities = network
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (EntityKind::Node, i, n.id.as_str(), format!("nodes[{i}].id")))
        .chain(
            network
                .sites
                .iter()
                .enumerate()
                .map(|(i, s)| (EntityKind::Site, i, s.id.as_str(), format!("sites[{i}].id"))),
        )
        .chain(network.platforms.iter().enumerate().map(|(i, p)| {
            (
                EntityKind::Platform,
                i,
                p.id.as_str(),
                format!("platforms[{i}].id"),
            )
        }));
    for (kind, ix, id, path) in entities {
        if let Some(first) = first_path.get(id) {
            diagnostics.push(
                Diagnostic::error(
                    &path,
                    format!("duplicate id `{}`, first used at {first}", Excerpt(id)),
                )
                .with_hint("ids are unique across nodes, sites and platforms"),
            );
        } else {
            first_path.insert(id, path);
            ids.insert(id.to_owned(), (kind, ix));
        }
    }

    let node_count = network.nodes.len();
    let resolve_node =
        |id: &str, path: String, diagnostics: &mut Vec<Diagnostic>| -> Option<NodeIx> {
            match ids.get(id) {
                Some(&(EntityKind::Node, ix)) => Some(ix),
                Some(&(kind, _)) => {
                    diagnostics.push(Diagnostic::error(
                        path,
                        format!("`{}` is a {}, not a node", Excerpt(id), kind.as_str()),
                    ));
                    None
                }
                None => {
                    diagnostics.push(unknown(
                        path,
                        "node",
                        id,
                        network.nodes.iter().map(|n| n.id.as_str()),
                    ));
                    None
                }
            }
        };

    // Edges.
    let mut edge_ends = Vec::with_capacity(network.edges.len());
    let mut customers = vec![Vec::new(); node_count];
    let mut suppliers: Vec<Vec<EdgeIx>> = vec![Vec::new(); node_count];
    let mut seen_edges: HashMap<(NodeIx, NodeIx), usize> = HashMap::new();
    let mut edges_ok = true;
    for (e, edge) in network.edges.iter().enumerate() {
        let from = resolve_node(&edge.from, format!("edges[{e}].from"), &mut diagnostics);
        let to = resolve_node(&edge.to, format!("edges[{e}].to"), &mut diagnostics);
        let (Some(from), Some(to)) = (from, to) else {
            edges_ok = false;
            edge_ends.push((usize::MAX, usize::MAX));
            continue;
        };
        if let Some(first) = seen_edges.insert((from, to), e) {
            diagnostics.push(Diagnostic::error(
                format!("edges[{e}]"),
                format!(
                    "duplicate edge `{}` → `{}`, first given at edges[{first}]",
                    Excerpt(&edge.from),
                    Excerpt(&edge.to)
                ),
            ));
        }
        if network.nodes[from].is_demand() {
            diagnostics.push(
                Diagnostic::error(
                    format!("edges[{e}].from"),
                    format!(
                        "`{}` is a demand node (it has `demand`) but ships to `{}`: a demand node has no customers",
                        Excerpt(&edge.from),
                        Excerpt(&edge.to)
                    ),
                )
                .with_hint("model the hospital's stock as a separate stocking node, or remove `demand`"),
            );
        }
        edge_ends.push((from, to));
        customers[from].push(e);
        suppliers[to].push(e);
    }

    // Node references and bills of materials.
    let mut node_site = vec![None; node_count];
    let mut site_members = vec![Vec::new(); network.sites.len()];
    let mut platform_dependents = vec![Vec::new(); network.platforms.len()];
    let mut inputs = vec![Vec::new(); node_count];
    for (j, node) in network.nodes.iter().enumerate() {
        if let Some(site) = &node.site {
            match ids.get(site.as_str()) {
                Some(&(EntityKind::Site, s)) => {
                    node_site[j] = Some(s);
                    site_members[s].push(j);
                }
                Some(&(kind, _)) => diagnostics.push(Diagnostic::error(
                    format!("nodes[{j}].site"),
                    format!("`{}` is a {}, not a site", Excerpt(site), kind.as_str()),
                )),
                None => diagnostics.push(unknown(
                    format!("nodes[{j}].site"),
                    "site",
                    site,
                    network.sites.iter().map(|s| s.id.as_str()),
                )),
            }
        }
        for (d, dependency) in node.depends_on.iter().enumerate() {
            match ids.get(dependency.platform.as_str()) {
                Some(&(EntityKind::Platform, p)) => {
                    platform_dependents[p].push((j, dependency.degraded_capacity));
                }
                Some(&(kind, _)) => diagnostics.push(Diagnostic::error(
                    format!("nodes[{j}].depends_on[{d}].platform"),
                    format!(
                        "`{}` is a {}, not a platform",
                        Excerpt(&dependency.platform),
                        kind.as_str()
                    ),
                )),
                None => diagnostics.push(unknown(
                    format!("nodes[{j}].depends_on[{d}].platform"),
                    "platform",
                    &dependency.platform,
                    network.platforms.iter().map(|p| p.id.as_str()),
                )),
            }
        }
        // Group the node's supplier edges by the material they bring, in first-seen order.
        let mut node_inputs: Vec<Input> = Vec::new();
        for &e in &suppliers[j] {
            let material = &network.nodes[edge_ends[e].0].material;
            match node_inputs
                .iter_mut()
                .find(|input| &input.material == material)
            {
                Some(input) => input.edges.push(e),
                None => node_inputs.push(Input {
                    material: material.clone(),
                    ratio: 1.0,
                    edges: vec![e],
                }),
            }
        }
        for (material, ratio) in &node.bom {
            match node_inputs
                .iter_mut()
                .find(|input| &input.material == material)
            {
                Some(input) => input.ratio = *ratio,
                None => {
                    let provided: Vec<&str> =
                        node_inputs.iter().map(|i| i.material.as_str()).collect();
                    let hint = if provided.is_empty() {
                        "the node has no suppliers: add an edge from a node of this material"
                            .to_owned()
                    } else {
                        format!(
                            "its suppliers provide {}",
                            quote_list(provided.iter().copied())
                        )
                    };
                    diagnostics.push(
                        Diagnostic::error(
                            format!("nodes[{j}].bom.{}", Excerpt(material)),
                            format!(
                                "no supplier of `{}` provides material `{}`",
                                Excerpt(&node.id),
                                Excerpt(material)
                            ),
                        )
                        .with_hint(hint),
                    );
                }
            }
        }
        if node.is_demand() && node_inputs.is_empty() && node.capacity.is_none() {
            diagnostics.push(
                Diagnostic::warning(
                    format!("nodes[{j}]"),
                    format!(
                        "demand node `{}` has no supplier and no capacity, so its own output is unlimited and it never runs short",
                        Excerpt(&node.id)
                    ),
                )
                .with_hint("add an edge from the node that supplies it, or give it `\"capacity\": 0` to live on its inventory"),
            );
        }
        inputs[j] = node_inputs;
    }

    // Cycles among the edges that resolved, so that a cycle is reported together with
    // an unknown node elsewhere; the order itself is kept only when every edge resolved.
    let topological_order = {
        match topological_sort(node_count, &edge_ends, &customers) {
            Ok(order) if edges_ok => order,
            Ok(_) => Vec::new(),
            Err(cycle) => {
                let names: Vec<String> = cycle
                    .iter()
                    .map(|&n| Excerpt(&network.nodes[n].id).to_string())
                    .collect();
                diagnostics.push(
                    Diagnostic::error(
                        "edges",
                        format!("cycle in the supply graph: {} → {}", names.join(" → "), names[0]),
                    )
                    .with_hint("material must flow from suppliers towards demand; remove one edge of the cycle"),
                );
                Vec::new()
            }
        }
    };

    if let Some(scenarios) = &network.scenarios {
        check_scenarios(&ids, scenarios, "scenarios", &mut diagnostics);
    }
    let links = Links::build(&network, &mut diagnostics);

    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Diagnostics(diagnostics));
    }
    let validated = ValidatedNetwork {
        network,
        ids,
        edge_ends,
        inputs,
        customers,
        node_site,
        site_members,
        platform_dependents,
        topological_order,
        links,
    };
    Ok((validated, diagnostics))
}

/// What links the network to other capabilities' identifiers: items by GTIN, entities by
/// GLN and by vendor id.
#[derive(Debug, Clone, Default)]
struct Links {
    item_by_gtin: HashMap<String, usize>,
    by_gln: HashMap<String, Vec<(EntityKind, usize)>>,
    by_vendor: HashMap<String, Vec<(EntityKind, usize)>>,
}

impl Links {
    /// Indexes the identifiers, reporting duplicate items, a GTIN given to two items and
    /// items that no node supplies or needs.
    fn build(network: &Network, diagnostics: &mut Vec<Diagnostic>) -> Links {
        let mut links = Links::default();
        let materials: std::collections::BTreeSet<&str> = network
            .nodes
            .iter()
            .flat_map(|n| {
                std::iter::once(n.material.as_str()).chain(n.bom.iter().map(|(m, _)| m.as_str()))
            })
            .collect();
        let mut item_ids: HashMap<&str, usize> = HashMap::new();
        let mut gtin_path: HashMap<&str, String> = HashMap::new();
        for (i, item) in network.items.iter().enumerate() {
            if let Some(first) = item_ids.insert(item.id.as_str(), i) {
                diagnostics.push(Diagnostic::error(
                    format!("items[{i}].id"),
                    format!(
                        "duplicate item `{}`, first listed at items[{first}]",
                        Excerpt(&item.id)
                    ),
                ));
            }
            if !materials.contains(item.id.as_str()) {
                let warning = Diagnostic::warning(
                    format!("items[{i}].id"),
                    format!(
                        "no node supplies or uses the material `{}`",
                        Excerpt(&item.id)
                    ),
                );
                diagnostics.push(match suggest(&item.id, materials.iter().copied()) {
                    Some(suggestion) => {
                        warning.with_hint(format!("did you mean `{}`?", Excerpt(suggestion)))
                    }
                    None => warning,
                });
            }
            for (g, gtin) in item.gtins.iter().enumerate() {
                let path = format!("items[{i}].gtin[{g}]");
                if let Some(first) = gtin_path.get(gtin.as_str()) {
                    diagnostics.push(Diagnostic::error(
                        path,
                        format!("GTIN {gtin} is already given at {first}"),
                    ));
                } else {
                    gtin_path.insert(gtin, path);
                    links.item_by_gtin.insert(gtin.clone(), i);
                }
            }
        }
        let nodes = network
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (EntityKind::Node, i, &n.gln, &n.vendor));
        let sites = network
            .sites
            .iter()
            .enumerate()
            .map(|(i, s)| (EntityKind::Site, i, &s.gln, &s.vendor));
        let platforms = network
            .platforms
            .iter()
            .enumerate()
            .map(|(i, p)| (EntityKind::Platform, i, &p.gln, &p.vendor));
        for (kind, ix, gln, vendor) in nodes.chain(sites).chain(platforms) {
            if let Some(gln) = gln {
                links
                    .by_gln
                    .entry(gln.clone())
                    .or_default()
                    .push((kind, ix));
            }
            if let Some(vendor) = vendor {
                links
                    .by_vendor
                    .entry(vendor.clone())
                    .or_default()
                    .push((kind, ix));
            }
        }
        links
    }
}

fn check_scenarios(
    ids: &HashMap<String, (EntityKind, usize)>,
    scenarios: &[Scenario],
    path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (s, scenario) in scenarios.iter().enumerate() {
        if let Some(first) = seen.insert(scenario.id.as_str(), s) {
            diagnostics.push(Diagnostic::error(
                format!("{path}[{s}].id"),
                format!(
                    "duplicate scenario id `{}`, first used at {path}[{first}]",
                    Excerpt(&scenario.id)
                ),
            ));
        }
        for (d, disruption) in scenario.disrupt.iter().enumerate() {
            let target = &disruption.target;
            let wanted = target.kind();
            let field = format!("{path}[{s}].disrupt[{d}].{}", wanted.as_str());
            match ids.get(target.id()) {
                Some(&(kind, _)) if kind == wanted => {}
                Some(&(kind, _)) => diagnostics.push(
                    Diagnostic::error(
                        field,
                        format!(
                            "`{}` is a {}, not a {}",
                            Excerpt(target.id()),
                            kind.as_str(),
                            wanted.as_str()
                        ),
                    )
                    .with_hint(format!(
                        "write `\"{}\": \"{}\"`",
                        kind.as_str(),
                        Excerpt(target.id())
                    )),
                ),
                None => diagnostics.push(Diagnostic::error(
                    field,
                    format!("unknown {} `{}`", wanted.as_str(), Excerpt(target.id())),
                )),
            }
        }
    }
}

fn unknown<'a>(
    path: String,
    what: &str,
    id: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Diagnostic {
    let diagnostic = Diagnostic::error(path, format!("unknown {what} `{}`", Excerpt(id)));
    match suggest(id, candidates) {
        Some(suggestion) => {
            diagnostic.with_hint(format!("did you mean `{}`?", Excerpt(suggestion)))
        }
        None => diagnostic,
    }
}

fn quote_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|m| format!("`{}`", Excerpt(m)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Kahn's algorithm over the edges listed in `customers` (those that resolved; an
/// unresolved edge has ends `usize::MAX` in `edge_ends`); on a cycle, returns the nodes
/// of one cycle in order.
fn topological_sort(
    node_count: usize,
    edge_ends: &[(NodeIx, NodeIx)],
    customers: &[Vec<EdgeIx>],
) -> Result<Vec<NodeIx>, Vec<NodeIx>> {
    let mut in_degree = vec![0usize; node_count];
    for &e in customers.iter().flatten() {
        in_degree[edge_ends[e].1] += 1;
    }
    let mut order: Vec<NodeIx> = (0..node_count).filter(|&n| in_degree[n] == 0).collect();
    let mut next = 0;
    while next < order.len() {
        let n = order[next];
        next += 1;
        for &e in &customers[n] {
            let to = edge_ends[e].1;
            in_degree[to] -= 1;
            if in_degree[to] == 0 {
                order.push(to);
            }
        }
    }
    if order.len() == node_count {
        return Ok(order);
    }
    // Every node left over has a supplier that is also left over, so walking backwards
    // along suppliers must come back to a node already seen: that closes a cycle.
    let remaining: Vec<bool> = in_degree.iter().map(|&d| d > 0).collect();
    let Some(start) = remaining.iter().position(|&r| r) else {
        return Ok(order);
    };
    let mut position = vec![usize::MAX; node_count];
    let mut path = Vec::new();
    let mut current = start;
    while position[current] == usize::MAX {
        position[current] = path.len();
        path.push(current);
        let supplier = edge_ends
            .iter()
            .find(|&&(from, to)| to == current && remaining[from]);
        match supplier {
            Some(&(from, _)) => current = from,
            None => break,
        }
    }
    let mut cycle = path.split_off(position[current].min(path.len()));
    cycle.reverse();
    Err(cycle)
}
