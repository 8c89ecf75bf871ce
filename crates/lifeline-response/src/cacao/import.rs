//! A CACAO document mapped to lifeline's playbook form.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use lifeline_network::{Diagnostic, Diagnostics};
use lifeline_text::Excerpt;
use serde_json::Value;

use super::check::{check, label};
use super::export::{EXTENSION_ID, PlaybookExtension, StepExtension};
use super::join_key;
use super::model::{CacaoDocument, StepType, WorkflowStep};
use crate::playbook::{FORMAT, Function, IncidentKind, Playbook, Source, Step, Trigger};

/// Maps a CACAO document to a lifeline playbook, with warnings for what lifeline cannot
/// act on.
///
/// A document lifeline wrote ([`from_playbook`](super::from_playbook): it carries the
/// extension [`EXTENSION_ID`]) maps back exactly: the playbook's and steps' lifeline fields
/// come from the extension, names and descriptions from the CACAO members.
///
/// A foreign document maps each `action` step to a step: title and description from the
/// step (with the text of its `manual` commands), `after` from the flow graph (the
/// nearest action steps before it, through start, parallel and condition steps; a
/// while-condition's loop is followed once), the function from the agent's name or type
/// when it says (`IR team`, `Legal`, an `ssh` host...), the owner from the agent's name.
/// Such a playbook has no lifeline trigger: it applies to incidents of kind `other` or
/// when asked for by id. Commands lifeline cannot run, conditions, loops and playbook
/// actions are reported as warnings.
///
/// Errors: [`check`]'s errors, and a lifeline extension that does not read.
pub fn to_playbook(document: &CacaoDocument) -> Result<(Playbook, Vec<Diagnostic>), Diagnostics> {
    let mut diagnostics = check(document);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Diagnostics(diagnostics));
    }
    let playbook = match document
        .playbook_extensions
        .as_ref()
        .and_then(|extensions| extensions.get(EXTENSION_ID))
    {
        Some(extension) => from_lifeline(document, extension, &mut diagnostics),
        None => Some(from_foreign(document, &mut diagnostics)),
    };
    match playbook {
        Some(playbook) if !diagnostics.iter().any(Diagnostic::is_error) => {
            Ok((playbook, diagnostics))
        }
        _ => Err(Diagnostics(diagnostics)),
    }
}

/// Reads a lifeline extension's value, naming the member that does not fit.
fn extension<T: serde::de::DeserializeOwned>(
    value: &Value,
    path: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(value) => Some(value),
        Err(error) => {
            let inner = error.path().to_string();
            let at = if inner == "." || inner.is_empty() {
                path.to_owned()
            } else {
                format!("{path}.{}", lifeline_text::escaped(&inner))
            };
            out.push(Diagnostic::error(
                at,
                format!(
                    "lifeline's extension does not read: {}",
                    lifeline_text::excerpt_to(&error.inner().to_string(), 200)
                ),
            ));
            None
        }
    }
}

fn from_lifeline(
    document: &CacaoDocument,
    value: &Value,
    out: &mut Vec<Diagnostic>,
) -> Option<Playbook> {
    let here = join_key("playbook_extensions", EXTENSION_ID);
    let ext: PlaybookExtension = extension(value, &here, out)?;
    if ext.format != FORMAT {
        out.push(Diagnostic::error(
            format!("{here}.format"),
            format!(
                "lifeline's extension is in format `{}`; this lifeline reads `{FORMAT}`",
                Excerpt(&ext.format)
            ),
        ));
        return None;
    }
    let mut steps: Vec<Step> = Vec::new();
    for id in walk_order(document) {
        let step = &document.workflow[id];
        if step.kind != StepType::Action {
            continue;
        }
        let path = join_key(&join_key("workflow", id), "step_extensions");
        let Some(value) = step
            .step_extensions
            .as_ref()
            .and_then(|extensions| extensions.get(EXTENSION_ID))
        else {
            out.push(Diagnostic::warning(
                join_key("workflow", id),
                format!(
                    "{} has no lifeline extension (it was added after lifeline wrote the playbook) and is left out",
                    label(id, step)
                ),
            ));
            continue;
        };
        let Some(fields) = extension::<StepExtension>(value, &join_key(&path, EXTENSION_ID), out)
        else {
            continue;
        };
        steps.push(Step {
            id: fields.id,
            title: step.name.clone().unwrap_or_default(),
            function: fields.function,
            description: step.description.clone().unwrap_or_default(),
            owner: fields.owner,
            after: fields.after,
            due: fields.due,
            when: fields.when,
            approval: fields.approval,
            message: fields.message,
            action: fields.action,
        });
    }
    // The author's order; steps the extension does not list follow in workflow order.
    let rank: BTreeMap<&str, usize> = ext
        .steps
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .rev()
        .collect();
    steps.sort_by_key(|s| rank.get(s.id.as_str()).copied().unwrap_or(ext.steps.len()));
    let present: BTreeSet<&str> = steps.iter().map(|s| s.id.as_str()).collect();
    for id in &ext.steps {
        if !present.contains(id.as_str()) {
            out.push(Diagnostic::warning(
                format!("{here}.steps"),
                format!(
                    "step `{}` is listed but the workflow has no action step for it",
                    Excerpt(id)
                ),
            ));
        }
    }
    Some(Playbook {
        id: ext.id,
        name: document.name.clone(),
        description: document.description.clone().unwrap_or_default(),
        sources: ext.sources,
        trigger: ext.trigger,
        critical_value: ext.critical_value,
        steps,
    })
}

