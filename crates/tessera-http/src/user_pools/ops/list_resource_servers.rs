//! ListResourceServers.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::{oauth_shapes, parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    max_results: Option<i64>,
    next_token: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let page = state
        .services
        .list_resource_servers(&r.user_pool_id, r.max_results, r.next_token.as_deref())
        .await?;
    let servers: Vec<Value> = page
        .items
        .iter()
        .map(|s| oauth_shapes::resource_server(&r.user_pool_id, s))
        .collect();
    Ok(shapes::with_token(
        json!({"ResourceServers": servers}),
        "NextToken",
        page.next,
    ))
}
