//! Diagnostics of invalid documents: one small case per validation rule, each snapshot
//! holding the input (as its description) and every diagnostic rendered.

use lifeline_network::Format;

use crate::{read, render};

/// Reads a JSON document and snapshots its diagnostics under `name`.
fn check(name: &str, json: &str) {
    check_in(name, json, Format::Json);
}

/// Reads a YAML document and snapshots its diagnostics under `name`.
fn check_yaml(name: &str, yaml: &str) {
    check_in(name, yaml, Format::Yaml);
}

fn check_in(name: &str, text: &str, format: Format) {
    let rendered = render(&read(text, format));
    insta::with_settings!({ description => text.trim(), omit_expression => true }, {
        insta::assert_snapshot!(name, rendered);
    });
}

// A valid document, and the `format` field.

#[test]
fn valid_worked_example() {
    check(
        "valid_worked_example",
        r#"{
  "format": "lifeline-network/1", "name": "toy", "horizon": 999,
  "nodes": [
    { "id": "S1", "material": "M", "capacity": 30, "ttr": 2 },
    { "id": "S2", "material": "M", "capacity": 45, "ttr": 2 },
    { "id": "P1", "demand": 75, "inventory": 20, "value": 5000 }
  ],
  "edges": [ { "from": "S1", "to": "P1" }, { "from": "S2", "to": "P1" } ]
}"#,
    );
}

#[test]
fn format_missing_is_a_warning() {
    check(
        "format_missing",
        r#"{ "nodes": [ { "id": "H1", "demand": 1, "inventory": 5, "capacity": 0 } ], "edges": [] }"#,
    );
}

#[test]
fn format_wrong_version() {
    check(
        "format_wrong_version",
        r#"{ "format": "lifeline-network/2", "nodes": [ { "id": "H1", "demand": 1, "capacity": 0 } ], "edges": [] }"#,
    );
}

#[test]
fn format_not_a_string() {
    check(
        "format_not_a_string",
        r#"{ "format": 1, "nodes": [], "edges": [] }"#,
    );
}

#[test]
fn document_not_an_object() {
    check("document_not_an_object", r#"[ { "id": "S1" } ]"#);
}

#[test]
fn not_json_at_all() {
    check(
        "not_json_at_all",
        r#"{ "format": "lifeline-network/1", "nodes": [ }"#,
    );
}

// Edges.

#[test]
fn edge_to_unknown_node_suggests_the_closest_id() {
    check(
        "edge_unknown_node_did_you_mean",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [
    { "id": "DC1_ITEM3", "capacity": 10 },
    { "id": "DC2_ITEM3", "capacity": 10 },
    { "id": "HOSPITAL_A", "demand": 4 }
  ],
  "edges": [
    { "from": "DC1_ITEM3", "to": "HOSPITAL_A" },
    { "from": "DC2_ITEM3", "to": "HOSPTIAL_A" },
    { "from": "DC9_ITEM3", "to": "HOSPITAL_A" }
  ]
}"#,
    );
}

#[test]
fn edge_to_unknown_node_without_a_close_id() {
    check(
        "edge_unknown_node_no_suggestion",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [ { "id": "S1" }, { "id": "H1", "demand": 4 } ],
  "edges": [ { "from": "S1", "to": "H1" }, { "from": "WAREHOUSE_NORTH", "to": "H1" } ]
}"#,
    );
}

#[test]
fn edge_to_a_site() {
    check(
        "edge_to_a_site",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [ { "id": "S1", "site": "PLANT" }, { "id": "H1", "demand": 4 } ],
  "edges": [ { "from": "S1", "to": "PLANT" }, { "from": "S1", "to": "H1" } ],
  "sites": [ { "id": "PLANT", "capacity": 10 } ]
}"#,
    );
}

#[test]
fn edge_missing_ends() {
    check(
        "edge_missing_ends",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [ { "id": "S1" }, { "id": "H1", "demand": 4 } ],
  "edges": [ { "from": "S1", "to": "H1" }, { "from": "S1" }, { "to": "H1", "from": "" }, "S1 -> H1" ]
}"#,
    );
}

