//! The steps of a sign-in after the password: each challenge the core asks
//! for, as a page (`POST /challenge` takes every answer), until the user is
//! signed in and sent back to the client.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use tessera_core::domain::mfa::MfaFactor;
use tessera_core::services::signin::AuthOutcome;
use tessera_core::services::signin::challenge::Challenge;

use super::context::PageContext;
use super::fields::{Field, settle};
use super::form::PostedForm;
use super::messages::{Refusal, Roles, refusal};
use super::step::{Pending, Step};
use super::view::{Choice, Choices, FormView, Link, form_page, sign_in_error};
use super::{internal_error, totp_setup};
use crate::oauth::authorize::finish_sign_in;
use crate::oauth::domain::DomainPool;
use crate::peer::PeerIp;
use crate::router::AppState;

const ROLES: Roles = Roles {
    username: None,
    password: None,
    new_password: Some("new_password"),
    code: Some("code"),
};

/// Where a sign-in goes after a step the core accepted: back to the client
/// when it is complete, else to the page of the next challenge.
pub async fn next(
    state: &AppState,
    ctx: &PageContext,
    outcome: AuthOutcome,
    login: &str,
) -> Response {
    match outcome {
        AuthOutcome::SignedIn(who) => finish_sign_in(state, &ctx.request, &who).await,
        AuthOutcome::Challenge {
            challenge,
            session: Some(session),
        } => {
            if let Challenge::MfaSetup {
                user_id_for_srp,
                can_set_up,
            } = &challenge
            {
                if !can_set_up.contains(&MfaFactor::SoftwareToken) {
                    return unavailable(ctx);
                }
                return totp_setup::start(state, ctx, user_id_for_srp, login, session).await;
            }
            match Step::of(&challenge) {
                Some((step, username)) => {
                    let pending = Pending {
                        step,
                        session,
                        username,
                        login: login.to_owned(),
                    };
                    step_page(ctx, &pending, None, &PostedForm(BTreeMap::new()))
                }
                None => unavailable(ctx),
            }
        }
        AuthOutcome::Challenge { session: None, .. } | AuthOutcome::Tokens(_) => internal_error(
            tessera_core::Error::Internal("a hosted sign-in step ended without a session".into()),
        ),
    }
}

/// A challenge the pages cannot ask (a custom challenge, say).
fn unavailable(ctx: &PageContext) -> Response {
    sign_in_error(
        ctx,
        StatusCode::BAD_REQUEST,
        "Sign-in not available here",
        "Your account needs a sign-in step that these pages do not offer. Sign in from the app instead.",
        Link::new("Back to sign in", ctx.url("/login", &[])),
    )
}

/// `POST /challenge`: an answer to the step a page asked for.
pub async fn respond(
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
    let Some(pending) = Pending::read(&form) else {
        return sign_in_error(
            &ctx,
            StatusCode::BAD_REQUEST,
            "Sign in again",
            "This sign-in could not be continued. Start again from the sign-in page.",
            Link::new("Back to sign in", ctx.url("/login", &[])),
        );
    };
    if let Some(missing) = missing_answer(&pending.step, &form) {
        return step_page(&ctx, &pending, Some(&missing), &form);
    }
    let answered = match &pending.step {
        Step::AuthenticatorSetup { .. } => totp_setup::verify(&state, &ctx, &pending, &form).await,
        step => {
            let (name, responses) = responses(step, &pending.username, &form);
            state
                .services
                .hosted_respond(
                    &ctx.request,
                    ctx.peer,
                    name,
                    responses,
                    Some(&pending.session),
                )
                .await
        }
    };
    match answered {
        Ok(outcome) => next(&state, &ctx, outcome, &pending.login).await,
        Err(e) => match refusal(e, ROLES) {
            Ok(r) => step_page(&ctx, &pending, Some(&r), &form),
            Err(e) => internal_error(e),
        },
    }
}

/// What the user left out, before the core is asked.
fn missing_answer(step: &Step, form: &PostedForm) -> Option<Refusal> {
    match step {
        Step::NewPassword { required } => {
            if form.get("new_password").is_empty() {
                return Some(Refusal::Field(
                    "new_password",
                    "Choose a new password.".into(),
                ));
            }
            required
                .iter()
                .find(|name| form.trimmed(&attribute_field(name)).is_empty())
                .map(|_| Refusal::Form("Fill in every field to continue.".into()))
        }
        Step::ChooseFactor { .. } => None,
        Step::SentCode { .. }
        | Step::AuthenticatorCode { .. }
        | Step::AuthenticatorSetup { .. } => form
            .trimmed("code")
            .is_empty()
            .then(|| Refusal::Field("code", "Enter the code.".into())),
    }
}

