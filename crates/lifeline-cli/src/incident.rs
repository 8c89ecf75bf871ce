//! `lifeline incident`: declare an incident on a network, keep its hash-chained timeline in
//! the local database (the one `lifeline serve` uses), and show where it stands.
//!
//! Every computation is lifeline-response's: `state::declare` computes the impact and the
//! tasks, `state::next_entry` checks and seals each later change, `state::replay` makes the
//! incident from its timeline, `timeline::verify` checks the chain, `report` writes the
//! after-action report. This module reads files, calls those, stores the sealed entries
//! through lifeline-store (which only appends) and renders.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{ArgGroup, Args, Subcommand};
use lifeline_network::ValidatedNetwork;
use lifeline_response::incident::{
    Declaration, Entry, Event, Incident, IncidentStatus, TaskStatus, report, state, timeline,
};
use lifeline_response::playbook::{Function, IncidentKind, Playbook};
use lifeline_store::{Access, IncidentEntry, NewIncident, Store, StoreError};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::incident_db::{DbArgs, open_local};
use crate::input;
use crate::output::quantity;
use crate::render::{Column, Diag, Diags, Format, Table};
use crate::serve::runtime;
use crate::{Exit, Reported};

#[derive(Debug, Args)]
pub struct IncidentArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: IncidentCommand,
}

#[derive(Debug, Subcommand)]
enum IncidentCommand {
    /// Declare an incident: who runs short of what and when, and the playbooks' tasks
    Declare(DeclareArgs),
    /// A new estimate of the outage: the impact is recomputed and due times move
    Update {
        /// The incident's id (`lifeline incident list`)
        id: String,
        /// Expected time to recover, in days
        #[arg(long)]
        expected_ttr: f64,
        /// Capacity left while down, 0 to 1 [default: unchanged]
        #[arg(long)]
        capacity_factor: Option<f64>,
        /// Why the estimate changed
        #[arg(long, default_value = "")]
        reason: String,
        #[command(flatten)]
        at: AtArg,
    },
    /// Change a task's status, or approve it
    #[command(group(ArgGroup::new("change").required(true).args(["status", "approve"])))]
    Task {
        id: String,
        /// The task's id (`PLAYBOOK/STEP`, as `incident status` lists them)
        task: String,
        /// todo, in-progress, blocked, done or skipped
        #[arg(long, value_parser = parse_status)]
        status: Option<TaskStatus>,
        /// Why (kept on the timeline with the status)
        #[arg(long, requires = "status", default_value = "")]
        note: String,
        /// Approve the task in this role (the role its playbook step names)
        #[arg(long)]
        approve: Option<String>,
        #[command(flatten)]
        at: AtArg,
    },
    /// Add a note, a decision, or an item for the improvement plan to the timeline
    Note {
        id: String,
        text: String,
        /// A decision taken (with its reason in the text)
        #[arg(long, conflicts_with = "improvement")]
        decision: bool,
        /// An item for the improvement plan; needs --owner
        #[arg(long, requires = "owner")]
        improvement: bool,
        /// Who owns the improvement
        #[arg(long, requires = "improvement")]
        owner: Option<String>,
        /// The function the improvement is for (situational-awareness, supply-chain, ...)
        #[arg(long, requires = "improvement", value_parser = parse_function)]
        function: Option<Function>,
        #[command(flatten)]
        at: AtArg,
    },
    /// Where an incident stands: who runs short, the tasks by function
    Status {
        id: String,
        #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
        format: Format,
    },
    /// The organisation's incidents, newest first
    List {
        #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
        format: Format,
    },
    /// Close an incident: its timeline takes no more entries
    Close {
        id: String,
        /// What happened, in a sentence or two
        #[arg(long, default_value = "")]
        summary: String,
        #[command(flatten)]
        at: AtArg,
    },
    /// The after-action report: timeline, what ran short, deadlines met and missed,
    /// improvement plan
    Report {
        id: String,
        #[arg(long, value_parser = ["markdown", "html", "json"])]
        format: String,
        /// Write the report to this file instead of stdout
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Check the incident's hash chain; name the first edited, removed, reordered or
    /// inserted entry (exit 2)
    Verify { id: String },
}

#[derive(Debug, Args)]
struct AtArg {
    /// When it happened, RFC 3339 (`2026-12-06T08:00:00Z`) [default: now]
    #[arg(long, value_parser = parse_time)]
    at: Option<OffsetDateTime>,
}

impl AtArg {
    fn time(&self) -> OffsetDateTime {
        self.at.unwrap_or_else(OffsetDateTime::now_utc)
    }
}

#[derive(Debug, Args)]
struct DeclareArgs {
    /// Network document: `.json` or `.yaml`/`.yml` (kept with the incident)
    #[arg(long)]
    network: PathBuf,
    /// A node, site or platform that is down (repeat for several)
    #[arg(long = "entity", required = true)]
    entities: Vec<String>,
    /// Capacity left while down: 0 (fully down) to 1
    #[arg(long, default_value_t = 0.0)]
    capacity_factor: f64,
    /// Expected time to recover, in days
    #[arg(long)]
    expected_ttr: f64,
    /// ransomware, it-outage, site-outage, suspect-product, device-vulnerability, other
    #[arg(long, default_value = "other", value_parser = parse_kind)]
    kind: IncidentKind,
    /// The incident's title [default: the kind and the entities]
    #[arg(long)]
    title: Option<String>,
    /// Use this playbook (repeat for several) instead of those whose trigger matches
    #[arg(long = "playbook")]
    playbooks: Vec<String>,
    #[command(flatten)]
    at: AtArg,
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    format: Format,
}

fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map(|t| t.to_offset(time::UtcOffset::UTC))
        .map_err(|e| format!("not an RFC 3339 time (`2026-12-06T08:00:00Z`): {e}"))
}

