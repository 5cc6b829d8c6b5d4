//! Identifiers derived from a seed rather than drawn at random: the same seed
//! names the same resource on every node, so nodes creating it at once agree.

use aws_lc_rs::digest;

use crate::random::{ALPHANUMERIC, LOWER_AND_DIGITS};

fn derive(alphabet: &[u8], seed: &[u8], len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut block = 0u32;
    while out.len() < len {
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(seed);
        ctx.update(&block.to_be_bytes());
        for byte in ctx.finish().as_ref() {
            if out.len() == len {
                break;
            }
            out.push(char::from(alphabet[usize::from(*byte) % alphabet.len()]));
        }
        block += 1;
    }
    out
}

/// `len` characters from `A-Za-z0-9`, the same for the same seed.
#[must_use]
pub fn alphanumeric(seed: &[u8], len: usize) -> String {
    derive(ALPHANUMERIC, seed, len)
}

/// `len` characters from `a-z0-9`, the same for the same seed.
#[must_use]
pub fn alphanumeric_lower(seed: &[u8], len: usize) -> String {
    derive(LOWER_AND_DIGITS, seed, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_identifier_and_lengths_hold() {
        assert_eq!(alphanumeric(b"pool dev", 9), alphanumeric(b"pool dev", 9));
        assert_ne!(alphanumeric(b"pool dev", 9), alphanumeric(b"pool prod", 9));
        let long = alphanumeric_lower(b"client web", 40);
        assert_eq!(long.len(), 40);
        assert!(
            long.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        assert!(
            alphanumeric(b"x", 9)
                .bytes()
                .all(|b| b.is_ascii_alphanumeric())
        );
    }
}
