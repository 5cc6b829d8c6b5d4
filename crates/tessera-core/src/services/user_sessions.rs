//! User sessions: ListUserSessions and AdminListUserSessions, RevokeUserSession
//! and AdminRevokeUserSession, and the settings they obey
//! (Get/SetUserPoolSessionConfiguration, Get/SetUserPoolClientSessionConfiguration).
//!
//! A session is a token session: a token family, one sign-in with its
//! refresh tokens and the access tokens they yield. Revoking a session
//! revokes its family in the store, so its tokens stop working on every node.
//! The hosted pages' browser session is a sealed cookie the store never sees,
//! so there are no SSO sessions to list: `LINKED` revocation of a session
//! the API began (which no SSO session is linked to) revokes it alone, and
//! of one the hosted pages began is refused as not built.

use crate::clock::Timestamp;
use crate::domain::pool::UserPool;
use crate::domain::session::{
    MAX_LISTED_SESSIONS, PoolSessionConfig, device_type, sso_max_validity_minutes, token_session_id,
};
use crate::domain::token::TokenFamily;
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::{ClientId, UserPoolId};
use crate::services::Services;

/// One session as ListUserSessions describes it (`SessionDescriptionType`).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionView {
    /// `tkn` and 25 lowercase letters and digits.
    pub session_id: String,
    pub client_id: ClientId,
    pub created: Timestamp,
    pub last_active: Timestamp,
    pub device_type: String,
    pub last_ip: Option<String>,
    /// The session of the access token the request carried.
    pub current: bool,
}

impl SessionView {
    fn of(family: &TokenFamily, current: Option<&str>) -> Self {
        Self {
            session_id: token_session_id(&family.origin_jti),
            client_id: family.client_id.clone(),
            created: family.auth_time,
            last_active: family.activity.at,
            device_type: device_type(family.activity.user_agent.as_deref()),
            last_ip: family.activity.ip.clone(),
            current: current == Some(family.origin_jti.as_str()),
        }
    }
}

/// The session settings are part of the Essentials and Plus feature plans.
fn require_tier(pool: &UserPool) -> Result<()> {
    match pool.settings.get("UserPoolTier").and_then(|t| t.as_str()) {
        Some("LITE") => Err(Error::FeatureUnavailableInTier(
            "Session management is not available in the Lite feature plan; \
             it needs the Essentials or Plus tier."
                .into(),
        )),
        _ => Ok(()),
    }
}

/// "When session tracking is off, Amazon Cognito does not store server-side
/// session records": there is nothing to list or revoke.
fn require_tracking(pool: &UserPool) -> Result<PoolSessionConfig> {
    let config = PoolSessionConfig::of(&pool.settings);
    if !config.tracking {
        return Err(Error::OperationNotEnabled(format!(
            "User session tracking is not enabled for user pool {}.",
            pool.id
        )));
    }
    Ok(config)
}

fn session_not_found() -> Error {
    Error::ResourceNotFound("Session not found.".into())
}

impl Services {
    pub async fn get_user_pool_session_configuration(
        &self,
        pool_id: &UserPoolId,
    ) -> Result<PoolSessionConfig> {
        Ok(PoolSessionConfig::of(&self.pool(pool_id).await?.settings))
    }

    /// Replaces the pool's session configuration (every member is required).
    /// Lowering `MaxPerUser` evicts nothing now: each user is brought back
    /// within it at their next sign-in.
    pub async fn set_user_pool_session_configuration(
        &self,
        pool_id: &UserPoolId,
        config: PoolSessionConfig,
    ) -> Result<PoolSessionConfig> {
        let mut pool = self.pool(pool_id).await?;
        require_tier(&pool)?;
        pool.settings
            .extend(config.members().map(|(k, v)| (k.to_owned(), v)));
        pool.modified = self.clock.now();
        self.save_pool(&pool).await?;
        Ok(config)
    }

