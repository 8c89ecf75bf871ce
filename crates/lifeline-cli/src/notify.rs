//! `lifeline notify send|ack|escalate` (and `sign|verify`, from `notify_sign`): signed
//! partner alerts for an incident in the local database, sent by email through an SMTP
//! relay and by webhook, acknowledged with signed replies, escalated when nobody
//! acknowledges in time. Works from a laptop with a local copy of the partner directory,
//! the organisation's private key and a SQLite file, when the organisation's own IT is
//! down. Every send, failure, acknowledgement and escalation goes on the incident's
//! timeline.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use lifeline_notify::ack::{self, PendingNonce};
use lifeline_notify::{Mailer, Notifier, Prepared, SentAlert, SmtpRelay, WebhookPolicy};
use lifeline_response::incident::{Event, state};
use lifeline_share::Tlp;
use lifeline_share::alert::{self, Alert, AlertKind, AlertOptions};
use lifeline_share::directory::Directory;
use lifeline_share::escalate;
use lifeline_share::keys::{KeyPair, MAX_JWK_BYTES};
use lifeline_store::{
    Access, AlertSubject, DrillEntry, NewAckToken, NewPartnerAlert, Store, StoreError,
};
use time::OffsetDateTime;

use crate::Exit;
use crate::incident_db::{DbArgs, open_local};
use crate::notify_sign::SignCommand;

#[derive(Debug, Args)]
pub struct NotifyArgs {
    #[command(subcommand)]
    command: NotifyCommand,
}

#[derive(Debug, Subcommand)]
enum NotifyCommand {
    /// Send signed alerts about an incident to every partner it concerns
    Send(SendArgs),
    /// Record a partner's signed acknowledgement (verified first)
    Ack(AckArgs),
    /// Escalate the alerts nobody acknowledged in time (one pass, or --watch)
    Escalate(EscalateArgs),
    #[command(flatten)]
    Sign(SignCommand),
    #[command(flatten)]
    Drill(crate::drill::DrillCommand),
}

/// Where the partner directory and the signing key come from.
#[derive(Debug, Args)]
struct Keys {
    /// The partner directory (a local copy); default: the one imported into the database
    /// (`lifeline partners import`)
    #[arg(long)]
    directory: Option<PathBuf>,
    /// The organisation's private JWK (`lifeline keys generate`)
    #[arg(long)]
    key: PathBuf,
}

/// How alerts go out.
#[derive(Debug, Args)]
struct Delivery {
    /// SMTP relay settings in a TOML file (`host`, `port`, `security`, `user`,
    /// `password_file`, `from`, `ca_file`, `connections`)
    #[arg(long, conflicts_with_all = ["smtp_host", "smtp_from"])]
    smtp_config: Option<PathBuf>,
    /// SMTP relay host
    #[arg(long, requires = "smtp_from")]
    smtp_host: Option<String>,
    /// SMTP relay port [default: 25, 587 or 465 by --smtp-security]
    #[arg(long)]
    smtp_port: Option<u16>,
    /// none, starttls or tls
    #[arg(long, default_value = "starttls")]
    smtp_security: lifeline_notify::Security,
    /// The sender address
    #[arg(long)]
    smtp_from: Option<String>,
    /// Base URL of the lifeline service for one-time acknowledgement links
    /// (`https://lifeline.example.org`); without it, contacts acknowledge with signed replies
    #[arg(long)]
    ack_url: Option<String>,
    /// Tries per webhook before it is recorded as failed
    #[arg(long, default_value_t = 5)]
    webhook_attempts: u32,
    /// Milliseconds before the second webhook try, doubled before each next one
    #[arg(long, default_value_t = 500)]
    webhook_backoff_ms: u64,
}

#[derive(Debug, Args)]
struct SendArgs {
    /// The incident id (`lifeline incident list`)
    incident: String,
    #[command(flatten)]
    keys: Keys,
    #[command(flatten)]
    delivery: Delivery,
    /// The alerts' TLP marking; organisations not cleared for it get none
    #[arg(long, default_value = "amber")]
    tlp: Tlp,
    /// An organisation named for TLP:RED (repeat for several)
    #[arg(long)]
    named: Vec<String>,
    /// alert (the first), update (new facts) or cancel (it is over)
    #[arg(long, default_value = "alert", value_parser = parse_kind)]
    kind: AlertKind,
    /// Send as of this time, RFC 3339 (default: now)
    #[arg(long, value_parser = crate::keys::parse_time)]
    at: Option<OffsetDateTime>,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, Args)]
