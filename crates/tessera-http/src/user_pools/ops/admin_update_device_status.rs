//! AdminUpdateDeviceStatus: remembers or forgets to remember a device of a user named by an administrator.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;
use tessera_core::services::devices::DeviceOwner;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    username: String,
    device_key: String,
    device_remembered_status: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let owner = DeviceOwner::Admin {
        pool: &r.user_pool_id,
        username: &r.username,
    };
    let remembered = shapes::remembered_status(r.device_remembered_status.as_deref())?;
    state
        .services
        .update_device_status(owner, &r.device_key, remembered)
        .await?;
    Ok(json!({}))
}
