//! CompleteWebAuthnRegistration: registers the passkey a browser created.

use serde::Deserialize;
use serde_json::{Value, json};

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
    /// The `RegistrationResponseJSON`, embedded (a document member).
    credential: Value,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .complete_webauthn_registration(&r.access_token, &r.credential)
        .await?;
    Ok(json!({}))
}
