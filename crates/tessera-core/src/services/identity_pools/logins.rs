//! Checking a `Logins` map (provider → token), as Cognito checks each kind:
//! a user pool's ID token (signature, issuer, audience among the identity
//! pool's clients, `token_use`, expiry, and — with `ServerSideTokenCheck` —
//! a sign-in not signed out or revoked); an OpenID Connect provider's ID
//! token against the provider's published keys; the identity service's own
//! OpenID token of a developer-authenticated identity. Every login names a
//! provider user: the identity is found again by it.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};
use tessera_crypto::jwt::PublicKey;

use super::pools::user_pool_of_provider;
use super::{DEVELOPER_LOGIN_KEY, FetchedKeys};
use crate::credential_source::OidcKeysError;
use crate::domain::identity_pool::{IdentityLogin, IdentityPool};
use crate::domain::signing_key::KeyPurpose;
use crate::error::{Error, Result};
use crate::ids::{IdentityId, UserPoolId};
use crate::services::Services;
use crate::store::StoreError;

/// How long fetched OIDC provider keys are used before fetching again.
const OIDC_KEYS_SECONDS: i64 = 600;
/// A token naming a key the cache lacks refetches at most this often.
const OIDC_REFETCH_SECONDS: i64 = 30;
/// Social providers whose logins are OpenID Connect ID tokens.
const OIDC_SOCIAL: &[&str] = &["accounts.google.com", "appleid.apple.com"];

/// One login of a `Logins` map, checked.
#[derive(Debug, Clone)]
pub(crate) struct VerifiedLogin {
    /// The provider user the login names (the provider's canonical name).
    pub login: IdentityLogin,
    /// The token's claims (role rules and principal tags read them).
    pub claims: Map<String, Value>,
    /// The key of the provider's role mapping: `{provider}:{clientId}` for a
    /// user pool, the provider's name otherwise.
    pub mapping_key: String,
    /// What the OpenID token's `amr` says of it, after `authenticated`.
    pub amr: Vec<String>,
    /// A developer OpenID token's identity: the login is that identity's.
    pub identity: Option<IdentityId>,
}

fn invalid(why: &str) -> Error {
    Error::NotAuthorized(format!("Invalid login token. {why}"))
}

fn unsupported_provider() -> Error {
    Error::NotAuthorized("Token is not from a supported provider of this identity pool.".into())
}

fn text<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

impl Services {
    /// Checks every login of the map; the first refusal is the answer.
    pub(crate) async fn verify_logins(
        &self,
        pool: &IdentityPool,
        logins: &BTreeMap<String, String>,
    ) -> Result<Vec<VerifiedLogin>> {
        let mut verified = Vec::with_capacity(logins.len());
        for (key, token) in logins {
            verified.push(self.verify_login(pool, key, token).await?);
        }
        Ok(verified)
    }

    async fn verify_login(
        &self,
        pool: &IdentityPool,
        key: &str,
        token: &str,
    ) -> Result<VerifiedLogin> {
        if key == DEVELOPER_LOGIN_KEY {
            return self.verify_developer_token(pool, token).await;
        }
        if let Some(user_pool) = self.user_pool_of_login_key(key) {
            return self.verify_user_pool_token(pool, &user_pool, token).await;
        }
        if OIDC_SOCIAL.contains(&key) {
            let audiences: Vec<&str> = pool
                .supported_login_providers
                .get(key)
                .ok_or_else(unsupported_provider)?
                .split(',')
                .map(str::trim)
                .collect();
            return self.verify_oidc_token(key, token, &audiences).await;
        }
        if pool.open_id_connect_provider_arns.iter().any(|arn| {
            arn.rsplit_once(":oidc-provider/")
                .is_some_and(|(_, host)| host == key)
        }) {
            let client_ids = self.identity.oidc.client_ids(key);
            if client_ids.is_empty() {
                tracing::warn!(
                    provider = key,
                    "an OpenID Connect login refused: [identity_pools.oidc_client_ids] lists no client id for its provider"
                );
                return Err(invalid("Incorrect token audience."));
            }
            let client_ids: Vec<&str> = client_ids.iter().map(String::as_str).collect();
            return self.verify_oidc_token(key, token, &client_ids).await;
        }
        if pool.supported_login_providers.contains_key(key)
            || pool.saml_provider_arns.iter().any(|a| a == key)
        {
            return Err(Error::NotAuthorized(format!(
                "Tessera does not check {key} logins: only user-pool, OpenID Connect and developer logins are supported."
            )));
        }
        Err(unsupported_provider())
    }

