//! The impact of a declared disruption: the scenario it stands for, the simulator's first
//! stockout per hospital and item, and the stress test's time to survive and rerouting
//! plan, computed exactly as `lifeline simulate NET --scenario FILE` and
//! `lifeline stress NET --scenarios FILE` compute them for the same scenario file.

use std::collections::HashSet;

use lifeline_network::{
    Diagnostic, Disruption, MAX_DAYS, MIN_WINDOW, Scenario, Target, ValidatedNetwork,
};
use lifeline_sim::{SimOptions, SimReport, Simulator};
use lifeline_stress::StressConfig;
use lifeline_text::excerpt;
use time::OffsetDateTime;

use super::{AffectedEntity, Declaration, DemandImpact, Impact};

/// The id of the scenario an incident's impact is computed from.
pub const SCENARIO_ID: &str = "incident";

/// The scenario the declaration stands for: id [`SCENARIO_ID`], `ttr` the expected time to
/// recover, one disruption per declared entity with the declared capacity factor.
///
/// # Errors
///
/// Every problem at once, each a diagnostic on the command-line option that carries it:
/// `--entity` (none given, unknown, with a did-you-mean hint, or named twice),
/// `--capacity-factor` (not from 0 to 1), `--expected-ttr` (not a positive number of
/// days within the network format's limits).
pub fn scenario(
    network: &ValidatedNetwork,
    declaration: &Declaration,
) -> Result<Scenario, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    if declaration.entities.is_empty() {
        diagnostics.push(
            Diagnostic::error("--entity", "no entity declared down")
                .with_hint("name at least one node, site or platform of the network"),
        );
    }
    let mut seen = HashSet::new();
    let mut disrupt = Vec::new();
    for id in &declaration.entities {
        if !seen.insert(id.as_str()) {
            diagnostics.push(Diagnostic::error(
                "--entity",
                format!("`{}` is declared twice", excerpt(id)),
            ));
            continue;
        }
        match network.lookup(id) {
            Some((kind, _)) => {
                let target = match kind {
                    lifeline_network::EntityKind::Node => Target::Node(id.clone()),
                    lifeline_network::EntityKind::Site => Target::Site(id.clone()),
                    lifeline_network::EntityKind::Platform => Target::Platform(id.clone()),
                };
                disrupt.push(Disruption {
                    target,
                    capacity_factor: declaration.capacity_factor,
                    profile: None,
                    defection: None,
                });
            }
            None => {
                let mut diagnostic = Diagnostic::error(
                    "--entity",
                    format!("no node, site or platform `{}` in the network", excerpt(id)),
                );
                if let Some(near) = lifeline_text::suggest(id, entity_ids(network)) {
                    diagnostic = diagnostic.with_hint(format!("did you mean `{near}`?"));
                }
                diagnostics.push(diagnostic);
            }
        }
    }
    let factor = declaration.capacity_factor;
    if !(factor.is_finite() && (0.0..=1.0).contains(&factor)) {
        diagnostics.push(
            Diagnostic::error(
                "--capacity-factor",
                format!("capacity factor {factor} is not a number from 0 to 1"),
            )
            .with_hint("0 is fully down; 0.85 is running at 85% (orders by phone, say)"),
        );
    }
    let ttr = declaration.expected_ttr;
    if !(ttr.is_finite() && (MIN_WINDOW..=MAX_DAYS).contains(&ttr)) {
        diagnostics.push(Diagnostic::error(
            "--expected-ttr",
            format!(
                "expected time to recover {ttr} is not a number of days from {MIN_WINDOW} to {MAX_DAYS}"
            ),
        ));
    }
    if diagnostics.is_empty() {
        Ok(Scenario {
            id: SCENARIO_ID.to_owned(),
            ttr: Some(ttr),
            disrupt,
            start: None,
            downtime_cost: None,
        })
    } else {
        Err(diagnostics)
    }
}

/// The scenario as a scenario file holds it, `{"scenarios": [...]}` with the one scenario:
/// saved to a file, `lifeline simulate --scenario FILE` and `lifeline stress --scenarios
/// FILE` read it back to the same [`Scenario`].
pub fn scenario_document(scenario: &Scenario) -> serde_json::Value {
    let disrupt: Vec<serde_json::Value> = scenario
        .disrupt
        .iter()
        .map(|d| {
            let (key, id) = match &d.target {
                Target::Node(id) => ("node", id),
                Target::Site(id) => ("site", id),
                Target::Platform(id) => ("platform", id),
            };
            let mut entry = serde_json::Map::new();
            entry.insert(key.to_owned(), serde_json::Value::from(id.as_str()));
            entry.insert(
                "capacity_factor".to_owned(),
                serde_json::Value::from(d.capacity_factor),
            );
            serde_json::Value::Object(entry)
        })
        .collect();
    let mut document = serde_json::Map::new();
    document.insert(
        "id".to_owned(),
        serde_json::Value::from(scenario.id.as_str()),
    );
    if let Some(ttr) = scenario.ttr {
        document.insert("ttr".to_owned(), serde_json::Value::from(ttr));
    }
    document.insert("disrupt".to_owned(), serde_json::Value::Array(disrupt));
    serde_json::json!({ "scenarios": [serde_json::Value::Object(document)] })
}

