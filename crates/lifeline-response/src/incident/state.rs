//! An incident is the fold of its timeline: [`replay`] checks the chain and applies each
//! entry in turn, refusing what could not have happened; [`next_entry`] checks a new event
//! against the state the same way and seals it onto the chain. [`declare`] makes the
//! first entry and [`update`] the event of a changed estimate.

use lifeline_network::{Diagnostic, ValidatedNetwork};
use lifeline_text::excerpt;
use time::OffsetDateTime;

use super::timeline::{self, Broken, GENESIS};
use super::{Declaration, Entry, Event, Incident, IncidentStatus, Task, TaskStatus, impact, tasks};
use crate::playbook::Playbook;

/// Why a timeline cannot be replayed, or an event cannot follow it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StateError {
    #[error("the timeline is empty: an incident starts with its declaration")]
    Empty,
    #[error(transparent)]
    Broken(#[from] Broken),
    #[error("timeline entry {seq}: the first entry must declare the incident, not `{found}`")]
    NotDeclared { seq: u64, found: &'static str },
    #[error("timeline entry {seq}: the incident is already declared")]
    AlreadyDeclared { seq: u64 },
    #[error("task `{}`: no such task in the incident{}", excerpt(.task), hint(.suggestion.as_deref()))]
    UnknownTask {
        task: String,
        suggestion: Option<String>,
    },
    #[error("task `{}` is already on the board: it cannot be added again", excerpt(.task))]
    DuplicateTask { task: String },
    #[error("the incident was closed at {}: nothing can be added after that", tasks::format_time(*.closed_at))]
    Closed { closed_at: OffsetDateTime },
    #[error("task `{}` needs the approval of `{}`, not of `{}`", excerpt(.task), excerpt(.needed), excerpt(.role))]
    WrongRole {
        task: String,
        role: String,
        needed: String,
    },
    #[error("task `{}` needs no approval (approval by `{}` refused)", excerpt(.task), excerpt(.role))]
    NoApprovalNeeded { task: String, role: String },
    #[error("task `{}` is already approved by `{}`", excerpt(.task), excerpt(.by))]
    AlreadyApproved { task: String, by: String },
    #[error("task `{}` is already {}", excerpt(.task), .status.as_str())]
    SameStatus { task: String, status: TaskStatus },
    #[error("task `{}` cannot be done before `{}` is done or skipped", excerpt(.task), excerpt(.waits_for))]
    Waiting { task: String, waits_for: String },
    #[error("task `{}`: skipping a task needs a note saying why", excerpt(.task))]
    SkipWithoutReason { task: String },
    #[error("the entry's time {} is before the previous entry's, {}", tasks::format_time(*.at), tasks::format_time(*.previous))]
    TimeBackwards {
        at: OffsetDateTime,
        previous: OffsetDateTime,
    },
    #[error("the {field} is empty")]
    EmptyText { field: &'static str },
    #[error("timeline entry {seq}: {reason}")]
    Invalid { seq: u64, reason: String },
}

fn hint(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| {
        format!(" (did you mean `{}`?)", excerpt(s))
    })
}

/// Why an incident cannot be declared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeclareError {
    /// Problems with the declaration, each on its command-line option (`--entity`,
    /// `--capacity-factor`, `--expected-ttr`, `--title`, `--playbook`).
    #[error("the declaration is not valid: {}", join(.0))]
    Invalid(Vec<Diagnostic>),
    #[error("the actor is empty")]
    EmptyActor,
}

/// Why an update cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UpdateError {
    /// Problems with the new estimate, each on its command-line option
    /// (`--expected-ttr`, `--capacity-factor`).
    #[error("the update is not valid: {}", join(.0))]
    Invalid(Vec<Diagnostic>),
    #[error(transparent)]
    State(#[from] StateError),
}

