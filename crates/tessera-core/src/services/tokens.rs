//! Tokens: each pool's signing keys (created on first use, sealed at rest,
//! rotatable), the JWKS, issuing ID / access / refresh tokens with Cognito's
//! claims, and authenticating an access token.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};
use tessera_crypto::jwt::{PublicKey, SigningKey};

use super::Services;
use super::client_attributes::readable;
use crate::clock::Timestamp;
use crate::domain::client::AppClient;
use crate::domain::pool::UserPool;
use crate::domain::signing_key::{KeyPurpose, SigningKeyRecord};
use crate::domain::token::{RefreshTokenRecord, TokenFamily};
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::store::StoreError;

/// The scope of tokens from the native API.
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";
/// A retired key stays in the JWKS this long: the longest an ID or access token lives.
const RETIRED_KEY_PUBLISHED_SECONDS: i64 = 86_400;
/// How long a node signs with keys it read before looking again (another
/// node may have rotated them).
const KEY_CACHE_SECONDS: i64 = 5;

pub struct TokenSet {
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: i64,
}

/// A pool's keys, opened.
pub(crate) struct PoolKeys {
    loaded: Timestamp,
    id: SigningKey,
    access: SigningKey,
    verifying: HashMap<String, PublicKey>,
}

/// The caller behind a valid access token.
pub struct Authenticated {
    pub pool: UserPool,
    pub user: User,
    pub client_id: ClientId,
}

/// The sign-in a token belongs to: a new one, or the family being refreshed.
pub(crate) enum Family {
    New,
    Existing(TokenFamily),
}

fn key_aad(pool: &UserPoolId, kid: &str) -> Vec<u8> {
    format!("signing-key|{pool}|{kid}").into_bytes()
}

fn seconds_in(
    settings: &Map<String, Value>,
    member: &str,
    unit_member: &str,
    default_unit: &str,
) -> i64 {
    let value = settings.get(member).and_then(Value::as_i64).unwrap_or(60);
    let unit = settings
        .get("TokenValidityUnits")
        .and_then(|u| u.get(unit_member))
        .and_then(Value::as_str)
        .unwrap_or(default_unit);
    let per = match unit {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        _ => 86_400,
    };
    value.saturating_mul(per)
}

/// Lifetimes in seconds of the client's (access, id, refresh) tokens.
pub(crate) fn lifetimes(client: &AppClient) -> (i64, i64, i64) {
    let s = &client.settings;
    (
        seconds_in(s, "AccessTokenValidity", "AccessToken", "minutes"),
        seconds_in(s, "IdTokenValidity", "IdToken", "minutes"),
        seconds_in(s, "RefreshTokenValidity", "RefreshToken", "days"),
    )
}

fn invalid_access_token() -> Error {
    Error::NotAuthorized("Invalid Access Token".into())
}

/// An attribute's value as a claim: Cognito types the verification flags and
/// `updated_at`; everything else (custom attributes included) is a string.
fn claim_value(name: &str, value: &str) -> Value {
    match name {
        "email_verified" | "phone_number_verified" => Value::Bool(value == "true"),
        "updated_at" => value
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(value)),
        _ => Value::from(value),
    }
}

impl Services {
    pub fn issuer(&self, pool: &UserPoolId) -> String {
        format!(
            "{}/{}",
            self.deployment.public_url.trim_end_matches('/'),
            pool
        )
    }

    fn new_key_records(&self, pool: &UserPoolId) -> Result<Vec<SigningKeyRecord>> {
        let now = self.clock.now();
        [KeyPurpose::IdToken, KeyPurpose::AccessToken]
            .into_iter()
            .map(|purpose| {
                let key = SigningKey::generate()
                    .map_err(|e| Error::Internal(format!("generating a signing key: {e:?}")))?;
                Ok(SigningKeyRecord {
                    pool_id: pool.clone(),
                    kid: key.kid().to_owned(),
                    purpose,
                    private_key: self
                        .sealing
                        .seal(&key.to_pkcs8(), &key_aad(pool, key.kid()))?,
                    public_jwk: key.public_key().to_jwk().to_string(),
                    created: now,
                    retired: None,
                })
            })
            .collect()
    }

