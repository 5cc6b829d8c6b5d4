//! Users a pool's UserMigration trigger brings in from another identity
//! store, at sign-in (with the password the user typed) or at ForgotPassword.

use super::Services;
use super::client_context::ClientContext;
use super::directory::{Creation, UserDirectory};
use super::triggers::Caller;
use super::triggers::migration::MigrationSource;
use crate::domain::user::User;
use crate::error::{Error, Result};

impl Services {
    /// The user the pool's UserMigration function returns for the unknown
    /// `username`, now created; `None` when the pool names no function or the
    /// function found no one.
    pub(crate) async fn migrate_user(
        &self,
        ctx: &ClientContext,
        username: &str,
        source: MigrationSource,
        password: Option<&str>,
    ) -> Result<Option<User>> {
        let pool = &ctx.pool;
        let caller = Caller {
            pool,
            client_id: Some(ctx.client.id.as_str()),
            username,
        };
        if !self.triggers.migrates(&caller) {
            return Ok(None);
        }
        let Some(migrated) = self
            .triggers
            .user_migration(
                &caller,
                source,
                password,
                &ctx.validation_data,
                &ctx.client_metadata,
            )
            .await?
        else {
            return Ok(None);
        };
        // Attributes the pool cannot take are the function's mistake.
        let unusable = |e: Error| match e {
            Error::InvalidParameter(m) => Error::InvalidLambdaResponse(m),
            other => other,
        };
        let mut attributes =
            Self::checked_attributes(pool, &migrated.attributes).map_err(unusable)?;
        let sub = uuid::Uuid::new_v4().to_string();
        let stored_name = self
            .username_for(pool, username, &sub, &mut attributes)
            .map_err(unusable)?;
        attributes.insert("sub".into(), sub.clone());
        Self::check_required(pool, &attributes).map_err(unusable)?;
        let password = password
            .map(|p| self.seal_password(&pool.id, &stored_name, &sub, p))
            .transpose()?;
        let now = self.clock.now();
        let aliases = UserDirectory::aliases_of(pool, &attributes);
        let user = User {
            pool_id: pool.id.clone(),
            sub,
            username_key: pool.normalize(&stored_name),
            username: stored_name,
            status: migrated.status,
            enabled: true,
            created: now,
            modified: now,
            attributes,
            pending_attributes: Default::default(),
            aliases: aliases.clone(),
            password,
            password_expires: None,
            sign_in_failures: Default::default(),
            mfa: Default::default(),
        };
        let take = if migrated.force_alias_creation {
            aliases.as_slice()
        } else {
            &[]
        };
        match self
            .users
            .create(pool, &user, take, None, Creation::AdminCreateUser)
            .await
        {
            Ok(()) => Ok(Some(user)),
            // A concurrent sign-in migrated the same user first: that user it is.
            Err(Error::UsernameExists(m)) => match self.users.find(pool, username).await? {
                Some(existing) => Ok(Some(existing)),
                None => Err(Error::UsernameExists(m)),
            },
            Err(e) => Err(e),
        }
    }
}
