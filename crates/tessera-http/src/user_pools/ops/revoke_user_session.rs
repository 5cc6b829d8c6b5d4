//! RevokeUserSession: ends one of the caller's other sessions.

use serde::Deserialize;
use serde_json::{Value, json};

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

/// RevokeAssociatedSessions (NONE or LINKED) is accepted: a token session
/// has no SSO session linked to it here (see `services::user_sessions`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
    session_id: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .revoke_user_session(&r.access_token, &r.session_id)
        .await?;
    Ok(json!({}))
}
