//! Unit tests of the SRP module: constants, encodings, the password check, the server
//! and client halves against each other, and hostile input. The real-client vectors
//! are in `vector_tests.rs`.

use super::*;

const POOL: &str = "AbCdEf123";

fn round_trip_ok(v: &Verifier, user: &str, password: &str, other_password: &str) {
    let a = client::start();
    let public_a = parse_public_a(&a.public_a_hex()).expect("A from our client parses");
    let e = server_challenge(v);
    let block = b"opaque secret block";
    let block_b64 = BASE64.encode(block);
    let ts = "Tue Mar 5 09:07:03 UTC 2024";
    let sig = a
        .claim_signature(
            POOL,
            user,
            password,
            &salt_hex(v),
            &public_b_hex(&e),
            &block_b64,
            ts,
        )
        .expect("the challenge is well-formed");
    assert!(verify_claim(v, &public_a, &e, POOL, user, block, ts, &sig));
    let wrong = a
        .claim_signature(
            POOL,
            user,
            other_password,
            &salt_hex(v),
            &public_b_hex(&e),
            &block_b64,
            ts,
        )
        .expect("the challenge is well-formed");
    assert!(!verify_claim(
        v, &public_a, &e, POOL, user, block, ts, &wrong
    ));
    // Anything else changed in the signed message is refused too.
    assert!(!verify_claim(
        v, &public_a, &e, "Other", user, block, ts, &sig
    ));
    assert!(!verify_claim(
        v, &public_a, &e, POOL, "mallory", block, ts, &sig
    ));
    assert!(!verify_claim(
        v, &public_a, &e, POOL, user, b"other", ts, &sig
    ));
    assert!(!verify_claim(
        v,
        &public_a,
        &e,
        POOL,
        user,
        block,
        "Tue Mar 5 09:07:04 UTC 2024",
        &sig
    ));
    // A different server ephemeral (a replayed signature) is refused.
    let e2 = server_challenge(v);
    assert!(!verify_claim(
        v, &public_a, &e2, POOL, user, block, ts, &sig
    ));
}

#[test]
fn k_is_the_documented_constant() {
    assert_eq!(
        hex_of(&group::k()),
        "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
    );
}

#[test]
fn n_hex_is_the_rfc_3526_prime() {
    assert_eq!(N_HEX.len(), 768);
    assert!(N_HEX.starts_with("FFFFFFFFFFFFFFFFC90FDAA22168C234"));
    assert!(N_HEX.ends_with("A93AD2CAFFFFFFFFFFFFFFFF"));
    // padHex(N) = "00" + N-hex: 770 digits.
    let n_bytes = hex::decode(N_HEX).expect("hex");
    assert_eq!(pad_hex(&n_bytes).len(), 770);
    assert_eq!(pad_hex(&n_bytes), format!("00{}", N_HEX.to_lowercase()));
}

#[test]
fn pad_hex_examples() {
    assert_eq!(pad_hex(&[20]), "14");
    assert_eq!(pad_hex(&[236]), "00ec");
    assert_eq!(pad_hex(&[0x80]), "0080");
    assert_eq!(pad_hex(&[2]), "02");
    assert_eq!(pad_hex(&[0, 0, 0x7f, 1]), "7f01");
    assert_eq!(pad_hex(&[0, 0x0a, 0xbc]), "0abc");
    assert_eq!(pad_hex(&[0, 0, 0xff]), "00ff");
    assert_eq!(pad_hex(&[]), "00");
    assert_eq!(pad_hex(&[0, 0]), "00");
}

#[test]
fn salt_hex_is_canonical_pad_hex() {
    let v = make_verifier_with_salt(&[0xf3, 0xa9], POOL, "u", "p");
    assert_eq!(salt_hex(&v), "00f3a9");
    let v = make_verifier_with_salt(&[0, 0x0b, 0xad], POOL, "u", "p");
    assert_eq!(salt_hex(&v), "0bad");
    // A redundant leading zero byte changes neither SALT nor the verifier.
    assert_eq!(
        make_verifier_with_salt(&[0, 0x0b, 0xad], POOL, "u", "p").verifier,
        make_verifier_with_salt(&[0x0b, 0xad], POOL, "u", "p").verifier
    );
    let v = make_verifier(POOL, "u", "p");
    assert_eq!(v.salt.len(), 16);
    assert_eq!(v.verifier.len(), 384);
}

