//! Admin user management: create, get, update and delete attributes, delete,
//! disable / enable, passwords, confirmation.

use std::collections::BTreeMap;

use super::Services;
use super::codes::{Codes, RESET_CODE_LIFETIME_SECONDS};
use super::credentials::{
    CREATE_PASSWORD_PREFIX, SET_PASSWORD_PREFIX, check_password_policy, generated_password,
};
use super::directory::{Creation, UserDirectory};
use super::existence::user_not_found;
use super::messages::Occasion;
use super::recovery::no_recovery_contact;
use super::triggers::Caller;
use super::triggers::message::MessageSource;
use super::triggers::sign_up::{ConfirmationSource, SignUpSource};
use crate::domain::code::CodePurpose;
use crate::domain::pool::UserPool;
use crate::domain::schema::{AttributeFaults, FaultWording, canonical_value};
use crate::domain::user::{User, UserStatus};
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::mailer::Medium;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageAction {
    Send,
    Resend,
    Suppress,
}

pub struct CreateUser {
    pub pool_id: UserPoolId,
    pub username: String,
    pub attributes: Vec<(String, String)>,
    /// `ValidationData`, for PreSignUp.
    pub validation_data: BTreeMap<String, String>,
    pub client_metadata: BTreeMap<String, String>,
    pub temporary_password: Option<String>,
    pub force_alias_creation: bool,
    pub message_action: MessageAction,
    /// Empty means Cognito's default, SMS.
    pub delivery_mediums: Vec<Medium>,
}

fn is_email(v: &str) -> bool {
    v.contains('@')
}

fn is_phone(v: &str) -> bool {
    v.starts_with('+') && v.len() > 1 && v[1..].chars().all(|c| c.is_ascii_digit())
}

impl Services {
    /// A new user's attributes checked against the schema (every fault
    /// reported together), in their stored form.
    pub(crate) fn checked_attributes(
        pool: &UserPool,
        attributes: &[(String, String)],
    ) -> Result<BTreeMap<String, String>> {
        let mut faults = AttributeFaults::new();
        for (name, value) in attributes {
            if name == "sub" {
                faults.check_mutable(&pool.schema, name);
            } else {
                faults.check_value(&pool.schema, name, value);
            }
        }
        faults.into_result(FaultWording::Creation)?;
        Ok(attributes
            .iter()
            .map(|(name, value)| (name.clone(), canonical_value(&pool.schema, name, value)))
            .collect())
    }

    /// Required attributes a new user lacks, reported together.
    pub(crate) fn check_required(
        pool: &UserPool,
        attributes: &BTreeMap<String, String>,
    ) -> Result<()> {
        let mut faults = AttributeFaults::new();
        faults.check_required(&pool.schema, |n| attributes.contains_key(n));
        faults.into_result(FaultWording::Creation)
    }

    pub async fn admin_create_user(&self, input: CreateUser) -> Result<User> {
        let pool = self.pool(&input.pool_id).await?;
        if input.message_action == MessageAction::Resend {
            return self.resend_invitation(&pool, &input).await;
        }
        let mut attributes = Self::checked_attributes(&pool, &input.attributes)?;
        let sub = uuid::Uuid::new_v4().to_string();
        let username = self.username_for(&pool, &input.username, &sub, &mut attributes)?;
        Self::check_required(&pool, &attributes)?;
        let caller = Caller {
            pool: &pool,
            client_id: None,
            username: &username,
        };
        // An administrator's user always starts with a temporary password:
        // only the verification flags apply.
        let decided = self
            .triggers
            .pre_sign_up(
                &caller,
                SignUpSource::AdminCreateUser,
                &attributes,
                &input.validation_data,
                &input.client_metadata,
            )
            .await?;
        for (flag, attribute) in [
            (decided.auto_verify_email, "email"),
            (decided.auto_verify_phone, "phone_number"),
        ] {
            if flag && attributes.contains_key(attribute) {
                attributes.insert(format!("{attribute}_verified"), "true".into());
            }
        }
        attributes.insert("sub".into(), sub.clone());

        let policy = pool.password_policy();
        let password = match &input.temporary_password {
            Some(p) => {
                check_password_policy(&pool, p, CREATE_PASSWORD_PREFIX)?;
                p.clone()
            }
            None => generated_password(&policy),
        };
        let now = self.clock.now();
        let aliases = UserDirectory::aliases_of(&pool, &attributes);
        let sealed_password = self.seal_password(&pool.id, &username, &sub, &password)?;
        let user = User {
            pool_id: pool.id.clone(),
            username_key: pool.normalize(&username),
            username,
            status: UserStatus::ForceChangePassword,
            enabled: true,
            created: now,
            modified: now,
            password: Some(sealed_password),
            password_expires: Some(
                now.plus_seconds(policy.temporary_password_validity_days * 86_400),
            ),
            attributes,
            pending_attributes: Default::default(),
            aliases: aliases.clone(),
            sign_in_failures: Default::default(),
            mfa: Default::default(),
            sub,
        };
        let take = if input.force_alias_creation {
            aliases.as_slice()
        } else {
            &[]
        };
        self.users
            .create(&pool, &user, take, None, Creation::AdminCreateUser)
            .await?;
        if input.message_action == MessageAction::Send {
            let mediums = if input.delivery_mediums.is_empty() {
                vec![Medium::Sms]
            } else {
                input.delivery_mediums.clone()
            };
            if let Err(e) = self
                .messenger
                .send_invitation(
                    &pool,
                    &user,
                    &password,
                    &mediums,
                    Occasion::new(MessageSource::AdminCreateUser, None, &input.client_metadata),
                )
                .await
            {
                // An invitation that could not go out leaves no user behind.
                self.users.delete(&pool.id, &user.sub).await?;
                return Err(e);
            }
        }
        Ok(user)
    }

