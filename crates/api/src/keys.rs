//! Keys for signing tokens and encrypting identification numbers. A key that is not
//! configured is generated on first start and kept in the data directory, readable by
//! the owner only, so that restarts keep issued tokens and stored SSNs readable.

use std::fs;
use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rand::RngCore;

use crate::config::{Config, Secret};

/// Loads the configured key or the one in `dir/name`, creating it when absent.
fn load_or_create(configured: &Option<Secret>, dir: &Path, name: &str) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = configured {
        return Ok(STANDARD.decode(secret.0.trim())?);
    }
    let path = dir.join(name);
    if path.exists() {
        return Ok(STANDARD.decode(fs::read_to_string(&path)?.trim())?);
    }
    fs::create_dir_all(dir)?;
    let mut key = vec![0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path)?;
    file.write_all(STANDARD.encode(&key).as_bytes())?;
    file.sync_all()?;
    tracing::info!(key.file = %path.display(), "generated a new key");
    Ok(key)
}

/// The secrets the server runs with.
#[derive(Clone)]
pub struct Keys {
    pub jwt: Vec<u8>,
    pub cipher: Cipher,
}

impl Keys {
    pub fn load(config: &Config) -> anyhow::Result<Self> {
        let jwt = load_or_create(&config.jwt_secret, &config.data_dir, "jwt-secret.key")?;
        anyhow::ensure!(
            jwt.len() >= 32,
            "LEADS_JWT_SECRET must decode to at least 32 bytes"
        );
        let encryption =
            load_or_create(&config.encryption_key, &config.data_dir, "encryption.key")?;
        anyhow::ensure!(
            encryption.len() == 32,
            "LEADS_ENCRYPTION_KEY must decode to 32 bytes"
        );
        Ok(Self {
            jwt,
            cipher: Cipher::new(&encryption)?,
        })
    }
}

/// AES-256-GCM: identification numbers at rest (`v1:` and base64 of nonce and
/// ciphertext), and opaque tokens such as page cursors.
#[derive(Clone)]
pub struct Cipher(Aes256Gcm);

impl Cipher {
    pub fn new(key: &[u8]) -> anyhow::Result<Self> {
        let cipher =
            Aes256Gcm::new_from_slice(key).map_err(|_| anyhow::anyhow!("bad key length"))?;
        Ok(Self(cipher))
    }

    pub fn encrypt(&self, plain: &str) -> anyhow::Result<String> {
        let mut nonce = [0_u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .0
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("v1:{}", STANDARD.encode(out)))
    }

    /// Seals bytes into a URL-safe token that only this key opens.
    pub fn seal(&self, plain: &[u8]) -> anyhow::Result<String> {
        let mut nonce = [0_u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .0
            .encrypt(Nonce::from_slice(&nonce), plain)
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    /// Opens a token made by [`Cipher::seal`]; `None` for anything else.
    pub fn open(&self, token: &str) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
        if bytes.len() <= 12 {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(12);
        self.0.decrypt(Nonce::from_slice(nonce), sealed).ok()
    }

    pub fn decrypt(&self, stored: &str) -> anyhow::Result<String> {
        let body = stored
            .strip_prefix("v1:")
            .ok_or_else(|| anyhow::anyhow!("unknown ciphertext version"))?;
        let bytes = STANDARD.decode(body)?;
        anyhow::ensure!(bytes.len() > 12, "ciphertext too short");
        let (nonce, sealed) = bytes.split_at(12);
        let plain = self
            .0
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| anyhow::anyhow!("decryption failed"))?;
        Ok(String::from_utf8(plain)?)
    }
}

#[cfg(test)]
mod tests {
    use super::Cipher;

    #[test]
    fn an_encrypted_number_reads_back_only_with_its_key() -> anyhow::Result<()> {
        let cipher = Cipher::new(&[7_u8; 32])?;
        let other = Cipher::new(&[8_u8; 32])?;

        let stored = cipher.encrypt("123456789")?;

        assert!(!stored.contains("123456789"));
        assert_eq!(cipher.decrypt(&stored)?, "123456789");
        assert!(other.decrypt(&stored).is_err());
        Ok(())
    }
}
