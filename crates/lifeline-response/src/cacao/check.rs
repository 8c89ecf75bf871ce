//! The workflow checks a JSON schema cannot express: references between steps, loops,
//! reachability, and the agents, targets and extensions steps name.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use lifeline_network::Diagnostic;
use lifeline_text::Excerpt;

use super::join_key;
use super::model::{CacaoDocument, StepType, WorkflowStep};

/// Checks a CACAO document's workflow (the schema has already checked its shape):
///
/// - `workflow_start` names a step, and a `start` step (another type is a warning: some
///   producers start at a parallel or action step, and the workflow can still be followed);
///   `workflow_exception` names a step (a warning: lifeline never runs that path);
/// - every `on_completion`, `on_success`, `on_failure`, `on_true`, `on_false`,
///   `next_steps` and `cases` names a step of the workflow;
/// - no loop, except one through a `while-condition` step;
/// - every step can be reached from `workflow_start` (or `workflow_exception`), and an
///   `end` step can be reached from every step;
/// - every `agent` names an agent definition, every `targets` entry a target definition,
///   every `authentication_info` an authentication definition, and every extension used
///   is declared in `extension_definitions`.
///
/// Each problem is a diagnostic at its path (`workflow.action--….on_completion`).
pub fn check(document: &CacaoDocument) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    check_entry_points(document, &mut out);
    check_references(document, &mut out);
    check_definitions(document, &mut out);
    check_loops(document, &mut out);
    check_reachability(document, &mut out);
    out
}

/// `step `Name` (action--…)` or `step action--…` for messages.
pub(crate) fn label(id: &str, step: &WorkflowStep) -> String {
    match step.name.as_deref() {
        Some(name) if !name.trim().is_empty() => {
            format!("step `{}` ({})", Excerpt(name), Excerpt(id))
        }
        _ => format!("step {}", Excerpt(id)),
    }
}

/// A step's name in backquotes, or its id.
fn short(id: &str, step: &WorkflowStep) -> String {
    match step.name.as_deref() {
        Some(name) if !name.trim().is_empty() => format!("`{}`", Excerpt(name)),
        _ => Excerpt(id).to_string(),
    }
}

fn missing_step(document: &CacaoDocument, path: String, target: &str) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        path,
        format!("`{}` names no step of the workflow", Excerpt(target)),
    );
    // Only a workflow of a readable size gets a did-you-mean (it compares with every id).
    if document.workflow.len() > 1000 {
        return diagnostic;
    }
    match lifeline_text::suggest(target, document.workflow.keys().map(String::as_str)) {
        Some(near) => diagnostic.with_hint(format!("did you mean `{}`?", Excerpt(near))),
        None => diagnostic,
    }
}

fn check_entry_points(document: &CacaoDocument, out: &mut Vec<Diagnostic>) {
    match document.workflow.get(&document.workflow_start) {
        None => out.push(missing_step(
            document,
            "workflow_start".to_owned(),
            &document.workflow_start,
        )),
        Some(step) if step.kind != StepType::Start => out.push(
            Diagnostic::warning(
                "workflow_start",
                format!(
                    "names {}, a `{}` step, not a start step",
                    label(&document.workflow_start, step),
                    step.kind.as_str()
                ),
            )
            .with_hint("CACAO v2.0 wants the workflow to begin at a start step; lifeline begins at this one"),
        ),
        Some(_) => {}
    }
    if let Some(exception) = &document.workflow_exception
        && !document.workflow.contains_key(exception)
    {
        // lifeline never runs the exception path, so a dangling one loses nothing.
        let mut diagnostic = missing_step(document, "workflow_exception".to_owned(), exception);
        diagnostic.severity = lifeline_network::Severity::Warning;
        diagnostic
            .message
            .push_str(" (lifeline does not run exception paths and ignores it)");
        out.push(diagnostic);
    }
}

