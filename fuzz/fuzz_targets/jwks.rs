//! JWKS documents and their keys: one JWK, or a document's `keys`, read as
//! `PublicKey`s; a key that reads writes back as a JWK that reads as the same
//! key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tessera_crypto::jwt::PublicKey;

fn check(jwk: &Value) {
    let Ok(key) = PublicKey::from_jwk(jwk) else {
        return;
    };
    let written = key.to_jwk();
    let again = PublicKey::from_jwk(&written)
        .unwrap_or_else(|e| panic!("{written} (from {jwk}) does not read back: {e:?}"));
    assert_eq!(again, key);
    assert_eq!(again.to_jwk(), written);
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    check(&value);
    if let Some(keys) = value.get("keys").and_then(Value::as_array) {
        for jwk in keys {
            check(jwk);
        }
    }
});
