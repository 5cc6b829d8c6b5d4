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
    /// users exist, so every name (one that matches no user too) is offered
    /// the same factors, those the pool allows; a user who cannot use the one
    /// it chooses is then given a challenge shaped the same that nothing
    /// answers.
    pub(crate) async fn first_factor_challenges(
        &self,
        pool: &UserPool,
        user: Option<&User>,
        hiding: bool,
    ) -> Result<Vec<ChallengeName>> {
        let passwordless_allowed = pool.mfa_mode() != MfaMode::On;
        let mut out = Vec::new();
        for factor in pool.allowed_first_factors() {
            let usable = match (factor, user) {
                (f, _) if f.passwordless() && !passwordless_allowed => false,
                (AuthFactor::WebAuthn, _) if hiding => self.passkeys_configured(pool).await?,
                (_, _) if hiding => true,
                (_, None) => false,
                (AuthFactor::Password, Some(u)) => u.password.is_some(),
                (f, Some(u)) => self.can_use_passwordless(pool, u, f).await?,
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

    /// Whether `user` can sign in with the passwordless factor `factor`: a
    /// code only to an address it verified, a passkey only if it has one for
    /// the pool's relying party, and neither with a temporary password (which
    /// is changed first, with NEW_PASSWORD_REQUIRED).
    pub(crate) async fn can_use_passwordless(
        &self,
        pool: &UserPool,
        user: &User,
        factor: AuthFactor,
    ) -> Result<bool> {
        if user.status == UserStatus::ForceChangePassword {
            return Ok(false);
        }
        Ok(match factor {
            AuthFactor::Password => false,
            AuthFactor::EmailOtp => user.is_verified("email"),
            AuthFactor::SmsOtp => user.is_verified("phone_number"),
            AuthFactor::WebAuthn => self.user_has_passkeys(pool, user).await?,
        })
    }
}
