//! Identity pools: create, describe, update (a full replacement, as in
//! Cognito), delete, list, and tags.

use std::collections::BTreeMap;

use super::pool_not_found;
use crate::domain::identity_pool::{CognitoProvider, IdentityPool};
use crate::error::{Error, Result};
use crate::ids::IdentityPoolId;
use crate::paging::Page;
use crate::services::{Services, next_token, page_request};
use crate::store::{Conflict, StoreError};

/// What CreateIdentityPool and UpdateIdentityPool set.
#[derive(Debug, Clone, Default)]
pub struct IdentityPoolInput {
    pub name: String,
    pub allow_unauthenticated: bool,
    pub allow_classic_flow: Option<bool>,
    pub supported_login_providers: BTreeMap<String, String>,
    pub developer_provider_name: Option<String>,
    pub open_id_connect_provider_arns: Vec<String>,
    pub cognito_identity_providers: Vec<CognitoProvider>,
    pub saml_provider_arns: Vec<String>,
    /// `None` on update leaves the tags as they are.
    pub tags: Option<BTreeMap<String, String>>,
}

const MAX_TAGS: usize = 50;

/// `cognito-idp.{region}.amazonaws.com/{userPoolId}`: the only form a
/// Cognito identity provider's name takes.
pub(crate) fn user_pool_of_provider(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix("cognito-idp.")?;
    let (region, pool) = rest.split_once(".amazonaws.com/")?;
    let valid = !region.is_empty()
        && pool
            .strip_prefix(region)
            .and_then(|p| p.strip_prefix('_'))
            .is_some_and(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()));
    valid.then_some((region, pool))
}

