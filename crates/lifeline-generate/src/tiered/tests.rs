//! Tests of the tiered generator: every generated document goes through one checker,
//! [`check`], which verifies the shape rules and every reference.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

use crate::{GenerateError, Knobs, Preset, TieredConfig, tiered};

/// Counts gathered while checking a document.
#[derive(Debug, Default)]
struct Summary {
    nodes: usize,
    edges: usize,
    materials: usize,
    with_site: usize,
    with_dependency: usize,
    with_bom: usize,
    /// Input materials of nodes with a `bom` that the `bom` leaves at the default ratio.
    default_ratios: usize,
    scenarios: usize,
}

fn array<'a>(document: &'a Value, field: &str) -> &'a [Value] {
    document
        .get(field)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn text<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("`{field}` is not a string in {value}"))
}

fn float(value: &Value, field: &str) -> f64 {
    value[field]
        .as_f64()
        .unwrap_or_else(|| panic!("`{field}` is not a number in {value}"))
}

fn in_range(value: &Value, field: &str, low: f64, high: f64) {
    let x = float(value, field);
    assert!(
        (low..=high).contains(&x),
        "`{field}` = {x} outside [{low}, {high}] in {value}"
    );
    assert!(
        (x * 100.0 - (x * 100.0).round()).abs() < 1e-6,
        "`{field}` = {x} has more than 2 decimals"
    );
}

fn integer_in(value: &Value, field: &str, low: u64, high: u64) {
    let x = value[field]
        .as_u64()
        .unwrap_or_else(|| panic!("`{field}` is not an integer in {value}"));
    assert!(
        (low..=high).contains(&x),
        "`{field}` = {x} outside {low}..={high} in {value}"
    );
}

/// Tier (1-based) and position of a node id `T<tier>_<position>`.
fn parse_id(id: &str) -> (usize, usize) {
    let (tier, position) = id
        .strip_prefix('T')
        .and_then(|rest| rest.split_once('_'))
        .expect("node id T<k>_<i>");
    (
        tier.parse().expect("tier number"),
        position.parse().expect("position number"),
    )
}

fn generate(config: &TieredConfig) -> Value {
    tiered(config).unwrap_or_else(|error| panic!("{config:?} refused: {error}"))
}

