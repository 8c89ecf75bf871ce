//! The server's settings: a TOML file (`docs/lifeline.toml` is a commented sample), then
//! command-line flags over it, then defaults that need nothing installed.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on (default 127.0.0.1:8080).
    pub listen: Option<String>,
    /// `sqlite:///path/lifeline.db` or `postgres://user:password@host/db`.
    pub database: Option<String>,
    /// The key file for fields encrypted at rest (default: `lifeline.key` in the data
    /// folder; created at first start).
    pub key_file: Option<PathBuf>,
    pub tls: Option<TlsConfig>,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub log: LogConfig,
    /// Mark the session cookie `Secure` (default true; browsers accept it on
    /// http://localhost and http://127.0.0.1).
    pub cookie_secure: Option<bool>,
    /// How long a browser session lasts (default 12 hours).
    pub session_hours: Option<u32>,
    /// Alerts to partners: the SMTP relay, ack links, the escalation worker.
    #[serde(default)]
    pub notify: NotifyConfig,
}

/// `[notify]`: how `lifeline serve` reaches partners. Secrets come from a file or an
/// environment variable named here, never from this file, and are never logged.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// The address partners open acknowledgement links at (`https://lifeline.example.org`);
    /// without it, alerts carry no link and are acknowledged by signed reply only.
    pub public_url: Option<String>,
    /// Seconds between the escalation worker's passes (default 60; 0 turns it off).
    pub interval_seconds: Option<u64>,
    /// Attempts per webhook delivery before it is recorded as failed (default 3).
    pub webhook_retries: Option<u32>,
    /// A drill's line acknowledged later than this is slow (default `15m`).
    pub drill_slow_after: Option<String>,
    pub smtp: Option<SmtpConfig>,
}

/// The SMTP relay alerts go out through.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 587 with `starttls`, 465 with `tls`, 25 with `none`.
    pub port: Option<u16>,
    /// `none`, `starttls` (default) or `tls`.
    #[serde(default)]
    pub security: SmtpSecurity,
    /// The sender address.
    pub from: String,
    pub user: Option<String>,
    /// A file holding the password (its first line).
    pub password_file: Option<PathBuf>,
    /// An environment variable holding the password.
    pub password_env: Option<String>,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("from", &self.from)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    None,
    #[default]
    Starttls,
    Tls,
}

impl SmtpConfig {
    /// The port: the setting, else the usual one for the security.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            SmtpSecurity::None => 25,
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
        })
    }

    /// The password, from its file or environment variable; `None` when neither is set.
    pub fn password(&self) -> Result<Option<String>, ConfigError> {
        if let Some(path) = &self.password_file {
            let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
                path: path.clone(),
                message: format!("the SMTP password file: {e}"),
            })?;
            return Ok(Some(text.lines().next().unwrap_or_default().to_owned()));
        }
        if let Some(name) = &self.password_env {
            return std::env::var(name).map(Some).map_err(|_| {
                ConfigError::Notify(format!(
                    "notify.smtp.password_env: the variable `{}` is not set",
                    lifeline_text::excerpt(name)
                ))
            });
        }
        Ok(None)
    }
}

impl NotifyConfig {
    /// The worker's interval; `None` when turned off.
    pub fn interval(&self) -> Option<std::time::Duration> {
        match self.interval_seconds.unwrap_or(60) {
            0 => None,
            s => Some(std::time::Duration::from_secs(s)),
        }
    }