fn parse_status(text: &str) -> Result<TaskStatus, String> {
    TaskStatus::parse(text).ok_or_else(|| {
        let all: Vec<&str> = TaskStatus::ALL.iter().map(|s| s.as_str()).collect();
        format!("expected one of {}", all.join(", "))
    })
}

fn parse_kind(text: &str) -> Result<IncidentKind, String> {
    IncidentKind::parse(text).ok_or_else(|| {
        let all: Vec<&str> = IncidentKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("expected one of {}", all.join(", "))
    })
}

fn parse_function(text: &str) -> Result<Function, String> {
    Function::ALL
        .into_iter()
        .find(|f| f.as_str() == text)
        .ok_or_else(|| {
            let all: Vec<&str> = Function::ALL.iter().map(|f| f.as_str()).collect();
            format!("expected one of {}", all.join(", "))
        })
}

pub fn run(args: &IncidentArgs) -> anyhow::Result<Exit> {
    runtime()?.block_on(async {
        let (store, access, actor) = open_local(&args.db).await?;
        let result = command(&store, &access, &actor, &args.command).await;
        store.close().await;
        result
    })
}

async fn command(
    store: &Store,
    access: &Access,
    actor: &str,
    command: &IncidentCommand,
) -> anyhow::Result<Exit> {
    match command {
        IncidentCommand::Declare(args) => declare(store, access, actor, args).await,
        IncidentCommand::Update {
            id,
            expected_ttr,
            capacity_factor,
            reason,
            at,
        } => {
            let opened = open_incident(store, access, id).await?;
            let network = network_of(&opened)?;
            let library = library(store, access).await?;
            let at = at.time();
            let event = match state::update(
                &opened.incident,
                &network,
                *expected_ttr,
                capacity_factor.unwrap_or(opened.incident.declaration.capacity_factor),
                reason,
                &library,
                at,
                actor,
            ) {
                Ok(event) => event,
                Err(state::UpdateError::Invalid(diagnostics)) => {
                    errln!(
                        "error: the update is not valid ({} error(s)):\n{}",
                        diagnostics.len(),
                        Diags(&diagnostics)
                    );
                    return Err(Reported.into());
                }
                Err(state::UpdateError::State(e)) => return Err(refused(id, &e)),
            };
            append(store, access, actor, &opened, at, event).await
        }
        IncidentCommand::Task {
            id,
            task,
            status,
            note,
            approve,
            at,
        } => {
            let event = match (status, approve) {
                (Some(status), _) => Event::TaskStatus {
                    task: task.clone(),
                    status: *status,
                    note: note.clone(),
                },
                (None, Some(role)) => Event::Approved {
                    task: task.clone(),
                    role: role.clone(),
                },
                (None, None) => anyhow::bail!("give --status or --approve"),
            };
            let opened = open_incident(store, access, id).await?;
            append(store, access, actor, &opened, at.time(), event).await
        }
        IncidentCommand::Note {
            id,
            text,
            decision,
            improvement,
            owner,
            function,
            at,
        } => {
            let event = if *improvement {
                Event::Improvement {
                    text: text.clone(),
                    owner: owner.clone().unwrap_or_default(),
                    function: *function,
                }
            } else if *decision {
                Event::Decision { text: text.clone() }
            } else {
                Event::Note { text: text.clone() }
            };
            let opened = open_incident(store, access, id).await?;
            append(store, access, actor, &opened, at.time(), event).await
        }
        IncidentCommand::Close { id, summary, at } => {
            let opened = open_incident(store, access, id).await?;
            let event = Event::Closed {
                summary: summary.clone(),
            };
            append(store, access, actor, &opened, at.time(), event).await
        }
        IncidentCommand::Status { id, format } => {
            let opened = open_incident(store, access, id).await?;
            crate::render::report(None, |out| match format {
                Format::Json => crate::output::json(out, &opened.incident),
                _ => write_incident(out, id, &opened.incident),
            })?;
            Ok(Exit::Success)
        }
        IncidentCommand::List { format } => {
            let incidents = store.incidents(access).await?;
            crate::render::report(None, |out| match format {
                Format::Json => crate::output::json(out, &incidents),
                _ => {
                    let mut table = Table::new([
                        Column::text("id"),
                        Column::text("title"),
                        Column::text("kind"),
                        Column::text("status"),
                        Column::text("declared by"),
                        Column::number("entries"),
                    ]);
                    for incident in &incidents {
                        table.row([
                            incident.id.clone(),
                            incident.title.clone(),
                            incident.kind.clone(),
                            incident.status.as_str().to_owned(),
                            incident.created_by.clone(),
                            incident.entries.to_string(),
                        ]);
                    }
                    table.write(out)?;
                    Ok(())
                }
            })?;
            Ok(Exit::Success)
        }
        IncidentCommand::Report { id, format, output } => {
            let opened = open_incident(store, access, id).await?;
            let after = report::after_action(&opened.incident, &opened.entries);
            crate::render::report(output.as_deref(), |out| {
                match format.as_str() {
                    "json" => crate::output::json(out, &after)?,
                    "html" => out.write_all(report::html(&after).as_bytes())?,
                    // Escaped by the report already; again here for a terminal.
                    _ => out.write_all(
                        crate::render::escape_lines(&report::markdown(&after)).as_bytes(),
                    )?,
                }
                Ok(())
            })?;
            Ok(Exit::Success)
        }
        IncidentCommand::Verify { id } => verify(store, access, id).await,
    }
}