/// Checks every rule of the generated shape and every reference, and returns counts.
fn check(config: &TieredConfig, document: &Value) -> Summary {
    let tiers = &config.tiers;
    let last = tiers.len();
    assert_eq!(document["format"], "lifeline-network/1");
    assert_eq!(document["time_unit"], "day");
    assert_eq!(float(document, "horizon"), config.horizon);
    assert!(text(document, "name").contains(&format!("seed {}", config.seed)));

    let nodes = array(document, "nodes");
    let edges = array(document, "edges");
    let sites = array(document, "sites");
    let platforms = array(document, "platforms");
    let scenarios = array(document, "scenarios");
    assert_eq!(nodes.len(), tiers.iter().sum::<usize>());
    assert_eq!(sites.len(), config.sites);
    assert_eq!(platforms.len(), config.platforms);
    assert_eq!(scenarios.len(), config.partial_scenarios);

    // Ids: unique across nodes, sites and platforms; nodes in tier order, numbered from 0.
    let mut ids = HashSet::new();
    for entity in nodes.iter().chain(sites).chain(platforms) {
        assert!(
            ids.insert(text(entity, "id")),
            "duplicate id {}",
            entity["id"]
        );
    }
    let mut expected = Vec::new();
    for (index, &count) in tiers.iter().enumerate() {
        expected.extend((0..count).map(|position| (index + 1, position)));
    }
    let actual: Vec<(usize, usize)> = nodes
        .iter()
        .map(|node| parse_id(text(node, "id")))
        .collect();
    assert_eq!(actual, expected);

    // Node attributes (capacity and inventory against the demand carried: see below).
    let knobs = &config.knobs;
    let by_id: HashMap<&str, &Value> = nodes.iter().map(|node| (text(node, "id"), node)).collect();
    for node in nodes {
        let (tier, _) = parse_id(text(node, "id"));
        if knobs.capacity_slack.is_none() {
            in_range(node, "capacity", 1500.0, 3000.0);
        }
        if knobs.inventory_cover.is_none() {
            in_range(node, "inventory", 1500.0, 3000.0);
        }
        if tier == 1 {
            assert_eq!(node["kind"], "product");
            in_range(node, "demand", 500.0, 1000.0);
            in_range(node, "value", 0.05, 0.30);
            for absent in ["ttr", "material", "site", "depends_on", "spend"] {
                assert!(
                    node.get(absent).is_none(),
                    "tier-1 node with `{absent}`: {node}"
                );
            }
        } else {
            assert_eq!(node["kind"], "supplier");
            integer_in(node, "ttr", u64::from(knobs.ttr.0), u64::from(knobs.ttr.1));
            assert!(node.get("demand").is_none() && node.get("value").is_none());
            assert!(text(node, "material").starts_with(&format!("M{tier}_")));
            if config.spend {
                in_range(node, "spend", 10_000.0, 5_000_000.0);
            } else {
                assert!(node.get("spend").is_none());
            }
        }
    }

    // Edges: tier k+1 to tier k only; per-node customers and suppliers.
    let mut customers: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut input_materials: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut seen_edges = HashSet::new();
    for edge in edges {
        let (from, to) = (text(edge, "from"), text(edge, "to"));
        assert!(seen_edges.insert((from, to)), "duplicate edge {edge}");
        let from_node = by_id[from];
        assert!(by_id.contains_key(to), "edge to an unknown node: {edge}");
        let (from_tier, to_tier) = (parse_id(from).0, parse_id(to).0);
        assert_eq!(
            from_tier,
            to_tier + 1,
            "edge across the wrong tiers: {edge}"
        );
        assert!(
            from_node.get("demand").is_none(),
            "edge out of a demand node: {edge}"
        );
        customers.entry(from).or_default().insert(to);
        input_materials
            .entry(to)
            .or_default()
            .insert(text(from_node, "material"));
    }
    for node in nodes {
        let id = text(node, "id");
        let (tier, _) = parse_id(id);
        let out_degree = customers.get(id).map_or(0, BTreeSet::len);
        match tier {
            1 => assert_eq!(out_degree, 0),
            _ if tier == last => assert_eq!(
                out_degree, 1,
                "{id}: last-tier node with {out_degree} customers"
            ),
            _ => assert!(
                (1..=3).contains(&out_degree),
                "{id}: {out_degree} customers"
            ),
        }
        if tier < last {
            assert!(
                input_materials.contains_key(id),
                "{id} has no input material"
            );
        }
    }

    // Materials: runs of 1–3 adjacent nodes of one tier, all shipping to the same customers.
    let mut runs: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for node in nodes.iter().filter(|node| node.get("material").is_some()) {
        runs.entry(text(node, "material")).or_default().push(node);
    }
    for (material, members) in &runs {
        assert!(
            (1..=3).contains(&members.len()),
            "material {material} has {} sources",
            members.len()
        );
        let positions: Vec<(usize, usize)> = members
            .iter()
            .map(|node| parse_id(text(node, "id")))
            .collect();
        for pair in positions.windows(2) {
            assert_eq!(
                (pair[1].0, pair[1].1),
                (pair[0].0, pair[0].1 + 1),
                "{material} not adjacent"
            );
        }
        let first = &customers[text(members[0], "id")];
        for member in members {
            assert_eq!(
                &customers[text(member, "id")],
                first,
                "{material}: sources with different customers"
            );
        }
    }

    check_sizing(config, nodes, &runs, &customers);

    // Options.
    let mut summary = Summary {
        nodes: nodes.len(),
        edges: edges.len(),
        materials: runs.len(),
        ..Summary::default()
    };
    let site_ids: HashSet<&str> = sites.iter().map(|site| text(site, "id")).collect();
    let platform_ids: HashSet<&str> = platforms
        .iter()
        .map(|platform| text(platform, "id"))
        .collect();
    let mut site_capacity: HashMap<&str, f64> = HashMap::new();
    for node in nodes {
        let id = text(node, "id");
        if let Some(site) = node.get("site") {
            let site = site.as_str().expect("site id");
            assert!(site_ids.contains(site), "{id}: unknown site {site}");
            *site_capacity.entry(site).or_default() += float(node, "capacity");
            summary.with_site += 1;
        }
        if let Some(dependencies) = node.get("depends_on") {
            let dependencies = dependencies.as_array().expect("depends_on list");
            assert_eq!(dependencies.len(), 1);
            for dependency in dependencies {
                assert!(
                    platform_ids.contains(text(dependency, "platform")),
                    "{id}: unknown platform"
                );
                in_range(dependency, "degraded_capacity", 0.0, 0.9);
            }
            summary.with_dependency += 1;
        }
        if let Some(bom) = node.get("bom") {
            let bom = bom.as_object().expect("bom map");
            let inputs = &input_materials[id];
            assert!(!bom.is_empty());
            for (material, ratio) in bom {
                assert!(
                    inputs.contains(material.as_str()),
                    "{id}: bom names {material}, not an input"
                );
                let ratio = ratio.as_f64().expect("ratio");
                assert!((0.5..=3.0).contains(&ratio), "{id}: ratio {ratio}");
            }
            summary.with_bom += 1;
            summary.default_ratios += inputs.len() - bom.len();
        }
    }
    for site in sites {
        let summed = site_capacity.get(text(site, "id")).copied().unwrap_or(0.0);
        let capacity = float(site, "capacity");
        assert!(
            capacity >= 0.6 * summed - 0.01 && capacity <= 0.9 * summed + 0.01,
            "{site}: members sum {summed}"
        );
        integer_in(site, "ttr", 1, 10);
    }
    for platform in platforms {
        integer_in(platform, "ttr", 1, 20);
        assert!(!text(platform, "kind").is_empty());
    }
    for scenario in scenarios {
        integer_in(scenario, "ttr", 1, 10);
        let disrupt = array(scenario, "disrupt");
        assert!((1..=3).contains(&disrupt.len()), "{scenario}");
        let mut targets = HashSet::new();
        for entry in disrupt {
            let (kind, id) = ["node", "site", "platform"]
                .into_iter()
                .find_map(|kind| entry.get(kind).and_then(Value::as_str).map(|id| (kind, id)))
                .expect("node, site or platform");
            let known = match kind {
                "node" => by_id.contains_key(id) && parse_id(id).0 >= 2,
                "site" => site_ids.contains(id),
                _ => platform_ids.contains(id),
            };
            assert!(known, "{scenario}: unknown {kind} {id}");
            assert!(targets.insert(id), "{scenario}: {id} twice");
            in_range(entry, "capacity_factor", 0.0, 0.8);
        }
        summary.scenarios += 1;
    }
    let scenario_ids: HashSet<&str> = scenarios
        .iter()
        .map(|scenario| text(scenario, "id"))
        .collect();
    assert_eq!(scenario_ids.len(), scenarios.len());
    summary
}

