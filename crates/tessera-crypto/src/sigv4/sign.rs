//! Signing requests with AWS Signature Version 4 (the `Authorization` header form),
//! for Tessera's own clients: the load generator and tests.
//!
//! The signer builds its canonical request with the very code [`super::verify`]
//! checks against, so a request signed here verifies there; the tests also check it
//! against requests botocore signed. Like botocore, it signs every header it is
//! given plus `X-Amz-Date` (which it adds), and the SHA-256 of the body.

use aws_lc_rs::hmac;

use super::{
    ALGORITHM, Authorization, RequestToVerify, SigV4Error, TERMINATOR, canonical_request,
    format_basic_date, signing_key, string_to_sign,
};

/// An access key pair.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    pub access_key_id: &'a str,
    pub secret_access_key: &'a str,
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// The parts of an HTTP request to sign.
#[derive(Debug, Clone, Copy)]
pub struct RequestToSign<'a> {
    /// `POST` for awsJson.
    pub method: &'a str,
    /// The path as it goes on the wire (percent-encoded), without the query.
    pub path: &'a str,
    /// The raw query string without `?`; empty when there is none.
    pub query: &'a str,
    /// The headers to sign, `host` among them (as `host:port` when the port is not
    /// the scheme's default). Any `X-Amz-Date` or `Authorization` here is ignored.
    pub headers: &'a [(&'a str, &'a [u8])],
    pub body: &'a [u8],
}

/// Where a signature is valid: the credential scope's region and signing name
/// (`cognito-idp` for user pools).
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub region: &'a str,
    pub service: &'a str,
}

/// The two headers to add to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `X-Amz-Date`: `YYYYMMDDTHHMMSSZ`.
    pub x_amz_date: String,
    /// `Authorization`: `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
    pub authorization: String,
}

/// Signs `req` at `now` (seconds since the Unix epoch).
///
/// # Errors
/// [`SigV4Error::HostNotSigned`] when `req.headers` has no `host`: no server
/// would accept the signature.
pub fn sign(
    req: &RequestToSign,
    credentials: &Credentials,
    scope: &Scope,
    now: i64,
) -> Result<SignedHeaders, SigV4Error> {
    let x_amz_date = format_basic_date(now);
    let mut headers: Vec<(&str, &[u8])> = req
        .headers
        .iter()
        .filter(|(name, _)| {
            !name.eq_ignore_ascii_case("x-amz-date") && !name.eq_ignore_ascii_case("authorization")
        })
        .copied()
        .collect();
    headers.push(("x-amz-date", x_amz_date.as_bytes()));
    let mut signed_headers: Vec<String> = headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .collect();
    signed_headers.sort();
    signed_headers.dedup();
    if !signed_headers.iter().any(|h| h == "host") {
        return Err(SigV4Error::HostNotSigned);
    }

    let auth = Authorization {
        access_key_id: credentials.access_key_id.to_owned(),
        date: x_amz_date[..8].to_owned(),
        region: scope.region.to_owned(),
        service: scope.service.to_owned(),
        signed_headers,
        terminator: TERMINATOR.to_owned(),
        signature: None,
        header: String::new(),
    };
    let as_received = RequestToVerify {
        method: req.method,
        path: req.path,
        query: req.query,
        headers: &headers,
        body: req.body,
        service: scope.service,
    };
    let canonical = canonical_request(&as_received, &auth);
    let to_sign = string_to_sign(&x_amz_date, &auth, &canonical);
    let key = signing_key(
        credentials.secret_access_key,
        &auth.date,
        &auth.region,
        &auth.service,
    );
    let signature = hex::encode(hmac::sign(&key, to_sign.as_bytes()));
    let authorization = format!(
        "{ALGORITHM} Credential={}/{}/{}/{}/{TERMINATOR}, SignedHeaders={}, Signature={signature}",
        auth.access_key_id,
        auth.date,
        auth.region,
        auth.service,
        auth.signed_headers.join(";"),
    );
    Ok(SignedHeaders {
        x_amz_date,
        authorization,
    })
}
