//! Who is calling: a bearer token (`Authorization: Bearer llt_...`) for programs, the same
//! token as the password of HTTP Basic with the token's user name (`Authorization: Basic`,
//! which most TAXII clients speak), or a session cookie for browsers, which must also send its CSRF token on every request that
//! changes something. Every handler takes a [`Caller`] and checks its role; reads go
//! through the store with [`Caller::access`], so another organisation's rows are never
//! returned, whatever the id.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use lifeline_store::{Access, Credentials, Principal, Role, User};

use crate::AppState;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "lifeline_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub credentials: Credentials,
}

impl Caller {
    pub fn access(&self) -> Access {
        self.user.access()
    }

    /// Refuses a caller whose role is below `needed` (a partner is below every role).
    pub fn require(&self, needed: Role) -> Result<(), ApiError> {
        if self.user.role.at_least(needed) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this needs the {needed} role; `{}` is {}",
                lifeline_text::escaped(&self.user.name),
                self.user.role
            )))
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// HTTP Basic credentials (RFC 7617): the user name and the password, which lifeline takes
/// to be an API token of that user.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine as _;
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Compares secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let principal: Principal = if let Some(token) = bearer(&parts.headers) {
            state
                .store
                .authenticate_token(token)
                .await?
                .ok_or_else(|| ApiError::unauthorized("the token is unknown, expired or revoked"))?
        } else if let Some((name, token)) = basic(&parts.headers) {
            // The token must be the named user's: a token alone would do, but a name that
            // does not match it is a mistake worth refusing.
            state
                .store
                .authenticate_token(&token)
                .await?
                .filter(|p| same_secret(&p.user.name, &name))
                .ok_or_else(|| {
                    ApiError::unauthorized(
                        "Basic: the password must be an API token of the named user, \
                         unexpired and not revoked",
                    )
                })?
        } else if let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) {
            let principal = state
                .store
                .authenticate_session(secret)
                .await?
                .ok_or_else(|| ApiError::unauthorized("the session has ended: log in again"))?;
            if let Credentials::Session { csrf, .. } = &principal.credentials {
                let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
                let sent = parts
                    .headers
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                if !safe && !same_secret(sent, csrf) {
                    return Err(ApiError::forbidden(format!(
                        "a change made with a session cookie needs the `{CSRF_HEADER}` header \
                         the login returned"
                    )));
                }
            }
            principal
        } else {
            return Err(ApiError::unauthorized(
                "log in, or send `Authorization: Bearer TOKEN` (or Basic: user name and token)",
            ));
        };
        Ok(Caller {
            user: principal.user,
            credentials: principal.credentials,
        })
    }
}

/// The client's address, where the server knows it.
pub fn client_ip(parts: &axum::http::Extensions) -> Option<IpAddr> {
    parts
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// Who tries to log in: the client's address and the user name, lower-cased.
type LoginKey = (Option<IpAddr>, String);

/// Failed logins per (client address, user name) in a sliding window: past the limit, the
/// next attempts are refused with 429 until the window has room again. In memory: a
/// restart forgets, which an attacker gains nothing from that a new address would not give.
pub struct LoginLimiter {
    limit: u32,
    window: Duration,
    failures: Mutex<HashMap<LoginKey, Vec<Instant>>>,
}

impl LoginLimiter {
    pub fn new(limit: u32, window: Duration) -> LoginLimiter {
        LoginLimiter {
            limit: limit.max(1),
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait before `name` may try again from `ip`, or `None`. One address is
    /// also limited across all names (ten times the per-name limit), against trying one
    /// password on many accounts.
    pub fn blocked(&self, ip: Option<IpAddr>, name: &str) -> Option<u64> {
        let mut map = self.failures.lock().ok()?;
        let now = Instant::now();
        let per_name = self.wait(&mut map, (ip, name.to_lowercase()), self.limit, now);
        let per_address = ip.and_then(|ip| {
            self.wait(
                &mut map,
                (Some(ip), String::new()),
                self.limit.saturating_mul(10),
                now,
            )
        });
        per_name.max(per_address)
    }

    /// Seconds until `key` has fewer than `limit` failures in the window, or `None`.
    fn wait(
        &self,
        map: &mut HashMap<LoginKey, Vec<Instant>>,
        key: LoginKey,
        limit: u32,
        now: Instant,
    ) -> Option<u64> {
        let times = map.get_mut(&key)?;
        times.retain(|t| now.duration_since(*t) < self.window);
        if times.len() < limit as usize {
            return None;
        }
        let oldest = times.first().copied()?;
        Some(
            self.window
                .saturating_sub(now.duration_since(oldest))
                .as_secs()
                .max(1),
        )
    }

    pub fn failed(&self, ip: Option<IpAddr>, name: &str) {
        if let Ok(mut map) = self.failures.lock() {
            // Bound the table: forget everyone when it grows past 100k keys.
            if map.len() > 100_000 {
                map.clear();
            }
            let now = Instant::now();
            map.entry((ip, name.to_lowercase())).or_default().push(now);
            if ip.is_some() {
                map.entry((ip, String::new())).or_default().push(now);
            }
        }
    }

    /// Clears the failures of `name` from `ip` (those counted against the address stay).
    pub fn succeeded(&self, ip: Option<IpAddr>, name: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&(ip, name.to_lowercase()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_blocks_after_the_limit_and_forgets_on_success() {
        let limiter = LoginLimiter::new(3, Duration::from_secs(60));
        let ip = Some(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..3 {
            assert_eq!(limiter.blocked(ip, "Alice"), None);
            limiter.failed(ip, "alice");
        }
        assert!(limiter.blocked(ip, "alice").is_some());
        // Another address is not blocked.
        assert_eq!(limiter.blocked(None, "alice"), None);
        // One address trying many names is blocked across them, past ten times the limit.
        let sprayer = Some(IpAddr::from([10, 0, 0, 9]));
        for n in 0..30 {
            assert_eq!(limiter.blocked(sprayer, &format!("user{n}")), None, "{n}");
            limiter.failed(sprayer, &format!("user{n}"));
        }
        assert!(limiter.blocked(sprayer, "someone-new").is_some());
        limiter.succeeded(ip, "ALICE");
        assert_eq!(limiter.blocked(ip, "alice"), None);
    }

    #[test]
    fn cookies_and_secrets() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "a=1; lifeline_session=xyz; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("xyz"));
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
