//! UpdateUserPoolDomain.

use serde::Deserialize;
use serde_json::{Map, Value};
use tessera_core::ids::UserPoolId;
use tessera_core::services::domains::DomainInput;

use super::{oauth_shapes, parse};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    domain: String,
    custom_domain_config: Option<Map<String, Value>>,
    managed_login_version: Option<i64>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let view = state
        .services
        .update_domain(DomainInput {
            pool_id: r.user_pool_id,
            domain: r.domain,
            custom_domain_config: r.custom_domain_config,
            managed_login_version: r.managed_login_version,
        })
        .await?;
    Ok(oauth_shapes::domain_change(&view))
}
