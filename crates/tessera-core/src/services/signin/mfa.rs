//! The MFA step of a sign-in, after the password (and any new password):
//! which factor the pool and the user call for, its challenge, and the answer.
//!
//! A pool with MFA `ON` asks every user for a factor: the one the user
//! prefers, or the only one it has, or a choice (`SELECT_MFA_TYPE`); a user
//! with none gets SMS when the pool sends SMS and the user has a phone number,
//! else `MFA_SETUP`. `OPTIONAL` asks only users who turned a factor on.

use super::challenge::{Challenge, ChallengeName};
use super::session::{SessionFault, SignInSession, Step, session_expired};
use super::{AuthOutcome, SigningIn, Stage, missing};
use crate::domain::code::CodePurpose;
use crate::domain::mfa::{MfaFactor, MfaMode};
use crate::error::{Error, Result};
use crate::mailer::Medium;
use crate::services::Services;
use crate::services::client_context::ClientContext;
use crate::services::existence::user_not_found;
use crate::services::messages::Occasion;
use crate::services::triggers::custom_auth::Round;
use crate::services::triggers::message::MessageSource;

/// A wrong MFA code (aws-amplify/amplify-js#3066, #12887).
fn wrong_mfa_code() -> Error {
    Error::CodeMismatch("Invalid code or auth state for the user.".into())
}

/// What every MFA answer carries besides its own members.
pub(crate) struct MfaAnswer<'a> {
    pub username: Option<&'a str>,
    pub secret_hash: Option<&'a str>,
    pub session: Option<&'a str>,
    pub device_key: Option<&'a str>,
}

impl Services {
    /// The MFA challenge the sign-in needs now, if any.
    pub(crate) async fn mfa_step(
        &self,
        ctx: &ClientContext,
        signing_in: &SigningIn,
    ) -> Result<Option<AuthOutcome>> {
        let user = &signing_in.user;
        let mode = ctx.pool.mfa_mode();
        if mode == MfaMode::Off {
            return Ok(None);
        }
        let config = ctx.pool.mfa_config();
        let usable = |f: MfaFactor| config.allows(f) && user.can_use_mfa(f);
        let mut factors: Vec<MfaFactor> = user
            .mfa
            .preferences
            .enabled()
            .into_iter()
            .filter(|f| usable(*f))
            .collect();
        if factors.is_empty() && mode == MfaMode::On {
            if usable(MfaFactor::Sms) {
                factors.push(MfaFactor::Sms);
            } else {
                return self.mfa_setup_challenge(ctx, signing_in).map(Some);
            }
        }
        if factors.is_empty() {
            return Ok(None);
        }
        let chosen = user
            .mfa
            .preferences
            .preferred()
            .filter(|p| factors.contains(p))
            .or_else(|| (factors.len() == 1).then(|| factors[0]));
        let outcome = match chosen {
            Some(factor) => self.mfa_challenge(ctx, signing_in, factor, None).await?,
            None => {
                let session = self.seal_session(
                    ctx,
                    signing_in.session_user(),
                    Step::SelectMfaType {
                        choices: factors.iter().map(|f| f.name().to_owned()).collect(),
                    },
                )?;
                AuthOutcome::Challenge {
                    challenge: Challenge::SelectMfaType {
                        user_id_for_srp: user.username.clone(),
                        choices: factors,
                    },
                    session: Some(session),
                }
            }
        };
        Ok(Some(outcome))
    }

    fn mfa_setup_challenge(
        &self,
        ctx: &ClientContext,
        signing_in: &SigningIn,
    ) -> Result<AuthOutcome> {
        let user = &signing_in.user;
        let session = self.seal_session(
            ctx,
            signing_in.session_user(),
            Step::MfaSetup { verified: false },
        )?;
        // Set up during sign-in: an authenticator app (AssociateSoftwareToken
        // with this Session, then VerifySoftwareToken).
        let can_set_up = [MfaFactor::SoftwareToken]
            .into_iter()
            .filter(|f| ctx.pool.mfa_config().allows(*f))
            .collect();
        Ok(AuthOutcome::Challenge {
            challenge: Challenge::MfaSetup {
                user_id_for_srp: user.username.clone(),
                can_set_up,
            },
            session: Some(session),
        })
    }

    /// The challenge of `factor`; SMS and email codes are sent now, and live
    /// as long as the session. `custom` holds the rounds of a custom sign-in
    /// whose DefineAuthChallenge asked for the factor.
    pub(crate) async fn mfa_challenge(
        &self,
        ctx: &ClientContext,
        signing_in: &SigningIn,
        factor: MfaFactor,
        custom: Option<Vec<Round>>,
    ) -> Result<AuthOutcome> {
        let user = &signing_in.user;
        let (challenge, step) = match factor {
            MfaFactor::SoftwareToken => (
                Challenge::SoftwareTokenMfa {
                    user_id_for_srp: user.username.clone(),
                    friendly_device_name: user.mfa.preferences.token_name.clone(),
                },
                Step::SoftwareTokenMfa { custom },
            ),
            MfaFactor::Sms | MfaFactor::Email => {
                let (medium, attribute, step) = match factor {
                    MfaFactor::Sms => (Medium::Sms, "phone_number", Step::SmsMfa { custom }),
                    _ => (Medium::Email, "email", Step::EmailOtp { custom }),
                };
                let destination = user.attribute(attribute).unwrap_or_default();
                let delivery = self
                    .codes
                    .issue_sign_in_code(
                        &ctx.pool,
                        user,
                        CodePurpose::SignInMfa,
                        ctx.policy.auth_session_seconds,
                        (medium, destination),
                        Occasion::new(
                            MessageSource::Authentication,
                            Some(ctx.client.id.as_str()),
                            &ctx.client_metadata,
                        ),
                    )
                    .await?;
                (
                    Challenge::CodeMfa {
                        factor,
                        user_id_for_srp: user.username.clone(),
                        delivery,
                    },
                    step,
                )
            }
        };
        let session = self.seal_session(ctx, signing_in.session_user(), step)?;
        Ok(AuthOutcome::Challenge {
            challenge,
            session: Some(session),
        })
    }

