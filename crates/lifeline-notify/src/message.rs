//! The email that carries a signed alert: a plain-text body people read (the summary,
//! what to do, the reply-by time, the one-time acknowledgement link) and the compact JWS
//! attached (`alert-ID.jws`, `application/jose`) for `lifeline notify verify`.

use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lifeline_share::alert::{Alert, AlertKind};
use time::format_description::well_known::Rfc3339;

/// The subject line: the TLP label first, as TLP 2.0 asks of email.
pub fn subject(alert: &Alert) -> String {
    let what = match alert.kind {
        AlertKind::Alert => "Partner alert",
        AlertKind::Update => "Partner alert update",
        AlertKind::Cancel => "Partner alert cancelled",
        AlertKind::Drill => "Drill: test of the lines",
    };
    one_line(&format!(
        "[{}] {what} from {}: {}",
        alert.tlp.label(),
        alert.issuer,
        alert.summary
    ))
}

/// The body people read.
pub fn body(alert: &Alert, sender_name: &str, ack_link: Option<&str>) -> String {
    let mut out = format!("{}\n\n", alert.tlp.label());
    out.push_str(&format!("{}\n\n", alert.summary));
    if let Some(incident) = &alert.incident {
        out.push_str(&format!(
            "Incident: {} ({}), declared {}\n",
            incident.title,
            incident.kind,
            incident.declared_at.format(&Rfc3339).unwrap_or_default()
        ));
    }
    out.push_str(&format!(
        "From: {sender_name} ({})\nTo: {}\nAlert id: {}\n",
        alert.issuer, alert.recipient, alert.id
    ));
    if !alert.affected.entities.is_empty() {
        out.push_str("\nDown:\n");
        for e in &alert.affected.entities {
            out.push_str(&format!("  - {} ({})\n", e.name, e.id));
        }
    }
    if !alert.affected.items.is_empty() {
        out.push_str("\nYour items that run short:\n");
        for s in &alert.affected.items {
            let day = s
                .first_stockout_day
                .map_or_else(String::new, |d| format!(", day {d}"));
            let critical = if s.critical { " (critical)" } else { "" };
            out.push_str(&format!("  - {} at {}{day}{critical}\n", s.item, s.at));
        }
    }
    if !alert.actions.is_empty() {
        out.push_str("\nWhat to do:\n");
        for (i, a) in alert.actions.iter().enumerate() {
            out.push_str(&format!("  {}. {a}\n", i + 1));
        }
    }
    out.push_str(&format!(
        "\nAcknowledge by {}.",
        alert.reply_by.format(&Rfc3339).unwrap_or_default()
    ));
    match ack_link {
        Some(link) => out.push_str(&format!(
            " Open this one-time link to acknowledge:\n{link}\nor send a signed reply.\n"
        )),
        None => out.push_str(" Send a signed reply (`lifeline notify sign`).\n"),
    }
    out.push_str(
        "\nThe attached alert .jws is signed: check it with `lifeline notify verify FILE \
         --directory DIRECTORY` before acting on it. Trust nothing about this incident that \
         is not signed.\n",
    );
    out
}

/// The message to `to` (`Name <address>`), or why the address is unusable.
pub fn email(
    from: &Mailbox,
    to_name: &str,
    to_address: &str,
    alert: &Alert,
    jws: &str,
    sender_name: &str,
    ack_link: Option<&str>,
) -> Result<Message, String> {
    let address = to_address
        .parse()
        .map_err(|e| format!("address `{}`: {e}", lifeline_text::excerpt(to_address)))?;
    let to = Mailbox::new(Some(one_line(to_name)), address);
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(body(alert, sender_name, ack_link));
    let jose = ContentType::parse("application/jose").map_err(|e| e.to_string())?;
    let attachment =
        Attachment::new(format!("alert-{}.jws", safe_name(&alert.id))).body(jws.to_owned(), jose);
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject(alert))
        .multipart(MultiPart::mixed().singlepart(text).singlepart(attachment))
        .map_err(|e| e.to_string())
}

/// Header text on one line: no control characters.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn safe_name(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
