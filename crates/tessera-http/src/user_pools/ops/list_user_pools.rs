//! ListUserPools.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    max_results: i64,
    next_token: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let page = state
        .services
        .list_pools(r.max_results, r.next_token.as_deref())
        .await?;
    let pools: Vec<Value> = page
        .items
        .iter()
        .map(shapes::user_pool_description)
        .collect();
    Ok(shapes::with_token(
        json!({"UserPools": pools}),
        "NextToken",
        page.next,
    ))
}