    /// The session of an MFA answer, and its user; the answer's SECRET_HASH
    /// checked as every challenge answer's is.
    async fn mfa_session(
        &self,
        ctx: &ClientContext,
        answer: &MfaAnswer<'_>,
        challenge: ChallengeName,
    ) -> Result<(SignInSession, SigningIn)> {
        let session = answer.session;
        let text = session.ok_or_else(|| missing("Session"))?;
        let session = self
            .open_session(ctx, text, challenge)
            .map_err(|fault| match fault {
                SessionFault::Unreadable | SessionFault::Expired => session_expired(),
            })?;
        // Only the simulated code challenge of a hidden name (no user, or one
        // that cannot receive the code) has no `sub`: no code answers it.
        let sub = session.user.sub.as_deref().ok_or_else(wrong_mfa_code)?;
        let user = self
            .users
            .by_sub(&ctx.pool.id, sub)
            .await?
            .ok_or_else(user_not_found)?;
        let typed = answer.username.unwrap_or(&user.username);
        self.check_secret_hash(&ctx.client, answer.secret_hash, &[typed, &user.username])?;
        let signing_in = SigningIn::resumed(user, &session, answer.device_key);
        Ok((session, signing_in))
    }

    /// Checks an MFA code; a wrong one counts toward the lockout, as a wrong
    /// password does.
    pub(crate) async fn answer_mfa_code(
        &self,
        ctx: &ClientContext,
        challenge: ChallengeName,
        code: &str,
        answer: MfaAnswer<'_>,
    ) -> Result<AuthOutcome> {
        let (session, signing_in) = self.mfa_session(ctx, &answer, challenge).await?;
        let user = &signing_in.user;
        let admission = self.admit_password_check(user).await?;
        let matched = match challenge {
            ChallengeName::SoftwareTokenMfa => self.software_token_code_matches(user, code).await?,
            // A code used up or expired is an answer to no live challenge:
            // the same "auth state" refusal.
            _ => match self
                .codes
                .check(user, &session.step.code_purpose(), code)
                .await
            {
                Ok(()) => true,
                Err(Error::CodeMismatch(_) | Error::ExpiredCode(_)) => false,
                Err(e) => return Err(e),
            },
        };
        if !matched {
            admission.failed();
            return Err(wrong_mfa_code());
        }
        if let Some(rounds) = session.step.custom_rounds() {
            let mut rounds = rounds.clone();
            rounds.push(Round {
                challenge_name: challenge.as_str().into(),
                challenge_result: true,
                challenge_metadata: None,
            });
            return self.next_custom_round(ctx, signing_in, rounds, None).await;
        }
        self.advance(ctx, signing_in, Stage::Mfa, true).await
    }

    /// SELECT_MFA_TYPE: the chosen factor's challenge.
    pub(crate) async fn answer_mfa_selection(
        &self,
        ctx: &ClientContext,
        choice: &str,
        answer: MfaAnswer<'_>,
    ) -> Result<AuthOutcome> {
        let answer_text = choice;
        let (session, signing_in) = self
            .mfa_session(ctx, &answer, ChallengeName::SelectMfaType)
            .await?;
        let Step::SelectMfaType { choices } = &session.step else {
            return Err(session_expired());
        };
        let factor = MfaFactor::parse(answer_text)
            .filter(|f| choices.iter().any(|c| c == f.name()))
            .ok_or_else(|| {
                Error::InvalidParameter(format!("The MFA type {answer_text} was not offered."))
            })?;
        self.mfa_challenge(ctx, &signing_in, factor, None).await
    }

    /// MFA_SETUP, answered once VerifySoftwareToken accepted a code in this
    /// sign-in: the factor is set up, and the sign-in goes on.
    pub(crate) async fn answer_mfa_setup(
        &self,
        ctx: &ClientContext,
        answer: MfaAnswer<'_>,
    ) -> Result<AuthOutcome> {
        let (session, signing_in) = self
            .mfa_session(ctx, &answer, ChallengeName::MfaSetup)
            .await?;
        if session.step != (Step::MfaSetup { verified: true }) {
            return Err(Error::SoftwareTokenMfaNotFound(
                "Software Token MFA does not exist for the user.".into(),
            ));
        }
        self.advance(ctx, signing_in, Stage::Mfa, false).await
    }
}
