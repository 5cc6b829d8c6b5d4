//! AdminSetUserSettings: the legacy way to turn SMS MFA on or off.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::parse;
use super::set_user_settings::{MfaOptionInput, options};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    username: String,
    #[serde(rename = "MFAOptions")]
    mfa_options: Vec<MfaOptionInput>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .admin_set_user_settings(&r.user_pool_id, &r.username, &options(r.mfa_options))
        .await?;
    Ok(json!({}))
}
