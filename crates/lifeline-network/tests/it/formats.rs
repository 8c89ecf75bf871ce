//! The same network as JSON, YAML and a folder of CSV tables loads to equal values, and
//! CSV diagnostics point at the file, line and column they come from.

use lifeline_network::{Format, Loaded, Network, Target, load};

use crate::{data, read, render};

/// Loads a file or CSV folder of `tests/data` that must validate without diagnostics.
fn load_clean(name: &str) -> Loaded {
    match load(&data(name)) {
        Ok(loaded) => {
            assert!(
                loaded.warnings.is_empty(),
                "{name}: unexpected warnings {:?}",
                loaded.warnings
            );
            loaded
        }
        Err(error) => panic!("{name} does not load: {error}"),
    }
}

fn network(name: &str) -> Network {
    load_clean(name).network.network().clone()
}

#[test]
fn worked_example_is_the_same_in_json_yaml_and_csv() {
    let json = network("toy.json");
    assert_eq!(json.nodes.len(), 5);
    assert_eq!(json.edges.len(), 6);
    assert_eq!(json.horizon, 999.0);
    assert_eq!(network("toy.yaml"), json);
    assert_eq!(network("toy-csv"), json);
}

#[test]
fn worked_example_matches_the_shipped_example() {
    let shipped = load(&data("../../../../examples/toy.json"));
    match shipped {
        Ok(loaded) => assert_eq!(loaded.network.network(), &network("toy.json")),
        Err(error) => panic!("examples/toy.json does not load: {error}"),
    }
}

#[test]
fn worked_example_fields_decode_as_the_spec_says() {
    let toy = network("toy.json");
    let ids: Vec<&str> = toy.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["S1", "S2", "S3", "P1", "P2"]);
    let capacities: Vec<Option<f64>> = toy.nodes.iter().map(|n| n.capacity).collect();
    assert_eq!(capacities, [Some(30.0), Some(45.0), Some(60.0), None, None]);
    let p2 = &toy.nodes[4];
    assert_eq!(
        (p2.demand, p2.inventory, p2.value),
        (Some(50.0), 25.0, 6500.0)
    );
    // A node without `material` supplies its own id.
    assert_eq!(p2.material, "P2");
    assert_eq!(toy.nodes[0].material, "M");
    assert!(toy.scenarios.is_none());
}

#[test]
fn default_sweep_of_the_worked_example() {
    let loaded = load_clean("toy.json");
    let scenarios = loaded.network.scenarios();
    let ids: Vec<&str> = scenarios.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["S1", "S2", "S3"]);
    for scenario in &scenarios {
        assert_eq!(scenario.ttr, Some(2.0));
        assert_eq!(scenario.disrupt.len(), 1);
        assert_eq!(
            scenario.disrupt[0].target,
            Target::Node(scenario.id.clone())
        );
        assert_eq!(scenario.disrupt[0].capacity_factor, 0.0);
    }
}

#[test]
fn rich_network_is_the_same_in_json_yaml_and_csv() {
    let json = network("rich.json");
    assert_eq!(json.sites.len(), 1);
    assert_eq!(json.platforms.len(), 2);
    assert_eq!(json.scenarios.as_ref().map(Vec::len), Some(3));
    assert_eq!(network("rich.yaml"), json);
    assert_eq!(network("rich-csv"), json);
}

