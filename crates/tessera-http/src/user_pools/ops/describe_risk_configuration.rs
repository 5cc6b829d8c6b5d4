//! DescribeRiskConfiguration: the configuration as SetRiskConfiguration stored it.

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
    client_id: Option<ClientId>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let configuration = state
        .services
        .describe_risk_configuration(&r.user_pool_id, r.client_id.as_ref())
        .await?;
    Ok(json!({"RiskConfiguration": configuration}))
}
