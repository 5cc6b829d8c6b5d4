//! SigV4 on an incoming request: the `Authorization` header, the request date,
//! the credential scope and the canonical request, verified against the
//! example key; and every request the signer signs verifies.
//!
//! Input: line 1 the server's clock (seconds since the epoch; empty for the
//! seeds' instant), line 2 `METHOD path[?query]`, then `Name: value` headers,
//! an empty line and the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_crypto::sigv4::{self, Credentials, RequestToSign, RequestToVerify, Scope, SigV4Error};
use tessera_fuzz::keys::{ACCESS_KEY_ID, NOW, SECRET_ACCESS_KEY};
use tessera_fuzz::text::message;

const SERVICE: &str = "cognito-idp";
/// 0001-01-01 and 9999-12-31: the dates `YYYYMMDD` can carry.
const FIRST_SECOND: i64 = -62_135_596_800;
const LAST_SECOND: i64 = 253_402_300_799;

/// What an HTTP server hands over as a header name: an RFC 9110 token.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fuzz_target!(|data: &[u8]| {
    let Some(newline) = data.iter().position(|b| *b == b'\n') else {
        return;
    };
    let Ok(clock) = std::str::from_utf8(&data[..newline]) else {
        return;
    };
    let now = match clock.trim() {
        "" => NOW,
        text => match text.parse::<i64>() {
            Ok(n) => n,
            Err(_) => return,
        },
    };
    let request = message(&data[newline + 1..]);
    let Ok(first_line) = std::str::from_utf8(request.first_line) else {
        return;
    };
    let (method, target) = first_line.split_once(' ').unwrap_or((first_line, "/"));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let headers: Vec<(&str, &[u8])> = request
        .headers
        .iter()
        .filter_map(|(name, value)| Some((std::str::from_utf8(name).ok()?, *value)))
        .collect();

    // As received.
    let received = RequestToVerify {
        method,
        path,
        query,
        headers: &headers,
        body: request.body,
        service: SERVICE,
    };
    if let Ok(auth) = received.authorization() {
        let well_formed = sigv4::check_well_formed(&received, &auth);
        let verified = sigv4::verify(&received, &auth, SECRET_ACCESS_KEY, now);
        if verified.is_ok() {
            assert_eq!(well_formed, Ok(()), "verified but not well formed");
        }
        let _ = format!("{auth:?}");
    }
    for (_, value) in &headers {
        let _ = sigv4::parse_authorization(&String::from_utf8_lossy(value));
    }

    // Signed here, then verified: the two build one canonical request.
    if !(FIRST_SECOND..=LAST_SECOND).contains(&now) {
        return;
    }
    let to_sign: Vec<(&str, &[u8])> = headers
        .iter()
        .filter(|(name, _)| is_token(name))
        .copied()
        .collect();
    let signed = sigv4::sign(
        &RequestToSign {
            method,
            path,
            query,
            headers: &to_sign,
            body: request.body,
        },
        &Credentials {
            access_key_id: ACCESS_KEY_ID,
            secret_access_key: SECRET_ACCESS_KEY,
        },
        &Scope {
            region: "us-east-1",
            service: SERVICE,
        },
        now,
    );
    let signed = match signed {
        Ok(signed) => signed,
        Err(SigV4Error::HostNotSigned) => return,
        Err(e) => panic!("signing failed: {e:?}"),
    };
    let mut sent: Vec<(&str, &[u8])> = to_sign
        .iter()
        .filter(|(name, _)| {
            !name.eq_ignore_ascii_case("x-amz-date") && !name.eq_ignore_ascii_case("authorization")
        })
        .copied()
        .collect();
    sent.push(("X-Amz-Date", signed.x_amz_date.as_bytes()));
    sent.push(("Authorization", signed.authorization.as_bytes()));
    let arrived = RequestToVerify {
        headers: &sent,
        ..received
    };
    let auth = arrived
        .authorization()
        .unwrap_or_else(|e| panic!("our own Authorization does not parse: {e:?}"));
    if let Err(e) = sigv4::verify(&arrived, &auth, SECRET_ACCESS_KEY, now) {
        panic!("a request signed here does not verify: {e:?}");
    }
});
