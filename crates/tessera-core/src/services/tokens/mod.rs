//! Tokens: each pool's signing keys (created on first use, sealed at rest,
//! rotatable), the JWKS, issuing ID / access / refresh tokens with Cognito's
//! claims, and authenticating an access token.
//!
//! - [`keys`]: `SigningKeys` — the keys and the cache of opened ones.
//! - [`issue`]: `TokenIssuer` — signing tokens and starting token families.
//! - [`verify`]: the caller behind an access token.
//! - [`bearer`]: any ID or access token, checked as a resource server checks it.

pub mod bearer;
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
    /// The sign-in (token family) the tokens belong to.
    pub origin_jti: String,
    /// `NewDeviceMetadata`: the device a pool that tracks devices gave a
    /// sign-in from a device it did not know.
    pub new_device: Option<NewDevice>,
}

/// What the user's groups put in its tokens: names (`cognito:groups`), role
/// ARNs (`cognito:roles`) and the role of the group with the lowest
/// precedence (`cognito:preferred_role`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupClaims {
    pub names: Vec<String>,
    pub roles: Vec<String>,
    pub preferred_role: Option<String>,
}

/// Claims a token gets beyond Cognito's, and Cognito's it goes without.
#[derive(Debug, Clone, Default)]
pub struct ClaimChanges {
    pub add: serde_json::Map<String, serde_json::Value>,
    pub suppress: Vec<String>,
}

/// What a PreTokenGeneration trigger changed.
#[derive(Debug, Clone, Default)]
pub struct Customization {
    /// Groups in place of the user's.
    pub groups: Option<GroupClaims>,
    pub id: ClaimChanges,
    pub access: ClaimChanges,
    pub scopes_add: Vec<String>,
    pub scopes_suppress: Vec<String>,
}

/// The longest token a trigger's claims may produce. Tokens travel in
/// `Authorization` headers and cookies; 8 KiB is what common proxies take
/// in one header line (nginx's `large_client_header_buffers`, API Gateway's
/// 10 KiB for all headers together), so a longer one would be refused after
/// the sign-in instead of at it.
pub(crate) const MAX_CUSTOMIZED_TOKEN_CHARS: usize = 8192;

impl Customization {
    /// Whether a trigger changed anything the tokens hold.
    pub(crate) fn changes_tokens(&self) -> bool {
        self.groups.is_some()
            || [&self.id, &self.access]
                .iter()
                .any(|c| !c.add.is_empty() || !c.suppress.is_empty())
            || !self.scopes_add.is_empty()
            || !self.scopes_suppress.is_empty()
    }
}

/// A device key handed out with a sign-in, for `ConfirmDevice`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub key: String,
    pub group_key: String,
}

/// The sign-in a token belongs to: a new one (on a device, in a pool that
/// tracks devices; through OAuth, with what was granted), or the family
/// being refreshed.
pub(crate) enum Family {
    New {
        device_key: Option<String>,
        oauth: Option<OAuthGrant>,
    },
    Existing(TokenFamily),
}

impl Family {
    /// The scopes the sign-in's access tokens carry.
    pub(crate) fn scopes(&self) -> Vec<String> {
        let granted = match self {
            Family::New { oauth, .. } => oauth.as_ref().map(|g| g.scopes.join(" ")),
            Family::Existing(family) => family.scopes.clone(),
        };
        match granted {
            Some(scopes) => scopes.split(' ').map(str::to_owned).collect(),
            None => vec![ADMIN_SCOPE.to_owned()],
        }
    }
}

/// What an OAuth sign-in was granted, for its first tokens.
#[derive(Debug, Clone)]
pub(crate) struct OAuthGrant {
    /// The family's name, chosen before the code is redeemed so a replay
    /// can name what to revoke.
    pub origin_jti: String,
    pub scopes: Vec<String>,
    /// The authorization request's `nonce`, for the ID token.
    pub nonce: Option<String>,
    /// When the user signed in (the browser session's time).
    pub auth_time: crate::clock::Timestamp,
}

/// 32 random bytes, base64url: opaque to clients, stored only as a keyed hash.
pub(crate) fn new_refresh_token() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tessera_crypto::random::bytes::<32>())
}
