//! What the OAuth side of a pool keeps: its domains, its configuration
//! documents, and the authorization codes it has handed out.

use serde_json::Value;

use crate::clock::Timestamp;
use crate::ids::UserPoolId;

/// The kinds of configuration a pool keeps as whole documents, each
/// described back as it was written: resource servers (by identifier), UI
/// customization (by client id, or `ALL`), managed-login branding and terms
/// documents (by their ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    ResourceServer,
    UiCustomization,
    ManagedLoginBranding,
    Terms,
    /// A risk configuration, keyed by client id (or `ALL` for the pool's).
    RiskConfiguration,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::ResourceServer => "resource-server",
            DocumentKind::UiCustomization => "ui-customization",
            DocumentKind::ManagedLoginBranding => "managed-login-branding",
            DocumentKind::Terms => "terms",
            DocumentKind::RiskConfiguration => "risk-configuration",
        }
    }
}

/// How a document is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentWrite {
    /// A new key: `Conflict::Document` if it exists.
    Create,
    /// An existing key: `NotFound` if it does not.
    Replace,
    /// Either.
    Upsert,
}

/// A pool's domain: a prefix (`myapp`, served as `myapp.<base domain>`) or a
/// custom domain (`auth.example.com`). Domains are unique across pools.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolDomain {
    /// The prefix or the custom domain, lowercase.
    pub domain: String,
    pub pool_id: UserPoolId,
    /// Whether `domain` is a custom domain rather than a prefix.
    pub custom: bool,
    /// What Cognito describes besides the name (`CustomDomainConfig`,
    /// `ManagedLoginVersion`, …).
    pub settings: Value,
}

/// An authorization code as stored: a keyed hash of the code, and the grant
/// it stands for, sealed by the core (user, client, redirect URI, scopes,
/// PKCE challenge, nonce) and opaque to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCode {
    pub code_hash: Vec<u8>,
    pub pool_id: UserPoolId,
    pub expires: Timestamp,
    pub grant: Vec<u8>,
}

/// What redeeming a code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// First redemption: the grant, now bound to the token family `family`.
    Granted(AuthorizationCode),
    /// The code was redeemed before, for the token family named here, which
    /// the caller revokes (RFC 6749 §4.1.2). The code is marked replayed, so
    /// a first redemption still creating that family revokes it too.
    Replayed { family: String },
}