    /// The stored username. In pools whose username attributes are email or
    /// phone number, the caller's username is that attribute and the stored
    /// username is the user's `sub`.
    pub(crate) fn username_for(
        &self,
        pool: &UserPool,
        requested: &str,
        sub: &str,
        attributes: &mut BTreeMap<String, String>,
    ) -> Result<String> {
        let allowed = pool.username_attributes();
        if allowed.is_empty() {
            // A username that looks like an alias would make sign-in ambiguous.
            let aliases = pool.alias_attributes();
            if aliases.iter().any(|a| a == "email") && is_email(requested) {
                return Err(Error::InvalidParameter(
                    "Username cannot be of email format, since user pool is configured for email alias.".into(),
                ));
            }
            if aliases.iter().any(|a| a == "phone_number") && is_phone(requested) {
                return Err(Error::InvalidParameter(
                    "Username cannot be of phone number format, since user pool is configured for phone number alias.".into(),
                ));
            }
            return Ok(requested.to_owned());
        }
        let email_ok = allowed.iter().any(|a| a == "email");
        let phone_ok = allowed.iter().any(|a| a == "phone_number");
        let attr = if email_ok && is_email(requested) {
            "email"
        } else if phone_ok && is_phone(requested) {
            "phone_number"
        } else {
            let message = match (email_ok, phone_ok) {
                (true, true) => "Username should be either an email or a phone number.",
                (true, false) => "Username should be an email.",
                _ => "Username should be a phone number.",
            };
            return Err(Error::InvalidParameter(message.into()));
        };
        let mut faults = AttributeFaults::new();
        faults.check_value(&pool.schema, attr, requested);
        faults.into_result(FaultWording::Creation)?;
        if let Some(given) = attributes.get(attr)
            && given != requested
        {
            return Err(Error::InvalidParameter(format!(
                "The {attr} attribute must match the username."
            )));
        }
        attributes.insert(attr.to_owned(), requested.to_owned());
        Ok(sub.to_owned())
    }

    async fn resend_invitation(&self, pool: &UserPool, input: &CreateUser) -> Result<User> {
        let mut user = self.admin_named_user(pool, &input.username).await?;
        if user.status != UserStatus::ForceChangePassword {
            return Err(Error::UnsupportedUserState(format!(
                "Resend not possible. {} status is not FORCE_CHANGE_PASSWORD",
                user.username
            )));
        }
        let policy = pool.password_policy();
        let password = match &input.temporary_password {
            Some(p) => {
                check_password_policy(pool, p, CREATE_PASSWORD_PREFIX)?;
                p.clone()
            }
            None => generated_password(&policy),
        };
        let now = self.clock.now();
        user.password = Some(self.seal_password(&pool.id, &user.username, &user.sub, &password)?);
        user.password_expires =
            Some(now.plus_seconds(policy.temporary_password_validity_days * 86_400));
        user.modified = now;
        self.users.save(&user).await?;
        let mediums = if input.delivery_mediums.is_empty() {
            vec![Medium::Sms]
        } else {
            input.delivery_mediums.clone()
        };
        self.messenger
            .send_invitation(
                pool,
                &user,
                &password,
                &mediums,
                Occasion::new(MessageSource::AdminCreateUser, None, &input.client_metadata),
            )
            .await?;
        Ok(user)
    }

