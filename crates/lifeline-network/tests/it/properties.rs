//! Property tests: reading never panics whatever the input, and a randomly generated
//! valid network (a small DAG with sites, platforms, bills of materials and scenarios)
//! always validates, reading the same as JSON and as YAML.

use lifeline_network::{Format, LoadError, Loaded};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::{read, render};

/// Reads `text` as JSON and as YAML and checks the result is coherent: a document that
/// fails validation carries at least one error, one that passes carries none.
fn read_both(text: &str) {
    for format in [Format::Json, Format::Yaml] {
        let result = read(text, format);
        check_coherent(&result);
        // Rendering every diagnostic must not panic either.
        let _ = render(&result);
    }
}

fn check_coherent(result: &Result<Loaded, LoadError>) {
    match result {
        Ok(loaded) => assert!(loaded.warnings.iter().all(|w| !w.is_error())),
        Err(LoadError::Invalid { diagnostics, .. }) => assert!(diagnostics.error_count() > 0),
        Err(_) => {}
    }
}

/// Field names of the format, so random documents reach the decoder's checks.
const KEYS: &[&str] = &[
    "format",
    "name",
    "time_unit",
    "horizon",
    "nodes",
    "edges",
    "sites",
    "platforms",
    "scenarios",
    "id",
    "kind",
    "material",
    "site",
    "capacity",
    "inventory",
    "demand",
    "value",
    "ttr",
    "bom",
    "depends_on",
    "spend",
    "policy",
    "from",
    "to",
    "lead_time",
    "platform",
    "degraded_capacity",
    "disrupt",
    "node",
    "capacity_factor",
    "profile",
    "start",
    "type",
    "level",
    "s",
    "S",
    "days",
];

/// Ids that collide across kinds often enough to reach the reference checks.
const IDS: &[&str] = &[
    "S1",
    "S2",
    "H1",
    "PLANT",
    "ERP",
    "M",
    "",
    "lifeline-network/1",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => "[a-zA-Z_]{0,6}",
    ]
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        (-3i64..100).prop_map(|n| n.to_string()),
        prop::num::f64::NORMAL.prop_map(|x| format!("{x:e}")),
        (0.0f64..=1.5).prop_map(|x| x.to_string()),
        prop::sample::select(IDS).prop_map(|s| format!("{s:?}")),
        "[ -~]{0,8}".prop_map(|s| Value::String(s).to_string()),
        // Tokens that are not valid JSON, some valid YAML.
        prop::sample::select(
            &[
                ".nan", "-.inf", "1e999", "-", "~", "'x'", "&a", "*a", "!!str"
            ][..]
        )
        .prop_map(str::to_owned),
    ]
}

/// JSON-like text: nested lists and objects with the format's field names.
fn json_ish() -> impl Strategy<Value = String> {
    scalar().prop_recursive(5, 96, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(|items| format!("[{}]", items.join(", "))),
            vec((key(), inner), 0..6).prop_map(|fields| {
                let fields: Vec<String> = fields
                    .into_iter()
                    .map(|(k, v)| format!("{k:?}: {v}"))
                    .collect();
                format!("{{{}}}", fields.join(", "))
            }),
        ]
    })
}