    /// The user pool a login key names: `cognito-idp.{region}.amazonaws.com/{poolId}`,
    /// or the pool's own issuer without its scheme (what Amplify sends).
    pub(crate) fn user_pool_of_login_key(&self, key: &str) -> Option<UserPoolId> {
        if let Some((_, pool)) = user_pool_of_provider(key) {
            return Some(UserPoolId::new(pool));
        }
        ["https://", "http://"]
            .iter()
            .find_map(|scheme| self.tokens.pool_of_issuer(&format!("{scheme}{key}")))
    }

    async fn verify_user_pool_token(
        &self,
        pool: &IdentityPool,
        user_pool: &UserPoolId,
        token: &str,
    ) -> Result<VerifiedLogin> {
        let provider = format!(
            "cognito-idp.{}.amazonaws.com/{user_pool}",
            user_pool.region()
        );
        let configured: Vec<_> = pool
            .cognito_identity_providers
            .iter()
            .filter(|p| p.provider_name == provider)
            .collect();
        if configured.is_empty() {
            return Err(unsupported_provider());
        }
        // An access token (no `aud`) is the common mistake; Cognito names it.
        let unverified = crate::services::tokens::verify::unverified_claims(token)
            .ok_or_else(|| invalid("Couldn't verify signed token."))?;
        if !unverified.contains_key("aud") {
            return Err(invalid("Missing a required claim: aud"));
        }
        let claims = self
            .claims_signed_for(token, KeyPurpose::IdToken)
            .await
            .map_err(|_| invalid("Couldn't verify signed token."))?;
        if text(&claims, "iss") != Some(self.tokens.issuer(user_pool).as_str()) {
            return Err(invalid("Issuer doesn't match providerName"));
        }
        if text(&claims, "token_use") != Some("id") {
            return Err(invalid("Not a valid OpenId Connect identity token."));
        }
        self.check_expiry(&claims)?;
        let audience = text(&claims, "aud").unwrap_or_default();
        let client = configured
            .iter()
            .find(|p| p.client_id == audience)
            .ok_or_else(|| invalid("Incorrect token audience."))?;
        let sub = text(&claims, "sub")
            .ok_or_else(|| invalid("Not a valid OpenId Connect identity token."))?
            .to_owned();
        if client.server_side_token_check {
            let origin = text(&claims, "origin_jti").unwrap_or_default();
            let live = match self.store.get_token_family(origin).await {
                Ok((family, user)) => !family.revoked && family.sub == sub && user.enabled,
                Err(StoreError::NotFound) => false,
                Err(e) => return Err(e.into()),
            };
            if !live {
                return Err(invalid("Token has been revoked."));
            }
        }
        Ok(VerifiedLogin {
            amr: vec![provider.clone(), format!("{provider}:CognitoSignIn:{sub}")],
            mapping_key: format!("{provider}:{audience}"),
            login: IdentityLogin {
                provider,
                subject: sub,
            },
            claims,
            identity: None,
        })
    }

    fn check_expiry(&self, claims: &Map<String, Value>) -> Result<()> {
        let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        let now = self.clock.now().millis() / 1000;
        if exp <= now {
            return Err(invalid(&format!("Token expired: {now} >= {exp}")));
        }
        Ok(())
    }

    /// The identity service's own token of a developer-authenticated
    /// identity: signed by its key, for this pool, unexpired, and saying it
    /// was issued for the pool's developer provider — a guest's OpenID token
    /// (`amr` `unauthenticated`) or one issued for another login is no
    /// developer login.
    async fn verify_developer_token(
        &self,
        pool: &IdentityPool,
        token: &str,
    ) -> Result<VerifiedLogin> {
        let claims = self
            .identity
            .keys
            .verify(token)
            .await?
            .ok_or_else(|| invalid("Couldn't verify signed token."))?;
        if text(&claims, "iss") != Some(self.identity.issuer()) {
            return Err(invalid("Issuer doesn't match providerName"));
        }
        if text(&claims, "aud") != Some(pool.id.as_str()) {
            return Err(invalid("Incorrect token audience."));
        }
        self.check_expiry(&claims)?;
        let amr: Vec<String> = claims
            .get("amr")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let developer = pool.developer_provider_name.as_deref();
        if amr.first().map(String::as_str) != Some("authenticated")
            || developer.is_none()
            || amr.get(1).map(String::as_str) != developer
        {
            return Err(invalid("Not a developer-authenticated identity's token."));
        }
        let identity = text(&claims, "sub")
            .ok_or_else(|| invalid("Not a valid OpenId Connect identity token."))?
            .to_owned();
        Ok(VerifiedLogin {
            amr: amr[1..].to_vec(),
            mapping_key: DEVELOPER_LOGIN_KEY.to_owned(),
            login: IdentityLogin {
                provider: DEVELOPER_LOGIN_KEY.to_owned(),
                subject: identity.clone(),
            },
            identity: Some(IdentityId::new(identity)),
            claims,
        })
    }

