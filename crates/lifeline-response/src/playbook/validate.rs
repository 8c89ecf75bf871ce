//! The checks of what a playbook means, whatever form it was read from (lifeline's YAML or
//! JSON, or a CACAO document mapped to it): ids, references between steps, the steps'
//! dependency graph (a DAG), conditions and anchors that need the playbook's
//! `critical_value`, placeholders in message templates, and numbers that mean nothing.
//!
//! Every problem is a [`Diagnostic`] at the path of lifeline's form (`steps[3].after[0]`).

use std::collections::HashMap;

use lifeline_network::Diagnostic;
use lifeline_text::Excerpt;

use super::{Action, Anchor, Metric, Playbook};

/// The placeholders a message template may use, each filled from the incident when its
/// task is created (agreed in the response contract; `incident::tasks` fills them).
pub use crate::incident::tasks::PLACEHOLDERS;

/// The longest id, in characters: ids are shown in tables and used in CACAO ids.
pub const MAX_ID_CHARS: usize = 64;

/// Whether `id` is a playbook or step id: lower-case ASCII letters, digits and single
/// hyphens between them, at most [`MAX_ID_CHARS`] characters.
pub fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Every problem of a playbook (errors and warnings), each at its path.
pub fn validate(playbook: &Playbook) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    check_id(&mut out, "id", &playbook.id);
    blank(&mut out, "name", &playbook.name);
    if let Some(value) = playbook.critical_value
        && !(value.is_finite() && value > 0.0)
    {
        out.push(Diagnostic::error(
            "critical_value",
            format!("must be a positive number, found `{value}`"),
        ));
    }
    if let Some(value) = playbook.trigger.min_item_value
        && !(value.is_finite() && value > 0.0)
    {
        out.push(Diagnostic::error(
            "trigger.min_item_value",
            format!("must be a positive number, found `{value}`"),
        ));
    }
    for (i, kind) in playbook.trigger.entity_kinds.iter().enumerate() {
        blank(&mut out, &format!("trigger.entity_kinds[{i}]"), kind);
    }
    for (i, vendor) in playbook.trigger.vendors.iter().enumerate() {
        let id = lifeline_network::vendor_id(vendor);
        if id != *vendor {
            let diagnostic = Diagnostic::error(
                format!("trigger.vendors[{i}]"),
                format!(
                    "`{}` is not a vendor id: lower-case letters and digits joined by single hyphens",
                    Excerpt(vendor)
                ),
            );
            out.push(if id.is_empty() {
                diagnostic
            } else {
                diagnostic.with_hint(format!("write `{}`", Excerpt(&id)))
            });
        }
    }
    for (i, source) in playbook.sources.iter().enumerate() {
        blank(&mut out, &format!("sources[{i}].title"), &source.title);
    }
    if playbook.steps.is_empty() {
        out.push(Diagnostic::error("steps", "the playbook has no steps"));
    }

    // Step ids: well formed and unique; the first of a duplicated id is the one `after`
    // refers to.
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, step) in playbook.steps.iter().enumerate() {
        let path = format!("steps[{i}].id");
        if !check_id(&mut out, &path, &step.id) {
            continue;
        }
        if let Some(first) = index.get(step.id.as_str()) {
            out.push(Diagnostic::error(
                path,
                format!(
                    "duplicate step id `{}`, first used at steps[{first}]",
                    step.id
                ),
            ));
        } else {
            index.insert(&step.id, i);
        }
    }

    for (i, step) in playbook.steps.iter().enumerate() {
        let at = |field: &str| format!("steps[{i}].{field}");
        blank(&mut out, &at("title"), &step.title);
        if let Some(owner) = &step.owner {
            blank(&mut out, &at("owner"), owner);
        }
        if let Some(approval) = &step.approval {
            blank(&mut out, &at("approval"), approval);
        }
        for (j, after) in step.after.iter().enumerate() {
            let path = format!("steps[{i}].after[{j}]");
            if *after == step.id {
                out.push(Diagnostic::error(
                    path,
                    format!("step `{}` cannot come after itself", Excerpt(after)),
                ));
            } else if !index.contains_key(after.as_str()) {
                let diagnostic = Diagnostic::error(
                    path,
                    format!("`{}` names no step of this playbook", Excerpt(after)),
                );
                out.push(
                    match lifeline_text::suggest(
                        after,
                        playbook.steps.iter().map(|s| s.id.as_str()),
                    ) {
                        Some(near) => diagnostic.with_hint(format!("did you mean `{near}`?")),
                        None => diagnostic,
                    },
                );
            } else if let Some(first) = step.after[..j].iter().position(|a| a == after) {
                out.push(Diagnostic::warning(
                    path,
                    format!("`{after}` is listed twice, first at steps[{i}].after[{first}]"),
                ));
            }
        }
        if let Some(due) = &step.due {
            let path = at("due");
            if !due.offset_hours.is_finite() {
                out.push(Diagnostic::error(
                    path.clone(),
                    format!(
                        "the offset must be a finite number of hours, found `{}`",
                        due.offset_hours
                    ),
                ));
            } else if due.anchor == Anchor::Declared && due.offset_hours < 0.0 {
                out.push(
                    Diagnostic::error(
                        path.clone(),
                        "a deadline before the declaration has passed before the task exists",
                    )
                    .with_hint(
                        "count from `declared` forwards (`declared + 2h`), or from a later anchor",
                    ),
                );
            }
            if due.anchor == Anchor::FirstCriticalStockout && playbook.critical_value.is_none() {
                out.push(
                    Diagnostic::error(
                        path,
                        "the `first-critical-stockout` anchor needs the playbook's `critical_value`",
                    )
                    .with_hint("set `critical_value` (the demand `value` from which an item is critical), or use `first-stockout`"),
                );
            }
        }
        if let Some(when) = &step.when {
            let path = at("when");
            if !when.value.is_finite() {
                out.push(Diagnostic::error(
                    path.clone(),
                    format!("the value must be a finite number, found `{}`", when.value),
                ));
            } else if when.value < 0.0 && when.metric != Metric::Gap {
                out.push(Diagnostic::error(
                    path.clone(),
                    format!(
                        "`{}` is never negative: compare it with 0 or more (only `gap` can be negative)",
                        when.metric.as_str()
                    ),
                ));
            }
            if when.critical_only && playbook.critical_value.is_none() {
                out.push(
                    Diagnostic::error(
                        path,
                        "`critical` needs the playbook's `critical_value`",
                    )
                    .with_hint("set `critical_value` (the demand `value` from which an item is critical), or drop `critical`"),
                );
            }
        }
        if let Some(message) = &step.message {
            blank(&mut out, &at("message.audience"), &message.audience);
            blank(&mut out, &at("message.subject"), &message.subject);
            blank(&mut out, &at("message.body"), &message.body);
            placeholders(&mut out, &at("message.subject"), &message.subject);
            placeholders(&mut out, &at("message.body"), &message.body);
        }
        if step.action == Some(Action::NotifyPartners) && step.message.is_none() {
            out.push(
                Diagnostic::error(
                    at("action"),
                    "`notify-partners` sends the step's message, and the step has none",
                )
                .with_hint("add `message: {audience: partners, subject: ..., body: ...}`"),
            );
        }
    }

    for cycle in cycles(playbook, &index) {
        let first = cycle[0];
        let names: Vec<String> = cycle
            .iter()
            .chain(std::iter::once(&first))
            .map(|&k| format!("`{}`", playbook.steps[k].id))
            .collect();
        out.push(
            Diagnostic::error(
                format!("steps[{first}].after"),
                format!("the steps form a loop: {}", names.join(" → ")),
            )
            .with_hint("each step comes after the next one on the loop: remove one of these `after` entries"),
        );
    }
    out
}

