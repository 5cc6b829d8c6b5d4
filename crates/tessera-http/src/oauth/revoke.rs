//! `POST /oauth2/revoke`: a refresh token and what was issued from it
//! (RFC 7009), for the client that authenticated.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use tessera_core::Error;
use tessera_core::services::limits::Category;

use super::client_auth::client_credentials;
use super::domain::DomainPool;
use super::error::OAuthError;
use super::form::Form;
use crate::router::AppState;

pub async fn revoke(
    State(state): State<AppState>,
    DomainPool { pool, .. }: DomainPool,
    headers: HeaderMap,
    Form(form): Form,
) -> Response {
    // RevokeToken's quota, as the API operation's.
    if let Err(e) = state.services.admit(Category::UserToken, Some(&pool)) {
        return OAuthError::from(e).into_response();
    }
    let credentials = match client_credentials(&headers, &form) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let Some(token) = form.get("token").filter(|t| !t.is_empty()) else {
        return OAuthError::invalid_request("token is missing.").into_response();
    };
    match state
        .services
        .revoke_oauth_token(&pool, token, &credentials)
        .await
    {
        Ok(()) => StatusCode::OK.into_response(),
        Err(Error::UnsupportedTokenType(_)) => OAuthError::unsupported_token_type().into_response(),
        Err(Error::UnsupportedOperation(m)) => OAuthError::invalid_request(m).into_response(),
        Err(e) => OAuthError::from(e).into_response(),
    }
}
