//! The client side of Cognito's SRP, computing what amazon-cognito-identity-js
//! (`AuthenticationHelper`, `CognitoUser.authenticateUser`) and pycognito (`AWSSRP`)
//! compute. Used by tests and the load generator; the server never needs it.
//!
//! ```text
//! S = (B − k·g^x)^(a + u·x) mod N,  K = HKDF(padHex(S), padHex(u)),
//! PASSWORD_CLAIM_SIGNATURE = base64(HMAC-SHA256(K, poolName ‖ userId ‖ SECRET_BLOCK ‖ TIMESTAMP))
//! ```
//!
//! [`start`] draws a 256-bit `a` (the SDKs draw 1024 bits; 256 bits is the security
//! level of the group and makes a client's work about half as large). Any `a` can be
//! given to [`start_with_secret`] to reproduce an SDK's run.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::group::{self, Limbs};
use super::{SrpError, claim_hmac, hex_of, parse_public_hex, session_key, u_value, x_exponent};
use crate::random;

/// One sign-in attempt's client state: the secret `a` and A = g^a.
#[derive(Clone)]
pub struct ClientSession {
    /// a as little-endian 64-bit limbs (its length is not secret, its value is).
    a: Vec<u64>,
    public_a: Limbs,
}

impl fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSession")
            .field("a", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// A session with a fresh random 256-bit `a`.
#[must_use]
pub fn start() -> ClientSession {
    start_with_secret(&random::bytes::<32>())
}

/// A session with the given `a` (big-endian, any length; used as is, like the JS SDK).
#[must_use]
pub fn start_with_secret(a: &[u8]) -> ClientSession {
    let public_a = match group::exponent_256(a) {
        Some(short) => group::pow_g(&short),
        None => group::pow(&g_mont(), &group::exponent_limbs(a)),
    };
    ClientSession {
        a: group::exponent_limbs(a),
        public_a: group::from_mont(&public_a),
    }
}

impl ClientSession {
    /// SRP_A: plain lower-case hex of A (like the SDKs, not padHex).
    #[must_use]
    pub fn public_a_hex(&self) -> String {
        hex_of(&self.public_a)
    }

    /// PASSWORD_CLAIM_SIGNATURE for a PASSWORD_VERIFIER challenge, from its SALT,
    /// SRP_B and SECRET_BLOCK values, for `timestamp` (see
    /// [`super::format_timestamp`]). `user_id` is USER_ID_FOR_SRP.
    ///
    /// Refuses (like the SDKs) B ≡ 0 mod N and u = 0, and anything malformed.
    #[allow(clippy::too_many_arguments)] // the challenge's parameters, each a distinct string
    pub fn claim_signature(
        &self,
        pool_name: &str,
        user_id: &str,
        password: &str,
        salt_hex: &str,
        srp_b_hex: &str,
        secret_block_b64: &str,
        timestamp: &str,
    ) -> Result<String, SrpError> {
        let public_b = parse_public_hex(srp_b_hex)?;
        let salt = decode_salt(salt_hex)?;
        let secret_block = BASE64
            .decode(secret_block_b64)
            .map_err(|_| SrpError::InvalidChallenge)?;
        let u = u_value(&self.public_a, &public_b);
        if u == [0; 4] {
            return Err(SrpError::InvalidChallenge);
        }
        let x = x_exponent(&salt, pool_name, user_id, password);
        let g_x = group::from_mont(&group::pow_g(&x));
        let base = group::sub_mod(&public_b, &group::times_k(&g_x));
        let exponent = a_plus_u_x(&self.a, &u, &x);
        let s = group::from_mont(&group::pow(&group::to_mont(&base), &exponent));
        let key = session_key(&s, &u);
        let tag = claim_hmac(&key, pool_name, user_id, &secret_block, timestamp);
        Ok(BASE64.encode(tag.as_ref()))
    }
}

fn g_mont() -> Limbs {
    let mut two = [0u64; group::LIMBS];
    two[0] = 2;
    group::to_mont(&two)
}

/// SALT hex (any case, odd length allowed) as bytes; its integer value is what counts.
fn decode_salt(salt_hex: &str) -> Result<Vec<u8>, SrpError> {
    if salt_hex.is_empty() {
        return Err(SrpError::InvalidChallenge);
    }
    let padded = if salt_hex.len() % 2 == 1 {
        format!("0{salt_hex}")
    } else {
        salt_hex.to_owned()
    };
    hex::decode(padded).map_err(|_| SrpError::InvalidChallenge)
}

/// a + u·x over little-endian limbs, with room for every carry (fixed length for a
/// given length of a).
fn a_plus_u_x(a: &[u64], u: &[u64; 4], x: &[u64; 4]) -> Vec<u64> {
    let mut out = vec![0u64; a.len().max(8) + 1];
    out[..a.len()].copy_from_slice(a);
    for (i, ui) in u.iter().enumerate() {
        let mut carry = 0u128;
        for (j, xj) in x.iter().enumerate() {
            let t = u128::from(*ui) * u128::from(*xj) + u128::from(out[i + j]) + carry;
            out[i + j] = t as u64;
            carry = t >> 64;
        }
        let mut k = i + 4;
        while k < out.len() {
            let t = u128::from(out[k]) + carry;
            out[k] = t as u64;
            carry = t >> 64;
            k += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plus_u_x_is_exact() {
        let max = [u64::MAX; 4];
        // (2^256 − 1)² + (2^256 − 1) = 2^512 − 2^256
        let e = a_plus_u_x(&max, &max, &max);
        assert_eq!(e.len(), 9);
        assert_eq!(&e[..4], &[0, 0, 0, 0]);
        assert_eq!(&e[4..8], &[u64::MAX; 4]);
        assert_eq!(e[8], 0);
        let long = vec![u64::MAX; 16];
        let e = a_plus_u_x(&long, &[1, 0, 0, 0], &[1, 0, 0, 0]);
        assert_eq!(e[..16], [0; 16]);
        assert_eq!(e[16], 1);
    }

    #[test]
    fn salts_decode_by_value() {
        assert_eq!(decode_salt("abc"), Ok(vec![0x0a, 0xbc]));
        assert_eq!(decode_salt("00FF"), Ok(vec![0, 0xff]));
        assert_eq!(decode_salt(""), Err(SrpError::InvalidChallenge));
        assert_eq!(decode_salt("zz"), Err(SrpError::InvalidChallenge));
        assert_eq!(decode_salt("é"), Err(SrpError::InvalidChallenge));
    }
}