    /// The pool's keys as stored, creating them on first use.
    async fn stored_keys(&self, pool: &UserPoolId) -> Result<Vec<SigningKeyRecord>> {
        let keys = self.store.signing_keys(pool).await?;
        if !keys.is_empty() {
            return Ok(keys);
        }
        let fresh = self.new_key_records(pool)?;
        Ok(self.store.init_signing_keys(pool, &fresh).await?)
    }

    fn open_keys(&self, pool: &UserPoolId, records: &[SigningKeyRecord]) -> Result<PoolKeys> {
        let active = |purpose: KeyPurpose| -> Result<SigningKey> {
            let record = records
                .iter()
                .rev()
                .find(|r| r.purpose == purpose && r.retired.is_none())
                .ok_or_else(|| Error::Internal("pool has no active signing key".into()))?;
            let der = self
                .sealing
                .open(&record.private_key, &key_aad(pool, &record.kid))?;
            SigningKey::from_pkcs8(&der)
                .map_err(|e| Error::Internal(format!("opening a signing key: {e:?}")))
        };
        let mut verifying = HashMap::new();
        for record in records {
            let jwk: Value = serde_json::from_str(&record.public_jwk)
                .map_err(|e| Error::Internal(e.to_string()))?;
            let key = PublicKey::from_jwk(&jwk)
                .map_err(|e| Error::Internal(format!("reading a public key: {e:?}")))?;
            verifying.insert(record.kid.clone(), key);
        }
        Ok(PoolKeys {
            loaded: self.clock.now(),
            id: active(KeyPurpose::IdToken)?,
            access: active(KeyPurpose::AccessToken)?,
            verifying,
        })
    }

    /// Opened keys, from the cache unless stale or `reload`.
    pub(crate) async fn pool_keys(&self, pool: &UserPoolId, reload: bool) -> Result<Arc<PoolKeys>> {
        let now = self.clock.now();
        if !reload {
            let cache = self.key_cache.read().unwrap_or_else(|p| p.into_inner());
            if let Some(keys) = cache.get(pool)
                && keys.loaded.plus_seconds(KEY_CACHE_SECONDS) > now
            {
                return Ok(keys.clone());
            }
        }
        let records = self.stored_keys(pool).await?;
        let keys = Arc::new(self.open_keys(pool, &records)?);
        self.key_cache
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(pool.clone(), keys.clone());
        Ok(keys)
    }

    /// The pool's JWKS: active keys and those retired too recently for their tokens to have expired.
    pub async fn jwks(&self, pool_id: &UserPoolId) -> Result<Value> {
        self.pool(pool_id).await?;
        let now = self.clock.now();
        let keys: Vec<Value> = self
            .stored_keys(pool_id)
            .await?
            .iter()
            .filter(|r| {
                r.retired
                    .is_none_or(|at| at.plus_seconds(RETIRED_KEY_PUBLISHED_SECONDS) > now)
            })
            .filter_map(|r| serde_json::from_str(&r.public_jwk).ok())
            .collect();
        Ok(json!({ "keys": keys }))
    }

    /// New signing keys for the pool; the old ones stay published until their tokens expire.
    pub async fn rotate_signing_keys(&self, pool_id: &UserPoolId) -> Result<()> {
        self.pool(pool_id).await?;
        self.stored_keys(pool_id).await?;
        let fresh = self.new_key_records(pool_id)?;
        self.store
            .rotate_signing_keys(pool_id, &fresh, self.clock.now())
            .await?;
        self.key_cache
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(pool_id);
        Ok(())
    }

    async fn group_claims(
        &self,
        user: &User,
    ) -> Result<(Vec<String>, Vec<String>, Option<String>)> {
        let mut groups = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .store
                .list_groups_for_user(
                    &user.pool_id,
                    &user.sub,
                    &crate::store::PageRequest {
                        after: token,
                        limit: super::MAX_PAGE,
                    },
                )
                .await?;
            groups.extend(page.items);
            match page.next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        let names = groups.iter().map(|g| g.name.as_str().to_owned()).collect();
        let roles: Vec<String> = groups.iter().filter_map(|g| g.role_arn.clone()).collect();
        let preferred = groups
            .iter()
            .filter(|g| g.role_arn.is_some())
            .min_by_key(|g| g.precedence.unwrap_or(i64::MAX))
            .and_then(|g| g.role_arn.clone());
        Ok((names, roles, preferred))
    }

