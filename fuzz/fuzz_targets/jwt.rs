//! JWTs as clients present them (access tokens to GetUser and the other
//! token operations, refresh flows): the compact form taken apart, the header
//! checked, the signature verified with the test key; and claims signed here
//! come back unchanged.
//!
//! Input: a token; or a JSON object, which is also signed as claims.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tessera_crypto::jwt::{self, Claims};
use tessera_fuzz::keys::JWT;

fn has_float(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_f64(),
        Value::Array(items) => items.iter().any(has_float),
        Value::Object(members) => members.values().any(has_float),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let keys = &*JWT;
    let kid = jwt::peek_kid(token);
    if let Ok(claims) = jwt::verify(token, &keys.public) {
        assert_eq!(
            kid.as_deref(),
            Ok(keys.public.kid()),
            "verified under another kid"
        );
        let _ = claims;
    }

    // Claims are signed as serde_json writes them; floats aside (serde_json's
    // default parser may round the last digit), they read back equal.
    let Ok(claims) = serde_json::from_str::<Claims>(token) else {
        return;
    };
    if claims.values().any(has_float) {
        return;
    }
    let signed = keys.signing.sign(&claims).expect("signing claims");
    assert_eq!(jwt::peek_kid(&signed).as_deref(), Ok(keys.public.kid()));
    match jwt::verify(&signed, &keys.public) {
        Ok(back) => assert_eq!(back, claims),
        // Only a token over the size limit may be refused.
        Err(e) => assert!(signed.len() > jwt::MAX_TOKEN_LEN, "{e:?} for {signed}"),
    }
});