fn join(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn event_name(event: &Event) -> &'static str {
    match event {
        Event::Declared { .. } => "declared",
        Event::Updated { .. } => "updated",
        Event::TaskStatus { .. } => "task-status",
        Event::Approved { .. } => "approved",
        Event::Decision { .. } => "decision",
        Event::Note { .. } => "note",
        Event::Improvement { .. } => "improvement",
        Event::Closed { .. } => "closed",
        Event::AlertSent { .. } => "alert-sent",
        Event::DeliveryFailed { .. } => "delivery-failed",
        Event::Acknowledged { .. } => "acknowledged",
        Event::Escalated { .. } => "escalated",
    }
}

/// The incident its timeline makes: the chain verified, the first entry the declaration,
/// every later entry checked against the state before it as [`next_entry`] checks it.
///
/// # Errors
///
/// A broken chain, a first entry that is not a declaration, or the first entry that
/// could not have followed the ones before it.
pub fn replay(entries: &[Entry]) -> Result<Incident, StateError> {
    timeline::verify(entries)?;
    let Some((first, rest)) = entries.split_first() else {
        return Err(StateError::Empty);
    };
    let Event::Declared {
        declaration,
        impact,
        playbooks,
        tasks,
    } = &first.event
    else {
        return Err(StateError::NotDeclared {
            seq: first.seq,
            found: event_name(&first.event),
        });
    };
    let mut incident = Incident {
        declaration: declaration.clone(),
        impact: impact.clone(),
        playbooks: playbooks.clone(),
        tasks: tasks.clone(),
        status: IncidentStatus::Open,
        closed_at: None,
        entries: 1,
        head: first.hash.clone(),
    };
    let mut previous = first.at;
    for entry in rest {
        apply(
            &mut incident,
            previous,
            entry.seq,
            entry.at,
            &entry.actor,
            &entry.event,
        )?;
        incident.entries = entry.seq;
        incident.head.clone_from(&entry.hash);
        previous = entry.at;
    }
    Ok(incident)
}

/// The next entry of the timeline: the event checked against the incident the entries
/// make (a known task, a legal status, the right approval role, an open incident, a time
/// not before the previous entry's), then sealed onto the chain.
///
/// # Errors
///
/// What [`replay`] finds wrong with `entries`, or why `event` cannot follow them.
pub fn next_entry(
    entries: &[Entry],
    at: OffsetDateTime,
    actor: &str,
    event: Event,
) -> Result<Entry, StateError> {
    let mut incident = replay(entries)?;
    let previous = entries.last().map_or(at, |e| e.at);
    let seq = incident.entries + 1;
    let at = timeline::normalize_time(at);
    apply(&mut incident, previous, seq, at, actor, &event)?;
    Ok(timeline::seal(
        &incident_head(entries),
        seq,
        at,
        actor,
        event,
    ))
}

fn incident_head(entries: &[Entry]) -> String {
    entries
        .last()
        .map_or_else(|| GENESIS.to_owned(), |e| e.hash.clone())
}

