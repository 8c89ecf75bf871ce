//! The stress test's pages: the overview, the sortable table with its chart, and one
//! entity's scenario.

use std::cmp::Ordering;

use askama::Template;
use lifeline_network::ValidatedNetwork;
use lifeline_sim::SimReport;
use lifeline_stress::{Report, ScenarioResult};
use lifeline_text::percent_encoded;

use super::{Chrome, NetworkItem};
use crate::format::{days, decimal, optional, units};

/// A job as a page shows it while it runs or after it failed.
#[derive(Debug, Clone)]
pub struct JobView {
    pub id: String,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub state: String,
    pub done: i64,
    pub total: i64,
    pub error: Option<String>,
}

impl JobView {
    pub fn pending(&self) -> bool {
        self.state == "queued" || self.state == "running"
    }

    pub fn failed(&self) -> bool {
        self.state == "failed"
    }
}

/// One scenario as a table row.
#[derive(Debug, Clone)]
pub struct ScenarioRow {
    pub rank: usize,
    pub id: String,
    pub href: String,
    pub kind: String,
    pub ttr: String,
    pub tts: String,
    pub gap: String,
    /// `exposed` (TTS < TTR: demand is lost before it recovers), `covered`, or empty.
    pub status: &'static str,
    pub impact: String,
    pub rei: String,
    pub lost: String,
}

impl ScenarioRow {
    pub fn of(rank: usize, s: &ScenarioResult, network_id: &str) -> ScenarioRow {
        ScenarioRow {
            rank,
            id: s.id.clone(),
            href: entity_href(network_id, &s.id),
            kind: s.kind.clone(),
            ttr: optional(s.ttr, |t| days(t, false)),
            tts: days(s.tts, s.tts_capped),
            gap: optional(s.gap, |g| {
                let text = decimal(g, 2);
                if s.tts_capped {
                    format!("≥{text}")
                } else {
                    text
                }
            }),
            status: match s.gap {
                Some(g) if g < 0.0 => "exposed",
                Some(_) => "covered",
                None => "",
            },
            impact: optional(s.performance_impact, units),
            rei: optional(s.rei, |r| decimal(r, 3)),
            lost: units(s.total_lost_units()),
        }
    }
}

/// TTS − TTR to two decimals, `≥` when TTS is capped at the horizon, `—` without a TTR.
pub fn gap_text(s: &ScenarioResult) -> String {
    optional(s.gap, |g| {
        let text = decimal(g, 2);
        if s.tts_capped {
            format!("≥{text}")
        } else {
            text
        }
    })
}

/// The day-by-day simulation of one scenario of a network.
pub fn simulate_href(network_id: &str, scenario: &str) -> String {
    format!(
        "/networks/{}/simulate?scenario={}",
        percent_encoded(network_id),
        percent_encoded(scenario)
    )
}

/// The link to one entity's scenario. Ids are percent-encoded as a path segment.
pub fn entity_href(network_id: &str, entity: &str) -> String {
    format!(
        "/networks/{}/entities/{}",
        percent_encoded(network_id),
        percent_encoded(entity)
    )
}

/// How the stress table is sorted and paged (`?sort=tts&order=asc&page=2`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TableQuery {
    pub sort: Option<String>,
    pub order: Option<String>,
    pub page: Option<usize>,
}

/// Rows per page of the stress table.
pub const PAGE_ROWS: usize = 100;

const SORTS: [(&str, &str); 9] = [
    ("rank", "Rank"),
    ("entity", "Entity"),
    ("kind", "Kind"),
    ("ttr", "TTR"),
    ("tts", "TTS"),
    ("gap", "TTS − TTR"),
    ("impact", "Impact"),
    ("rei", "REI"),
    ("lost", "Units lost"),
];

/// A column header that sorts the table.
#[derive(Debug, Clone)]
pub struct SortHeader {
    pub label: &'static str,
    pub href: String,
    /// `ascending`, `descending` or `none`, for `aria-sort`.
    pub aria_sort: &'static str,
    pub numeric: bool,
}