#[test]
fn duplicate_edge() {
    check(
        "duplicate_edge",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [ { "id": "S1" }, { "id": "H1", "demand": 4 } ],
  "edges": [ { "from": "S1", "to": "H1" }, { "from": "S1", "to": "H1", "lead_time": 2 } ]
}"#,
    );
}

#[test]
fn lead_time_not_whole() {
    check(
        "lead_time_not_whole",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [ { "id": "S1" }, { "id": "S2" }, { "id": "S3" }, { "id": "H1", "demand": 4 } ],
  "edges": [
    { "from": "S1", "to": "H1", "lead_time": 1.5 },
    { "from": "S2", "to": "H1", "lead_time": -1 },
    { "from": "S3", "to": "H1", "lead_time": 1e12 }
  ]
}"#,
    );
}

// Ids.

#[test]
fn duplicate_ids_across_nodes_sites_and_platforms() {
    check(
        "duplicate_ids",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [
    { "id": "S1" }, { "id": "S1" }, { "id": "ERP" }, { "id": "H1", "demand": 4 }
  ],
  "edges": [ { "from": "S1", "to": "H1" } ],
  "sites": [ { "id": "H1" }, { "id": "PLANT" } ],
  "platforms": [ { "id": "ERP" }, { "id": "PLANT" } ]
}"#,
    );
}

#[test]
fn missing_and_empty_ids() {
    check(
        "missing_and_empty_ids",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [ { "capacity": 3 }, { "id": "" }, { "id": "   " }, { "id": 7 } ],
  "edges": [],
  "sites": [ { "name": "no id" } ],
  "platforms": [ { "id": null } ]
}"#,
    );
}

// Numbers.

#[test]
fn negative_numbers() {
    check(
        "negative_numbers",
        r#"{
  "format": "lifeline-network/1", "horizon": 0,
  "nodes": [
    { "id": "S1", "capacity": -30, "inventory": -1, "ttr": -2, "spend": -100 },
    { "id": "H1", "demand": -5, "value": 0 }
  ],
  "edges": [ { "from": "S1", "to": "H1" } ],
  "sites": [ { "id": "PLANT", "capacity": -1, "ttr": -3 } ]
}"#,
    );
}

#[test]
fn non_finite_numbers_in_yaml() {
    check_yaml(
        "non_finite_numbers_yaml",
        r"
format: lifeline-network/1
horizon: .inf
nodes:
  - { id: S1, capacity: .nan, ttr: .inf }
  - { id: H1, demand: .NaN, inventory: -.inf, value: .Inf }
edges:
  - { from: S1, to: H1 }
",
    );
}

#[test]
fn json_number_out_of_range() {
    check(
        "json_number_out_of_range",
        r#"{ "format": "lifeline-network/1", "nodes": [ { "id": "S1", "capacity": 1e999 } ], "edges": [] }"#,
    );
}

#[test]
fn wrong_types() {
    check(
        "wrong_types",
        r#"{
  "format": "lifeline-network/1", "name": 42, "horizon": "a year",
  "nodes": [
    { "id": "S1", "capacity": "30", "kind": ["supplier"], "material": true, "ttr": {} },
    { "id": "H1", "demand": "75", "site": 3, "bom": [ "M" ], "depends_on": "ERP" },
    "S2"
  ],
  "edges": { "from": "S1", "to": "H1" },
  "sites": "PLANT"
}"#,
    );
}

#[test]
fn wrong_types_in_yaml() {
    check_yaml(
        "wrong_types_yaml",
        r#"
format: lifeline-network/1
nodes:
  - id: S1
    capacity: "30"
    inventory: yes
  - id: H1
    demand: [75]
edges:
  - { from: S1, to: H1 }
"#,
    );
}

// Demand nodes and bills of materials.

#[test]
fn demand_node_with_customers() {
    check(
        "demand_node_with_customers",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [ { "id": "S1" }, { "id": "H1", "demand": 4 }, { "id": "H2", "demand": 2 } ],
  "edges": [ { "from": "S1", "to": "H1" }, { "from": "H1", "to": "H2" } ]
}"#,
    );
}

