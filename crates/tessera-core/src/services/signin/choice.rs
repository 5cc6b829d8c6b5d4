//! USER_AUTH, choice-based sign-in: the first factors a user may choose
//! under the pool's `SignInPolicy`, the `SELECT_CHALLENGE` that offers them,
//! the passwordless codes sent by email (`EMAIL_OTP`) or SMS (`SMS_OTP`), and
//! passkeys (`WEB_AUTHN`).
//!
//! A password chosen here runs the password flows' own code (lockout,
//! triggers, risk checks, user-existence hiding); a code answered here is
//! checked as an MFA code is, and a code or a passkey completes the factors
//! as MFA does: a passwordless sign-in is not asked for MFA, and a pool that
//! requires MFA offers no passwordless factor.

use tessera_crypto::srp::PublicA;

use super::after_sign_up::AfterSignUp;
use super::challenge::{Challenge, ChallengeName};
use super::flow::parse_a;
use super::session::{SessionUser, Step, session_expired};
use super::srp::simulated_user_id;
use super::{AuthOutcome, SigningIn, Stage, missing};
use crate::domain::auth_factor::AuthFactor;
use crate::domain::code::CodePurpose;
use crate::domain::mfa::MfaFactor;
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::mailer::Medium;
use crate::services::Services;
use crate::services::client_context::ClientContext;
use crate::services::codes::{CodeDelivery, mask};
use crate::services::existence::{incorrect_credentials, simulate_unknown_user, user_not_found};
use crate::services::messages::Occasion;
use crate::services::triggers::message::MessageSource;
use crate::services::webauthn::assertion::refused;

/// InitiateAuth's USER_AUTH parameters.
pub(crate) struct UserAuthStart<'a> {
    pub username: &'a str,
    pub preferred: Option<&'a str>,
    pub password: Option<&'a str>,
    pub srp_a: Option<&'a PublicA>,
    pub session: Option<&'a str>,
    pub secret_hash: Option<&'a str>,
    pub device_key: Option<&'a str>,
}

/// SELECT_CHALLENGE's answer.
pub(crate) struct ChallengeChoice<'a> {
    pub username: Option<&'a str>,
    pub answer: &'a str,
    pub password: Option<&'a str>,
    pub srp_a: Option<&'a str>,
    pub secret_hash: Option<&'a str>,
    pub session: Option<&'a str>,
    pub device_key: Option<&'a str>,
}

/// WEB_AUTHN's answer.
pub(crate) struct PasskeyAnswer<'a> {
    pub username: Option<&'a str>,
    pub credential: &'a str,
    pub secret_hash: Option<&'a str>,
    pub session: Option<&'a str>,
    pub device_key: Option<&'a str>,
}

/// A masked destination shaped like a real one, stable for the name its seed
/// came from: `x***@y***`, or `+*******dddd`.
fn simulated_destination(medium: Medium, seed: &[u8; 32]) -> String {
    let letter = |b: u8| char::from(b'a' + b % 26);
    let digit = |b: u8| char::from(b'0' + b % 10);
    match medium {
        Medium::Email => format!("{}***@{}***", letter(seed[16]), letter(seed[17])),
        Medium::Sms => format!(
            "+*******{}",
            seed[18..22].iter().map(|b| digit(*b)).collect::<String>()
        ),
    }
}

/// The first factor a challenge name starts.
pub(crate) fn factor_of(challenge: ChallengeName) -> Option<AuthFactor> {
    match challenge {
        ChallengeName::Password | ChallengeName::PasswordSrp => Some(AuthFactor::Password),
        ChallengeName::EmailOtp => Some(AuthFactor::EmailOtp),
        ChallengeName::SmsOtp => Some(AuthFactor::SmsOtp),
        ChallengeName::WebAuthn => Some(AuthFactor::WebAuthn),
        _ => None,
    }
}

/// A `PREFERRED_CHALLENGE` or `ANSWER` naming no first factor.
fn not_a_first_factor(name: &str) -> Error {
    Error::InvalidParameter(format!(
        "{name} is not a valid first authentication factor."
    ))
}

fn not_offered(name: &str) -> Error {
    Error::InvalidParameter(format!("The challenge {name} was not offered."))
}

fn parse_first_challenge(name: &str) -> Result<ChallengeName> {
    ChallengeName::parse(name)
        .filter(|c| factor_of(*c).is_some())
        .ok_or_else(|| not_a_first_factor(name))
}

