//! Challenges, typed: the names Cognito gives them, what the server asks in
//! each one it issues, and the answers it accepts.

use std::collections::BTreeMap;

use super::missing;
use crate::domain::mfa::MfaFactor;
use crate::error::{Error, Result};
use crate::services::codes::CodeDelivery;

/// Every challenge name of Cognito's `ChallengeNameType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeName {
    SmsMfa,
    EmailOtp,
    SoftwareTokenMfa,
    SelectMfaType,
    MfaSetup,
    PasswordVerifier,
    CustomChallenge,
    SelectChallenge,
    DeviceSrpAuth,
    DevicePasswordVerifier,
    AdminNoSrpAuth,
    NewPasswordRequired,
    SmsOtp,
    Password,
    WebAuthn,
    PasswordSrp,
}

impl ChallengeName {
    const ALL: [ChallengeName; 16] = [
        ChallengeName::SmsMfa,
        ChallengeName::EmailOtp,
        ChallengeName::SoftwareTokenMfa,
        ChallengeName::SelectMfaType,
        ChallengeName::MfaSetup,
        ChallengeName::PasswordVerifier,
        ChallengeName::CustomChallenge,
        ChallengeName::SelectChallenge,
        ChallengeName::DeviceSrpAuth,
        ChallengeName::DevicePasswordVerifier,
        ChallengeName::AdminNoSrpAuth,
        ChallengeName::NewPasswordRequired,
        ChallengeName::SmsOtp,
        ChallengeName::Password,
        ChallengeName::WebAuthn,
        ChallengeName::PasswordSrp,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChallengeName::SmsMfa => "SMS_MFA",
            ChallengeName::EmailOtp => "EMAIL_OTP",
            ChallengeName::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            ChallengeName::SelectMfaType => "SELECT_MFA_TYPE",
            ChallengeName::MfaSetup => "MFA_SETUP",
            ChallengeName::PasswordVerifier => "PASSWORD_VERIFIER",
            ChallengeName::CustomChallenge => "CUSTOM_CHALLENGE",
            ChallengeName::SelectChallenge => "SELECT_CHALLENGE",
            ChallengeName::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            ChallengeName::DevicePasswordVerifier => "DEVICE_PASSWORD_VERIFIER",
            ChallengeName::AdminNoSrpAuth => "ADMIN_NO_SRP_AUTH",
            ChallengeName::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            ChallengeName::SmsOtp => "SMS_OTP",
            ChallengeName::Password => "PASSWORD",
            ChallengeName::WebAuthn => "WEB_AUTHN",
            ChallengeName::PasswordSrp => "PASSWORD_SRP",
        }
    }

    pub fn parse(name: &str) -> Option<ChallengeName> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// A challenge the server issues, with what it tells the client. The edge
