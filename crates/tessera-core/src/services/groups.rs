//! Groups and memberships.

use super::{Services, next_token, page_request};
use crate::domain::group::Group;
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::{GroupName, UserPoolId};
use crate::paging::Page;
use crate::store::{Conflict, StoreError};

pub struct GroupInput {
    pub pool_id: UserPoolId,
    pub name: GroupName,
    pub description: Option<String>,
    pub precedence: Option<i64>,
    pub role_arn: Option<String>,
}

fn group_not_found() -> Error {
    Error::ResourceNotFound("Group not found.".into())
}

fn not_found_as_group(e: StoreError) -> Error {
    match e {
        StoreError::NotFound => group_not_found(),
        other => other.into(),
    }
}

impl Services {
    pub async fn create_group(&self, input: GroupInput) -> Result<Group> {
        self.pool(&input.pool_id).await?;
        let now = self.clock.now();
        let group = Group {
            pool_id: input.pool_id,
            name: input.name,
            description: input.description,
            precedence: input.precedence,
            role_arn: input.role_arn,
            created: now,
            modified: now,
        };
        self.store.create_group(&group).await.map_err(|e| match e {
            // The name is not repeated (aws-amplify/amplify-backend#1781).
            StoreError::Conflict(Conflict::GroupName) => {
                Error::GroupExists("A group with the name already exists".into())
            }
            other => other.into(),
        })?;
        Ok(group)
    }

    pub async fn get_group(&self, pool_id: &UserPoolId, name: &GroupName) -> Result<Group> {
        self.pool(pool_id).await?;
        self.store
            .get_group(pool_id, name)
            .await
            .map_err(not_found_as_group)
    }

    pub async fn list_groups(
        &self,
        pool_id: &UserPoolId,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<Group>> {
        self.pool(pool_id).await?;
        let listing = self
            .store
            .list_groups(pool_id, &page_request(limit, token)?)
            .await?;
        Ok(Page {
            items: listing.items,
            next: next_token(listing.next),
        })
    }

    /// Changes only the members the caller sent.
    pub async fn update_group(&self, input: GroupInput) -> Result<Group> {
        let mut group = self.get_group(&input.pool_id, &input.name).await?;
        if input.description.is_some() {
            group.description = input.description;
        }
        if input.precedence.is_some() {
            group.precedence = input.precedence;
        }
        if input.role_arn.is_some() {
            group.role_arn = input.role_arn;
        }
        group.modified = self.clock.now();
        self.store
            .update_group(&group)
            .await
            .map_err(not_found_as_group)?;
        Ok(group)
    }

    pub async fn delete_group(&self, pool_id: &UserPoolId, name: &GroupName) -> Result<()> {
        self.pool(pool_id).await?;
        self.store
            .delete_group(pool_id, name)
            .await
            .map_err(not_found_as_group)
    }

    /// The `sub` of the user a membership change names, once both the user
    /// and the group are known to exist (each with its own error).
    async fn membership_user(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        group: &GroupName,
    ) -> Result<String> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_named_user(&pool, username).await?;
        self.store
            .get_group(pool_id, group)
            .await
            .map_err(not_found_as_group)?;
        Ok(user.sub)
    }

    pub async fn admin_add_user_to_group(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        group: &GroupName,
    ) -> Result<()> {
        let sub = self.membership_user(pool_id, username, group).await?;
        self.store
            .add_user_to_group(pool_id, &sub, group)
            .await
            .map_err(not_found_as_group)
    }

    pub async fn admin_remove_user_from_group(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        group: &GroupName,
    ) -> Result<()> {
        let sub = self.membership_user(pool_id, username, group).await?;
        self.store
            .remove_user_from_group(pool_id, &sub, group)
            .await
            .map_err(not_found_as_group)
    }

    pub async fn admin_list_groups_for_user(
        &self,
        pool_id: &UserPoolId,
        username: &str,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<Group>> {
        let pool = self.pool(pool_id).await?;
        let user = self.admin_named_user(&pool, username).await?;
        let listing = self
            .store
            .list_groups_for_user(pool_id, &user.sub, &page_request(limit, token)?)
            .await?;
        Ok(Page {
            items: listing.items,
            next: next_token(listing.next),
        })
    }

    pub async fn list_users_in_group(
        &self,
        pool_id: &UserPoolId,
        group: &GroupName,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> Result<Page<User>> {
        self.get_group(pool_id, group).await?;
        let listing = self
            .store
            .list_users_in_group(pool_id, group, &page_request(limit, token)?)
            .await?;
        Ok(Page {
            items: listing.items,
            next: next_token(listing.next),
        })
    }
}
