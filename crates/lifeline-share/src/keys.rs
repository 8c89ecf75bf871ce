//! Ed25519 key pairs as JSON Web Keys (RFC 8037 §2: `kty` `OKP`, `crv` `Ed25519`, `x` the
//! public key, `d` the private key, both base64url without padding), and the directory
//! edits that publish, rotate and revoke public keys.
//!
//! No randomness of its own: a key pair is made from 32 seed bytes the caller draws (the
//! CLI from the operating system). A key is named `ORG/ID` (its JWS `kid`): the id of the
//! organisation that signs with it, a slash, and the key's id in that organisation's
//! `keys` list. Key ids hold no slash, so the last slash of a `kid` splits it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer as _, SigningKey};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::directory::{Directory, PublicKey, Revocation};

/// The largest private JWK file read, in bytes: a real one is about 200.
pub const MAX_JWK_BYTES: usize = 16 * 1024;

/// An Ed25519 key pair of one organisation. Its `Debug` never shows the private key.
#[derive(Clone)]
pub struct KeyPair {
    org: String,
    id: String,
    signing: SigningKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("kid", &self.kid())
            .field("x", &self.x())
            .finish_non_exhaustive()
    }
}

/// Why a key or a key edit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the JWK is not valid JSON: {0}")]
    JwkSyntax(String),
    #[error("the JWK is {0} bytes, over the limit of {MAX_JWK_BYTES}")]
    JwkTooLarge(usize),
    #[error("JWK field `{field}`: {message}")]
    JwkField {
        field: &'static str,
        message: String,
    },
    #[error(
        "JWK field `x` does not match the public key of `d`: the file is corrupt or was edited"
    )]
    JwkMismatch,
    #[error("`{}` is not a key name: write ORGANISATION/KEY (a `kid`)", lifeline_text::excerpt(.0))]
    BadKid(String),
    #[error("`{}` is not a usable {what} id: {why}", lifeline_text::excerpt(.id))]
    BadId {
        what: &'static str,
        id: String,
        why: &'static str,
    },
    #[error("organisation `{}` is not in the directory", lifeline_text::excerpt(.0))]
    UnknownOrganisation(String),
    #[error("organisation `{}` has no key `{}`", lifeline_text::excerpt(.org), lifeline_text::excerpt(.key))]
    UnknownKey { org: String, key: String },
    #[error("organisation `{}` already has a key `{}`", lifeline_text::excerpt(.org), lifeline_text::excerpt(.key))]
    DuplicateKey { org: String, key: String },
    #[error("organisation `{}` already lists this public key as `{}`", lifeline_text::excerpt(.org), lifeline_text::excerpt(.key))]
    SamePublicKey { org: String, key: String },
    #[error("key `{}/{}` is already revoked (since {at})", lifeline_text::excerpt(.org), lifeline_text::excerpt(.key))]
    AlreadyRevoked {
        org: String,
        key: String,
        at: String,
    },
    #[error("a revocation needs a reason")]
    NoReason,
}

/// Checks an organisation or key id: not empty, no slash (in a key id), no control or
/// invisible character, no surrounding space.
fn check_id(what: &'static str, id: &str, slash_allowed: bool) -> Result<(), KeyError> {
    let bad = |why| {
        Err(KeyError::BadId {
            what,
            id: id.to_owned(),
            why,
        })
    };
    if id.trim().is_empty() {
        return bad("it is empty");
    }
    if id.trim() != id {
        return bad("it starts or ends with a space");
    }
    if !slash_allowed && id.contains('/') {
        return bad("a key id may not hold `/`");
    }
    if id.chars().any(lifeline_text::is_unsafe) {
        return bad("it holds a control or invisible character");
    }
    Ok(())
}

/// Splits a `kid` (`ORG/ID`) at its last slash.
pub fn split_kid(kid: &str) -> Option<(&str, &str)> {
    let (org, id) = kid.rsplit_once('/')?;
    (!org.is_empty() && !id.is_empty()).then_some((org, id))
}

/// base64url without padding (RFC 7515 §2).
pub(crate) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url without padding into exactly `N` bytes.
pub(crate) fn b64_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    // 32 bytes are 43 characters; refuse anything far longer before decoding it.
    if text.len() > N.div_ceil(3) * 4 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    bytes.try_into().ok()
}

