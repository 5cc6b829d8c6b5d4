//! AdminRevokeUserSession: ends one session of the named user.

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
    session_id: String,
    /// NONE (the default) or LINKED.
    revoke_associated_sessions: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .admin_revoke_user_session(
            &r.user_pool_id,
            &r.username,
            &r.session_id,
            r.revoke_associated_sessions.as_deref() == Some("LINKED"),
        )
        .await?;
    Ok(json!({}))
}
