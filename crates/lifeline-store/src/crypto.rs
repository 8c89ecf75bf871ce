//! Encryption of sensitive fields at rest: XChaCha20-Poly1305 (an AEAD: a changed byte is
//! refused, not decrypted to something else) with keys from a key file.
//!
//! A key file holds one key per line, `ID BASE64KEY`, the current key first. A stored value
//! is `enc:v1:ID:BASE64(NONCE || CIPHERTEXT)`, so it names the key that sealed it and
//! rotation can re-encrypt value by value ([`crate::Store::rotate_key`]). The 192-bit
//! random nonce makes nonce reuse negligible without a counter.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore as _;

const PREFIX: &str = "enc:v1:";
const HEADER: &str = "# lifeline key file: one key per line, the current one first. Keep it secret; losing it loses the encrypted fields.";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key file `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("key file `{path}`, line {line}: {message}")]
    Format {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("key file `{0}` holds no key")]
    Empty(PathBuf),
    #[error("key file `{path}` can be read by other users (mode {mode:o}); make it 0600")]
    Permissions { path: PathBuf, mode: u32 },
    #[error("a stored value was sealed with key `{0}`, which the key file does not hold")]
    UnknownKey(String),
    #[error("a stored value does not decrypt: it was changed, or sealed with another key")]
    Tampered,
    #[error("a stored value is not in the sealed format")]
    Malformed,
}

/// The keys of a key file, the current one first.
pub struct Keyring {
    path: PathBuf,
    keys: Vec<(String, Key)>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the keys themselves.
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("Keyring")
            .field("path", &self.path)
            .field("keys", &ids)
            .finish()
    }
}

fn new_key() -> (String, Key) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let mut id = [0u8; 4];
    rand::rng().fill_bytes(&mut id);
    (format!("k{}", crate::ids::hex(&id)), Key::from(bytes))
}

impl Keyring {
    /// Reads the key file at `path`, or creates it with one new key (mode 0600) when it
    /// does not exist.
    pub fn open_or_create(path: &Path) -> Result<Keyring, KeyError> {
        if path.exists() {
            return Keyring::open(path);
        }
        let keyring = Keyring {
            path: path.to_owned(),
            keys: vec![new_key()],
        };
        keyring.save()?;
        Ok(keyring)
    }

    /// Reads the key file at `path`; refuses one that others can read.
    pub fn open(path: &Path) -> Result<Keyring, KeyError> {
        let io = |source| KeyError::Io {
            path: path.to_owned(),
            source,
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(KeyError::Permissions {
                    path: path.to_owned(),
                    mode,
                });
            }
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        let mut keys = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let format = |message: &str| KeyError::Format {
                path: path.to_owned(),
                line: i + 1,
                message: message.to_owned(),
            };
            let (id, key) = line
                .split_once(' ')
                .ok_or_else(|| format("expected `ID BASE64KEY`"))?;
            let bytes = STANDARD
                .decode(key.trim())
                .map_err(|_| format("the key is not base64"))?;
            let bytes: [u8; 32] = bytes.try_into().map_err(|_| format("a key is 32 bytes"))?;
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(format("a key id is letters and digits"));
            }
            keys.push((id.to_owned(), Key::from(bytes)));
        }
        if keys.is_empty() {
            return Err(KeyError::Empty(path.to_owned()));
        }
        Ok(Keyring {
            path: path.to_owned(),
            keys,
        })
    }

    /// Writes the key file atomically (a new file renamed over the old), mode 0600.
    fn save(&self) -> Result<(), KeyError> {
        let io = |source| KeyError::Io {
            path: self.path.clone(),
            source,
        };
        let mut text = format!("{HEADER}\n");
        for (id, key) in &self.keys {
            text.push_str(&format!("{id} {}\n", STANDARD.encode(key)));
        }
        let temporary = self.path.with_extension("new");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut file = options.open(&temporary).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&temporary, &self.path).map_err(io)
    }

    /// The id of the key new values are sealed with.
    pub fn current_id(&self) -> &str {
        &self.keys[0].0
    }

    pub fn key_ids(&self) -> Vec<&str> {
        self.keys.iter().map(|(id, _)| id.as_str()).collect()
    }

    /// Adds a new current key and saves the file; older keys stay until
    /// [`Keyring::retire_old_keys`].
    pub(crate) fn add_key(&mut self) -> Result<(), KeyError> {
        self.keys.insert(0, new_key());
        self.save()
    }

    /// Drops every key but the current one and saves the file.
    pub(crate) fn retire_old_keys(&mut self) -> Result<(), KeyError> {
        self.keys.truncate(1);
        self.save()
    }

    /// Seals `plaintext`; `context` (such as `users.contact:usr_...`) is bound to it as
    /// associated data, so a sealed value copied to another row or column fails to open.
    pub fn seal(&self, plaintext: &str, context: &str) -> String {
        let (id, key) = &self.keys[0];
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let cipher = XChaCha20Poly1305::new(key);
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: context.as_bytes(),
        };
        // Encryption with a valid key and nonce cannot fail for inputs under 256 GiB.
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{id}:{}", STANDARD.encode(bytes))
    }

    /// Opens a value sealed by [`Keyring::seal`] with the same `context`.
    pub fn open_value(&self, sealed: &str, context: &str) -> Result<String, KeyError> {
        let rest = sealed.strip_prefix(PREFIX).ok_or(KeyError::Malformed)?;
        let (id, data) = rest.split_once(':').ok_or(KeyError::Malformed)?;
        let key = self
            .keys
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, key)| key)
            .ok_or_else(|| KeyError::UnknownKey(id.to_owned()))?;
        let bytes = STANDARD.decode(data).map_err(|_| KeyError::Malformed)?;
        if bytes.len() < 24 + 16 {
            return Err(KeyError::Malformed);
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let cipher = XChaCha20Poly1305::new(key);
        let payload = Payload {
            msg: ciphertext,
            aad: context.as_bytes(),
        };
        let plain = cipher
            .decrypt(XNonce::from_slice(nonce), payload)
            .map_err(|_| KeyError::Tampered)?;
        String::from_utf8(plain).map_err(|_| KeyError::Tampered)
    }

    /// Whether `value` was sealed with the current key.
    pub fn is_current(&self, sealed: &str) -> bool {
        sealed
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(id, _)| id == self.current_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_refuse() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let ring = Keyring::open_or_create(&path).unwrap();
        let sealed = ring.seal("ward 4 pharmacy, +1 555 0100", "users.contact:usr_1");
        assert!(!sealed.contains("555"));
        assert_eq!(
            ring.open_value(&sealed, "users.contact:usr_1").unwrap(),
            "ward 4 pharmacy, +1 555 0100"
        );
        // Another row's context, or one changed character, is refused.
        assert!(matches!(
            ring.open_value(&sealed, "users.contact:usr_2"),
            Err(KeyError::Tampered)
        ));
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(bytes).unwrap();
        assert!(ring.open_value(&changed, "users.contact:usr_1").is_err());
        // Read back from the file it wrote.
        let again = Keyring::open(&path).unwrap();
        assert_eq!(again.current_id(), ring.current_id());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_readable_key_file() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        Keyring::open_or_create(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            Keyring::open(&path),
            Err(KeyError::Permissions { .. })
        ));
    }
}