fn check(input: &IdentityPoolInput) -> Result<()> {
    for provider in &input.cognito_identity_providers {
        if user_pool_of_provider(&provider.provider_name).is_none() {
            return Err(Error::InvalidParameter(format!(
                "Invalid Cognito Identity Provider: {} is not of the form cognito-idp.<region>.amazonaws.com/<userPoolId>.",
                provider.provider_name
            )));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for provider in &input.cognito_identity_providers {
        if !seen.insert((&provider.provider_name, &provider.client_id)) {
            return Err(Error::InvalidParameter(format!(
                "Duplicate Cognito Identity Provider: {} with client {}.",
                provider.provider_name, provider.client_id
            )));
        }
    }
    if input
        .developer_provider_name
        .as_deref()
        .is_some_and(|name| name.starts_with("cognito") || name == super::DEVELOPER_LOGIN_KEY)
    {
        return Err(Error::InvalidParameter(
            "DeveloperProviderName cannot start with 'cognito'.".into(),
        ));
    }
    if input.tags.as_ref().is_some_and(|t| t.len() > MAX_TAGS) {
        return Err(Error::InvalidParameter(format!(
            "An identity pool can have at most {MAX_TAGS} tags."
        )));
    }
    Ok(())
}

impl Services {
    pub async fn create_identity_pool(&self, input: IdentityPoolInput) -> Result<IdentityPool> {
        check(&input)?;
        let pool = IdentityPool {
            id: IdentityPoolId::new(format!(
                "{}:{}",
                self.deployment.region,
                uuid::Uuid::new_v4()
            )),
            name: input.name,
            created: self.clock.now(),
            allow_unauthenticated: input.allow_unauthenticated,
            allow_classic_flow: input.allow_classic_flow.unwrap_or(false),
            supported_login_providers: input.supported_login_providers,
            developer_provider_name: input.developer_provider_name,
            open_id_connect_provider_arns: input.open_id_connect_provider_arns,
            cognito_identity_providers: input.cognito_identity_providers,
            saml_provider_arns: input.saml_provider_arns,
            tags: input.tags.unwrap_or_default(),
            roles: BTreeMap::new(),
            role_mappings: BTreeMap::new(),
            principal_tags: BTreeMap::new(),
            version: 0,
        };
        self.store.create_identity_pool(&pool).await?;
        Ok(pool)
    }

    pub async fn identity_pool(&self, id: &IdentityPoolId) -> Result<IdentityPool> {
        self.store.get_identity_pool(id).await.map_err(|e| match e {
            StoreError::NotFound => pool_not_found(id),
            other => other.into(),
        })
    }

    /// Reads the pool, applies `change` and stores the result, reading again
    /// when another change was stored in between (the store refuses an update
    /// of a record that moved on), so concurrent changes to one pool — roles
    /// on one node, tags on another — all take effect.
    pub(crate) async fn modify_identity_pool(
        &self,
        id: &IdentityPoolId,
        change: impl Fn(&mut IdentityPool) -> Result<()>,
    ) -> Result<IdentityPool> {
        for _ in 0..5 {
            let mut pool = self.identity_pool(id).await?;
            change(&mut pool)?;
            match self.store.update_identity_pool(&pool).await {
                Ok(()) => {
                    pool.version += 1;
                    return Ok(pool);
                }
                Err(StoreError::Conflict(Conflict::Changed)) => continue,
                Err(StoreError::NotFound) => return Err(pool_not_found(id)),
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::TooManyRequests(
            "The identity pool is being changed by other requests; try again.".into(),
        ))
    }

    /// UpdateIdentityPool: every member is replaced, as Cognito replaces
    /// them; roles and role mappings stay (SetIdentityPoolRoles owns them).
    pub async fn update_identity_pool(
        &self,
        id: &IdentityPoolId,
        input: IdentityPoolInput,
    ) -> Result<IdentityPool> {
        check(&input)?;
        self.modify_identity_pool(id, |pool| {
            if let (Some(old), Some(new)) = (
                &pool.developer_provider_name,
                &input.developer_provider_name,
            ) && old != new
            {
                return Err(Error::InvalidParameter(
                    "DeveloperProviderName cannot be changed once it is set.".into(),
                ));
            }
            pool.name = input.name.clone();
            pool.allow_unauthenticated = input.allow_unauthenticated;
            if let Some(classic) = input.allow_classic_flow {
                pool.allow_classic_flow = classic;
            }
            pool.supported_login_providers = input.supported_login_providers.clone();
            if input.developer_provider_name.is_some() {
                pool.developer_provider_name = input.developer_provider_name.clone();
            }
            pool.open_id_connect_provider_arns = input.open_id_connect_provider_arns.clone();
            pool.cognito_identity_providers = input.cognito_identity_providers.clone();
            pool.saml_provider_arns = input.saml_provider_arns.clone();
            if let Some(tags) = &input.tags {
                pool.tags = tags.clone();
            }
            Ok(())
        })
        .await
    }

    pub async fn delete_identity_pool(&self, id: &IdentityPoolId) -> Result<()> {
        self.store
            .delete_identity_pool(id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => pool_not_found(id),
                other => other.into(),
            })
    }

    pub async fn list_identity_pools(
        &self,
        max_results: i64,
        next: Option<&str>,
    ) -> Result<Page<IdentityPool>> {
        let page = page_request(Some(max_results), next)?;
        let listing = self.store.list_identity_pools(&page).await?;
        Ok(Page {
            items: listing.items,
            next: next_token(listing.next),
        })
    }

    /// `arn:aws:cognito-identity:{region}:{account}:identitypool/{id}`.
    pub fn identity_pool_arn(&self, id: &IdentityPoolId) -> String {
        format!(
            "arn:aws:cognito-identity:{}:{}:identitypool/{id}",
            self.deployment.region, self.deployment.account_id
        )
    }

    fn identity_pool_of_arn(&self, arn: &str) -> Result<IdentityPoolId> {
        let prefix = format!(
            "arn:aws:cognito-identity:{}:{}:identitypool/",
            self.deployment.region, self.deployment.account_id
        );
        arn.strip_prefix(&prefix)
            .map(IdentityPoolId::new)
            .ok_or_else(|| {
                Error::InvalidParameter(format!(
                    "{arn} is not an identity pool ARN of this server."
                ))
            })
    }

    pub async fn tag_identity_pool(&self, arn: &str, tags: BTreeMap<String, String>) -> Result<()> {
        let id = self.identity_pool_of_arn(arn)?;
        self.modify_identity_pool(&id, |pool| {
            pool.tags.extend(tags.clone());
            if pool.tags.len() > MAX_TAGS {
                return Err(Error::InvalidParameter(format!(
                    "An identity pool can have at most {MAX_TAGS} tags."
                )));
            }
            Ok(())
        })
        .await?;
        Ok(())
    }

    pub async fn untag_identity_pool(&self, arn: &str, keys: &[String]) -> Result<()> {
        let id = self.identity_pool_of_arn(arn)?;
        self.modify_identity_pool(&id, |pool| {
            for key in keys {
                pool.tags.remove(key);
            }
            Ok(())
        })
        .await?;
        Ok(())
    }

    pub async fn identity_pool_tags(&self, arn: &str) -> Result<BTreeMap<String, String>> {
        let id = self.identity_pool_of_arn(arn)?;
        Ok(self.identity_pool(&id).await?.tags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_name_a_user_pool() {
        assert_eq!(
            user_pool_of_provider("cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"),
            Some(("us-east-1", "us-east-1_AbC123"))
        );
        for bad in [
            "cognito-idp.us-east-1.amazonaws.com/eu-west-1_AbC123",
            "cognito-idp.us-east-1.amazonaws.com/us-east-1_",
            "accounts.google.com",
            "cognito-idp..amazonaws.com/_x",
            "cognito-idp.us-east-1.amazonaws.com/us-east-1_a/b",
        ] {
            assert_eq!(user_pool_of_provider(bad), None, "{bad}");
        }
    }
}
