//! `POST /oauth2/token`: the grant, for the client that authenticated.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, header};
use serde_json::{Map, Value, json};
use tessera_core::services::limits::Category;
use tessera_core::services::oauth::grants::TokenGrant;

use super::client_auth::client_credentials;
use super::domain::DomainPool;
use super::error::OAuthError;
use super::form::Form;
use crate::router::AppState;

pub async fn token(
    State(state): State<AppState>,
    DomainPool { pool, .. }: DomainPool,
    headers: HeaderMap,
    Form(form): Form,
) -> Response {
    match answer(&state, &pool, &headers, &form).await {
        Ok(body) => {
            let mut response = Json(Value::Object(body)).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
        }
        Err(e) => e.into_response(),
    }
}

async fn answer(
    state: &AppState,
    pool: &tessera_core::ids::UserPoolId,
    headers: &HeaderMap,
    form: &BTreeMap<String, String>,
) -> Result<Map<String, Value>, OAuthError> {
    // Each grant counts against its quota before anything else is checked
    // (developer guide, quotas: the token endpoint's grants).
    let quota = match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => Some(Category::AuthorizationCodeGrant),
        Some("refresh_token") => Some(Category::UserAuthentication),
        Some("client_credentials") => Some(Category::ClientAuthentication),
        _ => None,
    };
    if let Some(category) = quota {
        state.services.admit(category, Some(pool))?;
    }
    let credentials = client_credentials(headers, form)?;
    let field = |name: &str| form.get(name).filter(|v| !v.is_empty()).cloned();
    let grant = match form.get("grant_type").map(String::as_str) {
        None | Some("") => return Err(OAuthError::invalid_request("grant_type is missing.")),
        Some("authorization_code") => TokenGrant::AuthorizationCode {
            code: field("code").ok_or_else(|| OAuthError::invalid_request("code is missing."))?,
            redirect_uri: field("redirect_uri"),
            code_verifier: field("code_verifier"),
        },
        Some("refresh_token") => TokenGrant::RefreshToken {
            refresh_token: field("refresh_token")
                .ok_or_else(|| OAuthError::invalid_request("refresh_token is missing."))?,
        },
        Some("client_credentials") => TokenGrant::ClientCredentials {
            scope: field("scope"),
            client_metadata: match field("aws_client_metadata") {
                None => Default::default(),
                Some(json) => serde_json::from_str(&json).map_err(|_| {
                    OAuthError::invalid_request(
                        "aws_client_metadata must be a JSON object of strings.",
                    )
                })?,
            },
        },
        Some(_) => return Err(OAuthError::unsupported_grant_type()),
    };
    let tokens = state
        .services
        .oauth_token(pool, credentials, grant)
        .await
        .map_err(OAuthError::from)?;
    let mut body = Map::new();
    if let Some(id) = tokens.id_token {
        body.insert("id_token".into(), json!(id));
    }
    body.insert("access_token".into(), json!(tokens.access_token));
    if let Some(refresh) = tokens.refresh_token {
        body.insert("refresh_token".into(), json!(refresh));
    }
    body.insert("expires_in".into(), json!(tokens.expires_in));
    body.insert("token_type".into(), json!("Bearer"));
    Ok(body)
}
