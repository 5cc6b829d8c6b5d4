//! Per-pool OpenID documents, under the issuer URL: the JWKS and discovery.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tessera_core::ids::UserPoolId;

use crate::awsjson::ApiError;
use crate::router::AppState;

pub async fn jwks(State(state): State<AppState>, Path(pool): Path<String>) -> Response {
    match state.services.jwks(&UserPoolId::new(pool)).await {
        Ok(keys) => Json(keys).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Discovery. The OAuth endpoints it names are served at the public URL.
pub async fn openid_configuration(
    State(state): State<AppState>,
    Path(pool): Path<String>,
) -> Response {
    let pool = UserPoolId::new(pool);
    if let Err(e) = state.services.describe_pool(&pool).await {
        return ApiError::from(e).into_response();
    }
    let issuer = state.services.issuer(&pool);
    let base = state
        .services
        .deployment()
        .public_url
        .trim_end_matches('/')
        .to_owned();
    Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "end_session_endpoint": format!("{base}/logout"),
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }))
    .into_response()
}
