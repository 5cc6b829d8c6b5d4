//! Signing and verifying: round trips, tampering, wrong keys, and every
//! algorithm but RS256 (including the HS256 key-confusion attack).

use super::*;

#[test]
fn round_trip_with_cognitos_exact_header() {
    let token = key().sign(&claims()).expect("sign");
    let [header, payload, signature] = parts(&token);
    assert_eq!(decode(&header), our_header().as_bytes());
    assert_eq!(
        decode(&payload),
        serde_json::to_vec(&claims()).expect("json")
    );
    assert_eq!(decode(&signature).len(), 256);
    assert!(!token.contains('='));
    assert_eq!(peek_kid(&token).as_deref(), Ok(key().kid()));
    assert_eq!(verify_ours(&token), Ok(claims()));
}

#[test]
fn round_trip_of_every_json_type_and_unicode() {
    let Value::Object(claims) = json!({
        "name": "Zoë 测试 🚀 \"quoted\" \\ / \n \u{1}",
        "email_verified": true,
        "cognito:groups": ["a", "b"],
        "address": {"formatted": "x"},
        "updated_at": 1_716_552_000u64,
        "negative": -1,
        "nothing": null,
        "float": 1.5,
    }) else {
        unreachable!()
    };
    let token = key().sign(&claims).expect("sign");
    assert_eq!(verify_ours(&token), Ok(claims));
    assert_eq!(
        verify_ours(&key().sign(&Claims::new()).expect("sign")),
        Ok(Claims::new())
    );
}

