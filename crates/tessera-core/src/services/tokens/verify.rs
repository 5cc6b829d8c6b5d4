//! The caller behind an access token: signed by its pool's key, issued here,
//! unexpired, with the native scope, and not revoked — checked in the store,
//! so a revocation on one node holds on every node.

use serde_json::{Map, Value};

use super::ADMIN_SCOPE;
use crate::domain::pool::UserPool;
use crate::domain::signing_key::KeyPurpose;
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::ClientId;
use crate::services::Services;
use crate::store::StoreError;

/// The caller behind a valid access token.
pub struct Authenticated {
    pub pool: UserPool,
    pub user: User,
    pub client_id: ClientId,
    /// The device the sign-in was on (the token's `device_key`).
    pub device_key: Option<String>,
    /// The token's scopes.
    pub scopes: Vec<String>,
    /// The sign-in (token family, token session) the token belongs to.
    pub origin_jti: String,
}

fn invalid_access_token() -> Error {
    Error::NotAuthorized("Invalid Access Token".into())
}

fn revoked() -> Error {
    Error::NotAuthorized("Access Token has been revoked".into())
}

/// The payload of a compact JWS, before its signature is checked (only to
/// find which pool's keys to check it with).
pub(crate) fn unverified_claims(token: &str) -> Option<Map<String, Value>> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.as_bytes())
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

impl Services {
    /// The user behind an access token with the native scope.
    pub async fn authenticate(&self, token: &str) -> Result<Authenticated> {
        self.authenticate_scoped(token, ADMIN_SCOPE).await
    }

    /// The user behind an access token that carries `scope`.
    pub(crate) async fn authenticate_scoped(
        &self,
        token: &str,
        scope: &str,
    ) -> Result<Authenticated> {
        let claims = self.verified_claims(token).await?;
        let text = |name: &str| claims.get(name).and_then(Value::as_str);
        if text("token_use") != Some("access") {
            return Err(invalid_access_token());
        }
        let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        if exp * 1000 <= self.clock.now().millis() {
            return Err(Error::NotAuthorized("Access Token has expired".into()));
        }
        let scopes: Vec<String> = text("scope")
            .unwrap_or("")
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if !scopes.iter().any(|s| s == scope) {
            return Err(Error::NotAuthorized(
                "Access Token does not have required scopes".into(),
            ));
        }
        let origin_jti = text("origin_jti").ok_or_else(invalid_access_token)?;
        let (family, user) = match self.store.get_token_family(origin_jti).await {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Err(revoked()),
            Err(e) => return Err(e.into()),
        };
        if family.revoked || Some(family.sub.as_str()) != text("sub") {
            return Err(revoked());
        }
        let pool = self.pool(&family.pool_id).await?;
        Ok(Authenticated {
            pool,
            user,
            client_id: family.client_id,
            device_key: family.device_key,
            scopes,
            origin_jti: family.origin_jti,
        })
    }

    /// Claims of an access token signed by one of its pool's access-token keys
    /// that can still vouch for a live token, naming this server's issuer for
    /// that pool. Only RS256 is accepted.
    async fn verified_claims(&self, token: &str) -> Result<Map<String, Value>> {
        self.claims_signed_for(token, KeyPurpose::AccessToken).await
    }

    /// As [`verified_claims`](Self::verified_claims), with the pool's keys of `purpose`.
    pub(crate) async fn claims_signed_for(
        &self,
        token: &str,
        purpose: KeyPurpose,
    ) -> Result<Map<String, Value>> {
        let kid = tessera_crypto::jwt::peek_kid(token).map_err(|_| invalid_access_token())?;
        let unverified = unverified_claims(token).ok_or_else(invalid_access_token)?;
        let issuer = unverified
            .get("iss")
            .and_then(Value::as_str)
            .ok_or_else(invalid_access_token)?;
        let pool_id = self
            .tokens
            .pool_of_issuer(issuer)
            .ok_or_else(invalid_access_token)?;
        let keys = self.tokens.keys();
        let mut opened = match keys.opened(&pool_id, false).await {
            Ok(k) => k,
            Err(Error::ResourceNotFound(_)) => return Err(invalid_access_token()),
            Err(e) => return Err(e),
        };
        if !opened.knows(&kid) {
            opened = keys.opened(&pool_id, true).await?;
        }
        let key = opened
            .verifying(&kid, purpose, self.clock.now())
            .ok_or_else(invalid_access_token)?;
        let claims = tessera_crypto::jwt::verify(token, key).map_err(|_| invalid_access_token())?;
        if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
            return Err(invalid_access_token());
        }
        Ok(claims)
    }
}