/// The steps reachable from the entry points, breadth first, successors in their order.
fn walk_order(document: &CacaoDocument) -> Vec<&str> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut order = Vec::new();
    let mut queue: VecDeque<&str> = [
        Some(document.workflow_start.as_str()),
        document.workflow_exception.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    while let Some(id) = queue.pop_front() {
        let Some(step) = document.workflow.get(id) else {
            continue;
        };
        if !seen.insert(id) {
            continue;
        }
        order.push(id);
        for (_, to) in step.successors() {
            queue.push_back(to);
        }
    }
    order
}

/// The workflow's edges without those that close a loop (back to a step on the current
/// depth-first path: with [`check`] passed, only through a while-condition).
fn forward_edges<'d>(
    document: &'d CacaoDocument,
    roots: &[&'d str],
) -> BTreeMap<&'d str, Vec<&'d str>> {
    let mut predecessors: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut on_path: BTreeSet<&str> = BTreeSet::new();
    for &root in roots {
        if done.contains(root) || !document.workflow.contains_key(root) {
            continue;
        }
        let mut stack: Vec<(&str, Vec<&str>, usize)> = Vec::new();
        on_path.insert(root);
        stack.push((root, next_of(document, root), 0));
        while let Some(frame) = stack.last_mut() {
            if frame.2 >= frame.1.len() {
                on_path.remove(frame.0);
                done.insert(frame.0);
                stack.pop();
                continue;
            }
            let (from, to) = (frame.0, frame.1[frame.2]);
            frame.2 += 1;
            if on_path.contains(to) {
                continue;
            }
            let entry = predecessors.entry(to).or_default();
            if !entry.contains(&from) {
                entry.push(from);
            }
            if !done.contains(to) {
                on_path.insert(to);
                stack.push((to, next_of(document, to), 0));
            }
        }
    }
    predecessors
}

fn next_of<'d>(document: &'d CacaoDocument, id: &str) -> Vec<&'d str> {
    document
        .workflow
        .get(id)
        .map(|s| {
            s.successors()
                .into_iter()
                .map(|(_, to)| to)
                .filter(|to| document.workflow.contains_key(*to))
                .collect()
        })
        .unwrap_or_default()
}

