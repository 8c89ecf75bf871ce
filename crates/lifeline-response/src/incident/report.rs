//! The after-action report of an incident: one document model ([`AfterAction`], which is
//! also the JSON form), rendered as Markdown ([`markdown`]) and as a standalone HTML page
//! ([`html`]). Every value that came from a person or a file is escaped for its output:
//! `lifeline_text::escaped` plus Markdown's own punctuation for Markdown,
//! `lifeline_text::xml_escaped` for HTML.
//!
//! Deadlines are judged from the timeline: a task counts as done when it was last marked
//! done, or when it was approved if it needs an approval and the approval came later. A
//! task not done by its due time is a missed deadline once the due time has passed before
//! the incident closed (or, while it is open, before its last entry). Each missed deadline
//! is an item of the improvement plan, next to the improvements recorded on the timeline.

use std::fmt::Write as _;

use serde::Serialize;
use time::OffsetDateTime;

use super::tasks::{days_text, format_time, hours_text, number};
use super::{AffectedEntity, Entry, Event, Incident, IncidentStatus, Task, TaskStatus};
use crate::playbook::{Function, IncidentKind};

/// The after-action report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AfterAction {
    pub title: String,
    pub kind: IncidentKind,
    pub status: IncidentStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub declared_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    /// The time the report is judged at: the closing time, or the last entry's.
    #[serde(with = "time::serde::rfc3339")]
    pub as_of: OffsetDateTime,
    pub network: String,
    pub network_sha256: String,
    pub entities: Vec<AffectedEntity>,
    pub capacity_factor: f64,
    /// The expected time to recover when declared, and at the end.
    pub declared_ttr: f64,
    pub expected_ttr: f64,
    pub tts: f64,
    pub tts_capped: bool,
    /// The closing summary, when closed with one.
    pub summary: String,
    pub playbooks: Vec<String>,
    /// Demand nodes that ran short, earliest first (the latest impact).
    pub shortages: Vec<Shortage>,
    pub days_simulated: u32,
    /// Per function, in the board's order, its tasks and how each deadline went.
    pub deadlines: Vec<FunctionDeadlines>,
    pub met: usize,
    pub missed: usize,
    pub improvements: Vec<ImprovementItem>,
    pub timeline: Vec<TimelineItem>,
    /// The chain: entries and the last hash.
    pub entries: u64,
    pub head: String,
}

/// One hospital's use of one item that ran short.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shortage {
    pub node: String,
    pub site: Option<String>,
    pub material: String,
    pub first_stockout_day: Option<u32>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub runs_short_at: Option<OffsetDateTime>,
    pub shortage_days: u32,
    pub unmet_units: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionDeadlines {
    pub function: Function,
    pub tasks: Vec<TaskOutcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskOutcome {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub status: TaskStatus,
    #[serde(with = "time::serde::rfc3339::option")]
    pub due: Option<OffsetDateTime>,
    pub due_basis: String,
    /// When it counted as done (marked done and, if needed, approved).
    #[serde(with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
    pub outcome: Outcome,
    /// Hours past the due time, for a missed deadline done late.
    pub late_hours: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Done by its due time.
    Met,
    /// Done late, or not done when the due time passed.
    Missed,
    /// Not done, and not yet due.
    Open,
    /// No due time.
    NoDeadline,
    Skipped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::Missed => "missed",
            Outcome::Open => "open",
            Outcome::NoDeadline => "no deadline",
            Outcome::Skipped => "skipped",
        }
    }
}

/// An item of the improvement plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImprovementItem {
    pub text: String,
    pub owner: String,
    pub function: Option<Function>,
    /// Where it comes from: `entry 7` (recorded) or `missed deadline`.
    pub source: String,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineItem {
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: String,
    /// The event's type (`declared`, `task-status`, ...).
    pub event: String,
    pub text: String,
}

