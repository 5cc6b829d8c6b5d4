//! The forward-auth authorizer: the self-hosted counterpart of API Gateway's
//! Cognito authorizer. nginx `auth_request`, Traefik `ForwardAuth`, Caddy
//! `forward_auth` and Envoy's HTTP `ext_authz` send it the request they are
//! about to forward; it answers 200 with the caller's identity in headers,
//! or 401 / 403 with RFC 6750's `WWW-Authenticate`, and the proxy forwards
//! the request or the refusal.
//!
//! What a route requires is passed by the proxy in the authorizer URL's
//! query, so each `location` / router names its own:
//! `token_use` (`access` or `id`), `scope` (space-separated, all required),
//! `group` (comma-separated, any one), `client_id` (comma-separated, any
//! one), `pool_id`.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use tessera_core::Error;
use tessera_core::services::tokens::bearer::{Bearer, TokenUse};

use crate::router::AppState;

/// What a route asks of its callers.
#[derive(Debug, Default, PartialEq, Eq)]
struct Requirement {
    token_use: Option<TokenUse>,
    scopes: Vec<String>,
    groups: Vec<String>,
    clients: Vec<String>,
    pools: Vec<String>,
}

impl Requirement {
    fn parse(query: &BTreeMap<String, String>) -> Result<Self, String> {
        let list = |name: &str, sep: char| -> Vec<String> {
            query
                .get(name)
                .map(|v| {
                    v.split(sep)
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let token_use = match query.get("token_use").map(String::as_str) {
            None | Some("") => None,
            Some("access") => Some(TokenUse::Access),
            Some("id") => Some(TokenUse::Id),
            Some(other) => return Err(format!("token_use must be access or id, not {other}")),
        };
        Ok(Requirement {
            token_use,
            scopes: list("scope", ' '),
            groups: list("group", ','),
            clients: list("client_id", ','),
            pools: list("pool_id", ','),
        })
    }

    /// Why `bearer` does not meet the requirement, if it does not.
    fn unmet(&self, bearer: &Bearer) -> Option<String> {
        if let Some(wanted) = self.token_use
            && wanted != bearer.token_use
        {
            return Some(format!("This route needs an {} token.", wanted.as_str()));
        }
        if !self.pools.is_empty() && !self.pools.iter().any(|p| p == bearer.pool_id.as_str()) {
            return Some("The token is from another user pool.".into());
        }
        if !self.clients.is_empty() && !self.clients.iter().any(|c| c == bearer.client_id.as_str())
        {
            return Some("The token was issued to another app client.".into());
        }
        if let Some(missing) = self.scopes.iter().find(|s| !bearer.scopes.contains(s)) {
            return Some(format!("The token lacks the scope {missing}."));
        }
        if !self.groups.is_empty() && !self.groups.iter().any(|g| bearer.groups.contains(g)) {
            return Some("The user is in none of the groups this route allows.".into());
        }
        None
    }
}

/// Any method: proxies forward the original one.
pub async fn forward_auth(
    State(state): State<AppState>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let requirement = match Requirement::parse(&query) {
        Ok(r) => r,
        Err(why) => {
            // The proxy's configuration is wrong: nobody passes.
            tracing::error!(%why, "forward-auth called with a requirement it cannot read");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let Some(token) = bearer_token(&headers) else {
        return refusal(StatusCode::UNAUTHORIZED, None, None);
    };
    let bearer = match state.services.verify_bearer(token).await {
        Ok(b) => b,
        Err(Error::NotAuthorized(why)) => {
            return refusal(StatusCode::UNAUTHORIZED, Some("invalid_token"), Some(&why));
        }
        Err(e) => {
            tracing::error!(cause = %e, "forward-auth could not check a token");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if let Some(why) = requirement.unmet(&bearer) {
        let mut response = refusal(
            StatusCode::FORBIDDEN,
            Some("insufficient_scope"),
            Some(&why),
        );
        if !requirement.scopes.is_empty()
            && let Ok(value) = HeaderValue::from_str(&format!(
                "{}, scope=\"{}\"",
                response.headers()[header::WWW_AUTHENTICATE]
                    .to_str()
                    .unwrap_or_default(),
                requirement.scopes.join(" ")
            ))
        {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        return response;
    }
    identity(&bearer)
}

/// `Authorization: Bearer <token>` (the scheme in any case, RFC 7235).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// 200 with who the caller is, for the proxy to copy to the upstream.
fn identity(bearer: &Bearer) -> Response {
    let mut response = StatusCode::OK.into_response();
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    };
    set("x-auth-sub", &bearer.sub);
    if let Some(username) = &bearer.username {
        set("x-auth-username", username);
    }
    set("x-auth-groups", &bearer.groups.join(","));
    set("x-auth-scopes", &bearer.scopes.join(" "));
    set("x-auth-client-id", bearer.client_id.as_str());
    set("x-auth-token-use", bearer.token_use.as_str());
    set("x-auth-pool-id", bearer.pool_id.as_str());
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// RFC 6750 §3: no error code when no token was sent.
fn refusal(status: StatusCode, error: Option<&str>, description: Option<&str>) -> Response {
    let mut value = "Bearer realm=\"tessera\"".to_owned();
    if let Some(error) = error {
        value.push_str(&format!(", error=\"{error}\""));
    }
    if let Some(description) = description {
        value.push_str(&format!(
            ", error_description=\"{}\"",
            description.replace('"', "'")
        ));
    }
    let mut response = status.into_response();
    if let Ok(value) = HeaderValue::from_str(&value) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_read_from_the_query() {
        let query: BTreeMap<String, String> = [
            ("token_use", "access"),
            ("scope", "orders/read orders/write"),
            ("group", "admins, staff"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let r = Requirement::parse(&query).expect("parses");
        assert_eq!(r.token_use, Some(TokenUse::Access));
        assert_eq!(r.scopes, ["orders/read", "orders/write"]);
        assert_eq!(r.groups, ["admins", "staff"]);
        let bad: BTreeMap<String, String> = [("token_use".to_owned(), "refresh".to_owned())].into();
        assert!(Requirement::parse(&bad).is_err());
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(bearer_token(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&headers), None);
    }
}
