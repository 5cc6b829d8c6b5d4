//! AdminListGroupsForUser.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    username: String,
    limit: Option<i64>,
    next_token: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let page = state
        .services
        .admin_list_groups_for_user(
            &r.user_pool_id,
            &r.username,
            r.limit,
            r.next_token.as_deref(),
        )
        .await?;
    let groups: Vec<Value> = page.items.iter().map(shapes::group).collect();
    Ok(shapes::with_token(
        json!({"Groups": groups}),
        "NextToken",
        page.next,
    ))
}