/// The report of the incident `entries` make (`incident` is their replay).
pub fn after_action(incident: &Incident, entries: &[Entry]) -> AfterAction {
    let declared_at = incident.declaration.declared_at;
    let as_of = incident
        .closed_at
        .or_else(|| entries.last().map(|e| e.at))
        .unwrap_or(declared_at);
    let declared_ttr = entries
        .first()
        .and_then(|e| match &e.event {
            Event::Declared { declaration, .. } => Some(declaration.expected_ttr),
            _ => None,
        })
        .unwrap_or(incident.declaration.expected_ttr);
    let summary = entries
        .iter()
        .rev()
        .find_map(|e| match &e.event {
            Event::Closed { summary } => Some(summary.clone()),
            _ => None,
        })
        .unwrap_or_default();

    let mut shortages: Vec<Shortage> = incident
        .impact
        .demand
        .iter()
        .filter(|d| d.first_stockout_day.is_some() || d.shortage_days > 0)
        .map(|d| Shortage {
            node: d.id.clone(),
            site: d.site.clone(),
            material: d.material.clone(),
            first_stockout_day: d.first_stockout_day,
            runs_short_at: d.runs_short_at,
            shortage_days: d.shortage_days,
            unmet_units: d.unmet_units,
        })
        .collect();
    shortages.sort_by(|a, b| {
        a.first_stockout_day
            .unwrap_or(u32::MAX)
            .cmp(&b.first_stockout_day.unwrap_or(u32::MAX))
            .then(b.unmet_units.total_cmp(&a.unmet_units))
            .then(a.node.cmp(&b.node))
    });

    let outcomes: Vec<(Function, TaskOutcome)> = incident
        .tasks
        .iter()
        .map(|t| (t.function, outcome(t, entries, as_of)))
        .collect();
    let deadlines: Vec<FunctionDeadlines> = Function::ALL
        .into_iter()
        .filter_map(|function| {
            let tasks: Vec<TaskOutcome> = outcomes
                .iter()
                .filter(|(f, _)| *f == function)
                .map(|(_, o)| o.clone())
                .collect();
            (!tasks.is_empty()).then_some(FunctionDeadlines { function, tasks })
        })
        .collect();
    let count = |wanted: Outcome| outcomes.iter().filter(|(_, o)| o.outcome == wanted).count();

    let mut improvements: Vec<ImprovementItem> = entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::Improvement {
                text,
                owner,
                function,
            } => Some(ImprovementItem {
                text: text.clone(),
                owner: owner.clone(),
                function: *function,
                source: format!("entry {}", e.seq),
            }),
            _ => None,
        })
        .collect();
    for (task, (_, o)) in incident.tasks.iter().zip(&outcomes) {
        if o.outcome != Outcome::Missed {
            continue;
        }
        let due = o.due.map(format_time).unwrap_or_default();
        let what = match (o.completed_at, o.late_hours) {
            (Some(done), Some(late)) => {
                format!("done {} ({} late)", format_time(done), hours_text(late))
            }
            _ if task.status == TaskStatus::Done => format!(
                "done but not approved by {} by {}",
                task.approval.as_deref().unwrap_or("the approver"),
                format_time(as_of)
            ),
            _ => format!("not done by {}", format_time(as_of)),
        };
        improvements.push(ImprovementItem {
            text: format!(
                "Meet the deadline of \"{}\" ({}): due {due}, {}; {what}. Find out what held it up.",
                task.title, task.id, task.due_basis
            ),
            owner: task
                .owner
                .clone()
                .unwrap_or_else(|| task.function.title().to_owned()),
            function: Some(task.function),
            source: "missed deadline".to_owned(),
        });
    }

    AfterAction {
        title: incident.declaration.title.clone(),
        kind: incident.declaration.kind,
        status: incident.status,
        declared_at,
        closed_at: incident.closed_at,
        as_of,
        network: incident.impact.network.clone(),
        network_sha256: incident.impact.network_sha256.clone(),
        entities: incident.impact.entities.clone(),
        capacity_factor: incident.declaration.capacity_factor,
        declared_ttr,
        expected_ttr: incident.impact.expected_ttr,
        tts: incident.impact.stress.tts,
        tts_capped: incident.impact.stress.tts_capped,
        summary,
        playbooks: incident.playbooks.clone(),
        shortages,
        days_simulated: incident.impact.days,
        met: count(Outcome::Met),
        missed: count(Outcome::Missed),
        deadlines,
        improvements,
        timeline: entries.iter().map(timeline_item).collect(),
        entries: incident.entries,
        head: incident.head.clone(),
    }
}

