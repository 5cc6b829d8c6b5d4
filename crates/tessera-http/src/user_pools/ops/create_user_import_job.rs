//! CreateUserImportJob.

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
    job_name: String,
    cloud_watch_logs_role_arn: String,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let job = state
        .services
        .create_user_import_job(&r.user_pool_id, &r.job_name, &r.cloud_watch_logs_role_arn)
        .await?;
    Ok(json!({"UserImportJob": import_shapes::user_import_job(&job)}))
}
