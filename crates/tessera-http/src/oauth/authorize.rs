//! `GET /oauth2/authorize`: the request checked, then the signed-in browser
//! session honoured (straight back to the client) or the sign-in page shown.
//! [`finish_sign_in`] is where every sign-in on the pages ends.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use tessera_core::services::oauth::authorize::{AuthorizeRefusal, AuthorizeRequest, ResponseType};
use tessera_core::services::oauth::{OAuthFault, SignedIn};

use super::browser;
use super::domain::DomainPool;
use super::error::fault_code;
use crate::pages;
use crate::router::AppState;

pub async fn authorize(
    State(state): State<AppState>,
    DomainPool { pool, .. }: DomainPool,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let request = match state.services.check_authorize(&pool, &params).await {
        Ok(Ok(request)) => request,
        Ok(Err(refusal)) => return refusal_response(refusal),
        Err(e) => return pages::internal_error(e),
    };
    if !request.force_login
        && let Some(cookie) = browser::cookie(&headers, browser::COOKIE_NAME)
    {
        match state
            .services
            .open_browser_session(&pool, &request.client_id, cookie)
            .await
        {
            Ok(Some(who)) => return finish_sign_in(&state, &request, &who).await,
            Ok(None) => {}
            Err(e) => return pages::internal_error(e),
        }
    }
    if request.silent {
        return refusal_response(AuthorizeRefusal::Redirect {
            in_fragment: request.response_type == ResponseType::Token,
            redirect_uri: request.redirect_uri,
            state: request.state,
            fault: OAuthFault::LoginRequired,
        });
    }
    redirect(&format!("/login?{}", query_string(&request.parameters())))
}

/// A refused request: on the page, or back to the client with RFC 6749's
/// error parameters.
pub fn refusal_response(refusal: AuthorizeRefusal) -> Response {
    match refusal {
        AuthorizeRefusal::Page(message) => pages::error_page(StatusCode::BAD_REQUEST, &message),
        AuthorizeRefusal::Redirect {
            redirect_uri,
            state,
            fault,
            in_fragment,
        } => {
            let mut params = vec![("error", fault_code(&fault).to_owned())];
            let description = fault.to_string();
            if description != fault_code(&fault) {
                params.push(("error_description", description));
            }
            if let Some(state) = state {
                params.push(("state", state));
            }
            if in_fragment {
                redirect(&format!("{redirect_uri}#{}", query_string(&params)))
            } else {
                redirect(&with_query(&redirect_uri, &params))
            }
        }
    }
}

/// A user signed in for `request`: the browser session is (re)started and
/// the client gets its code, or its tokens in the fragment (implicit).
pub async fn finish_sign_in(
    state: &AppState,
    request: &AuthorizeRequest,
    who: &SignedIn,
) -> Response {
    let cookie = match state.services.seal_browser_session(&request.pool_id, who) {
        Ok(cookie) => browser::set_session(state, &cookie),
        Err(e) => return pages::internal_error(e),
    };
    let location = match request.response_type {
        ResponseType::Code => match state.services.issue_authorization_code(request, who).await {
            Ok(code) => {
                let mut params = vec![("code", code)];
                if let Some(s) = &request.state {
                    params.push(("state", s.clone()));
                }
                with_query(&request.redirect_uri, &params)
            }
            Err(e) => return pages::internal_error(e),
        },
        ResponseType::Token => match state.services.implicit_grant(request, who).await {
            Ok(tokens) => {
                let mut params = vec![("access_token", tokens.access_token)];
                if let Some(id) = tokens.id_token {
                    params.push(("id_token", id));
                }
                params.push(("token_type", "Bearer".into()));
                params.push(("expires_in", tokens.expires_in.to_string()));
                if let Some(s) = &request.state {
                    params.push(("state", s.clone()));
                }
                format!("{}#{}", request.redirect_uri, query_string(&params))
            }
            Err(e) => return pages::internal_error(e),
        },
    };
    let mut response = redirect(&location);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `302 Found` to `location`, never cached.
pub fn redirect(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `uri` with `params` added to its query.
pub fn with_query(uri: &str, params: &[(&str, String)]) -> String {
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{}", query_string(params))
}

/// `a=1&b=2`, form-encoded.
pub fn query_string(params: &[(&str, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encoding of everything but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_appended_and_encoded() {
        assert_eq!(
            with_query(
                "https://app.example/cb",
                &[("code", "a b".into()), ("state", "x&y=z".into())]
            ),
            "https://app.example/cb?code=a%20b&state=x%26y%3Dz"
        );
        assert_eq!(
            with_query("https://app.example/cb?tenant=1", &[("code", "c".into())]),
            "https://app.example/cb?tenant=1&code=c"
        );
    }
}
