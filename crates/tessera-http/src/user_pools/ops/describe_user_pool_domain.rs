//! DescribeUserPoolDomain.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{oauth_shapes, parse};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    domain: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let view = state.services.describe_domain(&r.domain).await?;
    // A domain no pool has is described as empty, not refused.
    let description = match view {
        Some(view) => {
            oauth_shapes::domain_description(&view, &state.services.deployment().account_id)
        }
        None => json!({}),
    };
    Ok(json!({"DomainDescription": description}))
}
