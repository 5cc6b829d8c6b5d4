//! The sign-in state machine. Every flow — InitiateAuth / AdminInitiateAuth,
//! RespondToAuthChallenge / AdminRespondToAuthChallenge, and later the hosted
//! pages — goes through it: a typed flow proves a first factor, then
//! [`Services::advance`] decides, in one place, what comes next (a refusal, a
//! further challenge, or tokens). State between requests lives only in the
//! sealed [`session`].
//!
//! - [`flow`]: the typed flows and their parameters.
//! - [`challenge`]: challenge names, the typed challenges issued and answers accepted.
//! - [`choice`]: USER_AUTH, the first factor chosen: passwordless codes and passkeys.
//! - [`session`]: the sealed sign-in session, opened and checked in one place.
//! - [`srp`]: USER_SRP_AUTH and PASSWORD_VERIFIER.
//! - [`password`]: the password flows, lockout settling, NEW_PASSWORD_REQUIRED.
//! - [`mfa`]: the MFA step: which factor, its challenge, the answers.
//! - [`custom`]: CUSTOM_AUTH, rounds of challenges the pool's triggers run.
//! - [`device`]: a remembered device proving itself (DEVICE_SRP_AUTH,
//!   DEVICE_PASSWORD_VERIFIER), and the device a new sign-in is given.
//! - [`refresh`]: REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken.
//! - [`hosted`]: the hosted pages' sign-in, which ends signed in, not with tokens.
//! - [`after_sign_up`]: USER_AUTH straight after ConfirmSignUp, with its Session.

pub mod after_sign_up;
pub mod challenge;
pub mod choice;
pub mod custom;
pub mod device;
pub mod flow;
pub mod hosted;
pub mod mfa;
pub mod password;
pub mod refresh;
pub mod session;
pub mod srp;

use std::collections::BTreeMap;

use challenge::{Challenge, ChallengeAnswer, ChallengeResponse};
use choice::{ChallengeChoice, PasskeyAnswer, UserAuthStart};
use custom::{CustomAnswer, CustomStart};
use device::{DeviceClaim, DeviceStart};
use flow::{AuthFlow, SignInStart};
use mfa::MfaAnswer;
use password::NewPassword;
use session::{SessionUser, SignInSession};
use srp::PasswordClaim;

use super::Services;
use super::client_context::ClientContext;
use super::events::{Assessment, Draft, EventKind, RequestOrigin};
use super::tokens::{Customization, Family, NewDevice, TokenSet};
use super::triggers::token_generation::TokenSource;
use super::triggers::{Caller, Trigger, configured};
use crate::domain::client_policy::FlowKind;
use crate::domain::device::new_device_key;
use crate::domain::user::{User, UserStatus};
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::telemetry;

/// InitiateAuth / AdminInitiateAuth, as the caller sent them.
pub struct InitiateAuth {
    pub client_id: ClientId,
    pub flow: String,
    pub parameters: BTreeMap<String, String>,
    /// AdminInitiateAuth: the pool the signed caller named.
    pub admin_pool: Option<UserPoolId>,
    pub client_metadata: BTreeMap<String, String>,
    pub origin: RequestOrigin,
    /// ConfirmSignUp's Session, for USER_AUTH.
    pub session: Option<String>,
}

/// RespondToAuthChallenge / AdminRespondToAuthChallenge, as the caller sent them.
pub struct RespondToChallenge {
    pub client_id: ClientId,
    pub challenge: String,
    pub responses: BTreeMap<String, String>,
    pub session: Option<String>,
    pub admin_pool: Option<UserPoolId>,
    pub client_metadata: BTreeMap<String, String>,
    pub origin: RequestOrigin,
}

pub enum AuthOutcome {
    Tokens(TokenSet),
    Challenge {
        challenge: Challenge,
        session: Option<String>,
    },
    /// A hosted-page sign-in is complete; its tokens come from the
    /// authorization code it is given.
    SignedIn(crate::services::oauth::SignedIn),
}

/// What a sign-in has completed, in the order sign-ins complete them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stage {
    /// A password proved who the user is.
    FirstFactor,
    /// A user with a temporary password chose a new one.
    NewPassword,
    /// A second factor proved it too (or none was needed).
    Mfa,
    /// A confirmed device proved itself (after MFA, or instead of it for a
    /// remembered device where the pool says so).
    Device,
}

