//! RespondToAuthChallenge.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

use tessera_core::ids::ClientId;
use tessera_core::services::signin::RespondToChallenge;

use super::{parse, shapes};
use crate::awsjson::{Caller, OperationError};
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    client_id: ClientId,
    challenge_name: String,
    session: Option<String>,
    #[serde(default, deserialize_with = "super::string_map")]
    challenge_responses: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "super::string_map")]
    client_metadata: BTreeMap<String, String>,
    #[serde(default)]
    user_context_data: Option<super::ContextDataInput>,
}

pub async fn handle(
    state: &AppState,
    input: Value,
    caller: &Caller,
) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let outcome = state
        .services
        .respond_to_auth_challenge(RespondToChallenge {
            client_id: r.client_id,
            challenge: r.challenge_name,
            responses: r.challenge_responses,
            session: r.session,
            admin_pool: None,
            client_metadata: r.client_metadata,
            origin: super::origin(caller, r.user_context_data.as_ref()),
        })
        .await?;
    Ok(shapes::auth_outcome(outcome))
}
