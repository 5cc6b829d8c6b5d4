//! `GET /logout`: ends the browser session, then goes to a registered
//! `logout_uri`, or back to the sign-in page for a new authorization request.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};

use super::authorize::{query_string, redirect, refusal_response};
use super::browser;
use super::domain::DomainPool;
use crate::pages;
use crate::router::AppState;

pub async fn logout(
    State(state): State<AppState>,
    DomainPool { pool, .. }: DomainPool,
    Query(params): Query<BTreeMap<String, String>>,
) -> Response {
    let mut response = match params.get("logout_uri") {
        Some(logout_uri) => {
            let client = match params.get("client_id") {
                Some(id) => state.services.logout_client(&pool, id).await,
                None => Ok(None),
            };
            match client {
                Ok(Some(logout_urls)) if logout_urls.iter().any(|u| u == logout_uri) => {
                    redirect(logout_uri)
                }
                Ok(_) => {
                    return pages::error_page(
                        StatusCode::BAD_REQUEST,
                        "The logout_uri is not one of the app client's sign-out URLs.",
                    );
                }
                Err(e) => return pages::internal_error(e),
            }
        }
        None if params.contains_key("redirect_uri") => {
            match state.services.check_authorize(&pool, &params).await {
                Ok(Ok(request)) => {
                    redirect(&format!("/login?{}", query_string(&request.parameters())))
                }
                Ok(Err(refusal)) => return refusal_response(refusal),
                Err(e) => return pages::internal_error(e),
            }
        }
        None => {
            return pages::error_page(
                StatusCode::BAD_REQUEST,
                "Sign-out needs a logout_uri, or a redirect_uri and response_type.",
            );
        }
    };
    if let Ok(value) = HeaderValue::from_str(&browser::clear_session(&state)) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
