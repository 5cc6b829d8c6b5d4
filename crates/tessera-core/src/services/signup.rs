//! Self-service sign-up: SignUp, ConfirmSignUp, ResendConfirmationCode.

use std::collections::BTreeMap;

use super::Services;
use super::auth::prevents_user_existence_errors;
use super::client_attributes::check_writable;
use super::codes::{CONFIRM_CODE_LIFETIME_SECONDS, CodeDelivery, medium_for};
use super::credentials::{SIGN_UP_PASSWORD_PREFIX, check_password_policy};
use crate::domain::client::AppClient;
use crate::domain::code::CodePurpose;
use crate::domain::pool::UserPool;
use crate::domain::schema::check_required_present;
use crate::domain::user::{User, UserStatus};
use crate::error::{Error, Result};
use crate::ids::ClientId;
use crate::store::{Conflict, StoreError};

pub struct SignUp {
    pub client_id: ClientId,
    pub username: String,
    pub password: Option<String>,
    pub attributes: Vec<(String, String)>,
    pub secret_hash: Option<String>,
}

pub struct SignUpResult {
    pub user_sub: String,
    pub confirmed: bool,
    pub delivery: Option<CodeDelivery>,
}

pub struct ConfirmSignUp {
    pub client_id: ClientId,
    pub username: String,
    pub code: String,
    pub secret_hash: Option<String>,
    pub force_alias_creation: bool,
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
        let (pool, client) = self.client_and_pool(&input.client_id, None).await?;
        self.check_secret_hash(&client, input.secret_hash.as_deref(), &[&input.username])?;
        let password = input
            .password
            .as_deref()
            .ok_or_else(|| Error::InvalidParameter("A password is required to sign up.".into()))?;
        check_writable(&client, input.attributes.iter().map(|(n, _)| n.as_str()))?;
        Self::check_attributes(&pool, &input.attributes)?;
        check_password_policy(&pool, password, SIGN_UP_PASSWORD_PREFIX)?;
        let sub = uuid::Uuid::new_v4().to_string();
        let mut attributes: BTreeMap<String, String> = input.attributes.iter().cloned().collect();
        let username = self.username_for(&pool, &input.username, &sub, &mut attributes)?;
        attributes.insert("sub".into(), sub.clone());
        check_required_present(&pool.schema, |n| attributes.contains_key(n))?;
        let now = self.clock.now();
        let sealed = self.seal_password(&pool.id, &username, &sub, password)?;
        let user = User {
            pool_id: pool.id.clone(),
            sub: sub.clone(),
            username_key: pool.normalize(&username),
            username,
            status: UserStatus::Unconfirmed,
            enabled: true,
            created: now,
            modified: now,
            aliases: Self::aliases_of(&pool, &attributes),
            attributes,
            pending_attributes: Default::default(),
            password: Some(sealed),
            password_expires: None,
            sign_in_failures: Default::default(),
        };
        self.store
            .create_user(&user, &[])
            .await
            .map_err(|e| match e {
                // SignUp words a taken username differently from AdminCreateUser.
                StoreError::Conflict(Conflict::Username) => {
                    Error::UsernameExists("User already exists".into())
                }
                other => self.create_conflict(&pool, other),
            })?;
        let delivery = match confirmation_attribute(&pool, &user) {
            Some(attribute) => match self.send_confirmation_code(&pool, &user, &attribute).await {
                Ok(d) => Some(d),
                Err(e) => {
                    // A code that could not go out leaves no user behind.
                    self.store.delete_user(&pool.id, &user.sub).await?;
                    return Err(e);
                }
            },
            None => None,
        };
        Ok(SignUpResult {
            user_sub: sub,
            confirmed: false,
            delivery,
        })
    }

    /// The user a confirmation or recovery names; unknown users get the
    /// answer PreventUserExistenceErrors asks for.
    async fn named_user(
        &self,
        pool: &UserPool,
        client: &AppClient,
        name: &str,
        hidden: Error,
    ) -> Result<User> {
        match self.find_user(pool, name).await {
            Ok(u) => Ok(u),
            Err(Error::UserNotFound) if prevents_user_existence_errors(client) => Err(hidden),
            Err(e) => Err(e),
        }
    }

    pub async fn confirm_sign_up(&self, input: ConfirmSignUp) -> Result<()> {
        let (pool, client) = self.client_and_pool(&input.client_id, None).await?;
        let hidden =
            Error::CodeMismatch("Invalid verification code provided, please try again.".into());
        let mut user = self
            .named_user(&pool, &client, &input.username, hidden)
            .await?;
        self.check_secret_hash(
            &client,
            input.secret_hash.as_deref(),
            &[&input.username, &user.username],
        )?;
        if user.status != UserStatus::Unconfirmed {
            return Err(Error::NotAuthorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        self.check_code(&user, &CodePurpose::ConfirmSignUp, &input.code)
            .await?;
        if let Some(attribute) = confirmation_attribute(&pool, &user) {
            user.attributes
                .insert(format!("{attribute}_verified"), "true".into());
        }
        user.status = UserStatus::Confirmed;
        user.aliases = Self::aliases_of(&pool, &user.attributes);
        user.modified = self.clock.now();
        let take = if input.force_alias_creation {
            user.aliases.clone()
        } else {
            Vec::new()
        };
        self.store
            .update_user(&user, &take)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(Conflict::Alias(alias)) => Error::AliasExists(format!(
                    "An account with the {} already exists.",
                    alias.kind.attribute()
                )),
                StoreError::NotFound => Error::UserNotFound,
                other => other.into(),
            })
    }

    pub async fn resend_confirmation_code(
        &self,
        client_id: &ClientId,
        username: &str,
        secret_hash: Option<&str>,
    ) -> Result<CodeDelivery> {
        let (pool, client) = self.client_and_pool(client_id, None).await?;
        let user = match self.find_user(&pool, username).await {
            Ok(u) => u,
            Err(Error::UserNotFound) if prevents_user_existence_errors(&client) => {
                self.check_secret_hash(&client, secret_hash, &[username])?;
                return Ok(CodeDelivery {
                    destination: "***@***".into(),
                    medium: crate::mailer::Medium::Email,
                    attribute: "email".into(),
                });
            }
            Err(e) => return Err(e),
        };
        self.check_secret_hash(&client, secret_hash, &[username, &user.username])?;
        if user.status != UserStatus::Unconfirmed {
            return Err(Error::InvalidParameter("User is already confirmed.".into()));
        }
        let attribute = confirmation_attribute(&pool, &user).ok_or_else(|| {
            Error::InvalidParameter("Cannot resend codes. Auto verification not turned on.".into())
        })?;
        self.send_confirmation_code(&pool, &user, &attribute).await
    }

    async fn send_confirmation_code(
        &self,
        pool: &UserPool,
        user: &User,
        attribute: &str,
    ) -> Result<CodeDelivery> {
        let destination = user.attributes.get(attribute).cloned().unwrap_or_default();
        self.issue_code(
            pool,
            user,
            CodePurpose::ConfirmSignUp,
            CONFIRM_CODE_LIFETIME_SECONDS,
            medium_for(attribute),
            &destination,
        )
        .await
    }
}
