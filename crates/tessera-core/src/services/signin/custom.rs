//! CUSTOM_AUTH: rounds of challenges the pool's triggers decide
//! (DefineAuthChallenge), write (CreateAuthChallenge) and check
//! (VerifyAuthChallengeResponse). The rounds so far and the current
//! challenge's private parameters travel in the sealed session, so any node
//! takes the next answer.

use tessera_crypto::srp::PublicA;

use super::challenge::{Challenge, ChallengeName};
use super::session::{Step, session_expired};
use super::{AuthOutcome, SigningIn, Stage, missing};
use crate::domain::mfa::MfaFactor;
use crate::domain::user::UserStatus;
use crate::error::{Error, Result};
use crate::services::Services;
use crate::services::client_context::ClientContext;
use crate::services::existence::{Hidden, incorrect_credentials, unknown_user, user_not_found};
use crate::services::triggers::Caller;
use crate::services::triggers::custom_auth::{Decision, Round};

/// Rounds one sign-in may take: enough for any real challenge sequence, and
/// a bound on the session a client carries.
const MAX_ROUNDS: usize = 16;

/// What CUSTOM_AUTH's InitiateAuth carries.
pub(crate) struct CustomStart<'a> {
    pub username: &'a str,
    pub srp_a: Option<&'a PublicA>,
    pub secret_hash: Option<&'a str>,
    pub device_key: Option<&'a str>,
}

/// What a CUSTOM_CHALLENGE answer carries.
pub(crate) struct CustomAnswer<'a> {
    pub username: &'a str,
    pub answer: &'a str,
    pub secret_hash: Option<&'a str>,
    pub session: Option<&'a str>,
    pub device_key: Option<&'a str>,
}

fn caller<'a>(ctx: &'a ClientContext, signing_in: &'a SigningIn) -> Caller<'a> {
    Caller {
        pool: &ctx.pool,
        client_id: Some(ctx.client.id.as_str()),
        username: &signing_in.user.username,
    }
}

