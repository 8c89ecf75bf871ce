//! The simulation pages: one scenario day by day (days of supply per hospital and item, the
//! outage shaded, who runs out when), and Monte Carlo over drawn outages (P(stockout) with
//! its interval per hospital and item).

use std::collections::HashMap;

use askama::Template;
use lifeline_network::ValidatedNetwork;
use lifeline_sim::{DemandOutcome, DemandRisk, MonteCarloReport, SimReport};

use super::{Chrome, JobView, NetworkItem};
use crate::chart::{self, xml};
use crate::format::{decimal, optional, units};
use lifeline_text::percent_encoded;

/// A problem with a form field, shown above the form and next to the field.
#[derive(Debug, Clone)]
pub struct FormError {
    /// The form field's name (`days`, `outage`, ...), empty when the problem is not about
    /// one field.
    pub field: String,
    /// The field as the form labels it.
    pub label: String,
    pub message: String,
    pub hint: Option<String>,
}

impl FormError {
    /// An error about `field` of a form whose fields are labelled by `labels`. A field
    /// given as a command-line flag (`--outage`, `--capacity-factor`), as the analysis
    /// libraries name them, is the form field of the same name.
    pub fn new(
        field: &str,
        message: impl Into<String>,
        hint: Option<String>,
        labels: &[(&str, &str)],
    ) -> FormError {
        let field = field.trim_start_matches("--").replace('-', "_");
        let label = labels
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, label)| (*label).to_owned())
            .unwrap_or_else(|| field.clone());
        FormError {
            field,
            label,
            message: message.into(),
            hint,
        }
    }
}

/// Whether `errors` has one about `field` (the template marks the field invalid).
fn names(errors: &[FormError], field: &str) -> bool {
    errors.iter().any(|e| e.field == field)
}

/// The hospital of a demand node: its site, else its own id.
fn hospitals(network: &ValidatedNetwork) -> HashMap<&str, &str> {
    network
        .nodes()
        .iter()
        .map(|n| (n.id.as_str(), n.site.as_deref().unwrap_or(n.id.as_str())))
        .collect()
}

/// `12.5%`: a probability as a percentage with at most one decimal.
pub fn percent(p: f64) -> String {
    format!("{}%", decimal(p * 100.0, 1))
}

/// One scenario in the simulation form's list.
#[derive(Debug, Clone)]
pub struct ScenarioOption {
    pub id: String,
    pub selected: bool,
}

/// The simulation form's labels, by field name.
pub const SIM_FIELDS: [(&str, &str); 2] = [("scenario", "Scenario"), ("days", "Days")];

/// `/networks/{id}/simulate?scenario=S&days=N`: the form, and the simulation it asks for.
#[derive(Debug, Template)]
#[template(path = "simulate.html")]
pub struct SimulatePage {
    pub chrome: Chrome,
    pub network: NetworkItem,
    pub scenarios: Vec<ScenarioOption>,
    /// The days typed (empty: the network's horizon).
    pub days: String,
    /// The network's horizon in days, the default.
    pub horizon: u32,
    pub errors: Vec<FormError>,
    pub result: Option<SimView>,
}

impl SimulatePage {
    /// The scenario options: the network's scenario ids in order, `selected` chosen (added
    /// first when the network's list lacks it, as an entity id with a TTR can be).
    pub fn options(ids: &[&str], selected: &str) -> Vec<ScenarioOption> {
        let mut options: Vec<ScenarioOption> = ids
            .iter()
            .map(|id| ScenarioOption {
                id: (*id).to_owned(),
                selected: *id == selected,
            })
            .collect();
        if !selected.is_empty() && !ids.contains(&selected) {
            options.insert(
                0,
                ScenarioOption {
                    id: selected.to_owned(),
                    selected: true,
                },
            );
        }
        options
    }

    pub fn invalid(&self, field: &str) -> bool {
        names(&self.errors, field)
    }
}

/// One demand node of a simulation.
#[derive(Debug, Clone)]
pub struct SimRow {
    pub hospital: String,
    pub item: String,
    pub node: String,
    pub days_of_supply: String,
    /// The first day short, empty when it never runs short.
    pub first_stockout: String,
    pub shortage_days: u32,
    pub unmet: String,
    pub short: bool,
}

