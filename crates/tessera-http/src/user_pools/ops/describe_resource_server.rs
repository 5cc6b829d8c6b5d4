//! DescribeResourceServer.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::{oauth_shapes, parse};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    identifier: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let server = state
        .services
        .describe_resource_server(&r.user_pool_id, &r.identifier)
        .await?;
    Ok(json!({"ResourceServer": oauth_shapes::resource_server(&r.user_pool_id, &server)}))
}
