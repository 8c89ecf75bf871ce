//! `lifeline-share`: trusted lines between partners (issue 17).
//!
//! - [`tlp`]: the Traffic Light Protocol 2.0 levels, their official STIX marking
//!   definitions, and the one rule that says whether something may go to a partner.
//! - [`directory`]: the partner directory (`lifeline-partners/1`): organisations linked to
//!   network entities and vendor ids, contacts with channels and escalation order, public
//!   keys with validity and revocation, a TLP clearance per partner.
//! - [`keys`]: Ed25519 key pairs as JWKs (RFC 8037), rotation and revocation.
//! - [`jws`]: compact JWS (RFC 7515, EdDSA) signing and verification of [`alert`]s and
//!   acknowledgements, with nonce and expiry so a replay is refused.
//! - [`alert`]: the alert and acknowledgement payloads.
//! - [`escalate`]: who is due what, now: the pure escalation planner.
//! - [`drill`]: channel drills: time to acknowledge per partner and channel.
//!
//! Architecture invariant: no IO, no clock, no randomness of its own: time and random
//! bytes are arguments. Delivery (SMTP, webhooks) lives in `lifeline-notify`.

pub mod alert;
pub mod directory;
pub mod drill;
pub mod escalate;
pub mod jws;
pub mod keys;
pub mod tlp;

pub use tlp::Tlp;
