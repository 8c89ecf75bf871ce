//! The tiered generator: draws node attributes, groups suppliers into material types, wires
//! each group to its customers in the tier above, adds the optional layers, and writes the
//! `lifeline-network/1` document.
//!
//! Shape, per supplier tier (tier k+1 supplying tier k):
//! * its nodes are cut into runs of 1–3 adjacent nodes; each run is one material type, so a
//!   customer of that material has 1–3 interchangeable sources;
//! * every node of a run ships to the same customers: exactly one in the last tier, 1–3
//!   (2 on average) in the other tiers;
//! * every customer node appears among the customers of at least one run, so every node of
//!   tiers 1 to n−1 gets at least one input material.
//!
//! With the benchmark's 200/500/1000 this gives 500 material runs in tier 3 (one per tier-2
//! node), 250 in tier 2 and about 2,000 edges. Everything is linear in the size of the output.
//!
//! The knobs ([`Knobs`]) change the draws, never the shape: `single_sourced` sets how many
//! runs have one node (the base stream then draws other run sizes), `ttr` the TTR range, and
//! `capacity_slack` and `inventory_cover` redraw capacities and inventories, each from its
//! own stream, against the demand each node carries (computed from the products down, after
//! the BOM ratios are drawn). With [`Knobs::EASY`] nothing is redrawn: the easy preset is the
//! original output, byte for byte.

use rand::seq::{SliceRandom, index};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};

use crate::{GenerateError, Knobs, MAX_ENTITIES, TieredConfig};

// One ChaCha stream per concern, so that switching an option on does not shift the draws of
// the base network or of another option.
const BASE_STREAM: u64 = 0;
const SITE_STREAM: u64 = 1;
const PLATFORM_STREAM: u64 = 2;
const BOM_STREAM: u64 = 3;
const SCENARIO_STREAM: u64 = 4;
const SPEND_STREAM: u64 = 5;
const CAPACITY_STREAM: u64 = 6;
const INVENTORY_STREAM: u64 = 7;

/// Largest bound of `capacity_slack` and `inventory_cover`.
const MAX_FACTOR: f64 = 100.0;
/// Largest time to recover the `ttr` knob accepts.
const MAX_TTR: u32 = 100_000;

const PLATFORM_KINDS: [&str; 5] = ["ordering-portal", "erp", "edi", "mes", "clearinghouse"];

/// Generates the network document described by `config` (see the module documentation for
/// the shape). The same configuration always gives the same document, byte for byte once
/// serialised.
pub fn tiered(config: &TieredConfig) -> Result<Value, GenerateError> {
    validate(config)?;
    let network = Network::draw(config);
    Ok(network.to_json(config))
}

fn validate(config: &TieredConfig) -> Result<(), GenerateError> {
    let tiers = &config.tiers;
    if tiers.len() < 2 {
        return Err(GenerateError::TooFewTiers { count: tiers.len() });
    }
    if let Some(index) = tiers.iter().position(|&nodes| nodes == 0) {
        return Err(GenerateError::EmptyTier {
            index,
            tier: index + 1,
        });
    }
    if !(config.horizon.is_finite() && config.horizon > 0.0) {
        return Err(GenerateError::InvalidHorizon {
            horizon: config.horizon,
        });
    }
    validate_knobs(&config.knobs)?;
    let requested = tiers.iter().map(|&nodes| nodes as u128).sum::<u128>()
        + config.sites as u128
        + config.platforms as u128
        + config.partial_scenarios as u128;
    if requested > MAX_ENTITIES as u128 {
        return Err(GenerateError::TooLarge {
            requested,
            limit: MAX_ENTITIES,
        });
    }
    let last = tiers.len() - 1;
    for index in 1..tiers.len() {
        let (nodes, customers) = (tiers[index], tiers[index - 1]);
        let needed = minimum_groups(customers, index == last);
        if nodes < needed {
            return Err(GenerateError::TooFewSuppliers {
                index,
                tier: index + 1,
                nodes,
                customer_tier: index,
                customers,
                needed,
            });
        }
    }
    Ok(())
}

