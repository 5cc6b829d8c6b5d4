//! The forward-auth authorizer: the self-hosted counterpart of API Gateway's
//! Cognito authorizer. nginx `auth_request`, Traefik `ForwardAuth`, Caddy
//! `forward_auth` and Envoy's HTTP `ext_authz` send it the request they are
//! about to forward; it answers 200 with the caller's identity in headers,
//! or 401 / 403 with RFC 6750's `WWW-Authenticate`, and the proxy forwards
//! the request or the refusal.
//!
//! What a route requires is passed by the proxy in the authorizer URL's
//! query, so each `location` / router names its own: `pool_id` (required,
//! comma-separated, any one: a token of another pool never passes, as API
//! Gateway's authorizer is bound to its user pools), `token_use` (`access`
//! or `id`), `scope` (space-separated, all required), `group`
//! (comma-separated, any one), `client_id` (comma-separated, any one).

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
        let pools = list("pool_id", ',');
        if pools.is_empty() {
            return Err("the route names no pool_id".into());
        }
        Ok(Requirement {
            token_use,
            scopes: list("scope", ' '),
            groups: list("group", ','),
            clients: list("client_id", ','),
            pools,
        })
    }

    /// Why `bearer` does not meet the requirement, if it does not.
    fn unmet(&self, bearer: &Bearer) -> Option<String> {
        if let Some(wanted) = self.token_use
            && wanted != bearer.token_use
        {
            return Some(format!("This route needs an {} token.", wanted.as_str()));
        }
        if !self.pools.iter().any(|p| p == bearer.pool_id.as_str()) {
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
        let scope = (!requirement.scopes.is_empty()).then(|| requirement.scopes.join(" "));
        return refusal_with_scope(
            StatusCode::FORBIDDEN,
            Some("insufficient_scope"),
            Some(&why),
            scope.as_deref(),
        );
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

/// 200 with who the caller is, for the proxy to copy to the upstream. Every
/// header is always sent (empty when it does not apply), so a header the
/// caller sent itself cannot stand in for one left out; a value that cannot
/// be a header refuses the request instead.
fn identity(bearer: &Bearer) -> Response {
    let mut response = StatusCode::OK.into_response();
    let headers = response.headers_mut();
    let mut unencodable = false;
    let mut set = |name: &'static str, value: &str| match HeaderValue::from_str(value) {
        Ok(value) => {
            headers.insert(HeaderName::from_static(name), value);
        }
        Err(_) => unencodable = true,
    };
    set("x-auth-sub", &bearer.sub);
    set("x-auth-username", bearer.username.as_deref().unwrap_or(""));
    set("x-auth-groups", &bearer.groups.join(","));
    set("x-auth-scopes", &bearer.scopes.join(" "));
    set("x-auth-client-id", bearer.client_id.as_str());
    set("x-auth-token-use", bearer.token_use.as_str());
    set("x-auth-pool-id", bearer.pool_id.as_str());
    if unencodable {
        tracing::warn!("forward-auth refused a token whose identity cannot be sent as headers");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// RFC 6750 §3: no error code when no token was sent.
fn refusal(status: StatusCode, error: Option<&str>, description: Option<&str>) -> Response {
    refusal_with_scope(status, error, description, None)
}

fn refusal_with_scope(
    status: StatusCode,
    error: Option<&str>,
    description: Option<&str>,
    scope: Option<&str>,
) -> Response {
    let quoted = |text: &str| text.replace(['"', '\\'], "'");
    let mut value = "Bearer realm=\"tessera\"".to_owned();
    if let Some(error) = error {
        value.push_str(&format!(", error=\"{error}\""));
    }
    if let Some(description) = description {
        value.push_str(&format!(", error_description=\"{}\"", quoted(description)));
    }
    if let Some(scope) = scope {
        value.push_str(&format!(", scope=\"{}\"", quoted(scope)));
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
        let mut query = query;
        query.insert("pool_id".into(), "us-east-1_a".into());
        let r = Requirement::parse(&query).expect("parses");
        assert_eq!(r.token_use, Some(TokenUse::Access));
        assert_eq!(r.scopes, ["orders/read", "orders/write"]);
        assert_eq!(r.groups, ["admins", "staff"]);
        let mut bad = query.clone();
        bad.insert("token_use".into(), "refresh".into());
        assert!(Requirement::parse(&bad).is_err());
        query.remove("pool_id");
        assert!(
            Requirement::parse(&query).is_err(),
            "a route names its pool"
        );
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
