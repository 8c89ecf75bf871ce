//! What a caller asks to simulate, turned into the library's types: the number of days,
//! the scenario behind `--scenario KEY`, the outage of a Monte Carlo run, and the warnings
//! worth showing before a run. The command-line tool and the HTTP service both call these,
//! so the same request gives the same run, the same diagnostics and the same report.
//!
//! Diagnostics name the command-line flag they come from (`--outage`, `--duration`, ...):
//! a service that takes the same fields in a JSON body reports them under those names.

use lifeline_network::{Diagnostic, EntityKind, Scenario, Target, ValidatedNetwork};

use crate::{Distribution, Outage, Simulator};

/// Days simulated when none are given: the network's horizon rounded up, or 365 when that
/// is below 1 or above 100 years (36,500 days).
pub fn horizon_days(network: &ValidatedNetwork) -> u32 {
    let horizon = network.network().horizon.ceil();
    if (1.0..=36_500.0).contains(&horizon) {
        // Whole and in range, checked just above.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let days = horizon as u32;
        days
    } else {
        365
    }
}

/// The scenario named `key`, among `scenarios` when given, or else among the network's own
/// scenarios followed by its default ones (so an entity with a `ttr` is reachable by its
/// id, down alone for its `ttr`, even when the network lists explicit scenarios). The first
/// scenario with that id wins.
///
/// # Errors
///
/// A diagnostic on `--scenario`, `no scenario `KEY``, with a `did you mean` hint when an id
/// is close to `key`, or else a hint listing the first 8 ids. The command-line tool, which
/// also accepts a file for `KEY`, adds ` and no file by that name` to the message.
pub fn pick_scenario(
    network: &ValidatedNetwork,
    key: &str,
    scenarios: Option<&[Scenario]>,
) -> Result<Scenario, Diagnostic> {
    let owned;
    let pool: &[Scenario] = match scenarios {
        Some(given) => given,
        None => {
            let mut all = network.scenarios();
            all.extend(network.default_scenarios());
            owned = all;
            &owned
        }
    };
    if let Some(found) = pool.iter().find(|s| s.id == key) {
        return Ok(found.clone());
    }
    let ids: Vec<&str> = pool.iter().map(|s| s.id.as_str()).collect();
    let mut diagnostic = Diagnostic::error(
        "--scenario",
        format!("no scenario `{}`", lifeline_text::Excerpt(key)),
    );
    if let Some(close) = lifeline_text::suggest(key, ids.iter().copied()) {
        diagnostic = diagnostic.with_hint(format!("did you mean `{close}`?"));
    } else if !ids.is_empty() {
        let mut shown: Vec<&str> = ids.iter().take(8).copied().collect();
        if ids.len() > 8 {
            shown.push("…");
        }
        diagnostic = diagnostic.with_hint(format!("scenarios: {}", shown.join(", ")));
    }
    Err(diagnostic)
}

/// The outage of a Monte Carlo run as a caller gives it: the command-line flags of
/// `lifeline montecarlo`, or the same fields in a JSON body, where every field but
/// `outage` may be left out (see [`OutageSpec::default`]).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct OutageSpec {
    /// Ids of the entities (nodes, sites or platforms) that go down together.
    pub outage: Vec<String>,
    /// Outage duration in days, as [`Distribution`] parses it (default
    /// `ransomware-downtime`).
    #[serde(default = "default_duration")]
    pub duration: String,
    /// Day the outage starts, drawn the same way (default `fixed:0`).
    #[serde(default = "default_start")]
    pub start: String,
    /// Capacity left while down, from 0 (fully down, the default) to 1.
    #[serde(default)]
    pub capacity_factor: f64,
    /// Each entity draws its own duration (default: one attack, one duration).
    #[serde(default)]
    pub independent: bool,
}

fn default_duration() -> String {
    "ransomware-downtime".to_owned()
}

fn default_start() -> String {
    "fixed:0".to_owned()
}

/// No entity, and the command line's defaults: `ransomware-downtime` from `fixed:0`,
/// fully down, one duration for all.
impl Default for OutageSpec {
    fn default() -> Self {
        OutageSpec {
            outage: Vec::new(),
            duration: default_duration(),
            start: default_start(),
            capacity_factor: 0.0,
            independent: false,
        }
    }
}