#[test]
fn secret_hash_example_from_srp_md() {
    let expected = "SRSokfDPYgNH3Tm3eRbqKCsFZg9Ia07+tqRIgXhLH5s=";
    assert_eq!(secret_hash("secret", "alice", "1example23456789"), expected);
    assert!(secret_hash_matches(
        "secret",
        "alice",
        "1example23456789",
        expected
    ));
    assert!(!secret_hash_matches(
        "secret",
        "alice",
        "1example23456789",
        "SRSokfDPYgNH3Tm3eRbqKCsFZg9Ia07+tqRIgXhLH5t="
    ));
    assert!(!secret_hash_matches(
        "secret",
        "bob",
        "1example23456789",
        expected
    ));
    assert!(!secret_hash_matches(
        "secret",
        "alice",
        "1example23456789",
        "not base64!"
    ));
    assert!(!secret_hash_matches(
        "secret",
        "alice",
        "1example23456789",
        ""
    ));
}

#[test]
fn password_matches_only_the_password() {
    let v = make_verifier(POOL, "alice", "Correct-Horse-9!");
    assert!(password_matches(&v, POOL, "alice", "Correct-Horse-9!"));
    assert!(!password_matches(&v, POOL, "alice", "correct-Horse-9!"));
    assert!(!password_matches(&v, POOL, "alice", ""));
    assert!(!password_matches(&v, POOL, "alic", "eCorrect-Horse-9!"));
    assert!(!password_matches(&v, "Other", "alice", "Correct-Horse-9!"));
    let unicode = make_verifier(POOL, "josé", "pässwörd-Ω");
    assert!(password_matches(&unicode, POOL, "josé", "pässwörd-Ω"));
    assert!(!password_matches(&unicode, POOL, "jose", "pässwörd-Ω"));
}