#[test]
fn bom_material_no_supplier_provides() {
    check(
        "bom_material_not_supplied",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [
    { "id": "RESIN_CO", "material": "resin" },
    { "id": "PLANT", "material": "bag", "bom": { "resin": 0.2, "film": 0.5 } },
    { "id": "RAW", "material": "steel", "bom": { "ore": 2 } },
    { "id": "H1", "demand": 4 }
  ],
  "edges": [ { "from": "RESIN_CO", "to": "PLANT" }, { "from": "PLANT", "to": "H1" } ]
}"#,
    );
}

#[test]
fn bom_ratios_out_of_range() {
    check(
        "bom_ratio_out_of_range",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [
    { "id": "A", "material": "a" },
    { "id": "B", "material": "b" },
    { "id": "PLANT", "bom": { "a": 0, "b": "two" } },
    { "id": "H1", "demand": 4 }
  ],
  "edges": [
    { "from": "A", "to": "PLANT" }, { "from": "B", "to": "PLANT" }, { "from": "PLANT", "to": "H1" }
  ]
}"#,
    );
}

// Cycles.

#[test]
fn cycle() {
    check(
        "cycle",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [ { "id": "MFR" }, { "id": "DC" }, { "id": "WHOLESALER" }, { "id": "H1", "demand": 1 } ],
  "edges": [
    { "from": "MFR", "to": "DC" },
    { "from": "DC", "to": "WHOLESALER" },
    { "from": "WHOLESALER", "to": "MFR" },
    { "from": "DC", "to": "H1" }
  ]
}"#,
    );
}

#[test]
fn self_loop() {
    check(
        "self_loop",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [ { "id": "DC" }, { "id": "H1", "demand": 1 } ],
  "edges": [ { "from": "DC", "to": "DC" }, { "from": "DC", "to": "H1" } ]
}"#,
    );
}

// Sites and platforms.

#[test]
fn unknown_site() {
    check(
        "unknown_site",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [
    { "id": "S1", "site": "PLANT_NROTH" },
    { "id": "S2", "site": "S1" },
    { "id": "H1", "demand": 1 }
  ],
  "edges": [ { "from": "S1", "to": "H1" }, { "from": "S2", "to": "H1" } ],
  "sites": [ { "id": "PLANT_NORTH" } ]
}"#,
    );
}

#[test]
fn unknown_platform_in_depends_on() {
    check(
        "unknown_platform",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [
    { "id": "DC", "depends_on": [ { "platform": "ERP2", "degraded_capacity": 0.5 } ] },
    { "id": "H1", "demand": 1, "depends_on": [ { "platform": "DC" }, { "degraded_capacity": 0.1 } ] }
  ],
  "edges": [ { "from": "DC", "to": "H1" } ],
  "platforms": [ { "id": "ERP" }, { "id": "EDI" } ]
}"#,
    );
}

#[test]
fn fractions_outside_zero_one() {
    check(
        "fractions_out_of_range",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [
    { "id": "DC", "ttr": 3, "depends_on": [ { "platform": "ERP", "degraded_capacity": 1.5 } ] },
    { "id": "H1", "demand": 1 }
  ],
  "edges": [ { "from": "DC", "to": "H1" } ],
  "platforms": [ { "id": "ERP", "ttr": 5 } ],
  "scenarios": [
    { "id": "erp-slow", "ttr": 5, "disrupt": [ { "platform": "ERP", "capacity_factor": -0.1 } ] },
    { "id": "dc-half", "ttr": 5, "disrupt": [ { "node": "DC", "capacity_factor": 2 } ] }
  ]
}"#,
    );
}

// Scenarios.

/// A valid network with a site and a platform, followed by `scenarios`.
fn with_scenarios(scenarios: &str) -> String {
    format!(
        r#"{{
  "format": "lifeline-network/1",
  "nodes": [
    {{ "id": "DC", "site": "PLANT", "depends_on": [ {{ "platform": "ERP" }} ] }},
    {{ "id": "H1", "demand": 1 }}
  ],
  "edges": [ {{ "from": "DC", "to": "H1" }} ],
  "sites": [ {{ "id": "PLANT" }} ],
  "platforms": [ {{ "id": "ERP" }} ],
  "scenarios": {scenarios}
}}"#
    )
}

