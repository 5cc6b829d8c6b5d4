//! Software tokens (TOTP authenticator apps): AssociateSoftwareToken hands
//! out a secret, VerifySoftwareToken registers it once the user's app shows a
//! right code. Both work with an access token (a signed-in user adding MFA)
//! or with the Session of an `MFA_SETUP` challenge (a sign-in that requires
//! MFA the user has not set up). Secrets are sealed at rest, bound to their user.

use tessera_crypto::totp;

use crate::domain::mfa::MfaFactor;
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::services::Services;
use crate::services::existence::user_not_found;
use crate::services::signin::challenge::ChallengeName;
use crate::services::signin::session::{SessionFault, SignInSession, Step, session_expired};

/// Who asks: a signed-in user, or a sign-in waiting at `MFA_SETUP`.
pub enum TokenHolder {
    AccessToken(String),
    Session(String),
}

pub struct Association {
    /// The secret, base32, for the authenticator app.
    pub secret_code: String,
    /// A fresh Session, when the request came with one.
    pub session: Option<String>,
}

pub struct Verification {
    pub session: Option<String>,
}

fn secret_aad(pool: &UserPoolId, sub: &str) -> Vec<u8> {
    format!("software-token|{pool}|{sub}").into_bytes()
}

/// The answer to a wrong code in VerifySoftwareToken (aws-amplify-auth-starters#15).
fn code_mismatch() -> Error {
    Error::EnableSoftwareTokenMfa("Code mismatch and fail enable Software Token MFA".into())
}

/// Where a request's user comes from, and what to answer it with.
enum Holder {
    SignedIn(User),
    SigningIn(Box<SignInSession>, User),
}

impl Services {
    async fn token_holder(&self, holder: &TokenHolder) -> Result<Holder> {
        match holder {
            TokenHolder::AccessToken(token) => {
                Ok(Holder::SignedIn(self.authenticate(token).await?.user))
            }
            TokenHolder::Session(text) => {
                let session = self
                    .open_any_session(text, ChallengeName::MfaSetup)
                    .map_err(|fault| match fault {
                        SessionFault::Unreadable | SessionFault::Expired => session_expired(),
                    })?;
                let sub = session.user.sub.as_deref().ok_or_else(session_expired)?;
                let user = self
                    .users
                    .by_sub(&session.pool, sub)
                    .await?
                    .ok_or_else(user_not_found)?;
                Ok(Holder::SigningIn(Box::new(session), user))
            }
        }
    }

    /// A fresh Session of the same sign-in, at `MFA_SETUP`.
    async fn next_setup_session(&self, session: &SignInSession, verified: bool) -> Result<String> {
        let mut ctx = self.client_context(&session.client, None).await?;
        ctx.hosted = session.hosted;
        self.seal_session(&ctx, session.user.clone(), Step::MfaSetup { verified })
    }

    pub async fn associate_software_token(&self, holder: TokenHolder) -> Result<Association> {
        let holder = self.token_holder(&holder).await?;
        let (Holder::SignedIn(user) | Holder::SigningIn(_, user)) = &holder;
        let mut user = user.clone();
        let secret = totp::generate_secret();
        user.mfa.pending_software_token = Some(
            self.sealing
                .seal(&secret, &secret_aad(&user.pool_id, &user.sub))?,
        );
        user.modified = self.clock.now();
        self.users.save(&user).await?;
        let session = match &holder {
            Holder::SignedIn(_) => None,
            Holder::SigningIn(session, _) => Some(self.next_setup_session(session, false).await?),
        };
        Ok(Association {
            secret_code: totp::base32(&secret),
            session,
        })
    }

    /// Registers the associated secret once `code` is one of its codes. In a
    /// sign-in's setup the token also becomes the user's preferred factor;
    /// a signed-in user turns it on with SetUserMFAPreference.
    pub async fn verify_software_token(
        &self,
        holder: TokenHolder,
        code: &str,
        friendly_name: Option<String>,
    ) -> Result<Verification> {
        let holder = self.token_holder(&holder).await?;
        let (Holder::SignedIn(user) | Holder::SigningIn(_, user)) = &holder;
        let mut user = user.clone();
        let sealed = user
            .mfa
            .pending_software_token
            .clone()
            .ok_or_else(code_mismatch)?;
        let secret = self
            .sealing
            .open(&sealed, &secret_aad(&user.pool_id, &user.sub))?;
        let admission = self.admit_password_check(&user).await?;
        let step = totp::matching_step(&secret, code, self.clock.now().millis() / 1000);
        let fresh = match step {
            Some(step) => {
                self.store
                    .accept_totp_step(
                        &user.pool_id,
                        &user.sub,
                        &self.totp_secret_id(&secret),
                        step,
                    )
                    .await?
            }
            None => false,
        };
        if !fresh {
            admission.failed();
            return Err(code_mismatch());
        }
        self.settle_password_check(&user, admission, true).await?;
        user.mfa.software_token = Some(sealed);
        user.mfa.pending_software_token = None;
        user.mfa.preferences.token_name = friendly_name;
        if let Holder::SigningIn(..) = holder {
            let choice = user.mfa.preferences.choice_mut(MfaFactor::SoftwareToken);
            choice.enabled = true;
            choice.preferred = true;
        }
        user.modified = self.clock.now();
        self.users.save(&user).await?;
        let session = match &holder {
            Holder::SignedIn(_) => None,
            Holder::SigningIn(session, _) => Some(self.next_setup_session(session, true).await?),
        };
        Ok(Verification { session })
    }

    /// Names a secret for the replay check without revealing it: a new
    /// authenticator's codes are fresh whatever step the old one reached.
    fn totp_secret_id(&self, secret: &[u8]) -> String {
        hex::encode(&self.sealing.keyed_hash("totp-secret-id", secret)[..16])
    }

    /// Whether `code` is a fresh code of the user's registered software token
    /// (the SOFTWARE_TOKEN_MFA challenge). A code is taken once: a second
    /// answer with it, on any node, is a mismatch.
    pub(crate) async fn software_token_code_matches(
        &self,
        user: &User,
        code: &str,
    ) -> Result<bool> {
        let sealed = user.mfa.software_token.as_ref().ok_or_else(|| {
            Error::SoftwareTokenMfaNotFound(
                "Software Token MFA does not exist for the user.".into(),
            )
        })?;
        let secret = self
            .sealing
            .open(sealed, &secret_aad(&user.pool_id, &user.sub))?;
        match totp::matching_step(&secret, code, self.clock.now().millis() / 1000) {
            Some(step) => Ok(self
                .store
                .accept_totp_step(
                    &user.pool_id,
                    &user.sub,
                    &self.totp_secret_id(&secret),
                    step,
                )
                .await?),
            None => Ok(false),
        }
    }

    /// AdminDeleteSoftwareToken: the user's token is gone, and with it its MFA choice.
    pub async fn admin_delete_software_token(
        &self,
        pool_id: &UserPoolId,
        username: &str,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let mut user = self.admin_named_user(&pool, username).await?;
        user.mfa.software_token = None;
        user.mfa.pending_software_token = None;
        user.mfa.preferences.token_name = None;
        *user.mfa.preferences.choice_mut(MfaFactor::SoftwareToken) = Default::default();
        user.modified = self.clock.now();
        self.users.save(&user).await
    }
}