    pub async fn admin_get_user(&self, pool_id: &UserPoolId, username: &str) -> Result<User> {
        let pool = self.pool(pool_id).await?;
        self.admin_named_user(&pool, username).await
    }

    pub async fn admin_update_user_attributes(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        updates: &[(String, String)],
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let mut user = self.admin_named_user(&pool, username).await?;
        let to_verify = Self::apply_attribute_updates(&pool, &mut user, updates)?;
        user.modified = self.clock.now();
        self.users.save(&user).await?;
        let occasion = Occasion::new(MessageSource::UpdateUserAttribute, None, client_metadata);
        self.send_verification_codes(&pool, &user, to_verify, occasion)
            .await?;
        Ok(())
    }

    pub async fn admin_delete_user_attributes(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        names: &[String],
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let mut user = self.admin_named_user(&pool, username).await?;
        let mut faults = AttributeFaults::new();
        for name in names {
            match pool.schema_attribute(name) {
                None => faults.add(name, "Attribute does not exist in the schema."),
                Some(attr) if attr.required || name == "sub" => {
                    faults.add(name, "The attribute is required")
                }
                Some(_) => faults.check_mutable(&pool.schema, name),
            }
        }
        faults.into_result(FaultWording::Deletion)?;
        for name in names {
            user.attributes.remove(name);
            if name == "email" || name == "phone_number" {
                user.attributes.remove(&format!("{name}_verified"));
            }
        }
        user.aliases = UserDirectory::aliases_of(&pool, &user.attributes);
        user.modified = self.clock.now();
        self.users.save(&user).await
    }

    pub async fn admin_delete_user(&self, pool_id: &UserPoolId, username: &str) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_named_user(&pool, username).await?;
        self.users.delete(&pool.id, &user.sub).await
    }

    pub async fn admin_set_enabled(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        enabled: bool,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let mut user = self.admin_named_user(&pool, username).await?;
        user.enabled = enabled;
        user.modified = self.clock.now();
        if enabled {
            self.users.save(&user).await
        } else {
            // Disabling ends every sign-in, as a global sign-out does.
            self.users.disable(&user).await
        }
    }

    pub async fn admin_set_user_password(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        password: &str,
        permanent: bool,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let mut user = self.admin_named_user(&pool, username).await?;
        check_password_policy(&pool, password, SET_PASSWORD_PREFIX)?;
        let now = self.clock.now();
        user.password = Some(self.seal_password(&pool.id, &user.username, &user.sub, password)?);
        if permanent {
            user.status = UserStatus::Confirmed;
            user.password_expires = None;
        } else {
            user.status = UserStatus::ForceChangePassword;
            user.password_expires = Some(
                now.plus_seconds(pool.password_policy().temporary_password_validity_days * 86_400),
            );
        }
        user.modified = now;
        self.users.save(&user).await
    }

    /// Marks the password for reset: the user must set a new one through
    /// ForgotPassword / ConfirmForgotPassword before signing in again.
    pub async fn admin_reset_user_password(
        &self,
        pool_id: &UserPoolId,
        username: &str,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let mut user = self.admin_named_user(&pool, username).await?;
        if !user.enabled {
            return Err(Error::NotAuthorized("User is disabled.".into()));
        }
        let (medium, destination) =
            Codes::recovery_destination(&pool, &user).ok_or_else(no_recovery_contact)?;
        user.status = UserStatus::ResetRequired;
        user.modified = self.clock.now();
        self.users.save(&user).await?;
        self.codes
            .issue(
                &pool,
                &user,
                CodePurpose::ResetPassword,
                RESET_CODE_LIFETIME_SECONDS,
                (medium, &destination),
                Occasion::of(MessageSource::ForgotPassword, None),
            )
            .await?;
        Ok(())
    }

    pub async fn admin_confirm_sign_up(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<()> {
        let pool = self.pool(pool_id).await?;
        let mut user = self.admin_named_user(&pool, username).await?;
        if user.status != UserStatus::Unconfirmed {
            return Err(Error::NotAuthorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        user.status = UserStatus::Confirmed;
        user.modified = self.clock.now();
        let caller = Caller {
            pool: &pool,
            client_id: None,
            username: &user.username,
        };
        self.triggers
            .post_confirmation(
                &caller,
                ConfirmationSource::ConfirmSignUp,
                &user,
                client_metadata,
            )
            .await?;
        // The user as the function left it, confirmed.
        let mut current = self
            .users
            .by_sub(&pool.id, &user.sub)
            .await?
            .ok_or_else(user_not_found)?;
        current.status = UserStatus::Confirmed;
        current.modified = self.clock.now();
        self.users.save(&current).await
    }
}
