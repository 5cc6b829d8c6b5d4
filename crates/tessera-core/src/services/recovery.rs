//! Account recovery: ForgotPassword and ConfirmForgotPassword (which also
//! completes an AdminResetUserPassword).

use std::collections::BTreeMap;

use super::Services;
use super::codes::{CodeDelivery, Codes, RESET_CODE_LIFETIME_SECONDS, mask};
use super::credentials::{SET_PASSWORD_PREFIX, check_password_policy};
use super::events::{Draft, EventKind};
use super::existence::{
    Hidden, simulate_unknown_user, user_not_found, username_not_found_for_client,
};
use super::messages::Occasion;
use super::triggers::message::MessageSource;
use super::triggers::migration::MigrationSource;
use super::triggers::sign_up::ConfirmationSource;
use super::triggers::{Caller, Trigger, configured};
use crate::domain::code::CodePurpose;
use crate::domain::user::{User, UserStatus};
use crate::error::{Error, Result};
use crate::ids::ClientId;
use crate::mailer::Medium;

pub struct ConfirmForgotPassword {
    pub client_id: ClientId,
    pub username: String,
    pub code: String,
    pub password: String,
    pub secret_hash: Option<String>,
    pub client_metadata: BTreeMap<String, String>,
}

pub(crate) fn no_recovery_contact() -> Error {
    Error::InvalidParameter(
        "Cannot reset password for the user as there is no registered/verified email or phone_number"
            .into(),
    )
}

impl Services {
    pub async fn forgot_password(
        &self,
        client_id: &ClientId,
        username: &str,
        secret_hash: Option<&str>,
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<CodeDelivery> {
        let mut ctx = self.client_context(client_id, None).await?;
        ctx.client_metadata = client_metadata.clone();
        // A pool whose only recovery is the administrator sends no codes, for anyone.
        if ctx.pool.recovery_mechanisms() == ["admin_only"] {
            return Err(Error::NotAuthorized(
                "Contact administrator to reset password.".into(),
            ));
        }
        let prevent = ctx.policy.prevent_user_existence_errors;
        // A made-up delivery shaped like a real one, for names that cannot
        // receive a code when the client hides whether users exist.
        let simulated = || CodeDelivery {
            destination: mask(Medium::Email, username),
            medium: Medium::Email,
            attribute: "email".into(),
        };
        let (found, migrated) = match self.users.find(&ctx.pool, username).await? {
            Some(user) => (Some(user), false),
            None if configured(&ctx.pool, Trigger::UserMigration).is_some() => {
                self.check_secret_hash(&ctx.client, secret_hash, &[username])?;
                let user = self
                    .migrate_user(&ctx, username, MigrationSource::ForgotPassword, None)
                    .await?;
                (user, true)
            }
            None => (None, false),
        };
        let Some(user) = found else {
            simulate_unknown_user(&ctx, username_not_found_for_client)?;
            self.check_secret_hash(&ctx.client, secret_hash, &[username])?;
            return Ok(simulated());
        };
        self.check_secret_hash(&ctx.client, secret_hash, &[username, &user.username])?;
        if !user.enabled {
            if prevent {
                return Ok(simulated());
            }
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        let Some((medium, destination)) = Codes::recovery_destination(&ctx.pool, &user) else {
            if migrated {
                // A user brought in only to receive a code that cannot reach it.
                self.users.delete(&ctx.pool.id, &user.sub).await?;
            }
            return if prevent {
                Ok(simulated())
            } else {
                Err(no_recovery_contact())
            };
        };
        let delivery = self
            .codes
            .issue(
                &ctx.pool,
                &user,
                CodePurpose::ResetPassword,
                RESET_CODE_LIFETIME_SECONDS,
                (medium, &destination),
                Occasion::new(
                    MessageSource::ForgotPassword,
                    Some(ctx.client.id.as_str()),
                    &ctx.client_metadata,
                ),
            )
            .await?;
        self.record_auth_event(
            &ctx.pool,
            &user.sub,
            Draft {
                kind: EventKind::ForgotPassword,
                passed: true,
                assessment: Default::default(),
                challenges: &[],
                ip: None,
            },
        )
        .await?;
        Ok(delivery)
    }

    pub async fn confirm_forgot_password(&self, input: ConfirmForgotPassword) -> Result<()> {
        let ctx = self.client_context(&input.client_id, None).await?;
        let pool = &ctx.pool;
        let mut user = self
            .named_user(&ctx, &input.username, Hidden::AsWrongCode)
            .await?;
        self.check_secret_hash(
            &ctx.client,
            input.secret_hash.as_deref(),
            &[&input.username, &user.username],
        )?;
        if !user.enabled {
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        check_password_policy(pool, &input.password, SET_PASSWORD_PREFIX)?;
        self.codes
            .check(&user, &CodePurpose::ResetPassword, &input.code)
            .await?;
        let password = self.seal_password(&pool.id, &user.username, &user.sub, &input.password)?;
        let reset = |user: &mut User| {
            user.password = Some(password.clone());
            user.password_expires = None;
            if matches!(
                user.status,
                UserStatus::ResetRequired | UserStatus::ForceChangePassword
            ) {
                user.status = UserStatus::Confirmed;
            }
            user.modified = self.clock.now();
        };
        reset(&mut user);
        let caller = Caller {
            pool,
            client_id: Some(ctx.client.id.as_str()),
            username: &user.username,
        };
        let confirmed = self
            .triggers
            .post_confirmation(
                &caller,
                ConfirmationSource::ConfirmForgotPassword,
                &user,
                &input.client_metadata,
            )
            .await;
        if let Err(e) = confirmed {
            // The password stays as it was, and the code still works.
            self.codes
                .restore(
                    &user,
                    CodePurpose::ResetPassword,
                    &input.code,
                    RESET_CODE_LIFETIME_SECONDS,
                )
                .await?;
            return Err(e);
        }
        // The user as the function left it, with the new password.
        let mut current = self
            .users
            .by_sub(&pool.id, &user.sub)
            .await?
            .ok_or_else(user_not_found)?;
        reset(&mut current);
        self.users.complete_password_reset(&current).await
    }
}
