//! What signed-in users do with their access token: GetUser,
//! UpdateUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute,
//! DeleteUserAttributes, DeleteUser, ChangePassword.

use std::collections::BTreeMap;

use super::Services;
use super::attributes::check_writable;
use super::codes::{CodeDelivery, VERIFY_CODE_LIFETIME_SECONDS, medium_for};
use super::credentials::{SET_PASSWORD_PREFIX, check_password_policy};
use super::directory::UserDirectory;
use super::events::{Assessment, Draft, EventKind};
use super::existence::attempt_limit_exceeded;
use super::messages::Occasion;
use super::tokens::Authenticated;
use super::triggers::message::MessageSource;
use crate::domain::client_policy::ClientPolicy;
use crate::domain::code::CodePurpose;
use crate::domain::risk::CheckedEvent;
use crate::domain::user::User;
use crate::error::{Error, Result};

impl Services {
    /// The caller's user and the policy of the client its token was issued to.
    async fn caller(&self, access_token: &str) -> Result<(Authenticated, ClientPolicy)> {
        let who = self.authenticate(access_token).await?;
        let client = self.client(&who.pool.id, &who.client_id).await?;
        Ok((who, client.policy()))
    }

    /// GetUser: the user with the attributes the client may read.
    pub async fn get_user(&self, access_token: &str) -> Result<User> {
        let (who, policy) = self.caller(access_token).await?;
        let mut user = who.user;
        user.attributes.retain(|name, _| policy.may_read(name));
        Ok(user)
    }

    pub async fn update_user_attributes(
        &self,
        access_token: &str,
        updates: &[(String, String)],
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<Vec<CodeDelivery>> {
        let (who, policy) = self.caller(access_token).await?;
        check_writable(&policy, updates.iter().map(|(n, _)| n.as_str()))?;
        let (pool, mut user) = (who.pool, who.user);
        let to_verify = Self::apply_attribute_updates(&pool, &mut user, updates)?;
        user.modified = self.clock.now();
        self.users.save(&user).await?;
        let occasion = Occasion::new(
            MessageSource::UpdateUserAttribute,
            Some(who.client_id.as_str()),
            client_metadata,
        );
        self.send_verification_codes(&pool, &user, to_verify, occasion)
            .await
    }

    pub async fn get_user_attribute_verification_code(
        &self,
        access_token: &str,
        attribute: &str,
        client_metadata: &BTreeMap<String, String>,
    ) -> Result<CodeDelivery> {
        let (who, _) = self.caller(access_token).await?;
        let (pool, user, client_id) = (who.pool, who.user, who.client_id);
        if attribute != "email" && attribute != "phone_number" {
            return Err(Error::InvalidParameter(
                "Invalid attribute name. Only phone_number and email can be verified.".into(),
            ));
        }
        let destination = user
            .pending_attributes
            .get(attribute)
            .or_else(|| user.attributes.get(attribute))
            .cloned()
            .ok_or_else(|| {
                Error::InvalidParameter(format!("User does not have the attribute {attribute}."))
            })?;
        self.codes
            .issue(
                &pool,
                &user,
                CodePurpose::VerifyAttribute(attribute.to_owned()),
                VERIFY_CODE_LIFETIME_SECONDS,
                (medium_for(attribute), &destination),
                Occasion::new(
                    MessageSource::VerifyUserAttribute,
                    Some(client_id.as_str()),
                    client_metadata,
                ),
            )
            .await
    }

    pub async fn verify_user_attribute(
        &self,
        access_token: &str,
        attribute: &str,
        code: &str,
    ) -> Result<()> {
        let (who, _) = self.caller(access_token).await?;
        let (pool, mut user) = (who.pool, who.user);
        self.codes
            .check(
                &user,
                &CodePurpose::VerifyAttribute(attribute.to_owned()),
                code,
            )
            .await?;
        if let Some(value) = user.pending_attributes.remove(attribute) {
            user.attributes.insert(attribute.to_owned(), value);
        }
        user.attributes
            .insert(format!("{attribute}_verified"), "true".into());
        user.aliases = UserDirectory::aliases_of(&pool, &user.attributes);
        user.modified = self.clock.now();
        self.users.save(&user).await
    }

    pub async fn delete_user_attributes(&self, access_token: &str, names: &[String]) -> Result<()> {
        let (who, policy) = self.caller(access_token).await?;
        check_writable(&policy, names.iter().map(String::as_str))?;
        self.admin_delete_user_attributes(&who.pool.id, &who.user.username, names)
            .await
    }

    pub async fn delete_user(&self, access_token: &str) -> Result<()> {
        let (who, _) = self.caller(access_token).await?;
        self.users.delete(&who.pool.id, &who.user.sub).await
    }

    pub async fn change_password(
        &self,
        access_token: &str,
        previous: &str,
        proposed: &str,
    ) -> Result<()> {
        let (who, _) = self.caller(access_token).await?;
        let (pool, mut user) = (who.pool, who.user);
        // ChangePassword words the lockout as a limit (aws-sdk-android#627).
        let admission = self
            .admit_password_check(&user)
            .await
            .map_err(|e| match e {
                Error::NotAuthorized(_) => attempt_limit_exceeded(),
                other => other,
            })?;
        let matched = self.password_matches(&user, previous)?;
        let change = |passed, assessment| Draft {
            kind: EventKind::PasswordChange,
            passed,
            assessment,
            challenges: &[],
            ip: None,
        };
        if !matched {
            self.record_auth_event(&pool, &user.sub, change(false, Assessment::default()))
                .await?;
        }
        self.settle_password_check(&user, admission, matched)
            .await?;
        check_password_policy(&pool, proposed, SET_PASSWORD_PREFIX)?;
        let assessment = self
            .assess_password(&pool, None, CheckedEvent::PasswordChange, proposed, None)
            .await?;
        if assessment.blocked {
            self.record_auth_event(&pool, &user.sub, change(false, assessment))
                .await?;
        }
        Self::refuse_if_blocked(assessment)?;
        user.password = Some(self.seal_password(&pool.id, &user.username, &user.sub, proposed)?);
        user.modified = self.clock.now();
        self.users.save(&user).await?;
        self.record_auth_event(&pool, &user.sub, change(true, assessment))
            .await?;
        Ok(())
    }
}
