//! `lifeline cap`: OASIS CAP 1.2 for emergency-management systems and healthcare
//! coalitions. `validate` checks CAP 1.2 alerts (and EDXL-DE 1.0 distributions of them)
//! against the standard and its schema, naming the element of every problem; `write` turns
//! a lifeline alert (a payload, or a signed alert verified against the partner directory)
//! into CAP 1.2 XML (or an EDXL-DE 1.0 distribution).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use lifeline_cap::{CapErrors, DocumentKind, MapOptions, MsgType};
use lifeline_share::alert::{ALERT_TYPE, Alert as LifelineAlert};
use lifeline_share::jws;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::input::read_text;
use crate::render;
use crate::{Exit, Reported};

#[derive(Debug, Args)]
pub struct CapArgs {
    #[command(subcommand)]
    command: CapCommand,
}

#[derive(Debug, Subcommand)]
enum CapCommand {
    /// Check CAP 1.2 alerts (or EDXL-DE 1.0 distributions of them): every problem named by
    /// its element; exit 2 when any file is invalid
    Validate(ValidateArgs),
    /// Write a lifeline alert payload (JSON) as CAP 1.2 XML
    Write(WriteArgs),
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// CAP 1.2 `alert` or EDXL-DE 1.0 `EDXLDistribution` XML files
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// The `msgType` `--msg-type` can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MsgTypeArg {
    /// A new alert
    Alert,
    /// Updates the alert it supersedes
    Update,
    /// Cancels the alert it supersedes
    Cancel,
    /// The recipient's acknowledgement of this alert
    Ack,
}

impl From<MsgTypeArg> for MsgType {
    fn from(arg: MsgTypeArg) -> MsgType {
        match arg {
            MsgTypeArg::Alert => MsgType::Alert,
            MsgTypeArg::Update => MsgType::Update,
            MsgTypeArg::Cancel => MsgType::Cancel,
            MsgTypeArg::Ack => MsgType::Ack,
        }
    }
}

#[derive(Debug, Args)]
struct WriteArgs {
    /// A lifeline alert: the payload (`lifeline-alert/1` JSON, as `notify sign` takes it),
    /// or a signed alert (compact JWS), which is verified first with `--directory`
    file: PathBuf,
    /// The partner directory that verifies a signed alert (its issuer's public key)
    #[arg(long)]
    directory: Option<PathBuf>,
    /// Verify a signed alert as of this time (RFC 3339) instead of now
    #[arg(long, value_parser = parse_time)]
    at: Option<OffsetDateTime>,
    /// The CAP msgType; by default the alert's kind gives it (alert and drill: Alert,
    /// update: Update, cancel: Cancel)
    #[arg(long, value_enum)]
    msg_type: Option<MsgTypeArg>,
    /// The CAP `sender` (default: the alert's issuer id); no spaces or commas
    #[arg(long)]
    sender: Option<String>,
    /// The issuer's name for `senderName`
    #[arg(long)]
    sender_name: Option<String>,
    /// When the alert this one supersedes was sent (RFC 3339), so that `references` can
    /// name it as CAP requires
    #[arg(long, value_parser = parse_time)]
    supersedes_sent: Option<OffsetDateTime>,
    /// A link for more information (`web`)
    #[arg(long)]
    web: Option<String>,
    /// Wrap the alert in an EDXL-DE 1.0 distribution
    #[arg(long)]
    edxl: bool,
    /// Write here instead of stdout
    #[arg(short, long)]
    output: Option<PathBuf>,
}

fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|error| format!("not an RFC 3339 time (2026-12-06T10:00:00Z): {error}"))
}

pub fn run(args: &CapArgs) -> anyhow::Result<Exit> {
    match &args.command {
        CapCommand::Validate(args) => validate(args),
        CapCommand::Write(args) => write(args),
    }
}

fn report_errors(path: &Path, errors: &CapErrors) {
    for error in &errors.errors {
        errln!("{}: error: {error}", path.display());
    }
    if errors.omitted > 0 {
        errln!("{}: ... and {} more", path.display(), errors.omitted);
    }
}

fn validate(args: &ValidateArgs) -> anyhow::Result<Exit> {
    let mut out = crate::output::stdout();
    let mut invalid = 0usize;
    for path in &args.files {
        let text = read_text(path, || format!("cannot read `{}`", path.display()))?;
        let result = match lifeline_cap::detect(&text) {
            Some(DocumentKind::Edxl) => lifeline_cap::read_edxl(&text).map(|distribution| {
                format!(
                    "valid EDXL-DE 1.0 distribution `{}` with {} CAP 1.2 alert(s)",
                    lifeline_text::excerpt(&distribution.distribution_id),
                    distribution.alerts.len()
                )
            }),
            // Anything else is read as CAP, whose reader says what the root should be.
            _ => lifeline_cap::read(&text).map(|alert| {
                format!(
                    "valid CAP 1.2 alert `{}` from `{}`: {} {}, {} info block(s)",
                    lifeline_text::excerpt(&alert.identifier),
                    lifeline_text::excerpt(&alert.sender),
                    alert.status,
                    alert.msg_type,
                    alert.info.len()
                )
            }),
        };
        match result {
            Ok(summary) => outln!(out, "{}: {summary}", path.display())?,
            Err(errors) => {
                out.flush()?;
                report_errors(path, &errors);
                invalid += 1;
            }
        }
    }
    out.flush()?;
    if invalid > 0 {
        return Err(Reported.into());
    }
    Ok(Exit::Success)
}

