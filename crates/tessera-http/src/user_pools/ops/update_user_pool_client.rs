//! UpdateUserPoolClient: replaces every updatable setting; omitted ones return to defaults.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use tessera_core::ids::{ClientId, UserPoolId};
use tessera_core::services::clients::UpdateClient;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    client_id: ClientId,
    client_name: Option<String>,
    #[serde(flatten)]
    members: Map<String, Value>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let view = state
        .services
        .update_client(UpdateClient {
            pool_id: r.user_pool_id,
            id: r.client_id,
            name: r.client_name,
            members: r.members,
        })
        .await?;
    Ok(json!({"UserPoolClient": shapes::client(&view)}))
}
