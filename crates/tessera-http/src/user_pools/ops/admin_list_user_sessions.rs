//! AdminListUserSessions: a user's active sessions, none of them current.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

/// NextToken is accepted and ignored, as in ListUserSessions.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    username: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let sessions = state
        .services
        .admin_list_user_sessions(&r.user_pool_id, &r.username)
        .await?;
    let sessions: Vec<Value> = sessions.iter().map(shapes::session).collect();
    Ok(json!({"Sessions": sessions}))
}
