//! TagResource, UntagResource, ListTagsForResource (an identity pool's ARN).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::awsjson::OperationError;
use crate::router::AppState;
use crate::user_pools::ops::parse;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagRequest {
    resource_arn: String,
    #[serde(default)]
    tags: Option<BTreeMap<String, String>>,
    #[serde(default)]
    tag_keys: Option<Vec<String>>,
}

pub async fn tag(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: TagRequest = parse(input)?;
    state
        .services
        .tag_identity_pool(&r.resource_arn, r.tags.unwrap_or_default())
        .await?;
    Ok(json!({}))
}

pub async fn untag(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: TagRequest = parse(input)?;
    state
        .services
        .untag_identity_pool(&r.resource_arn, &r.tag_keys.unwrap_or_default())
        .await?;
    Ok(json!({}))
}

pub async fn list(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: TagRequest = parse(input)?;
    let tags = state.services.identity_pool_tags(&r.resource_arn).await?;
    Ok(json!({"Tags": tags}))
}