impl Services {
    /// USER_AUTH's first request: the preferred factor when the user can use
    /// it, else the offer of those it can.
    pub(crate) async fn start_user_auth(
        &self,
        ctx: &ClientContext,
        start: UserAuthStart<'_>,
    ) -> Result<AuthOutcome> {
        if let Some(session) = start.session {
            let after = AfterSignUp {
                username: start.username,
                session,
                secret_hash: start.secret_hash,
                device_key: start.device_key,
            };
            return self.sign_in_after_sign_up(ctx, after).await;
        }
        let preferred = start.preferred.map(parse_first_challenge).transpose()?;
        let allows_password = ctx
            .pool
            .allowed_first_factors()
            .contains(&AuthFactor::Password);
        // A password sent with its preference is the password flows' business,
        // whoever the name turns out to be.
        match preferred {
            Some(ChallengeName::Password) if allows_password => {
                let password = start.password.ok_or_else(|| missing("PASSWORD"))?;
                return self
                    .password_sign_in(
                        ctx,
                        start.username,
                        password,
                        start.secret_hash,
                        start.device_key,
                    )
                    .await;
            }
            Some(ChallengeName::PasswordSrp) if allows_password => {
                let srp_a = start.srp_a.ok_or_else(|| missing("SRP_A"))?;
                return self
                    .start_srp(
                        ctx,
                        start.username,
                        srp_a,
                        start.secret_hash,
                        start.device_key,
                    )
                    .await;
            }
            _ => {}
        }
        let user = self.users.sign_in_user(&ctx.pool, start.username).await?;
        match &user {
            Some(u) => self.check_secret_hash(
                &ctx.client,
                start.secret_hash,
                &[start.username, &u.username],
            )?,
            None => {
                self.check_secret_hash(&ctx.client, start.secret_hash, &[start.username])?;
                simulate_unknown_user(ctx, user_not_found)?;
            }
        }
        let hiding = ctx.policy.prevent_user_existence_errors;
        let available = self
            .first_factor_challenges(&ctx.pool, user.as_ref(), hiding)
            .await?;
        let session_user = SessionUser {
            sub: user.as_ref().map(|u| u.sub.clone()),
            username: user
                .as_ref()
                .map_or(start.username, |u| &u.username)
                .to_owned(),
            device_key: start.device_key.map(str::to_owned),
        };
        if let Some(choice) = preferred.filter(|c| available.contains(c)) {
            return self
                .begin_passwordless(ctx, user.as_ref(), session_user, choice)
                .await;
        }
        if available.is_empty() {
            // Nothing this user could answer: as a wrong password would be.
            return Err(incorrect_credentials());
        }
        let session = self.seal_session(
            ctx,
            session_user,
            Step::SelectChallenge {
                available: available.iter().map(|c| c.as_str().to_owned()).collect(),
            },
        )?;
        Ok(AuthOutcome::Challenge {
            challenge: Challenge::SelectChallenge { available },
            session: Some(session),
        })
    }

    /// SELECT_CHALLENGE answered: the chosen factor starts, with the password
    /// or SRP_A it needs sent alongside.
    pub(crate) async fn answer_select_challenge(
        &self,
        ctx: &ClientContext,
        choice: ChallengeChoice<'_>,
    ) -> Result<AuthOutcome> {
        let text = choice.session.ok_or_else(|| missing("Session"))?;
        let session = self
            .open_session(ctx, text, ChallengeName::SelectChallenge)
            .map_err(|_| session_expired())?;
        let Step::SelectChallenge { available } = &session.step else {
            return Err(session_expired());
        };
        let chosen = parse_first_challenge(choice.answer)?;
        if !available.iter().any(|c| c == chosen.as_str()) {
            return Err(not_offered(choice.answer));
        }
        // The name the client typed is the one its SECRET_HASH covers.
        let typed = choice.username.unwrap_or(&session.user.username);
        let device_key = choice.device_key.or(session.user.device_key.as_deref());
        match chosen {
            ChallengeName::Password => {
                let password = choice.password.ok_or_else(|| missing("PASSWORD"))?;
                self.password_sign_in(ctx, typed, password, choice.secret_hash, device_key)
                    .await
            }
            ChallengeName::PasswordSrp => {
                let srp_a = parse_a(choice.srp_a.ok_or_else(|| missing("SRP_A"))?)?;
                self.start_srp(ctx, typed, &srp_a, choice.secret_hash, device_key)
                    .await
            }
            _ => {
                let user = match &session.user.sub {
                    Some(sub) => Some(
                        self.users
                            .by_sub(&ctx.pool.id, sub)
                            .await?
                            .ok_or_else(session_expired)?,
                    ),
                    None => None,
                };
                let names: Vec<&str> = match &user {
                    Some(u) => vec![typed, &u.username],
                    None => vec![typed],
                };
                self.check_secret_hash(&ctx.client, choice.secret_hash, &names)?;
                // The user may have changed since the offer (an address no
                // longer verified, a passkey deleted): offered still, or not.
                let hiding = ctx.policy.prevent_user_existence_errors;
                if !self
                    .first_factor_challenges(&ctx.pool, user.as_ref(), hiding)
                    .await?
                    .contains(&chosen)
                {
                    return Err(not_offered(choice.answer));
                }
                let mut session_user = session.user.clone();
                session_user.device_key = device_key.map(str::to_owned);
                self.begin_passwordless(ctx, user.as_ref(), session_user, chosen)
                    .await
            }
        }
    }

