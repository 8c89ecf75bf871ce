//! Compact JWS (RFC 7515 §7.1) with EdDSA over Ed25519 (RFC 8037 §3.1) for lifeline's
//! alerts and acknowledgements (documented in `docs/alerts.md`).
//!
//! A token is `BASE64URL(header) . BASE64URL(payload) . BASE64URL(signature)`; the
//! header is `{"alg":"EdDSA","kid":"ORG/KEY","typ":"lifeline-alert+jws"}` (or
//! `lifeline-ack+jws`), the payload an [`Alert`] or [`Ack`] as JSON, the signature
//! Ed25519 over the ASCII of the first two parts joined by a dot.
//!
//! [`verify`] checks, in this order, and stops at the first failure: the token's shape
//! ([`VerifyError::Malformed`]), the key it names ([`VerifyError::UnknownKey`]), the
//! signature ([`VerifyError::Tampered`]), the payload and its issuer and recipient, the
//! times (the key's revocation and validity, then the message's own), and last the
//! nonce ([`VerifyError::Replayed`]), so a forged or stale message never burns a nonce.

use std::collections::HashMap;

use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::alert::{ACK_TYPE, ALERT_TYPE, Ack, Alert};
use crate::directory::{Directory, PublicKey};
use crate::keys::{KeyPair, b64, b64_array, decode_x, split_kid};

/// The JWS `alg` lifeline signs with (RFC 8037 §3.1).
pub const ALG: &str = "EdDSA";
/// The fully-specified name RFC 9864 gives Ed25519; accepted on verification too.
pub const ALG_ED25519: &str = "Ed25519";
/// The `typ` header of a signed alert.
pub const ALERT_TYP: &str = "lifeline-alert+jws";
/// The `typ` header of a signed acknowledgement.
pub const ACK_TYP: &str = "lifeline-ack+jws";
/// The largest token read, in bytes (an alert with hundreds of items is well under).
pub const MAX_TOKEN_BYTES: usize = 256 * 1024;
/// How far ahead of the verifier's clock a message may say it was issued.
pub const CLOCK_SKEW: Duration = Duration::minutes(5);
/// The longest a message may stay valid (`expires_at - issued_at`): this bounds how long
/// a key that has ended (or leaks later) can still produce messages that verify.
pub const MAX_LIFETIME: Duration = Duration::days(31);
/// The longest nonce accepted, in characters.
pub const MAX_NONCE_CHARS: usize = 128;

/// RFC 3339 text of a time, for messages.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| format!("{at}"))
}

/// Why a message could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("the payload's `issuer` is `{}` but the key belongs to `{}`", lifeline_text::excerpt(.issuer), lifeline_text::excerpt(.key_org))]
    IssuerMismatch { issuer: String, key_org: String },
    #[error("payload field `{field}`: {message}")]
    Payload {
        field: &'static str,
        message: String,
    },
}

/// The payload of a verified message.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Alert(Alert),
    Ack(Ack),
}

impl Payload {
    pub fn issuer(&self) -> &str {
        match self {
            Payload::Alert(a) => &a.issuer,
            Payload::Ack(a) => &a.issuer,
        }
    }
    pub fn recipient(&self) -> &str {
        match self {
            Payload::Alert(a) => &a.recipient,
            Payload::Ack(a) => &a.recipient,
        }
    }
    pub fn nonce(&self) -> &str {
        match self {
            Payload::Alert(a) => &a.nonce,
            Payload::Ack(a) => &a.nonce,
        }
    }
    pub fn issued_at(&self) -> OffsetDateTime {
        match self {
            Payload::Alert(a) => a.issued_at,
            Payload::Ack(a) => a.issued_at,
        }
    }
    pub fn expires_at(&self) -> OffsetDateTime {
        match self {
            Payload::Alert(a) => a.expires_at,
            Payload::Ack(a) => a.expires_at,
        }
    }
}

/// A message whose signature, key, times and nonce all checked out.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The signing organisation's directory id.
    pub signer: String,
    /// Its name in the directory.
    pub signer_name: String,
    /// `ORG/KEY`.
    pub kid: String,
    pub payload: Payload,
}

