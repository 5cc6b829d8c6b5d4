//! Verifying AWS Signature Version 4 (the `Authorization` header form) on incoming
//! awsJson requests, as signed by boto3, the AWS CLI and the AWS SDKs; [`sign()`]
//! signs them, for Tessera's own clients (the load generator, tests).
//!
//! A caller (the HTTP edge) proceeds in AWS's own order:
//! 1. [`RequestToVerify::authorization`] parses the header (absent or not SigV4 →
//!    [`SigV4Error::MissingAuthenticationToken`]);
//! 2. looks up `access_key_id` in its configuration ([`SigV4Error::UnrecognizedClient`]
//!    when unknown);
//! 3. [`verify`] checks date, clock skew, that `host` is signed, the credential scope
//!    and finally the signature, in constant time. In permissive local mode,
//!    [`check_well_formed`] replaces steps 2–3 and needs no secret and no clock.
//!
//! Each error's `Display` is the message AWS returns, and
//! [`SigV4Error::aws_error_type`] its `__type`.

use std::fmt::{self, Write as _};

use aws_lc_rs::{digest, hmac};

use crate::random;

pub mod sign;
pub use sign::{Credentials, RequestToSign, Scope, SignedHeaders, sign};

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const TERMINATOR: &str = "aws4_request";
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// How far a request's date may stray from the server's clock, either way.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 5 * 60;

/// Why a request's signature was not accepted. `Display` gives AWS's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigV4Error {
    /// No `Authorization` header, or one that is not SigV4 at all.
    #[error("Missing Authentication Token")]
    MissingAuthenticationToken,
    /// The `Authorization` header lacks a part or does not parse, or the request
    /// date is missing or malformed.
    #[error("{0}")]
    Incomplete(String),
    /// The request was signed more than five minutes before or after `now`.
    #[error("{0}")]
    OutsideTimeWindow(String),
    /// `host` is not among the signed headers.
    #[error("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")]
    HostNotSigned,
    /// The credential scope names another region format, service, terminator or date.
    #[error("{0}")]
    InvalidScope(String),
    /// The recomputed signature differs. The fields are for the server's logs and
    /// never part of the message returned to the client.
    #[error(
        "The request signature we calculated does not match the signature you provided. \
         Check your AWS Secret Access Key and signing method. \
         Consult the service documentation for details."
    )]
    SignatureMismatch {
        canonical_request: String,
        string_to_sign: String,
    },
    /// The access key id is not configured (the caller decides this).
    #[error("The security token included in the request is invalid.")]
    UnrecognizedClient,
}

impl SigV4Error {
    /// The `__type` AWS answers with for this error.
    #[must_use]
    pub fn aws_error_type(&self) -> &'static str {
        match self {
            Self::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Self::Incomplete(_) => "IncompleteSignatureException",
            Self::OutsideTimeWindow(_)
            | Self::HostNotSigned
            | Self::InvalidScope(_)
            | Self::SignatureMismatch { .. } => "InvalidSignatureException",
            Self::UnrecognizedClient => "UnrecognizedClientException",
        }
    }
}

/// The parts of an HTTP request that a SigV4 signature covers.
#[derive(Debug, Clone, Copy)]
pub struct RequestToVerify<'a> {
    /// `POST` for awsJson.
    pub method: &'a str,
    /// The path as received on the wire (still percent-encoded), without the query.
    pub path: &'a str,
    /// The raw query string without `?`; empty when there is none.
    pub query: &'a str,
    /// Headers as received: names in any case, repeated names allowed. Over
    /// HTTP/2 the `:authority` must be passed as `host`.
    pub headers: &'a [(&'a str, &'a [u8])],
    pub body: &'a [u8],
    /// The signing name this endpoint answers to: `cognito-idp` or `cognito-identity`.
    pub service: &'a str,
}

impl<'a> RequestToVerify<'a> {
    /// Parses this request's `Authorization` header (the first, if repeated).
    pub fn authorization(&self) -> Result<Authorization, SigV4Error> {
        let value = self
            .header("authorization")
            .ok_or(SigV4Error::MissingAuthenticationToken)?;
        let has_date = self.header("x-amz-date").is_some() || self.header("date").is_some();
        parse(&String::from_utf8_lossy(value), Some(has_date))
    }

    fn header_values(&self, lowercase_name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers
            .iter()
            .filter(move |(name, _)| name.eq_ignore_ascii_case(lowercase_name))
            .map(|(_, value)| *value)
    }