    /// A passwordless factor's challenge: a passkey's request options for
    /// WEB_AUTHN (offered only to users who have a passkey); a code sent now
    /// for EMAIL_OTP and SMS_OTP, or, for a name that matches no user, a
    /// disabled user or one whose address is not verified, a challenge shaped
    /// the same that no code answers, and nothing sent.
    async fn begin_passwordless(
        &self,
        ctx: &ClientContext,
        user: Option<&User>,
        session_user: SessionUser,
        challenge: ChallengeName,
    ) -> Result<AuthOutcome> {
        if challenge == ChallengeName::WebAuthn {
            return match user {
                // A disabled user is refused after the assertion, as after a password.
                Some(u)
                    if self
                        .can_use_passwordless(&ctx.pool, u, AuthFactor::WebAuthn)
                        .await? =>
                {
                    self.passkey_challenge(ctx, u, session_user).await
                }
                _ if ctx.policy.prevent_user_existence_errors => {
                    self.simulated_passkey_challenge(ctx, session_user).await
                }
                _ => Err(not_offered(challenge.as_str())),
            };
        }
        let (auth_factor, factor, medium, attribute, step) = match challenge {
            ChallengeName::EmailOtp => (
                AuthFactor::EmailOtp,
                MfaFactor::Email,
                Medium::Email,
                "email",
                Step::EmailSignInCode,
            ),
            ChallengeName::SmsOtp => (
                AuthFactor::SmsOtp,
                MfaFactor::Sms,
                Medium::Sms,
                "phone_number",
                Step::SmsOtp,
            ),
            other => {
                return Err(Error::Internal(format!(
                    "{} is no passwordless factor",
                    other.as_str()
                )));
            }
        };
        // Only a user who can receive the code is sent one; the others, when
        // existence is hidden, get the same challenge with nothing sent.
        let live = match user {
            Some(u) if !u.enabled && !ctx.policy.prevent_user_existence_errors => {
                return Err(Error::NotAuthorized("User is disabled.".into()));
            }
            Some(u)
                if u.enabled && self.can_use_passwordless(&ctx.pool, u, auth_factor).await? =>
            {
                Some(u)
            }
            _ => None,
        };
        let (session_user, user_id_for_srp, delivery) = match live {
            Some(user) => {
                self.pre_authentication(ctx, user).await?;
                self.check_sign_in_address(&ctx.pool, &ctx.client.id, user, ctx.ip)
                    .await?;
                let destination = user.attribute(attribute).unwrap_or_default();
                let delivery = self
                    .codes
                    .issue_sign_in_code(
                        &ctx.pool,
                        user,
                        CodePurpose::SignInPasswordless,
                        ctx.policy.auth_session_seconds,
                        (medium, destination),
                        Occasion::new(
                            MessageSource::Authentication,
                            Some(ctx.client.id.as_str()),
                            &ctx.client_metadata,
                        ),
                    )
                    .await?;
                (session_user, user.username.clone(), delivery)
            }
            None => {
                let seed = self.simulated_seed(&ctx.pool, &session_user.username);
                let user_id = match user {
                    Some(u) => u.username.clone(),
                    None => simulated_user_id(&seed),
                };
                let destination = match user.and_then(|u| u.attribute(attribute)) {
                    Some(address) => mask(medium, address),
                    None => simulated_destination(medium, &seed),
                };
                let delivery = CodeDelivery {
                    destination,
                    medium,
                    attribute: attribute.into(),
                };
                let simulated = SessionUser {
                    sub: None,
                    ..session_user
                };
                (simulated, user_id, delivery)
            }
        };
        let session = self.seal_session(ctx, session_user, step)?;
        Ok(AuthOutcome::Challenge {
            challenge: Challenge::SignInCode {
                factor,
                user_id_for_srp,
                delivery,
            },
            session: Some(session),
        })
    }

