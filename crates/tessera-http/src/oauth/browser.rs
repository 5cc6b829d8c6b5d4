//! The browser-session cookie on the wire: its name, its attributes, and
//! reading it back from a request.

use http::HeaderMap;
use http::header::COOKIE;
use tessera_core::services::oauth::browser::BROWSER_SESSION_SECONDS;

use crate::router::AppState;

/// Cognito's own name for the hosted UI's session cookie.
pub const COOKIE_NAME: &str = "cognito";

/// The value of cookie `name` in the request, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

/// Whether cookies must be `Secure`: the server is reached over https.
fn secure(state: &AppState) -> bool {
    state
        .services
        .deployment()
        .public_url
        .starts_with("https://")
}

/// `Set-Cookie` for a new browser session: script cannot read it, other
/// sites' requests do not carry it (Lax still allows the top-level
/// navigation back to `/oauth2/authorize`).
pub fn set_session(state: &AppState, value: &str) -> String {
    let secure = if secure(state) { "; Secure" } else { "" };
    format!(
        "{COOKIE_NAME}={value}; Path=/; Max-Age={BROWSER_SESSION_SECONDS}; HttpOnly; SameSite=Lax{secure}"
    )
}

/// `Set-Cookie` that ends the browser session.
pub fn clear_session(state: &AppState) -> String {
    let secure = if secure(state) { "; Secure" } else { "" };
    format!("{COOKIE_NAME}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}")
}