/// How a revoked key was caught.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokedWhen {
    /// The message says it was signed at or after the revocation.
    SignedAfterRevocation,
    /// The message was signed before, but the key is revoked as of now: nothing it
    /// signed is trusted any more.
    RevokedNow,
}

/// Why a message was refused. [`VerifyError::code`] gives a short stable name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("malformed: {0}")]
    Malformed(String),
    #[error("unknown key `{}`: {why}", lifeline_text::excerpt(.kid))]
    UnknownKey { kid: String, why: String },
    #[error("tampered: the signature does not match the message for key `{}`", lifeline_text::excerpt(.kid))]
    Tampered { kid: String },
    #[error("expired at {} (now {})", rfc3339(*.expires_at), rfc3339(*.now))]
    Expired {
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    },
    #[error("not yet valid: issued at {}, more than 5 minutes after now ({})", rfc3339(*.issued_at), rfc3339(*.now))]
    NotYetValid {
        issued_at: OffsetDateTime,
        now: OffsetDateTime,
    },
    #[error("{}", revoked_text(.kid, *.at, .reason, *.when))]
    KeyRevoked {
        kid: String,
        at: OffsetDateTime,
        reason: String,
        when: RevokedWhen,
    },
    #[error("key `{}` was not valid when the message was issued ({}): it is valid {}", lifeline_text::excerpt(.kid), rfc3339(*.issued_at), validity_text(*.not_before, *.not_after))]
    KeyExpired {
        kid: String,
        issued_at: OffsetDateTime,
        not_before: OffsetDateTime,
        not_after: Option<OffsetDateTime>,
    },
    #[error("issuer mismatch: the payload says it is from `{}` but key `{}` belongs to `{}`", lifeline_text::excerpt(.issuer), lifeline_text::excerpt(.kid), lifeline_text::excerpt(.signer))]
    IssuerMismatch {
        kid: String,
        signer: String,
        issuer: String,
    },
    #[error("wrong recipient: the message is addressed to `{}`, not to `{}`", lifeline_text::excerpt(.recipient), lifeline_text::excerpt(.expected))]
    WrongRecipient { recipient: String, expected: String },
    #[error("replayed: nonce `{}` from `{}` was seen before", lifeline_text::excerpt(.nonce), lifeline_text::excerpt(.issuer))]
    Replayed { issuer: String, nonce: String },
}

fn revoked_text(kid: &str, at: OffsetDateTime, reason: &str, when: RevokedWhen) -> String {
    let how = match when {
        RevokedWhen::SignedAfterRevocation => "the message was signed at or after the revocation",
        RevokedWhen::RevokedNow => "the key is revoked now, so nothing it signed is trusted",
    };
    format!(
        "revoked key: `{}` was revoked at {} ({}): {how}",
        lifeline_text::excerpt(kid),
        rfc3339(at),
        lifeline_text::excerpt(reason)
    )
}

fn validity_text(not_before: OffsetDateTime, not_after: Option<OffsetDateTime>) -> String {
    match not_after {
        Some(after) => format!("from {} to {}", rfc3339(not_before), rfc3339(after)),
        None => format!("from {}", rfc3339(not_before)),
    }
}

impl VerifyError {
    /// A short stable name for the failure: `malformed`, `unknown-key`, `tampered`,
    /// `expired`, `not-yet-valid`, `revoked-key`, `key-expired`, `issuer-mismatch`,
    /// `wrong-recipient`, `replayed`.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Malformed(_) => "malformed",
            VerifyError::UnknownKey { .. } => "unknown-key",
            VerifyError::Tampered { .. } => "tampered",
            VerifyError::Expired { .. } => "expired",
            VerifyError::NotYetValid { .. } => "not-yet-valid",
            VerifyError::KeyRevoked { .. } => "revoked-key",
            VerifyError::KeyExpired { .. } => "key-expired",
            VerifyError::IssuerMismatch { .. } => "issuer-mismatch",
            VerifyError::WrongRecipient { .. } => "wrong-recipient",
            VerifyError::Replayed { .. } => "replayed",
        }
    }
}

