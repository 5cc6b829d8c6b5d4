//! Identity pools (the `cognito-identity` API): pools and their roles,
//! identities and the logins that find them again, the identity service's
//! OpenID tokens, and AWS credentials through a `CredentialSource`.
//!
//! - [`pools`]: creating, describing, updating, listing and tagging identity pools.
//! - [`roles`]: roles, role mappings and principal-tag maps, and choosing a role.
//! - [`logins`]: checking a `Logins` map: user-pool ID tokens, OIDC and developer logins.
//! - [`identities`]: GetId, the identity operations and developer identities.
//! - [`credentials`]: OpenID tokens (basic flow) and AWS credentials (enhanced flow).
//! - [`keys`]: the identity service's signing keys.

pub mod credentials;
pub mod identities;
pub mod keys;
pub mod logins;
pub mod pools;
pub mod roles;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde_json::Value;
use tessera_crypto::seal::SealingKey;

use crate::clock::{Clock, Timestamp};
use crate::credential_source::{CredentialSource, OidcKeys};
use crate::error::Error;
use crate::ids::{IdentityId, IdentityPoolId};
use crate::store::Store;
use keys::IdentityKeys;

/// The provider key of developer-authenticated identities' OpenID tokens in
/// a `Logins` map.
pub const DEVELOPER_LOGIN_KEY: &str = "cognito-identity.amazonaws.com";

/// An OIDC provider's keys, as last fetched.
struct FetchedKeys {
    fetched: Timestamp,
    issuer: String,
    jwks: Value,
}

pub struct IdentityService {
    keys: IdentityKeys,
    issuer: String,
    credentials: Arc<dyn CredentialSource>,
    oidc: Arc<dyn OidcKeys>,
    oidc_cache: RwLock<HashMap<String, Arc<FetchedKeys>>>,
    /// When each provider's keys last failed to come: unsigned calls name
    /// providers, so a provider that is down is not asked again at once.
    oidc_failures: RwLock<HashMap<String, Timestamp>>,
}

impl IdentityService {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        sealing: Arc<SealingKey>,
        public_url: &str,
        credentials: Arc<dyn CredentialSource>,
        oidc: Arc<dyn OidcKeys>,
    ) -> Self {
        Self {
            keys: IdentityKeys::new(store, clock, sealing),
            issuer: format!("{}/cognito-identity", public_url.trim_end_matches('/')),
            credentials,
            oidc,
            oidc_cache: RwLock::default(),
            oidc_failures: RwLock::default(),
        }
    }

    /// The `iss` of the identity service's OpenID tokens.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
}

pub(crate) fn pool_not_found(id: &IdentityPoolId) -> Error {
    Error::ResourceNotFound(format!("IdentityPool '{id}' not found."))
}

pub(crate) fn identity_not_found(id: &IdentityId) -> Error {
    Error::ResourceNotFound(format!("Identity '{id}' not found."))
}

/// `NotAuthorizedException` for a `Logins` map that does not prove the identity.
pub(crate) fn logins_do_not_match() -> Error {
    Error::NotAuthorized(
        "Logins don't match. Please include at least one valid login for this identity or identity pool."
            .into(),
    )
}

impl crate::services::Services {
    /// The identity service's JWKS.
    pub async fn identity_jwks(&self) -> crate::error::Result<Value> {
        self.identity.keys.jwks().await
    }

    /// The identity service's OpenID Connect discovery document.
    pub fn identity_openid_configuration(&self) -> Value {
        let issuer = self.identity.issuer();
        serde_json::json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks_uri"),
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "amr", "https://aws.amazon.com/tags"],
        })
    }

    /// New identity-service keys; running nodes switch within seconds, and
    /// tokens signed by the old ones verify until they expire.
    pub async fn rotate_identity_signing_keys(&self) -> crate::error::Result<()> {
        self.identity.keys.rotate().await
    }
}
