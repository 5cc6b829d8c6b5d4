//! AdminConfirmSignUp.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    username: String,
    #[serde(default, deserialize_with = "super::string_map")]
    client_metadata: BTreeMap<String, String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .admin_confirm_sign_up(&r.user_pool_id, &r.username, &r.client_metadata)
        .await?;
    Ok(json!({}))
}
