//! CreateUserPool.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use tessera_core::domain::schema::SchemaAttributeInput;
use tessera_core::services::pools::CreatePool;

use super::{parse, shapes};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    pool_name: String,
    #[serde(default)]
    schema: Vec<SchemaAttributeInput>,
    #[serde(default)]
    user_pool_tags: BTreeMap<String, String>,
    #[serde(flatten)]
    members: Map<String, Value>,
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: Request = parse(input)?;
    let pool = state
        .services
        .create_pool(CreatePool {
            name: r.pool_name,
            members: r.members,
            schema: r.schema,
            tags: r.user_pool_tags,
        })
        .await?;
    Ok(json!({"UserPool": shapes::user_pool(&pool, 0)}))
}
