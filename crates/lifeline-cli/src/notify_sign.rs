//! `lifeline notify sign|verify`: sign an alert or acknowledgement payload
//! (`docs/alerts.md`) with an organisation's private JWK, and verify a signed message
//! against the partner directory. A message that fails verification is never printed as
//! trusted: only the reason goes out, on stderr, with exit 2.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use lifeline_share::alert::{ACK_TYPE, ALERT_TYPE, Ack, Alert};
use lifeline_share::jws::{self, MemoryNonces, Payload, Verified, rfc3339};
use lifeline_share::keys::{KeyPair, MAX_JWK_BYTES};
use serde_json::Value;
use time::OffsetDateTime;

use crate::render::Format;
use crate::{Exit, Reported};

#[derive(Debug, Subcommand)]
pub enum SignCommand {
    /// Sign an alert or acknowledgement payload (JSON) as a compact JWS
    Sign(SignArgs),
    /// Verify a signed alert or acknowledgement: who signed it, and whether it is valid
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The payload: a `lifeline-alert/1` or `lifeline-ack/1` JSON document
    payload: PathBuf,
    /// The signing organisation's private JWK (`lifeline keys generate`)
    #[arg(long)]
    key: PathBuf,
    /// Write the token here instead of standard output
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// The time to sign as of, RFC 3339 (default: now); fills `issued_at` when absent
    #[arg(long, value_parser = crate::keys::parse_time)]
    at: Option<OffsetDateTime>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The signed message: a file holding the compact JWS (`-` for standard input)
    token: PathBuf,
    /// The partner directory that lists the signers' public keys
    #[arg(long)]
    directory: PathBuf,
    /// The nonces already seen (JSON lines, created if absent, pruned of expired ones):
    /// without it a replay cannot be detected
    #[arg(long)]
    seen: Option<PathBuf>,
    /// Verify as of this time, RFC 3339 (default: now)
    #[arg(long, value_parser = crate::keys::parse_time)]
    at: Option<OffsetDateTime>,
    /// Verify as this recipient organisation (default: the directory's own organisation)
    #[arg(long = "as")]
    recipient: Option<String>,
    /// Report format (`text` is accepted for `table`)
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::TABLE_JSON))]
    format: Format,
}

pub fn run(command: &SignCommand) -> anyhow::Result<Exit> {
    match command {
        SignCommand::Sign(args) => sign(args),
        SignCommand::Verify(args) => verify(args),
    }
}

/// Reads at most `limit` bytes of text from `path` (`-`: standard input).
fn read_limited(path: &Path, limit: usize, what: &str) -> anyhow::Result<String> {
    use std::io::Read as _;
    let mut text = String::new();
    let reader: Box<dyn std::io::Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(path)
                .with_context(|| format!("cannot read `{}`", path.display()))?,
        )
    };
    reader
        .take(limit as u64 + 1)
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read `{}` as UTF-8 text", path.display()))?;
    if text.len() > limit {
        errln!(
            "error: `{}`: {what} over the limit of {limit} bytes",
            path.display()
        );
        return Err(Reported.into());
    }
    Ok(text)
}

fn sign(args: &SignArgs) -> anyhow::Result<Exit> {
    let now = args.at.unwrap_or_else(OffsetDateTime::now_utc);
    let jwk = read_limited(&args.key, MAX_JWK_BYTES, "a JWK")?;
    let key = KeyPair::from_jwk(&jwk)
        .with_context(|| format!("`{}` is not a usable private key", args.key.display()))?;
    let text = read_limited(&args.payload, jws::MAX_TOKEN_BYTES, "a payload")?;
    let mut value: Value = serde_json::from_str(&text)
        .with_context(|| format!("`{}` is not valid JSON", args.payload.display()))?;
    let filled = fill(&mut value, now)?;
    for field in &filled {
        errln!("{}: filled in `{field}`", args.payload.display());
    }
    let kind = value
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let payload_error = |e: serde_json::Error| {
        anyhow::anyhow!(
            "`{}` is not a valid {kind} payload: {}",
            args.payload.display(),
            lifeline_text::excerpt_to(&e.to_string(), 300)
        )
    };
    let token = match kind.as_str() {
        ALERT_TYPE => {
            let alert: Alert = serde_json::from_value(value).map_err(payload_error)?;
            jws::sign_alert(&alert, &key)
        }
        ACK_TYPE => {
            let ack: Ack = serde_json::from_value(value).map_err(payload_error)?;
            jws::sign_ack(&ack, &key)
        }
        other => anyhow::bail!(
            "`{}`: `type` is `{}`; expected `{ALERT_TYPE}` or `{ACK_TYPE}`",
            args.payload.display(),
            lifeline_text::excerpt(other)
        ),
    }
    .with_context(|| format!("cannot sign `{}`", args.payload.display()))?;
    crate::render::report(args.output.as_deref(), |out| {
        writeln!(out, "{token}")?;
        Ok(())
    })?;
    Ok(Exit::Success)
}

