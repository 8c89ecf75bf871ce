//! A scenario laid out over the days of a run: when each node's and site's capacity factor
//! changes, when customers defect, and which days count as outage days.

use lifeline_network::{CapacityFactors, Disruption, Scenario, Target, ValidatedNetwork};

use crate::plan::Plan;

/// Capacity factor of one disruption entry `offset` days after the scenario's start
/// (negative: before it starts).
///
/// With a `profile`, the factor is read off its points, linear in between; the first
/// point's factor holds before it and the last one's after it. Without one, the entry runs at
/// `capacity_factor` for `ttr` days (for ever when the scenario has no `ttr`), then at 1.
pub fn factor_at(disruption: &Disruption, ttr: Option<f64>, offset: f64) -> f64 {
    if offset < 0.0 {
        return 1.0;
    }
    match &disruption.profile {
        Some(points) => profile_at(points, offset),
        None => match ttr {
            Some(ttr) if offset >= ttr => 1.0,
            _ => disruption.capacity_factor,
        },
    }
}

fn profile_at(points: &[(f64, f64)], offset: f64) -> f64 {
    let Some(&(first_day, first_factor)) = points.first() else {
        return 1.0;
    };
    if offset <= first_day {
        return first_factor;
    }
    for pair in points.windows(2) {
        let ((d0, f0), (d1, f1)) = (pair[0], pair[1]);
        if offset <= d1 {
            return f0 + (f1 - f0) * (offset - d0) / (d1 - d0);
        }
    }
    points.last().map_or(1.0, |&(_, factor)| factor)
}

/// A scenario over `days` days.
#[derive(Debug, Clone)]
pub(crate) struct Timeline {
    /// The first day of the disruption, as a whole day.
    pub start: u32,
    /// Days on which the capacity factors change, with the factors from that day on;
    /// before the first change every factor is 1.
    pub changes: Vec<(u32, CapacityFactors)>,
    /// Days on which customers defect: (day, edge, multiplier of the edge's order weight).
    pub defections: Vec<(u32, usize, f64)>,
    /// Days with at least one entity below full capacity.
    pub outage_days: u32,
}

impl Timeline {
    pub fn new(network: &ValidatedNetwork, plan: &Plan, scenario: &Scenario, days: u32) -> Self {
        let ttrs = vec![scenario.ttr; scenario.disrupt.len()];
        Timeline::with_ttrs(network, plan, scenario, &ttrs, days)
    }

    /// The same with a time to recover per disruption entry (`ttrs[i]` for
    /// `scenario.disrupt[i]`), for outages whose entities recover independently.
    pub fn with_ttrs(
        network: &ValidatedNetwork,
        plan: &Plan,
        scenario: &Scenario,
        ttrs: &[Option<f64>],
        days: u32,
    ) -> Self {
        let start = whole_day(scenario.start.unwrap_or(0.0));
        // Two buffers reused across the days: only a day on which the factors change
        // allocates (its capacity factors).
        let entries = scenario.disrupt.len().min(ttrs.len());
        let mut factors = vec![1.0; entries];
        let mut previous = vec![1.0; entries];
        let mut changes = Vec::new();
        let mut outage_days = 0;
        for day in 0..days {
            for ((slot, d), &ttr) in factors.iter_mut().zip(&scenario.disrupt).zip(ttrs) {
                *slot = factor_at(d, ttr, f64::from(day) - f64::from(start));
            }
            if factors.iter().any(|&f| f < 1.0) {
                outage_days += 1;
            }
            // Before day 0 every entry runs at full capacity, so the first day changes
            // exactly when some entry is down.
            if factors != previous {
                let targets = scenario.disrupt.iter().map(|d| &d.target);
                changes.push((
                    day,
                    network.capacity_factors(targets.zip(factors.iter().copied())),
                ));
            }
            std::mem::swap(&mut previous, &mut factors);
        }

        let mut defections = Vec::new();
        for (disruption, &ttr) in scenario.disrupt.iter().zip(ttrs) {
            let Some(defection) = disruption.defection else {
                continue;
            };
            let day = start.saturating_add(whole_day(defection.after));
            let offset = f64::from(day) - f64::from(start);
            if day >= days || factor_at(disruption, ttr, offset) >= 1.0 {
                continue;
            }
            let affected = affected_nodes(network, &disruption.target);
            for &node in &affected {
                for &e in plan.customer_edges(node) {
                    let slot = plan.edge_slot[e];
                    let elsewhere = plan
                        .suppliers(slot)
                        .iter()
                        .any(|&other| !affected.contains(&plan.edge_from[other]));
                    if elsewhere {
                        defections.push((day, e, 1.0 - defection.fraction));
                    }
                }
            }
        }
        defections.sort_by_key(|&(day, e, _)| (day, e));
        Timeline {
            start,
            changes,
            defections,
            outage_days,
        }
    }
}

