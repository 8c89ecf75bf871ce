//! Webhooks: the compact JWS POSTed as `application/jose` (RFC 7515 section 9.2.1),
//! retried with exponential backoff on a connection failure, a timeout, 408, 429 or a 5xx.

use std::time::Duration;

use crate::Outcome;

/// How hard to try one webhook.
#[derive(Debug, Clone)]
pub struct WebhookPolicy {
    /// Tries in all (at least 1).
    pub attempts: u32,
    /// The wait before the second try; doubled before each next one.
    pub first_backoff: Duration,
    /// The longest wait between tries.
    pub max_backoff: Duration,
    /// For each try, connect and answer.
    pub timeout: Duration,
}

impl Default for WebhookPolicy {
    fn default() -> WebhookPolicy {
        WebhookPolicy {
            attempts: 5,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }
}

impl WebhookPolicy {
    /// The wait after try `n` (1-based) failed.
    pub fn backoff(&self, n: u32) -> Duration {
        let factor = 2u32.saturating_pow(n.saturating_sub(1));
        self.first_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// POSTs `jws` to `url`, with `ack_link` (the one-time acknowledgement URL, when there is
/// one) in a `Link: <URL>; rel="ack"` header, retrying as `policy` says.
pub fn post(url: &str, jws: &str, ack_link: Option<&str>, policy: &WebhookPolicy) -> Outcome {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(policy.timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let attempts = policy.attempts.max(1);
    let mut error = String::new();
    for n in 1..=attempts {
        let mut request = agent
            .post(url)
            .header("Content-Type", "application/jose")
            .header("User-Agent", "lifeline-notify");
        if let Some(link) = ack_link {
            request = request.header("Link", &format!("<{link}>; rel=\"ack\""));
        }
        let retry = match request.send(jws) {
            Ok(response) => {
                let status = response.status().as_u16();
                if (200..300).contains(&status) {
                    return Outcome::Delivered { attempts: n };
                }
                error = format!("HTTP {status}");
                status == 408 || status == 429 || status >= 500
            }
            Err(e) => {
                error = e.to_string();
                true
            }
        };
        if !retry {
            return Outcome::Failed { attempts: n, error };
        }
        if n < attempts {
            std::thread::sleep(policy.backoff(n));
        }
    }
    Outcome::Failed { attempts, error }
}
