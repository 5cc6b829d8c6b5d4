//! DeleteWebAuthnCredential: removes one of the signed-in user's passkeys.

use serde::Deserialize;
use serde_json::{Value, json};

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
    credential_id: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .delete_webauthn_credential(&r.access_token, &r.credential_id)
        .await?;
    Ok(json!({}))
}
