//! Self-service sign-up: SignUp, ConfirmSignUp, ResendConfirmationCode.

use std::collections::BTreeMap;

use super::Services;
use super::attributes::check_writable;
use super::codes::{CONFIRM_CODE_LIFETIME_SECONDS, CodeDelivery, medium_for};
use super::credentials::{SIGN_UP_PASSWORD_PREFIX, check_password_policy};
use super::directory::{Creation, UserDirectory};
use super::events::{Assessment, Draft, EventKind};
use super::existence::{
    Hidden, simulate_unknown_user, user_not_found, username_not_found_for_client,
};
use super::messages::Occasion;
use super::triggers::Caller;
use super::triggers::message::MessageSource;
use super::triggers::sign_up::{ConfirmationSource, SignUpSource};
use crate::domain::client_policy::FlowKind;
use crate::domain::code::CodePurpose;
use crate::domain::pool::UserPool;
use crate::domain::risk::CheckedEvent;
use crate::domain::user::{User, UserStatus};
use crate::error::{Error, Result};
use crate::ids::ClientId;
use crate::mailer::Medium;
use crate::services::signin::session::session_expired;

pub struct SignUp {
    pub client_id: ClientId,
    pub username: String,
    pub password: Option<String>,
    pub attributes: Vec<(String, String)>,
    pub secret_hash: Option<String>,
    /// `ValidationData`, for PreSignUp.
    pub validation_data: BTreeMap<String, String>,
    pub client_metadata: BTreeMap<String, String>,
}

pub struct SignUpResult {
    pub user_sub: String,
    pub confirmed: bool,
    pub delivery: Option<CodeDelivery>,
    /// For a client that signs in with USER_AUTH: to pass on to ConfirmSignUp.
    pub session: Option<String>,
}

pub struct ConfirmSignUp {
    pub client_id: ClientId,
    pub username: String,
    pub code: String,
    pub secret_hash: Option<String>,
    pub force_alias_creation: bool,
    pub client_metadata: BTreeMap<String, String>,
    /// SignUp's Session, when the client passes it on.
    pub session: Option<String>,
}

/// The attribute a confirmation code goes to: the phone when the pool
/// auto-verifies it, else the email.
fn confirmation_attribute(pool: &UserPool, user: &User) -> Option<String> {
    let auto = pool.auto_verified_attributes();
    ["phone_number", "email"]
        .into_iter()
        .find(|a| auto.iter().any(|x| x == a) && user.attributes.contains_key(*a))
        .map(str::to_owned)
}