#[test]
fn valid_scenarios() {
    check(
        "scenarios_valid",
        &with_scenarios(
            r#"[
    { "id": "fire", "ttr": 30, "start": 2, "disrupt": [ { "site": "PLANT" } ] },
    { "id": "ransomware", "ttr": 10, "disrupt": [
      { "platform": "ERP", "capacity_factor": 0.2, "profile": [[0, 0], [5, 0.5], [10, 1]] },
      { "node": "DC", "capacity_factor": 0.5 } ] }
  ]"#,
        ),
    );
}

#[test]
fn scenario_with_empty_disrupt() {
    check(
        "scenario_empty_disrupt",
        &with_scenarios(
            r#"[
    { "id": "nothing", "ttr": 3, "disrupt": [] },
    { "id": "missing", "ttr": 3 },
    { "id": "not-a-list", "ttr": 3, "disrupt": { "node": "DC" } }
  ]"#,
        ),
    );
}

#[test]
fn disrupt_entry_names_no_entity() {
    check(
        "disrupt_no_entity",
        &with_scenarios(
            r#"[ { "id": "vague", "ttr": 3, "disrupt": [ { "capacity_factor": 0.5 } ] } ]"#,
        ),
    );
}

#[test]
fn disrupt_entry_names_two_entities() {
    check(
        "disrupt_two_entities",
        &with_scenarios(
            r#"[ { "id": "both", "ttr": 3, "disrupt": [ { "node": "DC", "site": "PLANT" } ] } ]"#,
        ),
    );
}

#[test]
fn disrupt_entry_names_an_entity_of_another_kind() {
    check(
        "disrupt_wrong_kind",
        &with_scenarios(
            r#"[ { "id": "mixed-up", "ttr": 3, "disrupt": [
      { "node": "PLANT" }, { "site": "ERP" }, { "platform": "DC" } ] } ]"#,
        ),
    );
}

#[test]
fn disrupt_entry_names_an_unknown_entity() {
    check(
        "disrupt_unknown_entity",
        &with_scenarios(
            r#"[ { "id": "ghost", "ttr": 3, "disrupt": [ { "node": "DC2" }, { "site": "" } ] } ]"#,
        ),
    );
}

#[test]
fn duplicate_scenario_ids() {
    check(
        "duplicate_scenario_ids",
        &with_scenarios(
            r#"[
    { "id": "fire", "ttr": 30, "disrupt": [ { "site": "PLANT" } ] },
    { "id": "erp", "ttr": 3, "disrupt": [ { "platform": "ERP" } ] },
    { "id": "fire", "ttr": 10, "disrupt": [ { "node": "DC" } ] }
  ]"#,
        ),
    );
}

#[test]
fn scenario_fields_of_the_wrong_type() {
    check(
        "scenario_wrong_types",
        &with_scenarios(
            r#"[ { "id": 1, "ttr": "soon", "start": -1, "disrupt": [ "DC" ] }, "fire" ]"#,
        ),
    );
}

#[test]
fn scenarios_not_a_list() {
    check(
        "scenarios_not_a_list",
        &with_scenarios(r#"{ "id": "fire" }"#),
    );
}

#[test]
fn bad_profiles() {
    check(
        "bad_profiles",
        &with_scenarios(
            r#"[ { "id": "profiles", "ttr": 3, "disrupt": [
      { "node": "DC", "profile": "ramp" },
      { "node": "DC", "profile": [] },
      { "node": "DC", "profile": [[0, 0], [5]] },
      { "node": "DC", "profile": [[0, 0], 5] },
      { "node": "DC", "profile": [[3, 0], [3, 0.5], [1, 1]] },
      { "node": "DC", "profile": [[-1, 1.5]] }
    ] } ]"#,
        ),
    );
}

// Policies (simulation extension).

