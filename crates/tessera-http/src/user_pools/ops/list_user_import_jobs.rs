//! ListUserImportJobs.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;

use super::{import_shapes, parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    user_pool_id: UserPoolId,
    max_results: i64,
    pagination_token: Option<String>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let page = state
        .services
        .list_user_import_jobs(
            &r.user_pool_id,
            r.max_results,
            r.pagination_token.as_deref(),
        )
        .await?;
    let jobs: Vec<Value> = page
        .items
        .iter()
        .map(import_shapes::user_import_job)
        .collect();
    Ok(shapes::with_token(
        json!({"UserImportJobs": jobs}),
        "PaginationToken",
        page.next,
    ))
}
