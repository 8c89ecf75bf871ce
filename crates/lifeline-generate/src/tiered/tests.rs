//! Tests of the tiered generator: every generated document goes through one checker,
//! [`check`], which verifies the shape rules and every reference.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

use crate::{GenerateError, TieredConfig, tiered};

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

    // Node attributes.
    let by_id: HashMap<&str, &Value> = nodes.iter().map(|node| (text(node, "id"), node)).collect();
    for node in nodes {
        let (tier, _) = parse_id(text(node, "id"));
        in_range(node, "capacity", 1500.0, 3000.0);
        in_range(node, "inventory", 1500.0, 3000.0);
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
            integer_in(node, "ttr", 1, 10);
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