fn outcome(task: &Task, entries: &[Entry], as_of: OffsetDateTime) -> TaskOutcome {
    let approved_at = entries.iter().rev().find_map(|e| match &e.event {
        Event::Approved { task: id, .. } if *id == task.id => Some(e.at),
        _ => None,
    });
    let completed_at = match (task.status, task.done_at) {
        (TaskStatus::Done, Some(done)) => match (&task.approval, approved_at) {
            (None, _) => Some(done),
            (Some(_), Some(approved)) => Some(done.max(approved)),
            (Some(_), None) => None,
        },
        _ => None,
    };
    let (outcome, late_hours) = match (task.status, task.due, completed_at) {
        (TaskStatus::Skipped, _, _) => (Outcome::Skipped, None),
        (_, None, _) => (Outcome::NoDeadline, None),
        (_, Some(due), Some(done)) if done <= due => (Outcome::Met, None),
        (_, Some(due), Some(done)) => (
            Outcome::Missed,
            Some((done - due).as_seconds_f64() / 3600.0),
        ),
        (_, Some(due), None) if due < as_of => (Outcome::Missed, None),
        (_, Some(_), None) => (Outcome::Open, None),
    };
    TaskOutcome {
        id: task.id.clone(),
        title: task.title.clone(),
        owner: task.owner.clone(),
        status: task.status,
        due: task.due,
        due_basis: task.due_basis.clone(),
        completed_at,
        outcome,
        late_hours,
    }
}

