//! SetUserSettings: the legacy way to turn SMS MFA on or off.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::services::mfa::preferences::MfaOption;

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

/// One `MFAOptions` entry.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MfaOptionInput {
    delivery_medium: Option<String>,
}

pub(crate) fn options(list: Vec<MfaOptionInput>) -> Vec<MfaOption> {
    list.into_iter()
        .map(|o| MfaOption {
            delivery_medium: o.delivery_medium,
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
    #[serde(rename = "MFAOptions")]
    mfa_options: Vec<MfaOptionInput>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .set_user_settings(&r.access_token, &options(r.mfa_options))
        .await?;
    Ok(json!({}))
}