/// One page of the sorted stress table.
#[derive(Debug, Clone)]
pub struct StressTable {
    pub headers: Vec<SortHeader>,
    pub rows: Vec<ScenarioRow>,
    pub page: usize,
    pub pages: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl StressTable {
    /// The report's scenarios ranked, sorted as `query` asks, page `query.page`.
    pub fn new(report: &Report, network_id: &str, base: &str, query: &TableQuery) -> StressTable {
        let sort = query
            .sort
            .as_deref()
            .filter(|s| SORTS.iter().any(|(k, _)| k == s))
            .unwrap_or("rank");
        let descending = query.order.as_deref() == Some("desc");
        let mut ranked: Vec<(usize, &ScenarioResult)> = report
            .ranked()
            .into_iter()
            .enumerate()
            .map(|(i, s)| (i + 1, s))
            .collect();
        let key = |a: &(usize, &ScenarioResult), b: &(usize, &ScenarioResult)| -> Ordering {
            let num = |x: Option<f64>, y: Option<f64>| match (x, y) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            let (ra, a) = *a;
            let (rb, b) = *b;
            let by = match sort {
                "entity" => a.id.cmp(&b.id),
                "kind" => a.kind.cmp(&b.kind),
                "ttr" => num(a.ttr, b.ttr),
                "tts" => a.tts.total_cmp(&b.tts),
                "gap" => num(a.gap, b.gap),
                "impact" => num(a.performance_impact, b.performance_impact),
                "rei" => num(a.rei, b.rei),
                "lost" => a.total_lost_units().total_cmp(&b.total_lost_units()),
                _ => Ordering::Equal,
            };
            by.then(ra.cmp(&rb))
        };
        ranked.sort_by(|a, b| if descending { key(b, a) } else { key(a, b) });
        let total = ranked.len();
        let pages = total.div_ceil(PAGE_ROWS).max(1);
        let page = query.page.unwrap_or(1).clamp(1, pages);
        let order = if descending { "desc" } else { "asc" };
        let link = |page: usize| format!("{base}?sort={sort}&order={order}&page={page}");
        let headers = SORTS
            .iter()
            .map(|&(k, label)| {
                let current = k == sort;
                let next_order = if current && !descending {
                    "desc"
                } else {
                    "asc"
                };
                SortHeader {
                    label,
                    href: format!("{base}?sort={k}&order={next_order}"),
                    aria_sort: match (current, descending) {
                        (false, _) => "none",
                        (true, false) => "ascending",
                        (true, true) => "descending",
                    },
                    numeric: !matches!(k, "entity" | "kind"),
                }
            })
            .collect();
        let rows = ranked
            .into_iter()
            .skip((page - 1) * PAGE_ROWS)
            .take(PAGE_ROWS)
            .map(|(rank, s)| ScenarioRow::of(rank, s, network_id))
            .collect();
        StressTable {
            headers,
            rows,
            page,
            pages,
            total,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

/// A demand node that runs short in the worst scenario, and when.
#[derive(Debug, Clone)]
pub struct FirstShort {
    pub hospital: String,
    pub item: String,
    pub node: String,
    pub day: u32,
    pub days_of_supply: String,
    pub unmet: String,
}

impl FirstShort {
    /// The demand nodes that run short in `report`, soonest first (then the most units
    /// short), at most `limit`. The hospital is the node's site, else its id.
    pub fn rows(report: &SimReport, network: &ValidatedNetwork, limit: usize) -> Vec<FirstShort> {
        let nodes = &network.network().nodes;
        let mut short: Vec<_> = report
            .demand_nodes
            .iter()
            .filter_map(|d| d.first_stockout_day.map(|day| (day, d)))
            .collect();
        short.sort_by(|(a, x), (b, y)| {
            a.cmp(b)
                .then(y.unmet_units.total_cmp(&x.unmet_units))
                .then(x.id.cmp(&y.id))
        });
        short
            .into_iter()
            .take(limit)
            .map(|(day, d)| {
                let node = nodes.iter().find(|n| n.id == d.id);
                FirstShort {
                    hospital: node
                        .and_then(|n| n.site.clone())
                        .unwrap_or_else(|| d.id.clone()),
                    item: d.material.clone(),
                    node: d.id.clone(),
                    day,
                    days_of_supply: optional(d.days_of_supply_at_start, |x| decimal(x, 1)),
                    unmet: units(d.unmet_units),
                }
            })
            .collect()
    }
}

/// `/`: the selected network's entities ranked by REI, TTS against TTR, and who runs short
/// first in the worst scenario.
#[derive(Debug, Template)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    pub chrome: Chrome,
    pub networks: Vec<NetworkItem>,
    pub selected: Option<NetworkItem>,
    pub job: Option<JobView>,
    /// The first rows of the ranking.
    pub ranking: Vec<ScenarioRow>,
    /// Scenarios in the report, and how many lose demand before the entity recovers.
    pub scenarios: usize,
    pub exposed: usize,
    /// The worst scenario, which `first_short` simulates.
    pub worst: Option<ScenarioRow>,
    pub first_short: Vec<FirstShort>,
    /// The day-by-day simulation of the worst scenario.
    pub simulate_href: String,
    pub chart: String,
    /// Vendor evidence (register and uploaded files) expiring within 30 days, or expired.
    pub reminders: Vec<super::ReminderRow>,
}

/// How many entities the overview ranks (the stress page lists them all).
pub const OVERVIEW_ROWS: usize = 15;

impl OverviewPage {
    /// Counts of the report's scenarios: all, and those with TTS < TTR.
    pub fn counts(report: &Report) -> (usize, usize) {
        let exposed = report
            .scenarios
            .iter()
            .filter(|s| s.gap.is_some_and(|g| g < 0.0))
            .count();
        (report.scenarios.len(), exposed)
    }
}

/// `/networks/{id}/stress`: the TTS-versus-TTR chart, the table, the downloads.
#[derive(Debug, Template)]
#[template(path = "stress.html")]
pub struct StressPage {
    pub chrome: Chrome,
    pub network: NetworkItem,
    pub job: Option<JobView>,
    pub table: Option<StressTable>,
    pub exposed: usize,
    pub chart: String,
    /// Whether the caller may start a new sweep.
    pub can_run: bool,
}

/// A demand node's units lost in a scenario.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LostRow {
    pub hospital: String,
    pub item: String,
    pub node: String,
    pub units: String,
}

/// One shipment of the rerouting plan.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reroute {
    pub from: String,
    pub to: String,
    pub material: String,
    pub units: String,
    pub from_disrupted: bool,
}

impl LostRow {
    /// The demand nodes that lose units in `scenario`, in the report's order; the hospital
    /// is the node's site, else its id.
    pub fn all(scenario: &ScenarioResult, network: &ValidatedNetwork) -> Vec<LostRow> {
        let nodes = &network.network().nodes;
        scenario
            .lost_units
            .0
            .iter()
            .map(|(id, u)| {
                let node = network.node_index(id).map(|n| &nodes[n]);
                LostRow {
                    hospital: node
                        .and_then(|n| n.site.clone())
                        .unwrap_or_else(|| id.clone()),
                    item: node.map(|n| n.material.clone()).unwrap_or_default(),
                    node: id.clone(),
                    units: units(*u),
                }
            })
            .collect()
    }
}

impl Reroute {
    /// The shipments of `scenario`'s rerouting plan.
    pub fn all(scenario: &ScenarioResult) -> Vec<Reroute> {
        scenario
            .reallocation
            .iter()
            .map(|s| Reroute {
                from: s.from.clone(),
                to: s.to.clone(),
                material: s.material.clone(),
                units: units(s.units),
                from_disrupted: s.from_disrupted,
            })
            .collect()
    }
}

/// `/networks/{id}/entities/{entity}`: one entity's scenario.
#[derive(Debug, Template)]
#[template(path = "entity.html")]
pub struct EntityPage {
    pub chrome: Chrome,
    pub network: NetworkItem,
    pub row: ScenarioRow,
    pub tts_value: String,
    pub ttr_value: String,
    pub gap_value: String,
    pub lost: Vec<LostRow>,
    pub reroute: Vec<Reroute>,
    pub simulate_href: String,
}

impl EntityPage {
    pub fn new(
        chrome: Chrome,
        network: NetworkItem,
        rank: usize,
        scenario: &ScenarioResult,
        model: &ValidatedNetwork,
    ) -> EntityPage {
        let lost = LostRow::all(scenario, model);
        let reroute = Reroute::all(scenario);
        let number = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
        EntityPage {
            simulate_href: simulate_href(&network.id, &scenario.id),
            row: ScenarioRow::of(rank, scenario, &network.id),
            network,
            chrome,
            tts_value: scenario.tts.to_string(),
            ttr_value: number(scenario.ttr),
            gap_value: number(scenario.gap),
            lost,
            reroute,
        }
    }
}
