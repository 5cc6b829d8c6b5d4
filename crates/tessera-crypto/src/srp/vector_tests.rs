//! The SRP math checked against real clients run with fixed randomness.
//!
//! - `tests/vectors/srp_pycognito_vectors.json`: pycognito 2024.5.1's
//!   `AWSSRP.authenticate_user()`, written by `make_srp_pycognito_vectors.py`.
//! - `tests/vectors/srp_js_vectors.json`: amazon-cognito-identity-js 6.3.21's
//!   `CognitoUser.authenticateUser()`, written by `make_srp_js_vectors.js` (a salt with
//!   its top bit set, a salt with a leading zero byte, non-ASCII username and password).
//!
//! Each generator plays the server with srp.md's formulas and fixed salt, b and
//! SECRET_BLOCK, pins the client's `a` and clock, and records what the client sent.
//! Here: our verifier and B must equal the generator's, our server must accept the
//! client's signature (and refuse it with one bit changed), and our client must
//! produce the same signature.

use serde_json::Value;

use super::*;

const PYCOGNITO: &str = include_str!("../../tests/vectors/srp_pycognito_vectors.json");
const JS: &str = include_str!("../../tests/vectors/srp_js_vectors.json");

fn cases(json: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(json).expect("vectors are JSON");
    assert_eq!(
        doc["k_hex"].as_str(),
        Some(hex_of(&group::k()).as_str()),
        "k"
    );
    doc["cases"].as_array().expect("cases").clone()
}

fn text<'a>(case: &'a Value, key: &str) -> &'a str {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing"))
}

fn bytes(case: &Value, key: &str) -> Vec<u8> {
    hex::decode(text(case, key)).expect("hex field")
}

fn flip_one_bit(signature_b64: &str, bit: usize) -> String {
    let mut raw = BASE64.decode(signature_b64).expect("base64");
    raw[bit / 8] ^= 1 << (bit % 8);
    BASE64.encode(raw)
}

fn check_case(case: &Value) {
    let name = text(case, "name");
    let pool_name = text(case, "pool_name");
    assert_eq!(
        text(case, "pool_id").split('_').nth(1),
        Some(pool_name),
        "{name}"
    );
    let user_id = text(case, "user_id_for_srp");
    let password = text(case, "password");
    let salt = bytes(case, "salt_bytes_hex");

    // The verifier, and SALT on the wire.
    let v = make_verifier_with_salt(&salt, pool_name, user_id, password);
    assert_eq!(salt_hex(&v), text(case, "salt_wire"), "{name}: SALT");
    let x = x_exponent(&salt, pool_name, user_id, password);
    assert_eq!(
        hex::encode(exponent_be_bytes(&x)).trim_start_matches('0'),
        text(case, "x_hex"),
        "{name}: x"
    );
    let v_int = verifier_value(&v).expect("valid verifier");
    assert_eq!(hex_of(&v_int), text(case, "verifier_hex"), "{name}: v");
    assert!(password_matches(&v, pool_name, user_id, password), "{name}");
    assert!(!password_matches(
        &v,
        pool_name,
        user_id,
        &format!("{password}x")
    ));

    // B from the same b.
    let b: [u8; 32] = bytes(case, "b_hex").try_into().expect("32-byte b");
    let e = challenge_with_secret(&v, b);
    assert_eq!(public_b_hex(&e), text(case, "srp_b"), "{name}: SRP_B");

    // The client's A, u and the session key.
    let a = parse_public_a(text(case, "srp_a")).expect("client A");
    let public_b = group::from_be_bytes(&e.public_b).expect("B");
    let u = u_value(&a.0, &public_b);
    assert_eq!(
        hex::encode(exponent_be_bytes(&u)).trim_start_matches('0'),
        text(case, "u_hex"),
        "{name}: u"
    );

    // Our server accepts the real client's signature …
    let block = BASE64
        .decode(text(case, "secret_block_b64"))
        .expect("SECRET_BLOCK");
    let ts = text(case, "timestamp");
    let signature = text(case, "signature");
    assert!(
        verify_claim(&v, &a, &e, pool_name, user_id, &block, ts, signature),
        "{name}: the client's signature is refused"
    );
    // … and refuses it with any one bit changed (a sample of positions).
    for bit in [0, 1, 7, 8, 100, 255] {
        let tampered = flip_one_bit(signature, bit);
        assert!(
            !verify_claim(&v, &a, &e, pool_name, user_id, &block, ts, &tampered),
            "{name}: bit {bit}"
        );
    }
    let mut block_tampered = block.clone();
    block_tampered[0] ^= 1;
    assert!(!verify_claim(
        &v,
        &a,
        &e,
        pool_name,
        user_id,
        &block_tampered,
        ts,
        signature
    ));
    // A verifier for another password refuses it.
    let other = make_verifier_with_salt(&salt, pool_name, user_id, "not the password");
    assert!(!verify_claim(
        &other, &a, &e, pool_name, user_id, &block, ts, signature
    ));

    // Our client reproduces the real client's A and signature.
    let client = client::start_with_secret(&bytes(case, "a_hex"));
    assert_eq!(client.public_a_hex(), text(case, "srp_a"), "{name}: SRP_A");
    let ours = client
        .claim_signature(
            pool_name,
            user_id,
            password,
            text(case, "salt_wire"),
            text(case, "srp_b"),
            text(case, "secret_block_b64"),
            ts,
        )
        .expect("well-formed challenge");
    assert_eq!(ours, signature, "{name}: client signature");

    // The timestamp the client sent parses and formats back to itself.
    let t = parse_timestamp(ts).expect("client timestamp parses");
    assert_eq!(format_timestamp(t), ts, "{name}: timestamp");

    // SECRET_HASH as the client computed it (typed username in InitiateAuth, the
    // internal username in the PASSWORD_VERIFIER response).
    if let Some(client_secret) = case["client_secret"].as_str() {
        let client_id = text(case, "client_id");
        assert_eq!(
            secret_hash(client_secret, text(case, "username_typed"), client_id),
            text(case, "secret_hash_initiate"),
            "{name}"
        );
        assert!(secret_hash_matches(
            client_secret,
            text(case, "response_username"),
            client_id,
            text(case, "secret_hash_respond"),
        ));
    }
}

#[test]
fn pycognito_vectors() {
    let cases = cases(PYCOGNITO);
    assert!(cases.len() >= 2);
    for case in &cases {
        assert!(text(case, "client").starts_with("pycognito"));
        check_case(case);
    }
}

#[test]
fn amazon_cognito_identity_js_vectors() {
    let cases = cases(JS);
    assert!(cases.len() >= 2);
    // The set covers padHex's 00 prefix on SALT and non-ASCII identities.
    assert!(cases.iter().any(|c| text(c, "salt_wire").starts_with("00")));
    assert!(cases.iter().any(|c| !text(c, "user_id_for_srp").is_ascii()));
    for case in &cases {
        assert!(text(case, "client").starts_with("amazon-cognito-identity-js"));
        check_case(case);
    }
}
