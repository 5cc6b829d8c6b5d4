//! ListUsersInGroup.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::{GroupName, UserPoolId};

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    group_name: GroupName,
    limit: Option<i64>,
    next_token: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let page = state
        .services
        .list_users_in_group(
            &r.user_pool_id,
            &r.group_name,
            r.limit,
            r.next_token.as_deref(),
        )
        .await?;
    let users: Vec<Value> = page.items.iter().map(shapes::user).collect();
    Ok(shapes::with_token(
        json!({"Users": users}),
        "NextToken",
        page.next,
    ))
}