/// Checks `event` against `incident` and applies it.
fn apply(
    incident: &mut Incident,
    previous: OffsetDateTime,
    seq: u64,
    at: OffsetDateTime,
    actor: &str,
    event: &Event,
) -> Result<(), StateError> {
    // Partners' acknowledgements and the cancel alert sent at closure still reach a closed
    // incident's timeline: what a partner did is never dropped.
    if let Some(closed_at) = incident.closed_at
        && event.sharing_text().is_none()
    {
        return Err(StateError::Closed { closed_at });
    }
    if timeline::normalize_time(at) < timeline::normalize_time(previous) {
        return Err(StateError::TimeBackwards { at, previous });
    }
    if actor.trim().is_empty() {
        return Err(StateError::EmptyText { field: "actor" });
    }
    match event {
        Event::Declared { .. } => return Err(StateError::AlreadyDeclared { seq }),
        Event::Updated {
            expected_ttr,
            capacity_factor,
            impact,
            moved,
            added,
            ..
        } => {
            if impact.expected_ttr.to_bits() != expected_ttr.to_bits() {
                return Err(StateError::Invalid {
                    seq,
                    reason: format!(
                        "the update's expected TTR {expected_ttr} differs from its impact's {}",
                        impact.expected_ttr
                    ),
                });
            }
            for change in moved {
                let ix = task_index(incident, &change.task)?;
                let task = &mut incident.tasks[ix];
                task.due = change.to;
                if !change.basis.is_empty() {
                    task.due_basis.clone_from(&change.basis);
                }
            }
            for task in added {
                if incident.tasks.iter().any(|t| t.id == task.id) {
                    return Err(StateError::DuplicateTask {
                        task: task.id.clone(),
                    });
                }
                incident.tasks.push(task.clone());
            }
            incident.declaration.expected_ttr = *expected_ttr;
            incident.declaration.capacity_factor = *capacity_factor;
            incident.impact = impact.clone();
        }
        Event::TaskStatus { task, status, note } => {
            let ix = task_index(incident, task)?;
            let current = &incident.tasks[ix];
            if current.status == *status {
                return Err(StateError::SameStatus {
                    task: task.clone(),
                    status: *status,
                });
            }
            if *status == TaskStatus::Skipped && note.trim().is_empty() {
                return Err(StateError::SkipWithoutReason { task: task.clone() });
            }
            if *status == TaskStatus::Done
                && let Some(waiting) = current.after.iter().find(|dep| {
                    incident
                        .tasks
                        .iter()
                        .find(|t| &&t.id == dep)
                        .is_some_and(|t| {
                            !matches!(t.status, TaskStatus::Done | TaskStatus::Skipped)
                        })
                })
            {
                return Err(StateError::Waiting {
                    task: task.clone(),
                    waits_for: waiting.clone(),
                });
            }
            let task = &mut incident.tasks[ix];
            task.status = *status;
            task.done_at = (*status == TaskStatus::Done).then_some(at);
        }
        Event::Approved { task, role } => {
            let ix = task_index(incident, task)?;
            let current = &mut incident.tasks[ix];
            let Some(needed) = &current.approval else {
                return Err(StateError::NoApprovalNeeded {
                    task: task.clone(),
                    role: role.clone(),
                });
            };
            if !same_role(needed, role) {
                return Err(StateError::WrongRole {
                    task: task.clone(),
                    role: role.clone(),
                    needed: needed.clone(),
                });
            }
            if let Some(by) = &current.approved_by {
                return Err(StateError::AlreadyApproved {
                    task: task.clone(),
                    by: by.clone(),
                });
            }
            current.approved_by = Some(actor.to_owned());
        }
        Event::Decision { text } | Event::Note { text } => {
            if text.trim().is_empty() {
                return Err(StateError::EmptyText { field: "text" });
            }
        }
        Event::Improvement { text, owner, .. } => {
            if text.trim().is_empty() {
                return Err(StateError::EmptyText {
                    field: "improvement's text",
                });
            }
            if owner.trim().is_empty() {
                return Err(StateError::EmptyText {
                    field: "improvement's owner",
                });
            }
        }
        Event::Closed { .. } => {
            incident.status = IncidentStatus::Closed;
            incident.closed_at = Some(at);
        }
        // Partner communication is recorded on the timeline but changes no task.
        Event::AlertSent { .. }
        | Event::DeliveryFailed { .. }
        | Event::Acknowledged { .. }
        | Event::Escalated { .. } => {}
    }
    Ok(())
}

