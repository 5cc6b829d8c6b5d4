//! A pool's token-signing keys: one for ID tokens and one for access tokens,
//! as in Cognito. A rotated-out key stays published until its tokens expire.

use crate::clock::Timestamp;
use crate::ids::UserPoolId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPurpose {
    IdToken,
    AccessToken,
}

impl KeyPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyPurpose::IdToken => "id",
            KeyPurpose::AccessToken => "access",
        }
    }

    pub fn parse(s: &str) -> Option<KeyPurpose> {
        match s {
            "id" => Some(KeyPurpose::IdToken),
            "access" => Some(KeyPurpose::AccessToken),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SigningKeyRecord {
    pub pool_id: UserPoolId,
    pub kid: String,
    pub purpose: KeyPurpose,
    /// The sealed PKCS#8 private key.
    pub private_key: Vec<u8>,
    /// The public key as a JWK (JSON text).
    pub public_jwk: String,
    pub created: Timestamp,
    /// When a rotation replaced it; it no longer signs from then on.
    pub retired: Option<Timestamp>,
}
