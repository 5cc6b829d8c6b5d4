//! Tokens: each pool's signing keys (created on first use, sealed at rest,
//! rotatable), the JWKS, issuing ID / access / refresh tokens with Cognito's
//! claims, and authenticating an access token.
//!
//! - [`keys`]: `SigningKeys` — the keys and the cache of opened ones.
//! - [`issue`]: `TokenIssuer` — signing tokens and starting token families.
//! - [`verify`]: the caller behind an access token.

pub mod issue;
pub mod keys;
pub mod verify;

pub use issue::TokenIssuer;
pub use verify::Authenticated;

use crate::domain::token::TokenFamily;

/// The scope of tokens from the native API.
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

pub struct TokenSet {
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    /// `NewDeviceMetadata`: the device a pool that tracks devices gave a
    /// sign-in from a device it did not know.
    pub new_device: Option<NewDevice>,
}

/// A device key handed out with a sign-in, for `ConfirmDevice`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub key: String,
    pub group_key: String,
}

/// The sign-in a token belongs to: a new one (on a device, in a pool that
/// tracks devices), or the family being refreshed.
pub(crate) enum Family {
    New { device_key: Option<String> },
    Existing(TokenFamily),
}

/// 32 random bytes, base64url: opaque to clients, stored only as a keyed hash.
pub(crate) fn new_refresh_token() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tessera_crypto::random::bytes::<32>())
}