/// The user a sign-in identified, and the device the client says it is on.
pub(crate) struct SigningIn {
    pub user: User,
    /// The `DEVICE_KEY` the client sent last.
    pub device_key: Option<String>,
    /// What the risk checks found about the password this request proved.
    pub assessment: Assessment,
}

impl SigningIn {
    /// The sign-in a session continues; a `DEVICE_KEY` in the answer replaces
    /// the session's.
    pub(crate) fn resumed(user: User, session: &SignInSession, device_key: Option<&str>) -> Self {
        SigningIn {
            user,
            assessment: Assessment::default(),
            device_key: device_key
                .map(str::to_owned)
                .or_else(|| session.user.device_key.clone()),
        }
    }

    pub(crate) fn session_user(&self) -> SessionUser {
        SessionUser {
            sub: Some(self.user.sub.clone()),
            username: self.user.username.clone(),
            device_key: self.device_key.clone(),
        }
    }
}

/// How a sign-in step ended, for the sign-in metric.
fn step_result(outcome: &Result<AuthOutcome>) -> &'static str {
    match outcome {
        Ok(AuthOutcome::Challenge { .. }) => "challenge",
        Ok(AuthOutcome::Tokens(_) | AuthOutcome::SignedIn(_)) => "success",
        Err(_) => "failure",
    }
}

fn method_not_supported() -> Error {
    Error::InvalidParameter("Initiate Auth method not supported.".into())
}

pub(crate) fn missing(parameter: &str) -> Error {
    Error::InvalidParameter(format!("Missing required parameter {parameter}"))
}

pub(crate) fn require_flow(ctx: &ClientContext, flow: FlowKind) -> Result<()> {
    if ctx.policy.auth_flows.allows(flow) {
        return Ok(());
    }
    Err(Error::InvalidParameter(
        match flow {
            FlowKind::UserPassword => "USER_PASSWORD_AUTH flow not enabled for this client",
            FlowKind::UserSrp => "USER_SRP_AUTH is not enabled for the client.",
            _ => "Auth flow not enabled for this client",
        }
        .into(),
    ))
}

impl Services {
    pub async fn initiate_auth(&self, request: InitiateAuth) -> Result<AuthOutcome> {
        let mut ctx = self
            .client_context(&request.client_id, request.admin_pool.as_ref())
            .await?;
        ctx.validation_data = request.client_metadata;
        ctx.ip = request
            .origin
            .address(request.admin_pool.is_some(), ctx.propagates_user_context());
        ctx.user_agent = request.origin.user_agent.clone();
        let kind = FlowKind::parse(&request.flow).ok_or_else(|| {
            Error::UnsupportedOperation(format!(
                "Tessera does not implement the {} flow yet.",
                request.flow
            ))
        })?;
        // The password flows belong each to its own operation: ADMIN_USER_PASSWORD_AUTH
        // to AdminInitiateAuth, USER_PASSWORD_AUTH to InitiateAuth
        // (awsdocs/aws-doc-sdk-examples#5289).
        let admin = request.admin_pool.is_some();
        match kind {
            FlowKind::AdminUserPassword if !admin => return Err(method_not_supported()),
            FlowKind::UserPassword if admin => return Err(method_not_supported()),
            _ => {}
        }
        require_flow(&ctx, kind)?;
        let mut start = SignInStart::parse(kind, &request.parameters)?;
        if let AuthFlow::UserAuth { session, .. } = &mut start.flow {
            *session = request.session;
        }
        self.start_sign_in(&ctx, start).await
    }

    /// Runs a parsed flow's first step, counted in the sign-in metric under
    /// its flow (the hosted page's own, for a sign-in typed there).
    pub(crate) async fn start_sign_in(
        &self,
        ctx: &ClientContext,
        start: SignInStart,
    ) -> Result<AuthOutcome> {
        let flow = if ctx.hosted {
            "HOSTED_UI"
        } else {
            start.flow.name()
        };
        let outcome = self.first_step(ctx, start).await;
        telemetry::sign_in(flow, step_result(&outcome));
        outcome
    }