#[test]
fn valid_policies() {
    check(
        "policies_valid",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [
    { "id": "S1" },
    { "id": "DC1", "policy": { "type": "base_stock", "level": 100 } },
    { "id": "DC2", "policy": { "type": "s_S", "s": 20, "S": 80 } },
    { "id": "DC3", "policy": { "type": "days_of_supply", "days": 7 } },
    { "id": "H1", "demand": 1 }
  ],
  "edges": [
    { "from": "S1", "to": "DC1" }, { "from": "S1", "to": "DC2" }, { "from": "S1", "to": "DC3" },
    { "from": "DC1", "to": "H1" }, { "from": "DC2", "to": "H1" }, { "from": "DC3", "to": "H1" }
  ]
}"#,
    );
}

#[test]
fn bad_policies() {
    check(
        "bad_policies",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [
    { "id": "DC1", "policy": { "type": "kanban", "level": 100 } },
    { "id": "DC2", "policy": { "level": 100 } },
    { "id": "DC3", "policy": { "type": "s_S", "s": 80, "S": 20 } },
    { "id": "DC4", "policy": { "type": "base_stock" } },
    { "id": "DC5", "policy": { "type": "days_of_supply", "days": -7 } },
    { "id": "DC6", "policy": "base_stock" },
    { "id": "DC7", "policy": { "type": "s_S", "s": 10 } }
  ],
  "edges": []
}"#,
    );
}

// Object structure.

#[test]
fn duplicate_keys_in_json() {
    check(
        "duplicate_keys_json",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [
    { "id": "S1", "capacity": 30, "capacity": 40 },
    { "id": "H1", "demand": 1, "bom": { "S1": 1, "S1": 2 } }
  ],
  "edges": [ { "from": "S1", "to": "H1" } ],
  "edges": []
}"#,
    );
}

#[test]
fn duplicate_keys_in_yaml() {
    check_yaml(
        "duplicate_keys_yaml",
        r"
format: lifeline-network/1
nodes:
  - id: S1
    capacity: 30
    capacity: 40
  - { id: H1, demand: 1 }
edges:
  - { from: S1, to: H1 }
",
    );
}

#[test]
fn unknown_fields_are_warnings() {
    check(
        "unknown_fields",
        r#"{
  "format": "lifeline-network/1",
  "owner": "procurement",
  "nodes": [
    { "id": "S1", "capacty": 30, "country": "IE" },
    { "id": "H1", "demand": 1, "depends_on": [ { "platform": "ERP", "fallback": "fax" } ] }
  ],
  "edges": [ { "from": "S1", "to": "H1", "mode": "truck" } ],
  "sites": [ { "id": "PLANT", "address": "1 Main St" } ],
  "platforms": [ { "id": "ERP", "contract": "X" } ],
  "scenarios": [
    { "id": "fire", "ttr": 3, "likelihood": 0.1,
      "disrupt": [ { "site": "PLANT", "note": "whole plant" } ] }
  ]
}"#,
    );
}

#[test]
fn unknown_fields_are_kept_with_errors() {
    check(
        "unknown_fields_with_errors",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [ { "id": "S1", "capacty": 30 }, { "id": "H1", "demand": -1 } ],
  "edges": [ { "from": "S1", "to": "H1" } ]
}"#,
    );
}

// Everything at once.

#[test]
fn many_problems_are_reported_together() {
    check(
        "many_problems",
        r#"{
  "format": "lifeline-network/0",
  "name": "everything wrong",
  "horizon": -1,
  "colour": "red",
  "nodes": [
    { "id": "S1", "material": "M", "capacity": -30, "ttr": "2" },
    { "id": "S1", "material": "M", "capacity": 45 },
    { "id": "MFR", "material": "kit", "site": "PLANT_B", "bom": { "M": 2, "glue": 1 },
      "depends_on": [ { "platform": "MES", "degraded_capacity": 2 } ] },
    { "id": "DC", "material": "kit", "policy": { "type": "weekly" } },
    { "id": "P1", "demand": 75, "inventory": -20, "value": 0 },
    { "id": "P2", "demand": 50 }
  ],
  "edges": [
    { "from": "S1", "to": "MFR" },
    { "from": "MFR", "to": "DC", "lead_time": 0.5 },
    { "from": "DC", "to": "MFR" },
    { "from": "DC", "to": "P1" },
    { "from": "P1", "to": "P2" },
    { "from": "DC", "to": "P3" }
  ],
  "sites": [ { "id": "PLANT_A" }, { "id": "DC" } ],
  "platforms": [ { "id": "ERP" } ],
  "scenarios": [
    { "id": "a", "ttr": 1, "disrupt": [] },
    { "id": "a", "ttr": 1, "disrupt": [ { "site": "MFR", "capacity_factor": 1.2 } ] }
  ]
}"#,
    );
}