#[test]
fn rich_network_indices() {
    let loaded = load_clean("rich.json");
    let network = &loaded.network;
    let plant = network
        .node_index("BAG_PLANT")
        .expect("BAG_PLANT is a node");
    let materials: Vec<(&str, f64, usize)> = network
        .inputs(plant)
        .iter()
        .map(|input| (input.material.as_str(), input.ratio, input.edges.len()))
        .collect();
    assert_eq!(materials, [("resin", 0.2, 2), ("film", 0.1, 1)]);
    assert_eq!(network.node_site(plant), Some(0));
    assert_eq!(network.site_members(0).len(), 2);
    let erp = network
        .lookup("ERP")
        .map(|(_, ix)| ix)
        .expect("ERP is a platform");
    assert_eq!(network.platform_dependents(erp).len(), 2);
    // Suppliers come before their customers.
    let order = network.topological_order();
    let position = |n: usize| {
        order
            .iter()
            .position(|&m| m == n)
            .expect("every node is ordered")
    };
    for &(from, to) in network.edge_ends() {
        assert!(position(from) < position(to));
    }
    // The ransomware scenario: ERP at 0.2 puts the plant at 0.5 + 0.5 × 0.2 = 0.6 and the
    // DC at min(0.3 + 0.7 × 0.2, 0.5) = 0.44.
    let scenarios = network.scenarios();
    let ransomware = &scenarios[1];
    let factors = network.capacity_factors(
        ransomware
            .disrupt
            .iter()
            .map(|d| (&d.target, d.capacity_factor)),
    );
    let dc = network.node_index("DC_EAST").expect("DC_EAST is a node");
    assert!((factors.nodes[plant] - 0.6).abs() < 1e-12);
    assert!((factors.nodes[dc] - 0.44).abs() < 1e-12);
}

#[test]
fn rich_network_links() {
    let loaded = load_clean("rich.json");
    let network = &loaded.network;
    // Any GTIN length finds the item: GTIN-13 and GTIN-14 of the same product.
    for gtin in ["0614141100019", "00614141100019", "10614141100016"] {
        let item = network.item_by_gtin(gtin).map(|item| item.id.as_str());
        assert_eq!(item, Some("iv_bag"), "{gtin}");
    }
    assert_eq!(
        network.item_by_gtin("0614141100026").map(|i| i.id.as_str()),
        Some("resin")
    );
    assert!(network.item_by_gtin("00614141100033").is_none());
    assert!(network.item_by_gtin("not a gtin").is_none());
    let ids = |entities: &[(lifeline_network::EntityKind, usize)]| -> Vec<String> {
        entities
            .iter()
            .map(|&(kind, ix)| network.entity_id(kind, ix).to_owned())
            .collect()
    };
    assert_eq!(ids(network.entities_at_gln("0614141000104")), ["H1_IV_BAG"]);
    assert_eq!(ids(network.entities_at_gln("0614141000012")), ["NORTH"]);
    assert_eq!(ids(network.entities_of_vendor("acme-erp")), ["ERP"]);
    assert_eq!(ids(network.entities_of_vendor("resin-corp")), ["RESIN_A"]);
    assert!(network.entities_of_vendor("nobody").is_empty());
}

#[test]
fn json_text_read_as_yaml_gives_the_same_network() {
    let text = std::fs::read_to_string(data("rich.json")).expect("rich.json is readable");
    let as_json = read(&text, Format::Json).map(|l| l.network.network().clone());
    let as_yaml = read(&text, Format::Yaml).map(|l| l.network.network().clone());
    match (as_json, as_yaml) {
        (Ok(json), Ok(yaml)) => assert_eq!(json, yaml),
        (json, yaml) => panic!("JSON: {json:?}\nYAML: {yaml:?}"),
    }
}

#[test]
fn format_detection() {
    use std::path::Path;
    assert_eq!(Format::detect(Path::new("a.json"), ""), Format::Json);
    assert_eq!(Format::detect(Path::new("a.YML"), "{"), Format::Yaml);
    assert_eq!(Format::detect(Path::new("a.yaml"), ""), Format::Yaml);
    assert_eq!(
        Format::detect(Path::new("network"), "  {\"nodes\": []}"),
        Format::Json
    );
    assert_eq!(
        Format::detect(Path::new("network"), "nodes: []"),
        Format::Yaml
    );
}

#[test]
fn csv_errors_point_at_file_line_and_column() {
    let result = load(&data("bad-csv"));
    let Err(lifeline_network::LoadError::Invalid { diagnostics, .. }) = &result else {
        panic!("bad-csv must be invalid, got {}", render(&result));
    };
    let paths: Vec<&str> = diagnostics.0.iter().map(|d| d.path.as_str()).collect();
    assert!(
        paths.contains(&"nodes.csv line 3, column capacity"),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"nodes.csv line 5, column demand"),
        "{paths:?}"
    );
    assert!(paths.contains(&"edges.csv line 3, column to"), "{paths:?}");
    assert!(
        paths.contains(&"depends_on.csv line 2, column degraded_capacity"),
        "{paths:?}"
    );
    insta::assert_snapshot!("bad_csv", render(&result));
}

