//! A bearer token checked as a resource server in front of an app would:
//! an ID or access token of one of this server's pools, signed by that
//! pool's key for its kind, unexpired, and — for a user's token — of a
//! sign-in not revoked, by a user still enabled. Machine tokens
//! (`client_credentials`) have no sign-in; their client must still exist.

use serde_json::{Map, Value};

use crate::domain::signing_key::KeyPurpose;
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::services::Services;
use crate::store::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenUse {
    Access,
    Id,
}

impl TokenUse {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenUse::Access => "access",
            TokenUse::Id => "id",
        }
    }
}

/// Who a valid bearer token speaks for.
#[derive(Debug, Clone)]
pub struct Bearer {
    pub pool_id: UserPoolId,
    pub token_use: TokenUse,
    /// The user's `sub`, or a machine token's client id.
    pub sub: String,
    /// The user's username; `None` for a machine token.
    pub username: Option<String>,
    /// The client the token was issued to (`client_id`, or an ID token's `aud`).
    pub client_id: ClientId,
    /// An access token's scopes (none for an ID token).
    pub scopes: Vec<String>,
    pub groups: Vec<String>,
}

/// Why a bearer token is refused (the edge says it as RFC 6750's
/// `invalid_token`, with this as the description).
fn invalid(why: &str) -> Error {
    Error::NotAuthorized(why.to_owned())
}

impl Services {
    pub async fn verify_bearer(&self, token: &str) -> Result<Bearer> {
        let unverified = super::verify::unverified_claims(token)
            .ok_or_else(|| invalid("The token is not a JWT."))?;
        let token_use = match unverified.get("token_use").and_then(Value::as_str) {
            Some("access") => TokenUse::Access,
            Some("id") => TokenUse::Id,
            _ => return Err(invalid("The token is neither an ID nor an access token.")),
        };
        let purpose = match token_use {
            TokenUse::Access => KeyPurpose::AccessToken,
            TokenUse::Id => KeyPurpose::IdToken,
        };
        let claims = self
            .claims_signed_for(token, purpose)
            .await
            .map_err(|_| invalid("The token's signature or issuer is not valid."))?;
        let text = |name: &str| claims.get(name).and_then(Value::as_str);
        let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        if exp * 1000 <= self.clock.now().millis() {
            return Err(invalid("The token has expired."));
        }
        let pool_id = text("iss")
            .and_then(|iss| self.tokens.pool_of_issuer(iss))
            .ok_or_else(|| invalid("The token's issuer is not valid."))?;
        let client_id = match token_use {
            TokenUse::Access => text("client_id"),
            TokenUse::Id => text("aud"),
        }
        .map(|c| ClientId::new(c.to_owned()))
        .ok_or_else(|| invalid("The token names no client."))?;
        let sub = text("sub")
            .ok_or_else(|| invalid("The token names no subject."))?
            .to_owned();
        let scopes = text("scope")
            .map(|s| {
                s.split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let groups = strings(&claims, "cognito:groups");
        let Some(origin_jti) = text("origin_jti") else {
            // Only a machine's access token has no sign-in behind it.
            if token_use != TokenUse::Access || sub != client_id.as_str() {
                return Err(invalid("The token names no sign-in."));
            }
            match self.store.get_client(&pool_id, &client_id).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => return Err(invalid("The token's client is gone.")),
                Err(e) => return Err(e.into()),
            }
            return Ok(Bearer {
                pool_id,
                token_use,
                sub,
                username: None,
                client_id,
                scopes,
                groups,
            });
        };
        let (family, user) = match self.store.get_token_family(origin_jti).await {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Err(invalid("The token has been revoked.")),
            Err(e) => return Err(e.into()),
        };
        if family.revoked || family.sub != sub || family.pool_id != pool_id {
            return Err(invalid("The token has been revoked."));
        }
        if !user.enabled {
            return Err(invalid("The user is disabled."));
        }
        Ok(Bearer {
            pool_id,
            token_use,
            sub,
            username: Some(user.username),
            client_id,
            scopes,
            groups,
        })
    }
}

fn strings(claims: &Map<String, Value>, name: &str) -> Vec<String> {
    claims
        .get(name)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