struct EscalateArgs {
    /// The incident id
    incident: String,
    #[command(flatten)]
    keys: Keys,
    #[command(flatten)]
    delivery: Delivery,
    /// Escalate as of this time, RFC 3339 (default: now)
    #[arg(long, value_parser = crate::keys::parse_time, conflicts_with = "watch")]
    at: Option<OffsetDateTime>,
    /// Repeat until every alert is acknowledged or every contact and tier was tried
    #[arg(long)]
    watch: bool,
    /// With --watch, the longest wait between passes, in seconds (acknowledgements
    /// recorded meanwhile are seen at the next pass)
    #[arg(long, default_value_t = 60)]
    interval: u64,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Debug, Args)]
struct AckArgs {
    /// The signed acknowledgement: a file holding the compact JWS (`-` for standard input)
    token: PathBuf,
    /// The partner directory; default: the one imported into the database
    #[arg(long)]
    directory: Option<PathBuf>,
    /// Verify as of this time, RFC 3339 (default: now)
    #[arg(long, value_parser = crate::keys::parse_time)]
    at: Option<OffsetDateTime>,
    #[command(flatten)]
    db: DbArgs,
}

fn parse_kind(text: &str) -> Result<AlertKind, String> {
    match text {
        "alert" => Ok(AlertKind::Alert),
        "update" => Ok(AlertKind::Update),
        "cancel" => Ok(AlertKind::Cancel),
        _ => Err("expected alert, update or cancel (drills: `lifeline notify drill`)".into()),
    }
}

pub fn run(args: &NotifyArgs) -> anyhow::Result<Exit> {
    match &args.command {
        NotifyCommand::Send(args) => crate::serve::runtime()?.block_on(send(args)),
        NotifyCommand::Escalate(args) => crate::serve::runtime()?.block_on(escalate(args)),
        NotifyCommand::Ack(args) => crate::serve::runtime()?.block_on(acknowledge(args)),
        NotifyCommand::Sign(command) => crate::notify_sign::run(command),
        NotifyCommand::Drill(command) => crate::drill::run(command),
    }
}

fn now_or(at: Option<OffsetDateTime>) -> OffsetDateTime {
    at.unwrap_or_else(OffsetDateTime::now_utc)
}

/// The OS's random bytes, for ids, nonces and link tokens. A machine without a random
/// source cannot sign anything safely: stop rather than go on with predictable bytes.
fn os_random(bytes: &mut [u8]) {
    if let Err(e) = getrandom::fill(bytes) {
        errln!("error: the operating system gave no random bytes: {e}");
        std::process::exit(2);
    }
}

/// The directory from `path`, else the database's current one.
async fn directory(
    path: Option<&std::path::Path>,
    store: &Store,
    access: &Access,
) -> anyhow::Result<Directory> {
    if let Some(path) = path {
        return crate::partners::load_or_report(path);
    }
    let stored = store.partner_directory(access, None).await?.context(
        "no partner directory in the database: pass --directory FILE or run \
         `lifeline partners import FILE` first",
    )?;
    let origin = format!(
        "the database's partner directory (version {})",
        stored.info.version
    );
    let (directory, _) = lifeline_share::directory::from_str(&stored.directory, &origin)
        .with_context(|| format!("{origin} does not read"))?;
    Ok(directory)
}

fn signing_key(path: &std::path::Path, directory: &Directory) -> anyhow::Result<KeyPair> {
    let meta = std::fs::metadata(path).with_context(|| format!("`{}`", path.display()))?;
    anyhow::ensure!(
        meta.len() <= MAX_JWK_BYTES as u64,
        "`{}` is too large for a JWK",
        path.display()
    );
    let text = std::fs::read_to_string(path).with_context(|| format!("`{}`", path.display()))?;
    let key = KeyPair::from_jwk(&text).with_context(|| format!("`{}`", path.display()))?;
    anyhow::ensure!(
        key.org() == directory.organisation,
        "`{}` is a key of `{}`, but the directory is kept by `{}`",
        path.display(),
        lifeline_text::excerpt(key.org()),
        lifeline_text::excerpt(&directory.organisation)
    );
    Ok(key)
}

