//! `/signup` and `/confirm`: creating an account and confirming it with the
//! code sent to it (not offered when only administrators create users).
//! Once confirmed, the user signs in on `/login`, told so.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use tessera_core::domain::pool::UserPool;
use tessera_core::services::branding::managed_look::SignUpTerms;
use tessera_core::services::codes::CodeDelivery;
use tessera_core::services::signup::{ConfirmSignUp, SignUp};

use super::context::PageContext;
use super::fields::{Field, settle};
use super::form::PostedForm;
use super::internal_error;
use super::messages::{Refusal, Roles, refusal};
use super::view::{Alternate, FormView, Link, form_page, sign_in_error};
use crate::oauth::authorize::redirect;
use crate::oauth::domain::DomainPool;
use crate::router::AppState;

const SIGN_UP_ROLES: Roles = Roles {
    username: Some("username"),
    password: None,
    new_password: Some("password"),
    code: None,
};

const CONFIRM_ROLES: Roles = Roles {
    username: Some("username"),
    password: None,
    new_password: None,
    code: Some("code"),
};

/// The attributes the sign-up form asks for: those the pool requires, and
/// the one its confirmation code goes to; never the one that is the username.
fn sign_up_attributes(pool: &UserPool) -> Vec<String> {
    let as_username = pool.username_attributes();
    let mut names: Vec<String> = pool
        .schema
        .iter()
        .filter(|a| a.required && !a.developer_only_attribute && a.name != "sub")
        .map(|a| a.name.clone())
        .collect();
    for verified in pool.auto_verified_attributes() {
        if !names.contains(&verified) {
            names.push(verified);
        }
    }
    // The contact attributes first, in the order people expect them.
    names.sort_by_key(|n| match n.as_str() {
        "email" => 0,
        "phone_number" => 1,
        _ => 2,
    });
    names.retain(|n| !as_username.contains(n));
    names
}

/// The sign-up page's context, and the terms it links to.
async fn context(
    state: &AppState,
    domain: &DomainPool,
    params: &BTreeMap<String, String>,
    headers: &HeaderMap,
) -> Result<(PageContext, Option<SignUpTerms>), Response> {
    let ctx = PageContext::load(state, domain, params, headers).await?;
    if ctx.pool.admin_create_user_only() {
        return Err(sign_in_error(
            &ctx,
            StatusCode::FORBIDDEN,
            "Sign-up is not available",
            "Accounts here are created by an administrator. Ask yours for one.",
            Link::new("Back to sign in", ctx.url("/login", &[])),
        ));
    }
    let terms = ctx.sign_up_terms(state).await?;
    Ok((ctx, terms))
}

