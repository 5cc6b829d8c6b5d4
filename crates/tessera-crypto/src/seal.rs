//! Sealing secrets at rest: AES-256-GCM under a key-encryption key (KEK).
//!
//! A sealed value is `version (1 byte) || nonce (12 bytes) || ciphertext || tag (16 bytes)`.
//! The nonce is random for every seal: with 96-bit random nonces one key can seal
//! billions of values before a collision becomes a concern, far beyond what a
//! user-pool database holds. The caller's associated data (for example pool id +
//! client id) binds a sealed value to its row, so a value copied into another row
//! does not open; the version byte is authenticated too.

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::random;

/// Length of a key-encryption key in bytes.
pub const KEY_LEN: usize = 32;
/// The format version written as the first byte of every sealed value.
const VERSION: u8 = 1;
const TAG_LEN: usize = 16;
/// Shortest possible sealed value: version, nonce and tag around an empty plaintext.
const MIN_SEALED_LEN: usize = 1 + NONCE_LEN + TAG_LEN;

/// What the check value seals, and under which associated data.
const CHECK_LABEL: &[u8] = b"tessera key-encryption-key check v1";
const CHECK_AAD: &[u8] = b"tessera/kek-check";

/// Why sealing or opening failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("a key-encryption key must be {KEY_LEN} bytes, got {0}")]
    KeyLength(usize),
    #[error("the key-encryption key is not valid base64")]
    KeyEncoding,
    #[error("sealed value is malformed (too short or unknown version)")]
    Malformed,
    /// Wrong key, wrong associated data, or a modified value: AES-GCM does not say which.
    #[error("sealed value did not open: wrong key, wrong associated data, or tampered")]
    OpenFailed,
    #[error("the key-encryption key does not match the one this database was sealed with")]
    WrongKey,
    #[error("the AES-GCM implementation reported an error")]
    Crypto,
}

/// A key-encryption key. Its `Debug` output never shows the key.
pub struct SealingKey {
    bytes: [u8; KEY_LEN],
    key: LessSafeKey,
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealingKey(<redacted>)")
    }
}

impl SealingKey {
    /// A key from its 32 raw bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SealError> {
        let bytes: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| SealError::KeyLength(bytes.len()))?;
        let unbound = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| SealError::Crypto)?;
        Ok(Self {
            bytes,
            key: LessSafeKey::new(unbound),
        })
    }

    /// A keyed hash for values stored only to be compared later (one-time
    /// codes): a 6-digit code's plain hash would fall to an offline search,
    /// this one needs the key. The key for each `purpose` is derived from the
    /// KEK, so the KEK itself never keys a MAC.
    #[must_use]
    pub fn keyed_hash(&self, purpose: &str, message: &[u8]) -> [u8; 32] {
        let derive = hmac::Key::new(hmac::HMAC_SHA256, &self.bytes);
        let subkey = hmac::sign(
            &derive,
            format!("tessera keyed-hash v1|{purpose}").as_bytes(),
        );
        let key = hmac::Key::new(hmac::HMAC_SHA256, subkey.as_ref());
        let mut out = [0u8; 32];
        out.copy_from_slice(hmac::sign(&key, message).as_ref());
        out
    }

    /// A fresh random key.
    pub fn generate() -> Result<Self, SealError> {
        Self::from_bytes(&random::bytes::<KEY_LEN>())
    }

    /// The key in standard base64 (with padding), as stored in a key file or config.
    #[must_use]
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.bytes)
    }

    /// A key from standard base64; surrounding whitespace (a key file's trailing
    /// newline) is ignored.
    pub fn from_base64(s: &str) -> Result<Self, SealError> {
        let bytes = BASE64
            .decode(s.trim())
            .map_err(|_| SealError::KeyEncoding)?;
        Self::from_bytes(&bytes)
    }

    /// Seals `plaintext`, bound to `aad`.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, SealError> {
        let nonce_bytes = random::bytes::<NONCE_LEN>();
        let mut out = Vec::with_capacity(MIN_SEALED_LEN + plaintext.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce_bytes);
        let mut in_out = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(full_aad(VERSION, aad)),
                &mut in_out,
            )
            .map_err(|_| SealError::Crypto)?;
        out.extend_from_slice(&in_out);
        Ok(out)
    }

    /// Opens a value produced by [`seal`](Self::seal) with the same `aad`.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, SealError> {
        if sealed.len() < MIN_SEALED_LEN || sealed[0] != VERSION {
            return Err(SealError::Malformed);
        }
        let (nonce_bytes, ciphertext) = sealed[1..].split_at(NONCE_LEN);
        let nonce =
            Nonce::try_assume_unique_for_key(nonce_bytes).map_err(|_| SealError::Malformed)?;
        let mut in_out = ciphertext.to_vec();
        let plaintext_len = self
            .key
            .open_in_place(nonce, Aad::from(full_aad(VERSION, aad)), &mut in_out)
            .map_err(|_| SealError::OpenFailed)?
            .len();
        in_out.truncate(plaintext_len);
        Ok(in_out)
    }

    /// A value to store once per database: it opens only under this same key.
    pub fn check_value(&self) -> Result<Vec<u8>, SealError> {
        self.seal(CHECK_LABEL, CHECK_AAD)
    }

    /// Confirms that `value` came from [`check_value`](Self::check_value) under
    /// this key; [`SealError::WrongKey`] otherwise.
    pub fn verify_check_value(&self, value: &[u8]) -> Result<(), SealError> {
        match self.open(value, CHECK_AAD) {
            Ok(label) if random::ct_eq(&label, CHECK_LABEL) => Ok(()),
            Ok(_) | Err(SealError::OpenFailed) => Err(SealError::WrongKey),
            Err(other) => Err(other),
        }
    }
}

