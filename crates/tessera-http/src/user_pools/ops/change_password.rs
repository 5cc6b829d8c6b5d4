//! ChangePassword.

use serde::Deserialize;
use serde_json::{Value, json};

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    access_token: String,
    previous_password: Option<String>,
    proposed_password: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    state
        .services
        .change_password(
            &r.access_token,
            r.previous_password.as_deref().unwrap_or_default(),
            &r.proposed_password,
        )
        .await?;
    Ok(json!({}))
}
