//! `GET|POST /oauth2/userInfo`: the claims of the access token's user, as
//! RFC 6750 answers a bearer-token resource.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::Value;
use tessera_core::Error;

use super::domain::DomainPool;
use crate::router::AppState;

pub async fn userinfo(
    State(state): State<AppState>,
    DomainPool { pool, .. }: DomainPool,
    headers: HeaderMap,
) -> Response {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty())
    else {
        return challenge(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Access token is missing.",
        );
    };
    match state.services.userinfo(token).await {
        // A token from another pool is as unknown here as a forged one.
        Ok((token_pool, claims)) if token_pool == pool => {
            let mut response = Json(Value::Object(claims)).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        // A deleted user or client is as gone as a revoked token.
        Ok(_)
        | Err(Error::NotAuthorized(_) | Error::UserNotFound(_) | Error::ResourceNotFound(_)) => {
            challenge(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "Access token is expired, disabled, or deleted, or the user has globally signed out.",
            )
        }
        Err(e) => {
            tracing::error!(cause = %e, "userInfo failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// RFC 6750 §3: the error in `WWW-Authenticate`.
fn challenge(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = status.into_response();
    let value = format!("Bearer error=\"{error}\", error_description=\"{description}\"");
    if let Ok(value) = HeaderValue::from_str(&value) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}