    async fn first_step(&self, ctx: &ClientContext, start: SignInStart) -> Result<AuthOutcome> {
        let secret_hash = start.secret_hash.as_deref();
        let device_key = start.device_key.as_deref();
        match &start.flow {
            AuthFlow::Srp { username, srp_a } => {
                self.start_srp(ctx, username, srp_a, secret_hash, device_key)
                    .await
            }
            AuthFlow::Password { username, password } => {
                self.password_sign_in(ctx, username, password, secret_hash, device_key)
                    .await
            }
            AuthFlow::Custom { username, srp_a } => {
                self.start_custom(
                    ctx,
                    CustomStart {
                        username,
                        srp_a: srp_a.as_deref(),
                        secret_hash,
                        device_key,
                    },
                )
                .await
            }
            AuthFlow::UserAuth {
                username,
                preferred,
                password,
                srp_a,
                session,
            } => {
                self.start_user_auth(
                    ctx,
                    UserAuthStart {
                        username,
                        preferred: preferred.as_deref(),
                        password: password.as_deref(),
                        srp_a: srp_a.as_deref(),
                        session: session.as_deref(),
                        secret_hash,
                        device_key,
                    },
                )
                .await
            }
            AuthFlow::Refresh {
                refresh_token,
                username,
            } => {
                self.refresh_sign_in(
                    ctx,
                    refresh_token,
                    username.as_deref(),
                    secret_hash,
                    device_key,
                )
                .await
            }
        }
    }

    pub async fn respond_to_auth_challenge(
        &self,
        request: RespondToChallenge,
    ) -> Result<AuthOutcome> {
        let mut ctx = self
            .client_context(&request.client_id, request.admin_pool.as_ref())
            .await?;
        ctx.client_metadata = request.client_metadata;
        ctx.ip = request
            .origin
            .address(request.admin_pool.is_some(), ctx.propagates_user_context());
        ctx.user_agent = request.origin.user_agent.clone();
        let answer = ChallengeAnswer::parse(&request.challenge, &request.responses)?;
        self.answer_challenge(&ctx, answer, request.session.as_deref())
            .await
    }

    /// Checks a parsed answer against the step its session waits at, counted
    /// in the sign-in metric under the challenge answered.
    pub(crate) async fn answer_challenge(
        &self,
        ctx: &ClientContext,
        answer: ChallengeAnswer,
        session: Option<&str>,
    ) -> Result<AuthOutcome> {
        let challenge = answer.response.name().as_str();
        let outcome = self.answer_step(ctx, answer, session).await;
        telemetry::sign_in(challenge, step_result(&outcome));
        outcome
    }

