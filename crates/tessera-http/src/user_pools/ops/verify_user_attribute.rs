//! VerifyUserAttribute.

use serde::Deserialize;
use serde_json::{Value, json};

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
    attribute_name: String,
    code: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .verify_user_attribute(&r.access_token, &r.attribute_name, &r.code)
        .await?;
    Ok(json!({}))
}
