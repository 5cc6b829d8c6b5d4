//! Cross-site request forgery protection for the pages' forms: a random
//! token in an HttpOnly cookie, repeated in each form as a hidden field, and
//! compared in constant time on every POST (the double-submit pattern). A
//! page on another site can make the browser send the cookie but can read
//! neither it nor the page (no CORS, no framing), so it cannot fill the field.
//! The names are the ones Cognito's hosted UI uses.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderMap;

use crate::oauth::browser;
use crate::router::AppState;

/// The cookie holding the token.
pub const COOKIE_NAME: &str = "XSRF-TOKEN";
/// The form field repeating it.
pub const FIELD_NAME: &str = "_csrf";

/// 32 random bytes, base64url without padding.
const TOKEN_LEN: usize = 43;

/// The token a page's forms carry, and the cookie to set when the browser
/// did not already hold one.
#[derive(Debug, Clone)]
pub struct CsrfToken {
    pub value: String,
    pub set_cookie: Option<String>,
}

fn well_formed(value: &str) -> bool {
    value.len() == TOKEN_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The browser's token, kept so that several tabs of the pages share it, or
/// a new one.
pub fn token_for(state: &AppState, headers: &HeaderMap) -> CsrfToken {
    if let Some(value) = browser::cookie(headers, COOKIE_NAME).filter(|v| well_formed(v)) {
        return CsrfToken {
            value: value.to_owned(),
            set_cookie: None,
        };
    }
    let value = URL_SAFE_NO_PAD.encode(tessera_crypto::random::bytes::<32>());
    let secure = if is_https(state) { "; Secure" } else { "" };
    CsrfToken {
        set_cookie: Some(format!(
            "{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Lax{secure}"
        )),
        value,
    }
}

fn is_https(state: &AppState) -> bool {
    state
        .services
        .deployment()
        .public_url
        .starts_with("https://")
}

/// Whether a posted form's token is the one in the browser's cookie.
pub fn accepts(headers: &HeaderMap, posted: Option<&str>) -> bool {
    match (browser::cookie(headers, COOKIE_NAME), posted) {
        (Some(cookie), Some(posted)) if well_formed(cookie) => {
            tessera_crypto::random::ct_eq(cookie.as_bytes(), posted.as_bytes())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn with_cookie(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {COOKIE_NAME}={value}")).expect("header"),
        );
        headers
    }

    #[test]
    fn only_the_cookies_own_token_is_accepted() {
        let token = "a".repeat(TOKEN_LEN);
        let headers = with_cookie(&token);
        assert!(accepts(&headers, Some(&token)));
        assert!(!accepts(&headers, Some(&"b".repeat(TOKEN_LEN))));
        assert!(!accepts(&headers, None));
        assert!(!accepts(&HeaderMap::new(), Some(&token)));
        // A cookie that is not a token of ours (empty, say) matches nothing.
        assert!(!accepts(&with_cookie(""), Some("")));
    }
}
