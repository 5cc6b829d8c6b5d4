//! ListUserPoolClients.

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
    max_results: Option<i64>,
    next_token: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let page = state
        .services
        .list_clients(&r.user_pool_id, r.max_results, r.next_token.as_deref())
        .await?;
    let clients: Vec<Value> = page.items.iter().map(shapes::client_description).collect();
    Ok(shapes::with_token(
        json!({"UserPoolClients": clients}),
        "NextToken",
        page.next,
    ))
}