fn from_foreign(document: &CacaoDocument, out: &mut Vec<Diagnostic>) -> Playbook {
    let order = walk_order(document);
    let predecessors = forward_edges(document, &order);
    // The nearest action steps before each step, through steps that are not actions.
    let mut before: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let sorted = topological(&order, &predecessors);
    for &id in &sorted {
        let mut nearest = BTreeSet::new();
        for &p in predecessors.get(id).into_iter().flatten() {
            if document.workflow[p].kind == StepType::Action {
                nearest.insert(p);
            } else if let Some(set) = before.get(p) {
                nearest.extend(set.iter().copied());
            }
        }
        before.insert(id, nearest);
    }

    let actions: Vec<&str> = sorted
        .into_iter()
        .filter(|id| document.workflow[*id].kind == StepType::Action)
        .collect();
    let rank: BTreeMap<&str, usize> = actions.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for (n, &id) in actions.iter().enumerate() {
        let step = &document.workflow[id];
        let base = step
            .name
            .as_deref()
            .map(slug)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("step-{}", n + 1));
        let mut unique = base.clone();
        let mut k = 2;
        while taken.contains(&unique) {
            unique = format!("{base}-{k}");
            k += 1;
        }
        taken.insert(unique.clone());
        ids.insert(id, unique);
    }

    let mut steps = Vec::new();
    for (n, &id) in actions.iter().enumerate() {
        let step = &document.workflow[id];
        let (function, owner) = function_of(document, id, step, out);
        warn_commands(id, step, out);
        // In the order the steps come in the playbook.
        let mut after: Vec<(usize, String)> = before
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|p| Some((*rank.get(p)?, ids.get(p)?.clone())))
            .collect();
        after.sort();
        let after = after.into_iter().map(|(_, id)| id).collect();
        steps.push(Step {
            id: ids[id].clone(),
            title: step
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| format!("Step {}", n + 1)),
            function,
            description: description_of(step),
            owner,
            after,
            due: None,
            when: None,
            approval: None,
            message: None,
            action: None,
        });
    }
    for &id in &order {
        warn_flow(id, &document.workflow[id], out);
    }
    if document
        .workflow_exception
        .as_ref()
        .and_then(|id| document.workflow.get(id))
        .is_some_and(|step| step.kind != StepType::End)
    {
        out.push(Diagnostic::warning(
            "workflow_exception",
            "lifeline does not run an exception path: its steps become tasks like the others",
        ));
    }
    out.push(
        Diagnostic::warning(
            "",
            "a CACAO playbook says nothing of when it applies: lifeline applies it to incidents of kind `other`, or when the incident names it",
        )
        .with_hint("export it as YAML, set its trigger, and import that"),
    );

    let uuid = document
        .id
        .split_once("--")
        .map_or(document.id.as_str(), |(_, u)| u);
    let id = Some(slug(&document.name))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("cacao-{}", slug(uuid)));
    Playbook {
        id,
        name: document.name.clone(),
        description: document.description.clone().unwrap_or_default(),
        sources: document
            .external_references
            .iter()
            .flatten()
            .map(|r| Source {
                title: r.name.clone(),
                url: r.url.clone(),
            })
            .collect(),
        trigger: Trigger {
            incidents: vec![IncidentKind::Other],
            ..Trigger::default()
        },
        critical_value: None,
        steps,
    }
}

