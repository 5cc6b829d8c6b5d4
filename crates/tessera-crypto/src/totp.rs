//! Time-based one-time passwords as Cognito's software-token MFA uses them
//! (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), and the secret's RFC 4648
//! base32 form that `AssociateSoftwareToken` hands out as `SecretCode`.
//!
//! Time comes in as seconds since the epoch; this module reads no clock.

use aws_lc_rs::hmac;

use crate::random;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Steps either side of the current one a code may come from (clock skew).
pub const WINDOW_STEPS: i64 = 1;
/// Bytes of a generated secret: 160 bits, as RFC 4226 recommends and Cognito's
/// 32-character `SecretCode`s carry.
pub const SECRET_LEN: usize = 20;
const DIGITS: u32 = 6;

/// A fresh random secret.
#[must_use]
pub fn generate_secret() -> [u8; SECRET_LEN] {
    random::bytes::<SECRET_LEN>()
}

/// The step `unix_seconds` falls in.
#[must_use]
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The code of `step` (RFC 4226 dynamic truncation of HMAC-SHA1 over the
/// big-endian step counter).
#[must_use]
pub fn code_at_step(secret: &[u8], step: i64) -> u32 {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &step.to_be_bytes());
    let mac = tag.as_ref();
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    binary % 10u32.pow(DIGITS)
}

/// The step within the window around `unix_seconds` whose code `code` is, if
/// any. Every step of the window is computed and compared in constant time,
/// so the answer's timing does not tell which one matched.
#[must_use]
pub fn matching_step(secret: &[u8], code: &str, unix_seconds: i64) -> Option<i64> {
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_seconds);
    let mut found = None;
    for step in now - WINDOW_STEPS..=now + WINDOW_STEPS {
        let expected = format!("{:06}", code_at_step(secret, step));
        if random::ct_eq(expected.as_bytes(), code.as_bytes()) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding (what authenticator apps read from an
/// `otpauth://` URI).
#[must_use]
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1: the 20-byte ASCII secret "12345678901234567890".
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_vectors_truncated_to_six_digits() {
        // The RFC prints 8 digits; Cognito's codes are the last 6 of them.
        let vectors = [
            (59, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ];
        for (time, eight_digits) in vectors {
            assert_eq!(
                code_at_step(RFC_SECRET, step_at(time)),
                eight_digits % 1_000_000,
                "at {time}"
            );
        }
    }

    #[test]
    fn codes_match_within_one_step_either_side() {
        let now = 1_111_111_111;
        let code = |step| format!("{:06}", code_at_step(RFC_SECRET, step));
        let current = step_at(now);
        assert_eq!(
            matching_step(RFC_SECRET, &code(current), now),
            Some(current)
        );
        assert_eq!(
            matching_step(RFC_SECRET, &code(current - 1), now),
            Some(current - 1)
        );
        assert_eq!(
            matching_step(RFC_SECRET, &code(current + 1), now),
            Some(current + 1)
        );
        assert_eq!(matching_step(RFC_SECRET, &code(current - 2), now), None);
        for bad in ["", "12345", "1234567", "12a456", "０５０４７１"] {
            assert_eq!(matching_step(RFC_SECRET, bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn base32_follows_rfc_4648() {
        // RFC 4648 section 10, padding left off.
        let vectors = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base32(plain.as_bytes()), encoded);
        }
        assert_eq!(base32(&generate_secret()).len(), 32, "Cognito's length");
    }
}
