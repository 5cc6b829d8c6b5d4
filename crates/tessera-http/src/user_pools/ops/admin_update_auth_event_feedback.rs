//! AdminUpdateAuthEventFeedback: an administrator's verdict on an auth event.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    username: String,
    event_id: String,
    feedback_value: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .admin_update_auth_event_feedback(
            &r.user_pool_id,
            &r.username,
            &r.event_id,
            &r.feedback_value,
        )
        .await?;
    Ok(json!({}))
}