/// Kahn's algorithm over the forward edges; among ready steps, walk order first.
fn topological<'d>(
    order: &[&'d str],
    predecessors: &BTreeMap<&'d str, Vec<&'d str>>,
) -> Vec<&'d str> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let position: BTreeMap<&str, usize> =
        order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut successors: Vec<Vec<usize>> = vec![Vec::new(); order.len()];
    let mut waiting: Vec<usize> = vec![0; order.len()];
    for (i, id) in order.iter().enumerate() {
        for p in predecessors.get(id).into_iter().flatten() {
            if let Some(&j) = position.get(p) {
                successors[j].push(i);
                waiting[i] += 1;
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> = (0..order.len())
        .filter(|&i| waiting[i] == 0)
        .map(Reverse)
        .collect();
    let mut placed = vec![false; order.len()];
    let mut out = Vec::with_capacity(order.len());
    while let Some(Reverse(i)) = ready.pop() {
        if placed[i] {
            continue;
        }
        placed[i] = true;
        out.push(order[i]);
        for &j in &successors[i] {
            waiting[j] = waiting[j].saturating_sub(1);
            if waiting[j] == 0 {
                ready.push(Reverse(j));
            }
        }
    }
    // The forward edges have no loop; anything left (none) follows in walk order.
    out.extend((0..order.len()).filter(|&i| !placed[i]).map(|i| order[i]));
    out
}

/// `IP Lookup` → `ip-lookup`: lower-case letters and digits, hyphens between, at most
/// 60 characters (room for a `-2` that makes it unique within lifeline's 64).
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The step's description, then the text of its commands that say something else.
fn description_of(step: &WorkflowStep) -> String {
    let mut parts: Vec<String> = step.description.iter().cloned().collect();
    for command in step.commands.iter().flatten() {
        for text in [&command.description, &command.command]
            .into_iter()
            .flatten()
        {
            if !text.trim().is_empty() && !parts.contains(text) {
                parts.push(text.clone());
            }
        }
    }
    parts.join("\n")
}

/// The function and owner of an action step, from its agent.
fn function_of(
    document: &CacaoDocument,
    id: &str,
    step: &WorkflowStep,
    out: &mut Vec<Diagnostic>,
) -> (Function, Option<String>) {
    let agent = step.agent.as_ref().and_then(|a| {
        document
            .agent_definitions
            .as_ref()
            .and_then(|agents| agents.get(a))
    });
    let owner = agent
        .and_then(|a| a.name.clone())
        .filter(|n| !n.trim().is_empty());
    let guess = agent.and_then(|a| {
        let text = format!(
            "{} {} {}",
            a.name.as_deref().unwrap_or(""),
            a.kind,
            a.description.as_deref().unwrap_or("")
        );
        function_from_text(&text).or_else(|| {
            // Machines (and orchestrators' capabilities) are IT's.
            let technical = [
                "ssh",
                "linux",
                "http-api",
                "net-address",
                "security-category",
            ];
            (technical.contains(&a.kind.as_str()) || a.kind.starts_with("soarca"))
                .then_some(Function::ItSecurity)
        })
    });
    match guess {
        Some(function) => (function, owner),
        None => {
            out.push(
                Diagnostic::warning(
                    join_key(&join_key("workflow", id), "agent"),
                    format!(
                        "{}: the agent does not say which team does it; lifeline puts it under IT and security",
                        label(id, step)
                    ),
                )
                .with_hint("name the agent after the team (`Supply chain`, `Clinical`, `Legal`, ...)"),
            );
            (Function::ItSecurity, owner)
        }
    }
}

/// The function a team's name or description points to, if any.
fn function_from_text(text: &str) -> Option<Function> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |stems: &[&str]| stems.iter().any(|s| words.iter().any(|w| w.starts_with(s)));
    let word = |exact: &[&str]| exact.iter().any(|s| words.contains(s));
    if let Some(function) = Function::ALL
        .into_iter()
        .find(|f| lower.contains(f.as_str()) || lower.contains(&f.title().to_lowercase()))
    {
        return Some(function);
    }
    if has(&["clinic", "nurs", "physician", "pharmac", "medic", "doctor"]) {
        Some(Function::Clinical)
    } else if has(&[
        "supply", "procure", "material", "logistic", "purchas", "warehous",
    ]) {
        Some(Function::SupplyChain)
    } else if has(&["legal", "regulat", "complian", "privacy", "counsel"]) {
        Some(Function::LegalRegulatory)
    } else if has(&["communicat", "media", "press"]) || word(&["pr"]) {
        Some(Function::Communications)
    } else if has(&["command", "commander", "executive", "leadership"]) {
        Some(Function::IncidentCommand)
    } else if has(&["secur", "network", "csirt", "cert", "soc", "analyst"])
        || word(&["it", "ir", "ict", "isac"])
    {
        Some(Function::ItSecurity)
    } else {
        None
    }
}

fn warn_commands(id: &str, step: &WorkflowStep, out: &mut Vec<Diagnostic>) {
    let here = join_key("workflow", id);
    for (i, command) in step.commands.iter().flatten().enumerate() {
        if command.kind != "manual" {
            out.push(Diagnostic::warning(
                format!("{here}.commands[{i}]"),
                format!(
                    "{} has a `{}` command: lifeline does not run commands, the step becomes a task for a person",
                    label(id, step),
                    Excerpt(&command.kind)
                ),
            ));
        }
    }
}

fn warn_flow(id: &str, step: &WorkflowStep, out: &mut Vec<Diagnostic>) {
    let here = join_key("workflow", id);
    let text = match step.kind {
        StepType::IfCondition | StepType::SwitchCondition => format!(
            "{} chooses a branch by a condition lifeline does not evaluate: the steps of every branch become tasks",
            label(id, step)
        ),
        StepType::WhileCondition => format!(
            "{} repeats steps while a condition holds: lifeline makes each of them a task once",
            label(id, step)
        ),
        StepType::PlaybookAction => format!(
            "{} runs another playbook (`{}`), which lifeline leaves out: import that playbook too",
            label(id, step),
            Excerpt(step.playbook_id.as_deref().unwrap_or(""))
        ),
        StepType::Start | StepType::End | StepType::Action | StepType::Parallel => return,
    };
    out.push(Diagnostic::warning(here, text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lifeline_ids() {
        assert_eq!(slug("IP Lookup"), "ip-lookup");
        assert_eq!(slug("  Ré-route: orders!! "), "r-route-orders");
        assert_eq!(slug("***"), "");
        assert!(slug(&"x".repeat(100)).len() <= 60);
    }

    #[test]
    fn teams_map_to_functions() {
        assert_eq!(
            function_from_text("IR team group"),
            Some(Function::ItSecurity)
        );
        assert_eq!(
            function_from_text("Materials management"),
            Some(Function::SupplyChain)
        );
        assert_eq!(
            function_from_text("Nursing leads"),
            Some(Function::Clinical)
        );
        assert_eq!(function_from_text("Legal"), Some(Function::LegalRegulatory));
        assert_eq!(
            function_from_text("PR team"),
            Some(Function::Communications)
        );
        assert_eq!(
            function_from_text("Supply chain and operations"),
            Some(Function::SupplyChain)
        );
        assert_eq!(function_from_text("Luke Skywalker individual"), None);
    }
}
