//! AdminInitiateAuth: InitiateAuth for a signed caller naming the pool.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

use tessera_core::ids::{ClientId, UserPoolId};
use tessera_core::services::signin::InitiateAuth;

use super::{parse, shapes};
use crate::awsjson::{Caller, OperationError};
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    client_id: ClientId,
    auth_flow: String,
    #[serde(default, deserialize_with = "super::string_map")]
    auth_parameters: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "super::string_map")]
    client_metadata: BTreeMap<String, String>,
    #[serde(default)]
    context_data: Option<super::ContextDataInput>,
    session: Option<String>,
}

pub async fn handle(
    state: &AppState,
    input: Value,
    caller: &Caller,
) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let outcome = state
        .services
        .initiate_auth(InitiateAuth {
            client_id: r.client_id,
            flow: r.auth_flow,
            parameters: r.auth_parameters,
            admin_pool: Some(r.user_pool_id),
            client_metadata: r.client_metadata,
            origin: super::origin(caller, r.context_data.as_ref()),
            session: r.session,
        })
        .await?;
    Ok(shapes::auth_outcome(outcome))
}