/// Where the nonces already seen are kept: [`MemoryNonces`] here, a file in the CLI, a
/// table in the store.
pub trait NonceLog {
    /// Records that `issuer` used `nonce` in a message valid until `expires_at`; `true`
    /// the first time, `false` when the pair was recorded before (a replay). Entries may
    /// be forgotten once `expires_at` has passed: an expired message is refused anyway.
    fn first_use(&mut self, issuer: &str, nonce: &str, expires_at: OffsetDateTime) -> bool;
}

/// Nonces kept in memory.
#[derive(Debug, Clone, Default)]
pub struct MemoryNonces {
    seen: HashMap<(String, String), OffsetDateTime>,
}

impl MemoryNonces {
    pub fn new() -> MemoryNonces {
        MemoryNonces::default()
    }

    /// Forgets the nonces of messages expired at `now`.
    pub fn prune(&mut self, now: OffsetDateTime) {
        self.seen.retain(|_, expires_at| *expires_at > now);
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// Every (issuer, nonce, expires_at), sorted, for saving.
    pub fn entries(&self) -> Vec<(&str, &str, OffsetDateTime)> {
        let mut all: Vec<_> = self
            .seen
            .iter()
            .map(|((issuer, nonce), at)| (issuer.as_str(), nonce.as_str(), *at))
            .collect();
        all.sort_unstable_by(|a, b| (a.2, a.0, a.1).cmp(&(b.2, b.0, b.1)));
        all
    }
}

impl NonceLog for MemoryNonces {
    fn first_use(&mut self, issuer: &str, nonce: &str, expires_at: OffsetDateTime) -> bool {
        let key = (issuer.to_owned(), nonce.to_owned());
        match self.seen.get_mut(&key) {
            Some(known) => {
                *known = (*known).max(expires_at);
                false
            }
            None => {
                self.seen.insert(key, expires_at);
                true
            }
        }
    }
}

/// Signs `payload` (already JSON) under a protected header, returning the compact JWS.
/// `header` is used byte for byte, so RFC 8037's example reproduces exactly.
pub fn sign_compact(header: &str, payload: &[u8], key: &KeyPair) -> String {
    let mut token = String::with_capacity((header.len() + payload.len()) * 4 / 3 + 100);
    token.push_str(&b64(header.as_bytes()));
    token.push('.');
    token.push_str(&b64(payload));
    let signature = key.sign_bytes(token.as_bytes());
    token.push('.');
    token.push_str(&b64(&signature));
    token
}

/// Checks only the signature of a compact JWS against a raw 32-byte Ed25519 public key,
/// returning the decoded header and payload. No key lookup, times or nonce: for test
/// vectors and tools; messages are checked with [`verify`].
pub fn verify_signature(token: &str, public: &[u8; 32]) -> Result<(Vec<u8>, Vec<u8>), VerifyError> {
    let parts = split(token)?;
    let key = VerifyingKey::from_bytes(public)
        .map_err(|_| VerifyError::Malformed("the public key is not a point of Ed25519".into()))?;
    check_signature(&parts, &key, "")?;
    Ok((parts.header_bytes, parts.payload_bytes))
}

fn header(kid: &str, typ: &str) -> String {
    // serde_json escapes whatever the kid holds; field order is fixed.
    let mut header = serde_json::Map::new();
    header.insert("alg".into(), ALG.into());
    header.insert("kid".into(), Value::String(kid.to_owned()));
    header.insert("typ".into(), typ.into());
    Value::Object(header).to_string()
}

fn check_lifetime(
    issued_at: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), (&'static str, String)> {
    if expires_at <= issued_at {
        return Err((
            "expires_at",
            format!(
                "must be after issued_at ({} is not after {})",
                rfc3339(expires_at),
                rfc3339(issued_at)
            ),
        ));
    }
    if expires_at - issued_at > MAX_LIFETIME {
        return Err((
            "expires_at",
            format!(
                "a message may stay valid {} days at most",
                MAX_LIFETIME.whole_days()
            ),
        ));
    }
    Ok(())
}

fn check_nonce(nonce: &str) -> Result<(), String> {
    if nonce.is_empty() {
        return Err("must not be empty".into());
    }
    if nonce.len() > MAX_NONCE_CHARS {
        return Err(format!("longer than {MAX_NONCE_CHARS} characters"));
    }
    if !nonce
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err("must be base64url (letters, digits, `-`, `_`)".into());
    }
    Ok(())
}

