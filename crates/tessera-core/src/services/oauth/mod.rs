//! The OAuth 2.0 / OpenID Connect provider of a pool's domain: what
//! `/oauth2/authorize`, `/oauth2/token`, `/oauth2/userInfo` and `/logout`
//! decide. The HTTP edge parses and renders; every rule is here.
//!
//! - [`authorize`]: an authorization request checked against its client.
//! - [`codes`]: authorization codes, single use, and what their replay revokes.
//! - [`grants`]: the token endpoint's grants and client authentication.
//! - [`userinfo`]: the claims `/oauth2/userInfo` returns for the token's scopes.
//! - [`browser`]: the signed-in browser session (a sealed cookie).

pub mod authorize;
pub mod browser;
pub mod codes;
pub mod grants;
pub mod userinfo;

use crate::clock::Timestamp;
use crate::error::Result;
use crate::ids::UserPoolId;
use crate::services::Services;

/// The standard scopes Cognito knows besides the resource servers' own.
pub const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// Why an OAuth request is refused, as RFC 6749 names it. The edge turns
/// each into its error response (or redirect) in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuthFault {
    InvalidRequest(String),
    /// The client could not be authenticated (unknown, wrong secret).
    InvalidClient,
    InvalidGrant(String),
    UnauthorizedClient(String),
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    /// `prompt=none` without a signed-in browser.
    LoginRequired,
}

impl std::fmt::Display for OAuthFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OAuthFault::InvalidRequest(m)
            | OAuthFault::InvalidGrant(m)
            | OAuthFault::UnauthorizedClient(m) => f.write_str(m),
            OAuthFault::InvalidClient => f.write_str("invalid_client"),
            OAuthFault::UnsupportedGrantType => f.write_str("unsupported_grant_type"),
            OAuthFault::UnsupportedResponseType => f.write_str("unsupported_response_type"),
            OAuthFault::InvalidScope => f.write_str("invalid_scope"),
            OAuthFault::LoginRequired => f.write_str("login_required"),
        }
    }
}

/// A user who has signed in on the hosted pages (or holds a browser
/// session): who, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub sub: String,
    pub username: String,
    pub auth_time: Timestamp,
}

impl Services {
    /// Where the pool's domain is served: its custom domain if it has one,
    /// else `<prefix>.<base domain>`, with this server's scheme and port.
    pub async fn domain_url(&self, pool: &UserPoolId) -> Result<Option<String>> {
        let (prefix, custom) = self.domain_names(pool).await?;
        let host = match (custom, prefix) {
            (Some(custom), _) => custom,
            (None, Some(prefix)) => format!("{prefix}.{}", self.oauth_base_domain()),
            (None, None) => return Ok(None),
        };
        let public = &self.deployment.public_url;
        let (scheme, rest) = public.split_once("://").unwrap_or(("http", public));
        let authority = rest.split('/').next().unwrap_or(rest);
        let port = authority
            .rsplit_once(':')
            .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
            .map(|(_, p)| format!(":{p}"))
            .unwrap_or_default();
        Ok(Some(format!("{scheme}://{host}{port}")))
    }
}
