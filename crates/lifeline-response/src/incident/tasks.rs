//! From playbooks to an incident's tasks: which playbooks apply, which steps apply
//! (conditions on the impact), what each step depends on, when each falls due and why,
//! the messages with their placeholders filled, and what lifeline's own action steps
//! found.
//!
//! A metric that is undefined for the incident (no demand node runs short, no critical
//! item at all) counts as +infinity, so `first_stockout_day < 3` is false and
//! `first_stockout_day > 3` is true when nothing runs short. A step whose condition does
//! not hold is left out, and the steps that depended on it depend on what it depended on
//! instead, so the order the author gave still holds among the steps that remain.

use std::collections::{HashMap, HashSet};

use time::OffsetDateTime;

use super::impact::{add_days, add_hours};
use super::{Declaration, DemandImpact, DueChange, Impact, Task, TaskStatus};
use crate::playbook::{Action, Anchor, Condition, Message, Metric, Playbook, Step};

/// The `{placeholders}` a message template may use, filled by [`render_message`].
pub const PLACEHOLDERS: &[&str] = &[
    "title",
    "declared_at",
    "entities",
    "vendors",
    "expected_recovery",
    "expected_ttr",
    "tts",
    "first_stockout",
    "first_stockout_node",
    "nodes_short",
    "items_short",
    "hospitals_short",
];

/// Each placeholder of [`PLACEHOLDERS`] with its value for this incident, in that order.
pub fn placeholder_values(
    declaration: &Declaration,
    impact: &Impact,
) -> Vec<(&'static str, String)> {
    let short: Vec<&DemandImpact> = impact.demand.iter().filter(|d| runs_short(d)).collect();
    let entities: Vec<String> = impact
        .entities
        .iter()
        .map(|e| match &e.name {
            Some(name) => format!("{name} ({})", e.id),
            None => e.id.clone(),
        })
        .collect();
    let first = first_stockout(impact, |_| true);
    let none = |list: Vec<String>| {
        if list.is_empty() {
            "none".to_owned()
        } else {
            list.join(", ")
        }
    };
    let mut items: Vec<String> = short.iter().map(|d| d.material.clone()).collect();
    items.sort();
    items.dedup();
    let mut hospitals: Vec<String> = short.iter().filter_map(|d| d.site.clone()).collect();
    hospitals.sort();
    hospitals.dedup();
    vec![
        ("title", declaration.title.clone()),
        ("declared_at", format_time(declaration.declared_at)),
        ("entities", none(entities)),
        ("vendors", none(impact.vendors.clone())),
        (
            "expected_recovery",
            add_days(declaration.declared_at, impact.expected_ttr)
                .map_or_else(|| "beyond the calendar".to_owned(), format_time),
        ),
        ("expected_ttr", days_text(impact.expected_ttr)),
        ("tts", tts_text(impact)),
        (
            "first_stockout",
            match first.and_then(|d| d.runs_short_at) {
                Some(at) => format_time(at),
                None => format!("none within the {} days simulated", impact.days),
            },
        ),
        (
            "first_stockout_node",
            first.map_or_else(|| "none".to_owned(), |d| d.id.clone()),
        ),
        ("nodes_short", short.len().to_string()),
        ("items_short", none(items)),
        ("hospitals_short", none(hospitals)),
    ]
}

/// `template` with every known `{placeholder}` replaced by its value for this incident;
/// anything else (an unknown name, a lone brace) is left as written, for the playbook
/// validator to report.
pub fn render_message(template: &str, declaration: &Declaration, impact: &Impact) -> String {
    let values = placeholder_values(declaration, impact);
    fill(template, &values)
}

fn fill(template: &str, values: &[(&'static str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let replaced = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (value, close))
        });
        match replaced {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The playbooks that apply: those the declaration names (in its order; ids not in
/// `library` are left out, see [`unknown_playbooks`]), or else every playbook whose
/// trigger matches the incident.
pub fn matching<'p>(
    library: &'p [Playbook],
    declaration: &Declaration,
    impact: &Impact,
) -> Vec<&'p Playbook> {
    if declaration.playbooks.is_empty() {
        return library
            .iter()
            .filter(|p| trigger_matches(p, declaration, impact))
            .collect();
    }
    let mut chosen: Vec<&Playbook> = Vec::new();
    for id in &declaration.playbooks {
        if let Some(playbook) = library.iter().find(|p| &p.id == id)
            && !chosen.iter().any(|c| c.id == playbook.id)
        {
            chosen.push(playbook);
        }
    }
    chosen
}

/// The playbook ids the declaration names that `library` does not hold.
pub fn unknown_playbooks<'d>(library: &[Playbook], declaration: &'d Declaration) -> Vec<&'d str> {
    declaration
        .playbooks
        .iter()
        .filter(|id| !library.iter().any(|p| &p.id == *id))
        .map(String::as_str)
        .collect()
}