fn validate_knobs(knobs: &Knobs) -> Result<(), GenerateError> {
    let ranges = [
        ("capacity_slack", knobs.capacity_slack),
        ("inventory_cover", knobs.inventory_cover),
    ];
    for (field, range) in ranges {
        if let Some((low, high)) = range {
            // Written so that NaN fails every comparison and is refused.
            let valid = low >= 0.0 && low <= high && high <= MAX_FACTOR;
            if !valid {
                return Err(GenerateError::InvalidRange {
                    field,
                    low,
                    high,
                    min: 0.0,
                    max: MAX_FACTOR,
                });
            }
        }
    }
    if let Some(share) = knobs.single_sourced
        && !(0.0..=1.0).contains(&share)
    {
        return Err(GenerateError::InvalidShare { share });
    }
    let (min, max) = knobs.ttr;
    if !(1..=MAX_TTR).contains(&max) || min > max {
        return Err(GenerateError::InvalidTtr {
            min,
            max,
            limit: MAX_TTR,
        });
    }
    Ok(())
}

/// How many material runs a supplier tier needs so that every customer gets an input: a run
/// of the last tier has exactly one customer, any other run at most three.
fn minimum_groups(customers: usize, last: bool) -> usize {
    if last {
        customers
    } else {
        customers.div_ceil(3)
    }
}

fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Rounds to 2 decimals so that the document stays readable; a value drawn from [lo, hi] with
/// 2-decimal bounds stays within them.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn uniform(rng: &mut ChaCha8Rng, low: f64, high: f64) -> f64 {
    round2(rng.random_range(low..=high))
}

/// A JSON number, written without a fractional part when the value is whole.
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        // Exact: x is whole and well within the range where f64 represents integers exactly.
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

/// Attributes drawn for one node.
struct NodeDraw {
    capacity: f64,
    inventory: f64,
    /// Demand and value per unit lost, present on tier-1 (demand) nodes only.
    demand: Option<(f64, f64)>,
    /// Time to recover, present on supplier nodes only.
    ttr: Option<u32>,
}

/// The material runs of one supplier tier and whom they ship to.
struct SupplierTier {
    /// Run (material) of each node of the tier, non-decreasing: runs are adjacent nodes.
    group_of: Vec<usize>,
    /// Customers (indices in the tier above) of each run, ascending and distinct.
    customers: Vec<Vec<usize>>,
}

/// The run of each node of a supplier tier of `suppliers` nodes, runs of 1–3 adjacent nodes
/// (non-decreasing), and the number of runs.
type Runs = (Vec<usize>, usize);

/// The easy preset's runs: two nodes per run on average, about a quarter single.
fn even_runs(rng: &mut ChaCha8Rng, suppliers: usize, needed: usize) -> Runs {
    // Two nodes per run on average, but never fewer runs than the customers need.
    // validate() ensures suppliers >= needed, so group_count <= suppliers.
    let group_count = suppliers.div_ceil(2).max(needed).min(suppliers);
    // Each run has 1 node plus 0–2 extra ones: spread the extra nodes over 2 slots per
    // run at random. group_count >= suppliers / 2 keeps extra <= 2 * group_count.
    let extra = suppliers - group_count;
    let mut slots = vec![false; 2 * group_count];
    slots[..extra].fill(true);
    slots.shuffle(rng);
    let mut group_of = Vec::with_capacity(suppliers);
    for (group, pair) in slots.chunks_exact(2).enumerate() {
        let size = 1 + usize::from(pair[0]) + usize::from(pair[1]);
        group_of.extend(std::iter::repeat_n(group, size));
    }
    (group_of, group_count)
}

