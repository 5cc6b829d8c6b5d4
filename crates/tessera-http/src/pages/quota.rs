//! The pages' forms count against Cognito's request-rate quotas as the API
//! operations they stand for do (developer guide, quotas: a hosted UI
//! sign-in "consumes UserAuthentication category limits"): signing in,
//! the steps after the password, signing up and confirming, recovering a
//! password. Showing a page counts against nothing.

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{Method, StatusCode};
use tessera_core::services::limits::Category;

use super::error_page;
use crate::oauth::domain::DomainPool;
use crate::router::AppState;

/// The quota a form's POST counts against.
fn category(path: &str) -> Option<Category> {
    Some(match path {
        "/login" => Category::UserAuthentication,
        "/challenge" => Category::UserAuthChallenge,
        "/signup" | "/confirm" => Category::UserCreation,
        "/forgotPassword" | "/confirmForgotPassword" => Category::UserAccountRecovery,
        _ => return None,
    })
}

pub async fn admit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(category) = (request.method() == Method::POST)
        .then(|| category(request.uri().path()))
        .flatten()
    else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    // A host no pool has is the handler's to refuse; the pool's own quota
    // applies beside the node's.
    let pool = DomainPool::from_request_parts(&mut parts, &state)
        .await
        .ok()
        .map(|d| d.pool);
    if state.services.admit(category, pool.as_ref()).is_err() {
        return error_page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests are arriving right now. Wait a moment, then try again.",
        );
    }
    next.run(Request::from_parts(parts, body)).await
}