/// Whether the playbook's trigger matches: every list it gives has a match (kinds of
/// incident; entity kinds, compared case-insensitively with the entities' `kind` or their
/// type; vendors, among the vendors behind the disrupted entities) and, with
/// `min_item_value`, a demand node of at least that value runs short.
pub fn trigger_matches(playbook: &Playbook, declaration: &Declaration, impact: &Impact) -> bool {
    let trigger = &playbook.trigger;
    let kind = trigger.incidents.is_empty() || trigger.incidents.contains(&declaration.kind);
    let entity = trigger.entity_kinds.is_empty()
        || trigger.entity_kinds.iter().any(|wanted| {
            let wanted = wanted.trim();
            impact.entities.iter().any(|e| {
                e.entity.eq_ignore_ascii_case(wanted)
                    || e.kind
                        .as_deref()
                        .is_some_and(|k| k.trim().eq_ignore_ascii_case(wanted))
            })
        });
    let vendor = trigger.vendors.is_empty()
        || trigger
            .vendors
            .iter()
            .any(|v| impact.vendors.iter().any(|have| have == v));
    let value = trigger.min_item_value.is_none_or(|min| {
        impact
            .demand
            .iter()
            .any(|d| runs_short(d) && d.value >= min)
    });
    kind && entity && vendor && value
}

/// The value of a condition's metric for this incident; +infinity where it is undefined.
pub fn metric_value(metric: Metric, critical: Option<f64>, impact: &Impact) -> f64 {
    let nodes = || {
        impact
            .demand
            .iter()
            .filter(move |d| critical.is_none_or(|min| d.value >= min))
    };
    match metric {
        Metric::FirstStockoutDay => nodes()
            .filter_map(|d| d.first_stockout_day)
            .min()
            .map_or(f64::INFINITY, f64::from),
        Metric::DaysOfSupply => nodes()
            .filter_map(|d| d.days_of_supply_at_start)
            .filter(|d| !d.is_nan())
            .fold(f64::INFINITY, f64::min),
        Metric::Tts => impact.stress.tts,
        Metric::Gap => impact
            .stress
            .gap
            .unwrap_or(impact.stress.tts - impact.expected_ttr),
        Metric::ExpectedTtr => impact.expected_ttr,
        Metric::NodesShort => {
            let count = nodes().filter(|d| runs_short(d)).count();
            f64::from(u32::try_from(count).unwrap_or(u32::MAX))
        }
        Metric::UnmetUnits => nodes().map(|d| d.unmet_units).sum(),
    }
}

/// Whether the condition holds for the incident. With `critical_only` and no
/// `critical_value` in the playbook, there is no critical item: the metrics over them are
/// undefined (+infinity) and the counts zero.
pub fn condition_holds(condition: &Condition, playbook: &Playbook, impact: &Impact) -> bool {
    let value = if condition.critical_only {
        match playbook.critical_value {
            Some(min) => metric_value(condition.metric, Some(min), impact),
            None => match condition.metric {
                Metric::NodesShort | Metric::UnmetUnits => 0.0,
                Metric::FirstStockoutDay | Metric::DaysOfSupply => f64::INFINITY,
                other => metric_value(other, None, impact),
            },
        }
    } else {
        metric_value(condition.metric, None, impact)
    };
    condition.op.holds(value, condition.value)
}

/// The tasks of these playbooks for this incident: the steps whose condition holds, with
/// dependencies passed through the steps left out, due times from their anchors, messages
/// filled, and lifeline's own action steps (`stress`, `simulate`) done at the declaration
/// with what they found. A `notify-partners` step has its message ready and stays to do:
/// lifeline does not deliver messages.
pub fn instantiate(
    playbooks: &[&Playbook],
    declaration: &Declaration,
    impact: &Impact,
) -> Vec<Task> {
    build(
        playbooks,
        declaration,
        impact,
        declaration.declared_at,
        &HashSet::new(),
    )
}

/// The tasks after the estimate changed: every task already on the board stays, with its
/// status, and its due time and `due_basis` recomputed from the new impact; steps whose
/// condition holds now and did not before are added (action steps done at `at`). The
/// second list holds every due time that moved. Tasks whose playbook or step is no
/// longer in `playbooks` keep their due time.
pub fn reschedule(
    old: &[Task],
    playbooks: &[&Playbook],
    declaration: &Declaration,
    impact: &Impact,
    at: OffsetDateTime,
) -> (Vec<Task>, Vec<DueChange>) {
    let keep: HashSet<String> = old.iter().map(|t| t.id.clone()).collect();
    let fresh = build(playbooks, declaration, impact, at, &keep);
    let mut by_id: HashMap<&str, &Task> = fresh.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut tasks = Vec::with_capacity(fresh.len().max(old.len()));
    let mut moved = Vec::new();
    for task in old {
        let mut task = task.clone();
        if let Some(new) = by_id.remove(task.id.as_str()) {
            if new.due != task.due {
                moved.push(DueChange {
                    task: task.id.clone(),
                    from: task.due,
                    to: new.due,
                    basis: new.due_basis.clone(),
                });
            }
            task.due = new.due;
            task.due_basis.clone_from(&new.due_basis);
        }
        tasks.push(task);
    }
    tasks.extend(
        fresh
            .iter()
            .filter(|t| by_id.contains_key(t.id.as_str()))
            .cloned(),
    );
    (tasks, moved)
}