/// Runs of which a share `single` (as near as the tier allows) have one node and the others
/// 2 or 3, in random order.
fn runs_with_singles(rng: &mut ChaCha8Rng, suppliers: usize, needed: usize, single: f64) -> Runs {
    // As many runs as give 2.5 nodes per multi-source run, but at least what the customers
    // need and what runs of at most 3 nodes need; at most one run per node.
    let natural = (suppliers as f64 / (single + 2.5 * (1.0 - single))).round();
    // natural is finite and at most 2.5 * suppliers: the conversion is exact enough.
    let group_count = (natural as usize)
        .max(needed)
        .max(suppliers.div_ceil(3))
        .min(suppliers);
    let extra = suppliers - group_count;
    // Multi-source runs take the extra nodes, one or two each: extra / 2 <= multi <= extra.
    // group_count >= suppliers / 3 keeps extra <= 2 * group_count, so the range is not empty.
    let wanted = group_count - (single * group_count as f64).round() as usize;
    let multi = wanted.max(extra.div_ceil(2)).min(extra).min(group_count);
    let mut is_multi = vec![false; group_count];
    is_multi[..multi].fill(true);
    is_multi.shuffle(rng);
    let mut third = vec![false; multi];
    third[..extra - multi].fill(true);
    third.shuffle(rng);
    let mut thirds = third.into_iter();
    let mut group_of = Vec::with_capacity(suppliers);
    for (group, &multi) in is_multi.iter().enumerate() {
        let size = if multi {
            2 + usize::from(thirds.next().unwrap_or(false))
        } else {
            1
        };
        group_of.extend(std::iter::repeat_n(group, size));
    }
    (group_of, group_count)
}

impl SupplierTier {
    fn draw(
        rng: &mut ChaCha8Rng,
        suppliers: usize,
        customers: usize,
        last: bool,
        single_sourced: Option<f64>,
    ) -> Self {
        let needed = minimum_groups(customers, last);
        let (group_of, group_count) = match single_sourced {
            None => even_runs(rng, suppliers, needed),
            Some(single) => runs_with_singles(rng, suppliers, needed, single),
        };

        // Customers per run: 1, 2, 3 in equal shares (shuffled) away from the last tier,
        // which keeps the edge count close to 2 per supplier; raised where the runs would
        // otherwise have fewer customer slots than there are customers.
        let most = if last { 1 } else { customers.min(3) };
        let mut counts: Vec<usize> = (0..group_count)
            .map(|group| (1 + group % 3).min(most))
            .collect();
        counts.shuffle(rng);
        let mut slot_count: usize = counts.iter().sum();
        for count in &mut counts {
            if slot_count >= customers {
                break;
            }
            let raise = (most - *count).min(customers - slot_count);
            *count += raise;
            slot_count += raise;
        }

        // Fill the slots with every customer once (so each gets an input) and random ones
        // for the rest, shuffle, and deal them out to the runs in order.
        let mut picks: Vec<usize> = (0..customers).collect();
        picks.extend((customers..slot_count).map(|_| rng.random_range(0..customers)));
        picks.shuffle(rng);
        let mut runs = Vec::with_capacity(group_count);
        let mut rest = picks.as_slice();
        for &count in &counts {
            let (taken, remaining) = rest.split_at(count.min(rest.len()));
            rest = remaining;
            let mut run: Vec<usize> = taken.to_vec();
            run.sort_unstable();
            run.dedup();
            runs.push(run);
        }
        SupplierTier {
            group_of,
            customers: runs,
        }
    }
}

/// Everything drawn, before it is written out.
struct Network {
    /// Global index of the first node of each tier, plus the total at the end.
    offsets: Vec<usize>,
    draws: Vec<NodeDraw>,
    /// `supplier_tiers[k]` describes tier k+2 (index k+1), which supplies tier k+1.
    supplier_tiers: Vec<SupplierTier>,
    /// Input materials of each node as (tier index, run), in a fixed order.
    inputs: Vec<Vec<(usize, usize)>>,
    options: Options,
}

/// The optional layers; empty vectors when the option is off.
#[derive(Default)]
struct Options {
    site_of: Vec<Option<usize>>,
    /// (capacity, ttr) of each site.
    sites: Vec<(f64, u32)>,
    /// ttr of each platform.
    platforms: Vec<u32>,
    /// (platform, degraded capacity) of each node that depends on one.
    depends_on: Vec<Option<(usize, f64)>>,
    /// Ratio of each input material of each node, `None` where the default ratio 1 applies.
    bom: Vec<Vec<Option<f64>>>,
    scenarios: Vec<Scenario>,
    spend: Vec<Option<f64>>,
}