fn timeline_item(entry: &Entry) -> TimelineItem {
    let (event, text) = match &entry.event {
        Event::Declared {
            declaration,
            impact,
            playbooks,
            tasks,
        } => (
            "declared",
            format!(
                "Declared ({}): {} down at capacity {}, expected TTR {}; {}, {}; {}",
                declaration.kind.as_str(),
                declaration.entities.join(", "),
                number(declaration.capacity_factor),
                days_text(declaration.expected_ttr),
                plural(playbooks.len(), "playbook"),
                plural(tasks.len(), "task"),
                match impact.first_stockout_day {
                    Some(day) => format!("first stockout on day {day}"),
                    None => format!("nothing runs short within {} days", impact.days),
                }
            ),
        ),
        Event::Updated {
            expected_ttr,
            capacity_factor,
            moved,
            added,
            reason,
            ..
        } => (
            "updated",
            format!(
                "Estimate updated: expected TTR {}, capacity {}; {} moved, {} added{}",
                days_text(*expected_ttr),
                number(*capacity_factor),
                plural(moved.len(), "due time"),
                plural(added.len(), "task"),
                suffix(reason)
            ),
        ),
        Event::TaskStatus { task, status, note } => (
            "task-status",
            format!("Task {task}: {}{}", status.as_str(), suffix(note)),
        ),
        Event::Approved { task, role } => ("approved", format!("Task {task} approved as {role}")),
        Event::Decision { text } => ("decision", format!("Decision: {text}")),
        Event::Note { text } => ("note", format!("Note: {text}")),
        Event::Improvement { text, owner, .. } => (
            "improvement",
            format!("Improvement: {text} (owner: {owner})"),
        ),
        Event::Closed { summary } => ("closed", format!("Closed{}", suffix(summary))),
        other => ("sharing", other.sharing_text().unwrap_or_default()),
    };
    TimelineItem {
        seq: entry.seq,
        at: entry.at,
        actor: entry.actor.clone(),
        event: event.to_owned(),
        text,
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

fn suffix(text: &str) -> String {
    if text.trim().is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}

/// A value as Markdown text: control and invisible characters escaped, and the
/// punctuation Markdown acts on backslash-escaped, so a value can neither break a table
/// nor add a link, an image, emphasis or HTML.
pub fn markdown_text(value: &str) -> String {
    let text = lifeline_text::escaped(value);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn opt_time(at: Option<OffsetDateTime>) -> String {
    at.map_or_else(|| "-".to_owned(), format_time)
}

/// A shortage's first stockout: its day and time, its day, or `-`.
fn first_stockout_text(shortage: &Shortage) -> String {
    match (shortage.first_stockout_day, shortage.runs_short_at) {
        (Some(day), Some(at)) => format!("day {day} ({})", format_time(at)),
        (Some(day), None) => format!("day {day}"),
        _ => "-".to_owned(),
    }
}

fn tts_line(report: &AfterAction) -> String {
    format!(
        "{}{}",
        if report.tts_capped { "at least " } else { "" },
        days_text(report.tts)
    )
}

fn entity_line(e: &AffectedEntity) -> String {
    let mut line = e.id.clone();
    let mut about: Vec<String> = vec![e.entity.clone()];
    about.extend(e.kind.clone());
    about.extend(e.name.clone());
    if let Some(vendor) = &e.vendor {
        about.push(format!("vendor {vendor}"));
    }
    let _ = write!(line, " ({})", about.join("; "));
    line
}

fn outcome_text(o: &TaskOutcome) -> String {
    match (o.outcome, o.late_hours) {
        (Outcome::Missed, Some(late)) => format!("missed ({} late)", hours_text(late)),
        (Outcome::Missed, None) if o.status == TaskStatus::Done => {
            "missed (done, not approved)".to_owned()
        }
        (Outcome::Missed, None) => "missed (not done)".to_owned(),
        (outcome, _) => outcome.as_str().to_owned(),
    }
}

/// The report as Markdown.
pub fn markdown(report: &AfterAction) -> String {
    let t = markdown_text;
    let mut out = String::new();
    let _ = writeln!(out, "# After-action report: {}\n", t(&report.title));
    let _ = writeln!(out, "- Kind: {}", report.kind.as_str());
    let _ = writeln!(
        out,
        "- Status: {}",
        match report.status {
            IncidentStatus::Open => "open",
            IncidentStatus::Closed => "closed",
        }
    );
    let _ = writeln!(out, "- Declared: {}", format_time(report.declared_at));
    if let Some(closed) = report.closed_at {
        let _ = writeln!(out, "- Closed: {}", format_time(closed));
    }
    let _ = writeln!(
        out,
        "- Network: {} (SHA-256 {})",
        t(&report.network),
        t(&report.network_sha256)
    );
    for entity in &report.entities {
        let _ = writeln!(out, "- Down: {}", t(&entity_line(entity)));
    }
    let _ = writeln!(
        out,
        "- Capacity while down: {}",
        number(report.capacity_factor)
    );
    let _ = writeln!(
        out,
        "- Expected time to recover: {} when declared, {} at the end",
        days_text(report.declared_ttr),
        days_text(report.expected_ttr)
    );
    let _ = writeln!(out, "- Time to survive (stress test): {}", tts_line(report));
    if !report.playbooks.is_empty() {
        let names: Vec<String> = report.playbooks.iter().map(|p| t(p)).collect();
        let _ = writeln!(out, "- Playbooks: {}", names.join(", "));
    }
    let _ = writeln!(
        out,
        "- Deadlines: {} met, {} missed",
        report.met, report.missed
    );
    if !report.summary.trim().is_empty() {
        let _ = writeln!(out, "\n## Summary\n\n{}", t(&report.summary));
    }

    let _ = writeln!(out, "\n## What ran short\n");
    if report.shortages.is_empty() {
        let _ = writeln!(
            out,
            "Nothing ran short within the {} days simulated.",
            report.days_simulated
        );
    } else {
        let _ = writeln!(
            out,
            "| Demand node | Site | Item | First stockout | Shortage days | Unmet units |"
        );
        let _ = writeln!(out, "|---|---|---|---|---:|---:|");
        for s in &report.shortages {
            let first = first_stockout_text(s);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {first} | {} | {} |",
                t(&s.node),
                s.site.as_deref().map_or_else(|| "-".to_owned(), t),
                t(&s.material),
                s.shortage_days,
                number(s.unmet_units)
            );
        }
    }

    let _ = writeln!(out, "\n## Deadlines\n");
    if report.deadlines.is_empty() {
        let _ = writeln!(out, "No tasks.");
    }
    for group in &report.deadlines {
        let _ = writeln!(out, "### {}\n", group.function.title());
        let _ = writeln!(out, "| Task | Owner | Due | Done | Outcome |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for o in &group.tasks {
            let due = match o.due {
                Some(due) => format!("{} ({})", format_time(due), t(&o.due_basis)),
                None => t(&o.due_basis),
            };
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {due} | {} | {} |",
                t(&o.title),
                t(&o.id),
                o.owner.as_deref().map_or_else(|| "-".to_owned(), t),
                opt_time(o.completed_at),
                outcome_text(o)
            );
        }
        let _ = writeln!(out);
    }

    let _ = writeln!(out, "## Improvement plan\n");
    if report.improvements.is_empty() {
        let _ = writeln!(out, "No items.");
    } else {
        let _ = writeln!(out, "| # | Item | Owner | Function | Source |");
        let _ = writeln!(out, "|---:|---|---|---|---|");
        for (i, item) in report.improvements.iter().enumerate() {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                i + 1,
                t(&item.text),
                t(&item.owner),
                item.function.map_or("-", Function::title),
                item.source
            );
        }
    }

    let _ = writeln!(out, "\n## Timeline\n");
    for item in &report.timeline {
        let _ = writeln!(
            out,
            "{}. {} {}: {}",
            item.seq,
            format_time(item.at),
            t(&item.actor),
            t(&item.text)
        );
    }
    let _ = writeln!(
        out,
        "\n{} entries; the chain's last hash is {}.",
        report.entries,
        t(&report.head)
    );
    out
}

