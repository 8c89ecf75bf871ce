//! The incident pages: `/incidents` (the organisation's incidents and the form that
//! declares one on a stored network) and `/incidents/{id}` (who runs short of what and
//! when, the task board with one column per function and a status form on every task,
//! the hash-chained timeline, and the after-action report's link).
//!
//! Views are built from lifeline-response's [`Incident`] (the replay of the timeline) and
//! its [`Entry`]s, the same ones the API and `lifeline incident status` show. The time the
//! page is drawn at (for overdue tasks) is the caller's: nothing here reads the clock.

use askama::Template;
use lifeline_response::incident::{Entry, Event, Incident, IncidentStatus, Task, TaskStatus};
use lifeline_response::playbook::{Function, IncidentKind, Playbook};
use lifeline_text::percent_encoded;
use time::OffsetDateTime;

use super::{Chrome, FormError, NetworkItem};
use crate::format::{days, decimal, units};

/// The declare form's labels, by field name: the API's request fields, which
/// lifeline-response's diagnostics (`--entity`, `--expected-ttr`) are mapped onto.
pub const DECLARE_FIELDS: [(&str, &str); 8] = [
    ("network", "Network"),
    ("title", "Title"),
    ("kind", "Kind of incident"),
    ("entities", "Entities that are down"),
    ("capacity_factor", "Capacity left"),
    ("expected_ttr", "Expected time to recover (days)"),
    ("playbooks", "Playbooks"),
    ("declared_at", "Declared at"),
];

/// What people read for a kind of incident.
pub fn kind_label(kind: IncidentKind) -> &'static str {
    match kind {
        IncidentKind::Ransomware => "Ransomware or destructive attack",
        IncidentKind::ItOutage => "IT platform outage",
        IncidentKind::SiteOutage => "Plant or site outage",
        IncidentKind::SuspectProduct => "Suspect or counterfeit product",
        IncidentKind::DeviceVulnerability => "Exploited device vulnerability",
        IncidentKind::Other => "Other",
    }
}

/// What people read for a task status.
pub fn status_label(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Todo => "To do",
        TaskStatus::InProgress => "In progress",
        TaskStatus::Blocked => "Blocked",
        TaskStatus::Done => "Done",
        TaskStatus::Skipped => "Skipped",
    }
}

/// A time as the pages show it: `2026-12-06 05:04 UTC`.
pub fn when(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.to_offset(time::UtcOffset::UTC)
        .format(format)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// The link to an incident's page.
pub fn incident_href(id: &str) -> String {
    format!("/incidents/{}", percent_encoded(id))
}

/// An option of a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One incident as the list shows it.
#[derive(Debug, Clone)]
pub struct IncidentItem {
    pub id: String,
    pub href: String,
    pub title: String,
    pub kind: String,
    /// `open` or `closed`.
    pub status: &'static str,
    pub declared: String,
    pub entities: String,
    /// Tasks neither done nor skipped.
    pub open_tasks: usize,
    /// Open tasks past their due time at `now`.
    pub overdue: usize,
    /// `day 3 (2026-12-09 00:00 UTC)`, or `none within N days`.
    pub first_short: String,
}

impl IncidentItem {
    pub fn of(id: &str, incident: &Incident, now: OffsetDateTime) -> IncidentItem {
        let open: Vec<&Task> = incident.tasks.iter().filter(|t| is_open(t)).collect();
        IncidentItem {
            id: id.to_owned(),
            href: incident_href(id),
            title: incident.declaration.title.clone(),
            kind: kind_label(incident.declaration.kind).to_owned(),
            status: status_word(incident.status),
            declared: when(incident.declaration.declared_at),
            entities: incident.declaration.entities.join(", "),
            open_tasks: open.len(),
            overdue: open
                .iter()
                .filter(|t| overdue(t, incident.status, now))
                .count(),
            first_short: first_short(incident),
        }
    }
}

fn status_word(status: IncidentStatus) -> &'static str {
    match status {
        IncidentStatus::Open => "open",
        IncidentStatus::Closed => "closed",
    }
}

fn is_open(task: &Task) -> bool {
    !matches!(task.status, TaskStatus::Done | TaskStatus::Skipped)
}

fn overdue(task: &Task, status: IncidentStatus, now: OffsetDateTime) -> bool {
    status == IncidentStatus::Open && is_open(task) && task.due.is_some_and(|due| due < now)
}