fn check_references(document: &CacaoDocument, out: &mut Vec<Diagnostic>) {
    for (id, step) in &document.workflow {
        let here = join_key("workflow", id);
        for (field, target) in step.successors() {
            if !document.workflow.contains_key(target) {
                out.push(missing_step(document, format!("{here}.{field}"), target));
            }
        }
        if let Some(agent) = &step.agent
            && !document
                .agent_definitions
                .as_ref()
                .is_some_and(|agents| agents.contains_key(agent))
        {
            out.push(
                Diagnostic::error(
                    format!("{here}.agent"),
                    format!(
                        "{} names agent `{}`, which `agent_definitions` does not define",
                        label(id, step),
                        Excerpt(agent)
                    ),
                )
                .with_hint("add the agent to `agent_definitions` or correct the reference"),
            );
        }
        for (i, target) in step.targets.iter().flatten().enumerate() {
            if !document
                .target_definitions
                .as_ref()
                .is_some_and(|targets| targets.contains_key(target))
            {
                out.push(
                    Diagnostic::error(
                        format!("{here}.targets[{i}]"),
                        format!(
                            "{} names target `{}`, which `target_definitions` does not define",
                            label(id, step),
                            Excerpt(target)
                        ),
                    )
                    .with_hint("add the target to `target_definitions` or correct the reference"),
                );
            }
        }
    }
}

fn check_definitions(document: &CacaoDocument, out: &mut Vec<Diagnostic>) {
    let declared = |id: &str| {
        document
            .extension_definitions
            .as_ref()
            .is_some_and(|definitions| definitions.contains_key(id))
    };
    let undeclared = |out: &mut Vec<Diagnostic>, path: String, id: &str| {
        out.push(
            Diagnostic::error(
                path,
                format!(
                    "extension `{}` is used but `extension_definitions` does not declare it",
                    Excerpt(id)
                ),
            )
            .with_hint("declare every extension a playbook uses in `extension_definitions`"),
        );
    };
    for id in document
        .playbook_extensions
        .iter()
        .flatten()
        .map(|(k, _)| k)
    {
        if !declared(id) {
            undeclared(out, join_key("playbook_extensions", id), id);
        }
    }
    for (step_id, step) in &document.workflow {
        for id in step.step_extensions.iter().flatten().map(|(k, _)| k) {
            if !declared(id) {
                let here = join_key(&join_key("workflow", step_id), "step_extensions");
                undeclared(out, join_key(&here, id), id);
            }
        }
    }
    for (field, definitions) in [
        ("agent_definitions", &document.agent_definitions),
        ("target_definitions", &document.target_definitions),
    ] {
        for (key, definition) in definitions.iter().flatten() {
            let here = join_key(field, key);
            for id in definition
                .agent_target_extensions
                .iter()
                .flatten()
                .map(|(k, _)| k)
            {
                if !declared(id) {
                    undeclared(
                        out,
                        join_key(&join_key(&here, "agent_target_extensions"), id),
                        id,
                    );
                }
            }
            if let Some(auth) = &definition.authentication_info
                && !document
                    .authentication_info_definitions
                    .as_ref()
                    .is_some_and(|defs| defs.contains_key(auth))
            {
                out.push(Diagnostic::error(
                    format!("{here}.authentication_info"),
                    format!(
                        "`{}` is not defined in `authentication_info_definitions`",
                        Excerpt(auth)
                    ),
                ));
            }
        }
    }
}