/// A task's id: `PLAYBOOK/STEP`.
pub fn task_id(playbook: &str, step: &str) -> String {
    format!("{playbook}/{step}")
}

fn build(
    playbooks: &[&Playbook],
    declaration: &Declaration,
    impact: &Impact,
    at: OffsetDateTime,
    keep: &HashSet<String>,
) -> Vec<Task> {
    let values = placeholder_values(declaration, impact);
    let mut tasks = Vec::new();
    for playbook in playbooks {
        let included: Vec<bool> = playbook
            .steps
            .iter()
            .map(|step| {
                keep.contains(&task_id(&playbook.id, &step.id))
                    || step
                        .when
                        .as_ref()
                        .is_none_or(|c| condition_holds(c, playbook, impact))
            })
            .collect();
        for (ix, step) in playbook.steps.iter().enumerate() {
            if !included[ix] {
                continue;
            }
            let (due, due_basis) = due(playbook, step, declaration, impact);
            let after = dependencies(playbook, ix, &included)
                .into_iter()
                .map(|s| task_id(&playbook.id, s))
                .collect();
            let (status, done_at, action_result) = match step.action {
                Some(action @ (Action::Stress | Action::Simulate)) => (
                    TaskStatus::Done,
                    Some(at),
                    Some(action_result(action, impact)),
                ),
                Some(Action::NotifyPartners) => (
                    TaskStatus::Todo,
                    None,
                    Some(match &step.message {
                        Some(m) => format!(
                            "message for {} ready: {}; lifeline does not send it, mark the task done once it is sent",
                            m.audience,
                            fill(&m.subject, &values)
                        ),
                        None => "the step has no message to send".to_owned(),
                    }),
                ),
                None => (TaskStatus::Todo, None, None),
            };
            tasks.push(Task {
                id: task_id(&playbook.id, &step.id),
                playbook: playbook.id.clone(),
                step: step.id.clone(),
                title: step.title.clone(),
                function: step.function,
                description: step.description.clone(),
                owner: step.owner.clone(),
                after,
                due,
                due_basis,
                approval: step.approval.clone(),
                message: step.message.as_ref().map(|m| Message {
                    audience: m.audience.clone(),
                    subject: fill(&m.subject, &values),
                    body: fill(&m.body, &values),
                }),
                action: step.action,
                action_result,
                status,
                done_at,
                approved_by: None,
            });
        }
    }
    tasks
}

/// The step ids step `ix` waits for: its `after`, with each step left out replaced by
/// what that step waited for (transitively), without repeats, in the order first met.
fn dependencies<'p>(playbook: &'p Playbook, ix: usize, included: &[bool]) -> Vec<&'p str> {
    let mut out: Vec<&str> = Vec::new();
    let mut visited: HashSet<usize> = HashSet::new();
    let mut stack: Vec<&str> = playbook.steps[ix]
        .after
        .iter()
        .rev()
        .map(String::as_str)
        .collect();
    while let Some(id) = stack.pop() {
        let Some(dep) = playbook.steps.iter().position(|s| s.id == id) else {
            continue;
        };
        if dep == ix || !visited.insert(dep) {
            continue;
        }
        if included[dep] {
            if !out.contains(&id) {
                out.push(id);
            }
        } else {
            stack.extend(playbook.steps[dep].after.iter().rev().map(String::as_str));
        }
    }
    out
}

