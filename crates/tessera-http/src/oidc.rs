//! Per-pool OpenID documents, under the issuer URL: the JWKS and discovery.

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

/// Discovery: the issuer and its keys, and the metadata OpenID Connect
/// Discovery requires. Endpoints are listed only once they answer (no
/// `/oauth2/*` or `/logout` yet).
pub async fn openid_configuration(
    State(state): State<AppState>,
    Path(pool): Path<String>,
) -> Response {
    let pool = UserPoolId::new(pool);
    if let Err(e) = state.services.describe_pool(&pool).await {
        return api_error(e).into_response();
    }
    let issuer = state.services.issuer(&pool);
    Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "response_types_supported": ["code", "token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
    .into_response()
}
