//! Refreshing a sign-in: REFRESH_TOKEN_AUTH (new ID and access tokens, same
//! refresh token) and GetTokensFromRefreshToken, which rotates the refresh
//! token when the client's RefreshTokenRotation is enabled.

use super::AuthOutcome;
use crate::domain::token::{RefreshTokenRecord, TokenFamily};
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::ClientId;
use crate::services::Services;
use crate::services::client_context::ClientContext;
use crate::services::client_secret::SecretHashUse;
use crate::services::existence::user_not_found;
use crate::services::tokens::{Family, TokenSet, new_refresh_token};
use crate::services::triggers::token_generation::TokenSource;
use crate::store::StoreError;

pub struct RefreshRequest {
    pub client_id: ClientId,
    pub refresh_token: String,
    pub client_secret: Option<String>,
    pub device_key: Option<String>,
    pub client_metadata: std::collections::BTreeMap<String, String>,
}

fn invalid() -> Error {
    Error::NotAuthorized("Invalid Refresh Token.".into())
}

impl Services {
    /// The token's record and family, if it is this client's, unrevoked and unexpired.
    async fn live_refresh_token(
        &self,
        token: &str,
        ctx: &ClientContext,
        device_key: Option<&str>,
    ) -> Result<(RefreshTokenRecord, TokenFamily, User)> {
        let (record, family) = match self
            .store
            .find_refresh_token(&self.tokens.refresh_token_hash(token))
            .await
        {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Err(invalid()),
            Err(e) => return Err(e.into()),
        };
        if family.client_id != ctx.client.id {
            return Err(invalid());
        }
        if family.revoked {
            return Err(Error::NotAuthorized(
                "Refresh Token has been revoked".into(),
            ));
        }
        if family.expires <= self.clock.now() {
            return Err(Error::NotAuthorized("Refresh Token has expired".into()));
        }
        let user = self
            .users
            .by_sub(&family.pool_id, &family.sub)
            .await?
            .ok_or_else(user_not_found)?;
        if !user.enabled {
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        // A sign-in on a device refreshes only from that device, once
        // confirmed and while not forgotten.
        if let Some(bound) = &family.device_key {
            if device_key != Some(bound.as_str()) {
                return Err(invalid());
            }
            match self.store.get_device(&user.pool_id, &user.sub, bound).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => return Err(invalid()),
                Err(e) => return Err(e.into()),
            }
        }
        Ok((record, family, user))
    }

    /// Whether a token rotation replaced is past its grace period.
    fn superseded_for_good(&self, record: &RefreshTokenRecord, ctx: &ClientContext) -> bool {
        let grace = ctx.policy.refresh_rotation.grace_seconds;
        record
            .superseded
            .is_some_and(|at| at.plus_seconds(grace) <= self.clock.now())
    }

    pub(crate) async fn refresh_sign_in(
        &self,
        ctx: &ClientContext,
        token: &str,
        typed_username: Option<&str>,
        secret_hash: Option<&str>,
        device_key: Option<&str>,
    ) -> Result<AuthOutcome> {
        let (record, family, user) = self.live_refresh_token(token, ctx, device_key).await?;
        // Clients hash the internal username here (the sub in email pools).
        let mut names = vec![user.username.as_str(), user.sub.as_str()];
        names.extend(typed_username);
        self.check_secret_hash_for(&ctx.client, secret_hash, &names, SecretHashUse::Refresh)?;
        if self.superseded_for_good(&record, ctx) {
            return Err(invalid());
        }
        let tokens = self
            .issue_tokens(
                ctx,
                &user,
                Family::Existing(family),
                TokenSource::RefreshTokens,
            )
            .await?;
        Ok(AuthOutcome::Tokens(tokens))
    }

    pub async fn get_tokens_from_refresh_token(&self, request: RefreshRequest) -> Result<TokenSet> {
        let mut ctx = self.client_context(&request.client_id, None).await?;
        ctx.client_metadata = request.client_metadata;
        if !self.client_secret_matches(&ctx.client, request.client_secret.as_deref())? {
            return Err(Error::NotAuthorized(format!(
                "Unable to verify secret hash for client {}",
                ctx.client.id
            )));
        }
        super::require_flow(&ctx, crate::domain::client_policy::FlowKind::Refresh)?;
        let (record, family, user) = self
            .live_refresh_token(&request.refresh_token, &ctx, request.device_key.as_deref())
            .await?;
        if self.superseded_for_good(&record, &ctx) {
            return Err(Error::RefreshTokenReuse(
                "The refresh token has already been used.".into(),
            ));
        }
        let mut tokens = self
            .issue_tokens(
                &ctx,
                &user,
                Family::Existing(family.clone()),
                TokenSource::RefreshTokens,
            )
            .await?;
        if ctx.policy.refresh_rotation.enabled {
            let now = self.clock.now();
            let fresh = new_refresh_token();
            self.store
                .rotate_refresh_token(
                    &record.token_hash,
                    &RefreshTokenRecord {
                        token_hash: self.tokens.refresh_token_hash(&fresh),
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
