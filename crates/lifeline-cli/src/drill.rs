//! `lifeline notify drill`: test the lines. Sends a signed drill alert to every contact of
//! every partner on every channel (webhooks by POST, email through an SMTP relay, phone
//! entries listed as calls for a person to make), records the drill in the local database,
//! and reports each line as ok, slow, dead, waiting or to call, with its time to
//! acknowledge. `--report ID` reports a drill started before, as acknowledgements came in
//! (through `lifeline serve`'s one-time links and signed replies).
//!
//! Exit status: 0 when no line is dead, 1 when a line is dead (the drill's finding), 2 on
//! invalid input or another error.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use lifeline_share::directory::{Directory, Window};
use lifeline_share::drill::{DrillReport, duration_text};
use lifeline_share::keys::KeyPair;
use time::OffsetDateTime;

use crate::Exit;
use crate::incident_db::{DbArgs, open_local};
use crate::render::{Column, Format, Table};

/// `notify drill`, to flatten into the `notify` command.
#[derive(Debug, Subcommand)]
pub enum DrillCommand {
    /// Test the lines: a signed drill alert to every partner on every channel, and the
    /// time each takes to be acknowledged (dead and slow lines as a table)
    Drill(Box<DrillArgs>),
}

#[derive(Debug, Args)]
pub struct DrillArgs {
    /// Report the drill of this id (as `lifeline notify drill` printed it) instead of
    /// starting one
    #[arg(long, value_name = "ID", conflicts_with_all = ["key", "title", "ack_url"])]
    pub report: Option<String>,
    /// The partner directory (`lifeline-partners/1`); to start a drill, and for names in
    /// a report
    #[arg(long, value_name = "FILE")]
    pub directory: Option<PathBuf>,
    /// The organisation's private signing key (a JWK `lifeline keys generate` wrote)
    #[arg(long, value_name = "KEY.jwk")]
    pub key: Option<PathBuf>,
    /// A title for the drill
    #[arg(long, default_value = "Channel drill")]
    pub title: String,
    /// Acknowledged later than this is slow; nothing by then is dead
    #[arg(long, default_value = "15m", value_name = "WINDOW")]
    pub slow_after: String,
    /// Report as of this time (RFC 3339) [default: now]
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The address of the `lifeline serve` partners open one-time acknowledgement links
    /// at (`https://lifeline.example.org`); without it, acknowledgements are signed
    /// replies only
    #[arg(long, value_name = "URL")]
    pub ack_url: Option<String>,
    /// SMTP relay host for email lines (without one, every email line fails: dead)
    #[arg(long, value_name = "HOST")]
    pub smtp_host: Option<String>,
    #[arg(long, value_name = "PORT")]
    pub smtp_port: Option<u16>,
    /// `none`, `starttls` or `tls`
    #[arg(long, default_value = "starttls", value_name = "MODE")]
    pub smtp_security: String,
    /// The sender address
    #[arg(long, value_name = "ADDRESS")]
    pub smtp_from: Option<String>,
    /// The relay's user name; the password comes from $LIFELINE_SMTP_PASSWORD
    #[arg(long, value_name = "USER")]
    pub smtp_user: Option<String>,
    /// Tries per webhook before the line counts as dead
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub webhook_attempts: u32,
    /// Report format
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    pub format: Format,
    #[command(flatten)]
    pub db: DbArgs,
}

pub fn run(command: &DrillCommand) -> anyhow::Result<Exit> {
    let DrillCommand::Drill(args) = command;
    let slow_after: Window = args
        .slow_after
        .parse()
        .map_err(|e| anyhow::anyhow!("--slow-after: {e}"))?;
    let at = match &args.at {
        Some(text) => Some(
            crate::keys::parse_time(text)
                .map_err(|e| anyhow::anyhow!("--at `{}`: {e}", lifeline_text::excerpt(text)))?,
        ),
        None => None,
    };
    let directory = match &args.directory {
        Some(path) => Some(crate::partners::load_or_report(path)?),
        None => None,
    };
    match &args.report {
        Some(id) => report(args, id, directory.as_ref(), slow_after, at),
        None => start(args, directory, slow_after),
    }
}

fn notifier(args: &DrillArgs) -> anyhow::Result<lifeline_notify::Notifier> {
    let mailer = match (&args.smtp_host, &args.smtp_from) {
        (Some(host), Some(from)) => {
            let mut relay = lifeline_notify::SmtpRelay::new(host, from);
            relay.port = args.smtp_port;
            relay.security = args
                .smtp_security
                .parse()
                .map_err(|e: String| anyhow::anyhow!("--smtp-security: {e}"))?;
            relay.user = args.smtp_user.clone();
            relay.password = std::env::var("LIFELINE_SMTP_PASSWORD").ok();
            Some(lifeline_notify::Mailer::new(&relay).context("the SMTP relay")?)
        }
        (None, None) => None,
        _ => anyhow::bail!("--smtp-host and --smtp-from go together"),
    };
    let policy = lifeline_notify::WebhookPolicy {
        attempts: args.webhook_attempts.max(1),
        ..lifeline_notify::WebhookPolicy::default()
    };
    let notifier = lifeline_notify::Notifier::new(mailer, policy);
    Ok(match &args.ack_url {
        Some(url) => notifier.with_ack_links(url),
        None => notifier,
    })
}

