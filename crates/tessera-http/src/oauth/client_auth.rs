//! A token or revocation request's client credentials: HTTP Basic
//! (`client_secret_basic`) or the form body (`client_secret_post`), or just
//! `client_id` for a client without a secret.

use std::collections::BTreeMap;

use base64::Engine;
use http::HeaderMap;
use tessera_core::services::oauth::grants::ClientCredentials;

use super::error::OAuthError;

/// RFC 6749 §2.3.1: the id and secret form-encoded inside Basic's base64.
pub fn client_credentials(
    headers: &HeaderMap,
    form: &BTreeMap<String, String>,
) -> Result<ClientCredentials, OAuthError> {
    // RFC 7235: the scheme's name is case-insensitive.
    let basic = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, credentials)| credentials);
    if let Some(encoded) = basic {
        if form.contains_key("client_secret") {
            return Err(OAuthError::invalid_request(
                "The client authenticated in more than one way.",
            ));
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(OAuthError::invalid_client)?;
        let (id, secret) = decoded
            .split_once(':')
            .ok_or_else(OAuthError::invalid_client)?;
        let (id, secret) = (form_decode(id), form_decode(secret));
        if form.get("client_id").is_some_and(|c| *c != id) {
            return Err(OAuthError::invalid_client());
        }
        return Ok(ClientCredentials {
            client_id: id,
            client_secret: Some(secret),
        });
    }
    let client_id = form
        .get("client_id")
        .filter(|c| !c.is_empty())
        .ok_or_else(OAuthError::invalid_client)?;
    Ok(ClientCredentials {
        client_id: client_id.clone(),
        client_secret: form.get("client_secret").cloned(),
    })
}

/// `application/x-www-form-urlencoded` decoding of one component.
fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::form_decode;

    #[test]
    fn basic_credentials_are_form_decoded() {
        assert_eq!(form_decode("a%3Ab+c%"), "a:b c%");
        assert_eq!(form_decode("plain"), "plain");
    }
}