    /// WEB_AUTHN: the request options for the user's passkeys.
    async fn passkey_challenge(
        &self,
        ctx: &ClientContext,
        user: &User,
        session_user: SessionUser,
    ) -> Result<AuthOutcome> {
        self.pre_authentication(ctx, user).await?;
        self.check_sign_in_address(&ctx.pool, &ctx.client.id, user, ctx.ip)
            .await?;
        let challenge = self.passkey_request_options(&ctx.pool, user).await?;
        // Answered once: an assertion replayed in the same session finds its
        // code used up, whether or not the authenticator keeps a counter.
        let (once, record) = self.codes.fresh(
            user,
            CodePurpose::PasskeySignIn,
            ctx.policy.auth_session_seconds,
        );
        self.store.put_code(&record).await?;
        let session = self.seal_session(
            ctx,
            session_user,
            Step::WebAuthn {
                passkey: challenge.state,
                once,
            },
        )?;
        Ok(AuthOutcome::Challenge {
            challenge: Challenge::WebAuthn {
                options_json: challenge.options_json,
            },
            session: Some(session),
        })
    }

    /// WEB_AUTHN for a name whose existence is hidden and that has no usable
    /// passkey: options shaped like a real challenge's, a session no
    /// assertion answers.
    async fn simulated_passkey_challenge(
        &self,
        ctx: &ClientContext,
        session_user: SessionUser,
    ) -> Result<AuthOutcome> {
        let seed = self.simulated_seed(&ctx.pool, &session_user.username);
        let challenge = self.simulated_passkey_options(&ctx.pool, &seed).await?;
        let session = self.seal_session(
            ctx,
            SessionUser {
                sub: None,
                ..session_user
            },
            Step::WebAuthn {
                passkey: challenge.state,
                once: String::new(),
            },
        )?;
        Ok(AuthOutcome::Challenge {
            challenge: Challenge::WebAuthn {
                options_json: challenge.options_json,
            },
            session: Some(session),
        })
    }

    /// WEB_AUTHN answered: the assertion is checked against what the
    /// challenge asked; a refused one counts toward the lockout, as a wrong
    /// password does. A passkey completes the factors, as a code does.
    pub(crate) async fn answer_passkey(
        &self,
        ctx: &ClientContext,
        answer: PasskeyAnswer<'_>,
    ) -> Result<AuthOutcome> {
        let text = answer.session.ok_or_else(|| missing("Session"))?;
        let session = self
            .open_session(ctx, text, ChallengeName::WebAuthn)
            .map_err(|_| session_expired())?;
        let Step::WebAuthn { passkey, once } = &session.step else {
            return Err(session_expired());
        };
        // Only the simulated challenge of a hidden name has no `sub`.
        let sub = session
            .user
            .sub
            .as_deref()
            .ok_or_else(|| refused("a simulated challenge"))?;
        let user = self
            .users
            .by_sub(&ctx.pool.id, sub)
            .await?
            .ok_or_else(session_expired)?;
        let typed = answer.username.unwrap_or(&user.username);
        self.check_secret_hash(&ctx.client, answer.secret_hash, &[typed, &user.username])?;
        self.codes
            .check(&user, &CodePurpose::PasskeySignIn, once)
            .await
            .map_err(|_| session_expired())?;
        let admission = self.admit_password_check(&user).await?;
        if let Err(e) = self
            .verify_passkey_assertion(&ctx.pool, &user, passkey, answer.credential)
            .await
        {
            admission.failed();
            return Err(e);
        }
        let signing_in = SigningIn::resumed(user, &session, answer.device_key);
        self.advance(ctx, signing_in, Stage::Mfa, true).await
    }
}