    fn header(&self, lowercase_name: &'a str) -> Option<&'a [u8]> {
        self.header_values(lowercase_name).next()
    }
}

/// A parsed `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access_key_id: String,
    /// The credential scope's date, `YYYYMMDD`.
    pub date: String,
    pub region: String,
    pub service: String,
    /// Lowercase header names, in the order the client listed them.
    pub signed_headers: Vec<String>,
    terminator: String,
    /// `None` when the client's signature is not 64 hex digits: it can never match.
    signature: Option<[u8; 32]>,
    /// The header as received (trimmed), quoted back in some AWS messages.
    header: String,
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("access_key_id", &self.access_key_id)
            .field("date", &self.date)
            .field("region", &self.region)
            .field("service", &self.service)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &self.signature.map(hex::encode))
            .finish_non_exhaustive()
    }
}

/// Parses an `Authorization` header value. An empty or non-SigV4 value is
/// [`SigV4Error::MissingAuthenticationToken`].
pub fn parse_authorization(value: &str) -> Result<Authorization, SigV4Error> {
    parse(value, None)
}

/// `has_date`, when known, lets a missing date be reported together with missing
/// parameters, as AWS does.
fn parse(value: &str, has_date: Option<bool>) -> Result<Authorization, SigV4Error> {
    let header = value.trim();
    if !header.starts_with("AWS4-") {
        return Err(SigV4Error::MissingAuthenticationToken);
    }
    let (algorithm, params) = header
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((header, ""));

    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    // AWS splits the parameters on commas and on whitespace alike.
    for token in params
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
    {
        let Some((key, value)) = token.split_once('=') else {
            return Err(SigV4Error::Incomplete(format!(
                "'{token}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
            )));
        };
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        slot.get_or_insert(value);
    }

    let mut missing = String::new();
    // SignedHeaders may be empty here; an empty list fails later for lack of `host`.
    for (name, value) in [
        ("Credential", credential.filter(|v| !v.is_empty())),
        ("Signature", signature.filter(|v| !v.is_empty())),
        ("SignedHeaders", signed_headers),
    ] {
        if value.is_none() {
            let _ = write!(
                missing,
                "Authorization header requires '{name}' parameter. "
            );
        }
    }
    if has_date == Some(false) {
        missing.push_str(MISSING_DATE);
    }
    let (Some(credential), Some(signed_headers), Some(signature), true) =
        (credential, signed_headers, signature, missing.is_empty())
    else {
        return Err(SigV4Error::Incomplete(format!(
            "{missing}Authorization={header}"
        )));
    };

    if algorithm != ALGORITHM {
        return Err(SigV4Error::Incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}' (only {ALGORITHM} for now). "
        )));
    }

    // Trailing slashes are ignored, as AWS does.
    let scope: Vec<&str> = credential.trim_end_matches('/').split('/').collect();
    let [access_key_id, date, region, service, terminator] = scope[..] else {
        return Err(SigV4Error::Incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, \
             e.g. keyid/date/region/service/term, got '{credential}'"
        )));
    };

    Ok(Authorization {
        access_key_id: access_key_id.to_owned(),
        date: date.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
        signed_headers: signed_headers
            .split(';')
            .filter(|h| !h.is_empty())
            .map(str::to_ascii_lowercase)
            .collect(),
        terminator: terminator.to_owned(),
        signature: decode_signature(signature),
        header: header.to_owned(),
    })
}

const MISSING_DATE: &str =
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";

fn decode_signature(hex_digits: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_digits, &mut out).ok()?;
    Some(out)
}

/// Checks everything but the signature itself and the clock: the date is present
/// and parses, `host` is signed, and the credential scope fits this endpoint.
/// For the permissive local mode, where any well-formed signature is accepted.
pub fn check_well_formed(req: &RequestToVerify, auth: &Authorization) -> Result<(), SigV4Error> {
    let date = request_date(req, auth)?;
    check_scope(req, auth, &date)
}

/// Verifies `auth` against `req` with the secret key for `auth.access_key_id`.
/// `now` is the current time in seconds since the Unix epoch.
pub fn verify(
    req: &RequestToVerify,
    auth: &Authorization,
    secret_access_key: &str,
    now: i64,
) -> Result<(), SigV4Error> {
    let date = request_date(req, auth)?;
    check_time_window(&date, now)?;
    check_scope(req, auth, &date)?;

    let canonical_request = canonical_request(req, auth);
    let string_to_sign = string_to_sign(&date.basic, auth, &canonical_request);
    let key = signing_key(secret_access_key, &auth.date, &auth.region, &auth.service);
    let computed = hmac::sign(&key, string_to_sign.as_bytes());
    let matches = auth
        .signature
        .is_some_and(|given| random::ct_eq(computed.as_ref(), &given));
    if matches {
        Ok(())
    } else {
        Err(SigV4Error::SignatureMismatch {
            canonical_request: String::from_utf8_lossy(&canonical_request).into_owned(),
            string_to_sign,
        })
    }
}

