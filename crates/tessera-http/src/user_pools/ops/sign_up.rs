//! SignUp.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::ClientId;
use tessera_core::services::signup::SignUp;

use super::{AttributeInput, attribute_pairs, parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    client_id: ClientId,
    username: String,
    password: Option<String>,
    secret_hash: Option<String>,
    #[serde(default, deserialize_with = "super::list_or_null")]
    user_attributes: Vec<AttributeInput>,
    #[serde(default, deserialize_with = "super::list_or_null")]
    validation_data: Vec<AttributeInput>,
    #[serde(default, deserialize_with = "super::string_map")]
    client_metadata: BTreeMap<String, String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let result = state
        .services
        .sign_up(SignUp {
            client_id: r.client_id,
            username: r.username,
            password: r.password,
            attributes: attribute_pairs(r.user_attributes),
            secret_hash: r.secret_hash,
            validation_data: attribute_pairs(r.validation_data).into_iter().collect(),
            client_metadata: r.client_metadata,
        })
        .await?;
    let mut out = json!({"UserConfirmed": result.confirmed, "UserSub": result.user_sub});
    if let Some(d) = &result.delivery {
        out["CodeDeliveryDetails"] = shapes::code_delivery(d);
    }
    if let Some(session) = result.session {
        out["Session"] = json!(session);
    }
    Ok(out)
}