/// Checks an id; `false` (reported) when it is not one.
fn check_id(out: &mut Vec<Diagnostic>, path: &str, id: &str) -> bool {
    if is_id(id) {
        return true;
    }
    let message = if id.is_empty() {
        "an id must not be empty".to_owned()
    } else {
        format!(
            "`{}` is not an id: lower-case letters and digits joined by single hyphens, at most {MAX_ID_CHARS} characters",
            Excerpt(id)
        )
    };
    let fixed = lifeline_network::vendor_id(id);
    out.push(if is_id(&fixed) && fixed != id {
        Diagnostic::error(path, message).with_hint(format!("write `{fixed}`"))
    } else {
        Diagnostic::error(path, message)
    });
    false
}

fn blank(out: &mut Vec<Diagnostic>, path: &str, text: &str) {
    if text.trim().is_empty() {
        out.push(Diagnostic::error(path, "must not be empty"));
    }
}

/// The `{name}` placeholders of a template, with their byte offsets: a `{` followed by
/// letters, digits, `_` or `-` and a `}`. Other braces are text.
pub fn placeholders_in(template: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(after.len());
        if len > 0 && after[len..].starts_with('}') {
            found.push(&after[..len]);
            rest = &after[len + 1..];
        } else {
            rest = after;
        }
    }
    found
}