/// Fills what a person writing a payload by hand should not have to: a random `nonce`,
/// `issued_at` (now), and for an alert `expires_at` (72 hours on) and `reply_by` (30
/// minutes on), each only when absent. Returns the names of the fields filled.
fn fill(value: &mut Value, now: OffsetDateTime) -> anyhow::Result<Vec<&'static str>> {
    let Value::Object(map) = value else {
        anyhow::bail!("a payload is a JSON object");
    };
    let mut filled = Vec::new();
    let alert = map.get("type").and_then(Value::as_str) == Some(ALERT_TYPE);
    let issued_at = match map.get("issued_at").and_then(Value::as_str) {
        Some(text) => crate::keys::parse_time(text).ok(),
        None => {
            map.insert("issued_at".into(), Value::String(rfc3339(now)));
            filled.push("issued_at");
            Some(now)
        }
    };
    if !map.contains_key("nonce") {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)
            .map_err(|e| anyhow::anyhow!("the operating system gave no random bytes: {e}"))?;
        use base64::Engine as _;
        let nonce = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        map.insert("nonce".into(), Value::String(nonce));
        filled.push("nonce");
    }
    if let Some(issued_at) = issued_at {
        let defaults: &[(&'static str, time::Duration)] = if alert {
            &[
                ("expires_at", time::Duration::hours(72)),
                ("reply_by", time::Duration::minutes(30)),
            ]
        } else {
            &[("expires_at", time::Duration::hours(72))]
        };
        for (field, after) in defaults {
            if !map.contains_key(*field) {
                map.insert((*field).into(), Value::String(rfc3339(issued_at + *after)));
                filled.push(*field);
            }
        }
    }
    Ok(filled)
}

/// One line of a `--seen` file.
#[derive(serde::Serialize, serde::Deserialize)]
struct SeenLine {
    issuer: String,
    nonce: String,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

/// The largest `--seen` file read.
const MAX_SEEN_BYTES: usize = 64 * 1024 * 1024;

fn load_seen(path: &Path, now: OffsetDateTime) -> anyhow::Result<MemoryNonces> {
    use lifeline_share::jws::NonceLog as _;
    let mut nonces = MemoryNonces::new();
    if !path.exists() {
        return Ok(nonces);
    }
    let text = read_limited(path, MAX_SEEN_BYTES, "a nonce log")?;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let seen: SeenLine = serde_json::from_str(line).with_context(|| {
            format!(
                "`{}` line {}: not a seen-nonce record ({{\"issuer\", \"nonce\", \"expires_at\"}})",
                path.display(),
                i + 1
            )
        })?;
        nonces.first_use(&seen.issuer, &seen.nonce, seen.expires_at);
    }
    nonces.prune(now);
    Ok(nonces)
}

fn save_seen(path: &Path, nonces: &MemoryNonces) -> anyhow::Result<()> {
    let mut text = String::new();
    for (issuer, nonce, expires_at) in nonces.entries() {
        let line = SeenLine {
            issuer: issuer.to_owned(),
            nonce: nonce.to_owned(),
            expires_at,
        };
        text.push_str(&serde_json::to_string(&line)?);
        text.push('\n');
    }
    crate::partners::write_atomically(path, text.as_bytes(), Some(0o600))
}

