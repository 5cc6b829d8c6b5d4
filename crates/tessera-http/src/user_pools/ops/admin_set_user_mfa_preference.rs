//! AdminSetUserMFAPreference.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::parse;
use super::set_user_mfa_preference::PreferenceInput;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    username: String,
    #[serde(flatten)]
    preferences: PreferenceInput,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .admin_set_user_mfa_preference(&r.user_pool_id, &r.username, r.preferences.change())
        .await?;
    Ok(json!({}))
}
