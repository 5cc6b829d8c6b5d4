//! The first factors of choice-based sign-in each user has: what USER_AUTH
//! offers them, and GetUserAuthFactors / AdminGetUserAuthFactors.

use super::Services;
use super::signin::challenge::ChallengeName;
use super::signin::choice::factor_of;
use crate::domain::auth_factor::AuthFactor;
use crate::domain::mfa::MfaMode;
use crate::domain::pool::UserPool;
use crate::domain::user::{User, UserStatus};
use crate::error::Result;
use crate::ids::UserPoolId;

impl Services {
    /// The first-factor challenges `user` can answer now, in the order
    /// Cognito's documentation lists them. `hiding`: the client hides which
    /// users exist, so every user (and a name that matches none) is offered
    /// the same codes, the ones a user with a verified email address and
    /// phone number could receive; a user who cannot is then given a code
    /// challenge that nothing is sent for.
    pub(crate) async fn first_factor_challenges(
        &self,
        pool: &UserPool,
        user: Option<&User>,
        hiding: bool,
    ) -> Result<Vec<ChallengeName>> {
        let passwordless_allowed = pool.mfa_mode() != MfaMode::On;
        // A temporary password is changed first, with NEW_PASSWORD_REQUIRED.
        let temporary = user.is_some_and(|u| u.status == UserStatus::ForceChangePassword);
        let mut out = Vec::new();
        for factor in pool.allowed_first_factors() {
            let has_passkeys = match (factor, user) {
                (AuthFactor::WebAuthn, Some(u)) if passwordless_allowed && !temporary => {
                    self.user_has_passkeys(pool, u).await?
                }
                _ => false,
            };
            let usable = match (factor, user) {
                (f, _) if f.passwordless() && (!passwordless_allowed || temporary) => false,
                (AuthFactor::WebAuthn, _) => has_passkeys,
                (_, None) => true,
                (AuthFactor::Password, Some(u)) => u.password.is_some(),
                (AuthFactor::EmailOtp | AuthFactor::SmsOtp, _) if hiding => true,
                // Codes go only where the user proved they reach it.
                (AuthFactor::EmailOtp, Some(u)) => u.is_verified("email"),
                (AuthFactor::SmsOtp, Some(u)) => u.is_verified("phone_number"),
            };
            if !usable {
                continue;
            }
            match factor {
                AuthFactor::Password => {
                    out.extend([ChallengeName::Password, ChallengeName::PasswordSrp]);
                }
                AuthFactor::EmailOtp => out.push(ChallengeName::EmailOtp),
                AuthFactor::SmsOtp => out.push(ChallengeName::SmsOtp),
                AuthFactor::WebAuthn => out.push(ChallengeName::WebAuthn),
            }
        }
        Ok(out)
    }

    /// The `ConfiguredUserAuthFactors` of GetUserAuthFactors: the first
    /// factors `user` can sign in with through USER_AUTH.
    pub(crate) async fn configured_auth_factors(
        &self,
        pool: &UserPool,
        user: &User,
    ) -> Result<Vec<AuthFactor>> {
        let mut factors: Vec<AuthFactor> = Vec::new();
        for challenge in self
            .first_factor_challenges(pool, Some(user), false)
            .await?
        {
            if let Some(f) = factor_of(challenge).filter(|f| !factors.contains(f)) {
                factors.push(f);
            }
        }
        Ok(factors)
    }

    /// GetUserAuthFactors: the caller, and its first factors.
    pub async fn get_user_auth_factors(
        &self,
        access_token: &str,
    ) -> Result<(User, Vec<AuthFactor>)> {
        let who = self.authenticate(access_token).await?;
        let factors = self.configured_auth_factors(&who.pool, &who.user).await?;
        Ok((who.user, factors))
    }

    /// AdminGetUserAuthFactors.
    pub async fn admin_get_user_auth_factors(
        &self,
        pool_id: &UserPoolId,
        username: &str,
    ) -> Result<(User, Vec<AuthFactor>)> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_named_user(&pool, username).await?;
        let factors = self.configured_auth_factors(&pool, &user).await?;
        Ok((user, factors))
    }
}
