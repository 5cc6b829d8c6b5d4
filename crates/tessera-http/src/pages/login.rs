//! `/login`: the sign-in form, and the first step of a sign-in.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use tessera_core::Error;

use super::context::PageContext;
use super::fields::{Field, settle};
use super::form::PostedForm;
use super::messages::{Refusal, Roles, notice, refusal};
use super::view::{FormView, Link, form_page};
use super::{challenge, internal_error, recovery, signup};
use crate::oauth::domain::DomainPool;
use crate::peer::PeerIp;
use crate::router::AppState;

const ROLES: Roles = Roles {
    username: Some("username"),
    password: Some("password"),
    new_password: None,
    code: None,
};

pub async fn show(
    State(state): State<AppState>,
    domain: DomainPool,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ctx = match PageContext::load(&state, &domain, &params, &headers).await {
        Ok(ctx) => ctx,
        Err(response) => return response,
    };
    let mut form = login_form(&ctx, "", None);
    form.notice = params
        .get("notice")
        .and_then(|n| notice(n))
        .map(str::to_owned);
    form_page(&ctx, StatusCode::OK, &form, ctx.redirecting_policy())
}

pub async fn submit(
    State(state): State<AppState>,
    domain: DomainPool,
    PeerIp(peer): PeerIp,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    form: PostedForm,
) -> Response {
    let ctx = match PageContext::load(&state, &domain, &params, &headers).await {
        Ok(ctx) => ctx.with_peer(peer),
        Err(response) => return response,
    };
    let username = form.trimmed("username");
    let password = form.get("password");
    let missing = if username.is_empty() {
        Some(Refusal::Field("username", "Enter your username.".into()))
    } else if password.is_empty() {
        Some(Refusal::Field("password", "Enter your password.".into()))
    } else {
        None
    };
    if let Some(missing) = missing {
        return refused(&ctx, username, &missing);
    }
    match state
        .services
        .hosted_sign_in(&ctx.request, ctx.peer, username, password)
        .await
    {
        Ok(outcome) => challenge::next(&state, &ctx, outcome, username).await,
        // A right password for an account not yet confirmed: a fresh code,
        // and the page to enter it, as Cognito's hosted UI does.
        Err(Error::UserNotConfirmed) => signup::confirm_after_sign_in(&state, &ctx, username).await,
        Err(Error::PasswordResetRequired) => recovery::reset_required(&state, &ctx, username).await,
        Err(e) => match refusal(e, ROLES) {
            Ok(r) => refused(&ctx, username, &r),
            Err(e) => internal_error(e),
        },
    }
}

fn refused(ctx: &PageContext, username: &str, refusal: &Refusal) -> Response {
    let form = login_form(ctx, username, Some(refusal));
    form_page(
        ctx,
        StatusCode::BAD_REQUEST,
        &form,
        ctx.redirecting_policy(),
    )
}

/// The sign-in form, with what was typed and what was wrong with it.
pub fn login_form(ctx: &PageContext, username: &str, refusal: Option<&Refusal>) -> FormView {
    let mut fields = vec![
        Field::username(&ctx.pool).with_value(username),
        Field::current_password(),
    ];
    settle(&mut fields, refusal.and_then(Refusal::field));
    let mut links = vec![Link::new(
        "Forgot your password?",
        ctx.url("/forgotPassword", &[]),
    )];
    if !ctx.pool.admin_create_user_only() {
        links.push(Link::led(
            "New here?",
            "Create an account",
            ctx.url("/signup", &[]),
        ));
    }
    FormView {
        heading: "Sign in".into(),
        lead: Some(format!("to continue to {}", ctx.chrome.app)),
        error: refusal.and_then(Refusal::form),
        action: ctx.url("/login", &[]),
        fields,
        submit: "Sign in".into(),
        links,
        ..FormView::default()
    }
}