/// The demand each node carries, recomputed from the document: a product its demand, each
/// source of a material an equal share of what the material's customers carry times their
/// BOM ratio for it. Checks capacities and inventories against it where the knobs ask.
fn check_sizing(
    config: &TieredConfig,
    nodes: &[Value],
    runs: &BTreeMap<&str, Vec<&Value>>,
    customers: &HashMap<&str, BTreeSet<&str>>,
) {
    let knobs = &config.knobs;
    if knobs.capacity_slack.is_none() && knobs.inventory_cover.is_none() {
        return;
    }
    let by_id: HashMap<&str, &Value> = nodes.iter().map(|node| (text(node, "id"), node)).collect();
    let mut carried: HashMap<&str, f64> = HashMap::new();
    for node in nodes.iter().filter(|node| node.get("demand").is_some()) {
        carried.insert(text(node, "id"), float(node, "demand"));
    }
    for tier in 2..=config.tiers.len() {
        for (material, members) in runs {
            if parse_id(text(members[0], "id")).0 != tier {
                continue;
            }
            let total: f64 = customers[text(members[0], "id")]
                .iter()
                .map(|customer| {
                    let ratio = by_id[customer]
                        .get("bom")
                        .and_then(|bom| bom.get(*material))
                        .and_then(Value::as_f64)
                        .unwrap_or(1.0);
                    carried[customer] * ratio
                })
                .sum();
            for member in members {
                carried.insert(text(member, "id"), total / members.len() as f64);
            }
        }
    }
    for node in nodes {
        let id = text(node, "id");
        let load = carried[id];
        assert!(load > 0.0, "{id} carries nothing");
        // Values are rounded to 2 decimals: allow half a cent either way.
        let within = |value: f64, low: f64, high: f64| {
            value >= low * load - 0.005 - 1e-9 && value <= high * load + 0.005 + 1e-9
        };
        if let Some((low, high)) = knobs.capacity_slack {
            let capacity = float(node, "capacity");
            assert!(
                within(capacity, low, high),
                "{id}: capacity {capacity} for {load} carried, slack [{low}, {high}]"
            );
        }
        if let Some((low, high)) = knobs.inventory_cover {
            let inventory = float(node, "inventory");
            let longest = f64::from(knobs.ttr.1);
            assert!(
                within(inventory, low * longest, high * longest),
                "{id}: inventory {inventory} for {load} carried, cover [{low}, {high}]"
            );
        }
    }
}