    async fn answer_step(
        &self,
        ctx: &ClientContext,
        answer: ChallengeAnswer,
        session: Option<&str>,
    ) -> Result<AuthOutcome> {
        let secret_hash = answer.secret_hash.as_deref();
        let device_key = answer.device_key.as_deref();
        match &answer.response {
            ChallengeResponse::PasswordVerifier {
                username,
                secret_block,
                signature,
                timestamp,
            } => {
                self.finish_srp(
                    ctx,
                    PasswordClaim {
                        username,
                        secret_block,
                        signature,
                        timestamp,
                        secret_hash,
                        device_key,
                    },
                )
                .await
            }
            ChallengeResponse::NewPassword {
                username,
                new_password,
                attributes,
            } => {
                self.set_new_password(
                    ctx,
                    NewPassword {
                        username: username.as_deref(),
                        new_password,
                        attributes,
                        secret_hash,
                        session,
                        device_key,
                    },
                )
                .await
            }
            ChallengeResponse::MfaCode {
                challenge,
                username,
                code,
            } => {
                let answer = MfaAnswer {
                    username: username.as_deref(),
                    secret_hash,
                    session,
                    device_key,
                };
                self.answer_mfa_code(ctx, *challenge, code, answer).await
            }
            ChallengeResponse::SelectMfaType { username, answer } => {
                let mfa = MfaAnswer {
                    username: username.as_deref(),
                    secret_hash,
                    session,
                    device_key,
                };
                self.answer_mfa_selection(ctx, answer, mfa).await
            }
            ChallengeResponse::MfaSetup { username } => {
                let answer = MfaAnswer {
                    username: username.as_deref(),
                    secret_hash,
                    session,
                    device_key,
                };
                self.answer_mfa_setup(ctx, answer).await
            }
            ChallengeResponse::DeviceSrpAuth {
                username,
                device_key,
                srp_a,
            } => {
                self.start_device_srp(
                    ctx,
                    DeviceStart {
                        username,
                        device_key,
                        srp_a,
                        secret_hash,
                        session,
                    },
                )
                .await
            }
            ChallengeResponse::SelectChallenge {
                username,
                answer,
                password,
                srp_a,
            } => {
                self.answer_select_challenge(
                    ctx,
                    ChallengeChoice {
                        username: username.as_deref(),
                        answer,
                        password: password.as_deref(),
                        srp_a: srp_a.as_deref(),
                        secret_hash,
                        session,
                        device_key,
                    },
                )
                .await
            }
            ChallengeResponse::WebAuthn {
                username,
                credential,
            } => {
                self.answer_passkey(
                    ctx,
                    PasskeyAnswer {
                        username: username.as_deref(),
                        credential,
                        secret_hash,
                        session,
                        device_key,
                    },
                )
                .await
            }
            ChallengeResponse::Custom { username, answer } => {
                self.answer_custom(
                    ctx,
                    CustomAnswer {
                        username,
                        answer,
                        secret_hash,
                        session,
                        device_key,
                    },
                )
                .await
            }
            ChallengeResponse::DevicePasswordVerifier {
                username,
                device_key,
                secret_block,
                signature,
                timestamp,
            } => {
                self.finish_device_srp(
                    ctx,
                    DeviceClaim {
                        username,
                        device_key,
                        secret_block,
                        signature,
                        timestamp,
                        secret_hash,
                    },
                )
                .await
            }
        }
    }

    /// What follows once `done` is complete: refusals by the user's state,
    /// then each remaining step in order — the new-password challenge for a
    /// temporary password, MFA, the device — then tokens.
    /// `admitted`: the step just done was a check admitted by the lockout
    /// (a password or an MFA code) and found right.
    pub(crate) async fn advance(
        &self,
        ctx: &ClientContext,
        signing_in: SigningIn,
        done: Stage,
        admitted: bool,
    ) -> Result<AuthOutcome> {
        let next = self.next_step(ctx, &signing_in, done).await;
        let user = &signing_in.user;
        // A right check no longer counts when a challenge or a refusal
        // follows; the sign-in's wrong checks count until it completes.
        if admitted && !matches!(next, Ok(None)) {
            self.store
                .refund_sign_in_attempt(&user.pool_id, &user.sub)
                .await?;
        }
        match next {
            Ok(Some(challenge)) => Ok(challenge),
            Err(refusal) => Err(refusal),
            Ok(None) => {
                // The sign-in is complete: every check it made was right.
                self.store
                    .clear_sign_in_failures(&user.pool_id, &user.sub)
                    .await?;
                self.complete(ctx, signing_in, done).await
            }
        }
    }

    /// Tokens for a complete sign-in, on the device it proved; a pool that
    /// tracks devices gives a sign-in on no known device a new one.
    async fn complete(
        &self,
        ctx: &ClientContext,
        signing_in: SigningIn,
        done: Stage,
    ) -> Result<AuthOutcome> {
        let user = &signing_in.user;
        let mut challenges = vec![("Password", true)];
        if done == Stage::Mfa {
            challenges.push(("Mfa", true));
        }
        let event = self
            .record_auth_event(
                &ctx.pool,
                &user.sub,
                Draft {
                    kind: EventKind::SignIn,
                    passed: true,
                    assessment: signing_in.assessment,
                    challenges: &challenges,
                    ip: ctx.ip,
                },
            )
            .await?;
        if let Some(event) = &event {
            self.notify_risky_sign_in(
                &ctx.pool,
                &ctx.client.id,
                user,
                event,
                signing_in.assessment,
            )
            .await?;
        }
        if ctx.hosted {
            return self.complete_hosted(ctx, user).await;
        }
        let new_device = match ctx.pool.device_tracking() {
            Some(_) if done < Stage::Device => Some(NewDevice {
                key: new_device_key(&ctx.pool.id),
                group_key: self.device_group_key(user),
            }),
            _ => None,
        };
        let device_key = match &new_device {
            Some(device) => Some(device.key.clone()),
            None if done == Stage::Device => signing_in.device_key.clone(),
            None => None,
        };
        let source = match done {
            Stage::Device => TokenSource::AuthenticateDevice,
            Stage::NewPassword => TokenSource::NewPasswordChallenge,
            _ => TokenSource::Authentication,
        };
        let mut tokens = self
            .issue_tokens(
                ctx,
                user,
                Family::New {
                    device_key,
                    oauth: None,
                },
                source,
            )
            .await?;
        let caller = Caller {
            pool: &ctx.pool,
            client_id: Some(ctx.client.id.as_str()),
            username: &user.username,
        };
        let accepted = self
            .triggers
            .post_authentication(&caller, user, new_device.is_some(), &ctx.client_metadata)
            .await;
        if let Err(e) = accepted {
            // The sign-in failed after all: its tokens never work.
            self.store.revoke_token_family(&tokens.origin_jti).await?;
            return Err(e);
        }
        tokens.new_device = new_device;
        Ok(AuthOutcome::Tokens(tokens))
    }

