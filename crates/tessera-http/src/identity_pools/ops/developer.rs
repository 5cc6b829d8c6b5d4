//! Developer-authenticated identities: GetOpenIdTokenForDeveloperIdentity,
//! LookupDeveloperIdentity, MergeDeveloperIdentities, UnlinkDeveloperIdentity.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use tessera_core::ids::{IdentityId, IdentityPoolId};
use tessera_core::services::identity_pools::credentials::DeveloperTokenRequest;

use crate::awsjson::OperationError;
use crate::router::AppState;
use crate::user_pools::ops::parse;
use crate::user_pools::ops::shapes::with_token;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TokenRequest {
    identity_pool_id: IdentityPoolId,
    #[serde(default)]
    identity_id: Option<IdentityId>,
    logins: BTreeMap<String, String>,
    #[serde(default)]
    principal_tags: Option<BTreeMap<String, String>>,
    #[serde(default)]
    token_duration: Option<i64>,
}

pub async fn open_id_token(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: TokenRequest = parse(input)?;
    let token = state
        .services
        .get_open_id_token_for_developer_identity(DeveloperTokenRequest {
            pool_id: r.identity_pool_id,
            identity_id: r.identity_id,
            logins: r.logins,
            principal_tags: r.principal_tags.unwrap_or_default(),
            token_duration: r.token_duration,
        })
        .await?;
    Ok(json!({"IdentityId": token.identity_id, "Token": token.token}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LookupRequest {
    identity_pool_id: IdentityPoolId,
    #[serde(default)]
    identity_id: Option<IdentityId>,
    #[serde(default)]
    developer_user_identifier: Option<String>,
    #[serde(default)]
    max_results: Option<i64>,
    #[serde(default)]
    next_token: Option<String>,
}

pub async fn lookup(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: LookupRequest = parse(input)?;
    let found = state
        .services
        .lookup_developer_identity(
            &r.identity_pool_id,
            r.identity_id.as_ref(),
            r.developer_user_identifier.as_deref(),
            r.max_results,
            r.next_token.as_deref(),
        )
        .await?;
    Ok(with_token(
        json!({
            "IdentityId": found.identity_id,
            "DeveloperUserIdentifierList": found.developer_user_ids,
        }),
        "NextToken",
        found.next,
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MergeRequest {
    source_user_identifier: String,
    destination_user_identifier: String,
    developer_provider_name: String,
    identity_pool_id: IdentityPoolId,
}

pub async fn merge(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: MergeRequest = parse(input)?;
    let id = state
        .services
        .merge_developer_identities(
            &r.identity_pool_id,
            &r.developer_provider_name,
            &r.source_user_identifier,
            &r.destination_user_identifier,
        )
        .await?;
    Ok(json!({"IdentityId": id}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UnlinkRequest {
    identity_id: IdentityId,
    identity_pool_id: IdentityPoolId,
    developer_provider_name: String,
    developer_user_identifier: String,
}

pub async fn unlink(state: &AppState, input: Value) -> Result<Value, OperationError> {
    let r: UnlinkRequest = parse(input)?;
    state
        .services
        .unlink_developer_identity(
            &r.identity_pool_id,
            &r.identity_id,
            &r.developer_provider_name,
            &r.developer_user_identifier,
        )
        .await?;
    Ok(json!({}))
}
