//! `TokenIssuer`: signs ID and access tokens with Cognito's claims and starts
//! the token family (and first refresh token) of each new sign-in.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use tessera_crypto::jwt::SigningKey;
use tessera_crypto::seal::SealingKey;

use super::keys::SigningKeys;
use super::{
    ADMIN_SCOPE, ClaimChanges, Customization, Family, GroupClaims, MAX_CUSTOMIZED_TOKEN_CHARS,
    TokenSet, new_refresh_token,
};
use crate::clock::{Clock, Timestamp};
use crate::domain::client::AppClient;
use crate::domain::client_policy::ClientPolicy;
use crate::domain::pool::UserPool;
use crate::domain::session::{PoolSessionConfig, SessionActivity};
use crate::domain::token::{RefreshTokenRecord, TokenFamily};
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::services::MAX_PAGE;
use crate::services::client_context::ClientContext;
use crate::store::{PageRequest, Store};

pub struct TokenIssuer {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sealing: Arc<SealingKey>,
    keys: SigningKeys,
    /// The public URL without a trailing slash; issuers are `{base}/{poolId}`.
    base: String,
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

/// Whose tokens, of which sign-in, issued when, with what a trigger changed.
struct Grant<'a> {
    user: &'a User,
    family: &'a TokenFamily,
    now: Timestamp,
    customization: &'a Customization,
    /// The authorization request's nonce, for an OAuth sign-in's first ID token.
    nonce: Option<&'a str>,
}

