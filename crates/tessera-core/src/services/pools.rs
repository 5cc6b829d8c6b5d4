//! User pools: create, describe, list, update, delete; custom attributes; tags.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::existence::pool_not_found;
use super::{Services, next_token, page_request};
use crate::domain::mfa::{MfaMode, PoolMfaConfig};
use crate::domain::pool::{
    CREATE_ONLY_SETTINGS, MFA_CONFIG_SETTINGS, UPDATABLE_SETTINGS, UserPool, apply_setting_defaults,
};
use crate::domain::schema::{SchemaAttributeInput, add_custom, build_schema};
use crate::domain::session::POOL_SESSION_SETTINGS;
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::paging::Page;
use crate::store::{Conflict, StoreError};

pub struct CreatePool {
    pub name: String,
    /// The request's other members; only CreateUserPool's settings are kept.
    pub members: Map<String, Value>,
    pub schema: Vec<SchemaAttributeInput>,
    pub tags: BTreeMap<String, String>,
}

pub struct UpdatePool {
    pub id: UserPoolId,
    pub name: Option<String>,
    pub members: Map<String, Value>,
    pub tags: Option<BTreeMap<String, String>>,
}

/// A pool with the user count DescribeUserPool reports.
pub struct PoolView {
    pub pool: UserPool,
    pub estimated_users: u64,
    /// The pool's prefix domain and custom domain, if it has them.
    pub domain: Option<String>,
    pub custom_domain: Option<String>,
}