fn sign_payload<T: serde::Serialize>(
    payload: &T,
    typ: &str,
    key: &KeyPair,
) -> Result<String, SignError> {
    let json = serde_json::to_vec(payload).map_err(|e| SignError::Payload {
        field: "(payload)",
        message: e.to_string(),
    })?;
    Ok(sign_compact(&header(&key.kid(), typ), &json, key))
}

fn sign_checks(
    typ_field: &str,
    want_typ: &str,
    issuer: &str,
    nonce: &str,
    issued_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    key: &KeyPair,
) -> Result<(), SignError> {
    if typ_field != want_typ {
        return Err(SignError::Payload {
            field: "type",
            message: format!(
                "expected `{want_typ}`, found `{}`",
                lifeline_text::excerpt(typ_field)
            ),
        });
    }
    if issuer != key.org() {
        return Err(SignError::IssuerMismatch {
            issuer: issuer.to_owned(),
            key_org: key.org().to_owned(),
        });
    }
    check_nonce(nonce).map_err(|message| SignError::Payload {
        field: "nonce",
        message,
    })?;
    check_lifetime(issued_at, expires_at)
        .map_err(|(field, message)| SignError::Payload { field, message })
}

/// Signs an alert with its issuer's key: a compact JWS with `typ` [`ALERT_TYP`].
/// Refused when the alert's `issuer` is not the key's organisation, its `type` is not
/// [`ALERT_TYPE`], its nonce is empty or not base64url, or its lifetime is not between
/// zero and [`MAX_LIFETIME`]: a message that would never verify is never signed.
pub fn sign_alert(alert: &Alert, key: &KeyPair) -> Result<String, SignError> {
    sign_checks(
        &alert.typ,
        ALERT_TYPE,
        &alert.issuer,
        &alert.nonce,
        alert.issued_at,
        alert.expires_at,
        key,
    )?;
    sign_payload(alert, ALERT_TYP, key)
}

/// Signs an acknowledgement with the acknowledging organisation's key (`typ`
/// [`ACK_TYP`]); the same checks as [`sign_alert`].
pub fn sign_ack(ack: &Ack, key: &KeyPair) -> Result<String, SignError> {
    sign_checks(
        &ack.typ,
        ACK_TYPE,
        &ack.issuer,
        &ack.nonce,
        ack.issued_at,
        ack.expires_at,
        key,
    )?;
    sign_payload(ack, ACK_TYP, key)
}

/// The decoded parts of a compact JWS.
struct Parts<'a> {
    /// `header.payload`, the signing input.
    signing_input: &'a str,
    header_bytes: Vec<u8>,
    payload_bytes: Vec<u8>,
    signature: [u8; 64],
}

fn split(token: &str) -> Result<Parts<'_>, VerifyError> {
    let malformed = |m: &str| Err(VerifyError::Malformed(m.to_owned()));
    // Surrounding whitespace (a trailing newline in a file) is not part of the token.
    let token = token.trim_matches(|c: char| c.is_ascii_whitespace());
    if token.len() > MAX_TOKEN_BYTES {
        return Err(VerifyError::Malformed(format!(
            "the token is {} bytes, over the limit of {MAX_TOKEN_BYTES}",
            token.len()
        )));
    }
    let Some((signing_input, signature)) = token.rsplit_once('.') else {
        return malformed("not a compact JWS: expected three base64url parts separated by dots");
    };
    let Some((header, payload)) = signing_input.split_once('.') else {
        return malformed("not a compact JWS: expected three base64url parts separated by dots");
    };
    if payload.contains('.') {
        return malformed("not a compact JWS: more than three parts");
    }
    let decode = |part: &str, name: &str| {
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, part)
            .map_err(|_| VerifyError::Malformed(format!("the {name} is not base64url")))
    };
    let header_bytes = decode(header, "header")?;
    let payload_bytes = decode(payload, "payload")?;
    let Some(signature) = b64_array::<64>(signature) else {
        return malformed("the signature is not 64 bytes of base64url");
    };
    Ok(Parts {
        signing_input,
        header_bytes,
        payload_bytes,
        signature,
    })
}

