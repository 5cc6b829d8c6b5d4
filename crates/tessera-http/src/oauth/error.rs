//! OAuth 2.0 error responses (RFC 6749 §5.2, as Cognito's `/oauth2/token`
//! answers them: `{"error": …, "error_description": …}`), and the one place
//! core errors become them. The awsJson `__type` form never appears on an
//! OAuth endpoint.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::{Map, Value};
use tessera_core::Error;
use tessera_core::services::oauth::OAuthFault;

use crate::telemetry::ErrorType;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    status: StatusCode,
    /// The RFC 6749 error code.
    error: &'static str,
    description: Option<String>,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: Option<String>) -> Self {
        Self {
            status,
            error,
            description,
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            Some(description.into()),
        )
    }

    pub fn invalid_client() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", None)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            Some(description.into()),
        )
    }

    pub fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            Some(description.into()),
        )
    }

    pub fn unsupported_grant_type() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unsupported_grant_type", None)
    }

    pub fn invalid_scope() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_scope", None)
    }

    pub fn unsupported_token_type() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unsupported_token_type", None)
    }

    /// Over a quota: HTTP's 429, with Cognito's words.
    pub fn too_many_requests(description: String) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            Some(description),
        )
    }

    pub fn server_error() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", None)
    }

    pub fn error(&self) -> &'static str {
        self.error
    }
}

/// RFC 6749's name for a core refusal.
pub fn fault_code(fault: &OAuthFault) -> &'static str {
    match fault {
        OAuthFault::InvalidRequest(_) => "invalid_request",
        OAuthFault::InvalidClient => "invalid_client",
        OAuthFault::InvalidGrant(_) => "invalid_grant",
        OAuthFault::UnauthorizedClient(_) => "unauthorized_client",
        OAuthFault::UnsupportedGrantType => "unsupported_grant_type",
        OAuthFault::UnsupportedResponseType => "unsupported_response_type",
        OAuthFault::InvalidScope => "invalid_scope",
        OAuthFault::LoginRequired => "login_required",
    }
}

impl From<OAuthFault> for OAuthError {
    fn from(fault: OAuthFault) -> Self {
        match fault {
            OAuthFault::InvalidRequest(m) => OAuthError::invalid_request(m),
            OAuthFault::InvalidClient => OAuthError::invalid_client(),
            OAuthFault::InvalidGrant(m) => OAuthError::invalid_grant(m),
            OAuthFault::UnauthorizedClient(m) => OAuthError::unauthorized_client(m),
            OAuthFault::UnsupportedGrantType => OAuthError::unsupported_grant_type(),
            OAuthFault::UnsupportedResponseType => {
                Self::new(StatusCode::BAD_REQUEST, "unsupported_response_type", None)
            }
            OAuthFault::InvalidScope => OAuthError::invalid_scope(),
            OAuthFault::LoginRequired => Self::new(StatusCode::BAD_REQUEST, "login_required", None),
        }
    }
}

impl From<Error> for OAuthError {
    fn from(e: Error) -> Self {
        match e {
            Error::OAuth(fault) => fault.into(),
            Error::InvalidParameter(m) => OAuthError::invalid_request(m),
            // A client that does not exist, or whose secret is wrong.
            Error::ResourceNotFound(_) | Error::Unauthorized(_) => OAuthError::invalid_client(),
            // The grant (code, refresh token, password) does not hold.
            Error::NotAuthorized(m) | Error::CodeMismatch(m) | Error::ExpiredCode(m) => {
                OAuthError::invalid_grant(m)
            }
            Error::UserNotFound(_) | Error::UserNotConfirmed | Error::PasswordResetRequired => {
                OAuthError::invalid_grant(e.to_string())
            }
            Error::InvalidOAuthFlow(m) => OAuthError::unauthorized_client(m),
            Error::TooManyRequests(m) => OAuthError::too_many_requests(m),
            Error::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                OAuthError::server_error()
            }
            other => OAuthError::invalid_request(other.to_string()),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("error".into(), Value::from(self.error));
        if let Some(description) = self.description {
            body.insert("error_description".into(), Value::from(description));
        }
        let mut response = (self.status, Json(Value::Object(body))).into_response();
        // RFC 6749 §5.1: token responses, errors included, are never cached.
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            // The buckets hold a second's worth of requests.
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response.extensions_mut().insert(ErrorType(self.error));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(response: Response) -> Value {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        serde_json::from_slice(&bytes).expect("json")
    }

    #[tokio::test]
    async fn errors_are_rfc_6749_json_and_never_cached() {
        let response = OAuthError::invalid_grant("Refresh Token has expired").into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(
            body_of(response).await,
            serde_json::json!({"error": "invalid_grant", "error_description": "Refresh Token has expired"})
        );
        let response = OAuthError::invalid_client().into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            body_of(response).await,
            serde_json::json!({"error": "invalid_client"})
        );
    }

    #[test]
    fn core_errors_map_to_oauth_codes() {
        let cases = [
            (Error::InvalidParameter("x".into()), "invalid_request"),
            (Error::ResourceNotFound("x".into()), "invalid_client"),
            (Error::NotAuthorized("x".into()), "invalid_grant"),
            (Error::UserNotFound("x".into()), "invalid_grant"),
            (Error::InvalidOAuthFlow("x".into()), "unauthorized_client"),
            (Error::Internal("x".into()), "server_error"),
        ];
        for (core, code) in cases {
            assert_eq!(OAuthError::from(core).error(), code);
        }
    }
}
