//! USER_SRP_AUTH: the challenge (B, salt, and the sealed session as
//! SECRET_BLOCK) and its answer, PASSWORD_VERIFIER. An unknown user gets a
//! challenge indistinguishable from a real one when the client hides user
//! existence.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tessera_crypto::srp::{self, PublicA, ServerEphemeral, Verifier};

use super::challenge::{Challenge, ChallengeName};
use super::session::{SessionFault, SessionUser, SrpState, Step, session_expired};
use super::{AuthOutcome, SigningIn, Stage};
use crate::domain::pool::UserPool;
use crate::domain::user::UserStatus;
use crate::error::{Error, Result};
use crate::services::Services;
use crate::services::client_context::ClientContext;
use crate::services::client_secret::SecretHashUse;
use crate::services::credentials::srp_pool_name;
use crate::services::existence::{incorrect_credentials, simulate_unknown_user, user_not_found};
use crate::services::triggers::custom_auth::Round;

/// What PASSWORD_VERIFIER carries.
pub(crate) struct PasswordClaim<'a> {
    pub username: &'a str,
    pub secret_block: &'a str,
    pub signature: &'a str,
    pub timestamp: &'a str,
    pub secret_hash: Option<&'a str>,
    pub device_key: Option<&'a str>,
}

impl Services {
    pub(crate) async fn start_srp(
        &self,
        ctx: &ClientContext,
        username: &str,
        srp_a: &PublicA,
        secret_hash: Option<&str>,
        device_key: Option<&str>,
    ) -> Result<AuthOutcome> {
        let (pool, client) = (&ctx.pool, &ctx.client);
        let user = self.users.sign_in_user(pool, username).await?;
        let (verifier, sub, user_id) = match &user {
            Some(user) => {
                self.check_secret_hash_for(
                    client,
                    secret_hash,
                    &[username, &user.username],
                    SecretHashUse::SrpStart,
                )?;
                self.pre_authentication(ctx, user).await?;
                match self.verifier(user)? {
                    Some(v) => (v, Some(user.sub.clone()), user.username.clone()),
                    // An imported user, who has no password until it resets one.
                    None if user.status == UserStatus::ResetRequired => {
                        return Err(Error::PasswordResetRequired);
                    }
                    None => return Err(incorrect_credentials()),
                }
            }
            None => {
                self.check_secret_hash_for(
                    client,
                    secret_hash,
                    &[username],
                    SecretHashUse::SrpStart,
                )?;
                simulate_unknown_user(ctx, user_not_found)?;
                // A challenge indistinguishable from a real one, stable for
                // this name, that no password can answer.
                let seed = self.simulated_seed(pool, username);
                (srp::fake_verifier(&seed), None, simulated_user_id(&seed))
            }
        };
        let user = SessionUser {
            sub,
            username: user_id,
            device_key: device_key.map(str::to_owned),
        };
        self.password_verifier_challenge(ctx, user, &verifier, srp_a, None)
    }

    /// PASSWORD_VERIFIER for A against `verifier`; `custom` holds the rounds
    /// of a custom sign-in whose DefineAuthChallenge asked for it.
    pub(crate) fn password_verifier_challenge(
        &self,
        ctx: &ClientContext,
        user: SessionUser,
        verifier: &Verifier,
        srp_a: &PublicA,
        custom: Option<Vec<Round>>,
    ) -> Result<AuthOutcome> {
        let (state, ephemeral) = SrpState::start(verifier, srp_a);
        let user_id_for_srp = user.username.clone();
        let secret_block =
            self.seal_session(ctx, user, Step::PasswordVerifier { srp: state, custom })?;
        Ok(AuthOutcome::Challenge {
            challenge: Challenge::PasswordVerifier {
                salt: srp::salt_hex(verifier),
                srp_b: srp::public_b_hex(&ephemeral),
                secret_block,
                user_id_for_srp,
            },
            session: None,
        })
    }