fn placeholders(out: &mut Vec<Diagnostic>, path: &str, template: &str) {
    for name in placeholders_in(template) {
        if PLACEHOLDERS.contains(&name) {
            continue;
        }
        let diagnostic =
            Diagnostic::error(path, format!("unknown placeholder `{{{}}}`", Excerpt(name)));
        out.push(
            match lifeline_text::suggest(name, PLACEHOLDERS.iter().copied()) {
                Some(near) => diagnostic.with_hint(format!("did you mean `{{{near}}}`?")),
                None => diagnostic.with_hint(format!(
                    "placeholders: {}",
                    PLACEHOLDERS
                        .iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            },
        );
    }
}

/// The dependencies of each step that name a step (unknown names and the step itself left
/// out), as positions, in the order written.
fn edges(playbook: &Playbook, index: &HashMap<&str, usize>) -> Vec<Vec<usize>> {
    playbook
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let mut deps: Vec<usize> = Vec::new();
            for after in &step.after {
                if let Some(&k) = index.get(after.as_str())
                    && k != i
                    && !deps.contains(&k)
                {
                    deps.push(k);
                }
            }
            deps
        })
        .collect()
}

fn step_index(playbook: &Playbook) -> HashMap<&str, usize> {
    let mut index = HashMap::new();
    for (i, step) in playbook.steps.iter().enumerate() {
        index.entry(step.id.as_str()).or_insert(i);
    }
    index
}

/// One loop per strongly connected group of steps that has one, as the positions of its
/// steps in order along the loop, each starting at its first step in document order.
fn cycles(playbook: &Playbook, index: &HashMap<&str, usize>) -> Vec<Vec<usize>> {
    let deps = edges(playbook, index);
    let n = deps.len();
    // The steps on no loop are those a repeated removal of steps without pending
    // dependencies (and of steps nothing pending depends on) takes away; what remains
    // holds every loop.
    let order = kahn(&deps);
    let mut done = vec![false; n];
    for &i in &order {
        done[i] = true;
    }
    let mut loops = Vec::new();
    let mut on_loop = vec![false; n];
    for start in 0..n {
        if done[start] || on_loop[start] {
            continue;
        }
        // Follow dependencies among the remaining steps (each has one, or it would have
        // been removed) until a step repeats: the repeated part is a loop.
        let mut path = vec![start];
        let mut seen_at: HashMap<usize, usize> = HashMap::from([(start, 0)]);
        let mut current = start;
        let found = loop {
            let Some(&next) = deps[current].iter().find(|&&k| !done[k]) else {
                break None;
            };
            if let Some(&at) = seen_at.get(&next) {
                break Some(path[at..].to_vec());
            }
            seen_at.insert(next, path.len());
            path.push(next);
            current = next;
        };
        let Some(mut cycle) = found else { continue };
        if cycle.iter().any(|&k| on_loop[k]) {
            continue;
        }
        for &k in &cycle {
            on_loop[k] = true;
        }
        // `deps` points from a step to what it comes after; read the loop the other way,
        // in the order the steps run, starting at its first step in document order.
        cycle.reverse();
        if let Some(first) = cycle
            .iter()
            .enumerate()
            .min_by_key(|(_, k)| **k)
            .map(|(p, _)| p)
        {
            cycle.rotate_left(first);
        }
        loops.push(cycle);
    }
    loops
}

/// Kahn's algorithm over `deps` (each step's dependencies), taking among the ready steps
/// the first in document order. Steps on a loop, or after one, are left out.
fn kahn(deps: &[Vec<usize>]) -> Vec<usize> {
    let n = deps.len();
    let mut pending: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut dependants = vec![Vec::new(); n];
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            dependants[d].push(i);
        }
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..n).filter(|&i| pending[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &d in &dependants[i] {
            pending[d] -= 1;
            if pending[d] == 0 {
                ready.insert(d);
            }
        }
    }
    order
}

/// The positions of the steps in an order that respects every `after`: among the steps
/// whose dependencies are all placed, the first in document order goes next, so a
/// playbook written in a workable order keeps it. References that name no step are
/// ignored; steps on a loop (an invalid playbook) and those after them come last, in
/// document order. Every position appears once.
pub fn topological_order(playbook: &Playbook) -> Vec<usize> {
    let index = step_index(playbook);
    let deps = edges(playbook, &index);
    let mut order = kahn(&deps);
    let mut placed = vec![false; deps.len()];
    for &i in &order {
        placed[i] = true;
    }
    order.extend((0..deps.len()).filter(|&i| !placed[i]));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_id("a"));
        assert!(is_id("distributor-ordering-ransomware"));
        assert!(is_id("step-2"));
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a b", "é"] {
            assert!(!is_id(bad), "{bad}");
        }
        assert!(!is_id(&"a".repeat(MAX_ID_CHARS + 1)));
    }

    #[test]
    fn placeholder_scan() {
        assert_eq!(
            placeholders_in("{title} at {declared_at}: {} {x y} {{tts}} {a"),
            vec!["title", "declared_at", "tts"]
        );
    }
}
