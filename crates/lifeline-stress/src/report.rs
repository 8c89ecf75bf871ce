//! The stress-test report: the JSON contract of `lifeline-network/1` plus the fields a
//! planner acts on (gap, reallocation plan, spend against impact).

use std::cmp::Ordering;

use std::fmt;
use std::io::Write;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// Results of a sweep, scenarios in the order they were given.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Report {
    pub network: String,
    pub horizon: f64,
    /// TTS with nothing disrupted (capped at the horizon).
    pub baseline_tts: f64,
    pub baseline_tts_capped: bool,
    pub scenarios: Vec<ScenarioResult>,
}

/// The outcome of one disruption scenario.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScenarioResult {
    pub id: String,
    /// What was disrupted: a node's `kind` (`manufacturer`), `site`, `platform`, or
    /// `scenario` when several entities are.
    pub kind: String,
    pub ttr: Option<f64>,
    /// Time to survive, capped at the horizon.
    pub tts: f64,
    pub tts_capped: bool,
    /// TTS − TTR: negative when demand is lost before the entity recovers.
    pub gap: Option<f64>,
    /// Minimal loss over [0, TTR] under the best reallocation (`null` without a TTR).
    pub performance_impact: Option<f64>,
    /// Performance impact divided by the largest in the run.
    pub rei: Option<f64>,
    /// Unmet units per demand node over the TTR window (only those that lose some).
    pub lost_units: OrderedMap,
    /// The shipments of the optimal plan into every node that lost a supplier: which
    /// alternative source ships how much to whom over the TTR window.
    pub reallocation: Vec<Shipment>,
    /// Yearly spend with the disrupted suppliers, when the network gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend: Option<f64>,
    /// Spend against impact, when spend is given: see [`Quadrant`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quadrant: Option<Quadrant>,
}

impl ScenarioResult {
    pub fn total_lost_units(&self) -> f64 {
        self.lost_units
            .0
            .iter()
            .fold(0.0, |total, (_, units)| total + units)
    }
}

/// Units moved along one edge over the TTR window.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Shipment {
    pub from: String,
    pub to: String,
    pub material: String,
    pub units: f64,
    /// Whether the shipping node is itself disrupted in the scenario.
    pub from_disrupted: bool,
}

/// Where a scenario falls on the spend-versus-impact chart: spend is high at or above the
/// median spend of the scenarios that have one, impact is high above their median
/// performance impact. Simchi-Levi's finding is that the risky suppliers are often the
/// low-spend, high-impact ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    HighSpendHighImpact,
    HighSpendLowImpact,
    LowSpendHighImpact,
    LowSpendLowImpact,
}

/// A map that serialises its entries in the order given, for byte-stable output.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderedMap(pub Vec<(String, f64)>);

impl OrderedMap {
    /// The entries as one CSV cell, `id=units` joined by `;` (the `runs_short` column),
    /// made safe for spreadsheets.
    pub(crate) fn csv_cell(&self) -> String {
        let entries: Vec<String> = self
            .0
            .iter()
            .map(|(id, units)| format!("{id}={units}"))
            .collect();
        lifeline_text::csv_cell(&entries.join(";")).into_owned()
    }
}