/// A simulation's result as the page shows it.
#[derive(Debug, Clone)]
pub struct SimView {
    pub scenario: String,
    pub days: u32,
    pub start: u32,
    pub outage_days: u32,
    /// The day-by-day plot, SVG with its title and description.
    pub plot: String,
    /// Demand nodes, soonest stockout first, at most [`SIM_ROWS`].
    pub rows: Vec<SimRow>,
    /// Demand nodes in all, and how many run short.
    pub nodes: usize,
    pub nodes_short: usize,
    pub shortage_node_days: String,
    pub unmet: String,
    pub loss: String,
    pub downtime_cost: Option<String>,
    /// Warnings worth reading about the run (nodes that never order, shortages with
    /// nothing disrupted).
    pub warnings: Vec<String>,
    /// The day-by-day series as CSV.
    pub csv_href: String,
}

/// Rows of the simulation table at most (the soonest to run short).
pub const SIM_ROWS: usize = 500;

impl SimView {
    /// The view of `report` (run with its series) on `network`; `plot` is
    /// [`lifeline_sim::plot::svg`]'s drawing of it.
    pub fn new(
        report: &SimReport,
        network: &ValidatedNetwork,
        network_id: &str,
        plot: &str,
        warnings: Vec<String>,
    ) -> SimView {
        let hospitals = hospitals(network);
        let mut nodes: Vec<&DemandOutcome> = report.demand_nodes.iter().collect();
        // As `lifeline simulate` lists them: soonest stockout first, then the largest loss.
        nodes.sort_by(|a, b| {
            let first = |n: &DemandOutcome| n.first_stockout_day.unwrap_or(u32::MAX);
            first(a)
                .cmp(&first(b))
                .then(b.loss.total_cmp(&a.loss))
                .then(a.id.cmp(&b.id))
        });
        let rows = nodes
            .iter()
            .take(SIM_ROWS)
            .map(|n| SimRow {
                hospital: hospitals
                    .get(n.id.as_str())
                    .map_or_else(|| n.id.clone(), |h| (*h).to_owned()),
                item: n.material.clone(),
                node: n.id.clone(),
                days_of_supply: optional(n.days_of_supply_at_start, |d| decimal(d, 1)),
                first_stockout: n
                    .first_stockout_day
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                shortage_days: n.shortage_days,
                unmet: units(n.unmet_units),
                short: n.shortage_days > 0,
            })
            .collect();
        let totals = &report.totals;
        let title = format!("{}: days of supply on hand, day by day", report.scenario);
        let desc = format!(
            "Days of supply on hand at the end of each day for the most affected hospitals \
             and items, over {} days; shaded days are those with capacity lost ({} days from \
             day {}). {} of {} demand nodes run short; the table below gives the numbers.",
            report.days,
            report.outage_days,
            report.start,
            totals.nodes_short,
            report.demand_nodes.len()
        );
        SimView {
            scenario: report.scenario.clone(),
            days: report.days,
            start: report.start,
            outage_days: report.outage_days,
            plot: labelled_svg(plot, "sim-plot", &title, &desc),
            rows,
            nodes: report.demand_nodes.len(),
            nodes_short: totals.nodes_short,
            shortage_node_days: units(totals.shortage_node_days as f64),
            unmet: units(totals.unmet_units),
            loss: units(totals.loss),
            downtime_cost: totals.downtime_cost.map(units),
            warnings,
            csv_href: format!(
                "/networks/{}/simulate.csv?scenario={}&days={}",
                percent_encoded(network_id),
                percent_encoded(&report.scenario),
                report.days
            ),
        }
    }
}

/// `svg` (a drawing whose text is already escaped, as plotters writes it) with an id, a
/// class, `role="img"` and a `<title>` and `<desc>` that label it; `title` and `desc` are
/// escaped here. Anything that is not an `<svg>` element comes back empty.
pub fn labelled_svg(svg: &str, id: &str, title: &str, desc: &str) -> String {
    let Some(open) = svg.find("<svg") else {
        return String::new();
    };
    let Some(end) = svg[open..].find('>').map(|i| open + i) else {
        return String::new();
    };
    let id = xml(id);
    format!(
        "<svg id=\"{id}\" class=\"chart\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\"{}><title id=\"{id}-title\">{}</title>\
         <desc id=\"{id}-desc\">{}</desc>{}",
        &svg[open + 4..end],
        xml(title),
        xml(desc),
        &svg[end + 1..]
    )
}

/// An entity that can go down in a Monte Carlo run: a node, site or platform with a TTR.
#[derive(Debug, Clone)]
pub struct EntityOption {
    pub id: String,
    /// `node`, `site` or `platform`.
    pub kind: String,
    pub ttr: String,
    pub selected: bool,
}