fn first_short(incident: &Incident) -> String {
    match incident.impact.first_stockout_day {
        Some(day) => {
            let at = incident.declaration.declared_at + time::Duration::days(i64::from(day));
            format!("day {day} ({})", when(at))
        }
        None => format!("none within {} days", incident.impact.days),
    }
}

/// A playbook the declare form offers.
#[derive(Debug, Clone)]
pub struct PlaybookItem {
    pub id: String,
    pub name: String,
    pub steps: usize,
    /// What it is triggered by, in words: `ransomware, it-outage; ordering platform`.
    pub trigger: String,
    /// `built-in` or `imported`.
    pub origin: &'static str,
    pub selected: bool,
}

impl PlaybookItem {
    pub fn of(playbook: &Playbook, imported: bool, selected: &[String]) -> PlaybookItem {
        let kinds: Vec<&str> = playbook
            .trigger
            .incidents
            .iter()
            .map(|k| k.as_str())
            .collect();
        let mut trigger = kinds.join(", ");
        if !playbook.trigger.entity_kinds.is_empty() {
            if !trigger.is_empty() {
                trigger.push_str("; ");
            }
            trigger.push_str(&playbook.trigger.entity_kinds.join(", "));
        }
        if trigger.is_empty() {
            trigger = "any incident".to_owned();
        }
        PlaybookItem {
            id: playbook.id.clone(),
            name: playbook.name.clone(),
            steps: playbook.steps.len(),
            trigger,
            origin: if imported { "imported" } else { "built-in" },
            selected: selected.contains(&playbook.id),
        }
    }
}

/// What the declare form holds: the values sent last, or the defaults.
#[derive(Debug, Clone)]
pub struct DeclareForm {
    pub title: String,
    pub kind: String,
    /// Entity ids, one per line or comma-separated.
    pub entities: String,
    pub capacity_factor: String,
    pub expected_ttr: String,
}

impl Default for DeclareForm {
    fn default() -> DeclareForm {
        DeclareForm {
            title: String::new(),
            kind: IncidentKind::Ransomware.as_str().to_owned(),
            entities: String::new(),
            capacity_factor: "0".to_owned(),
            expected_ttr: "7".to_owned(),
        }
    }
}

impl DeclareForm {
    /// The kinds of incident, the one sent selected.
    pub fn kinds(&self) -> Vec<Choice> {
        IncidentKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().to_owned(),
                label: kind_label(*k).to_owned(),
                selected: k.as_str() == self.kind,
            })
            .collect()
    }
}

/// `/incidents`: the organisation's incidents, newest first, and the declare form.
#[derive(Debug, Template)]
#[template(path = "incidents.html")]
pub struct IncidentsPage {
    pub chrome: Chrome,
    pub incidents: Vec<IncidentItem>,
    /// The networks an incident may be declared on, the one sent last selected.
    pub networks: Vec<Choice>,
    /// Entity ids of the selected network, for the form's suggestions.
    pub entity_ids: Vec<String>,
    pub playbooks: Vec<PlaybookItem>,
    pub form: DeclareForm,
    /// Why the last declaration was refused.
    pub errors: Vec<FormError>,
}

impl IncidentsPage {
    /// The networks as the form's options, `selected` selected (else the first).
    pub fn network_choices(networks: &[NetworkItem], selected: Option<&str>) -> Vec<Choice> {
        networks
            .iter()
            .enumerate()
            .map(|(i, n)| Choice {
                value: n.id.clone(),
                label: format!("{} (v{})", n.name, n.version),
                selected: selected.map_or(i == 0, |s| s == n.id),
            })
            .collect()
    }

