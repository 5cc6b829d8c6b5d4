//! StartWebAuthnRegistration: the signed-in user's passkey creation options.

use serde::Deserialize;
use serde_json::{Value, json};

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let options = state
        .services
        .start_webauthn_registration(&r.access_token)
        .await?;
    // A document member: the options are embedded JSON, not a string.
    Ok(json!({"CredentialCreationOptions": options}))
}