/// What the Monte Carlo form holds: the values typed last, or the defaults.
#[derive(Debug, Clone)]
pub struct MonteCarloForm {
    pub entities: Vec<EntityOption>,
    pub duration: String,
    pub replications: String,
    pub seed: String,
    /// Days per replication (empty: the network's horizon).
    pub days: String,
}

/// The Monte Carlo form's labels, by field name.
pub const MC_FIELDS: [(&str, &str); 7] = [
    ("outage", "Entities that go down"),
    ("duration", "Outage duration"),
    ("replications", "Replications"),
    ("seed", "Seed"),
    ("days", "Days per replication"),
    ("start", "Outage start"),
    ("capacity_factor", "Capacity left while down"),
];

/// `/networks/{id}/montecarlo`: the form (analysts and admins), the newest run's progress
/// and its result.
#[derive(Debug, Template)]
#[template(path = "montecarlo.html")]
pub struct MonteCarloPage {
    pub chrome: Chrome,
    pub network: NetworkItem,
    /// The form, for those who may start a run.
    pub form: Option<MonteCarloForm>,
    pub errors: Vec<FormError>,
    pub horizon: u32,
    pub job: Option<JobView>,
    pub result: Option<MonteCarloView>,
}

impl MonteCarloPage {
    pub fn invalid(&self, field: &str) -> bool {
        names(&self.errors, field)
    }
}

/// One demand node's P(stockout) over the replications.
#[derive(Debug, Clone)]
pub struct RiskRow {
    pub hospital: String,
    pub item: String,
    pub node: String,
    /// The report's exact numbers (for `data-value`), and as the page shows them.
    pub p_value: String,
    pub low_value: String,
    pub high_value: String,
    pub p: String,
    pub low: String,
    pub high: String,
    pub first_day: String,
    pub shortage_days: String,
}

/// P(TTR > TTS): how often a drawn outage outlasts the time to survive.
#[derive(Debug, Clone)]
pub struct TtsView {
    pub tts: String,
    pub p_value: String,
    pub p: String,
    pub low: String,
    pub high: String,
}

/// A Monte Carlo report as the page shows it.
#[derive(Debug, Clone)]
pub struct MonteCarloView {
    pub targets: String,
    /// The duration distribution as the report spells it (the server shows the text the
    /// run was asked with instead, `ransomware-downtime` rather than its parameters).
    pub duration: String,
    pub start: String,
    pub capacity_factor: String,
    pub replications: u32,
    pub seed: u64,
    pub days: u32,
    pub drawn_mean: String,
    pub drawn_p50: String,
    pub drawn_p90: String,
    pub drawn_p99: String,
    pub any: String,
    pub any_low: String,
    pub any_high: String,
    pub tts: Option<TtsView>,
    pub chart: String,
    /// How many bars the chart draws (the highest P(stockout)).
    pub charted: usize,
    pub rows: Vec<RiskRow>,
    /// Demand nodes in the report.
    pub nodes: usize,
}

/// Bars in the P(stockout) chart at most.
pub const MC_BARS: usize = 25;
/// Rows of the Monte Carlo table at most.
pub const MC_ROWS: usize = 500;