/// Roles compare ignoring case and the spaces around them.
fn same_role(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

fn task_index(incident: &Incident, task: &str) -> Result<usize, StateError> {
    incident
        .tasks
        .iter()
        .position(|t| t.id == task)
        .ok_or_else(|| StateError::UnknownTask {
            task: task.to_owned(),
            suggestion: lifeline_text::suggest(task, incident.tasks.iter().map(|t| t.id.as_str()))
                .map(str::to_owned),
        })
}

/// The first entry of an incident: its impact on the network, the playbooks that apply
/// (those named in the declaration, else those whose trigger matches) and their tasks,
/// sealed at the declaration's time.
///
/// # Errors
///
/// The declaration's problems as diagnostics on their options; an empty actor.
pub fn declare(
    network: &ValidatedNetwork,
    network_sha256: &str,
    declaration: Declaration,
    library: &[Playbook],
    actor: &str,
) -> Result<Entry, DeclareError> {
    if actor.trim().is_empty() {
        return Err(DeclareError::EmptyActor);
    }
    let mut diagnostics = Vec::new();
    if declaration.title.trim().is_empty() {
        diagnostics.push(Diagnostic::error(
            "--title",
            "the incident's title is empty",
        ));
    }
    for id in tasks::unknown_playbooks(library, &declaration) {
        let mut diagnostic = Diagnostic::error(
            "--playbook",
            format!("no playbook `{}` in the library", excerpt(id)),
        );
        if let Some(near) = lifeline_text::suggest(id, library.iter().map(|p| p.id.as_str())) {
            diagnostic = diagnostic.with_hint(format!("did you mean `{near}`?"));
        }
        diagnostics.push(diagnostic);
    }
    let impact = match impact::compute(network, network_sha256, &declaration) {
        Ok(impact) => Some(impact),
        Err(found) => {
            diagnostics.extend(found);
            None
        }
    };
    let (Some(impact), true) = (impact, diagnostics.is_empty()) else {
        return Err(DeclareError::Invalid(diagnostics));
    };
    let playbooks = tasks::matching(library, &declaration, &impact);
    let task_list = tasks::instantiate(&playbooks, &declaration, &impact);
    let event = Event::Declared {
        playbooks: playbooks.iter().map(|p| p.id.clone()).collect(),
        declaration: declaration.clone(),
        impact,
        tasks: task_list,
    };
    Ok(timeline::seal(
        GENESIS,
        1,
        declaration.declared_at,
        actor,
        event,
    ))
}

/// The event of a changed estimate: the impact recomputed with the new expected time to
/// recover and capacity factor, every due time that moved, and the tasks whose condition
/// now holds. Pass it to [`next_entry`] with the same `at` and `actor`.
///
/// The incident's playbooks are looked up in `library` by id; tasks of a playbook no
/// longer there keep their due times.
///
/// # Errors
///
/// A closed incident, a time before the declaration, an empty actor, or the new
/// estimate's problems as diagnostics on `--expected-ttr` and `--capacity-factor`.
#[allow(clippy::too_many_arguments)]
pub fn update(
    incident: &Incident,
    network: &ValidatedNetwork,
    expected_ttr: f64,
    capacity_factor: f64,
    reason: &str,
    library: &[Playbook],
    at: OffsetDateTime,
    actor: &str,
) -> Result<Event, UpdateError> {
    if let Some(closed_at) = incident.closed_at {
        return Err(StateError::Closed { closed_at }.into());
    }
    if actor.trim().is_empty() {
        return Err(StateError::EmptyText { field: "actor" }.into());
    }
    if at < incident.declaration.declared_at {
        return Err(StateError::TimeBackwards {
            at,
            previous: incident.declaration.declared_at,
        }
        .into());
    }
    let declaration = Declaration {
        expected_ttr,
        capacity_factor,
        ..incident.declaration.clone()
    };
    let impact = impact::compute(network, &incident.impact.network_sha256, &declaration)
        .map_err(UpdateError::Invalid)?;
    let playbooks: Vec<&Playbook> = incident
        .playbooks
        .iter()
        .filter_map(|id| library.iter().find(|p| &p.id == id))
        .collect();
    let (all, moved) = tasks::reschedule(&incident.tasks, &playbooks, &declaration, &impact, at);
    let added: Vec<Task> = all
        .into_iter()
        .filter(|t| !incident.tasks.iter().any(|old| old.id == t.id))
        .collect();
    Ok(Event::Updated {
        expected_ttr,
        capacity_factor,
        impact,
        moved,
        added,
        reason: reason.to_owned(),
    })
}