fn check_signature(parts: &Parts<'_>, key: &VerifyingKey, kid: &str) -> Result<(), VerifyError> {
    let signature = Signature::from_bytes(&parts.signature);
    key.verify_strict(parts.signing_input.as_bytes(), &signature)
        .map_err(|_| VerifyError::Tampered {
            kid: kid.to_owned(),
        })
}

/// The protected header's fields.
struct Header {
    kid: String,
    typ: Option<String>,
}

fn parse_header(bytes: &[u8]) -> Result<Header, VerifyError> {
    let malformed = |m: String| VerifyError::Malformed(format!("header: {m}"));
    let value: Value = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
    let Value::Object(map) = value else {
        return Err(malformed("expected a JSON object".into()));
    };
    let text = |name: &str| match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(malformed(format!("`{name}` must be a string"))),
    };
    match text("alg")?.as_deref() {
        Some(ALG | ALG_ED25519) => {}
        Some(other) => {
            return Err(malformed(format!(
                "`alg` is `{}`; only `EdDSA` (Ed25519) is accepted",
                lifeline_text::excerpt(other)
            )));
        }
        None => return Err(malformed("`alg` is missing".into())),
    }
    // RFC 7515 §4.1.11: a critical extension we do not understand means refusal.
    if map.contains_key("crit") {
        return Err(malformed(
            "`crit` names extensions lifeline does not implement".into(),
        ));
    }
    let kid = text("kid")?
        .ok_or_else(|| malformed("`kid` is missing: the signer's key cannot be found".into()))?;
    Ok(Header {
        kid,
        typ: text("typ")?,
    })
}

fn find_entry<'d>(
    directory: &'d Directory,
    kid: &str,
) -> Result<(&'d crate::directory::Organisation, &'d PublicKey), VerifyError> {
    let unknown = |why: &str| VerifyError::UnknownKey {
        kid: kid.to_owned(),
        why: why.to_owned(),
    };
    let (org_id, key_id) = split_kid(kid).ok_or_else(|| unknown("a kid is ORGANISATION/KEY"))?;
    let org = directory
        .organisations
        .iter()
        .find(|o| o.id == org_id)
        .ok_or_else(|| unknown("the organisation is not in the directory"))?;
    let key = org
        .keys
        .iter()
        .find(|k| k.id == key_id)
        .ok_or_else(|| unknown("the organisation lists no key of that id"))?;
    Ok((org, key))
}

fn parse_payload(bytes: &[u8], typ: Option<&str>) -> Result<Payload, VerifyError> {
    let malformed = |m: String| VerifyError::Malformed(format!("payload: {m}"));
    // The type first (a cheap pass that skips everything else), then the payload itself.
    #[derive(serde::Deserialize)]
    struct TypeOnly {
        #[serde(rename = "type")]
        typ: Option<String>,
    }
    let kind = serde_json::from_slice::<TypeOnly>(bytes)
        .map_err(|e| malformed(e.to_string()))?
        .typ
        .unwrap_or_default();
    let payload = match kind.as_str() {
        ALERT_TYPE => {
            Payload::Alert(serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?)
        }
        ACK_TYPE => {
            Payload::Ack(serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?)
        }
        other => {
            return Err(malformed(format!(
                "`type` is `{}`; expected `{ALERT_TYPE}` or `{ACK_TYPE}`",
                lifeline_text::excerpt(other)
            )));
        }
    };
    let want = match payload {
        Payload::Alert(_) => ALERT_TYP,
        Payload::Ack(_) => ACK_TYP,
    };
    if let Some(typ) = typ
        && typ != want
    {
        return Err(malformed(format!(
            "the header's `typ` is `{}` but the payload is `{kind}`",
            lifeline_text::excerpt(typ)
        )));
    }
    check_nonce(payload.nonce()).map_err(|m| malformed(format!("`nonce` {m}")))?;
    check_lifetime(payload.issued_at(), payload.expires_at())
        .map_err(|(field, m)| malformed(format!("`{field}` {m}")))?;
    Ok(payload)
}