    pub(crate) async fn finish_srp(
        &self,
        ctx: &ClientContext,
        claim: PasswordClaim<'_>,
    ) -> Result<AuthOutcome> {
        let (pool, client) = (&ctx.pool, &ctx.client);
        let session = self
            .open_session(ctx, claim.secret_block, ChallengeName::PasswordVerifier)
            .map_err(|fault| match fault {
                SessionFault::Unreadable => incorrect_credentials(),
                SessionFault::Expired => session_expired(),
            })?;
        self.check_secret_hash(
            client,
            claim.secret_hash,
            &[claim.username, &session.user.username],
        )?;
        let Step::PasswordVerifier { srp: state, custom } = &session.step else {
            return Err(incorrect_credentials());
        };
        let Some(sub) = &session.user.sub else {
            return Err(incorrect_credentials());
        };
        let user = self
            .users
            .by_sub(&pool.id, sub)
            .await?
            .ok_or_else(incorrect_credentials)?;
        self.check_sign_in_address(pool, &client.id, &user, ctx.ip)
            .await?;
        let admission = self.admit_password_check(&user).await?;
        let Some(verifier) = self.verifier(&user)? else {
            admission.failed();
            return Err(incorrect_credentials());
        };
        let matched = state.proves(
            &verifier,
            srp_pool_name(&pool.id),
            &user.username,
            &SrpProof {
                secret_block: claim.secret_block,
                timestamp: claim.timestamp,
                signature: claim.signature,
            },
        );
        if !matched {
            admission.failed();
            self.record_failed_password(ctx, &user).await?;
            return Err(incorrect_credentials());
        }
        let signing_in = SigningIn::resumed(user, &session, claim.device_key);
        if let Some(rounds) = custom {
            // A right password in a custom sign-in is one round of it: the
            // functions decide what follows.
            let user = &signing_in.user;
            self.store
                .refund_sign_in_attempt(&user.pool_id, &user.sub)
                .await?;
            let mut rounds = rounds.clone();
            rounds.push(Round {
                challenge_name: ChallengeName::PasswordVerifier.as_str().into(),
                challenge_result: true,
                challenge_metadata: None,
            });
            return self.next_custom_round(ctx, signing_in, rounds, None).await;
        }
        self.advance(ctx, signing_in, Stage::FirstFactor, true)
            .await
    }
}

/// What a client sends to prove its SRP: the SECRET_BLOCK it was given
/// (standard base64), the TIMESTAMP and the PASSWORD_CLAIM_SIGNATURE.
pub(crate) struct SrpProof<'a> {
    pub secret_block: &'a str,
    pub timestamp: &'a str,
    pub signature: &'a str,
}

impl SrpState {
    /// A fresh challenge to A against `verifier`: the state the session
    /// keeps, and the ephemeral whose B the client gets.
    pub(crate) fn start(verifier: &Verifier, srp_a: &PublicA) -> (SrpState, ServerEphemeral) {
        let ephemeral = srp::server_challenge(verifier);
        let state = SrpState {
            a: srp_a.to_hex(),
            b: hex::encode(&ephemeral.secret_b),
            big_b: hex::encode(&ephemeral.public_b),
        };
        (state, ephemeral)
    }

    /// Whether `proof` proves the password (or device secret) behind
    /// `verifier`, SRP's pool name and username being `pool_name` and
    /// `username` (a device's group key and device key).
    pub(crate) fn proves(
        &self,
        verifier: &Verifier,
        pool_name: &str,
        username: &str,
        proof: &SrpProof<'_>,
    ) -> bool {
        match (
            srp::parse_public_a(&self.a),
            hex::decode(&self.b),
            hex::decode(&self.big_b),
            STANDARD.decode(proof.secret_block.as_bytes()),
        ) {
            (Ok(a), Ok(secret_b), Ok(public_b), Ok(block_bytes)) => srp::verify_claim(
                verifier,
                &a,
                &ServerEphemeral { secret_b, public_b },
                pool_name,
                username,
                &block_bytes,
                proof.timestamp,
                proof.signature,
            ),
            _ => false,
        }
    }
}

impl Services {
    /// A secret seed stable for a name that matches no user of `pool`, so
    /// every simulated challenge for that name looks the same.
    pub(crate) fn simulated_seed(&self, pool: &UserPool, username: &str) -> [u8; 32] {
        self.sealing.keyed_hash(
            "simulated-srp-user",
            format!("{}|{}", pool.id, pool.normalize(username)).as_bytes(),
        )
    }
}

/// The `USER_ID_FOR_SRP` a simulated challenge gives, shaped like the UUID
/// usernames of pools that sign in by email or phone number.
pub(crate) fn simulated_user_id(seed: &[u8; 32]) -> String {
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&seed[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}