#[test]
fn tampered_payload_header_or_signature_is_refused() {
    let token = key().sign(&claims()).expect("sign");
    let [header, payload, signature] = parts(&token);

    let mut escalated = claims();
    escalated.insert("scope".into(), "admin".into());
    let payload2 = b64(serde_json::to_vec(&escalated).expect("json"));
    assert_eq!(
        verify_ours(&format!("{header}.{payload2}.{signature}")),
        Err(JwtError::BadSignature)
    );

    // Same meaning, different bytes: still refused.
    let header2 = b64(format!(r#"{{"kid":"{}", "alg":"RS256"}}"#, key().kid()));
    assert_eq!(
        verify_ours(&format!("{header2}.{payload}.{signature}")),
        Err(JwtError::BadSignature)
    );
    let header3 = b64(format!(
        r#"{{"kid":"{}","alg":"RS256","typ":"JWT"}}"#,
        key().kid()
    ));
    assert_eq!(
        verify_ours(&format!("{header3}.{payload}.{signature}")),
        Err(JwtError::BadSignature)
    );

    let mut sig = decode(&signature);
    for index in [0, 100, 255] {
        sig[index] ^= 1;
        assert_eq!(
            verify_ours(&format!("{header}.{payload}.{}", b64(&sig))),
            Err(JwtError::BadSignature)
        );
        sig[index] ^= 1;
    }
    for truncated in [&sig[..255], &sig[1..], &[][..]] {
        assert!(verify_ours(&format!("{header}.{payload}.{}", b64(truncated))).is_err());
    }
    let mut longer = sig.clone();
    longer.push(0);
    assert!(verify_ours(&format!("{header}.{payload}.{}", b64(&longer))).is_err());

    // Another token's payload under this signature.
    let other = key().sign(&escalated).expect("sign");
    let [_, other_payload, _] = parts(&other);
    assert_eq!(
        verify_ours(&format!("{header}.{other_payload}.{signature}")),
        Err(JwtError::BadSignature)
    );
}

#[test]
fn another_keys_token_is_refused() {
    let token = other_key().sign(&claims()).expect("sign");
    assert_eq!(verify_ours(&token), Err(JwtError::KeyMismatch));
    // Even when it claims our kid, the signature gives it away.
    let [_, payload, signature] = parts(&token);
    assert_eq!(
        verify_ours(&format!("{}.{payload}.{signature}", b64(our_header()))),
        Err(JwtError::BadSignature)
    );
}

#[test]
fn kid_must_be_the_keys() {
    let payload = r#"{"sub":"x"}"#;
    assert_eq!(
        verify_ours(&signed(r#"{"kid":"someone-else=","alg":"RS256"}"#, payload)),
        Err(JwtError::KeyMismatch)
    );
    assert!(matches!(
        verify_ours(&signed(r#"{"alg":"RS256"}"#, payload)),
        Err(JwtError::Malformed(_))
    ));
    assert!(matches!(
        verify_ours(&signed(r#"{"kid":null,"alg":"RS256"}"#, payload)),
        Err(JwtError::Malformed(_))
    ));
    assert!(matches!(
        peek_kid(&signed(r#"{"alg":"RS256"}"#, payload)),
        Err(JwtError::Malformed(_))
    ));
}

#[test]
fn only_rs256_is_accepted_whatever_the_signature() {
    let payload = r#"{"sub":"x"}"#;
    for alg in [
        "none",
        "None",
        "NONE",
        "nOnE",
        "HS256",
        "HS384",
        "HS512",
        "RS384",
        "RS512",
        "PS256",
        "PS384",
        "PS512",
        "ES256",
        "ES384",
        "ES512",
        "EdDSA",
        "rs256",
        "RS256 ",
        " RS256",
        "RS256\u{0}",
        "",
        "RSA-OAEP",
        "dir",
    ] {
        let header = format!(r#"{{"kid":"{}","alg":{}}}"#, key().kid(), Value::from(alg));
        // Even a valid RS256 signature over the header does not make it acceptable.
        assert_eq!(
            verify_ours(&signed(&header, payload)),
            Err(JwtError::UnsupportedAlgorithm(alg.to_owned())),
            "{alg}"
        );
        let unsigned = format!("{}.{}.", b64(&header), b64(payload));
        assert_eq!(
            verify_ours(&unsigned),
            Err(JwtError::UnsupportedAlgorithm(alg.to_owned())),
            "{alg} unsigned"
        );
    }
    for alg in ["null", "256", r#"["RS256"]"#, r#"{"name":"RS256"}"#, "true"] {
        let header = format!(r#"{{"kid":"{}","alg":{alg}}}"#, key().kid());
        assert!(
            matches!(
                verify_ours(&signed(&header, payload)),
                Err(JwtError::Malformed(_))
            ),
            "{alg}"
        );
    }
    let header = format!(r#"{{"kid":"{}"}}"#, key().kid());
    assert!(matches!(
        verify_ours(&signed(&header, payload)),
        Err(JwtError::Malformed(_))
    ));
}

#[test]
fn alg_none_with_empty_signature_is_refused() {
    let header = format!(r#"{{"kid":"{}","alg":"none"}}"#, key().kid());
    let token = format!(
        "{}.{}.",
        b64(&header),
        b64(serde_json::to_vec(&claims()).expect("json"))
    );
    assert_eq!(
        verify_ours(&token),
        Err(JwtError::UnsupportedAlgorithm("none".into()))
    );
    // And without the trailing dot (two parts) it is not even a JWS.
    assert!(matches!(
        verify_ours(token.trim_end_matches('.')),
        Err(JwtError::Malformed(_))
    ));
    // RS256 claimed, no signature.
    let token = format!("{}.{}.", b64(our_header()), b64(r#"{"sub":"x"}"#));
    assert!(verify_ours(&token).is_err());
}

/// The classic key-confusion attack: a verifier that lets the token choose the
/// algorithm would check HS256 with the "key" it has, i.e. the public key bytes.
#[test]
fn hs256_keyed_with_public_key_material_is_refused() {
    let public = key().public_key();
    let jwk = public.to_jwk();
    let pair = RsaKeyPair::from_pkcs8(&key().to_pkcs8()).expect("pkcs8");
    let spki = pair.public_key().as_der().expect("spki");
    let pkcs1 = pair.public_key().as_ref().to_vec();
    let pem = |label: &str, der: &[u8]| {
        let body = BASE64.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|line| std::str::from_utf8(line).expect("ascii"))
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    };
    let secrets: Vec<(&str, Vec<u8>)> = vec![
        ("n bytes", decode(jwk["n"].as_str().expect("n"))),
        (
            "n base64url text",
            jwk["n"].as_str().expect("n").as_bytes().to_vec(),
        ),
        ("SPKI DER", spki.as_ref().to_vec()),
        ("PKCS#1 DER", pkcs1.clone()),
        ("SPKI PEM", pem("PUBLIC KEY", spki.as_ref()).into_bytes()),
        ("PKCS#1 PEM", pem("RSA PUBLIC KEY", &pkcs1).into_bytes()),
        ("JWK JSON", jwk.to_string().into_bytes()),
        ("kid", key().kid().as_bytes().to_vec()),
        ("empty", Vec::new()),
    ];
    let payload = serde_json::to_string(&claims()).expect("json");
    for (what, secret) in secrets {
        for header in [
            format!(r#"{{"kid":"{}","alg":"HS256"}}"#, key().kid()),
            format!(r#"{{"alg":"HS256","kid":"{}","typ":"JWT"}}"#, key().kid()),
        ] {
            assert_eq!(
                verify_ours(&hs256(&header, &payload, &secret)),
                Err(JwtError::UnsupportedAlgorithm("HS256".into())),
                "{what}"
            );
        }
        // Claiming RS256 over an HMAC tag fails the RSA check.
        assert_eq!(
            verify_ours(&hs256(&our_header(), &payload, &secret)),
            Err(JwtError::BadSignature),
            "{what}"
        );
    }
}

#[test]
fn critical_extensions_and_duplicate_members_are_refused() {
    let kid = key().kid();
    for header in [
        format!(r#"{{"kid":"{kid}","alg":"RS256","crit":["exp"],"exp":1}}"#),
        format!(r#"{{"kid":"{kid}","alg":"RS256","b64":false,"crit":["b64"]}}"#),
        format!(r#"{{"kid":"{kid}","alg":"none","alg":"RS256"}}"#),
        format!(r#"{{"kid":"{kid}","alg":"RS256","alg":"RS256"}}"#),
        format!(r#"{{"kid":"someone-else=","kid":"{kid}","alg":"RS256"}}"#),
    ] {
        assert!(
            matches!(
                verify_ours(&signed(&header, "{}")),
                Err(JwtError::Malformed(_))
            ),
            "{header}"
        );
    }
    // A payload where two parsers could disagree on the subject.
    let token = signed(&our_header(), r#"{"sub":"victim","sub":"attacker"}"#);
    assert!(matches!(verify_ours(&token), Err(JwtError::Malformed(_))));
}
