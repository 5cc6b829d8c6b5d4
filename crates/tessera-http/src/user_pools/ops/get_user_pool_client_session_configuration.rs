//! GetUserPoolClientSessionConfiguration: the app client's SSO-session
//! validity (60 minutes when never set).

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::{ClientId, UserPoolId};

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    client_id: ClientId,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let minutes = state
        .services
        .get_user_pool_client_session_configuration(&r.user_pool_id, &r.client_id)
        .await?;
    Ok(json!({
        "UserPoolId": r.user_pool_id,
        "ClientId": r.client_id,
        "SSOSession": {"MaxValidityMinutes": minutes},
    }))
}