impl Services {
    pub async fn sign_up(&self, input: SignUp) -> Result<SignUpResult> {
        let ctx = self.client_context(&input.client_id, None).await?;
        let (pool, client) = (&ctx.pool, &ctx.client);
        if pool.admin_create_user_only() {
            return Err(Error::NotAuthorized(
                "SignUp is not permitted for this user pool".into(),
            ));
        }
        self.check_secret_hash(client, input.secret_hash.as_deref(), &[&input.username])?;
        let password = input
            .password
            .as_deref()
            .ok_or_else(|| Error::InvalidParameter("A password is required to sign up.".into()))?;
        check_writable(
            &ctx.policy,
            input.attributes.iter().map(|(n, _)| n.as_str()),
        )?;
        let mut attributes = Self::checked_attributes(pool, &input.attributes)?;
        check_password_policy(pool, password, SIGN_UP_PASSWORD_PREFIX)?;
        let assessment = self
            .assess_password(pool, Some(&client.id), CheckedEvent::SignUp, password, None)
            .await?;
        Self::refuse_if_blocked(assessment)?;
        let sub = uuid::Uuid::new_v4().to_string();
        let username = self.username_for(pool, &input.username, &sub, &mut attributes)?;
        Self::check_required(pool, &attributes)?;
        let caller = Caller {
            pool,
            client_id: Some(client.id.as_str()),
            username: &username,
        };
        let decided = self
            .triggers
            .pre_sign_up(
                &caller,
                SignUpSource::SignUp,
                &attributes,
                &input.validation_data,
                &input.client_metadata,
            )
            .await?;
        if decided.auto_confirm {
            for (flag, attribute) in [
                (decided.auto_verify_email, "email"),
                (decided.auto_verify_phone, "phone_number"),
            ] {
                if flag && attributes.contains_key(attribute) {
                    attributes.insert(format!("{attribute}_verified"), "true".into());
                }
            }
        }
        attributes.insert("sub".into(), sub.clone());
        let now = self.clock.now();
        let sealed = self.seal_password(&pool.id, &username, &sub, password)?;
        let user = User {
            pool_id: pool.id.clone(),
            sub: sub.clone(),
            username_key: pool.normalize(&username),
            username: username.clone(),
            status: if decided.auto_confirm {
                UserStatus::Confirmed
            } else {
                UserStatus::Unconfirmed
            },
            enabled: true,
            created: now,
            modified: now,
            aliases: UserDirectory::aliases_of(pool, &attributes),
            attributes,
            pending_attributes: Default::default(),
            password: Some(sealed),
            password_expires: None,
            sign_in_failures: Default::default(),
            mfa: Default::default(),
        };
        if decided.auto_confirm {
            self.users
                .create(pool, &user, &[], None, Creation::SignUp)
                .await?;
            let confirmed = self
                .triggers
                .post_confirmation(
                    &caller,
                    ConfirmationSource::ConfirmSignUp,
                    &user,
                    &input.client_metadata,
                )
                .await;
            if let Err(e) = confirmed {
                // A refused confirmation leaves no user behind.
                self.users.delete(&pool.id, &user.sub).await?;
                return Err(e);
            }
            self.record_sign_up(pool, &user.sub, assessment).await?;
            return Ok(SignUpResult {
                user_sub: sub,
                confirmed: true,
                delivery: None,
                session: None,
            });
        }
        // The user and its confirmation code are written together.
        let code = confirmation_attribute(pool, &user).map(|attribute| {
            let (code, record) = self.codes.fresh(
                &user,
                CodePurpose::ConfirmSignUp,
                CONFIRM_CODE_LIFETIME_SECONDS,
            );
            (attribute, code, record)
        });
        self.users
            .create(
                pool,
                &user,
                &[],
                code.as_ref().map(|(_, _, record)| record),
                Creation::SignUp,
            )
            .await?;
        let delivery = match &code {
            Some((attribute, code, _)) => {
                let destination = user.attributes.get(attribute).cloned().unwrap_or_default();
                match self
                    .codes
                    .send(
                        pool,
                        &user,
                        code,
                        medium_for(attribute),
                        &destination,
                        Occasion::new(
                            MessageSource::SignUp,
                            Some(client.id.as_str()),
                            &input.client_metadata,
                        ),
                    )
                    .await
                {
                    Ok(d) => Some(d),
                    Err(e) => {
                        // A code that could not go out leaves no user behind.
                        self.users.delete(&pool.id, &user.sub).await?;
                        return Err(e);
                    }
                }
            }
            None => None,
        };
        self.record_sign_up(pool, &user.sub, assessment).await?;
        let session = if ctx.policy.auth_flows.allows(FlowKind::UserAuth) {
            Some(self.sign_up_session(&ctx, &user)?)
        } else {
            None
        };
        Ok(SignUpResult {
            user_sub: sub,
            confirmed: false,
            delivery,
            session,
        })
    }

    async fn record_sign_up(
        &self,
        pool: &UserPool,
        sub: &str,
        assessment: Assessment,
    ) -> Result<()> {
        self.record_auth_event(
            pool,
            sub,
            Draft {
                kind: EventKind::SignUp,
                passed: true,
                assessment,
                challenges: &[],
                ip: None,
            },
        )
        .await?;
        Ok(())
    }

