//! AdminGetUser.

use serde::Deserialize;
use serde_json::{Value, json};
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
    let user = state
        .services
        .admin_get_user(&r.user_pool_id, &r.username)
        .await?;
    let mut out = json!({
        "Username": user.username,
        "UserAttributes": shapes::attributes(&user),
        "UserCreateDate": user.created.epoch_seconds(),
        "UserLastModifiedDate": user.modified.epoch_seconds(),
        "Enabled": user.enabled,
        "UserStatus": user.status.as_str(),
    });
    shapes::add_mfa_settings(&mut out, &user);
    Ok(out)
}