    /// Whether `field` has an error (the template marks it invalid).
    pub fn invalid(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

/// One hospital's use of one item that runs short.
#[derive(Debug, Clone)]
pub struct ShortRow {
    /// The hospital (the demand node's site, else the node).
    pub hospital: String,
    pub item: String,
    pub node: String,
    pub days_of_supply: String,
    pub first_stockout_day: u32,
    pub runs_short_at: String,
    pub shortage_days: u32,
    pub unmet_units: String,
    pub value: String,
}

/// A task as the board shows it.
#[derive(Debug, Clone)]
pub struct TaskCard {
    pub id: String,
    /// The card's element id (`task-3`): task ids hold `/`.
    pub anchor: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub playbook: String,
    pub due: String,
    pub due_basis: String,
    pub overdue: bool,
    /// `todo`, `in-progress`, ...
    pub status: &'static str,
    pub status_label: &'static str,
    pub after: Vec<String>,
    pub approval: Option<String>,
    pub approved_by: Option<String>,
    pub message: Option<MessageView>,
    pub action_result: Option<String>,
    /// The statuses the form offers, the current one selected.
    pub statuses: Vec<Choice>,
}

/// A message a task sends, its placeholders filled.
#[derive(Debug, Clone)]
pub struct MessageView {
    pub audience: String,
    pub subject: String,
    pub body: String,
}

/// One function's column of the board.
#[derive(Debug, Clone)]
pub struct Column {
    /// `supply-chain`: the column's element id.
    pub slug: &'static str,
    pub title: &'static str,
    pub tasks: Vec<TaskCard>,
    pub open: usize,
}

/// One entry of the timeline.
#[derive(Debug, Clone)]
pub struct EntryRow {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    /// `declared`, `task-status`, ...: the entry's kind.
    pub kind: &'static str,
    pub what: String,
    /// The first 12 hex digits of the entry's hash.
    pub hash: String,
}

impl EntryRow {
    pub fn of(entry: &Entry) -> EntryRow {
        let (kind, what) = describe(&entry.event);
        EntryRow {
            seq: entry.seq,
            at: when(entry.at),
            actor: entry.actor.clone(),
            kind,
            what,
            hash: entry.hash.chars().take(12).collect(),
        }
    }
}

/// An event in words.
pub fn describe(event: &Event) -> (&'static str, String) {
    match event {
        Event::Declared {
            declaration,
            playbooks,
            tasks,
            ..
        } => (
            "declared",
            format!(
                "Declared {} down ({}); {} task(s) from {}",
                declaration.entities.join(", "),
                kind_label(declaration.kind),
                tasks.len(),
                if playbooks.is_empty() {
                    "no playbook".to_owned()
                } else {
                    playbooks.join(", ")
                }
            ),
        ),
        Event::Updated {
            expected_ttr,
            capacity_factor,
            moved,
            reason,
            ..
        } => {
            let mut text = format!(
                "Estimate changed: expected time to recover {}, capacity left {}; {} due time(s) moved",
                days(*expected_ttr, false),
                decimal(*capacity_factor, 2),
                moved.len()
            );
            if !reason.is_empty() {
                text.push_str(": ");
                text.push_str(reason);
            }
            ("updated", text)
        }
        Event::TaskStatus { task, status, note } => {
            let mut text = format!("{task}: {}", status_label(*status));
            if !note.is_empty() {
                text.push_str(" (");
                text.push_str(note);
                text.push(')');
            }
            ("task-status", text)
        }
        Event::Approved { task, role } => ("approved", format!("{task}: approved as {role}")),
        Event::Decision { text } => ("decision", format!("Decision: {text}")),
        Event::Note { text } => ("note", text.clone()),
        Event::Improvement {
            text,
            owner,
            function,
        } => (
            "improvement",
            match function {
                Some(f) => format!("Improvement ({}, owner {owner}): {text}", f.title()),
                None => format!("Improvement (owner {owner}): {text}"),
            },
        ),
        Event::Closed { summary } => (
            "closed",
            if summary.is_empty() {
                "Closed".to_owned()
            } else {
                format!("Closed: {summary}")
            },
        ),
        other => ("sharing", other.sharing_text().unwrap_or_default()),
    }
}

/// Where the page's forms post.
#[derive(Debug, Clone)]
pub struct Actions {
    pub task: String,
    pub entry: String,
    pub update: String,
    pub close: String,
}

/// `/incidents/{id}`: one incident.
#[derive(Debug, Template)]
#[template(path = "incident.html")]
pub struct IncidentPage {
    pub chrome: Chrome,
    pub id: String,
    pub title: String,
    pub kind: String,
    pub open: bool,
    pub declared: String,
    pub closed_at: String,
    pub network: String,
    pub network_sha256: String,
    pub entities: Vec<String>,
    pub expected_ttr: String,
    pub capacity_factor: String,
    pub tts: String,
    pub gap: String,
    pub gap_negative: bool,
    pub first_short: String,
    pub days: u32,
    /// Hospitals' items that run short, soonest first.
    pub shortages: Vec<ShortRow>,
    /// Demand nodes that do not run short within `days`.
    pub covered: usize,
    pub vendors: Vec<String>,
    pub playbooks: Vec<String>,
    pub columns: Vec<Column>,
    pub timeline: Vec<EntryRow>,
    /// Whether the timeline's hash chain verified, in words.
    pub verified: Result<String, String>,
    pub report_href: String,
    pub actions: Actions,
    /// Whether the caller may change it (an analyst or admin, while it is open).
    pub can_write: bool,
    /// Why the last change was refused.
    pub problem: Option<String>,
    /// Alerts to partners (issue 17): filled by the server after [`IncidentPage::new`].
    pub partner_alerts: super::partners::PartnerAlerts,
}

impl IncidentPage {
    /// The page of incident `id`: `incident` is the replay of `entries`, `verified` what
    /// `timeline::verify` said of them, `now` when the page is drawn.
    pub fn new(
        chrome: Chrome,
        id: &str,
        incident: &Incident,
        entries: &[Entry],
        verified: Result<String, String>,
        now: OffsetDateTime,
    ) -> IncidentPage {
        let declaration = &incident.declaration;
        let impact = &incident.impact;
        let open = incident.status == IncidentStatus::Open;
        let mut shortages: Vec<ShortRow> = impact
            .demand
            .iter()
            .filter_map(|d| {
                let day = d.first_stockout_day?;
                Some(ShortRow {
                    hospital: d.site.clone().unwrap_or_else(|| d.id.clone()),
                    item: d.material.clone(),
                    node: d.id.clone(),
                    days_of_supply: d
                        .days_of_supply_at_start
                        .map(|v| days(v, false))
                        .unwrap_or_else(|| "—".to_owned()),
                    first_stockout_day: day,
                    runs_short_at: d.runs_short_at.map(when).unwrap_or_else(|| {
                        when(declaration.declared_at + time::Duration::days(i64::from(day)))
                    }),
                    shortage_days: d.shortage_days,
                    unmet_units: units(d.unmet_units),
                    value: decimal(d.value, 2),
                })
            })
            .collect();
        shortages.sort_by(|a, b| {
            a.first_stockout_day
                .cmp(&b.first_stockout_day)
                .then_with(|| a.hospital.cmp(&b.hospital))
                .then_with(|| a.item.cmp(&b.item))
        });
        let covered = impact.demand.len() - shortages.len();
        let base = incident_href(id);
        let columns = Function::ALL
            .iter()
            .map(|&function| {
                let tasks: Vec<TaskCard> = incident
                    .tasks
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.function == function)
                    .map(|(i, t)| card(i, t, incident.status, now))
                    .collect();
                Column {
                    slug: function.as_str(),
                    title: function.title(),
                    open: tasks
                        .iter()
                        .filter(|t| !matches!(t.status, "done" | "skipped"))
                        .count(),
                    tasks,
                }
            })
            .collect();
        let stress = &impact.stress;
        IncidentPage {
            chrome,
            id: id.to_owned(),
            title: declaration.title.clone(),
            kind: kind_label(declaration.kind).to_owned(),
            open,
            declared: when(declaration.declared_at),
            closed_at: incident.closed_at.map(when).unwrap_or_default(),
            network: impact.network.clone(),
            network_sha256: impact.network_sha256.clone(),
            entities: impact
                .entities
                .iter()
                .map(|e| match (&e.name, &e.kind) {
                    (Some(name), Some(kind)) => format!("{name} ({}, {kind})", e.id),
                    (Some(name), None) => format!("{name} ({})", e.id),
                    (None, Some(kind)) => format!("{} ({kind})", e.id),
                    (None, None) => format!("{} ({})", e.id, e.entity),
                })
                .collect(),
            expected_ttr: days(impact.expected_ttr, false),
            capacity_factor: decimal(
                entries
                    .iter()
                    .rev()
                    .find_map(|e| match &e.event {
                        Event::Updated {
                            capacity_factor, ..
                        } => Some(*capacity_factor),
                        _ => None,
                    })
                    .unwrap_or(declaration.capacity_factor),
                2,
            ),
            tts: days(stress.tts, stress.tts_capped),
            gap: stress
                .gap
                .map(|g| days(g, false))
                .unwrap_or_else(|| "—".to_owned()),
            gap_negative: stress.gap.is_some_and(|g| g < 0.0),
            first_short: first_short(incident),
            days: impact.days,
            shortages,
            covered,
            vendors: impact.vendors.clone(),
            playbooks: incident.playbooks.clone(),
            columns,
            timeline: entries.iter().map(EntryRow::of).collect(),
            verified,
            report_href: format!("{base}/report"),
            actions: Actions {
                task: format!("{base}/tasks"),
                entry: format!("{base}/entries"),
                update: format!("{base}/update"),
                close: format!("{base}/close"),
            },
            can_write: false,
            problem: None,
            partner_alerts: Default::default(),
        }
    }

    /// The function options of the improvement form.
    pub fn functions(&self) -> Vec<Choice> {
        Function::ALL
            .iter()
            .map(|f| Choice {
                value: f.as_str().to_owned(),
                label: f.title().to_owned(),
                selected: false,
            })
            .collect()
    }
}

fn card(index: usize, task: &Task, status: IncidentStatus, now: OffsetDateTime) -> TaskCard {
    TaskCard {
        id: task.id.clone(),
        anchor: format!("task-{}", index + 1),
        title: task.title.clone(),
        description: task.description.clone(),
        owner: task.owner.clone().unwrap_or_default(),
        playbook: task.playbook.clone(),
        due: task
            .due
            .map(when)
            .unwrap_or_else(|| "no deadline".to_owned()),
        due_basis: task.due_basis.clone(),
        overdue: overdue(task, status, now),
        status: task.status.as_str(),
        status_label: status_label(task.status),
        after: task.after.clone(),
        approval: task.approval.clone(),
        approved_by: task.approved_by.clone(),
        message: task.message.as_ref().map(|m| MessageView {
            audience: m.audience.clone(),
            subject: m.subject.clone(),
            body: m.body.clone(),
        }),
        action_result: task.action_result.clone(),
        statuses: TaskStatus::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: status_label(*s).to_owned(),
                selected: *s == task.status,
            })
            .collect(),
    }
}

