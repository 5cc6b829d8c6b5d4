//! Refreshing a sign-in: REFRESH_TOKEN_AUTH (new ID and access tokens, same
//! refresh token) and GetTokensFromRefreshToken, which rotates the refresh
//! token when the client's RefreshTokenRotation is enabled.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{AuthOutcome, missing};
use crate::domain::client::AppClient;
use crate::domain::pool::UserPool;
use crate::domain::token::{RefreshTokenRecord, TokenFamily};
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::ClientId;
use crate::services::Services;
use crate::services::tokens::{Family, TokenSet, new_refresh_token};
use crate::store::{StoreError, UserKey};

pub struct RefreshRequest {
    pub client_id: ClientId,
    pub refresh_token: String,
    pub client_secret: Option<String>,
}

fn invalid() -> Error {
    Error::NotAuthorized("Invalid Refresh Token".into())
}

/// `(enabled, grace seconds)` of the client's RefreshTokenRotation.
fn rotation(client: &AppClient) -> (bool, i64) {
    let setting = client.settings.get("RefreshTokenRotation");
    let enabled = setting
        .and_then(|r| r.get("Feature"))
        .and_then(Value::as_str)
        == Some("ENABLED");
    let grace = setting
        .and_then(|r| r.get("RetryGracePeriodSeconds"))
        .and_then(Value::as_i64)
        .unwrap_or(0);
    (enabled, grace)
}

impl Services {
    /// The token's record and family, if it is this client's, unrevoked and unexpired.
    async fn live_refresh_token(
        &self,
        token: &str,
        client: &AppClient,
    ) -> Result<(RefreshTokenRecord, TokenFamily, User)> {
        let (record, family) = match self
            .store
            .find_refresh_token(&self.refresh_token_hash(token))
            .await
        {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Err(invalid()),
            Err(e) => return Err(e.into()),
        };
        if family.client_id != client.id {
            return Err(invalid());
        }
        if family.revoked {
            return Err(Error::NotAuthorized(
                "Refresh Token has been revoked".into(),
            ));
        }
        let now = self.clock.now();
        if family.expires <= now {
            return Err(Error::NotAuthorized("Refresh Token has expired".into()));
        }
        let user = match self
            .store
            .get_user(&family.pool_id, UserKey::Sub(&family.sub))
            .await
        {
            Ok(u) => u,
            Err(StoreError::NotFound) => return Err(invalid()),
            Err(e) => return Err(e.into()),
        };
        if !user.enabled {
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        Ok((record, family, user))
    }

    pub(crate) async fn refresh_sign_in(
        &self,
        pool: &UserPool,
        client: &AppClient,
        p: &BTreeMap<String, String>,
    ) -> Result<AuthOutcome> {
        let token = p
            .get("REFRESH_TOKEN")
            .ok_or_else(|| missing("REFRESH_TOKEN"))?;
        let (record, family, user) = self.live_refresh_token(token, client).await?;
        // Clients hash the internal username here (the sub in email pools).
        let mut names = vec![user.username.as_str(), user.sub.as_str()];
        if let Some(typed) = p.get("USERNAME") {
            names.push(typed);
        }
        self.check_secret_hash(client, p.get("SECRET_HASH").map(String::as_str), &names)?;
        let (_, grace) = rotation(client);
        if record
            .superseded
            .is_some_and(|at| at.plus_seconds(grace) <= self.clock.now())
        {
            return Err(invalid());
        }
        let tokens = self
            .issue_tokens(pool, client, &user, Family::Existing(family))
            .await?;
        Ok(AuthOutcome::Tokens(tokens))
    }

    pub async fn get_tokens_from_refresh_token(&self, request: RefreshRequest) -> Result<TokenSet> {
        let (pool, client) = self.client_and_pool(&request.client_id, None).await?;
        if let Some(secret) = self.open_client_secret(&client)? {
            let given = request.client_secret.as_deref().unwrap_or_default();
            if !tessera_crypto::random::ct_eq(secret.as_bytes(), given.as_bytes()) {
                return Err(Error::NotAuthorized(format!(
                    "Unable to verify secret hash for client {}",
                    client.id
                )));
            }
        }
        super::require_flow(&client, "REFRESH_TOKEN_AUTH")?;
        let (record, family, user) = self
            .live_refresh_token(&request.refresh_token, &client)
            .await?;
        let now = self.clock.now();
        let (rotates, grace) = rotation(&client);
        if record
            .superseded
            .is_some_and(|at| at.plus_seconds(grace) <= now)
        {
            return Err(Error::RefreshTokenReuse(
                "The refresh token has already been used.".into(),
            ));
        }
        let mut tokens = self
            .issue_tokens(&pool, &client, &user, Family::Existing(family.clone()))
            .await?;
        if rotates {
            let fresh = new_refresh_token();
            self.store
                .rotate_refresh_token(
                    &record.token_hash,
                    &RefreshTokenRecord {
                        token_hash: self.refresh_token_hash(&fresh),
                        origin_jti: family.origin_jti,
                        created: now,
                        superseded: None,
                    },
                    now,
                )
                .await?;
            tokens.refresh_token = Some(fresh);
        }
        Ok(tokens)
    }
}
