//! StopUserImportJob.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::{import_shapes, parse};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    job_id: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let job = state
        .services
        .stop_user_import_job(&r.user_pool_id, &r.job_id)
        .await?;
    Ok(json!({"UserImportJob": import_shapes::user_import_job(&job)}))
}