/// Verifies a signed alert or acknowledgement addressed to the directory's own
/// organisation (`directory.organisation`), as of `now`, recording its nonce in `nonces`
/// when, and only when, everything else holds.
pub fn verify(
    token: &str,
    directory: &Directory,
    now: OffsetDateTime,
    nonces: &mut dyn NonceLog,
) -> Result<Verified, VerifyError> {
    verify_for(token, directory, &directory.organisation, now, nonces)
}

/// [`verify`] for a message addressed to `recipient` (an organisation of the directory
/// other than its keeper: a sender checking what its partner will see).
pub fn verify_for(
    token: &str,
    directory: &Directory,
    recipient: &str,
    now: OffsetDateTime,
    nonces: &mut dyn NonceLog,
) -> Result<Verified, VerifyError> {
    Verifier::for_recipient(directory, recipient).verify(token, now, nonces)
}

/// A verifier for many messages against one directory: it decompresses each signer's
/// public key once, and [`Verifier::verify_batch`] checks the Ed25519 signatures of many
/// messages together. The checks and their order are those of [`verify`].
#[derive(Debug)]
pub struct Verifier<'d> {
    directory: &'d Directory,
    recipient: &'d str,
    keys: HashMap<String, Result<VerifyingKey, VerifyError>>,
}

/// A message whose shape and key checked out, its signature not yet.
struct Prepared<'t, 'd> {
    parts: Parts<'t>,
    header: Header,
    org: &'d crate::directory::Organisation,
    key: &'d PublicKey,
    verifying: VerifyingKey,
}

impl<'d> Verifier<'d> {
    /// For messages addressed to the directory's keeper.
    pub fn new(directory: &'d Directory) -> Verifier<'d> {
        Verifier::for_recipient(directory, &directory.organisation)
    }

    /// For messages addressed to `recipient`.
    pub fn for_recipient(directory: &'d Directory, recipient: &'d str) -> Verifier<'d> {
        Verifier {
            directory,
            recipient,
            keys: HashMap::new(),
        }
    }

    /// Verifies one message: see [`verify`].
    pub fn verify(
        &mut self,
        token: &str,
        now: OffsetDateTime,
        nonces: &mut dyn NonceLog,
    ) -> Result<Verified, VerifyError> {
        let prepared = self.prepare(token)?;
        check_signature(&prepared.parts, &prepared.verifying, &prepared.header.kid)?;
        self.finish(prepared, now, nonces)
    }

    /// Verifies many messages, each with the result [`Verifier::verify`] would give it
    /// in this order (a message repeated in the batch is a replay the second time). The
    /// signatures are checked together with Ed25519 batch verification; when the batch
    /// fails, each is checked alone to find which. Batch verification accepts exactly
    /// the signatures that single verification accepts, except signatures built with
    /// small-order components, which only the key's holder can make.
    pub fn verify_batch(
        &mut self,
        tokens: &[&str],
        now: OffsetDateTime,
        nonces: &mut dyn NonceLog,
    ) -> Vec<Result<Verified, VerifyError>> {
        let prepared: Vec<Result<Prepared<'_, 'd>, VerifyError>> =
            tokens.iter().map(|t| self.prepare(t)).collect();
        let ready: Vec<&Prepared<'_, 'd>> =
            prepared.iter().filter_map(|p| p.as_ref().ok()).collect();
        let messages: Vec<&[u8]> = ready
            .iter()
            .map(|p| p.parts.signing_input.as_bytes())
            .collect();
        let signatures: Vec<Signature> = ready
            .iter()
            .map(|p| Signature::from_bytes(&p.parts.signature))
            .collect();
        let keys: Vec<VerifyingKey> = ready.iter().map(|p| p.verifying).collect();
        let all_good =
            !ready.is_empty() && ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok();
        prepared
            .into_iter()
            .map(|p| {
                let p = p?;
                if !all_good {
                    check_signature(&p.parts, &p.verifying, &p.header.kid)?;
                }
                self.finish(p, now, nonces)
            })
            .collect()
    }

