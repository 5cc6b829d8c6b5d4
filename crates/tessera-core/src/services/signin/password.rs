//! The password as first factor (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH),
//! the lockout counter every password check settles, and NEW_PASSWORD_REQUIRED
//! for users holding a temporary password.

use std::collections::BTreeMap;

use super::challenge::{Challenge, ChallengeName};
use super::session::{SessionUser, Step, session_expired};
use super::{AuthOutcome, Stage};
use crate::domain::schema::{check_mutable, check_required_present, check_value};
use crate::domain::user::{User, UserStatus};
use crate::error::{Error, Result};
use crate::services::Services;
use crate::services::attributes::check_writable;
use crate::services::client_context::ClientContext;
use crate::services::credentials::{SET_PASSWORD_PREFIX, check_password_policy};
use crate::services::directory::UserDirectory;
use crate::services::existence::{Hidden, incorrect_credentials, unknown_user};

/// What NEW_PASSWORD_REQUIRED carries.
pub(crate) struct NewPassword<'a> {
    pub username: Option<&'a str>,
    pub new_password: &'a str,
    pub attributes: &'a [(String, String)],
    pub secret_hash: Option<&'a str>,
    pub session: Option<&'a str>,
}

impl Services {
    pub(crate) async fn password_sign_in(
        &self,
        ctx: &ClientContext,
        username: &str,
        password: &str,
        secret_hash: Option<&str>,
    ) -> Result<AuthOutcome> {
        let Some(user) = self.users.sign_in_user(&ctx.pool, username).await? else {
            self.check_secret_hash(&ctx.client, secret_hash, &[username])?;
            return Err(unknown_user(ctx, Hidden::AsWrongPassword));
        };
        self.check_secret_hash(&ctx.client, secret_hash, &[username, &user.username])?;
        self.check_not_locked(&user)?;
        let matched = self.password_matches(&user, password)?;
        self.settle_password_check(&user, matched).await?;
        self.advance(ctx, user, Stage::FirstFactor).await
    }

    /// Refuses while the user is locked out; failures then do not count.
    pub(crate) fn check_not_locked(&self, user: &User) -> Result<()> {
        if user.sign_in_failures.is_locked(self.clock.now()) {
            return Err(Error::NotAuthorized("Password attempts exceeded".into()));
        }
        Ok(())
    }

    /// Records the outcome of a password check in the user's lockout counter.
    pub(crate) async fn settle_password_check(&self, user: &User, matched: bool) -> Result<()> {
        if matched {
            if user.sign_in_failures.count > 0 {
                self.store
                    .clear_sign_in_failures(&user.pool_id, &user.sub)
                    .await?;
            }
            Ok(())
        } else {
            self.store
                .record_sign_in_failure(&user.pool_id, &user.sub, self.clock.now())
                .await?;
            Err(incorrect_credentials())
        }
    }

    /// NEW_PASSWORD_REQUIRED: the current attributes and the required ones
    /// still missing.
    pub(crate) fn new_password_challenge(
        &self,
        ctx: &ClientContext,
        user: &User,
    ) -> Result<AuthOutcome> {
        let user_attributes: BTreeMap<String, String> = user
            .attributes
            .iter()
            .filter(|(name, _)| name.as_str() != "sub")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let required_attributes = ctx
            .pool
            .schema
            .iter()
            .filter(|a| a.required && a.name != "sub" && !user.attributes.contains_key(&a.name))
            .map(|a| a.name.clone())
            .collect();
        let session = self.seal_session(
            ctx,
            SessionUser {
                sub: Some(user.sub.clone()),
                username: user.username.clone(),
            },
            Step::NewPasswordRequired,
        )?;
        Ok(AuthOutcome::Challenge {
            challenge: Challenge::NewPasswordRequired {
                user_id_for_srp: user.username.clone(),
                user_attributes,
                required_attributes,
            },
            session: Some(session),
        })
    }

    pub(crate) async fn set_new_password(
        &self,
        ctx: &ClientContext,
        answer: NewPassword<'_>,
    ) -> Result<AuthOutcome> {
        let pool = &ctx.pool;
        let session = answer
            .session
            .and_then(|s| {
                self.open_session(ctx, s, ChallengeName::NewPasswordRequired)
                    .ok()
            })
            .ok_or_else(session_expired)?;
        let sub = session.user.sub.as_deref().ok_or_else(session_expired)?;
        let mut user = self
            .users
            .by_sub(&pool.id, sub)
            .await?
            .ok_or_else(session_expired)?;
        let typed = answer.username.unwrap_or(&user.username);
        self.check_secret_hash(&ctx.client, answer.secret_hash, &[typed, &user.username])?;
        if user.status != UserStatus::ForceChangePassword {
            return Err(session_expired());
        }
        let updates = answer.attributes;
        check_writable(&ctx.policy, updates.iter().map(|(n, _)| n.as_str()))?;
        for (name, value) in updates {
            check_value(&pool.schema, name, value)?;
            if user.attributes.contains_key(name) {
                check_mutable(&pool.schema, name)?;
            }
        }
        user.attributes.extend(updates.iter().cloned());
        check_required_present(&pool.schema, |n| user.attributes.contains_key(n))?;
        check_password_policy(pool, answer.new_password, SET_PASSWORD_PREFIX)?;
        user.password =
            Some(self.seal_password(&pool.id, &user.username, &user.sub, answer.new_password)?);
        user.password_expires = None;
        user.status = UserStatus::Confirmed;
        user.aliases = UserDirectory::aliases_of(pool, &user.attributes);
        user.modified = self.clock.now();
        self.users.save(&user).await?;
        self.advance(ctx, user, Stage::NewPassword).await
    }
}