#[test]
fn verifier_encoding_round_trips_and_refuses_garbage() {
    let v = make_verifier(POOL, "alice", "pw");
    let bytes = v.to_bytes();
    assert_eq!(bytes.len(), 3 + 16 + 384);
    assert_eq!(bytes[0], 1);
    assert_eq!(Verifier::from_bytes(&bytes), Ok(v.clone()));
    assert!(password_matches(
        &Verifier::from_bytes(&bytes).expect("round trip"),
        POOL,
        "alice",
        "pw"
    ));
    let mut wrong_version = bytes.clone();
    wrong_version[0] = 2;
    assert_eq!(
        Verifier::from_bytes(&wrong_version),
        Err(SrpError::InvalidVerifier)
    );
    assert!(Verifier::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Verifier::from_bytes(&longer).is_err());
    // v = 0 and v = N are not verifiers.
    let mut zero = bytes[..19].to_vec();
    zero.extend_from_slice(&[0; 384]);
    assert!(Verifier::from_bytes(&zero).is_err());
    let mut n = bytes[..19].to_vec();
    n.extend_from_slice(&hex::decode(N_HEX).expect("hex"));
    assert!(Verifier::from_bytes(&n).is_err());
    for len in 0..25 {
        assert!(Verifier::from_bytes(&vec![1; len]).is_err());
    }
    // Debug output keeps the verifier out of logs.
    let shown = format!("{v:?}");
    assert!(!shown.contains(&hex::encode(&v.verifier[..8])), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
}

#[test]
fn fake_verifiers_are_deterministic() {
    let a = fake_verifier(b"pool-1/nobody");
    assert_eq!(a, fake_verifier(b"pool-1/nobody"));
    assert_ne!(a.salt, fake_verifier(b"pool-1/nobody2").salt);
    assert_ne!(a.verifier, fake_verifier(b"pool-1/nobody2").verifier);
    assert_eq!(a.salt.len(), 16);
    assert_eq!(a.verifier.len(), 384);
    assert!(Verifier::from_bytes(&a.to_bytes()).is_ok());
    assert_eq!(fake_verifier(b""), fake_verifier(b""));
    // It gives ordinary challenges and no password opens it.
    let e = server_challenge(&a);
    assert_eq!(e.public_b.len(), 384);
    assert!(!password_matches(&a, POOL, "nobody", "anything"));
    let shown = format!("{e:?}");
    assert!(!shown.contains(&hex::encode(&e.secret_b)), "{shown}");
}

#[test]
fn public_a_is_validated() {
    let n_lower = N_HEX.to_lowercase();
    let refused = [
        "".to_owned(),
        "0".to_owned(),
        "0000".to_owned(),
        N_HEX.to_owned(),
        n_lower.clone(),
        format!("00{N_HEX}"),
        // N + 1 and 2^3072 − 1: ≥ N.
        format!("{}a93ad2cb0000000000000000", &n_lower[..744]),
        "f".repeat(768),
        // 2^3072: too long.
        format!("1{}", "0".repeat(768)),
        "xyz".to_owned(),
        "12 34".to_owned(),
        "0x1234".to_owned(),
        "-1".to_owned(),
        "+1".to_owned(),
        "é1".to_owned(),
        "1".repeat(5000),
    ];
    for hex in &refused {
        assert_eq!(
            parse_public_a(hex),
            Err(SrpError::InvalidPublicValue),
            "{hex:.40}"
        );
    }
    // N − 1, 1, any case, odd length, leading zeros.
    let n_minus_1 = format!("{}e", &n_lower[..767]);
    assert!(parse_public_a(&n_minus_1).is_ok());
    assert!(parse_public_a(&n_minus_1.to_uppercase()).is_ok());
    assert_eq!(
        parse_public_a("1").expect("1").to_hex(),
        parse_public_a("0001").expect("0001").to_hex()
    );
    let a = parse_public_a("AbC").expect("mixed case");
    assert_eq!(a.to_hex(), "abc");
    assert_eq!(PublicA::from_bytes(&a.to_bytes()), Ok(a.clone()));
    assert!(PublicA::from_bytes(&[0; 384]).is_err());
    assert!(PublicA::from_bytes(&hex::decode(N_HEX).expect("hex")).is_err());
    assert!(PublicA::from_bytes(&[]).is_err());
    assert!(format!("{a:?}").starts_with("PublicA("));
}

#[test]
fn server_and_client_agree() {
    let v = make_verifier(POOL, "alice", "Correct-Horse-9!");
    round_trip_ok(&v, "alice", "Correct-Horse-9!", "Correct-Horse-8!");
    let v = make_verifier(POOL, "7d0c4a5e-1f2b-4c3d-9e8f-a1b2c3d4e5f6", "ünïcödé 🙂");
    round_trip_ok(
        &v,
        "7d0c4a5e-1f2b-4c3d-9e8f-a1b2c3d4e5f6",
        "ünïcödé 🙂",
        "unicode",
    );
    // Salts with the top bit set and with leading zero bytes.
    let v = make_verifier_with_salt(&[0xff; 16], POOL, "bob", "pw");
    round_trip_ok(&v, "bob", "pw", "pW");
    let v = make_verifier_with_salt(&[0, 0, 1], POOL, "bob", "pw");
    round_trip_ok(&v, "bob", "pw", "pW");
    // The SDK-sized 1024-bit a.
    let a = client::start_with_secret(&[0xa5; 128]);
    let e = server_challenge(&v);
    let sig = a
        .claim_signature(
            POOL,
            "bob",
            "pw",
            &salt_hex(&v),
            &public_b_hex(&e),
            "",
            "Tue Mar 5 09:07:03 UTC 2024",
        )
        .expect("well-formed");
    let public_a = parse_public_a(&a.public_a_hex()).expect("A");
    assert!(verify_claim(
        &v,
        &public_a,
        &e,
        POOL,
        "bob",
        b"",
        "Tue Mar 5 09:07:03 UTC 2024",
        &sig
    ));
}

#[test]
fn verify_claim_is_false_on_malformed_input() {
    let v = make_verifier(POOL, "alice", "pw");
    let a = client::start();
    let public_a = parse_public_a(&a.public_a_hex()).expect("A");
    let e = server_challenge(&v);
    let ts = "Tue Mar 5 09:07:03 UTC 2024";
    let sig = a
        .claim_signature(
            POOL,
            "alice",
            "pw",
            &salt_hex(&v),
            &public_b_hex(&e),
            "",
            ts,
        )
        .expect("well-formed");
    assert!(verify_claim(
        &v, &public_a, &e, POOL, "alice", b"", ts, &sig
    ));
    for bad_sig in [
        "",
        "!!!!",
        "AAAA",
        &sig[..sig.len() - 1],
        &format!("{sig}AAAA"),
    ] {
        assert!(
            !verify_claim(&v, &public_a, &e, POOL, "alice", b"", ts, bad_sig),
            "{bad_sig}"
        );
    }
    let broken_e = [
        ServerEphemeral {
            secret_b: vec![],
            public_b: e.public_b.clone(),
        },
        ServerEphemeral {
            secret_b: vec![1; 33],
            public_b: e.public_b.clone(),
        },
        ServerEphemeral {
            secret_b: vec![0; 32],
            public_b: e.public_b.clone(),
        },
        ServerEphemeral {
            secret_b: e.secret_b.clone(),
            public_b: vec![1; 400],
        },
    ];
    for bad in &broken_e {
        assert!(!verify_claim(
            &v, &public_a, bad, POOL, "alice", b"", ts, &sig
        ));
    }
    let broken_v = [
        Verifier {
            salt: v.salt.clone(),
            verifier: vec![],
        },
        Verifier {
            salt: v.salt.clone(),
            verifier: vec![0xff; 384],
        },
        Verifier {
            salt: v.salt.clone(),
            verifier: vec![1; 385],
        },
    ];
    for bad in &broken_v {
        assert!(!verify_claim(
            bad, &public_a, &e, POOL, "alice", b"", ts, &sig
        ));
        assert!(!password_matches(bad, POOL, "alice", "pw"));
        // Still answers with a challenge (which nothing can satisfy), without panicking.
        assert_eq!(server_challenge(bad).public_b.len(), 384);
        let _ = bad.to_bytes();
        let _ = salt_hex(bad);
    }
    // A verifier with a leading 00 (padHex bytes, as ConfirmDevice sends them) is
    // read by value.
    let mut padded = v.clone();
    padded.verifier.insert(0, 0);
    assert!(verify_claim(
        &padded, &public_a, &e, POOL, "alice", b"", ts, &sig
    ));
    assert!(password_matches(&padded, POOL, "alice", "pw"));
}

#[test]
fn client_refuses_bad_challenges() {
    let a = client::start();
    let ts = "Tue Mar 5 09:07:03 UTC 2024";
    let v = make_verifier(POOL, "alice", "pw");
    let e = server_challenge(&v);
    let b = public_b_hex(&e);
    let salt = salt_hex(&v);
    let cases: [(&str, &str, &str, SrpError); 6] = [
        (&salt, "0", "", SrpError::InvalidPublicValue),
        (&salt, N_HEX, "", SrpError::InvalidPublicValue),
        (&salt, "zz", "", SrpError::InvalidPublicValue),
        ("", &b, "", SrpError::InvalidChallenge),
        ("xyz", &b, "", SrpError::InvalidChallenge),
        (&salt, &b, "not base64", SrpError::InvalidChallenge),
    ];
    for (salt, b, block, err) in cases {
        assert_eq!(
            a.claim_signature(POOL, "alice", "pw", salt, b, block, ts),
            Err(err),
            "{salt} {b:.20} {block}"
        );
    }
    // SALT and SRP_B in upper case are read by value.
    let sig_lower = a
        .claim_signature(POOL, "alice", "pw", &salt, &b, "", ts)
        .expect("ok");
    let sig_upper = a
        .claim_signature(
            POOL,
            "alice",
            "pw",
            &salt.to_uppercase(),
            &b.to_uppercase(),
            "",
            ts,
        )
        .expect("ok");
    assert_eq!(sig_lower, sig_upper);
    assert!(format!("{a:?}").contains("redacted"));
}

#[test]
fn odd_inputs_never_panic() {
    let inputs = [
        "",
        "\0",
        "é",
        "🙂",
        ":",
        "0",
        "00",
        "ff",
        "\u{feff}",
        " ",
        "a\u{0301}",
    ];
    for s in inputs {
        let _ = parse_public_a(s);
        let _ = parse_timestamp(s);
        let _ = secret_hash_matches(s, s, s, s);
        let _ = Verifier::from_bytes(s.as_bytes());
        let v = make_verifier_with_salt(s.as_bytes(), s, s, s);
        assert!(password_matches(&v, s, s, s));
        let _ = salt_hex(&v);
        let _ = fake_verifier(s.as_bytes());
        let c = client::start_with_secret(s.as_bytes());
        let _ = c.claim_signature(s, s, s, s, s, s, s);
    }
    // An all-zero a gives A = 1, which the server accepts as a value in 1..N.
    let c = client::start_with_secret(&[]);
    assert_eq!(c.public_a_hex(), "1");
}

#[test]
fn a_client_computed_device_verifier_is_taken_by_value_and_zero_is_refused() {
    // ConfirmDevice sends salt and v as the client's padHex bytes: a leading
    // zero byte on v is the same verifier.
    let made = make_verifier_with_salt(&[0x7f; 16], "-DeviceGroup", "us-east-1_dev", "pw");
    let mut padded = vec![0];
    padded.extend_from_slice(&made.verifier);
    let taken = Verifier::from_parts(made.salt.clone(), padded).expect("a valid verifier");
    assert_eq!(
        Verifier::from_bytes(&taken.to_bytes()).expect("round trip"),
        made
    );
    assert!(Verifier::from_parts(vec![1; 16], vec![0; 384]).is_err());
    assert!(
        Verifier::from_parts(vec![1; 16], vec![0xff; 384]).is_err(),
        "v ≥ N"
    );
}