    /// Confirms the user; for a client that signs in with USER_AUTH, answers
    /// the Session that signs the user in once.
    pub async fn confirm_sign_up(&self, input: ConfirmSignUp) -> Result<Option<String>> {
        let ctx = self.client_context(&input.client_id, None).await?;
        let mut user = self
            .named_user(&ctx, &input.username, Hidden::AsWrongCode)
            .await?;
        self.check_secret_hash(
            &ctx.client,
            input.secret_hash.as_deref(),
            &[&input.username, &user.username],
        )?;
        if user.status != UserStatus::Unconfirmed {
            return Err(Error::NotAuthorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        if let Some(sent) = &input.session
            && !self.is_sign_up_session_of(&ctx, sent, &user)
        {
            return Err(session_expired());
        }
        self.codes
            .check(&user, &CodePurpose::ConfirmSignUp, &input.code)
            .await?;
        let confirm = |user: &mut User| {
            if let Some(attribute) = confirmation_attribute(&ctx.pool, user) {
                user.attributes
                    .insert(format!("{attribute}_verified"), "true".into());
            }
            user.status = UserStatus::Confirmed;
            user.aliases = UserDirectory::aliases_of(&ctx.pool, &user.attributes);
            user.modified = self.clock.now();
        };
        confirm(&mut user);
        let caller = Caller {
            pool: &ctx.pool,
            client_id: Some(ctx.client.id.as_str()),
            username: &user.username,
        };
        let confirmed = self
            .triggers
            .post_confirmation(
                &caller,
                ConfirmationSource::ConfirmSignUp,
                &user,
                &input.client_metadata,
            )
            .await;
        let restore_code = || {
            self.codes.restore(
                &user,
                CodePurpose::ConfirmSignUp,
                &input.code,
                CONFIRM_CODE_LIFETIME_SECONDS,
            )
        };
        if let Err(e) = confirmed {
            // The user stays unconfirmed, and the code it gave still works.
            restore_code().await?;
            return Err(e);
        }
        // The function may have changed the user (PostConfirmation often
        // adds attributes or groups): confirm the user as it is now.
        let mut current = self
            .users
            .by_sub(&ctx.pool.id, &user.sub)
            .await?
            .ok_or_else(user_not_found)?;
        confirm(&mut current);
        let take = if input.force_alias_creation {
            current.aliases.clone()
        } else {
            Vec::new()
        };
        if let Err(e) = self.users.save_confirmation(&current, &take).await {
            // A taken alias, say: the same code works with ForceAliasCreation.
            restore_code().await?;
            return Err(e);
        }
        if !ctx.policy.auth_flows.allows(FlowKind::UserAuth) {
            return Ok(None);
        }
        self.confirmed_sign_up_session(&ctx, &current)
            .await
            .map(Some)
    }

    pub async fn resend_confirmation_code(
        &self,
        client_id: &ClientId,
        username: &str,
        secret_hash: Option<&str>,
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<CodeDelivery> {
        let ctx = self.client_context(client_id, None).await?;
        let Some(user) = self.users.find(&ctx.pool, username).await? else {
            simulate_unknown_user(&ctx, username_not_found_for_client)?;
            // A made-up delivery, as for a real user.
            self.check_secret_hash(&ctx.client, secret_hash, &[username])?;
            return Ok(CodeDelivery {
                destination: "***@***".into(),
                medium: Medium::Email,
                attribute: "email".into(),
            });
        };
        self.check_secret_hash(&ctx.client, secret_hash, &[username, &user.username])?;
        if user.status != UserStatus::Unconfirmed {
            return Err(Error::InvalidParameter("User is already confirmed.".into()));
        }
        let attribute = confirmation_attribute(&ctx.pool, &user).ok_or_else(|| {
            Error::NotAuthorized("Cannot resend codes. Auto verification not turned on.".into())
        })?;
        let destination = user.attributes.get(&attribute).cloned().unwrap_or_default();
        self.codes
            .issue(
                &ctx.pool,
                &user,
                CodePurpose::ConfirmSignUp,
                CONFIRM_CODE_LIFETIME_SECONDS,
                (medium_for(&attribute), &destination),
                Occasion::new(
                    MessageSource::ResendCode,
                    Some(ctx.client.id.as_str()),
                    client_metadata,
                ),
            )
            .await
    }
}