    /// The pool's PreAuthentication for a user about to prove a password.
    pub(crate) async fn pre_authentication(&self, ctx: &ClientContext, user: &User) -> Result<()> {
        let caller = Caller {
            pool: &ctx.pool,
            client_id: Some(ctx.client.id.as_str()),
            username: &user.username,
        };
        self.triggers
            .pre_authentication(&caller, user, &ctx.validation_data)
            .await
    }

    /// Tokens for `user`, through the pool's PreTokenGeneration when it
    /// names one.
    pub(crate) async fn issue_tokens(
        &self,
        ctx: &ClientContext,
        user: &User,
        family: Family,
        source: TokenSource,
    ) -> Result<TokenSet> {
        let customization = if configured(&ctx.pool, Trigger::PreTokenGeneration).is_some() {
            let groups = self.tokens.group_claims(user).await?;
            let caller = Caller {
                pool: &ctx.pool,
                client_id: Some(ctx.client.id.as_str()),
                username: &user.username,
            };
            let scopes = family.scopes();
            let mut customization = self
                .triggers
                .pre_token_generation(
                    &caller,
                    source,
                    user,
                    &groups,
                    &scopes,
                    &ctx.client_metadata,
                )
                .await?;
            // The groups were read for the event: no second read to sign.
            customization.groups.get_or_insert(groups);
            customization
        } else {
            Customization::default()
        };
        self.tokens.issue(ctx, user, family, &customization).await
    }

    /// The challenge that follows `done`, or `None` when the sign-in is
    /// complete; refusals by the user's state come first.
    async fn next_step(
        &self,
        ctx: &ClientContext,
        signing_in: &SigningIn,
        done: Stage,
    ) -> Result<Option<AuthOutcome>> {
        let user = &signing_in.user;
        if !user.enabled {
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        match user.status {
            UserStatus::Unconfirmed => return Err(Error::UserNotConfirmed),
            UserStatus::ResetRequired => return Err(Error::PasswordResetRequired),
            UserStatus::ForceChangePassword if done < Stage::NewPassword => {
                if user
                    .password_expires
                    .is_some_and(|at| at <= self.clock.now())
                {
                    return Err(Error::NotAuthorized(
                        "Temporary password has expired and must be reset by an administrator."
                            .into(),
                    ));
                }
                return self.new_password_challenge(ctx, signing_in).map(Some);
            }
            _ => {}
        }
        if done >= Stage::Device {
            return Ok(None);
        }
        let device = self.presented_device(ctx, signing_in).await?;
        let skips_mfa = device.as_ref().is_some_and(|d| {
            d.remembered
                && ctx
                    .pool
                    .device_tracking()
                    .is_some_and(|t| t.remembered_device_skips_mfa)
        });
        if done < Stage::Mfa
            && !skips_mfa
            && let Some(challenge) = self.mfa_step(ctx, signing_in).await?
        {
            return Ok(Some(challenge));
        }
        match device {
            Some(device) => self
                .device_challenge(ctx, signing_in, device)
                .await
                .map(Some),
            None => Ok(None),
        }
    }
}