    /// Issues ID and access tokens, and for a new sign-in a refresh token and
    /// its family.
    pub(crate) async fn issue_tokens(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        family: Family,
    ) -> Result<TokenSet> {
        let now = self.clock.now();
        let (access_life, id_life, refresh_life) = lifetimes(client);
        let (family, new_refresh) = match family {
            Family::Existing(f) => (f, None),
            Family::New => {
                let family = TokenFamily {
                    origin_jti: uuid::Uuid::new_v4().to_string(),
                    pool_id: pool.id.clone(),
                    sub: user.sub.clone(),
                    client_id: client.id.clone(),
                    auth_time: now,
                    expires: now.plus_seconds(refresh_life),
                    revoked: false,
                };
                let token = new_refresh_token();
                let record = RefreshTokenRecord {
                    token_hash: self.refresh_token_hash(&token),
                    origin_jti: family.origin_jti.clone(),
                    created: now,
                    superseded: None,
                };
                (family, Some((token, record)))
            }
        };
        // The family's durable commit runs while the tokens are signed; nothing is
        // handed out before it succeeds.
        let recorded = async {
            match &new_refresh {
                Some((_, record)) => self.store.create_token_family(&family, record).await,
                None => Ok(()),
            }
        };
        let (recorded, signed) = tokio::join!(
            recorded,
            self.signed_tokens(pool, client, user, &family, now, (access_life, id_life))
        );
        recorded?;
        Ok(TokenSet {
            refresh_token: new_refresh.map(|(token, _)| token),
            ..signed?
        })
    }

