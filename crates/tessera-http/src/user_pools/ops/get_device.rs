//! GetDevice: one device of the caller.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::services::devices::DeviceOwner;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
    device_key: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let owner = DeviceOwner::AccessToken(&r.access_token);
    let device = state.services.get_device(owner, &r.device_key).await?;
    Ok(json!({"Device": shapes::device(&device)}))
}