fn with_every_option(tiers: Vec<usize>, seed: u64) -> TieredConfig {
    TieredConfig {
        sites: 12,
        platforms: 5,
        bom_ratios: true,
        partial_scenarios: 40,
        spend: true,
        horizon: 90.0,
        ..TieredConfig::new(tiers, seed)
    }
}

#[test]
fn same_config_same_bytes_other_seed_other_bytes() {
    for config in [
        TieredConfig::new(vec![20, 50, 100], 7),
        with_every_option(vec![20, 50, 100], 7),
    ] {
        let first = serde_json::to_string(&generate(&config)).expect("serialise");
        let second = serde_json::to_string(&generate(&config)).expect("serialise");
        assert_eq!(first, second);
        let other = TieredConfig {
            seed: 8,
            ..config.clone()
        };
        let third = serde_json::to_string(&generate(&other)).expect("serialise");
        assert_ne!(first, third);
    }
}

#[test]
fn benchmark_shape_200_500_1000() {
    for seed in [7, 0, 1, 2, 3, 777, 12345, u64::MAX] {
        let config = TieredConfig::new(vec![200, 500, 1000], seed);
        let document = generate(&config);
        let summary = check(&config, &document);
        assert_eq!(summary.nodes, 1700);
        assert_eq!(summary.materials, 750);
        assert!(
            (1900..=2100).contains(&summary.edges),
            "seed {seed}: {} edges",
            summary.edges
        );
        assert_eq!(
            document["name"],
            format!("synthetic 3-tier 200/500/1000 seed {seed}")
        );
        assert_eq!(document["horizon"], 365);
        for absent in ["sites", "platforms", "scenarios"] {
            assert!(document.get(absent).is_none());
        }
    }
}