struct Scenario {
    ttr: u32,
    /// (entity in the scenario pool, capacity factor).
    disrupt: Vec<(usize, f64)>,
}

impl Network {
    fn draw(config: &TieredConfig) -> Self {
        let tiers = &config.tiers;
        let mut offsets = Vec::with_capacity(tiers.len() + 1);
        let mut total = 0;
        for &nodes in tiers {
            offsets.push(total);
            total += nodes;
        }
        offsets.push(total);

        let mut rng = stream(config.seed, BASE_STREAM);
        let mut draws = Vec::with_capacity(total);
        for (index, &nodes) in tiers.iter().enumerate() {
            for _ in 0..nodes {
                let draw = if index == 0 {
                    let demand = uniform(&mut rng, 500.0, 1000.0);
                    let value = uniform(&mut rng, 0.05, 0.30);
                    let capacity = uniform(&mut rng, 1500.0, 3000.0);
                    let inventory = uniform(&mut rng, 1500.0, 3000.0);
                    NodeDraw {
                        capacity,
                        inventory,
                        demand: Some((demand, value)),
                        ttr: None,
                    }
                } else {
                    let capacity = uniform(&mut rng, 1500.0, 3000.0);
                    let inventory = uniform(&mut rng, 1500.0, 3000.0);
                    let ttr = rng.random_range(config.knobs.ttr.0..=config.knobs.ttr.1);
                    NodeDraw {
                        capacity,
                        inventory,
                        demand: None,
                        ttr: Some(ttr),
                    }
                };
                draws.push(draw);
            }
        }

        let last = tiers.len() - 1;
        let supplier_tiers: Vec<SupplierTier> = (1..tiers.len())
            .map(|index| {
                SupplierTier::draw(
                    &mut rng,
                    tiers[index],
                    tiers[index - 1],
                    index == last,
                    config.knobs.single_sourced,
                )
            })
            .collect();

        let mut inputs = vec![Vec::new(); total];
        for (k, supplier_tier) in supplier_tiers.iter().enumerate() {
            let customer_offset = offsets[k];
            for (run, customers) in supplier_tier.customers.iter().enumerate() {
                for &customer in customers {
                    inputs[customer_offset + customer].push((k + 1, run));
                }
            }
        }

        let mut network = Network {
            offsets,
            draws,
            supplier_tiers,
            inputs,
            options: Options::default(),
        };
        let bom = network.draw_bom(config);
        network.size_against_demand(config, &bom);
        network.options = network.draw_options(config, bom);
        network
    }

    /// Ratio of each input material of each node, `None` where the default ratio 1 applies;
    /// empty without `bom_ratios`.
    fn draw_bom(&self, config: &TieredConfig) -> Vec<Vec<Option<f64>>> {
        if !config.bom_ratios {
            return Vec::new();
        }
        let mut rng = stream(config.seed, BOM_STREAM);
        self.inputs
            .iter()
            .map(|materials| {
                materials
                    .iter()
                    .map(|_| rng.random_bool(0.5).then(|| uniform(&mut rng, 0.5, 3.0)))
                    .collect()
            })
            .collect()
    }