/// `/incidents/{id}/report`: the after-action report inside the dashboard.
#[derive(Debug, Template)]
#[template(path = "incident_report.html")]
pub struct IncidentReportPage {
    pub chrome: Chrome,
    pub id: String,
    pub title: String,
    pub back: String,
    /// The body of lifeline-response's HTML report (every value escaped there).
    pub report: String,
    pub markdown_href: String,
    pub html_href: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tab;
    use lifeline_response::incident::{
        AffectedEntity, Declaration, DemandImpact, Impact, IncidentStatus,
    };
    use lifeline_response::playbook::Message;
    use time::macros::datetime;

    fn chrome() -> Chrome {
        Chrome {
            user: "ada".into(),
            org: "Mercy".into(),
            role: "analyst".into(),
            csrf: "csrf-token".into(),
            can_upload: true,
            tab: Tab::Incidents,
        }
    }

    fn task(id: &str, function: Function, status: TaskStatus, due: OffsetDateTime) -> Task {
        Task {
            id: id.into(),
            playbook: "pb".into(),
            step: id.trim_start_matches("pb/").into(),
            title: format!("Do <{id}>"),
            function,
            description: String::new(),
            owner: Some("Materials manager".into()),
            after: Vec::new(),
            due: Some(due),
            due_basis: "2 h after the declaration".into(),
            approval: None,
            message: None,
            action: None,
            action_result: None,
            status,
            done_at: None,
            approved_by: None,
        }
    }

