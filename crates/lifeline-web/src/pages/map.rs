//! The network page: the interactive supply map (drawn in the browser from the layout of
//! [`crate::map`]), its legend in words, and the same entities as a paged table for
//! keyboards, screen readers and browsers without JavaScript.

use askama::Template;

use super::{Chrome, JobView, NetworkItem, PAGE_ROWS, entity_href};
use crate::format::{decimal, units};
use crate::map::{MapKind, MapLayout, Status};
use lifeline_text::percent_encoded;

/// One line of the legend: a colour class in words, and how many entities have it.
#[derive(Debug, Clone)]
pub struct LegendRow {
    pub status: &'static str,
    pub words: String,
    pub count: String,
}

/// One entity as the table lists it.
#[derive(Debug, Clone)]
pub struct MapRow {
    pub id: String,
    pub name: String,
    /// The entity's scenario page, when the stress test has one.
    pub href: Option<String>,
    /// `site`, `node` or `platform`, then the entity's own kind.
    pub kind: String,
    pub tier: String,
    pub members: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub gap: String,
}

/// `/networks/{id}`: the supply map and its entities.
#[derive(Debug, Template)]
#[template(path = "network.html")]
pub struct NetworkPage {
    pub chrome: Chrome,
    pub network: NetworkItem,
    /// Where the browser loads the map (`map.json`) and an entity's panel (`+ id`).
    pub map_src: String,
    pub panel_src: String,
    /// The newest stress job, while it runs or if it failed.
    pub job: Option<JobView>,
    /// Which stress result colours the map, in words; `None` when there is none.
    pub rated_by: Option<String>,
    /// The text alternative of the map.
    pub summary: String,
    pub legend: Vec<LegendRow>,
    pub rows: Vec<MapRow>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl NetworkPage {
    /// The page of `map`, its table sorted most exposed first (then by TTS − TTR, then
    /// id), page `page` of [`PAGE_ROWS`] rows.
    pub fn new(
        chrome: Chrome,
        network: NetworkItem,
        map: &MapLayout,
        job: Option<JobView>,
        rated_by: Option<String>,
        page: usize,
    ) -> NetworkPage {
        let base = format!("/networks/{}", percent_encoded(&network.id));
        let mut sorted: Vec<_> = map.entities.iter().collect();
        sorted.sort_by(|a, b| {
            a.status
                .cmp(&b.status)
                .then(
                    a.gap
                        .unwrap_or(f64::INFINITY)
                        .total_cmp(&b.gap.unwrap_or(f64::INFINITY)),
                )
                .then(a.id.cmp(&b.id))
        });
        let total = sorted.len();
        let pages = total.div_ceil(PAGE_ROWS).max(1);
        let page = page.clamp(1, pages);
        let rows = sorted
            .into_iter()
            .skip((page - 1) * PAGE_ROWS)
            .take(PAGE_ROWS)
            .map(|e| MapRow {
                id: e.id.clone(),
                name: e.name.clone().unwrap_or_default(),
                href: e.scenario.then(|| entity_href(&network.id, &e.id)),
                kind: match &e.role {
                    Some(role) => format!("{} · {role}", e.kind.as_str()),
                    None => e.kind.as_str().to_owned(),
                },
                tier: match e.tier {
                    Some(t) => format!("Tier {}", t + 1),
                    None => "platform".to_owned(),
                },
                members: units(e.members as f64),
                status: e.status.as_str(),
                status_label: label(e.status),
                gap: e
                    .gap
                    .map(|g| decimal(g, 2))
                    .unwrap_or_else(|| "—".to_owned()),
            })
            .collect();
        let count = |s: Status| map.entities.iter().filter(|e| e.status == s).count();
        let legend = Status::ALL
            .iter()
            .map(|&s| LegendRow {
                status: s.as_str(),
                words: s.words(&map.time_unit),
                count: units(count(s) as f64),
            })
            .collect();
        let link = |p: usize| format!("{base}?page={p}#entities-title");
        NetworkPage {
            summary: summary(map, rated_by.is_some()),
            map_src: format!("{base}/map.json"),
            panel_src: format!("{base}/map/entities/"),
            chrome,
            network,
            job,
            rated_by,
            legend,
            rows,
            total,
            page,
            pages,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

/// `1 site`, `1,204 sites`.
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", units(n as f64))
    }
}

fn label(status: Status) -> &'static str {
    match status {
        Status::Exposed => "Exposed",
        Status::Tight => "Tight",
        Status::Covered => "Covered",
        Status::Untested => "Not rated",
    }
}

/// The map in one paragraph: what it holds, tier by tier, and what is exposed.
fn summary(map: &MapLayout, rated: bool) -> String {
    let of = |kind: MapKind| map.entities.iter().filter(|e| e.kind == kind).count();
    let platforms = of(MapKind::Platform);
    let parts: Vec<String> = [
        (of(MapKind::Site), "site", "sites"),
        (
            of(MapKind::Node),
            "node without a site",
            "nodes without a site",
        ),
        (platforms, "platform", "platforms"),
    ]
    .iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|&(n, one, many)| plural(n, one, many))
    .collect();
    let tiers: Vec<String> = map
        .tiers
        .iter()
        .map(|t| format!("{} ({})", t.label, units(t.entities as f64)))
        .collect();
    let mut text = format!(
        "{} ({}) joined by {}, drawn left to right in {}: {}.",
        plural(map.entities.len(), "entity", "entities"),
        parts.join(", "),
        plural(map.links.len(), "link", "links"),
        plural(map.tiers.len(), "tier", "tiers"),
        tiers.join("; ")
    );
    if platforms > 0 {
        text.push_str(" Platforms are drawn above, linked to the entities that depend on them.");
    }
    if rated {
        let mut exposed: Vec<(f64, &str)> = map
            .entities
            .iter()
            .filter(|e| e.status == Status::Exposed)
            .map(|e| (e.gap.unwrap_or_default(), e.id.as_str()))
            .collect();
        exposed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        let exposed: Vec<&str> = exposed.into_iter().map(|(_, id)| id).collect();
        match exposed.as_slice() {
            [] => text.push_str(" No entity is exposed."),
            [one] => text.push_str(&format!(" One entity is exposed: {one}.")),
            many if many.len() <= 5 => text.push_str(&format!(
                " {} entities are exposed, the most first: {}.",
                many.len(),
                many.join(", ")
            )),
            many => text.push_str(&format!(
                " {} entities are exposed; the table below lists them first.",
                units(many.len() as f64)
            )),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tab;

    fn chrome() -> Chrome {
        Chrome {
            user: "ada".to_owned(),
            org: "north".to_owned(),
            role: "viewer".to_owned(),
            csrf: "token".to_owned(),
            can_upload: false,
            tab: Tab::Networks,
        }
    }

    fn item() -> NetworkItem {
        NetworkItem {
            id: "n1".to_owned(),
            name: "<small>".to_owned(),
            version: 2,
            org: "north".to_owned(),
            shared: false,
            nodes: "6".to_owned(),
            edges: "5".to_owned(),
            uploaded: "2026-12-06 05:00 UTC".to_owned(),
            uploaded_by: "ada".to_owned(),
        }
    }

    fn entity(id: &str, status: Status, gap: Option<f64>) -> crate::map::MapEntity {
        crate::map::MapEntity {
            id: id.to_owned(),
            name: None,
            kind: MapKind::Node,
            role: Some("supplier".to_owned()),
            members: 1,
            demand: false,
            tier: Some(0),
            x: 0.0,
            y: 0.0,
            status,
            scenario: gap.is_some(),
            gap,
        }
    }

    fn map(entities: Vec<crate::map::MapEntity>) -> MapLayout {
        MapLayout {
            width: 0.0,
            height: 0.0,
            tiers: vec![crate::map::Tier {
                index: 0,
                label: "Tier 1 (sources) · supplier".to_owned(),
                x: 0.0,
                width: 0.0,
                entities: entities.len(),
            }],
            entities,
            links: Vec::new(),
            rated: true,
            time_unit: "day".to_owned(),
        }
    }

    #[test]
    fn the_table_lists_the_most_exposed_first_with_links_and_words() {
        let map = map(vec![
            entity("b", Status::Covered, Some(30.0)),
            entity("c", Status::Exposed, Some(-2.0)),
            entity("a", Status::Exposed, Some(-40.5)),
            entity("d", Status::Untested, None),
        ]);
        let page = NetworkPage::new(chrome(), item(), &map, None, Some("x".to_owned()), 1);
        let ids: Vec<&str> = page.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "c", "b", "d"]);
        assert_eq!(
            page.rows[0].href.as_deref(),
            Some("/networks/n1/entities/a")
        );
        assert!(page.rows[3].href.is_none());
        assert_eq!(page.rows[0].gap, "-40.5");
        assert_eq!(page.rows[3].status_label, "Not rated");
        assert_eq!(page.legend[0].count, "2");
        assert!(
            page.summary
                .contains("2 entities are exposed, the most first: a, c."),
            "{}",
            page.summary
        );
        let html = crate::render(&page).expect("renders");
        assert!(html.contains("id=\"supply-map\""));
        assert!(html.contains("data-src=\"/networks/n1/map.json\""));
        assert!(html.contains("id=\"entity-panel\""));
        assert!(html.contains("aria-live=\"polite\""));
        assert!(html.contains("<a class=\"entity\" href=\"/networks/n1/entities/a\">a</a>"));
        assert!(!html.contains("<small>"), "names are escaped");
        assert!(html.contains("small&"), "names are escaped");
        assert!(!html.contains("<script>"), "no inline script");
        assert!(!html.contains("style=\""), "no inline style");
    }

    #[test]
    fn the_table_pages() {
        let entities = (0..PAGE_ROWS + 5)
            .map(|i| entity(&format!("e{i:04}"), Status::Covered, Some(i as f64)))
            .collect();
        let map = map(entities);
        let second = NetworkPage::new(chrome(), item(), &map, None, None, 2);
        assert_eq!((second.page, second.pages, second.rows.len()), (2, 2, 5));
        assert_eq!(
            second.prev.as_deref(),
            Some("/networks/n1?page=1#entities-title")
        );
        assert!(second.next.is_none());
        let clamped = NetworkPage::new(chrome(), item(), &map, None, None, 99);
        assert_eq!(clamped.page, 2);
    }
}
