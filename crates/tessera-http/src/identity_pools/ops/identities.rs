//! GetId, DescribeIdentity, ListIdentities, DeleteIdentities, UnlinkIdentity.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::{IdentityId, IdentityPoolId};

use super::shapes;
use crate::awsjson::OperationError;
use crate::router::AppState;
use crate::user_pools::ops::parse;
use crate::user_pools::ops::shapes::with_token;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetId {
    identity_pool_id: IdentityPoolId,
    #[serde(default)]
    logins: Option<BTreeMap<String, String>>,
}

pub async fn get_id(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: GetId = parse(input)?;
    let id = state
        .services
        .get_id(&r.identity_pool_id, &r.logins.unwrap_or_default())
        .await?;
    Ok(json!({"IdentityId": id}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IdentityRef {
    identity_id: IdentityId,
}

pub async fn describe(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: IdentityRef = parse(input)?;
    let identity = state.services.describe_identity(&r.identity_id).await?;
    Ok(shapes::identity(&identity))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListRequest {
    identity_pool_id: IdentityPoolId,
    max_results: i64,
    #[serde(default)]
    next_token: Option<String>,
}

/// ListIdentities. No identity is ever disabled here (Cognito disables one
/// that loses its last login; this server deletes it), so `HideDisabled`
/// hides nothing.
pub async fn list(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: ListRequest = parse(input)?;
    let page = state
        .services
        .list_identities(&r.identity_pool_id, r.max_results, r.next_token.as_deref())
        .await?;
    let identities: Vec<Value> = page.items.iter().map(shapes::identity).collect();
    Ok(with_token(
        json!({"IdentityPoolId": r.identity_pool_id, "Identities": identities}),
        "NextToken",
        page.next,
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteRequest {
    identity_ids_to_delete: Vec<IdentityId>,
}

pub async fn delete(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: DeleteRequest = parse(input)?;
    state
        .services
        .delete_identities(&r.identity_ids_to_delete)
        .await?;
    Ok(json!({"UnprocessedIdentityIds": []}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UnlinkRequest {
    identity_id: IdentityId,
    logins: BTreeMap<String, String>,
    logins_to_remove: Vec<String>,
}

pub async fn unlink(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: UnlinkRequest = parse(input)?;
    state
        .services
        .unlink_identity(&r.identity_id, &r.logins, &r.logins_to_remove)
        .await?;
    Ok(json!({}))
}