    fn incident() -> (Incident, Vec<Entry>) {
        let declared = datetime!(2026-12-06 08:00 UTC);
        let declaration = Declaration {
            title: "Meridian <EDI> down".into(),
            kind: IncidentKind::Ransomware,
            entities: vec!["edi-hub".into()],
            capacity_factor: 0.0,
            expected_ttr: 10.0,
            declared_at: declared,
            playbooks: Vec::new(),
        };
        let demand = |id: &str, site: &str, day: Option<u32>| DemandImpact {
            id: id.into(),
            site: Some(site.into()),
            material: "IV saline".into(),
            value: 5.0,
            days_of_supply_at_start: Some(4.5),
            first_stockout_day: day,
            runs_short_at: day.map(|d| declared + time::Duration::days(i64::from(d))),
            shortage_days: day.map_or(0, |d| 10 - d),
            unmet_units: day.map_or(0.0, |_| 1234.0),
        };
        let stress: lifeline_stress::ScenarioResult = serde_json::from_value(serde_json::json!({
            "id": "incident", "kind": "platform", "ttr": 10.0, "tts": 4.0,
            "tts_capped": false, "gap": -6.0, "performance_impact": 100.0, "rei": 1.0,
            "lost_units": {}, "reallocation": []
        }))
        .expect("a scenario result");
        let impact = Impact {
            network: "iv-fluids".into(),
            network_sha256: "ab".repeat(32),
            scenario: serde_json::json!({}),
            expected_ttr: 10.0,
            days: 30,
            stress,
            demand: vec![
                demand("mercy-iv", "mercy", Some(6)),
                demand("stjohn-iv", "st-john", Some(3)),
                demand("county-iv", "county", None),
            ],
            first_stockout_day: Some(3),
            entities: vec![AffectedEntity {
                id: "edi-hub".into(),
                entity: "platform".into(),
                kind: Some("ordering platform".into()),
                name: Some("Meridian EDI".into()),
                vendor: Some("meridian-edi".into()),
            }],
            vendors: vec!["meridian-edi".into()],
        };
        let mut done = task(
            "pb/call",
            Function::SupplyChain,
            TaskStatus::Done,
            declared + time::Duration::hours(2),
        );
        done.message = Some(Message {
            audience: "partners".into(),
            subject: "Orders by phone".into(),
            body: "Call <us>".into(),
        });
        let tasks = vec![
            task(
                "pb/isolate",
                Function::ItSecurity,
                TaskStatus::Todo,
                declared + time::Duration::hours(1),
            ),
            done,
            task(
                "pb/later",
                Function::Clinical,
                TaskStatus::InProgress,
                declared + time::Duration::days(5),
            ),
        ];
        let incident = Incident {
            declaration: declaration.clone(),
            impact: impact.clone(),
            playbooks: vec!["pb".into()],
            tasks: tasks.clone(),
            status: IncidentStatus::Open,
            closed_at: None,
            entries: 2,
            head: "cd".repeat(32),
        };
        let entries = vec![
            Entry {
                seq: 1,
                at: declared,
                actor: "ada".into(),
                event: Event::Declared {
                    declaration,
                    impact,
                    playbooks: vec!["pb".into()],
                    tasks,
                },
                prev: "0".repeat(64),
                hash: "ef".repeat(32),
            },
            Entry {
                seq: 2,
                at: declared + time::Duration::hours(1),
                actor: "ben".into(),
                event: Event::TaskStatus {
                    task: "pb/call".into(),
                    status: TaskStatus::Done,
                    note: "called <them>".into(),
                },
                prev: "ef".repeat(32),
                hash: "cd".repeat(32),
            },
        ];
        (incident, entries)
    }