// ---------------------------------------------------------------------------------------
// Declare

async fn declare(
    store: &Store,
    access: &Access,
    actor: &str,
    args: &DeclareArgs,
) -> anyhow::Result<Exit> {
    let (text, network) = read_network(&args.network)?;
    let sha256 = lifeline_store::sha256_hex(text.as_bytes());
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| format!("{}: {}", args.kind.as_str(), args.entities.join(", ")));
    let declaration = Declaration {
        title: title.clone(),
        kind: args.kind,
        entities: args.entities.clone(),
        capacity_factor: args.capacity_factor,
        expected_ttr: args.expected_ttr,
        declared_at: timeline::normalize_time(args.at.time()),
        playbooks: args.playbooks.clone(),
    };
    let library = library(store, access).await?;
    let first = match state::declare(&network, &sha256, declaration, &library, actor) {
        Ok(entry) => entry,
        Err(state::DeclareError::Invalid(diagnostics)) => {
            errln!(
                "error: the declaration is not valid ({} error(s)):\n{}",
                diagnostics.len(),
                Diags(&diagnostics)
            );
            return Err(Reported.into());
        }
        Err(e) => anyhow::bail!("{e}"),
    };
    let incident =
        state::replay(std::slice::from_ref(&first)).context("the declaration does not replay")?;
    let new = NewIncident::new(&title, args.kind.as_str(), text, None);
    let id = store
        .create_incident(&access.org_id, &new, &stored(&first)?, actor)
        .await?;
    errln!(
        "declared incident {id} ({} task(s) from {} playbook(s))",
        incident.tasks.len(),
        incident.playbooks.len()
    );
    crate::render::report(None, |out| match args.format {
        Format::Json => crate::output::json(out, &incident),
        _ => write_incident(out, &id, &incident),
    })?;
    Ok(Exit::Success)
}

