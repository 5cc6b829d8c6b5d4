//! ConfirmForgotPassword.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::ClientId;
use tessera_core::services::recovery::ConfirmForgotPassword;

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    client_id: ClientId,
    username: String,
    confirmation_code: String,
    password: String,
    secret_hash: Option<String>,
    #[serde(default, deserialize_with = "super::string_map")]
    client_metadata: BTreeMap<String, String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .confirm_forgot_password(ConfirmForgotPassword {
            client_id: r.client_id,
            username: r.username,
            code: r.confirmation_code,
            password: r.password,
            secret_hash: r.secret_hash,
            client_metadata: r.client_metadata,
        })
        .await?;
    Ok(json!({}))
}
