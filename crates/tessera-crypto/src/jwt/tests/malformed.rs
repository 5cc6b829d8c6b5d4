//! Structurally bad tokens: never a panic, always a `Malformed`-style refusal.

use super::*;

#[test]
fn signed_but_not_a_json_object_payload_is_refused() {
    let header = our_header();
    for payload in [
        "",
        "null",
        "[]",
        "[1]",
        "\"sub\"",
        "42",
        "{",
        r#"{"a":1}x"#,
        r#"{"a":1}{"b":2}"#,
        r#"{"a":1},"#,
        "\u{feff}{}",
        r#"{"a":"\ud800"}"#,
    ] {
        let token = signed(&header, payload);
        assert!(
            matches!(verify_ours(&token), Err(JwtError::Malformed(_))),
            "{payload:?}"
        );
    }
    let token = key()
        .sign_json(header.as_bytes(), b"{\"a\":\"\xff\"}")
        .expect("sign");
    assert!(
        matches!(verify_ours(&token), Err(JwtError::Malformed(_))),
        "invalid UTF-8"
    );
    let deep = format!(r#"{{"a":{}{}}}"#, "[".repeat(5000), "]".repeat(5000));
    assert!(matches!(
        verify_ours(&signed(&header, &deep)),
        Err(JwtError::Malformed(_))
    ));
    // Whitespace around the object is still one object.
    assert_eq!(verify_ours(&signed(&header, " {} \n")), Ok(Claims::new()));
}

#[test]
fn malformed_compact_forms_are_refused() {
    let token = key().sign(&claims()).expect("sign");
    let [header, payload, signature] = parts(&token);
    let cases = [
        String::new(),
        ".".into(),
        "..".into(),
        "...".into(),
        "a.b".into(),
        "a.b.c".into(),
        format!("{header}.{payload}"),
        format!("{token}."),
        format!("{token}.{signature}"),
        format!(".{token}"),
        format!("{header}..{signature}"),
        format!(".{payload}.{signature}"),
        format!("{header}=.{payload}.{signature}"),
        format!("{header}.{payload}=.{signature}"),
        format!("{token}="),
        format!("{token}=="),
        format!(" {token}"),
        format!("{token} "),
        format!("{token}\n"),
        format!("{header}.{payload}.{}", BASE64.encode(decode(&signature))),
        format!("{}.{payload}.{signature}", BASE64.encode(our_header())),
        format!("{header}.{payload}.{signature}x"),
        format!("{header}.{payload}.{}+", &signature[..signature.len() - 1]),
        format!("{}.{payload}.{signature}", b64("[]")),
        format!("{}.{payload}.{signature}", b64("null")),
        format!("{}.{payload}.{signature}", b64("\"RS256\"")),
        format!(
            "{}.{payload}.{signature}",
            b64(format!("{} trailing", our_header()))
        ),
        format!("{header}.{payload}.{signature}\u{0}"),
        "é.é.é".into(),
        "eyJ.eyJ.AA".into(),
    ];
    for bad in &cases {
        assert!(verify_ours(bad).is_err(), "{bad:?}");
        assert_ne!(verify_ours(bad), Err(JwtError::KeyMismatch), "{bad:?}");
    }
    assert!(peek_kid("").is_err());
    assert!(peek_kid("a.b").is_err());
    assert!(peek_kid(&format!("{token}.x")).is_err());
}

#[test]
fn oversized_tokens_are_refused_before_decoding() {
    let header = our_header();
    // Find the largest payload that fits the limit exactly, and one byte more.
    let fixed = format!("{}..{}", b64(&header), b64([0u8; 256])).len();
    let room = (MAX_TOKEN_LEN - fixed) / 4 * 3; // base64url expands 3 → 4
    let filler = |len: usize| format!(r#"{{"x":"{}"}}"#, "a".repeat(len - 8));
    let fits = signed(&header, &filler(room));
    assert!(fits.len() <= MAX_TOKEN_LEN, "{}", fits.len());
    assert!(verify_ours(&fits).is_ok());
    let too_big = format!("{fits}{}", "A".repeat(MAX_TOKEN_LEN + 1 - fits.len()));
    assert_eq!(too_big.len(), MAX_TOKEN_LEN + 1);
    assert_eq!(
        verify_ours(&too_big),
        Err(JwtError::Malformed("token is longer than 16 KiB"))
    );
    assert!(peek_kid(&too_big).is_err());
    let huge = "A".repeat(10 * 1024 * 1024);
    assert!(verify_ours(&huge).is_err());
}

/// Deterministic mutations of a valid token: never a panic, never accepted.
#[test]
fn mutated_tokens_never_panic_and_never_verify() {
    let token = key().sign(&claims()).expect("sign");
    let public = key().public_key();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \x00";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % bound as u64).expect("fits")
    };
    for _ in 0..3000 {
        let mut bytes = token.clone().into_bytes();
        for _ in 0..=next(3) {
            if bytes.is_empty() {
                break;
            }
            let at = next(bytes.len());
            match next(4) {
                0 => bytes[at] = alphabet[next(alphabet.len())],
                1 => {
                    bytes.remove(at);
                }
                2 => bytes.insert(at, alphabet[next(alphabet.len())]),
                _ => bytes.truncate(at),
            }
        }
        let Ok(mutated) = String::from_utf8(bytes) else {
            continue;
        };
        let _ = peek_kid(&mutated);
        let verdict = verify(&mutated, &public);
        if mutated != token {
            assert!(verdict.is_err(), "{mutated}");
        }
    }
}
