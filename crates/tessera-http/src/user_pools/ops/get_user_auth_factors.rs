//! GetUserAuthFactors.

use serde::Deserialize;
use serde_json::Value;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let (user, factors) = state
        .services
        .get_user_auth_factors(&r.access_token)
        .await?;
    Ok(shapes::auth_factors(&user, &factors))
}