impl OutageSpec {
    /// The outage to draw from, without a downtime cost (see [`check_downtime_cost`]).
    ///
    /// # Errors
    ///
    /// Every problem at once, in this order: each id that names no node, site or platform
    /// (`--outage`, with a `did you mean` hint when one is close), a duration or start that
    /// is not a distribution (`--duration`, `--start`), and a capacity factor outside
    /// [0, 1] (`--capacity-factor`).
    pub fn build(&self, network: &ValidatedNetwork) -> Result<Outage, Vec<Diagnostic>> {
        let mut diagnostics = Vec::new();
        let mut targets = Vec::new();
        for id in &self.outage {
            match network.lookup(id) {
                Some((EntityKind::Node, _)) => targets.push(Target::Node(id.clone())),
                Some((EntityKind::Site, _)) => targets.push(Target::Site(id.clone())),
                Some((EntityKind::Platform, _)) => targets.push(Target::Platform(id.clone())),
                None => {
                    let mut d = Diagnostic::error(
                        "--outage",
                        format!("no node, site or platform `{}`", lifeline_text::Excerpt(id)),
                    );
                    if let Some(close) = lifeline_text::suggest(id, entity_ids(network)) {
                        d = d.with_hint(format!("did you mean `{close}`?"));
                    }
                    diagnostics.push(d);
                }
            }
        }
        let mut distribution = |field: &str, text: &str| match text.parse::<Distribution>() {
            Ok(d) => Some(d),
            Err(error) => {
                diagnostics.push(Diagnostic::error(field, error.to_string()));
                None
            }
        };
        let duration = distribution("--duration", &self.duration);
        let start = distribution("--start", &self.start);
        if !(0.0..=1.0).contains(&self.capacity_factor) {
            diagnostics.push(Diagnostic::error(
                "--capacity-factor",
                format!("must be between 0 and 1, found {}", self.capacity_factor),
            ));
        }
        match (duration, start) {
            (Some(duration), Some(start)) if diagnostics.is_empty() => Ok(Outage {
                targets,
                capacity_factor: self.capacity_factor,
                start,
                duration,
                independent: self.independent,
                downtime_cost: None,
            }),
            _ => Err(diagnostics),
        }
    }
}

/// A cost per outage day for [`Outage::downtime_cost`]: finite and at least 0.
///
/// # Errors
///
/// A diagnostic on `--downtime-cost` naming the value.
pub fn check_downtime_cost(cost: f64) -> Result<f64, Diagnostic> {
    if cost >= 0.0 && cost.is_finite() {
        Ok(cost)
    } else {
        Err(Diagnostic::error(
            "--downtime-cost",
            format!("must be a number ≥ 0, found {cost}"),
        ))
    }
}

/// The warnings worth showing before a run of `days` days, as sentences without a
/// `warning:` prefix: demand nodes that can never order (no inventory and no `policy`),
/// then demand nodes that run short with nothing disrupted. Empty when neither applies.
/// The second runs the baseline simulation once.
pub fn run_warnings(simulator: &Simulator<'_>, days: u32) -> Vec<String> {
    let mut warnings = Vec::new();
    let idle = simulator.never_ordering();
    if let Some(first) = idle.first() {
        warnings.push(format!(
            "{} demand node(s) have no inventory and no `policy` (first: `{first}`): their \
             default base-stock level is 0, so they never order; give them a policy",
            idle.len()
        ));
    }
    let baseline = simulator.baseline(days);
    let short: Vec<&str> = baseline
        .demand_nodes
        .iter()
        .filter(|n| n.shortage_days > 0)
        .map(|n| n.id.as_str())
        .collect();
    if let Some(first) = short.first() {
        warnings.push(format!(
            "with nothing disrupted, {} demand node(s) already run short (first: `{first}`): \
             their stock, policy or suppliers' capacity cannot keep up; shortages below are \
             not all caused by the outage",
            short.len()
        ));
    }
    warnings
}

/// Every node, site and platform id, for `did you mean`.
fn entity_ids(network: &ValidatedNetwork) -> impl Iterator<Item = &str> {
    let n = network.network();
    n.nodes
        .iter()
        .map(|x| x.id.as_str())
        .chain(n.sites.iter().map(|x| x.id.as_str()))
        .chain(n.platforms.iter().map(|x| x.id.as_str()))
}

#[cfg(test)]
mod tests {
    use lifeline_network::{Format, from_str};

    use super::*;

    fn network(doc: &str) -> ValidatedNetwork {
        match from_str(doc, Format::Json, "test.json".as_ref()) {
            Ok(loaded) => loaded.network,
            Err(error) => panic!("test network: {error}"),
        }
    }

