//! Interop with PyJWT and pyca/cryptography, an implementation sharing no code
//! with ours. `tests/vectors/jwt_rs256_vectors.json` was written by
//! `tests/vectors/jwt_interop.py make`: a fixed test key (PKCS#8 from
//! `cryptography`), its kid and JWK computed in Python, tokens PyJWT signed. The
//! other direction: `print_interop_vector` (ignored) prints a fresh key and token
//! for `jwt_interop.py check` to verify with `jwt.decode`.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD as BASE64URL};
use serde_json::{Value, json};

use super::super::*;

const VECTORS: &str = include_str!("../../../tests/vectors/jwt_rs256_vectors.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("vectors are JSON")
}

fn text(value: &Value) -> &str {
    value.as_str().expect("string")
}

fn vector_key(vectors: &Value) -> SigningKey {
    let der = BASE64
        .decode(text(&vectors["pkcs8_der_b64"]))
        .expect("base64");
    SigningKey::from_pkcs8(&der).expect("cryptography's PKCS#8 loads")
}

fn part(token: &str, index: usize) -> Vec<u8> {
    let part = token.split('.').nth(index).expect("part");
    BASE64URL.decode(part).expect("base64url")
}

#[test]
fn kid_and_jwk_match_what_python_derives() {
    let vectors = vectors();
    let key = vector_key(&vectors);
    assert_eq!(key.kid(), text(&vectors["kid"]));
    assert_eq!(key.public_key().to_jwk(), vectors["jwk"]);
    assert_eq!(
        PublicKey::from_jwk(&vectors["jwk"]).expect("jwk"),
        key.public_key()
    );
    // Re-exported by AWS-LC, the key is the same key.
    let again = SigningKey::from_pkcs8(&key.to_pkcs8()).expect("round trip");
    assert_eq!(again.public_key(), key.public_key());
}

#[test]
fn our_tokens_are_byte_identical_to_pyjwts() {
    let vectors = vectors();
    let key = vector_key(&vectors);
    let cases = vectors["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 3);
    for case in cases {
        let name = text(&case["name"]);
        let payload: Claims = serde_json::from_str(text(&case["payload_json"])).expect("payload");
        let token = key.sign(&payload).expect("sign");
        assert_eq!(token, text(&case["tessera_token"]), "{name}");
        assert_eq!(
            part(&token, 1),
            text(&case["payload_json"]).as_bytes(),
            "{name}"
        );
    }
}

#[test]
fn tokens_pyjwt_signed_verify_with_the_same_claims() {
    let vectors = vectors();
    let public = PublicKey::from_jwk(&vectors["jwk"]).expect("jwk");
    let key = vector_key(&vectors);
    for case in vectors["cases"].as_array().expect("cases") {
        let name = text(&case["name"]);
        let payload: Claims = serde_json::from_str(text(&case["payload_json"])).expect("payload");
        for token in [text(&case["tessera_token"]), text(&case["pyjwt_token"])] {
            assert_eq!(
                peek_kid(token).as_deref(),
                Ok(text(&vectors["kid"])),
                "{name}"
            );
            assert_eq!(verify(token, &public), Ok(payload.clone()), "{name}");
        }
        // jwt.encode's own header ({"alg","kid","typ"}) and payload bytes
        // (insertion order, \u escapes): signing the same bytes gives its token.
        let pyjwt = text(&case["pyjwt_token"]);
        let header = part(pyjwt, 0);
        assert_eq!(
            serde_json::from_slice::<Value>(&header).expect("header"),
            json!({"alg": "RS256", "kid": text(&vectors["kid"]), "typ": "JWT"})
        );
        let resigned = key.sign_json(&header, &part(pyjwt, 1)).expect("sign");
        assert_eq!(resigned, pyjwt, "{name}");
    }
}

#[test]
fn forbidden_tokens_pyjwt_made_are_refused() {
    let vectors = vectors();
    let public = PublicKey::from_jwk(&vectors["jwk"]).expect("jwk");
    let forbidden = vectors["forbidden"].as_array().expect("forbidden");
    assert_eq!(forbidden.len(), 12);
    for vector in forbidden {
        let attack = text(&vector["attack"]);
        let alg = text(&vector["alg"]);
        assert_eq!(
            verify(text(&vector["token"]), &public),
            Err(JwtError::UnsupportedAlgorithm(alg.to_owned())),
            "{attack}"
        );
    }
}

/// Prints a fresh key, its JWK and a token for `jwt_interop.py check`:
/// `cargo test -p tessera-crypto print_interop_vector -- --ignored --nocapture
///   | python3 crates/tessera-crypto/tests/vectors/jwt_interop.py check`
#[test]
#[ignore = "prints a vector for tests/vectors/jwt_interop.py check"]
fn print_interop_vector() {
    let key = SigningKey::generate().expect("generate");
    let Value::Object(claims) = json!({
        "sub": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1",
        "aud": "1example23456789abcdefghij",
        "token_use": "id",
        "auth_time": 1_716_552_000,
        "iat": 1_716_552_000,
        "exp": 4_102_444_800u64, // 2100-01-01: PyJWT checks exp for real
        "name": "Zoë 测试 🚀",
        "email_verified": true,
        "cognito:groups": ["admins"],
    }) else {
        unreachable!()
    };
    let token = key.sign(&claims).expect("sign");
    assert_eq!(verify(&token, &key.public_key()), Ok(claims.clone()));
    let line = json!({
        "pkcs8_der_b64": BASE64.encode(key.to_pkcs8()),
        "jwk": key.public_key().to_jwk(),
        "token": token,
        "claims": claims,
    });
    println!("JWT_INTEROP {line}");
}