/// Decodes a public key's `x`: `None` unless it is base64url of exactly 32 bytes.
pub fn decode_x(x: &str) -> Option<[u8; 32]> {
    b64_array::<32>(x)
}

impl KeyPair {
    /// The key pair whose private key (RFC 8032's 32-byte secret) is `seed`. Draw the
    /// seed from a cryptographically secure source (the CLI uses the operating system's).
    pub fn from_seed(org: &str, id: &str, seed: [u8; 32]) -> Result<KeyPair, KeyError> {
        check_id("organisation", org, true)?;
        check_id("key", id, false)?;
        Ok(KeyPair {
            org: org.to_owned(),
            id: id.to_owned(),
            signing: SigningKey::from_bytes(&seed),
        })
    }

    /// The organisation that signs with it.
    pub fn org(&self) -> &str {
        &self.org
    }

    /// The key's id within its organisation.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `ORG/ID`: the JWS `kid`.
    pub fn kid(&self) -> String {
        format!("{}/{}", self.org, self.id)
    }

    /// The public key, base64url (a JWK's `x`).
    pub fn x(&self) -> String {
        b64(self.signing.verifying_key().as_bytes())
    }

    /// The public key as a directory entry, valid from `not_before`, open-ended.
    pub fn public(&self, not_before: OffsetDateTime) -> PublicKey {
        PublicKey {
            id: self.id.clone(),
            x: self.x(),
            not_before,
            not_after: None,
            revoked: None,
        }
    }

    /// The private JWK (RFC 8037 §2): `{"kty":"OKP","crv":"Ed25519","kid":..,"x":..,"d":..}`.
    /// Whoever holds it can sign as the organisation: keep the file private.
    pub fn to_jwk(&self) -> String {
        let mut jwk = self.public_jwk_map();
        jwk.insert("d".into(), Value::String(b64(self.signing.as_bytes())));
        Value::Object(jwk).to_string()
    }

    /// The public JWK: the same without `d`.
    pub fn public_jwk(&self) -> String {
        Value::Object(self.public_jwk_map()).to_string()
    }

    fn public_jwk_map(&self) -> Map<String, Value> {
        let mut jwk = Map::new();
        jwk.insert("kty".into(), "OKP".into());
        jwk.insert("crv".into(), "Ed25519".into());
        jwk.insert("kid".into(), Value::String(self.kid()));
        jwk.insert("x".into(), Value::String(self.x()));
        jwk
    }

    /// Reads a private JWK written by [`KeyPair::to_jwk`] (or any RFC 8037 Ed25519 private
    /// JWK with a `kid` of the form `ORG/ID`). `x`, when present, must match `d`.
    pub fn from_jwk(text: &str) -> Result<KeyPair, KeyError> {
        if text.len() > MAX_JWK_BYTES {
            return Err(KeyError::JwkTooLarge(text.len()));
        }
        let value: Value = serde_json::from_str(text).map_err(|e| {
            KeyError::JwkSyntax(lifeline_text::excerpt_to(&e.to_string(), 200).into_owned())
        })?;
        let Value::Object(jwk) = value else {
            return Err(KeyError::JwkSyntax("expected a JSON object".into()));
        };
        let field = |name: &'static str| -> Result<&str, KeyError> {
            match jwk.get(name) {
                Some(Value::String(s)) => Ok(s),
                Some(_) => Err(KeyError::JwkField {
                    field: name,
                    message: "expected a string".into(),
                }),
                None => Err(KeyError::JwkField {
                    field: name,
                    message: "missing".into(),
                }),
            }
        };
        let expect = |name: &'static str, want: &str| -> Result<(), KeyError> {
            let got = field(name)?;
            if got == want {
                Ok(())
            } else {
                Err(KeyError::JwkField {
                    field: name,
                    message: format!("expected `{want}`, found `{}`", lifeline_text::excerpt(got)),
                })
            }
        };
        expect("kty", "OKP")?;
        expect("crv", "Ed25519")?;
        let kid = field("kid")?;
        let (org, id) = split_kid(kid).ok_or_else(|| KeyError::BadKid(kid.to_owned()))?;
        let d = field("d")?;
        let seed = b64_array::<32>(d).ok_or(KeyError::JwkField {
            field: "d",
            message: "expected 32 bytes in base64url without padding".into(),
        })?;
        let pair = KeyPair::from_seed(org, id, seed)?;
        match jwk.get("x") {
            None => {}
            Some(Value::String(x)) if *x == pair.x() => {}
            Some(Value::String(_)) => return Err(KeyError::JwkMismatch),
            Some(_) => {
                return Err(KeyError::JwkField {
                    field: "x",
                    message: "expected a string".into(),
                });
            }
        }
        Ok(pair)
    }

    /// The 64-byte Ed25519 signature of `message` (RFC 8032 §5.1.6).
    pub fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