fn notifier(delivery: &Delivery) -> anyhow::Result<Notifier> {
    let relay = match (&delivery.smtp_config, &delivery.smtp_host) {
        (Some(path), _) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("`{}`", path.display()))?;
            Some(SmtpRelay::from_toml(&text, &path.display().to_string())?)
        }
        (None, Some(host)) => {
            let mut relay = SmtpRelay::new(host, delivery.smtp_from.as_deref().unwrap_or(""));
            relay.port = delivery.smtp_port;
            relay.security = delivery.smtp_security;
            Some(relay)
        }
        (None, None) => None,
    };
    let mailer = relay.as_ref().map(Mailer::new).transpose()?;
    if mailer.is_none() {
        errln!("note: no SMTP relay given (--smtp-host or --smtp-config): email deliveries fail");
    }
    let policy = WebhookPolicy {
        attempts: delivery.webhook_attempts.max(1),
        first_backoff: Duration::from_millis(delivery.webhook_backoff_ms),
        ..WebhookPolicy::default()
    };
    let mut notifier = Notifier::new(mailer, policy);
    if let Some(base) = &delivery.ack_url {
        anyhow::ensure!(
            base.starts_with("https://") || base.starts_with("http://127.0.0.1"),
            "--ack-url `{}`: links must be https (or http://127.0.0.1 for a test)",
            lifeline_text::excerpt(base)
        );
        notifier = notifier.with_ack_links(base);
    }
    Ok(notifier)
}

/// The alerts already sent about an incident, as signed.
async fn known_alerts(
    store: &Store,
    access: &Access,
    subject: &AlertSubject,
) -> anyhow::Result<Vec<SentAlert>> {
    let rows = store.partner_alerts(access, subject).await?;
    rows.into_iter()
        .map(|row| {
            let alert: Alert = serde_json::from_str(&row.payload).with_context(|| {
                format!("stored alert {}: the payload does not read", row.alert_id)
            })?;
            Ok(SentAlert {
                alert,
                jws: row.jws,
            })
        })
        .collect()
}

fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Keeps the round's new alerts and links, before anything is sent.
async fn record(
    store: &Store,
    access: &Access,
    subject: &AlertSubject,
    prepared: &Prepared,
    actor: &str,
) -> anyhow::Result<()> {
    let alerts = prepared
        .new_alerts
        .iter()
        .map(|s| {
            Ok(NewPartnerAlert {
                alert_id: s.alert.id.clone(),
                subject: subject.clone(),
                recipient: s.alert.recipient.clone(),
                kind: serde_json::to_value(s.alert.kind)?
                    .as_str()
                    .unwrap_or("alert")
                    .to_owned(),
                payload: serde_json::to_string(&s.alert)?,
                jws: s.jws.clone(),
                issued_at: millis(s.alert.issued_at),
                reply_by: millis(s.alert.reply_by),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let links: Vec<NewAckToken> = prepared
        .links
        .iter()
        .map(|l| NewAckToken {
            token: l.token.clone(),
            alert_id: l.alert.clone(),
            recipient: l.recipient.clone(),
            contact: l.contact.clone(),
            expires_at: millis(l.expires_at),
        })
        .collect();
    store
        .record_partner_alerts(&access.org_id, &alerts, &links, actor)
        .await?;
    Ok(())
}

/// Appends `events` at `at` to the incident's timeline, in order, and prints each.
async fn append(
    store: &Store,
    access: &Access,
    opened: &mut crate::incident::Opened,
    at: OffsetDateTime,
    actor: &str,
    events: Vec<Event>,
) -> anyhow::Result<()> {
    for event in events {
        let text = event.sharing_text().unwrap_or_default();
        let entry = state::next_entry(&opened.entries, at, actor, event)
            .map_err(|e| anyhow::anyhow!("incident {}: {e}", lifeline_text::excerpt(&opened.id)))?;
        match store
            .append_incident_entry(
                &access.org_id,
                &opened.id,
                &crate::incident::stored(&entry)?,
                lifeline_store::EntryKind::Partner,
                actor,
            )
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(message)) => anyhow::bail!("{message}"),
            Err(e) => return Err(e.into()),
        }
        opened.entries.push(entry);
        outln!(std::io::stdout().lock(), "{text}")?;
    }
    Ok(())
}

/// One round on an incident: plan, sign, keep, send, record. Returns the states after it.
#[allow(clippy::too_many_arguments)]
async fn round(
    store: &Store,
    access: &Access,
    actor: &str,
    opened: &mut crate::incident::Opened,
    directory: &Directory,
    key: &KeyPair,
    notifier: &Notifier,
    fresh: Vec<Alert>,
    now: OffsetDateTime,
) -> anyhow::Result<Vec<escalate::AlertState>> {
    let subject = AlertSubject::Incident(opened.id.clone());
    let known = known_alerts(store, access, &subject).await?;
    let timeline: Vec<(OffsetDateTime, Event)> = opened
        .entries
        .iter()
        .map(|e| (e.at, e.event.clone()))
        .collect();
    let prepared = notifier.prepare(
        directory,
        key,
        fresh,
        &known,
        &timeline,
        now,
        &mut os_random,
    )?;
    record(store, access, &subject, &prepared, actor).await?;
    let events = {
        let notifier = notifier.clone();
        let directory = directory.clone();
        let prepared = prepared.clone();
        tokio::task::spawn_blocking(move || notifier.deliver(&directory, &prepared))
            .await
            .context("the delivery thread stopped")?
    };
    for call in &prepared.calls {
        outln!(
            std::io::stdout().lock(),
            "CALL {} ({}) at {}: {} for alert {}",
            call.name,
            call.contact,
            call.recipient,
            call.number,
            call.alert
        )?;
    }
    append(store, access, opened, now, actor, events).await?;
    let mut all: Vec<Alert> = known.into_iter().map(|s| s.alert).collect();
    all.extend(prepared.new_alerts.into_iter().map(|s| s.alert));
    Ok(escalate::replay(
        &all,
        opened.entries.iter().map(|e| (e.at, &e.event)),
    ))
}

async fn send(args: &SendArgs) -> anyhow::Result<Exit> {
    let (store, access, actor) = open_local(&args.db).await?;
    let mut opened = crate::incident::open_incident(&store, &access, &args.incident).await?;
    let directory = directory(args.keys.directory.as_deref(), &store, &access).await?;
    let key = signing_key(&args.keys.key, &directory)?;
    let notifier = notifier(&args.delivery)?;
    let now = now_or(args.at);
    let known = known_alerts(&store, &access, &AlertSubject::Incident(opened.id.clone())).await?;
    if args.kind == AlertKind::Alert && known.iter().any(|s| s.alert.kind == AlertKind::Alert) {
        anyhow::bail!(
            "incident {}: its alerts went out already; send `--kind update` with new facts, \
             or `lifeline notify escalate` for the ones not acknowledged",
            lifeline_text::excerpt(&opened.id)
        );
    }
    let supersedes = known
        .iter()
        .filter(|s| s.alert.kind != AlertKind::Cancel)
        .map(|s| (s.alert.recipient.clone(), s.alert.id.clone()))
        .collect();
    let options = AlertOptions {
        incident_id: opened.id.clone(),
        tlp: args.tlp,
        named: args.named.clone(),
        now,
        kind: args.kind,
        supersedes,
    };
    let recipients = alert::recipients(&opened.incident, &directory, args.tlp, &args.named);
    for (org, why) in &recipients.withheld {
        errln!(
            "withheld from {}: {}",
            lifeline_text::escaped(org),
            lifeline_text::escaped(why)
        );
    }
    let fresh = alert::for_incident(&opened.incident, &directory, &options, &mut os_random);
    if fresh.is_empty() {
        errln!(
            "incident {}: no partner organisation in the directory is concerned (linked to a \
             down entity or running short) and cleared for {}",
            lifeline_text::excerpt(&opened.id),
            args.tlp
        );
        return Ok(Exit::Success);
    }
    let count = fresh.len();
    round(
        &store,
        &access,
        &actor,
        &mut opened,
        &directory,
        &key,
        &notifier,
        fresh,
        now,
    )
    .await?;
    errln!(
        "incident {}: {count} alert(s) signed and sent",
        lifeline_text::excerpt(&opened.id)
    );
    Ok(Exit::Success)
}

async fn escalate(args: &EscalateArgs) -> anyhow::Result<Exit> {
    let (store, access, actor) = open_local(&args.db).await?;
    let directory = directory(args.keys.directory.as_deref(), &store, &access).await?;
    let key = signing_key(&args.keys.key, &directory)?;
    let notifier = notifier(&args.delivery)?;
    loop {
        // Reopened each pass: acknowledgements recorded meanwhile (the server, `notify
        // ack`) are on the timeline.
        let mut opened = crate::incident::open_incident(&store, &access, &args.incident).await?;
        let now = now_or(args.at);
        let states = round(
            &store,
            &access,
            &actor,
            &mut opened,
            &directory,
            &key,
            &notifier,
            Vec::new(),
            now,
        )
        .await?;
        if states.is_empty() {
            errln!(
                "incident {}: no alerts were sent (`lifeline notify send`)",
                lifeline_text::excerpt(&opened.id)
            );
            return Ok(Exit::Success);
        }
        let acknowledged = states.iter().filter(|s| s.acknowledged.is_some()).count();
        let next = escalate::next_due(&directory, &states);
        match next {
            None => {
                errln!(
                    "incident {}: settled: {acknowledged} of {} alert(s) acknowledged, every \
                     other contact and tier tried",
                    lifeline_text::excerpt(&opened.id),
                    states.len()
                );
                return Ok(Exit::Success);
            }
            Some(due) => {
                let due_text = due
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                errln!(
                    "incident {}: {acknowledged} of {} alert(s) acknowledged; next step due {due_text}",
                    lifeline_text::excerpt(&opened.id),
                    states.len()
                );
                if !args.watch {
                    return Ok(Exit::Success);
                }
                let wait = (due - OffsetDateTime::now_utc()).clamp(
                    time::Duration::seconds(1),
                    time::Duration::seconds(args.interval.max(1) as i64),
                );
                tokio::time::sleep(Duration::from_millis(
                    u64::try_from(wait.whole_milliseconds()).unwrap_or(1000),
                ))
                .await;
            }
        }
    }
}

/// The compact JWS in `path` (`-`: standard input), at most
/// [`lifeline_share::jws::MAX_TOKEN_BYTES`].
fn read_token(path: &std::path::Path) -> anyhow::Result<String> {
    use std::io::Read as _;
    let limit = lifeline_share::jws::MAX_TOKEN_BYTES;
    let reader: Box<dyn std::io::Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(path)
                .with_context(|| format!("cannot read `{}`", path.display()))?,
        )
    };
    let mut text = String::new();
    reader
        .take(limit as u64 + 1)
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read `{}` as UTF-8 text", path.display()))?;
    anyhow::ensure!(
        text.len() <= limit,
        "`{}` is larger than a signed message may be ({limit} bytes)",
        path.display()
    );
    Ok(text)
}

