//! AddCustomAttributes.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::domain::schema::SchemaAttributeInput;
use tessera_core::ids::UserPoolId;

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    custom_attributes: Vec<SchemaAttributeInput>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .add_custom_attributes(&r.user_pool_id, &r.custom_attributes)
        .await?;
    Ok(json!({}))
}
