//! Per-pool OpenID documents, under the issuer URL: the JWKS and discovery;
//! and the identity service's, under its issuer (`/cognito-identity`).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tessera_core::ids::UserPoolId;

use crate::router::AppState;
use crate::user_pools::errors::api_error;

pub async fn jwks(State(state): State<AppState>, Path(pool): Path<String>) -> Response {
    match state.services.jwks(&UserPoolId::new(pool)).await {
        Ok(keys) => Json(keys).into_response(),
        Err(e) => api_error(e).into_response(),
    }
}

/// Discovery: the issuer and its keys, the metadata OpenID Connect
/// Discovery requires, and — once the pool has a domain — its endpoints and
/// exactly what they support.
pub async fn openid_configuration(
    State(state): State<AppState>,
    Path(pool): Path<String>,
) -> Response {
    let pool = UserPoolId::new(pool);
    if let Err(e) = state.services.describe_pool(&pool).await {
        return api_error(e).into_response();
    }
    let domain = match state.services.domain_url(&pool).await {
        Ok(domain) => domain,
        Err(e) => return api_error(e).into_response(),
    };
    let issuer = state.services.issuer(&pool);
    let mut doc = json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "response_types_supported": ["code", "token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
    });
    if let Some(base) = domain {
        let endpoints = json!({
            "authorization_endpoint": format!("{base}/oauth2/authorize"),
            "token_endpoint": format!("{base}/oauth2/token"),
            "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
            "revocation_endpoint": format!("{base}/oauth2/revoke"),
            "end_session_endpoint": format!("{base}/logout"),
            "grant_types_supported": ["authorization_code", "refresh_token", "implicit", "client_credentials"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
                "cognito:username", "cognito:groups", "email", "email_verified", "phone_number",
                "phone_number_verified", "name", "given_name", "family_name"],
        });
        if let (Some(doc), Some(endpoints)) = (doc.as_object_mut(), endpoints.as_object()) {
            doc.extend(endpoints.clone());
        }
    }
    Json(doc).into_response()
}

/// The identity service's JWKS: the keys of identity pools' OpenID tokens.
pub async fn identity_jwks(State(state): State<AppState>) -> Response {
    match state.services.identity_jwks().await {
        Ok(keys) => Json(keys).into_response(),
        Err(e) => crate::identity_pools::errors::api_error(e).into_response(),
    }
}

/// The identity service's discovery document, which IAM (or another STS)
/// reads to trust its OpenID tokens.
pub async fn identity_openid_configuration(State(state): State<AppState>) -> Response {
    Json(state.services.identity_openid_configuration()).into_response()
}
