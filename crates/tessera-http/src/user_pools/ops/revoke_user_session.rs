//! RevokeUserSession: ends one of the caller's other sessions.

use serde::Deserialize;
use serde_json::{Value, json};

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
    session_id: String,
    /// NONE (the default) or LINKED.
    revoke_associated_sessions: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .revoke_user_session(
            &r.access_token,
            &r.session_id,
            r.revoke_associated_sessions.as_deref() == Some("LINKED"),
        )
        .await?;
    Ok(json!({}))
}
