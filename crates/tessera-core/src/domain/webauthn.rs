//! Passkeys (WebAuthn): what a pool's `WebAuthnConfiguration` asks, a user's
//! registered credentials as stored (public keys only), and the refusals
//! Cognito names for them.

use serde_json::{Map, Value};

use crate::clock::Timestamp;
use crate::ids::UserPoolId;

/// `WebAuthnConfiguration.UserVerification`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserVerification {
    Required,
    Preferred,
}

impl UserVerification {
    pub fn parse(value: &str) -> Option<UserVerification> {
        match value {
            "required" => Some(UserVerification::Required),
            "preferred" => Some(UserVerification::Preferred),
            _ => None,
        }
    }
}

/// A pool's `WebAuthnConfiguration` as SetUserPoolMfaConfig stored it. Cognito
/// defaults `UserVerification` to `preferred` and the relying party to the
/// pool's domain, so both may be absent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WebAuthnSettings {
    pub relying_party_id: Option<String>,
    pub user_verification: Option<UserVerification>,
}

impl WebAuthnSettings {
    pub fn of(settings: &Map<String, Value>) -> WebAuthnSettings {
        let config = settings.get("WebAuthnConfiguration");
        let text = |name: &str| config.and_then(|c| c.get(name)).and_then(Value::as_str);
        WebAuthnSettings {
            relying_party_id: text("RelyingPartyId").map(str::to_owned),
            user_verification: text("UserVerification").and_then(UserVerification::parse),
        }
    }

    pub fn user_verification(&self) -> UserVerification {
        self.user_verification
            .unwrap_or(UserVerification::Preferred)
    }
}

/// Whether `id` can be a relying-party id: a host name (WebAuthn's RP id is
/// a domain, with no scheme, port or path).
pub fn valid_relying_party_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// A registered passkey of a user. `credential` is the WebAuthn library's own
/// record of it (credential id, COSE public key, sign counter, flags): no
/// private key exists on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passkey {
    pub pool_id: UserPoolId,
    /// The owner's sub.
    pub sub: String,
    /// The credential id, base64url without padding (as `rawId` travels).
    pub credential_id: String,
    /// `FriendlyCredentialName`.
    pub name: String,
    pub relying_party_id: String,
    /// `platform` or `cross-platform`, when the browser said.
    pub attachment: Option<String>,
    pub transports: Vec<String>,
    /// The library's serialized credential (JSON).
    pub credential: String,
    pub created: Timestamp,
    pub last_used: Option<Timestamp>,
    /// The challenge of the last assertion accepted, so the same assertion
    /// cannot be presented twice even by an authenticator without a counter.
    pub last_challenge: Option<String>,
}

/// A registration StartWebAuthnRegistration began and
/// CompleteWebAuthnRegistration finishes: one per user, kept server-side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyRegistration {
    pub pool_id: UserPoolId,
    pub sub: String,
    /// The app client of the access token that started it.
    pub client_id: String,
    /// The library's registration state (JSON: challenge, policy, excluded ids).
    pub state: String,
    pub expires: Timestamp,
}

/// Why a passkey operation was refused, as Cognito names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebAuthnFault {
    NotEnabled,
    ConfigurationMissing,
    RelyingPartyMismatch,
    OriginNotAllowed,
    ChallengeNotFound,
    CredentialNotSupported,
    ClientMismatch,
}

impl WebAuthnFault {
    /// The error type (`__type`).
    pub fn error_type(self) -> &'static str {
        match self {
            WebAuthnFault::NotEnabled => "WebAuthnNotEnabledException",
            WebAuthnFault::ConfigurationMissing => "WebAuthnConfigurationMissingException",
            WebAuthnFault::RelyingPartyMismatch => "WebAuthnRelyingPartyMismatchException",
            WebAuthnFault::OriginNotAllowed => "WebAuthnOriginNotAllowedException",
            WebAuthnFault::ChallengeNotFound => "WebAuthnChallengeNotFoundException",
            WebAuthnFault::CredentialNotSupported => "WebAuthnCredentialNotSupportedException",
            WebAuthnFault::ClientMismatch => "WebAuthnClientMismatchException",
        }
    }
}

impl std::fmt::Display for WebAuthnFault {
    /// The service model's description of each exception.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            WebAuthnFault::NotEnabled => "Passkey sign-in is not enabled for the user pool.",
            WebAuthnFault::ConfigurationMissing => {
                "The user pool has no relying party id and no domain."
            }
            WebAuthnFault::RelyingPartyMismatch => {
                "The passkey credential is for a different relying party id than the user pool's."
            }
            WebAuthnFault::OriginNotAllowed => {
                "The passkey credential's origin does not match the user pool's relying party id."
            }
            WebAuthnFault::ChallengeNotFound => "The passkey registration challenge has expired.",
            WebAuthnFault::CredentialNotSupported => {
                "The passkey credential is from an unsupported device or provider."
            }
            WebAuthnFault::ClientMismatch => {
                "The access token is for a different client than the one that started the registration."
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn relying_party_ids_are_host_names() {
        for good in ["localhost", "auth.example.com", "my-app.example"] {
            assert!(valid_relying_party_id(good), "{good}");
        }
        for bad in [
            "",
            "https://example.com",
            "example.com:443",
            "a..b",
            "-a.com",
            "a/b",
        ] {
            assert!(!valid_relying_party_id(bad), "{bad}");
        }
    }

    #[test]
    fn settings_default_to_preferred_verification() {
        let settings = json!({"WebAuthnConfiguration": {"RelyingPartyId": "auth.example.com"}});
        let w = WebAuthnSettings::of(settings.as_object().expect("object"));
        assert_eq!(w.relying_party_id.as_deref(), Some("auth.example.com"));
        assert_eq!(w.user_verification(), UserVerification::Preferred);
        let settings = json!({"WebAuthnConfiguration": {"UserVerification": "required"}});
        let w = WebAuthnSettings::of(settings.as_object().expect("object"));
        assert_eq!(w.relying_party_id, None);
        assert_eq!(w.user_verification(), UserVerification::Required);
    }
}