/// Reads the network document as text (kept with the incident, so that updates recompute
/// on the same network) and loads it, printing every diagnostic.
fn read_network(path: &Path) -> anyhow::Result<(String, ValidatedNetwork)> {
    if path.is_dir() {
        anyhow::bail!(
            "--network `{}`: an incident keeps its network as one document; give the \
             network's JSON or YAML file, not a folder of CSV tables",
            path.display()
        );
    }
    let text = input::read_text(path, || format!("--network `{}`", path.display()))?;
    let network = load_text(&text, path)?;
    Ok((text, network))
}

fn load_text(text: &str, origin: &Path) -> anyhow::Result<ValidatedNetwork> {
    let format = lifeline_network::Format::detect(origin, text);
    let loaded = input::report_load(lifeline_network::from_str(text, format, origin))?;
    for warning in &loaded.warnings {
        errln!("{}: {}", origin.display(), Diag(warning));
    }
    Ok(loaded.network)
}

/// The built-in playbooks, and the organisation's imported ones (an imported playbook
/// replaces a built-in one of the same id).
async fn library(store: &Store, access: &Access) -> anyhow::Result<Vec<Playbook>> {
    let mut library = lifeline_response::library::builtin();
    for info in store.playbooks(access).await? {
        let Some(stored) = store.playbook(access, &info.playbook_id, None).await? else {
            continue;
        };
        let origin = PathBuf::from(format!("playbook {} v{}", info.playbook_id, info.version));
        let playbook = lifeline_response::cacao::read(&stored.cacao, &origin)
            .map_err(anyhow::Error::new)
            .and_then(|document| {
                lifeline_response::cacao::to_playbook(&document)
                    .map(|(playbook, _)| playbook)
                    .map_err(|d| anyhow::anyhow!("{d}"))
            })
            .with_context(|| {
                format!(
                    "the stored playbook `{}` (version {}) does not read",
                    lifeline_text::excerpt(&info.playbook_id),
                    info.version
                )
            })?;
        library.retain(|p| p.id != playbook.id);
        library.push(playbook);
    }
    Ok(library)
}

// ---------------------------------------------------------------------------------------
// The timeline in the store

pub(crate) struct Opened {
    pub(crate) id: String,
    network: String,
    pub(crate) entries: Vec<Entry>,
    pub(crate) incident: Incident,
}

/// The stored form of an entry: the time in Unix milliseconds (the chain hashes it at
/// millisecond precision), the event as JSON.
pub(crate) fn stored(entry: &Entry) -> anyhow::Result<IncidentEntry> {
    let millis = entry.at.unix_timestamp_nanos() / 1_000_000;
    Ok(IncidentEntry {
        seq: i64::try_from(entry.seq).context("entry seq out of range")?,
        at: i64::try_from(millis).context("entry time out of range")?,
        actor: entry.actor.clone(),
        event: serde_json::to_string(&entry.event)?,
        prev: entry.prev.clone(),
        hash: entry.hash.clone(),
    })
}

/// An entry as the store returned it, or why it cannot be one (an edited row).
fn entry_of(row: &IncidentEntry) -> Result<Entry, String> {
    let seq = u64::try_from(row.seq).map_err(|_| format!("seq {} is negative", row.seq))?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(row.at) * 1_000_000)
        .map_err(|e| format!("time {} ms: {e}", row.at))?;
    let event = serde_json::from_str(&row.event)
        .map_err(|e| format!("the event is not an incident event: {e}"))?;
    Ok(Entry {
        seq,
        at,
        actor: row.actor.clone(),
        event,
        prev: row.prev.clone(),
        hash: row.hash.clone(),
    })
}

fn not_found(id: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "no incident `{}` in this organisation (`lifeline incident list` shows them)",
        lifeline_text::excerpt(id)
    )
}

fn refused(id: &str, error: &state::StateError) -> anyhow::Error {
    anyhow::anyhow!("incident {}: {error}", lifeline_text::excerpt(id))
}