#[test]
fn document_starts_as_the_spec_orders_it() {
    let document = generate(&TieredConfig::new(vec![2, 5, 10], 7));
    let keys: Vec<&str> = document
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["format", "name", "time_unit", "horizon", "nodes", "edges"]
    );
    let text = serde_json::to_string(&document).expect("serialise");
    assert!(
        text.starts_with(
            r#"{"format":"lifeline-network/1","name":"synthetic 3-tier 2/5/10 seed 7","#
        )
    );
    assert!(text.contains(r#"{"id":"T1_0","kind":"product","capacity":"#));
}

#[test]
fn scaled_keeps_the_ratio_and_the_total() {
    let config = TieredConfig::scaled(10_000, 3);
    let total: usize = config.tiers.iter().sum();
    assert!(total.abs_diff(10_000) <= 10, "{:?}", config.tiers);
    assert_eq!(config.tiers.len(), 3);
    assert!(
        config.tiers[0].abs_diff(10_000 * 2 / 17) <= 1
            && config.tiers[1].abs_diff(10_000 * 5 / 17) <= 1
    );
    let summary = check(&config, &generate(&config));
    assert_eq!(summary.nodes, total);
    let ratio = summary.edges as f64 / (2.0 * total as f64 * 10.0 / 17.0);
    assert!((0.95..=1.05).contains(&ratio), "{} edges", summary.edges);
}

#[test]
fn scaled_is_valid_for_every_small_total() {
    for total in 0..60 {
        let config = TieredConfig::scaled(total, 1);
        check(&config, &generate(&config));
    }
    assert_eq!(TieredConfig::scaled(1700, 7).tiers, [200, 500, 1000]);
}

#[test]
fn scales_to_fifty_thousand_nodes() {
    let config = TieredConfig {
        platforms: 20,
        sites: 500,
        ..TieredConfig::scaled(50_000, 11)
    };
    let summary = check(&config, &generate(&config));
    assert_eq!(summary.nodes, 50_000);
}

#[test]
fn any_number_of_tiers() {
    for tiers in [
        vec![1, 1],
        vec![1, 3],
        vec![5, 5],
        vec![3, 7, 15, 30],
        vec![9, 3, 1, 1, 1, 2],
        vec![4, 10, 20, 40, 80],
    ] {
        for config in [
            TieredConfig::new(tiers.clone(), 5),
            with_every_option(tiers.clone(), 5),
        ] {
            check(&config, &generate(&config));
        }
    }
}

#[test]
fn options_refer_to_entities_that_exist() {
    let config = with_every_option(vec![200, 500, 1000], 7);
    let summary = check(&config, &generate(&config));
    let suppliers = 1500;
    assert!(
        (650..=850).contains(&summary.with_site),
        "{} nodes in sites",
        summary.with_site
    );
    assert!(
        (400..=600).contains(&summary.with_dependency),
        "{} dependent nodes",
        summary.with_dependency
    );
    assert!(
        summary.with_bom > 300 && summary.default_ratios > 100,
        "{summary:?}"
    );
    assert_eq!(summary.scenarios, 40);
    assert!(summary.with_site < suppliers);
}

#[test]
fn options_leave_the_base_network_unchanged() {
    let plain = generate(&TieredConfig::new(vec![20, 50, 100], 9));
    let rich = generate(&with_every_option(vec![20, 50, 100], 9));
    assert_eq!(plain["edges"], rich["edges"]);
    for (a, b) in array(&plain, "nodes").iter().zip(array(&rich, "nodes")) {
        for field in [
            "id",
            "material",
            "capacity",
            "inventory",
            "demand",
            "value",
            "ttr",
        ] {
            assert_eq!(a.get(field), b.get(field));
        }
    }
}

#[test]
fn more_sites_or_platforms_than_nodes() {
    let config = TieredConfig {
        sites: 10,
        platforms: 10,
        partial_scenarios: 25,
        ..TieredConfig::new(vec![1, 2], 0)
    };
    let summary = check(&config, &generate(&config));
    assert_eq!(summary.with_site, 2);
}

#[test]
fn invalid_configs_are_errors() {
    let refused = |config: TieredConfig| tiered(&config).expect_err("should be refused");
    assert_eq!(
        refused(TieredConfig::new(vec![], 0)),
        GenerateError::TooFewTiers { count: 0 }
    );
    assert_eq!(
        refused(TieredConfig::new(vec![10], 0)),
        GenerateError::TooFewTiers { count: 1 }
    );
    assert_eq!(
        refused(TieredConfig::new(vec![10, 0, 5], 0)),
        GenerateError::EmptyTier { index: 1, tier: 2 }
    );
    assert_eq!(
        refused(TieredConfig::new(vec![0, 0], 0)),
        GenerateError::EmptyTier { index: 0, tier: 1 }
    );
    assert_eq!(
        refused(TieredConfig::new(vec![10, 5], 0)),
        GenerateError::TooFewSuppliers {
            index: 1,
            tier: 2,
            nodes: 5,
            customer_tier: 1,
            customers: 10,
            needed: 10
        }
    );
    assert_eq!(
        refused(TieredConfig::new(vec![10, 3, 100], 0)),
        GenerateError::TooFewSuppliers {
            index: 1,
            tier: 2,
            nodes: 3,
            customer_tier: 1,
            customers: 10,
            needed: 4
        }
    );
    for horizon in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let error = refused(TieredConfig {
            horizon,
            ..TieredConfig::new(vec![2, 5, 10], 0)
        });
        assert!(
            matches!(error, GenerateError::InvalidHorizon { .. }),
            "{error}"
        );
    }
    let error = refused(TieredConfig::new(vec![usize::MAX, usize::MAX], 0));
    assert!(matches!(error, GenerateError::TooLarge { .. }), "{error}");
    let error = refused(TieredConfig {
        platforms: usize::MAX,
        ..TieredConfig::new(vec![1, 1], 0)
    });
    assert!(matches!(error, GenerateError::TooLarge { .. }), "{error}");
    assert!(
        TieredConfig::scaled(usize::MAX, 0)
            .tiers
            .iter()
            .all(|&nodes| nodes > 0)
    );
}