/// The impact of the declared disruption: the simulator over the network's horizon
/// (`lifeline_sim::horizon_days`) and the stress test with its default configuration, on
/// the scenario of [`scenario`].
///
/// # Errors
///
/// The diagnostics of [`scenario`]; a stress test that cannot solve is one diagnostic on
/// `stress`.
pub fn compute(
    network: &ValidatedNetwork,
    network_sha256: &str,
    declaration: &Declaration,
) -> Result<Impact, Vec<Diagnostic>> {
    let scenario = scenario(network, declaration)?;
    let days = lifeline_sim::horizon_days(network);
    let report = Simulator::new(network).run(&scenario, &SimOptions::days(days));
    let stress = lifeline_stress::run(
        network,
        std::slice::from_ref(&scenario),
        &StressConfig::default(),
        &|| {},
    )
    .map_err(|error| {
        vec![Diagnostic::error(
            "stress",
            format!("the stress test of the incident's scenario failed: {error}"),
        )]
    })?;
    let Some(stress) = stress.scenarios.into_iter().next() else {
        return Err(vec![Diagnostic::error(
            "stress",
            "the stress test returned no result for the incident's scenario",
        )]);
    };
    let demand = demand(network, &report, declaration.declared_at);
    let first_stockout_day = demand.iter().filter_map(|d| d.first_stockout_day).min();
    let entities = affected(network, &declaration.entities);
    let mut vendors: Vec<String> = entities.iter().filter_map(|e| e.vendor.clone()).collect();
    for entity in &entities {
        if let Some((lifeline_network::EntityKind::Site, ix)) = network.lookup(&entity.id) {
            for &member in network.site_members(ix) {
                vendors.extend(network.node(member).vendor.clone());
            }
        }
    }
    vendors.sort();
    vendors.dedup();
    Ok(Impact {
        network: network.network().name.clone(),
        network_sha256: network_sha256.to_owned(),
        scenario: scenario_document(&scenario),
        expected_ttr: declaration.expected_ttr,
        days,
        stress,
        demand,
        first_stockout_day,
        entities,
        vendors,
    })
}

/// `at` plus `days` days, or `None` when the date would leave the calendar.
pub fn add_days(at: OffsetDateTime, days: f64) -> Option<OffsetDateTime> {
    add_hours(at, days * 24.0)
}

/// `at` plus `hours` hours (negative: before), rounded to the second, or `None` when it is
/// not a number or the date would leave the calendar.
pub fn add_hours(at: OffsetDateTime, hours: f64) -> Option<OffsetDateTime> {
    let seconds = (hours * 3600.0).round();
    // ±1e12 s is ±31,000 years: beyond any date `time` represents, and exact in i64.
    if !seconds.is_finite() || seconds.abs() > 1e12 {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)]
    let whole = seconds as i64;
    at.checked_add(time::Duration::seconds(whole))
}

fn demand(
    network: &ValidatedNetwork,
    report: &SimReport,
    declared_at: OffsetDateTime,
) -> Vec<DemandImpact> {
    report
        .demand_nodes
        .iter()
        .map(|outcome| DemandImpact {
            id: outcome.id.clone(),
            site: network
                .node_index(&outcome.id)
                .and_then(|ix| network.node(ix).site.clone()),
            material: outcome.material.clone(),
            value: outcome.value,
            days_of_supply_at_start: outcome.days_of_supply_at_start,
            first_stockout_day: outcome.first_stockout_day,
            runs_short_at: outcome
                .first_stockout_day
                .and_then(|day| add_days(declared_at, f64::from(day))),
            shortage_days: outcome.shortage_days,
            unmet_units: outcome.unmet_units,
        })
        .collect()
}

fn affected(network: &ValidatedNetwork, ids: &[String]) -> Vec<AffectedEntity> {
    let doc = network.network();
    ids.iter()
        .filter_map(|id| {
            let (kind, ix) = network.lookup(id)?;
            let (entity_kind, name, vendor) = match kind {
                lifeline_network::EntityKind::Node => {
                    let node = network.node(ix);
                    (node.kind.clone(), None, node.vendor.clone())
                }
                lifeline_network::EntityKind::Site => {
                    let site = doc.sites.get(ix)?;
                    (site.kind.clone(), site.name.clone(), site.vendor.clone())
                }
                lifeline_network::EntityKind::Platform => {
                    let platform = doc.platforms.get(ix)?;
                    (
                        platform.kind.clone(),
                        platform.name.clone(),
                        platform.vendor.clone(),
                    )
                }
            };
            Some(AffectedEntity {
                id: id.clone(),
                entity: kind.as_str().to_owned(),
                kind: entity_kind,
                name,
                vendor,
            })
        })
        .collect()
}

fn entity_ids(network: &ValidatedNetwork) -> impl Iterator<Item = &str> {
    let doc = network.network();
    doc.nodes
        .iter()
        .map(|n| n.id.as_str())
        .chain(doc.sites.iter().map(|s| s.id.as_str()))
        .chain(doc.platforms.iter().map(|p| p.id.as_str()))
}
