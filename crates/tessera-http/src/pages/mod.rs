//! The hosted pages: sign-in and the steps around it, server-rendered on a
//! pool's domain. Every page carries the authorization request's parameters
//! in its query string (links and form actions alike) and checks them anew;
//! state between steps lives only in the core's sealed Session, which the
//! forms carry. No script runs on any page.
//!
//! - [`login`]: `/login`, the sign-in form.
//! - [`challenge`]: `POST /challenge`, the steps after the password (new
//!   password, MFA codes, the choice of factor).
//! - [`totp_setup`]: MFA_SETUP, an authenticator app set up during sign-in.
//! - [`step`]: a sign-in at a challenge, as the forms carry it.
//! - [`signup`]: `/signup` and `/confirm`.
//! - [`recovery`]: `/forgotPassword` and `/confirmForgotPassword`.
//! - [`context`]: what every page knows: the request, pool, app and look.
//! - [`fields`]: the forms' labelled inputs.
//! - [`messages`]: core refusals as field or form errors; notices.
//! - [`form`]: posted forms, CSRF-checked.
//! - [`csrf`]: the CSRF cookie and token.
//! - [`view`]: the templates, rendered into responses.
//! - [`headers`]: the security headers every page carries.
//! - [`assets`]: the stylesheet.
//! - [`quota`]: the forms' requests counted against Cognito's quotas.

pub mod assets;
pub mod challenge;
pub mod context;
pub mod csrf;
pub mod fields;
pub mod form;
pub mod headers;
pub mod login;
pub mod messages;
pub mod quota;
pub mod recovery;
pub mod signup;
pub mod step;
pub mod theme;
pub mod totp_setup;
pub mod view;

use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};
use http::StatusCode;

use crate::router::AppState;

/// The pages' routes, for the pool whose domain a request reaches.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/login", get(login::show).post(login::submit))
        .route("/challenge", post(challenge::respond))
        .route("/signup", get(signup::show).post(signup::submit))
        .route(
            "/confirm",
            get(signup::show_confirm).post(signup::submit_confirm),
        )
        .route(
            "/forgotPassword",
            get(recovery::show).post(recovery::submit),
        )
        .route(
            "/confirmForgotPassword",
            get(recovery::show_reset).post(recovery::submit_reset),
        )
        .route("/static/tessera.css", get(assets::stylesheet))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            quota::admit,
        ))
}

/// A page that says what went wrong, and nothing else.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    view::plain_error(status, message)
}

/// A failure of ours: logged, and a page that says no more than that.
pub fn internal_error(e: tessera_core::Error) -> Response {
    tracing::error!(cause = %e, "a hosted page failed");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The request could not be completed. Try again.",
    )
}
