//! Signing keys and public keys: generation, kid, PKCS#8, `Debug`, JWK.

use super::*;

#[test]
fn generated_key_is_rsa_2048_with_e_65537_and_a_cognito_style_kid() {
    let key = key();
    assert_eq!(key.kid().len(), 44);
    assert!(key.kid().ends_with('='));
    let jwk = key.public_key().to_jwk();
    assert_eq!(jwk["e"], "AQAB");
    let n = decode(jwk["n"].as_str().expect("n"));
    assert_eq!(n.len(), 256);
    assert!(n[0] >= 0x80, "2048 bits exactly, no leading zero byte");
    assert_ne!(key.kid(), other_key().kid());
}

#[test]
fn kid_is_sha256_of_the_subject_public_key_info() {
    let pair = RsaKeyPair::from_pkcs8(&key().to_pkcs8()).expect("pkcs8");
    let spki = pair.public_key().as_der().expect("spki");
    assert_eq!(key().kid(), BASE64.encode(digest(&SHA256, spki.as_ref())));
}

#[test]
fn pkcs8_round_trip_keeps_kid_public_key_and_signatures() {
    let der = key().to_pkcs8();
    let again = SigningKey::from_pkcs8(&der).expect("from_pkcs8");
    assert_eq!(again.kid(), key().kid());
    assert_eq!(again.public_key(), key().public_key());
    assert_eq!(again.to_pkcs8(), der);
    // RS256 is deterministic: the same key signs the same claims identically.
    assert_eq!(again.sign(&claims()), key().sign(&claims()));
}

#[test]
fn from_pkcs8_rejects_garbage_and_non_rsa_keys() {
    assert!(matches!(
        SigningKey::from_pkcs8(b""),
        Err(JwtError::Malformed(_))
    ));
    assert!(matches!(
        SigningKey::from_pkcs8(&[0x30; 100]),
        Err(JwtError::Malformed(_))
    ));
    let mut der = key().to_pkcs8();
    der.truncate(der.len() - 1);
    assert!(SigningKey::from_pkcs8(&der).is_err());
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let ed = aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(&rng).expect("ed25519");
    assert!(SigningKey::from_pkcs8(ed.as_ref()).is_err());
}

#[test]
fn debug_never_shows_key_material() {
    let key = key();
    let debug = format!("{key:?} {key:#?} {:?}", key.public_key());
    assert_eq!(
        format!("{key:?}"),
        format!(
            r#"SigningKey {{ kid: "{}", private_key: "<redacted>" }}"#,
            key.kid()
        )
    );
    let der = key.to_pkcs8();
    for window in der.windows(6).step_by(6) {
        assert!(!debug.contains(&hex::encode(window)), "{debug}");
        assert!(!debug.contains(&BASE64.encode(window)), "{debug}");
        assert!(!debug.contains(&b64(window)), "{debug}");
    }
    let n = key.public_key().to_jwk()["n"]
        .as_str()
        .expect("n")
        .to_owned();
    assert!(
        !debug.contains(&n[..16]),
        "the modulus is not printed either"
    );
}

#[test]
fn keys_are_shareable_across_threads() {
    fn shareable<T: Send + Sync + Clone>() {}
    fn sendable<T: Send + Sync>() {}
    shareable::<PublicKey>();
    sendable::<SigningKey>();
}

#[test]
fn jwk_has_cognitos_members_in_cognitos_order() {
    let jwk = key().public_key().to_jwk();
    let text = jwk.to_string();
    let expected = format!(
        r#"{{"alg":"RS256","e":"AQAB","kid":"{}","kty":"RSA","n":"{}","use":"sig"}}"#,
        key().kid(),
        jwk["n"].as_str().expect("n")
    );
    assert_eq!(text, expected);
}

#[test]
fn jwk_round_trips_and_verifies() {
    let public = PublicKey::from_jwk(&key().public_key().to_jwk()).expect("from_jwk");
    assert_eq!(public, key().public_key());
    let token = key().sign(&claims()).expect("sign");
    assert_eq!(verify(&token, &public), Ok(claims()));
}

#[test]
fn jwk_tolerates_missing_optional_members_and_leading_zeros() {
    let mut jwk = key().public_key().to_jwk();
    let object = jwk.as_object_mut().expect("object");
    object.remove("alg");
    object.remove("use");
    let mut n = vec![0u8];
    n.extend(decode(object["n"].as_str().expect("n")));
    object.insert("n".into(), b64(&n).into());
    object.insert("e".into(), b64([0, 1, 0, 1]).into());
    assert_eq!(PublicKey::from_jwk(&jwk), Ok(key().public_key()));
}

#[test]
fn jwk_rejections() {
    let good = key().public_key().to_jwk();
    let with = |name: &str, value: Value| {
        let mut jwk = good.clone();
        jwk[name] = value;
        PublicKey::from_jwk(&jwk)
    };
    let without = |name: &str| {
        let mut jwk = good.clone();
        jwk.as_object_mut().expect("object").remove(name);
        PublicKey::from_jwk(&jwk)
    };
    assert_eq!(
        with("alg", "RS384".into()),
        Err(JwtError::UnsupportedAlgorithm("RS384".into()))
    );
    assert_eq!(
        with("alg", "HS256".into()),
        Err(JwtError::UnsupportedAlgorithm("HS256".into()))
    );
    for (name, value) in [
        ("kty", json!("EC")),
        ("kty", json!("oct")),
        ("use", json!("enc")),
        ("kid", json!("")),
        ("kid", json!(7)),
        ("n", json!(b64([0xC5; 128]))),  // 1024-bit modulus
        ("n", json!(b64([0xC5; 1025]))), // 8200-bit modulus
        ("n", json!("AQAB=")),           // padded
        ("n", json!("not base64!")),
        ("n", json!(BASE64.encode([0xfb; 256]))), // standard alphabet, not url-safe
        ("e", json!(b64([1, 0, 0]))),             // even
        ("e", json!(b64([1]))),                   // 1
        ("e", json!(b64([1, 0, 0, 0, 1]))),       // 33 bits
        ("e", json!("")),
    ] {
        assert!(
            matches!(with(name, value.clone()), Err(JwtError::Malformed(_))),
            "{name}={value}"
        );
    }
    for name in ["kty", "kid", "n", "e"] {
        assert!(
            matches!(without(name), Err(JwtError::Malformed(_))),
            "{name}"
        );
    }
    for jwk in [json!(null), json!([]), json!("RSA"), json!({})] {
        assert!(matches!(
            PublicKey::from_jwk(&jwk),
            Err(JwtError::Malformed(_))
        ));
    }
}
