//! DescribeUserPool.

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
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let view = state.services.describe_pool(&r.user_pool_id).await?;
    let mut pool = shapes::user_pool(&view.pool, view.estimated_users);
    if let Some(domain) = view.domain {
        pool["Domain"] = json!(domain);
    }
    if let Some(domain) = view.custom_domain {
        pool["CustomDomain"] = json!(domain);
    }
    Ok(json!({"UserPool": pool}))
}