#[test]
fn error_messages_name_the_field() {
    let error = tiered(&TieredConfig::new(vec![10, 5], 0)).expect_err("refused");
    assert_eq!(
        error.to_string(),
        "tiers[1]: tier `2` has `5` node(s), too few to supply the `10` node(s) of tier `1`\nhint: give tier `2` at least `10` node(s)"
    );
}

/// FNV-1a, 64 bits: a hash that is fixed by its definition, so a recorded value stays valid
/// across Rust and library versions.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The easy preset is the generator's output before the knobs existed, byte for byte:
/// FNV-1a hashes and lengths recorded from that version.
#[test]
fn easy_preset_is_byte_identical_to_the_original_output() {
    let cases = [
        (
            TieredConfig::new(vec![2, 5, 10], 7),
            2221,
            0x6e19_e79f_baa2_77c0_u64,
        ),
        (
            TieredConfig::new(vec![200, 500, 1000], 7),
            232_858,
            0x52e0_79e9_5bb6_c56c,
        ),
        (
            TieredConfig::scaled(10_000, 7),
            1_408_619,
            0x1ffc_b802_ec34_a1bb,
        ),
        (
            with_every_option(vec![20, 50, 100], 7),
            36_176,
            0x2b61_862c_f18f_6191,
        ),
        (
            with_every_option(vec![3, 7, 15, 30], 5),
            15_619,
            0xc75b_f04a_2343_b283,
        ),
    ];
    for (config, length, hash) in cases {
        for config in [config.clone(), config.with_preset(Preset::Easy)] {
            let text = serde_json::to_string(&generate(&config)).expect("serialise");
            assert_eq!(
                (text.len(), fnv1a(text.as_bytes())),
                (length, hash),
                "{:?}",
                config.tiers
            );
        }
    }
    assert_eq!(Knobs::default(), Knobs::EASY);
    assert_eq!(Preset::default().knobs(), Knobs::EASY);
}

fn realistic(tiers: Vec<usize>, seed: u64) -> TieredConfig {
    TieredConfig::new(tiers, seed).with_preset(Preset::Realistic)
}

#[test]
fn realistic_preset_keeps_the_shape_and_sizes_against_demand() {
    for seed in [1, 2, 3] {
        let config = realistic(vec![200, 500, 1000], seed);
        let document = generate(&config);
        let summary = check(&config, &document);
        assert_eq!(summary.nodes, 1700);
        assert!(
            (1900..=2300).contains(&summary.edges),
            "seed {seed}: {} edges",
            summary.edges
        );
        assert_eq!(
            document["name"],
            format!("synthetic 3-tier 200/500/1000 seed {seed} (realistic)")
        );
        let again = serde_json::to_string(&generate(&config)).expect("serialise");
        assert_eq!(serde_json::to_string(&document).expect("serialise"), again);
    }
    for config in [
        realistic(vec![3, 7, 15, 30], 4),
        TieredConfig {
            knobs: Knobs::REALISTIC,
            ..with_every_option(vec![20, 50, 100], 7)
        },
    ] {
        check(&config, &generate(&config));
    }
}