/// The report as a standalone HTML page.
pub fn html(report: &AfterAction) -> String {
    let x = |value: &str| lifeline_text::xml_escaped(value);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    );
    let _ = writeln!(
        out,
        "<title>After-action report: {}</title>",
        x(&report.title)
    );
    let _ = writeln!(
        out,
        "<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.4}}table{{border-collapse:collapse;margin:0.5rem 0 1rem}}th,td{{border:1px solid #999;padding:0.25rem 0.5rem;text-align:left;vertical-align:top}}td.n{{text-align:right}}.missed{{color:#a00;font-weight:bold}}</style>\n</head>\n<body>"
    );
    let _ = writeln!(
        out,
        "<h1>After-action report: {}</h1>\n<ul>",
        x(&report.title)
    );
    let _ = writeln!(out, "<li>Kind: {}</li>", report.kind.as_str());
    let _ = writeln!(
        out,
        "<li>Status: {}</li>",
        match report.status {
            IncidentStatus::Open => "open",
            IncidentStatus::Closed => "closed",
        }
    );
    let _ = writeln!(
        out,
        "<li>Declared: {}</li>",
        format_time(report.declared_at)
    );
    if let Some(closed) = report.closed_at {
        let _ = writeln!(out, "<li>Closed: {}</li>", format_time(closed));
    }
    let _ = writeln!(
        out,
        "<li>Network: {} (SHA-256 <code>{}</code>)</li>",
        x(&report.network),
        x(&report.network_sha256)
    );
    for entity in &report.entities {
        let _ = writeln!(out, "<li>Down: {}</li>", x(&entity_line(entity)));
    }
    let _ = writeln!(
        out,
        "<li>Capacity while down: {}</li>",
        number(report.capacity_factor)
    );
    let _ = writeln!(
        out,
        "<li>Expected time to recover: {} when declared, {} at the end</li>",
        days_text(report.declared_ttr),
        days_text(report.expected_ttr)
    );
    let _ = writeln!(
        out,
        "<li>Time to survive (stress test): {}</li>",
        tts_line(report)
    );
    if !report.playbooks.is_empty() {
        let names: Vec<String> = report.playbooks.iter().map(|p| x(p)).collect();
        let _ = writeln!(out, "<li>Playbooks: {}</li>", names.join(", "));
    }
    let _ = writeln!(
        out,
        "<li>Deadlines: {} met, {} missed</li>\n</ul>",
        report.met, report.missed
    );
    if !report.summary.trim().is_empty() {
        let _ = writeln!(out, "<h2>Summary</h2>\n<p>{}</p>", x(&report.summary));
    }

    let _ = writeln!(out, "<h2>What ran short</h2>");
    if report.shortages.is_empty() {
        let _ = writeln!(
            out,
            "<p>Nothing ran short within the {} days simulated.</p>",
            report.days_simulated
        );
    } else {
        let _ = writeln!(
            out,
            "<table>\n<tr><th>Demand node</th><th>Site</th><th>Item</th><th>First stockout</th><th>Shortage days</th><th>Unmet units</th></tr>"
        );
        for s in &report.shortages {
            let first = first_stockout_text(s);
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{first}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                x(&s.node),
                s.site.as_deref().map_or_else(|| "-".to_owned(), x),
                x(&s.material),
                s.shortage_days,
                number(s.unmet_units)
            );
        }
        let _ = writeln!(out, "</table>");
    }

    let _ = writeln!(out, "<h2>Deadlines</h2>");
    if report.deadlines.is_empty() {
        let _ = writeln!(out, "<p>No tasks.</p>");
    }
    for group in &report.deadlines {
        let _ = writeln!(
            out,
            "<h3>{}</h3>\n<table>\n<tr><th>Task</th><th>Owner</th><th>Due</th><th>Done</th><th>Outcome</th></tr>",
            group.function.title()
        );
        for o in &group.tasks {
            let due = match o.due {
                Some(due) => format!("{} ({})", format_time(due), x(&o.due_basis)),
                None => x(&o.due_basis),
            };
            let class = if o.outcome == Outcome::Missed {
                " class=\"missed\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<tr><td>{} (<code>{}</code>)</td><td>{}</td><td>{due}</td><td>{}</td><td{class}>{}</td></tr>",
                x(&o.title),
                x(&o.id),
                o.owner.as_deref().map_or_else(|| "-".to_owned(), x),
                opt_time(o.completed_at),
                outcome_text(o)
            );
        }
        let _ = writeln!(out, "</table>");
    }

    let _ = writeln!(out, "<h2>Improvement plan</h2>");
    if report.improvements.is_empty() {
        let _ = writeln!(out, "<p>No items.</p>");
    } else {
        let _ = writeln!(
            out,
            "<table>\n<tr><th>#</th><th>Item</th><th>Owner</th><th>Function</th><th>Source</th></tr>"
        );
        for (i, item) in report.improvements.iter().enumerate() {
            let _ = writeln!(
                out,
                "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                i + 1,
                x(&item.text),
                x(&item.owner),
                item.function.map_or("-", Function::title),
                x(&item.source)
            );
        }
        let _ = writeln!(out, "</table>");
    }

    let _ = writeln!(out, "<h2>Timeline</h2>\n<ol>");
    for item in &report.timeline {
        let _ = writeln!(
            out,
            "<li value=\"{}\">{} {}: {}</li>",
            item.seq,
            format_time(item.at),
            x(&item.actor),
            x(&item.text)
        );
    }
    let _ = writeln!(
        out,
        "</ol>\n<p>{} entries; the chain&#39;s last hash is <code>{}</code>.</p>\n</body>\n</html>",
        report.entries,
        x(&report.head)
    );
    out
}