/// Loops that do not pass through a while-condition step: a depth-first search over the
/// workflow without its while-condition steps; each edge back to a step on the current
/// path closes one.
fn check_loops(document: &CacaoDocument, out: &mut Vec<Diagnostic>) {
    let is_while = |id: &str| {
        document
            .workflow
            .get(id)
            .is_some_and(|s| s.kind == StepType::WhileCondition)
    };
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut mark: BTreeMap<&str, Mark> = document
        .workflow
        .keys()
        .map(|k| (k.as_str(), Mark::New))
        .collect();
    for root in document.workflow.keys() {
        if is_while(root) || mark.get(root.as_str()) != Some(&Mark::New) {
            continue;
        }
        // Each frame: the step, its successors, the next successor to look at.
        let mut path: Vec<Frame<'_>> = Vec::new();
        mark.insert(root, Mark::OnPath);
        path.push((root, successors(document, root), 0));
        while let Some(frame) = path.last_mut() {
            let (from, next, at) = (frame.0, &frame.1, frame.2);
            if at >= next.len() {
                mark.insert(from, Mark::Done);
                path.pop();
                continue;
            }
            frame.2 += 1;
            let (field, to) = (next[at].0.clone(), next[at].1);
            if is_while(to) {
                continue;
            }
            match mark.get(to) {
                Some(Mark::New) => {
                    mark.insert(to, Mark::OnPath);
                    let after = successors(document, to);
                    path.push((to, after, 0));
                }
                Some(Mark::OnPath) => {
                    let start = path.iter().position(|f| f.0 == to).unwrap_or(0);
                    let cycle: Vec<String> = path[start..]
                        .iter()
                        .map(|f| f.0)
                        .chain([to])
                        .map(|id| short(id, &document.workflow[id]))
                        .collect();
                    let step = &document.workflow[from];
                    out.push(
                        Diagnostic::error(
                            format!("{}.{field}", join_key("workflow", from)),
                            format!(
                                "{} leads back to an earlier step, a loop: {}",
                                label(from, step),
                                cycle.join(" → ")
                            ),
                        )
                        .with_hint("only a while-condition step may repeat steps"),
                    );
                }
                _ => {}
            }
        }
    }
}

/// One step on the depth-first path: its id, its successors (member, step), and the
/// next successor to look at.
type Frame<'d> = (&'d str, Vec<(String, &'d str)>, usize);

/// The successors of a step that exist in the workflow.
fn successors<'d>(document: &'d CacaoDocument, id: &str) -> Vec<(String, &'d str)> {
    document
        .workflow
        .get(id)
        .map(|step| {
            step.successors()
                .into_iter()
                .filter(|(_, to)| document.workflow.contains_key(*to))
                .collect()
        })
        .unwrap_or_default()
}

fn check_reachability(document: &CacaoDocument, out: &mut Vec<Diagnostic>) {
    // Forward from the entry points.
    let mut reached: BTreeSet<&str> = BTreeSet::new();
    let mut queue: VecDeque<&str> = [
        Some(document.workflow_start.as_str()),
        document.workflow_exception.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|id| document.workflow.contains_key(*id))
    .collect();
    while let Some(id) = queue.pop_front() {
        if reached.insert(id) {
            queue.extend(successors(document, id).into_iter().map(|(_, to)| to));
        }
    }
    if !document.workflow.contains_key(&document.workflow_start) {
        // Already reported; every step would be unreachable.
        return;
    }
    for (id, step) in &document.workflow {
        if !reached.contains(id.as_str()) {
            out.push(
                Diagnostic::error(
                    join_key("workflow", id),
                    format!(
                        "{} cannot be reached from `workflow_start`",
                        label(id, step)
                    ),
                )
                .with_hint("link it from another step's on_completion (or remove it)"),
            );
        }
    }
    // Backward from the end steps.
    let mut predecessors: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for id in document.workflow.keys() {
        for (_, to) in successors(document, id) {
            predecessors.entry(to).or_default().push(id);
        }
    }
    let mut ends: BTreeSet<&str> = BTreeSet::new();
    let mut queue: VecDeque<&str> = document
        .workflow
        .iter()
        .filter(|(_, s)| s.kind == StepType::End)
        .map(|(id, _)| id.as_str())
        .collect();
    while let Some(id) = queue.pop_front() {
        if ends.insert(id) {
            queue.extend(predecessors.get(id).into_iter().flatten().copied());
        }
    }
    for (id, step) in &document.workflow {
        if reached.contains(id.as_str()) && !ends.contains(id.as_str()) {
            out.push(
                Diagnostic::error(
                    join_key("workflow", id),
                    format!("no end step can be reached from {}", label(id, step)),
                )
                .with_hint("every path through the workflow must finish at an end step"),
            );
        }
    }
}