#[test]
fn csv_with_a_ragged_row_is_a_syntax_error() {
    insta::assert_snapshot!("ragged_csv", render(&load(&data("ragged-csv"))));
}

#[test]
fn csv_folder_without_edges_table() {
    let result = load(&data("no-edges-csv"));
    match &result {
        Err(lifeline_network::LoadError::Io { path, source }) => {
            assert!(path.ends_with("edges.csv"), "{}", path.display());
            assert_eq!(source.to_string(), "required CSV table is missing");
        }
        other => panic!("expected a missing-table error, got {}", render(other)),
    }
}

#[test]
fn missing_file_is_an_io_error() {
    let result = load(&data("no-such-network.json"));
    assert!(
        matches!(result, Err(lifeline_network::LoadError::Io { .. })),
        "{}",
        render(&result)
    );
}

#[test]
fn simulation_fields_are_the_same_in_json_and_csv() {
    let json = network("sim.json");
    assert_eq!(network("sim-csv"), json);
    let scenario = &json.scenarios.as_ref().expect("scenarios")[0];
    assert_eq!(scenario.downtime_cost, Some(1000.0));
    let disruption = &scenario.disrupt[0];
    assert_eq!(
        disruption.profile.as_deref(),
        Some(&[(0.0, 0.0), (10.0, 0.5), (20.0, 1.0)][..])
    );
    assert_eq!(
        disruption.defection,
        Some(lifeline_network::Defection {
            fraction: 0.1,
            after: 7.0
        })
    );
}

#[test]
fn csv_profile_errors_point_at_their_row() {
    let dir = std::env::temp_dir().join(format!("lifeline-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (file, text) in [
        ("nodes.csv", "id,demand\nS,\nH,1\n"),
        ("edges.csv", "from,to\nS,H\n"),
        ("scenarios.csv", "id,ttr\nx,3\n"),
        ("disrupt.csv", "scenario,node\nx,S\n"),
        (
            "profile.csv",
            "scenario,entity,day,factor\nx,S,0,0\nx,H,1,0.5\ny,S,2,1\nx,S,1,7\n",
        ),
    ] {
        std::fs::write(dir.join(file), text).expect("write");
    }
    let rendered = render(&lifeline_network::load(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        rendered.contains("profile.csv line 3, column entity: scenario `x` disrupts no entity `H`"),
        "{rendered}"
    );
    assert!(
        rendered.contains("profile.csv line 4, column scenario: unknown scenario `y`"),
        "{rendered}"
    );
    assert!(
        rendered
            .contains("profile.csv line 5, column [1]: must be a number from 0 to 1, found `7`"),
        "{rendered}"
    );
}

/// Every example network in the repository loads without a warning, and the IV-fluids
/// example's identifiers resolve.
#[test]
fn example_networks_are_clean() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut count = 0;
    for entry in std::fs::read_dir(&examples).expect("examples/ is readable") {
        let path = entry.expect("a directory entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        // Scenario files (`*.scenarios.json`, `*.simulate.json`) are not networks.
        if !name.ends_with(".json") || name.matches('.').count() > 1 {
            continue;
        }
        let loaded = load(&path).unwrap_or_else(|e| panic!("{name} does not load: {e}"));
        assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings);
        count += 1;
    }
    assert!(count >= 4, "found {count} example networks");
    let iv = load(&examples.join("iv-fluids.json")).expect("iv-fluids.json loads");
    let network = &iv.network;
    let item = network
        .item_by_gtin("00614141200030")
        .map(|i| i.id.as_str());
    assert_eq!(item, Some("svb-100ml"));
    let at = network.entities_at_gln("0614141000067");
    assert_eq!(at.len(), 1);
    assert_eq!(network.entity_id(at[0].0, at[0].1), "dist-metro");
}
