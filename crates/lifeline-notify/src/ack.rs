//! Acknowledgements, as timeline events: a signed reply (a JWS verified against the
//! directory before anything is recorded) or a redeemed one-time link.
//!
//! A signed reply is checked in two steps, because the alert it names is looked up by the
//! caller (in the store) between them: [`verify_reply`] (signature, key, times, then the
//! nonce: a forged reply never burns one) and [`accept`] (the reply answers that alert,
//! from its recipient, by one of the recipient's contacts).

use lifeline_response::incident::Event;
use lifeline_share::alert::{Ack, Alert};
use lifeline_share::directory::Directory;
use lifeline_share::jws::{self, NonceLog, Payload, VerifyError};
use time::OffsetDateTime;

/// Why an acknowledgement is refused. Nothing refused is recorded as an acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AckError {
    #[error("the signed reply is refused ({code}): {0}", code = .0.code())]
    Refused(VerifyError),
    #[error("the signed message is an alert, not an acknowledgement")]
    NotAnAck,
    #[error("acknowledgement of alert `{}`: no such alert was sent", lifeline_text::excerpt(.0))]
    UnknownAlert(String),
    #[error(
        "acknowledgement of alert `{}`: signed by `{}`, but the alert went to `{}`",
        lifeline_text::excerpt(.alert),
        lifeline_text::excerpt(.signer),
        lifeline_text::excerpt(.recipient)
    )]
    NotTheRecipient {
        alert: String,
        signer: String,
        recipient: String,
    },
    #[error(
        "acknowledgement of alert `{}`: `{}` is not a contact of `{}` in the directory",
        lifeline_text::excerpt(.alert),
        lifeline_text::excerpt(.contact),
        lifeline_text::excerpt(.org)
    )]
    UnknownContact {
        alert: String,
        org: String,
        contact: String,
    },
}

impl AckError {
    /// A short stable name: the verification's code (`tampered`, `replayed`, ...), or
    /// `not-an-ack`, `unknown-alert`, `not-the-recipient`, `unknown-contact`.
    pub fn code(&self) -> &'static str {
        match self {
            AckError::Refused(e) => e.code(),
            AckError::NotAnAck => "not-an-ack",
            AckError::UnknownAlert(_) => "unknown-alert",
            AckError::NotTheRecipient { .. } => "not-the-recipient",
            AckError::UnknownContact { .. } => "unknown-contact",
        }
    }
}

/// Verifies a signed reply addressed to the directory's organisation as of `now`; its
/// nonce goes into `nonces` only when everything else holds.
pub fn verify_reply(
    token: &str,
    directory: &Directory,
    now: OffsetDateTime,
    nonces: &mut dyn NonceLog,
) -> Result<Ack, AckError> {
    let verified = jws::verify(token.trim(), directory, now, nonces).map_err(AckError::Refused)?;
    match verified.payload {
        Payload::Ack(ack) => Ok(ack),
        Payload::Alert(_) => Err(AckError::NotAnAck),
    }
}

/// The `acknowledged` event for a verified reply `ack` to `alert` (`None`: no alert with
/// the id the reply names was sent).
pub fn accept(ack: &Ack, alert: Option<&Alert>, directory: &Directory) -> Result<Event, AckError> {
    let alert = alert
        .filter(|a| a.id == ack.alert)
        .ok_or_else(|| AckError::UnknownAlert(ack.alert.clone()))?;
    if ack.issuer != alert.recipient || ack.recipient != alert.issuer {
        return Err(AckError::NotTheRecipient {
            alert: alert.id.clone(),
            signer: ack.issuer.clone(),
            recipient: alert.recipient.clone(),
        });
    }
    let known = directory
        .organisation(&ack.issuer)
        .is_some_and(|o| o.contacts.iter().any(|c| c.id == ack.contact));
    if !known {
        return Err(AckError::UnknownContact {
            alert: alert.id.clone(),
            org: ack.issuer.clone(),
            contact: ack.contact.clone(),
        });
    }
    Ok(Event::Acknowledged {
        alert: alert.id.clone(),
        recipient: alert.recipient.clone(),
        contact: ack.contact.clone(),
        via: "signed-reply".into(),
    })
}

/// The `acknowledged` event for a redeemed one-time link.
pub fn from_link(alert: &str, recipient: &str, contact: &str) -> Event {
    Event::Acknowledged {
        alert: alert.to_owned(),
        recipient: recipient.to_owned(),
        contact: contact.to_owned(),
        via: "link".into(),
    }
}

/// A [`NonceLog`] that accepts the nonce and keeps it, for a caller whose real log is
/// asynchronous (the store's `first_use_nonce`): verify with it, then record
/// [`PendingNonce::taken`] in the store, and treat `false` there as a replay.
#[derive(Debug, Clone, Default)]
pub struct PendingNonce {
    /// (issuer, nonce, expires_at) of the message verified.
    pub taken: Option<(String, String, OffsetDateTime)>,
}

impl NonceLog for PendingNonce {
    fn first_use(&mut self, issuer: &str, nonce: &str, expires_at: OffsetDateTime) -> bool {
        self.taken = Some((issuer.to_owned(), nonce.to_owned(), expires_at));
        true
    }
}