/// The nodes whose capacity a disrupted entity takes down.
fn affected_nodes(network: &ValidatedNetwork, target: &Target) -> Vec<usize> {
    match (target, network.lookup(target.id())) {
        (Target::Node(_), Some((_, ix))) => vec![ix],
        (Target::Site(_), Some((_, ix))) => network.site_members(ix).to_vec(),
        (Target::Platform(_), Some((_, ix))) => network
            .platform_dependents(ix)
            .iter()
            .map(|&(node, _)| node)
            .collect(),
        (_, None) => Vec::new(),
    }
}

/// A day count as a whole number of days: rounded up, saturating.
pub(crate) fn whole_day(days: f64) -> u32 {
    if days.is_nan() || days <= 0.0 {
        0
    } else if days >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        // In range, checked just above.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let whole = days.ceil() as u32;
        whole
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lifeline_network::Target;

    fn entry(profile: Option<Vec<(f64, f64)>>) -> Disruption {
        Disruption {
            target: Target::Node("n".into()),
            capacity_factor: 0.0,
            profile,
            defection: None,
        }
    }

    #[test]
    fn default_is_down_for_ttr_days() {
        let d = entry(None);
        assert_eq!(factor_at(&d, Some(3.0), -1.0), 1.0);
        assert_eq!(factor_at(&d, Some(3.0), 0.0), 0.0);
        assert_eq!(factor_at(&d, Some(3.0), 2.0), 0.0);
        assert_eq!(factor_at(&d, Some(3.0), 3.0), 1.0);
        assert_eq!(factor_at(&d, None, 1000.0), 0.0);
    }

    #[test]
    fn profile_is_linear_between_points() {
        // The Baxter ramp: 0 → 0.5 at day 56 → 0.85 at day 84 → 1 at day 112.
        let d = entry(Some(vec![
            (0.0, 0.0),
            (56.0, 0.5),
            (84.0, 0.85),
            (112.0, 1.0),
        ]));
        assert_eq!(factor_at(&d, None, 0.0), 0.0);
        assert_eq!(factor_at(&d, None, 28.0), 0.25);
        assert_eq!(factor_at(&d, None, 56.0), 0.5);
        assert!((factor_at(&d, None, 70.0) - 0.675).abs() < 1e-12);
        assert_eq!(factor_at(&d, None, 112.0), 1.0);
        assert_eq!(factor_at(&d, None, 500.0), 1.0);
    }

    #[test]
    fn defection_moves_only_customers_with_another_supplier() {
        let doc = r#"{"format": "lifeline-network/1",
            "nodes": [{"id": "A", "material": "M", "capacity": 10},
                      {"id": "B", "material": "M", "capacity": 10},
                      {"id": "H1", "demand": 1}, {"id": "H2", "demand": 1}],
            "edges": [{"from": "A", "to": "H1"}, {"from": "B", "to": "H1"},
                      {"from": "A", "to": "H2"}],
            "scenarios": [{"id": "s", "ttr": 30, "start": 5, "disrupt": [{"node": "A",
                "capacity_factor": 0.5, "defection": {"fraction": 0.12, "after": 14}}]}]}"#;
        let loaded =
            lifeline_network::from_str(doc, lifeline_network::Format::Json, "t.json".as_ref())
                .expect("valid");
        let network = loaded.network;
        let plan = Plan::new(&network);
        let scenario = &network.scenarios()[0];
        let timeline = Timeline::new(&network, &plan, scenario, 100);
        // H1 can go to B: edge 0 (A → H1) keeps 88% of its orders from day 5 + 14. H2 has
        // no other supplier and stays.
        assert_eq!(timeline.defections, vec![(19, 0, 0.88)]);
        assert_eq!(timeline.outage_days, 30);
        // Defection never happens when the outage is over by then.
        let short = lifeline_network::Scenario {
            ttr: Some(10.0),
            ..scenario.clone()
        };
        assert!(
            Timeline::new(&network, &plan, &short, 100)
                .defections
                .is_empty()
        );
    }

    #[test]
    fn whole_days_round_up() {
        assert_eq!(whole_day(0.0), 0);
        assert_eq!(whole_day(0.2), 1);
        assert_eq!(whole_day(7.0), 7);
        assert_eq!(whole_day(f64::INFINITY), u32::MAX);
        assert_eq!(whole_day(f64::NAN), 0);
    }
}