impl Serialize for OrderedMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// Reads the entries back in the order written.
impl<'de> Deserialize<'de> for OrderedMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<OrderedMap, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = OrderedMap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of demand node ids to units")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedMap, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
                while let Some(entry) = map.next_entry::<String, f64>()? {
                    entries.push(entry);
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

impl Report {
    /// Scenarios ranked for a planner: highest REI first, then the most negative
    /// TTS − TTR gap, then id; scenarios without a TTR last.
    pub fn ranked(&self) -> Vec<&ScenarioResult> {
        let mut ranked: Vec<&ScenarioResult> = self.scenarios.iter().collect();
        ranked.sort_by(|a, b| rank_order(a, b));
        ranked
    }
}

/// The JSON document of a sweep, as `lifeline stress --format json` writes it and the
/// HTTP service returns it: `network`, `horizon`, `baseline_tts`, `baseline_tts_capped`,
/// then `scenarios` [ranked](Report::ranked), only the first `top` when given. Write it
/// with `serde_json::to_writer_pretty` and a newline for the command line's bytes.
pub fn report_document(report: &Report, top: Option<usize>) -> serde_json::Value {
    let mut ranked = report.ranked();
    if let Some(top) = top {
        ranked.truncate(top);
    }
    // Every map in a report has string keys, so turning it into a value cannot fail.
    serde_json::json!({
        "network": report.network,
        "horizon": report.horizon,
        "baseline_tts": report.baseline_tts,
        "baseline_tts_capped": report.baseline_tts_capped,
        "scenarios": ranked,
    })
}

/// The CSV report, as `lifeline stress --format csv` writes it and the service serves it:
/// one row per scenario in the order given, numbers unformatted, the demand nodes that run
/// short as `id=units` joined by `;`. Text cells are made safe for spreadsheets.
pub fn write_csv(out: impl Write, ranked: &[&ScenarioResult]) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "id",
        "kind",
        "ttr",
        "tts",
        "tts_capped",
        "gap",
        "performance_impact",
        "rei",
        "lost_units",
        "spend",
        "quadrant",
        "runs_short",
    ])?;
    let number = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
    let text = |x: &str| lifeline_text::csv_cell(x).into_owned();
    for s in ranked {
        writer.write_record([
            text(&s.id),
            text(&s.kind),
            number(s.ttr),
            s.tts.to_string(),
            s.tts_capped.to_string(),
            number(s.gap),
            number(s.performance_impact),
            number(s.rei),
            s.total_lost_units().to_string(),
            number(s.spend),
            s.quadrant
                .map(Quadrant::as_str)
                .unwrap_or_default()
                .to_owned(),
            s.lost_units.csv_cell(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

impl Quadrant {
    /// The name the JSON and CSV reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Quadrant::HighSpendHighImpact => "high_spend_high_impact",
            Quadrant::HighSpendLowImpact => "high_spend_low_impact",
            Quadrant::LowSpendHighImpact => "low_spend_high_impact",
            Quadrant::LowSpendLowImpact => "low_spend_low_impact",
        }
    }
}

fn rank_order(a: &ScenarioResult, b: &ScenarioResult) -> Ordering {
    let rei = |s: &ScenarioResult| s.rei.unwrap_or(f64::NEG_INFINITY);
    let gap = |s: &ScenarioResult| s.gap.unwrap_or(f64::INFINITY);
    rei(b)
        .total_cmp(&rei(a))
        .then_with(|| gap(a).total_cmp(&gap(b)))
        .then_with(|| a.id.cmp(&b.id))
}

/// Why reports cannot be merged into one sweep's.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    #[error("no reports to merge")]
    Empty,
    #[error(
        "report {index} is not of the same sweep as report 0: its {field} differs ({found} against {expected})"
    )]
    Mismatch {
        index: usize,
        field: &'static str,
        found: String,
        expected: String,
    },
}

