//! ConfirmDevice: the device a sign-in was given gets its SRP verifier.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::services::devices::ConfirmDevice;

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VerifierConfig {
    password_verifier: Option<String>,
    salt: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
    device_key: String,
    device_secret_verifier_config: Option<VerifierConfig>,
    device_name: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let (salt, password_verifier) = match r.device_secret_verifier_config {
        Some(c) => (c.salt, c.password_verifier),
        None => (None, None),
    };
    let necessary = state
        .services
        .confirm_device(ConfirmDevice {
            access_token: r.access_token,
            device_key: r.device_key,
            device_name: r.device_name,
            salt,
            password_verifier,
        })
        .await?;
    Ok(json!({"UserConfirmationNecessary": necessary}))
}
