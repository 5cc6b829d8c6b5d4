//! SetUserPoolClientSessionConfiguration: the app client's SSO-session
//! validity, in a pool that tracks sessions.

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
    #[serde(rename = "SSOSession")]
    sso_session: SsoSession,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SsoSession {
    /// 0 to 129600, checked against the model before.
    max_validity_minutes: u32,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let minutes = state
        .services
        .set_user_pool_client_session_configuration(
            &r.user_pool_id,
            &r.client_id,
            r.sso_session.max_validity_minutes,
        )
        .await?;
    Ok(json!({
        "UserPoolId": r.user_pool_id,
        "ClientId": r.client_id,
        "SSOSession": {"MaxValidityMinutes": minutes},
    }))
}