impl MonteCarloView {
    pub fn new(report: &MonteCarloReport, network: &ValidatedNetwork) -> MonteCarloView {
        let hospitals = hospitals(network);
        let hospital = |id: &str| {
            hospitals
                .get(id)
                .map_or_else(|| id.to_owned(), |h| (*h).to_owned())
        };
        let mut nodes: Vec<&DemandRisk> = report.demand_nodes.iter().collect();
        // As `lifeline montecarlo` lists them: the most likely to run short first.
        nodes.sort_by(|a, b| {
            b.p_stockout
                .total_cmp(&a.p_stockout)
                .then(b.loss.p90.total_cmp(&a.loss.p90))
                .then(a.id.cmp(&b.id))
        });
        let bars: Vec<chart::RiskBar> = nodes
            .iter()
            .take(MC_BARS)
            .map(|n| chart::RiskBar {
                label: format!("{} · {}", hospital(&n.id), n.material),
                p: n.p_stockout,
                low: n.p_stockout_ci[0],
                high: n.p_stockout_ci[1],
            })
            .collect();
        let rows = nodes
            .iter()
            .take(MC_ROWS)
            .map(|n| RiskRow {
                hospital: hospital(&n.id),
                item: n.material.clone(),
                node: n.id.clone(),
                p_value: n.p_stockout.to_string(),
                low_value: n.p_stockout_ci[0].to_string(),
                high_value: n.p_stockout_ci[1].to_string(),
                p: percent(n.p_stockout),
                low: percent(n.p_stockout_ci[0]),
                high: percent(n.p_stockout_ci[1]),
                first_day: optional(n.first_stockout_day_p50, |d| decimal(d, 1)),
                shortage_days: format!(
                    "{} / {} / {}",
                    decimal(n.shortage_days_p50, 1),
                    decimal(n.shortage_days_p90, 1),
                    decimal(n.shortage_days_p99, 1)
                ),
            })
            .collect();
        let o = &report.outage;
        let t = &report.totals;
        let targets = o.targets.join(" + ");
        let chart = chart::p_stockout(
            &bars,
            &format!(
                "P(stockout) per hospital and item: {targets} down, {} replications",
                report.replications
            ),
        );
        MonteCarloView {
            duration: o.duration.clone(),
            start: o.start.clone(),
            capacity_factor: decimal(o.capacity_factor, 3),
            replications: report.replications,
            seed: report.seed,
            days: report.days,
            drawn_mean: decimal(o.drawn_duration.mean, 1),
            drawn_p50: decimal(o.drawn_duration.p50, 1),
            drawn_p90: decimal(o.drawn_duration.p90, 1),
            drawn_p99: decimal(o.drawn_duration.p99, 1),
            any: percent(t.p_any_stockout),
            any_low: percent(t.p_any_stockout_ci[0]),
            any_high: percent(t.p_any_stockout_ci[1]),
            tts: report.tts.as_ref().map(|c| TtsView {
                tts: decimal(c.tts, 2),
                p_value: c.p_tts_short.to_string(),
                p: percent(c.p_tts_short),
                low: percent(c.p_tts_short_ci[0]),
                high: percent(c.p_tts_short_ci[1]),
            }),
            charted: bars.len(),
            chart,
            rows,
            nodes: report.demand_nodes.len(),
            targets,
        }
    }
}

#[cfg(test)]
mod tests {
    use lifeline_network::{Format, from_str};
    use lifeline_sim::{MonteCarlo, OutageSpec, SimOptions, Simulator};

    use super::*;
    use crate::{Tab, render};

