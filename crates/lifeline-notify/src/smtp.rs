//! Email through a relay: lettre's SMTP transport with rustls, connections pooled so that a
//! fan-out to thousands of contacts reuses a few connections.

use std::time::Duration;

use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport as _};
use serde::Deserialize;

use crate::{NotifyError, Outcome};

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain SMTP: only for a relay on the same machine or a trusted network.
    None,
    /// Plain SMTP upgraded with STARTTLS, required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl std::str::FromStr for Security {
    type Err = String;

    fn from_str(text: &str) -> Result<Security, String> {
        match text {
            "none" => Ok(Security::None),
            "starttls" => Ok(Security::Starttls),
            "tls" => Ok(Security::Tls),
            other => Err(format!(
                "`{}` is not a security mode: use none, starttls or tls",
                lifeline_text::excerpt(other)
            )),
        }
    }
}

/// An SMTP relay, as configured.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpRelay {
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub security: Security,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// The sender address (`Lifeline alerts <alerts@example.org>` or `alerts@example.org`).
    pub from: String,
    /// A PEM file of extra root certificates (a private relay's CA).
    #[serde(default)]
    pub ca_file: Option<String>,
    /// Connections kept open to the relay (default 8).
    #[serde(default)]
    pub connections: Option<u32>,
    /// Seconds before a command to the relay times out (default 30).
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
}

impl std::fmt::Debug for SmtpRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpRelay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl SmtpRelay {
    /// A relay with the defaults: STARTTLS, port by security, no login.
    pub fn new(host: &str, from: &str) -> SmtpRelay {
        SmtpRelay {
            host: host.to_owned(),
            port: None,
            security: Security::default(),
            user: None,
            password: None,
            from: from.to_owned(),
            ca_file: None,
            connections: None,
            timeout_seconds: None,
        }
    }

    /// Reads a relay from TOML (`host`, `port`, `security`, `user`, `password` or
    /// `password_file`, `from`, `ca_file`, `connections`, `timeout_seconds`), at the top
    /// or under `[smtp]`. `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<SmtpRelay, NotifyError> {
        #[derive(Deserialize)]
        struct Wrapped {
            smtp: toml::Value,
        }
        let config = |message: String| NotifyError::Config {
            path: origin.to_owned(),
            message,
        };
        let value: toml::Value = toml::from_str(text).map_err(|e| config(e.to_string()))?;
        let value = match value.clone().try_into::<Wrapped>() {
            Ok(w) => w.smtp,
            Err(_) => value,
        };
        let mut table = match value {
            toml::Value::Table(t) => t,
            _ => return Err(config("expected a table of SMTP settings".into())),
        };
        if let Some(file) = table.remove("password_file") {
            let file = file
                .as_str()
                .ok_or_else(|| config("password_file: expected a path".into()))?
                .to_owned();
            let password = std::fs::read_to_string(&file)
                .map_err(|e| config(format!("password_file `{file}`: {e}")))?;
            table.insert(
                "password".into(),
                toml::Value::String(password.trim_end_matches(['\r', '\n']).to_owned()),
            );
        }
        let relay: SmtpRelay = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| config(e.to_string()))?;
        relay.check()?;
        Ok(relay)
    }

    fn check(&self) -> Result<(), NotifyError> {
        if self.host.trim().is_empty() {
            return Err(NotifyError::Relay {
                field: "host",
                message: "is empty".into(),
            });
        }
        self.from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| NotifyError::Relay {
                field: "from",
                message: format!("`{}`: {e}", lifeline_text::excerpt(&self.from)),
            })?;
        if self.user.is_some() != self.password.is_some() {
            return Err(NotifyError::Relay {
                field: "user",
                message: "give both a user and a password, or neither".into(),
            });
        }
        if self.user.is_some() && self.security == Security::None && !self.is_loopback() {
            return Err(NotifyError::Relay {
                field: "security",
                message:
                    "a password is never sent in clear to another machine: use starttls or tls"
                        .into(),
            });
        }
        Ok(())
    }

    fn is_loopback(&self) -> bool {
        matches!(self.host.as_str(), "localhost" | "127.0.0.1" | "::1")
    }

    /// The port: as given, else 25, 587 or 465 by security.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::None => 25,
            Security::Starttls => 587,
            Security::Tls => 465,
        })
    }
}

/// A connection pool to one relay.
#[derive(Clone)]
pub struct Mailer {
    transport: SmtpTransport,
    from: lettre::message::Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A pool of connections to `relay` (nothing is connected until the first send).
    pub fn new(relay: &SmtpRelay) -> Result<Mailer, NotifyError> {
        relay.check()?;
        let from = relay
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| NotifyError::Relay {
                field: "from",
                message: e.to_string(),
            })?;
        let tls = match relay.security {
            Security::None => Tls::None,
            Security::Starttls => Tls::Required(tls_parameters(relay)?),
            Security::Tls => Tls::Wrapper(tls_parameters(relay)?),
        };
        let mut builder = SmtpTransport::builder_dangerous(relay.host.as_str())
            .port(relay.port())
            .tls(tls)
            .timeout(Some(Duration::from_secs(
                relay.timeout_seconds.unwrap_or(30),
            )))
            .pool_config(PoolConfig::new().max_size(relay.connections.unwrap_or(8).max(1)));
        if let (Some(user), Some(password)) = (&relay.user, &relay.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// The sender.
    pub fn from(&self) -> &lettre::message::Mailbox {
        &self.from
    }

    /// Sends one message; the relay's refusal or the connection's failure is the
    /// outcome's error (one attempt: the relay does the retrying).
    pub fn send(&self, message: &Message) -> Outcome {
        match self.transport.send(message) {
            Ok(_) => Outcome::Delivered { attempts: 1 },
            Err(e) => Outcome::Failed {
                attempts: 1,
                error: format!("SMTP: {e}"),
            },
        }
    }
}

fn tls_parameters(relay: &SmtpRelay) -> Result<TlsParameters, NotifyError> {
    let mut builder = TlsParameters::builder(relay.host.clone());
    if let Some(file) = &relay.ca_file {
        let pem = std::fs::read(file).map_err(|e| NotifyError::Relay {
            field: "ca_file",
            message: format!("`{file}`: {e}"),
        })?;
        let cert = Certificate::from_pem(&pem).map_err(|e| NotifyError::Relay {
            field: "ca_file",
            message: format!("`{file}`: {e}"),
        })?;
        builder = builder.add_root_certificate(cert);
    }
    builder.build_rustls().map_err(|e| NotifyError::Relay {
        field: "security",
        message: e.to_string(),
    })
}
