//! ListUserSessions: the caller's active sessions, its own marked current.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

/// NextToken is accepted and ignored: every session fits one page (Cognito
/// answers up to 125 at once, and so does Tessera, without a token).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let sessions = state.services.list_user_sessions(&r.access_token).await?;
    let sessions: Vec<Value> = sessions.iter().map(shapes::session).collect();
    Ok(json!({"Sessions": sessions}))
}
