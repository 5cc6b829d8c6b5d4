//! AdminRemoveUserFromGroup.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::{GroupName, UserPoolId};

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    username: String,
    group_name: GroupName,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .admin_remove_user_from_group(&r.user_pool_id, &r.username, &r.group_name)
        .await?;
    Ok(json!({}))
}