fn organisation_mut<'a>(
    directory: &'a mut Directory,
    org: &str,
) -> Result<&'a mut crate::directory::Organisation, KeyError> {
    directory
        .organisations
        .iter_mut()
        .find(|o| o.id == org)
        .ok_or_else(|| KeyError::UnknownOrganisation(org.to_owned()))
}

/// Publishes `key` in organisation `org`'s key list. Refused when the organisation is
/// unknown, the key id is taken or malformed, or the same public key is already listed.
pub fn add(directory: &mut Directory, org: &str, key: PublicKey) -> Result<(), KeyError> {
    check_id("key", &key.id, false)?;
    let organisation = organisation_mut(directory, org)?;
    if organisation.keys.iter().any(|k| k.id == key.id) {
        return Err(KeyError::DuplicateKey {
            org: org.to_owned(),
            key: key.id,
        });
    }
    if let Some(same) = organisation.keys.iter().find(|k| k.x == key.x) {
        return Err(KeyError::SamePublicKey {
            org: org.to_owned(),
            key: same.id.clone(),
        });
    }
    organisation.keys.push(key);
    Ok(())
}

/// Rotates organisation `org`'s keys: publishes `new` (valid from `now`) and ends every
/// current key (not revoked, not already ended before `now + overlap`) at `now +
/// overlap`, so that alerts signed just before the rotation still verify for a while.
/// Returns the ids of the keys that were given an end.
pub fn rotate(
    directory: &mut Directory,
    org: &str,
    new: PublicKey,
    now: OffsetDateTime,
    overlap: time::Duration,
) -> Result<Vec<String>, KeyError> {
    check_id("key", &new.id, false)?;
    let end = now.saturating_add(overlap.max(time::Duration::ZERO));
    {
        let organisation = organisation_mut(directory, org)?;
        if organisation.keys.iter().any(|k| k.id == new.id) {
            return Err(KeyError::DuplicateKey {
                org: org.to_owned(),
                key: new.id,
            });
        }
    }
    let new_id = new.id.clone();
    add(directory, org, new)?;
    let organisation = organisation_mut(directory, org)?;
    let mut ended = Vec::new();
    for key in organisation.keys.iter_mut().filter(|k| k.id != new_id) {
        if key.revoked.is_some() || key.not_after.is_some_and(|after| after <= end) {
            continue;
        }
        key.not_after = Some(end);
        ended.push(key.id.clone());
    }
    Ok(ended)
}

/// Revokes key `key` of organisation `org` from `at` on: nothing it signed at or after
/// `at` verifies, and nothing at all once `at` has passed (see [`crate::jws::verify`]).
pub fn revoke(
    directory: &mut Directory,
    org: &str,
    key: &str,
    at: OffsetDateTime,
    reason: &str,
) -> Result<(), KeyError> {
    if reason.trim().is_empty() {
        return Err(KeyError::NoReason);
    }
    let organisation = organisation_mut(directory, org)?;
    let entry = organisation
        .keys
        .iter_mut()
        .find(|k| k.id == key)
        .ok_or_else(|| KeyError::UnknownKey {
            org: org.to_owned(),
            key: key.to_owned(),
        })?;
    if let Some(previous) = &entry.revoked {
        return Err(KeyError::AlreadyRevoked {
            org: org.to_owned(),
            key: key.to_owned(),
            at: crate::jws::rfc3339(previous.at),
        });
    }
    entry.revoked = Some(Revocation {
        at,
        reason: reason.trim().to_owned(),
    });
    Ok(())
}
