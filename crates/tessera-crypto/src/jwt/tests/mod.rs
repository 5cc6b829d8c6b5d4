//! Tests of `jwt`, with helpers shared by its parts:
//! - `keys`: generation, kid derivation, PKCS#8 round trips, redacted `Debug`, JWK.
//! - `tokens`: round trips, tampering, wrong keys, forbidden algorithms
//!   (including HS256 keyed with the public key), `crit` and duplicate members.
//! - `malformed`: structurally bad tokens, size limit, mutation fuzzing.
//! - `interop`: vectors from PyJWT / pyca/cryptography, byte-identical signatures.

mod interop;
mod keys;
mod malformed;
mod tokens;

use std::sync::OnceLock;

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::hmac;
use aws_lc_rs::signature::{KeyPair as _, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD as BASE64URL};
use serde_json::{Value, json};

use super::*;

fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate().expect("generate"))
}

fn other_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate().expect("generate"))
}

fn claims() -> Claims {
    let Value::Object(claims) = json!({
        "sub": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1",
        "client_id": "1example23456789abcdefghij",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": 1_716_552_000,
        "iat": 1_716_552_000,
        "exp": 1_716_555_600,
        "username": "zoe",
    }) else {
        unreachable!()
    };
    claims
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    BASE64URL.encode(bytes)
}

fn decode(part: &str) -> Vec<u8> {
    BASE64URL.decode(part).expect("base64url")
}

fn parts(token: &str) -> [String; 3] {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    [
        parts[0].to_owned(),
        parts[1].to_owned(),
        parts[2].to_owned(),
    ]
}

/// A token with any header and payload text, signed (validly) by `key()`.
fn signed(header: &str, payload: &str) -> String {
    key()
        .sign_json(header.as_bytes(), payload.as_bytes())
        .expect("sign")
}

fn our_header() -> String {
    format!(r#"{{"kid":"{}","alg":"RS256"}}"#, key().kid())
}

fn hs256(header: &str, payload: &str, secret: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), input.as_bytes());
    format!("{input}.{}", b64(tag))
}

fn verify_ours(token: &str) -> Result<Claims, JwtError> {
    verify(token, &key().public_key())
}
