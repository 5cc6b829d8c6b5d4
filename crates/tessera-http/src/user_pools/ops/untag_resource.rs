//! UntagResource.

use serde::Deserialize;
use serde_json::{Value, json};

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    resource_arn: String,
    tag_keys: Vec<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .untag_resource(&r.resource_arn, &r.tag_keys)
        .await?;
    Ok(json!({}))
}