impl TokenIssuer {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        sealing: Arc<SealingKey>,
        public_url: &str,
    ) -> Self {
        Self {
            keys: SigningKeys::new(store.clone(), clock.clone(), sealing.clone()),
            store,
            clock,
            sealing,
            base: public_url.trim_end_matches('/').to_owned(),
        }
    }

    pub(crate) fn keys(&self) -> &SigningKeys {
        &self.keys
    }

    pub fn issuer(&self, pool: &UserPoolId) -> String {
        format!("{}/{}", self.base, pool)
    }

    /// The pool id an issuer names, if it is one of this server's.
    pub(crate) fn pool_of_issuer(&self, issuer: &str) -> Option<UserPoolId> {
        issuer
            .strip_prefix(&self.base)
            .and_then(|rest| rest.strip_prefix('/'))
            .filter(|id| !id.is_empty() && !id.contains('/'))
            .map(UserPoolId::new)
    }

    pub(crate) fn refresh_token_hash(&self, token: &str) -> Vec<u8> {
        self.sealing
            .keyed_hash("refresh-token", token.as_bytes())
            .to_vec()
    }

    pub(crate) async fn group_claims(&self, user: &User) -> Result<GroupClaims> {
        let mut groups = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .store
                .list_groups_for_user(
                    &user.pool_id,
                    &user.sub,
                    &PageRequest {
                        after,
                        limit: MAX_PAGE,
                    },
                )
                .await?;
            groups.extend(page.items);
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        Ok(GroupClaims {
            names: groups.iter().map(|g| g.name.as_str().to_owned()).collect(),
            roles: groups.iter().filter_map(|g| g.role_arn.clone()).collect(),
            preferred_role: groups
                .iter()
                .filter(|g| g.role_arn.is_some())
                .min_by_key(|g| g.precedence.unwrap_or(i64::MAX))
                .and_then(|g| g.role_arn.clone()),
        })
    }

    /// Issues ID and access tokens, and for a new sign-in a refresh token and
    /// its family.
    ///
    /// The request's address and User-Agent are the token session's latest
    /// use: kept with a new family, and recorded by a refresh in a pool that
    /// tracks sessions, where a new sign-in beyond `MaxPerUser` also evicts
    /// the user's least recently used session.
    pub(crate) async fn issue(
        &self,
        ctx: &ClientContext,
        user: &User,
        family: Family,
        customization: &Customization,
    ) -> Result<TokenSet> {
        let (pool, client, policy) = (&ctx.pool, &ctx.client, &ctx.policy);
        let now = self.clock.now();
        let activity = SessionActivity::new(
            now,
            ctx.ip.map(|ip| ip.to_string()),
            ctx.user_agent.as_deref(),
        );
        let sessions = PoolSessionConfig::of(&pool.settings);
        let (family, new_refresh, nonce) = match family {
            Family::Existing(f) => (f, None, None),
            Family::New { device_key, oauth } => {
                let (origin_jti, scopes, nonce, auth_time) = match oauth {
                    Some(grant) => (
                        grant.origin_jti,
                        Some(grant.scopes.join(" ")),
                        grant.nonce,
                        grant.auth_time,
                    ),
                    None => (uuid::Uuid::new_v4().to_string(), None, None, now),
                };
                let family = TokenFamily {
                    origin_jti,
                    pool_id: pool.id.clone(),
                    sub: user.sub.clone(),
                    client_id: client.id.clone(),
                    auth_time,
                    expires: now.plus_seconds(policy.lifetimes.refresh),
                    revoked: false,
                    device_key,
                    scopes,
                    activity: activity.clone(),
                };
                let token = new_refresh_token();
                let record = RefreshTokenRecord {
                    token_hash: self.refresh_token_hash(&token),
                    origin_jti: family.origin_jti.clone(),
                    created: now,
                    superseded: None,
                };
                (family, Some((token, record)), nonce)
            }
        };
        // The family's durable commit runs while the tokens are signed; nothing is
        // handed out before it succeeds. A trigger's claims can make the
        // tokens too long, so then they are signed first and no family is
        // left behind by a refusal.
        let recorded = async {
            match &new_refresh {
                Some((_, record)) => self.store.create_token_family(&family, record).await,
                None if sessions.tracking => {
                    self.store
                        .record_token_activity(&family.origin_jti, &activity)
                        .await
                }
                None => Ok(()),
            }
        };
        let signed = self.signed(
            pool,
            client,
            policy,
            Grant {
                user,
                family: &family,
                now,
                customization,
                nonce: nonce.as_deref(),
            },
        );
        let (recorded, signed) = if customization.changes_tokens() {
            let signed = signed.await?;
            (recorded.await, signed)
        } else {
            let (recorded, signed) = tokio::join!(recorded, signed);
            (recorded, signed?)
        };
        recorded?;
        if new_refresh.is_some() && sessions.tracking {
            let keep = usize::try_from(sessions.max_per_user).unwrap_or(usize::MAX);
            self.store
                .evict_token_sessions(&pool.id, &user.sub, keep, now)
                .await?;
        }
        Ok(TokenSet {
            refresh_token: new_refresh.map(|(token, _)| token),
            ..signed
        })
    }

    /// A machine's access token (`client_credentials`): the client is its
    /// subject, its scopes the resource servers' it was granted; no user,
    /// no family, no refresh token.
    pub(crate) async fn issue_client_token(
        &self,
        pool: &UserPool,
        client: &AppClient,
        policy: &ClientPolicy,
        granted: &[String],
        customization: &Customization,
    ) -> Result<String> {
        let keys = self.keys.opened(&pool.id, false).await?;
        let iat = self.clock.now().millis() / 1000;
        let mut access = Map::new();
        access.insert("sub".into(), json!(client.id));
        access.insert("token_use".into(), json!("access"));
        access.insert(
            "scope".into(),
            json!(scopes(Some(&granted.join(" ")), customization)),
        );
        access.insert("auth_time".into(), json!(iat));
        access.insert("iss".into(), json!(self.issuer(&pool.id)));
        access.insert("exp".into(), json!(iat + policy.lifetimes.access));
        access.insert("iat".into(), json!(iat));
        access.insert("version".into(), json!(2));
        access.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
        access.insert("client_id".into(), json!(client.id));
        apply(&mut access, &customization.access);
        let token = keys
            .access
            .sign(&access)
            .map_err(|e| Error::Internal(format!("signing a token: {e:?}")))?;
        if customization.changes_tokens() && token.len() > MAX_CUSTOMIZED_TOKEN_CHARS {
            return Err(Error::InvalidLambdaResponse(format!(
                "PreTokenGeneration made the access token {} characters long; \
                 at most {MAX_CUSTOMIZED_TOKEN_CHARS} are allowed.",
                token.len()
            )));
        }
        Ok(token)
    }

    /// Signed ID and access tokens for a sign-in of `family` (no refresh token).
    async fn signed(
        &self,
        pool: &UserPool,
        client: &AppClient,
        policy: &ClientPolicy,
        grant: Grant<'_>,
    ) -> Result<TokenSet> {
        let Grant {
            user,
            family,
            now,
            customization,
            nonce,
        } = grant;
        let keys = self.keys.opened(&pool.id, false).await?;
        let groups = match &customization.groups {
            Some(groups) => groups.clone(),
            None => self.group_claims(user).await?,
        };
        let iat = now.millis() / 1000;
        let auth_time = family.auth_time.millis() / 1000;
        let event_id = uuid::Uuid::new_v4().to_string();
        let issuer = self.issuer(&pool.id);
        let lifetimes = policy.lifetimes;

        let mut id = Map::new();
        id.insert("sub".into(), json!(user.sub));
        if !groups.names.is_empty() {
            id.insert("cognito:groups".into(), json!(groups.names));
        }
        if !groups.roles.is_empty() {
            id.insert("cognito:roles".into(), json!(groups.roles));
        }
        if let Some(role) = &groups.preferred_role {
            id.insert("cognito:preferred_role".into(), json!(role));
        }
        for (name, value) in &user.attributes {
            if name != "sub" && policy.may_read(name) {
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
        id.insert("exp".into(), json!(iat + lifetimes.id));
        id.insert("iat".into(), json!(iat));
        id.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));

        let mut access = Map::new();
        access.insert("sub".into(), json!(user.sub));
        if !groups.names.is_empty() {
            access.insert("cognito:groups".into(), json!(groups.names));
        }
        access.insert("iss".into(), json!(issuer));
        access.insert("client_id".into(), json!(client.id));
        access.insert("origin_jti".into(), json!(family.origin_jti));
        access.insert("event_id".into(), json!(event_id));
        access.insert("token_use".into(), json!("access"));
        access.insert(
            "scope".into(),
            json!(scopes(family.scopes.as_deref(), customization)),
        );
        access.insert("auth_time".into(), json!(auth_time));
        access.insert("exp".into(), json!(iat + lifetimes.access));
        access.insert("iat".into(), json!(iat));
        access.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
        access.insert("username".into(), json!(user.username));
        if let Some(device) = &family.device_key {
            access.insert("device_key".into(), json!(device));
        }

        apply(&mut id, &customization.id);
        apply(&mut access, &customization.access);

        let sign = |key: &SigningKey, claims: &Map<String, Value>| {
            key.sign(claims)
                .map_err(|e| Error::Internal(format!("signing a token: {e:?}")))
        };
        let access_token = sign(&keys.access, &access)?;
        // An OAuth sign-in's ID token binds its nonce and its access token
        // (OpenID Connect Core §3.1.3.6, §3.2.2.10).
        if family.scopes.is_some() {
            if let Some(nonce) = nonce {
                id.insert("nonce".into(), json!(nonce));
            }
            id.insert("at_hash".into(), json!(at_hash(&access_token)));
        }
        let id_token = sign(&keys.id, &id)?;
        if customization.changes_tokens() {
            for (kind, token) in [("ID", &id_token), ("access", &access_token)] {
                if token.len() > MAX_CUSTOMIZED_TOKEN_CHARS {
                    return Err(Error::InvalidLambdaResponse(format!(
                        "PreTokenGeneration made the {kind} token {} characters long; \
                         at most {MAX_CUSTOMIZED_TOKEN_CHARS} are allowed.",
                        token.len()
                    )));
                }
            }
        }
        Ok(TokenSet {
            id_token,
            access_token,
            refresh_token: None,
            expires_in: lifetimes.access,
            origin_jti: family.origin_jti.clone(),
            new_device: None,
        })
    }
}

