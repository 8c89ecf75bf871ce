//! Incident response: when a partner goes dark, who runs short of what and when, what each
//! team does about it and by when, and afterwards what went well and what did not.
//!
//! - [`playbook`] is lifeline's own playbook form (`lifeline-playbook/1`, YAML or JSON):
//!   a trigger, steps grouped by function with dependencies (a DAG), deadlines relative to
//!   the declaration or to dates computed from the network, conditions, approvals, message
//!   templates and steps that call lifeline itself. [`library`] holds the built-in
//!   playbooks with their sources.
//! - [`cacao`] reads, checks and writes OASIS CACAO Security Playbooks v2.0 JSON, the
//!   interchange form, and maps it to and from lifeline's form.
//! - [`incident`] computes an incident's impact from the network (the simulator's first
//!   stockout days, the stress test's TTS and rerouting plan), instantiates the matching
//!   playbooks' tasks with due times, keeps every change on a hash-chained timeline and
//!   writes the after-action report.
//! - [`exercise`] plays a tabletop exercise's injects, records decisions, scores each
//!   objective the HSEEP way and writes the after-action report and improvement plan.
//!
//! No IO and no clock: callers read files, pass text, and pass the time of every event.

pub mod cacao;
pub mod exercise;
pub mod incident;
pub mod library;
pub mod playbook;
