//! SetUserMFAPreference.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::services::mfa::preferences::{FactorSettings, MfaPreferenceChange};

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

/// `{Enabled, PreferredMfa}` of one factor.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct FactorSettingsInput {
    enabled: Option<bool>,
    preferred_mfa: Option<bool>,
}

/// The three factors' settings, as both preference operations carry them.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PreferenceInput {
    #[serde(rename = "SMSMfaSettings")]
    sms_mfa_settings: Option<FactorSettingsInput>,
    software_token_mfa_settings: Option<FactorSettingsInput>,
    email_mfa_settings: Option<FactorSettingsInput>,
}

impl PreferenceInput {
    pub(crate) fn change(self) -> MfaPreferenceChange {
        let settings = |s: FactorSettingsInput| FactorSettings {
            enabled: s.enabled,
            preferred: s.preferred_mfa,
        };
        MfaPreferenceChange {
            sms: self.sms_mfa_settings.map(settings),
            software_token: self.software_token_mfa_settings.map(settings),
            email: self.email_mfa_settings.map(settings),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
    #[serde(flatten)]
    preferences: PreferenceInput,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .set_user_mfa_preference(&r.access_token, r.preferences.change())
        .await?;
    Ok(json!({}))
}
