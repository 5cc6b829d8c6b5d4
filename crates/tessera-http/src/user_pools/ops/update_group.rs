//! UpdateGroup: changes the members sent.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::{GroupName, UserPoolId};
use tessera_core::services::groups::GroupInput;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    group_name: GroupName,
    description: Option<String>,
    role_arn: Option<String>,
    precedence: Option<i64>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let group = state
        .services
        .update_group(GroupInput {
            pool_id: r.user_pool_id,
            name: r.group_name,
            description: r.description,
            precedence: r.precedence,
            role_arn: r.role_arn,
        })
        .await?;
    Ok(json!({"Group": shapes::group(&group)}))
}