/// The due time of a step and the sentence that explains it (or why there is none).
pub fn due(
    playbook: &Playbook,
    step: &Step,
    declaration: &Declaration,
    impact: &Impact,
) -> (Option<OffsetDateTime>, String) {
    let Some(due) = step.due else {
        return (None, "no deadline in the playbook".to_owned());
    };
    if !due.offset_hours.is_finite() {
        return (
            None,
            "no due time: the playbook's offset is not a number of hours".to_owned(),
        );
    }
    let declared = declaration.declared_at;
    let (anchor_at, anchor_text) = match due.anchor {
        Anchor::Declared => (Some(declared), "the declaration".to_owned()),
        Anchor::FirstStockout => match first_stockout(impact, |_| true) {
            Some(node) => stockout_anchor(node, "the first stockout"),
            None => {
                return (
                    None,
                    format!(
                        "no due time: nothing runs short within the {} days simulated",
                        impact.days
                    ),
                );
            }
        },
        Anchor::FirstCriticalStockout => {
            let Some(min) = playbook.critical_value else {
                return (
                    None,
                    "no due time: the playbook sets no critical_value, so no item is critical"
                        .to_owned(),
                );
            };
            match first_stockout(impact, |d| d.value >= min) {
                Some(node) => stockout_anchor(node, "the first stockout of a critical item"),
                None => {
                    return (
                        None,
                        format!(
                            "no due time: no critical item (value at least {}) runs short within the {} days simulated",
                            number(min),
                            impact.days
                        ),
                    );
                }
            }
        }
        Anchor::Tts => (
            add_days(declared, impact.stress.tts),
            format!("the time to survive ({})", tts_text(impact)),
        ),
        Anchor::Recovery => (
            add_days(declared, impact.expected_ttr),
            format!(
                "the expected recovery (TTR {})",
                days_text(impact.expected_ttr)
            ),
        ),
    };
    let at = anchor_at.and_then(|at| add_hours(at, due.offset_hours));
    let Some(at) = at else {
        return (
            None,
            format!("no due time: {anchor_text} falls outside the calendar"),
        );
    };
    let basis = if due.offset_hours == 0.0 {
        format!("at {anchor_text}")
    } else if due.offset_hours > 0.0 {
        format!("{} after {anchor_text}", hours_text(due.offset_hours))
    } else {
        format!("{} before {anchor_text}", hours_text(-due.offset_hours))
    };
    (Some(at), basis)
}

fn action_result(action: Action, impact: &Impact) -> String {
    match action {
        Action::Stress => {
            let s = &impact.stress;
            let gap = s
                .gap
                .map_or_else(String::new, |g| format!(" (TTS − TTR {})", number(g)));
            let lost = s.total_lost_units();
            format!(
                "time to survive {} against an expected TTR of {}{gap}; {} shipments in the rerouting plan; {} units lost over the TTR window",
                tts_text(impact),
                days_text(impact.expected_ttr),
                s.reallocation.len(),
                number(lost)
            )
        }
        Action::Simulate => {
            let short = impact.demand.iter().filter(|d| runs_short(d)).count();
            match first_stockout(impact, |_| true) {
                Some(first) => format!(
                    "{short} of {} demand nodes run short within {} days; the first is {} on day {}",
                    impact.demand.len(),
                    impact.days,
                    first.id,
                    first.first_stockout_day.unwrap_or_default()
                ),
                None => format!(
                    "none of {} demand nodes runs short within {} days",
                    impact.demand.len(),
                    impact.days
                ),
            }
        }
        Action::NotifyPartners => "message ready".to_owned(),
    }
}

/// The demand node that runs short first among those `keep` accepts (the simulator's
/// order breaks ties).
fn first_stockout(impact: &Impact, keep: impl Fn(&DemandImpact) -> bool) -> Option<&DemandImpact> {
    impact
        .demand
        .iter()
        .filter(|d| keep(d) && d.first_stockout_day.is_some())
        .min_by_key(|d| d.first_stockout_day)
}

/// A due time anchored on `node`'s first stockout, and its basis: `what` (`the first
/// stockout`) with the node and the day.
fn stockout_anchor(node: &DemandImpact, what: &str) -> (Option<OffsetDateTime>, String) {
    (
        node.runs_short_at,
        format!(
            "{what} ({}, day {})",
            node.id,
            node.first_stockout_day.unwrap_or_default()
        ),
    )
}

fn runs_short(d: &DemandImpact) -> bool {
    d.shortage_days > 0 || d.first_stockout_day.is_some()
}

fn tts_text(impact: &Impact) -> String {
    let prefix = if impact.stress.tts_capped {
        "at least "
    } else {
        ""
    };
    format!("{prefix}{}", days_text(impact.stress.tts))
}

/// `1 day`, `4.5 days`.
pub fn days_text(days: f64) -> String {
    if days == 1.0 {
        "1 day".to_owned()
    } else {
        format!("{} days", number(days))
    }
}

/// `2 h`, `1 day`, `3 days`, `36 h`: whole days as days, anything else in hours.
pub fn hours_text(hours: f64) -> String {
    if hours >= 24.0 && (hours / 24.0).fract() == 0.0 {
        days_text(hours / 24.0)
    } else {
        format!("{} h", number(hours))
    }
}

/// A number with at most two decimals, trailing zeros dropped: `4.5`, `17`, `0.33`.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let text = format!("{x:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// `2026-12-06 08:00 UTC`: how reports and messages show a time.
pub fn format_time(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}
