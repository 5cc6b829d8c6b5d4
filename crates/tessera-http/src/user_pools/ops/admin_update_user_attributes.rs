//! AdminUpdateUserAttributes.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::{AttributeInput, attribute_pairs, parse};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    username: String,
    user_attributes: Vec<AttributeInput>,
    #[serde(default, deserialize_with = "super::string_map")]
    client_metadata: BTreeMap<String, String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .admin_update_user_attributes(
            &r.user_pool_id,
            &r.username,
            &attribute_pairs(r.user_attributes),
            &r.client_metadata,
        )
        .await?;
    Ok(json!({}))
}
