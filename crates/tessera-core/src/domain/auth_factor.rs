//! First factors of choice-based sign-in (`USER_AUTH`): what a pool's
//! `SignInPolicy` allows, and the challenges each one is answered with.

use serde_json::Value;

use super::pool::UserPool;

/// Cognito's `AuthFactorType` values that start a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFactor {
    /// A password, typed (`PASSWORD`) or proven by SRP (`PASSWORD_SRP`).
    Password,
    EmailOtp,
    SmsOtp,
    WebAuthn,
}

impl AuthFactor {
    pub const ALL: [AuthFactor; 4] = [
        AuthFactor::Password,
        AuthFactor::EmailOtp,
        AuthFactor::SmsOtp,
        AuthFactor::WebAuthn,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AuthFactor::Password => "PASSWORD",
            AuthFactor::EmailOtp => "EMAIL_OTP",
            AuthFactor::SmsOtp => "SMS_OTP",
            AuthFactor::WebAuthn => "WEB_AUTHN",
        }
    }

    /// `SOFTWARE_TOKEN` is an `AuthFactorType` too, but only ever a second factor.
    pub fn parse(name: &str) -> Option<AuthFactor> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Factors that sign in without a password.
    pub fn passwordless(self) -> bool {
        self != AuthFactor::Password
    }
}

impl UserPool {
    /// `Policies.SignInPolicy.AllowedFirstAuthFactors`; a pool that sets none
    /// signs in with passwords only, as Cognito's default policy says.
    pub fn allowed_first_factors(&self) -> Vec<AuthFactor> {
        let listed: Option<Vec<AuthFactor>> = self
            .settings
            .get("Policies")
            .and_then(|p| p.get("SignInPolicy"))
            .and_then(|p| p.get("AllowedFirstAuthFactors"))
            .and_then(Value::as_array)
            .map(|names| {
                AuthFactor::ALL
                    .into_iter()
                    .filter(|f| names.iter().any(|n| n.as_str() == Some(f.name())))
                    .collect()
            });
        listed.unwrap_or_else(|| vec![AuthFactor::Password])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_software_tokens_are_no_first_factor() {
        for f in AuthFactor::ALL {
            assert_eq!(AuthFactor::parse(f.name()), Some(f));
        }
        assert_eq!(AuthFactor::parse("SOFTWARE_TOKEN"), None);
        assert!(!AuthFactor::Password.passwordless());
        assert!(AuthFactor::WebAuthn.passwordless());
    }
}
