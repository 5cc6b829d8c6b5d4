//! SetUserPoolSessionConfiguration: turns session tracking on or off and sets
//! the most token sessions a user keeps; every member is required.

use serde::Deserialize;
use serde_json::Value;
use tessera_core::domain::session::PoolSessionConfig;
use tessera_core::ids::UserPoolId;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    /// ENABLED or DISABLED (the model's enum is checked before).
    user_session_tracking: String,
    token_session: TokenSession,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TokenSession {
    /// 1 to 100, checked against the model before.
    max_per_user: u32,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let config = PoolSessionConfig {
        tracking: r.user_session_tracking == "ENABLED",
        max_per_user: r.token_session.max_per_user,
    };
    let config = state
        .services
        .set_user_pool_session_configuration(&r.user_pool_id, config)
        .await?;
    Ok(shapes::pool_session_configuration(&r.user_pool_id, &config))
}