    /// The client's `SSOSession.MaxValidityMinutes` (60 when never set).
    pub async fn get_user_pool_client_session_configuration(
        &self,
        pool_id: &UserPoolId,
        client_id: &ClientId,
    ) -> Result<u32> {
        self.pool(pool_id).await?;
        let client = self.client(pool_id, client_id).await?;
        Ok(sso_max_validity_minutes(&client.settings))
    }

    /// Sets the client's SSO-session validity; the pool must track sessions.
    pub async fn set_user_pool_client_session_configuration(
        &self,
        pool_id: &UserPoolId,
        client_id: &ClientId,
        max_validity_minutes: u32,
    ) -> Result<u32> {
        let pool = self.pool(pool_id).await?;
        require_tier(&pool)?;
        require_tracking(&pool)?;
        let mut client = self.client(pool_id, client_id).await?;
        client.settings.insert(
            "SSOSession".into(),
            serde_json::json!({"MaxValidityMinutes": max_validity_minutes}),
        );
        client.modified = self.clock.now();
        self.store.update_client(&client).await?;
        Ok(max_validity_minutes)
    }

    /// The caller's sessions, across every app client of the pool, its own
    /// marked current.
    pub async fn list_user_sessions(&self, access_token: &str) -> Result<Vec<SessionView>> {
        let who = self.authenticate(access_token).await?;
        require_tracking(&who.pool)?;
        self.sessions_of(&who.pool, &who.user, Some(&who.origin_jti))
            .await
    }

    pub async fn admin_list_user_sessions(
        &self,
        pool_id: &UserPoolId,
        username: &str,
    ) -> Result<Vec<SessionView>> {
        let pool = self.pool(pool_id).await?;
        require_tracking(&pool)?;
        let user = self.admin_named_user(&pool, username).await?;
        self.sessions_of(&pool, &user, None).await
    }

    /// Revokes one of the caller's other sessions.
    pub async fn revoke_user_session(
        &self,
        access_token: &str,
        session_id: &str,
        linked: bool,
    ) -> Result<()> {
        let who = self.authenticate(access_token).await?;
        require_tracking(&who.pool)?;
        if token_session_id(&who.origin_jti) == session_id {
            return Err(Error::InvalidParameter(
                "The session of the access token in the request can't be revoked.".into(),
            ));
        }
        self.revoke_session(&who.pool, &who.user, session_id, linked)
            .await
    }

    /// Revokes a session of the named user; a session of anyone else is not found.
    pub async fn admin_revoke_user_session(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        session_id: &str,
        linked: bool,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        require_tracking(&pool)?;
        let user = self.admin_named_user(&pool, username).await?;
        self.revoke_session(&pool, &user, session_id, linked).await
    }

    async fn sessions_of(
        &self,
        pool: &UserPool,
        user: &User,
        current: Option<&str>,
    ) -> Result<Vec<SessionView>> {
        let families = self
            .store
            .list_token_sessions(&pool.id, &user.sub, self.clock.now(), MAX_LISTED_SESSIONS)
            .await?;
        Ok(families
            .iter()
            .map(|f| SessionView::of(f, current))
            .collect())
    }

    /// The family behind `session_id` among the user's live sessions, revoked;
    /// `linked`: RevokeAssociatedSessions LINKED.
    async fn revoke_session(
        &self,
        pool: &UserPool,
        user: &User,
        session_id: &str,
        linked: bool,
    ) -> Result<()> {
        let families = self
            .store
            .list_token_sessions(&pool.id, &user.sub, self.clock.now(), usize::MAX)
            .await?;
        let family = families
            .iter()
            .find(|f| token_session_id(&f.origin_jti) == session_id)
            .ok_or_else(session_not_found)?;
        // An OAuth sign-in's family came from the hosted pages' browser
        // session, which LINKED would end too, and the store never sees.
        if linked && family.scopes.is_some() {
            return Err(Error::UnsupportedOperation(
                "Tessera does not keep SSO sessions yet: RevokeAssociatedSessions LINKED \
                 cannot end the browser session this token session came from."
                    .into(),
            ));
        }
        Ok(self.store.revoke_token_family(&family.origin_jti).await?)
    }
}