    /// The key a `kid` names, decompressed once.
    fn key(
        &mut self,
        kid: &str,
    ) -> Result<
        (
            &'d crate::directory::Organisation,
            &'d PublicKey,
            VerifyingKey,
        ),
        VerifyError,
    > {
        let (org, key) = find_entry(self.directory, kid)?;
        let verifying = self
            .keys
            .entry(kid.to_owned())
            .or_insert_with(|| {
                decode_x(&key.x)
                    .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
                    .ok_or_else(|| VerifyError::UnknownKey {
                        kid: kid.to_owned(),
                        why: "the directory's public key for it is not a valid Ed25519 key"
                            .to_owned(),
                    })
            })
            .clone()?;
        Ok((org, key, verifying))
    }

    /// Steps 1 and 2: the token's shape and the key it names.
    fn prepare<'t>(&mut self, token: &'t str) -> Result<Prepared<'t, 'd>, VerifyError> {
        let parts = split(token)?;
        let header = parse_header(&parts.header_bytes)?;
        let (org, key, verifying) = self.key(&header.kid)?;
        Ok(Prepared {
            parts,
            header,
            org,
            key,
            verifying,
        })
    }

    /// Steps 4 to 6, once the signature checked: the payload, the times, the nonce.
    fn finish(
        &self,
        prepared: Prepared<'_, 'd>,
        now: OffsetDateTime,
        nonces: &mut dyn NonceLog,
    ) -> Result<Verified, VerifyError> {
        let Prepared {
            parts,
            header,
            org,
            key,
            ..
        } = prepared;
        // 4. What was signed.
        let payload = parse_payload(&parts.payload_bytes, header.typ.as_deref())?;
        if payload.issuer() != org.id {
            return Err(VerifyError::IssuerMismatch {
                kid: header.kid,
                signer: org.id.clone(),
                issuer: payload.issuer().to_owned(),
            });
        }
        if payload.recipient() != self.recipient {
            return Err(VerifyError::WrongRecipient {
                recipient: payload.recipient().to_owned(),
                expected: self.recipient.to_owned(),
            });
        }
        // 5. Times: the key's revocation and validity, then the message's own.
        let issued_at = payload.issued_at();
        if let Some(revoked) = &key.revoked {
            let when = if issued_at >= revoked.at {
                Some(RevokedWhen::SignedAfterRevocation)
            } else if now >= revoked.at {
                Some(RevokedWhen::RevokedNow)
            } else {
                None
            };
            if let Some(when) = when {
                return Err(VerifyError::KeyRevoked {
                    kid: header.kid,
                    at: revoked.at,
                    reason: revoked.reason.clone(),
                    when,
                });
            }
        }
        if issued_at < key.not_before || key.not_after.is_some_and(|after| issued_at > after) {
            return Err(VerifyError::KeyExpired {
                kid: header.kid,
                issued_at,
                not_before: key.not_before,
                not_after: key.not_after,
            });
        }
        if issued_at > now + CLOCK_SKEW {
            return Err(VerifyError::NotYetValid { issued_at, now });
        }
        let expires_at = payload.expires_at();
        if expires_at <= now {
            return Err(VerifyError::Expired { expires_at, now });
        }
        // 6. Nonce, last.
        if !nonces.first_use(payload.issuer(), payload.nonce(), expires_at) {
            return Err(VerifyError::Replayed {
                issuer: payload.issuer().to_owned(),
                nonce: payload.nonce().to_owned(),
            });
        }
        Ok(Verified {
            signer: org.id.clone(),
            signer_name: org.name.clone(),
            kid: header.kid,
            payload,
        })
    }
}