    #[test]
    fn the_incident_page_shows_shortages_the_board_and_the_timeline() {
        let (incident, entries) = incident();
        let now = datetime!(2026-12-06 12:00 UTC);
        let mut page = IncidentPage::new(
            chrome(),
            "inc-1",
            &incident,
            &entries,
            Ok("2 entries, chain intact".into()),
            now,
        );
        page.can_write = true;
        // Soonest shortage first; the hospital that does not run short is counted.
        assert_eq!(page.shortages.len(), 2);
        assert_eq!(page.shortages[0].hospital, "st-john");
        assert_eq!(page.shortages[0].runs_short_at, "2026-12-09 08:00 UTC");
        assert_eq!(page.covered, 1);
        assert_eq!(page.first_short, "day 3 (2026-12-09 08:00 UTC)");
        // One column per function, in order, each task in its function's column.
        let slugs: Vec<&str> = page.columns.iter().map(|c| c.slug).collect();
        assert_eq!(
            slugs,
            Function::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>()
        );
        let it = &page.columns[1];
        assert_eq!(it.tasks.len(), 1);
        assert!(it.tasks[0].overdue, "due 09:00, drawn at 12:00, to do");
        let supply = &page.columns[2];
        assert!(!supply.tasks[0].overdue, "done tasks are never overdue");
        assert_eq!(supply.open, 0);
        assert!(!page.columns[3].tasks[0].overdue, "due in five days");
        assert_eq!(page.timeline.len(), 2);
        assert_eq!(page.timeline[1].kind, "task-status");
        assert_eq!(page.timeline[1].hash, "cdcdcdcdcdcd");

        let html = crate::render(&page).expect("renders");
        // Every value from the incident is escaped.
        for raw in [
            "Meridian <EDI>",
            "Do <pb/isolate>",
            "Call <us>",
            "called <them>",
        ] {
            assert!(!html.contains(raw), "{raw} unescaped");
        }
        assert!(html.contains("Meridian &#60;EDI&#62;") || html.contains("Meridian &lt;EDI&gt;"));
        for id in [
            "id=\"incident-shortages\"",
            "id=\"task-board\"",
            "id=\"column-it-security\"",
            "id=\"column-legal-regulatory\"",
            "id=\"incident-timeline\"",
            "id=\"incident-report-link\"",
            "id=\"task-1\"",
            "class=\"task overdue\"",
        ] {
            assert!(html.contains(id), "{id} missing");
        }
        // Every form carries the CSRF token and posts where the server listens.
        let forms = html.matches("<form").count();
        assert!(forms >= 6, "{forms} forms");
        // The logout form, the status forms and the others: each with the token.
        assert_eq!(
            html.matches("name=\"csrf\" value=\"csrf-token\"").count(),
            forms
        );
        assert!(html.contains("action=\"/incidents/inc-1/tasks\""));
        assert!(html.contains("action=\"/incidents/inc-1/close\""));
        // No inline script or style (the CSP refuses them).
        assert!(!html.contains("<script>") && !html.contains("style="));

        // A viewer sees the board without forms; a closed incident offers none either.
        page.can_write = false;
        let html = crate::render(&page).expect("renders");
        assert_eq!(html.matches("<form").count(), 1, "the logout form only");
    }