/// writes it as Cognito's `ChallengeName` and `ChallengeParameters`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// The second half of SRP.
    PasswordVerifier {
        /// Hex.
        salt: String,
        /// Hex.
        srp_b: String,
        /// The sealed sign-in session, standard base64: clients sign its bytes.
        secret_block: String,
        /// The internal username SRP's x is computed over.
        user_id_for_srp: String,
    },
    /// A user with a temporary password must choose a new one.
    NewPasswordRequired {
        user_id_for_srp: String,
        /// The user's attributes other than `sub`.
        user_attributes: BTreeMap<String, String>,
        /// Required attributes the user lacks.
        required_attributes: Vec<String>,
    },
    /// A code from the user's authenticator app.
    SoftwareTokenMfa {
        user_id_for_srp: String,
        friendly_device_name: Option<String>,
    },
    /// A code sent by SMS or email (`SMS_MFA`, `EMAIL_OTP`).
    CodeMfa {
        factor: MfaFactor,
        user_id_for_srp: String,
        delivery: CodeDelivery,
    },
    SelectMfaType {
        user_id_for_srp: String,
        choices: Vec<MfaFactor>,
    },
    /// MFA is required and the user has no factor: set one up first.
    MfaSetup {
        user_id_for_srp: String,
        can_set_up: Vec<MfaFactor>,
    },
    /// The client's confirmed device proves itself next, with SRP.
    DeviceSrpAuth { user_id_for_srp: String },
    /// A challenge the pool's CreateAuthChallenge trigger wrote: its
    /// `publicChallengeParameters`.
    Custom {
        username: String,
        parameters: BTreeMap<String, String>,
    },
    /// A passkey signs in: the `PublicKeyCredentialRequestOptionsJSON` the
    /// browser's `navigator.credentials.get` takes, as a JSON string.
    WebAuthn { options_json: String },
    /// USER_AUTH without a preference the user can meet: the first factors
    /// on offer (`AvailableChallenges`).
    SelectChallenge { available: Vec<ChallengeName> },
    /// A passwordless sign-in code sent by email or SMS (`EMAIL_OTP`, `SMS_OTP`).
    SignInCode {
        factor: MfaFactor,
        user_id_for_srp: String,
        delivery: CodeDelivery,
    },
    /// Device SRP's second half.
    DevicePasswordVerifier {
        /// Hex.
        salt: String,
        /// Hex.
        srp_b: String,
        /// The sealed sign-in session, standard base64.
        secret_block: String,
        user_id_for_srp: String,
        device_key: String,
    },
}

impl Challenge {
    pub fn name(&self) -> ChallengeName {
        match self {
            Challenge::PasswordVerifier { .. } => ChallengeName::PasswordVerifier,
            Challenge::NewPasswordRequired { .. } => ChallengeName::NewPasswordRequired,
            Challenge::SoftwareTokenMfa { .. } => ChallengeName::SoftwareTokenMfa,
            Challenge::CodeMfa {
                factor: MfaFactor::Email,
                ..
            } => ChallengeName::EmailOtp,
            Challenge::CodeMfa { .. } => ChallengeName::SmsMfa,
            Challenge::SelectMfaType { .. } => ChallengeName::SelectMfaType,
            Challenge::MfaSetup { .. } => ChallengeName::MfaSetup,
            Challenge::DeviceSrpAuth { .. } => ChallengeName::DeviceSrpAuth,
            Challenge::Custom { .. } => ChallengeName::CustomChallenge,
            Challenge::DevicePasswordVerifier { .. } => ChallengeName::DevicePasswordVerifier,
            Challenge::SelectChallenge { .. } => ChallengeName::SelectChallenge,
            Challenge::WebAuthn { .. } => ChallengeName::WebAuthn,
            Challenge::SignInCode {
                factor: MfaFactor::Sms,
                ..
            } => ChallengeName::SmsOtp,
            Challenge::SignInCode { .. } => ChallengeName::EmailOtp,
        }
    }
}

/// An answer to a challenge, parsed from `ChallengeResponses`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChallengeResponse {
    PasswordVerifier {
        username: String,
        secret_block: String,
        signature: String,
        timestamp: String,
    },
    NewPassword {
        /// The name the client typed, when it sends one (for SECRET_HASH).
        username: Option<String>,
        new_password: String,
        /// `userAttributes.<name>` members.
        attributes: Vec<(String, String)>,
    },
    /// The code of a `SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `EMAIL_OTP` or `SMS_OTP` challenge.
    MfaCode {
        challenge: ChallengeName,
        username: Option<String>,
        code: String,
    },
    SelectMfaType {
        username: Option<String>,
        answer: String,
    },
    MfaSetup {
        username: Option<String>,
    },
    DeviceSrpAuth {
        username: String,
        device_key: String,
        srp_a: String,
    },
    /// SELECT_CHALLENGE's choice, with what the chosen factor needs to
    /// start: a `PASSWORD`, or `SRP_A` for `PASSWORD_SRP`.
    SelectChallenge {
        username: Option<String>,
        answer: String,
        password: Option<String>,
        srp_a: Option<String>,
    },
    /// A passkey's assertion: the `AuthenticationResponseJSON` as a string.
    WebAuthn {
        username: Option<String>,
        credential: String,
    },
    /// The answer to a CUSTOM_CHALLENGE, for VerifyAuthChallengeResponse.
    Custom {
        username: String,
        answer: String,
    },
    DevicePasswordVerifier {
        username: String,
        device_key: String,
        secret_block: String,
        signature: String,
        timestamp: String,
    },
}

