//! Signing out: RevokeToken (one sign-in), GlobalSignOut and
//! AdminUserGlobalSignOut (every sign-in of the user).

use super::Services;
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::store::StoreError;

impl Services {
    pub async fn global_sign_out(&self, access_token: &str) -> Result<()> {
        let who = self.authenticate(access_token).await?;
        Ok(self
            .store
            .revoke_user_tokens(&who.pool.id, &who.user.sub)
            .await?)
    }

    pub async fn admin_user_global_sign_out(
        &self,
        pool_id: &UserPoolId,
        username: &str,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_named_user(&pool, username).await?;
        Ok(self.store.revoke_user_tokens(&pool.id, &user.sub).await?)
    }

    /// Revokes the refresh token's sign-in: the token, and the access tokens
    /// issued from it. An unknown token is already as good as revoked.
    pub async fn revoke_token(
        &self,
        token: &str,
        client_id: &ClientId,
        client_secret: Option<&str>,
    ) -> Result<()> {
        if token.split('.').count() == 3 {
            return Err(Error::UnsupportedTokenType(
                "The token provided is not a refresh token.".into(),
            ));
        }
        let ctx = self.client_context(client_id, None).await?;
        if !self.client_secret_matches(&ctx.client, client_secret)? {
            return Err(Error::Unauthorized("Invalid client secret.".into()));
        }
        if !ctx.policy.token_revocation {
            return Err(Error::UnsupportedOperation(
                "Token revocation is not enabled for this app client.".into(),
            ));
        }
        let (_, family) = match self
            .store
            .find_refresh_token(&self.tokens.refresh_token_hash(token))
            .await
        {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        if family.client_id != ctx.client.id {
            return Err(Error::Unauthorized(
                "The token was not issued to this client.".into(),
            ));
        }
        Ok(self.store.revoke_token_family(&family.origin_jti).await?)
    }
}