/// The stored timeline as entries: every row read, or the first that does not read.
async fn entries(
    store: &Store,
    access: &Access,
    id: &str,
) -> anyhow::Result<Result<Vec<Entry>, (i64, String)>> {
    let rows = store
        .incident_entries(access, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(rows
        .iter()
        .map(|row| entry_of(row).map_err(|reason| (row.seq, reason)))
        .collect())
}

/// The incident and its timeline, replayed (which verifies the chain first).
pub(crate) async fn open_incident(
    store: &Store,
    access: &Access,
    id: &str,
) -> anyhow::Result<Opened> {
    let stored = store
        .incident(access, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let entries = entries(store, access, id).await?.map_err(|(seq, reason)| {
        anyhow::anyhow!(
            "incident {}: timeline entry {seq}: {reason} (`lifeline incident verify`)",
            lifeline_text::excerpt(id)
        )
    })?;
    let incident = state::replay(&entries).map_err(|e| {
        anyhow::anyhow!(
            "incident {}: {e} (`lifeline incident verify` checks the chain)",
            lifeline_text::excerpt(id)
        )
    })?;
    Ok(Opened {
        id: stored.info.id,
        network: stored.network,
        entries,
        incident,
    })
}

fn network_of(opened: &Opened) -> anyhow::Result<ValidatedNetwork> {
    load_text(
        &opened.network,
        Path::new(&format!("network of incident {}", opened.id)),
    )
}

/// Checks `event` against the incident, seals it onto the chain and stores it.
async fn append(
    store: &Store,
    access: &Access,
    actor: &str,
    opened: &Opened,
    at: OffsetDateTime,
    event: Event,
) -> anyhow::Result<Exit> {
    let kind = if matches!(event, Event::Closed { .. }) {
        lifeline_store::EntryKind::Closes
    } else {
        lifeline_store::EntryKind::Ordinary
    };
    let entry = state::next_entry(&opened.entries, at, actor, event)
        .map_err(|e| refused(&opened.id, &e))?;
    match store
        .append_incident_entry(&access.org_id, &opened.id, &stored(&entry)?, kind, actor)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(message)) => anyhow::bail!("{message}"),
        Err(e) => return Err(e.into()),
    }
    errln!(
        "incident {}: entry {} ({})",
        opened.id,
        entry.seq,
        event_summary(&entry.event)
    );
    Ok(Exit::Success)
}

fn event_summary(event: &Event) -> String {
    match event {
        Event::Declared { .. } => "declared".to_owned(),
        Event::Updated { moved, .. } => format!("updated; {} due time(s) moved", moved.len()),
        Event::TaskStatus { task, status, .. } => format!("{task} {}", status.as_str()),
        Event::Approved { task, role } => format!("{task} approved as {role}"),
        Event::Decision { .. } => "decision".to_owned(),
        Event::Note { .. } => "note".to_owned(),
        Event::Improvement { owner, .. } => format!("improvement, owner {owner}"),
        Event::Closed { .. } => "closed".to_owned(),
        other => other.sharing_text().unwrap_or_default(),
    }
}

async fn verify(store: &Store, access: &Access, id: &str) -> anyhow::Result<Exit> {
    let info = store
        .incident(access, id)
        .await?
        .ok_or_else(|| not_found(id))?
        .info;
    let entries = match entries(store, access, id).await? {
        Ok(entries) => entries,
        Err((seq, reason)) => {
            errln!("error: incident {id}: timeline entry {seq}: edited: {reason}");
            return Ok(Exit::Error);
        }
    };
    if let Err(broken) = timeline::verify(&entries) {
        errln!("error: incident {id}: {broken}");
        return Ok(Exit::Error);
    }
    // The chain holds; it must also end where the incident says it does (a removed last
    // entry leaves a shorter chain that holds).
    let head = entries.last().map(|e| e.hash.as_str()).unwrap_or_default();
    let count = i64::try_from(entries.len()).unwrap_or(i64::MAX);
    if count != info.entries || head != info.head {
        errln!(
            "error: incident {id}: timeline entry {}: missing: the incident records {} \
             entries ending in {}, the timeline holds {count}",
            count.min(info.entries) + 1,
            info.entries,
            info.head
        );
        return Ok(Exit::Error);
    }
    if let Err(e) = state::replay(&entries) {
        errln!("error: incident {id}: {e}");
        return Ok(Exit::Error);
    }
    let mut out = crate::output::stdout();
    outln!(
        out,
        "incident {id}: timeline holds: {count} entries, head {head}"
    )?;
    out.flush()?;
    Ok(Exit::Success)
}

// ---------------------------------------------------------------------------------------
// Rendering

fn days(x: f64) -> String {
    format!("{} d", quantity(x))
}

fn optional_time(at: Option<OffsetDateTime>) -> String {
    at.map_or_else(
        || "-".to_owned(),
        lifeline_response::incident::tasks::format_time,
    )
}

