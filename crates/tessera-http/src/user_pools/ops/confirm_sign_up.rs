//! ConfirmSignUp.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::ClientId;
use tessera_core::services::signup::ConfirmSignUp;

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    client_id: ClientId,
    username: String,
    confirmation_code: String,
    secret_hash: Option<String>,
    #[serde(default)]
    force_alias_creation: bool,
    #[serde(default, deserialize_with = "super::string_map")]
    client_metadata: BTreeMap<String, String>,
    session: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let session = state
        .services
        .confirm_sign_up(ConfirmSignUp {
            client_id: r.client_id,
            username: r.username,
            code: r.confirmation_code,
            secret_hash: r.secret_hash,
            force_alias_creation: r.force_alias_creation,
            client_metadata: r.client_metadata,
            session: r.session,
        })
        .await?;
    Ok(match session {
        Some(session) => json!({"Session": session}),
        None => json!({}),
    })
}
