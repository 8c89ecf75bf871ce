//! `lifeline serve`, `lifeline admin ...` and `lifeline audit verify`: the shared service
//! and the operator's commands on its database. The server is `lifeline-server`; the
//! commands here parse flags and call it or `lifeline-store`.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use lifeline_server::{Config, LogFormat};
use lifeline_store::{Keyring, Role, Store};

use crate::Exit;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Settings file (TOML; see docs/lifeline.toml)
    #[arg(long)]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long)]
    listen: Option<String>,
    #[command(flatten)]
    database: DatabaseArgs,
    /// TLS certificate chain (PEM); with --tls-key, the server speaks HTTPS only
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM)
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Log lines as JSON instead of text
    #[arg(long)]
    log_json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database: `sqlite:///path/file.db` or `postgres://user:password@host/db`
    /// [default: $LIFELINE_DATABASE_URL, else lifeline.db in $XDG_DATA_HOME/lifeline or
    /// ~/.local/share/lifeline]
    #[arg(long, global = true)]
    database: Option<String>,
    /// Key file for the fields encrypted at rest [default: lifeline.key beside a SQLite
    /// database, else in the data folder; created when missing]
    #[arg(long, global = true)]
    key_file: Option<PathBuf>,
}

impl DatabaseArgs {
    fn config(&self, config: Option<&PathBuf>) -> anyhow::Result<Config> {
        let mut settings = match config {
            Some(path) => Config::read(path)?,
            None => Config::default(),
        };
        if let Some(url) = &self.database {
            settings.database = Some(url.clone());
        }
        if let Some(path) = &self.key_file {
            settings.key_file = Some(path.clone());
        }
        Ok(settings)
    }
}

pub fn serve(args: &ServeArgs) -> anyhow::Result<Exit> {
    let mut config = args.database.config(args.config.as_ref())?;
    if let Some(listen) = &args.listen {
        config.listen = Some(listen.clone());
    }
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        config.tls = Some(lifeline_server::config::TlsConfig {
            cert: cert.clone(),
            key: key.clone(),
        });
    }
    if args.log_json {
        config.log.format = LogFormat::Json;
    }
    lifeline_server::init_logging(config.log.format);
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    runtime()?.block_on(async {
        lifeline_server::serve(&config, shutdown_signal(), |addr, setup| {
            errln!("lifeline: listening on {scheme}://{addr}");
            if let Some(token) = setup {
                errln!(
                    "lifeline: no user yet. Create the first admin with `lifeline admin \
                     create-org` and `create-user`, or POST /api/v1/setup with this one-time \
                     setup token: {token}"
                );
            }
        })
        .await
    })?;
    Ok(Exit::Success)
}

/// The async runtime the commands that talk to the database run on.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Ctrl-C or SIGTERM (what systemd sends).
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create an organisation
    CreateOrg {
        /// Its name, unique in this service
        name: String,
    },
    /// Create a user; the password is read from standard input (the first line)
    CreateUser {
        /// The organisation's name
        #[arg(long)]
        org: String,
        /// The user's name, unique in this service
        #[arg(long)]
        name: String,
        /// admin, analyst, viewer or partner
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A phone number or mail address for escalations (stored encrypted)
        #[arg(long)]
        contact: Option<String>,
    },
    /// Create an API token for a user and print it (once: only its digest is kept)
    CreateToken {
        #[arg(long)]
        user: String,
        /// Days until it expires [default: never]
        #[arg(long)]
        expires_days: Option<u32>,
        /// What it is for
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke an API token by its id (`tok_...`)
    RevokeToken { id: String },
    /// List organisations, or the users and tokens of one
    List {
        /// The organisation whose users and tokens to list
        #[arg(long)]
        org: Option<String>,
    },
    /// Copy the SQLite database, consistent as of one moment, while the server runs
    Backup {
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace the SQLite database with a backup (stop the server first); the backup's
    /// audit chain is verified before anything is replaced
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// Encrypt every sensitive field with a new key and retire the old ones (stop the
    /// server first; it holds the key file in memory)
    RotateKey,
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the whole chain; name the first edited, inserted or deleted entry (exit 2)
    Verify,
}

/// The actor the audit log records for the operator's commands.
const ADMIN_ACTOR: &str = "admin-cli";

async fn open(database: &DatabaseArgs) -> anyhow::Result<(Config, Store)> {
    let config = database.config(None)?;
    let store = lifeline_server::open_store(&config).await?;
    Ok((config, store))
}

fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("password: ").context("cannot read the password")?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    };
    Ok(password)
}

