//! CreateResourceServer.

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::UserPoolId;
use tessera_core::services::resource_servers::{ResourceServer, ResourceServerScope};

use super::{list_or_null, oauth_shapes, parse};
use crate::awsjson::OperationError;
use crate::router::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ScopeInput {
    scope_name: String,
    scope_description: String,
}

/// CreateResourceServer's and UpdateResourceServer's members.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Request {
    user_pool_id: UserPoolId,
    identifier: String,
    name: String,
    #[serde(default, deserialize_with = "list_or_null")]
    scopes: Vec<ScopeInput>,
}

impl Request {
    pub(super) fn server(self) -> (UserPoolId, ResourceServer) {
        let scopes = self
            .scopes
            .into_iter()
            .map(|s| ResourceServerScope {
                scope_name: s.scope_name,
                scope_description: s.scope_description,
            })
            .collect();
        let server = ResourceServer {
            identifier: self.identifier,
            name: self.name,
            scopes,
        };
        (self.user_pool_id, server)
    }
}

pub async fn handle(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let (pool_id, server) = parse::<Request>(input)?.server();
    let server = state
        .services
        .create_resource_server(&pool_id, server)
        .await?;
    Ok(json!({"ResourceServer": oauth_shapes::resource_server(&pool_id, &server)}))
}
