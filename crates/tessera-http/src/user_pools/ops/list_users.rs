//! ListUsers.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;
use tessera_core::services::listing::ListUsers;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    attributes_to_get: Option<Vec<String>>,
    limit: Option<i64>,
    pagination_token: Option<String>,
    filter: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let page = state
        .services
        .list_users(ListUsers {
            pool_id: r.user_pool_id,
            filter: r.filter,
            limit: r.limit,
            token: r.pagination_token,
            attributes_to_get: r.attributes_to_get,
        })
        .await?;
    let users: Vec<Value> = page.items.iter().map(shapes::user).collect();
    Ok(shapes::with_token(
        json!({"Users": users}),
        "PaginationToken",
        page.next,
    ))
}
