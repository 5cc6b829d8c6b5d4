//! The key-encryption key that seals secrets at rest. Taken from config when
//! given; otherwise generated on first start into the data directory, readable
//! by its owner only.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::{Context, bail};
use tessera_core::store::Store;
use tessera_crypto::seal::SealingKey;

use crate::config::Config;

const DEFAULT_FILE: &str = "key-encryption-key";
const CHECK_META: &str = "kek-check";

fn read_key_file(path: &Path) -> anyhow::Result<SealingKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading key-encryption key {}", path.display()))?;
    SealingKey::from_base64(text.trim()).with_context(|| {
        format!(
            "key-encryption key in {} is not 32 bytes of base64",
            path.display()
        )
    })
}

pub fn load_or_create(config: &Config) -> anyhow::Result<SealingKey> {
    if let Some(key) = &config.key_encryption_key {
        return SealingKey::from_base64(key.expose())
            .context("the configured key-encryption key is not 32 bytes of base64");
    }
    if let Some(path) = &config.key_encryption_key_file {
        return read_key_file(path);
    }
    let path = config.data_dir.join(DEFAULT_FILE);
    if path.exists() {
        return read_key_file(&path);
    }
    let key = SealingKey::generate().context("generating a key-encryption key")?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(key.to_base64().as_bytes())?;
    file.sync_all()?;
    tracing::info!(path = %path.display(), "generated a key-encryption key");
    Ok(key)
}

/// Refuses a key that differs from the one the store's secrets were sealed
/// with, rather than serving data it cannot open.
pub async fn check_against_store(key: &SealingKey, store: &dyn Store) -> anyhow::Result<()> {
    let fresh = key.check_value().context("sealing the key check value")?;
    let kept = store
        .init_meta(CHECK_META, &fresh)
        .await
        .map_err(|e| anyhow::anyhow!("reading the key check value: {e}"))?;
    if key.verify_check_value(&kept).is_err() {
        bail!(
            "the key-encryption key does not match the one this store's secrets were sealed with; \
             refusing to start (nodes sharing a database must share its key-encryption key)"
        );
    }
    Ok(())
}
