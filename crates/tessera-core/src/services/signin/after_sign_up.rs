//! Signing in straight after sign-up: SignUp's `Session`, ConfirmSignUp's
//! `Session`, and USER_AUTH taking the latter as the proof of a first factor
//! (the confirmation code the user just gave), once, within the client's
//! AuthSessionValidity.
//!
//! Sealed like the sign-in session, under a purpose of their own so neither
//! opens as the other. ConfirmSignUp's session carries a one-time code, kept
//! (hashed) with the user's other codes: the first sign-in uses it up.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::session::session_expired;
use super::{AuthOutcome, SigningIn, Stage};
use crate::domain::code::CodePurpose;
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::services::Services;
use crate::services::client_context::ClientContext;

const PURPOSE: &[u8] = b"sign-up-session";
const VERSION: u8 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage")]
enum Issued {
    /// SignUp's: the user signed up, unconfirmed.
    SignedUp,
    /// ConfirmSignUp's: the one-time code its sign-in uses up.
    Confirmed { code: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SignUpSession {
    v: u8,
    pool: UserPoolId,
    client: ClientId,
    sub: String,
    /// Milliseconds since the epoch.
    expires: i64,
    stage: Issued,
}

/// The sign-in after sign-up's USER_AUTH members.
pub(crate) struct AfterSignUp<'a> {
    pub username: &'a str,
    pub session: &'a str,
    pub secret_hash: Option<&'a str>,
    pub device_key: Option<&'a str>,
}

impl Services {
    fn seal_sign_up(&self, ctx: &ClientContext, user: &User, stage: Issued) -> Result<String> {
        let session = SignUpSession {
            v: VERSION,
            pool: ctx.pool.id.clone(),
            client: ctx.client.id.clone(),
            sub: user.sub.clone(),
            expires: self
                .clock
                .now()
                .plus_seconds(ctx.policy.auth_session_seconds)
                .millis(),
            stage,
        };
        let json = serde_json::to_vec(&session).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(URL_SAFE_NO_PAD.encode(self.sealing.seal(&json, PURPOSE)?))
    }

    /// A session sealed for this client of this pool, whatever its expiry.
    fn open_sign_up(&self, ctx: &ClientContext, text: &str) -> Option<SignUpSession> {
        let bytes = URL_SAFE_NO_PAD.decode(text.as_bytes()).ok()?;
        let json = self.sealing.open(&bytes, PURPOSE).ok()?;
        let session: SignUpSession = serde_json::from_slice(&json).ok()?;
        (session.v == VERSION && session.pool == ctx.pool.id && session.client == ctx.client.id)
            .then_some(session)
    }

    /// SignUp's `Session`, for a client that signs in with USER_AUTH.
    pub(crate) fn sign_up_session(&self, ctx: &ClientContext, user: &User) -> Result<String> {
        self.seal_sign_up(ctx, user, Issued::SignedUp)
    }

    /// ConfirmSignUp's `Session` for `user`, just confirmed.
    pub(crate) async fn confirmed_sign_up_session(
        &self,
        ctx: &ClientContext,
        user: &User,
    ) -> Result<String> {
        let (code, record) = self.codes.fresh(
            user,
            CodePurpose::SignUpSignIn,
            ctx.policy.auth_session_seconds,
        );
        self.store.put_code(&record).await?;
        self.seal_sign_up(ctx, user, Issued::Confirmed { code })
    }

    /// Whether `text` is a Session SignUp gave `user` through this client
    /// (its age does not matter: the confirmation code proves the rest).
    pub(crate) fn is_sign_up_session_of(
        &self,
        ctx: &ClientContext,
        text: &str,
        user: &User,
    ) -> bool {
        self.open_sign_up(ctx, text)
            .is_some_and(|s| s.sub == user.sub && s.stage == Issued::SignedUp)
    }

    /// USER_AUTH with ConfirmSignUp's Session: the confirmation stands for
    /// the first factor, and MFA and the device follow as after a password.
    pub(crate) async fn sign_in_after_sign_up(
        &self,
        ctx: &ClientContext,
        start: AfterSignUp<'_>,
    ) -> Result<AuthOutcome> {
        let session = self
            .open_sign_up(ctx, start.session)
            .filter(|s| s.expires > self.clock.now().millis())
            .ok_or_else(session_expired)?;
        let Issued::Confirmed { code } = &session.stage else {
            return Err(session_expired());
        };
        let user = self
            .users
            .sign_in_user(&ctx.pool, start.username)
            .await?
            .filter(|u| u.sub == session.sub)
            .ok_or_else(session_expired)?;
        self.check_secret_hash(
            &ctx.client,
            start.secret_hash,
            &[start.username, &user.username],
        )?;
        self.pre_authentication(ctx, &user).await?;
        self.check_sign_in_address(&ctx.pool, &ctx.client.id, &user, ctx.ip)
            .await?;
        // Used up by the first sign-in: a second one with it is refused.
        self.codes
            .check(&user, &CodePurpose::SignUpSignIn, code)
            .await
            .map_err(|_| session_expired())?;
        let signing_in = SigningIn {
            user,
            device_key: start.device_key.map(str::to_owned),
            assessment: Default::default(),
        };
        self.advance(ctx, signing_in, Stage::FirstFactor, false)
            .await
    }
}