pub async fn show(
    State(state): State<AppState>,
    domain: DomainPool,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    match context(&state, &domain, &params, &headers).await {
        Ok((ctx, terms)) => sign_up_page(&ctx, terms, None, &PostedForm(BTreeMap::new())),
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
    let (ctx, terms) = match context(&state, &domain, &params, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let username = form.trimmed("username");
    let attributes: Vec<(String, String)> = sign_up_attributes(&ctx.pool)
        .into_iter()
        .filter_map(|name| form.optional(&name).map(|v| (name.clone(), v.to_owned())))
        .collect();
    let missing = if username.is_empty() {
        Some(Refusal::Field("username", "Enter a username.".into()))
    } else if form.get("password").is_empty() {
        Some(Refusal::Field("password", "Choose a password.".into()))
    } else {
        None
    };
    if let Some(missing) = missing {
        return sign_up_page(&ctx, terms, Some(&missing), &form);
    }
    let signed_up = state
        .services
        .sign_up(SignUp {
            client_id: ctx.request.client_id.clone(),
            username: username.to_owned(),
            password: Some(form.get("password").to_owned()),
            attributes,
            secret_hash: ctx.secret_hash(username),
            validation_data: BTreeMap::new(),
            client_metadata: BTreeMap::new(),
        })
        .await;
    match signed_up {
        // Confirmed by the pool's PreSignUp trigger: nothing left but signing in.
        Ok(result) if result.confirmed => {
            redirect(&ctx.url("/login", &[("notice", "confirmed".into())]))
        }
        Ok(result) => confirm_page(
            &ctx,
            username,
            result.delivery.as_ref().map(sent_notice),
            None,
        ),
        Err(e) => match refusal(e, SIGN_UP_ROLES) {
            Ok(r) => sign_up_page(&ctx, terms, Some(&r), &form),
            Err(e) => internal_error(e),
        },
    }
}

fn sign_up_page(
    ctx: &PageContext,
    terms: Option<SignUpTerms>,
    refused: Option<&Refusal>,
    sent: &PostedForm,
) -> Response {
    let mut username = Field::username(&ctx.pool).with_value(sent.trimmed("username"));
    if ctx.pool.username_attributes().is_empty() {
        username = username.with_hint("You will sign in with it. It can't be changed later.");
    }
    let mut fields = vec![username];
    for name in sign_up_attributes(&ctx.pool) {
        fields.push(Field::attribute(&name, &name).with_value(sent.trimmed(&name)));
    }
    fields.push(Field::new_password("password", "Password", &ctx.pool));
    settle(&mut fields, refused.and_then(Refusal::field));
    let form = FormView {
        heading: "Create your account".into(),
        lead: Some(format!("to start using {}", ctx.chrome.app)),
        error: refused.and_then(Refusal::form),
        action: ctx.url("/signup", &[]),
        fields,
        submit: "Create account".into(),
        terms,
        links: vec![Link::led(
            "Already have an account?",
            "Sign in",
            ctx.url("/login", &[]),
        )],
        ..FormView::default()
    };
    form_page(ctx, status(refused), &form, ctx.policy())
}

fn status(refused: Option<&Refusal>) -> StatusCode {
    if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

/// "We sent a code to a***@e***."
pub fn sent_notice(delivery: &CodeDelivery) -> String {
    format!("We sent a code to {}.", delivery.destination)
}

pub async fn show_confirm(
    State(state): State<AppState>,
    domain: DomainPool,
    Query(params): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    match PageContext::load(&state, &domain, &params, &headers).await {
        Ok(ctx) => confirm_page(&ctx, "", None, None),
        Err(response) => response,
    }
}

pub async fn submit_confirm(
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
        return confirm_page(&ctx, username, None, Some(&r));
    }
    if form.get("action") == "resend" {
        return resend(&state, &ctx, username, None).await;
    }
    let code = form.trimmed("code");
    if code.is_empty() {
        let r = Refusal::Field("code", "Enter the code.".into());
        return confirm_page(&ctx, username, None, Some(&r));
    }
    let confirmed = state
        .services
        .confirm_sign_up(ConfirmSignUp {
            client_id: ctx.request.client_id.clone(),
            username: username.to_owned(),
            code: code.to_owned(),
            secret_hash: ctx.secret_hash(username),
            force_alias_creation: false,
            client_metadata: BTreeMap::new(),
            session: None,
        })
        .await;
    match confirmed {
        // The pages sign the user in on the sign-in page, not with the Session.
        Ok(_) => redirect(&ctx.url("/login", &[("notice", "confirmed".into())])),
        Err(e) => match refusal(e, CONFIRM_ROLES) {
            Ok(r) => confirm_page(&ctx, username, None, Some(&r)),
            Err(e) => internal_error(e),
        },
    }
}

/// A new code, and the confirmation page saying where it went.
async fn resend(
    state: &AppState,
    ctx: &PageContext,
    username: &str,
    before: Option<&str>,
) -> Response {
    let sent = state
        .services
        .resend_confirmation_code(
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
            confirm_page(ctx, username, Some(notice), None)
        }
        Err(e) => match refusal(e, CONFIRM_ROLES) {
            Ok(r) => confirm_page(ctx, username, None, Some(&r)),
            Err(e) => internal_error(e),
        },
    }
}

/// A sign-in with the right password for an account not yet confirmed.
pub async fn confirm_after_sign_in(
    state: &AppState,
    ctx: &PageContext,
    username: &str,
) -> Response {
    resend(
        state,
        ctx,
        username,
        Some("Confirm your account to sign in."),
    )
    .await
}

fn confirm_page(
    ctx: &PageContext,
    username: &str,
    notice: Option<String>,
    refused: Option<&Refusal>,
) -> Response {
    let mut fields = vec![
        Field::username(&ctx.pool).with_value(username),
        Field::code("code", "Confirmation code"),
    ];
    settle(&mut fields, refused.and_then(Refusal::field));
    let form = FormView {
        heading: "Confirm your account".into(),
        lead: Some("Enter the code we sent you to finish creating your account.".into()),
        notice,
        error: refused.and_then(Refusal::form),
        action: ctx.url("/confirm", &[]),
        fields,
        submit: "Confirm account".into(),
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
