//! InitiateAuth.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

use tessera_core::ids::ClientId;
use tessera_core::services::signin::InitiateAuth;

use super::{parse, shapes};
use crate::awsjson::{Caller, OperationError};
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    auth_flow: String,
    client_id: ClientId,
    #[serde(default, deserialize_with = "super::string_map")]
    auth_parameters: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "super::string_map")]
    client_metadata: BTreeMap<String, String>,
    #[serde(default)]
    user_context_data: Option<super::ContextDataInput>,
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
            admin_pool: None,
            client_metadata: r.client_metadata,
            origin: super::origin(caller, r.user_context_data.as_ref()),
            session: r.session,
        })
        .await?;
    Ok(shapes::auth_outcome(outcome))
}
