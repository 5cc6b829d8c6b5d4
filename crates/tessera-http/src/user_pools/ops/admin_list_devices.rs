//! AdminListDevices: the devices of a user named by an administrator, oldest first.

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
    limit: Option<i64>,
    pagination_token: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let owner = DeviceOwner::Admin {
        pool: &r.user_pool_id,
        username: &r.username,
    };
    let page = state
        .services
        .list_devices(owner, r.limit, r.pagination_token.as_deref())
        .await?;
    let devices: Vec<Value> = page.devices.iter().map(shapes::device).collect();
    Ok(shapes::with_token(
        json!({"Devices": devices}),
        "PaginationToken",
        page.next,
    ))
}