/// Share of the material runs of tier `tier` that have one node.
fn single_share(document: &Value, tier: usize) -> f64 {
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for node in array(document, "nodes") {
        if node.get("material").is_some() && parse_id(text(node, "id")).0 == tier {
            *sizes.entry(text(node, "material")).or_default() += 1;
        }
    }
    let single = sizes.values().filter(|&&size| size == 1).count();
    single as f64 / sizes.len() as f64
}

#[test]
fn single_sourced_share_is_what_was_asked_where_the_tier_allows() {
    for share in [0.0, 0.3, 0.6, 1.0] {
        let mut config = TieredConfig::new(vec![200, 1000, 1000], 3);
        config.knobs.single_sourced = Some(share);
        let document = generate(&config);
        check(&config, &document);
        let got = single_share(&document, 2);
        assert!((got - share).abs() < 0.01, "asked {share}, got {got}");
    }
    // The last tier of the benchmark must give each of its 500 customers a run: with 1,000
    // nodes at most 500 runs can be all pairs, so a share of 0 gives a few singles at most.
    let mut config = TieredConfig::new(vec![200, 500, 1000], 3);
    config.knobs.single_sourced = Some(0.0);
    let document = generate(&config);
    check(&config, &document);
    assert!(single_share(&document, 3) < 0.01);
    assert!(single_share(&document, 2) < 0.01);
}

#[test]
fn each_knob_leaves_the_rest_unchanged() {
    let base = realistic(vec![20, 50, 100], 9);
    let plain = generate(&base);
    let field_of = |document: &Value, field: &str| -> Vec<Value> {
        array(document, "nodes")
            .iter()
            .map(|node| node.get(field).cloned().unwrap_or(Value::Null))
            .collect()
    };
    let mut slack = base.clone();
    slack.knobs.capacity_slack = Some((2.0, 3.0));
    let slack = generate(&slack);
    assert_ne!(field_of(&plain, "capacity"), field_of(&slack, "capacity"));
    for field in ["inventory", "ttr", "material", "demand"] {
        assert_eq!(field_of(&plain, field), field_of(&slack, field), "{field}");
    }
    assert_eq!(plain["edges"], slack["edges"]);

    let mut cover = base.clone();
    cover.knobs.inventory_cover = Some((0.5, 0.5));
    let cover = generate(&cover);
    assert_ne!(field_of(&plain, "inventory"), field_of(&cover, "inventory"));
    assert_eq!(field_of(&plain, "capacity"), field_of(&cover, "capacity"));
    assert_eq!(plain["edges"], cover["edges"]);

    // Easy draws with the realistic TTR range are the easy network with other TTRs.
    let mut ttr = TieredConfig::new(vec![20, 50, 100], 9);
    ttr.knobs.ttr = (5, 30);
    let ttr_doc = generate(&ttr);
    check(&ttr, &ttr_doc);
    assert!(
        field_of(&ttr_doc, "ttr")
            .iter()
            .any(|t| t.as_u64() > Some(10))
    );
}

