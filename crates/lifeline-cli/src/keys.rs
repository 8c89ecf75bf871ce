//! `lifeline keys generate|rotate|revoke|list`: an organisation's Ed25519 signing keys. The
//! private key goes to a JWK file readable by its owner only (mode 0600); the public key
//! is published in the partner directory, which is rewritten in place.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use lifeline_share::directory::Directory;
use lifeline_share::keys::{self, KeyPair};
use time::OffsetDateTime;

use crate::Exit;
use crate::render::{Column, Table};

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Make a new key pair: the private JWK to a file, the public key into the directory
    Generate(GenerateArgs),
    /// Replace an organisation's current keys: a new key now, the old ones end after an overlap
    Rotate(RotateArgs),
    /// Revoke a key: nothing it signed is trusted any more
    Revoke(RevokeArgs),
    /// List the keys of a directory and their state
    List(ListArgs),
}

#[derive(Debug, Args)]
struct NewKey {
    /// Partner directory file to publish the public key in (rewritten in place)
    #[arg(long)]
    directory: PathBuf,
    /// The organisation (its id in the directory) the key signs for
    #[arg(long)]
    org: String,
    /// The key's id within the organisation (default: `k` and today's date)
    #[arg(long)]
    id: Option<String>,
    /// Where to write the private JWK (created with mode 0600; never overwritten)
    #[arg(long)]
    out: PathBuf,
    /// The time to act as of, RFC 3339 (default: now)
    #[arg(long, value_parser = parse_time)]
    at: Option<OffsetDateTime>,
}

#[derive(Debug, Args)]
struct GenerateArgs {
    #[command(flatten)]
    key: NewKey,
}

#[derive(Debug, Args)]
struct RotateArgs {
    #[command(flatten)]
    key: NewKey,
    /// How long the old keys stay valid after the rotation (`7d`, `12h`)
    #[arg(long, default_value = "7d")]
    overlap: lifeline_share::directory::Window,
}

#[derive(Debug, Args)]
struct RevokeArgs {
    /// Partner directory file (rewritten in place)
    #[arg(long)]
    directory: PathBuf,
    #[arg(long)]
    org: String,
    /// The key's id within the organisation
    #[arg(long)]
    key: String,
    /// Why (kept in the directory and shown to whoever meets the key)
    #[arg(long)]
    reason: String,
    /// When the revocation takes effect, RFC 3339 (default: now)
    #[arg(long, value_parser = parse_time)]
    at: Option<OffsetDateTime>,
}

#[derive(Debug, Args)]
struct ListArgs {
    /// Partner directory file
    #[arg(long)]
    directory: PathBuf,
    /// The time to show the keys' state at, RFC 3339 (default: now)
    #[arg(long, value_parser = parse_time)]
    at: Option<OffsetDateTime>,
}

/// An RFC 3339 time argument (`2026-12-06T14:00:00Z`).
pub fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| "expected an RFC 3339 time such as 2026-12-06T14:00:00Z".to_owned())
}

pub fn run(args: &KeysArgs) -> anyhow::Result<Exit> {
    match &args.command {
        KeysCommand::Generate(args) => generate(&args.key, None),
        KeysCommand::Rotate(args) => generate(&args.key, Some(args.overlap)),
        KeysCommand::Revoke(args) => revoke(args),
        KeysCommand::List(args) => list(args),
    }
}

/// 32 bytes from the operating system's random source.
pub fn random_seed() -> anyhow::Result<[u8; 32]> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| anyhow::anyhow!("the operating system gave no random bytes: {e}"))?;
    Ok(seed)
}

fn default_id(directory: &Directory, org: &str, now: OffsetDateTime) -> String {
    let date = now.date();
    let base = format!(
        "k{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    );
    let taken = |id: &str| {
        directory
            .organisation(org)
            .is_some_and(|o| o.keys.iter().any(|k| k.id == id))
    };
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken(id))
        .unwrap_or(base)
}

fn generate(
    args: &NewKey,
    rotate: Option<lifeline_share::directory::Window>,
) -> anyhow::Result<Exit> {
    let now = args.at.unwrap_or_else(OffsetDateTime::now_utc);
    let mut directory = crate::partners::load_or_report(&args.directory)?;
    anyhow::ensure!(
        directory.organisation(&args.org).is_some(),
        "organisation `{}` is not in `{}`",
        lifeline_text::excerpt(&args.org),
        args.directory.display()
    );
    anyhow::ensure!(
        !args.out.exists(),
        "`{}` exists: a private key file is never overwritten (move it away first)",
        args.out.display()
    );
    let id = args
        .id
        .clone()
        .unwrap_or_else(|| default_id(&directory, &args.org, now));
    let pair = KeyPair::from_seed(&args.org, &id, random_seed()?)?;
    let public = pair.public(now);
    let ended = match rotate {
        None => {
            keys::add(&mut directory, &args.org, public)?;
            Vec::new()
        }
        Some(overlap) => keys::rotate(&mut directory, &args.org, public, now, overlap.duration())?,
    };
    // The private key first: if it cannot be written, the directory is left as it was.
    let mut jwk = pair.to_jwk();
    jwk.push('\n');
    write_private(&args.out, jwk.as_bytes())?;
    if let Err(error) = crate::partners::save(&args.directory, &directory) {
        let _ = std::fs::remove_file(&args.out);
        return Err(error);
    }
    errln!(
        "{}: published key `{}` (x {}); private JWK in `{}` (keep it secret)",
        args.directory.display(),
        pair.kid(),
        pair.x(),
        args.out.display()
    );
    for old in &ended {
        errln!(
            "{}: key `{}/{old}` ends at {}",
            args.directory.display(),
            args.org,
            lifeline_share::jws::rfc3339(
                now + rotate.map_or(time::Duration::ZERO, |w| w.duration())
            )
        );
    }
    let mut out = crate::output::stdout();
    outln!(out, "{}", pair.kid())?;
    out.flush()?;
    Ok(Exit::Success)
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create `{}`", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write `{}`", path.display()))
}

fn revoke(args: &RevokeArgs) -> anyhow::Result<Exit> {
    let at = args.at.unwrap_or_else(OffsetDateTime::now_utc);
    let mut directory = crate::partners::load_or_report(&args.directory)?;
    keys::revoke(&mut directory, &args.org, &args.key, at, &args.reason)?;
    crate::partners::save(&args.directory, &directory)?;
    errln!(
        "{}: key `{}/{}` revoked from {}",
        args.directory.display(),
        args.org,
        args.key,
        lifeline_share::jws::rfc3339(at)
    );
    Ok(Exit::Success)
}

fn list(args: &ListArgs) -> anyhow::Result<Exit> {
    let now = args.at.unwrap_or_else(OffsetDateTime::now_utc);
    let directory = crate::partners::load_or_report(&args.directory)?;
    let mut table = Table::new([
        Column::text("kid"),
        Column::text("state"),
        Column::text("not before"),
        Column::text("not after"),
        Column::text("revoked"),
    ]);
    let time = lifeline_share::jws::rfc3339;
    for org in &directory.organisations {
        for key in &org.keys {
            table.row([
                format!("{}/{}", org.id, key.id),
                key.state(now).as_str().to_owned(),
                time(key.not_before),
                key.not_after.map(time).unwrap_or_default(),
                key.revoked
                    .as_ref()
                    .map(|r| format!("{} ({})", time(r.at), r.reason))
                    .unwrap_or_default(),
            ]);
        }
    }
    crate::render::report(None, |out| {
        table.write(out)?;
        Ok(())
    })?;
    Ok(Exit::Success)
}
