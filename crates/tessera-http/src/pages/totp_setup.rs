//! MFA_SETUP on the pages: the pool requires MFA and the user has none, so
//! an authenticator app is set up inside the sign-in (AssociateSoftwareToken
//! and VerifySoftwareToken with the sign-in's Session), its key shown as a QR
//! code drawn on the server and as text.

use std::collections::BTreeMap;

use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::StatusCode;
use qrcode::QrCode;
use qrcode::render::svg;
use tessera_core::error::Result;
use tessera_core::services::mfa::software_token::TokenHolder;
use tessera_core::services::signin::AuthOutcome;

use super::context::PageContext;
use super::fields::{Field, settle};
use super::form::PostedForm;
use super::internal_error;
use super::messages::Refusal;
use super::step::{Pending, Step};
use super::view::{FormView, Link, Qr, form_page};
use crate::router::AppState;

/// Associates a new key with the user and shows it.
pub async fn start(
    state: &AppState,
    ctx: &PageContext,
    username: &str,
    login: &str,
    session: String,
) -> Response {
    let association = match state
        .services
        .associate_software_token(TokenHolder::Session(session.clone()))
        .await
    {
        Ok(association) => association,
        Err(e) => return internal_error(e),
    };
    let pending = Pending {
        step: Step::AuthenticatorSetup {
            secret: association.secret_code.clone(),
        },
        session: association.session.unwrap_or(session),
        username: username.to_owned(),
        login: login.to_owned(),
    };
    page(
        ctx,
        &pending,
        &association.secret_code,
        None,
        &PostedForm(BTreeMap::new()),
    )
}

/// Registers the key once the app's code is right, then answers MFA_SETUP
/// with the Session that says so.
pub async fn verify(
    state: &AppState,
    ctx: &PageContext,
    pending: &Pending,
    form: &PostedForm,
) -> Result<AuthOutcome> {
    let verification = state
        .services
        .verify_software_token(
            TokenHolder::Session(pending.session.clone()),
            form.trimmed("code"),
            form.optional("device").map(str::to_owned),
        )
        .await?;
    let responses = BTreeMap::from([("USERNAME".to_owned(), pending.username.clone())]);
    state
        .services
        .hosted_respond(
            &ctx.request,
            ctx.peer,
            "MFA_SETUP",
            responses,
            verification.session.as_deref(),
        )
        .await
}

/// The set-up page: the key, and the app's first code.
pub fn page(
    ctx: &PageContext,
    pending: &Pending,
    secret: &str,
    refused: Option<&Refusal>,
    sent: &PostedForm,
) -> Response {
    let account = if pending.login.is_empty() {
        &pending.username
    } else {
        &pending.login
    };
    let mut fields = vec![
        Field::code("code", "Code from the app"),
        // The name the app goes by in the user's list of factors.
        Field::text("device", "Name this device")
            .optional()
            .with_value(sent.trimmed("device"))
            .with_hint("Like “Work phone”, to tell your devices apart."),
    ];
    settle(&mut fields, refused.and_then(Refusal::field));
    let mut form = FormView {
        heading: "Add an authenticator app".into(),
        lead: Some(format!(
            "{} asks for a code from an authenticator app each time you sign in.",
            ctx.chrome.brand
        )),
        error: refused.and_then(Refusal::form),
        qr: qr(&otpauth_uri(&ctx.chrome.brand, account, secret), secret),
        fields,
        action: ctx.url("/challenge", &[]),
        submit: "Verify and continue".into(),
        links: vec![Link::new("Start over", ctx.url("/login", &[]))],
        ..FormView::default()
    };
    pending.carry(&mut form);
    let status = if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    form_page(ctx, status, &form, ctx.redirecting_policy())
}

/// The key-URI authenticator apps read (Google Authenticator's format):
/// `otpauth://totp/<issuer>:<account>?secret=…&issuer=…`.
fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    let label = format!("{issuer}:{account}");
    format!(
        "otpauth://totp/{}?secret={secret}&issuer={}",
        encode(&label),
        encode(issuer)
    )
}

/// Percent-encoding of all but RFC 3986's unreserved characters (and `:`,
/// which the label keeps between issuer and account).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The QR code of `uri` as an SVG image, with the key in groups of four.
fn qr(uri: &str, secret: &str) -> Option<Qr> {
    let code = match QrCode::new(uri.as_bytes()) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(cause = %e, "drawing an authenticator key's QR code");
            return None;
        }
    };
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(176, 176)
        .quiet_zone(true)
        .build();
    let grouped: Vec<String> = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    Some(Qr {
        image: format!("data:image/svg+xml;base64,{}", STANDARD.encode(image)),
        secret: grouped.join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_uris_name_the_issuer_and_account() {
        assert_eq!(
            otpauth_uri("Acme Corp", "jane@example.com", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/Acme%20Corp:jane%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20Corp"
        );
    }

    #[test]
    fn the_qr_code_is_an_svg_image_and_the_key_is_grouped() {
        let qr = qr(
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP",
            "JBSWY3DPEHPK3PXP",
        )
        .expect("draws");
        assert!(qr.image.starts_with("data:image/svg+xml;base64,"));
        assert_eq!(qr.secret, "JBSW Y3DP EHPK 3PXP");
    }
}