#[test]
fn invalid_knobs_are_errors_naming_the_field() {
    let refused = |knobs: Knobs| {
        let config = TieredConfig {
            knobs,
            ..TieredConfig::new(vec![2, 5, 10], 0)
        };
        tiered(&config).expect_err("should be refused")
    };
    let easy = Knobs::EASY;
    for (low, high) in [
        (-0.1, 1.0),
        (1.5, 1.0),
        (0.5, 101.0),
        (f64::NAN, 1.0),
        (0.5, f64::INFINITY),
    ] {
        let error = refused(Knobs {
            capacity_slack: Some((low, high)),
            ..easy
        });
        assert!(
            matches!(
                error,
                GenerateError::InvalidRange {
                    field: "capacity_slack",
                    ..
                }
            ),
            "{error}"
        );
        assert!(
            error.to_string().starts_with("capacity_slack: `"),
            "{error}"
        );
        let error = refused(Knobs {
            inventory_cover: Some((low, high)),
            ..easy
        });
        assert!(
            matches!(
                error,
                GenerateError::InvalidRange {
                    field: "inventory_cover",
                    ..
                }
            ),
            "{error}"
        );
    }
    assert_eq!(
        refused(Knobs {
            capacity_slack: Some((1.5, 1.0)),
            ..easy
        })
        .to_string(),
        "capacity_slack: `1.5,1` is not a range within [0, 100]\nhint: give LOW,HIGH with 0 <= LOW <= HIGH <= 100"
    );
    for share in [-0.01, 1.01, f64::NAN] {
        let error = refused(Knobs {
            single_sourced: Some(share),
            ..easy
        });
        assert!(
            matches!(error, GenerateError::InvalidShare { .. }),
            "{error}"
        );
        assert!(
            error.to_string().starts_with("single_sourced: `"),
            "{error}"
        );
    }
    for (min, max) in [(0, 0), (5, 4), (1, 100_001)] {
        assert_eq!(
            refused(Knobs {
                ttr: (min, max),
                ..easy
            }),
            GenerateError::InvalidTtr {
                min,
                max,
                limit: 100_000
            }
        );
    }
    // The bounds themselves are accepted.
    for knobs in [
        Knobs {
            capacity_slack: Some((0.0, 100.0)),
            inventory_cover: Some((0.0, 0.0)),
            single_sourced: Some(1.0),
            ttr: (0, 1),
        },
        Knobs {
            capacity_slack: Some((1.0, 1.0)),
            inventory_cover: Some((100.0, 100.0)),
            single_sourced: Some(0.0),
            ttr: (100_000, 100_000),
        },
    ] {
        let config = TieredConfig {
            knobs,
            ..TieredConfig::new(vec![2, 5, 10], 0)
        };
        check(&config, &generate(&config));
    }
}

mod validates {
    use std::path::Path;

    use lifeline_network::Format;
    use proptest::prelude::*;

    use super::{check, generate};
    use crate::{Knobs, Preset, TieredConfig};

    fn knobs() -> impl Strategy<Value = Knobs> {
        (
            proptest::option::of((0.0..3.0f64, 0.0..2.0f64)),
            proptest::option::of((0.0..1.0f64, 0.0..1.0f64)),
            proptest::option::of(0.0..=1.0f64),
            (0u32..20, 1u32..40),
        )
            .prop_map(|(slack, cover, single, (a, b))| Knobs {
                capacity_slack: slack.map(|(low, width)| (low, low + width)),
                inventory_cover: cover.map(|(low, width)| (low, low + width)),
                single_sourced: single,
                ttr: (a.min(b), a.max(b)),
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever the knobs and options, the document passes the network reader with no
        /// error and no warning, and the generator's own shape checks.
        #[test]
        fn every_knob_setting_gives_a_valid_network(
            total in 0usize..400,
            seed in any::<u64>(),
            realistic in any::<bool>(),
            custom in knobs(),
            options in (0usize..6, 0usize..4, any::<bool>(), 0usize..5),
        ) {
            let mut config = TieredConfig::scaled(total, seed);
            config = if realistic {
                config.with_preset(Preset::Realistic)
            } else {
                TieredConfig { knobs: custom, ..config }
            };
            (config.sites, config.platforms, config.bom_ratios, config.partial_scenarios) =
                options;
            let document = generate(&config);
            check(&config, &document);
            let text = document.to_string();
            let loaded = lifeline_network::from_str(&text, Format::Json, Path::new("generated.json"));
            match loaded {
                Ok(loaded) => prop_assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings),
                Err(error) => prop_assert!(false, "{config:?}: {error}"),
            }
        }
    }
}
