//! SetRiskConfiguration: the pool's or one client's risk configuration.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use tessera_core::ids::{ClientId, UserPoolId};

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    client_id: Option<ClientId>,
    /// The configuration members, kept as sent.
    #[serde(flatten)]
    members: Map<String, Value>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let configuration = state
        .services
        .set_risk_configuration(&r.user_pool_id, r.client_id.as_ref(), r.members)
        .await?;
    Ok(json!({"RiskConfiguration": configuration}))
}
