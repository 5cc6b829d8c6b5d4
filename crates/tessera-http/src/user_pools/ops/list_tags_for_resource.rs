//! ListTagsForResource.

use serde::Deserialize;
use serde_json::{Value, json};

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    resource_arn: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let tags = state.services.list_tags(&r.resource_arn).await?;
    Ok(json!({"Tags": tags}))
}