    /// Checks what can be checked before the server starts.
    pub fn check(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.public_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(ConfigError::Notify(format!(
                "notify.public_url: `{}` is not an http(s) URL",
                lifeline_text::excerpt(url)
            )));
        }
        if let Some(text) = &self.drill_slow_after {
            text.parse::<lifeline_share::directory::Window>()
                .map_err(|e| ConfigError::Notify(format!("notify.drill_slow_after: {e}")))?;
        }
        if let Some(smtp) = &self.smtp {
            if smtp.host.trim().is_empty() {
                return Err(ConfigError::Notify("notify.smtp.host: is empty".into()));
            }
            if !smtp.from.contains('@') {
                return Err(ConfigError::Notify(format!(
                    "notify.smtp.from: `{}` is not an email address",
                    lifeline_text::excerpt(&smtp.from)
                )));
            }
            smtp.password()?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest JSON request body (default 1 MiB).
    pub body_bytes: usize,
    /// Largest uploaded document: a network, later EPCIS and SBOM files (default 64 MiB).
    pub upload_bytes: usize,
    /// Failed logins allowed per client address and user name in 15 minutes (default 10).
    pub login_failures: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body_bytes: 1 << 20,
            upload_bytes: 64 << 20,
            login_failures: 10,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    #[serde(default)]
    pub format: LogFormat,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file `{path}`: {message}")]
    File { path: PathBuf, message: String },
    #[error("listen address `{0}`: expected HOST:PORT such as 127.0.0.1:8080")]
    Listen(String),
    #[error("no data folder: set XDG_DATA_HOME or HOME, or give --database and --key-file")]
    NoDataDir,
    #[error("{0}")]
    Notify(String),
}

impl Config {
    /// Reads a config file.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let file = |message: String| ConfigError::File {
            path: path.to_owned(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| file(e.to_string()))?;
        toml::from_str(&text).map_err(|e| file(e.to_string()))
    }

    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        let text = self.listen.as_deref().unwrap_or("127.0.0.1:8080");
        text.parse()
            .map_err(|_| ConfigError::Listen(lifeline_text::excerpt(text).to_string()))
    }

    /// The database URL: the setting, else `LIFELINE_DATABASE_URL`, else the SQLite file in
    /// the data folder.
    pub fn database_url(&self) -> Result<String, ConfigError> {
        if let Some(url) = &self.database {
            return Ok(url.clone());
        }
        if let Ok(url) = std::env::var("LIFELINE_DATABASE_URL")
            && !url.is_empty()
        {
            return Ok(url);
        }
        Ok(lifeline_store::sqlite_url(&data_dir()?.join("lifeline.db")))
    }

    /// The key file: the setting, else `lifeline.key` beside a SQLite database, else in the
    /// data folder.
    pub fn key_path(&self) -> Result<PathBuf, ConfigError> {
        if let Some(path) = &self.key_file {
            return Ok(path.clone());
        }
        if let Some(db) = self
            .database_url()
            .ok()
            .as_deref()
            .and_then(lifeline_store::sqlite_path)
        {
            return Ok(db.with_file_name("lifeline.key"));
        }
        Ok(data_dir()?.join("lifeline.key"))
    }
}

/// `$XDG_DATA_HOME/lifeline`, else `~/.local/share/lifeline`.
pub fn data_dir() -> Result<PathBuf, ConfigError> {
    let nonempty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(xdg) = nonempty("XDG_DATA_HOME") {
        return Ok(PathBuf::from(xdg).join("lifeline"));
    }
    nonempty("HOME")
        .map(|home| PathBuf::from(home).join(".local/share/lifeline"))
        .ok_or(ConfigError::NoDataDir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_config_reads() {
        let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/lifeline.toml");
        if Path::new(sample).exists() {
            let config = Config::read(Path::new(sample)).unwrap();
            config.listen_addr().unwrap();
        }
        let config: Config =
            toml::from_str("listen = \"127.0.0.1:9\"\n[limits]\nbody_bytes = 10\n").unwrap();
        assert_eq!(config.limits.body_bytes, 10);
        assert_eq!(config.limits.upload_bytes, 64 << 20);
        assert!(toml::from_str::<Config>("lisen = 1").is_err());
        let notify: Config = toml::from_str(
            "[notify]\npublic_url = \"https://lifeline.example.org\"\ninterval_seconds = 0\n\
             [notify.smtp]\nhost = \"127.0.0.1\"\nsecurity = \"none\"\nfrom = \"a@example.org\"\n\
             password_env = \"LIFELINE_TEST_UNSET_VARIABLE\"\n",
        )
        .unwrap();
        assert_eq!(notify.notify.interval(), None);
        let smtp = notify.notify.smtp.as_ref().unwrap();
        assert_eq!(smtp.port(), 25);
        // The variable is not set: named, and the config is refused.
        let error = notify.notify.check().unwrap_err().to_string();
        assert!(error.contains("LIFELINE_TEST_UNSET_VARIABLE"), "{error}");
        assert!(!format!("{smtp:?}").contains("password"));
        assert!(toml::from_str::<Config>("[notify]\nsmtp_host = 1").is_err());
    }
}
