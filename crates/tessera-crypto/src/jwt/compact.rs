//! The compact JWS form, `base64url(header) . base64url(payload) . base64url(signature)`,
//! taken apart strictly: exactly three parts, unpadded canonical base64url, each
//! JSON part a single object with no duplicate member names (so a verifier and
//! some other parser can never read different claims from one token).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL;
use serde::Deserializer as _;
use serde::de::{Error as _, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::{ALGORITHM, JwtError, MAX_TOKEN_LEN};

/// A token split into its three parts, still encoded.
pub(super) struct Parts<'a> {
    /// `header . payload`: the bytes the signature covers.
    pub(super) signing_input: &'a str,
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
}

impl<'a> Parts<'a> {
    pub(super) fn split(token: &'a str) -> Result<Self, JwtError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(JwtError::Malformed("token is longer than 16 KiB"));
        }
        let (signing_input, signature) = token.rsplit_once('.').ok_or(JwtError::Malformed(
            "token is not three dot-separated parts",
        ))?;
        let (header, payload) = signing_input.split_once('.').ok_or(JwtError::Malformed(
            "token is not three dot-separated parts",
        ))?;
        if payload.contains('.') {
            return Err(JwtError::Malformed(
                "token is not three dot-separated parts",
            ));
        }
        Ok(Self {
            signing_input,
            header,
            payload,
            signature,
        })
    }

    pub(super) fn header(&self) -> Result<Map<String, Value>, JwtError> {
        let bytes = BASE64URL
            .decode(self.header)
            .map_err(|_| JwtError::Malformed("header is not unpadded base64url"))?;
        json_object(&bytes).ok_or(JwtError::Malformed("header is not a JSON object"))
    }

    pub(super) fn signature(&self) -> Result<Vec<u8>, JwtError> {
        BASE64URL
            .decode(self.signature)
            .map_err(|_| JwtError::Malformed("signature is not unpadded base64url"))
    }

    /// The payload's claims. Only call once the signature has verified.
    pub(super) fn claims(&self) -> Result<Map<String, Value>, JwtError> {
        let bytes = BASE64URL
            .decode(self.payload)
            .map_err(|_| JwtError::Malformed("payload is not unpadded base64url"))?;
        json_object(&bytes).ok_or(JwtError::Malformed("payload is not a JSON object"))
    }
}

/// Refuses every header that does not name RS256 exactly, and any `crit`
/// extension (we implement none, and RFC 7515 §4.1.11 says to reject then).
pub(super) fn check_algorithm(header: &Map<String, Value>) -> Result<(), JwtError> {
    match header.get("alg") {
        Some(Value::String(alg)) if alg == ALGORITHM => {}
        Some(Value::String(alg)) => return Err(JwtError::UnsupportedAlgorithm(alg.clone())),
        Some(_) => return Err(JwtError::Malformed("header alg is not a string")),
        None => return Err(JwtError::Malformed("header has no alg")),
    }
    if header.contains_key("crit") {
        return Err(JwtError::Malformed("header has critical extensions (crit)"));
    }
    Ok(())
}

pub(super) fn kid(header: &Map<String, Value>) -> Result<&str, JwtError> {
    match header.get("kid") {
        Some(Value::String(kid)) => Ok(kid),
        Some(_) => Err(JwtError::Malformed("header kid is not a string")),
        None => Err(JwtError::Malformed("header has no kid")),
    }
}

/// Encodes a signed token from the exact header and payload bytes.
pub(super) fn assemble(
    header_json: &[u8],
    payload_json: &[u8],
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, JwtError>,
) -> Result<String, JwtError> {
    let mut token = BASE64URL.encode(header_json);
    token.push('.');
    BASE64URL.encode_string(payload_json, &mut token);
    let signature = sign(token.as_bytes())?;
    token.push('.');
    BASE64URL.encode_string(signature, &mut token);
    Ok(token)
}

/// One JSON object and nothing after it but whitespace, with no member name
/// repeated at its top level (serde_json alone would keep the last).
/// serde_json's recursion limit bounds nesting, so hostile input cannot
/// overflow the stack.
pub(super) fn json_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let object = (&mut deserializer).deserialize_map(UniqueMembers).ok()?;
    deserializer.end().ok()?;
    Some(object)
}

struct UniqueMembers;

impl<'de> Visitor<'de> for UniqueMembers {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object with unique member names")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut object = Map::new();
        while let Some(name) = access.next_key::<String>()? {
            let value = access.next_value::<Value>()?;
            if object.insert(name, value).is_some() {
                return Err(A::Error::custom("duplicate member name"));
            }
        }
        Ok(object)
    }
}
