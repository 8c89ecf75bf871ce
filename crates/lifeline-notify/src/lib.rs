//! `lifeline-notify`: delivery of signed partner alerts (issue 17).
//!
//! - [`smtp`]: email through a configured relay ([`SmtpRelay`]: none, STARTTLS or TLS with
//!   rustls), pooled connections, one message per contact.
//! - [`webhook`]: the compact JWS POSTed as `application/jose`, retried with exponential
//!   backoff ([`WebhookPolicy`]).
//! - [`notifier`]: the orchestrator. Given the directory, a signer, the alerts known and
//!   the timeline, [`Notifier::prepare`] works out what is due (lifeline-share's planner),
//!   signs what must be signed and draws one-time acknowledgement links; the caller stores
//!   the new alerts and links, then [`Notifier::deliver`] sends and returns the timeline
//!   events to append (`alert-sent`, `delivery-failed`, `escalated`).
//! - [`ack`]: acknowledgements: a signed reply verified against the directory, or a
//!   redeemed one-time link, as the `acknowledged` event.
//!
//! Blocking IO (lettre's and ureq's synchronous clients): async callers run it on a
//! blocking thread.

pub mod ack;
pub mod message;
pub mod notifier;
pub mod smtp;
pub mod webhook;

pub use notifier::{AckLink, Call, Delivery, Notifier, Prepared, SentAlert, Signer, draw_token};
pub use smtp::{Mailer, Security, SmtpRelay};
pub use webhook::WebhookPolicy;

/// How one delivery ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted by the relay or the webhook (after `attempts` tries).
    Delivered { attempts: u32 },
    /// Given up after `attempts` tries; `error` says why, for people.
    Failed { attempts: u32, error: String },
}

/// What can go wrong before anything is sent.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("SMTP relay: {field}: {message}")]
    Relay {
        field: &'static str,
        message: String,
    },
    #[error("`{path}`: {message}")]
    Config { path: String, message: String },
    #[error("alert {alert} to {recipient}: cannot sign it: {message}")]
    Sign {
        alert: String,
        recipient: String,
        message: String,
    },
    #[error("alert {alert}: {message}")]
    Alert { alert: String, message: String },
}