fn verify(args: &VerifyArgs) -> anyhow::Result<Exit> {
    let now = args.at.unwrap_or_else(OffsetDateTime::now_utc);
    let directory = crate::partners::load_or_report(&args.directory)?;
    let token = read_limited(&args.token, jws::MAX_TOKEN_BYTES, "a signed message")?;
    let mut nonces = match &args.seen {
        Some(path) => load_seen(path, now)?,
        None => MemoryNonces::new(),
    };
    let recipient = args
        .recipient
        .clone()
        .unwrap_or_else(|| directory.organisation.clone());
    match jws::verify_for(&token, &directory, &recipient, now, &mut nonces) {
        Ok(verified) => {
            if let Some(path) = &args.seen {
                save_seen(path, &nonces)?;
            } else {
                errln!("note: no --seen file: a replay of this message cannot be detected");
            }
            report_valid(args, &verified)?;
            Ok(Exit::Success)
        }
        Err(error) => {
            if args.format == Format::Json {
                let mut out = crate::output::stdout();
                crate::output::json(
                    &mut out,
                    &serde_json::json!({
                        "file": args.token.display().to_string(),
                        "valid": false,
                        "code": error.code(),
                        "reason": error.to_string(),
                    }),
                )?;
                out.flush()?;
            }
            errln!(
                "error: `{}` is NOT trusted: {error} [{}]",
                args.token.display(),
                error.code()
            );
            Err(Reported.into())
        }
    }
}

fn report_valid(args: &VerifyArgs, verified: &Verified) -> anyhow::Result<()> {
    let mut out = crate::output::stdout();
    if args.format == Format::Json {
        let payload = match &verified.payload {
            Payload::Alert(a) => serde_json::to_value(a)?,
            Payload::Ack(a) => serde_json::to_value(a)?,
        };
        crate::output::json(
            &mut out,
            &serde_json::json!({
                "file": args.token.display().to_string(),
                "valid": true,
                "signer": verified.signer,
                "signer_name": verified.signer_name,
                "kid": verified.kid,
                "payload": payload,
            }),
        )?;
        out.flush()?;
        return Ok(());
    }
    outln!(
        out,
        "valid: signed by {} ({}) with key {}",
        verified.signer_name,
        verified.signer,
        verified.kid
    )?;
    match &verified.payload {
        Payload::Alert(alert) => {
            outln!(
                out,
                "{} {} from {} to {}, {}",
                serde_json::to_value(alert.kind)?
                    .as_str()
                    .unwrap_or("alert"),
                alert.id,
                alert.issuer,
                alert.recipient,
                alert.tlp.label()
            )?;
            outln!(
                out,
                "issued {}, reply by {}, expires {}",
                rfc3339(alert.issued_at),
                rfc3339(alert.reply_by),
                rfc3339(alert.expires_at)
            )?;
            if let Some(incident) = &alert.incident {
                outln!(
                    out,
                    "incident {}: {} ({}), declared {}",
                    incident.id,
                    incident.title,
                    incident.kind,
                    rfc3339(incident.declared_at)
                )?;
            }
            outln!(out, "summary: {}", alert.summary)?;
            for entity in &alert.affected.entities {
                outln!(out, "down: {} ({})", entity.name, entity.id)?;
            }
            for item in &alert.affected.items {
                let day = item
                    .first_stockout_day
                    .map(|d| format!(", first stockout day {}", crate::output::quantity(d)))
                    .unwrap_or_default();
                outln!(
                    out,
                    "short: {} at {}{day}{}",
                    item.item,
                    item.at,
                    if item.critical { " (critical)" } else { "" }
                )?;
            }
            if let Some(days) = alert.expected_recovery_days {
                outln!(
                    out,
                    "expected recovery: {} days",
                    crate::output::quantity(days)
                )?;
            }
            for (i, action) in alert.actions.iter().enumerate() {
                outln!(out, "action {}: {action}", i + 1)?;
            }
            if let Some(previous) = &alert.supersedes {
                outln!(out, "supersedes: {previous}")?;
            }
        }
        Payload::Ack(ack) => {
            outln!(
                out,
                "acknowledgement of alert {} from {} ({}) to {}",
                ack.alert,
                ack.issuer,
                ack.contact,
                ack.recipient
            )?;
            outln!(
                out,
                "issued {}, expires {}",
                rfc3339(ack.issued_at),
                rfc3339(ack.expires_at)
            )?;
            if !ack.note.is_empty() {
                outln!(out, "note: {}", ack.note)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
