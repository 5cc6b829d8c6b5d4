//! DeleteUserPoolClientSecret: retires one of a client's secrets.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::{ClientId, ClientSecretId, UserPoolId};

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    client_id: ClientId,
    client_secret_id: ClientSecretId,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .delete_client_secret(&r.user_pool_id, &r.client_id, &r.client_secret_id)
        .await?;
    Ok(json!({}))
}