fn keep_settings(members: &Map<String, Value>, names: &[&str]) -> Map<String, Value> {
    members
        .iter()
        .filter(|(k, v)| names.contains(&k.as_str()) && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// MFA needs a factor. CreateUserPool and UpdateUserPool can only give it
/// SMS (the other factors come from SetUserPoolMfaConfig, kept in the
/// settings), and Cognito refuses MFA without one. With MFA on and SMS
/// configured, SMS is a factor; with MFA off, no factor is.
fn settle_mfa(settings: &mut Map<String, Value>) -> Result<()> {
    let mode = MfaMode::parse(
        settings
            .get("MfaConfiguration")
            .and_then(Value::as_str)
            .unwrap_or("OFF"),
    );
    if mode == MfaMode::Off {
        for member in MFA_CONFIG_SETTINGS {
            if *member != "WebAuthnConfiguration" {
                settings.remove(*member);
            }
        }
        return Ok(());
    }
    if let Some(sms) = settings.get("SmsConfiguration").cloned() {
        let mut config = Map::new();
        config.insert("SmsConfiguration".into(), sms);
        if let Some(text) = settings.get("SmsAuthenticationMessage") {
            config.insert("SmsAuthenticationMessage".into(), text.clone());
        }
        settings.insert("SmsMfaConfiguration".into(), Value::Object(config));
    }
    let has_factor = PoolMfaConfig {
        members: settings.clone(),
    }
    .any_factor();
    if !has_factor {
        return Err(Error::InvalidParameter(
            "SMS configuration and Auto verification for phone_number are required when MFA is required/optional".into(),
        ));
    }
    Ok(())
}

fn check_sign_in_attributes(settings: &Map<String, Value>) -> Result<()> {
    let non_empty = |name: &str| {
        settings
            .get(name)
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    };
    if non_empty("AliasAttributes") && non_empty("UsernameAttributes") {
        return Err(Error::InvalidParameter(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
                .into(),
        ));
    }
    Ok(())
}

impl Services {
    /// A new pool's record, its settings checked and defaults filled in.
    fn new_pool(&self, id: UserPoolId, input: &CreatePool) -> Result<UserPool> {
        let mut settings = keep_settings(
            &input.members,
            &[UPDATABLE_SETTINGS, CREATE_ONLY_SETTINGS].concat(),
        );
        check_sign_in_attributes(&settings)?;
        settle_mfa(&mut settings)?;
        if let Some(lambda_config) = settings.get("LambdaConfig") {
            self.triggers.check_lambda_config(lambda_config)?;
        }
        apply_setting_defaults(&mut settings);
        let now = self.clock.now();
        Ok(UserPool {
            arn: self.pool_arn(&id),
            id,
            name: input.name.clone(),
            created: now,
            modified: now,
            settings,
            schema: build_schema(&input.schema)?,
            tags: input.tags.clone(),
        })
    }

    pub async fn create_pool(&self, input: CreatePool) -> Result<UserPool> {
        loop {
            let id = UserPoolId::new(format!(
                "{}_{}",
                self.deployment.region,
                tessera_crypto::random::alphanumeric(9)
            ));
            let pool = self.new_pool(id, &input)?;
            match self.store.create_pool(&pool).await {
                Ok(()) => return Ok(pool),
                // 62^9 ids make this vanishingly rare; a new id is the answer.
                Err(StoreError::Conflict(Conflict::PoolId)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Creates a pool with a caller-chosen id (declared in configuration).
    pub async fn create_pool_with_id(&self, id: UserPoolId, input: CreatePool) -> Result<UserPool> {
        let pool = self.new_pool(id, &input)?;
        match self.store.create_pool(&pool).await {
            Ok(()) => Ok(pool),
            Err(StoreError::Conflict(Conflict::PoolId)) => Err(Error::InvalidParameter(format!(
                "User pool {} already exists.",
                pool.id
            ))),
            Err(e) => Err(e.into()),
        }
    }

    pub fn pool_arn(&self, id: &UserPoolId) -> String {
        format!(
            "arn:aws:cognito-idp:{}:{}:userpool/{}",
            id.region(),
            self.deployment.account_id,
            id
        )
    }

    pub async fn describe_pool(&self, id: &UserPoolId) -> Result<PoolView> {
        let pool = self.pool(id).await?;
        let estimated_users = self.store.count_users(id).await?;
        let (domain, custom_domain) = self.domain_names(id).await?;
        Ok(PoolView {
            pool,
            estimated_users,
            domain,
            custom_domain,
        })
    }

    pub async fn list_pools(&self, max: i64, token: Option<&str>) -> Result<Page<UserPool>> {
        let listing = self
            .store
            .list_pools(&page_request(Some(max), token)?)
            .await?;
        Ok(Page {
            items: listing.items,
            next: next_token(listing.next),
        })
    }

    pub async fn update_pool(&self, input: UpdatePool) -> Result<()> {
        let mut pool = self.pool(&input.id).await?;
        let mut settings = keep_settings(
            &pool.settings,
            &[
                CREATE_ONLY_SETTINGS,
                MFA_CONFIG_SETTINGS,
                POOL_SESSION_SETTINGS,
            ]
            .concat(),
        );
        settings.extend(keep_settings(&input.members, UPDATABLE_SETTINGS));
        settle_mfa(&mut settings)?;
        if let Some(lambda_config) = input.members.get("LambdaConfig") {
            self.triggers.check_lambda_config(lambda_config)?;
        }
        apply_setting_defaults(&mut settings);
        pool.settings = settings;
        if let Some(name) = input.name {
            pool.name = name;
        }
        if let Some(tags) = input.tags {
            pool.tags = tags;
        }
        pool.modified = self.clock.now();
        self.save_pool(&pool).await
    }

    pub(crate) async fn save_pool(&self, pool: &UserPool) -> Result<()> {
        self.store.update_pool(pool).await.map_err(|e| match e {
            StoreError::NotFound => pool_not_found(&pool.id),
            other => other.into(),
        })
    }

    pub async fn delete_pool(&self, id: &UserPoolId) -> Result<()> {
        let pool = self.pool(id).await?;
        if pool.deletion_protected() {
            return Err(Error::InvalidParameter(
                "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.".into(),
            ));
        }
        self.store.delete_pool(id).await.map_err(|e| match e {
            StoreError::NotFound => pool_not_found(id),
            other => other.into(),
        })
    }

    pub async fn add_custom_attributes(
        &self,
        id: &UserPoolId,
        attributes: &[SchemaAttributeInput],
    ) -> Result<()> {
        let mut pool = self.pool(id).await?;
        for attribute in attributes {
            add_custom(&mut pool.schema, attribute)?;
        }
        pool.modified = self.clock.now();
        self.save_pool(&pool).await
    }

    /// The pool an ARN names; tags live on pools only.
    async fn pool_by_arn(&self, arn: &str) -> Result<UserPool> {
        let not_found = || Error::ResourceNotFound(format!("Resource {arn} does not exist."));
        let id = arn
            .strip_prefix("arn:aws:cognito-idp:")
            .and_then(|rest| rest.split_once(":userpool/"))
            .map(|(_, id)| UserPoolId::new(id))
            .ok_or_else(not_found)?;
        match self.pool(&id).await {
            Ok(pool) if pool.arn == arn => Ok(pool),
            Ok(_) | Err(Error::ResourceNotFound(_)) => Err(not_found()),
            Err(e) => Err(e),
        }
    }

    pub async fn tag_resource(&self, arn: &str, tags: BTreeMap<String, String>) -> Result<()> {
        let mut pool = self.pool_by_arn(arn).await?;
        pool.tags.extend(tags);
        if pool.tags.len() > 50 {
            return Err(Error::InvalidParameter(
                "A user pool can have at most 50 tags.".into(),
            ));
        }
        self.save_pool(&pool).await
    }

    pub async fn untag_resource(&self, arn: &str, keys: &[String]) -> Result<()> {
        let mut pool = self.pool_by_arn(arn).await?;
        for key in keys {
            pool.tags.remove(key);
        }
        self.save_pool(&pool).await
    }

    pub async fn list_tags(&self, arn: &str) -> Result<BTreeMap<String, String>> {
        Ok(self.pool_by_arn(arn).await?.tags)
    }
}