    const DOC: &str = r#"{"format": "lifeline-network/1", "horizon": 40.2,
        "nodes": [
            {"id": "plant-nc", "ttr": 5},
            {"id": "plant-tx", "site": "site-a"},
            {"id": "H", "demand": 10, "inventory": 30}],
        "sites": [{"id": "site-a", "ttr": 3}],
        "edges": [{"from": "plant-nc", "to": "H"}, {"from": "plant-tx", "to": "H"}],
        "scenarios": [{"id": "both", "ttr": 4,
            "disrupt": [{"node": "plant-nc"}, {"node": "plant-tx"}]}]}"#;

    #[test]
    fn horizon_days_rounds_up_and_falls_back_to_a_year() {
        assert_eq!(horizon_days(&network(DOC)), 41);
        let with = |horizon: &str| {
            network(&format!(
                r#"{{"format": "lifeline-network/1", "horizon": {horizon},
                    "nodes": [{{"id": "H", "demand": 1}}]}}"#
            ))
        };
        assert_eq!(horizon_days(&with("1")), 1);
        assert_eq!(horizon_days(&with("0.2")), 1);
        assert_eq!(horizon_days(&with("36500")), 36_500);
        // Too long (over 100 years) to simulate day by day: a year instead.
        assert_eq!(horizon_days(&with("36500.5")), 365);
        assert_eq!(horizon_days(&with("100000")), 365);
    }

    #[test]
    fn pick_scenario_finds_explicit_and_default_scenarios() {
        let network = network(DOC);
        let both = pick_scenario(&network, "both", None).map(|s| s.disrupt.len());
        assert_eq!(both, Ok(2));
        // An entity with a `ttr` is reachable by its id next to the explicit scenarios.
        let plant = pick_scenario(&network, "plant-nc", None).map(|s| s.ttr);
        assert_eq!(plant, Ok(Some(5.0)));
        assert!(pick_scenario(&network, "site-a", None).is_ok());
        // Given scenarios replace the network's, defaults included.
        let given = network.scenarios();
        let error = pick_scenario(&network, "plant-nc", Some(&given[..0]));
        assert!(error.is_err());
    }

    #[test]
    fn pick_scenario_suggests_a_close_id_or_lists_them() {
        let network = network(DOC);
        let Err(typo) = pick_scenario(&network, "plant-nx", None) else {
            panic!("`plant-nx` is no scenario");
        };
        assert_eq!(typo.path, "--scenario");
        assert_eq!(typo.message, "no scenario `plant-nx`");
        assert_eq!(typo.hint.as_deref(), Some("did you mean `plant-nc`?"));
        let Err(far) = pick_scenario(&network, "zzzzzzzzzz", None) else {
            panic!("`zzzzzzzzzz` is no scenario");
        };
        assert_eq!(
            far.hint.as_deref(),
            Some("scenarios: both, plant-nc, site-a")
        );
    }

    #[test]
    fn outage_spec_builds_with_the_defaults() {
        let network = network(DOC);
        let spec: OutageSpec = match serde_json::from_str(r#"{"outage": ["plant-nc", "site-a"]}"#) {
            Ok(spec) => spec,
            Err(error) => panic!("{error}"),
        };
        assert_eq!(
            spec,
            OutageSpec {
                outage: vec!["plant-nc".into(), "site-a".into()],
                ..OutageSpec::default()
            }
        );
        let Ok(outage) = spec.build(&network) else {
            panic!("a valid outage");
        };
        assert_eq!(
            outage.targets,
            [
                Target::Node("plant-nc".into()),
                Target::Site("site-a".into())
            ]
        );
        assert_eq!(outage.duration, Distribution::ransomware_downtime());
        assert_eq!(outage.start, Distribution::Fixed(0.0));
        assert_eq!(outage.capacity_factor, 0.0);
        assert!(!outage.independent);
        assert_eq!(outage.downtime_cost, None);
        assert!(
            serde_json::from_str::<OutageSpec>("{}").is_err(),
            "outage is required"
        );
    }

    #[test]
    fn outage_spec_reports_every_problem_with_hints() {
        let network = network(DOC);
        let spec = OutageSpec {
            outage: vec!["plant-nx".into(), "nothing-like-it".into()],
            duration: "gamma:1,2".into(),
            start: "fixed:x".into(),
            capacity_factor: 1.5,
            independent: false,
        };
        let Err(diagnostics) = spec.build(&network) else {
            panic!("an invalid outage");
        };
        let paths: Vec<&str> = diagnostics.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "--outage",
                "--outage",
                "--duration",
                "--start",
                "--capacity-factor"
            ]
        );
        assert_eq!(
            diagnostics[0].message,
            "no node, site or platform `plant-nx`"
        );
        assert_eq!(
            diagnostics[0].hint.as_deref(),
            Some("did you mean `plant-nc`?")
        );
        assert_eq!(diagnostics[1].hint, None);
        assert!(
            diagnostics[2]
                .message
                .contains("unknown distribution `gamma`"),
            "{}",
            diagnostics[2].message
        );
        assert_eq!(diagnostics[4].message, "must be between 0 and 1, found 1.5");
        assert!(diagnostics.iter().all(Diagnostic::is_error));
    }

    #[test]
    fn downtime_cost_must_be_finite_and_not_negative() {
        assert_eq!(check_downtime_cost(12.5), Ok(12.5));
        assert!(check_downtime_cost(-1.0).is_err());
        assert!(check_downtime_cost(f64::NAN).is_err());
        assert!(check_downtime_cost(f64::INFINITY).is_err());
    }

    #[test]
    fn run_warnings_name_idle_and_short_demand_nodes() {
        let quiet = network(DOC);
        assert!(run_warnings(&Simulator::new(&quiet), 30).is_empty());
        let idle = network(
            r#"{"format": "lifeline-network/1", "nodes": [
                {"id": "S"}, {"id": "H", "demand": 10}],
                "edges": [{"from": "S", "to": "H"}]}"#,
        );
        let warnings = run_warnings(&Simulator::new(&idle), 30);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0]
                .starts_with("1 demand node(s) have no inventory and no `policy` (first: `H`)"),
            "{warnings:?}"
        );
        assert!(
            warnings[1].starts_with(
                "with nothing disrupted, 1 demand node(s) already run short (first: `H`)"
            ),
            "{warnings:?}"
        );
    }
}
