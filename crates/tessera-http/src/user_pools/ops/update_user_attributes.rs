//! UpdateUserAttributes.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{AttributeInput, attribute_pairs, parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
    user_attributes: Vec<AttributeInput>,
    #[serde(default, deserialize_with = "super::string_map")]
    client_metadata: BTreeMap<String, String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let deliveries = state
        .services
        .update_user_attributes(
            &r.access_token,
            &attribute_pairs(r.user_attributes),
            &r.client_metadata,
        )
        .await?;
    let list: Vec<Value> = deliveries.iter().map(shapes::code_delivery).collect();
    Ok(json!({"CodeDeliveryDetailsList": list}))
}