async fn acknowledge(args: &AckArgs) -> anyhow::Result<Exit> {
    let token = read_token(&args.token)?;
    let (store, access, actor) = open_local(&args.db).await?;
    let directory = directory(args.directory.as_deref(), &store, &access).await?;
    let now = now_or(args.at);
    let mut pending = PendingNonce::default();
    let refused = |e: &dyn std::fmt::Display, code: &str| {
        errln!(
            "error: `{}`: not recorded ({code}): {e}",
            args.token.display()
        );
        Ok(Exit::Error)
    };
    let reply = match ack::verify_reply(&token, &directory, now, &mut pending) {
        Ok(reply) => reply,
        Err(e) => return refused(&e, e.code()),
    };
    if let Some((issuer, nonce, expires_at)) = &pending.taken
        && !store
            .first_use_nonce(
                &access.org_id,
                issuer,
                nonce,
                millis(*expires_at),
                millis(now),
            )
            .await?
    {
        return refused(&"this reply was recorded before", "replayed");
    }
    let stored = store.partner_alert(&access, &reply.alert).await?;
    let alert: Option<Alert> = stored
        .as_ref()
        .map(|row| serde_json::from_str(&row.payload))
        .transpose()
        .context("the stored alert does not read")?;
    let event = match ack::accept(&reply, alert.as_ref(), &directory) {
        Ok(event) => event,
        Err(e) => return refused(&e, e.code()),
    };
    let text = event.sharing_text().unwrap_or_default();
    match stored.map(|s| s.subject) {
        Some(AlertSubject::Incident(id)) => {
            let mut opened = crate::incident::open_incident(&store, &access, &id).await?;
            append(&store, &access, &mut opened, now, &actor, vec![event]).await?;
        }
        Some(AlertSubject::Drill(id)) => {
            let entry = DrillEntry {
                at: millis(now),
                actor: actor.clone(),
                event: serde_json::to_string(&event)?,
            };
            store
                .append_drill_entries(&access.org_id, &id, &[entry], &actor)
                .await?;
            outln!(std::io::stdout().lock(), "{text}")?;
        }
        None => return refused(&"no such alert was sent", "unknown-alert"),
    }
    Ok(Exit::Success)
}
