//! Identity pools, the cognito-identity half of Cognito: a pool's settings,
//! its identities, and the provider logins linked to them. An identity is
//! found again by any of its logins (provider and subject), so the same user
//! always gets the same identity id.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::ids::{IdentityId, IdentityPoolId};

/// An identity pool and everything set on it (roles, role mappings,
/// principal-tag maps and tags are stored with it, as one record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityPool {
    pub id: IdentityPoolId,
    pub name: String,
    pub created: Timestamp,
    pub allow_unauthenticated: bool,
    /// The basic (classic) flow: GetOpenIdToken and then STS by the app.
    pub allow_classic_flow: bool,
    /// Social providers (`graph.facebook.com`, …) and their app ids.
    pub supported_login_providers: BTreeMap<String, String>,
    /// Set once; developer-authenticated identities are keyed by it.
    pub developer_provider_name: Option<String>,
    pub open_id_connect_provider_arns: Vec<String>,
    pub cognito_identity_providers: Vec<CognitoProvider>,
    pub saml_provider_arns: Vec<String>,
    pub tags: BTreeMap<String, String>,
    /// `authenticated` / `unauthenticated` → role ARN.
    pub roles: BTreeMap<String, String>,
    /// Provider identifier → its role mapping.
    pub role_mappings: BTreeMap<String, RoleMapping>,
    /// Provider name → how its claims become principal tags.
    pub principal_tags: BTreeMap<String, PrincipalTagMap>,
    /// How many times the record was replaced: an update is stored only if
    /// no other replaced it since it was read (the store keeps the count).
    #[serde(skip)]
    pub version: u64,
}

/// A user pool app client whose ID tokens the identity pool accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CognitoProvider {
    /// `cognito-idp.{region}.amazonaws.com/{userPoolId}`.
    pub provider_name: String,
    pub client_id: String,
    /// Refuse tokens of a sign-in that was since signed out or revoked.
    pub server_side_token_check: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoleMappingType {
    Token,
    Rules,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AmbiguousRoleResolution {
    AuthenticatedRole,
    Deny,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchType {
    Equals,
    Contains,
    StartsWith,
    NotEqual,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingRule {
    pub claim: String,
    pub match_type: MatchType,
    pub value: String,
    pub role_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleMapping {
    pub kind: RoleMappingType,
    pub ambiguous: Option<AmbiguousRoleResolution>,
    /// In order: the first rule that matches chooses the role.
    pub rules: Vec<MappingRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrincipalTagMap {
    /// Adds the default tags (`client` ← `aud`, `username` ← `sub`).
    pub use_defaults: bool,
    /// Tag key → the claim its value is read from.
    pub tags: BTreeMap<String, String>,
}

/// One provider's user linked to an identity: unique within a pool.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IdentityLogin {
    /// The provider's canonical name (`cognito-idp.{region}.amazonaws.com/{poolId}`,
    /// `accounts.google.com`, an OIDC issuer host, the developer provider name).
    pub provider: String,
    /// The user at that provider (a token's `sub`, a developer user id).
    pub subject: String,
}

/// An identity: unauthenticated while it has no logins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub pool_id: IdentityPoolId,
    pub id: IdentityId,
    pub created: Timestamp,
    pub modified: Timestamp,
    /// Ordered by provider, then subject.
    pub logins: Vec<IdentityLogin>,
}
