//! CreateUserPoolClient.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use tessera_core::ids::UserPoolId;
use tessera_core::services::clients::CreateClient;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    client_name: String,
    #[serde(default)]
    generate_secret: bool,
    #[serde(flatten)]
    members: Map<String, Value>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let view = state
        .services
        .create_client(CreateClient {
            pool_id: r.user_pool_id,
            name: r.client_name,
            generate_secret: r.generate_secret,
            id: None,
            members: r.members,
        })
        .await?;
    Ok(json!({"UserPoolClient": shapes::client(&view)}))
}