/// `basic_date` is the request's `YYYYMMDDTHHMMSSZ`.
fn string_to_sign(basic_date: &str, auth: &Authorization, canonical_request: &[u8]) -> String {
    format!(
        "{ALGORITHM}\n{basic_date}\n{}/{}/{}/{TERMINATOR}\n{}",
        auth.date,
        auth.region,
        auth.service,
        hex::encode(digest::digest(&digest::SHA256, canonical_request))
    )
}

fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> hmac::Key {
    let mut key = hmac::Key::new(hmac::HMAC_SHA256, format!("AWS4{secret}").as_bytes());
    for part in [date, region, service, TERMINATOR] {
        key = hmac::Key::new(
            hmac::HMAC_SHA256,
            hmac::sign(&key, part.as_bytes()).as_ref(),
        );
    }
    key
}

/// The request's signing time, from `X-Amz-Date` or else `Date`.
struct RequestDate {
    epoch: i64,
    /// `YYYYMMDDTHHMMSSZ`, as it enters the string to sign.
    basic: String,
    /// The header value as sent.
    raw: String,
}

fn request_date(req: &RequestToVerify, auth: &Authorization) -> Result<RequestDate, SigV4Error> {
    let (raw, epoch) = if let Some(value) = req.header("x-amz-date") {
        let raw = String::from_utf8_lossy(value).into_owned();
        let epoch = parse_basic_date(&raw);
        (raw, epoch)
    } else if let Some(value) = req.header("date") {
        let raw = String::from_utf8_lossy(value).into_owned();
        let epoch = parse_http_date(&raw);
        (raw, epoch)
    } else {
        return Err(SigV4Error::Incomplete(format!(
            "{MISSING_DATE}Authorization={}",
            auth.header
        )));
    };
    let epoch = epoch.ok_or_else(|| {
        SigV4Error::Incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{raw}'. See http://en.wikipedia.org/wiki/ISO_8601"
        ))
    })?;
    Ok(RequestDate {
        epoch,
        basic: format_basic_date(epoch),
        raw,
    })
}

fn check_time_window(date: &RequestDate, now: i64) -> Result<(), SigV4Error> {
    let earliest = now.saturating_sub(MAX_CLOCK_SKEW_SECONDS);
    let latest = now.saturating_add(MAX_CLOCK_SKEW_SECONDS);
    if date.epoch < earliest {
        return Err(SigV4Error::OutsideTimeWindow(format!(
            "Signature expired: {} is now earlier than {} ({} - 5 min.)",
            date.basic,
            format_basic_date(earliest),
            format_basic_date(now)
        )));
    }
    if date.epoch > latest {
        return Err(SigV4Error::OutsideTimeWindow(format!(
            "Signature not yet current: {} is still later than {} ({} + 5 min.)",
            date.basic,
            format_basic_date(latest),
            format_basic_date(now)
        )));
    }
    Ok(())
}

fn check_scope(
    req: &RequestToVerify,
    auth: &Authorization,
    date: &RequestDate,
) -> Result<(), SigV4Error> {
    if !auth
        .signed_headers
        .iter()
        .any(|h| h == "host" || h == ":authority")
    {
        return Err(SigV4Error::HostNotSigned);
    }
    // AWS lists every scope problem at once, each sentence followed by a space.
    let mut problems = String::new();
    let region_ok = !auth.region.is_empty()
        && auth
            .region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !region_ok {
        let _ = write!(
            problems,
            "Credential should be scoped to a valid region, not '{}'. ",
            auth.region
        );
    }
    if auth.service != req.service {
        let _ = write!(
            problems,
            "Credential should be scoped to correct service: '{}'. ",
            req.service
        );
    }
    if auth.terminator != TERMINATOR {
        let _ = write!(
            problems,
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{}'. ",
            auth.terminator
        );
    }
    let day = &date.basic[..8];
    if auth.date != day {
        let _ = write!(
            problems,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{day}', from '{}'.",
            auth.date, date.raw
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SigV4Error::InvalidScope(problems))
    }
}

/// The canonical request (bytes, since header values need not be UTF-8).
fn canonical_request(req: &RequestToVerify, auth: &Authorization) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(req.method.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(canonical_uri(req.path).as_bytes());
    out.push(b'\n');
    out.extend_from_slice(canonical_query(req.query).as_bytes());
    out.push(b'\n');
    for name in &auth.signed_headers {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        for (i, value) in req.header_values(name).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_trimmed_header_value(&mut out, value);
        }
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(auth.signed_headers.join(";").as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload_hash(req, auth).as_bytes());
    out
}