    /// A supplier down for 5 days and a hospital with 3 days of stock, 1 day away.
    fn network() -> ValidatedNetwork {
        let doc = r#"{"format": "lifeline-network/1", "nodes": [
            {"id": "S", "ttr": 5},
            {"id": "H", "demand": 10, "inventory": 30}],
          "edges": [{"from": "S", "to": "H", "lead_time": 1}]}"#;
        from_str(doc, Format::Json, "doc.json".as_ref())
            .expect("a network")
            .network
    }

    fn chrome() -> Chrome {
        Chrome {
            user: "ada".into(),
            org: "north".into(),
            role: "analyst".into(),
            csrf: "token-1".into(),
            can_upload: true,
            tab: Tab::Networks,
        }
    }

    fn item() -> NetworkItem {
        NetworkItem {
            id: "net_1".into(),
            name: "toy".into(),
            version: 1,
            org: "north".into(),
            shared: false,
            nodes: "2".into(),
            edges: "1".into(),
            uploaded: String::new(),
            uploaded_by: "ada".into(),
        }
    }

    #[test]
    fn the_simulation_page_shows_the_plot_and_each_hospitals_first_stockout_day() {
        let network = network();
        let scenario = &network.scenarios()[0];
        let report = Simulator::new(&network).run(scenario, &SimOptions::days(10).with_series());
        let plot = lifeline_sim::plot::svg(&report, 8).expect("a plot");
        let page = SimulatePage {
            chrome: chrome(),
            network: item(),
            scenarios: SimulatePage::options(&["S"], "S"),
            days: "10".into(),
            horizon: 365,
            errors: vec![FormError::new("days", "a <b>", None, &SIM_FIELDS)],
            result: Some(SimView::new(&report, &network, "net_1", &plot, Vec::new())),
        };
        let html = render(&page).expect("rendered");
        assert!(html.contains("<svg id=\"sim-plot\" class=\"chart\" role=\"img\""));
        assert!(html.contains("<option value=\"S\" selected>"));
        // Out on day 3 (see lifeline-sim's example), short until the supplier is back.
        assert!(
            html.contains(
                "<tr data-node=\"H\"><th scope=\"row\">H</th><td>H</td><td>H</td>\
             <td class=\"num\">3</td><td class=\"num first-stockout\" data-value=\"3\">3</td>"
            ),
            "{html}"
        );
        assert!(html.contains("Total: 1 of 1 run short"));
        assert!(html.contains("href=\"/networks/net_1/simulate.csv?scenario=S&#38;days=10\""));
        assert!(html.contains("<a href=\"#sim-days\">Days</a>"));
        assert!(html.contains("a &#60;b&#62;"), "errors are escaped: {html}");
        assert!(html.contains("aria-invalid=\"true\""));
    }

    #[test]
    fn the_monte_carlo_page_shows_the_chart_and_table_and_the_form_only_to_who_may_run() {
        let network = network();
        let outage = OutageSpec {
            outage: vec!["S".into()],
            duration: "fixed:5".into(),
            ..OutageSpec::default()
        }
        .build(&network)
        .expect("an outage");
        let run = MonteCarlo {
            replications: 50,
            seed: 1,
            days: 20,
            tts: None,
        };
        let report = Simulator::new(&network).montecarlo(&outage, &run, &|_| {});
        let view = MonteCarloView::new(&report, &network);
        assert_eq!(view.rows.len(), 1);
        assert_eq!(
            view.rows[0].p_value, "1",
            "a 5-day outage always empties 3 days of stock"
        );
        let form = MonteCarloForm {
            entities: vec![EntityOption {
                id: "S".into(),
                kind: "node".into(),
                ttr: "5 days".into(),
                selected: true,
            }],
            duration: "fixed:5".into(),
            replications: "50".into(),
            seed: "1".into(),
            days: String::new(),
        };
        let mut page = MonteCarloPage {
            chrome: chrome(),
            network: item(),
            form: Some(form),
            errors: Vec::new(),
            horizon: 365,
            job: None,
            result: Some(view),
        };
        let html = render(&page).expect("rendered");
        assert!(html.contains("<svg id=\"mc-chart\""));
        assert!(html.contains("<td class=\"num p-stockout\" data-value=\"1\">100%</td>"));
        assert!(html.contains("<form id=\"montecarlo-form\""));
        assert!(html.contains("<input type=\"hidden\" name=\"csrf\" value=\"token-1\">"));
        assert!(html.contains("<option value=\"S\" selected>S (node, TTR 5 days)</option>"));
        assert!(!html.contains("id=\"job-progress\""));

        page.form = None;
        page.job = Some(JobView {
            id: "job_1".into(),
            state: "running".into(),
            done: 10,
            total: 50,
            error: None,
        });
        let html = render(&page).expect("rendered");
        assert!(!html.contains("montecarlo-form"));
        assert!(html.contains("id=\"no-run\""));
        assert!(html.contains("<progress id=\"job-progress\" max=\"50\" value=\"10\">"));
        assert!(html.contains("<meta http-equiv=\"refresh\" content=\"2\">"));
    }

    #[test]
    fn a_plot_gets_its_label_and_keeps_its_drawing() {
        let svg = "<svg width=\"10\" height=\"5\" viewBox=\"0 0 10 5\" \
                   xmlns=\"http://www.w3.org/2000/svg\">\n<text>a&amp;b</text></svg>";
        let out = labelled_svg(svg, "sim-plot", "x<y", "d&d");
        assert!(out.starts_with(
            "<svg id=\"sim-plot\" class=\"chart\" role=\"img\" \
             aria-labelledby=\"sim-plot-title sim-plot-desc\" width=\"10\""
        ));
        assert!(out.contains("<title id=\"sim-plot-title\">x&lt;y</title>"));
        assert!(
            out.contains("<desc id=\"sim-plot-desc\">d&amp;d</desc>\n<text>a&amp;b</text></svg>")
        );
        assert_eq!(labelled_svg("no drawing", "p", "t", "d"), "");
    }

    #[test]
    fn form_errors_name_the_form_field() {
        let e = FormError::new("--capacity-factor", "too big", None, &MC_FIELDS);
        assert_eq!(e.field, "capacity_factor");
        assert_eq!(e.label, "Capacity left while down");
        let e = FormError::new("scenario", "no scenario `x`", None, &SIM_FIELDS);
        assert_eq!(e.label, "Scenario");
        assert_eq!(percent(0.125), "12.5%");
        assert_eq!(percent(1.0), "100%");
    }

    #[test]
    fn the_selected_scenario_is_listed_even_when_the_network_does_not_list_it() {
        let options = SimulatePage::options(&["a", "b"], "b");
        assert_eq!(options.len(), 2);
        assert!(options[1].selected && !options[0].selected);
        let options = SimulatePage::options(&["a", "b"], "plant");
        assert_eq!(options[0].id, "plant");
        assert!(options[0].selected);
        assert_eq!(options.len(), 3);
    }
}
