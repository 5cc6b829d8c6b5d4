//! RevokeToken.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::ClientId;

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    token: String,
    client_id: ClientId,
    client_secret: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .revoke_token(&r.token, &r.client_id, r.client_secret.as_deref())
        .await?;
    Ok(json!({}))
}