    /// The demand each node carries: a product its demand; the sources of a material share
    /// equally what its customers carry times their BOM ratio for it.
    fn carried(&self, bom: &[Vec<Option<f64>>]) -> Vec<f64> {
        let mut carried = vec![0.0; self.total()];
        for (node, draw) in self.draws.iter().enumerate().take(self.first_supplier()) {
            carried[node] = draw.demand.map_or(0.0, |(demand, _)| demand);
        }
        for (k, supplier_tier) in self.supplier_tiers.iter().enumerate() {
            // Tier index k + 1 supplies tier index k, whose carried demand is known.
            let mut run_demand = vec![0.0; supplier_tier.customers.len()];
            let mut run_size = vec![0usize; supplier_tier.customers.len()];
            for &run in &supplier_tier.group_of {
                run_size[run] += 1;
            }
            let (start, end) = (self.offsets[k], self.offsets[k + 1]);
            for (node, inputs) in self.inputs.iter().enumerate().take(end).skip(start) {
                for (index, &(tier, run)) in inputs.iter().enumerate() {
                    if tier == k + 1 {
                        let ratio = bom
                            .get(node)
                            .and_then(|ratios| ratios.get(index).copied().flatten())
                            .unwrap_or(1.0);
                        run_demand[run] += carried[node] * ratio;
                    }
                }
            }
            let offset = self.offsets[k + 1];
            for (position, &run) in supplier_tier.group_of.iter().enumerate() {
                // Every run has at least one node, so run_size[run] >= 1.
                carried[offset + position] = run_demand[run] / run_size[run] as f64;
            }
        }
        carried
    }

    /// Redraws capacities (`capacity_slack`) and inventories (`inventory_cover`) against the
    /// demand each node carries, each from its own stream; nothing without those knobs.
    fn size_against_demand(&mut self, config: &TieredConfig, bom: &[Vec<Option<f64>>]) {
        let knobs = &config.knobs;
        if knobs.capacity_slack.is_none() && knobs.inventory_cover.is_none() {
            return;
        }
        let carried = self.carried(bom);
        if let Some((low, high)) = knobs.capacity_slack {
            let mut rng = stream(config.seed, CAPACITY_STREAM);
            for (draw, &carried) in self.draws.iter_mut().zip(&carried) {
                draw.capacity = round2(carried * rng.random_range(low..=high));
            }
        }
        if let Some((low, high)) = knobs.inventory_cover {
            let mut rng = stream(config.seed, INVENTORY_STREAM);
            let longest = f64::from(knobs.ttr.1);
            for (draw, &carried) in self.draws.iter_mut().zip(&carried) {
                draw.inventory = round2(carried * longest * rng.random_range(low..=high));
            }
        }
    }

    fn total(&self) -> usize {
        self.draws.len()
    }

    /// Supplier nodes (tier 2 and below) are the global indices `self.offsets[1]..total`.
    fn first_supplier(&self) -> usize {
        self.offsets[1]
    }

    fn draw_options(&self, config: &TieredConfig, bom: Vec<Vec<Option<f64>>>) -> Options {
        let total = self.total();
        let first = self.first_supplier();
        let supplier_count = total - first;
        let mut options = Options {
            bom,
            ..Options::default()
        };

        if config.sites > 0 {
            let mut rng = stream(config.seed, SITE_STREAM);
            // About half of the suppliers, but enough for every site to get one if possible.
            let members = (supplier_count / 2).max(config.sites.min(supplier_count));
            let chosen = index::sample(&mut rng, supplier_count, members).into_vec();
            options.site_of = vec![None; total];
            for (position, supplier) in chosen.into_iter().enumerate() {
                let site = if position < config.sites {
                    position
                } else {
                    rng.random_range(0..config.sites)
                };
                options.site_of[first + supplier] = Some(site);
            }
            let mut summed = vec![0.0; config.sites];
            for (node, site) in options.site_of.iter().enumerate() {
                if let Some(site) = *site {
                    summed[site] += self.draws[node].capacity;
                }
            }
            options.sites = summed
                .into_iter()
                .map(|sum| {
                    let share = rng.random_range(0.6..=0.9);
                    (round2(sum * share), rng.random_range(1..=10))
                })
                .collect();
        }

        if config.platforms > 0 {
            let mut rng = stream(config.seed, PLATFORM_STREAM);
            options.platforms = (0..config.platforms)
                .map(|_| rng.random_range(1..=20))
                .collect();
            options.depends_on = vec![None; total];
            for node in first..total {
                if rng.random_bool(1.0 / 3.0) {
                    let platform = rng.random_range(0..config.platforms);
                    let degraded = uniform(&mut rng, 0.0, 0.9);
                    options.depends_on[node] = Some((platform, degraded));
                }
            }
        }

        if config.partial_scenarios > 0 {
            let mut rng = stream(config.seed, SCENARIO_STREAM);
            // The pool: supplier nodes, then sites, then platforms (the entities with a ttr).
            let pool = supplier_count + config.sites + config.platforms;
            options.scenarios = (0..config.partial_scenarios)
                .map(|_| {
                    let ttr = rng.random_range(1..=10);
                    let count = rng.random_range(1..=3).min(pool);
                    let mut entities = index::sample(&mut rng, pool, count).into_vec();
                    entities.sort_unstable();
                    let disrupt = entities
                        .into_iter()
                        .map(|entity| (entity, uniform(&mut rng, 0.0, 0.8)))
                        .collect();
                    Scenario { ttr, disrupt }
                })
                .collect();
        }

        if config.spend {
            let mut rng = stream(config.seed, SPEND_STREAM);
            options.spend = (0..total)
                .map(|node| (node >= first).then(|| uniform(&mut rng, 10_000.0, 5_000_000.0)))
                .collect();
        }
        options
    }