// The simulator's fields (lifeline's additions to the simulation extension).

#[test]
fn simulation_fields_bad_values() {
    check(
        "simulation_fields_bad_values",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [
    { "id": "S", "ttr": 3, "allocation": "first-come" },
    { "id": "D", "allocation": { "shares": [
        { "from_day": 5, "shares": { "hospital": 0.4 } },
        { "from_day": 5, "shares": { "hospital": 1.5 } },
        { "shares": {} } ] } },
    { "id": "E", "allocation": { "share": [] } },
    { "id": "H", "demand": 10, "unmet": "queue" }
  ],
  "edges": [ { "from": "S", "to": "D" }, { "from": "D", "to": "H" }, { "from": "E", "to": "H" } ],
  "scenarios": [
    { "id": "x", "ttr": 3, "downtime_cost": -1,
      "disrupt": [ { "node": "S", "defection": { "fraction": 1.2, "after": -2 } },
                   { "node": "D", "defection": { "after": 1 } } ] }
  ]
}"#,
    );
}

#[test]
fn simulation_fields_valid() {
    check(
        "simulation_fields_valid",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [
    { "id": "S", "ttr": 3, "allocation": "criticality" },
    { "id": "D", "allocation": { "shares": [
        { "from_day": 0, "shares": { "hospital": 0.4, "distributor": 0.1 } },
        { "from_day": 12, "shares": {} } ] } },
    { "id": "H", "kind": "hospital", "demand": 10, "unmet": "backorder" }
  ],
  "edges": [ { "from": "S", "to": "D" }, { "from": "D", "to": "H" } ],
  "scenarios": [
    { "id": "x", "ttr": 3, "downtime_cost": 1900000,
      "disrupt": [ { "node": "S", "defection": { "fraction": 0.12, "after": 14 } } ] }
  ]
}"#,
    );
}

// Identifiers that link the network to traceability and vulnerability findings.

#[test]
fn link_fields_bad_values() {
    check(
        "link_fields_bad_values",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [
    { "id": "S", "material": "saline", "gln": "0614141000013", "vendor": "Acme Devices, Inc." },
    { "id": "H", "demand": 10, "gln": 614141000012, "vendor": "--" },
    { "id": "K", "demand": 1, "gln": "061414100001" }
  ],
  "edges": [ { "from": "S", "to": "H" }, { "from": "S", "to": "K" } ],
  "sites": [ { "id": "PLANT", "gln": "06141410000AB" } ],
  "items": [
    { "id": "saline", "gtin": ["00614141100019", "00614141100018", 614141100019] },
    { "id": "salin", "gtin": "0614141100019" },
    { "id": "saline" },
    { "name": "no id" }
  ]
}"#,
    );
}

#[test]
fn link_fields_valid() {
    check(
        "link_fields_valid",
        r#"{
  "format": "lifeline-network/1",
  "nodes": [
    { "id": "S", "material": "saline", "gln": "0614141000012", "vendor": "acme-devices-inc" },
    { "id": "H", "demand": 10, "gln": "0614141000104" }
  ],
  "edges": [ { "from": "S", "to": "H" } ],
  "platforms": [ { "id": "ERP", "vendor": "acme-erp" } ],
  "items": [ { "id": "saline", "name": "Saline 0.9%, 1000 mL", "gtin": ["00614141100019", "10614141100016"] } ]
}"#,
    );
}
