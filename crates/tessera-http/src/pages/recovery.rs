//! `/forgotPassword` and `/confirmForgotPassword`: a code sent to the
//! account's verified contact, then a new password with it. Once reset, the
//! user signs in on `/login`, told so.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use tessera_core::services::recovery::ConfirmForgotPassword;

use super::context::PageContext;
use super::fields::{Field, settle};
use super::form::PostedForm;
use super::internal_error;
use super::messages::{Refusal, Roles, refusal};
use super::signup::sent_notice;
use super::view::{Alternate, FormView, Link, form_page};
use crate::oauth::authorize::redirect;
use crate::oauth::domain::DomainPool;
use crate::router::AppState;

const ROLES: Roles = Roles {
    username: Some("username"),
    password: None,
    new_password: Some("password"),
    code: Some("code"),
};

fn status(refused: Option<&Refusal>) -> StatusCode {
    if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

pub async fn show(
    State(state): State<AppState>,
    domain: DomainPool,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    match PageContext::load(&state, &domain, &params, &headers).await {
        Ok(ctx) => forgot_page(&ctx, "", None),
        Err(response) => response,
    }
}

pub async fn submit(
    State(state): State<AppState>,
    domain: DomainPool,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    form: PostedForm,
) -> Response {
    let ctx = match PageContext::load(&state, &domain, &params, &headers).await {
        Ok(ctx) => ctx,
        Err(response) => return response,
    };
    let username = form.trimmed("username");
    if username.is_empty() {
        let r = Refusal::Field("username", "Enter your username.".into());
        return forgot_page(&ctx, username, Some(&r));
    }
    send_code(&state, &ctx, username, None).await
}

/// Sends a reset code and shows the page to use it; a refusal goes back to
/// the page that asks for the username.
async fn send_code(
    state: &AppState,
    ctx: &PageContext,
    username: &str,
    before: Option<&str>,
) -> Response {
    let sent = state
        .services
        .forgot_password(
            &ctx.request.client_id,
            username,
            ctx.secret_hash(username).as_deref(),
            &BTreeMap::new(),
        )
        .await;
    match sent {
        Ok(delivery) => {
            let notice = match before {
                Some(before) => format!("{before} {}", sent_notice(&delivery)),
                None => sent_notice(&delivery),
            };
            reset_page(ctx, username, Some(notice), None)
        }
        Err(e) => match refusal(e, ROLES) {
            Ok(r) => forgot_page(ctx, username, Some(&r)),
            Err(e) => internal_error(e),
        },
    }
}

/// A sign-in refused until the password is reset (an administrator's
/// AdminResetUserPassword): a code, and the page to choose the new password.
pub async fn reset_required(state: &AppState, ctx: &PageContext, username: &str) -> Response {
    send_code(
        state,
        ctx,
        username,
        Some("You need to reset your password before you sign in."),
    )
    .await
}

fn forgot_page(ctx: &PageContext, username: &str, refused: Option<&Refusal>) -> Response {
    let mut fields = vec![Field::username(&ctx.pool).with_value(username)];
    settle(&mut fields, refused.and_then(Refusal::field));
    let form = FormView {
        heading: "Reset your password".into(),
        lead: Some(
            "We'll send a code to the email address or phone number of your account.".into(),
        ),
        error: refused.and_then(Refusal::form),
        action: ctx.url("/forgotPassword", &[]),
        fields,
        submit: "Send code".into(),
        links: vec![
            Link::new(
                "I already have a code",
                ctx.url("/confirmForgotPassword", &[]),
            ),
            Link::new("Back to sign in", ctx.url("/login", &[])),
        ],
        ..FormView::default()
    };
    form_page(ctx, status(refused), &form, ctx.policy())
}

pub async fn show_reset(
    State(state): State<AppState>,
    domain: DomainPool,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    match PageContext::load(&state, &domain, &params, &headers).await {
        Ok(ctx) => reset_page(&ctx, "", None, None),
        Err(response) => response,
    }
}

pub async fn submit_reset(
    State(state): State<AppState>,
    domain: DomainPool,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    form: PostedForm,
) -> Response {
    let ctx = match PageContext::load(&state, &domain, &params, &headers).await {
        Ok(ctx) => ctx,
        Err(response) => return response,
    };
    let username = form.trimmed("username");
    let code = form.trimmed("code");
    let password = form.get("password");
    let missing = if username.is_empty() {
        Some(Refusal::Field("username", "Enter your username.".into()))
    } else if form.get("action") == "resend" {
        return send_code(&state, &ctx, username, None).await;
    } else if code.is_empty() {
        Some(Refusal::Field("code", "Enter the code.".into()))
    } else if password.is_empty() {
        Some(Refusal::Field("password", "Choose a new password.".into()))
    } else {
        None
    };
    if let Some(missing) = missing {
        return reset_page(&ctx, username, None, Some(&missing));
    }
    let reset = state
        .services
        .confirm_forgot_password(ConfirmForgotPassword {
            client_id: ctx.request.client_id.clone(),
            username: username.to_owned(),
            code: code.to_owned(),
            password: password.to_owned(),
            secret_hash: ctx.secret_hash(username),
            client_metadata: BTreeMap::new(),
        })
        .await;
    match reset {
        Ok(()) => redirect(&ctx.url("/login", &[("notice", "password_reset".into())])),
        Err(e) => match refusal(e, ROLES) {
            Ok(r) => reset_page(&ctx, username, None, Some(&r)),
            Err(e) => internal_error(e),
        },
    }
}

fn reset_page(
    ctx: &PageContext,
    username: &str,
    notice: Option<String>,
    refused: Option<&Refusal>,
) -> Response {
    let mut fields = vec![
        Field::username(&ctx.pool).with_value(username),
        Field::code("code", "Code"),
        Field::new_password("password", "New password", &ctx.pool),
    ];
    settle(&mut fields, refused.and_then(Refusal::field));
    let form = FormView {
        heading: "Choose a new password".into(),
        lead: Some("Enter the code we sent you and the password you want.".into()),
        notice,
        error: refused.and_then(Refusal::form),
        action: ctx.url("/confirmForgotPassword", &[]),
        fields,
        submit: "Reset password".into(),
        alternate: Some(Alternate {
            name: "action".into(),
            value: "resend".into(),
            label: "Send a new code".into(),
        }),
        links: vec![Link::new("Back to sign in", ctx.url("/login", &[]))],
        ..FormView::default()
    };
    form_page(ctx, status(refused), &form, ctx.policy())
}
