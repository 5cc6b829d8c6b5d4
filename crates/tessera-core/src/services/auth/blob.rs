//! Opaque, tamper-proof strings that carry flow state between requests (the
//! challenge `Session`, SRP's `SECRET_BLOCK`), so any node can answer the next
//! step: the state is sealed under the key-encryption key, bound to its purpose.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tessera_crypto::seal::SealingKey;

use crate::error::{Error, Result};

/// How the sealed bytes are written: SRP clients base64-decode SECRET_BLOCK
/// with the standard alphabet; sessions only need to be opaque.
#[derive(Clone, Copy)]
pub enum Encoding {
    Standard,
    UrlSafe,
}

pub fn seal<T: Serialize>(
    key: &SealingKey,
    purpose: &str,
    value: &T,
    encoding: Encoding,
) -> Result<String> {
    let json = serde_json::to_vec(value).map_err(|e| Error::Internal(e.to_string()))?;
    let sealed = key.seal(&json, purpose.as_bytes())?;
    Ok(match encoding {
        Encoding::Standard => STANDARD.encode(sealed),
        Encoding::UrlSafe => URL_SAFE_NO_PAD.encode(sealed),
    })
}

/// The value, or `None` for anything not sealed by us for this purpose.
pub fn open<T: DeserializeOwned>(
    key: &SealingKey,
    purpose: &str,
    text: &str,
    encoding: Encoding,
) -> Option<T> {
    let bytes = match encoding {
        Encoding::Standard => STANDARD.decode(text.as_bytes()).ok()?,
        Encoding::UrlSafe => URL_SAFE_NO_PAD.decode(text.as_bytes()).ok()?,
    };
    let json = key.open(&bytes, purpose.as_bytes()).ok()?;
    serde_json::from_slice(&json).ok()
}