impl crate::services::Services {
    /// `{public url}/{pool id}`: the `iss` of the pool's tokens.
    pub fn issuer(&self, pool: &UserPoolId) -> String {
        self.tokens.issuer(pool)
    }
}

/// The access token's scopes: those granted (the native scope for an API
/// sign-in), with a trigger's additions and suppressions.
fn scopes(granted: Option<&str>, customization: &Customization) -> String {
    let mut scopes: Vec<String> = match granted {
        Some(granted) => granted.split(' ').map(str::to_owned).collect(),
        None => vec![ADMIN_SCOPE.to_owned()],
    };
    for scope in &customization.scopes_add {
        if !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    scopes.retain(|s| !customization.scopes_suppress.contains(s));
    scopes.join(" ")
}

/// A trigger's claim changes; the reserved claims were refused before.
fn apply(claims: &mut Map<String, Value>, changes: &ClaimChanges) {
    for name in &changes.suppress {
        claims.remove(name);
    }
    for (name, value) in &changes.add {
        claims.insert(name.clone(), value.clone());
    }
}

/// `at_hash`: the left half of the access token's SHA-256, base64url (RS256).
fn at_hash(access_token: &str) -> String {
    use base64::Engine;
    let digest = tessera_crypto::digest::sha256(access_token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
}
