//! GetUserAttributeVerificationCode.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
    attribute_name: String,
    #[serde(default, deserialize_with = "super::string_map")]
    client_metadata: BTreeMap<String, String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let delivery = state
        .services
        .get_user_attribute_verification_code(
            &r.access_token,
            &r.attribute_name,
            &r.client_metadata,
        )
        .await?;
    Ok(json!({"CodeDeliveryDetails": shapes::code_delivery(&delivery)}))
}