impl ChallengeResponse {
    /// The challenge this answers.
    pub fn name(&self) -> ChallengeName {
        match self {
            ChallengeResponse::PasswordVerifier { .. } => ChallengeName::PasswordVerifier,
            ChallengeResponse::NewPassword { .. } => ChallengeName::NewPasswordRequired,
            ChallengeResponse::MfaCode { challenge, .. } => *challenge,
            ChallengeResponse::SelectMfaType { .. } => ChallengeName::SelectMfaType,
            ChallengeResponse::MfaSetup { .. } => ChallengeName::MfaSetup,
            ChallengeResponse::DeviceSrpAuth { .. } => ChallengeName::DeviceSrpAuth,
            ChallengeResponse::Custom { .. } => ChallengeName::CustomChallenge,
            ChallengeResponse::SelectChallenge { .. } => ChallengeName::SelectChallenge,
            ChallengeResponse::WebAuthn { .. } => ChallengeName::WebAuthn,
            ChallengeResponse::DevicePasswordVerifier { .. } => {
                ChallengeName::DevicePasswordVerifier
            }
        }
    }
}

/// A challenge answer with the members every answer may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeAnswer {
    pub response: ChallengeResponse,
    pub secret_hash: Option<String>,
    /// The device the client signs in on (clients repeat it in every answer).
    pub device_key: Option<String>,
}