    /// An OpenID Connect provider's ID token: signed by a key its JWKS
    /// publishes, issued by it, unexpired, and for one of `audiences` (a
    /// social provider's app ids in the identity pool, a generic provider's
    /// client ids in the configuration).
    async fn verify_oidc_token(
        &self,
        host: &str,
        token: &str,
        audiences: &[&str],
    ) -> Result<VerifiedLogin> {
        let kid = tessera_crypto::jwt::peek_kid(token)
            .map_err(|_| invalid("Not a valid OpenId Connect identity token."))?;
        let mut keys = self.oidc_keys(host, false).await?;
        if find_key(&keys.jwks, &kid).is_none() {
            keys = self.oidc_keys(host, true).await?;
        }
        let key =
            find_key(&keys.jwks, &kid).ok_or_else(|| invalid("Couldn't verify signed token."))?;
        let claims = tessera_crypto::jwt::verify(token, &key)
            .map_err(|_| invalid("Couldn't verify signed token."))?;
        if text(&claims, "iss") != Some(keys.issuer.as_str()) {
            return Err(invalid("Issuer doesn't match providerName"));
        }
        self.check_expiry(&claims)?;
        let audience = match claims.get("aud") {
            Some(Value::String(a)) => vec![a.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !audience.iter().any(|a| audiences.contains(a)) {
            return Err(invalid("Incorrect token audience."));
        }
        let sub = text(&claims, "sub")
            .ok_or_else(|| invalid("Not a valid OpenId Connect identity token."))?
            .to_owned();
        Ok(VerifiedLogin {
            amr: vec![
                host.to_owned(),
                format!(
                    "{host}:{}:{sub}",
                    audience.first().copied().unwrap_or_default()
                ),
            ],
            mapping_key: host.to_owned(),
            login: IdentityLogin {
                provider: host.to_owned(),
                subject: sub,
            },
            claims,
            identity: None,
        })
    }

    /// The provider's keys, cached; `refetch` (a key id the cache lacks)
    /// fetches again unless that was done moments ago.
    async fn oidc_keys(&self, host: &str, refetch: bool) -> Result<Arc<FetchedKeys>> {
        let now = self.clock.now();
        let cached = self
            .identity
            .oidc_cache
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(host)
            .cloned();
        if let Some(keys) = cached {
            let fresh_for = if refetch {
                OIDC_REFETCH_SECONDS
            } else {
                OIDC_KEYS_SECONDS
            };
            if keys.fetched.plus_seconds(fresh_for) > now {
                return Ok(keys);
            }
        }
        let unavailable =
            || Error::ExternalService(format!("{host} did not answer with its keys."));
        let failed = self
            .identity
            .oidc_failures
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(host)
            .copied();
        if failed.is_some_and(|at| at.plus_seconds(OIDC_REFETCH_SECONDS) > now) {
            return Err(unavailable());
        }
        let (issuer, jwks) = self.identity.oidc.jwks(host).await.map_err(|e| match e {
            OidcKeysError::UnknownIssuer => unsupported_provider(),
            OidcKeysError::Unavailable(cause) => {
                tracing::warn!(provider = host, %cause, "fetching an OpenID Connect provider's keys");
                self.identity
                    .oidc_failures
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(host.to_owned(), now);
                unavailable()
            }
        })?;
        let keys = Arc::new(FetchedKeys {
            fetched: now,
            issuer,
            jwks,
        });
        self.identity
            .oidc_cache
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(host.to_owned(), keys.clone());
        Ok(keys)
    }
}

fn find_key(jwks: &Value, kid: &str) -> Option<PublicKey> {
    jwks.get("keys")?
        .as_array()?
        .iter()
        .filter(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
        .find_map(|k| PublicKey::from_jwk(k).ok())
}