/// A document shaped like a network (lists of objects under the right keys) whose
/// fields hold random values.
fn network_ish() -> impl Strategy<Value = String> {
    let entity = vec((key(), json_ish()), 0..5).prop_map(|fields| {
        let fields: Vec<String> = fields
            .into_iter()
            .map(|(k, v)| format!("{k:?}: {v}"))
            .collect();
        format!("{{{}}}", fields.join(", "))
    });
    let list = vec(entity, 0..5).prop_map(|items| format!("[{}]", items.join(", ")));
    vec((prop::sample::select(KEYS), list), 0..8).prop_map(|lists| {
        let fields: Vec<String> = lists
            .into_iter()
            .map(|(k, v)| format!("{k:?}: {v}"))
            .collect();
        format!(
            "{{\"format\": \"lifeline-network/1\", {}}}",
            fields.join(", ")
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..256)) {
        read_both(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_json_ish_text_never_panics(text in json_ish()) {
        read_both(&text);
    }

    #[test]
    fn network_shaped_documents_never_panic(text in network_ish()) {
        read_both(&text);
    }

    #[test]
    fn edited_valid_networks_never_panic(
        spec in network_spec(),
        edits in vec((any::<prop::sample::Index>(), 0u8..3, any::<char>()), 1..4),
    ) {
        let mut text: Vec<char> = spec.to_json().to_string().chars().collect();
        for (at, operation, c) in edits {
            let i = at.index(text.len() + 1);
            match operation {
                0 => text.insert(i, c),
                1 if i < text.len() => { text.remove(i); }
                _ if i < text.len() => text[i] = c,
                _ => text.push(c),
            }
        }
        read_both(&text.into_iter().collect::<String>());
    }

    #[test]
    fn generated_valid_networks_validate(spec in network_spec()) {
        let text = serde_json::to_string_pretty(&spec.to_json()).expect("JSON serializes");
        let loaded = match read(&text, Format::Json) {
            Ok(loaded) => loaded,
            Err(error) => panic!("{}\n\nfor\n{text}", render(&Err(error))),
        };
        prop_assert!(loaded.warnings.is_empty(), "{}", render(&Ok(loaded.clone())));
        let network = &loaded.network;
        prop_assert_eq!(network.nodes().len(), spec.nodes.len());
        // Suppliers come before customers in the topological order.
        let order = network.topological_order();
        prop_assert_eq!(order.len(), spec.nodes.len());
        let mut position = vec![usize::MAX; order.len()];
        for (p, &n) in order.iter().enumerate() {
            position[n] = p;
        }
        for &(from, to) in network.edge_ends() {
            prop_assert!(position[from] < position[to]);
        }
        // JSON is YAML: the same text read as YAML gives the same network.
        match read(&text, Format::Yaml) {
            Ok(yaml) => prop_assert_eq!(yaml.network.network(), network.network()),
            Err(error) => panic!("as YAML: {}\n\nfor\n{text}", render(&Err(error))),
        }
    }
}

/// The parameters of one random valid network; ids are `N<i>`, `SITE<k>`, `PF<k>`.
#[derive(Debug, Clone)]
struct Spec {
    nodes: Vec<NodeSpec>,
    /// For each pair i < j (in order), whether i ships to j and with which lead time.
    edges: Vec<Option<u8>>,
    sites: usize,
    platforms: usize,
    scenarios: Option<Vec<ScenarioSpec>>,
}

#[derive(Debug, Clone)]
struct NodeSpec {
    /// 0..3 names a shared material `m<k>`; 3 means the node's own id.
    material: usize,
    capacity: Option<u16>,
    inventory: u16,
    /// Used only when the node has no customers.
    demand: Option<(u16, u16)>,
    ttr: Option<u8>,
    site: Option<usize>,
    depends_on: Vec<(usize, f64)>,
    /// Ratios for the shared materials, used for those a supplier actually provides.
    bom: [Option<f64>; 3],
    policy: Option<(u8, u16, u16)>,
}

#[derive(Debug, Clone)]
struct ScenarioSpec {
    ttr: Option<u8>,
    start: Option<u8>,
    disrupt: Vec<DisruptSpec>,
}

/// One disrupted entity: kind (0 node, 1 site, 2 platform), its index, the capacity
/// factor and an optional profile of (day step, factor) points.
type DisruptSpec = (u8, usize, f64, Option<Vec<(u8, f64)>>);

fn optional_index(count: usize) -> BoxedStrategy<Option<usize>> {
    if count == 0 {
        Just(None).boxed()
    } else {
        prop::option::of(0..count).boxed()
    }
}

/// A fraction from 0 to 1 in thousandths. Numbers with few digits read exactly in every
/// parser; serde_json without its `float_roundtrip` feature may read a 17-digit number
/// one ulp away from what YAML and CSV read.
fn fraction() -> impl Strategy<Value = f64> {
    (0u32..=1000).prop_map(|k| f64::from(k) / 1000.0)
}

/// A ratio from 0.01 to 10 in hundredths.
fn ratio() -> impl Strategy<Value = f64> {
    (1u32..=1000).prop_map(|k| f64::from(k) / 100.0)
}

fn node_spec(sites: usize, platforms: usize) -> impl Strategy<Value = NodeSpec> {
    let depends_on = if platforms == 0 {
        Just(Vec::new()).boxed()
    } else {
        vec((0..platforms, fraction()), 0..=platforms).boxed()
    };
    (
        0usize..4,
        prop::option::of(any::<u16>()),
        any::<u16>(),
        prop::option::of((any::<u16>(), 1u16..)),
        prop::option::of(any::<u8>()),
        optional_index(sites),
        depends_on,
        [
            prop::option::of(ratio()),
            prop::option::of(ratio()),
            prop::option::of(ratio()),
        ],
        prop::option::of((0u8..3, any::<u16>(), any::<u16>())),
    )
        .prop_map(
            |(material, capacity, inventory, demand, ttr, site, depends_on, bom, policy)| {
                NodeSpec {
                    material,
                    capacity,
                    inventory,
                    demand,
                    ttr,
                    site,
                    depends_on,
                    bom,
                    policy,
                }
            },
        )
}

fn scenario_spec(
    nodes: usize,
    sites: usize,
    platforms: usize,
) -> impl Strategy<Value = ScenarioSpec> {
    let profile = prop::option::of(vec((1u8..20, fraction()), 1..4));
    let target = (0u8..3, any::<prop::sample::Index>(), fraction(), profile).prop_map(
        move |(kind, index, factor, profile)| {
            // Fall back to a node when there is no entity of the drawn kind.
            let (kind, count) = match kind {
                1 if sites > 0 => (1, sites),
                2 if platforms > 0 => (2, platforms),
                _ => (0, nodes),
            };
            (kind, index.index(count), factor, profile)
        },
    );
    (
        prop::option::of(any::<u8>()),
        prop::option::of(any::<u8>()),
        vec(target, 1..4),
    )
        .prop_map(|(ttr, start, disrupt)| ScenarioSpec {
            ttr,
            start,
            disrupt,
        })
}

fn network_spec() -> impl Strategy<Value = Spec> {
    (1usize..10, 0usize..3, 0usize..3).prop_flat_map(|(n, sites, platforms)| {
        let pairs = n * (n - 1) / 2;
        (
            vec(node_spec(sites, platforms), n),
            vec(prop::option::of(0u8..10), pairs),
            prop::option::of(vec(scenario_spec(n, sites, platforms), 0..4)),
        )
            .prop_map(move |(nodes, edges, scenarios)| Spec {
                nodes,
                edges,
                sites,
                platforms,
                scenarios,
            })
    })
}

impl Spec {
    fn edge_list(&self) -> Vec<(usize, usize, u8)> {
        let n = self.nodes.len();
        let pairs = (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j)));
        pairs
            .zip(&self.edges)
            .filter_map(|((i, j), e)| e.map(|lead| (i, j, lead)))
            .collect()
    }

    fn material(&self, i: usize) -> String {
        match self.nodes[i].material {
            k @ 0..3 => format!("m{k}"),
            _ => format!("N{i}"),
        }
    }

    fn to_json(&self) -> Value {
        let edges = self.edge_list();
        let nodes: Vec<Value> = (0..self.nodes.len())
            .map(|i| self.node_json(i, &edges))
            .collect();
        let edges: Vec<Value> = edges
            .iter()
            .map(|&(i, j, lead)| json!({ "from": format!("N{i}"), "to": format!("N{j}"), "lead_time": lead }))
            .collect();
        let sites: Vec<Value> = (0..self.sites)
            .map(|k| json!({ "id": format!("SITE{k}"), "capacity": 100 * (k + 1), "ttr": k }))
            .collect();
        let platforms: Vec<Value> = (0..self.platforms)
            .map(|k| json!({ "id": format!("PF{k}"), "ttr": 3 }))
            .collect();
        let mut document = json!({
            "format": "lifeline-network/1",
            "name": "generated",
            "horizon": 100,
            "nodes": nodes,
            "edges": edges,
            "sites": sites,
            "platforms": platforms,
        });
        if let Some(scenarios) = &self.scenarios {
            let scenarios: Vec<Value> = scenarios
                .iter()
                .enumerate()
                .map(|(s, scenario)| scenario.to_json(s))
                .collect();
            document["scenarios"] = Value::Array(scenarios);
        }
        document
    }

    fn node_json(&self, i: usize, edges: &[(usize, usize, u8)]) -> Value {
        let spec = &self.nodes[i];
        let mut node = json!({ "id": format!("N{i}"), "inventory": spec.inventory });
        if spec.material < 3 {
            node["material"] = json!(self.material(i));
        }
        let has_suppliers = edges.iter().any(|e| e.1 == i);
        let has_customers = edges.iter().any(|e| e.0 == i);
        let is_demand = spec.demand.is_some() && !has_customers;
        // A demand node with neither supplier nor capacity is warned about (it could
        // never run short); give such a node a capacity so it lives on its own output.
        match spec.capacity {
            Some(capacity) => node["capacity"] = json!(capacity),
            None if is_demand && !has_suppliers => node["capacity"] = json!(0),
            None => {}
        }
        if let Some(ttr) = spec.ttr {
            node["ttr"] = json!(ttr);
        }
        if let Some(site) = spec.site {
            node["site"] = json!(format!("SITE{site}"));
        }
        if !spec.depends_on.is_empty() {
            let depends_on: Vec<Value> = spec
                .depends_on
                .iter()
                .map(|&(p, d)| json!({ "platform": format!("PF{p}"), "degraded_capacity": d }))
                .collect();
            node["depends_on"] = Value::Array(depends_on);
        }
        // A bill of materials may only name materials the node's suppliers provide.
        let supplied: Vec<String> = edges
            .iter()
            .filter(|e| e.1 == i)
            .map(|&(from, _, _)| self.material(from))
            .collect();
        let mut bom = serde_json::Map::new();
        for (k, ratio) in spec.bom.iter().enumerate() {
            let material = format!("m{k}");
            if let Some(ratio) = ratio.filter(|_| supplied.contains(&material)) {
                bom.insert(material, json!(ratio));
            }
        }
        if !bom.is_empty() {
            node["bom"] = Value::Object(bom);
        }
        match spec.demand {
            Some((demand, value)) if is_demand => {
                node["demand"] = json!(demand);
                node["value"] = json!(value);
            }
            _ => {
                if let Some((kind, a, b)) = spec.policy {
                    node["policy"] = match kind {
                        0 => json!({ "type": "base_stock", "level": a }),
                        1 => json!({ "type": "s_S", "s": a.min(b), "S": a.max(b) }),
                        _ => json!({ "type": "days_of_supply", "days": a }),
                    };
                }
            }
        }
        node
    }
}

impl ScenarioSpec {
    fn to_json(&self, s: usize) -> Value {
        let disrupt: Vec<Value> = self
            .disrupt
            .iter()
            .map(|(kind, index, factor, profile)| {
                let (field, id) = match kind {
                    1 => ("site", format!("SITE{index}")),
                    2 => ("platform", format!("PF{index}")),
                    _ => ("node", format!("N{index}")),
                };
                let mut entry = json!({ field: id, "capacity_factor": factor });
                if let Some(points) = profile {
                    // Days strictly increase: cumulative sums of positive steps.
                    let mut day = 0u32;
                    let points: Vec<Value> = points
                        .iter()
                        .map(|&(step, f)| {
                            let point = json!([day, f]);
                            day += u32::from(step);
                            point
                        })
                        .collect();
                    entry["profile"] = Value::Array(points);
                }
                entry
            })
            .collect();
        let mut scenario = json!({ "id": format!("scenario-{s}"), "disrupt": disrupt });
        if let Some(ttr) = self.ttr {
            scenario["ttr"] = json!(ttr);
        }
        if let Some(start) = self.start {
            scenario["start"] = json!(start);
        }
        scenario
    }
}
