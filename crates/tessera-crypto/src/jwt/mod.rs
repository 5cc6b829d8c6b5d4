//! RS256 JSON Web Tokens as Cognito issues them: signing ID and access tokens,
//! verifying them, and publishing the keys as a JWKS.
//!
//! A token is a compact JWS whose header is exactly `{"kid":"…","alg":"RS256"}`
//! (Cognito's two members, that order, no `typ`) and whose payload is the claims
//! object as serde_json writes it. RS256 is RSASSA-PKCS1-v1_5 with SHA-256 over
//! RSA-2048 keys, all from AWS-LC. PKCS#1 v1.5 signatures are deterministic, so
//! the tests require our tokens to be byte-identical to PyJWT's for the same key,
//! header and payload (`tests/vectors/jwt_interop.py`).
//!
//! [`verify`] accepts RS256 only: whatever else a header names (`none`, `HS256` —
//! the "HMAC keyed with the public key" confusion —, `RS384`, `PS256`, `ES256`, …)
//! is refused before any key is used. It checks the signature and returns the
//! claims; whether `exp`, `iss`, `aud`/`client_id` and `token_use` suit the caller
//! is the caller's decision, since this crate reads no clock.
//!
//! - `keys`: [`SigningKey`] (private, sealed at rest by the caller as PKCS#8) and
//!   [`PublicKey`] (its JWK form), with Cognito-style key ids.
//! - `compact`: splitting and decoding the compact form, strictly.

mod compact;
mod keys;

#[cfg(test)]
mod tests;

pub use keys::{PublicKey, SigningKey};

use serde_json::{Map, Value};

/// The only signature algorithm issued or accepted.
pub const ALGORITHM: &str = "RS256";
/// Longest token [`verify`] and [`peek_kid`] will look at, in bytes. Cognito's
/// tokens are a few kilobytes even with many attributes and groups.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Why a token or key was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Not a well-formed compact JWS / JWK; says which part is wrong.
    #[error("malformed token or key: {0}")]
    Malformed(&'static str),
    /// The header (or JWK) names an algorithm other than RS256.
    #[error("unsupported JWT algorithm {0:?}: only RS256 is accepted")]
    UnsupportedAlgorithm(String),
    /// The token's `kid` is not the key it was checked against.
    #[error("the token's key id does not match the key")]
    KeyMismatch,
    /// The RS256 signature does not verify under the key.
    #[error("the token's signature does not verify")]
    BadSignature,
    /// AWS-LC refused a key or failed to sign.
    #[error("the RSA implementation refused the key or failed")]
    Crypto,
}

/// A signed token as claims (the caller checks expiry, issuer and audience).
pub type Claims = Map<String, Value>;

/// The `kid` a token's header names, so a verifier can pick the key from its JWKS.
/// Nothing is verified: the token is only structurally checked.
///
/// # Errors
/// [`JwtError::Malformed`] if the token is not a compact JWS or its header has no
/// string `kid`.
pub fn peek_kid(token: &str) -> Result<String, JwtError> {
    let parts = compact::Parts::split(token)?;
    let header = parts.header()?;
    compact::kid(&header).map(str::to_owned)
}

/// Verifies an RS256 token's signature with `key` and returns its claims.
///
/// The header must name `alg` `RS256` and `kid` = `key.kid()`, and have no `crit`.
/// The payload is parsed only once the signature has verified.
///
/// # Errors
/// [`JwtError::Malformed`] for anything structurally wrong (parts, base64url,
/// JSON, duplicate members, size over [`MAX_TOKEN_LEN`]);
/// [`JwtError::UnsupportedAlgorithm`] for any `alg` but RS256;
/// [`JwtError::KeyMismatch`] for another key's `kid`;
/// [`JwtError::BadSignature`] when the signature does not verify.
pub fn verify(token: &str, key: &PublicKey) -> Result<Claims, JwtError> {
    let parts = compact::Parts::split(token)?;
    let header = parts.header()?;
    compact::check_algorithm(&header)?;
    if compact::kid(&header)? != key.kid() {
        return Err(JwtError::KeyMismatch);
    }
    let signature = parts.signature()?;
    key.verify_signature(parts.signing_input.as_bytes(), &signature)?;
    parts.claims()
}