/// The incident for people: what it is, who runs short of what and when, TTS against the
/// expected TTR, the rerouting plan, then the tasks by function with their due times.
fn write_incident(out: &mut dyn Write, id: &str, incident: &Incident) -> anyhow::Result<()> {
    let declaration = &incident.declaration;
    let impact = &incident.impact;
    outln!(out, "incident {id}: {}", declaration.title)?;
    outln!(
        out,
        "{} · {} · declared {} · entities {} · capacity factor {} · network {} ({})",
        declaration.kind.as_str(),
        match incident.status {
            IncidentStatus::Open => "open".to_owned(),
            IncidentStatus::Closed => format!("closed {}", optional_time(incident.closed_at)),
        },
        lifeline_response::incident::tasks::format_time(declaration.declared_at),
        declaration.entities.join(", "),
        quantity(declaration.capacity_factor),
        if impact.network.is_empty() {
            "unnamed"
        } else {
            &impact.network
        },
        impact
            .network_sha256
            .get(..12)
            .unwrap_or(&impact.network_sha256),
    )?;
    writeln!(out)?;

    // Earliest first: who runs short first is who needs help first.
    let mut short: Vec<_> = impact
        .demand
        .iter()
        .filter(|d| d.first_stockout_day.is_some())
        .collect();
    short.sort_by(|a, b| {
        a.first_stockout_day
            .cmp(&b.first_stockout_day)
            .then_with(|| a.id.cmp(&b.id))
    });
    outln!(
        out,
        "Who runs short of what, and when ({} of {} demand nodes over {} days):",
        short.len(),
        impact.demand.len(),
        impact.days
    )?;
    if short.is_empty() {
        writeln!(out, "  no one runs short within the simulated days")?;
    } else {
        let mut table = Table::new([
            Column::text("hospital"),
            Column::text("item"),
            Column::text("demand node"),
            Column::number("days of supply"),
            Column::number("first stockout (day)"),
            Column::text("runs short at"),
            Column::number("shortage days"),
            Column::number("units unmet"),
        ]);
        for d in short {
            table.row([
                d.site.clone().unwrap_or_else(|| "-".to_owned()),
                d.material.clone(),
                d.id.clone(),
                d.days_of_supply_at_start
                    .map_or_else(|| "-".to_owned(), quantity),
                d.first_stockout_day
                    .map_or_else(|| "-".to_owned(), |day| day.to_string()),
                optional_time(d.runs_short_at),
                d.shortage_days.to_string(),
                quantity(d.unmet_units),
            ]);
        }
        table.write(out)?;
    }
    writeln!(out)?;

    let stress = &impact.stress;
    let tts = if stress.tts_capped {
        format!("≥{}", days(stress.tts))
    } else {
        days(stress.tts)
    };
    let verdict = match stress.gap {
        Some(gap) if gap < 0.0 => {
            format!("demand is lost {} before the entities recover", days(-gap))
        }
        Some(_) => "the network survives the expected outage".to_owned(),
        None => "no TTR to compare with".to_owned(),
    };
    outln!(
        out,
        "Time to survive {tts} against expected time to recover {}: {verdict}.",
        days(impact.expected_ttr)
    )?;
    if !stress.reallocation.is_empty() {
        writeln!(out)?;
        outln!(
            out,
            "Rerouting plan over the TTR window of {}:",
            days(impact.expected_ttr)
        )?;
        crate::stress::rerouting_table(&stress.reallocation, "item").write(out)?;
    }

    writeln!(out)?;
    outln!(
        out,
        "Tasks ({}) from playbooks: {}",
        incident.tasks.len(),
        if incident.playbooks.is_empty() {
            "none matched".to_owned()
        } else {
            incident.playbooks.join(", ")
        }
    )?;
    for function in Function::ALL {
        let mut tasks: Vec<_> = incident
            .tasks
            .iter()
            .filter(|t| t.function == function)
            .collect();
        if tasks.is_empty() {
            continue;
        }
        tasks.sort_by_key(|t| (t.due.is_none(), t.due));
        writeln!(out)?;
        outln!(out, "{}", function.title())?;
        let mut table = Table::new([
            Column::text("task"),
            Column::text("title"),
            Column::text("status"),
            Column::text("due"),
            Column::text("due because"),
            Column::text("approval"),
        ]);
        for task in tasks {
            let approval = match (&task.approval, &task.approved_by) {
                (Some(role), Some(by)) => format!("{role}: approved by {by}"),
                (Some(role), None) => format!("{role}: pending"),
                (None, _) => "-".to_owned(),
            };
            table.row([
                task.id.clone(),
                task.title.clone(),
                task.status.as_str().to_owned(),
                optional_time(task.due),
                task.due_basis.clone(),
                approval,
            ]);
        }
        table.write(out)?;
    }
    Ok(())
}
