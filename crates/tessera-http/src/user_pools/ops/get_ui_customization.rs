//! GetUICustomization: the client's customization, else the pool's `ALL`,
//! else an empty object.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::{oauth_shapes, parse};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    client_id: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let view = state
        .services
        .get_ui_customization(&r.user_pool_id, r.client_id.as_deref())
        .await?;
    Ok(json!({"UICustomization": oauth_shapes::ui_customization(view.as_ref())}))
}