/// Whether `text` looks like a compact JWS (three base64url parts) rather than JSON.
fn is_compact_jws(text: &str) -> bool {
    let text = text.trim();
    text.split('.').count() == 3
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Verifies a signed alert against the directory, as of `at` (now by default): a message
/// that fails verification is refused with its reason and never converted. The nonce is
/// checked against this run only; replays across runs are `notify verify --seen`'s job.
fn verified_alert(args: &WriteArgs, token: &str) -> anyhow::Result<LifelineAlert> {
    let path = &args.file;
    let Some(directory_path) = &args.directory else {
        errln!(
            "{}: error: a signed alert needs `--directory FILE` (the partner directory with its issuer's key) to be verified",
            path.display()
        );
        return Err(Reported.into());
    };
    let text = read_text(directory_path, || {
        format!("cannot read `{}`", directory_path.display())
    })?;
    let origin = directory_path.display().to_string();
    let directory = match lifeline_share::directory::from_str(&text, &origin) {
        Ok((directory, _warnings)) => directory,
        Err(error) => {
            errln!("error: {error}");
            return Err(Reported.into());
        }
    };
    let now = args.at.unwrap_or_else(OffsetDateTime::now_utc);
    let mut nonces = jws::MemoryNonces::new();
    // The alert may be addressed to a partner (the sender converting its own alert): then
    // it is verified as that partner would verify it.
    let verified = match jws::verify(token.trim(), &directory, now, &mut nonces) {
        Err(jws::VerifyError::WrongRecipient { recipient, .. }) => {
            jws::verify_for(token.trim(), &directory, &recipient, now, &mut nonces)
        }
        other => other,
    };
    match verified {
        Ok(jws::Verified {
            payload: jws::Payload::Alert(alert),
            ..
        }) => Ok(alert),
        Ok(_) => {
            errln!(
                "{}: error: a signed acknowledgement, not an alert",
                path.display()
            );
            Err(Reported.into())
        }
        Err(error) => {
            errln!(
                "{}: error: not verified ({}): {error}",
                path.display(),
                error.code()
            );
            Err(Reported.into())
        }
    }
}

/// Reads a lifeline alert: a signed one is verified, a payload read with every problem
/// reported at its JSON path.
fn read_alert(args: &WriteArgs) -> anyhow::Result<LifelineAlert> {
    let path = &args.file;
    let text = read_text(path, || format!("cannot read `{}`", path.display()))?;
    if is_compact_jws(&text) {
        return verified_alert(args, &text);
    }
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    let alert: LifelineAlert = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(alert) => alert,
        Err(error) => {
            let at = error.path().to_string();
            let at = if at == "." {
                String::new()
            } else {
                format!("{at}: ")
            };
            errln!(
                "{}: error: {at}{} (a lifeline alert payload, `{ALERT_TYPE}`)",
                path.display(),
                error.inner()
            );
            return Err(Reported.into());
        }
    };
    if alert.typ != ALERT_TYPE {
        errln!(
            "{}: error: type: `{}` is not `{ALERT_TYPE}`",
            path.display(),
            lifeline_text::excerpt(&alert.typ)
        );
        return Err(Reported.into());
    }
    Ok(alert)
}

fn write(args: &WriteArgs) -> anyhow::Result<Exit> {
    let alert = read_alert(args)?;
    let options = MapOptions {
        msg_type: args.msg_type.map(MsgType::from),
        sender: args.sender.clone(),
        sender_name: args.sender_name.clone(),
        supersedes_sent: args.supersedes_sent,
        web: args.web.clone(),
        ..MapOptions::default()
    };
    let cap = match lifeline_cap::from_lifeline(&alert, &options) {
        Ok(cap) => cap,
        Err(error) => {
            errln!("{}: error: {error}", args.file.display());
            return Err(Reported.into());
        }
    };
    let xml = if args.edxl {
        lifeline_cap::write_edxl(&lifeline_cap::Distribution {
            distribution_id: format!("{}.edxl", cap.identifier),
            sender_id: cap.sender.clone(),
            date_time_sent: cap.sent,
            status: match cap.status {
                lifeline_cap::Status::Exercise => lifeline_cap::edxl::DistributionStatus::Exercise,
                _ => lifeline_cap::edxl::DistributionStatus::Actual,
            },
            distribution_type: match cap.msg_type {
                MsgType::Update => lifeline_cap::edxl::DistributionType::Update,
                MsgType::Cancel => lifeline_cap::edxl::DistributionType::Cancel,
                MsgType::Ack => lifeline_cap::edxl::DistributionType::Ack,
                MsgType::Error => lifeline_cap::edxl::DistributionType::Error,
                MsgType::Alert => lifeline_cap::edxl::DistributionType::Report,
            },
            combined_confidentiality: alert.tlp.label().to_owned(),
            language: None,
            alerts: vec![cap],
        })
    } else {
        lifeline_cap::write(&cap)
    };
    render::report(args.output.as_deref(), |out| {
        out.write_all(xml.as_bytes())?;
        Ok(())
    })?;
    Ok(Exit::Success)
}
