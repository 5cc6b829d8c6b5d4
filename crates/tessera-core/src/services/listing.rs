//! ListUsers: the filter grammar, attribute selection and pagination.

use super::{Services, next_token, page_request};
use crate::domain::filter::{self, UserFilter};
use crate::domain::user::User;
use crate::error::{Error, Result};
use crate::ids::UserPoolId;
use crate::paging::Page;

pub struct ListUsers {
    pub pool_id: UserPoolId,
    pub filter: Option<String>,
    pub limit: Option<i64>,
    pub token: Option<String>,
    pub attributes_to_get: Option<Vec<String>>,
}

impl Services {
    pub async fn list_users(&self, input: ListUsers) -> Result<Page<User>> {
        let pool = self.pool(&input.pool_id).await?;
        if let Some(names) = &input.attributes_to_get {
            for name in names {
                if pool.schema_attribute(name).is_none() {
                    return Err(Error::InvalidParameter(format!(
                        "One or more requested attributes do not exist: {name}"
                    )));
                }
            }
        }
        let filter = input
            .filter
            .as_deref()
            .map(filter::parse)
            .transpose()?
            .flatten()
            .map(|f| normalize_filter(&pool, f));
        let listing = self
            .store
            .list_users(
                &pool.id,
                filter.as_ref(),
                &page_request(input.limit, input.token.as_deref())?,
            )
            .await?;
        let mut users = listing.items;
        if let Some(names) = &input.attributes_to_get {
            for user in &mut users {
                user.attributes.retain(|k, _| names.contains(k));
            }
        }
        Ok(Page {
            items: users,
            next: next_token(listing.next),
        })
    }
}

/// Cognito matches `cognito:user_status` without regard to case, and usernames
/// the way the pool compares them; the store indexes values in those forms.
fn normalize_filter(pool: &crate::domain::pool::UserPool, mut f: UserFilter) -> UserFilter {
    match f.attribute {
        "cognito:user_status" => f.value = f.value.to_uppercase(),
        "username" => f.value = pool.normalize(&f.value),
        _ => {}
    }
    f
}
