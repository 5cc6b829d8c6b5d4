//! Which second factors a user turned on and prefers: SetUserMFAPreference
//! and AdminSetUserMFAPreference, and the legacy SetUserSettings /
//! AdminSetUserSettings, which turn SMS MFA on or off.

use crate::domain::mfa::{FactorChoice, MfaFactor};
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::services::Services;

/// A factor's `{Enabled, PreferredMfa}`, each left as it is when absent.
#[derive(Debug, Clone, Copy, Default)]
pub struct FactorSettings {
    pub enabled: Option<bool>,
    pub preferred: Option<bool>,
}

/// The factors a SetUserMFAPreference request names.
#[derive(Debug, Clone, Default)]
pub struct MfaPreferenceChange {
    pub sms: Option<FactorSettings>,
    pub software_token: Option<FactorSettings>,
    pub email: Option<FactorSettings>,
}

/// Applies `change` to the user's preferences in memory.
fn apply(user: &mut User, change: &MfaPreferenceChange) -> Result<()> {
    let changes = [
        (MfaFactor::Sms, change.sms),
        (MfaFactor::SoftwareToken, change.software_token),
        (MfaFactor::Email, change.email),
    ];
    for (factor, settings) in changes {
        let Some(settings) = settings else { continue };
        let mut choice: FactorChoice = user.mfa.preferences.choice(factor);
        if let Some(enabled) = settings.enabled {
            // aws/aws-sdk-js-v3#4645 quotes this refusal for a token not yet verified.
            if enabled && !user.can_use_mfa(factor) {
                return Err(Error::InvalidParameter(format!(
                    "User does not have delivery config set to turn on {}",
                    factor.name()
                )));
            }
            choice.enabled = enabled;
        }
        if let Some(preferred) = settings.preferred {
            choice.preferred = preferred;
        }
        // Only one factor is preferred; a factor turned off is not.
        choice.preferred &= choice.enabled;
        if choice.preferred {
            for other in MfaFactor::ALL.into_iter().filter(|f| *f != factor) {
                user.mfa.preferences.choice_mut(other).preferred = false;
            }
        }
        *user.mfa.preferences.choice_mut(factor) = choice;
    }
    Ok(())
}

/// One `MFAOptions` entry of the legacy settings operations.
#[derive(Debug, Clone)]
pub struct MfaOption {
    pub delivery_medium: Option<String>,
}

impl Services {
    pub async fn set_user_mfa_preference(
        &self,
        access_token: &str,
        change: MfaPreferenceChange,
    ) -> Result<()> {
        let mut user = self.authenticate(access_token).await?.user;
        apply(&mut user, &change)?;
        user.modified = self.clock.now();
        self.users.save(&user).await
    }

    pub async fn admin_set_user_mfa_preference(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        change: MfaPreferenceChange,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let mut user = self.admin_named_user(&pool, username).await?;
        apply(&mut user, &change)?;
        user.modified = self.clock.now();
        self.users.save(&user).await
    }

    /// SMS MFA on when `options` has an SMS entry, off when it has none.
    fn apply_mfa_options(user: &mut User, options: &[MfaOption]) -> Result<()> {
        let sms = options
            .iter()
            .any(|o| o.delivery_medium.as_deref() == Some("SMS"));
        apply(
            user,
            &MfaPreferenceChange {
                sms: Some(FactorSettings {
                    enabled: Some(sms),
                    preferred: None,
                }),
                ..Default::default()
            },
        )
    }

    pub async fn set_user_settings(&self, access_token: &str, options: &[MfaOption]) -> Result<()> {
        let mut user = self.authenticate(access_token).await?.user;
        Self::apply_mfa_options(&mut user, options)?;
        user.modified = self.clock.now();
        self.users.save(&user).await
    }

    pub async fn admin_set_user_settings(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        options: &[MfaOption],
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let mut user = self.admin_named_user(&pool, username).await?;
        Self::apply_mfa_options(&mut user, options)?;
        user.modified = self.clock.now();
        self.users.save(&user).await
    }
}
