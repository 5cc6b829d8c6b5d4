//! Password credentials: PBKDF2-HMAC-SHA256 with a random salt, in a
//! versioned encoding so stronger or SRP-based forms can follow.

use std::num::NonZeroU32;

use aws_lc_rs::error::Unspecified;
use aws_lc_rs::pbkdf2;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};

const VERSION: u8 = 1;
const ITERATIONS: u32 = 10_000;
const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;

fn iterations() -> NonZeroU32 {
    NonZeroU32::new(ITERATIONS).unwrap_or(NonZeroU32::MIN)
}

/// `version || salt || hash`; fails only if the system RNG does.
pub fn hash(password: &[u8]) -> Result<Vec<u8>, Unspecified> {
    let mut salt = [0u8; SALT_LEN];
    SystemRandom::new().fill(&mut salt)?;
    let mut out = vec![VERSION];
    out.extend_from_slice(&salt);
    let mut derived = [0u8; HASH_LEN];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations(),
        &salt,
        password,
        &mut derived,
    );
    out.extend_from_slice(&derived);
    Ok(out)
}

/// Constant-time check of a password against a credential from [`hash`].
pub fn verify(password: &[u8], credential: &[u8]) -> bool {
    if credential.len() != 1 + SALT_LEN + HASH_LEN || credential[0] != VERSION {
        return false;
    }
    let (salt, expected) = credential[1..].split_at(SALT_LEN);
    pbkdf2::verify(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations(),
        salt,
        password,
        expected,
    )
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_the_right_password_only() {
        let c = hash(b"Correct horse 1!").expect("rng");
        assert!(verify(b"Correct horse 1!", &c));
        assert!(!verify(b"Correct horse 1?", &c));
        assert!(!verify(b"Correct horse 1!", &c[..10]));
    }

    #[test]
    fn same_password_hashes_differently() {
        assert_ne!(hash(b"x").expect("rng"), hash(b"x").expect("rng"));
    }
}
