//! SetUserPoolMfaConfig and GetUserPoolMfaConfig: which second factors a
//! pool offers, and whether it asks for one.

use serde_json::{Map, Value};

use crate::domain::mfa::{MfaMode, PoolMfaConfig};
use crate::domain::pool::{MFA_CONFIG_SETTINGS, UserPool};
use crate::domain::webauthn::valid_relying_party_id;
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::services::Services;

/// A pool's MFA configuration, as GetUserPoolMfaConfig returns it.
pub struct MfaConfigView {
    pub mode: &'static str,
    pub factors: PoolMfaConfig,
}

fn mode_name(mode: MfaMode) -> &'static str {
    match mode {
        MfaMode::Off => "OFF",
        MfaMode::Optional => "OPTIONAL",
        MfaMode::On => "ON",
    }
}

fn view(pool: &UserPool) -> MfaConfigView {
    MfaConfigView {
        mode: mode_name(pool.mfa_mode()),
        factors: pool.mfa_config(),
    }
}

impl Services {
    pub async fn get_user_pool_mfa_config(&self, pool_id: &UserPoolId) -> Result<MfaConfigView> {
        Ok(view(&self.pool(pool_id).await?))
    }

    /// Replaces the pool's factors with the members given (a factor left out
    /// is turned off), and sets `MfaConfiguration` when given.
    pub async fn set_user_pool_mfa_config(
        &self,
        pool_id: &UserPoolId,
        mode: Option<&str>,
        members: &Map<String, Value>,
    ) -> Result<MfaConfigView> {
        let mut pool = self.pool(pool_id).await?;
        let factors = PoolMfaConfig {
            members: MFA_CONFIG_SETTINGS
                .iter()
                .filter_map(|m| Some(((*m).to_owned(), members.get(*m)?.clone())))
                .filter(|(_, v)| !v.is_null())
                .collect(),
        };
        if let Some(config) = factors.members.get("WebAuthnConfiguration")
            && let Some(id) = config.get("RelyingPartyId").and_then(Value::as_str)
            && !valid_relying_party_id(id)
        {
            return Err(Error::InvalidParameter(format!(
                "Invalid RelyingPartyId: {id} is not a domain name."
            )));
        }
        let mode = mode.map_or_else(|| pool.mfa_mode(), MfaMode::parse);
        // Both refusals are Cognito's words (anomalyco/sst#5177, go-to-k/cdkd#1923);
        // passkeys are not a second factor and go with any mode.
        match mode {
            MfaMode::Off if factors.any_factor() => {
                return Err(Error::InvalidParameter(
                    "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
                        .into(),
                ));
            }
            MfaMode::Optional | MfaMode::On if !factors.any_factor() => {
                return Err(Error::InvalidParameter(
                    "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."
                        .into(),
                ));
            }
            _ => {}
        }
        for member in MFA_CONFIG_SETTINGS {
            pool.settings.remove(*member);
        }
        // SMS MFA sends with the pool's SMS settings: they are one.
        if let Some(sms) = factors.members.get("SmsMfaConfiguration") {
            for field in ["SmsConfiguration", "SmsAuthenticationMessage"] {
                if let Some(value) = sms.get(field) {
                    pool.settings.insert(field.into(), value.clone());
                }
            }
        }
        pool.settings.extend(factors.members);
        pool.settings
            .insert("MfaConfiguration".into(), Value::from(mode_name(mode)));
        pool.modified = self.clock.now();
        self.save_pool(&pool).await?;
        Ok(view(&pool))
    }
}