/// Trims the value and collapses each run of whitespace to one space.
fn push_trimmed_header_value(out: &mut Vec<u8>, value: &[u8]) {
    let words = value
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty());
    for (i, word) in words.enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(word);
    }
}

/// The hex SHA-256 of the body, or the signed `X-Amz-Content-SHA256` when it is
/// `UNSIGNED-PAYLOAD` or agrees with the body. A claim that disagrees with the body
/// is ignored, so the signature (made over the claim) cannot match.
fn payload_hash(req: &RequestToVerify, auth: &Authorization) -> String {
    let body_hash = hex::encode(digest::digest(&digest::SHA256, req.body));
    let claimed = auth
        .signed_headers
        .iter()
        .any(|h| h == "x-amz-content-sha256")
        .then(|| req.header("x-amz-content-sha256"))
        .flatten()
        .map(|v| String::from_utf8_lossy(v).trim().to_owned());
    match claimed {
        Some(claim) if claim == UNSIGNED_PAYLOAD || claim.eq_ignore_ascii_case(&body_hash) => claim,
        _ => body_hash,
    }
}

/// The path normalized as the SDKs do (dot segments and empty segments removed),
/// then URI-encoded once more: non-S3 services sign the already-encoded path
/// encoded a second time.
fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut normalized = String::with_capacity(path.len() + 1);
    if path.starts_with('/') || path.is_empty() {
        normalized.push('/');
    }
    normalized.push_str(&segments.join("/"));
    if path.ends_with('/') && !segments.is_empty() {
        normalized.push('/');
    }
    if normalized.is_empty() {
        normalized.push('/');
    }
    uri_encode(normalized.as_bytes(), true)
}

/// Query parameters decoded, re-encoded the SigV4 way and sorted by name, then value.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                uri_encode(&percent_decode(name), false),
                uri_encode(&percent_decode(value), false),
            )
        })
        .collect();
    pairs.sort();
    let mut out = String::with_capacity(query.len());
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        let _ = write!(out, "{name}={value}");
    }
    out
}

/// Percent-encodes every byte but the unreserved ones (and `/` when asked).
fn uri_encode(bytes: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it is.
fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex_digits| {
                let mut byte = [0u8; 1];
                hex::decode_to_slice(hex_digits, &mut byte)
                    .ok()
                    .map(|()| byte[0])
            });
        if let Some(byte) = escaped {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

// ---- dates -------------------------------------------------------------------

const SECONDS_PER_DAY: i64 = 86_400;

/// Parses `YYYYMMDDTHHMMSSZ`.
fn parse_basic_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[4..6])?;
    let day = digits(&b[6..8])?;
    epoch_from_parts(
        year,
        month,
        day,
        digits(&b[9..11])?,
        digits(&b[11..13])?,
        digits(&b[13..15])?,
    )
}

/// Parses an HTTP date, `[Fri, ]24 May 2024 12:00:00 GMT` (zone `GMT`, `UTC`, `Z`
/// or `±HHMM`; botocore sends `-0000`).
fn parse_http_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.split_once(',').map_or(s, |(_, rest)| rest);
    let mut fields = s.split_ascii_whitespace();
    let day = digits(fields.next()?.as_bytes())?;
    let month_name = fields.next()?;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(month_name))? as i64
        + 1;
    let year_field = fields.next()?;
    if year_field.len() != 4 {
        return None;
    }
    let year = digits(year_field.as_bytes())?;
    let time = fields.next()?.as_bytes();
    if time.len() != 8 || time[2] != b':' || time[5] != b':' {
        return None;
    }
    let offset = match fields.next()? {
        "GMT" | "UTC" | "UT" | "Z" => 0,
        zone => {
            let z = zone.as_bytes();
            if z.len() != 5 {
                return None;
            }
            let sign = match z[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (hours, minutes) = (digits(&z[1..3])?, digits(&z[3..5])?);
            if minutes >= 60 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    if fields.next().is_some() {
        return None;
    }
    let local = epoch_from_parts(
        year,
        month,
        day,
        digits(&time[0..2])?,
        digits(&time[3..5])?,
        digits(&time[6..8])?,
    )?;
    Some(local - offset)
}

/// A small unsigned decimal made only of ASCII digits (1 to 4 of them).
fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
}

fn epoch_from_parts(year: i64, month: i64, day: i64, hour: i64, min: i64, sec: i64) -> Option<i64> {
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&day) || hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    Some(days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + min * 60 + sec)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYYMMDDTHHMMSSZ` for seconds since the epoch.
fn format_basic_date(epoch: i64) -> String {
    let days = epoch.div_euclid(SECONDS_PER_DAY);
    let secs = epoch.rem_euclid(SECONDS_PER_DAY);
    // Inverse of `days_from_civil`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests;
