//! DescribeTermsByClient.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::{ClientId, UserPoolId};

use super::{oauth_shapes, parse};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    client_id: ClientId,
    terms_name: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let terms = state
        .services
        .describe_terms_by_client(&r.user_pool_id, &r.client_id, &r.terms_name)
        .await?;
    Ok(json!({"Terms": oauth_shapes::terms(&r.user_pool_id, &terms)}))
}
