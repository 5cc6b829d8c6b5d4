//! Which pool a request to a hosted endpoint is for: the one whose domain
//! (`<prefix>.<base domain>`, or a custom domain) the Host header names.

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use tessera_core::ids::UserPoolId;

use crate::pages;
use crate::router::AppState;

/// The pool of the domain a request reached, and which pages the domain
/// serves: 1 the classic hosted UI, 2 managed login.
pub struct DomainPool {
    pub pool: UserPoolId,
    pub managed_login_version: i64,
}

impl FromRequestParts<AppState> for DomainPool {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let host = parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        match state.services.pool_for_host(host).await {
            Ok(Some(found)) => Ok(DomainPool {
                pool: found.pool_id,
                managed_login_version: found.managed_login_version,
            }),
            Ok(None) => Err(pages::error_page(
                StatusCode::NOT_FOUND,
                "No user pool has this domain.",
            )),
            Err(e) => {
                tracing::error!(cause = %e, "resolving a domain");
                Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
            }
        }
    }
}
