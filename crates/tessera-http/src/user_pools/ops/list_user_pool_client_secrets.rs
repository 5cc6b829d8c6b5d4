//! ListUserPoolClientSecrets: a client's secrets' ids and dates, never values.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::{ClientId, UserPoolId};

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

/// NextToken is accepted and ignored: a client holds at most two secrets, and
/// Cognito returns them all in one answer without a token.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    client_id: ClientId,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let secrets = state
        .services
        .list_client_secrets(&r.user_pool_id, &r.client_id)
        .await?;
    let secrets: Vec<Value> = secrets.iter().map(shapes::client_secret).collect();
    Ok(json!({"ClientSecrets": secrets}))
}