/// The report of a whole sweep from the reports of its chunks: `parts[i]` is [`run`]'s
/// report on the i-th consecutive chunk of the scenarios, all on one network with one
/// [`StressConfig`]. The scenarios are concatenated in the order given, and what depends
/// on the whole set (REI, normalised by the largest impact, and the spend quadrants, cut
/// at the medians) is computed again over all of them. Since each scenario's result
/// depends only on the network, the scenario and the config, the merged report is the
/// bits [`run`] gives on all the scenarios at once.
///
/// [`run`]: crate::run
/// [`StressConfig`]: crate::StressConfig
///
/// # Errors
///
/// [`MergeError::Empty`] without reports, [`MergeError::Mismatch`] when a report's
/// network name, horizon or baseline differs from the first's.
pub fn merge(parts: Vec<Report>) -> Result<Report, MergeError> {
    let mut parts = parts.into_iter();
    let Some(mut whole) = parts.next() else {
        return Err(MergeError::Empty);
    };
    for (i, part) in parts.enumerate() {
        let mismatch =
            |field: &'static str, found: String, expected: String| MergeError::Mismatch {
                index: i + 1,
                field,
                found,
                expected,
            };
        let name = |report: &Report| format!("`{}`", lifeline_text::Excerpt(&report.network));
        if part.network != whole.network {
            return Err(mismatch("network", name(&part), name(&whole)));
        }
        if part.horizon.to_bits() != whole.horizon.to_bits() {
            return Err(mismatch(
                "horizon",
                part.horizon.to_string(),
                whole.horizon.to_string(),
            ));
        }
        if part.baseline_tts.to_bits() != whole.baseline_tts.to_bits()
            || part.baseline_tts_capped != whole.baseline_tts_capped
        {
            return Err(mismatch(
                "baseline TTS",
                part.baseline_tts.to_string(),
                whole.baseline_tts.to_string(),
            ));
        }
        whole.scenarios.extend(part.scenarios);
    }
    // Each part's REI and quadrants are relative to that part alone.
    for scenario in &mut whole.scenarios {
        scenario.rei = None;
        scenario.quadrant = None;
    }
    // The rounding `finish` does again is idempotent: rounded numbers stay as they are.
    finish(&mut whole.scenarios);
    Ok(whole)
}

pub(crate) use lifeline_network::significant;

