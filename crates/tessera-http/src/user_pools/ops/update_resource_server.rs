//! UpdateResourceServer: the same members as CreateResourceServer, and what
//! it leaves out returns to its default (no scopes).

use serde_json::{Value, json};

use super::create_resource_server::Request;
use super::{oauth_shapes, parse};
use crate::awsjson::OperationError;
use crate::router::AppState;

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let (pool_id, server) = parse::<Request>(input)?.server();
    let server = state
        .services
        .update_resource_server(&pool_id, server)
        .await?;
    Ok(json!({"ResourceServer": oauth_shapes::resource_server(&pool_id, &server)}))
}