impl ChallengeAnswer {
    /// Reads the responses to `name`; names no flow issues are refused.
    pub fn parse(name: &str, r: &BTreeMap<String, String>) -> Result<ChallengeAnswer> {
        let get = |key: &str| r.get(key).cloned().ok_or_else(|| missing(key));
        let response = match ChallengeName::parse(name) {
            Some(ChallengeName::PasswordVerifier) => ChallengeResponse::PasswordVerifier {
                username: get("USERNAME")?,
                secret_block: get("PASSWORD_CLAIM_SECRET_BLOCK")?,
                signature: get("PASSWORD_CLAIM_SIGNATURE")?,
                timestamp: get("TIMESTAMP")?,
            },
            Some(ChallengeName::NewPasswordRequired) => ChallengeResponse::NewPassword {
                username: r.get("USERNAME").cloned(),
                new_password: get("NEW_PASSWORD")?,
                attributes: r
                    .iter()
                    .filter_map(|(k, v)| {
                        k.strip_prefix("userAttributes.")
                            .map(|name| (name.to_owned(), v.clone()))
                    })
                    .collect(),
            },
            Some(c @ ChallengeName::SoftwareTokenMfa) => ChallengeResponse::MfaCode {
                challenge: c,
                username: r.get("USERNAME").cloned(),
                code: get("SOFTWARE_TOKEN_MFA_CODE")?,
            },
            Some(c @ ChallengeName::SmsMfa) => ChallengeResponse::MfaCode {
                challenge: c,
                username: r.get("USERNAME").cloned(),
                code: get("SMS_MFA_CODE")?,
            },
            // The API documentation also names the code EMAIL_MFA_CODE.
            Some(c @ ChallengeName::EmailOtp) => ChallengeResponse::MfaCode {
                challenge: c,
                username: r.get("USERNAME").cloned(),
                code: get("EMAIL_OTP_CODE").or_else(|_| get("EMAIL_MFA_CODE"))?,
            },
            Some(c @ ChallengeName::SmsOtp) => ChallengeResponse::MfaCode {
                challenge: c,
                username: r.get("USERNAME").cloned(),
                code: get("SMS_OTP_CODE")?,
            },
            Some(ChallengeName::WebAuthn) => ChallengeResponse::WebAuthn {
                username: r.get("USERNAME").cloned(),
                credential: get("CREDENTIAL")?,
            },
            Some(ChallengeName::SelectChallenge) => ChallengeResponse::SelectChallenge {
                username: r.get("USERNAME").cloned(),
                answer: get("ANSWER")?,
                password: r.get("PASSWORD").cloned(),
                srp_a: r.get("SRP_A").cloned(),
            },
            // The factor's own name answers SELECT_CHALLENGE as its ANSWER does.
            Some(c @ (ChallengeName::Password | ChallengeName::PasswordSrp)) => {
                ChallengeResponse::SelectChallenge {
                    username: r.get("USERNAME").cloned(),
                    answer: c.as_str().to_owned(),
                    password: r.get("PASSWORD").cloned(),
                    srp_a: r.get("SRP_A").cloned(),
                }
            }
            Some(ChallengeName::SelectMfaType) => ChallengeResponse::SelectMfaType {
                username: r.get("USERNAME").cloned(),
                answer: get("ANSWER")?,
            },
            Some(ChallengeName::MfaSetup) => ChallengeResponse::MfaSetup {
                username: r.get("USERNAME").cloned(),
            },
            Some(ChallengeName::DeviceSrpAuth) => ChallengeResponse::DeviceSrpAuth {
                username: get("USERNAME")?,
                device_key: get("DEVICE_KEY")?,
                srp_a: get("SRP_A")?,
            },
            Some(ChallengeName::DevicePasswordVerifier) => {
                ChallengeResponse::DevicePasswordVerifier {
                    username: get("USERNAME")?,
                    device_key: get("DEVICE_KEY")?,
                    secret_block: get("PASSWORD_CLAIM_SECRET_BLOCK")?,
                    signature: get("PASSWORD_CLAIM_SIGNATURE")?,
                    timestamp: get("TIMESTAMP")?,
                }
            }
            Some(ChallengeName::CustomChallenge) => ChallengeResponse::Custom {
                username: get("USERNAME")?,
                answer: get("ANSWER")?,
            },
            Some(ChallengeName::AdminNoSrpAuth) | None => {
                return Err(Error::InvalidParameter(format!(
                    "The challenge {name} is not one this flow issued."
                )));
            }
        };
        Ok(ChallengeAnswer {
            response,
            secret_hash: r.get("SECRET_HASH").cloned(),
            device_key: r.get("DEVICE_KEY").cloned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn names_round_trip() {
        for name in ChallengeName::ALL {
            assert_eq!(ChallengeName::parse(name.as_str()), Some(name));
        }
    }

    #[test]
    fn answers_parse_into_their_members() {
        let a = ChallengeAnswer::parse(
            "NEW_PASSWORD_REQUIRED",
            &map(&[
                ("NEW_PASSWORD", "pw"),
                ("userAttributes.name", "Jane"),
                ("SECRET_HASH", "h"),
            ]),
        )
        .expect("parses");
        assert_eq!(
            a,
            ChallengeAnswer {
                response: ChallengeResponse::NewPassword {
                    username: None,
                    new_password: "pw".into(),
                    attributes: vec![("name".into(), "Jane".into())],
                },
                secret_hash: Some("h".into()),
                device_key: None,
            }
        );
    }

    #[test]
    fn missing_members_and_unknown_challenges_are_refused() {
        let e = ChallengeAnswer::parse("PASSWORD_VERIFIER", &map(&[("USERNAME", "u")]));
        assert!(
            matches!(e, Err(Error::InvalidParameter(m)) if m == "Missing required parameter PASSWORD_CLAIM_SECRET_BLOCK")
        );
        let e = ChallengeAnswer::parse("WEB_AUTHN", &map(&[("USERNAME", "u")]));
        assert!(
            matches!(e, Err(Error::InvalidParameter(m)) if m == "Missing required parameter CREDENTIAL")
        );
        assert!(matches!(
            ChallengeAnswer::parse("ADMIN_NO_SRP_AUTH", &BTreeMap::new()),
            Err(Error::InvalidParameter(_))
        ));
    }
}
