//! UpdateUserPool: replaces every updatable setting; omitted ones return to defaults.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use tessera_core::ids::UserPoolId;
use tessera_core::services::pools::UpdatePool;

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    pool_name: Option<String>,
    user_pool_tags: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    members: Map<String, Value>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .update_pool(UpdatePool {
            id: r.user_pool_id,
            name: r.pool_name,
            members: r.members,
            tags: r.user_pool_tags,
        })
        .await?;
    Ok(json!({}))
}