    /// Signed ID and access tokens for a sign-in of `family` (no refresh token),
    /// valid for `(access, id)` seconds.
    async fn signed_tokens(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        family: &TokenFamily,
        now: Timestamp,
        (access_life, id_life): (i64, i64),
    ) -> Result<TokenSet> {
        let keys = self.pool_keys(&pool.id, false).await?;
        let (groups, roles, preferred_role) = self.group_claims(user).await?;
        let iat = now.millis() / 1000;
        let auth_time = family.auth_time.millis() / 1000;
        let event_id = uuid::Uuid::new_v4().to_string();
        let issuer = self.issuer(&pool.id);

        let mut id = Map::new();
        id.insert("sub".into(), json!(user.sub));
        if !groups.is_empty() {
            id.insert("cognito:groups".into(), json!(groups));
        }
        if !roles.is_empty() {
            id.insert("cognito:roles".into(), json!(roles));
        }
        if let Some(role) = &preferred_role {
            id.insert("cognito:preferred_role".into(), json!(role));
        }
        for (name, value) in readable(client, user) {
            if name != "sub" {
                id.insert(name.clone(), claim_value(name, value));
            }
        }
        id.insert("iss".into(), json!(issuer));
        id.insert("cognito:username".into(), json!(user.username));
        id.insert("origin_jti".into(), json!(family.origin_jti));
        id.insert("aud".into(), json!(client.id));
        id.insert("event_id".into(), json!(event_id));
        id.insert("token_use".into(), json!("id"));
        id.insert("auth_time".into(), json!(auth_time));
        id.insert("exp".into(), json!(iat + id_life));
        id.insert("iat".into(), json!(iat));
        id.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));

        let mut access = Map::new();
        access.insert("sub".into(), json!(user.sub));
        if !groups.is_empty() {
            access.insert("cognito:groups".into(), json!(groups));
        }
        access.insert("iss".into(), json!(issuer));
        access.insert("client_id".into(), json!(client.id));
        access.insert("origin_jti".into(), json!(family.origin_jti));
        access.insert("event_id".into(), json!(event_id));
        access.insert("token_use".into(), json!("access"));
        access.insert("scope".into(), json!(ADMIN_SCOPE));
        access.insert("auth_time".into(), json!(auth_time));
        access.insert("exp".into(), json!(iat + access_life));
        access.insert("iat".into(), json!(iat));
        access.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
        access.insert("username".into(), json!(user.username));

        let sign = |key: &SigningKey, claims: &Map<String, Value>| {
            key.sign(claims)
                .map_err(|e| Error::Internal(format!("signing a token: {e:?}")))
        };
        Ok(TokenSet {
            id_token: sign(&keys.id, &id)?,
            access_token: sign(&keys.access, &access)?,
            refresh_token: None,
            expires_in: access_life,
        })
    }

    pub(crate) fn refresh_token_hash(&self, token: &str) -> Vec<u8> {
        self.sealing
            .keyed_hash("refresh-token", token.as_bytes())
            .to_vec()
    }

    /// The user behind an access token: signed by the pool's key, issued here,
    /// unexpired, with the native scope, and not revoked.
    pub async fn authenticate(&self, token: &str) -> Result<Authenticated> {
        let claims = self.verified_claims(token).await?;
        let text = |name: &str| claims.get(name).and_then(Value::as_str);
        if text("token_use") != Some("access") {
            return Err(invalid_access_token());
        }
        let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        if exp * 1000 <= self.clock.now().millis() {
            return Err(Error::NotAuthorized("Access Token has expired".into()));
        }
        if !text("scope").is_some_and(|s| s.split(' ').any(|s| s == ADMIN_SCOPE)) {
            return Err(Error::NotAuthorized(
                "Access Token does not have required scopes".into(),
            ));
        }
        let origin_jti = text("origin_jti").ok_or_else(invalid_access_token)?;
        let (family, user) = match self.store.get_token_family(origin_jti).await {
            Ok(found) => found,
            Err(StoreError::NotFound) => {
                return Err(Error::NotAuthorized("Access Token has been revoked".into()));
            }
            Err(e) => return Err(e.into()),
        };
        if family.revoked || Some(family.sub.as_str()) != text("sub") {
            return Err(Error::NotAuthorized("Access Token has been revoked".into()));
        }
        let pool = self.pool(&family.pool_id).await?;
        Ok(Authenticated {
            pool,
            user,
            client_id: family.client_id,
        })
    }

    /// Claims of a token signed by one of a pool's keys and naming this
    /// server's issuer for that pool. Only RS256 is accepted.
    async fn verified_claims(&self, token: &str) -> Result<Map<String, Value>> {
        let kid = tessera_crypto::jwt::peek_kid(token).map_err(|_| invalid_access_token())?;
        let unverified = unverified_claims(token).ok_or_else(invalid_access_token)?;
        let issuer = unverified
            .get("iss")
            .and_then(Value::as_str)
            .ok_or_else(invalid_access_token)?;
        let prefix = format!("{}/", self.deployment.public_url.trim_end_matches('/'));
        let pool_id = issuer
            .strip_prefix(&prefix)
            .filter(|id| !id.is_empty() && !id.contains('/'))
            .map(UserPoolId::new)
            .ok_or_else(invalid_access_token)?;
        let mut keys = match self.pool_keys(&pool_id, false).await {
            Ok(k) => k,
            Err(Error::ResourceNotFound(_)) => return Err(invalid_access_token()),
            Err(e) => return Err(e),
        };
        if !keys.verifying.contains_key(&kid) {
            keys = self.pool_keys(&pool_id, true).await?;
        }
        let key = keys.verifying.get(&kid).ok_or_else(invalid_access_token)?;
        let claims = tessera_crypto::jwt::verify(token, key).map_err(|_| invalid_access_token())?;
        if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
            return Err(invalid_access_token());
        }
        Ok(claims)
    }
}

/// The payload of a compact JWS, before its signature is checked (only to
/// find which pool's keys to check it with).
fn unverified_claims(token: &str) -> Option<Map<String, Value>> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.as_bytes())
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// 32 random bytes, base64url: opaque to clients, stored only as a keyed hash.
pub(crate) fn new_refresh_token() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tessera_crypto::random::bytes::<32>())
}