fn attribute_field(name: &str) -> String {
    format!("userAttributes.{name}")
}

/// The challenge name and responses of an answer, as the API names them.
fn responses(
    step: &Step,
    username: &str,
    form: &PostedForm,
) -> (&'static str, BTreeMap<String, String>) {
    let mut r = BTreeMap::from([("USERNAME".to_owned(), username.to_owned())]);
    let mut put = |k: &str, v: &str| {
        r.insert(k.to_owned(), v.to_owned());
    };
    let name = match step {
        Step::NewPassword { required } => {
            put("NEW_PASSWORD", form.get("new_password"));
            for attribute in required {
                let field = attribute_field(attribute);
                put(&field, form.trimmed(&field));
            }
            "NEW_PASSWORD_REQUIRED"
        }
        Step::SentCode {
            factor: MfaFactor::Email,
            ..
        } => {
            put("EMAIL_OTP_CODE", form.trimmed("code"));
            "EMAIL_OTP"
        }
        Step::SentCode { .. } => {
            put("SMS_MFA_CODE", form.trimmed("code"));
            "SMS_MFA"
        }
        Step::AuthenticatorCode { .. } => {
            put("SOFTWARE_TOKEN_MFA_CODE", form.trimmed("code"));
            "SOFTWARE_TOKEN_MFA"
        }
        Step::ChooseFactor { .. } => {
            put("ANSWER", form.trimmed("answer"));
            "SELECT_MFA_TYPE"
        }
        // Answered by verifying the token first (totp_setup::verify).
        Step::AuthenticatorSetup { .. } => "MFA_SETUP",
    };
    (name, r)
}

/// The page of a step, with the answer refused (if any) bound to its field.
pub fn step_page(
    ctx: &PageContext,
    pending: &Pending,
    refused: Option<&Refusal>,
    sent: &PostedForm,
) -> Response {
    let mut form = match &pending.step {
        Step::NewPassword { required } => {
            let mut fields = vec![Field::new_password(
                "new_password",
                "New password",
                &ctx.pool,
            )];
            for name in required {
                let field = attribute_field(name);
                fields.push(Field::attribute(name, &field).with_value(sent.trimmed(&field)));
            }
            FormView {
                heading: "Choose a new password".into(),
                lead: Some("Your account needs a new password before you continue.".into()),
                fields,
                submit: "Set password and continue".into(),
                ..FormView::default()
            }
        }
        Step::SentCode {
            factor,
            destination,
        } => FormView {
            heading: "Enter your code".into(),
            lead: Some(match factor {
                MfaFactor::Email => format!("We emailed a sign-in code to {destination}."),
                _ => format!("We texted a sign-in code to {destination}."),
            }),
            fields: vec![Field::code("code", "Code")],
            submit: "Continue".into(),
            ..FormView::default()
        },
        Step::AuthenticatorCode { device } => FormView {
            heading: "Enter your code".into(),
            lead: Some(match device {
                Some(device) => {
                    format!("Open your authenticator app ({device}) and enter the code it shows.")
                }
                None => "Open your authenticator app and enter the code it shows.".into(),
            }),
            fields: vec![Field::code("code", "Code")],
            submit: "Continue".into(),
            ..FormView::default()
        },
        Step::ChooseFactor { choices } => FormView {
            heading: "Verify it's you".into(),
            lead: Some("Choose how you want to get your sign-in code.".into()),
            choices: Some(Choices {
                name: "answer".into(),
                legend: "Send my code by".into(),
                options: choices.iter().map(|f| factor_choice(*f)).collect(),
            }),
            submit: "Continue".into(),
            ..FormView::default()
        },
        Step::AuthenticatorSetup { secret } => {
            return totp_setup::page(ctx, pending, secret, refused, sent);
        }
    };
    settle(&mut form.fields, refused.and_then(Refusal::field));
    form.error = refused.and_then(Refusal::form);
    form.action = ctx.url("/challenge", &[]);
    form.links = vec![Link::new("Start over", ctx.url("/login", &[]))];
    pending.carry(&mut form);
    let status = if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    form_page(ctx, status, &form, ctx.redirecting_policy())
}

fn factor_choice(factor: MfaFactor) -> Choice {
    let (label, hint) = match factor {
        MfaFactor::Sms => ("Text message", "A code sent to your phone."),
        MfaFactor::Email => ("Email", "A code sent to your email address."),
        MfaFactor::SoftwareToken => ("Authenticator app", "A code from the app on your phone."),
    };
    Choice {
        value: factor.name().to_owned(),
        label: label.to_owned(),
        hint: hint.to_owned(),
    }
}
