//! ResendConfirmationCode.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::ClientId;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    client_id: ClientId,
    username: String,
    secret_hash: Option<String>,
    #[serde(default, deserialize_with = "super::string_map")]
    client_metadata: BTreeMap<String, String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let delivery = state
        .services
        .resend_confirmation_code(
            &r.client_id,
            &r.username,
            r.secret_hash.as_deref(),
            &r.client_metadata,
        )
        .await?;
    Ok(json!({"CodeDeliveryDetails": shapes::code_delivery(&delivery)}))
}