impl Services {
    /// CUSTOM_AUTH's first step: PreAuthentication, then the first decision.
    pub(crate) async fn start_custom(
        &self,
        ctx: &ClientContext,
        start: CustomStart<'_>,
    ) -> Result<AuthOutcome> {
        self.triggers.check_custom_auth(&Caller {
            pool: &ctx.pool,
            client_id: Some(ctx.client.id.as_str()),
            username: start.username,
        })?;
        let Some(user) = self.users.sign_in_user(&ctx.pool, start.username).await? else {
            self.check_secret_hash(&ctx.client, start.secret_hash, &[start.username])?;
            return Err(unknown_user(ctx, Hidden::AsWrongPassword));
        };
        self.check_secret_hash(
            &ctx.client,
            start.secret_hash,
            &[start.username, &user.username],
        )?;
        // No challenge (a code sent, say) for a user who could not sign in.
        if !user.enabled {
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        if user.status == UserStatus::Unconfirmed {
            return Err(Error::UserNotConfirmed);
        }
        self.pre_authentication(ctx, &user).await?;
        // A client that starts with SRP (Amplify's CUSTOM_WITH_SRP) shows it
        // as the first round.
        let rounds = match start.srp_a {
            Some(_) => vec![Round {
                challenge_name: "SRP_A".into(),
                challenge_result: true,
                challenge_metadata: None,
            }],
            None => Vec::new(),
        };
        let signing_in = SigningIn {
            assessment: Default::default(),
            user,
            device_key: start.device_key.map(str::to_owned),
        };
        self.next_custom_round(ctx, signing_in, rounds, start.srp_a)
            .await
    }

    /// A CUSTOM_CHALLENGE answer: checked by VerifyAuthChallengeResponse,
    /// recorded, and the next decision taken.
    pub(crate) async fn answer_custom(
        &self,
        ctx: &ClientContext,
        answer: CustomAnswer<'_>,
    ) -> Result<AuthOutcome> {
        let text = answer.session.ok_or_else(|| missing("Session"))?;
        let session = self
            .open_session(ctx, text, ChallengeName::CustomChallenge)
            .map_err(|_| session_expired())?;
        let sub = session.user.sub.as_deref().ok_or_else(session_expired)?;
        let user = self
            .users
            .by_sub(&ctx.pool.id, sub)
            .await?
            .ok_or_else(user_not_found)?;
        self.check_secret_hash(
            &ctx.client,
            answer.secret_hash,
            &[answer.username, &user.username],
        )?;
        let Step::CustomChallenge {
            rounds,
            private,
            metadata,
        } = &session.step
        else {
            return Err(session_expired());
        };
        let signing_in = SigningIn::resumed(user, &session, answer.device_key);
        // Each answer counts toward the lockout until it proves right: a
        // sealed session can be answered again, so the functions' own limit
        // on rounds does not bound guesses.
        let admission = self.admit_password_check(&signing_in.user).await?;
        let correct = self
            .triggers
            .verify_auth_challenge_response(
                &caller(ctx, &signing_in),
                &signing_in.user,
                private,
                answer.answer,
                &ctx.client_metadata,
            )
            .await?;
        if correct {
            let user = &signing_in.user;
            self.store
                .refund_sign_in_attempt(&user.pool_id, &user.sub)
                .await?;
        } else {
            admission.failed();
        }
        let mut rounds = rounds.clone();
        rounds.push(Round {
            challenge_name: ChallengeName::CustomChallenge.as_str().into(),
            challenge_result: correct,
            challenge_metadata: metadata.clone(),
        });
        self.next_custom_round(ctx, signing_in, rounds, None).await
    }

    /// DefineAuthChallenge's decision over the rounds so far: tokens (the
    /// rest of the sign-in, devices included, follows), a refusal, or the
    /// next challenge. `srp_a` is the client's A while the sign-in's first
    /// decision is taken, when the password may be asked for by SRP.
    pub(crate) async fn next_custom_round(
        &self,
        ctx: &ClientContext,
        signing_in: SigningIn,
        rounds: Vec<Round>,
        srp_a: Option<&PublicA>,
    ) -> Result<AuthOutcome> {
        let decision = self
            .triggers
            .define_auth_challenge(
                &caller(ctx, &signing_in),
                &signing_in.user,
                &rounds,
                &ctx.client_metadata,
            )
            .await?;
        let name = match decision {
            Decision::Fail => return Err(incorrect_credentials()),
            // The functions own the factors here: Cognito's MFA step is theirs
            // to ask for.
            Decision::IssueTokens => return self.advance(ctx, signing_in, Stage::Mfa, false).await,
            Decision::Challenge(name) => name,
        };
        if name == ChallengeName::PasswordVerifier.as_str() {
            let Some(srp_a) = srp_a else {
                return Err(Error::InvalidParameter(
                    "PASSWORD_VERIFIER follows only an SRP_A given with CUSTOM_AUTH.".into(),
                ));
            };
            let verifier = self
                .verifier(&signing_in.user)?
                .ok_or_else(incorrect_credentials)?;
            return self.password_verifier_challenge(
                ctx,
                signing_in.session_user(),
                &verifier,
                srp_a,
                Some(rounds),
            );
        }
        if rounds.len() >= MAX_ROUNDS {
            return Err(incorrect_credentials());
        }
        let factor = match ChallengeName::parse(&name) {
            Some(ChallengeName::CustomChallenge) => None,
            Some(ChallengeName::SmsMfa) => Some(MfaFactor::Sms),
            Some(ChallengeName::SoftwareTokenMfa) => Some(MfaFactor::SoftwareToken),
            Some(ChallengeName::EmailOtp) => Some(MfaFactor::Email),
            _ => {
                return Err(Error::UnsupportedOperation(format!(
                    "Tessera does not implement the {name} challenge in custom authentication yet."
                )));
            }
        };
        // Cognito's own code challenge, answered as at any sign-in; its
        // result is the next round DefineAuthChallenge sees.
        if let Some(factor) = factor {
            if !signing_in.user.can_use_mfa(factor) {
                return Err(Error::InvalidLambdaResponse(format!(
                    "DefineAuthChallenge asked for {name}, which the user has no means to answer."
                )));
            }
            return self
                .mfa_challenge(ctx, &signing_in, factor, Some(rounds))
                .await;
        }
        let created = self
            .triggers
            .create_auth_challenge(
                &caller(ctx, &signing_in),
                &signing_in.user,
                &name,
                &rounds,
                &ctx.client_metadata,
            )
            .await?;
        let session = self.seal_session(
            ctx,
            signing_in.session_user(),
            Step::CustomChallenge {
                rounds,
                private: created.private,
                metadata: created.metadata,
            },
        )?;
        Ok(AuthOutcome::Challenge {
            challenge: Challenge::Custom {
                username: signing_in.user.username.clone(),
                parameters: created.public,
            },
            session: Some(session),
        })
    }
}