/// The associated data actually authenticated: the version byte, then the caller's.
/// The version has a fixed length, so the concatenation is unambiguous.
fn full_aad(version: u8, aad: &[u8]) -> Vec<u8> {
    let mut full = Vec::with_capacity(1 + aad.len());
    full.push(version);
    full.extend_from_slice(aad);
    full
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SealingKey {
        SealingKey::from_bytes(&[7u8; KEY_LEN]).expect("32 bytes make a key")
    }

    #[test]
    fn roundtrip() {
        let k = key();
        for plaintext in [&b""[..], b"x", b"a TOTP secret", &[0u8; 1000]] {
            let sealed = k.seal(plaintext, b"pool|client").expect("seal");
            assert_eq!(sealed.len(), MIN_SEALED_LEN + plaintext.len());
            assert_eq!(sealed[0], VERSION);
            assert_eq!(k.open(&sealed, b"pool|client").expect("open"), plaintext);
        }
    }

    #[test]
    fn every_seal_uses_a_fresh_nonce() {
        let k = key();
        assert_ne!(
            k.seal(b"same", b"").expect("seal"),
            k.seal(b"same", b"").expect("seal")
        );
    }

    #[test]
    fn wrong_key_fails() {
        let sealed = key().seal(b"secret", b"row").expect("seal");
        let other = SealingKey::generate().expect("generate");
        assert_eq!(other.open(&sealed, b"row"), Err(SealError::OpenFailed));
    }

    #[test]
    fn wrong_aad_fails() {
        let k = key();
        let sealed = k.seal(b"secret", b"pool-a|client-1").expect("seal");
        assert_eq!(
            k.open(&sealed, b"pool-a|client-2"),
            Err(SealError::OpenFailed)
        );
        assert_eq!(k.open(&sealed, b""), Err(SealError::OpenFailed));
    }

    #[test]
    fn any_tampered_byte_fails() {
        let k = key();
        let sealed = k.seal(b"secret value", b"row").expect("seal");
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            let expected = if i == 0 {
                SealError::Malformed
            } else {
                SealError::OpenFailed
            };
            assert_eq!(k.open(&bad, b"row"), Err(expected), "byte {i}");
        }
    }

    #[test]
    fn truncated_input_fails_without_panicking() {
        let k = key();
        let sealed = k.seal(b"secret value", b"row").expect("seal");
        for len in 0..sealed.len() {
            let result = k.open(&sealed[..len], b"row");
            assert!(
                matches!(result, Err(SealError::Malformed | SealError::OpenFailed)),
                "len {len}: {result:?}"
            );
        }
    }

    #[test]
    fn key_constructors_validate() {
        assert_eq!(
            SealingKey::from_bytes(&[0u8; 31]).map(|_| ()),
            Err(SealError::KeyLength(31))
        );
        assert_eq!(
            SealingKey::from_base64("not base64!").map(|_| ()),
            Err(SealError::KeyEncoding)
        );
        assert_eq!(
            SealingKey::from_base64("AAAA").map(|_| ()),
            Err(SealError::KeyLength(3))
        );
    }

    #[test]
    fn base64_roundtrip_keeps_the_key() {
        let k = SealingKey::generate().expect("generate");
        let encoded = k.to_base64();
        let again = SealingKey::from_base64(&format!("{encoded}\n")).expect("decode");
        let sealed = k.seal(b"v", b"").expect("seal");
        assert_eq!(again.open(&sealed, b"").expect("open"), b"v");
    }

    #[test]
    fn check_value_detects_a_wrong_key() {
        let k = key();
        let check = k.check_value().expect("check value");
        assert_eq!(k.verify_check_value(&check), Ok(()));
        let other = SealingKey::generate().expect("generate");
        assert_eq!(other.verify_check_value(&check), Err(SealError::WrongKey));
        assert_eq!(k.verify_check_value(b"short"), Err(SealError::Malformed));
        // A value sealed under the right key but not the check label is rejected too.
        let not_check = k.seal(b"something else", CHECK_AAD).expect("seal");
        assert_eq!(k.verify_check_value(&not_check), Err(SealError::WrongKey));
    }

    #[test]
    fn debug_does_not_leak_the_key() {
        let k = SealingKey::from_bytes(&[0xAB; KEY_LEN]).expect("key");
        let shown = format!("{k:?} {k:#?}");
        assert!(!shown.contains("171"), "{shown}"); // 0xAB as a decimal byte
        assert!(!shown.to_lowercase().contains("ab"), "{shown}");
        assert!(!shown.contains(&k.to_base64()), "{shown}");
    }

    #[test]
    fn keyed_hash_depends_on_key_purpose_and_message() {
        let a = SealingKey::generate().expect("key");
        let b = SealingKey::generate().expect("key");
        assert_eq!(
            a.keyed_hash("code", b"123456"),
            a.keyed_hash("code", b"123456")
        );
        assert_ne!(
            a.keyed_hash("code", b"123456"),
            b.keyed_hash("code", b"123456")
        );
        assert_ne!(
            a.keyed_hash("code", b"123456"),
            a.keyed_hash("other", b"123456")
        );
        assert_ne!(
            a.keyed_hash("code", b"123456"),
            a.keyed_hash("code", b"123457")
        );
    }
}