/// Rounds the reported quantities, then fills REI and the spend quadrants once every
/// scenario is solved.
pub(crate) fn finish(scenarios: &mut [ScenarioResult]) {
    for scenario in scenarios.iter_mut() {
        scenario.tts = significant(scenario.tts);
        scenario.gap = scenario.ttr.map(|ttr| significant(scenario.tts - ttr));
        scenario.performance_impact = scenario.performance_impact.map(significant);
        for (_, units) in &mut scenario.lost_units.0 {
            *units = significant(*units);
        }
        for shipment in &mut scenario.reallocation {
            shipment.units = significant(shipment.units);
        }
    }
    let max_pi = scenarios
        .iter()
        .filter_map(|s| s.performance_impact)
        .fold(0.0_f64, f64::max);
    for scenario in scenarios.iter_mut() {
        scenario.rei = scenario
            .performance_impact
            .map(|pi| if max_pi > 0.0 { pi / max_pi } else { 0.0 });
    }
    let mut spends: Vec<f64> = scenarios.iter().filter_map(|s| s.spend).collect();
    let mut impacts: Vec<f64> = scenarios
        .iter()
        .filter(|s| s.spend.is_some())
        .filter_map(|s| s.performance_impact)
        .collect();
    let (Some(median_spend), Some(median_impact)) = (median(&mut spends), median(&mut impacts))
    else {
        return;
    };
    for scenario in scenarios.iter_mut() {
        let (Some(spend), Some(impact)) = (scenario.spend, scenario.performance_impact) else {
            continue;
        };
        scenario.quadrant = Some(match (spend >= median_spend, impact > median_impact) {
            (true, true) => Quadrant::HighSpendHighImpact,
            (true, false) => Quadrant::HighSpendLowImpact,
            (false, true) => Quadrant::LowSpendHighImpact,
            (false, false) => Quadrant::LowSpendLowImpact,
        });
    }
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(id: &str, rei: Option<f64>) -> ScenarioResult {
        ScenarioResult {
            id: id.into(),
            kind: "supplier".into(),
            ttr: rei.map(|_| 2.0),
            tts: 1.0,
            tts_capped: false,
            gap: rei.map(|_| -1.0),
            performance_impact: rei.map(|r| r * 100.0),
            rei,
            lost_units: OrderedMap(vec![("H2".into(), 5.0), ("H1".into(), 1.0)]),
            reallocation: Vec::new(),
            spend: None,
            quadrant: None,
        }
    }

    #[test]
    fn the_json_document_reads_back_into_the_same_report() {
        let mut spent = scenario("S", Some(0.25));
        spent.spend = Some(1200.0);
        spent.quadrant = Some(Quadrant::LowSpendHighImpact);
        spent.reallocation = vec![Shipment {
            from: "m@p2".into(),
            to: "m@d1".into(),
            material: "m".into(),
            units: 42.5,
            from_disrupted: false,
        }];
        let report = Report {
            network: "toy".into(),
            horizon: 30.0,
            baseline_tts: 30.0,
            baseline_tts_capped: true,
            scenarios: vec![scenario("A", Some(1.0)), spent, scenario("N", None)],
        };
        let text = serde_json::to_string(&report_document(&report, None)).expect("json");
        let back: Report = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back.ranked(), report.ranked());
        // The demand nodes keep the order written, not sorted.
        assert_eq!(back.scenarios[0].lost_units.0[0].0, "H2");
        let mut csv = Vec::new();
        write_csv(&mut csv, &back.ranked()).expect("csv");
        let csv = String::from_utf8(csv).expect("utf-8");
        assert!(
            csv.contains(",1200,low_spend_high_impact,H2=5;H1=1\n"),
            "{csv}"
        );
    }

    #[test]
    fn report_document_ranks_and_truncates() {
        let report = Report {
            network: "toy".into(),
            horizon: 30.0,
            baseline_tts: 30.0,
            baseline_tts_capped: true,
            scenarios: vec![
                scenario("A", Some(0.5)),
                scenario("B", None),
                scenario("C", Some(1.0)),
            ],
        };
        let all = report_document(&report, None);
        let keys: Vec<&str> = all
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "network",
                "horizon",
                "baseline_tts",
                "baseline_tts_capped",
                "scenarios"
            ]
        );
        let ids = |document: &serde_json::Value| -> Vec<String> {
            document["scenarios"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s["id"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(ids(&all), ["C", "A", "B"]);
        assert_eq!(ids(&report_document(&report, Some(2))), ["C", "A"]);
        assert_eq!(
            ids(&report_document(&report, Some(0))),
            Vec::<String>::new()
        );
        assert_eq!(all["baseline_tts_capped"], true);
        // Lost units keep their order, not sorted by key.
        let lost = serde_json::to_string(&all["scenarios"][0]["lost_units"]).unwrap_or_default();
        assert_eq!(lost, r#"{"H2":5.0,"H1":1.0}"#);
    }

    #[test]
    fn merging_chunks_recomputes_rei_and_quadrants_over_all() {
        let with = |id: &str, impact: f64, spend: Option<f64>| {
            let mut s = scenario(id, Some(1.0));
            s.performance_impact = Some(impact);
            s.spend = spend;
            s
        };
        let all = vec![
            with("A", 10.0, Some(5.0)),
            with("B", 40.0, Some(50.0)),
            with("C", 20.0, None),
            with("D", 30.0, Some(1.0)),
            scenario("E", None),
        ];
        let report = |scenarios: Vec<ScenarioResult>| {
            let mut scenarios = scenarios;
            finish(&mut scenarios);
            Report {
                network: "toy".into(),
                horizon: 30.0,
                baseline_tts: 30.0,
                baseline_tts_capped: true,
                scenarios,
            }
        };
        let whole = report(all.clone());
        let parts = vec![
            report(all[..1].to_vec()),
            report(all[1..3].to_vec()),
            report(all[3..].to_vec()),
        ];
        // Alone, the first chunk's scenario has the largest impact.
        assert_eq!(parts[0].scenarios[0].rei, Some(1.0));
        let parts_d_quadrant = parts[2].scenarios[0].quadrant;
        let merged = merge(parts).expect("one sweep");
        assert_eq!(merged, whole);
        assert_eq!(merged.scenarios[0].rei, Some(0.25));
        // Alone in its chunk, D's spend is the median and so "high".
        assert_eq!(parts_d_quadrant, Some(Quadrant::HighSpendLowImpact));
        assert_eq!(
            merged.scenarios[3].quadrant,
            Some(Quadrant::LowSpendLowImpact)
        );
        // Merging a merged report again changes nothing.
        assert_eq!(merge(vec![merged.clone()]), Ok(whole));
    }

    #[test]
    fn reports_of_other_sweeps_are_refused() {
        let report = |network: &str, horizon: f64| Report {
            network: network.into(),
            horizon,
            baseline_tts: 30.0,
            baseline_tts_capped: true,
            scenarios: vec![scenario("A", Some(1.0))],
        };
        assert_eq!(merge(Vec::new()), Err(MergeError::Empty));
        let error = merge(vec![report("toy", 30.0), report("toy\u{1b}[2J", 30.0)])
            .expect_err("another network");
        assert!(matches!(
            error,
            MergeError::Mismatch {
                index: 1,
                field: "network",
                ..
            }
        ));
        // The name reaches a terminal only escaped.
        assert!(!error.to_string().contains('\u{1b}'), "{error}");
        assert!(matches!(
            merge(vec![
                report("toy", 30.0),
                report("toy", 30.0),
                report("toy", 60.0)
            ]),
            Err(MergeError::Mismatch {
                index: 2,
                field: "horizon",
                ..
            })
        ));
    }

    /// Chunks of a real sweep merge into the sweep's report (the engine invariant: a
    /// scenario's result depends on the network, that scenario and the config alone).
    #[test]
    fn chunks_of_a_sweep_merge_into_the_sweep() {
        let mut config = lifeline_generate::TieredConfig::new(vec![5, 12, 30], 7);
        config.sites = 2;
        config.platforms = 1;
        config.spend = true;
        config.partial_scenarios = 3;
        let document = lifeline_generate::tiered(&config).expect("generated");
        let network = lifeline_network::from_str(
            &document.to_string(),
            lifeline_network::Format::Json,
            std::path::Path::new("generated.json"),
        )
        .expect("valid")
        .network;
        let mut scenarios = network.default_scenarios();
        scenarios.extend(network.scenarios());
        assert!(scenarios.len() > 40, "{} scenarios", scenarios.len());
        let sweep = |scenarios: &[lifeline_network::Scenario]| {
            crate::run(&network, scenarios, &crate::StressConfig::default(), &|| {})
                .expect("solves")
        };
        let whole = sweep(&scenarios);
        let cuts = [0, 1, 7, 30, scenarios.len()];
        let parts = cuts
            .windows(2)
            .map(|w| sweep(&scenarios[w[0]..w[1]]))
            .collect();
        let merged = merge(parts).expect("one sweep");
        assert_eq!(merged.scenarios.len(), whole.scenarios.len());
        for (m, w) in merged.scenarios.iter().zip(&whole.scenarios) {
            assert!(
                m == w,
                "scenario {}: {m:?}\nagainst the whole sweep's {w:?}",
                w.id
            );
        }
        assert_eq!(merged, whole);
        assert_eq!(
            serde_json::to_string(&report_document(&merged, None)).expect("json"),
            serde_json::to_string(&report_document(&whole, None)).expect("json")
        );
    }

    #[test]
    fn rounds_to_ten_significant_digits() {
        assert_eq!(significant(0.899_999_999_999_999_9), 0.9);
        assert_eq!(significant(1.285_714_285_714_285_6), 1.285_714_286);
        assert_eq!(significant(275_000.000_000_01), 275_000.0);
        assert_eq!(significant(-3.861_442_123_456_7e-7), -3.861_442_123e-7);
        assert_eq!(significant(0.0), 0.0);
        assert_eq!(significant(-0.0), 0.0);
        assert_eq!(significant(1e300), 1e300);
        assert_eq!(significant(5e-324), 5e-324);
    }
}
