//! Multi-factor authentication: the factors, what a pool allows
//! (`SetUserPoolMfaConfig`) and what a user enabled and prefers
//! (`SetUserMFAPreference`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A second factor, named as `UserMFASettingList` and the challenges name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MfaFactor {
    Sms,
    SoftwareToken,
    Email,
}

impl MfaFactor {
    pub const ALL: [MfaFactor; 3] = [MfaFactor::Sms, MfaFactor::SoftwareToken, MfaFactor::Email];

    /// The wire name: `SMS_MFA`, `SOFTWARE_TOKEN_MFA`, `EMAIL_OTP`.
    pub fn name(self) -> &'static str {
        match self {
            MfaFactor::Sms => "SMS_MFA",
            MfaFactor::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            MfaFactor::Email => "EMAIL_OTP",
        }
    }

    /// A factor by the names clients send: the wire name, and the `EMAIL_MFA`
    /// the API documentation also uses for email.
    pub fn parse(name: &str) -> Option<MfaFactor> {
        match name {
            "SMS_MFA" => Some(MfaFactor::Sms),
            "SOFTWARE_TOKEN_MFA" => Some(MfaFactor::SoftwareToken),
            "EMAIL_OTP" | "EMAIL_MFA" => Some(MfaFactor::Email),
            _ => None,
        }
    }
}

/// `MfaConfiguration`: whether a pool's users sign in with a second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaMode {
    Off,
    Optional,
    On,
}

impl MfaMode {
    pub fn parse(value: &str) -> MfaMode {
        match value {
            "ON" => MfaMode::On,
            "OPTIONAL" => MfaMode::Optional,
            _ => MfaMode::Off,
        }
    }
}

/// The factor members of `SetUserPoolMfaConfig`, as the caller sent them
/// (`SmsMfaConfiguration`, `SoftwareTokenMfaConfiguration`,
/// `EmailMfaConfiguration`, `WebAuthnConfiguration`): a pool's factors are
/// the ones present (software tokens only when `Enabled`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PoolMfaConfig {
    pub members: Map<String, Value>,
}

impl PoolMfaConfig {
    pub fn allows(&self, factor: MfaFactor) -> bool {
        match factor {
            MfaFactor::Sms => self.members.contains_key("SmsMfaConfiguration"),
            MfaFactor::Email => self.members.contains_key("EmailMfaConfiguration"),
            MfaFactor::SoftwareToken => self
                .members
                .get("SoftwareTokenMfaConfiguration")
                .and_then(|c| c.get("Enabled"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }

    /// Whether any second factor is configured (passkeys are not one).
    pub fn any_factor(&self) -> bool {
        MfaFactor::ALL.into_iter().any(|f| self.allows(f))
    }

    /// A member's text, e.g. `SmsMfaConfiguration.SmsAuthenticationMessage`.
    pub fn text(&self, member: &str, field: &str) -> Option<&str> {
        self.members.get(member)?.get(field)?.as_str()
    }
}

/// One factor of a user's `SetUserMFAPreference`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorChoice {
    pub enabled: bool,
    pub preferred: bool,
}

/// What a user enabled and prefers, and the name of its authenticator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MfaPreferences {
    pub sms: FactorChoice,
    pub software_token: FactorChoice,
    pub email: FactorChoice,
    /// `VerifySoftwareToken`'s `FriendlyDeviceName`.
    pub token_name: Option<String>,
}

impl MfaPreferences {
    pub fn choice(&self, factor: MfaFactor) -> FactorChoice {
        match factor {
            MfaFactor::Sms => self.sms,
            MfaFactor::SoftwareToken => self.software_token,
            MfaFactor::Email => self.email,
        }
    }

    pub fn choice_mut(&mut self, factor: MfaFactor) -> &mut FactorChoice {
        match factor {
            MfaFactor::Sms => &mut self.sms,
            MfaFactor::SoftwareToken => &mut self.software_token,
            MfaFactor::Email => &mut self.email,
        }
    }

    /// `UserMFASettingList`: the enabled factors.
    pub fn enabled(&self) -> Vec<MfaFactor> {
        MfaFactor::ALL
            .into_iter()
            .filter(|f| self.choice(*f).enabled)
            .collect()
    }

    /// `PreferredMfaSetting`.
    pub fn preferred(&self) -> Option<MfaFactor> {
        MfaFactor::ALL
            .into_iter()
            .find(|f| self.choice(*f).enabled && self.choice(*f).preferred)
    }
}

/// A user's second factors as stored: preferences and software tokens, the
/// secrets sealed (AES-GCM under the key-encryption key, bound to the user).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserMfa {
    pub preferences: MfaPreferences,
    /// The verified software token's sealed secret.
    #[serde(with = "sealed_bytes", skip_serializing_if = "Option::is_none")]
    pub software_token: Option<Vec<u8>>,
    /// A secret `AssociateSoftwareToken` handed out, sealed, until verified.
    #[serde(with = "sealed_bytes", skip_serializing_if = "Option::is_none")]
    pub pending_software_token: Option<Vec<u8>>,
}

/// Sealed bytes in the JSON column, as base64.
mod sealed_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(bytes) => s.serialize_str(&STANDARD.encode(bytes)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| STANDARD.decode(text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pool_factors_are_the_configured_members() {
        let config = PoolMfaConfig {
            members: json!({
                "SmsMfaConfiguration": {"SmsAuthenticationMessage": "{####}"},
                "SoftwareTokenMfaConfiguration": {"Enabled": false},
            })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        };
        assert!(config.allows(MfaFactor::Sms));
        assert!(!config.allows(MfaFactor::SoftwareToken));
        assert!(!config.allows(MfaFactor::Email));
        assert!(config.any_factor());
        assert!(!PoolMfaConfig::default().any_factor());
    }

    #[test]
    fn preferences_list_enabled_factors_and_the_preferred_one() {
        let mut p = MfaPreferences::default();
        p.choice_mut(MfaFactor::SoftwareToken).enabled = true;
        p.choice_mut(MfaFactor::Email).enabled = true;
        p.choice_mut(MfaFactor::Email).preferred = true;
        assert_eq!(p.enabled(), [MfaFactor::SoftwareToken, MfaFactor::Email]);
        assert_eq!(p.preferred(), Some(MfaFactor::Email));
        for f in MfaFactor::ALL {
            assert_eq!(MfaFactor::parse(f.name()), Some(f));
        }
        assert_eq!(MfaFactor::parse("EMAIL_MFA"), Some(MfaFactor::Email));
    }
}