    #[test]
    fn the_incidents_page_lists_and_offers_the_declare_form() {
        let (incident, _) = incident();
        let now = datetime!(2026-12-06 12:00 UTC);
        let item = IncidentItem::of("inc 1", &incident, now);
        assert_eq!(item.href, "/incidents/inc%201");
        assert_eq!((item.open_tasks, item.overdue), (2, 1));
        let networks = vec![NetworkItem {
            id: "net-1".into(),
            name: "iv-fluids".into(),
            version: 2,
            org: "Mercy".into(),
            shared: false,
            nodes: "9".into(),
            edges: "12".into(),
            uploaded: String::new(),
            uploaded_by: String::new(),
        }];
        let page = IncidentsPage {
            chrome: chrome(),
            incidents: vec![item],
            networks: IncidentsPage::network_choices(&networks, None),
            entity_ids: vec!["edi-hub".into()],
            playbooks: vec![],
            form: DeclareForm::default(),
            errors: vec![FormError::new(
                "entities",
                "no entity `edi-hb`",
                Some("did you mean `edi-hub`?".into()),
                &DECLARE_FIELDS,
            )],
        };
        assert!(page.networks[0].selected);
        assert!(page.invalid("entities"));
        let html = crate::render(&page).expect("renders");
        for id in [
            "id=\"incident-list\"",
            "id=\"declare-incident\"",
            "id=\"declare-entities\"",
            "id=\"form-errors\"",
            "href=\"#declare-entities\"",
            "aria-invalid=\"true\"",
            "Meridian &#60;EDI&#62; down",
        ] {
            assert!(html.contains(id), "{id} missing: {html}");
        }
        assert!(html.contains("href=\"/incidents\" aria-current=\"page\""));
    }

    #[test]
    fn events_in_words() {
        let (_, kind) = (
            (),
            describe(&Event::Improvement {
                text: "keep a paper order form".into(),
                owner: "Materials manager".into(),
                function: Some(Function::SupplyChain),
            }),
        );
        assert_eq!(kind.0, "improvement");
        assert_eq!(
            kind.1,
            "Improvement (Supply chain and operations, owner Materials manager): keep a paper order form"
        );
        assert_eq!(
            describe(&Event::Closed {
                summary: String::new()
            })
            .1,
            "Closed"
        );
        assert_eq!(
            describe(&Event::Approved {
                task: "pb/x".into(),
                role: "Incident commander".into()
            })
            .1,
            "pb/x: approved as Incident commander"
        );
    }
}
