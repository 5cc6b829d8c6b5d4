//! AddUserPoolClientSecret: a second secret for a client, to rotate to.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::{ClientId, UserPoolId};

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    client_id: ClientId,
    /// The caller's own value; without it one is generated and returned.
    client_secret: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let added = state
        .services
        .add_client_secret(&r.user_pool_id, &r.client_id, r.client_secret)
        .await?;
    Ok(json!({"ClientSecretDescriptor": shapes::client_secret(&added)}))
}
