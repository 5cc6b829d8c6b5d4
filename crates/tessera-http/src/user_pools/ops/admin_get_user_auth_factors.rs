//! AdminGetUserAuthFactors.

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
    username: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let (user, factors) = state
        .services
        .admin_get_user_auth_factors(&r.user_pool_id, &r.username)
        .await?;
    Ok(shapes::auth_factors(&user, &factors))
}
