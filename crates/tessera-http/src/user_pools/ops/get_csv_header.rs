//! GetCSVHeader.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::parse;
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let header = state.services.get_csv_header(&r.user_pool_id).await?;
    Ok(json!({"UserPoolId": r.user_pool_id.as_str(), "CSVHeader": header}))
}