fn start(
    args: &DrillArgs,
    directory: Option<Directory>,
    slow_after: Window,
) -> anyhow::Result<Exit> {
    let directory = directory.context("--directory FILE is needed to start a drill")?;
    let key_path = args
        .key
        .as_ref()
        .context("--key KEY.jwk is needed to start a drill")?;
    let text = std::fs::read_to_string(key_path)
        .with_context(|| format!("cannot read `{}`", key_path.display()))?;
    let key = KeyPair::from_jwk(&text).with_context(|| format!("`{}`", key_path.display()))?;
    if key.kid().split_once('/').map(|(org, _)| org) != Some(directory.organisation.as_str()) {
        anyhow::bail!(
            "--key `{}` is `{}`, not a key of `{}`, the organisation the directory is kept by",
            key_path.display(),
            lifeline_text::excerpt(&key.kid()),
            lifeline_text::excerpt(&directory.organisation)
        );
    }
    let notifier = notifier(args)?;
    let names = directory.clone();
    let runtime = crate::serve::runtime()?;
    let (started, stored) = runtime.block_on(async {
        let (store, access, actor) = open_local(&args.db).await?;
        let started = lifeline_server::notify::run_drill(
            &store,
            &notifier,
            args.ack_url.as_deref(),
            directory,
            key,
            &access.org_id,
            &actor,
            &args.title,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.body.message))?;
        let stored = store
            .drill(&access, &started.id)
            .await?
            .context("the drill just started is not in the database")?;
        store.close().await;
        anyhow::Ok((started, stored))
    })?;
    let report = lifeline_server::drill_report(&stored, OffsetDateTime::now_utc(), slow_after)
        .map_err(|e| anyhow::anyhow!("the drill's log: {e}"))?;
    let mut out = std::io::stdout().lock();
    if args.format == Format::Table {
        let round = &started.round;
        outln!(
            out,
            "Drill {} started: {} alert(s) signed, {} delivered, {} failed, {} call(s) to make.",
            started.id,
            round.alerts,
            round.delivered,
            round.failed,
            round.calls.len()
        )?;
        for call in &round.calls {
            outln!(out, "  to do: {call}")?;
        }
        outln!(
            out,
            "Report it as acknowledgements come in: lifeline notify drill --report {}",
            started.id
        )?;
        outln!(out)?;
    }
    write_report(&mut out, args.format, &report, Some(&names))?;
    Ok(Exit::findings_if(report.counts.dead > 0))
}

fn report(
    args: &DrillArgs,
    id: &str,
    directory: Option<&Directory>,
    slow_after: Window,
    at: Option<OffsetDateTime>,
) -> anyhow::Result<Exit> {
    let runtime = crate::serve::runtime()?;
    let stored = runtime.block_on(async {
        let (store, access, _) = open_local(&args.db).await?;
        let stored = store.drill(&access, id).await?;
        store.close().await;
        anyhow::Ok(stored)
    })?;
    let stored = stored.with_context(|| {
        format!(
            "--report: no drill `{}` in this organisation",
            lifeline_text::excerpt(id)
        )
    })?;
    let report = lifeline_server::drill_report(
        &stored,
        at.unwrap_or_else(OffsetDateTime::now_utc),
        slow_after,
    )
    .map_err(|e| anyhow::anyhow!("the drill's log: {e}"))?;
    let mut out = std::io::stdout().lock();
    if args.format == Format::Table {
        outln!(
            out,
            "Drill {} ({}), started {} by {}.",
            stored.info.id,
            stored.info.title,
            lifeline_store::rfc3339(stored.info.started_at),
            stored.info.started_by
        )?;
        outln!(out)?;
    }
    write_report(&mut out, args.format, &report, directory)?;
    Ok(Exit::findings_if(report.counts.dead > 0))
}

/// The report as a table of lines (dead first) and one line per partner, or as JSON.
fn write_report(
    out: &mut dyn std::io::Write,
    format: Format,
    report: &DrillReport,
    directory: Option<&Directory>,
) -> anyhow::Result<()> {
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, report)?;
        writeln!(out)?;
        return Ok(());
    }
    let name = |id: &str| {
        directory
            .and_then(|d| d.organisations.iter().find(|o| o.id == id))
            .map_or_else(|| id.to_owned(), |o| o.name.clone())
    };
    let mut lines: Vec<_> = report.lines.iter().collect();
    lines.sort_by_key(|l| l.status);
    let mut table = Table::new([
        Column::text("Partner"),
        Column::text("Contact"),
        Column::text("Channel"),
        Column::text("Address"),
        Column::text("Status"),
        Column::number("Time to ack"),
        Column::text("Why"),
    ]);
    for line in lines {
        table.row([
            name(&line.organisation),
            line.contact.clone(),
            line.channel.clone(),
            line.address.clone(),
            line.status.to_string(),
            line.seconds_to_ack.map(duration_text).unwrap_or_default(),
            line.reason.clone().unwrap_or_default(),
        ]);
    }
    table.write(out)?;
    writeln!(out)?;
    let c = &report.counts;
    outln!(
        out,
        "{} line(s) as of {}, slow after {}: {} ok, {} slow, {} dead, {} waiting, {} to call.",
        c.total(),
        lifeline_share::jws::rfc3339(report.at),
        report.slow_after,
        c.ok,
        c.slow,
        c.dead,
        c.waiting,
        c.call
    )?;
    for partner in report.partners.iter().filter(|p| p.unreachable) {
        outln!(
            out,
            "Unreachable: {} (no line acknowledged or waiting).",
            name(&partner.organisation)
        )?;
    }
    Ok(())
}