    /// Tier index and index within the tier of a global node index.
    fn locate(&self, node: usize) -> (usize, usize) {
        // offsets is sorted; the tier is the last one starting at or before `node`.
        let tier = self.offsets.partition_point(|&offset| offset <= node) - 1;
        (tier, node - self.offsets[tier])
    }

    fn node_id(&self, node: usize) -> String {
        let (tier, position) = self.locate(node);
        format!("T{}_{}", tier + 1, position)
    }

    fn to_json(&self, config: &TieredConfig) -> Value {
        let total = self.total();
        let ids: Vec<String> = (0..total).map(|node| self.node_id(node)).collect();
        let material = |tier: usize, run: usize| format!("M{}_{}", tier + 1, run);
        let options = &self.options;

        let mut nodes = Vec::with_capacity(total);
        for (node, (id, draw)) in ids.iter().zip(&self.draws).enumerate() {
            let (tier, position) = self.locate(node);
            let mut object = Map::new();
            object.insert("id".into(), Value::from(id.as_str()));
            object.insert(
                "kind".into(),
                Value::from(if tier == 0 { "product" } else { "supplier" }),
            );
            if tier > 0 {
                let run = self.supplier_tiers[tier - 1].group_of[position];
                object.insert("material".into(), Value::from(material(tier, run)));
            }
            if let Some(Some(site)) = options.site_of.get(node) {
                object.insert("site".into(), Value::from(format!("S_{site}")));
            }
            object.insert("capacity".into(), number(draw.capacity));
            object.insert("inventory".into(), number(draw.inventory));
            if let Some((demand, value)) = draw.demand {
                object.insert("demand".into(), number(demand));
                object.insert("value".into(), number(value));
            }
            if let Some(ttr) = draw.ttr {
                object.insert("ttr".into(), Value::from(ttr));
            }
            if let Some(ratios) = options.bom.get(node) {
                let mut bom = Map::new();
                for (&(input_tier, run), ratio) in self.inputs[node].iter().zip(ratios) {
                    if let Some(ratio) = ratio {
                        bom.insert(material(input_tier, run), number(*ratio));
                    }
                }
                if !bom.is_empty() {
                    object.insert("bom".into(), Value::Object(bom));
                }
            }
            if let Some(Some((platform, degraded))) = options.depends_on.get(node) {
                let mut dependency = Map::new();
                dependency.insert("platform".into(), Value::from(format!("P_{platform}")));
                dependency.insert("degraded_capacity".into(), number(*degraded));
                object.insert(
                    "depends_on".into(),
                    Value::Array(vec![Value::Object(dependency)]),
                );
            }
            if let Some(Some(spend)) = options.spend.get(node) {
                object.insert("spend".into(), number(*spend));
            }
            nodes.push(Value::Object(object));
        }

        let mut edges = Vec::new();
        for (k, supplier_tier) in self.supplier_tiers.iter().enumerate() {
            let (supplier_offset, customer_offset) = (self.offsets[k + 1], self.offsets[k]);
            for (position, &run) in supplier_tier.group_of.iter().enumerate() {
                for &customer in &supplier_tier.customers[run] {
                    let mut edge = Map::new();
                    edge.insert(
                        "from".into(),
                        Value::from(ids[supplier_offset + position].as_str()),
                    );
                    edge.insert(
                        "to".into(),
                        Value::from(ids[customer_offset + customer].as_str()),
                    );
                    edges.push(Value::Object(edge));
                }
            }
        }

        let tier_list: Vec<String> = config.tiers.iter().map(ToString::to_string).collect();
        let mut document = Map::new();
        document.insert("format".into(), Value::from("lifeline-network/1"));
        document.insert(
            "name".into(),
            Value::from(format!(
                "synthetic {}-tier {} seed {}{}",
                config.tiers.len(),
                tier_list.join("/"),
                config.seed,
                knobs_label(&config.knobs)
            )),
        );
        document.insert("time_unit".into(), Value::from("day"));
        document.insert("horizon".into(), number(config.horizon));
        document.insert("nodes".into(), Value::Array(nodes));
        document.insert("edges".into(), Value::Array(edges));

        if !options.sites.is_empty() {
            let sites = options
                .sites
                .iter()
                .enumerate()
                .map(|(site, &(capacity, ttr))| {
                    let mut object = Map::new();
                    object.insert("id".into(), Value::from(format!("S_{site}")));
                    object.insert("kind".into(), Value::from("plant"));
                    object.insert("capacity".into(), number(capacity));
                    object.insert("ttr".into(), Value::from(ttr));
                    Value::Object(object)
                });
            document.insert("sites".into(), Value::Array(sites.collect()));
        }
        if !options.platforms.is_empty() {
            let platforms = options
                .platforms
                .iter()
                .enumerate()
                .map(|(platform, &ttr)| {
                    let mut object = Map::new();
                    object.insert("id".into(), Value::from(format!("P_{platform}")));
                    object.insert(
                        "kind".into(),
                        Value::from(PLATFORM_KINDS[platform % PLATFORM_KINDS.len()]),
                    );
                    object.insert("ttr".into(), Value::from(ttr));
                    Value::Object(object)
                });
            document.insert("platforms".into(), Value::Array(platforms.collect()));
        }
        if !options.scenarios.is_empty() {
            let first = self.first_supplier();
            let supplier_count = total - first;
            let site_count = options.sites.len();
            let scenarios = options
                .scenarios
                .iter()
                .enumerate()
                .map(|(index, scenario)| {
                    let disrupt = scenario.disrupt.iter().map(|&(entity, factor)| {
                        let (key, id) = if entity < supplier_count {
                            ("node", ids[first + entity].clone())
                        } else if entity < supplier_count + site_count {
                            ("site", format!("S_{}", entity - supplier_count))
                        } else {
                            (
                                "platform",
                                format!("P_{}", entity - supplier_count - site_count),
                            )
                        };
                        let mut object = Map::new();
                        object.insert(key.into(), Value::from(id));
                        object.insert("capacity_factor".into(), number(factor));
                        Value::Object(object)
                    });
                    let mut object = Map::new();
                    object.insert("id".into(), Value::from(format!("X_{index}")));
                    object.insert("ttr".into(), Value::from(scenario.ttr));
                    object.insert("disrupt".into(), Value::Array(disrupt.collect()));
                    Value::Object(object)
                });
            document.insert("scenarios".into(), Value::Array(scenarios.collect()));
        }
        Value::Object(document)
    }
}

/// What the document's name says about the knobs: nothing for the easy preset.
fn knobs_label(knobs: &Knobs) -> &'static str {
    if *knobs == Knobs::EASY {
        ""
    } else if *knobs == Knobs::REALISTIC {
        " (realistic)"
    } else {
        " (custom knobs)"
    }
}

#[cfg(test)]
mod tests;
