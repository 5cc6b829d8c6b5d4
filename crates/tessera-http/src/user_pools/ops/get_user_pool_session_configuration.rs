//! GetUserPoolSessionConfiguration: the pool's session tracking (DISABLED and
//! 20 sessions a user when never set).

use serde::Deserialize;
use serde_json::Value;
use tessera_core::ids::UserPoolId;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let config = state
        .services
        .get_user_pool_session_configuration(&r.user_pool_id)
        .await?;
    Ok(shapes::pool_session_configuration(&r.user_pool_id, &config))
}