pub fn admin(args: &AdminArgs) -> anyhow::Result<Exit> {
    runtime()?.block_on(async {
        match &args.command {
            AdminCommand::Restore { from } => return restore(&args.database, from).await,
            AdminCommand::RotateKey => return rotate_key(&args.database).await,
            _ => {}
        }
        let (_, store) = open(&args.database).await?;
        match &args.command {
            AdminCommand::CreateOrg { name } => {
                let org = store.create_org(name, ADMIN_ACTOR).await?;
                errln!("created organisation `{}` ({})", org.name, org.id);
            }
            AdminCommand::CreateUser {
                org,
                name,
                role,
                contact,
            } => {
                let password = read_password()?;
                let user = store
                    .create_user(org, name, *role, &password, contact.as_deref(), ADMIN_ACTOR)
                    .await?;
                errln!(
                    "created {} `{}` in `{}` ({})",
                    user.role,
                    user.name,
                    user.org_name,
                    user.id
                );
            }
            AdminCommand::CreateToken {
                user,
                expires_days,
                label,
            } => {
                let token = store
                    .create_token(user, label, *expires_days, ADMIN_ACTOR)
                    .await?;
                let mut out = crate::output::stdout();
                outln!(out, "{}", token.secret)?;
                out.flush()?;
                errln!(
                    "token {} for `{user}`{}: shown once, keep it secret",
                    token.id,
                    token
                        .expires_at
                        .map(|t| format!(", expires {}", lifeline_store::rfc3339(t)))
                        .unwrap_or_default()
                );
            }
            AdminCommand::RevokeToken { id } => {
                store.revoke_token(None, None, id, ADMIN_ACTOR).await?;
                errln!("revoked {id}");
            }
            AdminCommand::List { org } => list(&store, org.as_deref()).await?,
            AdminCommand::Backup { to } => {
                store.backup(to).await?;
                errln!("backed up to `{}`", to.display());
            }
            AdminCommand::Restore { .. } | AdminCommand::RotateKey => {}
        }
        store.close().await;
        Ok(Exit::Success)
    })
}

async fn list(store: &Store, org: Option<&str>) -> anyhow::Result<()> {
    let mut out = crate::output::stdout();
    let Some(name) = org else {
        for org in store.orgs().await? {
            outln!(out, "{}  {}", org.id, org.name)?;
        }
        out.flush()?;
        return Ok(());
    };
    let org = store
        .org_by_name(name)
        .await?
        .with_context(|| format!("no organisation `{name}`"))?;
    for user in store.users(&org.id).await? {
        outln!(out, "user   {}  {}  {}", user.id, user.name, user.role)?;
    }
    for token in store.tokens(&org.id, None).await? {
        let state = match (token.revoked_at, token.expires_at) {
            (Some(_), _) => "revoked".to_owned(),
            (None, Some(t)) => format!("expires {}", lifeline_store::rfc3339(t)),
            (None, None) => "active".to_owned(),
        };
        outln!(
            out,
            "token  {}  {}  {}  {}",
            token.id,
            token.user_name,
            state,
            token.label
        )?;
    }
    out.flush()?;
    Ok(())
}

async fn rotate_key(database: &DatabaseArgs) -> anyhow::Result<Exit> {
    let config = database.config(None)?;
    let path = config.key_path()?;
    let mut keyring = Keyring::open(&path)?;
    let store = Store::open(&config.database_url()?).await?;
    let count = store.rotate_key(&mut keyring).await?;
    store.close().await;
    errln!(
        "re-encrypted {count} value(s) with key {}; `{}` now holds only that key",
        keyring.current_id(),
        path.display()
    );
    Ok(Exit::Success)
}

async fn restore(database: &DatabaseArgs, from: &std::path::Path) -> anyhow::Result<Exit> {
    let config = database.config(None)?;
    let url = config.database_url()?;
    let target = lifeline_store::sqlite_path(&url)
        .context("restore replaces a SQLite database; restore PostgreSQL with pg_restore")?;
    if !from.is_file() {
        anyhow::bail!("`{}` is not a file", from.display());
    }
    // Check a copy, so that the backup itself is not changed by the check.
    let scratch = target.with_extension("restore");
    std::fs::copy(from, &scratch).with_context(|| format!("cannot copy `{}`", from.display()))?;
    let checked = async {
        let store = Store::open(&lifeline_store::sqlite_url(&scratch)).await?;
        let verdict = store.verify_audit().await?;
        store.close().await;
        anyhow::Ok(verdict)
    }
    .await;
    let verdict = match checked {
        Ok(verdict) => verdict,
        Err(e) => {
            let _ = std::fs::remove_file(&scratch);
            return Err(e.context(format!("`{}` is not a lifeline database", from.display())));
        }
    };
    if let Err(tamper) = verdict {
        let _ = std::fs::remove_file(&scratch);
        errln!(
            "error: `{}`: the audit chain does not hold: {tamper}",
            from.display()
        );
        return Ok(Exit::Error);
    }
    for suffix in ["-wal", "-shm"] {
        let mut side = target.clone().into_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::rename(&scratch, &target)
        .with_context(|| format!("cannot replace `{}`", target.display()))?;
    errln!("restored `{}` from `{}`", target.display(), from.display());
    Ok(Exit::Success)
}

pub fn audit(args: &AuditArgs) -> anyhow::Result<Exit> {
    match args.command {
        AuditCommand::Verify => runtime()?.block_on(async {
            let config = args.database.config(None)?;
            let store = Store::open(&config.database_url()?).await?;
            let verdict = store.verify_audit().await?;
            store.close().await;
            match verdict {
                Ok(report) => {
                    let mut out = crate::output::stdout();
                    outln!(
                        out,
                        "audit log holds: {} entries, head {}",
                        report.entries,
                        report.head
                    )?;
                    out.flush()?;
                    Ok(Exit::Success)
                }
                Err(tamper) => {
                    errln!("error: the audit log was tampered with: {tamper}");
                    Ok(Exit::Error)
                }
            }
        }),
    }
}
